/*
 * simd.h - the MMX/SSE/SSE2/SSE3/SSSE3 instruction set of the front end:
 * one list of operations (SIMD_OP_LIST), the packing of helper_simd's
 * argument, and the operation table gen_SIMD (gen_simd.c) and helper_simd
 * (helpers_simd.c) share.  docs/simd.md explains the design.
 *
 * Every SIMD instruction is one row of the instruction table
 * (insn_table_simd.inc) naming gen_SIMD and a SimdOp; gen_SIMD classifies
 * Capstone's operands (MMX register, XMM register, GPR, memory, imm8),
 * picks the form's feature (the MMX-register form and the XMM form of one
 * Capstone id differ), computes the linear address of a memory operand,
 * and emits ONE call:
 *
 *     r = helper_simd(env, SIMD_ARG(op, dst, src, classes, seg, imm8), lin, gpr)
 *
 * gpr is the value of a GPR source (MOVD xmm, r32; PINSRW), r the value of
 * a GPR destination (MOVD r32, mm; PEXTRW; PMOVMSKB; MOVMSKPS).  The
 * helper does the checks (#UD/#NM/#MF), the segment check and the
 * alignment check of the memory operand, loads it, runs the operation
 * on 64-bit (MMX) or 128-bit (XMM) values and writes the destination.
 *
 * Adding an operation (e.g. ADDPS) = one SIMD_OP_LIST line, one table row
 * in insn_table_simd.inc, one `case` in simd_exec() (helpers_simd.c).
 */
#ifndef TX86_SSE_SIMD_H
#define TX86_SSE_SIMD_H

#include <stdint.h>
#include "cpu-x86/cpuid.h"
#include "cpu-x86/sse/xmm.h"

/* feature of a form, short names for the list (0: no such form, #UD) */
#define SF_MMX   INSN_FEAT_MMX
#define SF_SSE   INSN_FEAT_SSE
#define SF_SSE2  INSN_FEAT_SSE2
#define SF_SSE3  INSN_FEAT_SSE3
#define SF_SSSE3 INSN_FEAT_SSSE3

/* SimdOpInfo.flags */
enum {
    SOF_UNALIGNED = 1 << 0,     /* 16-byte memory operand without the alignment check */
    SOF_ALIGNED   = 1 << 1,     /* alignment checked although the operand is < 16 bytes (none yet) */
    SOF_MASKMOV   = 1 << 2,     /* MASKMOVQ/MASKMOVDQU: implicit DS:(E)DI store */
    SOF_NO_MMX_TRANSITION = 1 << 3, /* EMMS */
    SOF_CMP       = 1 << 5,     /* CMPPS...: the predicate is the insn's last byte (Capstone
                                 * names most predicates as pseudo-ops without an imm) */
    SOF_EFLAGS    = 1 << 4,     /* writes ZF/PF/CF (COMISS...): the emitter flushes the
                                 * lazy flags first, simd_exec sets env->cc_src
                                 * (CC_OP_EFLAGS) with simd_set_eflags */
};

/*
 * X(NAME, feature of the MMX-register form, of the XMM form,
 *   memory operand bytes of the MMX form, of the XMM form, SOF_* flags)
 * A form with feature 0 does not exist (#UD).  Forms without a register
 * operand (EMMS, LDMXCSR, STMXCSR) use the MMX column for EMMS and the XMM
 * column otherwise.
 */
#define SIMD_OP_LIST(X) \
    /* moves */ \
    X(MOVD,      SF_MMX, SF_SSE2, 4, 4, 0) \
    X(MOVQ,      SF_MMX, SF_SSE2, 8, 8, 0) \
    X(MOVQ2DQ,   SF_SSE2, SF_SSE2, 0, 0, 0) \
    X(MOVDQ2Q,   SF_SSE2, SF_SSE2, 0, 0, 0) \
    X(MOVAPS,    0, SF_SSE, 0, 16, 0) \
    X(MOVUPS,    0, SF_SSE, 0, 16, SOF_UNALIGNED) \
    X(MOVAPD,    0, SF_SSE2, 0, 16, 0) \
    X(MOVUPD,    0, SF_SSE2, 0, 16, SOF_UNALIGNED) \
    X(MOVDQA,    0, SF_SSE2, 0, 16, 0) \
    X(MOVDQU,    0, SF_SSE2, 0, 16, SOF_UNALIGNED) \
    X(LDDQU,     0, SF_SSE3, 0, 16, SOF_UNALIGNED) \
    X(MOVNTPS,   0, SF_SSE, 0, 16, 0) \
    X(MOVNTPD,   0, SF_SSE2, 0, 16, 0) \
    X(MOVNTDQ,   0, SF_SSE2, 0, 16, 0) \
    X(MOVNTQ,    SF_SSE, 0, 8, 0, 0) \
    X(MOVSS,     0, SF_SSE, 0, 4, 0) \
    X(MOVSD,     0, SF_SSE2, 0, 8, 0) \
    X(MOVLPS,    0, SF_SSE, 0, 8, 0) \
    X(MOVHPS,    0, SF_SSE, 0, 8, 0) \
    X(MOVLPD,    0, SF_SSE2, 0, 8, 0) \
    X(MOVHPD,    0, SF_SSE2, 0, 8, 0) \
    X(MOVHLPS,   0, SF_SSE, 0, 0, 0) \
    X(MOVLHPS,   0, SF_SSE, 0, 0, 0) \
    X(MOVMSKPS,  0, SF_SSE, 0, 0, 0) \
    X(MOVMSKPD,  0, SF_SSE2, 0, 0, 0) \
    X(PMOVMSKB,  SF_SSE, SF_SSE2, 0, 0, 0) \
    X(MOVDDUP,   0, SF_SSE3, 0, 8, 0) \
    X(MOVSHDUP,  0, SF_SSE3, 0, 16, 0) \
    X(MOVSLDUP,  0, SF_SSE3, 0, 16, 0) \
    X(MASKMOVQ,  SF_SSE, 0, 8, 0, SOF_MASKMOV) \
    X(MASKMOVDQU, 0, SF_SSE2, 0, 16, SOF_MASKMOV) \
    X(EMMS,      SF_MMX, 0, 0, 0, SOF_NO_MMX_TRANSITION) \
    X(LDMXCSR,   0, SF_SSE, 0, 4, 0) \
    X(STMXCSR,   0, SF_SSE, 0, 4, 0) \
    /* bitwise logic (the PS/PD forms are the same operation) */ \
    X(PAND,      SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PANDN,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(POR,       SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PXOR,      SF_MMX, SF_SSE2, 8, 16, 0) \
    X(ANDPS,     0, SF_SSE, 0, 16, 0) \
    X(ANDNPS,    0, SF_SSE, 0, 16, 0) \
    X(ORPS,      0, SF_SSE, 0, 16, 0) \
    X(XORPS,     0, SF_SSE, 0, 16, 0) \
    X(ANDPD,     0, SF_SSE2, 0, 16, 0) \
    X(ANDNPD,    0, SF_SSE2, 0, 16, 0) \
    X(ORPD,      0, SF_SSE2, 0, 16, 0) \
    X(XORPD,     0, SF_SSE2, 0, 16, 0) \
    /* shuffles, unpacks, packs */ \
    X(UNPCKLPS,  0, SF_SSE, 0, 16, 0) \
    X(UNPCKHPS,  0, SF_SSE, 0, 16, 0) \
    X(UNPCKLPD,  0, SF_SSE2, 0, 16, 0) \
    X(UNPCKHPD,  0, SF_SSE2, 0, 16, 0) \
    X(SHUFPS,    0, SF_SSE, 0, 16, 0) \
    X(SHUFPD,    0, SF_SSE2, 0, 16, 0) \
    X(PUNPCKLBW, SF_MMX, SF_SSE2, 4, 16, 0) \
    X(PUNPCKLWD, SF_MMX, SF_SSE2, 4, 16, 0) \
    X(PUNPCKLDQ, SF_MMX, SF_SSE2, 4, 16, 0) \
    X(PUNPCKLQDQ, 0, SF_SSE2, 0, 16, 0) \
    X(PUNPCKHBW, SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PUNPCKHWD, SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PUNPCKHDQ, SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PUNPCKHQDQ, 0, SF_SSE2, 0, 16, 0) \
    X(PACKSSWB,  SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PACKSSDW,  SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PACKUSWB,  SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSHUFW,    SF_SSE, 0, 8, 0, 0) \
    X(PSHUFD,    0, SF_SSE2, 0, 16, 0) \
    X(PSHUFHW,   0, SF_SSE2, 0, 16, 0) \
    X(PSHUFLW,   0, SF_SSE2, 0, 16, 0) \
    X(PEXTRW,    SF_SSE, SF_SSE2, 0, 0, 0) \
    X(PINSRW,    SF_SSE, SF_SSE2, 2, 2, 0) \
    /* integer arithmetic */ \
    X(PADDB,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PADDW,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PADDD,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PADDQ,     SF_SSE2, SF_SSE2, 8, 16, 0) \
    X(PSUBB,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBW,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBD,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBQ,     SF_SSE2, SF_SSE2, 8, 16, 0) \
    X(PADDSB,    SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PADDSW,    SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PADDUSB,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PADDUSW,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBSB,    SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBSW,    SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBUSB,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSUBUSW,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PMULHW,    SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PMULLW,    SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PMULHUW,   SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PMULUDQ,   SF_SSE2, SF_SSE2, 8, 16, 0) \
    X(PMADDWD,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PCMPEQB,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PCMPEQW,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PCMPEQD,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PCMPGTB,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PCMPGTW,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PCMPGTD,   SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PAVGB,     SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PAVGW,     SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PMAXSW,    SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PMAXUB,    SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PMINSW,    SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PMINUB,    SF_SSE, SF_SSE2, 8, 16, 0) \
    X(PSADBW,    SF_SSE, SF_SSE2, 8, 16, 0) \
    /* shifts: count from a register, memory or imm8 (0F 71-73) */ \
    X(PSLLW,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSLLD,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSLLQ,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSRLW,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSRLD,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSRLQ,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSRAW,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSRAD,     SF_MMX, SF_SSE2, 8, 16, 0) \
    X(PSLLDQ,    0, SF_SSE2, 0, 0, 0) \
    X(PSRLDQ,    0, SF_SSE2, 0, 0, 0) \
    /* SSSE3 */ \
    X(PSHUFB,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PHADDW,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PHADDD,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PHADDSW,   SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PHSUBW,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PHSUBD,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PHSUBSW,   SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PMADDUBSW, SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PMULHRSW,  SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PSIGNB,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PSIGNW,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PSIGND,    SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PABSB,     SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PABSW,     SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PABSD,     SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    X(PALIGNR,   SF_SSSE3, SF_SSSE3, 8, 16, 0) \
    SIMD_FP_LIST(X)

/*
 * The floating-point operations: each has the name of its SSEFpOp in
 * sse_fp.h (helper_simd maps one to the other) and is computed there.
 * PI forms (an MMX operand) take the XMM column: the XMM operand decides.
 */
#define SIMD_FP_LIST(X) \
    X(ADDPS, 0, SF_SSE, 0, 16, 0)   X(ADDSS, 0, SF_SSE, 0, 4, 0) \
    X(ADDPD, 0, SF_SSE2, 0, 16, 0)  X(ADDSD, 0, SF_SSE2, 0, 8, 0) \
    X(SUBPS, 0, SF_SSE, 0, 16, 0)   X(SUBSS, 0, SF_SSE, 0, 4, 0) \
    X(SUBPD, 0, SF_SSE2, 0, 16, 0)  X(SUBSD, 0, SF_SSE2, 0, 8, 0) \
    X(MULPS, 0, SF_SSE, 0, 16, 0)   X(MULSS, 0, SF_SSE, 0, 4, 0) \
    X(MULPD, 0, SF_SSE2, 0, 16, 0)  X(MULSD, 0, SF_SSE2, 0, 8, 0) \
    X(DIVPS, 0, SF_SSE, 0, 16, 0)   X(DIVSS, 0, SF_SSE, 0, 4, 0) \
    X(DIVPD, 0, SF_SSE2, 0, 16, 0)  X(DIVSD, 0, SF_SSE2, 0, 8, 0) \
    X(MINPS, 0, SF_SSE, 0, 16, 0)   X(MINSS, 0, SF_SSE, 0, 4, 0) \
    X(MINPD, 0, SF_SSE2, 0, 16, 0)  X(MINSD, 0, SF_SSE2, 0, 8, 0) \
    X(MAXPS, 0, SF_SSE, 0, 16, 0)   X(MAXSS, 0, SF_SSE, 0, 4, 0) \
    X(MAXPD, 0, SF_SSE2, 0, 16, 0)  X(MAXSD, 0, SF_SSE2, 0, 8, 0) \
    X(SQRTPS, 0, SF_SSE, 0, 16, 0)  X(SQRTSS, 0, SF_SSE, 0, 4, 0) \
    X(SQRTPD, 0, SF_SSE2, 0, 16, 0) X(SQRTSD, 0, SF_SSE2, 0, 8, 0) \
    X(CMPPS, 0, SF_SSE, 0, 16, SOF_CMP)  X(CMPSS, 0, SF_SSE, 0, 4, SOF_CMP) \
    X(CMPPD, 0, SF_SSE2, 0, 16, SOF_CMP) X(CMPSD, 0, SF_SSE2, 0, 8, SOF_CMP) \
    X(COMISS, 0, SF_SSE, 0, 4, SOF_EFLAGS)  X(UCOMISS, 0, SF_SSE, 0, 4, SOF_EFLAGS) \
    X(COMISD, 0, SF_SSE2, 0, 8, SOF_EFLAGS) X(UCOMISD, 0, SF_SSE2, 0, 8, SOF_EFLAGS) \
    X(RCPPS, 0, SF_SSE, 0, 16, 0)   X(RCPSS, 0, SF_SSE, 0, 4, 0) \
    X(RSQRTPS, 0, SF_SSE, 0, 16, 0) X(RSQRTSS, 0, SF_SSE, 0, 4, 0) \
    X(ADDSUBPS, 0, SF_SSE3, 0, 16, 0) X(ADDSUBPD, 0, SF_SSE3, 0, 16, 0) \
    X(HADDPS, 0, SF_SSE3, 0, 16, 0) X(HADDPD, 0, SF_SSE3, 0, 16, 0) \
    X(HSUBPS, 0, SF_SSE3, 0, 16, 0) X(HSUBPD, 0, SF_SSE3, 0, 16, 0) \
    X(CVTSI2SS, 0, SF_SSE, 0, 4, 0)  X(CVTSI2SD, 0, SF_SSE2, 0, 4, 0) \
    X(CVTSS2SI, 0, SF_SSE, 0, 4, 0)  X(CVTTSS2SI, 0, SF_SSE, 0, 4, 0) \
    X(CVTSD2SI, 0, SF_SSE2, 0, 8, 0) X(CVTTSD2SI, 0, SF_SSE2, 0, 8, 0) \
    X(CVTPS2DQ, 0, SF_SSE2, 0, 16, 0) X(CVTTPS2DQ, 0, SF_SSE2, 0, 16, 0) \
    X(CVTDQ2PS, 0, SF_SSE2, 0, 16, 0) \
    X(CVTPD2DQ, 0, SF_SSE2, 0, 16, 0) X(CVTTPD2DQ, 0, SF_SSE2, 0, 16, 0) \
    X(CVTDQ2PD, 0, SF_SSE2, 0, 8, 0) \
    X(CVTPS2PD, 0, SF_SSE2, 0, 8, 0) X(CVTPD2PS, 0, SF_SSE2, 0, 16, 0) \
    X(CVTSS2SD, 0, SF_SSE2, 0, 4, 0) X(CVTSD2SS, 0, SF_SSE2, 0, 8, 0) \
    X(CVTPI2PS, 0, SF_SSE, 0, 8, 0)  X(CVTPS2PI, 0, SF_SSE, 0, 8, 0) \
    X(CVTTPS2PI, 0, SF_SSE, 0, 8, 0) \
    X(CVTPI2PD, 0, SF_SSE2, 0, 8, 0) X(CVTPD2PI, 0, SF_SSE2, 0, 16, 0) \
    X(CVTTPD2PI, 0, SF_SSE2, 0, 16, 0)

typedef enum SimdOp {
#define SIMD_OP_ENUM(n, fm, fx, mm, mx, fl) SOP_##n,
    SIMD_OP_LIST(SIMD_OP_ENUM)
#undef SIMD_OP_ENUM
    SOP_COUNT
} SimdOp;

typedef struct SimdOpInfo {
    const char *name;
    uint8_t feat_mm, feat_xmm;  /* INSN_FEAT_* of each form, 0: no such form */
    uint8_t msz_mm, msz_xmm;    /* memory operand bytes of each form */
    uint8_t flags;              /* SOF_* */
} SimdOpInfo;

extern const SimdOpInfo simd_ops[SOP_COUNT];

/* operand classes in SIMD_ARG (the memory operand is flagged apart) */
enum { SC_NONE = 0, SC_MM = 1, SC_XMM = 2, SC_GPR = 3 };

/*
 * helper_simd's first argument:
 *   bits 0-8 op, 9-11 dst register, 12-14 src register,
 *   15 dst is memory, 16-17 dst class, 18-19 src class, 20-22 segment of
 *   the memory operand, 23 src is memory, 24-31 imm8
 */
#define SIMD_ARG(op, dreg, sreg, dmem, dcls, scls, seg, smem, imm) \
    ((uint32_t)(op) | (uint32_t)(dreg) << 9 | (uint32_t)(sreg) << 12 | \
     (uint32_t)(dmem) << 15 | (uint32_t)(dcls) << 16 | (uint32_t)(scls) << 18 | \
     (uint32_t)(seg) << 20 | (uint32_t)(smem) << 23 | ((uint32_t)(imm) & 0xff) << 24)
#define SIMD_ARG_OP(a)    ((a) & 0x1ffu)
#define SIMD_ARG_DREG(a)  (((a) >> 9) & 7u)
#define SIMD_ARG_SREG(a)  (((a) >> 12) & 7u)
#define SIMD_ARG_DMEM(a)  (((a) >> 15) & 1u)
#define SIMD_ARG_DCLS(a)  (((a) >> 16) & 3u)
#define SIMD_ARG_SCLS(a)  (((a) >> 18) & 3u)
#define SIMD_ARG_SEG(a)   (((a) >> 20) & 7u)
#define SIMD_ARG_SMEM(a)  (((a) >> 23) & 1u)
#define SIMD_ARG_IMM(a)   ((a) >> 24)

struct CPUState;
/* helpers_simd.c: the writable MXCSR bits of env's model (FFFFh with
 * DAZ, FFBFh without; FXSAVE stores 0 as MXCSR_MASK then); the MXCSR write of LDMXCSR/FXRSTOR (#GP(0) on a reserved bit);
 * the MMX transition (TOP=0, all tags valid); an MMX register write
 * (significand, exponent/sign all ones) */
uint32_t simd_mxcsr_mask(const struct CPUState *env);
void simd_load_mxcsr(struct CPUState *env, uint32_t v);
void simd_mmx_transition(struct CPUState *env);
void simd_set_mm(struct CPUState *env, unsigned reg, uint64_t v);
/* for the SSE floating-point operations (sse_fp.c; docs/simd.md): OR the
 * exception flags (MXCSR_IE..MXCSR_PE) an operation raised into MXCSR and,
 * if one of them is unmasked, raise #XM (CR4.OSXMMEXCPT=1) or #UD; call it
 * in simd_exec before the destination is written (helper_simd writes it
 * after simd_exec returns) */
void simd_fp_exceptions(struct CPUState *env, uint32_t flags);
/* COMISS/UCOMISS...: the arithmetic flags := cc (CC_* bits: ZF, PF, CF;
 * OF, SF, AF cleared) in the CC_OP_EFLAGS form (rows with SOF_EFLAGS) */
void simd_set_eflags(struct CPUState *env, uint32_t cc);

#endif
