/*
 * test_typed.c — sl_parse_number, the one rule for numbers typed into the
 * CLI's flags and the web's forms: the edges a wrong rule gets wrong (2^53
 * and one above it typed as digits, "-0", fractions of a count, rounded
 * displays, commas that do not group thousands), each error's status and
 * a message that starts with the caller's label.
 */
#include "shoplab.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static double value;
static sl_error err;

static sl_status parse(sl_number_kind kind, const char *text)
{
    value = -12345;
    sl_error_clear(&err);
    return sl_parse_number(kind, text, "--views", &value, &err);
}

static void counts_up_to_2_to_the_53(void **state)
{
    (void)state;
    assert_int_equal(parse(SL_NUMBER_COUNT, "9007199254740992"), SL_OK);
    assert_true(value == 9007199254740992.0);
    /* Rounds to 2^53 as a double: only the digits tell it is above. */
    assert_int_equal(parse(SL_NUMBER_COUNT, "9007199254740993"), SL_ERR_COUNT_TOO_LARGE);
    assert_string_equal(err.message, "--views: '9007199254740993' is above the largest "
                                     "supported count, 2^53 (9007199254740992)");
    assert_int_equal(parse(SL_NUMBER_COUNT, "9,007,199,254,740,993"), SL_ERR_COUNT_TOO_LARGE);
    assert_int_equal(parse(SL_NUMBER_COUNT, "0009007199254740992"), SL_OK);
    assert_int_equal(parse(SL_NUMBER_COUNT, "90071992547409920"), SL_ERR_COUNT_TOO_LARGE);
    assert_int_equal(parse(SL_NUMBER_COUNT, "0"), SL_OK);
    assert_true(value == 0);
}

static void counts_whole_and_not_negative(void **state)
{
    (void)state;
    assert_int_equal(parse(SL_NUMBER_COUNT, "-3"), SL_ERR_NEGATIVE_COUNT);
    assert_string_equal(err.message, "--views: '-3' is negative; counts must be 0 or more");
    assert_int_equal(parse(SL_NUMBER_COUNT, "-0"), SL_ERR_NEGATIVE_COUNT);
    assert_int_equal(parse(SL_NUMBER_COUNT, "4.5"), SL_ERR_NOT_WHOLE);
    assert_string_equal(err.message,
                        "--views: '4.5' is not a whole number; counts are whole events");
    /* 2^53 + 0.5 is 2^53 as a double: the typed digits say it is not whole. */
    assert_int_equal(parse(SL_NUMBER_COUNT, "9007199254740992.5"), SL_ERR_NOT_WHOLE);
    assert_int_equal(parse(SL_NUMBER_COUNT, "12.00"), SL_OK);
    assert_true(value == 12);
    assert_int_equal(parse(SL_NUMBER_COUNT, "1.2K"), SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "is rounded"));
    assert_int_equal(parse(SL_NUMBER_COUNT, "4%"), SL_ERR_PARSE);
    assert_int_equal(parse(SL_NUMBER_COUNT, "$5"), SL_ERR_PARSE);
    assert_int_equal(parse(SL_NUMBER_COUNT, "1e3"), SL_OK); /* as in an export cell */
    assert_true(value == 1000);
    assert_int_equal(parse(SL_NUMBER_COUNT, "1e400"), SL_ERR_PARSE);
}

static void not_numbers(void **state)
{
    (void)state;
    const char *bad[] = {"", "   ", "-", "lots", "12abc", "inf", "nan", "0x10", "1 000", "1m28s"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(parse(SL_NUMBER_COUNT, bad[i]), SL_ERR_PARSE);
        assert_true(strncmp(err.message, "--views: '", 10) == 0);
        assert_non_null(strstr(err.message, "' is not a number"));
        assert_true(value == -12345); /* untouched */
    }
    assert_int_equal(parse(SL_NUMBER_COUNT, "  8000 "), SL_OK); /* spaces around: trimmed */
    assert_true(value == 8000);
}

static void thousands_separators(void **state)
{
    (void)state;
    assert_int_equal(parse(SL_NUMBER_COUNT, "12,000"), SL_OK);
    assert_true(value == 12000);
    assert_int_equal(parse(SL_NUMBER_COUNT, "1,234,567"), SL_OK);
    assert_true(value == 1234567);
    assert_int_equal(parse(SL_NUMBER_AMOUNT, "1,234.56"), SL_OK);
    assert_true(value == 1234.56);
    /* A comma that does not group three digits is a typo, not a decimal mark. */
    const char *typos[] = {"1,00", "1,0000", ",100", "1000,000", "1,000,00", "1.5,000", "1,"};
    for (size_t i = 0; i < sizeof typos / sizeof *typos; i++)
        assert_int_equal(parse(SL_NUMBER_COUNT, typos[i]), SL_ERR_PARSE);
}

static void amounts_rates_lifts(void **state)
{
    (void)state;
    assert_int_equal(parse(SL_NUMBER_AMOUNT, "$89.70"), SL_OK);
    assert_true(value == 89.7);
    assert_int_equal(parse(SL_NUMBER_AMOUNT, "5%"), SL_ERR_PARSE);
    assert_int_equal(parse(SL_NUMBER_AMOUNT, "-1"), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(parse(SL_NUMBER_RATE, "4%"), SL_OK);
    assert_true(value == 0.04);
    assert_int_equal(parse(SL_NUMBER_RATE, "0.04"), SL_OK);
    assert_int_equal(parse(SL_NUMBER_RATE, "4"), SL_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "; for percent, add a % sign"));
    assert_int_equal(parse(SL_NUMBER_RATE, "100%"), SL_ERR_INVALID_ARGUMENT);
    assert_null(strstr(err.message, "add a % sign"));
    assert_int_equal(parse(SL_NUMBER_RATE, "0"), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(parse(SL_NUMBER_LIFT, "20%"), SL_OK);
    assert_true(value == 0.2);
    assert_int_equal(parse(SL_NUMBER_LIFT, "0"), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(parse(SL_NUMBER_LIFT, "-10%"), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(parse(SL_NUMBER_SIGNED_LIFT, "-10%"), SL_OK);
    assert_true(value == -0.1);
    assert_int_equal(parse(SL_NUMBER_SIGNED_LIFT, "0"), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(parse(SL_NUMBER_SIGNED_LIFT, "-100%"), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(sl_parse_number(SL_NUMBER_COUNT, NULL, "x", &value, &err),
                     SL_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_up_to_2_to_the_53),
        cmocka_unit_test(counts_whole_and_not_negative),
        cmocka_unit_test(not_numbers),
        cmocka_unit_test(thousands_separators),
        cmocka_unit_test(amounts_rates_lifts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
