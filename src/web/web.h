/*
 * web.h — the web front end of `shoplab serve` (private to src/web and the
 * serve command).
 *
 * Like the CLI, the web app only calls the public library API
 * (include/shoplab.h): it parses requests, calls the library and renders
 * HTML or JSON.  server.c owns the HTTP side (libmicrohttpd, security checks,
 * bodies and uploads); the route_*.c files own the pages and API endpoints;
 * page.c the layout, escaping and form helpers every page shares.
 */
#ifndef SL_WEB_H
#define SL_WEB_H

#include "shoplab.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ---- limits ---- */

#define WEB_MAX_FIELDS 32             /* form fields kept per request */
#define WEB_MAX_FIELD_TEXT 4096       /* longest form value kept */
#define WEB_MAX_FORM_BODY (64 * 1024) /* an urlencoded form body */
#define WEB_DEFAULT_MAX_UPLOAD (20u * 1024 * 1024) /* an uploaded export */
#define WEB_DRILL_SESSION 5           /* scenarios in one web drill session */

/* ---- the route table (router.c; the table itself: routes.c) ----
 *
 * The server knows no page: the program hands it a table of routes (as h2o
 * registers handlers), and the server answers each request with the first
 * route whose path matches.  One path may have several routes, one per
 * method: they follow each other in the table with the same pattern.  A path
 * that matches but whose routes take another method gets 405 with Allow
 * listing the methods they take.  The table is plain data, so anything that
 * must hold for every route (a role check, the docs) can walk it. */

struct web_request;
struct web_response;

/* Methods, as a mask. */
enum {
    WEB_GET = 1u << 0,
    WEB_HEAD = 1u << 1,
    WEB_POST = 1u << 2,
    WEB_DELETE = 1u << 3,
};
#define WEB_READ (WEB_GET | WEB_HEAD)
#define WEB_ANY_METHOD (WEB_GET | WEB_HEAD | WEB_POST | WEB_DELETE)

typedef enum web_path_match {
    WEB_PATH_EXACT,  /* the whole path is `path` */
    WEB_PATH_ID,     /* `path`, an id 1 ≤ id < 2^53 (req->id), then exactly `suffix` */
    WEB_PATH_REST,   /* `path`, then one character or more (req->rest) */
} web_path_match;

typedef void web_handler(struct web_request *req, struct web_response *res);

/* Who may use a route in team mode (docs/team.md, "Rights on the web").
 * The zero value is the safe one: a route that names nothing needs a
 * signed-in account.  In solo mode every route is open, as before. */
typedef enum web_access {
    WEB_ACCESS_SESSION = 0,  /* any signed-in account */
    WEB_ACCESS_PUBLIC,       /* no session even in team mode: login, assets, health */
    WEB_ACCESS_IMPORT,       /* the id is an import: sl_access on it (404 when not visible) */
    WEB_ACCESS_TEST,         /* the id is a journal test: the same */
    WEB_ACCESS_OWNER,        /* owners only (accounts, audit); anyone else gets 404 */
} web_access;

typedef struct web_route {
    const char *path;
    web_path_match match;
    const char *suffix;          /* WEB_PATH_ID: what follows the id ("", "/delete"); NULL is "" */
    unsigned methods;            /* WEB_GET | …: the methods this route answers */
    bool api;                    /* answers JSON; the server's refusals on it are JSON too */
    const char *object;          /* what the id or rest names ("report", "term"…), or NULL */
    web_handler *handler;
    web_access access;           /* team mode: who may use it (0: any signed-in account) */
    bool writes;                 /* changes the store: viewers get 403; an id is checked
                                    for writing (readable but not writable: 403) */
} web_route;

/* The routes of shoplab-serve, in the order they are tried (routes.c). */
const web_route *web_routes(size_t *count);

/* The route that answers `path` for `method` (a WEB_GET… bit), with the id
 * or the rest it names; NULL when none does.  *path_matched says whether
 * some route matched the path (then a NULL answer is a 405), and *allow the
 * methods the path's routes take.  No HTTP library in it (tested directly). */
const web_route *web_route_find(const web_route *routes, size_t count, const char *path,
                                unsigned method, bool *path_matched, unsigned *allow,
                                int64_t *id, const char **rest);
/* The method's WEB_GET… bit, or 0 for a method no route takes. */
unsigned web_method_bit(const char *method);
/* "GET, HEAD, POST" for a mask, in that order, into buf. */
const char *web_methods_text(unsigned methods, char *buf, size_t size);

/* How the program answers a request the server refuses before any route
 * runs (a wrong Host, a bad escape, CSRF, a body too large, 405): `api`
 * says whether the path is an API route's (JSON) or a page's.  The code is
 * the JSON error code ("wrong_host"), the title a page's heading. */
typedef void web_refuse_fn(const struct web_request *req, struct web_response *res, bool api,
                           int status, const char *code, const char *title,
                           const char *message);
/* shoplab-serve's refusals: an error page, or {"error":…} on the API (routes.c). */
void web_refuse(const struct web_request *req, struct web_response *res, bool api, int status,
                const char *code, const char *title, const char *message);

/* ---- the server ---- */

typedef struct web_options {
    const char *listen;        /* "127.0.0.1:8080", "[::1]:8080", "localhost:0" */
    const char *db_path;       /* the store */
    uint64_t max_upload;       /* bytes; 0: WEB_DEFAULT_MAX_UPLOAD */
    unsigned threads;          /* worker threads; 0: one per core */
    FILE *log;                 /* where the URL and warnings go (stdout) */
    const web_route *routes;   /* what the server answers (kept, not copied) */
    size_t route_count;
    web_refuse_fn *refuse;     /* how its refusals look */
    const char *tls_cert;      /* PEM files: serve HTTPS (both or neither) */
    const char *tls_key;
    const char *trusted_proxy; /* a peer address whose X-Forwarded-For/-Proto count */
    const char *public_url;    /* "https://shop.example.com": its host is allowed */
} web_options;

/* Runs the server until SIGINT or SIGTERM.  Returns an sl_status-like code:
 * SL_OK after a clean shutdown; SL_ERR_INVALID_ARGUMENT for a bad --listen
 * (err says why); SL_ERR_IO when the address cannot be listened on;
 * SL_ERR_STORE when the database cannot be opened. */
sl_status web_serve(const web_options *options, sl_error *err);

struct page_cache;
struct web_jobs;

/* How long a request's write waits for another writer (an import) before it
 * answers 503 with Retry-After; reads never wait (WAL). */
#define WEB_WRITE_WAIT_MS 2000
#define WEB_RETRY_AFTER_S 5

/* What every route sees of the server. */
typedef struct web_server {
    const sl_content *content;
    const char *db_path;
    pthread_key_t store_key;     /* each thread's own store connection (web_store) */
    struct web_jobs *jobs;       /* uploads being imported (jobs.c) */
    struct web_guard *guard;     /* the header deadline (guard.c) */
    uint64_t max_upload;
    char host_port[80];          /* the Host the server answers to, e.g. "127.0.0.1:8080" */
    unsigned short port;
    struct page_cache *cache;    /* rendered content pages (server.c) */
    struct web_report_cache *reports; /* stored reports kept between requests */
    const web_route *routes;     /* web_options' table */
    size_t route_count;
    web_refuse_fn *refuse;
    bool tls;                    /* serving HTTPS itself */
    char trusted_proxy[64];      /* "" or the proxy's address as inet_ntop writes it */
    char public_host[160];       /* "" or --public-url's host[:port] */
    _Atomic bool team;           /* team mode seen (it never turns off) */
    _Atomic uint64_t solo_seen_ms; /* when the store last said "solo" (server_team) */
} web_server;

/* ---- stored reports kept in memory (report_cache.c) ---- */

#define WEB_REPORT_CACHE_ITEMS 16                     /* reports kept at most */
#define WEB_REPORT_CACHE_BYTES ((size_t)96 << 20)     /* their rows' memory at most */

struct web_report_cache *web_report_cache_new(void);
void web_report_cache_free(struct web_report_cache *cache);
/* A stored import's report as sl_report_from_import gives it, from memory
 * when it was built before (the caller gets its own copy to page and
 * filter; release with sl_report_free).  SL_ERR_NOT_FOUND when the store
 * holds no such import. */
sl_status web_report_load(web_server *server, int64_t id, const sl_read_options *options,
                          sl_report **out, sl_error *err);
/* One page of it (sl_report_page's arguments), optionally of only the rows
 * with a weak step, taken from the kept report without copying its rows. */
sl_status web_report_page(web_server *server, int64_t id, const sl_read_options *options,
                          bool weak, sl_report_order order, bool descending, size_t first,
                          size_t count, sl_report **out, sl_error *err);

/* ---- request accessors (request.c) ---- */

/* A new random session id (32 hex digits). */
void web_session_new(char out[33]);
/* True for 32 lowercase hex digits, the form web_session_new makes. */
bool web_session_valid(const char *id);
/* Constant-time comparison of a CSRF token with the session id. */
bool web_token_matches(const char *token, const char *session);
/* The calling thread's own connection to the store, opened on first use.  One connection per thread means no lock: in WAL mode reads
 * see the last committed state while an import writes, and writes wait at
 * most WEB_WRITE_WAIT_MS (then SL_ERR_BUSY → 503).  NULL when it cannot be
 * opened (the reason goes to the server's log; the store was opened once at
 * start, so this takes running out of file descriptors or the like). */
sl_store *web_store(web_server *server);

/* ---- the header deadline (guard.c) ---- */

#define WEB_HEADER_DEADLINE_MS 10000 /* request line and headers must arrive within */
#define WEB_CONNECTIONS_PER_CLIENT 128 /* open connections per client address: a browser
                                       opens 6, a load test 64; a client that keeps
                                       reconnecting holds at most a quarter of the 512 */

typedef struct web_guard web_guard;
/* One tracked connection (kept in the connection's state, server.c). */
typedef struct guard_conn {
    int fd;
    _Atomic uint64_t deadline;   /* ms on the monotonic clock; 0: headers received */
    bool cut;
    struct guard_conn *prev, *next;
} guard_conn;

/* Starts the watcher thread; NULL when out of memory or threads. */
web_guard *guard_start(unsigned header_deadline_ms);
void guard_stop(web_guard *guard);
/* From accept to close; the deadline runs from accept. */
void guard_track(web_guard *guard, guard_conn *conn, int fd);
void guard_untrack(web_guard *guard, guard_conn *conn);
/* The headers of a request are in: no deadline while the body and the
 * response take their time.  A request done: the next one's headers run
 * against the deadline again (keep-alive). */
void guard_headers_done(web_guard *guard, guard_conn *conn);
void guard_request_done(web_guard *guard, guard_conn *conn);
/* Connections cut so far for missing the deadline. */
uint64_t guard_dropped(web_guard *guard);
/* Milliseconds on the monotonic clock (the deadlines', and the solo
 * store's answer's age in server.c). */
uint64_t web_now_ms(void);

/* ---- import jobs (jobs.c) ----
 *
 * An upload is imported on a worker thread of its own, never on a request
 * thread: the upload answers at once with the job's address, the job's page
 * and API show its progress, and the report is served when it is done. */

#define WEB_MAX_JOBS 32              /* queued, running and recently finished */
#define WEB_JOB_KEPT_S (15 * 60)     /* a finished job's page is kept this long */

typedef enum web_job_state {
    WEB_JOB_QUEUED, WEB_JOB_RUNNING, WEB_JOB_DONE, WEB_JOB_FAILED
} web_job_state;

/* A copy of one job, safe to read without a lock. */
typedef struct web_job_view {
    char id[33];                 /* random hex: the job's address is not guessable */
    web_job_state state;
    char file[256];              /* the uploaded file's name */
    uint64_t bytes_done, bytes_total;
    int64_t import_id;           /* WEB_JOB_DONE */
    bool already;                /* the same bytes were imported before */
    uint64_t rows, skipped;      /* data rows read so far (stored, once done); rows skipped */
    sl_error error;              /* WEB_JOB_FAILED */
} web_job_view;

/* "queued", "running", "done", "failed". */
const char *web_job_state_name(web_job_state state);
/* Starts the import worker.  web_jobs_stop waits for the job it is running
 * and removes the files of jobs never started. */
sl_status web_jobs_start(web_server *server, sl_error *err);
void web_jobs_stop(web_server *server);
struct web_request;
/* Queues the import of the request's upload, taking its temporary file.
 * SL_ERR_BUSY when WEB_MAX_JOBS jobs are unfinished. */
sl_status web_job_submit(struct web_request *req, web_job_view *out, sl_error *err);
/* The job `id` if it belongs to `session`; false otherwise. */
bool web_job_find(web_server *server, const char *id, const char *session, web_job_view *out);

/* ---- one request ---- */

typedef struct web_field {
    char name[64];
    char *value;                 /* heap, NUL-terminated */
} web_field;

typedef struct web_request {
    web_server *server;
    void *connection;            /* struct MHD_Connection * (server.c only) */
    const char *method;          /* "GET", "HEAD", "POST", "DELETE" */
    const char *path;            /* decoded path, e.g. "/glossary/ctor" */
    bool is_post;
    web_field *fields;           /* POST form fields (heap, WEB_MAX_FIELDS; NULL for GET) */
    size_t field_count;
    bool has_upload;
    char upload_path[256];       /* temporary file holding the uploaded bytes */
    char upload_name[256];       /* the file name the browser gave */
    uint64_t upload_size;
    char session[33];            /* the session id (hex), also the CSRF token;
                                    "" until a page needs one */
    bool session_used;           /* a page embeds it: the response sets the cookie */
    bool csrf_ok;                /* POST: the token matched the session */
    const web_route *route;      /* the route answering it */
    int64_t id;                  /* WEB_PATH_ID: the id in the path */
    const char *rest;            /* WEB_PATH_REST: the path after the route's */
    /* Team mode (server.c fills these before the route runs). */
    bool team;                   /* the store has accounts */
    bool signed_in;              /* a valid session: `user` is its account */
    sl_user user;
    char token[SL_SESSION_TOKEN_SIZE];      /* the session token from the cookie */
    char team_csrf[SL_SESSION_TOKEN_SIZE];  /* its CSRF token */
    char client[64];             /* the client's address (a trusted proxy's forwarded one) */
    bool secure;                 /* HTTPS here or at the trusted proxy: cookies get Secure */
} web_request;

typedef struct web_response {
    int status;
    const char *content_type;
    char *body;                  /* heap (free) or NULL */
    size_t length;
    const char *static_body;     /* or static bytes (assets) */
    char location[512];          /* redirect target, or "" */
    char allow[32];              /* Allow header for 405 ("GET, HEAD"), or "" */
    bool immutable;              /* may be cached by the browser (embedded assets) */
    char set_cookie[192];        /* a Set-Cookie value, or "" */
    unsigned retry_after;        /* seconds for Retry-After (429), or 0 */
    bool cacheable;              /* the same bytes for every GET without a query
                                    (built-in content pages): the server keeps it */
} web_response;

/* A request parameter (request.c): a POST field first, else the query string.  NULL
 * when absent; "" when given empty. */
const char *web_param(const web_request *req, const char *name);
/* The value of request header `name`, or NULL. */
const char *web_header(const web_request *req, const char *name);

/* The value of cookie `name`, or NULL. */
const char *web_cookie(const web_request *req, const char *name);
/* True when the query string has any parameter. */
bool web_has_query(const web_request *req);

/* ---- route handlers (route_*.c, assets.c), listed in routes.c ---- */

void asset_file(web_request *req, web_response *res);         /* /static/…, /favicon.ico */
void learn_home(web_request *req, web_response *res);
void learn_glossary(web_request *req, web_response *res);     /* index and search */
void learn_term(web_request *req, web_response *res);         /* rest: slug or alias */
void learn_guides(web_request *req, web_response *res);
void learn_guide(web_request *req, web_response *res);        /* rest: slug */
void learn_api_terms(web_request *req, web_response *res);
void learn_api_term(web_request *req, web_response *res);
void learn_api_guides(web_request *req, web_response *res);
void learn_api_guide(web_request *req, web_response *res);
void numbers_decoder(web_request *req, web_response *res);
void numbers_compare(web_request *req, web_response *res);
void numbers_api_decode(web_request *req, web_response *res);
void numbers_api_compare(web_request *req, web_response *res);
void drills_index(web_request *req, web_response *res);
void drills_play(web_request *req, web_response *res);        /* rest: pick, tag, read */
void drills_api(web_request *req, web_response *res);
void reports_index(web_request *req, web_response *res);
void reports_upload(web_request *req, web_response *res);
void reports_practice(web_request *req, web_response *res);
void reports_job(web_request *req, web_response *res);        /* rest: job id */
void reports_report(web_request *req, web_response *res);     /* id */
void reports_delete(web_request *req, web_response *res);     /* id */
void reports_missing(web_request *req, web_response *res);
void reports_api_list(web_request *req, web_response *res);
void reports_api_upload(web_request *req, web_response *res);
void reports_api_job(web_request *req, web_response *res);
void reports_api_report(web_request *req, web_response *res);
void reports_api_delete(web_request *req, web_response *res);
void reports_api_missing(web_request *req, web_response *res);
void journal_index(web_request *req, web_response *res);
void journal_save_plan(web_request *req, web_response *res);
void journal_new(web_request *req, web_response *res);
void journal_test(web_request *req, web_response *res);       /* id */
void journal_look(web_request *req, web_response *res);       /* id */
void journal_close(web_request *req, web_response *res);      /* id */
void journal_missing(web_request *req, web_response *res);
void journal_api_list(web_request *req, web_response *res);
void journal_api_test(web_request *req, web_response *res);
void journal_api_missing(web_request *req, web_response *res);
void journal_lessons(web_request *req, web_response *res);
void journal_api_lessons(web_request *req, web_response *res);
/* team mode (route_team.c) */
void team_login_form(web_request *req, web_response *res);
void team_login(web_request *req, web_response *res);
void team_logout(web_request *req, web_response *res);
void team_logout_everywhere(web_request *req, web_response *res);
void team_audit(web_request *req, web_response *res);
void team_audit_csv(web_request *req, web_response *res);
void team_health(web_request *req, web_response *res);
/* The imports the request may see: all in solo mode, else
 * sl_store_imports_visible.  The same for journal tests. */
sl_status web_imports(web_request *req, sl_import **out, size_t *count, sl_error *err);
sl_status web_journal_list(web_request *req, sl_journal_filter filter, sl_journal_test **out,
                           size_t *count, sl_error *err);
/* Whether the request's account may see import `id` (true in solo mode). */
bool web_may_read_import(web_request *req, int64_t id);
/* The creator an upload is stored under (form field "creator", a handle):
 * solo mode 0 (the file's own); an owner may leave it empty; a manager or
 * creator account must name one it may write (or have only one).
 * SL_ERR_INVALID_ARGUMENT (field "creator") otherwise. */
sl_status web_upload_creator(web_request *req, int64_t *creator_id, sl_error *err);
/* The upload form's creator choice (nothing in solo mode). */
void web_creator_select(FILE *out, web_request *req);
/* Team mode signed in: the account, whose readable imports a video is taken
 * from (sl_store_video_visible); NULL otherwise (solo: every import). */
const sl_user *web_reader(const web_request *req);
/* sl_store_video_visible for the account: the newest import holding the
 * video that it may read; a video only others' imports hold is answered as
 * one no import holds (err->field = `field`). */
sl_status web_video_check(web_request *req, const char *video, const char *field,
                          sl_video_counts *out, sl_error *err);
/* Team mode, a manager or creator account: the test's creator (given, or the
 * before-video's) must be one it may write.  SL_ERR_INVALID_ARGUMENT, field
 * "creator", otherwise. */
sl_status web_plan_creator_check(web_request *req, const char *creator, const char *video,
                                 sl_error *err);

/* ---- pages (page.c) ---- */

/* A page or JSON body being written: a memory stream. */
typedef struct web_page {
    FILE *out;
    char *data;
    size_t size;
    bool team;                  /* team mode: the footer says where the data lives */
} web_page;

/* Opens a page with the layout's head and navigation (`nav` names the
 * active section: "home", "glossary", "guides", "decoder", "compare",
 * "drills", "reports", "journal" or NULL).  The title is escaped. */
bool page_begin(web_page *p, const web_request *req, const char *title, const char *nav);
/* The same for a page that reloads itself every `refresh_seconds` (0: never). */
bool page_begin_refreshing(web_page *p, const web_request *req, const char *title,
                           const char *nav, unsigned refresh_seconds);
/* Closes the page with the footer and hands the bytes to `res`. */
void page_end(web_page *p, web_response *res, int status);

/* Escaped text: & < > " ' become entities (the library's sl_html_escape). */
void html(FILE *out, const char *text);
/* printf, then the result escaped. */
void htmlf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A URL path segment or query value, percent-encoded. */
void url_part(FILE *out, const char *text);
/* A labelled form field holding the request's value of `name` (escaped):
 * id "f-NAME", the label, an optional hint. */
typedef enum form_kind { FORM_TEXT, FORM_NUMBER, FORM_AREA } form_kind;
void form_field(FILE *out, const web_request *req, const char *name, const char *label,
                const char *hint, form_kind kind);
/* The same field marked in error when `error` is not NULL: the message in
 * <p class=field-msg id="f-NAME-msg"> under the label, the input with
 * aria-invalid=true and aria-describedby pointing at it, and a red border
 * (the wrapper gets class "invalid"). */
void form_field_error(FILE *out, const web_request *req, const char *name, const char *label,
                      const char *hint, form_kind kind, const char *error);
/* A <select> named `name` of values[i] shown as labels[i], the request's
 * value selected (else the first), marked in error as form_field_error
 * marks a field when `error` is not NULL. */
void form_choice(FILE *out, const web_request *req, const char *name, const char *label,
                 const char *const *values, const char *const *labels, size_t count,
                 const char *error);
/* err's message when err is an error about the form field `name`
 * (err->field == name), else NULL: form_field_error(…, form_error_for(&err, "views")). */
const char *form_error_for(const sl_error *err, const char *name);

/* The region a form's answer (or its error) goes in, so that it is where the
 * eye lands after a submit:
 *   <section id=result class="result EXTRA" tabindex=-1 aria-labelledby=result-h>
 * The caller writes the heading <h2 id=result-h>…</h2> and the content, then
 * result_end.  Give the form an action ending in "#result"
 * (action="/decoder#result"): without JavaScript the browser scrolls the
 * region to the top; the script (web_js) also moves focus into it, so a
 * screen reader starts reading there.  One region per page. */
void result_begin(FILE *out, const char *extra_class);
void result_end(FILE *out);
/* A whole error region: heading "Please check the form", the message
 * (role=alert) and, when `field` is given, a link to the input f-FIELD
 * named `field_label`.  Put it above the form, so the fields stay in view
 * below it; mark the field itself with form_field_error. */
void result_error(FILE *out, const char *message, const char *field, const char *field_label);
/* Numbers written one way on every page: thousands separated by ","
 * ("12,000"; "1,250.00"; "2.50%").  A rate is given as a fraction. */
void num_count(FILE *out, double count);
void num_fixed(FILE *out, double value, int decimals);
void num_percent(FILE *out, double fraction);
/* A time stored as ISO 8601 UTC ("2026-12-06T17:27:55Z"): <time datetime=…>
 * with "2026-12-06 17:27 UTC" as text; the script shows it in the viewer's
 * local time (the UTC value stays in datetime and the title). */
void time_utc(FILE *out, const char *iso);
/* The hidden CSRF input of a POST form; marks the session as used, so the
 * response sets its cookie (pages without a form set none, and can be
 * cached). */
void csrf_input(FILE *out, web_request *req);

/* Plain-text error page with `status` (escaped message). */
void respond_error_page(const web_request *req, web_response *res, int status,
                        const char *title, const char *message);
/* JSON body (takes ownership of a library-allocated string). */
void respond_json(web_response *res, int status, char *json);
/* {"error":{"code","message","field"}} for an sl_error. */
void respond_json_error(web_response *res, const sl_error *err);
/* {"error":…} with a code and message not from the library. */
void respond_json_simple_error(web_response *res, int status, const char *code,
                               const char *message);
void respond_redirect(web_response *res, const char *location);

/* Fills err (when not NULL) with code and message; returns code. */
sl_status web_fail(sl_error *err, sl_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The HTTP status an sl_status maps to (400, 404, 413, 422, 500…). */
int web_http_status(sl_status status);

/* ---- parameters (params.c) ---- */

/* A whole count as typed ("12000", "12,000"); *set false when absent or
 * empty.  SL_ERR_PARSE / SL_ERR_NOT_WHOLE / SL_ERR_NEGATIVE_COUNT with
 * `label` named in err. */
sl_status param_count(const web_request *req, const char *name, const char *label, bool *set,
                      double *out, sl_error *err);
/* A money amount ("89.70", "$1,234.56"). */
sl_status param_money(const web_request *req, const char *name, const char *label, bool *set,
                      double *out, sl_error *err);
/* A rate in (0, 1): "3%" or "0.03". */
sl_status param_rate(const web_request *req, const char *name, const char *label, bool *set,
                     double *out, sl_error *err);
/* A positive relative lift: "20%" or "0.2". */
sl_status param_lift(const web_request *req, const char *name, const char *label, bool *set,
                     double *out, sl_error *err);
/* A positive whole number (ids, indexes). */
bool param_u64(const char *text, uint64_t *out);

/* ---- parsing (parse.c: no HTTP library, fuzzed by tests/fuzz/fuzz_http.c) ---- */

/* The rules behind param_* (the library's sl_parse_number, err->field set
 * to `name`): `text` NULL or blank leaves *set false. */
sl_status web_parse_number(sl_number_kind kind, const char *text, const char *name,
                           const char *label, bool *set, double *out, sl_error *err);
/* Decodes %HH in place; *bad is set for "%zz", a cut escape, "%00" or a
 * result that is not UTF-8 ("%ff") (the request is then refused).  Returns
 * the new length. */
size_t web_unescape(char *s, bool *bad);
/* True when the n bytes at text are well-formed UTF-8. */
bool web_valid_utf8(const char *text, size_t n);

/* ---- shared pictures (svg.c) ---- */

/* Two rates with their intervals on one axis (compare). */
void svg_two_intervals(FILE *out, const sl_compare_result *c);
/* Always-valid p over a series of looks, with the alpha line. */
void svg_p_series(FILE *out, const double *p, size_t count, double alpha);

/* ---- the verdict of a one-change test (verdict.c) ---- */

/* "B is better", "A is better", "No clear difference", "Too early to call". */
const char *verdict_words(sl_compare_verdict verdict);
/* `text` linked to /glossary/SLUG when that term exists (else plain), with
 * an optional class; escaped. */
void term_link(FILE *out, const web_request *req, const char *slug, const char *text,
               const char *cls);
/* The verdict word and its sentence (verdict_text) first, the two intervals,
 * then the statistics under <details> with plain names and glossary links
 * (compare page, journal test page). */
void verdict_block(FILE *out, const web_request *req, const sl_compare_result *c);

/* ---- embedded assets (assets.c) ---- */

extern const char web_css[];
extern const char web_js[];

#endif
