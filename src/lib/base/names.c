/*
 * names.c — the name of every enum value the library prints or reads back
 * ("attention", "too-early", "wilson-small"…), in one place at the bottom of
 * the library, so that a file that only needs a name (the content parser
 * wants a step's name to find its checklist) does not depend on the file
 * that computes with it.
 *
 * Parsers read names back by looping over these functions, so a name is
 * written once.  Names that come with more than a name stay in their
 * table: fields and rates (funnel.c: label, money, numerator and
 * denominator), metrics (compare.c: sl_metric_rate) and statuses (error.c).
 */
#include "base/internal.h"

/* ---- the decoder ---- */
static const char *const step_names[SL_STEP__COUNT] = {"attention", "click-through",
                                                       "conversion"};
static const char *const verdict_names[] = {"unknown", "strong", "typical", "weak", "too-early"};
static const char *const source_names[] = {"none", "user", "history", "practice-reference"};

const char *sl_step_name(sl_step step)
{
    return (unsigned)step < SL_STEP__COUNT ? step_names[step] : "unknown";
}

const char *sl_verdict_name(sl_verdict verdict)
{
    return (unsigned)verdict <= SL_VERDICT_TOO_EARLY ? verdict_names[verdict] : "unknown";
}

const char *sl_baseline_source_name(sl_baseline_source source)
{
    return (unsigned)source <= SL_BASELINE_PRACTICE ? source_names[source] : "none";
}

/* ---- compare ---- */
static const char *const compare_verdict_names[] = {"b-better", "a-better",
                                                    "no-clear-difference", "too-early"};

const char *sl_compare_verdict_name(sl_compare_verdict verdict)
{
    return (unsigned)verdict <= SL_COMPARE_TOO_EARLY ? compare_verdict_names[verdict] : "unknown";
}

/* ---- content ---- */
static const char *const loop_names[] = {"pick", "tag", "read"};
static const char *const term_kind_names[] = {"metric", "field", "measure", "concept"};
static const char *const same_names[] = {"same", "related", "different"};
static const char *const drill_names[] = {"pick", "tag", "read"};

const char *sl_loop_step_name(sl_loop_step s)
{
    return (unsigned)s < SL_LOOP__COUNT ? loop_names[s] : "unknown";
}

const char *sl_loop_step_label(sl_loop_step s)
{
    static const char *const labels[SL_LOOP__COUNT] = {"Pick", "Tag", "Read"};
    return (unsigned)s < SL_LOOP__COUNT ? labels[s] : "Unknown";
}

const char *sl_term_kind_name(sl_term_kind k)
{
    return (unsigned)k <= SL_TERM_CONCEPT ? term_kind_names[k] : "unknown";
}

const char *sl_sameness_name(sl_sameness s)
{
    return (unsigned)s <= SL_SAME_DIFFERENT ? same_names[s] : "unknown";
}

const char *sl_drill_type_name(sl_drill_type t)
{
    return (unsigned)t < SL_DRILL__COUNT ? drill_names[t] : "unknown";
}

/* ---- statistics ---- */
static const char *const method_names[] = {"wilson", "jeffreys", "exact", "wilson-small"};

const char *sl_interval_method_name(sl_interval_method method)
{
    return (unsigned)method <= SL_INTERVAL_WILSON_SMALL ? method_names[method] : "unknown";
}

/* ---- the journal ---- */
static const char *const outcome_names[] = {"b-better", "a-better", "no-clear-difference",
                                            "abandoned"};

const char *sl_journal_outcome_name(sl_journal_outcome outcome)
{
    return (unsigned)outcome <= SL_OUTCOME_ABANDONED ? outcome_names[outcome] : "unknown";
}

const char *sl_journal_outcome_label(sl_journal_outcome outcome)
{
    static const char *const labels[] = {"B (after) is better", "A (before) is better",
                                         "No clear difference", "Abandoned"};
    return (unsigned)outcome <= SL_OUTCOME_ABANDONED ? labels[outcome] : "Unknown";
}

/* Change tags: the name is stored in the journal, so never rename one;
 * the label is for sentences. */
static const char *const tag_names[SL_TAG__COUNT] = {
    [SL_TAG_OTHER] = "other",           [SL_TAG_CARD_TIMING] = "card-timing",
    [SL_TAG_HOOK] = "hook",             [SL_TAG_PROOF_MOMENT] = "proof-moment",
    [SL_TAG_CTA] = "cta",               [SL_TAG_PRODUCT] = "product",
    [SL_TAG_PRICE] = "price",
};
static const char *const tag_labels[SL_TAG__COUNT] = {
    [SL_TAG_OTHER] = "other change",    [SL_TAG_CARD_TIMING] = "card timing",
    [SL_TAG_HOOK] = "hook",             [SL_TAG_PROOF_MOMENT] = "proof moment",
    [SL_TAG_CTA] = "call to action",    [SL_TAG_PRODUCT] = "product",
    [SL_TAG_PRICE] = "price or offer",
};

const char *sl_change_tag_name(sl_change_tag tag)
{
    return (unsigned)tag < SL_TAG__COUNT ? tag_names[tag] : "unknown";
}

const char *sl_change_tag_label(sl_change_tag tag)
{
    return (unsigned)tag < SL_TAG__COUNT ? tag_labels[tag] : "unknown";
}

bool sl_change_tag_parse(const char *name, sl_change_tag *out)
{
    for (int t = 0; name && t < SL_TAG__COUNT; t++)
        if (strcmp(name, tag_names[t]) == 0) {
            *out = (sl_change_tag)t;
            return true;
        }
    return false;
}

/* ---- reports ---- */
const char *sl_column_role_name(sl_column_role role)
{
    static const char *const names[] = {"extra", "field", "rate", "key", "label"};
    return (unsigned)role < 5 ? names[role] : "unknown";
}

static const char *const parser_names[] = {"none", "count", "money", "rate",
                                           "id",   "day",   "time",  "text"};

const char *sl_parser_name(sl_parser parser)
{
    return (unsigned)parser <= SL_PARSER_TEXT ? parser_names[parser] : "unknown";
}

static const char *const order_names[SL_ORDER__COUNT] = {
    [SL_ORDER_RANK] = "rank",         [SL_ORDER_KEY] = "key",
    [SL_ORDER_VIEWS] = "views",       [SL_ORDER_IMPRESSIONS] = "impressions",
    [SL_ORDER_CLICKS] = "clicks",     [SL_ORDER_ORDERS] = "orders",
    [SL_ORDER_GMV] = "gmv",           [SL_ORDER_PRODUCT_CTR] = "ctr",
    [SL_ORDER_CTOR] = "ctor",
};

const char *sl_report_order_name(sl_report_order order)
{
    return (unsigned)order < SL_ORDER__COUNT ? order_names[order] : "unknown";
}

/* ---- the store ---- */
const char *sl_dimension_name(sl_dimension dimension)
{
    static const char *const names[] = {"video", "product", "live", "creator", "day"};
    return (unsigned)dimension < SL_DIM__COUNT ? names[dimension] : "unknown";
}

/* ---- export values and headers ---- */
static const char *const value_kind_names[] = {"absent", "number", "money", "percent", "duration"};

const char *sl_value_kind_name(sl_value_kind kind)
{
    return (unsigned)kind <= SL_VALUE_DURATION ? value_kind_names[kind] : "unknown";
}

static const char *const meaning_names[] = {
    "term", "key", "label", "band all", "band channel", "row total", "row average",
    "row change", "table title", "other",
};

const char *sl_vocab_meaning_name(sl_vocab_meaning meaning)
{
    return (unsigned)meaning <= SL_VOCAB_OTHER ? meaning_names[meaning] : "unknown";
}
