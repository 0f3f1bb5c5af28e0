/*
 * helpers_sys.c - system instructions done in C: segment loads, far
 * control transfers, INT/IRET, ENTER/PUSHA/POPA, port I/O, CPUID, RDTSC,
 * HLT, CLI/STI, CMPXCHG8B, descriptor-table and control registers.
 *
 * Called from generated code (rows in helpers.def, emitters in
 * gen_system.c).  Each helper runs with env->eip at its instruction; it
 * does every check and every memory access that may fault before it
 * writes architectural state, so a fault leaves the instruction
 * restartable.  Helpers that change eip themselves (far jumps, INT, IRET)
 * are followed by an unchained block exit.
 *
 * Segment loads and descriptor checks are seg.c, far transfers through
 * call gates and privilege changes farctl.c, task switches task.c,
 * protected-mode interrupt delivery intr_pm.c (docs/cpu.md).
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/fpu/fpu.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/seg.h"
#include "cpu-x86/farctl.h"
#include "cpu-x86/v86.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/msr.h"
#include "cpu-x86/iopl.h"
#include "bus/ioport.h"
#include "cpu-x86/mem.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* segment loads and far control transfers (protected mode: seg.c,    */
/* farctl.c)                                                           */

static bool cpu_pm(const CPUState *env)
{
    return (env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK);
}

void helper_load_seg(CPUState *env, uint32_t seg, uint32_t sel)
{
    seg_load(env, (int)seg, (uint16_t)sel);
    if (seg == R_SS)
        env->hflags |= HF_INHIBIT_IRQ;
}

uint32_t helper_lseg(CPUState *env, uint32_t packed, uint32_t addr)
{
    int seg = packed & 7, opsize = (packed >> 8) & 7;
    uint32_t off = opsize == 4 ? cpu_ld32(env, addr) : cpu_ld16(env, addr);
    uint32_t sel = cpu_ld16(env, addr + opsize);

    seg_load(env, seg, (uint16_t)sel);
    return off;
}

void helper_far_jmp(CPUState *env, uint32_t sel, uint32_t offset, uint32_t opsize,
                    uint32_t next_eip)
{
    sel &= 0xffff;
    if (opsize == 2)
        offset &= 0xffff;
    if (!cpu_pm(env)) {
        if (offset > env->seg[R_CS].limit)
            raise_exception(env, EXCP_GP, 0);
        cpu_load_seg_real(env, R_CS, (uint16_t)sel);
        cpu_update_hflags(env);
        env->eip = offset;
        return;
    }
    far_jmp_pm(env, (uint16_t)sel, offset, (int)opsize, next_eip);
}

void helper_far_call(CPUState *env, uint32_t sel, uint32_t offset, uint32_t opsize,
                     uint32_t next_eip)
{
    SegStack st;

    sel &= 0xffff;
    if (opsize == 2)
        offset &= 0xffff;
    if (cpu_pm(env)) {
        far_call_pm(env, (uint16_t)sel, offset, (int)opsize, next_eip);
        return;
    }
    seg_stack_cur(env, &st);
    seg_stack_push(env, &st, (int)opsize, env->seg[R_CS].selector);
    seg_stack_push(env, &st, (int)opsize, next_eip);
    if (offset > env->seg[R_CS].limit)
        raise_exception(env, EXCP_GP, 0);
    seg_stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, (uint16_t)sel);
    cpu_update_hflags(env);
    env->eip = offset;
}

/* real mode: SDM "RET": #GP(0) if the popped IP is beyond the CS limit
 * (which real-mode CS loads keep) */
void helper_retf(CPUState *env, uint32_t opsize, uint32_t imm)
{
    SegStack st;
    uint32_t eip, sel;

    if (cpu_pm(env)) {
        far_ret_pm(env, (int)opsize, imm);
        return;
    }
    seg_stack_cur(env, &st);
    eip = seg_stack_pop(env, &st, (int)opsize);
    sel = seg_stack_pop(env, &st, (int)opsize) & 0xffff;
    if (eip > env->seg[R_CS].limit)
        raise_exception(env, EXCP_GP, 0);
    st.sp += imm;
    seg_stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, (uint16_t)sel);
    cpu_update_hflags(env);
    env->eip = eip;
}

void helper_iret(CPUState *env, uint32_t opsize, uint32_t next_eip)
{
    SegStack st;
    uint32_t eip, sel, fl, mask;

    /* every IRET ends NMI blocking, even one that then faults (SDM vol. 3,
     * 6.7.1); a pending NMI is taken at the loop, as IRET leaves the block */
    env->nmi_blocked = 0;
    if (env->cr[0] & CR0_PE) {
        iret_pm(env, (int)opsize, next_eip);     /* also v8086 mode */
        return;
    }
    seg_stack_cur(env, &st);
    eip = seg_stack_pop(env, &st, (int)opsize);
    sel = seg_stack_pop(env, &st, (int)opsize) & 0xffff;
    fl = seg_stack_pop(env, &st, (int)opsize);
    if (eip > env->seg[R_CS].limit)
        raise_exception(env, EXCP_GP, 0);   /* SDM "IRET", real-address mode */
    mask = 0x257fd5u;   /* everything but VM, VIF, VIP and reserved bits */
    if (opsize == 2)
        mask &= 0xffff;
    seg_stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, (uint16_t)sel);
    env->eip = eip;
    cpu_load_eflags(env, fl, mask);
    cpu_update_hflags(env);
}

/* ------------------------------------------------------------------ */
/* software interrupts                                                 */

static void int_deliver(CPUState *env, int vector, bool is_sw, uint32_t next_eip)
{
    if (env->stop_on_exception) {
        /* test harness: report it like the trap it is (eip = next) */
        env->eip = next_eip;
        raise_exception_noerr(env, vector);
    }
    cpu_do_interrupt(env, vector, is_sw, false, 0, next_eip);
}

/* INT n (vector) and INT3 (vector | 0x100: not IOPL-sensitive in v8086) */
void helper_int_sw(CPUState *env, uint32_t vector, uint32_t next_eip)
{
    if ((env->eflags & VM_MASK) && !(vector & 0x100) && !env->stop_on_exception &&
        v86_int_sw(env, (int)(vector & 0xff), next_eip))
        return;             /* redirected by VME (v86.c); #GP(0) if IOPL < 3 */
    int_deliver(env, (int)(vector & 0xff), true, next_eip);
}

void helper_into(CPUState *env, uint32_t next_eip)
{
    if (cpu_compute_eflags(env) & CC_O)
        int_deliver(env, EXCP_OF, true, next_eip);
    else
        env->eip = next_eip;
}

void helper_int1(CPUState *env, uint32_t next_eip)
{
    excp_soft_int(env, EXCP_DB, false, next_eip);     /* excp.c: not IOPL-sensitive */
}

/* ------------------------------------------------------------------ */
/* stack frames                                                        */

/* ENTER: the copied frame pointers are read through SS:EBP and the final
 * ESP must address an operand-size slot inside the stack (SDM "ENTER":
 * #SS(0) if the new ESP is outside the limit) */
void helper_enter(CPUState *env, uint32_t alloc, uint32_t level, uint32_t opsize)
{
    SegStack st;
    uint32_t frame, ebp = env->regs[R_EBP];
    int i, sz = (int)opsize;

    level &= 31;
    seg_stack_cur(env, &st);
    seg_stack_push(env, &st, sz, ebp);
    frame = (env->regs[R_ESP] & ~st.mask) | (st.sp & st.mask);   /* ESP as pushed */
    if (level > 0) {
        for (i = 1; i < (int)level; i++) {
            SegStack link = st;
            ebp -= sz;
            link.sp = ebp;
            seg_stack_push(env, &st, sz, seg_stack_pop(env, &link, sz));
        }
        seg_stack_push(env, &st, sz, frame);
    }
    st.sp -= alloc & 0xffff;
    seg_stack_probe(env, &st, sz);
    seg_stack_commit(env, &st);
    cpu_set_reg(env, R_EBP, sz, frame);     /* BP or EBP by operand size */
}

void helper_pusha(CPUState *env, uint32_t opsize)
{
    SegStack st;
    uint32_t esp = env->regs[R_ESP];
    int i;

    seg_stack_cur(env, &st);
    for (i = R_EAX; i <= R_EDI; i++)
        seg_stack_push(env, &st, (int)opsize, i == R_ESP ? esp : env->regs[i]);
    seg_stack_commit(env, &st);
}

void helper_popa(CPUState *env, uint32_t opsize)
{
    SegStack st;
    uint32_t v[8];
    int i;

    seg_stack_cur(env, &st);
    for (i = R_EDI; i >= R_EAX; i--)
        v[i] = seg_stack_pop(env, &st, (int)opsize);
    for (i = R_EAX; i <= R_EDI; i++)
        if (i != R_ESP)
            cpu_set_reg(env, i, (int)opsize, v[i]);
    seg_stack_commit(env, &st);
}

/* ------------------------------------------------------------------ */
/* port I/O                                                            */

void cpu_check_io(CPUState *env, uint32_t port, int size)
{
    iopl_check_io(env, port, size);     /* IOPL and the TSS bitmap: iopl.c */
}

uint32_t helper_in(CPUState *env, uint32_t port, uint32_t size)
{
    cpu_check_io(env, port & 0xffff, (int)size);
    debug_check_io(env, port, size);            /* I/O breakpoints: #DB trap after */
    return ioport_read(env->io, (uint16_t)port, (int)size);
}

void helper_out(CPUState *env, uint32_t port, uint32_t size, uint32_t value)
{
    cpu_check_io(env, port & 0xffff, (int)size);
    debug_check_io(env, port, size);
    ioport_write(env->io, (uint16_t)port, value, (int)size);
}

/* ------------------------------------------------------------------ */
/* identification, time, halting, interrupt flag                       */

/* CPUID: the -cpu model's leaves (cpuid.c) */
void helper_cpuid(CPUState *env)
{
    uint32_t r[4];

    cpuid_query(env, env->regs[R_EAX], r);
    env->regs[R_EAX] = r[0];
    env->regs[R_EBX] = r[1];
    env->regs[R_ECX] = r[2];
    env->regs[R_EDX] = r[3];
}

/* RDTSC: #GP(0) with CR4.TSD outside CPL 0 (v8086 is CPL 3); the TSC
 * counts virtual nanoseconds (msr.c) */
void helper_rdtsc(CPUState *env)
{
    uint64_t tsc;

    if ((env->cr[4] & CR4_TSD) && (env->cr[0] & CR0_PE) && cpu_cpl(env) != 0)
        raise_exception(env, EXCP_GP, 0);
    tsc = msr_read_tsc(env);
    env->regs[R_EAX] = (uint32_t)tsc;
    env->regs[R_EDX] = (uint32_t)(tsc >> 32);
}

static void check_cpl0(CPUState *env)
{
    if ((env->cr[0] & CR0_PE) && cpu_cpl(env) != 0)
        raise_exception(env, EXCP_GP, 0);
}

void helper_hlt(CPUState *env)
{
    check_cpl0(env);
    env->halted = 1;
}

void helper_cli(CPUState *env)
{
    iopl_cli(env);          /* IOPL, VME and PVI rules: iopl.c */
}

void helper_sti(CPUState *env)
{
    iopl_sti(env);
}

/* ------------------------------------------------------------------ */
/* CMPXCHG8B                                                           */

void helper_cmpxchg8b(CPUState *env, uint32_t addr)
{
    uint32_t lo = cpu_ld32(env, addr), hi = cpu_ld32(env, addr + 4);
    uint32_t fl = cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);

    if (lo == env->regs[R_EAX] && hi == env->regs[R_EDX]) {
        cpu_st32(env, addr, env->regs[R_EBX]);
        cpu_st32(env, addr + 4, env->regs[R_ECX]);
        fl |= CC_Z;
    } else {
        cpu_st32(env, addr, lo);          /* the locked cycle always writes */
        cpu_st32(env, addr + 4, hi);
        env->regs[R_EAX] = lo;
        env->regs[R_EDX] = hi;
        fl &= ~CC_Z;
    }
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = fl & CC_MASK;
}

/* ------------------------------------------------------------------ */
/* descriptor tables                                                   */

static void load_dt(CPUState *env, DescTable *dt, uint32_t addr, uint32_t opsize)
{
    uint32_t limit, base;

    check_cpl0(env);
    limit = cpu_ld16(env, addr);
    base = cpu_ld32(env, addr + 2);
    if (opsize == 2)
        base &= 0xffffff;
    dt->limit = limit;
    dt->base = base;
}

void helper_lgdt(CPUState *env, uint32_t addr, uint32_t opsize) { load_dt(env, &env->gdt, addr, opsize); }
void helper_lidt(CPUState *env, uint32_t addr, uint32_t opsize) { load_dt(env, &env->idt, addr, opsize); }

static void store_dt(CPUState *env, const DescTable *dt, uint32_t addr)
{
    cpu_st16(env, addr, dt->limit);
    cpu_st32(env, addr + 2, dt->base);
}

void helper_sgdt(CPUState *env, uint32_t addr) { store_dt(env, &env->gdt, addr); }
void helper_sidt(CPUState *env, uint32_t addr) { store_dt(env, &env->idt, addr); }

/* LLDT: a present LDT descriptor in the GDT; null invalidates LDTR */
void helper_lldt(CPUState *env, uint32_t sel)
{
    Desc d;

    if (!cpu_pm(env))
        raise_exception_noerr(env, EXCP_UD);
    check_cpl0(env);
    sel &= 0xffff;
    if ((sel & 0xfffc) == 0) {
        env->ldt.selector = (uint16_t)sel;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return;
    }
    if ((sel & 4) || !seg_read_desc(env, (uint16_t)sel, &d))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!desc_is_system(d) || desc_type(d) != 2)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!desc_present(d))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    seg_cache_load(&env->ldt, (uint16_t)sel, d);
}

/* LTR: an available (not busy) present TSS in the GDT; marks it busy */
void helper_ltr(CPUState *env, uint32_t sel)
{
    Desc d;

    if (!cpu_pm(env))
        raise_exception_noerr(env, EXCP_UD);
    check_cpl0(env);
    sel &= 0xffff;
    if ((sel & 0xfffc) == 0)
        raise_exception(env, EXCP_GP, 0);
    if ((sel & 4) || !seg_read_desc(env, (uint16_t)sel, &d))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!desc_is_system(d) || (desc_type(d) != 1 && desc_type(d) != 9))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!desc_present(d))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    d.hi |= 2u << DESC_TYPE_SHIFT;          /* busy */
    seg_write_desc_hi(env, (uint16_t)sel, d.hi);
    seg_cache_load(&env->tr, (uint16_t)sel, d);
}

/* ------------------------------------------------------------------ */
/* control and debug registers                                         */

#define CR0_WRITABLE (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | \
                      CR0_AM | CR0_NW | CR0_CD | CR0_PG)

static void check_mov_cr(CPUState *env)
{
    if (env->eflags & VM_MASK)
        raise_exception(env, EXCP_GP, 0);
    check_cpl0(env);
}

uint32_t helper_read_cr(CPUState *env, uint32_t n)
{
    check_mov_cr(env);
    switch (n) {
    case 0: case 2: case 3: case 4:
        return env->cr[n];
    default:
        raise_exception_noerr(env, EXCP_UD);
    }
}

static void cpu_write_cr0(CPUState *env, uint32_t v)
{
    v = (v & CR0_WRITABLE) | CR0_ET;
    if ((v & CR0_PG) && !(v & CR0_PE))
        raise_exception(env, EXCP_GP, 0);
    if ((v & CR0_NW) && !(v & CR0_CD))
        raise_exception(env, EXCP_GP, 0);
    if (log_enabled(LOG_MMU) && ((v ^ env->cr[0]) & (CR0_PE | CR0_PG)))
        log_printf("cpu: CR0 %08x -> %08x\n", env->cr[0], v);
    mmu_update_paging(env, v, env->cr[4]);  /* PDPTEs (#GP), TLB flush (mmu.c) */
    env->cr[0] = v;
    cpu_update_hflags(env);
}

void helper_write_cr(CPUState *env, uint32_t n, uint32_t v)
{
    check_mov_cr(env);
    switch (n) {
    case 0:
        cpu_write_cr0(env, v);
        break;
    case 2:
        env->cr[2] = v;
        break;
    case 3:
        mmu_set_cr3(env, v);    /* PDPTEs (#GP), flush all but globals (mmu.c) */
        break;
    case 4:
        /* bits the -cpu model lacks are reserved (cpuid_cr4_mask) */
        if (v & ~cpuid_cr4_mask(env))
            raise_exception(env, EXCP_GP, 0);
        mmu_update_paging(env, env->cr[0], v);  /* PDPTEs (#GP), TLB flush (mmu.c) */
        env->cr[4] = v;
        cpu_update_hflags(env);
        break;
    default:
        raise_exception_noerr(env, EXCP_UD);
    }
}

/* MOV from/to DRn: privilege, DR4/DR5, GD and the breakpoint state are
 * debug.c's */
uint32_t helper_read_dr(CPUState *env, uint32_t n)
{
    return debug_read_dr(env, n);
}

void helper_write_dr(CPUState *env, uint32_t n, uint32_t v)
{
    debug_write_dr(env, n, v);
}

void helper_lmsw(CPUState *env, uint32_t v)
{
    check_mov_cr(env);
    /* low four bits only; PE can be set but not cleared */
    cpu_write_cr0(env, (env->cr[0] & ~0xeu) | (v & 0xf));
}

/* INVLPG m: drop the TLB entries of the page holding linear address addr
 * (both views); privilege checked here so the front end needs no test */
void helper_invlpg(CPUState *env, uint32_t addr)
{
    check_cpl0(env);
    tlb_flush_page(env, addr);
}

/* CLTS: CPL 0 (also in real mode), #GP in v8086; ends the block (TS) */
void helper_clts(CPUState *env)
{
    check_mov_cr(env);
    env->cr[0] &= ~CR0_TS;
    cpu_update_hflags(env);
}

/* ------------------------------------------------------------------ */
/* x87: WAIT (the x87 itself is fpu/helpers_fpu.c)                    */

/* WAIT/FWAIT: #NM when CR0.MP and CR0.TS, then a pending unmasked x87
 * exception (#MF or FERR#, fpu_check_pending) */
void helper_fwait(CPUState *env)
{
    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        raise_exception_noerr(env, EXCP_NM);
    fpu_check_pending(env);
}

