/*
 * gdbstub.c - gdb's remote serial protocol for the whole machine (see
 * gdbstub.h; protocol: "GDB Remote Serial Protocol" in the gdb manual,
 * Appendix E; target descriptions: Appendix G).
 *
 * One connection at a time, all-stop mode, one thread (the CPU).  Packets
 * served: ? g G p P m M c s D k qSupported qXfer:features:read qAttached
 * qC qfThreadInfo qsThreadInfo qSymbol qRcmd (monitor) QStartNoAckMode
 * H T vKill Z0-Z4 z0-z4, and on a replay bs bc (reverse step and
 * continue: GdbReplayOps, machine/replay.h); anything else gets the empty reply ("not
 * supported"), which makes gdb fall back (vCont -> c/s, X -> M).
 *
 * Register numbering follows the target description below: the i386 core
 * set (eax..edi, eip, eflags, cs ss ds es fs gs, st0-st7, the x87 control
 * words), the SSE set (xmm0-7, mxcsr; read only) and a
 * system set (cr0, cr2, cr3, cr4).
 *
 * The client is not trusted (docs/debugging.md, "gdb stub safety"):
 *  - every number is parsed by parse_num() (hex, overflow-checked, bounded
 *    by the field's range) and every field must end where the syntax says;
 *    a malformed request gets "E01" and one line on stderr (at most
 *    GDB_MAX_NOTES lines per connection);
 *  - a packet holds at most GDB_PKT_MAX - 1 bytes; a longer one is read to
 *    its end, dropped and answered E01, so memory never grows with input;
 *  - writes use send(MSG_NOSIGNAL): a client that goes away (EPIPE,
 *    ECONNRESET, EOF at any byte) only ends its connection; breakpoints
 *    are removed, the machine runs on and the next client is accepted;
 *  - while the machine runs, gdb_poll() looks at no more than one buffer
 *    of input per call;
 *  - unix:PATH replaces only a stale socket, never another kind of file,
 *    and at exit removes the socket only if it is still the one we made.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "debug/gdbstub.h"
#include "bus/host.h"
#include "bus/memory.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/mem.h"
#include "util/log.h"
#include "util/sock.h"

#define GDB_MAX_BP    64
#define GDB_MAX_WP    16
#define GDB_PKT_MAX   4096       /* PacketSize we announce (hex 1000) */
#define GDB_MEM_MAX   ((GDB_PKT_MAX - 8) / 2)   /* m: the reply's hex fits a packet */
#define GDB_NREGS     45         /* 16 core + 8 st + 8 fpu ctl + 8 xmm + mxcsr + 4 cr */
#define GDB_REGS_SIZE (16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4 + 4 * 4)   /* bytes in 'g' */
#define GDB_MAX_NOTES 10         /* stderr lines per connection */

enum { STOP_NONE, STOP_START, STOP_BP, STOP_WATCH, STOP_STEP, STOP_INTR,
       STOP_BEGIN, STOP_END };              /* a replay's first and last instruction */
enum { WP_WRITE = 2, WP_READ = 3, WP_ACCESS = 4 };     /* Z packet types */
enum { GDB_RX_CLOSED = -1, GDB_RX_INTR = -2 };         /* gdb_recv besides a length */

typedef struct GdbWatch {
    uint32_t addr, len;
    int type;                   /* WP_* */
} GdbWatch;

struct GdbStub {
    GdbTarget t;                /* the CPU, memory and host debugged */
    int listen_fd;              /* -1: none (gdb_new_fd) */
    int in_fd, out_fd;          /* the connection (often one socket), -1 none */
    bool out_sock;              /* out_fd is a socket: send(MSG_NOSIGNAL) */
    UnixSocket unix_sock;       /* -gdb unix:PATH, removed at the end (util/sock.h) */
    int notes;                  /* stderr lines for this connection */
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
    bool rr_quiet;              /* reverse execution going to a count: no stops */
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


/* ------------------------------------------------------------ transport */

/* one line on stderr about what the client did wrong, a few per client */
static void gdb_note(GdbStub *g, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void gdb_note(GdbStub *g, const char *fmt, ...)
{
    if (g->notes > GDB_MAX_NOTES)
        return;
    if (g->notes++ == GDB_MAX_NOTES) {
        fprintf(stderr, "tx86: gdb: more bad requests from this client, not reported\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    gchar *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "tx86: gdb: %s\n", msg);
    g_free(msg);
}

static void gdb_close_conn(GdbStub *g)
{
    if (g->out_fd >= 0 && g->out_fd != g->in_fd)
        close(g->out_fd);
    if (g->in_fd >= 0)
        close(g->in_fd);
    g->in_fd = g->out_fd = -1;
    g->no_ack = false;
    g->notes = 0;
    g->in_len = g->in_pos = 0;
}

static void gdb_set_conn(GdbStub *g, int in_fd, int out_fd)
{
    struct stat st;
    g->in_fd = in_fd;
    g->out_fd = out_fd;
    g->out_sock = fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
    g->no_ack = false;
    g->notes = 0;
    g->in_len = g->in_pos = 0;
}

/* next byte from the connection, blocking; -1 when it closed */
static int gdb_getc(GdbStub *g)
{
    if (g->in_pos == g->in_len) {
        if (g->in_fd < 0)
            return -1;
        ssize_t n;
        do {
            n = read(g->in_fd, g->in, sizeof(g->in));
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {                   /* EOF, ECONNRESET...: the client is gone */
            gdb_close_conn(g);
            return -1;
        }
        g->in_len = (size_t)n;
        g->in_pos = 0;
    }
    return g->in[g->in_pos++];
}

/* is a byte waiting (buffered or on the connection)? */
static bool gdb_readable(GdbStub *g)
{
    if (g->in_pos < g->in_len)
        return true;
    struct pollfd p = { .fd = g->in_fd, .events = POLLIN };
    return g->in_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* a failed write (EPIPE, ECONNRESET) means the client went away: the
 * connection ends, never the process (MSG_NOSIGNAL: no SIGPIPE) */
static void gdb_write(GdbStub *g, const char *buf, size_t len)
{
    while (len && g->out_fd >= 0) {
        ssize_t n = g->out_sock ? send(g->out_fd, buf, len, MSG_NOSIGNAL)
                                : write(g->out_fd, buf, len);
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

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One packet's payload into buf (NUL-terminated); returns its length,
 * GDB_RX_INTR for a 0x03 outside a packet, GDB_RX_CLOSED when the
 * connection closed.  A '$' inside a packet starts a new one (the cut one
 * is lost); a packet longer than buf is answered E01 here. */
static int gdb_recv(GdbStub *g, char *buf, size_t size)
{
    for (;;) {
        int c = gdb_getc(g);
        if (c < 0)
            return GDB_RX_CLOSED;
        if (c == 0x03)
            return GDB_RX_INTR;
        if (c != '$')
            continue;                   /* acks, noise */
        size_t n = 0;
        unsigned sum = 0;
        bool too_long = false;
        while ((c = gdb_getc(g)) >= 0 && c != '#') {
            if (c == '$') {
                n = sum = 0;
                too_long = false;
                continue;
            }
            sum += (unsigned)c;
            if (n + 1 < size)
                buf[n++] = (char)c;
            else
                too_long = true;
        }
        int h1 = c < 0 ? -1 : gdb_getc(g);
        int h2 = h1 < 0 ? -1 : gdb_getc(g);
        if (h2 < 0)
            return GDB_RX_CLOSED;
        buf[n] = 0;
        int d1 = hex_digit(h1), d2 = hex_digit(h2);
        bool ok = d1 >= 0 && d2 >= 0 && (unsigned)(d1 << 4 | d2) == (sum & 0xff);
        if (!g->no_ack)
            gdb_write(g, ok ? "+" : "-", 1);
        if (!ok)
            continue;                   /* gdb sends it again */
        if (too_long) {
            gdb_note(g, "packet longer than %zu bytes", size - 1);
            gdb_send(g, "E01");
            continue;
        }
        return (int)n;
    }
}

/* -gdb tcp:[HOST]:PORT: HOST defaults to 127.0.0.1 (local debugging only) */
static bool gdb_listen_tcp(GdbStub *g, const char *dev, GError **errp)
{
    const char *p = dev + 4;
    const char *colon = strrchr(p, ':');
    const char *port_str = colon ? colon + 1 : p;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    gchar *host = colon ? g_strndup(p, (gsize)(colon - p)) : g_strdup("");
    char *end;
    unsigned long port = g_ascii_isdigit(*port_str) ? strtoul(port_str, &end, 10) : 0;
    bool ok = port > 0 && port < 65536 && (*end == 0 || *end == ',');
    if (ok && *host && strcmp(host, "localhost"))
        ok = inet_pton(AF_INET, host, &sa.sin_addr) == 1;
    else
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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
        return false;
    setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    return bind(g->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

static bool gdb_listen(GdbStub *g, const char *dev, GError **errp)
{
    bool ok;
    if (g_str_has_prefix(dev, "unix:")) {
        /* an existing PATH is replaced only if it is a socket nobody
         * listens on (left by an earlier run) */
        gchar **parts = g_strsplit(dev + 5, ",", 2);
        gchar *what = g_strdup_printf("-gdb %s", dev);
        g->listen_fd = unix_socket_listen(&g->unix_sock, parts[0] ? parts[0] : "", 1, what,
                                          errp);
        g_free(what);
        g_strfreev(parts);
        return g->listen_fd >= 0;
    } else if (g_str_has_prefix(dev, "tcp:")) {
        ok = gdb_listen_tcp(g, dev, errp);
    } else {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "-gdb %s: use tcp::PORT, tcp:IPV4:PORT or unix:PATH", dev);
        return false;
    }
    if (errp && *errp)
        return false;
    if (ok && listen(g->listen_fd, 1) == 0)
        return true;
    g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                "-gdb %s: cannot listen: %s", dev, g_strerror(errno));
    return false;
}

/* 1: a client is connected; 0: none waiting (or it left before we took
 * it); -1: accept failed for good */
static int gdb_accept(GdbStub *g, bool block)
{
    if (!block) {
        struct pollfd p = { .fd = g->listen_fd, .events = POLLIN };
        if (poll(&p, 1, 0) <= 0)
            return 0;
    }
    int fd = accept(g->listen_fd, NULL, NULL);
    if (fd < 0)
        return errno == EINTR || errno == ECONNABORTED || errno == EAGAIN ? 0 : -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));   /* fails on unix: fine */
    gdb_set_conn(g, fd, fd);
    return 1;
}

/* ------------------------------------------------------------ parsing */

/* a hex number at *p, no more than max; *p moves past it.  False for no
 * digit or a value above max (never wraps, any number of digits). */
static bool parse_num(const char **p, uint64_t max, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    int d;
    if (hex_digit(*s) < 0)
        return false;
    for (; (d = hex_digit(*s)) >= 0; s++) {
        if ((uint64_t)d > max || x > (max - (uint64_t)d) / 16)
            return false;
        x = x * 16 + (uint64_t)d;
    }
    *p = s;
    *v = x;
    return true;
}

/* a number followed by the separator sep (0: the end of the packet) */
static bool parse_field(const char **p, uint64_t max, char sep, uint64_t *v)
{
    if (!parse_num(p, max, v) || **p != sep)
        return false;
    if (sep)
        (*p)++;
    return true;
}

/* n bytes from exactly 2n hex digits ending the packet */
static bool parse_bytes(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(s[2 * i]);
        int lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
        if (lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[2 * n] == 0;
}

/* ------------------------------------------------------------ state */

static void gdb_update_flags(GdbStub *g)
{
    CPUState *env = g->t.cpu;
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
    CPUState *env = g->t.cpu;
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
    CPUState *env = g->t.cpu;
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
        hex_le(s, env->xmm[n - 32].q[0], 8);     /* xmm0-7 */
        hex_le(s, env->xmm[n - 32].q[1], 8);
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

/* writable: GPRs, eip, eflags; the rest is read-only (ignored); b holds
 * the register's gdb_reg_size(n) bytes, little-endian */
static void gdb_set_reg(GdbStub *g, int n, const uint8_t *b)
{
    CPUState *env = g->t.cpu;
    uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                 (uint32_t)b[3] << 24;
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
    CPUState *env = g->t.cpu;
    while (len) {
        uint32_t chunk = MIN(len, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
        GuestPhys pa = addr;
        if (!g->phys_mem && !mmu_probe(env, addr, false, &pa))
            return false;
        bool ok = write ? physmem_write_buf(g->t.mem, pa, buf, chunk)
                        : physmem_read_buf(g->t.mem, pa, buf, chunk);
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
    } else if (g->stop == STOP_BEGIN || g->stop == STOP_END) {
        snprintf(buf, sizeof(buf), "T05replaylog:%s;thread:01;",
                 g->stop == STOP_BEGIN ? "begin" : "end");
    } else {
        snprintf(buf, sizeof(buf), "T%02xthread:01;", g->stop == STOP_INTR ? 2 : 5);
    }
    gdb_send(g, buf);
}

/* a malformed request: E01, and one line naming it (escaped, cut short) */
static void gdb_bad(GdbStub *g, const char *pkt)
{
    gchar *head = g_strndup(pkt, 48);
    gchar *text = g_strescape(head, NULL);
    gdb_note(g, "malformed request '%s%s': E01", text, strlen(pkt) > 48 ? "..." : "");
    g_free(text);
    g_free(head);
    gdb_send(g, "E01");
}

static void gdb_monitor_out(GdbStub *g, const char *text)
{
    GString *s = g_string_new("O");
    for (const char *p = text; *p; p++)
        g_string_append_printf(s, "%02x", (uint8_t)*p);
    gdb_send(g, s->str);
    g_string_free(s, TRUE);
}

/* qRcmd,HEX: "monitor" commands */
static void gdb_monitor(GdbStub *g, const char *pkt, const char *hex)
{
    size_t n = strlen(hex) / 2;         /* bounded by the packet size */
    char *cmd = g_malloc0(n + 1);
    if (!parse_bytes(hex, (uint8_t *)cmd, n)) {
        g_free(cmd);
        gdb_bad(g, pkt);
        return;
    }
    CPUState *env = g->t.cpu;
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

/* g: all registers */
static void gdb_read_regs(GdbStub *g)
{
    GString *r = g_string_sized_new(2 * GDB_REGS_SIZE);
    for (int n = 0; n < GDB_NREGS; n++)
        gdb_reg_hex(g, r, n);
    gdb_send(g, r->str);
    g_string_free(r, TRUE);
}

/* G HEX: registers in 'g' order, as many whole ones as given */
static void gdb_write_regs(GdbStub *g, const char *pkt, const char *hex)
{
    uint8_t b[GDB_REGS_SIZE];
    size_t n = strlen(hex) / 2;
    if (n == 0 || n > sizeof(b) || !parse_bytes(hex, b, n)) {
        gdb_bad(g, pkt);
        return;
    }
    size_t off = 0;
    for (int r = 0; r < GDB_NREGS && off + (size_t)gdb_reg_size(r) <= n; r++) {
        gdb_set_reg(g, r, b + off);
        off += (size_t)gdb_reg_size(r);
    }
    gdb_send(g, "OK");
}

/* p N */
static void gdb_read_reg(GdbStub *g, const char *pkt, const char *p)
{
    uint64_t n;
    if (!parse_field(&p, GDB_NREGS - 1, 0, &n)) {
        gdb_bad(g, pkt);
        return;
    }
    GString *r = g_string_new(NULL);
    gdb_reg_hex(g, r, (int)n);
    gdb_send(g, r->str);
    g_string_free(r, TRUE);
}

/* P N=HEX */
static void gdb_write_reg(GdbStub *g, const char *pkt, const char *p)
{
    uint64_t n;
    uint8_t b[16];
    if (!parse_field(&p, GDB_NREGS - 1, '=', &n) ||
        !parse_bytes(p, b, (size_t)gdb_reg_size((int)n))) {
        gdb_bad(g, pkt);
        return;
    }
    gdb_set_reg(g, (int)n, b);
    gdb_send(g, "OK");
}

/* m ADDR,LEN */
static void gdb_read_mem(GdbStub *g, const char *pkt, const char *p)
{
    uint64_t addr, len;
    if (!parse_field(&p, UINT32_MAX, ',', &addr) || !parse_field(&p, GDB_MEM_MAX, 0, &len)) {
        gdb_bad(g, pkt);
        return;
    }
    uint8_t buf[GDB_MEM_MAX];
    if (!gdb_mem(g, (uint32_t)addr, buf, (uint32_t)len, false)) {
        gdb_send(g, "E14");             /* not mapped: gdb says "Cannot access memory" */
        return;
    }
    GString *r = g_string_sized_new(2 * len + 1);
    for (uint64_t i = 0; i < len; i++)
        g_string_append_printf(r, "%02x", buf[i]);
    gdb_send(g, r->str);
    g_string_free(r, TRUE);
}

/* M ADDR,LEN:HEX */
static void gdb_write_mem(GdbStub *g, const char *pkt, const char *p)
{
    uint64_t addr, len;
    uint8_t buf[GDB_PKT_MAX / 2];
    if (!parse_field(&p, UINT32_MAX, ',', &addr) ||
        !parse_field(&p, sizeof(buf), ':', &len) || !parse_bytes(p, buf, (size_t)len)) {
        gdb_bad(g, pkt);
        return;
    }
    gdb_send(g, gdb_mem(g, (uint32_t)addr, buf, (uint32_t)len, true) ? "OK" : "E14");
}

/* Z/z TYPE,ADDR,KIND[;conditions (ignored)] */
static void gdb_breakpoint(GdbStub *g, const char *pkt, const char *p)
{
    uint64_t type, addr, kind;
    if (!parse_field(&p, 0xff, ',', &type)) {
        gdb_bad(g, pkt);
        return;
    }
    if (type > WP_ACCESS) {
        gdb_send(g, "");                /* not supported */
        return;
    }
    if (!parse_field(&p, UINT32_MAX, ',', &addr) || !parse_num(&p, UINT32_MAX, &kind) ||
        (*p && *p != ';')) {
        gdb_bad(g, pkt);
        return;
    }
    bool ok = pkt[0] == 'Z' ? gdb_bp_add(g, (int)type, (uint32_t)addr, (uint32_t)kind)
                            : (gdb_bp_remove(g, (int)type, (uint32_t)addr, (uint32_t)kind), true);
    gdb_send(g, ok ? "OK" : "E22");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void gdb_xfer_features(GdbStub *g, const char *pkt, const char *annex)
{
    static const char name[] = "target.xml:";
    const char *p = annex + strlen(name);
    uint64_t off, len;
    if (strncmp(annex, name, strlen(name))) {
        gdb_send(g, "E00");             /* no such annex */
        return;
    }
    if (!parse_field(&p, UINT64_MAX, ',', &off) || !parse_field(&p, UINT64_MAX, 0, &len)) {
        gdb_bad(g, pkt);
        return;
    }
    size_t total = sizeof(gdb_target_xml) - 1;
    if (off >= total) {
        gdb_send(g, "l");
        return;
    }
    len = MIN(len, MIN(total - off, (uint64_t)GDB_PKT_MAX - 16));
    GString *r = g_string_new(off + len >= total ? "l" : "m");
    g_string_append_len(r, gdb_target_xml + off, (gssize)len);
    gdb_send(g, r->str);
    g_string_free(r, TRUE);
}

static void gdb_query(GdbStub *g, const char *pkt)
{
    if (g_str_has_prefix(pkt, "qSupported")) {
        gdb_send(g, g->t.rr ? "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;"
                              "ReverseStep+;ReverseContinue+"
                            : "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+");
    } else if (g_str_has_prefix(pkt, "qXfer:features:read:")) {
        gdb_xfer_features(g, pkt, pkt + strlen("qXfer:features:read:"));
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
        gdb_monitor(g, pkt, pkt + 6);
    } else {
        gdb_send(g, "");
    }
}

/* c/s [ADDR]: false (and E01) when ADDR is malformed */
static bool gdb_resume(GdbStub *g, const char *pkt)
{
    CPUState *env = g->t.cpu;
    const char *p = pkt + 1;
    uint64_t a;
    if (*p) {
        if (!parse_field(&p, UINT32_MAX, 0, &a)) {
            gdb_bad(g, pkt);
            return false;
        }
        env->eip = gdb_real_mode(env) ? (uint32_t)a - env->seg[R_CS].base : (uint32_t)a;
    }
    g->skip_valid = true;
    g->skip_pc = env->seg[R_CS].base + env->eip;
    gdb_set_step(g, pkt[0] == 's');
    if (pkt[0] == 's') {
        g->stepping = true;
        g->step_icount = env->icount;
    }
    return true;
}

/* ------------------------------------------------------------ reverse */

/* a replay goes to instruction count icount: back to a checkpoint, then
 * forward, stopping at no breakpoint on the way */
static void gdb_rr_seek(GdbStub *g, uint64_t icount)
{
    CPUState *env = g->t.cpu;
    g->t.rr->restore(g->t.rr_opaque, icount);
    g->rr_quiet = true;
    while (env->icount < icount && g->t.rr->run_until(g->t.rr_opaque, icount) == 1)
        ;
    g->rr_quiet = false;
    g->skip_valid = false;
}

/* bs: the state before the last instruction (or the interrupt taken) */
static void gdb_reverse_step(GdbStub *g)
{
    CPUState *env = g->t.cpu;
    uint64_t cur = env->icount;
    gdb_set_step(g, false);
    if (cur <= g->t.rr->first(g->t.rr_opaque)) {
        g->stop = STOP_BEGIN;
    } else {
        gdb_rr_seek(g, cur - 1);
        g->stop = STOP_STEP;
    }
    gdb_stop_reply(g);
}

/* bc: back to the last breakpoint or watchpoint hit before now.  Each
 * stretch between checkpoints, latest first, is run forward with the
 * hits noted (a breakpoint where its instruction starts, a watchpoint
 * before the instruction that made the access: gdb then sees the old
 * value); the last hit wins.  None at all: the recording's start. */
static void gdb_reverse_continue(GdbStub *g)
{
    CPUState *env = g->t.cpu;
    const GdbReplayOps *rr = g->t.rr;
    void *o = g->t.rr_opaque;
    uint64_t cur = env->icount, first = rr->first(o), end = cur;

    gdb_set_step(g, false);
    while (end > first) {
        uint64_t ck = rr->restore(o, end - 1);
        bool found = false;
        uint64_t pos = 0;
        int stop = STOP_NONE, type = 0;
        uint32_t addr = 0;
        while (env->icount < end && rr->run_until(o, end) == 1) {
            uint64_t at = g->stop == STOP_WATCH ? env->icount - 1 : env->icount;
            if (at < cur) {
                found = true;
                pos = at;
                stop = g->stop;
                addr = g->hit_addr;
                type = g->hit_type;
            }
            if (g->stop == STOP_BP) {   /* on past it */
                g->skip_valid = true;
                g->skip_pc = env->seg[R_CS].base + env->eip;
            }
        }
        if (found) {
            gdb_rr_seek(g, pos);
            g->stop = stop;
            g->hit_addr = addr;
            g->hit_type = type;
            gdb_stop_reply(g);
            return;
        }
        if (ck >= end)
            break;                      /* no earlier checkpoint */
        end = ck;
    }
    gdb_rr_seek(g, first);
    g->stop = STOP_BEGIN;
    gdb_stop_reply(g);
}

/* the client leaves: breakpoints off, the machine runs on; kill: tx86 ends */
static void gdb_leave(GdbStub *g, bool kill)
{
    gdb_detach_state(g);
    gdb_close_conn(g);
    if (kill)
        host_request_shutdown(g->t.host, 0);
}

/* one packet (NUL-terminated payload); true when the machine resumes or
 * the client left */
static bool gdb_packet(GdbStub *g, const char *pkt)
{
    const char *p = pkt + 1;
    switch (pkt[0]) {
    case '?': gdb_stop_reply(g); break;
    case 'g': gdb_read_regs(g); break;
    case 'G': gdb_write_regs(g, pkt, p); break;
    case 'p': gdb_read_reg(g, pkt, p); break;
    case 'P': gdb_write_reg(g, pkt, p); break;
    case 'm': gdb_read_mem(g, pkt, p); break;
    case 'M': gdb_write_mem(g, pkt, p); break;
    case 'Z':
    case 'z': gdb_breakpoint(g, pkt, p); break;
    case 'q': gdb_query(g, pkt); break;
    case 'c':
    case 's':
        return gdb_resume(g, pkt);
    case 'b':                           /* bs, bc: reverse execution (replay only) */
        if (!g->t.rr || (strcmp(pkt, "bs") && strcmp(pkt, "bc")))
            gdb_send(g, "");
        else if (pkt[1] == 's')
            gdb_reverse_step(g);
        else
            gdb_reverse_continue(g);
        break;
    case 'D':
        gdb_send(g, "OK");
        gdb_leave(g, false);
        return true;
    case 'k':
        gdb_leave(g, true);
        return true;
    case 'H':
    case 'T':
        gdb_send(g, "OK");
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
            gdb_leave(g, true);
            return true;
        }
        gdb_send(g, "");
        break;
    default:
        gdb_send(g, "");
        break;
    }
    return false;
}

/* serve packets until gdb resumes the machine (or goes away) */
static void gdb_serve(GdbStub *g, bool announce)
{
    char pkt[GDB_PKT_MAX];

    g->stepping = false;
    if (announce)
        gdb_stop_reply(g);
    for (;;) {
        int n = gdb_recv(g, pkt, sizeof(pkt));
        if (n == GDB_RX_CLOSED) {
            gdb_detach_state(g);        /* the debugger went away: run on */
            return;
        }
        if (n == GDB_RX_INTR)
            continue;                   /* Ctrl-C: already stopped */
        if (gdb_packet(g, pkt))
            return;
    }
}

/* ------------------------------------------------------------ public */

static GdbStub *gdb_alloc(const GdbTarget *t)
{
    GdbStub *g = g_new0(GdbStub, 1);
    g->t = *t;
    g->in_fd = g->out_fd = g->listen_fd = -1;
    return g;
}

GdbStub *gdb_new(const GdbTarget *t, const char *dev, GError **errp)
{
    GdbStub *g = gdb_alloc(t);
    if (!gdb_listen(g, dev, errp)) {
        gdb_free(g);
        return NULL;
    }
    return g;
}

GdbStub *gdb_new_fd(const GdbTarget *t, int in_fd, int out_fd)
{
    GdbStub *g = gdb_alloc(t);
    gdb_set_conn(g, in_fd, out_fd);
    return g;
}

bool gdb_connected(const GdbStub *g)
{
    return g->in_fd >= 0;
}

void gdb_free(GdbStub *g)
{
    if (!g)
        return;
    gdb_close_conn(g);
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    unix_socket_remove(&g->unix_sock);   /* ours, not what replaced it */
    g_free(g);
}

void gdb_start(GdbStub *g, bool wait)
{
    if (!wait)
        return;
    if (g->in_fd < 0)
        fprintf(stderr, "tx86: waiting for gdb (-S)\n");
    while (g->in_fd < 0) {
        int r = g->listen_fd >= 0 ? gdb_accept(g, true) : -1;
        if (r < 0) {
            fprintf(stderr, "tx86: gdb: accept: %s; running on\n", g_strerror(errno));
            return;
        }
    }
    g->stop = STOP_START;
    gdb_serve(g, false);                /* gdb asks with '?' */
}

void gdb_poll(GdbStub *g)
{
    CPUState *env = g->t.cpu;

    if (g->stepping && (env->icount != g->step_icount || env->halted)) {
        g->stop = STOP_STEP;
        gdb_serve(g, true);
        return;
    }
    if (g->in_fd < 0) {
        if (g->listen_fd >= 0 && gdb_accept(g, false) > 0) {
            g->stop = STOP_INTR;        /* attaching stops the machine */
            gdb_serve(g, false);
        }
        return;
    }
    if (g->stepping)
        return;
    /* running: only Ctrl-C means something; look at what has arrived, at
     * most one buffer's worth, so a flood cannot hold the CPU */
    for (size_t budget = sizeof(g->in); budget && gdb_readable(g); budget--) {
        int c = gdb_getc(g);
        if (c < 0) {
            gdb_detach_state(g);
            return;
        }
        if (c == 0x03) {
            g->stop = STOP_INTR;
            gdb_serve(g, true);
            return;
        }
    }
}

void gdb_replay_end(GdbStub *g)
{
    if (!g || g->in_fd < 0)
        return;
    g->stop = STOP_END;
    gdb_serve(g, true);
}

void gdb_stopped(GdbStub *g)
{
    if (!g)
        return;
    if (g->in_fd < 0) {                 /* nobody to tell: run on */
        gdb_detach_state(g);
        return;
    }
    gdb_serve(g, true);
}

/* ------------------------------------------------------------ CPU hooks */

bool gdb_bp_at(const GdbStub *g, uint32_t lin)
{
    if (!g)
        return false;
    for (int i = 0; i < g->nbp; i++)
        if (g->bp[i] == lin)
            return true;
    return false;
}

bool gdb_cpu_breakpoint(GdbStub *g, const CPUState *env)
{
    uint32_t lin = env->seg[R_CS].base + env->eip;
    if (!g || g->rr_quiet)
        return false;
    if (g->skip_valid) {
        g->skip_valid = false;
        if (lin == g->skip_pc)
            return false;
    }
    if (!gdb_bp_at(g, lin))
        return false;
    g->stop = STOP_BP;
    g->stepping = false;
    return true;
}

bool gdb_page_watched(const GdbStub *g, uint32_t lin)
{
    uint32_t page = lin & PAGE_MASK;
    if (!g)
        return false;
    for (int i = 0; i < g->nwp; i++) {
        uint32_t first = g->wp[i].addr & PAGE_MASK;
        uint32_t last = (g->wp[i].addr + g->wp[i].len - 1) & PAGE_MASK;
        if (page - first <= last - first)      /* any page of it, wrapping at 4 GiB */
            return true;
    }
    return false;
}

void gdb_check_data(GdbStub *g, CPUState *env, uint32_t lin, uint32_t size, bool write)
{
    if (!g || g->rr_quiet)
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

/* the CPU reaches the stub through these (cpu_add_hooks, debug_machine.c):
 * opaque is where the board keeps its stub (GdbStub **: -gdb creates it
 * after the hooks are added, a test's gdb_new_fd later still) */
static bool gdb_hook_breakpoint(void *opaque, CPUState *env)
{
    return gdb_cpu_breakpoint(*(GdbStub **)opaque, env);
}

static bool gdb_hook_bp_at(void *opaque, const CPUState *env, uint32_t lin)
{
    return gdb_bp_at(*(GdbStub **)opaque, lin);
}

static bool gdb_hook_page_watched(void *opaque, const CPUState *env, uint32_t lin)
{
    return gdb_page_watched(*(GdbStub **)opaque, lin);
}

static void gdb_hook_data(void *opaque, CPUState *env, uint32_t lin, uint32_t size, bool write)
{
    gdb_check_data(*(GdbStub **)opaque, env, lin, size, write);
}

const CPUHooks gdb_cpu_hooks = {
    .on_breakpoint = gdb_hook_breakpoint,
    .bp_at = gdb_hook_bp_at,
    .page_watched = gdb_hook_page_watched,
    .on_data = gdb_hook_data,
};
