/*
 * cmd_decode.c — `shoplab decode`: one video's counts in, the decoder's
 * reading out, as an 80-column report or as JSON.
 */
#include "cli.h"

#include <string.h>

enum { F_VIEWS, F_IMPRESSIONS, F_CLICKS, F_ORDERS, F_SKU_ORDERS, F_GMV, F_BASE_VIEWS, F_BASE_CTR,
       F_BASE_CTOR, F_CONFIDENCE, F_LENIENT, F_JSON, F__COUNT };

static const flag_spec flags[] = {
    [F_VIEWS] = {"views", FLAG_COUNT, false, "N", "video views", NULL},
    [F_IMPRESSIONS] = {"impressions", FLAG_COUNT, false, "N",
                       "product impressions (times the product card or link was shown)", NULL},
    [F_CLICKS] = {"clicks", FLAG_COUNT, false, "N", "product clicks (taps on the product)", NULL},
    [F_ORDERS] = {"orders", FLAG_COUNT, false, "N", "orders (main orders)", NULL},
    [F_SKU_ORDERS] = {"sku-orders", FLAG_COUNT, false, "N", "SKU orders, for CTOR (SKU orders)",
                      NULL},
    [F_GMV] = {"gmv", FLAG_REAL, false, "X", "GMV in the report's currency, for GPM and AOV",
               NULL},
    [F_BASE_VIEWS] = {"baseline-views", FLAG_COUNT, false, "N",
                      "your usual views per video (e.g. the median of recent videos)", NULL},
    [F_BASE_CTR] = {"baseline-ctr", FLAG_RATE, false, "R",
                    "your usual Product CTR (video CTR when no --impressions), e.g. 0.04 or 4%",
                    NULL},
    [F_BASE_CTOR] = {"baseline-ctor", FLAG_RATE, false, "R", "your usual CTOR, e.g. 0.03 or 3%",
                     NULL},
    [F_CONFIDENCE] = {"confidence", FLAG_RATE, false, "C", "interval level, default 0.95", NULL},
    [F_LENIENT] = {"allow-orders-over-clicks", FLAG_SWITCH, false, NULL,
                   "accept more orders than clicks (orders attributed over days, or without a "
                   "tracked click); CTOR then has no interval",
                   NULL},
    [F_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the report", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec spec = {
    "decode",
    "Read one video's funnel in order (attention, click-through, conversion), judge each step "
    "against a baseline with an interval, name the bottleneck (the first weak step) and one next "
    "test. Without a baseline, labelled practice reference values are used.",
    "Example: shoplab decode --views 8000 --impressions 2400 --clicks 96 --orders 1",
    flags,
    0,
    0,
    NULL,
};

/* The flag a library error is about, for messages that name what to fix. */
static const char *flag_for_field(const char *field)
{
    static const char *const map[][2] = {
        {"views", "views"},
        {"product_impressions", "impressions"},
        {"product_clicks", "clicks"},
        {"orders", "orders"},
        {"sku_orders", "sku-orders"},
        {"gmv", "gmv"},
        {"baseline_views", "baseline-views"},
        {"baseline_product_ctr", "baseline-ctr"},
        {"baseline_video_ctr", "baseline-ctr"},
        {"baseline_ctor", "baseline-ctor"},
        {"confidence", "confidence"},
    };
    for (size_t i = 0; field && i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i][0], field) == 0)
            return map[i][1];
    return NULL;
}

static void print_rates(const sl_decode_result *r)
{
    char v[32], lo[32], hi[32];
    printf("%sRates%s (%.0f%% Wilson intervals, exact next to 1-3 counts)\n", cli_bold(), cli_reset(),
           r->confidence * 100);
    for (int i = 0; i < SL_RATE__COUNT; i++) {
        const sl_rate *rate = &r->rates[i];
        if (!rate->present)
            continue;
        char formula[80];
        snprintf(formula, sizeof formula, "= %s / %s%s", sl_field_label(rate->numerator_field),
                 sl_field_label(rate->denominator_field), rate->id == SL_RATE_GPM ? " x 1000" : "");
        char range[48] = "";
        if (rate->is_proportion) {
            cli_percent(v, rate->value);
            if (rate->has_interval)
                snprintf(range, sizeof range, "%s - %s", cli_percent(lo, rate->low),
                         cli_percent(hi, rate->high));
            else
                snprintf(range, sizeof range, "no interval");
        } else {
            snprintf(v, sizeof v, "%.2f", rate->value);
        }
        printf("  %-18s %8s%s%s\n", sl_rate_label(rate->id), v, range[0] ? "  " : "", range);
        printf("    %s\n", formula);
    }
}

static void print_report(const sl_decode_result *r)
{
    char buf[32];
    printf("%sMetrics Decoder%s: one video, one product\n", cli_bold(), cli_reset());
    if (r->baseline_mixed || r->baseline_source == SL_BASELINE_PRACTICE)
        cli_wrap(stdout, 2, "Baseline: ",
                 r->baseline_mixed ? "your values where given, practice reference values "
                                     "(invented for practice, not benchmarks) for the rest"
                                   : sl_practice_label());
    else
        printf("Baseline: your own values\n");

    printf("\n%sFunnel%s\n", cli_bold(), cli_reset());
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        double v;
        if (!sl_funnel_get(&r->funnel, (sl_field)f, &v))
            continue;
        if (sl_field_is_money((sl_field)f))
            printf("  %-22s %12.2f\n", sl_field_label((sl_field)f), v);
        else
            printf("  %-22s %12s\n", sl_field_label((sl_field)f), cli_count(buf, v));
    }
    printf("\n");
    print_rates(r);

    printf("\n%sSteps%s (in funnel order; the first weak step is the bottleneck)\n", cli_bold(),
           cli_reset());
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        const sl_step_reading *st = &r->steps[s];
        printf("  %-14s %s%s%s\n", sl_step_name(st->step), cli_verdict_color(st->verdict),
               sl_verdict_name(st->verdict), cli_reset());
        cli_wrap(stdout, 4, "", st->explanation);
    }
    printf("\n");
    printf("%sBottleneck:%s %s\n", cli_bold(), cli_reset(),
           r->has_bottleneck ? sl_step_name(r->bottleneck) : "none");
    if (r->question_count) {
        printf("%sCheck first%s (from 'shoplab define %s'):\n", cli_bold(), cli_reset(),
               r->questions_term);
        for (size_t i = 0; i < r->question_count; i++)
            cli_wrap(stdout, 4, "  - ", r->questions[i]);
    }
    cli_wrap(stdout, 2, "Next test: ", r->next_test_text);
    cli_wrap(stdout, 2, "Caution: ", r->caution);
}

int cmd_decode(int argc, char **argv)
{
    flag_value v[F__COUNT];
    int rc = cli_parse(&spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;

    static const struct { int flag; sl_field field; } inputs[] = {
        {F_VIEWS, SL_FIELD_VIEWS},   {F_IMPRESSIONS, SL_FIELD_PRODUCT_IMPRESSIONS},
        {F_CLICKS, SL_FIELD_PRODUCT_CLICKS}, {F_ORDERS, SL_FIELD_ORDERS},
        {F_SKU_ORDERS, SL_FIELD_SKU_ORDERS}, {F_GMV, SL_FIELD_GMV},
    };
    sl_funnel funnel = {0};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
        if (v[inputs[i].flag].set)
            sl_funnel_set(&funnel, inputs[i].field, v[inputs[i].flag].number);
    if (!(funnel.present & ((1u << SL_FIELD_VIEWS) | (1u << SL_FIELD_PRODUCT_IMPRESSIONS) |
                            (1u << SL_FIELD_PRODUCT_CLICKS) | (1u << SL_FIELD_ORDERS)))) {
        cli_error(&spec, "give at least one of --views, --impressions, --clicks, --orders");
        return EXIT_USAGE;
    }

    sl_baseline baseline = {0};
    if (v[F_BASE_VIEWS].set)
        baseline.views = v[F_BASE_VIEWS].number, baseline.views_source = SL_BASELINE_USER;
    if (v[F_BASE_CTR].set) {
        /* The click-through step reads Product CTR when impressions are
         * known, video CTR otherwise: the typed baseline is for that rate. */
        if (v[F_IMPRESSIONS].set || !v[F_VIEWS].set)
            baseline.product_ctr = v[F_BASE_CTR].number,
            baseline.product_ctr_source = SL_BASELINE_USER;
        else
            baseline.video_ctr = v[F_BASE_CTR].number,
            baseline.video_ctr_source = SL_BASELINE_USER;
    }
    if (v[F_BASE_CTOR].set)
        baseline.ctor = v[F_BASE_CTOR].number, baseline.ctor_source = SL_BASELINE_USER;

    sl_decode_options options = {
        .confidence = v[F_CONFIDENCE].set ? v[F_CONFIDENCE].number : 0.95,
        .validate_flags = v[F_LENIENT].set ? SL_VALIDATE_ALLOW_ORDERS_OVER_CLICKS : 0,
    };
    sl_decode_result result;
    sl_error err;
    sl_status st = sl_decode(&funnel, &baseline, &options, &result, &err);
    if (st != SL_OK) {
        const char *flag = flag_for_field(err.field);
        if (flag)
            cli_error(&spec, "--%s: %s", flag, err.message);
        else
            cli_error(&spec, "%s", err.message);
        return cli_exit_code(st);
    }
    if (v[F_JSON].set)
        return cli_print_json(sl_decode_to_json(&result));
    print_report(&result);
    return cli_finish(EXIT_OK);
}
