/*
 * gen_x87.c - the differential tester's x87 case generator (difftest --x87).
 *
 * An x87 case is:
 *     FNINIT; 8 x FLDZ; FNINIT       defined contents in every register
 *     FLDCW [CW1]                    rounding/precision from the case, all
 *                                    exceptions masked
 *     2-4 loads of edge values       FLD m64/m80 from poked slots, FILD,
 *                                    FLD m32 of template words, constants
 *     4-10 random x87 instructions   every arithmetic form (register, memory,
 *                                    popping, reversed), compares (FCOM*,
 *                                    FUCOM*, FCOMI*, FTST, FXAM + FNSTSW AX),
 *                                    stack ops, FCMOVcc, stores of every
 *                                    format, FNSTENV/FLDENV, FLDCW [CW2]...
 *     [FLDCW [CW3]]                  may unmask exceptions whose flags are
 *                                    set: the pending ES state is compared
 *     FNSAVE [SAVE]; HLT             the whole FPU state lands in memory
 * so the existing comparison (GPRs, EFLAGS, changed data bytes) covers the
 * registers in stack order with TOP, the status word (condition codes,
 * flags, ES, SF), the control word, the full tag word and every store.
 * The FIP/FCS/FOP/FDP/FDS fields of the FNSAVE/FNSTENV images hold host
 * addresses natively and are masked (GenInfo.mask_*).  Exceptions stay
 * masked while instructions run: an unmasked one would be delivered
 * natively as SIGFPE at the next waiting instruction, so unmasked
 * responses and #MF delivery are covered by the guest tests
 * (tests/guest/x87_*.asm) instead.  Transcendental instructions are not
 * generated here (see docs/x87.md: float80.c documents them as not
 * bit-exact to a P6).
 *
 * Data layout (offsets into the data area, 16- and 32-bit alike):
 *   X_CW    two control words (poke: CW1 | CW2 << 16; CW3 is at X_C + 10)
 *   X_A, X_B m64 edge values (2 pokes each); X_C an m80 (3 pokes)
 *   X_RD    template words read as m16/m32/m64 operands
 *   X_WR    store targets; X_ENV FNSTENV image; X_SAVE FNSAVE image
 */
#include <string.h>
#include "diffgen.h"

enum {
    X_CW = 0xe000, X_A = 0xe010, X_B = 0xe018, X_C = 0xe020,
    X_RD = 0xe100, X_WR = 0xe400, X_ENV = 0xe800, X_SAVE = 0xf000,
};

typedef struct XGen {
    uint64_t rng;
    DiffCase *c;
    GenInfo *info;
    int mode;
} XGen;

static uint32_t xr(XGen *g, uint32_t n)
{
    g->rng = diff_mix64(g->rng + 0x9e3779b97f4a7c15ull);
    return n ? (uint32_t)(g->rng >> 32) % n : (uint32_t)(g->rng >> 32);
}

static void poke(XGen *g, uint32_t off, uint32_t v)
{
    diff_poke(g->c, off, v);
}

static bool emit(XGen *g, const uint8_t *b, int n)
{
    if (g->c->code_len + n > DIFF_CODE_MAX - 1)
        return false;
    if (g->info->n_insns < GEN_MAX_INSNS) {
        g->info->insn_off[g->info->n_insns] = g->c->code_len;
        g->info->insn_undef[g->info->n_insns] = 0;
        g->info->insn_form[g->info->n_insns] = -1;
        g->info->n_insns++;
    }
    memcpy(g->c->code + g->c->code_len, b, n);
    g->c->code_len += n;
    return true;
}

/* ESC with a register operand: two bytes */
static bool e_reg(XGen *g, uint8_t esc, uint8_t modrm)
{
    uint8_t b[2] = { esc, modrm };
    return emit(g, b, 2);
}

/* ESC /reg with an absolute memory operand at data offset off */
static bool e_mem(XGen *g, uint8_t esc, int reg, uint32_t off)
{
    uint8_t b[8];
    int n = 0;

    b[n++] = esc;
    if (g->mode == 32) {
        uint32_t a = DIFF_DATA_ADDR + off;
        b[n++] = (uint8_t)(reg << 3 | 5);
        memcpy(b + n, &a, 4);
        n += 4;
    } else {
        b[n++] = (uint8_t)(reg << 3 | 6);
        b[n++] = (uint8_t)off;
        b[n++] = (uint8_t)(off >> 8);
    }
    return emit(g, b, n);
}

/* ---- edge values ---- */

static uint64_t edge_f64(XGen *g)
{
    static const uint64_t v[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        1, 0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
        0x7ff0000000000001ull, 0xfff8000000000000ull, 0x3fe0000000000000ull,
        0x4008000000000000ull, 0x3fd5555555555555ull, 0x43e0000000000000ull,
        0x43f0000000000000ull, 0xc1e0000000000000ull, 0x7fe1ccf385ebc8a0ull,
        0x3cb0000000000000ull, 0x4330000000000000ull, 0x3ff0000000000001ull,
        0x400921fb54442d18ull,
    };
    uint32_t k = xr(g, 32);
    if (k < sizeof v / sizeof v[0])
        return v[k];
    uint64_t r = (uint64_t)xr(g, 0) << 32 | xr(g, 0);
    if (k & 1)      /* moderate exponent: interesting rounding */
        r = (r & 0x800fffffffffffffull) | (uint64_t)(0x3c0 + xr(g, 0x80)) << 52;
    return r;
}

static void edge_f80(XGen *g, uint64_t *mant, uint16_t *se)
{
    static const uint16_t exps[] = { 0, 1, 0x3fff, 0x3ffe, 0x4000, 0x403e, 0x403f, 0x7ffe,
                                     0x7fff, 0x3fbf, 0x401e, 0x400e, 0x3c00, 0x43fe };
    uint64_t m = (uint64_t)xr(g, 0) << 32 | xr(g, 0);
    switch (xr(g, 6)) {
    case 0: m = 0x8000000000000000ull; break;
    case 1: m |= 0x8000000000000000ull; break;
    case 2: m &= 0x7fffffffffffffffull; break;          /* unnormal / denormal */
    case 3: m = 0xc000000000000000ull; break;
    case 4: m = (m | 0x8000000000000000ull) & ~0xffull; break;
    default: m |= 0x8000000000000000ull; break;
    }
    if (xr(g, 8) == 0)
        m = 0;
    *mant = m;
    *se = (uint16_t)((xr(g, 2) << 15) | (xr(g, 3) ? exps[xr(g, sizeof exps / 2)]
                                                  : 0x3f80 + xr(g, 0x100)));
}

/* control word: masks all set, random RC and PC (PC 01 is reserved) */
static uint16_t rand_cw(XGen *g)
{
    static const uint16_t pcs[] = { 0x000, 0x200, 0x300, 0x300, 0x100 };
    return (uint16_t)(0x3f | pcs[xr(g, 5)] | xr(g, 4) << 10 | (xr(g, 4) == 0 ? 0x1000 : 0));
}

/* ---- instructions ---- */

static uint32_t rd_off(XGen *g) { return X_RD + 8 * xr(g, 64); }
static uint32_t wr_off(XGen *g) { return X_WR + 16 * xr(g, 32); }

static bool x_load(XGen *g)
{
    switch (xr(g, 8)) {
    case 0: case 1: return e_mem(g, 0xdd, 0, xr(g, 2) ? X_A : X_B);     /* FLD m64 */
    case 2: return e_mem(g, 0xdb, 5, X_C);                              /* FLD m80 */
    case 3: return e_mem(g, 0xd9, 0, rd_off(g));                        /* FLD m32 */
    case 4: return e_mem(g, xr(g, 2) ? 0xdb : 0xdf, 0, rd_off(g));      /* FILD m32/m16 */
    case 5: return e_mem(g, 0xdf, 5, rd_off(g));                        /* FILD m64 */
    case 6: return e_reg(g, 0xd9, (uint8_t)(0xe8 + xr(g, 7)));          /* constants */
    default: return e_reg(g, 0xd9, (uint8_t)(0xc0 + xr(g, 8)));         /* FLD ST(i) */
    }
}

static bool x_insn(XGen *g)
{
    uint8_t i = (uint8_t)xr(g, 8);
    int k = (int)xr(g, 8);

    switch (xr(g, 24)) {
    case 0: case 1: case 2:                 /* D8/DC/DE register arithmetic */
        if (k == 2 || k == 3)
            k = 0;
        return e_reg(g, (uint8_t[]){ 0xd8, 0xdc, 0xde }[xr(g, 3)], (uint8_t)(0xc0 + 8 * k + i));
    case 3: case 4:                         /* memory arithmetic m32fp/m64fp/m32int/m16int */
        switch (xr(g, 4)) {
        case 0: return e_mem(g, 0xdc, k, xr(g, 2) ? X_A : X_B);
        case 1: return e_mem(g, 0xd8, k, rd_off(g));
        case 2: return e_mem(g, 0xda, k, rd_off(g));
        default: return e_mem(g, 0xde, k, rd_off(g));
        }
    case 5: {                               /* compares */
        static const uint8_t f[][2] = {
            { 0xd8, 0xd0 }, { 0xd8, 0xd8 }, { 0xdd, 0xe0 }, { 0xdd, 0xe8 },
            { 0xdb, 0xe8 }, { 0xdb, 0xf0 }, { 0xdf, 0xe8 }, { 0xdf, 0xf0 },
        };
        int j = (int)xr(g, 10);
        if (j == 8) return e_reg(g, 0xde, 0xd9);        /* FCOMPP */
        if (j == 9) return e_reg(g, 0xda, 0xe9);        /* FUCOMPP */
        return e_reg(g, f[j][0], (uint8_t)(f[j][1] + i));
    }
    case 6:
        return e_reg(g, 0xdf, 0xe0);                    /* FNSTSW AX */
    case 7: {                                           /* one-operand */
        static const uint8_t f[] = { 0xe0, 0xe1, 0xe4, 0xe5, 0xfa, 0xfc, 0xfd, 0xf4,
                                     0xf8, 0xf5, 0xf6, 0xf7, 0xd0 };
        return e_reg(g, 0xd9, f[xr(g, sizeof f)]);
    }
    case 8:                                             /* FXCH, FST, FSTP, FFREE */
        switch (xr(g, 5)) {
        case 0: return e_reg(g, 0xd9, 0xc8 + i);
        case 1: return e_reg(g, 0xdd, 0xd0 + i);
        case 2: return e_reg(g, 0xdd, 0xd8 + i);
        case 3: return e_reg(g, 0xdd, 0xc0 + i);
        default: return e_reg(g, 0xdf, 0xc0 + i);        /* FFREEP */
        }
    case 9:                                             /* FCMOVcc */
        return e_reg(g, xr(g, 2) ? 0xda : 0xdb, (uint8_t)(0xc0 + 8 * xr(g, 4) + i));
    case 10: case 11: {                                 /* stores */
        static const uint8_t f[][2] = {
            { 0xd9, 2 }, { 0xd9, 3 }, { 0xdd, 2 }, { 0xdd, 3 }, { 0xdb, 7 },
            { 0xdf, 2 }, { 0xdf, 3 }, { 0xdb, 2 }, { 0xdb, 3 }, { 0xdf, 7 }, { 0xdf, 6 },
        };
        int j = (int)xr(g, sizeof f / 2);
        return e_mem(g, f[j][0], f[j][1], wr_off(g));
    }
    case 12:
        return e_mem(g, 0xdf, 4, xr(g, 2) ? wr_off(g) : rd_off(g));   /* FBLD */
    case 13:
        return e_mem(g, xr(g, 2) ? 0xdd : 0xd9, 7, wr_off(g));        /* FNSTSW/FNSTCW m16 */
    case 14:
        return e_mem(g, 0xd9, 5, X_CW + 2);                           /* FLDCW CW2 */
    case 15:                                                          /* FNSTENV; FLDENV */
        if (g->info->n_masks >= 3)
            return x_load(g);
        g->info->mask_off[g->info->n_masks] = X_ENV + (g->mode == 32 ? 12 : 6);
        g->info->mask_len[g->info->n_masks++] = g->mode == 32 ? 16 : 8;
        return e_mem(g, 0xd9, 6, X_ENV) && e_mem(g, 0xd9, 4, X_ENV);
    case 16:
        return e_reg(g, 0xdb, 0xe2);                                  /* FNCLEX */
    default:
        return x_load(g);
    }
}

void gen_x87_case(uint64_t seed, uint64_t index, int mode, DiffCase *c, GenInfo *info)
{
    XGen g;
    uint64_t m;
    uint16_t se;

    memset(c, 0, sizeof *c);
    memset(info, 0, sizeof *info);
    g.rng = diff_mix64(seed * 0x2545f4914f6cdd1dull + index + 0x87);
    g.c = c;
    g.info = info;
    if (mode != 16 && mode != 32)
        mode = xr(&g, 2) ? 32 : 16;
    g.mode = mode;
    c->mode = mode;
    for (int r = 0; r < 8; r++)
        c->regs[r] = xr(&g, 0);
    c->regs[4] = (mode == 32 ? DIFF_DATA_ADDR : 0) + 0x8000;
    c->eflags = xr(&g, 0) & DIFF_FLAGS_IN & ~0x400u;

    /* pokes (8): CW1|CW2, two m64, one m80 whose exponent word shares
     * its poke with CW3 (at X_C + 10) */
    uint16_t cw3 = rand_cw(&g);
    if (xr(&g, 3) == 0)
        cw3 &= (uint16_t)~(1u << xr(&g, 6));     /* unmask one: pending ES */
    poke(&g, X_CW, rand_cw(&g) | (uint32_t)rand_cw(&g) << 16);
    m = edge_f64(&g); poke(&g, X_A, (uint32_t)m); poke(&g, X_A + 4, (uint32_t)(m >> 32));
    m = edge_f64(&g); poke(&g, X_B, (uint32_t)m); poke(&g, X_B + 4, (uint32_t)(m >> 32));
    edge_f80(&g, &m, &se);
    poke(&g, X_C, (uint32_t)m); poke(&g, X_C + 4, (uint32_t)(m >> 32));
    poke(&g, X_C + 8, se | (uint32_t)cw3 << 16);

    /* FNINIT leaves the old register contents, which FNSAVE stores: fill
     * all eight with +0 first so no case depends on the one before */
    e_reg(&g, 0xdb, 0xe3);                          /* FNINIT */
    for (int k = 0; k < 8; k++)
        e_reg(&g, 0xd9, 0xee);                      /* FLDZ */
    e_reg(&g, 0xdb, 0xe3);                          /* FNINIT */
    e_mem(&g, 0xd9, 5, X_CW);                       /* FLDCW CW1 */
    int nl = 2 + (int)xr(&g, 3), ni = 4 + (int)xr(&g, 7);
    for (int k = 0; k < nl; k++)
        x_load(&g);
    for (int k = 0; k < ni; k++) {
        uint32_t len = c->code_len;
        if (c->code_len > DIFF_CODE_MAX - 24 || !x_insn(&g)) {
            c->code_len = len;
            break;
        }
    }
    if (xr(&g, 2))
        e_mem(&g, 0xd9, 5, X_C + 10);               /* FLDCW CW3 */
    e_mem(&g, 0xdd, 6, X_SAVE);                     /* FNSAVE */
    info->mask_off[info->n_masks] = X_SAVE + (mode == 32 ? 12 : 6);
    info->mask_len[info->n_masks++] = mode == 32 ? 16 : 8;
    info->final_off = c->code_len;
    info->final_undef = 0;
    c->code[c->code_len++] = 0xf4;
}
