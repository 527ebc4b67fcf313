/*
 * compare.c — a one-change test: before-video A against after-video B.
 *
 * The verdict follows docs/statistics.md ("One rule for every look"): alpha
 * is split between the always-valid (mSPRT) route, which may stop at any
 * look, and one fixed-sample test at the first look that reaches the
 * planned sample, so a creator who checks every day is not fooled by an
 * early swing and the error stays at most alpha however often they look.
 * "No clear difference" needs evidence too: the planned sample reached, or a
 * before-video too small for any amount of B to tell.
 */
#include "base/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Fisher's exact p replaces the z-test when any of the four cells is this
 * small: the normal approximation is poor there. */
#define FISHER_CELL_THRESHOLD 10

/* The one place a metric's words and counts are written down. */
static const sl_metric_info metrics[] = {
    [SL_METRIC_CTR] = {"ctr", "Product CTR", "product impressions", "product clicks",
                       "Product impressions", "Product clicks",
                       "product clicks / product impressions", SL_FIELD_PRODUCT_IMPRESSIONS,
                       SL_FIELD_PRODUCT_CLICKS},
    [SL_METRIC_CTOR] = {"ctor", "CTOR", "product clicks", "orders", "Product clicks", "Orders",
                        "orders / product clicks", SL_FIELD_PRODUCT_CLICKS, SL_FIELD_ORDERS},
};

const sl_metric_info *sl_metric_rate(sl_metric metric)
{
    return &metrics[metric == SL_METRIC_CTOR ? SL_METRIC_CTOR : SL_METRIC_CTR];
}

const char *sl_metric_name(sl_metric metric)
{
    return sl_metric_rate(metric)->name;
}

bool sl_metric_parse(const char *name, sl_metric *out)
{
    for (int m = SL_METRIC_CTR; m <= SL_METRIC_CTOR; m++)
        if (name && strcmp(name, metrics[m].name) == 0) {
            *out = (sl_metric)m;
            return true;
        }
    return false;
}

static const char *trials_label(sl_metric metric)
{
    return sl_metric_rate(metric)->trials;
}

static const char *successes_label(sl_metric metric)
{
    return sl_metric_rate(metric)->successes;
}

static sl_status check_arm(sl_metric metric, sl_arm arm, const char *which, const char *field,
                           sl_error *err)
{
    switch (sl_arm_check(arm)) {
    case SL_OK:
        return SL_OK;
    case SL_ERR_COUNT_TOO_LARGE:
        return sl_fail(err, SL_ERR_COUNT_TOO_LARGE, field,
                       "video %s: counts above 2^53 (9007199254740992) are not supported", which);
    case SL_ERR_SUCCESSES_EXCEED_TRIALS:
        return sl_fail(err, SL_ERR_SUCCESSES_EXCEED_TRIALS, field,
                       "video %s: %s (%llu) exceed %s (%llu); successes can never be more than "
                       "trials",
                       which, successes_label(metric), (unsigned long long)arm.successes,
                       trials_label(metric), (unsigned long long)arm.trials);
    default:
        return sl_fail(err, SL_ERR_NO_DATA, field,
                       "video %s has 0 %s: there is nothing to compare yet", which,
                       trials_label(metric));
    }
}

static bool any_cell_small(sl_arm a, sl_arm b)
{
    uint64_t cells[4] = {a.successes, a.trials - a.successes, b.successes,
                         b.trials - b.successes};
    for (int i = 0; i < 4; i++)
        if (cells[i] < FISHER_CELL_THRESHOLD)
            return true;
    return false;
}

/* The sample to detect a change of `mde` either way: a rise and a drop of
 * the same relative size need different samples, and the larger is kept. */
static void plan_sample(sl_compare_result *r, const sl_compare_options *o)
{
    r->min_detectable_lift = NAN;
    if (o && o->planned_b) {
        /* A plan's sample is kept as planned, never re-sized from later data. */
        r->planned_given = true;
        r->fixed_a_feasible = true;
        r->b_needed = o->planned_b;
    }
    if (!(r->rate_a > 0))
        return; /* a relative lift on a zero baseline is undefined */
    uint64_t per_arm = 0;
    bool sized = true;
    for (int dir = 1; dir >= -1; dir -= 2) {
        uint64_t n;
        if (sl_sample_size(r->rate_a, dir * r->mde, r->alpha_fixed, r->power, &n, NULL) == SL_OK)
            per_arm = n > per_arm ? n : per_arm;
        else
            sized = false;
    }
    if (sized) {
        r->has_sample_size = true;
        r->per_arm_needed = per_arm;
    }
    if (!r->planned_given) {
        uint64_t b_needed = 0;
        bool feasible = true;
        for (int dir = 1; dir >= -1; dir -= 2) {
            uint64_t b = 0;
            double mdl = NAN;
            sl_status st = sl_sample_size_fixed_a(r->a.trials, r->rate_a, dir * r->mde,
                                                  r->alpha_fixed, r->power, &b, NULL, &mdl);
            if (dir == 1)
                r->min_detectable_lift = mdl;
            if (st == SL_OK)
                b_needed = b > b_needed ? b : b_needed;
            else
                feasible = false;
        }
        r->fixed_a_feasible = feasible;
        r->b_needed = feasible ? b_needed : 0;
    } else {
        double mdl = NAN;
        uint64_t b;
        sl_sample_size_fixed_a(r->a.trials, r->rate_a, r->mde, r->alpha_fixed, r->power, &b, NULL,
                               &mdl);
        r->min_detectable_lift = mdl;
    }
    if (r->fixed_a_feasible) {
        r->b_more_needed = r->b_needed > r->b.trials ? r->b_needed - r->b.trials : 0;
        r->planned_sample_reached = r->b.trials >= r->b_needed;
    }
}

/* One rule for every look (docs/statistics.md): a difference is called
 * when the always-valid p (its running minimum over the test's looks) is
 * below alpha_always_valid, or when the fixed-sample test, taken once at the
 * first look that reached the planned sample, is below alpha_fixed.  The
 * two shares add up to alpha, so peeking cannot push the error past it. */
static void decide(sl_compare_result *r, const sl_compare_options *o)
{
    double av = r->msprt_p;
    if (o && o->always_valid_p > 0 && o->always_valid_p < av)
        av = o->always_valid_p;
    r->always_valid_p = av;
    double fixed_diff = 0;
    if (o && o->has_planned_look) {
        r->has_planned_look = true;
        r->planned_look_p = o->planned_look_p, fixed_diff = o->planned_look_diff;
    } else if (r->planned_sample_reached) {
        r->has_planned_look = true; /* this look is the one */
        r->planned_look_p = r->p_value, fixed_diff = r->diff;
    }

    bool by_av = av < r->alpha_always_valid;
    if (by_av || (r->has_planned_look && r->planned_look_p < r->alpha_fixed)) {
        double d = by_av ? r->diff : fixed_diff;
        r->verdict = d > 0 ? SL_COMPARE_B_BETTER : SL_COMPARE_A_BETTER;
        r->decided_by = by_av ? "always-valid" : "planned-sample test";
    } else if (r->planned_sample_reached) {
        r->verdict = SL_COMPARE_NO_CLEAR_DIFFERENCE;
        r->decided_by = "planned sample reached";
    } else if (r->rate_a > 0 && !r->fixed_a_feasible) {
        r->verdict = SL_COMPARE_NO_CLEAR_DIFFERENCE;
        r->decided_by = "too little on A";
    } else {
        r->verdict = SL_COMPARE_TOO_EARLY;
    }
    sl_compare_sentence(r, r->verdict_text, sizeof r->verdict_text);
}

/* ---- the verdict in one sentence ---- */

/* A p-value as the details show it (3 significant digits), except that a
 * very small one is said in words: "5.63e-06" means nothing to a creator. */
static const char *p_text(char *buf, size_t size, double p)
{
    if (p >= 0.0001)
        snprintf(buf, size, "%.3g", p);
    else
        snprintf(buf, size, "below 0.0001");
    return buf;
}

/* "3.65% against 3.12% on video A, +17.0%": B's rate, A's, the relative change. */
static void rates_text(char *buf, size_t size, const sl_compare_result *r)
{
    char lift[32] = "";
    if (r->has_lift)
        snprintf(lift, sizeof lift, ", %+.1f%%", r->lift * 100);
    snprintf(buf, size, "%.2f%% against %.2f%% on video A%s", r->rate_b * 100,
             r->rate_a * 100, lift);
}

/* The chance B is better as a percentage, never "100.00%" (it is a
 * probability from finite data, so it is shown as "over 99.99%"). */
static void chance_text(char *buf, size_t size, double prob)
{
    if (prob > 0.9999)
        snprintf(buf, size, "over 99.99%%");
    else if (prob < 0.0001)
        snprintf(buf, size, "under 0.01%%");
    else
        snprintf(buf, size, "%.2f%%", prob * 100);
}

size_t sl_compare_sentence(const sl_compare_result *r, char *buf, size_t size)
{
    char rates[96], p[32], av[32], more[32], chance[32];
    const char *metric = sl_metric_rate(r->metric)->label;
    const char *unit = trials_label(r->metric);
    rates_text(rates, sizeof rates, r);
    p_text(av, sizeof av, r->always_valid_p);
    int n;
    switch (r->verdict) {
    case SL_COMPARE_B_BETTER:
    case SL_COMPARE_A_BETTER: {
        const char *way = r->verdict == SL_COMPARE_B_BETTER ? "higher" : "lower";
        if (r->decided_by && strcmp(r->decided_by, "always-valid") == 0)
            n = snprintf(buf, size,
                         "Video B's %s is %s (%s), and the gap is too large to be chance: the "
                         "always-valid p (%s) is below the %.2g this test allows at any look, so "
                         "it holds however often you checked.",
                         metric, way, rates, av, r->alpha_always_valid);
        else
            n = snprintf(buf, size,
                         "Video B's %s is %s (%s), and the gap is too large to be chance: when "
                         "video B reached the planned sample the p-value (%s) was below the %.2g "
                         "planned.",
                         metric, way, rates, p_text(p, sizeof p, r->planned_look_p),
                         r->alpha_fixed);
        break;
    }
    case SL_COMPARE_NO_CLEAR_DIFFERENCE:
        if (r->planned_sample_reached)
            n = snprintf(buf, size,
                         "No clear difference: video B reached the planned sample and the gap in "
                         "%s (%s) is within what chance makes (p-value %s, not below the %.2g "
                         "planned; always-valid p %s, not below %.2g), so a real change of %.0f%% "
                         "either way would most likely have shown.",
                         metric, rates, p_text(p, sizeof p, r->planned_look_p), r->alpha_fixed,
                         av, r->alpha_always_valid, r->mde * 100);
        else
            n = snprintf(buf, size,
                         "No clear difference can be shown: video A has too few %s for any "
                         "amount of video B to detect a %.0f%% change (the smallest it could "
                         "detect is about %.0f%%); compare against a bigger before-video or plan "
                         "for a bigger change.",
                         unit, r->mde * 100, r->min_detectable_lift * 100);
        break;
    default:
        if (!r->fixed_a_feasible) {
            n = snprintf(buf, size,
                         "Too early to tell: video A has no %s yet, so a relative change cannot "
                         "be sized; collect more on both videos.",
                         successes_label(r->metric));
            break;
        }
        sl_format_count(more, sizeof more, (double)r->b_more_needed);
        p_text(p, sizeof p, r->p_value);
        if (r->p_value < r->alpha_fixed) {
            /* The case that looks like a contradiction: a small p-value and
             * a high chance B is better, but no verdict yet. */
            chance_text(chance, sizeof chance, r->prob_b_better);
            n = snprintf(buf, size,
                         "Too early to call: video B's %s is %s (%s; chance B is better %s) and "
                         "at this look the gap is bigger than chance would usually make "
                         "(p-value %s), but a look before the planned sample can mislead and the "
                         "always-valid p (%s) is not below %.2g: video B needs %s more %s before "
                         "it can be called.",
                         metric, r->diff >= 0 ? "higher" : "lower", rates, chance, p, av,
                         r->alpha_always_valid, more, unit);
        } else {
            n = snprintf(buf, size,
                         "Too early to tell: video B's %s is %s, a gap that could still be chance "
                         "(p-value %s, always-valid p %s); video B needs %s more %s to reach "
                         "the planned sample, which would settle a %.0f%% change either way.",
                         metric, rates, p, av, more, unit, r->mde * 100);
        }
    }
    return n < 0 ? 0 : (size_t)n;
}

sl_status sl_compare(sl_metric metric, sl_arm a, sl_arm b, const sl_compare_options *options,
                     sl_compare_result *out, sl_error *err)
{
    if (!out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no result given");
    memset(out, 0, sizeof *out);
    out->metric = metric;
    out->a = a;
    out->b = b;
    out->mde = options && options->mde ? options->mde : 0.2;
    out->alpha = options && options->alpha ? options->alpha : 0.05;
    out->power = options && options->power ? options->power : 0.8;
    out->alpha_always_valid = out->alpha * SL_ALPHA_SHARE_ALWAYS_VALID;
    out->alpha_fixed = out->alpha - out->alpha_always_valid;
    if (!(out->mde > 0 && out->mde < 1))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "mde",
                       "the smallest change worth detecting must be between 0 and 1 (e.g. 0.2 "
                       "for 20%% either way)");
    if (!(out->alpha > 0 && out->alpha < 1) || !(out->power > 0 && out->power < 1))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "alpha",
                       "alpha and power must be between 0 and 1");
    sl_status st = check_arm(metric, a, "A", "a", err);
    if (st == SL_OK)
        st = check_arm(metric, b, "B", "b", err);
    if (st != SL_OK)
        return st;

    double confidence = 1 - out->alpha;
    out->rate_a = (double)a.successes / (double)a.trials;
    out->rate_b = (double)b.successes / (double)b.trials;
    out->diff = out->rate_b - out->rate_a;
    if (out->rate_a > 0) {
        out->has_lift = true;
        out->lift = out->diff / out->rate_a;
    }
    sl_interval_compute(SL_INTERVAL_DEFAULT, a, confidence, &out->interval_a);
    sl_interval_compute(SL_INTERVAL_DEFAULT, b, confidence, &out->interval_b);
    sl_diff_interval(a, b, confidence, &out->diff_interval);
    sl_ztest(a, b, &out->ztest);
    out->p_value = out->ztest.p_value;
    out->p_method = "z-test";
    if (any_cell_small(a, b) && sl_fisher_exact(a, b, &out->fisher_p) == SL_OK) {
        out->has_fisher = true;
        out->p_value = out->fisher_p;
        out->p_method = "fisher";
    }
    sl_prob_b_better(a, b, &out->prob_b_better, &out->prob_exact);

    /* τ is the planned absolute effect (rate A × MDE); with no successes on A
     * the pooled rate stands in, and with none anywhere any τ gives p = 1. */
    double pooled = (double)(a.successes + b.successes) / (double)(a.trials + b.trials);
    double base = out->rate_a > 0 ? out->rate_a : pooled > 0 ? pooled : 1.0 / (double)a.trials;
    out->tau2 = options && options->tau2 ? options->tau2 : pow(base * out->mde, 2);
    if (!(out->tau2 > 0 && isfinite(out->tau2)))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "tau2", "tau2 must be above 0");
    sl_msprt(a, b, out->tau2, &out->msprt_p, NULL);

    plan_sample(out, options);
    decide(out, options);
    snprintf(out->caution, sizeof out->caution,
             "Two videos are not a randomized experiment: posting time, audience and trends "
             "differ between them, so this only says whether the gap is bigger than chance, not "
             "that the change caused it. Compare the videos over matched windows (for example "
             "their first 48 hours).");
    return SL_OK;
}
