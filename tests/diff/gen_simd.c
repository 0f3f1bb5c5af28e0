/*
 * gen_simd.c - the differential tester's MMX/SSE/SSE2/SSE3/SSSE3 case
 * generator (difftest --simd; the modelled CPU is then -cpu n270, which
 * has every extension tx86 implements, with CR4.OSFXSR set).
 *
 * A SIMD case is:
 *     FXRSTOR [X_IN]                  every XMM and MMX register, MXCSR, FCW
 *                                     from a 512-byte image of template
 *                                     bytes and pokes (FCW/FSW, MXCSR)
 *     4-10 random instructions        every MMX/SSE/SSE2/SSE3/SSSE3 form
 *                                     tx86 implements: register and memory
 *                                     operands, imm8 forms, stores, GPR
 *                                     sources and destinations, EMMS,
 *                                     LDMXCSR/STMXCSR, the fences (any r/m
 *                                     bits), MASKMOVQ/MASKMOVDQU
 *                                     through DS:(E)DI, and now and then a
 *                                     misaligned operand of an aligned form
 *                                     (#GP natively: both must stop there),
 *                                     loads and stores that end at or
 *                                     cross a page and, in 16-bit code,
 *                                     the segment limit (#GP),
 *                                     redundant 66/F2/F3 prefixes on F2/F3
 *                                     forms
 *     FXSAVE [X_SAVE]; HLT            XMM0-7, MXCSR, the MMX registers as
 *                                     x87 registers, FTW, TOP land in memory
 * The existing comparison (GPRs, changed data bytes) then covers the whole
 * SIMD state.  Masked: FOP/FIP/FCS/FDP/FDS of the FXSAVE image (host
 * addresses natively).  The data template gives random and edge values;
 * pokes add lane edge values (0x80/0x7F/0xFF bytes, 0x8000/0x7FFF words,
 * small shift counts, binary32/binary64 edges: NaNs of both kinds,
 * infinities, denormals, conversion limits).  The floating-point forms run
 * under the case's MXCSR (every exception masked, random RC, FTZ and DAZ
 * together now and then), so the flags they set land in the FXSAVE image;
 * RCP/RSQRT (each vendor's own approximation; tx86 gives Intel's bits,
 * docs/sse.md) are generated on an Intel host only.
 *
 * Data layout (offsets into the data area, 16- and 32-bit alike):
 *   X_IN  the FXRSTOR image (X_MX: its MXCSR, also LDMXCSR's operand);
 *   X_RD read operands (16-byte
 *   slots); X_WR store targets and MASKMOV target; X_SAVE the FXSAVE image
 */
#include <string.h>
#include "diffgen.h"

enum {
    X_IN = 0xd000, X_MX = X_IN + 24, X_RD = 0xd400, X_WR = 0xe000, X_SAVE = 0xf000,
};

typedef struct SGen {
    uint64_t rng;
    DiffCase *c;
    GenInfo *info;
    int mode;
    uint8_t xpre, xpost;        /* extra prefix before / after the next insn's own */
} SGen;

static uint32_t sr(SGen *g, uint32_t n)
{
    g->rng = diff_mix64(g->rng + 0x9e3779b97f4a7c15ull);
    return n ? (uint32_t)(g->rng >> 32) % n : (uint32_t)(g->rng >> 32);
}

static void poke(SGen *g, uint32_t off, uint32_t v)
{
    diff_poke(g->c, off, v);
}

/* operand classes of a form */
enum { C_MM = 1, C_XMM, C_GPR };
/* form kinds */
enum {
    K_RM,       /* reg = destination, r/m = source */
    K_MR,       /* r/m = destination, reg = source (stores) */
    K_SHI,      /* group 0F 71-73: r/m = destination register, /ext, imm8 */
    K_NONE,     /* no operand (EMMS) */
    K_MXCSR,    /* 0F AE /ext with a memory operand */
};
/* memory: 0 none (register only), otherwise bytes; ALIGN: 16-byte aligned */
typedef struct SForm {
    const char *name;
    uint8_t pfx;            /* 0, 66, F2, F3 */
    uint8_t op[2], oplen;   /* after 0F */
    uint8_t kind, reg, rm;  /* K_*, classes of ModRM.reg and ModRM.rm */
    uint8_t ext, imm;       /* /ext of K_SHI/K_MXCSR; imm8 present */
    uint8_t msz;            /* memory operand bytes, 0 = register only */
    uint8_t regonly_rm;     /* r/m must be a register (1) or memory (2) */
    uint8_t align;          /* memory operand must be 16-byte aligned */
} SForm;

#define MM2(n, o)  { n, 0, { o }, 1, K_RM, C_MM, C_MM, 0, 0, 8, 0, 0 }, \
                   { n, 0x66, { o }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 }
#define XO(n, p, o, msz, al) { n, p, { o }, 1, K_RM, C_XMM, C_XMM, 0, 0, msz, 0, al }
/* PS, PD, SS, SD of one opcode */
#define FP4(n, o)  XO(n "ps", 0, o, 16, 1), XO(n "pd", 0x66, o, 16, 1), \
                   XO(n "ss", 0xf3, o, 4, 0), XO(n "sd", 0xf2, o, 8, 0)
#define SS3(n, o)  { n, 0, { 0x38, o }, 2, K_RM, C_MM, C_MM, 0, 0, 8, 0, 0 }, \
                   { n, 0x66, { 0x38, o }, 2, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 }

static const SForm s_forms[] = {
    MM2("punpcklbw", 0x60), MM2("punpcklwd", 0x61), MM2("punpckldq", 0x62),
    MM2("packsswb", 0x63), MM2("pcmpgtb", 0x64), MM2("pcmpgtw", 0x65), MM2("pcmpgtd", 0x66),
    MM2("packuswb", 0x67), MM2("punpckhbw", 0x68), MM2("punpckhwd", 0x69),
    MM2("punpckhdq", 0x6a), MM2("packssdw", 0x6b), MM2("pcmpeqb", 0x74), MM2("pcmpeqw", 0x75),
    MM2("pcmpeqd", 0x76), MM2("psrlw", 0xd1), MM2("psrld", 0xd2), MM2("psrlq", 0xd3),
    MM2("paddq", 0xd4), MM2("pmullw", 0xd5), MM2("psubusb", 0xd8), MM2("psubusw", 0xd9),
    MM2("pminub", 0xda), MM2("pand", 0xdb), MM2("paddusb", 0xdc), MM2("paddusw", 0xdd),
    MM2("pmaxub", 0xde), MM2("pandn", 0xdf), MM2("pavgb", 0xe0), MM2("psraw", 0xe1),
    MM2("psrad", 0xe2), MM2("pavgw", 0xe3), MM2("pmulhuw", 0xe4), MM2("pmulhw", 0xe5),
    MM2("psubsb", 0xe8), MM2("psubsw", 0xe9), MM2("pminsw", 0xea), MM2("por", 0xeb),
    MM2("paddsb", 0xec), MM2("paddsw", 0xed), MM2("pmaxsw", 0xee), MM2("pxor", 0xef),
    MM2("psllw", 0xf1), MM2("pslld", 0xf2), MM2("psllq", 0xf3), MM2("pmuludq", 0xf4),
    MM2("pmaddwd", 0xf5), MM2("psadbw", 0xf6), MM2("psubb", 0xf8), MM2("psubw", 0xf9),
    MM2("psubd", 0xfa), MM2("psubq", 0xfb), MM2("paddb", 0xfc), MM2("paddw", 0xfd),
    MM2("paddd", 0xfe),
    XO("punpcklqdq", 0x66, 0x6c, 16, 1), XO("punpckhqdq", 0x66, 0x6d, 16, 1),
    /* shifts by imm8 */
    { "psrlw i", 0, { 0x71 }, 1, K_SHI, 0, C_MM, 2, 1, 0, 1, 0 },
    { "psraw i", 0, { 0x71 }, 1, K_SHI, 0, C_MM, 4, 1, 0, 1, 0 },
    { "psllw i", 0, { 0x71 }, 1, K_SHI, 0, C_MM, 6, 1, 0, 1, 0 },
    { "psrld i", 0, { 0x72 }, 1, K_SHI, 0, C_MM, 2, 1, 0, 1, 0 },
    { "psrad i", 0, { 0x72 }, 1, K_SHI, 0, C_MM, 4, 1, 0, 1, 0 },
    { "pslld i", 0, { 0x72 }, 1, K_SHI, 0, C_MM, 6, 1, 0, 1, 0 },
    { "psrlq i", 0, { 0x73 }, 1, K_SHI, 0, C_MM, 2, 1, 0, 1, 0 },
    { "psllq i", 0, { 0x73 }, 1, K_SHI, 0, C_MM, 6, 1, 0, 1, 0 },
    { "psrlw xi", 0x66, { 0x71 }, 1, K_SHI, 0, C_XMM, 2, 1, 0, 1, 0 },
    { "psraw xi", 0x66, { 0x71 }, 1, K_SHI, 0, C_XMM, 4, 1, 0, 1, 0 },
    { "psllw xi", 0x66, { 0x71 }, 1, K_SHI, 0, C_XMM, 6, 1, 0, 1, 0 },
    { "psrld xi", 0x66, { 0x72 }, 1, K_SHI, 0, C_XMM, 2, 1, 0, 1, 0 },
    { "psrad xi", 0x66, { 0x72 }, 1, K_SHI, 0, C_XMM, 4, 1, 0, 1, 0 },
    { "pslld xi", 0x66, { 0x72 }, 1, K_SHI, 0, C_XMM, 6, 1, 0, 1, 0 },
    { "psrlq xi", 0x66, { 0x73 }, 1, K_SHI, 0, C_XMM, 2, 1, 0, 1, 0 },
    { "psrldq", 0x66, { 0x73 }, 1, K_SHI, 0, C_XMM, 3, 1, 0, 1, 0 },
    { "psllq xi", 0x66, { 0x73 }, 1, K_SHI, 0, C_XMM, 6, 1, 0, 1, 0 },
    { "pslldq", 0x66, { 0x73 }, 1, K_SHI, 0, C_XMM, 7, 1, 0, 1, 0 },
    /* shuffles, inserts, extracts, masks */
    { "pshufw", 0, { 0x70 }, 1, K_RM, C_MM, C_MM, 0, 1, 8, 0, 0 },
    { "pshufd", 0x66, { 0x70 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    { "pshufhw", 0xf3, { 0x70 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    { "pshuflw", 0xf2, { 0x70 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    { "pinsrw", 0, { 0xc4 }, 1, K_RM, C_MM, C_GPR, 0, 1, 2, 0, 0 },
    { "pinsrw x", 0x66, { 0xc4 }, 1, K_RM, C_XMM, C_GPR, 0, 1, 2, 0, 0 },
    { "pextrw", 0, { 0xc5 }, 1, K_RM, C_GPR, C_MM, 0, 1, 0, 1, 0 },
    { "pextrw x", 0x66, { 0xc5 }, 1, K_RM, C_GPR, C_XMM, 0, 1, 0, 1, 0 },
    { "pmovmskb", 0, { 0xd7 }, 1, K_RM, C_GPR, C_MM, 0, 0, 0, 1, 0 },
    { "pmovmskb x", 0x66, { 0xd7 }, 1, K_RM, C_GPR, C_XMM, 0, 0, 0, 1, 0 },
    { "movmskps", 0, { 0x50 }, 1, K_RM, C_GPR, C_XMM, 0, 0, 0, 1, 0 },
    { "movmskpd", 0x66, { 0x50 }, 1, K_RM, C_GPR, C_XMM, 0, 0, 0, 1, 0 },
    { "shufps", 0, { 0xc6 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    { "shufpd", 0x66, { 0xc6 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    XO("unpcklps", 0, 0x14, 16, 1), XO("unpckhps", 0, 0x15, 16, 1),
    XO("unpcklpd", 0x66, 0x14, 16, 1), XO("unpckhpd", 0x66, 0x15, 16, 1),
    XO("andps", 0, 0x54, 16, 1), XO("andnps", 0, 0x55, 16, 1), XO("orps", 0, 0x56, 16, 1),
    XO("xorps", 0, 0x57, 16, 1), XO("andpd", 0x66, 0x54, 16, 1), XO("andnpd", 0x66, 0x55, 16, 1),
    XO("orpd", 0x66, 0x56, 16, 1), XO("xorpd", 0x66, 0x57, 16, 1),
    /* moves */
    { "movd mm,r/m", 0, { 0x6e }, 1, K_RM, C_MM, C_GPR, 0, 0, 4, 0, 0 },
    { "movd xmm,r/m", 0x66, { 0x6e }, 1, K_RM, C_XMM, C_GPR, 0, 0, 4, 0, 0 },
    { "movd r/m,mm", 0, { 0x7e }, 1, K_MR, C_MM, C_GPR, 0, 0, 4, 0, 0 },
    { "movd r/m,xmm", 0x66, { 0x7e }, 1, K_MR, C_XMM, C_GPR, 0, 0, 4, 0, 0 },
    { "movq mm,mm/m", 0, { 0x6f }, 1, K_RM, C_MM, C_MM, 0, 0, 8, 0, 0 },
    { "movq mm/m,mm", 0, { 0x7f }, 1, K_MR, C_MM, C_MM, 0, 0, 8, 0, 0 },
    { "movq xmm,xmm/m", 0xf3, { 0x7e }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movq xmm/m,xmm", 0x66, { 0xd6 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movdqa", 0x66, { 0x6f }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movdqa st", 0x66, { 0x7f }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movdqu", 0xf3, { 0x6f }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 0 },
    { "movdqu st", 0xf3, { 0x7f }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 0, 0 },
    { "movq2dq", 0xf3, { 0xd6 }, 1, K_RM, C_XMM, C_MM, 0, 0, 0, 1, 0 },
    { "movdq2q", 0xf2, { 0xd6 }, 1, K_RM, C_MM, C_XMM, 0, 0, 0, 1, 0 },
    { "movntq", 0, { 0xe7 }, 1, K_MR, C_MM, C_MM, 0, 0, 8, 2, 0 },
    { "movntdq", 0x66, { 0xe7 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 2, 1 },
    { "movntps", 0, { 0x2b }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 2, 1 },
    { "movntpd", 0x66, { 0x2b }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 2, 1 },
    { "movnti", 0, { 0xc3 }, 1, K_MR, C_GPR, C_GPR, 0, 0, 4, 2, 0 },
    { "movaps", 0, { 0x28 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movaps st", 0, { 0x29 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movapd", 0x66, { 0x28 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movapd st", 0x66, { 0x29 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movups", 0, { 0x10 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 0 },
    { "movups st", 0, { 0x11 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 0, 0 },
    { "movupd", 0x66, { 0x10 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 0 },
    { "movupd st", 0x66, { 0x11 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 16, 0, 0 },
    { "movss", 0xf3, { 0x10 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 4, 0, 0 },
    { "movss st", 0xf3, { 0x11 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 4, 0, 0 },
    { "movsd", 0xf2, { 0x10 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movsd st", 0xf2, { 0x11 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movlps/movhlps", 0, { 0x12 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movlps st", 0, { 0x13 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 8, 2, 0 },
    { "movhps/movlhps", 0, { 0x16 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movhps st", 0, { 0x17 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 8, 2, 0 },
    { "movlpd", 0x66, { 0x12 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 2, 0 },
    { "movlpd st", 0x66, { 0x13 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 8, 2, 0 },
    { "movhpd", 0x66, { 0x16 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 2, 0 },
    { "movhpd st", 0x66, { 0x17 }, 1, K_MR, C_XMM, C_XMM, 0, 0, 8, 2, 0 },
    { "maskmovq", 0, { 0xf7 }, 1, K_RM, C_MM, C_MM, 0, 0, 0, 1, 0 },
    { "maskmovdqu", 0x66, { 0xf7 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 0, 1, 0 },
    { "emms", 0, { 0x77 }, 1, K_NONE, 0, 0, 0, 0, 0, 0, 0 },
    { "lfence", 0, { 0xae, 0xe8 }, 2, K_NONE, 0, 0, 0, 0, 0, 0, 0 },
    { "mfence", 0, { 0xae, 0xf0 }, 2, K_NONE, 0, 0, 0, 0, 0, 0, 0 },
    { "sfence", 0, { 0xae, 0xf8 }, 2, K_NONE, 0, 0, 0, 0, 0, 0, 0 },
    { "ldmxcsr", 0, { 0xae }, 1, K_MXCSR, 0, 0, 2, 0, 4, 2, 0 },
    { "stmxcsr", 0, { 0xae }, 1, K_MXCSR, 0, 0, 3, 0, 4, 2, 0 },
    /* SSE3 */
    { "movddup", 0xf2, { 0x12 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 8, 0, 0 },
    { "movshdup", 0xf3, { 0x16 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "movsldup", 0xf3, { 0x12 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 0, 1 },
    { "lddqu", 0xf2, { 0xf0 }, 1, K_RM, C_XMM, C_XMM, 0, 0, 16, 2, 0 },
    /* SSSE3 */
    SS3("pshufb", 0x00), SS3("phaddw", 0x01), SS3("phaddd", 0x02), SS3("phaddsw", 0x03),
    SS3("pmaddubsw", 0x04), SS3("phsubw", 0x05), SS3("phsubd", 0x06), SS3("phsubsw", 0x07),
    SS3("psignb", 0x08), SS3("psignw", 0x09), SS3("psignd", 0x0a), SS3("pmulhrsw", 0x0b),
    SS3("pabsb", 0x1c), SS3("pabsw", 0x1d), SS3("pabsd", 0x1e),
    { "palignr", 0, { 0x3a, 0x0f }, 2, K_RM, C_MM, C_MM, 0, 1, 8, 0, 0 },
    { "palignr x", 0x66, { 0x3a, 0x0f }, 2, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    /* floating point (sse_fp.c); RCPPS/RSQRTPS and their scalar forms:
     * s_approx_forms */
    FP4("add", 0x58), FP4("mul", 0x59), FP4("sub", 0x5c), FP4("min", 0x5d),
    FP4("div", 0x5e), FP4("max", 0x5f), FP4("sqrt", 0x51),
    { "cmpps", 0, { 0xc2 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    { "cmppd", 0x66, { 0xc2 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 16, 0, 1 },
    { "cmpss", 0xf3, { 0xc2 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 4, 0, 0 },
    { "cmpsd", 0xf2, { 0xc2 }, 1, K_RM, C_XMM, C_XMM, 0, 1, 8, 0, 0 },
    XO("ucomiss", 0, 0x2e, 4, 0), XO("ucomisd", 0x66, 0x2e, 8, 0),
    XO("comiss", 0, 0x2f, 4, 0), XO("comisd", 0x66, 0x2f, 8, 0),
    { "cvtsi2ss", 0xf3, { 0x2a }, 1, K_RM, C_XMM, C_GPR, 0, 0, 4, 0, 0 },
    { "cvtsi2sd", 0xf2, { 0x2a }, 1, K_RM, C_XMM, C_GPR, 0, 0, 4, 0, 0 },
    { "cvtpi2ps", 0, { 0x2a }, 1, K_RM, C_XMM, C_MM, 0, 0, 8, 0, 0 },
    { "cvtpi2pd", 0x66, { 0x2a }, 1, K_RM, C_XMM, C_MM, 0, 0, 8, 0, 0 },
    { "cvttss2si", 0xf3, { 0x2c }, 1, K_RM, C_GPR, C_XMM, 0, 0, 4, 0, 0 },
    { "cvttsd2si", 0xf2, { 0x2c }, 1, K_RM, C_GPR, C_XMM, 0, 0, 8, 0, 0 },
    { "cvttps2pi", 0, { 0x2c }, 1, K_RM, C_MM, C_XMM, 0, 0, 8, 0, 0 },
    { "cvttpd2pi", 0x66, { 0x2c }, 1, K_RM, C_MM, C_XMM, 0, 0, 16, 0, 1 },
    { "cvtss2si", 0xf3, { 0x2d }, 1, K_RM, C_GPR, C_XMM, 0, 0, 4, 0, 0 },
    { "cvtsd2si", 0xf2, { 0x2d }, 1, K_RM, C_GPR, C_XMM, 0, 0, 8, 0, 0 },
    { "cvtps2pi", 0, { 0x2d }, 1, K_RM, C_MM, C_XMM, 0, 0, 8, 0, 0 },
    { "cvtpd2pi", 0x66, { 0x2d }, 1, K_RM, C_MM, C_XMM, 0, 0, 16, 0, 1 },
    XO("cvtps2pd", 0, 0x5a, 8, 0), XO("cvtpd2ps", 0x66, 0x5a, 16, 1),
    XO("cvtss2sd", 0xf3, 0x5a, 4, 0), XO("cvtsd2ss", 0xf2, 0x5a, 8, 0),
    XO("cvtdq2ps", 0, 0x5b, 16, 1), XO("cvtps2dq", 0x66, 0x5b, 16, 1),
    XO("cvttps2dq", 0xf3, 0x5b, 16, 1), XO("cvttpd2dq", 0x66, 0xe6, 16, 1),
    XO("cvtdq2pd", 0xf3, 0xe6, 8, 0), XO("cvtpd2dq", 0xf2, 0xe6, 16, 1),
    /* SSE3 */
    XO("addsubps", 0xf2, 0xd0, 16, 1), XO("addsubpd", 0x66, 0xd0, 16, 1),
    XO("haddps", 0xf2, 0x7c, 16, 1), XO("haddpd", 0x66, 0x7c, 16, 1),
    XO("hsubps", 0xf2, 0x7d, 16, 1), XO("hsubpd", 0x66, 0x7d, 16, 1),
};
#define S_NFORMS ((int)(sizeof s_forms / sizeof s_forms[0]))

/* the approximations: their bits are the CPU's own table (AMD and Intel
 * differ, tx86 models Intel's: docs/sse.md), so they are drawn (one
 * instruction in 48) only when the host is Intel; elsewhere the case
 * stream is the same as without them */
static const SForm s_approx_forms[] = {
    XO("rsqrtps", 0, 0x52, 16, 1), XO("rsqrtss", 0xf3, 0x52, 4, 0),
    XO("rcpps", 0, 0x53, 16, 1), XO("rcpss", 0xf3, 0x53, 4, 0),
};

static bool emit(SGen *g, const uint8_t *b, int n)
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

/* prefix, 0F, opcode bytes, then ModRM (reg field, register rm or an
 * absolute memory operand at data offset off), then imm8 if imm >= 0 */
static bool s_insn(SGen *g, uint8_t pfx, const uint8_t *op, int oplen, int reg,
                   int rm_reg, uint32_t off, int imm)
{
    uint8_t b[16];
    int n = 0;

    if (g->xpre)
        b[n++] = g->xpre;
    if (pfx)
        b[n++] = pfx;
    if (g->xpost)
        b[n++] = g->xpost;
    g->xpre = g->xpost = 0;
    b[n++] = 0x0f;
    for (int i = 0; i < oplen; i++)
        b[n++] = op[i];
    if (rm_reg >= 0) {
        b[n++] = (uint8_t)(0xc0 | reg << 3 | rm_reg);
    } else if (g->mode == 32) {
        uint32_t a = DIFF_DATA_ADDR + off;
        b[n++] = (uint8_t)(reg << 3 | 5);
        memcpy(b + n, &a, 4);
        n += 4;
    } else {
        b[n++] = (uint8_t)(reg << 3 | 6);
        b[n++] = (uint8_t)off;
        b[n++] = (uint8_t)(off >> 8);
    }
    if (imm >= 0)
        b[n++] = (uint8_t)imm;
    return emit(g, b, n);
}

/* a GPR the instructions may write: not ESP, not EDI (MASKMOV target) */
static int s_gpr_dst(SGen *g)
{
    static const int r[] = { 0, 1, 2, 3, 5, 6 };
    return r[sr(g, 6)];
}

static int s_imm(SGen *g)
{
    switch (sr(g, 4)) {
    case 0: return (int)sr(g, 256);
    case 1: return (int)sr(g, 8);
    default: return (int)sr(g, 72);
    }
}

static bool s_random_insn(SGen *g)
{
    const SForm *f = &s_forms[sr(g, S_NFORMS)];
    if (gen_host_intel && sr(g, 48) == 0)
        f = &s_approx_forms[sr(g, 4)];
    int imm = f->imm ? s_imm(g) : -1;
    bool mem = f->msz && (f->regonly_rm == 2 || (f->regonly_rm == 0 && sr(g, 3) == 0));
    uint32_t off;
    int reg, rm;

    /* memory slot: aligned; sometimes misaligned (unaligned forms: always
     * fine; aligned forms: #GP, rarely) */
    off = (f->kind == K_MR || (f->kind == K_MXCSR && f->ext == 3) ? X_WR : X_RD) + 16 * sr(g, 64);
    if (!f->align ? sr(g, 4) == 0 : sr(g, 32) == 0)
        off += 1 + sr(g, 15);
    /* now and then an operand that ends at or crosses a page (loads:
     * into X_WR, whose first page holds template bytes; stores: from the
     * unused bytes below X_WR) or, in 16-bit code, ends at or crosses the
     * segment limit (#GP natively: both must stop there) */
    if (f->msz > 1 && (f->kind == K_RM || f->kind == K_MR) && sr(g, 16) == 0)
        off = (g->mode == 16 && sr(g, 2) ? 0x10000u : (uint32_t)X_WR) - f->msz + sr(g, f->msz);
    if (f->kind == K_MXCSR && f->ext == 2)
        off = X_MX;             /* a valid MXCSR value */
    /* redundant prefixes the CPU resolves (F2/F3 win over 66 in any order,
     * the last of F2/F3 wins) and Capstone does not (docs/cpu-frontend.md) */
    if ((f->pfx == 0xf2 || f->pfx == 0xf3) && sr(g, 6) == 0) {
        switch (sr(g, 3)) {
        case 0: g->xpre = 0x66; break;
        case 1: g->xpost = 0x66; break;
        default: g->xpre = f->pfx ^ 1; break;      /* F2 <-> F3, before: loses */
        }
    }

    switch (f->kind) {
    case K_NONE: {
        uint8_t b[3] = { 0x0f, f->op[0], f->op[1] };
        if (f->op[0] == 0xae)
            b[2] |= (uint8_t)sr(g, 8);      /* fences ignore the r/m bits */
        return emit(g, b, 1 + f->oplen);
    }
    case K_MXCSR:
        return s_insn(g, 0, f->op, f->oplen, f->ext, -1, off, -1);
    case K_SHI:
        return s_insn(g, f->pfx, f->op, f->oplen, f->ext, (int)sr(g, 8), 0, imm);
    case K_RM:
        reg = f->reg == C_GPR ? s_gpr_dst(g) : (int)sr(g, 8);
        rm = mem ? -1 : (int)sr(g, 8);
        return s_insn(g, f->pfx, f->op, f->oplen, reg, rm, off, imm);
    default:    /* K_MR: r/m is the destination */
        reg = (int)sr(g, 8);
        rm = mem ? -1 : f->rm == C_GPR ? s_gpr_dst(g) : (int)sr(g, 8);
        return s_insn(g, f->pfx, f->op, f->oplen, reg, rm, off, imm);
    }
}

/* a dword of lane edge values */
static uint32_t s_edge(SGen *g)
{
    static const uint32_t v[] = {
        0x80808080u, 0x7f7f7f7fu, 0xffffffffu, 0x00000000u, 0x80007fffu, 0x7fff8000u,
        0xffff0001u, 0x00ff80ffu, 0x80000000u, 0x7fffffffu, 0x00000001u, 0x01020304u,
        0x0000000fu, 0x00000010u, 0x00000020u, 0x00000040u,
        /* binary32: infinities, QNaN, SNaN, the indefinite, smallest
         * normal, largest denormal, 1.0, +-2^31 (conversion limits) */
        0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffc00000u, 0x00800000u,
        0x007fffffu, 0x3f800000u, 0x4f000000u, 0xcf000001u,
        /* binary64 high words: infinity/NaN, smallest normal, 2^31, -2^31, 1.0 */
        0x7ff00000u, 0x7ff80000u, 0xfff40000u, 0x00100000u, 0x41e00000u, 0xc1e00000u,
        0x3ff00000u, 0x000fffffu,
    };
    return v[sr(g, sizeof v / sizeof v[0])];
}

void gen_simd_case(uint64_t seed, uint64_t index, int mode, DiffCase *c, GenInfo *info)
{
    SGen g;
    static const uint8_t fxsave[] = { 0xae };

    memset(c, 0, sizeof *c);
    memset(info, 0, sizeof *info);
    g.xpre = g.xpost = 0;
    g.rng = diff_mix64(seed * 0x2545f4914f6cdd1dull + index + 0x55e);
    g.c = c;
    g.info = info;
    if (mode != 16 && mode != 32)
        mode = sr(&g, 2) ? 32 : 16;
    g.mode = mode;
    c->mode = mode;
    for (int r = 0; r < 8; r++)
        c->regs[r] = sr(&g, 0);
    if (sr(&g, 2))
        c->regs[1] = sr(&g, 80);                        /* small shift counts via MOVD */
    c->regs[4] = (mode == 32 ? DIFF_DATA_ADDR : 0) + 0x8000;
    c->regs[7] = (mode == 32 ? DIFF_DATA_ADDR : 0) + X_WR + 0x400 + sr(&g, 64);  /* MASKMOV */
    c->eflags = sr(&g, 0) & DIFF_FLAGS_IN & ~0x400u;

    /* pokes: FCW/FSW (no pending exception), MXCSR (masks set, random
     * RC/FZ/DAZ and flags), lane edge values in the image and operands */
    poke(&g, X_IN, 0x037f);
    poke(&g, X_MX, 0x1f80 | (sr(&g, 4) << 13) | (sr(&g, 4) == 0 ? 0x8040 : 0) | sr(&g, 64));
    for (int k = 0; k < 6; k++) {
        uint32_t area = sr(&g, 2) ? X_IN + 32 + 4 * sr(&g, 64) : X_RD + 4 * sr(&g, 256);
        poke(&g, area, s_edge(&g));
    }

    s_insn(&g, 0, fxsave, 1, 1, -1, X_IN, -1);          /* FXRSTOR: every register */
    int ni = 4 + (int)sr(&g, 7);
    for (int k = 0; k < ni; k++) {
        uint32_t len = c->code_len;
        if (c->code_len > DIFF_CODE_MAX - 24 || !s_random_insn(&g)) {
            c->code_len = len;
            break;
        }
    }
    s_insn(&g, 0, fxsave, 1, 0, -1, X_SAVE, -1);        /* FXSAVE */
    info->mask_off[info->n_masks] = X_SAVE + 6;         /* FOP, FIP, FCS, FDP, FDS */
    info->mask_len[info->n_masks++] = 18;
    info->mask_off[info->n_masks] = X_SAVE + 28;        /* MXCSR_MASK: the model's (Zen: 2FFFFh) */
    info->mask_len[info->n_masks++] = 4;
    info->mask_off[info->n_masks] = X_SAVE + 416;       /* reserved and software bytes */
    info->mask_len[info->n_masks++] = 96;
    if (!gen_host_intel) {
        /* MXCSR's flags: DE beside a NaN/IE/ZE follows Intel's precedence
         * (the model), which another vendor's host need not share */
        info->mask_off[info->n_masks] = X_SAVE + 24;
        info->mask_len[info->n_masks++] = 1;
    }
    info->final_off = c->code_len;
    info->final_undef = 0;
    c->code[c->code_len++] = 0xf4;
}
