/*
 * error.h - one way to fail with a GError: set it from a printf-style
 * message and return false, so a parser can write
 *
 *     if (n > 1024)
 *         return error_fail(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
 *                           "tb-size '%s': 1 to 1024 MiB", v);
 *
 * Files wrap it in a macro with their own domain and code
 * (`#define loader_fail(errp, ...) error_fail(errp, G_FILE_ERROR, ...)`).
 * errp may be NULL (the message is dropped), as with g_set_error.
 */
#ifndef TX86_UTIL_ERROR_H
#define TX86_UTIL_ERROR_H

#include <stdbool.h>
#include <glib.h>

bool error_fail(GError **errp, GQuark domain, int code, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#endif
