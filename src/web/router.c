/*
 * router.c — which route of the program's table answers a path and method.
 *
 * The server (server.c) knows no route by name: the program hands it a
 * table (routes.c), and this file matches a request against it.  It has no
 * HTTP library in it, so the matching rules are plain functions of strings.
 * The rule: the first route whose pattern matches the path fixes the path;
 * the routes with that same pattern right after it are its other methods.
 */
#include "web.h"

#include <string.h>

/* The id at the start of `text` ("12/look" → 12, rest "/look"): digits only,
 * 1 ≤ id < 2^53 (an id the store hands out, exact in a JSON number). */
static bool leading_id(const char *text, int64_t *id, const char **rest)
{
    uint64_t v = 0;
    const char *p = text;
    while (*p >= '0' && *p <= '9' && v < (1ull << 53))
        v = v * 10 + (uint64_t)(*p++ - '0');
    if (p == text || v == 0 || v >= (1ull << 53))
        return false;
    *id = (int64_t)v;
    *rest = p;
    return true;
}

static bool path_matches(const web_route *r, const char *path, int64_t *id, const char **rest)
{
    size_t n = strlen(r->path);
    switch (r->match) {
    case WEB_PATH_EXACT:
        return strcmp(path, r->path) == 0;
    case WEB_PATH_REST:
        if (strncmp(path, r->path, n) != 0 || !path[n])
            return false;
        *rest = path + n;
        return true;
    case WEB_PATH_ID: {
        const char *after;
        return strncmp(path, r->path, n) == 0 && leading_id(path + n, id, &after) &&
               strcmp(after, r->suffix ? r->suffix : "") == 0;
    }
    }
    return false;
}

static bool same_pattern(const web_route *a, const web_route *b)
{
    return a->match == b->match && strcmp(a->path, b->path) == 0 &&
           strcmp(a->suffix ? a->suffix : "", b->suffix ? b->suffix : "") == 0;
}

const web_route *web_route_find(const web_route *routes, size_t count, const char *path,
                                unsigned method, bool *path_matched, unsigned *allow,
                                int64_t *id, const char **rest)
{
    *path_matched = false;
    *allow = 0;
    *id = 0;
    *rest = NULL;
    size_t first = 0;
    while (first < count && !path_matches(&routes[first], path, id, rest))
        first++;
    if (first == count)
        return NULL;
    *path_matched = true;
    const web_route *answer = NULL;
    for (size_t i = first; i < count && same_pattern(&routes[first], &routes[i]); i++) {
        *allow |= routes[i].methods;
        if (!answer && (routes[i].methods & method))
            answer = &routes[i];
    }
    return answer;
}

static const char *const method_names[] = {"GET", "HEAD", "POST", "DELETE"};

unsigned web_method_bit(const char *method)
{
    for (unsigned i = 0; i < sizeof method_names / sizeof *method_names; i++)
        if (strcmp(method, method_names[i]) == 0)
            return 1u << i;
    return 0;
}

const char *web_methods_text(unsigned methods, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < sizeof method_names / sizeof *method_names; i++) {
        if (!(methods & (1u << i)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", method_names[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    return buf;
}
