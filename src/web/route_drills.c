/*
 * route_drills.c — the drills in the browser: pick a type, answer one
 * fictional scenario at a time, read why after each answer, see the score
 * at the end; every answer is kept in the store (progress per type).
 * API: /api/drills/{type} (the scenarios of a type as JSON).
 *
 * A session is its seed and position in the address (/drills/tag?seed=7&i=2
 * &score=1), so it needs no server-side state and works without scripts:
 * the answer form posts to the same address and the reply links to the
 * next scenario.  The options are shown in the order the seed gives them
 * (sl_drill_option_order), never in the content file's order, where the
 * right answer is mostly first; the radios' values are the options' keys,
 * so an answer does not depend on the order.
 */
#include "web.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool type_from_text(const char *text, sl_drill_type *out)
{
    for (int t = 0; t < SL_DRILL__COUNT; t++)
        if (strcmp(text, sl_drill_type_name((sl_drill_type)t)) == 0) {
            *out = (sl_drill_type)t;
            return true;
        }
    return false;
}

/* Team mode: each account's own practice (a viewer's too: drills are no
 * team data); solo mode: the store's one table of answers (account 0). */
static int64_t drill_account(const web_request *req)
{
    return req->team && req->signed_in ? req->user.id : 0;
}

static bool progress_of(const web_request *req, sl_drill_type type, sl_drill_progress *out)
{
    sl_status st = sl_store_drill_progress(web_store(req->server), drill_account(req), type, out,
                                           NULL);
    return st == SL_OK;
}

void drills_index(web_request *req, web_response *res)
{
    web_page p;
    if (!page_begin(&p, req, "Drills", "drills")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Drills</h1>\n<p>Practise each step of the loop on fictional products and "
          "numbers. Each drill asks one question, then explains every option.</p>\n"
          "<p class=practice>Practice data: every product, creator and number in the drills is "
          "invented.</p>\n<div class=loop>",
          o);
    for (int t = 0; t < SL_DRILL__COUNT; t++) {
        const sl_drill_set *set = sl_drill_set_get(req->server->content, (sl_drill_type)t);
        if (!set)
            continue;
        const char *name = sl_drill_type_name((sl_drill_type)t);
        fputs("<section><h2>", o);
        html(o, set->title);
        fputs("</h2><p>", o);
        html(o, set->intro);
        fprintf(o, "</p><p><small>%zu scenarios.", set->drill_count);
        sl_drill_progress pr;
        if (progress_of(req, (sl_drill_type)t, &pr) && pr.answered)
            fprintf(o, " You have answered %llu (%llu right) and solved %llu of them.",
                    (unsigned long long)pr.answered, (unsigned long long)pr.correct,
                    (unsigned long long)pr.scenarios_solved);
        fprintf(o, "</small></p><p><a class=button href=\"/drills/%s\">Play %s</a></p>"
                   "</section>\n",
                name, name);
    }
    fputs("</div>\n", o);
    page_end(&p, res, 200);
}

typedef struct drill_place {
    sl_drill_type type;
    uint64_t seed, index, score;
    const sl_drill *session[WEB_DRILL_SESSION];
    size_t count;
} drill_place;

static bool read_place(web_request *req, drill_place *pl)
{
    uint64_t seed, index = 0, score = 0;
    if (!param_u64(web_param(req, "seed"), &seed))
        return false;
    const char *i = web_param(req, "i"), *s = web_param(req, "score");
    if ((i && !param_u64(i, &index)) || (s && !param_u64(s, &score)))
        return false;
    pl->seed = seed;
    pl->count = sl_drill_session(req->server->content, false, pl->type, WEB_DRILL_SESSION, seed,
                                 pl->session);
    if (index >= pl->count || score > index)
        return false;
    pl->index = index;
    pl->score = score;
    return true;
}

static void scenario_facts(FILE *o, const sl_drill *d)
{
    if (d->type != SL_DRILL_READ)
        return;
    fputs("<table><caption class=note>Practice numbers</caption><tbody>", o);
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        double v;
        if (!sl_funnel_get(&d->funnel, (sl_field)f, &v))
            continue;
        fprintf(o, "<tr><th scope=row>%s</th><td class=n>", sl_field_label((sl_field)f));
        num_count(o, v);
        fputs("</td></tr>", o);
    }
    if (d->baseline.views_source) {
        fputs("<tr><th scope=row>usual views</th><td class=n>", o);
        num_count(o, d->baseline.views);
        fputs("</td></tr>", o);
    }
    if (d->baseline.product_ctr_source) {
        fputs("<tr><th scope=row>usual Product CTR</th><td class=n>", o);
        num_percent(o, d->baseline.product_ctr);
        fputs("</td></tr>", o);
    }
    if (d->baseline.ctor_source) {
        fputs("<tr><th scope=row>usual CTOR</th><td class=n>", o);
        num_percent(o, d->baseline.ctor);
        fputs("</td></tr>", o);
    }
    fputs("</tbody></table>", o);
}

static void scenario_head(FILE *o, const drill_place *pl, const sl_drill *d)
{
    fprintf(o, "<p><a href=\"/drills\">Drills</a> › %s · scenario %llu of %zu · score %llu</p>\n"
               "<h1>",
            sl_drill_type_name(pl->type), (unsigned long long)pl->index + 1, pl->count,
            (unsigned long long)pl->score);
    html(o, d->title);
    fputs("</h1>\n<p>", o);
    html(o, d->prompt);
    fputs("</p>\n", o);
    scenario_facts(o, d);
}

/* The question and its options in the session's order.  `error` (an answer
 * posted without a choice) is shown above the form and marks the choices. */
static void ask(web_request *req, web_response *res, const drill_place *pl, const char *error)
{
    const sl_drill *d = pl->session[pl->index];
    size_t order[SL_DRILL_MAX_OPTIONS];
    if (sl_drill_option_order(req->server->content, d, pl->seed, order) != d->option_count) {
        respond_error_page(req, res, 500, "Error", "this drill's options cannot be shown");
        return;
    }
    web_page p;
    if (!page_begin(&p, req, error ? "Choose an answer" : d->title, "drills")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    scenario_head(o, pl, d);
    if (error)
        result_error(o, error, "answer", "the options");
    /* The answer lands in #result (the feedback), scrolled to and focused. */
    fprintf(o, "<form class=card method=post action=\"/drills/%s#result\">",
            sl_drill_type_name(pl->type));
    csrf_input(o, req);
    fprintf(o, "<input type=hidden name=seed value=\"%llu\"><input type=hidden name=i "
               "value=\"%llu\"><input type=hidden name=score value=\"%llu\">",
            (unsigned long long)pl->seed, (unsigned long long)pl->index,
            (unsigned long long)pl->score);
    fprintf(o, "<fieldset%s><legend><b>", error ? " class=invalid" : "");
    html(o, d->question);
    fputs("</b></legend>", o);
    if (error) {
        fputs("<p class=field-msg id=f-answer-msg>", o);
        html(o, error);
        fputs("</p>", o);
    }
    fputs("<ul class=options>", o);
    for (size_t i = 0; i < d->option_count; i++) {
        const sl_drill_option *opt = &d->options[order[i]];
        /* The first radio carries id f-answer, the error link's target. */
        fprintf(o, "<li><label><input type=radio%s name=answer value=\"%s\" required%s%s> <span>",
                i == 0 ? " id=f-answer" : "", opt->key,
                i == 0 && !error ? " autofocus" : "",
                error ? " aria-describedby=f-answer-msg" : "");
        html(o, opt->text);
        fputs("</span></label></li>", o);
    }
    fputs("</ul></fieldset><p><button type=submit>Answer</button></p></form>\n", o);
    page_end(&p, res, error ? 422 : 200);
}

static void answer(web_request *req, web_response *res, const drill_place *pl)
{
    const sl_drill *d = pl->session[pl->index];
    const char *key = web_param(req, "answer");
    const sl_drill_option *chosen = NULL;
    for (size_t i = 0; key && i < d->option_count; i++)
        if (strcmp(d->options[i].key, key) == 0)
            chosen = &d->options[i];
    if (!chosen) {
        ask(req, res, pl, "Choose one of the options, then press Answer.");
        return;
    }
    const sl_drill_option *right = &d->options[d->answer];
    bool correct = chosen == right;
    sl_error err;
    sl_status st = sl_store_drill_answer(web_store(req->server), drill_account(req), d, chosen->key, correct, &err);
    uint64_t score = pl->score + (correct ? 1 : 0);
    web_page p;
    if (!page_begin(&p, req, correct ? "Right" : "Not quite", "drills")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    drill_place shown = *pl;
    shown.score = score;
    scenario_head(o, &shown, d);
    result_begin(o, "card");
    fprintf(o, "<h2 id=result-h class=%s>%s</h2><p>Your answer: ", correct ? "right" : "wrong",
            correct ? "Right." : "Not quite.");
    html(o, chosen->text);
    fputs("</p><p>", o);
    html(o, chosen->why);
    fputs("</p>", o);
    if (!correct) {
        fputs("<p>The better answer: <b>", o);
        html(o, right->text);
        fputs("</b></p><p>", o);
        /* Its own explanation may open with "Correct.", which reads oddly
         * right after "Not quite." (the CLI drops it too). */
        const char *why = right->why;
        if (strncmp(why, "Correct. ", 9) == 0)
            why += 9;
        html(o, why);
        fputs("</p>", o);
    }
    if (st != SL_OK) {
        fputs("<p class=error>Your progress could not be saved: ", o);
        html(o, err.message);
        fputs("</p>", o);
    }
    const char *type = sl_drill_type_name(pl->type);
    if (pl->index + 1 < pl->count)
        fprintf(o, "<p><a class=button href=\"/drills/%s?seed=%llu&amp;i=%llu&amp;score=%llu\">"
                   "Next scenario</a></p>\n",
                type, (unsigned long long)pl->seed, (unsigned long long)pl->index + 1,
                (unsigned long long)score);
    else
        fprintf(o, "<h3>Score: %llu of %zu</h3><p>%s</p><p><a class=button "
                   "href=\"/drills/%s\">Play again</a> <a href=\"/drills\">All drills</a></p>\n",
                (unsigned long long)score, pl->count,
                score == pl->count ? "Every answer right."
                                   : "Read the explanations of the ones you missed, then play "
                                     "again: the scenarios and their options come in a new order.",
                type);
    /* The next step sits inside the answer region, so after reading the
     * explanation the next button is right there. */
    result_end(o);
    page_end(&p, res, 200);
}

static void play(web_request *req, web_response *res, sl_drill_type type)
{
    drill_place pl = {.type = type};
    if (!web_param(req, "seed") && !req->is_post) {
        /* A new session: fix its seed in the address, so reload and back
         * show the same scenarios. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t seed = ((uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec) % 1000000007u;
        char to[128];
        snprintf(to, sizeof to, "/drills/%s?seed=%llu&i=0&score=0", sl_drill_type_name(type),
                 (unsigned long long)seed);
        respond_redirect(res, to);
        return;
    }
    if (!read_place(req, &pl) || pl.count == 0) {
        respond_error_page(req, res, 400, "Drill not found",
                           "This drill address is not valid (seed, scenario or score). Start "
                           "again from the drills page.");
        return;
    }
    if (req->is_post)
        answer(req, res, &pl);
    else
        ask(req, res, &pl, NULL);
}

static void api_drills(web_request *req, web_response *res, sl_drill_type type)
{
    const sl_drill_set *set = sl_drill_set_get(req->server->content, type);
    json_t *drills = json_array();
    for (size_t i = 0; set && drills && i < set->drill_count; i++) {
        char *one = sl_drill_to_json(&set->drills[i]);
        json_t *doc = one ? json_loads(one, 0, NULL) : NULL;
        sl_free(one);
        if (!doc || json_array_append_new(drills, doc) != 0) {
            json_decref(drills);
            drills = NULL;
        }
    }
    json_t *obj = drills ? json_pack("{s:s,s:s,s:s,s:b,s:o}", "type", sl_drill_type_name(type),
                                     "title", set ? set->title : "", "intro",
                                     set ? set->intro : "", "practice_data", 1, "drills", drills)
                         : NULL;
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!text) {
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    size_t n = strlen(text);
    char *body = realloc(text, n + 2);
    if (!body) {
        free(text);
        respond_json_simple_error(res, 500, "no_memory", "out of memory");
        return;
    }
    memcpy(body + n, "\n", 2);
    res->status = 200;
    res->content_type = "application/json";
    res->body = body;
    res->length = n + 1;
}

void drills_play(web_request *req, web_response *res)
{
    sl_drill_type type;
    if (type_from_text(req->rest, &type))
        play(req, res, type);
    else
        respond_error_page(req, res, 404, "Drill not found", "There are pick, tag and read drills.");
}

void drills_api(web_request *req, web_response *res)
{
    sl_drill_type type;
    if (type_from_text(req->rest, &type))
        api_drills(req, res, type);
    else
        respond_json_simple_error(res, 404, "not_found", "drill type must be pick, tag or read");
}
