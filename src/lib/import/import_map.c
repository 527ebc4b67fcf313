/*
 * import_map.c — from the header row to a column plan: what each column of
 * the header names (a key, a title, a count, a rate, or nothing ShopLab
 * computes with), which of two columns of one kind wins, the keys a file
 * without IDs is read by, and whether a row below the header is a
 * description row.
 *
 * import_header.c finds the header first; import_survey.c then decides how
 * each column's cells are written.
 */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Key roles' best priority so far (lower wins), one per role. */
typedef struct key_ranks {
    int priority[ROLE_TIME + 1];
} key_ranks;

/* Column c names a key, a title or a start time: it takes the role unless
 * a better column of the role came first, and demotes a worse one. */
static void map_key_column(import_plan *plan, key_ranks *ranks, size_t c,
                           const header_match *m)
{
    sl_column *col = &plan->columns[c];
    int role = m->role;
    if (m->priority >= ranks->priority[role]) {
        col->note = role == ROLE_LABEL  ? "another title column is used"
                    : role == ROLE_TIME ? "another start-time column is used"
                                        : "another key column of this kind is used";
        return;
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
    ranks->priority[role] = m->priority;
    if (role == ROLE_LABEL) {
        col->role = SL_COLUMN_LABEL;
        col->parser = SL_PARSER_TEXT;
        plan->label_col = (int)c;
        plan->label_video_title = m->video_title;
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
            plan->day_order = m->order;
    }
}

/* Column c names a glossary term: a funnel field (the total's, or one
 * channel band's share), a rate the file reports, or a measure kept as an
 * extra. */
static void map_term_column(const sl_content *content, import_plan *plan, size_t c,
                            const header_match *m)
{
    sl_column *col = &plan->columns[c];
    col->term = m->term->slug;
    const char *named_channel = import_channel_of(col->header);
    if (named_channel && !col->section[0])
        snprintf(col->section, sizeof col->section, "%s", named_channel);
    bool channel = is_channel(content, col);
    sl_rate_id rate;
    if (m->term->field) {
        sl_field f = SL_FIELD__COUNT;
        for (int k = 0; k < SL_FIELD__COUNT; k++)
            if (strcmp(sl_field_name((sl_field)k), m->term->field) == 0)
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
    } else if (m->term->kind == SL_TERM_METRIC && import_formula_rate(m->term->formula, &rate)) {
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

/* Reads column c's header (and its band label, carried right over a span
 * of columns in *section) and maps it. */
static void map_column(const sl_content *content, const held_rows *held, size_t header,
                       bool band, size_t c, const char **section, key_ranks *ranks,
                       import_plan *plan)
{
    sl_column *col = &plan->columns[c];
    col->index = (uint32_t)c;
    col->parser = SL_PARSER_NONE;
    import_tidy_header(held->text[header][c], col->header, sizeof col->header, false);
    if (band && c < held->cells[header - 1] && held->text[header - 1][c][0])
        *section = held->text[header - 1][c];
    snprintf(col->section, sizeof col->section, "%s", *section);
    if (!col->header[0]) {
        col->note = "no header";
        return;
    }
    header_match m;
    const sl_vocab *guess = NULL;
    if (!import_match_header(content, col->header, &m) &&
        !import_guess_header(content, col->header, &m, &guess)) {
        col->note = "not a header ShopLab knows";
        return;
    }
    if (guess) {
        col->guessed = true;
        snprintf(col->how, sizeof col->how,
                 "its words contain every word of \"%.60s\" (%s); check it", guess->header,
                 guess->what);
    }
    memcpy(col->currency, m.currency, sizeof col->currency);
    if (m.role >= 0 && !m.term)
        map_key_column(plan, ranks, c, &m);
    else if (!m.term)
        col->note = "a real export column ShopLab does not compute with";
    else
        map_term_column(content, plan, c, &m);
}

/* Keys a file without IDs is read by: a start time gives the LIVE's day
 * when there is no day column, and with the title names each LIVE when
 * there is no room ID; a video list without video IDs names each video by
 * its post day and title. */
static void keys_without_ids(import_plan *plan)
{
    if (plan->time_col >= 0) {
        if (plan->key_col[SL_DIM_DAY] < 0)
            plan->key_col[SL_DIM_DAY] = plan->time_col;
        if (plan->key_col[SL_DIM_LIVE] < 0) {
            plan->live_from_title = true;
            plan->key_col[SL_DIM_LIVE] = plan->time_col;
            plan->columns[plan->time_col].dimension = SL_DIM_LIVE;
        }
    }
    if (plan->key_col[SL_DIM_VIDEO] < 0 && plan->label_video_title && plan->label_col >= 0) {
        plan->video_from_title = true;
        plan->key_col[SL_DIM_VIDEO] = plan->label_col;
    }
}

/* Stand-ins: a measure that counts as a field the file lacks. */
static void use_stand_ins(const sl_content *content, import_plan *plan)
{
    for (size_t s = 0; s < import_stand_in_count(); s++) {
        const char *slug;
        sl_field f;
        import_stand_in(s, &slug, &f);
        if (plan->field_col[f] >= 0)
            continue;
        for (size_t c = 0; c < plan->column_count; c++) {
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
    key_ranks ranks;
    for (int k = 0; k <= ROLE_TIME; k++)
        ranks.priority[k] = 1 << 30;
    const char *section = "";
    for (size_t c = 0; c < ncols; c++)
        map_column(content, held, header, band, c, &section, &ranks, plan);
    keys_without_ids(plan);
    use_stand_ins(content, plan);
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

/* Every column unmapped, every key and field "none yet". */
static void plan_init(import_plan *plan)
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
}

/* SL_ERR_UNRECOGNISED unless the header maps a count or a rate: keys and
 * titles alone are no report. */
static sl_status need_a_value(const import_plan *plan, const char *file, sl_error *err)
{
    bool any_value = false;
    for (int k = 0; k < SL_FIELD__COUNT; k++)
        any_value |= plan->field_col[k] >= 0;
    for (size_t c = 0; c < plan->column_count; c++)
        any_value |= plan->columns[c].role == SL_COLUMN_RATE;
    if (any_value)
        return SL_OK;
    char found[96] = "", expected[80];
    size_t w = 0;
    for (size_t c = 0; c < plan->column_count && w + 30 < sizeof found; c++)
        if (plan->columns[c].header[0])
            w += (size_t)snprintf(found + w, sizeof found - w, "%s\"%.20s\"", w ? ", " : "",
                                  plan->columns[c].header);
    import_expected_fields(expected, sizeof expected);
    return sl_fail_at(err, SL_ERR_UNRECOGNISED, (sl_place){file, plan->header_row, 0, NULL},
                      "the header row has no count or rate column (found %s); expected "
                      "columns such as %s",
                      found, expected);
}

sl_status import_plan_build(const held_rows *held, const char *file, import_plan *plan,
                            sl_error *err)
{
    plan_init(plan);
    sl_status st = import_names_ready(err);
    if (st != SL_OK)
        return st;
    const sl_content *content = sl_content_builtin_with_vocabulary(err);
    if (!content)
        return err ? err->code : SL_ERR_CONTENT;
    import_header_place place;
    if ((st = import_find_header(content, held, file, plan, &place, err)) != SL_OK)
        return st;
    if ((st = map_columns(content, held, place.header, place.band, plan, err)) != SL_OK)
        return st;
    if ((st = need_a_value(plan, file, err)) != SL_OK ||
        (st = import_survey(content, held, file, plan, err)) != SL_OK) {
        import_plan_free(plan);
        return st;
    }
    import_find_period(held, place.preamble_end, plan->day_order, plan->period,
                       sizeof plan->period);
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
