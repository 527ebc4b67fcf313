/*
 * test_journal.c — the journal of one-change tests: plan → looks → close from
 * imported exports and from typed counts; each look's mSPRT p and the running
 * minimum against the formula computed here in long double; the plan's
 * sample against stats_vectors.json (remaining_impressions, the infeasible
 * case included); the frozen plan, closed tests, looks that go backwards and
 * the one-open-test rule refused; the export in CSV, JSON and Markdown.
 *
 * Usage: test_journal FIXTURE_DIR STATS_VECTORS_JSON
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shoplab.h"
#include "store_target.h"

static const char *fixtures, *vectors;
static char dir[] = "/tmp/shoplab-journal-XXXXXX";
static int db_seq;

static sl_store *fresh_store(char *path, size_t size)
{
    char name[32];
    snprintf(name, sizeof name, "j%d.db", db_seq++);
    test_store_target(path, size, dir, name);
    sl_store *s;
    sl_error err;
    assert_int_equal(sl_store_open(path, &s, &err), SL_OK);
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
    assert_int_equal(r->sources[0].import_id, day);
    sl_report_free(r);
}

/* §3.11 written out again, independently of twosample.c: pooled V, p = 1/Λ. */
static double msprt_reference(sl_arm a, sl_arm b, double tau2)
{
    long double na = a.trials, nb = b.trials, xa = a.successes, xb = b.successes;
    long double pbar = (xa + xb) / (na + nb);
    long double v = pbar * (1 - pbar) * (1 / na + 1 / nb);
    long double d = xb / nb - xa / na;
    long double ll = 0.5L * logl(v / (v + tau2)) + d * d * tau2 / (2 * v * (v + tau2));
    return ll <= 0 ? 1.0 : (double)expl(-ll);
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want))) {
        print_error("got %.17g, want %.17g\n", got, want);
        fail();
    }
}

static sl_journal_plan_input typed_plan(uint64_t trials, uint64_t successes, double mde,
                                        const char *creator)
{
    return (sl_journal_plan_input){
        .step = SL_LOOP_TAG,
        .metric = SL_METRIC_CTR,
        .change = "Move the product card to the first proof moment.",
        .hypothesis = "Viewers tap while they still want to check the product.",
        .before = {successes, trials},
        .creator = creator,
        .mde = mde,
        .at = "2026-09-01T09:00:00Z",
    };
}

/* Checks every stored look against the formula and the running minimum. */
static void check_looks(const sl_journal_test *t, const sl_arm *after, size_t n)
{
    assert_int_equal(t->look_count, n);
    double rate = (double)t->before.successes / (double)t->before.trials;
    double tau2 = pow(rate * t->mde, 2);
    assert_close(t->tau2, tau2, 1e-15);
    double running = 1;
    for (size_t i = 0; i < n; i++) {
        const sl_journal_look *l = &t->looks[i];
        assert_int_equal(l->seq, i + 1);
        assert_int_equal(l->after.trials, after[i].trials);
        assert_int_equal(l->after.successes, after[i].successes);
        double p = msprt_reference(t->before, after[i], tau2);
        assert_close(l->p_look, p, 1e-9);
        running = p < running ? p : running;
        assert_close(l->p_always_valid, running, 1e-9);
    }
}

/* The plan's sample: the fixed-sample test's share of alpha, a rise and a
 * drop of the planned size, the larger kept (docs/statistics.md). */
static bool planned_b(uint64_t na, double rate, double mde, uint64_t *b)
{
    double alpha_fixed = 0.05 * (1 - SL_ALPHA_SHARE_ALWAYS_VALID);
    uint64_t up, down;
    if (sl_sample_size_fixed_a(na, rate, mde, alpha_fixed, 0.8, &up, NULL, NULL) != SL_OK ||
        sl_sample_size_fixed_a(na, rate, -mde, alpha_fixed, 0.8, &down, NULL, NULL) != SL_OK)
        return false;
    *b = up > down ? up : down;
    return true;
}

/* The walk-through of docs/journal.md: four exports of the same videos on
 * different days; the plan takes the before-video from the first, each look
 * the after-video from the newest import. */
static void imported_walkthrough(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    import_day(s, 1);
    sl_journal_plan_input in = typed_plan(0, 0, 0, NULL);
    in.before_video = "7400000000000000101";
    in.expectation = "Product CTR rises from 3% to about 3.6%.";
    sl_journal_test t;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    assert_int_equal(t.id, 1);
    assert_string_equal(t.creator, "@mina.lamps");     /* from the before-video's rows */
    assert_int_equal(t.before_import, 1);
    assert_int_equal(t.before.trials, 12000);
    assert_int_equal(t.before.successes, 360);
    assert_close(t.mde, 0.2, 0);
    uint64_t b = 0;
    assert_true(planned_b(12000, 0.03, 0.2, &b));
    assert_true(t.sample_feasible);
    assert_int_equal(t.b_needed, b);
    sl_journal_test_clear(&t);

    const sl_arm after[] = {{78, 2000}, {222, 6000}, {430, 11000}, {690, 19000}};
    const char *when[] = {"2026-09-09T10:00:00Z", "2026-09-10T10:00:00Z",
                          "2026-09-12T10:00:00Z", "2026-09-15T10:00:00Z"};
    for (int day = 1; day <= 4; day++) {
        if (day > 1)
            import_day(s, day);
        sl_journal_look_input li = {.after_video = "7400000000000000201", .at = when[day - 1]};
        sl_compare_result r;
        assert_int_equal(sl_journal_add_look(s, 1, &li, &t, &r, &err), SL_OK);
        assert_int_equal(t.looks[day - 1].after_import, day);
        assert_string_equal(t.looks[day - 1].taken_at, when[day - 1]);
        check_looks(&t, after, (size_t)day);
        /* the verdict is sl_compare with the plan's mde, τ² and sample, and the
         * looks before it */
        sl_compare_result want;
        sl_compare_options o;
        sl_journal_look_options(&t, (size_t)day - 1, &o);
        assert_close(o.tau2, pow(0.03 * 0.2, 2), 1e-15);
        assert_int_equal(o.planned_b, b);
        assert_int_equal(sl_compare(SL_METRIC_CTR, t.before, after[day - 1], &o, &want, &err),
                         SL_OK);
        assert_int_equal(r.verdict, want.verdict);
        assert_close(r.msprt_p, t.looks[day - 1].p_look, 1e-15);
        assert_int_equal(r.planned_sample_reached, after[day - 1].trials >= b);
        if (!r.planned_sample_reached)
            assert_int_equal(r.b_more_needed, b - after[day - 1].trials);
        sl_journal_test_clear(&t);
    }
    /* the last look's p went up again: the always-valid p stays at the minimum */
    assert_int_equal(sl_journal_get(s, 1, &t, &err), SL_OK);
    assert_true(t.looks[3].p_look > t.looks[2].p_look);
    assert_close(t.looks[3].p_always_valid, t.looks[2].p_look, 0);
    sl_journal_test_clear(&t);

    /* the same video again before a newer import: counts equal, not backwards */
    sl_journal_look_input again = {.after_video = "7400000000000000201",
                                   .at = "2026-09-15T11:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &again, &t, NULL, &err), SL_OK);
    assert_int_equal(t.look_count, 5);
    sl_journal_test_clear(&t);
    /* another video is not this test's after-video; the before-video is not either */
    again.after_video = "7400000000000000301";
    assert_int_equal(sl_journal_add_look(s, 1, &again, &t, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "after-video");
    again.after_video = "7400000000000000101";
    assert_int_equal(sl_journal_add_look(s, 1, &again, &t, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    again.after_video = "7400000000000000999";
    assert_int_equal(sl_journal_add_look(s, 1, &again, &t, NULL, &err), SL_ERR_NOT_FOUND);
    assert_string_equal(err.field, "after-video");

    assert_int_equal(sl_journal_close(s, 1, SL_OUTCOME_B_BETTER,
                                      "The card at the proof moment lifts CTR for lamps.",
                                      "2026-09-16T08:00:00Z", &t, &err),
                     SL_OK);
    assert_true(t.closed);
    assert_string_equal(t.warning, "");   /* the data agrees with the outcome */
    sl_journal_test_clear(&t);
    assert_int_equal(sl_journal_get(s, 1, &t, &err), SL_OK);
    assert_true(t.closed);
    assert_int_equal(t.outcome, SL_OUTCOME_B_BETTER);
    assert_string_equal(t.lesson, "The card at the proof moment lifts CTR for lamps.");
    assert_string_equal(t.closed_at, "2026-09-16T08:00:00Z");
    assert_int_equal(t.look_count, 5);
    sl_journal_test_clear(&t);

    /* the store's newest import decides the before-video's counts */
    sl_video_counts v;
    assert_int_equal(sl_store_video(s, "7400000000000000201", &v, &err), SL_OK);
    assert_int_equal(v.import_id, 4);
    assert_int_equal(v.rows, 1);
    assert_string_equal(v.creator, "@mina.lamps");
    assert_close(v.funnel.value[SL_FIELD_PRODUCT_IMPRESSIONS], 19000, 0);
    assert_false(sl_funnel_has(&v.funnel, SL_FIELD_SKU_ORDERS));
    assert_int_equal(sl_store_video(s, "1", &v, &err), SL_ERR_NOT_FOUND);
    sl_store_close(s);
}

/* Typed counts, CTOR: the same rules without any import. */
static void typed_walkthrough(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_plan_input in = typed_plan(1200, 36, 0.3, NULL);
    in.metric = SL_METRIC_CTOR;
    sl_journal_test t;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    assert_string_equal(t.creator, "");
    assert_int_equal(t.before_video[0], 0);
    assert_int_equal(t.before.trials, 1200);
    sl_journal_test_clear(&t);
    const sl_arm after[] = {{12, 200}, {30, 500}, {40, 900}, {64, 1400}, {70, 1700}};
    char when[32];
    for (size_t i = 0; i < 5; i++) {
        snprintf(when, sizeof when, "2026-09-0%zuT12:00:00Z", i + 2);
        sl_journal_look_input li = {.after = after[i], .at = when};
        assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_OK);
        check_looks(&t, after, i + 1);
        sl_journal_test_clear(&t);
    }
    assert_int_equal(sl_journal_close(s, 1, SL_OUTCOME_A_BETTER, "Orders did not follow.", NULL,
                                      &t, &err),
                     SL_OK);
    assert_non_null(strstr(t.warning, "your reading, not the data's"));
    sl_journal_test_clear(&t);
    sl_store_close(s);
}

/* The plan's sample against every fixed-A case of remaining_impressions. */
static void plan_sample_matches_vectors(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file(vectors, 0, &jerr);
    assert_non_null(root);
    json_t *cases = json_object_get(root, "remaining_impressions");
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    size_t i, checked = 0, infeasible = 0;
    json_t *c;
    json_array_foreach(cases, i, c) {
        if (strcmp(json_string_value(json_object_get(c, "kind")), "fixed_A") != 0)
            continue;
        uint64_t na = (uint64_t)json_integer_value(json_object_get(c, "nA"));
        double base = json_real_value(json_object_get(c, "baseline"));
        double lift = json_real_value(json_object_get(c, "rel_lift"));
        uint64_t xa = (uint64_t)llround(base * (double)na);
        assert_close((double)xa / (double)na, base, 1e-15);
        char creator[32];
        snprintf(creator, sizeof creator, "vector-%zu", i);  /* one open test per creator */
        sl_journal_plan_input in = typed_plan(na, xa, lift, creator);
        sl_journal_test t;
        sl_error err;
        assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
        /* The vectors size one direction at the whole alpha (the library's
         * sl_sample_size_fixed_a meets them in test_stats); the plan sizes
         * both directions at the fixed test's share. */
        uint64_t want = 0;
        if (planned_b(na, base, lift, &want)) {
            assert_true(t.sample_feasible);
            assert_int_equal(t.b_needed, want);
            if (strcmp(json_string_value(json_object_get(c, "status")), "ok") == 0)
                assert_true(t.b_needed >= (uint64_t)json_integer_value(
                                               json_object_get(c, "nB_required")));
        } else {
            infeasible++;
            assert_false(t.sample_feasible);
            /* the smallest detectable lift sits on the infeasibility boundary of §3.10 */
            double p1 = base, p2 = base * (1 + t.min_detectable_lift);
            double za = sl_normal_quantile(1 - 0.05 * (1 - SL_ALPHA_SHARE_ALWAYS_VALID) / 2);
            double edge = za * sqrt(p2 * (1 - p2) / (double)na) +
                          0.8416212335729143 * sqrt(p1 * (1 - p1) / (double)na);
            assert_true(t.min_detectable_lift > lift);
            assert_close(p2 - p1, edge, 1e-6);
        }
        /* stored as planned */
        sl_journal_test back;
        assert_int_equal(sl_journal_get(s, t.id, &back, &err), SL_OK);
        assert_int_equal(back.sample_feasible, t.sample_feasible);
        assert_int_equal(back.b_needed, t.b_needed);
        sl_journal_test_clear(&back);
        sl_journal_test_clear(&t);
        checked++;
    }
    assert_int_equal(checked, 5);
    assert_int_equal(infeasible, 1);
    json_decref(root);
    sl_store_close(s);
}

/* True when the database itself refuses `sql` (its triggers). */
static bool sql_refused(const char *path, const char *sql)
{
    if (test_on_postgres())
        return test_pg_sql(path, sql) != 0;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    bool refused = sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK;
    sqlite3_close(db);
    return refused;
}

static long long db_int(const char *path, const char *sql)
{
    if (test_on_postgres())
        return test_pg_int(path, sql);
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* A store written before schema 4 (no import title, no practice mark) and
 * a test planned with the old one-direction sample: it opens, migrates and
 * reads by the new rule, its stored plan kept as it was. */
static void tests_from_before_the_rule_still_read(void **state)
{
    (void)state;
    if (test_on_postgres())
        skip(); /* schemas before 5 exist only in SQLite files */
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_plan_input in = typed_plan(12000, 360, 0.2, NULL);
    sl_journal_test t;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    sl_journal_look_input li = {.after = {930, 25000}, .at = "2026-09-05T10:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
    sl_store_close(s);
    /* Back to what an older ShopLab wrote: schema 3, and the plan's sample
     * sized the old way (one direction, the whole alpha). */
    uint64_t old_b;
    assert_int_equal(sl_sample_size_fixed_a(12000, 0.03, 0.2, 0.05, 0.8, &old_b, NULL, NULL),
                     SL_OK);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[2048];
    snprintf(sql, sizeof sql,
             /* an import whose rows name two creators, for schema 9 to find */
             "INSERT INTO imports (id, hash, file, header_row, imported_at)"
             " VALUES (7, 'h', 'f.csv', 1, '2026-09-01T00:00:00Z');"
             "INSERT INTO records (import_id, row, video, product, live, creator, day, label)"
             " VALUES (7, 2, 'v', 'p', '', 'c1', '', ''), (7, 3, 'v', 'p', '', 'c2', '', ''),"
             " (7, 4, 'v', 'p', '', 'c1', '', ''), (7, 5, 'v', 'p', '', '', '', '');"
             "DROP TABLE import_creators; CREATE INDEX records_by_creator ON records(creator);"
             "ALTER TABLE imports DROP COLUMN title; ALTER TABLE imports DROP COLUMN practice;"
             "ALTER TABLE imports DROP COLUMN currency;"
             "ALTER TABLE journal_tests DROP COLUMN change_tag;"
             "DROP TABLE drill_answers; CREATE TABLE drill_answers (id INTEGER PRIMARY KEY,"
             " drill_type TEXT NOT NULL, drill_id TEXT NOT NULL, answer TEXT NOT NULL,"
             " correct INTEGER NOT NULL, answered_at TEXT NOT NULL);"
             "CREATE INDEX drill_answers_by_type ON drill_answers(drill_type);"
             "DROP INDEX imports_by_creator; ALTER TABLE imports DROP COLUMN creator_id;"
             "DROP TABLE audit; DROP TABLE login_failures; DROP TABLE sessions;"
             "DROP TABLE assignments; DROP TABLE users; DROP TABLE creators;"
             "UPDATE journal_tests SET b_needed = %llu; PRAGMA user_version = 3;",
             (unsigned long long)old_b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sl_store_open(path, &s, &err), SL_OK);
    assert_int_equal(sl_journal_get(s, 1, &t, &err), SL_OK);
    assert_int_equal(t.b_needed, old_b);
    assert_int_equal(t.tag, SL_TAG_OTHER); /* planned before tags: other */
    sl_compare_result r;
    assert_int_equal(sl_journal_verdict(&t, 0, &r, &err), SL_OK);
    assert_true(r.planned_given);
    assert_int_equal(r.b_needed, old_b);
    assert_int_equal(r.verdict, SL_COMPARE_B_BETTER); /* 3.72 % vs 3.00 %, p = 0.0004 */
    sl_journal_test_clear(&t);
    sl_store_close(s);
    sqlite3_open(path, &db);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 10);
    sqlite3_finalize(q);
    /* schema 9 listed the creators the stored rows name, once each */
    sqlite3_prepare_v2(db, "SELECT group_concat(creator, ',') FROM (SELECT creator FROM "
                           "import_creators WHERE import_id = 7 ORDER BY creator)", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "c1,c2");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void frozen_plan_and_closed_test(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_test t;
    sl_journal_plan_input in = typed_plan(10000, 300, 0.2, NULL);
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    /* before the first look: the lift and the metric may change */
    assert_int_equal(sl_journal_replan(s, 1, NULL, 0.3, false, &t, &err), SL_OK);
    assert_close(t.mde, 0.3, 0);
    assert_close(t.tau2, pow(0.03 * 0.3, 2), 1e-15);
    uint64_t b = 0;
    assert_true(planned_b(10000, 0.03, 0.3, &b));
    assert_int_equal(t.b_needed, b);
    sl_journal_test_clear(&t);
    sl_metric ctor = SL_METRIC_CTOR;
    /* typed CTR counts hold no orders: CTOR cannot be read from them */
    assert_int_equal(sl_journal_replan(s, 1, &ctor, 0, false, &t, &err), SL_ERR_NO_DATA);
    assert_string_equal(err.field, "metric");

    sl_journal_look_input li = {.after = {100, 3000}, .at = "2026-09-02T00:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
    /* after it: frozen, in the library and in the database itself */
    assert_int_equal(sl_journal_replan(s, 1, NULL, 0.1, false, &t, &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "frozen");
    assert_int_equal(sl_journal_get(s, 1, &t, &err), SL_OK);
    assert_close(t.mde, 0.3, 0);
    sl_journal_test_clear(&t);
    assert_true(sql_refused(path, "UPDATE journal_tests SET mde = 0.1"));
    assert_true(sql_refused(path, "DELETE FROM journal_looks"));

    /* looks never go backwards, and a refused look stores nothing */
    li = (sl_journal_look_input){.after = {99, 3500}, .at = "2026-09-03T00:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_ERR_INCONSISTENT_FUNNEL);
    assert_string_equal(err.field, "after");
    li.after = (sl_arm){150, 2999};
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_ERR_INCONSISTENT_FUNNEL);
    li.after = (sl_arm){150, 5000};
    li.at = "2026-09-01T23:59:59Z";   /* before the previous look */
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "at");
    li.at = "2026-02-30T00:00:00Z";
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_ERR_PARSE);
    li.after = (sl_arm){5001, 5000};
    li.at = NULL;
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err),
                     SL_ERR_SUCCESSES_EXCEED_TRIALS);
    assert_int_equal(db_int(path, "SELECT COUNT(*) FROM journal_looks"), 1);

    /* closed: kept as it is */
    assert_int_equal(sl_journal_close(s, 1, SL_OUTCOME_NO_CLEAR_DIFFERENCE, "Too small to see.",
                                      "2026-09-04T00:00:00Z", &t, &err),
                     SL_OK);
    sl_journal_test_clear(&t);
    li = (sl_journal_look_input){.after = {200, 8000}, .at = "2026-09-05T00:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "closed");
    assert_int_equal(sl_journal_close(s, 1, SL_OUTCOME_B_BETTER, "Changed my mind.", NULL, &t,
                                      &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "closed");
    assert_int_equal(sl_journal_replan(s, 1, NULL, 0.25, false, &t, &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "closed");
    assert_int_equal(sl_journal_get(s, 1, &t, &err), SL_OK);
    assert_int_equal(t.outcome, SL_OUTCOME_NO_CLEAR_DIFFERENCE);
    assert_string_equal(t.lesson, "Too small to see.");
    assert_int_equal(t.look_count, 1);
    sl_journal_test_clear(&t);
    assert_true(sql_refused(path, "UPDATE journal_tests SET lesson = 'x'"));
    assert_int_equal(sl_journal_get(s, 7, &t, &err), SL_ERR_NOT_FOUND);
    assert_string_equal(err.field, "id");
    sl_store_close(s);
}

static void one_open_test_per_creator_and_metric(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_test t;
    sl_journal_plan_input in = typed_plan(10000, 300, 0, NULL);
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    /* typed counts without a creator share one bucket */
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "open");
    assert_non_null(strstr(err.message, "cannot be told apart"));
    assert_int_equal(db_int(path, "SELECT COUNT(*) FROM journal_tests"), 1);
    in.force = true;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    assert_non_null(strstr(t.warning, "test #1 is also open"));
    assert_non_null(strstr(t.warning, "cannot be told apart"));
    sl_journal_test_clear(&t);
    in.force = false;
    in.creator = "@other";          /* another creator */
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    in.creator = NULL;
    in.metric = SL_METRIC_CTOR;     /* another metric */
    in.before = (sl_arm){9, 300};
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    assert_string_equal(t.warning, "");
    sl_journal_test_clear(&t);
    /* once both CTR tests on "" are closed, a new one opens freely */
    assert_int_equal(sl_journal_close(s, 1, SL_OUTCOME_ABANDONED, "Posted at another time.",
                                      NULL, &t, &err),
                     SL_OK);
    sl_journal_test_clear(&t);
    in.metric = SL_METRIC_CTR;
    in.before = (sl_arm){300, 10000};
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(sl_journal_close(s, 2, SL_OUTCOME_ABANDONED, "Two at once.", NULL, &t, &err),
                     SL_OK);
    sl_journal_test_clear(&t);
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);

    sl_journal_test *items;
    size_t n;
    assert_int_equal(sl_journal_list(s, SL_JOURNAL_OPEN, &items, &n, &err), SL_OK);
    assert_int_equal(n, 3);
    assert_int_equal(items[0].id, 3);
    sl_journal_tests_free(items, n);
    assert_int_equal(sl_journal_list(s, SL_JOURNAL_CLOSED, &items, &n, &err), SL_OK);
    assert_int_equal(n, 2);
    sl_journal_tests_free(items, n);
    sl_store_close(s);
}

static void text_and_counts_are_checked(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_test t;
    sl_journal_plan_input in = typed_plan(10000, 300, 0, NULL);
    in.change = "   ";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "change");
    in.change = "Card earlier\x1b[2J";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_PARSE);
    in.change = "Card\nearlier";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_PARSE);
    in.change = "Card \xc0\xaf earlier";   /* overlong UTF-8 */
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_PARSE);
    char longer[SL_JOURNAL_MAX_TEXT + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    in.change = longer;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_LIMIT);
    in.change = "Karte früher zeigen, 卡片提前";
    in.before = (sl_arm){0, 10000};
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_NO_DATA);
    assert_string_equal(err.field, "before");
    in.before = (sl_arm){300, 10000};
    in.mde = 40;                     /* 3% × 41 passes 100% */
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "mde");
    in.mde = 0;
    in.at = "yesterday";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_PARSE);
    in.at = NULL;
    in.before_video = "7400000000000000101";   /* nothing imported */
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_NOT_FOUND);
    assert_string_equal(err.field, "before-video");
    assert_int_equal(db_int(path, "SELECT COUNT(*) FROM journal_tests"), 0);
    in.before_video = NULL;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    assert_string_equal(t.change, "Karte früher zeigen, 卡片提前");
    sl_journal_test_clear(&t);
    sl_store_close(s);
}

static char *export_text(const sl_journal_test *items, size_t n, sl_journal_format f)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    assert_non_null(out);
    assert_int_equal(sl_journal_export(items, n, f, out), SL_OK);
    fclose(out);
    return buf;
}

static void export_formats(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_test t;
    sl_journal_plan_input in = typed_plan(10000, 300, 0, NULL);
    in.change = "=HYPERLINK(\"http://x.invalid\") card, earlier";
    in.hypothesis = "See [this](http://x.invalid) <b>now</b> | twice";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    sl_journal_look_input li = {.after = {130, 4000}, .at = "2026-09-02T00:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 1, &li, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
    in = typed_plan(5000, 40, 0.5, "@b");
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    assert_int_equal(sl_journal_close(s, 2, SL_OUTCOME_ABANDONED, "Lamp, sold out.", NULL, &t,
                                      &err),
                     SL_OK);
    sl_journal_test_clear(&t);
    sl_journal_test *items;
    size_t n;
    assert_int_equal(sl_journal_list(s, SL_JOURNAL_ALL, &items, &n, &err), SL_OK);
    assert_int_equal(n, 2);

    char *csv = export_text(items, n, SL_JOURNAL_CSV);
    size_t lines = 0;
    for (char *p = csv; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3);
    assert_true(strncmp(csv, "id,status,creator,step,metric,change,", 37) == 0);
    /* a formula is defused and quoted, its quotes doubled */
    assert_non_null(strstr(csv, "1,open,,tag,ctr,\"'=HYPERLINK(\"\"http://x.invalid\"\") card, "
                                "earlier\","));
    assert_non_null(strstr(csv, ",abandoned,\"Lamp, sold out.\","));
    free(csv);

    char *json = export_text(items, n, SL_JOURNAL_JSON);
    json_error_t jerr;
    json_t *root = json_loads(json, 0, &jerr);
    assert_non_null(root);
    json_t *tests = json_object_get(root, "tests");
    assert_int_equal(json_array_size(tests), 2);
    json_t *first = json_array_get(tests, 0);
    assert_string_equal(json_string_value(json_object_get(first, "change")), items[0].change);
    json_t *look = json_array_get(json_object_get(first, "looks"), 0);
    assert_close(json_real_value(json_object_get(look, "p_always_valid")),
                 items[0].looks[0].p_always_valid, 1e-14);
    assert_true(json_is_true(json_object_get(first, "frozen")));
    assert_true(json_is_false(json_object_get(look, "p_final")));
    json_t *second = json_array_get(tests, 1);
    assert_string_equal(json_string_value(json_object_get(second, "outcome")), "abandoned");
    assert_true(json_is_null(json_object_get(second, "p_always_valid")));
    json_decref(root);
    free(json);

    char *md = export_text(items, n, SL_JOURNAL_MARKDOWN);
    assert_non_null(strstr(md, "## Test #1: =HYPERLINK\\(\"http://x.invalid\"\\) card, earlier"));
    assert_non_null(strstr(md, "See \\[this\\]\\(http://x.invalid\\) \\<b\\>now\\</b\\> \\| "
                               "twice"));
    assert_non_null(strstr(md, "| 1 | 2026-09-02T00:00:00Z | 130 / 4,000 | 3.25% |"));
    assert_non_null(strstr(md, "## Test #2:"));
    assert_non_null(strstr(md, "Lesson: Lamp, sold out."));
    free(md);
    sl_journal_tests_free(items, n);
    sl_store_close(s);
}

/* The change tag is stored and read back on both engines, defaults to
 * other, is refused out of range, and the store's lessons see only closed
 * tests with a look. */
static void change_tags_and_lessons(void **state)
{
    (void)state;
    char path[512];
    sl_store *s = fresh_store(path, sizeof path);
    sl_error err;
    sl_journal_test t;
    sl_journal_plan_input in = typed_plan(10000, 300, 0, "@a");
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    assert_int_equal(t.tag, SL_TAG_OTHER);
    sl_journal_test_clear(&t);
    in.tag = SL_TAG__COUNT;
    in.creator = "@b";
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "tag");
    in.tag = SL_TAG_PROOF_MOMENT;
    assert_int_equal(sl_journal_plan(s, &in, &t, &err), SL_OK);
    sl_journal_test_clear(&t);
    assert_int_equal(sl_journal_get(s, 2, &t, &err), SL_OK);
    assert_int_equal(t.tag, SL_TAG_PROOF_MOMENT);
    sl_journal_test_clear(&t);
    sl_journal_look_input li = {.after = {330, 10000}, .at = "2026-09-02T09:00:00Z"};
    assert_int_equal(sl_journal_add_look(s, 2, &li, &t, NULL, &err), SL_OK);
    sl_journal_test_clear(&t);
    assert_int_equal(sl_journal_close(s, 2, SL_OUTCOME_B_BETTER, "Shown at the proof.",
                                      "2026-09-03T09:00:00Z", &t, &err),
                     SL_OK);
    sl_journal_test_clear(&t);
    sl_lessons *l;
    assert_int_equal(sl_lessons_read(s, &l, &err), SL_OK);
    assert_int_equal(l->tests_used, 1);
    assert_int_equal(l->group_count, 1);
    assert_int_equal(l->groups[0].tag, SL_TAG_PROOF_MOMENT);
    assert_string_equal(l->groups[0].creators[0].creator, "@b");
    assert_true(fabs(l->groups[0].lift - 0.1) < 1e-12);
    sl_lessons_free(l);
    sl_store_close(s);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_journal FIXTURE_DIR STATS_VECTORS_JSON\n");
        return 2;
    }
    fixtures = argv[1];
    vectors = argv[2];
    test_require_cluster();
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imported_walkthrough),
        cmocka_unit_test(typed_walkthrough),
        cmocka_unit_test(plan_sample_matches_vectors),
        cmocka_unit_test(tests_from_before_the_rule_still_read),
        cmocka_unit_test(frozen_plan_and_closed_test),
        cmocka_unit_test(one_open_test_per_creator_and_metric),
        cmocka_unit_test(text_and_counts_are_checked),
        cmocka_unit_test(export_formats),
        cmocka_unit_test(change_tags_and_lessons),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        failed++;
    return failed;
}
