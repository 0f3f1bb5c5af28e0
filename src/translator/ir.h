/*
 * ir.h - tx86's intermediate representation: opcodes, instructions, blocks.
 *
 * The front end (x86: translate.c in src/cpu-x86) builds one IRBlock per guest
 * translation block with the ir_* builder calls below; passes and the
 * backends (src/translator/interp, src/translator/x86_64) consume it.
 * The opcode list lives in ir.def; this header only derives from it.
 * Guest registers, env words and helpers are numbers the block's
 * GuestDesc (guest.h) gives meaning to.
 *
 * Example (guest "inc eax" without flags):
 *     IRTemp t = ir_get_reg(b, 0);                  // x86: R_EAX
 *     ir_set_reg(b, 0, ir_add(b, t, ir_movi(b, 1)));
 *
 * Types (docs/translator.md): temps are I32 or I64, each op has the
 * type it works at (IRInsn.type, printed `add.i64` when not I32), loads
 * and stores carry a MemOp.
 *
 * Textual form (used by golden tests, printed by -d op):
 *     t0 = get_reg $0
 *     t1 = movi $0x1
 *     t2 = add t0, t1
 *     set_reg $0, t2
 */
#ifndef TX86_IR_H
#define TX86_IR_H

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <glib.h>
#include "translator/guest.h"

#define IR_VARARGS (-1)   /* NIN of CALL: arguments given by the helper */
#define IR_VAROUT  (-1)   /* NOUT of CALL: 1 if the helper returns a value */
#define IR_MAX_IN   4     /* most inputs an instruction can have */

/* side-effect flags of an opcode (ir.def FLAGS column) */
enum {
    IR_SE_MAY_FAULT    = 1 << 0,  /* may raise a guest exception (longjmp) */
    IR_SE_READS_MEM    = 1 << 1,
    IR_SE_WRITES_MEM   = 1 << 2,
    IR_SE_READS_STATE  = 1 << 3,  /* reads env */
    IR_SE_WRITES_STATE = 1 << 4,  /* writes env */
    IR_SE_BRANCH       = 1 << 5,  /* jumps to a label */
    IR_SE_LABEL        = 1 << 6,  /* defines a label */
    IR_SE_EXIT         = 1 << 7,  /* leaves the block */
    IR_SE_CALL         = 1 << 8,  /* effects given by the helper's flags */
};

/* meaning of the immediate field */
typedef enum IRImmKind {
    IMM_NONE,
    IMM_CONST,     /* constant of the op's type (I32: < 2^32) */
    IMM_REG,       /* guest register index, < GuestDesc.n_regs */
    IMM_ENV,       /* byte offset into env, < GuestDesc.env_size */
    IMM_HELPER,    /* index in GuestDesc.helpers */
    IMM_LABEL,     /* label number inside the block */
    IMM_GUEST_PC,  /* guest pc */
    IMM_SLOT,      /* chaining exit slot, 0 or 1 */
    IMM_COUNT,     /* guest instructions completed at this exit, 0 = the whole block
                      (printed and parsed only when not 0) */
} IRImmKind;

/* how an op's type relates to its temps' types (ir.def TYPES column) */
typedef enum IRTypeRule {
    TY_NONE,       /* no temps; type I32 */
    TY_SAME,       /* inputs and output all of the op's type */
    TY_MEM,        /* LD/ST: value of the op's type, address I32 */
    TY_WIDEN,      /* input I32, output I64 (op type I64) */
    TY_NARROW,     /* input I64, output I32 (op type I64) */
    TY_CALL,       /* the helper's signature (HelperDesc) */
} IRTypeRule;

typedef enum IROpcode {
#define DEF_IR(name, nout, nin, imm, types, flags) IR_##name,
#include "ir.def"
#undef DEF_IR
    IR_NUM_OPCODES
} IROpcode;

/* one row per opcode, generated from ir.def */
typedef struct IROpDesc {
    const char *name;   /* ir.def spelling; the textual form is its lower case */
    int nout;           /* 0, 1 or IR_VAROUT */
    int nin;            /* fixed count or IR_VARARGS */
    IRImmKind imm;
    IRTypeRule types;
    unsigned flags;     /* IR_SE_* */
} IROpDesc;
extern const IROpDesc ir_op_desc[IR_NUM_OPCODES];

typedef uint16_t IRTemp;
#define IR_NO_TEMP ((IRTemp)0xffff)

/* IRType (I32, I64; V128 reserved) is in guest.h: GuestGlobal and
 * HelperDesc use it too */
static inline unsigned ir_type_bits(IRType t) { return t == IR_I64 ? 64 : 32; }

/*
 * MemOp: the access a LD/ST makes (IRInsn.memop).
 *   bits 0-1  size, log2 of bytes (MO_8 .. MO_64); at most the op's type
 *   bit 2     MO_SIGN: a load sign-extends to the op's type (else zero)
 *   bits 3-5  TLB view: 0 = the block's default (GuestDesc.tlb_mode of
 *             its flags), n = view n-1 (MO_VIEW(n-1)), < GuestDesc.tlb_views
 *   bit 6     MO_ALIGN: natural alignment required: a misaligned access
 *             takes the slow path, which calls GuestDesc.misaligned first
 *             (the verifier requires that hook; x86 emits none yet)
 * A 64-bit access (MO_64, I64 only) needs GuestDesc.ld_slow64/st_slow64.
 * Textual form: ld.u8 ld.s8 ld.u16 ld.s16 ld.32 (I64: ld.i64.u32 ...
 * ld.i64.64), st.8 st.16 st.32 st.64, then .vN for an explicit view and
 * .al for MO_ALIGN.
 */
typedef uint8_t MemOp;
enum {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3,
    MO_SIZE = 3,                /* mask of the size field */
    MO_SIGN = 1 << 2,
    MO_VIEW_SHIFT = 3,
    MO_VIEW_MASK = 7 << 3,      /* 0: block default */
    MO_ALIGN = 1 << 6,
};
#define MO_VIEW(n) ((MemOp)(((n) + 1) << MO_VIEW_SHIFT))   /* explicit view n */
static inline unsigned memop_bytes(MemOp m) { return 1u << (m & MO_SIZE); }
/* the TLB view of m in a block whose default view is dflt */
static inline int memop_view(MemOp m, int dflt)
{
    return (m & MO_VIEW_MASK) ? (int)((m & MO_VIEW_MASK) >> MO_VIEW_SHIFT) - 1 : dflt;
}

typedef struct IRInsn {
    uint8_t  op;              /* IROpcode */
    uint8_t  type;            /* IRType: the width the op works at */
    uint8_t  nin;             /* number of inputs actually used */
    uint8_t  memop;           /* LD/ST: MemOp; 0 otherwise */
    IRTemp   out;             /* output temp or IR_NO_TEMP */
    IRTemp   in[IR_MAX_IN];   /* input temps */
    uint64_t imm;             /* immediate, meaning given by IROpDesc.imm */
} IRInsn;

typedef struct IRBlock {
    IRInsn  *insns;           /* instruction array */
    uint32_t n_insns, cap_insns;
    uint32_t n_temps;         /* temps are numbered 0..n_temps-1 */
    uint8_t *temp_type;       /* [n_temps]: IRType of each temp */
    uint32_t cap_temps;
    uint32_t n_labels;        /* labels are numbered 0..n_labels-1 */
    const GuestDesc *guest;   /* registers, env words, helpers (guest.h) */
} IRBlock;

/* lifetime: a block is built for one guest's description */
void     ir_block_init(IRBlock *b, const GuestDesc *guest);
void     ir_block_reset(IRBlock *b);     /* empty it, keep the storage */
void     ir_block_free(IRBlock *b);

/* raw builder: append one instruction of the given type, returns its
 * index (memop 0: set insns[i].memop after for LD/ST) */
uint32_t ir_emit(IRBlock *b, IROpcode op, IRType type, IRTemp out, int nin,
                 const IRTemp *in, uint64_t imm);
IRTemp   ir_new_temp(IRBlock *b, IRType type);
uint32_t ir_new_label(IRBlock *b);
static inline IRType ir_temp_type(const IRBlock *b, IRTemp t)
{
    return (IRType)b->temp_type[t];
}

/* convenience builders (return the new output temp); ops on temps take
 * their type from their first input, get_reg from the register */
IRTemp ir_movi(IRBlock *b, uint32_t value);                    /* I32 */
IRTemp ir_movi64(IRBlock *b, uint64_t value);                  /* I64 */
IRTemp ir_mov(IRBlock *b, IRTemp a);
IRTemp ir_get_reg(IRBlock *b, int reg);
void   ir_set_reg(IRBlock *b, int reg, IRTemp v);
IRTemp ir_ld_env(IRBlock *b, uint32_t offset);                 /* I32 */
IRTemp ir_ld_env_type(IRBlock *b, IRType type, uint32_t offset);
void   ir_st_env(IRBlock *b, uint32_t offset, IRTemp v);
IRTemp ir_binop(IRBlock *b, IROpcode op, IRTemp a, IRTemp c);
IRTemp ir_unop(IRBlock *b, IROpcode op, IRTemp a);             /* also EXT32U/S, TRUNC */
/* memory: the general form and the x86 front end's I32 shorthands
 * (size 1, 2, 4, zero-extended, block's TLB view) */
IRTemp ir_ld(IRBlock *b, IRType type, MemOp mo, IRTemp addr);
void   ir_st(IRBlock *b, MemOp mo, IRTemp addr, IRTemp v);
IRTemp ir_load(IRBlock *b, int size, IRTemp addr);
void   ir_store(IRBlock *b, int size, IRTemp addr, IRTemp v);
/* helper call; returns the result temp or IR_NO_TEMP for void helpers */
IRTemp ir_call(IRBlock *b, int helper, int nargs, const IRTemp *args);
void   ir_label(IRBlock *b, uint32_t label);
void   ir_br(IRBlock *b, uint32_t label);
void   ir_brz(IRBlock *b, IRTemp cond, uint32_t label);
void   ir_brnz(IRBlock *b, IRTemp cond, uint32_t label);
void   ir_insn_start(IRBlock *b, uint64_t pc);
void   ir_goto_tb(IRBlock *b, int slot);
void   ir_exit(IRBlock *b);
/* an exit in the middle of a block, after its first n_done instructions
 * (the exact instruction count, translator.md) */
void   ir_exit_after(IRBlock *b, uint32_t n_done);
void   ir_lookup_tb(IRBlock *b);     /* indirect branch: env pc, jump cache (ir.def) */

#define ir_add(b, x, y) ir_binop(b, IR_ADD, x, y)
#define ir_sub(b, x, y) ir_binop(b, IR_SUB, x, y)
#define ir_and(b, x, y) ir_binop(b, IR_AND, x, y)
#define ir_or(b, x, y)  ir_binop(b, IR_OR, x, y)
#define ir_xor(b, x, y) ir_binop(b, IR_XOR, x, y)

/* the effective side-effect flags of one instruction (CALL: helper's) */
unsigned ir_insn_flags(const GuestDesc *g, const IRInsn *insn);
/* the env offset of guest register n (get_reg/set_reg $n) */
static inline uint32_t ir_reg_offset(const GuestDesc *g, uint32_t n)
{
    return g->regs[n].offset;
}
/* a word the optimiser must never forward nor a backend delay (guest.h) */
bool ir_env_volatile(const GuestDesc *g, uint32_t offset);

/* printer: one instruction of b / a whole block in the textual form */
void ir_print_insn(FILE *f, const IRBlock *b, const IRInsn *insn);
void ir_print_block(FILE *f, const IRBlock *b);
/* parser for the textual form (golden tests); false + error on bad text */
bool ir_parse(IRBlock *b, const char *text, GError **errp);
/* verifier: temps defined before use (on every path within straight-line
 * order), input counts, labels defined exactly once and referenced labels
 * exist, immediates in range, block ends with an exit; types: every
 * temp has one type, each op's temps match its type rule (ir.def), a
 * call's the helper's signature, MemOps are valid for the guest.  */
bool ir_verify(const IRBlock *b, GError **errp);

/* optimisation passes (ir_opt.c): constant folding, dead code removal */
void ir_optimize(IRBlock *b);

#define TX86_IR_ERROR tx86_ir_error_quark()
GQuark tx86_ir_error_quark(void);

#endif
