/*
 * intr_pm.c - protected-mode delivery of interrupts and exceptions through
 * the IDT (SDM vol. 3 6.10-6.13, vol. 2 "INT n" pseudo-code), called by
 * excp_deliver() in excp.c for every vector once CR0.PE is set.
 *
 * Checks, in the SDM's order, with error codes carrying the EXT bit (set
 * for hardware interrupts and exceptions, clear for INT n/INT3/INTO):
 * vector within the IDT limit and a task, interrupt or trap gate
 * (#GP(vector*8+2+EXT)); for software interrupts gate DPL >= CPL
 * (#GP(vector*8+2)); gate present (#NP(vector*8+2+EXT)); then the target
 * code segment (#GP/#NP(selector+EXT)).  Interrupt and trap gates (16- and
 * 32-bit) run the handler at the same level, or at an inner level with the
 * stack from the TSS (#TS/#SS on a bad new stack); from virtual-8086 mode
 * only a ring-0 non-conforming handler is allowed, and GS/FS/DS/ES are
 * pushed and then nulled.  Task gates go to task_switch() (task.c), which
 * also receives the error code.
 */
#include <glib.h>
#include "cpu-x86/seg.h"
#include "cpu-x86/task.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/mem.h"

void intr_pm_deliver(CPUState *env, int vector, bool is_sw, bool is_hw, bool has_error,
                     uint32_t error_code, uint32_t next_eip)
{
    uint32_t ext = is_sw ? 0 : 1;
    uint32_t err_idt = (uint32_t)vector * 8 + 2 + ext;
    uint32_t a = env->idt.base + (uint32_t)vector * 8, off, fl, cerr, nesp;
    int cpl = cpu_cpl(env), type, dpl, gsize;
    bool vm86 = (env->eflags & VM_MASK) != 0;
    uint16_t csel, nss;
    SegStack st;
    Desc g, cd, sd;

    (void)is_hw;
    if ((uint32_t)vector * 8 + 7 > env->idt.limit)
        raise_exception(env, EXCP_GP, err_idt);
    g.lo = cpu_ld32_kernel(env, a);
    g.hi = cpu_ld32_kernel(env, a + 4);
    type = desc_type(g);
    if (!desc_is_system(g) || (type != 5 && type != 6 && type != 7 && type != 14 && type != 15))
        raise_exception(env, EXCP_GP, err_idt);
    if (is_sw && desc_dpl(g) < cpl)
        raise_exception(env, EXCP_GP, err_idt);
    if (!desc_present(g))
        raise_exception(env, EXCP_NP, err_idt);

    if (type == 5) {                                    /* task gate */
        task_switch(env, (uint16_t)(g.lo >> 16), TASK_FROM_INT, next_eip);
        if (has_error)
            task_push_error_code(env, error_code);
        return;
    }

    /* interrupt or trap gate: the handler's code segment */
    csel = (uint16_t)(g.lo >> 16);
    off = (g.lo & 0xffff) | ((type & 8) ? (g.hi & 0xffff0000u) : 0);
    gsize = (type & 8) ? 4 : 2;
    cerr = (csel & 0xfffc) | ext;
    if ((csel & 0xfffc) == 0)
        raise_exception(env, EXCP_GP, ext);
    if (!seg_read_desc(env, csel, &cd))
        raise_exception(env, EXCP_GP, cerr);
    dpl = desc_dpl(cd);
    if (desc_is_system(cd) || !(cd.hi & DESC_CODE_BIT) || dpl > cpl)
        raise_exception(env, EXCP_GP, cerr);
    if (!desc_present(cd))
        raise_exception(env, EXCP_NP, cerr);
    fl = cpu_compute_eflags(env);

    if (!(cd.hi & DESC_CE_BIT) && dpl < cpl) {
        /* inner privilege: new stack from the TSS */
        if (vm86 && dpl != 0)
            raise_exception(env, EXCP_GP, cerr);
        seg_tss_stack(env, dpl, ext, &nss, &nesp);
        seg_check_ss(env, nss, dpl, EXCP_TS, ext, &sd);
        seg_stack_init(&st, desc_base(sd), desc_limit(sd), sd.hi & 0x00ffff00u, nesp, dpl,
                       (nss & 0xfffc) | ext);
        if (vm86) {
            seg_stack_push(env, &st, gsize, env->seg[R_GS].selector);
            seg_stack_push(env, &st, gsize, env->seg[R_FS].selector);
            seg_stack_push(env, &st, gsize, env->seg[R_DS].selector);
            seg_stack_push(env, &st, gsize, env->seg[R_ES].selector);
        }
        seg_stack_push(env, &st, gsize, env->seg[R_SS].selector);
        seg_stack_push(env, &st, gsize, env->regs[R_ESP]);
    } else {
        if (vm86)
            raise_exception(env, EXCP_GP, cerr);        /* v8086 needs a ring-0 handler */
        const SegmentCache *ss = &env->seg[R_SS];
        seg_stack_init(&st, ss->base, ss->limit, ss->flags, env->regs[R_ESP], cpl, ext);
        dpl = cpl;
        nss = 0;
        nesp = env->regs[R_ESP];
        sd.lo = sd.hi = 0;
    }
    seg_stack_push(env, &st, gsize, fl);
    seg_stack_push(env, &st, gsize, env->seg[R_CS].selector);
    seg_stack_push(env, &st, gsize, next_eip);
    if (has_error)
        seg_stack_push(env, &st, gsize, error_code);
    if (gsize == 2)
        off &= 0xffff;
    if (off > desc_limit(cd))
        raise_exception(env, EXCP_GP, ext);

    /* commit */
    if (nss) {
        seg_set_accessed(env, nss, &sd);
        seg_cache_load(&env->seg[R_SS], nss, sd);
    }
    env->regs[R_ESP] = (nesp & ~st.mask) | (st.sp & st.mask);
    env->eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1))
        env->eflags &= ~IF_MASK;                        /* interrupt gate */
    if (vm86) {
        static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
        for (unsigned i = 0; i < G_N_ELEMENTS(segs); i++) {
            SegmentCache *sc = &env->seg[segs[i]];
            sc->selector = 0;
            sc->base = 0;
            sc->limit = 0;
            sc->flags = 0;
        }
    }
    seg_load_cs(env, csel, cd, dpl);
    env->eip = off;
}
