/*
 * db_pg_copy.c — bulk rows on PostgreSQL: COPY in its text format, each
 * value checked against its column's type as it is written (db_copy_*,
 * db.h), and each import's rows in a table of their own that is loaded
 * bare, completed, indexed and attached as a partition of `records` in the
 * import's transaction (db_import_rows_*).
 */
#include "db_pg.h"
#include "base/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows are sent to COPY in chunks of about this size: large enough that
 * the per-call cost vanishes, small enough to never matter for memory. */
#define COPY_CHUNK (64 * 1024)

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

static bool plain_name(const char *s)
{
    if (!s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* The type of each named column of `table`, from the catalogue: a value
 * is checked against its column's type as it is written (db_copy_*), so a
 * wrong one is refused by name, not by the server mid-COPY, and the
 * store's tables use only these. */
static sl_status column_types(pg_db *d, const char *table, const char *const *columns, int count,
                              unsigned *type, sl_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = '%s'::regclass "
             "AND attnum > 0 AND NOT attisdropped",
             table);
    PGresult *r = db_pg_connected(d) ? d->pq->exec(d->conn, sql) : NULL;
    if (!r || !db_pg_result_ok(d, r)) {
        if (r)
            db_pg_record_result(d, r);
        d->pq->clear(r);
        return db_pg_fail(&d->base, err, "reading the columns to copy");
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

/* Rows travel in COPY's text format.  Its numbers are short digits where
 * the binary format sends 8 bytes and a 4-byte length for every value:
 * for the 20M-row benchmark file 1.1 GB instead of 2.4 GB through the
 * socket, and an import 0.3–2.2 s faster in each of four rounds (19.8 s
 * against 18.8 s median), though the server then parses the numbers.
 * (With the import's old 17-column rows, binary had been the faster.) */
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
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: copy: not a plain table and columns", d->base.name);
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
    snprintf(sql + n, size - n, ") FROM STDIN (FORMAT text%s)", freeze ? ", FREEZE" : "");

    char what[96];
    snprintf(what, sizeof what, "copying into %s", c->table);
    sl_status st = column_types(d, table, columns, count, c->type, err);
    PGresult *r = st == SL_OK && db_pg_connected(d) ? d->pq->exec(d->conn, sql) : NULL;
    free(sql);
    if (st != SL_OK || !r || d->pq->resultStatus(r) != PGRES_COPY_IN) {
        if (r)
            db_pg_record_result(d, r);
        d->pq->clear(r);
        free(c->buf);
        free(c);
        return st != SL_OK ? st : db_pg_fail(base, err, what);
    }
    d->pq->clear(r);
    *out = &c->base;
    return SL_OK;
}

sl_status db_pg_copy_begin(db *base, const char *table, const char *const *columns,
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

/* A value the column cannot hold, kept until db_copy_row reports it. */
static void refuse(pg_copy *c, const char *what)
{
    if (c->code != SL_OK)
        return;
    c->code = SL_ERR_INVALID_ARGUMENT;
    snprintf(c->message, sizeof c->message, "column %d of %s: %s", c->given + 1, c->table,
             what);
}

/* Starts the next field with room for `more` bytes: a tab before all but
 * the row's first.  False when the row is already full (db_copy_row
 * reports the count) or memory ran out. */
static bool next_field(pg_copy *c, size_t more)
{
    if (!reserve(c, 2 + more))
        return false;
    if (c->given >= c->columns) {
        c->given++;
        return false;
    }
    if (c->given++)
        c->buf[c->len++] = '\t';
    return true;
}

/* The digits of v (room for 20 bytes reserved by the caller). */
static void put_digits(pg_copy *c, int64_t v)
{
    char reversed[20];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        reversed[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        c->buf[c->len++] = '-';
    while (n)
        c->buf[c->len++] = reversed[--n];
}

static void put_int(pg_copy *c, int64_t v)
{
    unsigned type = c->given < c->columns ? c->type[c->given] : PG_INT8OID;
    int64_t most = type == PG_INT2OID ? INT16_MAX : type == PG_INT4OID ? INT32_MAX : INT64_MAX;
    if (type == PG_TEXTOID)
        return refuse(c, "a number for a text column");
    if (type != PG_FLOAT8OID && (v > most || v < -most - 1))
        return refuse(c, "a number too large for the column");
    /* Into a double precision column too: the server rounds the exact
     * digits to the nearest double, as (double)v does. */
    if (next_field(c, 20))
        put_digits(c, v);
}

void db_pg_copy_int(db_copy *base, int64_t v) { put_int((pg_copy *)base, v); }

void db_pg_copy_double(db_copy *base, double v)
{
    pg_copy *c = (pg_copy *)base;
    unsigned type = c->given < c->columns ? c->type[c->given] : PG_FLOAT8OID;
    if (type != PG_FLOAT8OID) {
        /* An integer column takes a whole number. */
        if (type == PG_TEXTOID || !(v == floor(v) && fabs(v) < 9.2e18))
            return refuse(c, "a fraction for a whole-number column");
        return put_int(c, (int64_t)v);
    }
    if (!next_field(c, 32))
        return;
    /* Money is most of an import's doubles: an amount of exact hundredths
     * k (k/100 gives it back) is written as k/100 in decimal, which the
     * server reads back as the same double, the nearest to k/100.  Any
     * other double takes 17 significant digits, which always round-trip. */
    int64_t k;
    if (sl_money_hundredths(v, &k)) {
        int64_t cents = k % 100;
        if (k < 0 && k > -100)
            c->buf[c->len++] = '-'; /* -0.50: the whole part prints no sign */
        put_digits(c, k / 100);
        cents = cents < 0 ? -cents : cents;
        c->buf[c->len++] = '.';
        c->buf[c->len++] = (char)('0' + cents / 10);
        c->buf[c->len++] = (char)('0' + cents % 10);
    } else {
        c->len += (size_t)snprintf(c->buf + c->len, 32, "%.17g", v);
    }
}

/* Text as it is, but for the four characters the text format gives a
 * meaning: backslash, tab, newline and carriage return are escaped. */
void db_pg_copy_text(db_copy *base, const char *text)
{
    pg_copy *c = (pg_copy *)base;
    if (!text) {
        if (next_field(c, 2)) {
            c->buf[c->len++] = '\\';
            c->buf[c->len++] = 'N';
        }
        return;
    }
    if (c->given < c->columns && c->type[c->given] != PG_TEXTOID)
        return refuse(c, "text for a number column");
    size_t n = strlen(text);
    if (n > INT32_MAX / 2)
        return refuse(c, "a text too long");
    if (!next_field(c, 2 * n))
        return;
    for (size_t i = 0; i < n; i++) {
        char ch = text[i];
        if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
            c->buf[c->len++] = '\\';
            ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
        }
        c->buf[c->len++] = ch;
    }
}

void db_pg_copy_null(db_copy *base) { db_pg_copy_text(base, NULL); }

static bool flush(pg_db *d, pg_copy *c)
{
    if (c->len == 0)
        return true;
    if (d->pq->putCopyData(d->conn, c->buf, (int)c->len) != 1) {
        db_pg_record(d, db_pg_lost(d, NULL) ? SL_ERR_UNREACHABLE : SL_ERR_STORE,
                     d->pq->errorMessage(d->conn));
        return false;
    }
    c->len = 0;
    return true;
}

sl_status db_pg_copy_row(db_copy *base, sl_error *err)
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
    if (reserve(c, 1))
        c->buf[c->len++] = '\n'; /* db_copy_end reports a failed reserve */
    if (c->len >= COPY_CHUNK && !flush(d, c)) {
        char what[96]; /* only here: a row's cost matters, a failure's does not */
        snprintf(what, sizeof what, "copying into %s", c->table);
        return db_pg_fail(base->owner, err, what);
    }
    return SL_OK;
}

sl_status db_pg_copy_end(db_copy *base, bool ok, sl_error *err)
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
    if (ok && (!flush(d, c) || d->pq->putCopyEnd(d->conn, NULL) != 1)) {
        st = db_pg_fail(base->owner, err, what);
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
        if (ok && first && !db_pg_result_ok(d, r)) {
            db_pg_record_result(d, r);
            st = db_pg_fail(base->owner, err, what);
        }
        first = false;
        d->pq->clear(r);
    }
    if (ok && first && d->pq->status(d->conn) != CONNECTION_OK) {
        db_pg_record(d, SL_ERR_UNREACHABLE, d->pq->errorMessage(d->conn));
        st = db_pg_fail(base->owner, err, what);
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
    PGresult *r = db_pg_connected(d) ? d->pq->exec(d->conn, "SELECT attname, "
                                                      "format_type(atttypid, atttypmod), "
                                                      "attnotnull, atttypid, attlen "
                                                      "FROM pg_attribute WHERE attrelid = "
                                                      "'records'::regclass AND attnum > 0 "
                                                      "AND NOT attisdropped ORDER BY attnum")
                               : NULL;
    if (!r || !db_pg_result_ok(d, r)) {
        if (r)
            db_pg_record_result(d, r);
        d->pq->clear(r);
        return db_pg_fail(&d->base, err, "reading the records' columns");
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
sl_status db_pg_import_rows_begin(db *base, int64_t import_id, const char *const *columns,
                                  int count, db_copy **out, sl_error *err)
{
    pg_db *d = (pg_db *)base;
    char create[IMPORT_SQL_SIZE], finish[IMPORT_SQL_SIZE], table[48];
    snprintf(table, sizeof table, "records_%lld", (long long)import_id);
    sl_status st = import_table_sql(d, table, import_id, columns, count, create, finish,
                                    sizeof create, err);
    if (st == SL_OK)
        st = db_pg_exec(base, create, err);
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

sl_status db_pg_import_rows_end(db *base, int64_t import_id, db_copy *c, bool ok,
                                sl_error *err)
{
    char finish[IMPORT_SQL_SIZE];
    memcpy(finish, ((pg_copy *)c)->finish, sizeof finish);
    sl_status st = db_pg_copy_end(c, ok, err);
    if (st != SL_OK || !ok)
        return st;
    if (finish[0] && (st = db_pg_exec(base, finish, err)) != SL_OK)
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
    return db_pg_exec(base, sql, err);
}

/* The import's own table is emptied, not dropped: dropping a partition
 * locks the whole records table, so it would wait for an import running
 * meanwhile and every report read would queue behind it; TRUNCATE locks
 * only that import's table.  The empty table stays attached (a few pages). */
sl_status db_pg_import_forget(db *base, int64_t import_id, sl_error *err)
{
    char sql[320];
    long long id = (long long)import_id;
    snprintf(sql, sizeof sql,
             "DO $$ BEGIN IF to_regclass('records_%lld') IS NOT NULL THEN "
             "EXECUTE 'TRUNCATE records_%lld'; END IF; END $$;"
             "DELETE FROM imports WHERE id = %lld",
             id, id, id);
    return db_pg_exec(base, sql, err);
}

/* An identity column draws from a sequence of its own, which rows copied
 * with their ids do not move. */
sl_status db_pg_ids_follow(db *base, const char *table, sl_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
             "COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
             table, table);
    return db_pg_exec(base, sql, err);
}

