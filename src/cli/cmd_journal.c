/*
 * cmd_journal.c — `shoplab journal`: plan a one-change test, add looks as the
 * after-video's numbers come in, close it with a lesson; list, show and
 * export the tests.  The rules (frozen plan, running-minimum p, one open test
 * per creator and metric) live in the library (src/lib/journal.c); this file
 * parses flags, opens the store and prints.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_HELP "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)"
#define AT_HELP "when it happened, UTC, e.g. 2026-09-14T18:30:00Z (default now)"
#define END_FLAGS {NULL, 0, false, NULL, NULL, NULL}

static const char *const metrics[] = {"ctr", "ctor", NULL};
static const char *const steps[] = {"pick", "tag", "read", NULL};
static const char *const outcomes[] = {"b-better", "a-better", "no-clear-difference",
                                       "abandoned", NULL};
static const char *const formats[] = {"csv", "json", "md", NULL};
/* sl_change_tag's names (the library parses them back). */
static const char *const tags[] = {"card-timing", "hook", "proof-moment", "cta", "product",
                                   "price", "other", NULL};

/* ---- flag tables ---- */

enum { P_METRIC, P_STEP, P_CHANGE, P_TAG, P_HYPOTHESIS, P_BEFORE_VIDEO, P_BEFORE_TRIALS,
       P_BEFORE_SUCCESSES, P_MDE, P_EXPECT, P_CREATOR, P_FORCE, P_AT, P_JSON, P_DB, P__COUNT };

static const flag_spec plan_flags[] = {
    [P_METRIC] = {"metric", FLAG_CHOICE, true, "ctr|ctor",
                  "ctr: product clicks out of product impressions; ctor: orders out of product "
                  "clicks",
                  metrics},
    [P_STEP] = {"step", FLAG_CHOICE, true, "pick|tag|read", "the loop step the change targets",
                steps},
    [P_CHANGE] = {"change", FLAG_TEXT, true, "TEXT", "the single change, in one sentence", NULL},
    [P_TAG] = {"tag", FLAG_CHOICE, false, "TAG",
               "what kind of change: card-timing, hook, proof-moment, cta, product, price or "
               "other (default: guessed from the change's words)",
               tags},
    [P_HYPOTHESIS] = {"hypothesis", FLAG_TEXT, true, "TEXT",
                      "why the change should move the metric", NULL},
    [P_BEFORE_VIDEO] = {"before-video", FLAG_TEXT, false, "ID",
                        "the before-video: its counts from the newest import holding it", NULL},
    [P_BEFORE_TRIALS] = {"before-trials", FLAG_COUNT, false, "N",
                         "or typed: impressions for ctr, clicks for ctor", NULL},
    [P_BEFORE_SUCCESSES] = {"before-successes", FLAG_COUNT, false, "N",
                            "and clicks for ctr, orders for ctor", NULL},
    [P_MDE] = {"mde", FLAG_LIFT, false, "R",
               "smallest relative lift worth detecting, default 0.2 (20%)", NULL},
    [P_EXPECT] = {"expect", FLAG_TEXT, false, "TEXT",
                  "what you expect, written before any result", NULL},
    [P_CREATOR] = {"creator", FLAG_TEXT, false, "ID",
                   "the creator (default: the before-video's creator key)", NULL},
    [P_FORCE] = {"force", FLAG_SWITCH, false, NULL,
                 "open beside another open test on the same creator and metric", NULL},
    [P_AT] = {"at", FLAG_TEXT, false, "TIME", AT_HELP, NULL},
    [P_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the test", NULL},
    [P_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec plan_spec = {
    "journal plan",
    "Plan a one-change test: the step, the single change, the hypothesis, the metric and the "
    "before-video, and see how many impressions (clicks for ctor) the after-video needs.",
    "Give the before-video as --before-video ID (imported with 'shoplab read') or as "
    "--before-trials N --before-successes N. The plan is frozen at its first look. Without "
    "--tag the change's words suggest one (the plan says so). Example: "
    "shoplab journal plan --metric ctr --step tag --change \"Card at the first proof moment\" "
    "--hypothesis \"Viewers tap while they want to check\" --before-video 7400000000000000101",
    plan_flags,
    0,
    0,
    NULL,
};

enum { R_METRIC, R_MDE, R_FORCE, R_JSON, R_DB, R__COUNT };

static const flag_spec replan_flags[] = {
    [R_METRIC] = {"metric", FLAG_CHOICE, false, "ctr|ctor", "the new metric", metrics},
    [R_MDE] = {"mde", FLAG_LIFT, false, "R", "the new smallest relative lift worth detecting",
               NULL},
    [R_FORCE] = {"force", FLAG_SWITCH, false, NULL,
                 "allow it beside another open test on the same creator and metric", NULL},
    [R_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the test", NULL},
    [R_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec replan_spec = {
    "journal replan",
    "Change the metric or the lift of a planned test before its first look; after it the plan "
    "is frozen and this is refused.",
    "Example: shoplab journal replan 1 --mde 0.3",
    replan_flags,
    1,
    1,
    "ID",
};

enum { L_AFTER_VIDEO, L_AFTER_TRIALS, L_AFTER_SUCCESSES, L_AT, L_JSON, L_DB, L__COUNT };

static const flag_spec look_flags[] = {
    [L_AFTER_VIDEO] = {"after-video", FLAG_TEXT, false, "ID",
                       "the after-video: its counts from the newest import holding it", NULL},
    [L_AFTER_TRIALS] = {"after-trials", FLAG_COUNT, false, "N",
                        "or typed, so far: impressions for ctr, clicks for ctor", NULL},
    [L_AFTER_SUCCESSES] = {"after-successes", FLAG_COUNT, false, "N",
                           "and clicks for ctr, orders for ctor", NULL},
    [L_AT] = {"at", FLAG_TEXT, false, "TIME", AT_HELP, NULL},
    [L_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the test", NULL},
    [L_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec look_spec = {
    "journal look",
    "Add a look: the after-video's counts so far, with the verdict, the always-valid p "
    "(lowest over all looks) and how far the planned sample is.",
    "Import a newer export first ('shoplab read FILE') and give --after-video ID, or type "
    "--after-trials N --after-successes N. Example: shoplab journal look 1 --after-video "
    "7400000000000000201",
    look_flags,
    1,
    1,
    "ID",
};

enum { C_OUTCOME, C_LESSON, C_AT, C_JSON, C_DB, C__COUNT };

static const flag_spec close_flags[] = {
    [C_OUTCOME] = {"outcome", FLAG_CHOICE, true, "OUTCOME",
                   "b-better, a-better, no-clear-difference or abandoned", outcomes},
    [C_LESSON] = {"lesson", FLAG_TEXT, true, "TEXT", "what you learned, in your words", NULL},
    [C_AT] = {"at", FLAG_TEXT, false, "TIME", AT_HELP, NULL},
    [C_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the test", NULL},
    [C_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec close_spec = {
    "journal close",
    "Close a test with its outcome and the lesson. A closed test is kept and never edited.",
    "Example: shoplab journal close 1 --outcome b-better --lesson \"The card works at the "
    "proof moment\"",
    close_flags,
    1,
    1,
    "ID",
};

enum { S_OPEN, S_CLOSED, S_JSON, S_DB, S__COUNT };

static const flag_spec list_flags[] = {
    [S_OPEN] = {"open", FLAG_SWITCH, false, NULL, "only open tests", NULL},
    [S_CLOSED] = {"closed", FLAG_SWITCH, false, NULL, "only closed tests", NULL},
    [S_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the list", NULL},
    [S_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec list_spec = {
    "journal list",
    "List the tests in the journal, oldest first: status, looks, metric, always-valid p and "
    "the change.",
    NULL,
    list_flags,
    0,
    0,
    NULL,
};

enum { W_JSON, W_DB, W__COUNT };

static const flag_spec show_flags[] = {
    [W_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the test", NULL},
    [W_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec show_spec = {
    "journal show",
    "Show one test: the plan, every look with its p-values, the latest verdict and, once "
    "closed, the outcome and lesson.",
    "Example: shoplab journal show 1",
    show_flags,
    1,
    1,
    "ID",
};

enum { E_FORMAT, E_OUTPUT, E_DB, E__COUNT };

static const flag_spec export_flags[] = {
    [E_FORMAT] = {"format", FLAG_CHOICE, false, "csv|json|md",
                  "csv (one line per test, the default), json or md (Markdown)", formats},
    [E_OUTPUT] = {"output", FLAG_TEXT, false, "PATH",
                  "write to PATH (completely or not at all) instead of stdout", NULL},
    [E_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec export_spec = {
    "journal export",
    "Export every test of the journal with its plan, latest look, outcome and lesson.",
    "Example: shoplab journal export --format md --output journal.md",
    export_flags,
    0,
    0,
    NULL,
};

enum { N_JSON, N_DB, N__COUNT };

static const flag_spec lessons_flags[] = {
    [N_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the lessons", NULL},
    [N_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec lessons_spec = {
    "journal lessons",
    "What has worked across creators: closed tests grouped by step, change tag and metric, "
    "each group's pooled lift with its interval, and every creator's own lift beside its "
    "pooled one.",
    "A creator with little data is pulled toward the group's lift, so one lucky test does "
    "not speak for everyone (docs/statistics.md, \"Lessons across creators\").",
    lessons_flags,
    0,
    0,
    NULL,
};

/* ---- helpers ---- */

static int parse_id(const command_spec *cmd, const char *text, int64_t *id)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end || end == text || v <= 0 || errno) {
        cli_error(cmd, "'%s' is not a test id; 'shoplab journal list' shows them", text);
        return EXIT_USAGE;
    }
    *id = v;
    return -1;
}

/* Prints a library error; a field that is one of the command's flags is
 * named as the flag (typed counts name their trials flag). */
static int report_error(const command_spec *cmd, sl_status st, const sl_error *err,
                        const char *typed_flag)
{
    const char *flag = NULL;
    if (err->field && (strcmp(err->field, "before") == 0 || strcmp(err->field, "after") == 0))
        flag = typed_flag;
    else if (err->field)
        for (const flag_spec *f = cmd->flags; f->name; f++)
            if (strcmp(f->name, err->field) == 0)
                flag = f->name;
    if (flag)
        cli_fail(cmd, "--%s: %s", flag, err->message);
    else
        cli_fail(cmd, "%s", err->message);
    return cli_exit_code(st);
}

static const char *metric_label(sl_metric m)
{
    return sl_metric_rate(m)->label;
}

/* "302 clicks / 7,200 impressions = 4.19%" */
static void counts_text(char *buf, size_t size, sl_metric m, sl_arm a)
{
    char s[32], t[32], r[32];
    bool ctor = m == SL_METRIC_CTOR;
    snprintf(buf, size, "%s %s / %s %s = %s", cli_count(s, (double)a.successes),
             ctor ? "orders" : "clicks", cli_count(t, (double)a.trials),
             ctor ? "clicks" : "impressions",
             cli_percent(r, (double)a.successes / (double)a.trials));
}

static void field_line(const char *name, const char *text)
{
    char first[32];
    snprintf(first, sizeof first, "  %-14s", name);
    cli_wrap(stdout, 16, first, text);
}

/* "to go" for one look: planned sample reached, N more, or never. */
static void sample_text(char *buf, size_t size, const sl_journal_test *t,
                        const sl_compare_result *r)
{
    char n[32];
    const char *unit = sl_metric_rate(t->metric)->trials;
    if (!t->sample_feasible)
        snprintf(buf, size, "the planned sample cannot be reached with this before-video");
    else if (r->planned_sample_reached)
        snprintf(buf, size, "planned sample reached");
    else
        snprintf(buf, size, "%s more %s to go", cli_count(n, (double)r->b_more_needed), unit);
}

static void print_title(const sl_journal_test *t)
{
    if (t->closed)
        printf("%sTest #%lld%s (closed, %s)\n", cli_bold(), (long long)t->id, cli_reset(),
               sl_journal_outcome_name(t->outcome));
    else if (t->look_count)
        printf("%sTest #%lld%s (open, plan frozen since look 1)\n", cli_bold(),
               (long long)t->id, cli_reset());
    else
        printf("%sTest #%lld%s (open, no looks yet: the plan can still change)\n", cli_bold(),
               (long long)t->id, cli_reset());
}

/* "cta (call to action)"; just "card-timing" where the label only spells
 * the name with spaces. */
static const char *tag_text(char *buf, size_t size, sl_change_tag tag)
{
    const char *name = sl_change_tag_name(tag), *label = sl_change_tag_label(tag);
    size_t i = 0;
    while (name[i] && (name[i] == label[i] || (name[i] == '-' && label[i] == ' ')))
        i++;
    if (!name[i] && !label[i])
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "%s (%s)", name, label);
    return buf;
}

static void print_plan(const sl_journal_test *t)
{
    char buf[512], n[32];
    const char *unit = sl_metric_rate(t->metric)->trials;
    snprintf(buf, sizeof buf, "%s (%s)", metric_label(t->metric),
             sl_metric_rate(t->metric)->ratio);
    field_line("metric", buf);
    field_line("step", sl_loop_step_name(t->step));
    field_line("creator", t->creator[0] ? t->creator : "none given (one shared bucket)");
    field_line("change", t->change);
    field_line("change tag", tag_text(buf, sizeof buf, t->tag));
    field_line("hypothesis", t->hypothesis);
    if (t->expectation[0])
        field_line("expected", t->expectation);
    field_line("planned", t->planned_at);
    char counts[160];
    counts_text(counts, sizeof counts, t->metric, t->before);
    if (t->before_video[0])
        snprintf(buf, sizeof buf, "%s (import #%lld): %s", t->before_video,
                 (long long)t->before_import, counts);
    else
        snprintf(buf, sizeof buf, "typed: %s", counts);
    field_line("before-video", buf);
    if (t->sample_feasible)
        snprintf(buf, sizeof buf, "detect a %.0f%% change either way: the after-video needs %s %s "
                 "(tau^2 %.3g, fixed)", t->mde * 100, cli_count(n, (double)t->b_needed), unit,
                 t->tau2);
    else if (isfinite(t->min_detectable_lift))
        snprintf(buf, sizeof buf, "a %.0f%% lift cannot be detected with this before-video; "
                 "the smallest it can detect is %.0f%% (tau^2 %.3g, fixed)", t->mde * 100,
                 ceil(t->min_detectable_lift * 100), t->tau2);
    else
        snprintf(buf, sizeof buf, "a %.0f%% lift cannot be detected with this before-video "
                 "(tau^2 %.3g, fixed)", t->mde * 100, t->tau2);
    field_line("plan", buf);
}

/* The latest look's verdict in one sentence (sl_compare_sentence): printed
 * before the plan and the looks, because it is the answer they explain. */
static void print_verdict(const sl_journal_test *t)
{
    if (!t->look_count)
        return;
    sl_compare_result r;
    if (sl_journal_verdict(t, t->look_count - 1, &r, NULL) != SL_OK)
        return;
    printf("%sVerdict (look %zu of %zu): %s%s\n", cli_bold(), t->look_count, t->look_count,
           sl_compare_verdict_name(r.verdict), cli_reset());
    cli_wrap(stdout, 2, "  ", r.verdict_text);
}

/* The looks from `from` on, then what the latest one's p-values mean;
 * `full` adds the caution (show) where a fresh look only needs the news. */
static void print_looks(const sl_journal_test *t, size_t from, bool full)
{
    if (!t->look_count)
        return;
    printf("\n%sLooks%s\n", cli_bold(), cli_reset());
    sl_compare_result r = {0};
    for (size_t i = 0; i < t->look_count; i++) {
        if (i < from && i + 1 < t->look_count)
            continue;
        const sl_journal_look *l = &t->looks[i];
        char where[160], counts[160], buf[400], go[160];
        if (l->after_video[0])
            snprintf(where, sizeof where, "video %s (import #%lld)", l->after_video,
                     (long long)l->after_import);
        else
            snprintf(where, sizeof where, "typed counts");
        char first[16];
        snprintf(first, sizeof first, "  %-3u", l->seq);
        snprintf(buf, sizeof buf, "%s, %s", l->taken_at, where);
        cli_wrap(stdout, 5, first, buf);
        counts_text(counts, sizeof counts, t->metric, l->after);
        snprintf(buf, sizeof buf, "%s; always-valid\x1fp\x1f%.3g (this\x1flook\x1f%.3g)", counts,
                 l->p_always_valid, l->p_look);
        cli_wrap(stdout, 5, "", buf);
        if (sl_journal_verdict(t, i, &r, NULL) != SL_OK)
            continue;
        sample_text(go, sizeof go, t, &r);
        snprintf(buf, sizeof buf, "%s; %s", sl_compare_verdict_name(r.verdict), go);
        cli_wrap(stdout, 5, "", buf);
    }
    const sl_journal_look *last = &t->looks[t->look_count - 1];
    char buf[512];
    if (r.planned_sample_reached)
        snprintf(buf, sizeof buf, "p-value %.3g (%s) is final: the planned sample is reached.",
                 r.p_value, r.p_method);
    else
        snprintf(buf, sizeof buf, "p-value %.3g (%s) is not final until the planned sample is "
                 "reached.", r.p_value, r.p_method);
    cli_wrap(stdout, 2, "  ", buf);
    snprintf(buf, sizeof buf, "Always-valid p %.3g: the lowest over %zu look%s, valid however "
             "often you look.", last->p_always_valid, t->look_count,
             t->look_count == 1 ? "" : "s");
    cli_wrap(stdout, 2, "  ", buf);
    if (full)
        cli_wrap(stdout, 2, "Caution: ", r.caution);
}

static void print_closed(const sl_journal_test *t)
{
    if (!t->closed)
        return;
    printf("%sClosed %s: %s%s\n", cli_bold(), t->closed_at,
           sl_journal_outcome_name(t->outcome), cli_reset());
    cli_wrap(stdout, 2, "Lesson: ", t->lesson);
}

/* The answer first (the outcome of a closed test, the latest verdict),
 * then the plan and the looks it rests on. */
static void print_test(const sl_journal_test *t)
{
    print_title(t);
    print_closed(t);
    if (t->closed && t->look_count)
        printf("\n");
    print_verdict(t);
    printf("\n");
    print_plan(t);
    print_looks(t, 0, true);
}

/* What a command that changed a test prints after its headline. */
typedef enum { SHOW_PLAN, SHOW_LAST_LOOK, SHOW_CLOSED } show_part;

/* Shows a test after a change: a warning on stderr, then JSON or text. */
static int print_result(const command_spec *cmd, const sl_journal_test *t, bool json,
                        const char *headline, show_part part)
{
    if (t->warning[0])
        fprintf(stderr, "shoplab %s: warning: %s\n", cmd->name, t->warning);
    if (json)
        return cli_print_json(sl_journal_test_to_json(t));
    printf("%s\n", headline);
    if (part == SHOW_PLAN) {
        printf("\n");
        print_title(t);
        print_plan(t);
    } else if (part == SHOW_LAST_LOOK) {
        printf("\n");
        print_verdict(t);
        print_looks(t, t->look_count - 1, false);
    } else {
        printf("\n");
        print_closed(t);
    }
    return cli_finish(EXIT_OK);
}

/* ---- subcommands ---- */

static int run_plan(int argc, char **argv)
{
    flag_value v[P__COUNT];
    int rc = cli_parse(&plan_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    bool typed = v[P_BEFORE_TRIALS].set || v[P_BEFORE_SUCCESSES].set;
    if (v[P_BEFORE_VIDEO].set == typed) {
        cli_error(&plan_spec, v[P_BEFORE_VIDEO].set
                                  ? "--before-video: give the video or typed counts, not both"
                                  : "missing --before-video ID, or --before-trials N and "
                                    "--before-successes N");
        return EXIT_USAGE;
    }
    if (typed && !(v[P_BEFORE_TRIALS].set && v[P_BEFORE_SUCCESSES].set)) {
        cli_error(&plan_spec, "missing --%s N: typed counts need both trials and successes",
                  v[P_BEFORE_TRIALS].set ? "before-successes" : "before-trials");
        return EXIT_USAGE;
    }
    sl_journal_plan_input in = {
        .step = strcmp(v[P_STEP].text, "pick") == 0  ? SL_LOOP_PICK
                : strcmp(v[P_STEP].text, "tag") == 0 ? SL_LOOP_TAG
                                                     : SL_LOOP_READ,
        .metric = SL_METRIC_CTR,
        .change = v[P_CHANGE].text,
        .tag = sl_change_tag_suggest(v[P_CHANGE].text),
        .hypothesis = v[P_HYPOTHESIS].text,
        .expectation = v[P_EXPECT].text,
        .before_video = v[P_BEFORE_VIDEO].text,
        .before = {(uint64_t)v[P_BEFORE_SUCCESSES].number, (uint64_t)v[P_BEFORE_TRIALS].number},
        .creator = v[P_CREATOR].text,
        .mde = v[P_MDE].set ? v[P_MDE].number : 0,
        .force = v[P_FORCE].set,
        .at = v[P_AT].text,
    };
    sl_metric_parse(v[P_METRIC].text, &in.metric);
    if (v[P_TAG].set)
        sl_change_tag_parse(v[P_TAG].text, &in.tag);
    sl_store *store;
    if ((rc = cli_open_store(&plan_spec, v[P_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test t;
    sl_error err;
    sl_status st = sl_journal_plan(store, &in, &t, &err);
    sl_store_close(store);
    if (st != SL_OK) {
        /* Name the flag that holds the problem: the video, or the typed
         * count that is zero (no successes: a 0% rate cannot be lifted). */
        const char *flag = in.before_video                                     ? "before-video"
                           : st == SL_ERR_NO_DATA && in.before.trials > 0 ? "before-successes"
                                                                            : "before-trials";
        return report_error(&plan_spec, st, &err, flag);
    }
    /* A guessed tag is said (on stderr, beside the output): it is kept with
     * the test and groups it in the lessons, so a wrong guess should be
     * seen now. */
    if (!v[P_TAG].set)
        fprintf(stderr, "shoplab journal plan: note: tag '%s' guessed (--tag sets it)\n",
                sl_change_tag_name(in.tag));
    char head[128];
    snprintf(head, sizeof head, "Planned test #%lld. Next: 'shoplab journal look %lld' once "
             "the after-video has numbers.", (long long)t.id, (long long)t.id);
    rc = print_result(&plan_spec, &t, v[P_JSON].set, head, SHOW_PLAN);
    sl_journal_test_clear(&t);
    return rc;
}

static int run_replan(int argc, char **argv)
{
    flag_value v[R__COUNT];
    cli_args args;
    int64_t id;
    int rc = cli_parse(&replan_spec, argc, argv, v, &args);
    if (rc >= 0 || (rc = parse_id(&replan_spec, args.items[0], &id)) >= 0)
        return rc;
    if (!v[R_METRIC].set && !v[R_MDE].set) {
        cli_error(&replan_spec, "missing --metric or --mde: say what the new plan changes");
        return EXIT_USAGE;
    }
    sl_metric metric = SL_METRIC_CTR;
    if (v[R_METRIC].set)
        sl_metric_parse(v[R_METRIC].text, &metric);
    sl_store *store;
    if ((rc = cli_open_store(&replan_spec, v[R_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test t;
    sl_error err;
    sl_status st = sl_journal_replan(store, id, v[R_METRIC].set ? &metric : NULL,
                                     v[R_MDE].set ? v[R_MDE].number : 0, v[R_FORCE].set, &t,
                                     &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&replan_spec, st, &err, NULL);
    char head[64];
    snprintf(head, sizeof head, "Replanned test #%lld.", (long long)id);
    rc = print_result(&replan_spec, &t, v[R_JSON].set, head, SHOW_PLAN);
    sl_journal_test_clear(&t);
    return rc;
}

static int run_look(int argc, char **argv)
{
    flag_value v[L__COUNT];
    cli_args args;
    int64_t id;
    int rc = cli_parse(&look_spec, argc, argv, v, &args);
    if (rc >= 0 || (rc = parse_id(&look_spec, args.items[0], &id)) >= 0)
        return rc;
    bool typed = v[L_AFTER_TRIALS].set || v[L_AFTER_SUCCESSES].set;
    if (v[L_AFTER_VIDEO].set == typed) {
        cli_error(&look_spec, v[L_AFTER_VIDEO].set
                                  ? "--after-video: give the video or typed counts, not both"
                                  : "missing --after-video ID, or --after-trials N and "
                                    "--after-successes N");
        return EXIT_USAGE;
    }
    if (typed && !(v[L_AFTER_TRIALS].set && v[L_AFTER_SUCCESSES].set)) {
        cli_error(&look_spec, "missing --%s N: typed counts need both trials and successes",
                  v[L_AFTER_TRIALS].set ? "after-successes" : "after-trials");
        return EXIT_USAGE;
    }
    sl_journal_look_input in = {
        .after_video = v[L_AFTER_VIDEO].text,
        .after = {(uint64_t)v[L_AFTER_SUCCESSES].number, (uint64_t)v[L_AFTER_TRIALS].number},
        .at = v[L_AT].text,
    };
    sl_store *store;
    if ((rc = cli_open_store(&look_spec, v[L_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test t;
    sl_error err;
    sl_status st = sl_journal_add_look(store, id, &in, &t, NULL, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&look_spec, st, &err, typed ? "after-trials" : "after-video");
    char head[64];
    snprintf(head, sizeof head, "Look %zu of test #%lld recorded.", t.look_count,
             (long long)id);
    rc = print_result(&look_spec, &t, v[L_JSON].set, head, SHOW_LAST_LOOK);
    sl_journal_test_clear(&t);
    return rc;
}

static int run_close(int argc, char **argv)
{
    flag_value v[C__COUNT];
    cli_args args;
    int64_t id;
    int rc = cli_parse(&close_spec, argc, argv, v, &args);
    if (rc >= 0 || (rc = parse_id(&close_spec, args.items[0], &id)) >= 0)
        return rc;
    sl_journal_outcome outcome = SL_OUTCOME_ABANDONED;
    for (int o = 0; outcomes[o]; o++)
        if (strcmp(v[C_OUTCOME].text, outcomes[o]) == 0)
            outcome = (sl_journal_outcome)o;
    sl_store *store;
    if ((rc = cli_open_store(&close_spec, v[C_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test t;
    sl_error err;
    sl_status st = sl_journal_close(store, id, outcome, v[C_LESSON].text, v[C_AT].text, &t, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&close_spec, st, &err, NULL);
    char head[96];
    snprintf(head, sizeof head, "Closed test #%lld: %s. It is kept as it is.", (long long)id,
             sl_journal_outcome_name(outcome));
    rc = print_result(&close_spec, &t, v[C_JSON].set, head, SHOW_CLOSED);
    sl_journal_test_clear(&t);
    return rc;
}

static int run_list(int argc, char **argv)
{
    flag_value v[S__COUNT];
    int rc = cli_parse(&list_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    if (v[S_OPEN].set && v[S_CLOSED].set) {
        cli_error(&list_spec, "--open and --closed exclude each other; give one or neither");
        return EXIT_USAGE;
    }
    sl_store *store;
    if ((rc = cli_open_store_readonly(&list_spec, v[S_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test *tests;
    size_t count;
    sl_error err;
    sl_status st = sl_journal_list(store,
                                   v[S_OPEN].set     ? SL_JOURNAL_OPEN
                                   : v[S_CLOSED].set ? SL_JOURNAL_CLOSED
                                                     : SL_JOURNAL_ALL,
                                   &tests, &count, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&list_spec, st, &err, NULL);
    if (v[S_JSON].set) {
        rc = cli_print_json(sl_journal_list_to_json(tests, count));
        sl_journal_tests_free(tests, count);
        return rc;
    }
    if (!count)
        printf("No %stests in the journal. Plan one with 'shoplab journal plan'.\n",
               v[S_OPEN].set ? "open " : v[S_CLOSED].set ? "closed " : "");
    for (size_t i = 0; i < count; i++) {
        const sl_journal_test *t = &tests[i];
        char status[64], p[48] = "", buf[256], first[16];
        if (t->closed)
            snprintf(status, sizeof status, "closed (%s)", sl_journal_outcome_name(t->outcome));
        else
            snprintf(status, sizeof status, "open");
        if (t->look_count)
            snprintf(p, sizeof p, ", always-valid\x1fp\x1f%.3g",
                     t->looks[t->look_count - 1].p_always_valid);
        snprintf(buf, sizeof buf, "%s, %s, %s, %s, %zu look%s%s, creator %s", status,
                 metric_label(t->metric), sl_loop_step_name(t->step),
                 sl_change_tag_name(t->tag), t->look_count,
                 t->look_count == 1 ? "" : "s", p, t->creator[0] ? t->creator : "none");
        snprintf(first, sizeof first, "#%-4lld", (long long)t->id);
        cli_wrap(stdout, 6, first, buf);
        cli_wrap(stdout, 6, "", t->change);
    }
    sl_journal_tests_free(tests, count);
    return cli_finish(EXIT_OK);
}

static int run_show(int argc, char **argv)
{
    flag_value v[W__COUNT];
    cli_args args;
    int64_t id;
    int rc = cli_parse(&show_spec, argc, argv, v, &args);
    if (rc >= 0 || (rc = parse_id(&show_spec, args.items[0], &id)) >= 0)
        return rc;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&show_spec, v[W_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test t;
    sl_error err;
    sl_status st = sl_journal_get(store, id, &t, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&show_spec, st, &err, NULL);
    if (v[W_JSON].set) {
        rc = cli_print_json(sl_journal_test_to_json(&t));
    } else {
        print_test(&t);
        rc = cli_finish(EXIT_OK);
    }
    sl_journal_test_clear(&t);
    return rc;
}

/* Writes to PATH through PATH.tmp-XXXXXX and a rename, so a failure leaves
 * no half-written export. */
typedef struct export_output {
    const sl_journal_test *tests;
    size_t count;
    sl_journal_format format;
} export_output;

static sl_status write_export_to(FILE *out, void *ctx)
{
    const export_output *e = ctx;
    return sl_journal_export(e->tests, e->count, e->format, out);
}

static int export_to_path(const char *path, const sl_journal_test *tests, size_t count,
                          sl_journal_format format)
{
    export_output e = {tests, count, format};
    return cli_write_file(&export_spec, path, write_export_to, &e);
}

static int run_export(int argc, char **argv)
{
    flag_value v[E__COUNT];
    int rc = cli_parse(&export_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    const char *name = v[E_FORMAT].set ? v[E_FORMAT].text : "csv";
    sl_journal_format format = strcmp(name, "json") == 0 ? SL_JOURNAL_JSON
                               : strcmp(name, "md") == 0 ? SL_JOURNAL_MARKDOWN
                                                         : SL_JOURNAL_CSV;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&export_spec, v[E_DB].text, &store)) >= 0)
        return rc;
    sl_journal_test *tests;
    size_t count;
    sl_error err;
    sl_status st = sl_journal_list(store, SL_JOURNAL_ALL, &tests, &count, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&export_spec, st, &err, NULL);
    if (v[E_OUTPUT].set) {
        rc = export_to_path(v[E_OUTPUT].text, tests, count, format);
        sl_journal_tests_free(tests, count);
        return rc == EXIT_OK ? cli_finish(EXIT_OK) : rc;
    }
    st = sl_journal_export(tests, count, format, stdout);
    sl_journal_tests_free(tests, count);
    if (st == SL_ERR_NO_MEMORY) {
        cli_fail(&export_spec, "out of memory");
        return EXIT_INTERNAL;
    }
    return cli_finish(EXIT_OK);
}

/* A relative lift as a signed percent, short enough for a table column
 * even when a tiny test made it huge. */
static const char *lift_text(char *buf, double lift)
{
    double pct = lift * 100;
    snprintf(buf, 32, fabs(pct) < 1000 ? "%+.1f%%" : "%+.3g%%", pct);
    return buf;
}

static void print_lesson_group(const sl_lesson_group *g)
{
    char a[32], b[32], c[32], buf[512];
    printf("\n%s%s step, %s, %s%s\n", cli_bold(), sl_loop_step_name(g->step),
           sl_change_tag_label(g->tag), metric_label(g->metric), cli_reset());
    snprintf(buf, sizeof buf, "%zu test%s from %zu creator%s.", g->tests,
             g->tests == 1 ? "" : "s", g->creator_count, g->creator_count == 1 ? "" : "s");
    cli_wrap(stdout, 2, "  ", buf);
    if (g->pooled && g->tau2 > 0)
        snprintf(buf, sizeof buf, "Pooled lift %s (%.0f%%\x1finterval %s to %s); creators "
                 "differ by tau %.3g on the log scale.", lift_text(a, g->lift),
                 SL_LESSONS_LEVEL * 100, lift_text(b, g->low), lift_text(c, g->high),
                 sqrt(g->tau2));
    else if (g->pooled)
        snprintf(buf, sizeof buf, "Pooled lift %s (%.0f%%\x1finterval %s to %s); the "
                 "creators differ no more than chance would make them (tau 0), so each is "
                 "pulled all the way to it.", lift_text(a, g->lift), SL_LESSONS_LEVEL * 100,
                 lift_text(b, g->low), lift_text(c, g->high));
    else
        snprintf(buf, sizeof buf, "Lift %s (%.0f%%\x1finterval %s to %s). One creator: "
                 "nothing to pool across, so this is that creator's own lift.",
                 lift_text(a, g->lift), SL_LESSONS_LEVEL * 100, lift_text(b, g->low),
                 lift_text(c, g->high));
    cli_wrap(stdout, 2, "  ", buf);
    if (!g->pooled)
        return;
    printf("  %-18s %5s %9s %9s  %s\n", "creator", "tests", "own lift", "pooled",
           "pooled interval");
    for (size_t i = 0; i < g->creator_count; i++) {
        const sl_lesson_creator *cr = &g->creators[i];
        const char *name = cr->creator[0] ? cr->creator : "(none)";
        /* A long creator key gets a line of its own rather than being cut. */
        if (strlen(name) > 18) {
            printf("  %s\n", name);
            name = "";
        }
        printf("  %-18s %5zu %9s %9s  %s to %s\n", name, cr->tests, lift_text(a, cr->lift),
               lift_text(b, cr->pooled_lift), lift_text(c, cr->pooled_low),
               lift_text(buf, cr->pooled_high));
    }
}

static int run_lessons(int argc, char **argv)
{
    flag_value v[N__COUNT];
    int rc = cli_parse(&lessons_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&lessons_spec, v[N_DB].text, &store)) >= 0)
        return rc;
    sl_lessons *l;
    sl_error err;
    sl_status st = sl_lessons_read(store, &l, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return report_error(&lessons_spec, st, &err, NULL);
    if (v[N_JSON].set) {
        rc = cli_print_json(sl_lessons_to_json(l));
        sl_lessons_free(l);
        return rc;
    }
    char buf[256];
    if (!l->tests_used) {
        cli_wrap(stdout, 0, "", "No closed tests with a look yet: lessons come from closed "
                 "tests. Close one with 'shoplab journal close'.");
    } else {
        snprintf(buf, sizeof buf, "Lessons from %zu closed test%s in %zu group%s (step, change "
                 "tag, metric).", l->tests_used, l->tests_used == 1 ? "" : "s",
                 l->group_count, l->group_count == 1 ? "" : "s");
        cli_wrap(stdout, 0, "", buf);
        if (l->tests_skipped) {
            snprintf(buf, sizeof buf, "%zu closed test%s without a look %s left out.",
                     l->tests_skipped, l->tests_skipped == 1 ? "" : "s",
                     l->tests_skipped == 1 ? "is" : "are");
            cli_wrap(stdout, 0, "", buf);
        }
        for (size_t i = 0; i < l->group_count; i++)
            print_lesson_group(&l->groups[i]);
        printf("\n");
        cli_wrap(stdout, 0, "",
                 "A creator's pooled lift is pulled toward the group's by how little data "
                 "it has. These are what the tests showed together, not a promise: two "
                 "videos are not a randomized experiment.");
    }
    sl_lessons_free(l);
    return cli_finish(EXIT_OK);
}

static const struct {
    const command_spec *spec;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {&plan_spec, run_plan},     {&replan_spec, run_replan}, {&look_spec, run_look},
    {&close_spec, run_close},   {&list_spec, run_list},     {&show_spec, run_show},
    {&export_spec, run_export}, {&lessons_spec, run_lessons},
};

int cmd_journal(int argc, char **argv)
{
    size_t n = sizeof subcommands / sizeof *subcommands;
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "Usage: shoplab journal SUBCOMMAND [flags]\n\n");
        cli_wrap(out, 0, "",
                 "Keep a journal of one-change tests: plan one change with its hypothesis, "
                 "add a look each time you check the after-video, close it with a lesson. "
                 "See docs/journal.md for the rules.");
        fprintf(out, "\nSubcommands:\n");
        for (size_t i = 0; i < n; i++) {
            char first[32];
            snprintf(first, sizeof first, "  %-10s",
                     subcommands[i].spec->name + strlen("journal "));
            cli_wrap(out, 12, first, subcommands[i].spec->summary);
        }
        fprintf(out, "\nRun 'shoplab journal SUBCOMMAND --help' for its flags.\n");
        return argc < 1 ? EXIT_USAGE : cli_finish(EXIT_OK);
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[0], subcommands[i].spec->name + strlen("journal ")) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    cli_error(NULL, "unknown journal subcommand '%s'; try 'shoplab journal --help'", argv[0]);
    return EXIT_USAGE;
}
