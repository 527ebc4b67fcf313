/*
 * fuzz_values.c — libFuzzer target for the export value parser: any bytes
 * must give a value or a clean SL_ERR_PARSE with a message, and a value must
 * be finite.  The first byte picks the column's currency hint.
 */
#include "shoplab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const char *const hints[] = {NULL, "IDR", "USD", "VND"};
    const char *hint = hints[data[0] % 4];
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    sl_value v;
    sl_error err;
    sl_status st = sl_parse_value(text, hint, &v, &err);
    if (st == SL_OK && !isfinite(v.number))
        abort();
    if (st != SL_OK && (st != SL_ERR_PARSE || err.message[0] == '\0'))
        abort();
    double seconds;
    st = sl_parse_duration(text, &seconds, &err);
    if (st == SL_OK && !isfinite(seconds))
        abort();
    char id[32];
    st = sl_parse_id(text, id, sizeof id, &err);
    if (st == SL_OK && strspn(id, "0123456789") != strlen(id))
        abort();
    free(text);
    return 0;
}
