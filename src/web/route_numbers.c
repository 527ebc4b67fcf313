/*
 * route_numbers.c — the Metrics Decoder and Compare pages and their API
 * (/api/decode, /api/compare).
 *
 * Both are GET forms: a result has an address that can be bookmarked or
 * shared, and the parameters have the CLI's flag names (views, impressions,
 * clicks, orders, sku-orders, gmv, baseline-views, baseline-ctr,
 * baseline-ctor; metric, a-trials, a-successes, b-trials, b-successes, mde).
 */
#include "web.h"

#include <string.h>

/* ---- reading the forms ---- */

typedef struct decode_input {
    bool any;                   /* at least one count given */
    sl_funnel funnel;
    sl_baseline baseline;
} decode_input;

static const struct {
    const char *name, *label;
    sl_field field;
} count_inputs[] = {
    {"views", "Views", SL_FIELD_VIEWS},
    {"impressions", "Product impressions", SL_FIELD_PRODUCT_IMPRESSIONS},
    {"clicks", "Product clicks", SL_FIELD_PRODUCT_CLICKS},
    {"orders", "Orders", SL_FIELD_ORDERS},
    {"sku-orders", "SKU orders", SL_FIELD_SKU_ORDERS},
};

static sl_status read_decode_input(const web_request *req, decode_input *in, sl_error *err)
{
    memset(in, 0, sizeof *in);
    bool set;
    double v;
    sl_status st;
    for (size_t i = 0; i < sizeof count_inputs / sizeof *count_inputs; i++) {
        if ((st = param_count(req, count_inputs[i].name, count_inputs[i].label, &set, &v, err)))
            return st;
        if (set) {
            sl_funnel_set(&in->funnel, count_inputs[i].field, v);
            in->any |= count_inputs[i].field != SL_FIELD_SKU_ORDERS;
        }
    }
    if ((st = param_money(req, "gmv", "GMV", &set, &v, err)))
        return st;
    if (set)
        sl_funnel_set(&in->funnel, SL_FIELD_GMV, v);
    if ((st = param_count(req, "baseline-views", "Your usual views", &set, &v, err)))
        return st;
    if (set)
        in->baseline.views = v, in->baseline.views_source = SL_BASELINE_USER;
    if ((st = param_rate(req, "baseline-ctr", "Your usual Product CTR", &set, &v, err)))
        return st;
    if (set) {
        /* As in the CLI: the typed CTR is for the rate the click-through
         * step reads (video CTR when impressions are not given). */
        bool product = sl_funnel_has(&in->funnel, SL_FIELD_PRODUCT_IMPRESSIONS) ||
                       !sl_funnel_has(&in->funnel, SL_FIELD_VIEWS);
        if (product)
            in->baseline.product_ctr = v, in->baseline.product_ctr_source = SL_BASELINE_USER;
        else
            in->baseline.video_ctr = v, in->baseline.video_ctr_source = SL_BASELINE_USER;
    }
    if ((st = param_rate(req, "baseline-ctor", "Your usual CTOR", &set, &v, err)))
        return st;
    if (set)
        in->baseline.ctor = v, in->baseline.ctor_source = SL_BASELINE_USER;
    return SL_OK;
}

/* ---- decoder page ---- */

static void percent_text(FILE *o, double fraction)
{
    fprintf(o, "%.2f%%", fraction * 100);
}

static void decode_result(FILE *o, const sl_decode_result *r)
{
    fputs("<section aria-labelledby=result-h><h2 id=result-h>Reading</h2>\n", o);
    if (r->baseline_mixed || r->baseline_source == SL_BASELINE_PRACTICE) {
        fputs("<p class=practice>Baseline: ", o);
        html(o, r->baseline_mixed ? "your values where given, practice reference values "
                                    "(invented for practice, not benchmarks) for the rest"
                                  : sl_practice_label());
        fputs(". Enter your own usual numbers for a real reading.</p>\n", o);
    } else {
        fputs("<p>Baseline: your own values.</p>\n", o);
    }
    sl_funnel_write_svg(&r->funnel, "Funnel of this video", "not given", o);
    fputs("<h3>Rates</h3><div class=wide><table><thead><tr><th>Rate</th><th class=n>Value</th>"
          "<th class=n>95% interval</th><th>Out of</th></tr></thead><tbody>",
          o);
    for (int i = 0; i < SL_RATE__COUNT; i++) {
        const sl_rate *rate = &r->rates[i];
        if (!rate->present)
            continue;
        fprintf(o, "<tr><th scope=row>%s</th><td class=n>", sl_rate_label(rate->id));
        if (rate->is_proportion)
            percent_text(o, rate->value);
        else
            fprintf(o, "%.2f", rate->value);
        fputs("</td><td class=n>", o);
        if (rate->has_interval) {
            percent_text(o, rate->low);
            fputs(" – ", o);
            percent_text(o, rate->high);
        } else {
            fputs(rate->is_proportion ? "none" : "", o);
        }
        fprintf(o, "</td><td>%s / %s%s</td></tr>", sl_field_label(rate->numerator_field),
                sl_field_label(rate->denominator_field), rate->id == SL_RATE_GPM ? " × 1000" : "");
    }
    fputs("</tbody></table></div>\n<h3>Steps, in funnel order</h3><ol>", o);
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        const sl_step_reading *st = &r->steps[s];
        fprintf(o, "<li><b>%s</b>: <span class=\"verdict v-%s\">%s</span><br>",
                sl_step_name(st->step), sl_verdict_name(st->verdict),
                sl_verdict_name(st->verdict));
        html(o, st->explanation);
        fputs("</li>", o);
    }
    fputs("</ol>\n<h3>Bottleneck</h3><p>", o);
    if (r->has_bottleneck)
        fprintf(o, "<b class=\"verdict v-weak\">%s</b>: the first weak step. Nothing after it is "
                   "blamed.</p>",
                sl_step_name(r->bottleneck));
    else
        fputs("None: no step is weak.</p>", o);
    if (r->question_count) {
        fprintf(o, "<p>Check first (from <a href=\"/glossary/%s\">the glossary</a>):</p><ul>",
                r->questions_term);
        for (size_t i = 0; i < r->question_count; i++) {
            fputs("<li>", o);
            html(o, r->questions[i]);
            fputs("</li>", o);
        }
        fputs("</ul>", o);
    }
    fputs("<h3>One next test</h3><p>", o);
    html(o, r->next_test_text);
    fputs("</p><p class=note>", o);
    html(o, r->caution);
    fputs("</p></section>\n", o);
}

static void decoder_page(web_request *req, web_response *res)
{
    decode_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_decode_input(req, &in, &err);
    sl_decode_result result;
    if (st == SL_OK && in.any)
        st = sl_decode(&in.funnel, &in.baseline, NULL, &result, &err);
    web_page p;
    if (!page_begin(&p, req, in.any && st == SL_OK ? "Decoder reading" : "Metrics Decoder",
                    "decoder")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Metrics Decoder</h1>\n<p>Type one video's numbers from your analytics; leave "
          "out what you do not have. ShopLab reads the funnel in order and names the one step "
          "to work on.</p>\n"
          "<form class=card action=\"/decoder\" method=get><div class=grid>",
          o);
    form_field(o, req, "views", "Views", NULL, FORM_NUMBER);
    form_field(o, req, "impressions", "Product impressions", NULL, FORM_NUMBER);
    form_field(o, req, "clicks", "Product clicks", NULL, FORM_NUMBER);
    form_field(o, req, "orders", "Orders", NULL, FORM_NUMBER);
    form_field(o, req, "gmv", "GMV", "(optional)", FORM_NUMBER);
    fputs("</div><h2>Your usual numbers <span class=hint>(optional; practice values are used "
          "otherwise)</span></h2><div class=grid>",
          o);
    form_field(o, req, "baseline-views", "Usual views", "e.g. 6000", FORM_NUMBER);
    form_field(o, req, "baseline-ctr", "Usual Product CTR", "e.g. 3%", FORM_NUMBER);
    form_field(o, req, "baseline-ctor", "Usual CTOR", "e.g. 2%", FORM_NUMBER);
    fputs("</div><p><button type=submit>Decode</button></p></form>\n", o);
    int status = 200;
    if (st != SL_OK) {
        status = web_http_status(st);
        fputs("<p class=error role=alert>", o);
        html(o, err.message);
        fputs("</p>\n", o);
    } else if (in.any) {
        decode_result(o, &result);
    }
    page_end(&p, res, status);
}

/* ---- compare ---- */

typedef struct compare_input {
    bool any;
    sl_metric metric;
    sl_arm a, b;
    sl_compare_options options;
} compare_input;

static sl_status read_compare_input(const web_request *req, compare_input *in, sl_error *err)
{
    memset(in, 0, sizeof *in);
    const char *metric = web_param(req, "metric");
    in->metric = SL_METRIC_CTR;
    if (metric && strcmp(metric, "ctor") == 0)
        in->metric = SL_METRIC_CTOR;
    else if (metric && *metric && strcmp(metric, "ctr") != 0) {
        sl_fail_web(err, SL_ERR_INVALID_ARGUMENT, "metric must be ctr or ctor");
        err->field = "metric";
        return SL_ERR_INVALID_ARGUMENT;
    }
    static const char *const names[4] = {"a-trials", "a-successes", "b-trials", "b-successes"};
    const bool ctr = in->metric == SL_METRIC_CTR;
    const char *labels[4] = {ctr ? "Video A product impressions" : "Video A product clicks",
                             ctr ? "Video A product clicks" : "Video A orders",
                             ctr ? "Video B product impressions" : "Video B product clicks",
                             ctr ? "Video B product clicks" : "Video B orders"};
    double v[4];
    bool set[4];
    int given = 0;
    for (int i = 0; i < 4; i++) {
        sl_status st = param_count(req, names[i], labels[i], &set[i], &v[i], err);
        if (st != SL_OK)
            return st;
        given += set[i];
    }
    if (given == 0)
        return SL_OK;
    for (int i = 0; i < 4; i++)
        if (!set[i]) {
            sl_fail_web(err, SL_ERR_INVALID_ARGUMENT, "%s: give all four numbers", labels[i]);
            err->field = names[i];
            return SL_ERR_INVALID_ARGUMENT;
        }
    in->any = true;
    in->a = (sl_arm){.trials = (uint64_t)v[0], .successes = (uint64_t)v[1]};
    in->b = (sl_arm){.trials = (uint64_t)v[2], .successes = (uint64_t)v[3]};
    bool has_mde;
    return param_lift(req, "mde", "Smallest lift worth detecting", &has_mde, &in->options.mde,
                      err);
}

static void compare_result(FILE *o, const sl_compare_result *c)
{
    const bool ctr = c->metric == SL_METRIC_CTR;
    fprintf(o, "<section aria-labelledby=result-h><h2 id=result-h>Verdict: <span "
               "class=\"verdict v-%s\">%s</span></h2>\n<p>",
            sl_compare_verdict_name(c->verdict), sl_compare_verdict_name(c->verdict));
    html(o, c->verdict_text);
    fputs("</p>\n", o);
    svg_two_intervals(o, c);
    fprintf(o, "<div class=wide><table><thead><tr><th></th><th class=n>%s</th><th class=n>%s</th>"
               "<th class=n>Rate</th><th class=n>95%% interval</th></tr></thead><tbody>",
            ctr ? "Impressions" : "Clicks", ctr ? "Clicks" : "Orders");
    const sl_arm arms[2] = {c->a, c->b};
    const double rates[2] = {c->rate_a, c->rate_b};
    const sl_interval ivs[2] = {c->interval_a, c->interval_b};
    for (int i = 0; i < 2; i++) {
        fprintf(o, "<tr><th scope=row>Video %s</th><td class=n>%llu</td><td class=n>%llu</td>"
                   "<td class=n>",
                i ? "B (after)" : "A (before)", (unsigned long long)arms[i].trials,
                (unsigned long long)arms[i].successes);
        percent_text(o, rates[i]);
        fputs("</td><td class=n>", o);
        percent_text(o, ivs[i].low);
        fputs(" – ", o);
        percent_text(o, ivs[i].high);
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table></div>\n<dl class=facts>", o);
    fprintf(o, "<dt>Difference B − A</dt><dd>%+.2f points (%+.2f to %+.2f)", c->diff * 100,
            c->diff_interval.low * 100, c->diff_interval.high * 100);
    if (c->has_lift)
        fprintf(o, ", relative %+.1f%%", c->lift * 100);
    fprintf(o, "</dd><dt>p-value</dt><dd>%.3g (%s)</dd>", c->p_value, c->p_method);
    fprintf(o, "<dt>Always-valid p</dt><dd>%.3g (stays valid however often you look)</dd>",
            c->msprt_p);
    fprintf(o, "<dt>Chance B is better</dt><dd>%.1f%%</dd>", c->prob_b_better * 100);
    if (c->has_sample_size)
        fprintf(o, "<dt>Sample needed</dt><dd>%llu %s per video for a %.0f%% change either way</dd>",
                (unsigned long long)c->per_arm_needed, ctr ? "impressions" : "clicks",
                c->mde * 100);
    if (c->fixed_a_feasible)
        fprintf(o, "<dt>Video B needs</dt><dd>%llu in all, %llu more (%s)</dd>",
                (unsigned long long)c->b_needed, (unsigned long long)c->b_more_needed,
                c->planned_given ? "as planned" : "sized once from video A");
    else
        fprintf(o, "<dt>Video B needs</dt><dd>no amount is enough with this video A: the "
                   "smallest lift it could show is %.0f%%</dd>",
                c->min_detectable_lift * 100);
    fprintf(o, "<dt>Verdict rule</dt><dd>a difference is called when the always-valid p is "
               "below %.2g at any look, or when p is below %.2g once, at the planned sample "
               "(together at most %.0f%% false calls however often you look)</dd>",
            c->alpha_always_valid, c->alpha_fixed, c->alpha * 100);
    fputs("</dl><p class=note>", o);
    html(o, c->caution);
    fputs("</p></section>\n", o);
}

static void compare_page(web_request *req, web_response *res)
{
    compare_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_compare_input(req, &in, &err);
    sl_compare_result result;
    if (st == SL_OK && in.any)
        st = sl_compare(in.metric, in.a, in.b, &in.options, &result, &err);
    web_page p;
    if (!page_begin(&p, req, in.any && st == SL_OK ? "Compare: verdict" : "Compare two videos",
                    "compare")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    const char *metric = web_param(req, "metric");
    bool ctor = metric && strcmp(metric, "ctor") == 0;
    fputs("<h1>Compare a before-video with an after-video</h1>\n<p>You changed one thing "
          "between two videos. Is the difference bigger than chance, and how much more data "
          "would settle it?</p>\n<form class=card action=\"/compare\" method=get>"
          "<div><label for=f-metric>Metric</label><select id=f-metric name=metric>",
          o);
    fprintf(o, "<option value=ctr%s>Product CTR (clicks out of impressions)</option>"
               "<option value=ctor%s>CTOR (orders out of clicks)</option></select></div>",
            ctor ? "" : " selected", ctor ? " selected" : "");
    fputs("<div class=grid>", o);
    form_field(o, req, "a-trials", "Video A: trials", "impressions (CTR) or clicks (CTOR)", FORM_NUMBER);
    form_field(o, req, "a-successes", "Video A: successes", "clicks (CTR) or orders (CTOR)", FORM_NUMBER);
    form_field(o, req, "b-trials", "Video B: trials", "as for A", FORM_NUMBER);
    form_field(o, req, "b-successes", "Video B: successes", "as for A", FORM_NUMBER);
    form_field(o, req, "mde", "Smallest lift worth detecting", "default 20%", FORM_NUMBER);
    fputs("</div><p><button type=submit>Compare</button></p></form>\n", o);
    int status = 200;
    if (st != SL_OK) {
        status = web_http_status(st);
        fputs("<p class=error role=alert>", o);
        html(o, err.message);
        fputs("</p>\n", o);
    } else if (in.any) {
        compare_result(o, &result);
        /* A before-video worth testing against: carry it into a plan. */
        fprintf(o, "<p><a class=button href=\"/journal/new?metric=%s&amp;before-trials=%llu&amp;"
                   "before-successes=%llu&amp;mde=%g\">Save this as a test</a> <span "
                   "class=hint>video A becomes the before-video of a journal test</span></p>\n",
                sl_metric_name(in.metric), (unsigned long long)in.a.trials,
                (unsigned long long)in.a.successes, result.mde);
    }
    page_end(&p, res, status);
}

/* ---- API ---- */

static void api_decode(web_request *req, web_response *res)
{
    decode_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_decode_input(req, &in, &err);
    if (st == SL_OK && !in.any)
        st = sl_fail_web(&err, SL_ERR_INVALID_ARGUMENT,
                         "give at least one of views, impressions, clicks, orders");
    sl_decode_result result;
    if (st == SL_OK)
        st = sl_decode(&in.funnel, &in.baseline, NULL, &result, &err);
    if (st != SL_OK)
        respond_json_error(res, &err);
    else
        respond_json(res, 200, sl_decode_to_json(&result));
}

static void api_compare(web_request *req, web_response *res)
{
    compare_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_compare_input(req, &in, &err);
    if (st == SL_OK && !in.any)
        st = sl_fail_web(&err, SL_ERR_INVALID_ARGUMENT,
                         "give a-trials, a-successes, b-trials and b-successes");
    sl_compare_result result;
    if (st == SL_OK)
        st = sl_compare(in.metric, in.a, in.b, &in.options, &result, &err);
    if (st != SL_OK)
        respond_json_error(res, &err);
    else
        respond_json(res, 200, sl_compare_to_json(&result));
}

bool route_numbers(web_request *req, web_response *res)
{
    const char *path = req->path;
    if (strcmp(path, "/decoder") == 0)
        decoder_page(req, res);
    else if (strcmp(path, "/compare") == 0)
        compare_page(req, res);
    else if (strcmp(path, "/api/decode") == 0)
        api_decode(req, res);
    else if (strcmp(path, "/api/compare") == 0)
        api_compare(req, res);
    else
        return false;
    return true;
}
