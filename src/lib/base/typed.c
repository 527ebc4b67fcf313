/*
 * typed.c — numbers a person types (a CLI flag, a web form field or query
 * parameter), by one rule for both front ends: sl_parse_number.
 *
 * The text is read by the export value parser (values.c), so "12,000",
 * "4%", "$89.70" and "1e3" mean what they mean in a file; on top of it a
 * typed number is written one way, the way every page and table prints
 * them: a comma only between groups of three digits ("1,00" is a typo, not
 * 1 or 100), a point as the decimal mark.  Then the kind's rule: a count is
 * whole, at least 0 and at most 2^53 (checked on the digits typed, since
 * 9007199254740993 rounds to 2^53 as a double), and never a rounded "1.2K";
 * a rate lies in (0, 1); a lift is above 0.  Each message starts with the
 * label the caller gives ("--views", "Views").
 */
#include "internal.h"

#include <math.h>
#include <string.h>

/* Commas separate groups of exactly three digits, after one to three
 * leading digits, and only in the whole part. */
static bool commas_group_thousands(const char *text)
{
    const char *p = text;
    while (*p && !(*p >= '0' && *p <= '9') && *p != ',' && *p != '.')
        p++; /* a sign or a currency mark */
    size_t run = 0;
    bool grouped = false;
    for (; *p && *p != '.' && *p != 'e' && *p != 'E'; p++) {
        if (*p >= '0' && *p <= '9') {
            run++;
            continue;
        }
        if (*p != ',')
            break;
        if (run < 1 || (grouped ? run != 3 : run > 3))
            return false;
        grouped = true;
        run = 0;
    }
    if (strchr(p, ','))
        return false; /* a comma after the decimal point or the digits */
    return !grouped || run == 3;
}

/* The digits typed before the decimal point, leading zeros and commas
 * dropped, compared with 2^53's: a double cannot tell 2^53 + 1 from 2^53. */
static bool whole_digits_above_max(const char *text)
{
    static const char max[] = "9007199254740992";
    char digits[sizeof max + 1];
    size_t n = 0;
    for (const char *p = text; *p && *p != '.'; p++) {
        if (*p < '0' || *p > '9' || (n == 0 && *p == '0'))
            continue;
        if (n == sizeof max)
            return true; /* more digits than 2^53 has */
        digits[n++] = *p;
    }
    digits[n] = '\0';
    return n > sizeof max - 1 || (n == sizeof max - 1 && strcmp(digits, max) > 0);
}

/* A digit other than 0 after the decimal point (and no exponent to move
 * it): "12.5" is not whole even where the double rounds it to 12. */
static bool has_fraction_digits(const char *text)
{
    if (strpbrk(text, "eE"))
        return false;
    const char *point = strchr(text, '.');
    return point && point[strspn(point + 1, "0") + 1] >= '1' &&
           point[strspn(point + 1, "0") + 1] <= '9';
}

static sl_status check_count(const char *text, const char *label, const sl_value *v,
                             sl_error *err)
{
    if (v->kind != SL_VALUE_NUMBER)
        return sl_fail(err, SL_ERR_PARSE, NULL, "%s: '%.40s' is not a count (no %% or currency)",
                       label, text);
    if (v->approximate)
        return sl_fail(err, SL_ERR_PARSE, NULL,
                       "%s: '%.40s' is rounded; type the exact count from your analytics", label,
                       text);
    if (v->number < 0 || signbit(v->number))
        return sl_fail(err, SL_ERR_NEGATIVE_COUNT, NULL,
                       "%s: '%.40s' is negative; counts must be 0 or more", label, text);
    if (v->number != floor(v->number) || has_fraction_digits(text))
        return sl_fail(err, SL_ERR_NOT_WHOLE, NULL,
                       "%s: '%.40s' is not a whole number; counts are whole events", label, text);
    if (v->number > SL_MAX_COUNT || (!strpbrk(text, "eE") && whole_digits_above_max(text)))
        return sl_fail(err, SL_ERR_COUNT_TOO_LARGE, NULL,
                       "%s: '%.40s' is above the largest supported count, 2^53 "
                       "(9007199254740992)",
                       label, text);
    return SL_OK;
}

static sl_status check_fraction(sl_number_kind kind, const char *text, const char *label,
                                const sl_value *v, sl_error *err)
{
    if (v->kind != SL_VALUE_NUMBER && v->kind != SL_VALUE_PERCENT)
        return sl_fail(err, SL_ERR_PARSE, NULL, "%s: '%.40s' is not a rate", label, text);
    double x = v->number;
    if (kind == SL_NUMBER_RATE && !(x > 0 && x < 1))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: '%.40s' must be a fraction between 0 and 1 (0.04 and 4%% both mean "
                       "4%%)%s",
                       label, text,
                       x >= 1 && v->kind != SL_VALUE_PERCENT ? "; for percent, add a % sign" : "");
    if (kind == SL_NUMBER_LIFT && !(x > 0))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: '%.40s' must be above 0 (e.g. 0.2 or 20%% for a 20%% lift)", label,
                       text);
    if (kind == SL_NUMBER_SIGNED_LIFT && !(x != 0 && x > -1))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s: '%.40s' must be a rise or a drop above -100%% and not 0 (e.g. 0.2 "
                       "or 20%% for a rise, -10%% for a drop)",
                       label, text);
    return SL_OK;
}

sl_status sl_parse_number(sl_number_kind kind, const char *text, const char *label, double *out,
                          sl_error *err)
{
    if (!text || !label || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no number to read");
    sl_value v;
    if (!commas_group_thousands(text) || sl_parse_value(text, NULL, &v, NULL) != SL_OK ||
        v.kind == SL_VALUE_ABSENT || v.kind == SL_VALUE_DURATION || !isfinite(v.number))
        return sl_fail(err, SL_ERR_PARSE, NULL, "%s: '%.40s' is not a number", label, text);
    sl_status st = SL_OK;
    switch (kind) {
    case SL_NUMBER_COUNT:
        st = check_count(text, label, &v, err);
        break;
    case SL_NUMBER_AMOUNT:
        if (v.kind == SL_VALUE_PERCENT)
            st = sl_fail(err, SL_ERR_PARSE, NULL, "%s: '%.40s' is a percent, not an amount",
                         label, text);
        else if (v.number < 0)
            st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                         "%s: '%.40s' is negative; this value must be 0 or more", label, text);
        break;
    case SL_NUMBER_RATE:
    case SL_NUMBER_LIFT:
    case SL_NUMBER_SIGNED_LIFT:
        st = check_fraction(kind, text, label, &v, err);
        break;
    default:
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "unknown kind of number");
    }
    if (st == SL_OK)
        *out = v.number == 0 ? 0 : v.number; /* never -0 */
    return st;
}
