/*
 * route_learn.c — the pages that teach: home (the Pick / Tag / Read loop),
 * the glossary (index by step, alias-aware search with "did you mean", one
 * page per term) and the guides; and their JSON API (/api/terms,
 * /api/terms/{slug}, /api/guides, /api/guides/{slug}).
 */
#include "web.h"

#include <ctype.h>
#include <string.h>

static const char *const step_titles[SL_LOOP__COUNT] = {
    "Pick: choose a product you can show honestly",
    "Tag: put the product card at the right moment",
    "Read: read the funnel, change one thing",
};

static void practice_link(FILE *o, const char *practice)
{
    if (!practice)
        return;
    if (strcmp(practice, "decoder") == 0)
        fputs("<p><a class=button href=\"/decoder\">Practise next: decode a video</a></p>", o);
    else if (strncmp(practice, "drill:", 6) == 0) {
        fputs("<p><a class=button href=\"/drills/", o);
        url_part(o, practice + 6);
        fputs("\">Practise next: ", o);
        html(o, practice + 6);
        fputs(" drill</a></p>", o);
    }
}

/* ---- home ---- */


/* ---- home ---- */

static void home(web_request *req, web_response *res)
{
    web_page p;
    if (!page_begin(&p, req, "Read your shoppable-video numbers", "home")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Turn your numbers into one next decision</h1>\n"
          "<p>ShopLab helps you read the numbers of shoppable videos and LIVEs — views, "
          "product impressions, product clicks, orders — and decide the one thing to change "
          "next. It works in three steps you repeat for every video:</p>\n"
          "<div class=loop>\n"
          "<section><h2>1. Pick</h2><p>Choose a product you can show doing its job on camera, "
          "that solves a problem your viewers have.</p><p><a href=\"/glossary?step=pick\">"
          "Pick words</a> · <a href=\"/drills/pick\">Pick drill</a></p></section>\n"
          "<section><h2>2. Tag</h2><p>Add the product card at the moment the product proves "
          "itself, and say why a tap is worth it.</p><p><a href=\"/glossary?step=tag\">Tag "
          "words</a> · <a href=\"/drills/tag\">Tag drill</a></p></section>\n"
          "<section><h2>3. Read</h2><p>Find the first weak step of the funnel, change only "
          "that one thing on the next video, and check whether it moved.</p><p>"
          "<a href=\"/decoder\">Decoder</a> · <a href=\"/compare\">Compare</a> · "
          "<a href=\"/drills/read\">Read drill</a></p></section>\n"
          "</div>\n"
          "<h2>What to do first</h2>\n<ol>\n"
          "<li>Learn the five numbers: <a href=\"/guides/creator-metrics\">Reading the five "
          "metrics of a shoppable video</a>.</li>\n"
          "<li>Type the numbers of your last video into the <a href=\"/decoder\">Metrics "
          "Decoder</a>: it names the weak step and one test for the next video.</li>\n"
          "<li>Upload your analytics export on <a href=\"/reports\">Reports</a> to read every "
          "video against your own median.</li>\n"
          "<li>After the next video, <a href=\"/compare\">compare</a> it with the one before: "
          "is the change real or noise?</li>\n"
          "</ol>\n"
          "<form class=card action=\"/glossary\" method=get role=search>"
          "<label for=home-q>Look up a word from your reports</label>"
          "<input id=home-q type=search name=q placeholder=\"CTOR, Klik Produk, GPM…\">"
          "<p><button type=submit>Look up</button></p></form>\n",
          o);
    page_end(&p, res, 200);
}

/* ---- glossary ---- */

/* Lowercase letters and digits of name, slug and aliases: what the index's
 * live filter matches against. */
static void term_keys(FILE *o, const sl_term *t)
{
    const char *parts[64];
    size_t n = 0;
    parts[n++] = t->name;
    parts[n++] = t->slug;
    for (size_t i = 0; i < t->alias_count && n < 64; i++)
        parts[n++] = t->aliases[i].text;
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++)
            if (isalnum(*c))
                fputc(tolower(*c), o);
        fputc(' ', o);
    }
}

static bool step_from_text(const char *text, sl_loop_step *out)
{
    for (int s = 0; s < SL_LOOP__COUNT; s++)
        if (text && strcmp(text, sl_loop_step_name((sl_loop_step)s)) == 0) {
            *out = (sl_loop_step)s;
            return true;
        }
    return false;
}

static void glossary_index(web_request *req, web_response *res)
{
    const sl_content *c = req->server->content;
    const char *q = web_param(req, "q");
    if (q && *q) {
        const sl_term *t = sl_term_find(c, q);
        if (t) {
            char to[160];
            snprintf(to, sizeof to, "/glossary/%s", t->slug);
            respond_redirect(res, to);
            return;
        }
    }
    sl_loop_step only;
    bool filter = step_from_text(web_param(req, "step"), &only);
    web_page p;
    if (!page_begin(&p, req, "Glossary", "glossary")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<h1>Glossary</h1>\n<p>Every word you meet in shoppable-video reports, under every "
          "name it appears with (older report names, regional names). Type any spelling: case, "
          "spaces, punctuation and accents do not matter.</p>\n"
          "<form class=card action=\"/glossary\" method=get role=search>"
          "<label for=glossary-q>Search the glossary</label>"
          "<input id=glossary-q type=search name=q autocomplete=off value=\"",
          o);
    html(o, q ? q : "");
    fputs("\"><p><button type=submit>Look up</button></p></form>\n", o);
    if (q && *q) {
        /* A search without a match is still a search page (200), with
         * "did you mean" suggestions. */
        const sl_term *sugg[5];
        size_t n = sl_term_suggest(c, q, sugg, 5);
        fputs("<p class=error role=alert>No term is called &ldquo;", o);
        html(o, q);
        fputs("&rdquo;.", o);
        if (n) {
            fputs(" Did you mean:</p><ul>", o);
            for (size_t i = 0; i < n; i++) {
                fprintf(o, "<li><a href=\"/glossary/%s\">", sugg[i]->slug);
                html(o, sugg[i]->name);
                fputs("</a></li>", o);
            }
            fputs("</ul>\n", o);
        } else {
            fputs(" Every term is listed below, by step.</p>\n", o);
        }
    }
    /* The live filter (web_js) says here when nothing matches, and hides the
     * steps it emptied, rather than leaving bare headings. */
    fputs("<p id=glossary-none class=error role=status hidden></p>\n", o);
    for (int s = 0; s < SL_LOOP__COUNT; s++) {
        if (filter && (sl_loop_step)s != only)
            continue;
        fprintf(o, "<section data-step><h2 id=\"step-%s\">%s</h2>\n<ul class=terms>",
                sl_loop_step_name((sl_loop_step)s), step_titles[s]);
        for (size_t i = 0; i < sl_term_count(c); i++) {
            const sl_term *t = sl_term_at(c, i);
            if ((int)t->step != s)
                continue;
            fputs("<li data-term=\"", o);
            term_keys(o, t);
            fprintf(o, "\"><a href=\"/glossary/%s\">", t->slug);
            html(o, t->name);
            fputs("</a></li>", o);
        }
        fputs("</ul></section>\n", o);
    }
    if (filter)
        fputs("<p><a href=\"/glossary\">All steps</a></p>", o);
    page_end(&p, res, 200);
}

static void list_items(FILE *o, const char *tag, const char *const *items, size_t n)
{
    fprintf(o, "<%s>", tag);
    for (size_t i = 0; i < n; i++) {
        fputs("<li>", o);
        html(o, items[i]);
        fputs("</li>", o);
    }
    fprintf(o, "</%s>\n", tag);
}

/* The facts under a term's heading: step, kind, other names, formula and
 * what it is out of. */
static void term_facts(FILE *o, const sl_term *t)
{
    fputs("<dl class=facts>", o);
    fprintf(o, "<dt>Loop step</dt><dd>%s</dd><dt>Kind</dt><dd>%s</dd>",
            sl_loop_step_label(t->step), sl_term_kind_name(t->kind));
    if (t->alias_count) {
        fputs("<dt>Also called</dt><dd>", o);
        for (size_t i = 0; i < t->alias_count; i++) {
            fputs(i ? ", " : "", o);
            html(o, t->aliases[i].text);
            if (t->aliases[i].lang && strcmp(t->aliases[i].lang, "en") != 0) {
                fputs(" <small>(", o);
                html(o, t->aliases[i].lang);
                fputs(")</small>", o);
            }
        }
        fputs("</dd>", o);
    }
    if (t->formula) {
        fputs("<dt>Formula</dt><dd><code>", o);
        html(o, t->formula);
        fputs("</code></dd>", o);
    } else if (t->formula_text) {
        fputs("<dt>Formula</dt><dd>", o);
        html(o, t->formula_text);
        fputs("</dd>", o);
    }
    if (t->denominator) {
        fputs("<dt>Out of (denominator)</dt><dd>", o);
        html(o, t->denominator);
        fputs("</dd>", o);
    }
    fputs("</dl>\n", o);
}

/* What it means, what to do when it is low, and its questions. */
static void term_explained(FILE *o, const sl_term *t)
{
    if (t->explanation_count) {
        fputs("<h2>What it means</h2>\n", o);
        for (size_t i = 0; i < t->explanation_count; i++) {
            fputs("<p>", o);
            html(o, t->explanation[i]);
            fputs("</p>\n", o);
        }
    }
    if (t->low || t->check_count) {
        fputs("<h2>When it is low</h2>\n", o);
        if (t->low) {
            fputs("<p>", o);
            html(o, t->low);
            fputs("</p>\n", o);
        }
        if (t->check_count) {
            fputs("<p>Check first:</p>", o);
            list_items(o, "ul", t->checks, t->check_count);
        }
    }
    if (t->qa_count) {
        fputs("<h2>Questions</h2>\n<dl class=facts>", o);
        for (size_t i = 0; i < t->qa_count; i++) {
            fputs("<dt>", o);
            html(o, t->qa[i].question);
            fputs("</dt><dd>", o);
            html(o, t->qa[i].answer);
            fputs("</dd>", o);
        }
        fputs("</dl>\n", o);
    }
}

/* Where to go next: related terms and guides, by their names. */
static void term_links(FILE *o, const sl_content *c, const sl_term *t)
{
    if (t->related_count) {
        fputs("<h2>Related terms</h2>\n<ul>", o);
        for (size_t i = 0; i < t->related_count; i++) {
            const sl_term *r = sl_term_find(c, t->related[i]);
            fprintf(o, "<li><a href=\"/glossary/%s\">", t->related[i]);
            html(o, r ? r->name : t->related[i]);
            fputs("</a></li>", o);
        }
        fputs("</ul>\n", o);
    }
    if (t->guide_count) {
        fputs("<h2>Guides</h2>\n<ul>", o);
        for (size_t i = 0; i < t->guide_count; i++) {
            const sl_guide *g = sl_guide_find(c, t->guides[i]);
            fprintf(o, "<li><a href=\"/guides/%s\">", t->guides[i]);
            html(o, g ? g->title : t->guides[i]);
            fputs("</a></li>", o);
        }
        fputs("</ul>\n", o);
    }
}

static void term_page(web_request *req, web_response *res, const sl_term *t)
{
    web_page p;
    if (!page_begin(&p, req, t->name, "glossary")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fputs("<p><a href=\"/glossary\">Glossary</a> › ", o);
    fprintf(o, "<a href=\"/glossary?step=%s\">%s</a></p>\n<h1>", sl_loop_step_name(t->step),
            sl_loop_step_label(t->step));
    html(o, t->name);
    fputs("</h1>\n<p class=lead><b>", o);
    html(o, t->answer);
    fputs("</b></p>\n", o);
    term_facts(o, t);
    term_explained(o, t);
    term_links(o, req->server->content, t);
    practice_link(o, t->practice);
    page_end(&p, res, 200);
}

static void term_not_found(web_request *req, web_response *res, const char *word)
{
    const sl_term *sugg[5];
    size_t n = sl_term_suggest(req->server->content, word, sugg, 5);
    web_page p;
    if (!page_begin(&p, req, "Term not found", "glossary")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    fputs("<h1>Term not found</h1>\n<p class=error role=alert>The glossary has no term "
          "&ldquo;",
          p.out);
    html(p.out, word);
    fputs("&rdquo;.</p>", p.out);
    if (n) {
        fputs("<p>Did you mean:</p><ul>", p.out);
        for (size_t i = 0; i < n; i++) {
            fprintf(p.out, "<li><a href=\"/glossary/%s\">", sugg[i]->slug);
            html(p.out, sugg[i]->name);
            fputs("</a></li>", p.out);
        }
        fputs("</ul>", p.out);
    }
    fputs("<p><a href=\"/glossary\">The whole glossary</a></p>", p.out);
    page_end(&p, res, 404);
}

/* ---- guides ---- */

static void guide_list(FILE *o, const sl_content *c)
{
    for (int s = 0; s < SL_LOOP__COUNT; s++) {
        bool any = false;
        for (size_t i = 0; i < sl_guide_count(c); i++) {
            const sl_guide *g = sl_guide_at(c, i);
            if ((int)g->step != s)
                continue;
            if (!any)
                fprintf(o, "<h2>%s</h2>\n<ul>", step_titles[s]);
            any = true;
            fprintf(o, "<li><a href=\"/guides/%s\">", g->slug);
            html(o, g->title);
            fputs("</a><br><small>", o);
            html(o, g->purpose);
            fputs("</small></li>", o);
        }
        if (any)
            fputs("</ul>\n", o);
    }
}

static void guides_index(web_request *req, web_response *res)
{
    web_page p;
    if (!page_begin(&p, req, "Guides", "guides")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    fputs("<h1>Guides</h1>\n<p>Short guides with steps, a checklist and questions, one "
          "problem each.</p>\n",
          p.out);
    guide_list(p.out, req->server->content);
    page_end(&p, res, 200);
}


static void guide_page(web_request *req, web_response *res, const sl_guide *g)
{
    const sl_content *c = req->server->content;
    web_page p;
    if (!page_begin(&p, req, g->title, "guides")) {
        respond_error_page(req, res, 500, "Error", "out of memory");
        return;
    }
    FILE *o = p.out;
    fprintf(o, "<p><a href=\"/guides\">Guides</a> › %s</p>\n<h1>", sl_loop_step_label(g->step));
    html(o, g->title);
    fputs("</h1>\n<p class=lead><b>", o);
    html(o, g->purpose);
    fputs("</b></p>\n", o);
    for (size_t i = 0; i < g->body_count; i++) {
        fputs("<p>", o);
        html(o, g->body[i]);
        fputs("</p>\n", o);
    }
    if (g->next_count) {
        fputs("<h2>Do next</h2>\n", o);
        list_items(o, "ol", g->next, g->next_count);
    }
    if (g->check_count) {
        fputs("<h2>Checklist</h2>\n", o);
        list_items(o, "ul", g->checks, g->check_count);
    }
    if (g->avoid_count) {
        fputs("<h2>Avoid</h2>\n", o);
        list_items(o, "ul", g->avoid, g->avoid_count);
    }
    if (g->qa_count) {
        fputs("<h2>Questions</h2>\n<dl class=facts>", o);
        for (size_t i = 0; i < g->qa_count; i++) {
            fputs("<dt>", o);
            html(o, g->qa[i].question);
            fputs("</dt><dd>", o);
            html(o, g->qa[i].answer);
            fputs("</dd>", o);
        }
        fputs("</dl>\n", o);
    }
    if (g->term_count) {
        fputs("<h2>Words in this guide</h2>\n<ul class=terms>", o);
        for (size_t i = 0; i < g->term_count; i++) {
            const sl_term *t = sl_term_find(c, g->terms[i]);
            fprintf(o, "<li><a href=\"/glossary/%s\">", g->terms[i]);
            html(o, t ? t->name : g->terms[i]);
            fputs("</a></li>", o);
        }
        fputs("</ul>\n", o);
    }
    if (g->drill) {
        char practice[32];
        snprintf(practice, sizeof practice, "%s%s", strcmp(g->drill, "decoder") ? "drill:" : "",
                 g->drill);
        practice_link(o, practice);
    }
    page_end(&p, res, 200);
}

/* ---- API ---- */

static void api_not_found(web_response *res, const char *what, const char *word)
{
    sl_error e;
    sl_error_clear(&e);
    e.code = SL_ERR_NOT_FOUND;
    snprintf(e.message, sizeof e.message, "there is no %s '%.80s'", what, word);
    respond_json_error(res, &e);
}

void learn_api_terms(web_request *req, web_response *res)
{
    sl_loop_step step;
    const char *text = web_param(req, "step");
    if (text && !step_from_text(text, &step)) {
        respond_json_simple_error(res, 400, "invalid_argument", "step must be pick, tag or read");
        return;
    }
    respond_json(res, 200,
                 sl_terms_to_json(req->server->content, text != NULL, text ? step : SL_LOOP_PICK));
}

void learn_api_term(web_request *req, web_response *res)
{
    const sl_term *t = sl_term_find(req->server->content, req->rest);
    if (t)
        respond_json(res, 200, sl_term_to_json(t));
    else
        api_not_found(res, "term", req->rest);
}

void learn_api_guides(web_request *req, web_response *res)
{
    respond_json(res, 200, sl_guides_to_json(req->server->content));
}

void learn_api_guide(web_request *req, web_response *res)
{
    const sl_guide *g = sl_guide_find(req->server->content, req->rest);
    if (g)
        respond_json(res, 200, sl_guide_to_json(g));
    else
        api_not_found(res, "guide", req->rest);
}

/* ---- pages ----
 *
 * Built-in content never changes while the server runs: home, term and
 * guide pages are the same bytes for every visitor (no form, no session),
 * so the server keeps them once rendered (res->cacheable). */

void learn_home(web_request *req, web_response *res)
{
    home(req, res);
    res->cacheable = true;
}

void learn_glossary(web_request *req, web_response *res)
{
    glossary_index(req, res);
}

void learn_term(web_request *req, web_response *res)
{
    const sl_term *t = sl_term_find(req->server->content, req->rest);
    if (t && strcmp(t->slug, req->rest) != 0) {
        /* An alias or another spelling: send the browser to the one address. */
        char to[160];
        snprintf(to, sizeof to, "/glossary/%s", t->slug);
        respond_redirect(res, to);
    } else if (t) {
        term_page(req, res, t);
        res->cacheable = true;
    } else {
        term_not_found(req, res, req->rest);
    }
}

void learn_guides(web_request *req, web_response *res)
{
    guides_index(req, res);
    res->cacheable = true;
}

void learn_guide(web_request *req, web_response *res)
{
    const sl_guide *g = sl_guide_find(req->server->content, req->rest);
    if (g) {
        guide_page(req, res, g);
        res->cacheable = true;
    } else {
        respond_error_page(req, res, 404, "Guide not found",
                           "There is no guide at this address; the guides page lists them.");
    }
}
