/*
 * content_tree.c — parses the glossary, guides and drills (content/terms,
 * content/guides, content/drills) into an sl_content tree, and reads it:
 * the lookup keys, the built-in tree's export vocabulary on first need,
 * the accessors.
 *
 * The same code builds the built-in copy (compiled into the binary) and a
 * directory on disk (content_load.c hands either over as named texts, then
 * runs the cross-checks of content_check.c), so an edited content tree can
 * be checked before a build and a deliberately broken copy can prove the
 * checks work.  Every string and array of a tree lives in one arena, freed
 * at once by sl_content_free.
 */
#include "embedded.h"
#include "base/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One lookup key: a normalised name, slug or alias and its term. */
typedef struct term_key {
    const char *key;
    const sl_term *term;
    const char *text;   /* as written in the file */
    const char *field;  /* "name", "slug" or "alias" */
} term_key;


struct sl_content {
    sl_arena arena;
    term_key *keys;       /* the terms' own names, slugs and aliases, sorted by key */
    size_t key_count;
    /* More names of terms, found only when no own key matches: export
     * headers that name a term, and names without their currency bracket.
     * Sorted by key, one entry per key (the first by text). */
    term_key *derived;
    size_t derived_count;
    sl_term *terms;       /* sorted by slug */
    size_t term_count;
    sl_guide *guides;
    size_t guide_count;
    sl_drill_set sets[SL_DRILL__COUNT];
    sl_vocabulary *vocabulary;  /* export headers of every market */
    /* The built-in tree reads its vocabulary and derived keys on first need
     * (ensure_vocabulary), because most commands never ask for them and
     * they are half the cost of reading the content. */
    bool lazy;
};

/* ---- lines → entries ---- */

typedef struct parsed_file {
    const char *name;       /* e.g. "terms/ctor.txt" */
    sl_entry *entries;
    size_t count;
} parsed_file;

/* SL_ERR_CONTENT at `file`:`line`, under `key`. */
#define content_error(err, file, line, key, ...) \
    sl_fail_at((err), SL_ERR_CONTENT, (sl_place){(file), (line), 0, (key)}, __VA_ARGS__)

/* Splits `text` (copied into the arena) into key/value entries. */
static sl_status parse_entries(sl_arena *arena, const char *name, const char *text,
                               parsed_file *out, sl_error *err)
{
    size_t len = strlen(text), lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    char *copy = sl_arena_copy(arena, text, len);
    sl_entry *entries = sl_arena_alloc(arena, lines * sizeof *entries);
    char *file_name = sl_arena_copy(arena, name, strlen(name));
    if (!copy || !entries || !file_name)
        return SL_ERR_NO_MEMORY;
    out->name = file_name;
    out->entries = entries;
    out->count = 0;
    sl_lines r = {copy, file_name, 0};
    int got;
    while ((got = sl_lines_entry(&r, &entries[out->count], err)) > 0)
        out->count++;
    return got < 0 ? SL_ERR_CONTENT : SL_OK;
}

/* ---- helpers to build objects from a run of entries ---- */

typedef struct run {
    const parsed_file *file;
    const sl_entry *e;
    size_t n;
} run;

static size_t count_key(run r, const char *key)
{
    size_t n = 0;
    for (size_t i = 0; i < r.n; i++)
        n += strcmp(r.e[i].key, key) == 0;
    return n;
}

static const char *one(run r, const char *key)
{
    for (size_t i = 0; i < r.n; i++)
        if (strcmp(r.e[i].key, key) == 0)
            return r.e[i].value;
    return NULL;
}

static sl_status list(sl_arena *arena, run r, const char *key, const char *const **out,
                      size_t *count)
{
    size_t n = count_key(r, key);
    const char **items = sl_arena_alloc(arena, (n ? n : 1) * sizeof *items);
    if (!items)
        return SL_ERR_NO_MEMORY;
    size_t k = 0;
    for (size_t i = 0; i < r.n; i++)
        if (strcmp(r.e[i].key, key) == 0)
            items[k++] = r.e[i].value;
    *out = items;
    *count = n;
    return SL_OK;
}

static sl_status qa_pairs(sl_arena *arena, run r, const sl_qa **out, size_t *count, sl_error *err)
{
    size_t n = count_key(r, "q");
    sl_qa *qa = sl_arena_alloc(arena, (n ? n : 1) * sizeof *qa);
    if (!qa)
        return SL_ERR_NO_MEMORY;
    size_t k = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (strcmp(r.e[i].key, "q") == 0) {
            qa[k++] = (sl_qa){r.e[i].value, NULL};
        } else if (strcmp(r.e[i].key, "a") == 0) {
            if (k == 0 || qa[k - 1].answer)
                return content_error(err, r.file->name, r.e[i].line, "a",
                                     "an 'a:' line must follow its 'q:' line");
            qa[k - 1].answer = r.e[i].value;
        }
    }
    for (size_t i = 0; i < k; i++)
        if (!qa[i].answer)
            return content_error(err, r.file->name, r.e[0].line, "q",
                                 "the question '%.60s' has no 'a:' line", qa[i].question);
    *out = qa;
    *count = k;
    return SL_OK;
}

/* Fails unless every key of the run is in `allowed` (NULL-terminated). */
static sl_status check_keys(run r, const char *const *allowed, sl_error *err)
{
    for (size_t i = 0; i < r.n; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, r.e[i].key) == 0;
        if (!ok)
            return content_error(err, r.file->name, r.e[i].line, r.e[i].key, "unknown key '%s'",
                                 r.e[i].key);
    }
    return SL_OK;
}

static sl_status require(run r, const char *key, const char **out, sl_error *err)
{
    *out = one(r, key);
    if (!*out)
        return content_error(err, r.file->name, r.n ? r.e[0].line : 1, key, "missing '%s:'",
                             key);
    if (count_key(r, key) > 1)
        return content_error(err, r.file->name, r.e[0].line, key, "'%s:' given more than once",
                             key);
    return SL_OK;
}

static bool parse_loop_step(const char *text, sl_loop_step *out)
{
    for (int s = 0; s < SL_LOOP__COUNT; s++)
        if (text && strcmp(text, sl_loop_step_name((sl_loop_step)s)) == 0) {
            *out = (sl_loop_step)s;
            return true;
        }
    return false;
}

#define TRY(expr)                                                                              \
    do {                                                                                       \
        sl_status try_status_ = (expr);                                                        \
        if (try_status_ != SL_OK)                                                              \
            return try_status_;                                                                \
    } while (0)

/* ---- terms ---- */

static const char *const term_keys[] = {
    "name", "slug", "step", "kind", "field", "alias", "alias-id", "alias-ms", "alias-zh",
    "alias-es", "alias-pt", "alias-vi", "alias-th", "answer", "explanation", "formula",
    "formula-text", "denominator", "low", "check", "related", "guide", "practice", "q", "a",
    NULL};

static const char *const term_kinds[] = {"metric", "field", "measure", "concept"};

static sl_status build_term(sl_arena *arena, run r, sl_term *t, sl_error *err)
{
    TRY(check_keys(r, term_keys, err));
    const char *step, *kind;
    TRY(require(r, "name", &t->name, err));
    TRY(require(r, "slug", &t->slug, err));
    TRY(require(r, "step", &step, err));
    TRY(require(r, "kind", &kind, err));
    TRY(require(r, "answer", &t->answer, err));
    TRY(require(r, "practice", &t->practice, err));
    if (!parse_loop_step(step, &t->step))
        return content_error(err, r.file->name, 1, "step", "step must be pick, tag or read, not '%s'",
                             step);
    bool kind_ok = false;
    for (int k = 0; k < 4; k++)
        if (strcmp(kind, term_kinds[k]) == 0)
            t->kind = (sl_term_kind)k, kind_ok = true;
    if (!kind_ok)
        return content_error(err, r.file->name, 1, "kind",
                             "kind must be metric, field, measure or concept, not '%s'", kind);
    t->field = one(r, "field");
    t->formula = one(r, "formula");
    t->formula_text = one(r, "formula-text");
    t->denominator = one(r, "denominator");
    t->low = one(r, "low");
    t->file = r.file->name;
    size_t aliases = 0;
    for (size_t i = 0; i < r.n; i++)
        aliases += strncmp(r.e[i].key, "alias", 5) == 0;
    sl_alias *al = sl_arena_alloc(arena, (aliases ? aliases : 1) * sizeof *al);
    if (!al)
        return SL_ERR_NO_MEMORY;
    size_t k = 0;
    for (size_t i = 0; i < r.n; i++)
        if (strncmp(r.e[i].key, "alias", 5) == 0)
            al[k++] = (sl_alias){r.e[i].value, r.e[i].key[5] == '-' ? r.e[i].key + 6 : "en"};
    t->aliases = al;
    t->alias_count = k;
    TRY(list(arena, r, "explanation", &t->explanation, &t->explanation_count));
    TRY(list(arena, r, "check", &t->checks, &t->check_count));
    TRY(list(arena, r, "related", &t->related, &t->related_count));
    TRY(list(arena, r, "guide", &t->guides, &t->guide_count));
    TRY(qa_pairs(arena, r, &t->qa, &t->qa_count, err));
    return SL_OK;
}

/* ---- guides ---- */

static const char *const guide_keys[] = {"title", "slug", "step", "purpose", "body", "next",
                                         "check", "avoid", "q", "a", "term", "drill", NULL};

static sl_status build_guide(sl_arena *arena, run r, sl_guide *g, sl_error *err)
{
    TRY(check_keys(r, guide_keys, err));
    const char *step;
    TRY(require(r, "title", &g->title, err));
    TRY(require(r, "slug", &g->slug, err));
    TRY(require(r, "step", &step, err));
    TRY(require(r, "purpose", &g->purpose, err));
    TRY(require(r, "drill", &g->drill, err));
    if (!parse_loop_step(step, &g->step))
        return content_error(err, r.file->name, 1, "step", "step must be pick, tag or read, not '%s'",
                             step);
    g->file = r.file->name;
    TRY(list(arena, r, "body", &g->body, &g->body_count));
    TRY(list(arena, r, "next", &g->next, &g->next_count));
    TRY(list(arena, r, "check", &g->checks, &g->check_count));
    TRY(list(arena, r, "avoid", &g->avoid, &g->avoid_count));
    TRY(list(arena, r, "term", &g->terms, &g->term_count));
    TRY(qa_pairs(arena, r, &g->qa, &g->qa_count, err));
    return SL_OK;
}

/* ---- drills ---- */

static const char *const drill_header_keys[] = {"type", "title", "intro", NULL};
static const char *const drill_keys[] = {
    "id", "title", "prompt", "question", "views", "impressions", "clicks", "orders",
    "baseline-views", "baseline-ctr", "baseline-ctor", "option", "answer", "why-a", "why-b",
    "why-c", "why-d", "why-e", NULL};

static bool parse_drill_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= 0))
        return false;
    *out = v;
    return true;
}

/* "KEY | TEXT" or, for read drills, "KEY | STEP | TEXT". */
static sl_status parse_option(sl_arena *arena, const parsed_file *file, const sl_entry *e,
                              bool with_step, sl_drill_option *o, sl_error *err)
{
    const char *bar = strstr(e->value, " | ");
    if (!bar)
        return content_error(err, file->name, e->line, "option",
                             "an option is 'KEY | TEXT'%s", with_step ? " with a STEP" : "");
    size_t key_len = (size_t)(bar - e->value);
    char *key = sl_arena_copy(arena, e->value, key_len);
    if (!key)
        return SL_ERR_NO_MEMORY;
    o->key = key;
    o->text = bar + 3;
    if (!with_step)
        return SL_OK;
    const char *bar2 = strstr(o->text, " | ");
    if (!bar2)
        return content_error(err, file->name, e->line, "option",
                             "a read option is 'KEY | STEP | TEXT'");
    size_t step_len = (size_t)(bar2 - o->text);
    o->has_step = true;
    if (step_len == 4 && strncmp(o->text, "none", 4) == 0) {
        o->step_none = true;
    } else {
        bool found = false;
        for (int s = 0; s < SL_STEP__COUNT && !found; s++) {
            const char *name = sl_step_name((sl_step)s);
            if (strlen(name) == step_len && strncmp(o->text, name, step_len) == 0)
                o->step = (sl_step)s, found = true;
        }
        if (!found)
            return content_error(err, file->name, e->line, "option",
                                 "STEP must be attention, click-through, conversion or none");
    }
    o->text = bar2 + 3;
    return SL_OK;
}

static sl_status build_drill(sl_arena *arena, run r, sl_drill_type type, sl_drill *d,
                             sl_error *err)
{
    TRY(check_keys(r, drill_keys, err));
    const char *answer;
    TRY(require(r, "id", &d->id, err));
    TRY(require(r, "title", &d->title, err));
    TRY(require(r, "prompt", &d->prompt, err));
    TRY(require(r, "question", &d->question, err));
    TRY(require(r, "answer", &answer, err));
    d->type = type;
    d->file = r.file->name;
    size_t n = count_key(r, "option");
    sl_drill_option *opts = sl_arena_alloc(arena, (n ? n : 1) * sizeof *opts);
    if (!opts)
        return SL_ERR_NO_MEMORY;
    size_t k = 0;
    for (size_t i = 0; i < r.n; i++)
        if (strcmp(r.e[i].key, "option") == 0)
            TRY(parse_option(arena, r.file, &r.e[i], type == SL_DRILL_READ, &opts[k++], err));
    for (size_t i = 0; i < r.n; i++) {
        if (strncmp(r.e[i].key, "why-", 4) != 0)
            continue;
        bool matched = false;
        for (size_t j = 0; j < k; j++)
            if (strcmp(opts[j].key, r.e[i].key + 4) == 0)
                opts[j].why = r.e[i].value, matched = true;
        if (!matched)
            return content_error(err, r.file->name, r.e[i].line, r.e[i].key,
                                 "'%s:' explains an option that does not exist", r.e[i].key);
    }
    d->options = opts;
    d->option_count = k;
    d->answer = k; /* "not found" until validate checks it */
    for (size_t j = 0; j < k; j++)
        if (strcmp(opts[j].key, answer) == 0)
            d->answer = j;
    if (type == SL_DRILL_READ) {
        static const struct { const char *key; sl_field field; } counts[] = {
            {"views", SL_FIELD_VIEWS},
            {"impressions", SL_FIELD_PRODUCT_IMPRESSIONS},
            {"clicks", SL_FIELD_PRODUCT_CLICKS},
            {"orders", SL_FIELD_ORDERS},
        };
        for (size_t i = 0; i < 4; i++) {
            const char *text;
            double v;
            TRY(require(r, counts[i].key, &text, err));
            if (!parse_drill_number(text, &v))
                return content_error(err, r.file->name, r.e[0].line, counts[i].key,
                                     "'%s:' must be a count", counts[i].key);
            sl_funnel_set(&d->funnel, counts[i].field, v);
        }
        const char *bv = one(r, "baseline-views"), *bc = one(r, "baseline-ctr"),
                   *bo = one(r, "baseline-ctor");
        double v;
        if (bv && parse_drill_number(bv, &v))
            d->baseline.views = v, d->baseline.views_source = SL_BASELINE_USER;
        if (bc && parse_drill_number(bc, &v))
            d->baseline.product_ctr = v, d->baseline.product_ctr_source = SL_BASELINE_USER;
        if (bo && parse_drill_number(bo, &v))
            d->baseline.ctor = v, d->baseline.ctor_source = SL_BASELINE_USER;
    }
    return SL_OK;
}

static sl_status build_drill_set(sl_arena *arena, const parsed_file *f, sl_drill_set *set,
                                 sl_error *err)
{
    size_t first = 0;
    while (first < f->count && strcmp(f->entries[first].key, "id") != 0)
        first++;
    run r = {f, f->entries, first};
    TRY(check_keys(r, drill_header_keys, err));
    const char *type;
    TRY(require(r, "type", &type, err));
    TRY(require(r, "title", &set->title, err));
    TRY(require(r, "intro", &set->intro, err));
    bool found = false;
    for (int t = 0; t < SL_DRILL__COUNT; t++)
        if (strcmp(type, sl_drill_type_name((sl_drill_type)t)) == 0)
            set->type = (sl_drill_type)t, found = true;
    if (!found)
        return content_error(err, f->name, 1, "type", "type must be pick, tag or read");
    size_t n = 0;
    for (size_t i = first; i < f->count; i++)
        n += strcmp(f->entries[i].key, "id") == 0;
    sl_drill *drills = sl_arena_alloc(arena, (n ? n : 1) * sizeof *drills);
    if (!drills)
        return SL_ERR_NO_MEMORY;
    size_t k = 0;
    for (size_t i = first; i < f->count;) {
        size_t j = i + 1;
        while (j < f->count && strcmp(f->entries[j].key, "id") != 0)
            j++;
        run d = {f, f->entries + i, j - i};
        sl_status st = build_drill(arena, d, set->type, &drills[k++], err);
        if (st != SL_OK)
            return st;
        i = j;
    }
    set->drills = drills;
    set->drill_count = k;
    return SL_OK;
}

#undef TRY

/* ---- the lookup key table ---- */

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const term_key *)a)->key, ((const term_key *)b)->key);
}

/* By key; on a tie a term's own name, slug or alias before a derived one
 * (an export header, a name without its currency bracket), then by text so
 * the order never depends on qsort. */
static int by_key_own_first(const void *a, const void *b)
{
    const term_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    bool dx = strcmp(x->field, "vocabulary") == 0, dy = strcmp(y->field, "vocabulary") == 0;
    if (dx != dy)
        return dx - dy;
    return strcmp(x->text, y->text);
}

/* Normalises every name, slug and alias once and sorts them, so lookups are
 * a binary search and duplicate keys sit next to each other. */
static sl_status build_keys(sl_content *c, sl_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < c->term_count; i++)
        n += 2 + c->terms[i].alias_count;
    c->keys = sl_arena_alloc(&c->arena, (n ? n : 1) * sizeof *c->keys);
    if (!c->keys)
        return SL_ERR_NO_MEMORY;
    for (size_t i = 0; i < c->term_count; i++) {
        const sl_term *t = &c->terms[i];
        for (size_t a = 0; a < t->alias_count + 2; a++) {
            const char *text = a == 0 ? t->name : a == 1 ? t->slug : t->aliases[a - 2].text;
            char key[SL_MAX_KEY];
            sl_normalise_key(text, key, sizeof key, false);
            if (!key[0])
                return content_error(err, t->file, 0, "alias",
                                     "'%s' has no letters or digits to look up", text);
            char *copy = sl_arena_copy(&c->arena, key, strlen(key));
            if (!copy)
                return SL_ERR_NO_MEMORY;
            c->keys[c->key_count++] =
                (term_key){copy, t, text, a == 0 ? "name" : a == 1 ? "slug" : "alias"};
        }
    }
    qsort(c->keys, c->key_count, sizeof *c->keys, by_key_own_first);
    return SL_OK;
}

static int term_by_slug(const void *slug, const void *term)
{
    return strcmp(slug, ((const sl_term *)term)->slug);
}

/* The derived key of `text` without its currency bracket ("Penghasilan
 * (Rp)" → "penghasilan"), or NULL (no bracket, not a currency, no letters).
 * *failed is set when the arena is out of memory. */
static const char *bare_key(sl_content *c, const char *text, bool *failed)
{
    const char *open = strrchr(text, '(');
    size_t len = strlen(text);
    char inner[16], code[4];
    if (!open || text[len - 1] != ')' || (size_t)(text + len - 1 - open - 1) >= sizeof inner)
        return NULL;
    snprintf(inner, sizeof inner, "%.*s", (int)(text + len - 1 - open - 1), open + 1);
    if (!sl_currency_mark(inner, code))
        return NULL;
    char bare[SL_MAX_KEY], key[SL_MAX_KEY];
    snprintf(bare, sizeof bare, "%.*s", (int)(open - text), text);
    sl_normalise_key(bare, key, sizeof key, false);
    if (!key[0])
        return NULL;
    char *copy = sl_arena_copy(&c->arena, key, strlen(key));
    *failed = !copy;
    return copy;
}

/* Export headers that name a term are more names of it, and a name with a
 * currency bracket ("Penghasilan (Rp)") is also found without it — unless
 * a term already owns the name: a header such as "CTR" means different
 * rates in different exports (the importer checks each against its
 * counts), and the glossary keeps its own answer.  Lookups try the own
 * keys first, so these are only ever a second chance; among themselves
 * the first by text wins, so the result never depends on qsort. */
static sl_status build_derived_keys(sl_content *c, sl_error *err)
{
    const sl_vocabulary *v = c->vocabulary;
    size_t vocab_terms = 0;
    for (size_t i = 0; i < sl_vocabulary_count(v); i++)
        vocab_terms += sl_vocabulary_at(v, i)->meaning == SL_VOCAB_TERM;
    /* At most one bare key per own key and per header, and the headers. */
    size_t cap = c->key_count + 2 * vocab_terms;
    term_key *d = sl_arena_alloc(&c->arena, (cap ? cap : 1) * sizeof *d);
    if (!d)
        return SL_ERR_NO_MEMORY;
    size_t n = 0;
    for (size_t i = 0; i < sl_vocabulary_count(v); i++) {
        const sl_vocab *e = sl_vocabulary_at(v, i);
        if (e->meaning != SL_VOCAB_TERM)
            continue;
        const sl_term *t =
            bsearch(e->what, c->terms, c->term_count, sizeof *c->terms, term_by_slug);
        if (!t)
            return content_error(err, e->file, e->line, "term",
                                 "'%s' is not a glossary term (the slug of a file in terms/)",
                                 e->what);
        d[n++] = (term_key){e->key, t, e->header, "vocabulary"};
    }
    bool failed = false;
    size_t headers = n;
    for (size_t i = 0; i < c->key_count + headers && !failed; i++) {
        const term_key *from = i < c->key_count ? &c->keys[i] : &d[i - c->key_count];
        const char *key = bare_key(c, from->text, &failed);
        if (key)
            d[n++] = (term_key){key, from->term, from->text, "vocabulary"};
    }
    if (failed)
        return SL_ERR_NO_MEMORY;
    qsort(d, n, sizeof *d, by_key_own_first);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!kept || strcmp(d[kept - 1].key, d[i].key) != 0)
            d[kept++] = d[i];
    c->derived = d;
    c->derived_count = kept;
    return SL_OK;
}

/* ---- the built-in tree's vocabulary, read on first need ---- */

/* Only the built-in tree is lazy, and there is one per process, so the
 * state of its vocabulary's one reading lives here. */
static struct {
    pthread_once_t once;
    sl_content *tree;
    sl_status status;
    sl_error err;
} lazy_vocab = {.once = PTHREAD_ONCE_INIT};

/* Runs once, on the built-in tree's first vocabulary need: the embedded
 * vocabulary files, then the derived keys.  A failure leaves the tree
 * without a vocabulary (lookups then find own names only) and is reported
 * by sl_content_check_keys, so sl_content_validate and the test suite
 * catch a broken vocabulary file as before. */
static void load_lazy_vocabulary(void)
{
    sl_content *c = lazy_vocab.tree;
    sl_status st = SL_OK;
    for (size_t i = 0; i < sl_embedded_file_count && st == SL_OK; i++)
        if (has_prefix(sl_embedded_files[i].name, "import/vocabulary/"))
            st = sl_vocabulary_add(&c->vocabulary, sl_embedded_files[i].name,
                                   sl_embedded_files[i].data, &lazy_vocab.err);
    if (st == SL_OK)
        st = sl_vocabulary_seal(c->vocabulary, &lazy_vocab.err);
    if (st == SL_OK)
        st = build_derived_keys(c, &lazy_vocab.err);
    if (st == SL_ERR_NO_MEMORY)
        sl_fail(&lazy_vocab.err, st, NULL, "out of memory while reading content");
    if (st != SL_OK) {
        sl_vocabulary_free(c->vocabulary);
        c->vocabulary = NULL;
        c->derived = NULL;
        c->derived_count = 0;
    }
    lazy_vocab.status = st;
}

static void ensure_vocabulary(const sl_content *c)
{
    if (c && c->lazy)
        pthread_once(&lazy_vocab.once, load_lazy_vocabulary);
}

sl_status sl_content_vocabulary_status(const sl_content *c, sl_error *err)
{
    if (!c || !c->lazy)
        return SL_OK;
    ensure_vocabulary(c);
    if (lazy_vocab.status != SL_OK && err)
        *err = lazy_vocab.err;
    return lazy_vocab.status;
}

static const term_key *find_key(const term_key *keys, size_t count, const char *key)
{
    term_key probe = {key, NULL, NULL, NULL};
    return count ? bsearch(&probe, keys, count, sizeof *keys, by_key) : NULL;
}

const sl_term *sl_content_lookup_key(const sl_content *c, const char *key)
{
    if (!c || !key)
        return NULL;
    const term_key *hit = find_key(c->keys, c->key_count, key);
    if (!hit) {
        ensure_vocabulary(c);
        hit = find_key(c->derived, c->derived_count, key);
    }
    return hit ? hit->term : NULL;
}

sl_status sl_content_check_keys(const sl_content *c, sl_error *err)
{
    /* The built-in tree's vocabulary is checked when it is read, here at
     * the latest (a tree from texts or a directory read it up front). */
    sl_status st = sl_content_vocabulary_status(c, err);
    if (st != SL_OK)
        return st;
    for (size_t i = 1; c && i < c->key_count; i++) {
        const term_key *a = &c->keys[i - 1], *b = &c->keys[i];
        if (strcmp(a->key, b->key) != 0 || a->term == b->term)
            continue;
        /* Report it in the file of the alias, not of the term's own name. */
        const term_key *at = strcmp(b->field, "alias") == 0 ? b : a;
        const term_key *other = at == b ? a : b;
        return content_error(err, at->term->file, 0, at->field,
                             "'%s' also names the term '%s' (%s): every name and alias must "
                             "lead to one term",
                             at->text, other->term->slug, other->term->file);
    }
    return SL_OK;
}

/* ---- assembling a tree from named texts ---- */


static int by_slug(const void *a, const void *b)
{
    return strcmp(((const sl_term *)a)->slug, ((const sl_term *)b)->slug);
}

static int by_guide_slug(const void *a, const void *b)
{
    return strcmp(((const sl_guide *)a)->slug, ((const sl_guide *)b)->slug);
}

sl_status sl_content_build(const source_file *files, size_t count, bool lazy, sl_content **out,
                           sl_error *err)
{
    *out = NULL;
    sl_content *c = calloc(1, sizeof *c);
    if (!c)
        return SL_ERR_NO_MEMORY;
    c->lazy = lazy;
    size_t terms = 0, guides = 0;
    for (size_t i = 0; i < count; i++) {
        terms += has_prefix(files[i].name, "terms/");
        guides += has_prefix(files[i].name, "guides/");
    }
    c->terms = sl_arena_alloc(&c->arena, (terms ? terms : 1) * sizeof *c->terms);
    c->guides = sl_arena_alloc(&c->arena, (guides ? guides : 1) * sizeof *c->guides);
    sl_status st = c->terms && c->guides ? SL_OK : SL_ERR_NO_MEMORY;
    for (size_t i = 0; i < count && st == SL_OK; i++) {
        bool term = has_prefix(files[i].name, "terms/");
        bool guide = has_prefix(files[i].name, "guides/");
        bool drill = has_prefix(files[i].name, "drills/");
        if (has_prefix(files[i].name, "import/vocabulary/")) {
            if (!lazy)
                st = sl_vocabulary_add(&c->vocabulary, files[i].name, files[i].text, err);
            continue;
        }
        if (!term && !guide && !drill)
            continue;
        parsed_file f;
        st = parse_entries(&c->arena, files[i].name, files[i].text, &f, err);
        if (st != SL_OK)
            break;
        run r = {&f, f.entries, f.count};
        if (term) {
            memset(&c->terms[c->term_count], 0, sizeof *c->terms);
            st = build_term(&c->arena, r, &c->terms[c->term_count++], err);
        } else if (guide) {
            memset(&c->guides[c->guide_count], 0, sizeof *c->guides);
            st = build_guide(&c->arena, r, &c->guides[c->guide_count++], err);
        } else {
            sl_drill_set set = {0};
            st = build_drill_set(&c->arena, &f, &set, err);
            if (st == SL_OK && c->sets[set.type].drills)
                st = content_error(err, f.name, 1, "type", "a second %s drill set",
                                   sl_drill_type_name(set.type));
            if (st == SL_OK)
                c->sets[set.type] = set;
        }
    }
    if (st == SL_OK) {
        qsort(c->terms, c->term_count, sizeof *c->terms, by_slug);
        qsort(c->guides, c->guide_count, sizeof *c->guides, by_guide_slug);
        if (!lazy)
            st = sl_vocabulary_seal(c->vocabulary, err);
        if (st == SL_OK)
            st = build_keys(c, err);
        if (st == SL_OK && !lazy)
            st = build_derived_keys(c, err);
    }
    if (st != SL_OK) {
        if (st == SL_ERR_NO_MEMORY)
            sl_fail(err, st, NULL, "out of memory while reading content");
        sl_content_free(c);
        return st;
    }
    if (lazy)
        lazy_vocab.tree = c;
    *out = c;
    return SL_OK;
}

void sl_content_free(sl_content *content)
{
    if (!content)
        return;
    sl_arena_free(&content->arena);
    sl_vocabulary_free(content->vocabulary);
    free(content);
}

sl_status sl_content_parse_term(sl_arena *arena, const char *name, const char *text,
                                sl_term *out, sl_error *err)
{
    parsed_file f;
    memset(out, 0, sizeof *out);
    sl_status st = parse_entries(arena, name, text, &f, err);
    return st == SL_OK ? build_term(arena, (run){&f, f.entries, f.count}, out, err) : st;
}

/* ---- accessors ---- */

const sl_term *sl_content_term_by_slug(const sl_content *c, const char *slug)
{
    return c && slug ? bsearch(slug, c->terms, c->term_count, sizeof *c->terms, term_by_slug)
                     : NULL;
}

const sl_vocabulary *sl_content_vocabulary(const sl_content *c)
{
    ensure_vocabulary(c);
    return c ? c->vocabulary : NULL;
}

size_t sl_term_count(const sl_content *c)
{
    return c ? c->term_count : 0;
}

const sl_term *sl_term_at(const sl_content *c, size_t index)
{
    return c && index < c->term_count ? &c->terms[index] : NULL;
}

size_t sl_guide_count(const sl_content *c)
{
    return c ? c->guide_count : 0;
}

const sl_guide *sl_guide_at(const sl_content *c, size_t index)
{
    return c && index < c->guide_count ? &c->guides[index] : NULL;
}

const sl_guide *sl_guide_find(const sl_content *c, const char *slug)
{
    for (size_t i = 0; slug && i < sl_guide_count(c); i++)
        if (strcmp(c->guides[i].slug, slug) == 0)
            return &c->guides[i];
    return NULL;
}

const sl_drill_set *sl_drill_set_get(const sl_content *c, sl_drill_type type)
{
    if (!c || (unsigned)type >= SL_DRILL__COUNT || !c->sets[type].drills)
        return NULL;
    return &c->sets[type];
}
