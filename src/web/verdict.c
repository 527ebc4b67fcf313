/*
 * verdict.c — the verdict of a one-change test as the compare page and the
 * journal show it: the verdict and its one sentence first (the library's
 * sl_compare_sentence, the same words as the CLI), the two intervals as a
 * picture, and the statistics the sentence explains under a <details>
 * disclosure with plain names, each linked to its glossary page.  One
 * renderer, so the two pages cannot tell the story two ways.
 */
#include "web.h"

#include <math.h>
#include <string.h>

/* The verdict in words a creator says ("too-early" is the machine's name). */
const char *verdict_words(sl_compare_verdict v)
{
    switch (v) {
    case SL_COMPARE_B_BETTER: return "B is better";
    case SL_COMPARE_A_BETTER: return "A is better";
    case SL_COMPARE_NO_CLEAR_DIFFERENCE: return "No clear difference";
    default: return "Too early to call";
    }
}

void term_link(FILE *o, const web_request *req, const char *slug, const char *text,
               const char *cls)
{
    const sl_term *t = req->server && req->server->content
                           ? sl_term_find(req->server->content, slug)
                           : NULL;
    /* Only a term whose slug is exactly this one: a near alias would send
     * the reader to a page about something else. */
    if (t && strcmp(t->slug, slug) == 0) {
        fprintf(o, "<a%s%s%s href=\"/glossary/%s\">", cls ? " class=\"" : "", cls ? cls : "",
                cls ? "\"" : "", slug);
        html(o, text);
        fputs("</a>", o);
    } else {
        fprintf(o, "<span%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
        html(o, text);
        fputs("</span>", o);
    }
}

static void p_value_text(FILE *o, double p)
{
    if (p > 0)
        fprintf(o, "%.3g", p);
    else
        fputs("below 1e-300", o);
}

/* Both videos with their counts, rate and interval; on a phone each row
 * stacks into label/value lines (class stack, data-label per cell). */
static void arms_table(FILE *o, const web_request *req, const sl_compare_result *c)
{
    const bool ctr = c->metric == SL_METRIC_CTR;
    const char *trials = ctr ? "Product impressions" : "Product clicks";
    const char *successes = ctr ? "Product clicks" : "Orders";
    fprintf(o, "<table class=stack><thead><tr><th>Video</th><th class=n>%s</th><th class=n>%s</th>"
               "<th class=n>%s</th><th class=n>",
            trials, successes, ctr ? "Product CTR" : "CTOR");
    term_link(o, req, "confidence-interval", "95% interval", NULL);
    fputs("</th></tr></thead><tbody>", o);
    const sl_arm arms[2] = {c->a, c->b};
    const double rates[2] = {c->rate_a, c->rate_b};
    const sl_interval ivs[2] = {c->interval_a, c->interval_b};
    for (int i = 0; i < 2; i++) {
        fprintf(o, "<tr><th scope=row>Video %s</th><td class=n data-label=\"%s\">",
                i ? "B (after)" : "A (before)", trials);
        num_count(o, (double)arms[i].trials);
        fprintf(o, "</td><td class=n data-label=\"%s\">", successes);
        num_count(o, (double)arms[i].successes);
        fprintf(o, "</td><td class=n data-label=\"%s\">", ctr ? "Product CTR" : "CTOR");
        num_percent(o, rates[i]);
        fputs("</td><td class=n data-label=\"95% interval\">", o);
        num_percent(o, ivs[i].low);
        fputs(" – ", o);
        num_percent(o, ivs[i].high);
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table>\n", o);
}

void verdict_block(FILE *o, const web_request *req, const sl_compare_result *c)
{
    const bool ctr = c->metric == SL_METRIC_CTR;
    const char *unit = ctr ? "product impressions" : "product clicks";
    char cls[64];
    snprintf(cls, sizeof cls, "verdict v-%s", sl_compare_verdict_name(c->verdict));
    fputs("<div class=verdict-box><p class=verdict-word>", o);
    term_link(o, req, sl_compare_verdict_name(c->verdict), verdict_words(c->verdict), cls);
    fputs("</p><p class=verdict-sentence>", o);
    html(o, c->verdict_text);
    fputs("</p></div>\n", o);
    svg_two_intervals(o, c);

    fputs("<details class=stats><summary>The numbers behind this verdict</summary>\n", o);
    arms_table(o, req, c);
    fputs("<dl class=facts><dt>Difference B − A</dt><dd>", o);
    fprintf(o, "%+.2f percentage points (interval %+.2f to %+.2f)", c->diff * 100,
            c->diff_interval.low * 100, c->diff_interval.high * 100);
    if (c->has_lift)
        fprintf(o, ", relative %+.1f%%", c->lift * 100);
    fputs("</dd><dt>", o);
    term_link(o, req, "p-value", "p-value", NULL);
    fputs("</dt><dd>", o);
    p_value_text(o, c->p_value);
    fprintf(o, " (%s)", strcmp(c->p_method, "fisher") == 0 ? "Fisher's exact test" : "z-test");
    if (c->has_planned_look && c->planned_look_p != c->p_value) {
        fputs("; at the planned sample it was ", o);
        p_value_text(o, c->planned_look_p);
        fputs(", and that is the one that counts", o);
    } else {
        fputs(c->planned_sample_reached ? "; final: the planned sample is reached"
                                        : "; final only once video B reaches the planned sample",
              o);
    }
    fputs("</dd><dt>", o);
    term_link(o, req, "always-valid-p", "always-valid p", NULL);
    fputs("</dt><dd>", o);
    p_value_text(o, c->always_valid_p);
    if (c->always_valid_p != c->msprt_p) {
        fputs(", the lowest over the looks (this look alone: ", o);
        p_value_text(o, c->msprt_p);
        fputs(")", o);
    }
    fputs("; valid however often you look</dd><dt>", o);
    term_link(o, req, "chance-b-better", "chance B is better", NULL);
    fputs("</dt><dd>", o);
    if (c->prob_b_better > 0.9999)
        fputs("over 99.99%", o);
    else if (c->prob_b_better < 0.0001)
        fputs("under 0.01%", o);
    else
        num_percent(o, c->prob_b_better);
    fputs("; which way the counts lean, not a verdict</dd>", o);
    if (c->has_sample_size) {
        fputs("<dt>Sample needed</dt><dd>", o);
        num_count(o, (double)c->per_arm_needed);
        fprintf(o, " %s per video for a %.0f%% change either way</dd>", unit, c->mde * 100);
    }
    fputs("<dt>Video B needs</dt><dd>", o);
    if (c->fixed_a_feasible) {
        num_count(o, (double)c->b_needed);
        fprintf(o, " %s in all, ", unit);
        num_count(o, (double)c->b_more_needed);
        fprintf(o, " more (%s)", c->planned_given ? "as planned" : "sized once from video A");
    } else if (isfinite(c->min_detectable_lift)) {
        fprintf(o, "no amount is enough with this video A: the smallest change it could show is "
                   "%.0f%%",
                c->min_detectable_lift * 100);
    } else {
        fputs("cannot be sized yet: video A has no successes", o);
    }
    fprintf(o, "</dd><dt>Verdict rule</dt><dd>a difference is called when the always-valid p is "
               "below %.2g at any look, or when the p-value is below %.2g once, at the planned "
               "sample; together at most %.0f%% false calls however often you look "
               "<small>(&alpha; = %.2g split %.2g + %.2g; mSPRT mixing variance &tau;&sup2; = "
               "%.3g, fixed)</small></dd></dl>\n</details>\n",
            c->alpha_always_valid, c->alpha_fixed, c->alpha * 100, c->alpha,
            c->alpha_always_valid, c->alpha_fixed, c->tau2);
}
