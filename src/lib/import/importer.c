/*
 * importer.c — sl_report_read: files in, one grouped report out.
 *
 * For each file: detect CSV or XLSX, hold the first rows until the header is
 * found (import_map.c), then convert every data row and add it to its group
 * (import_group.c), storing the records when a store is given (one import =
 * one transaction: a failure or a killed process leaves nothing of it).
 *
 * The bulk path: a large CSV that is not being stored is split at line
 * boundaries into one byte range per thread; each thread fills its own
 * group table and the tables are merged.  A range boundary could fall inside
 * a quoted cell, so when any thread meets a double quote the parallel result
 * is thrown away and the file is read again by one thread (exports that need
 * quoting are small; the million-row feeds are plain).
 */
#include "import.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PARALLEL_MIN_BYTES ((uint64_t)8 << 20)
#define MAX_THREADS 8
#define PROGRESS_STEP ((uint64_t)4 << 20)

/* Per-thread state of the data rows of one file. */
typedef struct data_state {
    group_table *groups;
    uint64_t rows, skipped, summary_rows;
    cell_log cells;             /* unreadable cells (their rows kept) */
    double sum[SL_FIELD__COUNT];    /* this file's own sums, for its total's check */
    double channel_sum[SL_MAX_CHANNELS][SL_FIELD__COUNT];
    uint32_t channel_present[SL_MAX_CHANNELS];
    char creator[SL_MAX_ID];    /* the creator of its rows, when they have one */
    bool several_creators;
    sl_row_issue issues[SL_REPORT_MAX_ISSUES];
    size_t issue_count;
    bool failed;                /* strict: stopped at issues[0] */
    sl_status status;           /* a hard error (memory, store) */
    sl_error error;
} data_state;

/* What every thread shares while reading one file. */
typedef struct file_job {
    const char *name;           /* as shown in messages */
    const import_plan *plan;
    const sl_read_options *options;
    bool grouped;
    sl_dimension by;
    uint32_t need_keys;
    sl_store *store;            /* NULL: not storing this file */
    row_values *scratch;
    const bulk_plan *bulk;      /* plain records take the fused loop (bulk.c) */
} file_job;

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

static bool flush_batch(data_state *d, group_batch *batch)
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

/* One data row: convert, group, store.  False stops the reading.  With a
 * batch, grouped rows are converted straight into it and added to their
 * groups a batch at a time (`v` is then ignored). */
static bool data_row(const file_job *job, data_state *d, const ingest_row *row, row_values *v,
                     group_batch *batch)
{
    if (batch && job->grouped)
        v = &batch->rows[batch->count];
    else
        batch = NULL;
    sl_row_issue issue;
    row_outcome r = import_convert_row(job->plan, job->name, row, job->need_keys,
                                       job->options->strict, v, &issue, &d->cells);
    if (r == ROW_EMPTY)
        return true;
    if (r == ROW_SUMMARY) {
        d->summary_rows++;
        return true;
    }
    char rowkey[24];
    const char *key = rowkey;
    if (r == ROW_OK) {
        if (job->grouped) {
            key = v->key[job->by];
            if (!key[0]) {
                int c = job->plan->key_col[job->by];
                memset(&issue, 0, sizeof issue);
                snprintf(issue.file, sizeof issue.file, "%s", job->name);
                issue.row = row->number;
                issue.column = (uint64_t)c + 1;
                snprintf(issue.header, sizeof issue.header, "%s", job->plan->columns[c].header);
                snprintf(issue.message, sizeof issue.message, "the row has no %s key",
                         sl_dimension_name(job->by));
                r = ROW_BAD;
            }
        } else {
            snprintf(rowkey, sizeof rowkey, "row %llu", (unsigned long long)row->number);
        }
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
    if (batch) {
        size_t n = batch->count;
        if (v->label) { /* the reader's buffer moves on: keep a copy */
            size_t len = v->label_len < SL_MAX_LABEL ? v->label_len : SL_MAX_LABEL - 1;
            memcpy(batch->labels[n], v->label, len);
            batch->labels[n][len] = '\0';
            v->label = batch->labels[n];
            v->label_len = len;
        }
        batch->keys[n] = key;
        batch->key_lens[n] = strlen(key);
        if (++batch->count == GROUP_BATCH && !flush_batch(d, batch))
            return false;
    } else if (group_table_add(d->groups, key, strlen(key), v) != SL_OK) {
        d->status = sl_fail(&d->error, SL_ERR_NO_MEMORY, NULL, "out of memory");
        return false;
    }
    if (job->store) {
        sl_record rec;
        fill_record(job, row, v, &rec);
        if ((d->status = sl_store_import_add(job->store, &rec, &d->error)) != SL_OK)
            return false;
    }
    return true;
}

/* ---- one file, row by row (both readers end up here) ---- */

typedef struct file_pipe {
    file_job job;
    data_state data;
    held_rows held;
    import_plan plan;
    bool planned;
    bool check_description;
    uint64_t header_row_seen;
    uint64_t table_end_row;     /* the first row of the next table, when one follows */
    sl_report *report;
    size_t source_index;
    /* decided by the caller once the plan exists */
    sl_status (*on_plan)(struct file_pipe *pipe, sl_error *err);
    void *owner;
    sl_status stop;             /* status returned to stop a reader on purpose */
} file_pipe;

#define STOP_READING ((sl_status)(SL_STATUS__COUNT + 1))

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
    if (!data_row(&p->job, &p->data, row, p->job.scratch, NULL)) {
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

static sl_status pipe_row(void *ctx, const ingest_row *row, sl_error *err)
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

/* End of input: a short file is planned here. */
static sl_status pipe_finish(file_pipe *p, sl_error *err)
{
    if (p->planned)
        return SL_OK;
    if (p->held.count == 0) {
        sl_fail(err, SL_ERR_UNRECOGNISED, NULL, "%s: the file is empty; export the report again",
                p->job.name);
        if (err)
            snprintf(err->file, sizeof err->file, "%s", p->job.name);
        return SL_ERR_UNRECOGNISED;
    }
    return pipe_plan(p, err);
}

/* ---- the report being built ---- */

typedef struct build {
    sl_report *report;
    const sl_read_options *options;
    group_table *groups;
    bool decided;               /* grouping decided by the first file */
    row_values scratch;
} build;

static sl_status add_source(sl_report *r, const char *name, const char *format, sl_error *err)
{
    sl_source *s = realloc(r->sources, (r->source_count + 1) * sizeof *s);
    if (!s)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    r->sources = s;
    s = &r->sources[r->source_count++];
    memset(s, 0, sizeof *s);
    snprintf(s->file, sizeof s->file, "%s", name);
    snprintf(s->format, sizeof s->format, "%s", format);
    return SL_OK;
}

/* Called once the header of a file is known: grouping, store, source info. */
static sl_status on_plan(file_pipe *p, sl_error *err)
{
    build *b = p->owner;
    sl_report *r = b->report;
    const import_plan *plan = &p->plan;
    sl_source *src = &r->sources[p->source_index];
    src->header_row = plan->header_row;
    src->band_row = plan->band_row;
    snprintf(src->period, sizeof src->period, "%s", plan->period);
    snprintf(src->title, sizeof src->title, "%s", plan->title);
    src->practice = plan->practice;
    if (!b->decided) {
        b->decided = true;
        if (b->options->group) {
            r->grouped = true;
            r->by = b->options->by;
        } else {
            static const sl_dimension order[] = {SL_DIM_VIDEO, SL_DIM_LIVE, SL_DIM_PRODUCT,
                                                 SL_DIM_CREATOR, SL_DIM_DAY};
            for (size_t i = 0; i < 5 && !r->grouped; i++)
                if (plan->key_col[order[i]] >= 0) {
                    r->grouped = true;
                    r->by = order[i];
                }
        }
    }
    if (r->grouped && plan->key_col[r->by] < 0) {
        char have[96] = "";
        size_t w = 0;
        for (int k = 0; k < SL_DIM__COUNT; k++)
            if (plan->key_col[k] >= 0)
                w += (size_t)snprintf(have + w, sizeof have - w, "%s%s", w ? ", " : "",
                                      sl_dimension_name((sl_dimension)k));
        sl_fail(err, SL_ERR_UNRECOGNISED, NULL,
                "%s: cannot group by %s: the file has no %s column (keys it has: %s)",
                p->job.name, sl_dimension_name(r->by), sl_dimension_name(r->by),
                w ? have : "none");
        if (err)
            snprintf(err->file, sizeof err->file, "%s", p->job.name);
        return SL_ERR_UNRECOGNISED;
    }
    p->job.grouped = r->grouped;
    p->job.by = r->by;
    p->job.need_keys = r->grouped ? 1u << r->by : 0;
    src->columns = malloc((plan->column_count ? plan->column_count : 1) * sizeof *src->columns);
    if (!src->columns)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    memcpy(src->columns, plan->columns, plan->column_count * sizeof *src->columns);
    src->column_count = plan->column_count;
    /* Kept with a stored import, whose columns are not: its report pages
     * show amounts in the file's currency. */
    sl_report tmp = {.sources = src, .source_count = 1};
    snprintf(src->currency, sizeof src->currency, "%s", sl_report_currency(&tmp));
    if (b->options->store) {
        p->job.need_keys = (1u << SL_DIM__COUNT) - 1;
        sl_import meta;
        memset(&meta, 0, sizeof meta);
        memcpy(meta.hash, src->hash, sizeof meta.hash);
        snprintf(meta.file, sizeof meta.file, "%s", src->file);
        snprintf(meta.sheet, sizeof meta.sheet, "%s", src->sheet);
        snprintf(meta.period, sizeof meta.period, "%s", src->period);
        meta.header_row = src->header_row;
        snprintf(meta.title, sizeof meta.title, "%s", src->title);
        meta.practice = src->practice;
        memcpy(meta.currency, src->currency, sizeof meta.currency);
        meta.creator_id = b->options->creator_id;
        int64_t id = 0, existing = 0;
        sl_status st = sl_store_import_begin(b->options->store, &meta, &id, &existing, err);
        if (st != SL_OK)
            return st;
        if (existing) {
            src->already_stored = true;
            src->import_id = existing;
        } else {
            src->import_id = id;
            p->job.store = b->options->store;
        }
    }
    return SL_OK;
}

/* Merges a finished file's state into the report; strict failures become
 * the error. */
static sl_status close_file(build *b, file_pipe *p, sl_error *err)
{
    sl_report *r = b->report;
    sl_source *src = &r->sources[p->source_index];
    src->rows = p->data.rows;
    src->skipped = p->data.skipped;
    src->summary_rows = p->data.summary_rows;
    src->several_creators = p->data.several_creators;
    if (!src->several_creators)
        snprintf(src->creator, sizeof src->creator, "%s", p->data.creator);
    src->bad_cells = p->data.cells.total;
    src->tables = p->plan.tables;
    for (size_t c = 0; c < src->column_count && p->data.cells.per_column; c++)
        src->columns[c].bad_cells = p->data.cells.per_column[c];
    if (p->plan.check_row) {
        src->check_row = p->plan.check_row;
        src->check_present = p->plan.check_present;
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            src->check_total[f] = p->plan.check[f];
            src->check_sum[f] = p->data.sum[f];
        }
    }
    src->channel_count = p->plan.channel_count;
    for (size_t ch = 0; ch < p->plan.channel_count; ch++) {
        sl_channel *out = &src->channels[ch];
        snprintf(out->name, sizeof out->name, "%s", p->plan.channel_name[ch]);
        out->present = p->data.channel_present[ch];
        memcpy(out->value, p->data.channel_sum[ch], sizeof out->value);
    }
    r->rows_read += p->data.rows;
    r->rows_skipped += p->data.skipped;
    r->cells_unread += p->data.cells.total;
    for (size_t i = 0; i < p->data.issue_count && r->issue_count < SL_REPORT_MAX_ISSUES; i++)
        r->issues[r->issue_count++] = p->data.issues[i];
    for (size_t i = 0; i < p->data.cells.issue_count && r->cell_issue_count < SL_REPORT_MAX_ISSUES;
         i++)
        r->cell_issues[r->cell_issue_count++] = p->data.cells.issues[i];
    if (p->data.failed) {
        const sl_row_issue *is = &p->data.issues[0];
        sl_fail(err, SL_ERR_PARSE, NULL,
                "%s:%llu:%llu: column \"%s\", value \"%s\": %s (--strict stops at the first "
                "bad row; without it bad rows are skipped and counted)",
                is->file, (unsigned long long)is->row, (unsigned long long)is->column,
                is->header, is->value, is->message);
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", is->file);
            err->row = is->row;
            err->column = is->column;
            snprintf(err->header, sizeof err->header, "%s", is->header);
        }
        return SL_ERR_PARSE;
    }
    if (p->data.rows == 0 && !src->already_stored) {
        /* Nothing read is never a quiet success: say why. */
        if (p->data.skipped)
            sl_fail(err, SL_ERR_NO_DATA, NULL,
                    "%s: none of its %llu data rows could be read; the first: row %llu, column "
                    "\"%s\": %s",
                    p->job.name, (unsigned long long)p->data.skipped,
                    (unsigned long long)p->data.issues[0].row, p->data.issues[0].header,
                    p->data.issues[0].message);
        else
            sl_fail(err, SL_ERR_NO_DATA, NULL,
                    "%s: the header on row %llu has no data rows under it; export the report "
                    "again with a period that has data",
                    p->job.name, (unsigned long long)src->header_row);
        if (err)
            snprintf(err->file, sizeof err->file, "%s", p->job.name);
        return SL_ERR_NO_DATA;
    }
    if (p->job.store) {
        /* No creator chosen: the file's, when all its rows name one. */
        sl_status st = SL_OK;
        if (!p->job.options->creator_id && !src->several_creators && src->creator[0])
            st = sl_store_import_set_creator(p->job.store, src->creator, err);
        if (st == SL_OK)
            st = sl_store_import_commit(p->job.store, p->data.rows, p->data.skipped, err);
        else
            sl_store_import_abort(p->job.store);
        p->job.store = NULL;
        if (st != SL_OK)
            return st;
    }
    return SL_OK;
}

static void pipe_init(file_pipe *p, build *b, const char *name)
{
    memset(p, 0, sizeof *p);
    p->job.name = name;
    p->job.options = b->options;
    p->job.scratch = &b->scratch;
    p->data.groups = b->groups;
    p->report = b->report;
    p->source_index = b->report->source_count - 1;
    p->on_plan = on_plan;
    p->owner = b;
}

static void pipe_free(file_pipe *p)
{
    if (p->job.store)
        sl_store_import_abort(p->job.store);
    held_rows_free(&p->held);
    import_plan_free(&p->plan);
    free(p->data.cells.per_column);
}

/* ---- hashing and stdin ---- */

static sl_status hash_fd(int fd, const char *name, char hex[65], sl_error *err)
{
    sl_sha256 ctx;
    sl_sha256_init(&ctx);
    static __thread unsigned char buf[1 << 16];
    for (off_t off = 0;;) {
        ssize_t got = pread(fd, buf, sizeof buf, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
        if (got == 0)
            break;
        sl_sha256_update(&ctx, buf, (size_t)got);
        off += got;
    }
    sl_sha256_hex(&ctx, hex);
    return SL_OK;
}

/* Copies standard input to an unnamed temporary file, so stdin is read
 * like any other file (the parallel path and the hash need offsets). */
static sl_status spool_stdin(int *fd_out, sl_error *err)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot buffer standard input: %s",
                       strerror(errno));
    int fd = dup(fileno(tmp));
    fclose(tmp);
    if (fd < 0)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot buffer standard input: %s",
                       strerror(errno));
    static __thread char buf[1 << 16];
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            close(fd);
            return sl_fail(err, SL_ERR_READ, NULL, "cannot read standard input: %s",
                           strerror(errno));
        }
        if (got == 0)
            break;
        for (ssize_t w = 0; w < got;) {
            ssize_t put = write(fd, buf + w, (size_t)(got - w));
            if (put < 0 && errno == EINTR)
                continue;
            if (put < 0) {
                close(fd);
                return sl_fail(err, SL_ERR_READ, NULL, "cannot buffer standard input: %s",
                               strerror(errno));
            }
            w += put;
        }
    }
    *fd_out = fd;
    return SL_OK;
}

/* ---- CSV ---- */

typedef struct csv_range {
    const file_job *job;
    data_state *data;
    int fd;
    char delimiter;
    uint64_t start, end, first_row;
    uint64_t records;           /* records read (for row numbers of later ranges) */
    bool saw_quote;
    bool reports_progress;
    _Atomic uint64_t *done;
    uint64_t total;
    sl_status status;
    sl_error error;
} csv_range;

typedef struct slow_ctx {
    csv_range *range;
    row_values *v;
    uint64_t last_report;
} slow_ctx;

static bool slow_row(void *ctx, const ingest_row *row)
{
    slow_ctx *c = ctx;
    return data_row(c->range->job, c->range->data, row, c->v, NULL);
}

static void bulk_progress(void *ctx, uint64_t bytes)
{
    slow_ctx *c = ctx;
    csv_range *r = c->range;
    atomic_fetch_add(r->done, bytes);
    if (r->reports_progress && r->job->options->progress)
        r->job->options->progress(r->job->options->progress_ctx, atomic_load(r->done), r->total);
    if (r->reports_progress && r->job->options->progress_rows)
        r->job->options->progress_rows(r->job->options->progress_ctx, r->data->rows);
}

static void read_range(csv_range *r)
{
    const file_job *job = r->job;
    data_state *d = r->data;
    csv_reader *reader;
    r->status = csv_open(r->fd, job->name, r->start, r->end, r->delimiter, r->first_row, &reader,
                         &r->error);
    if (r->status != SL_OK)
        return;
    row_values *v = malloc(sizeof *v);
    group_batch *batch = malloc(sizeof *batch);
    if (!v || !batch) {
        free(v);
        free(batch);
        csv_close(reader);
        r->status = sl_fail(&r->error, SL_ERR_NO_MEMORY, NULL, "out of memory");
        return;
    }
    batch->count = 0;
    uint64_t reported = 0, last = r->first_row - 1;
    if (job->bulk) {
        slow_ctx ctx = {.range = r, .v = v};
        bulk_hooks hooks = {.ctx = &ctx, .slow = slow_row, .progress = bulk_progress};
        r->status = bulk_read(reader, job->bulk, d->groups, batch, &hooks, &d->rows, &r->error);
        if (r->status == SL_OK && d->status != SL_OK) {
            r->status = d->status;
            r->error = d->error;
        }
        r->records = csv_records(reader) - r->first_row;
        r->saw_quote = csv_saw_quote(reader);
        free(batch);
        free(v);
        csv_close(reader);
        return;
    }
    for (;;) {
        ingest_row row;
        bool finished;
        if ((r->status = csv_next(reader, &row, &finished, &r->error)) != SL_OK || finished)
            break;
        last = row.number;
        if (!data_row(job, d, &row, v, batch)) {
            if (d->status != SL_OK) {
                r->status = d->status;
                r->error = d->error;
            }
            break;
        }
        uint64_t c = csv_consumed(reader);
        if (c - reported >= PROGRESS_STEP) {
            atomic_fetch_add(r->done, c - reported);
            reported = c;
            if (r->reports_progress && job->options->progress)
                job->options->progress(job->options->progress_ctx, atomic_load(r->done),
                                       r->total);
            if (r->reports_progress && job->options->progress_rows)
                job->options->progress_rows(job->options->progress_ctx, d->rows);
        }
    }
    if (r->status == SL_OK && d->status == SL_OK && !flush_batch(d, batch)) {
        r->status = d->status;
        r->error = d->error;
    }
    atomic_fetch_add(r->done, csv_consumed(reader) - reported);
    r->records = last + 1 - r->first_row;
    r->saw_quote = csv_saw_quote(reader);
    free(batch);
    free(v);
    csv_close(reader);
}

static void *range_thread(void *arg)
{
    read_range(arg);
    return NULL;
}

/* The first byte after the newline at or after `offset` (or `size`). */
static uint64_t line_start_after(int fd, uint64_t offset, uint64_t size)
{
    char buf[4096];
    while (offset < size) {
        ssize_t got = pread(fd, buf, sizeof buf, (off_t)offset);
        if (got <= 0)
            return size;
        char *nl = memchr(buf, '\n', (size_t)got);
        if (nl)
            return offset + (uint64_t)(nl - buf) + 1;
        offset += (uint64_t)got;
    }
    return size;
}

static unsigned thread_count(const sl_read_options *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = o->threads ? o->threads : (unsigned)(cores > 0 ? cores : 1);
    return n > MAX_THREADS ? MAX_THREADS : n;
}

/* Reads [start, size) with n threads; false when the split was not safe
 * (a quote was seen) and nothing of it was kept. */
static sl_status read_parallel(build *b, file_pipe *p, int fd, char delimiter, uint64_t start,
                               uint64_t size, uint64_t first_row, unsigned n, bool *done_ok,
                               sl_error *err)
{
    csv_range ranges[MAX_THREADS];
    data_state states[MAX_THREADS];
    pthread_t threads[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    _Atomic uint64_t done = 0;
    sl_status st = SL_OK;
    *done_ok = false;
    uint64_t at = start;
    for (unsigned i = 0; i < n; i++) {
        memset(&states[i], 0, sizeof states[i]);
        states[i].cells.per_column = calloc(p->plan.column_count + 1, sizeof(uint64_t));
        states[i].groups = i == 0 ? b->groups : group_table_new();
        if (!states[i].groups) {
            free(states[i].cells.per_column);
            n = i;
            st = sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            break;
        }
        uint64_t end = i + 1 == n ? size : line_start_after(fd, start + (size - start) * (i + 1) / n, size);
        if (end < at)
            end = at;
        ranges[i] = (csv_range){.job = &p->job, .data = &states[i], .fd = fd,
                                .delimiter = delimiter, .start = at, .end = end,
                                .first_row = i == 0 ? first_row : 1, .done = &done,
                                .total = size, .reports_progress = i == 0};
        at = end;
    }
    if (st == SL_OK)
        for (unsigned i = 1; i < n; i++)
            started[i] = pthread_create(&threads[i], NULL, range_thread, &ranges[i]) == 0;
    if (st == SL_OK) {
        read_range(&ranges[0]);
        for (unsigned i = 1; i < n; i++)
            if (!started[i])
                read_range(&ranges[i]);
    }
    for (unsigned i = 1; i < n; i++)
        if (started[i])
            pthread_join(threads[i], NULL);
    bool quote = false;
    for (unsigned i = 0; i < n && st == SL_OK; i++) {
        quote |= ranges[i].saw_quote;
        if (ranges[i].status != SL_OK) {
            st = ranges[i].status;
            if (err)
                *err = ranges[i].error;
        }
    }
    if (st == SL_OK && !quote) {
        /* Row numbers of later ranges are known only now. */
        uint64_t base = first_row;
        data_state *d = &p->data;
        for (unsigned i = 0; i < n; i++) {
            uint64_t shift = i == 0 ? 0 : base - 1;
            for (size_t k = 0; k < states[i].issue_count; k++) {
                sl_row_issue is = states[i].issues[k];
                is.row += shift;
                if (d->issue_count < SL_REPORT_MAX_ISSUES)
                    d->issues[d->issue_count++] = is;
            }
            if (states[i].failed && !d->failed)
                d->failed = true; /* the first range's failure comes first */
            for (size_t k = 0; k < states[i].cells.issue_count; k++) {
                sl_row_issue is = states[i].cells.issues[k];
                is.row += shift;
                if (d->cells.issue_count < SL_REPORT_MAX_ISSUES)
                    d->cells.issues[d->cells.issue_count++] = is;
            }
            d->cells.total += states[i].cells.total;
            for (size_t c = 0; c < p->plan.column_count && d->cells.per_column &&
                               states[i].cells.per_column; c++)
                d->cells.per_column[c] += states[i].cells.per_column[c];
            for (int f = 0; f < SL_FIELD__COUNT; f++)
                d->sum[f] += states[i].sum[f];
            d->summary_rows += states[i].summary_rows;
            for (size_t ch = 0; ch < SL_MAX_CHANNELS; ch++) {
                d->channel_present[ch] |= states[i].channel_present[ch];
                for (int f = 0; f < SL_FIELD__COUNT; f++)
                    d->channel_sum[ch][f] += states[i].channel_sum[ch][f];
            }
            base += ranges[i].records;
            d->rows += states[i].rows;
            d->skipped += states[i].skipped;
            if (i > 0 && !d->failed && (st = group_table_merge(b->groups, states[i].groups)) != SL_OK) {
                sl_fail(err, st, NULL, "out of memory");
                break;
            }
            if (d->failed)
                break;
        }
        *done_ok = st == SL_OK;
    }
    for (unsigned i = 1; i < n; i++)
        group_table_free(states[i].groups);
    for (unsigned i = 0; i < n; i++)
        free(states[i].cells.per_column);
    if (!*done_ok && st == SL_OK && quote) {
        /* Range 0 wrote into the shared table: rebuild is the caller's job. */
        return SL_OK;
    }
    return st;
}

static sl_status read_csv_file(build *b, file_pipe *p, int fd, uint64_t size, sl_error *err)
{
    char head[65536];
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got < 0)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", p->job.name,
                       strerror(errno));
    char delimiter = csv_detect_delimiter(head, (size_t)got);
    if (size >= PARALLEL_MIN_BYTES)
        p->held.limit = IMPORT_SURVEY_ROWS_BULK;
    csv_reader *reader;
    sl_status st = csv_open(fd, p->job.name, 0, UINT64_MAX, delimiter, 1, &reader, err);
    if (st != SL_OK)
        return st;
    uint64_t next_row = 1;
    while (!p->planned) {
        ingest_row row;
        bool finished;
        if ((st = csv_next(reader, &row, &finished, err)) != SL_OK)
            break;
        if (finished) {
            st = pipe_finish(p, err);
            break;
        }
        next_row = row.number + 1;
        if ((st = pipe_row(p, &row, err)) != SL_OK)
            break;
    }
    uint64_t data_start = csv_consumed(reader);
    csv_close(reader);
    if (st == STOP_READING || p->data.failed)
        return SL_OK;
    if (st != SL_OK || data_start >= size)
        return st;
    _Atomic uint64_t done = data_start;
    unsigned n = thread_count(b->options);
    bulk_plan bp;
    if (!p->job.store && p->job.grouped && !b->options->general_path &&
        bulk_plan_make(&p->plan, p->job.by, &bp))
        p->job.bulk = &bp;
    if (!p->job.store && n > 1 && size - data_start >= PARALLEL_MIN_BYTES) {
        /* The ranges fill a fresh table, merged only when the split was
         * safe; otherwise it is dropped and the data is read again. */
        group_table *saved = b->groups;
        group_table *fresh = group_table_new();
        if (!fresh)
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        b->groups = fresh;
        data_state before = p->data;
        bool ok;
        st = read_parallel(b, p, fd, delimiter, data_start, size, next_row, n, &ok, err);
        b->groups = saved;
        if (st == SL_OK && ok) {
            if (group_table_count(saved) == 0) { /* the first file: no merge needed */
                b->groups = p->data.groups = fresh;
                group_table_free(saved);
            } else {
                st = group_table_merge(saved, fresh);
                group_table_free(fresh);
            }
            if (st != SL_OK)
                return sl_fail(err, st, NULL, "out of memory");
            if (b->options->progress)
                b->options->progress(b->options->progress_ctx, size, size);
            return SL_OK;
        }
        group_table_free(fresh);
        if (st != SL_OK)
            return st;
        p->data = before; /* a quote was seen: read the data again with one thread */
        p->data.groups = saved;
    }
    csv_range r = {.job = &p->job, .data = &p->data, .fd = fd, .delimiter = delimiter,
                   .start = data_start, .end = UINT64_MAX, .first_row = next_row, .done = &done,
                   .total = size, .reports_progress = true};
    read_range(&r);
    if (r.status != SL_OK && err)
        *err = r.error;
    if (r.status == SL_OK && b->options->progress)
        b->options->progress(b->options->progress_ctx, size, size);
    return r.status;
}

/* ---- XLSX ---- */

static sl_status hold_sink(void *ctx, const ingest_row *row, sl_error *err)
{
    held_rows *h = ctx;
    sl_status st = held_rows_add(h, row, err);
    if (st != SL_OK)
        return st;
    return h->count == IMPORT_SHEET_SAMPLE_ROWS ? STOP_READING : SL_OK;
}

static sl_status pick_sheet(xlsx_book *book, const char *wanted, const char *name, size_t *index,
                            sl_error *err)
{
    size_t n = xlsx_sheet_count(book);
    char list[200] = "";
    size_t w = 0;
    for (size_t i = 0; i < n && w + 40 < sizeof list; i++)
        w += (size_t)snprintf(list + w, sizeof list - w, "%s\"%s\"", w ? ", " : "",
                              xlsx_sheet_name(book, i));
    if (wanted) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(xlsx_sheet_name(book, i), wanted) == 0) {
                *index = i;
                return SL_OK;
            }
        char *end;
        long k = strtol(wanted, &end, 10);
        if (*wanted && !*end && k >= 1 && (size_t)k <= n) {
            *index = (size_t)k - 1;
            return SL_OK;
        }
        return sl_fail(err, SL_ERR_NOT_FOUND, "sheet",
                       "%s has no sheet \"%s\"; its sheets are %s (give a name or a number "
                       "from 1)",
                       name, wanted, list);
    }
    for (size_t i = 0; i < n; i++) {
        held_rows h = {0};
        sl_status st = xlsx_read_sheet(book, i, hold_sink, &h, err);
        int score = st == SL_OK || st == STOP_READING ? import_header_score(&h) : 0;
        held_rows_free(&h);
        if (st != SL_OK && st != STOP_READING)
            return st;
        if (score >= IMPORT_MIN_HEADER_MATCHES) {
            *index = i;
            return SL_OK;
        }
    }
    sl_fail(err, SL_ERR_UNRECOGNISED, NULL,
            "%s: no sheet has a header ShopLab recognises in its first %d rows (sheets: %s); "
            "expected columns such as views, product impressions, product clicks, orders, GMV",
            name, IMPORT_SHEET_SAMPLE_ROWS, w ? list : "none");
    if (err)
        snprintf(err->file, sizeof err->file, "%s", name);
    return SL_ERR_UNRECOGNISED;
}

static sl_status read_xlsx_file(build *b, file_pipe *p, const char *path, sl_error *err)
{
    xlsx_limits limits;
    xlsx_default_limits(&limits);
    xlsx_book *book;
    sl_status st = xlsx_open(path, &limits, &book, err);
    if (st != SL_OK)
        return st;
    size_t index = 0;
    st = pick_sheet(book, b->options->sheet, p->job.name, &index, err);
    if (st == SL_OK) {
        sl_source *src = &b->report->sources[p->source_index];
        snprintf(src->sheet, sizeof src->sheet, "%s", xlsx_sheet_name(book, index));
        st = xlsx_read_sheet(book, index, pipe_row, p, err);
        if (st == STOP_READING)
            st = SL_OK; /* strict: close_file reports the row */
        else if (st == SL_OK)
            st = pipe_finish(p, err);
    }
    xlsx_close(book);
    return st;
}

/* ---- entry point ---- */

sl_status report_finish(sl_report *report, const group_table *groups, sl_error *err);
sl_status report_use_history(sl_report *report, sl_store *store, sl_error *err);

static bool is_xlsx(int fd)
{
    unsigned char magic[4];
    return pread(fd, magic, 4, 0) == 4 && memcmp(magic, "PK\x03\x04", 4) == 0;
}

/* A CSV file not in UTF-8 is read from a UTF-8 copy (csv.c "text
 * encodings"); its source says which encoding it was.  *fd and *size become
 * the copy's.  The hash, taken before, stays the original bytes'. */
static sl_status to_utf8(sl_report *r, const char *name, int *fd, uint64_t *size, sl_error *err)
{
    csv_encoding enc;
    sl_status st = csv_detect_encoding(*fd, *size, name, &enc, err);
    if (st != SL_OK)
        return st;
    sl_source *src = &r->sources[r->source_count - 1];
    snprintf(src->encoding, sizeof src->encoding, "%s", csv_encoding_id(enc));
    if (enc == CSV_UTF8)
        return SL_OK;
    int utf8;
    if ((st = csv_convert_to_utf8(*fd, enc, name, &utf8, err)) != SL_OK)
        return st;
    struct stat sb;
    if (fstat(utf8, &sb) != 0) {
        close(utf8);
        return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
    }
    close(*fd);
    *fd = utf8;
    *size = (uint64_t)sb.st_size;
    return SL_OK;
}

static sl_status read_one(build *b, const char *path, const char *shown, sl_error *err)
{
    bool from_stdin = strcmp(path, "-") == 0;
    const char *name = shown ? shown : from_stdin ? "stdin" : path;
    int fd = -1;
    sl_status st;
    if (from_stdin) {
        if ((st = spool_stdin(&fd, err)) != SL_OK)
            return st;
    } else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        sl_fail(err, SL_ERR_READ, NULL, "cannot open %s: %s", path, strerror(errno));
        if (err)
            snprintf(err->file, sizeof err->file, "%s", path);
        return SL_ERR_READ;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: not a regular file", name);
        if (err)
            snprintf(err->file, sizeof err->file, "%s", name);
        return SL_ERR_READ;
    }
    bool xlsx = is_xlsx(fd);
    if (xlsx && from_stdin) {
        close(fd);
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "standard input takes CSV only; give an XLSX workbook as a file name");
    }
    if ((st = add_source(b->report, name, xlsx ? "xlsx" : "csv", err)) != SL_OK) {
        close(fd);
        return st;
    }
    if (b->options->store &&
        (st = hash_fd(fd, name, b->report->sources[b->report->source_count - 1].hash, err)) !=
            SL_OK) {
        close(fd);
        return st;
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (!xlsx && (st = to_utf8(b->report, name, &fd, &size, err)) != SL_OK) {
        close(fd);
        return st;
    }
    file_pipe pipe;
    pipe_init(&pipe, b, name);
    st = xlsx ? read_xlsx_file(b, &pipe, path, err) : read_csv_file(b, &pipe, fd, size, err);
    if (st == SL_OK)
        st = close_file(b, &pipe, err);
    pipe_free(&pipe);
    close(fd);
    return st;
}

/* --by channel: the rows become the files' channel bands, each summed over
 * its file (and over files that share the band's name). */
static sl_status group_by_channel(build *b, sl_error *err)
{
    sl_report *r = b->report;
    group_table *channels = group_table_new();
    if (!channels)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    size_t found = 0;
    for (size_t s = 0; s < r->source_count; s++)
        for (size_t ch = 0; ch < r->sources[s].channel_count; ch++) {
            const sl_channel *c = &r->sources[s].channels[ch];
            int64_t sum[SL_FIELD__COUNT] = {0};
            for (int f = 0; f < SL_FIELD__COUNT; f++)
                sum[f] = sl_field_is_money((sl_field)f) ? llround(c->value[f] * 100.0)
                                                         : (int64_t)c->value[f];
            found++;
            if (group_table_add_sums(channels, c->name, strlen(c->name), 1, c->present, sum) !=
                SL_OK) {
                group_table_free(channels);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
        }
    if (!found) {
        group_table_free(channels);
        sl_fail(err, SL_ERR_UNRECOGNISED, NULL,
                "%s: cannot group by channel: the file is not split into channel bands (such "
                "as LIVE, video, affiliate, product card)",
                r->sources[0].file);
        if (err)
            snprintf(err->file, sizeof err->file, "%s", r->sources[0].file);
        return SL_ERR_UNRECOGNISED;
    }
    group_table_free(b->groups);
    b->groups = channels;
    r->grouped = true;
    r->by_channel = true;
    return SL_OK;
}

sl_status sl_report_read(const char *const *paths, size_t count, const sl_read_options *options,
                         sl_report **out, sl_error *err)
{
    if (!paths || !count || !options || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "give at least one file to read");
    *out = NULL;
    sl_report *r = calloc(1, sizeof *r);
    build *b = calloc(1, sizeof *b);
    if (!r || !b || !(b->groups = group_table_new())) {
        free(r);
        free(b);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    r->confidence = options->confidence > 0 ? options->confidence : 0.95;
    b->report = r;
    b->options = options;
    sl_status st = SL_OK;
    for (size_t i = 0; i < count && st == SL_OK; i++)
        st = read_one(b, paths[i], options->names ? options->names[i] : NULL, err);
    if (st == SL_OK && options->by_channel)
        st = group_by_channel(b, err);
    if (st == SL_OK)
        st = report_finish(r, b->groups, err);
    if (st == SL_OK)
        st = report_use_history(r, options->store, err);
    group_table_free(b->groups);
    free(b);
    if (st != SL_OK) {
        sl_report_free(r);
        return st;
    }
    *out = r;
    return SL_OK;
}
