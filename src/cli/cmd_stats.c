/*
 * cmd_stats.c — `shoplab stats …`: each statistic on its own, for scripts and
 * for checking ShopLab against other tools.  --json prints one object.
 */
#include "cli.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

static const char *const methods[] = {"wilson", "jeffreys", "exact", "wilson-small", NULL};

static const flag_spec interval_flags[] = {
    {"method", FLAG_CHOICE, true, "wilson|jeffreys|exact|wilson-small",
     "wilson (score), jeffreys (Beta(1/2,1/2)), exact (Clopper-Pearson), wilson-small (Wilson "
     "with exact Poisson bounds next to 1-3 successes or failures: ShopLab's default)",
     methods},
    {"successes", FLAG_COUNT, true, "K", "successes, e.g. product clicks", NULL},
    {"trials", FLAG_COUNT, true, "N", "trials, e.g. product impressions", NULL},
    {"confidence", FLAG_RATE, false, "C", "interval level, default 0.95", NULL},
    {"json", FLAG_SWITCH, false, NULL, "print {\"low\":…,\"high\":…}", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

#define TWO_ARM_FLAGS                                                                            \
    {"a-successes", FLAG_COUNT, true, "K", "successes of A (before)", NULL},                     \
    {"a-trials", FLAG_COUNT, true, "N", "trials of A (before)", NULL},                          \
    {"b-successes", FLAG_COUNT, true, "K", "successes of B (after)", NULL},                      \
    {"b-trials", FLAG_COUNT, true, "N", "trials of B (after)", NULL}

static const flag_spec two_arm_flags[] = {
    TWO_ARM_FLAGS,
    {"json", FLAG_SWITCH, false, NULL, "print JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const flag_spec msprt_flags[] = {
    TWO_ARM_FLAGS,
    {"tau2", FLAG_REAL, false, "V",
     "mixing variance on the absolute difference, fixed before the test; default (rate A x "
     "0.2)^2",
     NULL},
    {"json", FLAG_SWITCH, false, NULL, "print JSON", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const flag_spec sample_flags[] = {
    {"baseline", FLAG_RATE, true, "R", "the current rate, e.g. 0.03 or 3%", NULL},
    {"lift", FLAG_SIGNED_LIFT, true, "R",
     "relative change to detect, a rise (0.2 or 20%) or a drop (-10%)", NULL},
    {"alpha", FLAG_RATE, false, "A", "two-sided significance level, default 0.05", NULL},
    {"power", FLAG_RATE, false, "P", "power, default 0.8", NULL},
    {"json", FLAG_SWITCH, false, NULL, "print {\"per_arm\":N}", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec interval_spec = {
    "stats interval", "Two-sided interval for one proportion (successes out of trials).", NULL,
    interval_flags, 0, 0, NULL};
static const command_spec ztest_spec = {
    "stats ztest",
    "Pooled two-proportion z-test, two-sided, without continuity correction.", NULL,
    two_arm_flags, 0, 0, NULL};
static const command_spec fisher_spec = {
    "stats fisher",
    "Two-sided Fisher exact test (R's convention), for up to 1,000,000 trials in all.", NULL,
    two_arm_flags, 0, 0, NULL};
static const command_spec bayes_spec = {
    "stats bayes",
    "Probability that B's rate is higher than A's, with uniform Beta(1,1) priors, computed "
    "exactly (normal approximation above 10 million terms).",
    NULL, two_arm_flags, 0, 0, NULL};
static const command_spec msprt_spec = {
    "stats msprt",
    "Always-valid p-value (mixture sequential probability ratio test) for one look.", NULL,
    msprt_flags, 0, 0, NULL};
static const command_spec sample_spec = {
    "stats sample-size",
    "Trials needed per video (equal sizes) to detect a relative lift, two-sided.", NULL,
    sample_flags, 0, 0, NULL};

static const command_spec *const subcommands[] = {&interval_spec, &ztest_spec, &fisher_spec,
                                                  &bayes_spec,    &msprt_spec, &sample_spec};

static int print_object(json_t *obj)
{
    char *text = json_dumps(obj, JSON_REAL_PRECISION(15));
    json_decref(obj);
    return cli_print_json(text);
}

static int arm_error(const command_spec *cmd, sl_status st, const char *arm)
{
    if (st == SL_ERR_SUCCESSES_EXCEED_TRIALS)
        cli_error(cmd, "--%s-successes: successes exceed trials; successes can never be more "
                       "than trials",
                  arm);
    else if (st == SL_ERR_NO_DATA)
        cli_error(cmd, "--%s-trials: 0 trials: there is no data to compute from", arm);
    else
        cli_error(cmd, "%s", sl_strerror(st));
    return cli_exit_code(st);
}

static int run_interval(flag_value *v)
{
    sl_interval_method m = strcmp(v[0].text, "wilson") == 0         ? SL_INTERVAL_WILSON
                           : strcmp(v[0].text, "jeffreys") == 0     ? SL_INTERVAL_JEFFREYS
                           : strcmp(v[0].text, "wilson-small") == 0 ? SL_INTERVAL_WILSON_SMALL
                                                                    : SL_INTERVAL_EXACT;
    sl_arm arm = {(uint64_t)v[1].number, (uint64_t)v[2].number};
    double confidence = v[3].set ? v[3].number : 0.95;
    sl_interval ci;
    sl_status st = sl_interval_compute(m, arm, confidence, &ci);
    if (st == SL_ERR_SUCCESSES_EXCEED_TRIALS) {
        cli_error(&interval_spec, "--successes: successes exceed trials; successes can never "
                                  "be more than trials");
        return cli_exit_code(st);
    }
    if (st == SL_ERR_NO_DATA) {
        cli_error(&interval_spec, "--trials: 0 trials: the rate and its interval are undefined");
        return cli_exit_code(st);
    }
    if (st != SL_OK) {
        cli_error(&interval_spec, "%s", sl_strerror(st));
        return cli_exit_code(st);
    }
    if (v[4].set)
        return print_object(json_pack("{s:f,s:f}", "low", ci.low, "high", ci.high));
    printf("%s %.4g%% interval: %.10g to %.10g\n", sl_interval_method_name(m), confidence * 100,
           ci.low, ci.high);
    return cli_finish(EXIT_OK);
}

static int run_two_arm(const command_spec *cmd, flag_value *v)
{
    sl_arm a = {(uint64_t)v[0].number, (uint64_t)v[1].number};
    sl_arm b = {(uint64_t)v[2].number, (uint64_t)v[3].number};
    bool json = v[cmd == &msprt_spec ? 5 : 4].set;
    if (a.successes > a.trials)
        return arm_error(cmd, SL_ERR_SUCCESSES_EXCEED_TRIALS, "a");
    if (b.successes > b.trials)
        return arm_error(cmd, SL_ERR_SUCCESSES_EXCEED_TRIALS, "b");
    if (a.trials == 0)
        return arm_error(cmd, SL_ERR_NO_DATA, "a");
    if (b.trials == 0)
        return arm_error(cmd, SL_ERR_NO_DATA, "b");

    if (cmd == &ztest_spec) {
        sl_ztest_result z;
        sl_status st = sl_ztest(a, b, &z);
        if (st != SL_OK)
            return arm_error(cmd, st, "a");
        if (json)
            return print_object(json_pack("{s:f,s:o,s:f}", "p_value", z.p_value, "z",
                                          z.z_defined ? json_real(z.z) : json_null(), "log10_p",
                                          z.log10_p));
        printf("two-sided p = %.10g (z = %.10g, log10 p = %.10g)\n", z.p_value,
               z.z_defined ? z.z : 0.0, z.log10_p);
    } else if (cmd == &fisher_spec) {
        double p;
        sl_status st = sl_fisher_exact(a, b, &p);
        if (st == SL_ERR_TOO_LARGE_FOR_METHOD) {
            cli_error(cmd, "Fisher's exact test is computed for up to %u trials in all; use "
                           "'shoplab stats ztest' at this size",
                      SL_FISHER_MAX_TRIALS);
            return cli_exit_code(st);
        }
        if (st != SL_OK)
            return arm_error(cmd, st, "a");
        if (json)
            return print_object(json_pack("{s:f}", "p_value", p));
        printf("two-sided Fisher exact p = %.10g\n", p);
    } else if (cmd == &bayes_spec) {
        double prob;
        bool exact;
        sl_status st = sl_prob_b_better(a, b, &prob, &exact);
        if (st != SL_OK)
            return arm_error(cmd, st, "a");
        if (json)
            return print_object(json_pack("{s:f,s:s}", "prob_b_better", prob, "method",
                                          exact ? "exact" : "normal-approximation"));
        printf("P(B better than A) = %.10g (%s)\n", prob, exact ? "exact" : "normal approximation");
    } else {
        double tau2 = v[4].set ? v[4].number : 0;
        if (!v[4].set) {
            double rate_a = (double)a.successes / (double)a.trials;
            double pooled = (double)(a.successes + b.successes) / (double)(a.trials + b.trials);
            double base = rate_a > 0 ? rate_a : pooled > 0 ? pooled : 1.0 / (double)a.trials;
            tau2 = pow(base * 0.2, 2);
        }
        if (!(tau2 > 0)) {
            cli_error(cmd, "--tau2: must be above 0");
            return EXIT_INVALID;
        }
        double p, log_lambda;
        sl_status st = sl_msprt(a, b, tau2, &p, &log_lambda);
        if (st != SL_OK)
            return arm_error(cmd, st, "a");
        if (json)
            return print_object(json_pack("{s:f,s:f,s:f}", "p_value", p, "log_lambda",
                                          log_lambda, "tau2", tau2));
        printf("always-valid p = %.10g (ln lambda = %.10g, tau2 = %.10g)\n", p, log_lambda, tau2);
    }
    return cli_finish(EXIT_OK);
}

static int run_sample_size(flag_value *v)
{
    double alpha = v[2].set ? v[2].number : 0.05, power = v[3].set ? v[3].number : 0.8;
    uint64_t n;
    double real;
    sl_status st = sl_sample_size(v[0].number, v[1].number, alpha, power, &n, &real);
    if (st != SL_OK) {
        double target = v[0].number * (1 + v[1].number);
        if (target >= 1)
            cli_error(&sample_spec, "--lift: the target rate baseline x (1 + lift) = %g must "
                                    "stay below 1", target);
        else
            cli_error(&sample_spec, "%s", sl_strerror(st));
        return cli_exit_code(st);
    }
    if (v[4].set)
        return print_object(json_pack("{s:I,s:f}", "per_arm", (json_int_t)n, "per_arm_real", real));
    char buf[32];
    printf("%s trials per video (%.6f before rounding up)\n", cli_count(buf, (double)n), real);
    return cli_finish(EXIT_OK);
}

int cmd_stats(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "Usage: shoplab stats SUBCOMMAND [flags]\n\nSubcommands:\n");
        for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++) {
            char first[32];
            snprintf(first, sizeof first, "  %-16s", subcommands[i]->name + strlen("stats "));
            cli_wrap(out, 18, first, subcommands[i]->summary);
        }
        fprintf(out, "\nRun 'shoplab stats SUBCOMMAND --help' for its flags.\n");
        return argc < 1 ? EXIT_USAGE : cli_finish(EXIT_OK);
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++) {
        const command_spec *cmd = subcommands[i];
        if (strcmp(argv[0], cmd->name + strlen("stats ")) != 0)
            continue;
        flag_value v[8];
        int rc = cli_parse(cmd, argc - 1, argv + 1, v, NULL);
        if (rc >= 0)
            return rc;
        if (cmd == &interval_spec)
            return run_interval(v);
        if (cmd == &sample_spec)
            return run_sample_size(v);
        return run_two_arm(cmd, v);
    }
    cli_error(NULL, "unknown stats subcommand '%s'; try 'shoplab stats --help'", argv[0]);
    return EXIT_USAGE;
}
