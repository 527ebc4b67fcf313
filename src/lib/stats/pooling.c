/*
 * pooling.c — team lessons: what one kind of change did across creators,
 * with partial pooling (docs/statistics.md, "Lessons across creators").
 *
 * Pure functions over an array of journal tests the caller already chose
 * (the store and the reader's rights are someone else's business).  Each
 * closed test gives a log relative lift and its delta-method variance; a
 * creator's tests in one group are combined by inverse-variance weighting;
 * across creators an empirical-Bayes normal-normal model with τ² by
 * Paule–Mandel gives the pooled lift (Hartung–Knapp interval) and each
 * creator's estimate shrunk toward it.  Why these choices, and the edge
 * cases, are on the docs page; tests/tools/lessons_reference.py recomputes
 * every number from that page alone.
 */
#include "base/internal.h"

#include <math.h>
#include <stdlib.h>

/* Bisection on τ² stops when the bracket no longer shrinks or after this
 * many halvings (each halves it, so 200 reach any double's precision). */
#define PM_MAX_HALVINGS 200

/* One usable test, reduced to what the model needs. */
typedef struct item {
    const char *creator;
    sl_loop_step step;
    sl_change_tag tag;
    sl_metric metric;
    size_t index;               /* in the caller's array: ties keep its order */
    double y, v;
} item;

/* A test counts when it is closed and its last look has counts the rest of
 * the library accepts; the before counts were checked when it was planned,
 * but an array handed in by a caller is checked again. */
static bool usable(const sl_journal_test *t)
{
    return t->closed && t->look_count > 0 && t->looks && (unsigned)t->step < SL_LOOP__COUNT &&
           (unsigned)t->tag < SL_TAG__COUNT && (unsigned)t->metric <= SL_METRIC_CTOR &&
           sl_arm_check(t->before) == SL_OK &&
           sl_arm_check(t->looks[t->look_count - 1].after) == SL_OK;
}

/* y = ln(pB / pA) and v = (1 − pA)/xA + (1 − pB)/xB.  When any of the four
 * cells (successes and failures of either video) is 0, ½ is added to every
 * cell (Haldane–Anscombe): without it a 0 would make y infinite, and a video
 * with every trial a success would get variance 0 and with it all the
 * weight. */
static void log_lift(sl_arm a, sl_arm b, double *y, double *v)
{
    double xa = (double)a.successes, na = (double)a.trials;
    double xb = (double)b.successes, nb = (double)b.trials;
    if (xa == 0 || xa == na || xb == 0 || xb == nb) {
        xa += 0.5, na += 1, xb += 0.5, nb += 1;
    }
    double pa = xa / na, pb = xb / nb;
    *y = log(pb) - log(pa);
    *v = (1 - pa) / xa + (1 - pb) / xb;
}

/* Groups by step, then tag with "other" last (it is the least informative),
 * then metric, then creator key; within a creator the order is the array's. */
static int tag_rank(sl_change_tag t)
{
    return t == SL_TAG_OTHER ? SL_TAG__COUNT : (int)t;
}

static int group_cmp(const item *a, const item *b)
{
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    if (a->tag != b->tag)
        return tag_rank(a->tag) < tag_rank(b->tag) ? -1 : 1;
    if (a->metric != b->metric)
        return a->metric < b->metric ? -1 : 1;
    return 0;
}

static int item_cmp(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = group_cmp(a, b);
    if (c == 0)
        c = strcmp(a->creator, b->creator);
    /* Equal keys keep the caller's order, so sums run in one order on
     * every platform (qsort is not stable). */
    return c ? c : (a->index < b->index ? -1 : a->index > b->index);
}

/* The two-sided t quantile with `df` degrees of freedom at `level`:
 * P(|T| > t) = I_{df/(df+t²)}(df/2, ½), inverted through the incomplete
 * beta. */
static double t_quantile(double df, double level)
{
    double x = sl_betainc_inv(df / 2, 0.5, 1 - level);
    return sqrt(df * (1 - x) / x);
}

/* Σ w*(y − μ)² with w* = 1/(v + τ²): the generalised Q that Paule–Mandel
 * sets to k − 1; also gives μ. */
static double generalised_q(const sl_lesson_creator *c, size_t k, double tau2, double *mu)
{
    double sw = 0, swy = 0;
    for (size_t i = 0; i < k; i++) {
        double w = 1 / (c[i].variance + tau2);
        sw += w;
        swy += w * c[i].log_lift;
    }
    double m = swy / sw, q = 0;
    for (size_t i = 0; i < k; i++)
        q += (c[i].log_lift - m) * (c[i].log_lift - m) / (c[i].variance + tau2);
    if (mu)
        *mu = m;
    return q;
}

/* Paule–Mandel τ²: 0 when Q(0) ≤ k − 1, else the root of Q(τ²) = k − 1.
 * Q falls as τ² grows, and Q(τ²) < S/τ² with S the spread of the y around
 * their plain mean, so the root lies in [0, S/(k − 1)]; bisection finds it
 * without derivatives that could overshoot below 0. */
static double paule_mandel(const sl_lesson_creator *c, size_t k)
{
    double target = (double)(k - 1);
    if (generalised_q(c, k, 0, NULL) <= target)
        return 0;
    double mean = 0, s = 0;
    for (size_t i = 0; i < k; i++)
        mean += c[i].log_lift;
    mean /= (double)k;
    for (size_t i = 0; i < k; i++)
        s += (c[i].log_lift - mean) * (c[i].log_lift - mean);
    double lo = 0, hi = s / target;
    for (int i = 0; i < PM_MAX_HALVINGS; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (generalised_q(c, k, mid, NULL) > target)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

/* exp(·) − 1 of an estimate and its interval. */
static void relative(double y, double var, double quantile, double *lift, double *low,
                     double *high)
{
    double half = quantile * sqrt(var);
    *lift = expm1(y);
    *low = expm1(y - half);
    *high = expm1(y + half);
}

/* The model for one group whose creators are filled with their own y_i and
 * v_i (docs/statistics.md gives every formula). */
static void fit_group(sl_lesson_group *g)
{
    size_t k = g->creator_count;
    sl_lesson_creator *c = g->creators;
    double z = sl_normal_quantile(1 - (1 - SL_LESSONS_LEVEL) / 2);
    for (size_t i = 0; i < k; i++)
        relative(c[i].log_lift, c[i].variance, z, &c[i].lift, &c[i].low, &c[i].high);
    if (k == 1) {
        /* Nothing to pool across: one creator's lift is all there is, and
         * it is not shrunk toward itself. */
        g->pooled = false;
        g->log_lift = c[0].log_lift;
        g->se = sqrt(c[0].variance);
        g->quantile = z;
        g->tau2 = 0;
        g->q = 0;
        c[0].shrinkage = 0;
        c[0].pooled_log_lift = c[0].log_lift;
        c[0].pooled_variance = c[0].variance;
    } else {
        g->pooled = true;
        g->q = generalised_q(c, k, 0, NULL);
        g->tau2 = paule_mandel(c, k);
        double mu, sw = 0;
        double qstar = generalised_q(c, k, g->tau2, &mu) / (double)(k - 1);
        for (size_t i = 0; i < k; i++)
            sw += 1 / (c[i].variance + g->tau2);
        /* Hartung–Knapp with its variance factor kept at least 1: the
         * plain factor can shrink the interval below the normal one when
         * the creators agree more than chance would make them. */
        g->log_lift = mu;
        g->se = sqrt((qstar > 1 ? qstar : 1) / sw);
        g->quantile = t_quantile((double)(k - 1), SL_LESSONS_LEVEL);
        for (size_t i = 0; i < k; i++) {
            double b = c[i].variance / (c[i].variance + g->tau2);
            c[i].shrinkage = b;
            c[i].pooled_log_lift = b * mu + (1 - b) * c[i].log_lift;
            c[i].pooled_variance = (1 - b) * c[i].variance + b * b * g->se * g->se;
        }
    }
    relative(g->log_lift, g->se * g->se, g->quantile, &g->lift, &g->low, &g->high);
    /* The shrunken estimates take the group's quantile: a creator pulled
     * all the way (B = 1) is the pooled lift and gets its very interval. */
    for (size_t i = 0; i < k; i++)
        relative(c[i].pooled_log_lift, c[i].pooled_variance, g->quantile, &c[i].pooled_lift,
                 &c[i].pooled_low, &c[i].pooled_high);
}

void sl_lessons_free(sl_lessons *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->group_count; i++)
        free(l->groups[i].creators);
    free(l->groups);
    free(l);
}

static sl_status out_of_memory(item *items, sl_lessons *l, sl_error *err)
{
    free(items);
    sl_lessons_free(l);
    return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
}

sl_status sl_lessons_compute(const sl_journal_test *tests, size_t n, sl_lessons **out,
                             sl_error *err)
{
    if (!out || (n && !tests))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no tests or result given");
    *out = NULL;
    sl_lessons *l = calloc(1, sizeof *l);
    item *items = n ? malloc(n * sizeof *items) : NULL;
    if (!l || (n && !items))
        return out_of_memory(items, l, err);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const sl_journal_test *t = &tests[i];
        if (!usable(t)) {
            l->tests_skipped++;
            continue;
        }
        item *it = &items[m++];
        *it = (item){t->creator, t->step, t->tag, t->metric, i, 0, 0};
        log_lift(t->before, t->looks[t->look_count - 1].after, &it->y, &it->v);
    }
    l->tests_used = m;
    if (m)
        qsort(items, m, sizeof *items, item_cmp);

    /* Count the groups, then fill each: creators in key order, each the
     * inverse-variance mean of its tests. */
    size_t groups = 0;
    for (size_t i = 0; i < m; i++)
        groups += i == 0 || group_cmp(&items[i - 1], &items[i]) != 0;
    l->groups = groups ? calloc(groups, sizeof *l->groups) : NULL;
    if (groups && !l->groups)
        return out_of_memory(items, l, err);
    for (size_t i = 0; i < m;) {
        size_t end = i + 1, k = 1;
        for (; end < m && group_cmp(&items[i], &items[end]) == 0; end++)
            k += strcmp(items[end - 1].creator, items[end].creator) != 0;
        sl_lesson_group *g = &l->groups[l->group_count++];
        g->step = items[i].step;
        g->tag = items[i].tag;
        g->metric = items[i].metric;
        g->tests = end - i;
        g->creators = calloc(k, sizeof *g->creators);
        if (!g->creators)
            return out_of_memory(items, l, err);
        for (size_t j = i; j < end;) {
            sl_lesson_creator *c = &g->creators[g->creator_count++];
            snprintf(c->creator, sizeof c->creator, "%s", items[j].creator);
            double sw = 0, swy = 0;
            for (; j < end && strcmp(items[j].creator, c->creator) == 0; j++) {
                sw += 1 / items[j].v;
                swy += items[j].y / items[j].v;
                c->tests++;
            }
            c->log_lift = swy / sw;
            c->variance = 1 / sw;
        }
        fit_group(g);
        i = end;
    }
    free(items);
    *out = l;
    return SL_OK;
}
