/*
 * codegen.c - the native backend: IR -> x86-64 host code.
 *
 * Code lives in one mmap'd RWX buffer per translator, filled linearly;
 * when a block does not fit, compile() fails and the translator flushes.
 * The buffer starts with two shared pieces, so every block runs in the
 * same frame and blocks can jump straight into each other (chaining):
 *
 *   enter(env, code):  push rbx, rbp, r12-r15; sub rsp, CG_FRAME + 8
 *                      mov rbx, rdi (env pinned in rbx); jmp rsi
 *   epilogue:          add rsp, CG_FRAME + 8; pop ...; ret
 *                      (rax = TB pointer | TB_EXIT_*)
 *
 * A block:
 *
 *   code:  [sub rsp, extra]                    ; blocks needing > CG_FRAME
 *          ... IR ops ...
 *   goto_tb n:  [add rsp, extra]; sub dword [rbx + icount_left], n_insns
 *               jg rel32  --> stub_n, or patched to the successor's `code`
 *     stub_n:   mov rax, tb | n; jmp epilogue
 *   exit:       [add rsp, extra]; sub [icount_left], n_insns
 *               mov rax, tb | TB_EXIT_NOCHAIN; jmp epilogue
 *   lookup_tb, and goto_tb n to another page (tb_slot_lookup):
 *               [add rsp, extra]; sub [icount_left], n_insns; jle stub
 *               mov eax, [rbx + code_dirty]; or eax, [rbx + exit word]...
 *               jne stub                            ; the loop must look
 *               ecx = tb_jc_hash([rbx + pc] + [rbx + cs_base]) * 32
 *               mov rax, t->jc; add rcx, rax        ; the entry
 *               cmp the four key words with env's; jne stub (each)
 *               mov rax, [rcx + code]; test rax, rax; je stub
 *               jmp rax                             ; the jump cache's block
 *     stub:     mov rax, tb | TB_EXIT_NOCHAIN (or n); jmp epilogue
 *   slow paths of the TLB lookups (below)
 *
 * The budget check of a chained successor is the jg on the flags of the
 * sub: a chain stops with the first block that leaves icount_left <= 0
 * (it returns its slot exit, cpu_exec sees the budget spent), which is
 * the same "icount < budget before a block" test as the unchained loop.
 * exec() always runs its first block.  cg_patch_jump rewrites the rel32 (single-threaded:
 * no atomicity needed).
 *
 * Temps: the host-neutral allocator (translator/regalloc.c) places them
 * from the host description cg_host: constants (temps defined once, by
 * movi) are immediates and get no location; the linear scan gives the
 * callee-saved registers rbp, r12-r15 (they survive helper calls) and,
 * for ranges that span no helper call, r8-r11 (the TLB slow paths push
 * the ones in use around their call); the rest get 4-byte stack slots in
 * the frame ([rsp + 4 * slot]; an I64 temp takes two, 8-aligned), reused
 * once a range ends.  rax, rcx, rdx,
 * rsi and rdi are scratch inside one IR op.  regalloc.c also plans which
 * env stores go only into a TLB miss path (store sinking).
 *
 * Types: I32 ops use the 32-bit forms (every 32-bit result is
 * zero-extended in its register, which EXT32U relies on), I64 ops the
 * same code with REX.W (Emitter.w64); I64 constants get a location, not
 * an immediate.  Loads and stores of I64 temps use the 64-bit load, store
 * and sign-extension forms and the guest's 64-bit slow paths.
 *
 * Instruction selection: two-address ALU forms built in the destination
 * register (`mov r, a; op r, b`, operands register, [rsp+slot] or
 * immediate; `lea` for add/sub that need a copy), shifts by immediates,
 * a comparison (setcc) or an ld_env whose only use is the brz/brnz right
 * after it becomes cmp + jcc, stores of constants to env are
 * `mov dword [rbx + off], imm32`.
 *
 * GET_REG/SET_REG/LD_ENV/ST_ENV are moves at [rbx + offset], the offsets
 * of GET_REG/SET_REG from the GuestDesc (guest.h), baked in like every
 * other guest constant (the TLB's env offset, the budget word, the slow
 * path and helper addresses).
 * LD/ST inline the software-TLB lookup (layout in mmu/tlb.h), on the
 * address's own register (or esi when it is not in one), the miss path
 * out of line after the block's exits so that a hit falls through:
 *
 *   lea eax, [addr + size-1]; or eax, 0xfff                 ; tag of last byte
 *   mov ecx, addr; shr ecx, 8; and ecx, 0xff0               ; entry offset
 *   cmp eax, [rbx + rcx + tlb(mode).addr_read/addr_write]
 *   jne miss
 *   mov rcx, [rbx + rcx + tlb(mode).addend]; mov out, [rcx + addr]  (or store)
 *   ...
 *   miss: [mov esi, addr; mov edx, val]; push r8-r11 in use
 *         mov rdi, rbx; call guest ld/st_slow[N]            ; may raise (siglongjmp)
 *         pop; [mov out, eax]; jmp back
 *
 * Helpers are direct calls (rel32 when the buffer is near the C code,
 * else through rax) with env in rdi.  A guest exception is a siglongjmp
 * out of a callee: frames are plain (no unwind info needed), callee-saved
 * registers are restored by longjmp, no temp lives in a caller-saved
 * register across a helper call (the TLB slow paths save theirs), and rsp
 * is 16-byte aligned at every call.
 */
#include <string.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <capstone/capstone.h>
#include "translator/translator.h"
#include "translator/regalloc.h"
#include "translator/x86_64/emit.h"
#include "mmu/tlb.h"

#define CG_MAX_PER_INSN  128    /* host bytes one IR op can need, at most */
#define CG_BLOCK_EXTRA   256    /* entry check, guard exit, stubs, alignment */
#define CG_FRAME         1024   /* shared spill area: 256 slots (multiple of 16) */

/* temps' registers: the callee-saved ones first (any live range), then
 * caller-saved ones for ranges that do not span a helper call (the TLB
 * slow paths save and restore the ones in use around their call) */
static const int8_t cg_alloc_regs[] = { HR_RBP, HR_R12, HR_R13, HR_R14, HR_R15,
                                        HR_R8, HR_R9, HR_R10, HR_R11 };
/* System V AMD64: integer arguments, env first in helper calls */
static const int8_t cg_call_args[] = { HR_RDI, HR_RSI, HR_RDX, HR_RCX, HR_R8, HR_R9 };

#define HR_BIT(r) (1u << (r))

/* the host as the register allocator (regalloc.h) sees it; rax, rcx, rdx,
 * rsi and rdi are scratch inside one IR op, rsp the frame, rbx env */
static const HostDesc cg_host = {
    .name = "x86_64",
    .alloc_regs = cg_alloc_regs,
    .n_alloc_regs = G_N_ELEMENTS(cg_alloc_regs),
    .callee_saved = HR_BIT(HR_RBX) | HR_BIT(HR_RBP) | HR_BIT(HR_R12) | HR_BIT(HR_R13) |
                    HR_BIT(HR_R14) | HR_BIT(HR_R15),
    .caller_saved = HR_BIT(HR_RAX) | HR_BIT(HR_RCX) | HR_BIT(HR_RDX) | HR_BIT(HR_RSI) |
                    HR_BIT(HR_RDI) | HR_BIT(HR_R8) | HR_BIT(HR_R9) | HR_BIT(HR_R10) |
                    HR_BIT(HR_R11),
    .arg_regs = cg_call_args,
    .n_arg_regs = G_N_ELEMENTS(cg_call_args),
    .ret_reg = HR_RAX,
    .env_reg = HR_RBX,
    .scratch_reg = HR_RAX,
};

typedef uintptr_t (*CgEnterFn)(void *env, const void *code);

typedef struct CodegenState {
    const GuestDesc *guest;
    int32_t icount_left;  /* env offset of the budget word (guest) */
    uint8_t *buf;
    size_t size, used;
    size_t code_start;    /* blocks start here, after enter/epilogue */
    CgEnterFn enter;
    uint8_t *epilogue;
    csh cs;               /* -d out_asm disassembler (0 if unavailable) */
    bool cs_ok;
} CodegenState;

static const int cg_saved_regs[] = { HR_RBX, HR_RBP, HR_R12, HR_R13, HR_R14, HR_R15 };
#define CG_N_SAVED ((int)G_N_ELEMENTS(cg_saved_regs))

/* the shared entry and exit at the start of the buffer */
static void cg_emit_trampolines(CodegenState *s)
{
    Emitter e = { .p = s->buf };

    s->enter = (CgEnterFn)(void *)e.p;
    for (int i = 0; i < CG_N_SAVED; i++)
        emit_push(&e, cg_saved_regs[i]);
    /* entry rsp = 8 mod 16; 6 pushes keep it 8 mod 16; +8 aligns */
    emit_rsp_adjust(&e, -(CG_FRAME + 8));
    emit_mov_r64_r64(&e, HR_RBX, HR_RDI);
    emit8(&e, 0xff);
    emit8(&e, 0xe6);                        /* jmp rsi */
    e.p = s->buf + 64;
    s->epilogue = e.p;
    emit_rsp_adjust(&e, CG_FRAME + 8);
    for (int i = CG_N_SAVED; i-- > 0;)
        emit_pop(&e, cg_saved_regs[i]);
    emit8(&e, 0xc3);
    s->code_start = (size_t)((e.p - s->buf + 15) & ~15);
    s->used = s->code_start;
}

static bool cg_init(Translator *t, GError **errp)
{
    CodegenState *s = g_new0(CodegenState, 1);
    /* ask for an address near our own code so calls can use rel32 */
    uintptr_t near = ((uintptr_t)t->guest->ld_slow[0] & ~(uintptr_t)0xfffff) - (512u << 20);
    size_t size = t->tb_size;           /* pages are committed as code is written */
    void *p = mmap((void *)near, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        g_set_error(errp, TX86_IR_ERROR, 20,
                    "cannot map %zu MiB of executable memory for the code buffer",
                    size >> 20);
        g_free(s);
        return false;
    }
    s->guest = t->guest;
    s->icount_left = (int32_t)t->guest->icount_left;
    s->buf = p;
    s->size = size;
    cg_emit_trampolines(s);
    s->cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &s->cs) == CS_ERR_OK;
    t->backend_state = s;
    return true;
}

static void cg_cleanup(Translator *t)
{
    CodegenState *s = t->backend_state;
    if (!s)
        return;
    munmap(s->buf, s->size);
    if (s->cs_ok)
        cs_close(&s->cs);
    g_free(s);
    t->backend_state = NULL;
}

static void cg_flush(Translator *t)
{
    CodegenState *s = t->backend_state;
    s->used = s->code_start;
}

/* ------------------------------------------------------------ code gen */

/* per-block facts the exits need */
typedef struct CgBlock {
    CodegenState *s;
    TranslationBlock *tb;
    uint8_t *code;
    int32_t extra;              /* rsp adjustment beyond the shared frame */
} CgBlock;


/* leave through the shared epilogue with rax = tb | exit */
static void cg_exit_stub(Emitter *e, const CgBlock *b, int exit)
{
    emit_mov_r64_imm(e, HR_RAX, (uint64_t)((uintptr_t)b->tb | (uintptr_t)exit));
    emit_patch_rel32(emit_jmp32(e), b->s->epilogue);
}

/* what every exit of a finished block does first: the budget word loses
 * the instructions that ran (n_done; 0 = the whole block) */
static void cg_exit_account_n(Emitter *e, const CgBlock *b, uint32_t n_done)
{
    emit_rsp_adjust(e, b->extra);
    emit_sub_m32_imm(e, HR_RBX, b->s->icount_left, n_done ? n_done : b->tb->n_insns);
}

static void cg_exit_account(Emitter *e, const CgBlock *b)
{
    cg_exit_account_n(e, b, 0);
}

/* the exit `exit` (a slot or TB_EXIT_NOCHAIN) through the jump cache:
 * while the budget lasts and nothing asks the CPU loop to look (the
 * guest's code_dirty and exit words), find env's linear pc's entry in
 * t->jc (translator.h: tb_jc_hash, TbJcEntry), compare its key words with
 * env's and jump to its code; anything else: the exit stub.  rax, rcx
 * and rdx are free here (every guest register is already in env). */
static_assert(sizeof(TbJcEntry) == 32, "cg_exit_lookup scales the index by 32");
static_assert(offsetof(TbJcEntry, pc) == 0 && offsetof(TbJcEntry, cs_base) == 4 &&
              offsetof(TbJcEntry, cs_limit) == 8 && offsetof(TbJcEntry, hflags) == 12 &&
              offsetof(TbJcEntry, code) == 16, "the key words cg_exit_lookup compares");
static_assert(sizeof(GuestVirt) == 4, "cg_exit_lookup hashes a 32-bit linear pc");

static void cg_exit_lookup(Emitter *e, const CgBlock *b, Translator *t, int exit)
{
    const GuestDesc *g = t->guest;
    uint8_t *miss[16];
    int n = 0;

    cg_exit_account(e, b);
    miss[n++] = emit_jcc32(e, CC_HO_LE);
    emit_mov_r_loc(e, HR_RAX, loc_mem(HR_RBX, (int32_t)g->code_dirty));
    for (uint32_t i = 0; i < g->n_exit_words; i++)
        emit_alu_r_loc(e, 0x0b, HR_RAX, loc_mem(HR_RBX, (int32_t)g->exit_words[i]));
    miss[n++] = emit_jcc32(e, CC_HO_NE);
    /* edx = pc (kept for the first key compare); ecx = tb_jc_hash(cs_base + pc) */
    emit_mov_r_loc(e, HR_RDX, loc_mem(HR_RBX, (int32_t)g->key_pc));
    emit_mov_r_loc(e, HR_RAX, loc_reg(HR_RDX));
    emit_alu_r_loc(e, 0x03, HR_RAX, loc_mem(HR_RBX, (int32_t)g->key_cs_base));
    emit_mov_r_loc(e, HR_RCX, loc_reg(HR_RAX));
    emit_shr_r_imm(e, HR_RCX, TB_JC_SHIFT);
    emit_alu_r_loc(e, 0x33, HR_RCX, loc_reg(HR_RAX));          /* tmp */
    emit_mov_r_loc(e, HR_RAX, loc_reg(HR_RCX));
    emit_shr_r_imm(e, HR_RAX, TB_JC_SHIFT);
    emit_alu_r_imm32(e, 4, HR_RAX, TB_JC_SIZE - TB_JC_PAGE_SIZE);
    emit_alu_r_imm32(e, 4, HR_RCX, TB_JC_PAGE_SIZE - 1);
    emit_alu_r_loc(e, 0x0b, HR_RCX, loc_reg(HR_RAX));
    emit_shift_imm(e, 4, loc_reg(HR_RCX), 5);                   /* shl ecx, 5 */
    emit_mov_r64_imm(e, HR_RAX, (uint64_t)(uintptr_t)t->jc);
    emit_op_rm(e, true, 0x01, 0, HR_RAX, loc_reg(HR_RCX), false);   /* add rcx, rax */
    const uint32_t key[4] = { g->key_pc, g->key_cs_base, g->key_cs_limit, g->key_flags };
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            emit_mov_r_loc(e, HR_RDX, loc_mem(HR_RBX, (int32_t)key[i]));
        emit_alu_r_loc(e, 0x3b, HR_RDX, loc_mem(HR_RCX, 4 * i));
        miss[n++] = emit_jcc32(e, CC_HO_NE);
    }
    emit_op_rm(e, true, 0x8b, 0, HR_RAX, loc_mem(HR_RCX, offsetof(TbJcEntry, code)), false);
    emit8(e, 0x48);
    emit8(e, 0x85);
    emit8(e, 0xc0);                         /* test rax, rax */
    miss[n++] = emit_jcc32(e, CC_HO_E);
    emit8(e, 0xff);
    emit8(e, 0xe0);                         /* jmp rax */
    assert(n <= (int)G_N_ELEMENTS(miss));
    for (int i = 0; i < n; i++)
        emit_patch_rel32(miss[i], e->p);
    cg_exit_stub(e, b, exit);
}

/* sub [icount_left], n_insns; jg successor (patched) or the stub: the
 * budget check for the successor is done here, on the flags of the sub.
 * A slot whose target is on another page (never patched, tb_slot_lookup)
 * goes through the jump cache instead. */
static void cg_goto_tb(Emitter *e, const CgBlock *b, Translator *t, int slot)
{
    if (tb_slot_lookup(t, b->tb, slot)) {
        b->tb->jmp_insn_offset[slot] = 0;   /* nothing to patch */
        cg_exit_lookup(e, b, t, slot);
        return;
    }
    cg_exit_account(e, b);
    uint8_t *rel = emit_jcc32(e, CC_HO_G);
    emit_patch_rel32(rel, e->p);            /* unpatched: to the stub below */
    b->tb->jmp_insn_offset[slot] = (uint32_t)(rel - b->code);
    b->tb->jmp_reset_offset[slot] = (uint32_t)(e->p - b->code);
    cg_exit_stub(e, b, slot);
}

static void cg_exit(Emitter *e, const CgBlock *b, uint32_t n_done)
{
    cg_exit_account_n(e, b, n_done);
    cg_exit_stub(e, b, TB_EXIT_NOCHAIN);
}

/* an indirect branch (LOOKUP_TB): through the jump cache unless chaining
 * is off (-d nochain, -d exec, -d cpu) or tb single-steps */
static void cg_lookup_tb(Emitter *e, const CgBlock *b, Translator *t)
{
    if (tb_exit_lookup(t, b->tb))
        cg_exit_lookup(e, b, t, TB_EXIT_NOCHAIN);
    else
        cg_exit(e, b, 0);
}

static_assert(G_N_ELEMENTS(cg_call_args) >= IR_MAX_IN + 1, "env and every helper argument");
static_assert(G_N_ELEMENTS(cg_call_args) >= 4, "the misaligned hook's four arguments");

/*
 * Inline TLB lookup for a `size`-byte access at the address in register
 * ar (zero-extended, as every 32-bit result is); tag_off is
 * offsetof(CPUTLBEntry, addr_read / addr_write).  Leaves rcx = host
 * address base (add ar) on a hit and returns the jne rel32 field to patch
 * to the out-of-line slow path.  An access that must be aligned (align =
 * size, MO_ALIGN; else 1) keeps the alignment bits of its last byte out of
 * the OR (tlb_tag_aligned): a misaligned address misses, at no cost.
 */
static uint8_t *cg_tlb_lookup(Emitter *e, int ar, int32_t tlb_off, int size, int align,
                              int32_t tag_off)
{
    if (size > 1)
        emit_lea_r32_disp8(e, HR_RAX, ar, (int8_t)(size - 1));
    else
        emit_mov_r_loc(e, HR_RAX, loc_reg(ar));
    emit_alu_r_imm32(e, 1, HR_RAX, TLB_PAGE_LOW & ~(uint32_t)(align - 1)); /* or eax, 0xfff */
    emit_mov_r_loc(e, HR_RCX, loc_reg(ar));
    emit_shr_r_imm(e, HR_RCX, 12 - 4);
    emit_alu_r_imm32(e, 4, HR_RCX, (TLB_SIZE - 1) << 4);           /* and ecx, 0xff0 */
    emit_op_sib(e, false, false, 0x3b, 0, HR_RAX, HR_RBX, HR_RCX,  /* cmp eax, tag */
                tlb_off + tag_off, true);
    uint8_t *miss = emit_jcc32(e, CC_HO_NE);
    emit_op_sib(e, false, true, 0x8b, 0, HR_RCX, HR_RBX, HR_RCX,   /* mov rcx, addend */
                tlb_off + (int32_t)offsetof(CPUTLBEntry, addend), true);
    return miss;
}

/*
 * A TLB miss path, emitted out of line after the block's exits so that
 * the hit path falls straight through:
 *     miss: stores sunk here (cg_plan_sinking)
 *           mov esi, addr; [mov edx, val]; push the caller-saved temps in use
 *           mov rdi, rbx
 *           [MO_ALIGN: test esi, size-1; jz 1f; push rsi; push rdx
 *                      mov edx, memop; mov ecx, is_store; call misaligned
 *                      pop rdx; pop rsi; mov rdi, rbx; 1:]
 *           call mmu_xxN_slow; pop them; [extend; mov out, eax/rax]
 *           jmp resume
 * esi still holds the address when the fast path jumps here.  A fault
 * longjmps out of the call: the pushed registers are simply dropped.
 * I64 accesses (w64) move the value and the result at 64 bits; a
 * narrower I64 load's result is extended from the slow path's uint32_t.
 */
typedef struct CgSlowPath {
    uint8_t *jne;           /* rel32 field of the fast path's jne */
    int addr_reg;           /* register holding the address (esi: loaded) */
    uint32_t sunk;          /* first store sunk here (cg_plan_sinking) */
    uint8_t *resume;        /* first byte after the fast path */
    const void *fn;         /* the guest's ld_slow[] / st_slow[] (64) */
    const void *misaligned; /* MO_ALIGN: the guest's hook, else NULL */
    bool is_load;
    bool w64;               /* an I64 access */
    uint8_t size;           /* bytes */
    uint8_t memop;          /* MemOp, for the misaligned hook */
    uint8_t sext;           /* load: movsx opcode byte (0xbe, 0xbf; 0x63 I64 from 32) or 0 */
    HostLoc loc;            /* load: destination; store: the value */
} CgSlowPath;

/* mov [rbx + offset of the store's word], value (at the store's width) */
static void cg_emit_env_store(Emitter *e, const GuestDesc *g, const IRInsn *in, HostLoc a)
{
    bool w64 = e->w64;
    e->w64 = in->type == IR_I64;
    HostLoc dst = loc_mem(HR_RBX, (int32_t)(in->op == IR_SET_REG
                          ? ir_reg_offset(g, (uint32_t)in->imm) : in->imm));
    if (a.reg >= 0) {
        emit_mov_loc_r(e, dst, a.reg);
    } else if (loc_is_imm(a)) {
        emit_mov_loc_imm(e, dst, (uint32_t)a.disp);
    } else {
        emit_mov_r_loc(e, HR_RAX, a);
        emit_mov_loc_r(e, dst, HR_RAX);
    }
    e->w64 = w64;
}

static void cg_emit_slow_path(Emitter *e, const CgSlowPath *sp, uint32_t used_regs,
                              const IRBlock *ir, const HostLoc *loc,
                              const uint32_t *sink_next, const uint32_t *sink_remat)
{
    const HostDesc *h = &cg_host;
    int saved[RA_MAX_REGS], n_saved = 0;
    for (uint32_t k = 0; k < h->n_alloc_regs; k++) {
        int r = h->alloc_regs[k];
        if ((used_regs & h->caller_saved) & HR_BIT(r))
            saved[n_saved++] = r;       /* in use, clobbered by the call */
    }
    int32_t pad = (n_saved & 1) ? 8 : 0;      /* keep rsp 16-byte aligned */

    emit_patch_rel32(sp->jne, e->p);
    for (uint32_t k = sp->sunk; k != UINT32_MAX; k = sink_next[k]) {
        if (sink_remat[k] != UINT32_MAX) {
            /* the value is add a, c: computed here (eax is free) */
            const IRInsn *x = &ir->insns[sink_remat[k]];
            HostLoc a = loc[x->in[0]], c = loc[x->in[1]];
            if (a.reg >= 0) {
                emit_op_rm(e, false, 0x8d, 0, HR_RAX, loc_mem(a.reg, c.disp), false);
            } else {
                emit_mov_r_loc(e, HR_RAX, a);
                emit_alu_r_loc(e, 0x03, HR_RAX, c);
            }
            cg_emit_env_store(e, ir->guest, &ir->insns[k], loc_reg(HR_RAX));
            continue;
        }
        cg_emit_env_store(e, ir->guest, &ir->insns[k], loc[ir->insns[k].in[0]]);
    }
    emit_mov_r_loc(e, h->arg_regs[1], loc_reg(sp->addr_reg));
    e->w64 = sp->w64;
    if (!sp->is_load)
        emit_mov_r_loc(e, h->arg_regs[2], sp->loc);   /* before rsp moves: may be a slot */
    e->w64 = false;
    for (int k = 0; k < n_saved; k++)
        emit_push(e, saved[k]);
    emit_rsp_adjust(e, -pad);
    emit_mov_r64_r64(e, h->arg_regs[0], h->env_reg);
    if (sp->misaligned) {
        /* test esi, size-1; jz over; the hook(env, addr, memop, is_store)
         * with the slow path's arguments kept (two pushes: rsp stays aligned) */
        emit_op_rm(e, false, 0xf7, 0, 0, loc_reg(h->arg_regs[1]), false);
        emit32(e, (uint32_t)sp->size - 1);
        uint8_t *aligned = emit_jcc32(e, CC_HO_E);
        emit_push(e, h->arg_regs[1]);
        emit_push(e, h->arg_regs[2]);
        emit_mov_r_imm(e, h->arg_regs[2], sp->memop);
        emit_mov_r_imm(e, h->arg_regs[3], sp->is_load ? 0 : 1);
        emit_call(e, sp->misaligned);
        emit_pop(e, h->arg_regs[2]);
        emit_pop(e, h->arg_regs[1]);
        emit_mov_r64_r64(e, h->arg_regs[0], h->env_reg);
        emit_patch_rel32(aligned, e->p);
    }
    emit_call(e, sp->fn);
    emit_rsp_adjust(e, pad);
    for (int k = n_saved; k-- > 0;)
        emit_pop(e, saved[k]);
    if (sp->is_load && sp->w64 && sp->size < 8) {
        /* the slow path returned a uint32_t: extend it to 64 bits */
        if (sp->sext == 0x63)
            emit_op_rm(e, true, 0x63, 0, h->ret_reg, loc_reg(h->ret_reg), false);
        else if (sp->sext) {
            e->w64 = true;
            emit_movx(e, sp->sext, h->ret_reg, loc_reg(h->ret_reg));
            e->w64 = false;
        } else
            emit_op_rm(e, false, 0x8b, 0, h->ret_reg, loc_reg(h->ret_reg), false);
    } else if (sp->sext) {
        emit_movx(e, sp->sext, h->ret_reg, loc_reg(h->ret_reg));
    }
    e->w64 = sp->w64;
    if (sp->is_load)
        emit_mov_loc_r(e, sp->loc, h->ret_reg);
    e->w64 = false;
    emit_patch_rel32(emit_jmp32(e), sp->resume);
}

/* the register the access's address is in: its own, or esi */
static int cg_addr_reg(Emitter *e, HostLoc addr)
{
    if (addr.reg >= 0)
        return addr.reg;
    emit_mov_r_loc(e, HR_RSI, addr);
    return HR_RSI;
}

/* the guest's slow path for a load or store of `size` bytes */
static const void *cg_slow_fn(const GuestDesc *g, bool load, int size)
{
    int k = size == 1 ? 0 : size == 2 ? 1 : 2;
    if (size == 8)
        return load ? (const void *)g->ld_slow64 : (const void *)g->st_slow64;
    return load ? (const void *)g->ld_slow[k] : (const void *)g->st_slow[k];
}

/* a load of 1, 2, 4 or 8 bytes (8: I64 only) into an I32 or I64 (w64)
 * temp, sign-extended to it if sign, else zero-extended; memop's
 * MO_ALIGN makes a misaligned address miss */
static void cg_load(Emitter *e, const GuestDesc *g, int32_t tlb_off, MemOp memop, bool w64,
                    HostLoc addr, HostLoc out, CgSlowPath *sp)
{
    int size = (int)memop_bytes(memop);
    bool sign = (memop & MO_SIGN) != 0;
    int align = (memop & MO_ALIGN) ? size : 1;
    e->w64 = false;
    int ar = cg_addr_reg(e, addr);
    uint8_t *miss = cg_tlb_lookup(e, ar, tlb_off, size, align,
                                  (int32_t)offsetof(CPUTLBEntry, addr_read));
    int r = out.reg >= 0 ? out.reg : HR_RAX;
    uint8_t sext = size == 1 ? 0xbe : size == 2 ? 0xbf : 0x63;
    if (size == 1)      /* movzx r32 / movsx r32|r64, byte */
        emit_op_sib(e, false, sign && w64, 0x0f, sign ? sext : 0xb6, r, HR_RCX, ar, 0, false);
    else if (size == 2)
        emit_op_sib(e, false, sign && w64, 0x0f, sign ? sext : 0xb7, r, HR_RCX, ar, 0, false);
    else if (size == 4 && sign)                             /* movsxd r64 (I64 only) */
        emit_op_sib(e, false, true, 0x63, 0, r, HR_RCX, ar, 0, false);
    else                                                    /* mov r32 / r64 */
        emit_op_sib(e, false, size == 8, 0x8b, 0, r, HR_RCX, ar, 0, false);
    e->w64 = w64;
    emit_mov_loc_r(e, out, r);
    e->w64 = false;
    *sp = (CgSlowPath){ .jne = miss, .addr_reg = ar, .resume = e->p, .is_load = true,
                        .loc = out, .sext = sign && size < 8 ? sext : 0, .w64 = w64,
                        .size = (uint8_t)size, .memop = memop,
                        .misaligned = align > 1 ? (const void *)g->misaligned : NULL,
                        .fn = cg_slow_fn(g, true, size) };
    if (!w64 && size == 4)
        sp->sext = 0;
}

/* a store of 1, 2, 4 or 8 bytes (8: from an I64 temp, w64) */
static void cg_store(Emitter *e, const GuestDesc *g, int32_t tlb_off, MemOp memop, bool w64,
                     HostLoc addr, HostLoc val, CgSlowPath *sp)
{
    int size = (int)memop_bytes(memop);
    int align = (memop & MO_ALIGN) ? size : 1;
    e->w64 = false;
    int ar = cg_addr_reg(e, addr);
    /* the stored value: straight from its register (not SPL..DIL as a
     * byte: they would need a REX prefix) or immediate, else through edx */
    int src = val.reg;
    if (loc_is_mem(val) || (size == 1 && src >= 4 && src <= 7)) {
        e->w64 = size == 8;
        emit_mov_r_loc(e, HR_RDX, val);
        e->w64 = false;
        src = HR_RDX;
    }
    uint8_t *miss = cg_tlb_lookup(e, ar, tlb_off, size, align,
                                  (int32_t)offsetof(CPUTLBEntry, addr_write));
    g_assert(!(size == 8 && loc_is_imm(val)));      /* I64 constants have a location */
    if (loc_is_imm(val)) {
        emit_op_sib(e, size == 2, false, size == 1 ? 0xc6 : 0xc7, 0, 0, HR_RCX, ar,
                    0, false);
        if (size == 1)
            emit8(e, (uint8_t)val.disp);
        else if (size == 2) {
            emit8(e, (uint8_t)val.disp);
            emit8(e, (uint8_t)(val.disp >> 8));
        } else
            emit32(e, (uint32_t)val.disp);
    } else {
        emit_op_sib(e, size == 2, size == 8, size == 1 ? 0x88 : 0x89, 0, src, HR_RCX, ar,
                    0, false);
    }
    *sp = (CgSlowPath){ .jne = miss, .addr_reg = ar, .resume = e->p, .is_load = false, .loc = val,
                        .w64 = w64, .size = (uint8_t)size, .memop = memop,
                        .misaligned = align > 1 ? (const void *)g->misaligned : NULL,
                        .fn = cg_slow_fn(g, false, size) };
}

/* cmp a, b for any operand kinds (ecx is scratch) */
static void cg_cmp(Emitter *e, HostLoc a, HostLoc b)
{
    if (loc_is_imm(a) || (loc_is_mem(a) && loc_is_mem(b))) {
        emit_mov_r_loc(e, HR_RCX, a);
        a = loc_reg(HR_RCX);
    }
    if (a.reg >= 0 && loc_is_imm(b) && b.disp == 0)
        emit_test_r_r(e, a.reg, a.reg);
    else if (a.reg >= 0)
        emit_alu_r_loc(e, 0x3b, a.reg, b);           /* cmp r, r/m/imm */
    else if (b.reg >= 0)
        emit_alu_loc_r(e, 0x39, a, b.reg);           /* cmp m, r */
    else
        emit_alu_loc_imm(e, 7, a, (uint32_t)b.disp); /* cmp m, imm */
}

static int cg_setcc_cond(int op)
{
    switch (op) {
    case IR_SETEQ:  return CC_HO_E;
    case IR_SETNE:  return CC_HO_NE;
    case IR_SETLTU: return CC_HO_B;
    case IR_SETLEU: return CC_HO_BE;
    case IR_SETLT:  return CC_HO_L;
    case IR_SETLE:  return CC_HO_LE;
    default:        g_assert_not_reached();
    }
}

/* index of the first op after n that generates code */
static uint32_t cg_next_op(const IRBlock *ir, uint32_t n)
{
    for (n++; n < ir->n_insns; n++)
        if (ir->insns[n].op != IR_INSN_START && ir->insns[n].op != IR_NOP)
            break;
    return n;
}

/* n defines a temp whose only use is the brz/brnz right after it: the
 * comparison can set the host flags for that branch directly */
static bool cg_fuses_with_branch(const IRBlock *ir, const RATemp *ti, uint32_t n,
                                 uint32_t *br)
{
    const IRInsn *in = &ir->insns[n];
    if (in->out == IR_NO_TEMP || ti[in->out].uses != 1 || ti[in->out].defs != 1)
        return false;
    uint32_t m = cg_next_op(ir, n);
    if (m >= ir->n_insns)
        return false;
    const IRInsn *b = &ir->insns[m];
    if ((b->op != IR_BRZ && b->op != IR_BRNZ) || b->in[0] != in->out)
        return false;
    *br = m;
    return true;
}

/*
 * A side exit: the ops after the brz/brnz at br, up to the label it jumps
 * to, run only when the branch is not taken and leave the block (the
 * front end's "st; t = ld_env code_dirty; brz L0, t; st_env eip; exit;
 * label L0" after every guest store, and the like).  They are emitted
 * out of line, after the block's guard exit, so the path that goes on
 * is straight and short: the branch becomes a jump, on the opposite
 * condition, to that cold copy.  Allowed when the ops between the
 * branch and its label contain no label or branch, end in an op that
 * never falls through (exit, goto_tb, lookup_tb, a noreturn helper), and
 * define no temp read at or after the label.  The code is the same
 * wherever it is placed: each temp has one location for its whole live
 * range, and the cold copy is entered straight from the branch.
 * Returns the label's index, or 0 when the branch must stay as it is.
 */
static uint32_t cg_side_exit(const IRBlock *ir, const RABlock *ra, uint32_t br)
{
    const IRInsn *b = &ir->insns[br];
    if (b->op != IR_BRZ && b->op != IR_BRNZ)
        return 0;
    uint32_t m = ra->label_pos[b->imm], last = UINT32_MAX;
    if (m <= br + 1)
        return 0;
    IRTemp defs[8];
    uint32_t n_defs = 0;
    for (uint32_t k = br + 1; k < m; k++) {
        const IRInsn *in = &ir->insns[k];
        if (in->op == IR_INSN_START || in->op == IR_NOP)
            continue;
        unsigned f = ir_insn_flags(ir->guest, in);
        if (f & (IR_SE_LABEL | IR_SE_BRANCH))
            return 0;
        if (in->out != IR_NO_TEMP) {
            if (n_defs == G_N_ELEMENTS(defs))
                return 0;
            defs[n_defs++] = in->out;
        }
        last = k;
    }
    if (last == UINT32_MAX)
        return 0;
    const IRInsn *end = &ir->insns[last];
    bool stops = end->op == IR_EXIT || end->op == IR_GOTO_TB || end->op == IR_LOOKUP_TB ||
                 (end->op == IR_CALL && (ir->guest->helpers[end->imm].flags & HF_NORETURN));
    if (!stops)
        return 0;
    for (uint32_t k = m; k < ir->n_insns && n_defs; k++) {
        const IRInsn *in = &ir->insns[k];
        for (int i = 0; i < in->nin; i++)
            for (uint32_t d = 0; d < n_defs; d++)
                if (in->in[i] == defs[d])
                    return 0;
    }
    return m;
}

static bool cg_compile(Translator *t, TranslationBlock *tb, const IRBlock *ir)
{
    CodegenState *s = t->backend_state;
    size_t need = (size_t)ir->n_insns * CG_MAX_PER_INSN + CG_BLOCK_EXTRA;
    size_t start = (s->used + 15) & ~(size_t)15;
    if (start + need > s->size)
        return false;

    RABlock ra;
    ra_run(&ra, &cg_host, ir, true);
    const RATemp *ti = ra.temps;
    const uint32_t *sink_to = ra.sink_to, *sink_head = ra.sink_head;
    uint32_t n_slots = ra.n_slots;
    HostLoc *loc = g_new(HostLoc, ir->n_temps + 1);
    for (uint32_t t = 0; t < ir->n_temps; t++) {
        const RALoc *l = &ra.loc[t];
        loc[t] = l->kind == RA_CONST ? loc_imm(l->value) :
                 l->kind == RA_SLOT ? loc_mem(HR_RSP, (int32_t)(4 * l->value)) :
                 loc_reg(l->reg);
    }

    CgBlock b = { .s = s, .tb = tb, .code = s->buf + start };
    if (4 * n_slots > CG_FRAME)
        b.extra = (int32_t)((4 * n_slots - CG_FRAME + 15) & ~15u);
    const GuestDesc *g = t->guest;
    const int block_view = g->tlb_mode(tb->hflags);

    Emitter e = { .p = b.code };
    uint8_t *code = e.p;
    uint8_t *nostart = NULL;
    if (t->exact_count) {
        /* exact count: enter only if the budget holds the whole block (else
         * back to the loop, which runs the rest one instruction at a time),
         * and name the block for a fault's count (cur_tb) */
        emit_cmp_m32_imm(&e, HR_RBX, s->icount_left, tb->n_insns);
        nostart = emit_jcc32(&e, CC_HO_L);
        emit_mov_r64_imm(&e, HR_RAX, (uint64_t)(uintptr_t)tb);
        emit_mov_m64_r(&e, HR_RBX, (int32_t)g->cur_tb, HR_RAX);
    }
    emit_rsp_adjust(&e, -b.extra);

    uint8_t **label_addr = g_new0(uint8_t *, ir->n_labels + 1);
    typedef struct { uint8_t *at; uint32_t label; } Fixup;
    Fixup *fix = g_new(Fixup, ir->n_insns + 1);
    uint32_t n_fix = 0;
    CgSlowPath *slow = g_new(CgSlowPath, ir->n_insns + 1);
    uint32_t n_slow = 0;
    uint32_t fused_br = UINT32_MAX;   /* branch already emitted by its compare */
    /* side exits moved out of line (cg_side_exit): ops [lo, hi), and the
     * jcc that enters them */
    typedef struct { uint32_t lo, hi; uint8_t *jump; } CgCold;
    CgCold *cold = g_new(CgCold, ir->n_insns + 1);
    uint32_t n_cold = 0, next_cold = 0, hi = ir->n_insns;
    bool guarded = false;
    /* the conditional branch of brz/brnz `br_` taken on host condition
     * `cc_`: a jump to its label, or, when a side exit follows, a jump on
     * the opposite condition to the side exit's cold copy, going on at
     * the label */
#define CG_BRANCH(cc_, br_) do {                                                    \
        uint32_t m_ = cg_side_exit(ir, &ra, (br_));                                \
        if (m_) {                                                                   \
            cold[n_cold++] = (CgCold){ (br_) + 1, m_, emit_jcc32(&e, (cc_) ^ 1) }; \
            n = m_ - 1;                                                             \
        } else {                                                                    \
            fix[n_fix++] = (Fixup){ emit_jcc32(&e, (cc_)), ir->insns[(br_)].imm };  \
        }                                                                           \
    } while (0)

    for (uint32_t n = 0;; n++) {
        while (n >= hi) {
            if (!guarded) {
                e.w64 = false;
                cg_exit(&e, &b, 0);              /* guard: never falls off */
                guarded = true;
            }
            if (next_cold == n_cold)
                goto emitted;
            emit_patch_rel32(cold[next_cold].jump, e.p);
            n = cold[next_cold].lo;
            hi = cold[next_cold].hi;
            next_cold++;
        }
        const IRInsn *in = &ir->insns[n];
        HostLoc out = in->out != IR_NO_TEMP ? loc[in->out] : loc_reg(HR_RAX);
        HostLoc a = in->nin > 0 ? loc[in->in[0]] : loc_reg(HR_RAX);
        HostLoc bv = in->nin > 1 ? loc[in->in[1]] : loc_reg(HR_RAX);
        int r = out.reg >= 0 ? out.reg : HR_RAX;    /* where results are built */
        uint32_t br;
        if (n == fused_br)
            continue;
        e.w64 = in->type == IR_I64;     /* REX.W forms for the I64 ops */
        if (ra.remat_def[n])
            continue;                   /* computed in a miss path (ra_plan_remat) */
        switch (in->op) {
        case IR_NOP:
        case IR_INSN_START:
            break;
        case IR_MOVI:
            if (loc_is_imm(out))
                break;
            if (in->type == IR_I64 && in->imm != (uint64_t)(int64_t)(int32_t)in->imm) {
                /* no sign-extended imm32 form: movabs (or a 32-bit mov,
                 * which zero-extends) */
                e.w64 = false;
                if (in->imm <= UINT32_MAX) {
                    emit_mov_r_imm(&e, r, (uint32_t)in->imm);
                } else {
                    emit_mov_r64_imm(&e, r, in->imm);
                }
                e.w64 = true;
                emit_mov_loc_r(&e, out, r);
                break;
            }
            emit_mov_loc_imm(&e, out, (uint32_t)in->imm);
            break;
        case IR_MOV:
        case IR_GET_REG:
        case IR_LD_ENV: {
            HostLoc src = a;
            if (in->op != IR_MOV)
                src = loc_mem(HR_RBX, (int32_t)(in->op == IR_GET_REG
                              ? ir_reg_offset(g, (uint32_t)in->imm) : in->imm));
            if (in->op == IR_LD_ENV && cg_fuses_with_branch(ir, ti, n, &br)) {
                /* cmp dword [env + off], 0; je/jne */
                emit_alu_loc_imm(&e, 7, src, 0);
                int cc = ir->insns[br].op == IR_BRZ ? CC_HO_E : CC_HO_NE;
                fused_br = br;
                CG_BRANCH(cc, br);
                break;
            }
            if (loc_same(out, src))
                break;
            if (out.reg >= 0) {
                emit_mov_r_loc(&e, out.reg, src);
            } else if (src.reg >= 0) {
                emit_mov_loc_r(&e, out, src.reg);
            } else if (loc_is_imm(src)) {
                emit_mov_loc_imm(&e, out, (uint32_t)src.disp);
            } else {
                emit_mov_r_loc(&e, HR_RAX, src);
                emit_mov_loc_r(&e, out, HR_RAX);
            }
            break;
        }
        case IR_SET_REG:
        case IR_ST_ENV:
            if (sink_to[n] == UINT32_MAX)       /* else on the next access's miss path */
                cg_emit_env_store(&e, ir->guest, in, a);
            break;
        case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL: {
            /* out = a +/- b in a third register: lea */
            if ((in->op == IR_ADD || in->op == IR_SUB) && out.reg >= 0 && a.reg >= 0 &&
                !loc_same(a, out) && !loc_same(bv, out) &&
                (loc_is_imm(bv) || (in->op == IR_ADD && bv.reg >= 0))) {
                if (bv.reg >= 0)
                    emit_op_sib(&e, false, e.w64, 0x8d, 0, out.reg, a.reg, bv.reg, 0, false);
                else
                    emit_op_rm(&e, false, 0x8d, 0, out.reg,
                               loc_mem(a.reg, in->op == IR_ADD ? bv.disp
                                                 : (int32_t)(0u - (uint32_t)bv.disp)),
                               false);
                break;
            }
            /* two-address form in the destination register: mov r, a; op r, b */
            HostLoc x = a, y = bv;
            if (r != HR_RAX && loc_same(y, out) && !loc_same(x, out)) {
                if (in->op == IR_SUB) {
                    r = HR_RAX;             /* r = a - r: build it in eax */
                } else {
                    x = bv;                 /* commutative: r = r op a */
                    y = a;
                }
            }
            emit_mov_r_loc(&e, r, x);
            switch (in->op) {
            case IR_ADD: emit_alu_r_loc(&e, 0x03, r, y); break;
            case IR_SUB: emit_alu_r_loc(&e, 0x2b, r, y); break;
            case IR_AND: emit_alu_r_loc(&e, 0x23, r, y); break;
            case IR_OR:  emit_alu_r_loc(&e, 0x0b, r, y); break;
            case IR_XOR: emit_alu_r_loc(&e, 0x33, r, y); break;
            default:
                if (loc_is_imm(y)) {
                    emit_mov_r_loc(&e, HR_RCX, y);
                    y = loc_reg(HR_RCX);
                }
                emit_imul_r_loc(&e, r, y);
                break;
            }
            emit_mov_loc_r(&e, out, r);
            break;
        }
        case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR: {
            static const int ext[] = { [IR_SHL] = 4, [IR_SHR] = 5, [IR_SAR] = 7,
                                       [IR_ROL] = 0, [IR_ROR] = 1 };
            if (loc_is_imm(bv)) {
                emit_mov_r_loc(&e, r, a);
                emit_shift_imm(&e, ext[in->op], loc_reg(r), (uint8_t)bv.disp);
            } else {
                emit_mov_r_loc(&e, HR_RCX, bv);
                emit_mov_r_loc(&e, r, a);
                emit_shift_cl(&e, ext[in->op], loc_reg(r));
            }
            emit_mov_loc_r(&e, out, r);
            break;
        }
        case IR_NOT:
        case IR_NEG:
            emit_mov_r_loc(&e, r, a);
            emit_f7(&e, in->op == IR_NOT ? 2 : 3, loc_reg(r));
            emit_mov_loc_r(&e, out, r);
            break;
        case IR_EXT8S: case IR_EXT8U: case IR_EXT16S: case IR_EXT16U: {
            uint8_t op2 = in->op == IR_EXT8S ? 0xbe : in->op == IR_EXT8U ? 0xb6 :
                          in->op == IR_EXT16S ? 0xbf : 0xb7;
            if (loc_is_imm(a)) {
                emit_mov_r_loc(&e, HR_RAX, a);
                a = loc_reg(HR_RAX);
            }
            emit_movx(&e, op2, r, a);
            emit_mov_loc_r(&e, out, r);
            break;
        }
        case IR_EXT32U:
        case IR_EXT32S:
            /* an I32 temp's register is zero-extended already (every
             * 32-bit write clears the top half): EXT32U is a 32-bit mov */
            e.w64 = false;
            if (in->op == IR_EXT32U || loc_is_imm(a)) {
                emit_mov_r_loc(&e, r, a);
                a = loc_reg(r);
            }
            if (in->op == IR_EXT32S)
                emit_op_rm(&e, true, 0x63, 0, r, a, false);     /* movsxd r64, r/m32 */
            e.w64 = true;
            emit_mov_loc_r(&e, out, r);
            break;
        case IR_TRUNC:
            /* always a 32-bit mov, even to itself: it clears the top half */
            e.w64 = false;
            emit_op_rm(&e, false, 0x8b, 0, r, a, false);
            emit_mov_loc_r(&e, out, r);
            break;
        case IR_SETEQ: case IR_SETNE: case IR_SETLTU: case IR_SETLEU:
        case IR_SETLT: case IR_SETLE: {
            int cc = cg_setcc_cond(in->op);
            if (cg_fuses_with_branch(ir, ti, n, &br)) {
                /* cmp a, b; jcc (brnz) or jncc (brz) */
                cg_cmp(&e, a, bv);
                if (ir->insns[br].op == IR_BRZ)
                    cc ^= 1;
                fused_br = br;
                CG_BRANCH(cc, br);
                break;
            }
            cg_cmp(&e, a, bv);
            emit_setcc_al(&e, cc);
            emit_movx(&e, 0xb6, r, loc_reg(HR_RAX));            /* movzx r, al */
            emit_mov_loc_r(&e, out, r);
            break;
        }
        case IR_LD:
        case IR_ST: {
            /* 1, 2, 4 or 8 bytes, I32 or I64, in the MemOp's TLB view */
            int32_t tlb_off = (int32_t)g->tlb_offset + memop_view(in->memop, block_view) *
                              (int32_t)(TLB_SIZE * sizeof(CPUTLBEntry));
            bool w64 = in->type == IR_I64;
            if (in->op == IR_LD)
                cg_load(&e, g, tlb_off, in->memop, w64, a, out, &slow[n_slow]);
            else
                cg_store(&e, g, tlb_off, in->memop, w64, a, bv, &slow[n_slow]);
            slow[n_slow++].sunk = sink_head[n];
            break;
        }
        case IR_CALL: {
            /* arguments at their signature's width (I64: the whole register) */
            const HelperDesc *h = &g->helpers[in->imm];
            emit_mov_r64_r64(&e, cg_host.arg_regs[0], cg_host.env_reg);
            for (int k = 0; k < in->nin; k++) {
                e.w64 = h->args[k] == IR_I64;
                emit_mov_r_loc(&e, cg_host.arg_regs[k + 1], loc[in->in[k]]);
            }
            emit_call(&e, (const void *)h->fn);
            e.w64 = h->ret == IR_I64;
            if (h->ret != IR_VOID && in->out != IR_NO_TEMP)
                emit_mov_loc_r(&e, out, cg_host.ret_reg);
            break;
        }
        case IR_LABEL:
            label_addr[in->imm] = e.p;
            break;
        case IR_BR:
            fix[n_fix++] = (Fixup){ emit_jmp32(&e), in->imm };
            break;
        case IR_BRZ:
        case IR_BRNZ:
            if (loc_is_imm(a)) {            /* constant condition (unoptimised IR) */
                if ((in->op == IR_BRZ) == (a.disp == 0))
                    fix[n_fix++] = (Fixup){ emit_jmp32(&e), in->imm };
                break;
            }
            if (a.reg >= 0)
                emit_test_r_r(&e, a.reg, a.reg);
            else
                emit_cmp_loc_imm8(&e, a, 0);
            CG_BRANCH(in->op == IR_BRZ ? CC_HO_E : CC_HO_NE, n);
            break;
        case IR_GOTO_TB:
            cg_goto_tb(&e, &b, t, (int)in->imm);
            break;
        case IR_EXIT:
            cg_exit(&e, &b, (uint32_t)in->imm);
            break;
        case IR_LOOKUP_TB:
            cg_lookup_tb(&e, &b, t);
            break;
        default:
            g_assert_not_reached();
        }
        g_assert((size_t)(e.p - code) <= need);
    }
#undef CG_BRANCH
emitted:
    e.w64 = false;
    for (uint32_t k = 0; k < n_slow; k++)
        cg_emit_slow_path(&e, &slow[k], ra.used_regs, ir, loc, ra.sink_next, ra.sink_remat);
    for (uint32_t k = 0; k < n_fix; k++) {
        g_assert(label_addr[fix[k].label]);
        emit_patch_rel32(fix[k].at, label_addr[fix[k].label]);
    }
    if (nostart) {                          /* exact count: not entered (stack as at entry) */
        emit_patch_rel32(nostart, e.p);
        cg_exit_stub(&e, &b, TB_EXIT_NOCHAIN);
    }
    g_assert((size_t)(e.p - code) <= need);

    g_free(cold);
    g_free(slow);
    g_free(fix);
    g_free(label_addr);
    g_free(loc);
    ra_free(&ra);
    tb->code = code;
    tb->code_size = (size_t)(e.p - code);
    s->used = (size_t)(e.p - s->buf);
    return true;
}

static int cg_exec(Translator *t, void *env, TranslationBlock *tb)
{
    CodegenState *s = t->backend_state;
    uintptr_t r = s->enter(env, tb->code);

    t->last_tb = (TranslationBlock *)(r & ~(uintptr_t)3);
    return (int)(r & 3);
}

static void cg_patch_jump(Translator *t, TranslationBlock *tb, int slot,
                          TranslationBlock *dst)
{
    uint8_t *code = tb->code;
    const uint8_t *target = dst ? (const uint8_t *)dst->code
                                : code + tb->jmp_reset_offset[slot];
    emit_patch_rel32(code + tb->jmp_insn_offset[slot], target);
}

static void cg_dump(Translator *t, TranslationBlock *tb, FILE *f)
{
    CodegenState *s = t->backend_state;
    cs_insn *insn = NULL;
    size_t n = s->cs_ok ? cs_disasm(s->cs, tb->code, tb->code_size,
                                    (uint64_t)(uintptr_t)tb->code, 0, &insn) : 0;
    if (n == 0) {
        for (size_t i = 0; i < tb->code_size; i++)
            fprintf(f, "%02x%s", ((uint8_t *)tb->code)[i], (i % 16 == 15) ? "\n" : " ");
        fputc('\n', f);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "0x%012" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic,
                insn[i].op_str);
    cs_free(insn, n);
}

const Backend backend_x86_64 = {
    .name = "x86_64",
    .pcrel = true,
    .init = cg_init,
    .cleanup = cg_cleanup,
    .compile = cg_compile,
    .exec = cg_exec,
    .flush = cg_flush,
    .dump = cg_dump,
    .patch_jump = cg_patch_jump,
};
