/*
 * json_shape.h — JSON building blocks shared by json.c and report_json.c
 * (private), so a report row has exactly the decoder's JSON shape.
 */
#ifndef SL_JSON_SHAPE_H
#define SL_JSON_SHAPE_H

#include "base/internal.h"

#include <jansson.h>

#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

json_t *decode_json(const sl_decode_result *r);
json_t *funnel_json(const sl_funnel *f);
json_t *rate_json(const sl_rate *r);

#endif
