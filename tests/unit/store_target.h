/*
 * store_target.h — where a test's fresh store lives, so one test source
 * runs on both engines: a new SQLite file in the test's directory, or,
 * when SHOPLAB_TEST_ENGINE=postgres, a new empty schema in the throwaway
 * cluster of SHOPLAB_TEST_PG (tests/pg/cluster.sh), made with psql and
 * chosen through the connection's search_path.
 */
#ifndef SL_TEST_STORE_TARGET_H
#define SL_TEST_STORE_TARGET_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True when this run's stores are PostgreSQL schemas. */
static inline bool test_on_postgres(void)
{
    const char *engine = getenv("SHOPLAB_TEST_ENGINE");
    return engine && strcmp(engine, "postgres") == 0;
}

/* A cmocka skip for a run that needs an engine it does not have: exit 77
 * (meson's "skipped") when postgres is asked for without a cluster. */
static inline void test_require_cluster(void)
{
    if (test_on_postgres() && !getenv("SHOPLAB_TEST_PG")) {
        fprintf(stderr, "SHOPLAB_TEST_PG is not set: no PostgreSQL cluster to test on "
                        "(./run test starts one)\n");
        /* ./run test sets SHOPLAB_REQUIRE_PG_TESTS: there a skip is a failure. */
        exit(getenv("SHOPLAB_REQUIRE_PG_TESTS") ? 1 : 77);
    }
}

/* Writes a fresh, empty store's --db value to `out`: DIR/NAME for SQLite,
 * or the cluster's URI with a new schema for PostgreSQL. */
static inline const char *test_store_target(char *out, size_t size, const char *dir,
                                            const char *name)
{
    if (!test_on_postgres()) {
        char file[256]; /* `name` may sit beside `out` in the caller's struct */
        snprintf(file, sizeof file, "%s", name);
        snprintf(out, size, "%s/%s", dir, file);
        return out;
    }
    static unsigned seq;
    const char *base = getenv("SHOPLAB_TEST_PG");
    char schema[64], command[2048];
    snprintf(schema, sizeof schema, "t%ld_%u", (long)getpid(), seq++);
    snprintf(command, sizeof command,
             "psql -q -X -v ON_ERROR_STOP=1 '%s' -c 'CREATE SCHEMA %s' >/dev/null", base, schema);
    if (system(command) != 0) {
        fprintf(stderr, "cannot create schema %s with psql on %s\n", schema, base);
        abort();
    }
    snprintf(out, size, "%s%coptions=-csearch_path%%3D%s", base, strchr(base, '?') ? '&' : '?',
             schema);
    return out;
}

/* Runs `sql` on a PostgreSQL store with psql: 0 when it succeeded. */
static inline int test_pg_sql(const char *target, const char *sql)
{
    char command[4096];
    snprintf(command, sizeof command, "psql -q -X -v ON_ERROR_STOP=1 '%s' -c \"%s\" "
             ">/dev/null 2>&1", target, sql);
    return system(command);
}

/* The one whole number `sql` selects on a PostgreSQL store, via psql. */
static inline long long test_pg_int(const char *target, const char *sql)
{
    char command[4096];
    snprintf(command, sizeof command, "psql -q -X -t -A '%s' -c \"%s\"", target, sql);
    FILE *out = popen(command, "r");
    long long v = -1;
    if (!out || fscanf(out, "%lld", &v) != 1)
        v = -1;
    if (out && pclose(out) != 0)
        v = -1;
    return v;
}

#endif
