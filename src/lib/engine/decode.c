/*
 * decode.c — the Metrics Decoder: one video's funnel in, one next decision out.
 *
 * The funnel is read in order — attention (views), click-through (Product
 * CTR), conversion (CTOR) — and each step is judged against a baseline with an
 * interval, never against a bare threshold: the platform publishes no
 * thresholds, and creators' counts are small enough that a point estimate
 * alone misleads.  The first weak step is the bottleneck; nothing after it is
 * blamed, because a fix upstream changes who reaches the later steps.
 */
#include "base/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Views swing by orders of magnitude between videos of the same creator, so a
 * video only counts as weak or strong on attention when it is below half or
 * above double the baseline.  Views are not trials, so there is no sampling
 * interval to put around them. */
#define ATTENTION_FACTOR 2.0

/* Below this many product clicks the caution line warns that one order more
 * or less moves CTOR by several points. */
#define SMALL_CLICKS 100

/* Sentences are skipped in brief mode (bulk reports show verdicts only, and
 * formatting them cost more than the statistics). */
#define EXPLAIN(out, ...)                                                       \
    do {                                                                        \
        if (!brief)                                                             \
            snprintf((out)->explanation, sizeof (out)->explanation, __VA_ARGS__); \
    } while (0)
#define NEXT_TEXT(out, ...)                                                          \
    do {                                                                             \
        if (!brief)                                                                  \
            snprintf((out)->next_test_text, sizeof (out)->next_test_text, __VA_ARGS__); \
    } while (0)

typedef struct judgement {
    sl_verdict verdict;
    double band_low, band_high;
} judgement;

/* The rule for one rate against baseline `b` with relevance margin `m`:
 * weak   — the interval lies below b and the rate is more than m below it;
 * strong — the interval lies above b and the rate is more than m above it;
 * typical — significantly off b but within the margin, or the whole
 *           interval inside the band [b(1−m), b(1+m)];
 * too-early — the interval still straddles b and reaches outside the band. */
static judgement judge_rate(double rate, double low, double high, double b, double m)
{
    judgement j = {SL_VERDICT_TOO_EARLY, b * (1 - m), b * (1 + m)};
    if (high < b)
        j.verdict = rate < j.band_low ? SL_VERDICT_WEAK : SL_VERDICT_TYPICAL;
    else if (low > b)
        j.verdict = rate > j.band_high ? SL_VERDICT_STRONG : SL_VERDICT_TYPICAL;
    else if (low >= j.band_low && high <= j.band_high)
        j.verdict = SL_VERDICT_TYPICAL;
    return j;
}

/* The odds "more data" promises are 4 in 5.  The search aims a little
 * higher: the rate read now is itself off the true one, and when the truth
 * sits on the baseline that error shortens the figure, so aiming at 0.8
 * exactly settles 78–79 % of the time (tests/sim); 0.83 keeps the promise. */
#define SETTLE_ODDS 0.83

static double normal_mass(double mean, double sd, double lo, double hi)
{
    if (!(hi > lo))
        return 0;
    if (!(sd > 0))
        return mean >= lo && mean <= hi ? 1 : 0;
    return 0.5 * (erfc(-(hi - mean) / (sd * 1.4142135623730951)) - erfc(-(lo - mean) / (sd * 1.4142135623730951)));
}

/* The chance that the verdict is no longer too-early at N trials in all, if
 * the rate stays at r: the rate then is x/n's successes plus Binomial(N − n,
 * r) over N (normal approximation), and the step is too early while its
 * interval (half-width z·√(b(1−b)/N) near the baseline) still straddles b
 * and reaches outside the band b(1 ± m). */
static double settle_probability(double x, double n, double r, double N, double b, double m,
                                 double z)
{
    double mean = (x + (N - n) * r) / N;
    double sd = sqrt((N - n) * r * (1 - r)) / N;
    double h = z * sqrt(b * (1 - b) / N);
    double straddle = normal_mass(mean, sd, b - h, b + h);
    double in_lo = fmax(b - h, b * (1 - m) + h), in_hi = fmin(b + h, b * (1 + m) - h);
    double inside = normal_mass(mean, sd, in_lo, in_hi);
    return 1 - (straddle - inside);
}

/* The smallest total N ≥ n at which the step would settle with SETTLE_ODDS
 * if its rate is x/n; returns N − n, or 0 if even 2^53 trials would not. */
static uint64_t more_trials_to_settle(double x, double n, double b, double m, double z)
{
    double r = x / n;
    /* Start the search where the usual sample-size formula puts it (the
     * rate must clear the interval's half-width with 80 % odds), then
     * bracket: a few evaluations instead of doubling from n. */
    double gap = fabs(r - b);
    double guess = gap > 0 ? pow((z * sqrt(b * (1 - b)) + 0.8416 * sqrt(r * (1 - r))) / gap, 2)
                           : 4 * n;
    if (!(guess > n) || !isfinite(guess))
        guess = 2 * n;
    /* Whole trial counts throughout, so the bisection always moves. */
    double lo_n = n, hi_n = ceil(fmin(guess, SL_MAX_COUNT));
    if (settle_probability(x, n, r, hi_n, b, m, z) >= SETTLE_ODDS) {
        /* settled already there: walk the lower end down */
        for (double down = ceil(hi_n / 2); down > n; down = ceil(down / 2)) {
            if (settle_probability(x, n, r, down, b, m, z) < SETTLE_ODDS) {
                lo_n = down;
                break;
            }
            hi_n = down;
        }
    } else {
        for (;;) {
            lo_n = hi_n;
            hi_n *= 2;
            if (hi_n > SL_MAX_COUNT)
                return 0;
            if (settle_probability(x, n, r, hi_n, b, m, z) >= SETTLE_ODDS)
                break;
        }
    }
    /* "About N": to 0.2 % (or one trial), on the side that settles; a row
     * of a large report pays a few evaluations, not one per bit of N. */
    while (hi_n - lo_n > fmax(1, hi_n * 0.002)) {
        double mid = floor((lo_n + hi_n) / 2);
        if (mid <= lo_n || mid >= hi_n)
            break;
        if (settle_probability(x, n, r, mid, b, m, z) >= SETTLE_ODDS)
            hi_n = mid;
        else
            lo_n = mid;
    }
    return (uint64_t)(hi_n - n);
}

static const char *percent(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.2f%%", v * 100);
    return buf;
}

static void read_attention(const sl_funnel *f, const sl_baseline *b, bool brief,
                           sl_step_reading *out)
{
    double views;
    out->baseline = b->views;
    out->baseline_source = b->views_source;
    out->band_low = b->views / ATTENTION_FACTOR;
    out->band_high = b->views * ATTENTION_FACTOR;
    if (!sl_funnel_get(f, SL_FIELD_VIEWS, &views)) {
        out->verdict = SL_VERDICT_UNKNOWN;
        EXPLAIN(out, "No views given.");
        return;
    }
    out->observed = views;
    const char *word;
    if (views < out->band_low) {
        out->verdict = SL_VERDICT_WEAK;
        word = "under half of";
    } else if (views > out->band_high) {
        out->verdict = SL_VERDICT_STRONG;
        word = "over double";
    } else {
        out->verdict = SL_VERDICT_TYPICAL;
        word = "between half and double";
    }
    char v[32], base[32];
    EXPLAIN(out, "%s views is %s the baseline of %s views.",
             sl_format_count(v, sizeof v, views), word, sl_format_count(base, sizeof base, b->views));
}

static void read_rate_step(const sl_rate *rate, double baseline, sl_baseline_source source, bool brief,
                           double margin, double z, sl_step_reading *out)
{
    char a[32], c[32], more[32];
    out->has_rate = true;
    out->rate = rate->id;
    out->baseline = baseline;
    out->baseline_source = source;
    out->band_low = baseline * (1 - margin);
    out->band_high = baseline * (1 + margin);
    out->more_field = rate->denominator_field;
    if (!rate->present) {
        out->verdict = SL_VERDICT_UNKNOWN;
        EXPLAIN(out, "No %s: %s cannot be computed.",
                 sl_field_label(rate->denominator_field), sl_rate_label(rate->id));
        return;
    }
    out->observed = rate->value;
    double low = rate->has_interval ? rate->low : rate->value;
    double high = rate->has_interval ? rate->high : rate->value;
    judgement j = judge_rate(rate->value, low, high, baseline, margin);
    out->verdict = j.verdict;
    switch (j.verdict) {
    case SL_VERDICT_WEAK:
        EXPLAIN(out,
                 "%s %s is below the baseline of %s, by more than the %.0f%% margin, even at "
                 "the top of its interval.",
                 sl_rate_label(rate->id), percent(a, sizeof a, rate->value),
                 percent(c, sizeof c, baseline), margin * 100);
        break;
    case SL_VERDICT_STRONG:
        EXPLAIN(out,
                 "%s %s is above the baseline of %s, by more than the %.0f%% margin, even at "
                 "the bottom of its interval.",
                 sl_rate_label(rate->id), percent(a, sizeof a, rate->value),
                 percent(c, sizeof c, baseline), margin * 100);
        break;
    case SL_VERDICT_TYPICAL:
        EXPLAIN(out,
                 "%s %s is within %.0f%% of the baseline of %s.", sl_rate_label(rate->id),
                 percent(a, sizeof a, rate->value), margin * 100, percent(c, sizeof c, baseline));
        break;
    default:
        /* The figure goes into the sentence and the JSON; a brief reading
         * (a bulk report's row) has neither, so it skips the search. */
        if (brief)
            break;
        out->more_needed = more_trials_to_settle(rate->numerator, rate->denominator, baseline,
                                                 margin, z);
        if (out->more_needed)
            EXPLAIN(out,
                     "%s %s could still be above or below the baseline of %s; with about %s "
                     "more %s it would settle 4 times in 5, if the rate is what it is now.",
                     sl_rate_label(rate->id), percent(a, sizeof a, rate->value),
                     percent(c, sizeof c, baseline),
                     sl_format_count(more, sizeof more, (double)out->more_needed),
                     sl_field_label(rate->denominator_field));
        else
            EXPLAIN(out,
                     "%s %s could still be above or below the baseline of %s.",
                     sl_rate_label(rate->id), percent(a, sizeof a, rate->value),
                     percent(c, sizeof c, baseline));
        break;
    }
}

/* Fills every baseline value the caller left empty from the practice
 * references, and records which sources were used. */
static sl_status merge_baseline(const sl_baseline *given, sl_decode_result *out, sl_error *err)
{
    sl_baseline b;
    sl_status st = sl_practice_baseline(&b);
    if (st != SL_OK)
        return sl_fail(err, st, NULL, "the embedded practice references are unreadable");
    if (given) {
        if (given->views_source != SL_BASELINE_NONE) {
            if (!(given->views > 0) || given->views > SL_MAX_COUNT)
                return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "baseline_views",
                               "the baseline views must be a count above 0");
            b.views = given->views, b.views_source = given->views_source;
        }
#define TAKE_RATE(name)                                                                        \
    if (given->name##_source != SL_BASELINE_NONE) {                                             \
        if (!(given->name > 0 && given->name < 1))                                              \
            return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "baseline_" #name,                     \
                           "the baseline " #name " must be a fraction between 0 and 1 "         \
                           "(e.g. 0.04 for 4%%)");                                              \
        b.name = given->name, b.name##_source = given->name##_source;                           \
    }
        TAKE_RATE(product_ctr)
        TAKE_RATE(video_ctr)
        TAKE_RATE(ctor)
#undef TAKE_RATE
    }
    out->baseline = b;
    return SL_OK;
}

/* The source shared by the baselines the steps actually used. */
static void summarise_sources(sl_decode_result *out)
{
    sl_baseline_source common = SL_BASELINE_NONE;
    out->baseline_mixed = false;
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        const sl_step_reading *r = &out->steps[s];
        if (r->verdict == SL_VERDICT_UNKNOWN)
            continue;
        if (common == SL_BASELINE_NONE)
            common = r->baseline_source;
        else if (common != r->baseline_source)
            out->baseline_mixed = true;
    }
    out->baseline_source = out->baseline_mixed ? SL_BASELINE_NONE : common;
}

static bool used_practice(const sl_decode_result *out)
{
    for (int s = 0; s < SL_STEP__COUNT; s++)
        if (out->steps[s].verdict != SL_VERDICT_UNKNOWN &&
            out->steps[s].baseline_source == SL_BASELINE_PRACTICE)
            return true;
    return false;
}

/* The glossary term whose "when it is low" checks belong to a weak step. */
static void attach_term_questions(sl_decode_result *out, sl_step step)
{
    const char *slug = step == SL_STEP_ATTENTION ? "views"
                       : step == SL_STEP_CONVERSION ? "ctor"
                       : out->steps[step].rate == SL_RATE_VIDEO_CTR ? "video-ctr"
                                                                   : "product-ctr";
    const sl_term *term = sl_content_builtin_term(slug);
    if (!term || !term->check_count)
        return;
    out->questions_term = term->slug;
    out->questions = term->checks;
    out->question_count = term->check_count;
}

static void choose_next_test(sl_decode_result *out, bool brief)
{
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        if (out->steps[s].verdict != SL_VERDICT_WEAK)
            continue;
        out->has_bottleneck = true;
        out->bottleneck = (sl_step)s;
        sl_step_checklist((sl_step)s, &out->checklist, &out->checklist_count);
        out->next_test = out->checklist[0];
        attach_term_questions(out, (sl_step)s);
        NEXT_TEXT(out,
                 "Change one thing: %s Hypothesis: %s Keep everything else the same.",
                 out->next_test.change, out->next_test.hypothesis);
        return;
    }
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        const sl_step_reading *r = &out->steps[s];
        if (r->verdict != SL_VERDICT_TOO_EARLY)
            continue;
        char more[32];
        if (r->more_needed)
            NEXT_TEXT(out,
                     "Change nothing yet: %s is too early to read. Wait for about %s more %s, "
                     "then decode again.",
                     sl_step_name(r->step),
                     sl_format_count(more, sizeof more, (double)r->more_needed),
                     sl_field_label(r->more_field));
        else
            NEXT_TEXT(out,
                     "Change nothing yet: %s is too early to read. Wait for more data, then "
                     "decode again.",
                     sl_step_name(r->step));
        return;
    }
    bool any_known = false;
    for (int s = 0; s < SL_STEP__COUNT; s++)
        any_known |= out->steps[s].verdict != SL_VERDICT_UNKNOWN;
    if (!any_known)
        NEXT_TEXT(out,
                 "Enter views, product impressions, product clicks and orders to get a "
                 "reading.");
    else
        NEXT_TEXT(out,
                 "No step is weak against the baseline. Keep what works, post again, and "
                 "change one thing only when a step turns weak.");
}

static void write_caution(sl_decode_result *out)
{
    char *p = out->caution;
    size_t left = sizeof out->caution;
    int n = snprintf(p, left, "These numbers are a signal about one video, not a promise: no "
                              "tool can guarantee views, clicks, orders or earnings.");
    double clicks;
    if (n > 0 && (size_t)n < left && sl_funnel_get(&out->funnel, SL_FIELD_PRODUCT_CLICKS, &clicks) &&
        clicks < SMALL_CLICKS) {
        p += n, left -= (size_t)n;
        n = snprintf(p, left, " With %.0f product clicks, one order more or less moves CTOR a "
                              "lot; do not judge yourself or the product on it.",
                     clicks);
    }
    if (n > 0 && (size_t)n < left && used_practice(out)) {
        p += n, left -= (size_t)n;
        snprintf(p, left, " Baseline: %s; enter your own baseline for a real reading.",
                 sl_practice_label());
    }
}

sl_status sl_decode(const sl_funnel *funnel, const sl_baseline *baseline,
                    const sl_decode_options *options, sl_decode_result *out, sl_error *err)
{
    if (!funnel || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no funnel or result given");
    memset(out, 0, sizeof *out);
    out->confidence = options && options->confidence ? options->confidence : 0.95;
    out->margin = options && options->margin ? options->margin : 0.2;
    unsigned flags = options ? options->validate_flags : 0;
    if (!(out->margin > 0 && out->margin < 1))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "margin",
                       "the margin must be a fraction between 0 and 1, got %g", out->margin);
    out->funnel = *funnel;
    sl_status st = sl_funnel_rates(funnel, flags, out->confidence, out->rates, err);
    if (st != SL_OK)
        return st;
    st = merge_baseline(baseline, out, err);
    if (st != SL_OK)
        return st;

    double z = sl_normal_quantile(1 - (1 - out->confidence) / 2);
    const sl_baseline *b = &out->baseline;
    for (int s = 0; s < SL_STEP__COUNT; s++)
        out->steps[s].step = (sl_step)s;
    bool brief = options && options->brief;
    read_attention(funnel, b, brief, &out->steps[SL_STEP_ATTENTION]);

    /* Product CTR is the click-through rate when impressions are known; video
     * CTR (clicks over views) stands in only when they are not, and says so. */
    const sl_rate *ctr = &out->rates[SL_RATE_PRODUCT_CTR];
    double ctr_base = b->product_ctr;
    sl_baseline_source ctr_source = b->product_ctr_source;
    if (!sl_funnel_has(funnel, SL_FIELD_PRODUCT_IMPRESSIONS) && out->rates[SL_RATE_VIDEO_CTR].present) {
        ctr = &out->rates[SL_RATE_VIDEO_CTR];
        ctr_base = b->video_ctr;
        ctr_source = b->video_ctr_source;
    }
    read_rate_step(ctr, ctr_base, ctr_source, brief, out->margin, z,
                   &out->steps[SL_STEP_CLICK_THROUGH]);
    read_rate_step(&out->rates[SL_RATE_CTOR], b->ctor, b->ctor_source, brief, out->margin, z,
                   &out->steps[SL_STEP_CONVERSION]);

    summarise_sources(out);
    choose_next_test(out, brief);
    if (!brief)
        write_caution(out);
    return SL_OK;
}
