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

#include <ctype.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *trials_word(sl_metric m)
{
    return sl_metric_rate(m)->trials;
}

static const char *successes_word(sl_metric m)
{
    return sl_metric_rate(m)->successes;
}

static const char *metric_label(sl_metric m)
{
    return sl_metric_rate(m)->label;
}

/* ---- reading the plan form ---- */

typedef struct plan_form {
    sl_journal_plan_input in;
    bool has_before;           /* a before-video or both typed counts */
} plan_form;

static sl_status read_plan_form(const web_request *req, plan_form *f, sl_error *err)
{
    memset(f, 0, sizeof *f);
    f->in.reader = web_reader(req);
    const char *metric = web_param(req, "metric");
    f->in.metric = SL_METRIC_CTR;
    sl_metric_parse(metric, &f->in.metric);
    const char *step = web_param(req, "step");
    f->in.step = SL_LOOP_TAG;
    for (int s = 0; s < SL_LOOP__COUNT; s++)
        if (step && strcmp(step, sl_loop_step_name((sl_loop_step)s)) == 0)
            f->in.step = (sl_loop_step)s;
    f->in.change = web_param(req, "change");
    /* The kind of change groups tests in the team lessons; left to guess,
     * it comes from the change's words as on the command line. */
    const char *tag = web_param(req, "tag");
    f->in.tag = sl_change_tag_suggest(f->in.change);
    if (tag && *tag && !sl_change_tag_parse(tag, &f->in.tag)) {
        sl_status bad = web_fail(err, SL_ERR_INVALID_ARGUMENT,
                                 "choose the kind of change from the list");
        err->field = "tag";
        return bad;
    }
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
        st = web_video_check((web_request *)req, video, "before-video", NULL, err);
        if (st != SL_OK)
            return st;
        f->in.before_video = video;
        f->has_before = true;
    } else if (set_t && set_s) {
        f->in.before = (sl_arm){.trials = (uint64_t)t, .successes = (uint64_t)s};
        f->has_before = true;
    } else if (set_t || set_s) {
        return web_fail(err, SL_ERR_INVALID_ARGUMENT,
                        "give both the before-video's trials and successes, or its ID");
    }
    return web_plan_creator_check((web_request *)req, f->in.creator, f->in.before_video, err);
}

/* The form field an error is about ("before" and "after" are the library's
 * names for typed counts), or NULL when it is about none. */
static const char *field_of(const sl_error *err)
{
    if (!err || !err->field)
        return NULL;
    if (strcmp(err->field, "before") == 0)
        return "before-trials";
    if (strcmp(err->field, "after") == 0)
        return "after-trials";
    static const char *const names[] = {"change", "tag", "hypothesis", "expect", "creator",
                                        "before-video", "before-trials", "before-successes",
                                        "mde", "after-video", "after-trials", "after-successes",
                                        "lesson", "outcome"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(err->field, names[i]) == 0)
            return names[i];
    return NULL;
}

static const char *msg_for(const sl_error *err, const char *name)
{
    const char *f = field_of(err);
    return f && strcmp(f, name) == 0 ? err->message : NULL;
}

/* The sample the after-video would need, for the form's preview, as the
 * page's answer region; false when the before-video cannot be used (the
 * reason is shown in the region instead). */
static bool sample_preview(FILE *o, web_server *s, const plan_form *f)
{
    sl_arm a = f->in.before;
    char source[160] = "";
    if (f->in.before_video) {
        sl_video_counts vc;
        sl_error err;
        sl_status st = sl_store_video_visible(web_store(s), f->in.before_video, f->in.reader,
                                              &vc, &err);
        if (st != SL_OK) {
            result_error(o, err.message, "before-video", "Imported video ID");
            return false;
        }
        sl_field tf = sl_metric_rate(f->in.metric)->trials_field;
        sl_field sf = sl_metric_rate(f->in.metric)->successes_field;
        double t = 0, x = 0;
        if (!sl_funnel_get(&vc.funnel, tf, &t) || !sl_funnel_get(&vc.funnel, sf, &x)) {
            char msg[200];
            snprintf(msg, sizeof msg, "Import #%lld has no %s or %s for this video.",
                     (long long)vc.import_id, trials_word(f->in.metric),
                     successes_word(f->in.metric));
            result_error(o, msg, "before-video", "Imported video ID");
            return false;
        }
        a = (sl_arm){.trials = (uint64_t)t, .successes = (uint64_t)x};
        snprintf(source, sizeof source, " (from import #%lld)", (long long)vc.import_id);
    }
    if (!a.trials || !a.successes || a.successes > a.trials) {
        char msg[200];
        snprintf(msg, sizeof msg, "The before-video needs some %s out of its %s to size a test "
                 "on a relative change.", successes_word(f->in.metric), trials_word(f->in.metric));
        result_error(o, msg, f->in.before_video ? "before-video" : "before-successes",
                     f->in.before_video ? "Imported video ID" : "Before-video counts");
        return false;
    }
    double rate = (double)a.successes / (double)a.trials;
    double mde = f->in.mde > 0 ? f->in.mde : 0.2;
    uint64_t need = 0;
    double real = 0, smallest = NAN;
    sl_status st = sl_sample_size_fixed_a(a.trials, rate, mde, 0.05, 0.8, &need, &real, &smallest);
    result_begin(o, "card");
    fprintf(o, "<h2 id=result-h>Sample needed</h2><p>Before-video%s: ", source);
    num_count(o, (double)a.successes);
    fprintf(o, " %s out of ", successes_word(f->in.metric));
    num_count(o, (double)a.trials);
    fprintf(o, " %s = ", trials_word(f->in.metric));
    num_percent(o, rate);
    fprintf(o, " %s.</p><p class=verdict-sentence>", metric_label(f->in.metric));
    if (st == SL_OK) {
        fprintf(o, "To detect a %.0f%% change either way, the after-video needs <b>", mde * 100);
        num_count(o, (double)need);
        fprintf(o, " %s</b>.", trials_word(f->in.metric));
    } else if (st == SL_ERR_INFEASIBLE) {
        fprintf(o, "A %.0f%% change <b>cannot be detected with this before-video</b>, however "
                   "long the after-video runs; the smallest change it can detect is %.0f%%.",
                mde * 100, smallest * 100);
    } else {
        fputs("The sample cannot be computed for these numbers.", o);
    }
    fputs("</p><p class=hint>Check the plan below; Save keeps exactly what the form shows.</p>",
          o);
    result_end(o);
    return true;
}

/* True when any field of the plan form came with the request (a submit,
 * or a link such as compare's "save this as a test"), so that an empty or
 * half-filled submit is answered rather than shown again silently. */
static bool plan_submitted(const web_request *req)
{
    static const char *const names[] = {"change", "hypothesis", "before-video", "before-trials",
                                        "before-successes"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (web_param(req, names[i]))
            return true;
    return false;
}

/* The plan form's fields, each marked when `shown` is about it. */
static void plan_fields(FILE *o, const web_request *req, const plan_form *f,
                        const sl_error *shown)
{
    const char *steps[SL_LOOP__COUNT], *step_labels[SL_LOOP__COUNT];
    for (int s = 0; s < SL_LOOP__COUNT; s++) {
        steps[s] = sl_loop_step_name((sl_loop_step)s);
        step_labels[s] = sl_loop_step_label((sl_loop_step)s);
    }
    static const char *const metrics[] = {"ctr", "ctor"};
    static const char *const metric_labels[] = {
        "Product CTR (product clicks / product impressions)", "CTOR (orders / product clicks)"};
    bool ctr = f->in.metric == SL_METRIC_CTR;
    fputs("<div class=grid>", o);
    form_choice(o, req, "step", "Loop step", steps, step_labels, SL_LOOP__COUNT, NULL);
    form_choice(o, req, "metric", "Metric", metrics, metric_labels, 2, NULL);
    form_field_error(o, req, "mde", "Smallest change worth detecting", "default 20%", FORM_TEXT,
                     msg_for(shown, "mde"));
    fputs("</div>", o);
    form_field_error(o, req, "change", "The one change", "one sentence", FORM_AREA,
                     msg_for(shown, "change"));
    /* The library's tags, "other" last, after the choice to let it guess. */
    const char *tags[SL_TAG__COUNT + 1] = {""}, *tag_labels[SL_TAG__COUNT + 1] = {
                                                    "Guess from the change's words"};
    char capital[SL_TAG__COUNT][32];
    for (int t = 0; t < SL_TAG__COUNT; t++) {
        sl_change_tag tag = (sl_change_tag)((t + 1) % SL_TAG__COUNT); /* other (0) last */
        snprintf(capital[t], sizeof capital[t], "%s", sl_change_tag_label(tag));
        capital[t][0] = (char)toupper((unsigned char)capital[t][0]);
        tags[t + 1] = sl_change_tag_name(tag);
        tag_labels[t + 1] = capital[t];
    }
    form_choice(o, req, "tag", "Kind of change", tags, tag_labels, SL_TAG__COUNT + 1,
                msg_for(shown, "tag"));
    form_field_error(o, req, "hypothesis", "Hypothesis", "what it should move, and why",
                     FORM_AREA, msg_for(shown, "hypothesis"));
    form_field_error(o, req, "expect", "What you expect", "written before any result (optional)",
                     FORM_AREA, msg_for(shown, "expect"));
    fputs("<h2>Before-video</h2><div class=grid>", o);
    form_field_error(o, req, "before-video", "Imported video ID", "or type its counts",
                     FORM_TEXT, msg_for(shown, "before-video"));
    form_field_error(o, req, "before-trials", ctr ? "Product impressions" : "Product clicks",
                     ctr ? "(product clicks for CTOR)" : NULL, FORM_NUMBER,
                     msg_for(shown, "before-trials"));
    form_field_error(o, req, "before-successes", ctr ? "Product clicks" : "Orders",
                     ctr ? "(orders for CTOR)" : NULL, FORM_NUMBER,
                     msg_for(shown, "before-successes"));
    form_field_error(o, req, "creator", "Creator", "optional; taken from the import", FORM_TEXT,
                     msg_for(shown, "creator"));
    fputs("</div>", o);
}

static void plan_page(web_request *req, web_response *res, int status, const sl_error *error)
{
    plan_form f;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_plan_form(req, &f, &err);
    if (st == SL_OK && !error && plan_submitted(req) && !f.has_before) {
        st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                      "Give the before-video: its imported video ID, or its %s and %s.",
                      trials_word(f.in.metric), successes_word(f.in.metric));
        err.field = "before-video";
        status = 400;
    }
    const sl_error *shown = error ? error : st != SL_OK ? &err : NULL;
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
    bool previewed = false;
    if (shown) {
        const char *field = field_of(shown);
        bool open = shown->field && strcmp(shown->field, "open") == 0;
        result_error(o, open ? "Another test on the same creator and metric is still open. Two "
                               "changes tested at once cannot be told apart: close the open "
                               "test first, or tick “open it even beside another open test” "
                               "below."
                             : shown->message,
                     open ? "force" : field, open ? "the “open it anyway” box" : "the marked field");
    } else if (f.has_before) {
        previewed = sample_preview(o, req->server, &f);
    }
    /* Before a preview the form asks for the sample (GET: a plain address,
     * no token in it).  After one it is the form that saves, POSTing the
     * fields as they are on screen, so an edit made after the preview is
     * what is saved; "show the sample again" re-previews the edited fields
     * through the same POST. */
    bool saving = previewed || (error != NULL && f.has_before);
    if (saving) {
        fputs("<form class=card method=post action=\"/journal#result\">", o);
        csrf_input(o, req);
    } else {
        fputs("<form class=card method=get action=\"/journal/new#result\">", o);
    }
    plan_fields(o, req, &f, shown);
    if (saving) {
        const char *force = web_param(req, "force");
        fprintf(o, "<p><label><input type=checkbox id=f-force name=force value=1%s> Open it even "
                   "beside another open test on the same creator and metric</label></p>"
                   "<p class=buttons><button type=submit>Save the plan</button> "
                   "<button type=submit class=secondary name=do value=preview>Show the sample "
                   "again</button></p></form>\n",
                force && *force ? " checked" : "");
    } else {
        fputs("<p><button type=submit>Show the sample needed</button></p></form>\n", o);
    }
    page_end(&p, res, status);
}

void journal_save_plan(web_request *req, web_response *res)
{
    const char *action = web_param(req, "do");
    if (action && strcmp(action, "preview") == 0) {
        plan_page(req, res, 200, NULL);
        return;
    }
    plan_form f;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = read_plan_form(req, &f, &err);
    if (st == SL_OK && !f.has_before) {
        st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                      "Give the before-video: its imported video ID, or its %s and %s.",
                      trials_word(f.in.metric), successes_word(f.in.metric));
        err.field = "before-video";
    }
    sl_journal_test t;
    memset(&t, 0, sizeof t);
    if (st == SL_OK) {
        st = sl_journal_plan(web_store(req->server), &f.in, &t, &err);
    }
    if (st != SL_OK) {
        plan_page(req, res, web_http_status(st), &err);
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
        fprintf(o, "the planned change cannot be detected with this before-video (smallest: "
                   "%.0f%%)",
                t->min_detectable_lift * 100);
        return;
    }
    double share = t->b_needed ? (double)have / (double)t->b_needed : 1;
    fprintf(o, "<progress max=\"%llu\" value=\"%llu\" aria-label=\"progress toward the planned "
               "sample\"></progress> ",
            (unsigned long long)t->b_needed,
            (unsigned long long)(have < t->b_needed ? have : t->b_needed));
    num_count(o, (double)have);
    fputs(" of ", o);
    num_count(o, (double)t->b_needed);
    fprintf(o, " %s (%.0f%%)", trials_word(t->metric), share * 100 < 100 ? share * 100 : 100);
}

/* The latest look's verdict word and sentence (the list shows these; the
 * test's page adds the numbers under a disclosure). */
static bool latest(const sl_journal_test *t, sl_compare_result *c)
{
    return t->look_count && sl_journal_verdict(t, t->look_count - 1, c, NULL) == SL_OK;
}

static void latest_verdict_short(FILE *o, const web_request *req, const sl_journal_test *t)
{
    sl_compare_result c;
    if (!t->look_count) {
        fputs("<p>No look yet: post the after-video, then add a look.</p>", o);
        return;
    }
    if (!latest(t, &c))
        return;
    char cls[64];
    snprintf(cls, sizeof cls, "verdict v-%s", sl_compare_verdict_name(c.verdict));
    fputs("<p class=verdict-word>", o);
    term_link(o, req, sl_compare_verdict_name(c.verdict), verdict_words(c.verdict), cls);
    fputs("</p><p>", o);
    html(o, c.verdict_text);
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
    double alpha = t->alpha > 0 ? t->alpha : 0.05;
    /* The line is where the test is called at any look: the always-valid
     * route's share of alpha (docs/statistics.md). */
    fputs("<figure class=pchart><figcaption>Always-valid p at each look (log scale); below the "
          "dashed line the test is called</figcaption>",
          o);
    svg_p_series(o, p, n, alpha * SL_ALPHA_SHARE_ALWAYS_VALID);
    fputs("</figure>", o);
}

static void test_summary(FILE *o, const web_request *req, const sl_journal_test *t)
{
    fprintf(o, "<section class=card><h3><a href=\"/journal/%lld\">Test #%lld</a>: ",
            (long long)t->id, (long long)t->id);
    html(o, t->change);
    fprintf(o, "</h3><p><small>%s · %s", sl_loop_step_label(t->step), metric_label(t->metric));
    if (t->creator[0]) {
        fputs(" · creator ", o);
        html(o, t->creator);
    }
    fputs(" · planned ", o);
    time_utc(o, t->planned_at);
    fputs("</small></p>", o);
    if (t->closed) {
        fprintf(o, "<p>Closed: <b>%s</b>. Lesson: ", sl_journal_outcome_label(t->outcome));
        html(o, t->lesson);
        fputs("</p>", o);
    } else {
        latest_verdict_short(o, req, t);
        fputs("<p>", o);
        progress_text(o, t);
        fputs("</p>", o);
        p_chart(o, t);
    }
    fputs("</section>\n", o);
}

void journal_index(web_request *req, web_response *res)
{
    sl_journal_test *tests = NULL;
    size_t n = 0;
    sl_error err;
    sl_status st = web_journal_list(req, SL_JOURNAL_ALL, &tests, &n, &err);
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
            test_summary(o, req, &tests[i]);
    fprintf(o, "<h2>Closed tests (%zu)</h2>\n", n - open);
    for (size_t i = n; i-- > 0;)
        if (tests[i].closed)
            test_summary(o, req, &tests[i]);
    sl_journal_tests_free(tests, n);
    page_end(&p, res, st == SL_OK ? 200 : 500);
}

/* ---- one test ---- */

/* One row per look; on a phone each row stacks into label/value lines
 * (class stack), so nothing is cut off at 390 px. */
static void looks_table(FILE *o, const web_request *req, const sl_journal_test *t)
{
    if (!t->look_count)
        return;
    const char *tw = sl_metric_rate(t->metric)->trials_heading;
    const char *sw = sl_metric_rate(t->metric)->successes_heading;
    fprintf(o, "<h2 id=looks-h>Looks</h2><table class=\"stack looks\" aria-labelledby=looks-h>"
               "<thead><tr><th class=n>#</th><th>Taken</th><th>From</th><th class=n>%s</th>"
               "<th class=n>%s</th><th class=n>%s</th><th class=n>",
            tw, sw, metric_label(t->metric));
    term_link(o, req, "always-valid-p", "Always-valid p", NULL);
    fputs("</th><th>Verdict</th></tr></thead><tbody>", o);
    for (size_t i = 0; i < t->look_count; i++) {
        const sl_journal_look *l = &t->looks[i];
        sl_compare_result c;
        bool ok = sl_journal_verdict(t, i, &c, NULL) == SL_OK;
        fprintf(o, "<tr><td class=n data-label=\"Look\">%u</td><td data-label=\"Taken\">", l->seq);
        time_utc(o, l->taken_at);
        fputs("</td><td data-label=\"From\">", o);
        if (l->after_video[0]) {
            html(o, l->after_video);
            fprintf(o, " <small>import #%lld</small>", (long long)l->after_import);
        } else {
            fputs("typed counts", o);
        }
        fprintf(o, "</td><td class=n data-label=\"%s\">", tw);
        num_count(o, (double)l->after.trials);
        fprintf(o, "</td><td class=n data-label=\"%s\">", sw);
        num_count(o, (double)l->after.successes);
        fprintf(o, "</td><td class=n data-label=\"%s\">", metric_label(t->metric));
        num_percent(o, l->after.trials ? (double)l->after.successes / (double)l->after.trials
                                       : 0.0);
        fprintf(o, "</td><td class=\"n avp\" data-label=\"Always-valid p\">%.3g</td>"
                   "<td data-label=\"Verdict\">",
                l->p_always_valid);
        if (ok)
            fprintf(o, "<span class=\"verdict v-%s\">%s</span>",
                    sl_compare_verdict_name(c.verdict), verdict_words(c.verdict));
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table>\n", o);
}

static void look_form(FILE *o, web_request *req, const sl_journal_test *t, const sl_error *err)
{
    fprintf(o, "<form class=card method=post action=\"/journal/%lld/look#result\"><h2>Add a "
               "look</h2><p>Give the after-video's imported ID (its newest import is used) or its "
               "counts so far.</p>",
            (long long)t->id);
    csrf_input(o, req);
    fputs("<div class=grid>", o);
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s so far", sl_metric_rate(t->metric)->trials_heading);
    snprintf(l2, sizeof l2, "%s so far", sl_metric_rate(t->metric)->successes_heading);
    form_field_error(o, req, "after-video", "After-video ID", NULL, FORM_TEXT,
                     msg_for(err, "after-video"));
    form_field_error(o, req, "after-trials", l1, NULL, FORM_NUMBER, msg_for(err, "after-trials"));
    form_field_error(o, req, "after-successes", l2, NULL, FORM_NUMBER,
                     msg_for(err, "after-successes"));
    fputs("</div><p><button type=submit>Add the look</button></p></form>\n", o);
}

/* The outcome that matches the data's verdict is preselected; with no
 * verdict yet (too early, or no look) nothing is, so closing is a choice
 * the creator makes on purpose. */
static void close_form(FILE *o, web_request *req, const sl_journal_test *t, const sl_error *err)
{
    sl_compare_result c;
    const char *match = "";
    if (latest(t, &c) && c.verdict != SL_COMPARE_TOO_EARLY)
        match = sl_compare_verdict_name(c.verdict); /* the same names as the outcomes */
    const char *typed = web_param(req, "outcome");
    const char *sel = typed ? typed : match;
    fprintf(o, "<form class=card method=post action=\"/journal/%lld/close#result\"><h2>Close "
               "the test</h2>",
            (long long)t->id);
    csrf_input(o, req);
    if (!*match)
        fputs("<p class=hint>The data has no verdict yet: the outcome you choose is your "
              "reading, not the data's.</p>",
              o);
    const char *bad = msg_for(err, "outcome");
    fprintf(o, "<div%s><label for=f-outcome>Outcome</label>", bad ? " class=invalid" : "");
    if (bad) {
        fputs("<p class=field-msg id=f-outcome-msg>", o);
        html(o, bad);
        fputs("</p>", o);
    }
    fprintf(o, "<select id=f-outcome name=outcome%s>",
            bad ? " aria-invalid=true aria-describedby=f-outcome-msg" : "");
    fprintf(o, "<option value=\"\"%s>Choose the outcome</option>", sel[0] ? "" : " selected");
    for (int i = 0; i <= SL_OUTCOME_ABANDONED; i++) {
        const char *value = sl_journal_outcome_name((sl_journal_outcome)i);
        fprintf(o, "<option value=\"%s\"%s>%s</option>", value,
                strcmp(sel, value) == 0 ? " selected" : "",
                sl_journal_outcome_label((sl_journal_outcome)i));
    }
    fputs("</select></div>", o);
    form_field_error(o, req, "lesson", "Lesson", "(in your words)", FORM_AREA,
                     msg_for(err, "lesson"));
    fputs("<p><button type=submit>Close the test</button></p></form>\n", o);
}

/* The answer first: the outcome of a closed test, else the latest verdict
 * with its sentence; it is the page's #result (where a look lands) unless a
 * form came back with an error, which then is. */
static void test_answer(FILE *o, const web_request *req, const sl_journal_test *t,
                        const sl_error *error)
{
    if (t->closed) {
        if (!error)
            result_begin(o, "journal-result");
        fprintf(o, "<h2%s>Closed: %s</h2><p class=verdict-sentence>Lesson: ",
                error ? "" : " id=result-h", sl_journal_outcome_label(t->outcome));
        html(o, t->lesson);
        fputs("</p><p><small>closed ", o);
        time_utc(o, t->closed_at);
        fputs("</small></p>", o);
        if (!error)
            result_end(o);
    }
    sl_compare_result c;
    if (latest(t, &c)) {
        bool region = !error && !t->closed;
        if (region)
            result_begin(o, "journal-result");
        fprintf(o, "<h2%s>Latest verdict (look %zu of %zu)</h2>\n", region ? " id=result-h" : "",
                t->look_count, t->look_count);
        verdict_block(o, req, &c);
        if (region)
            result_end(o);
    } else if (!t->closed) {
        fputs("<p>No look yet: post the after-video, then add a look below.</p>\n", o);
    }
}

/* The plan as it was frozen: status, step, metric, hypothesis, the
 * before-video's counts and the sample planned. */
static void test_plan(FILE *o, const sl_journal_test *t)
{
    fputs("<h2>The plan</h2>", o);
    fprintf(o, "<dl class=facts><dt>Status</dt><dd>%s%s</dd><dt>Step</dt><dd>%s</dd>"
               "<dt>Kind of change</dt><dd>%s</dd><dt>Metric</dt><dd>%s (%s / %s)</dd>",
            t->closed ? "closed: " : (t->look_count ? "open, plan frozen" : "open"),
            t->closed ? sl_journal_outcome_label(t->outcome) : "", sl_loop_step_label(t->step),
            sl_change_tag_label(t->tag), metric_label(t->metric), successes_word(t->metric),
            trials_word(t->metric));
    fputs("<dt>Hypothesis</dt><dd>", o);
    html(o, t->hypothesis);
    fputs("</dd>", o);
    if (t->expectation[0]) {
        fputs("<dt>Expected (before any result)</dt><dd>", o);
        html(o, t->expectation);
        fputs("</dd>", o);
    }
    fputs("<dt>Planned</dt><dd>", o);
    time_utc(o, t->planned_at);
    fputs("</dd><dt>Before-video</dt><dd>", o);
    if (t->before_video[0]) {
        html(o, t->before_video);
        fprintf(o, " (import #%lld): ", (long long)t->before_import);
    }
    num_count(o, (double)t->before.successes);
    fprintf(o, " %s / ", successes_word(t->metric));
    num_count(o, (double)t->before.trials);
    fprintf(o, " %s = ", trials_word(t->metric));
    num_percent(o, t->before.trials ? (double)t->before.successes / (double)t->before.trials : 0.0);
    fprintf(o, "</dd><dt>Plan</dt><dd>detect a %.0f%% change either way; ", t->mde * 100);
    progress_text(o, t);
    fputs("</dd></dl>\n", o);
}

static void test_page(web_request *req, web_response *res, int64_t id, int status,
                      const sl_error *error, const char *error_form)
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
    test_answer(o, req, &t, error);
    test_plan(o, &t);
    p_chart(o, &t);
    looks_table(o, req, &t);
    if (!t.closed) {
        /* An error goes right above the form it came from. */
        bool look_err = error && (!error_form || strcmp(error_form, "look") == 0);
        if (look_err)
            result_error(o, error->message, field_of(error), "the marked field");
        look_form(o, req, &t, look_err ? error : NULL);
        bool close_err = error && error_form && strcmp(error_form, "close") == 0;
        if (close_err)
            result_error(o, error->message, field_of(error), "the marked field");
        close_form(o, req, &t, close_err ? error : NULL);
    } else if (error) {
        result_error(o, error->message, NULL, NULL);
    }
    fprintf(o, "<p><a href=\"/api/journal/%lld\">This test as JSON</a></p>\n", (long long)id);
    sl_journal_test_clear(&t);
    page_end(&p, res, status);
}

void journal_look(web_request *req, web_response *res)
{
    int64_t id = req->id;
    sl_journal_look_input in = {.reader = web_reader(req)};
    sl_error err;
    sl_error_clear(&err);
    const char *video = web_param(req, "after-video");
    bool set_t, set_s;
    double t = 0, s = 0;
    sl_status st = param_count(req, "after-trials", "After-video counts", &set_t, &t, &err);
    if (st == SL_OK)
        st = param_count(req, "after-successes", "After-video counts", &set_s, &s, &err);
    if (st == SL_OK) {
        if (video && *video) {
            in.after_video = video;
            st = web_video_check(req, video, "after-video", NULL, &err);
        }
        else if (set_t && set_s)
            in.after = (sl_arm){.trials = (uint64_t)t, .successes = (uint64_t)s};
        else {
            st = web_fail(&err, SL_ERR_INVALID_ARGUMENT,
                          "Give the after-video's ID, or both of its counts so far.");
            err.field = set_t ? "after-successes" : set_s ? "after-trials" : "after-video";
        }
    }
    sl_journal_test out;
    memset(&out, 0, sizeof out);
    if (st == SL_OK) {
        st = sl_journal_add_look(web_store(req->server), id, &in, &out, NULL, &err);
        sl_journal_test_clear(&out);
    }
    if (st != SL_OK) {
        test_page(req, res, id, web_http_status(st), &err, "look");
        return;
    }
    char to[64];
    snprintf(to, sizeof to, "/journal/%lld#result", (long long)id);
    respond_redirect(res, to);
}

void journal_close(web_request *req, web_response *res)
{
    int64_t id = req->id;
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
    if (st != SL_OK) {
        web_fail(&err, st, "Choose an outcome: B is better, A is better, no clear difference "
                              "or abandoned.");
        err.field = "outcome";
    }
    sl_journal_test out;
    memset(&out, 0, sizeof out);
    if (st == SL_OK) {
        st = sl_journal_close(web_store(req->server), id, outcome, web_param(req, "lesson"),
                              NULL, &out, &err);
        sl_journal_test_clear(&out);
    }
    if (st != SL_OK) {
        test_page(req, res, id, web_http_status(st), &err, "close");
        return;
    }
    char to[64];
    snprintf(to, sizeof to, "/journal/%lld#result", (long long)id);
    respond_redirect(res, to);
}

/* ---- API ---- */

void journal_api_list(web_request *req, web_response *res)
{
    sl_journal_test *tests = NULL;
    size_t n = 0;
    sl_error err;
    sl_status st = web_journal_list(req, SL_JOURNAL_ALL, &tests, &n, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_journal_list_to_json(tests, n));
    sl_journal_tests_free(tests, n);
}

void journal_api_test(web_request *req, web_response *res)
{
    int64_t id = req->id;
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

/* ---- the pages routes.c lists that take no form ---- */

void journal_new(web_request *req, web_response *res)
{
    plan_page(req, res, 200, NULL);
}

void journal_test(web_request *req, web_response *res)
{
    test_page(req, res, req->id, 200, NULL, NULL);
}

void journal_missing(web_request *req, web_response *res)
{
    respond_error_page(req, res, 404, "Test not found", "There is no such test.");
}

void journal_api_missing(web_request *req, web_response *res)
{
    (void)req;
    respond_json_simple_error(res, 404, "not_found", "there is no such test");
}
