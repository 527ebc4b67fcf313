/*
 * import_map.c — from a file's first rows to a column plan, and from each
 * data row to canonical values.
 *
 * Header names are matched against the glossary (every term's name and
 * aliases: the one source for metric and count spellings) and against
 * content/import/columns.txt for key and label columns.  The header is the
 * row among the first 15 that matches the most names; rows above it are the
 * preamble (the report's period is read there), a sparse row right above it
 * is a section band (two-level headers), and a row right below it whose
 * numeric columns hold only text is a description row.
 */
#include "embedded.h"
#include "import.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* ---- content/import/columns.txt ---- */

#define MAX_COLUMN_ALIASES 96
#define MAX_STAND_INS 8
#define MAX_CHANNEL_HEADERS 48
#define ROLE_LABEL SL_DIM__COUNT    /* roles: the dimensions, then label */

typedef struct column_alias {
    char key[64];               /* normalised */
    int role;                   /* sl_dimension or ROLE_LABEL */
    int priority;               /* order in the file: lower wins */
    date_order order;
} column_alias;

static struct {
    pthread_once_t once;
    sl_status status;
    column_alias aliases[MAX_COLUMN_ALIASES];
    size_t alias_count;
    struct { char slug[48]; sl_field field; } stand_ins[MAX_STAND_INS];
    size_t stand_in_count;
    struct { char key[64]; char section[24]; } channels[MAX_CHANNEL_HEADERS];
    size_t channel_count;
} columns = {.once = PTHREAD_ONCE_INIT};

static const char *const role_names[] = {"video", "product", "live", "creator", "day", "label"};

static void load_columns(void)
{
    columns.status = SL_ERR_CONTENT;
    const sl_embedded_file *f = sl_embedded_find("import/columns.txt");
    if (!f)
        return;
    char *text = strdup(f->data);
    if (!text) {
        columns.status = SL_ERR_NO_MEMORY;
        return;
    }
    int role = -1;
    char section[24] = "";
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (*line == '#' || *line == '\0')
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            goto bad;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ')
            value++;
        if (strcmp(line, "column") == 0) {
            role = -1;
            for (int r = 0; r <= ROLE_LABEL; r++)
                if (strcmp(value, role_names[r]) == 0)
                    role = r;
            if (role < 0)
                goto bad;
        } else if (strcmp(line, "alias") == 0) {
            if (role < 0 || columns.alias_count == MAX_COLUMN_ALIASES)
                goto bad;
            column_alias *a = &columns.aliases[columns.alias_count];
            sl_normalise_key(value, a->key, sizeof a->key, false);
            a->role = role;
            a->priority = (int)columns.alias_count++;
        } else if (strcmp(line, "mdy") == 0 || strcmp(line, "dmy") == 0) {
            char key[64];
            sl_normalise_key(value, key, sizeof key, false);
            bool found = false;
            for (size_t i = 0; i < columns.alias_count; i++)
                if (strcmp(columns.aliases[i].key, key) == 0) {
                    columns.aliases[i].order = line[0] == 'm' ? DATE_ORDER_MDY : DATE_ORDER_DMY;
                    found = true;
                }
            if (!found)
                goto bad;
        } else if (strcmp(line, "channel") == 0) {
            snprintf(section, sizeof section, "%s", value);
        } else if (strcmp(line, "header") == 0) {
            if (!section[0] || columns.channel_count == MAX_CHANNEL_HEADERS)
                goto bad;
            sl_normalise_key(value, columns.channels[columns.channel_count].key, 64, false);
            snprintf(columns.channels[columns.channel_count++].section, 24, "%s", section);
        } else if (strcmp(line, "stand-in") == 0) {
            char slug[48], field[48];
            if (columns.stand_in_count == MAX_STAND_INS ||
                sscanf(value, "%47s %47s", slug, field) != 2)
                goto bad;
            int id = -1;
            for (int k = 0; k < SL_FIELD__COUNT; k++)
                if (strcmp(sl_field_name((sl_field)k), field) == 0)
                    id = k;
            if (id < 0)
                goto bad;
            snprintf(columns.stand_ins[columns.stand_in_count].slug, 48, "%s", slug);
            columns.stand_ins[columns.stand_in_count++].field = (sl_field)id;
        } else {
            goto bad;
        }
    }
    columns.status = SL_OK;
bad:
    free(text);
}

static sl_status columns_ready(sl_error *err)
{
    pthread_once(&columns.once, load_columns);
    if (columns.status != SL_OK)
        return sl_fail(err, columns.status, NULL,
                       "the built-in file content/import/columns.txt is malformed");
    return SL_OK;
}

/* The channel a header is one share of ("LIVE"), or NULL. */
static const char *channel_of(const char *header)
{
    char key[64];
    sl_normalise_key(header, key, sizeof key, false);
    for (size_t i = 0; i < columns.channel_count; i++)
        if (strcmp(columns.channels[i].key, key) == 0)
            return columns.channels[i].section;
    return NULL;
}

static const column_alias *find_column_alias(const char *key)
{
    for (size_t i = 0; i < columns.alias_count; i++)
        if (strcmp(columns.aliases[i].key, key) == 0)
            return &columns.aliases[i];
    return NULL;
}

/* ---- held rows ---- */

sl_status held_rows_add(held_rows *held, const ingest_row *row, sl_error *err)
{
    if (held->count == IMPORT_HEADER_SCAN_ROWS)
        return SL_OK;
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
    }
    held->text[i] = text;
    held->cells[i] = row->count;
    held->number[i] = row->number;
    held->count++;
    return SL_OK;
}

void held_rows_free(held_rows *held)
{
    for (size_t i = 0; i < held->count; i++) {
        for (size_t c = 0; c < held->cells[i]; c++)
            free(held->text[i][c]);
        free(held->text[i]);
    }
    held->count = 0;
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

/* ---- header text ---- */

/* Trims and collapses spaces into out; for matching (`ascii`), full-width
 * brackets become ASCII too.  Display keeps them as written. */
static void tidy_header(const char *text, char *out, size_t size, bool ascii)
{
    size_t w = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)text; *p && w + 4 < size; p++) {
        if (ascii && p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x88 || p[2] == 0x89)) { /* （ ） */
            out[w++] = p[2] == 0x88 ? '(' : ')';
            p += 2;
            space = false;
            continue;
        }
        if (isspace(*p) || (p[0] == 0xC2 && p[1] == 0xA0)) {
            if (p[0] == 0xC2)
                p++;
            space = w > 0;
            continue;
        }
        if (space)
            out[w++] = ' ';
        space = false;
        out[w++] = (char)*p;
    }
    out[w] = '\0';
}

/* The currency a header names in brackets: "Revenue (Rp)" → IDR.  Writes the
 * header without that bracket to `bare`. */
static void header_currency(const char *header, char currency[4], char *bare, size_t size)
{
    static const struct { const char *mark, *code; } marks[] = {
        {"rp", "IDR"}, {"idr", "IDR"}, {"rm", "MYR"}, {"myr", "MYR"}, {"$", "USD"},
        {"usd", "USD"}, {"₫", "VND"}, {"vnd", "VND"}, {"€", "EUR"}, {"eur", "EUR"},
        {"£", "GBP"}, {"gbp", "GBP"}, {"¥", "CNY"}, {"cny", "CNY"}, {"rmb", "CNY"},
        {"php", "PHP"}, {"thb", "THB"}, {"sgd", "SGD"},
    };
    currency[0] = '\0';
    snprintf(bare, size, "%s", header);
    char *open = strrchr(bare, '(');
    char *close = open ? strchr(open, ')') : NULL;
    if (!open || !close || close[1] != '\0')
        return;
    char inner[16];
    size_t n = (size_t)(close - open - 1);
    if (n == 0 || n >= sizeof inner)
        return;
    for (size_t i = 0; i < n; i++)
        inner[i] = (char)tolower((unsigned char)open[1 + i]);
    inner[n] = '\0';
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (strcmp(inner, marks[i].mark) == 0) {
            snprintf(currency, 4, "%s", marks[i].code);
            while (open > bare && open[-1] == ' ')
                open--;
            *open = '\0';
            return;
        }
}

/* Which rate a metric term's formula computes ("product_clicks /
 * product_impressions" → Product CTR); false for formulas ShopLab does not
 * compute. */
static bool formula_rate(const char *formula, sl_rate_id *out)
{
    char num[48], den[48];
    double scale = 1.0;
    if (!formula || sscanf(formula, "%47s / %47s * %lf", num, den, &scale) < 2)
        return false;
    for (int id = 0; id < SL_RATE__COUNT; id++) {
        sl_field n, d;
        double s;
        sl_rate_parts((sl_rate_id)id, &n, &d, &s);
        if (strcmp(sl_field_name(n), num) == 0 && strcmp(sl_field_name(d), den) == 0 &&
            s == scale) {
            *out = (sl_rate_id)id;
            return true;
        }
    }
    return false;
}

/* What one header cell names. */
typedef struct header_match {
    const sl_term *term;
    const column_alias *alias;
    char currency[4];
} header_match;

static bool match_header(const sl_content *content, const char *text, header_match *m)
{
    memset(m, 0, sizeof *m);
    char tidy[128], bare[128], key[64];
    tidy_header(text, tidy, sizeof tidy, true);
    if (!tidy[0])
        return false;
    header_currency(tidy, m->currency, bare, sizeof bare);
    sl_normalise_key(tidy, key, sizeof key, false);
    if ((m->alias = find_column_alias(key)) != NULL)
        return true;
    m->term = sl_term_find(content, tidy);
    if (!m->term && strcmp(bare, tidy) != 0)
        m->term = sl_term_find(content, bare);
    /* Concepts ("Hook", "Pick") are words of the loop, never export columns. */
    if (m->term && m->term->kind == SL_TERM_CONCEPT)
        m->term = NULL;
    return m->term != NULL;
}

static int row_score(const sl_content *content, const held_rows *held, size_t i)
{
    int score = 0;
    header_match m;
    for (size_t c = 0; c < held->cells[i]; c++)
        score += match_header(content, held->text[i][c], &m);
    return score;
}

int import_header_score(const held_rows *held)
{
    const sl_content *content = sl_content_builtin(NULL);
    if (!content || columns_ready(NULL) != SL_OK)
        return 0;
    int best = 0;
    for (size_t i = 0; i < held->count; i++) {
        int s = row_score(content, held, i);
        if (s > best)
            best = s;
    }
    return best;
}

/* ---- days and periods ---- */

static bool valid_ymd(int y, int m, int d)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* Days since 1970-01-01 → y-m-d (civil calendar). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool import_parse_day(const char *text, date_order order, char out[11], bool *ambiguous)
{
    *ambiguous = false;
    while (*text == ' ')
        text++;
    int a, b, c, n = 0;
    char s1, s2;
    int y, m, d;
    if (sscanf(text, "%4d%c%2d%c%2d%n", &a, &s1, &b, &s2, &c, &n) == 5 && n >= 8 && a >= 1000 &&
        s1 == s2 && (s1 == '-' || s1 == '/' || s1 == '.')) {
        y = a, m = b, d = c;            /* 2026-09-28, 2024/05/17/ 19:30, range 2026-09-28-… */
    } else if (sscanf(text, "%2d%c%2d%c%4d%n", &a, &s1, &b, &s2, &c, &n) == 5 && c >= 1000 &&
               s1 == s2 && (s1 == '/' || s1 == '-' || s1 == '.')) {
        y = c;
        if (a > 12 && b <= 12)
            d = a, m = b;
        else if (b > 12 && a <= 12)
            m = a, d = b;
        else if (order == DATE_ORDER_MDY)
            m = a, d = b;
        else if (order == DATE_ORDER_DMY || a == b)
            d = a, m = b;
        else {
            *ambiguous = true;
            return false;
        }
    } else {
        /* An Excel serial day that reached us as a plain number. */
        char *end;
        double serial = strtod(text, &end);
        while (*end == ' ')
            end++;
        if (end == text || *end || !(serial >= 25569 && serial < 110000))
            return false;
        civil_from_days((long)floor(serial) - 25569, &y, &m, &d);
    }
    if (!valid_ymd(y, m, d))
        return false;
    /* Digits written directly: valid_ymd bounds every part. */
    unsigned parts[3] = {(unsigned)y, (unsigned)m, (unsigned)d};
    char *o = out;
    for (int i = 0; i < 3; i++) {
        unsigned v = parts[i];
        if (i == 0) {
            *o++ = (char)('0' + v / 1000 % 10);
            *o++ = (char)('0' + v / 100 % 10);
        } else {
            *o++ = '-';
        }
        *o++ = (char)('0' + v / 10 % 10);
        *o++ = (char)('0' + v % 10);
    }
    *o = '\0';
    return true;
}

/* Dates written anywhere in the preamble: "[Date Range]: 2026-06-01 ~
 * 2026-06-07", a lone "28/09/2026" in A1, "Date range: a - b". */
static void find_period(const held_rows *held, size_t before, char *period, size_t size)
{
    char found[2][11];
    int n = 0;
    period[0] = '\0';
    for (size_t i = 0; i < before && n < 2; i++)
        for (size_t c = 0; c < held->cells[i] && n < 2; c++) {
            const char *p = held->text[i][c];
            while (*p && n < 2) {
                bool amb;
                if (isdigit((unsigned char)*p) &&
                    (p == held->text[i][c] || !isdigit((unsigned char)p[-1])) &&
                    import_parse_day(p, DATE_ORDER_DMY, found[n], &amb) && strlen(p) >= 8 &&
                    (p[4] == '-' || p[4] == '/' || p[4] == '.' || p[2] == '/' || p[2] == '-' ||
                     p[2] == '.' || p[1] == '/')) {
                    n++;
                    /* Past the date, but never past the text's end. */
                    size_t skip = p[4] == '-' || p[4] == '/' || p[4] == '.' ? 10 : 8;
                    size_t rest = strlen(p);
                    p += skip < rest ? skip : rest;
                    continue;
                }
                p++;
            }
        }
    if (n == 1)
        snprintf(period, size, "%s", found[0]);
    else if (n == 2)
        snprintf(period, size, "%s ~ %s", found[0], found[1]);
}

/* ---- the plan ---- */

static size_t nonempty_cells(const held_rows *held, size_t i)
{
    size_t n = 0;
    for (size_t c = 0; c < held->cells[i]; c++)
        n += held->text[i][c][0] != '\0';
    return n;
}

/* A band row: right above the header, several labels, fewer than half the
 * header's cells, and none of them a recognised header. */
static bool is_band_row(const sl_content *content, const held_rows *held, size_t band,
                        size_t header)
{
    size_t labels = nonempty_cells(held, band);
    if (labels < 2 || labels * 2 > nonempty_cells(held, header))
        return false;
    char dummy[11];
    bool amb;
    for (size_t c = 0; c < held->cells[band]; c++) {
        const char *t = held->text[band][c];
        if (!t[0])
            continue;
        header_match m;
        if (match_header(content, t, &m) || import_parse_day(t, DATE_ORDER_DMY, dummy, &amb) ||
            strchr(t, '~'))
            return false;
    }
    return true;
}

static const char *field_parser(sl_field f) { return sl_field_is_money(f) ? "money" : "count"; }

static void expected_fields(char *out, size_t size)
{
    snprintf(out, size, "Views, Product impressions, Product clicks, Orders, GMV");
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
    sl_status st = columns_ready(err);
    if (st != SL_OK)
        return st;
    const sl_content *content = sl_content_builtin(err);
    if (!content)
        return err ? err->code : SL_ERR_CONTENT;

    int best = 0;
    size_t header = 0;
    for (size_t i = 0; i < held->count; i++) {
        int s = row_score(content, held, i);
        if (s > best)
            best = s, header = i;
    }
    if (best < IMPORT_MIN_HEADER_MATCHES) {
        char found[96] = "", expected[80];
        size_t w = 0;
        for (size_t i = 0; i < held->count && w + 30 < sizeof found; i++)
            for (size_t c = 0; c < held->cells[i] && w + 30 < sizeof found; c++)
                if (held->text[i][c][0])
                    w += (size_t)snprintf(found + w, sizeof found - w, "%s\"%.20s\"",
                                          w ? ", " : "", held->text[i][c]);
        expected_fields(expected, sizeof expected);
        sl_fail(err, SL_ERR_UNRECOGNISED, NULL,
                "%.60s: no header in the first %d rows (found %s); expected columns such as %s",
                file, IMPORT_HEADER_SCAN_ROWS, w ? found : "no text", expected);
        if (err)
            snprintf(err->file, sizeof err->file, "%s", file);
        return SL_ERR_UNRECOGNISED;
    }
    plan->score = best;
    plan->header_index = header;
    plan->header_row = held->number[header];
    size_t preamble_end = header;
    bool band = header > 0 && held->number[header - 1] + 1 == held->number[header] &&
                is_band_row(content, held, header - 1, header);
    if (band) {
        plan->band_row = held->number[header - 1];
        preamble_end = header - 1;
    }
    find_period(held, preamble_end, plan->period, sizeof plan->period);
    for (size_t i = 0; i < preamble_end && !plan->title[0]; i++)
        for (size_t c = 0; c < held->cells[i] && !plan->title[0]; c++) {
            const char *t = held->text[i][c];
            bool amb;
            char day[11];
            if (t[0] && !strchr(t, '~') && !import_parse_day(t, DATE_ORDER_DMY, day, &amb) &&
                strncmp(t, "[Date Range]", 12) != 0)
                snprintf(plan->title, sizeof plan->title, "%s", t);
        }

    size_t ncols = held->cells[header];
    plan->columns = calloc(ncols ? ncols : 1, sizeof *plan->columns);
    if (!plan->columns)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    plan->column_count = ncols;
    int key_priority[SL_DIM__COUNT + 1];
    for (int k = 0; k <= SL_DIM__COUNT; k++)
        key_priority[k] = 1 << 30;
    const char *section = "";
    for (size_t c = 0; c < ncols; c++) {
        sl_column *col = &plan->columns[c];
        col->index = (uint32_t)c;
        col->parser = "none";
        tidy_header(held->text[header][c], col->header, sizeof col->header, false);
        if (band && c < held->cells[header - 1] && held->text[header - 1][c][0])
            section = held->text[header - 1][c];
        snprintf(col->section, sizeof col->section, "%s", section);
        header_match m;
        if (!col->header[0]) {
            col->note = "no header";
            continue;
        }
        if (!match_header(content, col->header, &m)) {
            col->note = "not a header ShopLab knows";
            continue;
        }
        memcpy(col->currency, m.currency, sizeof col->currency);
        if (m.alias) {
            int role = m.alias->role;
            if (m.alias->priority >= key_priority[role]) {
                col->note = role == ROLE_LABEL ? "another title column is used"
                                               : "another key column of this kind is used";
                continue;
            }
            /* A better key column demotes the one chosen before. */
            int old = role == ROLE_LABEL ? plan->label_col : plan->key_col[role];
            if (old >= 0) {
                plan->columns[old].role = SL_COLUMN_EXTRA;
                plan->columns[old].note = role == ROLE_LABEL
                                              ? "another title column is used"
                                              : "another key column of this kind is used";
                plan->columns[old].parser = "none";
            }
            key_priority[role] = m.alias->priority;
            if (role == ROLE_LABEL) {
                col->role = SL_COLUMN_LABEL;
                col->parser = "text";
                plan->label_col = (int)c;
            } else {
                col->role = SL_COLUMN_KEY;
                col->dimension = (sl_dimension)role;
                col->parser = role == SL_DIM_DAY ? "day"
                              : role == SL_DIM_CREATOR ? "text"
                                                       : "id";
                plan->key_col[role] = (int)c;
                if (role == SL_DIM_DAY)
                    plan->day_order = m.alias->order;
            }
            continue;
        }
        col->term = m.term->slug;
        const char *named_channel = channel_of(col->header);
        if (named_channel && !col->section[0])
            snprintf(col->section, sizeof col->section, "%s", named_channel);
        bool channel = col->section[0] && strcasecmp(col->section, "All") != 0;
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
            } else if (plan->field_col[f] >= 0) {
                col->note = "same field as an earlier column";
            } else {
                col->role = SL_COLUMN_FIELD;
                col->field = f;
                col->parser = field_parser(f);
                plan->field_col[f] = (int)c;
            }
        } else if (m.term->kind == SL_TERM_METRIC && formula_rate(m.term->formula, &rate)) {
            if (channel) {
                col->note = "one channel's rate (section band), not the total";
            } else if (plan->rate_col[rate] >= 0) {
                col->note = "same rate as an earlier column";
            } else {
                col->role = SL_COLUMN_RATE;
                col->rate = rate;
                col->parser = "rate";
                plan->rate_col[rate] = (int)c;
            }
        } else {
            col->note = "a measure ShopLab shows in the glossary but does not compute with";
        }
    }
    /* Stand-ins: a measure that counts as a field the file lacks. */
    for (size_t s = 0; s < columns.stand_in_count; s++) {
        sl_field f = columns.stand_ins[s].field;
        if (plan->field_col[f] >= 0)
            continue;
        for (size_t c = 0; c < ncols; c++) {
            sl_column *col = &plan->columns[c];
            bool channel = col->section[0] && strcasecmp(col->section, "All") != 0;
            if (col->role == SL_COLUMN_EXTRA && col->term && !channel &&
                strcmp(col->term, columns.stand_ins[s].slug) == 0) {
                col->role = SL_COLUMN_FIELD;
                col->field = f;
                col->parser = field_parser(f);
                col->note = NULL;
                plan->field_col[f] = (int)c;
                break;
            }
        }
    }
    bool any_value = false;
    for (int k = 0; k < SL_FIELD__COUNT; k++)
        any_value |= plan->field_col[k] >= 0;
    for (int k = 0; k < SL_RATE__COUNT; k++)
        any_value |= plan->rate_col[k] >= 0;
    if (!any_value) {
        char found[96] = "", expected[80];
        size_t w = 0;
        for (size_t c = 0; c < ncols && w + 30 < sizeof found; c++)
            if (plan->columns[c].header[0])
                w += (size_t)snprintf(found + w, sizeof found - w, "%s\"%.20s\"", w ? ", " : "",
                                      plan->columns[c].header);
        expected_fields(expected, sizeof expected);
        sl_fail(err, SL_ERR_UNRECOGNISED, NULL,
                "%.60s: the header on row %llu has no count or rate column (found %s); "
                "expected columns such as %s",
                file, (unsigned long long)plan->header_row, found, expected);
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", file);
            err->row = plan->header_row;
        }
        import_plan_free(plan);
        return SL_ERR_UNRECOGNISED;
    }
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
        if (sl_parse_value(t, col->currency, &v, NULL) == SL_OK)
            numbers += v.kind != SL_VALUE_ABSENT;
        else
            texts++;
    }
    if (numbers == 0 && texts > 0)
        return true;
    /* Or mostly long free text (sentences describing the columns). */
    return filled > 0 && long_text * 2 > filled && numbers == 0;
}

/* ---- data rows ---- */

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

static row_outcome convert_count(const import_plan *plan, const char *file, const ingest_row *row,
                                 size_t c, sl_field f, row_values *out, sl_row_issue *issue)
{
    const char *t = row->cells[c];
    sl_value v;
    sl_error e;
    if (sl_parse_value(t, plan->columns[c].currency, &v, &e) != SL_OK)
        return bad(issue, file, row, c, plan, "%s", e.message);
    if (v.kind == SL_VALUE_ABSENT)
        return ROW_OK;
    if (v.kind == SL_VALUE_PERCENT || v.kind == SL_VALUE_DURATION)
        return bad(issue, file, row, c, plan, "%s is a count, but the cell holds a %s",
                   sl_field_label(f), sl_value_kind_name(v.kind));
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
    const char *t = row->cells[c];
    sl_value v;
    sl_error e;
    if (sl_parse_value(t, plan->columns[c].currency, &v, &e) != SL_OK)
        return bad(issue, file, row, c, plan, "%s", e.message);
    if (v.kind == SL_VALUE_ABSENT)
        return ROW_OK;
    if (v.kind == SL_VALUE_PERCENT || v.kind == SL_VALUE_DURATION)
        return bad(issue, file, row, c, plan, "%s is an amount, but the cell holds a %s",
                   sl_field_label(f), sl_value_kind_name(v.kind));
    if (v.number < 0)
        return bad(issue, file, row, c, plan, "%s cannot be negative", sl_field_label(f));
    double cents = v.number * 100.0;
    if (fabs(cents - round(cents)) < 1e-6 && cents < 9e15) {
        out->hundredths[f] = (int64_t)llround(cents);
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
    if (sl_parse_value(row->cells[c], plan->columns[c].currency, &v, &e) != SL_OK)
        return bad(issue, file, row, c, plan, "%s", e.message);
    if (v.kind == SL_VALUE_ABSENT)
        return ROW_OK;
    if (v.kind == SL_VALUE_DURATION)
        return bad(issue, file, row, c, plan, "%s is a rate, but the cell holds a duration",
                   sl_rate_label(id));
    double x = v.number;
    bool proportion = id != SL_RATE_GPM && id != SL_RATE_AOV;
    /* Exports write proportions in percent; a bare 4.11 means 4.11 %. */
    if (proportion && v.kind != SL_VALUE_PERCENT)
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
        snprintf(tmp, sizeof tmp, "%.*s", (int)(len < sizeof tmp ? len : sizeof tmp - 1), t);
        if (!import_parse_day(tmp, plan->day_order, key, &amb))
            return bad(issue, file, row, c, plan,
                       amb ? "the day and month of this date could be either way round; "
                             "re-export with ISO dates (YYYY-MM-DD)"
                           : "not a date ShopLab can read (expected e.g. 2026-09-28)");
        return ROW_OK;
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

/* "Total", "Grand total", "Jumlah", "合计", "总计": a sum row, not data. */
static bool is_total_text(const char *t)
{
    /* Checked on every row: rule out the common case (an ID) cheaply. */
    unsigned char c = (unsigned char)t[0];
    if (c != 'T' && c != 't' && c != 'G' && c != 'g' && c != 'J' && c != 'j' && c < 0x80)
        return false;
    char key[32];
    sl_normalise_key(t, key, sizeof key, false);
    return strcmp(key, "total") == 0 || strcmp(key, "grandtotal") == 0 ||
           strcmp(key, "totals") == 0 || strcmp(key, "jumlah") == 0 ||
           strcmp(key, "合计") == 0 || strcmp(key, "总计") == 0;
}

row_outcome import_convert_row(const import_plan *plan, const char *file, const ingest_row *row,
                               uint32_t need_keys, row_values *out, sl_row_issue *issue)
{
    out->present = 0;
    out->money_exact = 0;
    out->reported_present = 0;
    out->label = NULL;
    out->label_len = 0;
    bool any = false;
    for (size_t c = 0; c < row->count; c++)
        if (row->lengths[c]) {
            any = true;
            break;
        }
    if (!any)
        return ROW_EMPTY;
    if (row->count && is_total_text(row->cells[0]))
        return bad(issue, file, row, 0, plan, "a totals row, not data: left out so nothing "
                                              "is counted twice");
    row_outcome r;
    for (int k = 0; k < SL_DIM__COUNT; k++) {
        out->key[k][0] = '\0';
        int c = plan->key_col[k];
        if (c < 0 || !(need_keys & (1u << k)) || (size_t)c >= row->count)
            continue;
        if ((r = convert_key(plan, file, row, (size_t)c, (sl_dimension)k, out, issue)) != ROW_OK)
            return r;
    }
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        int c = plan->field_col[f];
        if (c < 0 || (size_t)c >= row->count || row->lengths[c] == 0)
            continue;
        /* Plain digits first, inline: the bulk feeds are nothing else. */
        const char *t = row->cells[c];
        size_t len = row->lengths[c];
        if (SL_MONEY_FIELDS & (1u << f)) {
            if (fast_hundredths(t, len, &out->hundredths[f])) {
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
        if (r != ROW_OK)
            return r;
    }
    for (int id = 0; id < SL_RATE__COUNT; id++) {
        int c = plan->rate_col[id];
        if (c < 0 || (size_t)c >= row->count || row->lengths[c] == 0)
            continue;
        if ((r = convert_rate(plan, file, row, (size_t)c, (sl_rate_id)id, out, issue)) != ROW_OK)
            return r;
    }
    if (plan->label_col >= 0 && (size_t)plan->label_col < row->count) {
        out->label = row->cells[plan->label_col];
        out->label_len = row->lengths[plan->label_col];
    }
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
