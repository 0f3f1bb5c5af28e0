/*
 * gen.c - the differential tester's case generator: its own x86 encoder
 * driven by instruction form templates (no Capstone involved).
 *
 * A case is built one instruction at a time.  Each form function
 * (gen_form_alu, gen_form_shift, ...) picks operand size, prefixes
 * (0x66, 0x67, segment overrides, LOCK, REP) and operands, writes the
 * bytes, and declares which flags it reads, which it defines and which the
 * SDM leaves undefined.  The generator keeps per register what it knows:
 *   RS_UNUSED   initial value still free (chosen when first needed)
 *   RS_KNOWN    value known (initial value fixed, or set by a MOV imm)
 *   RS_UNKNOWN  written by an earlier instruction
 * so that memory operands can be aimed into the data area: base/index
 * values and displacements are solved for a target offset, and a register
 * whose value is unknown is first loaded with `MOV r32, imm32` (a prelude).
 * An instruction that reads a flag left undefined by an earlier one gets a
 * `CMP r, 0` (all six flags defined) in front of it.  For every
 * instruction the offset and the undefined-flag mask before it are kept,
 * so a fault in the middle of a case is compared with the right mask.
 *
 * Everything is a pure function of (seed, case index) or, for the
 * enumerated pass, of the case index alone: replays regenerate the case.
 */
#include <string.h>
#include <stdio.h>
#include "diffgen.h"

#define F_C 0x001u
#define F_P 0x004u
#define F_A 0x010u
#define F_Z 0x040u
#define F_S 0x080u
#define F_O 0x800u
#define F_ALL (F_C | F_P | F_A | F_Z | F_S | F_O)

enum { RS_UNUSED = 0, RS_KNOWN, RS_UNKNOWN };
enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI };

/* modrm() flags */
enum {
    M_MEM = 1,      /* memory only */
    M_REG = 2,      /* register only */
    M_LEA = 4,      /* address computed, no access: any register values */
    M_WRITE = 8,    /* the memory operand is written */
};

typedef struct Gen {
    uint64_t rng;
    DiffCase *c;
    GenInfo *info;
    int mode;                   /* 16 or 32 */
    int cpl3;
    uint8_t rs[8];              /* RS_* */
    uint32_t val[8];            /* value when RS_KNOWN */
    uint32_t undef;             /* flags undefined after the code so far */
    int force_edge;             /* enumerated pass: edge value index, else -1 */
    int imm_edge_used;
    /* the instruction being built */
    uint8_t pre[48]; int npre;  /* prelude (MOV r, imm32) */
    uint8_t ins[40]; int nins;
    int lock_pos;               /* where a LOCK prefix may be inserted */
    uint32_t fr, fw, fu;        /* flags read / defined / left undefined */
    int opsz, asz;              /* bytes */
    int seg_ok_cs;              /* CS override allowed (read-only memory operand) */
    bool bad;                   /* cannot generate this variant: retry */
    bool no_undef_change;       /* leave g->undef as it is (branch fillers) */
    uint32_t last_mem_off;      /* data offset the last memory operand was aimed at */
} Gen;

/* ---- random numbers ---- */

static uint64_t gen_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint32_t rnd32(Gen *g)
{
    g->rng = gen_mix64(g->rng);
    return (uint32_t)(g->rng >> 32);
}

static uint32_t rnd(Gen *g, uint32_t n)
{
    return (uint32_t)(((uint64_t)rnd32(g) * n) >> 32);
}

static bool chance(Gen *g, uint32_t one_in)
{
    return rnd(g, one_in) == 0;
}

/* an operand value: edge values half the time */
static uint32_t value(Gen *g)
{
    if (g->force_edge >= 0 && !g->imm_edge_used) {
        g->imm_edge_used = 1;
        return diff_edge_values[g->force_edge];
    }
    switch (rnd(g, 4)) {
    case 0: case 1: return diff_edge_values[rnd(g, DIFF_N_EDGE)];
    case 2: return rnd32(g) & (0xffu << (8 * rnd(g, 4)));
    default: return rnd32(g);
    }
}

/* ---- emission ---- */

static void b1(Gen *g, uint32_t v)
{
    if (g->nins < (int)sizeof g->ins)
        g->ins[g->nins++] = (uint8_t)v;
    else
        g->bad = true;
}

static void bimm(Gen *g, int size, uint32_t v)
{
    for (int i = 0; i < size; i++)
        b1(g, v >> (8 * i));
}

/* flags bookkeeping of the current instruction */
/* set by the driver from the host's CPUID vendor: forms whose result is a
 * documented vendor difference are generated only on an Intel host */
bool gen_host_intel;

static void flags(Gen *g, uint32_t rd, uint32_t def, uint32_t und)
{
    g->fr |= rd;
    g->fw |= def;
    g->fu |= und;
}

static int code_size(Gen *g) { return g->mode == 32 ? 4 : 2; }

/* register r of size is written: its value becomes unknown */
static void wr(Gen *g, int r, int size)
{
    int phys = size == 1 ? (r & 3) : r;
    g->rs[phys] = RS_UNKNOWN;
}

/* a register for an operand; dst: never (E)SP for 16/32-bit operands */
static int pick_reg(Gen *g, int size, bool dst)
{
    int r;
    do
        r = rnd(g, 8);
    while (dst && size > 1 && r == R_SP);
    return r;
}

/* load r with v before the instruction (MOV r32, imm32) */
static void prelude_mov(Gen *g, int r, uint32_t v)
{
    if (g->npre + 6 > (int)sizeof g->pre || r == R_SP) {
        g->bad = true;
        return;
    }
    if (g->mode == 16)
        g->pre[g->npre++] = 0x66;
    g->pre[g->npre++] = 0xb8 + r;
    for (int i = 0; i < 4; i++)
        g->pre[g->npre++] = (uint8_t)(v >> (8 * i));
    g->rs[r] = RS_KNOWN;
    g->val[r] = v;
}

/* make register r hold v (the whole register; bits outside keep_mask are
 * free when the initial value is still unused) */
static void set_reg(Gen *g, int r, uint32_t v, uint32_t mask)
{
    if (r == R_SP) {
        g->bad = true;
        return;
    }
    if (g->rs[r] == RS_UNUSED) {
        v = (v & mask) | (rnd32(g) & ~mask);
        g->c->regs[r] = v;
        g->rs[r] = RS_KNOWN;
        g->val[r] = v;
    } else if (g->rs[r] == RS_KNOWN && ((g->val[r] ^ v) & mask) == 0) {
        /* already right */
    } else {
        prelude_mov(g, r, v & mask);
    }
}

/* prefixes: 0x66 for the operand size, 0x67 (maybe), segment override */
enum { B_NO67 = 1, B_NOSEG = 2, B_MEMW = 4, B_NO66 = 8 };

static void begin(Gen *g, int size, int bfl)
{
    g->opsz = size;
    g->asz = code_size(g);
    g->lock_pos = 0;
    if (!(bfl & B_NOSEG) && chance(g, 6)) {
        static const uint8_t segs[] = { 0x26, 0x36, 0x3e, 0x2e };
        int n = (g->mode == 32 && !(bfl & B_MEMW)) ? 4 : 3;
        b1(g, segs[rnd(g, n)]);
    }
    if (!(bfl & B_NO66) && ((size == 2 && g->mode == 32) || (size == 4 && g->mode == 16)))
        b1(g, 0x66);
    if (!(bfl & B_NO67) && chance(g, 6)) {
        b1(g, 0x67);
        g->asz = 6 - g->asz;
    }
}

static void maybe_lock(Gen *g, bool is_mem)
{
    if (is_mem && chance(g, 5) && g->nins < (int)sizeof g->ins) {
        memmove(g->ins + g->lock_pos + 1, g->ins + g->lock_pos, g->nins - g->lock_pos);
        g->ins[g->lock_pos] = 0xf0;
        g->nins++;
    }
}

/* a target offset in the data segment for an access of size bytes */
static uint32_t target(Gen *g, int size)
{
    if (chance(g, 8))       /* near a page boundary */
        return 0x1000 * (1 + rnd(g, 6)) - size + rnd(g, 2 * size);
    return 0x100 + rnd(g, 0x7000);
}

static int32_t small_signed(Gen *g)
{
    switch (rnd(g, 4)) {
    case 0: return 0;
    case 1: return (int32_t)rnd(g, 16);
    case 2: return -(int32_t)rnd(g, 64);
    default: return (int32_t)rnd(g, 256);
    }
}

static int32_t rand_disp(Gen *g, int dsize)
{
    if (dsize == 0)
        return 0;
    if (dsize == 1)
        return (int8_t)(chance(g, 3) ? (uint8_t)diff_edge_values[rnd(g, DIFF_N_EDGE)] : rnd(g, 256));
    if (dsize == 2)
        return (int16_t)rnd32(g);
    return chance(g, 2) ? (int32_t)value(g) : small_signed(g);
}

/* modular inverse of an odd number mod 2^32 */
static uint32_t inv_odd(uint32_t a)
{
    uint32_t x = a;
    for (int i = 0; i < 5; i++)
        x *= 2 - a * x;
    return x;
}

/*
 * ModRM (+SIB +displacement) with reg field regf.  Returns the register
 * number of a register operand, or -1 for memory.  Memory operands are
 * aimed at the data area (unless M_LEA).
 */
static int modrm(Gen *g, int regf, int fl)
{
    bool mem = (fl & M_MEM) ? true : (fl & M_REG) ? false : !chance(g, 2);
    int size = g->opsz > 0 ? g->opsz : 4;

    if (mem && !(fl & M_LEA) && g->mode == 32 && g->asz == 2) {
        /* 16-bit addressing in flat 32-bit code reaches only 0..64K */
        if (fl & M_MEM) {
            g->bad = true;
            return -1;
        }
        mem = false;
    }
    if (!mem) {
        int r = rnd(g, 8);
        b1(g, 0xc0 | (regf << 3) | r);
        return r;
    }

    for (int tries = 0; tries < 16; tries++) {
        int mod = rnd(g, 3), rm = rnd(g, 8);
        int terms_r[2], terms_m[2], nt = 0, dsize;
        uint32_t want, mask = g->asz == 4 ? 0xffffffffu : 0xffffu;
        uint32_t segbase = (g->mode == 32) ? DIFF_DATA_ADDR : 0;
        int sib = -1;

        if (g->asz == 4) {
            int base = rm, index = -1, scale = 0;
            bool nobase = false;
            if (rm == 4) {
                scale = rnd(g, 4);
                index = rnd(g, 8);
                base = rnd(g, 8);
                sib = (scale << 6) | (index << 3) | base;
                if (index == 4)
                    index = -1;
                if (mod == 0 && base == 5)
                    nobase = true;
            } else if (mod == 0 && rm == 5) {
                nobase = true;
            }
            dsize = mod == 1 ? 1 : mod == 2 ? 4 : nobase ? 4 : 0;
            if (!nobase) { terms_r[nt] = base; terms_m[nt] = 1; nt++; }
            if (index >= 0) {
                if (nt && terms_r[0] == index)
                    terms_m[0] += 1 << scale;
                else { terms_r[nt] = index; terms_m[nt] = 1 << scale; nt++; }
            }
        } else {
            static const int8_t r16a[8] = { R_BX, R_BX, R_BP, R_BP, R_SI, R_DI, R_BP, R_BX };
            static const int8_t r16b[8] = { R_SI, R_DI, R_SI, R_DI, -1, -1, -1, -1 };
            bool nobase = mod == 0 && rm == 6;
            dsize = mod == 1 ? 1 : mod == 2 ? 2 : nobase ? 2 : 0;
            if (!nobase) {
                terms_r[nt] = r16a[rm]; terms_m[nt] = 1; nt++;
                if (r16b[rm] >= 0) { terms_r[nt] = r16b[rm]; terms_m[nt] = 1; nt++; }
            }
        }

        int32_t disp = rand_disp(g, dsize);
        uint32_t ea = 0;

        if (fl & M_LEA) {
            /* nothing to aim: any values */
        } else {
            uint32_t t = target(g, size > 8 ? 8 : size);
            /* which terms can take any value? */
            int free_i = -1;
            uint32_t sum = 0;
            bool ok = true;
            for (int i = 0; i < nt; i++) {
                int r = terms_r[i];
                if (g->rs[r] == RS_KNOWN)
                    sum += g->val[r] * terms_m[i];
                else if (r == R_SP)
                    ok = false;
                else if (free_i < 0 && (terms_m[i] & 1))
                    free_i = i;      /* solved last */
                else if (free_i < 0 && chance(g, 2))
                    free_i = i;
                else {
                    /* give it a small value now */
                    uint32_t v = (uint32_t)small_signed(g);
                    if (g->asz == 2)
                        v &= 0xffff;
                    set_reg(g, r, v, mask);
                    sum += v * terms_m[i];
                }
            }
            if (!ok || g->bad) {
                g->bad = false;
                continue;
            }
            want = segbase + t;
            if (free_i >= 0) {
                uint32_t m = terms_m[free_i];
                uint32_t x = (want - sum - (uint32_t)disp) & mask;
                uint32_t v;
                if (m & 1) {
                    v = x * inv_odd(m);
                } else {
                    uint32_t low = x & (m - 1);
                    x -= low;
                    v = (x / m) + ((g->asz == 4 && chance(g, 2)) ? (0x80000000u / (m / 2)) * rnd(g, 2) : 0);
                }
                set_reg(g, terms_r[free_i], v & mask, mask);
                if (g->bad) { g->bad = false; continue; }
            } else if (dsize == (g->asz == 4 ? 4 : 2)) {
                disp = (int32_t)(want - sum);
                if (g->asz == 2)
                    disp = (int16_t)disp;
            }
            /* check where it lands */
            ea = 0;
            for (int i = 0; i < nt; i++)
                ea += g->val[terms_r[i]] * terms_m[i];
            ea = (ea + (uint32_t)disp) & mask;
            /* room for bit offsets (BT: -8..+32 bytes) and 8-byte accesses */
            if (ea - segbase < 0x40 || ea - segbase > 0xff00) {
                /* missed: make the first register free and retry */
                if (nt && terms_r[0] != R_SP)
                    g->rs[terms_r[0]] = RS_UNKNOWN;
                continue;
            }
        }

        if (!(fl & M_LEA))
            g->last_mem_off = ea - segbase;
        b1(g, (mod << 6) | (regf << 3) | rm);
        if (sib >= 0)
            b1(g, sib);
        bimm(g, dsize, (uint32_t)disp);
        return -1;
    }
    g->bad = true;
    return -1;
}

/* an operand register or memory written */
static int modrm_dst(Gen *g, int regf, int fl, int size)
{
    int r = modrm(g, regf, fl | M_WRITE);
    if (r >= 0) {
        if (size > 1 && r == R_SP) {
            g->bad = true;
            return r;
        }
        wr(g, r, size);
    }
    return r;
}

static int pick_size(Gen *g, bool bytes)
{
    if (bytes && chance(g, 3))
        return 1;
    return chance(g, 2) ? 2 : 4;
}

static void imm_sized(Gen *g, int size)
{
    bimm(g, size, value(g));
}

/* condition code cc -> flags it reads */
static uint32_t cond_flags(int cc)
{
    static const uint32_t f[8] = { F_O, F_C, F_Z, F_C | F_Z, F_S, F_P, F_S | F_O, F_S | F_O | F_Z };
    return f[(cc >> 1) & 7];
}

/* ---- the forms ---- */

static const uint32_t alu_undef[8] = { 0, F_A, 0, 0, F_A, 0, F_A, 0 };

static void gen_form_alu(Gen *g)
{
    int op = rnd(g, 8), size = pick_size(g, true), d = rnd(g, 2);
    int reg = pick_reg(g, size, d == 1 && op != 7);
    begin(g, size, d == 0 && op != 7 ? B_MEMW : 0);
    g->lock_pos = 0;
    b1(g, op * 8 + d * 2 + (size > 1));
    int r;
    if (d == 0 && op != 7)
        r = modrm_dst(g, reg, 0, size);
    else
        r = modrm(g, reg, 0);
    if (d == 1 && op != 7)
        wr(g, reg, size);
    if (d == 0 && op != 7)
        maybe_lock(g, r < 0);
    flags(g, (op == 2 || op == 3) ? F_C : 0, F_ALL & ~alu_undef[op], alu_undef[op]);
}

static void gen_form_alu_imm(Gen *g)
{
    int op = rnd(g, 8), size = pick_size(g, true), form = rnd(g, 4);
    uint32_t rd = (op == 2 || op == 3) ? F_C : 0;
    begin(g, size, op != 7 ? B_MEMW : 0);
    if (form == 0) {                        /* AL/eAX, imm */
        b1(g, op * 8 + 4 + (size > 1));
        imm_sized(g, size);
        if (op != 7) wr(g, R_AX, size);
    } else {
        int opc = size == 1 ? 0x80 : (form == 1 ? 0x81 : 0x83);
        if (size == 1 && g->mode == 32 && chance(g, 8))
            opc = 0x82;
        b1(g, opc);
        int r = op != 7 ? modrm_dst(g, op, 0, size) : modrm(g, op, 0);
        imm_sized(g, opc == 0x81 ? size : 1);
        if (op != 7)
            maybe_lock(g, r < 0);
    }
    flags(g, rd, F_ALL & ~alu_undef[op], alu_undef[op]);
}

static void gen_form_test(Gen *g)
{
    int size = pick_size(g, true), form = rnd(g, 3);
    begin(g, size, 0);
    if (form == 0) {
        b1(g, 0x84 + (size > 1));
        modrm(g, pick_reg(g, size, false), 0);
    } else if (form == 1) {
        b1(g, 0xa8 + (size > 1));
        imm_sized(g, size);
    } else {
        b1(g, 0xf6 + (size > 1));
        modrm(g, chance(g, 8) ? 1 : 0, 0);   /* /1 is an alias of /0 */
        imm_sized(g, size);
    }
    flags(g, 0, F_ALL & ~F_A, F_A);
}

static void gen_form_incdec(Gen *g)
{
    int size = pick_size(g, true), dec = rnd(g, 2);
    if (size > 1 && chance(g, 2)) {
        int r = pick_reg(g, size, true);
        begin(g, size, B_NOSEG | B_NO67);
        b1(g, 0x40 + dec * 8 + r);
        wr(g, r, size);
    } else {
        begin(g, size, B_MEMW);
        b1(g, size == 1 ? 0xfe : 0xff);
        int r = modrm_dst(g, dec, 0, size);
        maybe_lock(g, r < 0);
    }
    flags(g, 0, F_ALL & ~F_C, 0);
}

static void gen_form_negnot(Gen *g)
{
    int size = pick_size(g, true), neg = rnd(g, 2);
    begin(g, size, B_MEMW);
    b1(g, size == 1 ? 0xf6 : 0xf7);
    int r = modrm_dst(g, 2 + neg, 0, size);
    maybe_lock(g, r < 0);
    if (neg)
        flags(g, 0, F_ALL, 0);
}

static void gen_form_muldiv(Gen *g)
{
    int size = pick_size(g, true), op = 4 + rnd(g, 4);
    /* make the dividend's high part small sometimes so #DE is not the rule */
    if (op >= 6 && chance(g, 2)) {
        int hi = size == 1 ? R_AX : R_DX;
        uint32_t v = rnd(g, 4) == 0 ? 0xffffffffu : rnd(g, 3);
        if (size == 1)
            set_reg(g, R_AX, (v & 0xff) << 8, 0xff00);
        else
            set_reg(g, hi, v, size == 2 ? 0xffff : 0xffffffffu);
    }
    begin(g, size, 0);
    b1(g, size == 1 ? 0xf6 : 0xf7);
    modrm(g, op, 0);
    wr(g, R_AX, size == 1 ? 2 : size);
    if (size > 1)
        wr(g, R_DX, size);
    if (op < 6)
        flags(g, 0, F_C | F_O, F_S | F_Z | F_A | F_P);
    else
        flags(g, 0, 0, F_ALL);
}

static void gen_form_imul(Gen *g)
{
    int size = pick_size(g, false), form = rnd(g, 3);
    int reg = pick_reg(g, size, true);
    begin(g, size, 0);
    if (form == 0) {
        b1(g, 0x0f); b1(g, 0xaf);
        modrm(g, reg, 0);
    } else if (form == 1) {
        b1(g, 0x69);
        modrm(g, reg, 0);
        imm_sized(g, size);
    } else {
        b1(g, 0x6b);
        modrm(g, reg, 0);
        imm_sized(g, 1);
    }
    wr(g, reg, size);
    flags(g, 0, F_C | F_O, F_S | F_Z | F_A | F_P);
}

/* a shift count: mostly interesting values */
static uint32_t shift_count(Gen *g)
{
    static const uint8_t counts[] = { 0, 1, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40 };
    if (chance(g, 6))
        return rnd(g, 256);
    return counts[rnd(g, sizeof counts)];
}

/* get a count into CL (returns it) */
static uint32_t count_in_cl(Gen *g, uint32_t want)
{
    if (g->rs[R_CX] == RS_KNOWN && chance(g, 2))
        return g->val[R_CX] & 0xff;
    set_reg(g, R_CX, want, 0xff);
    return want & 0xff;
}

/* after the operands: CL still holds count (an address may have reused ECX) */
static bool cl_holds(Gen *g, uint32_t count)
{
    if (g->rs[R_CX] == RS_KNOWN && (g->val[R_CX] & 0xff) == count)
        return true;
    g->bad = true;
    return false;
}

static void gen_form_shift(Gen *g)
{
    int size = pick_size(g, true), op = rnd(g, 8), form = rnd(g, 3);
    uint32_t count = shift_count(g);
    int bits = size * 8;

    if (op == 6 && !chance(g, 4))
        op = 4;                         /* /6 is the undocumented SAL alias */
    if (form == 1)
        count = 1;
    else if (form == 2)
        count = count_in_cl(g, count);
    begin(g, size, B_MEMW);
    b1(g, (form == 0 ? 0xc0 : form == 1 ? 0xd0 : 0xd2) + (size > 1));
    modrm_dst(g, op, 0, size);
    if (form == 0)
        b1(g, count);
    if (form == 2 && !cl_holds(g, count))
        return;

    uint32_t mc = count & 31;
    if (mc == 0)
        return;
    if (op <= 1) {                      /* ROL ROR */
        flags(g, 0, F_C | (mc == 1 ? F_O : 0), mc == 1 ? 0 : F_O);
    } else if (op <= 3) {               /* RCL RCR */
        flags(g, F_C, F_C | (mc == 1 ? F_O : 0), mc == 1 ? 0 : F_O);
    } else {                            /* SHL SHR SAL SAR */
        uint32_t def = F_S | F_Z | F_P | F_C, und = F_A;
        if (mc == 1) def |= F_O; else und |= F_O;
        if (op != 7 && mc >= (uint32_t)bits) { def &= ~F_C; und |= F_C; }
        flags(g, 0, def, und);
    }
}

/* 16-bit SHLD/SHRD with a count of 17..31: the SDM leaves result and flags
 * undefined, and the vendors differ in the result (Intel shifts dst:src:dst,
 * AMD src:src:dst or dst:src:src: docs/cpu-frontend.md).  tx86 models
 * Intel, so such counts are generated only when the host is Intel too;
 * tests/guest/shxd16.asm checks Intel's values on any host. */
static void gen_form_shxd(Gen *g)
{
    int size = pick_size(g, false), right = rnd(g, 2), cl = rnd(g, 2);
    uint32_t count = shift_count(g);
    int reg = pick_reg(g, size, false);
    bool keep_big = gen_host_intel;

    if (size == 2 && (count & 31) > 16 && !keep_big)
        count &= 15;
    if (cl) {
        count = count_in_cl(g, count);
        if (size == 2 && (count & 31) > 16 && !keep_big) {
            prelude_mov(g, R_CX, count & 15);
            count &= 15;
        }
    }
    begin(g, size, B_MEMW);
    b1(g, 0x0f);
    b1(g, 0xa4 + right * 8 + cl);
    modrm_dst(g, reg, 0, size);
    if (!cl)
        b1(g, count);
    if (cl && !cl_holds(g, count))
        return;
    uint32_t mc = count & 31;
    if (mc == 0)
        return;
    if (size == 2 && mc > 16) {
        flags(g, 0, 0, F_C | F_S | F_Z | F_P | F_O | F_A);
        return;
    }
    flags(g, 0, F_C | F_S | F_Z | F_P | (mc == 1 ? F_O : 0), F_A | (mc == 1 ? 0 : F_O));
}

static void gen_form_bt(Gen *g)
{
    int size = pick_size(g, false), op = rnd(g, 4), imm = rnd(g, 2);
    begin(g, size, op ? B_MEMW : 0);
    int r;
    if (imm) {
        b1(g, 0x0f); b1(g, 0xba);
        r = op ? modrm_dst(g, 4 + op, 0, size) : modrm(g, 4 + op, 0);
        b1(g, chance(g, 2) ? rnd(g, 256) : rnd(g, size * 8));
    } else {
        int reg = pick_reg(g, size, false);
        bool mem = chance(g, 2);
        if (mem) {
            /* the bit offset in reg addresses memory: keep it small */
            if (reg == R_SP) { g->bad = true; return; }
            set_reg(g, reg, (uint32_t)small_signed(g), 0xffffffffu);
        }
        b1(g, 0x0f); b1(g, 0xa3 + op * 8);
        int fl = mem ? M_MEM : M_REG;
        r = op ? modrm_dst(g, reg, fl, size) : modrm(g, reg, fl);
        if (mem && (g->rs[reg] != RS_KNOWN || g->val[reg] + 64 > 320))
            g->bad = true;          /* the offset register was re-aimed */
    }
    if (op)
        maybe_lock(g, r < 0);
    flags(g, 0, F_C, F_O | F_S | F_A | F_P);
}

static void gen_form_bsf(Gen *g)
{
    int size = pick_size(g, false), reg = pick_reg(g, size, true);
    begin(g, size, 0);
    b1(g, 0x0f); b1(g, 0xbc + rnd(g, 2));
    modrm(g, reg, 0);
    wr(g, reg, size);
    flags(g, 0, F_Z, F_C | F_O | F_S | F_A | F_P);
}

static void gen_form_bswap(Gen *g)
{
    int r = pick_reg(g, 4, true);
    begin(g, 4, B_NOSEG | B_NO67);
    b1(g, 0x0f); b1(g, 0xc8 + r);
    wr(g, r, 4);
}

static void gen_form_mov(Gen *g)
{
    int size = pick_size(g, true), form = rnd(g, 6);
    switch (form) {
    case 0: {                       /* 88/89 Eb,Gb */
        begin(g, size, B_MEMW);
        b1(g, 0x88 + (size > 1));
        modrm_dst(g, pick_reg(g, size, false), 0, size);
        break;
    }
    case 1: {                       /* 8A/8B Gb,Eb */
        int reg = pick_reg(g, size, true);
        begin(g, size, 0);
        b1(g, 0x8a + (size > 1));
        modrm(g, reg, 0);
        wr(g, reg, size);
        break;
    }
    case 2: {                       /* B0+r / B8+r */
        int r = pick_reg(g, size, true);
        begin(g, size, B_NOSEG | B_NO67);
        b1(g, (size == 1 ? 0xb0 : 0xb8) + r);
        imm_sized(g, size);
        wr(g, r, size);
        break;
    }
    case 3:                         /* C6/C7 /0 */
        begin(g, size, B_MEMW);
        b1(g, 0xc6 + (size > 1));
        modrm_dst(g, 0, 0, size);
        imm_sized(g, size);
        break;
    case 4: {                       /* A0-A3 moffs */
        int store = rnd(g, 2);
        begin(g, size, store ? B_MEMW : 0);
        if (g->mode == 32 && g->asz == 2) { g->bad = true; return; }
        b1(g, 0xa0 + store * 2 + (size > 1));
        uint32_t t = target(g, size);
        bimm(g, g->asz, (g->mode == 32 ? DIFF_DATA_ADDR : 0) + t);
        if (!store) wr(g, R_AX, size);
        break;
    }
    default: {                      /* 8C: mov r/m16, sreg (ES CS SS DS) */
        int sreg = rnd(g, 4);
        begin(g, 2, B_MEMW);
        b1(g, 0x8c);
        int r = modrm_dst(g, sreg, 0, 2);
        (void)r;
        break;
    }
    }
}

static void gen_form_movx(Gen *g)
{
    int size = pick_size(g, false), sx = rnd(g, 2), w = rnd(g, 2);
    int reg = pick_reg(g, size, true);
    begin(g, size, 0);
    b1(g, 0x0f); b1(g, 0xb6 + sx * 8 + w);
    g->opsz = w ? 2 : 1;
    modrm(g, reg, 0);
    g->opsz = size;
    wr(g, reg, size);
}

static void gen_form_lea(Gen *g)
{
    int size = pick_size(g, false), reg = pick_reg(g, size, true);
    begin(g, size, B_NOSEG);
    b1(g, 0x8d);
    modrm(g, reg, M_MEM | M_LEA);
    wr(g, reg, size);
}

static void gen_form_xchg(Gen *g)
{
    int size = pick_size(g, true);
    if (size > 1 && chance(g, 3)) {
        int r = pick_reg(g, size, true);
        if (r == 0) r = 1 + rnd(g, 3);
        begin(g, size, B_NOSEG | B_NO67);
        b1(g, 0x90 + r);
        wr(g, r, size); wr(g, R_AX, size);
        return;
    }
    int reg = pick_reg(g, size, true);
    begin(g, size, B_MEMW);
    b1(g, 0x86 + (size > 1));
    int r = modrm_dst(g, reg, 0, size);
    wr(g, reg, size);
    maybe_lock(g, r < 0);
}

static void gen_form_xadd(Gen *g)
{
    int size = pick_size(g, true), reg = pick_reg(g, size, true);
    begin(g, size, B_MEMW);
    b1(g, 0x0f); b1(g, 0xc0 + (size > 1));
    int r = modrm_dst(g, reg, 0, size);
    wr(g, reg, size);
    maybe_lock(g, r < 0);
    flags(g, 0, F_ALL, 0);
}

/* the accumulator's value now, if the generator knows it */
static bool acc_value(Gen *g, int r, uint32_t *v)
{
    if (g->rs[r] == RS_KNOWN) { *v = g->val[r]; return true; }
    if (g->rs[r] == RS_UNUSED) {
        g->rs[r] = RS_KNOWN;            /* keep it: the poke depends on it */
        *v = g->val[r] = g->c->regs[r];
        return true;
    }
    return false;
}

/* make the memory operand just aimed at hold v (a poke), half the time */
static void poke_equal(Gen *g, uint32_t off, uint32_t v)
{
    DiffCase *c = g->c;
    if (c->n_pokes < DIFF_MAX_POKES && off <= DIFF_DATA_SIZE - 4) {
        c->pokes[c->n_pokes].off = off;
        c->pokes[c->n_pokes].val = v;
        c->n_pokes++;
    }
}

static void gen_form_cmpxchg(Gen *g)
{
    int size = pick_size(g, true), reg = pick_reg(g, size, false);
    bool equal = chance(g, 2);
    uint32_t acc;
    begin(g, size, B_MEMW);
    b1(g, 0x0f); b1(g, 0xb0 + (size > 1));
    int r = modrm_dst(g, reg, 0, size);
    if (equal && r < 0 && acc_value(g, R_AX, &acc))
        poke_equal(g, g->last_mem_off, acc);
    else if (equal && r >= 0 && size > 1 && r != R_AX && g->rs[r] == RS_UNKNOWN &&
             acc_value(g, R_AX, &acc))
        prelude_mov(g, r, acc);
    wr(g, R_AX, size);
    if (r >= 0) wr(g, r, size);
    maybe_lock(g, r < 0);
    flags(g, 0, F_ALL, 0);
}

static void gen_form_cmpxchg8b(Gen *g)
{
    begin(g, 4, B_MEMW | B_NO66);
    b1(g, 0x0f); b1(g, 0xc7);
    g->opsz = 8;
    int r = modrm(g, 1, M_MEM | M_WRITE);
    uint32_t lo, hi;
    if (chance(g, 2) && acc_value(g, R_AX, &lo) && acc_value(g, R_DX, &hi)) {
        poke_equal(g, g->last_mem_off, lo);
        poke_equal(g, g->last_mem_off + 4, hi);
    }
    maybe_lock(g, r < 0);
    wr(g, R_AX, 4); wr(g, R_DX, 4);
    flags(g, 0, F_Z, 0);
}

static void gen_form_setcc(Gen *g)
{
    int cc = rnd(g, 16);
    begin(g, 1, B_MEMW);
    b1(g, 0x0f); b1(g, 0x90 + cc);
    modrm_dst(g, 0, 0, 1);
    flags(g, cond_flags(cc), 0, 0);
}

static void gen_form_cmovcc(Gen *g)
{
    int cc = rnd(g, 16), size = pick_size(g, false), reg = pick_reg(g, size, true);
    begin(g, size, 0);
    b1(g, 0x0f); b1(g, 0x40 + cc);
    modrm(g, reg, 0);
    wr(g, reg, size);
    flags(g, cond_flags(cc), 0, 0);
}

/* 1..n bytes of one-byte instructions jumped over (INC/DEC r, NOP) */
static void filler(Gen *g, int n)
{
    for (int i = 0; i < n; i++) {
        int r = pick_reg(g, 4, true);
        switch (rnd(g, 3)) {
        case 0: b1(g, 0x90); break;
        default: b1(g, 0x40 + rnd(g, 2) * 8 + r); wr(g, r, 4); break;
        }
    }
    g->no_undef_change = true;
}

static void gen_form_jcc(Gen *g)
{
    int cc = rnd(g, 16), n = 1 + rnd(g, 4), form = rnd(g, 4);
    begin(g, code_size(g), B_NOSEG | B_NO67 | B_NO66);
    if (g->mode == 16 && chance(g, 4))
        b1(g, 0x66);                    /* 32-bit EIP in 16-bit code: no truncation */
    bool wide = g->nins && g->ins[g->nins - 1] == 0x66;
    if (form == 0) {                    /* JMP */
        if (chance(g, 2)) { b1(g, 0xeb); b1(g, n); }
        else { b1(g, 0xe9); bimm(g, wide ? 4 : code_size(g), n); }
    } else if (form == 1) {
        b1(g, 0x70 + cc); b1(g, n);
        flags(g, cond_flags(cc), 0, 0);
    } else {
        b1(g, 0x0f); b1(g, 0x80 + cc);
        bimm(g, wide ? 4 : code_size(g), n);
        flags(g, cond_flags(cc), 0, 0);
    }
    filler(g, n);
}

static void gen_form_loop(Gen *g)
{
    int op = rnd(g, 4), n = 1 + rnd(g, 3);
    begin(g, code_size(g), B_NOSEG | B_NO66 | (g->mode == 32 ? B_NO67 : 0));
    uint32_t cmask = g->asz == 2 ? 0xffff : 0xffffffffu;
    if (op == 0 && chance(g, 2)) {
        /* backward: INC r; LOOP back, with a small count */
        int r = pick_reg(g, 4, true);
        if (r == R_CX) r = R_AX;
        uint32_t cnt = 1 + rnd(g, 5);
        uint8_t save[8]; int ns = g->nins;
        memcpy(save, g->ins, ns);
        set_reg(g, R_CX, cnt, cmask);
        g->nins = 0;
        b1(g, 0x40 + r);
        memcpy(g->ins + g->nins, save, ns);
        g->nins += ns;
        b1(g, 0xe2);
        b1(g, (uint8_t)(-(g->nins + 1)));
        wr(g, r, 4);
        wr(g, R_CX, 4);
        g->lock_pos = 0;
        flags(g, 0, F_ALL & ~F_C, 0);
        return;
    }
    b1(g, 0xe0 + op);
    b1(g, n);
    if (op < 3)
        wr(g, R_CX, 4);
    if (op < 2)
        flags(g, F_Z, 0, 0);
    filler(g, n);
}

static void gen_form_push(Gen *g)
{
    int size = code_size(g);
    if (chance(g, 4)) size = 6 - size;
    switch (rnd(g, 7)) {
    case 0: begin(g, size, B_NOSEG | B_NO67); b1(g, 0x50 + rnd(g, 8)); break;
    case 1: {
        int r = pick_reg(g, size, true);
        begin(g, size, B_NOSEG | B_NO67); b1(g, 0x58 + r); wr(g, r, size);
        break;
    }
    case 2: begin(g, size, B_NOSEG | B_NO67); b1(g, 0x6a); imm_sized(g, 1); break;
    case 3: begin(g, size, B_NOSEG | B_NO67); b1(g, 0x68); imm_sized(g, size); break;
    case 4: begin(g, size, 0); b1(g, 0xff); modrm(g, 6, M_MEM); break;
    case 5: begin(g, size, B_MEMW); b1(g, 0x8f); modrm_dst(g, 0, M_MEM, size); break;
    default: {                      /* push sreg, 16-bit only (32-bit is model specific) */
        static const uint8_t ops[] = { 0x06, 0x0e, 0x16, 0x1e };
        begin(g, 2, B_NOSEG | B_NO67);
        b1(g, ops[rnd(g, 4)]);
        break;
    }
    }
    g->rs[R_SP] = RS_UNKNOWN;
}

static void gen_form_pushf(Gen *g)
{
    int size = code_size(g);
    if (chance(g, 4)) size = 6 - size;
    if (chance(g, 2)) {
        begin(g, size, B_NOSEG | B_NO67);
        b1(g, 0x9c);
        flags(g, F_ALL, 0, 0);
    } else {
        uint32_t v = (rnd32(g) & (DIFF_FLAGS_IN | 2)) | 0x200;
        if (g->cpl3 && chance(g, 4))
            v ^= rnd32(g) & (0x200u | 0x3000u);    /* ignored at CPL 3 */
        /* PUSH imm32/imm16 then POPF, both of this size */
        begin(g, size, B_NOSEG | B_NO67);
        b1(g, 0x68);
        bimm(g, size, v);
        int p = g->nins;
        if ((size == 2) != (code_size(g) == 2))
            b1(g, 0x66);
        b1(g, 0x9d);
        (void)p;
        flags(g, 0, F_ALL, 0);
    }
    g->rs[R_SP] = RS_UNKNOWN;
}

static void gen_form_misc(Gen *g)
{
    switch (rnd(g, 12)) {
    case 0: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0x9f); flags(g, F_ALL & ~F_O, 0, 0); wr(g, R_AX, 2); break;
    case 1: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0x9e); flags(g, 0, F_ALL & ~F_O, 0); break;
    case 2: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0xf8); flags(g, 0, F_C, 0); break;
    case 3: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0xf9); flags(g, 0, F_C, 0); break;
    case 4: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0xf5); flags(g, F_C, F_C, 0); break;
    case 5: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0xfc + rnd(g, 2)); break;
    case 6: case 7: {               /* CBW/CWDE, CWD/CDQ */
        int size = pick_size(g, false);
        begin(g, size, B_NOSEG | B_NO67);
        int cwd = rnd(g, 2);
        b1(g, 0x98 + cwd);
        wr(g, cwd ? R_DX : R_AX, size);
        break;
    }
    case 8: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0xd6); flags(g, F_C, 0, 0); wr(g, R_AX, 1); break;
    case 9: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0x90); break;
    case 10: {                      /* multi-byte NOP 0F 1F /0 */
        int size = pick_size(g, false);
        begin(g, size, 0);
        b1(g, 0x0f); b1(g, 0x1f);
        modrm(g, 0, M_LEA);
        break;
    }
    default: begin(g, 4, B_NOSEG | B_NO67 | B_NO66); b1(g, 0xf3); b1(g, 0x90); break;
    }
}

static void gen_form_bcd(Gen *g)
{
    begin(g, 4, B_NOSEG | B_NO67 | B_NO66);
    switch (rnd(g, 6)) {
    case 0: b1(g, 0x27); flags(g, F_C | F_A, F_C | F_A | F_S | F_Z | F_P, F_O); wr(g, R_AX, 1); break;
    case 1: b1(g, 0x2f); flags(g, F_C | F_A, F_C | F_A | F_S | F_Z | F_P, F_O); wr(g, R_AX, 1); break;
    case 2: b1(g, 0x37); flags(g, F_A, F_A | F_C, F_O | F_S | F_Z | F_P); wr(g, R_AX, 2); break;
    case 3: b1(g, 0x3f); flags(g, F_A, F_A | F_C, F_O | F_S | F_Z | F_P); wr(g, R_AX, 2); break;
    default: {
        static const uint8_t imms[] = { 10, 10, 0, 1, 16, 7, 255, 0x80 };
        b1(g, 0xd4 + rnd(g, 2));
        b1(g, chance(g, 3) ? rnd(g, 256) : imms[rnd(g, sizeof imms)]);
        flags(g, 0, F_S | F_Z | F_P, F_O | F_A | F_C);
        wr(g, R_AX, 2);
        break;
    }
    }
}

static void gen_form_string(Gen *g)
{
    static const uint8_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
    int k = rnd(g, 5), size = pick_size(g, true), rep = rnd(g, 3);
    int op = ops[k] + (size > 1);
    bool cmp = k == 1 || k == 4;
    bool src = k == 0 || k == 1 || k == 3, dst = k != 3;
    bool writes = k == 0 || k == 2;

    begin(g, size, (g->mode == 32 ? B_NO67 : 0) | B_NOSEG);
    if (src && chance(g, 4)) {
        static const uint8_t segs[] = { 0x26, 0x36, 0x3e, 0x2e };
        b1(g, segs[rnd(g, g->mode == 32 ? 4 : 3)]);
    }
    uint32_t amask = g->asz == 2 ? 0xffff : 0xffffffffu;
    uint32_t base = g->mode == 32 ? DIFF_DATA_ADDR : 0;
    if (src) set_reg(g, R_SI, base + 0x1000 + rnd(g, 0x6000), amask);
    if (dst) set_reg(g, R_DI, base + 0x1000 + rnd(g, 0x6000), amask);
    uint32_t cnt = 0;
    if (rep) {
        cnt = chance(g, 6) ? 0 : 1 + rnd(g, 8);
        set_reg(g, R_CX, cnt, amask);
        b1(g, (rep == 1 || !cmp) ? 0xf3 : 0xf2);
        wr(g, R_CX, 4);
    }
    b1(g, op);
    (void)writes;
    if (src) wr(g, R_SI, 4);
    if (dst) wr(g, R_DI, 4);
    if (k == 3) wr(g, R_AX, size);
    if (cmp && (!rep || cnt > 0))
        flags(g, 0, F_ALL, 0);
}

static void gen_form_enter(Gen *g)
{
    int size = code_size(g);
    if (chance(g, 4)) size = 6 - size;
    uint32_t stack = (g->mode == 32 ? DIFF_DATA_ADDR : 0) + 0x8000 + rnd(g, 64) * 4;
    uint32_t smask = g->mode == 32 ? 0xffffffffu : 0xffff;
    begin(g, size, B_NOSEG | B_NO67);
    if (chance(g, 2)) {
        static const uint16_t sizes[] = { 0, 4, 8, 16, 0x20, 0x100 };
        int level = chance(g, 2) ? 0 : rnd(g, 4);
        if (level)
            set_reg(g, R_BP, stack, smask);
        b1(g, 0xc8);
        bimm(g, 2, chance(g, 4) ? rnd(g, 0x200) : sizes[rnd(g, 6)]);
        b1(g, level);
    } else {
        set_reg(g, R_BP, stack, smask);
        b1(g, 0xc9);
    }
    wr(g, R_BP, 4);
    g->rs[R_SP] = RS_UNKNOWN;
}

static void gen_form_pusha(Gen *g)
{
    int size = code_size(g);
    if (chance(g, 4)) size = 6 - size;
    begin(g, size, B_NOSEG | B_NO67);
    if (chance(g, 2)) {
        b1(g, 0x60);
    } else {
        b1(g, 0x61);
        for (int r = 0; r < 8; r++)
            if (r != R_SP) wr(g, r, size);
    }
    g->rs[R_SP] = RS_UNKNOWN;
}

static void gen_form_xlat(Gen *g)
{
    begin(g, 4, B_NO66 | (g->mode == 32 ? B_NO67 : 0));
    uint32_t amask = g->asz == 2 ? 0xffff : 0xffffffffu;
    set_reg(g, R_BX, (g->mode == 32 ? DIFF_DATA_ADDR : 0) + 0x100 + rnd(g, 0x7000), amask);
    b1(g, 0xd7);
    wr(g, R_AX, 1);
}

static void gen_form_lock_ud(Gen *g)
{
    /* LOCK with a register destination: #UD */
    int size = pick_size(g, true);
    begin(g, size, B_NOSEG | B_NO67);
    b1(g, 0xf0);
    b1(g, 0x00 + 8 * rnd(g, 7) + (size > 1));
    b1(g, 0xc0 | rnd(g, 64));
}

/* the hint-NOP space (SDM Vol. 2D Table A-3): 0F 18..1F with any ModRM,
 * ENDBR32/64 (F3 0F 1E FB/FA), PAUSE, under 0-3 random legacy prefixes
 * (66, F2, F3, the six segment overrides, 67) and sometimes LOCK (#UD).
 * The memory operand is never accessed, so its address is anything
 * (M_LEA): an access by tx86 would fault or differ.  Some are padded with
 * DS overrides to 14..17 bytes (over 15: #GP(0)).  0F 0D is left out: a
 * prefetch on the host, #UD on tx86's P6 models (docs/cpu-frontend.md). */
static void gen_form_hint_nop(Gen *g)
{
    static const uint8_t pfx[] = { 0x66, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67 };
    int n = rnd(g, 4);

    g->opsz = code_size(g);
    g->asz = code_size(g);
    g->lock_pos = 0;
    for (int i = 0; i < n; i++) {
        uint8_t p = pfx[rnd(g, sizeof pfx)];
        if (p == 0x67)
            g->asz = 6 - code_size(g);      /* a second 67 changes nothing */
        b1(g, p);
    }
    switch (rnd(g, 8)) {
    case 0:                                 /* ENDBR32 / ENDBR64 */
        b1(g, 0xf3); b1(g, 0x0f); b1(g, 0x1e); b1(g, 0xfa + rnd(g, 2));
        break;
    case 1:                                 /* PAUSE */
        b1(g, 0xf3); b1(g, 0x90);
        break;
    default:
        b1(g, 0x0f); b1(g, 0x18 + rnd(g, 8));
        modrm(g, rnd(g, 8), M_LEA);
        break;
    }
    if (chance(g, 16))
        maybe_lock(g, true);
    if (chance(g, 16)) {
        /* DS overrides up to 14..17 bytes: longer than 15 is #GP(0) */
        int want = 14 + rnd(g, 4);
        if (g->nins < want && want <= (int)sizeof g->ins) {
            memmove(g->ins + want - g->nins, g->ins, g->nins);
            memset(g->ins, 0x3e, want - g->nins);
            g->nins = want;
        }
    }
}

const GenForm gen_forms[] = {
    { "alu",       gen_form_alu, 4 },
    { "alu-imm",   gen_form_alu_imm, 4 },
    { "test",      gen_form_test, 2 },
    { "incdec",    gen_form_incdec, 2 },
    { "negnot",    gen_form_negnot, 2 },
    { "muldiv",    gen_form_muldiv, 3 },
    { "imul",      gen_form_imul, 2 },
    { "shift",     gen_form_shift, 4 },
    { "shld/shrd", gen_form_shxd, 2 },
    { "bt",        gen_form_bt, 2 },
    { "bsf/bsr",   gen_form_bsf, 1 },
    { "bswap",     gen_form_bswap, 1 },
    { "mov",       gen_form_mov, 3 },
    { "movzx/sx",  gen_form_movx, 2 },
    { "lea",       gen_form_lea, 3 },
    { "xchg",      gen_form_xchg, 1 },
    { "xadd",      gen_form_xadd, 1 },
    { "cmpxchg",   gen_form_cmpxchg, 1 },
    { "cmpxchg8b", gen_form_cmpxchg8b, 1 },
    { "setcc",     gen_form_setcc, 1 },
    { "cmovcc",    gen_form_cmovcc, 1 },
    { "jcc/jmp",   gen_form_jcc, 2 },
    { "loop/jecxz", gen_form_loop, 1 },
    { "push/pop",  gen_form_push, 2 },
    { "pushf/popf", gen_form_pushf, 1 },
    { "flags/cbw/misc", gen_form_misc, 2 },
    { "bcd",       gen_form_bcd, 1 },
    { "string",    gen_form_string, 2 },
    { "enter/leave", gen_form_enter, 1 },
    { "pusha/popa", gen_form_pusha, 1 },
    { "xlat",      gen_form_xlat, 1 },
    { "lock-ud",   gen_form_lock_ud, 0 },
    { "hint-nop",  gen_form_hint_nop, 1 },
};
const int gen_n_forms = sizeof gen_forms / sizeof gen_forms[0];

/* ---- cases ---- */

static void gen_case_start(Gen *g, DiffCase *c, GenInfo *info, int mode, int cpl3)
{
    memset(c, 0, sizeof *c);
    memset(info, 0, sizeof *info);
    g->c = c;
    g->info = info;
    g->mode = mode;
    g->cpl3 = cpl3;
    c->mode = mode;
    for (int r = 0; r < 8; r++) {
        g->rs[r] = RS_UNUSED;
        c->regs[r] = g->force_edge >= 0
            ? diff_edge_values[(g->force_edge + 7 * r + 1) % DIFF_N_EDGE] : value(g);
    }
    uint32_t sp = 0x8000 + rnd(g, 32) * 4 - 64;
    if (mode == 32)
        sp += DIFF_DATA_ADDR;
    else if (chance(g, 4))
        sp |= rnd32(g) & 0xffff0000u;      /* SP only: the high half must survive */
    c->regs[R_SP] = sp;
    g->rs[R_SP] = RS_KNOWN;
    g->val[R_SP] = sp;
    c->eflags = rnd32(g) & DIFF_FLAGS_IN & ~(chance(g, 4) ? 0 : 0x400u);
    g->undef = 0;
}

static bool gen_append(Gen *g, const uint8_t *b, int n)
{
    if (g->c->code_len + n > DIFF_CODE_MAX - 2)
        return false;
    memcpy(g->c->code + g->c->code_len, b, n);
    g->c->code_len += n;
    return true;
}

/* emit one instruction of form f; false when it does not fit */
static bool gen_insn(Gen *g, int f)
{
    Gen snap;
    DiffCase csnap;

    for (int attempt = 0; attempt < 12; attempt++) {
        snap = *g;
        csnap = *g->c;
        g->npre = g->nins = 0;
        g->fr = g->fw = g->fu = 0;
        g->bad = false;
        g->no_undef_change = false;
        g->imm_edge_used = 0;
        gen_forms[f].fn(g);
        if (g->bad) {
            uint64_t rng = g->rng;
            *g = snap; *g->c = csnap;
            g->rng = rng;
            continue;
        }
        if (g->fr & g->undef) {
            /* CMP r, 0 first (defines all six flags), then the same insn */
            uint8_t cmp[3] = { 0x83, 0xf8, 0x00 };
            *g = snap; *g->c = csnap;
            if (!gen_append(g, cmp, 3))
                return false;
            if (g->info->n_insns < GEN_MAX_INSNS) {
                g->info->insn_off[g->info->n_insns] = g->c->code_len - 3;
                g->info->insn_undef[g->info->n_insns] = g->undef;
                g->info->insn_form[g->info->n_insns] = -1;
                g->info->n_insns++;
            }
            g->undef &= ~F_ALL;
            attempt--;
            continue;
        }
        if (g->c->code_len + g->npre + g->nins > DIFF_CODE_MAX - 2 ||
            g->info->n_insns + 2 > GEN_MAX_INSNS) {
            *g = snap; *g->c = csnap;
            return false;
        }
        gen_append(g, g->pre, g->npre);
        int i = g->info->n_insns++;
        g->info->insn_off[i] = g->c->code_len;
        g->info->insn_undef[i] = g->undef;
        g->info->insn_form[i] = f;
        gen_append(g, g->ins, g->nins);
        if (!g->no_undef_change)
            g->undef = (g->undef & ~g->fw) | g->fu;
        return true;
    }
    return true;        /* gave up on this one: leave it out */
}

static void gen_case_end(Gen *g)
{
    uint8_t hlt = 0xf4;
    g->info->final_off = g->c->code_len;
    g->info->final_undef = g->undef;
    g->c->code[g->c->code_len++] = hlt;
}

static int pick_form(Gen *g, uint64_t forms)
{
    int total = 0;
    for (int i = 0; i < gen_n_forms; i++)
        if (forms >> i & 1)
            total += gen_forms[i].weight;
    if (total == 0)
        return 0;
    int x = rnd(g, total);
    for (int i = 0; i < gen_n_forms; i++) {
        if (!(forms >> i & 1))
            continue;
        x -= gen_forms[i].weight;
        if (x < 0)
            return i;
    }
    return 0;
}

void gen_random_case(uint64_t seed, uint64_t index, int mode, int cpl3, uint64_t forms,
                     DiffCase *c, GenInfo *info)
{
    Gen g;
    memset(&g, 0, sizeof g);
    g.rng = gen_mix64(seed * 0x2545f4914f6cdd1dull + index);
    g.force_edge = -1;
    if (mode != 16 && mode != 32)
        mode = rnd(&g, 2) ? 32 : 16;
    gen_case_start(&g, c, info, mode, cpl3);
    int n = 1 + rnd(&g, 6);
    for (int i = 0; i < n; i++)
        if (!gen_insn(&g, pick_form(&g, forms)))
            break;
    gen_case_end(&g);
}

#define ENUM_VARIANTS 16

uint64_t gen_enum_count(int mode)
{
    uint64_t n = (uint64_t)gen_n_forms * DIFF_N_EDGE * ENUM_VARIANTS;
    return (mode == 16 || mode == 32) ? n : 2 * n;
}

void gen_enum_case(uint64_t index, int mode, int cpl3, DiffCase *c, GenInfo *info)
{
    Gen g;
    memset(&g, 0, sizeof g);
    if (mode != 16 && mode != 32) {
        mode = (index & 1) ? 16 : 32;
        index >>= 1;
    }
    int var = index % ENUM_VARIANTS;
    int edge = (index / ENUM_VARIANTS) % DIFF_N_EDGE;
    int f = (int)(index / ENUM_VARIANTS / DIFF_N_EDGE) % gen_n_forms;
    g.rng = gen_mix64(0xe0e0e0e0ull + index * 131 + mode);
    g.force_edge = edge;
    (void)var;
    gen_case_start(&g, c, info, mode, cpl3);
    gen_insn(&g, f);
    gen_case_end(&g);
}
