/*
 * store_crash.c — crash safety of an import: a child process imports a
 * large CSV into the store and is killed with SIGKILL half-way; the
 * database must then pass PRAGMA integrity_check and hold nothing of that
 * import, while an import committed earlier is intact.
 *
 * Usage: store_crash FIXTURE.csv      (a small export, committed first)
 */
#include "shoplab.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ready_pipe[2];

static void signal_once(void *ctx, uint64_t done, uint64_t total)
{
    bool *sent = ctx;
    if (!*sent && done > total / 4) {
        *sent = true;
        if (write(ready_pipe[1], "x", 1) != 1)
            _exit(3);
    }
}

static int fail(const char *what)
{
    fprintf(stderr, "store_crash: %s\n", what);
    return 1;
}

static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fail("usage: store_crash FIXTURE.csv");
    char dir[] = "/tmp/shoplab-crash-XXXXXX";
    if (!mkdtemp(dir))
        return fail("cannot make a temporary directory");
    char db_path[256], big[256];
    snprintf(db_path, sizeof db_path, "%s/store.db", dir);
    snprintf(big, sizeof big, "%s/big.csv", dir);
    FILE *f = fopen(big, "w");
    if (!f)
        return fail("cannot write the big file");
    fprintf(f, "Video ID,Views,Product impressions,Product clicks,Orders,GMV\n");
    for (int i = 0; i < 600000; i++)
        fprintf(f, "%d,%d,%d,%d,%d,%d.%02d\n", 7300000 + i % 50000, 1000 + i % 777, 400 + i % 333,
                10 + i % 37, i % 5, i % 5 * 19, i % 100);
    fclose(f);

    /* An import committed before the crash. */
    sl_store *store;
    sl_error err;
    if (sl_store_open(db_path, &store, &err) != SL_OK)
        return fail(err.message);
    sl_read_options o = {.store = store};
    sl_report *r;
    const char *first[] = {argv[1]};
    if (sl_report_read(first, 1, &o, &r, &err) != SL_OK)
        return fail(err.message);
    uint64_t first_rows = r->rows_read;
    sl_report_free(r);
    sl_store_close(store);

    if (pipe(ready_pipe) != 0)
        return fail("pipe");
    pid_t child = fork();
    if (child < 0)
        return fail("fork");
    if (child == 0) {
        close(ready_pipe[0]);
        sl_store *s;
        if (sl_store_open(db_path, &s, &err) != SL_OK)
            _exit(2);
        bool sent = false;
        sl_read_options co = {.store = s, .progress = signal_once, .progress_ctx = &sent};
        const char *paths[] = {big};
        sl_report_read(paths, 1, &co, &r, &err);
        _exit(0); /* reaching here means the kill came too late */
    }
    close(ready_pipe[1]);
    char byte;
    if (read(ready_pipe[0], &byte, 1) != 1)
        return fail("the child never got half-way");
    nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    if (!WIFSIGNALED(status))
        return fail("the child finished before it was killed; the test proves nothing");

    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK)
        return fail("cannot reopen the database");
    sqlite3_stmt *q;
    const char *check = "";
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        check = (const char *)sqlite3_column_text(q, 0);
    if (strcmp(check, "ok") != 0)
        return fail("integrity_check is not ok");
    sqlite3_finalize(q);
    long long imports = count(db, "SELECT count(*) FROM imports");
    long long records = count(db, "SELECT count(*) FROM records");
    sqlite3_close(db);
    if (imports != 1)
        return fail("the killed import left an imports row");
    if (records != (long long)first_rows)
        return fail("the killed import left records, or the first import lost some");
    if (sl_store_open(db_path, &store, &err) != SL_OK)
        return fail(err.message);
    sl_store_close(store);
    printf("killed mid-import: integrity ok, 1 import of %llu rows kept, nothing of the killed "
           "one\n",
           (unsigned long long)first_rows);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
