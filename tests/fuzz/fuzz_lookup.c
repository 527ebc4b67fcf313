/*
 * fuzz_lookup.c — libFuzzer target for glossary lookup: normalisation of
 * arbitrary bytes (invalid UTF-8, long input), "did you mean" and "same as?"
 * against the built-in content.
 */
#include "shoplab.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const sl_content *c = sl_content_builtin(NULL);
    if (!c)
        abort();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sl_term_find(c, text);
    const sl_term *out[5];
    size_t n = sl_term_suggest(c, text, out, 5);
    if (n > 5)
        abort();
    sl_same_result r;
    sl_terms_same(c, text, "ctor", &r, NULL);
    free(text);
    return 0;
}
