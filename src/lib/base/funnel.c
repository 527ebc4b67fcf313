/*
 * funnel.c — canonical funnel fields, their validation, and what each
 * derived rate is made of (engine/rates.c computes them).
 *
 * Every rate is computed from summed parts (never averaged) and carries the
 * names of its numerator and denominator, because "CTR" alone is ambiguous:
 * the platform has a Product CTR over product impressions and a video CTR
 * over views, and creators mix them up.
 */
#include "base/internal.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    const char *label;
    bool money;
} field_info[SL_FIELD__COUNT] = {
    [SL_FIELD_VIEWS] = {"views", "views", false},
    [SL_FIELD_PRODUCT_IMPRESSIONS] = {"product_impressions", "product impressions", false},
    [SL_FIELD_PRODUCT_CLICKS] = {"product_clicks", "product clicks", false},
    [SL_FIELD_ORDERS] = {"orders", "orders", false},
    [SL_FIELD_SKU_ORDERS] = {"sku_orders", "SKU orders", false},
    [SL_FIELD_ITEMS_SOLD] = {"items_sold", "items sold", false},
    [SL_FIELD_GMV] = {"gmv", "GMV", true},
    [SL_FIELD_EST_COMMISSION] = {"est_commission", "est. commission", true},
    [SL_FIELD_REFUNDS] = {"refunds", "refunds", true},
};

static const struct {
    const char *name;
    const char *label;
    sl_field numerator, denominator;
    double scale;         /* GPM is per 1,000 views */
    bool proportion;
} rate_info[SL_RATE__COUNT] = {
    [SL_RATE_PRODUCT_CTR] = {"product_ctr", "Product CTR", SL_FIELD_PRODUCT_CLICKS,
                             SL_FIELD_PRODUCT_IMPRESSIONS, 1.0, true},
    [SL_RATE_VIDEO_CTR] = {"video_ctr", "Video CTR", SL_FIELD_PRODUCT_CLICKS, SL_FIELD_VIEWS, 1.0,
                           true},
    [SL_RATE_CTOR] = {"ctor", "CTOR", SL_FIELD_ORDERS, SL_FIELD_PRODUCT_CLICKS, 1.0, true},
    [SL_RATE_CTOR_SKU] = {"ctor_sku", "CTOR (SKU orders)", SL_FIELD_SKU_ORDERS,
                          SL_FIELD_PRODUCT_CLICKS, 1.0, true},
    [SL_RATE_GPM] = {"gpm", "GPM", SL_FIELD_GMV, SL_FIELD_VIEWS, 1000.0, false},
    [SL_RATE_AOV] = {"aov", "AOV", SL_FIELD_GMV, SL_FIELD_ORDERS, 1.0, false},
};

const char *sl_field_name(sl_field field)
{
    return (unsigned)field < SL_FIELD__COUNT ? field_info[field].name : "unknown";
}

const char *sl_field_label(sl_field field)
{
    return (unsigned)field < SL_FIELD__COUNT ? field_info[field].label : "unknown";
}

bool sl_field_is_money(sl_field field)
{
    return (unsigned)field < SL_FIELD__COUNT && field_info[field].money;
}

bool sl_money_hundredths(double amount, int64_t *hundredths)
{
    /* The product is within a fraction of a hundredth of k while k stays
     * far below 2^53; the test is the way back, k / 100 rounding to the
     * very amount, which holds exactly when the amount is what reading a
     * decimal with at most two places gives.  An absolute tolerance on
     * the product (as before) refused amounts of 13 digits and more, whose
     * product is off by more than a millionth, so two readings of one file
     * summed them differently. */
    double k = nearbyint(amount * 100.0);
    if (!(fabs(k) < 9e15) || k / 100.0 != amount)
        return false;
    *hundredths = (int64_t)k;
    return true;
}

const char *sl_rate_name(sl_rate_id id)
{
    return (unsigned)id < SL_RATE__COUNT ? rate_info[id].name : "unknown";
}

const char *sl_rate_label(sl_rate_id id)
{
    return (unsigned)id < SL_RATE__COUNT ? rate_info[id].label : "unknown";
}

void sl_funnel_set(sl_funnel *funnel, sl_field field, double value)
{
    if (!funnel || (unsigned)field >= SL_FIELD__COUNT)
        return;
    funnel->value[field] = value;
    funnel->present |= 1u << field;
}

bool sl_funnel_has(const sl_funnel *funnel, sl_field field)
{
    return funnel && (unsigned)field < SL_FIELD__COUNT && (funnel->present & (1u << field));
}

bool sl_funnel_get(const sl_funnel *funnel, sl_field field, double *value)
{
    if (!sl_funnel_has(funnel, field))
        return false;
    if (value)
        *value = funnel->value[field];
    return true;
}

static sl_status check_value(const sl_funnel *funnel, sl_field field, sl_error *err)
{
    double v = funnel->value[field];
    const char *name = field_info[field].name;
    if (!isfinite(v))
        return sl_fail(err, SL_ERR_PARSE, name, "%s is not a finite number", name);
    if (v < 0)
        return sl_fail(err, SL_ERR_NEGATIVE_COUNT, name,
                       "%s is negative (%.17g); counts and amounts must be 0 or more", name, v);
    if (field_info[field].money)
        return SL_OK;
    if (v != floor(v))
        return sl_fail(err, SL_ERR_NOT_WHOLE, name,
                       "%s must be a whole number of events, got %.17g", name, v);
    if (v > SL_MAX_COUNT)
        return sl_fail(err, SL_ERR_COUNT_TOO_LARGE, name,
                       "%s is above the largest supported count (2^53 = 9007199254740992)",
                       name);
    return SL_OK;
}

/* `small` must not exceed `large` when both are present. */
static sl_status check_order(const sl_funnel *funnel, sl_field small, sl_field large,
                             sl_error *err)
{
    double s, l;
    if (!sl_funnel_get(funnel, small, &s) || !sl_funnel_get(funnel, large, &l) || s <= l)
        return SL_OK;
    return sl_fail(err, SL_ERR_INCONSISTENT_FUNNEL, field_info[small].name,
                   "%s (%.0f) exceed %s (%.0f): %s can never be more than %s; "
                   "check that both numbers come from the same video and period",
                   field_info[small].label, s, field_info[large].label, l,
                   field_info[small].label, field_info[large].label);
}

sl_status sl_funnel_validate(const sl_funnel *funnel, unsigned flags, sl_error *err)
{
    if (!funnel)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no funnel given");
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        if (!sl_funnel_has(funnel, (sl_field)f))
            continue;
        sl_status st = check_value(funnel, (sl_field)f, err);
        if (st != SL_OK)
            return st;
    }
    sl_status st = check_order(funnel, SL_FIELD_PRODUCT_CLICKS, SL_FIELD_PRODUCT_IMPRESSIONS, err);
    if (st == SL_OK && !(flags & SL_VALIDATE_ALLOW_ORDERS_OVER_CLICKS))
        st = check_order(funnel, SL_FIELD_ORDERS, SL_FIELD_PRODUCT_CLICKS, err);
    return st;
}

void sl_rate_parts(sl_rate_id id, sl_field *numerator, sl_field *denominator, double *scale)
{
    *numerator = rate_info[id].numerator;
    *denominator = rate_info[id].denominator;
    *scale = rate_info[id].scale;
}

bool sl_rate_is_proportion(sl_rate_id id)
{
    return rate_info[id].proportion;
}
