/*
 * guest.c - the x86 guest as the translator sees it: one constant
 * GuestDesc (translator/guest.h) naming CPUState's registers and the
 * words generated code touches, the block key, the helper table, the
 * software TLB and the MMU entry points the block cache and the backends
 * call.  machine.c hands it to translator_new(); nothing under
 * src/translator/ includes an x86 header.
 */
#include <stddef.h>
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"
#include "cpu-x86/translate.h"
#include "mmu/mmu.h"

#define X86_WORD(name_, field_) { name_, (uint32_t)offsetof(CPUState, field_), IR_I32 }

/* get_reg/set_reg $0..$7 */
static const GuestGlobal x86_regs[8] = {
    X86_WORD("eax", regs[R_EAX]), X86_WORD("ecx", regs[R_ECX]),
    X86_WORD("edx", regs[R_EDX]), X86_WORD("ebx", regs[R_EBX]),
    X86_WORD("esp", regs[R_ESP]), X86_WORD("ebp", regs[R_EBP]),
    X86_WORD("esi", regs[R_ESI]), X86_WORD("edi", regs[R_EDI]),
};

#define X86_SEG(n_, i_) \
    X86_WORD(n_ ".base", seg[i_].base), X86_WORD(n_ ".limit", seg[i_].limit), \
    X86_WORD(n_ ".flags", seg[i_].flags), X86_WORD(n_ ".selector", seg[i_].selector)

/* env words the IR printer names (comments after ld_env / st_env) */
static const GuestGlobal x86_fields[] = {
    X86_WORD("eip", eip),
    X86_WORD("eflags", eflags),
    X86_WORD("cc_op", cc_op),           /* the lazy flags: CCOp and its operands */
    X86_WORD("cc_dst", cc_dst),
    X86_WORD("cc_src", cc_src),
    X86_WORD("cc_src2", cc_src2),
    X86_WORD("df", df),
    X86_WORD("hflags", hflags),
    X86_WORD("a20_mask", a20_mask),
    X86_WORD("exit_request", exit_request),
    X86_WORD("code_dirty", code_dirty),
    X86_SEG("es", R_ES), X86_SEG("cs", R_CS), X86_SEG("ss", R_SS),
    X86_SEG("ds", R_DS), X86_SEG("fs", R_FS), X86_SEG("gs", R_GS),
};

/* changed behind a block's back: exit_request asynchronously, code_dirty
 * by the code-write hook inside a guest store */
static const uint32_t x86_volatile[] = {
    offsetof(CPUState, exit_request),
    offsetof(CPUState, code_dirty),
};

/* what the CPU loop must see before the next block: an indirect exit
 * (LOOKUP_TB) goes back to it instead of the jump cache while any is set
 * (exit requests, a pending interrupt or NMI, a pending #DB trap) */
static const uint32_t x86_exit_words[] = {
    offsetof(CPUState, exit_request),
    offsetof(CPUState, interrupt_request),
    offsetof(CPUState, dbg_pending),
};

/* the TLB view of a block: user for CPL 3, else kernel */
static int x86_tlb_mode(uint32_t hflags)
{
    return (hflags & HF_CPL_MASK) == HF_CPL_MASK ? TLB_MMU_USER : TLB_MMU_KERNEL;
}

/* an MO_ALIGN access that is not aligned.  The front end emits no
 * MO_ALIGN yet; the first users (MOVAPS-like SSE accesses) fault with
 * #GP(0), which is what this raises.  Alignment checking (#AC(0) when
 * CR0.AM, EFLAGS.AC and CPL 3) will need the MemOp to say which check an
 * access wants, and then return for accesses the check lets through. */
static void x86_misaligned(void *env, GuestVirt addr, uint32_t memop, bool write)
{
    raise_exception(env, EXCP_GP, 0);
}

static void x86_code_page_added(void *env, const uint8_t *host_page)
{
    tlb_drop_code_page(env, host_page);
}

const GuestDesc x86_guest = {
    .name = "x86",
    .env_size = sizeof(CPUState),
    .regs = x86_regs,
    .n_regs = G_N_ELEMENTS(x86_regs),
    .fields = x86_fields,
    .n_fields = G_N_ELEMENTS(x86_fields),
    .forward_end = offsetof(CPUState, halted),      /* the generated-code part */
    .volatile_words = x86_volatile,
    .n_volatile = G_N_ELEMENTS(x86_volatile),
    .code_dirty = offsetof(CPUState, code_dirty),
    .icount_left = offsetof(CPUState, icount_left),
    .cur_tb = offsetof(CPUState, cur_tb),
    .exit_words = x86_exit_words,
    .n_exit_words = G_N_ELEMENTS(x86_exit_words),

    .key_pc = offsetof(CPUState, eip),
    .key_cs_base = offsetof(CPUState, seg[R_CS].base),
    .key_cs_limit = offsetof(CPUState, seg[R_CS].limit),
    .key_flags = offsetof(CPUState, hflags),
    .flags_paging = HF_PG,
    .flags_nochain = HF_TF | HF_INHIBIT_IRQ | HF_ONE_INSN,

    .helpers = helper_table,
    .n_helpers = HELPER_COUNT,

    .tlb_offset = offsetof(CPUState, tlb.table),
    .tlb_views = TLB_NB_MODES,
    .tlb_mode = x86_tlb_mode,
    .ld_slow = { mmu_ld8_slow, mmu_ld16_slow, mmu_ld32_slow },
    .st_slow = { mmu_st8_slow, mmu_st16_slow, mmu_st32_slow },
    .ld_slow64 = mmu_ld64_slow,
    .st_slow64 = mmu_st64_slow,
    .misaligned = x86_misaligned,

    .code_phys = mmu_translate_code,
    .probe_code = mmu_probe_code,
    .code_page_added = x86_code_page_added,
};
