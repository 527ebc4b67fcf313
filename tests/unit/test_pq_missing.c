/*
 * test_pq_missing.c — a machine without libpq: opening a PostgreSQL
 * database fails with a clear error that names the package, every time,
 * and never crashes; telling the engines apart never needs libpq.
 *
 * libpq is loaded with dlopen on the first PostgreSQL open
 * (src/lib/store/pq_loader.c).  This test links with
 * -Wl,--wrap=dlopen,--wrap=dlerror, so the library's dlopen fails here as
 * it would where libpq5 is not installed.
 */
#include "store/db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

void *__wrap_dlopen(const char *file, int mode);
char *__wrap_dlerror(void);

static int dlopen_calls;

void *__wrap_dlopen(const char *file, int mode)
{
    (void)mode;
    dlopen_calls++;
    assert_string_equal(file, "libpq.so.5");
    return NULL;
}

char *__wrap_dlerror(void)
{
    static char message[] = "libpq.so.5: cannot open shared object file: No such file or "
                            "directory";
    return message;
}

static void open_fails_cleanly(void **state)
{
    (void)state;
    db_engine e = DB_SQLITE;
    assert_int_equal(db_engine_of_target("host=/run/pg dbname=x", &e, NULL), SL_OK);
    assert_int_equal(e, DB_POSTGRES);
    assert_int_equal(dlopen_calls, 0);   /* choosing the engine loads nothing */
    for (int round = 0; round < 2; round++) {
        db *d = NULL;
        sl_error err = {0};
        assert_int_equal(db_pg_open("host=/run/pg dbname=x", false, &d, &err), SL_ERR_STORE);
        assert_null(d);
        assert_non_null(strstr(err.message, "a PostgreSQL database needs libpq (Debian package "
                                            "libpq5): libpq.so.5: cannot open shared object"));
    }
    assert_int_equal(dlopen_calls, 1);   /* tried once per process, not per open */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(open_fails_cleanly)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
