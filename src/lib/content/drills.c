/*
 * drills.c — drill sessions: which drills a practice round asks, and in
 * which order a drill's options are shown, both from a seed so a session
 * can be replayed.
 */
#include "base/internal.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64: a small, well-mixed generator, so a seed gives the same
 * session on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void shuffle(const sl_drill **items, size_t n, uint64_t *state)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_random(state) % i);
        const sl_drill *tmp = items[i - 1];
        items[i - 1] = items[j];
        items[j] = tmp;
    }
}

size_t sl_drill_session(const sl_content *c, bool all_types, sl_drill_type type, size_t count,
                        uint64_t seed, const sl_drill **out)
{
    if (!c || !out || !count)
        return 0;
    uint64_t state = seed;
    const sl_drill **pool[SL_DRILL__COUNT] = {NULL};
    size_t pool_n[SL_DRILL__COUNT] = {0};
    size_t written = 0;
    for (int t = 0; t < SL_DRILL__COUNT; t++) {
        const sl_drill_set *set = sl_drill_set_get(c, (sl_drill_type)t);
        if (!set || (!all_types && (sl_drill_type)t != type))
            continue;
        pool[t] = malloc(set->drill_count * sizeof **pool);
        if (!pool[t])
            goto done;
        for (size_t i = 0; i < set->drill_count; i++)
            pool[t][i] = &set->drills[i];
        pool_n[t] = set->drill_count;
        shuffle(pool[t], pool_n[t], &state);
    }
    /* Interleave the types (pick, tag, read, pick, …) so a mixed session
     * walks the loop in order. */
    for (size_t round = 0; written < count; round++) {
        bool any = false;
        for (int t = 0; t < SL_DRILL__COUNT && written < count; t++)
            if (round < pool_n[t]) {
                out[written++] = pool[t][round];
                any = true;
            }
        if (!any)
            break;
    }
done:
    for (int t = 0; t < SL_DRILL__COUNT; t++)
        free(pool[t]);
    return written;
}

size_t sl_drill_option_order(const sl_content *c, const sl_drill *d, uint64_t seed,
                             size_t order[SL_DRILL_MAX_OPTIONS])
{
    if (!c || !d || !order || d->option_count > SL_DRILL_MAX_OPTIONS || d->option_count == 0)
        return 0;
    const sl_drill_set *set = sl_drill_set_get(c, d->type);
    if (!set || d < set->drills || d >= set->drills + set->drill_count)
        return 0;
    size_t n = d->option_count, rank = 0;
    for (const sl_drill *e = set->drills; e < d; e++)
        rank += e->option_count == n;
    /* The right answer's place: the drill's rank among the drills of its set
     * with as many options, plus a start drawn from the seed and the type.
     * A pure shuffle would often leave one position with most right answers
     * in a short session; the rotation spreads them evenly over a set (per
     * number of options, so a mix of two- and three-option drills stays
     * even) and still cannot be guessed without the seed, since a session
     * shows the drills in shuffled order. */
    uint64_t state = seed ^ (0xD1B54A32D192ED03u * ((uint64_t)d->type + 1));
    size_t right = (size_t)((next_random(&state) % n + rank) % n);
    /* The wrong options in a shuffled order around it, drawn from the seed
     * and the drill's id. */
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = d->id; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    state = seed ^ h;
    size_t wrong[SL_DRILL_MAX_OPTIONS], w = 0;
    for (size_t i = 0; i < n; i++)
        if (i != d->answer)
            wrong[w++] = i;
    for (size_t i = w; i > 1; i--) {
        size_t j = (size_t)(next_random(&state) % i);
        size_t tmp = wrong[i - 1];
        wrong[i - 1] = wrong[j];
        wrong[j] = tmp;
    }
    for (size_t pos = 0, k = 0; pos < n; pos++)
        order[pos] = pos == right ? d->answer : wrong[k++];
    return n;
}
