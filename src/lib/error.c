/*
 * error.c — the status codes: names, descriptions, and the error filler.
 *
 * The tables are indexed by sl_status, so adding a code means appending one
 * line to each; a static assertion keeps them the same length.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_text[] = {
    [SL_OK] = "success",
    [SL_ERR_INVALID_ARGUMENT] = "invalid argument",
    [SL_ERR_NEGATIVE_COUNT] = "negative count",
    [SL_ERR_NOT_WHOLE] = "count is not a whole number",
    [SL_ERR_COUNT_TOO_LARGE] = "count too large",
    [SL_ERR_SUCCESSES_EXCEED_TRIALS] = "successes exceed trials",
    [SL_ERR_INCONSISTENT_FUNNEL] = "inconsistent funnel",
    [SL_ERR_NO_DATA] = "no data (zero trials)",
    [SL_ERR_INFEASIBLE] = "cannot be detected with this data",
    [SL_ERR_TOO_LARGE_FOR_METHOD] = "too large for this method",
    [SL_ERR_NO_MEMORY] = "out of memory",
    [SL_ERR_IO] = "input/output error",
    [SL_ERR_PARSE] = "not a valid value",
    [SL_ERR_NOT_FOUND] = "not found",
    [SL_ERR_CONTENT] = "embedded content is malformed",
    [SL_ERR_LIMIT] = "input exceeds a limit",
    [SL_ERR_UNRECOGNISED] = "file not recognised",
    [SL_ERR_READ] = "input cannot be read",
    [SL_ERR_STORE] = "database error",
    [SL_ERR_BUSY] = "the database is busy",
};

static const char *const status_names[] = {
    [SL_OK] = "ok",
    [SL_ERR_INVALID_ARGUMENT] = "invalid_argument",
    [SL_ERR_NEGATIVE_COUNT] = "negative_count",
    [SL_ERR_NOT_WHOLE] = "not_whole",
    [SL_ERR_COUNT_TOO_LARGE] = "count_too_large",
    [SL_ERR_SUCCESSES_EXCEED_TRIALS] = "successes_exceed_trials",
    [SL_ERR_INCONSISTENT_FUNNEL] = "inconsistent_funnel",
    [SL_ERR_NO_DATA] = "no_data",
    [SL_ERR_INFEASIBLE] = "infeasible",
    [SL_ERR_TOO_LARGE_FOR_METHOD] = "too_large_for_method",
    [SL_ERR_NO_MEMORY] = "no_memory",
    [SL_ERR_IO] = "io",
    [SL_ERR_PARSE] = "parse",
    [SL_ERR_NOT_FOUND] = "not_found",
    [SL_ERR_CONTENT] = "content",
    [SL_ERR_LIMIT] = "limit",
    [SL_ERR_UNRECOGNISED] = "unrecognised",
    [SL_ERR_READ] = "read",
    [SL_ERR_STORE] = "store",
    [SL_ERR_BUSY] = "busy",
};

_Static_assert(sizeof status_text / sizeof *status_text == SL_STATUS__COUNT,
               "every sl_status needs a description");
_Static_assert(sizeof status_names / sizeof *status_names == SL_STATUS__COUNT,
               "every sl_status needs a name");

const char *sl_strerror(sl_status status)
{
    if ((unsigned)status >= SL_STATUS__COUNT)
        return "unknown error";
    return status_text[status];
}

const char *sl_status_name(sl_status status)
{
    if ((unsigned)status >= SL_STATUS__COUNT)
        return "unknown";
    return status_names[status];
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

const char *sl_format_count(char *buf, size_t size, double count)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%.0f", count);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}
