/*
 * group_table.c — the group table: one accumulator per key (video, product,
 * LIVE, creator or day), found by an open-addressing hash.
 *
 * Memory grows with the number of groups, never with the number of rows:
 * keys and labels are copied once into an arena, and each row only adds its
 * counts.  Counts are summed as 64-bit integers and money as exact
 * hundredths where the file wrote at most two decimals, so a sum over 20
 * million rows is exact; a sum above 2^53 is reported, not rounded.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE */
#include "group.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Keys and labels are copied in 1 MiB blocks: fewer blocks to take on a
 * file of millions of groups. */
#define ARENA_BLOCK ((size_t)1 << 20)

/* Groups start on a cache line, so a row touches exactly two lines of one. */
static void *table_alloc(size_t size)
{
    size = (size + 63) / 64 * 64;
    void *p = aligned_alloc(64, size);
    if (p)
        memset(p, 0, size);
    return p;
}
/* Like table_alloc, not zeroed; from 2 MiB up aligned to and asking for
 * huge pages (fewer page faults and TLB misses on a 16 MB table). */
#define HUGE_PAGE ((size_t)2 << 20)

static void *big_alloc(size_t size)
{
    if (size < HUGE_PAGE)
        return aligned_alloc(64, (size + 63) / 64 * 64);
    size = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, size);
#ifdef MADV_HUGEPAGE
    if (p)
        madvise(p, size, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
    return p;
}

static void table_release(void *p, size_t size)
{
    (void)size;
    free(p);
}

struct group_table {
    group *groups;              /* insertion order */
    size_t count, cap;
    uint64_t *slots;            /* hash tag << 32 | (index + 1); 0 = empty */
    size_t slot_mask;
    sl_arena arena;             /* keys and labels */
};

/* A short-key hash: 8 bytes at a time, multiply and fold (keys are IDs). */
static uint64_t key_hash(const char *key, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9u;
        h ^= h >> 31;
    }
    uint64_t tail = 0;
    for (; i < len; i++) /* at most 7 bytes: cheaper than a variable memcpy */
        tail = tail << 8 | (unsigned char)key[i];
    /* Full avalanche (the murmur3 finaliser): the slot is taken from the low
     * bits and the tag from the high bits, and ID keys differ only in their
     * last bytes. */
    h ^= tail;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDu;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53u;
    h ^= h >> 33;
    return h;
}

group_table *group_table_new(void)
{
    group_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->arena.block_size = ARENA_BLOCK;
    t->slot_mask = 1023;
    t->slots = table_alloc((t->slot_mask + 1) * sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    return t;
}

void group_table_free(group_table *t)
{
    if (!t)
        return;
    sl_arena_free(&t->arena);
    table_release(t->groups, t->cap * sizeof *t->groups);
    table_release(t->slots, (t->slot_mask + 1) * sizeof *t->slots);
    free(t);
}

/* Rebuilds the slots with room for mask + 1 (a power of two). */
static bool rehash(group_table *t, size_t mask)
{
    uint64_t *slots = table_alloc((mask + 1) * sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < t->count; i++) {
        size_t s = t->groups[i].hash & mask;
        while (slots[s])
            s = (s + 1) & mask;
        slots[s] = (t->groups[i].hash & 0xFFFFFFFF00000000u) | (uint64_t)(i + 1);
    }
    table_release(t->slots, (t->slot_mask + 1) * sizeof *t->slots);
    t->slots = slots;
    t->slot_mask = mask;
    return true;
}

static bool grow_slots(group_table *t) { return rehash(t, t->slot_mask * 2 + 1); }

/* Moves the groups to an array of `cap` (new groups are zeroed one by one
 * in find_or_add, so the array itself is not). */
static bool resize_groups(group_table *t, size_t cap)
{
    group *groups = big_alloc(cap * sizeof *groups);
    if (!groups)
        return false;
    if (t->count)
        memcpy(groups, t->groups, t->count * sizeof *groups);
    table_release(t->groups, t->cap * sizeof *t->groups);
    /* Inline keys point into the old array: re-aim them. */
    for (size_t i = 0; i < t->count; i++)
        if (groups[i].key_len < GROUP_INLINE_KEY)
            groups[i].key = groups[i].inline_key;
    t->groups = groups;
    t->cap = cap;
    return true;
}

bool group_table_reserve(group_table *t, size_t groups)
{
    if (groups > UINT32_MAX - 2)
        return false;
    if (groups > t->cap && !resize_groups(t, groups))
        return false;
    size_t mask = t->slot_mask;
    while (groups * 2 > mask)
        mask = mask * 2 + 1;
    return mask == t->slot_mask || rehash(t, mask);
}

/* The group for `key`, created when new; NULL when memory runs out. */
static group *find_or_add(group_table *t, const char *key, size_t len, uint64_t h)
{
    size_t s = h & t->slot_mask;
    const uint64_t tag = h & 0xFFFFFFFF00000000u;
    for (uint64_t slot; (slot = t->slots[s]) != 0; s = (s + 1) & t->slot_mask) {
        if ((slot & 0xFFFFFFFF00000000u) != tag)
            continue;
        group *g = &t->groups[(uint32_t)slot - 1];
        /* Short keys are compared in place: g->key sits in a cold line. */
        if (g->hash == h && g->key_len == len &&
            memcmp(len < GROUP_INLINE_KEY ? g->inline_key : g->key, key, len) == 0)
            return g;
    }
    if (t->count == UINT32_MAX - 1)
        return NULL;
    if (t->count == t->cap && !resize_groups(t, t->cap ? t->cap * 2 : 256))
        return NULL;
    group *g = &t->groups[t->count];
    memset(g, 0, sizeof *g);
    if (len < GROUP_INLINE_KEY) {
        memcpy(g->inline_key, key, len);
        g->key = g->inline_key;
    } else if (!(g->key = sl_arena_copy(&t->arena, key, len))) {
        return NULL;
    }
    g->key_len = (uint32_t)len;
    g->hash = h;
    t->slots[s] = tag | (uint64_t)(++t->count);
    /* Keep the load under one half so probes stay short. */
    if (t->count * 2 > t->slot_mask && !grow_slots(t))
        return NULL;
    return &t->groups[t->count - 1];
}

static bool set_label(group_table *t, group *g, const char *label, size_t len)
{
    if (!label || !len || g->label) /* rows without a title never touch g->label */
        return true;
    if (len >= SL_MAX_LABEL) { /* cut at a UTF-8 character boundary */
        len = SL_MAX_LABEL - 1;
        while (len && ((unsigned char)label[len] & 0xC0) == 0x80)
            len--;
    }
    g->label = sl_arena_copy(&t->arena, label, len);
    return g->label != NULL;
}

static sl_status add_hashed(group_table *t, const char *key, size_t key_len, uint64_t h,
                            const row_values *row)
{
    group *g = find_or_add(t, key, key_len, h);
    if (!g || !set_label(t, g, row->label, row->label_len))
        return SL_ERR_NO_MEMORY;
    g->rows++;
    g->present |= row->present;
    for (uint32_t bits = row->present; bits; bits &= bits - 1) {
        int f = __builtin_ctz(bits);
        if (!(SL_MONEY_FIELDS & (1u << f)))
            g->sum[f] += (int64_t)row->count[f];
        else if (row->money_exact & (1u << f))
            g->sum[f] += row->hundredths[f];
        else {
            g->money[f] += row->money[f];
            g->money_inexact |= 1u << f;
        }
    }
    if (row->reported_present) {
        g->reported_present |= row->reported_present;
        for (int id = 0; id < SL_RATE__COUNT; id++)
            if (row->reported_present & (1u << id))
                g->reported[id] = row->reported[id];
    }
    return SL_OK;
}

/* Prefetches the slots, then the groups, of `n` groups' keys in `t`. */
static void prefetch_batch(const group_table *t, const group *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&t->slots[keys[i].hash & t->slot_mask]);
    for (size_t i = 0; i < n; i++) {
        uint64_t slot = t->slots[keys[i].hash & t->slot_mask];
        if (slot) {
            const char *g = (const char *)&t->groups[(uint32_t)slot - 1];
            __builtin_prefetch(g, 1);
            __builtin_prefetch(g + 64, 1);
        }
    }
}

sl_status group_table_add_batch(group_table *t, const group_batch *b)
{
    /* The table is far larger than the caches, so each lookup would wait for
     * memory twice (slot, then group).  Hashing the whole batch first and
     * prefetching slots, then groups, overlaps those waits. */
    uint64_t h[GROUP_BATCH];
    for (size_t i = 0; i < b->count; i++) {
        h[i] = key_hash(b->keys[i], b->key_lens[i]);
        __builtin_prefetch(&t->slots[h[i] & t->slot_mask]);
    }
    for (size_t i = 0; i < b->count; i++) {
        uint64_t slot = t->slots[h[i] & t->slot_mask];
        if (slot) {
            const char *g = (const char *)&t->groups[(uint32_t)slot - 1];
            __builtin_prefetch(g, 1);
            __builtin_prefetch(g + 64, 1);
        }
    }
    for (size_t i = 0; i < b->count; i++) {
        sl_status st = add_hashed(t, b->keys[i], b->key_lens[i], h[i], &b->rows[i]);
        if (st != SL_OK)
            return st;
    }
    return SL_OK;
}

sl_status group_table_add_sums(group_table *t, const char *key, size_t key_len, uint64_t rows,
                               uint32_t present, const int64_t sum[SL_FIELD__COUNT])
{
    group *g = find_or_add(t, key, key_len, key_hash(key, key_len));
    if (!g)
        return SL_ERR_NO_MEMORY;
    g->rows += rows;
    g->present |= present;
    for (uint32_t bits = present; bits; bits &= bits - 1)
        g->sum[__builtin_ctz(bits)] += sum[__builtin_ctz(bits)];
    return SL_OK;
}

sl_status group_table_add(group_table *t, const char *key, size_t key_len, const row_values *row)
{
    return add_hashed(t, key, key_len, key_hash(key, key_len), row);
}

sl_status group_table_merge(group_table *into, const group_table *from)
{
    for (size_t i = 0; i < from->count; i++) {
        const group *src = &from->groups[i];
        if (i % GROUP_BATCH == 0) /* the keys of the next batch: see add_batch */
            prefetch_batch(into, from->groups + i,
                           from->count - i < GROUP_BATCH ? from->count - i : GROUP_BATCH);
        group *g = find_or_add(into, src->key, src->key_len, src->hash);
        if (!g || !set_label(into, g, src->label, src->label ? strlen(src->label) : 0))
            return SL_ERR_NO_MEMORY;
        g->rows += src->rows;
        g->present |= src->present;
        g->money_inexact |= src->money_inexact;
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            g->sum[f] += src->sum[f];
            g->money[f] += src->money[f];
        }
        for (int id = 0; id < SL_RATE__COUNT; id++)
            if (src->reported_present & (1u << id)) {
                g->reported_present |= 1u << id;
                g->reported[id] = src->reported[id];
            }
    }
    return SL_OK;
}

/* The group of `key` (hash h) in t, or NULL. */
static const group *find(const group_table *t, const char *key, size_t len, uint64_t h)
{
    const uint64_t tag = h & 0xFFFFFFFF00000000u;
    for (size_t s = h & t->slot_mask; t->slots[s]; s = (s + 1) & t->slot_mask) {
        if ((t->slots[s] & 0xFFFFFFFF00000000u) != tag)
            continue;
        const group *g = &t->groups[(uint32_t)t->slots[s] - 1];
        if (g->hash == h && g->key_len == len && memcmp(g->key, key, len) == 0)
            return g;
    }
    return NULL;
}

sl_status group_table_merge_earlier(group_table *into, const group_table *earlier)
{
    /* Room for the new keys first: a table reserved to the size of one
     * range's keys would otherwise double for the first one (and hold both
     * arrays while it copies). */
    size_t missing = 0;
    for (size_t i = 0; i < earlier->count; i++) {
        const group *src = &earlier->groups[i];
        missing += find(into, src->key, src->key_len, src->hash) == NULL;
    }
    if (missing && !group_table_reserve(into, into->count + missing))
        return SL_ERR_NO_MEMORY;
    for (size_t i = 0; i < earlier->count; i++) {
        const group *src = &earlier->groups[i];
        group *g = find_or_add(into, src->key, src->key_len, src->hash);
        if (!g)
            return SL_ERR_NO_MEMORY;
        /* The first label seen is kept: the earlier rows' when they have one. */
        if (src->label && !(g->label = sl_arena_copy(&into->arena, src->label, strlen(src->label))))
            return SL_ERR_NO_MEMORY;
        g->rows += src->rows;
        g->present |= src->present;
        g->money_inexact |= src->money_inexact;
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            g->sum[f] += src->sum[f];
            g->money[f] = src->money[f] + g->money[f]; /* as group_table_merge adds them */
        }
        /* A reported rate is the last one read: the later rows' when given. */
        for (int id = 0; id < SL_RATE__COUNT; id++)
            if ((src->reported_present & (1u << id)) && !(g->reported_present & (1u << id))) {
                g->reported_present |= 1u << id;
                g->reported[id] = src->reported[id];
            }
    }
    return SL_OK;
}

size_t group_table_count(const group_table *t) { return t->count; }

const group *group_table_at(const group_table *t, size_t i) { return &t->groups[i]; }

sl_status group_funnel(const group *g, sl_funnel *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        if (!(g->present & (1u << f)))
            continue;
        double v;
        if (sl_field_is_money((sl_field)f)) {
            v = (double)g->sum[f] / 100.0 + g->money[f];
        } else {
            if ((uint64_t)g->sum[f] > SL_MAX_COUNT_U64)
                return sl_fail(err, SL_ERR_COUNT_TOO_LARGE, sl_field_name((sl_field)f),
                               "the sum of %s for '%s' is above 2^53, the largest exact count",
                               sl_field_label((sl_field)f), g->key);
            v = (double)g->sum[f];
        }
        sl_funnel_set(out, (sl_field)f, v);
    }
    return SL_OK;
}
