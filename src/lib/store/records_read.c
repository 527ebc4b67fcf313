/*
 * records_read.c — one import's stored rows, in row order, on either
 * engine, a span of row numbers per query (db_import_rows_each, db.h).
 *
 * Why spans, not one SELECT … ORDER BY row: libpq hands over a query's
 * whole result at once, so one SELECT of a 20-million-row import held
 * every row in the client's memory (gigabytes) before the first was
 * read.  A span of IMPORT_ROWS_SPAN row numbers keeps each result small
 * on both engines.  On PostgreSQL each span is found through the
 * partition's BRIN index on row (rows are stored in row order, so a span
 * is a few adjacent block ranges) and sorted by the server; on SQLite
 * through the (import_id, row) index.  The order is the SQL's promise
 * (ORDER BY within a span, spans in ascending order), never the heap's.
 */
#include "db.h"

#include <stdint.h>
#include <stdio.h>

/* Row numbers per query: the rows of one span (at most this many) sort
 * within PostgreSQL's default work_mem, and 20 million rows take about
 * 1,200 queries. */
#define IMPORT_ROWS_SPAN 16384

static sl_status each_row(db *d, int64_t import_id, const char *columns, db_row_fn fn,
                          void *ctx, sl_error *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM records WHERE import_id = ?1 AND row >= ?2 AND row < ?3 "
             "ORDER BY row",
             columns);
    db_stmt *span = NULL, *next = NULL;
    sl_status st = db_prepare(d, sql, true, &span, err);
    if (st == SL_OK)
        st = db_prepare(d, "SELECT MIN(row) FROM records WHERE import_id = ?1 AND row >= ?2",
                        true, &next, err);
    /* Row numbers count from 0 or 1 (a file's line, a sheet's row), so the
     * first span starts at 0; a gap wider than a span (an empty span) asks
     * where the next row is, which also says when there is none. */
    int64_t from = 0;
    bool more = true;
    while (st == SL_OK && more) {
        db_reset(span);
        db_bind_int(span, 1, import_id);
        db_bind_int(span, 2, from);
        int64_t to = from > INT64_MAX - IMPORT_ROWS_SPAN ? INT64_MAX : from + IMPORT_ROWS_SPAN;
        db_bind_int(span, 3, to);
        db_result rc = DB_DONE;
        uint64_t found = 0;
        while (st == SL_OK && (rc = db_step(span)) == DB_ROW) {
            found++;
            st = fn(ctx, span);
        }
        if (st != SL_OK)
            break;
        if (rc == DB_ERROR) {
            st = db_fail(d, err, "cannot read the rows");
            break;
        }
        if (to == INT64_MAX)
            break;
        from = to;
        if (found)
            continue;
        db_reset(next);
        db_bind_int(next, 1, import_id);
        db_bind_int(next, 2, from);
        rc = db_step(next);
        if (rc == DB_ERROR)
            st = db_fail(d, err, "cannot read the rows");
        else if (rc == DB_DONE || db_column_null(next, 0))
            more = false;
        else
            from = db_column_int(next, 0);
    }
    db_finalize(span);
    db_finalize(next);
    return st;
}

/* Counts the rows handed to the caller, so a failed walk knows whether
 * it may start again. */
typedef struct counted {
    db_row_fn fn;
    void *ctx;
    uint64_t rows;
} counted;

static sl_status count_row(void *ctx, db_stmt *q)
{
    counted *c = ctx;
    c->rows++;
    return c->fn(c->ctx, q);
}

static sl_status walk_in_transaction(db *d, int64_t import_id, const char *columns, counted *c,
                                     sl_error *err)
{
    sl_status st = db_begin(d, false, err);
    if (st != SL_OK)
        return st;
    st = each_row(d, import_id, columns, count_row, c, err);
    if (st == SL_OK)
        return db_commit(d, err);
    db_rollback(d);
    return st;
}

sl_status db_import_rows_each(db *d, int64_t import_id, const char *columns, db_row_fn fn,
                              void *ctx, sl_error *err)
{
    /* The spans are separate queries: one read transaction makes them see
     * one snapshot, so an import forgotten meanwhile is read whole or not
     * at all. */
    if (db_in_transaction(d))
        return each_row(d, import_id, columns, fn, ctx, err);
    counted c = {fn, ctx, 0};
    sl_status st = walk_in_transaction(d, import_id, columns, &c, err);
    /* A read is tried once more on a new connection when the server went
     * away (docs/store.md), as a lone query is: here only while no row has
     * reached the caller, who would otherwise see rows twice. */
    if (st == SL_ERR_UNREACHABLE && c.rows == 0)
        st = walk_in_transaction(d, import_id, columns, &c, err);
    return st;
}
