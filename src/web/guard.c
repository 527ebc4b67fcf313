/*
 * guard.c — a deadline for a request's headers.
 *
 * libmicrohttpd's connection timeout is an idle timeout: a client that
 * sends its request line and headers one byte every few seconds is never
 * idle, so it holds its connection for as long as it likes, and enough of
 * them (a "slowloris") fill the server.  libmicrohttpd can bound connections
 * per client address but has no deadline for receiving the headers, so this
 * file adds one: every connection is tracked from the moment it is accepted
 * (and again after each request, for keep-alive), and a watcher thread shuts
 * down the socket of any whose headers have not all arrived within the
 * deadline.  libmicrohttpd then sees the connection end and cleans it up.
 *
 * Why shutdown() is safe here: a connection leaves the list (under the
 * lock) in libmicrohttpd's "closed" notification, which comes before it
 * closes the socket, so the watcher never touches a descriptor that may have
 * been reused.
 */
#include "web.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct web_guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t watcher;
    bool stopping;
    unsigned deadline_ms;
    guard_conn *first;
    uint64_t dropped;            /* connections cut for missing the deadline */
};

uint64_t web_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void *watch(void *arg)
{
    web_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L; /* four rounds a second: deadlines within 250 ms */
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&g->wake, &g->lock, &until);
        if (rc != 0 && rc != ETIMEDOUT)
            break;
        uint64_t now = web_now_ms();
        for (guard_conn *c = g->first; c; c = c->next) {
            uint64_t deadline = atomic_load_explicit(&c->deadline, memory_order_relaxed);
            if (deadline && now >= deadline && !c->cut) {
                shutdown(c->fd, SHUT_RDWR);
                c->cut = true;
                g->dropped++;
            }
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

web_guard *guard_start(unsigned header_deadline_ms)
{
    web_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->deadline_ms = header_deadline_ms;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    if (pthread_create(&g->watcher, NULL, watch, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void guard_stop(web_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->watcher, NULL);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

void guard_track(web_guard *g, guard_conn *c, int fd)
{
    pthread_mutex_lock(&g->lock);
    c->fd = fd;
    c->cut = false;
    atomic_store(&c->deadline, web_now_ms() + g->deadline_ms);
    c->prev = NULL;
    c->next = g->first;
    if (g->first)
        g->first->prev = c;
    g->first = c;
    pthread_mutex_unlock(&g->lock);
}

void guard_untrack(web_guard *g, guard_conn *c)
{
    pthread_mutex_lock(&g->lock);
    if (c->prev)
        c->prev->next = c->next;
    else if (g->first == c)
        g->first = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    pthread_mutex_unlock(&g->lock);
}

/* These two run on every request: an atomic store, no lock. */
void guard_headers_done(web_guard *g, guard_conn *c)
{
    (void)g;
    atomic_store_explicit(&c->deadline, 0, memory_order_relaxed);
}

void guard_request_done(web_guard *g, guard_conn *c)
{
    atomic_store_explicit(&c->deadline, web_now_ms() + g->deadline_ms, memory_order_relaxed);
}

uint64_t guard_dropped(web_guard *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t n = g->dropped;
    pthread_mutex_unlock(&g->lock);
    return n;
}
