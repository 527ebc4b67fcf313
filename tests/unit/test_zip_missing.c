/*
 * test_zip_missing.c — a machine without libzip: reading an XLSX fails
 * with a clear error that names the package (exit code of a file that
 * cannot be read), every time, and never crashes; CSV still reads.
 *
 * libzip is loaded with dlopen on the first XLSX (src/lib/zip_loader.c).
 * This test links with -Wl,--wrap=dlopen,--wrap=dlerror, so the library's
 * dlopen fails here as it would where libzip4 is not installed.
 *
 * Usage: test_zip_missing XLSX_FILE CSV_FILE
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "shoplab.h"

void *__wrap_dlopen(const char *file, int mode);
char *__wrap_dlerror(void);

static int dlopen_calls;
static const char *xlsx_path, *csv_path;

void *__wrap_dlopen(const char *file, int mode)
{
    (void)mode;
    dlopen_calls++;
    assert_string_equal(file, "libzip.so.4");
    return NULL;
}

char *__wrap_dlerror(void)
{
    static char message[] = "libzip.so.4: cannot open shared object file: No such file or "
                            "directory";
    return message;
}

static void xlsx_fails_cleanly(void **state)
{
    (void)state;
    sl_read_options o = {0};
    for (int round = 0; round < 2; round++) {
        sl_report *r = NULL;
        sl_error err;
        sl_status st = sl_report_read(&xlsx_path, 1, &o, &r, &err);
        assert_int_equal(st, SL_ERR_READ);
        assert_null(r);
        assert_non_null(strstr(err.message, "reading XLSX needs libzip (Debian package "
                                            "libzip4): libzip.so.4: cannot open shared "
                                            "object file"));
        assert_non_null(strstr(err.message, xlsx_path));
    }
    /* Loaded (or not) once per process. */
    assert_int_equal(dlopen_calls, 1);
}

static void csv_still_reads(void **state)
{
    (void)state;
    sl_read_options o = {0};
    sl_report *r = NULL;
    sl_error err;
    if (sl_report_read(&csv_path, 1, &o, &r, &err) != SL_OK)
        fail_msg("%s", err.message);
    assert_true(r->row_count > 0);
    sl_report_free(r);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_zip_missing XLSX_FILE CSV_FILE\n");
        return 2;
    }
    xlsx_path = argv[1];
    csv_path = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xlsx_fails_cleanly),
        cmocka_unit_test(csv_still_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
