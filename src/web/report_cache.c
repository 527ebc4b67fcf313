/*
 * report_cache.c — stored reports kept in memory between requests.
 *
 * A report page is rebuilt from every stored row of its import: for an
 * import of 20 million rows that is seconds of work, and a reader who
 * pages, sorts or filters would repeat it each time.  An import never
 * changes once stored, so the report it gives is kept here, its readings
 * counted once, keyed by the import's id, content hash, grouping and the
 * weak-rows filter; a request takes its page from it without copying the
 * rows (sl_report_page_of).
 *
 * A kept report is used only while the store still holds the same import
 * (a forgotten import's id can be given again to a new file, hence the
 * hash), and never when its baselines came from other imports, which a new
 * import could change.  The cache holds at most WEB_REPORT_CACHE_BYTES of
 * rows; the least recently used report goes first, and is freed when the
 * last request using it is done.
 */
#include "web.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One report shared by the cache and the requests reading it. */
typedef struct shared_report {
    sl_report *report;
    int refs;                   /* the cache's own, plus one per reader */
} shared_report;

typedef struct kept_report {
    int64_t import_id;
    char hash[65];
    bool group;
    sl_dimension by;
    bool weak;
    shared_report *shared;
    size_t bytes;
    uint64_t last_used;
} kept_report;

struct web_report_cache {
    pthread_mutex_t lock;
    /* Held while a report is built: readers who all ask for the same big
     * report at once wait for the first one's build instead of each
     * rebuilding it (which, on a busy page, would never finish). */
    pthread_mutex_t building;
    kept_report items[WEB_REPORT_CACHE_ITEMS];
    size_t count;
    size_t bytes;
    uint64_t clock;
};

typedef struct report_key {
    int64_t id;
    const char *hash;
    const sl_read_options *options;
    bool weak;
} report_key;

struct web_report_cache *web_report_cache_new(void)
{
    struct web_report_cache *c = calloc(1, sizeof *c);
    if (c) {
        pthread_mutex_init(&c->lock, NULL);
        pthread_mutex_init(&c->building, NULL);
    }
    return c;
}

/* Drops one reference (lock held, or no other thread left). */
static void release(shared_report *s)
{
    if (s && --s->refs == 0) {
        sl_report_free(s->report);
        free(s);
    }
}

void web_report_cache_free(struct web_report_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        release(c->items[i].shared);
    pthread_mutex_destroy(&c->building);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static size_t report_bytes(const sl_report *r)
{
    size_t bytes = sizeof *r + r->row_count * sizeof *r->rows;
    for (int q = 0; q < 4; q++)
        bytes += r->sorted_count[q] * sizeof(double);
    return bytes;
}

static bool same_key(const kept_report *k, report_key key)
{
    return k->import_id == key.id && strcmp(k->hash, key.hash) == 0 &&
           k->group == key.options->group && (!k->group || k->by == key.options->by) &&
           k->weak == key.weak;
}

/* The kept report for `key` with a reference taken, or NULL. */
static shared_report *take_kept(struct web_report_cache *c, report_key key)
{
    shared_report *found = NULL;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->count; i++)
        if (same_key(&c->items[i], key)) {
            c->items[i].last_used = ++c->clock;
            found = c->items[i].shared;
            found->refs++;
            break;
        }
    pthread_mutex_unlock(&c->lock);
    return found;
}

static void give_back(struct web_report_cache *c, shared_report *s)
{
    pthread_mutex_lock(&c->lock);
    release(s);
    pthread_mutex_unlock(&c->lock);
}

/* Keeps `r` and returns it shared with one reference for the caller; NULL
 * (and `r` freed) when memory runs out. */
static shared_report *keep(struct web_report_cache *c, report_key key, sl_report *r)
{
    shared_report *s = malloc(sizeof *s);
    if (!s) {
        sl_report_free(r);
        return NULL;
    }
    *s = (shared_report){r, 2};
    size_t bytes = report_bytes(r);
    pthread_mutex_lock(&c->lock);
    while (c->count > 0 &&
           (c->count == WEB_REPORT_CACHE_ITEMS || c->bytes + bytes > WEB_REPORT_CACHE_BYTES)) {
        size_t oldest = 0;
        for (size_t i = 1; i < c->count; i++)
            if (c->items[i].last_used < c->items[oldest].last_used)
                oldest = i;
        c->bytes -= c->items[oldest].bytes;
        release(c->items[oldest].shared);
        c->items[oldest] = c->items[--c->count];
    }
    kept_report *k = &c->items[c->count++];
    *k = (kept_report){.import_id = key.id, .group = key.options->group,
                       .by = key.options->by, .weak = key.weak, .shared = s, .bytes = bytes,
                       .last_used = ++c->clock};
    snprintf(k->hash, sizeof k->hash, "%s", key.hash);
    c->bytes += bytes;
    pthread_mutex_unlock(&c->lock);
    return s;
}

/* Builds the report for `key` (building lock held): from the store, or for
 * the weak rows from the whole report. */
static sl_status build(web_server *server, report_key key, sl_report **out, sl_error *err)
{
    if (!key.weak) {
        sl_status st = sl_report_from_import(web_store(server), key.id, key.options, out, err);
        if (st == SL_OK)
            sl_report_count_steps(*out); /* once, for every page taken from it */
        return st;
    }
    report_key whole_key = key;
    whole_key.weak = false;
    shared_report *whole = take_kept(server->reports, whole_key);
    sl_report *built = NULL;
    sl_status st = whole ? sl_report_copy(whole->report, &built, err)
                         : sl_report_from_import(web_store(server), key.id, key.options, &built,
                                                 err);
    if (whole)
        give_back(server->reports, whole);
    if (st == SL_OK)
        st = sl_report_keep_weak(built, err);
    if (st != SL_OK) {
        sl_report_free(built);
        built = NULL;
    }
    *out = built;
    return st;
}

/* The kept report for `key`, built on first use, with a reference taken;
 * or, when it may not be kept, *own holds a report of the caller's own. */
static sl_status find(web_server *server, report_key key, shared_report **shared,
                      sl_report **own, sl_error *err)
{
    struct web_report_cache *c = server->reports;
    *shared = NULL;
    *own = NULL;
    if ((*shared = take_kept(c, key)) != NULL)
        return SL_OK;
    pthread_mutex_lock(&c->building);
    sl_status st = SL_OK;
    if ((*shared = take_kept(c, key)) == NULL) { /* not built while we waited */
        sl_report *built;
        st = build(server, key, &built, err);
        if (st == SL_OK && !built->baseline_stored &&
            report_bytes(built) <= WEB_REPORT_CACHE_BYTES / 2) {
            if (!(*shared = keep(c, key, built)))
                st = web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
        } else if (st == SL_OK) {
            *own = built;
        }
    }
    pthread_mutex_unlock(&c->building);
    return st;
}

/* The import's content hash, or SL_ERR_NOT_FOUND. */
static sl_status import_hash(web_server *server, int64_t id, char hash[65], sl_error *err)
{
    sl_store *store = web_store(server);
    if (!store)
        return web_fail(err, SL_ERR_STORE, "the store cannot be opened");
    sl_import meta;
    sl_status st = sl_store_import_get(store, id, &meta, err);
    if (st == SL_OK)
        memcpy(hash, meta.hash, 65);
    return st;
}

/* The report of import `id` as the store holds it now: kept (*shared, a
 * reference taken) or the caller's own (*own). */
static sl_status report_of(web_server *server, int64_t id, const sl_read_options *options,
                           bool weak, shared_report **shared, sl_report **own, sl_error *err)
{
    char hash[65];
    sl_status st = import_hash(server, id, hash, err);
    if (st != SL_OK)
        return st;
    return find(server, (report_key){id, hash, options, weak}, shared, own, err);
}

sl_status web_report_page(web_server *server, int64_t id, const sl_read_options *options,
                          bool weak, sl_report_order order, bool descending, size_t first,
                          size_t count, sl_report **out, sl_error *err)
{
    *out = NULL;
    shared_report *shared = NULL;
    sl_report *own = NULL;
    sl_status st = report_of(server, id, options, weak, &shared, &own, err);
    if (st != SL_OK)
        return st;
    if (own) {
        st = sl_report_page(own, order, descending, first, count, err);
        if (st == SL_OK)
            *out = own;
        else
            sl_report_free(own);
        return st;
    }
    st = sl_report_page_of(shared->report, order, descending, first, count, out, err);
    give_back(server->reports, shared);
    return st;
}

sl_status web_report_load(web_server *server, int64_t id, const sl_read_options *options,
                          sl_report **out, sl_error *err)
{
    *out = NULL;
    shared_report *shared = NULL;
    sl_report *own = NULL;
    sl_status st = report_of(server, id, options, false, &shared, &own, err);
    if (st != SL_OK || own) {
        *out = own;
        return st;
    }
    st = sl_report_copy(shared->report, out, err);
    give_back(server->reports, shared);
    return st;
}
