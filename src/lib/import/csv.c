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
 * except the record's start.  The bulk path has a regular file mapped a
 * window at a time instead (csv_map_windows, "mapped windows" below): no
 * copy, and a record cut by a window's end is mapped again with the next.
 *
 * The reader takes UTF-8.  The end of this file decides a file's encoding
 * before it is read and converts UTF-16 and Windows-1252 (what Excel saves
 * besides "CSV UTF-8") to a UTF-8 copy, or refuses the file by row and cell.
 * A large feed is instead checked as it is read (csv_check_utf8): each
 * record as it is handed out, by csv_next or, for the records the bulk loop
 * parses, by that loop (plain ASCII shows in its masks; others it passes to
 * csv_check_text).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, MADV_POPULATE_READ */
#include "ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define READ_CHUNK ((size_t)1 << 20)

/* What the UTF-8 scan found: offsets of the first byte that is not UTF-8
 * and of the first valid multi-byte sequence (UINT64_MAX: none). */
typedef struct utf8_scan {
    uint64_t first_bad, first_multibyte;
} utf8_scan;

static size_t scan_block(const unsigned char *buf, size_t n, uint64_t off, bool at_end,
                         utf8_scan *s);

/* Byte classes for the unquoted scan: 0 = ordinary, 1 = ends or needs a look. */
enum { CLASS_PLAIN = 0, CLASS_STOP = 1 };

struct csv_reader {
    int fd;
    char name[256];
    uint64_t next_read;        /* file offset of the next pread */
    uint64_t end;              /* end of the range (exclusive) */
    uint64_t consumed;         /* bytes of the range handed out as records */
    char *buf;                 /* cap + 1 bytes: room for a final NUL */
    char *own;                 /* the buffer allocated for pread (buf unless mapped) */
    size_t cap, len, pos;      /* unparsed bytes are buf[pos, len) */
    /* Mapped windows (csv_map_windows): buf points into `map`, a private
     * writable mapping of map_size bytes of which the first map_bytes are
     * the range's; buf[0] is at file offset next_read - len, as with pread. */
    size_t map_window;         /* 0: read with pread */
    char *map;                 /* NULL until the first mapped refill */
    size_t map_size, map_bytes;
    uint64_t limit;            /* the range's end within the file, when mapped */
    char *copy;                /* csv_next's copy of a record in a mapped window */
    size_t copy_cap;
    bool eof;
    bool saw_quote;
    bool skip_bom_pending;     /* the range starts at offset 0 */
    bool check_utf8;           /* csv_check_utf8: bytes are checked as they are handed out */
    size_t checked;            /* buf[0, checked) has been checked (or vouched for) */
    utf8_scan utf8;
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
    r->buf = r->own = calloc(r->cap + 1 + CSV_WINDOW_PAD, 1);
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
    if (r->map)
        munmap(r->map, r->map_size);
    free(r->own);
    free(r->copy);
    free(r->cell_start);
    free(r->cell_end);
    free(r->cell_escaped);
    free(r->cells);
    free(r->lengths);
    free(r);
}

bool csv_saw_quote(const csv_reader *r) { return r->saw_quote; }

void csv_check_utf8(csv_reader *r)
{
    r->check_utf8 = true;
    r->checked = r->len;
    r->utf8.first_bad = r->len ? 0 : UINT64_MAX; /* bytes already read: unknown */
    r->utf8.first_multibyte = 0; /* not asked: the scan stops at the first bad byte */
}

bool csv_saw_bad_utf8(const csv_reader *r) { return r->check_utf8 && r->utf8.first_bad != UINT64_MAX; }

/* How far past a record csv_next checks when reading with pread: the bytes
 * are in the cache, and one call per 64 KiB costs less than one per record.
 * A mapped window is checked record by record: its bytes are not in the
 * cache yet, and the bulk loop checks the plain ones as it parses them. */
#define CHECK_AHEAD ((size_t)64 << 10)

/* Checks the bytes up to buf[to] (the end of a record about to be handed
 * out) that are not yet, while they are in the cache (the separate pass
 * over the file this replaces read them all from memory once more).  A
 * record ends at a line end or at the end of the range, so no character
 * is cut there; one cut by the end of the look-ahead is checked next time. */
static void check_upto(csv_reader *r, size_t to)
{
    if (!r->check_utf8 || r->utf8.first_bad != UINT64_MAX || r->checked >= to)
        return;
    size_t ahead = r->map ? to : r->checked + CHECK_AHEAD;
    if (ahead > r->len)
        ahead = r->len;
    if (ahead < to)
        ahead = to;
    uint64_t base = r->next_read - r->len; /* the file offset of buf[0] */
    bool at_end = ahead == to || (r->eof && ahead == r->len);
    r->checked += scan_block((const unsigned char *)r->buf + r->checked, ahead - r->checked,
                             base + r->checked, at_end, &r->utf8);
}

void csv_check_text(csv_reader *r, const char *text, size_t bytes)
{
    if (!r->check_utf8 || r->utf8.first_bad != UINT64_MAX)
        return;
    size_t from = (size_t)(text - r->buf);
    uint64_t base = r->next_read - r->len;
    scan_block((const unsigned char *)text, bytes, base + from, true, &r->utf8);
}
uint64_t csv_consumed(const csv_reader *r) { return r->consumed; }

/* ---- mapped windows (csv_map_windows) ----
 *
 * The bulk path reads a regular file through a window of it mapped in
 * turn instead of pread into the buffer: the kernel's copy of every byte
 * out of the page cache (7-14 % of the bulk path's CPU time) goes, and the
 * UTF-8 check, which then would be the first to touch the bytes, is done
 * by the bulk loop itself on the records it parses (csv_skip,
 * csv_check_text).  The window moves on to the page holding the first
 * unparsed byte, so a record cut by its end is simply mapped again, and
 * the old window is unmapped first: the pass adds about one window to the
 * resident size (2 MiB, against the 1 MiB buffer it replaces; 4 MiB was no
 * faster).  The mapping is read-only: csv_next copies a record it hands
 * out to end its cells with a NUL (record_text).  As with any mapping, a
 * file truncated while it is read raises SIGBUS (the UTF-8 pre-scan,
 * scan_range, has always mapped it too). */

#define MAP_WINDOW ((size_t)2 << 20)

void csv_map_windows(csv_reader *r, size_t window)
{
    if (r->len == 0 && !r->map) /* before the first read only */
        r->map_window = window ? window : MAP_WINDOW;
}

/* `bytes` of the file from page-aligned offset `at`, followed by at least a
 * page of readable bytes (CSV_WINDOW_PAD); *total is the mapping's size.
 * Pages wholly past the end of the file would raise SIGBUS when touched, so
 * near the end an anonymous mapping (zeros) is made first and the file
 * mapped over its start.  NULL when it cannot be mapped. */
static char *map_span(int fd, uint64_t at, size_t bytes, uint64_t file_size, size_t page,
                      size_t *total)
{
    size_t size = (bytes + page - 1) / page * page + page;
    *total = size;
    char *map;
    if (file_size - at >= size) {
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, (off_t)at);
    } else {
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        size_t file_part = (size_t)((file_size - at + page - 1) / page * page);
        if (map != MAP_FAILED && file_part &&
            mmap(map, file_part, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, (off_t)at) ==
                MAP_FAILED) {
            munmap(map, size);
            map = MAP_FAILED;
        }
    }
    if (map == MAP_FAILED)
        return NULL;
#ifdef MADV_POPULATE_READ
    /* The page cache's pages into the page table in one call rather than a
     * fault every few pages (a hint: an older kernel says EINVAL and the
     * faults happen instead). */
    madvise(map, bytes, MADV_POPULATE_READ);
#endif
    return map;
}

static sl_status row_too_long(csv_reader *r, sl_error *err)
{
    return sl_fail_at(err, SL_ERR_LIMIT, (sl_place){r->name, r->row, 0, NULL},
                      "the row is longer than %zu MiB (limit CSV_MAX_ROW_BYTES); "
                      "check for an unclosed quote or split the file",
                      CSV_MAX_ROW_BYTES >> 20);
}

/* Maps a new window from the page holding buf[pos] and unmaps the old one
 * (or frees the pread buffer).  The window doubles while the unparsed tail
 * fills half of it, up to CSV_MAX_ROW_BYTES of tail as with pread.  Sets
 * map_window to 0 (read with pread) when the first window cannot be mapped:
 * a pipe, say. */
static sl_status remap(csv_reader *r, sl_error *err)
{
    struct stat sb;
    if (fstat(r->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (!r->map) {
            r->map_window = 0;
            return SL_OK;
        }
        return sl_fail_at(err, SL_ERR_READ, (sl_place){r->name, 0, 0, NULL},
                          "cannot read it: %s", strerror(errno));
    }
    uint64_t file_size = (uint64_t)sb.st_size, limit = r->end < file_size ? r->end : file_size;
    if (r->next_read >= limit) {
        r->eof = true;
        return SL_OK;
    }
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), tail = r->len - r->pos;
    if (tail >= CSV_MAX_ROW_BYTES)
        return row_too_long(r, err);
    const uint64_t base = r->next_read - r->len, from = base + r->pos, at = from - from % page;
    const size_t lead = (size_t)(from - at);
    size_t span = r->map_window;
    while (span <= lead + 2 * tail) /* and more than the bytes already there */
        span *= 2;
    if (span > lead + CSV_MAX_ROW_BYTES)
        span = lead + CSV_MAX_ROW_BYTES;
    if (limit - at < span)
        span = (size_t)(limit - at);
    /* The old window goes first, so that two are never resident at once
     * (its unparsed tail is mapped again from the file; nothing has been
     * written to those bytes). */
    if (r->map)
        munmap(r->map, r->map_size);
    size_t total;
    char *map = map_span(r->fd, at, span, file_size, page, &total);
    if (!map && !r->map) {
        r->map_window = 0;
        return SL_OK;
    }
    if (!map) {
        r->map = NULL; /* unmapped already */
        r->buf = r->own;
        r->pos = r->len = 0;
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", r->name);
    }
    /* The pread buffer stays allocated, untouched, until csv_close: freeing
     * a chunk that size here moved glibc's mmap threshold and so the peak
     * resident size of the rest of the run (+16 MiB in one case). */
    /* Bytes before `at` were handed out; the ones checked move with it. */
    if (r->check_utf8 && base + r->checked < at && r->utf8.first_bad == UINT64_MAX)
        r->utf8.first_bad = 0; /* bytes handed out unchecked: say "unknown" */
    r->checked = base + r->checked > at ? (size_t)(base + r->checked - at) : 0;
    r->map = r->buf = map;
    r->map_size = total;
    r->map_bytes = span;
    r->pos = lead;
    r->len = (size_t)(r->next_read - at);
    r->limit = limit;
    /* A file not in the page cache is read ahead while this window is
     * parsed (for one that is, this finds its pages and returns). */
    if (limit - at > span)
        posix_fadvise(r->fd, (off_t)(at + span), (off_t)span, POSIX_FADV_WILLNEED);
    return SL_OK;
}

/* refill for mapped windows: the next part of the window, or a new one. */
static sl_status refill_mapped(csv_reader *r, sl_error *err)
{
    if (!r->map || r->len == r->map_bytes) {
        sl_status st = remap(r, err);
        if (st != SL_OK || r->eof || !r->map_window)
            return st;
    }
    size_t more = r->map_bytes - r->len;
    r->len += more;
    r->next_read += more;
    r->eof = r->next_read >= r->limit;
    if (r->skip_bom_pending) {
        r->skip_bom_pending = false;
        if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
            r->pos += 3;
            r->consumed += 3;
        }
    }
    return SL_OK;
}

/* Moves the unparsed tail to the front and reads more.  Grows the buffer
 * when the tail already fills it (one record longer than the buffer). */
static sl_status refill(csv_reader *r, sl_error *err)
{
    if (r->map_window) {
        sl_status st = refill_mapped(r, err);
        if (st != SL_OK || r->map_window)
            return st; /* else the file cannot be mapped: pread it */
    }
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        if (r->check_utf8 && r->checked < r->pos && r->utf8.first_bad == UINT64_MAX)
            r->utf8.first_bad = 0; /* bytes handed out unchecked: say "unknown" */
        r->checked = r->checked > r->pos ? r->checked - r->pos : 0;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= CSV_MAX_ROW_BYTES)
            return row_too_long(r, err);
        size_t cap = r->cap * 2 > CSV_MAX_ROW_BYTES ? CSV_MAX_ROW_BYTES : r->cap * 2;
        char *buf = realloc(r->buf, cap + 1 + CSV_WINDOW_PAD);
        if (!buf)
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", r->name);
        memset(buf + r->cap + 1, 0, cap - r->cap + CSV_WINDOW_PAD); /* see csv_open */
        r->buf = r->own = buf;
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
            return sl_fail_at(err, SL_ERR_READ, (sl_place){r->name, 0, 0, NULL},
                              "cannot read it: %s", strerror(errno));
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
    return sl_fail_at(err, SL_ERR_PARSE, (sl_place){r->name, r->row, column, NULL}, "%s", what);
}

static sl_status grow_cells(csv_reader *r, sl_error *err)
{
    if (r->cell_cap >= CSV_MAX_COLUMNS) {
        return sl_fail_at(err, SL_ERR_LIMIT, (sl_place){r->name, r->row, 0, NULL},
                          "the row has more than %d cells (limit CSV_MAX_COLUMNS); is the "
                          "delimiter right?",
                          CSV_MAX_COLUMNS);
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

/* Outcome of cutting one cell: CUT_DONE with *st set on an error, CUT_MORE,
 * or CELL_CUT when the cell is cut and the record may go on. */
enum { CELL_CUT = CUT_EMPTY + 1 };

static const char nul_message[] = "the file holds a NUL byte, so it is not a text CSV file; is "
                                  "it a spreadsheet saved under a .csv name?";

/* The quoted cell at buf[*p] (a double quote): its text is [*start, *end)
 * and *p moves past the closing quote. */
static int cut_quoted(csv_reader *r, size_t n, size_t *p, size_t *start, size_t *end,
                      bool *escaped, sl_status *st, sl_error *err)
{
    const char *buf = r->buf;
    const size_t len = r->len;
    r->saw_quote = true;
    for (size_t q = *p + 1;;) {
        const char *hit = memchr(buf + q, '"', len - q);
        if (!hit) {
            if (!r->eof)
                return CUT_MORE;
            *st = parse_error(r, n + 1, err,
                              "a quoted cell is never closed; add the closing double quote");
            return CUT_DONE;
        }
        size_t k = (size_t)(hit - buf);
        if (k + 1 == len && !r->eof)
            return CUT_MORE;
        if (k + 1 < len && buf[k + 1] == '"') {
            *escaped = true;
            q = k + 2;
            continue;
        }
        *start = *p + 1;
        *end = k;
        *p = k + 1;
        break;
    }
    if (memchr(buf + *start, '\0', *end - *start)) {
        *st = parse_error(r, n + 1, err, nul_message);
        return CUT_DONE;
    }
    if (*p < len && buf[*p] != r->delimiter && buf[*p] != '\n' && buf[*p] != '\r') {
        *st = parse_error(r, n + 1, err,
                          "text follows a closing double quote; inside a quoted cell write a "
                          "quote as two quotes (\"\")");
        return CUT_DONE;
    }
    return CELL_CUT;
}

/* The unquoted cell at buf[*p], up to a delimiter, line end or the end of
 * the bytes read; a quote inside it is text. */
static int cut_unquoted(csv_reader *r, size_t n, size_t *p, sl_status *st, sl_error *err)
{
    const char *buf = r->buf;
    const size_t len = r->len;
    for (;;) {
        while (*p < len && !r->stop[(unsigned char)buf[*p]])
            ++*p;
        if (*p < len && buf[*p] == '\0') {
            *st = parse_error(r, n + 1, err, nul_message);
            return CUT_DONE;
        }
        if (*p < len && buf[*p] == '"') {
            r->saw_quote = true;
            ++*p;
            continue;
        }
        return CELL_CUT;
    }
}

/* Cuts the record starting at r->pos.  Returns CUT_MORE when the record runs
 * past the buffered bytes and more can be read. */
static int cut_record(csv_reader *r, size_t *ncells, size_t *record_end, sl_status *st,
                      sl_error *err)
{
    const char *buf = r->buf;
    const size_t len = r->len;
    size_t p = r->pos, n = 0;
    *st = SL_OK;
    if (p == len)
        return r->eof ? CUT_EMPTY : CUT_MORE;
    for (;;) {
        if (n == r->cell_cap && (*st = grow_cells(r, err)) != SL_OK)
            return CUT_DONE;
        size_t start = p, end = p;
        bool escaped = false, quoted = p < len && buf[p] == '"';
        int cut = quoted ? cut_quoted(r, n, &p, &start, &end, &escaped, st, err)
                         : cut_unquoted(r, n, &p, st, err);
        if (cut != CELL_CUT)
            return cut;
        if (!quoted)
            end = p;
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
        if (buf[p] == r->delimiter) {
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
        if (buf[p] == '\r') {
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

/* Where csv_next ends the record's cells with a NUL and unescapes them:
 * the buffer itself, or for a mapped window (read-only: writing to it would
 * copy each page, which cost more than the rest of the general path) a copy
 * of the record, buf[*from, record_end).  NULL when memory runs out. */
static char *record_text(csv_reader *r, size_t record_end, size_t *from)
{
    if (!r->map)
        return r->buf;
    size_t n = record_end - r->pos;
    if (n + 1 > r->copy_cap) {
        size_t cap = r->copy_cap ? r->copy_cap : 4096;
        while (cap < n + 1)
            cap *= 2;
        char *copy = realloc(r->copy, cap);
        if (!copy)
            return NULL;
        r->copy = copy;
        r->copy_cap = cap;
    }
    memcpy(r->copy, r->buf + r->pos, n);
    *from = r->pos;
    return r->copy;
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
    check_upto(r, record_end);
    size_t from = 0; /* buf[from] is text[0] */
    char *text = record_text(r, record_end, &from);
    if (!text)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", r->name);
    for (size_t i = 0; i < ncells; i++) {
        size_t s = r->cell_start[i] - from, e = r->cell_end[i] - from;
        if (r->cell_escaped[i]) { /* "" → " in place: the text only shrinks */
            size_t w = s;
            for (size_t k = s; k < e; k++) {
                text[w++] = text[k];
                if (text[k] == '"')
                    k++;
            }
            e = w;
        }
        text[e] = '\0';
        r->cells[i] = text + s;
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
    if (r->checked < r->pos + bytes)
        r->checked = r->pos + bytes; /* the caller has checked them */
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

/* ---- text encodings ----
 *
 * Excel saves a sheet as UTF-8 only when asked ("CSV UTF-8"); its plain
 * "CSV" on Windows writes the ANSI code page (Windows-1252 in Western
 * locales: "Ventas (€)" holds byte 0x80) and "Unicode text" writes UTF-16
 * with a byte-order mark, tab-separated.  The file is decided as a whole,
 * before the reader starts, because one stray byte late in a file says as
 * much about its encoding as the first one: a file that is UTF-8 in one
 * place and something else in another cannot be converted safely, and is
 * refused rather than read as garbage. */

#define ENCODING_CHUNK ((size_t)1 << 20)

/* Windows-1252's 0x80-0x9F (0 = undefined); every other byte is Latin-1. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

const char *csv_encoding_id(csv_encoding e)
{
    static const char *const ids[] = {"utf-8", "utf-16le", "utf-16be", "windows-1252"};
    return (unsigned)e <= CSV_WINDOWS1252 ? ids[e] : "unknown";
}

/* The length of the UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF): 1-4 when valid, 0 when not, -1 when
 * the n bytes given are a valid start that needs more. */
static int utf8_sequence(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    int len;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -1;
        unsigned char lower = i == 1 ? lo : 0x80, upper = i == 1 ? hi : 0xBF;
        if (p[i] < lower || p[i] > upper)
            return 0;
    }
    return len;
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static csv_convert_result convert_1252(csv_converter *c, const unsigned char *in, size_t size,
                                       char *out, size_t *written, uint64_t *bad_offset)
{
    size_t w = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char b = in[i];
        uint32_t cp = b;
        if (b >= 0x80 && b < 0xA0 && !(cp = cp1252_c1[b - 0x80])) {
            *written = w;
            *bad_offset = c->offset + i;
            c->offset += i;
            return CSV_CONVERT_UNDEFINED;
        }
        w += put_utf8(out + w, cp);
    }
    c->offset += size;
    *written = w;
    return CSV_CONVERT_OK;
}

/* The next UTF-16 code unit of the input, its first byte perhaps carried
 * from the chunk before; false when only one byte is left (it is carried). */
static bool next_unit(csv_converter *c, const unsigned char *in, size_t size, size_t *i,
                      uint16_t *unit, uint64_t *at)
{
    unsigned char b0, b1;
    if (c->has_carry) {
        b0 = c->carry;
        b1 = in[*i];
        *at = c->offset - 1;
        *i += 1;
        c->offset += 1;
        c->has_carry = false;
    } else if (*i + 1 < size) {
        b0 = in[*i];
        b1 = in[*i + 1];
        *at = c->offset;
        *i += 2;
        c->offset += 2;
    } else { /* one byte left: the unit continues in the next chunk */
        c->carry = in[*i];
        c->has_carry = true;
        c->offset += 1;
        *i += 1;
        return false;
    }
    *unit = c->encoding == CSV_UTF16BE ? (uint16_t)(b0 << 8 | b1) : (uint16_t)(b1 << 8 | b0);
    return true;
}

static csv_convert_result convert_utf16(csv_converter *c, const unsigned char *in, size_t size,
                                        bool last, char *out, size_t *written,
                                        uint64_t *bad_offset)
{
    size_t w = 0, i = 0;
    uint16_t unit;
    uint64_t at; /* input offset of this unit */
    while (i < size && next_unit(c, in, size, &i, &unit, &at)) {
        if (at == 0 && unit == 0xFEFF)
            continue; /* the byte-order mark is not text */
        if (c->high) {
            if (unit >= 0xDC00 && unit <= 0xDFFF) {
                uint32_t cp = 0x10000 + ((uint32_t)(c->high - 0xD800) << 10) + (unit - 0xDC00);
                w += put_utf8(out + w, cp);
                c->high = 0;
                continue;
            }
            *written = w;
            *bad_offset = c->high_offset;
            return CSV_CONVERT_SURROGATE;
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            c->high = unit;
            c->high_offset = at;
            continue;
        }
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
            *written = w;
            *bad_offset = at;
            return CSV_CONVERT_SURROGATE;
        }
        w += put_utf8(out + w, unit);
    }
    *written = w;
    if (last && c->high) {
        *bad_offset = c->high_offset;
        return CSV_CONVERT_SURROGATE;
    }
    if (last && c->has_carry) {
        *bad_offset = c->offset - 1;
        return CSV_CONVERT_ODD_LENGTH;
    }
    return CSV_CONVERT_OK;
}

csv_convert_result csv_convert_chunk(csv_converter *c, const unsigned char *in, size_t size,
                                     bool last, char *out, size_t *written,
                                     uint64_t *bad_offset)
{
    *written = 0;
    if (c->encoding == CSV_UTF8) { /* nothing to convert */
        memcpy(out, in, size);
        c->offset += size;
        *written = size;
        return CSV_CONVERT_OK;
    }
    if (c->encoding == CSV_WINDOWS1252)
        return convert_1252(c, in, size, out, written, bad_offset);
    return convert_utf16(c, in, size, last, out, written, bad_offset);
}

/* The record (row) and cell of byte `offset` of an ASCII-compatible file,
 * by the reader's own rules: a line end outside quotes ends a record (CRLF
 * once), a quote opens a quoted cell only at the cell's start.  Only called
 * to name a position in an error, so it rereads the file from the start. */
static void locate(int fd, uint64_t offset, uint64_t *row, uint64_t *cell)
{
    enum { LOCATE_BUF = 65536 }; /* as much as read_csv_file detects the delimiter on */
    *row = 1;
    *cell = 1;
    char *buf = malloc(LOCATE_BUF);
    if (!buf)
        return; /* the message then says row 1: better than none */
    ssize_t got = pread(fd, buf, LOCATE_BUF, 0);
    char delim = csv_detect_delimiter(buf, got > 0 ? (size_t)got : 0);
    enum { AT_START, PLAIN, QUOTED, QUOTE_SEEN } state = AT_START;
    bool after_cr = false;
    for (uint64_t at = 0; at < offset;) {
        size_t want = offset - at < LOCATE_BUF ? (size_t)(offset - at) : LOCATE_BUF;
        got = pread(fd, buf, want, (off_t)at);
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; i++) {
            char ch = buf[i];
            bool was_cr = after_cr;
            after_cr = false;
            if (state == QUOTED) {
                if (ch == '"')
                    state = QUOTE_SEEN;
                continue;
            }
            if (state == QUOTE_SEEN && ch == '"') { /* "" inside a quoted cell */
                state = QUOTED;
                continue;
            }
            if (ch == delim) {
                ++*cell;
                state = AT_START;
            } else if (ch == '\r' || ch == '\n') {
                if (!(ch == '\n' && was_cr)) {
                    ++*row;
                    *cell = 1;
                }
                after_cr = ch == '\r';
                state = AT_START;
            } else if (state == AT_START && ch == '"') {
                state = QUOTED;
            } else {
                state = PLAIN;
            }
        }
        at += (uint64_t)got;
    }
    free(buf);
}

/* SL_ERR_PARSE "name:row:cell: what" for byte `offset` of the file on `fd`. */
static sl_status encoding_error(sl_error *err, const char *name, int fd, uint64_t offset,
                                const char *what)
{
    uint64_t row, cell;
    locate(fd, offset, &row, &cell);
    return sl_fail_at(err, SL_ERR_PARSE, (sl_place){name, row, cell, NULL}, "%s", what);
}

/* Files this large are scanned on two threads. */
#define SCAN_PARALLEL_BYTES (8u << 20)
/* The part of the file mapped at a time by each scanning thread. */
#define SCAN_WINDOW (16u << 20)

/* Scans n bytes at file offset `off`; returns how many were scanned (fewer
 * than n when a character is cut by the end of a chunk that is not the
 * file's end: the caller reads again from there). */
static size_t scan_block(const unsigned char *buf, size_t n, uint64_t off, bool at_end,
                         utf8_scan *s)
{
    size_t i = 0;
    while (i < n && (s->first_bad == UINT64_MAX || s->first_multibyte == UINT64_MAX)) {
        /* ASCII 64 and then 8 bytes at a time: most of an export is
         * digits, and this pass reads every byte of a bulk feed. */
#ifdef __SSE2__
        while (i + 64 <= n) {
            const __m128i *q = (const __m128i *)(buf + i);
            __m128i lo = _mm_or_si128(_mm_loadu_si128(q), _mm_loadu_si128(q + 1));
            __m128i hi = _mm_or_si128(_mm_loadu_si128(q + 2), _mm_loadu_si128(q + 3));
            __m128i any = _mm_or_si128(lo, hi);
            if (_mm_movemask_epi8(any))
                break;
            i += 64;
        }
#endif
        while (i + 8 <= n) {
            uint64_t word;
            memcpy(&word, buf + i, 8);
            if (word & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (buf[i] < 0x80) {
            i++;
            continue;
        }
        int len = utf8_sequence(buf + i, n - i);
        if (len < 0 && !at_end)
            return i; /* split by the chunk: read again from here */
        if (len <= 0) {
            if (s->first_bad == UINT64_MAX)
                s->first_bad = off + i;
            i++;
        } else {
            if (s->first_multibyte == UINT64_MAX)
                s->first_multibyte = off + i;
            i += (size_t)len;
        }
    }
    return n;
}

/* Scans bytes [from, to) of the file through a window mapped in turn:
 * the page cache is read in place (with pread the kernel copied every byte
 * of a large feed once more), and the window is unmapped as it moves on, so
 * the pass adds at most SCAN_WINDOW to the resident size.  `to` is the
 * file's end or a character boundary.  False when a window cannot be
 * mapped. */
static bool scan_range(int fd, uint64_t from, uint64_t to, utf8_scan *s)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    for (uint64_t off = from; off < to;) {
        if (s->first_bad != UINT64_MAX && s->first_multibyte != UINT64_MAX)
            break;
        uint64_t start = off - off % page, n = to - off < SCAN_WINDOW ? to - off : SCAN_WINDOW;
        size_t delta = (size_t)(off - start);
        void *map = mmap(NULL, delta + (size_t)n, PROT_READ, MAP_PRIVATE, fd, (off_t)start);
        if (map == MAP_FAILED)
            return false;
        posix_madvise(map, delta + (size_t)n, POSIX_MADV_SEQUENTIAL);
        size_t used = scan_block((const unsigned char *)map + delta, (size_t)n, off,
                                 off + n >= to, s);
        munmap(map, delta + (size_t)n);
        off += used ? used : n;
    }
    return true;
}

typedef struct scan_half {
    int fd;
    uint64_t from, to;
    utf8_scan found;
    bool mapped;
} scan_half;

static void *scan_half_main(void *arg)
{
    scan_half *h = arg;
    h->found.first_bad = h->found.first_multibyte = UINT64_MAX;
    h->mapped = scan_range(h->fd, h->from, h->to, &h->found);
    return NULL;
}

/* A large file in two halves on two threads (the import after this pass is
 * parallel too, so the pass would otherwise be its serial part).  The second
 * half starts at a character boundary: a continuation byte never starts a
 * character.  False when the file cannot be mapped. */
static bool scan_mapped(int fd, uint64_t size, utf8_scan *s)
{
    uint64_t mid = size / 2;
    unsigned char at[4];
    ssize_t got = size >= SCAN_PARALLEL_BYTES ? pread(fd, at, sizeof at, (off_t)mid) : 0;
    for (ssize_t k = 0; k < got && (at[k] & 0xC0) == 0x80; k++)
        mid++;
    scan_half second = {fd, mid, size, {0, 0}, false};
    pthread_t helper;
    bool two = got > 0 && pthread_create(&helper, NULL, scan_half_main, &second) == 0;
    bool mapped = scan_range(fd, 0, two ? mid : size, s);
    if (two) {
        pthread_join(helper, NULL);
        mapped = mapped && second.mapped;
        if (second.found.first_bad < s->first_bad)
            s->first_bad = second.found.first_bad;
        if (second.found.first_multibyte < s->first_multibyte)
            s->first_multibyte = second.found.first_multibyte;
    }
    return mapped;
}

static sl_status scan_utf8(int fd, uint64_t size, const char *name, utf8_scan *s, sl_error *err)
{
    s->first_bad = s->first_multibyte = UINT64_MAX;
    if (scan_mapped(fd, size, s))
        return SL_OK;
    s->first_bad = s->first_multibyte = UINT64_MAX; /* not mappable (a pipe): read it */
    unsigned char *buf = malloc(ENCODING_CHUNK);
    if (!buf)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", name);
    uint64_t off = 0;
    sl_status st = SL_OK;
    /* Both found: the file is refused whatever the rest holds. */
    while (off < size && (s->first_bad == UINT64_MAX || s->first_multibyte == UINT64_MAX)) {
        ssize_t got = pread(fd, buf, ENCODING_CHUNK, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            st = sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        off += scan_block(buf, (size_t)got, off, off + (uint64_t)got >= size, s);
    }
    free(buf);
    return st;
}

sl_status csv_detect_encoding_head(int fd, const char *name, csv_encoding *out, bool *whole,
                                   sl_error *err)
{
    *out = CSV_UTF8;
    *whole = false;
    unsigned char head[4096];
    ssize_t got = pread(fd, head, sizeof head, 0);
    if (got < 0)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
    size_t n = (size_t)got;
    if (n >= 4 && (memcmp(head, "\xFF\xFE\0\0", 4) == 0 || memcmp(head, "\0\0\xFE\xFF", 4) == 0)) {
        return sl_fail_at(err, SL_ERR_PARSE, (sl_place){name, 0, 0, NULL},
                          "UTF-32 text, which ShopLab does not read; save it from the "
                          "spreadsheet as \"CSV UTF-8\" and read it again");
    }
    if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE) {
        *out = CSV_UTF16LE;
        return SL_OK;
    }
    if (n >= 2 && head[0] == 0xFE && head[1] == 0xFF) {
        *out = CSV_UTF16BE;
        return SL_OK;
    }
    bool bom = n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0;
    if (!bom && n >= 16) {
        /* UTF-16 without a byte-order mark: text that is mostly ASCII has a
         * NUL in every other byte and (almost) none in the others.  A text
         * file has no NUL at all, so this cannot misread one. */
        size_t nul[2] = {0, 0}, units = n / 2;
        for (size_t i = 0; i < units * 2; i++)
            nul[i & 1] += head[i] == 0;
        if (nul[1] * 2 >= units && nul[0] * 16 <= units) {
            *out = CSV_UTF16LE;
            return SL_OK;
        }
        if (nul[0] * 2 >= units && nul[1] * 16 <= units) {
            *out = CSV_UTF16BE;
            return SL_OK;
        }
    }
    *whole = true;
    return SL_OK;
}

sl_status csv_detect_encoding(int fd, uint64_t size, const char *name, csv_encoding *out,
                              sl_error *err)
{
    bool whole;
    sl_status st = csv_detect_encoding_head(fd, name, out, &whole, err);
    if (st != SL_OK || !whole)
        return st;
    unsigned char first[3];
    bool bom = pread(fd, first, 3, 0) == 3 && memcmp(first, "\xEF\xBB\xBF", 3) == 0;
    utf8_scan s;
    st = scan_utf8(fd, size, name, &s, err);
    if (st != SL_OK || s.first_bad == UINT64_MAX)
        return st;
    unsigned char bad = 0;
    if (pread(fd, &bad, 1, (off_t)s.first_bad) != 1)
        bad = 0;
    char what[240];
    if (bom) {
        snprintf(what, sizeof what,
                 "byte 0x%02X is not UTF-8, though the file starts with a UTF-8 byte-order "
                 "mark; save it as \"CSV UTF-8\" in the spreadsheet and read it again",
                 bad);
        return encoding_error(err, name, fd, s.first_bad, what);
    }
    if (s.first_multibyte != UINT64_MAX) {
        uint64_t row, cell;
        locate(fd, s.first_multibyte, &row, &cell);
        snprintf(what, sizeof what,
                 "byte 0x%02X is not UTF-8, yet row %llu is UTF-8, so the encoding cannot be "
                 "told; save the file as \"CSV UTF-8\" in the spreadsheet and read it again",
                 bad, (unsigned long long)row);
        return encoding_error(err, name, fd, s.first_bad, what);
    }
    *out = CSV_WINDOWS1252;
    return SL_OK;
}

static sl_status write_all(int fd, const char *data, size_t size)
{
    while (size) {
        ssize_t put = write(fd, data, size);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return SL_ERR_READ;
        data += put;
        size -= (size_t)put;
    }
    return SL_OK;
}

sl_status csv_convert_to_utf8(int fd, csv_encoding encoding, const char *name, int *out_fd,
                              sl_error *err)
{
    *out_fd = -1;
    FILE *tmp = tmpfile();
    int to = tmp ? dup(fileno(tmp)) : -1;
    if (tmp)
        fclose(tmp);
    if (to < 0)
        return sl_fail(err, SL_ERR_READ, NULL, "cannot convert %s to UTF-8: %s", name,
                       strerror(errno));
    unsigned char *in = malloc(ENCODING_CHUNK);
    char *out = malloc(3 * ENCODING_CHUNK + 8);
    if (!in || !out) {
        free(in);
        free(out);
        close(to);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory converting %s", name);
    }
    csv_converter c = {.encoding = encoding};
    sl_status st = SL_OK;
    uint64_t output = 0;
    for (off_t off = 0;;) {
        ssize_t got = pread(fd, in, ENCODING_CHUNK, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            st = sl_fail(err, SL_ERR_READ, NULL, "cannot read %s: %s", name, strerror(errno));
            break;
        }
        size_t written;
        uint64_t bad;
        csv_convert_result r = csv_convert_chunk(&c, in, (size_t)got, got == 0, out, &written,
                                                 &bad);
        if (write_all(to, out, written) != SL_OK) {
            st = sl_fail(err, SL_ERR_READ, NULL, "cannot convert %s to UTF-8: %s", name,
                         strerror(errno));
            break;
        }
        output += written;
        if (r == CSV_CONVERT_UNDEFINED) {
            char what[240];
            snprintf(what, sizeof what,
                     "byte 0x%02X is neither UTF-8 nor a Windows-1252 letter, so the encoding "
                     "cannot be told; save the file as \"CSV UTF-8\" in the spreadsheet and "
                     "read it again",
                     in[bad - (uint64_t)off]);
            st = encoding_error(err, name, fd, bad, what);
            break;
        }
        if (r == CSV_CONVERT_SURROGATE) {
            /* The position is counted in the text converted so far, which
             * has the original's rows and cells. */
            st = encoding_error(err, name, to, output,
                                "the UTF-16 text holds half a character (a lone surrogate), so "
                                "the file is damaged; export it again, or save it from the "
                                "spreadsheet as \"CSV UTF-8\"");
            break;
        }
        if (r == CSV_CONVERT_ODD_LENGTH) {
            st = encoding_error(err, name, to, output,
                                "the UTF-16 file ends in the middle of a character (an odd "
                                "number of bytes), so it was cut short; export it again");
            break;
        }
        if (got == 0)
            break;
        off += got;
    }
    free(in);
    free(out);
    if (st != SL_OK) {
        close(to);
        return st;
    }
    *out_fd = to;
    return SL_OK;
}
