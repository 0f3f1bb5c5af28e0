/*
 * gen_prot.c - front-end side of protection: the segment limit and type
 * checks of data accesses (used by translate.c's operand plumbing) and the
 * emitters of LAR, LSL, VERR, VERW and ARPL.
 *
 * Data access checks depend on the segment's class, two bits per segment
 * in the block's hflags (SEG_CLS_* in seg.h, computed by seg_hflags() in
 * cpu_update_hflags()):
 *   FLAT   base 0, 4 GiB, writable: nothing emitted, no base addition;
 *   UP     expand-up: inline  if (limit < off + size - 1) seg_fault(seg);
 *          with 32-bit offsets also "|| limit < off", which catches an
 *          access wrapping past 4 GiB (seg_offset_ok's rule: it faults
 *          unless the limit is 4 GiB).  Exact because every limit below
 *          4 GiB is at most 0xFFFFEFFF (above 0xFFFFF, G=1 sets the low 12
 *          bits) and accesses are at most 4 KiB: a wrapping offset is then
 *          always above the limit;
 *   UP_RO  as UP for reads, a write is an unconditional seg_fault;
 *   SLOW   null selector, execute-only code, expand-down: helper_seg_check
 *          does the whole SDM check (seg.c).
 * seg_fault raises #SS(0) for SS and #GP(0) for the others.  A segment load
 * that changes the classes ends the block (gen_prot_end_if_hflags_changed),
 * since hflags are part of the block key.
 */
#include <stddef.h>
#include "cpu-x86/gen_sys.h"
#include "cpu-x86/gen.h"
#include "cpu-x86/seg.h"

#define ENV_OFF(field) ((uint32_t)offsetof(CPUState, field))
#define SEG_LIMIT_OFF(seg) ((uint32_t)(offsetof(CPUState, seg) + (seg) * sizeof(SegmentCache) \
                                       + offsetof(SegmentCache, limit)))

void gen_seg_check(DisasContext *s, int seg, IRTemp off, int size, bool write, bool wide)
{
    IRBlock *b = s->ir;
    int cls = seg_hf_class(s->hflags, seg);
    IRTemp limit, bad;
    uint32_t ok;

    if (size < 1)
        size = 1;
    if (cls == SEG_CLS_FLAT)
        return;
    gen_sync_eip(s);                    /* before any branch (frontend.h) */
    if (cls == SEG_CLS_SLOW) {
        gen_helper(s, HELPER_seg_check, 2, ir_movi(b, SEG_CHECK_ARG(seg, size, write)), off);
        return;
    }
    if (write && cls == SEG_CLS_UP_RO) {
        gen_helper(s, HELPER_seg_fault, 1, ir_movi(b, (uint32_t)seg));
        return;
    }
    limit = ir_ld_env(b, SEG_LIMIT_OFF(seg));
    bad = ir_binop(b, IR_SETLTU, limit,
                   size > 1 ? ir_add(b, off, ir_movi(b, (uint32_t)size - 1)) : off);
    if (wide && size > 1)               /* off + size - 1 may wrap past 4 GiB */
        bad = ir_or(b, bad, ir_binop(b, IR_SETLTU, limit, off));
    ok = ir_new_label(b);
    ir_brz(b, bad, ok);
    gen_helper(s, HELPER_seg_fault, 1, ir_movi(b, (uint32_t)seg));
    ir_label(b, ok);
}

IRTemp gen_seg_addr(DisasContext *s, int seg, IRTemp off, int size, bool write, bool wide)
{
    if (seg_hf_class(s->hflags, seg) == SEG_CLS_FLAT)
        return off;
    gen_seg_check(s, seg, off, size, write, wide);
    return ir_add(s->ir, off, gen_seg_base(s, seg));
}

void gen_prot_end_if_hflags_changed(DisasContext *s)
{
    IRBlock *b = s->ir;
    uint32_t same = ir_new_label(b);
    IRTemp hf = ir_and(b, ir_ld_env(b, ENV_OFF(hflags)), ir_movi(b, HF_SEG_MASK));

    ir_brz(b, ir_binop(b, IR_SETNE, hf, ir_movi(b, s->hflags & HF_SEG_MASK)), same);
    ir_st_env(b, ENV_OFF(eip), gen_eip(s, s->next_pc));
    ir_exit_after(b, (uint32_t)s->insn_idx + 1);
    ir_label(b, same);
}

/* ------------------------------------------------------------------ */
/* LAR, LSL, VERR, VERW, ARPL: protected mode only (#UD otherwise)     */

static bool prot_pm_only(DisasContext *s)
{
    if (!(s->hflags & HF_PE) || (s->hflags & HF_VM)) {
        gen_ud(s);
        return false;
    }
    return true;
}

static IRTemp prot_selector(DisasContext *s, int idx)
{
    return ir_unop(s->ir, IR_EXT16U, gen_ld_op(s, idx));
}

/* LAR / LSL r, r/m16: the helper returns the new value (the old one when
 * ZF = 0) and sets ZF */
static void gen_lar_lsl(DisasContext *s, HelperId h)
{
    IRTemp old, v;

    if (!prot_pm_only(s))
        return;
    old = gen_ld_op(s, 0);
    v = gen_helper(s, h, 2, prot_selector(s, 1), old);
    gen_st_op(s, 0, v);
}

void gen_LAR(DisasContext *s) { gen_lar_lsl(s, HELPER_lar); }
void gen_LSL(DisasContext *s) { gen_lar_lsl(s, HELPER_lsl); }

void gen_VERR(DisasContext *s)
{
    if (prot_pm_only(s))
        gen_helper(s, HELPER_verr, 1, prot_selector(s, 0));
}

void gen_VERW(DisasContext *s)
{
    if (prot_pm_only(s))
        gen_helper(s, HELPER_verw, 1, prot_selector(s, 0));
}

/* ARPL r/m16, r16: raise the destination's RPL to the source's; ZF says
 * whether it changed, other flags are kept.  The destination is always
 * written back (same value when unchanged). */
void gen_ARPL(DisasContext *s)
{
    IRBlock *b = s->ir;
    IRTemp d, r, drpl, rrpl, lt, mask, nd, e;

    if (!prot_pm_only(s))
        return;
    d = ir_unop(b, IR_EXT16U, gen_ld_op(s, 0));
    r = gen_ld_op(s, 1);
    drpl = ir_and(b, d, ir_movi(b, 3));
    rrpl = ir_and(b, r, ir_movi(b, 3));
    lt = ir_binop(b, IR_SETLTU, drpl, rrpl);
    mask = ir_unop(b, IR_NEG, lt);                       /* all ones when adjusting */
    nd = ir_xor(b, d, ir_and(b, ir_xor(b, drpl, rrpl), mask));
    gen_st_op(s, 0, nd);
    e = gen_cc_all(s);
    e = ir_or(b, ir_and(b, e, ir_movi(b, ~CC_Z)), ir_binop(b, IR_SHL, lt, ir_movi(b, 6)));
    gen_set_cc_eflags(s, e);
}
