/*
 * xlsx.c — the XLSX reader: libzip (loaded on first use, zip_loader.c) opens
 * the container, expat streams the XML, and each sheet row goes to the
 * importer's sink as cell text.
 *
 * Numbers are passed on as the text the XML holds, never through a double,
 * so 19-digit IDs survive; only cells in a date style are turned into
 * "YYYY-MM-DD".  Every part is read through a counting stream that stops at
 * a named limit, because the sizes a zip file declares can lie (zip bombs).
 */
#include "ingest.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zip_loader.h"

#define XML_CHUNK 65536
#define MAX_SHEETS 256

typedef struct sheet_info {
    char name[128];
    char path[256];             /* inside the zip, e.g. "xl/worksheets/sheet1.xml" */
    char rel_id[64];
} sheet_info;

struct xlsx_book {
    const sl_zip_api *z;        /* libzip, loaded on the first open (zip_loader.c) */
    zip_t *zip;
    char name[256];
    xlsx_limits limits;
    sheet_info sheets[MAX_SHEETS];
    size_t sheet_count;
    bool date1904;
    /* shared strings: offsets into one text block */
    char *strings;
    size_t strings_len, strings_cap;
    size_t *string_at;
    size_t string_count, string_cap;
    /* styles: whether each cellXfs entry is a date format */
    bool *xf_is_date;
    size_t xf_count;
};

/* ---- errors ---- */

static sl_status fail_at(xlsx_book *b, sl_error *err, sl_status code, uint64_t row, uint64_t col,
                         const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static sl_status fail_at(xlsx_book *b, sl_error *err, sl_status code, uint64_t row, uint64_t col,
                         const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sl_fail_at(err, code, (sl_place){b->name, row, col, NULL}, "%s", msg);
}

/* ---- streaming one zip entry through expat ---- */

typedef struct xml_job {
    xlsx_book *book;
    XML_Parser parser;
    sl_status status;           /* set by handlers to stop */
    sl_error *err;
} xml_job;

static void stop(xml_job *job, sl_status status)
{
    if (job->status == SL_OK)
        job->status = status;
    XML_StopParser(job->parser, XML_FALSE);
}

/* Parses `path` with the handlers already set on job->parser.  `optional`:
 * a missing entry is not an error. */
static sl_status parse_entry(xml_job *job, const char *path, bool optional)
{
    xlsx_book *b = job->book;
    zip_int64_t index = b->z->name_locate(b->zip, path, 0);
    if (index < 0) {
        if (optional)
            return SL_OK;
        return fail_at(b, job->err, SL_ERR_PARSE, 0, 0,
                       "not a valid XLSX workbook: %s is missing (export the report again, or "
                       "save it as .xlsx)",
                       path);
    }
    zip_stat_t zs;
    if (b->z->stat_index(b->zip, (zip_uint64_t)index, 0, &zs) == 0 && (zs.valid & ZIP_STAT_SIZE) &&
        zs.size > b->limits.max_part_bytes)
        return fail_at(b, job->err, SL_ERR_LIMIT, 0, 0,
                       "%s unpacks to %llu bytes, over the limit of %llu (max_part_bytes); split "
                       "the export into shorter periods",
                       path, (unsigned long long)zs.size,
                       (unsigned long long)b->limits.max_part_bytes);
    zip_file_t *f = b->z->fopen_index(b->zip, (zip_uint64_t)index, 0);
    if (!f)
        return fail_at(b, job->err, SL_ERR_PARSE, 0, 0, "cannot open %s inside the workbook: %s",
                       path, b->z->strerror(b->zip));
    char *buf = malloc(XML_CHUNK);
    if (!buf) {
        b->z->fclose(f);
        return sl_fail(job->err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    uint64_t total = 0;
    for (;;) {
        zip_int64_t got = b->z->fread(f, buf, XML_CHUNK);
        if (got < 0) {
            job->status = fail_at(b, job->err, SL_ERR_PARSE, 0, 0,
                                  "%s is damaged inside the workbook: %s (is the file cut "
                                  "short?)",
                                  path, b->z->file_strerror(f));
            break;
        }
        total += (uint64_t)got;
        if (total > b->limits.max_part_bytes) {
            job->status = fail_at(b, job->err, SL_ERR_LIMIT, 0, 0,
                                  "%s unpacks to more than %llu bytes (max_part_bytes); split "
                                  "the export into shorter periods",
                                  path, (unsigned long long)b->limits.max_part_bytes);
            break;
        }
        bool last = got == 0;
        if (XML_Parse(job->parser, buf, (int)got, last) == XML_STATUS_ERROR) {
            if (job->status == SL_OK)
                job->status = fail_at(
                    b, job->err, SL_ERR_PARSE, 0, 0, "%s: XML error at line %lu: %s", path,
                    (unsigned long)XML_GetCurrentLineNumber(job->parser),
                    XML_ErrorString(XML_GetErrorCode(job->parser)));
            break;
        }
        if (job->status != SL_OK || last)
            break;
    }
    free(buf);
    b->z->fclose(f);
    return job->status;
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

/* Element names without a namespace prefix ("x:row" → "row"). */
static const char *local(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

/* ---- workbook.xml and its relationships ---- */

static void XMLCALL workbook_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    xml_job *job = data;
    xlsx_book *b = job->book;
    const char *name = local(el);
    if (strcmp(name, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        b->date1904 = d && (strcmp(d, "1") == 0 || strcasecmp(d, "true") == 0);
    } else if (strcmp(name, "sheet") == 0) {
        if (b->sheet_count == MAX_SHEETS) {
            stop(job, fail_at(b, job->err, SL_ERR_LIMIT, 0, 0,
                              "the workbook has more than %d sheets", MAX_SHEETS));
            return;
        }
        sheet_info *s = &b->sheets[b->sheet_count++];
        const char *n = attr(atts, "name"), *id = attr(atts, "r:id");
        snprintf(s->name, sizeof s->name, "%s", n ? n : "");
        snprintf(s->rel_id, sizeof s->rel_id, "%s", id ? id : "");
    }
}

static void XMLCALL rels_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    xml_job *job = data;
    xlsx_book *b = job->book;
    if (strcmp(local(el), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
    if (!id || !target)
        return;
    for (size_t i = 0; i < b->sheet_count; i++) {
        if (strcmp(b->sheets[i].rel_id, id) != 0)
            continue;
        if (target[0] == '/')
            snprintf(b->sheets[i].path, sizeof b->sheets[i].path, "%s", target + 1);
        else
            snprintf(b->sheets[i].path, sizeof b->sheets[i].path, "xl/%s", target);
    }
}

/* ---- styles.xml: which cell formats are dates ---- */

typedef struct styles_state {
    xml_job job;
    bool in_cell_xfs;
    struct { unsigned id; bool date; } custom[512];
    size_t custom_count;
} styles_state;

/* A format code shows a date when it has d, m, y, h or s outside quotes,
 * brackets and escapes ("[Red]0.00" and "0.0\"m\"" are not dates). */
static bool format_is_date(const char *code)
{
    bool quoted = false;
    for (const char *p = code; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (*p == '\\' && p[1])
            p++;
        else if (*p == '[') {
            const char *close = strchr(p, ']');
            if (!close)
                return false;
            /* [h], [mm], [ss] are elapsed times: still a date-time style */
            if (strchr("hHmMsS", p[1]))
                return true;
            p = close;
        } else if (strchr("dDmMyYhHsS", *p))
            return true;
    }
    return false;
}

static bool builtin_is_date(unsigned id)
{
    return (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) ||
           (id >= 50 && id <= 58);
}

static void XMLCALL styles_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    styles_state *st = data;
    xlsx_book *b = st->job.book;
    const char *name = local(el);
    if (strcmp(name, "numFmt") == 0 && st->custom_count < 512) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code) {
            st->custom[st->custom_count].id = (unsigned)strtoul(id, NULL, 10);
            st->custom[st->custom_count++].date = format_is_date(code);
        }
    } else if (strcmp(name, "cellXfs") == 0) {
        st->in_cell_xfs = true;
    } else if (strcmp(name, "xf") == 0 && st->in_cell_xfs) {
        const char *id = attr(atts, "numFmtId");
        unsigned fmt = id ? (unsigned)strtoul(id, NULL, 10) : 0;
        bool date = builtin_is_date(fmt);
        for (size_t i = 0; i < st->custom_count; i++)
            if (st->custom[i].id == fmt)
                date = st->custom[i].date;
        bool *more = realloc(b->xf_is_date, (b->xf_count + 1) * sizeof *more);
        if (!more) {
            stop(&st->job, sl_fail(st->job.err, SL_ERR_NO_MEMORY, NULL, "out of memory"));
            return;
        }
        b->xf_is_date = more;
        b->xf_is_date[b->xf_count++] = date;
    }
}

static void XMLCALL styles_end(void *data, const XML_Char *el)
{
    styles_state *st = data;
    if (strcmp(local(el), "cellXfs") == 0)
        st->in_cell_xfs = false;
}

/* ---- sharedStrings.xml ---- */

typedef struct strings_state {
    xml_job job;
    bool in_si, in_t, in_phonetic;
    size_t start;               /* offset of the current string */
} strings_state;

static bool strings_append(xlsx_book *b, const char *text, size_t len)
{
    if (b->strings_len + len + 1 > b->strings_cap) {
        size_t cap = b->strings_cap ? b->strings_cap * 2 : 65536;
        while (cap < b->strings_len + len + 1)
            cap *= 2;
        char *more = realloc(b->strings, cap);
        if (!more)
            return false;
        b->strings = more;
        b->strings_cap = cap;
    }
    memcpy(b->strings + b->strings_len, text, len);
    b->strings_len += len;
    return true;
}

static void XMLCALL strings_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    (void)atts;
    strings_state *st = data;
    xlsx_book *b = st->job.book;
    const char *name = local(el);
    if (strcmp(name, "si") == 0) {
        if (b->string_count == b->limits.max_shared_strings) {
            stop(&st->job, fail_at(b, st->job.err, SL_ERR_LIMIT, 0, 0,
                                   "more than %llu shared strings (max_shared_strings); split "
                                   "the export",
                                   (unsigned long long)b->limits.max_shared_strings));
            return;
        }
        st->in_si = true;
        st->start = b->strings_len;
    } else if (strcmp(name, "rPh") == 0) {
        st->in_phonetic = true;
    } else if (strcmp(name, "t") == 0 && st->in_si) {
        st->in_t = true;
    }
}

static void XMLCALL strings_text(void *data, const XML_Char *s, int len)
{
    strings_state *st = data;
    xlsx_book *b = st->job.book;
    if (!st->in_t || st->in_phonetic)
        return;
    if (b->strings_len - st->start + (size_t)len > b->limits.max_string) {
        stop(&st->job, fail_at(b, st->job.err, SL_ERR_LIMIT, 0, 0,
                               "shared string %zu is longer than %zu bytes (max_string)",
                               b->string_count + 1, b->limits.max_string));
        return;
    }
    if (!strings_append(b, s, (size_t)len))
        stop(&st->job, sl_fail(st->job.err, SL_ERR_NO_MEMORY, NULL, "out of memory"));
}

static void XMLCALL strings_end(void *data, const XML_Char *el)
{
    strings_state *st = data;
    xlsx_book *b = st->job.book;
    const char *name = local(el);
    if (strcmp(name, "t") == 0) {
        st->in_t = false;
    } else if (strcmp(name, "rPh") == 0) {
        st->in_phonetic = false;
    } else if (strcmp(name, "si") == 0 && st->in_si) {
        st->in_si = false;
        if (!strings_append(b, "", 0)) { /* makes room for the NUL */
            stop(&st->job, sl_fail(st->job.err, SL_ERR_NO_MEMORY, NULL, "out of memory"));
            return;
        }
        b->strings[b->strings_len++] = '\0';
        if (b->string_count == b->string_cap) {
            size_t cap = b->string_cap ? b->string_cap * 2 : 1024;
            size_t *more = realloc(b->string_at, cap * sizeof *more);
            if (!more) {
                stop(&st->job, sl_fail(st->job.err, SL_ERR_NO_MEMORY, NULL, "out of memory"));
                return;
            }
            b->string_at = more;
            b->string_cap = cap;
        }
        b->string_at[b->string_count++] = st->start;
    }
}

/* ---- opening ---- */

void xlsx_default_limits(xlsx_limits *l)
{
    l->max_part_bytes = (uint64_t)512 << 20;
    l->max_cells = 50000000;
    l->max_string = 32767;
    l->max_columns = 16384;
    l->max_shared_strings = 10000000;
}

static sl_status run_parser(xml_job *job, void *user, XML_StartElementHandler start,
                            XML_EndElementHandler end, XML_CharacterDataHandler text,
                            const char *path, bool optional)
{
    job->parser = XML_ParserCreate(NULL);
    if (!job->parser)
        return sl_fail(job->err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    XML_SetUserData(job->parser, user);
    XML_SetElementHandler(job->parser, start, end);
    if (text)
        XML_SetCharacterDataHandler(job->parser, text);
    sl_status st = parse_entry(job, path, optional);
    XML_ParserFree(job->parser);
    job->parser = NULL;
    return st;
}

static sl_status load_book(xlsx_book *b, sl_error *err)
{
    xml_job job = {.book = b, .err = err};
    sl_status st = run_parser(&job, &job, workbook_start, NULL, NULL, "xl/workbook.xml", false);
    if (st != SL_OK)
        return st;
    if (b->sheet_count == 0)
        return fail_at(b, err, SL_ERR_PARSE, 0, 0, "the workbook lists no sheets");
    st = run_parser(&job, &job, rels_start, NULL, NULL, "xl/_rels/workbook.xml.rels", false);
    if (st != SL_OK)
        return st;
    for (size_t i = 0; i < b->sheet_count; i++)
        if (!b->sheets[i].path[0]) /* no relationship: the conventional name */
            snprintf(b->sheets[i].path, sizeof b->sheets[i].path, "xl/worksheets/sheet%zu.xml",
                     i + 1);
    styles_state styles = {.job = {.book = b, .err = err}};
    st = run_parser(&styles.job, &styles, styles_start, styles_end, NULL, "xl/styles.xml", true);
    if (st != SL_OK)
        return st;
    strings_state strings = {.job = {.book = b, .err = err}};
    return run_parser(&strings.job, &strings, strings_start, strings_end, strings_text,
                      "xl/sharedStrings.xml", true);
}

static sl_status open_zip(xlsx_book *b, zip_source_t *src, sl_error *err)
{
    zip_error_t ze;
    b->z->error_init(&ze);
    b->zip = b->z->open_from_source(src, ZIP_RDONLY, &ze);
    if (!b->zip) {
        int ze_code = b->z->error_code_zip(&ze);
        sl_status code = ze_code == ZIP_ER_MEMORY ? SL_ERR_NO_MEMORY
                         : ze_code == ZIP_ER_NOENT || ze_code == ZIP_ER_OPEN ||
                                 ze_code == ZIP_ER_READ
                             ? SL_ERR_READ
                             : SL_ERR_PARSE;
        if (code == SL_ERR_READ)
            fail_at(b, err, code, 0, 0, "cannot open: %s", b->z->error_strerror(&ze));
        else
            fail_at(b, err, code, 0, 0,
                    "not a valid XLSX workbook (%s); export the report again, or save it as "
                    ".xlsx or .csv",
                    b->z->error_strerror(&ze));
        b->z->error_fini(&ze);
        b->z->source_free(src);
        return code;
    }
    b->z->error_fini(&ze);
    return load_book(b, err);
}

static xlsx_book *new_book(const char *name, const xlsx_limits *limits)
{
    xlsx_book *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    snprintf(b->name, sizeof b->name, "%s", name);
    if (limits)
        b->limits = *limits;
    else
        xlsx_default_limits(&b->limits);
    return b;
}

/* Loads libzip for b (the first call in the process does the dlopen).  On
 * failure the file gets the error of a file that cannot be read, naming
 * the package to install, and b is closed. */
static bool load_libzip(xlsx_book *b, sl_error *err)
{
    const char *why = NULL;
    b->z = sl_zip_api_get(&why);
    if (b->z)
        return true;
    fail_at(b, err, SL_ERR_READ, 0, 0, "%s", why);
    xlsx_close(b);
    return false;
}

sl_status xlsx_open(const char *path, const xlsx_limits *limits, xlsx_book **out, sl_error *err)
{
    *out = NULL;
    xlsx_book *b = new_book(path, limits);
    if (!b)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if (!load_libzip(b, err))
        return SL_ERR_READ;
    zip_error_t ze;
    b->z->error_init(&ze);
    zip_source_t *src = b->z->source_file_create(path, 0, -1, &ze);
    if (!src) {
        sl_status st = fail_at(b, err, SL_ERR_READ, 0, 0, "cannot open: %s",
                               b->z->error_strerror(&ze));
        b->z->error_fini(&ze);
        xlsx_close(b);
        return st;
    }
    b->z->error_fini(&ze);
    sl_status st = open_zip(b, src, err);
    if (st != SL_OK) {
        xlsx_close(b);
        return st;
    }
    *out = b;
    return SL_OK;
}

sl_status xlsx_open_buffer(const void *data, size_t size, const char *name,
                           const xlsx_limits *limits, xlsx_book **out, sl_error *err)
{
    *out = NULL;
    xlsx_book *b = new_book(name, limits);
    if (!b)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    if (!load_libzip(b, err))
        return SL_ERR_READ;
    zip_error_t ze;
    b->z->error_init(&ze);
    zip_source_t *src = b->z->source_buffer_create(data, size, 0, &ze);
    b->z->error_fini(&ze);
    if (!src) {
        xlsx_close(b);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    sl_status st = open_zip(b, src, err);
    if (st != SL_OK) {
        xlsx_close(b);
        return st;
    }
    *out = b;
    return SL_OK;
}

void xlsx_close(xlsx_book *b)
{
    if (!b)
        return;
    if (b->zip)
        b->z->discard(b->zip);
    free(b->strings);
    free(b->string_at);
    free(b->xf_is_date);
    free(b);
}

size_t xlsx_sheet_count(const xlsx_book *b) { return b->sheet_count; }

const char *xlsx_sheet_name(const xlsx_book *b, size_t index)
{
    return index < b->sheet_count ? b->sheets[index].name : "";
}

/* ---- sheets ---- */

typedef struct sheet_state {
    xml_job job;
    ingest_sink sink;
    void *ctx;
    uint64_t row;               /* current row number */
    uint64_t cells_seen;
    bool in_row, in_cell, in_value, in_inline;
    uint32_t col;               /* current cell's column, 0-based */
    char type[8];
    long style;
    /* the current cell's text */
    char *text;
    size_t text_len, text_cap;
    /* the current row: cells as offsets into one block */
    char *row_text;
    size_t row_len, row_cap;
    size_t *cell_at;
    size_t cell_cap, cell_count;
    const char **cells;
    size_t *lengths;
} sheet_state;

/* "BC12" → column 54 (0-based 54), row 12; false when malformed. */
static bool cell_ref(const char *ref, uint32_t *col, uint64_t *row)
{
    uint64_t c = 0;
    const char *p = ref;
    for (; *p >= 'A' && *p <= 'Z'; p++) {
        c = c * 26 + (uint64_t)(*p - 'A' + 1);
        if (c > 1u << 24)
            return false;
    }
    if (p == ref || c == 0)
        return false;
    char *end;
    unsigned long long r = strtoull(p, &end, 10);
    if (end == p || *end || r == 0)
        return false;
    *col = (uint32_t)(c - 1);
    *row = r;
    return true;
}

static bool text_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        while (c < *len + n + 1)
            c *= 2;
        char *more = realloc(*buf, c);
        if (!more)
            return false;
        *buf = more;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

static void oom(sheet_state *st) { stop(&st->job, sl_fail(st->job.err, SL_ERR_NO_MEMORY, NULL, "out of memory")); }

/* Makes room for cells up to `col` (0-based), filling gaps with "". */
static bool row_reach(sheet_state *st, uint32_t col)
{
    while (st->cell_count <= col) {
        if (st->cell_count == st->cell_cap) {
            size_t cap = st->cell_cap ? st->cell_cap * 2 : 64;
            size_t *at = realloc(st->cell_at, cap * sizeof *at);
            if (!at)
                return false;
            st->cell_at = at;
            st->cell_cap = cap;
        }
        st->cell_at[st->cell_count++] = st->row_len;
        if (!text_append(&st->row_text, &st->row_len, &st->row_cap, "", 1))
            return false;
        st->row_len++; /* keep the NUL as the separator */
    }
    return true;
}

static void flush_row(sheet_state *st)
{
    /* Trailing empty cells are not part of the row. */
    size_t n = st->cell_count;
    while (n && st->row_text[st->cell_at[n - 1]] == '\0')
        n--;
    if (n == 0)
        return;
    const char **cells = realloc(st->cells, n * sizeof *cells);
    if (cells)
        st->cells = cells;
    size_t *lengths = realloc(st->lengths, n * sizeof *lengths);
    if (lengths)
        st->lengths = lengths;
    if (!cells || !lengths) {
        oom(st);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        st->cells[i] = st->row_text + st->cell_at[i];
        st->lengths[i] = strlen(st->cells[i]);
    }
    ingest_row row = {.number = st->row, .count = n, .cells = st->cells, .lengths = st->lengths};
    sl_status s = st->sink(st->ctx, &row, st->job.err);
    if (s != SL_OK)
        stop(&st->job, s);
}

static void XMLCALL sheet_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    sheet_state *st = data;
    xlsx_book *b = st->job.book;
    const char *name = local(el);
    if (strcmp(name, "row") == 0) {
        const char *r = attr(atts, "r");
        st->row = r ? strtoull(r, NULL, 10) : st->row + 1;
        st->in_row = true;
        st->cell_count = 0;
        st->row_len = 0;
        st->col = 0;
    } else if (strcmp(name, "c") == 0 && st->in_row) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        uint64_t row;
        uint32_t col = (uint32_t)st->cell_count; /* no reference: the next column */
        if (r && !cell_ref(r, &col, &row)) {
            stop(&st->job, fail_at(b, st->job.err, SL_ERR_PARSE, st->row, 0,
                                   "a malformed cell reference \"%.16s\"", r));
            return;
        }
        if (col >= b->limits.max_columns) {
            stop(&st->job, fail_at(b, st->job.err, SL_ERR_LIMIT, st->row, (uint64_t)col + 1,
                                   "a cell in column %u, beyond the limit of %u columns "
                                   "(max_columns)",
                                   col + 1, b->limits.max_columns));
            return;
        }
        if (++st->cells_seen > b->limits.max_cells) {
            stop(&st->job, fail_at(b, st->job.err, SL_ERR_LIMIT, st->row, (uint64_t)col + 1,
                                   "the sheet has more than %llu cells (max_cells); split the "
                                   "export into shorter periods",
                                   (unsigned long long)b->limits.max_cells));
            return;
        }
        st->col = col;
        snprintf(st->type, sizeof st->type, "%s", t ? t : "n");
        st->style = s ? strtol(s, NULL, 10) : -1;
        st->in_cell = true;
        st->text_len = 0;
        if (st->text)
            st->text[0] = '\0';
    } else if (st->in_cell && (strcmp(name, "v") == 0 || (strcmp(name, "t") == 0 && st->in_inline))) {
        st->in_value = true;
    } else if (st->in_cell && strcmp(name, "is") == 0) {
        st->in_inline = true;
    } else if (st->in_cell && strcmp(name, "rPh") == 0) {
        st->in_value = false;
    }
}

static void XMLCALL sheet_text(void *data, const XML_Char *s, int len)
{
    sheet_state *st = data;
    if (!st->in_value)
        return;
    if (st->text_len + (size_t)len > st->job.book->limits.max_string) {
        stop(&st->job, fail_at(st->job.book, st->job.err, SL_ERR_LIMIT, st->row,
                               (uint64_t)st->col + 1,
                               "a cell holds more than %zu bytes of text (max_string)",
                               st->job.book->limits.max_string));
        return;
    }
    if (!text_append(&st->text, &st->text_len, &st->text_cap, s, (size_t)len))
        oom(st);
}

/* Excel's serial day number (1900 system, with its fake 29 February 1900)
 * as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS". */
static bool serial_to_date(double serial, bool date1904, char *out, size_t size)
{
    if (!(serial >= 0 && serial < 2958466))
        return false;
    double days = floor(serial);
    long secs = lround((serial - days) * 86400.0);
    if (secs >= 86400)
        days += 1, secs -= 86400;
    int y, m, d;
    sl_civil_from_days(sl_days_from_excel((long)days, date1904), &y, &m, &d);
    if (y < 1900 || y > 9999)
        return false;
    if (secs)
        snprintf(out, size, "%04d-%02d-%02d %02ld:%02ld:%02ld", y % 10000, m % 13, d % 32,
                 secs / 3600 % 24, secs / 60 % 60, secs % 60);
    else
        snprintf(out, size, "%04d-%02d-%02d", y % 10000, m % 13, d % 32);
    return true;
}

static void finish_cell(sheet_state *st)
{
    xlsx_book *b = st->job.book;
    const char *value = st->text ? st->text : "";
    char tmp[32];
    if (strcmp(st->type, "s") == 0) {
        char *end;
        unsigned long long i = strtoull(value, &end, 10);
        if (end == value || *end || i >= b->string_count) {
            stop(&st->job, fail_at(b, st->job.err, SL_ERR_PARSE, st->row, (uint64_t)st->col + 1,
                                   "a cell refers to shared string \"%.16s\", which the "
                                   "workbook does not have",
                                   value));
            return;
        }
        value = b->strings + b->string_at[i];
    } else if (strcmp(st->type, "b") == 0) {
        value = strcmp(value, "1") == 0 ? "TRUE" : "FALSE";
    } else if (strcmp(st->type, "n") == 0 && st->style >= 0 && (size_t)st->style < b->xf_count &&
               b->xf_is_date[st->style] && *value) {
        char *end;
        double serial = strtod(value, &end);
        if (!*end && serial_to_date(serial, b->date1904, tmp, sizeof tmp))
            value = tmp;
    }
    /* Cells come left to right (the format requires it); a cell left of
     * one already read would be lost, so it is an error. */
    if (st->col < st->cell_count) {
        stop(&st->job, fail_at(b, st->job.err, SL_ERR_PARSE, st->row, (uint64_t)st->col + 1,
                               "the row lists its cells out of order"));
        return;
    }
    if (!row_reach(st, st->col)) {
        oom(st);
        return;
    }
    st->row_len = st->cell_at[st->col];
    if (!text_append(&st->row_text, &st->row_len, &st->row_cap, value, strlen(value)))
        oom(st);
    else
        st->row_len++; /* keep the NUL */
}

static void XMLCALL sheet_end(void *data, const XML_Char *el)
{
    sheet_state *st = data;
    const char *name = local(el);
    if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0) {
        st->in_value = false;
    } else if (strcmp(name, "is") == 0) {
        st->in_inline = false;
    } else if (strcmp(name, "c") == 0 && st->in_cell) {
        st->in_cell = false;
        finish_cell(st);
    } else if (strcmp(name, "row") == 0 && st->in_row) {
        st->in_row = false;
        flush_row(st);
    }
}

sl_status xlsx_read_sheet(xlsx_book *b, size_t index, ingest_sink sink, void *ctx, sl_error *err)
{
    if (index >= b->sheet_count)
        return fail_at(b, err, SL_ERR_NOT_FOUND, 0, 0, "the workbook has no sheet %zu", index + 1);
    sheet_state st = {.job = {.book = b, .err = err}, .sink = sink, .ctx = ctx};
    sl_status status = run_parser(&st.job, &st, sheet_start, sheet_end, sheet_text,
                                  b->sheets[index].path, false);
    free(st.text);
    free(st.row_text);
    free(st.cell_at);
    free(st.cells);
    free(st.lengths);
    return status;
}
