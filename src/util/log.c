/*
 * log.c - the -d / -D debug log (see log.h).
 *
 * The item table comes from LOG_ITEMS in log.h, so adding an item there is
 * enough for -d to accept it and for "-d help" to list it.  The mask and
 * the output file are the only process-wide state in tx86: like stderr they
 * belong to the process, not to a machine.
 */
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include "util/log.h"

unsigned log_mask;
FILE *log_file;             /* NULL = stderr */

typedef struct LogItem {
    unsigned mask;
    const char *name;
    const char *help;
} LogItem;

static const LogItem log_items[] = {
#define LOG_ROW(id, name, help) { LOG_##id, name, help },
    LOG_ITEMS(LOG_ROW)
#undef LOG_ROW
};

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
}

void log_list_items(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < G_N_ELEMENTS(log_items); i++)
        fprintf(f, "%-13s %s\n", log_items[i].name, log_items[i].help);
}

bool log_parse_items(const char *s, unsigned *mask, GError **errp)
{
    unsigned m = 0;
    gchar **parts = g_strsplit(s, ",", -1);
    bool ok = true;

    for (gchar **p = parts; *p; p++) {
        const char *item = *p;
        size_t i;
        if (!*item)
            continue;
        if (strcmp(item, "all") == 0) {
            for (i = 0; i < G_N_ELEMENTS(log_items); i++)
                if (log_items[i].mask != LOG_NOCHAIN)
                    m |= log_items[i].mask;
            continue;
        }
        for (i = 0; i < G_N_ELEMENTS(log_items); i++)
            if (strcmp(item, log_items[i].name) == 0)
                break;
        if (i == G_N_ELEMENTS(log_items)) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "unknown log item '%s' (try -d help)", item);
            ok = false;
            break;
        }
        m |= log_items[i].mask;
    }
    g_strfreev(parts);
    if (ok)
        *mask = m;
    return ok;
}

bool log_set_file(const char *path, GError **errp)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot open log file '%s': %s", path, g_strerror(errno));
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_file)
        fclose(log_file);
    log_file = f;
    return true;
}

void log_flush(void)
{
    fflush(log_file ? log_file : stderr);
}
