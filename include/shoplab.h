/*
 * shoplab.h — the one public header of libshoplab: the whole contract.
 *
 * ShopLab reads the numbers of shoppable videos and LIVEs (views, product
 * impressions, product clicks, orders, GMV) and turns them into one next
 * decision: which funnel step is weak, how sure we are, and which single change
 * to test next. Everything the CLI and the web server do goes through this
 * header; nothing else in the library is public.
 *
 * Conventions that hold for every function below:
 *
 *   Errors     Every fallible function returns an sl_status. SL_OK is 0; the
 *              other values are stable and never renumbered (the CLI's exit
 *              codes and the JSON error codes are derived from them).  When a
 *              function takes an `sl_error *err`, it may be NULL; if not NULL it
 *              is filled on failure with the code, the field or flag concerned
 *              and a full sentence saying what is wrong and what to do.
 *
 *   Ownership  Output structs are caller-owned and filled in place; they hold
 *              no heap memory unless their comment says so.  Strings inside
 *              results (names, labels, checklist text) point into static,
 *              read-only storage of the library and stay valid for the life of
 *              the process: never free them.  A function that returns heap
 *              memory says so and names its destructor; destructors accept NULL.
 *
 *   Absence    A value that cannot be computed (zero or absent denominator,
 *              zero trials) is *absent*: its `present` flag is false.  The
 *              library never reports NaN or a made-up 0 for it.
 *
 *   Counts     Counts are whole numbers 0 ≤ n ≤ SL_MAX_COUNT (2^53, the largest
 *              range in which every integer is exact in a double).  Rates are
 *              fractions (0.0123 means 1.23 %).
 *
 *   Threads    All functions are reentrant: no global mutable state.
 */
#ifndef SHOPLAB_H
#define SHOPLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SL_VERSION "0.1.0"

/* Largest count accepted anywhere: 2^53. Above it a double no longer holds
 * every integer, so rates and sums would silently round. */
#define SL_MAX_COUNT 9007199254740992.0

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Stable, numbered status codes.  Append new codes at the end; never reuse or
 * renumber one (scripts and the CLI's exit codes depend on them). */
typedef enum sl_status {
    SL_OK = 0,
    SL_ERR_INVALID_ARGUMENT = 1,   /* caller error: NULL pointer, option out of range */
    SL_ERR_NEGATIVE_COUNT = 2,     /* a count or amount below zero */
    SL_ERR_NOT_WHOLE = 3,          /* a count with a fractional part */
    SL_ERR_COUNT_TOO_LARGE = 4,    /* a count above SL_MAX_COUNT */
    SL_ERR_SUCCESSES_EXCEED_TRIALS = 5, /* e.g. clicks > impressions */
    SL_ERR_INCONSISTENT_FUNNEL = 6,/* funnel fields contradict each other */
    SL_ERR_NO_DATA = 7,            /* zero trials: the quantity is undefined */
    SL_ERR_INFEASIBLE = 8,         /* sample size: no amount of data suffices */
    SL_ERR_TOO_LARGE_FOR_METHOD = 9, /* e.g. Fisher exact above its size cap */
    SL_ERR_NO_MEMORY = 10,
    SL_ERR_IO = 11,
    SL_ERR_PARSE = 12,             /* text that is not a valid value */
    SL_ERR_NOT_FOUND = 13,
    SL_ERR_CONTENT = 14,           /* embedded content is malformed (a build bug) */
    SL_ERR_LIMIT = 15,             /* input exceeds a named limit (size, cells, string length) */
    SL_ERR_UNRECOGNISED = 16,      /* a file with no recognisable header / needed columns */
    SL_ERR_READ = 17,              /* an input file cannot be opened or read */
    SL_ERR_STORE = 18,             /* the database failed (corrupt, full disk, read-only) */
    SL_ERR_BUSY = 19,              /* the store is held by another writer past the wait
                                      allowed: try again shortly */
    SL_ERR_UNREACHABLE = 20,       /* the database server cannot be reached (down, or the
                                      connection was lost) */
    SL_ERR_UNAUTHORISED = 21,      /* team mode: a wrong name or password, or no session
                                      (ended, expired, unknown token) */
    SL_ERR_RATE_LIMITED = 22,      /* team mode: too many failed logins for the account
                                      or the address; wait and try again */
    SL_STATUS__COUNT
} sl_status;

/* A static English description of `status`, e.g. "successes exceed trials".
 * Unknown values give "unknown error".  Never NULL. */
const char *sl_strerror(sl_status status);

/* A stable lowercase identifier for `status`, e.g. "successes_exceed_trials",
 * used as the "code" of JSON errors.  Never NULL. */
const char *sl_status_name(sl_status status);

/* What a front end answers for `status` (docs/errors.md): the `shoplab`
 * command's exit code (0 to 9; 1 for an unknown value) and the web app's
 * HTTP status (200 for SL_OK, 4xx for input, 500 for failures, 503 busy). */
int sl_status_exit_code(sl_status status);
int sl_status_http(sl_status status);

/* Details of a failure.  Filled by functions that take an `sl_error *`.
 * `field` names the funnel field, statistic argument or option the error is
 * about (a static string, or NULL).  `message` is a complete sentence.
 * `file`, `row`, `column` and `header` locate parse errors in input files
 * (empty / 0 when not applicable). */
typedef struct sl_error {
    sl_status code;
    const char *field;
    char message[256];
    char file[256];
    uint64_t row;
    uint64_t column;
    char header[128];
} sl_error;

/* Resets `err` to SL_OK with empty strings.  Accepts NULL. */
void sl_error_clear(sl_error *err);

/* ------------------------------------------------------------------------ */
/* Funnel: canonical counts and the rates derived from them                  */
/* ------------------------------------------------------------------------ */

/* Canonical funnel fields, in funnel order.  Counts are whole numbers; GMV,
 * estimated commission and refunds are money amounts in the report's currency. */
typedef enum sl_field {
    SL_FIELD_VIEWS = 0,
    SL_FIELD_PRODUCT_IMPRESSIONS,
    SL_FIELD_PRODUCT_CLICKS,
    SL_FIELD_ORDERS,
    SL_FIELD_SKU_ORDERS,
    SL_FIELD_ITEMS_SOLD,
    SL_FIELD_GMV,
    SL_FIELD_EST_COMMISSION,
    SL_FIELD_REFUNDS,
    SL_FIELD__COUNT
} sl_field;

/* "views", "product_impressions", … (the canonical snake_case name). */
const char *sl_field_name(sl_field field);
/* "views", "product impressions", … (for sentences and tables). */
const char *sl_field_label(sl_field field);
/* True for money fields (GMV, est. commission, refunds), false for counts. */
bool sl_field_is_money(sl_field field);

/* One funnel: any field may be absent.  Set fields with sl_funnel_set so the
 * presence mask stays right; a zeroed struct is an empty funnel. */
typedef struct sl_funnel {
    uint32_t present;                 /* bit (1u << field) set when value[field] holds data */
    double value[SL_FIELD__COUNT];
} sl_funnel;

void sl_funnel_set(sl_funnel *funnel, sl_field field, double value);
bool sl_funnel_has(const sl_funnel *funnel, sl_field field);
/* Returns false (and leaves *value untouched) when the field is absent. */
bool sl_funnel_get(const sl_funnel *funnel, sl_field field, double *value);

/* Leniencies for sl_funnel_validate.  Strict is the default (0). */
enum {
    /* Orders may exceed product clicks: true of creator-level exports where
     * orders are attributed over a 14-day window and include orders without a
     * tracked click.  The CTOR then has no binomial interval. */
    SL_VALIDATE_ALLOW_ORDERS_OVER_CLICKS = 1u << 0
};

/* Checks a funnel: every present count is whole, non-negative and at most
 * SL_MAX_COUNT; money is finite and non-negative; product clicks ≤ product
 * impressions; orders ≤ product clicks (unless the leniency is given).  On
 * failure `err->field` names the field and the message names the rule. */
sl_status sl_funnel_validate(const sl_funnel *funnel, unsigned flags, sl_error *err);

/* Derived rates.  Every rate names its numerator and denominator. */
typedef enum sl_rate_id {
    SL_RATE_PRODUCT_CTR = 0, /* product clicks / product impressions */
    SL_RATE_VIDEO_CTR,       /* product clicks / views */
    SL_RATE_CTOR,            /* orders / product clicks */
    SL_RATE_CTOR_SKU,        /* SKU orders / product clicks */
    SL_RATE_GPM,             /* GMV / views × 1000 (watch GPM) */
    SL_RATE_AOV,             /* GMV / orders */
    SL_RATE__COUNT
} sl_rate_id;

/* "product_ctr", "video_ctr", "ctor", "ctor_sku", "gpm", "aov". */
const char *sl_rate_name(sl_rate_id id);
/* "Product CTR", "Video CTR", "CTOR", "CTOR (SKU orders)", "GPM", "AOV". */
const char *sl_rate_label(sl_rate_id id);

typedef struct sl_rate {
    sl_rate_id id;
    bool present;            /* false when the denominator is zero or absent */
    double value;            /* a fraction for proportions; money for GPM and AOV */
    double numerator;
    double denominator;
    sl_field numerator_field;
    sl_field denominator_field;
    bool is_proportion;      /* successes out of trials: has an interval */
    bool has_interval;       /* false for GPM, AOV, and a proportion above 1 */
    double low, high;        /* Wilson score interval at the requested confidence */
} sl_rate;

/* Computes every rate of `funnel` into out[SL_RATE__COUNT] (indexed by
 * sl_rate_id).  The funnel is validated first with `flags` (see
 * sl_funnel_validate); `confidence` is in (0, 1), e.g. 0.95. */
sl_status sl_funnel_rates(const sl_funnel *funnel, unsigned flags, double confidence,
                          sl_rate out[SL_RATE__COUNT], sl_error *err);

/* ------------------------------------------------------------------------ */
/* Statistics (formulas: docs/statistics.md)                                 */
/* ------------------------------------------------------------------------ */

/* Every statistic below validates its counts first: SL_ERR_COUNT_TOO_LARGE
 * above SL_MAX_COUNT, SL_ERR_SUCCESSES_EXCEED_TRIALS, and SL_ERR_NO_DATA when
 * an arm has zero trials.  Negative counts cannot be expressed in uint64_t;
 * front ends reject them while parsing (SL_ERR_NEGATIVE_COUNT). */

/* One arm of a comparison, or one rate: `successes` out of `trials`
 * (clicks out of impressions for CTR, orders out of clicks for CTOR). */
typedef struct sl_arm {
    uint64_t successes;
    uint64_t trials;
} sl_arm;

typedef struct sl_interval {
    double low;
    double high;
} sl_interval;

typedef enum sl_interval_method {
    SL_INTERVAL_WILSON = 0,   /* score interval, as textbooks give it */
    SL_INTERVAL_JEFFREYS,     /* Beta(x+½, n−x+½) equal-tailed, boundary-fixed */
    SL_INTERVAL_EXACT,        /* Clopper–Pearson */
    SL_INTERVAL_WILSON_SMALL  /* the default everywhere: Wilson, with the bound next to
                                 1–3 successes (or failures) taken from the exact Poisson
                                 limit (Brown, Cai & DasGupta's modification), so that it
                                 keeps its coverage at small counts */
} sl_interval_method;

/* The interval the decoder, the report and compare use. */
#define SL_INTERVAL_DEFAULT SL_INTERVAL_WILSON_SMALL

/* "wilson", "jeffreys", "exact", "wilson-small". */
const char *sl_interval_method_name(sl_interval_method method);

/* Two-sided interval for one proportion at `confidence` ∈ (0, 1).  Bounds are
 * exactly 0 when successes = 0 and exactly 1 when successes = trials.  For the
 * exact and Jeffreys methods with min(x, n−x) ≥ 10^7, where the inversion of
 * the incomplete beta stops being affordable, the Wilson interval is returned
 * (the two differ by under 1e-7 relative there; see docs/statistics.md). */
sl_status sl_interval_compute(sl_interval_method method, sl_arm arm, double confidence,
                              sl_interval *out);

/* Standard normal quantile Φ⁻¹(u) for u ∈ (0, 1) (Wichura AS241). */
double sl_normal_quantile(double u);

/* Pooled two-proportion z-test, two-sided, no continuity correction. */
typedef struct sl_ztest_result {
    bool z_defined;    /* false when both arms are 0 % or both 100 %: p is then 1 */
    double z;          /* (p̂B − p̂A) / SE0 */
    double p_value;    /* erfc(|z|/√2); 0 when it underflows a double */
    double log10_p;    /* log10 of the p-value, finite even where p_value is 0 */
} sl_ztest_result;

sl_status sl_ztest(sl_arm a, sl_arm b, sl_ztest_result *out);

/* Largest total trials (nA + nB) for which the Fisher exact test is computed. */
#define SL_FISHER_MAX_TRIALS 1000000u

/* Two-sided Fisher exact test (R's convention: sum of tables with probability
 * ≤ P(observed)·(1 + 1e-7)).  SL_ERR_TOO_LARGE_FOR_METHOD above
 * SL_FISHER_MAX_TRIALS. */
sl_status sl_fisher_exact(sl_arm a, sl_arm b, double *p_value);

/* Largest number of terms summed exactly for P(B > A); above it the normal
 * approximation of the two Beta posteriors is used. */
#define SL_BAYES_MAX_TERMS 10000000u

/* P(pB > pA) with independent Beta(1, 1) priors.  Exact finite sum up to
 * SL_BAYES_MAX_TERMS terms; `*exact` (may be NULL) says which was used. */
sl_status sl_prob_b_better(sl_arm a, sl_arm b, double *prob, bool *exact);

/* Newcombe hybrid-score interval (method 10) for pB − pA, at `confidence`. */
sl_status sl_diff_interval(sl_arm a, sl_arm b, double confidence, sl_interval *out);

/* mSPRT always-valid p-value for one look: normal mixture with mixing
 * variance `tau2` (> 0) on the absolute difference, pooled variance.
 * `*log_lambda` (may be NULL) receives ln Λ.  p = min(1, 1/Λ). */
sl_status sl_msprt(sl_arm a, sl_arm b, double tau2, double *p_value, double *log_lambda);

/* Holm step-down adjustment of `m` p-values in place (order preserved). */
sl_status sl_holm_adjust(double *p_values, size_t m);

/* Required sample per arm, equal allocation, two-sided `alpha`, `power`
 * (R power.prop.test, strict = FALSE), for baseline rate `baseline` and
 * relative lift `lift` (target = baseline × (1 + lift)).  `*real` (may be
 * NULL) receives the unrounded root.  SL_ERR_INVALID_ARGUMENT when the
 * baseline is 0, the lift is 0, the target lies outside (0, 1), or alpha or
 * power lie outside (0, 1). */
sl_status sl_sample_size(double baseline, double lift, double alpha, double power,
                         uint64_t *per_arm, double *real);

/* The before-video (arm A) is finished with `trials_a` trials: the smallest
 * number of trials on B that reaches `power`.  SL_ERR_INFEASIBLE when no
 * amount on B suffices; `*min_detectable_lift` (may be NULL) then receives
 * the smallest relative lift this A could detect with unlimited B (always
 * filled on SL_OK and SL_ERR_INFEASIBLE). */
sl_status sl_sample_size_fixed_a(uint64_t trials_a, double baseline, double lift, double alpha,
                                 double power, uint64_t *trials_b, double *real,
                                 double *min_detectable_lift);

/* ------------------------------------------------------------------------ */
/* Decoder: one video's funnel → verdict per step, bottleneck, next test    */
/* ------------------------------------------------------------------------ */

typedef enum sl_step {
    SL_STEP_ATTENTION = 0,    /* are enough people seeing the video? (views) */
    SL_STEP_CLICK_THROUGH,    /* do they tap the product? (Product CTR) */
    SL_STEP_CONVERSION,       /* do tappers order? (CTOR) */
    SL_STEP__COUNT
} sl_step;

/* "attention", "click-through", "conversion". */
const char *sl_step_name(sl_step step);

typedef enum sl_verdict {
    SL_VERDICT_UNKNOWN = 0,   /* no data for this step */
    SL_VERDICT_STRONG,
    SL_VERDICT_TYPICAL,
    SL_VERDICT_WEAK,
    SL_VERDICT_TOO_EARLY      /* the interval is too wide to tell */
} sl_verdict;

/* "unknown", "strong", "typical", "weak", "too-early". */
const char *sl_verdict_name(sl_verdict verdict);

/* Where a baseline value came from. */
typedef enum sl_baseline_source {
    SL_BASELINE_NONE = 0,
    SL_BASELINE_USER,         /* typed by the user (--baseline-*) */
    SL_BASELINE_HISTORY,      /* the creator's own median over earlier videos */
    SL_BASELINE_PRACTICE      /* practice reference values: invented, not benchmarks */
} sl_baseline_source;

/* "none", "user", "history", "practice-reference". */
const char *sl_baseline_source_name(sl_baseline_source source);

/* A baseline to read one video against.  Leave a value's source at
 * SL_BASELINE_NONE to let the decoder fill it from the practice references. */
typedef struct sl_baseline {
    double views;               sl_baseline_source views_source;
    double product_ctr;         sl_baseline_source product_ctr_source;
    double video_ctr;           sl_baseline_source video_ctr_source;
    double ctor;                sl_baseline_source ctor_source;
} sl_baseline;

/* The practice reference values embedded from content/practice/reference.txt:
 * invented numbers for practice, labelled as such wherever they are shown. */
sl_status sl_practice_baseline(sl_baseline *out);

/* The label every output carries when practice references were used. */
const char *sl_practice_label(void);

typedef struct sl_decode_options {
    double confidence;          /* interval level in (0, 1); 0 means 0.95 */
    double margin;              /* relevance margin, relative; 0 means 0.2 */
    unsigned validate_flags;    /* SL_VALIDATE_* leniencies */
    bool brief;                 /* verdicts and numbers only: the explanation,
                                   next-test and caution sentences are left
                                   empty, and more_needed is 0 (bulk reports) */
} sl_decode_options;

/* One entry of a step's checklist (content/checklists/STEP.txt). */
typedef struct sl_check_item {
    const char *change;         /* the single change, imperative: "Move the product card…" */
    const char *hypothesis;     /* "If …, then … because …" */
} sl_check_item;

/* The checklist of a step, in priority order.  *items points into static
 * storage.  SL_ERR_CONTENT if the embedded checklist is malformed. */
sl_status sl_step_checklist(sl_step step, const sl_check_item **items, size_t *count);

typedef struct sl_step_reading {
    sl_step step;
    sl_verdict verdict;
    bool has_rate;              /* click-through and conversion: the rate judged */
    sl_rate_id rate;            /* which rate (Product CTR, or video CTR without impressions) */
    double observed;            /* views (attention) or the rate's value */
    double baseline;            /* the baseline compared against */
    sl_baseline_source baseline_source;
    double band_low, band_high; /* the "typical" band around the baseline */
    /* For SL_VERDICT_TOO_EARLY: how many more trials (product impressions, or
     * views when the rate is video CTR, or product clicks) at the current rate
     * would settle the step.  0 when not applicable. */
    uint64_t more_needed;
    sl_field more_field;        /* which count `more_needed` is of */
    char explanation[256];      /* one sentence: why this verdict */
} sl_step_reading;

typedef struct sl_decode_result {
    sl_funnel funnel;
    double confidence;
    double margin;
    sl_rate rates[SL_RATE__COUNT];
    sl_step_reading steps[SL_STEP__COUNT];
    bool has_bottleneck;
    sl_step bottleneck;                  /* the first weak step in funnel order */
    sl_check_item next_test;             /* change + hypothesis (static strings) */
    char next_test_text[512];            /* the next test as one sentence, filled in */
    const sl_check_item *checklist;      /* the bottleneck step's checklist (or NULL) */
    size_t checklist_count;
    /* "Check first": the "when it is low" checklist of the glossary term for
     * the bottleneck's metric (views, Product CTR, video CTR or CTOR), read
     * from the same term file the glossary shows.  NULL when no bottleneck. */
    const char *questions_term;          /* that term's slug */
    const char *const *questions;
    size_t question_count;
    sl_baseline baseline;                /* the baseline actually used */
    sl_baseline_source baseline_source;  /* USER, HISTORY or PRACTICE if all agree, else NONE */
    bool baseline_mixed;                 /* values came from more than one source */
    char caution[512];
} sl_decode_result;

/* Decodes one funnel against `baseline` (NULL: practice references only).
 * Validation errors leave `out` unspecified. */
sl_status sl_decode(const sl_funnel *funnel, const sl_baseline *baseline,
                    const sl_decode_options *options, sl_decode_result *out, sl_error *err);

/* ------------------------------------------------------------------------ */
/* Compare: a one-change test between a before-video (A) and after-video (B) */
/* ------------------------------------------------------------------------ */

typedef enum sl_metric {
    SL_METRIC_CTR = 0,     /* product clicks out of product impressions */
    SL_METRIC_CTOR         /* orders out of product clicks */
} sl_metric;

/* "ctr", "ctor". */
const char *sl_metric_name(sl_metric metric);
/* "ctr" or "ctor" to the metric; false (and *out untouched, so a caller
 * can set its default first) for another word or NULL. */
bool sl_metric_parse(const char *name, sl_metric *out);

/* What a metric is a rate of, in the words every front end uses. */
typedef struct sl_metric_info {
    const char *name;           /* "ctr", "ctor" */
    const char *label;          /* "Product CTR", "CTOR" */
    const char *trials;         /* the denominator: "product impressions", "product clicks" */
    const char *successes;      /* the numerator: "product clicks", "orders" */
    const char *trials_heading; /* the same, capitalised for a heading or a label */
    const char *successes_heading;
    const char *ratio;          /* "product clicks / product impressions" */
    sl_field trials_field, successes_field;
} sl_metric_info;

/* The metric's words and fields (an unknown value gives CTR's). */
const sl_metric_info *sl_metric_rate(sl_metric metric);

typedef enum sl_compare_verdict {
    SL_COMPARE_B_BETTER = 0,
    SL_COMPARE_A_BETTER,
    SL_COMPARE_NO_CLEAR_DIFFERENCE,
    SL_COMPARE_TOO_EARLY
} sl_compare_verdict;

/* "b-better", "a-better", "no-clear-difference", "too-early". */
const char *sl_compare_verdict_name(sl_compare_verdict verdict);

/* The verdict's error budget (docs/statistics.md, "One rule for every
 * look"): alpha is split between the always-valid route, which may stop at
 * any look however often the creator looks, and one fixed-sample test taken
 * once, at the first look that reaches the planned sample.  The two add up
 * to alpha, so the chance of calling a difference that is not there is at
 * most alpha in all. */
#define SL_ALPHA_SHARE_ALWAYS_VALID 0.2   /* of alpha: 0.01 of 0.05 */

typedef struct sl_compare_options {
    double mde;          /* minimum relative change worth detecting, either way; 0 means 0.2 */
    double alpha;        /* 0 means 0.05 */
    double power;        /* 0 means 0.8 */
    double tau2;         /* mSPRT mixing variance; 0 means (rate_A × mde)² */
    /* A plan's sample for video B, fixed when it was planned (the journal);
     * 0: sized here, once, from video A's counts as given. */
    uint64_t planned_b;
    /* Earlier looks of the same test (the journal): the lowest always-valid
     * p so far (0: this look is the only one), and the fixed-sample test's
     * p and difference at the first look that reached the planned sample. */
    double always_valid_p;
    bool has_planned_look;
    double planned_look_p, planned_look_diff;
} sl_compare_options;

typedef struct sl_compare_result {
    sl_metric metric;
    sl_arm a, b;
    double mde, alpha, power, tau2;
    double rate_a, rate_b;
    sl_interval interval_a, interval_b;  /* Wilson at 1 − alpha */
    double diff;                         /* rate_b − rate_a */
    sl_interval diff_interval;           /* Newcombe at 1 − alpha */
    bool has_lift;  double lift;         /* (rate_b − rate_a) / rate_a; absent when rate_a = 0 */
    sl_ztest_result ztest;
    bool has_fisher; double fisher_p;    /* computed when an expected cell count is below 10 */
    double p_value;                      /* the p the verdict uses: Fisher when computed, else z */
    const char *p_method;                /* "fisher" or "z-test" */
    double prob_b_better;  bool prob_exact;
    double msprt_p;                      /* always-valid p for this look */
    /* Sample per arm to detect `mde` (balanced design), and what B still needs
     * given A as it is (fixed-A design). */
    bool has_sample_size;  uint64_t per_arm_needed;
    bool fixed_a_feasible; uint64_t b_needed; uint64_t b_more_needed;
    double min_detectable_lift;          /* with unlimited B, given A */
    bool planned_sample_reached;
    bool planned_given;                  /* b_needed came from the caller's plan */
    double alpha_always_valid;           /* alpha × SL_ALPHA_SHARE_ALWAYS_VALID */
    double alpha_fixed;                  /* the rest, for the one test at the planned sample */
    double always_valid_p;               /* the running minimum the verdict uses */
    const char *decided_by;              /* "always-valid", "planned-sample test", "planned
                                            sample reached", "too little on A", or NULL */
    /* The one fixed-sample test, once taken (at this look or, in the
     * journal, at the first earlier look that reached the planned sample). */
    bool has_planned_look;  double planned_look_p;
    sl_compare_verdict verdict;
    char verdict_text[640];              /* sl_compare_sentence: the verdict in plain words */
    char caution[512];
} sl_compare_result;

sl_status sl_compare(sl_metric metric, sl_arm a, sl_arm b, const sl_compare_options *options,
                     sl_compare_result *out, sl_error *err);

/* The verdict as one sentence that explains the numbers shown beside it:
 * which way the rates lean, whether the gap is bigger than chance would
 * usually make (p-value, chance B is better), and why that is or is not
 * enough yet (the always-valid p against its share of alpha, the planned
 * sample and how many more trials it needs).  This is what makes "too
 * early" beside a small p-value make sense.  sl_compare stores it as
 * verdict_text; the CLI and the web app show it first.  Writes at most
 * `size` bytes (always terminated when size > 0) and returns the length
 * the whole sentence needs, as snprintf does. */
size_t sl_compare_sentence(const sl_compare_result *result, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Content: glossary, guides and drills (files under content/, see its README) */
/* ------------------------------------------------------------------------ */

/* A parsed content tree.  The built-in one is compiled into the binary and
 * parsed once on first use; it lives for the whole process and must not be
 * freed.  Trees loaded from a directory (to check edited content before a
 * build) are owned by the caller and released with sl_content_free.  Every
 * pointer an accessor returns points into the tree and lives as long as it. */
typedef struct sl_content sl_content;

/* The built-in content, or NULL if it cannot be parsed (err says where:
 * file, row = line, header = key).  To keep every command's start cheap,
 * the built-in tree is not cross-checked when it loads (the test suite runs
 * sl_content_validate on it), and its export vocabulary is read on first
 * need, thread-safely. */
const sl_content *sl_content_builtin(sl_error *err);
/* Loads the .txt files of DIR/terms, DIR/guides and DIR/drills and validates
 * them (see sl_content_validate).  On failure *out is NULL. */
sl_status sl_content_load_dir(const char *dir, sl_content **out, sl_error *err);
void sl_content_free(sl_content *content);
/* Cross-checks a tree: every related term and guide exists, aliases are
 * unique across terms, every term has a step, metric formulas use canonical
 * funnel fields, every drill answer is one of its options.  SL_ERR_CONTENT
 * with the file, line and key of the first problem. */
sl_status sl_content_validate(const sl_content *content, sl_error *err);

typedef enum sl_loop_step { SL_LOOP_PICK = 0, SL_LOOP_TAG, SL_LOOP_READ, SL_LOOP__COUNT } sl_loop_step;
/* "pick", "tag", "read". */
const char *sl_loop_step_name(sl_loop_step step);
/* How a page or heading shows the step: "Pick", "Tag", "Read". */
const char *sl_loop_step_label(sl_loop_step step);

typedef enum sl_term_kind {
    SL_TERM_METRIC = 0,   /* a rate ShopLab computes from funnel counts */
    SL_TERM_FIELD,        /* a count or amount reports give */
    SL_TERM_MEASURE,      /* a reported number ShopLab does not compute */
    SL_TERM_CONCEPT       /* a word of the loop */
} sl_term_kind;
/* "metric", "field", "measure", "concept". */
const char *sl_term_kind_name(sl_term_kind kind);

typedef struct sl_alias {
    const char *text;
    const char *lang;          /* "en", "id", "ms", "zh", "es", "pt", "vi", "th" */
} sl_alias;

typedef struct sl_qa {
    const char *question;
    const char *answer;
} sl_qa;

typedef struct sl_term {
    const char *name;
    const char *slug;
    sl_loop_step step;
    sl_term_kind kind;
    const char *field;         /* canonical funnel field (sl_field_name) or NULL */
    const sl_alias *aliases;   size_t alias_count;
    const char *answer;        /* one-sentence direct answer */
    const char *const *explanation; size_t explanation_count;
    const char *formula;       /* metric: "product_clicks / product_impressions"; else NULL */
    const char *formula_text;  /* measure: the formula in words; else NULL */
    const char *denominator;   /* in words, or NULL */
    const char *low;           /* what a low value usually means, or NULL */
    const char *const *checks; size_t check_count;
    const char *const *related; size_t related_count;  /* term slugs */
    const char *const *guides;  size_t guide_count;    /* guide slugs */
    const char *practice;      /* "decoder", "drill:pick", "drill:tag", "drill:read" */
    const sl_qa *qa;           size_t qa_count;
    const char *file;          /* the content file it came from */
} sl_term;

size_t sl_term_count(const sl_content *content);
/* Terms in slug order; NULL past the end. */
const sl_term *sl_term_at(const sl_content *content, size_t index);
/* Resolves a name, slug or alias, ignoring case, spaces, punctuation and
 * accents ("co rate", "CO-Rate" and "Có rate" all find CTOR).  NULL if none. */
const sl_term *sl_term_find(const sl_content *content, const char *text);
/* Up to `max` "did you mean" terms for an unknown word, best first (ranked by
 * edit distance to the closest name or alias, then by shared words).
 * Returns how many were written to out[]. */
size_t sl_term_suggest(const sl_content *content, const char *text, const sl_term **out,
                       size_t max);

typedef enum sl_sameness {
    SL_SAME_MEASURE = 0,  /* one term: the two words are aliases */
    SL_SAME_RELATED,      /* different measures with a named relation */
    SL_SAME_DIFFERENT
} sl_sameness;
/* "same", "related", "different". */
const char *sl_sameness_name(sl_sameness sameness);

typedef struct sl_same_result {
    sl_sameness sameness;
    const sl_term *a, *b;
    char relation[96];     /* e.g. "same numerator, different denominator" */
    char sentence[512];    /* one sentence saying why */
} sl_same_result;

/* Compares two words (names, slugs or aliases).  SL_ERR_NOT_FOUND when
 * either does not resolve (err->field is "a" or "b"). */
sl_status sl_terms_same(const sl_content *content, const char *a, const char *b,
                        sl_same_result *out, sl_error *err);

typedef struct sl_guide {
    const char *title;
    const char *slug;
    sl_loop_step step;
    const char *purpose;
    const char *const *body;   size_t body_count;
    const char *const *next;   size_t next_count;   /* exactly three */
    const char *const *checks; size_t check_count;
    const char *const *avoid;  size_t avoid_count;
    const sl_qa *qa;           size_t qa_count;
    const char *const *terms;  size_t term_count;   /* term slugs */
    const char *drill;         /* "pick", "tag", "read" or "decoder" */
    const char *file;
} sl_guide;

size_t sl_guide_count(const sl_content *content);
const sl_guide *sl_guide_at(const sl_content *content, size_t index);
const sl_guide *sl_guide_find(const sl_content *content, const char *slug);

typedef enum sl_drill_type { SL_DRILL_PICK = 0, SL_DRILL_TAG, SL_DRILL_READ, SL_DRILL__COUNT } sl_drill_type;
/* "pick", "tag", "read". */
const char *sl_drill_type_name(sl_drill_type type);

typedef struct sl_drill_option {
    const char *key;           /* "a", "b", … */
    const char *text;
    const char *why;           /* why this option is right or wrong */
    bool has_step;             /* read drills: the bottleneck the option claims */
    bool step_none;            /* … "none": nothing weak yet, or too early */
    sl_step step;
} sl_drill_option;

typedef struct sl_drill {
    const char *id;
    sl_drill_type type;
    const char *title;
    const char *prompt;
    const char *question;
    sl_funnel funnel;          /* read drills: the mock counts */
    sl_baseline baseline;      /* read drills: given values (sources USER), others NONE */
    const sl_drill_option *options; size_t option_count;
    size_t answer;             /* index into options */
    const char *file;
} sl_drill;

typedef struct sl_drill_set {
    sl_drill_type type;
    const char *title;
    const char *intro;
    const sl_drill *drills;
    size_t drill_count;
} sl_drill_set;

/* The set of one drill type, or NULL if the content has none. */
const sl_drill_set *sl_drill_set_get(const sl_content *content, sl_drill_type type);

/* A session: `count` scenarios of `type` (or of every type, interleaved
 * pick, tag, read, when all_types is true), shuffled deterministically by
 * `seed`.  Writes up to `count` pointers to out[]; returns how many (fewer
 * when there are not enough scenarios). */
size_t sl_drill_session(const sl_content *content, bool all_types, sl_drill_type type,
                        size_t count, uint64_t seed, const sl_drill **out);

/* Most options a drill may have (the content check refuses more). */
#define SL_DRILL_MAX_OPTIONS 8

/* The order a session shows a drill's options in, so the right answer is
 * not where the content file happens to list it (mostly first): writes a
 * permutation of 0 … option_count-1 to order[] (order[shown position] =
 * index into drill->options) and returns option_count; 0 when an argument
 * is NULL or the drill is not one of `content`'s.  Deterministic in
 * (drill, seed): the same seed shows the same order, so an answer can be
 * checked from the seed alone.  Over the drills of one set the right
 * answer's position rotates through the positions from a start the seed
 * picks, so it falls on each position about equally often and answering
 * the same position every time scores about 1 in option_count. */
size_t sl_drill_option_order(const sl_content *content, const sl_drill *drill, uint64_t seed,
                             size_t order[SL_DRILL_MAX_OPTIONS]);

/* ------------------------------------------------------------------------ */
/* Values as exports write them (docs/values.md)                             */
/* ------------------------------------------------------------------------ */

typedef enum sl_value_kind {
    SL_VALUE_ABSENT = 0,   /* "", "-", "--", "#N/A", "N/A": no value, never 0 */
    SL_VALUE_NUMBER,       /* a plain number: a count or an amount without a mark */
    SL_VALUE_MONEY,        /* with a currency mark; `currency` names it */
    SL_VALUE_PERCENT,      /* written with %, stored as a fraction (4.11% → 0.0411) */
    SL_VALUE_DURATION      /* 1m28s, 1h39min, 19s, HH:MM:SS: stored in seconds */
} sl_value_kind;

/* "absent", "number", "money", "percent", "duration". */
const char *sl_value_kind_name(sl_value_kind kind);

typedef struct sl_value {
    sl_value_kind kind;
    double number;          /* the value (fraction for percent, seconds for duration) */
    char currency[4];       /* ISO code: "USD", "IDR", "MYR", "VND", "EUR", "GBP", "CNY",
                               or the 2-3 letter code as written; "" when none */
    bool approximate;       /* a K, M, RB, JT or 万 suffix: the display was rounded */
    bool ambiguous;         /* one separator followed by exactly three digits and no
                               currency to decide ("154.530"): read as a decimal point
                               for "." and as grouping for ","; resolve by column */
} sl_value;

/* Longest value text accepted (cells are short; longer text is an error). */
#define SL_MAX_VALUE_TEXT 128

/* Parses one cell.  `currency_hint` ("IDR", or NULL) is the currency the
 * column's header names, e.g. "Revenue (Rp)"; it decides the separators
 * when the cell carries no mark of its own.  Thousands and decimal
 * separators: the currency decides first (IDR and VND group with "."; USD,
 * MYR and GBP with ","), else the last of "." and "," is the decimal point,
 * else a separator that repeats groups.  SL_ERR_PARSE, with the reason in
 * err->message, for anything else. */
sl_status sl_parse_value(const char *text, const char *currency_hint, sl_value *out,
                         sl_error *err);

/* A duration ("1m28s", "19s", "1h39min", "01:02:03", "48.215388") in seconds. */
sl_status sl_parse_duration(const char *text, double *seconds, sl_error *err);

/* An identifier kept as text: digits only, a trailing ".0" (left by a float
 * round trip) removed.  Scientific notation ("7.2E+18") is refused: its digits
 * are already lost.  `out` must hold at least `size` bytes. */
sl_status sl_parse_id(const char *text, char *out, size_t size, sl_error *err);

/* Numbers a person types (a CLI flag, a web form field): the kinds of
 * sl_parse_number. */
typedef enum sl_number_kind {
    SL_NUMBER_COUNT = 0,    /* whole, 0 ≤ n ≤ SL_MAX_COUNT, exact: "12000", "12,000" */
    SL_NUMBER_AMOUNT,       /* finite, ≥ 0, no percent: "89.70", "$1,234.56", a variance */
    SL_NUMBER_RATE,         /* a fraction in (0, 1): "0.04" or "4%" */
    SL_NUMBER_LIFT,         /* a relative change above 0: "0.2" or "20%" */
    SL_NUMBER_SIGNED_LIFT   /* a rise or a drop: not 0, above -1 ("-10%") */
} sl_number_kind;

/* Reads `text` as the CLI and the web both read a typed number: the text as
 * sl_parse_value reads a cell (surrounding spaces, "4%", "$89.70", "1e3"),
 * but a comma only between groups of three digits ("1,00" is refused) and
 * no rounded display ("1.2K" is refused for a count); then the kind's rule.
 * On success *out is the value (a percent as a fraction).  Errors, each
 * message starting with `label` ("--views", "Views") and quoting the text:
 * SL_ERR_PARSE for text that is not a number of the kind (empty, "lots",
 * "1,00", a percent for a count); SL_ERR_NEGATIVE_COUNT, SL_ERR_NOT_WHOLE,
 * SL_ERR_COUNT_TOO_LARGE (above 2^53, decided on the digits typed, so
 * 9007199254740993 is refused) for a count; SL_ERR_INVALID_ARGUMENT for a
 * rate, lift or amount out of its range.  err->field is left NULL. */
sl_status sl_parse_number(sl_number_kind kind, const char *text, const char *label, double *out,
                          sl_error *err);

/* ------------------------------------------------------------------------ */
/* Records: one normalised row of an export                                  */
/* ------------------------------------------------------------------------ */

/* What a report can group by.  Each is a key column an export may have. */
typedef enum sl_dimension {
    SL_DIM_VIDEO = 0,
    SL_DIM_PRODUCT,
    SL_DIM_LIVE,
    SL_DIM_CREATOR,
    SL_DIM_DAY,
    SL_DIM__COUNT
} sl_dimension;

/* "video", "product", "live", "creator", "day". */
const char *sl_dimension_name(sl_dimension dimension);

#define SL_MAX_ID 64       /* longest key kept: IDs are 19 digits, days 10 characters */
#define SL_MAX_LABEL 192   /* longest title or name kept; longer text is cut at a
                              UTF-8 character boundary */

/* One data row of an export, in canonical fields.  Plain data, no heap. */
typedef struct sl_record {
    uint64_t row;                         /* row number in the file or sheet (1-based,
                                             as a spreadsheet shows it) */
    char key[SL_DIM__COUNT][SL_MAX_ID];   /* "" when the file has no such column */
    char label[SL_MAX_LABEL];             /* video title, product name or creator
                                             nickname; "" when none */
    sl_funnel funnel;                     /* the counts and amounts the row gives */
} sl_record;

/* ------------------------------------------------------------------------ */
/* Reading exports into a report (README "Reading your exports")             */
/* ------------------------------------------------------------------------ */

typedef struct sl_store sl_store;

typedef struct sl_read_options {
    bool group;                 /* group by `by`; false: by the file's most specific
                                   key (video, live, product, creator, day, in that order) */
    sl_dimension by;
    const char *sheet;          /* XLSX sheet name or 1-based number; NULL: the first
                                   sheet with a recognisable header */
    bool strict;                /* the first bad row is an error (else skipped, counted) */
    unsigned threads;           /* CSV bulk path; 0: one per core, at most 8 */
    sl_store *store;            /* store each file as an import; NULL: do not store */
    double confidence;          /* interval level; 0 means 0.95 */
    bool general_path;          /* tests and benchmarks: never the fused bulk loop */
    bool by_channel;            /* one report row per channel band (files split that
                                   way); `group` and `by` are then ignored */
    /* Called now and then with bytes done and the total (from one thread). */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    /* With it, and on the same occasions for a CSV: the data rows read so
     * far by the reporting thread (all of them when `threads` is 1). */
    void (*progress_rows)(void *ctx, uint64_t rows);
    void *progress_ctx;
    /* The name shown and stored for each path (an upload's original file
     * name, say); NULL, or a NULL entry: the path itself. */
    const char *const *names;
    /* The creator (sl_creator id) each stored import belongs to; 0: the
     * file's own creator column when all its rows name one creator key (the
     * creator with that handle, created when there is none yet), else none.
     * A front end acting for a manager or creator account passes one of the
     * creators that account may write (sl_can). */
    int64_t creator_id;
} sl_read_options;

typedef enum sl_column_role {
    SL_COLUMN_EXTRA = 0,        /* kept as an extra, not used (listed with --explain) */
    SL_COLUMN_FIELD,            /* a canonical funnel field, summed */
    SL_COLUMN_RATE,             /* a rate the file gives, shown when its parts are missing */
    SL_COLUMN_KEY,              /* a key a report can group by */
    SL_COLUMN_LABEL             /* a title or name shown next to the key */
} sl_column_role;

/* "extra", "field", "rate", "key", "label". */
const char *sl_column_role_name(sl_column_role role);

/* How a column's cells are read. */
typedef enum sl_parser {
    SL_PARSER_NONE = 0,         /* not read (an extra, or a column given up) */
    SL_PARSER_COUNT,            /* whole counts */
    SL_PARSER_MONEY,            /* amounts of money */
    SL_PARSER_RATE,             /* a rate the file reports */
    SL_PARSER_ID,               /* an ID key */
    SL_PARSER_DAY,              /* a day key */
    SL_PARSER_TIME,             /* a start time (a LIVE's key, with its title) */
    SL_PARSER_TEXT              /* text: a creator's name, a title */
} sl_parser;

/* "none", "count", "money", "rate", "id", "day", "time", "text". */
const char *sl_parser_name(sl_parser parser);

/* How one column of a file was understood. */
typedef struct sl_column {
    uint32_t index;             /* 0-based; column letters are index + 1 */
    char header[128];           /* the header text, trimmed */
    char section[64];           /* the band label above it (two-level headers), or "" */
    sl_column_role role;
    sl_field field;             /* SL_COLUMN_FIELD */
    sl_rate_id rate;            /* SL_COLUMN_RATE */
    sl_dimension dimension;     /* SL_COLUMN_KEY */
    const char *term;           /* the glossary slug the header matched, or NULL */
    sl_parser parser;           /* how its cells are read (sl_parser_name) */
    char currency[4];           /* currency named by the header ("Revenue (Rp)" → IDR) */
    const char *note;           /* for extras: why the column is not used */
    char decimal;               /* '.' or ',': the decimal mark decided from all the
                                   column's cells (and the file's market), or 0 */
    bool percent_units;         /* rates: a bare 4.11 means 4.11 % (else a fraction) */
    bool guessed;               /* mapped by shared words with a known header, not by
                                   the header itself: check it */
    char how[128];              /* how the cells were understood when it took more than
                                   the name: "product clicks / views, as fractions,
                                   checked on 3 rows", "day/month/year from 19 cells" */
    uint64_t bad_cells;         /* cells left out as unreadable (their rows kept) */
} sl_column;

/* A file split into channel bands ("LIVE del vendedor", "Afiliado"…): one
 * channel's share of each count over the whole file.  The "all" band is the
 * file's own totals and never one of these. */
#define SL_MAX_CHANNELS 8
typedef struct sl_channel {
    char name[64];              /* the band label as the file writes it */
    uint32_t present;           /* bit per sl_field the band gives */
    double value[SL_FIELD__COUNT];
} sl_channel;

/* One file read into a report. */
typedef struct sl_source {
    char file[256];
    char format[8];             /* "csv" or "xlsx" */
    /* A CSV file's text encoding: "utf-8", or the one it was converted from
     * ("utf-16le", "utf-16be", "windows-1252"; docs/import.md "Encodings");
     * "" for XLSX. */
    char encoding[16];
    char sheet[128];            /* XLSX sheet name, or "" */
    uint64_t header_row;        /* 1-based */
    uint64_t band_row;          /* section band above the header, or 0 */
    uint64_t description_row;   /* skipped description row, or 0 */
    char period[64];            /* from the preamble: "a ~ b" or one day, or "" */
    char title[160];            /* the first text above the header (the report's
                                   name, or a "practice data" label), or "" */
    sl_column *columns;         size_t column_count;
    uint64_t rows;              /* data rows read */
    uint64_t skipped;           /* bad rows left out */
    uint64_t summary_rows;      /* total, average and percent-change rows left out */
    uint64_t bad_cells;         /* unreadable cells left out (their rows kept) */
    int tables;                 /* header rows found on the sheet (1 for most files) */
    /* The file's own total (a "Total" row, or a summary table above the data)
     * against the sum of its rows: check_row is 0 when the file has none. */
    uint64_t check_row;
    uint32_t check_present;     /* bit per sl_field the total gives */
    double check_total[SL_FIELD__COUNT];
    double check_sum[SL_FIELD__COUNT];
    sl_channel channels[SL_MAX_CHANNELS];
    size_t channel_count;
    char hash[65];              /* SHA-256 of the file, when stored */
    int64_t import_id;          /* the store's import id, or 0 */
    bool already_stored;        /* the same content was imported before: nothing added */
    bool practice;              /* its title says it is practice data (invented numbers) */
    char currency[4];           /* the one currency its money columns name ("BRL"), or ""
                                   when none or several (a stored import keeps it) */
    char creator[SL_MAX_ID];    /* the one creator all its rows belong to, or "" */
    bool several_creators;      /* rows of more than one creator (an agency's file) */
} sl_source;

/* Why a row was skipped (the first few are kept). */
typedef struct sl_row_issue {
    char file[256];
    uint64_t row, column;       /* 1-based */
    char header[128];
    char value[64];
    char message[192];
} sl_row_issue;

#define SL_REPORT_MAX_ISSUES 5

typedef struct sl_report_row {
    char key[SL_MAX_ID];        /* the group's key ("" for the totals) */
    char label[SL_MAX_LABEL];   /* the first title or name seen for it */
    uint64_t source_rows;       /* file rows summed into it */
    sl_funnel funnel;           /* summed counts and amounts */
    uint32_t reported_present;  /* bit (1u << sl_rate_id): the file gave this rate */
    double reported[SL_RATE__COUNT]; /* as reported (a fraction), for a one-row group */
    size_t rank;                /* 1 = first (by GMV, then orders, clicks, views) */
} sl_report_row;

/* How a report's rows read, counted over the whole report before it is
 * filtered or paged (sl_report_count_steps): the summary's "click-through is
 * the weak step in 5 of 8 videos". */
typedef struct sl_report_steps {
    bool counted;
    size_t rows;                  /* rows read: the whole report's */
    size_t weak[SL_STEP__COUNT];  /* rows whose bottleneck (first weak step) is this step */
    size_t too_early;             /* rows with no weak step and a step too early to tell */
    size_t clear;                 /* rows with no weak step and none too early */
} sl_report_steps;

typedef struct sl_report {
    bool grouped;               /* false: one row per file row (the file has no key) */
    sl_dimension by;
    bool by_channel;            /* rows are channel bands (sl_read_options.by_channel) */
    double confidence;
    sl_source *sources;         size_t source_count;
    sl_report_row *rows;        size_t row_count;   /* in rank order */
    sl_report_row totals;
    uint64_t rows_read, rows_skipped;
    sl_row_issue issues[SL_REPORT_MAX_ISSUES];
    size_t issue_count;
    /* Cells that could not be read: each left its field missing, not its row. */
    uint64_t cells_unread;
    sl_row_issue cell_issues[SL_REPORT_MAX_ISSUES];
    size_t cell_issue_count;
    /* Where the rows' baselines come from: false, the report's own other
     * rows; true, groups of the same kind from earlier imports in the store
     * (used when the report has fewer than six rows of its own). */
    bool baseline_stored;
    size_t baseline_groups;     /* groups the medians are taken over */
    /* Sorted per-row values the medians come from (internal). */
    double *sorted[4];          size_t sorted_count[4];
    /* After sl_report_page: `rows` holds one page, rows first_row + 1 … of
     * all_rows in the chosen order (all_rows is 0 for a whole report). */
    size_t all_rows, first_row;
    /* The whole report's readings (sl_report_count_steps; zero until then)
     * and whether sl_report_keep_weak dropped the rows without a weak step. */
    sl_report_steps steps;
    bool weak_only;
} sl_report;

/* Reads `count` export files (CSV or XLSX, "-" for CSV on stdin) into one
 * report.  Errors name the file, row, column and header.  Nothing of a file
 * that fails is stored.  Release with sl_report_free. */
sl_status sl_report_read(const char *const *paths, size_t count,
                         const sl_read_options *options, sl_report **out, sl_error *err);
void sl_report_free(sl_report *report);
/* A deep copy of `report` (its rows, sources and medians), so one report
 * kept in memory can be paged and filtered by many readers, each on a copy.
 * Release with sl_report_free. */
sl_status sl_report_copy(const sl_report *report, sl_report **out, sl_error *err);

/* Orders for a report's rows (sl_report_page). */
typedef enum sl_report_order {
    SL_ORDER_RANK = 0,          /* by rank: GMV, then orders, clicks, views */
    SL_ORDER_KEY,               /* by key, as text */
    SL_ORDER_VIEWS,
    SL_ORDER_IMPRESSIONS,
    SL_ORDER_CLICKS,
    SL_ORDER_ORDERS,
    SL_ORDER_GMV,
    SL_ORDER_PRODUCT_CTR,       /* product clicks / product impressions */
    SL_ORDER_CTOR,              /* orders (SKU orders when given) / product clicks */
    SL_ORDER__COUNT
} sl_report_order;

/* "rank", "key", "views", "impressions", "clicks", "orders", "gmv", "ctr",
 * "ctor"; sl_report_order_parse is the inverse (false for another word). */
const char *sl_report_order_name(sl_report_order order);
bool sl_report_order_parse(const char *name, sl_report_order *out);

/* Keeps one page of a report: sorts its rows by `order` (descending: largest
 * first; a row without the value sorts last either way, ties by rank), then
 * keeps `count` rows from `first` (0-based) and frees the rest.  Totals,
 * ranks, medians and every row's reading stay those of the whole report.
 * A `first` past the end leaves no rows.  SL_ERR_INVALID_ARGUMENT for an
 * unknown order or a report already paged. */
sl_status sl_report_page(sl_report *report, sl_report_order order, bool descending,
                         size_t first, size_t count, sl_error *err);
/* The same page as a new report, leaving `whole` as it is, so one report
 * kept in memory serves many readers (each page costs a sort of row
 * pointers, not a copy of every row).  `whole` must have its readings
 * counted (sl_report_count_steps) and not be paged itself.  Release *out
 * with sl_report_free. */
sl_status sl_report_page_of(const sl_report *whole, sl_report_order order, bool descending,
                            size_t first, size_t count, sl_report **out, sl_error *err);

/* Counts how the report's rows read into report->steps (each row decoded
 * against its baseline; verdicts only).  Does nothing once counted, so
 * sl_report_keep_weak and sl_report_page, which call it before they drop
 * rows, keep the whole report's counts. */
void sl_report_count_steps(sl_report *report);
/* Keeps only the rows whose reading names a weak step (a bottleneck), in
 * their order; counts the steps first.  Call before sl_report_page: the page
 * then cuts the kept rows.  Totals, ranks and medians stay the whole
 * report's.  SL_ERR_INVALID_ARGUMENT on a report already paged;
 * SL_ERR_NO_MEMORY. */
sl_status sl_report_keep_weak(sl_report *report, sl_error *err);
/* The ISO code of the currency the report's money columns name ("BRL"), or
 * "" when no column names one or they disagree. */
const char *sl_report_currency(const sl_report *report);

/* What one report row stands for: "video", "channel", "row"… */
const char *sl_report_key_name(const sl_report *report);

/* The baseline a row is read against: for each of views, Product CTR, video
 * CTR and CTOR, the median over the report's other rows when at least five
 * have it, or (when the report has fewer than six rows and a store was
 * given) over the same kind of groups in earlier imports (source HISTORY);
 * else the practice reference (labelled).  `row` indexes report->rows;
 * SIZE_MAX means the totals. */
void sl_report_baseline(const sl_report *report, size_t row, sl_baseline *out);
/* The decoder's reading of one row (or SIZE_MAX: the totals). */
sl_status sl_report_decode(const sl_report *report, size_t row, sl_decode_result *out,
                           sl_error *err);

/* The report as JSON: {"grouped","by","period","sources":[…],"baseline":…,
 * "rows":[{"key","label","rank","source_rows",<decode shape>}…],"totals":…,
 * "skipped","issues":[…]}.  Heap memory: sl_free.  NULL when out of memory. */
char *sl_report_to_json(const sl_report *report);
/* One CSV line per row (after a header line), then a totals line. */
sl_status sl_report_write_csv(const sl_report *report, FILE *out);

/* Whether a file's rows add up to its own total (source->check_row): true
 * when every field the total gives agrees with the sum of the rows (to a
 * cent, or 0.5 % for a rounded total).  Writes a sentence saying so, with
 * the figures that differ, to `text` when it is not NULL. */
bool sl_report_check_text(const sl_source *source, char *text, size_t size);
/* Writes `text` for HTML, as text or as a quoted attribute value: & < > " '
 * become entities, nothing else changes.  NULL writes nothing.  Every page
 * ShopLab writes (the reports here, the web app's pages) escapes with it. */
void sl_html_escape(FILE *out, const char *text);
/* Writes `text` as one part of a URL (a path segment or a query value):
 * letters, digits and - . _ ~ as they are, every other byte as %XX.  NULL
 * writes nothing.  The report pages' links and the web app's share it. */
void sl_url_escape(FILE *out, const char *text);
/* One self-contained HTML page: an SVG funnel of the totals, a bar chart of
 * the rate per row, the table; every string from the file escaped. */
sl_status sl_report_write_html(const sl_report *report, FILE *out);
/* An SVG funnel (views, product impressions, product clicks, orders; bar
 * widths on a linear scale from 0, so a bar half as long is half as many)
 * labelled `label` (role=img, with a <title>), followed by a sentence giving
 * the counts and the share each step keeps; a missing count is written
 * "FIELD: `missing`".  Strings are escaped. */
void sl_funnel_write_svg(const sl_funnel *funnel, const char *label, const char *missing,
                         FILE *out);
/* The same without the page around it (no <html>, <head> or styles): the
 * sources, the SVG funnel and bar chart, the table and skipped rows, for a
 * page that has its own layout.  Classes used: "chart", "n", "note".  With
 * `row_link` not NULL, every row of a report grouped by video gets a link
 * "plan a test on this video" to row_link followed by the percent-encoded
 * video ID (e.g. "/journal/new?before-video="). */
sl_status sl_report_write_html_body(const sl_report *report, FILE *out, const char *row_link);

/* What a page around the body may add (sl_report_write_html_body_with). */
typedef struct sl_report_html_options {
    /* Each video row links "plan a test on this video" to plan_link followed
     * by "metric=ctr|ctor&before-video=ID" (the metric of the row's weak
     * step; ctr when it has none), e.g. "/journal/new?".  NULL: no link. */
    const char *plan_link;
    /* Column headers become links to sort_link followed by
     * "sort=NAME&dir=asc|desc" (e.g. "/reports/5?by=video&per=100&");
     * `order` and `descending` name the order shown.  NULL: plain headers. */
    const char *sort_link;
    sl_report_order order;
    bool descending;
    /* Where a link to the same report with only the weak rows (or all rows
     * again) goes; NULL: no such link. */
    const char *weak_link, *all_link;
    /* HTML written as it is right after the table (a pager), or NULL. */
    const char *after_table;
} sl_report_html_options;

/* The body as sl_report_write_html_body writes it, with the links of
 * `options` (NULL: none): the sources, summary cards (totals, Product CTR and
 * CTOR with their intervals, the most common weak step over the whole
 * report), the funnel, the table of rows (title first, the reading next to
 * it, numbers after; a data-label on every cell for a card layout), a trend
 * chart when the rows are days, and the notes.  Classes used: "summary",
 * "rows", "reading", "chart", "n", "note". */
sl_status sl_report_write_html_body_with(const sl_report *report, FILE *out,
                                         const sl_report_html_options *options);
/* A line chart of views, Product CTR and CTOR per day, each rate with its
 * interval as a band and the days whose reading changed marked, then the
 * same numbers as a table.  `days` is a report grouped by day (any order;
 * the chart sorts by day).  Writes nothing when it has fewer than two days
 * with views or impressions. */
void sl_report_write_trend(const sl_report *days, FILE *out);

/* ------------------------------------------------------------------------ */
/* Store: imports kept in SQLite or PostgreSQL (docs/store.md)              */
/* ------------------------------------------------------------------------ */

/* The default database path: $SHOPLAB_DB, else $XDG_DATA_HOME/shoplab/shoplab.db,
 * else $HOME/.local/share/shoplab/shoplab.db.  SL_ERR_INVALID_ARGUMENT when
 * none of these variables is set or the path does not fit `size`. */
sl_status sl_store_default_path(char *out, size_t size, sl_error *err);

/* Opens the store `path` names: a PostgreSQL connection URI
 * ("postgresql://…", "postgres://…") or keyword/value string ("service=x",
 * "host=/run/pg dbname=y"; libpq's PG* variables apply), else a SQLite file,
 * created with its directory if needed, in WAL mode.  A value that looks like
 * a URI of another scheme is SL_ERR_INVALID_ARGUMENT, never a file name.
 * The schema is migrated to the current version; a database written by a
 * newer ShopLab (higher schema version) is refused.  Close with
 * sl_store_close.  SL_ERR_STORE with the engine's message on failure,
 * SL_ERR_UNREACHABLE when a PostgreSQL server cannot be reached, and "the
 * store PATH is read-only: …" when this process cannot write a SQLite file
 * or its directory (SQLite keeps the journal there).  A store is one
 * connection: use it from one thread at a time (threads that work at once
 * each open their own, as `serve` does per worker). */
sl_status sl_store_open(const char *path, sl_store **out, sl_error *err);
/* Opens an existing database for reading only, for commands that only read
 * (history, journal list, show, export): nothing is created, migrated or
 * switched to WAL, so a store whose file or directory is read-only (another
 * user's, a read-only mount, a backup) can be read.  Functions that write
 * fail on it with SL_ERR_STORE.  SL_ERR_NOT_FOUND when there is no store
 * (or an empty file) at `path`; SL_ERR_STORE when its schema is older than
 * this ShopLab's (it needs one writable open, sl_store_open, to upgrade) or
 * newer. */
sl_status sl_store_open_readonly(const char *path, sl_store **out, sl_error *err);
void sl_store_close(sl_store *store);
/* How messages name the store: its SQLite path, or "PostgreSQL database
 * NAME on HOST" (never a password). */
const char *sl_store_name(const sl_store *store);
/* How long a write waits for another connection's write to finish before it
 * fails with SL_ERR_BUSY (default 5000 ms).  Reads never wait: in WAL mode
 * they see the last committed state. */
void sl_store_set_busy_timeout(sl_store *store, unsigned milliseconds);

/* One stored import. */
typedef struct sl_import {
    int64_t id;
    char hash[65];          /* SHA-256 of the file's bytes, lowercase hex */
    char file[256];         /* the file name as given */
    char sheet[128];        /* sheet name for XLSX, "" for CSV */
    char period[64];        /* e.g. "2026-09-01 ~ 2026-09-07", or "" */
    uint64_t header_row;
    uint64_t rows;          /* records stored */
    uint64_t skipped;       /* bad rows left out */
    char imported_at[24];   /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
    char title[160];        /* the report's title from the preamble, or "" */
    bool practice;          /* practice data (invented): never anyone's baseline */
    char currency[4];       /* the currency its money columns named ("BRL"), or "" */
    int64_t creator_id;     /* the creator it belongs to (Team section), or 0: none
                               (imported before schema 6, or a file of several
                               creators); only owners see an import of no creator */
    uint32_t fields_given;  /* sl_store_import_begin: bit f for each sl_field the
                               file's rows can hold; the store sends only those
                               and stores the others empty (0: every field).
                               Not stored: 0 when read back */
    uint32_t keys_given;    /* likewise: bit k for each sl_dimension the rows can
                               hold, bit SL_DIM__COUNT for a label (0: all) */
} sl_import;

/* Starts one import (one transaction).  When an import with the same hash
 * is already stored, sets *existing_id to its id, begins nothing and returns
 * SL_OK; otherwise sets *existing_id to 0 and *id to the new import's id.
 * An empty meta->hash begins the import before its content's hash is
 * known (hashing a large file can run beside its import): then commit it
 * with sl_store_import_commit_hashed, which does the duplicate check.
 * Only one import may be open on a store at a time. */
sl_status sl_store_import_begin(sl_store *store, const sl_import *meta, int64_t *id,
                                int64_t *existing_id, sl_error *err);
/* Adds one record to the open import. */
sl_status sl_store_import_add(sl_store *store, const sl_record *record, sl_error *err);
/* Sets the final counts and commits.  Until this returns SL_OK nothing of
 * the import is visible, and a killed process leaves nothing of it. */
sl_status sl_store_import_commit(sl_store *store, uint64_t rows, uint64_t skipped,
                                 sl_error *err);
/* Commits an import begun with an empty hash, giving it `hash`.  When an
 * import of that content is already stored (or another process stores one
 * meanwhile), this one is rolled back and *existing_id names that import;
 * otherwise *existing_id is 0. */
sl_status sl_store_import_commit_hashed(sl_store *store, const char *hash, uint64_t rows,
                                        uint64_t skipped, int64_t *existing_id, sl_error *err);
/* Rolls the open import back (no-op when none is open). */
void sl_store_import_abort(sl_store *store);

/* Stored imports, newest first.  With `creator` not NULL, only imports that
 * hold at least one record of that creator key.  *out is a heap array of
 * *count items (NULL when 0); release it with sl_free. */
sl_status sl_store_imports(sl_store *store, const char *creator, sl_import **out,
                           size_t *count, sl_error *err);
/* One import by id; SL_ERR_NOT_FOUND when there is none. */
sl_status sl_store_import_get(sl_store *store, int64_t id, sl_import *out, sl_error *err);
/* Removes an import and its records; SL_ERR_NOT_FOUND when there is none. */
sl_status sl_store_forget(sl_store *store, int64_t id, sl_error *err);

/* What sl_store_copy copied. */
typedef struct sl_store_copy_result {
    uint64_t imports, records, tests, looks, drill_answers;
    uint64_t creators, users, audit_entries; /* team mode (sessions are not copied) */
} sl_store_copy_result;

/* Copies everything `from` holds (imports with their rows, journal tests
 * with their looks, drill answers; ids kept) into `to`, which may be of
 * the other engine and must be empty: SL_ERR_INVALID_ARGUMENT naming what
 * it holds otherwise, and nothing is written.  One transaction on `to`;
 * before it commits, the counts of every table and the sums of every count
 * and money column are compared on both sides, and a difference is
 * SL_ERR_STORE with nothing kept.  `out` may be NULL. */
sl_status sl_store_copy(sl_store *from, sl_store *to, sl_store_copy_result *out,
                        sl_error *err);

/* {"imports":[{"id","hash","file","sheet","period","header_row","rows",
 * "skipped","imported_at"},…]}.  Heap memory: sl_free. */
char *sl_imports_to_json(const sl_import *items, size_t count);

/* Calls fn for each record of an import, in row order; a status other than
 * SL_OK from fn stops the walk and is returned. */
typedef sl_status (*sl_record_fn)(void *ctx, const sl_record *record);
sl_status sl_store_records(sl_store *store, int64_t import_id, sl_record_fn fn, void *ctx,
                           sl_error *err);

/* A stored import read back into a report: its records grouped by
 * options->by when options->group is set, else by the most specific key they
 * have; rates, ranks, medians and readings as sl_report_read makes them (the
 * store's other imports give the baseline when the report has fewer than six
 * rows).  The source carries the import's file, sheet, period, header row
 * and counts, but no column list (columns are not stored).  SL_ERR_NOT_FOUND
 * when there is no such import.  Release with sl_report_free. */
sl_status sl_report_from_import(sl_store *store, int64_t import_id,
                                const sl_read_options *options, sl_report **out,
                                sl_error *err);

/* Drill progress (the web app's drills keep it here). */
typedef struct sl_drill_progress {
    uint64_t answered;          /* answers given */
    uint64_t correct;           /* of which right */
    uint64_t scenarios_seen;    /* distinct scenarios answered */
    uint64_t scenarios_solved;  /* distinct scenarios answered right at least once */
} sl_drill_progress;

/* Records one answer to `drill` (`answer` is the option key) by account
 * `user_id` (team mode: each account's own practice), or 0 (solo mode). */
sl_status sl_store_drill_answer(sl_store *store, int64_t user_id, const sl_drill *drill,
                                const char *answer, bool correct, sl_error *err);
/* The answers account `user_id` (0: solo mode's, no account) gave so far
 * to drills of `type`. */
sl_status sl_store_drill_progress(sl_store *store, int64_t user_id, sl_drill_type type,
                                  sl_drill_progress *out, sl_error *err);
/* The summed funnel of one video in the newest import that holds it. */
typedef struct sl_video_counts {
    int64_t import_id;          /* the newest import with rows of the video */
    char imported_at[24];       /* that import's time, UTC */
    char creator[SL_MAX_ID];    /* the rows' creator key; "" when the file has
                                   none or its rows name different creators */
    uint64_t rows;              /* records summed */
    sl_funnel funnel;           /* a field is present when any row gives it */
} sl_video_counts;

/* Sums the records of video `video` in the newest import holding it.
 * SL_ERR_NOT_FOUND (field "video") when no import holds the video. */
sl_status sl_store_video(sl_store *store, const char *video, sl_video_counts *out,
                         sl_error *err);
struct sl_user;
/* sl_store_video, but of the imports `reader` may read (sl_can; NULL: every
 * import): when several imports hold the video, the newest readable one.
 * A video only unreadable imports hold is SL_ERR_NOT_FOUND, as a missing one. */
sl_status sl_store_video_visible(sl_store *store, const char *video,
                                 const struct sl_user *reader, sl_video_counts *out,
                                 sl_error *err);

/* ------------------------------------------------------------------------ */
/* Journal: one-change tests from plan to lesson (docs/journal.md)           */
/* ------------------------------------------------------------------------ */

/* A test is planned (step, the single change, hypothesis, metric, the
 * before-video's counts, the smallest lift worth detecting, an expectation),
 * then looked at as often as the creator likes (each look adds the
 * after-video's counts so far), then closed with an outcome and a lesson.
 *
 * The rules the functions enforce (each refusal is SL_ERR_INVALID_ARGUMENT
 * with `field` naming the rule, unless said otherwise):
 *   - the plan (metric, mde, τ²) is frozen once the first look is taken
 *     (field "frozen");
 *   - τ² = (rate A × mde)² is fixed when planned, so every look's mSPRT p uses
 *     the same mixture and the running minimum stays always-valid;
 *   - looks never go backwards: fewer trials or successes than the previous
 *     look is SL_ERR_INCONSISTENT_FUNNEL (field "after"), and a look is never
 *     earlier than the one before it (field "at");
 *   - a closed test is kept and never edited (field "closed");
 *   - one open test per creator and metric, unless `force` (field "open");
 *     two changes tested at once cannot be told apart.
 * Every function that writes is one transaction: it is stored completely or
 * not at all.  Times are UTC text "YYYY-MM-DDTHH:MM:SSZ". */

typedef enum sl_journal_outcome {
    SL_OUTCOME_B_BETTER = 0,
    SL_OUTCOME_A_BETTER,
    SL_OUTCOME_NO_CLEAR_DIFFERENCE,
    SL_OUTCOME_ABANDONED
} sl_journal_outcome;

/* "b-better", "a-better", "no-clear-difference", "abandoned". */
const char *sl_journal_outcome_name(sl_journal_outcome outcome);
/* How a page shows it: "B (after) is better", "A (before) is better", "No
 * clear difference", "Abandoned". */
const char *sl_journal_outcome_label(sl_journal_outcome outcome);

/* What a test changed, from a closed list, so tests of the same kind of
 * change can be read together across creators (sl_lessons_compute).  The
 * zero value is "other", so a plan that gives no tag gets it. */
typedef enum sl_change_tag {
    SL_TAG_OTHER = 0,           /* "other": none of the below */
    SL_TAG_CARD_TIMING,         /* "card-timing": when the product card shows */
    SL_TAG_HOOK,                /* "hook": the first seconds */
    SL_TAG_PROOF_MOMENT,        /* "proof-moment": where the product visibly works */
    SL_TAG_CTA,                 /* "cta": the call to action */
    SL_TAG_PRODUCT,             /* "product": which product is shown */
    SL_TAG_PRICE,               /* "price": price, discount or offer */
    SL_TAG__COUNT
} sl_change_tag;

/* "other", "card-timing", "hook", "proof-moment", "cta", "product", "price";
 * "unknown" for another value. */
const char *sl_change_tag_name(sl_change_tag tag);
/* "other change", "card timing", "hook", "proof moment", "call to action",
 * "product", "price or offer" (for sentences and tables). */
const char *sl_change_tag_label(sl_change_tag tag);
/* A name above to its tag; false (and *out untouched) for another word. */
bool sl_change_tag_parse(const char *name, sl_change_tag *out);
/* A tag guessed from the words of a change sentence (docs/journal.md,
 * "Change tags"): the first of card-timing, hook, proof-moment, cta, price,
 * product whose words occur in it, else other.  NULL gives other. */
sl_change_tag sl_change_tag_suggest(const char *change);

/* Longest text kept for a change, hypothesis, expectation or lesson, in bytes.
 * Text must be valid UTF-8 without control characters (it is shown on
 * terminals and in exported files). */
#define SL_JOURNAL_MAX_TEXT 600

typedef struct sl_journal_look {
    uint32_t seq;               /* 1-based, in the order taken */
    char taken_at[24];
    char after_video[SL_MAX_ID]; /* "" for typed counts */
    int64_t after_import;       /* the import the counts came from, or 0 */
    sl_arm after;               /* video B's counts so far (cumulative) */
    double p_look;              /* mSPRT p of this look with the plan's τ² */
    double p_always_valid;      /* the minimum of p_look over looks 1..seq */
} sl_journal_look;

typedef struct sl_journal_test {
    int64_t id;
    char creator[SL_MAX_ID];    /* "" when unknown (one shared bucket) */
    sl_loop_step step;
    sl_metric metric;
    char change[SL_JOURNAL_MAX_TEXT + 1];
    sl_change_tag tag;          /* what kind of change it is */
    char hypothesis[SL_JOURNAL_MAX_TEXT + 1];
    char expectation[SL_JOURNAL_MAX_TEXT + 1]; /* "" when none */
    char before_video[SL_MAX_ID]; /* "" for typed counts */
    int64_t before_import;      /* the import the counts came from, or 0 */
    /* The before-video's product impressions, clicks and orders (a field is
     * present when known); `before` is the plan's metric taken from them. */
    sl_funnel before_funnel;
    sl_arm before;
    double mde, alpha, power;   /* alpha 0.05, power 0.8 */
    double tau2;                /* (rate A × mde)², fixed when planned */
    /* The after-video's planned sample (sl_sample_size_fixed_a): feasible, it
     * needs b_needed trials; else no amount suffices for `mde`.
     * min_detectable_lift is NaN when it cannot be computed. */
    bool sample_feasible;
    uint64_t b_needed;
    double min_detectable_lift;
    char planned_at[24];
    bool closed;
    sl_journal_outcome outcome; /* when closed */
    char lesson[SL_JOURNAL_MAX_TEXT + 1];
    char closed_at[24];
    sl_journal_look *looks;     /* heap, look_count items in order; NULL when 0 */
    size_t look_count;
    /* Set by sl_journal_plan and sl_journal_replan when `force` let the test
     * open beside another open one on the same creator and metric. */
    char warning[256];
} sl_journal_test;

/* Releases the looks of `test` (not the struct itself).  Accepts NULL. */
void sl_journal_test_clear(sl_journal_test *test);
/* Clears and frees an array from sl_journal_list.  Accepts NULL. */
void sl_journal_tests_free(sl_journal_test *tests, size_t count);

typedef struct sl_journal_plan_input {
    sl_loop_step step;
    sl_metric metric;
    const char *change;         /* the single change, one sentence (required) */
    sl_change_tag tag;          /* its kind; 0 is SL_TAG_OTHER (see
                                   sl_change_tag_suggest for a guess) */
    const char *hypothesis;     /* required */
    const char *expectation;    /* written before any result; NULL or "" for none */
    /* The before-video: an imported video ID (its counts are summed from the
     * newest import holding it, sl_store_video), or NULL to use `before`. */
    const char *before_video;
    sl_arm before;              /* typed counts: trials and successes of `metric` */
    const char *creator;        /* NULL: the before-video's creator key, else "" */
    double mde;                 /* relative; 0 means 0.2 */
    bool force;                 /* open beside another open test (see above) */
    const char *at;             /* NULL: now */
    /* Team mode: the account planning; the before-video is taken from the
     * newest import it may read (sl_store_video_visible).  NULL: any. */
    const struct sl_user *reader;
} sl_journal_plan_input;

/* Plans a test and stores it; `out` receives it (release with
 * sl_journal_test_clear).  SL_ERR_NOT_FOUND when the before-video is in no
 * import; SL_ERR_NO_DATA when it has no trials or no successes (a relative
 * lift on a zero rate cannot be sized).  An infeasible sample is not an
 * error: the plan says so (sample_feasible false). */
sl_status sl_journal_plan(sl_store *store, const sl_journal_plan_input *in,
                          sl_journal_test *out, sl_error *err);

/* Changes the metric (NULL: keep) and/or the mde (0: keep) of an open test
 * with no looks yet, recomputing τ² and the planned sample from the stored
 * before-video counts.  SL_ERR_NO_DATA when the before-video lacks the new
 * metric's counts. */
sl_status sl_journal_replan(sl_store *store, int64_t id, const sl_metric *metric, double mde,
                            bool force, sl_journal_test *out, sl_error *err);

typedef struct sl_journal_look_input {
    const char *after_video;    /* an imported video ID, or NULL to use `after` */
    sl_arm after;               /* typed counts so far (cumulative) */
    const char *at;             /* NULL: now */
    const struct sl_user *reader; /* as in sl_journal_plan_input (NULL: any import) */
} sl_journal_look_input;

/* Adds a look to an open test and stores it with its p_look and running
 * minimum.  `out` receives the test with the new look last; `verdict` (may
 * be NULL) the comparison of the new look (sl_journal_verdict). */
sl_status sl_journal_add_look(sl_store *store, int64_t id, const sl_journal_look_input *in,
                          sl_journal_test *out, sl_compare_result *verdict, sl_error *err);

/* Closes an open test with an outcome and a lesson (required text). */
sl_status sl_journal_close(sl_store *store, int64_t id, sl_journal_outcome outcome,
                           const char *lesson, const char *at, sl_journal_test *out,
                           sl_error *err);

/* One test with its looks.  SL_ERR_NOT_FOUND (field "id") when there is none. */
sl_status sl_journal_get(sl_store *store, int64_t id, sl_journal_test *out, sl_error *err);

typedef enum sl_journal_filter {
    SL_JOURNAL_ALL = 0,
    SL_JOURNAL_OPEN,
    SL_JOURNAL_CLOSED
} sl_journal_filter;

/* Tests in id order, with their looks.  *out is a heap array of *count
 * items (NULL when 0); release it with sl_journal_tests_free. */
sl_status sl_journal_list(sl_store *store, sl_journal_filter filter, sl_journal_test **out,
                          size_t *count, sl_error *err);

/* Sizes a plan from its before-video counts, metric and mde: τ², the
 * after-video's sample (both directions, at the fixed test's share of
 * alpha) and the smallest detectable lift.  sl_journal_plan and replan call
 * it; the simulation suite drives it without a store. */
sl_status sl_journal_size_plan(sl_journal_test *t, sl_error *err);

/* The compare options for a look of test `t` that follows its first
 * `earlier` looks: the plan's sample, the running minimum of the
 * always-valid p, and the fixed-sample test's answer at the first look that
 * reached the planned sample (docs/statistics.md, "One rule for every look"). */
void sl_journal_look_options(const sl_journal_test *t, size_t earlier, sl_compare_options *o);

/* The verdict of look `index` (0-based): sl_compare of the before counts
 * against that look's counts with the options sl_journal_look_options gives
 * (the plan's sample, the looks before it). */
sl_status sl_journal_verdict(const sl_journal_test *test, size_t index, sl_compare_result *out,
                             sl_error *err);

/* {"id","creator","step","metric","change","tag","hypothesis","expectation",
 * "before":{"video","import_id","trials","successes","rate"},"mde","alpha",
 * "power","tau2","sample":{"feasible","after_needed","min_detectable_lift"},
 * "planned_at","status","frozen","looks":[{"seq","taken_at","after_video",
 * "import_id","trials","successes","p_look","p_always_valid","verdict",
 * "p_value","p_method","p_final","planned_sample_reached","more_needed"}…],
 * "p_always_valid","outcome","lesson","closed_at","warning"}.
 * Heap memory: sl_free.  NULL when out of memory. */
char *sl_journal_test_to_json(const sl_journal_test *test);
/* {"tests":[<test>…]} */
char *sl_journal_list_to_json(const sl_journal_test *tests, size_t count);

typedef enum sl_journal_format {
    SL_JOURNAL_CSV = 0,         /* one line per test; text cells that a
                                   spreadsheet would run as a formula are
                                   prefixed with ' */
    SL_JOURNAL_JSON,            /* sl_journal_list_to_json */
    SL_JOURNAL_MARKDOWN         /* one section per test, user text escaped */
} sl_journal_format;

/* Writes the tests in `format` to `out`.  SL_ERR_IO when writing fails. */
sl_status sl_journal_export(const sl_journal_test *tests, size_t count,
                            sl_journal_format format, FILE *out);

/* ------------------------------------------------------------------------ */
/* Team: accounts, sessions, creators, rights (docs/team.md)                 */
/* ------------------------------------------------------------------------ */

/* A store is in solo mode until its first account is added, then in team
 * mode for good (sl_team_mode).  Solo: no accounts, no logins, the web app
 * answers on loopback only.  Team: every web request needs a session, and
 * what a person sees is decided by one function, sl_can, from their role
 * and the creators they work with.
 *
 * The command line is not a team member: whoever can open the store with
 * `shoplab` administers it (adds accounts, assigns creators), as whoever can
 * read a database's files administers the database.
 *
 * Every function here that writes is one transaction and records what it
 * did in the audit log (sl_audit_list) under the store's actor
 * (sl_store_set_actor).  Names and handles are compared exactly (case
 * counts).  Times passed as `now` are Unix seconds; 0 means the current
 * time (tests pass their own clock). */

typedef enum sl_role {
    SL_ROLE_OWNER = 0,          /* everything: all creators, accounts, assignments, audit */
    SL_ROLE_MANAGER,            /* reads and writes the creators assigned to them */
    SL_ROLE_CREATOR,            /* reads and writes its own creator only */
    SL_ROLE_VIEWER,             /* reads what its manager reads; writes nothing */
    SL_ROLE__COUNT
} sl_role;

/* "owner", "manager", "creator", "viewer". */
const char *sl_role_name(sl_role role);
/* Reads a role name; false when `name` is none of the four. */
bool sl_role_parse(const char *name, sl_role *out);

/* Longest account name, in bytes.  A name is 1 to 32 of the characters
 * a-z A-Z 0-9 . _ - @ (it appears in logs and URLs, so nothing else). */
#define SL_USER_MAX_NAME 32
/* Passwords: at least SL_PASSWORD_MIN characters (UTF-8 code points), at
 * most SL_PASSWORD_MAX bytes, valid UTF-8 without control characters. */
#define SL_PASSWORD_MIN 10
#define SL_PASSWORD_MAX 1024

/* One account.  `creators` is heap memory owned by the struct (release with
 * sl_user_clear); it is filled by the functions that answer "who is this
 * and what may they see" (sl_user_get, sl_login_attempt, sl_session_check)
 * and left NULL by sl_user_list. */
typedef struct sl_user {
    int64_t id;
    char name[SL_USER_MAX_NAME + 1];
    sl_role role;
    int64_t creator_id;         /* a creator account's creator; else 0 */
    int64_t manager_id;         /* a viewer's manager (an account id); else 0 */
    char created_at[24];        /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char password_changed_at[24];
    /* What the account may see: all_creators for an owner; else the ids of
     * the visible creators, ascending (a manager's assigned creators, a
     * viewer's manager's, a creator account's own one). */
    bool all_creators;
    int64_t *creators;
    size_t creator_count;
} sl_user;

/* Releases `user->creators` and zeroes the struct.  Accepts NULL. */
void sl_user_clear(sl_user *user);
/* Clears and frees an array from sl_user_list.  Accepts NULL. */
void sl_users_free(sl_user *users, size_t count);

/* Whether the store is in team mode: true once any account exists, and
 * also when the store cannot answer (a front end then asks for a login
 * rather than opening up). */
bool sl_team_mode(sl_store *store);

/* Checks a password against the rules above before anything is hashed:
 * SL_ERR_INVALID_ARGUMENT (field "password") with a sentence naming the
 * rule.  The password itself never appears in a message. */
sl_status sl_password_check_rules(const char *password, sl_error *err);

typedef struct sl_user_input {
    const char *name;
    sl_role role;
    const char *password;       /* hashed with Argon2id; never stored or logged as given */
    const char *creator;        /* creator accounts: the handle of their creator */
    const char *manager;        /* viewers: the name of their manager's account */
} sl_user_input;

/* Adds an account; the password is stored as libsodium's crypto_pwhash_str
 * (Argon2id, interactive limits: an "$argon2id$…" string).  Refusals,
 * SL_ERR_INVALID_ARGUMENT with `field`: "name" (rules, or taken), "role"
 * (the store's first account must be an owner, so someone can manage the
 * rest), "creator" (missing for a creator account, given for another role;
 * SL_ERR_NOT_FOUND when no creator has that handle), "manager" (the same
 * for a viewer; the account named must be a manager), "password"
 * (sl_password_check_rules).  `out` (may be NULL) receives the account as
 * sl_user_get gives it.  The first account turns team mode on. */
sl_status sl_user_add(sl_store *store, const sl_user_input *in, sl_user *out, sl_error *err);
/* One account by name, with what it may see.  SL_ERR_NOT_FOUND when none. */
sl_status sl_user_get(sl_store *store, const char *name, sl_user *out, sl_error *err);
/* Every account, by name.  *out is a heap array (NULL when 0); release it
 * with sl_users_free. */
sl_status sl_user_list(sl_store *store, sl_user **out, size_t *count, sl_error *err);
/* Sets a new password and ends every session of the account (a changed
 * password logs out everywhere).  SL_ERR_NOT_FOUND when there is no such
 * account; "password" refusals as sl_user_add. */
sl_status sl_user_passwd(sl_store *store, const char *name, const char *password,
                         sl_error *err);
/* Removes an account and its sessions and assignments.  Refused
 * (SL_ERR_INVALID_ARGUMENT): the last owner (field "owner"), and a manager
 * who still has viewers (field "viewers"; remove those first).
 * SL_ERR_NOT_FOUND when there is no such account. */
sl_status sl_user_remove(sl_store *store, const char *name, sl_error *err);

/* ---- sessions ---- */

/* A session ends after SL_SESSION_IDLE_SECONDS without a request, and in
 * any case SL_SESSION_MAX_SECONDS after it began. */
#define SL_SESSION_IDLE_SECONDS (8 * 3600)
#define SL_SESSION_MAX_SECONDS (7 * 24 * 3600)
/* Session tokens are 32 random bytes (libsodium randombytes_buf) in
 * lowercase hex: 64 characters and a NUL. */
#define SL_SESSION_TOKEN_SIZE 65

/* Starts a session for account `user_id` and writes its token to `token`.
 * Only the token's SHA-256 is stored, so a copy of the store lets nobody
 * in.  The token is given once, here: put it in the cookie and nowhere
 * else.  A login always makes a new token (never reuses one a client
 * offered), so a planted session id is useless.  SL_ERR_NOT_FOUND when there
 * is no such account. */
sl_status sl_session_create(sl_store *store, int64_t user_id, int64_t now,
                            char token[SL_SESSION_TOKEN_SIZE], sl_error *err);
/* The account a token belongs to, with what it may see (release with
 * sl_user_clear), and notes the request for the idle expiry (written at
 * most once a minute, so reads stay reads).  SL_ERR_UNAUTHORISED, with
 * the same message whatever the reason, when the token is malformed,
 * unknown, ended, idle for longer than SL_SESSION_IDLE_SECONDS or older
 * than SL_SESSION_MAX_SECONDS; an expired session is deleted. */
sl_status sl_session_check(sl_store *store, const char *token, int64_t now, sl_user *out,
                           sl_error *err);
/* Ends one session (logging out).  SL_OK also when the token names none. */
sl_status sl_session_end(sl_store *store, const char *token, sl_error *err);
/* Ends every session of account `user_id` ("log out everywhere"): a
 * stolen cookie stops working at once.  *ended (may be NULL) counts them. */
sl_status sl_sessions_end_all(sl_store *store, int64_t user_id, uint64_t *ended,
                              sl_error *err);
/* The CSRF token of a session: an HMAC-SHA-256 of a fixed label keyed by the
 * session token, in hex (65 bytes with the NUL), so it needs no storage,
 * changes with every login and cannot be turned back into the token.  The
 * web app puts it in its forms and compares with sl_session_csrf_check
 * (constant time).  `out` is "" when `token` is not a token's shape. */
void sl_session_csrf(const char *token, char out[SL_SESSION_TOKEN_SIZE]);
bool sl_session_csrf_check(const char *token, const char *csrf);

/* ---- logging in ---- */

/* At most SL_LOGIN_MAX_FAILURES failed logins per account name, and as
 * many per client address, within SL_LOGIN_WINDOW_SECONDS. */
#define SL_LOGIN_MAX_FAILURES 5
#define SL_LOGIN_WINDOW_SECONDS (15 * 60)

/* One login attempt from client `address` (the web app's peer address, or
 * the trusted proxy's forwarded one; NULL or "" counts as one address).
 * SL_OK fills `out` as sl_user_get does; the caller then starts a session
 * with sl_session_create.  SL_ERR_UNAUTHORISED when the name or the
 * password is wrong (one message for both, and an unknown name takes as
 * long as a wrong password, so neither tells which names exist); the
 * failure is counted against the name and the address.
 * SL_ERR_RATE_LIMITED when SL_LOGIN_MAX_FAILURES failures of the name or
 * the address fall in the last SL_LOGIN_WINDOW_SECONDS: the password is
 * then not even checked, so a right one is refused too until the window has
 * passed.  A success clears the name's failures (not the address's). */
sl_status sl_login_attempt(sl_store *store, const char *name, const char *password,
                           const char *address, int64_t now, sl_user *out, sl_error *err);

/* ---- creators ---- */

/* A creator: the person whose videos the imports hold.  The handle is how
 * export files and journal tests name them (the records' creator key: a
 * username or a numeric creator ID): 1 to SL_MAX_ID - 1 bytes of UTF-8
 * without spaces or control characters. */
typedef struct sl_creator {
    int64_t id;
    char handle[SL_MAX_ID];
    char display_name[SL_MAX_LABEL];
    char created_at[24];
} sl_creator;

/* Adds a creator.  `display_name` NULL or "": the handle.  Refused
 * (SL_ERR_INVALID_ARGUMENT, field "handle") when the handle breaks the
 * rules above or is taken; field "name" for a display name over
 * SL_MAX_LABEL - 1 bytes or with control characters. */
sl_status sl_creator_add(sl_store *store, const char *handle, const char *display_name,
                         sl_creator *out, sl_error *err);
/* One creator by handle; SL_ERR_NOT_FOUND when none. */
sl_status sl_creator_get(sl_store *store, const char *handle, sl_creator *out, sl_error *err);
/* The creators `user` may see, by handle (`user` NULL: all).  *out is a heap
 * array (NULL when 0); release it with sl_free. */
sl_status sl_creator_list(sl_store *store, const sl_user *user, sl_creator **out,
                          size_t *count, sl_error *err);
/* Assigns a creator to a manager's account, or takes the assignment away.
 * SL_ERR_NOT_FOUND for an unknown handle or account;
 * SL_ERR_INVALID_ARGUMENT (field "manager") when the account is not a
 * manager.  Assigning twice, or removing what is not there, is SL_OK. */
sl_status sl_creator_assign(sl_store *store, const char *handle, const char *manager,
                            sl_error *err);
sl_status sl_creator_unassign(sl_store *store, const char *handle, const char *manager,
                              sl_error *err);

/* ---- rights ---- */

typedef enum sl_action {
    SL_ACTION_READ = 0,         /* see it: pages, API answers, exports */
    SL_ACTION_WRITE             /* import into, forget, plan, look, close */
} sl_action;

typedef enum sl_object_kind {
    SL_OBJECT_IMPORT = 0,       /* an import, its report and rows */
    SL_OBJECT_JOURNAL_TEST,     /* a journal test and its looks */
    SL_OBJECT_CREATOR,          /* a creator itself: writing it (adding one) is the owner's */
    SL_OBJECT_TEAM              /* accounts, assignments, the audit log: owners only */
} sl_object_kind;

/* The one decision of who may do what, from the account alone (no store):
 *   owner    everything;
 *   manager  read and write objects of its assigned creators; read those
 *            creators;
 *   creator  read and write objects of its own creator; read that creator;
 *   viewer   read what its manager may read; write nothing.
 * `creator_id` is the object's creator (sl_import_creator,
 * sl_journal_test_creator; the creator's own id for SL_OBJECT_CREATOR; 0
 * for an object of no creator, which only owners may touch; ignored for
 * SL_OBJECT_TEAM).  `user` NULL is false: in solo mode there is no account
 * and nothing to ask.  Answer a forbidden object exactly as a missing one
 * (HTTP 404, sl_access), never 403: its existence is not a hint to give. */
bool sl_can(const sl_user *user, sl_action action, sl_object_kind kind, int64_t creator_id);

/* The creator of an import, or of a journal test (the creator whose handle
 * is the test's creator key); 0 when it has none.  SL_ERR_NOT_FOUND when
 * there is no such import or test. */
sl_status sl_import_creator(sl_store *store, int64_t import_id, int64_t *creator_id,
                            sl_error *err);
sl_status sl_journal_test_creator(sl_store *store, int64_t test_id, int64_t *creator_id,
                                  sl_error *err);
/* sl_can on a stored object by id: SL_OK when it exists and `user` may do
 * `action` on it; otherwise SL_ERR_NOT_FOUND with the same message a
 * missing object gets ("there is no import #7…"), whichever the reason.
 * `kind` is SL_OBJECT_IMPORT or SL_OBJECT_JOURNAL_TEST. */
sl_status sl_access(sl_store *store, const sl_user *user, sl_action action,
                    sl_object_kind kind, int64_t object_id, sl_error *err);
/* sl_store_imports and sl_journal_list cut to what `user` may read. */
sl_status sl_store_imports_visible(sl_store *store, const sl_user *user, sl_import **out,
                                   size_t *count, sl_error *err);
sl_status sl_journal_list_visible(sl_store *store, const sl_user *user,
                                  sl_journal_filter filter, sl_journal_test **out,
                                  size_t *count, sl_error *err);

/* ---- audit log ---- */

/* Who the store's writes are recorded as: an account name, or for the
 * command line "shell:LOGIN".  NULL or "": "local".  The web app sets it
 * per request to the session's account.  Copied (at most 63 bytes). */
void sl_store_set_actor(sl_store *store, const char *name);

/* One entry of the audit log.  `action` is one of: import, forget,
 * journal-plan, journal-replan, journal-look, journal-close, user-add,
 * user-remove, user-passwd, logout-everywhere, creator-add, creator-assign,
 * creator-unassign (the library writes these, in the same transaction as
 * the change), or a front end's own (sl_audit_add).  `object_kind` is
 * "import", "journal-test", "user" or "creator". */
typedef struct sl_audit_entry {
    int64_t id;
    char at[24];                /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    char user[64];              /* the actor */
    char action[32];
    char object_kind[16];
    int64_t object_id;
    char detail[256];           /* a file name, a role, a test's change… */
} sl_audit_entry;

/* Adds an entry as the store's actor (its own transaction). */
sl_status sl_audit_add(sl_store *store, const char *action, const char *object_kind,
                       int64_t object_id, const char *detail, sl_error *err);
/* The newest `limit` entries (0: all), newest first.  *out is a heap array
 * (NULL when 0); release it with sl_free. */
sl_status sl_audit_list(sl_store *store, size_t limit, sl_audit_entry **out, size_t *count,
                        sl_error *err);
/* The entries as CSV: a header line "id,at,user,action,object_kind,
 * object_id,detail", then one line per entry (cells that would start a
 * spreadsheet formula get a '; RFC 4180 quoting).  SL_ERR_IO when writing
 * fails. */
sl_status sl_audit_write_csv(const sl_audit_entry *entries, size_t count, FILE *out);
/* Lessons: what has worked across creators (docs/statistics.md, "Lessons   */
/* across creators")                                                         */
/* ------------------------------------------------------------------------ */

/* Closed tests are grouped by loop step, change tag and metric.  In each
 * group every test gives a log relative lift y = ln(pB/pA) with its
 * delta-method variance; a creator's tests are combined by inverse-variance
 * weighting; across creators a normal-normal model with the between-creator
 * variance τ² (Paule–Mandel) gives the pooled lift, its interval (Hartung–
 * Knapp, t with k−1 degrees of freedom) and each creator's estimate shrunk
 * toward it: the less data a creator has, the more it is pulled, so one
 * lucky test does not speak for everyone.  All intervals are 95 %; every
 * lift below is relative (exp(·) − 1: 0.12 means +12 %). */
#define SL_LESSONS_LEVEL 0.95

typedef struct sl_lesson_creator {
    char creator[SL_MAX_ID];    /* "" for tests with no creator */
    size_t tests;
    double log_lift, variance;  /* the creator's own: y_i and v_i */
    double lift, low, high;     /* the same as a relative lift, normal interval */
    double shrinkage;           /* B_i = v_i / (v_i + τ²) ∈ [0, 1]: how far it
                                   is pulled toward the pooled lift (1: all
                                   the way) */
    double pooled_log_lift, pooled_variance; /* θ_i and its variance */
    double pooled_lift, pooled_low, pooled_high; /* interval with the group's
                                   quantile, so B = 1 gives the pooled one */
} sl_lesson_creator;

typedef struct sl_lesson_group {
    sl_loop_step step;
    sl_change_tag tag;
    sl_metric metric;
    size_t tests;               /* tests that stand behind the group */
    size_t creator_count;
    sl_lesson_creator *creators; /* creator_count items, by creator key */
    /* false with one creator: there is nothing to pool across; the group's
     * lift is then that creator's own (normal interval), tau2 is 0 and
     * shrinkage 0. */
    bool pooled;
    double log_lift, se;        /* μ and its standard error */
    double quantile;            /* the t (pooled) or z quantile used */
    double tau2;                /* between-creator variance on the log scale */
    double q;                   /* Cochran's Q at τ² = 0 (heterogeneity) */
    double lift, low, high;
} sl_lesson_group;

typedef struct sl_lessons {
    sl_lesson_group *groups;    /* group_count items: by step, tag (other
                                   last), metric */
    size_t group_count;
    size_t tests_used;          /* closed tests with a look */
    size_t tests_skipped;       /* open, or closed without a look */
} sl_lessons;

/* Computes the lessons of `tests` (`n` items, already filtered to what the
 * reader may see; NULL allowed when n is 0).  Tests that are open, have no
 * look or have counts sl_arm_check refuses are skipped and counted.  *out is
 * heap memory: release it with sl_lessons_free.  SL_ERR_NO_MEMORY only. */
sl_status sl_lessons_compute(const sl_journal_test *tests, size_t n, sl_lessons **out,
                             sl_error *err);
/* Releases lessons and everything in them.  Accepts NULL. */
void sl_lessons_free(sl_lessons *lessons);
/* The lessons of every closed test in the store (sl_journal_list with
 * SL_JOURNAL_CLOSED, then sl_lessons_compute). */
sl_status sl_lessons_read(sl_store *store, sl_lessons **out, sl_error *err);
/* {"level","tests","skipped","groups":[{"step","tag","tag_label","metric",
 * "tests","creators","pooled","log_lift","se","quantile","tau2","q","lift",
 * "low","high","by_creator":[{"creator","tests","log_lift","variance",
 * "lift","low","high","shrinkage","pooled_log_lift","pooled_variance",
 * "pooled_lift","pooled_low","pooled_high"}…]}…]}.  Heap memory: sl_free;
 * NULL when out of memory. */
char *sl_lessons_to_json(const sl_lessons *lessons);

/* ------------------------------------------------------------------------ */
/* JSON (the shapes the CLI's --json and the web API share)                  */
/* ------------------------------------------------------------------------ */

/* Each returns a NUL-terminated JSON document in heap memory; release it with
 * sl_free.  NULL only when memory runs out.  Rates are objects
 * {"value","numerator","denominator","denominator_name","low","high"} with
 * null for absent parts. */
char *sl_decode_to_json(const sl_decode_result *result);
char *sl_compare_to_json(const sl_compare_result *result);
/* {"error":{"code":"…","message":"…","field":…}} */
char *sl_error_to_json(const sl_error *err);

/* A whole term page: every part of the term template. */
char *sl_term_to_json(const sl_term *term);
/* {"terms":[{"name","slug","step","kind","answer"},…]}; `step` filters
 * when `filter` is true. */
char *sl_terms_to_json(const sl_content *content, bool filter, sl_loop_step step);
/* {"same":"same|related|different","relation","sentence","a":{…},"b":{…}} */
char *sl_same_to_json(const sl_same_result *result);
char *sl_guide_to_json(const sl_guide *guide);
/* {"guides":[{"title","slug","step","purpose"},…]} */
char *sl_guides_to_json(const sl_content *content);
/* A drill scenario with its options, answer and explanations; for read
 * drills also the counts and the baseline. */
char *sl_drill_to_json(const sl_drill *drill);

/* Releases memory returned by this library.  Accepts NULL. */
void sl_free(void *ptr);

#ifdef __cplusplus
}
#endif
#endif /* SHOPLAB_H */
