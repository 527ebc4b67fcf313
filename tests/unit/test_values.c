/*
 * test_values.c — the export value parser against the formats real exports
 * use (docs/values.md): currencies and their separators, percents, count
 * suffixes, durations, missing markers and IDs, plus the rejections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "shoplab.h"

typedef struct accept_case {
    const char *text;
    const char *hint;
    sl_value_kind kind;
    double number;
    const char *currency;
    bool approximate, ambiguous;
} accept_case;

static const accept_case accepted[] = {
    {"$205.33", NULL, SL_VALUE_MONEY, 205.33, "USD", false, false},
    {"$1,234.56", NULL, SL_VALUE_MONEY, 1234.56, "USD", false, false},
    {"Rp154.530", NULL, SL_VALUE_MONEY, 154530, "IDR", false, false},
    {"Rp1.234.567", NULL, SL_VALUE_MONEY, 1234567, "IDR", false, false},
    {"2.621.500\xe2\x82\xab", NULL, SL_VALUE_MONEY, 2621500, "VND", false, false},
    {"RM12.50", NULL, SL_VALUE_MONEY, 12.5, "MYR", false, false},
    {"\xe2\x82\xac" "9,99", NULL, SL_VALUE_MONEY, 9.99, "EUR", false, false},
    {"\xc2\xa3" "1,050.00", NULL, SL_VALUE_MONEY, 1050, "GBP", false, false},
    {"USD 12.50", NULL, SL_VALUE_MONEY, 12.5, "USD", false, false},
    {"12.50 SGD", NULL, SL_VALUE_MONEY, 12.5, "SGD", false, false},
    {"-$5.00", NULL, SL_VALUE_MONEY, -5, "USD", false, false},
    {"$-5.00", NULL, SL_VALUE_MONEY, -5, "USD", false, false},
    {"154.530", "IDR", SL_VALUE_MONEY, 154530, "IDR", false, false}, /* "Revenue (Rp)" column */
    {"154.530", NULL, SL_VALUE_NUMBER, 154.53, "", false, true},      /* no currency: flagged */
    {"1,234", NULL, SL_VALUE_NUMBER, 1234, "", false, true},
    {"1.234,56", NULL, SL_VALUE_NUMBER, 1234.56, "", false, false},   /* last separator decimal */
    {"1,234,567", NULL, SL_VALUE_NUMBER, 1234567, "", false, false},
    {"4,11", NULL, SL_VALUE_NUMBER, 4.11, "", false, false},
    {"0.530", NULL, SL_VALUE_NUMBER, 0.53, "", false, false},
    {"4.11%", NULL, SL_VALUE_PERCENT, 0.0411, "", false, false},
    {"5%", NULL, SL_VALUE_PERCENT, 0.05, "", false, false},
    {" 4.33 % ", NULL, SL_VALUE_PERCENT, 0.0433, "", false, false},
    {"1.74K", NULL, SL_VALUE_NUMBER, 1740, "", true, false},
    {"21.87k", NULL, SL_VALUE_NUMBER, 21870, "", true, false},
    {"2.5M", NULL, SL_VALUE_NUMBER, 2500000, "", true, false},
    {"15RB", NULL, SL_VALUE_NUMBER, 15000, "", true, false},
    {"1,5JT", NULL, SL_VALUE_NUMBER, 1500000, "", true, false},
    {"$1.24\xe4\xb8\x87", NULL, SL_VALUE_MONEY, 12400, "USD", true, false}, /* 万 */
    {"1m28s", NULL, SL_VALUE_DURATION, 88, "", false, false},
    {"19s", NULL, SL_VALUE_DURATION, 19, "", false, false},
    {"1h39min", NULL, SL_VALUE_DURATION, 5940, "", false, false},
    {"01:02:03", NULL, SL_VALUE_DURATION, 3723, "", false, false},
    {"2:05", NULL, SL_VALUE_DURATION, 125, "", false, false},
    {"8000", NULL, SL_VALUE_NUMBER, 8000, "", false, false},
    {"\xc2\xa0" "8000\xc2\xa0", NULL, SL_VALUE_NUMBER, 8000, "", false, false}, /* no-break spaces */
    {"1.5E+06", NULL, SL_VALUE_NUMBER, 1500000, "", false, false},
    {"--", NULL, SL_VALUE_ABSENT, 0, "", false, false},
    {"-", NULL, SL_VALUE_ABSENT, 0, "", false, false},
    {"", NULL, SL_VALUE_ABSENT, 0, "", false, false},
    {"   ", NULL, SL_VALUE_ABSENT, 0, "", false, false},
    {"#N/A", NULL, SL_VALUE_ABSENT, 0, "", false, false},
};

static const char *const rejected[] = {
    "12abc", "abc", "$", "%", "1,234,56", "1.234.56,7,8", "12,34,567", "4.11%$", "$4.11%", "1..2",
    "1h1h", "5s3m", "1:75", "::", "GMV 30k-100k", "12 34",
};

static void accepts_export_formats(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++) {
        const accept_case *c = &accepted[i];
        sl_value v;
        sl_error err;
        sl_status st = sl_parse_value(c->text, c->hint, &v, &err);
        bool ok = st == SL_OK && v.kind == c->kind && fabs(v.number - c->number) <= 1e-9 *
                  (fabs(c->number) + 1) && strcmp(v.currency, c->currency) == 0 &&
                  v.approximate == c->approximate && v.ambiguous == c->ambiguous;
        if (!ok) {
            failures++;
            print_error("'%s': status %d (%s) kind %s %.17g '%s' approx %d ambiguous %d\n",
                        c->text, st, st ? err.message : "", sl_value_kind_name(v.kind), v.number,
                        v.currency, v.approximate, v.ambiguous);
        }
    }
    assert_int_equal(failures, 0);
}

static void rejects_what_is_not_a_value(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof rejected / sizeof *rejected; i++) {
        sl_value v;
        sl_error err;
        sl_status st = sl_parse_value(rejected[i], NULL, &v, &err);
        if (st != SL_ERR_PARSE || err.message[0] == '\0') {
            failures++;
            print_error("'%s' was accepted as %s %.17g\n", rejected[i],
                        sl_value_kind_name(v.kind), v.number);
        }
    }
    assert_int_equal(failures, 0);
    char longer[SL_MAX_VALUE_TEXT + 2];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    sl_value v;
    sl_error err;
    assert_int_equal(sl_parse_value(longer, NULL, &v, &err), SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "limit"));
}

static void ids_stay_text(void **state)
{
    (void)state;
    char id[32];
    sl_error err;
    assert_int_equal(sl_parse_id("7234567890123456789", id, sizeof id, &err), SL_OK);
    assert_string_equal(id, "7234567890123456789"); /* 19 digits, no double round trip */
    assert_int_equal(sl_parse_id(" 7234567890123456789.0 ", id, sizeof id, &err), SL_OK);
    assert_string_equal(id, "7234567890123456789");
    assert_int_equal(sl_parse_id("7.23456789012346E+18", id, sizeof id, &err), SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "scientific notation"));
    assert_int_equal(sl_parse_id("12a", id, sizeof id, &err), SL_ERR_PARSE);
    assert_int_equal(sl_parse_id("", id, sizeof id, &err), SL_ERR_PARSE);
    assert_int_equal(sl_parse_id("123456", id, 4, &err), SL_ERR_PARSE); /* too long for out */
}

static void durations(void **state)
{
    (void)state;
    double s;
    assert_int_equal(sl_parse_duration("48.215388", &s, NULL), SL_OK);
    assert_true(fabs(s - 48.215388) < 1e-12);
    assert_int_equal(sl_parse_duration("1 h 2 min 3 s", &s, NULL), SL_OK);
    assert_true(s == 3723);
    assert_int_equal(sl_parse_duration("3m", &s, NULL), SL_OK);
    assert_true(s == 180);
    assert_int_equal(sl_parse_duration("1:2:3:4", &s, NULL), SL_ERR_PARSE);
    assert_int_equal(sl_parse_duration("soon", &s, NULL), SL_ERR_PARSE);
    /* Fuzz findings: a suffix, or minutes or hours, past a double. */
    sl_value big;
    assert_int_equal(sl_parse_value("7E306M", NULL, &big, NULL), SL_ERR_PARSE);
    assert_int_equal(sl_parse_value("1e308K", NULL, &big, NULL), SL_ERR_PARSE);
    assert_int_equal(sl_parse_duration("7.E306m", &s, NULL), SL_ERR_PARSE);
    assert_int_equal(sl_parse_duration("1e308h", &s, NULL), SL_ERR_PARSE);
    assert_int_equal(sl_parse_duration("1e307:00:00", &s, NULL), SL_ERR_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_export_formats),
        cmocka_unit_test(rejects_what_is_not_a_value),
        cmocka_unit_test(ids_stay_text),
        cmocka_unit_test(durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
