/*
 * db.h — the two database engines under the store (private to store/):
 * SQLite (db_sqlite.c, the embedded default) and PostgreSQL (db_pg.c, for
 * teams), behind one small statement interface.
 *
 * store.c and journal.c write their SQL once, with numbered parameters
 * ("?1", "?2"…, SQLite's spelling; the PostgreSQL side rewrites them to
 * "$1"), and read rows through db_column_*.  Where the SQL of the two
 * engines differs (the schema, the schema version, bulk loading) the
 * difference lives in the engine's file, not in its callers.
 */
#ifndef SL_DB_H
#define SL_DB_H

#include "base/internal.h"

typedef enum db_engine { DB_SQLITE = 0, DB_POSTGRES } db_engine;

typedef struct db db;
typedef struct db_stmt db_stmt;
typedef struct db_copy db_copy;

/* What db_step found. */
typedef enum db_result { DB_ERROR = -1, DB_DONE = 0, DB_ROW = 1 } db_result;

/* What a --db value names: a PostgreSQL URI ("postgresql://…",
 * "postgres://…") or keyword/value connection string ("service=team",
 * "host=/run/pg dbname=shoplab"), else a SQLite file.  A value that looks
 * like a URI of another scheme ("mysql://…", "http://…") is an error, never
 * a file name.  db.c. */
sl_status db_engine_of_target(const char *target, db_engine *out, sl_error *err);

/* Opens a connection.  `readonly`: reading only (a read-only SQLite file
 * works; on PostgreSQL the session is read-only).  Neither creates tables:
 * the schema is store.c's (db_schema_version, db_migrate). */
sl_status db_sqlite_open(const char *path, bool readonly, db **out, sl_error *err);
sl_status db_pg_open(const char *conninfo, bool readonly, db **out, sl_error *err);
void db_close(db *d);

db_engine db_engine_kind(const db *d);
/* How messages name the database: the SQLite path, or "PostgreSQL database
 * NAME on HOST" (never the password or the whole connection string). */
const char *db_name(const db *d);

/* The engine's last failure as an sl_error naming the database and `what`
 * failed: SL_ERR_BUSY when another writer held a lock past the wait,
 * SL_ERR_UNREACHABLE when the server cannot be reached, else SL_ERR_STORE. */
sl_status db_fail(db *d, sl_error *err, const char *what);

/* Runs SQL without parameters (one or more statements). */
sl_status db_exec(db *d, const char *sql, sl_error *err);

/* Transactions.  `write`: the transaction will write (SQLite takes the
 * write lock at once, so two writers queue instead of failing half-way);
 * otherwise it only reads, and sees one consistent snapshot. */
sl_status db_begin(db *d, bool write, sl_error *err);
sl_status db_commit(db *d, sl_error *err);
/* Rolls back the open transaction, if any. */
void db_rollback(db *d);
bool db_in_transaction(db *d);
/* How long a write waits for another writer's lock before SL_ERR_BUSY. */
void db_set_lock_wait(db *d, unsigned milliseconds);

/* The schema version this database holds (0: none yet), and the migrations
 * to reach `version` from it, run by store.c under the engine's lock. */
sl_status db_schema_version(db *d, int *version, sl_error *err);
/* Runs `sql` and records `version`, in one transaction that also keeps a
 * second process from migrating the same database at the same moment. */
sl_status db_migrate_step(db *d, int version, const char *sql, sl_error *err);

/* The rows of one import, copied into `records` inside the import's
 * transaction: db_copy_* per row, then db_import_rows_end.  The engine lays
 * them out as suits it: SQLite appends them to the one table; PostgreSQL
 * loads a partition of their own, indexes it after the load (a BRIN
 * index: one pass over rows that lie in row order) and attaches it,
 * which is what keeps its import near the speed of a plain COPY.
 * `columns` are the record columns each row gives; a column not listed
 * takes the import's id (import_id) or its empty value ('' for a NOT NULL
 * text, else NULL), so a file without LIVEs or refunds sends none. */
sl_status db_import_rows_begin(db *d, int64_t import_id, const char *const *columns, int count,
                               db_copy **out, sl_error *err);
/* Whether `name` is one of columns[0..count): the engines' test for the
 * columns db_import_rows_begin leaves out. */
bool db_column_listed(const char *name, const char *const *columns, int count);
/* The value an unlisted record column takes, as an SQL literal in
 * out[size] (the import's id for import_id, '' for a NOT NULL text);
 * false when it is NULL, which needs nothing written.  db.c, for both
 * engines' db_import_rows_begin. */
bool db_unlisted_value(const char *name, bool not_null_text, int64_t import_id, char *out,
                       size_t size);
/* Ends the copy (`ok` false: abandons it; the caller rolls back). */
sl_status db_import_rows_end(db *d, int64_t import_id, db_copy *c, bool ok, sl_error *err);
/* Calls fn(ctx, q) for each stored row of import `import_id`, in row
 * order, with q positioned on the row: `columns` is the SELECT list
 * ("row, video, …"), read with db_column_* in that order.  Reads a span of
 * row numbers per query (records_read.c), in one read transaction unless
 * the caller has one open.  A status other than SL_OK from fn stops the
 * walk and is returned. */
typedef sl_status (*db_row_fn)(void *ctx, db_stmt *q);
sl_status db_import_rows_each(db *d, int64_t import_id, const char *columns, db_row_fn fn,
                              void *ctx, sl_error *err);
/* Removes one import and all its rows, inside the caller's transaction. */
sl_status db_import_forget(db *d, int64_t import_id, sl_error *err);

/* After rows were copied into `table` with their ids, makes the ids the
 * table gives new rows follow the largest copied one (PostgreSQL keeps a
 * sequence apart from the rows; SQLite needs nothing). */
sl_status db_ids_follow(db *d, const char *table, sl_error *err);

/* Each engine's schema, one entry per version: entry i moves a database
 * from version i to i + 1.  The two lists grow together (a test checks
 * that they have the same length and give the same tables and columns).
 * schema_sqlite.c, schema_pg.c. */
extern const char *const db_sqlite_schema[];
extern const int db_sqlite_schema_versions;
extern const char *const db_pg_schema[];
extern const int db_pg_schema_versions;

/* A statement with numbered parameters.  `keep`: it is used many times
 * (SQLite prepares it for reuse; PostgreSQL prepares it on the server). */
sl_status db_prepare(db *d, const char *sql, bool keep, db_stmt **out, sl_error *err);
/* Parameters count from 1.  Text is copied, so it may be freed after. */
void db_bind_int(db_stmt *q, int i, int64_t v);
void db_bind_double(db_stmt *q, int i, double v);
void db_bind_text(db_stmt *q, int i, const char *text);
void db_bind_null(db_stmt *q, int i);
/* Runs the statement (first call) and moves to its next row. */
db_result db_step(db_stmt *q);
/* Columns count from 0, in the row db_step last returned. */
bool db_column_null(db_stmt *q, int col);
int64_t db_column_int(db_stmt *q, int col);
double db_column_double(db_stmt *q, int col);
/* The column as text, "" for NULL; valid until the next step or reset. */
const char *db_column_text(db_stmt *q, int col);
/* Makes the statement ready to run again with new parameters. */
void db_reset(db_stmt *q);
void db_finalize(db_stmt *q);
db *db_stmt_db(db_stmt *q);

/* Bulk rows into one table inside the open transaction: COPY on
 * PostgreSQL, a reused INSERT on SQLite.  Each row gives every column in
 * order with db_copy_int/double/text/null, then db_copy_row. */
sl_status db_copy_begin(db *d, const char *table, const char *const *columns, int count,
                        db_copy **out, sl_error *err);
void db_copy_int(db_copy *c, int64_t v);
void db_copy_double(db_copy *c, double v);
void db_copy_text(db_copy *c, const char *text);
void db_copy_null(db_copy *c);
sl_status db_copy_row(db_copy *c, sl_error *err);
/* Ends the copy (`ok` false: abandons it; the caller rolls back). */
sl_status db_copy_end(db_copy *c, bool ok, sl_error *err);

#endif /* SL_DB_H */
