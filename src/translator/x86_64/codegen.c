/*
 * codegen.c - the native backend: IR -> x86-64 host code.
 *
 * Code lives in one mmap'd RWX buffer per translator, filled linearly;
 * when a block does not fit, compile() fails and the translator flushes.
 * A block is an ordinary System V function  int block(CPUState *env):
 *
 *     push rbx (+ the callee-saved registers the block allocates)
 *     sub  rsp, FRAME          ; rsp 16-byte aligned from here on
 *     mov  rbx, rdi            ; env pinned in rbx
 *     ... body ...
 *     mov  eax, TB_EXIT_*      ; at every GOTO_TB / EXIT, inline epilogue:
 *     add  rsp, FRAME; pop ...; ret
 *
 * Temps: a linear-scan allocator gives the busiest live ranges the
 * callee-saved registers rbp, r12-r15 (they survive helper calls); the
 * rest get 4-byte stack slots in the frame.  rax, rcx, rdx and the
 * argument registers are scratch inside one IR op.  Live ranges come from
 * the linear order, widened to cover a whole loop (label .. backward
 * branch) whenever they touch it, which is conservative but sound.
 *
 * GET_REG/SET_REG/LD_ENV/ST_ENV are moves at [rbx + offsetof(...)];
 * memory ops and helpers are direct calls (rel32 when the buffer is near
 * the C code, else through rax) with env in rdi.  A guest exception is a
 * siglongjmp out of a callee: generated frames are plain (no unwind info
 * needed), callee-saved registers are restored by longjmp, and rsp is
 * 16-byte aligned at every call.
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
#define CG_MAX_PER_INSN  64     /* host bytes one IR op can need, at most */
#define CG_BLOCK_EXTRA   256    /* prologue, guard exit, alignment */

static const int cg_alloc_regs[] = { HR_RBP, HR_R12, HR_R13, HR_R14, HR_R15 };
#define CG_N_REGS ((int)G_N_ELEMENTS(cg_alloc_regs))

typedef struct CodegenState {
    uint8_t *buf;
    size_t size, used;
    csh cs;               /* -d out_asm disassembler (0 if unavailable) */
    bool cs_ok;
} CodegenState;

static bool cg_init(Translator *t, GError **errp)
{
    CodegenState *s = g_new0(CodegenState, 1);
    /* ask for an address near our own code so calls can use rel32 */
    uintptr_t near = ((uintptr_t)&cpu_ld8 & ~(uintptr_t)0xfffff) - (512u << 20);
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
    s->used = 0;
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
    for (uint32_t t = 0; t < nt; t++) {
        if (reg_of[t] >= 0) {
            loc[t] = loc_reg(cg_alloc_regs[reg_of[t]]);
            mask |= 1u << reg_of[t];
        } else if (iv[t].first == UINT32_MAX) {
            loc[t] = loc_reg(HR_RAX);             /* never mentioned */
        } else {
            loc[t] = loc_mem(HR_RSP, (int32_t)(4 * slots++));
        }
    }
    *reg_mask = mask;
    *n_slots = slots;
    g_free(reg_of);
    g_free(order);
    g_free(back);
    g_free(label_pos);
    g_free(iv);
}

/* ------------------------------------------------------------ code gen */

typedef struct CgFrame {
    int saved[1 + CG_N_REGS];   /* pushed registers in push order */
    int n_saved;
    int32_t frame;              /* rsp adjustment after the pushes */
} CgFrame;

static void cg_epilogue(Emitter *e, const CgFrame *f, int exit)
{
    emit_mov_loc_imm(e, loc_reg(HR_RAX), (uint32_t)exit);
    emit_rsp_adjust(e, f->frame);
    for (int i = f->n_saved; i-- > 0;)
        emit_pop(e, f->saved[i]);
    emit8(e, 0xc3);
}

static const void *const cg_ld_fn[3] = { (const void *)cpu_ld8, (const void *)cpu_ld16,
                                         (const void *)cpu_ld32 };
static const void *const cg_st_fn[3] = { (const void *)cpu_st8, (const void *)cpu_st16,
                                         (const void *)cpu_st32 };
static const int cg_arg_regs[IR_MAX_IN] = { HR_RSI, HR_RDX, HR_RCX, HR_R8 };

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

    CgFrame f = { .n_saved = 0 };
    f.saved[f.n_saved++] = HR_RBX;
    for (int r = 0; r < CG_N_REGS; r++)
        if (reg_mask & (1u << r))
            f.saved[f.n_saved++] = cg_alloc_regs[r];
    /* at entry rsp = 8 mod 16; after the pushes and the frame: 0 mod 16 */
    int32_t frame = (int32_t)(4 * n_slots);
    while ((8 + 8 * f.n_saved + frame) % 16)
        frame += 4;
    f.frame = frame;

    Emitter e = { .p = s->buf + start };
    uint8_t *code = e.p;
    for (int i = 0; i < f.n_saved; i++)
        emit_push(&e, f.saved[i]);
    emit_rsp_adjust(&e, -frame);
    emit_mov_r64_r64(&e, HR_RBX, HR_RDI);

    uint8_t **label_addr = g_new0(uint8_t *, ir->n_labels + 1);
    typedef struct { uint8_t *at; uint32_t label; } Fixup;
    Fixup *fix = g_new(Fixup, ir->n_insns + 1);
    uint32_t n_fix = 0;

    for (uint32_t n = 0; n < ir->n_insns; n++) {
        const IRInsn *in = &ir->insns[n];
        HostLoc out = in->out != IR_NO_TEMP ? loc[in->out] : loc_reg(HR_RAX);
        HostLoc a = in->nin > 0 ? loc[in->in[0]] : loc_reg(HR_RAX);
        HostLoc b = in->nin > 1 ? loc[in->in[1]] : loc_reg(HR_RAX);
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
            case IR_ADD: emit_alu_r_loc(&e, 0x03, HR_RAX, b); break;
            case IR_SUB: emit_alu_r_loc(&e, 0x2b, HR_RAX, b); break;
            case IR_AND: emit_alu_r_loc(&e, 0x23, HR_RAX, b); break;
            case IR_OR:  emit_alu_r_loc(&e, 0x0b, HR_RAX, b); break;
            case IR_XOR: emit_alu_r_loc(&e, 0x33, HR_RAX, b); break;
            default:     emit_imul_r_loc(&e, HR_RAX, b); break;
            }
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        }
        case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROL: case IR_ROR: {
            static const int ext[] = { [IR_SHL] = 4, [IR_SHR] = 5, [IR_SAR] = 7,
                                       [IR_ROL] = 0, [IR_ROR] = 1 };
            emit_mov_r_loc(&e, HR_RCX, b);
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
            emit_alu_r_loc(&e, 0x3b, HR_RCX, b);                 /* cmp ecx, b */
            emit_setcc_al(&e, cc);
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        }
        case IR_LD8: case IR_LD16: case IR_LD32:
            emit_mov_r64_r64(&e, HR_RDI, HR_RBX);
            emit_mov_r_loc(&e, HR_RSI, a);
            emit_call(&e, cg_ld_fn[in->op - IR_LD8]);
            emit_mov_loc_r(&e, out, HR_RAX);
            break;
        case IR_ST8: case IR_ST16: case IR_ST32:
            emit_mov_r64_r64(&e, HR_RDI, HR_RBX);
            emit_mov_r_loc(&e, HR_RSI, a);
            emit_mov_r_loc(&e, HR_RDX, b);
            emit_call(&e, cg_st_fn[in->op - IR_ST8]);
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
            cg_epilogue(&e, &f, (int)in->imm);
            break;
        case IR_EXIT:
            cg_epilogue(&e, &f, TB_EXIT_NOCHAIN);
            break;
        default:
            g_assert_not_reached();
        }
        g_assert((size_t)(e.p - code) <= need);
    }
    cg_epilogue(&e, &f, TB_EXIT_NOCHAIN);    /* guard: never falls off */
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

typedef int (*CgBlockFn)(CPUState *env);

static int cg_exec(Translator *t, CPUState *env, TranslationBlock *tb)
{
    return ((CgBlockFn)tb->code)(env);
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
};
