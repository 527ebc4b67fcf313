/*
 * content_check.c — the cross-checks of a content tree: every term's
 * formula names canonical fields, practice references parse, links point at
 * terms and guides that exist, slugs match their file names, drills have
 * one right answer.  A content edit that breaks one fails the build's
 * tests with file and key, instead of showing a broken page.
 */
#include "base/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sl_formula_split(const char *formula, sl_formula_parts *out)
{
    if (!formula)
        return false;
    return sscanf(formula, "%31[a-z_] / %31[a-z_]", out->numerator, out->denominator) == 2;
}

/* SL_ERR_CONTENT in `file`, under `key`. */
#define check_fail(err, file, key, ...) \
    sl_fail_at((err), SL_ERR_CONTENT, (sl_place){(file), 0, 0, (key)}, __VA_ARGS__)

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
        return check_fail(err, t->file, "slug", "slug '%s' does not match the file name", t->slug);
    if (t->kind == SL_TERM_METRIC) {
        sl_formula_parts f;
        char scale[16] = "";
        if (!t->formula || !sl_formula_split(t->formula, &f))
            return check_fail(err, t->file, "formula",
                      "a metric needs 'formula: NUMERATOR / DENOMINATOR' with canonical fields");
        if (!canonical_field(f.numerator) || !canonical_field(f.denominator))
            return check_fail(err, t->file, "formula",
                      "formula '%s' uses a field that is not a canonical funnel field",
                      t->formula);
        if (sscanf(t->formula, "%*[a-z_] / %*[a-z_] %15s", scale) == 1 && strcmp(scale, "*") != 0)
            return check_fail(err, t->file, "formula", "formula '%s' has trailing text", t->formula);
        if (!t->denominator)
            return check_fail(err, t->file, "denominator", "a metric must name its denominator");
    }
    if (t->field && !canonical_field(t->field))
        return check_fail(err, t->file, "field", "'%s' is not a canonical funnel field", t->field);
    if (!valid_practice(t->practice))
        return check_fail(err, t->file, "practice", "practice must be decoder or drill:pick|tag|read");
    if (t->qa_count < 2)
        return check_fail(err, t->file, "q", "a term needs at least two q:/a: pairs");
    for (size_t i = 0; i < t->related_count; i++)
        if (!sl_content_term_by_slug(c, t->related[i]) || strcmp(t->related[i], t->slug) == 0)
            return check_fail(err, t->file, "related", "related term '%s' does not exist",
                      t->related[i]);
    for (size_t i = 0; i < t->guide_count; i++)
        if (!sl_guide_find(c, t->guides[i]))
            return check_fail(err, t->file, "guide", "related guide '%s' does not exist", t->guides[i]);
    return SL_OK;
}

static sl_status validate_guide(const sl_content *c, const sl_guide *g, sl_error *err)
{
    if (!slug_matches_file(g->slug, g->file))
        return check_fail(err, g->file, "slug", "slug '%s' does not match the file name", g->slug);
    if (g->next_count != 3)
        return check_fail(err, g->file, "next", "a guide has exactly three next steps, not %zu",
                  g->next_count);
    if (g->qa_count < 2)
        return check_fail(err, g->file, "q", "a guide needs at least two q:/a: pairs");
    for (size_t i = 0; i < g->term_count; i++)
        if (!sl_content_term_by_slug(c, g->terms[i]))
            return check_fail(err, g->file, "term", "linked term '%s' does not exist", g->terms[i]);
    if (strcmp(g->drill, "decoder") != 0 && strcmp(g->drill, "pick") != 0 &&
        strcmp(g->drill, "tag") != 0 && strcmp(g->drill, "read") != 0)
        return check_fail(err, g->file, "drill", "drill must be pick, tag, read or decoder");
    for (size_t i = 0; i < sl_guide_count(c); i++)
        if (sl_guide_at(c, i) != g && strcmp(sl_guide_at(c, i)->slug, g->slug) == 0)
            return check_fail(err, g->file, "slug", "two guides are called '%s'", g->slug);
    return SL_OK;
}

static sl_status validate_drills(const sl_drill_set *set, sl_error *err)
{
    for (size_t i = 0; i < set->drill_count; i++) {
        const sl_drill *d = &set->drills[i];
        if (d->option_count < 2)
            return check_fail(err, d->file, "option", "%s: a drill needs at least two options", d->id);
        if (d->answer >= d->option_count)
            return check_fail(err, d->file, "answer", "%s: the answer is not one of its options", d->id);
        if (d->option_count > SL_DRILL_MAX_OPTIONS)
            return check_fail(err, d->file, "option", "%s: a drill has at most %d options", d->id,
                      SL_DRILL_MAX_OPTIONS);
        for (size_t j = 0; j < d->option_count; j++) {
            if (!d->options[j].why)
                return check_fail(err, d->file, "why", "%s: option %s has no why-%s: explanation", d->id,
                          d->options[j].key, d->options[j].key);
            for (size_t k = 0; k < j; k++)
                if (strcmp(d->options[j].key, d->options[k].key) == 0)
                    return check_fail(err, d->file, "option", "%s: two options are called %s", d->id,
                              d->options[j].key);
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(set->drills[k].id, d->id) == 0)
                return check_fail(err, d->file, "id", "two drills have the id %s", d->id);
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
