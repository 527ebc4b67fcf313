/*
 * cmd_glossary.c — `shoplab define`, `terms`, `same` and `guide`: the
 * glossary and the guides as 80-column pages or JSON.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SUGGESTIONS 5

static const char *const steps[] = {"pick", "tag", "read", NULL};

const sl_content *cli_content(void)
{
    sl_error err;
    const sl_content *c = sl_content_builtin(&err);
    if (!c)
        fprintf(stderr, "shoplab: error: the built-in content is damaged (%s); rebuild "
                        "ShopLab\n",
                err.message);
    return c;
}

static const char *step_title(sl_loop_step s)
{
    static const char *const titles[] = {"Pick", "Tag", "Read"};
    return (unsigned)s < SL_LOOP__COUNT ? titles[s] : "?";
}

static void heading(const char *text)
{
    printf("\n%s%s%s\n", cli_bold(), text, cli_reset());
}

static void bullets(const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cli_wrap(stdout, 4, "  - ", items[i]);
}

static void print_qa(const sl_qa *qa, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cli_wrap(stdout, 5, "  Q: ", qa[i].question);
        cli_wrap(stdout, 5, "  A: ", qa[i].answer);
    }
}

static void joined(const char *label, const char *const *items, size_t n)
{
    if (!n)
        return;
    char line[1024];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof line; i++)
        o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? ", " : "", items[i]);
    cli_wrap(stdout, 2, label, line);
}

static const char *practice_words(const char *practice)
{
    if (strcmp(practice, "decoder") == 0)
        return "the Metrics Decoder: shoplab decode --help";
    if (strcmp(practice, "drill:pick") == 0)
        return "a Pick drill: shoplab drill --type pick";
    if (strcmp(practice, "drill:tag") == 0)
        return "a Tag drill: shoplab drill --type tag";
    return "a Read drill: shoplab drill --type read";
}

static void footer(void)
{
    printf("\nShopLab is independent and not affiliated with TikTok. Nothing here promises\n"
           "views, clicks, orders or earnings.\n");
}

/* "orders / product_clicks" → "orders / product clicks": canonical field
 * names in words, everything else as written. */
static void formula_words(const char *formula, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = formula; *p && o + 1 < size;) {
        size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
        const char *word = NULL;
        for (int f = 0; len && f < SL_FIELD__COUNT && !word; f++)
            if (strlen(sl_field_name((sl_field)f)) == len &&
                strncmp(p, sl_field_name((sl_field)f), len) == 0)
                word = sl_field_label((sl_field)f);
        if (word) {
            o += (size_t)snprintf(out + o, size - o, "%s", word);
            p += len;
        } else {
            out[o++] = *p++;
        }
    }
    out[o < size ? o : size - 1] = '\0';
}

static void print_term(const sl_term *t)
{
    printf("%s%s%s (%s)\n", cli_bold(), t->name, cli_reset(), t->slug);
    printf("Step: %s   Kind: %s\n", step_title(t->step), sl_term_kind_name(t->kind));
    if (t->alias_count) {
        char line[2048];
        size_t o = 0;
        for (size_t i = 0; i < t->alias_count && o < sizeof line; i++) {
            bool en = strcmp(t->aliases[i].lang, "en") == 0;
            o += (size_t)snprintf(line + o, sizeof line - o, "%s%s%s%s%s", i ? ", " : "",
                                  t->aliases[i].text, en ? "" : " (", en ? "" : t->aliases[i].lang,
                                  en ? "" : ")");
        }
        cli_wrap(stdout, 2, "Also called: ", line);
    }
    printf("\n");
    cli_wrap(stdout, 0, "", t->answer);
    for (size_t i = 0; i < t->explanation_count; i++) {
        printf("\n");
        cli_wrap(stdout, 0, "", t->explanation[i]);
    }
    if (t->formula || t->formula_text) {
        heading("Formula");
        char words[512];
        if (t->formula)
            formula_words(t->formula, words, sizeof words);
        cli_wrap(stdout, 2, "  ", t->formula ? words : t->formula_text);
        if (t->denominator)
            cli_wrap(stdout, 2, "  Denominator: ", t->denominator);
    }
    if (t->low || t->check_count) {
        heading("When it is low");
        if (t->low)
            cli_wrap(stdout, 2, "  ", t->low);
        bullets(t->checks, t->check_count);
    }
    if (t->qa_count) {
        heading("Questions");
        print_qa(t->qa, t->qa_count);
    }
    printf("\n");
    joined("Related terms: ", t->related, t->related_count);
    joined("Related guides: ", t->guides, t->guide_count);
    cli_wrap(stdout, 2, "Practice next: ", practice_words(t->practice));
    footer();
}

static void print_suggestions(const sl_content *c, const char *word)
{
    const sl_term *sugg[MAX_SUGGESTIONS];
    size_t n = sl_term_suggest(c, word, sugg, MAX_SUGGESTIONS);
    if (!n) {
        fprintf(stderr, "Run 'shoplab terms' for the list of terms.\n");
        return;
    }
    fprintf(stderr, "Did you mean:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %s (%s)\n", sugg[i]->name, sugg[i]->slug);
}

/* ---- define ---- */

static const flag_spec define_flags[] = {
    {"json", FLAG_SWITCH, false, NULL, "print the term page as JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec define_spec = {
    "define",
    "Show a glossary term: what it means, its other names (official, older and regional), "
    "formula with its denominator, what a low value usually means, Q&A and what to practise "
    "next. Case, spaces, punctuation and accents are ignored.",
    "Example: shoplab define \"CO rate\"",
    define_flags,
    1,
    1,
    "TERM",
};

int cmd_define(int argc, char **argv)
{
    flag_value v[1];
    cli_args args;
    int rc = cli_parse(&define_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    const sl_content *c = cli_content();
    if (!c)
        return EXIT_INTERNAL;
    const sl_term *t = sl_term_find(c, args.items[0]);
    if (!t) {
        cli_error(NULL, "'%s' is not a glossary term", args.items[0]);
        print_suggestions(c, args.items[0]);
        return EXIT_NOT_FOUND;
    }
    if (v[0].set)
        return cli_print_json(sl_term_to_json(t));
    print_term(t);
    return cli_finish(EXIT_OK);
}

/* ---- terms ---- */

static const flag_spec terms_flags[] = {
    {"step", FLAG_CHOICE, false, "pick|tag|read", "only the terms of one loop step", steps},
    {"json", FLAG_SWITCH, false, NULL, "print the list as JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec terms_spec = {
    "terms",
    "List the glossary, grouped by the step of the Pick / Tag / Read loop it belongs to.",
    NULL, terms_flags, 0, 0, NULL,
};

static bool parse_step(const char *text, sl_loop_step *out)
{
    for (int s = 0; s < SL_LOOP__COUNT; s++)
        if (strcmp(text, sl_loop_step_name((sl_loop_step)s)) == 0) {
            *out = (sl_loop_step)s;
            return true;
        }
    return false;
}

int cmd_terms(int argc, char **argv)
{
    flag_value v[2];
    int rc = cli_parse(&terms_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    const sl_content *c = cli_content();
    if (!c)
        return EXIT_INTERNAL;
    sl_loop_step only = SL_LOOP_PICK;
    bool filter = v[0].set && parse_step(v[0].text, &only);
    if (v[1].set)
        return cli_print_json(sl_terms_to_json(c, filter, only));
    size_t shown = 0;
    for (int s = 0; s < SL_LOOP__COUNT; s++) {
        if (filter && (sl_loop_step)s != only)
            continue;
        printf("%s%s%s\n", cli_bold(), step_title((sl_loop_step)s), cli_reset());
        for (size_t i = 0; i < sl_term_count(c); i++) {
            const sl_term *t = sl_term_at(c, i);
            if (t->step != (sl_loop_step)s)
                continue;
            char first[128];
            snprintf(first, sizeof first, "  %s (%s)", t->name, t->slug);
            printf("%s\n", first);
            cli_wrap(stdout, 4, "    ", t->answer);
            shown++;
        }
        printf("\n");
    }
    printf("%zu terms. Run 'shoplab define TERM' for a term's page.\n", shown);
    return cli_finish(EXIT_OK);
}

/* ---- same ---- */

static const flag_spec same_flags[] = {
    {"json", FLAG_SWITCH, false, NULL, "print the answer as JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec same_spec = {
    "same",
    "Say whether two words name the same measure (aliases), related measures (and how: e.g. "
    "same numerator, different denominator) or different things, with one sentence why.",
    "Example: shoplab same \"Product CTR\" CTOR",
    same_flags, 2, 2, "TERM TERM",
};

int cmd_same(int argc, char **argv)
{
    flag_value v[1];
    cli_args args;
    int rc = cli_parse(&same_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    const sl_content *c = cli_content();
    if (!c)
        return EXIT_INTERNAL;
    sl_same_result r;
    sl_error err;
    if (sl_terms_same(c, args.items[0], args.items[1], &r, &err) != SL_OK) {
        const char *word = strcmp(err.field, "a") == 0 ? args.items[0] : args.items[1];
        cli_error(NULL, "'%s' is not a glossary term", word);
        print_suggestions(c, word);
        return EXIT_NOT_FOUND;
    }
    if (v[0].set)
        return cli_print_json(sl_same_to_json(&r));
    static const char *const verdicts[] = {"Same measure", "Related", "Different"};
    if (r.sameness == SL_SAME_MEASURE)
        printf("%s%s%s: '%s' and '%s' both name %s (%s)\n", cli_bold(), verdicts[r.sameness],
               cli_reset(), args.items[0], args.items[1], r.a->name, r.a->slug);
    else
        printf("%s%s%s: %s (%s) and %s (%s)\n", cli_bold(), verdicts[r.sameness], cli_reset(),
               r.a->name, r.a->slug, r.b->name, r.b->slug);
    if (r.sameness == SL_SAME_RELATED)
        printf("Relation: %s\n", r.relation);
    cli_wrap(stdout, 0, "", r.sentence);
    return cli_finish(EXIT_OK);
}

/* ---- guide ---- */

static const flag_spec guide_flags[] = {
    {"json", FLAG_SWITCH, false, NULL, "print JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec guide_spec = {
    "guide",
    "Without a SLUG, list the guides; with one, show it: purpose, three next steps, a "
    "checklist, what not to do, Q&A, related terms and a drill.",
    NULL, guide_flags, 0, 1, "[SLUG]",
};

static void print_guide(const sl_guide *g)
{
    printf("%s%s%s (%s)\nStep: %s\n\n", cli_bold(), g->title, cli_reset(), g->slug,
           step_title(g->step));
    cli_wrap(stdout, 0, "", g->purpose);
    for (size_t i = 0; i < g->body_count; i++) {
        printf("\n");
        cli_wrap(stdout, 0, "", g->body[i]);
    }
    heading("Next steps");
    for (size_t i = 0; i < g->next_count; i++) {
        char num[32];
        snprintf(num, sizeof num, "  %zu. ", i + 1);
        cli_wrap(stdout, 5, num, g->next[i]);
    }
    heading("Checklist");
    bullets(g->checks, g->check_count);
    heading("What not to do");
    bullets(g->avoid, g->avoid_count);
    heading("Questions");
    print_qa(g->qa, g->qa_count);
    printf("\n");
    joined("Terms: ", g->terms, g->term_count);
    char drill[64];
    if (strcmp(g->drill, "decoder") == 0)
        snprintf(drill, sizeof drill, "decoder");
    else
        snprintf(drill, sizeof drill, "drill:%s", g->drill);
    cli_wrap(stdout, 2, "Practice next: ", practice_words(drill));
    footer();
}

int cmd_guide(int argc, char **argv)
{
    flag_value v[1];
    cli_args args;
    int rc = cli_parse(&guide_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    const sl_content *c = cli_content();
    if (!c)
        return EXIT_INTERNAL;
    if (args.count == 0) {
        if (v[0].set)
            return cli_print_json(sl_guides_to_json(c));
        for (size_t i = 0; i < sl_guide_count(c); i++) {
            const sl_guide *g = sl_guide_at(c, i);
            printf("%-24s %s (%s)\n", g->slug, g->title, sl_loop_step_name(g->step));
        }
        printf("\nRun 'shoplab guide SLUG' to read one.\n");
        return cli_finish(EXIT_OK);
    }
    const sl_guide *g = sl_guide_find(c, args.items[0]);
    if (!g) {
        cli_error(NULL, "no guide is called '%s'; run 'shoplab guide' for the list",
                  args.items[0]);
        return EXIT_NOT_FOUND;
    }
    if (v[0].set)
        return cli_print_json(sl_guide_to_json(g));
    print_guide(g);
    return cli_finish(EXIT_OK);
}
