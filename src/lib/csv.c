/*
 * csv.c — the CSV reader: RFC 4180 records from a byte range of a file.
 *
 * This is the importer's hot path (agencies feed it millions of rows), so it
 * is hand-written for speed: records are cut in place in one read buffer, an
 * unquoted cell is scanned with a byte-class table, and a cell is copied only
 * when it holds an escaped quote.  tests/unit/test_csv.c checks it against a
 * deliberately simple reference reader on generated and fuzzed input.
 *
 * A record that runs past the end of the buffer is moved to the front and
 * parsed again after the next read, so no state survives a buffer boundary
 * except the record's start.
 */
#include "ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define READ_CHUNK ((size_t)1 << 20)

/* Byte classes for the unquoted scan: 0 = ordinary, 1 = ends or needs a look. */
enum { CLASS_PLAIN = 0, CLASS_STOP = 1 };

struct csv_reader {
    int fd;
    char name[256];
    uint64_t next_read;        /* file offset of the next pread */
    uint64_t end;              /* end of the range (exclusive) */
    uint64_t consumed;         /* bytes of the range handed out as records */
    char *buf;                 /* cap + 1 bytes: room for a final NUL */
    size_t cap, len, pos;      /* unparsed bytes are buf[pos, len) */
    bool eof;
    bool saw_quote;
    bool skip_bom_pending;     /* the range starts at offset 0 */
    char delimiter;
    uint64_t row;              /* number of the next record */
    unsigned char stop[256];
    /* Cells of the current record: start offset, end offset, escaped flag. */
    size_t *cell_start, *cell_end;
    bool *cell_escaped;
    const char **cells;
    size_t *lengths;
    size_t cell_cap;
};

sl_status csv_open(int fd, const char *name, uint64_t start, uint64_t end, char delimiter,
                   uint64_t first_row, csv_reader **out, sl_error *err)
{
    *out = NULL;
    csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory opening %s", name);
    r->fd = fd;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->next_read = start;
    r->end = end;
    r->delimiter = delimiter;
    r->row = first_row;
    r->cap = READ_CHUNK;
    /* calloc: every byte up to cap + 1 + CSV_WINDOW_PAD is initialised, so
     * the bulk loop may load whole blocks past the window (csv_window). */
    r->buf = calloc(r->cap + 1 + CSV_WINDOW_PAD, 1);
    r->cell_cap = 64;
    r->cell_start = malloc(r->cell_cap * sizeof *r->cell_start);
    r->cell_end = malloc(r->cell_cap * sizeof *r->cell_end);
    r->cell_escaped = malloc(r->cell_cap * sizeof *r->cell_escaped);
    r->cells = malloc(r->cell_cap * sizeof *r->cells);
    r->lengths = malloc(r->cell_cap * sizeof *r->lengths);
    if (!r->buf || !r->cell_start || !r->cell_end || !r->cell_escaped || !r->cells ||
        !r->lengths) {
        csv_close(r);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory opening %s", name);
    }
    r->stop[(unsigned char)delimiter] = CLASS_STOP;
    r->stop['\n'] = CLASS_STOP;
    r->stop['\r'] = CLASS_STOP;
    r->stop['"'] = CLASS_STOP;
    r->stop[0] = CLASS_STOP; /* a NUL byte: not a text file */
    r->skip_bom_pending = start == 0;
    *out = r;
    return SL_OK;
}

void csv_close(csv_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->cell_start);
    free(r->cell_end);
    free(r->cell_escaped);
    free(r->cells);
    free(r->lengths);
    free(r);
}

bool csv_saw_quote(const csv_reader *r) { return r->saw_quote; }
uint64_t csv_consumed(const csv_reader *r) { return r->consumed; }

/* Moves the unparsed tail to the front and reads more.  Grows the buffer
 * when the tail already fills it (one record longer than the buffer). */
static sl_status refill(csv_reader *r, sl_error *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= CSV_MAX_ROW_BYTES) {
            sl_fail(err, SL_ERR_LIMIT, NULL,
                    "%s: row %llu is longer than %zu MiB (limit CSV_MAX_ROW_BYTES); "
                    "check for an unclosed quote or split the file",
                    r->name, (unsigned long long)r->row, CSV_MAX_ROW_BYTES >> 20);
            if (err) {
                snprintf(err->file, sizeof err->file, "%s", r->name);
                err->row = r->row;
            }
            return SL_ERR_LIMIT;
        }
        size_t cap = r->cap * 2 > CSV_MAX_ROW_BYTES ? CSV_MAX_ROW_BYTES : r->cap * 2;
        char *buf = realloc(r->buf, cap + 1 + CSV_WINDOW_PAD);
        if (!buf)
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", r->name);
        memset(buf + r->cap + 1, 0, cap - r->cap + CSV_WINDOW_PAD); /* see csv_open */
        r->buf = buf;
        r->cap = cap;
    }
    while (r->len < r->cap && !r->eof) {
        size_t want = r->cap - r->len;
        if (r->end != UINT64_MAX && r->end - r->next_read < want)
            want = (size_t)(r->end - r->next_read);
        if (want == 0) {
            r->eof = true;
            break;
        }
        ssize_t got = pread(r->fd, r->buf + r->len, want, (off_t)r->next_read);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", r->name, strerror(errno));
            if (err)
                snprintf(err->file, sizeof err->file, "%s", r->name);
            return SL_ERR_READ;
        }
        if (got == 0) {
            r->eof = true;
            break;
        }
        if (r->skip_bom_pending) {
            r->skip_bom_pending = false;
            /* A BOM arrives in the first read (three bytes, never split). */
            if (got >= 3 && memcmp(r->buf + r->len, "\xEF\xBB\xBF", 3) == 0) {
                memmove(r->buf + r->len, r->buf + r->len + 3, (size_t)got - 3);
                r->next_read += 3;
                r->consumed += 3;
                got -= 3;
            }
        }
        r->next_read += (uint64_t)got;
        r->len += (size_t)got;
        break; /* one read per refill keeps latency low on pipes and big chunks */
    }
    return SL_OK;
}

static sl_status parse_error(csv_reader *r, size_t column, sl_error *err, const char *what)
{
    sl_fail(err, SL_ERR_PARSE, NULL, "%s:%llu:%zu: %s", r->name, (unsigned long long)r->row,
            column, what);
    if (err) {
        snprintf(err->file, sizeof err->file, "%s", r->name);
        err->row = r->row;
        err->column = column;
    }
    return SL_ERR_PARSE;
}

static sl_status grow_cells(csv_reader *r, sl_error *err)
{
    if (r->cell_cap >= CSV_MAX_COLUMNS) {
        sl_fail(err, SL_ERR_LIMIT, NULL,
                "%s: row %llu has more than %d cells (limit CSV_MAX_COLUMNS); is the "
                "delimiter right?",
                r->name, (unsigned long long)r->row, CSV_MAX_COLUMNS);
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", r->name);
            err->row = r->row;
        }
        return SL_ERR_LIMIT;
    }
    size_t cap = r->cell_cap * 2;
    size_t *s = realloc(r->cell_start, cap * sizeof *s);
    if (s)
        r->cell_start = s;
    size_t *e = realloc(r->cell_end, cap * sizeof *e);
    if (e)
        r->cell_end = e;
    bool *q = realloc(r->cell_escaped, cap * sizeof *q);
    if (q)
        r->cell_escaped = q;
    const char **c = realloc(r->cells, cap * sizeof *c);
    if (c)
        r->cells = c;
    size_t *l = realloc(r->lengths, cap * sizeof *l);
    if (l)
        r->lengths = l;
    if (!s || !e || !q || !c || !l)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", r->name);
    r->cell_cap = cap;
    return SL_OK;
}

/* Outcome of one attempt to cut a record out of the buffer. */
enum { CUT_DONE, CUT_MORE, CUT_EMPTY };

#ifdef __SSE2__
/* Bits of the 64 bytes at `p` equal to `c`. */
static inline uint64_t match64(const char *p, __m128i c)
{
    uint64_t m = 0;
    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c)) << (16 * i);
    }
    return m;
}

/* The common record: no quote and no carriage return in it, and its whole
 * line in the buffer.  Delimiters and the newline are found 64 bytes at a
 * time and the cells cut from the bit mask.  Returns false (nothing
 * changed) for anything else; the scalar cutter then handles the record. */
static bool cut_plain_record(csv_reader *r, size_t *ncells, size_t *record_end)
{
    const char *buf = r->buf;
    const __m128i delim = _mm_set1_epi8(r->delimiter), nl = _mm_set1_epi8('\n'),
                  quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'),
                  nul = _mm_setzero_si128();
    size_t p = r->pos, start = p, n = 0;
    while (r->len - p >= 64) {
        uint64_t nls = match64(buf + p, nl);
        uint64_t odd = match64(buf + p, quote) | match64(buf + p, cr) | match64(buf + p, nul);
        uint64_t cut = match64(buf + p, delim) | nls;
        if (nls) { /* only the part up to the newline matters */
            uint64_t upto = (nls & -nls) | ((nls & -nls) - 1);
            odd &= upto;
            cut &= upto;
        }
        if (odd)
            return false;
        for (; cut; cut &= cut - 1) {
            if (n == r->cell_cap)
                return false;
            size_t at = p + (size_t)__builtin_ctzll(cut);
            r->cell_start[n] = start;
            r->cell_end[n] = at;
            r->cell_escaped[n] = false;
            n++;
            start = at + 1;
            if (buf[at] == '\n') {
                *ncells = n;
                *record_end = at + 1;
                return true;
            }
        }
        p += 64;
    }
    return false;
}
#endif

/* Cuts the record starting at r->pos.  Returns CUT_MORE when the record runs
 * past the buffered bytes and more can be read. */
static int cut_record(csv_reader *r, size_t *ncells, size_t *record_end, sl_status *st,
                      sl_error *err)
{
    const char *buf = r->buf;
    const size_t len = r->len;
    const char delim = r->delimiter;
    size_t p = r->pos, n = 0;
    *st = SL_OK;
    if (p == len)
        return r->eof ? CUT_EMPTY : CUT_MORE;
    for (;;) {
        if (n == r->cell_cap && (*st = grow_cells(r, err)) != SL_OK)
            return CUT_DONE;
        size_t start, end;
        bool escaped = false;
        if (p < len && buf[p] == '"') {
            r->saw_quote = true;
            size_t q = p + 1;
            for (;;) {
                const char *hit = memchr(buf + q, '"', len - q);
                if (!hit) {
                    if (!r->eof)
                        return CUT_MORE;
                    *st = parse_error(r, n + 1, err,
                                      "a quoted cell is never closed; add the closing "
                                      "double quote");
                    return CUT_DONE;
                }
                size_t k = (size_t)(hit - buf);
                if (k + 1 == len && !r->eof)
                    return CUT_MORE;
                if (k + 1 < len && buf[k + 1] == '"') {
                    escaped = true;
                    q = k + 2;
                    continue;
                }
                start = p + 1;
                end = k;
                p = k + 1;
                break;
            }
            if (memchr(buf + start, '\0', end - start)) {
                *st = parse_error(r, n + 1, err,
                                  "the file holds a NUL byte, so it is not a text CSV file; is "
                                  "it a spreadsheet saved under a .csv name?");
                return CUT_DONE;
            }
            if (p < len && buf[p] != delim && buf[p] != '\n' && buf[p] != '\r') {
                *st = parse_error(r, n + 1, err,
                                  "text follows a closing double quote; inside a quoted "
                                  "cell write a quote as two quotes (\"\")");
                return CUT_DONE;
            }
        } else {
            start = p;
            for (;;) {
                while (p < len && !r->stop[(unsigned char)buf[p]])
                    p++;
                if (p < len && buf[p] == '\0') {
                    *st = parse_error(r, n + 1, err,
                                      "the file holds a NUL byte, so it is not a text CSV "
                                      "file; is it a spreadsheet saved under a .csv name?");
                    return CUT_DONE;
                }
                if (p < len && buf[p] == '"') { /* a quote inside an unquoted cell is text */
                    r->saw_quote = true;
                    p++;
                    continue;
                }
                break;
            }
            end = p;
        }
        r->cell_start[n] = start;
        r->cell_end[n] = end;
        r->cell_escaped[n] = escaped;
        n++;
        if (p == len) {
            if (!r->eof)
                return CUT_MORE;
            *ncells = n;
            *record_end = p;
            return CUT_DONE;
        }
        char c = buf[p];
        if (c == delim) {
            p++;
            if (p == len && r->eof) { /* "a," at the very end: one more empty cell */
                if (n == r->cell_cap && (*st = grow_cells(r, err)) != SL_OK)
                    return CUT_DONE;
                r->cell_start[n] = r->cell_end[n] = p;
                r->cell_escaped[n] = false;
                n++;
                *ncells = n;
                *record_end = p;
                return CUT_DONE;
            }
            continue;
        }
        if (c == '\r') {
            if (p + 1 == len && !r->eof)
                return CUT_MORE;
            p++;
            if (p < len && buf[p] == '\n')
                p++;
        } else { /* '\n' */
            p++;
        }
        *ncells = n;
        *record_end = p;
        return CUT_DONE;
    }
}

sl_status csv_next(csv_reader *r, ingest_row *row, bool *done, sl_error *err)
{
    *done = false;
    size_t ncells = 0, record_end = 0;
    sl_status st;
    for (;;) {
#ifdef __SSE2__
        if (cut_plain_record(r, &ncells, &record_end))
            break;
#endif
        int cut = cut_record(r, &ncells, &record_end, &st, err);
        if (st != SL_OK)
            return st;
        if (cut == CUT_DONE)
            break;
        if (cut == CUT_EMPTY) {
            *done = true;
            return SL_OK;
        }
        if ((st = refill(r, err)) != SL_OK)
            return st;
    }
    char *buf = r->buf;
    for (size_t i = 0; i < ncells; i++) {
        size_t s = r->cell_start[i], e = r->cell_end[i];
        if (r->cell_escaped[i]) { /* "" → " in place: the text only shrinks */
            size_t w = s;
            for (size_t k = s; k < e; k++) {
                buf[w++] = buf[k];
                if (buf[k] == '"')
                    k++;
            }
            e = w;
        }
        buf[e] = '\0';
        r->cells[i] = buf + s;
        r->lengths[i] = e - s;
    }
    row->number = r->row++;
    row->count = ncells;
    row->cells = r->cells;
    row->lengths = r->lengths;
    r->consumed += record_end - r->pos;
    r->pos = record_end;
    return SL_OK;
}

const char *csv_window(csv_reader *r, size_t *available, bool *at_eof)
{
    *available = r->len - r->pos;
    *at_eof = r->eof;
    return r->buf + r->pos;
}

void csv_skip(csv_reader *r, size_t bytes, uint64_t records)
{
    r->pos += bytes;
    r->consumed += bytes;
    r->row += records;
}

sl_status csv_fill(csv_reader *r, sl_error *err) { return refill(r, err); }

char csv_delimiter(const csv_reader *r) { return r->delimiter; }

uint64_t csv_records(const csv_reader *r) { return r->row; }

char csv_detect_delimiter(const char *data, size_t size)
{
    static const char candidates[] = {',', ';', '\t'};
    size_t best_cells[3] = {0, 0, 0};
    size_t line_cells[3] = {0, 0, 0};
    bool quoted = false;
    int lines = 0;
    for (size_t i = 0; i < size && lines < 16; i++) {
        char c = data[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == '\n') {
            for (int k = 0; k < 3; k++) {
                if (line_cells[k] > best_cells[k])
                    best_cells[k] = line_cells[k];
                line_cells[k] = 0;
            }
            lines++;
        } else if (!quoted) {
            for (int k = 0; k < 3; k++)
                line_cells[k] += c == candidates[k];
        }
    }
    for (int k = 0; k < 3; k++)
        if (line_cells[k] > best_cells[k])
            best_cells[k] = line_cells[k];
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (best_cells[k] > best_cells[best])
            best = k;
    return candidates[best];
}
