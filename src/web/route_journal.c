/*
 * route_journal.c — the journal of one-change tests in the browser: the list
 * (open tests first, with progress toward the planned sample, the latest
 * verdict and the always-valid p over the looks; closed tests with their
 * lessons), the plan form (the sample needed is shown before saving), and
 * on a test's page the look and close forms.  API: /api/journal and
 * /api/journal/{id}.  The rules (frozen plan, one open test per creator and
 * metric, closed tests never edited) live in the library; this file only
 * shows them and their refusals.
 */
#include "web.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *trials_word(sl_metric m)
{
    return m == SL_METRIC_CTR ? "product impressions" : "product clicks";
}

static const char *successes_word(sl_metric m)
{
    return m == SL_METRIC_CTR ? "product clicks" : "orders";
}

static const char *metric_label(sl_metric m)
{
    return m == SL_METRIC_CTR ? "Product CTR" : "CTOR";
}

static void choice(FILE *o, const web_request *req, const char *name, const char *label,
                   const char *const *values, const char *const *labels, size_t n)
{
    const char *v = web_param(req, name);
    fprintf(o, "<div><label for=\"f-%s\">%s</label><select id=\"f-%s\" name=\"%s\">", name, label,
            name, name);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "<option value=\"%s\"%s>%s</option>", values[i],
                v && strcmp(v, values[i]) == 0 ? " selected" : "", labels[i]);
    fputs("</select></div>", o);
}

/* ---- reading the plan form ---- */

typedef struct plan_form {
    sl_journal_plan_input in;
    bool has_before;           /* a before-video or both typed counts */
} plan_form;

static sl_status read_plan_form(const web_request *req, plan_form *f, sl_error *err)
{
    memset(f, 0, sizeof *f);
    const char *metric = web_param(req, "metric");
    f->in.metric = metric && strcmp(metric, "ctor") == 0 ? SL_METRIC_CTOR : SL_METRIC_CTR;
    const char *step = web_param(req, "step");
    f->in.step = SL_LOOP_TAG;
    for (int s = 0; s < SL_LOOP__COUNT; s++)
        if (step && strcmp(step, sl_loop_step_name((sl_loop_step)s)) == 0)
            f->in.step = (sl_loop_step)s;
    f->in.change = web_param(req, "change");
    f->in.hypothesis = web_param(req, "hypothesis");
    f->in.expectation = web_param(req, "expect");
    const char *creator = web_param(req, "creator");
    f->in.creator = creator && *creator ? creator : NULL;
    const char *force = web_param(req, "force");
    f->in.force = force && *force;
    const char *video = web_param(req, "before-video");
    bool set_t, set_s, set_m;
    double t, s;
    sl_status st = param_count(req, "before-trials", "Before-video trials", &set_t, &t, err);
    if (st == SL_OK)
        st = param_count(req, "before-successes", "Before-video successes", &set_s, &s, err);
    if (st == SL_OK)
        st = param_lift(req, "mde", "Smallest lift worth detecting", &set_m, &f->in.mde, err);
    if (st != SL_OK)
        return st;
    if (video && *video) {
        f->in.before_video = video;
        f->has_before = true;
    } else if (set_t && set_s) {
        f->in.before = (sl_arm){.trials = (uint64_t)t, .successes = (uint64_t)s};
        f->has_before = true;
    } else if (set_t || set_s) {
        return sl_fail_web(err, SL_ERR_INVALID_ARGUMENT,
                           "give both the before-video's trials and successes, or its ID");
    }
    return SL_OK;
}

/* The sample the after-video would need, for the form's preview; false
 * when the before-video cannot be used (the reason is shown). */
static bool sample_preview(FILE *o, web_server *s, const plan_form *f)
{
    sl_arm a = f->in.before;
    char source[160] = "";
    if (f->in.before_video) {
        sl_video_counts vc;
        sl_error err;
        sl_status st = sl_store_video(web_store(s), f->in.before_video, &vc, &err);
        if (st != SL_OK) {
            fputs("<p class=error role=alert>", o);
            html(o, err.message);
            fputs("</p>", o);
            return false;
        }
        sl_field tf = f->in.metric == SL_METRIC_CTR ? SL_FIELD_PRODUCT_IMPRESSIONS
                                                    : SL_FIELD_PRODUCT_CLICKS;
        sl_field sf = f->in.metric == SL_METRIC_CTR ? SL_FIELD_PRODUCT_CLICKS : SL_FIELD_ORDERS;
        double t = 0, x = 0;
        if (!sl_funnel_get(&vc.funnel, tf, &t) || !sl_funnel_get(&vc.funnel, sf, &x)) {
            fprintf(o, "<p class=error role=alert>Import #%lld has no %s or %s for this video.</p>",
                    (long long)vc.import_id, trials_word(f->in.metric),
                    successes_word(f->in.metric));
            return false;
        }
        a = (sl_arm){.trials = (uint64_t)t, .successes = (uint64_t)x};
        snprintf(source, sizeof source, " (from import #%lld)", (long long)vc.import_id);
    }
    if (!a.trials || !a.successes || a.successes > a.trials) {
        fprintf(o, "<p class=error role=alert>The before-video needs some %s out of its %s to "
                   "size a test on a relative lift.</p>",
                successes_word(f->in.metric), trials_word(f->in.metric));
        return false;
    }
    double rate = (double)a.successes / (double)a.trials;
    double mde = f->in.mde > 0 ? f->in.mde : 0.2;
    uint64_t need = 0;
    double real = 0, smallest = NAN;
    sl_status st = sl_sample_size_fixed_a(a.trials, rate, mde, 0.05, 0.8, &need, &real, &smallest);
    fprintf(o, "<section class=card aria-live=polite><h2>Sample needed</h2><p>Before-video%s: "
               "%llu %s out of %llu %s = %.2f%% %s.</p><p>",
            source, (unsigned long long)a.successes, successes_word(f->in.metric),
            (unsigned long long)a.trials, trials_word(f->in.metric), rate * 100,
            metric_label(f->in.metric));
    if (st == SL_OK)
        fprintf(o, "To detect a %.0f%% change either way, the after-video needs <b>%llu %s</b>.", mde * 100,
                (unsigned long long)need, trials_word(f->in.metric));
    else if (st == SL_ERR_INFEASIBLE)
        fprintf(o, "A %.0f%% lift <b>cannot be detected with this before-video</b>, however long "
                   "the after-video runs; the smallest lift it can detect is %.0f%%.",
                mde * 100, smallest * 100);
    else
        fputs("The sample cannot be computed for these numbers.", o);
    fputs("</p></section>\n", o);
    return true;
}

static void plan_page(web_request *req, web_response *res, int status, const char *error,
                      const char *error_field)
{
    plan_form f;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_plan_form(req, &f, &err);
    web_page p;
    if (!page_begin(&p, req, "Plan a one-change test", "journal")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<p><a href=\"/journal\">Journal</a> › new test</p>\n<h1>Plan a one-change test</h1>\n"
          "<p>Write down the one thing you will change, what you expect, and which video it "
          "is compared with, before you post. The plan is frozen at the first look.</p>\n",
          o);
    if (error) {
        fputs("<p class=error role=alert>", o);
        html(o, error);
        fputs("</p>\n", o);
        if (error_field && strcmp(error_field, "open") == 0)
            fputs("<p>Two changes tested at once cannot be told apart. Close the open test "
                  "first, or tick &ldquo;open it anyway&rdquo; below.</p>\n",
                  o);
    } else if (st != SL_OK) {
        fputs("<p class=error role=alert>", o);
        html(o, err.message);
        fputs("</p>\n", o);
    }
    bool previewed = st == SL_OK && f.has_before && sample_preview(o, req->server, &f);
    /* Step 1, GET: the plan and the sample it needs; step 2, POST: save it
     * (the same fields, carried as hidden inputs, so the token never sits
     * in an address). */
    fputs("<form class=card method=get action=\"/journal/new\">", o);
    static const char *const steps[] = {"pick", "tag", "read"};
    static const char *const step_labels[] = {"Pick", "Tag", "Read"};
    static const char *const metrics[] = {"ctr", "ctor"};
    static const char *const metric_labels[] = {"Product CTR (clicks / impressions)",
                                                "CTOR (orders / clicks)"};
    fputs("<div class=grid>", o);
    choice(o, req, "step", "Loop step", steps, step_labels, 3);
    choice(o, req, "metric", "Metric", metrics, metric_labels, 2);
    form_field(o, req, "mde", "Smallest lift worth detecting", "default 20%", FORM_TEXT);
    fputs("</div>", o);
    form_field(o, req, "change", "The one change", "one sentence", FORM_AREA);
    form_field(o, req, "hypothesis", "Hypothesis", "what it should move, and why", FORM_AREA);
    form_field(o, req, "expect", "What you expect", "written before any result (optional)", FORM_AREA);
    fputs("<h2>Before-video</h2><div class=grid>", o);
    form_field(o, req, "before-video", "Imported video ID", "or type its counts", FORM_TEXT);
    form_field(o, req, "before-trials", "Trials", "impressions (CTR) or clicks (CTOR)", FORM_TEXT);
    form_field(o, req, "before-successes", "Successes", "clicks (CTR) or orders (CTOR)", FORM_TEXT);
    form_field(o, req, "creator", "Creator", "optional; taken from the import", FORM_TEXT);
    fputs("</div><p><button type=submit>Show the sample needed</button></p></form>\n", o);
    if (previewed) {
        static const char *const carried[] = {"step", "metric", "mde", "change", "hypothesis",
                                              "expect", "before-video", "before-trials",
                                              "before-successes", "creator"};
        fputs("<form class=card method=post action=\"/journal\">", o);
        csrf_input(o, req);
        for (size_t i = 0; i < sizeof carried / sizeof *carried; i++) {
            const char *v = web_param(req, carried[i]);
            fprintf(o, "<input type=hidden name=\"%s\" value=\"", carried[i]);
            html(o, v ? v : "");
            fputs("\">", o);
        }
        fputs("<p><label><input type=checkbox name=force value=1> Open it even beside another "
              "open test on the same creator and metric</label></p>"
              "<p><button type=submit>Save the plan</button></p></form>\n",
              o);
    }
    page_end(&p, res, status);
}

static void save_plan(web_request *req, web_response *res)
{
    plan_form f;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_plan_form(req, &f, &err);
    if (st == SL_OK && !f.has_before)
        st = sl_fail_web(&err, SL_ERR_INVALID_ARGUMENT,
                         "give the before-video: its imported ID, or its trials and successes");
    sl_journal_test t;
    memset(&t, 0, sizeof t);
    if (st == SL_OK) {
        st = sl_journal_plan(web_store(req->server), &f.in, &t, &err);
    }
    if (st != SL_OK) {
        plan_page(req, res, web_http_status(st), err.message, err.field);
        return;
    }
    char to[64];
    snprintf(to, sizeof to, "/journal/%lld%s", (long long)t.id, t.warning[0] ? "?forced=1" : "");
    sl_journal_test_clear(&t);
    respond_redirect(res, to);
}

/* ---- the list ---- */

static void progress_text(FILE *o, const sl_journal_test *t)
{
    uint64_t have = t->look_count ? t->looks[t->look_count - 1].after.trials : 0;
    if (!t->sample_feasible) {
        fprintf(o, "the planned lift cannot be detected with this before-video (smallest: "
                   "%.0f%%)",
                t->min_detectable_lift * 100);
        return;
    }
    double share = t->b_needed ? (double)have / (double)t->b_needed : 1;
    fprintf(o, "<progress max=\"%llu\" value=\"%llu\" aria-label=\"progress toward the planned "
               "sample\"></progress> %llu of %llu %s (%.0f%%)",
            (unsigned long long)t->b_needed,
            (unsigned long long)(have < t->b_needed ? have : t->b_needed),
            (unsigned long long)have, (unsigned long long)t->b_needed, trials_word(t->metric),
            share * 100 < 100 ? share * 100 : 100);
}

static void latest_verdict(FILE *o, const sl_journal_test *t)
{
    if (!t->look_count) {
        fputs("<p>No look yet: post the after-video, then add a look.</p>", o);
        return;
    }
    sl_compare_result c;
    if (sl_journal_verdict(t, t->look_count - 1, &c, NULL) != SL_OK)
        return;
    fprintf(o, "<p><span class=\"verdict v-%s\">%s</span>: ", sl_compare_verdict_name(c.verdict),
            sl_compare_verdict_name(c.verdict));
    html(o, c.verdict_text);
    if (c.planned_sample_reached)
        fputs(" The planned sample is reached: the p-value is final.", o);
    else if (c.fixed_a_feasible)
        fprintf(o, " %llu more %s to go before the p-value is final.",
                (unsigned long long)c.b_more_needed, trials_word(t->metric));
    fputs("</p>", o);
}

static void p_chart(FILE *o, const sl_journal_test *t)
{
    if (!t->look_count)
        return;
    double p[64];
    size_t n = t->look_count < 64 ? t->look_count : 64;
    for (size_t i = 0; i < n; i++)
        p[i] = t->looks[t->look_count - n + i].p_always_valid;
    svg_p_series(o, p, n, t->alpha > 0 ? t->alpha : 0.05);
}

static void test_summary(FILE *o, const sl_journal_test *t)
{
    fprintf(o, "<section class=card><h3><a href=\"/journal/%lld\">Test #%lld</a>: ",
            (long long)t->id, (long long)t->id);
    html(o, t->change);
    fprintf(o, "</h3><p><small>%s · %s", sl_loop_step_name(t->step), metric_label(t->metric));
    if (t->creator[0]) {
        fputs(" · creator ", o);
        html(o, t->creator);
    }
    fputs(" · planned ", o);
    html(o, t->planned_at);
    fputs("</small></p>", o);
    if (t->closed) {
        fprintf(o, "<p>Closed: <b>%s</b>. Lesson: ", sl_journal_outcome_name(t->outcome));
        html(o, t->lesson);
        fputs("</p>", o);
    } else {
        fputs("<p>", o);
        progress_text(o, t);
        fputs("</p>", o);
        latest_verdict(o, t);
        p_chart(o, t);
    }
    fputs("</section>\n", o);
}

static void journal_index(web_request *req, web_response *res)
{
    sl_journal_test *tests = NULL;
    size_t n = 0;
    sl_error err;
    sl_status st = sl_journal_list(web_store(req->server), SL_JOURNAL_ALL, &tests, &n, &err);
    web_page p;
    if (!page_begin(&p, req, "Journal", "journal")) {
        sl_journal_tests_free(tests, n);
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Journal of one-change tests</h1>\n<p>Change one thing at a time, say before "
          "posting what you expect, then look as often as you like: the always-valid p stays "
          "honest however often you check.</p>\n"
          "<p><a class=button href=\"/journal/new\">Plan a new test</a></p>\n",
          o);
    if (st != SL_OK) {
        fputs("<p class=error>", o);
        html(o, err.message);
        fputs("</p>", o);
    }
    size_t open = 0;
    for (size_t i = 0; i < n; i++)
        open += !tests[i].closed;
    fprintf(o, "<h2>Open tests (%zu)</h2>\n", open);
    if (!open)
        fputs("<p>None open.</p>\n", o);
    /* Newest first within each group. */
    for (size_t i = n; i-- > 0;)
        if (!tests[i].closed)
            test_summary(o, &tests[i]);
    fprintf(o, "<h2>Closed tests (%zu)</h2>\n", n - open);
    for (size_t i = n; i-- > 0;)
        if (tests[i].closed)
            test_summary(o, &tests[i]);
    sl_journal_tests_free(tests, n);
    page_end(&p, res, st == SL_OK ? 200 : 500);
}

/* ---- one test ---- */

static void looks_table(FILE *o, const sl_journal_test *t)
{
    if (!t->look_count)
        return;
    fprintf(o, "<h2>Looks</h2><div class=wide><table><thead><tr><th class=n>#</th><th>Taken "
               "(UTC)</th><th>From</th><th class=n>%s</th><th class=n>%s</th><th class=n>Rate</th>"
               "<th class=n>mSPRT p</th><th class=n>Always-valid p</th><th>Verdict</th></tr>"
               "</thead><tbody>",
            trials_word(t->metric), successes_word(t->metric));
    for (size_t i = 0; i < t->look_count; i++) {
        const sl_journal_look *l = &t->looks[i];
        sl_compare_result c;
        bool ok = sl_journal_verdict(t, i, &c, NULL) == SL_OK;
        fprintf(o, "<tr><td class=n>%u</td><td>", l->seq);
        html(o, l->taken_at);
        fputs("</td><td>", o);
        if (l->after_video[0]) {
            html(o, l->after_video);
            fprintf(o, "<br><small>import #%lld</small>", (long long)l->after_import);
        } else {
            fputs("typed", o);
        }
        fprintf(o, "</td><td class=n>%llu</td><td class=n>%llu</td><td class=n>%.2f%%</td>"
                   "<td class=n>%.3g</td><td class=n>%.3g</td><td>",
                (unsigned long long)l->after.trials, (unsigned long long)l->after.successes,
                l->after.trials ? 100.0 * (double)l->after.successes / (double)l->after.trials
                                : 0.0,
                l->p_look, l->p_always_valid);
        if (ok)
            fprintf(o, "<span class=\"verdict v-%s\">%s</span>", sl_compare_verdict_name(c.verdict),
                    sl_compare_verdict_name(c.verdict));
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table></div>\n", o);
}

static void look_form(FILE *o, web_request *req, const sl_journal_test *t)
{
    fprintf(o, "<form class=card method=post action=\"/journal/%lld/look\"><h2>Add a look</h2>"
               "<p>Give the after-video's imported ID (its newest import is used) or its counts "
               "so far.</p><div class=grid>",
            (long long)t->id);
    csrf_input(o, req);
    fputs("<div><label for=f-after-video>After-video ID</label><input type=text "
          "id=f-after-video name=after-video></div>",
          o);
    fprintf(o, "<div><label for=f-after-trials>%s so far</label><input type=text "
               "inputmode=numeric id=f-after-trials name=after-trials></div>"
               "<div><label for=f-after-successes>%s so far</label><input type=text "
               "inputmode=numeric id=f-after-successes name=after-successes></div>",
            trials_word(t->metric), successes_word(t->metric));
    fputs("</div><p><button type=submit>Add the look</button></p></form>\n", o);
}

static void close_form(FILE *o, web_request *req, const sl_journal_test *t)
{
    fprintf(o, "<form class=card method=post action=\"/journal/%lld/close\"><h2>Close the test"
               "</h2>",
            (long long)t->id);
    csrf_input(o, req);
    fputs("<div><label for=f-outcome>Outcome</label><select id=f-outcome name=outcome>"
          "<option value=b-better>B (after) is better</option>"
          "<option value=a-better>A (before) is better</option>"
          "<option value=no-clear-difference>No clear difference</option>"
          "<option value=abandoned>Abandoned</option></select></div>"
          "<div><label for=f-lesson>Lesson <span class=hint>(in your words)</span></label>"
          "<textarea id=f-lesson name=lesson rows=2 maxlength=600 required></textarea></div>"
          "<p><button type=submit>Close the test</button></p></form>\n",
          o);
}

static void test_page(web_request *req, web_response *res, int64_t id, int status,
                      const char *error)
{
    sl_journal_test t;
    memset(&t, 0, sizeof t);
    sl_error err;
    sl_status st = sl_journal_get(web_store(req->server), id, &t, &err);
    if (st != SL_OK) {
        respond_error_page(req, res, web_http_status(st), "Test not found", err.message);
        return;
    }
    web_page p;
    char title[64];
    snprintf(title, sizeof title, "Test #%lld", (long long)id);
    if (!page_begin(&p, req, title, "journal")) {
        sl_journal_test_clear(&t);
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fprintf(o, "<p><a href=\"/journal\">Journal</a> › #%lld</p>\n<h1>Test #%lld: ",
            (long long)id, (long long)id);
    html(o, t.change);
    fputs("</h1>\n", o);
    const char *forced = web_param(req, "forced");
    if (forced && strcmp(forced, "1") == 0)
        fputs("<p class=practice>Opened beside another open test on the same creator and "
              "metric: two changes tested at once cannot be told apart.</p>\n",
              o);
    if (error) {
        fputs("<p class=error role=alert>", o);
        html(o, error);
        fputs("</p>\n", o);
    }
    fprintf(o, "<dl class=facts><dt>Status</dt><dd>%s%s</dd><dt>Step</dt><dd>%s</dd>"
               "<dt>Metric</dt><dd>%s (%s / %s)</dd>",
            t.closed ? "closed: " : (t.look_count ? "open, plan frozen" : "open"),
            t.closed ? sl_journal_outcome_name(t.outcome) : "", sl_loop_step_name(t.step),
            metric_label(t.metric), successes_word(t.metric), trials_word(t.metric));
    fputs("<dt>Hypothesis</dt><dd>", o);
    html(o, t.hypothesis);
    fputs("</dd>", o);
    if (t.expectation[0]) {
        fputs("<dt>Expected (before any result)</dt><dd>", o);
        html(o, t.expectation);
        fputs("</dd>", o);
    }
    fputs("<dt>Before-video</dt><dd>", o);
    if (t.before_video[0]) {
        html(o, t.before_video);
        fprintf(o, " (import #%lld): ", (long long)t.before_import);
    }
    fprintf(o, "%llu %s / %llu %s = %.2f%%</dd>", (unsigned long long)t.before.successes,
            successes_word(t.metric), (unsigned long long)t.before.trials,
            trials_word(t.metric),
            t.before.trials ? 100.0 * (double)t.before.successes / (double)t.before.trials : 0.0);
    fprintf(o, "<dt>Plan</dt><dd>detect a %.0f%% change either way; ", t.mde * 100);
    progress_text(o, &t);
    fprintf(o, "; &tau;&sup2; %.3g, fixed</dd></dl>\n", t.tau2);
    if (!t.closed)
        latest_verdict(o, &t);
    p_chart(o, &t);
    looks_table(o, &t);
    if (t.closed) {
        fprintf(o, "<h2>Closed %s: %s</h2><p>Lesson: ", t.closed_at,
                sl_journal_outcome_name(t.outcome));
        html(o, t.lesson);
        fputs("</p>\n", o);
    } else {
        look_form(o, req, &t);
        close_form(o, req, &t);
    }
    fprintf(o, "<p><a href=\"/api/journal/%lld\">This test as JSON</a></p>\n", (long long)id);
    sl_journal_test_clear(&t);
    page_end(&p, res, status);
}

static void add_look(web_request *req, web_response *res, int64_t id)
{
    sl_journal_look_input in = {0};
    sl_error err;
    sl_error_clear(&err);
    const char *video = web_param(req, "after-video");
    bool set_t, set_s;
    double t = 0, s = 0;
    sl_status st = param_count(req, "after-trials", "After-video trials", &set_t, &t, &err);
    if (st == SL_OK)
        st = param_count(req, "after-successes", "After-video successes", &set_s, &s, &err);
    if (st == SL_OK) {
        if (video && *video)
            in.after_video = video;
        else if (set_t && set_s)
            in.after = (sl_arm){.trials = (uint64_t)t, .successes = (uint64_t)s};
        else
            st = sl_fail_web(&err, SL_ERR_INVALID_ARGUMENT,
                             "give the after-video's ID, or both of its counts so far");
    }
    sl_journal_test out;
    memset(&out, 0, sizeof out);
    if (st == SL_OK) {
        st = sl_journal_add_look(web_store(req->server), id, &in, &out, NULL, &err);
        sl_journal_test_clear(&out);
    }
    if (st != SL_OK) {
        test_page(req, res, id, web_http_status(st), err.message);
        return;
    }
    char to[64];
    snprintf(to, sizeof to, "/journal/%lld", (long long)id);
    respond_redirect(res, to);
}

static void close_test(web_request *req, web_response *res, int64_t id)
{
    static const sl_journal_outcome outcomes[] = {SL_OUTCOME_B_BETTER, SL_OUTCOME_A_BETTER,
                                                  SL_OUTCOME_NO_CLEAR_DIFFERENCE,
                                                  SL_OUTCOME_ABANDONED};
    const char *text = web_param(req, "outcome");
    sl_error err;
    sl_error_clear(&err);
    sl_status st = SL_ERR_INVALID_ARGUMENT;
    sl_journal_outcome outcome = SL_OUTCOME_ABANDONED;
    for (size_t i = 0; i < 4; i++)
        if (text && strcmp(text, sl_journal_outcome_name(outcomes[i])) == 0) {
            outcome = outcomes[i];
            st = SL_OK;
        }
    if (st != SL_OK)
        sl_fail_web(&err, st, "choose an outcome: b-better, a-better, no-clear-difference or "
                              "abandoned");
    sl_journal_test out;
    memset(&out, 0, sizeof out);
    if (st == SL_OK) {
        st = sl_journal_close(web_store(req->server), id, outcome, web_param(req, "lesson"),
                              NULL, &out, &err);
        sl_journal_test_clear(&out);
    }
    if (st != SL_OK) {
        test_page(req, res, id, web_http_status(st), err.message);
        return;
    }
    char to[64];
    snprintf(to, sizeof to, "/journal/%lld", (long long)id);
    respond_redirect(res, to);
}

/* ---- API ---- */

static void api_list(web_request *req, web_response *res)
{
    sl_journal_test *tests = NULL;
    size_t n = 0;
    sl_error err;
    sl_status st = sl_journal_list(web_store(req->server), SL_JOURNAL_ALL, &tests, &n, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_journal_list_to_json(tests, n));
    sl_journal_tests_free(tests, n);
}

static void api_test(web_request *req, web_response *res, int64_t id)
{
    sl_journal_test t;
    memset(&t, 0, sizeof t);
    sl_error err;
    sl_status st = sl_journal_get(web_store(req->server), id, &t, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_journal_test_to_json(&t));
    sl_journal_test_clear(&t);
}

bool route_journal(web_request *req, web_response *res)
{
    const char *path = req->path, *rest;
    int64_t id;
    bool post = strcmp(req->method, "POST") == 0;
    if (strcmp(path, "/journal") == 0) {
        if (post)
            save_plan(req, res);
        else
            journal_index(req, res);
        return true;
    }
    if (strcmp(path, "/journal/new") == 0) {
        plan_page(req, res, 200, NULL, NULL);
        return true;
    }
    if (strncmp(path, "/journal/", 9) == 0) {
        if (!path_id(path + 9, &id, &rest))
            respond_error_page(req, res, 404, "Test not found", "There is no such test.");
        else if (!*rest && !post)
            test_page(req, res, id, 200, NULL);
        else if (strcmp(rest, "/look") == 0 && post)
            add_look(req, res, id);
        else if (strcmp(rest, "/close") == 0 && post)
            close_test(req, res, id);
        else {
            respond_error_page(req, res, 405, "Method not allowed",
                               "This address does not take that kind of request.");
            res->allow = *rest ? "POST" : "GET, HEAD";
        }
        return true;
    }
    if (strcmp(path, "/api/journal") == 0) {
        api_list(req, res);
        return true;
    }
    if (strncmp(path, "/api/journal/", 13) == 0) {
        if (path_id(path + 13, &id, &rest) && !*rest)
            api_test(req, res, id);
        else
            respond_json_simple_error(res, 404, "not_found", "there is no such test");
        return true;
    }
    return false;
}
