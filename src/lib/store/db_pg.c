/*
 * db_pg.c — db.h on PostgreSQL, through libpq loaded on first use
 * (pq_loader.c).
 *
 * The store's SQL is written once with SQLite's "?N" parameters; here they
 * become "$N" and travel as text, and results come back as text that
 * db_column_int/double parse: "%.17g" / shortest-exact float output make
 * doubles round-trip exactly.  Bulk rows, and each import's table of its
 * own, are db_pg_copy.c's.
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
#include "db_pg.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The advisory lock every ShopLab migration takes ("SHOPLAB" in ASCII):
 * two processes migrating one database queue instead of both running a
 * step.  Transaction-scoped, so a crashed migrator leaves no lock behind. */
#define MIGRATION_LOCK "23734540055761218"

/* The lock wait until db_set_lock_wait says otherwise: the public
 * header's default for sl_store_set_busy_timeout. */
#define DEFAULT_LOCK_WAIT_MS 5000u

/* The most parameters a statement may have (PostgreSQL's protocol limit). */
#define MAX_PARAMS 65535

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
    PGresult *res;           /* the result of the last db_pg_run, all rows */
    bool ran;
    int row;                 /* the row db_step returned last; -1 before the first */
    sl_status bind_code;     /* a bad bind, reported by the next step */
    char bind_message[96];
} pg_stmt;

static const struct db_ops pg_ops;

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
            db_pg_one_line(message, sizeof message, parse_error);
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
    pq->setNoticeProcessor(d->conn, db_pg_quiet, NULL);
    name_database(d);
    if (pq->status(d->conn) != CONNECTION_OK) {
        db_pg_record(d, SL_ERR_UNREACHABLE, pq->errorMessage(d->conn));
        sl_status st = db_pg_fail(&d->base, err, "cannot connect");
        pq->finish(d->conn);
        free(d);
        return st;
    }
    if (!db_pg_setup_session(d)) {
        sl_status st = db_pg_fail(&d->base, err, "setting up the session");
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
    if (!db_pg_connected(d) || !db_pg_run(d, sql))
        return db_pg_fail(base, err, "beginning a transaction");
    d->tx = true;
    return SL_OK;
}

static sl_status pg_commit(db *base, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    if (d->pq->status(d->conn) != CONNECTION_OK) {
        d->tx = false;
        db_pg_record(d, SL_ERR_UNREACHABLE, "the connection was lost inside a transaction");
        return db_pg_fail(base, err, "committing");
    }
    /* COMMIT of a transaction that already failed succeeds and rolls back;
     * that must not look like a commit. */
    if (d->pq->transactionStatus(d->conn) == PQTRANS_INERROR) {
        db_pg_run(d, "ROLLBACK");
        d->tx = false;
        db_pg_record(d, SL_ERR_STORE,
                     "a statement of the transaction had failed; it was rolled back");
        return db_pg_fail(base, err, "committing");
    }
    PGresult *r = d->pq->exec(d->conn, "COMMIT");
    d->tx = false;
    bool ok = db_pg_result_ok(d, r);
    if (!ok)
        db_pg_record_result(d, r);
    else if (strcmp(d->pq->cmdStatus(r), "ROLLBACK") == 0) {
        ok = false;
        db_pg_record(d, SL_ERR_STORE, "the transaction was rolled back");
    }
    d->pq->clear(r);
    return ok ? SL_OK : db_pg_fail(base, err, "committing");
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
        db_pg_run(d, sql);   /* a dropped connection gets it from setup_session */
}

/* ---- schema ---- */

/* Runs a read outside any transaction, once more after a reconnect when
 * the connection had dropped; NULL (failure recorded) when it fails. */
static PGresult *read_query(pg_db *d, const char *sql)
{
    if (!db_pg_connected(d))
        return NULL;
    PGresult *r = d->pq->exec(d->conn, sql);
    if (!db_pg_result_ok(d, r) && db_pg_lost(d, r) && !d->tx) {
        d->pq->clear(r);
        if (!db_pg_reconnect(d))
            return NULL;
        r = d->pq->exec(d->conn, sql);
    }
    if (!db_pg_result_ok(d, r) || d->pq->ntuples(r) < 1) {
        db_pg_record_result(d, r);
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
        return db_pg_fail(base, err, "reading the schema version");
    bool exists = strcmp(d->pq->getvalue(r, 0, 0), "t") == 0;
    d->pq->clear(r);
    if (!exists)
        return SL_OK;
    r = read_query(d, "SELECT coalesce(max(version), 0) FROM shoplab_schema");
    if (!r)
        return db_pg_fail(base, err, "reading the schema version");
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
    if (!db_pg_connected(d) || !db_pg_run(d, "BEGIN"))
        return db_pg_fail(base, err, what);
    d->tx = true;
    /* Under the lock, the version is read again: another process may have
     * run this very step while this one waited. */
    if (!db_pg_run(d, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")") ||
        !db_pg_run(d, "CREATE TABLE IF NOT EXISTS shoplab_schema (version integer NOT NULL)"))
        goto failed;
    PGresult *r = d->pq->exec(d->conn, "SELECT coalesce(max(version), 0) FROM shoplab_schema");
    if (!db_pg_result_ok(d, r) || d->pq->ntuples(r) < 1) {
        db_pg_record_result(d, r);
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
        db_pg_record(d, SL_ERR_STORE, message);
        goto failed;
    }
    char record_sql[96];
    snprintf(record_sql, sizeof record_sql,
             "DELETE FROM shoplab_schema; INSERT INTO shoplab_schema VALUES (%d)", version);
    if (!db_pg_run(d, sql) || !db_pg_run(d, record_sql))
        goto failed;
    return pg_commit(base, err) == SL_OK ? SL_OK : db_pg_fail(base, err, what);
failed:
    pg_rollback(base);
    return db_pg_fail(base, err, what);
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
    /* The server-side PREPARE waits for the first db_pg_run, when the bound
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
        if (!db_pg_result_ok(d, r))
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
            db_pg_record(d, q->bind_code, q->bind_message);
            return DB_ERROR;
        }
        if (!db_pg_connected(d))
            return DB_ERROR;
        PGresult *r = execute(d, q);
        if (!db_pg_result_ok(d, r) && q->read && !d->tx && db_pg_lost(d, r)) {
            d->pq->clear(r);
            if (!db_pg_reconnect(d))
                return DB_ERROR;
            r = execute(d, q);
        }
        if (!db_pg_result_ok(d, r)) {
            db_pg_record_result(d, r);
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

static const struct db_ops pg_ops = {
    .close = pg_close,
    .fail = db_pg_fail,
    .exec = db_pg_exec,
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
    .copy_begin = db_pg_copy_begin,
    .copy_int = db_pg_copy_int,
    .copy_double = db_pg_copy_double,
    .copy_text = db_pg_copy_text,
    .copy_null = db_pg_copy_null,
    .copy_row = db_pg_copy_row,
    .copy_end = db_pg_copy_end,
    .ids_follow = db_pg_ids_follow,
    .import_rows_begin = db_pg_import_rows_begin,
    .import_rows_end = db_pg_import_rows_end,
    .import_forget = db_pg_import_forget,
};
