/*
 * glossary.c — finding terms the way people type them, "did you mean",
 * "same as?", the cross-checks of a content tree, and drill sessions.
 *
 * Lookup folds case, accents, spaces and punctuation away ("CO rate",
 * "co-rate" and "Có Rate" are one key), because creators type names from
 * exports in many languages and from memory.  The alias table is the term
 * files themselves: there is no second list to drift.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *const loop_names[] = {"pick", "tag", "read"};
static const char *const kind_names[] = {"metric", "field", "measure", "concept"};
static const char *const same_names[] = {"same", "related", "different"};
static const char *const drill_names[] = {"pick", "tag", "read"};

const char *sl_loop_step_name(sl_loop_step s)
{
    return (unsigned)s < SL_LOOP__COUNT ? loop_names[s] : "unknown";
}

const char *sl_term_kind_name(sl_term_kind k)
{
    return (unsigned)k <= SL_TERM_CONCEPT ? kind_names[k] : "unknown";
}

const char *sl_sameness_name(sl_sameness s)
{
    return (unsigned)s <= SL_SAME_DIFFERENT ? same_names[s] : "unknown";
}

const char *sl_drill_type_name(sl_drill_type t)
{
    return (unsigned)t < SL_DRILL__COUNT ? drill_names[t] : "unknown";
}

/* ---- normalisation ---- */

/* Base letters of U+0100..U+017F (Latin Extended-A), two per pair. */
static const char latin_ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkk"
                                  "LlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUu"
                                  "WwYyYZzZzZzs";

/* The ASCII letters a code point folds to, or NULL to keep it as it is. */
static const char *fold_codepoint(unsigned cp)
{
    static const char *const latin1[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y"};
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0];
    if (cp >= 0x100 && cp <= 0x17F && cp - 0x100 < sizeof latin_ext_a - 1) {
        /* One NUL-terminated string per lowercase letter, "a\0b\0…". */
        static const char letters[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r"
                                      "\0s\0t\0u\0v\0w\0x\0y\0z";
        char c = latin_ext_a[cp - 0x100];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        return &letters[(c - 'a') * 2];
    }
    if (cp == 0x1A0 || cp == 0x1A1)
        return "o";
    if (cp == 0x1AF || cp == 0x1B0)
        return "u";
    /* Vietnamese letters with two diacritics, U+1EA0..U+1EF9. */
    if (cp >= 0x1EA0 && cp <= 0x1EB7)
        return "a";
    if (cp >= 0x1EB8 && cp <= 0x1EC7)
        return "e";
    if (cp >= 0x1EC8 && cp <= 0x1ECB)
        return "i";
    if (cp >= 0x1ECC && cp <= 0x1EE3)
        return "o";
    if (cp >= 0x1EE4 && cp <= 0x1EF1)
        return "u";
    if (cp >= 0x1EF2 && cp <= 0x1EF9)
        return "y";
    return NULL;
}

/* Decodes one UTF-8 sequence at s; returns its length (1 for invalid bytes,
 * which are then kept as they are). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!len)
        goto invalid;
    unsigned v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto invalid;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
invalid:
    *cp = 0xFFFD;
    return 1;
}

/* Writes the lookup key of `text`: lowercase ASCII letters and digits, other
 * scripts kept byte for byte, accents folded, everything else dropped.  When
 * `words` is true a single space separates words (for shared-word scoring). */
void sl_normalise_key(const char *text, char *out, size_t size, bool words)
{
    size_t o = 0;
    bool gap = false;
    const unsigned char *s = (const unsigned char *)text;
    while (*s && o + 5 < size) {
        unsigned cp;
        size_t len = utf8_decode(s, &cp);
        const char *folded = NULL;
        char ascii[2] = {0};
        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                ascii[0] = c, folded = ascii;
        } else {
            folded = fold_codepoint(cp);
            if (!folded && cp != 0xFFFD && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0x3000 &&
                !(cp >= 0xFF00 && cp <= 0xFF0F) && !(cp >= 0x3001 && cp <= 0x3011)) {
                /* A letter of another script (e.g. Chinese): keep it. */
                if (words && gap && o)
                    out[o++] = ' ';
                gap = false;
                memcpy(out + o, s, len);
                o += len;
                s += len;
                continue;
            }
        }
        if (folded) {
            if (words && gap && o)
                out[o++] = ' ';
            gap = false;
            for (; *folded && o + 1 < size; folded++)
                out[o++] = *folded;
        } else {
            gap = true;
        }
        s += len;
    }
    out[o] = '\0';
}

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

typedef struct formula_parts {
    char numerator[32];
    char denominator[32];
} formula_parts;

static bool split_formula(const char *formula, formula_parts *out)
{
    if (!formula)
        return false;
    return sscanf(formula, "%31[a-z_] / %31[a-z_]", out->numerator, out->denominator) == 2;
}

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
    formula_parts fa, fb;
    bool ma = split_formula(a->formula, &fa), mb = split_formula(b->formula, &fb);
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
        formula_parts *ff = first == a ? &fa : &fb, *sf = first == a ? &fb : &fa;
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
        formula_parts *fr = ma ? &fa : &fb;
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

/* ---- validation ---- */

static sl_status at(sl_error *err, const char *file, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static sl_status at(sl_error *err, const char *file, const char *key, const char *fmt, ...)
{
    if (err) {
        sl_error_clear(err);
        err->code = SL_ERR_CONTENT;
        snprintf(err->file, sizeof err->file, "%s", file);
        snprintf(err->header, sizeof err->header, "%s", key);
        char what[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(err->message, sizeof err->message, "%s: %s", file, what);
    }
    return SL_ERR_CONTENT;
}

static bool canonical_field(const char *name)
{
    for (int f = 0; f < SL_FIELD__COUNT; f++)
        if (strcmp(sl_field_name((sl_field)f), name) == 0)
            return true;
    return false;
}

static bool valid_practice(const char *p)
{
    return strcmp(p, "decoder") == 0 || strcmp(p, "drill:pick") == 0 ||
           strcmp(p, "drill:tag") == 0 || strcmp(p, "drill:read") == 0;
}

static const sl_term *term_by_slug(const sl_content *c, const char *slug)
{
    for (size_t i = 0; i < sl_term_count(c); i++)
        if (strcmp(sl_term_at(c, i)->slug, slug) == 0)
            return sl_term_at(c, i);
    return NULL;
}

static bool slug_matches_file(const char *slug, const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(slug);
    return strncmp(base, slug, len) == 0 && strcmp(base + len, ".txt") == 0;
}

static sl_status validate_term(const sl_content *c, const sl_term *t, sl_error *err)
{
    if (!slug_matches_file(t->slug, t->file))
        return at(err, t->file, "slug", "slug '%s' does not match the file name", t->slug);
    if (t->kind == SL_TERM_METRIC) {
        formula_parts f;
        char scale[16] = "";
        if (!t->formula || !split_formula(t->formula, &f))
            return at(err, t->file, "formula",
                      "a metric needs 'formula: NUMERATOR / DENOMINATOR' with canonical fields");
        if (!canonical_field(f.numerator) || !canonical_field(f.denominator))
            return at(err, t->file, "formula",
                      "formula '%s' uses a field that is not a canonical funnel field",
                      t->formula);
        if (sscanf(t->formula, "%*[a-z_] / %*[a-z_] %15s", scale) == 1 && strcmp(scale, "*") != 0)
            return at(err, t->file, "formula", "formula '%s' has trailing text", t->formula);
        if (!t->denominator)
            return at(err, t->file, "denominator", "a metric must name its denominator");
    }
    if (t->field && !canonical_field(t->field))
        return at(err, t->file, "field", "'%s' is not a canonical funnel field", t->field);
    if (!valid_practice(t->practice))
        return at(err, t->file, "practice", "practice must be decoder or drill:pick|tag|read");
    if (t->qa_count < 2)
        return at(err, t->file, "q", "a term needs at least two q:/a: pairs");
    for (size_t i = 0; i < t->related_count; i++)
        if (!term_by_slug(c, t->related[i]) || strcmp(t->related[i], t->slug) == 0)
            return at(err, t->file, "related", "related term '%s' does not exist",
                      t->related[i]);
    for (size_t i = 0; i < t->guide_count; i++)
        if (!sl_guide_find(c, t->guides[i]))
            return at(err, t->file, "guide", "related guide '%s' does not exist", t->guides[i]);
    return SL_OK;
}

static sl_status validate_guide(const sl_content *c, const sl_guide *g, sl_error *err)
{
    if (!slug_matches_file(g->slug, g->file))
        return at(err, g->file, "slug", "slug '%s' does not match the file name", g->slug);
    if (g->next_count != 3)
        return at(err, g->file, "next", "a guide has exactly three next steps, not %zu",
                  g->next_count);
    if (g->qa_count < 2)
        return at(err, g->file, "q", "a guide needs at least two q:/a: pairs");
    for (size_t i = 0; i < g->term_count; i++)
        if (!term_by_slug(c, g->terms[i]))
            return at(err, g->file, "term", "linked term '%s' does not exist", g->terms[i]);
    if (strcmp(g->drill, "decoder") != 0 && strcmp(g->drill, "pick") != 0 &&
        strcmp(g->drill, "tag") != 0 && strcmp(g->drill, "read") != 0)
        return at(err, g->file, "drill", "drill must be pick, tag, read or decoder");
    for (size_t i = 0; i < sl_guide_count(c); i++)
        if (sl_guide_at(c, i) != g && strcmp(sl_guide_at(c, i)->slug, g->slug) == 0)
            return at(err, g->file, "slug", "two guides are called '%s'", g->slug);
    return SL_OK;
}

static sl_status validate_drills(const sl_drill_set *set, sl_error *err)
{
    for (size_t i = 0; i < set->drill_count; i++) {
        const sl_drill *d = &set->drills[i];
        if (d->option_count < 2)
            return at(err, d->file, "option", "%s: a drill needs at least two options", d->id);
        if (d->answer >= d->option_count)
            return at(err, d->file, "answer", "%s: the answer is not one of its options", d->id);
        if (d->option_count > SL_DRILL_MAX_OPTIONS)
            return at(err, d->file, "option", "%s: a drill has at most %d options", d->id,
                      SL_DRILL_MAX_OPTIONS);
        for (size_t j = 0; j < d->option_count; j++) {
            if (!d->options[j].why)
                return at(err, d->file, "why", "%s: option %s has no why-%s: explanation", d->id,
                          d->options[j].key, d->options[j].key);
            for (size_t k = 0; k < j; k++)
                if (strcmp(d->options[j].key, d->options[k].key) == 0)
                    return at(err, d->file, "option", "%s: two options are called %s", d->id,
                              d->options[j].key);
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(set->drills[k].id, d->id) == 0)
                return at(err, d->file, "id", "two drills have the id %s", d->id);
    }
    return SL_OK;
}

sl_status sl_content_validate(const sl_content *c, sl_error *err)
{
    if (!c)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no content given");
    for (size_t i = 0; i < sl_term_count(c); i++) {
        sl_status st = validate_term(c, sl_term_at(c, i), err);
        if (st != SL_OK)
            return st;
    }
    sl_status st = sl_content_check_keys(c, err);
    for (size_t i = 0; st == SL_OK && i < sl_guide_count(c); i++)
        st = validate_guide(c, sl_guide_at(c, i), err);
    for (int t = 0; st == SL_OK && t < SL_DRILL__COUNT; t++) {
        const sl_drill_set *set = sl_drill_set_get(c, (sl_drill_type)t);
        if (set)
            st = validate_drills(set, err);
    }
    return st;
}

/* ---- drill sessions ---- */

/* splitmix64: a small, well-mixed generator, so a seed gives the same
 * session on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void shuffle(const sl_drill **items, size_t n, uint64_t *state)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_random(state) % i);
        const sl_drill *tmp = items[i - 1];
        items[i - 1] = items[j];
        items[j] = tmp;
    }
}

size_t sl_drill_session(const sl_content *c, bool all_types, sl_drill_type type, size_t count,
                        uint64_t seed, const sl_drill **out)
{
    if (!c || !out || !count)
        return 0;
    uint64_t state = seed;
    const sl_drill **pool[SL_DRILL__COUNT] = {NULL};
    size_t pool_n[SL_DRILL__COUNT] = {0};
    size_t written = 0;
    for (int t = 0; t < SL_DRILL__COUNT; t++) {
        const sl_drill_set *set = sl_drill_set_get(c, (sl_drill_type)t);
        if (!set || (!all_types && (sl_drill_type)t != type))
            continue;
        pool[t] = malloc(set->drill_count * sizeof **pool);
        if (!pool[t])
            goto done;
        for (size_t i = 0; i < set->drill_count; i++)
            pool[t][i] = &set->drills[i];
        pool_n[t] = set->drill_count;
        shuffle(pool[t], pool_n[t], &state);
    }
    /* Interleave the types (pick, tag, read, pick, …) so a mixed session
     * walks the loop in order. */
    for (size_t round = 0; written < count; round++) {
        bool any = false;
        for (int t = 0; t < SL_DRILL__COUNT && written < count; t++)
            if (round < pool_n[t]) {
                out[written++] = pool[t][round];
                any = true;
            }
        if (!any)
            break;
    }
done:
    for (int t = 0; t < SL_DRILL__COUNT; t++)
        free(pool[t]);
    return written;
}

size_t sl_drill_option_order(const sl_content *c, const sl_drill *d, uint64_t seed,
                             size_t order[SL_DRILL_MAX_OPTIONS])
{
    if (!c || !d || !order || d->option_count > SL_DRILL_MAX_OPTIONS || d->option_count == 0)
        return 0;
    const sl_drill_set *set = sl_drill_set_get(c, d->type);
    if (!set || d < set->drills || d >= set->drills + set->drill_count)
        return 0;
    size_t n = d->option_count, rank = 0;
    for (const sl_drill *e = set->drills; e < d; e++)
        rank += e->option_count == n;
    /* The right answer's place: the drill's rank among the drills of its set
     * with as many options, plus a start drawn from the seed and the type.
     * A pure shuffle would often leave one position with most right answers
     * in a short session; the rotation spreads them evenly over a set (per
     * number of options, so a mix of two- and three-option drills stays
     * even) and still cannot be guessed without the seed, since a session
     * shows the drills in shuffled order. */
    uint64_t state = seed ^ (0xD1B54A32D192ED03u * ((uint64_t)d->type + 1));
    size_t right = (size_t)((next_random(&state) % n + rank) % n);
    /* The wrong options in a shuffled order around it, drawn from the seed
     * and the drill's id. */
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = d->id; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    state = seed ^ h;
    size_t wrong[SL_DRILL_MAX_OPTIONS], w = 0;
    for (size_t i = 0; i < n; i++)
        if (i != d->answer)
            wrong[w++] = i;
    for (size_t i = w; i > 1; i--) {
        size_t j = (size_t)(next_random(&state) % i);
        size_t tmp = wrong[i - 1];
        wrong[i - 1] = wrong[j];
        wrong[j] = tmp;
    }
    for (size_t pos = 0, k = 0; pos < n; pos++)
        order[pos] = pos == right ? d->answer : wrong[k++];
    return n;
}
