/*
 * test_content.c — the glossary, guides and drills: the built-in tree is
 * valid and complete, lookups resolve the way people type, "same as?" names
 * the right relation, Read drills agree with the decoder, sessions are
 * repeatable and their right answers spread over the shown positions, and
 * the validator catches deliberately broken copies.
 *
 * Usage: test_content CONTENT_DIR   (the source tree's content/ directory)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoplab.h"

static const char *content_dir;

static const sl_content *builtin(void)
{
    sl_error err;
    const sl_content *c = sl_content_builtin(&err);
    if (!c)
        fail_msg("built-in content: %s", err.message);
    return c;
}

static void builtin_content_is_complete(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    assert_true(sl_term_count(c) >= 35);
    assert_true(sl_guide_count(c) >= 6);
    for (int t = 0; t < SL_DRILL__COUNT; t++) {
        const sl_drill_set *set = sl_drill_set_get(c, (sl_drill_type)t);
        assert_non_null(set);
        assert_true(set->drill_count >= 12);
    }
    for (size_t i = 0; i < sl_term_count(c); i++) {
        const sl_term *t = sl_term_at(c, i);
        assert_true(t->qa_count >= 2);
        if (t->kind == SL_TERM_METRIC)
            assert_non_null(t->formula);
    }
    /* Every field and metric of the issue is a term. */
    static const char *const required[] = {
        "views", "product-impressions", "product-clicks", "product-ctr", "video-ctr", "live-ctr",
        "ctor", "ctor-sku-orders", "orders", "sku-orders", "items-sold", "gmv", "direct-gmv",
        "attributed-gmv", "commission-gmv", "est-commission", "refunds", "aov", "customers",
        "tap-through-rate", "avg-viewing-duration", "completion-rate", "pick", "tag", "read",
        "product-card", "product-link", "sample", "commission", "proof-moment", "click-reason",
        "buyer-problem", "cta", "hook", "bottleneck", "one-change-test", "baseline",
        "confidence-interval", "too-early"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!sl_term_find(c, required[i]))
            fail_msg("missing term %s", required[i]);
}

/* The built-in tree skips the cross-checks at start (they cost more than a
 * decode), and reads its export vocabulary only when asked: both are proved
 * here instead, on the very tree the binary carries. */
static void builtin_content_is_valid(void **state)
{
    (void)state;
    sl_error err;
    if (sl_content_validate(builtin(), &err) != SL_OK)
        fail_msg("built-in content: %s", err.message);
}

static void builtin_matches_source_tree(void **state)
{
    (void)state;
    sl_content *disk;
    sl_error err;
    if (sl_content_load_dir(content_dir, &disk, &err) != SL_OK)
        fail_msg("content/: %s", err.message);
    const sl_content *c = builtin();
    /* A file added without reconfiguring the build shows up here. */
    assert_int_equal(sl_term_count(disk), sl_term_count(c));
    assert_int_equal(sl_guide_count(disk), sl_guide_count(c));
    for (int t = 0; t < SL_DRILL__COUNT; t++)
        assert_int_equal(sl_drill_set_get(disk, (sl_drill_type)t)->drill_count,
                         sl_drill_set_get(c, (sl_drill_type)t)->drill_count);
    sl_content_free(disk);
    sl_content_free(NULL);
}

static void lookup_resolves_aliases(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    static const char *const cases[][2] = {
        {"CO rate", "ctor"},           {"co-rate", "ctor"},
        {"  CO   RATE ", "ctor"},      {"Klik Produk", "product-clicks"},
        {"klik produk", "product-clicks"}, {"product-card ctr", "product-ctr"},
        {"Product CTR", "product-ctr"}, {"PRODUCT_CTR", "product-ctr"},
        {"video ctr", "video-ctr"},     {"call to action", "cta"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const sl_term *t = sl_term_find(c, cases[i][0]);
        if (!t || strcmp(t->slug, cases[i][1]) != 0)
            fail_msg("'%s' resolved to %s, expected %s", cases[i][0], t ? t->slug : "nothing",
                     cases[i][1]);
    }
    /* Accents fold: "Có" is "co". */
    assert_ptr_equal(sl_term_find(c, "C\xc3\xb3 rate"), sl_term_find(c, "ctor"));
    assert_null(sl_term_find(c, "zzzz unknown"));
    assert_null(sl_term_find(c, "  --  "));
}

static void unknown_words_get_suggestions(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    const sl_term *out[5];
    size_t n = sl_term_suggest(c, "prodcut ctr", out, 5);
    assert_true(n >= 1);
    assert_string_equal(out[0]->slug, "product-ctr");
    n = sl_term_suggest(c, "click rate thing", out, 5);
    assert_true(n >= 1); /* shares the word "click" or "rate" */
    n = sl_term_suggest(c, "qqqqqqqqqqqqqqqq", out, 5);
    assert_int_equal(n, 0);
}

static void same_names_the_relation(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    sl_same_result r;
    assert_int_equal(sl_terms_same(c, "Product CTR", "CTOR", &r, NULL), SL_OK);
    assert_int_equal(r.sameness, SL_SAME_RELATED);
    assert_string_equal(r.relation, "consecutive funnel steps");
    assert_non_null(strstr(r.sentence, "product clicks"));

    assert_int_equal(sl_terms_same(c, "Product CTR", "video CTR", &r, NULL), SL_OK);
    assert_string_equal(r.relation, "same numerator, different denominator");

    assert_int_equal(sl_terms_same(c, "CO rate", "CTOR", &r, NULL), SL_OK);
    assert_int_equal(r.sameness, SL_SAME_MEASURE);

    assert_int_equal(sl_terms_same(c, "Product CTR", "product clicks", &r, NULL), SL_OK);
    assert_int_equal(r.sameness, SL_SAME_RELATED);
    assert_non_null(strstr(r.sentence, "numerator"));

    sl_error err;
    assert_int_equal(sl_terms_same(c, "Product CTR", "nonsense word", &r, &err), SL_ERR_NOT_FOUND);
    assert_string_equal(err.field, "b");
}

/* The Read drills' answers are what the decoder computes for their numbers. */
static void read_drills_agree_with_the_decoder(void **state)
{
    (void)state;
    const sl_drill_set *set = sl_drill_set_get(builtin(), SL_DRILL_READ);
    for (size_t i = 0; i < set->drill_count; i++) {
        const sl_drill *d = &set->drills[i];
        sl_decode_result r;
        sl_error err;
        if (sl_decode(&d->funnel, &d->baseline, NULL, &r, &err) != SL_OK)
            fail_msg("%s: %s", d->id, err.message);
        const sl_drill_option *answer = &d->options[d->answer];
        assert_true(answer->has_step);
        if (r.has_bottleneck != !answer->step_none ||
            (r.has_bottleneck && r.bottleneck != answer->step))
            fail_msg("%s: the answer claims %s but the decoder finds %s", d->id,
                     answer->step_none ? "none" : sl_step_name(answer->step),
                     r.has_bottleneck ? sl_step_name(r.bottleneck) : "none");
    }
}

static void sessions_are_repeatable(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    const sl_drill *a[9], *b[9], *d[9];
    size_t na = sl_drill_session(c, true, SL_DRILL_PICK, 9, 42, a);
    size_t nb = sl_drill_session(c, true, SL_DRILL_PICK, 9, 42, b);
    size_t nd = sl_drill_session(c, true, SL_DRILL_PICK, 9, 43, d);
    assert_int_equal(na, 9);
    assert_int_equal(nb, 9);
    assert_int_equal(nd, 9);
    bool differs = false;
    for (size_t i = 0; i < 9; i++) {
        assert_ptr_equal(a[i], b[i]);
        differs |= a[i] != d[i];
        /* a mixed session walks the loop: pick, tag, read, pick, … */
        assert_int_equal(a[i]->type, (sl_drill_type)(i % 3));
    }
    assert_true(differs);
    const sl_drill *tag[100];
    size_t all = sl_drill_session(c, false, SL_DRILL_TAG, 100, 7, tag);
    assert_int_equal(all, sl_drill_set_get(c, SL_DRILL_TAG)->drill_count);
    for (size_t i = 0; i < all; i++)
        assert_int_equal(tag[i]->type, SL_DRILL_TAG);
}

/* ---- broken copies: the validator must catch each one ---- */

static void copy_tree(const char *to)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", to, content_dir, to);
    assert_int_equal(system(cmd), 0);
}

static void append(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void replace_in_file(const char *path, const char *from, const char *to)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "sed -i 's/%s/%s/' '%s'", from, to, path);
    assert_int_equal(system(cmd), 0);
}

static void expect_broken(const char *dir, const char *file_part, const char *key)
{
    sl_content *c = NULL;
    sl_error err;
    sl_status st = sl_content_load_dir(dir, &c, &err);
    if (st != SL_ERR_CONTENT)
        fail_msg("a broken copy loaded (status %d); expected an error in %s", st, file_part);
    assert_null(c);
    if (!strstr(err.file, file_part) || strcmp(err.header, key) != 0)
        fail_msg("error '%s' (file %s, key %s); expected file %s, key %s", err.message, err.file,
                 err.header, file_part, key);
}

/* Shuffled options cannot be gamed: over a whole seeded session of each
 * type, for many seeds, no shown position holds more than half of the right
 * answers, answering "1" every time scores within one of the expected sum
 * of 1/k, every order is a permutation, and the same seed gives the same
 * order. */
static void drill_answers_are_spread(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    for (int t = 0; t < SL_DRILL__COUNT; t++) {
        for (uint64_t seed = 1; seed <= 50; seed++) {
            const sl_drill *s[100];
            size_t n = sl_drill_session(c, false, (sl_drill_type)t, 100, seed, s);
            assert_true(n >= 6);
            size_t at[SL_DRILL_MAX_OPTIONS] = {0};
            double expected_first = 0;
            for (size_t i = 0; i < n; i++) {
                size_t order[SL_DRILL_MAX_OPTIONS], again[SL_DRILL_MAX_OPTIONS];
                size_t k = sl_drill_option_order(c, s[i], seed, order);
                assert_int_equal(k, s[i]->option_count);
                assert_int_equal(sl_drill_option_order(c, s[i], seed, again), k);
                assert_memory_equal(order, again, k * sizeof *order);
                bool seen[SL_DRILL_MAX_OPTIONS] = {false};
                for (size_t p = 0; p < k; p++) {
                    assert_true(order[p] < k);
                    assert_false(seen[order[p]]);
                    seen[order[p]] = true;
                    if (order[p] == s[i]->answer)
                        at[p]++;
                }
                expected_first += 1.0 / (double)k;
            }
            for (size_t p = 0; p < SL_DRILL_MAX_OPTIONS; p++)
                if (at[p] * 2 > n)
                    fail_msg("%s, seed %llu: position %zu holds %zu of %zu right answers",
                             sl_drill_type_name((sl_drill_type)t), (unsigned long long)seed,
                             p + 1, at[p], n);
            double always_first = (double)at[0];
            if (always_first > expected_first + 1 || always_first < expected_first - 1)
                fail_msg("%s, seed %llu: always answering 1 scores %.0f of %zu (about %.1f "
                         "expected)",
                         sl_drill_type_name((sl_drill_type)t), (unsigned long long)seed,
                         always_first, n, expected_first);
        }
    }
    /* A drill that is not the content's has no order. */
    sl_drill stray = *sl_drill_set_get(c, SL_DRILL_TAG)->drills;
    size_t order[SL_DRILL_MAX_OPTIONS];
    assert_int_equal(sl_drill_option_order(c, &stray, 1, order), 0);
    assert_int_equal(sl_drill_option_order(NULL, &stray, 1, order), 0);
}

static void broken_copies_are_caught(void **state)
{
    (void)state;
    char dir[256], path[512];
    snprintf(dir, sizeof dir, "%s/shoplab-broken-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());

    copy_tree(dir); /* the copy itself is fine */
    sl_content *ok;
    assert_int_equal(sl_content_load_dir(dir, &ok, NULL), SL_OK);
    sl_content_free(ok);

    snprintf(path, sizeof path, "%s/terms/ctor.txt", dir);
    append(path, "related: no-such-term\n");
    expect_broken(dir, "terms/ctor.txt", "related");

    copy_tree(dir);
    append(path, "guide: no-such-guide\n");
    expect_broken(dir, "terms/ctor.txt", "guide");

    copy_tree(dir);
    snprintf(path, sizeof path, "%s/terms/views.txt", dir);
    append(path, "alias: CO rate\n"); /* already an alias of CTOR */
    expect_broken(dir, "terms/", "alias");

    copy_tree(dir);
    snprintf(path, sizeof path, "%s/terms/product-ctr.txt", dir);
    replace_in_file(path, "^formula: .*", "formula: product_clicks \\/ card_views");
    expect_broken(dir, "terms/product-ctr.txt", "formula");

    copy_tree(dir);
    replace_in_file(path, "^step: .*", "step: later");
    expect_broken(dir, "terms/product-ctr.txt", "step");

    copy_tree(dir);
    snprintf(path, sizeof path, "%s/drills/pick.txt", dir);
    replace_in_file(path, "^answer: .*", "answer: z");
    expect_broken(dir, "drills/pick.txt", "answer");

    copy_tree(dir);
    snprintf(path, sizeof path, "%s/guides/creator-metrics.txt", dir);
    append(path, "term: no-such-term\n");
    expect_broken(dir, "guides/creator-metrics.txt", "term");

    copy_tree(dir);
    append(path, "colour: blue\n");
    expect_broken(dir, "guides/creator-metrics.txt", "colour");

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void json_shapes(void **state)
{
    (void)state;
    const sl_content *c = builtin();
    char *text = sl_term_to_json(sl_term_find(c, "ctor"));
    assert_non_null(strstr(text, "\"formula\": \"orders / product_clicks\""));
    assert_non_null(strstr(text, "\"aliases\""));
    sl_free(text);
    text = sl_terms_to_json(c, true, SL_LOOP_PICK);
    assert_non_null(strstr(text, "\"slug\": \"sample\""));
    assert_null(strstr(text, "\"slug\": \"ctor\""));
    sl_free(text);
    const sl_drill_set *read = sl_drill_set_get(c, SL_DRILL_READ);
    text = sl_drill_to_json(&read->drills[0]);
    assert_non_null(strstr(text, "\"counts\""));
    assert_non_null(strstr(text, "\"practice_data\": true"));
    sl_free(text);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_content CONTENT_DIR\n");
        return 2;
    }
    content_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_content_is_complete),
        cmocka_unit_test(builtin_content_is_valid),
        cmocka_unit_test(builtin_matches_source_tree),
        cmocka_unit_test(lookup_resolves_aliases),
        cmocka_unit_test(unknown_words_get_suggestions),
        cmocka_unit_test(same_names_the_relation),
        cmocka_unit_test(read_drills_agree_with_the_decoder),
        cmocka_unit_test(sessions_are_repeatable),
        cmocka_unit_test(drill_answers_are_spread),
        cmocka_unit_test(broken_copies_are_caught),
        cmocka_unit_test(json_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
