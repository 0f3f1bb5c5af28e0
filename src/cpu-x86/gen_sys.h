/*
 * gen_sys.h - emitters of the system-side instructions (system, string, BCD,
 * division, far control transfer), for the instruction table.
 *
 * insn_table.c includes insn_table_sys.inc inside x86_insn_table[]; those
 * rows name the gen_* functions declared here (gen_system.c, gen_string.c,
 * gen_arith.c).  The MOV and PUSH/POP emitters of translate.c call
 * gen_mov_seg(), gen_mov_cr(), gen_mov_dr(), gen_push_seg() and
 * gen_pop_seg() (declared in frontend.h) when an operand is a segment,
 * control or debug register.
 *
 * The string helpers take one packed argument built with STR_ARG().
 */
#ifndef TX86_GEN_SYS_H
#define TX86_GEN_SYS_H

#include "cpu-x86/frontend.h"

/* packed first argument of the string helpers (helpers_string.c) */
#define STR_ARG_SIZE(p)   ((p) & 7u)           /* 1, 2 or 4 */
#define STR_ARG_ADDR32    (1u << 3)
#define STR_ARG_REP(p)    (((p) >> 4) & 3u)    /* REP_NONE, REP_Z (F3), REP_NZ (F2) */
#define STR_ARG_SEG(p)    (((p) >> 8) & 7u)    /* source segment (DS or override) */
#define STR_ARG(size, addr32, rep, seg) \
    ((uint32_t)(size) | ((addr32) ? STR_ARG_ADDR32 : 0u) | ((uint32_t)(rep) << 4) | \
     ((uint32_t)(seg) << 8))
/* iterations one helper call does before returning to the CPU loop */
#define STR_CHUNK 4096

/* gen_arith.c */
void gen_DAA(DisasContext *s);
void gen_DAS(DisasContext *s);
void gen_AAA(DisasContext *s);
void gen_AAS(DisasContext *s);
void gen_AAM(DisasContext *s);
void gen_AAD(DisasContext *s);
void gen_DIV(DisasContext *s);
void gen_IDIV(DisasContext *s);

/* gen_string.c */
void gen_MOVS(DisasContext *s);
void gen_CMPS(DisasContext *s);
void gen_SCAS(DisasContext *s);
void gen_LODS(DisasContext *s);
void gen_STOS(DisasContext *s);
void gen_INS(DisasContext *s);
void gen_OUTS(DisasContext *s);

/* gen_system.c */
void gen_ENTER(DisasContext *s);
void gen_LEAVE(DisasContext *s);
void gen_PUSHA(DisasContext *s);
void gen_POPA(DisasContext *s);
void gen_LXS(DisasContext *s);        /* LES/LDS/LSS/LFS/LGS: arg = segment */
void gen_LJMP(DisasContext *s);
void gen_LCALL(DisasContext *s);
void gen_RETF(DisasContext *s);
void gen_INT(DisasContext *s);
void gen_INT3(DisasContext *s);
void gen_INTO(DisasContext *s);
void gen_INT1(DisasContext *s);
void gen_BOUND(DisasContext *s);      /* #BR check (excp.c helper_bound) */
void gen_IRET(DisasContext *s);
void gen_IN(DisasContext *s);
void gen_OUT(DisasContext *s);
void gen_CPUID(DisasContext *s);
void gen_RDTSC(DisasContext *s);
void gen_HLT(DisasContext *s);
void gen_CLI(DisasContext *s);
void gen_STI(DisasContext *s);
void gen_CMPXCHG8B(DisasContext *s);
void gen_LGDT(DisasContext *s);       /* arg 0 = GDT, 1 = IDT */
void gen_SGDT(DisasContext *s);       /* arg 0 = GDT, 1 = IDT */
void gen_LLDT(DisasContext *s);
void gen_LTR(DisasContext *s);
void gen_SLDT(DisasContext *s);       /* arg 0 = LDTR, 1 = TR (STR) */
void gen_LMSW(DisasContext *s);
void gen_SMSW(DisasContext *s);
void gen_CLTS(DisasContext *s);
void gen_NOP_PRIV(DisasContext *s);   /* INVD, WBINVD (no caches) */
void gen_INVLPG(DisasContext *s);     /* gen_mmu.c: TLB page flush */
void gen_UD(DisasContext *s);         /* UD0/UD1/UD2, RSM (no SMM) */

/* gen_prot.c: protection instructions (PM only, #UD in real/v8086 mode) */
void gen_LAR(DisasContext *s);
void gen_LSL(DisasContext *s);
void gen_VERR(DisasContext *s);
void gen_VERW(DisasContext *s);
void gen_ARPL(DisasContext *s);
/* end the block if a segment load changed the HF_SEG classes */
void gen_prot_end_if_hflags_changed(DisasContext *s);

/* fpu/gen_fpu.c: the x87 (insn_table_fpu.inc) */
void gen_X87(DisasContext *s);        /* every D8-DF instruction: one helper_x87 call */
void gen_X87_WAIT(DisasContext *s);   /* WAIT/FWAIT */
void gen_X87_FXSAVE(DisasContext *s); /* arg 0 FXSAVE, 1 FXRSTOR */

/* gen_msr.c */
void gen_RDMSR(DisasContext *s);
void gen_WRMSR(DisasContext *s);
void gen_RDPMC(DisasContext *s);
void gen_SYSENTER(DisasContext *s);   /* arg 0 = SYSENTER, 1 = SYSEXIT */

#endif
