/*
 * parse.c — numbers typed into the web forms and API query strings, and the
 * strict percent-decoding of addresses (no HTTP library here, so the fuzz
 * target can drive both directly).
 *
 * Numbers follow the CLI's rules because both are the library's
 * sl_parse_number: a count is a whole number ≥ 0 written exactly (a rounded
 * "1.2K" is refused), a rate is a fraction in (0, 1) written "3%" or
 * "0.03".  Here only what is the web's own: an empty field is "not given",
 * and an error names the form field it belongs to.
 */
#include "web.h"

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

sl_status web_parse_number(sl_number_kind kind, const char *text, const char *name,
                           const char *label, bool *set, double *out, sl_error *err)
{
    *set = false;
    if (!given(text))
        return SL_OK; /* a field left empty: the page decides what it means */
    sl_status st = sl_parse_number(kind, text, label, out, err);
    if (st != SL_OK) {
        if (err)
            err->field = name; /* the form marks this field */
        return st;
    }
    *set = true;
    return SL_OK;
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
