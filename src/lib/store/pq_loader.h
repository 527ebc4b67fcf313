/*
 * pq_loader.h — libpq, loaded the first time a PostgreSQL database is
 * opened (private to store/; pq_loader.c).
 *
 * Every command links the library, and libpq brings libssl, libcrypto,
 * GSSAPI and LDAP with it: loading those at each start would cost more
 * than a decode does in all, for the few commands that use PostgreSQL.
 * The pointer types come from <libpq-fe.h> through __typeof__, so a
 * signature that changes there is a compile error here, not a bad call.
 */
#ifndef SL_PQ_LOADER_H
#define SL_PQ_LOADER_H

#include "shoplab.h"

#include <libpq-fe.h>

/* The libpq functions db_pg.c and db_pg_copy.c call, named without their "PQ" prefix. */
typedef struct sl_pq_api {
    __typeof__(PQconnectdb) *connectdb;
    __typeof__(PQstatus) *status;
    __typeof__(PQerrorMessage) *errorMessage;
    __typeof__(PQfinish) *finish;
    __typeof__(PQreset) *reset;
    __typeof__(PQdb) *db;
    __typeof__(PQhost) *host;
    __typeof__(PQport) *port;
    __typeof__(PQtransactionStatus) *transactionStatus;
    __typeof__(PQexec) *exec;
    __typeof__(PQexecParams) *execParams;
    __typeof__(PQprepare) *prepare;
    __typeof__(PQexecPrepared) *execPrepared;
    __typeof__(PQresultStatus) *resultStatus;
    __typeof__(PQresultErrorMessage) *resultErrorMessage;
    __typeof__(PQresultErrorField) *resultErrorField;
    __typeof__(PQcmdStatus) *cmdStatus;
    __typeof__(PQclear) *clear;
    __typeof__(PQntuples) *ntuples;
    __typeof__(PQnfields) *nfields;
    __typeof__(PQgetvalue) *getvalue;
    __typeof__(PQgetisnull) *getisnull;
    __typeof__(PQputCopyData) *putCopyData;
    __typeof__(PQputCopyEnd) *putCopyEnd;
    __typeof__(PQgetResult) *getResult;
    __typeof__(PQconninfoParse) *conninfoParse;
    __typeof__(PQconninfoFree) *conninfoFree;
    __typeof__(PQfreemem) *freemem;
    __typeof__(PQsetNoticeProcessor) *setNoticeProcessor;
} sl_pq_api;

/* The loaded functions, or NULL when libpq cannot be loaded; then `why`
 * (if not NULL) is set to a static message naming the Debian package and
 * the loader's reason.  Loads once per process (pthread_once), so any
 * thread may call it; the library stays loaded until exit. */
const sl_pq_api *sl_pq_api_get(const char **why);

#endif
