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
    IMM_CONST,     /* 32-bit constant */
    IMM_REG,       /* guest register index, < GuestDesc.n_regs */
    IMM_ENV,       /* byte offset into env, < GuestDesc.env_size */
    IMM_HELPER,    /* index in GuestDesc.helpers */
    IMM_LABEL,     /* label number inside the block */
    IMM_GUEST_PC,  /* guest pc */
    IMM_SLOT,      /* chaining exit slot, 0 or 1 */
} IRImmKind;

typedef enum IROpcode {
#define DEF_IR(name, nout, nin, imm, flags) IR_##name,
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
    unsigned flags;     /* IR_SE_* */
} IROpDesc;
extern const IROpDesc ir_op_desc[IR_NUM_OPCODES];

typedef uint16_t IRTemp;
#define IR_NO_TEMP ((IRTemp)0xffff)

typedef enum IRType { IR_I32 = 0, IR_I64 = 1 } IRType;

typedef struct IRInsn {
    uint8_t  op;              /* IROpcode */
    uint8_t  type;            /* IRType of the operation (I32 today) */
    uint8_t  nin;             /* number of inputs actually used */
    uint8_t  pad;
    IRTemp   out;             /* output temp or IR_NO_TEMP */
    IRTemp   in[IR_MAX_IN];   /* input temps */
    uint32_t imm;             /* immediate, meaning given by IROpDesc.imm */
} IRInsn;

typedef struct IRBlock {
    IRInsn  *insns;           /* instruction array */
    uint32_t n_insns, cap_insns;
    uint32_t n_temps;         /* temps are numbered 0..n_temps-1 */
    uint32_t n_labels;        /* labels are numbered 0..n_labels-1 */
    const GuestDesc *guest;   /* registers, env words, helpers (guest.h) */
} IRBlock;

/* lifetime: a block is built for one guest's description */
void     ir_block_init(IRBlock *b, const GuestDesc *guest);
void     ir_block_reset(IRBlock *b);     /* empty it, keep the storage */
void     ir_block_free(IRBlock *b);

/* raw builder: append one instruction, returns its index */
uint32_t ir_emit(IRBlock *b, IROpcode op, IRTemp out, int nin,
                 const IRTemp *in, uint32_t imm);
IRTemp   ir_new_temp(IRBlock *b);
uint32_t ir_new_label(IRBlock *b);

/* convenience builders (return the new output temp) */
IRTemp ir_movi(IRBlock *b, uint32_t value);
IRTemp ir_mov(IRBlock *b, IRTemp a);
IRTemp ir_get_reg(IRBlock *b, int reg);
void   ir_set_reg(IRBlock *b, int reg, IRTemp v);
IRTemp ir_ld_env(IRBlock *b, uint32_t offset);
void   ir_st_env(IRBlock *b, uint32_t offset, IRTemp v);
IRTemp ir_binop(IRBlock *b, IROpcode op, IRTemp a, IRTemp c);
IRTemp ir_unop(IRBlock *b, IROpcode op, IRTemp a);
IRTemp ir_load(IRBlock *b, int size, IRTemp addr);             /* size 1,2,4 */
void   ir_store(IRBlock *b, int size, IRTemp addr, IRTemp v);  /* size 1,2,4 */
/* helper call; returns the result temp or IR_NO_TEMP for void helpers */
IRTemp ir_call(IRBlock *b, int helper, int nargs, const IRTemp *args);
void   ir_label(IRBlock *b, uint32_t label);
void   ir_br(IRBlock *b, uint32_t label);
void   ir_brz(IRBlock *b, IRTemp cond, uint32_t label);
void   ir_brnz(IRBlock *b, IRTemp cond, uint32_t label);
void   ir_insn_start(IRBlock *b, uint32_t pc);
void   ir_goto_tb(IRBlock *b, int slot);
void   ir_exit(IRBlock *b);

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
 * exist, immediates in range, block ends with an exit.  */
bool ir_verify(const IRBlock *b, GError **errp);

/* optimisation passes (ir_opt.c): constant folding, dead code removal */
void ir_optimize(IRBlock *b);

#define TX86_IR_ERROR tx86_ir_error_quark()
GQuark tx86_ir_error_quark(void);

#endif
