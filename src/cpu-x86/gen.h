/*
 * gen.h - the common-instruction emitters of the x86 front end and a few
 * extra plumbing calls that translate.c offers beyond frontend.h.
 *
 * The emitters live in gen_alu.c (ADD..CMP, INC/DEC/NEG/NOT, shifts and
 * rotates, MUL/IMUL), gen_move.c (MOV family, XCHG, PUSH/POP, flags
 * instructions), gen_branch.c (Jcc, JMP, CALL, RET, LOOP, SETcc, CMOVcc)
 * and gen_bits.c (BT*, BSF/BSR, BSWAP); insn_table.c names them per
 * Capstone instruction id.  Rows for system instructions come from
 * gen_sys.h / insn_table_sys.inc (the other front-end file set).
 */
#ifndef TX86_GEN_H
#define TX86_GEN_H

#include "cpu-x86/frontend.h"

/* ---- extra plumbing (translate.c) ---- */
int    x86_creg_seg(x86_reg r);                     /* R_ES.. or -1 */
bool   x86_creg_gpr(x86_reg r, int *n, int *size);  /* GPR number and size */
bool   op_is_mem(DisasContext *s, int idx);
/* linear address of memory operand idx with extra added to the offset
 * before the address-size wrap (BT family with a register bit offset) */
IRTemp gen_ea_plus(DisasContext *s, int idx, IRTemp extra);
bool   op_same_reg(DisasContext *s, int a, int b);
IRTemp gen_sext(DisasContext *s, int size, IRTemp v);   /* from size to 32 bits */
IRTemp gen_zext(DisasContext *s, int size, IRTemp v);
IRTemp gen_cc_all(DisasContext *s);                 /* arithmetic flags, EFLAGS form */
void   gen_set_cc_eflags(DisasContext *s, IRTemp e);    /* flags := e (CC bits) */
void   gen_cc_forget(DisasContext *s);              /* after conditional flag writes */

#define GEN_DECL(name) void gen_##name(DisasContext *s);
#define GEN_LIST(X) \
    X(ADD) X(ADC) X(SUB) X(SBB) X(AND) X(OR) X(XOR) X(CMP) X(TEST) \
    X(INC) X(DEC) X(NEG) X(NOT) X(SHL) X(SHR) X(SAR) X(ROL) X(ROR) X(RCL) X(RCR) \
    X(SHLD) X(SHRD) X(MUL) X(IMUL) X(XADD) X(CMPXCHG) \
    X(MOV) X(MOVSX) X(MOVZX) X(LEA) X(XCHG) X(PUSH) X(POP) X(PUSHF) X(POPF) \
    X(LAHF) X(SAHF) X(CLC) X(STC) X(CMC) X(CLD) X(STD) X(CBW) X(CWD) X(NOP) \
    X(SALC) X(XLATB) \
    X(JCC) X(SETCC) X(CMOVCC) X(JMP) X(CALL) X(RET) X(LOOP) X(JCXZ) \
    X(BT) X(BTS) X(BTR) X(BTC) X(BSF) X(BSR) X(BSWAP) \
    X(SIMD)
GEN_LIST(GEN_DECL)
#undef GEN_DECL
/* sse/gen_simd.c: gen_SIMD for a SimdOp other than the row's (string MOVSD's id) */
void gen_simd_op(DisasContext *s, int op);
/* sse/gen_simd.c: decode SIMD bytes Capstone 4.0.2 rejects (16-bit 66 0F 6C,
 * 66 0F 73 /3, F2 0F D6...; mixed 66/F2/F3 prefixes) with one canonical
 * mandatory prefix through its 32-bit decoder; true if they are a SIMD
 * instruction (insn then has their size and bytes) */
bool x86_simd_decode_alt(X86FrontEnd *fe, const uint8_t *buf, int len, uint32_t pc,
                         bool code32, cs_insn *insn);

#endif
