/*
 * route_team.c — the web side of team mode (docs/team.md): the login page,
 * logging out (here or everywhere), the owners' audit log and its CSV, the
 * team lessons, a health check, and the helpers that cut the lists of
 * imports and journal tests to what the signed-in account may see.
 *
 * Who may use which route is in the route table (web_route.access and
 * .writes, routes.c) and checked by the server before the route runs
 * (server.c, team_gate); these handlers only do their own work.
 */
#include "web.h"


#include <stdlib.h>
#include <string.h>

/* ---- what an account may see ---- */

sl_status web_imports(web_request *req, sl_import **out, size_t *count, sl_error *err)
{
    sl_store *store = web_store(req->server);
    if (req->team)
        return sl_store_imports_visible(store, req->signed_in ? &req->user : NULL, out, count,
                                        err);
    return sl_store_imports(store, NULL, out, count, err);
}

sl_status web_journal_list(web_request *req, sl_journal_filter filter, sl_journal_test **out,
                           size_t *count, sl_error *err)
{
    sl_store *store = web_store(req->server);
    if (req->team)
        return sl_journal_list_visible(store, req->signed_in ? &req->user : NULL, filter, out,
                                       count, err);
    return sl_journal_list(store, filter, out, count, err);
}

bool web_may_read_import(web_request *req, int64_t id)
{
    if (!req->team)
        return true;
    sl_error err;
    return req->signed_in && sl_access(web_store(req->server), &req->user, SL_ACTION_READ,
                                       SL_OBJECT_IMPORT, id, &err) == SL_OK;
}

/* ---- login ---- */

/* `next` when it is a local path ("/reports/3"), else "/": never another
 * site ("//evil.example", "https://…", "/\evil"). */
static const char *local_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 400)
        return "/";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return "/";
    return next;
}

static void login_page(web_request *req, web_response *res, int status, const char *error)
{
    web_page p;
    if (!page_begin(&p, req, "Sign in", NULL)) {
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Sign in</h1>\n", o);
    if (error)
        result_error(o, error, NULL, NULL);
    fputs("<form method=post action=\"/login\" class=login>", o);
    csrf_input(o, req);
    fputs("<input type=hidden name=next value=\"", o);
    html(o, local_next(web_param(req, "next")));
    fputs("\"><p><label for=f-name>Name</label><input id=f-name name=name required "
          "autocomplete=username maxlength=32 value=\"",
          o);
    const char *name = web_param(req, "name");
    html(o, name ? name : "");
    fputs("\"></p><p><label for=f-password>Password</label><input id=f-password "
          "name=password type=password required autocomplete=current-password></p>"
          "<p><button type=submit>Sign in</button></p></form>\n",
          o);
    page_end(&p, res, status);
}

void team_login_form(web_request *req, web_response *res)
{
    if (!req->team) { /* solo mode: nobody signs in */
        respond_redirect(res, "/");
        return;
    }
    login_page(req, res, 200, NULL);
}

static void session_cookie(web_request *req, web_response *res, const char *token)
{
    if (token)
        snprintf(res->set_cookie, sizeof res->set_cookie,
                 "sl_team=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
                 req->secure ? "; Secure" : "");
    else
        snprintf(res->set_cookie, sizeof res->set_cookie,
                 "sl_team=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 req->secure ? "; Secure" : "");
}

void team_login(web_request *req, web_response *res)
{
    if (!req->team) {
        respond_redirect(res, "/");
        return;
    }
    sl_store *store = web_store(req->server);
    const char *name = web_param(req, "name");
    const char *password = web_param(req, "password");
    sl_error err;
    sl_user user = {0};
    sl_status st = sl_login_attempt(store, name ? name : "", password ? password : "",
                                    req->client, 0, &user, &err);
    if (st == SL_ERR_RATE_LIMITED) {
        res->retry_after = SL_LOGIN_WINDOW_SECONDS;
        login_page(req, res, 429,
                   "Too many failed sign-ins for this name or from this address. Wait 15 "
                   "minutes, then try again.");
        return;
    }
    if (st != SL_OK) {
        /* One message whether the name exists or not. */
        login_page(req, res, st == SL_ERR_UNAUTHORISED ? 401 : web_http_status(st),
                   st == SL_ERR_UNAUTHORISED ? "The name or the password is wrong."
                                             : err.message);
        return;
    }
    /* A new token at every login; a session the browser had ends. */
    if (req->signed_in)
        sl_session_end(store, req->token, &err);
    char token[SL_SESSION_TOKEN_SIZE];
    st = sl_session_create(store, user.id, 0, token, &err);
    sl_user_clear(&user);
    if (st != SL_OK) {
        login_page(req, res, web_http_status(st), err.message);
        return;
    }
    session_cookie(req, res, token);
    memset(token, 0, sizeof token);
    respond_redirect(res, local_next(web_param(req, "next")));
}

void team_logout(web_request *req, web_response *res)
{
    sl_error err;
    if (req->signed_in)
        sl_session_end(web_store(req->server), req->token, &err);
    session_cookie(req, res, NULL);
    respond_redirect(res, "/login");
}

void team_logout_everywhere(web_request *req, web_response *res)
{
    sl_error err;
    if (req->signed_in)
        sl_sessions_end_all(web_store(req->server), req->user.id, NULL, &err);
    session_cookie(req, res, NULL);
    respond_redirect(res, "/login");
}

void team_health(web_request *req, web_response *res)
{
    (void)req;
    res->status = 200;
    res->content_type = "text/plain; charset=utf-8";
    res->static_body = "ok\n";
    res->length = 3;
}

/* ---- audit log (owners; the route table keeps the others out) ---- */

void team_audit(web_request *req, web_response *res)
{
    sl_audit_entry *e = NULL;
    size_t n = 0;
    sl_error err;
    if (sl_audit_list(web_store(req->server), 500, &e, &n, &err) != SL_OK) {
        respond_error_page(req, res, web_http_status(err.code), "Audit log", err.message);
        return;
    }
    web_page p;
    if (!page_begin(&p, req, "Audit log", NULL)) {
        sl_free(e);
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Audit log</h1>\n<p>Who changed what, newest first (the last 500). "
          "<a href=\"/team/audit.csv\">Download all as CSV</a></p>\n",
          o);
    /* A wide log scrolls in its own box on a phone, not the whole page. */
    fputs("<div class=wide><table><thead><tr><th scope=col>When</th><th scope=col>Who</th><th "
          "scope=col>Action</th><th scope=col>Object</th><th scope=col>Detail</th></tr>"
          "</thead><tbody>",
          o);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", o);
        time_utc(o, e[i].at);
        fputs("</td><td>", o);
        html(o, e[i].user);
        fputs("</td><td>", o);
        html(o, e[i].action);
        fputs("</td><td>", o);
        htmlf(o, "%s #%lld", e[i].object_kind, (long long)e[i].object_id);
        fputs("</td><td>", o);
        html(o, e[i].detail);
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table></div>\n", o);
    sl_free(e);
    page_end(&p, res, 200);
}

void team_audit_csv(web_request *req, web_response *res)
{
    sl_audit_entry *e = NULL;
    size_t n = 0;
    sl_error err;
    if (sl_audit_list(web_store(req->server), 0, &e, &n, &err) != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    char *data = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&data, &size);
    sl_status st = f ? sl_audit_write_csv(e, n, f) : SL_ERR_NO_MEMORY;
    if (f)
        fclose(f);
    sl_free(e);
    if (st != SL_OK) {
        free(data);
        respond_json_simple_error(res, 500, "io", "cannot write the audit log");
        return;
    }
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->body = data;
    res->length = size;
}

/* ---- team lessons: over the closed tests the account may see ---- */

static sl_status visible_lessons(web_request *req, sl_lessons **out, sl_error *err)
{
    sl_journal_test *tests = NULL;
    size_t n = 0;
    sl_status st = web_journal_list(req, SL_JOURNAL_CLOSED, &tests, &n, err);
    if (st != SL_OK)
        return st;
    st = sl_lessons_compute(tests, n, out, err);
    sl_journal_tests_free(tests, n);
    return st;
}

void journal_api_lessons(web_request *req, web_response *res)
{
    sl_lessons *l = NULL;
    sl_error err;
    if (visible_lessons(req, &l, &err) != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_lessons_to_json(l));
    sl_lessons_free(l);
}

static void lift_cell(FILE *o, double lift, double low, double high)
{
    fputs("<td>", o);
    num_percent(o, lift);
    fputs(" <span class=interval>(", o);
    num_percent(o, low);
    fputs(" to ", o);
    num_percent(o, high);
    fputs(")</span></td>", o);
}

void journal_lessons(web_request *req, web_response *res)
{
    sl_lessons *l = NULL;
    sl_error err;
    if (visible_lessons(req, &l, &err) != SL_OK) {
        respond_error_page(req, res, web_http_status(err.code), "Team lessons", err.message);
        return;
    }
    web_page p;
    if (!page_begin(&p, req, "Team lessons", "journal")) {
        sl_lessons_free(l);
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    FILE *o = p.out;
    fprintf(o, "<h1>Team lessons</h1>\n<p>What has worked across the creators you can see: "
               "%zu closed tests with a look, grouped by loop step and what was changed "
               "(%zu open or without a look left out). Each group&rsquo;s lift is pooled "
               "across creators, so one lucky test does not speak for everyone; intervals "
               "are 95&nbsp;%%.</p>\n",
            l->tests_used, l->tests_skipped);
    if (!l->group_count)
        fputs("<p>No closed test yet.</p>\n", o);
    for (size_t g = 0; g < l->group_count; g++) {
        const sl_lesson_group *gr = &l->groups[g];
        fputs("<section class=lesson><h2>", o);
        html(o, sl_loop_step_label(gr->step));
        fputs(" · ", o);
        html(o, sl_change_tag_label(gr->tag));
        fputs(" · ", o);
        html(o, sl_metric_rate(gr->metric)->label); /* "Product CTR", not "ctr" */
        fprintf(o, "</h2><p>%zu tests, %zu creators. %s lift: <b>", gr->tests,
                gr->creator_count, gr->pooled ? "Pooled" : "One creator&rsquo;s");
        num_percent(o, gr->lift);
        fputs("</b> (", o);
        num_percent(o, gr->low);
        fputs(" to ", o);
        num_percent(o, gr->high);
        fputs(")</p><div class=wide><table><thead><tr><th scope=col>Creator</th><th scope=col>Tests</th>"
              "<th scope=col>Own lift</th><th scope=col>Pooled estimate</th></tr></thead><tbody>",
              o);
        for (size_t c = 0; c < gr->creator_count; c++) {
            const sl_lesson_creator *lc = &gr->creators[c];
            fputs("<tr><td>", o);
            html(o, lc->creator[0] ? lc->creator : "(no creator)");
            fprintf(o, "</td><td>%zu</td>", lc->tests);
            lift_cell(o, lc->lift, lc->low, lc->high);
            lift_cell(o, lc->pooled_lift, lc->pooled_low, lc->pooled_high);
            fputs("</tr>", o);
        }
        fputs("</tbody></table></div></section>\n", o);
    }
    sl_lessons_free(l);
    page_end(&p, res, 200);
}

/* ---- the creator of an upload ---- */

sl_status web_upload_creator(web_request *req, int64_t *creator_id, sl_error *err)
{
    *creator_id = 0;
    if (!req->team || !req->signed_in)
        return SL_OK;
    const sl_user *u = &req->user;
    const char *handle = web_param(req, "creator");
    if (!handle || !*handle) {
        if (u->role == SL_ROLE_OWNER)
            return SL_OK;
        if (u->creator_count == 1 &&
            sl_can(u, SL_ACTION_WRITE, SL_OBJECT_IMPORT, u->creators[0])) {
            *creator_id = u->creators[0];
            return SL_OK;
        }
        sl_status st = web_fail(err, SL_ERR_INVALID_ARGUMENT,
                                "choose the creator this export belongs to");
        err->field = "creator";
        return st;
    }
    sl_creator c;
    sl_error ignored;
    if (sl_creator_get(web_store(req->server), handle, &c, &ignored) != SL_OK ||
        !sl_can(u, SL_ACTION_WRITE, SL_OBJECT_IMPORT, c.id)) {
        sl_status st = web_fail(err, SL_ERR_INVALID_ARGUMENT,
                                "choose one of your creators for this export");
        err->field = "creator";
        return st;
    }
    *creator_id = c.id;
    return SL_OK;
}

void web_creator_select(FILE *o, web_request *req)
{
    if (!req->team || !req->signed_in)
        return;
    sl_creator *list = NULL;
    size_t n = 0;
    sl_error err;
    const sl_user *u = &req->user;
    if (sl_creator_list(web_store(req->server), u->role == SL_ROLE_OWNER ? NULL : u, &list, &n,
                        &err) != SL_OK)
        return;
    fputs("<div><label for=f-creator>Creator <span class=hint>(whose export this is)</span>"
          "</label><select id=f-creator name=creator>",
          o);
    if (u->role == SL_ROLE_OWNER)
        fputs("<option value=\"\">The file&rsquo;s own creator column</option>", o);
    for (size_t i = 0; i < n; i++) {
        if (!sl_can(u, SL_ACTION_WRITE, SL_OBJECT_IMPORT, list[i].id))
            continue;
        fputs("<option value=\"", o);
        html(o, list[i].handle);
        fputs("\">", o);
        html(o, list[i].display_name);
        fputs(" (", o);
        html(o, list[i].handle);
        fputs(")</option>", o);
    }
    fputs("</select></div>", o);
    sl_free(list);
}

/* ---- journal: videos and creators an account may use ---- */

const sl_user *web_reader(const web_request *req)
{
    return req->team && req->signed_in ? &req->user : NULL;
}

sl_status web_video_check(web_request *req, const char *video, const char *field,
                          sl_video_counts *out, sl_error *err)
{
    sl_video_counts vc;
    sl_status st = sl_store_video_visible(web_store(req->server), video, web_reader(req), &vc,
                                          err);
    if (st == SL_OK && !web_may_read_import(req, vc.import_id)) {
        /* The same words as a video no import holds. */
        st = web_fail(err, SL_ERR_NOT_FOUND,
                      "no import in the store holds video %s; import its export with "
                      "'shoplab read FILE' first",
                      video);
    }
    if (st != SL_OK && err)
        err->field = field;
    if (st == SL_OK && out)
        *out = vc;
    return st;
}

sl_status web_plan_creator_check(web_request *req, const char *creator, const char *video,
                                 sl_error *err)
{
    if (!req->team || !req->signed_in || req->user.role == SL_ROLE_OWNER)
        return SL_OK;
    char handle[SL_MAX_ID] = "";
    if (creator && *creator) {
        snprintf(handle, sizeof handle, "%s", creator);
    } else if (video && *video) {
        sl_video_counts vc;
        sl_error ignored;
        if (web_video_check(req, video, "before-video", &vc, &ignored) == SL_OK)
            snprintf(handle, sizeof handle, "%s", vc.creator);
    }
    sl_creator c;
    sl_error ignored;
    if (!handle[0] || sl_creator_get(web_store(req->server), handle, &c, &ignored) != SL_OK ||
        !sl_can(&req->user, SL_ACTION_WRITE, SL_OBJECT_JOURNAL_TEST, c.id)) {
        sl_status st = web_fail(err, SL_ERR_INVALID_ARGUMENT,
                                "give the handle of one of your creators");
        err->field = "creator";
        return st;
    }
    return SL_OK;
}
