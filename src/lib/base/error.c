/*
 * error.c — the status codes: names, descriptions, and the error filler.
 *
 * The tables are indexed by sl_status, so adding a code means appending one
 * line to each; a static assertion keeps them the same length.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line per status: everything that depends on it is read from here —
 * the JSON error code, the description, the shoplab command's exit code
 * (README "Exit codes") and the web app's HTTP status — so a new code cannot
 * be given one and forgotten in another.  docs/errors.md says why each
 * happens and what to do; tests/unit/test_errors.c checks it against this
 * table. */
static const struct status_entry {
    const char *name;
    const char *text;
    int exit_code;
    int http;
} statuses[] = {
    [SL_OK] = {"ok", "success", 0, 200},
    [SL_ERR_INVALID_ARGUMENT] = {"invalid_argument", "invalid argument", 3, 400},
    [SL_ERR_NEGATIVE_COUNT] = {"negative_count", "negative count", 3, 422},
    [SL_ERR_NOT_WHOLE] = {"not_whole", "count is not a whole number", 3, 422},
    [SL_ERR_COUNT_TOO_LARGE] = {"count_too_large", "count too large", 3, 422},
    [SL_ERR_SUCCESSES_EXCEED_TRIALS] = {"successes_exceed_trials", "successes exceed trials", 3,
                                        422},
    [SL_ERR_INCONSISTENT_FUNNEL] = {"inconsistent_funnel", "inconsistent funnel", 3, 422},
    [SL_ERR_NO_DATA] = {"no_data", "no data (zero trials)", 4, 422},
    [SL_ERR_INFEASIBLE] = {"infeasible", "cannot be detected with this data", 5, 422},
    [SL_ERR_TOO_LARGE_FOR_METHOD] = {"too_large_for_method", "too large for this method", 5,
                                     422},
    [SL_ERR_NO_MEMORY] = {"no_memory", "out of memory", 1, 500},
    [SL_ERR_IO] = {"io", "input/output error", 7, 500},
    [SL_ERR_PARSE] = {"parse", "not a valid value", 3, 400},
    [SL_ERR_NOT_FOUND] = {"not_found", "not found", 6, 404},
    [SL_ERR_CONTENT] = {"content", "embedded content is malformed", 1, 500},
    [SL_ERR_LIMIT] = {"limit", "input exceeds a limit", 3, 413},
    [SL_ERR_UNRECOGNISED] = {"unrecognised", "file not recognised", 3, 422},
    [SL_ERR_READ] = {"read", "input cannot be read", 8, 400},
    [SL_ERR_STORE] = {"store", "database error", 9, 500},
    [SL_ERR_BUSY] = {"busy", "the database is busy", 9, 503},
    [SL_ERR_UNREACHABLE] = {"unreachable", "the database cannot be reached", 9, 503},
    [SL_ERR_UNAUTHORISED] = {"unauthorised", "wrong name or password, or no session", 11, 401},
    [SL_ERR_RATE_LIMITED] = {"rate_limited", "too many failed logins; wait and try again", 11,
                             429},
};

_Static_assert(sizeof statuses / sizeof *statuses == SL_STATUS__COUNT,
               "every sl_status needs its line in the table");

static const struct status_entry *entry(sl_status status)
{
    return (unsigned)status < SL_STATUS__COUNT ? &statuses[status] : NULL;
}

const char *sl_strerror(sl_status status)
{
    return entry(status) ? entry(status)->text : "unknown error";
}

const char *sl_status_name(sl_status status)
{
    return entry(status) ? entry(status)->name : "unknown";
}

int sl_status_exit_code(sl_status status)
{
    return entry(status) ? entry(status)->exit_code : 1;
}

int sl_status_http(sl_status status)
{
    return entry(status) ? entry(status)->http : 500;
}

void sl_error_clear(sl_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

sl_status sl_fail(sl_error *err, sl_status code, const char *field, const char *fmt, ...)
{
    if (err) {
        sl_error_clear(err);
        err->code = code;
        err->field = field;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

sl_status sl_fail_at(sl_error *err, sl_status code, sl_place where, const char *fmt, ...)
{
    if (err) {
        sl_error_clear(err);
        err->code = code;
        const char *file = where.file ? where.file : "";
        snprintf(err->file, sizeof err->file, "%s", file);
        snprintf(err->header, sizeof err->header, "%s", where.header ? where.header : "");
        err->row = where.row;
        err->column = where.column;
        const char *shown = file[0] ? file : "?";
        char *msg = err->message;
        size_t size = sizeof err->message;
        int n;
        if (where.row && where.column)
            n = snprintf(msg, size, "%.160s:%" PRIu64 ":%" PRIu64 ": ", shown, where.row,
                         where.column);
        else if (where.row)
            n = snprintf(msg, size, "%.160s:%" PRIu64 ": ", shown, where.row);
        else
            n = snprintf(msg, size, "%.160s: ", shown);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

sl_status sl_arm_check(sl_arm arm)
{
    if (arm.successes > SL_MAX_COUNT_U64 || arm.trials > SL_MAX_COUNT_U64)
        return SL_ERR_COUNT_TOO_LARGE;
    if (arm.successes > arm.trials)
        return SL_ERR_SUCCESSES_EXCEED_TRIALS;
    if (arm.trials == 0)
        return SL_ERR_NO_DATA;
    return SL_OK;
}

void sl_free(void *ptr)
{
    free(ptr);
}
