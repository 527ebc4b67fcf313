/*
 * params.c — request parameters as numbers: each reads the parameter from
 * the request (POST field or query string) and hands its text to
 * web_parse_number (parse.c), which knows the rules.
 */
#include "web.h"

sl_status param_count(const web_request *req, const char *name, const char *label, bool *set,
                      double *out, sl_error *err)
{
    return web_parse_number(SL_NUMBER_COUNT, web_param(req, name), name, label, set, out, err);
}

sl_status param_money(const web_request *req, const char *name, const char *label, bool *set,
                      double *out, sl_error *err)
{
    return web_parse_number(SL_NUMBER_AMOUNT, web_param(req, name), name, label, set, out, err);
}

sl_status param_rate(const web_request *req, const char *name, const char *label, bool *set,
                     double *out, sl_error *err)
{
    return web_parse_number(SL_NUMBER_RATE, web_param(req, name), name, label, set, out, err);
}

sl_status param_lift(const web_request *req, const char *name, const char *label, bool *set,
                     double *out, sl_error *err)
{
    return web_parse_number(SL_NUMBER_LIFT, web_param(req, name), name, label, set, out, err);
}
