/*
 * gen_move.c - emitters for data movement and flag-register instructions:
 * MOV (general registers and memory; segment registers are delegated to
 * gen_mov_seg() of gen_system.c), MOVZX/MOVSX, LEA, XCHG, PUSH/POP,
 * PUSHF/POPF, LAHF/SAHF, CLC/STC/CMC/CLD/STD, CBW/CWDE, CWD/CDQ, NOP,
 * SALC and XLAT.
 *
 * Stack instructions use s->opsize (Capstone gets 0x66+REP wrong for
 * PUSHF/POPF and gives no size for some ids, shared/CAPSTONE.md).
 */
#include "cpu-x86/gen.h"

#define ENV_OFF(field) ((uint32_t)offsetof(CPUState, field))

static bool op_is_seg(DisasContext *s, int idx)
{
    const cs_x86_op *o = op_get(s, idx);
    return o->type == X86_OP_REG && x86_creg_seg(o->reg) >= 0;
}

static bool op_is_ctrl(DisasContext *s, int idx)
{
    const cs_x86_op *o = op_get(s, idx);
    return o->type == X86_OP_REG && o->reg >= X86_REG_CR0 && o->reg <= X86_REG_CR15;
}

static bool op_is_debug(DisasContext *s, int idx)
{
    const cs_x86_op *o = op_get(s, idx);
    return o->type == X86_OP_REG && o->reg >= X86_REG_DR0 && o->reg <= X86_REG_DR15;
}

void gen_MOV(DisasContext *s)
{
    if (op_is_seg(s, 0) || op_is_seg(s, 1)) {
        gen_mov_seg(s, op_is_seg(s, 0));
        return;
    }
    if (op_is_ctrl(s, 0) || op_is_ctrl(s, 1)) {
        gen_mov_cr(s, op_is_ctrl(s, 0));
        return;
    }
    if (op_is_debug(s, 0) || op_is_debug(s, 1)) {
        gen_mov_dr(s, op_is_debug(s, 0));
        return;
    }
    gen_st_op(s, 0, gen_ld_op(s, 1));
}

void gen_MOVZX(DisasContext *s)
{
    gen_st_op(s, 0, gen_ld_op(s, 1));
}

void gen_MOVSX(DisasContext *s)
{
    gen_st_op(s, 0, gen_ld_op_sext(s, 1));
}

void gen_LEA(DisasContext *s)
{
    gen_st_op(s, 0, gen_lea(s, 1));
}

void gen_XCHG(DisasContext *s)
{
    IRTemp a = gen_ld_op(s, 0), b = gen_ld_op(s, 1);
    if (op_is_mem(s, 1)) {                  /* memory first: it may fault */
        gen_st_op(s, 1, a);
        gen_st_op(s, 0, b);
    } else {
        gen_st_op(s, 0, b);
        gen_st_op(s, 1, a);
    }
}

void gen_PUSH(DisasContext *s)
{
    const cs_x86_op *o = op_get(s, 0);
    IRTemp v;

    if (o->type == X86_OP_IMM) {
        v = ir_movi(s->ir, (uint32_t)o->imm & (s->opsize == 2 ? 0xffffu : 0xffffffffu));
    } else if (op_is_seg(s, 0)) {
        gen_push_seg(s);                    /* gen_system.c */
        return;
    } else {
        v = gen_ld_op(s, 0);                /* PUSH ESP pushes the old value */
    }
    gen_push(s, s->opsize, v);
}

void gen_POP(DisasContext *s)
{
    const cs_x86_op *o = op_get(s, 0);
    IRTemp v;

    if (op_is_seg(s, 0)) {
        gen_pop_seg(s);
        return;
    }
    v = gen_pop_peek(s, s->opsize, 0);
    if (o->type == X86_OP_MEM) {
        s->esp_bias = s->opsize;            /* [ESP+x] uses the incremented ESP */
        gen_st_op(s, 0, v);
        gen_adjust_esp(s, s->opsize);
    } else {
        gen_adjust_esp(s, s->opsize);
        gen_st_op(s, 0, v);                 /* POP ESP: ESP = the popped value */
    }
}

void gen_PUSHF(DisasContext *s)
{
    gen_push(s, s->opsize, gen_helper(s, HELPER_pushf, 1, ir_movi(s->ir, s->opsize)));
}

void gen_POPF(DisasContext *s)
{
    IRTemp v = gen_pop_peek(s, s->opsize, 0);
    gen_helper(s, HELPER_popf, 2, v, ir_movi(s->ir, s->opsize));
    gen_adjust_esp(s, s->opsize);
    s->is_jmp = DISAS_STOP;                 /* TF/IF/IOPL may have changed */
}

void gen_LAHF(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp e = gen_cc_all(s);
    IRTemp ah = ir_or(b, ir_and(b, e, ir_movi(b, CC_S | CC_Z | CC_A | CC_P | CC_C)), ir_movi(b, 2));
    gen_set_gpr(s, 4, 1, ah);               /* n 4 at size 1 is AH */
}

void gen_SAHF(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp ah = gen_get_gpr(s, 4, 1);
    IRTemp e = gen_cc_all(s);
    IRTemp n = ir_or(b, ir_and(b, e, ir_movi(b, CC_O)),
                     ir_and(b, ah, ir_movi(b, CC_S | CC_Z | CC_A | CC_P | CC_C)));
    gen_set_cc_eflags(s, n);
}

static void gen_cf_op(DisasContext *s, IROpcode op, uint32_t k)
{
    gen_set_cc_eflags(s, ir_binop(s->ir, op, gen_cc_all(s), ir_movi(s->ir, k)));
}

void gen_CLC(DisasContext *s) { gen_cf_op(s, IR_AND, ~CC_C); }
void gen_STC(DisasContext *s) { gen_cf_op(s, IR_OR, CC_C); }
void gen_CMC(DisasContext *s) { gen_cf_op(s, IR_XOR, CC_C); }

static void gen_set_df(DisasContext *s, bool set)
{
    IRBlock *b = s->ir;
    IRTemp e = ir_ld_env(b, ENV_OFF(eflags));
    e = set ? ir_or(b, e, ir_movi(b, DF_MASK)) : ir_and(b, e, ir_movi(b, ~DF_MASK));
    ir_st_env(b, ENV_OFF(eflags), e);
    ir_st_env(b, ENV_OFF(df), ir_movi(b, set ? (uint32_t)-1 : 1u));
}

void gen_CLD(DisasContext *s) { gen_set_df(s, false); }
void gen_STD(DisasContext *s) { gen_set_df(s, true); }

/* CBW/CWDE by s->opsize: Capstone names them wrongly in 16-bit code */
void gen_CBW(DisasContext *s)
{
    if (s->opsize == 2) {
        gen_set_gpr(s, R_EAX, 2, gen_sext(s, 1, gen_get_gpr(s, R_EAX, 1)));
    } else {
        ir_set_reg(s->ir, R_EAX, gen_sext(s, 2, gen_get_gpr(s, R_EAX, 2)));
    }
}

/* CWD/CDQ by s->opsize */
void gen_CWD(DisasContext *s)
{
    IRBlock *b = s->ir;
    if (s->opsize == 2) {
        IRTemp ax = gen_sext(s, 2, gen_get_gpr(s, R_EAX, 2));
        gen_set_gpr(s, R_EDX, 2, ir_binop(b, IR_SAR, ax, ir_movi(b, 15)));
    } else {
        ir_set_reg(b, R_EDX, ir_binop(b, IR_SAR, ir_get_reg(b, R_EAX), ir_movi(b, 31)));
    }
}

void gen_NOP(DisasContext *s)
{
    /* NOP, PAUSE, 0F 1F /0 (memory operand not accessed) */
}

void gen_SALC(DisasContext *s)
{
    gen_set_gpr(s, R_EAX, 1, ir_unop(s->ir, IR_NEG, gen_get_cf(s)));
}

void gen_XLATB(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp off = ir_add(b, gen_get_gpr(s, R_EBX, s->addrsize), gen_get_gpr(s, R_EAX, 1));
    if (s->addrsize == 2) {
        off = ir_unop(b, IR_EXT16U, off);
    }
    off = gen_seg_addr(s, s->seg_override >= 0 ? s->seg_override : R_DS, off, 1, false,
                       s->addrsize == 4);
    gen_set_gpr(s, R_EAX, 1, gen_ld(s, 1, off));
}
