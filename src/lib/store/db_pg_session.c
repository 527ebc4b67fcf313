/*
 * db_pg_session.c — a PostgreSQL connection's failures and its session:
 * libpq's messages kept on one line for db_fail, SQLSTATEs mapped to
 * busy and unreachable, the settings every session needs, and a dropped
 * connection reopened while no transaction was open.  The rest of the
 * engine (db_pg.c, db_pg_copy.c) builds on these (db_pg.h).
 */
#include "db_pg.h"

#include <stdio.h>
#include <string.h>

/* libpq's messages end with a newline and put hints on lines of their
 * own: one line reads better inside "NAME: what: message". */
void db_pg_one_line(char *out, size_t size, const char *text)
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

void db_pg_record(pg_db *d, sl_status code, const char *message)
{
    d->last_code = code;
    db_pg_one_line(d->last_message, sizeof d->last_message, message);
}

/* True when the SQLSTATE says the session is gone: connection exceptions
 * (class 08) and the server shutting down or terminating the backend. */
static bool sqlstate_lost(const char *state)
{
    return state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
                     strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

bool db_pg_result_ok(const pg_db *d, const PGresult *r)
{
    if (!r)
        return false;
    ExecStatusType st = d->pq->resultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* Whether a failed result (or none) means the connection dropped. */
bool db_pg_lost(const pg_db *d, const PGresult *r)
{
    if (d->pq->status(d->conn) != CONNECTION_OK)
        return true;
    return r && sqlstate_lost(d->pq->resultErrorField(r, PG_DIAG_SQLSTATE));
}

/* Records a failed result: SL_ERR_BUSY for a lock wait that ran out, a
 * serialization failure or a deadlock (all mean "try again"), and
 * SL_ERR_UNREACHABLE when the connection is gone. */
void db_pg_record_result(pg_db *d, const PGresult *r)
{
    const char *state = r ? d->pq->resultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = r ? d->pq->resultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *message = primary           ? primary
                          : r && *d->pq->resultErrorMessage(r) ? d->pq->resultErrorMessage(r)
                                                               : d->pq->errorMessage(d->conn);
    sl_status code = SL_ERR_STORE;
    if (db_pg_lost(d, r))
        code = SL_ERR_UNREACHABLE;
    else if (state && (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
                       strcmp(state, "40P01") == 0))
        code = SL_ERR_BUSY;
    if (!*message)
        message = "the server gave no message";
    db_pg_record(d, code, message);
}

sl_status db_pg_fail(db *base, sl_error *err, const char *what)
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
void db_pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs SQL and keeps the failure for db_fail; true on success. */
bool db_pg_run(pg_db *d, const char *sql)
{
    PGresult *r = d->pq->exec(d->conn, sql);
    bool ok = db_pg_result_ok(d, r);
    if (!ok)
        db_pg_record_result(d, r);
    d->pq->clear(r);
    return ok;
}

/* The settings every session needs, again after each reconnect: UTF-8
 * (the store's text), floats printed exactly, the lock wait, and a
 * read-only session when asked for one. */
bool db_pg_setup_session(pg_db *d)
{
    char sql[256];
    /* PostgreSQL's lock_timeout 0 means "wait for ever"; SQLite's 0 means
     * "do not wait": 1 ms is the nearest PostgreSQL has. */
    snprintf(sql, sizeof sql,
             "SET client_encoding = 'UTF8'; SET extra_float_digits = 3; "
             "SET lock_timeout = %u;%s",
             d->lock_wait_ms ? d->lock_wait_ms : 1u,
             d->readonly ? " SET default_transaction_read_only = on;" : "");
    return db_pg_run(d, sql);
}

bool db_pg_reconnect(pg_db *d)
{
    d->pq->reset(d->conn);
    d->generation++;
    if (d->pq->status(d->conn) != CONNECTION_OK) {
        db_pg_record(d, SL_ERR_UNREACHABLE, d->pq->errorMessage(d->conn));
        return false;
    }
    return db_pg_setup_session(d);
}

/* A connection that dropped while no transaction was open is reopened:
 * nothing was lost with it.  Inside a transaction the work so far is
 * gone, which the caller must hear about (and roll back). */
bool db_pg_connected(pg_db *d)
{
    if (d->pq->status(d->conn) == CONNECTION_OK)
        return true;
    if (d->tx) {
        db_pg_record(d, SL_ERR_UNREACHABLE, "the connection was lost inside a transaction");
        return false;
    }
    return db_pg_reconnect(d);
}

sl_status db_pg_exec(db *base, const char *sql, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    if (!db_pg_connected(d) || !db_pg_run(d, sql))
        return db_pg_fail(base, err, "running SQL");
    return SL_OK;
}
