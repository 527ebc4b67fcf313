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

/* The glossary term of a step or verdict word, so each word on the page
 * links to what it means (NULL: no term, e.g. "unknown"). */
static const char *word_term(const char *word)
{
    static const char *const terms[] = {"attention", "click-through", "conversion", "strong",
                                        "typical",   "weak",          "too-early"};
    for (size_t i = 0; i < sizeof terms / sizeof *terms; i++)
        if (strcmp(word, terms[i]) == 0)
            return terms[i];
    return NULL;
}

/* A step or verdict word, linked to its glossary term, with the verdict's
 * colour class when `verdict` is set. */
static void word_link(FILE *o, const char *word, bool verdict)
{
    const char *term = word_term(word);
    char cls[64] = "";
    if (verdict)
        snprintf(cls, sizeof cls, " class=\"verdict v-%s\"", word);
    if (term)
        fprintf(o, "<a%s href=\"/glossary/%s\">%s</a>", cls, term, word);
    else
        fprintf(o, "<span%s>%s</span>", cls, word);
}

/* The reading, answer first: on a phone the bottleneck and the next test
 * are what shows at the top of the screen after a submit; the steps, rates
 * and funnel that explain them follow. */
static void decode_result(FILE *o, const sl_decode_result *r)
{
    result_begin(o, NULL);
    fputs("<h2 id=result-h>Reading</h2>\n<div class=\"card lead\"><p><b>Bottleneck:</b> ", o);
    if (r->has_bottleneck) {
        word_link(o, sl_step_name(r->bottleneck), true);
        fputs(", the first <a href=\"/glossary/weak\">weak</a> step. Nothing after it is "
              "blamed.</p>",
              o);
    } else {
        fputs("none: no step is <a href=\"/glossary/weak\">weak</a>.</p>", o);
    }
    fputs("<p><b>One next test:</b> ", o);
    html(o, r->next_test_text);
    fputs("</p></div>\n", o);
    if (r->baseline_mixed || r->baseline_source == SL_BASELINE_PRACTICE) {
        fputs("<p class=practice>Baseline: ", o);
        html(o, r->baseline_mixed ? "your values where given, practice reference values "
                                    "(invented for practice, not benchmarks) for the rest"
                                  : sl_practice_label());
        fputs(". Enter your own usual numbers for a real reading.</p>\n", o);
    } else {
        fputs("<p>Baseline: your own values.</p>\n", o);
    }
    fputs("<h3>Steps, in funnel order</h3><ol class=steps>", o);
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        const sl_step_reading *st = &r->steps[s];
        fputs("<li><b>", o);
        word_link(o, sl_step_name(st->step), false);
        fputs("</b>: ", o);
        word_link(o, sl_verdict_name(st->verdict), true);
        fputs("<br>", o);
        html(o, st->explanation);
        fputs("</li>", o);
    }
    fputs("</ol>\n", o);
    if (r->question_count) {
        fprintf(o, "<h3>Check first</h3><p>From <a href=\"/glossary/%s\">the glossary</a>:</p><ul>",
                r->questions_term);
        for (size_t i = 0; i < r->question_count; i++) {
            fputs("<li>", o);
            html(o, r->questions[i]);
            fputs("</li>", o);
        }
        fputs("</ul>", o);
    }
    fputs("<h3>Rates</h3><div class=wide><table><thead><tr><th>Rate</th><th class=n>Value</th>"
          "<th class=n>95% interval</th><th>Out of</th></tr></thead><tbody>",
          o);
    for (int i = 0; i < SL_RATE__COUNT; i++) {
        const sl_rate *rate = &r->rates[i];
        if (!rate->present)
            continue;
        fprintf(o, "<tr><th scope=row>%s</th><td class=n>", sl_rate_label(rate->id));
        if (rate->is_proportion)
            num_percent(o, rate->value);
        else
            num_fixed(o, rate->value, 2);
        fputs("</td><td class=n>", o);
        if (rate->has_interval) {
            num_percent(o, rate->low);
            fputs(" – ", o);
            num_percent(o, rate->high);
        } else {
            fputs(rate->is_proportion ? "none" : "", o);
        }
        fprintf(o, "</td><td>%s / %s%s</td></tr>", sl_field_label(rate->numerator_field),
                sl_field_label(rate->denominator_field), rate->id == SL_RATE_GPM ? " × 1000" : "");
    }
    fputs("</tbody></table></div>\n<h3>Funnel</h3>", o);
    sl_funnel_write_svg(&r->funnel, "Funnel of this video", "not given", o);
    fputs("<p class=note>", o);
    html(o, r->caution);
    fputs("</p>", o);
    result_end(o);
}

/* The decoder's form fields: web name, label, hint, and the library's name
 * for the same field (what sl_decode puts in err->field). */
static const struct {
    const char *name, *label, *hint, *lib;
} decoder_fields[] = {
    {"views", "Views", NULL, "views"},
    {"impressions", "Product impressions", NULL, "product_impressions"},
    {"clicks", "Product clicks", NULL, "product_clicks"},
    {"orders", "Orders", NULL, "orders"},
    {"gmv", "GMV", "(optional)", "gmv"},
    {"baseline-views", "Usual views", "e.g. 6,000", "baseline_views"},
    {"baseline-ctr", "Usual Product CTR", "e.g. 3%", "baseline_product_ctr"},
    {"baseline-ctr", "Usual Product CTR", "e.g. 3%", "baseline_video_ctr"},
    {"baseline-ctor", "Usual CTOR", "e.g. 2%", "baseline_ctor"},
};
#define DECODER_FIELDS (sizeof decoder_fields / sizeof *decoder_fields)

/* err->field as the form names it ("product_clicks" → "clicks"), with its
 * label; NULL when the error is about no field of the form. */
static const char *decoder_field_of(const sl_error *err, const char **label)
{
    if (!err->field)
        return NULL;
    for (size_t i = 0; i < DECODER_FIELDS; i++)
        if (strcmp(err->field, decoder_fields[i].name) == 0 ||
            strcmp(err->field, decoder_fields[i].lib) == 0) {
            *label = decoder_fields[i].label;
            return decoder_fields[i].name;
        }
    return NULL;
}

void numbers_decoder(web_request *req, web_response *res)
{
    decode_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_decode_input(req, &in, &err);
    /* A submit sends every field, empty or not; a first visit sends none.
     * An empty submit is told what is missing rather than shown the form
     * again as if nothing happened. */
    bool submitted = web_param(req, "views") || web_param(req, "impressions") ||
                     web_param(req, "clicks") || web_param(req, "orders");
    const char *field_message = NULL; /* next to the field, when shorter than err's */
    if (st == SL_OK && submitted && !in.any) {
        st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                      "Nothing to read yet: give at least one of views, product "
                      "impressions, product clicks or orders. With impressions and clicks "
                      "the decoder reads click-through; add orders to read conversion.");
        err.field = "views";
        field_message = "Give views here, or product impressions, clicks or orders below.";
    }
    sl_decode_result result;
    if (st == SL_OK && in.any)
        st = sl_decode(&in.funnel, &in.baseline, NULL, &result, &err);
    const char *bad_label = NULL;
    const char *bad = st != SL_OK ? decoder_field_of(&err, &bad_label) : NULL;
    web_page p;
    const char *title = st != SL_OK ? "Decoder: check the numbers"
                        : in.any    ? "Decoder reading"
                                    : "Metrics Decoder";
    if (!page_begin(&p, req, title, "decoder")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Metrics Decoder</h1>\n<p>Type one video's numbers from your analytics; leave "
          "out what you do not have. ShopLab reads the funnel in order and names the one step "
          "to work on.</p>\n",
          o);
    int status = 200;
    if (st != SL_OK) {
        /* The error goes above the form: after the jump to #result the
         * message is on top and the marked field right under it. */
        status = web_http_status(st);
        result_error(o, err.message, bad, bad_label);
    }
    fputs("<form class=card action=\"/decoder#result\" method=get><div class=grid>", o);
    for (size_t i = 0; i < DECODER_FIELDS; i++) {
        if (i == 5)
            fputs("</div><h2>Your usual numbers <span class=hint>(optional; practice values "
                  "are used otherwise)</span></h2><div class=grid>",
                  o);
        if (i > 0 && strcmp(decoder_fields[i].name, decoder_fields[i - 1].name) == 0)
            continue; /* one input, two library names */
        form_field_error(o, req, decoder_fields[i].name, decoder_fields[i].label,
                         decoder_fields[i].hint, FORM_NUMBER,
                         bad && strcmp(bad, decoder_fields[i].name) == 0
                             ? (field_message ? field_message : err.message)
                             : NULL);
    }
    fputs("</div><p><button type=submit>Decode</button></p></form>\n", o);
    if (st == SL_OK && in.any)
        decode_result(o, &result);
    page_end(&p, res, status);
}

/* ---- compare ---- */

typedef struct compare_input {
    bool any;
    bool submitted;             /* the form was sent, even with every field empty */
    sl_metric metric;
    sl_arm a, b;
    sl_compare_options options;
} compare_input;

static const char *const compare_names[4] = {"a-trials", "a-successes", "b-trials",
                                             "b-successes"};

/* The form's labels follow the metric: "trials" and "successes" are the
 * statistics' words, a creator counts what the metric is a rate of
 * (sl_metric_rate: product impressions and clicks, or clicks and orders).
 * Field i: A's trials, A's successes, B's trials, B's successes. */
static const char *compare_label(sl_metric metric, int i, char *buf, size_t size)
{
    const sl_metric_info *rate = sl_metric_rate(metric);
    snprintf(buf, size, "%s: %s", i < 2 ? "Video A (before)" : "Video B (after)",
             i % 2 ? rate->successes : rate->trials);
    return buf;
}

static sl_status read_compare_input(const web_request *req, compare_input *in, sl_error *err)
{
    memset(in, 0, sizeof *in);
    const char *metric = web_param(req, "metric");
    in->metric = SL_METRIC_CTR;
    if (metric && *metric && !sl_metric_parse(metric, &in->metric)) {
        web_fail(err, SL_ERR_INVALID_ARGUMENT, "metric must be ctr or ctor");
        err->field = "metric";
        return SL_ERR_INVALID_ARGUMENT;
    }
    double v[4];
    bool set[4];
    int given = 0;
    for (int i = 0; i < 4; i++) {
        in->submitted |= web_param(req, compare_names[i]) != NULL;
        char label[96];
        sl_status st = param_count(req, compare_names[i],
                                   compare_label(in->metric, i, label, sizeof label), &set[i],
                                   &v[i], err);
        if (st != SL_OK)
            return st;
        given += set[i];
    }
    if (given == 0)
        return SL_OK;
    for (int i = 0; i < 4; i++)
        if (!set[i]) {
            char label[96];
            web_fail(err, SL_ERR_INVALID_ARGUMENT, "%s: missing; give all four numbers",
                     compare_label(in->metric, i, label, sizeof label));
            err->field = compare_names[i];
            return SL_ERR_INVALID_ARGUMENT;
        }
    in->any = true;
    in->a = (sl_arm){.trials = (uint64_t)v[0], .successes = (uint64_t)v[1]};
    in->b = (sl_arm){.trials = (uint64_t)v[2], .successes = (uint64_t)v[3]};
    bool has_mde;
    return param_lift(req, "mde", "Smallest lift worth detecting", &has_mde, &in->options.mde,
                      err);
}

/* The form field an error is about: the library says "a" or "b" for a
 * whole video, and the count at fault is the one that is zero or the
 * successes (more successes than trials). */
static const char *compare_field_of(const compare_input *in, const sl_error *err)
{
    if (!err->field)
        return NULL;
    if (strcmp(err->field, "a") == 0)
        return in->a.trials == 0 ? "a-trials" : "a-successes";
    if (strcmp(err->field, "b") == 0)
        return in->b.trials == 0 ? "b-trials" : "b-successes";
    for (int i = 0; i < 4; i++)
        if (strcmp(err->field, compare_names[i]) == 0)
            return compare_names[i];
    return strcmp(err->field, "mde") == 0 ? "mde" : NULL;
}

void numbers_compare(web_request *req, web_response *res)
{
    compare_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_compare_input(req, &in, &err);
    if (st == SL_OK && in.submitted && !in.any) {
        st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                      "Nothing to compare yet: give both videos' %s and %s.",
                      sl_metric_rate(in.metric)->trials, sl_metric_rate(in.metric)->successes);
        err.field = "a-trials";
    }
    sl_compare_result result;
    if (st == SL_OK && in.any)
        st = sl_compare(in.metric, in.a, in.b, &in.options, &result, &err);
    const char *bad = st != SL_OK ? compare_field_of(&in, &err) : NULL;
    const char *bad_label = NULL;
    char bad_label_text[96];
    for (int i = 0; bad && i < 4; i++)
        if (strcmp(bad, compare_names[i]) == 0)
            bad_label = compare_label(in.metric, i, bad_label_text, sizeof bad_label_text);
    if (bad && strcmp(bad, "mde") == 0)
        bad_label = "Smallest lift worth detecting";
    web_page p;
    const char *title = st != SL_OK ? "Compare: check the numbers"
                        : in.any    ? "Compare: verdict"
                                    : "Compare two videos";
    if (!page_begin(&p, req, title, "compare")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    bool ctor = in.metric == SL_METRIC_CTOR;
    fputs("<h1>Compare a before-video with an after-video</h1>\n<p>You changed one thing "
          "between two videos. Is the difference bigger than chance, and how much more data "
          "would settle it?</p>\n",
          o);
    int status = 200;
    if (st != SL_OK) {
        status = web_http_status(st);
        result_error(o, err.message, bad, bad_label);
    } else if (in.any) {
        /* The answer before the form: after a submit it is what the eye
         * lands on (#result), and the form below keeps the numbers. */
        result_begin(o, "compare-result");
        fprintf(o, "<h2 id=result-h>%s: video B against video A</h2>\n",
                ctor ? "CTOR" : "Product CTR");
        verdict_block(o, req, &result);
        fputs("<p class=note>", o);
        html(o, result.caution);
        fputs("</p>", o);
        /* A before-video worth testing against: carry it into a plan. */
        fprintf(o, "<p><a class=button href=\"/journal/new?metric=%s&amp;before-trials=%llu&amp;"
                   "before-successes=%llu&amp;mde=%g\">Save this as a test</a> <span "
                   "class=hint>video A becomes the before-video of a journal test</span></p>\n",
                sl_metric_name(in.metric), (unsigned long long)in.a.trials,
                (unsigned long long)in.a.successes, result.mde);
        result_end(o);
    }
    fprintf(o, "<form class=card action=\"/compare#result\" method=get>"
               "<div><label for=f-metric>Metric</label><select id=f-metric name=metric>"
               "<option value=ctr%s>Product CTR (product clicks out of product impressions)"
               "</option><option value=ctor%s>CTOR (orders out of product clicks)</option>"
               "</select></div><div class=grid>",
            ctor ? "" : " selected", ctor ? " selected" : "");
    for (int i = 0; i < 4; i++) {
        char label[96];
        form_field_error(o, req, compare_names[i], compare_label(in.metric, i, label, sizeof label),
                         i == 0 && !ctor ? "(clicks and orders for CTOR)" : NULL, FORM_NUMBER,
                         bad && strcmp(bad, compare_names[i]) == 0 ? err.message : NULL);
    }
    form_field_error(o, req, "mde", "Smallest change worth detecting", "default 20%",
                     FORM_NUMBER, bad && strcmp(bad, "mde") == 0 ? err.message : NULL);
    fputs("</div><p><button type=submit>Compare</button></p></form>\n", o);
    page_end(&p, res, status);
}

/* ---- API ---- */

void numbers_api_decode(web_request *req, web_response *res)
{
    decode_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_decode_input(req, &in, &err);
    if (st == SL_OK && !in.any)
        st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                      "give at least one of views, impressions, clicks, orders");
    sl_decode_result result;
    if (st == SL_OK)
        st = sl_decode(&in.funnel, &in.baseline, NULL, &result, &err);
    if (st != SL_OK)
        respond_json_error(res, &err);
    else
        respond_json(res, 200, sl_decode_to_json(&result));
}

void numbers_api_compare(web_request *req, web_response *res)
{
    compare_input in;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_compare_input(req, &in, &err);
    if (st == SL_OK && !in.any)
        st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                      "give a-trials, a-successes, b-trials and b-successes");
    sl_compare_result result;
    if (st == SL_OK)
        st = sl_compare(in.metric, in.a, in.b, &in.options, &result, &err);
    if (st != SL_OK)
        respond_json_error(res, &err);
    else
        respond_json(res, 200, sl_compare_to_json(&result));
}
