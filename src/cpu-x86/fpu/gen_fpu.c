/*
 * gen_fpu.c - emitters of the x87 instructions (insn_table_fpu.inc).
 *
 * Every x87 instruction is one call of helper_x87 (fpu/helpers_fpu.c):
 * the emitter finds the escape byte (D8-DF) and its ModRM in the raw
 * bytes, which give the 11-bit FOP that both names the operation and is
 * the architectural opcode register, computes the linear address of a
 * memory operand (unchecked: helper_x87 does the segment limit and type
 * check after its #NM test, which has priority), and passes the segment
 * (for the check and FDS/FDP) and the operand size (environment formats)
 * packed with X87_ARG(), and what x87_classify() says of the FOP on this
 * CPU model (#UD, no-wait, control instruction).  Extras: FCMOVcc
 * passes its condition (gen_cond), the FCOMI family flushes the lazy
 * flags first (the helper writes EFLAGS as CC_OP_EFLAGS), FNSTSW AX
 * writes the returned status word to AX.  FXSAVE/FXRSTOR are one helper.
 *
 * The IR per x87 instruction is therefore an address computation and one
 * call; blocks are not ended (the helper checks CR0.EM/TS and pending
 * exceptions at run time).
 */
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/gen.h"
#include "cpu-x86/fpu/fpu.h"

/* index of the memory operand, or -1 */
static int x87_mem_index(DisasContext *s)
{
    for (int i = 0; i < op_count(s); i++)
        if (op_is_mem(s, i))
            return i;
    return -1;
}

/* FCMOVcc condition (x86 cc 0-15) of DA/DB C0-DF */
static int x87_fcmov_cc(unsigned esc, unsigned modrm)
{
    static const int cc[2][4] = {
        { 2, 4, 6, 10 },        /* DA: B, E, BE, U (PF=1) */
        { 3, 5, 7, 11 },        /* DB: NB, NE, NBE, NU */
    };
    return cc[esc - 2][(modrm >> 3) & 3];
}

void gen_X87(DisasContext *s)
{
    const uint8_t *b = s->insn->bytes;
    int n = s->insn->size, k = 0, seg = R_DS, mi;
    unsigned esc, modrm, fop;
    IRTemp lin, cond;

    while (k < n && (b[k] < 0xd8 || b[k] > 0xdf)) {
        if (b[k] == 0x9b)                   /* a WAIT folded into the insn */
            gen_helper(s, HELPER_fwait, 0);
        k++;
    }
    if (k + 1 >= n) {
        gen_ud(s);
        return;
    }
    esc = b[k] & 7;
    modrm = b[k + 1];
    fop = esc << 8 | modrm;
    if (modrm < 0xc0) {
        mi = x87_mem_index(s);
        if (mi < 0) {
            gen_ud(s);
            return;
        }
        lin = gen_ea_access(s, mi, 0, false);   /* checked by the helper, after #NM */
        seg = op_seg(s, mi);
    } else {
        lin = ir_movi(s->ir, 0);
    }
    if ((esc == 2 || esc == 3) && modrm >= 0xc0 && modrm < 0xe0)
        cond = gen_cond(s, x87_fcmov_cc(esc, modrm));
    else
        cond = ir_movi(s->ir, 0);
    if ((esc == 3 || esc == 7) && modrm >= 0xe8 && modrm < 0xf8)
        gen_flush_flags(s);                 /* FCOMI family writes EFLAGS */
    IRTemp r = gen_helper(s, HELPER_x87, 3,
                          ir_movi(s->ir, X87_ARG(fop, seg, s->opsize == 4) |
                                         x87_classify(s->env, fop)),
                          lin, cond);
    if (fop == 0x7e0)                       /* FNSTSW AX */
        gen_set_gpr(s, R_EAX, 2, r);
}

/* WAIT / FWAIT */
void gen_X87_WAIT(DisasContext *s)
{
    gen_helper(s, HELPER_fwait, 0);
}

/* FXSAVE / FXRSTOR m512byte; table arg 0 save, 1 restore; the segment
 * goes to the helper for its limit check (after #NM) */
void gen_X87_FXSAVE(DisasContext *s)
{
    int mi = x87_mem_index(s);

    if (mi < 0) {
        gen_ud(s);
        return;
    }
    gen_helper(s, HELPER_x87_fxsave, 2, ir_movi(s->ir, s->info->arg | (uint32_t)op_seg(s, mi) << 4),
               gen_ea(s, mi));
}
