/*
 * lessons.c — team lessons from the store, and as JSON (the CLI's --json
 * and the web API share the shape).
 *
 * The statistics are in src/lib/stats/pooling.c and take any array of
 * tests; this file only reads the closed ones from the journal and writes
 * the result.  A front end that must hide some creators filters the array
 * itself and calls sl_lessons_compute.
 */
#include "json/json_shape.h"

#include <math.h>

sl_status sl_lessons_read(sl_store *store, sl_lessons **out, sl_error *err)
{
    if (!store || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    *out = NULL;
    sl_journal_test *tests;
    size_t count;
    sl_status st = sl_journal_list(store, SL_JOURNAL_CLOSED, &tests, &count, err);
    if (st != SL_OK)
        return st;
    st = sl_lessons_compute(tests, count, out, err);
    sl_journal_tests_free(tests, count);
    return st;
}

/* Every number the library computes is finite; null guards the shape
 * should one ever not be. */
static json_t *real(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *creator_json(const sl_lesson_creator *c)
{
    return json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "creator",
                     c->creator, "tests", (json_int_t)c->tests, "log_lift", real(c->log_lift),
                     "variance", real(c->variance), "lift", real(c->lift), "low", real(c->low),
                     "high", real(c->high), "shrinkage", real(c->shrinkage), "pooled_log_lift",
                     real(c->pooled_log_lift), "pooled_variance", real(c->pooled_variance),
                     "pooled_lift", real(c->pooled_lift), "pooled_low", real(c->pooled_low),
                     "pooled_high", real(c->pooled_high));
}

static json_t *group_json(const sl_lesson_group *g)
{
    json_t *creators = json_array();
    for (size_t i = 0; creators && i < g->creator_count; i++)
        if (json_array_append_new(creators, creator_json(&g->creators[i])) != 0) {
            json_decref(creators);
            return NULL;
        }
    /* τ² and Q mean nothing with one creator: null, not a made-up 0. */
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
                     "step", sl_loop_step_name(g->step), "tag", sl_change_tag_name(g->tag),
                     "tag_label", sl_change_tag_label(g->tag), "metric",
                     sl_metric_name(g->metric), "tests", (json_int_t)g->tests, "creators",
                     (json_int_t)g->creator_count, "pooled", g->pooled, "log_lift",
                     real(g->log_lift), "se", real(g->se), "quantile", real(g->quantile),
                     "tau2", g->pooled ? real(g->tau2) : json_null(), "q",
                     g->pooled ? real(g->q) : json_null(), "lift", real(g->lift), "low",
                     real(g->low), "high", real(g->high), "by_creator", creators);
}

char *sl_lessons_to_json(const sl_lessons *l)
{
    if (!l)
        return NULL;
    json_t *groups = json_array();
    for (size_t i = 0; groups && i < l->group_count; i++)
        if (json_array_append_new(groups, group_json(&l->groups[i])) != 0) {
            json_decref(groups);
            return NULL;
        }
    json_t *root = json_pack("{s:f,s:I,s:I,s:o}", "level", SL_LESSONS_LEVEL, "tests",
                             (json_int_t)l->tests_used, "skipped",
                             (json_int_t)l->tests_skipped, "groups", groups);
    if (!root)
        return NULL;
    char *text = json_dumps(root, JSON_FLAGS);
    json_decref(root);
    return text;
}
