/*
 * pq_loader.c — opens libpq with dlopen the first time a PostgreSQL
 * database is opened, so commands that use SQLite or no database at all do
 * not pay for loading libpq, TLS and Kerberos at every start.
 *
 * A machine without libpq can still do everything with SQLite: a
 * PostgreSQL --db gets a clear error naming the package, never a crash.
 * (base/loader.c does the loading for both.)
 */
#include "pq_loader.h"
#include "base/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
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

static const sl_symbol pq_symbols[] = {
    {"PQconnectdb", offsetof(sl_pq_api, connectdb)},
    {"PQstatus", offsetof(sl_pq_api, status)},
    {"PQerrorMessage", offsetof(sl_pq_api, errorMessage)},
    {"PQfinish", offsetof(sl_pq_api, finish)},
    {"PQreset", offsetof(sl_pq_api, reset)},
    {"PQdb", offsetof(sl_pq_api, db)},
    {"PQhost", offsetof(sl_pq_api, host)},
    {"PQport", offsetof(sl_pq_api, port)},
    {"PQtransactionStatus", offsetof(sl_pq_api, transactionStatus)},
    {"PQexec", offsetof(sl_pq_api, exec)},
    {"PQexecParams", offsetof(sl_pq_api, execParams)},
    {"PQprepare", offsetof(sl_pq_api, prepare)},
    {"PQexecPrepared", offsetof(sl_pq_api, execPrepared)},
    {"PQresultStatus", offsetof(sl_pq_api, resultStatus)},
    {"PQresultErrorMessage", offsetof(sl_pq_api, resultErrorMessage)},
    {"PQresultErrorField", offsetof(sl_pq_api, resultErrorField)},
    {"PQcmdStatus", offsetof(sl_pq_api, cmdStatus)},
    {"PQclear", offsetof(sl_pq_api, clear)},
    {"PQntuples", offsetof(sl_pq_api, ntuples)},
    {"PQnfields", offsetof(sl_pq_api, nfields)},
    {"PQgetvalue", offsetof(sl_pq_api, getvalue)},
    {"PQgetisnull", offsetof(sl_pq_api, getisnull)},
    {"PQputCopyData", offsetof(sl_pq_api, putCopyData)},
    {"PQputCopyEnd", offsetof(sl_pq_api, putCopyEnd)},
    {"PQgetResult", offsetof(sl_pq_api, getResult)},
    {"PQconninfoParse", offsetof(sl_pq_api, conninfoParse)},
    {"PQconninfoFree", offsetof(sl_pq_api, conninfoFree)},
    {"PQfreemem", offsetof(sl_pq_api, freemem)},
    {"PQsetNoticeProcessor", offsetof(sl_pq_api, setNoticeProcessor)},
};

static void load(void)
{
    if (sl_library_load(LIBPQ_SONAME, NEEDS, pq_symbols, sizeof pq_symbols / sizeof *pq_symbols,
                        &loader.api, loader.why, sizeof loader.why))
        loader.ready = &loader.api;
}

const sl_pq_api *sl_pq_api_get(const char **why)
{
    pthread_once(&loader.once, load);
    if (!loader.ready && why)
        *why = loader.why;
    return loader.ready;
}
