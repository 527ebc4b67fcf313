/*
 * server.c — the HTTP side of `shoplab serve`, on GNU libmicrohttpd.
 *
 * One request goes: connection accepted → headers checked (method, Host,
 * session cookie, body size) → body read (urlencoded form or multipart
 * upload, capped) → CSRF checked for POST → a route renders → security
 * headers added → response queued.  Everything a route needs is in
 * web_request; nothing here knows about pages: the routes come from the
 * program (web_options.routes, matched by router.c) and so does the look of
 * a refusal (web_options.refuse).
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
 * - Team mode (docs/team.md): once the store has accounts, each request's
 *   session (cookie sl_team) is checked before its route runs, against the
 *   route's access rule from the table (team_gate): signed out → /login or
 *   401; an id the account may not read → the same 404 as a missing one; a
 *   viewer's write → 403.  Then CSRF with the session's own token.
 * - Beyond loopback only in team mode, and only with TLS (GnuTLS through
 *   libmicrohttpd) or a trusted proxy whose X-Forwarded-* are believed.
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

/* Each worker thread's store connection (request.c's web_store) closes
 * with its thread. */
static void close_thread_store(void *store)
{
    sl_store_close(store);
}

/* ---- team mode ---- */

/* How long a solo store's answer is trusted.  Asking on every request (a
 * query and SQLite's file locks each time) cost a page 40 % of its
 * throughput (69,000 against 119,000 requests/s for a term page); a
 * quarter of a second is the most an account added meanwhile by
 * `shoplab user add` waits to be in force, on a server that listens on
 * loopback only until then. */
#define SOLO_TRUSTED_MS 250

/* Whether the store is in team mode.  Once seen it is kept (team mode never
 * turns off), so a team store is asked no more, and a solo store at most
 * once per SOLO_TRUSTED_MS. */
static bool server_team(web_server *s)
{
    if (atomic_load(&s->team))
        return true;
    uint64_t now = web_now_ms(), seen = atomic_load(&s->solo_seen_ms);
    if (seen && now - seen < SOLO_TRUSTED_MS)
        return false;
    sl_store *store = web_store(s);
    if (!store || sl_team_mode(store)) {
        atomic_store(&s->team, true);
        return true;
    }
    atomic_store(&s->solo_seen_ms, now ? now : 1);
    return false;
}

/* The client's address: the peer's, or, when the peer is the trusted proxy,
 * the last address of its X-Forwarded-For (the one the proxy added).  Also
 * whether the client reached us over HTTPS. */
static void client_of(web_request *req, struct MHD_Connection *c)
{
    web_server *s = req->server;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    req->client[0] = '\0';
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->client,
                      sizeof req->client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->client,
                      sizeof req->client);
    }
    req->secure = s->tls;
    if (!s->trusted_proxy[0] || strcmp(req->client, s->trusted_proxy) != 0)
        return;
    const char *xff = web_header(req, "X-Forwarded-For");
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        size_t n = strcspn(last, " ");
        if (n > 0 && n < sizeof req->client) {
            memcpy(req->client, last, n);
            req->client[n] = '\0';
        }
    }
    const char *proto = web_header(req, "X-Forwarded-Proto");
    if (proto && strcasecmp(proto, "https") == 0)
        req->secure = true;
}

/* ---- Host and Origin ---- */

static bool host_allowed(const web_server *s, const char *host)
{
    if (!host)
        return false;
    if (strcmp(host, s->host_port) == 0)
        return true;
    if (s->public_host[0] && strcmp(host, s->public_host) == 0)
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
    if (strncmp(origin, "http://", 7) == 0)
        return host_allowed(s, origin + 7);
    if (strncmp(origin, "https://", 8) == 0)
        return host_allowed(s, origin + 8);
    return false;
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
    sl_user_clear(&rs->req.user);
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
    if (res->allow[0])
        MHD_add_response_header(r, "Allow", res->allow);
    if (res->status == 503 || res->retry_after) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%u",
                 res->retry_after ? res->retry_after : (unsigned)WEB_RETRY_AFTER_S);
        MHD_add_response_header(r, "Retry-After", seconds);
    }
    if (res->set_cookie[0])
        MHD_add_response_header(r, "Set-Cookie", res->set_cookie);
    bool sets_cookie = rs && rs->new_session && rs->req.session_used;
    if (sets_cookie) {
        char cookie[128];
        snprintf(cookie, sizeof cookie, "sl_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
                 rs->req.session, rs->req.secure ? "; Secure" : "");
        MHD_add_response_header(r, "Set-Cookie", cookie);
    }
    enum MHD_Result ok = MHD_queue_response(rs->req.connection, (unsigned)res->status, r);
    bool keep = res->cacheable && res->status == 200 && !sets_cookie && !rs->req.is_post &&
                !rs->req.team && !res->set_cookie[0] &&
                !has_query(rs->req.connection) &&
                cache_keep(rs->req.server->cache, rs->req.path, r);
    if (!keep)
        MHD_destroy_response(r);
    return ok;
}

/* The route whose path matches the request's, whatever its method: its
 * api flag says how a refusal on this path looks (JSON or a page). */
static bool path_is_api(const web_server *s, const char *path)
{
    bool matched;
    unsigned allow;
    int64_t id;
    const char *rest;
    const web_route *r = web_route_find(s->routes, s->route_count, path, WEB_ANY_METHOD,
                                        &matched, &allow, &id, &rest);
    return r && r->api;
}

static enum MHD_Result send_refusal(request_state *rs, int status, const char *code,
                                    const char *title, const char *message)
{
    web_server *s = rs->req.server;
    web_response res = {0};
    s->refuse(&rs->req, &res, rs->path && path_is_api(s, rs->path), status, code, title,
              message);
    return send_response(rs, &res);
}

/* ---- the handler ---- */

/* A kept content page, answered before anything is allocated once the
 * checks that apply to every request (escapes, Host) have passed.  True
 * when *con_cls now marks the request as answered from the cache. */
static bool answer_from_cache(web_server *s, struct MHD_Connection *c, const char *url,
                              const char *method, void **con_cls)
{
    conn_state *cs = connection_state(c);
    bool read = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!cs || !read || cs->bad_escape || has_query(c) || server_team(s) ||
        !host_allowed(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
        return false;
    struct MHD_Response *kept = cache_find(s->cache, url);
    if (!kept)
        return false;
    /* Queued on the next call: a response queued while the request is
     * still being read makes libmicrohttpd close the connection. */
    cs->cached = kept;
    *con_cls = &cached_request;
    return true;
}

/* The request's own state: path, method, session from the cookie. */
static request_state *request_new(web_server *s, struct MHD_Connection *c, const char *url,
                                  const char *method)
{
    request_state *rs = calloc(1, sizeof *rs);
    if (!rs)
        return NULL;
    rs->upload_fd = -1;
    rs->path = strdup(url);
    if (!rs->path) {
        free(rs);
        return NULL;
    }
    web_request *req = &rs->req;
    req->server = s;
    req->connection = c;
    req->method = method;
    req->path = rs->path;
    req->team = atomic_load(&s->team); /* settled in dispatch (server_team) */
    req->is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0 ||
                   strcmp(method, MHD_HTTP_METHOD_DELETE) == 0;
    const char *cookie = web_cookie(req, "sl_session");
    /* A browser without a session gets one only when a page embeds it
     * (csrf_input): content pages cost no random bytes and set no cookie. */
    if (web_session_valid(cookie))
        snprintf(req->session, sizeof req->session, "%s", cookie);
    else
        rs->new_session = true;
    client_of(req, c);
    return rs;
}

/* How the body will be read, and its cap, from Content-Type. */
static void choose_body(request_state *rs, const char *type)
{
    if (type && strncasecmp(type, "multipart/form-data", 19) == 0) {
        rs->body_kind = BODY_MULTIPART;
        rs->body_cap = rs->req.server->max_upload + WEB_MAX_FORM_BODY;
    } else if (type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
        rs->body_kind = BODY_FORM;
        rs->body_cap = WEB_MAX_FORM_BODY;
    } else {
        rs->body_kind = BODY_NONE;
        rs->body_cap = WEB_MAX_FORM_BODY;
        rs->bad_type = type != NULL && strncasecmp(type, "application/json", 16) != 0;
    }
}

/* A POST or DELETE: Origin, Content-Type, Content-Length against the cap,
 * and the post processor that will read the body. */
static enum MHD_Result begin_body(request_state *rs, struct MHD_Connection *c)
{
    if (!origin_allowed(rs->req.server, web_header(&rs->req, "Origin")))
        return send_refusal(rs, 403, "cross_origin", "Forbidden",
                            "A form from another site cannot post here.");
    choose_body(rs, web_header(&rs->req, "Content-Type"));
    const char *length = web_header(&rs->req, "Content-Length");
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

/* First call of a request: checks that need only the headers. */
static enum MHD_Result begin_request(web_server *s, struct MHD_Connection *c, const char *url,
                                     const char *method, void **con_cls)
{
    conn_state *cs = connection_state(c);
    if (cs && cs->guard.fd >= 0)
        guard_headers_done(s->guard, &cs->guard);
    if (answer_from_cache(s, c, url, method, con_cls))
        return MHD_YES;
    request_state *rs = request_new(s, c, url, method);
    if (!rs)
        return MHD_NO;
    *con_cls = rs;
    if (!web_method_bit(method)) {
        web_response res = {0};
        /* A page, even under /api/: the method says nothing of the path. */
        s->refuse(&rs->req, &res, false, 405, "method_not_allowed", "Method not allowed",
                  "This server answers GET, HEAD and POST (and DELETE on the API).");
        web_methods_text(WEB_ANY_METHOD, res.allow, sizeof res.allow);
        return send_response(rs, &res);
    }
    if (cs && cs->bad_escape) {
        cs->bad_escape = false;
        return send_refusal(rs, 400, "bad_request", "Bad request",
                            "The address has a malformed percent-escape (such as %zz or %00), "
                            "or an escape that is not UTF-8 text (such as %ff).");
    }
    if (!host_allowed(s, web_header(&rs->req, "Host")))
        return send_refusal(rs, 421, "wrong_host", "Wrong host",
                            "This server only answers requests addressed to its own address "
                            "(a defence against DNS rebinding). Open the address it printed.");
    return rs->req.is_post ? begin_body(rs, c) : MHD_YES;
}

static bool csrf_passes(request_state *rs);

/* Team mode: the session from the cookie sl_team (sl_session_check), the
 * actor of the request's writes, and the CSRF token bound to the session.
 * Without a valid session the request stays signed out. */
static void team_session(request_state *rs)
{
    web_request *req = &rs->req;
    sl_store *store = web_store(req->server);
    const char *cookie = web_cookie(req, "sl_team");
    if (store) /* the thread's connection served someone else before */
        sl_store_set_actor(store, NULL);
    if (!store || !cookie || strlen(cookie) != SL_SESSION_TOKEN_SIZE - 1)
        return;
    sl_error err;
    if (sl_session_check(store, cookie, 0, &req->user, &err) != SL_OK) {
        sl_user_clear(&req->user);
        return;
    }
    req->signed_in = true;
    snprintf(req->token, sizeof req->token, "%s", cookie);
    sl_session_csrf(req->token, req->team_csrf);
    /* Jobs belong to the account, not the login: a job page still shows
     * after the same account signs in again, and to no other account.  Not
     * hex, so never equal to a solo session id. */
    snprintf(req->session, sizeof req->session, "account-%lld", (long long)req->user.id);
    rs->new_session = false;
    sl_store_set_actor(store, req->user.name);
}

/* What a route's access rule says of this request in team mode: *refused
 * false when it may go on; else the refusal has been queued. */
static enum MHD_Result team_gate(request_state *rs, bool *refused)
{
    web_request *req = &rs->req;
    web_server *s = req->server;
    const web_route *r = req->route;
    *refused = false;
    if (r->access == WEB_ACCESS_PUBLIC)
        return MHD_YES;
    *refused = true;
    if (!req->signed_in) {
        if (r->api)
            return send_refusal(rs, 401, "unauthorised",
                                "Sign in", "Sign in first: this server has accounts.");
        web_response res = {0};
        char next[400];
        size_t n = 0;
        /* Only a local path is kept (no "//host", no scheme). */
        const char *p = req->path;
        if (p[0] == '/' && p[1] != '/' && p[1] != '\\' && strlen(p) < sizeof next)
            n = (size_t)snprintf(next, sizeof next, "%s", p);
        res.status = 303;
        snprintf(res.location, sizeof res.location, "/login");
        if (n > 1 && !req->is_post) {
            FILE *f = fmemopen(res.location, sizeof res.location, "w");
            if (f) {
                fputs("/login?next=", f);
                url_part(f, next);
                fputc('\0', f);
                fclose(f);
            }
        }
        return send_response(rs, &res);
    }
    const sl_user *u = &req->user;
    if (r->access == WEB_ACCESS_OWNER && u->role != SL_ROLE_OWNER)
        return send_refusal(rs, 404, "not_found", "Not found", "There is nothing at this address.");
    if (r->access == WEB_ACCESS_IMPORT || r->access == WEB_ACCESS_TEST) {
        sl_object_kind kind = r->access == WEB_ACCESS_IMPORT ? SL_OBJECT_IMPORT
                                                             : SL_OBJECT_JOURNAL_TEST;
        sl_error err;
        if (sl_access(web_store(s), u, SL_ACTION_READ, kind, req->id, &err) != SL_OK)
            return send_refusal(rs, 404, "not_found", "Not found", err.message);
        if (r->writes &&
            sl_access(web_store(s), u, SL_ACTION_WRITE, kind, req->id, &err) != SL_OK)
            return send_refusal(rs, 403, "forbidden", "Not allowed",
                                "Your account may read this but not change it.");
    } else if (r->writes && u->role == SL_ROLE_VIEWER) {
        return send_refusal(rs, 403, "forbidden", "Not allowed",
                            "A viewer account reads and changes nothing.");
    }
    *refused = false;
    return MHD_YES;
}

/* Answers with the route the table gives for the path and method; 405 with
 * Allow when the path is known but not the method; 404 when no route takes
 * the path (a table normally ends with routes that answer every path). */
static enum MHD_Result dispatch(request_state *rs)
{
    web_server *s = rs->req.server;
    web_request *req = &rs->req;
    bool path_known;
    unsigned allow;
    req->route = web_route_find(s->routes, s->route_count, req->path,
                                web_method_bit(req->method), &path_known, &allow, &req->id,
                                &req->rest);
    req->team = server_team(s);
    if (!req->route && path_known && req->team) {
        /* Team mode: a signed-out request to a path that needs a session
         * gets the same answer whatever its method (the login redirect or
         * 401), so the 405 tells nobody which methods the path takes. */
        unsigned first = allow & -allow;
        bool known;
        unsigned ignored;
        const web_route *some = web_route_find(s->routes, s->route_count, req->path, first,
                                               &known, &ignored, &req->id, &req->rest);
        team_session(rs);
        if (some && some->access != WEB_ACCESS_PUBLIC && !req->signed_in) {
            req->route = some;
            bool refused;
            return team_gate(rs, &refused);
        }
    }
    if (!req->route && path_known) {
        web_response res = {0};
        s->refuse(req, &res, path_is_api(s, req->path), 405, "method_not_allowed",
                  "Method not allowed", "This address does not take that kind of request.");
        web_methods_text(allow, res.allow, sizeof res.allow);
        return send_response(rs, &res);
    }
    if (!req->route)
        return send_refusal(rs, 404, "not_found", "Not found", "There is nothing at this address.");
    if (req->team) {
        team_session(rs);
        bool refused;
        enum MHD_Result done = team_gate(rs, &refused);
        if (refused)
            return done;
    }
    if (req->is_post && !csrf_passes(rs))
        return send_refusal(rs, 403, "csrf", "This form has expired",
                            "The form's security token does not match this browser's "
                            "session. Go back, reload the page and send it again.");
    web_response res = {.status = 200};
    req->route->handler(req, &res);
    return send_response(rs, &res);
}

/* The body is in: close the upload's file, and refuse a body that was too
 * large, of the wrong type, malformed or cut short.  MHD_YES with
 * *refused false when the request may go on. */
static enum MHD_Result check_body(request_state *rs, bool *refused)
{
    *refused = true;
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
    *refused = false;
    return MHD_YES;
}

/* A POST or DELETE must carry the session's token (form field or header). */
static bool csrf_passes(request_state *rs)
{
    web_request *req = &rs->req;
    const char *token = NULL;
    for (size_t i = 0; i < req->field_count; i++)
        if (strcmp(req->fields[i].name, "csrf") == 0)
            token = req->fields[i].value;
    if (!token)
        token = web_header(req, "X-CSRF-Token");
    if (req->signed_in)
        req->csrf_ok = token && sl_session_csrf_check(req->token, token);
    else
        req->csrf_ok = !rs->new_session && web_token_matches(token, req->session);
    return req->csrf_ok;
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
    bool refused;
    enum MHD_Result done = check_body(rs, &refused);
    if (refused)
        return done;
    return dispatch(rs);
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

/* The address the Host check compares with, port 0 resolved:
 * "127.0.0.1:8080" or "[::1]:8080". */
static void name_host_port(web_server *s, const struct sockaddr_storage *addr, bool ipv6)
{
    char host[64];
    if (ipv6) {
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, text, sizeof text);
        snprintf(host, sizeof host, "[%s]", text);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, host, sizeof host);
    }
    snprintf(s->host_port, sizeof s->host_port, "%s:%u", host, s->port);
}

/* What the server holds besides the daemon: the store checked once, the
 * per-thread store key, the page cache, the import worker and the header
 * watcher.  On failure nothing is left behind. */
static sl_status server_open(web_server *s, const web_options *o, sl_error *err)
{
    /* Opened once here so a store that cannot be opened (or migrated) stops
     * the server before it listens; each worker thread then opens its own. */
    sl_store *first = NULL;
    sl_status st = sl_store_open(o->db_path, &first, err);
    if (st != SL_OK)
        return st;
    sl_store_close(first);
    s->db_path = o->db_path;
    if (pthread_key_create(&s->store_key, close_thread_store) != 0)
        return web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
    if (!(s->cache = calloc(1, sizeof *s->cache))) {
        pthread_key_delete(s->store_key);
        return web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
    }
    pthread_rwlock_init(&s->cache->lock, NULL);
    if (!(s->reports = web_report_cache_new())) {
        cache_free(s->cache);
        pthread_key_delete(s->store_key);
        return web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
    }
    if ((st = web_jobs_start(s, err)) != SL_OK) {
        web_report_cache_free(s->reports);
        cache_free(s->cache);
        pthread_key_delete(s->store_key);
        return st;
    }
    if (!(s->guard = guard_start(WEB_HEADER_DEADLINE_MS))) {
        web_jobs_stop(s);
        web_report_cache_free(s->reports);
        cache_free(s->cache);
        pthread_key_delete(s->store_key);
        return web_fail(err, SL_ERR_NO_MEMORY, "cannot start the connection watcher");
    }
    return SL_OK;
}

/* After the daemon has stopped (its workers joined, so their store
 * connections are closed). */
static void server_close(web_server *s)
{
    guard_stop(s->guard);
    web_jobs_stop(s);
    web_report_cache_free(s->reports);
    cache_free(s->cache);
    pthread_key_delete(s->store_key);
}

/* A whole PEM file, NUL-terminated (heap); NULL with err set. */
static char *read_pem(const char *path, const char *what, sl_error *err)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t size = 0;
    if (f) {
        FILE *m = open_memstream(&data, &size);
        char buf[4096];
        size_t n;
        while (m && (n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, m);
        bool bad = ferror(f);
        fclose(f);
        if (m)
            fclose(m);
        if (!bad && data && size > 0 && size < (1u << 20))
            return data;
        if (data)
            memset(data, 0, size);
        free(data);
    }
    /* Never the file's contents in a message: only its name. */
    web_fail(err, SL_ERR_INVALID_ARGUMENT, "%s: cannot read %s (a PEM file)", what, path);
    return NULL;
}

static char *tls_cert_pem, *tls_key_pem;

static struct MHD_Daemon *start_daemon(web_server *s, const web_options *o, int listen_fd,
                                       bool ipv6)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = o->threads ? o->threads : cores > 0 ? (unsigned)cores : 2;
    if (threads > 16)
        threads = 16;
    /* TURBO: read and write before asking epoll (fewer system calls per request). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    if (s->tls)
        return MHD_start_daemon(
            flags | MHD_USE_TLS, 0, NULL, NULL, handle, s, MHD_OPTION_HTTPS_MEM_CERT,
            tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, tls_key_pem, MHD_OPTION_LISTEN_SOCKET,
            listen_fd, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)CONNECTION_MEMORY, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS_PER_CLIENT,
            MHD_OPTION_NOTIFY_COMPLETED, request_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
            notify_connection, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    return MHD_start_daemon(
        flags, 0, NULL, NULL, handle, s, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS_PER_CLIENT,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
        notify_connection, s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
}

/* Serves until SIGINT or SIGTERM, then lets open requests finish. */
static void serve_until_stopped(struct MHD_Daemon *d, const sigset_t *stop, FILE *log)
{
    int sig = 0;
    while (sigwait(stop, &sig) != 0)
        ;
    fprintf(log, "ShopLab: stopping (finishing open requests)\n");
    MHD_socket listener = MHD_quiesce_daemon(d); /* no new connections */
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    wait_for_drain(d);
    MHD_stop_daemon(d); /* joins the workers: their store connections close */
}

static void tls_forget(void)
{
    if (tls_key_pem)
        memset(tls_key_pem, 0, strlen(tls_key_pem));
    free(tls_key_pem);
    free(tls_cert_pem);
    tls_key_pem = tls_cert_pem = NULL;
}

/* TLS, the trusted proxy and the public name; and the rule for listening
 * beyond loopback: only in team mode (every request then needs a session),
 * and only with TLS here or a trusted proxy in front. */
static sl_status edge_options(web_server *s, const web_options *o, bool loopback, sl_error *err)
{
    if (o->trusted_proxy) {
        struct in_addr a4;
        struct in6_addr a6;
        if (inet_pton(AF_INET, o->trusted_proxy, &a4) == 1)
            inet_ntop(AF_INET, &a4, s->trusted_proxy, sizeof s->trusted_proxy);
        else if (inet_pton(AF_INET6, o->trusted_proxy, &a6) == 1)
            inet_ntop(AF_INET6, &a6, s->trusted_proxy, sizeof s->trusted_proxy);
        else
            return web_fail(err, SL_ERR_INVALID_ARGUMENT,
                            "--trusted-proxy '%s' is not an IP address (for example 127.0.0.1)",
                            o->trusted_proxy);
    }
    if (o->public_url) {
        const char *h = strstr(o->public_url, "://");
        h = h ? h + 3 : o->public_url;
        size_t n = strcspn(h, "/?#");
        if (n == 0 || n >= sizeof s->public_host)
            return web_fail(err, SL_ERR_INVALID_ARGUMENT, "--public-url '%s' names no host",
                            o->public_url);
        memcpy(s->public_host, h, n);
        s->public_host[n] = '\0';
    }
    if (!loopback) {
        sl_store *store = NULL;
        sl_status st = sl_store_open(o->db_path, &store, err);
        if (st != SL_OK)
            return st;
        bool team = sl_team_mode(store);
        sl_store_close(store);
        if (!team)
            return web_fail(err, SL_ERR_IO,
                            "will not listen on %s: a store without accounts is served on "
                            "loopback only (anyone who reached the port would see everything). "
                            "Add an owner first (shoplab user add NAME --role owner), then "
                            "serve with --tls-cert and --tls-key, or behind a reverse proxy "
                            "named with --trusted-proxy",
                            o->listen);
        if (!o->tls_cert && !o->trusted_proxy)
            return web_fail(err, SL_ERR_IO,
                            "will not listen on %s without TLS: give --tls-cert and --tls-key, "
                            "or serve on loopback behind a reverse proxy named with "
                            "--trusted-proxy (docs/team.md)",
                            o->listen);
    }
    if (o->tls_cert) {
        if (!(tls_cert_pem = read_pem(o->tls_cert, "--tls-cert", err)))
            return err ? err->code : SL_ERR_INVALID_ARGUMENT;
        if (!(tls_key_pem = read_pem(o->tls_key, "--tls-key", err))) {
            tls_forget();
            return err ? err->code : SL_ERR_INVALID_ARGUMENT;
        }
        s->tls = true;
    }
    return SL_OK;
}

sl_status web_serve(const web_options *o, sl_error *err)
{
    struct sockaddr_storage addr;
    bool ipv6 = false, loopback = true;
    sl_status st = parse_listen(o->listen, &addr, &ipv6, &loopback, err);
    if (st != SL_OK)
        return st;
    web_server s = {
        .max_upload = o->max_upload ? o->max_upload : WEB_DEFAULT_MAX_UPLOAD,
        .routes = o->routes,
        .route_count = o->route_count,
        .refuse = o->refuse,
    };
    if (!(s.content = sl_content_builtin(err)))
        return err ? err->code : SL_ERR_CONTENT;
    if ((st = edge_options(&s, o, loopback, err)) != SL_OK)
        return st;
    int listen_fd = open_listener(&addr, ipv6, &s.port);
    if (listen_fd < 0) {
        tls_forget();
        return web_fail(err, SL_ERR_IO,
                        "cannot listen on %s: %s (is another server using the port? try "
                        "--listen 127.0.0.1:0 for any free port)",
                        o->listen, strerror(errno));
    }
    name_host_port(&s, &addr, ipv6);

    /* Block the stop signals before any thread starts, so every worker
     * inherits the mask and only sigwait receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((st = server_open(&s, o, err)) != SL_OK) {
        close(listen_fd);
        tls_forget();
        return st;
    }
    struct MHD_Daemon *d = start_daemon(&s, o, listen_fd, ipv6);
    if (!d) {
        int e = errno;
        close(listen_fd);
        server_close(&s);
        tls_forget();
        return web_fail(err, SL_ERR_IO, "cannot start the server on %s: %s", o->listen,
                        e ? strerror(e) : "unknown reason");
    }
    fprintf(o->log, "ShopLab is serving %s://%s/ (press Ctrl+C to stop)\n",
            s.tls ? "https" : "http", s.host_port);
    fflush(o->log);
    serve_until_stopped(d, &stop, o->log);
    server_close(&s);
    tls_forget();
    fprintf(o->log, "ShopLab: stopped\n");
    fflush(o->log);
    return SL_OK;
}
