/*
 * interp.c - the portable backend: runs the IR directly.
 *
 * compile() pre-decodes a block's IR into a dense array of InterpOp (16
 * bytes each): NOPs, labels and insn_start markers are dropped, branch
 * targets are resolved to array indices, and a guard EXIT is appended.
 * The arrays live in one bump-allocated arena per translator; when it is
 * full compile() fails and the translator flushes (as with native code).
 * exec() walks the array with a switch; temps live in one buffer owned by
 * the backend state (sized for the largest block), so running a block
 * allocates nothing.
 *
 * The guest is known only through its GuestDesc: get_reg/set_reg are
 * pre-decoded to env offsets, helpers come from its table.  Helpers are
 * called through libffi with one prepared ffi_cif per shape (0..4 uint32
 * arguments after env, void or uint32 result).  Memory ops do the
 * software-TLB lookup (mmu/tlb.h) in the view the block's flags select,
 * as native code does, and call the guest's slow paths on a miss.  A
 * guest exception is a siglongjmp out of a helper or memory op, straight
 * through exec(); nothing here needs cleaning up.
 */
#include <string.h>
#include <ffi.h>
#include "translator/translator.h"
#include "mmu/tlb.h"

#define INTERP_ARENA_SIZE (32u << 20)

typedef struct InterpOp {
    uint16_t op;        /* IROpcode */
    uint16_t out;       /* output temp */
    uint16_t a, b, c, d;/* input temps */
    uint32_t imm;       /* immediate; branch target index for BR/BRZ/BRNZ,
                           env offset for GET_REG/SET_REG */
} InterpOp;

typedef struct InterpCode {
    uint32_t n_ops;
    uint32_t n_temps;
    uint32_t tlb_off;   /* env offset of the TLB view the block's flags use */
    uint32_t pad;
    InterpOp ops[];
} InterpCode;

typedef struct InterpState {
    ffi_cif cif[IR_MAX_IN + 1][2];      /* [nargs][has_ret] */
    ffi_type *arg_types[IR_MAX_IN + 1]; /* env pointer, then uint32s */
    uint8_t *arena;
    size_t arena_used;
    uint32_t *temps;                    /* scratch temps for exec */
    uint32_t temps_cap;
} InterpState;

static bool interp_init(Translator *t, GError **errp)
{
    InterpState *s = g_new0(InterpState, 1);
    s->arg_types[0] = &ffi_type_pointer;
    for (int i = 1; i <= IR_MAX_IN; i++)
        s->arg_types[i] = &ffi_type_uint32;
    for (int n = 0; n <= IR_MAX_IN; n++) {
        for (int r = 0; r < 2; r++) {
            if (ffi_prep_cif(&s->cif[n][r], FFI_DEFAULT_ABI, (unsigned)n + 1,
                             r ? &ffi_type_uint32 : &ffi_type_void,
                             s->arg_types) != FFI_OK) {
                g_set_error(errp, TX86_IR_ERROR, 10, "ffi_prep_cif failed");
                g_free(s);
                return false;
            }
        }
    }
    s->arena = g_malloc(INTERP_ARENA_SIZE);   /* large: pages committed lazily */
    s->temps_cap = 256;
    s->temps = g_new0(uint32_t, s->temps_cap);
    t->backend_state = s;
    return true;
}

static void interp_cleanup(Translator *t)
{
    InterpState *s = t->backend_state;
    if (!s)
        return;
    g_free(s->arena);
    g_free(s->temps);
    g_free(s);
    t->backend_state = NULL;
}

static void interp_flush(Translator *t)
{
    InterpState *s = t->backend_state;
    s->arena_used = 0;
}

static bool interp_compile(Translator *t, TranslationBlock *tb, const IRBlock *ir)
{
    InterpState *s = t->backend_state;
    uint32_t n_ops = 1;     /* the guard EXIT */
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        int op = ir->insns[i].op;
        if (op != IR_NOP && op != IR_LABEL && op != IR_INSN_START)
            n_ops++;
    }
    size_t bytes = sizeof(InterpCode) + n_ops * sizeof(InterpOp);
    bytes = (bytes + 15) & ~(size_t)15;
    if (s->arena_used + bytes > INTERP_ARENA_SIZE)
        return false;
    InterpCode *code = (InterpCode *)(s->arena + s->arena_used);

    /* label -> index of the first op after it */
    uint32_t *label_pos = g_new(uint32_t, ir->n_labels + 1);
    uint32_t k = 0;
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        if (in->op == IR_LABEL)
            label_pos[in->imm] = k;
        else if (in->op != IR_NOP && in->op != IR_INSN_START)
            k++;
    }
    k = 0;
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        if (in->op == IR_NOP || in->op == IR_LABEL || in->op == IR_INSN_START)
            continue;
        InterpOp *o = &code->ops[k++];
        o->op = in->op;
        o->out = in->out;
        /* unused input slots read temp 0 (always inside the buffer) */
        o->a = in->nin > 0 ? in->in[0] : 0;
        o->b = in->nin > 1 ? in->in[1] : 0;
        o->c = in->nin > 2 ? in->in[2] : 0;
        o->d = in->nin > 3 ? in->in[3] : 0;
        o->imm = in->imm;
        if (in->op == IR_BR || in->op == IR_BRZ || in->op == IR_BRNZ)
            o->imm = label_pos[in->imm];
        else if (in->op == IR_GET_REG || in->op == IR_SET_REG)
            o->imm = ir_reg_offset(t->guest, in->imm);
    }
    code->ops[k] = (InterpOp){ .op = IR_EXIT };
    code->n_ops = n_ops;
    code->n_temps = ir->n_temps;
    code->tlb_off = t->guest->tlb_offset + (uint32_t)t->guest->tlb_mode(tb->hflags) *
                    (uint32_t)(TLB_SIZE * sizeof(CPUTLBEntry));
    g_free(label_pos);

    if (ir->n_temps > s->temps_cap) {
        s->temps_cap = ir->n_temps;
        s->temps = g_renew(uint32_t, s->temps, s->temps_cap);
    }
    s->arena_used += bytes;
    tb->code = code;
    tb->code_size = bytes;
    return true;
}

static inline uint32_t interp_rol(uint32_t a, uint32_t n)
{
    n &= 31;
    return n ? (a << n) | (a >> (32 - n)) : a;
}

static inline uint32_t interp_ror(uint32_t a, uint32_t n)
{
    n &= 31;
    return n ? (a >> n) | (a << (32 - n)) : a;
}

/* the TLB entry of addr in the view at env + tlb_off */
static inline const CPUTLBEntry *interp_tlb(void *env, uint32_t tlb_off, uint32_t addr)
{
    return (const CPUTLBEntry *)((uint8_t *)env + tlb_off + tlb_entry_offset(addr));
}

static inline uint32_t interp_ld(Translator *t, void *env, uint32_t tlb_off,
                                 uint32_t addr, uint32_t size, int k)
{
    const CPUTLBEntry *e = interp_tlb(env, tlb_off, addr);
    if (__builtin_expect(e->addr_read == tlb_tag(addr, size), 1)) {
        const uint8_t *h = (const uint8_t *)(e->addend + addr);
        if (size == 1)
            return *h;
        if (size == 2) {
            uint16_t v;
            memcpy(&v, h, 2);
            return v;
        }
        uint32_t v;
        memcpy(&v, h, 4);
        return v;
    }
    return t->guest->ld_slow[k](env, addr);
}

static inline void interp_st(Translator *t, void *env, uint32_t tlb_off,
                             uint32_t addr, uint32_t v, uint32_t size, int k)
{
    const CPUTLBEntry *e = interp_tlb(env, tlb_off, addr);
    if (__builtin_expect(e->addr_write == tlb_tag(addr, size), 1)) {
        uint8_t *h = (uint8_t *)(e->addend + addr);
        if (size == 1) {
            *h = (uint8_t)v;
        } else if (size == 2) {
            uint16_t w = (uint16_t)v;
            memcpy(h, &w, 2);
        } else {
            memcpy(h, &v, 4);
        }
        return;
    }
    t->guest->st_slow[k](env, addr, v);
}

static int interp_exec(Translator *t, void *env, TranslationBlock *tb)
{
    InterpState *s = t->backend_state;
    const InterpCode *code = tb->code;
    const InterpOp *ops = code->ops;
    const InterpOp *o = ops;
    uint32_t *T = s->temps;
    const uint32_t tlb_off = code->tlb_off;
    const HelperDesc *helpers = t->guest->helpers;

    for (;;) {
        switch (o->op) {
        case IR_MOVI:   T[o->out] = o->imm; break;
        case IR_MOV:    T[o->out] = T[o->a]; break;
        case IR_GET_REG:
        case IR_LD_ENV: memcpy(&T[o->out], (uint8_t *)env + o->imm, 4); break;
        case IR_SET_REG:
        case IR_ST_ENV: memcpy((uint8_t *)env + o->imm, &T[o->a], 4); break;
        case IR_ADD:    T[o->out] = T[o->a] + T[o->b]; break;
        case IR_SUB:    T[o->out] = T[o->a] - T[o->b]; break;
        case IR_MUL:    T[o->out] = T[o->a] * T[o->b]; break;
        case IR_AND:    T[o->out] = T[o->a] & T[o->b]; break;
        case IR_OR:     T[o->out] = T[o->a] | T[o->b]; break;
        case IR_XOR:    T[o->out] = T[o->a] ^ T[o->b]; break;
        case IR_SHL:    T[o->out] = T[o->a] << (T[o->b] & 31); break;
        case IR_SHR:    T[o->out] = T[o->a] >> (T[o->b] & 31); break;
        case IR_SAR:    T[o->out] = (uint32_t)((int32_t)T[o->a] >> (T[o->b] & 31)); break;
        case IR_ROL:    T[o->out] = interp_rol(T[o->a], T[o->b]); break;
        case IR_ROR:    T[o->out] = interp_ror(T[o->a], T[o->b]); break;
        case IR_NOT:    T[o->out] = ~T[o->a]; break;
        case IR_NEG:    T[o->out] = -T[o->a]; break;
        case IR_EXT8S:  T[o->out] = (uint32_t)(int32_t)(int8_t)T[o->a]; break;
        case IR_EXT8U:  T[o->out] = T[o->a] & 0xff; break;
        case IR_EXT16S: T[o->out] = (uint32_t)(int32_t)(int16_t)T[o->a]; break;
        case IR_EXT16U: T[o->out] = T[o->a] & 0xffff; break;
        case IR_SETEQ:  T[o->out] = T[o->a] == T[o->b]; break;
        case IR_SETNE:  T[o->out] = T[o->a] != T[o->b]; break;
        case IR_SETLTU: T[o->out] = T[o->a] < T[o->b]; break;
        case IR_SETLEU: T[o->out] = T[o->a] <= T[o->b]; break;
        case IR_SETLT:  T[o->out] = (int32_t)T[o->a] < (int32_t)T[o->b]; break;
        case IR_SETLE:  T[o->out] = (int32_t)T[o->a] <= (int32_t)T[o->b]; break;
        case IR_LD8:    T[o->out] = interp_ld(t, env, tlb_off, T[o->a], 1, 0); break;
        case IR_LD16:   T[o->out] = interp_ld(t, env, tlb_off, T[o->a], 2, 1); break;
        case IR_LD32:   T[o->out] = interp_ld(t, env, tlb_off, T[o->a], 4, 2); break;
        case IR_ST8:    interp_st(t, env, tlb_off, T[o->a], T[o->b], 1, 0); break;
        case IR_ST16:   interp_st(t, env, tlb_off, T[o->a], T[o->b], 2, 1); break;
        case IR_ST32:   interp_st(t, env, tlb_off, T[o->a], T[o->b], 4, 2); break;
        case IR_CALL: {
            const HelperDesc *h = &helpers[o->imm];
            uint32_t args[IR_MAX_IN] = { T[o->a], T[o->b], T[o->c], T[o->d] };
            void *argv[IR_MAX_IN + 1] = { &env, &args[0], &args[1], &args[2], &args[3] };
            ffi_arg rv = 0;
            ffi_call(&s->cif[h->nargs][h->has_ret], FFI_FN(h->fn), &rv, argv);
            if (h->has_ret)
                T[o->out] = (uint32_t)rv;
            break;
        }
        case IR_BR:
            o = ops + o->imm;
            continue;
        case IR_BRZ:
            if (T[o->a] == 0) {
                o = ops + o->imm;
                continue;
            }
            break;
        case IR_BRNZ:
            if (T[o->a] != 0) {
                o = ops + o->imm;
                continue;
            }
            break;
        case IR_GOTO_TB:
            return (int)o->imm;
        case IR_EXIT:
            return TB_EXIT_NOCHAIN;
        default:
            g_assert_not_reached();
        }
        o++;
    }
}

static void interp_dump(Translator *t, TranslationBlock *tb, FILE *f)
{
    const InterpCode *code = tb->code;
    fprintf(f, "interp code: %u ops, %u temps\n", code->n_ops, code->n_temps);
    for (uint32_t i = 0; i < code->n_ops; i++) {
        const InterpOp *o = &code->ops[i];
        fprintf(f, "  %4u: %-10s out=%u in=%u,%u,%u,%u imm=0x%x\n", i,
                ir_op_desc[o->op].name, o->out, o->a, o->b, o->c, o->d, o->imm);
    }
}

const Backend backend_interp = {
    .name = "interp",
    .init = interp_init,
    .cleanup = interp_cleanup,
    .compile = interp_compile,
    .exec = interp_exec,
    .flush = interp_flush,
    .dump = interp_dump,
};
