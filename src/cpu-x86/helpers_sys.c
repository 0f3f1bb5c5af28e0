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
 * Protected mode is the basic, same-privilege subset: descriptors are
 * read from the GDT/LDT with present/type/DPL checks; call gates, task
 * switches and privilege changes raise #GP and are logged as not
 * implemented (the next issue, see docs/cpu.md).
 */
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpu_internal.h"
#include "cpu-x86/helpers.h"
#include "machine/machine.h"
#include "mmu/mmu.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* descriptors and segment loads                                       */

static uint32_t seg_desc_addr(CPUState *env, uint32_t sel)
{
    uint32_t base, limit, index = sel & ~7u;

    if (sel & 4) {
        if ((env->ldt.selector & 0xfffc) == 0)
            raise_exception(env, EXCP_GP, sel & 0xfffc);
        base = env->ldt.base;
        limit = env->ldt.limit;
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    if (index + 7 > limit)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    return base + index;
}

void seg_read_desc(CPUState *env, uint32_t sel, uint32_t *e1, uint32_t *e2)
{
    uint32_t a = seg_desc_addr(env, sel);

    *e1 = cpu_ld32_kernel(env, a);
    *e2 = cpu_ld32_kernel(env, a + 4);
}

static void seg_set_accessed(CPUState *env, uint32_t sel, uint32_t *e2)
{
    if (!(*e2 & DESC_A_BIT)) {
        *e2 |= DESC_A_BIT;
        cpu_st32_kernel(env, seg_desc_addr(env, sel) + 4, *e2);
    }
}

void seg_cache_set(SegmentCache *sc, uint32_t sel, uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000u);

    if (e2 & DESC_G_MASK)
        limit = (limit << 12) | 0xfff;
    sc->selector = (uint16_t)sel;
    sc->base = (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000u);
    sc->limit = limit;
    sc->flags = e2 & 0x00ffff00u;
}

static uint32_t seg_desc_limit(uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000u);
    return (e2 & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

static bool cpu_pm(const CPUState *env)
{
    return (env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK);
}

void cpu_load_seg(CPUState *env, int seg, uint32_t sel)
{
    uint32_t e1, e2, dpl, rpl;
    int cpl;

    sel &= 0xffff;
    if (!cpu_pm(env)) {
        cpu_load_seg_real(env, seg, (uint16_t)sel);
        return;
    }
    cpl = cpu_cpl(env);
    rpl = sel & 3;
    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS)
            raise_exception(env, EXCP_GP, 0);
        env->seg[seg].selector = (uint16_t)sel;
        env->seg[seg].base = 0;
        env->seg[seg].limit = 0;
        env->seg[seg].flags = 0;
        return;
    }
    seg_read_desc(env, sel, &e1, &e2);
    if (!(e2 & DESC_S_MASK))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    dpl = (e2 >> DESC_DPL_SHIFT) & 3;
    if (seg == R_SS) {
        if (rpl != (uint32_t)cpl || dpl != (uint32_t)cpl ||
            (e2 & DESC_CODE_BIT) || !(e2 & DESC_RW_BIT))
            raise_exception(env, EXCP_GP, sel & 0xfffc);
        if (!(e2 & DESC_P_MASK))
            raise_exception(env, EXCP_SS, sel & 0xfffc);
    } else {
        if ((e2 & DESC_CODE_BIT) && !(e2 & DESC_RW_BIT))
            raise_exception(env, EXCP_GP, sel & 0xfffc);     /* execute-only */
        if (!(e2 & DESC_CODE_BIT) || !(e2 & DESC_CE_BIT)) {
            if (dpl < (uint32_t)cpl || dpl < rpl)
                raise_exception(env, EXCP_GP, sel & 0xfffc);
        }
        if (!(e2 & DESC_P_MASK))
            raise_exception(env, EXCP_NP, sel & 0xfffc);
    }
    seg_set_accessed(env, sel, &e2);
    seg_cache_set(&env->seg[seg], sel, e1, e2);
    if (seg == R_SS)
        cpu_update_hflags(env);
}

void cpu_load_cs_pm(CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2, int cpl)
{
    seg_set_accessed(env, sel, &e2);
    seg_cache_set(&env->seg[R_CS], (sel & 0xfffc) | (uint32_t)cpl, e1, e2);
    env->hflags = (env->hflags & ~HF_CPL_MASK) | ((uint32_t)cpl << HF_CPL_SHIFT);
    cpu_update_hflags(env);
}

/*
 * Checks for a far JMP/CALL/RET/IRET target in protected mode at the same
 * privilege level: code segment, DPL rules, present, offset in limit.
 * rpl_target is the privilege the new CS will run at.
 */
static void far_check_code(CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                           uint32_t offset, int rpl_target, bool is_ret)
{
    uint32_t dpl = (e2 >> DESC_DPL_SHIFT) & 3;

    if (!(e2 & DESC_S_MASK) || !(e2 & DESC_CODE_BIT))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (e2 & DESC_CE_BIT) {
        if (dpl > (uint32_t)rpl_target)
            raise_exception(env, EXCP_GP, sel & 0xfffc);
    } else if (is_ret ? dpl != (sel & 3) : ((sel & 3) > (uint32_t)rpl_target ||
                                           dpl != (uint32_t)rpl_target)) {
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    }
    if (!(e2 & DESC_P_MASK))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    if (offset > seg_desc_limit(e1, e2))
        raise_exception(env, EXCP_GP, 0);
}

static void far_read_target(CPUState *env, uint32_t sel, uint32_t *e1, uint32_t *e2)
{
    if ((sel & 0xfffc) == 0)
        raise_exception(env, EXCP_GP, 0);
    seg_read_desc(env, sel, e1, e2);
    if (!(*e2 & DESC_S_MASK)) {
        switch ((*e2 >> 8) & 0xf) {
        case 0x4: case 0xc:
            cpu_unimp(env, "far transfer through a call gate");
        case 0x5:
            cpu_unimp(env, "far transfer through a task gate");
        case 0x1: case 0x9:
            cpu_unimp(env, "far transfer to a TSS (task switch)");
        default:
            raise_exception(env, EXCP_GP, sel & 0xfffc);
        }
    }
}

void helper_load_seg(CPUState *env, uint32_t seg, uint32_t sel)
{
    cpu_load_seg(env, (int)seg, sel);
    if (seg == R_SS)
        env->hflags |= HF_INHIBIT_IRQ;
}

uint32_t helper_lseg(CPUState *env, uint32_t packed, uint32_t addr)
{
    int seg = packed & 7, opsize = (packed >> 8) & 7;
    uint32_t off = opsize == 4 ? cpu_ld32(env, addr) : cpu_ld16(env, addr);
    uint32_t sel = cpu_ld16(env, addr + opsize);

    cpu_load_seg(env, seg, sel);
    return off;
}

void helper_far_jmp(CPUState *env, uint32_t sel, uint32_t offset, uint32_t opsize)
{
    uint32_t e1, e2;

    sel &= 0xffff;
    if (opsize == 2)
        offset &= 0xffff;
    if (!cpu_pm(env)) {
        cpu_load_seg_real(env, R_CS, (uint16_t)sel);
        env->eip = offset;
        return;
    }
    far_read_target(env, sel, &e1, &e2);
    far_check_code(env, sel, e1, e2, offset, cpu_cpl(env), false);
    cpu_load_cs_pm(env, sel, e1, e2, cpu_cpl(env));
    env->eip = offset;
}

void helper_far_call(CPUState *env, uint32_t sel, uint32_t offset, uint32_t opsize,
                     uint32_t next_eip)
{
    uint32_t e1 = 0, e2 = 0;
    StackPtr st;
    bool pm = cpu_pm(env);

    sel &= 0xffff;
    if (opsize == 2)
        offset &= 0xffff;
    if (pm) {
        far_read_target(env, sel, &e1, &e2);
        far_check_code(env, sel, e1, e2, offset, cpu_cpl(env), false);
    }
    stack_init(env, &st);
    stack_push(env, &st, (int)opsize, env->seg[R_CS].selector);
    stack_push(env, &st, (int)opsize, next_eip);
    stack_commit(env, &st);
    if (pm)
        cpu_load_cs_pm(env, sel, e1, e2, cpu_cpl(env));
    else
        cpu_load_seg_real(env, R_CS, (uint16_t)sel);
    env->eip = offset;
}

void helper_retf(CPUState *env, uint32_t opsize, uint32_t imm)
{
    StackPtr st;
    uint32_t eip, sel, e1, e2;
    int cpl;

    stack_init(env, &st);
    eip = stack_pop(env, &st, (int)opsize);
    sel = stack_pop(env, &st, (int)opsize) & 0xffff;
    st.sp += imm;
    if (!cpu_pm(env)) {
        stack_commit(env, &st);
        cpu_load_seg_real(env, R_CS, (uint16_t)sel);
        env->eip = eip;
        return;
    }
    cpl = cpu_cpl(env);
    if ((sel & 3) < (uint32_t)cpl)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    far_read_target(env, sel, &e1, &e2);
    if ((sel & 3) > (uint32_t)cpl)
        cpu_unimp(env, "RETF to an outer privilege level");
    far_check_code(env, sel, e1, e2, eip, cpl, true);
    stack_commit(env, &st);
    cpu_load_cs_pm(env, sel, e1, e2, cpl);
    env->eip = eip;
}

void helper_iret(CPUState *env, uint32_t opsize)
{
    StackPtr st;
    uint32_t eip, sel, fl, e1, e2, mask;
    int cpl;

    if (env->eflags & VM_MASK)
        cpu_unimp(env, "IRET in VM86 mode");
    if ((env->cr[0] & CR0_PE) && (env->eflags & NT_MASK))
        cpu_unimp(env, "IRET task return (NT=1)");
    stack_init(env, &st);
    eip = stack_pop(env, &st, (int)opsize);
    sel = stack_pop(env, &st, (int)opsize) & 0xffff;
    fl = stack_pop(env, &st, (int)opsize);

    if (!(env->cr[0] & CR0_PE)) {
        mask = 0x257fd5u;   /* everything but VM, VIF, VIP and reserved bits */
        if (opsize == 2)
            mask &= 0xffff;
        stack_commit(env, &st);
        cpu_load_seg_real(env, R_CS, (uint16_t)sel);
        env->eip = eip;
        cpu_load_eflags(env, fl, mask);
        cpu_update_hflags(env);
        return;
    }
    cpl = cpu_cpl(env);
    if (opsize == 4 && (fl & VM_MASK) && cpl == 0)
        cpu_unimp(env, "IRET to VM86 mode");
    if ((sel & 3) < (uint32_t)cpl)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    far_read_target(env, sel, &e1, &e2);
    if ((sel & 3) > (uint32_t)cpl)
        cpu_unimp(env, "IRET to an outer privilege level");
    far_check_code(env, sel, e1, e2, eip, cpl, true);

    mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
    if (cpl == 0)
        mask |= IOPL_MASK;
    if ((uint32_t)cpl <= ((env->eflags & IOPL_MASK) >> 12))
        mask |= IF_MASK;
    if (opsize == 2)
        mask &= 0xffff;
    stack_commit(env, &st);
    cpu_load_cs_pm(env, sel, e1, e2, cpl);
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
    if ((env->eflags & VM_MASK) && is_sw)
        cpu_unimp(env, "INT n in VM86 mode");
    cpu_do_interrupt(env, vector, is_sw, false, 0, next_eip);
}

void helper_int_sw(CPUState *env, uint32_t vector, uint32_t next_eip)
{
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
    int_deliver(env, EXCP_DB, false, next_eip);
}

/* ------------------------------------------------------------------ */
/* stack frames                                                        */

void helper_enter(CPUState *env, uint32_t alloc, uint32_t level, uint32_t opsize)
{
    StackPtr st;
    uint32_t frame, ebp = env->regs[R_EBP];
    int i, sz = (int)opsize;

    level &= 31;
    stack_init(env, &st);
    stack_push(env, &st, sz, ebp);
    frame = (env->regs[R_ESP] & ~st.mask) | (st.sp & st.mask);   /* ESP as pushed */
    if (level > 0) {
        for (i = 1; i < (int)level; i++) {
            uint32_t a;
            ebp -= sz;
            a = st.base + (ebp & st.mask);
            stack_push(env, &st, sz, sz == 4 ? cpu_ld32(env, a) : cpu_ld16(env, a));
        }
        stack_push(env, &st, sz, frame);
    }
    st.sp -= alloc & 0xffff;
    stack_commit(env, &st);
    cpu_set_reg(env, R_EBP, sz, frame);     /* BP or EBP by operand size */
}

void helper_pusha(CPUState *env, uint32_t opsize)
{
    StackPtr st;
    uint32_t esp = env->regs[R_ESP];
    int i;

    stack_init(env, &st);
    for (i = R_EAX; i <= R_EDI; i++)
        stack_push(env, &st, (int)opsize, i == R_ESP ? esp : env->regs[i]);
    stack_commit(env, &st);
}

void helper_popa(CPUState *env, uint32_t opsize)
{
    StackPtr st;
    uint32_t v[8];
    int i;

    stack_init(env, &st);
    for (i = R_EDI; i >= R_EAX; i--)
        v[i] = stack_pop(env, &st, (int)opsize);
    for (i = R_EAX; i <= R_EDI; i++)
        if (i != R_ESP)
            cpu_set_reg(env, i, (int)opsize, v[i]);
    stack_commit(env, &st);
}

/* ------------------------------------------------------------------ */
/* port I/O                                                            */

void cpu_check_io(CPUState *env, uint32_t port, int size)
{
    if ((env->cr[0] & CR0_PE) &&
        ((env->eflags & VM_MASK) ||
         (uint32_t)cpu_cpl(env) > ((env->eflags & IOPL_MASK) >> 12)))
        cpu_unimp(env, "I/O permission bitmap (CPL > IOPL)");
}

uint32_t helper_in(CPUState *env, uint32_t port, uint32_t size)
{
    cpu_check_io(env, port & 0xffff, (int)size);
    return ioport_read(env->machine->io, (uint16_t)port, (int)size);
}

void helper_out(CPUState *env, uint32_t port, uint32_t size, uint32_t value)
{
    cpu_check_io(env, port & 0xffff, (int)size);
    ioport_write(env->machine->io, (uint16_t)port, value, (int)size);
}

/* ------------------------------------------------------------------ */
/* identification, time, halting, interrupt flag                       */

void helper_cpuid(CPUState *env)
{
    uint32_t leaf = env->regs[R_EAX];
    uint32_t a = 0, b = 0, c = 0, d = 0;

    switch (leaf) {
    case 0:
        a = env->cpuid_level;
        b = 0x756e6547;     /* "Genu" */
        d = 0x49656e69;     /* "ineI" */
        c = 0x6c65746e;     /* "ntel" */
        break;
    case 1:
        a = 0x00000633;     /* family 6 model 3 stepping 3 */
        d = (1u << 4)       /* TSC */
          | (1u << 8)       /* CX8 */
          | (1u << 15);     /* CMOV */
        break;
    case 0x80000000:
        a = 0x80000000;     /* no extended leaves */
        break;
    default:
        break;
    }
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

void helper_rdtsc(CPUState *env)
{
    uint64_t tsc;

    if ((env->cr[4] & 0x4) && (env->cr[0] & CR0_PE) && cpu_cpl(env) != 0)
        raise_exception(env, EXCP_GP, 0);
    if (env->machine)
        tsc = (uint64_t)clock_now(&env->machine->clock);   /* 1 GHz */
    else
        tsc = env->icount;
    tsc += env->tsc_offset;
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

static void check_iopl(CPUState *env)
{
    uint32_t iopl = (env->eflags & IOPL_MASK) >> 12;

    if (!(env->cr[0] & CR0_PE))
        return;
    if (env->eflags & VM_MASK ? iopl != 3 : (uint32_t)cpu_cpl(env) > iopl)
        raise_exception(env, EXCP_GP, 0);
}

void helper_cli(CPUState *env)
{
    check_iopl(env);
    env->eflags &= ~IF_MASK;
}

void helper_sti(CPUState *env)
{
    check_iopl(env);
    if (!(env->eflags & IF_MASK))
        env->hflags |= HF_INHIBIT_IRQ;
    env->eflags |= IF_MASK;
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

void helper_lldt(CPUState *env, uint32_t sel)
{
    uint32_t e1, e2;

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
    if (sel & 4)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    seg_read_desc(env, sel, &e1, &e2);
    if ((e2 & DESC_S_MASK) || ((e2 >> 8) & 0xf) != 2)
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!(e2 & DESC_P_MASK))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    seg_cache_set(&env->ldt, sel, e1, e2);
}

void helper_ltr(CPUState *env, uint32_t sel)
{
    uint32_t e1, e2, type;

    if (!cpu_pm(env))
        raise_exception_noerr(env, EXCP_UD);
    check_cpl0(env);
    sel &= 0xffff;
    if ((sel & 0xfffc) == 0 || (sel & 4))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    seg_read_desc(env, sel, &e1, &e2);
    type = (e2 >> 8) & 0xf;
    if ((e2 & DESC_S_MASK) || (type != 1 && type != 9))
        raise_exception(env, EXCP_GP, sel & 0xfffc);
    if (!(e2 & DESC_P_MASK))
        raise_exception(env, EXCP_NP, sel & 0xfffc);
    e2 |= 2u << 8;          /* busy */
    cpu_st32_kernel(env, seg_desc_addr(env, sel) + 4, e2);
    seg_cache_set(&env->tr, sel, e1, e2);
}

/* ------------------------------------------------------------------ */
/* control and debug registers                                         */

#define CR0_WRITABLE (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | \
                      CR0_AM | CR0_NW | CR0_CD | CR0_PG)
#define CR4_SUPPORTED 0x0000000cu   /* TSD, DE */

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
    if ((v ^ env->cr[0]) & (CR0_PE | CR0_PG | CR0_WP))
        tlb_flush(env);         /* translations and rights change */
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
        env->cr[3] = v;
        tlb_flush(env);     /* no PGE: every CR3 write flushes everything */
        break;
    case 4:
        if (v & ~CR4_SUPPORTED)
            raise_exception(env, EXCP_GP, 0);
        env->cr[4] = v;
        break;
    default:
        raise_exception_noerr(env, EXCP_UD);
    }
}

static int dr_index(CPUState *env, uint32_t n)
{
    check_mov_cr(env);
    if (n == 4 || n == 5) {
        if (env->cr[4] & 0x8)      /* CR4.DE */
            raise_exception_noerr(env, EXCP_UD);
        n += 2;
    }
    return (int)(n & 7);
}

uint32_t helper_read_dr(CPUState *env, uint32_t n)
{
    return env->dr[dr_index(env, n)];
}

void helper_write_dr(CPUState *env, uint32_t n, uint32_t v)
{
    int i = dr_index(env, n);

    if (i == 6)
        v = (v & 0x0000e00fu) | 0xffff0ff0u;
    else if (i == 7)
        v = (v & 0xffff2fffu) | 0x400u;
    env->dr[i] = v;
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

void helper_clts(CPUState *env)
{
    check_mov_cr(env);
    env->cr[0] &= ~CR0_TS;
}

/* ------------------------------------------------------------------ */
/* x87 placeholders: no FPU yet (CPUID.FPU = 0)                         */

void helper_fwait(CPUState *env)
{
    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        raise_exception_noerr(env, EXCP_NM);
}

void helper_fpu_esc(CPUState *env)
{
    if (env->cr[0] & (CR0_EM | CR0_TS))
        raise_exception_noerr(env, EXCP_NM);
    if (log_enabled(LOG_UNIMP))
        log_printf("unimp: x87 instruction at %08x (no FPU yet) -> #UD\n", env->eip);
    raise_exception_noerr(env, EXCP_UD);
}
