/*
 * test_store_copy.c — `store copy` keeps everything: a SQLite store with
 * imports, a closed and an open journal test with looks, and drill answers
 * is copied into a fresh store of the engine under test (SQLite, or with
 * SHOPLAB_TEST_ENGINE=postgres the test cluster) and from there into a new
 * SQLite file; the imports list, every import's report, the journal and the
 * drill progress must come back identical.  A store that is not empty is
 * refused with nothing written, and ids given after a copy follow the
 * copied ones.
 *
 * Usage: test_store_copy JOURNAL_FIXTURE_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shoplab.h"
#include "store_target.h"

static const char *fixtures;
static char dir[] = "/tmp/shoplab-copy-XXXXXX";

static sl_store *open_store(const char *target)
{
    sl_store *s;
    sl_error err;
    if (sl_store_open(target, &s, &err) != SL_OK) {
        print_error("%s\n", err.message);
        fail();
    }
    return s;
}

static void import_day(sl_store *s, int day)
{
    char file[512];
    snprintf(file, sizeof file, "%s/y_day%d.csv", fixtures, day);
    const char *paths[] = {file};
    sl_read_options o = {.store = s};
    sl_report *r;
    sl_error err;
    assert_int_equal(sl_report_read(paths, 1, &o, &r, &err), SL_OK);
    sl_report_free(r);
}

/* Two tests: #1 closed after two looks, #2 open with one. */
static void write_journal(sl_store *s)
{
    sl_journal_plan_input in = {
        .step = SL_LOOP_TAG,
        .metric = SL_METRIC_CTR,
        .change = "Card at the proof moment: \"quotes\", 'apostrophes', back\\slash, ünïcödé.",
        .hypothesis = "Viewers tap while they still want to check; 100% sure? ?1 \\N",
        .before_video = "7400000000000000101",
        .mde = 0.2,
        .at = "2026-09-01T09:00:00Z",
    };
    sl_journal_test t;
    sl_error err;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    sl_journal_look_input a = {.after = {300, 9000}, .at = "2026-09-03T10:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &a, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
    sl_journal_look_input b = {.after = {700, 20000}, .at = "2026-09-05T10:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &b, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
    assert_int_equal(sl_journal_close(s, 1, SL_OUTCOME_B_BETTER, "The proof moment works.",
                                      "2026-09-06T08:00:00Z", &t, &err),
                     SL_OK);
    sl_journal_test_clear(&t);
    in.metric = SL_METRIC_CTOR;
    in.change = "A shorter hook.";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    sl_journal_look_input c = {.after = {9, 400}, .at = "2026-09-07T10:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 2, &c, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
}

static void answer_drills(sl_store *s)
{
    sl_error err;
    const sl_content *content = sl_content_builtin(&err);
    assert_non_null(content);
    const sl_drill_set *set = sl_drill_set_get(content, SL_DRILL_READ);
    assert_non_null(set);
    assert_true(set->drill_count >= 2);
    assert_int_equal(sl_store_drill_answer(s, 0, &set->drills[0], "a", true, &err), SL_OK);
    assert_int_equal(sl_store_drill_answer(s, 0, &set->drills[1], "b", false, &err), SL_OK);
}

/* Everything a store shows, as one text: imports, reports, journal, drills. */
static char *everything(sl_store *s)
{
    sl_error err;
    sl_import *items;
    size_t count;
    assert_int_equal(sl_store_imports(s, NULL, &items, &count, &err), SL_OK);
    size_t size = 1 << 20, used = 0;
    char *out = calloc(1, size);
    assert_non_null(out);
    char *j = sl_imports_to_json(items, count);
    used += (size_t)snprintf(out + used, size - used, "%s\n", j);
    sl_free(j);
    for (size_t i = 0; i < count; i++) {
        sl_report *r;
        sl_read_options o = {0};
        assert_int_equal(sl_report_from_import(s, items[i].id, &o, &r, &err), SL_OK);
        j = sl_report_to_json(r);
        used += (size_t)snprintf(out + used, size - used, "%s\n", j);
        sl_free(j);
        sl_report_free(r);
    }
    sl_free(items);
    sl_journal_test *tests;
    assert_int_equal(sl_journal_list(s, SL_JOURNAL_ALL, &tests, &count, &err), SL_OK);
    j = sl_journal_list_to_json(tests, count);
    used += (size_t)snprintf(out + used, size - used, "%s\n", j);
    sl_free(j);
    sl_journal_tests_free(tests, count);
    sl_drill_progress p;
    assert_int_equal(sl_store_drill_progress(s, 0, SL_DRILL_READ, &p, &err), SL_OK);
    snprintf(out + used, size - used, "drills %llu %llu %llu %llu\n",
             (unsigned long long)p.answered, (unsigned long long)p.correct,
             (unsigned long long)p.scenarios_seen, (unsigned long long)p.scenarios_solved);
    return out;
}

static void round_trip_keeps_everything(void **state)
{
    (void)state;
    char a_path[512], b_target[1024], c_path[512];
    snprintf(a_path, sizeof a_path, "%s/a.db", dir);
    snprintf(c_path, sizeof c_path, "%s/c.db", dir);
    test_store_target(b_target, sizeof b_target, dir, "b.db");
    sl_store *a = open_store(a_path);
    for (int day = 1; day <= 4; day++)
        import_day(a, day);
    write_journal(a);
    answer_drills(a);
    char *before = everything(a);
    assert_non_null(strstr(before, "ünïcödé"));
    assert_non_null(strstr(before, "\"b-better\""));

    sl_store *b = open_store(b_target);
    sl_store_copy_result r;
    sl_error err;
    assert_int_equal(sl_store_copy(a, b, &r, &err), SL_OK);
    assert_int_equal(r.imports, 4);
    assert_int_equal(r.tests, 2);
    assert_int_equal(r.looks, 3);
    assert_int_equal(r.drill_answers, 2);
    assert_true(r.records >= 4);
    char *middle = everything(b);
    assert_string_equal(middle, before);

    /* a store that holds anything is refused, and keeps what it held */
    assert_int_equal(sl_store_copy(a, b, &r, &err), SL_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "is not empty"));
    char *again = everything(b);
    assert_string_equal(again, before);

    /* new ids follow the copied ones */
    sl_journal_plan_input in = {
        .step = SL_LOOP_PICK, .metric = SL_METRIC_CTR, .change = "x", .hypothesis = "y",
        .before = {30, 1000}, .creator = "someone else", .at = "2026-09-08T00:00:00Z",
    };
    sl_journal_test t;
    assert_int_equal(sl_journal_plan(b, &in, &t, &err), SL_OK);
    assert_int_equal(t.id, 3);
    sl_journal_test_clear(&t);

    sl_store *c = open_store(c_path);
    sl_store *b_only_copied = open_store(test_store_target(b_target, sizeof b_target, dir,
                                                           "b2.db"));
    assert_int_equal(sl_store_copy(a, b_only_copied, &r, &err), SL_OK);
    assert_int_equal(sl_store_copy(b_only_copied, c, &r, &err), SL_OK);
    char *after = everything(c);
    assert_string_equal(after, before);

    free(before);
    free(middle);
    free(again);
    free(after);
    sl_store_close(a);
    sl_store_close(b);
    sl_store_close(b_only_copied);
    sl_store_close(c);
}

static void one_store_into_itself_is_refused(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/self.db", dir);
    sl_store *s = open_store(path);
    sl_error err;
    assert_int_equal(sl_store_copy(s, s, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    sl_store_close(s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_store_copy JOURNAL_FIXTURE_DIR\n");
        return 2;
    }
    fixtures = argv[1];
    test_require_cluster();
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_everything),
        cmocka_unit_test(one_store_into_itself_is_refused),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return failed;
}
