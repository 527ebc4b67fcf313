/*
 * import_dates.c — days and times as exports write them, and the report's
 * period from the preamble.
 *
 * "2026-09-28", "2024/05/17/ 19:30", "28/09/2026", "8/6/2025", Excel serial
 * days.  A d/m date whose two parts are both 12 or less is ambiguous by
 * itself: the order is decided for the whole column (import_survey.c) from
 * the cells that settle it, and passed in here.
 */
#include "import.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A day exports can mean: 1970 to 2200, a real date. */
static bool valid_ymd(int y, int m, int d)
{
    return y >= 1970 && y <= 2200 && d >= 1 && d <= sl_days_in_month(y, m);
}

/* Month names as exports write them (English, Spanish, Portuguese,
 * Indonesian, French, German, Italian short forms share most prefixes). */
static int month_of(const char *p, size_t *len)
{
    static const char *const names[12][5] = {
        {"jan", "ene", "gen", NULL}, {"feb", "fev", "fév", NULL},
        {"mar", "mär", NULL},        {"apr", "abr", "avr", NULL},
        {"may", "mei", "mai", "mag", NULL}, {"jun", "jui", "giu", NULL},
        {"jul", "lug", NULL},        {"aug", "ago", "agu", "aoû", NULL},
        {"sep", "set", NULL},        {"oct", "out", "okt", "ott", NULL},
        {"nov", NULL},               {"dec", "dic", "dez", "des", "déc"},
    };
    size_t n = 0;
    while (isalpha((unsigned char)p[n]) || ((unsigned char)p[n] >= 0x80 && p[n]))
        n++;
    if (n < 3)
        return 0;
    char word[8];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof word; i++)
        word[k++] = (char)tolower((unsigned char)p[i]);
    word[k] = '\0';
    *len = n;
    /* "juin" and "juillet" share "jui": June is "juin", July "juil". */
    if (strncmp(word, "juil", 4) == 0)
        return 7;
    for (int m = 0; m < 12; m++)
        for (int i = 0; i < 5 && names[m][i]; i++)
            if (strncmp(word, names[m][i], strlen(names[m][i])) == 0)
                return m + 1;
    return 0;
}

/* "May 7, 2026", "7 May 2026", "7 de mayo de 2026": a month written as a
 * word is never ambiguous. */
static bool named_day(const char *text, int *y, int *m, int *d)
{
    size_t len;
    int a, b, n = 0;
    if ((*m = month_of(text, &len)) != 0 &&
        sscanf(text + len, " %2d , %4d%n", &a, &b, &n) >= 2 && b >= 1000) {
        *d = a, *y = b;
        return true;
    }
    if (sscanf(text, "%2d%n", &a, &n) == 1) {
        const char *p = text + n;
        while (*p == ' ' || *p == '.' || *p == '-')
            p++;
        if (strncmp(p, "de ", 3) == 0)
            p += 3;
        if ((*m = month_of(p, &len)) != 0) {
            p += len;
            while (*p == ' ' || *p == '.' || *p == ',' || *p == '-')
                p++;
            if (strncmp(p, "de ", 3) == 0)
                p += 3;
            if (sscanf(p, "%4d", &b) == 1 && b >= 1000) {
                *d = a, *y = b;
                return true;
            }
        }
    }
    return false;
}

/* "2026-09-28" and "2026/09/28" as the year-first sscanf below reads them
 * (its four, two and two digits, one separator twice), or false. */
static bool iso_day(const char *t, int *y, int *m, int *d)
{
    /* Left to right, so a shorter text stops at its NUL. */
    for (int i = 0; i < 10; i++) {
        bool ok = i == 4 || i == 7 ? t[i] == '-' || t[i] == '/' || t[i] == '.'
                                   : t[i] >= '0' && t[i] <= '9';
        if (!ok)
            return false;
    }
    if (t[4] != t[7] || t[0] == '0')
        return false;
    *y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    *m = (t[5] - '0') * 10 + (t[6] - '0');
    *d = (t[8] - '0') * 10 + (t[9] - '0');
    return true;
}

bool import_parse_day(const char *text, date_order order, char out[11], bool *ambiguous)
{
    *ambiguous = false;
    while (*text == ' ')
        text++;
    int a, b, c, n = 0;
    char s1, s2;
    int y, m, d;
    if (iso_day(text, &y, &m, &d)) {
        /* the common case, without sscanf's cost on millions of rows */
    } else if (named_day(text, &y, &m, &d)) {
        /* spelled out: nothing to decide */
    } else if (sscanf(text, "%4d%c%2d%c%2d%n", &a, &s1, &b, &s2, &c, &n) == 5 && n >= 8 && a >= 1000 &&
        s1 == s2 && (s1 == '-' || s1 == '/' || s1 == '.')) {
        y = a, m = b, d = c;            /* 2026-09-28, 2024/05/17/ 19:30, range 2026-09-28-… */
    } else if (sscanf(text, "%2d%c%2d%c%4d%n", &a, &s1, &b, &s2, &c, &n) == 5 && c >= 1000 &&
               s1 == s2 && (s1 == '/' || s1 == '-' || s1 == '.')) {
        y = c;
        if (a > 12 && b <= 12)
            d = a, m = b;
        else if (b > 12 && a <= 12)
            m = a, d = b;
        else if (order == DATE_ORDER_MDY)
            m = a, d = b;
        else if (order == DATE_ORDER_DMY || a == b)
            d = a, m = b;
        else {
            *ambiguous = true;
            return false;
        }
    } else {
        /* An Excel serial day that reached us as a plain number. */
        char *end;
        double serial = strtod(text, &end);
        while (*end == ' ')
            end++;
        if (end == text || *end || !(serial >= 25569 && serial < 110000))
            return false;
        sl_civil_from_days(sl_days_from_excel((long)floor(serial), false), &y, &m, &d);
    }
    if (!valid_ymd(y, m, d))
        return false;
    /* Digits written directly: valid_ymd bounds every part. */
    unsigned parts[3] = {(unsigned)y, (unsigned)m, (unsigned)d};
    char *o = out;
    for (int i = 0; i < 3; i++) {
        unsigned v = parts[i];
        if (i == 0) {
            *o++ = (char)('0' + v / 1000 % 10);
            *o++ = (char)('0' + v / 100 % 10);
        } else {
            *o++ = '-';
        }
        *o++ = (char)('0' + v / 10 % 10);
        *o++ = (char)('0' + v % 10);
    }
    *o = '\0';
    return true;
}


bool import_parse_time(const char *text, date_order order, char out[17], bool *ambiguous)
{
    char day[11];
    if (!import_parse_day(text, order, day, ambiguous))
        return false;
    while (*text == ' ')
        text++;
    int hh = -1, mm = -1;
    char *end;
    double serial = strtod(text, &end);
    if (end != text && !*end && serial >= 25569 && serial < 110000) {
        double minutes = round((serial - floor(serial)) * 1440.0);
        hh = (int)(minutes / 60) % 24, mm = (int)minutes % 60;
    } else {
        /* The time follows the date after a space, a 'T' or "/ ". */
        const char *p = text;
        while (*p && (isdigit((unsigned char)*p) || *p == '-' || *p == '/' || *p == '.'))
            p++;
        while (*p == ' ' || *p == 'T' || *p == '/')
            p++;
        if (sscanf(p, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59)
            hh = -1;
    }
    if (hh < 0)
        snprintf(out, 17, "%s", day);
    else
        snprintf(out, 17, "%.10s %02u:%02u", day, (unsigned)hh % 24u, (unsigned)mm % 60u);
    return true;
}

date_order import_day_evidence(const char *text)
{
    int a, b, c, n = 0;
    char s1, s2;
    while (*text == ' ')
        text++;
    if (sscanf(text, "%2d%c%2d%c%4d%n", &a, &s1, &b, &s2, &c, &n) != 5 || c < 1000 || s1 != s2 ||
        (s1 != '/' && s1 != '-' && s1 != '.'))
        return DATE_ORDER_UNKNOWN;
    if (a > 12 && b <= 12)
        return DATE_ORDER_DMY;
    if (b > 12 && a <= 12)
        return DATE_ORDER_MDY;
    return DATE_ORDER_UNKNOWN;
}

/* Calls `each` on every date-shaped text in the preamble cells. */
static size_t preamble_dates(const held_rows *held, size_t before, const char **at, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < before && n < max; i++)
        for (size_t c = 0; c < held->cells[i] && n < max; c++) {
            const char *start = held->text[i][c];
            for (const char *p = start; *p && n < max; p++) {
                int y, m, d;
                size_t wlen;
                if (isalpha((unsigned char)*p) && (p == start || !isalpha((unsigned char)p[-1])) &&
                    month_of(p, &wlen) && named_day(p, &y, &m, &d)) {
                    at[n++] = p;
                    p += wlen;
                    while (*p && *p != ',' && !isdigit((unsigned char)*p))
                        p++;
                    while (*p && !(isdigit((unsigned char)p[0]) && strlen(p) >= 4 &&
                                   isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
                                   isdigit((unsigned char)p[3]) &&
                                   !isdigit((unsigned char)p[4])))
                        p++;
                    if (!*p)
                        break;
                    p += 3;
                    continue;
                }
                if (!isdigit((unsigned char)*p) || (p > start && isdigit((unsigned char)p[-1])))
                    continue;
                size_t rest = strlen(p);
                bool shape = rest >= 8 && (p[4] == '-' || p[4] == '/' || p[4] == '.' ||
                                           p[2] == '/' || p[2] == '-' || p[2] == '.' ||
                                           p[1] == '/');
                char day[11];
                bool amb;
                if (shape && (import_parse_day(p, DATE_ORDER_DMY, day, &amb) || amb)) {
                    at[n++] = p;
                    size_t skip = p[4] == '-' || p[4] == '/' || p[4] == '.' ? 10 : 8;
                    p += (skip < rest ? skip : rest) - 1;
                }
            }
        }
    return n;
}

/* "[Date Range]: 2026-06-01 ~ 2026-06-07", a lone "28/09/2026" in A1,
 * "01/05/2026-31/05/2026": the dates settle their own order when one part
 * is above 12 ("31/05"), else the column's order is used. */
void import_find_period(const held_rows *held, size_t before, date_order order, char *period,
                        size_t size)
{
    const char *at[2];
    size_t n = preamble_dates(held, before, at, 2);
    period[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        date_order e = import_day_evidence(at[i]);
        if (e != DATE_ORDER_UNKNOWN)
            order = e;
    }
    char found[2][11];
    bool amb;
    for (size_t i = 0; i < n; i++)
        if (!import_parse_day(at[i], order, found[i], &amb))
            return; /* both ways round and nothing settles it: no period */
    if (n == 1)
        snprintf(period, size, "%s", found[0]);
    else if (n == 2)
        snprintf(period, size, "%s ~ %s", found[0], found[1]);
}

/* The order the preamble's dates settle by themselves, or UNKNOWN. */
date_order import_period_evidence(const held_rows *held, size_t before)
{
    const char *at[2];
    size_t n = preamble_dates(held, before, at, 2);
    for (size_t i = 0; i < n; i++) {
        date_order e = import_day_evidence(at[i]);
        if (e != DATE_ORDER_UNKNOWN)
            return e;
    }
    return DATE_ORDER_UNKNOWN;
}
