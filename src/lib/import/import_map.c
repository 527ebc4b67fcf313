/*
 * import_map.c — from a file's first rows to a column plan.
 *
 * The rows of a sheet are held (up to IMPORT_SURVEY_ROWS) before anything is
 * decided.  Every row among the first IMPORT_HEADER_SCAN_ROWS that names at
 * least two known columns is a header row; a sheet may hold several tables
 * (a summary with its total and percent-change rows, then one row per day),
 * and the report reads the table with the most data rows.  Rows above it are
 * the preamble (the report's period is read there), a row right above the
 * header that repeats labels over spans of columns is a section band, and a
 * row right below it whose numeric columns hold only text is a description
 * row.  Then import_survey.c decides how each column's cells are written.
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

static void expected_fields(char *out, size_t size)
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
    expected_fields(expected, sizeof expected);
    return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){file, 0, 0, NULL},
                      "no header in the first %d rows (found %s); expected columns such as %s",
                      IMPORT_HEADER_SCAN_ROWS, w ? found : "no text", expected);
}

/* ---- the plan ---- */

static sl_parser field_parser(sl_field f)
{
    return sl_field_is_money(f) ? SL_PARSER_MONEY : SL_PARSER_COUNT;
}

static bool is_channel(const sl_content *content, const sl_column *col)
{
    return col->section[0] && !import_is_all_band(content, col->section);
}

/* Notes a channel band's column for a field (the first of each wins). */
static void add_channel_column(import_plan *plan, const char *band, sl_field f, int c)
{
    size_t i = 0;
    while (i < plan->channel_count && strcmp(plan->channel_name[i], band) != 0)
        i++;
    if (i == plan->channel_count) {
        if (i == SL_MAX_CHANNELS)
            return;
        snprintf(plan->channel_name[i], sizeof plan->channel_name[i], "%s", band);
        for (int k = 0; k < SL_FIELD__COUNT; k++)
            plan->channel_col[i][k] = -1;
        plan->channel_count++;
    }
    if (plan->channel_col[i][f] < 0)
        plan->channel_col[i][f] = c;
}

/* Maps every column of header row `header` (band row `band` above it, or
 * none when band == header). */
static sl_status map_columns(const sl_content *content, const held_rows *held, size_t header,
                             bool band, import_plan *plan, sl_error *err)
{
    size_t ncols = held->cells[header];
    plan->columns = calloc(ncols ? ncols : 1, sizeof *plan->columns);
    if (!plan->columns)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    plan->column_count = ncols;
    int key_priority[ROLE_TIME + 1];
    for (int k = 0; k <= ROLE_TIME; k++)
        key_priority[k] = 1 << 30;
    const char *section = "";
    for (size_t c = 0; c < ncols; c++) {
        sl_column *col = &plan->columns[c];
        col->index = (uint32_t)c;
        col->parser = SL_PARSER_NONE;
        import_tidy_header(held->text[header][c], col->header, sizeof col->header, false);
        if (band && c < held->cells[header - 1] && held->text[header - 1][c][0])
            section = held->text[header - 1][c];
        snprintf(col->section, sizeof col->section, "%s", section);
        header_match m;
        if (!col->header[0]) {
            col->note = "no header";
            continue;
        }
        const sl_vocab *guess = NULL;
        if (!import_match_header(content, col->header, &m) &&
            !import_guess_header(content, col->header, &m, &guess)) {
            col->note = "not a header ShopLab knows";
            continue;
        }
        if (guess) {
            col->guessed = true;
            snprintf(col->how, sizeof col->how,
                     "its words contain every word of \"%.60s\" (%s); check it",
                     guess->header, guess->what);
        }
        memcpy(col->currency, m.currency, sizeof col->currency);
        if (m.role >= 0 && !m.term) {
            int role = m.role;
            if (m.priority >= key_priority[role]) {
                col->note = role == ROLE_LABEL ? "another title column is used"
                            : role == ROLE_TIME ? "another start-time column is used"
                                                : "another key column of this kind is used";
                continue;
            }
            /* A better key column demotes the one chosen before. */
            int old = role == ROLE_LABEL  ? plan->label_col
                      : role == ROLE_TIME ? plan->time_col
                                          : plan->key_col[role];
            if (old >= 0) {
                plan->columns[old].role = SL_COLUMN_EXTRA;
                plan->columns[old].note = role == ROLE_LABEL ? "another title column is used"
                                                             : "another key column of this kind is used";
                plan->columns[old].parser = SL_PARSER_NONE;
            }
            key_priority[role] = m.priority;
            if (role == ROLE_LABEL) {
                col->role = SL_COLUMN_LABEL;
                col->parser = SL_PARSER_TEXT;
                plan->label_col = (int)c;
                plan->label_video_title = m.video_title;
            } else if (role == ROLE_TIME) {
                /* A start time: the LIVE's day, and with its title its name. */
                col->role = SL_COLUMN_KEY;
                col->dimension = SL_DIM_DAY;
                col->parser = SL_PARSER_TIME;
                plan->time_col = (int)c;
            } else {
                col->role = SL_COLUMN_KEY;
                col->dimension = (sl_dimension)role;
                col->parser = role == SL_DIM_DAY       ? SL_PARSER_DAY
                              : role == SL_DIM_CREATOR ? SL_PARSER_TEXT
                                                       : SL_PARSER_ID;
                plan->key_col[role] = (int)c;
                if (role == SL_DIM_DAY)
                    plan->day_order = m.order;
            }
            continue;
        }
        if (!m.term) {
            col->note = "a real export column ShopLab does not compute with";
            continue;
        }
        col->term = m.term->slug;
        const char *named_channel = import_channel_of(col->header);
        if (named_channel && !col->section[0])
            snprintf(col->section, sizeof col->section, "%s", named_channel);
        bool channel = is_channel(content, col);
        sl_rate_id rate;
        if (m.term->field) {
            sl_field f = SL_FIELD__COUNT;
            for (int k = 0; k < SL_FIELD__COUNT; k++)
                if (strcmp(sl_field_name((sl_field)k), m.term->field) == 0)
                    f = (sl_field)k;
            if (f == SL_FIELD__COUNT) {
                col->note = "not a funnel field";
            } else if (channel) {
                col->note = "one channel's share (section band), not the total";
                add_channel_column(plan, col->section, f, (int)c);
            } else if (plan->field_col[f] >= 0) {
                col->note = "same field as an earlier column";
            } else {
                col->role = SL_COLUMN_FIELD;
                col->field = f;
                col->parser = field_parser(f);
                plan->field_col[f] = (int)c;
            }
        } else if (m.term->kind == SL_TERM_METRIC && import_formula_rate(m.term->formula, &rate)) {
            if (channel) {
                col->note = "one channel's rate (section band), not the total";
            } else {
                /* Which rate it really is, the counts decide (import_survey.c);
                 * a second column of the same name is kept for that check. */
                col->role = SL_COLUMN_RATE;
                col->rate = rate;
                col->parser = SL_PARSER_RATE;
                col->percent_units = true;
            }
        } else {
            col->note = "a measure ShopLab shows in the glossary but does not compute with";
        }
    }
    /* A start time gives the LIVE's day when there is no day column, and
     * with the title names each LIVE when there is no room ID. */
    if (plan->time_col >= 0) {
        if (plan->key_col[SL_DIM_DAY] < 0)
            plan->key_col[SL_DIM_DAY] = plan->time_col;
        if (plan->key_col[SL_DIM_LIVE] < 0) {
            plan->live_from_title = true;
            plan->key_col[SL_DIM_LIVE] = plan->time_col;
            plan->columns[plan->time_col].dimension = SL_DIM_LIVE;
        }
    }
    /* A video list without video IDs: the post day and title name each video. */
    if (plan->key_col[SL_DIM_VIDEO] < 0 && plan->label_video_title && plan->label_col >= 0) {
        plan->video_from_title = true;
        plan->key_col[SL_DIM_VIDEO] = plan->label_col;
    }
    /* Stand-ins: a measure that counts as a field the file lacks. */
    for (size_t s = 0; s < import_stand_in_count(); s++) {
        const char *slug;
        sl_field f;
        import_stand_in(s, &slug, &f);
        if (plan->field_col[f] >= 0)
            continue;
        for (size_t c = 0; c < ncols; c++) {
            sl_column *col = &plan->columns[c];
            if (col->role == SL_COLUMN_EXTRA && col->term && !is_channel(content, col) &&
                strcmp(col->term, slug) == 0) {
                col->role = SL_COLUMN_FIELD;
                col->field = f;
                col->parser = field_parser(f);
                col->note = NULL;
                plan->field_col[f] = (int)c;
                break;
            }
        }
    }
    /* A guess is worth showing only where it is used. */
    for (size_t c = 0; c < ncols; c++) {
        sl_column *col = &plan->columns[c];
        if (col->guessed && col->role == SL_COLUMN_EXTRA) {
            col->guessed = false;
            col->how[0] = '\0';
            col->term = NULL;
            col->note = "not a header ShopLab knows";
        }
    }
    return SL_OK;
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

sl_status import_plan_build(const held_rows *held, const char *file, import_plan *plan,
                            sl_error *err)
{
    memset(plan, 0, sizeof *plan);
    for (int k = 0; k < SL_FIELD__COUNT; k++)
        plan->field_col[k] = -1;
    for (int k = 0; k < SL_RATE__COUNT; k++)
        plan->rate_col[k] = -1;
    for (int k = 0; k < SL_DIM__COUNT; k++)
        plan->key_col[k] = -1;
    plan->label_col = -1;
    plan->time_col = -1;
    sl_status st = import_names_ready(err);
    if (st != SL_OK)
        return st;
    const sl_content *content = sl_content_builtin_with_vocabulary(err);
    if (!content)
        return err ? err->code : SL_ERR_CONTENT;

    size_t headers[IMPORT_HEADER_SCAN_ROWS];
    int scores[IMPORT_HEADER_SCAN_ROWS];
    size_t n = header_rows(content, held, headers, scores, IMPORT_HEADER_SCAN_ROWS);
    if (n == 0)
        return no_header(held, file, err);
    /* The table with a row per key: the most data rows (a tie goes to the
     * later table, the daily rows below a summary). */
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
    size_t preamble_end = pick > 0 ? headers[0] : header;
    bool band = header > 0 && held->number[header - 1] + 1 == held->number[header] &&
                is_band_row(content, held, header - 1, header);
    if (band) {
        plan->band_row = held->number[header - 1];
        if (pick == 0)
            preamble_end = header - 1;
    }
    for (size_t i = 0; i < preamble_end && !plan->title[0]; i++)
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

    /* ShopLab's own practice files say so in their title; they are never a
     * real baseline. */
    char title_key[160];
    sl_normalise_key(plan->title, title_key, sizeof title_key, false);
    plan->practice = strstr(title_key, "practice") &&
                     (strstr(title_key, "invented") || strstr(title_key, "shoplab"));
    if ((st = map_columns(content, held, header, band, plan, err)) != SL_OK)
        return st;
    bool any_value = false;
    for (int k = 0; k < SL_FIELD__COUNT; k++)
        any_value |= plan->field_col[k] >= 0;
    for (size_t c = 0; c < plan->column_count; c++)
        any_value |= plan->columns[c].role == SL_COLUMN_RATE;
    if (!any_value) {
        char found[96] = "", expected[80];
        size_t w = 0;
        for (size_t c = 0; c < plan->column_count && w + 30 < sizeof found; c++)
            if (plan->columns[c].header[0])
                w += (size_t)snprintf(found + w, sizeof found - w, "%s\"%.20s\"", w ? ", " : "",
                                      plan->columns[c].header);
        expected_fields(expected, sizeof expected);
        sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){file, plan->header_row, 0, NULL},
                   "the header row has no count or rate column (found %s); expected columns "
                   "such as %s",
                   found, expected);
        import_plan_free(plan);
        return SL_ERR_UNRECOGNISED;
    }
    if ((st = import_survey(content, held, file, plan, err)) != SL_OK) {
        import_plan_free(plan);
        return st;
    }
    date_order order = plan->day_order;
    import_find_period(held, preamble_end, order, plan->period, sizeof plan->period);
    import_period_from_rows(held, plan, plan->period, sizeof plan->period);
    return SL_OK;
}

void import_plan_free(import_plan *plan)
{
    free(plan->columns);
    plan->columns = NULL;
    plan->column_count = 0;
}

bool import_is_description_row(const import_plan *plan, const ingest_row *row)
{
    size_t numbers = 0, texts = 0, long_text = 0, filled = 0;
    for (size_t c = 0; c < plan->column_count && c < row->count; c++) {
        const sl_column *col = &plan->columns[c];
        const char *t = row->cells[c];
        if (!t[0])
            continue;
        filled++;
        long_text += row->lengths[c] > 30 && strchr(t, ' ') != NULL;
        if (col->role != SL_COLUMN_FIELD && col->role != SL_COLUMN_RATE)
            continue;
        sl_value v;
        if (sl_parse_value_as(t, col->currency, col->decimal, &v, NULL) == SL_OK)
            numbers += v.kind != SL_VALUE_ABSENT;
        else
            texts++;
    }
    /* Text where the numbers go, and at least two such cells: one odd cell
     * in a real first row ("N/D") is an unreadable value, not a description. */
    if (numbers == 0 && texts >= 2)
        return true;
    /* Or mostly long free text (sentences describing the columns). */
    return filled > 0 && long_text * 2 > filled && numbers == 0;
}
