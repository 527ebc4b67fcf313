/*
 * db_engine.h — how db.h's calls reach an engine (private to store/: db.c,
 * db_sqlite.c, db_pg.c, db_pg_copy.c).
 *
 * Each engine's connection, statement and copy structs start with the
 * common struct below, so db.c can dispatch any db.h call through the
 * connection's table of functions without knowing which engine it is, and
 * both engines link into one library.  An engine fills one static
 * `struct db_ops` and points every connection it opens at it.
 */
#ifndef SL_DB_ENGINE_H
#define SL_DB_ENGINE_H

#include "db.h"

/* The first member of each engine's connection. */
struct db {
    const struct db_ops *ops;
    db_engine engine;
    char name[256];   /* what db_name returns: never a password */
};

/* The first member of each engine's statement. */
struct db_stmt {
    db *owner;
};

/* The first member of each engine's bulk copy. */
struct db_copy {
    db *owner;
};

/* One entry per db.h function, with the same meaning.  Not here: the
 * opens (each engine has its own), and db_engine_of_target, db_engine_kind,
 * db_name and db_stmt_db, which db.c answers from the common structs. */
struct db_ops {
    void (*close)(db *d);
    sl_status (*fail)(db *d, sl_error *err, const char *what);
    sl_status (*exec)(db *d, const char *sql, sl_error *err);
    sl_status (*begin)(db *d, bool write, sl_error *err);
    sl_status (*commit)(db *d, sl_error *err);
    void (*rollback)(db *d);
    bool (*in_transaction)(db *d);
    void (*set_lock_wait)(db *d, unsigned milliseconds);
    sl_status (*schema_version)(db *d, int *version, sl_error *err);
    sl_status (*migrate_step)(db *d, int version, const char *sql, sl_error *err);

    sl_status (*prepare)(db *d, const char *sql, bool keep, db_stmt **out, sl_error *err);
    void (*bind_int)(db_stmt *q, int i, int64_t v);
    void (*bind_double)(db_stmt *q, int i, double v);
    void (*bind_text)(db_stmt *q, int i, const char *text);
    void (*bind_null)(db_stmt *q, int i);
    db_result (*step)(db_stmt *q);
    bool (*column_null)(db_stmt *q, int col);
    int64_t (*column_int)(db_stmt *q, int col);
    double (*column_double)(db_stmt *q, int col);
    const char *(*column_text)(db_stmt *q, int col);
    void (*reset)(db_stmt *q);
    void (*finalize)(db_stmt *q);

    sl_status (*copy_begin)(db *d, const char *table, const char *const *columns, int count,
                            db_copy **out, sl_error *err);
    void (*copy_int)(db_copy *c, int64_t v);
    void (*copy_double)(db_copy *c, double v);
    void (*copy_text)(db_copy *c, const char *text);
    void (*copy_null)(db_copy *c);
    sl_status (*copy_row)(db_copy *c, sl_error *err);
    sl_status (*copy_end)(db_copy *c, bool ok, sl_error *err);
    sl_status (*ids_follow)(db *d, const char *table, sl_error *err);
    sl_status (*import_rows_begin)(db *d, int64_t import_id, const char *const *columns,
                                   int count, db_copy **out, sl_error *err);
    sl_status (*import_rows_end)(db *d, int64_t import_id, db_copy *c, bool ok, sl_error *err);
    sl_status (*import_forget)(db *d, int64_t import_id, sl_error *err);
};

#endif /* SL_DB_ENGINE_H */
