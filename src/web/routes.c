/*
 * routes.c — every address shoplab-serve answers, as one table handed to
 * the server (web_options.routes), and how the server's refusals look.
 *
 * The table is the one list of routes: the server dispatches over it
 * (router.c) and knows none by name, and anything that must hold for every
 * route can walk it (web_routes).  Order matters: the first route whose
 * path matches answers, so an exact path comes before a prefix that would
 * also take it, and each area ends with a route that answers the addresses
 * under it that name nothing ("Report not found" rather than a bare 404).
 * Routes of one path follow each other, one per method.
 */
#include "web.h"

static void api_not_found(web_request *req, web_response *res)
{
    (void)req;
    respond_json_simple_error(res, 404, "not_found", "There is no such API endpoint.");
}

static void page_not_found(web_request *req, web_response *res)
{
    respond_error_page(req, res, 404, "Not found",
                       "There is no page at this address. The links at the top lead to every "
                       "part of ShopLab.");
}

#define PAGE false
#define API true

static const web_route routes[] = {
    /* path                  match           suffix     methods         kind  object     handler
     *                       [team mode: access (default: any signed-in account), writes] */
    {"/static/style.css",    WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      asset_file, WEB_ACCESS_PUBLIC, false},
    {"/static/app.js",       WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      asset_file, WEB_ACCESS_PUBLIC, false},
    {"/favicon.ico",         WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      asset_file, WEB_ACCESS_PUBLIC, false},

    {"/healthz",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      team_health, WEB_ACCESS_PUBLIC, false},
    {"/login",               WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      team_login_form, WEB_ACCESS_PUBLIC, false},
    {"/login",               WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      team_login, WEB_ACCESS_PUBLIC, false},
    {"/logout",              WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      team_logout, WEB_ACCESS_SESSION, false},
    {"/logout-everywhere",   WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      team_logout_everywhere, WEB_ACCESS_SESSION, false},
    {"/team/audit",          WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      team_audit, WEB_ACCESS_OWNER, false},
    {"/team/audit.csv",      WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      team_audit_csv, WEB_ACCESS_OWNER, false},

    {"/",                    WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_home, WEB_ACCESS_SESSION, false},
    {"/glossary",            WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_glossary, WEB_ACCESS_SESSION, false},
    {"/glossary/",           WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_glossary, WEB_ACCESS_SESSION, false},
    {"/glossary/",           WEB_PATH_REST,  NULL,      WEB_READ,       PAGE, "term",    learn_term, WEB_ACCESS_SESSION, false},
    {"/guides",              WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_guides, WEB_ACCESS_SESSION, false},
    {"/guides/",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_guides, WEB_ACCESS_SESSION, false},
    {"/guides/",             WEB_PATH_REST,  NULL,      WEB_READ,       PAGE, "guide",   learn_guide, WEB_ACCESS_SESSION, false},
    {"/api/terms",           WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      learn_api_terms, WEB_ACCESS_SESSION, false},
    {"/api/terms/",          WEB_PATH_REST,  NULL,      WEB_READ,       API,  "term",    learn_api_term, WEB_ACCESS_SESSION, false},
    {"/api/guides",          WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      learn_api_guides, WEB_ACCESS_SESSION, false},
    {"/api/guides/",         WEB_PATH_REST,  NULL,      WEB_READ,       API,  "guide",   learn_api_guide, WEB_ACCESS_SESSION, false},

    {"/decoder",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      numbers_decoder, WEB_ACCESS_SESSION, false},
    {"/compare",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      numbers_compare, WEB_ACCESS_SESSION, false},
    {"/api/decode",          WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      numbers_api_decode, WEB_ACCESS_SESSION, false},
    {"/api/compare",         WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      numbers_api_compare, WEB_ACCESS_SESSION, false},

    {"/drills",              WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      drills_index, WEB_ACCESS_SESSION, false},
    {"/drills/",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      drills_index, WEB_ACCESS_SESSION, false},
    {"/drills/",             WEB_PATH_REST,  NULL,      WEB_READ | WEB_POST, PAGE, "drill", drills_play, WEB_ACCESS_SESSION, false},
    {"/api/drills/",         WEB_PATH_REST,  NULL,      WEB_READ,       API,  "drill",   drills_api, WEB_ACCESS_SESSION, false},

    {"/reports",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      reports_index, WEB_ACCESS_SESSION, false},
    {"/reports",             WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      reports_upload, WEB_ACCESS_SESSION, true},
    {"/reports/practice",    WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      reports_practice, WEB_ACCESS_SESSION, true},
    {"/reports/jobs/",       WEB_PATH_REST,  NULL,      WEB_READ,       PAGE, "job",     reports_job, WEB_ACCESS_SESSION, false},
    {"/reports/",            WEB_PATH_ID,    "",        WEB_READ,       PAGE, "report",  reports_report, WEB_ACCESS_IMPORT, false},
    {"/reports/",            WEB_PATH_ID,    "/delete", WEB_POST,       PAGE, "report",  reports_delete, WEB_ACCESS_IMPORT, true},
    {"/reports/",            WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, PAGE, NULL,      reports_missing, WEB_ACCESS_SESSION, false},
    {"/api/reports",         WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      reports_api_list, WEB_ACCESS_SESSION, false},
    {"/api/reports",         WEB_PATH_EXACT, NULL,      WEB_POST,       API,  NULL,      reports_api_upload, WEB_ACCESS_SESSION, true},
    {"/api/jobs/",           WEB_PATH_REST,  NULL,      WEB_READ,       API,  "job",     reports_api_job, WEB_ACCESS_SESSION, false},
    {"/api/reports/",        WEB_PATH_ID,    "",        WEB_READ,       API,  "report",  reports_api_report, WEB_ACCESS_IMPORT, false},
    {"/api/reports/",        WEB_PATH_ID,    "",        WEB_DELETE,     API,  "report",  reports_api_delete, WEB_ACCESS_IMPORT, true},
    {"/api/reports/",        WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, API,  NULL,      reports_api_missing, WEB_ACCESS_SESSION, false},

    {"/journal",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      journal_index, WEB_ACCESS_SESSION, false},
    {"/journal",             WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      journal_save_plan, WEB_ACCESS_SESSION, true},
    {"/journal/lessons",     WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      journal_lessons, WEB_ACCESS_SESSION, false},
    {"/journal/new",         WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      journal_new, WEB_ACCESS_SESSION, false},
    {"/journal/",            WEB_PATH_ID,    "",        WEB_READ,       PAGE, "test",    journal_test, WEB_ACCESS_TEST, false},
    {"/journal/",            WEB_PATH_ID,    "/look",   WEB_POST,       PAGE, "test",    journal_look, WEB_ACCESS_TEST, true},
    {"/journal/",            WEB_PATH_ID,    "/close",  WEB_POST,       PAGE, "test",    journal_close, WEB_ACCESS_TEST, true},
    {"/journal/",            WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, PAGE, NULL,      journal_missing, WEB_ACCESS_SESSION, false},
    {"/api/journal",         WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      journal_api_list, WEB_ACCESS_SESSION, false},
    {"/api/journal/lessons", WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      journal_api_lessons, WEB_ACCESS_SESSION, false},
    {"/api/journal/",        WEB_PATH_ID,    "",        WEB_READ,       API,  "test",    journal_api_test, WEB_ACCESS_TEST, false},
    {"/api/journal/",        WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, API,  NULL,      journal_api_missing, WEB_ACCESS_SESSION, false},

    /* Everything else: a 404 in the API's shape under /api, a page elsewhere. */
    {"/api",                 WEB_PATH_EXACT, NULL,      WEB_ANY_METHOD, API,  NULL,      api_not_found, WEB_ACCESS_SESSION, false},
    {"/api/",                WEB_PATH_EXACT, NULL,      WEB_ANY_METHOD, API,  NULL,      api_not_found, WEB_ACCESS_SESSION, false},
    {"/api/",                WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, API,  NULL,      api_not_found, WEB_ACCESS_SESSION, false},
    {"/",                    WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, PAGE, NULL,      page_not_found, WEB_ACCESS_SESSION, false},
};

const web_route *web_routes(size_t *count)
{
    *count = sizeof routes / sizeof *routes;
    return routes;
}

void web_refuse(const web_request *req, web_response *res, bool api, int status,
                const char *code, const char *title, const char *message)
{
    if (api)
        respond_json_simple_error(res, status, code, message);
    else
        respond_error_page(req, res, status, title, message);
}
