/*
 * test_store.c — the store: where it lives, WAL and schema version,
 * exact round trips of records, one import = one transaction, and the
 * SHA-256 that names an import's content (FIPS 180-4 example vectors).
 *
 * Run twice: on SQLite, and with SHOPLAB_TEST_ENGINE=postgres on the test
 * cluster (store_target.h); the few SQLite-only cases skip there.
 */
#include "import/ingest.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_target.h"

static char dir[] = "/tmp/shoplab-store-XXXXXX";

/* A file in the test directory. */
static const char *in_dir(const char *name)
{
    static char path[2][512];
    static int next;
    char *p = path[next++ % 2];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

/* The store called `name`: the same one each time it is asked for. */
static const char *store_named(const char *name)
{
    static struct {
        char name[64];
        char target[1024];
    } known[16];
    static int count;
    for (int i = 0; i < count; i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].target;
    assert_true(count < 16);
    int i = count++;
    snprintf(known[i].name, sizeof known[i].name, "%s", name);
    return test_store_target(known[i].target, sizeof known[i].target, dir, known[i].name);
}

static long long query_int(const char *db_path, const char *sql)
{
    if (test_on_postgres())
        return test_pg_int(db_path, sql);
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static void default_path_rules(void **state)
{
    (void)state;
    if (test_on_postgres())
        skip(); /* no engine in it */
    char out[512];
    sl_error err;
    setenv("SHOPLAB_DB", "/x/given.db", 1);
    assert_int_equal(sl_store_default_path(out, sizeof out, &err), SL_OK);
    assert_string_equal(out, "/x/given.db");
    unsetenv("SHOPLAB_DB");
    setenv("XDG_DATA_HOME", "/data", 1);
    setenv("HOME", "/home/c", 1);
    assert_int_equal(sl_store_default_path(out, sizeof out, &err), SL_OK);
    assert_string_equal(out, "/data/shoplab/shoplab.db");
    setenv("XDG_DATA_HOME", "relative/not/allowed", 1);
    assert_int_equal(sl_store_default_path(out, sizeof out, &err), SL_OK);
    assert_string_equal(out, "/home/c/.local/share/shoplab/shoplab.db");
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    assert_int_equal(sl_store_default_path(out, sizeof out, &err), SL_ERR_INVALID_ARGUMENT);
    setenv("HOME", "/root", 1);
    assert_int_equal(sl_store_default_path(out, 8, &err), SL_ERR_INVALID_ARGUMENT);
}

static void open_creates_wal_database(void **state)
{
    (void)state;
    if (test_on_postgres())
        skip(); /* SQLite's files and pragmas; test_db checks PostgreSQL's versions */
    sl_store *s;
    sl_error err;
    const char *path = in_dir("a/b/c/shop.db");
    assert_int_equal(sl_store_open(path, &s, &err), SL_OK);
    sl_store_close(s);
    /* migrations: imports and records (1), the journal (2), drill answers (3),
     * import titles and the practice mark (4), the currency (5), team mode's
     * accounts, sessions, creators and audit log (6), journal change tags (7),
     * drill answers per account (8), the creators of each import (9),
     * PostgreSQL's BRIN index on row (10, nothing on SQLite) */
    assert_int_equal(query_int(path, "PRAGMA user_version"), 10);
    assert_int_equal(query_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                                     "('journal_tests', 'journal_looks')"),
                     2);
    sqlite3 *db;
    sqlite3_stmt *q;
    sqlite3_open(path, &db);
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    /* a database from a newer ShopLab is refused, not damaged */
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(sl_store_open(path, &s, &err), SL_ERR_STORE);
    assert_non_null(strstr(err.message, "newer ShopLab"));
    assert_int_equal(query_int(path, "PRAGMA user_version"), 99);
    /* a path that cannot be a directory */
    assert_int_equal(sl_store_open("/proc/shoplab-cannot/x.db", &s, &err), SL_ERR_STORE);
}

/* On either engine: a store whose schema is newer than this ShopLab's is
 * refused by name, and left as it was. */
static void newer_schema_refused(void **state)
{
    (void)state;
    const char *target = store_named("newer.db");
    sl_store *s;
    sl_error err;
    assert_int_equal(sl_store_open(target, &s, &err), SL_OK);
    sl_store_close(s);
    if (test_on_postgres()) {
        assert_int_equal(test_pg_sql(target, "INSERT INTO shoplab_schema VALUES (99)"), 0);
    } else {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(target, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
    }
    assert_int_equal(sl_store_open(target, &s, &err), SL_ERR_STORE);
    assert_non_null(strstr(err.message, "newer ShopLab"));
    assert_int_equal(sl_store_open_readonly(target, &s, &err), SL_ERR_STORE);
    assert_int_equal(query_int(target, test_on_postgres()
                                           ? "SELECT max(version) FROM shoplab_schema"
                                           : "PRAGMA user_version"),
                     99);
    assert_int_equal(query_int(target, "SELECT count(*) FROM imports"), 0);
}

static sl_record record(uint64_t row, const char *video, const char *creator)
{
    sl_record r;
    memset(&r, 0, sizeof r);
    r.row = row;
    snprintf(r.key[SL_DIM_VIDEO], SL_MAX_ID, "%s", video);
    snprintf(r.key[SL_DIM_CREATOR], SL_MAX_ID, "%s", creator);
    snprintf(r.label, SL_MAX_LABEL, "title of %s", video);
    return r;
}

typedef struct got {
    sl_record items[8];
    int count;
} got;

static sl_status keep(void *ctx, const sl_record *rec)
{
    got *g = ctx;
    g->items[g->count++] = *rec;
    return SL_OK;
}

static void records_round_trip_exactly(void **state)
{
    (void)state;
    sl_store *s;
    sl_error err;
    assert_int_equal(sl_store_open(store_named("trip.db"), &s, &err), SL_OK);
    sl_record a = record(4, "7212345678901234567", "c1");
    sl_funnel_set(&a.funnel, SL_FIELD_VIEWS, SL_MAX_COUNT);      /* 2^53 exactly */
    sl_funnel_set(&a.funnel, SL_FIELD_GMV, 1234567.89);
    sl_funnel_set(&a.funnel, SL_FIELD_ORDERS, 0);                /* 0 is not absent */
    sl_record b = record(5, "7212345678901234568", "c2");
    sl_funnel_set(&b.funnel, SL_FIELD_PRODUCT_CLICKS, 17);
    sl_import meta = {.header_row = 3};
    snprintf(meta.hash, sizeof meta.hash, "%064d", 1);
    snprintf(meta.file, sizeof meta.file, "videos.xlsx");
    snprintf(meta.sheet, sizeof meta.sheet, "Videos");
    int64_t id, existing;
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    assert_int_equal(existing, 0);
    assert_int_equal(sl_store_import_add(s, &a, &err), SL_OK);
    assert_int_equal(sl_store_import_add(s, &b, &err), SL_OK);
    assert_int_equal(sl_store_import_commit(s, 2, 1, &err), SL_OK);
    got g = {0};
    assert_int_equal(sl_store_records(s, id, keep, &g, &err), SL_OK);
    assert_int_equal(g.count, 2);
    assert_int_equal(g.items[0].row, 4);
    assert_string_equal(g.items[0].key[SL_DIM_VIDEO], "7212345678901234567");
    assert_string_equal(g.items[0].key[SL_DIM_DAY], "");
    assert_string_equal(g.items[0].label, "title of 7212345678901234567");
    assert_int_equal(g.items[0].funnel.present, a.funnel.present);
    assert_true(g.items[0].funnel.value[SL_FIELD_VIEWS] == SL_MAX_COUNT);
    assert_true(g.items[0].funnel.value[SL_FIELD_GMV] == 1234567.89);
    assert_true(g.items[0].funnel.value[SL_FIELD_ORDERS] == 0);
    assert_int_equal(g.items[1].funnel.present, 1u << SL_FIELD_PRODUCT_CLICKS);
    sl_import m;
    assert_int_equal(sl_store_import_get(s, id, &m, &err), SL_OK);
    assert_int_equal(m.rows, 2);
    assert_int_equal(m.skipped, 1);
    assert_string_equal(m.sheet, "Videos");
    assert_int_equal(strlen(m.imported_at), 20);
    /* the same hash again: nothing begun */
    int64_t id2;
    assert_int_equal(sl_store_import_begin(s, &meta, &id2, &existing, &err), SL_OK);
    assert_int_equal(existing, id);
    assert_int_equal(sl_store_import_add(s, &a, &err), SL_ERR_INVALID_ARGUMENT);
    /* the creator filter and the order */
    snprintf(meta.hash, sizeof meta.hash, "%064d", 2);
    assert_int_equal(sl_store_import_begin(s, &meta, &id2, &existing, &err), SL_OK);
    sl_record c = record(2, "v9", "c9");
    assert_int_equal(sl_store_import_add(s, &c, &err), SL_OK);
    assert_int_equal(sl_store_import_commit(s, 1, 0, &err), SL_OK);
    sl_import *items;
    size_t n;
    assert_int_equal(sl_store_imports(s, NULL, &items, &n, &err), SL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(items[0].id, id2); /* newest first */
    sl_free(items);
    assert_int_equal(sl_store_imports(s, "c2", &items, &n, &err), SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].id, id);
    sl_free(items);
    /* rows naming many creators, repeated and interleaved: each is found,
     * and a creator of no row is not */
    snprintf(meta.hash, sizeof meta.hash, "%064d", 3);
    int64_t id3;
    assert_int_equal(sl_store_import_begin(s, &meta, &id3, &existing, &err), SL_OK);
    for (int r = 0; r < 120; r++) {
        char creator[16];
        snprintf(creator, sizeof creator, "m%d", (r * 7) % 40);
        sl_record x = record(2 + r, "v1", creator);
        assert_int_equal(sl_store_import_add(s, &x, &err), SL_OK);
    }
    assert_int_equal(sl_store_import_commit(s, 120, 0, &err), SL_OK);
    for (int k = 0; k <= 40; k++) {
        char creator[16];
        snprintf(creator, sizeof creator, "m%d", k);
        assert_int_equal(sl_store_imports(s, creator, &items, &n, &err), SL_OK);
        assert_int_equal(n, k < 40 ? 1 : 0);
        if (n)
            assert_int_equal(items[0].id, id3);
        sl_free(items);
    }
    assert_int_equal(sl_store_forget(s, id3, &err), SL_OK);
    assert_int_equal(sl_store_imports(s, "m5", &items, &n, &err), SL_OK);
    assert_int_equal(n, 0); /* forgotten with its creators */
    sl_free(items);
    assert_int_equal(sl_store_forget(s, id, &err), SL_OK);
    assert_int_equal(sl_store_import_get(s, id, &m, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_forget(s, id, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_store_imports(s, "c2", &items, &n, &err), SL_OK);
    assert_int_equal(n, 0);
    sl_free(items);
    sl_store_close(s);
    assert_int_equal(query_int(store_named("trip.db"), "SELECT count(*) FROM records"), 1);
}

/* An import begun before its content's hash is known (the hash is taken
 * beside it) gets the hash at its commit, and is dropped there when that
 * content is already stored: one import, its id given back, and no
 * placeholder left behind. */
static void content_hash_given_at_commit(void **state)
{
    (void)state;
    sl_store *s;
    sl_error err;
    const char *target = store_named("hashed.db");
    assert_int_equal(sl_store_open(target, &s, &err), SL_OK);
    sl_import meta = {.header_row = 1};
    snprintf(meta.file, sizeof meta.file, "first.csv");
    int64_t id, existing;
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    assert_true(id > 0);
    assert_int_equal(existing, 0);
    sl_record r = record(2, "v1", "c1");
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    char hash[65];
    snprintf(hash, sizeof hash, "%064d", 42);
    assert_int_equal(sl_store_import_commit_hashed(s, hash, 1, 0, &existing, &err), SL_OK);
    assert_int_equal(existing, 0);
    sl_import got;
    assert_int_equal(sl_store_import_get(s, id, &got, &err), SL_OK);
    assert_string_equal(got.hash, hash);
    assert_int_equal(got.rows, 1);

    /* the same content under another name: found at the commit */
    snprintf(meta.file, sizeof meta.file, "renamed.csv");
    int64_t id2;
    assert_int_equal(sl_store_import_begin(s, &meta, &id2, &existing, &err), SL_OK);
    assert_true(id2 > id);
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    assert_int_equal(sl_store_import_commit_hashed(s, hash, 1, 0, &existing, &err), SL_OK);
    assert_int_equal(existing, id);
    assert_int_equal(sl_store_import_get(s, id2, &got, &err), SL_ERR_NOT_FOUND);
    /* nothing is left open: the next import begins */
    snprintf(hash, sizeof hash, "%064d", 43);
    assert_int_equal(sl_store_import_begin(s, &meta, &id2, &existing, &err), SL_OK);
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    assert_int_equal(sl_store_import_commit_hashed(s, hash, 1, 0, &existing, &err), SL_OK);
    assert_int_equal(existing, 0);
    sl_store_close(s);
    assert_int_equal(query_int(target, "SELECT count(*) FROM imports"), 2);
    assert_int_equal(query_int(target, "SELECT count(*) FROM imports WHERE hash LIKE 'pending:%'"),
                     0);
    assert_int_equal(query_int(target, "SELECT count(*) FROM records"), 2);
}

/* PostgreSQL: another process stores the same content while this import
 * runs, and commits only after this one has looked for it.  This one's
 * commit then waits for the other's, fails on the unique hash, and is
 * rolled back and reported as already stored under the other's id, not
 * as a failure.  (psql plays the other process: its transaction inserts
 * the content, then commits a second after this import starts its
 * commit.) */
static void same_content_stored_meanwhile(void **state)
{
    (void)state;
    if (!test_on_postgres())
        skip(); /* SQLite's write lock lets no other import run meanwhile */
    sl_store *s;
    sl_error err;
    const char *target = store_named("meanwhile.db");
    assert_int_equal(sl_store_open(target, &s, &err), SL_OK);
    char hash[65];
    snprintf(hash, sizeof hash, "%064d", 77);
    char command[2048];
    snprintf(command, sizeof command, "psql -q -X -v ON_ERROR_STOP=1 '%s' >/dev/null", target);
    FILE *other = popen(command, "w");
    assert_non_null(other);
    fprintf(other,
            "BEGIN; INSERT INTO imports (hash, file, header_row, imported_at) "
            "VALUES ('%s', 'other.csv', 1, '2026-12-07T00:00:00Z');\n",
            hash);
    fflush(other);
    nanosleep(&(struct timespec){0, 500 * 1000 * 1000}, NULL); /* its INSERT lands first */
    sl_import meta = {.header_row = 1};
    snprintf(meta.file, sizeof meta.file, "mine.csv");
    int64_t id, existing;
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    sl_record r = record(2, "v1", "c1");
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    fprintf(other, "SELECT pg_sleep(1); COMMIT;\n");
    fflush(other);
    assert_int_equal(sl_store_import_commit_hashed(s, hash, 1, 0, &existing, &err), SL_OK);
    assert_int_equal(pclose(other), 0);
    assert_true(existing > 0);
    assert_int_equal(existing,
                     query_int(target, "SELECT id FROM imports WHERE file = 'other.csv'"));
    assert_int_equal(query_int(target, "SELECT count(*) FROM imports"), 1);
    /* the store goes on: the next import commits */
    snprintf(hash, sizeof hash, "%064d", 78);
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    assert_int_equal(sl_store_import_commit_hashed(s, hash, 1, 0, &existing, &err), SL_OK);
    assert_int_equal(existing, 0);
    sl_store_close(s);
    assert_int_equal(query_int(target, "SELECT count(*) FROM imports"), 2);
}

/* An import's rows hold only what its file sent, and read back with the
 * rest absent.  On PostgreSQL the import's table is made with the sent
 * columns alone and given the others after the load (db_pg_copy.c,
 * import_table_sql), so no row carries the import's id, nor a NULL for a
 * column the file lacks: the catalogue holds those values. */
static void rows_hold_only_what_the_file_sent(void **state)
{
    (void)state;
    sl_store *s;
    sl_error err;
    const char *target = store_named("narrow.db");
    assert_int_equal(sl_store_open(target, &s, &err), SL_OK);
    sl_import meta = {.header_row = 1};
    snprintf(meta.hash, sizeof meta.hash, "%064d", 7);
    snprintf(meta.file, sizeof meta.file, "narrow.csv");
    meta.fields_given = 1u << SL_FIELD_VIEWS | 1u << SL_FIELD_GMV;
    meta.keys_given = 1u << SL_DIM_VIDEO | 1u << SL_DIM_DAY;
    int64_t id, existing;
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    for (uint64_t row = 2; row <= 4; row++) {
        sl_record r;
        memset(&r, 0, sizeof r);
        r.row = row;
        snprintf(r.key[SL_DIM_VIDEO], SL_MAX_ID, "v%d", (int)row);
        snprintf(r.key[SL_DIM_DAY], SL_MAX_ID, "2026-12-0%d", (int)row);
        sl_funnel_set(&r.funnel, SL_FIELD_VIEWS, (double)(10 * row));
        if (row != 3) /* a cell that could not be read: NULL in a sent column */
            sl_funnel_set(&r.funnel, SL_FIELD_GMV, 1.25 * (double)row);
        assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    }
    assert_int_equal(sl_store_import_commit(s, 3, 0, &err), SL_OK);
    got g = {0};
    assert_int_equal(sl_store_records(s, id, keep, &g, &err), SL_OK);
    sl_store_close(s);
    assert_int_equal(g.count, 3);
    for (int i = 0; i < 3; i++) {
        const sl_record *r = &g.items[i];
        assert_int_equal(r->row, (uint64_t)(2 + i));
        assert_string_equal(r->key[SL_DIM_VIDEO], i == 0 ? "v2" : i == 1 ? "v3" : "v4");
        assert_string_equal(r->key[SL_DIM_DAY], i == 0 ? "2026-12-02" : i == 1 ? "2026-12-03"
                                                                              : "2026-12-04");
        assert_string_equal(r->key[SL_DIM_CREATOR], "");
        assert_string_equal(r->label, "");
        assert_true(r->funnel.value[SL_FIELD_VIEWS] == 10.0 * (double)(2 + i));
        assert_int_equal(r->funnel.present, i == 1 ? 1u << SL_FIELD_VIEWS
                                                   : (1u << SL_FIELD_VIEWS | 1u << SL_FIELD_GMV));
    }
    assert_true(g.items[2].funnel.value[SL_FIELD_GMV] == 5.0);
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM records WHERE import_id = %lld AND live = '' AND label = '' "
             "AND orders IS NULL AND refunds IS NULL",
             (long long)id);
    assert_int_equal(query_int(target, sql), 3);
    if (!test_on_postgres())
        return;
    /* The table's first columns are the five sent, in any order; the
     * import's id comes after them, with its value in the catalogue. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_attribute WHERE attrelid = 'records_%lld'::regclass "
             "AND attnum BETWEEN 1 AND 5 AND attname IN ('row', 'video', 'day', 'views', 'gmv')",
             (long long)id);
    assert_int_equal(query_int(target, sql), 5);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_attribute WHERE attrelid = 'records_%lld'::regclass "
             "AND attname = 'import_id' AND attnum > 5 AND atthasmissing",
             (long long)id);
    assert_int_equal(query_int(target, sql), 1);
}

/* The rows come back in row order and all of them, though the store reads
 * them a span of row numbers per query (records_read.c): rows on both
 * sides of a span's edge, a run over several spans, gaps wider than many
 * spans, the largest row number a store holds, and rows added out of
 * order (the order is the query's, not the order rows lie in). */
typedef struct row_walk {
    uint64_t count, last, sum;
    bool ordered;
} row_walk;

static sl_status check_order(void *ctx, const sl_record *rec)
{
    row_walk *w = ctx;
    if (w->count && rec->row <= w->last)
        w->ordered = false;
    w->last = rec->row;
    w->sum += rec->row;
    w->count++;
    return SL_OK;
}

static void records_read_back_in_row_order_across_spans(void **state)
{
    (void)state;
    sl_store *s;
    sl_error err;
    assert_int_equal(sl_store_open(store_named("spans.db"), &s, &err), SL_OK);
    sl_import meta = {.header_row = 1};
    snprintf(meta.hash, sizeof meta.hash, "%064d", 11);
    snprintf(meta.file, sizeof meta.file, "spans.csv");
    int64_t id, existing;
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    const uint64_t edges[] = {5000000, 0, 1, 16383, 16385, 32767, 32768,
                              (uint64_t)INT64_MAX - 1, 16384};
    uint64_t count = 0, sum = 0;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        sl_record r = record(edges[i], "v1", "c1");
        assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
        count++, sum += edges[i];
    }
    for (uint64_t row = 100000; row < 140000; row++) {
        sl_record r = record(row, "v2", "c1");
        assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
        count++, sum += row;
    }
    assert_int_equal(sl_store_import_commit(s, count, 0, &err), SL_OK);
    row_walk w = {.ordered = true};
    assert_int_equal(sl_store_records(s, id, check_order, &w, &err), SL_OK);
    assert_int_equal(w.count, count);
    assert_true(w.sum == sum);
    assert_true(w.ordered);
    assert_true(w.last == (uint64_t)INT64_MAX - 1);
    sl_store_close(s);
}

static void abort_and_close_leave_nothing(void **state)
{
    (void)state;
    sl_store *s;
    sl_error err;
    const char *path = store_named("abort.db");
    assert_int_equal(sl_store_open(path, &s, &err), SL_OK);
    sl_import meta = {.header_row = 1};
    snprintf(meta.hash, sizeof meta.hash, "%064d", 3);
    int64_t id, existing;
    sl_record r = record(2, "v1", "c1");
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    sl_store_import_abort(s);
    assert_int_equal(sl_store_import_begin(s, &meta, &id, &existing, &err), SL_OK);
    assert_int_equal(existing, 0); /* the aborted one left no hash behind */
    assert_int_equal(sl_store_import_add(s, &r, &err), SL_OK);
    sl_store_close(s); /* closed while open: rolled back */
    assert_int_equal(query_int(path, "SELECT count(*) FROM imports"), 0);
    assert_int_equal(query_int(path, "SELECT count(*) FROM records"), 0);
}

/* The SHA-256 of a file as the import keeps it: the FIPS 180-4 examples,
 * and a million 'a' that spans many read chunks. */
static void file_hash_vectors(void **state)
{
    (void)state;
    static const struct { const char *text, *hex; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    char hex[65];
    sl_error err;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        FILE *f = tmpfile();
        assert_non_null(f);
        if (v[i].text)
            fputs(v[i].text, f);
        else
            for (int k = 0; k < 1000000; k++)
                fputc('a', f);
        fflush(f);
        assert_int_equal(ingest_hash_fd(fileno(f), "vector", hex, &err), SL_OK);
        assert_string_equal(hex, v[i].hex);
        fclose(f);
    }
}

/* A stored import read back gives the report the file gave: same groups,
 * same sums (money exact), same ranks and labels; regrouping works; a
 * missing import is NOT_FOUND; a key the rows lack is UNRECOGNISED. */
static void report_from_import_matches_read(void **state)
{
    (void)state;
    const char *csv = in_dir("week.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("[Date Range]: 2026-09-01 ~ 2026-09-07\n"
          "Video ID,Video title,Post date,Video views,Product impressions,Product clicks,"
          "Orders,GMV\n"
          "7400000000000000001,Lamp <b>one</b>,2026-09-01,1000,400,20,2,19.99\n"
          "7400000000000000002,Lamp two,2026-09-02,3000,900,30,1,0.10\n"
          "7400000000000000001,Lamp <b>one</b>,2026-09-03,500,100,5,1,0.20\n"
          "7400000000000000003,Lamp three,2026-09-03,800,300,12,0,0\n",
          f);
    fclose(f);
    sl_store *s;
    sl_error err;
    assert_int_equal(sl_store_open(store_named("stored.db"), &s, &err), SL_OK);
    const char *paths[] = {csv};
    const char *names[] = {"week one.csv"};
    sl_read_options o = {.store = s, .names = names};
    sl_report *read = NULL, *back = NULL;
    assert_int_equal(sl_report_read(paths, 1, &o, &read, &err), SL_OK);
    assert_string_equal(read->sources[0].file, "week one.csv");
    int64_t id = read->sources[0].import_id;
    assert_true(id > 0);
    sl_read_options plain = {0};
    assert_int_equal(sl_report_from_import(s, id, &plain, &back, &err), SL_OK);
    assert_true(back->grouped);
    assert_int_equal(back->by, SL_DIM_VIDEO);
    assert_int_equal(back->row_count, 3);
    assert_int_equal(back->row_count, read->row_count);
    for (size_t i = 0; i < read->row_count; i++) {
        assert_string_equal(back->rows[i].key, read->rows[i].key);
        assert_string_equal(back->rows[i].label, read->rows[i].label);
        assert_int_equal(back->rows[i].rank, read->rows[i].rank);
        assert_int_equal(back->rows[i].source_rows, read->rows[i].source_rows);
        assert_memory_equal(back->rows[i].funnel.value, read->rows[i].funnel.value,
                            sizeof read->rows[i].funnel.value);
    }
    /* 19.99 + 0.20 summed in hundredths, not in binary fractions. */
    assert_string_equal(back->rows[0].key, "7400000000000000001");
    assert_true(back->rows[0].funnel.value[SL_FIELD_GMV] == 20.19);
    assert_true(back->totals.funnel.value[SL_FIELD_GMV] == 20.29);
    assert_true(back->totals.funnel.value[SL_FIELD_VIEWS] == 5300);
    assert_string_equal(back->sources[0].file, "week one.csv");
    assert_string_equal(back->sources[0].period, "2026-09-01 ~ 2026-09-07");
    assert_int_equal(back->sources[0].rows, 4);
    sl_report_free(back);
    sl_read_options by_day = {.group = true, .by = SL_DIM_DAY};
    assert_int_equal(sl_report_from_import(s, id, &by_day, &back, &err), SL_OK);
    assert_int_equal(back->row_count, 3);
    bool found = false;
    for (size_t i = 0; i < back->row_count; i++)
        if (strcmp(back->rows[i].key, "2026-09-03") == 0) {
            found = true;
            assert_true(back->rows[i].funnel.value[SL_FIELD_VIEWS] == 1300);
            assert_int_equal(back->rows[i].source_rows, 2);
        }
    assert_true(found);
    sl_report_free(back);
    sl_read_options by_live = {.group = true, .by = SL_DIM_LIVE};
    assert_int_equal(sl_report_from_import(s, id, &by_live, &back, &err), SL_ERR_UNRECOGNISED);
    assert_null(back);
    assert_int_equal(sl_report_from_import(s, id + 100, &plain, &back, &err), SL_ERR_NOT_FOUND);
    sl_report_free(read);
    sl_store_close(s);
}

static void drill_progress_counts(void **state)
{
    (void)state;
    const sl_content *c = sl_content_builtin(NULL);
    assert_non_null(c);
    const sl_drill_set *tag = sl_drill_set_get(c, SL_DRILL_TAG);
    assert_non_null(tag);
    assert_true(tag->drill_count >= 2);
    sl_store *s;
    sl_error err;
    assert_int_equal(sl_store_open(store_named("drills.db"), &s, &err), SL_OK);
    sl_drill_progress p;
    assert_int_equal(sl_store_drill_progress(s, 0, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 0);
    const sl_drill *a = &tag->drills[0], *b = &tag->drills[1];
    assert_int_equal(sl_store_drill_answer(s, 0, a, "a", false, &err), SL_OK);
    assert_int_equal(sl_store_drill_answer(s, 0, a, "b", true, &err), SL_OK);
    assert_int_equal(sl_store_drill_answer(s, 0, b, "c", false, &err), SL_OK);
    assert_int_equal(sl_store_drill_progress(s, 0, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 3);
    assert_int_equal(p.correct, 1);
    assert_int_equal(p.scenarios_seen, 2);
    assert_int_equal(p.scenarios_solved, 1);
    assert_int_equal(sl_store_drill_progress(s, 0, SL_DRILL_PICK, &p, &err), SL_OK);
    assert_int_equal(p.answered, 0);
    sl_store_close(s);
    /* Kept across a reopen. */
    assert_int_equal(sl_store_open(store_named("drills.db"), &s, &err), SL_OK);
    assert_int_equal(sl_store_drill_progress(s, 0, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 3);
    sl_store_close(s);
}

int main(void)
{
    test_require_cluster();
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_path_rules),
        cmocka_unit_test(open_creates_wal_database),
        cmocka_unit_test(newer_schema_refused),
        cmocka_unit_test(records_round_trip_exactly),
        cmocka_unit_test(records_read_back_in_row_order_across_spans),
        cmocka_unit_test(rows_hold_only_what_the_file_sent),
        cmocka_unit_test(content_hash_given_at_commit),
        cmocka_unit_test(same_content_stored_meanwhile),
        cmocka_unit_test(abort_and_close_leave_nothing),
        cmocka_unit_test(file_hash_vectors),
        cmocka_unit_test(report_from_import_matches_read),
        cmocka_unit_test(drill_progress_counts),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return failed;
}
