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
#include <stdlib.h>
#include "util/log.h"

unsigned log_mask;
FILE *log_file;             /* NULL = stderr */
unsigned log_filter_count;  /* -dfilter */
LogRange log_filter_ranges[LOG_FILTER_MAX];

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
    if (ok && !m) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "no log items given (try -d help)");
        ok = false;
    }
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

/* one -dfilter number: the whole string, any base C accepts */
static bool log_parse_num(const char *s, size_t n, uint64_t *out)
{
    char tmp[32], *end;
    if (n == 0 || n >= sizeof(tmp))
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (tmp[0] == '-' || tmp[0] == '+')
        return false;
    errno = 0;
    unsigned long long v = strtoull(tmp, &end, 0);
    if (errno || *end || v > 0xffffffffull)
        return false;
    *out = v;
    return true;
}

bool log_parse_filter(const char *s, GError **errp)
{
    LogRange r[LOG_FILTER_MAX];
    unsigned n = 0;
    gchar **parts = g_strsplit(s, ",", -1);
    bool ok = true;

    for (gchar **p = parts; ok && *p; p++) {
        const char *item = *p, *sep;
        uint64_t a, b;
        size_t len = strlen(item);
        if (n == LOG_FILTER_MAX) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "too many ranges (at most %d)", LOG_FILTER_MAX);
            ok = false;
            break;
        }
        if ((sep = strstr(item, "..")) != NULL) {
            ok = log_parse_num(item, (size_t)(sep - item), &a) &&
                 log_parse_num(sep + 2, len - (size_t)(sep + 2 - item), &b) && b >= a;
        } else if (len && (sep = strpbrk(item + 1, "+-")) != NULL) {   /* "": bad range */
            ok = log_parse_num(item, (size_t)(sep - item), &a) &&
                 log_parse_num(sep + 1, len - (size_t)(sep + 1 - item), &b) && b > 0;
            if (ok && *sep == '+') {
                ok = a + b - 1 <= 0xffffffffull;
                b = a + b - 1;
            } else if (ok) {
                ok = b <= a + 1;
                uint64_t lo = a + 1 - b;
                b = a;
                a = lo;
            }
        } else {
            ok = false;
        }
        if (!ok) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "bad range '%s' (START..END, START+LEN or START-LEN)", item);
            break;
        }
        r[n].lo = (uint32_t)a;
        r[n].hi = (uint32_t)b;
        n++;
    }
    g_strfreev(parts);
    if (ok) {
        memcpy(log_filter_ranges, r, n * sizeof(r[0]));
        log_filter_count = n;
    }
    return ok;
}
