/*
 * journal_json.c — the journal as JSON (the CLI's --json and the web API
 * share it) and its export as CSV, JSON or Markdown.
 *
 * Every text in a test was typed by a user, so it is written as data: jansson
 * escapes it in JSON, CSV quotes it and defuses cells a spreadsheet would run
 * as a formula, and Markdown backslash-escapes the characters that would make
 * links, HTML or table cells out of it.
 */
#include "json/json_shape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *look_json(const sl_journal_test *t, size_t i)
{
    const sl_journal_look *l = &t->looks[i];
    sl_compare_result r;
    bool ok = sl_journal_verdict(t, i, &r, NULL) == SL_OK;
    json_t *more = ok && r.fixed_a_feasible ? json_integer((json_int_t)r.b_more_needed)
                                            : json_null();
    return json_pack("{s:I,s:s,s:o,s:o,s:I,s:I,s:f,s:f,s:f,s:o,s:o,s:o,s:b,s:b,s:o,s:o}", "seq",
                     (json_int_t)l->seq, "taken_at", l->taken_at, "after_video",
                     text_or_null(l->after_video), "import_id",
                     l->after_import ? json_integer(l->after_import) : json_null(), "trials",
                     (json_int_t)l->after.trials, "successes", (json_int_t)l->after.successes,
                     "rate", (double)l->after.successes / (double)l->after.trials, "p_look",
                     l->p_look, "p_always_valid", l->p_always_valid, "verdict",
                     ok ? json_string(sl_compare_verdict_name(r.verdict)) : json_null(),
                     "p_value", ok ? real_or_null(r.p_value) : json_null(), "p_method",
                     ok ? json_string(r.p_method) : json_null(), "p_final",
                     ok && r.planned_sample_reached, "planned_sample_reached",
                     ok && r.planned_sample_reached, "more_needed", more, "verdict_text",
                     ok ? json_string(r.verdict_text) : json_null());
}

static json_t *test_json(const sl_journal_test *t)
{
    json_t *looks = json_array();
    for (size_t i = 0; looks && i < t->look_count; i++)
        json_array_append_new(looks, look_json(t, i));
    json_t *before = json_pack(
        "{s:o,s:o,s:I,s:I,s:f}", "video", text_or_null(t->before_video), "import_id",
        t->before_import ? json_integer(t->before_import) : json_null(), "trials",
        (json_int_t)t->before.trials, "successes", (json_int_t)t->before.successes, "rate",
        t->before.trials ? (double)t->before.successes / (double)t->before.trials : 0.0);
    json_t *sample = json_pack(
        "{s:b,s:o,s:o}", "feasible", t->sample_feasible, "after_needed",
        t->sample_feasible ? json_integer((json_int_t)t->b_needed) : json_null(),
        "min_detectable_lift", real_or_null(t->min_detectable_lift));
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:f,s:f,s:f,s:f,s:o,s:s,s:s,s:b,s:o,s:o,s:o,s:o,"
        "s:o,s:o}",
        "id", (json_int_t)t->id, "creator", t->creator, "step", sl_loop_step_name(t->step),
        "metric", sl_metric_name(t->metric), "change", t->change, "tag",
        sl_change_tag_name(t->tag), "hypothesis", t->hypothesis,
        "expectation", text_or_null(t->expectation), "before", before, "mde", t->mde, "alpha",
        t->alpha, "power", t->power, "tau2", t->tau2, "sample", sample, "planned_at",
        t->planned_at, "status", t->closed ? "closed" : "open", "frozen", t->look_count > 0,
        "looks", looks, "p_always_valid",
        t->look_count ? json_real(t->looks[t->look_count - 1].p_always_valid) : json_null(),
        "outcome", t->closed ? json_string(sl_journal_outcome_name(t->outcome)) : json_null(),
        "lesson", t->closed ? json_string(t->lesson) : json_null(), "closed_at",
        t->closed ? json_string(t->closed_at) : json_null(), "warning",
        text_or_null(t->warning));
}

char *sl_journal_test_to_json(const sl_journal_test *t)
{
    return t ? sl_json_dump(test_json(t)) : NULL;
}

char *sl_journal_list_to_json(const sl_journal_test *tests, size_t count)
{
    json_t *items = json_array();
    for (size_t i = 0; items && i < count; i++)
        if (json_array_append_new(items, test_json(&tests[i])) != 0) {
            json_decref(items);
            return NULL;
        }
    return sl_json_dump(json_pack("{s:o}", "tests", items));
}

/* ---- CSV ---- */

/* One text cell: quoted when it holds a comma or quote; a formula start
 * gets a ' so a spreadsheet shows the text instead of running it. */
static void csv_text(FILE *out, const char *s)
{
    bool formula = sl_csv_formula_start(s);
    bool quote = formula || strpbrk(s, ",\"") != NULL;
    if (quote)
        fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    if (quote)
        fputc('"', out);
}

static void csv_tests(FILE *out, const sl_journal_test *tests, size_t count)
{
    fputs("id,status,creator,step,metric,change,hypothesis,expectation,before_video,"
          "before_trials,before_successes,before_rate,mde,tau2,after_needed,"
          "min_detectable_lift,planned_at,looks,after_video,after_trials,after_successes,"
          "after_rate,p_always_valid,verdict,p_value,p_final,outcome,lesson,closed_at,"
          "change_tag\n",
          out);
    for (size_t i = 0; i < count; i++) {
        const sl_journal_test *t = &tests[i];
        fprintf(out, "%lld,%s,", (long long)t->id, t->closed ? "closed" : "open");
        csv_text(out, t->creator);
        fprintf(out, ",%s,%s,", sl_loop_step_name(t->step), sl_metric_name(t->metric));
        csv_text(out, t->change);
        fputc(',', out);
        csv_text(out, t->hypothesis);
        fputc(',', out);
        csv_text(out, t->expectation);
        fputc(',', out);
        csv_text(out, t->before_video);
        fprintf(out, ",%llu,%llu,%.9g,%.9g,%.9g,", (unsigned long long)t->before.trials,
                (unsigned long long)t->before.successes,
                (double)t->before.successes / (double)t->before.trials, t->mde, t->tau2);
        if (t->sample_feasible)
            fprintf(out, "%llu", (unsigned long long)t->b_needed);
        fputc(',', out);
        if (isfinite(t->min_detectable_lift))
            fprintf(out, "%.9g", t->min_detectable_lift);
        fprintf(out, ",%s,%zu,", t->planned_at, t->look_count);
        if (t->look_count) {
            const sl_journal_look *l = &t->looks[t->look_count - 1];
            sl_compare_result r;
            bool ok = sl_journal_verdict(t, t->look_count - 1, &r, NULL) == SL_OK;
            csv_text(out, l->after_video);
            fprintf(out, ",%llu,%llu,%.9g,%.9g,%s,", (unsigned long long)l->after.trials,
                    (unsigned long long)l->after.successes,
                    (double)l->after.successes / (double)l->after.trials, l->p_always_valid,
                    ok ? sl_compare_verdict_name(r.verdict) : "");
            if (ok)
                fprintf(out, "%.9g", r.p_value);
            fprintf(out, ",%s,", ok && r.planned_sample_reached ? "true" : "false");
        } else {
            fputs(",,,,,,,,", out);
        }
        if (t->closed) {
            fprintf(out, "%s,", sl_journal_outcome_name(t->outcome));
            csv_text(out, t->lesson);
            fprintf(out, ",%s,", t->closed_at);
        } else {
            fputs(",,,", out);
        }
        /* Last, so the columns before it stay where scripts expect them. */
        fprintf(out, "%s\n", sl_change_tag_name(t->tag));
    }
}

/* ---- Markdown ---- */

/* Backslash-escapes what Markdown would turn into markup (emphasis, code,
 * links, images, HTML, headings, table cells); CommonMark allows a backslash
 * before any ASCII punctuation. */
static void md_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strchr("\\`*_[]()<>|#!~&", *p))
            fputc('\\', out);
        fputc(*p, out);
    }
}

static void md_count(FILE *out, uint64_t n)
{
    char buf[32];
    fputs(sl_format_count(buf, sizeof buf, (double)n), out);
}

static void md_test(FILE *out, const sl_journal_test *t)
{
    bool ctor = t->metric == SL_METRIC_CTOR;
    const char *unit = ctor ? "product clicks" : "product impressions";
    fprintf(out, "\n## Test #%lld: ", (long long)t->id);
    md_text(out, t->change);
    fputs("\n\n", out);
    if (t->closed)
        fprintf(out, "- Status: closed on %s, outcome %s\n", t->closed_at,
                sl_journal_outcome_name(t->outcome));
    else
        fprintf(out, "- Status: open%s\n", t->look_count ? " (plan frozen)" : "");
    fputs("- Creator: ", out);
    if (t->creator[0])
        md_text(out, t->creator);
    else
        fputs("(none given)", out);
    fprintf(out, "\n- Change tag: %s", sl_change_tag_name(t->tag));
    fprintf(out, "\n- Step: %s; metric: %s (%s)\n- Hypothesis: ", sl_loop_step_name(t->step),
            ctor ? "CTOR" : "Product CTR",
            ctor ? "orders / product clicks" : "product clicks / product impressions");
    md_text(out, t->hypothesis);
    if (t->expectation[0]) {
        fputs("\n- Expected before any result: ", out);
        md_text(out, t->expectation);
    }
    fputs("\n- Before-video: ", out);
    if (t->before_video[0])
        fprintf(out, "%s (import #%lld), ", t->before_video, (long long)t->before_import);
    else
        fputs("typed counts, ", out);
    md_count(out, t->before.successes);
    fputs(" / ", out);
    md_count(out, t->before.trials);
    fprintf(out, " = %.2f%%\n- Planned %s: ", 100.0 * (double)t->before.successes /
                                                  (double)t->before.trials,
            t->planned_at);
    if (t->sample_feasible) {
        fprintf(out, "a %.0f%% lift needs ", t->mde * 100);
        md_count(out, t->b_needed);
        fprintf(out, " %s on the after-video\n", unit);
    } else if (isfinite(t->min_detectable_lift)) {
        fprintf(out, "a %.0f%% lift cannot be detected with this before-video; the smallest "
                     "it can detect is %.0f%%\n",
                t->mde * 100, t->min_detectable_lift * 100);
    } else {
        fprintf(out, "a %.0f%% lift cannot be detected with this before-video\n", t->mde * 100);
    }
    if (t->look_count) {
        fputs("\n| look | taken (UTC) | after-video | rate | p this look | always-valid p | "
              "verdict |\n|---:|---|---:|---:|---:|---:|---|\n",
              out);
        for (size_t i = 0; i < t->look_count; i++) {
            const sl_journal_look *l = &t->looks[i];
            sl_compare_result r;
            bool ok = sl_journal_verdict(t, i, &r, NULL) == SL_OK;
            fprintf(out, "| %u | %s | ", l->seq, l->taken_at);
            md_count(out, l->after.successes);
            fputs(" / ", out);
            md_count(out, l->after.trials);
            fprintf(out, " | %.2f%% | %.3g | %.3g | %s |\n",
                    100.0 * (double)l->after.successes / (double)l->after.trials, l->p_look,
                    l->p_always_valid, ok ? sl_compare_verdict_name(r.verdict) : "");
        }
    }
    if (t->closed) {
        fputs("\nLesson: ", out);
        md_text(out, t->lesson);
        fputc('\n', out);
    }
}

sl_status sl_journal_export(const sl_journal_test *tests, size_t count,
                            sl_journal_format format, FILE *out)
{
    if (!out || (count && !tests))
        return SL_ERR_INVALID_ARGUMENT;
    if (format == SL_JOURNAL_JSON) {
        char *json = sl_journal_list_to_json(tests, count);
        if (!json)
            return SL_ERR_NO_MEMORY;
        fputs(json, out);
        fputc('\n', out);
        sl_free(json);
    } else if (format == SL_JOURNAL_CSV) {
        csv_tests(out, tests, count);
    } else if (format == SL_JOURNAL_MARKDOWN) {
        fputs("# ShopLab journal: one-change tests\n", out);
        if (!count)
            fputs("\nNo tests yet.\n", out);
        for (size_t i = 0; i < count; i++)
            md_test(out, &tests[i]);
    } else {
        return SL_ERR_INVALID_ARGUMENT;
    }
    return ferror(out) ? SL_ERR_IO : SL_OK;
}
