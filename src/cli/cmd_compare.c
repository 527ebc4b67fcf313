/*
 * cmd_compare.c — `shoplab compare`: a one-change test between a before-video
 * (A) and an after-video (B), as a report or as JSON.
 */
#include "cli.h"

#include <math.h>
#include <string.h>

enum { F_METRIC, F_A_TRIALS, F_A_SUCCESSES, F_B_TRIALS, F_B_SUCCESSES, F_MDE, F_PLANNED_B, F_TAU2, F_JSON,
       F__COUNT };

static const char *const metrics[] = {"ctr", "ctor", NULL};

static const flag_spec flags[] = {
    [F_METRIC] = {"metric", FLAG_CHOICE, true, "ctr|ctor",
                  "ctr: product clicks out of product impressions; ctor: orders out of product "
                  "clicks",
                  metrics},
    [F_A_TRIALS] = {"a-trials", FLAG_COUNT, true, "N",
                    "video A (before): impressions for ctr, clicks for ctor", NULL},
    [F_A_SUCCESSES] = {"a-successes", FLAG_COUNT, true, "N",
                       "video A (before): clicks for ctr, orders for ctor", NULL},
    [F_B_TRIALS] = {"b-trials", FLAG_COUNT, true, "N", "video B (after), as for A", NULL},
    [F_B_SUCCESSES] = {"b-successes", FLAG_COUNT, true, "N", "video B (after), as for A", NULL},
    [F_MDE] = {"mde", FLAG_LIFT, false, "R",
               "smallest relative change worth detecting, a rise or a drop, default 0.2 (20%)",
               NULL},
    [F_PLANNED_B] = {"planned-b", FLAG_COUNT, false, "N",
                     "video B's sample from your plan (kept as planned); default: sized once "
                     "from video A's counts as given",
                     NULL},
    [F_TAU2] = {"tau2", FLAG_REAL, false, "V",
                "mSPRT mixing variance, fixed before the test; default (rate A x mde)^2", NULL},
    [F_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the report", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec spec = {
    "compare",
    "Compare a before-video (A) with an after-video (B) that differ in one planned change: both "
    "rates with intervals, the difference, the p-value, the chance B is better, an always-valid "
    "p-value that stays honest when you check every day, the sample needed, and a verdict: "
    "b-better, a-better, no-clear-difference or too-early.",
    "Example: shoplab compare --metric ctr --a-trials 10000 --a-successes 312 --b-trials 10000 "
    "--b-successes 365",
    flags,
    0,
    0,
    NULL,
};

static void print_arm(const char *name, sl_arm arm, double rate, sl_interval ci)
{
    char s[32], t[32], r[32], lo[32], hi[32];
    char counts[80];
    snprintf(counts, sizeof counts, "%s / %s", cli_count(s, (double)arm.successes),
             cli_count(t, (double)arm.trials));
    printf("  %-18s %-24s %8s  %s - %s\n", name, counts, cli_percent(r, rate),
           cli_percent(lo, ci.low), cli_percent(hi, ci.high));
}

/* The verdict and its sentence first: that is the answer; the numbers
 * under "Details" are what the sentence explains, under the same plain
 * names the web page uses (p-value, always-valid p, chance B is better,
 * interval). */
static void print_report(const sl_compare_result *r)
{
    char a[32], b[32], c[32];
    bool ctor = r->metric == SL_METRIC_CTOR;
    const char *unit = ctor ? "clicks" : "impressions";
    printf("%sOne-change test%s: %s (%s)\n", cli_bold(), cli_reset(),
           ctor ? "CTOR" : "Product CTR",
           ctor ? "orders / product clicks" : "product clicks / product impressions");
    printf("%sVerdict: %s%s\n", cli_bold(), sl_compare_verdict_name(r->verdict), cli_reset());
    cli_wrap(stdout, 2, "  ", r->verdict_text);
    printf("\n%sDetails%s\n", cli_bold(), cli_reset());
    printf("  %-18s %-24s %8s  %.0f%% interval\n", "", ctor ? "orders / clicks" : "clicks / impr.",
           "rate", (1 - r->alpha) * 100);
    print_arm("video A (before)", r->a, r->rate_a, r->interval_a);
    print_arm("video B (after)", r->b, r->rate_b, r->interval_b);
    printf("  %-18s %+.2f points (%+.2f to %+.2f)", "difference B - A", r->diff * 100,
           r->diff_interval.low * 100, r->diff_interval.high * 100);
    if (r->has_lift)
        printf(", relative %+.1f%%", r->lift * 100);
    printf("\n");
    const char *final = r->planned_sample_reached ? "final: planned sample reached"
                                                  : "final only at the planned sample";
    if (r->p_value > 0)
        printf("  %-18s %.3g (%s; %s)\n", "p-value", r->p_value, r->p_method, final);
    else
        printf("  %-18s below 1e-300 (log10 p = %.1f, %s; %s)\n", "p-value", r->ztest.log10_p,
               r->p_method, final);
    printf("  %-18s %.3g (valid however often you look)\n", "always-valid p", r->msprt_p);
    double shown = r->prob_b_better < 0.0001 ? 0.0001 : r->prob_b_better > 0.9999 ? 0.9999
                                                                                    : r->prob_b_better;
    printf("  %-18s %s%s\n", "chance B is better",
           r->prob_b_better < 0.0001 ? "under " : r->prob_b_better > 0.9999 ? "over " : "",
           cli_percent(a, shown));
    if (r->has_sample_size)
        printf("  %-18s %s %s per video for a %.0f%% change either way\n",
               "sample needed", cli_count(b, (double)r->per_arm_needed), unit, r->mde * 100);
    if (r->fixed_a_feasible)
        printf("  %-18s %s %s in all, %s more (%s)\n", "video B needs",
               cli_count(b, (double)r->b_needed), unit, cli_count(c, (double)r->b_more_needed),
               r->planned_given ? "as planned" : "sized from video A");
    else if (isfinite(r->min_detectable_lift))
        printf("  %-18s video A is too small for a %.0f%% change; smallest detectable: %.0f%%\n",
               "video B needs", r->mde * 100, r->min_detectable_lift * 100);
    printf("  %-18s always-valid p below %.2g at any look, or\n", "verdict rule",
           r->alpha_always_valid);
    printf("  %-18s p-value below %.2g once, at the planned sample\n", "", r->alpha_fixed);
    printf("\n");
    cli_wrap(stdout, 2, "Caution: ", r->caution);
}

int cmd_compare(int argc, char **argv)
{
    flag_value v[F__COUNT];
    int rc = cli_parse(&spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_metric metric = SL_METRIC_CTR; /* the flag's choices are checked by the parser */
    sl_metric_parse(v[F_METRIC].text, &metric);
    sl_arm a = {(uint64_t)v[F_A_SUCCESSES].number, (uint64_t)v[F_A_TRIALS].number};
    sl_arm b = {(uint64_t)v[F_B_SUCCESSES].number, (uint64_t)v[F_B_TRIALS].number};
    sl_compare_options options = {
        .mde = v[F_MDE].set ? v[F_MDE].number : 0,
        .tau2 = v[F_TAU2].set ? v[F_TAU2].number : 0,
        .planned_b = v[F_PLANNED_B].set ? (uint64_t)v[F_PLANNED_B].number : 0,
    };
    if (v[F_TAU2].set && !(options.tau2 > 0)) {
        cli_error(&spec, "--tau2: must be above 0");
        return EXIT_INVALID;
    }
    sl_compare_result result;
    sl_error err;
    sl_status st = sl_compare(metric, a, b, &options, &result, &err);
    if (st != SL_OK) {
        const char *flag = NULL;
        if (err.field && strcmp(err.field, "a") == 0)
            flag = a.trials == 0 ? "a-trials" : "a-successes";
        else if (err.field && strcmp(err.field, "b") == 0)
            flag = b.trials == 0 ? "b-trials" : "b-successes";
        else if (err.field)
            flag = err.field;
        cli_error(&spec, "--%s: %s", flag ? flag : "?", err.message);
        return cli_exit_code(st);
    }
    if (v[F_JSON].set)
        return cli_print_json(sl_compare_to_json(&result));
    print_report(&result);
    return cli_finish(EXIT_OK);
}
