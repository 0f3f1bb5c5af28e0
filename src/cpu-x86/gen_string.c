/*
 * gen_string.c - emitters for MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS.
 *
 * Each instruction is one helper call (helpers_string.c) given the element
 * size, address size, REP kind and source segment packed by STR_ARG.  The
 * element size is 1 for the B forms (table arg 1) and the prefix-derived
 * operand size otherwise: Capstone 4 loses 0x66 next to a REP prefix
 * (66 F3 A5 shows as "rep movsd", it is rep movsw), so its id is only
 * trusted for byte versus not-byte.  With a REP prefix the helper returns
 * the eip to go on at (the instruction itself while ECX != 0) and the
 * block ends there, so long loops are interruptible.  INS/OUTS also end
 * the block so device side effects are seen in order.
 *
 * MOVSD and CMPSD share their Capstone ids with the SSE2 instructions
 * (F2 0F 10, F2 0F C2): those are recognised by the 0F opcode; MOVSD xmm
 * and CMPSD xmm go to the SIMD emitter (sse/gen_simd.c).
 */
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/gen.h"
#include "cpu-x86/sse/simd.h"

static void gen_string(DisasContext *s, HelperId h, bool is_io)
{
    int size = s->info->arg == 1 ? 1 : s->opsize;
    int seg = s->seg_override >= 0 ? s->seg_override : R_DS;
    uint32_t p;
    IRTemp next;

    if (s->x86->opcode[0] == 0x0f) {
        /* SSE2 movsd xmm (F2 0F 10/11), cmpsd xmm (F2 0F C2) */
        if (h == HELPER_movs || h == HELPER_cmps)
            gen_simd_op(s, h == HELPER_movs ? SOP_MOVSD : SOP_CMPSD);
        else
            gen_ud(s);
        return;
    }
    p = STR_ARG(size, s->addrsize == 4, s->rep, seg);
    next = gen_helper(s, h, 2, ir_movi(s->ir, p), gen_eip(s, s->next_pc));
    if (s->rep != REP_NONE)
        gen_jmp_temp(s, next);
    else if (is_io)
        s->is_jmp = DISAS_STOP;
}

void gen_MOVS(DisasContext *s) { gen_string(s, HELPER_movs, false); }
void gen_CMPS(DisasContext *s) { gen_string(s, HELPER_cmps, false); }
void gen_SCAS(DisasContext *s) { gen_string(s, HELPER_scas, false); }
void gen_LODS(DisasContext *s) { gen_string(s, HELPER_lods, false); }
void gen_STOS(DisasContext *s) { gen_string(s, HELPER_stos, false); }
void gen_INS(DisasContext *s)  { gen_string(s, HELPER_ins, true); }
void gen_OUTS(DisasContext *s) { gen_string(s, HELPER_outs, true); }
