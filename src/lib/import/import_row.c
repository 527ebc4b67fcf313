/*
 * import_row.c — one data row of an export into canonical values.
 *
 * The plan (import_header.c, import_map.c, import_survey.c) has already
 * decided what every column means and how its cells are written; here each
 * cell is read by those decisions.  A cell that cannot be read costs its
 * own field, not the row: it is logged per column and the row's other
 * counts are kept.  A row is bad only when its key cannot be read or its
 * counts contradict each other (or, with --strict, at the first unreadable
 * cell).
 */
#include "import.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


static row_outcome bad(sl_row_issue *issue, const char *file, const ingest_row *row, size_t c,
                       const import_plan *plan, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static row_outcome bad(sl_row_issue *issue, const char *file, const ingest_row *row, size_t c,
                       const import_plan *plan, const char *fmt, ...)
{
    memset(issue, 0, sizeof *issue);
    snprintf(issue->file, sizeof issue->file, "%s", file);
    issue->row = row->number;
    issue->column = c + 1;
    if (c < plan->column_count)
        snprintf(issue->header, sizeof issue->header, "%s", plan->columns[c].header);
    if (c < row->count)
        snprintf(issue->value, sizeof issue->value, "%s", row->cells[c]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(issue->message, sizeof issue->message, fmt, ap);
    va_end(ap);
    return ROW_BAD;
}

/* Plain digits, the common case of a count: no call into the full parser. */
static inline bool fast_whole(const char *t, size_t len, uint64_t *out)
{
    if (len == 0 || len > 15)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(t[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* "163.46", "12.5", "7": money written with at most two decimals, as exact
 * hundredths (sums of such amounts stay exact). */
static inline bool fast_hundredths(const char *t, size_t len, int64_t *out)
{
    if (len == 0 || len > 15)
        return false;
    int64_t v = 0;
    size_t i = 0, decimals = 0;
    bool point = false;
    for (; i < len; i++) {
        char ch = t[i];
        if (ch == '.' && !point && i > 0) {
            point = true;
            continue;
        }
        unsigned d = (unsigned)(ch - '0');
        if (d > 9)
            return false;
        if (point && ++decimals > 2)
            return false;
        v = v * 10 + d;
    }
    if (point && decimals == 0)
        return false;
    for (; decimals < 2; decimals++)
        v *= 10;
    *out = v;
    return true;
}

/* Reads cell c for field f, which is `what` ("a count", "an amount"):
 * ROW_OK with *v set (kind SL_VALUE_ABSENT for a missing-value marker), or
 * the bad row when the cell is no number or a percent or duration. */
static row_outcome cell_number(const import_plan *plan, const char *file, const ingest_row *row,
                               size_t c, sl_field f, const char *what, sl_value *v,
                               sl_row_issue *issue)
{
    sl_error e;
    if (sl_parse_value_as(row->cells[c], plan->columns[c].currency, plan->columns[c].decimal, v,
                          &e) != SL_OK)
        return bad(issue, file, row, c, plan, "%s", e.message);
    if (v->kind == SL_VALUE_PERCENT || v->kind == SL_VALUE_DURATION)
        return bad(issue, file, row, c, plan, "%s is %s, but the cell holds a %s",
                   sl_field_label(f), what, sl_value_kind_name(v->kind));
    return ROW_OK;
}

static row_outcome convert_count(const import_plan *plan, const char *file, const ingest_row *row,
                                 size_t c, sl_field f, row_values *out, sl_row_issue *issue)
{
    sl_value v;
    row_outcome r = cell_number(plan, file, row, c, f, "a count", &v, issue);
    if (r != ROW_OK || v.kind == SL_VALUE_ABSENT)
        return r;
    double x = v.number;
    if (v.ambiguous && x != floor(x))
        x = round(x * 1000.0); /* "154.530" in a count column groups thousands */
    if (x < 0)
        return bad(issue, file, row, c, plan, "%s cannot be negative", sl_field_label(f));
    if (x != floor(x))
        return bad(issue, file, row, c, plan, "%s must be a whole number", sl_field_label(f));
    if (x > SL_MAX_COUNT)
        return bad(issue, file, row, c, plan, "%s is above 2^53, the largest exact count",
                   sl_field_label(f));
    out->count[f] = (uint64_t)x;
    out->present |= 1u << f;
    return ROW_OK;
}

static row_outcome convert_money(const import_plan *plan, const char *file, const ingest_row *row,
                                 size_t c, sl_field f, row_values *out, sl_row_issue *issue)
{
    sl_value v;
    row_outcome r = cell_number(plan, file, row, c, f, "an amount", &v, issue);
    if (r != ROW_OK || v.kind == SL_VALUE_ABSENT)
        return r;
    if (v.number < 0)
        return bad(issue, file, row, c, plan, "%s cannot be negative", sl_field_label(f));
    if (sl_money_hundredths(v.number, &out->hundredths[f])) {
        out->money_exact |= 1u << f;
    } else {
        out->money[f] = v.number;
    }
    out->present |= 1u << f;
    return ROW_OK;
}

static row_outcome convert_rate(const import_plan *plan, const char *file, const ingest_row *row,
                                size_t c, sl_rate_id id, row_values *out, sl_row_issue *issue)
{
    sl_value v;
    sl_error e;
    if (sl_parse_value_as(row->cells[c], plan->columns[c].currency, plan->columns[c].decimal, &v,
                          &e) != SL_OK)
        return bad(issue, file, row, c, plan, "%s", e.message);
    if (v.kind == SL_VALUE_ABSENT)
        return ROW_OK;
    if (v.kind == SL_VALUE_DURATION)
        return bad(issue, file, row, c, plan, "%s is a rate, but the cell holds a duration",
                   sl_rate_label(id));
    double x = v.number;
    bool proportion = id != SL_RATE_GPM && id != SL_RATE_AOV;
    /* A bare number is a percent or a fraction as the column's cells showed
     * (checked against the counts where the file has them). */
    if (proportion && v.kind != SL_VALUE_PERCENT && plan->columns[c].percent_units)
        x /= 100.0;
    if (x < 0)
        return bad(issue, file, row, c, plan, "%s cannot be negative", sl_rate_label(id));
    out->reported[id] = x;
    out->reported_present |= 1u << id;
    return ROW_OK;
}

static row_outcome convert_key(const import_plan *plan, const char *file, const ingest_row *row,
                               size_t c, sl_dimension dim, row_values *out, sl_row_issue *issue)
{
    const char *t = row->cells[c];
    size_t len = row->lengths[c];
    while (len && (*t == ' ' || *t == '\t'))
        t++, len--;
    while (len && (t[len - 1] == ' ' || t[len - 1] == '\t'))
        len--;
    char *key = out->key[dim];
    key[0] = '\0';
    if (len == 0)
        return ROW_OK;
    if (dim == SL_DIM_DAY) {
        char tmp[SL_MAX_ID];
        bool amb;
        size_t n = len < sizeof tmp ? len : sizeof tmp - 1; /* memcpy: once per row */
        memcpy(tmp, t, n);
        tmp[n] = '\0';
        if (!import_parse_day(tmp, plan->day_order, key, &amb))
            return bad(issue, file, row, c, plan,
                       amb ? "the day and month of this date could be either way round; "
                             "re-export with ISO dates (YYYY-MM-DD)"
                           : "not a date ShopLab can read (expected e.g. 2026-09-28)");
        return ROW_OK;
    }
    /* A video link ("https://www.tiktok.com/@shop/video/7400…") names its
     * video by the ID in it. */
    const char *id = NULL;
    for (size_t i = 0; dim == SL_DIM_VIDEO && i + 7 < len && !id; i++)
        if (t[i] == '/' && memcmp(t + i, "/video/", 7) == 0)
            id = t + i + 7;
    if (id) {
        size_t n = 0;
        while (id + n < t + len && isdigit((unsigned char)id[n]))
            n++;
        if (n >= 10 && n < SL_MAX_ID) {
            memcpy(key, id, n);
            key[n] = '\0';
            return ROW_OK;
        }
    }
    if (len >= SL_MAX_ID)
        return bad(issue, file, row, c, plan, "a key longer than %d bytes", SL_MAX_ID - 1);
    if (dim != SL_DIM_CREATOR && isdigit((unsigned char)t[0])) {
        char tmp[SL_MAX_ID];
        memcpy(tmp, t, len);
        tmp[len] = '\0';
        sl_error e;
        bool digits = true;
        for (size_t i = 0; i < len; i++)
            digits &= isdigit((unsigned char)t[i]) || t[i] == '.' || t[i] == 'E' ||
                      t[i] == 'e' || t[i] == '+';
        if (digits) {
            if (sl_parse_id(tmp, key, SL_MAX_ID, &e) != SL_OK)
                return bad(issue, file, row, c, plan, "%s", e.message);
            return ROW_OK;
        }
    }
    memcpy(key, t, len);
    key[len] = '\0';
    return ROW_OK;
}

/* "Name (1234567890123456789)": the digits in the last brackets, 10 or
 * more of them; the name before them goes to `name_len`. */
static bool id_in_brackets(const char *t, size_t len, const char **id, size_t *id_len,
                           size_t *name_len)
{
    while (len && t[len - 1] == ' ')
        len--;
    if (len < 12 || t[len - 1] != ')')
        return false;
    size_t close = len - 1, open = close;
    while (open > 0 && isdigit((unsigned char)t[open - 1]))
        open--;
    if (open == 0 || t[open - 1] != '(' || close - open < 10 || close - open >= SL_MAX_ID)
        return false;
    *id = t + open;
    *id_len = close - open;
    size_t n = open - 1;
    while (n && t[n - 1] == ' ')
        n--;
    *name_len = n;
    return true;
}

/* A LIVE without a room ID: its title and start time name it. */
static row_outcome live_key(const import_plan *plan, const char *file, const ingest_row *row,
                            row_values *out, sl_row_issue *issue)
{
    char *key = out->key[SL_DIM_LIVE];
    key[0] = '\0';
    size_t tc = (size_t)plan->time_col;
    if (tc >= row->count || !row->lengths[tc])
        return ROW_OK;
    char when[17], text[SL_MAX_ID];
    bool amb;
    snprintf(text, sizeof text, "%s", row->cells[tc]);
    if (!import_parse_time(text, plan->day_order, when, &amb))
        return bad(issue, file, row, tc, plan,
                   amb ? "the day and month of this start time could be either way round"
                       : "not a start time ShopLab can read (expected e.g. 2026-06-01 19:30)");
    const char *title = "";
    size_t title_len = 0;
    if (plan->label_col >= 0 && (size_t)plan->label_col < row->count) {
        title = row->cells[plan->label_col];
        title_len = row->lengths[plan->label_col];
    }
    /* The start time first: it is what tells two LIVEs of one title apart,
     * and the key must fit SL_MAX_ID. */
    size_t room = SL_MAX_ID - strlen(when) - 2;
    size_t n = title_len < room ? title_len : room;
    while (n < title_len && n && ((unsigned char)title[n] & 0xC0) == 0x80)
        n--;
    snprintf(key, SL_MAX_ID, "%s %.*s", when, (int)n, title);
    return ROW_OK;
}

/* A video without an ID: its post day (when the file has one) and title. */
static void video_key(const import_plan *plan, const ingest_row *row, row_values *out)
{
    char *key = out->key[SL_DIM_VIDEO];
    key[0] = '\0';
    size_t lc = (size_t)plan->label_col;
    if (lc >= row->count || !row->lengths[lc])
        return;
    char day[11] = "";
    int dc = plan->key_col[SL_DIM_DAY];
    bool amb;
    if (dc >= 0 && (size_t)dc < row->count) {
        char text[SL_MAX_ID];
        snprintf(text, sizeof text, "%s", row->cells[dc]);
        if (!import_parse_day(text, plan->day_order, day, &amb))
            day[0] = '\0';
    }
    const char *title = row->cells[lc];
    size_t title_len = row->lengths[lc];
    size_t room = SL_MAX_ID - strlen(day) - 2;
    size_t n = title_len < room ? title_len : room;
    while (n < title_len && n && ((unsigned char)title[n] & 0xC0) == 0x80)
        n--;
    snprintf(key, SL_MAX_ID, "%s%s%.*s", day, day[0] ? " " : "", (int)n, title);
}

/* Logs an unreadable cell (its field stays missing), or makes the row bad
 * under --strict. */
static bool cell_failed(const import_plan *plan, bool strict, cell_log *cells, size_t c,
                        const sl_row_issue *issue)
{
    if (strict || !cells)
        return false;
    cells->total++;
    if (cells->per_column && c < plan->column_count)
        cells->per_column[c]++;
    if (cells->issue_count < SL_REPORT_MAX_ISSUES)
        cells->issues[cells->issue_count++] = *issue;
    return true;
}

/* The first non-empty cell among the first three says what a row is. */
static row_word first_word(const ingest_row *row)
{
    const sl_content *content = sl_content_builtin(NULL);
    for (size_t c = 0; c < row->count && c < 3; c++)
        if (row->lengths[c])
            return import_row_word(content, row->cells[c]);
    return ROW_WORD_NONE;
}

/* What kind of row it is before any cell is read: empty (or a lone title
 * cell), a summary row (total, average, percent change), or data.  Sets
 * *filled to the cells with text, counted up to 2. */
static row_outcome row_kind(const ingest_row *row, size_t *filled)
{
    size_t n = 0;
    for (size_t c = 0; c < row->count && n < 2; c++)
        n += row->lengths[c] != 0;
    *filled = n;
    if (n == 0)
        return ROW_EMPTY;
    if (row->count && !isdigit((unsigned char)row->cells[0][0])) {
        row_word w = first_word(row);
        if (w == ROW_WORD_TOTAL || w == ROW_WORD_AVERAGE || w == ROW_WORD_CHANGE)
            return ROW_SUMMARY;
        if (w == ROW_WORD_TITLE && n == 1)
            return ROW_EMPTY;
    }
    return ROW_OK;
}

/* An unreadable key: the row's end when the key is vital (or `strict`),
 * else only its cell's, logged, with the key left empty.  A stored import
 * reads every key, and one unreadable post date must not cost the row
 * that a read grouped by video keeps. */
static row_outcome key_failed(const import_plan *plan, row_outcome r, bool vital, bool strict,
                              cell_log *cells, const sl_row_issue *issue, char *key)
{
    size_t column = issue->column ? (size_t)issue->column - 1 : 0;
    if (r != ROW_BAD || vital || !cell_failed(plan, strict, cells, column, issue))
        return r;
    key[0] = '\0';
    return ROW_OK;
}

/* The keys in `need_keys`; *any_key says whether one was found. */
static row_outcome convert_keys(const import_plan *plan, const char *file,
                                const ingest_row *row, uint32_t need_keys, uint32_t vital_keys,
                                bool strict, row_values *out, sl_row_issue *issue,
                                cell_log *cells, bool *any_key)
{
    row_outcome r;
    for (int k = 0; k < SL_DIM__COUNT; k++) {
        const bool vital = vital_keys & (1u << k);
        out->key[k][0] = '\0';
        if (!(need_keys & (1u << k)))
            continue;
        if (k == SL_DIM_VIDEO && plan->video_from_title) {
            video_key(plan, row, out);
            *any_key |= out->key[k][0] != '\0';
            continue;
        }
        if (k == SL_DIM_LIVE && plan->live_from_title) {
            r = live_key(plan, file, row, out, issue);
            if (r != ROW_OK &&
                (r = key_failed(plan, r, vital, strict, cells, issue, out->key[k])) != ROW_OK)
                return r;
            *any_key |= out->key[k][0] != '\0';
            continue;
        }
        int c = plan->key_col[k];
        if (k == SL_DIM_PRODUCT && c < 0 && plan->id_in_label)
            c = plan->label_col;
        if (c < 0 || (size_t)c >= row->count)
            continue;
        if (k == SL_DIM_PRODUCT && plan->id_in_label) {
            const char *id;
            size_t id_len, name_len;
            if (id_in_brackets(row->cells[c], row->lengths[c], &id, &id_len, &name_len)) {
                memcpy(out->key[k], id, id_len);
                out->key[k][id_len] = '\0';
                *any_key = true;
                continue;
            }
        }
        r = convert_key(plan, file, row, (size_t)c, (sl_dimension)k, out, issue);
        if (r != ROW_OK &&
            (r = key_failed(plan, r, vital, strict, cells, issue, out->key[k])) != ROW_OK)
            return r;
        *any_key |= out->key[k][0] != '\0';
    }
    return ROW_OK;
}

/* The counts, money and reported rates.  An unreadable cell costs its
 * field (cell_failed logs it) unless `strict`. */
static row_outcome convert_values(const import_plan *plan, const char *file,
                                  const ingest_row *row, bool strict, row_values *out,
                                  sl_row_issue *issue, cell_log *cells)
{
    row_outcome r;
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        int c = plan->field_col[f];
        if (c < 0 || (size_t)c >= row->count || row->lengths[c] == 0)
            continue;
        /* Plain digits first, inline: the bulk feeds are nothing else. */
        const char *t = row->cells[c];
        size_t len = row->lengths[c];
        if (SL_MONEY_FIELDS & (1u << f)) {
            if (plan->columns[c].decimal != ',' && fast_hundredths(t, len, &out->hundredths[f])) {
                out->money_exact |= 1u << f;
                out->present |= 1u << f;
                continue;
            }
            r = convert_money(plan, file, row, (size_t)c, (sl_field)f, out, issue);
        } else {
            if (fast_whole(t, len, &out->count[f])) {
                out->present |= 1u << f;
                continue;
            }
            r = convert_count(plan, file, row, (size_t)c, (sl_field)f, out, issue);
        }
        if (r != ROW_OK && !cell_failed(plan, strict, cells, (size_t)c, issue))
            return r;
    }
    for (int id = 0; id < SL_RATE__COUNT; id++) {
        int c = plan->rate_col[id];
        if (c < 0 || (size_t)c >= row->count || row->lengths[c] == 0)
            continue;
        r = convert_rate(plan, file, row, (size_t)c, (sl_rate_id)id, out, issue);
        if (r != ROW_OK && !cell_failed(plan, strict, cells, (size_t)c, issue))
            return r;
    }
    return ROW_OK;
}

/* The row's title, without a product ID written inside it. */
static void row_label(const import_plan *plan, const ingest_row *row, row_values *out)
{
    if (plan->label_col < 0 || (size_t)plan->label_col >= row->count)
        return;
    out->label = row->cells[plan->label_col];
    out->label_len = row->lengths[plan->label_col];
    const char *id;
    size_t id_len, name_len;
    if (plan->id_in_label && id_in_brackets(out->label, out->label_len, &id, &id_len, &name_len))
        out->label_len = name_len;
}

row_outcome import_convert_row(const import_plan *plan, const char *file, const ingest_row *row,
                               uint32_t need_keys, uint32_t vital_keys, bool strict,
                               row_values *out, sl_row_issue *issue, cell_log *cells)
{
    out->present = 0;
    out->money_exact = 0;
    out->reported_present = 0;
    out->label = NULL;
    out->label_len = 0;
    size_t filled;
    row_outcome r = row_kind(row, &filled);
    if (r != ROW_OK)
        return r;
    bool any_key = false;
    if ((r = convert_keys(plan, file, row, need_keys, vital_keys, strict, out, issue, cells,
                          &any_key)) != ROW_OK ||
        (r = convert_values(plan, file, row, strict, out, issue, cells)) != ROW_OK)
        return r;
    row_label(plan, row, out);
    /* A note under the table: no key, no value, one or two cells of text. */
    if (!any_key && !out->present && !out->reported_present && filled < 2 && need_keys)
        return ROW_EMPTY;
    /* Inconsistent counts are errors, never clamped. */
    uint32_t need = (1u << SL_FIELD_PRODUCT_CLICKS) | (1u << SL_FIELD_PRODUCT_IMPRESSIONS);
    if ((out->present & need) == need &&
        out->count[SL_FIELD_PRODUCT_CLICKS] > out->count[SL_FIELD_PRODUCT_IMPRESSIONS])
        return bad(issue, file, row, (size_t)plan->field_col[SL_FIELD_PRODUCT_CLICKS], plan,
                   "product clicks (%llu) exceed product impressions (%llu)",
                   (unsigned long long)out->count[SL_FIELD_PRODUCT_CLICKS],
                   (unsigned long long)out->count[SL_FIELD_PRODUCT_IMPRESSIONS]);
    return ROW_OK;
}
