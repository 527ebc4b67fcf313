/*
 * name_set.h — a set of short names (creator handles), each kept once, in
 * the order first added: the creators an import's rows name.
 */
#ifndef SL_NAME_SET_H
#define SL_NAME_SET_H

#include "shoplab.h"

typedef struct name_set {
    char (*names)[SL_MAX_ID];   /* in the order first added */
    size_t count, cap;
    uint32_t *slots;            /* open addressing: name index + 1, 0 = empty */
    size_t mask;
    size_t last;                /* the name added last: rows repeat it */
} name_set;

/* Adds `name` (cut to SL_MAX_ID - 1 bytes) unless it is there; false when
 * memory runs out. */
bool name_set_add(name_set *s, const char *name);
void name_set_free(name_set *s);

#endif /* SL_NAME_SET_H */
