/*
 * store_crash.c — crash safety of an import: a child process imports a
 * large CSV into the store and is killed with SIGKILL part-way; the store
 * must then hold nothing of that import (the imports and records counts
 * exactly as before, no record without its import), an import committed
 * earlier must be intact, and the next import of the same file must work
 * and store every row.  On SQLite the database must also pass PRAGMA
 * integrity_check.
 *
 * Usage: store_crash FIXTURE.csv [ROUNDS]   (FIXTURE: a small export,
 * committed first; ROUNDS kills, default 1, each at another point of the
 * import)
 *
 * With SHOPLAB_TEST_ENGINE=postgres the store is a fresh schema in the
 * cluster of SHOPLAB_TEST_PG (store_target.h): the killed child's
 * connection drops and the server rolls its transaction back.  Without a
 * cluster that run is skipped (77), or fails under SHOPLAB_REQUIRE_PG_TESTS.
 */
#include "shoplab.h"
#include "store_target.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { BIG_ROWS = 600000 };

static int ready_pipe[2];

/* The child tells the parent once it is `fraction`/8 of the way through. */
typedef struct progress_ctx {
    bool sent;
    unsigned eighths;
} progress_ctx;

static void signal_once(void *ctx, uint64_t done, uint64_t total)
{
    progress_ctx *p = ctx;
    if (!p->sent && done > total / 8 * p->eighths) {
        p->sent = true;
        if (write(ready_pipe[1], "x", 1) != 1)
            _exit(3);
    }
}

static int fail(const char *what)
{
    fprintf(stderr, "store_crash: %s\n", what);
    return 1;
}

static int fail_round(int round, const char *what)
{
    fprintf(stderr, "store_crash: round %d: %s\n", round, what);
    return 1;
}

/* The one whole number `sql` selects, on either engine; -1 on failure. */
static long long count(const char *target, const char *sql)
{
    if (test_on_postgres())
        return test_pg_int(target, sql);
    sqlite3 *db;
    long long v = -1;
    if (sqlite3_open_v2(target, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return v;
}

static bool sqlite_integrity_ok(const char *path)
{
    sqlite3 *db;
    bool ok = false;
    if (sqlite3_open(path, &db) == SQLITE_OK) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            ok = strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return ok;
}

/* Imports `path` into the store at `target`: its source (import id, already
 * stored) and rows read, or a message. */
static sl_status import_file(const char *target, const char *path, sl_source *source,
                             uint64_t *rows, sl_error *err)
{
    sl_store *store;
    sl_status st = sl_store_open(target, &store, err);
    if (st != SL_OK)
        return st;
    sl_read_options o = {.store = store};
    sl_report *r;
    const char *paths[] = {path};
    st = sl_report_read(paths, 1, &o, &r, err);
    if (st == SL_OK) {
        *source = r->sources[0];
        *rows = r->rows_read;
        sl_report_free(r);
    }
    sl_store_close(store);
    return st;
}

static const char *const COUNT_IMPORTS = "SELECT count(*) FROM imports";
static const char *const COUNT_RECORDS = "SELECT count(*) FROM records";
static const char *const COUNT_ORPHANS =
    "SELECT count(*) FROM records WHERE import_id NOT IN (SELECT id FROM imports)";

int main(int argc, char **argv)
{
    if (argc < 2)
        return fail("usage: store_crash FIXTURE.csv [ROUNDS]");
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    if (rounds < 1)
        return fail("ROUNDS must be a positive whole number");
    test_require_cluster();
    char dir[] = "/tmp/shoplab-crash-XXXXXX";
    if (!mkdtemp(dir))
        return fail("cannot make a temporary directory");
    char target[1024], big[256];
    test_store_target(target, sizeof target, dir, "store.db");
    snprintf(big, sizeof big, "%s/big.csv", dir);
    FILE *f = fopen(big, "w");
    if (!f)
        return fail("cannot write the big file");
    fprintf(f, "Video ID,Views,Product impressions,Product clicks,Orders,GMV\n");
    for (int i = 0; i < BIG_ROWS; i++)
        fprintf(f, "%d,%d,%d,%d,%d,%d.%02d\n", 7300000 + i % 50000, 1000 + i % 777, 400 + i % 333,
                10 + i % 37, i % 5, i % 5 * 19, i % 100);
    fclose(f);

    /* An import committed before the crashes. */
    sl_error err;
    sl_source src;
    uint64_t first_rows;
    if (import_file(target, argv[1], &src, &first_rows, &err) != SL_OK)
        return fail(err.message);
    int64_t first_id = src.import_id;

    for (int round = 1; round <= rounds; round++) {
        long long imports = count(target, COUNT_IMPORTS);
        long long records = count(target, COUNT_RECORDS);
        if (imports != 1 || records != (long long)first_rows)
            return fail_round(round, "the store does not hold just the first import");

        /* The kill comes at another point each round: after 2/8 to 6/8 (then 1/8) of the
         * file, and 0 to 45 ms later. */
        progress_ctx pc = {.eighths = 1 + (unsigned)round % 6};
        long delay_ms = (round * 20) % 50;
        if (pipe(ready_pipe) != 0)
            return fail("pipe");
        pid_t child = fork();
        if (child < 0)
            return fail("fork");
        if (child == 0) {
            close(ready_pipe[0]);
            sl_store *s;
            if (sl_store_open(target, &s, &err) != SL_OK)
                _exit(2);
            sl_read_options co = {.store = s, .progress = signal_once, .progress_ctx = &pc};
            const char *paths[] = {big};
            sl_report *r;
            sl_report_read(paths, 1, &co, &r, &err);
            _exit(0); /* reaching here means the kill came too late */
        }
        close(ready_pipe[1]);
        char byte;
        if (read(ready_pipe[0], &byte, 1) != 1)
            return fail_round(round, "the child never got part-way");
        close(ready_pipe[0]);
        nanosleep(&(struct timespec){.tv_nsec = delay_ms * 1000000L}, NULL);
        kill(child, SIGKILL);
        int status;
        waitpid(child, &status, 0);
        if (!WIFSIGNALED(status))
            return fail_round(round,
                              "the child finished before it was killed; the test proves nothing");

        if (!test_on_postgres() && !sqlite_integrity_ok(target))
            return fail_round(round, "integrity_check is not ok");
        long long imports_after = count(target, COUNT_IMPORTS);
        long long records_after = count(target, COUNT_RECORDS);
        long long orphans = count(target, COUNT_ORPHANS);
        if (imports_after != imports)
            return fail_round(round, "the killed import left an imports row");
        if (records_after != records)
            return fail_round(round, "the killed import left records, or the first import lost "
                                     "some");
        if (orphans != 0)
            return fail_round(round, "records without their import");

        /* The same file again, to the end: every row stored, once. */
        uint64_t rows;
        if (import_file(target, big, &src, &rows, &err) != SL_OK)
            return fail_round(round, err.message);
        if (src.already_stored || src.import_id == 0 || src.import_id == first_id)
            return fail_round(round, "the file after the kill was not imported as new");
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT rows FROM imports WHERE id = %lld",
                 (long long)src.import_id);
        long long stored_rows = count(target, sql);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM records WHERE import_id = %lld",
                 (long long)src.import_id);
        long long stored_records = count(target, sql);
        if (rows != BIG_ROWS || stored_rows != BIG_ROWS || stored_records != BIG_ROWS ||
            count(target, COUNT_IMPORTS) != imports + 1 ||
            count(target, COUNT_RECORDS) != records + BIG_ROWS) {
            fprintf(stderr, "store_crash: round %d: import #%lld after the kill: %llu rows read, "
                            "%lld in its imports row, %lld records (want %d)\n",
                    round, (long long)src.import_id, (unsigned long long)rows, stored_rows,
                    stored_records, BIG_ROWS);
            return 1;
        }
        /* Forgotten again, so the next round's child imports it anew. */
        sl_store *store;
        if (sl_store_open(target, &store, &err) != SL_OK)
            return fail_round(round, err.message);
        sl_status st = sl_store_forget(store, src.import_id, &err);
        sl_store_close(store);
        if (st != SL_OK)
            return fail_round(round, err.message);
        printf("round %d: killed after %u/8 + %ld ms: %lld import, %lld records, as before; the "
               "file again: import #%lld, %d rows\n",
               round, pc.eighths, delay_ms, imports_after, records_after,
               (long long)src.import_id, BIG_ROWS);
        fflush(stdout);
    }
    if (count(target, COUNT_IMPORTS) != 1 || count(target, COUNT_RECORDS) != (long long)first_rows)
        return fail("the first import is not intact at the end");
    printf("%d kill%s mid-import on %s: nothing of a killed import kept, the first import of "
           "%llu rows intact, the file imported whole after each\n",
           rounds, rounds == 1 ? "" : "s", test_on_postgres() ? "PostgreSQL" : "SQLite",
           (unsigned long long)first_rows);
    if (test_on_postgres()) {
        /* The schema is the last part of the target's search_path option. */
        const char *schema = strstr(target, "search_path%3D");
        if (schema) {
            char sql[128];
            snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema + strlen("search_path%3D"));
            test_pg_sql(getenv("SHOPLAB_TEST_PG"), sql);
        }
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
