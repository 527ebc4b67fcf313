/*
 * store.c — imports kept in SQLite: one file per store, WAL mode, a schema
 * version with ordered migrations, prepared statements only.
 *
 * One import is one transaction (BEGIN IMMEDIATE … COMMIT): until the commit
 * nothing of it is visible, and a process killed half-way leaves the
 * database as it was (SQLite's journal rolls the rest back on next open).
 * Counts are stored as INTEGER so they come back exactly; money as REAL.
 */
#include "base/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Each entry moves the schema one version up; never edit a shipped one. */
static const char *const migrations[] = {
    /* 1: imports and their records */
    "CREATE TABLE imports ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE,"
    "  file TEXT NOT NULL,"
    "  sheet TEXT NOT NULL DEFAULT '',"
    "  period TEXT NOT NULL DEFAULT '',"
    "  header_row INTEGER NOT NULL,"
    "  rows INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  imported_at TEXT NOT NULL);"
    "CREATE TABLE records ("
    "  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,"
    "  row INTEGER NOT NULL,"
    "  video TEXT NOT NULL, product TEXT NOT NULL, live TEXT NOT NULL,"
    "  creator TEXT NOT NULL, day TEXT NOT NULL, label TEXT NOT NULL,"
    "  views INTEGER, product_impressions INTEGER, product_clicks INTEGER,"
    "  orders INTEGER, sku_orders INTEGER, items_sold INTEGER,"
    "  gmv REAL, est_commission REAL, refunds REAL);"
    "CREATE INDEX records_by_import ON records(import_id, row);"
    "CREATE INDEX records_by_creator ON records(creator);",
    /* journal: one-change tests and their looks (docs/journal.md).  Import
     * ids are kept without a foreign key: forgetting an import must not take
     * a test's history with it.  The triggers repeat journal.c's rules in the
     * database, so no other writer can edit a closed test or a frozen plan. */
    "CREATE TABLE journal_tests ("
    "  id INTEGER PRIMARY KEY,"
    "  creator TEXT NOT NULL,"
    "  step TEXT NOT NULL CHECK (step IN ('pick', 'tag', 'read')),"
    "  metric TEXT NOT NULL CHECK (metric IN ('ctr', 'ctor')),"
    "  change TEXT NOT NULL, hypothesis TEXT NOT NULL, expectation TEXT NOT NULL,"
    "  before_video TEXT NOT NULL, before_import INTEGER NOT NULL,"
    "  before_impressions INTEGER, before_clicks INTEGER, before_orders INTEGER,"
    "  mde REAL NOT NULL, alpha REAL NOT NULL, power REAL NOT NULL, tau2 REAL NOT NULL,"
    "  sample_feasible INTEGER NOT NULL, b_needed INTEGER NOT NULL,"
    "  min_detectable_lift REAL,"
    "  planned_at TEXT NOT NULL,"
    "  outcome TEXT CHECK (outcome IN ('b-better', 'a-better', 'no-clear-difference',"
    "                                  'abandoned')),"
    "  lesson TEXT NOT NULL DEFAULT '', closed_at TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE journal_looks ("
    "  test_id INTEGER NOT NULL REFERENCES journal_tests(id),"
    "  seq INTEGER NOT NULL,"
    "  taken_at TEXT NOT NULL,"
    "  after_video TEXT NOT NULL, after_import INTEGER NOT NULL,"
    "  trials INTEGER NOT NULL, successes INTEGER NOT NULL,"
    "  p_look REAL NOT NULL, p_always_valid REAL NOT NULL,"
    "  PRIMARY KEY (test_id, seq));"
    "CREATE INDEX journal_open ON journal_tests(creator, metric) WHERE outcome IS NULL;"
    "CREATE TRIGGER journal_closed_kept BEFORE UPDATE ON journal_tests"
    "  WHEN OLD.outcome IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'a closed test is kept as it is'); END;"
    "CREATE TRIGGER journal_plan_frozen BEFORE UPDATE OF metric, mde, tau2, before_impressions,"
    "  before_clicks, before_orders ON journal_tests"
    "  WHEN EXISTS (SELECT 1 FROM journal_looks WHERE test_id = OLD.id)"
    "  BEGIN SELECT RAISE(ABORT, 'the plan is frozen after its first look'); END;"
    "CREATE TRIGGER journal_look_open BEFORE INSERT ON journal_looks"
    "  WHEN (SELECT outcome FROM journal_tests WHERE id = NEW.test_id) IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'a closed test takes no more looks'); END;"
    "CREATE TRIGGER journal_looks_kept BEFORE UPDATE ON journal_looks"
    "  BEGIN SELECT RAISE(ABORT, 'looks are kept as taken'); END;"
    "CREATE TRIGGER journal_looks_never_deleted BEFORE DELETE ON journal_looks"
    "  BEGIN SELECT RAISE(ABORT, 'looks are kept as taken'); END;"
    "CREATE TRIGGER journal_tests_never_deleted BEFORE DELETE ON journal_tests"
    "  BEGIN SELECT RAISE(ABORT, 'tests are kept'); END;",
    /* 3: drill answers given in the web app (progress per drill type) */
    "CREATE TABLE drill_answers ("
    "  id INTEGER PRIMARY KEY,"
    "  drill_type TEXT NOT NULL,"
    "  drill_id TEXT NOT NULL,"
    "  answer TEXT NOT NULL,"
    "  correct INTEGER NOT NULL,"
    "  answered_at TEXT NOT NULL);"
    "CREATE INDEX drill_answers_by_type ON drill_answers(drill_type);",
    /* 4: what an import is: its title, and whether it is practice data (never
     * a real baseline) */
    ("ALTER TABLE imports ADD COLUMN title TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE imports ADD COLUMN practice INTEGER NOT NULL DEFAULT 0;"),
    /* 5: the currency the file's money columns named ("BRL"), so a stored
     * report shows amounts as the file did; '' when none or several */
    "ALTER TABLE imports ADD COLUMN currency TEXT NOT NULL DEFAULT '';",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

struct sl_store {
    sqlite3 *db;
    char path[1024];
    bool in_import;
    int64_t import_id;          /* the open import */
    sqlite3_stmt *insert_import, *insert_record, *finish_import, *find_hash;
};

/* SQLite's failure as an sl_error.  A store another connection holds past
 * the busy timeout is SL_ERR_BUSY, so a front end can say "try again"
 * (the web app answers 503 with Retry-After) instead of "failed". */
static sl_status db_error(sl_store *s, sl_error *err, const char *what)
{
    int code = sqlite3_errcode(s->db) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return sl_fail(err, SL_ERR_BUSY, NULL,
                       "database %s: %s: it is busy (another write, such as an import, holds "
                       "it); try again in a moment",
                       s->path, what);
    return sl_fail(err, SL_ERR_STORE, NULL, "database %s: %s: %s", s->path, what,
                   sqlite3_errmsg(s->db));
}

sl_status sl_store_default_path(char *out, size_t size, sl_error *err)
{
    const char *db = getenv("SHOPLAB_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (db && *db)
        n = snprintf(out, size, "%s", db);
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, size, "%s/shoplab/shoplab.db", xdg);
    else if (home && *home)
        n = snprintf(out, size, "%s/.local/share/shoplab/shoplab.db", home);
    else
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "no place for the database: set HOME, XDG_DATA_HOME or SHOPLAB_DB, "
                       "or give --db PATH");
    if (n < 0 || (size_t)n >= size)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "the database path is too long");
    return SL_OK;
}

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

static sl_status exec(sl_store *s, const char *sql, sl_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return SL_OK;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        /* "BEGIN IMMEDIATE" against another writer: busy, not broken. */
        sqlite3_free(msg);
        return db_error(s, err, "cannot start writing");
    }
    sl_fail(err, SL_ERR_STORE, NULL, "database %s: %s", s->path,
            msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return SL_ERR_STORE;
}

static int user_version(sl_store *s)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static sl_status migrate(sl_store *s, sl_error *err)
{
    int version = user_version(s);
    if (version < 0)
        return db_error(s, err, "cannot read the schema version");
    if (version > SCHEMA_VERSION)
        return sl_fail(err, SL_ERR_STORE, NULL,
                       "database %s has schema version %d, written by a newer ShopLab (this one "
                       "knows up to %d); upgrade ShopLab or use another --db",
                       s->path, version, SCHEMA_VERSION);
    while (version < SCHEMA_VERSION) {
        /* The version is read again under the write lock: another process
         * opening the same new store may have migrated it meanwhile. */
        sl_status st = exec(s, "BEGIN IMMEDIATE", err);
        if (st != SL_OK)
            return st;
        version = user_version(s);
        if (version < 0)
            st = db_error(s, err, "cannot read the schema version");
        else if (version < SCHEMA_VERSION) {
            char bump[64];
            snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", version + 1);
            st = exec(s, migrations[version], err);
            if (st == SL_OK)
                st = exec(s, bump, err);
            version++;
        }
        if (st == SL_OK)
            st = exec(s, "COMMIT", err);
        if (st != SL_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return st;
        }
    }
    return SL_OK;
}

static sl_status prepare(sl_store *s, const char *sql, sqlite3_stmt **out, sl_error *err)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot prepare a statement");
    return SL_OK;
}

void sl_store_set_busy_timeout(sl_store *store, unsigned milliseconds)
{
    if (store && store->db)
        sqlite3_busy_timeout(store->db, milliseconds > INT_MAX ? INT_MAX : (int)milliseconds);
}

/* The statements every import uses, prepared once per store. */
static sl_status prepare_statements(sl_store *s, sl_error *err)
{
    sl_status st = prepare(s,
                           "INSERT INTO imports(hash, file, sheet, period, header_row, "
                           "imported_at, title, practice, currency) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           &s->insert_import, err);
    if (st == SL_OK)
        st = prepare(s,
                     "INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                     "?12, ?13, ?14, ?15, ?16, ?17)",
                     &s->insert_record, err);
    if (st == SL_OK)
        st = prepare(s, "UPDATE imports SET rows = ?2, skipped = ?3 WHERE id = ?1",
                     &s->finish_import, err);
    if (st == SL_OK)
        st = prepare(s, "SELECT id FROM imports WHERE hash = ?1", &s->find_hash, err);
    return st;
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

sl_status sl_store_open(const char *path, sl_store **out, sl_error *err)
{
    if (!path || !*path || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no database path given");
    *out = NULL;
    sl_store *s = calloc(1, sizeof *s);
    if (!s)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    sl_status st = strcmp(path, ":memory:") == 0 ? SL_OK : make_parent_dirs(path, err);
    if (st == SL_OK && strcmp(path, ":memory:") != 0)
        st = check_writable(path, err);
    if (st == SL_OK &&
        sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK)
        st = s->db ? db_error(s, err, "cannot open")
                   : sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if (st == SL_OK) {
        sqlite3_busy_timeout(s->db, 5000);
        sqlite3_extended_result_codes(s->db, 1);
        st = exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", err);
    }
    if (st == SL_OK && strcmp(path, ":memory:") != 0) {
        /* A store another process is creating at this moment answers
         * "locked" at once (the busy handler does not wait for a journal
         * mode change): try again for up to the busy timeout. */
        bool wal = false, locked = false;
        for (int tries = 0; tries < 50 && !wal; tries++) {
            sqlite3_stmt *q;
            const char *mode = "";
            int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
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
        if (!wal)
            st = locked ? db_error(s, err, "is busy: another ShopLab is writing to it; try "
                                           "again in a moment")
                        : db_error(s, err, "cannot switch to WAL mode (is it on a network "
                                           "file system?)");
    }
    if (st == SL_OK)
        st = migrate(s, err);
    if (st == SL_OK)
        st = prepare_statements(s, err);
    if (st != SL_OK) {
        sl_store_close(s);
        return st;
    }
    *out = s;
    return SL_OK;
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

sl_status sl_store_open_readonly(const char *path, sl_store **out, sl_error *err)
{
    if (!path || !*path || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no database path given");
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size == 0)
        return sl_fail(err, SL_ERR_NOT_FOUND, NULL, "there is no store at %s yet", path);
    sl_store *s = calloc(1, sizeof *s);
    if (!s)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
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
    int rc = immutable ? sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL)
                       : sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL);
    int version = rc == SQLITE_OK ? user_version(s) : -1;
    if (version < 0 && !immutable && settled &&
        file_uri(path, "?immutable=1", uri, sizeof uri)) {
        /* A -shm this process cannot use (another user's, or left in a
         * read-only directory) and nothing waiting in the -wal. */
        sqlite3_close(s->db);
        s->db = NULL;
        rc = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
        version = rc == SQLITE_OK ? user_version(s) : -1;
    }
    sl_status st = SL_OK;
    if (!s->db)
        st = sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    else if (version < 0)
        st = db_error(s, err, "cannot read it");
    else if (version > SCHEMA_VERSION)
        st = sl_fail(err, SL_ERR_STORE, NULL,
                     "database %s has schema version %d, written by a newer ShopLab (this one "
                     "knows up to %d); upgrade ShopLab or use another --db",
                     path, version, SCHEMA_VERSION);
    else if (version < SCHEMA_VERSION)
        st = sl_fail(err, SL_ERR_STORE, NULL,
                     "the store %s has schema version %d, older than this ShopLab's %d, and "
                     "it is read-only here, so it cannot be upgraded: run one command that "
                     "writes to it (such as shoplab read FILE) where it is writable",
                     path, version, SCHEMA_VERSION);
    if (st == SL_OK) {
        sqlite3_busy_timeout(s->db, 5000);
        sqlite3_extended_result_codes(s->db, 1);
        st = exec(s, "PRAGMA query_only = ON;", err);
    }
    if (st == SL_OK)
        st = prepare_statements(s, err);
    if (st != SL_OK) {
        sl_store_close(s);
        return st;
    }
    *out = s;
    return SL_OK;
}

void sl_store_close(sl_store *s)
{
    if (!s)
        return;
    sl_store_import_abort(s);
    sqlite3_finalize(s->insert_import);
    sqlite3_finalize(s->insert_record);
    sqlite3_finalize(s->finish_import);
    sqlite3_finalize(s->find_hash);
    sqlite3_close(s->db);
    free(s);
}

sl_status sl_store_import_begin(sl_store *s, const sl_import *meta, int64_t *id,
                                int64_t *existing_id, sl_error *err)
{
    if (!s || !meta || !id || !existing_id)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or import given");
    if (s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "an import is already open");
    *existing_id = 0;
    *id = 0;
    /* The write lock first, then the duplicate check: two processes that
     * import one file at once give one import and one "already imported",
     * never a UNIQUE failure for the second. */
    sl_status st = exec(s, "BEGIN IMMEDIATE", err);
    if (st != SL_OK)
        return st;
    s->in_import = true;
    sqlite3_reset(s->find_hash);
    sqlite3_bind_text(s->find_hash, 1, meta->hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->find_hash);
    if (rc == SQLITE_ROW)
        *existing_id = sqlite3_column_int64(s->find_hash, 0);
    sqlite3_reset(s->find_hash);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = db_error(s, err, "cannot look up the file's hash");
        sl_store_import_abort(s);
        return st;
    }
    if (*existing_id) {
        sl_store_import_abort(s);
        return SL_OK;
    }
    char now[24];
    if (meta->imported_at[0]) {
        snprintf(now, sizeof now, "%s", meta->imported_at);
    } else {
        sl_store_now(now);
    }
    sqlite3_stmt *q = s->insert_import;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, meta->hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, meta->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, meta->sheet, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, meta->period, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)meta->header_row);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 7, meta->title, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 8, meta->practice ? 1 : 0);
    sqlite3_bind_text(q, 9, meta->currency, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = db_error(s, err, "cannot record the import");
        sqlite3_reset(q);
        sl_store_import_abort(s);
        return st;
    }
    sqlite3_reset(q);
    *id = s->import_id = sqlite3_last_insert_rowid(s->db);
    return SL_OK;
}

sl_status sl_store_import_add(sl_store *s, const sl_record *rec, sl_error *err)
{
    if (!s || !rec || !s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no import is open");
    sqlite3_stmt *q = s->insert_record;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, s->import_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)rec->row);
    for (int k = 0; k < SL_DIM__COUNT; k++)
        sqlite3_bind_text(q, 3 + k, rec->key[k], -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 8, rec->label, -1, SQLITE_STATIC);
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        double v;
        if (!sl_funnel_get(&rec->funnel, (sl_field)f, &v))
            sqlite3_bind_null(q, 9 + f);
        else if (sl_field_is_money((sl_field)f))
            sqlite3_bind_double(q, 9 + f, v);
        else
            sqlite3_bind_int64(q, 9 + f, (sqlite3_int64)v);
    }
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_error(s, err, "cannot store a row");
    return SL_OK;
}

sl_status sl_store_import_commit(sl_store *s, uint64_t rows, uint64_t skipped, sl_error *err)
{
    if (!s || !s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no import is open");
    sqlite3_stmt *q = s->finish_import;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, s->import_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)rows);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)skipped);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sl_status st = rc == SQLITE_DONE ? exec(s, "COMMIT", err)
                                     : db_error(s, err, "cannot finish the import");
    if (st != SL_OK) {
        sl_store_import_abort(s);
        return st;
    }
    s->in_import = false;
    return SL_OK;
}

void sl_store_import_abort(sl_store *s)
{
    if (!s || !s->in_import)
        return;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_import = false;
}

static void copy_text(char *out, size_t size, sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

static void read_import(sqlite3_stmt *q, sl_import *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(q, 0);
    copy_text(m->hash, sizeof m->hash, q, 1);
    copy_text(m->file, sizeof m->file, q, 2);
    copy_text(m->sheet, sizeof m->sheet, q, 3);
    copy_text(m->period, sizeof m->period, q, 4);
    m->header_row = (uint64_t)sqlite3_column_int64(q, 5);
    m->rows = (uint64_t)sqlite3_column_int64(q, 6);
    m->skipped = (uint64_t)sqlite3_column_int64(q, 7);
    copy_text(m->imported_at, sizeof m->imported_at, q, 8);
    copy_text(m->title, sizeof m->title, q, 9);
    m->practice = sqlite3_column_int(q, 10) != 0;
    copy_text(m->currency, sizeof m->currency, q, 11);
}

#define IMPORT_COLUMNS \
    "id, hash, file, sheet, period, header_row, rows, skipped, imported_at, title, practice, " \
    "currency"

sl_status sl_store_imports(sl_store *s, const char *creator, sl_import **out, size_t *count,
                           sl_error *err)
{
    if (!s || !out || !count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    *out = NULL;
    *count = 0;
    sqlite3_stmt *q;
    const char *sql = creator ? "SELECT " IMPORT_COLUMNS " FROM imports i WHERE EXISTS (SELECT 1 "
                                "FROM records r WHERE r.import_id = i.id AND r.creator = ?1) "
                                "ORDER BY id DESC"
                              : "SELECT " IMPORT_COLUMNS " FROM imports ORDER BY id DESC";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot list the imports");
    if (creator)
        sqlite3_bind_text(q, 1, creator, -1, SQLITE_STATIC);
    sl_import *items = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            sl_import *more = realloc(items, cap * sizeof *items);
            if (!more) {
                free(items);
                sqlite3_finalize(q);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            items = more;
        }
        read_import(q, &items[n++]);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(items);
        return db_error(s, err, "cannot list the imports");
    }
    *out = items;
    *count = n;
    return SL_OK;
}

sl_status sl_store_import_get(sl_store *s, int64_t id, sl_import *out, sl_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT " IMPORT_COLUMNS " FROM imports WHERE id = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read an import");
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        read_import(q, out);
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW)
        return SL_OK;
    if (rc != SQLITE_DONE)
        return db_error(s, err, "cannot read an import");
    return sl_fail(err, SL_ERR_NOT_FOUND, NULL,
                   "there is no import #%lld in the store; 'shoplab history' lists them",
                   (long long)id);
}

sl_status sl_store_forget(sl_store *s, int64_t id, sl_error *err)
{
    sl_import m;
    sl_status st = sl_store_import_get(s, id, &m, err);
    if (st != SL_OK)
        return st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM imports WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot remove the import");
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SL_OK : db_error(s, err, "cannot remove the import");
}

sl_status sl_store_records(sl_store *s, int64_t import_id, sl_record_fn fn, void *ctx,
                           sl_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT row, video, product, live, creator, day, label, views, "
                           "product_impressions, product_clicks, orders, sku_orders, items_sold, "
                           "gmv, est_commission, refunds FROM records WHERE import_id = ?1 "
                           "ORDER BY row",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read the rows");
    sqlite3_bind_int64(q, 1, import_id);
    sl_record rec;
    int rc;
    sl_status st = SL_OK;
    while (st == SL_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        memset(&rec, 0, sizeof rec);
        rec.row = (uint64_t)sqlite3_column_int64(q, 0);
        for (int k = 0; k < SL_DIM__COUNT; k++)
            copy_text(rec.key[k], sizeof rec.key[k], q, 1 + k);
        copy_text(rec.label, sizeof rec.label, q, 6);
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            int col = 7 + f;
            if (sqlite3_column_type(q, col) == SQLITE_NULL)
                continue;
            double v = sl_field_is_money((sl_field)f) ? sqlite3_column_double(q, col)
                                                      : (double)sqlite3_column_int64(q, col);
            sl_funnel_set(&rec.funnel, (sl_field)f, v);
        }
        st = fn(ctx, &rec);
    }
    sqlite3_finalize(q);
    if (st != SL_OK)
        return st;
    return rc == SQLITE_DONE ? SL_OK : db_error(s, err, "cannot read the rows");
}

/* ---- shared with journal.c (internal.h) ---- */

struct sqlite3 *sl_store_handle(sl_store *s)
{
    return s->db;
}

sl_status sl_store_fail(sl_store *s, sl_error *err, const char *what)
{
    return db_error(s, err, what);
}

sl_status sl_store_begin(sl_store *s, bool write, sl_error *err)
{
    if (!s)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    if (s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "an import is open on this store");
    return exec(s, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

sl_status sl_store_commit(sl_store *s, sl_error *err)
{
    sl_status st = exec(s, "COMMIT", err);
    if (st != SL_OK)
        sl_store_rollback(s);
    return st;
}

void sl_store_rollback(sl_store *s)
{
    if (s && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

void sl_store_now(char out[24])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* SUM() of a column that is NULL in every row is NULL: the field stays
 * absent rather than becoming a made-up 0. */
sl_status sl_store_video(sl_store *s, const char *video, sl_video_counts *out, sl_error *err)
{
    if (!s || !video || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or video given");
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT i.id, i.imported_at, COUNT(*), MIN(r.creator), "
                           "MAX(r.creator), SUM(r.views), SUM(r.product_impressions), "
                           "SUM(r.product_clicks), SUM(r.orders), SUM(r.sku_orders), "
                           "SUM(r.items_sold), SUM(r.gmv), SUM(r.est_commission), "
                           "SUM(r.refunds) FROM records r JOIN imports i ON i.id = r.import_id "
                           "WHERE r.import_id = (SELECT MAX(import_id) FROM records "
                           "WHERE video = ?1) AND r.video = ?1 GROUP BY i.id",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read the video's rows");
    sqlite3_bind_text(q, 1, video, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->import_id = sqlite3_column_int64(q, 0);
        copy_text(out->imported_at, sizeof out->imported_at, q, 1);
        out->rows = (uint64_t)sqlite3_column_int64(q, 2);
        const unsigned char *lo = sqlite3_column_text(q, 3), *hi = sqlite3_column_text(q, 4);
        if (lo && hi && strcmp((const char *)lo, (const char *)hi) == 0)
            copy_text(out->creator, sizeof out->creator, q, 3);
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            int col = 5 + f;
            if (sqlite3_column_type(q, col) == SQLITE_NULL)
                continue;
            double v = sl_field_is_money((sl_field)f) ? sqlite3_column_double(q, col)
                                                      : (double)sqlite3_column_int64(q, col);
            sl_funnel_set(&out->funnel, (sl_field)f, v);
        }
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW)
        return SL_OK;
    if (rc != SQLITE_DONE)
        return db_error(s, err, "cannot read the video's rows");
    return sl_fail(err, SL_ERR_NOT_FOUND, "video",
                   "no import in the store holds video %s; import its export with 'shoplab "
                   "read FILE' first",
                   video);
}

/* ---- drill progress ---- */

sl_status sl_store_drill_answer(sl_store *s, const sl_drill *drill, const char *answer,
                                bool correct, sl_error *err)
{
    if (!s || !drill || !answer)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, drill or answer given");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO drill_answers(drill_type, drill_id, answer, correct, "
                           "answered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot record the answer");
    char now[24];
    sl_store_now(now);
    sqlite3_bind_text(q, 1, sl_drill_type_name(drill->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, drill->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, answer, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, correct ? 1 : 0);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SL_OK : db_error(s, err, "cannot record the answer");
}

sl_status sl_store_drill_progress(sl_store *s, sl_drill_type type, sl_drill_progress *out,
                                  sl_error *err)
{
    if (!s || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT COUNT(*), COALESCE(SUM(correct), 0), COUNT(DISTINCT drill_id), "
                           "COUNT(DISTINCT CASE WHEN correct THEN drill_id END) "
                           "FROM drill_answers WHERE drill_type = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err, "cannot read the drill progress");
    sqlite3_bind_text(q, 1, sl_drill_type_name(type), -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->answered = (uint64_t)sqlite3_column_int64(q, 0);
        out->correct = (uint64_t)sqlite3_column_int64(q, 1);
        out->scenarios_seen = (uint64_t)sqlite3_column_int64(q, 2);
        out->scenarios_solved = (uint64_t)sqlite3_column_int64(q, 3);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? SL_OK : db_error(s, err, "cannot read the drill progress");
}
