/*
 * hmp.c - the human monitor: QEMU's text commands, one per line (see
 * monitor_int.h; the commands are listed in docs/monitor.md and by
 * "help").
 *
 * A session collects typed bytes into a line (echoing them on a raw
 * terminal, Backspace edits), runs it at CR or LF and prints the prompt
 * "(qemu) ".  Lines are at most HMP_LINE_MAX bytes (a longer one is
 * dropped whole with a message) and a command's output at most
 * HMP_OUT_MAX bytes, so nothing a client types makes tx86 work or buffer
 * without bound.  Numbers and addresses are C-style (0x.. hex, decimal),
 * "$reg" names a CPU register, and terms may be joined with + and -.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "machine/machine.h"
#include "machine/pc.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpuid.h"
#include "devices/chardev.h"
#include "devices/ns16550.h"
#include "monitor/control.h"
#include "machine/savevm.h"
#include "machine/snapshot.h"
#include "machine/replay.h"
#include "monitor/monitor_int.h"

#define HMP_PROMPT   "(qemu) "

struct HmpSession {
    MonCtx *ctx;
    MonWriteFn write;
    void *opaque;
    bool echo;
    GString *line;
    bool too_long;              /* the current line passed HMP_LINE_MAX */
    bool last_cr;               /* CR LF ends one line, not two */
};

typedef struct HmpCmd {
    const char *name;           /* "cont|c": aliases after | */
    const char *args;           /* for help */
    const char *help;
    void (*fn)(MonCtx *ctx, char **argv, int argc, GString *out);
} HmpCmd;

static void hmp_printf(GString *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void hmp_printf(GString *out, const char *fmt, ...)
{
    if (out->len >= HMP_OUT_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
    if (out->len >= HMP_OUT_MAX) {
        g_string_truncate(out, HMP_OUT_MAX);
        g_string_append(out, "\n... output truncated\n");
    }
}

/* ------------------------------------------------------------ expressions */

static bool hmp_reg(Machine *m, const char *name, uint64_t *v)
{
    static const char *const gpr[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    static const char *const seg[6] = { "es", "cs", "ss", "ds", "fs", "gs" };
    CPUState *env = &m->cpu;
    for (int i = 0; i < 8; i++)
        if (!g_ascii_strcasecmp(name, gpr[i])) {
            *v = env->regs[i];
            return true;
        }
    for (int i = 0; i < 6; i++)
        if (!g_ascii_strcasecmp(name, seg[i])) {
            *v = env->seg[i].selector;
            return true;
        }
    if (!g_ascii_strcasecmp(name, "eip") || !g_ascii_strcasecmp(name, "pc"))
        *v = env->seg[R_CS].base + env->eip;            /* linear, as QEMU's $pc */
    else if (!g_ascii_strcasecmp(name, "cr0"))
        *v = env->cr[0];
    else if (!g_ascii_strcasecmp(name, "cr2"))
        *v = env->cr[2];
    else if (!g_ascii_strcasecmp(name, "cr3"))
        *v = env->cr[3];
    else if (!g_ascii_strcasecmp(name, "cr4"))
        *v = env->cr[4];
    else
        return false;
    return true;
}

/* NUM | $REG, joined by + and - (no spaces inside); false + message */
static bool hmp_expr(Machine *m, const char *s, uint64_t *out, GString *err)
{
    uint64_t acc = 0;
    int sign = 1;
    const char *p = s;
    if (!*p) {
        hmp_printf(err, "missing address or number\n");
        return false;
    }
    for (;;) {
        uint64_t v;
        if (*p == '$') {
            const char *e = ++p;
            while (g_ascii_isalnum(*e))
                e++;
            char name[8];
            if (e - p == 0 || e - p >= (long)sizeof(name)) {
                hmp_printf(err, "unknown register in '%s'\n", s);
                return false;
            }
            memcpy(name, p, (size_t)(e - p));
            name[e - p] = 0;
            if (!hmp_reg(m, name, &v)) {
                hmp_printf(err, "unknown register '$%s'\n", name);
                return false;
            }
            p = e;
        } else {
            char *e;
            if (!g_ascii_isdigit(*p)) {
                hmp_printf(err, "invalid number '%s'\n", s);
                return false;
            }
            errno = 0;
            v = g_ascii_strtoull(p, &e, 0);
            if (errno || e == p) {
                hmp_printf(err, "invalid number '%s'\n", s);
                return false;
            }
            p = e;
        }
        acc += sign > 0 ? v : -v;
        if (!*p)
            break;
        if (*p != '+' && *p != '-') {
            hmp_printf(err, "invalid number '%s'\n", s);
            return false;
        }
        sign = *p++ == '+' ? 1 : -1;
    }
    *out = acc;
    return true;
}

/* ------------------------------------------------------------ commands */

static void cmd_help(MonCtx *ctx, char **argv, int argc, GString *out);

static void cmd_stop(MonCtx *ctx, char **argv, int argc, GString *out)
{
    mon_stop(ctx);
}

static void cmd_cont(MonCtx *ctx, char **argv, int argc, GString *out)
{
    mon_cont(ctx);
}

static void cmd_system_reset(MonCtx *ctx, char **argv, int argc, GString *out)
{
    machine_request_reset_reason(ctx->m, "host-qmp-system-reset");
}

static void cmd_system_powerdown(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (!machine_powerdown(ctx->m))
        hmp_printf(out, "this machine has no ACPI power button\n");
}

static void cmd_quit(MonCtx *ctx, char **argv, int argc, GString *out)
{
    machine_request_shutdown_reason(ctx->m, 0, "host-qmp-quit");
}

/* sendkey ctrl-alt-delete [HOLD_MS]: QEMU key names or 0xNN numbers */
static void cmd_sendkey(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (argc < 2) {
        hmp_printf(out, "usage: sendkey KEYS (e.g. ctrl-alt-delete)\n");
        return;
    }
    int keys[MON_MAX_KEYS], n = 0;
    gchar **names = g_strsplit(argv[1], "-", -1);
    bool ok = true;
    for (gchar **k = names; ok && *k; k++) {
        int key = -1;
        if (g_str_has_prefix(*k, "0x")) {
            char *e;
            int64_t v = g_ascii_strtoll(*k, &e, 16);
            key = *e ? -1 : mon_key_from_number(v);
        } else {
            key = mon_key_from_name(*k);
        }
        if (key < 0) {
            hmp_printf(out, "unknown key: '%s'\n", *k);
            ok = false;
        } else if (n == MON_MAX_KEYS) {
            hmp_printf(out, "too many keys (at most %d)\n", MON_MAX_KEYS);
            ok = false;
        } else {
            keys[n++] = key;
        }
    }
    g_strfreev(names);
    GError *err = NULL;
    if (ok && !mon_send_keys(ctx->m, keys, n, &err)) {
        hmp_printf(out, "%s\n", err->message);
        g_error_free(err);
    }
}

/* screendump [-f ppm|png] FILE */
static void cmd_screendump(MonCtx *ctx, char **argv, int argc, GString *out)
{
    bool png = false;
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "-f")) {
        if (!strcmp(argv[i + 1], "png"))
            png = true;
        else if (strcmp(argv[i + 1], "ppm")) {
            hmp_printf(out, "unknown format '%s' (ppm or png)\n", argv[i + 1]);
            return;
        }
        i += 2;
    }
    if (i >= argc) {
        hmp_printf(out, "usage: screendump [-f ppm|png] FILE\n");
        return;
    }
    GError *err = NULL;
    if (!mon_screendump(ctx->m, argv[i], png, &err)) {
        hmp_printf(out, "%s\n", err->message);
        g_error_free(err);
    }
}

static void cmd_change(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (argc < 3) {
        hmp_printf(out, "usage: change DEVICE FILE [raw]\n");
        return;
    }
    if (argc > 3 && strcmp(argv[3], "raw")) {
        hmp_printf(out, "only raw images are supported\n");
        return;
    }
    GError *err = NULL;
    if (!mon_block_change(ctx->m, argv[1], argv[2], &err)) {
        hmp_printf(out, "%s\n", err->message);
        g_error_free(err);
    }
}

/* migrate URI: the state to file:PATH or exec:COMMAND; the machine stays
 * stopped afterwards, as QEMU's source does ("postmigrate") */
static void cmd_migrate(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (argc != 2) {
        hmp_printf(out, "usage: migrate tcp:HOST:PORT|unix:PATH|file:PATH|exec:COMMAND\n");
        return;
    }
    GError *err = NULL;
    if (!mon_migrate(ctx->m, argv[1], &err)) {
        hmp_printf(out, "migration failed: %s\n", err->message);
        g_error_free(err);
    }
}

/* migrate_incoming URI: the source of -incoming defer (errors as QEMU's) */
static void cmd_migrate_incoming(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (argc != 2) {
        hmp_printf(out, "usage: migrate_incoming tcp:HOST:PORT|unix:PATH|file:PATH|"
                   "exec:COMMAND\n");
        return;
    }
    GError *err = NULL;
    if (!mon_migrate_incoming(ctx, argv[1], &err)) {
        hmp_printf(out, "Error: %s\n", err->message);
        g_error_free(err);
    }
}

/* savevm NAME, loadvm NAME, delvm NAME (snapshot.c) */
static void cmd_snapshot(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (argc != 2) {
        hmp_printf(out, "usage: %s NAME\n", argv[0]);
        return;
    }
    GError *err = NULL;
    bool ok = !strcmp(argv[0], "savevm") ? machine_savevm(ctx->m, argv[1], &err)
            : !strcmp(argv[0], "loadvm") ? machine_loadvm(ctx->m, argv[1], &err)
            : machine_delvm(ctx->m, argv[1], &err);
    if (!ok) {
        hmp_printf(out, "Error: %s\n", err->message);
        g_error_free(err);
    }
}

static void cmd_migrate_cancel(MonCtx *ctx, char **argv, int argc, GString *out)
{
    machine_migration_cancel(ctx->m);
}

/* migrate_set_parameter downtime-limit MS (the only parameter so far) */
static void cmd_migrate_set_parameter(MonCtx *ctx, char **argv, int argc, GString *out)
{
    char *end = NULL;
    long long v = argc == 3 ? strtoll(argv[2], &end, 10) : -1;
    if (argc != 3 || strcmp(argv[1], "downtime-limit") || !end || *end || v < 1 ||
        v > 2000000) {
        hmp_printf(out, "usage: migrate_set_parameter downtime-limit MS (1 to 2000000)\n");
        return;
    }
    ctx->m->migration.downtime_limit_ms = v;
}

static void cmd_eject(MonCtx *ctx, char **argv, int argc, GString *out)
{
    bool force = argc > 2 && !strcmp(argv[1], "-f");
    if (argc < 2 || (argc > 2 && !force)) {
        hmp_printf(out, "usage: eject [-f] DEVICE\n");
        return;
    }
    GError *err = NULL;
    if (!mon_block_eject(ctx->m, argv[force ? 2 : 1], force, &err)) {
        hmp_printf(out, "%s\n", err->message);
        g_error_free(err);
    }
}

/* x /FMT ADDR and xp /FMT ADDR: FMT = [count][x|d|u|o|c][b|h|w|g] */
static void hmp_memory_dump(MonCtx *ctx, char **argv, int argc, GString *out, bool phys)
{
    const char *fmt = "", *addr_s = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '/' && !*fmt)
            fmt = argv[i] + 1;
        else if (!addr_s)
            addr_s = argv[i];
        else {
            hmp_printf(out, "too many arguments\n");
            return;
        }
    }
    if (!addr_s) {
        hmp_printf(out, "usage: %s /FMT ADDR (FMT: count, format x d u o c, size b h w g)\n",
                   phys ? "xp" : "x");
        return;
    }
    uint64_t count = 1;
    char format = 'x';
    int size = 4;
    const char *p = fmt;
    if (g_ascii_isdigit(*p)) {
        char *e;
        count = g_ascii_strtoull(p, &e, 10);
        p = e;
    }
    for (; *p; p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c': format = *p; break;
        case 'b': size = 1; break;
        case 'h': size = 2; break;
        case 'w': size = 4; break;
        case 'g': size = 8; break;
        default:
            hmp_printf(out, "invalid format '/%s' (count, format x d u o c, size b h w g)\n",
                       fmt);
            return;
        }
    }
    if (format == 'c')
        size = 1;
    if (count == 0 || count > 65536) {
        hmp_printf(out, "count %" G_GUINT64_FORMAT " out of range (1..65536)\n", count);
        return;
    }
    uint64_t addr;
    if (!hmp_expr(ctx->m, addr_s, &addr, out))
        return;
    int line = size == 1 ? 8 : 16;
    int digits = format == 'x' ? size * 2 : format == 'o' ? (size * 8 + 2) / 3
               : (size * 8 * 10 + 32) / 33;
    uint64_t len = count * (uint64_t)size;
    while (len) {
        uint8_t buf[16];
        int l = (int)MIN(len, (uint64_t)line);
        if (phys)
            hmp_printf(out, "%016" G_GINT64_MODIFIER "x:", addr);
        else
            hmp_printf(out, "%08" G_GINT64_MODIFIER "x:", addr & 0xffffffffu);
        if (!mon_read_mem(ctx->m, addr, phys, buf, (uint32_t)l)) {
            hmp_printf(out, " Cannot access memory\n");
            return;
        }
        for (int i = 0; i < l; i += size) {
            uint64_t v = 0;
            for (int k = size - 1; k >= 0; k--)
                v = v << 8 | buf[i + k];
            int64_t sv = size == 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * size)) >> (64 - 8 * size);
            switch (format) {
            case 'x': hmp_printf(out, " 0x%0*" G_GINT64_MODIFIER "x", digits, v); break;
            case 'o': hmp_printf(out, " %#*" G_GINT64_MODIFIER "o", digits, v); break;
            case 'u': hmp_printf(out, " %*" G_GUINT64_FORMAT, digits, v); break;
            case 'd': hmp_printf(out, " %*" G_GINT64_FORMAT, digits, sv); break;
            case 'c':
                if (v >= 32 && v < 127 && v != '\\' && v != '\'')
                    hmp_printf(out, " '%c'", (int)v);
                else
                    hmp_printf(out, " '\\x%02x'", (unsigned)v);
                break;
            }
        }
        hmp_printf(out, "\n");
        addr += (uint64_t)l;
        len -= (uint64_t)l;
        if (out->len >= HMP_OUT_MAX)
            return;
    }
}

static void cmd_x(MonCtx *ctx, char **argv, int argc, GString *out)
{
    hmp_memory_dump(ctx, argv, argc, out, false);
}

static void cmd_xp(MonCtx *ctx, char **argv, int argc, GString *out)
{
    hmp_memory_dump(ctx, argv, argc, out, true);
}

/* ---- info */

static void info_status(MonCtx *ctx, GString *out)
{
    /* "paused (prelaunch)", "paused (inmigrate)" as QEMU's */
    const char *run = mon_run_state(ctx->m), *st = mon_status(ctx);
    bool same = !strcmp(run, st);
    hmp_printf(out, "VM status: %s%s%s%s\n", run, same ? "" : " (", same ? "" : st,
               same ? "" : ")");
}

static void info_version(MonCtx *ctx, GString *out)
{
    hmp_printf(out, "%s (tx86)\n", TX86_VERSION);
}

static void info_name(MonCtx *ctx, GString *out)
{
    if (ctx->m->cfg.name)
        hmp_printf(out, "%s\n", ctx->m->cfg.name);
}

static void info_registers(MonCtx *ctx, GString *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return;
    cpu_dump_state(&ctx->m->cpu, f);
    fclose(f);
    hmp_printf(out, "%s", text);
    free(text);
}

static void info_cpus(MonCtx *ctx, GString *out)
{
    hmp_printf(out, "* CPU #0: thread_id=%d\n", (int)getpid());
}

/* QEMU's format: "  Device 0.ADDR, Port N, Speed 12 Mb/s, Product NAME" */
static void info_usb(MonCtx *ctx, GString *out)
{
    mon_info_usb(ctx->m, out);
}

static void info_block(MonCtx *ctx, GString *out)
{
    MonDrive d[MON_MAX_DRIVES];
    int n = mon_block_list(ctx->m, d);
    for (int i = 0; i < n; i++) {
        if (d[i].file)
            hmp_printf(out, "%s: %s (raw%s)\n", d[i].device, d[i].file,
                       d[i].readonly ? ", read-only" : "");
        else
            hmp_printf(out, "%s: [not inserted]\n", d[i].device);
        if (d[i].removable)
            hmp_printf(out, "    Removable device: %slocked, tray %s\n",
                       d[i].locked ? "" : "not ", d[i].file ? "closed" : "open");
        if (i + 1 < n)
            hmp_printf(out, "\n");
    }
}

static void info_chardev(MonCtx *ctx, GString *out)
{
    Machine *m = ctx->m;
    for (int i = 0; m->pc && i < 4; i++) {
        CharDev *c = m->pc->serial[i] ? ns16550_chardev(m->pc->serial[i]) : NULL;
        if (c)
            hmp_printf(out, "%s: filename=%s\n", chardev_label(c), chardev_spec(c));
    }
    for (guint i = 0; ctx->chardevs && i < ctx->chardevs->len; i++) {
        MonChardev *c = &g_array_index(ctx->chardevs, MonChardev, i);
        hmp_printf(out, "%s: filename=%s\n", c->label, c->spec);
    }
}

/* the page tables from CR3: each present 4 KiB page (or 4 MiB / 2 MiB
 * large page) as "linear: physical flags" */
static void info_tlb(MonCtx *ctx, GString *out)
{
    Machine *m = ctx->m;
    CPUState *env = &m->cpu;
    if (!(env->cr[0] & CR0_PG)) {
        hmp_printf(out, "PG disabled\n");
        return;
    }
    bool pae = env->cr[4] & CR4_PAE;
    bool pse = env->cr[4] & CR4_PSE;
    #define TLB_FLAGS(e) (e) & 0x100 ? 'G' : '-', (e) & 0x80 ? 'P' : '-', \
        (e) & 0x40 ? 'D' : '-', (e) & 0x20 ? 'A' : '-', (e) & 0x10 ? 'C' : '-', \
        (e) & 0x08 ? 'T' : '-', (e) & 0x04 ? 'U' : '-', (e) & 0x02 ? 'W' : '-'
    if (!pae) {
        uint32_t pd = env->cr[3] & ~0xfffu;
        for (uint32_t i = 0; i < 1024 && out->len < HMP_OUT_MAX; i++) {
            uint32_t pde = physmem_read(m->mem, pd + i * 4, 4);
            if (!(pde & 1))
                continue;
            if ((pde & 0x80) && pse) {
                hmp_printf(out, "%08x: %08x %c%c%c%c%c%c%c%c\n", i << 22, pde & 0xffc00000u,
                           TLB_FLAGS(pde));
                continue;
            }
            for (uint32_t j = 0; j < 1024 && out->len < HMP_OUT_MAX; j++) {
                uint32_t pte = physmem_read(m->mem, (pde & ~0xfffu) + j * 4, 4);
                if (pte & 1)
                    hmp_printf(out, "%08x: %08x %c%c%c%c%c%c%c%c\n", i << 22 | j << 12,
                               pte & ~0xfffu, TLB_FLAGS(pte));
            }
        }
        return;
    }
    uint32_t pdpt = env->cr[3] & ~0x1fu;
    for (uint32_t i = 0; i < 4; i++) {
        uint64_t pdpte = physmem_read(m->mem, pdpt + i * 8, 4) |
                         (uint64_t)physmem_read(m->mem, pdpt + i * 8 + 4, 4) << 32;
        if (!(pdpte & 1))
            continue;
        uint32_t pd = (uint32_t)(pdpte & 0xfffff000u);
        for (uint32_t j = 0; j < 512 && out->len < HMP_OUT_MAX; j++) {
            uint64_t pde = physmem_read(m->mem, pd + j * 8, 4) |
                           (uint64_t)physmem_read(m->mem, pd + j * 8 + 4, 4) << 32;
            if (!(pde & 1))
                continue;
            uint32_t lin = i << 30 | j << 21;
            if (pde & 0x80) {
                hmp_printf(out, "%08x: %09" G_GINT64_MODIFIER "x %c%c%c%c%c%c%c%c\n", lin,
                           (uint64_t)(pde & 0xfffe00000ull), TLB_FLAGS((uint32_t)pde));
                continue;
            }
            uint32_t pt = (uint32_t)(pde & 0xfffff000u);
            for (uint32_t k = 0; k < 512 && out->len < HMP_OUT_MAX; k++) {
                uint64_t pte = physmem_read(m->mem, pt + k * 8, 4) |
                               (uint64_t)physmem_read(m->mem, pt + k * 8 + 4, 4) << 32;
                if (pte & 1)
                    hmp_printf(out, "%08x: %09" G_GINT64_MODIFIER "x %c%c%c%c%c%c%c%c\n",
                               lin | k << 12, (uint64_t)(pte & 0xffffff000ull), TLB_FLAGS((uint32_t)pte));
            }
        }
    }
    #undef TLB_FLAGS
}

/* info replay: QEMU's line, and the checkpoints a replay keeps */
static void info_replay(MonCtx *ctx, GString *out)
{
    Machine *m = ctx->m;
    ReplayMode mode = replay_mode(m);
    if (mode == REPLAY_OFF) {
        hmp_printf(out, "Record/replay is not active\n");
        return;
    }
    hmp_printf(out, "%s execution '%s': instruction count = %" G_GUINT64_FORMAT "\n",
               mode == REPLAY_RECORD ? "Recording" : "Replaying", m->cfg.rr_file,
               m->cpu.icount);
    if (mode == REPLAY_PLAY) {
        unsigned n;
        uint64_t bytes;
        replay_stats(m, &n, &bytes);
        hmp_printf(out, "checkpoints: %u (%" G_GUINT64_FORMAT " KiB)\n", n, bytes >> 10);
    }
}

static void info_migrate(MonCtx *ctx, GString *out)
{
    Machine *m = ctx->m;
    if (!m->migration.status) {
        hmp_printf(out, "no migration\n");
        return;
    }
    hmp_printf(out, "Migration status: %s\n", m->migration.status);
    hmp_printf(out, "total time: %" G_GINT64_FORMAT " ms\n", m->migration.total_ms);
    hmp_printf(out, "downtime: %" G_GINT64_FORMAT " ms\n", m->migration.downtime_ms);
    hmp_printf(out, "setup: %" G_GINT64_FORMAT " ms\n", m->migration.setup_ms);
    hmp_printf(out, "transferred ram: %" G_GUINT64_FORMAT " kbytes\n", m->migration.bytes >> 10);
    hmp_printf(out, "remaining ram: %" G_GUINT64_FORMAT " kbytes\n", m->migration.remaining >> 10);
    hmp_printf(out, "total ram: %" G_GUINT64_FORMAT " kbytes\n", m->migration.ram_bytes >> 10);
    hmp_printf(out, "pages: %" G_GUINT64_FORMAT "\n", m->migration.pages);
    hmp_printf(out, "dirty sync count: %" G_GUINT64_FORMAT "\n", m->migration.rounds);
    if (m->migration.error)
        hmp_printf(out, "error: %s\n", m->migration.error);
}

static void info_snapshots(MonCtx *ctx, GString *out)
{
    MachineSnapshot *l = NULL;
    GError *err = NULL;
    int n = machine_snapshot_list(ctx->m, &l, &err);
    if (n < 0) {
        hmp_printf(out, "%s\n", err->message);
        g_error_free(err);
        return;
    }
    if (n == 0) {
        hmp_printf(out, "There is no snapshot available.\n");
        return;
    }
    hmp_printf(out, "List of snapshots present on all disks:\n");
    hmp_printf(out, "%-10s%-20s%12s%21s%16s%12s\n", "ID", "TAG", "VM SIZE", "DATE",
               "VM CLOCK", "ICOUNT");
    for (int i = 0; i < n; i++) {
        char date[32] = "", size[24], clk[24];
        time_t t = (time_t)l[i].date_sec;
        struct tm tm;
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
        uint64_t sz = l[i].vm_state_size;
        if (sz >= 1u << 20)
            snprintf(size, sizeof(size), "%.3g MiB", (double)sz / (1 << 20));
        else
            snprintf(size, sizeof(size), "%.3g KiB", (double)sz / 1024);
        uint64_t s = l[i].vm_clock_nsec / 1000000000u;
        snprintf(clk, sizeof(clk), "%02u:%02u:%02u.%03u", (unsigned)(s / 3600),
                 (unsigned)(s / 60 % 60), (unsigned)(s % 60),
                 (unsigned)(l[i].vm_clock_nsec / 1000000 % 1000));
        hmp_printf(out, "%-10s%-20s%12s%21s%16s%12" G_GUINT64_FORMAT "\n",
                   l[i].id[0] ? l[i].id : "--", l[i].name, size, date, clk, l[i].icount);
    }
    machine_snapshot_list_free(l, n);
}

static const struct {
    const char *name;
    const char *help;
    void (*fn)(MonCtx *ctx, GString *out);
} hmp_infos[] = {
    { "status", "the VM's run state", info_status },
    { "version", "the version of tx86", info_version },
    { "name", "the guest's name (-name)", info_name },
    { "registers", "the CPU's registers", info_registers },
    { "tlb", "the page table's mappings (linear: physical flags)", info_tlb },
    { "block", "the drives and their images", info_block },
    { "chardev", "the character back ends", info_chardev },
    { "cpus", "the CPUs", info_cpus },
    { "usb", "the USB devices (-usb, -device usb-tablet ...)", info_usb },
    { "migrate", "the last migration's status and figures", info_migrate },
    { "snapshots", "the snapshots (savevm)", info_snapshots },
    { "replay", "record and replay: mode, log, instruction count", info_replay },
};

static void cmd_info(MonCtx *ctx, char **argv, int argc, GString *out)
{
    if (argc >= 2)
        for (size_t i = 0; i < G_N_ELEMENTS(hmp_infos); i++)
            if (!strcmp(argv[1], hmp_infos[i].name)) {
                hmp_infos[i].fn(ctx, out);
                return;
            }
    if (argc >= 2)
        hmp_printf(out, "unknown info item '%s'\n", argv[1]);
    for (size_t i = 0; i < G_N_ELEMENTS(hmp_infos); i++)
        hmp_printf(out, "info %-22s -- %s\n", hmp_infos[i].name, hmp_infos[i].help);
}

static const HmpCmd hmp_cmds[] = {
    { "help|?", "[cmd]", "show the help", cmd_help },
    { "info", "[subcommand]", "show the machine's state (info alone lists them)", cmd_info },
    { "stop", "", "stop emulation", cmd_stop },
    { "cont|c", "", "resume emulation", cmd_cont },
    { "system_reset", "", "reset the system", cmd_system_reset },
    { "system_powerdown", "", "send the ACPI power button event", cmd_system_powerdown },
    { "quit|q", "", "quit the emulator", cmd_quit },
    { "sendkey", "keys [hold_ms]", "send keys to the guest (e.g. ctrl-alt-delete)",
      cmd_sendkey },
    { "screendump", "[-f ppm|png] filename", "save the screen as an image", cmd_screendump },
    { "x", "/fmt addr", "virtual memory dump starting at addr", cmd_x },
    { "xp", "/fmt addr", "physical memory dump starting at addr", cmd_xp },
    { "change", "device filename [raw]", "change a removable medium", cmd_change },
    { "eject", "[-f] device", "eject a removable medium (-f: even if locked)", cmd_eject },
    { "migrate", "uri", "move the machine to tcp:HOST:PORT or unix:PATH (live), file:PATH "
      "or exec:COMMAND; the source stays stopped", cmd_migrate },
    { "migrate_incoming", "uri", "the source to load from (tx86 started with -incoming "
      "defer)", cmd_migrate_incoming },
    { "migrate_cancel", "", "cancel a running live migration", cmd_migrate_cancel },
    { "savevm", "name", "save the machine as snapshot NAME (replaces one of that name)",
      cmd_snapshot },
    { "loadvm", "name", "restore snapshot NAME", cmd_snapshot },
    { "delvm", "name", "delete snapshot NAME", cmd_snapshot },
    { "migrate_set_parameter", "downtime-limit ms", "the longest stop of a live migration",
      cmd_migrate_set_parameter },
};

static const HmpCmd *hmp_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hmp_cmds); i++) {
        gchar **alias = g_strsplit(hmp_cmds[i].name, "|", -1);
        bool hit = false;
        for (gchar **a = alias; *a && !hit; a++)
            hit = !strcmp(*a, name);
        g_strfreev(alias);
        if (hit)
            return &hmp_cmds[i];
    }
    return NULL;
}

static void cmd_help(MonCtx *ctx, char **argv, int argc, GString *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hmp_cmds); i++) {
        const HmpCmd *c = &hmp_cmds[i];
        if (argc >= 2 && c != hmp_find(argv[1]))
            continue;
        hmp_printf(out, "%s %s -- %s\n", c->name, c->args, c->help);
    }
}

void hmp_execute(MonCtx *ctx, const char *line, GString *out)
{
    /* the command name: letters, digits, _; "x/4x" is "x" "/4x" */
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *e = p;
    while (g_ascii_isalnum(*e) || *e == '_' || *e == '?')
        e++;
    if (e == p) {
        if (*p)
            hmp_printf(out, "unknown command: '%s'\n", p);
        return;
    }
    gchar *name = g_strndup(p, (gsize)(e - p));
    const HmpCmd *c = hmp_find(name);
    if (!c) {
        hmp_printf(out, "unknown command: '%s'\n", name);
        g_free(name);
        return;
    }
    gchar **words = g_strsplit_set(e, " \t", -1);
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, name);
    for (gchar **w = words; *w; w++)
        if (**w)
            g_ptr_array_add(argv, *w);
    c->fn(ctx, (char **)argv->pdata, (int)argv->len, out);
    g_ptr_array_free(argv, TRUE);
    g_strfreev(words);
    g_free(name);
}

/* ------------------------------------------------------------ sessions */

HmpSession *hmp_session_new(MonCtx *ctx, MonWriteFn write, void *opaque, bool echo)
{
    HmpSession *s = g_new0(HmpSession, 1);
    s->ctx = ctx;
    s->write = write;
    s->opaque = opaque;
    s->echo = echo;
    s->line = g_string_new(NULL);
    return s;
}

void hmp_session_free(HmpSession *s)
{
    if (!s)
        return;
    g_string_free(s->line, TRUE);
    g_free(s);
}

static void hmp_out(HmpSession *s, const char *text, size_t len)
{
    s->write(s->opaque, text, len);
}

void hmp_session_prompt(HmpSession *s)
{
    hmp_out(s, HMP_PROMPT, strlen(HMP_PROMPT));
}

void hmp_session_banner(HmpSession *s)
{
    char banner[128];
    int n = snprintf(banner, sizeof(banner),
                     "tx86 %s monitor - type 'help' for more information\n", TX86_VERSION);
    hmp_out(s, banner, (size_t)n);
    hmp_session_prompt(s);
}

static void hmp_session_line(HmpSession *s)
{
    if (s->echo)
        hmp_out(s, "\n", 1);
    if (s->too_long) {
        char msg[64];
        int n = snprintf(msg, sizeof(msg), "line too long (at most %d bytes)\n", HMP_LINE_MAX);
        hmp_out(s, msg, (size_t)n);
    } else {
        GString *out = g_string_new(NULL);
        hmp_execute(s->ctx, s->line->str, out);
        hmp_out(s, out->str, out->len);
        g_string_free(out, TRUE);
    }
    g_string_truncate(s->line, 0);
    s->too_long = false;
    hmp_session_prompt(s);
}

void hmp_session_input(HmpSession *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = buf[i];
        bool after_cr = s->last_cr;
        s->last_cr = b == '\r';
        if (b == '\r' || (b == '\n' && !after_cr)) {
            hmp_session_line(s);
        } else if (b == '\n') {
            /* the LF of CR LF */
        } else if (b == 0x7f || b == 0x08) {
            if (s->line->len) {
                g_string_truncate(s->line, s->line->len - 1);
                if (s->echo)
                    hmp_out(s, "\b \b", 3);
            }
        } else if (b < 0x20) {
            /* other control characters (and escape sequences' ESC) are dropped */
        } else if (s->line->len >= HMP_LINE_MAX) {
            s->too_long = true;
        } else {
            g_string_append_c(s->line, (char)b);
            if (s->echo)
                hmp_out(s, (const char *)&b, 1);
        }
    }
}
