/*
 * db_pg.c — db.h on PostgreSQL, through libpq loaded on first use
 * (pq_loader.c).
 *
 * The store's SQL is written once with SQLite's "?N" parameters; here they
 * become "$N" and travel as text, and results come back as text that
 * db_column_int/double parse: "%.17g" / shortest-exact float output make
 * doubles round-trip exactly.  Only bulk rows use a binary format, COPY's
 * (copy_begin_with), where the server's parsing is most of an import.
 *
 * Each import's rows are a partition of their own, built bare in the
 * import's transaction and attached at its end (pg_import_rows_begin);
 * the columns its file lacked, and the import's id, are added after the
 * load, so they cost its rows no bytes (import_table_sql).
 *
 * Concurrency differs from SQLite on purpose: db_begin takes no global
 * lock; two writers meet only on the rows or unique keys they share, and a
 * lock held past db_set_lock_wait's wait (lock_timeout) is SL_ERR_BUSY.
 * Migrations serialise on a transaction-scoped advisory lock instead.
 *
 * A connection that dropped while idle is reopened before the next
 * statement; a read (a SELECT outside a transaction) that finds it dropped
 * is run once more on the reopened connection.  A write is never re-run:
 * whether the server committed it cannot be known.
 */
#include "db_engine.h"
#include "pq_loader.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Type OIDs from the server's pg_type catalogue (stable since 7.x): a
 * bound integer travels as bigint and a double as double precision, as
 * SQLite would store them, so "?1 + 1" or a bigint past 2^31 mean the
 * same on both engines.  Text and NULL leave the type to the server. */
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_TEXTOID 25
#define PG_FLOAT8OID 701

/* The advisory lock every ShopLab migration takes ("SHOPLAB" in ASCII):
 * two processes migrating one database queue instead of both running a
 * step.  Transaction-scoped, so a crashed migrator leaves no lock behind. */
#define MIGRATION_LOCK "23734540055761218"

/* Rows are sent to COPY in chunks of about this size: large enough that
 * the per-call cost vanishes, small enough to never matter for memory. */
#define COPY_CHUNK (64 * 1024)

/* The lock wait until db_set_lock_wait says otherwise: the public
 * header's default for sl_store_set_busy_timeout. */
#define DEFAULT_LOCK_WAIT_MS 5000u

/* The most parameters a statement may have (PostgreSQL's protocol limit). */
#define MAX_PARAMS 65535

typedef struct pg_db {
    struct db base;
    const sl_pq_api *pq;
    PGconn *conn;
    bool readonly;
    bool tx;                 /* db_begin'd and not yet committed or rolled back */
    unsigned lock_wait_ms;
    unsigned generation;     /* bumped at each reconnect: prepared statements are gone */
    unsigned next_name;      /* for naming server-side prepared statements */
    sl_status last_code;     /* the last failure, for db_fail */
    char last_message[200];
} pg_db;

typedef struct pg_stmt {
    struct db_stmt base;
    char *sql;               /* with "$N" parameters */
    bool keep;               /* prepared on the server */
    bool read;               /* a SELECT: may be re-run after a reconnect */
    int nparams;
    char **values;           /* NULL: SQL NULL */
    Oid *types;              /* per the last bind; 0: the server decides */
    Oid *prepared_types;     /* what the server-side statement was prepared with */
    bool prepared;
    unsigned prepared_generation;
    char name[24];
    PGresult *res;           /* the result of the last run, all rows */
    bool ran;
    int row;                 /* the row db_step returned last; -1 before the first */
    sl_status bind_code;     /* a bad bind, reported by the next step */
    char bind_message[96];
} pg_stmt;

/* The most columns one COPY takes (the widest store table has 22). */
#define COPY_MAX_COLUMNS 32

/* Room for the statements that make and complete an import's table: the
 * records table's 17 columns with their types take about 500 bytes. */
#define IMPORT_SQL_SIZE 2048

typedef struct pg_copy {
    struct db_copy base;
    char table[64];
    int columns;
    int given;               /* columns of the current row so far */
    unsigned type[COPY_MAX_COLUMNS]; /* each column's type OID */
    char *buf;
    size_t len, cap;
    sl_status code;          /* a failure while building rows */
    char message[160];       /* what that failure was, when not memory */
    char finish[IMPORT_SQL_SIZE]; /* an import's: what completes its table (import_table_sql) */
} pg_copy;

static const struct db_ops pg_ops;

/* ---- errors ---- */

/* libpq's messages end with a newline and put hints on lines of their
 * own: one line reads better inside "NAME: what: message". */
static void one_line(char *out, size_t size, const char *text)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = text ? text : ""; *p && n + 1 < size; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < size)
            out[n++] = ' ';
        space = false;
        out[n++] = *p;
    }
    out[n] = '\0';
}

static void record(pg_db *d, sl_status code, const char *message)
{
    d->last_code = code;
    one_line(d->last_message, sizeof d->last_message, message);
}

/* True when the SQLSTATE says the session is gone: connection exceptions
 * (class 08) and the server shutting down or terminating the backend. */
static bool sqlstate_lost(const char *state)
{
    return state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
                     strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

static bool result_ok(const pg_db *d, const PGresult *r)
{
    if (!r)
        return false;
    ExecStatusType st = d->pq->resultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* Whether a failed result (or none) means the connection dropped. */
static bool lost(const pg_db *d, const PGresult *r)
{
    if (d->pq->status(d->conn) != CONNECTION_OK)
        return true;
    return r && sqlstate_lost(d->pq->resultErrorField(r, PG_DIAG_SQLSTATE));
}

/* Records a failed result: SL_ERR_BUSY for a lock wait that ran out, a
 * serialization failure or a deadlock (all mean "try again"), and
 * SL_ERR_UNREACHABLE when the connection is gone. */
static void record_result(pg_db *d, const PGresult *r)
{
    const char *state = r ? d->pq->resultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r ? d->pq->resultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *message = primary           ? primary
                          : r && *d->pq->resultErrorMessage(r) ? d->pq->resultErrorMessage(r)
                                                               : d->pq->errorMessage(d->conn);
    sl_status code = SL_ERR_STORE;
    if (lost(d, r))
        code = SL_ERR_UNREACHABLE;
    else if (state && (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
                       strcmp(state, "40P01") == 0))
        code = SL_ERR_BUSY;
    if (!*message)
        message = "the server gave no message";
    record(d, code, message);
}

static sl_status pg_fail(db *base, sl_error *err, const char *what)
{
    pg_db *d = (pg_db *)base;
    switch (d->last_code) {
    case SL_ERR_BUSY:
        return sl_fail(err, SL_ERR_BUSY, NULL,
                       "%s: %s: it is busy (another write holds what this one needs); try again "
                       "in a moment",
                       d->base.name, what);
    case SL_ERR_UNREACHABLE:
        return sl_fail(err, SL_ERR_UNREACHABLE, NULL, "%s: %s: the server cannot be reached: %s",
                       d->base.name, what, d->last_message);
    case SL_OK:
        return sl_fail(err, SL_ERR_STORE, NULL, "%s: %s: failed", d->base.name, what);
    default:
        return sl_fail(err, d->last_code, NULL, "%s: %s: %s", d->base.name, what,
                       d->last_message);
    }
}

/* ---- the session ---- */

/* A library must not write to stderr: notices ("relation already exists,
 * skipping") are dropped. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs SQL and keeps the failure for db_fail; true on success. */
static bool run(pg_db *d, const char *sql)
{
    PGresult *r = d->pq->exec(d->conn, sql);
    bool ok = result_ok(d, r);
    if (!ok)
        record_result(d, r);
    d->pq->clear(r);
    return ok;
}

/* The settings every session needs, again after each reconnect: UTF-8
 * (the store's text), floats printed exactly, the lock wait, and a
 * read-only session when asked for one. */
static bool setup_session(pg_db *d)
{
    char sql[256];
    /* PostgreSQL's lock_timeout 0 means "wait for ever"; SQLite's 0 means
     * "do not wait": 1 ms is the nearest PostgreSQL has. */
    snprintf(sql, sizeof sql,
             "SET client_encoding = 'UTF8'; SET extra_float_digits = 3; "
             "SET lock_timeout = %u;%s",
             d->lock_wait_ms ? d->lock_wait_ms : 1u,
             d->readonly ? " SET default_transaction_read_only = on;" : "");
    return run(d, sql);
}

static bool reconnect(pg_db *d)
{
    d->pq->reset(d->conn);
    d->generation++;
    if (d->pq->status(d->conn) != CONNECTION_OK) {
        record(d, SL_ERR_UNREACHABLE, d->pq->errorMessage(d->conn));
        return false;
    }
    return setup_session(d);
}

/* A connection that dropped while no transaction was open is reopened:
 * nothing was lost with it.  Inside a transaction the work so far is
 * gone, which the caller must hear about (and roll back). */
static bool connected(pg_db *d)
{
    if (d->pq->status(d->conn) == CONNECTION_OK)
        return true;
    if (d->tx) {
        record(d, SL_ERR_UNREACHABLE, "the connection was lost inside a transaction");
        return false;
    }
    return reconnect(d);
}

/* "PostgreSQL database NAME on HOST": what the connection reached, from
 * libpq's view of it (the environment and service file included), never
 * the connection string, which may hold a password. */
static void name_database(pg_db *d)
{
    const char *dbname = d->pq->db(d->conn);
    const char *host = d->pq->host(d->conn);
    const char *port = d->pq->port(d->conn);
    char where[160];
    if (!host || !*host)
        snprintf(where, sizeof where, "the default socket");
    else if (port && *port && strcmp(port, "5432") != 0)
        snprintf(where, sizeof where, "%.100s:%.20s", host, port);
    else
        snprintf(where, sizeof where, "%.150s", host);
    snprintf(d->base.name, sizeof d->base.name, "PostgreSQL database %.80s on %.150s",
             dbname && *dbname ? dbname : "(default)", where);
}

/* Whether libpq's parse message may quote the password: its messages
 * quote the text near a mistake, so with a password in the string they
 * are left out. */
static bool may_hold_password(const char *conninfo)
{
    for (const char *p = conninfo; *p; p++)
        if (strncasecmp(p, "password", 8) == 0)
            return true;
    /* a URI's user:password@ */
    const char *scheme = strstr(conninfo, "://");
    return scheme && strchr(scheme + 3, '@');
}

sl_status db_pg_open(const char *conninfo, bool readonly, db **out, sl_error *err)
{
    if (out)
        *out = NULL;
    if (!conninfo || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "db", "no PostgreSQL database given");
    const char *why = NULL;
    const sl_pq_api *pq = sl_pq_api_get(&why);
    if (!pq)
        return sl_fail(err, SL_ERR_STORE, "db", "%s", why);

    /* A malformed string is the caller's mistake, not a server that is
     * down: say so before trying to connect. */
    char *parse_error = NULL;
    PQconninfoOption *options = pq->conninfoParse(conninfo, &parse_error);
    if (!options) {
        char message[160] = "out of memory";
        if (parse_error)
            one_line(message, sizeof message, parse_error);
        if (parse_error && may_hold_password(conninfo))
            snprintf(message, sizeof message, "check its keywords and quoting");
        pq->freemem(parse_error);
        return sl_fail(err, parse_error ? SL_ERR_INVALID_ARGUMENT : SL_ERR_NO_MEMORY, "db",
                       "not a PostgreSQL connection string (postgresql://… or keyword=value): "
                       "%s",
                       message);
    }
    pq->conninfoFree(options);

    pg_db *d = calloc(1, sizeof *d);
    if (!d)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    d->base.ops = &pg_ops;
    d->base.engine = DB_POSTGRES;
    d->pq = pq;
    d->readonly = readonly;
    d->lock_wait_ms = DEFAULT_LOCK_WAIT_MS;
    d->conn = pq->connectdb(conninfo);
    if (!d->conn) {
        free(d);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    pq->setNoticeProcessor(d->conn, quiet, NULL);
    name_database(d);
    if (pq->status(d->conn) != CONNECTION_OK) {
        record(d, SL_ERR_UNREACHABLE, pq->errorMessage(d->conn));
        sl_status st = pg_fail(&d->base, err, "cannot connect");
        pq->finish(d->conn);
        free(d);
        return st;
    }
    if (!setup_session(d)) {
        sl_status st = pg_fail(&d->base, err, "setting up the session");
        pq->finish(d->conn);
        free(d);
        return st;
    }
    *out = &d->base;
    return SL_OK;
}

static void pg_close(db *base)
{
    pg_db *d = (pg_db *)base;
    /* Closing the connection rolls back an open transaction on the server. */
    d->pq->finish(d->conn);
    free(d);
}

static sl_status pg_exec(db *base, const char *sql, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    if (!connected(d) || !run(d, sql))
        return pg_fail(base, err, "running SQL");
    return SL_OK;
}

/* ---- transactions ---- */

/* `write` changes nothing here: PostgreSQL locks rows as they are
 * written, so two writers wait for each other only where they touch the
 * same rows, and a global lock would throw that away. */
static sl_status pg_begin(db *base, bool write, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    if (d->tx)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "%s: a transaction is already open",
                       d->base.name);
    /* A reading transaction sees one snapshot, as SQLite's does: a journal
     * list or a store copy must not mix two states of the database. */
    const char *sql = write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    if (!connected(d) || !run(d, sql))
        return pg_fail(base, err, "beginning a transaction");
    d->tx = true;
    return SL_OK;
}

static sl_status pg_commit(db *base, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    if (d->pq->status(d->conn) != CONNECTION_OK) {
        d->tx = false;
        record(d, SL_ERR_UNREACHABLE, "the connection was lost inside a transaction");
        return pg_fail(base, err, "committing");
    }
    /* COMMIT of a transaction that already failed succeeds and rolls back;
     * that must not look like a commit. */
    if (d->pq->transactionStatus(d->conn) == PQTRANS_INERROR) {
        run(d, "ROLLBACK");
        d->tx = false;
        record(d, SL_ERR_STORE, "a statement of the transaction had failed; it was rolled back");
        return pg_fail(base, err, "committing");
    }
    PGresult *r = d->pq->exec(d->conn, "COMMIT");
    d->tx = false;
    bool ok = result_ok(d, r);
    if (!ok)
        record_result(d, r);
    else if (strcmp(d->pq->cmdStatus(r), "ROLLBACK") == 0) {
        ok = false;
        record(d, SL_ERR_STORE, "the transaction was rolled back");
    }
    d->pq->clear(r);
    return ok ? SL_OK : pg_fail(base, err, "committing");
}

/* Leaves the last failure as it was: callers roll back and then report
 * what went wrong. */
static void pg_rollback(db *base)
{
    pg_db *d = (pg_db *)base;
    if ((d->tx || d->pq->transactionStatus(d->conn) != PQTRANS_IDLE) &&
        d->pq->status(d->conn) == CONNECTION_OK)
        d->pq->clear(d->pq->exec(d->conn, "ROLLBACK"));
    d->tx = false;
}

static bool pg_in_transaction(db *base) { return ((pg_db *)base)->tx; }

static void pg_set_lock_wait(db *base, unsigned milliseconds)
{
    pg_db *d = (pg_db *)base;
    d->lock_wait_ms = milliseconds;
    char sql[64];
    snprintf(sql, sizeof sql, "SET lock_timeout = %u", milliseconds ? milliseconds : 1u);
    if (d->pq->status(d->conn) == CONNECTION_OK)
        run(d, sql);   /* a dropped connection gets it from setup_session */
}

/* ---- schema ---- */

/* Runs a read outside any transaction, once more after a reconnect when
 * the connection had dropped; NULL (failure recorded) when it fails. */
static PGresult *read_query(pg_db *d, const char *sql)
{
    if (!connected(d))
        return NULL;
    PGresult *r = d->pq->exec(d->conn, sql);
    if (!result_ok(d, r) && lost(d, r) && !d->tx) {
        d->pq->clear(r);
        if (!reconnect(d))
            return NULL;
        r = d->pq->exec(d->conn, sql);
    }
    if (!result_ok(d, r) || d->pq->ntuples(r) < 1) {
        record_result(d, r);
        d->pq->clear(r);
        return NULL;
    }
    return r;
}

static int first_int(pg_db *d, PGresult *r)
{
    int v = atoi(d->pq->getvalue(r, 0, 0));
    d->pq->clear(r);
    return v;
}

static sl_status pg_schema_version(db *base, int *version, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    *version = 0;
    /* to_regclass answers NULL, not an error, for a table that does not
     * exist: a new database is version 0. */
    PGresult *r = read_query(d, "SELECT to_regclass('shoplab_schema') IS NOT NULL");
    if (!r)
        return pg_fail(base, err, "reading the schema version");
    bool exists = strcmp(d->pq->getvalue(r, 0, 0), "t") == 0;
    d->pq->clear(r);
    if (!exists)
        return SL_OK;
    r = read_query(d, "SELECT coalesce(max(version), 0) FROM shoplab_schema");
    if (!r)
        return pg_fail(base, err, "reading the schema version");
    *version = first_int(d, r);
    return SL_OK;
}

static sl_status pg_migrate_step(db *base, int version, const char *sql, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    char what[64];
    snprintf(what, sizeof what, "migrating to schema version %d", version);
    if (d->tx)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: %s: a migration runs in a transaction of its own", d->base.name,
                       what);
    if (!connected(d) || !run(d, "BEGIN"))
        return pg_fail(base, err, what);
    d->tx = true;
    /* Under the lock, the version is read again: another process may have
     * run this very step while this one waited. */
    if (!run(d, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")") ||
        !run(d, "CREATE TABLE IF NOT EXISTS shoplab_schema (version integer NOT NULL)"))
        goto failed;
    PGresult *r = d->pq->exec(d->conn, "SELECT coalesce(max(version), 0) FROM shoplab_schema");
    if (!result_ok(d, r) || d->pq->ntuples(r) < 1) {
        record_result(d, r);
        d->pq->clear(r);
        goto failed;
    }
    int current = first_int(d, r);
    if (current >= version) {
        pg_rollback(base);   /* nothing was changed */
        return SL_OK;
    }
    if (current != version - 1) {
        char message[96];
        snprintf(message, sizeof message, "the database is at schema version %d, not %d",
                 current, version - 1);
        record(d, SL_ERR_STORE, message);
        goto failed;
    }
    char record_sql[96];
    snprintf(record_sql, sizeof record_sql,
             "DELETE FROM shoplab_schema; INSERT INTO shoplab_schema VALUES (%d)", version);
    if (!run(d, sql) || !run(d, record_sql))
        goto failed;
    return pg_commit(base, err) == SL_OK ? SL_OK : pg_fail(base, err, what);
failed:
    pg_rollback(base);
    return pg_fail(base, err, what);
}

/* ---- statements ---- */

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || (unsigned char)c >= 0x80;
}

/* Rewrites "?N" to "$N" in place (the same length), outside string
 * literals, quoted identifiers, dollar-quoted bodies and comments, and
 * finds the highest N.  -1 for a bare "?": the store's SQL numbers every
 * parameter, and guessing an order would bind the wrong values. */
static int rewrite_params(char *sql)
{
    int highest = 0;
    char *p = sql;
    while (*p) {
        if (*p == '\'') {
            /* E'…' takes backslash escapes; plain '…' only doubles quotes. */
            bool escapes = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
                           (p - 1 == sql || !ident_char(p[-2]));
            for (p++; *p; p++) {
                if (escapes && *p == '\\' && p[1]) {
                    p++;
                } else if (*p == '\'') {
                    if (p[1] != '\'')
                        break;
                    p++;
                }
            }
            if (*p)
                p++;
        } else if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
                if (*p == '"')
                    p++;
            if (*p)
                p++;
        } else if (*p == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '/' && p[1] == '*') {
            int depth = 1;   /* PostgreSQL nests block comments */
            for (p += 2; *p && depth; p++) {
                if (*p == '/' && p[1] == '*')
                    depth++, p++;
                else if (*p == '*' && p[1] == '/')
                    depth--, p++;
            }
        } else if (*p == '$' && (p == sql || !ident_char(p[-1])) && !(p[1] >= '0' && p[1] <= '9')) {
            /* $tag$ … $tag$ (the tag may be empty) */
            const char *t = p + 1;
            while (ident_char(*t) && *t != '$')
                t++;
            if (*t != '$') {
                p++;
                continue;
            }
            size_t tag = (size_t)(t - p) + 1;
            char *end = p + tag;
            while (*end && strncmp(end, p, tag) != 0)
                end++;
            p = *end ? end + tag : end;
        } else if (*p == '?') {
            if (!(p[1] >= '0' && p[1] <= '9'))
                return -1;
            *p++ = '$';
            long n = strtol(p, &p, 10);
            if (n < 1 || n > MAX_PARAMS)
                return -1;
            if (n > highest)
                highest = (int)n;
        } else {
            p++;
        }
    }
    return highest;
}

/* A SELECT changes nothing, so it may be run again after a reconnect. */
static bool is_read(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r' || *sql == '(')
        sql++;
    return strncasecmp(sql, "select", 6) == 0 && !ident_char(sql[6]);
}

static sl_status pg_prepare(db *base, const char *sql, bool keep, db_stmt **out, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    *out = NULL;
    pg_stmt *q = calloc(1, sizeof *q);
    if (!q || !(q->sql = strdup(sql))) {
        free(q);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    q->base.owner = base;
    q->keep = keep;
    q->read = is_read(sql);
    q->row = -1;
    q->nparams = rewrite_params(q->sql);
    if (q->nparams < 0) {
        free(q->sql);
        free(q);
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: a parameter without its number (?1, ?2…) in: %.80s", d->base.name,
                       sql);
    }
    if (q->nparams > 0) {
        q->values = calloc((size_t)q->nparams, sizeof *q->values);
        q->types = calloc((size_t)q->nparams, sizeof *q->types);
        q->prepared_types = calloc((size_t)q->nparams, sizeof *q->prepared_types);
        if (!q->values || !q->types || !q->prepared_types) {
            free(q->values);
            free(q->types);
            free(q->prepared_types);
            free(q->sql);
            free(q);
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        }
    }
    /* The server-side PREPARE waits for the first run, when the bound
     * types are known (a bigint must not be prepared as an integer). */
    if (keep)
        snprintf(q->name, sizeof q->name, "sl_%u", d->next_name++);
    *out = &q->base;
    return SL_OK;
}

static void set_param(pg_stmt *q, int i, const char *text, Oid type)
{
    if (i < 1 || i > q->nparams) {
        q->bind_code = SL_ERR_INVALID_ARGUMENT;
        snprintf(q->bind_message, sizeof q->bind_message,
                 "parameter %d bound, but the statement has %d", i, q->nparams);
        return;
    }
    char *copy = NULL;
    if (text && !(copy = strdup(text))) {
        q->bind_code = SL_ERR_NO_MEMORY;
        snprintf(q->bind_message, sizeof q->bind_message, "out of memory");
        return;
    }
    free(q->values[i - 1]);
    q->values[i - 1] = copy;
    q->types[i - 1] = text ? type : 0;
}

/* A double as PostgreSQL's float8 input reads it back bit for bit:
 * 17 significant digits, and its own spelling of the special values. */
static void format_double(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "NaN");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(buf, size, "%.17g", v);
}

static void pg_bind_int(db_stmt *base, int i, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    set_param((pg_stmt *)base, i, buf, PG_INT8OID);
}

static void pg_bind_double(db_stmt *base, int i, double v)
{
    char buf[32];
    format_double(buf, sizeof buf, v);
    set_param((pg_stmt *)base, i, buf, PG_FLOAT8OID);
}

static void pg_bind_text(db_stmt *base, int i, const char *text)
{
    set_param((pg_stmt *)base, i, text, 0);
}

static void pg_bind_null(db_stmt *base, int i) { set_param((pg_stmt *)base, i, NULL, 0); }

/* Whether the server-side statement can take this run's parameters: one
 * prepared with a NULL's unknown type takes any, but an integer
 * parameter prepared as bigint cannot take a double. */
static bool types_fit(const pg_stmt *q)
{
    for (int i = 0; i < q->nparams; i++)
        if (q->types[i] && q->types[i] != q->prepared_types[i])
            return false;
    return true;
}

static void deallocate(pg_db *d, pg_stmt *q)
{
    if (!q->prepared || q->prepared_generation != d->generation ||
        d->pq->status(d->conn) != CONNECTION_OK ||
        d->pq->transactionStatus(d->conn) == PQTRANS_INERROR)
        return;   /* gone with the old connection, or unreachable until the rollback */
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", q->name);
    d->pq->clear(d->pq->exec(d->conn, sql));
    q->prepared = false;
}

static PGresult *execute(pg_db *d, pg_stmt *q)
{
    const char *const *values = (const char *const *)q->values;
    if (!q->keep)
        return d->pq->execParams(d->conn, q->sql, q->nparams, q->types, values, NULL, NULL, 0);
    if (!q->prepared || q->prepared_generation != d->generation || !types_fit(q)) {
        if (q->prepared && q->prepared_generation == d->generation) {
            deallocate(d, q);
            snprintf(q->name, sizeof q->name, "sl_%u", d->next_name++);
        }
        q->prepared = false;
        PGresult *r = d->pq->prepare(d->conn, q->name, q->sql, q->nparams, q->types);
        if (!result_ok(d, r))
            return r;
        d->pq->clear(r);
        q->prepared = true;
        q->prepared_generation = d->generation;
        if (q->nparams > 0)
            memcpy(q->prepared_types, q->types, (size_t)q->nparams * sizeof *q->types);
    }
    return d->pq->execPrepared(d->conn, q->name, q->nparams, values, NULL, NULL, 0);
}

static db_result pg_step(db_stmt *base)
{
    pg_stmt *q = (pg_stmt *)base;
    pg_db *d = (pg_db *)base->owner;
    if (!q->ran) {
        if (q->bind_code != SL_OK) {
            record(d, q->bind_code, q->bind_message);
            return DB_ERROR;
        }
        if (!connected(d))
            return DB_ERROR;
        PGresult *r = execute(d, q);
        if (!result_ok(d, r) && q->read && !d->tx && lost(d, r)) {
            d->pq->clear(r);
            if (!reconnect(d))
                return DB_ERROR;
            r = execute(d, q);
        }
        if (!result_ok(d, r)) {
            record_result(d, r);
            d->pq->clear(r);
            return DB_ERROR;
        }
        q->res = r;
        q->ran = true;
        q->row = -1;
    }
    if (d->pq->resultStatus(q->res) != PGRES_TUPLES_OK)
        return DB_DONE;
    int rows = d->pq->ntuples(q->res);
    if (q->row + 1 < rows) {
        q->row++;
        return DB_ROW;
    }
    q->row = rows;
    return DB_DONE;
}

/* The cell of the current row, or NULL when there is none (no row, a
 * column past the end, or SQL NULL). */
static const char *cell(pg_stmt *q, int col)
{
    pg_db *d = (pg_db *)q->base.owner;
    if (!q->res || q->row < 0 || q->row >= d->pq->ntuples(q->res) || col < 0 ||
        col >= d->pq->nfields(q->res) || d->pq->getisnull(q->res, q->row, col))
        return NULL;
    return d->pq->getvalue(q->res, q->row, col);
}

static bool pg_column_null(db_stmt *base, int col) { return cell((pg_stmt *)base, col) == NULL; }

/* Booleans print as "t"/"f" where SQLite gives 1/0: EXISTS (…) and
 * comparisons read the same on both engines. */
static bool boolean_text(const char *v, int64_t *out)
{
    if (v[0] == 't' && !v[1])
        return *out = 1, true;
    if (v[0] == 'f' && !v[1])
        return *out = 0, true;
    return false;
}

static int64_t pg_column_int(db_stmt *base, int col)
{
    const char *v = cell((pg_stmt *)base, col);
    if (!v)
        return 0;
    int64_t b;
    if (boolean_text(v, &b))
        return b;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end) {
        /* a double or numeric column read as an integer truncates, as in SQLite */
        double x = strtod(v, NULL);
        if (isnan(x))
            return 0;
        return x >= 9223372036854775807.0 ? INT64_MAX : x <= -9223372036854775808.0 ? INT64_MIN
                                                                                    : (int64_t)x;
    }
    return (int64_t)n;
}

static double pg_column_double(db_stmt *base, int col)
{
    const char *v = cell((pg_stmt *)base, col);
    if (!v)
        return 0.0;
    int64_t b;
    if (boolean_text(v, &b))
        return (double)b;
    return strtod(v, NULL);
}

static const char *pg_column_text(db_stmt *base, int col)
{
    const char *v = cell((pg_stmt *)base, col);
    return v ? v : "";
}

static void pg_reset(db_stmt *base)
{
    pg_stmt *q = (pg_stmt *)base;
    pg_db *d = (pg_db *)base->owner;
    d->pq->clear(q->res);
    q->res = NULL;
    q->ran = false;
    q->row = -1;
    q->bind_code = SL_OK;
}

static void pg_finalize(db_stmt *base)
{
    pg_stmt *q = (pg_stmt *)base;
    pg_db *d = (pg_db *)base->owner;
    d->pq->clear(q->res);
    deallocate(d, q);
    for (int i = 0; i < q->nparams; i++)
        free(q->values[i]);
    free(q->values);
    free(q->types);
    free(q->prepared_types);
    free(q->sql);
    free(q);
}

/* ---- bulk copy ---- */

static bool plain_name(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* The type of each named column of `table`, from the catalogue: COPY's
 * binary format needs them, and the store's tables use only these. */
static sl_status column_types(pg_db *d, const char *table, const char *const *columns, int count,
                              unsigned *type, sl_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = '%s'::regclass "
             "AND attnum > 0 AND NOT attisdropped",
             table);
    PGresult *r = connected(d) ? d->pq->exec(d->conn, sql) : NULL;
    if (!r || !result_ok(d, r)) {
        if (r)
            record_result(d, r);
        d->pq->clear(r);
        return pg_fail(&d->base, err, "reading the columns to copy");
    }
    int rows = d->pq->ntuples(r);
    sl_status st = SL_OK;
    for (int i = 0; i < count && st == SL_OK; i++) {
        type[i] = 0;
        for (int k = 0; k < rows && !type[i]; k++)
            if (strcmp(d->pq->getvalue(r, k, 0), columns[i]) == 0)
                type[i] = (unsigned)strtoul(d->pq->getvalue(r, k, 1), NULL, 10);
        bool known = type[i] == PG_INT2OID || type[i] == PG_INT4OID || type[i] == PG_INT8OID ||
                     type[i] == PG_FLOAT8OID || type[i] == PG_TEXTOID;
        if (!known)
            st = sl_fail(err, SL_ERR_STORE, NULL,
                         "%s: cannot copy %s.%s: %s; the database is not the one this ShopLab "
                         "made",
                         d->base.name, table, columns[i],
                         type[i] ? "not a type ShopLab stores" : "no such column");
    }
    d->pq->clear(r);
    return st;
}

/* Rows travel in COPY's binary format: no number is printed by us or
 * parsed by the server, and text needs no escaping.  About a fifth less
 * server time than the text format on an import's rows. */
static sl_status copy_begin_with(db *base, const char *table, const char *const *columns,
                                 int count, bool freeze, db_copy **out, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    *out = NULL;
    /* Table and column names go into the SQL as they are: they come from
     * the store's code, and anything but a plain name is a bug there. */
    bool names_ok = plain_name(table) && strlen(table) < sizeof ((pg_copy *)0)->table &&
                    count > 0 && count <= COPY_MAX_COLUMNS;
    size_t size = 64 + (table ? strlen(table) : 0);
    for (int i = 0; names_ok && i < count; i++) {
        names_ok = plain_name(columns[i]);
        size += names_ok ? strlen(columns[i]) + 2 : 0;
    }
    if (!names_ok)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "%s: copy: not a plain table and columns",
                       d->base.name);
    pg_copy *c = calloc(1, sizeof *c);
    char *sql = malloc(size);
    if (c)
        c->buf = malloc(COPY_CHUNK + 4096);
    if (!c || !sql || !c->buf) {
        if (c)
            free(c->buf);
        free(c);
        free(sql);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    c->base.owner = base;
    c->cap = COPY_CHUNK + 4096;
    c->columns = count;
    snprintf(c->table, sizeof c->table, "%s", table);
    size_t n = (size_t)snprintf(sql, size, "COPY %s (", table);
    for (int i = 0; i < count; i++)
        n += (size_t)snprintf(sql + n, size - n, "%s%s", i ? ", " : "", columns[i]);
    snprintf(sql + n, size - n, ") FROM STDIN (FORMAT binary%s)", freeze ? ", FREEZE" : "");
    /* The binary format's header: signature, no flags, no extension. */
    static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    memcpy(c->buf, header, sizeof header);
    c->len = sizeof header;

    char what[96];
    snprintf(what, sizeof what, "copying into %s", c->table);
    sl_status st = column_types(d, table, columns, count, c->type, err);
    PGresult *r = st == SL_OK && connected(d) ? d->pq->exec(d->conn, sql) : NULL;
    free(sql);
    if (st != SL_OK || !r || d->pq->resultStatus(r) != PGRES_COPY_IN) {
        if (r)
            record_result(d, r);
        d->pq->clear(r);
        free(c->buf);
        free(c);
        return st != SL_OK ? st : pg_fail(base, err, what);
    }
    d->pq->clear(r);
    *out = &c->base;
    return SL_OK;
}

static sl_status pg_copy_begin(db *base, const char *table, const char *const *columns,
                               int count, db_copy **out, sl_error *err)
{
    return copy_begin_with(base, table, columns, count, false, out, err);
}

static bool reserve(pg_copy *c, size_t more)
{
    if (c->code != SL_OK)
        return false;
    if (c->len + more <= c->cap)
        return true;
    size_t cap = c->cap;
    while (cap < c->len + more)
        cap *= 2;
    char *buf = realloc(c->buf, cap);
    if (!buf) {
        c->code = SL_ERR_NO_MEMORY;
        return false;
    }
    c->buf = buf;
    c->cap = cap;
    return true;
}

static void put_be(pg_copy *c, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        c->buf[c->len++] = (char)(v >> (8 * i));
}

/* Starts the next field, of `size` bytes (-1: NULL): the row's field count
 * before its first, then the field's length.  NULL when the row is full
 * or memory ran out; else the column's type. */
static unsigned *field(pg_copy *c, int32_t size)
{
    if (!reserve(c, 6 + (size > 0 ? (size_t)size : 0)))
        return NULL;
    if (c->given >= c->columns) {
        c->given++; /* db_copy_row reports the count */
        return NULL;
    }
    if (c->given == 0)
        put_be(c, (uint64_t)c->columns, 2);
    put_be(c, (uint64_t)(uint32_t)size, 4);
    return &c->type[c->given++];
}

/* A value the column cannot hold, kept until db_copy_row reports it. */
static void refuse(pg_copy *c, const char *what)
{
    if (c->code != SL_OK)
        return;
    c->code = SL_ERR_INVALID_ARGUMENT;
    snprintf(c->message, sizeof c->message, "column %d of %s: %s", c->given + 1, c->table,
             what);
}

static int type_size(unsigned type)
{
    return type == PG_INT2OID ? 2 : type == PG_INT4OID ? 4 : 8;
}

static void put_int(pg_copy *c, int64_t v)
{
    unsigned type = c->given < c->columns ? c->type[c->given] : PG_INT8OID;
    int64_t most = type == PG_INT2OID ? INT16_MAX : type == PG_INT4OID ? INT32_MAX : INT64_MAX;
    if (type == PG_TEXTOID)
        return refuse(c, "a number for a text column");
    if (type != PG_FLOAT8OID && (v > most || v < -most - 1))
        return refuse(c, "a number too large for the column");
    unsigned *t = field(c, type_size(type));
    if (!t)
        return;
    if (*t == PG_FLOAT8OID) {
        double f = (double)v;
        uint64_t bits;
        memcpy(&bits, &f, sizeof bits);
        put_be(c, bits, 8);
    } else {
        put_be(c, (uint64_t)v, type_size(*t));
    }
}

static void pg_copy_int(db_copy *base, int64_t v) { put_int((pg_copy *)base, v); }

static void pg_copy_double(db_copy *base, double v)
{
    pg_copy *c = (pg_copy *)base;
    unsigned type = c->given < c->columns ? c->type[c->given] : PG_FLOAT8OID;
    if (type != PG_FLOAT8OID) {
        /* An integer column takes a whole number, as the text format did. */
        if (type == PG_TEXTOID || !(v == floor(v) && fabs(v) < 9.2e18))
            return refuse(c, "a fraction for a whole-number column");
        return put_int(c, (int64_t)v);
    }
    if (!field(c, 8))
        return;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_be(c, bits, 8);
}

static void pg_copy_text(db_copy *base, const char *text)
{
    pg_copy *c = (pg_copy *)base;
    if (!text) {
        field(c, -1);
        return;
    }
    if (c->given < c->columns && c->type[c->given] != PG_TEXTOID)
        return refuse(c, "text for a number column");
    size_t n = strlen(text);
    if (n > INT32_MAX / 2)
        return refuse(c, "a text too long");
    if (!field(c, (int32_t)n))
        return;
    memcpy(c->buf + c->len, text, n);
    c->len += n;
}

static void pg_copy_null(db_copy *base) { pg_copy_text(base, NULL); }

static bool flush(pg_db *d, pg_copy *c)
{
    if (c->len == 0)
        return true;
    if (d->pq->putCopyData(d->conn, c->buf, (int)c->len) != 1) {
        record(d, lost(d, NULL) ? SL_ERR_UNREACHABLE : SL_ERR_STORE, d->pq->errorMessage(d->conn));
        return false;
    }
    c->len = 0;
    return true;
}

static sl_status pg_copy_row(db_copy *base, sl_error *err)
{
    pg_copy *c = (pg_copy *)base;
    pg_db *d = (pg_db *)base->owner;
    if (c->code == SL_ERR_NO_MEMORY)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if (c->code != SL_OK)
        return sl_fail(err, c->code, NULL, "%s: copying into %s: %s", d->base.name, c->table,
                       c->message);
    if (c->given != c->columns) {
        int given = c->given;
        c->given = 0;
        c->code = SL_ERR_INVALID_ARGUMENT; /* the row is half written: no more rows */
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: copying into %s: a row of %d values for %d columns", d->base.name,
                       c->table, given, c->columns);
    }
    c->given = 0;
    if (c->len >= COPY_CHUNK && !flush(d, c)) {
        char what[96]; /* only here: a row's cost matters, a failure's does not */
        snprintf(what, sizeof what, "copying into %s", c->table);
        return pg_fail(base->owner, err, what);
    }
    return SL_OK;
}

static sl_status pg_copy_end(db_copy *base, bool ok, sl_error *err)
{
    pg_copy *c = (pg_copy *)base;
    pg_db *d = (pg_db *)base->owner;
    char what[96];
    snprintf(what, sizeof what, "copying into %s", c->table);
    sl_status st = SL_OK;
    if (ok && c->code != SL_OK) {
        st = c->code == SL_ERR_NO_MEMORY
                 ? sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory")
                 : sl_fail(err, c->code, NULL, "%s: %s: %s", d->base.name, what, c->message);
        ok = false;
    }
    if (ok && reserve(c, 2))
        put_be(c, 0xFFFF, 2); /* the trailer: a field count of -1 */
    if (ok && (!flush(d, c) || d->pq->putCopyEnd(d->conn, NULL) != 1)) {
        st = pg_fail(base->owner, err, what);
        ok = false;
    } else if (!ok) {
        /* The server aborts the COPY with this message; the caller rolls back. */
        d->pq->putCopyEnd(d->conn, "abandoned by ShopLab");
    }
    /* Every result is read, so the connection is ready for the rollback
     * or the next statement. */
    PGresult *r;
    bool first = true;
    while ((r = d->pq->getResult(d->conn)) != NULL) {
        if (ok && first && !result_ok(d, r)) {
            record_result(d, r);
            st = pg_fail(base->owner, err, what);
        }
        first = false;
        d->pq->clear(r);
    }
    if (ok && first && d->pq->status(d->conn) != CONNECTION_OK) {
        record(d, SL_ERR_UNREACHABLE, d->pq->errorMessage(d->conn));
        st = pg_fail(base->owner, err, what);
    }
    free(c->buf);
    free(c);
    return st;
}

/* The SQL that builds an import's table around its COPY, from the records
 * table's columns in the catalogue: `create` makes the table with only
 * the columns the import sends, the fixed-width ones first (no padding
 * between them); `finish` then adds every other column, NOT NULL where
 * the records table says so, with the value db_unlisted_value gives it
 * as its default.
 *
 * Why the columns come after the rows: a column added with a constant
 * default (or none) is not written into the rows already there; the
 * catalogue holds the value, and every row reads it from there.  So an
 * import's rows carry neither its id (the partition key, 8 bytes a row)
 * nor the columns the file lacks, whose NULLs would otherwise give every
 * row a null bitmap (8 bytes more).  For the 20M-row benchmark file that
 * is a fifth fewer bytes for the server to write, and a quarter less COPY
 * time.  `finish` rewrites nothing: it changes the catalogue only. */
static sl_status import_table_sql(pg_db *d, const char *table, int64_t import_id,
                                  const char *const *columns, int count, char *create,
                                  char *finish, size_t size, sl_error *err)
{
    PGresult *r = connected(d) ? d->pq->exec(d->conn, "SELECT attname, "
                                                      "format_type(atttypid, atttypmod), "
                                                      "attnotnull, atttypid, attlen "
                                                      "FROM pg_attribute WHERE attrelid = "
                                                      "'records'::regclass AND attnum > 0 "
                                                      "AND NOT attisdropped ORDER BY attnum")
                               : NULL;
    if (!r || !result_ok(d, r)) {
        if (r)
            record_result(d, r);
        d->pq->clear(r);
        return pg_fail(&d->base, err, "reading the records' columns");
    }
    size_t made = (size_t)snprintf(create, size, "CREATE TABLE %s (", table);
    size_t added = (size_t)snprintf(finish, size, "ALTER TABLE %s", table);
    int listed = 0, unlisted = 0;
    for (int fixed_width = 1; fixed_width >= 0; fixed_width--)
        for (int k = 0; k < d->pq->ntuples(r) && made < size && added < size; k++) {
            const char *name = d->pq->getvalue(r, k, 0), *type = d->pq->getvalue(r, k, 1);
            bool not_null = strcmp(d->pq->getvalue(r, k, 2), "t") == 0;
            bool text = strtoul(d->pq->getvalue(r, k, 3), NULL, 10) == PG_TEXTOID;
            if ((atoi(d->pq->getvalue(r, k, 4)) > 0) != fixed_width || !plain_name(name))
                continue;
            if (db_column_listed(name, columns, count)) {
                made += (size_t)snprintf(create + made, size - made, "%s%s %s%s",
                                         listed++ ? ", " : "", name, type,
                                         not_null ? " NOT NULL" : "");
                continue;
            }
            char value[32];
            bool has_value = db_unlisted_value(name, not_null && text, import_id, value,
                                               sizeof value);
            added += (size_t)snprintf(finish + added, size - added, "%s ADD %s %s%s%s%s",
                                      unlisted++ ? "," : "", name, type,
                                      not_null ? " NOT NULL" : "",
                                      has_value ? " DEFAULT " : "", has_value ? value : "");
        }
    d->pq->clear(r);
    if (made < size)
        made += (size_t)snprintf(create + made, size - made, ")");
    if (made >= size || added >= size)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "%s: too many record columns",
                       d->base.name);
    if (listed != count)
        return sl_fail(err, SL_ERR_STORE, NULL,
                       "%s: the records table lacks %d of the columns an import sends; the "
                       "database is not the one this ShopLab made",
                       d->base.name, count - listed);
    if (!unlisted)
        finish[0] = '\0';
    return SL_OK;
}

/* An import's rows go into a table of their own, records_ID: made with
 * the columns the import sends and loaded bare; then given the other
 * columns, indexed (BRIN, one pass), checked to hold only that import,
 * and attached to the partitioned records table, whose indexes it then
 * already has.  Until the import commits none of it is visible, and a
 * rollback takes the table with it. */
static sl_status pg_import_rows_begin(db *base, int64_t import_id, const char *const *columns,
                                      int count, db_copy **out, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    char create[IMPORT_SQL_SIZE], finish[IMPORT_SQL_SIZE], table[48];
    snprintf(table, sizeof table, "records_%lld", (long long)import_id);
    sl_status st = import_table_sql(d, table, import_id, columns, count, create, finish,
                                    sizeof create, err);
    if (st == SL_OK)
        st = pg_exec(base, create, err);
    /* FREEZE: the table was made in this transaction, so its rows can be
     * written frozen and marked all-visible.  Otherwise the first reader
     * after the commit would rewrite every page of the import to set its
     * hint bits, and a later vacuum every page again to freeze it.  (No
     * other session sees the table before the commit.) */
    if (st == SL_OK)
        st = copy_begin_with(base, table, columns, count, true, out, err);
    if (st == SL_OK)
        memcpy(((pg_copy *)*out)->finish, finish, sizeof finish);
    return st;
}

static sl_status pg_import_rows_end(db *base, int64_t import_id, db_copy *c, bool ok,
                                    sl_error *err)
{
    char finish[IMPORT_SQL_SIZE];
    memcpy(finish, ((pg_copy *)c)->finish, sizeof finish);
    sl_status st = pg_copy_end(c, ok, err);
    if (st != SL_OK || !ok)
        return st;
    if (finish[0] && (st = pg_exec(base, finish, err)) != SL_OK)
        return st;
    char sql[512];
    long long id = (long long)import_id;
    snprintf(sql, sizeof sql,
             /* A BRIN index: the rows were loaded in row order, so a
              * summary of each block range (its least and greatest row)
              * finds any span of rows; its build is one pass over the
              * rows, with no sort and a few pages written, where a
              * B-tree over 20 million rows took longer than half the
              * load itself. */
             "CREATE INDEX ON records_%lld USING brin (row);"
             /* Statistics of `row` (a 3,000-row sample, about 50 ms):
              * without them the planner takes the index for useless (it
              * knows no correlation) and answers the first views' spans
              * with a scan of the whole import each.  One column only,
              * so autovacuum still analyses the whole table later. */
             "SET LOCAL default_statistics_target = 10;"
             "ANALYZE records_%lld (row);"
             "RESET default_statistics_target;"
             /* The constraint that lets ATTACH skip its own scan, added
              * after the load: one pass over the rows (1.3 s for 20M)
              * costs less than the check on every row during COPY (about
              * 2.3 s). */
             "ALTER TABLE records_%lld ADD CHECK (import_id = %lld);"
             "ALTER TABLE records ATTACH PARTITION records_%lld FOR VALUES IN (%lld)",
             id, id, id, id, id, id);
    return pg_exec(base, sql, err);
}

/* The import's own table is emptied, not dropped: dropping a partition
 * locks the whole records table, so it would wait for an import running
 * meanwhile and every report read would queue behind it; TRUNCATE locks
 * only that import's table.  The empty table stays attached (a few pages). */
static sl_status pg_import_forget(db *base, int64_t import_id, sl_error *err)
{
    char sql[320];
    long long id = (long long)import_id;
    snprintf(sql, sizeof sql,
             "DO $$ BEGIN IF to_regclass('records_%lld') IS NOT NULL THEN "
             "EXECUTE 'TRUNCATE records_%lld'; END IF; END $$;"
             "DELETE FROM imports WHERE id = %lld",
             id, id, id);
    return pg_exec(base, sql, err);
}

/* An identity column draws from a sequence of its own, which rows copied
 * with their ids do not move. */
static sl_status pg_ids_follow(db *base, const char *table, sl_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
             "COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
             table, table);
    return pg_exec(base, sql, err);
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .fail = pg_fail,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .set_lock_wait = pg_set_lock_wait,
    .schema_version = pg_schema_version,
    .migrate_step = pg_migrate_step,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_null = pg_column_null,
    .column_int = pg_column_int,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .copy_begin = pg_copy_begin,
    .copy_int = pg_copy_int,
    .copy_double = pg_copy_double,
    .copy_text = pg_copy_text,
    .copy_null = pg_copy_null,
    .copy_row = pg_copy_row,
    .copy_end = pg_copy_end,
    .ids_follow = pg_ids_follow,
    .import_rows_begin = pg_import_rows_begin,
    .import_rows_end = pg_import_rows_end,
    .import_forget = pg_import_forget,
};
