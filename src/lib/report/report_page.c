/*
 * report_page.c — one page of a report, in the order a reader asks for.
 *
 * A large import has tens of thousands of rows; the web app shows them a
 * page at a time, sortable by any column.  The report is built whole first
 * (totals, ranks and the medians every row is read against need all rows),
 * then sorted and cut to the page, so a row reads the same on every page
 * and in every order.  The rows' readings are counted over the whole report
 * before anything is dropped (the summary's "weak step in 5 of 8 videos"),
 * and a reader may keep only the rows with a weak step.
 */
#include "base/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool sl_report_order_parse(const char *name, sl_report_order *out)
{
    for (int o = 0; name && o < SL_ORDER__COUNT; o++)
        if (strcmp(name, sl_report_order_name((sl_report_order)o)) == 0) {
            *out = (sl_report_order)o;
            return true;
        }
    return false;
}

/* The value a row is sorted by; NAN when the row lacks it. */
static double sort_value(const sl_report_row *row, sl_report_order order)
{
    const sl_funnel *f = &row->funnel;
    double a, b;
    switch (order) {
    case SL_ORDER_VIEWS: return sl_funnel_get(f, SL_FIELD_VIEWS, &a) ? a : NAN;
    case SL_ORDER_IMPRESSIONS:
        return sl_funnel_get(f, SL_FIELD_PRODUCT_IMPRESSIONS, &a) ? a : NAN;
    case SL_ORDER_CLICKS: return sl_funnel_get(f, SL_FIELD_PRODUCT_CLICKS, &a) ? a : NAN;
    case SL_ORDER_ORDERS: return sl_funnel_get(f, SL_FIELD_ORDERS, &a) ? a : NAN;
    case SL_ORDER_GMV: return sl_funnel_get(f, SL_FIELD_GMV, &a) ? a : NAN;
    case SL_ORDER_PRODUCT_CTR:
        return sl_funnel_get(f, SL_FIELD_PRODUCT_CLICKS, &a) &&
                       sl_funnel_get(f, SL_FIELD_PRODUCT_IMPRESSIONS, &b) && b > 0
                   ? a / b
                   : NAN;
    case SL_ORDER_CTOR:
        if (!sl_funnel_get(f, SL_FIELD_SKU_ORDERS, &a) && !sl_funnel_get(f, SL_FIELD_ORDERS, &a))
            return NAN;
        return sl_funnel_get(f, SL_FIELD_PRODUCT_CLICKS, &b) && b > 0 ? a / b : NAN;
    default: return (double)row->rank;
    }
}

typedef struct sort_item {
    double value;
    const sl_report_row *row;
} sort_item;

/* qsort has no context argument: the direction is one of two comparators. */
static int compare_rows(const sort_item *x, const sort_item *y, int sign)
{
    bool xm = isnan(x->value), ym = isnan(y->value);
    if (xm != ym)
        return xm ? 1 : -1; /* missing values last, whichever way */
    if (!xm && x->value != y->value)
        return sign * (x->value < y->value ? -1 : 1);
    return x->row->rank < y->row->rank ? -1 : x->row->rank > y->row->rank;
}

static int ascending(const void *a, const void *b)
{
    return compare_rows(a, b, 1);
}

static int descending_order(const void *a, const void *b)
{
    return compare_rows(a, b, -1);
}

static int by_key_then(const sort_item *x, const sort_item *y, int sign)
{
    int c = strcmp(x->row->key, y->row->key);
    if (c)
        return sign * c;
    return x->row->rank < y->row->rank ? -1 : x->row->rank > y->row->rank;
}

static int key_ascending(const void *a, const void *b)
{
    return by_key_then(a, b, 1);
}

static int key_descending(const void *a, const void *b)
{
    return by_key_then(a, b, -1);
}

/* The row's bottleneck (SL_STEP__COUNT: none), and whether a step is too
 * early to read; false when the row cannot be decoded. */
static bool row_reading(const sl_report *r, size_t i, sl_step *weak, bool *early)
{
    sl_decode_result d;
    if (sl_report_decode_brief(r, i, &d, NULL) != SL_OK)
        return false;
    *weak = d.has_bottleneck ? d.bottleneck : SL_STEP__COUNT;
    *early = false;
    for (int s = 0; s < SL_STEP__COUNT; s++)
        *early |= d.steps[s].verdict == SL_VERDICT_TOO_EARLY;
    return true;
}

void sl_report_count_steps(sl_report *r)
{
    if (!r || r->steps.counted)
        return;
    sl_report_steps c = {.counted = true, .rows = r->row_count};
    for (size_t i = 0; i < r->row_count; i++) {
        sl_step weak;
        bool early;
        if (!row_reading(r, i, &weak, &early))
            continue;
        if (weak != SL_STEP__COUNT)
            c.weak[weak]++;
        else if (early)
            c.too_early++;
        else
            c.clear++;
    }
    r->steps = c;
}

sl_status sl_report_keep_weak(sl_report *r, sl_error *err)
{
    if (!r || r->all_rows)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "filter the rows before cutting a page of them");
    sl_report_count_steps(r);
    /* In place: row i moves to kept (≤ i); each is decoded before it can be
     * overwritten.  A row's baseline does not depend on the other rows kept
     * (the medians are the whole report's, in r->sorted). */
    size_t kept = 0;
    for (size_t i = 0; i < r->row_count; i++) {
        sl_step weak;
        bool early;
        if (row_reading(r, i, &weak, &early) && weak != SL_STEP__COUNT)
            r->rows[kept++] = r->rows[i];
    }
    r->row_count = kept;
    r->weak_only = true;
    return SL_OK;
}

/* The rows first … first + count − 1 of `r` in the chosen order, as a new
 * array of *kept rows. */
static sl_status cut_page(const sl_report *r, sl_report_order order, bool descending,
                          size_t first, size_t count, sl_report_row **out, size_t *kept,
                          sl_error *err)
{
    if ((unsigned)order >= SL_ORDER__COUNT)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "unknown row order");
    if (r->all_rows)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "the report is already one page");
    size_t n = r->row_count;
    size_t keep = first < n ? (count < n - first ? count : n - first) : 0;
    sort_item *items = malloc((n ? n : 1) * sizeof *items);
    sl_report_row *page = malloc((keep ? keep : 1) * sizeof *page);
    if (!items || !page) {
        free(items);
        free(page);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        items[i] = (sort_item){sort_value(&r->rows[i], order), &r->rows[i]};
    int (*compare)(const void *, const void *) =
        order == SL_ORDER_KEY ? (descending ? key_descending : key_ascending)
                              : (descending ? descending_order : ascending);
    /* Rows are kept in rank order, the order a page is first asked in:
     * then one pass finds them sorted and the page is a slice.  Sorting
     * them anyway was most of a served report page's time (qsort of every
     * row of a large import, for each page of 100). */
    size_t in_order = 1;
    while (in_order < n && compare(&items[in_order - 1], &items[in_order]) <= 0)
        in_order++;
    if (in_order < n)
        qsort(items, n, sizeof *items, compare);
    for (size_t i = 0; i < keep; i++)
        page[i] = *items[first + i].row;
    free(items);
    *out = page;
    *kept = keep;
    return SL_OK;
}

sl_status sl_report_page(sl_report *r, sl_report_order order, bool descending, size_t first,
                         size_t count, sl_error *err)
{
    if (!r)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no report given");
    sl_report_count_steps(r); /* the summary speaks of the whole report */
    sl_report_row *page;
    size_t keep;
    sl_status st = cut_page(r, order, descending, first, count, &page, &keep, err);
    if (st != SL_OK)
        return st;
    free(r->rows);
    r->all_rows = r->row_count;
    r->rows = page;
    r->row_count = keep;
    r->first_row = first;
    return SL_OK;
}

sl_status sl_report_page_of(const sl_report *whole, sl_report_order order, bool descending,
                            size_t first, size_t count, sl_report **out, sl_error *err)
{
    *out = NULL;
    if (!whole)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no report given");
    if (!whole->steps.counted)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "count the report's readings (sl_report_count_steps) before paging it "
                       "by copy");
    sl_report_row *page;
    size_t keep;
    sl_status st = cut_page(whole, order, descending, first, count, &page, &keep, err);
    if (st != SL_OK)
        return st;
    /* The copy's rows are only the page: copy a report without rows, then
     * give it the page. */
    sl_report bare = *whole;
    bare.rows = NULL;
    bare.row_count = 0;
    st = sl_report_copy(&bare, out, err);
    if (st != SL_OK) {
        free(page);
        return st;
    }
    (*out)->rows = page;
    (*out)->row_count = keep;
    (*out)->all_rows = whole->row_count;
    (*out)->first_row = first;
    return SL_OK;
}
