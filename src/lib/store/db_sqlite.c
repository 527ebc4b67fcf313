/*
 * db_sqlite.c — the SQLite engine under the store: one file per store, WAL
 * mode (readers see the last commit while an import writes), a busy wait
 * for writers, PRAGMA user_version as the schema version.
 *
 * A process killed half-way through a transaction leaves the database as
 * it was: SQLite's journal rolls the rest back on the next open.
 */
#include "db_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct sqlite_db {
    db base;
    sqlite3 *handle;
} sqlite_db;

typedef struct sqlite_stmt {
    db_stmt base;
    sqlite3_stmt *handle;
} sqlite_stmt;

typedef struct sqlite_copy {
    db_copy base;
    sqlite3_stmt *insert;
    int column;                 /* the next parameter, from 1 */
    int count;                  /* columns a row gives */
} sqlite_copy;

static sqlite3 *handle_of(db *d)
{
    return ((sqlite_db *)d)->handle;
}

static sqlite3_stmt *stmt_of(db_stmt *q)
{
    return ((sqlite_stmt *)q)->handle;
}

/* SQLite's failure as an sl_error.  A store another connection holds past
 * the busy timeout is SL_ERR_BUSY, so a front end can say "try again"
 * (the web app answers 503 with Retry-After) instead of "failed". */
static sl_status sqlite_fail(db *d, sl_error *err, const char *what)
{
    sqlite3 *h = handle_of(d);
    int code = h ? sqlite3_errcode(h) & 0xff : SQLITE_NOMEM;
    if (code == SQLITE_NOMEM)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "database %s: %s: out of memory", d->name,
                       what);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return sl_fail(err, SL_ERR_BUSY, NULL,
                       "database %s: %s: it is busy (another write, such as an import, holds "
                       "it); try again in a moment",
                       d->name, what);
    return sl_fail(err, SL_ERR_STORE, NULL, "database %s: %s: %s", d->name, what,
                   sqlite3_errmsg(h));
}

static sl_status sqlite_exec(db *d, const char *sql, sl_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(handle_of(d), sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return SL_OK;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        /* "BEGIN IMMEDIATE" against another writer: busy, not broken. */
        sqlite3_free(msg);
        return sqlite_fail(d, err, "cannot start writing");
    }
    sl_fail(err, SL_ERR_STORE, NULL, "database %s: %s", d->name,
            msg ? msg : sqlite3_errmsg(handle_of(d)));
    sqlite3_free(msg);
    return SL_ERR_STORE;
}

static sl_status sqlite_begin(db *d, bool write, sl_error *err)
{
    return sqlite_exec(d, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

static bool sqlite_in_transaction(db *d)
{
    return !sqlite3_get_autocommit(handle_of(d));
}

static void sqlite_rollback(db *d)
{
    if (sqlite_in_transaction(d))
        sqlite3_exec(handle_of(d), "ROLLBACK", NULL, NULL, NULL);
}

static sl_status sqlite_commit(db *d, sl_error *err)
{
    sl_status st = sqlite_exec(d, "COMMIT", err);
    if (st != SL_OK)
        sqlite_rollback(d);
    return st;
}

static void sqlite_set_lock_wait(db *d, unsigned milliseconds)
{
    sqlite3_busy_timeout(handle_of(d), milliseconds > INT_MAX ? INT_MAX : (int)milliseconds);
}

/* PRAGMA user_version, or -1 when it cannot be read. */
static int user_version(sqlite3 *h)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static sl_status sqlite_schema_version(db *d, int *version, sl_error *err)
{
    *version = user_version(handle_of(d));
    return *version < 0 ? sqlite_fail(d, err, "cannot read the schema version") : SL_OK;
}

static sl_status sqlite_migrate_step(db *d, int version, const char *sql, sl_error *err)
{
    /* The version is read again under the write lock: another process
     * opening the same new store may have migrated it meanwhile. */
    sl_status st = sqlite_exec(d, "BEGIN IMMEDIATE", err);
    if (st != SL_OK)
        return st;
    int now = user_version(handle_of(d));
    if (now < 0)
        st = sqlite_fail(d, err, "cannot read the schema version");
    else if (now == version - 1) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", version);
        st = sqlite_exec(d, sql, err);
        if (st == SL_OK)
            st = sqlite_exec(d, bump, err);
    }
    if (st == SL_OK)
        return sqlite_commit(d, err);
    sqlite_rollback(d);
    return st;
}

/* ---- statements ---- */

static sl_status sqlite_prepare(db *d, const char *sql, bool keep, db_stmt **out, sl_error *err)
{
    *out = NULL;
    sqlite_stmt *q = calloc(1, sizeof *q);
    if (!q)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    q->base.owner = d;
    if (sqlite3_prepare_v3(handle_of(d), sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0,
                           &q->handle, NULL) != SQLITE_OK) {
        free(q);
        return sqlite_fail(d, err, "cannot prepare a statement");
    }
    *out = &q->base;
    return SL_OK;
}

static void sqlite_bind_int(db_stmt *q, int i, int64_t v)
{
    sqlite3_bind_int64(stmt_of(q), i, (sqlite3_int64)v);
}

static void sqlite_bind_double(db_stmt *q, int i, double v)
{
    sqlite3_bind_double(stmt_of(q), i, v);
}

static void sqlite_bind_text(db_stmt *q, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt_of(q), i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt_of(q), i);
}

static void sqlite_bind_null(db_stmt *q, int i)
{
    sqlite3_bind_null(stmt_of(q), i);
}

static db_result sqlite_step(db_stmt *q)
{
    int rc = sqlite3_step(stmt_of(q));
    return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}

static bool sqlite_column_null(db_stmt *q, int col)
{
    return sqlite3_column_type(stmt_of(q), col) == SQLITE_NULL;
}

static int64_t sqlite_column_int(db_stmt *q, int col)
{
    return sqlite3_column_int64(stmt_of(q), col);
}

static double sqlite_column_double(db_stmt *q, int col)
{
    return sqlite3_column_double(stmt_of(q), col);
}

static const char *sqlite_column_text(db_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(stmt_of(q), col);
    return t ? (const char *)t : "";
}

/* Keeps the bound values, as PostgreSQL's side does: a rerun may change
 * only some of them. */
static void sqlite_reset(db_stmt *q)
{
    sqlite3_reset(stmt_of(q));
}

static void sqlite_finalize(db_stmt *q)
{
    sqlite3_finalize(stmt_of(q));
    free(q);
}

/* ---- bulk rows: one INSERT, reused ---- */

/* The rows' INSERT: `columns` from parameters, then `fixed` (names) with
 * `values` (SQL literals), each "" or a list beginning with ", ". */
static sl_status copy_begin_with(db *d, const char *table, const char *const *columns,
                                 int count, const char *fixed, const char *values,
                                 db_copy **out, sl_error *err)
{
    *out = NULL;
    char sql[2048];
    size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s (", table);
    for (int i = 0; i < count && n < sizeof sql; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", i ? ", " : "", columns[i]);
    if (n < sizeof sql)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", fixed);
    for (int i = 0; i < count && n < sizeof sql; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s?%d", i ? ", " : ") VALUES (", i + 1);
    if (n < sizeof sql)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", values);
    if (n + 2 >= sizeof sql)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "too many columns to copy");
    snprintf(sql + n, sizeof sql - n, ")");
    sqlite_copy *c = calloc(1, sizeof *c);
    if (!c)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    c->base.owner = d;
    c->column = 1;
    c->count = count;
    if (sqlite3_prepare_v3(handle_of(d), sql, -1, SQLITE_PREPARE_PERSISTENT, &c->insert, NULL) !=
        SQLITE_OK) {
        free(c);
        return sqlite_fail(d, err, "cannot prepare the rows' insert");
    }
    *out = &c->base;
    return SL_OK;
}

static sl_status sqlite_copy_begin(db *d, const char *table, const char *const *columns,
                                   int count, db_copy **out, sl_error *err)
{
    return copy_begin_with(d, table, columns, count, "", "", out, err);
}

static void sqlite_copy_int(db_copy *c, int64_t v)
{
    sqlite_copy *s = (sqlite_copy *)c;
    sqlite3_bind_int64(s->insert, s->column++, (sqlite3_int64)v);
}

static void sqlite_copy_double(db_copy *c, double v)
{
    sqlite_copy *s = (sqlite_copy *)c;
    sqlite3_bind_double(s->insert, s->column++, v);
}

static void sqlite_copy_text(db_copy *c, const char *text)
{
    /* The caller's text lives until db_copy_row, which steps at once. */
    sqlite_copy *s = (sqlite_copy *)c;
    if (text)
        sqlite3_bind_text(s->insert, s->column++, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->insert, s->column++);
}

static void sqlite_copy_null(db_copy *c)
{
    sqlite_copy *s = (sqlite_copy *)c;
    sqlite3_bind_null(s->insert, s->column++);
}

static sl_status sqlite_copy_row(db_copy *c, sl_error *err)
{
    sqlite_copy *s = (sqlite_copy *)c;
    if (s->column != s->count + 1) {
        int given = s->column - 1;
        s->column = 1;
        sqlite3_clear_bindings(s->insert);
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "a copied row gave %d values for %d columns", given, s->count);
    }
    int rc = sqlite3_step(s->insert);
    sqlite3_reset(s->insert);
    s->column = 1;
    return rc == SQLITE_DONE ? SL_OK : sqlite_fail(c->owner, err, "cannot store a row");
}

static sl_status sqlite_copy_end(db_copy *c, bool ok, sl_error *err)
{
    (void)ok;
    (void)err;
    sqlite3_finalize(((sqlite_copy *)c)->insert);
    free(c);
    return SL_OK;
}

/* An INTEGER PRIMARY KEY takes the largest id + 1 by itself. */
static sl_status sqlite_ids_follow(db *d, const char *table, sl_error *err)
{
    (void)d;
    (void)table;
    (void)err;
    return SL_OK;
}

/* An import's rows go into the one records table; the unlisted columns
 * (db.h) are written into the INSERT as literals. */
static sl_status sqlite_import_rows_begin(db *d, int64_t import_id, const char *const *columns,
                                          int count, db_copy **out, sl_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(handle_of(d), "SELECT name, type, \"notnull\" FROM "
                                         "pragma_table_info('records')",
                           -1, &q, NULL) != SQLITE_OK)
        return sqlite_fail(d, err, "cannot read the records' columns");
    char fixed[512] = "", values[512] = "";
    size_t nf = 0, nv = 0;
    while (sqlite3_step(q) == SQLITE_ROW && nf < sizeof fixed && nv < sizeof values) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        char value[32];
        if (db_column_listed(name, columns, count))
            continue;
        bool not_null_text = sqlite3_column_int(q, 2) &&
                             strcmp((const char *)sqlite3_column_text(q, 1), "TEXT") == 0;
        if (!db_unlisted_value(name, not_null_text, import_id, value, sizeof value))
            continue; /* NULL already */
        nf += (size_t)snprintf(fixed + nf, sizeof fixed - nf, ", %s", name);
        nv += (size_t)snprintf(values + nv, sizeof values - nv, ", %s", value);
    }
    sqlite3_finalize(q);
    if (nf >= sizeof fixed || nv >= sizeof values)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "too many columns left out");
    return copy_begin_with(d, "records", columns, count, fixed, values, out, err);
}

static sl_status sqlite_import_rows_end(db *d, int64_t import_id, db_copy *c, bool ok,
                                        sl_error *err)
{
    (void)d;
    (void)import_id;
    return sqlite_copy_end(c, ok, err);
}

/* The records go with their import (ON DELETE CASCADE). */
static sl_status sqlite_import_forget(db *d, int64_t import_id, sl_error *err)
{
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM imports WHERE id = %lld", (long long)import_id);
    return sqlite_exec(d, sql, err);
}

/* ---- opening ---- */

static void sqlite_close(db *d)
{
    sqlite3_close(handle_of(d));
    free(d);
}

static const struct db_ops sqlite_ops = {
    .close = sqlite_close,
    .fail = sqlite_fail,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_transaction = sqlite_in_transaction,
    .set_lock_wait = sqlite_set_lock_wait,
    .schema_version = sqlite_schema_version,
    .migrate_step = sqlite_migrate_step,
    .prepare = sqlite_prepare,
    .bind_int = sqlite_bind_int,
    .bind_double = sqlite_bind_double,
    .bind_text = sqlite_bind_text,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .column_null = sqlite_column_null,
    .column_int = sqlite_column_int,
    .column_double = sqlite_column_double,
    .column_text = sqlite_column_text,
    .reset = sqlite_reset,
    .finalize = sqlite_finalize,
    .copy_begin = sqlite_copy_begin,
    .copy_int = sqlite_copy_int,
    .copy_double = sqlite_copy_double,
    .copy_text = sqlite_copy_text,
    .copy_null = sqlite_copy_null,
    .copy_row = sqlite_copy_row,
    .copy_end = sqlite_copy_end,
    .ids_follow = sqlite_ids_follow,
    .import_rows_begin = sqlite_import_rows_begin,
    .import_rows_end = sqlite_import_rows_end,
    .import_forget = sqlite_import_forget,
};

/* mkdir -p of the directory part of `path`, private to the user. */
static sl_status make_parent_dirs(const char *path, sl_error *err)
{
    char dir[1024];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return sl_fail(err, SL_ERR_STORE, NULL, "the database path is too long");
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return SL_OK;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char keep = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                return sl_fail(err, SL_ERR_STORE, NULL, "cannot create the directory %s: %s",
                               dir, strerror(errno));
            *p = keep;
            if (!keep)
                break;
        }
    }
    return SL_OK;
}


/* The -wal and -shm files of a writable store must be writable too.  An
 * older ShopLab (or any SQLite reader) that read the store while it was
 * read-only left them with the store's read-only mode; when they are this
 * user's own, their write bit is given back, so making the store writable
 * again is enough. */
static bool side_files_writable(const char *path)
{
    static const char *const suffixes[] = {"-wal", "-shm"};
    for (size_t i = 0; i < 2; i++) {
        char side[1040];
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        struct stat sb;
        if (stat(side, &sb) != 0 || faccessat(AT_FDCWD, side, W_OK, AT_EACCESS) == 0)
            continue;
        if (sb.st_uid != geteuid() || chmod(side, (sb.st_mode & 07777) | S_IWUSR) != 0)
            return false;
    }
    return true;
}

/* A store this process cannot write is refused by name before SQLite opens
 * it: SQLite would quietly open it read-only (or fail to create the journal
 * beside it), and the first write would fail with "attempt to write a
 * readonly database".  Reading commands use sl_store_open_readonly. */
static sl_status check_writable(const char *path, sl_error *err)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir ? 1 : 0] = '\0';
    const char *why = NULL;
    if (faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0 &&
        faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
        why = errno == EROFS ? "it is on a read-only file system" : "the file is not writable";
    else if (!side_files_writable(path))
        why = "its -wal or -shm file beside it is not writable (another user's?)";
    else if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) != 0 && errno != ENOENT)
        why = errno == EROFS ? "it is on a read-only file system"
                             : "its directory is not writable, and SQLite keeps the store's "
                               "journal there";
    if (!why)
        return SL_OK;
    return sl_fail(err, SL_ERR_STORE, NULL,
                   "the store %s is read-only: %s; this command changes the store, so make it "
                   "writable, or give another --db",
                   path, why);
}


/* The path as an SQLite URI ("file:" and the path, percent-encoded where a
 * URI would read a character as syntax), so parameters can follow it. */
static bool file_uri(const char *path, const char *params, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t w = (size_t)snprintf(out, size, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("/-._~", *p);
        if (w + 4 >= size)
            return false;
        if (plain) {
            out[w++] = (char)*p;
        } else {
            out[w++] = '%';
            out[w++] = hex[*p >> 4];
            out[w++] = hex[*p & 15];
        }
    }
    return snprintf(out + w, size - w, "%s", params) < (int)(size - w);
}


static sqlite_db *new_db(const char *path, sl_error *err)
{
    sqlite_db *s = calloc(1, sizeof *s);
    if (!s) {
        sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        return NULL;
    }
    s->base.ops = &sqlite_ops;
    s->base.engine = DB_SQLITE;
    snprintf(s->base.name, sizeof s->base.name, "%s", path);
    return s;
}

/* Switches a new connection to WAL.  A store another process is creating
 * at this moment answers "locked" at once (the busy handler does not wait
 * for a journal mode change): try again for up to the busy timeout. */
static sl_status use_wal(db *d, sl_error *err)
{
    bool wal = false, locked = false;
    for (int tries = 0; tries < 50 && !wal; tries++) {
        sqlite3_stmt *q;
        const char *mode = "";
        int rc = sqlite3_prepare_v2(handle_of(d), "PRAGMA journal_mode = WAL", -1, &q, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
            mode = (const char *)sqlite3_column_text(q, 0);
        wal = mode && strcmp(mode, "wal") == 0;
        locked = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        sqlite3_finalize(q);
        if (!wal && !locked)
            break;
        if (!wal)
            nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    if (wal)
        return SL_OK;
    return locked ? sqlite_fail(d, err, "is busy: another ShopLab is writing to it; try again in "
                                        "a moment")
                  : sqlite_fail(d, err, "cannot switch to WAL mode (is it on a network file "
                                        "system?)");
}

/* A connection is used by one thread at a time (an sl_store is: serve
 * opens one per worker thread, each job its own), so SQLite need not lock
 * a mutex around every call on it; those locks were a fifth of reading an
 * import's rows back. */
#define OPEN_ONE_THREAD SQLITE_OPEN_NOMUTEX

static sl_status open_writable(sqlite_db *s, const char *path, sl_error *err)
{
    bool memory = strcmp(path, ":memory:") == 0;
    sl_status st = memory ? SL_OK : make_parent_dirs(path, err);
    if (st == SL_OK && !memory)
        st = check_writable(path, err);
    if (st == SL_OK &&
        sqlite3_open_v2(path, &s->handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | OPEN_ONE_THREAD,
                        NULL) != SQLITE_OK)
        st = s->handle ? sqlite_fail(&s->base, err, "cannot open")
                       : sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if (st == SL_OK) {
        sqlite3_busy_timeout(s->handle, 5000);
        sqlite3_extended_result_codes(s->handle, 1);
        st = sqlite_exec(&s->base, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", err);
    }
    if (st == SL_OK && !memory)
        st = use_wal(&s->base, err);
    return st;
}

static sl_status open_readonly(sqlite_db *s, const char *path, sl_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size == 0)
        return sl_fail(err, SL_ERR_NOT_FOUND, NULL, "there is no store at %s yet", path);
    /* Readers of a WAL store share a -shm file beside it, and SQLite
     * creates it when missing, with the store's own mode: a read-only
     * store would get a read-only -shm that then stops every writer, and a
     * read-only directory cannot hold one at all.  With no -shm and no
     * commits waiting in a -wal file, no connection is open and the file
     * alone is the whole store, so it is read as immutable (no lock, no
     * file created); a read is a few queries long.  Otherwise the -shm is
     * used as it is. */
    char wal[1040], shm[1040], uri[3200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    struct stat wb;
    bool settled = stat(wal, &wb) != 0 || wb.st_size == 0;
    bool immutable = settled && stat(shm, &wb) != 0 &&
                     file_uri(path, "?immutable=1", uri, sizeof uri);
    const int readonly = SQLITE_OPEN_READONLY | OPEN_ONE_THREAD;
    int rc = immutable ? sqlite3_open_v2(uri, &s->handle, readonly | SQLITE_OPEN_URI, NULL)
                       : sqlite3_open_v2(path, &s->handle, readonly, NULL);
    int version = rc == SQLITE_OK ? user_version(s->handle) : -1;
    if (version < 0 && !immutable && settled &&
        file_uri(path, "?immutable=1", uri, sizeof uri)) {
        /* A -shm this process cannot use (another user's, or left in a
         * read-only directory) and nothing waiting in the -wal. */
        sqlite3_close(s->handle);
        s->handle = NULL;
        rc = sqlite3_open_v2(uri, &s->handle, readonly | SQLITE_OPEN_URI, NULL);
        version = rc == SQLITE_OK ? user_version(s->handle) : -1;
    }
    if (!s->handle)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if (version < 0)
        return sqlite_fail(&s->base, err, "cannot read it");
    sqlite3_busy_timeout(s->handle, 5000);
    sqlite3_extended_result_codes(s->handle, 1);
    return sqlite_exec(&s->base, "PRAGMA query_only = ON;", err);
}

sl_status db_sqlite_open(const char *path, bool readonly, db **out, sl_error *err)
{
    *out = NULL;
    sqlite_db *s = new_db(path, err);
    if (!s)
        return SL_ERR_NO_MEMORY;
    sl_status st = readonly ? open_readonly(s, path, err) : open_writable(s, path, err);
    if (st != SL_OK) {
        sqlite_close(&s->base);
        return st;
    }
    *out = &s->base;
    return SL_OK;
}
