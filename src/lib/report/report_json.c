/*
 * report_json.c — the report as JSON: the decoder's shape for every row and
 * the totals, plus where the numbers came from (file, sheet, header row,
 * how each column was mapped) and which rows were skipped and why; and the
 * list of stored imports.
 */
#include "json/json_shape.h"

#include <stdint.h>
#include <stdlib.h>

static json_t *column_json(const sl_column *c)
{
    json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:s}", "index", (json_int_t)c->index, "header",
                          c->header, "section", c->section, "role",
                          sl_column_role_name(c->role), "parser", sl_parser_name(c->parser));
    const char *target = NULL;
    if (c->role == SL_COLUMN_FIELD)
        target = sl_field_name(c->field);
    else if (c->role == SL_COLUMN_RATE)
        target = sl_rate_name(c->rate);
    else if (c->role == SL_COLUMN_KEY)
        target = sl_dimension_name(c->dimension);
    json_object_set_new(o, "maps_to", target ? json_string(target) : json_null());
    json_object_set_new(o, "term", c->term ? json_string(c->term) : json_null());
    json_object_set_new(o, "currency", c->currency[0] ? json_string(c->currency) : json_null());
    json_object_set_new(o, "note", c->note ? json_string(c->note) : json_null());
    char mark[2] = {c->decimal, '\0'};
    json_object_set_new(o, "decimal", c->decimal ? json_string(mark) : json_null());
    if (c->role == SL_COLUMN_RATE)
        json_object_set_new(o, "units", json_string(c->percent_units ? "percent" : "fraction"));
    json_object_set_new(o, "how", c->how[0] ? json_string(c->how) : json_null());
    json_object_set_new(o, "guessed", json_boolean(c->guessed));
    json_object_set_new(o, "bad_cells", json_integer((json_int_t)c->bad_cells));
    return o;
}

static json_t *source_json(const sl_source *s)
{
    json_t *columns = json_array();
    for (size_t i = 0; i < s->column_count; i++)
        json_array_append_new(columns, column_json(&s->columns[i]));
    json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:o}", "file", s->file, "format", s->format,
                          "header_row", (json_int_t)s->header_row, "rows", (json_int_t)s->rows,
                          "skipped", (json_int_t)s->skipped, "columns", columns);
    json_object_set_new(o, "sheet", s->sheet[0] ? json_string(s->sheet) : json_null());
    json_object_set_new(o, "encoding", s->encoding[0] ? json_string(s->encoding) : json_null());
    json_object_set_new(o, "period", s->period[0] ? json_string(s->period) : json_null());
    json_object_set_new(o, "title", s->title[0] ? json_string(s->title) : json_null());
    json_object_set_new(o, "band_row",
                        s->band_row ? json_integer((json_int_t)s->band_row) : json_null());
    json_object_set_new(o, "description_row",
                        s->description_row ? json_integer((json_int_t)s->description_row)
                                           : json_null());
    json_object_set_new(o, "import_id",
                        s->import_id ? json_integer((json_int_t)s->import_id) : json_null());
    json_object_set_new(o, "already_stored", json_boolean(s->already_stored));
    json_object_set_new(o, "summary_rows", json_integer((json_int_t)s->summary_rows));
    json_object_set_new(o, "bad_cells", json_integer((json_int_t)s->bad_cells));
    json_object_set_new(o, "tables", json_integer(s->tables));
    json_t *channels = json_array();
    for (size_t ch = 0; ch < s->channel_count; ch++) {
        json_t *fields = json_object();
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            if (s->channels[ch].present & (1u << f))
                json_object_set_new(fields, sl_field_name((sl_field)f),
                                    json_real(s->channels[ch].value[f]));
        json_array_append_new(channels, json_pack("{s:s,s:o}", "name", s->channels[ch].name,
                                                  "funnel", fields));
    }
    json_object_set_new(o, "channels", channels);
    if (s->check_row) {
        char text[400];
        bool agrees = sl_report_check_text(s, text, sizeof text);
        json_t *fields = json_object();
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            if (s->check_present & (1u << f))
                json_object_set_new(fields, sl_field_name((sl_field)f),
                                    json_pack("{s:f,s:f}", "total", s->check_total[f], "rows",
                                              s->check_sum[f]));
        json_object_set_new(o, "check",
                            json_pack("{s:I,s:b,s:o,s:s}", "row", (json_int_t)s->check_row,
                                      "agrees", agrees, "fields", fields, "text", text));
    } else {
        json_object_set_new(o, "check", json_null());
    }
    return o;
}

static json_t *row_json(const sl_report *r, size_t index, const sl_report_row *row)
{
    sl_decode_result d;
    sl_error err;
    json_t *o;
    if (sl_report_decode(r, index, &d, &err) == SL_OK) {
        o = decode_json(&d);
    } else {
        o = json_pack("{s:o,s:{s:s,s:s}}", "funnel", funnel_json(&row->funnel), "error", "code",
                      sl_status_name(err.code), "message", err.message);
    }
    if (!o)
        return NULL;
    json_t *reported = json_object();
    for (int id = 0; id < SL_RATE__COUNT; id++)
        if (row->reported_present & (1u << id))
            json_object_set_new(reported, sl_rate_name((sl_rate_id)id),
                                json_real(row->reported[id]));
    json_object_set_new(o, "reported_rates", reported);
    json_object_set_new(o, "source_rows", json_integer((json_int_t)row->source_rows));
    if (index != SIZE_MAX) {
        json_object_set_new(o, "key", json_string(row->key));
        json_object_set_new(o, "label", row->label[0] ? json_string(row->label) : json_null());
        json_object_set_new(o, "rank", json_integer((json_int_t)row->rank));
    }
    return o;
}

/* A skipped row or an unreadable cell: file:row:column, header, value, why. */
static json_t *issue_json(const sl_row_issue *is)
{
    return json_pack("{s:s,s:I,s:I,s:s,s:s,s:s}", "file", is->file, "row", (json_int_t)is->row,
                     "column", (json_int_t)is->column, "header", is->header, "value", is->value,
                     "message", is->message);
}

char *sl_report_to_json(const sl_report *r)
{
    if (!r)
        return NULL;
    json_t *sources = json_array(), *rows = json_array(), *issues = json_array(),
           *cell_issues = json_array();
    for (size_t i = 0; i < r->source_count; i++)
        json_array_append_new(sources, source_json(&r->sources[i]));
    for (size_t i = 0; i < r->row_count; i++)
        json_array_append_new(rows, row_json(r, i, &r->rows[i]));
    for (size_t i = 0; i < r->issue_count; i++)
        json_array_append_new(issues, issue_json(&r->issues[i]));
    for (size_t i = 0; i < r->cell_issue_count; i++)
        json_array_append_new(cell_issues, issue_json(&r->cell_issues[i]));
    const char *period = r->source_count ? r->sources[0].period : "";
    json_t *root = json_pack(
        "{s:b,s:o,s:o,s:s,s:I,s:o,s:o,s:o,s:I,s:I,s:o}", "grouped", r->grouped, "by",
        r->grouped ? json_string(sl_report_key_name(r)) : json_null(), "period",
        period[0] ? json_string(period) : json_null(), "baseline_from",
        r->baseline_stored ? "earlier-imports" : "other-rows", "baseline_groups",
        (json_int_t)r->baseline_groups, "sources", sources, "rows", rows, "totals",
        row_json(r, SIZE_MAX, &r->totals), "rows_read", (json_int_t)r->rows_read, "skipped",
        (json_int_t)r->rows_skipped, "issues", issues);
    if (!root)
        return NULL;
    json_object_set_new(root, "cells_unread", json_integer((json_int_t)r->cells_unread));
    json_object_set_new(root, "cell_issues", cell_issues);
    if (r->all_rows) /* one page of the rows (sl_report_page) */
        json_object_set_new(root, "page",
                            json_pack("{s:I,s:I,s:I}", "first", (json_int_t)r->first_row + 1,
                                      "count", (json_int_t)r->row_count, "of",
                                      (json_int_t)r->all_rows));
    return sl_json_dump(root);
}

char *sl_imports_to_json(const sl_import *items, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        const sl_import *m = &items[i];
        json_array_append_new(
            list, json_pack("{s:I,s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:s}", "id", (json_int_t)m->id,
                            "hash", m->hash, "file", m->file, "sheet",
                            m->sheet[0] ? json_string(m->sheet) : json_null(), "period",
                            m->period[0] ? json_string(m->period) : json_null(), "header_row",
                            (json_int_t)m->header_row, "rows", (json_int_t)m->rows, "skipped",
                            (json_int_t)m->skipped, "imported_at", m->imported_at));
    }
    return sl_json_dump(json_pack("{s:o}", "imports", list));
}
