/*
 * gen_branch.c - emitters for near control transfer and condition users:
 * Jcc, JMP, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ, SETcc, CMOVcc.
 *
 * Relative targets are computed from the displacement bytes (Capstone's
 * encoding.imm_offset/imm_size) and the effective operand size: 0x66 in
 * 32-bit code truncates the target to 16 bits.  Direct targets end the
 * block with GOTO_TB (slot 0 = taken, slot 1 = fall-through), indirect
 * ones with LOOKUP_TB (gen_jmp_indirect: the jump cache).  The table's
 * arg holds the condition (0 = O .. 15 = G).
 *
 * A target past the CS limit is #GP(0) at the branch, before it writes
 * anything (SDM vol. 2 "JMP", "Jcc", "CALL", "RET", "LOOP", "JCXZ": "IF
 * tempEIP is not within code segment limit THEN #GP(0)"): the limit is part
 * of the block key (s->cs_limit), so a direct target is checked while
 * translating and a computed one with one compare, emitted only when the
 * limit is below the largest target of the operand size (never for flat
 * 32-bit code nor for 16-bit code with a 64 KiB limit).
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

static bool beyond_limit(DisasContext *s, uint32_t target)
{
    return target > s->cs_limit;
}

/* #GP(0) unless the computed target t is within the CS limit */
static void gen_check_target(DisasContext *s, IRTemp t)
{
    IRBlock *b = s->ir;
    uint32_t ok;

    if (s->cs_limit >= (s->opsize == 2 ? 0xffffu : 0xffffffffu))
        return;
    gen_sync_eip(s);
    ok = ir_new_label(b);
    ir_brz(b, ir_binop(b, IR_SETLTU, ir_movi(b, s->cs_limit), t), ok);
    gen_helper(s, HELPER_raise_exception, 2, ir_movi(b, EXCP_GP), ir_movi(b, 0));
    ir_label(b, ok);
}

/* if cond then target else next instruction; ends the block */
static void gen_branch_cond(DisasContext *s, IRTemp cond, uint32_t target)
{
    uint32_t taken = ir_new_label(s->ir);
    bool bad = beyond_limit(s, target);

    if (bad)
        gen_sync_eip(s);                /* before the branch (frontend.h) */
    ir_brnz(s->ir, cond, taken);
    gen_jmp_imm(s, s->next_pc, 1);
    ir_label(s->ir, taken);
    if (bad)
        gen_exception(s, EXCP_GP, 0, true);
    else
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
        uint32_t t = rel_target(s);
        if (beyond_limit(s, t))
            gen_exception(s, EXCP_GP, 0, true);
        else
            gen_jmp_imm(s, t, 0);
    } else {
        IRTemp t = near_target(s, gen_ld_op(s, 0));
        gen_check_target(s, t);
        gen_jmp_indirect(s, t);
    }
}

void gen_CALL(DisasContext *s)
{
    IRTemp ret = gen_eip(s, s->next_pc);
    if (op_get(s, 0)->type == X86_OP_IMM) {
        uint32_t t = rel_target(s);
        if (beyond_limit(s, t)) {
            gen_exception(s, EXCP_GP, 0, true);     /* nothing pushed */
            return;
        }
        gen_push(s, s->opsize, ret);
        gen_jmp_imm(s, t, 0);
    } else {
        IRTemp t = near_target(s, gen_ld_op(s, 0));
        gen_check_target(s, t);
        gen_push(s, s->opsize, ret);
        gen_jmp_indirect(s, t);
    }
}

void gen_RET(DisasContext *s)
{
    uint32_t n = op_count(s) ? (uint32_t)op_get(s, 0)->imm & 0xffff : 0;
    IRTemp t = near_target(s, gen_pop_peek(s, s->opsize, 0));
    gen_check_target(s, t);                 /* before ESP moves */
    gen_adjust_esp(s, (int32_t)(s->opsize + n));
    gen_jmp_indirect(s, t);
}

/* LOOP/LOOPE/LOOPNE: arg = 0 plain, 1 LOOPE, 2 LOOPNE; CX or ECX by address size */
void gen_LOOP(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp c = ir_sub(b, gen_get_gpr(s, R_ECX, s->addrsize), ir_movi(b, 1));
    IRTemp cond = ir_binop(b, IR_SETNE, gen_zext(s, s->addrsize, c), ir_movi(b, 0));
    uint32_t target = rel_target(s);

    if (s->info->arg) {
        IRTemp z = gen_cond(s, s->info->arg == 1 ? 4 : 5);     /* E / NE */
        cond = ir_and(b, cond, z);
    }
    if (beyond_limit(s, target)) {
        /* a taken LOOP to a target past the limit faults with ECX unchanged */
        uint32_t ok = ir_new_label(b);
        gen_sync_eip(s);
        ir_brz(b, cond, ok);
        gen_helper(s, HELPER_raise_exception, 2, ir_movi(b, EXCP_GP), ir_movi(b, 0));
        ir_label(b, ok);
    }
    gen_set_gpr(s, R_ECX, s->addrsize, c);
    gen_branch_cond(s, cond, target);
}

void gen_JCXZ(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp cond = ir_binop(b, IR_SETEQ, gen_get_gpr(s, R_ECX, s->addrsize), ir_movi(b, 0));
    gen_branch_cond(s, cond, rel_target(s));
}
