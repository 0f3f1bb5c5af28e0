/*
 * trace_main.c - tx86-trace: print, filter and query the binary execution
 * traces tx86 writes with --trace FILE (format: src/debug/trace_format.h).
 *
 *   tx86-trace boot.trc                          every event as text
 *   tx86-trace --range 0xc1000000..0xc1ffffff --kind insn,mem boot.trc
 *   tx86-trace --insn wrmsr boot.trc             instructions by mnemonic
 *   tx86-trace --mem 0xc15a0000+4 boot.trc       instructions touching memory
 *   tx86-trace --who-wrote 0xc15a0000+4 boot.trc instructions that wrote it
 *   tx86-trace --last-set esp [--before N] boot.trc
 *   tx86-trace --stats boot.trc                  counts and sizes
 *
 * Instructions are numbered from 0 in execution order (#N); an event
 * group is one instruction (or one interrupt delivery) with the memory
 * and port accesses it made and the registers it changed.  The disassembly
 * comes from Capstone, from the bytes recorded when the instruction was
 * translated.  Exit status: 0, 1 for usage errors or a bad file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <glib.h>
#include <capstone/capstone.h>
#include "debug/trace_format.h"

#define GROUP_MAX 256                /* effects kept per group */

typedef struct Def {
    uint32_t lin, phys;
    uint8_t mode, len;
    uint8_t bytes[15];
    bool defined;
} Def;

typedef struct Effect {
    uint8_t kind;                    /* TR_REG, TR_MEMR, TR_MEMW, TR_IOR, TR_IOW */
    uint8_t size;                    /* REG: register number */
    uint32_t addr;                   /* MEM: linear address, IO: port */
    uint32_t value;
} Effect;

typedef struct Group {
    bool valid;
    bool is_int;
    uint64_t index;                  /* INSN: instruction number; INT: the next one */
    uint32_t id;                     /* INSN: DEF id */
    uint8_t vector, int_kind;
    uint32_t error, eip;
    uint16_t cs;
    Effect fx[GROUP_MAX];
    int nfx;
    int lost;                        /* effects beyond GROUP_MAX */
} Group;

typedef struct Range {
    uint32_t lo, hi;
} Range;

enum { K_INSN = 1, K_REG = 2, K_MEM = 4, K_IO = 8, K_INT = 16, K_ALL = 31 };

typedef struct Options {
    bool have_range, have_mem, have_wrote, stats;
    Range range, mem, wrote;
    const char *insn;                /* mnemonic filter */
    unsigned kinds;
    bool kinds_given;
    int last_reg;                    /* --last-set, -1 none */
    uint64_t before;                 /* --before N: only groups before #N */
} Options;

typedef struct Reader {
    gzFile gz;
    GArray *defs;                    /* Def by id */
    csh cs16, cs32;
    Options opt;
    Group cur;
    uint64_t n_insns, n_ints, n_mem, n_io, n_reg, n_defs;
    uint64_t end_icount;
    bool have_end;
    /* --last-set */
    bool last_found;
    Group last;
    uint32_t last_value;
} Reader;

static bool rd(Reader *r, void *buf, unsigned n)
{
    return n == 0 || gzread(r->gz, buf, n) == (int)n;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static bool parse_num(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*s == 0 || *end || v > 0xffffffffull)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* START..END, START+LEN or a single ADDR */
static bool parse_range(const char *s, Range *r)
{
    gchar *t = g_strdup(s);
    char *sep;
    uint32_t a = 0, b = 0;
    bool ok;
    if ((sep = strstr(t, "..")) != NULL) {
        *sep = 0;
        ok = parse_num(t, &a) && parse_num(sep + 2, &b) && b >= a;
    } else if ((sep = strchr(t + 1, '+')) != NULL) {
        *sep = 0;
        ok = parse_num(t, &a) && parse_num(sep + 1, &b) && b > 0;
        b = a + b - 1;
    } else {
        ok = parse_num(t, &a);
        b = a;
    }
    g_free(t);
    r->lo = a;
    r->hi = b;
    return ok;
}

static bool overlaps(const Range *r, uint32_t addr, uint32_t size)
{
    uint32_t last = addr + (size ? size - 1 : 0);
    return addr <= r->hi && last >= r->lo;
}

static const Def *def_of(Reader *r, uint32_t id)
{
    if (id >= r->defs->len)
        return NULL;
    const Def *d = &g_array_index(r->defs, Def, id);
    return d->defined ? d : NULL;
}

/* "mnemonic operands" of an instruction (static buffer of the caller) */
static void disasm(Reader *r, const Def *d, char *out, size_t size, char *mnem, size_t msize)
{
    if (size < 200)
        return;
    cs_insn *insn = NULL;
    size_t n = cs_disasm((d->mode & TRACE_MODE_CODE32) ? r->cs32 : r->cs16, d->bytes, d->len,
                         d->lin, 1, &insn);
    if (n) {
        snprintf(out, size, "%s%s%s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "",
                 insn[0].op_str);
        snprintf(mnem, msize, "%s", insn[0].mnemonic);
        cs_free(insn, n);
    } else {
        snprintf(out, size, "(bad)");
        snprintf(mnem, msize, "(bad)");
    }
}

static void print_header(Reader *r, const Group *g)
{
    if (g->is_int) {
        static const char *const kind[] = { "irq", "nmi", "exception", "triple-fault" };
        printf("#%-10" G_GUINT64_FORMAT " INT  %s vector %u error %08x at %04x:%08x\n",
               g->index, g->int_kind < 4 ? kind[g->int_kind] : "?", g->vector, g->error,
               g->cs, g->eip);
        return;
    }
    const Def *d = def_of(r, g->id);
    char text[200], mnem[32], hex[48] = "";
    if (!d) {
        printf("#%-10" G_GUINT64_FORMAT " ???????? (undefined id %u)\n", g->index, g->id);
        return;
    }
    disasm(r, d, text, sizeof(text), mnem, sizeof(mnem));
    for (int i = 0; i < d->len; i++)
        snprintf(hex + 2 * i, sizeof(hex) - 2 * (size_t)i, "%02x", d->bytes[i]);
    printf("#%-10" G_GUINT64_FORMAT " %08x %-16s %-24s %s\n", g->index, d->lin,
           (d->mode & TRACE_MODE_CODE32) ? "" : "[16]", hex, text);
}

static void print_effect(const Effect *e)
{
    switch (e->kind) {
    case TR_REG:
        printf("        %s=%08x\n", e->size < TRACE_NREGS ? trace_reg_names[e->size] : "?",
               e->value);
        break;
    case TR_MEMR:
    case TR_MEMW:
        printf("        mem %s %08x/%u %s %0*x\n", e->kind == TR_MEMR ? "read " : "write",
               e->addr, e->size, e->kind == TR_MEMR ? "->" : "<-", 2 * e->size, e->value);
        break;
    case TR_IOR:
    case TR_IOW:
        printf("        io  %s %04x/%u %s %0*x\n", e->kind == TR_IOR ? "in " : "out",
               e->addr, e->size, e->kind == TR_IOR ? "->" : "<-", 2 * e->size, e->value);
        break;
    }
}

static unsigned effect_kind(uint8_t k)
{
    return k == TR_REG ? K_REG : (k == TR_MEMR || k == TR_MEMW) ? K_MEM : K_IO;
}

/* a complete group: filter and print, or feed the query */
static void group_done(Reader *r)
{
    Group *g = &r->cur;
    const Options *o = &r->opt;
    if (!g->valid)
        return;
    g->valid = false;
    if (o->before && g->index >= o->before && !(g->is_int && g->index == o->before))
        return;

    if (o->last_reg >= 0) {
        for (int i = 0; i < g->nfx; i++)
            if (g->fx[i].kind == TR_REG && g->fx[i].size == o->last_reg) {
                r->last = *g;
                r->last_found = true;
                r->last_value = g->fx[i].value;
            }
        return;
    }
    if (o->stats)
        return;

    const Def *d = g->is_int ? NULL : def_of(r, g->id);
    if (g->is_int) {
        if (o->have_range || o->insn || o->have_mem || o->have_wrote)
            return;
        if (!(o->kinds & K_INT))
            return;
    } else {
        if (!(o->kinds & K_INSN) && o->kinds_given && !(o->kinds & (K_REG | K_MEM | K_IO)))
            return;
        if (o->have_range && (!d || d->lin < o->range.lo || d->lin > o->range.hi))
            return;
        if (o->insn) {
            char text[200], mnem[32];
            if (!d)
                return;
            disasm(r, d, text, sizeof(text), mnem, sizeof(mnem));
            if (g_ascii_strcasecmp(mnem, o->insn) != 0)
                return;
        }
        if (o->have_mem || o->have_wrote) {
            bool hit = false;
            for (int i = 0; i < g->nfx && !hit; i++) {
                const Effect *e = &g->fx[i];
                if (o->have_mem && (e->kind == TR_MEMR || e->kind == TR_MEMW) &&
                    overlaps(&o->mem, e->addr, e->size))
                    hit = true;
                if (o->have_wrote && e->kind == TR_MEMW && overlaps(&o->wrote, e->addr, e->size))
                    hit = true;
            }
            if (!hit)
                return;
        }
    }
    print_header(r, g);
    for (int i = 0; i < g->nfx; i++) {
        const Effect *e = &g->fx[i];
        if (o->have_wrote && !o->kinds_given) {
            if (e->kind == TR_MEMW && overlaps(&o->wrote, e->addr, e->size))
                print_effect(e);
            continue;
        }
        if (o->kinds & effect_kind(e->kind))
            print_effect(e);
    }
    if (g->lost)
        printf("        (%d more effects not shown)\n", g->lost);
}

static void group_add(Reader *r, const Effect *e)
{
    if (!r->cur.valid)
        return;                       /* before the first instruction: nothing to attach to */
    if (r->cur.nfx < GROUP_MAX)
        r->cur.fx[r->cur.nfx++] = *e;
    else
        r->cur.lost++;
}

static bool read_trace(Reader *r)
{
    uint8_t hdr[16], b[32];
    if (!rd(r, hdr, 16) || memcmp(hdr, TRACE_MAGIC, 8) != 0) {
        fprintf(stderr, "tx86-trace: not a tx86 trace (bad magic)\n");
        return false;
    }
    if (le32(hdr + 8) != TRACE_VERSION) {
        fprintf(stderr, "tx86-trace: trace version %u, this tool reads %u\n", le32(hdr + 8),
                TRACE_VERSION);
        return false;
    }
    for (;;) {
        int k = gzgetc(r->gz);
        Effect e = { 0 };
        if (k < 0)
            break;                    /* truncated trace (tx86 killed): show what is there */
        switch (k) {
        case TR_DEF: {
            if (!rd(r, b, TR_DEF_FIXED))
                goto trunc;
            Def d = { .lin = le32(b + 4), .phys = le32(b + 8), .mode = b[12], .len = b[13],
                      .defined = true };
            uint32_t id = le32(b);
            /* ids count up from 0 (trace_format.h): a new id is the next
             * one, so the table grows with the file, not with a number in it */
            if (d.len > 15 || !rd(r, d.bytes, d.len) || id > r->defs->len)
                goto bad;
            if (id == r->defs->len)
                g_array_set_size(r->defs, id + 1);
            g_array_index(r->defs, Def, id) = d;
            r->n_defs++;
            break;
        }
        case TR_INSN:
            if (!rd(r, b, TR_INSN_SIZE))
                goto trunc;
            group_done(r);
            memset(&r->cur, 0, offsetof(Group, fx));
            r->cur.nfx = r->cur.lost = 0;
            r->cur.valid = true;
            r->cur.index = r->n_insns++;
            r->cur.id = le32(b);
            break;
        case TR_REG:
            if (!rd(r, b, TR_REG_SIZE))
                goto trunc;
            e.kind = TR_REG;
            e.size = b[0];
            e.value = le32(b + 1);
            r->n_reg++;
            group_add(r, &e);
            break;
        case TR_MEMR:
        case TR_MEMW:
            if (!rd(r, b, TR_MEM_SIZE))
                goto trunc;
            e.kind = (uint8_t)k;
            e.size = b[0];
            e.addr = le32(b + 1);
            e.value = le32(b + 5);
            r->n_mem++;
            group_add(r, &e);
            break;
        case TR_IOR:
        case TR_IOW:
            if (!rd(r, b, TR_IO_SIZE))
                goto trunc;
            e.kind = (uint8_t)k;
            e.addr = le16(b);
            e.size = b[2];
            e.value = le32(b + 3);
            r->n_io++;
            group_add(r, &e);
            break;
        case TR_INT:
            if (!rd(r, b, TR_INT_SIZE))
                goto trunc;
            group_done(r);
            memset(&r->cur, 0, offsetof(Group, fx));
            r->cur.nfx = r->cur.lost = 0;
            r->cur.valid = true;
            r->cur.is_int = true;
            r->cur.index = r->n_insns;
            r->cur.vector = b[0];
            r->cur.int_kind = b[1];
            r->cur.error = le32(b + 2);
            r->cur.cs = le16(b + 6);
            r->cur.eip = le32(b + 8);
            r->n_ints++;
            break;
        case TR_END:
            if (!rd(r, b, TR_END_SIZE))
                goto trunc;
            group_done(r);
            r->end_icount = le32(b) | (uint64_t)le32(b + 4) << 32;
            r->have_end = true;
            return true;
        default:
            goto bad;
        }
    }
trunc:
    group_done(r);
    fprintf(stderr, "tx86-trace: the trace ends without an END record (tx86 did not exit cleanly)\n");
    return true;
bad:
    fprintf(stderr, "tx86-trace: corrupt trace after %" G_GUINT64_FORMAT " instructions\n",
            r->n_insns);
    return false;
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: tx86-trace [options] TRACE\n"
"print a tx86 --trace file as text, filtered\n"
"  --range START..END|START+LEN  instructions at these linear addresses\n"
"  --insn MNEMONIC               instructions with this mnemonic (Capstone's)\n"
"  --kind K[,K...]               what to show: insn, reg, mem, io, int [all]\n"
"  --mem ADDR[+LEN|..END]        instructions that read or wrote these bytes\n"
"  --who-wrote ADDR[+LEN|..END]  instructions that wrote these bytes\n"
"  --last-set REG                the last instruction (or interrupt) that changed REG\n"
"                                (eax..edi, eflags, es..gs, cr0, cr2, cr3, cr4)\n"
"  --before N                    only look at events before instruction #N\n"
"  --stats                       counts: instructions, events, uncompressed size\n"
"Numbers take 0x for hex.\n");
}

int main(int argc, char **argv)
{
    Reader r;
    const char *path = NULL;
    memset(&r, 0, sizeof(r));
    r.opt.kinds = K_ALL;
    r.opt.last_reg = -1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--stats")) {
            r.opt.stats = true;
            continue;
        } else if (a[0] != '-') {
            path = a;
            continue;
        }
        if (!v) {
            fprintf(stderr, "tx86-trace: %s needs a value\n", a);
            return 1;
        }
        i++;
        if (!strcmp(a, "--range")) {
            ok = r.opt.have_range = parse_range(v, &r.opt.range);
        } else if (!strcmp(a, "--mem")) {
            ok = r.opt.have_mem = parse_range(v, &r.opt.mem);
        } else if (!strcmp(a, "--who-wrote")) {
            ok = r.opt.have_wrote = parse_range(v, &r.opt.wrote);
        } else if (!strcmp(a, "--insn")) {
            r.opt.insn = v;
        } else if (!strcmp(a, "--before")) {
            char *end;
            r.opt.before = strtoull(v, &end, 0);
            ok = *v && !*end;
        } else if (!strcmp(a, "--last-set")) {
            for (int k = 0; k < TRACE_NREGS; k++)
                if (!g_ascii_strcasecmp(v, trace_reg_names[k]))
                    r.opt.last_reg = k;
            ok = r.opt.last_reg >= 0;
        } else if (!strcmp(a, "--kind")) {
            gchar **parts = g_strsplit(v, ",", -1);
            r.opt.kinds = 0;
            r.opt.kinds_given = true;
            for (gchar **p = parts; *p && ok; p++) {
                if (!strcmp(*p, "insn")) r.opt.kinds |= K_INSN;
                else if (!strcmp(*p, "reg")) r.opt.kinds |= K_REG;
                else if (!strcmp(*p, "mem")) r.opt.kinds |= K_MEM;
                else if (!strcmp(*p, "io")) r.opt.kinds |= K_IO;
                else if (!strcmp(*p, "int")) r.opt.kinds |= K_INT;
                else if (!strcmp(*p, "all")) r.opt.kinds |= K_ALL;
                else ok = false;
            }
            g_strfreev(parts);
        } else {
            fprintf(stderr, "tx86-trace: unknown option '%s' (try --help)\n", a);
            return 1;
        }
        if (!ok) {
            fprintf(stderr, "tx86-trace: bad value '%s' for %s\n", v, a);
            return 1;
        }
    }
    if (!path) {
        usage(stderr);
        return 1;
    }
    r.gz = gzopen(path, "rb");
    if (!r.gz) {
        fprintf(stderr, "tx86-trace: cannot open '%s'\n", path);
        return 1;
    }
    gzbuffer(r.gz, 1u << 17);
    if (cs_open(CS_ARCH_X86, CS_MODE_16, &r.cs16) != CS_ERR_OK ||
        cs_open(CS_ARCH_X86, CS_MODE_32, &r.cs32) != CS_ERR_OK) {
        fprintf(stderr, "tx86-trace: cannot open Capstone\n");
        return 1;
    }
    r.defs = g_array_new(FALSE, TRUE, sizeof(Def));
    bool ok = read_trace(&r);
    gzclose(r.gz);

    if (ok && r.opt.last_reg >= 0) {
        if (!r.last_found) {
            printf("%s was not changed in the trace%s\n", trace_reg_names[r.opt.last_reg],
                   r.opt.before ? " before that instruction" : "");
        } else {
            printf("%s=%08x set by:\n", trace_reg_names[r.opt.last_reg], r.last_value);
            print_header(&r, &r.last);
        }
    }
    if (ok && r.opt.stats) {
        printf("instructions    %" G_GUINT64_FORMAT "\n", r.n_insns);
        printf("interrupts      %" G_GUINT64_FORMAT "\n", r.n_ints);
        printf("memory accesses %" G_GUINT64_FORMAT "\n", r.n_mem);
        printf("port accesses   %" G_GUINT64_FORMAT "\n", r.n_io);
        printf("register writes %" G_GUINT64_FORMAT "\n", r.n_reg);
        printf("translated      %" G_GUINT64_FORMAT " instruction definitions\n", r.n_defs);
        if (r.have_end)
            printf("icount at end   %" G_GUINT64_FORMAT "\n", r.end_icount);
    }
    cs_close(&r.cs16);
    cs_close(&r.cs32);
    g_array_free(r.defs, TRUE);
    return ok ? 0 : 1;
}
