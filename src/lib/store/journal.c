/*
 * journal.c — the journal of one-change tests: plan, looks, close, kept in
 * the store (docs/journal.md).
 *
 * The rules live here so every front end gets them: a plan is frozen once it
 * has a look (a metric or lift chosen after seeing data would make its
 * p-values meaningless), τ² is fixed when planned (the running minimum of the
 * mSPRT p is only always-valid for one mixture chosen in advance), looks never
 * go backwards, a closed test is never edited, and one open test per creator
 * and metric (two changes at once cannot be told apart).  Each function that
 * writes runs in one transaction; the store's triggers repeat the rules.
 */
#include "db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA 0.05
#define POWER 0.8
#define DEFAULT_MDE 0.2

void sl_journal_test_clear(sl_journal_test *t)
{
    if (!t)
        return;
    free(t->looks);
    t->looks = NULL;
    t->look_count = 0;
}

void sl_journal_tests_free(sl_journal_test *tests, size_t count)
{
    for (size_t i = 0; tests && i < count; i++)
        sl_journal_test_clear(&tests[i]);
    free(tests);
}

static const char *metric_label(sl_metric m)
{
    return sl_metric_rate(m)->label;
}

static const char *trials_name(sl_metric m)
{
    return sl_metric_rate(m)->trials;
}

static const char *successes_name(sl_metric m)
{
    return sl_metric_rate(m)->successes;
}

/* ---- checks on what the user typed ---- */

/* Length of the UTF-8 sequence at p, or 0 when it is not valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
        (c == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

/* Text is shown on terminals and written into CSV and Markdown, so it must
 * be valid UTF-8 with no control characters (an escape sequence in a lesson
 * could rewrite the screen of whoever reads the journal). */
static sl_status check_text(const char *field, const char *what, const char *text, bool required,
                            sl_error *err)
{
    if (!text || !*text) {
        if (required)
            return sl_fail(err, SL_ERR_INVALID_ARGUMENT, field, "the %s is empty; write it in "
                           "one sentence", what);
        return SL_OK;
    }
    size_t len = strlen(text);
    if (len > SL_JOURNAL_MAX_TEXT)
        return sl_fail(err, SL_ERR_LIMIT, field,
                       "the %s is %zu bytes long; the journal keeps at most %d: say it in one "
                       "sentence",
                       what, len, SL_JOURNAL_MAX_TEXT);
    bool blank = true;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_sequence(p);
        if (n == 0)
            return sl_fail(err, SL_ERR_PARSE, field, "the %s is not valid UTF-8 text", what);
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return sl_fail(err, SL_ERR_PARSE, field,
                           "the %s contains a control character (a tab, line break or escape); "
                           "write it on one line",
                           what);
        if (*p != ' ')
            blank = false;
        p += n;
    }
    if (blank && required)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, field, "the %s is empty; write it in one "
                       "sentence", what);
    return SL_OK;
}

static bool digits(const char *p, size_t n, int lo, int hi)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    return v >= lo && v <= hi;
}

/* NULL means now; otherwise exactly "YYYY-MM-DDTHH:MM:SSZ" (UTC), so times
 * sort as text and compare across looks. */
static sl_status take_time(const char *at, char out[24], sl_error *err)
{
    if (!at) {
        sl_store_now(out);
        return SL_OK;
    }
    bool ok = strlen(at) == 20 && digits(at, 4, 1970, 9999) && at[4] == '-' &&
              digits(at + 5, 2, 1, 12) && at[7] == '-' && at[10] == 'T' && at[13] == ':' &&
              at[16] == ':' && at[19] == 'Z' && digits(at + 11, 2, 0, 23) &&
              digits(at + 14, 2, 0, 59) && digits(at + 17, 2, 0, 59);
    if (ok) {
        int year = atoi(at), month = (at[5] - '0') * 10 + (at[6] - '0');
        ok = digits(at + 8, 2, 1, sl_days_in_month(year, month));
    }
    if (!ok)
        return sl_fail(err, SL_ERR_PARSE, "at",
                       "'%.40s' is not a UTC time like 2026-09-14T18:30:00Z", at);
    memcpy(out, at, 21);
    return SL_OK;
}

/* ---- change tags ---- */

/* Words that suggest each tag, tried in this order; the first tag with a
 * word in the change wins.  Card timing comes first because "move the
 * product card to the proof moment" is about the card, and product comes
 * last because nearly every change sentence names the product. */
static const struct {
    sl_change_tag tag;
    const char *words[10];
} tag_words[] = {
    {SL_TAG_CARD_TIMING, {"card", NULL}},
    {SL_TAG_HOOK, {"hook", "opening", "first second", "first 3", "first three", "intro",
                   "open with", "start with", NULL}},
    {SL_TAG_PROOF_MOMENT, {"proof", "demo", "before and after", "before/after",
                           "before-and-after", "testimonial", "show it work", NULL}},
    {SL_TAG_CTA, {"cta", "call to action", "call-to-action", "ask viewers", "tell viewers",
                  "link", NULL}},
    {SL_TAG_PRICE, {"price", "discount", "coupon", "voucher", "offer", "deal", "% off",
                    "free shipping", "bundle", "promo"}},
    {SL_TAG_PRODUCT, {"product", "item", "sku", "variant", "colour", "color", NULL}},
};

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* `word` in `text` (both lowercase) at the start of a word of text, so
 * "expectation" holds no "cta"; a word that starts with punctuation
 * ("% off") may follow anything. */
static bool has_word(const char *text, const char *word)
{
    for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
        if (p == text || !alnum(word[0]) || !alnum(p[-1]))
            return true;
    return false;
}

sl_change_tag sl_change_tag_suggest(const char *change)
{
    if (!change)
        return SL_TAG_OTHER;
    char lower[SL_JOURNAL_MAX_TEXT + 1];
    size_t n = 0;
    for (; change[n] && n < SL_JOURNAL_MAX_TEXT; n++)
        lower[n] = change[n] >= 'A' && change[n] <= 'Z' ? (char)(change[n] + 32) : change[n];
    lower[n] = '\0';
    for (size_t i = 0; i < sizeof tag_words / sizeof *tag_words; i++)
        for (size_t w = 0; w < 10 && tag_words[i].words[w]; w++)
            if (has_word(lower, tag_words[i].words[w]))
                return tag_words[i].tag;
    return SL_TAG_OTHER;
}

/* ---- counts ---- */

/* The metric's arm from a funnel: impressions and clicks for CTR, clicks
 * and orders for CTOR. */
static sl_status arm_from_funnel(sl_metric m, const sl_funnel *f, const char *field,
                                 const char *which, sl_arm *out, sl_error *err)
{
    sl_field tf = sl_metric_rate(m)->trials_field, sf = sl_metric_rate(m)->successes_field;
    double t, s;
    if (!sl_funnel_get(f, tf, &t) || !sl_funnel_get(f, sf, &s))
        return sl_fail(err, SL_ERR_NO_DATA, field, "the %s has no %s count, so its %s cannot "
                       "be read", which, !sl_funnel_has(f, tf) ? trials_name(m) : successes_name(m),
                       metric_label(m));
    *out = (sl_arm){(uint64_t)s, (uint64_t)t};
    return SL_OK;
}

static sl_status check_arm(sl_metric m, sl_arm a, const char *field, const char *which,
                           sl_error *err)
{
    switch (sl_arm_check(a)) {
    case SL_OK:
        return SL_OK;
    case SL_ERR_COUNT_TOO_LARGE:
        return sl_fail(err, SL_ERR_COUNT_TOO_LARGE, field,
                       "the %s: counts above 2^53 (9007199254740992) are not supported", which);
    case SL_ERR_SUCCESSES_EXCEED_TRIALS:
        return sl_fail(err, SL_ERR_SUCCESSES_EXCEED_TRIALS, field,
                       "the %s: %s (%llu) exceed %s (%llu); successes can never be more than "
                       "trials",
                       which, successes_name(m), (unsigned long long)a.successes, trials_name(m),
                       (unsigned long long)a.trials);
    default:
        return sl_fail(err, SL_ERR_NO_DATA, field, "the %s has 0 %s: there is nothing to read "
                       "yet", which, trials_name(m));
    }
}

/* τ² and the after-video's planned sample, from the before counts, the
 * metric and the mde: everything a replan recomputes. */
sl_status sl_journal_size_plan(sl_journal_test *t, sl_error *err)
{
    sl_status st = check_arm(t->metric, t->before, "before", "before-video", err);
    if (st != SL_OK)
        return st;
    if (t->before.successes == 0)
        return sl_fail(err, SL_ERR_NO_DATA, "before",
                       "the before-video has 0 %s, so a relative lift on its %s of 0%% cannot "
                       "be sized; plan against a video that has some %s",
                       successes_name(t->metric), metric_label(t->metric),
                       successes_name(t->metric));
    if (!(t->mde > 0) || !isfinite(t->mde))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "mde",
                       "the minimum lift worth detecting must be above 0 (e.g. 0.2 for 20%%)");
    double rate = (double)t->before.successes / (double)t->before.trials;
    if (rate * (1 + t->mde) >= 1)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "mde",
                       "a %.0f%% lift on a %s of %.2f%% would pass 100%%; choose a smaller lift",
                       t->mde * 100, metric_label(t->metric), rate * 100);
    t->alpha = ALPHA;
    t->power = POWER;
    t->tau2 = pow(rate * t->mde, 2);
    /* Sized for the one fixed-sample test at its share of alpha, for a rise
     * and for a drop of the planned size: the larger sample is the plan. */
    double alpha_fixed = t->alpha * (1 - SL_ALPHA_SHARE_ALWAYS_VALID);
    uint64_t need = 0;
    t->sample_feasible = true;
    for (int dir = 1; dir >= -1; dir -= 2) {
        uint64_t b = 0;
        double mdl = NAN;
        st = sl_sample_size_fixed_a(t->before.trials, rate, dir * t->mde, alpha_fixed, t->power,
                                    &b, NULL, &mdl);
        if (dir == 1)
            t->min_detectable_lift = mdl;
        if (st != SL_OK && st != SL_ERR_INFEASIBLE)
            return sl_fail(err, st, "mde", "the planned sample cannot be computed for this lift");
        if (st == SL_OK)
            need = b > need ? b : need;
        else
            t->sample_feasible = false;
    }
    t->b_needed = t->sample_feasible ? need : 0;
    return SL_OK;
}

/* ---- reading tests ---- */

#define TEST_COLUMNS                                                                          \
    "id, creator, step, metric, change, hypothesis, expectation, before_video, before_import, " \
    "before_impressions, before_clicks, before_orders, mde, alpha, power, tau2, "              \
    "sample_feasible, b_needed, min_detectable_lift, planned_at, outcome, lesson, closed_at, " \
    "change_tag"

static void column_text(db_stmt *q, int col, char *out, size_t size)
{
    snprintf(out, size, "%s", db_column_text(q, col));
}

static void read_test_row(db_stmt *q, sl_journal_test *t)
{
    memset(t, 0, sizeof *t);
    char word[32];
    t->id = db_column_int(q, 0);
    column_text(q, 1, t->creator, sizeof t->creator);
    column_text(q, 2, word, sizeof word);
    t->step = strcmp(word, "pick") == 0 ? SL_LOOP_PICK
              : strcmp(word, "tag") == 0 ? SL_LOOP_TAG
                                         : SL_LOOP_READ;
    column_text(q, 3, word, sizeof word);
    t->metric = SL_METRIC_CTR;
    sl_metric_parse(word, &t->metric);
    column_text(q, 4, t->change, sizeof t->change);
    column_text(q, 5, t->hypothesis, sizeof t->hypothesis);
    column_text(q, 6, t->expectation, sizeof t->expectation);
    column_text(q, 7, t->before_video, sizeof t->before_video);
    t->before_import = db_column_int(q, 8);
    static const sl_field fields[] = {SL_FIELD_PRODUCT_IMPRESSIONS, SL_FIELD_PRODUCT_CLICKS,
                                      SL_FIELD_ORDERS};
    for (int i = 0; i < 3; i++)
        if (!db_column_null(q, 9 + i))
            sl_funnel_set(&t->before_funnel, fields[i], (double)db_column_int(q, 9 + i));
    arm_from_funnel(t->metric, &t->before_funnel, NULL, "", &t->before, NULL);
    t->mde = db_column_double(q, 12);
    t->alpha = db_column_double(q, 13);
    t->power = db_column_double(q, 14);
    t->tau2 = db_column_double(q, 15);
    t->sample_feasible = db_column_int(q, 16) != 0;
    t->b_needed = (uint64_t)db_column_int(q, 17);
    t->min_detectable_lift =
        db_column_null(q, 18) ? NAN : db_column_double(q, 18);
    column_text(q, 19, t->planned_at, sizeof t->planned_at);
    if (!db_column_null(q, 20)) {
        t->closed = true;
        column_text(q, 20, word, sizeof word);
        for (int o = 0; o <= SL_OUTCOME_ABANDONED; o++)
            if (strcmp(word, sl_journal_outcome_name((sl_journal_outcome)o)) == 0)
                t->outcome = (sl_journal_outcome)o;
    }
    column_text(q, 21, t->lesson, sizeof t->lesson);
    column_text(q, 22, t->closed_at, sizeof t->closed_at);
    /* A name this build does not know (written by a newer one) reads as
     * other rather than failing the whole journal. */
    column_text(q, 23, word, sizeof word);
    t->tag = SL_TAG_OTHER;
    sl_change_tag_parse(word, &t->tag);
}

static sl_status read_looks(sl_store *s, sl_journal_test *t, sl_error *err)
{
    db_stmt *q;
    if (db_prepare(sl_store_db(s),
                   "SELECT seq, taken_at, after_video, after_import, trials, successes, "
                   "p_look, p_always_valid FROM journal_looks WHERE test_id = ?1 "
                   "ORDER BY seq",
                   false, &q, NULL) != SL_OK)
        return sl_store_fail(s, err, "cannot read the looks");
    db_bind_int(q, 1, t->id);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(q)) == DB_ROW) {
        if (t->look_count == cap) {
            cap = cap ? cap * 2 : 8;
            sl_journal_look *more = realloc(t->looks, cap * sizeof *more);
            if (!more) {
                db_finalize(q);
                sl_journal_test_clear(t);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            t->looks = more;
        }
        sl_journal_look *l = &t->looks[t->look_count++];
        memset(l, 0, sizeof *l);
        l->seq = (uint32_t)db_column_int(q, 0);
        column_text(q, 1, l->taken_at, sizeof l->taken_at);
        column_text(q, 2, l->after_video, sizeof l->after_video);
        l->after_import = db_column_int(q, 3);
        l->after.trials = (uint64_t)db_column_int(q, 4);
        l->after.successes = (uint64_t)db_column_int(q, 5);
        l->p_look = db_column_double(q, 6);
        l->p_always_valid = db_column_double(q, 7);
    }
    sl_status st = rc == DB_DONE ? SL_OK : sl_store_fail(s, err, "cannot read the looks");
    db_finalize(q);
    if (st != SL_OK)
        sl_journal_test_clear(t);
    return st;
}

static sl_status load_test(sl_store *s, int64_t id, sl_journal_test *out, sl_error *err)
{
    db_stmt *q;
    if (db_prepare(sl_store_db(s), "SELECT " TEST_COLUMNS " FROM journal_tests WHERE id = ?1",
                   false, &q, NULL) != SL_OK)
        return sl_store_fail(s, err, "cannot read the journal");
    db_bind_int(q, 1, id);
    int rc = db_step(q);
    sl_status st = SL_OK;
    if (rc == DB_ROW)
        read_test_row(q, out);
    else if (rc == DB_DONE)
        st = sl_fail(err, SL_ERR_NOT_FOUND, "id",
                     "there is no test #%lld in the journal; 'shoplab journal list' shows them",
                     (long long)id);
    else
        st = sl_store_fail(s, err, "cannot read the journal");
    db_finalize(q);
    return st == SL_OK ? read_looks(s, out, err) : st;
}

/* Ends the transaction a function began: commits on success, and on any
 * failure rolls back everything it wrote. */
static sl_status finish(sl_store *s, sl_status st, sl_error *err)
{
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    return sl_store_commit(s, err);
}

sl_status sl_journal_get(sl_store *s, int64_t id, sl_journal_test *out, sl_error *err)
{
    if (!s || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or test given");
    memset(out, 0, sizeof *out);
    sl_status st = sl_store_begin(s, false, err);
    if (st != SL_OK)
        return st;
    st = load_test(s, id, out, err);
    st = finish(s, st, err);
    if (st != SL_OK)
        sl_journal_test_clear(out);
    return st;
}

sl_status sl_journal_list(sl_store *s, sl_journal_filter filter, sl_journal_test **out,
                          size_t *count, sl_error *err)
{
    if (!s || !out || !count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    *out = NULL;
    *count = 0;
    static const char *const sql[] = {
        [SL_JOURNAL_ALL] = "SELECT id FROM journal_tests ORDER BY id",
        [SL_JOURNAL_OPEN] = "SELECT id FROM journal_tests WHERE outcome IS NULL ORDER BY id",
        [SL_JOURNAL_CLOSED] = "SELECT id FROM journal_tests WHERE outcome IS NOT NULL ORDER BY id",
    };
    if ((unsigned)filter > SL_JOURNAL_CLOSED)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "unknown journal filter");
    sl_status st = sl_store_begin(s, false, err);
    if (st != SL_OK)
        return st;
    db_stmt *q;
    if (db_prepare(sl_store_db(s), sql[filter], false, &q, NULL) != SL_OK)
        return finish(s, sl_store_fail(s, err, "cannot read the journal"), err);
    sl_journal_test *items = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while (st == SL_OK && (rc = db_step(q)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            sl_journal_test *more = realloc(items, cap * sizeof *more);
            if (!more) {
                st = sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
                break;
            }
            items = more;
        }
        st = load_test(s, db_column_int(q, 0), &items[n], err);
        if (st == SL_OK)
            n++;
    }
    if (st == SL_OK && rc != DB_DONE)
        st = sl_store_fail(s, err, "cannot read the journal");
    db_finalize(q);
    st = finish(s, st, err);
    if (st != SL_OK) {
        sl_journal_tests_free(items, n);
        return st;
    }
    *out = items;
    *count = n;
    return SL_OK;
}

/* ---- writing ---- */

/* Another open test on the same creator and metric, or 0. */
static sl_status open_rival(sl_store *s, const char *creator, sl_metric metric, int64_t self,
                            int64_t *rival, sl_error *err)
{
    db_stmt *q;
    *rival = 0;
    if (db_prepare(sl_store_db(s),
                   "SELECT id FROM journal_tests WHERE outcome IS NULL AND creator = ?1 "
                   "AND metric = ?2 AND id != ?3 ORDER BY id LIMIT 1",
                   false, &q, NULL) != SL_OK)
        return sl_store_fail(s, err, "cannot read the journal");
    db_bind_text(q, 1, creator);
    db_bind_text(q, 2, sl_metric_name(metric));
    db_bind_int(q, 3, self);
    int rc = db_step(q);
    if (rc == DB_ROW)
        *rival = db_column_int(q, 0);
    sl_status st = rc == DB_ERROR ? sl_store_fail(s, err, "cannot read the journal") : SL_OK;
    db_finalize(q);
    return st;
}

/* Refuses, or with `force` warns about, a second open test on one creator
 * and metric: its result and the other's would mix. */
static sl_status one_change_at_a_time(sl_store *s, sl_journal_test *t, bool force, sl_error *err)
{
    int64_t rival;
    sl_status st = open_rival(s, t->creator, t->metric, t->id, &rival, err);
    if (st != SL_OK || !rival)
        return st;
    char who[SL_MAX_ID + 16];
    snprintf(who, sizeof who, t->creator[0] ? "creator %s" : "typed counts with no creator%s",
             t->creator);
    if (!force)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "open",
                       "test #%lld is still open on %s for %s: two changes tested at once "
                       "cannot be told apart, so close it first or force a second test (--force)",
                       (long long)rival, metric_label(t->metric), who);
    snprintf(t->warning, sizeof t->warning,
             "test #%lld is also open on %s for %s: two changes tested at once cannot be told "
             "apart, so neither result will say which change moved the number.",
             (long long)rival, metric_label(t->metric), who);
    return SL_OK;
}

static void bind_count(db_stmt *q, int col, const sl_funnel *f, sl_field field)
{
    double v;
    if (sl_funnel_get(f, field, &v))
        db_bind_int(q, col, (int64_t)v);
    else
        db_bind_null(q, col);
}

static sl_status step_done(sl_store *s, db_stmt *q, const char *what, sl_error *err)
{
    int rc = db_step(q);
    sl_status st = rc == DB_DONE ? SL_OK : sl_store_fail(s, err, what);
    db_finalize(q);
    return st;
}

static sl_status insert_test(sl_store *s, sl_journal_test *t, sl_error *err)
{
    db_stmt *q;
    if (db_prepare(sl_store_db(s),
                   "INSERT INTO journal_tests (creator, step, metric, change, hypothesis, "
                   "expectation, before_video, before_import, before_impressions, "
                   "before_clicks, before_orders, mde, alpha, power, tau2, "
                   "sample_feasible, b_needed, min_detectable_lift, planned_at, change_tag) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                   "?15, ?16, ?17, ?18, ?19, ?20) RETURNING id",
                   false, &q, NULL) != SL_OK)
        return sl_store_fail(s, err, "cannot write the journal");
    db_bind_text(q, 1, t->creator);
    db_bind_text(q, 2, sl_loop_step_name(t->step));
    db_bind_text(q, 3, sl_metric_name(t->metric));
    db_bind_text(q, 4, t->change);
    db_bind_text(q, 5, t->hypothesis);
    db_bind_text(q, 6, t->expectation);
    db_bind_text(q, 7, t->before_video);
    db_bind_int(q, 8, t->before_import);
    bind_count(q, 9, &t->before_funnel, SL_FIELD_PRODUCT_IMPRESSIONS);
    bind_count(q, 10, &t->before_funnel, SL_FIELD_PRODUCT_CLICKS);
    bind_count(q, 11, &t->before_funnel, SL_FIELD_ORDERS);
    db_bind_double(q, 12, t->mde);
    db_bind_double(q, 13, t->alpha);
    db_bind_double(q, 14, t->power);
    db_bind_double(q, 15, t->tau2);
    db_bind_int(q, 16, t->sample_feasible);
    db_bind_int(q, 17, (int64_t)t->b_needed);
    if (isfinite(t->min_detectable_lift))
        db_bind_double(q, 18, t->min_detectable_lift);
    else
        db_bind_null(q, 18);
    db_bind_text(q, 19, t->planned_at);
    db_bind_text(q, 20, sl_change_tag_name(t->tag));
    sl_status st = SL_OK;
    if (db_step(q) == DB_ROW)
        t->id = db_column_int(q, 0);
    else
        st = sl_store_fail(s, err, "cannot write the journal");
    if (st == SL_OK && db_step(q) != DB_DONE)
        st = sl_store_fail(s, err, "cannot write the journal");
    db_finalize(q);
    return st;
}

/* Fills the before-video part of a new plan from the store or typed counts. */
static sl_status plan_before(sl_store *s, const sl_journal_plan_input *in, sl_journal_test *t,
                             sl_error *err)
{
    if (!in->before_video) {
        sl_status st = check_arm(in->metric, in->before, "before", "before-video", err);
        if (st != SL_OK)
            return st;
        t->before = in->before;
        bool ctor = in->metric == SL_METRIC_CTOR;
        sl_funnel_set(&t->before_funnel, ctor ? SL_FIELD_PRODUCT_CLICKS
                                              : SL_FIELD_PRODUCT_IMPRESSIONS,
                      (double)in->before.trials);
        sl_funnel_set(&t->before_funnel, ctor ? SL_FIELD_ORDERS : SL_FIELD_PRODUCT_CLICKS,
                      (double)in->before.successes);
        snprintf(t->creator, sizeof t->creator, "%s", in->creator ? in->creator : "");
        return SL_OK;
    }
    size_t len = strlen(in->before_video);
    if (len == 0 || len >= SL_MAX_ID)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "before-video",
                       "a video ID is 1 to %d characters", SL_MAX_ID - 1);
    sl_video_counts v;
    sl_status st = sl_store_video_visible(s, in->before_video, in->reader, &v, err);
    if (st != SL_OK) {
        if (err && st == SL_ERR_NOT_FOUND)
            err->field = "before-video";
        return st;
    }
    static const sl_field kept[] = {SL_FIELD_PRODUCT_IMPRESSIONS, SL_FIELD_PRODUCT_CLICKS,
                                    SL_FIELD_ORDERS};
    for (int i = 0; i < 3; i++) {
        double x;
        if (sl_funnel_get(&v.funnel, kept[i], &x))
            sl_funnel_set(&t->before_funnel, kept[i], x);
    }
    char which[SL_MAX_ID + 48];
    snprintf(which, sizeof which, "before-video %s (import #%lld)", in->before_video,
             (long long)v.import_id);
    st = arm_from_funnel(in->metric, &t->before_funnel, "before-video", which, &t->before, err);
    if (st == SL_OK)
        st = check_arm(in->metric, t->before, "before-video", which, err);
    if (st != SL_OK)
        return st;
    if (in->creator && v.creator[0] && strcmp(in->creator, v.creator) != 0)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "creator",
                       "the before-video's rows name creator %s, not %s; leave the creator out "
                       "or give the one the export names",
                       v.creator, in->creator);
    snprintf(t->creator, sizeof t->creator, "%s", in->creator ? in->creator : v.creator);
    snprintf(t->before_video, sizeof t->before_video, "%s", in->before_video);
    t->before_import = v.import_id;
    return SL_OK;
}

sl_status sl_journal_plan(sl_store *s, const sl_journal_plan_input *in, sl_journal_test *out,
                          sl_error *err)
{
    if (!s || !in || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, plan or result given");
    memset(out, 0, sizeof *out);
    sl_journal_test *t = out;
    if ((unsigned)in->step >= SL_LOOP__COUNT || (unsigned)in->metric > SL_METRIC_CTOR)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "step", "unknown step or metric");
    if ((unsigned)in->tag >= SL_TAG__COUNT)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "tag",
                       "unknown change tag; the tags are other, card-timing, hook, "
                       "proof-moment, cta, product and price");
    sl_status st = check_text("change", "change", in->change, true, err);
    if (st == SL_OK)
        st = check_text("hypothesis", "hypothesis", in->hypothesis, true, err);
    if (st == SL_OK)
        st = check_text("expect", "expectation", in->expectation, false, err);
    if (st == SL_OK && in->creator && (strlen(in->creator) >= SL_MAX_ID || !*in->creator))
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "creator",
                     "a creator ID is 1 to %d characters", SL_MAX_ID - 1);
    if (st == SL_OK && in->creator)
        st = check_text("creator", "creator ID", in->creator, true, err);
    if (st == SL_OK)
        st = take_time(in->at, t->planned_at, err);
    if (st != SL_OK)
        return st;
    t->step = in->step;
    t->metric = in->metric;
    t->tag = in->tag;
    t->mde = in->mde ? in->mde : DEFAULT_MDE;
    snprintf(t->change, sizeof t->change, "%s", in->change);
    snprintf(t->hypothesis, sizeof t->hypothesis, "%s", in->hypothesis);
    snprintf(t->expectation, sizeof t->expectation, "%s", in->expectation ? in->expectation : "");

    st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    st = plan_before(s, in, t, err);
    if (st == SL_OK)
        st = sl_journal_size_plan(t, err);
    if (st == SL_OK)
        st = one_change_at_a_time(s, t, in->force, err);
    if (st == SL_OK)
        st = insert_test(s, t, err);
    if (st == SL_OK)
        st = sl_store_audit(s, "journal-plan", "journal-test", t->id, t->change, err);
    return finish(s, st, err);
}

/* A closed test refuses every change. */
static sl_status still_open(const sl_journal_test *t, const char *what, sl_error *err)
{
    if (!t->closed)
        return SL_OK;
    return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "closed",
                   "test #%lld was closed on %s (%s); a closed test is kept as it is and takes "
                   "no %s: plan a new test instead",
                   (long long)t->id, t->closed_at, sl_journal_outcome_name(t->outcome), what);
}

/* Begins a write and loads test `id`, which must still be open (`why`
 * names the refused change).  *began: a transaction is open, for the
 * caller to finish whatever this returns. */
static sl_status begin_with_open_test(sl_store *s, int64_t id, sl_journal_test *out,
                                      const char *why, bool *began, sl_error *err)
{
    sl_status st = sl_store_begin(s, true, err);
    *began = st == SL_OK;
    if (st == SL_OK)
        st = load_test(s, id, out, err);
    if (st == SL_OK)
        st = still_open(out, why, err);
    return st;
}


sl_status sl_journal_replan(sl_store *s, int64_t id, const sl_metric *metric, double mde,
                            bool force, sl_journal_test *out, sl_error *err)
{
    if (!s || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    memset(out, 0, sizeof *out);
    if (!metric && !mde)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "metric",
                       "nothing to change: give a new metric or a new lift");
    bool began;
    sl_status st = begin_with_open_test(s, id, out, "new plan", &began, err);
    if (!began)
        return st;
    if (st == SL_OK && out->look_count)
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "frozen",
                     "test #%lld is frozen: its first look was taken on %s, and a metric or "
                     "lift chosen after seeing data makes its p-values meaningless; close it "
                     "and plan a new test instead",
                     (long long)id, out->looks[0].taken_at);
    if (st == SL_OK && metric) {
        out->metric = *metric;
        st = arm_from_funnel(*metric, &out->before_funnel, "metric", "before-video",
                             &out->before, err);
    }
    if (st == SL_OK && mde)
        out->mde = mde;
    if (st == SL_OK)
        st = sl_journal_size_plan(out, err);
    if (st == SL_OK)
        st = one_change_at_a_time(s, out, force, err);
    db_stmt *q = NULL;
    if (st == SL_OK && db_prepare(sl_store_db(s),
                                  "UPDATE journal_tests SET metric = ?2, mde = ?3, "
                                  "tau2 = ?4, sample_feasible = ?5, b_needed = ?6, "
                                  "min_detectable_lift = ?7 WHERE id = ?1",
                                  false, &q, NULL) != SL_OK)
        st = sl_store_fail(s, err, "cannot write the journal");
    if (st == SL_OK) {
        db_bind_int(q, 1, id);
        db_bind_text(q, 2, sl_metric_name(out->metric));
        db_bind_double(q, 3, out->mde);
        db_bind_double(q, 4, out->tau2);
        db_bind_int(q, 5, out->sample_feasible);
        db_bind_int(q, 6, (int64_t)out->b_needed);
        if (isfinite(out->min_detectable_lift))
            db_bind_double(q, 7, out->min_detectable_lift);
        else
            db_bind_null(q, 7);
        st = step_done(s, q, "cannot write the journal", err);
    }
    if (st == SL_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "%s, mde %g", sl_metric_name(out->metric), out->mde);
        st = sl_store_audit(s, "journal-replan", "journal-test", id, detail, err);
    }
    st = finish(s, st, err);
    if (st != SL_OK)
        sl_journal_test_clear(out);
    return st;
}

void sl_journal_look_options(const sl_journal_test *t, size_t earlier, sl_compare_options *o)
{
    memset(o, 0, sizeof *o);
    o->mde = t->mde;
    o->alpha = t->alpha;
    o->power = t->power;
    o->tau2 = t->tau2;
    o->planned_b = t->sample_feasible ? t->b_needed : 0;
    if (earlier > 0)
        o->always_valid_p = t->looks[earlier - 1].p_always_valid;
    /* The fixed-sample test is taken once: at the first look that reached
     * the planned sample.  Later looks keep its answer. */
    for (size_t j = 0; o->planned_b && j < earlier; j++) {
        if (t->looks[j].after.trials < o->planned_b)
            continue;
        sl_compare_options once = *o;
        once.always_valid_p = 0;
        sl_compare_result r;
        if (sl_compare(t->metric, t->before, t->looks[j].after, &once, &r, NULL) == SL_OK) {
            o->has_planned_look = true;
            o->planned_look_p = r.p_value;
            o->planned_look_diff = r.diff;
        }
        break;
    }
}

sl_status sl_journal_verdict(const sl_journal_test *t, size_t index, sl_compare_result *out,
                             sl_error *err)
{
    if (!t || !out || index >= t->look_count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no such look");
    sl_compare_options o;
    sl_journal_look_options(t, index, &o);
    return sl_compare(t->metric, t->before, t->looks[index].after, &o, out, err);
}

/* The after-video's counts for a new look, checked against the previous. */
static sl_status look_counts(sl_store *s, const sl_journal_test *t,
                             const sl_journal_look_input *in, sl_journal_look *l, sl_error *err)
{
    if (in->after_video) {
        size_t len = strlen(in->after_video);
        if (len == 0 || len >= SL_MAX_ID)
            return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "after-video",
                           "a video ID is 1 to %d characters", SL_MAX_ID - 1);
        if (t->before_video[0] && strcmp(in->after_video, t->before_video) == 0)
            return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "after-video",
                           "video %s is this test's before-video; a look needs the video made "
                           "with the change",
                           in->after_video);
        sl_video_counts v;
        sl_status st = sl_store_video_visible(s, in->after_video, in->reader, &v, err);
        if (st != SL_OK) {
            if (err && st == SL_ERR_NOT_FOUND)
                err->field = "after-video";
            return st;
        }
        char which[SL_MAX_ID + 48];
        snprintf(which, sizeof which, "after-video %s (import #%lld)", in->after_video,
                 (long long)v.import_id);
        st = arm_from_funnel(t->metric, &v.funnel, "after-video", which, &l->after, err);
        if (st == SL_OK)
            st = check_arm(t->metric, l->after, "after-video", which, err);
        if (st != SL_OK)
            return st;
        snprintf(l->after_video, sizeof l->after_video, "%s", in->after_video);
        l->after_import = v.import_id;
    } else {
        sl_status st = check_arm(t->metric, in->after, "after", "after-video", err);
        if (st != SL_OK)
            return st;
        l->after = in->after;
    }
    if (!t->look_count)
        return SL_OK;
    const sl_journal_look *prev = &t->looks[t->look_count - 1];
    if (prev->after_video[0] && l->after_video[0] && strcmp(prev->after_video, l->after_video))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "after-video",
                       "look %u of test #%lld was of video %s, not %s: one test follows one "
                       "after-video",
                       prev->seq, (long long)t->id, prev->after_video, l->after_video);
    if (l->after.trials < prev->after.trials || l->after.successes < prev->after.successes) {
        char a[32], b[32], c[32], d[32];
        return sl_fail(err, SL_ERR_INCONSISTENT_FUNNEL, "after",
                       "this look has %s %s and %s %s, fewer than look %u (%s and %s); counts "
                       "so far can only grow, so check that both come from the same video",
                       sl_format_count(a, sizeof a, (double)l->after.trials), trials_name(t->metric),
                       sl_format_count(b, sizeof b, (double)l->after.successes),
                       successes_name(t->metric), prev->seq,
                       sl_format_count(c, sizeof c, (double)prev->after.trials),
                       sl_format_count(d, sizeof d, (double)prev->after.successes));
    }
    return SL_OK;
}

/* A new look, a close: never before the plan or the last look. */
static sl_status not_before(const sl_journal_test *t, const char *when, sl_error *err)
{
    const char *last = t->look_count ? t->looks[t->look_count - 1].taken_at : t->planned_at;
    if (strcmp(when, last) >= 0)
        return SL_OK;
    return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "at",
                   "%s is before the %s at %s; the journal keeps events in the order they "
                   "happened",
                   when, t->look_count ? "last look" : "plan", last);
}

sl_status sl_journal_add_look(sl_store *s, int64_t id, const sl_journal_look_input *in,
                          sl_journal_test *out, sl_compare_result *verdict, sl_error *err)
{
    if (!s || !in || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, look or result given");
    memset(out, 0, sizeof *out);
    sl_journal_look l = {0};
    sl_status st = take_time(in->at, l.taken_at, err);
    if (st != SL_OK)
        return st;
    bool began;
    st = begin_with_open_test(s, id, out, "more looks", &began, err);
    if (!began)
        return st;
    if (st == SL_OK)
        st = look_counts(s, out, in, &l, err);
    if (st == SL_OK)
        st = not_before(out, l.taken_at, err);
    sl_compare_result r;
    if (st == SL_OK) {
        sl_compare_options o;
        sl_journal_look_options(out, out->look_count, &o);
        st = sl_compare(out->metric, out->before, l.after, &o, &r, err);
    }
    if (st == SL_OK) {
        l.seq = (uint32_t)out->look_count + 1;
        l.p_look = r.msprt_p;
        double prev = out->look_count ? out->looks[out->look_count - 1].p_always_valid : 1;
        l.p_always_valid = l.p_look < prev ? l.p_look : prev;
        db_stmt *q;
        if (db_prepare(sl_store_db(s),
                       "INSERT INTO journal_looks VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                       "?8, ?9)",
                       false, &q, NULL) != SL_OK) {
            st = sl_store_fail(s, err, "cannot write the journal");
        } else {
            db_bind_int(q, 1, id);
            db_bind_int(q, 2, l.seq);
            db_bind_text(q, 3, l.taken_at);
            db_bind_text(q, 4, l.after_video);
            db_bind_int(q, 5, l.after_import);
            db_bind_int(q, 6, (int64_t)l.after.trials);
            db_bind_int(q, 7, (int64_t)l.after.successes);
            db_bind_double(q, 8, l.p_look);
            db_bind_double(q, 9, l.p_always_valid);
            st = step_done(s, q, "cannot write the journal", err);
        }
    }
    if (st == SL_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "look %u", (unsigned)l.seq);
        st = sl_store_audit(s, "journal-look", "journal-test", id, detail, err);
    }
    if (st == SL_OK) {
        sl_journal_test_clear(out);
        st = load_test(s, id, out, err);
    }
    st = finish(s, st, err);
    if (st != SL_OK) {
        sl_journal_test_clear(out);
        return st;
    }
    if (verdict)
        *verdict = r;
    return SL_OK;
}

sl_status sl_journal_close(sl_store *s, int64_t id, sl_journal_outcome outcome,
                           const char *lesson, const char *at, sl_journal_test *out,
                           sl_error *err)
{
    if (!s || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    memset(out, 0, sizeof *out);
    if ((unsigned)outcome > SL_OUTCOME_ABANDONED)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "outcome",
                       "the outcome is one of b-better, a-better, no-clear-difference, "
                       "abandoned");
    char when[24];
    sl_status st = check_text("lesson", "lesson", lesson, true, err);
    if (st == SL_OK)
        st = take_time(at, when, err);
    if (st != SL_OK)
        return st;
    bool began;
    st = begin_with_open_test(s, id, out, "second close", &began, err);
    if (!began)
        return st;
    if (st == SL_OK)
        st = not_before(out, when, err);
    db_stmt *q = NULL;
    if (st == SL_OK && db_prepare(sl_store_db(s),
                                  "UPDATE journal_tests SET outcome = ?2, lesson = ?3, "
                                  "closed_at = ?4 WHERE id = ?1",
                                  false, &q, NULL) != SL_OK)
        st = sl_store_fail(s, err, "cannot write the journal");
    else if (st == SL_OK) {
        db_bind_int(q, 1, id);
        db_bind_text(q, 2, sl_journal_outcome_name(outcome));
        db_bind_text(q, 3, lesson);
        db_bind_text(q, 4, when);
        st = step_done(s, q, "cannot write the journal", err);
    }
    if (st == SL_OK)
        st = sl_store_audit(s, "journal-close", "journal-test", id,
                            sl_journal_outcome_name(outcome), err);
    if (st == SL_OK) {
        out->closed = true;
        out->outcome = outcome;
        snprintf(out->lesson, sizeof out->lesson, "%s", lesson);
        memcpy(out->closed_at, when, sizeof when);
    }
    st = finish(s, st, err);
    if (st != SL_OK) {
        sl_journal_test_clear(out);
        return st;
    }
    /* The outcome is the creator's call; say so when the data did not make it. */
    sl_compare_result r;
    if (outcome == SL_OUTCOME_ABANDONED)
        return SL_OK;
    if (!out->look_count) {
        snprintf(out->warning, sizeof out->warning,
                 "no look was taken, so '%s' is your reading, not the data's.",
                 sl_journal_outcome_name(outcome));
        return SL_OK;
    }
    if (sl_journal_verdict(out, out->look_count - 1, &r, NULL) == SL_OK &&
        strcmp(sl_compare_verdict_name(r.verdict), sl_journal_outcome_name(outcome)) != 0)
        snprintf(out->warning, sizeof out->warning,
                 "the last look's verdict is %s, so '%s' is your reading, not the data's.",
                 sl_compare_verdict_name(r.verdict), sl_journal_outcome_name(outcome));
    return SL_OK;
}
