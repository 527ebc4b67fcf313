/*
 * test_web_parse.c — the web app's request parsing (src/web/parse.c): form
 * numbers by the CLI's rules, each refusal naming its field, and the strict
 * percent-decoding that refuses what it cannot decode.
 */
#include "web.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static sl_status number(sl_number_kind kind, const char *text, bool *set, double *v,
                        sl_error *err)
{
    return web_parse_number(kind, text, "views", "Views", set, v, err);
}

static void counts(void **state)
{
    (void)state;
    bool set;
    double v;
    sl_error err;
    assert_int_equal(number(SL_NUMBER_COUNT, "12,000", &set, &v, &err), SL_OK);
    assert_true(set);
    assert_true(v == 12000);
    assert_int_equal(number(SL_NUMBER_COUNT, "  8000", &set, &v, &err), SL_OK);
    assert_true(v == 8000);
    assert_int_equal(number(SL_NUMBER_COUNT, "", &set, &v, &err), SL_OK);
    assert_false(set);
    assert_int_equal(number(SL_NUMBER_COUNT, NULL, &set, &v, &err), SL_OK);
    assert_false(set);
    assert_int_equal(number(SL_NUMBER_COUNT, "3.5", &set, &v, &err), SL_ERR_NOT_WHOLE);
    assert_string_equal(err.field, "views");
    assert_string_equal(err.message, "Views: '3.5' is not a whole number; counts are whole events");
    assert_int_equal(number(SL_NUMBER_COUNT, "1.2K", &set, &v, &err), SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "rounded"));
    assert_int_equal(number(SL_NUMBER_COUNT, "-5", &set, &v, &err), SL_ERR_NEGATIVE_COUNT);
    assert_int_equal(number(SL_NUMBER_COUNT, "4%", &set, &v, &err), SL_ERR_PARSE);
    assert_int_equal(number(SL_NUMBER_COUNT, "lots", &set, &v, &err), SL_ERR_PARSE);
    assert_string_equal(err.message, "Views: 'lots' is not a number");
    assert_int_equal(number(SL_NUMBER_COUNT, "9007199254740993", &set, &v, &err),
                     SL_ERR_COUNT_TOO_LARGE);
}

static void money_rates_lifts(void **state)
{
    (void)state;
    bool set;
    double v;
    sl_error err;
    assert_int_equal(number(SL_NUMBER_AMOUNT, "$1,234.56", &set, &v, &err), SL_OK);
    assert_true(v == 1234.56);
    assert_int_equal(number(SL_NUMBER_AMOUNT, "89.70", &set, &v, &err), SL_OK);
    assert_true(v == 89.7);
    assert_int_equal(number(SL_NUMBER_AMOUNT, "5%", &set, &v, &err), SL_ERR_PARSE);
    assert_int_equal(number(SL_NUMBER_RATE, "3%", &set, &v, &err), SL_OK);
    assert_true(v == 0.03);
    assert_int_equal(number(SL_NUMBER_RATE, "0.04", &set, &v, &err), SL_OK);
    assert_true(v == 0.04);
    assert_int_equal(number(SL_NUMBER_RATE, "3", &set, &v, &err), SL_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "0.04 and 4% both mean 4%"));
    assert_int_equal(number(SL_NUMBER_RATE, "0", &set, &v, &err), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(number(SL_NUMBER_LIFT, "20%", &set, &v, &err), SL_OK);
    assert_true(v == 0.2);
    assert_int_equal(number(SL_NUMBER_LIFT, "1.5", &set, &v, &err), SL_OK);
    assert_true(v == 1.5);
    assert_int_equal(number(SL_NUMBER_LIFT, "0", &set, &v, &err), SL_ERR_INVALID_ARGUMENT);
}

static void percent_decoding(void **state)
{
    (void)state;
    bool bad;
    char a[] = "CO%20rate%2Fb";
    assert_int_equal(web_unescape(a, &bad), 9);
    assert_false(bad);
    assert_string_equal(a, "CO rate/b");
    char b[] = "20%25";
    web_unescape(b, &bad);
    assert_false(bad);
    assert_string_equal(b, "20%");
    char c[] = "x%zz";
    web_unescape(c, &bad);
    assert_true(bad);
    char d[] = "x%00y";
    web_unescape(d, &bad);
    assert_true(bad);
    assert_int_equal(strlen(d), 5); /* the escape is left, never a NUL */
    char e[] = "cut%4";
    web_unescape(e, &bad);
    assert_true(bad);
    char f[] = "%E2%82%AC";
    assert_int_equal(web_unescape(f, &bad), 3);
    assert_false(bad);
    assert_string_equal(f, "\xe2\x82\xac");
    /* not UTF-8: refused, never a 500 further on */
    char g[] = "%ff";
    web_unescape(g, &bad);
    assert_true(bad);
    char h[] = "%C0%AF"; /* overlong "/" */
    web_unescape(h, &bad);
    assert_true(bad);
    char i[] = "%ED%A0%80"; /* a surrogate */
    web_unescape(i, &bad);
    assert_true(bad);
    assert_true(web_valid_utf8("Impresiones de productos: \xc3\xa9", 29));
    assert_false(web_valid_utf8("\xe2\x82", 2)); /* cut short */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts),
        cmocka_unit_test(money_rates_lifts),
        cmocka_unit_test(percent_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
