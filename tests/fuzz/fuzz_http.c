/*
 * fuzz_http.c — libFuzzer target for what the web app parses from a request
 * before any route sees it: strict percent-decoding (never longer than the
 * input, never a NUL inside a value unless refused) and the form numbers
 * (a count is whole, 0..2^53; a rate in (0, 1); a lift above 0; money finite
 * and not negative; any refusal carries a message naming the field).  The
 * first byte picks the kind of number.
 */
#include "web.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_number(sl_number_kind kind, const char *text)
{
    bool set = false;
    double v = -1;
    sl_error err;
    sl_error_clear(&err);
    sl_status st = web_parse_number(kind, text, "field", "Field", &set, &v, &err);
    if (st != SL_OK) {
        if (set || !err.message[0] || strncmp(err.message, "Field", 5) != 0 ||
            !err.field || strcmp(err.field, "field") != 0)
            abort();
        return;
    }
    if (!set)
        return;
    if (!isfinite(v))
        abort();
    switch (kind) {
    case SL_NUMBER_COUNT:
        if (v < 0 || v != floor(v) || v > SL_MAX_COUNT)
            abort();
        break;
    case SL_NUMBER_AMOUNT:
        if (v < 0)
            abort();
        break;
    case SL_NUMBER_RATE:
        if (!(v > 0 && v < 1))
            abort();
        break;
    case SL_NUMBER_LIFT:
        if (!(v > 0))
            abort();
        break;
    default:
        break; /* the web reads no signed lift */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    sl_number_kind kind = (sl_number_kind)(data[0] % 4);
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t before = strlen(text);
    check_number(kind, text);
    bool bad;
    size_t after = web_unescape(text, &bad);
    if (after > before || text[after] != '\0')
        abort();
    if (!bad && strlen(text) != after)
        abort(); /* a NUL decoded into the value without being refused */
    if (!bad)
        check_number(kind, text);
    free(text);
    return 0;
}
