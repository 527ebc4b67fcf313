/*
 * test_errors.c — the one status table (src/lib/error.c) against
 * docs/errors.md: every code has its row there with the same name, exit code
 * and HTTP status, and a section saying why it happens and what to do; and
 * the table itself keeps the rules front ends rely on.
 */
#include "shoplab.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *docs_path;

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    static char text[64 * 1024];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void docs_match_the_table(void **state)
{
    (void)state;
    const char *docs = read_all(docs_path);
    for (int s = 0; s < SL_STATUS__COUNT; s++) {
        char row[160], section[96];
        snprintf(row, sizeof row, "| %d | `%s` | %d | %d |", s, sl_status_name((sl_status)s),
                 sl_status_exit_code((sl_status)s), sl_status_http((sl_status)s));
        if (!strstr(docs, row))
            fail_msg("docs/errors.md has no row \"%s\"", row);
        snprintf(section, sizeof section, "\n## %s\n", sl_status_name((sl_status)s));
        const char *at = strstr(docs, section);
        if (!at)
            fail_msg("docs/errors.md has no section for %s", sl_status_name((sl_status)s));
        if (s != SL_OK) {
            const char *next = strstr(at + strlen(section), "\n## ");
            const char *why = strstr(at, "**Why:**"), *todo = strstr(at, "**What to do:**");
            if (!why || !todo || (next && (why > next || todo > next)))
                fail_msg("the section for %s lacks Why or What to do",
                         sl_status_name((sl_status)s));
        }
    }
}

static void table_keeps_the_front_ends_rules(void **state)
{
    (void)state;
    assert_int_equal(sl_status_exit_code(SL_OK), 0);
    assert_int_equal(sl_status_http(SL_OK), 200);
    for (int s = 1; s < SL_STATUS__COUNT; s++) {
        int code = sl_status_exit_code((sl_status)s), http = sl_status_http((sl_status)s);
        /* 2 is the parsers' usage error and 10 serve's listen error: no
         * library code may take them.  11 is refused access (team mode). */
        assert_true(code >= 1 && code <= 11 && code != 2 && code != 10);
        assert_true(http >= 400 && http <= 599);
        assert_string_not_equal(sl_status_name((sl_status)s), "unknown");
    }
    assert_int_equal(sl_status_http(SL_ERR_BUSY), 503);
    assert_int_equal(sl_status_exit_code(SL_ERR_BUSY), sl_status_exit_code(SL_ERR_STORE));
    assert_int_equal(sl_status_http(SL_ERR_UNAUTHORISED), 401);
    assert_int_equal(sl_status_http(SL_ERR_RATE_LIMITED), 429);
    assert_int_equal(sl_status_exit_code((sl_status)999), 1);
    assert_int_equal(sl_status_http((sl_status)999), 500);
    assert_string_equal(sl_status_name((sl_status)-1), "unknown");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_errors DOCS/errors.md\n");
        return 2;
    }
    docs_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(docs_match_the_table),
        cmocka_unit_test(table_keeps_the_front_ends_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
