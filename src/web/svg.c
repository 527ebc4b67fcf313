/*
 * svg.c — the pictures of the web pages, as inline SVG (no scripts, no
 * external assets): a funnel, two intervals side by side, and a series of
 * always-valid p-values.  Every label is escaped.
 */
#include "web.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "12,000": counts are easier to compare with their groups marked. */
static const char *thousands(char *buf, size_t size, double v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t n = strlen(digits), w = 0;
    for (size_t i = 0; i < n && w + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[w++] = ',';
        buf[w++] = digits[i];
    }
    buf[w] = '\0';
    return buf;
}

void svg_funnel(FILE *out, const sl_funnel *f, const char *label)
{
    static const sl_field steps[] = {SL_FIELD_VIEWS, SL_FIELD_PRODUCT_IMPRESSIONS,
                                     SL_FIELD_PRODUCT_CLICKS, SL_FIELD_ORDERS};
    double top = 0, v;
    for (size_t i = 0; i < 4; i++)
        if (sl_funnel_get(f, steps[i], &v) && v > top)
            top = v;
    fputs("<svg class=chart role=img viewBox=\"0 0 640 180\" aria-label=\"", out);
    html(out, label);
    fputs("\">", out);
    for (size_t i = 0; i < 4; i++) {
        double y = 10 + 42.0 * (double)i;
        char buf[40];
        if (!sl_funnel_get(f, steps[i], &v)) {
            fprintf(out, "<text x=\"0\" y=\"%.0f\">%s: not given</text>", y + 21,
                    sl_field_label(steps[i]));
            continue;
        }
        /* Log scale: orders stay visible next to views a thousand times larger. */
        double w = top > 1 ? 400.0 * log10(v + 1) / log10(top + 1) : 0;
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"32\" fill=\"#2f6f8f\"/>"
                "<text x=\"0\" y=\"%.0f\">%s</text><text x=\"636\" y=\"%.0f\" "
                "text-anchor=\"end\">%s</text>",
                130 + (400 - w) / 2, y, w, y + 21, sl_field_label(steps[i]), y + 21,
                thousands(buf, sizeof buf, v));
    }
    fputs("</svg>", out);
}

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
    fputs("<svg class=chart role=img viewBox=\"0 0 640 120\" aria-label=\"The two rates with "
          "their 95% intervals\">",
          out);
    for (int i = 0; i < 2; i++) {
        double y = 30 + 40.0 * i;
        double x0 = 110 + 500 * arms[i].iv.low / scale, x1 = 110 + 500 * arms[i].iv.high / scale;
        double x = 110 + 500 * arms[i].rate / scale;
        fprintf(out,
                "<text x=\"0\" y=\"%.0f\">%s</text>"
                "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"6\" stroke-linecap=\"round\"/>"
                "<circle cx=\"%.1f\" cy=\"%.0f\" r=\"7\" fill=\"#fff\" stroke=\"%s\" "
                "stroke-width=\"3\"/>"
                "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.2f%%</text>",
                y + 4, arms[i].name, x0, y, x1, y, arms[i].colour, x, y, arms[i].colour, x,
                y - 12, arms[i].rate * 100);
    }
    fprintf(out,
            "<line x1=\"110\" y1=\"105\" x2=\"610\" y2=\"105\" stroke=\"#999\"/>"
            "<text x=\"110\" y=\"118\">0%%</text><text x=\"610\" y=\"118\" "
            "text-anchor=\"end\">%.2f%%</text></svg>",
            scale * 100);
}

void svg_p_series(FILE *out, const double *p, size_t count, double alpha)
{
    /* log10 scale from 1 down to 1e-4 (smaller values sit on the floor). */
    fputs("<svg class=chart role=img viewBox=\"0 0 640 140\" aria-label=\"Always-valid p "
          "over the looks\">",
          out);
    double floor_log = -4;
    double ya = 10 + 110 * (log10(alpha) / floor_log);
    fprintf(out,
            "<line x1=\"40\" y1=\"%.1f\" x2=\"630\" y2=\"%.1f\" stroke=\"#a3262a\" "
            "stroke-dasharray=\"4 3\"/><text x=\"0\" y=\"%.1f\">&#945; %.2g</text>"
            "<text x=\"0\" y=\"16\">p 1</text>",
            ya, ya, ya + 4, alpha);
    double px = 0, py = 0;
    for (size_t i = 0; i < count; i++) {
        double l = p[i] > 0 ? log10(p[i]) : floor_log;
        if (l < floor_log)
            l = floor_log;
        double x = count > 1 ? 60 + 560.0 * (double)i / (double)(count - 1) : 340;
        double y = 10 + 110 * (l / floor_log);
        if (i)
            fprintf(out,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#2f6f8f\" "
                    "stroke-width=\"2\"/>",
                    px, py, x, y);
        fprintf(out,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#2f6f8f\"/>"
                "<text x=\"%.1f\" y=\"136\" text-anchor=\"middle\">%zu</text>",
                x, y, x, i + 1);
        px = x, py = y;
    }
    fputs("</svg>", out);
}
