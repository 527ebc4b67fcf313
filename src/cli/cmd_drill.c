/*
 * cmd_drill.c — `shoplab drill`: practice scenarios one at a time, an
 * explanation after each answer, a score at the end.
 *
 * On a terminal it asks and waits; otherwise it reads one answer per line
 * from stdin (a number or an option letter), so sessions can be scripted and
 * tested.  A seed makes a session repeatable; without one the seed is taken
 * from the clock and printed so the same session can be played again.
 *
 * The options are shown in a shuffled order (sl_drill_option_order, from the
 * same seed): in the content files the right answer is mostly listed first,
 * and a session that kept that order could be won by always answering 1.
 * Numbers and letters name shown positions (2 and b are the second option
 * on screen); the JSON names options by their content keys.
 */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Longest answer line read; anything longer is not a valid answer anyway. */
#define MAX_ANSWER_LINE 256
/* Most scenarios one session holds. */
#define MAX_SESSION 100

static const char *const types[] = {"pick", "tag", "read", NULL};

static const flag_spec flags[] = {
    {"type", FLAG_CHOICE, false, "pick|tag|read", "one drill type (default: all, in loop order)",
     types},
    {"count", FLAG_COUNT, false, "N", "how many scenarios, default 5 (at most 100)", NULL},
    {"seed", FLAG_COUNT, false, "S", "repeat a session: the same seed gives the same scenarios",
     NULL},
    {"json", FLAG_SWITCH, false, NULL,
     "no prompts: read answers from stdin, print the results as JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec spec = {
    "drill",
    "Practise the loop on fictional products and invented numbers: Pick (compare product "
    "signals), Tag (place the product card), Read (find the bottleneck and the next test). "
    "On a terminal it asks; otherwise it reads one answer per line from stdin.",
    "Answers are the number (1, 2, …) or letter (a, b, …) of an option as shown; the "
    "options come in an order the seed picks. q quits.",
    flags, 0, 0, NULL,
};

/* One scenario as shown: the drill and its options' shown order. */
typedef struct shown_drill {
    const sl_drill *d;
    size_t order[SL_DRILL_MAX_OPTIONS]; /* order[position] = index into d->options */
} shown_drill;

static const sl_drill_option *shown_option(const shown_drill *s, size_t position)
{
    return &s->d->options[s->order[position]];
}

/* The shown position of the right answer. */
static size_t shown_answer(const shown_drill *s)
{
    for (size_t i = 0; i < s->d->option_count; i++)
        if (s->order[i] == s->d->answer)
            return i;
    return 0;
}

static void print_scenario(const shown_drill *s, size_t index, size_t total)
{
    const sl_drill *d = s->d;
    char a[32], b[32], c[32], e[32];
    char head[64], line[512];
    snprintf(head, sizeof head, "\n%sDrill %zu of %zu:%s ", cli_bold(), index + 1, total,
             cli_reset());
    snprintf(line, sizeof line, "%s (%s, %s; practice data)", d->title,
             sl_drill_type_name(d->type), d->id);
    cli_wrap(stdout, 2, head, line);
    cli_wrap(stdout, 0, "", d->prompt);
    if (d->type == SL_DRILL_READ) {
        double views = 0, impr = 0, clicks = 0, orders = 0;
        sl_funnel_get(&d->funnel, SL_FIELD_VIEWS, &views);
        sl_funnel_get(&d->funnel, SL_FIELD_PRODUCT_IMPRESSIONS, &impr);
        sl_funnel_get(&d->funnel, SL_FIELD_PRODUCT_CLICKS, &clicks);
        sl_funnel_get(&d->funnel, SL_FIELD_ORDERS, &orders);
        printf("  views %s, product impressions %s, product clicks %s, orders %s\n",
               cli_count(a, views), cli_count(b, impr), cli_count(c, clicks),
               cli_count(e, orders));
        if (d->baseline.views_source || d->baseline.product_ctr_source ||
            d->baseline.ctor_source) {
            printf("  baseline:");
            if (d->baseline.views_source)
                printf(" views %s", cli_count(a, d->baseline.views));
            if (d->baseline.product_ctr_source)
                printf(" Product CTR %s", cli_percent(b, d->baseline.product_ctr));
            if (d->baseline.ctor_source)
                printf(" CTOR %s", cli_percent(c, d->baseline.ctor));
            printf("\n");
        } else {
            printf("  baseline: practice reference values\n");
        }
    }
    cli_wrap(stdout, 0, "", d->question);
    for (size_t i = 0; i < d->option_count; i++) {
        char num[32];
        snprintf(num, sizeof num, "  %zu) ", i + 1);
        cli_wrap(stdout, 5, num, shown_option(s, i)->text);
    }
}

/* The shown position an answer line picks: "2", "b", "B)" …; -1 if none,
 * -2 to quit. */
static int option_from_line(const sl_drill *d, const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == 'q' && (line[1] == '\0' || line[1] == '\n' || line[1] == '\r'))
        return -2;
    char *end;
    long n = strtol(line, &end, 10);
    if (end != line && n >= 1 && (size_t)n <= d->option_count)
        return (int)n - 1;
    /* A letter names a position on screen (a is the first shown), not a
     * content key: the keys would give the unshuffled order away. */
    char letter = (char)(*line | 0x20);
    if (letter >= 'a' && (size_t)(letter - 'a') < d->option_count &&
        strchr(" \t\r\n).", line[1] ? line[1] : ' '))
        return letter - 'a';
    return -1;
}

/* Reads answers until one is valid; -2 at end of input or on "q". */
static int ask(const sl_drill *d, bool interactive)
{
    char line[MAX_ANSWER_LINE];
    for (;;) {
        if (interactive) {
            printf("Your answer (1-%zu, q to stop): ", d->option_count);
            fflush(stdout);
        }
        if (!fgets(line, sizeof line, stdin))
            return -2;
        int choice = option_from_line(d, line);
        if (choice != -1)
            return choice;
        line[strcspn(line, "\r\n")] = '\0';
        fprintf(stderr, "'%s' is not one of the options: answer 1-%zu or a letter.\n", line,
                d->option_count);
    }
}

/* The explanations often begin with their own "Correct." or "No."; the
 * label is only added when they do not. */
static void verdict_line(const char *label, const char *why)
{
    bool labelled = strncmp(why, "Correct", 7) == 0 || strncmp(why, "Not ", 4) == 0 ||
                    strncmp(why, "No.", 3) == 0 || strncmp(why, "Wrong", 5) == 0;
    cli_wrap(stdout, 0, labelled ? "" : label, why);
}

static void explain(const shown_drill *s, int choice, bool interactive)
{
    size_t answer = shown_answer(s);
    const sl_drill_option *picked = shown_option(s, (size_t)choice);
    const sl_drill_option *right = shown_option(s, answer);
    if (!interactive) {
        char head[32];
        snprintf(head, sizeof head, "Answer: %d) ", choice + 1);
        cli_wrap(stdout, 5, head, picked->text);
    }
    if ((size_t)choice == answer) {
        verdict_line("Correct. ", picked->why);
    } else {
        verdict_line("Not quite. ", picked->why);
        char head[64];
        snprintf(head, sizeof head, "The answer is %zu) ", answer + 1);
        cli_wrap(stdout, 0, head, right->text);
        /* The right option's own explanation may open with "Correct.", which
         * reads oddly right after "Not quite." */
        const char *why = right->why;
        if (strncmp(why, "Correct. ", 9) == 0)
            why += 9;
        cli_wrap(stdout, 0, "", why);
    }
}

int cmd_drill(int argc, char **argv)
{
    flag_value v[4];
    int rc = cli_parse(&spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    const sl_content *c = cli_content();
    if (!c)
        return EXIT_INTERNAL;
    size_t count = v[1].set ? (size_t)v[1].number : 5;
    if (count < 1 || count > MAX_SESSION) {
        cli_error(&spec, "--count: a session has 1 to %d scenarios", MAX_SESSION);
        return EXIT_INVALID;
    }
    uint64_t seed = v[2].set ? (uint64_t)v[2].number : (uint64_t)time(NULL);
    sl_drill_type type = SL_DRILL_PICK;
    for (int t = 0; v[0].set && t < SL_DRILL__COUNT; t++)
        if (strcmp(v[0].text, sl_drill_type_name((sl_drill_type)t)) == 0)
            type = (sl_drill_type)t;
    const sl_drill *session[MAX_SESSION];
    size_t n = sl_drill_session(c, !v[0].set, type, count, seed, session);
    if (n == 0) {
        cli_error(&spec, "no drills of this type are available");
        return EXIT_NOT_FOUND;
    }
    shown_drill shown[MAX_SESSION];
    for (size_t i = 0; i < n; i++) {
        shown[i].d = session[i];
        size_t k = sl_drill_option_order(c, session[i], seed, shown[i].order);
        if (k != session[i]->option_count) {
            cli_error(&spec, "drill %s: its options cannot be ordered", session[i]->id);
            return EXIT_INTERNAL;
        }
    }
    bool json = v[3].set;
    bool interactive = !json && isatty(STDIN_FILENO);
    json_t *results = json ? json_array() : NULL;
    size_t score = 0, answered = 0;
    if (!json)
        printf("ShopLab drills: fictional products and invented numbers, for practice only.\n"
               "Session seed %llu (repeat it with --seed %llu).\n",
               (unsigned long long)seed, (unsigned long long)seed);
    for (size_t i = 0; i < n; i++) {
        if (!json)
            print_scenario(&shown[i], i, n);
        int choice = ask(session[i], interactive);
        if (choice == -2)
            break;
        answered++;
        const sl_drill_option *chosen = shown_option(&shown[i], (size_t)choice);
        bool correct = (size_t)choice == shown_answer(&shown[i]);
        score += correct;
        if (json)
            json_array_append_new(
                results, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "id", session[i]->id, "type",
                                   sl_drill_type_name(session[i]->type), "chosen",
                                   chosen->key, "answer",
                                   session[i]->options[session[i]->answer].key, "correct",
                                   correct, "why", chosen->why));
        else
            explain(&shown[i], choice, interactive);
    }
    if (json) {
        json_t *root = json_pack("{s:I,s:I,s:I,s:I,s:o,s:b}", "seed", (json_int_t)seed, "score",
                                 (json_int_t)score, "answered", (json_int_t)answered, "total",
                                 (json_int_t)n, "results", results, "practice_data", 1);
        char *text = json_dumps(root, JSON_INDENT(2));
        json_decref(root);
        return cli_print_json(text);
    }
    printf("\n%sScore: %zu of %zu%s", cli_bold(), score, answered, cli_reset());
    if (answered < n)
        printf(" (stopped after %zu of %zu scenarios)", answered, n);
    printf("\nPractice scores say nothing about how your own videos will do.\n");
    return cli_finish(EXIT_OK);
}
