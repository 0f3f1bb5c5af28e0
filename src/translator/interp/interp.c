/*
 * interp.c - the portable backend: runs the IR directly.
 *
 * compile() pre-decodes a block's IR into a dense array of InterpOp (16
 * bytes each): NOPs, labels and insn_start markers are dropped, branch
 * targets are resolved to array indices, and a guard EXIT is appended.
 * The arrays live in one bump-allocated arena per translator; when it is
 * full compile() fails and the translator flushes (as with native code).
 * exec() walks the array with a switch; temps live in one buffer of 32-bit
 * words owned by the backend state (sized for the largest block), so
 * running a block allocates nothing.  An I64 temp takes two words (its
 * own index is remapped at compile time), and I64 ops are one case of the
 * switch (IOP_I64, the IR opcode in d; IOP_MOVI64, IOP_BRZ64/BRNZ64 apart);
 * a load or store is one internal opcode per size and sign (IOP_*) with
 * its view's TLB offset in imm; 64-bit and MO_ALIGN accesses are one
 * more (IOP_MEM, interp_mem) that decodes its MemOp when it runs.  The internal opcodes follow the IR's, so
 * the switch stays one dense jump table.
 * Blocks with I32 temps only keep the IR's numbering.
 *
 * The guest is known only through its GuestDesc: get_reg/set_reg are
 * pre-decoded to env offsets, helpers come from its table.  Helpers are
 * called through libffi with one ffi_cif per helper, built at init from
 * its signature (HelperDesc: uint32 / uint64 arguments after env, void,
 * uint32 or uint64 result).  Memory ops do the software-TLB lookup
 * (mmu/tlb.h) in the view their MemOp or the block's flags select, as
 * native code does, and call the guest's slow paths on a miss.  A
 * guest exception is a siglongjmp out of a helper or memory op, straight
 * through exec(); nothing here needs cleaning up.
 */
#include <string.h>
#include <ffi.h>
#include "translator/translator.h"
#include "mmu/tlb.h"


typedef struct InterpOp {
    uint16_t op;        /* IROpcode (I32 form) or IOP_* */
    uint16_t out;       /* output temp (word index) */
    uint16_t a, b, c, d;/* input temps (word indexes); IOP_MOVI64: c, d hold
                           the high half of the constant; IOP_I64: d is
                           the IROpcode */
    uint32_t imm;       /* immediate; branch target index for BR/BRZ/BRNZ,
                           env offset for GET_REG/SET_REG, TLB view offset
                           for loads and stores */
} InterpOp;

/* internal opcodes after the IR's: loads and stores decoded from LD/ST
 * and their MemOp, and the I64 forms */
enum {
    IOP_LD8U = IR_NUM_OPCODES, IOP_LD8S, IOP_LD16U, IOP_LD16S, IOP_LD32,
    IOP_ST8, IOP_ST16, IOP_ST32,
    IOP_MOVI64, IOP_BRZ64, IOP_BRNZ64,
    IOP_I64,            /* any other I64 op: the IROpcode in d */
    IOP_MEM,            /* any other load/store (I64, MO_ALIGN): MemOp in c,
                           IOP_MEM_* in d */
};
enum { IOP_MEM_STORE = 1, IOP_MEM_I64 = 2 };

typedef struct InterpCode {
    uint32_t n_ops;
    uint32_t n_temps;   /* 32-bit words of temps */
    uint32_t pad[2];
    InterpOp ops[];
} InterpCode;

typedef struct InterpState {
    ffi_cif *cif;                       /* [n_helpers], from their signatures */
    ffi_type **arg_types;               /* [n_helpers][1 + HELPER_MAX_ARGS] */
    uint8_t *arena;
    size_t arena_size, arena_used;      /* t->tb_size / 2 */
    uint32_t *temps;                    /* scratch temps for exec */
    uint32_t temps_cap;
} InterpState;

static bool interp_init(Translator *t, GError **errp)
{
    InterpState *s = g_new0(InterpState, 1);
    const GuestDesc *g = t->guest;
    s->cif = g_new0(ffi_cif, g->n_helpers + 1);
    s->arg_types = g_new0(ffi_type *, (g->n_helpers + 1) * (1 + HELPER_MAX_ARGS));
    for (uint32_t h = 0; h < g->n_helpers; h++) {
        const HelperDesc *hd = &g->helpers[h];
        ffi_type **at = s->arg_types + h * (1 + HELPER_MAX_ARGS);
        at[0] = &ffi_type_pointer;
        for (int k = 0; k < hd->nargs; k++)
            at[k + 1] = hd->args[k] == IR_I64 ? &ffi_type_uint64 : &ffi_type_uint32;
        ffi_type *rt = hd->ret == IR_VOID ? &ffi_type_void :
                       hd->ret == IR_I64 ? &ffi_type_uint64 : &ffi_type_uint32;
        if (hd->nargs > HELPER_MAX_ARGS ||
            ffi_prep_cif(&s->cif[h], FFI_DEFAULT_ABI, (unsigned)hd->nargs + 1, rt, at) != FFI_OK) {
            g_set_error(errp, TX86_IR_ERROR, 10, "ffi_prep_cif failed for helper %s",
                        hd->name);
            g_free(s->cif);
            g_free(s->arg_types);
            g_free(s);
            return false;
        }
    }
    s->arena_size = t->tb_size / 2;
    s->arena = g_malloc(s->arena_size);     /* large: pages committed lazily */
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
    g_free(s->cif);
    g_free(s->arg_types);
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
    if (s->arena_used + bytes > s->arena_size)
        return false;
    InterpCode *code = (InterpCode *)(s->arena + s->arena_used);

    /* temp -> first word: the IR numbering unless an I64 temp needs two */
    uint32_t n_words = ir->n_temps;
    uint16_t *word = NULL;
    for (uint32_t t = 0; t < ir->n_temps; t++) {
        if (ir->temp_type[t] == IR_I64) {
            word = g_new(uint16_t, ir->n_temps + 1);
            n_words = 0;
            for (uint32_t u = 0; u < ir->n_temps; u++) {
                if (ir->temp_type[u] == IR_I64)
                    n_words = (n_words + 1) & ~1u;      /* 8-byte aligned */
                word[u] = (uint16_t)n_words;
                n_words += ir->temp_type[u] == IR_I64 ? 2 : 1;
            }
            break;
        }
    }
    if (n_words > 0xffff) {
        g_free(word);
        return false;
    }
#define W(tmp) (word ? word[tmp] : (tmp))

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
        o->out = in->out != IR_NO_TEMP ? W(in->out) : in->out;
        /* unused input slots read temp 0 (always inside the buffer) */
        o->a = in->nin > 0 ? W(in->in[0]) : 0;
        o->b = in->nin > 1 ? W(in->in[1]) : 0;
        o->c = in->nin > 2 ? W(in->in[2]) : 0;
        o->d = in->nin > 3 ? W(in->in[3]) : 0;
        o->imm = (uint32_t)in->imm;
        if (in->op == IR_BR || in->op == IR_BRZ || in->op == IR_BRNZ) {
            o->imm = label_pos[in->imm];
        } else if (in->op == IR_GET_REG || in->op == IR_SET_REG) {
            o->imm = ir_reg_offset(t->guest, (uint32_t)in->imm);
        }
        if ((in->op == IR_LD || in->op == IR_ST) &&
            (in->type == IR_I64 || (in->memop & MO_ALIGN))) {
            /* out of the hot switch: interp_mem */
            o->op = IOP_MEM;
            o->c = in->memop;
            o->d = (uint16_t)((in->op == IR_ST ? IOP_MEM_STORE : 0) |
                              (in->type == IR_I64 ? IOP_MEM_I64 : 0));
            int view = memop_view(in->memop, t->guest->tlb_mode(tb->hflags));
            o->imm = t->guest->tlb_offset +
                     (uint32_t)view * (uint32_t)(TLB_SIZE * sizeof(CPUTLBEntry));
        } else if (in->type == IR_I64) {
            if (in->op == IR_MOVI) {
                o->op = IOP_MOVI64;
                o->c = (uint16_t)(in->imm >> 32);
                o->d = (uint16_t)(in->imm >> 48);
            } else if (in->op == IR_BRZ || in->op == IR_BRNZ) {
                o->op = in->op == IR_BRZ ? IOP_BRZ64 : IOP_BRNZ64;
            } else {
                o->op = IOP_I64;
                o->d = in->op;      /* no I64 op has more than two inputs */
            }
        } else if (in->op == IR_LD || in->op == IR_ST) {
            /* I32 without MO_ALIGN (the rest: IOP_MEM above) */
            MemOp mo = in->memop;
            int sz = mo & MO_SIZE;
            o->op = in->op == IR_ST ? (uint16_t)(IOP_ST8 + sz) :
                    sz == MO_32 ? IOP_LD32 :
                    (uint16_t)(IOP_LD8U + 2 * sz + ((mo & MO_SIGN) ? 1 : 0));
            int view = memop_view(mo, t->guest->tlb_mode(tb->hflags));
            o->imm = t->guest->tlb_offset +
                     (uint32_t)view * (uint32_t)(TLB_SIZE * sizeof(CPUTLBEntry));
        }
    }
#undef W
    code->ops[k] = (InterpOp){ .op = IR_EXIT };
    code->n_ops = n_ops;
    code->n_temps = n_words;
    g_free(label_pos);
    g_free(word);

    if (n_words > s->temps_cap) {
        s->temps_cap = n_words;
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
    if (__builtin_expect(e->addr_read == tlb_tag(addr, size), 1))
        return tlb_host_ld(e->addend + addr, size);
    return t->guest->ld_slow[k](env, addr);
}

static inline void interp_st(Translator *t, void *env, uint32_t tlb_off,
                             uint32_t addr, uint32_t v, uint32_t size, int k)
{
    const CPUTLBEntry *e = interp_tlb(env, tlb_off, addr);
    if (__builtin_expect(e->addr_write == tlb_tag(addr, size), 1)) {
        tlb_host_st(e->addend + addr, v, size);
        return;
    }
    t->guest->st_slow[k](env, addr, v);
}

static inline uint64_t interp_rol64(uint64_t a, uint64_t n)
{
    n &= 63;
    return n ? (a << n) | (a >> (64 - n)) : a;
}

static inline uint64_t interp_ror64(uint64_t a, uint64_t n)
{
    n &= 63;
    return n ? (a >> n) | (a << (64 - n)) : a;
}

/* an I64 temp: two words at T + w */
static inline uint64_t interp_get64(const uint32_t *T, uint32_t w)
{
    uint64_t v;
    memcpy(&v, &T[w], 8);
    return v;
}

static inline void interp_set64(uint32_t *T, uint32_t w, uint64_t v)
{
    memcpy(&T[w], &v, 8);
}

/* a load or store of any MemOp and type (IOP_MEM): 64-bit accesses and
 * MO_ALIGN.  An aligned access compares the tag with the alignment bits
 * kept (tlb_tag_aligned), so a misaligned one misses; the miss calls the
 * guest's misaligned hook first if the address is not aligned, then the
 * slow path of the size. */
static void interp_mem(Translator *t, const InterpOp *o, uint32_t *T, void *env)
{
    const GuestDesc *g = t->guest;
    MemOp mo = (MemOp)o->c;
    bool store = o->d & IOP_MEM_STORE, i64 = o->d & IOP_MEM_I64;
    uint32_t size = memop_bytes(mo), k = mo & MO_SIZE;
    uint32_t align = (mo & MO_ALIGN) ? size : 1;
    uint32_t addr = T[o->a];
    const CPUTLBEntry *e = interp_tlb(env, o->imm, addr);
    GuestVirt tag = tlb_tag_aligned(addr, size, align);

    if (store) {
        uint64_t v = i64 ? interp_get64(T, o->b) : T[o->b];
        if (__builtin_expect(e->addr_write == tag, 1)) {
            if (size == 8)
                tlb_host_st64(e->addend + addr, v);
            else
                tlb_host_st(e->addend + addr, (uint32_t)v, size);
            return;
        }
        if (addr & (align - 1))
            g->misaligned(env, addr, mo, true);
        if (size == 8)
            g->st_slow64(env, addr, v);
        else
            g->st_slow[k](env, addr, (uint32_t)v);
        return;
    }
    uint64_t v;
    if (__builtin_expect(e->addr_read == tag, 1)) {
        v = size == 8 ? tlb_host_ld64(e->addend + addr) : tlb_host_ld(e->addend + addr, size);
    } else {
        if (addr & (align - 1))
            g->misaligned(env, addr, mo, false);
        v = size == 8 ? g->ld_slow64(env, addr) : g->ld_slow[k](env, addr);
    }
    if (mo & MO_SIGN)
        v = size == 1 ? (uint64_t)(int64_t)(int8_t)v : size == 2 ? (uint64_t)(int64_t)(int16_t)v
                      : (uint64_t)(int64_t)(int32_t)v;
    if (i64)
        interp_set64(T, o->out, v);
    else
        T[o->out] = (uint32_t)v;
}

/* the I64 ops, out of the hot switch */
static void interp_exec64(const InterpOp *o, uint32_t *T, void *env)
{
#define A64 interp_get64(T, o->a)
#define B64 interp_get64(T, o->b)
#define SET64(v) interp_set64(T, o->out, (v))
    switch (o->d) {
    case IR_MOV:    SET64(A64); break;
    case IR_GET_REG:
    case IR_LD_ENV: memcpy(&T[o->out], (uint8_t *)env + o->imm, 8); break;
    case IR_SET_REG:
    case IR_ST_ENV: memcpy((uint8_t *)env + o->imm, &T[o->a], 8); break;
    case IR_ADD:    SET64(A64 + B64); break;
    case IR_SUB:    SET64(A64 - B64); break;
    case IR_MUL:    SET64(A64 * B64); break;
    case IR_AND:    SET64(A64 & B64); break;
    case IR_OR:     SET64(A64 | B64); break;
    case IR_XOR:    SET64(A64 ^ B64); break;
    case IR_SHL:    SET64(A64 << (B64 & 63)); break;
    case IR_SHR:    SET64(A64 >> (B64 & 63)); break;
    case IR_SAR:    SET64((uint64_t)((int64_t)A64 >> (B64 & 63))); break;
    case IR_ROL:    SET64(interp_rol64(A64, B64)); break;
    case IR_ROR:    SET64(interp_ror64(A64, B64)); break;
    case IR_NOT:    SET64(~A64); break;
    case IR_NEG:    SET64(-A64); break;
    case IR_EXT8S:  SET64((uint64_t)(int64_t)(int8_t)A64); break;
    case IR_EXT8U:  SET64(A64 & 0xff); break;
    case IR_EXT16S: SET64((uint64_t)(int64_t)(int16_t)A64); break;
    case IR_EXT16U: SET64(A64 & 0xffff); break;
    case IR_EXT32U: SET64(T[o->a]); break;
    case IR_EXT32S: SET64((uint64_t)(int64_t)(int32_t)T[o->a]); break;
    case IR_TRUNC:  T[o->out] = (uint32_t)A64; break;
    case IR_SETEQ:  SET64(A64 == B64); break;
    case IR_SETNE:  SET64(A64 != B64); break;
    case IR_SETLTU: SET64(A64 < B64); break;
    case IR_SETLEU: SET64(A64 <= B64); break;
    case IR_SETLT:  SET64((int64_t)A64 < (int64_t)B64); break;
    case IR_SETLE:  SET64((int64_t)A64 <= (int64_t)B64); break;
    default:        g_error("interp: I64 op %s", ir_op_desc[o->d].name);
    }
#undef A64
#undef B64
#undef SET64
}

/* a helper call: arguments and result of its signature's widths */
static void interp_call(InterpState *s, const HelperDesc *h, uint32_t id,
                        const InterpOp *o, uint32_t *T, void *env)
{
    const uint16_t w[IR_MAX_IN] = { o->a, o->b, o->c, o->d };
    uint64_t args[IR_MAX_IN];
    void *argv[IR_MAX_IN + 1] = { &env, &args[0], &args[1], &args[2], &args[3] };
    for (int k = 0; k < h->nargs; k++) {
        if (h->args[k] == IR_I64) {
            args[k] = interp_get64(T, w[k]);
        } else {
            uint32_t v = T[w[k]];
            memcpy(&args[k], &v, 4);    /* libffi reads a uint32 at &args[k] */
        }
    }
    ffi_arg rv = 0;
    ffi_call(&s->cif[id], FFI_FN(h->fn), &rv, argv);
    if (h->ret == IR_I64)
        interp_set64(T, o->out, (uint64_t)rv);
    else if (h->ret == IR_I32)
        T[o->out] = (uint32_t)rv;
}

static int interp_exec(Translator *t, void *env, TranslationBlock *tb)
{
    InterpState *s = t->backend_state;
    const InterpCode *code = tb->code;
    const InterpOp *ops = code->ops;
    const InterpOp *o = ops;
    uint32_t *T = s->temps;
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
        case IOP_LD8U:  T[o->out] = interp_ld(t, env, o->imm, T[o->a], 1, 0); break;
        case IOP_LD8S:
            T[o->out] = (uint32_t)(int32_t)(int8_t)interp_ld(t, env, o->imm, T[o->a], 1, 0);
            break;
        case IOP_LD16U: T[o->out] = interp_ld(t, env, o->imm, T[o->a], 2, 1); break;
        case IOP_LD16S:
            T[o->out] = (uint32_t)(int32_t)(int16_t)interp_ld(t, env, o->imm, T[o->a], 2, 1);
            break;
        case IOP_LD32:  T[o->out] = interp_ld(t, env, o->imm, T[o->a], 4, 2); break;
        case IOP_ST8:   interp_st(t, env, o->imm, T[o->a], T[o->b], 1, 0); break;
        case IOP_ST16:  interp_st(t, env, o->imm, T[o->a], T[o->b], 2, 1); break;
        case IOP_ST32:  interp_st(t, env, o->imm, T[o->a], T[o->b], 4, 2); break;
        case IR_CALL:
            interp_call(s, &helpers[o->imm], o->imm, o, T, env);
            break;
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
        case IOP_MOVI64:
            interp_set64(T, o->out, (uint64_t)o->imm | (uint64_t)o->c << 32 |
                                    (uint64_t)o->d << 48);
            break;
        case IOP_I64:
            interp_exec64(o, T, env);
            break;
        case IOP_MEM:
            interp_mem(t, o, T, env);
            break;
        case IOP_BRZ64:
            if (interp_get64(T, o->a) == 0) {
                o = ops + o->imm;
                continue;
            }
            break;
        case IOP_BRNZ64:
            if (interp_get64(T, o->a) != 0) {
                o = ops + o->imm;
                continue;
            }
            break;
        case IR_GOTO_TB:        /* the budget word counts what ran (translator.md) */
            *(int32_t *)((uint8_t *)env + t->guest->icount_left) -= (int32_t)tb->n_insns;
            return (int)o->imm;
        case IR_EXIT:
            *(int32_t *)((uint8_t *)env + t->guest->icount_left) -=
                (int32_t)(o->imm ? o->imm : tb->n_insns);
            return TB_EXIT_NOCHAIN;
        case IR_LOOKUP_TB:      /* the CPU loop's tb_find tries the jump cache */
            *(int32_t *)((uint8_t *)env + t->guest->icount_left) -= (int32_t)tb->n_insns;
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
        static const char *const iop_name[] = { "LD8U", "LD8S", "LD16U", "LD16S", "LD32",
                                                "ST8", "ST16", "ST32", "MOVI64", "BRZ64",
                                                "BRNZ64", "I64", "MEM" };
        const char *name = o->op >= IOP_LD8U ? iop_name[o->op - IOP_LD8U] :
                           ir_op_desc[o->op].name;
        fprintf(f, "  %4u: %-10s out=%u in=%u,%u,%u,%u imm=0x%x\n", i, name,
                o->out, o->a, o->b, o->c, o->d, o->imm);
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
