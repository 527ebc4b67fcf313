/*
 * parse.c — numbers typed into the web forms and API query strings, and the
 * strict percent-decoding of addresses (no HTTP library here, so the fuzz
 * target can drive both directly).
 *
 * The same rules as the CLI's flags, on the library's export value parser
 * (so "12,000", "4%" and "$89.70" read as they do in a file): a count is a
 * whole number ≥ 0 written exactly (a rounded "1.2K" is refused), a rate is
 * a fraction in (0, 1) written "3%" or "0.03".  Errors name the form label.
 */
#include "web.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text of a parameter, NULL when absent or blank. */
static const char *given(const char *t)
{
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
        web_fail(err, SL_ERR_PARSE, "%s: '%.40s' is not a number", label, text);
        if (err)
            err->field = name;
        return SL_ERR_PARSE;
    }
    return SL_OK;
}

static sl_status fail_field(sl_error *err, sl_status code, const char *name, const char *fmt,
                            const char *label, const char *text)
{
    web_fail(err, code, fmt, label, text);
    if (err)
        err->field = name;
    return code;
}

/* True when the digits of `text` spell a whole number above 2^53: a double
 * rounds 9007199254740993 down to 2^53, so compare the digits themselves. */
static bool above_max_count(const char *text)
{
    char digits[64];
    size_t n = 0;
    for (const char *p = text; *p && *p != '.'; p++)
        if (*p >= '0' && *p <= '9') {
            if (n == 0 && *p == '0')
                continue; /* leading zeros */
            if (n + 1 == sizeof digits)
                return true;
            digits[n++] = *p;
        }
    digits[n] = '\0';
    static const char max[] = "9007199254740992";
    return n > sizeof max - 1 || (n == sizeof max - 1 && strcmp(digits, max) > 0);
}

static sl_status parse_count(const char *raw, const char *name, const char *label, bool *set,
                      double *out, sl_error *err)
{
    *set = false;
    const char *text = given(raw);
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
    if (v.number > SL_MAX_COUNT || above_max_count(text))
        return fail_field(err, SL_ERR_COUNT_TOO_LARGE, name,
                          "%s: %.40s is above 2^53, the largest exact count", label, text);
    *set = true;
    *out = v.number;
    return SL_OK;
}

static sl_status parse_money(const char *raw, const char *name, const char *label, bool *set,
                      double *out, sl_error *err)
{
    *set = false;
    const char *text = given(raw);
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

static sl_status parse_fraction(const char *raw, const char *name, const char *label,
                                bool *set, double *out, bool below_one, sl_error *err)
{
    *set = false;
    const char *text = given(raw);
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

sl_status web_parse_number(web_number_kind kind, const char *text, const char *name,
                           const char *label, bool *set, double *out, sl_error *err)
{
    switch (kind) {
    case WEB_COUNT: return parse_count(text, name, label, set, out, err);
    case WEB_MONEY: return parse_money(text, name, label, set, out, err);
    case WEB_RATE: return parse_fraction(text, name, label, set, out, true, err);
    case WEB_LIFT: return parse_fraction(text, name, label, set, out, false, err);
    }
    *set = false;
    return web_fail(err, SL_ERR_INVALID_ARGUMENT, "unknown kind of number");
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Well-formed UTF-8: no stray continuation bytes, no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
bool web_valid_utf8(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xC2))
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        if (len == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
            return false; /* overlong, or a surrogate */
        if (len == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || c > 0xF4 ||
                         (c == 0xF4 && s[i + 1] >= 0x90)))
            return false;
        i += len;
    }
    return true;
}

size_t web_unescape(char *s, bool *bad)
{
    *bad = false;
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = hex_digit(r[1]), lo = hi < 0 ? -1 : hex_digit(r[2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            *bad = true; /* "%zz", a cut "%4", or "%00" (a NUL inside a value) */
            *w++ = *r;
            continue;
        }
        *w++ = (char)(hi * 16 + lo);
        r += 2;
    }
    *w = '\0';
    /* Text that is not UTF-8 ("%ff") is refused too: nothing downstream
     * (pages, JSON) can carry it. */
    if (!web_valid_utf8(s, (size_t)(w - s)))
        *bad = true;
    return (size_t)(w - s);
}

sl_status web_fail(sl_error *err, sl_status code, const char *fmt, ...)
{
    if (err) {
        sl_error_clear(err);
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
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
