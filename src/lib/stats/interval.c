/*
 * interval.c — two-sided intervals for one proportion: Wilson with the
 * small-count modification (the default), Wilson, Jeffreys and
 * Clopper–Pearson.
 *
 * The boundaries are exact by construction (a lower bound of exactly 0 at
 * x = 0, an upper bound of exactly 1 at x = n), because creators' counts are
 * often 0 or tiny and the textbook forms return −1e−18 or 1.0000000000000002
 * there.
 */
#include "base/internal.h"

#include <math.h>

/* Above this many successes and failures the incomplete-beta inversion gets
 * slow and Wilson agrees with the exact and Jeffreys bounds to ~1e-7. */
#define EXACT_INVERSION_LIMIT 1e7

static void wilson(double x, double n, double z, sl_interval *out)
{
    double z2 = z * z;
    /* x(n−x)/n as x·((n−x)/n): the product would overflow nothing, but this
     * keeps the rounding at one ulp. */
    double r = sqrt(z2 + 4 * x * ((n - x) / n));
    double denom = 2 * x + z2 + z * r;
    out->high = x == n ? 1 : sl_clamp(denom / (2 * (n + z2)), 0, 1);
    /* Algebraically (2x + z² − zR)/(2(n + z²)), rewritten to avoid
     * subtracting two nearly equal numbers when x is small. */
    out->low = x == 0 ? 0 : sl_clamp(2 * x * x / (n * denom), 0, 1);
}

/* Counts this small (successes or failures) take the exact Poisson limit on
 * their side: Wilson's bound sits too close to them there. */
#define SMALL_COUNT 3

/* The λ with P(Poisson(λ) ≥ k) = tail, k = 1..3: the exact Poisson lower
 * limit for k events (½ χ²_{2k} quantile).  k = 1 has a closed form; 2 and
 * 3 take Newton steps on P(X ≥ k) − tail, whose slope is the Gamma(k)
 * density, from the small-λ start (k! tail)^{1/k}.  The last answers are
 * kept per thread: a report asks for the same tail for every row. */
static double poisson_lower(int k, double tail)
{
    static _Thread_local double cached_tail = -1, cached[SMALL_COUNT + 1];
    if (tail == cached_tail && cached[k] > 0)
        return cached[k];
    if (tail != cached_tail) {
        cached_tail = tail;
        for (int i = 0; i <= SMALL_COUNT; i++)
            cached[i] = 0;
    }
    double lambda;
    if (k == 1) {
        lambda = -log1p(-tail);
    } else {
        double fact = k == 2 ? 2 : 6;
        lambda = pow(fact * tail, 1.0 / k);
        for (int i = 0; i < 50; i++) {
            double term = 1, sum = 0;
            for (int j = 0; j < k; j++) {
                sum += term;
                term *= lambda / (j + 1);
            }
            double f = 1 - exp(-lambda) * sum - tail;   /* P(X ≥ k) − tail */
            double slope = exp(-lambda) * pow(lambda, k - 1) / (fact / k);
            double step = f / slope;
            lambda -= step;
            if (lambda <= 0)
                lambda = 1e-12;
            if (fabs(step) <= 1e-15 * lambda)
                break;
        }
    }
    cached[k] = lambda;
    return lambda;
}

/* Brown, Cai & DasGupta (2001, §4.1.1): Wilson, with the lower bound for 1–3
 * successes (the upper for 1–3 failures) replaced by the Poisson limit. */
static void wilson_small(double x, double n, double alpha, double z, sl_interval *out)
{
    wilson(x, n, z, out);
    if (x >= 1 && x <= SMALL_COUNT) {
        double l = poisson_lower((int)x, alpha / 2) / n;
        if (l < out->low)
            out->low = l;
    }
    double f = n - x;
    if (f >= 1 && f <= SMALL_COUNT) {
        double h = 1 - poisson_lower((int)f, alpha / 2) / n;
        if (h > out->high)
            out->high = h;
    }
}

/* The q with 1 − I_q(a, b) = tail.  A bound near 0 is solved for directly;
 * one near 1 through the mirrored beta, so neither is formed as 1 − (a
 * number close to 1) and loses its digits. */
static double upper_quantile(double a, double b, double tail)
{
    if (a < b)
        return sl_betainc_inv(a, b, 1 - tail);
    return 1 - sl_betainc_inv(b, a, tail);
}

static void clopper_pearson(double x, double n, double alpha, sl_interval *out)
{
    double tail = alpha / 2;
    if (x == 0)
        out->low = 0;
    else if (x == 1)
        out->low = -expm1(log1p(-tail) / n);
    else if (x == n)
        out->low = exp(log(tail) / n);
    else
        out->low = sl_betainc_inv(x, n - x + 1, tail);

    if (x == n)
        out->high = 1;
    else if (x == 0)
        out->high = -expm1(log(tail) / n);
    else if (x == n - 1)
        out->high = exp(log1p(-tail) / n);
    else
        out->high = upper_quantile(x + 1, n - x, tail);
}

static void jeffreys(double x, double n, double alpha, sl_interval *out)
{
    double tail = alpha / 2;
    /* Brown, Cai & DasGupta's boundary fix: 0 at x = 0, 1 at x = n. */
    out->low = x == 0 ? 0 : sl_betainc_inv(x + 0.5, n - x + 0.5, tail);
    out->high = x == n ? 1 : upper_quantile(x + 0.5, n - x + 0.5, tail);
}

sl_status sl_interval_compute(sl_interval_method method, sl_arm arm, double confidence,
                              sl_interval *out)
{
    if (!out || (unsigned)method > SL_INTERVAL_WILSON_SMALL || !(confidence > 0 && confidence < 1))
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = sl_arm_check(arm);
    if (st != SL_OK)
        return st;
    double x = (double)arm.successes, n = (double)arm.trials;
    double alpha = 1 - confidence;
    double fewer = x < n - x ? x : n - x;
    if (method == SL_INTERVAL_WILSON_SMALL)
        wilson_small(x, n, alpha, sl_normal_quantile(1 - alpha / 2), out);
    else if (method == SL_INTERVAL_WILSON || fewer >= EXACT_INVERSION_LIMIT)
        wilson(x, n, sl_normal_quantile(1 - alpha / 2), out);
    else if (method == SL_INTERVAL_EXACT)
        clopper_pearson(x, n, alpha, out);
    else
        jeffreys(x, n, alpha, out);
    out->low = sl_clamp(out->low, 0, 1);
    out->high = sl_clamp(out->high, 0, 1);
    return SL_OK;
}
