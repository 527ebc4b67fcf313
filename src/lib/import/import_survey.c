/*
 * import_survey.c — what a column's cells mean, decided from all of them.
 *
 * One cell by itself is often ambiguous: "1.234" (a thousand, or one and a
 * bit?), "01/05/2026" (1 May or 5 January?), "0.0775" (a fraction, or
 * 0.0775 %?), and a rate's name says little about what it divides ("CTR" is
 * clicks ÷ views in one export and clicks ÷ impressions in another).  The
 * column as a whole usually settles it: another cell shows the decimal
 * mark, "13/05/2026" shows the day comes first, and where the file also has
 * the counts, the rate is checked against every ratio they allow.  Only what
 * no cell settles falls back to the file's market, and a day column that
 * stays ambiguous stops the import with a message naming it.
 */
#include "import.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The held rows of the chosen table; `summary` marks total, average and
 * change rows (worked out once, asked for every column). */
typedef struct table_rows {
    size_t from, to;            /* held indexes */
    bool *summary;              /* [to - from], or NULL */
} table_rows;

static bool summary_row(const sl_content *content, const held_rows *held, size_t i)
{
    for (size_t c = 0; c < held->cells[i] && c < 3; c++) {
        const char *t = held->text[i][c];
        if (!t[0])
            continue;
        row_word w = import_row_word(content, t);
        return w == ROW_WORD_TOTAL || w == ROW_WORD_AVERAGE || w == ROW_WORD_CHANGE;
    }
    return false;
}

/* Row i is a total, average or change row (from the flags worked out once). */
static bool is_summary(table_rows rows, const sl_content *content, const held_rows *held,
                       size_t i)
{
    return rows.summary ? rows.summary[i - rows.from] : summary_row(content, held, i);
}

static const char *cell(const held_rows *held, size_t i, int c)
{
    return c >= 0 && (size_t)c < held->cells[i] ? held->text[i][c] : "";
}

/* ---- decimal marks ---- */

/* What one cell says about the decimal mark: '.', ',' or 0 (nothing). */
static char decimal_evidence(const char *t)
{
    const char *p = t;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    const char *start = p;
    size_t dots = 0, commas = 0;
    const char *last = NULL;
    for (; *p && (isdigit((unsigned char)*p) || *p == '.' || *p == ','); p++)
        if (*p == '.' || *p == ',') {
            dots += *p == '.', commas += *p == ',';
            last = p;
        }
    if (!last)
        return 0;
    if (dots && commas)
        return *last;
    if (dots + commas > 1)
        return dots ? ',' : '.'; /* the repeated one groups thousands */
    size_t after = (size_t)(p - last - 1), before = (size_t)(last - start);
    /* "1.234" could be either; "0.123", "12.5" and "1.2345" cannot. */
    if (after == 3 && before >= 1 && before <= 3 && start[0] != '0')
        return 0;
    return after ? *last : 0;
}

/* The decimal mark a market writes, from the languages of the headers that
 * matched and the currencies the header names: 0 when nothing says. */
static char market_decimal(const import_plan *plan)
{
    static const char *const comma_currencies[] = {"IDR", "VND", "BRL", "EUR", NULL};
    static const char *const point_currencies[] = {"USD", "MXN", "MYR", "SGD", "PHP", "THB",
                                                   "GBP", "CNY", "JPY", NULL};
    for (size_t c = 0; c < plan->column_count; c++) {
        const char *cur = plan->columns[c].currency;
        for (size_t i = 0; cur[0] && comma_currencies[i]; i++)
            if (strcmp(cur, comma_currencies[i]) == 0)
                return ',';
        for (size_t i = 0; cur[0] && point_currencies[i]; i++)
            if (strcmp(cur, point_currencies[i]) == 0)
                return '.';
    }
    return 0;
}

/* The decimal mark the header's language writes, where all its markets agree
 * (Spanish does not: Mexico writes 1,234.50, Spain 1.234,50). */
/* The language of the header row: the one whose vocabulary names the most
 * of its headers (English names turn up inside Indonesian or Portuguese
 * exports, so one shared header says nothing); "" when none or a tie. */
static void header_language(const import_plan *plan, const sl_content *content,
                            const held_rows *held, char out[8])
{
    struct { char lang[8]; int votes; } tally[16];
    size_t langs = 0;
    const sl_vocabulary *vocab = sl_content_vocabulary(content);
    for (size_t c = 0; c < held->cells[plan->header_index]; c++) {
        char tidy[128], key[96];
        import_tidy_header(held->text[plan->header_index][c], tidy, sizeof tidy, true);
        sl_normalise_key(tidy, key, sizeof key, false);
        const sl_vocab *first = sl_vocabulary_find(vocab, key);
        if (!first)
            continue;
        /* Every language that has this header gets its vote once. */
        for (size_t e = 0; e < sl_vocabulary_count(vocab); e++) {
            const sl_vocab *v = sl_vocabulary_at(vocab, e);
            if (v < first)
                continue;
            if (strcmp(v->key, key) != 0)
                break;
            size_t k = 0;
            while (k < langs && strcmp(tally[k].lang, v->language) != 0)
                k++;
            if (k == langs) {
                if (langs == 16)
                    continue;
                snprintf(tally[langs].lang, sizeof tally[langs].lang, "%s", v->language);
                tally[langs++].votes = 0;
            }
            bool counted = false;
            for (const sl_vocab *w = first; w < v; w++)
                counted |= strcmp(w->language, v->language) == 0;
            tally[k].votes += !counted;
        }
    }
    out[0] = '\0';
    int best = 0;
    bool tie = false;
    for (size_t k = 0; k < langs; k++) {
        if (tally[k].votes > best) {
            best = tally[k].votes;
            tie = false;
            memcpy(out, tally[k].lang, sizeof tally[k].lang);
        } else if (tally[k].votes == best) {
            tie = true;
        }
    }
    if (tie)
        out[0] = '\0';
}

/* The decimal mark the header's language writes, where all its markets agree
 * (Spanish and English do not: Mexico and the US write 1,234.50, Spain
 * 1.234,50). */
static char language_decimal(const import_plan *plan, const sl_content *content,
                             const held_rows *held)
{
    static const struct { const char *lang; char mark; } habits[] = {
        {"vi", ','}, {"id", ','}, {"pt", ','}, {"de", ','}, {"fr", ','}, {"it", ','},
        {"zh", '.'}, {"ja", '.'}, {"th", '.'}, {"ms", '.'},
    };
    char lang[8];
    header_language(plan, content, held, lang);
    for (size_t i = 0; i < sizeof habits / sizeof *habits; i++)
        if (strcmp(lang, habits[i].lang) == 0)
            return habits[i].mark;
    return 0;
}

static void decide_decimals(const held_rows *held, table_rows rows, import_plan *plan,
                            const sl_content *content)
{
    char market = market_decimal(plan);
    if (!market)
        market = language_decimal(plan, content, held);
    for (size_t c = 0; c < plan->column_count; c++) {
        sl_column *col = &plan->columns[c];
        if (col->role != SL_COLUMN_FIELD && col->role != SL_COLUMN_RATE)
            continue;
        size_t point = 0, comma = 0, open = 0;
        for (size_t i = rows.from; i < rows.to; i++) {
            if (is_summary(rows, content, held, i))
                continue;
            const char *t = cell(held, i, (int)c);
            char e = decimal_evidence(t);
            point += e == '.', comma += e == ',';
            open += !e && (strchr(t, '.') || strchr(t, ','));
        }
        if (point && !comma) {
            col->decimal = '.';
        } else if (comma && !point) {
            col->decimal = ',';
            snprintf(col->how, sizeof col->how, "decimal comma, from %zu cell%s", comma,
                     comma == 1 ? "" : "s");
        } else if (!point && !comma && open && market) {
            /* Every cell could be read either way ("1.234"): the market's habit. */
            col->decimal = market;
            snprintf(col->how, sizeof col->how,
                     "decimal %s, from the file's market (no cell settles it)",
                     market == ',' ? "comma" : "point");
        }
    }
}

/* ---- days ---- */

static date_order market_day_order(const import_plan *plan, const sl_content *content,
                                   const held_rows *held)
{
    /* Headers in a language whose markets all write the day first. */
    char lang[8];
    header_language(plan, content, held, lang);
    static const char *const day_first[] = {"es", "pt", "id", "ms", "vi", "th", "de",
                                            "fr", "it", NULL};
    for (size_t i = 0; day_first[i]; i++)
        if (strcmp(lang, day_first[i]) == 0)
            return DATE_ORDER_DMY;
    char d = market_decimal(plan);
    for (size_t c = 0; c < plan->column_count; c++)
        if (strcmp(plan->columns[c].currency, "USD") == 0)
            return DATE_ORDER_MDY;
    return d ? DATE_ORDER_DMY : DATE_ORDER_UNKNOWN;
}

static sl_status decide_day_order(const sl_content *content, const held_rows *held,
                                  table_rows rows, const char *file, import_plan *plan,
                                  sl_error *err)
{
    int c = plan->key_col[SL_DIM_DAY];
    if (c < 0)
        c = plan->time_col;
    if (c < 0)
        return SL_OK;
    size_t dmy = 0, mdy = 0, open = 0;
    uint64_t first_open = 0;
    for (size_t i = rows.from; i < rows.to; i++) {
        const char *t = cell(held, i, c);
        if (strlen(t) >= 5 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[3]) &&
            t[4] == '-')
            continue; /* ISO "2026-05-01": nothing to decide */
        date_order e = import_day_evidence(t);
        dmy += e == DATE_ORDER_DMY, mdy += e == DATE_ORDER_MDY;
        char day[11];
        bool amb;
        if (e == DATE_ORDER_UNKNOWN && !import_parse_day(t, DATE_ORDER_UNKNOWN, day, &amb) && amb) {
            open++;
            if (!first_open)
                first_open = held->number[i];
        }
    }
    date_order period = import_period_evidence(held, plan->header_index);
    dmy += period == DATE_ORDER_DMY, mdy += period == DATE_ORDER_MDY;
    sl_column *col = &plan->columns[c];
    const char *names[] = {"", "month/day/year", "day/month/year"};
    if ((dmy && !mdy) || (mdy && !dmy)) {
        plan->day_order = dmy ? DATE_ORDER_DMY : DATE_ORDER_MDY;
        if (open)
            snprintf(col->how, sizeof col->how, "%s, settled by %zu cell%s%s",
                     names[plan->day_order], dmy + mdy, dmy + mdy == 1 ? "" : "s",
                     period != DATE_ORDER_UNKNOWN ? " and the period line" : "");
        return SL_OK;
    }
    if (!open)
        return SL_OK;
    if (plan->day_order == DATE_ORDER_UNKNOWN) {
        plan->day_order = market_day_order(plan, content, held);
        if (plan->day_order != DATE_ORDER_UNKNOWN)
            snprintf(col->how, sizeof col->how, "%s, from the file's market (no cell settles it)",
                     names[plan->day_order]);
    } else {
        snprintf(col->how, sizeof col->how, "%s, as this layout writes it",
                 names[plan->day_order]);
    }
    if (plan->day_order != DATE_ORDER_UNKNOWN)
        return SL_OK;
    return sl_fail_at(err, SL_ERR_PARSE, (sl_place){file, first_open, (uint64_t)c + 1, col->header},
                      "column \"%s\": every date could be day/month or month/day and nothing "
                      "in the file settles which; re-export with ISO dates (YYYY-MM-DD)",
                      col->header);
}

/* ---- rates against counts ---- */

static bool count_at(const held_rows *held, size_t i, const import_plan *plan, sl_field f,
                     double *out)
{
    int c = plan->field_col[f];
    if (c < 0)
        return false;
    sl_value v;
    const sl_column *col = &plan->columns[c];
    if (sl_parse_value_as(cell(held, i, c), col->currency, col->decimal, &v, NULL) != SL_OK ||
        (v.kind != SL_VALUE_NUMBER && v.kind != SL_VALUE_MONEY))
        return false;
    *out = v.number;
    return true;
}

/* Digits after the decimal mark as written: the cell's precision. */
static int written_decimals(const char *t, char mark)
{
    const char *p = strrchr(t, mark ? mark : '.');
    if (!p && !mark)
        p = strrchr(t, ',');
    if (!p)
        return 0;
    int n = 0;
    while (isdigit((unsigned char)*++p))
        n++;
    return n;
}

/* How a rate column's cells fit each ratio the counts allow. */
typedef struct rate_fit {
    size_t tried[SL_RATE__COUNT];       /* rows with both counts of the rate */
    size_t matched[SL_RATE__COUNT][2];   /* rows that fit: [rate][0 fraction, 1 percent] */
    size_t nonzero[SL_RATE__COUNT];
    bool written_percent;       /* cells carry a % sign */
    size_t bare, bare_small, bare_fine; /* bare numbers; of them ≤ 1; with 3+ decimals */
} rate_fit;

/* Compares one rate cell (value v, text t) with every rate its row's
 * counts give. */
static void fit_cell(const held_rows *held, size_t i, const import_plan *plan,
                     const sl_column *col, const char *t, sl_value v, rate_fit *fit)
{
    if (v.kind == SL_VALUE_NUMBER) {
        fit->bare++;
        fit->bare_small += v.number <= 1.0;
        fit->bare_fine += written_decimals(t, col->decimal) >= 3;
    } else {
        fit->written_percent = true;
    }
    int places = written_decimals(t, col->decimal);
    double ulp = pow(10.0, -places);
    for (int id = 0; id < SL_RATE__COUNT; id++) {
        sl_field nf, df;
        double scale;
        sl_rate_parts((sl_rate_id)id, &nf, &df, &scale);
        double num, den;
        if (!count_at(held, i, plan, nf, &num) || !count_at(held, i, plan, df, &den) || den <= 0)
            continue;
        fit->tried[id]++;
        double ratio = num / den * scale;
        fit->nonzero[id] += ratio != 0;
        /* Written in the cell's own unit, to the cell's own precision
         * (rounded or cut: one unit of the last place either way). */
        if (v.kind == SL_VALUE_PERCENT) {
            fit->matched[id][1] += fabs(v.number * 100 - ratio * 100) <= ulp * 1.0001;
        } else {
            fit->matched[id][0] += fabs(v.number - ratio) <= ulp * 1.0001;
            fit->matched[id][1] += fabs(v.number - ratio * 100) <= ulp * 1.0001;
        }
    }
}

/* The rate that fits every row its counts are in: the one the name says
 * first, then any other of the same family (proportions against
 * proportions, amounts per view or order against amounts); -1 when none.
 * *unit is 1 for percent, 0 for fractions. */
static int best_fit(rate_fit *fit, sl_rate_id named, bool proportion, int *unit)
{
    for (int id = 0; id < SL_RATE__COUNT; id++)
        if ((id != SL_RATE_GPM && id != SL_RATE_AOV) != proportion)
            fit->tried[id] = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int id = 0; id < SL_RATE__COUNT; id++) {
            if (!fit->tried[id] || !fit->nonzero[id] || (pass == 0) != (id == (int)named))
                continue;
            for (int u = 0; u < 2; u++)
                if (fit->matched[id][u] == fit->tried[id]) {
                    *unit = u;
                    return id;
                }
        }
    return -1;
}

/* Which rate a reported rate column is, and in which unit, from the rows'
 * own counts; the column's `how` says what was found. */
static void check_rate(const sl_content *content, const held_rows *held, table_rows rows,
                       import_plan *plan, sl_column *col)
{
    rate_fit fit;
    memset(&fit, 0, sizeof fit);
    for (size_t i = rows.from; i < rows.to; i++) {
        if (is_summary(rows, content, held, i))
            continue;
        const char *t = cell(held, i, (int)col->index);
        sl_value v;
        if (sl_parse_value_as(t, NULL, col->decimal, &v, NULL) == SL_OK &&
            (v.kind == SL_VALUE_NUMBER || v.kind == SL_VALUE_PERCENT))
            fit_cell(held, i, plan, col, t, v, &fit);
    }
    sl_rate_id named = col->rate;
    bool proportion = named != SL_RATE_GPM && named != SL_RATE_AOV;
    int unit = 0;
    int best = best_fit(&fit, named, proportion, &unit);
    sl_field nf, df;
    double scale;
    if (best >= 0) {
        size_t best_rows = fit.tried[best];
        col->rate = (sl_rate_id)best;
        col->percent_units = unit == 1;
        sl_rate_parts(col->rate, &nf, &df, &scale);
        snprintf(col->how, sizeof col->how, "%s / %s%s, as %s, checked on %zu row%s",
                 sl_field_label(nf), sl_field_label(df), scale == 1000 ? " x 1000" : "",
                 fit.written_percent ? "percent" : unit ? "percent" : "fractions", best_rows,
                 best_rows == 1 ? "" : "s");
        return;
    }
    /* Unchecked: the name says which rate; the cells say the unit as best
     * they can (0.0775 with four places is a fraction, 4.11 a percent).
     * Contradicted only when the counts its name divides are in the file. */
    bool any_tried = fit.tried[named] && fit.nonzero[named];
    col->percent_units = !(fit.bare && fit.bare_small == fit.bare && fit.bare_fine);
    sl_rate_parts(named, &nf, &df, &scale);
    snprintf(col->how, sizeof col->how, "%s / %s by its name, %s%s",
             sl_field_label(nf), sl_field_label(df),
             any_tried ? "NOT what the counts give: kept as reported only"
                       : "not checked (the file lacks its counts)",
             fit.bare && !fit.written_percent && proportion
                 ? (col->percent_units ? "; bare numbers read as percent" : "; read as fractions")
                 : "");
    if (any_tried)
        col->note = "a rate that matches none of the file's own ratios";
}

static void decide_rates(const sl_content *content, const held_rows *held, table_rows rows,
                         import_plan *plan)
{
    for (size_t c = 0; c < plan->column_count; c++) {
        sl_column *col = &plan->columns[c];
        if (col->role != SL_COLUMN_RATE)
            continue;
        check_rate(content, held, rows, plan, col);
        if (col->note) { /* it contradicts the counts: never shown as that rate */
            col->role = SL_COLUMN_EXTRA;
            col->parser = SL_PARSER_NONE;
            continue;
        }
        if (plan->rate_col[col->rate] >= 0) {
            col->role = SL_COLUMN_EXTRA;
            col->parser = SL_PARSER_NONE;
            col->note = "same rate as an earlier column";
            continue;
        }
        plan->rate_col[col->rate] = (int)c;
    }
}

/* ---- IDs written inside names ---- */

static void decide_id_in_label(const held_rows *held, table_rows rows, import_plan *plan)
{
    if (plan->key_col[SL_DIM_PRODUCT] >= 0 || plan->label_col < 0)
        return;
    size_t with = 0, filled = 0;
    for (size_t i = rows.from; i < rows.to; i++) {
        const char *t = cell(held, i, plan->label_col);
        if (!t[0])
            continue;
        filled++;
        size_t len = strlen(t), digits = 0;
        while (len && t[len - 1] == ' ')
            len--;
        if (len && t[len - 1] == ')') {
            size_t k = len - 1;
            while (k > 0 && isdigit((unsigned char)t[k - 1]))
                k--, digits++;
            with += k > 0 && t[k - 1] == '(' && digits >= 10;
        }
    }
    if (filled && with * 2 >= filled) {
        plan->id_in_label = true;
        plan->key_col[SL_DIM_PRODUCT] = plan->label_col;
        snprintf(plan->columns[plan->label_col].how, sizeof plan->columns[0].how,
                 "name, and the product ID in its brackets (%zu of %zu cells)", with, filled);
    }
}

/* A daily table whose date column has no header: a column without a name
 * whose every filled cell is a date is the day key. */
static void find_unnamed_day(const held_rows *held, table_rows rows, import_plan *plan,
                             const sl_content *content)
{
    if (plan->key_col[SL_DIM_DAY] >= 0)
        return;
    for (size_t c = 0; c < plan->column_count; c++) {
        sl_column *col = &plan->columns[c];
        if (col->header[0] || col->role != SL_COLUMN_EXTRA)
            continue;
        size_t days = 0, other = 0;
        for (size_t i = rows.from; i < rows.to; i++) {
            const char *t = cell(held, i, (int)c);
            if (!t[0] || is_summary(rows, content, held, i))
                continue;
            char day[11];
            bool amb;
            if (import_parse_day(t, DATE_ORDER_DMY, day, &amb) || amb)
                days++;
            else
                other++;
        }
        if (days >= 1 && other == 0) {
            col->role = SL_COLUMN_KEY;
            col->dimension = SL_DIM_DAY;
            col->parser = SL_PARSER_DAY;
            col->note = NULL;
            plan->key_col[SL_DIM_DAY] = (int)c;
            snprintf(col->how, sizeof col->how, "no header, but every cell is a date (%zu)",
                     days);
            return;
        }
    }
}

/* A guess must fit its cells: a count column of averages ("Clics promedio en
 * productos", 3.30) is not the count its words suggest. */
static void check_guesses(const held_rows *held, table_rows rows, import_plan *plan,
                          const sl_content *content)
{
    for (size_t c = 0; c < plan->column_count; c++) {
        sl_column *col = &plan->columns[c];
        if (!col->guessed || col->role != SL_COLUMN_FIELD || sl_field_is_money(col->field))
            continue;
        bool fits = true;
        for (size_t i = rows.from; i < rows.to && fits; i++) {
            sl_value v;
            const char *t = cell(held, i, (int)c);
            if (!t[0] || is_summary(rows, content, held, i))
                continue;
            fits = sl_parse_value_as(t, col->currency, col->decimal, &v, NULL) == SL_OK &&
                   (v.kind == SL_VALUE_ABSENT ||
                    (v.kind == SL_VALUE_NUMBER && v.number == floor(v.number) && v.number >= 0));
        }
        if (fits)
            continue;
        plan->field_col[col->field] = -1;
        col->role = SL_COLUMN_EXTRA;
        col->parser = SL_PARSER_NONE;
        col->guessed = false;
        col->how[0] = '\0';
        col->note = "not a header ShopLab knows (its words suggest a count, its cells are not)";
    }
}

/* A report whose period is written in every row ("2026-09-01-2026-09-30" in
 * its date column) rather than above the header: the earliest start to the
 * latest end. */
void import_period_from_rows(const held_rows *held, const import_plan *plan, char *period,
                             size_t size)
{
    int c = plan->key_col[SL_DIM_DAY];
    if (c < 0 || period[0])
        return;
    char first[11] = "", last[11] = "";
    size_t table_end = plan->table_ends ? plan->data_end : held->count;
    for (size_t i = plan->header_index + 1; i < table_end; i++) {
        const char *t = cell(held, i, c);
        char a[11], b[11];
        bool amb;
        /* two ISO days joined by '-' or '~' */
        if (strlen(t) < 21 || !import_parse_day(t, DATE_ORDER_UNKNOWN, a, &amb) ||
            (t[10] != '-' && t[10] != '~' && t[11] != '~'))
            continue;
        const char *second = t + 11;
        while (*second == ' ' || *second == '~')
            second++;
        if (!import_parse_day(second, DATE_ORDER_UNKNOWN, b, &amb))
            continue;
        if (!first[0] || strcmp(a, first) < 0)
            memcpy(first, a, sizeof first);
        if (!last[0] || strcmp(b, last) > 0)
            memcpy(last, b, sizeof last);
    }
    if (first[0])
        snprintf(period, size, "%s ~ %s", first, last);
}

sl_status import_survey(const sl_content *content, const held_rows *held, const char *file,
                        import_plan *plan, sl_error *err)
{
    table_rows rows = {plan->header_index + 1, plan->table_ends ? plan->data_end : held->count,
                       NULL};
    if (rows.to > rows.from && (rows.summary = malloc(rows.to - rows.from))) {
        for (size_t i = rows.from; i < rows.to; i++)
            rows.summary[i - rows.from] = summary_row(content, held, i);
    }
    find_unnamed_day(held, rows, plan, content);
    decide_decimals(held, rows, plan, content);
    check_guesses(held, rows, plan, content);
    sl_status st = decide_day_order(content, held, rows, file, plan, err);
    if (st == SL_OK) {
        decide_rates(content, held, rows, plan);
        decide_id_in_label(held, rows, plan);
    }
    free(rows.summary);
    return st;
}
