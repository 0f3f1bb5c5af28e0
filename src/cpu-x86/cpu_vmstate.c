/*
 * cpu_vmstate.c - the saved state of the x86 CPU (bus/vmstate.h): the
 * architectural registers, the x87/MMX/SSE state, the MSRs and the
 * between-instructions bookkeeping of the CPU loop.  Not saved: the
 * wiring (buses, hooks, the interrupt controller's callbacks), the model
 * (the command line gives it), the TLB and the translated code (rebuilt:
 * post_load flushes both through dbg_dirty).  docs/savevm.md.
 *
 *   machine_register_state(m, &cpu_vmsd, &m->cpu);
 */
#include "cpu-x86/cpu.h"
#include "cpu-x86/debug.h"
#include "mmu/mmu.h"
#include "bus/vmstate.h"

static const VMStateField seg_fields[] = {
    VMS_U32(SegmentCache, base, 1),
    VMS_U32(SegmentCache, limit, 1),
    VMS_U32(SegmentCache, flags, 1),
    VMS_U16(SegmentCache, selector, 1),
    VMS_END
};
static const VMStateDesc seg_vmsd = { .name = "segment", .version = 1, .min_version = 1,
                                      .fields = seg_fields };

static const VMStateField dt_fields[] = {
    VMS_U32(DescTable, base, 1),
    VMS_U32(DescTable, limit, 1),
    VMS_END
};
static const VMStateDesc dt_vmsd = { .name = "desc-table", .version = 1, .min_version = 1,
                                     .fields = dt_fields };

static const VMStateField f80_fields[] = {
    VMS_U64(Float80, mant, 1),
    VMS_U16(Float80, se, 1),
    VMS_END
};
static const VMStateDesc f80_vmsd = { .name = "float80", .version = 1, .min_version = 1,
                                      .fields = f80_fields };

static const VMStateField cpu_fields[] = {
    VMS_INT_ARRAY(CPUState, regs, 1),
    VMS_U32(CPUState, eip, 1),
    VMS_U32(CPUState, eflags, 1),
    VMS_U32(CPUState, cc_op, 1),
    VMS_U32(CPUState, cc_dst, 1),
    VMS_U32(CPUState, cc_src, 1),
    VMS_U32(CPUState, cc_src2, 1),
    VMS_U32(CPUState, df, 1),
    VMS_U32(CPUState, hflags, 1),
    VMS_U32(CPUState, a20_mask, 1),
    VMS_STRUCT_ARRAY(CPUState, seg, seg_vmsd, 1),
    VMS_INT_ARRAY(CPUState, cr, 1),
    VMS_INT_ARRAY(CPUState, dr, 1),
    VMS_STRUCT(CPUState, gdt, dt_vmsd, 1),
    VMS_STRUCT(CPUState, idt, dt_vmsd, 1),
    VMS_STRUCT(CPUState, ldt, seg_vmsd, 1),
    VMS_STRUCT(CPUState, tr, seg_vmsd, 1),
    VMS_U32(CPUState, halted, 1),
    VMS_U32(CPUState, interrupt_request, 1),
    VMS_U32(CPUState, nmi_blocked, 1),
    VMS_I32(CPUState, exception_index, 1),
    VMS_U32(CPUState, error_code, 1),
    VMS_I32(CPUState, old_exception, 1),
    VMS_U32(CPUState, exception_has_error, 1),
    VMS_U64(CPUState, icount, 1),
    VMS_U64(CPUState, tsc_offset, 1),
    VMS_U64(CPUState, msr_sysenter_cs, 1),
    VMS_U64(CPUState, msr_sysenter_esp, 1),
    VMS_U64(CPUState, msr_sysenter_eip, 1),
    VMS_U32(CPUState, cpuid_level, 1),
    VMS_U64(CPUState, efer, 1),
    VMS_INT_ARRAY(CPUState, pdpte, 1),
    VMS_U32(CPUState, dbg_pending, 1),
    VMS_U32(CPUState, shadow_ss, 1),
    VMS_U8(CPUState, excp_event, 1),
    VMS_U8(CPUState, excp_sw_int, 1),
    VMS_U64(CPUState, tsc_last, 1),
    VMS_U64(CPUState, msr_apic_base, 1),
    VMS_U64(CPUState, msr_mtrr_def_type, 1),
    VMS_INT_ARRAY(CPUState, msr_mtrr_fixed, 1),
    VMS_INT_ARRAY(CPUState, msr_mtrr_var, 1),
    VMS_U64(CPUState, msr_pat, 1),
    VMS_U64(CPUState, msr_misc_enable, 1),
    VMS_INT_ARRAY(CPUState, msr_perfevtsel, 1),
    VMS_INT_ARRAY(CPUState, msr_pmc, 1),
    VMS_STRUCT_ARRAY(CPUState, fpu_st, f80_vmsd, 1),
    VMS_U16(CPUState, fpu_fcw, 1),
    VMS_U16(CPUState, fpu_fsw, 1),
    VMS_U8(CPUState, fpu_top, 1),
    VMS_U8(CPUState, fpu_valid, 1),
    VMS_U16(CPUState, fpu_fop, 1),
    VMS_U32(CPUState, fpu_fip, 1),
    VMS_U32(CPUState, fpu_fdp, 1),
    VMS_U16(CPUState, fpu_fcs, 1),
    VMS_U16(CPUState, fpu_fds, 1),
    VMS_U32(CPUState, fpu_mxcsr, 1),
    VMS_BOOL(CPUState, fpu_ferr, 1),
    VMS_BYTES(CPUState, xmm, 1),
    VMS_END
};

/* the loaded values must not break the CPU loop's own invariants; the
 * rest is guest state and any value is one the guest could have made
 * (or fails in the guest as on hardware) */
static bool cpu_post_load(void *opaque, int version, GError **errp)
{
    CPUState *env = opaque;
    if (env->cc_op >= CC_OP_NB || (env->df != 1 && env->df != 0xffffffffu) ||
        env->fpu_top > 7 || (env->a20_mask != 0xffffffffu && env->a20_mask != 0xffefffffu) ||
        env->exception_index < -1 || env->exception_index > EXCP_TRIPLE_FAULT) {
        g_set_error(errp, VMSTATE_ERROR, 0, "cpu: inconsistent state (cc_op %u, df %#x, "
                    "TOP %u, A20 mask %#x, exception %d)", env->cc_op, env->df, env->fpu_top,
                    env->a20_mask, env->exception_index);
        return false;
    }
    env->interrupt_request &= CPU_INTERRUPT_HARD | CPU_INTERRUPT_NMI;
    env->exit_request = 0;
    env->code_dirty = 0;
    env->icount_left = env->icount_left0 = 0;
    debug_update(env);              /* dbg_flags from DR7 and the gdb stub's */
    env->dbg_dirty = 1;             /* the loop flushes the TLB and the blocks */
    tlb_flush_all(&env->tlb);
    return true;
}

const VMStateDesc cpu_vmsd = {
    .name = "cpu", .version = 1, .min_version = 1,
    .fields = cpu_fields, .post_load = cpu_post_load,
};
