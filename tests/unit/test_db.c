/*
 * test_db.c — the contract of store/db.h, run against one engine named by
 * the first argument: `sqlite` (files in a temporary directory) or
 * `postgres` (the server in $SHOPLAB_TEST_PG, a database of its own per
 * case; tests/pg/cluster.sh starts one).
 *
 * The cases are the ones a plausible wrong engine fails: values that lose
 * bits as text (2^53, 0.1, 1e308), text that breaks COPY or quoting,
 * "?1" inside a string literal, a BUSY that comes back as a plain failure,
 * two migrators racing, a retried read after the server dropped us, and a
 * password that leaks into a message.  Cases that need a server to drop or
 * vanish run only on PostgreSQL.  Without $SHOPLAB_TEST_PG the PostgreSQL
 * run is skipped (77), unless SHOPLAB_REQUIRE_PG_TESTS=1 (`./run test`).
 */
#include "store/db.h"
#include "store/pq_loader.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static db_engine engine;
static const char *pg_base;          /* $SHOPLAB_TEST_PG */
static char dir[] = "/tmp/shoplab-db-XXXXXX";

/* ---- targets: a fresh database per case ---- */

static bool is_pg(void) { return engine == DB_POSTGRES; }

static sl_status open_target(const char *target, bool readonly, db **out, sl_error *err)
{
#ifdef HAVE_DB_SQLITE
    if (!is_pg())
        return db_sqlite_open(target, readonly, out, err);
#endif
    return db_pg_open(target, readonly, out, err);
}

static db *open_ok(const char *target, bool readonly)
{
    sl_error err = {0};
    db *d = NULL;
    sl_status st = open_target(target, readonly, &d, &err);
    if (st != SL_OK)
        fail_msg("open: %s", err.message);
    return d;
}

/* The base conninfo with other keywords set, as a keyword/value string
 * (the base may be a URI, which cannot take extra keywords). */
static void pg_conninfo(char *out, size_t size, const char *const *keys, const char *const *values,
                        int count)
{
    const sl_pq_api *pq = sl_pq_api_get(NULL);
    assert_non_null(pq);
    char *why = NULL;
    PQconninfoOption *opts = pq->conninfoParse(pg_base, &why);
    assert_non_null(opts);
    size_t n = 0;
    out[0] = '\0';
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *v = o->val;
        for (int i = 0; i < count; i++)
            if (strcmp(o->keyword, keys[i]) == 0)
                v = values[i];
        if (!v)
            continue;
        n += (size_t)snprintf(out + n, size - n, "%s%s='", n ? " " : "", o->keyword);
        for (const char *p = v; *p && n + 3 < size; p++) {
            if (*p == '\'' || *p == '\\')
                out[n++] = '\\';
            out[n++] = *p;
        }
        n += (size_t)snprintf(out + n, size - n, "'");
    }
    pq->conninfoFree(opts);
    assert_true(n + 1 < size);
}

/* One value of the base conninfo ("host"), or NULL. */
static bool pg_option(const char *keyword, char *out, size_t size)
{
    const sl_pq_api *pq = sl_pq_api_get(NULL);
    PQconninfoOption *opts = pq->conninfoParse(pg_base, NULL);
    bool found = false;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val) {
            snprintf(out, size, "%s", o->val);
            found = true;
        }
    pq->conninfoFree(opts);
    return found;
}

static void admin(const char *sql)
{
    db *d = open_ok(pg_base, false);
    sl_error err = {0};
    if (db_exec(d, sql, &err) != SL_OK)
        fail_msg("%s: %s", sql, err.message);
    db_close(d);
}

/* A new, empty database for one case, named after it. */
static const char *fresh(const char *name)
{
    static char target[4][1024];
    static int next;
    char *t = target[next++ % 4];
    if (is_pg()) {
        char dbname[64], sql[160];
        snprintf(dbname, sizeof dbname, "sl_test_%ld_%s", (long)getpid(), name);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
        admin(sql);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
        admin(sql);
        const char *keys[] = {"dbname"}, *values[] = {dbname};
        pg_conninfo(t, sizeof target[0], keys, values, 1);
    } else {
        snprintf(t, sizeof target[0], "%s/%s.db", dir, name);
        unlink(t);
    }
    return t;
}

static void drop(const char *name)
{
    if (!is_pg())
        return;
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS sl_test_%ld_%s WITH (FORCE)",
             (long)getpid(), name);
    admin(sql);
}

static void exec_ok(db *d, const char *sql)
{
    sl_error err = {0};
    if (db_exec(d, sql, &err) != SL_OK)
        fail_msg("%s: %s", sql, err.message);
}

static db_stmt *prepare_ok(db *d, const char *sql, bool keep)
{
    sl_error err = {0};
    db_stmt *q = NULL;
    if (db_prepare(d, sql, keep, &q, &err) != SL_OK)
        fail_msg("%s: %s", sql, err.message);
    return q;
}

static void step_done(db_stmt *q)
{
    db_result r = db_step(q);
    if (r != DB_DONE) {
        sl_error err = {0};
        db_fail(db_stmt_db(q), &err, "step");
        fail_msg("expected DB_DONE, got %d: %s", (int)r, err.message);
    }
}

static void step_row(db_stmt *q)
{
    db_result r = db_step(q);
    if (r != DB_ROW) {
        sl_error err = {0};
        db_fail(db_stmt_db(q), &err, "step");
        fail_msg("expected DB_ROW, got %d: %s", (int)r, err.message);
    }
}

static int64_t query_int(db *d, const char *sql)
{
    db_stmt *q = prepare_ok(d, sql, false);
    step_row(q);
    int64_t v = db_column_int(q, 0);
    db_finalize(q);
    return v;
}

/* ---- the values every path must carry exactly ---- */

static const int64_t ints[] = {0, -1, 1, INT64_C(9007199254740992), INT64_C(9007199254740993),
                               INT64_MAX, INT64_MIN, INT64_C(2147483648)};
static const char *const texts[] = {
    "", "plain", "tab\there", "new\nline", "carriage\rreturn\r\n", "back\\slash", "\\N", "\\.",
    "quote's \"double\"", "?1 and $1 and :x", "UTF-8 ünï 漢字 🙂", "\\t not a tab",
};
#define ROWS 12

/* No -0.0: SQLite stores an integral REAL as an integer and loses its sign,
 * which the store never relies on. */
static double double_of(int i)
{
    static const double ds[] = {0.1, 1e308, -1e308, 5e-324, 1.0 / 3.0, -1e-300, 123456789.123456789,
                                2.2250738585072014e-308, 9007199254740993.0, INFINITY, -2.5,
                                6.02214076e23};
    return ds[i % 12];
}

/* Row i of the round-trip table; every fourth value NULL, in different
 * columns, so NULL is tested next to every kind. */
static bool null_at(int row, int col) { return (row + col) % 4 == 3; }

static void create_values_table(db *d, const char *table)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT)",
             table);
    exec_ok(d, sql);
}

static void check_values_table(db *d, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT id, i, d, s FROM %s ORDER BY id", table);
    db_stmt *q = prepare_ok(d, sql, false);
    for (int r = 0; r < ROWS; r++) {
        step_row(q);
        assert_int_equal(db_column_int(q, 0), r);
        if (null_at(r, 1)) {
            assert_true(db_column_null(q, 1));
        } else {
            assert_false(db_column_null(q, 1));
            assert_true(db_column_int(q, 1) == ints[r % 8]);
        }
        if (null_at(r, 2)) {
            assert_true(db_column_null(q, 2));
        } else {
            double want = double_of(r), got = db_column_double(q, 2);
            if (memcmp(&want, &got, sizeof want) != 0)
                fail_msg("row %d: double %.17g came back as %.17g", r, want, got);
        }
        if (null_at(r, 3)) {
            assert_true(db_column_null(q, 3));
            assert_string_equal(db_column_text(q, 3), "");
        } else {
            assert_false(db_column_null(q, 3));
            assert_string_equal(db_column_text(q, 3), texts[r]);
        }
    }
    step_done(q);
    db_finalize(q);
}

static void insert_values(db *d, const char *table, bool keep)
{
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, i, d, s) VALUES (?1, ?2, ?3, ?4)", table);
    db_stmt *q = prepare_ok(d, sql, keep);
    for (int r = 0; r < ROWS; r++) {
        db_bind_int(q, 1, r);
        if (null_at(r, 1))
            db_bind_null(q, 2);
        else
            db_bind_int(q, 2, ints[r % 8]);
        if (null_at(r, 2))
            db_bind_null(q, 3);
        else
            db_bind_double(q, 3, double_of(r));
        db_bind_text(q, 4, null_at(r, 3) ? NULL : texts[r]);
        step_done(q);
        db_reset(q);
    }
    db_finalize(q);
}

static void values_round_trip(void **state)
{
    (void)state;
    db *d = open_ok(fresh("values"), false);
    create_values_table(d, "once");
    create_values_table(d, "kept");
    create_values_table(d, "copied");
    insert_values(d, "once", false);
    insert_values(d, "kept", true);
    check_values_table(d, "once");
    check_values_table(d, "kept");

    sl_error err = {0};
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    const char *const columns[] = {"id", "i", "d", "s"};
    db_copy *c = NULL;
    assert_int_equal(db_copy_begin(d, "copied", columns, 4, &c, &err), SL_OK);
    for (int r = 0; r < ROWS; r++) {
        db_copy_int(c, r);
        if (null_at(r, 1))
            db_copy_null(c);
        else
            db_copy_int(c, ints[r % 8]);
        if (null_at(r, 2))
            db_copy_null(c);
        else
            db_copy_double(c, double_of(r));
        db_copy_text(c, null_at(r, 3) ? NULL : texts[r]);
        assert_int_equal(db_copy_row(c, &err), SL_OK);
    }
    assert_int_equal(db_copy_end(c, true, &err), SL_OK);
    assert_int_equal(db_commit(d, &err), SL_OK);
    check_values_table(d, "copied");

    /* parameters of every kind read back through SELECT alone */
    db_stmt *q = prepare_ok(d, "SELECT ?1, ?2, ?3, ?4", false);
    db_bind_int(q, 1, INT64_MIN);
    db_bind_double(q, 2, 0.1);
    db_bind_text(q, 3, "x\ty");
    db_bind_null(q, 4);
    step_row(q);
    assert_true(db_column_int(q, 0) == INT64_MIN);
    assert_true(db_column_double(q, 1) == 0.1);
    assert_string_equal(db_column_text(q, 2), "x\ty");
    assert_true(db_column_null(q, 3));
    assert_false(db_column_null(q, 0));
    step_done(q);
    db_finalize(q);
    db_close(d);
    drop("values");
}

/* Many rows through COPY: its buffer fills and flushes several times. */
static void copy_many_rows(void **state)
{
    (void)state;
    db *d = open_ok(fresh("many"), false);
    exec_ok(d, "CREATE TABLE many (id BIGINT PRIMARY KEY, s TEXT)");
    sl_error err = {0};
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    const char *const columns[] = {"id", "s"};
    db_copy *c = NULL;
    assert_int_equal(db_copy_begin(d, "many", columns, 2, &c, &err), SL_OK);
    for (int r = 0; r < 20000; r++) {
        db_copy_int(c, r);
        db_copy_text(c, "a\\b\tc\nd — some text to fill the buffer");
        assert_int_equal(db_copy_row(c, &err), SL_OK);
    }
    assert_int_equal(db_copy_end(c, true, &err), SL_OK);
    assert_int_equal(db_commit(d, &err), SL_OK);
    assert_int_equal(query_int(d, "SELECT count(*) FROM many"), 20000);
    db_stmt *q = prepare_ok(d, "SELECT count(*) FROM many WHERE s = ?1", false);
    db_bind_text(q, 1, "a\\b\tc\nd — some text to fill the buffer");
    step_row(q);
    assert_int_equal(db_column_int(q, 0), 20000);
    db_finalize(q);
    db_close(d);
    drop("many");
}

/* An abandoned copy leaves nothing once rolled back. */
static void copy_abandoned(void **state)
{
    (void)state;
    db *d = open_ok(fresh("abandon"), false);
    exec_ok(d, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    sl_error err = {0};
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    const char *const columns[] = {"id"};
    db_copy *c = NULL;
    assert_int_equal(db_copy_begin(d, "t", columns, 1, &c, &err), SL_OK);
    db_copy_int(c, 1);
    assert_int_equal(db_copy_row(c, &err), SL_OK);
    /* a row with the wrong number of values is refused by name */
    db_copy_int(c, 2);
    db_copy_int(c, 3);
    assert_int_equal(db_copy_row(c, &err), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(db_copy_end(c, false, &err), SL_OK);
    db_rollback(d);
    assert_false(db_in_transaction(d));
    assert_int_equal(query_int(d, "SELECT count(*) FROM t"), 0);
    db_close(d);
    drop("abandon");
}

/* Amounts of money come back as the very doubles sent: on PostgreSQL an
 * amount of exact hundredths travels as its decimal digits ("-0.07"),
 * which the server must read back as the same double; the others travel
 * with 17 significant digits. */
static void copy_money_exactly(void **state)
{
    (void)state;
    static const double amounts[] = {-0.07, -0.5, -1.5, 0.01, 0.1, 99.99, 163.46,
                                     1234567890123.45, -9999999999.99, 0.0, 21474836.47,
                                     1e-7, 0.125, 1.0 / 3.0, 5e15 + 0.5};
    enum { N = sizeof amounts / sizeof *amounts };
    db *d = open_ok(fresh("money"), false);
    exec_ok(d, "CREATE TABLE money (id BIGINT PRIMARY KEY, d DOUBLE PRECISION)");
    sl_error err = {0};
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    const char *const columns[] = {"id", "d"};
    db_copy *c = NULL;
    assert_int_equal(db_copy_begin(d, "money", columns, 2, &c, &err), SL_OK);
    for (int i = 0; i < N; i++) {
        db_copy_int(c, i);
        db_copy_double(c, amounts[i]);
        assert_int_equal(db_copy_row(c, &err), SL_OK);
    }
    assert_int_equal(db_copy_end(c, true, &err), SL_OK);
    assert_int_equal(db_commit(d, &err), SL_OK);
    db_stmt *q = prepare_ok(d, "SELECT d FROM money ORDER BY id", false);
    for (int i = 0; i < N; i++) {
        step_row(q);
        double got = db_column_double(q, 0);
        if (memcmp(&got, &amounts[i], sizeof got) != 0)
            fail_msg("amount %.17g came back as %.17g", amounts[i], got);
    }
    step_done(q);
    db_finalize(q);
    /* and the server holds them as those doubles, not only as text */
    assert_int_equal(query_int(d, "SELECT count(*) FROM money WHERE d = -0.07 OR d = 163.46 "
                                  "OR d = 1234567890123.45"),
                     3);
    db_close(d);
    drop("money");
}

/* Values meet their column's type: a whole double goes into an integer
 * column as that integer on both engines; on PostgreSQL, which learns
 * each column's type before the COPY, a number too large for an INTEGER
 * column or a fraction for a BIGINT one is refused by name. */
static void copy_values_meet_types(void **state)
{
    (void)state;
    db *d = open_ok(fresh("typed"), false);
    exec_ok(d, "CREATE TABLE typed (id BIGINT PRIMARY KEY, small INTEGER, d DOUBLE PRECISION)");
    sl_error err = {0};
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    const char *const columns[] = {"id", "small", "d"};
    db_copy *c = NULL;
    assert_int_equal(db_copy_begin(d, "typed", columns, 3, &c, &err), SL_OK);
    db_copy_double(c, 7.0);
    db_copy_int(c, -2147483648);
    db_copy_int(c, 3); /* an integer into a double column */
    assert_int_equal(db_copy_row(c, &err), SL_OK);
    assert_int_equal(db_copy_end(c, true, &err), SL_OK);
    assert_int_equal(db_commit(d, &err), SL_OK);
    assert_int_equal(query_int(d, "SELECT id FROM typed WHERE small = -2147483648 AND d = 3"), 7);
    if (is_pg()) {
        static const struct { int64_t small; double id; } bad[] = {{3000000000, 8}, {1, 8.5}};
        for (size_t i = 0; i < 2; i++) {
            assert_int_equal(db_begin(d, true, &err), SL_OK);
            assert_int_equal(db_copy_begin(d, "typed", columns, 3, &c, &err), SL_OK);
            db_copy_double(c, bad[i].id);
            db_copy_int(c, bad[i].small);
            db_copy_null(c);
            assert_int_equal(db_copy_row(c, &err), SL_ERR_INVALID_ARGUMENT);
            assert_non_null(strstr(err.message, "column"));
            assert_int_equal(db_copy_end(c, false, &err), SL_OK);
            db_rollback(d);
        }
        assert_int_equal(query_int(d, "SELECT count(*) FROM typed"), 1);
    }
    db_close(d);
    drop("typed");
}

static void placeholders_in_quotes(void **state)
{
    (void)state;
    db *d = open_ok(fresh("quotes"), false);
    db_stmt *q = prepare_ok(d,
                            "SELECT '?1' || ?1, 'it''s ?2', ?2 AS \"col?2\" -- ?3 in a comment\n"
                            "/* and ?4 */",
                            false);
    db_bind_text(q, 1, "a");
    db_bind_text(q, 2, "b");
    step_row(q);
    assert_string_equal(db_column_text(q, 0), "?1a");
    assert_string_equal(db_column_text(q, 1), "it's ?2");
    assert_string_equal(db_column_text(q, 2), "b");
    step_done(q);
    db_finalize(q);
    if (is_pg()) {
        /* PostgreSQL's own quotings: E'' with backslash escapes, $$…$$ */
        q = prepare_ok(d, "SELECT E'\\'?1', $$?1$$, $t$ '?1 $t$, ?1", true);
        db_bind_int(q, 1, 7);
        step_row(q);
        assert_string_equal(db_column_text(q, 0), "'?1");
        assert_string_equal(db_column_text(q, 1), "?1");
        assert_string_equal(db_column_text(q, 2), " '?1 ");
        assert_int_equal(db_column_int(q, 3), 7);
        db_finalize(q);
        /* a parameter without its number is refused, not guessed */
        sl_error err = {0};
        assert_int_equal(db_prepare(d, "SELECT ?", false, &q, &err), SL_ERR_INVALID_ARGUMENT);
    }
    db_close(d);
    drop("quotes");
}

static void steps_and_reset(void **state)
{
    (void)state;
    db *d = open_ok(fresh("steps"), false);
    exec_ok(d, "CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)");
    db_stmt *q = prepare_ok(d, "SELECT v FROM t ORDER BY id", true);
    step_done(q);   /* no rows */
    db_reset(q);
    db_stmt *ins = prepare_ok(d, "INSERT INTO t VALUES (?1, ?2)", true);
    for (int i = 1; i <= 3; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%d", i);
        db_bind_int(ins, 1, i);
        db_bind_text(ins, 2, v);
        step_done(ins);
        db_reset(ins);
    }
    db_finalize(ins);
    step_row(q);
    assert_string_equal(db_column_text(q, 0), "v1");
    step_row(q);
    assert_string_equal(db_column_text(q, 0), "v2");
    step_row(q);
    assert_string_equal(db_column_text(q, 0), "v3");
    step_done(q);
    db_reset(q);
    step_row(q);   /* runs again from the start */
    assert_string_equal(db_column_text(q, 0), "v1");
    db_finalize(q);

    /* reset and run again with new parameters, kept and not */
    for (int keep = 0; keep < 2; keep++) {
        q = prepare_ok(d, "SELECT v FROM t WHERE id = ?1", keep);
        db_bind_int(q, 1, 2);
        step_row(q);
        assert_string_equal(db_column_text(q, 0), "v2");
        step_done(q);
        db_reset(q);
        db_bind_int(q, 1, 3);
        step_row(q);
        assert_string_equal(db_column_text(q, 0), "v3");
        db_reset(q);
        db_bind_int(q, 1, 99);
        step_done(q);
        db_finalize(q);
    }
    /* an UPDATE is done at once */
    q = prepare_ok(d, "UPDATE t SET v = ?1 WHERE id = ?2", false);
    db_bind_text(q, 1, "new");
    db_bind_int(q, 2, 1);
    step_done(q);
    db_finalize(q);
    /* EXISTS reads as 1/0 on both engines */
    assert_int_equal(query_int(d, "SELECT EXISTS (SELECT 1 FROM t WHERE v = 'new')"), 1);
    assert_int_equal(query_int(d, "SELECT EXISTS (SELECT 1 FROM t WHERE v = 'old')"), 0);
    db_close(d);
    drop("steps");
}

static void unique_violation_is_store(void **state)
{
    (void)state;
    db *d = open_ok(fresh("unique"), false);
    exec_ok(d, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    db_stmt *q = prepare_ok(d, "INSERT INTO t VALUES (?1)", true);
    db_bind_int(q, 1, 1);
    step_done(q);
    db_reset(q);
    assert_int_equal(db_step(q), DB_ERROR);
    sl_error err = {0};
    assert_int_equal(db_fail(d, &err, "inserting"), SL_ERR_STORE);
    assert_non_null(strstr(err.message, db_name(d)));
    assert_non_null(strstr(err.message, "inserting"));
    db_finalize(q);
    /* the connection stays usable */
    assert_int_equal(query_int(d, "SELECT count(*) FROM t"), 1);
    /* and a failed statement inside a transaction makes the commit fail */
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    q = prepare_ok(d, "INSERT INTO t VALUES (1)", false);
    assert_int_equal(db_step(q), DB_ERROR);
    db_finalize(q);
    if (is_pg()) {
        assert_int_equal(db_commit(d, &err), SL_ERR_STORE);
        assert_false(db_in_transaction(d));
    } else {
        db_rollback(d);
    }
    db_close(d);
    drop("unique");
}

static void lock_wait_is_busy(void **state)
{
    (void)state;
    const char *target = fresh("busy");
    db *a = open_ok(target, false), *b = open_ok(target, false);
    exec_ok(a, "CREATE TABLE t (id BIGINT PRIMARY KEY, v BIGINT)");
    exec_ok(a, "INSERT INTO t VALUES (1, 0)");
    sl_error err = {0};
    assert_int_equal(db_begin(a, true, &err), SL_OK);
    exec_ok(a, "UPDATE t SET v = 1 WHERE id = 1");
    db_set_lock_wait(b, 200);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sl_status st = db_begin(b, true, &err);
    if (st == SL_OK) {
        db_stmt *q = prepare_ok(b, "UPDATE t SET v = 2 WHERE id = 1", false);
        assert_int_equal(db_step(q), DB_ERROR);
        st = db_fail(b, &err, "updating");
        db_finalize(q);
        db_rollback(b);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(st, SL_ERR_BUSY);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(waited >= 0.15 && waited < 5.0);   /* it waited, and not for ever */
    db_rollback(a);
    /* once A is gone, B writes */
    assert_int_equal(db_begin(b, true, &err), SL_OK);
    exec_ok(b, "UPDATE t SET v = 2 WHERE id = 1");
    assert_int_equal(db_commit(b, &err), SL_OK);
    assert_int_equal(query_int(a, "SELECT v FROM t"), 2);
    db_close(a);
    db_close(b);
    drop("busy");
}

static const char *const *schema(int *count)
{
    if (is_pg()) {
        *count = db_pg_schema_versions;
        return db_pg_schema;
    }
    *count = db_sqlite_schema_versions;
    return db_sqlite_schema;
}

static void migrate_all(db *d, sl_error *err, sl_status *status)
{
    int count;
    const char *const *steps = schema(&count);
    *status = SL_OK;
    for (int v = 1; v <= count && *status == SL_OK; v++)
        *status = db_migrate_step(d, v, steps[v - 1], err);
}

static void migrations_idempotent(void **state)
{
    (void)state;
    assert_int_equal(db_pg_schema_versions, db_sqlite_schema_versions);
    db *d = open_ok(fresh("migrate"), false);
    int version = -1, count;
    schema(&count);
    sl_error err = {0};
    assert_int_equal(db_schema_version(d, &version, &err), SL_OK);
    assert_int_equal(version, 0);
    sl_status st;
    migrate_all(d, &err, &st);
    if (st != SL_OK)
        fail_msg("%s", err.message);
    assert_int_equal(db_schema_version(d, &version, &err), SL_OK);
    assert_int_equal(version, count);
    migrate_all(d, &err, &st);   /* again: nothing to do, nothing fails */
    assert_int_equal(st, SL_OK);
    assert_int_equal(db_schema_version(d, &version, &err), SL_OK);
    assert_int_equal(version, count);
    assert_false(db_in_transaction(d));
    assert_int_equal(query_int(d, "SELECT count(*) FROM imports WHERE practice = 0"), 0);

    /* the journal's rules hold in the database, with the same words */
    exec_ok(d, "INSERT INTO journal_tests (id, creator, step, metric, change, hypothesis,"
               " expectation, before_video, before_import, mde, alpha, power, tau2,"
               " sample_feasible, b_needed, planned_at, outcome)"
               " VALUES (1, 'c', 'pick', 'ctr', 'x', 'y', 'z', 'v', 1, 0.1, 0.05, 0.8, 1,"
               " 1, 100, 'now', 'abandoned')");
    assert_int_equal(db_exec(d, "UPDATE journal_tests SET lesson = 'l' WHERE id = 1", &err),
                     SL_ERR_STORE);
    assert_non_null(strstr(err.message, "a closed test is kept as it is"));
    assert_int_equal(db_exec(d, "DELETE FROM journal_tests", &err), SL_ERR_STORE);
    assert_non_null(strstr(err.message, "tests are kept"));
    if (is_pg()) {
        /* a step that skips a version is refused */
        assert_int_equal(db_migrate_step(d, count + 2, "SELECT 1", &err), SL_ERR_STORE);
        assert_false(db_in_transaction(d));
    }
    db_close(d);
    drop("migrate");
}

typedef struct migrator {
    const char *target;
    sl_status status;
    sl_error err;
} migrator;

static void *migrate_thread(void *arg)
{
    migrator *m = arg;
    db *d = NULL;
    m->status = open_target(m->target, false, &d, &m->err);
    if (m->status == SL_OK) {
        migrate_all(d, &m->err, &m->status);
        db_close(d);
    }
    return NULL;
}

static void migrations_concurrent(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        const char *target = fresh("race");
        migrator m[4] = {{target, SL_OK, {0}}, {target, SL_OK, {0}}, {target, SL_OK, {0}},
                         {target, SL_OK, {0}}};
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
        for (int i = 0; i < 4; i++)
            if (m[i].status != SL_OK)
                fail_msg("migrator %d: %s", i, m[i].err.message);
        db *d = open_ok(target, true);
        int version = -1, count;
        schema(&count);
        sl_error err = {0};
        assert_int_equal(db_schema_version(d, &version, &err), SL_OK);
        assert_int_equal(version, count);
        db_close(d);
        drop("race");
    }
}

static void readonly_refuses_writes(void **state)
{
    (void)state;
    const char *target = fresh("readonly");
    db *w = open_ok(target, false);
    exec_ok(w, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    exec_ok(w, "INSERT INTO t VALUES (1)");
    db_close(w);
    db *r = open_ok(target, true);
    assert_int_equal(query_int(r, "SELECT count(*) FROM t"), 1);
    sl_error err = {0};
    assert_int_equal(db_exec(r, "INSERT INTO t VALUES (2)", &err), SL_ERR_STORE);
    assert_non_null(strstr(err.message, db_name(r)));
    db_stmt *q = prepare_ok(r, "INSERT INTO t VALUES (?1)", true);
    db_bind_int(q, 1, 3);
    assert_int_equal(db_step(q), DB_ERROR);
    assert_int_equal(db_fail(r, &err, "inserting"), SL_ERR_STORE);
    db_finalize(q);
    assert_int_equal(query_int(r, "SELECT count(*) FROM t"), 1);
    db_close(r);
    drop("readonly");
}

/* ---- PostgreSQL only: a server that drops us, or is gone ---- */

static void terminate(db *victim)
{
    int64_t pid = query_int(victim, "SELECT pg_backend_pid()");
    db *killer = open_ok(pg_base, false);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%" PRId64 ", 5000)", pid);
    assert_int_equal(query_int(killer, sql), 1);
    db_close(killer);
}

/* db_import_rows_each's callback: each row's video, appended. */
static sl_status append_video(void *ctx, db_stmt *q)
{
    char *videos = ctx;
    strncat(videos, db_column_text(q, 1), 15 - strlen(videos));
    return SL_OK;
}

static void lost_connection(void **state)
{
    (void)state;
    if (!is_pg())
        skip();
    db *d = open_ok(fresh("lost"), false);
    exec_ok(d, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    db_stmt *kept = prepare_ok(d, "SELECT count(*) FROM t WHERE id > ?1", true);
    db_bind_int(kept, 1, 0);
    step_row(kept);
    db_reset(kept);

    /* a read finds the connection gone and runs again on a new one */
    terminate(d);
    step_row(kept);   /* prepared again on the new connection */
    assert_int_equal(db_column_int(kept, 0), 0);
    db_reset(kept);

    /* a write is not re-run (the server may have done it), but the
     * connection is back for the next statement */
    terminate(d);
    sl_error err = {0};
    db_stmt *q = prepare_ok(d, "INSERT INTO t VALUES (1)", false);
    assert_int_equal(db_step(q), DB_ERROR);
    assert_int_equal(db_fail(d, &err, "inserting"), SL_ERR_UNREACHABLE);
    db_finalize(q);
    assert_int_equal(query_int(d, "SELECT count(*) FROM t"), 0);

    /* an import's rows, read a span at a time in a transaction of their
     * own, are read again on a new connection as a lone query is */
    exec_ok(d, "CREATE TABLE records (import_id BIGINT, row BIGINT, video TEXT)");
    exec_ok(d, "INSERT INTO records VALUES (7, 3, 'c'), (7, 1, 'a'), (7, 20000, 'd'), "
               "(8, 2, 'x'), (7, 2, 'b')");
    terminate(d);
    char videos[16] = "";
    assert_int_equal(db_import_rows_each(d, 7, "row, video", append_video, videos, &err), SL_OK);
    assert_string_equal(videos, "abcd");
    assert_false(db_in_transaction(d));

    /* inside a transaction a read is not retried either: the work so far is gone */
    assert_int_equal(db_begin(d, true, &err), SL_OK);
    exec_ok(d, "INSERT INTO t VALUES (2)");
    terminate(d);
    assert_int_equal(db_step(kept), DB_ERROR);
    assert_int_equal(db_fail(d, &err, "counting"), SL_ERR_UNREACHABLE);
    db_reset(kept);
    assert_true(db_in_transaction(d));
    db_rollback(d);
    assert_false(db_in_transaction(d));
    step_row(kept);
    assert_int_equal(db_column_int(kept, 0), 0);
    db_finalize(kept);
    db_close(d);
    drop("lost");
}

/* The server's socket reached through a directory of our own, so the test
 * can take the server away (remove the link) without stopping the server
 * other tests use. */
static void server_gone(void **state)
{
    (void)state;
    if (!is_pg())
        skip();
    char host[512], port[16] = "5432";
    if (!pg_option("host", host, sizeof host) || host[0] != '/')
        skip();   /* a TCP server: nothing to take away */
    pg_option("port", port, sizeof port);
    char link_dir[] = "/tmp/slpg-XXXXXX", socket[600], target_socket[600];
    assert_non_null(mkdtemp(link_dir));
    snprintf(socket, sizeof socket, "%s/.s.PGSQL.%s", link_dir, port);
    snprintf(target_socket, sizeof target_socket, "%s/.s.PGSQL.%s", host, port);
    assert_int_equal(symlink(target_socket, socket), 0);
    char conninfo[1024];
    const char *keys[] = {"host"}, *values[] = {link_dir};
    pg_conninfo(conninfo, sizeof conninfo, keys, values, 1);

    db *d = open_ok(conninfo, false);
    assert_int_equal(query_int(d, "SELECT 1"), 1);
    unlink(socket);
    terminate(d);
    db_stmt *q = prepare_ok(d, "SELECT 1", false);
    assert_int_equal(db_step(q), DB_ERROR);
    sl_error err = {0};
    assert_int_equal(db_fail(d, &err, "reading"), SL_ERR_UNREACHABLE);
    assert_non_null(strstr(err.message, db_name(d)));
    db_finalize(q);
    assert_int_equal(db_exec(d, "SELECT 1", &err), SL_ERR_UNREACHABLE);
    db_close(d);

    db *none = NULL;
    assert_int_equal(db_pg_open(conninfo, false, &none, &err), SL_ERR_UNREACHABLE);
    assert_null(none);
    assert_non_null(strstr(err.message, link_dir));
    rmdir(link_dir);
}

static void name_hides_password(void **state)
{
    (void)state;
    if (!is_pg())
        skip();
    char conninfo[1024];
    const char *keys[] = {"password"}, *values[] = {"secret"};
    pg_conninfo(conninfo, sizeof conninfo, keys, values, 1);
    db *d = open_ok(conninfo, false);   /* the test cluster trusts local users */
    assert_null(strstr(db_name(d), "secret"));
    assert_non_null(strstr(db_name(d), "PostgreSQL database shoplab on "));
    sl_error err = {0};
    assert_int_equal(db_exec(d, "SELECT nonsense", &err), SL_ERR_STORE);
    assert_null(strstr(err.message, "secret"));
    db_close(d);

    /* nor when connecting fails, or the string does not parse */
    const char *keys2[] = {"password", "host"}, *values2[] = {"secret", "/nonexistent-dir"};
    pg_conninfo(conninfo, sizeof conninfo, keys2, values2, 2);
    assert_int_equal(db_pg_open(conninfo, false, &d, &err), SL_ERR_UNREACHABLE);
    assert_null(strstr(err.message, "secret"));
    assert_non_null(strstr(err.message, "/nonexistent-dir"));
    assert_int_equal(db_pg_open("password=secret nonsense", false, &d, &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_null(strstr(err.message, "secret"));
    assert_int_equal(db_pg_open("postgresql://u:secret@/db?bogus=1", false, &d, &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_null(strstr(err.message, "secret"));
}

static void engine_of_target(void **state)
{
    (void)state;
    static const struct {
        const char *target;
        sl_status status;
        db_engine engine;
    } cases[] = {
        {"postgresql://db.example.com/shoplab", SL_OK, DB_POSTGRES},
        {"POSTGRES://u@h/d", SL_OK, DB_POSTGRES},
        {"postgresql:///shoplab?host=/run/pg", SL_OK, DB_POSTGRES},
        {"service=team", SL_OK, DB_POSTGRES},
        {"host=/run/pg dbname=shoplab", SL_OK, DB_POSTGRES},
        {"  dbname = shoplab", SL_OK, DB_POSTGRES},
        {"shoplab.db", SL_OK, DB_SQLITE},
        {"/home/me/.local/share/shoplab/shoplab.db", SL_OK, DB_SQLITE},
        {"./host=x.db", SL_OK, DB_SQLITE},
        {"notakeyword=x", SL_OK, DB_SQLITE},
        {"C:\\data\\shoplab.db", SL_OK, DB_SQLITE},
        {"mysql://db/shoplab", SL_ERR_INVALID_ARGUMENT, DB_SQLITE},
        {"http://example.com/x.db", SL_ERR_INVALID_ARGUMENT, DB_SQLITE},
        {"", SL_ERR_INVALID_ARGUMENT, DB_SQLITE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        db_engine e = DB_SQLITE;
        sl_error err = {0};
        sl_status st = db_engine_of_target(cases[i].target, &e, &err);
        if (st != cases[i].status || (st == SL_OK && e != cases[i].engine))
            fail_msg("%s: status %d engine %d", cases[i].target, (int)st, (int)e);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "postgres") != 0)) {
        fprintf(stderr, "usage: test_db sqlite|postgres\n");
        return 2;
    }
    engine = strcmp(argv[1], "postgres") == 0 ? DB_POSTGRES : DB_SQLITE;
    if (is_pg()) {
        pg_base = getenv("SHOPLAB_TEST_PG");
        const char *required = getenv("SHOPLAB_REQUIRE_PG_TESTS");
        if (!pg_base || !*pg_base) {
            fprintf(stderr, "test_db: SHOPLAB_TEST_PG is not set (tests/pg/cluster.sh "
                            "starts a server)\n");
            return required && strcmp(required, "1") == 0 ? 1 : 77;
        }
        const char *why = NULL;
        if (!sl_pq_api_get(&why)) {
            fprintf(stderr, "test_db: %s\n", why);
            return 1;
        }
    } else {
#ifndef HAVE_DB_SQLITE
        fprintf(stderr, "test_db: this build has no db_sqlite.c yet\n");
        return 77;
#endif
    }
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine_of_target),
        cmocka_unit_test(values_round_trip),
        cmocka_unit_test(copy_many_rows),
        cmocka_unit_test(copy_abandoned),
        cmocka_unit_test(copy_values_meet_types),
        cmocka_unit_test(copy_money_exactly),
        cmocka_unit_test(placeholders_in_quotes),
        cmocka_unit_test(steps_and_reset),
        cmocka_unit_test(unique_violation_is_store),
        cmocka_unit_test(lock_wait_is_busy),
        cmocka_unit_test(migrations_idempotent),
        cmocka_unit_test(migrations_concurrent),
        cmocka_unit_test(readonly_refuses_writes),
        cmocka_unit_test(lost_connection),
        cmocka_unit_test(server_gone),
        cmocka_unit_test(name_hides_password),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return failed;
}
