/*
 * cpu.c - the x86 CPU object: initialisation, reset, mode flags (hflags),
 * real-mode segment loads and the -d cpu register dump.
 *
 * Everything about the CPU lives in CPUState (cpu.h); this file only sets
 * it up and keeps the derived hflags in step with the architectural state.
 * The CPU loop is exec.c, exceptions excp.c, memory access ../mmu/mmu.c and
 * the instruction semantics helpers_*.c (see docs/cpu.md).
 *
 *     cpu_init(&m->cpu, m->mem);        // zero, wire, reset to F000:FFF0
 *     cpu_exec(&m->cpu, 100000);
 */
#include <string.h>
#include <glib.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/cpuid.h"
#include "cpu-x86/msr.h"
#include "cpu-x86/seg.h"
#include "cpu-x86/debug.h"
#include "cpu-x86/fpu/fpu.h"
#include "cpu-x86/mem.h"
#include "translator/translator.h"
#include "util/log.h"

void cpu_init(CPUState *env, struct PhysMem *mem)
{
    memset(env, 0, sizeof(*env));
    env->mem = mem;
    cpuid_set_model(env, NULL);     /* the default -cpu model */
    cpu_reset(env);
}

static void cpu_reset_seg(SegmentCache *sc, uint16_t sel, uint32_t base,
                          uint32_t type)
{
    sc->selector = sel;
    sc->base = base;
    sc->limit = 0xffff;
    /* present, S (code/data), DPL 0, 16-bit, byte granular */
    sc->flags = DESC_P_MASK | DESC_S_MASK | (type << DESC_TYPE_SHIFT);
}

void cpu_reset(CPUState *env)
{
    int i;

    memset(env->regs, 0, sizeof(env->regs));
    env->regs[R_EDX] = cpuid_signature(env);   /* the model's CPUID leaf 1 EAX */
    env->eip = 0xfff0;
    env->eflags = 0x2;
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = 0;
    env->cc_dst = 0;
    env->cc_src2 = 0;
    env->df = 1;
    env->a20_mask = 0xffffffffu;
    env->exit_request = 0;
    env->code_dirty = 0;

    /* CS: selector F000 but base FFFF0000 until the first far jump */
    cpu_reset_seg(&env->seg[R_CS], 0xf000, 0xffff0000u, 0xb);  /* code, RX, accessed */
    for (i = 0; i < NUM_SEGS; i++)
        if (i != R_CS)
            cpu_reset_seg(&env->seg[i], 0, 0, 0x3);          /* data, RW, accessed */

    memset(env->cr, 0, sizeof(env->cr));
    env->cr[0] = CR0_ET | CR0_CD | CR0_NW;
    memset(&env->tlb, 0, sizeof(env->tlb));   /* TLB flush (mmu/tlb.h) */
    memset(env->dr, 0, sizeof(env->dr));
    env->dr[6] = 0xffff0ff0u;
    env->dr[7] = 0x00000400u;
    env->gdt.base = 0;
    env->gdt.limit = 0xffff;
    env->idt.base = 0;
    env->idt.limit = 0xffff;
    memset(&env->ldt, 0, sizeof(env->ldt));
    env->ldt.limit = 0xffff;
    env->ldt.flags = DESC_P_MASK | (2u << DESC_TYPE_SHIFT);
    memset(&env->tr, 0, sizeof(env->tr));
    env->tr.limit = 0xffff;
    env->tr.flags = DESC_P_MASK | (0xbu << DESC_TYPE_SHIFT);

    env->halted = 0;
    env->nmi_blocked = 0;
    env->interrupt_request &= ~(CPU_INTERRUPT_EXIT);
    env->exception_index = -1;
    env->error_code = 0;
    env->old_exception = -1;
    env->exception_has_error = 0;
    env->icount = 0;
    env->tsc_offset = 0;
    msr_reset(env);
    fpu_reset(env, true);                      /* FCW 0040h, power-on state */
    debug_reset(env);                          /* pending #DB, shadows */
    env->hflags = 0;
    cpu_update_hflags(env);
}

void cpu_update_hflags(CPUState *env)
{
    uint32_t hf = env->hflags & (HF_CPL_MASK | HF_INHIBIT_IRQ);

    if (!(env->cr[0] & CR0_PE)) {
        hf &= ~HF_CPL_MASK;                    /* real mode: CPL 0 */
    } else {
        hf |= HF_PE;
        if (env->eflags & VM_MASK)
            hf = (hf & ~HF_CPL_MASK) | HF_VM | (3u << HF_CPL_SHIFT);
    }
    if (env->cr[0] & CR0_PG)
        hf |= HF_PG;
    if (env->seg[R_CS].flags & DESC_B_MASK)
        hf |= HF_CS32;
    if (env->seg[R_SS].flags & DESC_B_MASK)
        hf |= HF_SS32;
    if (env->eflags & TF_MASK)
        hf |= HF_TF;
    hf |= seg_hflags(env);                     /* data access classes (seg.c) */
    env->hflags = hf;
}

/* Real mode (and VM86): selector and base change, limit and attributes
 * stay what they were (this is what makes "unreal mode" work). */
void cpu_load_seg_real(CPUState *env, int seg, uint16_t selector)
{
    SegmentCache *sc = &env->seg[seg];

    sc->selector = selector;
    sc->base = (uint32_t)selector << 4;
    if (env->eflags & VM_MASK) {
        sc->limit = 0xffff;
        sc->flags = DESC_P_MASK | DESC_S_MASK | (3u << DESC_DPL_SHIFT) |
                    ((seg == R_CS ? 0xbu : 0x3u) << DESC_TYPE_SHIFT);
    }
    if (seg == R_CS || seg == R_SS)
        cpu_update_hflags(env);
}

/* IrqHandler of the CPU's INTR pin */
void cpu_set_irq(void *opaque, int n, int level)
{
    CPUState *env = opaque;

    if (level)
        env->interrupt_request |= CPU_INTERRUPT_HARD;
    else
        env->interrupt_request &= ~CPU_INTERRUPT_HARD;
}

void cpu_add_hooks(CPUState *env, const CPUHooks *ops, void *opaque)
{
    g_assert(env->n_hooks < CPU_MAX_HOOKS);
    env->hooks[env->n_hooks].ops = ops;
    env->hooks[env->n_hooks].opaque = opaque;
    env->n_hooks++;
    env->int_hooks |= ops->on_int != NULL;
}

void cpu_remove_hooks(CPUState *env, const CPUHooks *ops, void *opaque)
{
    for (int i = 0; i < env->n_hooks; i++)
        if (env->hooks[i].ops == ops && env->hooks[i].opaque == opaque) {
            memmove(&env->hooks[i], &env->hooks[i + 1],
                    (size_t)(env->n_hooks - i - 1) * sizeof(env->hooks[0]));
            env->n_hooks--;
            break;
        }
    env->int_hooks = false;
    for (int i = 0; i < env->n_hooks; i++)
        env->int_hooks |= env->hooks[i].ops->on_int != NULL;
}

uint32_t cpu_hook_translate_insn(CPUState *env, uint32_t lin, uint32_t phys, uint8_t mode,
                                 const uint8_t *bytes, int len)
{
    for (int i = 0; i < env->n_hooks; i++)
        if (env->hooks[i].ops->on_translate_insn)
            return env->hooks[i].ops->on_translate_insn(env->hooks[i].opaque, lin, phys, mode,
                                                        bytes, len);
    return 0;
}

void cpu_set_a20(CPUState *env, bool enabled)
{
    uint32_t mask = enabled ? 0xffffffffu : 0xffefffffu;

    if (mask == env->a20_mask)
        return;
    if (log_enabled(LOG_MMU))
        log_printf("mmu: A20 %s\n", enabled ? "on" : "off");
    env->a20_mask = mask;
    tlb_flush(env);
    if (env->tr_ctx)
        tb_flush(env->tr_ctx);
}

/* IrqHandler of the A20M# line (the board wires the i8042 output port
 * and port 92 to it): level 1 = address bit 20 passes */
void cpu_set_a20_line(void *opaque, int n, int level)
{
    cpu_set_a20(opaque, level != 0);
}

void cpu_set_nmi(void *opaque, int n, int level)
{
    CPUState *env = opaque;

    if (level)
        env->interrupt_request |= CPU_INTERRUPT_NMI;
}

static void cpu_dump_seg(FILE *f, const char *name, const SegmentCache *sc)
{
    fprintf(f, "%s =%04x %08x %08x %08x\n", name, sc->selector, sc->base,
            sc->limit, sc->flags);
}

void cpu_dump_state(CPUState *env, FILE *f)
{
    static const char seg_names[NUM_SEGS][3] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    uint32_t fl = cpu_compute_eflags(env);
    int i;

    fprintf(f, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n",
            env->regs[R_EAX], env->regs[R_EBX], env->regs[R_ECX], env->regs[R_EDX]);
    fprintf(f, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n",
            env->regs[R_ESI], env->regs[R_EDI], env->regs[R_EBP], env->regs[R_ESP]);
    fprintf(f, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%d II=%d A20=%d HLT=%d\n",
            env->eip, fl,
            fl & DF_MASK ? 'D' : '-', fl & CC_O ? 'O' : '-', fl & CC_S ? 'S' : '-',
            fl & CC_Z ? 'Z' : '-', fl & CC_A ? 'A' : '-', fl & CC_P ? 'P' : '-',
            fl & CC_C ? 'C' : '-', cpu_cpl(env),
            (env->hflags & HF_INHIBIT_IRQ) != 0, (env->a20_mask >> 20) & 1,
            env->halted != 0);
    for (i = 0; i < NUM_SEGS; i++)
        cpu_dump_seg(f, seg_names[i], &env->seg[i]);
    cpu_dump_seg(f, "LDT", &env->ldt);
    cpu_dump_seg(f, "TR ", &env->tr);
    fprintf(f, "GDT=     %08x %08x\n", env->gdt.base, env->gdt.limit);
    fprintf(f, "IDT=     %08x %08x\n", env->idt.base, env->idt.limit);
    fprintf(f, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
            env->cr[0], env->cr[2], env->cr[3], env->cr[4]);
    fprintf(f, "DR6=%08x DR7=%08x CCO=%u CCD=%08x CCS=%08x\n",
            env->dr[6], env->dr[7], env->cc_op, env->cc_dst, env->cc_src);
}
