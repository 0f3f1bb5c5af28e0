/*
 * gen_alu.c - emitters for the integer arithmetic instructions: the eight
 * classic ALU ops, TEST, INC/DEC/NEG/NOT, shifts and rotates, SHLD/SHRD,
 * MUL/IMUL, XADD and CMPXCHG.
 *
 * Each emitter holds only the operation; operands come from gen_ld_op()
 * and go back through gen_st_op(), flags are recorded lazily with
 * gen_set_cc() after the last store (precise exceptions, frontend.h).
 * Operand size is that of operand 0 (byte forms included).
 */
#include "cpu-x86/gen.h"

#define CC(s, base) ((CCOp)((base) + size_index(op_size(s, 0))))

/* ---- ADD ADC SUB SBB AND OR XOR CMP TEST ---- */

void gen_ADD(DisasContext *s)
{
    IRTemp a = gen_ld_op(s, 0), b = gen_ld_op(s, 1);
    IRTemp r = ir_add(s->ir, a, b);
    gen_st_op(s, 0, r);
    gen_set_cc(s, CC(s, CC_OP_ADDB), r, b, IR_NO_TEMP);
}

void gen_ADC(DisasContext *s)
{
    IRTemp a = gen_ld_op(s, 0), b = gen_ld_op(s, 1);
    IRTemp c = gen_get_cf(s);
    IRTemp r = ir_add(s->ir, ir_add(s->ir, a, b), c);
    gen_st_op(s, 0, r);
    gen_set_cc(s, CC(s, CC_OP_ADCB), r, b, c);
}

void gen_SUB(DisasContext *s)
{
    IRTemp a, b, r;
    if (op_same_reg(s, 0, 1)) {             /* sub r, r: the zeroing idiom */
        r = ir_movi(s->ir, 0);
        gen_st_op(s, 0, r);
        gen_set_cc(s, CC(s, CC_OP_SUBB), r, r, IR_NO_TEMP);
        s->cc_a_t = r;
        return;
    }
    a = gen_ld_op(s, 0);
    b = gen_ld_op(s, 1);
    r = ir_sub(s->ir, a, b);
    gen_st_op(s, 0, r);
    gen_set_cc(s, CC(s, CC_OP_SUBB), r, b, IR_NO_TEMP);
    s->cc_a_t = a;
}

void gen_SBB(DisasContext *s)
{
    IRTemp a = gen_ld_op(s, 0), b = gen_ld_op(s, 1);
    IRTemp c = gen_get_cf(s);
    IRTemp r = ir_sub(s->ir, ir_sub(s->ir, a, b), c);
    gen_st_op(s, 0, r);
    gen_set_cc(s, CC(s, CC_OP_SBBB), r, b, c);
}

void gen_CMP(DisasContext *s)
{
    IRTemp a = gen_ld_op(s, 0), b = gen_ld_op(s, 1);
    IRTemp r = ir_sub(s->ir, a, b);
    gen_set_cc(s, CC(s, CC_OP_SUBB), r, b, IR_NO_TEMP);
    s->cc_a_t = a;
}

static void gen_logic(DisasContext *s, IROpcode op, bool store)
{
    IRTemp a = gen_ld_op(s, 0), r;
    if (op_same_reg(s, 0, 1)) {
        r = op == IR_XOR ? ir_movi(s->ir, 0) : a;      /* xor r,r / and r,r / or r,r */
    } else {
        r = ir_binop(s->ir, op, a, gen_ld_op(s, 1));
    }
    if (store) {
        gen_st_op(s, 0, r);
    }
    gen_set_cc(s, CC(s, CC_OP_LOGICB), r, IR_NO_TEMP, IR_NO_TEMP);
}

void gen_AND(DisasContext *s)  { gen_logic(s, IR_AND, true); }
void gen_OR(DisasContext *s)   { gen_logic(s, IR_OR, true); }
void gen_XOR(DisasContext *s)  { gen_logic(s, IR_XOR, true); }
void gen_TEST(DisasContext *s) { gen_logic(s, IR_AND, false); }

/* ---- INC DEC NEG NOT ---- */

/* INC/DEC keep CF: the lazy state records the CF from before */
static void gen_incdec(DisasContext *s, IROpcode op, CCOp base)
{
    IRTemp a = gen_ld_op(s, 0);
    IRTemp c = s->flags_dead ? IR_NO_TEMP : gen_get_cf(s);
    IRTemp r = ir_binop(s->ir, op, a, ir_movi(s->ir, 1));
    gen_st_op(s, 0, r);
    gen_set_cc(s, CC(s, base), r, c, IR_NO_TEMP);
}

void gen_INC(DisasContext *s) { gen_incdec(s, IR_ADD, CC_OP_INCB); }
void gen_DEC(DisasContext *s) { gen_incdec(s, IR_SUB, CC_OP_DECB); }

void gen_NEG(DisasContext *s)
{
    IRTemp a = gen_ld_op(s, 0);
    IRTemp r = ir_unop(s->ir, IR_NEG, a);
    gen_st_op(s, 0, r);
    gen_set_cc(s, CC(s, CC_OP_SUBB), r, a, IR_NO_TEMP);
    s->cc_a_t = ir_movi(s->ir, 0);
}

void gen_NOT(DisasContext *s)
{
    gen_st_op(s, 0, ir_unop(s->ir, IR_NOT, gen_ld_op(s, 0)));
}

/* ---- SHL SHR SAR: count masked to 5 bits, count 0 changes nothing ---- */

static void gen_shift(DisasContext *s, IROpcode op, CCOp base)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    const cs_x86_op *c = op_get(s, 1);
    IRTemp a, src, r;

    if (c->type == X86_OP_IMM) {
        uint32_t n = (uint32_t)c->imm & 31;
        a = gen_ld_op(s, 0);
        if (!n) {
            return;
        }
        if (op == IR_SAR) {
            a = gen_sext(s, sz, a);
        }
        src = n > 1 ? ir_binop(b, op, a, ir_movi(b, n - 1)) : a;
        r = ir_binop(b, op, src, ir_movi(b, 1));
        gen_st_op(s, 0, r);
        gen_set_cc(s, CC(s, base), r, src, IR_NO_TEMP);
    } else if (s->flags_dead && !op_is_mem(s, 0)) {
        /* nothing reads the flags: a count of 0 must only leave the
         * register as it is, which the host shift by 0 does too */
        IRTemp n = ir_and(b, gen_ld_op(s, 1), ir_movi(b, 31));
        a = gen_ld_op(s, 0);
        if (op == IR_SAR) {
            a = gen_sext(s, sz, a);
        }
        gen_st_op(s, 0, ir_binop(b, op, a, n));
    } else {
        IRTemp n = ir_and(b, gen_ld_op(s, 1), ir_movi(b, 31));
        uint32_t skip = ir_new_label(b);
        gen_sync_eip(s);
        a = gen_ld_op(s, 0);
        if (op == IR_SAR) {
            a = gen_sext(s, sz, a);
        }
        ir_brz(b, n, skip);
        src = ir_binop(b, op, a, ir_sub(b, n, ir_movi(b, 1)));
        r = ir_binop(b, op, src, ir_movi(b, 1));
        gen_st_op(s, 0, r);
        gen_set_cc(s, CC(s, base), r, src, IR_NO_TEMP);
        ir_label(b, skip);
        gen_cc_forget(s);
    }
}

void gen_SHL(DisasContext *s) { gen_shift(s, IR_SHL, CC_OP_SHLB); }
void gen_SHR(DisasContext *s) { gen_shift(s, IR_SHR, CC_OP_SHRB); }
void gen_SAR(DisasContext *s) { gen_shift(s, IR_SAR, CC_OP_SARB); }

/* ---- rotates: result helper, store, then flags helper ---- */

enum { ROT_ROL, ROT_ROR, ROT_RCL, ROT_RCR };

static void gen_rotate(DisasContext *s, int kind)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    const cs_x86_op *c = op_get(s, 1);
    IRTemp a, n, ctl, r;

    if (c->type == X86_OP_IMM && ((uint32_t)c->imm & 31) == 0) {
        gen_ld_op(s, 0);                    /* count 0: only the access */
        return;
    }
    n = gen_ld_op(s, 1);
    a = gen_ld_op(s, 0);
    if (c->type == X86_OP_IMM && sz == 4 && kind <= ROT_ROR) {
        /* inline ROL/ROR r/m32, imm: CF/OF still via the helper */
        r = ir_binop(b, kind == ROT_ROL ? IR_ROL : IR_ROR, a, n);
    } else {
        ctl = ir_movi(b, (uint32_t)kind | (uint32_t)sz << 4);
        r = gen_helper(s, HELPER_rotate, 3, a, n, ctl);
    }
    gen_st_op(s, 0, r);
    if (!s->flags_dead) {
        gen_helper(s, HELPER_rotate_cc, 3, a, n, ir_movi(b, (uint32_t)kind | (uint32_t)sz << 4));
    }
}

void gen_ROL(DisasContext *s) { gen_rotate(s, ROT_ROL); }
void gen_ROR(DisasContext *s) { gen_rotate(s, ROT_ROR); }
void gen_RCL(DisasContext *s) { gen_rotate(s, ROT_RCL); }
void gen_RCR(DisasContext *s) { gen_rotate(s, ROT_RCR); }

/* ---- SHLD SHRD ---- */

static void gen_shxd(DisasContext *s, bool right)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    const cs_x86_op *c = op_get(s, 2);
    uint32_t k = (uint32_t)sz << 8 | (uint32_t)right << 16;
    IRTemp a, v, ctl, r;

    if (c->type == X86_OP_IMM) {
        uint32_t n = (uint32_t)c->imm & 31;
        a = gen_ld_op(s, 0);
        if (!n) {
            return;
        }
        ctl = ir_movi(b, k | n);
    } else {
        ctl = ir_or(b, ir_and(b, gen_ld_op(s, 2), ir_movi(b, 31)), ir_movi(b, k));
        a = gen_ld_op(s, 0);
    }
    v = gen_ld_op(s, 1);
    r = gen_helper(s, HELPER_shxd, 3, a, v, ctl);
    gen_st_op(s, 0, r);
    gen_helper(s, HELPER_shxd_cc, 3, a, v, ctl);
}

void gen_SHLD(DisasContext *s) { gen_shxd(s, false); }
void gen_SHRD(DisasContext *s) { gen_shxd(s, true); }

/* ---- MUL IMUL ---- */

void gen_MUL(DisasContext *s)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    IRTemp v = gen_ld_op(s, 0), a, p, hi;

    switch (sz) {
    case 1:
        a = gen_get_gpr(s, R_EAX, 1);
        p = ir_binop(b, IR_MUL, a, v);
        gen_set_gpr(s, R_EAX, 2, p);
        hi = ir_binop(b, IR_SHR, p, ir_movi(b, 8));
        break;
    case 2:
        a = gen_get_gpr(s, R_EAX, 2);
        p = ir_binop(b, IR_MUL, a, v);
        hi = ir_binop(b, IR_SHR, p, ir_movi(b, 16));
        gen_set_gpr(s, R_EAX, 2, p);
        gen_set_gpr(s, R_EDX, 2, hi);
        break;
    default:
        a = ir_get_reg(b, R_EAX);
        p = ir_binop(b, IR_MUL, a, v);
        hi = gen_helper(s, HELPER_mulhu32, 2, a, v);
        ir_set_reg(b, R_EAX, p);
        ir_set_reg(b, R_EDX, hi);
        break;
    }
    gen_set_cc(s, CC(s, CC_OP_MULB), p, hi, IR_NO_TEMP);
}

/* signed product of a and v (already sign-extended) of size sz: returns the
 * low part, *ovf = 1 when it does not fit, *hi = the high half (sz 4) */
static IRTemp imul_core(DisasContext *s, int sz, IRTemp a, IRTemp v, IRTemp *ovf, IRTemp *hi)
{
    IRBlock *b = s->ir;
    IRTemp p = ir_binop(b, IR_MUL, a, v);
    if (sz == 4) {
        *hi = gen_helper(s, HELPER_mulhs32, 2, a, v);
        *ovf = ir_binop(b, IR_SETNE, *hi, ir_binop(b, IR_SAR, p, ir_movi(b, 31)));
    } else {
        *hi = IR_NO_TEMP;
        *ovf = ir_binop(b, IR_SETNE, p, gen_sext(s, sz, p));
    }
    return p;
}

void gen_IMUL(DisasContext *s)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    IRTemp p, ovf, hi;

    if (op_count(s) == 1) {
        IRTemp v = gen_ld_op_sext(s, 0);
        IRTemp a = gen_sext(s, sz, gen_get_gpr(s, R_EAX, sz));
        p = imul_core(s, sz, a, v, &ovf, &hi);
        if (sz == 1) {
            gen_set_gpr(s, R_EAX, 2, p);
        } else if (sz == 2) {
            gen_set_gpr(s, R_EAX, 2, p);
            gen_set_gpr(s, R_EDX, 2, ir_binop(b, IR_SHR, p, ir_movi(b, 16)));
        } else {
            ir_set_reg(b, R_EAX, p);
            ir_set_reg(b, R_EDX, hi);
        }
    } else {
        int first = op_count(s) == 3 ? 1 : 0;
        IRTemp a = gen_ld_op_sext(s, first);
        IRTemp v = gen_ld_op_sext(s, first + 1);
        p = imul_core(s, sz, a, v, &ovf, &hi);
        gen_st_op(s, 0, p);
    }
    gen_set_cc(s, CC(s, CC_OP_MULB), p, ovf, IR_NO_TEMP);
}

/* ---- XADD CMPXCHG ---- */

void gen_XADD(DisasContext *s)
{
    IRTemp d = gen_ld_op(s, 0), v = gen_ld_op(s, 1);
    IRTemp sum = ir_add(s->ir, d, v);
    if (op_is_mem(s, 0)) {
        gen_st_op(s, 0, sum);
        gen_st_op(s, 1, d);
    } else {
        gen_st_op(s, 1, d);
        gen_st_op(s, 0, sum);
    }
    gen_set_cc(s, CC(s, CC_OP_ADDB), sum, v, IR_NO_TEMP);
}

void gen_CMPXCHG(DisasContext *s)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    IRTemp acc = gen_get_gpr(s, R_EAX, sz);
    IRTemp d = gen_ld_op(s, 0), v = gen_ld_op(s, 1);
    IRTemp eq = ir_binop(b, IR_SETEQ, acc, d);
    IRTemp m = ir_unop(b, IR_NEG, eq);
    IRTemp nv = ir_xor(b, d, ir_and(b, ir_xor(b, d, v), m));   /* eq ? v : d */
    const cs_x86_op *o0 = op_get(s, 0);
    bool dest_is_acc = o0->type == X86_OP_REG &&
        (o0->reg == X86_REG_AL || o0->reg == X86_REG_AX || o0->reg == X86_REG_EAX);

    gen_st_op(s, 0, nv);                     /* the destination is always written */
    if (!dest_is_acc) {
        gen_set_gpr(s, R_EAX, sz, d);        /* equal: a no-op, else acc = dest */
    }
    gen_set_cc(s, CC(s, CC_OP_SUBB), ir_sub(b, acc, d), d, IR_NO_TEMP);
    s->cc_a_t = acc;
}
