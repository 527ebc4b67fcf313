/*
 * samplesize.c — how many impressions (or clicks) a one-change test needs:
 * per video with equal sizes, and on the after-video when the before-video
 * is already finished (the usual creator case).
 *
 * The equal-size formula is the exact root of R's power.prop.test power
 * equation; the fixed-before solver finds the smallest B by doubling and
 * bisection, and says so when no size of B can reach the power.
 */
#include "base/internal.h"

#include <math.h>

static bool valid_level(double v)
{
    return v > 0 && v < 1;
}

static sl_status check_design(double baseline, double lift, double alpha, double power)
{
    double target = baseline * (1 + lift);
    if (!valid_level(baseline) || !(lift != 0) || !isfinite(lift) || !valid_level(target) ||
        !valid_level(alpha) || !valid_level(power))
        return SL_ERR_INVALID_ARGUMENT;
    return SL_OK;
}

/* A real sample size rounded up, robust to a root that lands a hair above
 * an integer through rounding. */
static uint64_t ceil_count(double real)
{
    double c = ceil(real);
    if (c - real > 1 - 1e-9 && c > 1)
        c -= 1;
    return (uint64_t)c;
}

sl_status sl_sample_size(double baseline, double lift, double alpha, double power,
                         uint64_t *per_arm, double *real)
{
    if (!per_arm)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = check_design(baseline, lift, alpha, power);
    if (st != SL_OK)
        return st;
    double p1 = baseline, p2 = baseline * (1 + lift), mean = (p1 + p2) / 2;
    double za = sl_normal_quantile(1 - alpha / 2), zb = sl_normal_quantile(power);
    double root = za * sqrt(2 * mean * (1 - mean)) + zb * sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    double n = root * root / ((p2 - p1) * (p2 - p1));
    if (!(n <= SL_MAX_COUNT))
        return SL_ERR_INFEASIBLE;
    if (real)
        *real = n;
    *per_arm = ceil_count(n);
    return SL_OK;
}

/* The detectable gap minus what B of size nb can resolve: ≤ 0 means enough. */
static double fixed_a_shortfall(double na, double nb, double p1, double p2, double za, double zb)
{
    double mean = (na * p1 + nb * p2) / (na + nb);
    double rhs = za * sqrt(mean * (1 - mean) * (1 / na + 1 / nb)) +
                 zb * sqrt(p1 * (1 - p1) / na + p2 * (1 - p2) / nb);
    return rhs - fabs(p2 - p1);
}

/* Smallest relative lift that unlimited B could detect against this A. */
static double min_detectable_lift(double na, double p1, double za, double zb)
{
    double lo = 0, hi = 1 / p1 - 1; /* the target rate must stay below 1 */
    double g_hi = p1 * hi - zb * sqrt(p1 * (1 - p1) / na); /* target 1: its variance is 0 */
    if (!(g_hi > 0))
        return NAN;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = 0.5 * (lo + hi), p2 = p1 * (1 + mid);
        double g = p1 * mid - za * sqrt(p2 * (1 - p2) / na) - zb * sqrt(p1 * (1 - p1) / na);
        if (g > 0)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

sl_status sl_sample_size_fixed_a(uint64_t trials_a, double baseline, double lift, double alpha,
                                 double power, uint64_t *trials_b, double *real,
                                 double *min_lift)
{
    if (!trials_b || trials_a == 0 || (double)trials_a > SL_MAX_COUNT)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = check_design(baseline, lift, alpha, power);
    if (st != SL_OK)
        return st;
    double na = (double)trials_a, p1 = baseline, p2 = baseline * (1 + lift);
    double za = sl_normal_quantile(1 - alpha / 2), zb = sl_normal_quantile(power);
    if (min_lift)
        *min_lift = min_detectable_lift(na, p1, za, zb);
    /* With B unlimited the right side tends to this; if it is not below the
     * gap, no B is enough. */
    double limit = za * sqrt(p2 * (1 - p2) / na) + zb * sqrt(p1 * (1 - p1) / na);
    if (limit >= fabs(p2 - p1))
        return SL_ERR_INFEASIBLE;
    double lo = 0, hi = 1;
    while (fixed_a_shortfall(na, hi, p1, p2, za, zb) > 0) {
        lo = hi;
        hi *= 2;
        if (hi > SL_MAX_COUNT)
            return SL_ERR_INFEASIBLE;
    }
    for (int i = 0; i < 300 && hi - lo > 1e-10 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (fixed_a_shortfall(na, mid, p1, p2, za, zb) > 0)
            lo = mid;
        else
            hi = mid;
    }
    if (real)
        *real = hi;
    *trials_b = ceil_count(hi);
    return SL_OK;
}
