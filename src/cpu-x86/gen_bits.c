/*
 * gen_bits.c - emitters for bit instructions: BT/BTS/BTR/BTC, BSF/BSR and
 * BSWAP.
 *
 * BTx with a register bit offset and a memory operand address memory
 * beyond the operand: the offset is signed, EA += (offset >> 5) * 4 (or
 * >> 4, * 2 for 16-bit operands).  BTx changes only CF (the other flags
 * keep their values, as on P6+ Intel hardware).  BSF/BSR leave the
 * destination unchanged when the source is 0 (ZF=1), like Intel CPUs.
 */
#include "cpu-x86/gen.h"

enum { BT_TEST, BT_SET, BT_RESET, BT_COMP };

static void gen_bt(DisasContext *s, int kind)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0), bits = sz * 8, lg = sz == 4 ? 5 : 4;
    const cs_x86_op *o1 = op_get(s, 1);
    bool mem = op_is_mem(s, 0);
    IRTemp bit, lin = IR_NO_TEMP, val, cf, e;

    if (o1->type == X86_OP_IMM) {
        bit = ir_movi(b, (uint32_t)o1->imm & (uint32_t)(bits - 1));
        if (mem) {
            lin = gen_ea(s, 0);
        }
    } else {
        IRTemp off = gen_ld_op(s, 1);
        if (mem) {
            IRTemp so = gen_sext(s, sz, off);
            IRTemp byteoff = ir_binop(b, IR_SHL, ir_binop(b, IR_SAR, so, ir_movi(b, lg)),
                                      ir_movi(b, sz == 4 ? 2 : 1));
            lin = gen_ea_plus(s, 0, byteoff);
        }
        bit = ir_and(b, off, ir_movi(b, bits - 1));
    }
    val = mem ? gen_ld(s, sz, lin) : gen_ld_op(s, 0);
    cf = ir_and(b, ir_binop(b, IR_SHR, val, bit), ir_movi(b, 1));
    if (kind != BT_TEST) {
        IRTemp m = ir_binop(b, IR_SHL, ir_movi(b, 1), bit);
        IRTemp nv = kind == BT_SET ? ir_or(b, val, m)
                  : kind == BT_RESET ? ir_and(b, val, ir_unop(b, IR_NOT, m))
                  : ir_xor(b, val, m);
        if (mem) {
            gen_st(s, sz, lin, nv);
        } else {
            gen_st_op(s, 0, nv);
        }
    }
    e = gen_cc_all(s);
    gen_set_cc_eflags(s, ir_or(b, ir_and(b, e, ir_movi(b, ~CC_C)), cf));
}

void gen_BT(DisasContext *s)  { gen_bt(s, BT_TEST); }
void gen_BTS(DisasContext *s) { gen_bt(s, BT_SET); }
void gen_BTR(DisasContext *s) { gen_bt(s, BT_RESET); }
void gen_BTC(DisasContext *s) { gen_bt(s, BT_COMP); }

static void gen_bitscan(DisasContext *s, HelperId h)
{
    IRBlock *b = s->ir;
    int sz = op_size(s, 0);
    IRTemp v = gen_ld_op(s, 1);
    IRTemp idx = gen_helper(s, h, 1, v);
    IRTemp z = ir_binop(b, IR_SETEQ, v, ir_movi(b, 0));
    IRTemp old = gen_ld_op(s, 0);
    IRTemp m = ir_unop(b, IR_NEG, z);
    IRTemp r = ir_xor(b, idx, ir_and(b, ir_xor(b, idx, old), m));   /* z ? old : idx */
    gen_st_op(s, 0, r);
    gen_set_cc_eflags(s, gen_helper(s, HELPER_bitscan_cc, 2, v, gen_zext(s, sz, r)));
}

void gen_BSF(DisasContext *s) { gen_bitscan(s, HELPER_bsf); }
void gen_BSR(DisasContext *s) { gen_bitscan(s, HELPER_bsr); }

void gen_BSWAP(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp v, r;

    if (s->opsize == 2) {
        /* 66 0F C8+r: undefined by the SDM; Intel CPUs clear the low word */
        gen_set_gpr(s, s->x86->opcode[1] & 7, 2, ir_movi(b, 0));
        return;
    }
    v = gen_ld_op(s, 0);
    r = ir_or(b,
              ir_or(b, ir_binop(b, IR_SHR, v, ir_movi(b, 24)),
                    ir_and(b, ir_binop(b, IR_SHR, v, ir_movi(b, 8)), ir_movi(b, 0xff00))),
              ir_or(b, ir_and(b, ir_binop(b, IR_SHL, v, ir_movi(b, 8)), ir_movi(b, 0xff0000)),
                    ir_binop(b, IR_SHL, v, ir_movi(b, 24))));
    gen_st_op(s, 0, r);
}
