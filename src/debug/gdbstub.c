/*
 * gdbstub.c - gdb's remote serial protocol for the whole machine (see
 * gdbstub.h; protocol: "GDB Remote Serial Protocol" in the gdb manual,
 * Appendix E; target descriptions: Appendix G).
 *
 * One connection at a time, all-stop mode, one thread (the CPU).  Packets
 * served: ? g G p P m M c s D k qSupported qXfer:features:read qAttached
 * qC qfThreadInfo qsThreadInfo qSymbol qRcmd (monitor) QStartNoAckMode
 * H T vKill Z0-Z4 z0-z4; anything else gets the empty reply ("not
 * supported"), which makes gdb fall back (vCont -> c/s, X -> M).
 *
 * Register numbering follows the target description below: the i386 core
 * set (eax..edi, eip, eflags, cs ss ds es fs gs, st0-st7, the x87 control
 * words), the SSE set (xmm0-7 read as zero: the CPU has no SSE) and a
 * system set (cr0, cr2, cr3, cr4).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "debug/gdbstub.h"
#include "machine/machine.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/debug.h"
#include "mmu/mmu.h"
#include "util/log.h"

#define GDB_MAX_BP   64
#define GDB_MAX_WP   16
#define GDB_PKT_MAX  4096
#define GDB_NREGS    45          /* 16 core + 8 st + 8 fpu ctl + 8 xmm + mxcsr + 4 cr */

enum { STOP_NONE, STOP_START, STOP_BP, STOP_WATCH, STOP_STEP, STOP_INTR };
enum { WP_WRITE = 2, WP_READ = 3, WP_ACCESS = 4 };     /* Z packet types */

typedef struct GdbWatch {
    uint32_t addr, len;
    int type;                   /* WP_* */
} GdbWatch;

struct GdbStub {
    Machine *m;
    int listen_fd;
    int fd;                     /* the connection, -1 none */
    char *unix_path;            /* unlinked at the end */
    bool no_ack;                /* QStartNoAckMode */
    bool phys_mem;              /* monitor phys on: m/M take physical addresses */
    bool irq_step;              /* monitor irqstep on: interrupts while stepping */
    uint32_t bp[GDB_MAX_BP];
    int nbp;
    GdbWatch wp[GDB_MAX_WP];
    int nwp;
    int stop;                   /* STOP_* of the last stop */
    uint32_t hit_addr;          /* watchpoint that stopped us */
    int hit_type;
    bool stepping;
    uint64_t step_icount;       /* icount when the step began */
    bool skip_valid;            /* resume: no breakpoint stop at skip_pc first */
    uint32_t skip_pc;
    uint8_t in[GDB_PKT_MAX];    /* bytes received, not yet used */
    size_t in_len, in_pos;
};

static const char gdb_target_xml[] =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\"><architecture>i386</architecture>"
    "<feature name=\"org.gnu.gdb.i386.core\">"
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "</feature>"
    "<feature name=\"org.gnu.gdb.i386.sse\">"
    "<reg name=\"xmm0\" bitsize=\"128\" type=\"uint128\" regnum=\"32\"/>"
    "<reg name=\"xmm1\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm2\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm3\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm4\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm5\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm6\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm7\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>"
    "</feature>"
    "<feature name=\"org.tx86.gdb.i386.sys\">"
    "<reg name=\"cr0\" bitsize=\"32\" type=\"int32\" regnum=\"41\"/>"
    "<reg name=\"cr2\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"cr3\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"cr4\" bitsize=\"32\" type=\"int32\"/>"
    "</feature></target>";

static GdbStub *gdb_of(const CPUState *env)
{
    return env->machine ? env->machine->gdb : NULL;
}

/* ------------------------------------------------------------ transport */

static void gdb_close_conn(GdbStub *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    g->no_ack = false;
    g->in_len = g->in_pos = 0;
}

/* next byte from the connection, blocking; -1 when it closed */
static int gdb_getc(GdbStub *g)
{
    if (g->in_pos == g->in_len) {
        if (g->fd < 0)
            return -1;
        ssize_t n;
        do {
            n = read(g->fd, g->in, sizeof(g->in));
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            gdb_close_conn(g);
            return -1;
        }
        g->in_len = (size_t)n;
        g->in_pos = 0;
    }
    return g->in[g->in_pos++];
}

static void gdb_write(GdbStub *g, const char *buf, size_t len)
{
    while (len && g->fd >= 0) {
        ssize_t n = write(g->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            gdb_close_conn(g);
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void gdb_send(GdbStub *g, const char *data)
{
    size_t len = strlen(data);
    GString *s = g_string_sized_new(len + 4);
    unsigned sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)data[i];
    g_string_append_c(s, '$');
    g_string_append_len(s, data, (gssize)len);
    g_string_append_printf(s, "#%02x", sum & 0xff);
    gdb_write(g, s->str, s->len);
    g_string_free(s, TRUE);
}

/* one packet's payload (NUL-terminated) into buf; 0x03 outside a packet
 * returns "\x03"; false when the connection closed */
static bool gdb_recv(GdbStub *g, char *buf, size_t size)
{
    for (;;) {
        int c = gdb_getc(g);
        if (c < 0)
            return false;
        if (c == 0x03) {
            buf[0] = 0x03;
            buf[1] = 0;
            return true;
        }
        if (c != '$')
            continue;                   /* acks, noise */
        size_t n = 0;
        unsigned sum = 0;
        while ((c = gdb_getc(g)) >= 0 && c != '#') {
            sum += (unsigned)c;
            if (n + 1 < size)
                buf[n++] = (char)c;
        }
        int h1 = gdb_getc(g), h2 = gdb_getc(g);
        if (c < 0 || h1 < 0 || h2 < 0)
            return false;
        buf[n] = 0;
        char hex[3] = { (char)h1, (char)h2, 0 };
        bool ok = strtoul(hex, NULL, 16) == (sum & 0xff);
        if (!g->no_ack)
            gdb_write(g, ok ? "+" : "-", 1);
        if (ok)
            return true;
    }
}

static bool gdb_listen(GdbStub *g, const char *dev, GError **errp)
{
    if (g_str_has_prefix(dev, "unix:")) {
        gchar **parts = g_strsplit(dev + 5, ",", 2);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (!parts[0] || !*parts[0] || strlen(parts[0]) >= sizeof(sa.sun_path)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "-gdb %s: bad socket path", dev);
            g_strfreev(parts);
            return false;
        }
        strcpy(sa.sun_path, parts[0]);
        g->unix_path = g_strdup(parts[0]);
        g_strfreev(parts);
        unlink(sa.sun_path);
        g->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (g->listen_fd < 0 || bind(g->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            goto fail;
    } else {
        /* tcp:[HOST]:PORT[,server,nowait...] */
        const char *p = dev + 4;
        const char *colon = strrchr(p, ':');
        struct sockaddr_in sa = { .sin_family = AF_INET };
        gchar *host = colon ? g_strndup(p, (gsize)(colon - p)) : g_strdup("");
        char *end;
        unsigned long port = strtoul(colon ? colon + 1 : p, &end, 10);
        bool ok = port > 0 && port < 65536 && (*end == 0 || *end == ',');
        if (ok && *host && strcmp(host, "localhost"))
            ok = inet_pton(AF_INET, host, &sa.sin_addr) == 1;
        else
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* local debugging only */
        g_free(host);
        if (!ok) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "-gdb %s: use tcp::PORT or tcp:IPV4:PORT", dev);
            return false;
        }
        sa.sin_port = htons((uint16_t)port);
        int one = 1;
        g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (g->listen_fd < 0)
            goto fail;
        setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(g->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
            goto fail;
    }
    if (listen(g->listen_fd, 1) < 0)
        goto fail;
    return true;
fail:
    g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                "-gdb %s: cannot listen: %s", dev, g_strerror(errno));
    return false;
}

static bool gdb_accept(GdbStub *g, bool block)
{
    if (!block) {
        struct pollfd p = { .fd = g->listen_fd, .events = POLLIN };
        if (poll(&p, 1, 0) <= 0)
            return false;
    }
    int fd = accept(g->listen_fd, NULL, NULL);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));   /* fails on unix: fine */
    g->fd = fd;
    g->no_ack = false;
    g->in_len = g->in_pos = 0;
    return true;
}

/* ------------------------------------------------------------ state */

static void gdb_update_flags(GdbStub *g)
{
    CPUState *env = &g->m->cpu;
    env->dbg_gdb_flags = (g->nbp ? DBG_GDB | DBG_IBP : 0) | (g->nwp ? DBG_GDB | DBG_WATCH : 0);
    debug_update(env);
    env->dbg_dirty = 1;             /* flush blocks and TLB before running */
}

static bool gdb_real_mode(const CPUState *env)
{
    return !(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK);
}

/* the "eip" gdb sees: linear CS:IP in real and v86 mode */
static uint32_t gdb_pc(const CPUState *env)
{
    return gdb_real_mode(env) ? env->seg[R_CS].base + env->eip : env->eip;
}

static void gdb_set_step(GdbStub *g, bool on)
{
    CPUState *env = &g->m->cpu;
    uint32_t want = on ? GDB_STEP_ON | (g->irq_step ? 0 : GDB_STEP_NOIRQ) : 0;
    if ((env->gdb_step != 0) != on)
        env->dbg_dirty = 1;         /* block length changes: flush */
    env->gdb_step = want;
}

/* everything back to a freely running machine */
static void gdb_detach_state(GdbStub *g)
{
    g->nbp = g->nwp = 0;
    g->stepping = false;
    gdb_set_step(g, false);
    gdb_update_flags(g);
}

/* ------------------------------------------------------------ registers */

static void hex_le(GString *s, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        g_string_append_printf(s, "%02x", (unsigned)((v >> (8 * i)) & 0xff));
}

static void gdb_reg_hex(GdbStub *g, GString *s, int n)
{
    CPUState *env = &g->m->cpu;
    static const int seg_order[6] = { R_CS, R_SS, R_DS, R_ES, R_FS, R_GS };

    if (n < 8) {
        hex_le(s, env->regs[n], 4);
    } else if (n == 8) {
        hex_le(s, gdb_pc(env), 4);
    } else if (n == 9) {
        hex_le(s, cpu_compute_eflags(env), 4);
    } else if (n < 16) {
        hex_le(s, env->seg[seg_order[n - 10]].selector, 4);
    } else if (n < 24) {
        const Float80 *f = &env->fpu_st[(env->fpu_top + (n - 16)) & 7];
        hex_le(s, f->mant, 8);
        hex_le(s, f->se, 2);
    } else if (n < 32) {
        uint32_t v = 0, tag = 0;
        switch (n - 24) {
        case 0: v = env->fpu_fcw; break;
        case 1: v = env->fpu_fsw | ((uint32_t)env->fpu_top << 11); break;
        case 2:
            for (int i = 0; i < 8; i++)
                tag |= ((env->fpu_valid >> i) & 1 ? 0u : 3u) << (2 * i);
            v = tag;
            break;
        case 3: v = env->fpu_fcs; break;
        case 4: v = env->fpu_fip; break;
        case 5: v = env->fpu_fds; break;
        case 6: v = env->fpu_fdp; break;
        case 7: v = env->fpu_fop; break;
        }
        hex_le(s, v, 4);
    } else if (n < 40) {
        hex_le(s, 0, 8);                /* xmm: no SSE */
        hex_le(s, 0, 8);
    } else if (n == 40) {
        hex_le(s, env->fpu_mxcsr, 4);
    } else if (n < GDB_NREGS) {
        static const int cr[4] = { 0, 2, 3, 4 };
        hex_le(s, env->cr[cr[n - 41]], 4);
    }
}

static int gdb_reg_size(int n)
{
    return n >= 16 && n < 24 ? 10 : n >= 32 && n < 40 ? 16 : 4;
}

static uint64_t parse_hex_le(const char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes && i < 8; i++) {
        char b[3] = { p[2 * i], p[2 * i + 1], 0 };
        v |= (uint64_t)strtoul(b, NULL, 16) << (8 * i);
    }
    return v;
}

/* writable: GPRs, eip, eflags; the rest is read-only (ignored) */
static void gdb_set_reg(GdbStub *g, int n, const char *hex)
{
    CPUState *env = &g->m->cpu;
    uint32_t v = (uint32_t)parse_hex_le(hex, 4);
    if (n < 8) {
        env->regs[n] = v;
    } else if (n == 8) {
        env->eip = gdb_real_mode(env) ? v - env->seg[R_CS].base : v;
    } else if (n == 9) {
        cpu_load_eflags(env, v, CC_MASK | TF_MASK | IF_MASK | DF_MASK | IOPL_MASK |
                                NT_MASK | RF_MASK | AC_MASK | ID_MASK);
    }
}

/* ------------------------------------------------------------ memory */

static bool gdb_mem(GdbStub *g, uint32_t addr, uint8_t *buf, uint32_t len, bool write)
{
    CPUState *env = &g->m->cpu;
    while (len) {
        uint32_t chunk = MIN(len, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
        uint32_t pa = addr;
        if (!g->phys_mem && !mmu_probe(env, addr, false, &pa))
            return false;
        bool ok = write ? physmem_write_buf(g->m->mem, pa, buf, chunk)
                        : physmem_read_buf(g->m->mem, pa, buf, chunk);
        if (!ok)
            return false;
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

/* ------------------------------------------------------------ packets */

static void gdb_stop_reply(GdbStub *g)
{
    char buf[64];
    if (g->stop == STOP_WATCH) {
        snprintf(buf, sizeof(buf), "T05%s:%08x;thread:01;",
                 g->hit_type == WP_WRITE ? "watch" : g->hit_type == WP_READ ? "rwatch" : "awatch",
                 g->hit_addr);
    } else {
        snprintf(buf, sizeof(buf), "T%02xthread:01;", g->stop == STOP_INTR ? 2 : 5);
    }
    gdb_send(g, buf);
}

static void gdb_monitor_out(GdbStub *g, const char *text)
{
    GString *s = g_string_new("O");
    for (const char *p = text; *p; p++)
        g_string_append_printf(s, "%02x", (uint8_t)*p);
    gdb_send(g, s->str);
    g_string_free(s, TRUE);
}

static void gdb_monitor(GdbStub *g, const char *hex)
{
    size_t n = strlen(hex) / 2;
    char *cmd = g_malloc0(n + 1);
    for (size_t i = 0; i < n; i++) {
        char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };
        cmd[i] = (char)strtoul(b, NULL, 16);
    }
    CPUState *env = &g->m->cpu;
    gchar *out = NULL;
    if (!strcmp(cmd, "phys on") || !strcmp(cmd, "phys off")) {
        g->phys_mem = !strcmp(cmd, "phys on");
        out = g_strdup_printf("memory accesses use %s addresses\n",
                              g->phys_mem ? "physical" : "virtual");
    } else if (!strcmp(cmd, "irqstep on") || !strcmp(cmd, "irqstep off")) {
        g->irq_step = !strcmp(cmd, "irqstep on");
        out = g_strdup_printf("single step %s interrupts\n", g->irq_step ? "takes" : "masks");
    } else if (!strcmp(cmd, "info") || !strcmp(cmd, "info registers")) {
        out = g_strdup_printf("icount %" G_GUINT64_FORMAT " cs:eip %04x:%08x %s mode cpl %d "
                              "cr0 %08x cr3 %08x eflags %08x\n", env->icount,
                              env->seg[R_CS].selector, env->eip,
                              !(env->cr[0] & CR0_PE) ? "real" : (env->eflags & VM_MASK) ? "v86"
                              : "protected", cpu_cpl(env), env->cr[0], env->cr[3],
                              cpu_compute_eflags(env));
    } else {
        out = g_strdup("tx86 monitor commands:\n"
                       "  phys on|off     m/M packets use physical (on) or virtual addresses\n"
                       "  irqstep on|off  take interrupts while single-stepping [off]\n"
                       "  info            icount, mode, cs:eip, cr0, cr3, eflags\n");
    }
    gdb_monitor_out(g, out);
    gdb_send(g, "OK");
    g_free(out);
    g_free(cmd);
}

static bool gdb_bp_add(GdbStub *g, int type, uint32_t addr, uint32_t len)
{
    if (type <= 1) {
        for (int i = 0; i < g->nbp; i++)
            if (g->bp[i] == addr)
                return true;
        if (g->nbp == GDB_MAX_BP)
            return false;
        g->bp[g->nbp++] = addr;
    } else {
        if (g->nwp == GDB_MAX_WP || len == 0)
            return false;
        g->wp[g->nwp++] = (GdbWatch){ addr, len, type };
    }
    gdb_update_flags(g);
    return true;
}

static bool gdb_bp_remove(GdbStub *g, int type, uint32_t addr, uint32_t len)
{
    bool found = false;
    if (type <= 1) {
        for (int i = 0; i < g->nbp; i++)
            if (g->bp[i] == addr) {
                g->bp[i] = g->bp[--g->nbp];
                found = true;
                break;
            }
    } else {
        for (int i = 0; i < g->nwp; i++)
            if (g->wp[i].addr == addr && g->wp[i].len == len && g->wp[i].type == type) {
                g->wp[i] = g->wp[--g->nwp];
                found = true;
                break;
            }
    }
    if (found)
        gdb_update_flags(g);
    return found;
}

/* serve packets until gdb resumes the machine (or goes away) */
static void gdb_serve(GdbStub *g, bool announce)
{
    CPUState *env = &g->m->cpu;
    char pkt[GDB_PKT_MAX];

    g->stepping = false;
    if (announce)
        gdb_stop_reply(g);
    for (;;) {
        if (!gdb_recv(g, pkt, sizeof(pkt))) {
            gdb_detach_state(g);        /* the debugger went away: run on */
            return;
        }
        char *p = pkt + 1;
        unsigned long a, l;
        GString *r;
        switch (pkt[0]) {
        case 0x03:
            break;                      /* already stopped */
        case '?':
            gdb_stop_reply(g);
            break;
        case 'g':
            r = g_string_new(NULL);
            for (int n = 0; n < GDB_NREGS; n++)
                gdb_reg_hex(g, r, n);
            gdb_send(g, r->str);
            g_string_free(r, TRUE);
            break;
        case 'G':
            for (int n = 0; n < 10 && strlen(p) >= 8; n++, p += 8)
                gdb_set_reg(g, n, p);
            gdb_send(g, "OK");
            break;
        case 'p':
            a = strtoul(p, NULL, 16);
            if (a >= GDB_NREGS) {
                gdb_send(g, "E00");
                break;
            }
            r = g_string_new(NULL);
            gdb_reg_hex(g, r, (int)a);
            gdb_send(g, r->str);
            g_string_free(r, TRUE);
            break;
        case 'P': {
            char *eq = strchr(p, '=');
            a = strtoul(p, NULL, 16);
            if (!eq || a >= GDB_NREGS || strlen(eq + 1) < 2u * (unsigned)gdb_reg_size((int)a)) {
                gdb_send(g, "E00");
                break;
            }
            gdb_set_reg(g, (int)a, eq + 1);
            gdb_send(g, "OK");
            break;
        }
        case 'm': {
            char *comma = strchr(p, ',');
            a = strtoul(p, NULL, 16);
            l = comma ? strtoul(comma + 1, NULL, 16) : 0;
            if (!comma || l > (GDB_PKT_MAX - 8) / 2) {
                gdb_send(g, "E01");
                break;
            }
            uint8_t *buf = g_malloc(l + 1);
            if (!gdb_mem(g, (uint32_t)a, buf, (uint32_t)l, false)) {
                gdb_send(g, "E14");
            } else {
                r = g_string_new(NULL);
                for (unsigned long i = 0; i < l; i++)
                    g_string_append_printf(r, "%02x", buf[i]);
                gdb_send(g, r->str);
                g_string_free(r, TRUE);
            }
            g_free(buf);
            break;
        }
        case 'M': {
            char *comma = strchr(p, ','), *colon = strchr(p, ':');
            a = strtoul(p, NULL, 16);
            l = comma ? strtoul(comma + 1, NULL, 16) : 0;
            if (!comma || !colon || strlen(colon + 1) < 2 * l) {
                gdb_send(g, "E01");
                break;
            }
            uint8_t *buf = g_malloc(l + 1);
            for (unsigned long i = 0; i < l; i++)
                buf[i] = (uint8_t)parse_hex_le(colon + 1 + 2 * i, 1);
            gdb_send(g, gdb_mem(g, (uint32_t)a, buf, (uint32_t)l, true) ? "OK" : "E14");
            g_free(buf);
            break;
        }
        case 'c':
        case 's':
            if (*p) {
                a = strtoul(p, NULL, 16);
                env->eip = gdb_real_mode(env) ? (uint32_t)a - env->seg[R_CS].base : (uint32_t)a;
            }
            g->skip_valid = true;
            g->skip_pc = env->seg[R_CS].base + env->eip;
            gdb_set_step(g, pkt[0] == 's');
            if (pkt[0] == 's') {
                g->stepping = true;
                g->step_icount = env->icount;
            }
            return;
        case 'D':
            gdb_send(g, "OK");
            gdb_detach_state(g);
            gdb_close_conn(g);
            return;
        case 'k':
            gdb_detach_state(g);
            gdb_close_conn(g);
            machine_request_shutdown(g->m, 0);
            return;
        case 'H':
        case 'T':
            gdb_send(g, "OK");
            break;
        case 'Z':
        case 'z': {
            int type = pkt[1] - '0';
            char *c1 = strchr(p, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
            if (type < 0 || type > 4 || !c1 || !c2) {
                gdb_send(g, "");
                break;
            }
            a = strtoul(c1 + 1, NULL, 16);
            l = strtoul(c2 + 1, NULL, 16);
            bool ok = pkt[0] == 'Z' ? gdb_bp_add(g, type, (uint32_t)a, (uint32_t)l)
                                    : (gdb_bp_remove(g, type, (uint32_t)a, (uint32_t)l), true);
            gdb_send(g, ok ? "OK" : "E22");
            break;
        }
        case 'q':
            if (g_str_has_prefix(pkt, "qSupported")) {
                gdb_send(g, "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+");
            } else if (g_str_has_prefix(pkt, "qXfer:features:read:target.xml:")) {
                char *q = pkt + strlen("qXfer:features:read:target.xml:");
                char *comma = strchr(q, ',');
                a = strtoul(q, NULL, 16);
                l = comma ? strtoul(comma + 1, NULL, 16) : 0;
                size_t total = sizeof(gdb_target_xml) - 1;
                if (a >= total) {
                    gdb_send(g, "l");
                    break;
                }
                l = MIN(l, MIN(total - a, (unsigned long)GDB_PKT_MAX - 16));
                r = g_string_new(a + l >= total ? "l" : "m");
                g_string_append_len(r, gdb_target_xml + a, (gssize)l);
                gdb_send(g, r->str);
                g_string_free(r, TRUE);
            } else if (g_str_has_prefix(pkt, "qXfer:")) {
                gdb_send(g, "E00");
            } else if (!strcmp(pkt, "qAttached")) {
                gdb_send(g, "1");
            } else if (!strcmp(pkt, "qC")) {
                gdb_send(g, "QC1");
            } else if (!strcmp(pkt, "qfThreadInfo")) {
                gdb_send(g, "m1");
            } else if (!strcmp(pkt, "qsThreadInfo")) {
                gdb_send(g, "l");
            } else if (g_str_has_prefix(pkt, "qSymbol")) {
                gdb_send(g, "OK");
            } else if (g_str_has_prefix(pkt, "qRcmd,")) {
                gdb_monitor(g, pkt + 6);
            } else {
                gdb_send(g, "");
            }
            break;
        case 'Q':
            if (!strcmp(pkt, "QStartNoAckMode")) {
                gdb_send(g, "OK");
                g->no_ack = true;
            } else {
                gdb_send(g, "");
            }
            break;
        case 'v':
            if (g_str_has_prefix(pkt, "vKill")) {
                gdb_send(g, "OK");
                gdb_detach_state(g);
                gdb_close_conn(g);
                machine_request_shutdown(g->m, 0);
                return;
            }
            gdb_send(g, "");
            break;
        default:
            gdb_send(g, "");
            break;
        }
    }
}

/* ------------------------------------------------------------ public */

GdbStub *gdb_new(Machine *m, const char *dev, GError **errp)
{
    GdbStub *g = g_new0(GdbStub, 1);
    g->m = m;
    g->fd = -1;
    g->listen_fd = -1;
    if (!gdb_listen(g, dev, errp)) {
        gdb_free(g);
        return NULL;
    }
    return g;
}

void gdb_free(GdbStub *g)
{
    if (!g)
        return;
    gdb_close_conn(g);
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    if (g->unix_path)
        unlink(g->unix_path);
    g_free(g->unix_path);
    g_free(g);
}

void gdb_start(GdbStub *g, bool wait)
{
    if (!wait)
        return;
    fprintf(stderr, "tx86: waiting for gdb (-S)\n");
    while (g->fd < 0) {
        if (!gdb_accept(g, true))
            return;
    }
    g->stop = STOP_START;
    gdb_serve(g, false);                /* gdb asks with '?' */
}

void gdb_poll(GdbStub *g)
{
    CPUState *env = &g->m->cpu;

    if (g->stepping && (env->icount != g->step_icount || env->halted)) {
        g->stop = STOP_STEP;
        gdb_serve(g, true);
        return;
    }
    if (g->fd < 0) {
        if (g->listen_fd >= 0 && gdb_accept(g, false)) {
            g->stop = STOP_INTR;        /* attaching stops the machine */
            gdb_serve(g, false);
        }
        return;
    }
    if (g->stepping)
        return;
    struct pollfd p = { .fd = g->fd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return;
    int c = gdb_getc(g);
    if (c < 0) {
        gdb_detach_state(g);
        return;
    }
    if (c == 0x03) {
        g->stop = STOP_INTR;
        gdb_serve(g, true);
    }
}

void gdb_stopped(GdbStub *g)
{
    if (!g)
        return;
    if (g->fd < 0) {                    /* nobody to tell: run on */
        gdb_detach_state(g);
        return;
    }
    gdb_serve(g, true);
}

/* ------------------------------------------------------------ CPU hooks */

bool gdb_bp_at(const CPUState *env, uint32_t lin)
{
    const GdbStub *g = gdb_of(env);
    if (!g)
        return false;
    for (int i = 0; i < g->nbp; i++)
        if (g->bp[i] == lin)
            return true;
    return false;
}

bool gdb_cpu_breakpoint(CPUState *env)
{
    GdbStub *g = gdb_of(env);
    uint32_t lin = env->seg[R_CS].base + env->eip;
    if (!g)
        return false;
    if (g->skip_valid) {
        g->skip_valid = false;
        if (lin == g->skip_pc)
            return false;
    }
    if (!gdb_bp_at(env, lin))
        return false;
    g->stop = STOP_BP;
    g->stepping = false;
    return true;
}

bool gdb_page_watched(const CPUState *env, uint32_t lin)
{
    const GdbStub *g = gdb_of(env);
    uint32_t page = lin & PAGE_MASK;
    if (!g)
        return false;
    for (int i = 0; i < g->nwp; i++) {
        uint32_t first = g->wp[i].addr & PAGE_MASK;
        uint32_t last = (g->wp[i].addr + g->wp[i].len - 1) & PAGE_MASK;
        if (page == first || page == last)
            return true;
    }
    return false;
}

void gdb_check_data(CPUState *env, uint32_t lin, uint32_t size, bool write)
{
    GdbStub *g = gdb_of(env);
    if (!g)
        return;
    for (int i = 0; i < g->nwp; i++) {
        const GdbWatch *w = &g->wp[i];
        if (!(lin - w->addr < w->len || w->addr - lin < size))
            continue;
        if ((w->type == WP_WRITE && !write) || (w->type == WP_READ && write))
            continue;
        g->stop = STOP_WATCH;
        g->hit_addr = w->addr;
        g->hit_type = w->type;
        g->stepping = false;
        env->dbg_pending |= DBG_PENDING_GDB;
        return;
    }
}
