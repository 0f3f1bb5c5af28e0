/*
 * error.c - error_fail: set a GError from a printf-style message and
 * return false (error.h).
 */
#include "util/error.h"

bool error_fail(GError **errp, GQuark domain, int code, const char *fmt, ...)
{
    if (errp) {
        va_list ap;
        va_start(ap, fmt);
        GError *e = g_error_new_valist(domain, code, fmt, ap);
        va_end(ap);
        g_propagate_error(errp, e);
    }
    return false;
}
