/*
 * insn_table.c - THE instruction table of the x86 front end: one row per
 * Capstone instruction id (designated initializers) giving the emitter,
 * checks (IF_LOCK_OK, IF_PRIV, IF_ENDS_BLOCK, ...) and an emitter argument
 * (condition code for Jcc/SETcc/CMOVcc, kind for LOOP).  Ids without a row
 * (gen == NULL) raise #UD and are logged under -d unimp.  The fourth
 * column is the flag effect (CCE_*) for the dead-flag analysis; rows
 * without one are treated as reading every flag.
 *
 * The system/string/BCD/far-control rows are in insn_table_sys.inc
 * (gen_sys.h), included inside the initializer list below.
 *
 * Where we depart from Capstone 4.0.2 (details and bytes in
 * docs/cpu-frontend.md):
 *  - operand size, address size, REP, LOCK and segment override come from
 *    the raw prefix bytes, not from detail->x86.prefix[] (66 F3 01 C8 loses
 *    the F3 there) nor from the id (CBW/CWDE, CWD/CDQ, PUSHF/PUSHFD and
 *    POPF/POPFD rows share one emitter that reads s->opsize);
 *  - RET's size comes from s->opsize (Capstone gives none);
 *  - 8E /1 (mov cs, r) is rejected in gen_mov_seg; 66 0F C8 (bswap r16)
 *    clears the low word like Intel hardware;
 *  - the hint-NOP space 0F 18..1F (ENDBR32/64, PREFETCHh, NOP r/m, the
 *    reserved NOPs) never reaches this table: hintnop.c decides it from the
 *    raw bytes before Capstone is asked (Capstone rejects the register forms
 *    and returns ids such as ENDBR32 or PREFETCHNTA that have no row);
 *  - relative targets are recomputed from the displacement bytes;
 *  - F3 0F BC / F3 0F BD (TZCNT/LZCNT to Capstone) are BSF/BSR: no tx86
 *    CPU model has BMI1/LZCNT, and on those CPUs the F3 prefix is ignored
 *    (compilers emit "rep bsf" on purpose; Debian's 686 kernel does).
 */
#include "cpu-x86/gen.h"
#include "cpu-x86/sse/simd.h"
#if __has_include("cpu-x86/gen_sys.h")
#include "cpu-x86/gen_sys.h"
#endif

#define LK IF_LOCK_OK

const InsnInfo x86_insn_table[X86_INS_ENDING] = {
    /* arithmetic and logic (gen_alu.c) */
    [X86_INS_ADD]     = { gen_ADD, LK, 0, CCE_ALL },
    [X86_INS_ADC]     = { gen_ADC, LK, 0, CCE_ALL_USE_CF },
    [X86_INS_SUB]     = { gen_SUB, LK, 0, CCE_ALL },
    [X86_INS_SBB]     = { gen_SBB, LK, 0, CCE_ALL_USE_CF },
    [X86_INS_AND]     = { gen_AND, LK, 0, CCE_ALL },
    [X86_INS_OR]      = { gen_OR, LK, 0, CCE_ALL },
    [X86_INS_XOR]     = { gen_XOR, LK, 0, CCE_ALL },
    [X86_INS_CMP]     = { gen_CMP, 0, 0, CCE_ALL },
    [X86_INS_TEST]    = { gen_TEST, 0, 0, CCE_ALL },
    [X86_INS_INC]     = { gen_INC, LK, 0, CCE_ALL_BUT_CF },
    [X86_INS_DEC]     = { gen_DEC, LK, 0, CCE_ALL_BUT_CF },
    [X86_INS_NEG]     = { gen_NEG, LK, 0, CCE_ALL },
    [X86_INS_NOT]     = { gen_NOT, LK, 0, CCE_NONE },
    [X86_INS_SHL]     = { gen_SHL, 0, 0, CCE_SHIFT },
    [X86_INS_SAL]     = { gen_SHL, 0, 0, CCE_SHIFT },
    [X86_INS_SHR]     = { gen_SHR, 0, 0, CCE_SHIFT },
    [X86_INS_SAR]     = { gen_SAR, 0, 0, CCE_SHIFT },
    [X86_INS_ROL]     = { gen_ROL, 0, 0, CCE_ROTATE },
    [X86_INS_ROR]     = { gen_ROR, 0, 0, CCE_ROTATE },
    [X86_INS_RCL]     = { gen_RCL, 0, 0, CCE_ROTATE_CF },
    [X86_INS_RCR]     = { gen_RCR, 0, 0, CCE_ROTATE_CF },
    [X86_INS_SHLD]    = { gen_SHLD, 0, 0 },
    [X86_INS_SHRD]    = { gen_SHRD, 0, 0 },
    [X86_INS_MUL]     = { gen_MUL, 0, 0, CCE_ALL },
    [X86_INS_IMUL]    = { gen_IMUL, 0, 0, CCE_ALL },
    [X86_INS_XADD]    = { gen_XADD, LK, 0 },
    [X86_INS_CMPXCHG] = { gen_CMPXCHG, LK, 0 },

    /* data movement and flags (gen_move.c) */
    [X86_INS_MOV]     = { gen_MOV, 0, 0, CCE_NONE },
    [X86_INS_MOVABS]  = { gen_MOV, 0, 0, CCE_NONE },
    [X86_INS_MOVZX]   = { gen_MOVZX, 0, 0, CCE_NONE },
    [X86_INS_MOVSX]   = { gen_MOVSX, 0, 0, CCE_NONE },
    [X86_INS_LEA]     = { gen_LEA, 0, 0, CCE_NONE },
    [X86_INS_XCHG]    = { gen_XCHG, LK, 0, CCE_NONE },
    [X86_INS_PUSH]    = { gen_PUSH, 0, 0 },
    [X86_INS_POP]     = { gen_POP, 0, 0 },
    [X86_INS_PUSHF]   = { gen_PUSHF, 0, 0 },
    [X86_INS_PUSHFD]  = { gen_PUSHF, 0, 0 },
    [X86_INS_POPF]    = { gen_POPF, 0, 0 },
    [X86_INS_POPFD]   = { gen_POPF, 0, 0 },
    [X86_INS_LAHF]    = { gen_LAHF, 0, 0 },
    [X86_INS_SAHF]    = { gen_SAHF, 0, 0 },
    [X86_INS_CLC]     = { gen_CLC, 0, 0 },
    [X86_INS_STC]     = { gen_STC, 0, 0 },
    [X86_INS_CMC]     = { gen_CMC, 0, 0 },
    [X86_INS_CLD]     = { gen_CLD, 0, 0 },
    [X86_INS_STD]     = { gen_STD, 0, 0 },
    [X86_INS_CBW]     = { gen_CBW, 0, 0, CCE_NONE },
    [X86_INS_CWDE]    = { gen_CBW, 0, 0, CCE_NONE },
    [X86_INS_CWD]     = { gen_CWD, 0, 0, CCE_NONE },
    [X86_INS_CDQ]     = { gen_CWD, 0, 0, CCE_NONE },
    [X86_INS_NOP]     = { gen_NOP, 0, 0, CCE_NONE },
    [X86_INS_PAUSE]   = { gen_NOP, 0, 0, CCE_NONE },
    [X86_INS_SALC]    = { gen_SALC, 0, 0 },
    [X86_INS_XLATB]   = { gen_XLATB, 0, 0 },

    /* near control transfer and condition users (gen_branch.c) */
    [X86_INS_JO]  = { gen_JCC, 0, 0 },  [X86_INS_JNO] = { gen_JCC, 0, 1 },
    [X86_INS_JB]  = { gen_JCC, 0, 2 },  [X86_INS_JAE] = { gen_JCC, 0, 3 },
    [X86_INS_JE]  = { gen_JCC, 0, 4 },  [X86_INS_JNE] = { gen_JCC, 0, 5 },
    [X86_INS_JBE] = { gen_JCC, 0, 6 },  [X86_INS_JA]  = { gen_JCC, 0, 7 },
    [X86_INS_JS]  = { gen_JCC, 0, 8 },  [X86_INS_JNS] = { gen_JCC, 0, 9 },
    [X86_INS_JP]  = { gen_JCC, 0, 10 }, [X86_INS_JNP] = { gen_JCC, 0, 11 },
    [X86_INS_JL]  = { gen_JCC, 0, 12 }, [X86_INS_JGE] = { gen_JCC, 0, 13 },
    [X86_INS_JLE] = { gen_JCC, 0, 14 }, [X86_INS_JG]  = { gen_JCC, 0, 15 },
    [X86_INS_SETO]  = { gen_SETCC, 0, 0 },  [X86_INS_SETNO] = { gen_SETCC, 0, 1 },
    [X86_INS_SETB]  = { gen_SETCC, 0, 2 },  [X86_INS_SETAE] = { gen_SETCC, 0, 3 },
    [X86_INS_SETE]  = { gen_SETCC, 0, 4 },  [X86_INS_SETNE] = { gen_SETCC, 0, 5 },
    [X86_INS_SETBE] = { gen_SETCC, 0, 6 },  [X86_INS_SETA]  = { gen_SETCC, 0, 7 },
    [X86_INS_SETS]  = { gen_SETCC, 0, 8 },  [X86_INS_SETNS] = { gen_SETCC, 0, 9 },
    [X86_INS_SETP]  = { gen_SETCC, 0, 10 }, [X86_INS_SETNP] = { gen_SETCC, 0, 11 },
    [X86_INS_SETL]  = { gen_SETCC, 0, 12 }, [X86_INS_SETGE] = { gen_SETCC, 0, 13 },
    [X86_INS_SETLE] = { gen_SETCC, 0, 14 }, [X86_INS_SETG]  = { gen_SETCC, 0, 15 },
    [X86_INS_CMOVO]  = { gen_CMOVCC, 0, 0, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVNO] = { gen_CMOVCC, 0, 1, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVB]  = { gen_CMOVCC, 0, 2, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVAE] = { gen_CMOVCC, 0, 3, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVE]  = { gen_CMOVCC, 0, 4, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVNE] = { gen_CMOVCC, 0, 5, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVBE] = { gen_CMOVCC, 0, 6, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVA]  = { gen_CMOVCC, 0, 7, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVS]  = { gen_CMOVCC, 0, 8, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVNS] = { gen_CMOVCC, 0, 9, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVP]  = { gen_CMOVCC, 0, 10, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVNP] = { gen_CMOVCC, 0, 11, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVL]  = { gen_CMOVCC, 0, 12, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVGE] = { gen_CMOVCC, 0, 13, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVLE] = { gen_CMOVCC, 0, 14, .feature = INSN_FEAT_CMOV },
    [X86_INS_CMOVG]  = { gen_CMOVCC, 0, 15, .feature = INSN_FEAT_CMOV },
    [X86_INS_JMP]     = { gen_JMP, 0, 0 },
    [X86_INS_CALL]    = { gen_CALL, 0, 0 },
    [X86_INS_RET]     = { gen_RET, 0, 0 },
    [X86_INS_LOOP]    = { gen_LOOP, 0, 0 },
    [X86_INS_LOOPE]   = { gen_LOOP, 0, 1 },
    [X86_INS_LOOPNE]  = { gen_LOOP, 0, 2 },
    [X86_INS_JCXZ]    = { gen_JCXZ, 0, 0 },
    [X86_INS_JECXZ]   = { gen_JCXZ, 0, 0 },

    /* bit instructions (gen_bits.c) */
    [X86_INS_BT]      = { gen_BT, 0, 0 },
    [X86_INS_BTS]     = { gen_BTS, LK, 0 },
    [X86_INS_BTR]     = { gen_BTR, LK, 0 },
    [X86_INS_BTC]     = { gen_BTC, LK, 0 },
    [X86_INS_BSF]     = { gen_BSF, 0, 0 },
    [X86_INS_BSR]     = { gen_BSR, 0, 0 },
    [X86_INS_TZCNT]   = { gen_BSF, 0, 0 },       /* F3 0F BC: BSF before BMI1 */
    [X86_INS_LZCNT]   = { gen_BSR, 0, 0 },       /* F3 0F BD: BSR before LZCNT */
    [X86_INS_BSWAP]   = { gen_BSWAP, 0, 0, CCE_NONE },

    /* system, string, BCD, division, far control (gen_sys.h) */
#include "cpu-x86/insn_table_sys.inc"

    /* x87 FPU */
#include "cpu-x86/insn_table_fpu.inc"

    /* MMX, SSE, SSE2, SSE3, SSSE3 (sse/gen_simd.c) */
#include "cpu-x86/insn_table_simd.inc"
};
