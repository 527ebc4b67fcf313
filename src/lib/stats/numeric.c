/*
 * numeric.c — the numeric kernels under the statistics: the normal quantile
 * and tail, log-gamma differences without cancellation, and the regularized
 * incomplete beta function with its inverse.
 *
 * Counts reach 10^12, where the textbook lgamma(a) + lgamma(b) − lgamma(a+b)
 * loses three digits to cancellation; every function here is arranged so the
 * large terms cancel analytically instead (Stirling remainders, log1p).
 */
#include "base/internal.h"

#include <float.h>
#include <math.h>

#define LN_SQRT_2PI 0.91893853320467274178032973640561764
#define LN_SQRT_PI 0.57236494292470008707171367567652935
#define LN10 2.30258509299404568401799145468436421
#define SQRT2 1.41421356237309504880168872420969808
#define TWO_PI 6.28318530717958647692528676655900577

/* Iteration cap of the continued fraction; it converges in O(√(a+b)) steps,
 * far below this for every count the library accepts before falling back. */
#define BETACF_MAX_ITER 20000000
/* The power series of I_x(a, b) is used while (a + b)·x stays below this:
 * its terms then peak below e^SERIES_LIMIT and it needs few of them. */
#define SERIES_LIMIT 64.0

static double normal_quantile(double u);

/* Reports ask for the same quantile (1 - alpha/2) for each of their rows,
 * tens of thousands of times: the last answer is kept, per thread. */
double sl_normal_quantile(double u)
{
    static _Thread_local double last_u = -1, last_z;
    if (u != last_u) {
        last_z = normal_quantile(u);
        last_u = u;
    }
    return last_z;
}

static double normal_quantile(double u)
{
    /* Wichura (1988), algorithm AS241 PPND16: about 1e-16 relative. */
    if (!(u > 0 && u < 1))
        return u == 0 ? -INFINITY : u == 1 ? INFINITY : NAN;
    double q = u - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        return q *
               (((((((2509.0809287301226727 * r + 33430.575583588128105) * r +
                     67265.770927008700853) * r + 45921.953931549871457) * r +
                   13731.693765509461125) * r + 1971.5909503065514427) * r +
                 133.14166789178437745) * r + 3.387132872796366608) /
               (((((((5226.495278852545925 * r + 28729.085735721942674) * r +
                     39307.89580009271061) * r + 21213.794301586595867) * r +
                   5394.1960214247511077) * r + 687.1870074920579083) * r +
                 42.313330701600911252) * r + 1.0);
    }
    double r = q < 0 ? u : 1 - u;
    r = sqrt(-log(r));
    double x;
    if (r <= 5) {
        r -= 1.6;
        x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
                  0.24178072517745061177) * r + 1.27045825245236838258) * r +
                3.64784832476320460504) * r + 5.7694972214606914055) * r +
              4.6303378461565452959) * r + 1.42343711074968357734) /
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
                  0.0151986665636164571966) * r + 0.14810397642748007459) * r +
                0.68976733498510000455) * r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0);
    } else {
        r -= 5;
        x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                  0.0012426609473880784386) * r + 0.026532189526576123093) * r +
                0.29656057182850489123) * r + 1.7848265399172913358) * r +
              5.4637849111641143699) * r + 6.6579046435011037772) /
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
                  1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
                0.0148753612908506148525) * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0);
    }
    return q < 0 ? -x : x;
}

double sl_normal_two_sided_p(double z, double *log10_p)
{
    double u = fabs(z) / SQRT2;
    double p = erfc(u);
    double lg;
    if (u < 26) {
        lg = log10(p);
    } else {
        /* erfc underflows near u = 27: use its asymptotic series instead. */
        double u2 = u * u;
        double series = 1 - 1 / (2 * u2) + 3 / (4 * u2 * u2) - 15 / (8 * u2 * u2 * u2);
        lg = (-u2 - log(u) - LN_SQRT_PI + log(series)) / LN10;
    }
    if (log10_p)
        *log10_p = lg;
    return p;
}

/* Stirling remainder δ(z) = lgamma(z) − [(z−½)ln z − z + ½ln 2π]. */
static double stirling_delta(double z)
{
    if (z >= 10) {
        double z2 = z * z;
        return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * z2)) / z2) / z2) / z;
    }
    return lgamma(z) - ((z - 0.5) * log(z) - z + LN_SQRT_2PI);
}

double sl_lgamma_diff(double x, double h)
{
    if (h == 0)
        return 0;
    if (x < 10)
        return lgamma(x + h) - lgamma(x);
    /* (x+h−½)ln(x+h) − (x−½)ln x − h, regrouped so nothing large cancels. */
    return (x - 0.5) * log1p(h / x) + h * log(x + h) - h + stirling_delta(x + h) -
           stirling_delta(x);
}

double sl_lbeta(double a, double b)
{
    double small = a < b ? a : b, large = a < b ? b : a;
    if (large < 10)
        return lgamma(a) + lgamma(b) - lgamma(a + b);
    /* One small, one large: lgamma(large) − lgamma(large + small) would
     * cancel about log10(large) digits away; take the difference directly. */
    if (small < 10)
        return lgamma(small) - sl_lgamma_diff(large, small);
    double s = a + b;
    return (a - 0.5) * log(a / s) + (b - 0.5) * log(b / s) - 0.5 * log(s) + LN_SQRT_2PI +
           stirling_delta(a) + stirling_delta(b) - stirling_delta(s);
}

/* log1p(t) − t, accurate near 0 where the difference cancels. */
static double log1pmx(double t)
{
    if (fabs(t) >= 0.1)
        return log1p(t) - t;
    double term = t, sum = 0;
    for (int k = 2; k < 60; k++) {
        term *= -t;
        double add = term / k;
        sum += add;
        if (fabs(add) < 1e-17 * fabs(sum))
            break;
    }
    return sum;
}

/* ln[x^a (1−x)^b / B(a, b)]: the prefactor of the incomplete beta. */
static double log_beta_prefactor(double a, double b, double x)
{
    if (a < 10 || b < 10)
        return a * log(x) + b * log1p(-x) - sl_lbeta(a, b);
    /* Around the mean μ the first-order terms a·ε + b·ε' cancel exactly, so
     * only the second-order parts L(t) = log1p(t) − t are summed. */
    double mu = a / (a + b);
    double e1 = (x - mu) / mu, e2 = (mu - x) / (1 - mu);
    return a * log1pmx(e1) + b * log1pmx(e2) + 0.5 * log(a * b / (TWO_PI * (a + b))) -
           (stirling_delta(a) + stirling_delta(b) - stirling_delta(a + b));
}

/* One step of the modified Lentz algorithm: folds the partial numerator
 * `aa` into the running c and d and returns the factor for the result. */
static double lentz_step(double aa, double *c, double *d)
{
    const double tiny = 1e-300;
    *d = 1 + aa * *d;
    if (fabs(*d) < tiny)
        *d = tiny;
    *c = 1 + aa / *c;
    if (fabs(*c) < tiny)
        *c = tiny;
    *d = 1 / *d;
    return *d * *c;
}

/* Continued fraction of I_x(a, b) (modified Lentz), valid for
 * x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x)
{
    double qab = a + b, qap = a + 1, qam = a - 1;
    /* The first partial denominator starts the recursion without a c term. */
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < 1e-300)
        d = 1e-300;
    d = 1 / d;
    double h = d;
    for (long m = 1; m <= BETACF_MAX_ITER; m++) {
        double m2 = 2.0 * (double)m;
        h *= lentz_step((double)m * (b - (double)m) * x / ((qam + m2) * (a + m2)), &c, &d);
        double del = lentz_step(-(a + (double)m) * (qab + (double)m) * x / ((a + m2) * (qap + m2)),
                                &c, &d);
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return h;
}

/* The lower tail I_x(a,b) when `upper` is false, else 1 − I_x(a,b), each
 * computed directly (never as 1 − the other) so small tails keep their
 * digits. */
static double betainc_tail(double a, double b, double x, bool upper)
{
    if (x <= 0)
        return upper ? 1 : 0;
    if (x >= 1)
        return upper ? 0 : 1;
    /* x^a (1−x)^b / B(a,b) is symmetric under (a, b, x) ↔ (b, a, 1−x), so it
     * is always computed from x itself: 1 − x rounds away the digits of a
     * tiny x, and b·ln(1 − x) would carry that error times b. */
    double prefactor = exp(log_beta_prefactor(a, b, x));
    if (x < 0.5 && (a + b) * x < SERIES_LIMIT) {
        /* Small x with a huge b (a few successes in 10^12 trials): the
         * continued fraction would need 1 − x to more digits than a double
         * has, while the series I = prefactor/a · Σ (a+b)_n/(a+1)_n x^n uses
         * x itself and converges in a few dozen terms. */
        double term = 1, sum = 1;
        for (int n = 0; n < 10000; n++) {
            term *= (a + b + n) * x / (a + 1 + n);
            sum += term;
            if (term < 1e-17 * sum && (a + b + n) * x < (a + 1 + n))
                break;
        }
        double v = prefactor * sum / a;
        return upper ? 1 - v : v;
    }
    if (x < (a + 1) / (a + b + 2)) {
        double v = prefactor * betacf(a, b, x) / a;
        return upper ? 1 - v : v;
    }
    double v = prefactor * betacf(b, a, 1 - x) / b;
    return upper ? v : 1 - v;
}

double sl_betainc(double a, double b, double x)
{
    return betainc_tail(a, b, x, false);
}

/* Beta(a, b) density at x, in log form. */
static double log_beta_density(double a, double b, double x)
{
    return log_beta_prefactor(a, b, x) - log(x) - log1p(-x);
}

double sl_betainc_inv(double a, double b, double p)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return 1;
    /* Start from the normal approximation of the Beta, then safeguarded
     * Newton inside a shrinking bracket; bisect (geometrically near 0)
     * whenever Newton would leave it. */
    double mean = a / (a + b);
    double sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    double x = sl_clamp(mean + sl_normal_quantile(p) * sd, 1e-300, 1 - 1e-16);
    double lo = 0, hi = 1;
    for (int iter = 0; iter < 400; iter++) {
        double f = sl_betainc(a, b, x) - p;
        if (f == 0)
            return x;
        if (f < 0)
            lo = x;
        else
            hi = x;
        double step = f / exp(log_beta_density(a, b, x));
        double next = x - step;
        if (!(next > lo && next < hi) || !isfinite(next)) {
            /* Bisect; near 0 halve the exponent so tiny quantiles are
             * reached in few steps. */
            next = lo > 0 ? sqrt(lo * hi) : hi * 1e-3;
            if (lo > 0 && hi / lo < 4)
                next = 0.5 * (lo + hi);
        }
        if (fabs(next - x) <= 4 * DBL_EPSILON * x)
            return next;
        x = next;
        if (hi - lo <= 4 * DBL_EPSILON * hi)
            return x;
    }
    return x;
}
