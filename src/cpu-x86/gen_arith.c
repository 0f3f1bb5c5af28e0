/*
 * gen_arith.c - emitters for the BCD adjusts (DAA, DAS, AAA, AAS, AAM,
 * AAD) and DIV/IDIV.  Each is one helper call (helpers_arith.c); the
 * helpers read and write the flags in env, and gen_helper() makes the
 * front end forget what it knew about cc_op.  DIV/IDIV load the divisor
 * operand first (a memory fault comes before the #DE check).
 */
#include "cpu-x86/gen_sys.h"

void gen_DAA(DisasContext *s) { gen_helper(s, HELPER_daa, 0); }
void gen_DAS(DisasContext *s) { gen_helper(s, HELPER_das, 0); }
void gen_AAA(DisasContext *s) { gen_helper(s, HELPER_aaa, 0); }
void gen_AAS(DisasContext *s) { gen_helper(s, HELPER_aas, 0); }

/* D4 ib / D5 ib: Capstone shows no operand; the immediate is the last byte */
static uint32_t bcd_imm(DisasContext *s)
{
    return s->insn->bytes[s->insn->size - 1];
}

void gen_AAM(DisasContext *s) { gen_helper(s, HELPER_aam, 1, ir_movi(s->ir, bcd_imm(s))); }
void gen_AAD(DisasContext *s) { gen_helper(s, HELPER_aad, 1, ir_movi(s->ir, bcd_imm(s))); }

static void gen_divide(DisasContext *s, const HelperId h[3])
{
    int size = op_size(s, 0);
    IRTemp d = gen_ld_op(s, 0);

    gen_helper(s, h[size_index(size)], 1, d);
}

void gen_DIV(DisasContext *s)
{
    static const HelperId h[3] = { HELPER_div8, HELPER_div16, HELPER_div32 };
    gen_divide(s, h);
}

void gen_IDIV(DisasContext *s)
{
    static const HelperId h[3] = { HELPER_idiv8, HELPER_idiv16, HELPER_idiv32 };
    gen_divide(s, h);
}
