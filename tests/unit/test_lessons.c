/*
 * test_lessons.c — team lessons at their edges (sl_lessons_compute): no
 * tests, tests left out, one creator, zero and full cells, creators who all
 * agree, a lucky creator, counts at 2^53, the order of groups and creators,
 * the JSON's nulls; and the change tags' names and suggestions.  The
 * numbers themselves are checked against an independent script
 * (tests/tools/lessons_reference.py); here every result must be finite and
 * follow the rules of docs/statistics.md.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shoplab.h"

#define MAX_TESTS 16

static sl_journal_test tests[MAX_TESTS];
static sl_journal_look looks[MAX_TESTS];
static size_t n_tests;

static void reset(void)
{
    memset(tests, 0, sizeof tests);
    memset(looks, 0, sizeof looks);
    n_tests = 0;
}

/* A closed test with one look. */
static sl_journal_test *add(const char *creator, sl_loop_step step, sl_change_tag tag,
                            sl_metric metric, uint64_t xa, uint64_t na, uint64_t xb, uint64_t nb)
{
    assert_true(n_tests < MAX_TESTS);
    sl_journal_test *t = &tests[n_tests];
    snprintf(t->creator, sizeof t->creator, "%s", creator);
    t->step = step;
    t->tag = tag;
    t->metric = metric;
    t->before = (sl_arm){xa, na};
    t->closed = true;
    looks[n_tests].after = (sl_arm){xb, nb};
    t->looks = &looks[n_tests];
    t->look_count = 1;
    n_tests++;
    return t;
}

static sl_lessons *compute(void)
{
    sl_lessons *l = NULL;
    sl_error err;
    assert_int_equal(sl_lessons_compute(tests, n_tests, &l, &err), SL_OK);
    assert_non_null(l);
    return l;
}

static void all_finite(const sl_lessons *l)
{
    for (size_t i = 0; i < l->group_count; i++) {
        const sl_lesson_group *g = &l->groups[i];
        const double gv[] = {g->log_lift, g->se, g->quantile, g->tau2, g->q, g->lift, g->low,
                             g->high};
        for (size_t j = 0; j < sizeof gv / sizeof *gv; j++)
            assert_true(isfinite(gv[j]));
        assert_true(g->low <= g->lift && g->lift <= g->high && g->low >= -1);
        for (size_t c = 0; c < g->creator_count; c++) {
            const sl_lesson_creator *cr = &g->creators[c];
            const double cv[] = {cr->log_lift, cr->variance, cr->lift, cr->low, cr->high,
                                 cr->shrinkage, cr->pooled_log_lift, cr->pooled_variance,
                                 cr->pooled_lift, cr->pooled_low, cr->pooled_high};
            for (size_t j = 0; j < sizeof cv / sizeof *cv; j++)
                assert_true(isfinite(cv[j]));
            assert_true(cr->variance > 0 && cr->pooled_variance > 0);
            assert_true(cr->shrinkage >= 0 && cr->shrinkage <= 1);
        }
    }
}

static void no_tests(void **state)
{
    (void)state;
    sl_lessons *l = NULL;
    assert_int_equal(sl_lessons_compute(NULL, 0, &l, NULL), SL_OK);
    assert_int_equal(l->group_count, 0);
    assert_int_equal(l->tests_used, 0);
    char *json = sl_lessons_to_json(l);
    assert_non_null(strstr(json, "\"groups\": []"));
    sl_free(json);
    sl_lessons_free(l);
    sl_lessons_free(NULL);
    assert_int_equal(sl_lessons_compute(NULL, 1, &l, NULL), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(sl_lessons_compute(tests, 0, NULL, NULL), SL_ERR_INVALID_ARGUMENT);
}

/* Open tests, closed tests without a look and counts the library would
 * refuse are counted as skipped, never computed. */
static void tests_left_out(void **state)
{
    (void)state;
    reset();
    add("a", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, 10, 100, 12, 100)->closed = false;
    add("b", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, 10, 100, 12, 100)->look_count = 0;
    add("c", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, 10, 100, 120, 100);
    add("d", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, 10, 100, 0, 0);
    add("e", SL_LOOP_TAG, (sl_change_tag)99, SL_METRIC_CTR, 10, 100, 11, 100);
    add("f", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, 10, 100, 11, 100);
    sl_lessons *l = compute();
    assert_int_equal(l->tests_skipped, 5);
    assert_int_equal(l->tests_used, 1);
    assert_int_equal(l->group_count, 1);
    sl_lessons_free(l);
}

/* One creator: nothing to pool across; its own lift, not shrunk, and the
 * JSON says null for τ² and Q rather than a made-up 0. */
static void one_creator(void **state)
{
    (void)state;
    reset();
    add("solo", SL_LOOP_PICK, SL_TAG_PRODUCT, SL_METRIC_CTOR, 30, 800, 41, 820);
    add("solo", SL_LOOP_PICK, SL_TAG_PRODUCT, SL_METRIC_CTOR, 20, 500, 30, 480);
    sl_lessons *l = compute();
    all_finite(l);
    const sl_lesson_group *g = &l->groups[0];
    assert_false(g->pooled);
    assert_int_equal(g->tests, 2);
    assert_int_equal(g->creator_count, 1);
    assert_int_equal(g->creators[0].tests, 2);
    assert_true(g->creators[0].shrinkage == 0);
    assert_true(g->lift == g->creators[0].lift && g->low == g->creators[0].low);
    assert_true(g->creators[0].pooled_lift == g->creators[0].lift);
    /* Two tests by inverse-variance weighting: between the two, nearer the
     * one with more orders. */
    double y1 = log((41.0 / 820) / (30.0 / 800)), y2 = log((30.0 / 480) / (20.0 / 500));
    double v1 = (1 - 30.0 / 800) / 30 + (1 - 41.0 / 820) / 41;
    double v2 = (1 - 20.0 / 500) / 20 + (1 - 30.0 / 480) / 30;
    double want = (y1 / v1 + y2 / v2) / (1 / v1 + 1 / v2);
    assert_true(fabs(g->log_lift - want) < 1e-14);
    assert_true(fabs(g->creators[0].variance - 1 / (1 / v1 + 1 / v2)) < 1e-15);
    char *json = sl_lessons_to_json(l);
    assert_non_null(strstr(json, "\"tau2\": null"));
    assert_non_null(strstr(json, "\"pooled\": false"));
    sl_free(json);
    sl_lessons_free(l);
}

/* A zero cell (no clicks on B; every click an order) takes ½ in every cell
 * of that test: finite y, positive variance. */
static void zero_and_full_cells(void **state)
{
    (void)state;
    reset();
    add("a", SL_LOOP_TAG, SL_TAG_PROOF_MOMENT, SL_METRIC_CTOR, 5, 40, 0, 35);
    add("b", SL_LOOP_TAG, SL_TAG_PROOF_MOMENT, SL_METRIC_CTOR, 3, 12, 6, 6);
    add("c", SL_LOOP_TAG, SL_TAG_PROOF_MOMENT, SL_METRIC_CTOR, 1, 1, 1, 1);
    sl_lessons *l = compute();
    all_finite(l);
    const sl_lesson_creator *a = &l->groups[0].creators[0];
    assert_true(fabs(a->log_lift - log((0.5 / 36) / (5.5 / 41))) < 1e-14);
    assert_true(fabs(a->variance - ((1 - 5.5 / 41) / 5.5 + (1 - 0.5 / 36) / 0.5)) < 1e-14);
    /* 1 of 1 against 1 of 1: corrected to 1.5/2 each, a lift of exactly 0. */
    const sl_lesson_creator *c = &l->groups[0].creators[2];
    assert_true(c->log_lift == 0 && c->variance > 0);
    sl_lessons_free(l);
}

/* Creators who agree exactly: τ² = 0, every creator pulled all the way to
 * the pooled lift, with its interval; Hartung–Knapp's factor is held at 1. */
static void creators_agree(void **state)
{
    (void)state;
    reset();
    add("a", SL_LOOP_READ, SL_TAG_HOOK, SL_METRIC_CTR, 100, 5000, 110, 5000);
    add("b", SL_LOOP_READ, SL_TAG_HOOK, SL_METRIC_CTR, 100, 5000, 110, 5000);
    add("c", SL_LOOP_READ, SL_TAG_HOOK, SL_METRIC_CTR, 200, 10000, 220, 10000);
    sl_lessons *l = compute();
    all_finite(l);
    const sl_lesson_group *g = &l->groups[0];
    assert_true(g->pooled);
    assert_true(g->tau2 == 0);
    assert_true(g->q < 1e-20);
    double sw = 0;
    for (size_t i = 0; i < 3; i++) {
        assert_true(g->creators[i].shrinkage == 1);
        assert_true(fabs(g->creators[i].pooled_lift - g->lift) < 1e-15);
        assert_true(fabs(g->creators[i].pooled_low - g->low) < 1e-15);
        sw += 1 / g->creators[i].variance;
    }
    assert_true(fabs(g->se - sqrt(1 / sw)) < 1e-15);
    /* t with 2 degrees of freedom: P(|T| <= t) = t / sqrt(2 + t^2) = 0.95
     * has the closed form below (4.3026527…). */
    assert_true(fabs(g->quantile - sqrt(2 * 0.95 * 0.95 / (1 - 0.95 * 0.95))) < 1e-9);
    sl_lessons_free(l);
}

/* A lucky creator (a huge lift from a handful of clicks) is pulled much
 * further toward the pool than a creator with big counts and a real lift. */
static void lucky_creator_shrunk(void **state)
{
    (void)state;
    reset();
    add("big", SL_LOOP_TAG, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 1200, 40000, 1420, 40000);
    add("mid1", SL_LOOP_TAG, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 300, 10000, 330, 10000);
    add("mid2", SL_LOOP_TAG, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 300, 10000, 312, 10000);
    add("mid3", SL_LOOP_TAG, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 300, 10000, 350, 10000);
    add("lucky", SL_LOOP_TAG, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 2, 100, 9, 100);
    sl_lessons *l = compute();
    all_finite(l);
    const sl_lesson_group *g = &l->groups[0];
    const sl_lesson_creator *big = &g->creators[0], *lucky = &g->creators[1];
    assert_string_equal(big->creator, "big");
    assert_string_equal(lucky->creator, "lucky");
    assert_true(lucky->shrinkage > 0.8);
    assert_true(big->shrinkage < 0.5);
    assert_true(lucky->shrinkage > big->shrinkage);
    /* +350 % raw; pooled well under a third of that. */
    assert_true(lucky->lift > 3.4 && lucky->pooled_lift < 1);
    assert_true(fabs(big->pooled_lift - big->lift) < fabs(lucky->pooled_lift - lucky->lift));
    sl_lessons_free(l);
}

/* Counts at 2^53 stay finite (weights near 1e16). */
static void huge_counts(void **state)
{
    (void)state;
    reset();
    uint64_t top = UINT64_C(1) << 53;
    add("a", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, top / 2, top, top / 2 + 1000, top);
    add("b", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, 1, top, 2, top);
    add("c", SL_LOOP_TAG, SL_TAG_HOOK, SL_METRIC_CTR, top - 1, top, top - 2, top);
    sl_lessons *l = compute();
    all_finite(l);
    sl_lessons_free(l);
}

/* Groups by step, tag (other last), metric; creators by key. */
static void order_of_groups(void **state)
{
    (void)state;
    reset();
    add("z", SL_LOOP_READ, SL_TAG_PRICE, SL_METRIC_CTOR, 10, 100, 12, 100);
    add("y", SL_LOOP_PICK, SL_TAG_OTHER, SL_METRIC_CTR, 10, 100, 12, 100);
    add("x", SL_LOOP_PICK, SL_TAG_PRICE, SL_METRIC_CTOR, 10, 100, 12, 100);
    add("w", SL_LOOP_PICK, SL_TAG_PRICE, SL_METRIC_CTR, 10, 100, 12, 100);
    add("b", SL_LOOP_PICK, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 10, 100, 12, 100);
    add("", SL_LOOP_PICK, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 10, 100, 13, 100);
    add("a", SL_LOOP_PICK, SL_TAG_CARD_TIMING, SL_METRIC_CTR, 10, 100, 14, 100);
    sl_lessons *l = compute();
    assert_int_equal(l->group_count, 5);
    assert_int_equal(l->groups[0].tag, SL_TAG_CARD_TIMING);
    assert_string_equal(l->groups[0].creators[0].creator, "");
    assert_string_equal(l->groups[0].creators[1].creator, "a");
    assert_string_equal(l->groups[0].creators[2].creator, "b");
    assert_int_equal(l->groups[1].tag, SL_TAG_PRICE);
    assert_int_equal(l->groups[1].metric, SL_METRIC_CTR);
    assert_int_equal(l->groups[2].metric, SL_METRIC_CTOR);
    assert_int_equal(l->groups[3].tag, SL_TAG_OTHER);
    assert_int_equal(l->groups[4].step, SL_LOOP_READ);
    sl_lessons_free(l);
}

static void tag_names(void **state)
{
    (void)state;
    for (int t = 0; t < SL_TAG__COUNT; t++) {
        sl_change_tag back = SL_TAG__COUNT;
        assert_true(sl_change_tag_parse(sl_change_tag_name((sl_change_tag)t), &back));
        assert_int_equal(back, t);
        assert_string_not_equal(sl_change_tag_label((sl_change_tag)t), "unknown");
    }
    sl_change_tag keep = SL_TAG_HOOK;
    assert_false(sl_change_tag_parse("Hook", &keep));
    assert_false(sl_change_tag_parse(NULL, &keep));
    assert_int_equal(keep, SL_TAG_HOOK);
    assert_string_equal(sl_change_tag_name(SL_TAG__COUNT), "unknown");
    assert_string_equal(sl_change_tag_name(SL_TAG_OTHER), "other");
}

static void tag_suggestions(void **state)
{
    (void)state;
    static const struct {
        const char *change;
        sl_change_tag want;
    } cases[] = {
        {"Move the product card to the first proof moment.", SL_TAG_CARD_TIMING},
        {"Open with the finished room in the first 3 seconds", SL_TAG_HOOK},
        {"A new HOOK: the spill", SL_TAG_HOOK},
        {"Show the demo before talking", SL_TAG_PROOF_MOMENT},
        {"Add a call to action at the end", SL_TAG_CTA},
        {"Say the 20% off code", SL_TAG_PRICE},
        {"Mention the discount", SL_TAG_PRICE},
        {"Sell the blue variant instead", SL_TAG_PRODUCT},
        {"Film outdoors", SL_TAG_OTHER},
        /* Words must start a word: "expectation" holds no "cta". */
        {"Lower the expectations", SL_TAG_OTHER},
        {"", SL_TAG_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (sl_change_tag_suggest(cases[i].change) != cases[i].want)
            fail_msg("'%s' suggested %s, expected %s", cases[i].change,
                     sl_change_tag_name(sl_change_tag_suggest(cases[i].change)),
                     sl_change_tag_name(cases[i].want));
    }
    assert_int_equal(sl_change_tag_suggest(NULL), SL_TAG_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests_list[] = {
        cmocka_unit_test(no_tests),          cmocka_unit_test(tests_left_out),
        cmocka_unit_test(one_creator),       cmocka_unit_test(zero_and_full_cells),
        cmocka_unit_test(creators_agree),    cmocka_unit_test(lucky_creator_shrunk),
        cmocka_unit_test(huge_counts),       cmocka_unit_test(order_of_groups),
        cmocka_unit_test(tag_names),         cmocka_unit_test(tag_suggestions),
    };
    return cmocka_run_group_tests(tests_list, NULL, NULL);
}
