/*
 * name_set.c — a set of short names, each kept once (name_set.h).  Every
 * record of an import passes through it, so the common case, a name equal
 * to the one before, costs one comparison; a new name costs one hash.
 */
#include "name_set.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_of(const char *name)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    return h;
}

/* The slot holding `name`, or the empty slot where it goes. */
static uint32_t *slot_of(const name_set *s, const char *name, uint64_t h)
{
    for (size_t i = (size_t)h & s->mask;; i = (i + 1) & s->mask) {
        uint32_t *slot = &s->slots[i];
        if (*slot == 0 || strcmp(s->names[*slot - 1], name) == 0)
            return slot;
    }
}

/* Doubles the slots (kept at most half full) and the names. */
static bool grow(name_set *s)
{
    size_t cap = s->cap ? 2 * s->cap : 16;
    char(*names)[SL_MAX_ID] = realloc(s->names, cap * sizeof *names);
    uint32_t *slots = calloc(2 * cap, sizeof *slots);
    if (!names || !slots || cap > UINT32_MAX / 2) {
        if (names)
            s->names = names;
        free(slots);
        return false;
    }
    free(s->slots);
    s->names = names;
    s->cap = cap;
    s->slots = slots;
    s->mask = 2 * cap - 1;
    for (size_t n = 0; n < s->count; n++)
        *slot_of(s, s->names[n], hash_of(s->names[n])) = (uint32_t)(n + 1);
    return true;
}

bool name_set_add(name_set *s, const char *name)
{
    char cut[SL_MAX_ID];
    if (strlen(name) >= SL_MAX_ID) {
        memcpy(cut, name, SL_MAX_ID - 1);
        cut[SL_MAX_ID - 1] = '\0';
        name = cut;
    }
    if (s->count && strcmp(s->names[s->last], name) == 0)
        return true;
    if (s->count == s->cap && !grow(s))
        return false;
    uint32_t *slot = slot_of(s, name, hash_of(name));
    if (*slot == 0) {
        strcpy(s->names[s->count], name);
        *slot = (uint32_t)++s->count;
    }
    s->last = *slot - 1;
    return true;
}

void name_set_free(name_set *s)
{
    free(s->names);
    free(s->slots);
    memset(s, 0, sizeof *s);
}
