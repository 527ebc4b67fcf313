/*
 * db.c — the engine-neutral half of db.h: which engine a --db value names,
 * and the thin dispatchers that pass every other call to the engine that
 * opened the connection (db_engine.h); and the rule both engines follow
 * for the record columns an import does not send (db_unlisted_value).
 *
 * No statement is written here.  Keeping dispatch in one file lets the SQLite
 * and PostgreSQL engines (db_sqlite.c, db_pg.c with db_pg_copy.c) link side by side, and
 * lets store.c and journal.c call db_step and friends without caring which
 * engine answers.
 */
#include "db_engine.h"

#include <ctype.h>
#include <strings.h>

/* libpq's connection keywords (PostgreSQL 16's list).  A --db value that
 * starts with one of them followed by '=' is a keyword/value connection
 * string; anything else that is not a URI is a SQLite file.  Checked here,
 * not by libpq, so that choosing the engine never loads libpq. */
static const char *const pq_keywords[] = {
    "application_name", "channel_binding", "client_encoding", "connect_timeout", "dbname",
    "fallback_application_name", "gssdelegation", "gssencmode", "gsslib", "host",
    "hostaddr", "keepalives", "keepalives_count", "keepalives_idle", "keepalives_interval",
    "krbsrvname", "load_balance_hosts", "options", "passfile", "password", "port",
    "replication", "require_auth", "requirepeer", "requiressl", "service",
    "ssl_max_protocol_version", "ssl_min_protocol_version", "sslcert", "sslcertmode",
    "sslcompression", "sslcrl", "sslcrldir", "sslkey", "sslmode", "sslpassword",
    "sslrootcert", "sslsni", "target_session_attrs", "tcp_user_timeout", "user",
};

static bool is_pq_keyword(const char *word, size_t length)
{
    for (size_t i = 0; i < sizeof pq_keywords / sizeof *pq_keywords; i++)
        if (strlen(pq_keywords[i]) == length && strncmp(pq_keywords[i], word, length) == 0)
            return true;
    return false;
}

sl_status db_engine_of_target(const char *target, db_engine *out, sl_error *err)
{
    if (!target || !*target || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "db", "no database given");
    if (strncasecmp(target, "postgresql://", 13) == 0 ||
        strncasecmp(target, "postgres://", 11) == 0) {
        *out = DB_POSTGRES;
        return SL_OK;
    }
    /* "scheme://": an address of something else.  Taking it for a file
     * name would create a file called "mysql:" and succeed, which is worse
     * than refusing. */
    const char *p = target;
    if (isalpha((unsigned char)*p)) {
        while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
            p++;
        if (strncmp(p, "://", 3) == 0)
            return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "db",
                           "%.*s:// is not a database ShopLab can use: give a SQLite file or a "
                           "PostgreSQL address (postgresql://… or keyword=value)",
                           (int)(p - target) > 32 ? 32 : (int)(p - target), target);
    }
    /* keyword/value: leading spaces, a libpq keyword, spaces, '='. */
    p = target;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *word = p;
    while (islower((unsigned char)*p) || *p == '_')
        p++;
    size_t length = (size_t)(p - word);
    while (*p == ' ' || *p == '\t')
        p++;
    *out = (*p == '=' && is_pq_keyword(word, length)) ? DB_POSTGRES : DB_SQLITE;
    return SL_OK;
}

void db_close(db *d)
{
    if (d)
        d->ops->close(d);
}

db_engine db_engine_kind(const db *d) { return d->engine; }
const char *db_name(const db *d) { return d->name; }
db *db_stmt_db(db_stmt *q) { return q->owner; }

sl_status db_fail(db *d, sl_error *err, const char *what) { return d->ops->fail(d, err, what); }
sl_status db_exec(db *d, const char *sql, sl_error *err) { return d->ops->exec(d, sql, err); }
sl_status db_begin(db *d, bool write, sl_error *err) { return d->ops->begin(d, write, err); }
sl_status db_commit(db *d, sl_error *err) { return d->ops->commit(d, err); }
void db_rollback(db *d) { d->ops->rollback(d); }
bool db_in_transaction(db *d) { return d->ops->in_transaction(d); }
void db_set_lock_wait(db *d, unsigned milliseconds) { d->ops->set_lock_wait(d, milliseconds); }

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

void db_bind_int(db_stmt *q, int i, int64_t v) { q->owner->ops->bind_int(q, i, v); }
void db_bind_double(db_stmt *q, int i, double v) { q->owner->ops->bind_double(q, i, v); }
void db_bind_text(db_stmt *q, int i, const char *text) { q->owner->ops->bind_text(q, i, text); }
void db_bind_null(db_stmt *q, int i) { q->owner->ops->bind_null(q, i); }
db_result db_step(db_stmt *q) { return q->owner->ops->step(q); }
bool db_column_null(db_stmt *q, int col) { return q->owner->ops->column_null(q, col); }
int64_t db_column_int(db_stmt *q, int col) { return q->owner->ops->column_int(q, col); }
double db_column_double(db_stmt *q, int col) { return q->owner->ops->column_double(q, col); }
const char *db_column_text(db_stmt *q, int col) { return q->owner->ops->column_text(q, col); }
void db_reset(db_stmt *q) { q->owner->ops->reset(q); }

void db_finalize(db_stmt *q)
{
    if (q)
        q->owner->ops->finalize(q);
}

sl_status db_copy_begin(db *d, const char *table, const char *const *columns, int count,
                        db_copy **out, sl_error *err)
{
    return d->ops->copy_begin(d, table, columns, count, out, err);
}

void db_copy_int(db_copy *c, int64_t v) { c->owner->ops->copy_int(c, v); }
void db_copy_double(db_copy *c, double v) { c->owner->ops->copy_double(c, v); }
void db_copy_text(db_copy *c, const char *text) { c->owner->ops->copy_text(c, text); }
void db_copy_null(db_copy *c) { c->owner->ops->copy_null(c); }
sl_status db_copy_row(db_copy *c, sl_error *err) { return c->owner->ops->copy_row(c, err); }
sl_status db_copy_end(db_copy *c, bool ok, sl_error *err)
{
    return c->owner->ops->copy_end(c, ok, err);
}

sl_status db_ids_follow(db *d, const char *table, sl_error *err)
{
    return d->ops->ids_follow(d, table, err);
}

bool db_column_listed(const char *name, const char *const *columns, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(columns[i], name) == 0)
            return true;
    return false;
}

bool db_unlisted_value(const char *name, bool not_null_text, int64_t import_id, char *out,
                       size_t size)
{
    if (strcmp(name, "import_id") == 0)
        snprintf(out, size, "%lld", (long long)import_id);
    else if (not_null_text)
        snprintf(out, size, "''");
    else
        return false;
    return true;
}

sl_status db_import_rows_begin(db *d, int64_t import_id, const char *const *columns, int count,
                               db_copy **out, sl_error *err)
{
    return d->ops->import_rows_begin(d, import_id, columns, count, out, err);
}

sl_status db_import_rows_end(db *d, int64_t import_id, db_copy *c, bool ok, sl_error *err)
{
    return d->ops->import_rows_end(d, import_id, c, ok, err);
}

sl_status db_import_forget(db *d, int64_t import_id, sl_error *err)
{
    return d->ops->import_forget(d, import_id, err);
}
