/*
 * values.c — reads one cell the way analytics exports write it: "$1,234.56",
 * "Rp154.530", "2.621.500₫", "4.11%", "1.74K", "12JT", "3万", "1m28s",
 * "01:02:03", "--", and 19-digit IDs.
 *
 * Exports carry no locale, so the thousands and decimal separators are
 * decided in a fixed order: a currency mark (or the column's currency)
 * first, then the digits themselves; a value that stays ambiguous is flagged
 * rather than guessed silently.  Missing markers are absent, never 0.
 */
#include "base/internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Currency marks, longest first so "US$" wins over "$".  Exports write
 * them before or after the number, with or without a space. */
static const struct {
    const char *mark;
    const char *code;
} currency_marks[] = {
    {"US$", "USD"}, {"MX$", "MXN"}, {"NT$", "TWD"}, {"HK$", "HKD"}, {"NZ$", "NZD"},
    {"R$", "BRL"},  {"S$", "SGD"},  {"A$", "AUD"},  {"C$", "CAD"},  {"Rp", "IDR"},
    {"RP", "IDR"},  {"rp", "IDR"},  {"RM", "MYR"},  {"zł", "PLN"},
    {"$", "USD"},
    {"\xe2\x82\xac", "EUR"}, /* € */
    {"\xc2\xa3", "GBP"},      /* £ */
    {"\xc2\xa5", "CNY"},      /* ¥ */
    {"\xef\xbf\xa5", "CNY"}, /* ￥ full-width */
    {"\xe2\x82\xab", "VND"}, /* ₫ */
    {"\xc4\x91", "VND"},      /* đ */
    {"\xe2\x82\xb1", "PHP"}, /* ₱ */
    {"\xe0\xb8\xbf", "THB"}, /* ฿ */
    {"\xe2\x82\xa9", "KRW"}, /* ₩ */
};

bool sl_currency_mark(const char *text, char code[4])
{
    char buf[16];
    size_t n = strlen(text);
    while (n && text[n - 1] == ' ')
        n--;
    while (n && *text == ' ')
        text++, n--;
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof currency_marks / sizeof *currency_marks; i++)
        if (strcmp(buf, currency_marks[i].mark) == 0) {
            snprintf(code, 4, "%s", currency_marks[i].code);
            return true;
        }
    if (n == 3 && isalpha((unsigned char)buf[0]) && isalpha((unsigned char)buf[1]) &&
        isalpha((unsigned char)buf[2])) {
        for (size_t i = 0; i < 3; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        static const char *const codes[] = {"USD", "MXN", "BRL", "IDR", "MYR", "SGD", "PHP",
                                            "THB", "VND", "EUR", "GBP", "CNY", "JPY", "RMB",
                                            "AUD", "CAD", "KRW", "TWD", "HKD", "PLN"};
        for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
            if (strcmp(buf, codes[i]) == 0) {
                snprintf(code, 4, "%.3s", strcmp(buf, "RMB") == 0 ? "CNY" : buf);
                return true;
            }
    }
    return false;
}

/* Count suffixes: the dashboard's rounded displays. */
static const struct {
    const char *suffix;
    double factor;
} count_suffixes[] = {
    {"RB", 1e3}, {"Rb", 1e3}, {"rb", 1e3}, {"JT", 1e6}, {"Jt", 1e6}, {"jt", 1e6},
    {"\xe4\xb8\x87", 1e4}, /* 万 */
    {"K", 1e3},  {"k", 1e3},  {"M", 1e6},
};

static bool is_space_at(const char *s, size_t *len)
{
    if (*s == ' ' || *s == '\t') {
        *len = 1;
        return true;
    }
    if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) { /* no-break space */
        *len = 2;
        return true;
    }
    if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0xAF || (unsigned char)s[2] == 0x89)) { /* narrow / thin */
        *len = 3;
        return true;
    }
    return false;
}

/* Trims spaces (also no-break and thin ones) from both ends, in place. */
static char *trim(char *s)
{
    size_t n;
    while (is_space_at(s, &n))
        s += n;
    size_t len = strlen(s);
    for (;;) {
        if (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
                    s[len - 1] == '\n')) {
            s[--len] = '\0';
        } else if (len >= 2 && (unsigned char)s[len - 2] == 0xC2 &&
                   (unsigned char)s[len - 1] == 0xA0) {
            s[len -= 2] = '\0';
        } else if (len >= 3 && (unsigned char)s[len - 3] == 0xE2 &&
                   (unsigned char)s[len - 2] == 0x80 &&
                   ((unsigned char)s[len - 1] == 0xAF || (unsigned char)s[len - 1] == 0x89)) {
            s[len -= 3] = '\0';
        } else {
            return s;
        }
    }
}

/* Copies `text` into buf (SL_MAX_VALUE_TEXT + 1 bytes) and trims it; fails
 * when it is longer than a value may be.  `what` names it in the message. */
static sl_status copy_trimmed(const char *text, char *buf, const char *what, char **out,
                              sl_error *err)
{
    size_t len = strlen(text);
    if (len > SL_MAX_VALUE_TEXT)
        return sl_fail(err, SL_ERR_PARSE, NULL,
                       "a %s of %zu characters is longer than the %d-character limit", what, len,
                       SL_MAX_VALUE_TEXT);
    memcpy(buf, text, len + 1);
    *out = trim(buf);
    return SL_OK;
}

static bool is_missing(const char *s)
{
    /* Every marker starts with one of these bytes: most cells need no more. */
    if (*s && !strchr("-#Nn\xe2", *s))
        return false;
    static const char *const markers[] = {"", "-", "--", "\xe2\x80\x94", "#N/A", "N/A", "n/a",
                                          "NA"};
    for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
        if (strcmp(s, markers[i]) == 0)
            return true;
    return false;
}

static bool ends_with(const char *s, size_t len, const char *suffix, size_t *slen)
{
    *slen = strlen(suffix);
    return len >= *slen && memcmp(s + len - *slen, suffix, *slen) == 0;
}

/* Takes a currency mark off the front or back of s (in place); writes its
 * code.  A three-letter code counts before or after the number, with or
 * without a space ("MXN 12.50", "12.50MXN"). */
static char *take_currency(char *s, char code[4])
{
    size_t len = strlen(s), sl;
    /* The common case, digits at both ends, carries no mark: skip the table. */
    if (len && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[len - 1]))
        return s;
    for (size_t i = 0; i < sizeof currency_marks / sizeof *currency_marks; i++) {
        size_t n = strlen(currency_marks[i].mark);
        if (strncmp(s, currency_marks[i].mark, n) == 0 && s[n] != '\0') {
            snprintf(code, 4, "%s", currency_marks[i].code);
            return trim(s + n);
        }
        if (ends_with(s, len, currency_marks[i].mark, &sl) && len > sl) {
            s[len - sl] = '\0';
            snprintf(code, 4, "%s", currency_marks[i].code);
            return trim(s);
        }
    }
    char mark[4];
    if (len > 3 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) &&
        isalpha((unsigned char)s[2]) && !isalpha((unsigned char)s[3])) {
        memcpy(mark, s, 3);
        mark[3] = '\0';
        if (sl_currency_mark(mark, code))
            return trim(s + 3);
    }
    if (len > 3 && isalpha((unsigned char)s[len - 1]) && isalpha((unsigned char)s[len - 2]) &&
        isalpha((unsigned char)s[len - 3]) && !isalpha((unsigned char)s[len - 4])) {
        memcpy(mark, s + len - 3, 4);
        if (sl_currency_mark(mark, code)) {
            s[len - 3] = '\0';
            return trim(s);
        }
    }
    return s;
}

/* Currencies whose exports group thousands with "." (and so write decimals
 * with ","), and those that group with ",". */
static int grouping_by_currency(const char *code)
{
    static const char *const dot_groups[] = {"IDR", "VND", "BRL", "EUR", NULL};
    static const char *const comma_groups[] = {"USD", "MYR", "GBP", "CNY", "MXN", "SGD", "PHP",
                                               "THB", "JPY", NULL};
    for (size_t i = 0; dot_groups[i]; i++)
        if (strcmp(code, dot_groups[i]) == 0)
            return '.';
    for (size_t i = 0; comma_groups[i]; i++)
        if (strcmp(code, comma_groups[i]) == 0)
            return ',';
    return 0;
}

/* Checks "1,234,567" style grouping: a first group of 1-3 digits, then
 * groups of exactly 3. */
static bool valid_grouping(const char *digits, size_t len, char sep)
{
    size_t group = 0, groups = 0;
    for (size_t i = 0; i < len; i++) {
        if (digits[i] == sep) {
            if (group == 0 || (groups == 0 && group > 3) || (groups > 0 && group != 3))
                return false;
            groups++;
            group = 0;
        } else {
            group++;
        }
    }
    return groups == 0 || group == 3;
}

/* The separators and digits of a number's body. */
typedef struct body_shape {
    size_t len, dots, commas, digits;
    const char *last_dot, *last_comma;
} body_shape;

/* Counts the separators and digits; SL_ERR_PARSE for any other character
 * (but an exponent) or no digit at all. */
static sl_status scan_body(const char *body, body_shape *b, sl_error *err)
{
    *b = (body_shape){.len = strlen(body)};
    for (size_t i = 0; i < b->len; i++) {
        char c = body[i];
        if (c == '.')
            b->dots++, b->last_dot = body + i;
        else if (c == ',')
            b->commas++, b->last_comma = body + i;
        else if (isdigit((unsigned char)c))
            b->digits++;
        else if (!((c == 'e' || c == 'E' || c == '+' || c == '-') && b->dots <= 1 &&
                   b->commas == 0 && i > 0))
            return sl_fail(err, SL_ERR_PARSE, NULL,
                           "'%s' is not a number: unexpected '%c' at character %zu", body, c,
                           i + 1);
    }
    if (b->digits == 0)
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' has no digits", body);
    return SL_OK;
}

/* Decides which separator groups thousands (*group, 0: none) and which is
 * decimal: the column's mark when its cells settled it, else the cell's
 * own shape, else the currency's habit; what is still open is flagged
 * (out->ambiguous). */
static void decide_separators(const char *body, const body_shape *b, const char *currency,
                              char decimal_mark, char *group, char *decimal, sl_value *out)
{
    *group = 0, *decimal = '.';
    int by_currency = grouping_by_currency(currency);
    if (decimal_mark) {
        *decimal = decimal_mark;
        *group = *decimal == '.' ? ',' : '.';
    } else if (b->dots && b->commas) {
        *decimal = b->last_dot > b->last_comma ? '.' : ',';
        *group = *decimal == '.' ? ',' : '.';
    } else if (b->dots + b->commas > 1) {
        *group = b->dots ? '.' : ',';
        *decimal = *group == '.' ? ',' : '.';
    } else if (b->dots + b->commas == 1) {
        const char *sep = b->dots ? b->last_dot : b->last_comma;
        size_t before = (size_t)(sep - body), after = b->len - before - 1;
        bool thousands_shape = after == 3 && before >= 1 && before <= 3 && body[0] != '0';
        if (thousands_shape && by_currency) {
            *group = (char)by_currency;
            *decimal = *group == '.' ? ',' : '.';
        } else if (thousands_shape) {
            /* "154.530" or "1,234": either reading is possible. */
            out->ambiguous = true;
            *group = b->dots ? 0 : ',';
            *decimal = '.';
        } else {
            *decimal = b->dots ? '.' : ',';
        }
    }
}

/* Parses the bare number (digits and separators) into *out. */
static sl_status parse_body(const char *body, const char *currency, char decimal_mark,
                            sl_value *out, sl_error *err)
{
    body_shape b;
    sl_status st = scan_body(body, &b, err);
    if (st != SL_OK)
        return st;
    char group, decimal;
    decide_separators(body, &b, currency, decimal_mark, &group, &decimal, out);
    size_t len = b.len;
    const char *dec = decimal == '.' ? b.last_dot : b.last_comma;
    if (decimal == group)
        dec = NULL;
    /* Everything before the decimal point must be well-grouped digits. */
    size_t int_len = dec ? (size_t)(dec - body) : len;
    if (group && !valid_grouping(body, int_len, group))
        return sl_fail(err, SL_ERR_PARSE, NULL,
                       "'%s' has misplaced thousands separators ('%c' must separate groups of "
                       "three digits)",
                       body, group);
    /* The number as strtod reads it: no grouping, '.' for the decimal. */
    char plain[SL_MAX_VALUE_TEXT + 1];
    size_t o = 0;
    for (size_t i = 0; i < len && o < SL_MAX_VALUE_TEXT; i++) {
        char c = body[i];
        if (c == group && body + i < (dec ? dec : body + len))
            continue;
        if (body + i == dec) {
            plain[o++] = '.';
            continue;
        }
        if (c == '.' || c == ',')
            return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' has more than one decimal point",
                           body);
        plain[o++] = c;
    }
    plain[o] = '\0';
    char *end;
    errno = 0;
    double v = strtod(plain, &end);
    if (end == plain || *end)
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is not a number", body);
    if (errno == ERANGE || !isfinite(v))
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is out of range", body);
    out->number = v;
    return SL_OK;
}

/* A duration is recognised by its shape: a colon, or a unit letter h/s or
 * "min" after a digit.  A bare "M" or "m" suffix is a count (millions). */
static bool looks_like_duration(const char *s)
{
    if (strchr(s, ':'))
        return true;
    for (const char *p = s; *p; p++)
        if (isdigit((unsigned char)p[0]) &&
            (p[1] == 'h' || p[1] == 's' || strncmp(p + 1, "min", 3) == 0 ||
             (p[1] == 'm' && isdigit((unsigned char)p[2]))))
            return true;
    return false;
}

sl_status sl_parse_value(const char *text, const char *currency_hint, sl_value *out,
                         sl_error *err)
{
    return sl_parse_value_as(text, currency_hint, 0, out, err);
}

sl_status sl_parse_value_as(const char *text, const char *currency_hint, char decimal_mark,
                            sl_value *out, sl_error *err)
{
    if (!text || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no text or output given");
    memset(out, 0, sizeof *out);
    char buf[SL_MAX_VALUE_TEXT + 1], *s = NULL;
    sl_status st = copy_trimmed(text, buf, "value", &s, err);
    if (st != SL_OK)
        return st;
    if (is_missing(s)) {
        out->kind = SL_VALUE_ABSENT;
        return SL_OK;
    }
    if (looks_like_duration(s)) {
        out->kind = SL_VALUE_DURATION;
        return sl_parse_duration(s, &out->number, err);
    }

    bool negative = false;
    if (*s == '-' || *s == '+')
        negative = *s++ == '-';
    s = take_currency(trim(s), out->currency);
    if (!negative && (*s == '-' || *s == '+')) /* "$-5.00" */
        negative = *s++ == '-';

    size_t len = strlen(s), sl;
    bool percent = false;
    if (len && s[len - 1] == '%') {
        percent = true;
        s[--len] = '\0';
        s = trim(s);
        len = strlen(s);
    }
    double factor = 1;
    for (size_t i = 0; i < sizeof count_suffixes / sizeof *count_suffixes; i++)
        if (ends_with(s, len, count_suffixes[i].suffix, &sl) && len > sl &&
            (isdigit((unsigned char)s[len - sl - 1]) || s[len - sl - 1] == ' ')) {
            factor = count_suffixes[i].factor;
            out->approximate = true;
            s[len - sl] = '\0';
            s = trim(s);
            break;
        }
    if (percent && out->currency[0])
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' has both a currency and a %% sign", text);

    const char *currency = out->currency[0] ? out->currency : currency_hint ? currency_hint : "";
    st = parse_body(s, currency, decimal_mark, out, err);
    if (st != SL_OK)
        return st;
    out->number *= factor;
    if (!isfinite(out->number)) /* "7E306M": the suffix takes it past a double */
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is too large a number to be real", text);
    if (negative)
        out->number = -out->number;
    if (percent) {
        out->kind = SL_VALUE_PERCENT;
        out->number /= 100;
    } else if (out->currency[0] || (currency_hint && *currency_hint)) {
        out->kind = SL_VALUE_MONEY;
        if (!out->currency[0])
            snprintf(out->currency, sizeof out->currency, "%s", currency_hint);
    } else {
        out->kind = SL_VALUE_NUMBER;
    }
    /* A currency (the cell's or the column's) settles the separators. */
    if (grouping_by_currency(out->currency))
        out->ambiguous = false;
    return SL_OK;
}

/* Reads digits (and one optional decimal part) at *p; false if none. */
static bool read_number(const char **p, double *out)
{
    char *end;
    if (!isdigit((unsigned char)**p))
        return false;
    errno = 0;
    *out = strtod(*p, &end);
    if (errno || end == *p || !isfinite(*out))
        return false;
    *p = end;
    return true;
}

static sl_status parse_clock(const char *s, double *seconds, sl_error *err)
{
    double part[3];
    int n = 0;
    const char *p = s;
    for (;;) {
        if (n == 3 || !read_number(&p, &part[n]))
            return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is not a time (use HH:MM:SS)", s);
        n++;
        if (*p == '\0')
            break;
        if (*p++ != ':')
            return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is not a time (use HH:MM:SS)", s);
    }
    if (n < 2)
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is not a time (use HH:MM:SS)", s);
    for (int i = 1; i < n; i++)
        if (part[i] >= 60)
            return sl_fail(err, SL_ERR_PARSE, NULL, "'%s': minutes and seconds must be below 60",
                           s);
    double total = n == 3 ? part[0] * 3600 + part[1] * 60 + part[2] : part[0] * 60 + part[1];
    if (!isfinite(total))
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is too long a time to be real", s);
    *seconds = total;
    return SL_OK;
}

sl_status sl_parse_duration(const char *text, double *seconds, sl_error *err)
{
    if (!text || !seconds)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no text or output given");
    char buf[SL_MAX_VALUE_TEXT + 1], *s = NULL;
    sl_status st = copy_trimmed(text, buf, "duration", &s, err);
    if (st != SL_OK)
        return st;
    if (strchr(s, ':'))
        return parse_clock(s, seconds, err);
    /* Units in order, each at most once: hours, minutes, seconds. */
    static const struct {
        const char *unit;
        double scale;
        int rank;
    } units[] = {{"hours", 3600, 0}, {"hour", 3600, 0}, {"hrs", 3600, 0}, {"hr", 3600, 0},
                 {"h", 3600, 0},     {"mins", 60, 1},   {"min", 60, 1},   {"m", 60, 1},
                 {"secs", 1, 2},     {"sec", 1, 2},     {"s", 1, 2}};
    const char *p = s;
    double total = 0, v;
    int last_rank = -1;
    bool any_unit = false;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!read_number(&p, &v))
            return sl_fail(err, SL_ERR_PARSE, NULL,
                           "'%s' is not a duration (use 1m28s, 1h39min, 19s or HH:MM:SS)", s);
        while (*p == ' ')
            p++;
        if (*p == '\0' && !any_unit) { /* a bare number of seconds, e.g. "48.215388" */
            total = v;
            break;
        }
        size_t k = 0, n = sizeof units / sizeof *units;
        while (k < n && strncmp(p, units[k].unit, strlen(units[k].unit)) != 0)
            k++;
        if (k == n || units[k].rank <= last_rank)
            return sl_fail(err, SL_ERR_PARSE, NULL,
                           "'%s' is not a duration (use 1m28s, 1h39min, 19s or HH:MM:SS)", s);
        p += strlen(units[k].unit);
        last_rank = units[k].rank;
        total += v * units[k].scale;
        any_unit = true;
    }
    /* "7.E306m" is a number of minutes no double holds in seconds. */
    if (!isfinite(total))
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is too long a duration to be real", s);
    *seconds = total;
    return SL_OK;
}

sl_status sl_parse_id(const char *text, char *out, size_t size, sl_error *err)
{
    if (!text || !out || size == 0)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no text or output given");
    char buf[SL_MAX_VALUE_TEXT + 1], *s = NULL;
    sl_status st = copy_trimmed(text, buf, "ID", &s, err);
    if (st != SL_OK)
        return st;
    size_t len = strlen(s);
    if (strpbrk(s, "eE"))
        return sl_fail(err, SL_ERR_PARSE, NULL,
                       "the ID '%s' is in scientific notation, so its last digits are already "
                       "lost; export the column as text",
                       s);
    if (len > 2 && strcmp(s + len - 2, ".0") == 0)
        s[len -= 2] = '\0';
    if (len == 0 || strspn(s, "0123456789") != len)
        return sl_fail(err, SL_ERR_PARSE, NULL, "'%s' is not an ID (IDs are digits only)", s);
    if (len >= size)
        return sl_fail(err, SL_ERR_PARSE, NULL, "the ID '%s' is longer than %zu digits", s,
                       size - 1);
    memcpy(out, s, len + 1);
    return SL_OK;
}
