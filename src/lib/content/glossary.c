/*
 * glossary.c — finding terms the way people type them, "did you mean" and
 * "same as?".
 *
 * Lookup folds case, accents, spaces and punctuation away ("CO rate",
 * "co-rate" and "Có Rate" are one key), because creators type names from
 * exports in many languages and from memory (the folding is base/text.c).  The alias table is the term
 * files themselves: there is no second list to drift.
 */
#include "base/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lookup ---- */

const sl_term *sl_term_find(const sl_content *c, const char *text)
{
    if (!c || !text)
        return NULL;
    char key[SL_MAX_KEY];
    sl_normalise_key(text, key, sizeof key, false);
    return key[0] ? sl_content_lookup_key(c, key) : NULL;
}

/* Levenshtein distance, two rows, inputs cut at SL_MAX_KEY. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t prev[SL_MAX_KEY + 1], cur[SL_MAX_KEY + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

static size_t shared_words(const char *query_words, const char *candidate)
{
    char cw[SL_MAX_KEY], q[SL_MAX_KEY];
    sl_normalise_key(candidate, cw, sizeof cw, true);
    snprintf(q, sizeof q, "%s", query_words);
    size_t shared = 0;
    for (char *w = strtok(q, " "); w; w = strtok(NULL, " ")) {
        size_t wl = strlen(w);
        for (const char *p = cw; *p;) {
            size_t l = strcspn(p, " ");
            if (l == wl && strncmp(p, w, wl) == 0 && wl > 1) {
                shared++;
                break;
            }
            p += l;
            while (*p == ' ')
                p++;
        }
    }
    return shared;
}

typedef struct scored {
    const sl_term *term;
    long score;           /* lower is better */
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return strcmp(x->term->slug, y->term->slug);
}

/* Best (distance, shared words) of `text` against one name. */
static void score_name(const char *key, const char *words, const char *name, size_t *best_dist,
                       size_t *best_shared)
{
    char k[SL_MAX_KEY];
    sl_normalise_key(name, k, sizeof k, false);
    size_t d = edit_distance(key, k);
    size_t s = shared_words(words, name);
    if (d < *best_dist)
        *best_dist = d;
    if (s > *best_shared)
        *best_shared = s;
}

size_t sl_term_suggest(const sl_content *c, const char *text, const sl_term **out, size_t max)
{
    size_t n = sl_term_count(c);
    if (!c || !text || !out || !max || !n)
        return 0;
    char key[SL_MAX_KEY], words[SL_MAX_KEY];
    sl_normalise_key(text, key, sizeof key, false);
    sl_normalise_key(text, words, sizeof words, true);
    if (!key[0])
        return 0; /* nothing to compare: no letters or digits at all */
    scored *all = calloc(n, sizeof *all);
    if (!all)
        return 0;
    size_t kept = 0, keylen = strlen(key);
    for (size_t i = 0; i < n; i++) {
        const sl_term *t = sl_term_at(c, i);
        size_t dist = (size_t)-1, shared = 0;
        score_name(key, words, t->name, &dist, &shared);
        score_name(key, words, t->slug, &dist, &shared);
        for (size_t a = 0; a < t->alias_count; a++)
            score_name(key, words, t->aliases[a].text, &dist, &shared);
        /* Close spellings (a third of the length, at least 2 edits) and any
         * term sharing a whole word are candidates; a shared word is worth
         * three edits. */
        size_t allowed = keylen / 3 > 2 ? keylen / 3 : 2;
        if (dist <= allowed || shared > 0)
            all[kept++] = (scored){t, (long)dist - 3 * (long)shared};
    }
    qsort(all, kept, sizeof *all, by_score);
    size_t written = kept < max ? kept : max;
    for (size_t i = 0; i < written; i++)
        out[i] = all[i].term;
    free(all);
    return written;
}

/* ---- same as? ---- */

static const char *field_words(const char *field)
{
    for (int f = 0; f < SL_FIELD__COUNT; f++)
        if (strcmp(sl_field_name((sl_field)f), field) == 0)
            return sl_field_label((sl_field)f);
    return field;
}

static bool links(const sl_term *from, const sl_term *to)
{
    for (size_t i = 0; i < from->related_count; i++)
        if (strcmp(from->related[i], to->slug) == 0)
            return true;
    return false;
}

static void explain_relation(const sl_term *a, const sl_term *b, sl_same_result *r)
{
    sl_formula_parts fa, fb;
    bool ma = sl_formula_split(a->formula, &fa), mb = sl_formula_split(b->formula, &fb);
    r->sameness = SL_SAME_RELATED;
    if (ma && mb && strcmp(fa.numerator, fb.numerator) == 0) {
        snprintf(r->relation, sizeof r->relation, "same numerator, different denominator");
        snprintf(r->sentence, sizeof r->sentence,
                 "Both count %s, but %s divides by %s and %s divides by %s, so they answer "
                 "different questions and cannot be compared with each other.",
                 field_words(fa.numerator), a->name, field_words(fa.denominator), b->name,
                 field_words(fb.denominator));
    } else if (ma && mb && strcmp(fa.denominator, fb.denominator) == 0) {
        snprintf(r->relation, sizeof r->relation, "same denominator, different numerator");
        snprintf(r->sentence, sizeof r->sentence,
                 "Both are out of %s, but %s counts %s and %s counts %s.",
                 field_words(fa.denominator), a->name, field_words(fa.numerator), b->name,
                 field_words(fb.numerator));
    } else if (ma && mb && (strcmp(fa.numerator, fb.denominator) == 0 ||
                            strcmp(fb.numerator, fa.denominator) == 0)) {
        const sl_term *first = strcmp(fa.numerator, fb.denominator) == 0 ? a : b;
        const sl_term *second = first == a ? b : a;
        sl_formula_parts *ff = first == a ? &fa : &fb, *sf = first == a ? &fb : &fa;
        snprintf(r->relation, sizeof r->relation, "consecutive funnel steps");
        snprintf(r->sentence, sizeof r->sentence,
                 "They are different steps of the funnel: %s is %s out of %s, and %s starts "
                 "where it ends, %s out of %s, so read %s first.",
                 first->name, field_words(ff->numerator), field_words(ff->denominator),
                 second->name, field_words(sf->numerator), field_words(sf->denominator),
                 first->name);
    } else if ((ma && b->field && (strcmp(fa.numerator, b->field) == 0 ||
                                   strcmp(fa.denominator, b->field) == 0)) ||
               (mb && a->field && (strcmp(fb.numerator, a->field) == 0 ||
                                   strcmp(fb.denominator, a->field) == 0))) {
        const sl_term *rate = ma ? a : b, *part = ma ? b : a;
        sl_formula_parts *fr = ma ? &fa : &fb;
        bool is_num = strcmp(fr->numerator, part->field) == 0;
        snprintf(r->relation, sizeof r->relation, "%s is computed from %s", rate->name,
                 part->name);
        snprintf(r->sentence, sizeof r->sentence,
                 "%s is a rate and %s is a count: %s is the %s of %s (%s).", rate->name,
                 part->name, part->name, is_num ? "numerator" : "denominator", rate->name,
                 rate->formula);
    } else if (links(a, b) || links(b, a)) {
        snprintf(r->relation, sizeof r->relation, "read together");
        snprintf(r->sentence, sizeof r->sentence,
                 "They are different things that are read together. %s: %s %s: %s", a->name,
                 a->answer, b->name, b->answer);
    } else {
        r->sameness = SL_SAME_DIFFERENT;
        snprintf(r->relation, sizeof r->relation, "different");
        snprintf(r->sentence, sizeof r->sentence, "They are different. %s: %s %s: %s", a->name,
                 a->answer, b->name, b->answer);
    }
}

sl_status sl_terms_same(const sl_content *c, const char *a, const char *b, sl_same_result *out,
                        sl_error *err)
{
    if (!c || !a || !b || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "missing argument");
    memset(out, 0, sizeof *out);
    out->a = sl_term_find(c, a);
    if (!out->a)
        return sl_fail(err, SL_ERR_NOT_FOUND, "a", "'%s' is not a glossary term", a);
    out->b = sl_term_find(c, b);
    if (!out->b)
        return sl_fail(err, SL_ERR_NOT_FOUND, "b", "'%s' is not a glossary term", b);
    if (out->a == out->b) {
        out->sameness = SL_SAME_MEASURE;
        snprintf(out->relation, sizeof out->relation, "same measure");
        snprintf(out->sentence, sizeof out->sentence,
                 "'%s' and '%s' are two names for the same thing, %s: %s", a, b, out->a->name,
                 out->a->answer);
        return SL_OK;
    }
    explain_relation(out->a, out->b, out);
    return SL_OK;
}
