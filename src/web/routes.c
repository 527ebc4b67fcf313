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
    /* path                  match           suffix     methods         kind  object     handler */
    {"/static/style.css",    WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      asset_file},
    {"/static/app.js",       WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      asset_file},
    {"/favicon.ico",         WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      asset_file},

    {"/",                    WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_home},
    {"/glossary",            WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_glossary},
    {"/glossary/",           WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_glossary},
    {"/glossary/",           WEB_PATH_REST,  NULL,      WEB_READ,       PAGE, "term",    learn_term},
    {"/guides",              WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_guides},
    {"/guides/",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      learn_guides},
    {"/guides/",             WEB_PATH_REST,  NULL,      WEB_READ,       PAGE, "guide",   learn_guide},
    {"/api/terms",           WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      learn_api_terms},
    {"/api/terms/",          WEB_PATH_REST,  NULL,      WEB_READ,       API,  "term",    learn_api_term},
    {"/api/guides",          WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      learn_api_guides},
    {"/api/guides/",         WEB_PATH_REST,  NULL,      WEB_READ,       API,  "guide",   learn_api_guide},

    {"/decoder",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      numbers_decoder},
    {"/compare",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      numbers_compare},
    {"/api/decode",          WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      numbers_api_decode},
    {"/api/compare",         WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      numbers_api_compare},

    {"/drills",              WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      drills_index},
    {"/drills/",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      drills_index},
    {"/drills/",             WEB_PATH_REST,  NULL,      WEB_READ | WEB_POST, PAGE, "drill", drills_play},
    {"/api/drills/",         WEB_PATH_REST,  NULL,      WEB_READ,       API,  "drill",   drills_api},

    {"/reports",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      reports_index},
    {"/reports",             WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      reports_upload},
    {"/reports/practice",    WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      reports_practice},
    {"/reports/jobs/",       WEB_PATH_REST,  NULL,      WEB_READ,       PAGE, "job",     reports_job},
    {"/reports/",            WEB_PATH_ID,    "",        WEB_READ,       PAGE, "report",  reports_report},
    {"/reports/",            WEB_PATH_ID,    "/delete", WEB_POST,       PAGE, "report",  reports_delete},
    {"/reports/",            WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, PAGE, NULL,      reports_missing},
    {"/api/reports",         WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      reports_api_list},
    {"/api/reports",         WEB_PATH_EXACT, NULL,      WEB_POST,       API,  NULL,      reports_api_upload},
    {"/api/jobs/",           WEB_PATH_REST,  NULL,      WEB_READ,       API,  "job",     reports_api_job},
    {"/api/reports/",        WEB_PATH_ID,    "",        WEB_READ,       API,  "report",  reports_api_report},
    {"/api/reports/",        WEB_PATH_ID,    "",        WEB_DELETE,     API,  "report",  reports_api_delete},
    {"/api/reports/",        WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, API,  NULL,      reports_api_missing},

    {"/journal",             WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      journal_index},
    {"/journal",             WEB_PATH_EXACT, NULL,      WEB_POST,       PAGE, NULL,      journal_save_plan},
    {"/journal/new",         WEB_PATH_EXACT, NULL,      WEB_READ,       PAGE, NULL,      journal_new},
    {"/journal/",            WEB_PATH_ID,    "",        WEB_READ,       PAGE, "test",    journal_test},
    {"/journal/",            WEB_PATH_ID,    "/look",   WEB_POST,       PAGE, "test",    journal_look},
    {"/journal/",            WEB_PATH_ID,    "/close",  WEB_POST,       PAGE, "test",    journal_close},
    {"/journal/",            WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, PAGE, NULL,      journal_missing},
    {"/api/journal",         WEB_PATH_EXACT, NULL,      WEB_READ,       API,  NULL,      journal_api_list},
    {"/api/journal/",        WEB_PATH_ID,    "",        WEB_READ,       API,  "test",    journal_api_test},
    {"/api/journal/",        WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, API,  NULL,      journal_api_missing},

    /* Everything else: a 404 in the API's shape under /api, a page elsewhere. */
    {"/api",                 WEB_PATH_EXACT, NULL,      WEB_ANY_METHOD, API,  NULL,      api_not_found},
    {"/api/",                WEB_PATH_EXACT, NULL,      WEB_ANY_METHOD, API,  NULL,      api_not_found},
    {"/api/",                WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, API,  NULL,      api_not_found},
    {"/",                    WEB_PATH_REST,  NULL,      WEB_ANY_METHOD, PAGE, NULL,      page_not_found},
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
