/*
 * arena.c — the library's one arena: memory handed out from big blocks and
 * released all at once.
 *
 * A content tree keeps every string and array of its files in one, and the
 * group table keeps its keys and labels in one, so freeing either is a walk
 * over a few blocks instead of one free per string.  Only taking a new
 * block lives here; the common case (room left in the current block) is
 * inline in base/internal.h, because the group table copies a key per new
 * group on the hot path of a 20-million-row import.
 */
#include "base/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A block: its header, then the bytes handed out.  The header is padded
 * to max_align_t, so the first byte of `data` is aligned for anything. */
typedef struct sl_arena_block {
    struct sl_arena_block *next;
    max_align_t data[];
} sl_arena_block;

void *sl_arena_grow(sl_arena *a, size_t size)
{
    size_t cap = a->block_size ? a->block_size : SL_ARENA_BLOCK;
    if (cap < size)
        cap = size; /* one big request gets a block of its own size */
    sl_arena_block *b = malloc(sizeof *b + cap);
    if (!b)
        return NULL;
    b->next = a->blocks;
    a->blocks = b;
    /* What was left of the previous block is given up: the arena's users
     * ask for small pieces, so little is lost, and the fast path stays one
     * comparison. */
    char *p = (char *)b->data;
    a->next = p + size;
    a->end = p + cap;
    return p;
}

void *sl_arena_alloc(sl_arena *a, size_t size)
{
    const uintptr_t align = _Alignof(max_align_t);
    uintptr_t next = (uintptr_t)a->next, end = (uintptr_t)a->end;
    uintptr_t at = (next + align - 1) & ~(align - 1);
    char *p;
    if (next && at <= end && end - at >= size) {
        p = a->next + (at - next);
        a->next = p + size;
    } else if (!(p = sl_arena_grow(a, size))) {
        return NULL;
    }
    memset(p, 0, size);
    return p;
}

void sl_arena_free(sl_arena *a)
{
    if (!a)
        return;
    for (sl_arena_block *b = a->blocks; b;) {
        sl_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->blocks = NULL;
    a->next = a->end = NULL;
}
