/*
 * params.c — numbers typed into the web forms and API query strings.
 *
 * The same rules as the CLI's flags, on the library's export value parser
 * (so "12,000", "4%" and "$89.70" read as they do in a file): a count is a
 * whole number ≥ 0 written exactly (a rounded "1.2K" is refused), a rate is
 * a fraction in (0, 1) written "3%" or "0.03".  Errors name the form label.
 */
#include "web.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The raw text of a parameter, NULL when absent or blank. */
static const char *given(const web_request *req, const char *name)
{
    const char *t = web_param(req, name);
    if (!t)
        return NULL;
    while (*t == ' ' || *t == '\t')
        t++;
    return *t ? t : NULL;
}

static sl_status read_value(const char *text, const char *label, const char *name,
                            sl_value *v, sl_error *err)
{
    sl_error inner;
    if (sl_parse_value(text, NULL, v, &inner) != SL_OK || v->kind == SL_VALUE_ABSENT ||
        v->kind == SL_VALUE_DURATION) {
        sl_fail_web(err, SL_ERR_PARSE, "%s: '%.40s' is not a number", label, text);
        if (err)
            err->field = name;
        return SL_ERR_PARSE;
    }
    return SL_OK;
}

static sl_status fail_field(sl_error *err, sl_status code, const char *name, const char *fmt,
                            const char *label, const char *text)
{
    sl_fail_web(err, code, fmt, label, text);
    if (err)
        err->field = name;
    return code;
}

sl_status param_count(const web_request *req, const char *name, const char *label, bool *set,
                      double *out, sl_error *err)
{
    *set = false;
    const char *text = given(req, name);
    if (!text)
        return SL_OK;
    sl_value v;
    sl_status st = read_value(text, label, name, &v, err);
    if (st != SL_OK)
        return st;
    if (v.kind != SL_VALUE_NUMBER)
        return fail_field(err, SL_ERR_PARSE, name, "%s: '%.40s' is not a count (no %% or currency)",
                          label, text);
    if (v.approximate)
        return fail_field(err, SL_ERR_PARSE, name,
                          "%s: '%.40s' is rounded; type the exact count from your analytics",
                          label, text);
    if (v.number < 0)
        return fail_field(err, SL_ERR_NEGATIVE_COUNT, name, "%s: %.40s is below zero", label,
                          text);
    if (v.number != floor(v.number))
        return fail_field(err, SL_ERR_NOT_WHOLE, name, "%s: %.40s is not a whole number", label,
                          text);
    if (v.number > SL_MAX_COUNT)
        return fail_field(err, SL_ERR_COUNT_TOO_LARGE, name,
                          "%s: %.40s is above 2^53, the largest exact count", label, text);
    *set = true;
    *out = v.number;
    return SL_OK;
}

sl_status param_money(const web_request *req, const char *name, const char *label, bool *set,
                      double *out, sl_error *err)
{
    *set = false;
    const char *text = given(req, name);
    if (!text)
        return SL_OK;
    sl_value v;
    sl_status st = read_value(text, label, name, &v, err);
    if (st != SL_OK)
        return st;
    if (v.kind == SL_VALUE_PERCENT)
        return fail_field(err, SL_ERR_PARSE, name, "%s: '%.40s' is a percent, not an amount",
                          label, text);
    if (v.number < 0)
        return fail_field(err, SL_ERR_NEGATIVE_COUNT, name, "%s: %.40s is below zero", label,
                          text);
    *set = true;
    *out = v.number;
    return SL_OK;
}

static sl_status fraction(const web_request *req, const char *name, const char *label, bool *set,
                          double *out, bool below_one, sl_error *err)
{
    *set = false;
    const char *text = given(req, name);
    if (!text)
        return SL_OK;
    sl_value v;
    sl_status st = read_value(text, label, name, &v, err);
    if (st != SL_OK)
        return st;
    if (v.kind != SL_VALUE_NUMBER && v.kind != SL_VALUE_PERCENT)
        return fail_field(err, SL_ERR_PARSE, name, "%s: '%.40s' is not a rate", label, text);
    if (!(v.number > 0) || (below_one && !(v.number < 1)))
        return fail_field(err, SL_ERR_INVALID_ARGUMENT, name,
                          below_one ? "%s: '%.40s' must lie between 0 and 1: write 3%% or 0.03"
                                    : "%s: '%.40s' must be above 0: write 20%% or 0.2",
                          label, text);
    *set = true;
    *out = v.number;
    return SL_OK;
}

sl_status param_rate(const web_request *req, const char *name, const char *label, bool *set,
                     double *out, sl_error *err)
{
    return fraction(req, name, label, set, out, true, err);
}

sl_status param_lift(const web_request *req, const char *name, const char *label, bool *set,
                     double *out, sl_error *err)
{
    return fraction(req, name, label, set, out, false, err);
}

bool param_u64(const char *text, uint64_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return false;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || v > (1ull << 53))
        return false;
    *out = v;
    return true;
}
