/*
 * report_stored.c — a stored import read back into a report.
 *
 * The store keeps the normalised records of every import, so a report can be
 * rebuilt later (the web app's report pages) without the original file: the
 * records go through the same group table, totals, ranks and medians as a
 * file read by sl_report_read, so both give the same numbers.
 */
#include "group.h"
#include "base/internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct stored_walk {
    group_table *groups;
    bool decided;               /* the grouping key is chosen (first record) */
    bool grouped;
    sl_dimension by;
    uint64_t rows;
    sl_status status;
} stored_walk;

/* The most specific key a record has, in the order sl_report_read uses. */
static bool pick_key(const sl_record *rec, sl_dimension *out)
{
    static const sl_dimension order[] = {SL_DIM_VIDEO, SL_DIM_LIVE, SL_DIM_PRODUCT,
                                         SL_DIM_CREATOR, SL_DIM_DAY};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (rec->key[order[i]][0]) {
            *out = order[i];
            return true;
        }
    return false;
}

static sl_status add_stored_record(void *ctx, const sl_record *rec)
{
    stored_walk *w = ctx;
    if (!w->decided) {
        w->decided = true;
        if (!w->grouped)
            w->grouped = pick_key(rec, &w->by);
    }
    char row_key[32];
    const char *key;
    if (w->grouped) {
        key = rec->key[w->by];
    } else {
        /* No key column: one report row per file row, as the file had it. */
        snprintf(row_key, sizeof row_key, "row %llu", (unsigned long long)rec->row);
        key = row_key;
    }
    w->rows++;
    if (!key[0])
        return SL_OK; /* a row without the chosen key is not in any group */
    row_values v;
    report_record_values(rec, &v);
    if (group_table_add(w->groups, key, strlen(key), &v) != SL_OK)
        return w->status = SL_ERR_NO_MEMORY;
    return SL_OK;
}

static sl_status fill_source(sl_report *r, const sl_import *m, sl_error *err)
{
    r->sources = calloc(1, sizeof *r->sources);
    if (!r->sources)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    r->source_count = 1;
    sl_source *s = &r->sources[0];
    snprintf(s->file, sizeof s->file, "%s", m->file);
    snprintf(s->format, sizeof s->format, "%s", m->sheet[0] ? "xlsx" : "csv");
    snprintf(s->sheet, sizeof s->sheet, "%s", m->sheet);
    snprintf(s->period, sizeof s->period, "%s", m->period);
    /* The title says whether it is practice data: shown with every report. */
    snprintf(s->title, sizeof s->title, "%s", m->title);
    s->practice = m->practice;
    memcpy(s->currency, m->currency, sizeof s->currency);
    memcpy(s->hash, m->hash, sizeof s->hash);
    s->header_row = m->header_row;
    s->rows = m->rows;
    s->skipped = m->skipped;
    s->import_id = m->id;
    s->already_stored = true;
    return SL_OK;
}

sl_status sl_report_from_import(sl_store *store, int64_t import_id,
                                const sl_read_options *options, sl_report **out, sl_error *err)
{
    if (!store || !options || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or options given");
    *out = NULL;
    sl_import meta;
    sl_status st = sl_store_import_get(store, import_id, &meta, err);
    if (st != SL_OK)
        return st;
    sl_report *r = calloc(1, sizeof *r);
    stored_walk w = {.groups = group_table_new(), .grouped = options->group, .by = options->by};
    if (!r || !w.groups) {
        free(r);
        group_table_free(w.groups);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    r->confidence = options->confidence > 0 ? options->confidence : 0.95;
    st = fill_source(r, &meta, err);
    if (st == SL_OK)
        st = sl_store_records(store, import_id, add_stored_record, &w, err);
    if (st == SL_OK && w.status != SL_OK)
        st = sl_fail(err, w.status, NULL, "out of memory");
    if (st == SL_OK && w.grouped && w.rows && !group_table_count(w.groups))
        st = sl_fail(err, SL_ERR_UNRECOGNISED, NULL,
                     "import #%lld has no %s key; group it by a key its rows have",
                     (long long)import_id, sl_dimension_name(w.by));
    if (st == SL_OK) {
        r->grouped = w.grouped;
        r->by = w.by;
        r->rows_read = w.rows;
        r->rows_skipped = meta.skipped;
        st = report_finish(r, w.groups, err);
    }
    if (st == SL_OK)
        st = report_use_history(r, store, err);
    group_table_free(w.groups);
    if (st != SL_OK) {
        sl_report_free(r);
        return st;
    }
    *out = r;
    return SL_OK;
}
