/*
 * page.c — what every page shares: the layout (head, navigation, footer with
 * the independence note), HTML and URL escaping, and the response helpers
 * for pages, JSON, errors and redirects.
 *
 * Pages are written into a memory stream (open_memstream) so a renderer can
 * use fprintf and the library's FILE * writers alike; the finished buffer is
 * handed to libmicrohttpd, which frees it.
 */
#include "web.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *key, *href, *label;
} nav_items[] = {
    {"home", "/", "Home"},
    {"glossary", "/glossary", "Glossary"},
    {"guides", "/guides", "Guides"},
    {"decoder", "/decoder", "Decoder"},
    {"compare", "/compare", "Compare"},
    {"drills", "/drills", "Drills"},
    {"reports", "/reports", "Reports"},
    {"journal", "/journal", "Journal"},
};

void html(FILE *out, const char *text)
{
    sl_html_escape(out, text); /* the library's one escaper, shared with the reports */
}

void htmlf(FILE *out, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    html(out, buf);
}

void url_part(FILE *out, const char *text)
{
    sl_url_escape(out, text);
}

/* Escaped text starting with a capital: library messages start in lower
 * case ("product clicks (120) exceed …"), a sentence on a page does not. */
static void sentence(FILE *out, const char *text)
{
    if (text && *text >= 'a' && *text <= 'z') {
        fputc(*text - 'a' + 'A', out);
        text++;
    }
    html(out, text);
}

void form_field(FILE *out, const web_request *req, const char *name, const char *label,
                const char *hint, form_kind kind)
{
    form_field_error(out, req, name, label, hint, kind, NULL);
}

void form_field_error(FILE *out, const web_request *req, const char *name, const char *label,
                      const char *hint, form_kind kind, const char *error)
{
    const char *v = web_param(req, name);
    fprintf(out, "<div%s><label for=\"f-%s\">", error ? " class=invalid" : "", name);
    html(out, label);
    if (hint) {
        fputs(" <span class=hint>", out);
        html(out, hint);
        fputs("</span>", out);
    }
    fputs("</label>", out);
    /* The message sits right under the label, before the input, so a screen
     * reader hears it with the field (aria-describedby) and a sighted user
     * sees it where the eye already is. */
    if (error) {
        fprintf(out, "<p class=field-msg id=\"f-%s-msg\">", name);
        sentence(out, error);
        fputs("</p>", out);
    }
    char invalid[160] = "";
    if (error)
        snprintf(invalid, sizeof invalid, " aria-invalid=true aria-describedby=\"f-%s-msg\"",
                 name);
    if (kind == FORM_AREA)
        fprintf(out, "<textarea id=\"f-%s\" name=\"%s\" rows=2 maxlength=600%s>", name, name,
                invalid);
    else
        fprintf(out, "<input type=text%s id=\"f-%s\" name=\"%s\"%s value=\"",
                kind == FORM_NUMBER ? " inputmode=decimal" : "", name, name, invalid);
    html(out, v ? v : "");
    fputs(kind == FORM_AREA ? "</textarea></div>" : "\"></div>", out);
}

void form_choice(FILE *out, const web_request *req, const char *name, const char *label,
                 const char *const *values, const char *const *labels, size_t count,
                 const char *error)
{
    const char *v = web_param(req, name);
    fprintf(out, "<div%s><label for=\"f-%s\">", error ? " class=invalid" : "", name);
    html(out, label);
    fputs("</label>", out);
    if (error) {
        fprintf(out, "<p class=field-msg id=\"f-%s-msg\">", name);
        sentence(out, error);
        fputs("</p>", out);
    }
    fprintf(out, "<select id=\"f-%s\" name=\"%s\"", name, name);
    if (error)
        fprintf(out, " aria-invalid=true aria-describedby=\"f-%s-msg\"", name);
    fputs(">", out);
    for (size_t i = 0; i < count; i++) {
        fputs("<option value=\"", out);
        html(out, values[i]);
        fprintf(out, "\"%s>", v && strcmp(v, values[i]) == 0 ? " selected" : "");
        html(out, labels[i]);
        fputs("</option>", out);
    }
    fputs("</select></div>", out);
}

const char *form_error_for(const sl_error *err, const char *name)
{
    if (!err || err->code == SL_OK || !err->field || !name)
        return NULL;
    return strcmp(err->field, name) == 0 ? err->message : NULL;
}

void result_begin(FILE *out, const char *extra_class)
{
    fprintf(out, "<section id=result class=\"result%s%s\" tabindex=-1 aria-labelledby=result-h>",
            extra_class ? " " : "", extra_class ? extra_class : "");
}

void result_end(FILE *out)
{
    fputs("</section>\n", out);
}

void result_error(FILE *out, const char *message, const char *field, const char *field_label)
{
    result_begin(out, "result-error");
    fputs("<h2 id=result-h>Please check the form</h2><p class=error role=alert>", out);
    sentence(out, message);
    fputs("</p>", out);
    if (field && field_label) {
        fputs("<p><a href=\"#f-", out);
        html(out, field);
        fputs("\">Go to ", out);
        html(out, field_label);
        fputs("</a></p>", out);
    }
    result_end(out);
}

/* ---- numbers and times, one way on every page ---- */

void num_fixed(FILE *out, double value, int decimals)
{
    char digits[64];
    int len = snprintf(digits, sizeof digits, "%.*f", decimals, value);
    if (len <= 0 || (size_t)len >= sizeof digits) {
        fputs(digits, out);
        return;
    }
    const char *p = digits;
    if (*p == '-')
        fputc(*p++, out);
    const char *dot = strchr(p, '.');
    size_t whole = dot ? (size_t)(dot - p) : strlen(p);
    for (size_t i = 0; i < whole; i++) {
        if (i > 0 && (whole - i) % 3 == 0)
            fputc(',', out);
        fputc(p[i], out);
    }
    if (dot)
        fputs(dot, out);
}

void num_count(FILE *out, double count)
{
    num_fixed(out, count, 0);
}

void num_percent(FILE *out, double fraction)
{
    num_fixed(out, fraction * 100, 2);
    fputc('%', out);
}

void time_utc(FILE *out, const char *iso)
{
    if (!iso || !*iso)
        return;
    /* The text is the UTC value, readable without the script; the script
     * rewrites it in the viewer's local time and keeps UTC in the title. */
    fputs("<time datetime=\"", out);
    html(out, iso);
    fputs("\">", out);
    char text[40];
    snprintf(text, sizeof text, "%.19s", iso);
    char *t = strchr(text, 'T');
    if (t)
        *t = ' ';
    if (strlen(text) == 19)
        text[16] = '\0'; /* to the minute */
    html(out, text);
    if (strchr(iso, 'Z') || strstr(iso, "+00"))
        fputs(" UTC", out);
    fputs("</time>", out);
}

void csrf_input(FILE *out, web_request *req)
{
    if (req->signed_in) { /* team mode: the token bound to the account's session */
        fprintf(out, "<input type=hidden name=csrf value=\"%s\">", req->team_csrf);
        return;
    }
    if (!req->session[0])
        web_session_new(req->session);
    req->session_used = true; /* the page now needs the session cookie */
    fprintf(out, "<input type=hidden name=csrf value=\"%s\">", req->session);
}

bool page_begin(web_page *p, const web_request *req, const char *title, const char *nav)
{
    return page_begin_refreshing(p, req, title, nav, 0);
}

bool page_begin_refreshing(web_page *p, const web_request *req, const char *title,
                           const char *nav, unsigned refresh_seconds)
{
    p->data = NULL;
    p->size = 0;
    p->team = req && req->team;
    p->out = open_memstream(&p->data, &p->size);
    if (!p->out)
        return false;
    FILE *o = p->out;
    fputs("<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
          "<meta name=viewport content=\"width=device-width, initial-scale=1\">",
          o);
    /* A page that follows work in progress (an import) reloads itself: no
     * script needed, and the CSP does not cover meta refresh. */
    if (refresh_seconds)
        fprintf(o, "<meta http-equiv=refresh content=%u>", refresh_seconds);
    fputs("<title>", o);
    html(o, title);
    fputs(" · ShopLab</title><link rel=stylesheet href=\"/static/style.css\">"
          "<script src=\"/static/app.js\" defer></script></head><body>\n"
          "<a class=skip href=\"#main\">Skip to content</a>\n<header><nav aria-label=Main>"
          "<a class=brand href=\"/\">ShopLab</a>",
          o);
    /* Team mode signed out (the login page, a refusal): the product name
     * only, no map of the sections behind the login. */
    if (!p->team || (req && req->signed_in)) {
        fputs("<ul>", o);
        for (size_t i = 0; i < sizeof nav_items / sizeof *nav_items; i++)
            fprintf(o, "<li><a href=\"%s\"%s>%s</a></li>", nav_items[i].href,
                    nav && strcmp(nav, nav_items[i].key) == 0 ? " aria-current=page" : "",
                    nav_items[i].label);
        fputs("</ul>", o);
    }
    fputs("</nav>", o);
    if (req && req->signed_in) {
        /* Who is signed in, and the way out (a form: logging out is a POST). */
        fputs("<div class=account><span class=who>", o);
        html(o, req->user.name);
        fputs(" <span class=role>(", o);
        html(o, sl_role_name(req->user.role));
        fputs(")</span></span>", o);
        if (req->user.role == SL_ROLE_OWNER)
            fputs(" <a href=\"/team/audit\">Audit log</a>", o);
        fputs(" <a href=\"/journal/lessons\">Team lessons</a>"
              "<form method=post action=\"/logout\" class=inline>", o);
        csrf_input(o, (web_request *)req);
        fputs("<button type=submit>Log out</button></form>"
              "<form method=post action=\"/logout-everywhere\" class=inline>", o);
        csrf_input(o, (web_request *)req);
        fputs("<button type=submit>Log out everywhere</button></form></div>", o);
    }
    fputs("</header>\n<main id=main>\n", o);
    return true;
}

void page_end(web_page *p, web_response *res, int status)
{
    fputs("\n</main>\n<footer><p>ShopLab is independent software. It is not affiliated with, "
          "endorsed by or connected to TikTok or TikTok Shop, and it promises no views, "
          "clicks, orders or earnings. Numbers marked as practice are invented for "
          "learning.</p>",
          p->out);
    /* Solo mode runs on the creator's own computer; a team's server is
     * somewhere else, and the footer must not claim otherwise. */
    fputs(p->team ? "<p>This workspace runs on your team's own server: what you type or upload "
                    "stays in its database, seen only by the accounts allowed to.</p>"
                  : "<p>Everything runs on this computer: nothing you type or upload leaves "
                    "it.</p>",
          p->out);
    fputs("</footer>\n</body></html>\n", p->out);
    fclose(p->out);
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
    res->body = p->data;
    res->length = p->size;
}

void respond_error_page(const web_request *req, web_response *res, int status, const char *title,
                        const char *message)
{
    web_page p;
    if (!page_begin(&p, req, title, NULL)) {
        res->status = 500;
        res->content_type = "text/plain; charset=utf-8";
        res->static_body = "out of memory\n";
        res->length = strlen(res->static_body);
        return;
    }
    fputs("<h1>", p.out);
    html(p.out, title);
    fputs("</h1>\n<p class=error role=alert>", p.out);
    html(p.out, message);
    fputs("</p>\n<p><a href=\"/\">Back to the start</a></p>", p.out);
    page_end(&p, res, status);
}

void respond_json(web_response *res, int status, char *json)
{
    if (!json) {
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    size_t n = strlen(json);
    /* Library JSON lives in library memory: copy it with a newline into a
     * malloc'd body the HTTP library can free. */
    char *body = malloc(n + 2);
    if (!body) {
        sl_free(json);
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    memcpy(body, json, n);
    body[n] = '\n';
    body[n + 1] = '\0';
    sl_free(json);
    res->status = status;
    res->content_type = "application/json";
    res->body = body;
    res->length = n + 1;
}

void respond_json_error(web_response *res, const sl_error *err)
{
    respond_json(res, web_http_status(err->code), sl_error_to_json(err));
}

void respond_json_simple_error(web_response *res, int status, const char *code,
                               const char *message)
{
    /* The same shape as sl_error_to_json, for errors of the HTTP layer. */
    json_t *doc = json_pack("{s:{s:s,s:s,s:n}}", "error", "code", code, "message", message,
                            "field");
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    size_t n = text ? strlen(text) : 0;
    char *body = text ? realloc(text, n + 2) : NULL;
    if (!body) {
        free(text);
        res->status = 500;
        res->content_type = "text/plain; charset=utf-8";
        res->static_body = "out of memory\n";
        res->length = strlen(res->static_body);
        return;
    }
    body[n] = '\n';
    body[n + 1] = '\0';
    res->status = status;
    res->content_type = "application/json";
    res->body = body;
    res->length = n + 1;
}

void respond_redirect(web_response *res, const char *location)
{
    res->status = 303;
    snprintf(res->location, sizeof res->location, "%s", location);
    res->content_type = "text/plain; charset=utf-8";
    res->static_body = "See Other\n";
    res->length = strlen(res->static_body);
}

int web_http_status(sl_status status)
{
    return sl_status_http(status); /* the library's one status table */
}
