/*
 * unit_shell.h - shell commands and temporary directories for the CUnit
 * tests that use outside tools as oracles (qemu-img, qemu-io: test_formats.c,
 * test_qcow2_snap.c).  Header only.
 *
 *   gchar *d = unit_tmpdir_new("tx86-fmt-XXXXXX");
 *   if (unit_sh(d, NULL, "qemu-img create -q -f qcow2 a.qcow2 1M") == 0) ...
 *   unit_tmpdir_free(d);
 */
#ifndef TX86_UNIT_SHELL_H
#define TX86_UNIT_SHELL_H

#include <stdio.h>
#include <stdbool.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <glib.h>

/* qemu-img and qemu-io installed; else says the test is skipped */
static inline bool unit_have_qemu_img(void)
{
    gchar *p = g_find_program_in_path("qemu-img");
    gchar *q = g_find_program_in_path("qemu-io");
    bool ok = p && q;
    if (!ok)
        printf("\n  skipped: qemu-img/qemu-io not installed (scripts/setup-debian.sh installs "
               "qemu-utils) ");
    g_free(p);
    g_free(q);
    return ok;
}

/* a shell command in dir; its exit status, its output in *out if asked
 * (without out, a failing command's output is printed) */
static inline int unit_sh(const char *dir, gchar **out, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static inline int unit_sh(const char *dir, gchar **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    gchar *argv[] = { "/bin/sh", "-c", cmd, NULL };
    gchar *o = NULL, *e = NULL;
    int status = -1;
    if (!g_spawn_sync(dir, argv, NULL, 0, NULL, NULL, &o, &e, &status, NULL))
        status = -1;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (rc && !out)
        printf("\n  '%s' exited %d: %s%s", cmd, rc, o ? o : "", e ? e : "");
    if (out)
        *out = g_strconcat(o ? o : "", e ? e : "", NULL);
    g_free(o);
    g_free(e);
    g_free(cmd);
    return rc;
}

/* a new temporary directory (template ending in XXXXXX), and its removal */
static inline gchar *unit_tmpdir_new(const char *tmpl)
{
    gchar *d = g_dir_make_tmp(tmpl, NULL);
    g_assert(d);
    return d;
}

static inline void unit_tmpdir_free(gchar *d)
{
    unit_sh("/", NULL, "rm -rf '%s'", d);
    g_free(d);
}

#endif
