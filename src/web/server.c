/*
 * server.c — the HTTP side of `shoplab serve`, on GNU libmicrohttpd.
 *
 * One request goes: connection accepted → headers checked (method, Host,
 * session cookie, body size) → body read (urlencoded form or multipart
 * upload, capped) → CSRF checked for POST → a route renders → security
 * headers added → response queued.  Everything a route needs is in
 * web_request; nothing here knows about pages.
 *
 * Why these choices:
 * - The Host check defends against DNS rebinding: a page on another site
 *   that resolves its own name to 127.0.0.1 still sends its own Host.
 * - CSRF: the session cookie (SameSite=Strict, HttpOnly) doubles as the
 *   token every POST must carry in a form field or X-CSRF-Token header; a
 *   page elsewhere can neither read the cookie nor guess the token.
 * - libmicrohttpd's thread pool with epoll serves many connections per
 *   thread; the idle timeout drops silent clients, the header deadline
 *   (guard.c) drops clients that drip their headers, and a cap per client
 *   address keeps one client from taking every connection.
 * - Each worker thread has its own store connection (web_store) and uploads
 *   are imported on a worker of their own (jobs.c), so no request waits for
 *   an import: reads see the last committed state, writes wait at most
 *   WEB_WRITE_WAIT_MS and then answer 503 with Retry-After.
 */
#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECTION_TIMEOUT_S 10
/* Request line and headers; more is 431.  libmicrohttpd clears the pool
 * between the requests of a connection, so a smaller pool is faster. */
#define CONNECTION_MEMORY (12 * 1024)
#define CONNECTION_LIMIT 512
#define SHUTDOWN_GRACE_MS 5000
#define PAGE_CACHE_SLOTS 256            /* more than the built-in pages; then no more are kept */

static const char security_csp[] =
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* Per TCP connection: set by the unescape callback, read by the handler. */
typedef struct conn_state {
    bool bad_escape;
    struct MHD_Response *cached;    /* the kept page the current request gets */
    guard_conn guard;               /* its header deadline (guard.c) */
} conn_state;

/* The con_cls of a request answered from the page cache (no state of its
 * own: the response waits in the connection's conn_state). */
static char cached_request;

/* Per request (MHD's con_cls). */
typedef struct request_state {
    web_request req;
    char *path;                     /* our copy of the URL */
    struct MHD_PostProcessor *post;
    enum { BODY_NONE, BODY_FORM, BODY_MULTIPART } body_kind;
    uint64_t body_bytes, body_cap;
    bool too_large, bad_body, bad_type;
    bool new_session;
    int upload_fd;
} request_state;

/* ---- the page cache ----
 *
 * Content pages (home, term and guide pages: res->cacheable) are the same
 * bytes for everyone while the server runs.  The first GET renders one; the
 * finished libmicrohttpd response (body and headers) is kept and queued
 * again for every later GET of the same path without a query, which is
 * what lets a term page keep pace with a static file server. */

struct page_cache {
    pthread_rwlock_t lock;
    size_t count;
    struct {
        uint64_t hash;
        char *path;
        struct MHD_Response *response;
    } slots[PAGE_CACHE_SLOTS];
};

/* FNV-1a: a path is compared only where its hash matches. */
static uint64_t path_hash(const char *path)
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

static struct MHD_Response *cache_find(struct page_cache *c, const char *path)
{
    struct MHD_Response *r = NULL;
    uint64_t h = path_hash(path);
    pthread_rwlock_rdlock(&c->lock);
    for (size_t i = 0; i < c->count && !r; i++)
        if (c->slots[i].hash == h && strcmp(c->slots[i].path, path) == 0)
            r = c->slots[i].response;
    pthread_rwlock_unlock(&c->lock);
    return r;
}

/* Keeps `r` for `path`; false when full or already there (another thread
 * rendered the same page first). */
static bool cache_keep(struct page_cache *c, const char *path, struct MHD_Response *r)
{
    bool kept = false;
    pthread_rwlock_wrlock(&c->lock);
    bool present = false;
    for (size_t i = 0; i < c->count; i++)
        present |= strcmp(c->slots[i].path, path) == 0;
    if (!present && c->count < PAGE_CACHE_SLOTS && (c->slots[c->count].path = strdup(path))) {
        c->slots[c->count].hash = path_hash(path);
        c->slots[c->count++].response = r;
        kept = true;
    }
    pthread_rwlock_unlock(&c->lock);
    return kept;
}

static void cache_free(struct page_cache *c)
{
    for (size_t i = 0; i < c->count; i++) {
        MHD_destroy_response(c->slots[i].response);
        free(c->slots[i].path);
    }
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

static bool has_query(struct MHD_Connection *c)
{
    return MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0;
}

/* ---- request accessors ---- */

const char *web_param(const web_request *req, const char *name)
{
    for (size_t i = 0; i < req->field_count; i++)
        if (strcmp(req->fields[i].name, name) == 0)
            return req->fields[i].value;
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(const web_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

/* ---- escapes: refuse malformed percent-encoding instead of guessing ---- */

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    bool bad;
    size_t n = web_unescape(s, &bad);
    if (bad) {
        /* The handler refuses the request with 400 (connection state: the
         * handler's request state does not exist yet). */
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (info && info->socket_context)
            ((conn_state *)info->socket_context)->bad_escape = true;
    }
    return n;
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    web_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_state *cs = calloc(1, sizeof *cs);
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (cs && fd)
            guard_track(s->guard, &cs->guard, fd->connect_fd);
        else if (cs)
            cs->guard.fd = -1;
        *socket_context = cs;
    } else {
        conn_state *cs = *socket_context;
        if (cs && cs->guard.fd >= 0)
            guard_untrack(s->guard, &cs->guard);
        free(cs);
        *socket_context = NULL;
    }
}

static conn_state *connection_state(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* ---- store connections ---- */

static void close_thread_store(void *store)
{
    sl_store_close(store);
}

sl_store *web_store(web_server *s)
{
    sl_store *store = pthread_getspecific(s->store_key);
    if (store)
        return store;
    sl_error err;
    if (sl_store_open(s->db_path, &store, &err) != SL_OK) {
        fprintf(stderr, "shoplab serve: %s\n", err.message);
        return NULL;
    }
    sl_store_set_busy_timeout(store, WEB_WRITE_WAIT_MS);
    if (pthread_setspecific(s->store_key, store) != 0) {
        sl_store_close(store);
        return NULL;
    }
    return store;
}

/* ---- sessions ---- */

static bool is_session_id(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

void web_session_new(char out[33])
{
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* getrandom cannot fail for 16 bytes once the pool is ready; if it
         * does, a time-and-address mix is still unguessable enough for a
         * loopback-only session, and better than refusing to serve. */
        uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out ^ (uint64_t)getpid() << 32;
        for (size_t i = 0; i < sizeof bytes; i++, t = t * 6364136223846793005u + 1442695040888963407u)
            bytes[i] = (unsigned char)(t >> 56);
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* Constant-time comparison: the token must not leak by timing. */
static bool same_token(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 32 || strlen(b) != 32)
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < 32; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* ---- Host and Origin ---- */

static bool host_allowed(const web_server *s, const char *host)
{
    if (!host)
        return false;
    if (strcmp(host, s->host_port) == 0)
        return true;
    char alt[96];
    static const char *const loopback[] = {"localhost", "127.0.0.1", "[::1]"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(alt, sizeof alt, "%s:%u", loopback[i], s->port);
        if (strcmp(host, alt) == 0)
            return true;
        if (s->port == 80 && strcmp(host, loopback[i]) == 0)
            return true;
    }
    return false;
}

/* A cross-site POST carries its own Origin; a same-site one ours. */
static bool origin_allowed(const web_server *s, const char *origin)
{
    if (!origin)
        return true; /* not sent by every client; the CSRF token still decides */
    const char *prefix = "http://";
    if (strncmp(origin, prefix, strlen(prefix)) != 0)
        return false;
    return host_allowed(s, origin + strlen(prefix));
}

/* ---- bodies ---- */

static void add_field(request_state *rs, const char *key, const char *data, uint64_t off,
                      size_t size)
{
    web_request *req = &rs->req;
    web_field *f = NULL;
    for (size_t i = 0; i < req->field_count; i++)
        if (strcmp(req->fields[i].name, key) == 0)
            f = &req->fields[i];
    if (!f) {
        if (!req->fields && !(req->fields = calloc(WEB_MAX_FIELDS, sizeof *req->fields))) {
            rs->bad_body = true;
            return;
        }
        if (req->field_count == WEB_MAX_FIELDS || strlen(key) >= sizeof f->name) {
            rs->bad_body = true;
            return;
        }
        f = &req->fields[req->field_count++];
        snprintf(f->name, sizeof f->name, "%s", key);
        f->value = calloc(1, 1);
        if (!f->value) {
            rs->bad_body = true;
            return;
        }
    }
    size_t have = strlen(f->value);
    if (off != have || have + size > WEB_MAX_FIELD_TEXT || memchr(data, '\0', size)) {
        rs->bad_body = true; /* a repeated field, an oversized value or a NUL */
        return;
    }
    char *more = realloc(f->value, have + size + 1);
    if (!more) {
        rs->bad_body = true;
        return;
    }
    memcpy(more + have, data, size);
    more[have + size] = '\0';
    f->value = more;
}

static enum MHD_Result post_iterator(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *filename, const char *content_type,
                                     const char *transfer_encoding, const char *data,
                                     uint64_t off, size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    request_state *rs = cls;
    if (!key)
        return MHD_YES;
    if (!filename) {
        add_field(rs, key, data, off, size);
        return MHD_YES;
    }
    web_request *req = &rs->req;
    if (strcmp(key, "file") != 0)
        return MHD_YES; /* only one upload field is expected; others are dropped */
    if (rs->upload_fd < 0) {
        if (req->has_upload) {
            rs->bad_body = true; /* a second file under the same name */
            return MHD_YES;
        }
        const char *tmp = getenv("TMPDIR");
        snprintf(req->upload_path, sizeof req->upload_path, "%s/shoplab-upload-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        rs->upload_fd = mkstemp(req->upload_path);
        if (rs->upload_fd < 0) {
            req->upload_path[0] = '\0';
            rs->bad_body = true;
            return MHD_YES;
        }
        req->has_upload = true;
        /* Only the base name, whatever path a client sends. */
        const char *base = strrchr(filename, '/');
        base = base ? base + 1 : filename;
        const char *win = strrchr(base, '\\');
        base = win ? win + 1 : base;
        snprintf(req->upload_name, sizeof req->upload_name, "%s", *base ? base : "upload");
    }
    while (size > 0) {
        ssize_t n = write(rs->upload_fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rs->bad_body = true;
            return MHD_YES;
        }
        data += n;
        size -= (size_t)n;
        req->upload_size += (uint64_t)n;
    }
    return MHD_YES;
}

static void request_free(request_state *rs)
{
    if (!rs)
        return;
    if (rs->post)
        MHD_destroy_post_processor(rs->post);
    if (rs->upload_fd >= 0)
        close(rs->upload_fd);
    if (rs->req.upload_path[0])
        unlink(rs->req.upload_path);
    for (size_t i = 0; i < rs->req.field_count; i++)
        free(rs->req.fields[i].value);
    free(rs->req.fields);
    free(rs->path);
    free(rs);
}

static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    web_server *s = cls;
    (void)toe;
    conn_state *cs = connection_state(c);
    if (cs && cs->guard.fd >= 0)
        guard_request_done(s->guard, &cs->guard); /* the next request's headers, if any */
    if (*con_cls != &cached_request)
        request_free(*con_cls);
    *con_cls = NULL;
}

/* ---- responses ---- */

static enum MHD_Result send_response(request_state *rs, web_response *res)
{
    struct MHD_Response *r;
    if (res->static_body)
        r = MHD_create_response_from_buffer(res->length, (void *)res->static_body,
                                            MHD_RESPMEM_PERSISTENT);
    else if (res->body)
        r = MHD_create_response_from_buffer(res->length, res->body, MHD_RESPMEM_MUST_FREE);
    else
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(res->body);
        return MHD_NO;
    }
    res->body = NULL;
    MHD_add_response_header(r, "Content-Type",
                            res->content_type ? res->content_type : "text/html; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", security_csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    /* same-origin, not no-referrer: with no-referrer browsers send "Origin: null"
     * on our own form posts, which the Origin check must refuse. */
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control",
                            res->immutable ? "public, max-age=86400" : "no-store");
    if (res->location[0])
        MHD_add_response_header(r, "Location", res->location);
    if (res->allow)
        MHD_add_response_header(r, "Allow", res->allow);
    if (res->status == 503) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%d", WEB_RETRY_AFTER_S);
        MHD_add_response_header(r, "Retry-After", seconds);
    }
    bool sets_cookie = rs && rs->new_session && rs->req.session_used;
    if (sets_cookie) {
        char cookie[128];
        snprintf(cookie, sizeof cookie, "sl_session=%s; Path=/; HttpOnly; SameSite=Strict",
                 rs->req.session);
        MHD_add_response_header(r, "Set-Cookie", cookie);
    }
    enum MHD_Result ok = MHD_queue_response(rs->req.connection, (unsigned)res->status, r);
    bool keep = res->cacheable && res->status == 200 && !sets_cookie && !rs->req.is_post &&
                !has_query(rs->req.connection) &&
                cache_keep(rs->req.server->cache, rs->req.path, r);
    if (!keep)
        MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_simple(request_state *rs, int status, const char *title,
                                   const char *message)
{
    web_response res = {0};
    respond_error_page(&rs->req, &res, status, title, message);
    return send_response(rs, &res);
}

static bool is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

static enum MHD_Result send_refusal(request_state *rs, int status, const char *code,
                                    const char *title, const char *message)
{
    if (rs->path && is_api(rs->path)) {
        web_response res = {0};
        respond_json_simple_error(&res, status, code, message);
        return send_response(rs, &res);
    }
    return send_simple(rs, status, title, message);
}

/* ---- the handler ---- */

static bool method_known(const char *m)
{
    return strcmp(m, MHD_HTTP_METHOD_GET) == 0 || strcmp(m, MHD_HTTP_METHOD_HEAD) == 0 ||
           strcmp(m, MHD_HTTP_METHOD_POST) == 0 || strcmp(m, MHD_HTTP_METHOD_DELETE) == 0;
}

/* First call of a request: checks that need only the headers. */
static enum MHD_Result begin_request(web_server *s, struct MHD_Connection *c, const char *url,
                                     const char *method, void **con_cls)
{
    /* A kept content page: answered before anything is allocated, once the
     * checks that apply to every request (escapes, Host) have passed. */
    conn_state *early = connection_state(c);
    if (early && early->guard.fd >= 0)
        guard_headers_done(s->guard, &early->guard);
    if ((strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) &&
        !(early && early->bad_escape) && !has_query(c) &&
        host_allowed(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"))) {
        struct MHD_Response *kept = early ? cache_find(s->cache, url) : NULL;
        if (kept) {
            /* Queued on the next call: a response queued while the request
             * is still being read makes libmicrohttpd close the connection. */
            early->cached = kept;
            *con_cls = &cached_request;
            return MHD_YES;
        }
    }
    request_state *rs = calloc(1, sizeof *rs);
    if (!rs)
        return MHD_NO;
    rs->upload_fd = -1;
    rs->path = strdup(url);
    if (!rs->path) {
        free(rs);
        return MHD_NO;
    }
    *con_cls = rs;
    web_request *req = &rs->req;
    req->server = s;
    req->connection = c;
    req->method = method;
    req->path = rs->path;
    req->is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0 ||
                   strcmp(method, MHD_HTTP_METHOD_DELETE) == 0;
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "sl_session");
    /* A browser without a session gets one only when a page embeds it
     * (csrf_input): content pages cost no random bytes and set no cookie. */
    if (is_session_id(cookie))
        snprintf(req->session, sizeof req->session, "%s", cookie);
    else
        rs->new_session = true;
    if (!method_known(method)) {
        web_response res = {0};
        respond_error_page(req, &res, 405, "Method not allowed",
                           "This server answers GET, HEAD and POST (and DELETE on the API).");
        res.allow = "GET, HEAD, POST, DELETE";
        return send_response(rs, &res);
    }
    conn_state *cs = connection_state(c);
    if (cs && cs->bad_escape) {
        cs->bad_escape = false;
        return send_refusal(rs, 400, "bad_request", "Bad request",
                            "The address has a malformed percent-escape (such as %zz or %00), "
                            "or an escape that is not UTF-8 text (such as %ff).");
    }
    if (!host_allowed(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
        return send_refusal(rs, 421, "wrong_host", "Wrong host",
                            "This server only answers requests addressed to its own address "
                            "(a defence against DNS rebinding). Open the address it printed.");
    if (!req->is_post)
        return MHD_YES;
    if (!origin_allowed(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin")))
        return send_refusal(rs, 403, "cross_origin", "Forbidden",
                            "A form from another site cannot post here.");
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (type && strncasecmp(type, "multipart/form-data", 19) == 0) {
        rs->body_kind = BODY_MULTIPART;
        rs->body_cap = s->max_upload + WEB_MAX_FORM_BODY;
    } else if (type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
        rs->body_kind = BODY_FORM;
        rs->body_cap = WEB_MAX_FORM_BODY;
    } else {
        rs->body_kind = BODY_NONE;
        rs->body_cap = WEB_MAX_FORM_BODY;
        rs->bad_type = type != NULL && strncasecmp(type, "application/json", 16) != 0;
    }
    const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (length) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(length, &end, 10);
        if (errno || *end || end == length)
            return send_refusal(rs, 400, "bad_request", "Bad request",
                                "The Content-Length header is not a number.");
        if (n > rs->body_cap)
            return send_refusal(rs, 413, "too_large", "Too large",
                                rs->body_kind == BODY_MULTIPART
                                    ? "The file is larger than this server takes. Export a "
                                      "shorter period, or start the server with a larger "
                                      "--max-upload."
                                    : "The form is over the size limit of this server.");
    }
    if (rs->body_kind != BODY_NONE) {
        rs->post = MHD_create_post_processor(c, 16 * 1024, post_iterator, rs);
        if (!rs->post)
            return send_refusal(rs, 400, "bad_request", "Bad request",
                                "The form body cannot be read (a multipart body needs a "
                                "boundary).");
    }
    return MHD_YES;
}

static void route(web_request *req, web_response *res)
{
    if (route_assets(req, res) || route_learn(req, res) || route_numbers(req, res) ||
        route_drills(req, res) || route_reports(req, res) || route_journal(req, res))
        return;
    if (is_api(req->path))
        respond_json_simple_error(res, 404, "not_found", "There is no such API endpoint.");
    else
        respond_error_page(req, res, 404, "Not found",
                           "There is no page at this address. The links at the top lead to "
                           "every part of ShopLab.");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)version;
    web_server *s = cls;
    if (!*con_cls)
        return begin_request(s, c, url, method, con_cls);
    if (*con_cls == &cached_request) {
        conn_state *cs = connection_state(c);
        *upload_data_size = 0; /* a GET has no body worth reading */
        return cs && cs->cached ? MHD_queue_response(c, MHD_HTTP_OK, cs->cached) : MHD_NO;
    }
    request_state *rs = *con_cls;
    if (*upload_data_size) {
        rs->body_bytes += *upload_data_size;
        if (rs->body_bytes > rs->body_cap)
            rs->too_large = true;
        else if (rs->post && !rs->bad_body &&
                 MHD_post_process(rs->post, upload_data, *upload_data_size) != MHD_YES)
            rs->bad_body = true;
        *upload_data_size = 0; /* consumed (or dropped once over the cap) */
        return MHD_YES;
    }
    if (rs->upload_fd >= 0) {
        close(rs->upload_fd);
        rs->upload_fd = -1;
    }
    /* The body is complete only if the post processor saw its end: a
     * multipart body cut before its closing boundary is refused, so half a
     * file is never stored as if it were whole. */
    bool truncated = false;
    if (rs->post) {
        truncated = MHD_destroy_post_processor(rs->post) != MHD_YES &&
                    rs->body_kind == BODY_MULTIPART && !rs->too_large;
        rs->post = NULL;
    }
    web_request *req = &rs->req;
    if (rs->too_large)
        return send_refusal(rs, 413, "too_large", "Too large",
                            "The request body is over the size limit of this server.");
    if (rs->bad_type)
        return send_refusal(rs, 415, "unsupported_media_type", "Unsupported form",
                            "Send forms as application/x-www-form-urlencoded or "
                            "multipart/form-data.");
    if (rs->bad_body)
        return send_refusal(rs, 400, "bad_request", "Bad request",
                            "The form body is malformed (a field repeated, too long, or an "
                            "upload that could not be stored).");
    if (truncated)
        return send_refusal(rs, 400, "truncated", "The upload was cut short",
                            "The upload ended before the end of its form (no closing "
                            "boundary), so nothing was stored. Send the file again.");
    if (req->is_post) {
        const char *token = NULL;
        for (size_t i = 0; i < req->field_count; i++)
            if (strcmp(req->fields[i].name, "csrf") == 0)
                token = req->fields[i].value;
        if (!token)
            token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        req->csrf_ok = !rs->new_session && same_token(token, req->session);
        if (!req->csrf_ok)
            return send_refusal(rs, 403, "csrf",
                                "This form has expired",
                                "The form's security token does not match this browser's "
                                "session. Go back, reload the page and send it again.");
    }
    web_response res = {.status = 200};
    route(req, &res);
    return send_response(rs, &res);
}

/* ---- listen address ---- */

static sl_status parse_listen(const char *text, struct sockaddr_storage *addr, bool *ipv6,
                              bool *loopback, sl_error *err)
{
    char host[64];
    const char *colon;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            goto bad;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host)
            goto bad;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port > 65535)
        goto bad;
    memset(addr, 0, sizeof *addr);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *ipv6 = false;
        *loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        return SL_OK;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *ipv6 = true;
        *loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        return SL_OK;
    }
bad:
    return web_fail(err, SL_ERR_INVALID_ARGUMENT,
                    "--listen '%s' is not HOST:PORT (for example 127.0.0.1:8080, "
                    "[::1]:8080 or localhost:0 for any free port)",
                    text);
}

/* ---- run ---- */

/* Binds and listens on `addr` ourselves, before any worker thread exists,
 * so the address the Host check compares with (port 0 resolved) is known
 * before the first request can arrive.  Returns the socket, or -1 with
 * errno set. */
static int open_listener(struct sockaddr_storage *addr, bool ipv6, unsigned short *port)
{
    socklen_t len = ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (ipv6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)addr, len) != 0 || listen(fd, 256) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *port = ntohs(ipv6 ? ((struct sockaddr_in6 *)addr)->sin6_port
                       : ((struct sockaddr_in *)addr)->sin_port);
    return fd;
}

static void wait_for_drain(struct MHD_Daemon *d)
{
    for (int waited = 0; waited < SHUTDOWN_GRACE_MS; waited += 20) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            return;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

sl_status web_serve(const web_options *o, sl_error *err)
{
    struct sockaddr_storage addr;
    bool ipv6 = false, loopback = true;
    sl_status st = parse_listen(o->listen, &addr, &ipv6, &loopback, err);
    if (st != SL_OK)
        return st;
    web_server s = {.max_upload = o->max_upload ? o->max_upload : WEB_DEFAULT_MAX_UPLOAD};
    if (!(s.content = sl_content_builtin(err)))
        return err ? err->code : SL_ERR_CONTENT;
    int listen_fd = open_listener(&addr, ipv6, &s.port);
    if (listen_fd < 0)
        return web_fail(err, SL_ERR_IO,
                        "cannot listen on %s: %s (is another server using the port? try "
                        "--listen 127.0.0.1:0 for any free port)",
                        o->listen, strerror(errno));
    char host[64];
    if (ipv6) {
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, text, sizeof text);
        snprintf(host, sizeof host, "[%s]", text);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host, sizeof host);
    }
    snprintf(s.host_port, sizeof s.host_port, "%s:%u", host, s.port);
    /* Opened once here so a store that cannot be opened (or migrated) stops
     * the server before it listens; each worker thread then opens its own. */
    sl_store *first = NULL;
    if ((st = sl_store_open(o->db_path, &first, err)) != SL_OK) {
        close(listen_fd);
        return st;
    }
    sl_store_close(first);
    s.db_path = o->db_path;
    if (pthread_key_create(&s.store_key, close_thread_store) != 0) {
        close(listen_fd);
        return web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
    }
    if (!(s.cache = calloc(1, sizeof *s.cache))) {
        close(listen_fd);
        pthread_key_delete(s.store_key);
        return web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
    }
    pthread_rwlock_init(&s.cache->lock, NULL);

    /* Block the stop signals before any thread starts, so every worker
     * inherits the mask and only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((st = web_jobs_start(&s, err)) != SL_OK) {
        close(listen_fd);
        cache_free(s.cache);
        pthread_key_delete(s.store_key);
        return st;
    }
    if (!(s.guard = guard_start(WEB_HEADER_DEADLINE_MS))) {
        close(listen_fd);
        web_jobs_stop(&s);
        cache_free(s.cache);
        pthread_key_delete(s.store_key);
        return web_fail(err, SL_ERR_NO_MEMORY, "cannot start the connection watcher");
    }

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = o->threads ? o->threads : cores > 0 ? (unsigned)cores : 2;
    if (threads > 16)
        threads = 16;
    /* TURBO: read and write before asking epoll (fewer system calls per request). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, &s, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS_PER_CLIENT,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, &s, MHD_OPTION_NOTIFY_CONNECTION,
        notify_connection, &s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    if (!d) {
        int e = errno;
        close(listen_fd);
        cache_free(s.cache);
        web_jobs_stop(&s);
        guard_stop(s.guard);
        pthread_key_delete(s.store_key);
        return web_fail(err, SL_ERR_IO, "cannot start the server on %s: %s", o->listen,
                        e ? strerror(e) : "unknown reason");
    }
    if (!loopback)
        fprintf(stderr,
                "shoplab serve: warning: listening on %s, not on loopback: anyone who can "
                "reach this machine can open the pages and read your imports\n",
                s.host_port);
    fprintf(o->log, "ShopLab is serving http://%s/ (press Ctrl+C to stop)\n", s.host_port);
    fflush(o->log);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(o->log, "ShopLab: stopping (finishing open requests)\n");
    MHD_socket listener = MHD_quiesce_daemon(d); /* no new connections */
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    wait_for_drain(d);
    MHD_stop_daemon(d); /* joins the workers: their store connections close */
    guard_stop(s.guard);
    web_jobs_stop(&s);
    cache_free(s.cache);
    pthread_key_delete(s.store_key);
    fprintf(o->log, "ShopLab: stopped\n");
    fflush(o->log);
    return SL_OK;
}
