/*
 * report_html.c — the report as HTML: one self-contained page (inline CSS,
 * no scripts, no external assets) for `shoplab read --format html`, or its
 * body for the web app's report pages.
 *
 * The body is built around the reading: summary cards first (totals, the two
 * rates with their intervals, the most common weak step), then one row per
 * video with its title first and its reading right next to it, so a verdict
 * is never a horizontal scroll away from the video it belongs to; numbers
 * come after.  Every cell carries a data-label so a narrow screen can show
 * each row as a card.  Charts are SVG on linear scales from zero, sized so
 * their text stays readable on a phone, each with a text alternative.
 *
 * Every string that came from a file (titles, keys, headers) goes through
 * sl_html_escape(), so a video called "<script>…" is shown, never run.
 */
#include "base/internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

const char *sl_report_currency(const sl_report *r)
{
    const char *found = "";
    for (size_t i = 0; r && i < r->source_count; i++) {
        if (r->sources[i].currency[0]) { /* a stored import: its columns are not kept */
            if (found[0] && strcmp(found, r->sources[i].currency) != 0)
                return "";
            found = r->sources[i].currency;
        }
        for (size_t c = 0; c < r->sources[i].column_count; c++) {
            const sl_column *col = &r->sources[i].columns[c];
            if (col->role != SL_COLUMN_FIELD || !sl_field_is_money(col->field) ||
                !col->currency[0])
                continue;
            if (found[0] && strcmp(found, col->currency) != 0)
                return ""; /* two currencies: name neither rather than one wrongly */
            found = col->currency;
        }
    }
    return found;
}

/* How an amount is written next to its currency: the mark creators see in
 * their own analytics; false for a code the table lacks (then the code
 * itself is written, with a space). */
static bool currency_mark(const char *code, const char **before, const char **after,
                          int *decimals)
{
    static const struct {
        const char *code, *before, *after;
        int decimals;
    } marks[] = {
        {"BRL", "R$\u00a0", "", 2},  {"USD", "US$\u00a0", "", 2}, {"MXN", "MX$\u00a0", "", 2},
        {"IDR", "Rp\u00a0", "", 0},  {"MYR", "RM\u00a0", "", 2},  {"SGD", "S$\u00a0", "", 2},
        {"PHP", "\u20b1", "", 2},    {"THB", "\u0e3f", "", 2},    {"VND", "", "\u00a0\u20ab", 0},
        {"EUR", "\u20ac\u00a0", "", 2}, {"GBP", "\u00a3", "", 2}, {"CNY", "\u00a5", "", 2},
    };
    *before = "", *after = "", *decimals = 2;
    for (size_t i = 0; code && i < sizeof marks / sizeof *marks; i++)
        if (strcmp(marks[i].code, code) == 0) {
            *before = marks[i].before, *after = marks[i].after, *decimals = marks[i].decimals;
            return true;
        }
    return !code || !code[0];
}

/* "R$ 1,250.00", "Rp 1,234,567", "1,250.00" (no currency known): digits
 * grouped by thousands like every count in the report. */
static const char *money_text(char *buf, size_t size, double v, const char *currency)
{
    const char *before, *after;
    int decimals;
    char code[8] = "";
    if (!currency_mark(currency, &before, &after, &decimals)) {
        snprintf(code, sizeof code, "%.3s\u00a0", currency);
        before = code;
    }
    char whole[40];
    if (decimals == 0) {
        sl_format_count(whole, sizeof whole, round(v));
        snprintf(buf, size, "%s%s%s", before, whole, after);
    } else {
        double cents = round(v * 100);
        sl_format_count(whole, sizeof whole, floor(cents / 100));
        snprintf(buf, size, "%s%s.%02d%s", before, whole, (int)fmod(cents, 100), after);
    }
    return buf;
}

static void count_text(FILE *out, const sl_funnel *f, sl_field field, const char *currency)
{
    double v;
    char buf[64];
    if (!sl_funnel_get(f, field, &v))
        fputs("&ndash;", out);
    else if (sl_field_is_money(field))
        fputs(money_text(buf, sizeof buf, v, currency), out);
    else
        fputs(sl_format_count(buf, sizeof buf, v), out);
}

/* A rate with its interval in small text under it, and its parts ("431 of
 * 9,800"), so the counts behind it stay in view without columns of their own. */
static void rate_text(FILE *out, const sl_rate *rate, const sl_report_row *row, sl_rate_id id)
{
    char a[40], b[40];
    if (rate && rate->present) {
        fprintf(out, "<b>%.2f%%</b>", rate->value * 100);
        if (rate->has_interval)
            fprintf(out, "<small class=iv>%.2f&ndash;%.2f%%</small>", rate->low * 100,
                    rate->high * 100);
        fprintf(out, "<small class=parts>%s of %s</small>",
                sl_format_count(a, sizeof a, rate->numerator),
                sl_format_count(b, sizeof b, rate->denominator));
    } else if (row->reported_present & (1u << id)) {
        fprintf(out, "<b>%.2f%%</b><small>as the file reports it</small>",
                row->reported[id] * 100);
    } else {
        fputs("&ndash;", out);
    }
}

/* ---- the funnel ---- */

/* Geometry of the small charts: a viewBox about as wide as a phone's column,
 * so 14-unit text renders at 12 px or more there and no larger than about
 * 19 px where the stylesheet caps the chart's width (30rem). */
#define CHART_W 360
#define TEXT_Y 14

void sl_funnel_write_svg(const sl_funnel *f, const char *label, const char *missing, FILE *out)
{
    static const sl_field steps[] = {SL_FIELD_VIEWS, SL_FIELD_PRODUCT_IMPRESSIONS,
                                     SL_FIELD_PRODUCT_CLICKS, SL_FIELD_ORDERS};
    double top = 0, values[4];
    bool has[4];
    for (size_t i = 0; i < 4; i++) {
        has[i] = sl_funnel_get(f, steps[i], &values[i]);
        if (has[i] && values[i] > top)
            top = values[i];
    }
    fputs("<svg role=img aria-label=\"", out);
    sl_html_escape(out, label);
    fprintf(out, "\" viewBox=\"0 0 %d 176\" width=\"100%%\" class=\"chart funnel\"><title>",
            CHART_W);
    sl_html_escape(out, label);
    fputs("</title><desc>", out);
    /* The numbers in words, for a reader who cannot see the bars. */
    for (size_t i = 0, said = 0; i < 4; i++) {
        char buf[40];
        if (!has[i])
            continue;
        fprintf(out, "%s%s %s", said++ ? "; " : "", sl_format_count(buf, sizeof buf, values[i]),
                sl_field_label(steps[i]));
    }
    fputs(". Bar lengths are to scale (linear, from zero).</desc>", out);
    for (size_t i = 0; i < 4; i++) {
        double y = 4 + 43.0 * (double)i;
        char buf[40];
        fprintf(out, "<text x=\"0\" y=\"%.0f\">%s", y + TEXT_Y, sl_field_label(steps[i]));
        if (!has[i]) {
            fputs(": ", out);
            sl_html_escape(out, missing);
            fputs("</text>", out);
            continue;
        }
        fprintf(out, "</text><text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%s", CHART_W,
                y + TEXT_Y, sl_format_count(buf, sizeof buf, values[i]));
        /* The share this step keeps of the one before it: what a creator
         * compares with the rates, drawn where the eye already is. */
        if (i > 0 && has[i - 1] && values[i - 1] > 0)
            fprintf(out, " (%.1f%%)", 100 * values[i] / values[i - 1]);
        double w = top > 0 ? CHART_W * values[i] / top : 0;
        if (values[i] > 0 && w < 1.5)
            w = 1.5; /* a nonzero count stays visible; its number says how small */
        fprintf(out,
                "</text><rect x=\"0\" y=\"%.0f\" width=\"%.1f\" height=\"16\" fill=\"#2f6f8f\"/>",
                y + 19, w);
    }
    fputs("</svg>", out);
}

/* ---- summary ---- */

static const char *plural(size_t n, const char *word, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", word, n == 1 ? "" : "s");
    return buf;
}

static void summary(FILE *out, const sl_report *r, const sl_report_html_options *o,
                    const char *currency)
{
    sl_decode_result d;
    bool ok = sl_report_decode(r, SIZE_MAX, &d, NULL) == SL_OK;
    const sl_report_steps *st = &r->steps;
    size_t all = st->counted ? st->rows : r->all_rows ? r->all_rows : r->row_count;
    char word[48];
    plural(all, sl_report_key_name(r), word, sizeof word);
    fputs("<section class=summary aria-label=\"Summary\">", out);
    char cap[48];
    snprintf(cap, sizeof cap, "%s", word);
    cap[0] = (char)(cap[0] >= 'a' && cap[0] <= 'z' ? cap[0] - 32 : cap[0]);
    fprintf(out, "<div class=stat><span class=k>%s</span><b>%zu</b>", cap, all);
    if (r->sources[0].period[0]) {
        fputs("<small>", out);
        sl_html_escape(out, r->sources[0].period);
        fputs("</small>", out);
    }
    fputs("</div><div class=stat><span class=k>Views</span><b>", out);
    count_text(out, &r->totals.funnel, SL_FIELD_VIEWS, currency);
    fputs("</b></div><div class=stat><span class=k>Orders</span><b>", out);
    count_text(out, &r->totals.funnel, SL_FIELD_ORDERS, currency);
    fputs("</b>", out);
    if (sl_funnel_has(&r->totals.funnel, SL_FIELD_GMV)) {
        fputs("<small>GMV ", out);
        count_text(out, &r->totals.funnel, SL_FIELD_GMV, currency);
        fputs("</small>", out);
    }
    fputs("</div>", out);
    static const sl_rate_id rates[] = {SL_RATE_PRODUCT_CTR, SL_RATE_CTOR};
    for (size_t i = 0; i < 2; i++) {
        fprintf(out, "<div class=stat><span class=k>%s</span>", sl_rate_label(rates[i]));
        rate_text(out, ok ? &d.rates[rates[i]] : NULL, &r->totals, rates[i]);
        fputs("</div>", out);
    }
    /* The bottleneck across rows: the most common weak step. */
    fputs("<div class=\"stat wide-stat\"><span class=k>Weak step across rows</span>", out);
    if (st->counted) {
        int top = -1;
        bool tie = false;
        size_t weak_rows = 0;
        for (int s = 0; s < SL_STEP__COUNT; s++) {
            weak_rows += st->weak[s];
            if (st->weak[s] && top >= 0 && st->weak[s] == st->weak[top])
                tie = true;
            else if (st->weak[s] && (top < 0 || st->weak[s] > st->weak[top]))
                top = s, tie = false;
        }
        if (top >= 0 && !tie) {
            fprintf(out, "<b>%s</b><span>is the weak step in %zu of %zu %s</span>",
                    sl_step_name((sl_step)top), st->weak[top], st->rows, word);
        } else if (top >= 0) {
            /* No single bottleneck: naming the first of a tie would mislead. */
            fputs("<b>no single one</b><span>", out);
            for (int s = 0, said = 0; s < SL_STEP__COUNT; s++)
                if (st->weak[s])
                    fprintf(out, "%s%s weak in %zu", said++ ? ", " : "",
                            sl_step_name((sl_step)s), st->weak[s]);
            fprintf(out, " of %zu %s</span>", st->rows, word);
        } else {
            fprintf(out, "<b>none</b><span>no %s has a weak step</span>",
                    sl_report_key_name(r));
        }
        if (st->too_early)
            fprintf(out, "<small>%zu too early to tell</small>", st->too_early);
        if (r->weak_only && o && o->all_link) {
            fputs("<small>Showing only the rows with a weak step. <a href=\"", out);
            sl_html_escape(out, o->all_link);
            fputs("\">Show all rows</a></small>", out);
        } else if (weak_rows && o && o->weak_link) {
            fputs("<small><a href=\"", out);
            sl_html_escape(out, o->weak_link);
            fprintf(out, "\">Show only the %zu with a weak step</a></small>", weak_rows);
        }
    } else {
        fputs("<b>&ndash;</b>", out);
    }
    fputs("</div></section>\n", out);
}

/* ---- the rows ---- */

typedef struct column {
    const char *title;
    sl_report_order order;   /* SL_ORDER__COUNT: not sortable */
    const char *cls;
} column;

static void header_cell(FILE *out, const column *c, const sl_report_html_options *o)
{
    fprintf(out, "<th scope=col%s%s", c->cls ? " class=" : "", c->cls ? c->cls : "");
    if (!o || !o->sort_link || c->order == SL_ORDER__COUNT) {
        fprintf(out, ">%s</th>", c->title);
        return;
    }
    bool current = o->order == c->order;
    bool numbers = c->order != SL_ORDER_RANK && c->order != SL_ORDER_KEY;
    /* A first click sorts a number largest first; a second click flips it. */
    bool next_desc = current ? !o->descending : numbers;
    if (current)
        fprintf(out, " aria-sort=%s", o->descending ? "descending" : "ascending");
    fputs("><a href=\"", out);
    sl_html_escape(out, o->sort_link);
    fprintf(out, "sort=%s&amp;dir=%s\">%s%s</a></th>", sl_report_order_name(c->order),
            next_desc ? "desc" : "asc", c->title,
            current ? (o->descending ? " <span aria-hidden=true>&#9660;</span>"
                                     : " <span aria-hidden=true>&#9650;</span>")
                    : "");
}

static void reading_cell(FILE *out, const sl_decode_result *d, bool ok)
{
    fputs("<td class=reading data-label=\"Reading\">", out);
    if (!ok) {
        fputs("&ndash;", out);
    } else if (d->has_bottleneck) {
        fprintf(out, "<b class=\"verdict v-weak\">%s is weak</b>", sl_step_name(d->bottleneck));
        if (d->next_test.change) {
            fputs("<span class=next>Next test: ", out);
            sl_html_escape(out, d->next_test.change);
            fputs("</span>", out);
        }
    } else {
        const sl_step_reading *early = NULL;
        for (int s = 0; s < SL_STEP__COUNT && !early; s++)
            if (d->steps[s].verdict == SL_VERDICT_TOO_EARLY)
                early = &d->steps[s];
        if (early) {
            fputs("<b class=\"verdict v-too-early\">too early to tell</b>", out);
            if (early->more_needed) {
                char buf[40];
                fprintf(out, "<span class=next>%s needs about %s more %s</span>",
                        sl_step_name(early->step),
                        sl_format_count(buf, sizeof buf, (double)early->more_needed),
                        sl_field_label(early->more_field));
            }
        } else {
            fputs("<b class=\"verdict v-strong\">no weak step</b>", out);
        }
    }
    fputs("</td>", out);
}

static void table_row(FILE *out, const sl_report *r, size_t index, const sl_report_row *row,
                      const sl_report_html_options *o, const char *row_link,
                      const char *currency)
{
    sl_decode_result d;
    bool ok = sl_report_decode(r, index, &d, NULL) == SL_OK;
    bool total = index == SIZE_MAX;
    fputs(total ? "<tr class=total>" : "<tr>", out);
    if (total) {
        fputs("<th scope=row class=key><span class=title>Total</span>", out);
        if (r->weak_only)
            fputs("<small>of every row, not only those shown</small>", out);
        fputs("</th>", out);
    } else {
        fputs("<th scope=row class=key><span class=title>", out);
        sl_html_escape(out, row->label[0] ? row->label : row->key);
        fputs("</span>", out);
        if (row->label[0] && row->key[0]) {
            fputs("<small class=id>", out);
            sl_html_escape(out, row->key);
            fputs("</small>", out);
        }
        bool video = r->grouped && r->by == SL_DIM_VIDEO && row->key[0];
        if (video && o && o->plan_link) {
            /* The test to plan is on the row's weak step: conversion is
             * CTOR's; everything else starts from Product CTR. */
            bool ctor = ok && d.has_bottleneck && d.bottleneck == SL_STEP_CONVERSION;
            fputs("<small><a href=\"", out);
            sl_html_escape(out, o->plan_link);
            fprintf(out, "metric=%s&amp;before-video=", ctor ? "ctor" : "ctr");
            sl_url_escape(out, row->key);
            fputs("\">plan a test on this video</a></small>", out);
        } else if (video && row_link) {
            fputs("<small><a href=\"", out);
            sl_html_escape(out, row_link);
            sl_url_escape(out, row->key);
            fputs("\">plan a test on this video</a></small>", out);
        }
        fputs("</th>", out);
    }
    reading_cell(out, &d, ok);
    fputs("<td class=n data-label=\"Views\">", out);
    count_text(out, &row->funnel, SL_FIELD_VIEWS, currency);
    fputs("</td><td class=n data-label=\"Product CTR\">", out);
    rate_text(out, ok ? &d.rates[SL_RATE_PRODUCT_CTR] : NULL, row, SL_RATE_PRODUCT_CTR);
    fputs("</td><td class=n data-label=\"CTOR\">", out);
    rate_text(out, ok ? &d.rates[SL_RATE_CTOR] : NULL, row, SL_RATE_CTOR);
    fputs("</td><td class=n data-label=\"Orders\">", out);
    count_text(out, &row->funnel, SL_FIELD_ORDERS, currency);
    fputs("</td><td class=n data-label=\"GMV\">", out);
    count_text(out, &row->funnel, SL_FIELD_GMV, currency);
    fputs("</td>", out);
    if (total)
        fputs("<td class=n></td>", out);
    else
        fprintf(out, "<td class=n data-label=\"Rank by GMV\">%zu</td>", row->rank);
    fputs("</tr>\n", out);
}

static void rows_table(FILE *out, const sl_report *r, const sl_report_html_options *o,
                       const char *row_link, const char *currency)
{
    char key[64];
    snprintf(key, sizeof key, "%s", sl_report_key_name(r));
    key[0] = (char)(key[0] >= 'a' && key[0] <= 'z' ? key[0] - 32 : key[0]);
    const column cols[] = {
        {key, SL_ORDER_KEY, "key"},
        {"Weakest step and next test", SL_ORDER__COUNT, "reading"},
        {"Views", SL_ORDER_VIEWS, "n"},
        {"Product CTR", SL_ORDER_PRODUCT_CTR, "n"},
        {"CTOR", SL_ORDER_CTOR, "n"},
        {"Orders", SL_ORDER_ORDERS, "n"},
        {"GMV", SL_ORDER_GMV, "n"},
        {"Rank", SL_ORDER_RANK, "n"},
    };
    fputs("\n<h2 id=rows-h>Rows</h2>\n<div class=rows-scroll role=region aria-labelledby=rows-h "
          "tabindex=0><table class=rows><thead><tr>",
          out);
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
        header_cell(out, &cols[c], o);
    fputs("</tr></thead><tbody>\n", out);
    for (size_t i = 0; i < r->row_count; i++)
        table_row(out, r, i, &r->rows[i], o, row_link, currency);
    if (!r->row_count)
        fputs("<tr><td colspan=8>No rows to show here.</td></tr>\n", out);
    fputs("</tbody><tfoot>", out);
    table_row(out, r, SIZE_MAX, &r->totals, NULL, NULL, currency);
    fputs("</tfoot></table></div>\n", out);
}

/* ---- the trend ---- */

typedef struct day_point {
    const sl_report_row *row;
    double views;
    bool has_views;
    sl_rate ctr, ctor;
    char reading[24];        /* "click-through", "too early", "none" */
    bool changed;            /* the reading differs from the day before's */
} day_point;

static int by_day(const void *a, const void *b)
{
    return strcmp(((const day_point *)a)->row->key, ((const day_point *)b)->row->key);
}

/* One panel: a line of `value(i)` over the days, with the interval band
 * when the values are rates.  Heights from zero, linear. */
static void trend_panel(FILE *out, const day_point *p, size_t n, int which, double y0,
                        double height, const char *title)
{
    const double x0 = 4, x1 = CHART_W - 4;
    double top = 0;
    for (size_t i = 0; i < n; i++) {
        const sl_rate *rt = which == 1 ? &p[i].ctr : &p[i].ctor;
        double v = which == 0 ? (p[i].has_views ? p[i].views : 0)
                              : (rt->present ? (rt->has_interval ? rt->high : rt->value) : 0);
        if (v > top)
            top = v;
    }
    if (top <= 0)
        top = 1;
    char buf[40];
    if (which == 0)
        fprintf(out, "<text x=\"0\" y=\"%.0f\">%s (up to %s)</text>", y0 + TEXT_Y, title,
                sl_format_count(buf, sizeof buf, top));
    else
        fprintf(out, "<text x=\"0\" y=\"%.0f\">%s, 95%% band (up to %.1f%%)</text>",
                y0 + TEXT_Y, title, top * 100);
    double py = y0 + 20, ph = height - 24; /* the plot under the title */
    fprintf(out,
            "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#999\"/>",
            x0, py + ph, x1, py + ph);
#define X(i) (n > 1 ? x0 + (x1 - x0) * (double)(i) / (double)(n - 1) : (x0 + x1) / 2)
#define Y(v) (py + ph - ph * (v) / top)
    if (which) {
        /* The band: one polygon per run of days that have an interval. */
        for (size_t i = 0; i < n;) {
            const sl_rate *rt = which == 1 ? &p[i].ctr : &p[i].ctor;
            if (!rt->present || !rt->has_interval) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && (which == 1 ? &p[j].ctr : &p[j].ctor)->has_interval &&
                   (which == 1 ? &p[j].ctr : &p[j].ctor)->present)
                j++;
            fputs("<polygon fill=\"#2f6f8f\" fill-opacity=\"0.18\" points=\"", out);
            for (size_t k = i; k < j; k++)
                fprintf(out, "%.1f,%.1f ", X(k),
                        Y((which == 1 ? &p[k].ctr : &p[k].ctor)->high));
            for (size_t k = j; k-- > i;)
                fprintf(out, "%.1f,%.1f ", X(k),
                        Y((which == 1 ? &p[k].ctr : &p[k].ctor)->low));
            fputs("\"/>", out);
            i = j;
        }
    }
    bool pen = false;
    fputs("<path fill=\"none\" stroke=\"#2f6f8f\" stroke-width=\"2\" d=\"", out);
    for (size_t i = 0; i < n; i++) {
        const sl_rate *rt = which == 1 ? &p[i].ctr : &p[i].ctor;
        bool has = which == 0 ? p[i].has_views : rt->present;
        if (!has) {
            pen = false; /* a day without the number breaks the line */
            continue;
        }
        double v = which == 0 ? p[i].views : rt->value;
        fprintf(out, "%c%.1f %.1f ", pen ? 'L' : 'M', X(i), Y(v));
        pen = true;
    }
    fputs("\"/>", out);
    for (size_t i = 0; i < n; i++) {
        const sl_rate *rt = which == 1 ? &p[i].ctr : &p[i].ctor;
        bool has = which == 0 ? p[i].has_views : rt->present;
        if (has)
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", X(i),
                    Y(which == 0 ? p[i].views : rt->value),
                    p[i].changed ? "#c2571a" : "#2f6f8f");
    }
#undef X
#undef Y
}

/* One point per day: views, the two rates and the reading.  Returns how
 * many days have something to draw. */
static size_t day_points(const sl_report *days, day_point *p)
{
    size_t usable = 0;
    for (size_t i = 0; i < days->row_count; i++) {
        p[i].row = &days->rows[i];
        p[i].has_views = sl_funnel_get(&p[i].row->funnel, SL_FIELD_VIEWS, &p[i].views);
        sl_decode_result d;
        if (sl_report_decode_brief(days, i, &d, NULL) == SL_OK) {
            p[i].ctr = d.rates[SL_RATE_PRODUCT_CTR];
            p[i].ctor = d.rates[SL_RATE_CTOR];
            bool early = false;
            for (int s = 0; s < SL_STEP__COUNT; s++)
                early |= d.steps[s].verdict == SL_VERDICT_TOO_EARLY;
            snprintf(p[i].reading, sizeof p[i].reading, "%s",
                     d.has_bottleneck ? sl_step_name(d.bottleneck)
                     : early          ? "too early"
                                      : "none");
        }
        usable += p[i].has_views || p[i].ctr.present;
    }
    return usable;
}

/* The three panels (views, product CTR, CTOR) with a dashed line on each
 * day whose reading changed, and the day labels. */
static void trend_chart(FILE *out, const day_point *p, size_t n, size_t changes)
{
    const double panel = 100, axis = 40;
    double height = 3 * panel + axis;
    fprintf(out, "<h2 id=trend-h>By day</h2>\n<figure class=trend><svg role=img "
                 "aria-labelledby=\"trend-t\" aria-describedby=\"trend-d\" viewBox=\"0 0 %d "
                 "%.0f\" width=\"100%%\" class=\"chart trend-chart\"><title id=trend-t>Views, "
                 "Product CTR and CTOR per day</title><desc id=trend-d>",
            CHART_W, height);
    fprintf(out, "%zu days from ", n);
    sl_html_escape(out, p[0].row->key);
    fputs(" to ", out);
    sl_html_escape(out, p[n - 1].row->key);
    fprintf(out, "; the reading changed on %zu of them. The table below gives every number."
                 "</desc>", changes);
    /* Days whose reading changed: a dashed line through all three panels. */
    for (size_t i = 0; i < n; i++)
        if (p[i].changed) {
            double x = 4 + (CHART_W - 8) * (double)i / (double)(n - 1);
            fprintf(out,
                    "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#c2571a\" "
                    "stroke-dasharray=\"3 3\"/>",
                    x, x, 3 * panel);
        }
    trend_panel(out, p, n, 0, 0, panel, "Views");
    trend_panel(out, p, n, 1, panel, panel, "Product CTR");
    trend_panel(out, p, n, 2, 2 * panel, panel, "CTOR");
    /* Day labels: as many as fit at 13 units ("09-14" is about 36 wide). */
    size_t step = (n + 5) / 6;
    for (size_t i = 0; i < n; i += step) {
        const char *k = p[i].row->key;
        const char *md = strlen(k) == 10 ? k + 5 : k; /* "2026-09-14" → "09-14" */
        double x = 4 + (CHART_W - 8) * (double)i / (double)(n - 1);
        fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">", x, 3 * panel + 16,
                i == 0 ? "start" : x > CHART_W - 30 ? "end" : "middle");
        sl_html_escape(out, md);
        fputs("</text>", out);
    }
    fprintf(out,
            "<circle cx=\"6\" cy=\"%.0f\" r=\"4\" fill=\"#c2571a\"/><text x=\"14\" y=\"%.0f\">"
            "the reading changed that day</text></svg>",
            3 * panel + 30, 3 * panel + 35);
}

/* The chart's numbers as a table under a disclosure (the chart's text
 * alternative, and what a reader copies). */
static void trend_table(FILE *out, const day_point *p, size_t n)
{
    fputs("<figcaption><details><summary>The numbers by day</summary><div class=rows-scroll>"
          "<table class=days><thead><tr><th scope=col>Day</th><th scope=col class=n>Views</th>"
          "<th scope=col class=n>Product CTR</th><th scope=col class=n>CTOR</th>"
          "<th scope=col>Weak step</th></tr></thead><tbody>",
          out);
    for (size_t i = 0; i < n; i++) {
        char buf[40];
        fputs("<tr><th scope=row>", out);
        sl_html_escape(out, p[i].row->key);
        fprintf(out, "</th><td class=n>%s</td><td class=n>",
                p[i].has_views ? sl_format_count(buf, sizeof buf, p[i].views) : "&ndash;");
        rate_text(out, &p[i].ctr, p[i].row, SL_RATE_PRODUCT_CTR);
        fputs("</td><td class=n>", out);
        rate_text(out, &p[i].ctor, p[i].row, SL_RATE_CTOR);
        fprintf(out, "</td><td>%s%s</td></tr>", p[i].reading,
                p[i].changed ? " <b>(changed)</b>" : "");
    }
    fputs("</tbody></table></div></details></figcaption></figure>\n", out);
}

void sl_report_write_trend(const sl_report *days, FILE *out)
{
    if (!days || !days->grouped || days->by != SL_DIM_DAY || days->row_count < 2)
        return;
    size_t n = days->row_count;
    day_point *p = calloc(n, sizeof *p);
    if (!p)
        return;
    if (day_points(days, p) >= 2) {
        qsort(p, n, sizeof *p, by_day);
        size_t changes = 0;
        for (size_t i = 1; i < n; i++)
            if (p[i].reading[0] && p[i - 1].reading[0] && strcmp(p[i].reading, p[i - 1].reading))
                p[i].changed = true, changes++;
        trend_chart(out, p, n, changes);
        trend_table(out, p, n);
    }
    free(p);
}

/* ---- the page ---- */

/* The same rules as the web app's "reports" block, for the file on its own. */
static const char standalone_css[] =
    "body{font:16px/1.45 system-ui,sans-serif;margin:1rem auto;max-width:80rem;"
    "padding:0 1rem;color:#1b1b1b}table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;"
    "vertical-align:top}td.n,th.n{text-align:right;white-space:nowrap}small{color:#555}"
    "svg text{font:14px system-ui,sans-serif}.note{color:#555;font-size:14px}"
    ".chart{width:100%;max-width:30rem;height:auto}"
    ".summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.6rem}"
    ".stat{border:1px solid #ddd;border-radius:6px;padding:.5rem .7rem}"
    ".stat .k{display:block;font-size:14px;color:#555}.stat b{font-size:1.3rem;display:block}"
    ".stat small,.rows small{display:block}.wide-stat{grid-column:span 2}"
    ".rows-scroll{overflow-x:auto}.rows{font-size:15px}"
    ".rows th.key{position:sticky;left:0;background:#fff;min-width:12rem;max-width:18rem}"
    ".rows .reading{min-width:14rem;max-width:22rem}.rows .next{display:block}"
    ".v-weak{color:#a3262a}.v-too-early{color:#8a6d00}.v-strong{color:#1d6b3a}"
    "@media (max-width:600px){.wide-stat{grid-column:auto}.rows thead{display:none}"
    ".rows,.rows tbody,.rows tfoot,.rows tr,.rows th,.rows td{display:block}"
    ".rows tr{display:flex;flex-direction:column;border:1px solid #ddd;border-radius:6px;"
    "margin:.6rem 0;padding:.4rem}.rows td,.rows th{border:0;padding:.15rem .3rem;"
    "text-align:left}.rows .reading{order:-1}.rows th.key{position:static;max-width:none}"
    ".rows td.n{display:flex;justify-content:space-between;gap:1rem;white-space:normal}"
    ".rows td[data-label]::before{content:attr(data-label);color:#555}"
    ".rows td.reading::before{display:none}"
    ".rows td.n small{display:inline;margin-left:.4rem}}";

sl_status sl_report_write_html(const sl_report *r, FILE *out)
{
    fprintf(out,
            "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
            "<title>ShopLab report</title><style>%s</style></head><body>\n"
            "<h1>ShopLab report</h1>\n",
            standalone_css);
    sl_report_write_html_body(r, out, NULL);
    if (r->grouped && r->by == SL_DIM_DAY && !r->all_rows)
        sl_report_write_trend(r, out);
    fputs("</body></html>\n", out);
    return ferror(out) ? SL_ERR_IO : SL_OK;
}

static sl_status write_body(const sl_report *r, FILE *out, const sl_report_html_options *o,
                            const char *row_link);

sl_status sl_report_write_html_body(const sl_report *r, FILE *out, const char *row_link)
{
    return write_body(r, out, NULL, row_link);
}

static void sources_text(FILE *out, const sl_report *r)
{
    fputs("<p class=sources>", out);
    for (size_t i = 0; i < r->source_count; i++) {
        const sl_source *s = &r->sources[i];
        fputs(i ? "<br>" : "", out);
        sl_html_escape(out, s->file);
        if (s->sheet[0]) {
            fputs(", sheet ", out);
            sl_html_escape(out, s->sheet);
        }
        char a[40], b[40];
        fprintf(out, ": header on row %s, %s rows", sl_format_count(a, sizeof a, (double)s->header_row),
                sl_format_count(b, sizeof b, (double)s->rows));
        if (s->skipped)
            fprintf(out, ", %s skipped", sl_format_count(a, sizeof a, (double)s->skipped));
        if (strcmp(s->encoding, "windows-1252") == 0) /* a guess: say it (docs/import.md) */
            fputs(", not UTF-8: read as Windows-1252 (if a letter reads wrong, save it as "
                  "&ldquo;CSV UTF-8&rdquo;)", out);
        else if (s->encoding[0] && strcmp(s->encoding, "utf-8") != 0)
            fprintf(out, ", converted from %s", strcmp(s->encoding, "utf-16le") == 0
                                                     ? "UTF-16LE" : "UTF-16BE");
        if (s->period[0]) {
            fputs(", period ", out);
            sl_html_escape(out, s->period);
        }
        if (s->title[0]) {
            fputs(" &mdash; <i>", out);
            sl_html_escape(out, s->title);
            fputs("</i>", out);
        }
    }
    fputs("</p>\n", out);
}

static sl_status write_body(const sl_report *r, FILE *out, const sl_report_html_options *o,
                            const char *row_link)
{
    const char *currency = sl_report_currency(r);
    if (!r->steps.counted && !r->all_rows) {
        /* A whole report (the command line's): count its rows here.  A
         * paged one was counted before it was cut (sl_report_page). */
        sl_report_count_steps((sl_report *)r);
    }
    sources_text(out, r);
    for (size_t i = 0; i < r->source_count; i++)
        if (r->sources[i].practice) {
            fputs("<p class=practice><b>Practice data:</b> the numbers in this file are "
                  "invented for learning; they are nobody's real account.</p>\n",
                  out);
            break;
        }
    summary(out, r, o, currency);
    rows_table(out, r, o, row_link, currency);
    if (o && o->after_table)
        fputs(o->after_table, out);
    if (r->issue_count) {
        fputs("<h2>Skipped rows</h2><ul>", out);
        for (size_t i = 0; i < r->issue_count; i++) {
            const sl_row_issue *is = &r->issues[i];
            fputs("<li>", out);
            sl_html_escape(out, is->file);
            fprintf(out, ":%llu:%llu ", (unsigned long long)is->row,
                    (unsigned long long)is->column);
            sl_html_escape(out, is->header);
            fputs(" &ldquo;", out);
            sl_html_escape(out, is->value);
            fputs("&rdquo;: ", out);
            sl_html_escape(out, is->message);
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
    fputs(" Intervals are 95&nbsp;% Wilson intervals (exact next to 1&ndash;3 counts); "
          "&ldquo;431 of 9,800&rdquo; under a rate is the count it is made of.",
          out);
    if (currency[0])
        fputs(" Amounts are in the currency the file names.", out);
    else if (sl_funnel_has(&r->totals.funnel, SL_FIELD_GMV))
        fputs(" Amounts are in the file&rsquo;s own currency, which its headers do not name "
              "(or the store did not keep), so none is shown.",
              out);
    fputs(" ShopLab is independent software, not affiliated with any platform, and promises "
          "no reach, orders or earnings.</p>\n",
          out);
    fputs("<h2>Funnel of the totals</h2>\n", out);
    sl_funnel_write_svg(&r->totals.funnel, "Funnel of the totals", "not in the file", out);
    return ferror(out) ? SL_ERR_IO : SL_OK;
}

sl_status sl_report_write_html_body_with(const sl_report *r, FILE *out,
                                         const sl_report_html_options *o)
{
    return write_body(r, out, o, NULL);
}
