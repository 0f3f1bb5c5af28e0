/*
 * gen_branch.c - emitters for near control transfer and condition users:
 * Jcc, JMP, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ, SETcc, CMOVcc.
 *
 * Relative targets are computed from the displacement bytes (Capstone's
 * encoding.imm_offset/imm_size) and the effective operand size: 0x66 in
 * 32-bit code truncates the target to 16 bits.  Direct targets end the
 * block with GOTO_TB (slot 0 = taken, slot 1 = fall-through), indirect
 * ones with EXIT.  The table's arg holds the condition (0 = O .. 15 = G).
 */
#include "cpu-x86/gen.h"

/* target of a relative branch */
static uint32_t rel_target(DisasContext *s)
{
    const cs_x86_encoding *e = &s->x86->encoding;
    const uint8_t *p = s->insn->bytes + e->imm_offset;
    int32_t d;

    switch (e->imm_size) {
    case 1: d = (int8_t)p[0]; break;
    case 2: d = (int16_t)(p[0] | p[1] << 8); break;
    case 4: d = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                          (uint32_t)p[3] << 24); break;
    default: g_assert_not_reached();
    }
    uint32_t t = s->next_pc + (uint32_t)d;
    return s->opsize == 2 ? t & 0xffff : t;
}

/* if cond then target else next instruction; ends the block */
static void gen_branch_cond(DisasContext *s, IRTemp cond, uint32_t target)
{
    uint32_t taken = ir_new_label(s->ir);
    ir_brnz(s->ir, cond, taken);
    gen_jmp_imm(s, s->next_pc, 1);
    ir_label(s->ir, taken);
    gen_jmp_imm(s, target, 0);
}

void gen_JCC(DisasContext *s)
{
    gen_branch_cond(s, gen_cond(s, (int)s->info->arg), rel_target(s));
}

void gen_SETCC(DisasContext *s)
{
    IRTemp c = gen_cond(s, (int)s->info->arg);
    gen_st_op(s, 0, c);
}

void gen_CMOVCC(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp c = gen_cond(s, (int)s->info->arg);
    IRTemp v = gen_ld_op(s, 1);              /* the source is read even if false */
    IRTemp d = gen_ld_op(s, 0);
    IRTemp m = ir_unop(b, IR_NEG, c);
    gen_st_op(s, 0, ir_xor(b, d, ir_and(b, ir_xor(b, d, v), m)));
}

static IRTemp near_target(DisasContext *s, IRTemp t)
{
    return s->opsize == 2 ? ir_unop(s->ir, IR_EXT16U, t) : t;
}

void gen_JMP(DisasContext *s)
{
    if (op_get(s, 0)->type == X86_OP_IMM) {
        gen_jmp_imm(s, rel_target(s), 0);
    } else {
        gen_jmp_temp(s, near_target(s, gen_ld_op(s, 0)));
    }
}

void gen_CALL(DisasContext *s)
{
    IRTemp ret = ir_movi(s->ir, s->next_pc);
    if (op_get(s, 0)->type == X86_OP_IMM) {
        gen_push(s, s->opsize, ret);
        gen_jmp_imm(s, rel_target(s), 0);
    } else {
        IRTemp t = near_target(s, gen_ld_op(s, 0));
        gen_push(s, s->opsize, ret);
        gen_jmp_temp(s, t);
    }
}

void gen_RET(DisasContext *s)
{
    uint32_t n = op_count(s) ? (uint32_t)op_get(s, 0)->imm & 0xffff : 0;
    IRTemp t = gen_pop_peek(s, s->opsize, 0);
    gen_adjust_esp(s, (int32_t)(s->opsize + n));
    gen_jmp_temp(s, near_target(s, t));
}

/* LOOP/LOOPE/LOOPNE: arg = 0 plain, 1 LOOPE, 2 LOOPNE; CX or ECX by address size */
void gen_LOOP(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp c = ir_sub(b, gen_get_gpr(s, R_ECX, s->addrsize), ir_movi(b, 1));
    IRTemp cond;

    gen_set_gpr(s, R_ECX, s->addrsize, c);
    cond = ir_binop(b, IR_SETNE, gen_zext(s, s->addrsize, c), ir_movi(b, 0));
    if (s->info->arg) {
        IRTemp z = gen_cond(s, s->info->arg == 1 ? 4 : 5);     /* E / NE */
        cond = ir_and(b, cond, z);
    }
    gen_branch_cond(s, cond, rel_target(s));
}

void gen_JCXZ(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp cond = ir_binop(b, IR_SETEQ, gen_get_gpr(s, R_ECX, s->addrsize), ir_movi(b, 0));
    gen_branch_cond(s, cond, rel_target(s));
}
