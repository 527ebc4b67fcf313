/*
 * route_reports.c — export files in the browser: upload an XLSX or CSV
 * (size-capped by the server), read it into the store, show its report
 * (the importer's table with SVG charts and a reading per row), list past
 * imports and delete one.  API: GET/POST /api/reports, GET/DELETE
 * /api/reports/{id}, GET /api/jobs/{id}.
 *
 * An upload is a job (jobs.c): the POST answers at once with the job's
 * address (303 to its page; 202 with Location for the API), and the job
 * goes through the same sl_report_read as `shoplab read FILE`, so the same
 * file gives the same numbers here and on the command line.  The report page
 * is rebuilt from the stored rows (sl_report_from_import, kept in memory
 * between requests by report_cache.c) and shown a page
 * of rows at a time, sortable by any column (the column headers are links,
 * so sorting works without the script), optionally only the rows with a weak
 * step, with a trend by day when the import has days.  An empty store offers
 * the practice export (compiled into the program) with one click.
 */
#include "web.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* samples/practice-video-list.csv, embedded at build time (meson.build). */
extern const char web_practice_csv[];
extern const size_t web_practice_csv_size;

static bool parse_dimension(const char *text, sl_dimension *out)
{
    for (int d = 0; d < SL_DIM__COUNT; d++)
        if (text && strcmp(text, sl_dimension_name((sl_dimension)d)) == 0) {
            *out = (sl_dimension)d;
            return true;
        }
    return false;
}

/* The drop zone is the file input's own label, so it works as a plain file
 * chooser without the script (which only adds dropping a file on it). */
static void upload_form(FILE *o, web_request *req)
{
    if (req->signed_in && req->user.role == SL_ROLE_VIEWER)
        return; /* a viewer uploads nothing */
    fputs("<form class=\"card upload\" method=post action=\"/reports\" "
          "enctype=\"multipart/form-data\">",
          o);
    csrf_input(o, req);
    fprintf(o,
            "<label class=drop for=f-file><span class=drop-title>Drop an export file here, "
            "or choose one</span><span class=hint>XLSX or CSV as the platform exports it, "
            "up to %" PRIu64 " MB</span>"
            "<input id=f-file type=file name=file accept=\".csv,.xlsx,text/csv\" required>"
            "</label>"
            "<div><label for=f-sheet>Sheet <span class=hint>(optional: name or number; the "
            "first sheet with a header otherwise)</span></label>"
            "<input id=f-sheet type=text name=sheet></div>",
            req->server->max_upload / (1024 * 1024));
    web_creator_select(o, req);
    fputs("<p><button type=submit>Read the file</button></p></form>\n", o);
}

/* A first run: the practice export one click away, and where real exports
 * come from (in our words; ShopLab is not the platform's). */
static void first_run(FILE *o, web_request *req)
{
    fputs("<section class=\"card first-run\" aria-labelledby=first-h><h2 id=first-h>New here? "
          "Start with practice data</h2><p>Open a practice export to see what a report looks "
          "like before you upload your own. <b>Its numbers are invented for learning</b>: it "
          "is nobody&rsquo;s account, and it is labelled practice data wherever it is "
          "shown.</p><form method=post action=\"/reports/practice\">",
          o);
    csrf_input(o, req);
    fputs("<button type=submit>Open the practice export</button></form>"
          "<h3>Where your own export files are</h3><p>Sign in to your shop&rsquo;s or your "
          "creator account&rsquo;s analytics on the platform&rsquo;s website (the seller or "
          "creator dashboard, on a computer), open the data page for videos, LIVEs or "
          "products, choose a date range and use its export or download button. You get an "
          "XLSX or CSV file: upload it here as it is, without tidying it. Several weeks of "
          "one kind of page make the best first report.</p></section>\n",
          o);
}

static void imports_table(FILE *o, web_request *req, const sl_import *items, size_t n)
{
    if (!n) {
        fputs("<p>No imports yet.</p>\n", o);
        return;
    }
    /* The period goes under the file name, not in a column of its own: on a
     * phone five columns broke the file name every few letters. */
    fputs("<div class=wide><table class=imports><thead><tr><th class=n>#</th>"
          "<th>File and period</th><th class=n>Rows</th><th>Imported</th><th><span "
          "class=skip>Delete</span></th></tr></thead><tbody>",
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
        if (m->period[0]) {
            fputs("<br><small>", o);
            html(o, m->period);
            fputs("</small>", o);
        }
        fputs("</td><td class=n>", o);
        num_count(o, (double)m->rows);
        if (m->skipped) {
            fputs("<br><small>", o);
            num_count(o, (double)m->skipped);
            fputs(" skipped</small>", o);
        }
        fputs("</td><td>", o);
        time_utc(o, m->imported_at);
        /* Only someone who may change the import is offered its delete (a
         * viewer sees the list and writes nothing). */
        if (req->team && !sl_can(&req->user, SL_ACTION_WRITE, SL_OBJECT_IMPORT, m->creator_id)) {
            fputs("</td><td></td></tr>", o);
            continue;
        }
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

static void index_page(web_request *req, web_response *res, int status, const char *error)
{
    sl_import *items = NULL;
    size_t n = 0;
    sl_error err;
    sl_status st = web_imports(req, &items, &n, &err);
    web_page p;
    if (!page_begin(&p, req, "Reports", "reports")) {
        sl_free(items);
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fprintf(o, "<h1>Reports</h1>\n<p>Upload an analytics export as you downloaded it: ShopLab "
               "finds the header, reads every row into %s and shows one row per video (or "
               "product, LIVE, creator, day), each read against your own median.</p>\n",
            req->team ? "your team's store" : "the store on this computer");
    if (error) {
        fputs("<p class=error role=alert>", o);
        html(o, error);
        fputs("</p>\n", o);
    }
    upload_form(o, req);
    if (st == SL_OK && n == 0)
        first_run(o, req);
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

void reports_upload(web_request *req, web_response *res)
{
    web_job_view job;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = web_job_submit(req, &job, &err);
    if (st != SL_OK) {
        index_page(req, res, web_http_status(st), err.message);
        return;
    }
    char to[96];
    snprintf(to, sizeof to, "/reports/jobs/%s", job.id);
    respond_redirect(res, to);
}

/* The practice export as if it had been uploaded: written to a temporary
 * file the job then owns, so it goes through the same import as any file. */
void reports_practice(web_request *req, web_response *res)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(req->upload_path, sizeof req->upload_path, "%s/shoplab-upload-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(req->upload_path);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < web_practice_csv_size;) {
        ssize_t n = write(fd, web_practice_csv + done, web_practice_csv_size - done);
        ok = n > 0;
        done += ok ? (size_t)n : 0;
    }
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (!ok) {
        if (fd >= 0)
            unlink(req->upload_path);
        req->upload_path[0] = '\0';
        index_page(req, res, 500, "the practice export could not be written to a "
                                     "temporary file");
        return;
    }
    req->has_upload = true;
    req->upload_size = web_practice_csv_size;
    snprintf(req->upload_name, sizeof req->upload_name, "practice-video-list.csv");
    reports_upload(req, res); /* the server removes the file if no job took it */
}

static unsigned job_percent(const web_job_view *job)
{
    if (job->state == WEB_JOB_DONE || !job->bytes_total)
        return job->state == WEB_JOB_DONE ? 100 : 0;
    uint64_t done = job->bytes_done < job->bytes_total ? job->bytes_done : job->bytes_total;
    return (unsigned)(done * 100 / job->bytes_total);
}

static const char job_unknown[] =
    "This import is not known here: it finished more than 15 minutes ago, the server was "
    "restarted since, or it was started from another browser. Its report, if it was read, "
    "is under Reports.";

/* An upload's job: its progress while it runs (the page reloads itself),
 * then the report, or the reason it failed next to the upload form. */
static void job_page(web_request *req, web_response *res, const char *id)
{
    web_job_view job;
    if (!web_job_find(req->server, id, req->session, &job)) {
        respond_error_page(req, res, 404, "Import not found", job_unknown);
        return;
    }
    if (job.state == WEB_JOB_DONE) {
        char to[96];
        snprintf(to, sizeof to, "/reports/%lld%s", (long long)job.import_id,
                 job.already ? "?already=1" : "");
        respond_redirect(res, to);
        return;
    }
    if (job.state == WEB_JOB_FAILED) {
        char message[sizeof job.file + sizeof job.error.message + 8];
        snprintf(message, sizeof message, "%s: %s", job.file, job.error.message);
        index_page(req, res, web_http_status(job.error.code), message);
        return;
    }
    web_page p;
    if (!page_begin_refreshing(&p, req, "Reading your file", "reports", 1)) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    unsigned percent = job_percent(&job);
    fputs("<p><a href=\"/reports\">Reports</a> › reading</p>\n<h1>Reading ", o);
    html(o, job.file);
    fputs("</h1>\n", o);
    if (job.state == WEB_JOB_QUEUED)
        fputs("<p>Waiting for the import before it to finish.</p>\n", o);
    fprintf(o,
            "<p><label for=job-progress>Read so far</label> "
            "<progress id=job-progress max=100 value=%u>%u%%</progress> <b>%u%%</b></p>\n"
            "<p>%.1f MB of %.1f MB, ",
            percent, percent, percent, job.bytes_done / 1e6, job.bytes_total / 1e6);
    num_count(o, (double)job.rows);
    fprintf(o, " row%s read. This page follows the import by itself; you can also leave it: "
               "the import goes on, and its report appears under Reports.</p>\n",
            job.rows == 1 ? "" : "s");
    page_end(&p, res, 200);
}

/* ---- rows a page at a time ---- */

#define ROWS_PER_PAGE 100
#define MAX_ROWS_PER_PAGE 1000

typedef struct row_page {
    sl_report_order order;
    bool descending;
    char dir[5];                 /* "asc", "desc" as asked; "": the order's usual one */
    size_t page;                 /* 1-based */
    size_t per;
    bool weak;                   /* only the rows with a weak step (?weak=1) */
} row_page;

/* The page, size and order asked for: ?page=N&per=N&sort=NAME&dir=asc|desc.
 * Numbers sort largest first unless asked; rank and key smallest first. */
static bool parse_row_page(const web_request *req, row_page *out, const char **problem)
{
    const char *page = web_param(req, "page"), *per = web_param(req, "per");
    const char *sort = web_param(req, "sort"), *dir = web_param(req, "dir");
    const char *weak = web_param(req, "weak");
    uint64_t n;
    *out = (row_page){SL_ORDER_RANK, false, "", 1, ROWS_PER_PAGE, false};
    if (weak && *weak) {
        if (strcmp(weak, "1") != 0 && strcmp(weak, "0") != 0)
            return *problem = "weak must be 1 (only rows with a weak step) or 0", false;
        out->weak = weak[0] == '1';
    }
    if (page && *page) {
        if (!param_u64(page, &n) || n < 1 || n > SIZE_MAX / MAX_ROWS_PER_PAGE)
            return *problem = "page must be a whole number from 1", false;
        out->page = (size_t)n;
    }
    if (per && *per) {
        if (!param_u64(per, &n) || n < 1 || n > MAX_ROWS_PER_PAGE)
            return *problem = "per must be a whole number from 1 to 1000", false;
        out->per = (size_t)n;
    }
    if (sort && *sort && !sl_report_order_parse(sort, &out->order))
        return *problem = "sort must be rank, key, views, impressions, clicks, orders, gmv, "
                          "ctr or ctor",
               false;
    out->descending = out->order != SL_ORDER_RANK && out->order != SL_ORDER_KEY;
    if (dir && *dir) {
        if (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
            return *problem = "dir must be asc or desc", false;
        out->descending = strcmp(dir, "desc") == 0;
        snprintf(out->dir, sizeof out->dir, "%s", dir);
    }
    return true;
}

static sl_status load_page(web_request *req, int64_t id, const sl_read_options *o,
                           const row_page *pg, sl_report **out, sl_error *err)
{
    return web_report_page(req->server, id, o, pg->weak, pg->order, pg->descending,
                           (pg->page - 1) * pg->per, pg->per, out, err);
}

/* A link to another page or order of the same report. */
static void page_link(FILE *out, int64_t id, const sl_report *r, const row_page *pg,
                      size_t page)
{
    fprintf(out, "/reports/%lld?", (long long)id);
    if (r->grouped) {
        fputs("by=", out);
        url_part(out, sl_dimension_name(r->by));
        fputs("&amp;", out);
    }
    fprintf(out, "sort=%s&amp;dir=%s&amp;per=%zu&amp;page=%zu%s", sl_report_order_name(pg->order),
            pg->descending ? "desc" : "asc", pg->per, page, pg->weak ? "&amp;weak=1" : "");
}

/* The address of this report with the grouping and page size kept, open
 * for more parameters: "/reports/5?by=video&per=100&" (raw, unescaped: the
 * library escapes the links it writes). */
static void base_link(char *buf, size_t size, int64_t id, const sl_report *r,
                      const row_page *pg, bool weak, bool keep_order)
{
    int n = snprintf(buf, size, "/reports/%lld?", (long long)id);
    if (r->grouped && n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "by=%s&", sl_dimension_name(r->by));
    if (n > 0 && (size_t)n < size && pg->per != ROWS_PER_PAGE)
        n += snprintf(buf + n, size - (size_t)n, "per=%zu&", pg->per);
    if (n > 0 && (size_t)n < size && weak)
        n += snprintf(buf + n, size - (size_t)n, "weak=1&");
    if (n > 0 && (size_t)n < size && keep_order)
        snprintf(buf + n, size - (size_t)n, "sort=%s&dir=%s", sl_report_order_name(pg->order),
                 pg->descending ? "desc" : "asc");
}

static void order_form(FILE *out, const sl_report *r, const row_page *pg)
{
    fputs("<form method=get class=\"card grid controls\"><div><label for=f-by>Group by</label>"
          "<select id=f-by name=by>",
          out);
    for (int d = 0; d < SL_DIM__COUNT; d++)
        fprintf(out, "<option%s>%s</option>", r->grouped && (int)r->by == d ? " selected" : "",
                sl_dimension_name((sl_dimension)d));
    fputs("</select></div><div><label for=f-sort>Sort rows by</label><select id=f-sort "
          "name=sort>",
          out);
    for (int o = 0; o < SL_ORDER__COUNT; o++)
        fprintf(out, "<option%s>%s</option>", (int)pg->order == o ? " selected" : "",
                sl_report_order_name((sl_report_order)o));
    fprintf(out,
            "</select></div><div><label for=f-dir>Order</label><select id=f-dir name=dir>"
            "<option value=\"\"%s>usual (numbers largest first)</option>"
            "<option value=desc%s>largest first</option><option value=asc%s>smallest first"
            "</option></select></div><div><label for=f-per>Rows per page</label>"
            "<input id=f-per name=per type=number min=1 max=%d value=%zu></div>"
            "<p><button type=submit>Show</button></p></form>\n",
            pg->dir[0] ? "" : " selected", strcmp(pg->dir, "desc") == 0 ? " selected" : "",
            strcmp(pg->dir, "asc") == 0 ? " selected" : "", MAX_ROWS_PER_PAGE, pg->per);
}

static void pager(FILE *out, int64_t id, const sl_report *r, const row_page *pg)
{
    size_t all = r->all_rows, pages = all ? (all + pg->per - 1) / pg->per : 1;
    fputs("<nav class=pager aria-label=\"Pages of rows\"><p>", out);
    if (pg->page > 1) {
        fputs("<a rel=prev href=\"", out);
        page_link(out, id, r, pg, pg->page - 1);
        fputs("\">‹ Previous</a> ", out);
    }
    if (r->row_count)
        fprintf(out, "Rows %zu–%zu of %zu", r->first_row + 1, r->first_row + r->row_count, all);
    else
        fprintf(out, "No rows on page %zu (there %s %zu)", pg->page, pages == 1 ? "is" : "are",
                pages);
    if (pg->page < pages) {
        fputs(" <a rel=next href=\"", out);
        page_link(out, id, r, pg, pg->page + 1);
        fputs("\">Next ›</a>", out);
    }
    fputs("</p></nav>\n", out);
}

/* No such report: say so in the web app's words, with the way on. */
static void report_missing(web_request *req, web_response *res, int64_t id)
{
    web_page p;
    if (!page_begin(&p, req, "Report not found", "reports")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    fprintf(p.out,
            "<h1>Report not found</h1>\n<p class=error role=alert>There is no report #%lld "
            "here. It may have been deleted, or the address may be mistyped.</p>\n"
            "<p><a href=\"/reports\">See your reports</a>, or upload an export there to make "
            "a new one.</p>\n",
            (long long)id);
    page_end(&p, res, 404);
}

/* Views, Product CTR and CTOR per day, when the import has days: the same
 * import grouped by day (whatever the page's own grouping). */
static void trend(web_request *req, FILE *out, int64_t id, const sl_report *shown)
{
    (void)shown;
    sl_read_options o = {.group = true, .by = SL_DIM_DAY};
    sl_report *days = NULL;
    sl_error err;
    if (web_report_load(req->server, id, &o, &days, &err) != SL_OK)
        return;
    bool dated = days->row_count >= 2;
    for (size_t i = 0; dated && i < days->row_count; i++)
        dated = days->rows[i].key[0] != '\0'; /* rows without a day: no trend to draw */
    if (dated)
        sl_report_write_trend(days, out);
    sl_report_free(days);
}

static void report_page(web_request *req, web_response *res, int64_t id)
{
    sl_read_options o = {0};
    const char *by = web_param(req, "by"), *problem = NULL;
    if (by && *by && !(o.group = parse_dimension(by, &o.by))) {
        respond_error_page(req, res, 400, "Bad grouping",
                           "by must be video, product, live, creator or day.");
        return;
    }
    row_page pg;
    if (!parse_row_page(req, &pg, &problem)) {
        respond_error_page(req, res, 400, "Bad page", problem);
        return;
    }
    sl_report *r = NULL;
    sl_error err;
    sl_status st = load_page(req, id, &o, &pg, &r, &err);
    if (st == SL_ERR_NOT_FOUND) {
        report_missing(req, res, id);
        return;
    }
    if (st != SL_OK) {
        respond_error_page(req, res, web_http_status(st), "Report not shown", err.message);
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
    char sort_link[160], weak_link[200], all_link[200];
    base_link(sort_link, sizeof sort_link, id, r, &pg, pg.weak, false);
    base_link(weak_link, sizeof weak_link, id, r, &pg, true, true);
    base_link(all_link, sizeof all_link, id, r, &pg, false, true);
    sl_report_html_options ho = {.plan_link = "/journal/new?",
                                 .sort_link = sort_link,
                                 .order = pg.order,
                                 .descending = pg.descending,
                                 .weak_link = weak_link,
                                 .all_link = all_link};
    char *pages = NULL;
    size_t pages_len = 0;
    FILE *pf = open_memstream(&pages, &pages_len);
    if (pf) {
        pager(pf, id, r, &pg);
        if (fclose(pf) == 0)
            ho.after_table = pages;
    }
    fputs("<div class=report>", out);
    sl_report_write_html_body_with(r, out, &ho);
    free(pages);
    trend(req, out, id, r);
    fputs("</div>\n", out);
    order_form(out, r, &pg);
    fprintf(out, "<p><a href=\"/api/reports/%lld\">This report as JSON</a></p>\n", (long long)id);
    sl_report_free(r);
    page_end(&p, res, 200);
}

static void delete_import(web_request *req, web_response *res, int64_t id, bool api)
{
    sl_error err;
    sl_status st = sl_store_forget(web_store(req->server), id, &err);
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

void reports_api_list(web_request *req, web_response *res)
{
    sl_import *items = NULL;
    size_t n = 0;
    sl_error err;
    sl_status st = web_imports(req, &items, &n, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_imports_to_json(items, n));
    sl_free(items);
}

/* {"job":{…}}: what GET /api/jobs/{id} and an upload's 202 answer. */
static char *job_json(const web_job_view *job)
{
    char report[64];
    snprintf(report, sizeof report, "/api/reports/%lld", (long long)job->import_id);
    json_t *error = job->state == WEB_JOB_FAILED
                        ? json_pack("{s:s,s:s}", "code", sl_status_name(job->error.code),
                                    "message", job->error.message)
                        : json_null();
    json_t *doc = json_pack(
        "{s:{s:s,s:s,s:s,s:I,s:I,s:i,s:I,s:I,s:o,s:b,s:o}}", "job", "id", job->id, "state",
        web_job_state_name(job->state), "file", job->file, "bytes_done",
        (json_int_t)job->bytes_done, "bytes_total", (json_int_t)job->bytes_total, "percent",
        (int)job_percent(job), "rows", (json_int_t)job->rows, "skipped", (json_int_t)job->skipped,
        "report", job->state == WEB_JOB_DONE ? json_string(report) : json_null(), "already",
        job->already, "error", error);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

static void respond_job(web_response *res, int status, const web_job_view *job)
{
    char *text = job_json(job);
    size_t n = text ? strlen(text) : 0;
    char *body = text ? realloc(text, n + 2) : NULL;
    if (!body) {
        free(text);
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    memcpy(body + n, "\n", 2);
    res->status = status;
    res->content_type = "application/json";
    res->body = body;
    res->length = n + 1;
}

void reports_api_upload(web_request *req, web_response *res)
{
    web_job_view job;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = web_job_submit(req, &job, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_job(res, 202, &job);
    snprintf(res->location, sizeof res->location, "/api/jobs/%s", job.id);
}

static void api_job(web_request *req, web_response *res, const char *id)
{
    web_job_view job;
    if (!web_job_find(req->server, id, req->session, &job))
        respond_json_simple_error(res, 404, "not_found", job_unknown);
    else
        respond_job(res, 200, &job);
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
    row_page pg;
    const char *problem = NULL;
    if (!parse_row_page(req, &pg, &problem)) {
        respond_json_simple_error(res, 400, "invalid_argument", problem);
        return;
    }
    sl_report *r = NULL;
    sl_error err;
    sl_status st = load_page(req, id, &o, &pg, &r, &err);
    if (st != SL_OK) {
        respond_json_error(res, &err);
        return;
    }
    respond_json(res, 200, sl_report_to_json(r));
    sl_report_free(r);
}

/* ---- the handlers routes.c lists ---- */

void reports_index(web_request *req, web_response *res)
{
    index_page(req, res, 200, NULL);
}

void reports_job(web_request *req, web_response *res)
{
    job_page(req, res, req->rest);
}

void reports_report(web_request *req, web_response *res)
{
    report_page(req, res, req->id);
}

void reports_delete(web_request *req, web_response *res)
{
    delete_import(req, res, req->id, false);
}

void reports_missing(web_request *req, web_response *res)
{
    respond_error_page(req, res, 404, "Report not found", "There is no such report.");
}

void reports_api_job(web_request *req, web_response *res)
{
    api_job(req, res, req->rest);
}

void reports_api_report(web_request *req, web_response *res)
{
    api_report(req, res, req->id);
}

void reports_api_delete(web_request *req, web_response *res)
{
    delete_import(req, res, req->id, true);
}

void reports_api_missing(web_request *req, web_response *res)
{
    (void)req;
    respond_json_simple_error(res, 404, "not_found", "there is no such report");
}
