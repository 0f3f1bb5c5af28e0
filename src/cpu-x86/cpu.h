/*
 * cpu.h - the guest x86 CPU state and the CPU's public interface.
 *
 * CPUState holds everything architectural (registers, segment caches,
 * control registers, lazy flags) plus the bookkeeping the CPU loop needs.
 * Generated code reaches it through one pointer (env); fields it touches
 * are addressed by offsetof(CPUState, field), so keep them in the first
 * part of the struct and never reorder without rebuilding the cache.
 *
 * Flags are lazy (as in QEMU and Bochs): arithmetic instructions record
 * (cc_op, cc_dst, cc_src, cc_src2) and the six arithmetic flags are
 * computed from them only when read (flags.c).  eflags holds every other
 * bit (IF, DF, TF, IOPL, NT, ...) and, when cc_op == CC_OP_EFLAGS, the
 * arithmetic flags are in cc_src.
 */
#ifndef TX86_CPU_H
#define TX86_CPU_H

#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include "mmu/tlb.h"
#include "cpu-x86/fpu/float80.h"    /* Float80 of the x87 section */
#include "cpu-x86/sse/xmm.h"        /* XMMReg of the SSE section */

struct PhysMem;
struct Translator;
struct CPUState;

/* Hooks the debuggers register on the CPU (cpu_add_hooks): the gdb stub
 * and the --trace writer (src/debug/).  The CPU loop, debug.c and the MMU
 * call them through env->hooks and never name a debugger.  Every member
 * may be NULL; opaque is the registrant's.  The gdb members run only
 * while env->dbg_flags has DBG_GDB, the trace members while env->trace
 * is set (both cheap tests on the hot paths). */
typedef struct CPUHooks {
    /* breakpoints and watchpoints (gdb stub) */
    bool (*on_breakpoint)(void *opaque, struct CPUState *env);  /* stop before cs:eip? */
    bool (*bp_at)(void *opaque, const struct CPUState *env, uint32_t lin);
    bool (*page_watched)(void *opaque, const struct CPUState *env, uint32_t lin);
    void (*on_data)(void *opaque, struct CPUState *env, uint32_t lin, uint32_t size,
                    bool write);                               /* after a slow-path access */
    /* execution trace */
    void (*on_insn)(void *opaque, struct CPUState *env, uint32_t id);  /* helper_trace_insn */
    void (*on_mem)(void *opaque, uint32_t lin, uint32_t value, int size, bool write);
    void (*on_int)(void *opaque, struct CPUState *env, int vector, int kind,
                   uint32_t error_code);                       /* kind: CPU_INT_* */
    /* the front end translated an instruction (linear and physical pc,
     * CPU_TRACE_MODE_* bits, its bytes): the trace's DEF record; returns
     * the id generated code passes to on_insn */
    uint32_t (*on_translate_insn)(void *opaque, uint32_t lin, uint32_t phys, uint8_t mode,
                                  const uint8_t *bytes, int len);
} CPUHooks;
#define CPU_MAX_HOOKS 3
/* env->gdb_step bits (the gdb stub sets them) */
#define GDB_STEP_ON    1u       /* translate one instruction per block */
#define GDB_STEP_NOIRQ 2u       /* no interrupts while stepping */
/* CPUHooks.on_int kinds (the trace format's INT kinds, trace_format.h) */
#define CPU_INT_IRQ       0
#define CPU_INT_NMI       1
#define CPU_INT_EXCEPTION 2
#define CPU_INT_TRIPLE    3
/* helper_trace_mem's size argument: size | CPU_TRACE_MEM_WRITE (= trace.h's TRACE_MEM_WRITE) */
#define CPU_TRACE_MEM_WRITE 0x100
/* CPUHooks.on_translate_insn's mode bits (= trace_format.h's TRACE_MODE_*) */
#define CPU_TRACE_MODE_CODE32 0x01
#define CPU_TRACE_MODE_PE     0x02
#define CPU_TRACE_MODE_VM     0x04
#define CPU_TRACE_MODE_PG     0x08

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, NUM_SEGS };

/* EFLAGS bits */
#define CC_C   0x0001u
#define CC_P   0x0004u
#define CC_A   0x0010u
#define CC_Z   0x0040u
#define CC_S   0x0080u
#define CC_O   0x0800u
#define CC_MASK (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)
#define TF_MASK   0x00000100u
#define IF_MASK   0x00000200u
#define DF_MASK   0x00000400u
#define IOPL_MASK 0x00003000u
#define NT_MASK   0x00004000u
#define RF_MASK   0x00010000u
#define VM_MASK   0x00020000u
#define AC_MASK   0x00040000u
#define VIF_MASK  0x00080000u
#define VIP_MASK  0x00100000u
#define ID_MASK   0x00200000u

/* CR0 bits */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

/* exception vectors */
enum {
    EXCP_DE = 0, EXCP_DB = 1, EXCP_NMI = 2, EXCP_BP = 3, EXCP_OF = 4,
    EXCP_BR = 5, EXCP_UD = 6, EXCP_NM = 7, EXCP_DF = 8, EXCP_TS = 10,
    EXCP_NP = 11, EXCP_SS = 12, EXCP_GP = 13, EXCP_PF = 14, EXCP_MF = 16,
    EXCP_AC = 17, EXCP_MC = 18, EXCP_XM = 19,
};

/*
 * Lazy condition-code operations.  For each, what cc_dst/cc_src/cc_src2
 * hold.  B/W/L variants are consecutive, so CC_OP_ADDB + size_index works
 * (size_index: 0 = byte, 1 = word, 2 = dword).
 *   EFLAGS        flags in cc_src (CF..OF bits)
 *   ADD/ADC       dst = result, src = second operand, src2 = carry in (ADC)
 *   SUB/SBB       dst = result, src = second operand, src2 = borrow in (SBB)
 *   LOGIC         dst = result
 *   INC/DEC       dst = result, src = CF before the instruction
 *   SHL/SHR/SAR   dst = result, src = value shifted by (count-1); OF as for
 *                 a count of 1 (defined by the SDM only then)
 *   MUL           dst = low result, src = nonzero if the high half is
 *                 significant (CF=OF=src!=0); SF/ZF/PF from dst, AF 0
 */
#define CC_OP_LIST(X) \
    X(EFLAGS) X(ADDB) X(ADDW) X(ADDL) X(ADCB) X(ADCW) X(ADCL) \
    X(SUBB) X(SUBW) X(SUBL) X(SBBB) X(SBBW) X(SBBL) \
    X(LOGICB) X(LOGICW) X(LOGICL) X(INCB) X(INCW) X(INCL) \
    X(DECB) X(DECW) X(DECL) X(SHLB) X(SHLW) X(SHLL) \
    X(SHRB) X(SHRW) X(SHRL) X(SARB) X(SARW) X(SARL) \
    X(MULB) X(MULW) X(MULL)
typedef enum CCOp {
#define CC_OP_ENUM(n) CC_OP_##n,
    CC_OP_LIST(CC_OP_ENUM)
#undef CC_OP_ENUM
    CC_OP_NB
} CCOp;

/* descriptor attribute bits kept in SegmentCache.flags (bits 8-23 of the
 * descriptor's second dword, i.e. type, S, DPL, P, AVL, L, D/B, G) */
#define DESC_TYPE_SHIFT 8
#define DESC_S_MASK    (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P_MASK    (1u << 15)
#define DESC_B_MASK    (1u << 22)   /* D/B: 32-bit segment */
#define DESC_G_MASK    (1u << 23)

typedef struct SegmentCache {
    uint32_t base;
    uint32_t limit;      /* byte granular, already scaled by G */
    uint32_t flags;      /* descriptor bits 8-23 as in the second dword */
    uint16_t selector;
    uint16_t pad;
} SegmentCache;

typedef struct DescTable {
    uint32_t base;
    uint32_t limit;
} DescTable;

/*
 * hflags: the parts of the CPU mode a translation depends on; part of
 * every block's lookup key.  Any change to these must end the block.
 */
#define HF_CS32    (1u << 0)   /* default operand/address size 32 */
#define HF_SS32    (1u << 1)   /* stack segment is 32-bit (ESP vs SP) */
#define HF_PE      (1u << 2)   /* CR0.PE */
#define HF_VM      (1u << 3)   /* EFLAGS.VM */
#define HF_CPL_SHIFT 4         /* 2 bits of CPL */
#define HF_CPL_MASK (3u << HF_CPL_SHIFT)
#define HF_PG      (1u << 6)   /* CR0.PG */
#define HF_TF      (1u << 7)   /* single-stepping: one insn per block */
#define HF_INHIBIT_IRQ (1u << 8) /* interrupt shadow (after STI, MOV SS) */
#define HF_ONE_INSN (1u << 9)  /* -icount: a one-instruction block, for the end of
                                * a budget or an I/O access (exec.c, "Exact count") */
/* protection (seg.c): how data accesses through each segment register
 * are checked, 2 bits per segment at HF_SEG_SHIFT + 2 * seg (SEG_CLS_*
 * in seg.h); recomputed by cpu_update_hflags() from the segment caches */
#define HF_SEG_SHIFT 20
#define HF_SEG_MASK  (0xfffu << HF_SEG_SHIFT)

typedef struct CPUState {
    /* --- fields used by generated code (keep first) --- */
    uint32_t regs[8];        /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t eip;
    uint32_t eflags;         /* non-arithmetic bits (see above) + bit 1 */
    uint32_t cc_op;          /* CCOp */
    uint32_t cc_dst, cc_src, cc_src2;
    uint32_t df;             /* +1 or -1: string direction */
    uint32_t hflags;
    uint32_t a20_mask;       /* 0xffffffff or 0xffefffff */
    uint32_t exit_request;   /* set asynchronously: leave the block loop */
    uint32_t code_dirty;     /* a store hit translated code: leave block */
    SegmentCache seg[NUM_SEGS];
    uint32_t cr[5];          /* CR0, (CR1), CR2, CR3, CR4 */
    uint32_t dr[8];
    DescTable gdt, idt;
    SegmentCache ldt, tr;

    /* --- CPU loop bookkeeping --- */
    uint32_t halted;
    uint32_t interrupt_request;  /* CPU_INTERRUPT_* */
    uint32_t nmi_blocked;        /* an NMI handler runs: further NMIs stay pending
                                  * until the next IRET (SDM vol. 3, 6.7.1) */
    int      exception_index;    /* vector being raised, -1 none */
    uint32_t error_code;
    int      old_exception;      /* for double-fault detection, -1 none */
    uint32_t exception_has_error;
    bool     stop_on_exception;  /* test harness: exceptions end cpu_exec */
    uint64_t icount;             /* guest instructions retired */
    uint64_t tsc_offset;
    uint64_t msr_sysenter_cs, msr_sysenter_esp, msr_sysenter_eip;
    uint32_t cpuid_level;
    /* native block chaining: instructions left in this cpu_exec slice; a
     * chained block exits to the loop at entry when it is <= 0, and
     * subtracts its n_insns at every exit (translator.md, "Chaining") */
    int32_t  icount_left;
    /* -icount (exact count): the block running now, NULL between blocks: a
     * fault counts the instructions of it that completed (exec.c) */
    void    *cur_tb;
    int32_t  icount_stop;        /* taken off icount_left to end the chain after an
                                  * MMIO instruction (cpu_before_io), given back by the loop */
    CPUTLB   tlb;                /* software TLB, see mmu/tlb.h (codegen reads it) */

    /* Sections below are each owned by one subsystem; add fields to yours.
     * (Fields generated code reads must stay in the first part above.) */
    /* --- protection: segments, gates, tasks, v8086 (seg.c, task.c) --- */
    /* --- paging (mmu.c) --- */
    uint64_t efer;               /* IA32_EFER (NXE is bit 11) */
    uint64_t pdpte[4];           /* PAE: PDPTEs loaded from CR3 by MOV CR0/CR3/CR4 */
    /* --- exceptions and debug registers (excp.c, debug.c) --- */
    uint32_t dbg_pending;        /* DR6 bits (B0-B3, BS, BT) of #DB traps due at the
                                  * next instruction boundary (generated code reads it) */
    uint32_t dbg_flags;          /* DBG_* (debug.h): breakpoint kinds DR7 enables */
    uint32_t dbg_dirty;          /* DR0-3/DR7 changed: loop flushes blocks and TLB */
    uint32_t shadow_ss;          /* the interrupt shadow is from MOV/POP SS (it also
                                  * holds back #DB traps); written by generated code */
    uint8_t  excp_event;         /* EXCP_EV_* (excp.c): kind of event being delivered */
    uint8_t  excp_sw_int;        /* a software interrupt ran: no single-step trap */
    /* --- MSRs, CPUID and CPU models (msr.c, cpuid.c) --- */
    const struct CPUModel *model; /* -cpu model (cpuid.h); set by cpu_init */
    uint32_t insn_features;      /* 1 << INSN_FEAT_*: optional insns the model has */
    uint64_t tsc_last;           /* last TSC value read: RDTSC never repeats one */
    uint64_t msr_apic_base;      /* IA32_APIC_BASE: base, global enable, BSP */
    uint64_t msr_mtrr_def_type;  /* IA32_MTRR_DEF_TYPE */
    uint64_t msr_mtrr_fixed[11]; /* 0x250, 0x258, 0x259, 0x268..0x26F */
    uint64_t msr_mtrr_var[16];   /* 0x200..0x20F: PHYSBASEn/PHYSMASKn pairs */
    uint64_t msr_pat;            /* IA32_PAT */
    uint64_t msr_misc_enable;    /* IA32_MISC_ENABLE */
    uint64_t msr_perfevtsel[2];  /* PERFEVTSEL0/1 (0x186/0x187) */
    uint64_t msr_pmc[2];         /* PERFCTR0/1 (0xC1/0xC2), 40 bits, do not count */
    /* the local APIC (apic.c) hears every IA32_APIC_BASE write; NULL = none */
    void   (*apic_base_changed)(void *opaque);
    void    *apic_opaque;
    /* --- x87 FPU (fpu/) --- */
    Float80  fpu_st[8];          /* physical registers R0-R7 (ST(i) = R[(top+i)&7]) */
    uint16_t fpu_fcw;            /* control word */
    uint16_t fpu_fsw;            /* status word without TOP (bits 11-13 kept 0) */
    uint8_t  fpu_top;            /* TOP, 0-7 */
    uint8_t  fpu_valid;          /* bit i: R[i] not empty (tags computed on store) */
    uint16_t fpu_fop;            /* last non-control opcode, 11 bits */
    uint32_t fpu_fip, fpu_fdp;   /* its offset and its memory operand's offset */
    uint16_t fpu_fcs, fpu_fds;   /* their selectors */
    uint32_t fpu_mxcsr;          /* MXCSR (sse/xmm.h bits): SSE control and status */
    bool     fpu_ferr;           /* FERR# output level (ES pending with CR0.NE=0) */
    /* FERR# line: the platform wires it to IRQ 13 of the PIC (IrqHandler
     * shape, see bus/irq.h); NULL = unconnected */
    void   (*fpu_ferr_handler)(void *opaque, int n, int level);
    void    *fpu_ferr_opaque;
    /* --- MMX, SSE (sse/): MMn is fpu_st[n].mant (helpers_simd.c) --- */
    XMMReg   xmm[8];             /* XMM0-7 (16-byte aligned) */
    /* --- OS debugging: gdb stub, traces, icount (src/debug/) --- */
    uint32_t dbg_gdb_flags;      /* DBG_* bits the gdb stub's breakpoints/watchpoints
                                  * add to dbg_flags (debug_update keeps them) */
    uint32_t gdb_step;           /* GDB_STEP_*: one-insn blocks, no IRQs (set by the gdb stub) */
    int32_t  icount_left0;       /* icount_left given to the running chain (icount clock) */
    struct TraceWriter *trace;   /* --trace writer, NULL when not tracing */
    struct {
        const CPUHooks *ops;
        void *opaque;
    } hooks[CPU_MAX_HOOKS];      /* cpu_add_hooks: gdb stub, tracer, record/replay */
    int n_hooks;
    bool int_hooks;              /* some hook has on_int: interrupts call it */

    /* interrupt controller hook (set by the machine wiring): acknowledge
     * the pending INTR and return its vector; NULL = no controller */
    int    (*irq_ack)(void *opaque);
    void    *irq_ack_opaque;

    struct PhysMem *mem;         /* the physical memory map: page walks, the front end's code fetch */
    /* the buses the CPU reaches, given by the board at creation (machine.c) */
    struct IOBus *io;            /* port I/O (IN/OUT/INS/OUTS helpers) */
    struct VirtClock *clock;     /* the TSC's time base; NULL: the instruction count */
    struct Translator *tr_ctx;   /* translator that runs this CPU */
    sigjmp_buf jmp_env;          /* raise_exception() unwinds to here */
} CPUState;

#define CPU_INTERRUPT_HARD  (1u << 0)  /* maskable IRQ pending (PIC) */
#define CPU_INTERRUPT_NMI   (1u << 1)
#define CPU_INTERRUPT_EXIT  (1u << 2)  /* leave cpu_exec (timers, I/O) */

/* an NMI is pending and not blocked by a running NMI handler */
static inline bool cpu_nmi_deliverable(const CPUState *env)
{
    return (env->interrupt_request & CPU_INTERRUPT_NMI) && !env->nmi_blocked;
}

static inline int cpu_cpl(const CPUState *env)
{
    return (env->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT;
}

/* how cpu_exec() ended */
typedef enum CPUExitReason {
    CPU_EXIT_BUDGET,      /* ran the instruction budget */
    CPU_EXIT_HALT,        /* HLT (env->halted) */
    CPU_EXIT_REQUEST,     /* exit_request / CPU_INTERRUPT_EXIT */
    CPU_EXIT_EXCEPTION,   /* stop_on_exception and one was raised */
    CPU_EXIT_SHUTDOWN,    /* triple fault or machine asked to stop */
    CPU_EXIT_DEBUG,       /* the gdb stub asked to stop (breakpoint, watchpoint, step) */
} CPUExitReason;

/* cpu_vmstate.c: the CPU's saved state (bus/vmstate.h) */
struct VMStateDesc;
extern const struct VMStateDesc cpu_vmsd;

/* cpu.c */
void cpu_init(CPUState *env, struct PhysMem *mem);
void cpu_reset(CPUState *env);        /* F000:FFF0, real mode */
void cpu_update_hflags(CPUState *env); /* recompute hflags from state */
void cpu_load_seg_real(CPUState *env, int seg, uint16_t selector);
void cpu_dump_state(CPUState *env, FILE *f);

/* IrqHandler for Machine.cpu_intr: level of the INTR pin sets or clears
 * CPU_INTERRUPT_HARD (opaque is the CPUState) */
void cpu_set_irq(void *opaque, int n, int level);
/* IrqHandler of the NMI pin: a rising level makes an NMI pending */
void cpu_set_nmi(void *opaque, int n, int level);
/* the debuggers' hooks (CPUHooks): added once, removed by the same pair */
void cpu_add_hooks(CPUState *env, const CPUHooks *ops, void *opaque);
void cpu_remove_hooks(CPUState *env, const CPUHooks *ops, void *opaque);
/* the front end's call of the first on_translate_insn hook (0 if none) */
uint32_t cpu_hook_translate_insn(CPUState *env, uint32_t lin, uint32_t phys, uint8_t mode,
                                 const uint8_t *bytes, int len);

/* A20 gate: sets a20_mask; on a change flushes the TLB and the
 * translated code (chains with paging off cache targets by linear
 * address).  cpu_set_a20_line is its IrqHandler (opaque = the CPUState)
 * for the line the board wires from the i8042 and port 92. */
void cpu_set_a20(CPUState *env, bool enabled);
void cpu_set_a20_line(void *opaque, int n, int level);
/* exception_index after a triple fault (cpu_exec returns SHUTDOWN) */
#define EXCP_TRIPLE_FAULT 0x100
/* -icount: an MMIO access from an instruction that is not the last of its
 * block; the loop runs that instruction again as a block of its own */
#define EXCP_IO_RESTART   0x101

/* exec.c: run up to max_insns guest instructions */
CPUExitReason cpu_exec(CPUState *env, uint64_t max_insns);
/* instructions retired, exact also in the middle of a block under -icount
 * (a device reading the clock from an I/O or MMIO helper, RDTSC) */
uint64_t cpu_icount_now(const CPUState *env);
/* -icount: an MMIO access is about to happen (the MMU's before_io hook):
 * unless the instruction is the last of its block, leave the block with
 * EXCP_IO_RESTART before anything of the instruction happened */
void cpu_before_io(CPUState *env);

/* flags.c */
uint32_t cpu_compute_eflags(CPUState *env);            /* full EFLAGS */
void     cpu_load_eflags(CPUState *env, uint32_t val, uint32_t mask);
uint32_t cc_compute_all(uint32_t op, uint32_t dst, uint32_t src, uint32_t src2);

/* excp.c: raise a guest exception, precise at env->eip (never returns) */
_Noreturn void raise_exception(CPUState *env, int vector, uint32_t error_code);
_Noreturn void raise_exception_noerr(CPUState *env, int vector);
/* deliver a pending exception or interrupt (real mode IVT / PM IDT) */
void cpu_do_interrupt(CPUState *env, int vector, bool is_sw, bool has_error,
                      uint32_t error_code, uint32_t next_eip);

/* the memory accessors (cpu_ld*, cpu_st*, paging): need CPUState above */
#include "cpu-x86/mem.h"

#endif
