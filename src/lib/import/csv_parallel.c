/*
 * csv_parallel.c — the CSV side of reading one file: the rows up to the
 * plan with one reader, then the data rows, by the bulk loop (bulk.c) when
 * the columns allow it, on one thread per core when the file is large.
 *
 * A large CSV that is not being stored is split at line boundaries into
 * one byte range per thread; each thread fills its own group table and the
 * tables are merged.  A range boundary could fall inside a quoted cell, so
 * when any thread meets a double quote the parallel result is thrown away
 * and the file is read again by one thread (exports that need quoting are
 * small; the million-row feeds are plain).
 *
 * When the job says so (file_job.check_utf8), every reader checks that the
 * bytes it hands out are UTF-8 (the bulk loop those of the records it
 * parses), and the pipe learns whether one was not (file_pipe.bad_utf8;
 * importer.c decides what then).  The bulk loop's readers map the file a
 * window at a time rather than copy it (csv_map_windows).
 */
#include "import_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRESS_STEP ((uint64_t)4 << 20)

/* One thread's byte range and what came of it. */
typedef struct csv_range {
    const file_job *job;
    data_state *data;
    int fd;
    char delimiter;
    uint64_t start, end, first_row;
    uint64_t records;           /* records read (for row numbers of later ranges) */
    bool saw_quote;
    bool bad_utf8;              /* see csv_saw_bad_utf8 */
    bool reports_progress;
    _Atomic uint64_t *done;
    uint64_t total;
    sl_status status;
    sl_error error;
} csv_range;

typedef struct slow_ctx {
    csv_range *range;
    row_values *v;
} slow_ctx;

/* A record the bulk loop does not take: the general path. */
static bool slow_row(void *ctx, const ingest_row *row)
{
    slow_ctx *c = ctx;
    return file_data_row(c->range->job, c->range->data, row, c->v, NULL);
}

static void report_progress(csv_range *r)
{
    const sl_read_options *o = r->job->options;
    if (r->reports_progress && o->progress)
        o->progress(o->progress_ctx, atomic_load(r->done), r->total);
    if (r->reports_progress && o->progress_rows)
        o->progress_rows(o->progress_ctx, r->data->rows);
}

static void bulk_progress(void *ctx, uint64_t bytes)
{
    slow_ctx *c = ctx;
    atomic_fetch_add(c->range->done, bytes);
    report_progress(c->range);
}

/* The range by the bulk loop; records it does not take go to slow_row. */
static void read_range_bulk(csv_range *r, csv_reader *reader, row_values *v, group_batch *batch)
{
    data_state *d = r->data;
    slow_ctx ctx = {.range = r, .v = v};
    bulk_hooks hooks = {.ctx = &ctx, .slow = slow_row, .progress = bulk_progress};
    r->status = bulk_read(reader, r->job->bulk, d->groups, batch, &hooks, &d->rows, &r->error);
    if (r->status == SL_OK && d->status != SL_OK) {
        r->status = d->status;
        r->error = d->error;
    }
    r->records = csv_records(reader) - r->first_row;
}

/* The range record by record through the general path. */
static void read_range_rows(csv_range *r, csv_reader *reader, row_values *v, group_batch *batch)
{
    data_state *d = r->data;
    uint64_t reported = 0, last = r->first_row - 1;
    for (;;) {
        ingest_row row;
        bool finished;
        if ((r->status = csv_next(reader, &row, &finished, &r->error)) != SL_OK || finished)
            break;
        last = row.number;
        if (!file_data_row(r->job, d, &row, v, batch)) {
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
            report_progress(r);
        }
    }
    if (r->status == SL_OK && d->status == SL_OK && !file_flush_batch(d, batch)) {
        r->status = d->status;
        r->error = d->error;
    }
    atomic_fetch_add(r->done, csv_consumed(reader) - reported);
    r->records = last + 1 - r->first_row;
}

static void read_range(csv_range *r)
{
    csv_reader *reader;
    r->status = csv_open(r->fd, r->job->name, r->start, r->end, r->delimiter, r->first_row,
                         &reader, &r->error);
    if (r->status != SL_OK)
        return;
    if (r->job->check_utf8)
        csv_check_utf8(reader);
    if (r->job->bulk) /* it reads the window in place: no copy */
        csv_map_windows(reader, 0);
    row_values *v = malloc(sizeof *v);
    group_batch *batch = malloc(sizeof *batch);
    if (!v || !batch) {
        r->status = sl_fail(&r->error, SL_ERR_NO_MEMORY, NULL, "out of memory");
    } else {
        batch->count = 0;
        if (r->job->bulk)
            read_range_bulk(r, reader, v, batch);
        else
            read_range_rows(r, reader, v, batch);
        r->saw_quote = csv_saw_quote(reader);
        r->bad_utf8 = csv_saw_bad_utf8(reader);
    }
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

/* The threads of one parallel read. */
typedef struct range_set {
    unsigned n;
    csv_range ranges[MAX_THREADS];
    data_state states[MAX_THREADS];
    _Atomic uint64_t done;
} range_set;

/* Splits [start, size) into n ranges at line starts, each with its own
 * state; range 0 fills `groups`, the others fresh tables.  On failure
 * rs->n is the number set up. */
static sl_status split_ranges(range_set *rs, file_pipe *p, group_table *groups, int fd,
                              char delimiter, uint64_t start, uint64_t size, uint64_t first_row,
                              unsigned n, sl_error *err)
{
    uint64_t at = start;
    atomic_init(&rs->done, 0);
    for (rs->n = 0; rs->n < n; rs->n++) {
        unsigned i = rs->n;
        data_state *d = &rs->states[i];
        memset(d, 0, sizeof *d);
        d->cells.per_column = calloc(p->plan.column_count + 1, sizeof(uint64_t));
        d->groups = i == 0 ? groups : group_table_new();
        if (!d->groups || !d->cells.per_column) {
            if (i > 0)
                group_table_free(d->groups);
            free(d->cells.per_column);
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        }
        uint64_t end = i + 1 == n ? size
                                  : line_start_after(fd, start + (size - start) * (i + 1) / n, size);
        if (end < at)
            end = at;
        rs->ranges[i] = (csv_range){.job = &p->job, .data = d, .fd = fd,
                                    .delimiter = delimiter, .start = at, .end = end,
                                    .first_row = i == 0 ? first_row : 1, .done = &rs->done,
                                    .total = size, .reports_progress = i == 0};
        at = end;
    }
    return SL_OK;
}

/* Runs every range, the first on this thread. */
static void run_ranges(range_set *rs)
{
    pthread_t threads[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    for (unsigned i = 1; i < rs->n; i++)
        started[i] = pthread_create(&threads[i], NULL, range_thread, &rs->ranges[i]) == 0;
    read_range(&rs->ranges[0]);
    for (unsigned i = 1; i < rs->n; i++)
        if (!started[i])
            read_range(&rs->ranges[i]);
    for (unsigned i = 1; i < rs->n; i++)
        if (started[i])
            pthread_join(threads[i], NULL);
}

/* Adds range i's counts and issues to the file's state d; row numbers of a
 * later range are known only now (`shift`). */
static void gather_range(data_state *d, const data_state *s, uint64_t shift, size_t columns)
{
    for (size_t k = 0; k < s->issue_count; k++) {
        sl_row_issue is = s->issues[k];
        is.row += shift;
        if (d->issue_count < SL_REPORT_MAX_ISSUES)
            d->issues[d->issue_count++] = is;
    }
    if (s->failed && !d->failed)
        d->failed = true; /* the first range's failure comes first */
    for (size_t k = 0; k < s->cells.issue_count; k++) {
        sl_row_issue is = s->cells.issues[k];
        is.row += shift;
        if (d->cells.issue_count < SL_REPORT_MAX_ISSUES)
            d->cells.issues[d->cells.issue_count++] = is;
    }
    d->cells.total += s->cells.total;
    for (size_t c = 0; c < columns && d->cells.per_column && s->cells.per_column; c++)
        d->cells.per_column[c] += s->cells.per_column[c];
    for (int f = 0; f < SL_FIELD__COUNT; f++)
        d->sum[f] += s->sum[f];
    d->summary_rows += s->summary_rows;
    for (size_t ch = 0; ch < SL_MAX_CHANNELS; ch++) {
        d->channel_present[ch] |= s->channel_present[ch];
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            d->channel_sum[ch][f] += s->channel_sum[ch][f];
    }
    d->rows += s->rows;
    d->skipped += s->skipped;
}

/* Reads [start, size) with n threads into `groups`; *done_ok is false when
 * the split was not safe (a quote was seen) and nothing of it was kept
 * (`groups` then holds part of it: the caller drops it). */
static sl_status read_parallel(file_pipe *p, group_table *groups, int fd, char delimiter,
                               uint64_t start, uint64_t size, uint64_t first_row, unsigned n,
                               bool *done_ok, sl_error *err)
{
    range_set *rs = malloc(sizeof *rs);
    if (!rs)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    *done_ok = false;
    sl_status st = split_ranges(rs, p, groups, fd, delimiter, start, size, first_row, n, err);
    if (st == SL_OK)
        run_ranges(rs);
    bool quote = false;
    for (unsigned i = 0; i < rs->n && st == SL_OK; i++) {
        quote |= rs->ranges[i].saw_quote;
        p->bad_utf8 |= rs->ranges[i].bad_utf8;
        if (rs->ranges[i].status != SL_OK) {
            st = rs->ranges[i].status;
            if (err)
                *err = rs->ranges[i].error;
        }
    }
    if (st == SL_OK && !quote) {
        uint64_t base = first_row;
        data_state *d = &p->data;
        for (unsigned i = 0; i < rs->n; i++) {
            gather_range(d, &rs->states[i], i == 0 ? 0 : base - 1, p->plan.column_count);
            base += rs->ranges[i].records;
            if (i > 0 && !d->failed &&
                (st = group_table_merge(groups, rs->states[i].groups)) != SL_OK) {
                sl_fail(err, st, NULL, "out of memory");
                break;
            }
            if (d->failed)
                break;
        }
        *done_ok = st == SL_OK;
    }
    for (unsigned i = 0; i < rs->n; i++) {
        if (i > 0)
            group_table_free(rs->states[i].groups);
        free(rs->states[i].cells.per_column);
    }
    free(rs);
    return st;
}

/* The rows up to the plan (and the plan), with one reader from the start
 * of the file.  *data_start is where the data not yet read begins, *next_row
 * its row number. */
static sl_status read_header_rows(file_pipe *p, int fd, char delimiter, uint64_t *data_start,
                                  uint64_t *next_row, sl_error *err)
{
    csv_reader *reader;
    sl_status st = csv_open(fd, p->job.name, 0, UINT64_MAX, delimiter, 1, &reader, err);
    if (st != SL_OK)
        return st;
    if (p->job.check_utf8)
        csv_check_utf8(reader);
    *next_row = 1;
    while (!p->planned) {
        ingest_row row;
        bool finished;
        if ((st = csv_next(reader, &row, &finished, err)) != SL_OK)
            break;
        if (finished) {
            st = file_pipe_finish(p, err);
            break;
        }
        *next_row = row.number + 1;
        if ((st = file_pipe_row(p, &row, err)) != SL_OK)
            break;
    }
    *data_start = csv_consumed(reader);
    p->bad_utf8 |= csv_saw_bad_utf8(reader);
    csv_close(reader);
    return st;
}

/* The data on several threads into a fresh table, kept only when the
 * split was safe: then *kept is set and b->groups holds this file's rows
 * with those of the files before.  Otherwise p->data is as before. */
static sl_status try_parallel(import_build *b, file_pipe *p, int fd, char delimiter,
                              uint64_t start, uint64_t size, uint64_t first_row, unsigned n,
                              bool *kept, sl_error *err)
{
    *kept = false;
    group_table *fresh = group_table_new();
    if (!fresh)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    data_state before = p->data;
    bool ok = false;
    sl_status st = read_parallel(p, fresh, fd, delimiter, start, size, first_row, n, &ok, err);
    if (st != SL_OK || !ok) {
        group_table_free(fresh);
        if (st == SL_OK)
            p->data = before; /* a quote was seen: the caller reads again with one thread */
        return st;
    }
    /* The smaller table goes into the larger one: b->groups holds the rows
     * before the bulk (the held first rows, earlier files), usually a few
     * hundred groups against the bulk's tens of thousands. */
    if (group_table_count(b->groups) <= group_table_count(fresh)) {
        st = group_table_merge_earlier(fresh, b->groups);
        group_table_free(b->groups);
        b->groups = p->data.groups = fresh;
    } else {
        st = group_table_merge(b->groups, fresh);
        group_table_free(fresh);
    }
    if (st != SL_OK)
        return sl_fail(err, st, NULL, "out of memory");
    *kept = true;
    return SL_OK;
}

sl_status csv_read_file(import_build *b, file_pipe *p, int fd, uint64_t size, sl_error *err)
{
    char head[65536];
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got < 0)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", p->job.name,
                       strerror(errno));
    char delimiter = csv_detect_delimiter(head, (size_t)got);
    if (size >= PARALLEL_MIN_BYTES)
        p->held.limit = IMPORT_SURVEY_ROWS_BULK;
    uint64_t data_start, next_row;
    sl_status st = read_header_rows(p, fd, delimiter, &data_start, &next_row, err);
    if (st == STOP_READING || p->data.failed)
        return SL_OK;
    if (st != SL_OK || data_start >= size)
        return st;
    unsigned n = thread_count(b->options);
    if (!p->job.store && p->job.grouped && !b->options->general_path &&
        bulk_plan_make(&p->plan, p->job.by, &p->bulk))
        p->job.bulk = &p->bulk;
    bool kept = false;
    if (!p->job.store && n > 1 && size - data_start >= PARALLEL_MIN_BYTES &&
        (st = try_parallel(b, p, fd, delimiter, data_start, size, next_row, n, &kept, err)) !=
            SL_OK)
        return st;
    if (!kept) {
        _Atomic uint64_t done = data_start;
        csv_range r = {.job = &p->job, .data = &p->data, .fd = fd, .delimiter = delimiter,
                       .start = data_start, .end = UINT64_MAX, .first_row = next_row,
                       .done = &done, .total = size, .reports_progress = true};
        read_range(&r);
        p->bad_utf8 |= r.bad_utf8;
        if (r.status != SL_OK && err)
            *err = r.error;
        if (r.status != SL_OK)
            return r.status;
    }
    if (b->options->progress)
        b->options->progress(b->options->progress_ctx, size, size);
    return SL_OK;
}
