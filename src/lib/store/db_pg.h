/*
 * db_pg.h — what the parts of the PostgreSQL engine share (private to
 * store/): db_pg_session.c, failures and the session, under db_pg.c, the
 * connection, statements and transactions, and db_pg_copy.c, bulk rows by
 * COPY and each import's own table.
 */
#ifndef SL_DB_PG_H
#define SL_DB_PG_H

#include "db_engine.h"
#include "pq_loader.h"

/* Type OIDs from the server's pg_type catalogue (stable since 7.x): a
 * bound integer travels as bigint and a double as double precision, as
 * SQLite would store them, so "?1 + 1" or a bigint past 2^31 mean the
 * same on both engines.  Text and NULL leave the type to the server. */
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_TEXTOID 25
#define PG_FLOAT8OID 701

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

/* ---- db_pg_session.c: failures and the session ---- */

/* libpq's text on one line (its messages end with a newline and put
 * hints on lines of their own). */
void db_pg_one_line(char *out, size_t size, const char *text);
/* Keeps a failure's code and message (on one line) for db_fail. */
void db_pg_record(pg_db *d, sl_status code, const char *message);
/* Whether a result is a success (a command, rows, or an empty query). */
bool db_pg_result_ok(const pg_db *d, const PGresult *r);
/* Whether a failed result (or none) means the connection dropped. */
bool db_pg_lost(const pg_db *d, const PGresult *r);
/* Records a failed result with the status its SQLSTATE means. */
void db_pg_record_result(pg_db *d, const PGresult *r);
/* db_fail: the recorded failure as an sl_error, "NAME: what: message". */
sl_status db_pg_fail(db *base, sl_error *err, const char *what);
/* libpq's notice processor for every connection: notices are dropped. */
void db_pg_quiet(void *arg, const char *message);
/* Runs SQL and records its failure; true on success. */
bool db_pg_run(pg_db *d, const char *sql);
/* The settings every session needs, after a connect or a reconnect. */
bool db_pg_setup_session(pg_db *d);
/* Reopens a dropped connection (its prepared statements are gone). */
bool db_pg_reconnect(pg_db *d);
/* False when the connection is gone and cannot be reopened here. */
bool db_pg_connected(pg_db *d);
/* db_exec: runs SQL, statements separated by semicolons. */
sl_status db_pg_exec(db *base, const char *sql, sl_error *err);

/* ---- db_pg_copy.c: the db_ops entries for bulk rows ---- */

sl_status db_pg_copy_begin(db *base, const char *table, const char *const *columns, int count,
                           db_copy **out, sl_error *err);
void db_pg_copy_int(db_copy *base, int64_t v);
void db_pg_copy_double(db_copy *base, double v);
void db_pg_copy_text(db_copy *base, const char *text);
void db_pg_copy_null(db_copy *base);
sl_status db_pg_copy_row(db_copy *base, sl_error *err);
sl_status db_pg_copy_end(db_copy *base, bool ok, sl_error *err);
sl_status db_pg_ids_follow(db *base, const char *table, sl_error *err);
sl_status db_pg_import_rows_begin(db *base, int64_t import_id, const char *const *columns,
                                  int count, db_copy **out, sl_error *err);
sl_status db_pg_import_rows_end(db *base, int64_t import_id, db_copy *c, bool ok,
                                sl_error *err);
sl_status db_pg_import_forget(db *base, int64_t import_id, sl_error *err);

#endif
