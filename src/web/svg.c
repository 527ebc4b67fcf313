/*
 * svg.c — the pictures of the web pages, as inline SVG (no scripts, no
 * external assets): two intervals side by side and a series of always-valid
 * p-values.  The funnel is the library's sl_funnel_write_svg.  Every label
 * is escaped.
 *
 * Both are drawn 400 units wide and shown at most 480 px wide (class
 * chart-s): the 14-unit text is then about 12 px on a 390 px phone and at
 * most about 17 px on a desktop, readable at every width.
 */
#include "web.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void svg_two_intervals(FILE *out, const sl_compare_result *c)
{
    double hi = c->interval_a.high > c->interval_b.high ? c->interval_a.high : c->interval_b.high;
    double scale = hi > 0 ? hi * 1.15 : 1;
    const struct {
        const char *name;
        double rate;
        sl_interval iv;
        const char *colour;
    } arms[2] = {{"A (before)", c->rate_a, c->interval_a, "#2f6f8f"},
                 {"B (after)", c->rate_b, c->interval_b, "#c2571a"}};
    /* The text alternative says what the picture shows, in numbers. */
    fprintf(out,
            "<svg class=\"chart chart-s\" role=img viewBox=\"0 0 400 130\" aria-label=\"The two "
            "rates with their 95%% intervals: A %.2f%% (%.2f%% to %.2f%%), B %.2f%% (%.2f%% to "
            "%.2f%%)\">",
            c->rate_a * 100, c->interval_a.low * 100, c->interval_a.high * 100, c->rate_b * 100,
            c->interval_b.low * 100, c->interval_b.high * 100);
    for (int i = 0; i < 2; i++) {
        double y = 36 + 44.0 * i;
        double x0 = 90 + 300 * arms[i].iv.low / scale, x1 = 90 + 300 * arms[i].iv.high / scale;
        double x = 90 + 300 * arms[i].rate / scale;
        fprintf(out,
                "<text x=\"0\" y=\"%.0f\">%s</text>"
                "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"6\" stroke-linecap=\"round\"/>"
                "<circle cx=\"%.1f\" cy=\"%.0f\" r=\"7\" fill=\"#fff\" stroke=\"%s\" "
                "stroke-width=\"3\"/>"
                "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.2f%%</text>",
                y + 5, arms[i].name, x0, y, x1, y, arms[i].colour, x, y, arms[i].colour, x,
                y - 13, arms[i].rate * 100);
    }
    fprintf(out,
            "<line x1=\"90\" y1=\"108\" x2=\"390\" y2=\"108\" stroke=\"#999\"/>"
            "<text x=\"90\" y=\"126\">0%%</text><text x=\"390\" y=\"126\" "
            "text-anchor=\"end\">%.2f%%</text></svg>",
            scale * 100);
}

void svg_p_series(FILE *out, const double *p, size_t count, double alpha)
{
    /* log10 scale from 1 down to 1e-4 (smaller values sit on the floor).
     * The line is the always-valid route's share of alpha: below it the
     * test is called at any look. */
    fprintf(out,
            "<svg class=\"chart chart-s\" role=img viewBox=\"0 0 400 160\" aria-label=\"Always-valid "
            "p over the looks, on a log scale from 1 down to 0.0001; the test is called below "
            "%.2g. Latest: %.3g\">",
            alpha, count ? p[count - 1] : 1.0);
    double floor_log = -4;
    double ya = 14 + 116 * (log10(alpha) / floor_log);
    fprintf(out,
            "<line x1=\"60\" y1=\"%.1f\" x2=\"395\" y2=\"%.1f\" stroke=\"#a3262a\" "
            "stroke-dasharray=\"4 3\"/><text x=\"0\" y=\"%.1f\">%.2g</text>"
            "<text x=\"0\" y=\"18\">1</text><text x=\"0\" y=\"134\">0.0001</text>",
            ya, ya, ya + 5, alpha);
    double px = 0, py = 0;
    for (size_t i = 0; i < count; i++) {
        double l = p[i] > 0 ? log10(p[i]) : floor_log;
        if (l < floor_log)
            l = floor_log;
        double x = count > 1 ? 80 + 300.0 * (double)i / (double)(count - 1) : 230;
        double y = 14 + 116 * (l / floor_log);
        if (i)
            fprintf(out,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#2f6f8f\" "
                    "stroke-width=\"2\"/>",
                    px, py, x, y);
        fprintf(out,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#2f6f8f\"/>"
                "<text x=\"%.1f\" y=\"154\" text-anchor=\"middle\">%zu</text>",
                x, y, x, i + 1);
        px = x, py = y;
    }
    fputs("</svg>", out);
}
