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
 *   code:  cmp dword [rbx + icount_left], 0    ; entry check, only run when
 *          jle req_stub                        ; reached by a chained jump
 *   body:  [sub rsp, extra]                    ; blocks needing > CG_FRAME
 *          ... IR ops ...
 *   goto_tb n:  [add rsp, extra]; sub dword [rbx + icount_left], n_insns
 *               jmp rel32  --> stub_n, or patched to the successor's `code`
 *     stub_n:   mov rax, tb | n; jmp epilogue
 *   exit:       [add rsp, extra]; sub [icount_left], n_insns
 *               mov rax, tb | TB_EXIT_NOCHAIN; jmp epilogue
 *   req_stub:   mov rax, tb | TB_EXIT_REQUESTED; jmp epilogue
 *
 * exec() enters at `body` (the dispatcher already decided the block runs);
 * chained jumps enter at `code`, so a chain stops at the first block
 * entered with icount_left <= 0 (the budget) and cpu_exec gets control.
 * cg_patch_jump rewrites the rel32 (single-threaded: no atomicity needed).
 *
 * Temps: a linear-scan allocator gives the busiest live ranges the
 * callee-saved registers rbp, r12-r15 (they survive helper calls); the
 * rest get 4-byte stack slots in the frame, reused once a range ends.
 * rax, rcx, rdx and the argument registers are scratch inside one IR op.
 * Live ranges come from the linear order, widened to cover a whole loop
 * (label .. backward branch) whenever they touch it, which is conservative
 * but sound.
 *
 * GET_REG/SET_REG/LD_ENV/ST_ENV are moves at [rbx + offsetof(...)].
 * LD/ST inline the software-TLB lookup (layout in mmu/tlb.h):
 *
 *   mov esi, addr; lea eax, [rsi + size-1]; or eax, 0xfff   ; tag of last byte
 *   mov ecx, esi; shr ecx, 8; and ecx, 0xff0                ; entry offset
 *   cmp eax, [rbx + rcx + tlb(mode).addr_read/addr_write]
 *   jne slow
 *   mov rcx, [rbx + rcx + tlb(mode).addend]; mov eax, [rcx + rsi]  (or store)
 *   jmp done
 *   slow: mov rdi, rbx; call mmu_{ld,st}N_slow      ; may raise (siglongjmp)
 *
 * Helpers are direct calls (rel32 when the buffer is near the C code,
 * else through rax) with env in rdi.  A guest exception is a siglongjmp
 * out of a callee: frames are plain (no unwind info needed), callee-saved
 * registers are restored by longjmp, no temp lives in a caller-saved
 * register, and rsp is 16-byte aligned at every call.
 */
#include <string.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <capstone/capstone.h>
#include "translator/translator.h"
#include "translator/x86_64/emit.h"
#include "cpu-x86/cpu.h"
#include "cpu-x86/helpers.h"
#include "mmu/mmu.h"

#define CG_BUFFER_SIZE   (64u << 20)
#define CG_MAX_PER_INSN  128    /* host bytes one IR op can need, at most */
#define CG_BLOCK_EXTRA   256    /* entry check, guard exit, stubs, alignment */
#define CG_FRAME         1024   /* shared spill area: 256 slots (multiple of 16) */
#define CG_CHECK_SIZE    13     /* cmp [rbx+disp32], 0 (7) + jle rel32 (6) */

static const int cg_alloc_regs[] = { HR_RBP, HR_R12, HR_R13, HR_R14, HR_R15 };
#define CG_N_REGS ((int)G_N_ELEMENTS(cg_alloc_regs))

typedef uintptr_t (*CgEnterFn)(CPUState *env, const void *code);

typedef struct CodegenState {
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
    uintptr_t near = ((uintptr_t)&mmu_ld8_slow & ~(uintptr_t)0xfffff) - (512u << 20);
    void *p = mmap((void *)near, CG_BUFFER_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        g_set_error(errp, TX86_IR_ERROR, 20,
                    "cannot map %u MiB of executable memory for the code buffer",
                    CG_BUFFER_SIZE >> 20);
        g_free(s);
        return false;
    }
    s->buf = p;
    s->size = CG_BUFFER_SIZE;
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

/* --------------------------------------------------- register allocation */

typedef struct CgInterval {
    uint32_t first, last;
} CgInterval;

/* fills loc[] for every temp and returns the bitmask of used alloc regs
 * and the number of stack slots */
static void cg_allocate(const IRBlock *ir, HostLoc *loc, unsigned *reg_mask,
                        uint32_t *n_slots)
{
    uint32_t nt = ir->n_temps;
    CgInterval *iv = g_new(CgInterval, nt + 1);
    for (uint32_t t = 0; t < nt; t++)
        iv[t] = (CgInterval){ UINT32_MAX, 0 };
    uint32_t *label_pos = g_new0(uint32_t, ir->n_labels + 1);
    uint32_t n_back = 0;
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        for (int k = 0; k < in->nin; k++) {
            CgInterval *v = &iv[in->in[k]];
            if (v->first > i) v->first = i;
            if (v->last < i) v->last = i;
        }
        if (in->out != IR_NO_TEMP) {
            CgInterval *v = &iv[in->out];
            if (v->first > i) v->first = i;
            if (v->last < i) v->last = i;
        }
        if (in->op == IR_LABEL)
            label_pos[in->imm] = i;
    }
    /* backward branches: (label position, branch position) */
    typedef struct { uint32_t label, branch; } BackEdge;
    BackEdge *back = g_new(BackEdge, ir->n_insns + 1);
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        if ((in->op == IR_BR || in->op == IR_BRZ || in->op == IR_BRNZ) &&
            label_pos[in->imm] <= i) {
            back[n_back].label = label_pos[in->imm];
            back[n_back].branch = i;
            n_back++;
        }
    }
    for (bool changed = n_back > 0; changed;) {
        changed = false;
        for (uint32_t b = 0; b < n_back; b++) {
            uint32_t q = back[b].label, p = back[b].branch;
            for (uint32_t t = 0; t < nt; t++) {
                CgInterval *v = &iv[t];
                if (v->first == UINT32_MAX || v->last < q || v->first > p)
                    continue;
                if (v->first > q) { v->first = q; changed = true; }
                if (v->last < p)  { v->last = p;  changed = true; }
            }
        }
    }

    /* linear scan over temps sorted by start */
    uint32_t *order = g_new(uint32_t, nt + 1);
    uint32_t n = 0;
    for (uint32_t t = 0; t < nt; t++)
        if (iv[t].first != UINT32_MAX)
            order[n++] = t;
    /* counting sort by start position */
    {
        uint32_t *cnt = g_new0(uint32_t, ir->n_insns + 2);
        uint32_t *tmp = g_new(uint32_t, n + 1);
        for (uint32_t k = 0; k < n; k++) cnt[iv[order[k]].first + 1]++;
        for (uint32_t k = 1; k <= ir->n_insns + 1; k++) cnt[k] += cnt[k - 1];
        for (uint32_t k = 0; k < n; k++) tmp[cnt[iv[order[k]].first]++] = order[k];
        memcpy(order, tmp, n * sizeof(*order));
        g_free(cnt);
        g_free(tmp);
    }
    int32_t active[CG_N_REGS];          /* temp in each alloc reg, -1 free */
    for (int r = 0; r < CG_N_REGS; r++)
        active[r] = -1;
    int8_t *reg_of = g_new(int8_t, nt + 1);
    for (uint32_t t = 0; t < nt; t++)
        reg_of[t] = -1;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t t = order[k];
        int free_r = -1, worst_r = -1;
        for (int r = 0; r < CG_N_REGS; r++) {
            if (active[r] >= 0 && iv[active[r]].last <= iv[t].first)
                active[r] = -1;
            if (active[r] < 0) {
                if (free_r < 0)
                    free_r = r;
            } else if (worst_r < 0 || iv[active[r]].last > iv[active[worst_r]].last) {
                worst_r = r;
            }
        }
        if (free_r >= 0) {
            active[free_r] = (int32_t)t;
            reg_of[t] = (int8_t)free_r;
        } else if (iv[active[worst_r]].last > iv[t].last) {
            reg_of[active[worst_r]] = -1;         /* spill the longest */
            active[worst_r] = (int32_t)t;
            reg_of[t] = (int8_t)worst_r;
        }
    }
    uint32_t slots = 0;
    unsigned mask = 0;
    uint32_t *slot_end = g_new(uint32_t, n + 1);   /* last use of each slot's temp */
    for (uint32_t t = 0; t < nt; t++) {
        if (reg_of[t] >= 0) {
            loc[t] = loc_reg(cg_alloc_regs[reg_of[t]]);
            mask |= 1u << reg_of[t];
        } else if (iv[t].first == UINT32_MAX) {
            loc[t] = loc_reg(HR_RAX);             /* never mentioned */
        }
    }
    /* stack slots, in order of start: reuse a slot whose range has ended */
    for (uint32_t k = 0; k < n; k++) {
        uint32_t t = order[k], sl;
        if (reg_of[t] >= 0)
            continue;
        for (sl = 0; sl < slots && slot_end[sl] >= iv[t].first; sl++)
            ;
        if (sl == slots)
            slots++;
        slot_end[sl] = iv[t].last;
        loc[t] = loc_mem(HR_RSP, (int32_t)(4 * sl));
    }
    g_free(slot_end);
    *reg_mask = mask;
    *n_slots = slots;
    g_free(reg_of);
    g_free(order);
    g_free(back);
    g_free(label_pos);
    g_free(iv);
}

/* ------------------------------------------------------------ code gen */

/* per-block facts the exits need */
typedef struct CgBlock {
    CodegenState *s;
    TranslationBlock *tb;
    uint8_t *code;
    int32_t extra;              /* rsp adjustment beyond the shared frame */
} CgBlock;

#define CG_ICOUNT_LEFT ((int32_t)offsetof(CPUState, icount_left))

/* leave through the shared epilogue with rax = tb | exit */
static void cg_exit_stub(Emitter *e, const CgBlock *b, int exit)
{
    emit_mov_r64_imm(e, HR_RAX, (uint64_t)((uintptr_t)b->tb | (uintptr_t)exit));
    emit_patch_rel32(emit_jmp32(e), b->s->epilogue);
}

/* what every exit of a finished block does first */
static void cg_exit_account(Emitter *e, const CgBlock *b)
{
    emit_rsp_adjust(e, b->extra);
    emit_sub_m32_imm(e, HR_RBX, CG_ICOUNT_LEFT, b->tb->n_insns);
}

static void cg_goto_tb(Emitter *e, const CgBlock *b, int slot)
{
    cg_exit_account(e, b);
    uint8_t *rel = emit_jmp32(e);
    emit_patch_rel32(rel, e->p);            /* unpatched: to the stub below */
    b->tb->jmp_insn_offset[slot] = (uint32_t)(rel - b->code);
    b->tb->jmp_reset_offset[slot] = (uint32_t)(e->p - b->code);
    cg_exit_stub(e, b, slot);
}

static void cg_exit(Emitter *e, const CgBlock *b)
{
    cg_exit_account(e, b);
    cg_exit_stub(e, b, TB_EXIT_NOCHAIN);
}

static const void *const cg_ld_slow[3] = { (const void *)mmu_ld8_slow,
                                           (const void *)mmu_ld16_slow,
                                           (const void *)mmu_ld32_slow };
static const void *const cg_st_slow[3] = { (const void *)mmu_st8_slow,
                                           (const void *)mmu_st16_slow,
                                           (const void *)mmu_st32_slow };
static const int cg_arg_regs[IR_MAX_IN] = { HR_RSI, HR_RDX, HR_RCX, HR_R8 };

/*
 * Inline TLB lookup for a `size`-byte access at esi (already loaded);
 * tag_off is offsetof(CPUTLBEntry, addr_read / addr_write).  Leaves rcx =
 * host address base (add rsi) on a hit and returns the jne rel8 field to
 * patch to the slow path.
 */
static uint8_t *cg_tlb_lookup(Emitter *e, int32_t tlb_off, int size, int32_t tag_off)
{
    if (size > 1)
        emit_lea_r32_disp8(e, HR_RAX, HR_RSI, (int8_t)(size - 1));
    else
        emit_mov_r_loc(e, HR_RAX, loc_reg(HR_RSI));
    emit_alu_r_imm32(e, 1, HR_RAX, TLB_PAGE_LOW);                 /* or eax, 0xfff */
    emit_mov_r_loc(e, HR_RCX, loc_reg(HR_RSI));
    emit_shr_r_imm(e, HR_RCX, 12 - 4);
    emit_alu_r_imm32(e, 4, HR_RCX, (TLB_SIZE - 1) << 4);           /* and ecx, 0xff0 */
    emit_op_sib(e, false, false, 0x3b, 0, HR_RAX, HR_RBX, HR_RCX,  /* cmp eax, tag */
                tlb_off + tag_off, true);
    uint8_t *miss = emit_jcc8(e, CC_HO_NE);
    emit_op_sib(e, false, true, 0x8b, 0, HR_RCX, HR_RBX, HR_RCX,   /* mov rcx, addend */
                tlb_off + (int32_t)offsetof(CPUTLBEntry, addend), true);
    return miss;
}

static void cg_load(Emitter *e, int32_t tlb_off, int size, HostLoc addr, HostLoc out)
{
    emit_mov_r_loc(e, HR_RSI, addr);
    uint8_t *miss = cg_tlb_lookup(e, tlb_off, size,
                                  (int32_t)offsetof(CPUTLBEntry, addr_read));
    if (size == 1)
        emit_op_sib(e, false, false, 0x0f, 0xb6, HR_RAX, HR_RCX, HR_RSI, 0, false);
    else if (size == 2)
        emit_op_sib(e, false, false, 0x0f, 0xb7, HR_RAX, HR_RCX, HR_RSI, 0, false);
    else
        emit_op_sib(e, false, false, 0x8b, 0, HR_RAX, HR_RCX, HR_RSI, 0, false);
    uint8_t *done = emit_jmp8(e);
    emit_patch_rel8(miss, e->p);
    emit_mov_r64_r64(e, HR_RDI, HR_RBX);
    emit_call(e, cg_ld_slow[size == 1 ? 0 : size == 2 ? 1 : 2]);
    emit_patch_rel8(done, e->p);
    emit_mov_loc_r(e, out, HR_RAX);
}

static void cg_store(Emitter *e, int32_t tlb_off, int size, HostLoc addr, HostLoc val)
{
    emit_mov_r_loc(e, HR_RSI, addr);
    emit_mov_r_loc(e, HR_RDX, val);
    uint8_t *miss = cg_tlb_lookup(e, tlb_off, size,
                                  (int32_t)offsetof(CPUTLBEntry, addr_write));
    if (size == 1)
        emit_op_sib(e, false, false, 0x88, 0, HR_RDX, HR_RCX, HR_RSI, 0, false);
    else
        emit_op_sib(e, size == 2, false, 0x89, 0, HR_RDX, HR_RCX, HR_RSI, 0, false);
    uint8_t *done = emit_jmp8(e);
    emit_patch_rel8(miss, e->p);
    emit_mov_r64_r64(e, HR_RDI, HR_RBX);
    emit_call(e, cg_st_slow[size == 1 ? 0 : size == 2 ? 1 : 2]);
    emit_patch_rel8(done, e->p);
}

static bool cg_compile(Translator *t, TranslationBlock *tb, const IRBlock *ir)
{
    CodegenState *s = t->backend_state;
    size_t need = (size_t)ir->n_insns * CG_MAX_PER_INSN + CG_BLOCK_EXTRA;
    size_t start = (s->used + 15) & ~(size_t)15;
    if (start + need > s->size)
        return false;

    HostLoc *loc = g_new(HostLoc, ir->n_temps + 1);
    unsigned reg_mask;
    uint32_t n_slots;
    cg_allocate(ir, loc, &reg_mask, &n_slots);

    CgBlock b = { .s = s, .tb = tb, .code = s->buf + start };
    if (4 * n_slots > CG_FRAME)
        b.extra = (int32_t)((4 * n_slots - CG_FRAME + 15) & ~15u);
    int32_t tlb_off = (int32_t)offsetof(CPUState, tlb) +
                      ((tb->hflags & HF_CPL_MASK) == HF_CPL_MASK ? TLB_MMU_USER
                                                                 : TLB_MMU_KERNEL) *
                      (int32_t)sizeof(((CPUTLB *)0)->table[0]);

    Emitter e = { .p = b.code };
    uint8_t *code = e.p;
    emit_cmp_m32_imm8(&e, HR_RBX, CG_ICOUNT_LEFT, 0);
    uint8_t *req = emit_jcc32(&e, CC_HO_LE);
    g_assert(e.p - code == CG_CHECK_SIZE);
    emit_rsp_adjust(&e, -b.extra);

    uint8_t **label_addr = g_new0(uint8_t *, ir->n_labels + 1);
    typedef struct { uint8_t *at; uint32_t label; } Fixup;
    Fixup *fix = g_new(Fixup, ir->n_insns + 1);
    uint32_t n_fix = 0;

    for (uint32_t n = 0; n < ir->n_insns; n++) {
        const IRInsn *in = &ir->insns[n];
        HostLoc out = in->out != IR_NO_TEMP ? loc[in->out] : loc_reg(HR_RAX);
        HostLoc a = in->nin > 0 ? loc[in->in[0]] : loc_reg(HR_RAX);
        HostLoc bv = in->nin > 1 ? loc[in->in[1]] : loc_reg(HR_RAX);
        switch (in->op) {
        case IR_NOP:
        case IR_INSN_START:
            break;
        case IR_MOVI:
            emit_mov_loc_imm(&e, out, in->imm);
            break;
        case IR_MOV:
            if (loc_same(out, a))
                break;
            if (out.reg >= 0) {
                emit_mov_r_loc(&e, out.reg, a);
            } else if (a.reg >= 0) {
                emit_mov_loc_r(&e, out, a.reg);
            } else {
                emit_mov_r_loc(&e, HR_RAX, a);
                emit_mov_loc_r(&e, out, HR_RAX);
            }
            break;
        case IR_GET_REG:
        case IR_LD_ENV: {
            HostLoc src = loc_mem(HR_RBX, (int32_t)(in->op == IR_GET_REG
                                  ? offsetof(CPUState, regs) + 4 * in->imm : in->imm));
            if (out.reg >= 0) {
                emit_mov_r_loc(&e, out.reg, src);
            } else {
                emit_mov_r_loc(&e, HR_RAX, src);
                emit_mov_loc_r(&e, out, HR_RAX);
            }
            break;
        }
        case IR_SET_REG:
        case IR_ST_ENV: {
            HostLoc dst = loc_mem(HR_RBX, (int32_t)(in->op == IR_SET_REG
                                  ? offsetof(CPUState, regs) + 4 * in->imm : in->imm));
            if (a.reg >= 0) {
                emit_mov_loc_r(&e, dst, a.reg);
            } else {
                emit_mov_r_loc(&e, HR_RAX, a);
                emit_mov_loc_r(&e, dst, HR_RAX);
            }
            break;
        }
        case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL: {
            emit_mov_r_loc(&e, HR_RAX, a);
            switch (in->op) {
            case IR_ADD: emit_alu_r_loc(&e, 0x03, HR_RAX, bv); break;
            case IR_SUB: emit_alu_r_loc(&e, 0x2b, HR_RAX, bv); break;
            case IR_AND: emit_alu_r_loc(&e, 0x23, HR_RAX, bv); break;
            case IR_OR:  emit_alu_r_loc(&e, 0x0b, HR_RAX, bv); break;
            case IR_XOR: emit_alu_r_loc(&e, 0x33, HR_RAX, bv); break;
            default:     emit_imul_r_loc(&e, HR_RAX, bv); break;
            }
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        }
        case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR: {
            static const int ext[] = { [IR_SHL] = 4, [IR_SHR] = 5, [IR_SAR] = 7,
                                       [IR_ROL] = 0, [IR_ROR] = 1 };
            emit_mov_r_loc(&e, HR_RCX, bv);
            emit_mov_r_loc(&e, HR_RAX, a);
            emit_shift_cl(&e, ext[in->op], loc_reg(HR_RAX));
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        }
        case IR_NOT:
        case IR_NEG:
            emit_mov_r_loc(&e, HR_RAX, a);
            emit_f7(&e, in->op == IR_NOT ? 2 : 3, loc_reg(HR_RAX));
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        case IR_EXT8S: case IR_EXT8U: case IR_EXT16S: case IR_EXT16U: {
            uint8_t op2 = in->op == IR_EXT8S ? 0xbe : in->op == IR_EXT8U ? 0xb6 :
                          in->op == IR_EXT16S ? 0xbf : 0xb7;
            emit_movx(&e, op2, HR_RAX, a);
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        }
        case IR_SETEQ: case IR_SETNE: case IR_SETLTU: case IR_SETLEU:
        case IR_SETLT: case IR_SETLE: {
            int cc = in->op == IR_SETEQ ? CC_HO_E : in->op == IR_SETNE ? CC_HO_NE :
                     in->op == IR_SETLTU ? CC_HO_B : in->op == IR_SETLEU ? CC_HO_BE :
                     in->op == IR_SETLT ? CC_HO_L : CC_HO_LE;
            emit_mov_r_loc(&e, HR_RCX, a);
            emit_alu_r_loc(&e, 0x33, HR_RAX, loc_reg(HR_RAX));   /* xor eax, eax */
            emit_alu_r_loc(&e, 0x3b, HR_RCX, bv);                /* cmp ecx, b */
            emit_setcc_al(&e, cc);
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        }
        case IR_LD8: case IR_LD16: case IR_LD32:
            cg_load(&e, tlb_off, 1 << (in->op - IR_LD8), a, out);
            break;
        case IR_ST8: case IR_ST16: case IR_ST32:
            cg_store(&e, tlb_off, 1 << (in->op - IR_ST8), a, bv);
            break;
        case IR_CALL: {
            const HelperDesc *h = &helper_table[in->imm];
            emit_mov_r64_r64(&e, HR_RDI, HR_RBX);
            for (int k = 0; k < in->nin; k++)
                emit_mov_r_loc(&e, cg_arg_regs[k], loc[in->in[k]]);
            emit_call(&e, (const void *)h->fn);
            if (h->has_ret && in->out != IR_NO_TEMP)
                emit_mov_loc_r(&e, out, HR_RAX);
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
            if (a.reg >= 0)
                emit_test_r_r(&e, a.reg, a.reg);
            else
                emit_cmp_loc_imm8(&e, a, 0);
            fix[n_fix++] = (Fixup){ emit_jcc32(&e, in->op == IR_BRZ ? CC_HO_E : CC_HO_NE),
                                    in->imm };
            break;
        case IR_GOTO_TB:
            cg_goto_tb(&e, &b, (int)in->imm);
            break;
        case IR_EXIT:
            cg_exit(&e, &b);
            break;
        default:
            g_assert_not_reached();
        }
        g_assert((size_t)(e.p - code) <= need);
    }
    cg_exit(&e, &b);                         /* guard: never falls off */
    emit_patch_rel32(req, e.p);               /* entry check failed: not run */
    cg_exit_stub(&e, &b, TB_EXIT_REQUESTED);
    for (uint32_t k = 0; k < n_fix; k++) {
        g_assert(label_addr[fix[k].label]);
        emit_patch_rel32(fix[k].at, label_addr[fix[k].label]);
    }
    g_assert((size_t)(e.p - code) <= need);

    g_free(fix);
    g_free(label_addr);
    g_free(loc);
    tb->code = code;
    tb->code_size = (size_t)(e.p - code);
    s->used = (size_t)(e.p - s->buf);
    return true;
}

static int cg_exec(Translator *t, CPUState *env, TranslationBlock *tb)
{
    CodegenState *s = t->backend_state;
    uintptr_t r = s->enter(env, (const uint8_t *)tb->code + CG_CHECK_SIZE);

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
    .init = cg_init,
    .cleanup = cg_cleanup,
    .compile = cg_compile,
    .exec = cg_exec,
    .flush = cg_flush,
    .dump = cg_dump,
    .patch_jump = cg_patch_jump,
};
