/*
 * fuzz_content.c — libFuzzer target for the content parser (terms, guides,
 * drills, export vocabulary).  The input is split at NUL bytes into up to
 * four files: a term, a guide, a drill set and a vocabulary table, so the
 * fuzzer reaches the cross-checks too.
 * Any input must give SL_OK or a clean SL_ERR_CONTENT with a message.
 */
#include "base/internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    static const char *const names[] = {"terms/fuzz.txt", "guides/fuzz.txt", "drills/fuzz.txt",
                                        "import/vocabulary/fuzz.txt"};
    source_file files[4];
    size_t n = 0;
    const char *p = copy, *end = copy + size;
    while (n < 4 && p <= end) {
        files[n] = (source_file){names[n], p};
        n++;
        p += strlen(p) + 1;
    }
    sl_content *c = NULL;
    sl_error err;
    sl_status st = sl_content_from_texts(files, n, &c, &err);
    if (st == SL_OK) {
        /* Exercise the accessors on whatever parsed. */
        for (size_t i = 0; i < sl_term_count(c); i++) {
            const sl_term *t = sl_term_at(c, i);
            sl_term_find(c, t->name);
            const sl_term *sugg[3];
            sl_term_suggest(c, t->slug, sugg, 3);
            sl_free(sl_term_to_json(t));
        }
    } else if (st == SL_ERR_CONTENT && err.message[0] == '\0') {
        abort(); /* every content error must say what and where */
    }
    sl_content_free(c);
    free(copy);
    return 0;
}
