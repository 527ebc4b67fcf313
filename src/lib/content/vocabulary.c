/*
 * vocabulary.c — the export headers of every market (content/import/
 * vocabulary/<language>.txt): what each header means and where it was seen.
 *
 * One line a header, `HEADER | MEANING | MARKETS | SEEN IN`.  The glossary
 * takes the `term` lines as more names of its terms (so `shoplab define
 * "Impresiones de productos"` resolves), and the importer takes all of them:
 * key and title columns, the "all channels" band labels, the first cells of
 * total and percent-change rows, table titles.  A header is data, written
 * as the export spells it; the lookup key ignores case, spaces and
 * punctuation, like every other name.
 */
#include "base/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const key_roles[] = {"video", "product", "live", "creator", "day", "time"};

struct sl_vocabulary {
    sl_vocab *entries;          /* sorted by key */
    size_t count, cap;
    char **texts;               /* the files' text, owned */
    size_t text_count;
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static sl_status vocab_error(sl_error *err, const char *file, unsigned line, const char *fmt,
                             const char *what)
{
    char msg[240];
    snprintf(msg, sizeof msg, fmt, what);
    return sl_fail_at(err, SL_ERR_CONTENT, (sl_place){file, line, 0, NULL}, "%s", msg);
}

/* Reads "term product-impressions", "key video", "band all"… */
static bool parse_meaning(char *text, sl_vocab *v)
{
    for (int m = SL_VOCAB_OTHER; m >= 0; m--) {
        const char *name = sl_vocab_meaning_name((sl_vocab_meaning)m);
        size_t n = strlen(name);
        if (strncmp(text, name, n) != 0 || (text[n] != '\0' && text[n] != ' '))
            continue;
        v->meaning = (sl_vocab_meaning)m;
        v->what = trim(text + n);
        if (m == SL_VOCAB_TERM)
            return v->what[0] != '\0';
        if (m == SL_VOCAB_KEY) {
            for (size_t r = 0; r < sizeof key_roles / sizeof *key_roles; r++)
                if (strcmp(v->what, key_roles[r]) == 0)
                    return true;
            return false;
        }
        return v->what[0] == '\0';
    }
    return false;
}

static int by_key(const void *a, const void *b)
{
    const sl_vocab *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

sl_status sl_vocabulary_add(sl_vocabulary **vocab, const char *file, const char *text,
                            sl_error *err)
{
    if (!*vocab && !(*vocab = calloc(1, sizeof **vocab)))
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    sl_vocabulary *t = *vocab;
    char **texts = realloc(t->texts, (t->text_count + 1) * sizeof *texts);
    if (!texts)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    t->texts = texts;
    char *copy = strdup(text);
    if (!copy)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    t->texts[t->text_count++] = copy;
    /* "import/vocabulary/es.txt" → "es" */
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char language[8];
    snprintf(language, sizeof language, "%.*s", (int)strcspn(base, "."), base);
    sl_lines lines = {copy, file, 0};
    for (char *s; (s = sl_lines_next(&lines));) {
        unsigned line = lines.line;
        char *part[4];
        size_t parts = 0;
        for (char *p = s; parts < 4;) {
            part[parts++] = p;
            char *bar = strstr(p, " | ");
            if (!bar)
                break;
            *bar = '\0';
            p = bar + 3;
        }
        if (parts != 4)
            return vocab_error(err, file, line, "%s",
                               "expected 'HEADER | MEANING | MARKETS | SEEN IN'");
        if (t->count == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 256;
            sl_vocab *grown = realloc(t->entries, cap * sizeof *grown);
            if (!grown)
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            t->entries = grown, t->cap = cap;
        }
        sl_vocab *v = &t->entries[t->count];
        memset(v, 0, sizeof *v);
        v->header = trim(part[0]);
        v->markets = trim(part[2]);
        v->seen_in = trim(part[3]);
        v->file = file;
        v->line = line;
        snprintf(v->language, sizeof v->language, "%s", language);
        if (!parse_meaning(trim(part[1]), v))
            return vocab_error(err, file, line,
                               "'%s' is not a meaning (term SLUG, key video|product|live|creator|"
                               "day|time, label, band all, band channel, row total|average|"
                               "change, table title, other)",
                               part[1]);
        if (!v->seen_in[0] || !v->header[0])
            return vocab_error(err, file, line, "%s",
                               "every header needs the place it was seen (SEEN IN)");
        sl_normalise_key(v->header, v->key, sizeof v->key, false);
        if (!v->key[0])
            return vocab_error(err, file, line, "'%s' has no letters or digits", v->header);
        t->count++;
    }
    return SL_OK;
}

sl_status sl_vocabulary_seal(sl_vocabulary *t, sl_error *err)
{
    if (!t || t->count == 0)
        return SL_OK; /* a file of comments only: nothing to sort */
    qsort(t->entries, t->count, sizeof *t->entries, by_key);
    /* One header, one kind of meaning: a header seen in two markets must be
     * a key in both, or a term in both, or the importer could not tell. */
    for (size_t i = 1; i < t->count; i++) {
        const sl_vocab *a = &t->entries[i - 1], *b = &t->entries[i];
        /* Two terms may share a header ("CTR" is clicks ÷ views in one export
         * and clicks ÷ impressions in another): the counts decide per file. */
        bool both_terms = a->meaning == SL_VOCAB_TERM && b->meaning == SL_VOCAB_TERM;
        /* Spellings that differ only in case may mean different things
         * ("Produk Terjual", distinct products sold in a LIVE list; "Produk
         * terjual", items sold in shop metrics): the exact spelling decides. */
        if (strcmp(a->key, b->key) == 0 && !both_terms && strcmp(a->header, b->header) == 0 &&
            (a->meaning != b->meaning || strcmp(a->what, b->what) != 0)) {
            char what[160];
            snprintf(what, sizeof what, "'%.60s' means %s %s here but %s %s in %s:%u",
                     b->header, sl_vocab_meaning_name(b->meaning), b->what,
                     sl_vocab_meaning_name(a->meaning), a->what, a->file, a->line);
            return vocab_error(err, b->file, b->line, "%s", what);
        }
    }
    return SL_OK;
}

void sl_vocabulary_free(sl_vocabulary *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->text_count; i++)
        free(t->texts[i]);
    free(t->texts);
    free(t->entries);
    free(t);
}

size_t sl_vocabulary_count(const sl_vocabulary *t)
{
    return t ? t->count : 0;
}

const sl_vocab *sl_vocabulary_at(const sl_vocabulary *t, size_t i)
{
    return t && i < t->count ? &t->entries[i] : NULL;
}

const sl_vocab *sl_vocabulary_find(const sl_vocabulary *t, const char *key)
{
    if (!t || !key || !t->count)
        return NULL;
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(t->entries[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->count && strcmp(t->entries[lo].key, key) == 0 ? &t->entries[lo] : NULL;
}

const sl_vocab *sl_vocabulary_find_spelt(const sl_vocabulary *t, const char *key,
                                         const char *header)
{
    const sl_vocab *first = sl_vocabulary_find(t, key);
    if (!first || !header)
        return first;
    for (const sl_vocab *v = first; v < t->entries + t->count && strcmp(v->key, key) == 0; v++)
        if (strcmp(v->header, header) == 0)
            return v;
    return first;
}
