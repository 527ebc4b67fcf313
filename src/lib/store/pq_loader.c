/*
 * pq_loader.c — opens libpq with dlopen the first time a PostgreSQL
 * database is opened, so commands that use SQLite or no database at all do
 * not pay for loading libpq, TLS and Kerberos at every start.
 *
 * A machine without libpq can still do everything with SQLite: a
 * PostgreSQL --db gets a clear error naming the package, never a crash.
 * (Same pattern as import/zip_loader.c.)
 */
#include "pq_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The soname of the libpq ABI <libpq-fe.h> describes (Debian package libpq5). */
#define LIBPQ_SONAME "libpq.so.5"
#define NEEDS "a PostgreSQL database needs libpq (Debian package libpq5): "

static struct {
    pthread_once_t once;
    sl_pq_api api;
    const sl_pq_api *ready;   /* &api once every function resolved */
    char why[400];
} loader = {.once = PTHREAD_ONCE_INIT};

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which ISO C alone does not, hence the memcpy. */
static bool resolve(void *lib, const char *name, void *slot, size_t size)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        const char *e = dlerror();
        snprintf(loader.why, sizeof loader.why, NEEDS "%s", e ? e : name);
        return false;
    }
    memcpy(slot, &sym, size);
    return true;
}

static void load(void)
{
    void *lib = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(loader.why, sizeof loader.why, NEEDS "%s", e ? e : "cannot load " LIBPQ_SONAME);
        return;
    }
    sl_pq_api *a = &loader.api;
#define RESOLVE(field) resolve(lib, "PQ" #field, &a->field, sizeof a->field)
    bool ok = RESOLVE(connectdb) && RESOLVE(status) && RESOLVE(errorMessage) &&
              RESOLVE(finish) && RESOLVE(reset) && RESOLVE(db) && RESOLVE(host) &&
              RESOLVE(port) && RESOLVE(transactionStatus) && RESOLVE(exec) &&
              RESOLVE(execParams) && RESOLVE(prepare) && RESOLVE(execPrepared) &&
              RESOLVE(resultStatus) && RESOLVE(resultErrorMessage) &&
              RESOLVE(resultErrorField) && RESOLVE(cmdStatus) && RESOLVE(clear) &&
              RESOLVE(ntuples) && RESOLVE(nfields) && RESOLVE(getvalue) &&
              RESOLVE(getisnull) && RESOLVE(putCopyData) && RESOLVE(putCopyEnd) &&
              RESOLVE(getResult) && RESOLVE(conninfoParse) && RESOLVE(conninfoFree) &&
              RESOLVE(freemem) && RESOLVE(setNoticeProcessor);
#undef RESOLVE
    if (!ok) {
        /* A libpq too old for one of the functions: nothing is half-used. */
        dlclose(lib);
        return;
    }
    loader.ready = a;
}

const sl_pq_api *sl_pq_api_get(const char **why)
{
    pthread_once(&loader.once, load);
    if (!loader.ready && why)
        *why = loader.why;
    return loader.ready;
}
