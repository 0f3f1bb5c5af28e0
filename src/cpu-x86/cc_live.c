/*
 * cc_live.c - dead-flag analysis for one block of guest code.
 *
 * Most x86 instructions write the arithmetic flags and most of those
 * writes are overwritten before anything reads them (ADD, ROL, XOR...).
 * Before emitting a block, the front end runs this backward liveness pass
 * over the decoded instructions and tells each emitter whether the flags
 * it writes are dead; gen_set_cc() and the rotate/shift emitters then skip
 * the flag update (a store of the lazy cc state, or a helper call).
 *
 * The analysis only trusts instructions whose table row gives a flag
 * effect (InsnInfo.cc, CCE_*).  Everything else is a barrier: it may read
 * every flag, fault, or end the block, so all flags are live before and
 * after it.  So is any instruction with a memory operand (it may fault,
 * and a store may leave the block through the self-modifying-code exit),
 * a LOCK prefix, a segment/control/debug register operand, and the last
 * instruction of the block (the next block or an interrupt may read the
 * flags).  Skipping the update of a dead writer leaves env's lazy state
 * describing an earlier instruction, whose flags that are still live are
 * exactly the ones the skipped writer would not have changed.
 */
#include "cpu-x86/frontend.h"
#include "cpu-x86/gen.h"

#define F_ALL (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

typedef struct CCEffect {
    unsigned use;       /* flags read */
    unsigned def;       /* flags always written (kill liveness) */
    unsigned may;       /* flags possibly written (the update to skip) */
    bool barrier;
} CCEffect;

static bool has_mem_or_special_operand(const cs_insn *insn)
{
    const cs_x86 *x = &insn->detail->x86;
    int n, size;

    for (int i = 0; i < x->op_count; i++) {
        const cs_x86_op *o = &x->operands[i];
        if (o->type == X86_OP_MEM && insn->id != X86_INS_LEA) {
            return true;
        }
        if (o->type == X86_OP_REG && !x86_creg_gpr(o->reg, &n, &size)) {
            return true;
        }
    }
    return false;
}

/* the shift or rotate count if it is an immediate, else -1 */
static int imm_count(const cs_insn *insn)
{
    const cs_x86 *x = &insn->detail->x86;
    if (x->op_count == 1) {
        return 1;                           /* D0/D1 forms: count 1 */
    }
    if (x->op_count >= 2 && x->operands[1].type == X86_OP_IMM) {
        return (int)(x->operands[1].imm & 31);
    }
    return -1;
}

static CCEffect cc_effect(const cs_insn *insn, bool locked)
{
    CCEffect e = { F_ALL, 0, F_ALL, true };
    int cnt;

    if (!insn || locked || has_mem_or_special_operand(insn)) {
        return e;
    }
    e.barrier = false;
    e.use = 0;
    switch (x86_insn_table[insn->id].cc) {
    case CCE_NONE:
        e.def = e.may = 0;
        break;
    case CCE_ALL:
        e.def = e.may = F_ALL;
        break;
    case CCE_ALL_USE_CF:
        e.use = CC_C;
        e.def = e.may = F_ALL;
        break;
    case CCE_ALL_BUT_CF:
        e.def = e.may = F_ALL & ~CC_C;
        break;
    case CCE_SHIFT:
        cnt = imm_count(insn);
        e.may = cnt == 0 ? 0 : F_ALL;
        e.def = cnt > 0 ? F_ALL : 0;
        break;
    case CCE_ROTATE:
    case CCE_ROTATE_CF:
        cnt = imm_count(insn);
        e.use = x86_insn_table[insn->id].cc == CCE_ROTATE_CF ? CC_C : 0;
        e.may = cnt == 0 ? 0 : CC_C | CC_O;
        e.def = 0;                          /* byte/word counts may wrap: never a kill */
        break;
    default:                                /* CCE_UNKNOWN */
        e.use = F_ALL;
        e.def = 0;
        e.may = F_ALL;
        e.barrier = true;
        break;
    }
    return e;
}

void cc_live_analyze(const cs_insn *const *insns, const bool *locked, int n,
                     bool *flags_dead)
{
    unsigned live = F_ALL;                  /* after the last instruction */

    for (int i = n - 1; i >= 0; i--) {
        CCEffect e = cc_effect(insns[i], locked[i]);
        if (e.barrier) {
            flags_dead[i] = false;
            live = F_ALL;
            continue;
        }
        flags_dead[i] = e.may != 0 && (live & e.may) == 0;
        live = (live & ~e.def) | e.use;
    }
}
