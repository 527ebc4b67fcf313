/*
 * request.c — what a route reads of its request: parameters, headers,
 * cookies, the session and the calling thread's store connection.
 *
 * The routes call these and never server.c, so the server stays the HTTP
 * side only (checks, bodies, responses) and the pages stay out of it.  The
 * lookups go to libmicrohttpd's parsed request, which is why they live in
 * the web program and not in the library.
 */
#include "web.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

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

const char *web_cookie(const web_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_COOKIE_KIND, name);
}

bool web_has_query(const web_request *req)
{
    return MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0;
}

/* ---- sessions ---- */

bool web_session_valid(const char *id)
{
    if (!id || strlen(id) != 32)
        return false;
    for (const char *p = id; *p; p++)
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

/* Constant time: the token must not leak by timing. */
bool web_token_matches(const char *token, const char *session)
{
    if (!token || !session || strlen(token) != 32 || strlen(session) != 32)
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < 32; i++)
        diff |= (unsigned char)(token[i] ^ session[i]);
    return diff == 0;
}

/* ---- store connections ---- */

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
