/*
 * report.c — groups become report rows: sums, ranks, totals, the baselines
 * each row is read against, and the CSV output.
 *
 * Ratios are never averaged: a row's rates come from its summed parts
 * (sl_funnel_rates).  A rate the file gives without its parts is kept as
 * reported, and only for a group of one file row (two reported rates cannot
 * be combined without their denominators).  The baseline of a row is the
 * median over the other rows, so a row is never compared with itself.
 */
#include "group.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The four baseline quantities, in sl_report.sorted[] order. */
enum { BASE_VIEWS, BASE_PRODUCT_CTR, BASE_VIDEO_CTR, BASE_CTOR, BASE__COUNT };

/* A row's value of baseline quantity q (its rate from parts, else as reported). */
static bool base_value(const sl_report_row *row, int q, double *out)
{
    if (q == BASE_VIEWS)
        return sl_funnel_get(&row->funnel, SL_FIELD_VIEWS, out);
    sl_rate_id id = q == BASE_PRODUCT_CTR ? SL_RATE_PRODUCT_CTR
                    : q == BASE_VIDEO_CTR ? SL_RATE_VIDEO_CTR
                                          : SL_RATE_CTOR;
    sl_field n, d;
    double scale, num, den;
    sl_rate_parts(id, &n, &d, &scale);
    if (sl_funnel_get(&row->funnel, n, &num) && sl_funnel_get(&row->funnel, d, &den)) {
        if (den <= 0)
            return false;
        *out = num / den * scale;
        return true;
    }
    if (row->reported_present & (1u << id)) {
        *out = row->reported[id];
        return true;
    }
    return false;
}

/* Sorts a[0, n) ascending (no NaN) by an LSD radix sort on the bits, eight
 * passes of one byte: qsort's calls to a comparison took most of the time
 * of building a 50,000-row report.  Negative numbers have their bits
 * flipped so the unsigned order is the numeric order; -0 is made +0 first,
 * as it compares equal.  Falls back to qsort when memory runs out. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline uint64_t double_order(double v)
{
    uint64_t u;
    v += 0.0; /* -0 → +0 */
    memcpy(&u, &v, sizeof u);
    return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

static void sort_doubles(double *a, size_t n)
{
    if (n < 2)
        return;
    uint64_t *key = malloc(n * 2 * sizeof *key);
    if (!key) {
        qsort(a, n, sizeof *a, cmp_double);
        return;
    }
    uint64_t *tmp = key + n;
    size_t count[8][256] = {{0}};
    for (size_t i = 0; i < n; i++) {
        key[i] = double_order(a[i]);
        for (int d = 0; d < 8; d++)
            count[d][(key[i] >> (8 * d)) & 0xFF]++;
    }
    for (int d = 0; d < 8; d++) {
        if (count[d][(key[0] >> (8 * d)) & 0xFF] == n)
            continue; /* every key has the same byte here */
        size_t at = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[d][b];
            count[d][b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[d][(key[i] >> (8 * d)) & 0xFF]++] = key[i];
        uint64_t *swap = key;
        key = tmp;
        tmp = swap;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = key[i] >> 63 ? key[i] & ~((uint64_t)1 << 63) : ~key[i];
        memcpy(&a[i], &u, sizeof u);
    }
    free(key < tmp ? key : tmp);
}

/* Rank order: GMV, then orders, product clicks, views (all descending; an
 * absent value ranks below 0), then key, so the order never depends on the
 * input's row order.  The sort keys are taken out of the groups once, and
 * the rows are then built in rank order (no second copy of 50,000 rows). */
typedef struct rank_key {
    double k[4];
    const group *g;
} rank_key;

static int cmp_rank(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    for (size_t i = 0; i < 4; i++)
        if (x->k[i] != y->k[i])
            return x->k[i] < y->k[i] ? 1 : -1;
    return strcmp(x->g->key, y->g->key);
}

/* The groups in rank order; NULL when memory runs out. */
static rank_key *rank_groups(const group_table *groups, size_t n, sl_error *err)
{
    static const sl_field order[] = {SL_FIELD_GMV, SL_FIELD_ORDERS, SL_FIELD_PRODUCT_CLICKS,
                                     SL_FIELD_VIEWS};
    rank_key *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) {
        sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const group *g = group_table_at(groups, i);
        keys[i].g = g;
        for (size_t k = 0; k < 4; k++) {
            sl_field f = order[k];
            keys[i].k[k] = !(g->present & (1u << f)) ? -1
                           : sl_field_is_money(f)    ? (double)g->sum[f] / 100.0 + g->money[f]
                                                     : (double)g->sum[f];
        }
    }
    qsort(keys, n, sizeof *keys, cmp_rank);
    return keys;
}

/* The sorted per-quantity values of `rows`, which medians are taken over. */
static sl_status take_medians_from(sl_report *r, const sl_report_row *rows, size_t n,
                                   sl_error *err)
{
    for (int q = 0; q < BASE__COUNT; q++) {
        r->sorted[q] = malloc((n ? n : 1) * sizeof(double));
        if (!r->sorted[q])
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (base_value(&rows[i], q, &r->sorted[q][k]))
                k++;
        sort_doubles(r->sorted[q], k);
        r->sorted_count[q] = k;
    }
    return SL_OK;
}

sl_status report_finish(sl_report *r, const group_table *groups, sl_error *err);
sl_status report_use_history(sl_report *r, sl_store *store, sl_error *err);

sl_status report_finish(sl_report *r, const group_table *groups, sl_error *err)
{
    size_t n = group_table_count(groups);
    rank_key *ranked = rank_groups(groups, n, err);
    if (!ranked)
        return SL_ERR_NO_MEMORY;
    r->rows = calloc(n ? n : 1, sizeof *r->rows);
    if (!r->rows) {
        free(ranked);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    uint64_t total_count[SL_FIELD__COUNT] = {0};
    int64_t total_hundredths[SL_FIELD__COUNT] = {0};
    double total_money[SL_FIELD__COUNT] = {0};
    uint32_t total_present = 0;
    for (size_t i = 0; i < n; i++) {
        const group *g = ranked[i].g;
        sl_report_row *row = &r->rows[i];
        snprintf(row->key, sizeof row->key, "%s", g->key);
        if (g->label)
            snprintf(row->label, sizeof row->label, "%s", g->label);
        row->source_rows = g->rows;
        row->rank = i + 1;
        sl_status st = group_funnel(g, &row->funnel, err);
        if (st != SL_OK) {
            free(ranked);
            return st;
        }
        if (g->rows == 1) {
            row->reported_present = g->reported_present;
            memcpy(row->reported, g->reported, sizeof row->reported);
        }
        total_present |= g->present;
        for (int f = 0; f < SL_FIELD__COUNT; f++) {
            if (sl_field_is_money((sl_field)f))
                total_hundredths[f] += g->sum[f];
            else
                total_count[f] += (uint64_t)g->sum[f];
            total_money[f] += g->money[f];
        }
    }
    free(ranked);
    r->row_count = n;
    sl_report_row *t = &r->totals;
    memset(t, 0, sizeof *t);
    t->source_rows = r->rows_read;
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        if (!(total_present & (1u << f)))
            continue;
        double v;
        if (sl_field_is_money((sl_field)f)) {
            v = (double)total_hundredths[f] / 100.0 + total_money[f];
        } else {
            if (total_count[f] > SL_MAX_COUNT_U64)
                return sl_fail(err, SL_ERR_COUNT_TOO_LARGE, sl_field_name((sl_field)f),
                               "the total of %s is above 2^53, the largest exact count",
                               sl_field_label((sl_field)f));
            v = (double)total_count[f];
        }
        sl_funnel_set(&t->funnel, (sl_field)f, v);
    }
    if (n == 1) {
        t->reported_present = r->rows[0].reported_present;
        memcpy(t->reported, r->rows[0].reported, sizeof t->reported);
    }
    r->baseline_groups = n;
    return take_medians_from(r, r->rows, n, err);
}

/* ---- baselines from earlier imports ---- */

void report_record_values(const sl_record *rec, row_values *v)
{
    v->present = rec->funnel.present;
    v->money_exact = 0;
    v->reported_present = 0;
    v->label = rec->label[0] ? rec->label : NULL;
    v->label_len = strlen(rec->label);
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        if (!(v->present & (1u << f)))
            continue;
        double x = rec->funnel.value[f];
        if (SL_MONEY_FIELDS & (1u << f)) {
            /* Amounts written with at most two decimals come back as exact
             * hundredths (so sums stay exact); any other amount is summed
             * as it is. */
            if (sl_money_hundredths(x, &v->hundredths[f])) {
                v->money_exact |= 1u << f;
            } else {
                v->hundredths[f] = 0;
                v->money[f] = x;
            }
        } else {
            v->count[f] = (uint64_t)x;
        }
    }
}

typedef struct history_walk {
    const sl_report *report;
    group_table *groups;
    sl_dimension by;
    const char *creator;        /* the account: its creator key, or "" for none */
    sl_status status;
} history_walk;

static sl_status add_history_record(void *ctx, const sl_record *rec)
{
    history_walk *h = ctx;
    const char *key = rec->key[h->by];
    if (!key[0])
        return SL_OK;
    /* Only the same account's rows: the same creator, or (for a creator's own
     * exports, which name no creator) rows that name none either. */
    if (strcmp(rec->key[SL_DIM_CREATOR], h->creator) != 0)
        return SL_OK;
    /* The same video (or product…) read before is not "another" row. */
    for (size_t i = 0; i < h->report->row_count; i++)
        if (strcmp(h->report->rows[i].key, key) == 0)
            return SL_OK;
    row_values v;
    report_record_values(rec, &v);
    v.label = NULL;
    v.label_len = 0;
    if (group_table_add(h->groups, key, strlen(key), &v) != SL_OK)
        return h->status = SL_ERR_NO_MEMORY;
    return SL_OK;
}

sl_status report_use_history(sl_report *r, sl_store *store, sl_error *err)
{
    if (!store || !r->grouped || r->by_channel || r->row_count >= 6)
        return SL_OK;
    /* Practice data is nobody's baseline, and a file of several creators
     * has no one account whose history fits every row. */
    const char *creator = r->sources[0].creator;
    for (size_t s = 0; s < r->source_count; s++)
        if (r->sources[s].practice || r->sources[s].several_creators ||
            strcmp(r->sources[s].creator, creator) != 0)
            return SL_OK;
    sl_import *items;
    size_t count;
    sl_status st = sl_store_imports(store, NULL, &items, &count, err);
    if (st != SL_OK)
        return st;
    history_walk h = {.report = r, .groups = group_table_new(), .by = r->by, .creator = creator};
    if (!h.groups) {
        sl_free(items);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    for (size_t i = 0; i < count && st == SL_OK; i++) {
        bool this_run = false;
        for (size_t s = 0; s < r->source_count; s++)
            this_run |= r->sources[s].import_id == items[i].id;
        if (!this_run && !items[i].practice)
            st = sl_store_records(store, items[i].id, add_history_record, &h, err);
    }
    sl_free(items);
    if (st == SL_OK && h.status != SL_OK)
        st = sl_fail(err, h.status, NULL, "out of memory");
    size_t n = group_table_count(h.groups);
    if (st == SL_OK && n >= 5) {
        sl_report_row *rows = calloc(n, sizeof *rows);
        if (!rows) {
            group_table_free(h.groups);
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        }
        for (size_t i = 0; i < n && st == SL_OK; i++)
            st = group_funnel(group_table_at(h.groups, i), &rows[i].funnel, err);
        if (st == SL_OK) {
            for (int q = 0; q < BASE__COUNT; q++) {
                free(r->sorted[q]);
                r->sorted[q] = NULL;
            }
            st = take_medians_from(r, rows, n, err);
            r->baseline_stored = true;
            r->baseline_groups = n;
        }
        free(rows);
    }
    group_table_free(h.groups);
    return st;
}

/* Median of sorted[0..n) with one copy of `skip` left out (when has_skip).
 * `skip` is then one of sorted's values (the row's own, taken by the same
 * base_value that filled it), so no search is needed: with that copy at
 * index `hole` (the first value not below it), the i-th value left is
 * sorted[i] below the hole and sorted[i + 1] from it, and sorted[i] <
 * skip says which side of the hole i is on.  A search per row and
 * quantity, missing the cache at every step, was most of a 50,000-row
 * report's serial time. */
static bool median_without(const double *sorted, size_t n, bool has_skip, double skip,
                           double *out)
{
    size_t m = has_skip && n ? n - 1 : n;
    if (m < 5)
        return false;
#define AT(i) (has_skip && !(sorted[(i)] < skip) ? sorted[(i) + 1] : sorted[(i)])
    *out = m % 2 ? AT(m / 2) : (AT(m / 2 - 1) + AT(m / 2)) / 2.0;
#undef AT
    return true;
}

void sl_report_baseline(const sl_report *r, size_t row, sl_baseline *out)
{
    sl_practice_baseline(out);
    double *values[BASE__COUNT] = {&out->views, &out->product_ctr, &out->video_ctr, &out->ctor};
    sl_baseline_source *sources[BASE__COUNT] = {&out->views_source, &out->product_ctr_source,
                                                &out->video_ctr_source, &out->ctor_source};
    for (int q = 0; q < BASE__COUNT; q++) {
        double own = 0, median;
        /* A row is left out of its own baseline; stored groups never hold it. */
        bool has = !r->baseline_stored && row < r->row_count &&
                   base_value(&r->rows[row], q, &own);
        if (median_without(r->sorted[q], r->sorted_count[q], has, own, &median) &&
            (q == BASE_VIEWS ? median > 0 : median > 0 && median < 1)) {
            *values[q] = median;
            *sources[q] = SL_BASELINE_HISTORY;
        } else {
            *sources[q] = SL_BASELINE_PRACTICE;
        }
    }
}

static sl_status report_decode(const sl_report *r, size_t row, bool brief, sl_decode_result *out,
                               sl_error *err)
{
    const sl_report_row *rr = row < r->row_count ? &r->rows[row] : &r->totals;
    sl_baseline base;
    sl_report_baseline(r, row, &base);
    sl_decode_options opt = {.confidence = r->confidence,
                             .validate_flags = SL_VALIDATE_ALLOW_ORDERS_OVER_CLICKS,
                             .brief = brief};
    return sl_decode(&rr->funnel, &base, &opt, out, err);
}

sl_status sl_report_decode(const sl_report *r, size_t row, sl_decode_result *out, sl_error *err)
{
    return report_decode(r, row, false, out, err);
}

sl_status sl_report_decode_brief(const sl_report *r, size_t row, sl_decode_result *out,
                                 sl_error *err)
{
    return report_decode(r, row, true, out, err);
}

void sl_report_free(sl_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->source_count; i++)
        free(r->sources[i].columns);
    free(r->sources);
    free(r->rows);
    for (int q = 0; q < BASE__COUNT; q++)
        free(r->sorted[q]);
    free(r);
}

/* A copy of `len` bytes, or NULL (also for none). */
static void *copy_bytes(const void *from, size_t len, bool *failed)
{
    if (!from || len == 0)
        return NULL;
    void *to = malloc(len);
    if (!to)
        *failed = true;
    else
        memcpy(to, from, len);
    return to;
}

sl_status sl_report_copy(const sl_report *r, sl_report **out, sl_error *err)
{
    *out = NULL;
    sl_report *c = malloc(sizeof *c);
    if (!c)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    *c = *r;
    bool failed = false;
    c->sources = copy_bytes(r->sources, r->source_count * sizeof *r->sources, &failed);
    for (size_t i = 0; c->sources && i < r->source_count; i++)
        c->sources[i].columns = copy_bytes(r->sources[i].columns,
                                           r->sources[i].column_count * sizeof(sl_column),
                                           &failed);
    c->rows = copy_bytes(r->rows, r->row_count * sizeof *r->rows, &failed);
    for (int q = 0; q < BASE__COUNT; q++)
        c->sorted[q] = copy_bytes(r->sorted[q], r->sorted_count[q] * sizeof(double), &failed);
    if (failed || (r->source_count && !c->sources)) {
        if (!c->sources)
            c->source_count = 0;
        sl_report_free(c);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    *out = c;
    return SL_OK;
}

/* ---- CSV output ---- */

/* The CSV writer formats numbers itself: printf's %g dominated the time of
 * a 50,000-row report.  Line buffers are sized so no field can overflow. */
#define CSV_LINE_MAX 4096

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* v ≥ 0 with `decimals` places, trailing zeros dropped ("0.0300867799",
 * "52.251215", "3"); printf for values too large for the fast path. */
static char *put_fixed(char *p, double v, int decimals, bool trim)
{
    static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
    if (!(v >= 0) || v * scale[decimals] >= 9e18)
        return p + sprintf(p, "%.*f", decimals, v);
    uint64_t scaled = (uint64_t)llround(v * scale[decimals]);
    uint64_t unit = (uint64_t)scale[decimals];
    p = put_u64(p, scaled / unit);
    uint64_t frac = scaled % unit;
    if (decimals == 0 || (trim && frac == 0))
        return p;
    *p++ = '.';
    char digits[16];
    for (int i = decimals - 1; i >= 0; i--) {
        digits[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    int n = decimals;
    while (trim && n > 1 && digits[n - 1] == '0')
        n--;
    memcpy(p, digits, (size_t)n);
    return p + n;
}

/* Significant digits matter for small rates: 0.000012345 needs more than
 * nine decimals to keep five of them. */
static char *put_rate(char *p, double v)
{
    return put_fixed(p, v, v != 0 && v < 1e-3 ? 10 : 9, true);
}

/* A text cell: titles come from the file, so one that would start a
 * spreadsheet formula ("=HYPERLINK(…)") is quoted with a ' in front. */
static char *put_text(char *p, const char *text, size_t room)
{
    bool formula = sl_csv_formula_start(text);
    if (!formula && !strpbrk(text, ",\"\r\n")) {
        size_t n = strnlen(text, room);
        memcpy(p, text, n);
        return p + n;
    }
    *p++ = '"';
    if (formula)
        *p++ = '\'';
    for (const char *t = text; *t && room > 4; t++, room--) {
        if (*t == '"')
            *p++ = '"';
        *p++ = *t;
    }
    *p++ = '"';
    return p;
}

static char *put_field(char *p, const sl_funnel *f, sl_field field)
{
    double v;
    if (!sl_funnel_get(f, field, &v))
        return p;
    return sl_field_is_money(field) ? put_fixed(p, v, 2, false) : put_fixed(p, v, 0, false);
}

static void csv_line(FILE *out, const sl_report *r, size_t index, const sl_report_row *row,
                     bool totals)
{
    char line[CSV_LINE_MAX];
    char *p = line;
    sl_decode_result d;
    bool decoded = report_decode(r, totals ? SIZE_MAX : index, true, &d, NULL) == SL_OK;
    if (totals) {
        memcpy(p, "TOTAL", 5);
        p += 5;
    } else {
        p = put_text(p, row->key, SL_MAX_ID);
    }
    *p++ = ',';
    p = put_text(p, row->label, SL_MAX_LABEL);
    *p++ = ',';
    p = put_u64(p, row->source_rows);
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        *p++ = ',';
        p = put_field(p, &row->funnel, (sl_field)f);
    }
    for (int id = 0; id < SL_RATE__COUNT; id++) {
        const sl_rate *rate = &d.rates[id];
        bool proportion = id != SL_RATE_GPM && id != SL_RATE_AOV;
        *p++ = ',';
        if (decoded && rate->present)
            p = proportion ? put_rate(p, rate->value) : put_fixed(p, rate->value, 6, true);
        else if (row->reported_present & (1u << id))
            p = proportion ? put_rate(p, row->reported[id]) : put_fixed(p, row->reported[id], 6, true);
        *p++ = ',';
        if (decoded && rate->present && rate->has_interval)
            p = put_rate(p, rate->low);
        *p++ = ',';
        if (decoded && rate->present && rate->has_interval)
            p = put_rate(p, rate->high);
    }
    for (int s = 0; s < SL_STEP__COUNT; s++) {
        *p++ = ',';
        if (decoded) {
            const char *v = sl_verdict_name(d.steps[s].verdict);
            size_t n = strlen(v);
            memcpy(p, v, n);
            p += n;
        }
    }
    *p++ = ',';
    if (decoded && d.has_bottleneck) {
        const char *b = sl_step_name(d.bottleneck);
        size_t n = strlen(b);
        memcpy(p, b, n);
        p += n;
    }
    *p++ = ',';
    if (decoded && d.has_bottleneck)
        p = put_text(p, d.next_test.change, 1024);
    *p++ = ',';
    if (!totals)
        p = put_u64(p, row->rank);
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), out);
}

/* Rows [from, to) of the report, each decoded (brief) and formatted. */
typedef struct csv_part {
    const sl_report *report;
    size_t from, to;
    FILE *out;
    char *text;                 /* open_memstream's buffer */
    size_t len;
} csv_part;

static void *csv_part_run(void *arg)
{
    csv_part *p = arg;
    for (size_t i = p->from; i < p->to; i++)
        csv_line(p->out, p->report, i, &p->report->rows[i], false);
    return NULL;
}

/* Below this many rows one thread writes everything. */
#define CSV_PARALLEL_ROWS 4096

sl_status sl_report_write_csv(const sl_report *r, FILE *out)
{
    fputs(sl_report_key_name(r), out);
    fputs(",label,source_rows", out);
    for (int f = 0; f < SL_FIELD__COUNT; f++)
        fprintf(out, ",%s", sl_field_name((sl_field)f));
    for (int id = 0; id < SL_RATE__COUNT; id++)
        fprintf(out, ",%s,%s_low,%s_high", sl_rate_name((sl_rate_id)id),
                sl_rate_name((sl_rate_id)id), sl_rate_name((sl_rate_id)id));
    for (int s = 0; s < SL_STEP__COUNT; s++)
        fprintf(out, ",%s", sl_step_name((sl_step)s));
    fputs(",bottleneck,next_test,rank\n", out);
    /* Decoding is most of the time of a large report (each row is read
     * against its baselines), and rows are independent: a second thread
     * formats the second half into memory while this one writes the first. */
    csv_part second = {.report = r, .from = r->row_count / 2, .to = r->row_count};
    bool helped = false;
    pthread_t helper;
    if (r->row_count >= CSV_PARALLEL_ROWS &&
        (second.out = open_memstream(&second.text, &second.len)) != NULL) {
        helped = pthread_create(&helper, NULL, csv_part_run, &second) == 0;
        if (!helped)
            fclose(second.out);
    }
    csv_part first = {.report = r, .from = 0, .to = helped ? second.from : r->row_count,
                      .out = out};
    csv_part_run(&first);
    bool lost = false;
    if (helped) {
        pthread_join(helper, NULL);
        lost = ferror(second.out) != 0;
        if (fclose(second.out) != 0 || lost) /* fclose sets text and len */
            lost = true;
        else
            fwrite(second.text, 1, second.len, out);
        free(second.text);
    }
    csv_line(out, r, SIZE_MAX, &r->totals, true);
    return ferror(out) || lost ? SL_ERR_IO : SL_OK;
}

bool sl_report_check_text(const sl_source *s, char *text, size_t size)
{
    if (text && size)
        text[0] = '\0';
    if (!s || !s->check_row)
        return false;
    bool agrees = true;
    char differ[300] = "";
    size_t w = 0;
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        if (!(s->check_present & (1u << f)))
            continue;
        double total = s->check_total[f], sum = s->check_sum[f];
        double slack = fmax(0.01, fabs(total) * 0.005);
        if (fabs(total - sum) <= slack)
            continue;
        agrees = false;
        char a[32], b[32];
        if (w + 80 < sizeof differ)
            w += (size_t)snprintf(differ + w, sizeof differ - w, "%s%s %s against %s",
                                  w ? "; " : "", sl_field_label((sl_field)f),
                                  sl_format_count(a, sizeof a, sum),
                                  sl_format_count(b, sizeof b, total));
    }
    if (text && size) {
        if (agrees)
            snprintf(text, size, "the rows add up to the file's own total on row %llu.",
                     (unsigned long long)s->check_row);
        else
            snprintf(text, size,
                     "the rows do NOT add up to the file's own total on row %llu: %s. Some rows "
                     "may be missing from the export, or the total counts something else.",
                     (unsigned long long)s->check_row, differ);
    }
    return agrees;
}

const char *sl_report_key_name(const sl_report *r)
{
    if (!r || !r->grouped)
        return "row";
    return r->by_channel ? "channel" : sl_dimension_name(r->by);
}
