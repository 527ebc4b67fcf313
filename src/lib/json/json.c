/*
 * json.c — the JSON shapes of decode, compare and errors, shared by the CLI's
 * --json output and the web API.
 *
 * Built with jansson so escaping and number formatting are never hand-rolled.
 * Absent values are JSON null, never 0 or NaN.  Reals are written with 15
 * significant digits: enough for every tolerance the statistics are tested
 * at, and free of the 17-digit noise ("0.040000000000000001") readers trip on.
 */
#include "json_shape.h"

#include <math.h>
#include <stdlib.h>

/* A real, or null when not finite (NaN/inf are not JSON). */
static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *count(double v)
{
    return json_integer((json_int_t)v);
}

static json_t *interval_json(sl_interval ci)
{
    return json_pack("{s:o,s:o}", "low", real_or_null(ci.low), "high", real_or_null(ci.high));
}

json_t *rate_json(const sl_rate *r)
{
    if (!r->present)
        return json_pack("{s:n,s:n,s:n,s:s,s:s,s:n,s:n}", "value", "numerator", "denominator",
                         "numerator_name", sl_field_name(r->numerator_field), "denominator_name",
                         sl_field_name(r->denominator_field), "low", "high");
    bool money = sl_field_is_money(r->numerator_field);
    return json_pack("{s:o,s:o,s:o,s:s,s:s,s:o,s:o}", "value", json_real(r->value), "numerator",
                     money ? json_real(r->numerator) : count(r->numerator), "denominator",
                     count(r->denominator), "numerator_name", sl_field_name(r->numerator_field),
                     "denominator_name", sl_field_name(r->denominator_field), "low",
                     r->has_interval ? json_real(r->low) : json_null(), "high",
                     r->has_interval ? json_real(r->high) : json_null());
}

json_t *funnel_json(const sl_funnel *f)
{
    json_t *obj = json_object();
    for (int i = 0; i < SL_FIELD__COUNT; i++) {
        double v;
        json_t *val = !sl_funnel_get(f, (sl_field)i, &v) ? json_null()
                      : sl_field_is_money((sl_field)i)  ? json_real(v)
                                                        : count(v);
        json_object_set_new(obj, sl_field_name((sl_field)i), val);
    }
    return obj;
}

static json_t *step_json(const sl_step_reading *s)
{
    json_t *more = json_null();
    if (s->verdict == SL_VERDICT_TOO_EARLY && s->more_needed)
        more = json_pack("{s:I,s:s}", "count", (json_int_t)s->more_needed, "of",
                         sl_field_name(s->more_field));
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:s,s:{s:o,s:o},s:o,s:s}", "step",
                     sl_step_name(s->step), "verdict", sl_verdict_name(s->verdict), "rate",
                     s->has_rate ? json_string(sl_rate_name(s->rate)) : json_null(), "observed",
                     s->verdict == SL_VERDICT_UNKNOWN ? json_null() : json_real(s->observed),
                     "baseline", json_real(s->baseline), "baseline_source",
                     sl_baseline_source_name(s->baseline_source), "typical_band", "low",
                     json_real(s->band_low), "high", json_real(s->band_high), "more_needed", more,
                     "explanation", s->explanation);
}

char *sl_json_dump(json_t *root)
{
    if (!root)
        return NULL;
    char *text = json_dumps(root, JSON_FLAGS);
    json_decref(root);
    return text; /* jansson allocates with malloc, so sl_free releases it */
}

char *sl_decode_to_json(const sl_decode_result *r)
{
    return r ? sl_json_dump(decode_json(r)) : NULL;
}

json_t *decode_json(const sl_decode_result *r)
{
    json_t *rates = json_object();
    for (int i = 0; i < SL_RATE__COUNT; i++)
        json_object_set_new(rates, sl_rate_name((sl_rate_id)i), rate_json(&r->rates[i]));
    json_t *steps = json_array();
    for (int i = 0; i < SL_STEP__COUNT; i++)
        json_array_append_new(steps, step_json(&r->steps[i]));
    json_t *checklist = json_array();
    for (size_t i = 0; i < r->checklist_count; i++)
        json_array_append_new(checklist,
                              json_pack("{s:s,s:s}", "change", r->checklist[i].change,
                                        "hypothesis", r->checklist[i].hypothesis));
    json_t *next = json_pack("{s:o,s:o,s:s}", "change",
                             r->next_test.change ? json_string(r->next_test.change) : json_null(),
                             "hypothesis",
                             r->next_test.hypothesis ? json_string(r->next_test.hypothesis)
                                                     : json_null(),
                             "text", r->next_test_text);
    json_t *questions = json_null();
    if (r->questions_term) {
        json_t *items = json_array();
        for (size_t i = 0; i < r->question_count; i++)
            json_array_append_new(items, json_string(r->questions[i]));
        questions = json_pack("{s:s,s:o}", "term", r->questions_term, "items", items);
    }
    const sl_baseline *b = &r->baseline;
    json_t *baseline = json_pack(
        "{s:{s:o,s:s},s:{s:o,s:s},s:{s:o,s:s},s:{s:o,s:s}}", "views", "value", json_real(b->views),
        "source", sl_baseline_source_name(b->views_source), "product_ctr", "value",
        json_real(b->product_ctr), "source", sl_baseline_source_name(b->product_ctr_source),
        "video_ctr", "value", json_real(b->video_ctr), "source",
        sl_baseline_source_name(b->video_ctr_source), "ctor", "value", json_real(b->ctor),
        "source", sl_baseline_source_name(b->ctor_source));
    const char *source = r->baseline_mixed ? "mixed" : sl_baseline_source_name(r->baseline_source);
    bool practice = r->baseline_mixed || r->baseline_source == SL_BASELINE_PRACTICE;
    return json_pack("{s:o,s:f,s:f,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o}", "funnel",
                          funnel_json(&r->funnel), "confidence", r->confidence, "margin",
                          r->margin, "rates", rates, "steps", steps, "bottleneck",
                          r->has_bottleneck ? json_string(sl_step_name(r->bottleneck))
                                            : json_null(),
                          "next_test", next, "checklist", checklist, "check_first", questions,
                          "caution", r->caution,
                          "baseline_source", source, "baseline", baseline, "practice_label",
                          practice ? json_string(sl_practice_label()) : json_null());
}

static json_t *arm_json(sl_metric metric, sl_arm arm, double rate, sl_interval ci)
{
    bool ctor = metric == SL_METRIC_CTOR;
    return json_pack("{s:I,s:I,s:{s:f,s:I,s:I,s:s,s:s,s:o,s:o}}", "successes",
                     (json_int_t)arm.successes, "trials", (json_int_t)arm.trials, "rate", "value",
                     rate, "numerator", (json_int_t)arm.successes, "denominator",
                     (json_int_t)arm.trials, "numerator_name", ctor ? "orders" : "product_clicks",
                     "denominator_name", ctor ? "product_clicks" : "product_impressions", "low",
                     json_real(ci.low), "high", json_real(ci.high));
}

char *sl_compare_to_json(const sl_compare_result *r)
{
    if (!r)
        return NULL;
    json_t *rule = json_pack("{s:f,s:f,s:f,s:o,s:b}", "alpha_always_valid",
                             r->alpha_always_valid, "alpha_fixed", r->alpha_fixed,
                             "always_valid_p", r->always_valid_p, "decided_by",
                             r->decided_by ? json_string(r->decided_by) : json_null(),
                             "sample_as_planned", r->planned_given);
    json_t *sample = json_pack(
        "{s:o,s:o,s:o,s:b,s:o}", "per_arm",
        r->has_sample_size ? json_integer((json_int_t)r->per_arm_needed) : json_null(), "b_needed",
        r->fixed_a_feasible ? json_integer((json_int_t)r->b_needed) : json_null(),
        "b_more_needed",
        r->fixed_a_feasible ? json_integer((json_int_t)r->b_more_needed) : json_null(),
        "feasible", r->fixed_a_feasible, "min_detectable_lift",
        real_or_null(r->min_detectable_lift));
    return sl_json_dump(json_pack(
        "{s:s,s:o,s:o,s:{s:f,s:o},s:o,s:o,s:o,s:o,s:o,s:f,s:s,s:f,s:s,s:f,s:f,s:f,s:f,s:f,s:o,"
        "s:b,s:o,s:s,s:s,s:s}",
        "metric", sl_metric_name(r->metric), "a", arm_json(r->metric, r->a, r->rate_a, r->interval_a),
        "b", arm_json(r->metric, r->b, r->rate_b, r->interval_b), "difference", "value", r->diff,
        "interval", interval_json(r->diff_interval), "relative_lift",
        r->has_lift ? json_real(r->lift) : json_null(), "z",
        r->ztest.z_defined ? json_real(r->ztest.z) : json_null(), "p_ztest",
        json_real(r->ztest.p_value), "p_ztest_log10", real_or_null(r->ztest.log10_p), "p_fisher",
        r->has_fisher ? json_real(r->fisher_p) : json_null(), "p_value", r->p_value, "p_method",
        r->p_method, "prob_b_better", r->prob_b_better, "prob_b_better_method",
        r->prob_exact ? "exact" : "normal-approximation", "p_always_valid", r->msprt_p, "tau2",
        r->tau2, "mde", r->mde, "alpha", r->alpha, "power", r->power, "sample_size", sample,
        "planned_sample_reached", r->planned_sample_reached, "rule", rule, "verdict",
        sl_compare_verdict_name(r->verdict), "verdict_text", r->verdict_text, "caution",
        r->caution));
}

char *sl_error_to_json(const sl_error *err)
{
    if (!err)
        return NULL;
    return sl_json_dump(json_pack("{s:{s:s,s:s,s:o}}", "error", "code",
                                  sl_status_name(err->code), "message", err->message, "field",
                                  err->field ? json_string(err->field) : json_null()));
}
