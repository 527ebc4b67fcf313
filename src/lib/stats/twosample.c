/*
 * twosample.c — statistics that compare two videos (A before, B after):
 * the pooled z-test, Fisher's exact test, the exact P(B > A), the Newcombe
 * interval for the difference, the mSPRT always-valid p-value, and Holm's
 * adjustment.
 *
 * Tails are kept in scaled or log frames so that p-values like 1e-37 keep
 * their digits instead of underflowing or cancelling to 0.
 */
#include "base/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SQRT2 1.41421356237309504880168872420969808

/* R's relative tolerance for "as or less likely than the observed table". */
#define FISHER_RELATIVE_FUZZ 1e-7
/* Terms this far below the mode cannot change a double sum. */
#define FISHER_NEGLIGIBLE 1e-300

static sl_status check_pair(sl_arm a, sl_arm b)
{
    sl_status st = sl_arm_check(a);
    return st != SL_OK ? st : sl_arm_check(b);
}

/* The observed difference p̂B − p̂A and its variance under "no difference"
 * (the pooled rate), shared by the z-test and the mSPRT. */
static void difference_and_null_variance(sl_arm a, sl_arm b, double *diff, double *variance)
{
    double na = (double)a.trials, nb = (double)b.trials;
    double pooled = (double)(a.successes + b.successes) / (double)(a.trials + b.trials);
    *variance = pooled * (1 - pooled) * (1 / na + 1 / nb);
    *diff = (double)b.successes / nb - (double)a.successes / na;
}

sl_status sl_ztest(sl_arm a, sl_arm b, sl_ztest_result *out)
{
    if (!out)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = check_pair(a, b);
    if (st != SL_OK)
        return st;
    double diff, variance;
    difference_and_null_variance(a, b, &diff, &variance);
    double se = sqrt(variance);
    if (!(se > 0)) {
        /* Both 0 % or both 100 %: no variation, nothing to test. */
        *out = (sl_ztest_result){false, 0, 1, 0};
        return SL_OK;
    }
    out->z_defined = true;
    out->z = diff / se;
    out->p_value = sl_clamp(sl_normal_two_sided_p(out->z, &out->log10_p), 0, 1);
    return SL_OK;
}

sl_status sl_fisher_exact(sl_arm a, sl_arm b, double *p_value)
{
    if (!p_value)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = check_pair(a, b);
    if (st != SL_OK)
        return st;
    if (a.trials + b.trials > SL_FISHER_MAX_TRIALS)
        return SL_ERR_TOO_LARGE_FOR_METHOD;
    /* Hypergeometric: k successes in A given the margins.  Terms are kept
     * relative to the mode, so the normalising constant is their sum and no
     * factorial is ever formed. */
    double na = (double)a.trials, nb = (double)b.trials;
    double total = (double)(a.successes + b.successes);
    double lo = total > nb ? total - nb : 0, hi = total < na ? total : na;
    double mode = floor((total + 1) * (na + 1) / (na + nb + 2));
    mode = sl_clamp(mode, lo, hi);
    double observed_k = (double)a.successes;

    /* First pass: the observed term relative to the mode. */
    double t = 1, observed = mode == observed_k ? 1 : 0;
    for (double k = mode; k < hi && observed == 0; k++) {
        t *= (na - k) * (total - k) / ((k + 1) * (nb - total + k + 1));
        if (k + 1 == observed_k)
            observed = t;
    }
    t = 1;
    for (double k = mode; k > lo && observed == 0; k--) {
        t *= k * (nb - total + k) / ((na - k + 1) * (total - k + 1));
        if (k - 1 == observed_k)
            observed = t;
    }
    double cutoff = observed * (1 + FISHER_RELATIVE_FUZZ);

    /* Second pass: sum everything, and the terms no likelier than observed. */
    double sum = 1, tail = 1 <= cutoff ? 1 : 0;
    t = 1;
    for (double k = mode; k < hi; k++) {
        t *= (na - k) * (total - k) / ((k + 1) * (nb - total + k + 1));
        sum += t;
        if (t <= cutoff)
            tail += t;
        if (t < FISHER_NEGLIGIBLE)
            break;
    }
    t = 1;
    for (double k = mode; k > lo; k--) {
        t *= k * (nb - total + k) / ((na - k + 1) * (total - k + 1));
        sum += t;
        if (t <= cutoff)
            tail += t;
        if (t < FISHER_NEGLIGIBLE)
            break;
    }
    *p_value = sl_clamp(tail / sum, 0, 1);
    return SL_OK;
}

/* ln B(a, b + h) − ln B(a, b) for the first term of the Bayes sum, grouped as
 * G(b, a) − G(b + h, a) with G(x, a) = lgamma(x + a) − lgamma(x): each G is
 * about a·ln x, so with a the small count nothing large cancels. */
static double log_first_term(double a1, double b1, double b2)
{
    return sl_lgamma_diff(b1, a1) - sl_lgamma_diff(b1 + b2, a1);
}

/* S(a1, b1, a2, b2) = Σ_{i<a2} B(a1+i, b1+b2) / ((b2+i) B(1+i, b2) B(a1, b1)),
 * summed by the ratio recurrence in a rescaled frame so neither tiny nor
 * huge terms under- or overflow. */
static double bayes_sum(double a1, double b1, double a2, double b2)
{
    double scale = log_first_term(a1, b1, b2);
    double t = 1, sum = 0;
    for (double i = 0; i < a2; i++) {
        sum += t;
        t *= (a1 + i) * (b2 + i) / ((a1 + b1 + b2 + i) * (i + 1));
        if (t > 1e250 || (t < 1e-250 && t > 0)) {
            double shift = log(t);
            sum /= t;
            t = 1;
            scale += shift;
        }
    }
    return sum * exp(scale);
}

static double normal_cdf(double x)
{
    return 0.5 * erfc(-x / SQRT2);
}

sl_status sl_prob_b_better(sl_arm a, sl_arm b, double *prob, bool *exact)
{
    if (!prob)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = check_pair(a, b);
    if (st != SL_OK)
        return st;
    double alpha_a = (double)a.successes + 1, beta_a = (double)(a.trials - a.successes) + 1;
    double alpha_b = (double)b.successes + 1, beta_b = (double)(b.trials - b.successes) + 1;
    /* Four equivalent sums; the one with the fewest terms is used.  Ties
     * go to the form whose result is the smaller probability, which keeps
     * its relative digits. */
    struct form {
        double terms;
        bool gives_b_better;
        double a1, b1, a2, b2;
    } forms[4] = {
        {alpha_b, true, alpha_a, beta_a, alpha_b, beta_b},
        {alpha_a, false, alpha_b, beta_b, alpha_a, beta_a},
        {beta_a, true, beta_b, alpha_b, beta_a, alpha_a},
        {beta_b, false, beta_a, alpha_a, beta_b, alpha_b},
    };
    double rate_a = alpha_a / (alpha_a + beta_a), rate_b = alpha_b / (alpha_b + beta_b);
    bool b_likely_better = rate_b > rate_a;
    const struct form *best = &forms[0];
    for (int i = 1; i < 4; i++) {
        const struct form *f = &forms[i];
        bool f_small = f->gives_b_better != b_likely_better;
        bool best_small = best->gives_b_better != b_likely_better;
        if (f->terms < best->terms || (f->terms == best->terms && f_small && !best_small))
            best = f;
    }
    if (best->terms > SL_BAYES_MAX_TERMS) {
        double va = alpha_a * beta_a / ((alpha_a + beta_a) * (alpha_a + beta_a) *
                                        (alpha_a + beta_a + 1));
        double vb = alpha_b * beta_b / ((alpha_b + beta_b) * (alpha_b + beta_b) *
                                        (alpha_b + beta_b + 1));
        *prob = normal_cdf((rate_b - rate_a) / sqrt(va + vb));
        if (exact)
            *exact = false;
        return SL_OK;
    }
    double s = bayes_sum(best->a1, best->b1, best->a2, best->b2);
    *prob = sl_clamp(best->gives_b_better ? s : 1 - s, 0, 1);
    if (exact)
        *exact = true;
    return SL_OK;
}

sl_status sl_diff_interval(sl_arm a, sl_arm b, double confidence, sl_interval *out)
{
    if (!out)
        return SL_ERR_INVALID_ARGUMENT;
    sl_interval wa, wb;
    sl_status st = sl_interval_compute(SL_INTERVAL_WILSON, a, confidence, &wa);
    if (st == SL_OK)
        st = sl_interval_compute(SL_INTERVAL_WILSON, b, confidence, &wb);
    if (st != SL_OK)
        return st;
    double pa = (double)a.successes / (double)a.trials;
    double pb = (double)b.successes / (double)b.trials;
    double d = pb - pa;
    out->low = sl_clamp(d - sqrt((pb - wb.low) * (pb - wb.low) + (wa.high - pa) * (wa.high - pa)),
                        -1, 1);
    out->high = sl_clamp(d + sqrt((wb.high - pb) * (wb.high - pb) + (pa - wa.low) * (pa - wa.low)),
                         -1, 1);
    return SL_OK;
}

sl_status sl_msprt(sl_arm a, sl_arm b, double tau2, double *p_value, double *log_lambda)
{
    if (!p_value || !(tau2 > 0) || !isfinite(tau2))
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = check_pair(a, b);
    if (st != SL_OK)
        return st;
    double d, v;
    difference_and_null_variance(a, b, &d, &v);
    double ll;
    if (!(v > 0)) {
        ll = d == 0 ? 0 : INFINITY;
    } else {
        /* ½ ln(V/(V+τ²)) written as −½ log1p(τ²/V) to keep its digits. */
        ll = -0.5 * log1p(tau2 / v) + d * d * tau2 / (2 * v * (v + tau2));
    }
    if (log_lambda)
        *log_lambda = ll;
    *p_value = ll <= 0 ? 1 : sl_clamp(exp(-ll), 0, 1);
    return SL_OK;
}

typedef struct indexed_p {
    double p;
    size_t index;
} indexed_p;

static int by_p(const void *x, const void *y)
{
    const indexed_p *a = x, *b = y;
    return a->p < b->p ? -1 : a->p > b->p ? 1 : (a->index > b->index) - (a->index < b->index);
}

sl_status sl_holm_adjust(double *p_values, size_t m)
{
    if (!p_values && m)
        return SL_ERR_INVALID_ARGUMENT;
    if (m == 0)
        return SL_OK;
    indexed_p *sorted = malloc(m * sizeof *sorted);
    if (!sorted)
        return SL_ERR_NO_MEMORY;
    for (size_t i = 0; i < m; i++)
        sorted[i] = (indexed_p){p_values[i], i};
    qsort(sorted, m, sizeof *sorted, by_p);
    double running = 0;
    for (size_t j = 0; j < m; j++) {
        double adjusted = sl_clamp((double)(m - j) * sorted[j].p, 0, 1);
        if (adjusted > running)
            running = adjusted;
        p_values[sorted[j].index] = running;
    }
    free(sorted);
    return SL_OK;
}
