/*
 * test_alloc_failure.c — fails the library's allocations one at a time and
 * checks every call gives a clean SL_ERR_NO_MEMORY (or a result), never a
 * crash, a half-built tree or a leak (the sanitizer build checks leaks).
 *
 * The test links with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so
 * every allocation made by libshoplab's own code passes through the wrappers
 * below; the Nth one fails when `fail_at` is N.
 *
 * Usage: test_alloc_failure CONTENT_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoplab.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

static long allocations, fail_at;
static const char *content_dir;

static int should_fail(void)
{
    return fail_at > 0 && ++allocations == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
    return should_fail() ? NULL : __real_realloc(ptr, size);
}

/* Runs `step` with the 1st, 2nd, … allocation failing until a run finishes
 * with no allocation left to fail; returns how many failures were tried. */
static long each_failure(void (*step)(void))
{
    long tried = 0;
    for (fail_at = 1;; fail_at++) {
        allocations = 0;
        step();
        if (allocations < fail_at)
            break; /* this run made fewer allocations: every one was failed once */
        tried++;
    }
    fail_at = 0;
    return tried;
}

static void load_content(void)
{
    sl_content *c = NULL;
    sl_error err;
    sl_status st = sl_content_load_dir(content_dir, &c, &err);
    if (st == SL_OK) {
        assert_non_null(c);
        assert_true(sl_term_count(c) >= 35);
    } else {
        assert_null(c);
        assert_true(st == SL_ERR_NO_MEMORY || st == SL_ERR_IO);
        assert_true(err.message[0] != '\0');
    }
    sl_content_free(c);
}

static void content_loading_survives_every_failed_allocation(void **state)
{
    (void)state;
    long tried = each_failure(load_content);
    print_message("content loading: %ld allocations failed in turn\n", tried);
    assert_true(tried > 50); /* the loader really allocates, and each one was failed */
}

static void suggest_and_session(void)
{
    const sl_content *c = sl_content_builtin(NULL);
    const sl_term *out[5];
    size_t n = sl_term_suggest(c, "prodcut ctr", out, 5);
    assert_true(n <= 5);
    const sl_drill *session[6];
    size_t m = sl_drill_session(c, true, SL_DRILL_PICK, 6, 1, session);
    assert_true(m <= 6);
    double ps[3] = {0.01, 0.04, 0.03};
    sl_status st = sl_holm_adjust(ps, 3);
    assert_true(st == SL_OK || st == SL_ERR_NO_MEMORY);
}

static void lookups_survive_failed_allocations(void **state)
{
    (void)state;
    assert_non_null(sl_content_builtin(NULL)); /* loaded once, before failures */
    long tried = each_failure(suggest_and_session);
    print_message("lookups: %ld allocations failed in turn\n", tried);
    assert_true(tried >= 3);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_alloc_failure CONTENT_DIR\n");
        return 2;
    }
    content_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_loading_survives_every_failed_allocation),
        cmocka_unit_test(lookups_survive_failed_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
