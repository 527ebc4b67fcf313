/*
 * db.c — db.h's calls, dispatched to the engine a connection belongs to,
 * and which engine a --db value names.
 */
#include "db_engine.h"

#include <ctype.h>
#include <string.h>

sl_status db_engine_of_target(const char *target, db_engine *out, sl_error *err)
{
    if (!target || !*target)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no database given");
    /* "scheme://": a URI, never a file name (a directory called
     * "postgresql:" holding a SQLite file helps nobody). */
    size_t n = 0;
    if (isalpha((unsigned char)target[0]))
        while (isalnum((unsigned char)target[n]) || strchr("+.-", target[n]))
            n++;
    if (n > 0 && strncmp(target + n, "://", 3) == 0) {
        if ((n == 10 && strncmp(target, "postgresql", n) == 0) ||
            (n == 8 && strncmp(target, "postgres", n) == 0)) {
            *out = DB_POSTGRES;
            return SL_OK;
        }
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%.*s://…: ShopLab stores in SQLite (a file path) or PostgreSQL "
                       "(postgresql://…), not %.*s",
                       (int)n, target, (int)n, target);
    }
    /* libpq's keyword/value form: "service=team", "host=/run/pg dbname=x".
     * (A SQLite file whose name starts with "word=" is given as ./word=….) */
    size_t k = 0;
    while (islower((unsigned char)target[k]) || target[k] == '_')
        k++;
    if (k > 0 && target[k] == '=') {
        *out = DB_POSTGRES;
        return SL_OK;
    }
    *out = DB_SQLITE;
    return SL_OK;
}

void db_close(db *d)
{
    if (d)
        d->ops->close(d);
}

db_engine db_engine_kind(const db *d)
{
    return d->engine;
}

const char *db_name(const db *d)
{
    return d->name;
}

sl_status db_fail(db *d, sl_error *err, const char *what)
{
    return d->ops->fail(d, err, what);
}

sl_status db_exec(db *d, const char *sql, sl_error *err)
{
    return d->ops->exec(d, sql, err);
}

sl_status db_begin(db *d, bool write, sl_error *err)
{
    return d->ops->begin(d, write, err);
}

sl_status db_commit(db *d, sl_error *err)
{
    return d->ops->commit(d, err);
}

void db_rollback(db *d)
{
    d->ops->rollback(d);
}

bool db_in_transaction(db *d)
{
    return d->ops->in_transaction(d);
}

void db_set_lock_wait(db *d, unsigned milliseconds)
{
    d->ops->set_lock_wait(d, milliseconds);
}

sl_status db_schema_version(db *d, int *version, sl_error *err)
{
    return d->ops->schema_version(d, version, err);
}

sl_status db_migrate_step(db *d, int version, const char *sql, sl_error *err)
{
    return d->ops->migrate_step(d, version, sql, err);
}

sl_status db_prepare(db *d, const char *sql, bool keep, db_stmt **out, sl_error *err)
{
    return d->ops->prepare(d, sql, keep, out, err);
}

void db_bind_int(db_stmt *q, int i, int64_t v)
{
    q->owner->ops->bind_int(q, i, v);
}

void db_bind_double(db_stmt *q, int i, double v)
{
    q->owner->ops->bind_double(q, i, v);
}

void db_bind_text(db_stmt *q, int i, const char *text)
{
    q->owner->ops->bind_text(q, i, text);
}

void db_bind_null(db_stmt *q, int i)
{
    q->owner->ops->bind_null(q, i);
}

db_result db_step(db_stmt *q)
{
    return q->owner->ops->step(q);
}

bool db_column_null(db_stmt *q, int col)
{
    return q->owner->ops->column_null(q, col);
}

int64_t db_column_int(db_stmt *q, int col)
{
    return q->owner->ops->column_int(q, col);
}

double db_column_double(db_stmt *q, int col)
{
    return q->owner->ops->column_double(q, col);
}

const char *db_column_text(db_stmt *q, int col)
{
    return q->owner->ops->column_text(q, col);
}

void db_reset(db_stmt *q)
{
    q->owner->ops->reset(q);
}

void db_finalize(db_stmt *q)
{
    if (q)
        q->owner->ops->finalize(q);
}

db *db_stmt_db(db_stmt *q)
{
    return q->owner;
}

sl_status db_copy_begin(db *d, const char *table, const char *const *columns, int count,
                        db_copy **out, sl_error *err)
{
    return d->ops->copy_begin(d, table, columns, count, out, err);
}

void db_copy_int(db_copy *c, int64_t v)
{
    c->owner->ops->copy_int(c, v);
}

void db_copy_double(db_copy *c, double v)
{
    c->owner->ops->copy_double(c, v);
}

void db_copy_text(db_copy *c, const char *text)
{
    c->owner->ops->copy_text(c, text);
}

void db_copy_null(db_copy *c)
{
    c->owner->ops->copy_null(c);
}

sl_status db_copy_row(db_copy *c, sl_error *err)
{
    return c->owner->ops->copy_row(c, err);
}

sl_status db_copy_end(db_copy *c, bool ok, sl_error *err)
{
    return c->owner->ops->copy_end(c, ok, err);
}

sl_status db_ids_follow(db *d, const char *table, sl_error *err)
{
    return d->ops->ids_follow(d, table, err);
}
