/*
 * test_stats.c — checks every statistic against the 50-digit reference
 * vectors (tests/vectors/stats_vectors.json) at the tolerances the vectors
 * state, plus the edge cases the formulas promise (exact 0 and 1 bounds,
 * finite results at 10^12, defined results at 0 trials).
 *
 * Usage: test_stats VECTORS.json
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoplab.h"

static json_t *vectors;
static int mismatches;

/* Compares with a relative (or, for rel = false, absolute) tolerance and
 * reports every mismatch before the test fails. */
static void check_close(const char *what, const char *id, double expected, double got, double tol,
                        bool rel)
{
    double err = fabs(got - expected);
    double limit = rel ? tol * fabs(expected) : tol;
    if (expected == 0 && rel)
        limit = tol; /* a relative check of 0 means "exactly 0, up to tol" */
    if (!(err <= limit)) {
        mismatches++;
        print_error("%s %s: expected %.17g, got %.17g (error %.3g, allowed %.3g)\n", id, what,
                    expected, got, err, limit);
    }
}

static json_t *section(const char *name)
{
    json_t *s = json_object_get(vectors, name);
    assert_non_null(s);
    return s;
}

static double num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static sl_arm arm_of(json_t *v, const char *x, const char *n)
{
    return (sl_arm){(uint64_t)json_integer_value(json_object_get(v, x)),
                    (uint64_t)json_integer_value(json_object_get(v, n))};
}

static void check_interval(json_t *v, const char *key, sl_interval_method m, double conf,
                           double tol, const char *id)
{
    json_t *pair = json_object_get(v, key);
    sl_interval ci;
    assert_int_equal(sl_interval_compute(m, arm_of(v, "x", "n"), conf, &ci), SL_OK);
    char what[64];
    snprintf(what, sizeof what, "%s low", key);
    check_close(what, id, json_number_value(json_array_get(pair, 0)), ci.low, tol, true);
    snprintf(what, sizeof what, "%s high", key);
    check_close(what, id, json_number_value(json_array_get(pair, 1)), ci.high, tol, true);
}

static void single_proportion_vectors(void **state)
{
    (void)state;
    mismatches = 0;
    size_t i;
    json_t *v;
    int checked = 0;
    json_array_foreach(section("single_proportion"), i, v) {
        const char *status = json_string_value(json_object_get(v, "status"));
        json_int_t x = json_integer_value(json_object_get(v, "x"));
        json_int_t n = json_integer_value(json_object_get(v, "n"));
        char id[64];
        snprintf(id, sizeof id, "%lld/%lld", (long long)x, (long long)n);
        if (x < 0)
            continue; /* negative counts cannot be expressed; the CLI rejects them (golden) */
        sl_interval ci;
        sl_arm arm = {(uint64_t)x, (uint64_t)n};
        if (strcmp(status, "undefined") == 0) {
            assert_int_equal(sl_interval_compute(SL_INTERVAL_WILSON, arm, 0.95, &ci), SL_ERR_NO_DATA);
            continue;
        }
        if (strcmp(status, "invalid_input") == 0) {
            assert_int_equal(sl_interval_compute(SL_INTERVAL_EXACT, arm, 0.95, &ci),
                             SL_ERR_SUCCESSES_EXCEED_TRIALS);
            continue;
        }
        /* CP and Jeffreys: 1e-10 up to 10^7 trials, 1e-7 beyond (the
         * documented Wilson fallback applies there). */
        double exact_tol = n > 10000000 ? 1e-7 : 1e-10;
        check_interval(v, "wilson95", SL_INTERVAL_WILSON, 0.95, 1e-12, id);
        check_interval(v, "wilson90", SL_INTERVAL_WILSON, 0.90, 1e-12, id);
        check_interval(v, "clopper_pearson95", SL_INTERVAL_EXACT, 0.95, exact_tol, id);
        check_interval(v, "clopper_pearson90", SL_INTERVAL_EXACT, 0.90, exact_tol, id);
        check_interval(v, "jeffreys95", SL_INTERVAL_JEFFREYS, 0.95, exact_tol, id);
        check_interval(v, "jeffreys90", SL_INTERVAL_JEFFREYS, 0.90, exact_tol, id);
        checked++;
    }
    assert_true(checked >= 20);
    assert_int_equal(mismatches, 0);
}

static void two_proportion_vectors(void **state)
{
    (void)state;
    mismatches = 0;
    size_t i;
    json_t *v;
    int checked = 0;
    json_array_foreach(section("two_proportion"), i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *status = json_string_value(json_object_get(v, "status"));
        sl_arm a = arm_of(v, "xA", "nA"), b = arm_of(v, "xB", "nB");
        sl_ztest_result z;
        if (strcmp(status, "undefined") == 0) {
            assert_int_equal(sl_ztest(a, b, &z), SL_ERR_NO_DATA);
            continue;
        }
        if (strcmp(status, "invalid_input") == 0) {
            assert_int_equal(sl_ztest(a, b, &z), SL_ERR_SUCCESSES_EXCEED_TRIALS);
            continue;
        }
        assert_int_equal(sl_ztest(a, b, &z), SL_OK);
        check_close("p_ztest_pooled", id, num(v, "p_ztest_pooled"), z.p_value, 1e-12, true);
        double log10_expected = atof(json_string_value(json_object_get(v, "p_ztest_pooled_log10")));
        check_close("p_ztest_pooled_log10", id, log10_expected, z.log10_p,
                    fabs(log10_expected) > 300 ? 1e-8 : 1e-10, log10_expected != 0);
        if (json_is_number(json_object_get(v, "z_pooled")))
            check_close("z_pooled", id, num(v, "z_pooled"), z.z, 1e-12, true);
        else
            assert_false(z.z_defined);

        double p;
        json_t *fisher = json_object_get(v, "p_fisher_two_sided");
        if (json_is_number(fisher)) {
            assert_int_equal(sl_fisher_exact(a, b, &p), SL_OK);
            check_close("p_fisher_two_sided", id, json_number_value(fisher), p, 1e-9, true);
        } else {
            assert_int_equal(sl_fisher_exact(a, b, &p), SL_ERR_TOO_LARGE_FOR_METHOD);
        }

        bool exact;
        assert_int_equal(sl_prob_b_better(a, b, &p, &exact), SL_OK);
        const char *method = json_string_value(json_object_get(v, "bayes_method"));
        bool vector_exact = strncmp(method, "exact_sum", 9) == 0;
        check_close("bayes_p_b_beats_a", id, num(v, "bayes_p_b_beats_a"), p,
                    exact ? 1e-10 : 1e-6, false);
        if (vector_exact)
            assert_true(exact);

        sl_interval d;
        assert_int_equal(sl_diff_interval(a, b, 0.95, &d), SL_OK);
        json_t *nc = json_object_get(v, "newcombe_diff95");
        check_close("newcombe low", id, json_number_value(json_array_get(nc, 0)), d.low, 1e-11,
                    true);
        check_close("newcombe high", id, json_number_value(json_array_get(nc, 1)), d.high, 1e-11,
                    true);

        json_t *ms = json_object_get(v, "msprt");
        double ll;
        assert_int_equal(sl_msprt(a, b, num(ms, "mixing_variance_tau2"), &p, &ll), SL_OK);
        check_close("msprt p_pooled", id, num(ms, "p_pooled"), p, 1e-10, true);
        check_close("msprt log_lambda_pooled", id, num(ms, "log_lambda_pooled"), ll, 1e-10,
                    num(ms, "log_lambda_pooled") != 0);
        checked++;
    }
    assert_true(checked >= 12);
    assert_int_equal(mismatches, 0);
}

static void sample_size_vectors(void **state)
{
    (void)state;
    mismatches = 0;
    size_t i;
    json_t *v;
    int checked = 0;
    json_array_foreach(section("sample_size"), i, v) {
        double base = num(v, "baseline"), lift = num(v, "rel_lift");
        char id[64];
        snprintf(id, sizeof id, "baseline %g lift %g", base, lift);
        uint64_t n;
        double real;
        sl_status st = sl_sample_size(base, lift, 0.05, 0.8, &n, &real);
        if (strcmp(json_string_value(json_object_get(v, "status")), "ok") != 0) {
            assert_int_equal(st, SL_ERR_INVALID_ARGUMENT);
            continue;
        }
        assert_int_equal(st, SL_OK);
        check_close("n_per_arm_fleiss", id, num(v, "n_per_arm_fleiss"), real, 1e-12, true);
        if ((json_int_t)n != json_integer_value(json_object_get(v, "n_per_arm_fleiss_ceil"))) {
            mismatches++;
            print_error("%s: ceil %llu, expected %lld\n", id, (unsigned long long)n,
                        (long long)json_integer_value(json_object_get(v, "n_per_arm_fleiss_ceil")));
        }
        checked++;
    }
    assert_true(checked >= 30);
    assert_int_equal(mismatches, 0);
}

static void remaining_impressions_vectors(void **state)
{
    (void)state;
    mismatches = 0;
    size_t i;
    json_t *v;
    json_array_foreach(section("remaining_impressions"), i, v) {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        uint64_t n;
        double real;
        if (strcmp(kind, "balanced") == 0) {
            assert_int_equal(sl_sample_size(num(v, "baseline"), num(v, "rel_lift"), 0.05, 0.8, &n,
                                            &real),
                             SL_OK);
            json_int_t now = json_integer_value(json_object_get(v, "n_now_per_arm"));
            json_int_t more = (json_int_t)n > now ? (json_int_t)n - now : 0;
            assert_int_equal(more, json_integer_value(json_object_get(v, "additional_per_arm")));
            check_close("n_required_per_arm_real", kind, num(v, "n_required_per_arm_real"), real,
                        1e-12, true);
        } else if (strcmp(kind, "fixed_A") == 0) {
            double mdl = NAN;
            sl_status st = sl_sample_size_fixed_a(
                (uint64_t)json_integer_value(json_object_get(v, "nA")), num(v, "baseline"),
                num(v, "rel_lift"), 0.05, 0.8, &n, &real, &mdl);
            if (strcmp(json_string_value(json_object_get(v, "status")), "infeasible") == 0) {
                assert_int_equal(st, SL_ERR_INFEASIBLE);
                /* the smallest detectable lift must exceed the one asked for */
                assert_true(mdl > num(v, "rel_lift"));
                continue;
            }
            assert_int_equal(st, SL_OK);
            assert_int_equal((json_int_t)n, json_integer_value(json_object_get(v, "nB_required")));
            check_close("nB_required_real", kind, num(v, "nB_required_real"), real, 1e-9, true);
            assert_true(mdl < num(v, "rel_lift"));
        } else { /* ctor_to_impressions: clicks from the CTOR, impressions via CTR */
            assert_int_equal(sl_sample_size(num(v, "ctor_baseline"), num(v, "rel_lift"), 0.05,
                                            0.8, &n, &real),
                             SL_OK);
            assert_int_equal((json_int_t)n,
                             json_integer_value(json_object_get(v, "clicks_required_per_arm")));
            assert_int_equal((json_int_t)ceil(real / num(v, "ctr")),
                             json_integer_value(json_object_get(v, "impressions_required_per_arm")));
        }
    }
    assert_int_equal(mismatches, 0);
}

static void msprt_running_minimum(void **state)
{
    (void)state;
    mismatches = 0;
    json_t *seq = section("msprt_sequence");
    double tau2 = num(seq, "mixing_variance_tau2");
    double running = 1;
    size_t i;
    json_t *look;
    json_array_foreach(json_object_get(seq, "looks_cumulative"), i, look) {
        double p, ll;
        assert_int_equal(sl_msprt(arm_of(look, "xA", "nA"), arm_of(look, "xB", "nB"), tau2, &p, &ll),
                         SL_OK);
        check_close("p_look", "msprt_sequence", num(look, "p_look"), p, 1e-10, true);
        running = p < running ? p : running;
        check_close("running min", "msprt_sequence", num(look, "p_always_valid_running_min"),
                    running, 1e-10, true);
        sl_ztest_result z;
        sl_ztest(arm_of(look, "xA", "nA"), arm_of(look, "xB", "nB"), &z);
        check_close("fixed horizon p", "msprt_sequence", num(look, "p_fixed_horizon_ztest"),
                    z.p_value, 1e-12, true);
    }
    assert_int_equal(mismatches, 0);
}

static void published_cross_checks(void **state)
{
    (void)state;
    mismatches = 0;
    sl_interval ci;
    /* statsmodels #9141: CP at alpha = 1e-7 for 1/1000 (ours, not scipy's). */
    assert_int_equal(sl_interval_compute(SL_INTERVAL_EXACT, (sl_arm){1, 1000}, 1 - 1e-7, &ci),
                     SL_OK);
    check_close("cp 1e-7 low", "1/1000", 5.000000124875004e-11, ci.low, 1e-9, true);
    check_close("cp 1e-7 high", "1/1000", 0.01966259351233148, ci.high, 1e-9, true);
    /* statsmodels #2609: 99 % CP for 0/18 and 18/18. */
    sl_interval_compute(SL_INTERVAL_EXACT, (sl_arm){0, 18}, 0.99, &ci);
    check_close("cp 99 upper", "0/18", 0.25498502848277504, ci.high, 1e-13, true);
    sl_interval_compute(SL_INTERVAL_EXACT, (sl_arm){18, 18}, 0.99, &ci);
    check_close("cp 99 lower", "18/18", 0.745014971517225, ci.low, 1e-13, true);
    /* R ?power.prop.test: p .5 -> .75 at power .9 gives n = 76.7. */
    uint64_t n;
    double real;
    assert_int_equal(sl_sample_size(0.5, 0.5, 0.05, 0.9, &n, &real), SL_OK);
    check_close("power.prop.test n", "R doc", 76.7, real, 0.05, false);
    assert_int_equal(n, 77);
    /* R TeaTasting, two-sided: 0.4857. */
    double p;
    sl_fisher_exact((sl_arm){3, 4}, (sl_arm){1, 4}, &p);
    check_close("fisher tea", "R doc", 0.4857142857142857, p, 1e-12, true);
    assert_int_equal(mismatches, 0);
}

static void edge_cases(void **state)
{
    (void)state;
    mismatches = 0;
    sl_interval ci;
    for (int m = 0; m <= SL_INTERVAL_EXACT; m++) {
        assert_int_equal(sl_interval_compute((sl_interval_method)m, (sl_arm){0, 77}, 0.95, &ci),
                         SL_OK);
        assert_true(ci.low == 0.0); /* exactly 0, never -3e-18 */
        assert_int_equal(sl_interval_compute((sl_interval_method)m, (sl_arm){38, 38}, 0.95, &ci),
                         SL_OK);
        assert_true(ci.high == 1.0); /* exactly 1, never 1.0000000000000002 */
        assert_int_equal(sl_interval_compute((sl_interval_method)m, (sl_arm){0, 0}, 0.95, &ci),
                         SL_ERR_NO_DATA);
        assert_int_equal(sl_interval_compute((sl_interval_method)m, (sl_arm){1, 10}, 1.0, &ci),
                         SL_ERR_INVALID_ARGUMENT);
        assert_int_equal(sl_interval_compute((sl_interval_method)m,
                                             (sl_arm){1, (UINT64_C(1) << 53) + 1}, 0.95, &ci),
                         SL_ERR_COUNT_TOO_LARGE);
        /* 10^12 trials with a handful of successes: finite and ordered. */
        assert_int_equal(sl_interval_compute((sl_interval_method)m,
                                             (sl_arm){3, 1000000000000}, 0.95, &ci),
                         SL_OK);
        assert_true(isfinite(ci.low) && isfinite(ci.high) && ci.low < 3e-12 && ci.high > 3e-12);
    }
    /* Both arms 0 %: every test is defined. */
    sl_ztest_result z;
    double p;
    bool exact;
    assert_int_equal(sl_ztest((sl_arm){0, 100}, (sl_arm){0, 100}, &z), SL_OK);
    assert_false(z.z_defined);
    assert_true(z.p_value == 1.0);
    assert_int_equal(sl_prob_b_better((sl_arm){100, 100}, (sl_arm){100, 100}, &p, &exact), SL_OK);
    assert_true(fabs(p - 0.5) < 1e-12);
    assert_int_equal(sl_msprt((sl_arm){0, 100}, (sl_arm){0, 100}, 1e-4, &p, NULL), SL_OK);
    assert_true(p == 1.0);
    assert_int_equal(sl_msprt((sl_arm){0, 1}, (sl_arm){1, 1}, 1e-2, &p, NULL), SL_OK);
    assert_true(p > 0 && p <= 1); /* pooled variance: no p = 0 on 0/1 vs 1/1 */
    /* Bayes above the exact-sum limit falls back to the normal shortcut. */
    assert_int_equal(sl_prob_b_better((sl_arm){20000000, 1000000000}, (sl_arm){20010000, 1000000000},
                                      &p, &exact),
                     SL_OK);
    assert_false(exact);
    assert_true(p > 0.9 && p < 1);
    /* Bayes with huge failures but few successes stays exact and sane:
     * 5/1e12 vs 6/1e12 is close to even. */
    assert_int_equal(sl_prob_b_better((sl_arm){5, 1000000000000}, (sl_arm){6, 1000000000000}, &p,
                                      &exact),
                     SL_OK);
    assert_true(exact);
    check_close("bayes 5 vs 6 at 1e12", "huge", 0.6128, p, 5e-4, false);
    /* Holm: m = 3. */
    double ps[3] = {0.01, 0.04, 0.03};
    assert_int_equal(sl_holm_adjust(ps, 3), SL_OK);
    check_close("holm 0", "holm", 0.03, ps[0], 1e-15, true);
    check_close("holm 1", "holm", 0.06, ps[1], 1e-15, true);
    check_close("holm 2", "holm", 0.06, ps[2], 1e-15, true);
    /* Normal quantile constants. */
    json_t *c = section("constants");
    check_close("z_0.975", "constants", atof(json_string_value(json_object_get(c, "z_0.975"))),
                sl_normal_quantile(0.975), 1e-15, true);
    check_close("z_0.80", "constants", atof(json_string_value(json_object_get(c, "z_0.80"))),
                sl_normal_quantile(0.80), 1e-15, true);
    assert_int_equal(mismatches, 0);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : getenv("SL_VECTORS");
    json_error_t jerr;
    vectors = path ? json_load_file(path, 0, &jerr) : NULL;
    if (!vectors) {
        fprintf(stderr, "usage: test_stats VECTORS.json (%s)\n", path ? jerr.text : "no path");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_proportion_vectors),
        cmocka_unit_test(two_proportion_vectors),
        cmocka_unit_test(sample_size_vectors),
        cmocka_unit_test(remaining_impressions_vectors),
        cmocka_unit_test(msprt_running_minimum),
        cmocka_unit_test(published_cross_checks),
        cmocka_unit_test(edge_cases),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vectors);
    return rc;
}
