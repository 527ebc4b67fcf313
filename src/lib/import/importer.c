/*
 * importer.c — sl_report_read: files in, one grouped report out.
 *
 * For each file: open it (standard input is spooled to a file first), tell
 * CSV from XLSX, decide a CSV's encoding, and hand it to its reader
 * (csv_parallel.c, xlsx.c), whose rows go through the file's pipe
 * (import_file.c) into the group table; then the file's source entry and
 * issues join the report, and after the last file the groups become the
 * report (report/report.c).  With a store, each file is one import = one
 * transaction: a failure or a killed process leaves nothing of it.
 */
#include "import_file.h"

#include <nettle/sha2.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the report being built ---- */

typedef import_build build;

static sl_status hash_wait(build *b, sl_error *err);
static bool imported_under_name(sl_store *store, const char *file);

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
/* The keys (bit k) and label (bit SL_DIM__COUNT) the plan's rows can
 * fill (import_row.c): from their columns, a video or LIVE key made from a
 * title, a product ID inside a product name.  A key is never dropped by
 * mistake: the store refuses a row that has one it was told of no. */
static uint32_t keys_given(const import_plan *plan)
{
    uint32_t given = 0;
    for (int k = 0; k < SL_DIM__COUNT; k++)
        if (plan->key_col[k] >= 0)
            given |= 1u << k;
    if (plan->video_from_title)
        given |= 1u << SL_DIM_VIDEO;
    if (plan->live_from_title)
        given |= 1u << SL_DIM_LIVE;
    if (plan->id_in_label)
        given |= 1u << SL_DIM_PRODUCT;
    if (plan->label_col >= 0)
        given |= 1u << SL_DIM__COUNT;
    return given;
}

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
        return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){p->job.name, 0, 0, NULL},
                          "cannot group by %s: the file has no %s column (keys it has: %s)",
                          sl_dimension_name(r->by), sl_dimension_name(r->by),
                          w ? have : "none");
    }
    p->job.grouped = r->grouped;
    p->job.by = r->by;
    p->job.need_keys = p->job.vital_keys = r->grouped ? 1u << r->by : 0;
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
        /* A file stored before under its name is most likely the same file
         * again: its hash is awaited here, so "already imported" comes at
         * once.  Any other file starts importing while its hash is still
         * being taken, and is checked for a duplicate at its commit. */
        p->hash_at_commit = !imported_under_name(b->options->store, src->file);
        if (!p->hash_at_commit) {
            sl_status st = hash_wait(b, err);
            if (st != SL_OK)
                return st;
            memcpy(meta.hash, src->hash, sizeof meta.hash);
        }
        snprintf(meta.file, sizeof meta.file, "%s", src->file);
        snprintf(meta.sheet, sizeof meta.sheet, "%s", src->sheet);
        snprintf(meta.period, sizeof meta.period, "%s", src->period);
        meta.header_row = src->header_row;
        snprintf(meta.title, sizeof meta.title, "%s", src->title);
        meta.practice = src->practice;
        memcpy(meta.currency, src->currency, sizeof meta.currency);
        meta.creator_id = b->options->creator_id;
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            if (plan->field_col[f] >= 0)
                meta.fields_given |= 1u << f;
        meta.keys_given = keys_given(plan);
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
        return sl_fail_at(err, SL_ERR_PARSE, (sl_place){is->file, is->row, is->column, is->header},
                          "column \"%s\", value \"%s\": %s (--strict stops at the first bad "
                          "row; without it bad rows are skipped and counted)",
                          is->header, is->value, is->message);
    }
    if (p->data.rows == 0 && !src->already_stored) {
        /* Nothing read is never a quiet success: say why. */
        if (p->data.skipped) {
            const sl_row_issue *is = &p->data.issues[0];
            return sl_fail_at(err, SL_ERR_NO_DATA,
                              (sl_place){p->job.name, is->row, is->column, is->header},
                              "none of its %llu data rows could be read; the first: column "
                              "\"%s\": %s",
                              (unsigned long long)p->data.skipped, is->header, is->message);
        }
        return sl_fail_at(err, SL_ERR_NO_DATA, (sl_place){p->job.name, src->header_row, 0, NULL},
                          "the header row has no data rows under it; export the report again "
                          "with a period that has data");
    }
    if (p->job.store) {
        /* No creator chosen: the file's, when all its rows name one. */
        sl_status st = SL_OK;
        if (!p->job.options->creator_id && !src->several_creators && src->creator[0])
            st = sl_store_import_set_creator(p->job.store, src->creator, err);
        if (st == SL_OK && p->hash_at_commit)
            st = hash_wait(b, err);
        int64_t existing = 0;
        if (st != SL_OK)
            sl_store_import_abort(p->job.store);
        else if (p->hash_at_commit)
            st = sl_store_import_commit_hashed(p->job.store, src->hash, p->data.rows,
                                               p->data.skipped, &existing, err);
        else
            st = sl_store_import_commit(p->job.store, p->data.rows, p->data.skipped, err);
        if (st == SL_OK && existing) {
            src->already_stored = true; /* the same content under another name */
            src->import_id = existing;
        }
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

/* Nettle's SHA-256 uses the CPU's SHA instructions where it has them:
 * about 1 GB/s here, seven times the portable code's speed, and an
 * import hashes every byte of its file before reading it. */
sl_status ingest_hash_fd(int fd, const char *name, char hex[65], sl_error *err)
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    static __thread unsigned char buf[1 << 16];
    for (off_t off = 0;;) {
        ssize_t got = pread(fd, buf, sizeof buf, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
        if (got == 0)
            break;
        sha256_update(&ctx, (size_t)got, buf);
        off += got;
    }
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return SL_OK;
}

/* A stored file's hash is taken on a thread of its own while the file is
 * read and imported: 0.8 s for a 1 GB file that the import no longer
 * waits for before its first row. */
typedef struct content_hash {
    pthread_t thread;
    bool running;            /* started and not yet waited for */
    int fd;                  /* its own descriptor: the reader may swap its
                                own for a UTF-8 copy, or close it */
    const char *name;
    char hex[65];
    sl_status status;
    sl_error err;
} content_hash;

static void *hash_main(void *arg)
{
    content_hash *h = arg;
    h->status = ingest_hash_fd(h->fd, h->name, h->hex, &h->err);
    return NULL;
}

/* Starts hashing the current file; without a thread, hashes it here. */
static sl_status hash_start(build *b, content_hash *h, int fd, const char *name, sl_error *err)
{
    memset(h, 0, sizeof *h);
    h->name = name;
    h->fd = dup(fd);
    if (h->fd < 0)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
    h->running = true;
    b->hash = h;
    if (pthread_create(&h->thread, NULL, hash_main, h) != 0) {
        h->running = false;
        hash_main(h);
    }
    return SL_OK;
}

/* The current file's hash into its source, once taken; SL_OK when no file
 * is being hashed. */
static sl_status hash_wait(build *b, sl_error *err)
{
    content_hash *h = b->hash;
    if (!h)
        return SL_OK;
    if (h->running)
        pthread_join(h->thread, NULL);
    h->running = false;
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
    b->hash = NULL;
    if (h->status != SL_OK) {
        if (err)
            *err = h->err;
        return h->status;
    }
    memcpy(b->report->sources[b->report->source_count - 1].hash, h->hex, sizeof h->hex);
    return SL_OK;
}

/* Whether the store holds an import of a file of this name. */
static bool imported_under_name(sl_store *store, const char *file)
{
    sl_import *items = NULL;
    size_t count = 0;
    sl_error ignored;
    bool found = false;
    if (sl_store_imports(store, NULL, &items, &count, &ignored) == SL_OK)
        for (size_t i = 0; i < count && !found; i++)
            found = strcmp(items[i].file, file) == 0;
    sl_free(items);
    return found;
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
    return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){name, 0, 0, NULL},
                      "no sheet has a header ShopLab recognises in its first %d rows (sheets: "
                      "%s); expected columns such as views, product impressions, product "
                      "clicks, orders, GMV",
                      IMPORT_SHEET_SAMPLE_ROWS, w ? list : "none");
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
        st = xlsx_read_sheet(book, index, file_pipe_row, p, err);
        if (st == STOP_READING)
            st = SL_OK; /* strict: close_file reports the row */
        else if (st == SL_OK)
            st = file_pipe_finish(p, err);
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

/* ---- encoding checked while reading ----
 *
 * A file's encoding is decided from all its bytes (csv.c "text encodings"),
 * which for a bulk feed was a pass over the whole file before the reading:
 * a quarter of the time of a 20M-row feed, all of it reading memory.  A
 * large CSV that is not stored is instead read at once as UTF-8, its readers
 * checking every byte as they hand it out (csv_check_utf8).
 * When every byte was UTF-8 the result stands: the file was UTF-8, and was
 * read as such.  Otherwise — a byte that is not, or a reading that stopped
 * before the end (an error, --strict) — the whole file is decided as before;
 * unless it is UTF-8 after all, what was read is dropped (this file's groups
 * are kept apart until then, and nothing is stored) and the file is read
 * again the usual way, converted or refused with the same message. */

/* Undoes what reading a file did to its source and to the report's
 * grouping, so that the file can be read again. */
static void forget_file(build *b, sl_source *src, bool decided, bool grouped, sl_dimension by)
{
    char file[sizeof src->file], format[sizeof src->format];
    memcpy(file, src->file, sizeof file);
    memcpy(format, src->format, sizeof format);
    free(src->columns);
    memset(src, 0, sizeof *src);
    memcpy(src->file, file, sizeof file);
    memcpy(src->format, format, sizeof format);
    b->decided = decided;
    b->report->grouped = grouped;
    b->report->by = by;
}

/* This file's groups (b->groups) and those of the files before it, in one table. */
static sl_status join_groups(build *b, group_table *earlier, sl_error *err)
{
    sl_status st = SL_OK;
    if (group_table_count(earlier) <= group_table_count(b->groups)) {
        st = group_table_merge_earlier(b->groups, earlier);
        group_table_free(earlier);
    } else {
        st = group_table_merge(earlier, b->groups);
        group_table_free(b->groups);
        b->groups = earlier;
    }
    return st == SL_OK ? SL_OK : sl_fail(err, st, NULL, "out of memory");
}

/* Reads the CSV as UTF-8, checking it while reading.  *kept is false when
 * it was not all UTF-8 and nothing of the reading was kept. */
static sl_status read_csv_checked(build *b, const char *name, int fd, uint64_t size, bool *kept,
                                  sl_error *err)
{
    sl_report *r = b->report;
    sl_source *src = &r->sources[r->source_count - 1];
    const bool decided = b->decided, grouped = r->grouped;
    const sl_dimension by = r->by;
    group_table *earlier = b->groups;
    *kept = false;
    if (!(b->groups = group_table_new())) {
        b->groups = earlier;
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    snprintf(src->encoding, sizeof src->encoding, "%s", csv_encoding_id(CSV_UTF8));
    file_pipe pipe;
    pipe_init(&pipe, b, name);
    pipe.job.check_utf8 = true;
    sl_status st = csv_read_file(b, &pipe, fd, size, err);
    bool utf8 = st == SL_OK && !pipe.data.failed && !pipe.bad_utf8;
    if (!utf8) { /* not every byte was checked, or one was not UTF-8 */
        csv_encoding enc;
        sl_error ignored;
        utf8 = csv_detect_encoding(fd, size, name, &enc, &ignored) == SL_OK && enc == CSV_UTF8;
    }
    if (!utf8) {
        pipe_free(&pipe);
        group_table_free(b->groups);
        b->groups = earlier;
        forget_file(b, src, decided, grouped, by);
        return SL_OK;
    }
    *kept = true;
    sl_status joined = join_groups(b, earlier, err);
    if (st == SL_OK)
        st = joined != SL_OK ? joined : close_file(b, &pipe, err);
    pipe_free(&pipe);
    return st;
}

/* ---- one file ---- */

/* The file (or standard input, spooled) open for reading, and its size. */
static sl_status open_input(const char *path, const char *name, int *fd, uint64_t *size,
                            sl_error *err)
{
    sl_status st;
    if (strcmp(path, "-") == 0) {
        if ((st = spool_stdin(fd, err)) != SL_OK)
            return st;
    } else if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        return sl_fail_at(err, SL_ERR_READ, (sl_place){path, 0, 0, NULL}, "cannot open it: %s",
                          strerror(errno));
    }
    struct stat sb;
    if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(*fd);
        return sl_fail_at(err, SL_ERR_READ, (sl_place){name, 0, 0, NULL},
                          "cannot read it: not a regular file");
    }
    *size = (uint64_t)sb.st_size;
    return SL_OK;
}

/* A CSV to be read as UTF-8 while it is checked: large, not stored, and
 * its first bytes say neither UTF-16 nor UTF-32 (those are left to
 * to_utf8, as are head errors). */
static bool check_while_reading(const build *b, int fd, uint64_t size, const char *name)
{
    csv_encoding enc;
    bool whole;
    return !b->options->store && size >= PARALLEL_MIN_BYTES &&
           csv_detect_encoding_head(fd, name, &enc, &whole, NULL) == SL_OK && whole;
}

static sl_status read_one(build *b, const char *path, const char *shown, sl_error *err)
{
    bool from_stdin = strcmp(path, "-") == 0;
    const char *name = shown ? shown : from_stdin ? "stdin" : path;
    int fd = -1;
    uint64_t size = 0;
    sl_status st = open_input(path, name, &fd, &size, err);
    if (st != SL_OK)
        return st;
    bool xlsx = is_xlsx(fd);
    if (xlsx && from_stdin)
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                     "standard input takes CSV only; give an XLSX workbook as a file name");
    if (st == SL_OK)
        st = add_source(b->report, name, xlsx ? "xlsx" : "csv", err);
    content_hash hash;
    if (st == SL_OK && b->options->store)
        st = hash_start(b, &hash, fd, name, err);
    bool kept = false;
    if (st == SL_OK && !xlsx && check_while_reading(b, fd, size, name))
        st = read_csv_checked(b, name, fd, size, &kept, err);
    if (st == SL_OK && !kept && !xlsx)
        st = to_utf8(b->report, name, &fd, &size, err);
    if (st == SL_OK && !kept) {
        file_pipe pipe;
        pipe_init(&pipe, b, name);
        st = xlsx ? read_xlsx_file(b, &pipe, path, err) : csv_read_file(b, &pipe, fd, size, err);
        if (st == SL_OK)
            st = close_file(b, &pipe, err);
        pipe_free(&pipe);
    }
    /* Waited for whatever happened: the thread reads this file.  Its
     * failure counts only when nothing failed before it. */
    sl_error hash_err;
    sl_status hashed = hash_wait(b, &hash_err);
    if (st == SL_OK && hashed != SL_OK) {
        if (err)
            *err = hash_err;
        st = hashed;
    }
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
        return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){r->sources[0].file, 0, 0, NULL},
                          "cannot group by channel: the file is not split into channel bands "
                          "(such as LIVE, video, affiliate, product card)");
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
