/*
 * import_header.c — from a file's first rows to its header row.
 *
 * The rows of a sheet are held (up to IMPORT_SURVEY_ROWS) before anything is
 * decided.  Every row among the first IMPORT_HEADER_SCAN_ROWS that names at
 * least two known columns is a header row; a sheet may hold several tables
 * (a summary with its total and percent-change rows, then one row per day),
 * and the report reads the table with the most data rows.  Rows above it are
 * the preamble (the report's title and period are read there), and a row
 * right above the header that repeats labels over spans of columns is a
 * section band.  import_map.c then maps the header's columns.
 */
#include "import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- held rows ---- */

sl_status held_rows_add(held_rows *held, const ingest_row *row, sl_error *err)
{
    if (held_rows_full(held))
        return SL_OK;
    if (held->count == held->cap) {
        size_t cap = held->cap ? held->cap * 2 : 64;
        uint64_t *number = realloc(held->number, cap * sizeof *number);
        if (number)
            held->number = number;
        size_t *cells = realloc(held->cells, cap * sizeof *cells);
        if (cells)
            held->cells = cells;
        char ***text = realloc(held->text, cap * sizeof *text);
        if (text)
            held->text = text;
        if (!number || !cells || !text)
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        held->cap = cap;
    }
    size_t i = held->count;
    char **text = calloc(row->count ? row->count : 1, sizeof *text);
    if (!text)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    for (size_t c = 0; c < row->count; c++) {
        text[c] = strdup(row->cells[c]);
        if (!text[c]) {
            for (size_t k = 0; k < c; k++)
                free(text[k]);
            free(text);
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        }
        held->bytes += row->lengths[c] + 1 + sizeof *text;
    }
    held->text[i] = text;
    held->cells[i] = row->count;
    held->number[i] = row->number;
    held->count++;
    return SL_OK;
}

bool held_rows_full(const held_rows *held)
{
    size_t limit = held->limit ? held->limit : IMPORT_SURVEY_ROWS;
    return held->count >= limit || held->bytes >= IMPORT_SURVEY_BYTES;
}

void held_rows_free(held_rows *held)
{
    for (size_t i = 0; i < held->count; i++) {
        for (size_t c = 0; c < held->cells[i]; c++)
            free(held->text[i][c]);
        free(held->text[i]);
    }
    free(held->number);
    free(held->cells);
    free(held->text);
    size_t limit = held->limit;
    memset(held, 0, sizeof *held);
    held->limit = limit;
}

void held_rows_get(const held_rows *held, size_t i, ingest_row *row, const char **cells,
                   size_t *lengths, size_t max_cells)
{
    size_t n = held->cells[i] < max_cells ? held->cells[i] : max_cells;
    for (size_t c = 0; c < n; c++) {
        cells[c] = held->text[i][c];
        lengths[c] = strlen(cells[c]);
    }
    row->number = held->number[i];
    row->count = n;
    row->cells = cells;
    row->lengths = lengths;
}

/* ---- header rows and tables ---- */

static int row_score(const sl_content *content, const held_rows *held, size_t i)
{
    int score = 0;
    header_match m;
    for (size_t c = 0; c < held->cells[i]; c++)
        score += import_match_header(content, held->text[i][c], &m);
    return score;
}

int import_header_score(const held_rows *held)
{
    const sl_content *content = sl_content_builtin(NULL);
    if (!content || import_names_ready(NULL) != SL_OK)
        return 0;
    int best = 0;
    for (size_t i = 0; i < held->count && i < IMPORT_HEADER_SCAN_ROWS; i++) {
        int s = row_score(content, held, i);
        if (s > best)
            best = s;
    }
    return best;
}

static size_t nonempty_cells(const held_rows *held, size_t i)
{
    size_t n = 0;
    for (size_t c = 0; c < held->cells[i]; c++)
        n += held->text[i][c][0] != '\0';
    return n;
}

/* A cheap first look before the full value parser: digits, with at most a
 * currency mark or a sign in front ("MX$1,234.50", "-5") and no letters
 * inside ("c1701", "v044192" and dates are not numbers). */
static bool looks_numeric(const char *t)
{
    while (*t == ' ')
        t++;
    const char *digit = t;
    while (*digit && !isdigit((unsigned char)*digit) && digit - t < 6)
        digit++;
    if (!isdigit((unsigned char)*digit))
        return false;
    if (digit > t) {
        char prefix[8], code[4];
        size_t n = (size_t)(digit - t);
        while (n && t[n - 1] == ' ')
            n--;
        if (n == 1 && isalpha((unsigned char)t[0]))
            return false; /* "c1701", "v044192": an ID, not an amount */
        memcpy(prefix, t, n);
        prefix[n] = '\0';
        if (strcmp(prefix, "-") != 0 && strcmp(prefix, "+") != 0 && !sl_currency_mark(prefix, code))
            return false;
    }
    /* Letters only as a suffix after the digits ("1.74K", "12JT", "5 MXN"). */
    const char *p = digit;
    while (*p && !isalpha((unsigned char)*p))
        p++;
    size_t suffix = 0;
    for (; *p; p++, suffix++)
        if (!isalpha((unsigned char)*p) && *p != ' ')
            return false;
    return suffix <= 4 && !strchr(digit, '-') && !strchr(digit, '/') && !strchr(digit, ':');
}

/* Rows of a table that look like data: two or more cells that read as
 * numbers, and a first cell that is not "Total" or "Cambio porcentual". */
static size_t data_like_rows(const sl_content *content, const held_rows *held, size_t from,
                             size_t to)
{
    size_t rows = 0;
    for (size_t i = from; i < to; i++) {
        size_t numbers = 0;
        bool summary = false;
        for (size_t c = 0; c < held->cells[i] && numbers < 2; c++) {
            const char *t = held->text[i][c];
            if (!t[0])
                continue;
            if (c < 3 && !summary) {
                row_word w = import_row_word(content, t);
                summary = w == ROW_WORD_TOTAL || w == ROW_WORD_AVERAGE || w == ROW_WORD_CHANGE;
            }
            numbers += looks_numeric(t);
        }
        rows += numbers >= 2 && !summary;
    }
    return rows;
}

/* A band row: right above the header, two or more labels, none of them a
 * known header or a date, either sparse (a label over the first column of
 * each section) or repeated over spans ("Todo, Todo, …, Afiliado, …"). */
static bool is_band_row(const sl_content *content, const held_rows *held, size_t band,
                        size_t header)
{
    size_t labels = nonempty_cells(held, band);
    if (labels < 2)
        return false;
    size_t distinct = 0;
    char dummy[11];
    bool amb;
    for (size_t c = 0; c < held->cells[band]; c++) {
        const char *t = held->text[band][c];
        if (!t[0])
            continue;
        header_match m;
        sl_value v;
        if (import_match_header(content, t, &m) || import_parse_day(t, DATE_ORDER_DMY, dummy, &amb) ||
            strchr(t, '~') || (sl_parse_value(t, NULL, &v, NULL) == SL_OK && v.kind != SL_VALUE_ABSENT))
            return false;
        size_t k = c;
        while (k > 0 && strcmp(held->text[band][k - 1], t) != 0)
            k--;
        distinct += k == 0;
    }
    bool sparse = labels * 2 <= nonempty_cells(held, header);
    bool spans = distinct >= 2 && distinct * 2 <= labels;
    return sparse || spans;
}

void import_expected_fields(char *out, size_t size)
{
    snprintf(out, size, "Views, Product impressions, Product clicks, Orders, GMV");
}

/* The header rows among the first rows, in order. */
static size_t header_rows(const sl_content *content, const held_rows *held, size_t *rows,
                          int *scores, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < held->count && i < IMPORT_HEADER_SCAN_ROWS && n < max; i++) {
        int s = row_score(content, held, i);
        if (s >= IMPORT_MIN_HEADER_MATCHES)
            rows[n] = i, scores[n++] = s;
    }
    return n;
}

static sl_status no_header(const held_rows *held, const char *file, sl_error *err)
{
    char found[96] = "", expected[80];
    size_t w = 0;
    for (size_t i = 0; i < held->count && i < IMPORT_HEADER_SCAN_ROWS && w + 30 < sizeof found; i++)
        for (size_t c = 0; c < held->cells[i] && w + 30 < sizeof found; c++)
            if (held->text[i][c][0])
                w += (size_t)snprintf(found + w, sizeof found - w, "%s\"%.20s\"", w ? ", " : "",
                                      held->text[i][c]);
    import_expected_fields(expected, sizeof expected);
    return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){file, 0, 0, NULL},
                      "no header in the first %d rows (found %s); expected columns such as %s",
                      IMPORT_HEADER_SCAN_ROWS, w ? found : "no text", expected);
}

/* The total row of another table (the summary above the daily rows): its
 * fields by that table's own header, for the cross-check of the sums. */
static void summary_total(const sl_content *content, const held_rows *held, size_t header,
                          size_t end, import_plan *plan)
{
    for (size_t i = header + 1; i < end; i++) {
        bool total = false;
        for (size_t c = 0; c < held->cells[i] && c < 3 && !total; c++)
            total = held->text[i][c][0] &&
                    import_row_word(content, held->text[i][c]) == ROW_WORD_TOTAL;
        if (!total)
            continue;
        for (size_t c = 0; c < held->cells[header] && c < held->cells[i]; c++) {
            header_match m;
            if (!import_match_header(content, held->text[header][c], &m) || !m.term ||
                !m.term->field)
                continue;
            for (int f = 0; f < SL_FIELD__COUNT; f++) {
                sl_value v;
                if (strcmp(sl_field_name((sl_field)f), m.term->field) != 0 ||
                    (plan->check_present & (1u << f)) ||
                    sl_parse_value(held->text[i][c], m.currency, &v, NULL) != SL_OK ||
                    (v.kind != SL_VALUE_NUMBER && v.kind != SL_VALUE_MONEY))
                    continue;
                plan->check[f] = v.number;
                plan->check_present |= 1u << f;
            }
        }
        if (plan->check_present)
            plan->check_row = held->number[i];
        return;
    }
}

/* Picks the table with a row per key among header rows `headers`: the most
 * data rows (a tie goes to the later table, the daily rows below a
 * summary).  Notes where it ends and another table's total row. */
static size_t pick_table(const sl_content *content, const held_rows *held,
                         const size_t *headers, const int *scores, size_t n,
                         import_plan *plan)
{
    size_t pick = 0, best_rows = 0;
    for (size_t t = 0; t < n; t++) {
        size_t end = t + 1 < n ? headers[t + 1] : held->count;
        size_t rows = data_like_rows(content, held, headers[t] + 1, end);
        if (t == 0 || rows >= best_rows)
            pick = t, best_rows = rows;
    }
    size_t header = headers[pick];
    plan->tables = (int)n;
    plan->score = scores[pick];
    plan->header_index = header;
    plan->header_row = held->number[header];
    if (pick + 1 < n) {
        plan->table_ends = true;
        plan->data_end = headers[pick + 1];
    }
    for (size_t t = 0; t < n; t++)
        if (t != pick && !plan->check_row)
            summary_total(content, held, headers[t], t + 1 < n ? headers[t + 1] : held->count,
                          plan);
    return pick;
}

/* The report's title: the first preamble text that is not a date, a
 * period or a row word.  ShopLab's own practice files say so in their
 * title; they are never a real baseline. */
static void preamble_title(const sl_content *content, const held_rows *held, size_t end,
                           import_plan *plan)
{
    for (size_t i = 0; i < end && !plan->title[0]; i++)
        for (size_t c = 0; c < held->cells[i] && !plan->title[0]; c++) {
            const char *t = held->text[i][c];
            bool amb;
            char day[11];
            const char *digit = t;
            while (*digit && !isdigit((unsigned char)*digit))
                digit++;
            if (t[0] && !strchr(t, '~') && !import_parse_day(t, DATE_ORDER_DMY, day, &amb) && !amb &&
                strncmp(t, "[Date Range]", 12) != 0 && !isdigit((unsigned char)t[0]) &&
                !(*digit && (import_parse_day(digit, DATE_ORDER_DMY, day, &amb) || amb)) &&
                import_row_word(content, t) != ROW_WORD_TITLE)
                snprintf(plan->title, sizeof plan->title, "%s", t);
        }
    char title_key[160];
    sl_normalise_key(plan->title, title_key, sizeof title_key, false);
    plan->practice = strstr(title_key, "practice") &&
                     (strstr(title_key, "invented") || strstr(title_key, "shoplab"));
}

sl_status import_find_header(const sl_content *content, const held_rows *held,
                             const char *file, import_plan *plan, import_header_place *out,
                             sl_error *err)
{
    size_t headers[IMPORT_HEADER_SCAN_ROWS];
    int scores[IMPORT_HEADER_SCAN_ROWS];
    size_t n = header_rows(content, held, headers, scores, IMPORT_HEADER_SCAN_ROWS);
    if (n == 0)
        return no_header(held, file, err);
    size_t pick = pick_table(content, held, headers, scores, n, plan);
    size_t header = headers[pick];
    size_t preamble_end = pick > 0 ? headers[0] : header;
    bool band = header > 0 && held->number[header - 1] + 1 == held->number[header] &&
                is_band_row(content, held, header - 1, header);
    if (band) {
        plan->band_row = held->number[header - 1];
        if (pick == 0)
            preamble_end = header - 1;
    }
    preamble_title(content, held, preamble_end, plan);
    *out = (import_header_place){header, band, preamble_end};
    return SL_OK;
}
