/*
 * import_file.c — one file's rows after the reader: the first rows are
 * held until the header is found and the column plan made (import_map.c),
 * then every data row is converted (import_row.c), added to its group and,
 * when a store is given, stored.  The CSV and XLSX readers both feed rows in
 * here (file_pipe_row); the CSV bulk loop sends here only the records it
 * does not take itself (csv_parallel.c).
 */
#include "import_file.h"

#include <stdlib.h>
#include <string.h>

static void keep_issue(data_state *d, const sl_row_issue *issue)
{
    if (d->issue_count < SL_REPORT_MAX_ISSUES)
        d->issues[d->issue_count++] = *issue;
}

static void fill_record(const file_job *job, const ingest_row *row, const row_values *v,
                        sl_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->row = row->number;
    for (int k = 0; k < SL_DIM__COUNT; k++)
        memcpy(rec->key[k], v->key[k], SL_MAX_ID);
    if (v->label) {
        size_t len = v->label_len < SL_MAX_LABEL ? v->label_len : SL_MAX_LABEL - 1;
        while (len < v->label_len && len && ((unsigned char)v->label[len] & 0xC0) == 0x80)
            len--;
        memcpy(rec->label, v->label, len);
    }
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        if (!(v->present & (1u << f)))
            continue;
        double x = !sl_field_is_money((sl_field)f)          ? (double)v->count[f]
                   : (v->money_exact & (1u << f)) ? (double)v->hundredths[f] / 100.0
                                                  : v->money[f];
        sl_funnel_set(&rec->funnel, (sl_field)f, x);
    }
    (void)job;
}

bool file_flush_batch(data_state *d, group_batch *batch)
{
    if (batch->count && group_table_add_batch(d->groups, batch) != SL_OK) {
        d->status = sl_fail(&d->error, SL_ERR_NO_MEMORY, NULL, "out of memory");
        return false;
    }
    batch->count = 0;
    return true;
}

/* A row's channel shares, summed per band (cells that cannot be read are
 * already counted by the row's own conversion where they are fields). */
static void add_channels(const import_plan *plan, const ingest_row *row, data_state *d)
{
    for (size_t ch = 0; ch < plan->channel_count; ch++)
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            int c = plan->channel_col[ch][f];
            if (c < 0 || (size_t)c >= row->count || !row->lengths[c])
                continue;
            const sl_column *col = &plan->columns[c];
            sl_value v;
            if (sl_parse_value_as(row->cells[c], col->currency, col->decimal, &v, NULL) != SL_OK ||
                (v.kind != SL_VALUE_NUMBER && v.kind != SL_VALUE_MONEY) || v.number < 0)
                continue;
            d->channel_sum[ch][f] += v.number;
            d->channel_present[ch] |= 1u << f;
        }
}

/* A grouped row whose key cell is empty: a bad row, located. */
static void no_key_issue(const file_job *job, const ingest_row *row, sl_row_issue *issue)
{
    int c = job->plan->key_col[job->by];
    memset(issue, 0, sizeof *issue);
    snprintf(issue->file, sizeof issue->file, "%s", job->name);
    issue->row = row->number;
    issue->column = (uint64_t)c + 1;
    snprintf(issue->header, sizeof issue->header, "%s", job->plan->columns[c].header);
    snprintf(issue->message, sizeof issue->message, "the row has no %s key",
             sl_dimension_name(job->by));
}

/* What a read row adds besides its group: the creator seen, channel bands,
 * the file's own sums for its total's check. */
static void count_row(const file_job *job, data_state *d, const ingest_row *row,
                      const row_values *v)
{
    d->rows++;
    const char *creator = v->key[SL_DIM_CREATOR];
    if (creator[0] && (job->need_keys & (1u << SL_DIM_CREATOR))) {
        if (!d->creator[0])
            snprintf(d->creator, sizeof d->creator, "%s", creator);
        else if (strcmp(d->creator, creator) != 0)
            d->several_creators = true;
    }
    add_channels(job->plan, row, d);
    if (job->plan->check_row || job->plan->table_ends)
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            if (v->present & (1u << f))
                d->sum[f] += !sl_field_is_money((sl_field)f) ? (double)v->count[f]
                             : (v->money_exact & (1u << f)) ? (double)v->hundredths[f] / 100.0
                                                            : v->money[f];
}

/* Adds the row to its group: into the batch (its label copied, as the
 * reader's buffer moves on), or straight into the table. */
static bool group_row(data_state *d, const char *key, row_values *v, group_batch *batch)
{
    if (!batch) {
        if (group_table_add(d->groups, key, strlen(key), v) == SL_OK)
            return true;
        d->status = sl_fail(&d->error, SL_ERR_NO_MEMORY, NULL, "out of memory");
        return false;
    }
    size_t n = batch->count;
    if (v->label) {
        size_t len = v->label_len < SL_MAX_LABEL ? v->label_len : SL_MAX_LABEL - 1;
        memcpy(batch->labels[n], v->label, len);
        batch->labels[n][len] = '\0';
        v->label = batch->labels[n];
        v->label_len = len;
    }
    batch->keys[n] = key;
    batch->key_lens[n] = strlen(key);
    return ++batch->count < GROUP_BATCH || file_flush_batch(d, batch);
}

bool file_data_row(const file_job *job, data_state *d, const ingest_row *row, row_values *v,
                   group_batch *batch)
{
    if (batch && job->grouped)
        v = &batch->rows[batch->count];
    else
        batch = NULL;
    sl_row_issue issue;
    row_outcome r = import_convert_row(job->plan, job->name, row, job->need_keys,
                                       job->vital_keys, job->options->strict, v, &issue,
                                       &d->cells);
    if (r == ROW_EMPTY)
        return true;
    if (r == ROW_SUMMARY) {
        d->summary_rows++;
        return true;
    }
    char rowkey[24];
    const char *key = rowkey;
    if (r == ROW_OK && job->grouped) {
        key = v->key[job->by];
        if (!key[0]) {
            no_key_issue(job, row, &issue);
            r = ROW_BAD;
        }
    } else if (r == ROW_OK) {
        snprintf(rowkey, sizeof rowkey, "row %llu", (unsigned long long)row->number);
    }
    if (r == ROW_BAD) {
        d->skipped++;
        keep_issue(d, &issue);
        if (job->options->strict) {
            d->failed = true;
            return false;
        }
        return true;
    }
    count_row(job, d, row, v);
    if (!group_row(d, key, v, batch))
        return false;
    if (job->store) {
        sl_record rec;
        fill_record(job, row, v, &rec);
        if ((d->status = sl_store_import_add(job->store, &rec, &d->error)) != SL_OK)
            return false;
    }
    return true;
}

/* ---- one file, row by row (both readers end up here) ---- */

static sl_status pipe_data(file_pipe *p, const ingest_row *row, sl_error *err)
{
    if (p->plan.table_ends && row->number >= p->table_end_row)
        return SL_OK; /* another table's rows (the summary is read by the plan) */
    if (p->check_description) {
        p->check_description = false;
        if (import_is_description_row(&p->plan, row)) {
            p->report->sources[p->source_index].description_row = row->number;
            return SL_OK;
        }
    }
    if (!file_data_row(&p->job, &p->data, row, p->job.scratch, NULL)) {
        if (p->data.status != SL_OK) {
            if (err)
                *err = p->data.error;
            return p->data.status;
        }
        return STOP_READING; /* strict: reported by the caller */
    }
    return SL_OK;
}

static sl_status pipe_plan(file_pipe *p, sl_error *err)
{
    sl_status st = import_plan_build(&p->held, p->job.name, &p->plan, err);
    if (st != SL_OK)
        return st;
    p->planned = true;
    p->job.plan = &p->plan;
    p->check_description = true;
    if (p->plan.table_ends)
        p->table_end_row = p->held.number[p->plan.data_end];
    if (p->plan.column_count &&
        !(p->data.cells.per_column = calloc(p->plan.column_count, sizeof(uint64_t))))
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if ((st = p->on_plan(p, err)) != SL_OK)
        return st;
    const char *cells[256];
    size_t lengths[256];
    for (size_t i = p->plan.header_index + 1; i < p->held.count; i++) {
        ingest_row row;
        held_rows_get(&p->held, i, &row, cells, lengths, 256);
        if (p->held.cells[i] > 256) { /* rare: a very wide sheet; keep every cell */
            const char **wide = malloc(p->held.cells[i] * sizeof *wide);
            size_t *wl = malloc(p->held.cells[i] * sizeof *wl);
            if (!wide || !wl) {
                free(wide);
                free(wl);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            held_rows_get(&p->held, i, &row, wide, wl, p->held.cells[i]);
            st = pipe_data(p, &row, err);
            free(wide);
            free(wl);
        } else {
            st = pipe_data(p, &row, err);
        }
        if (st != SL_OK)
            return st;
    }
    return SL_OK;
}

sl_status file_pipe_row(void *ctx, const ingest_row *row, sl_error *err)
{
    file_pipe *p = ctx;
    if (p->planned)
        return pipe_data(p, row, err);
    sl_status st = held_rows_add(&p->held, row, err);
    if (st != SL_OK)
        return st;
    if (held_rows_full(&p->held))
        return pipe_plan(p, err);
    return SL_OK;
}

sl_status file_pipe_finish(file_pipe *p, sl_error *err)
{
    if (p->planned)
        return SL_OK;
    if (p->held.count == 0) {
        return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){p->job.name, 0, 0, NULL},
                          "the file is empty; export the report again");
    }
    return pipe_plan(p, err);
}
