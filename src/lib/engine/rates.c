/*
 * rates.c — the rates derived from a funnel, each with its parts and, for
 * a proportion, its interval.
 *
 * Every rate is computed from summed parts (never averaged) and carries the
 * names of its numerator and denominator, because "CTR" alone is ambiguous:
 * the platform has a Product CTR over product impressions and a video CTR
 * over views, and creators mix them up.
 */
#include "base/internal.h"

#include <string.h>

sl_status sl_funnel_rates(const sl_funnel *funnel, unsigned flags, double confidence,
                          sl_rate out[SL_RATE__COUNT], sl_error *err)
{
    if (!out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no output array given");
    if (!(confidence > 0 && confidence < 1))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "confidence",
                       "confidence must be between 0 and 1 (e.g. 0.95), got %g", confidence);
    sl_status st = sl_funnel_validate(funnel, flags, err);
    if (st != SL_OK)
        return st;

    for (int id = 0; id < SL_RATE__COUNT; id++) {
        sl_rate *r = &out[id];
        memset(r, 0, sizeof *r);
        r->id = (sl_rate_id)id;
        sl_field numerator, denominator;
        double scale;
        sl_rate_parts((sl_rate_id)id, &numerator, &denominator, &scale);
        r->numerator_field = numerator;
        r->denominator_field = denominator;
        r->is_proportion = sl_rate_is_proportion((sl_rate_id)id);
        double num, den;
        if (!sl_funnel_get(funnel, r->numerator_field, &num) ||
            !sl_funnel_get(funnel, r->denominator_field, &den) || den == 0)
            continue; /* absent, never NaN or a made-up 0 */
        r->present = true;
        r->numerator = num;
        r->denominator = den;
        r->value = num / den * scale;
        /* A proportion above 1 (SKU orders over clicks, or orders over clicks
         * under the attribution leniency) is not successes out of trials, so
         * a binomial interval would be meaningless. */
        if (r->is_proportion && num <= den) {
            sl_interval ci;
            sl_arm arm = {(uint64_t)num, (uint64_t)den};
            if (sl_interval_compute(SL_INTERVAL_DEFAULT, arm, confidence, &ci) == SL_OK) {
                r->has_interval = true;
                r->low = ci.low;
                r->high = ci.high;
            }
        }
    }
    return SL_OK;
}
