/*
 * report_html.c — the report as one self-contained HTML page: inline CSS,
 * an SVG funnel of the totals, an SVG bar chart of a rate per row, and the
 * table.  No scripts, no external assets.  Every string that came from a
 * file (titles, keys, headers) goes through html_text(), so a video called
 * "<script>…" is shown, never run.
 */
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Rows drawn in the bar chart (the table holds them all). */
#define CHART_ROWS 30

static void html_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*p, out);
        }
    }
}

static void count_cell(FILE *out, const sl_funnel *f, sl_field field)
{
    double v;
    char buf[40];
    fputs("<td class=n>", out);
    if (sl_funnel_get(f, field, &v)) {
        if (sl_field_is_money(field))
            fprintf(out, "%.2f", v);
        else
            fputs(sl_format_count(buf, sizeof buf, v), out);
    } else {
        fputs("&ndash;", out);
    }
    fputs("</td>", out);
}

static void rate_cell(FILE *out, const sl_decode_result *d, const sl_report_row *row,
                      sl_rate_id id)
{
    fputs("<td class=n>", out);
    if (d && d->rates[id].present) {
        fprintf(out, "%.2f%%", d->rates[id].value * 100);
        if (d->rates[id].has_interval)
            fprintf(out, "<br><small>%.2f&ndash;%.2f%%</small>", d->rates[id].low * 100,
                    d->rates[id].high * 100);
    } else if (row->reported_present & (1u << id)) {
        fprintf(out, "%.2f%%<br><small>as reported</small>", row->reported[id] * 100);
    } else {
        fputs("&ndash;", out);
    }
    fputs("</td>", out);
}

/* One bar per count, widths on a log scale so orders stay visible next to
 * views.  Public: the web app draws a single video's funnel with it. */
void sl_funnel_write_svg(const sl_funnel *f, const char *label, const char *missing, FILE *out)
{
    static const sl_field steps[] = {SL_FIELD_VIEWS, SL_FIELD_PRODUCT_IMPRESSIONS,
                                     SL_FIELD_PRODUCT_CLICKS, SL_FIELD_ORDERS};
    double top = 0, v;
    for (size_t i = 0; i < 4; i++)
        if (sl_funnel_get(f, steps[i], &v) && v > top)
            top = v;
    fputs("<svg role=img aria-label=\"", out);
    html_text(out, label);
    fputs("\" viewBox=\"0 0 640 180\" width=\"100%\" class=chart>", out);
    for (size_t i = 0; i < 4; i++) {
        double y = 10 + 42.0 * (double)i;
        char buf[40];
        if (!sl_funnel_get(f, steps[i], &v)) {
            fprintf(out, "<text x=\"0\" y=\"%.0f\">%s: ", y + 22, sl_field_label(steps[i]));
            html_text(out, missing);
            fputs("</text>", out);
            continue;
        }
        double w = top > 1 ? 400.0 * log10(v + 1) / log10(top + 1) : 0;
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"32\" fill=\"#2f6f8f\"/>"
                "<text x=\"0\" y=\"%.0f\">%s</text><text x=\"620\" y=\"%.0f\" "
                "text-anchor=\"end\">%s</text>",
                130 + (400 - w) / 2, y, w, y + 21, sl_field_label(steps[i]), y + 21,
                sl_format_count(buf, sizeof buf, v));
    }
    fputs("</svg>", out);
}

/* Product CTR per row (or video CTR when the file has no impressions). */
static void svg_bars(FILE *out, const sl_report *r)
{
    sl_rate_id id = SL_RATE_PRODUCT_CTR;
    if (!sl_funnel_has(&r->totals.funnel, SL_FIELD_PRODUCT_IMPRESSIONS))
        id = sl_funnel_has(&r->totals.funnel, SL_FIELD_VIEWS) ? SL_RATE_VIDEO_CTR : SL_RATE_CTOR;
    size_t n = r->row_count < CHART_ROWS ? r->row_count : CHART_ROWS;
    double values[CHART_ROWS], top = 0;
    bool has[CHART_ROWS];
    for (size_t i = 0; i < n; i++) {
        sl_rate rates[SL_RATE__COUNT];
        has[i] = sl_funnel_rates(&r->rows[i].funnel, SL_VALIDATE_ALLOW_ORDERS_OVER_CLICKS, 0.95,
                                 rates, NULL) == SL_OK &&
                 rates[id].present;
        values[i] = has[i] ? rates[id].value : 0;
        if (!has[i] && (r->rows[i].reported_present & (1u << id)))
            has[i] = true, values[i] = r->rows[i].reported[id];
        if (values[i] > top)
            top = values[i];
    }
    if (r->all_rows) /* one page (sl_report_page): its rows, in the order asked for */
        fprintf(out, "<h2>%s of the first %zu rows shown</h2>", sl_rate_label(id), n);
    else
        fprintf(out, "<h2>%s by row (top %zu by rank)</h2>", sl_rate_label(id), n);
    fprintf(out,
            "<svg role=img aria-label=\"%s per row\" viewBox=\"0 0 640 %zu\" width=\"100%%\" "
            "class=chart>",
            sl_rate_label(id), 20 * n + 10);
    for (size_t i = 0; i < n; i++) {
        double y = 5 + 20.0 * (double)i;
        double w = top > 0 ? 380.0 * values[i] / top : 0;
        fputs("<text x=\"0\" y=\"", out);
        fprintf(out, "%.0f\">", y + 13);
        char key[24];
        snprintf(key, sizeof key, "%.20s", r->rows[i].key);
        html_text(out, key);
        fputs("</text>", out);
        if (has[i])
            fprintf(out,
                    "<rect x=\"190\" y=\"%.0f\" width=\"%.1f\" height=\"14\" fill=\"#c2571a\"/>"
                    "<text x=\"%.1f\" y=\"%.0f\">%.2f%%</text>",
                    y, w, 195 + w, y + 12, values[i] * 100);
        else
            fprintf(out, "<text x=\"190\" y=\"%.0f\">no data</text>", y + 12);
    }
    fputs("</svg>", out);
}

static void url_text(FILE *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            fputc(*p, out);
        else
            fprintf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
}

static void table_row(FILE *out, const sl_report *r, size_t index, const sl_report_row *row,
                      const char *row_link)
{
    sl_decode_result d;
    bool ok = sl_report_decode(r, index, &d, NULL) == SL_OK;
    fputs("<tr>", out);
    if (index == SIZE_MAX) {
        fputs("<th scope=row>Total</th><td></td>", out);
    } else {
        fprintf(out, "<td class=n>%zu</td><th scope=row>", row->rank);
        html_text(out, row->key);
        if (row->label[0]) {
            fputs("<br><small>", out);
            html_text(out, row->label);
            fputs("</small>", out);
        }
        if (row_link && r->grouped && r->by == SL_DIM_VIDEO && row->key[0]) {
            fputs("<br><small><a href=\"", out);
            html_text(out, row_link);
            url_text(out, row->key);
            fputs("\">plan a test on this video</a></small>", out);
        }
        fputs("</th>", out);
    }
    count_cell(out, &row->funnel, SL_FIELD_VIEWS);
    count_cell(out, &row->funnel, SL_FIELD_PRODUCT_IMPRESSIONS);
    count_cell(out, &row->funnel, SL_FIELD_PRODUCT_CLICKS);
    count_cell(out, &row->funnel, SL_FIELD_ORDERS);
    count_cell(out, &row->funnel, SL_FIELD_GMV);
    rate_cell(out, ok ? &d : NULL, row, SL_RATE_PRODUCT_CTR);
    rate_cell(out, ok ? &d : NULL, row, SL_RATE_CTOR);
    fputs("<td>", out);
    if (ok && d.has_bottleneck) {
        fprintf(out, "<b>%s</b><br>", sl_step_name(d.bottleneck));
        html_text(out, d.next_test.change);
    } else if (ok) {
        bool early = false;
        for (int s = 0; s < SL_STEP__COUNT; s++)
            early |= d.steps[s].verdict == SL_VERDICT_TOO_EARLY;
        fputs(early ? "too early to tell" : "no weak step", out);
    }
    fputs("</td></tr>\n", out);
}

sl_status sl_report_write_html(const sl_report *r, FILE *out)
{
    fputs("<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
          "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
          "<title>ShopLab report</title><style>"
          "body{font:15px/1.45 system-ui,sans-serif;margin:1rem auto;max-width:72rem;"
          "padding:0 1rem;color:#1b1b1b}table{border-collapse:collapse;width:100%}"
          "th,td{border-bottom:1px solid #ddd;padding:.3rem .4rem;text-align:left;"
          "vertical-align:top}td.n{text-align:right;white-space:nowrap}small{color:#555}"
          "svg text{font:12px system-ui,sans-serif}.note{color:#555;font-size:13px}"
          ".chart{max-width:640px}</style></head><body>\n<h1>ShopLab report</h1>\n",
          out);
    sl_report_write_html_body(r, out, NULL);
    fputs("</body></html>\n", out);
    return ferror(out) ? SL_ERR_IO : SL_OK;
}

sl_status sl_report_write_html_body(const sl_report *r, FILE *out, const char *row_link)
{
    fputs("<p>", out);
    for (size_t i = 0; i < r->source_count; i++) {
        const sl_source *s = &r->sources[i];
        fputs(i ? "<br>" : "", out);
        html_text(out, s->file);
        if (s->sheet[0]) {
            fputs(", sheet ", out);
            html_text(out, s->sheet);
        }
        fprintf(out, ": header on row %llu, %llu rows", (unsigned long long)s->header_row,
                (unsigned long long)s->rows);
        if (s->skipped)
            fprintf(out, ", %llu skipped", (unsigned long long)s->skipped);
        if (strcmp(s->encoding, "windows-1252") == 0) /* a guess: say it (docs/import.md) */
            fputs(", not UTF-8: read as Windows-1252 (if a letter reads wrong, save it as "
                  "&ldquo;CSV UTF-8&rdquo;)", out);
        else if (s->encoding[0] && strcmp(s->encoding, "utf-8") != 0)
            fprintf(out, ", converted from %s", strcmp(s->encoding, "utf-16le") == 0
                                                     ? "UTF-16LE" : "UTF-16BE");
        if (s->period[0]) {
            fputs(", period ", out);
            html_text(out, s->period);
        }
        if (s->title[0]) {
            fputs(" &mdash; <i>", out);
            html_text(out, s->title);
            fputs("</i>", out);
        }
    }
    size_t all = r->all_rows ? r->all_rows : r->row_count; /* a page: the whole count */
    fprintf(out, "</p>\n<p>%zu %s%s.</p>\n<h2>Funnel of the totals</h2>\n", all,
            sl_report_key_name(r), all == 1 ? "" : "s");
    sl_funnel_write_svg(&r->totals.funnel, "Funnel of the totals", "not in the file", out);
    svg_bars(out, r);
    fputs("\n<h2>Rows</h2>\n<table><thead><tr><th>Rank</th><th>Key</th><th>Views</th>"
          "<th>Product impressions</th><th>Product clicks</th><th>Orders</th><th>GMV</th>"
          "<th>Product CTR</th><th>CTOR</th><th>Weakest step and next test</th></tr></thead>"
          "<tbody>\n",
          out);
    for (size_t i = 0; i < r->row_count; i++)
        table_row(out, r, i, &r->rows[i], row_link);
    table_row(out, r, SIZE_MAX, &r->totals, NULL);
    fputs("</tbody></table>\n", out);
    if (r->issue_count) {
        fputs("<h2>Skipped rows</h2><ul>", out);
        for (size_t i = 0; i < r->issue_count; i++) {
            const sl_row_issue *is = &r->issues[i];
            fputs("<li>", out);
            html_text(out, is->file);
            fprintf(out, ":%llu:%llu ", (unsigned long long)is->row,
                    (unsigned long long)is->column);
            html_text(out, is->header);
            fputs(" &ldquo;", out);
            html_text(out, is->value);
            fputs("&rdquo;: ", out);
            html_text(out, is->message);
            fputs("</li>", out);
        }
        fputs("</ul>", out);
    }
    if (r->baseline_stored)
        fprintf(out,
                "<p class=note>This report has too few rows to be its own baseline, so each "
                "row is read against the median of %zu %ss from your earlier imports (practice "
                "reference values, invented for practice, where those lack a number).",
                r->baseline_groups, sl_dimension_name(r->by));
    else
        fputs("<p class=note>Rows are read against the median of the other rows when at "
              "least five have the number, otherwise against practice reference values "
              "(invented for practice, not benchmarks).",
              out);
    fputs(" Intervals are 95&nbsp;% Wilson intervals (exact next to 1&ndash;3 counts). ShopLab "
          "is independent software, not affiliated with any platform, and promises no reach, "
          "orders or earnings.</p>\n",
          out);
    return ferror(out) ? SL_ERR_IO : SL_OK;
}
