/*
 * route_reports.c — export files in the browser: upload an XLSX or CSV
 * (size-capped by the server), read it into the store, show its report
 * (the importer's table with SVG charts and a reading per row), list past
 * imports and delete one.  API: GET/POST /api/reports, GET/DELETE
 * /api/reports/{id}.
 *
 * An upload goes through the same sl_report_read as `shoplab read FILE`, so
 * the same file gives the same numbers here and on the command line; the
 * report page is rebuilt from the stored rows (sl_report_from_import).
 */
#include "web.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool parse_dimension(const char *text, sl_dimension *out)
{
    for (int d = 0; d < SL_DIM__COUNT; d++)
        if (text && strcmp(text, sl_dimension_name((sl_dimension)d)) == 0) {
            *out = (sl_dimension)d;
            return true;
        }
    return false;
}

/* Reads the uploaded file into the store.  Returns the import id (new or
 * the one that already held the same bytes). */
static sl_status import_upload(web_request *req, int64_t *id, bool *already, sl_report **report,
                               sl_error *err)
{
    if (!req->has_upload || req->upload_size == 0)
        return sl_fail_web(err, SL_ERR_INVALID_ARGUMENT,
                           "choose an export file (XLSX or CSV) to upload");
    const char *paths[1] = {req->upload_path};
    const char *names[1] = {req->upload_name};
    sl_read_options o = {.store = req->server->store, .names = names, .threads = 1};
    const char *sheet = web_param(req, "sheet");
    if (sheet && *sheet)
        o.sheet = sheet;
    pthread_mutex_lock(&req->server->store_lock);
    sl_status st = sl_report_read(paths, 1, &o, report, err);
    pthread_mutex_unlock(&req->server->store_lock);
    if (st != SL_OK)
        return st;
    *id = (*report)->sources[0].import_id;
    *already = (*report)->sources[0].already_stored;
    return SL_OK;
}

static void upload_form(FILE *o, web_request *req)
{
    fputs("<form class=card method=post action=\"/reports\" enctype=\"multipart/form-data\">",
          o);
    csrf_input(o, req);
    fprintf(o,
            "<div><label for=f-file>Export file <span class=hint>(XLSX or CSV as the platform "
            "exports it, up to %" PRIu64 " MB)</span></label>"
            "<input id=f-file type=file name=file accept=\".csv,.xlsx,text/csv\" required></div>"
            "<div><label for=f-sheet>Sheet <span class=hint>(optional: name or number; the "
            "first sheet with a header otherwise)</span></label>"
            "<input id=f-sheet type=text name=sheet></div>"
            "<p><button type=submit>Read the file</button></p></form>\n",
            req->server->max_upload / (1024 * 1024));
}

static void imports_table(FILE *o, web_request *req, const sl_import *items, size_t n)
{
    if (!n) {
        fputs("<p>No imports yet.</p>\n", o);
        return;
    }
    fputs("<div class=wide><table><thead><tr><th class=n>#</th><th>File</th><th>Period</th>"
          "<th class=n>Rows</th><th>Imported (UTC)</th><th></th></tr></thead><tbody>",
          o);
    for (size_t i = 0; i < n; i++) {
        const sl_import *m = &items[i];
        fprintf(o, "<tr><td class=n>%lld</td><td><a href=\"/reports/%lld\">", (long long)m->id,
                (long long)m->id);
        html(o, m->file);
        fputs("</a>", o);
        if (m->sheet[0]) {
            fputs("<br><small>sheet ", o);
            html(o, m->sheet);
            fputs("</small>", o);
        }
        fputs("</td><td>", o);
        html(o, m->period);
        fprintf(o, "</td><td class=n>%llu", (unsigned long long)m->rows);
        if (m->skipped)
            fprintf(o, "<br><small>%llu skipped</small>", (unsigned long long)m->skipped);
        fputs("</td><td>", o);
        html(o, m->imported_at);
        fprintf(o, "</td><td><form method=post action=\"/reports/%lld/delete\" "
                   "data-confirm=\"Delete import #%lld and its rows?\">",
                (long long)m->id, (long long)m->id);
        csrf_input(o, req);
        fprintf(o, "<button class=danger type=submit aria-label=\"Delete import %lld\">Delete"
                   "</button></form></td></tr>",
                (long long)m->id);
    }
    fputs("</tbody></table></div>\n", o);
}

static void reports_index(web_request *req, web_response *res, int status, const char *error)
{
    sl_import *items = NULL;
    size_t n = 0;
    sl_error err;
    pthread_mutex_lock(&req->server->store_lock);
    sl_status st = sl_store_imports(req->server->store, NULL, &items, &n, &err);
    pthread_mutex_unlock(&req->server->store_lock);
    web_page p;
    if (!page_begin(&p, req, "Reports", "reports")) {
        sl_free(items);
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Reports</h1>\n<p>Upload an analytics export as you downloaded it: ShopLab finds "
          "the header, reads every row into the store on this computer and shows one row per "
          "video (or product, LIVE, creator, day), each read against your own median.</p>\n",
          o);
    if (error) {
        fputs("<p class=error role=alert>", o);
        html(o, error);
        fputs("</p>\n", o);
    }
    upload_form(o, req);
    fputs("<h2>Past imports</h2>\n", o);
    if (st != SL_OK) {
        fputs("<p class=error>", o);
        html(o, err.message);
        fputs("</p>", o);
        status = 500;
    } else {
        imports_table(o, req, items, n);
    }
    sl_free(items);
    page_end(&p, res, status);
}

static void upload_page(web_request *req, web_response *res)
{
    int64_t id = 0;
    bool already = false;
    sl_report *report = NULL;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = import_upload(req, &id, &already, &report, &err);
    sl_report_free(report);
    if (st != SL_OK) {
        reports_index(req, res, web_http_status(st), err.message);
        return;
    }
    char to[96];
    snprintf(to, sizeof to, "/reports/%lld%s", (long long)id, already ? "?already=1" : "");
    respond_redirect(res, to);
}

static void report_page(web_request *req, web_response *res, int64_t id)
{
    sl_read_options o = {0};
    const char *by = web_param(req, "by");
    if (by && *by && !(o.group = parse_dimension(by, &o.by))) {
        respond_error_page(req, res, 400, "Bad grouping",
                           "by must be video, product, live, creator or day.");
        return;
    }
    sl_report *r = NULL;
    sl_error err;
    pthread_mutex_lock(&req->server->store_lock);
    sl_status st = sl_report_from_import(req->server->store, id, &o, &r, &err);
    pthread_mutex_unlock(&req->server->store_lock);
    if (st != SL_OK) {
        respond_error_page(req, res, web_http_status(st),
                           st == SL_ERR_NOT_FOUND ? "Report not found" : "Report not shown",
                           err.message);
        return;
    }
    web_page p;
    char title[96];
    snprintf(title, sizeof title, "Report #%lld", (long long)id);
    if (!page_begin(&p, req, title, "reports")) {
        sl_report_free(r);
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *out = p.out;
    fprintf(out, "<p><a href=\"/reports\">Reports</a> › #%lld</p>\n<h1>", (long long)id);
    html(out, r->sources[0].file);
    fputs("</h1>\n", out);
    const char *already = web_param(req, "already");
    if (already && strcmp(already, "1") == 0)
        fputs("<p class=practice>This file was imported before, with the same content: "
              "nothing was added. This is the earlier import.</p>\n",
              out);
    fputs("<form method=get class=card><label for=f-by>Group by</label><select id=f-by "
          "name=by>",
          out);
    for (int d = 0; d < SL_DIM__COUNT; d++)
        fprintf(out, "<option%s>%s</option>",
                r->grouped && (int)r->by == d ? " selected" : "",
                sl_dimension_name((sl_dimension)d));
    fputs("</select> <button type=submit>Show</button></form>\n", out);
    fprintf(out, "<p><a href=\"/api/reports/%lld\">This report as JSON</a></p>\n", (long long)id);
    fputs("<div class=report>", out);
    sl_report_write_html_body(r, out, "/journal/new?metric=ctr&before-video=");
    fputs("</div>\n", out);
    sl_report_free(r);
    page_end(&p, res, 200);
}

static void delete_import(web_request *req, web_response *res, int64_t id, bool api)
{
    sl_error err;
    pthread_mutex_lock(&req->server->store_lock);
    sl_status st = sl_store_forget(req->server->store, id, &err);
    pthread_mutex_unlock(&req->server->store_lock);
    if (api) {
        if (st != SL_OK) {
            respond_json_error(res, &err);
            return;
        }
        char body[64];
        snprintf(body, sizeof body, "{\"deleted\":%lld}\n", (long long)id);
        res->status = 200;
        res->content_type = "application/json";
        res->body = strdup(body);
        res->length = res->body ? strlen(res->body) : 0;
        return;
    }
    if (st != SL_OK)
        respond_error_page(req, res, web_http_status(st), "Not deleted", err.message);
    else
        respond_redirect(res, "/reports");
}

/* ---- API ---- */

static void api_list(web_request *req, web_response *res)
{
    sl_import *items = NULL;
    size_t n = 0;
    sl_error err;
    pthread_mutex_lock(&req->server->store_lock);
    sl_status st = sl_store_imports(req->server->store, NULL, &items, &n, &err);
    pthread_mutex_unlock(&req->server->store_lock);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_imports_to_json(items, n));
    sl_free(items);
}

static void api_upload(web_request *req, web_response *res)
{
    int64_t id = 0;
    bool already = false;
    sl_report *r = NULL;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = import_upload(req, &id, &already, &r, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, already ? 200 : 201, sl_report_to_json(r));
    sl_report_free(r);
}

static void api_report(web_request *req, web_response *res, int64_t id)
{
    sl_read_options o = {0};
    const char *by = web_param(req, "by");
    if (by && *by && !(o.group = parse_dimension(by, &o.by))) {
        respond_json_simple_error(res, 400, "invalid_argument",
                                  "by must be video, product, live, creator or day");
        return;
    }
    sl_report *r = NULL;
    sl_error err;
    pthread_mutex_lock(&req->server->store_lock);
    sl_status st = sl_report_from_import(req->server->store, id, &o, &r, &err);
    pthread_mutex_unlock(&req->server->store_lock);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_report_to_json(r));
    sl_report_free(r);
}

static bool is(const web_request *req, const char *method)
{
    return strcmp(req->method, method) == 0;
}

static void wrong_method(web_request *req, web_response *res, const char *allow, bool api)
{
    if (api)
        respond_json_simple_error(res, 405, "method_not_allowed", "method not allowed here");
    else
        respond_error_page(req, res, 405, "Method not allowed",
                           "This address does not take that kind of request.");
    res->allow = allow;
}

bool route_reports(web_request *req, web_response *res)
{
    const char *path = req->path, *rest;
    int64_t id;
    bool get = is(req, "GET") || is(req, "HEAD");
    if (strcmp(path, "/reports") == 0) {
        if (get)
            reports_index(req, res, 200, NULL);
        else if (is(req, "POST"))
            upload_page(req, res);
        else
            wrong_method(req, res, "GET, HEAD, POST", false);
        return true;
    }
    if (strncmp(path, "/reports/", 9) == 0) {
        if (!path_id(path + 9, &id, &rest))
            respond_error_page(req, res, 404, "Report not found", "There is no such report.");
        else if (!*rest && get)
            report_page(req, res, id);
        else if (strcmp(rest, "/delete") == 0 && is(req, "POST"))
            delete_import(req, res, id, false);
        else
            wrong_method(req, res, *rest ? "POST" : "GET, HEAD", false);
        return true;
    }
    if (strcmp(path, "/api/reports") == 0) {
        if (get)
            api_list(req, res);
        else if (is(req, "POST"))
            api_upload(req, res);
        else
            wrong_method(req, res, "GET, HEAD, POST", true);
        return true;
    }
    if (strncmp(path, "/api/reports/", 13) == 0) {
        if (!path_id(path + 13, &id, &rest) || *rest)
            respond_json_simple_error(res, 404, "not_found", "there is no such report");
        else if (get)
            api_report(req, res, id);
        else if (is(req, "DELETE"))
            delete_import(req, res, id, true);
        else
            wrong_method(req, res, "GET, HEAD, DELETE", true);
        return true;
    }
    return false;
}
