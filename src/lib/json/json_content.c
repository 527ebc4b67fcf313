/*
 * json_content.c — JSON shapes of glossary terms, guides and drills, shared
 * by the CLI's --json output and the web API (same jansson conventions as
 * json.c: absent values are null, strings are escaped by the library).
 */
#include "json/json_shape.h"

static json_t *strings(const char *const *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(items[i]));
    return arr;
}

static json_t *qa_json(const sl_qa *qa, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "q", qa[i].question, "a", qa[i].answer));
    return arr;
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *term_summary(const sl_term *t)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", t->name, "slug", t->slug, "step",
                     sl_loop_step_name(t->step), "kind", sl_term_kind_name(t->kind), "answer",
                     t->answer);
}

static json_t *term_json(const sl_term *t)
{
    json_t *aliases = json_array();
    for (size_t i = 0; i < t->alias_count; i++)
        json_array_append_new(aliases, json_pack("{s:s,s:s}", "text", t->aliases[i].text, "lang",
                                                 t->aliases[i].lang));
    json_t *obj = term_summary(t);
    json_object_set_new(obj, "field", string_or_null(t->field));
    json_object_set_new(obj, "aliases", aliases);
    json_object_set_new(obj, "explanation", strings(t->explanation, t->explanation_count));
    json_object_set_new(obj, "formula", string_or_null(t->formula));
    json_object_set_new(obj, "formula_text", string_or_null(t->formula_text));
    json_object_set_new(obj, "denominator", string_or_null(t->denominator));
    json_object_set_new(obj, "low", string_or_null(t->low));
    json_object_set_new(obj, "checklist", strings(t->checks, t->check_count));
    json_object_set_new(obj, "related", strings(t->related, t->related_count));
    json_object_set_new(obj, "guides", strings(t->guides, t->guide_count));
    json_object_set_new(obj, "practice", json_string(t->practice));
    json_object_set_new(obj, "qa", qa_json(t->qa, t->qa_count));
    return obj;
}

char *sl_term_to_json(const sl_term *term)
{
    return term ? sl_json_dump(term_json(term)) : NULL;
}

char *sl_terms_to_json(const sl_content *content, bool filter, sl_loop_step step)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sl_term_count(content); i++) {
        const sl_term *t = sl_term_at(content, i);
        if (!filter || t->step == step)
            json_array_append_new(arr, term_summary(t));
    }
    return sl_json_dump(json_pack("{s:o}", "terms", arr));
}

char *sl_same_to_json(const sl_same_result *r)
{
    if (!r || !r->a || !r->b)
        return NULL;
    return sl_json_dump(json_pack("{s:s,s:s,s:s,s:o,s:o}", "same",
                                  sl_sameness_name(r->sameness), "relation", r->relation,
                                  "sentence", r->sentence, "a", term_summary(r->a), "b",
                                  term_summary(r->b)));
}

char *sl_guide_to_json(const sl_guide *g)
{
    if (!g)
        return NULL;
    return sl_json_dump(json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "title", g->title, "slug", g->slug,
        "step", sl_loop_step_name(g->step), "purpose", g->purpose, "body",
        strings(g->body, g->body_count), "next", strings(g->next, g->next_count), "checklist",
        strings(g->checks, g->check_count), "avoid", strings(g->avoid, g->avoid_count), "qa",
        qa_json(g->qa, g->qa_count), "terms", strings(g->terms, g->term_count), "drill",
        g->drill));
}

char *sl_guides_to_json(const sl_content *content)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sl_guide_count(content); i++) {
        const sl_guide *g = sl_guide_at(content, i);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "title", g->title, "slug",
                                             g->slug, "step", sl_loop_step_name(g->step),
                                             "purpose", g->purpose));
    }
    return sl_json_dump(json_pack("{s:o}", "guides", arr));
}

char *sl_drill_to_json(const sl_drill *d)
{
    if (!d)
        return NULL;
    json_t *options = json_array();
    for (size_t i = 0; i < d->option_count; i++) {
        const sl_drill_option *o = &d->options[i];
        json_t *opt = json_pack("{s:s,s:s,s:s}", "key", o->key, "text", o->text, "why", o->why);
        if (o->has_step)
            json_object_set_new(opt, "step", json_string(o->step_none ? "none"
                                                                      : sl_step_name(o->step)));
        json_array_append_new(options, opt);
    }
    json_t *obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:b}", "id", d->id, "type",
                            sl_drill_type_name(d->type), "title", d->title, "prompt", d->prompt,
                            "question", d->question, "options", options, "answer",
                            d->options[d->answer].key, "practice_data", 1);
    if (d->type == SL_DRILL_READ) {
        double v;
        json_t *counts = json_object();
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            if (sl_funnel_get(&d->funnel, (sl_field)f, &v))
                json_object_set_new(counts, sl_field_name((sl_field)f), json_integer((json_int_t)v));
        json_object_set_new(obj, "counts", counts);
        json_t *base = json_object();
        if (d->baseline.views_source)
            json_object_set_new(base, "views", json_real(d->baseline.views));
        if (d->baseline.product_ctr_source)
            json_object_set_new(base, "product_ctr", json_real(d->baseline.product_ctr));
        if (d->baseline.ctor_source)
            json_object_set_new(base, "ctor", json_real(d->baseline.ctor));
        json_object_set_new(obj, "baseline", base);
    }
    return sl_json_dump(obj);
}
