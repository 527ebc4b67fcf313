/*
 * json_shape.h — JSON building blocks (private): the one way the library
 * turns a JSON value into text, and the decoder's shapes that report_json.c
 * reuses, so a report row has exactly the decoder's JSON shape.
 */
#ifndef SL_JSON_SHAPE_H
#define SL_JSON_SHAPE_H

#include "base/internal.h"

#include <jansson.h>

#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

/* The text of `root` in the library's JSON form (2-space indent, reals to
 * 15 digits), malloc'd for sl_free; takes the reference to `root` and
 * drops it.  NULL when root is NULL (a json_pack that failed) or on out of
 * memory.  json.c. */
char *sl_json_dump(json_t *root);

json_t *decode_json(const sl_decode_result *r);
json_t *funnel_json(const sl_funnel *f);
json_t *rate_json(const sl_rate *r);

#endif
