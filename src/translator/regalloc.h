/*
 * regalloc.h - host-neutral register allocation for native backends:
 * temp facts, liveness (linear live ranges widened over loops), store
 * sinking into TLB slow paths and a linear-scan allocator, driven by a
 * small host description the backend supplies.
 *
 *   static const int8_t my_alloc[] = { ... };      // callee-saved first
 *   static const HostDesc my_host = { .alloc_regs = my_alloc, ... };
 *   RABlock ra;
 *   ra_run(&ra, &my_host, ir, true);    // ra.loc[t]: where temp t lives
 *   ... emit code ...
 *   ra_free(&ra);
 *
 * What the allocator decides (docs/translator.md, "Porting to a new host"):
 *   - an I32 temp defined once, by movi, is a constant (RA_CONST): no
 *     location, the backend uses it as an immediate (I64 constants get a
 *     location: a 64-bit immediate rarely fits an instruction);
 *   - the others get a live range [first, last] in linear order, widened to
 *     cover a whole loop (label .. backward branch) whenever it touches one,
 *     and extended to the memory access a sunk store waits for;
 *   - linear scan by start: a range that spans a helper call may only take
 *     a callee-saved register; free registers are taken from the end of
 *     alloc_regs first (so caller-saved ones, listed last, go first to
 *     short ranges); with none free, the range among the allowed registers
 *     that ends last is spilled if it ends after the new one;
 *   - the rest get stack slots (RA_SLOT, numbered in 32-bit words from 0;
 *     an I64 temp takes two, the first even), a slot reused once its
 *     range has ended.
 * The backend must keep caller-saved registers in used_regs alive across
 * any call it makes itself (the TLB slow paths), since ranges that span
 * only those calls may sit in them.
 */
#ifndef TX86_REGALLOC_H
#define TX86_REGALLOC_H

#include <stdint.h>
#include <stdbool.h>
#include "translator/ir.h"

#define RA_MAX_REGS 32          /* host register numbers 0..31 */

/* what the allocator and the backends know of the host */
typedef struct HostDesc {
    const char *name;
    const int8_t *alloc_regs;   /* registers temps may live in, in preference
                                   order: callee-saved ones first */
    uint32_t n_alloc_regs;
    uint32_t callee_saved;      /* 1 << reg: preserved across calls */
    uint32_t caller_saved;      /* 1 << reg: clobbered by calls */
    const int8_t *arg_regs;     /* call ABI: integer argument registers; the
                                   first one carries env in helper calls */
    uint32_t n_arg_regs;
    int8_t ret_reg;             /* integer return value */
    int8_t env_reg;             /* pinned to env in every block */
    int8_t scratch_reg;         /* where an unused temp "lives" (never read) */
} HostDesc;

/* facts about one temp before code generation */
typedef struct RATemp {
    uint32_t defs, uses;        /* definitions and reads in the block */
    bool is_const;              /* I32, defined once, by movi: an immediate */
    uint32_t value;             /* its value */
} RATemp;

enum { RA_NONE, RA_CONST, RA_REG, RA_SLOT };

/* where a temp lives */
typedef struct RALoc {
    uint8_t kind;               /* RA_* (RA_NONE: never mentioned) */
    int8_t reg;                 /* RA_REG: host register number */
    uint32_t value;             /* RA_CONST: the value; RA_SLOT: slot index */
} RALoc;

/* the allocation of one block */
typedef struct RABlock {
    RATemp *temps;              /* [n_temps] */
    RALoc *loc;                 /* [n_temps] */
    uint32_t *label_pos;        /* [n_labels]: index of each label's insn */
    /* store sinking: sink_to[n] = index of the memory access whose slow
     * path does store n, or UINT32_MAX; the stores sunk into access m are
     * the list sink_head[m] -> sink_next[k] ..., UINT32_MAX ends it */
    uint32_t *sink_to, *sink_head, *sink_next;
    /* sink_remat[n] (n a sunk store) = index of the `add a, const` that
     * computes its value, when that is the value's only use: the backend
     * computes it in the miss path (from a) instead of in place, and the
     * value temp gets no location; else UINT32_MAX.  remat_def[d] is true
     * for such an add (the backend skips it in place). */
    uint32_t *sink_remat;
    bool *remat_def;
    uint32_t used_regs;         /* 1 << reg for every register a temp got */
    uint32_t n_slots;           /* stack slots needed */
} RABlock;

/* analyse ir and allocate its temps for host; sink_stores plans store
 * sinking (a backend without inline TLB slow paths passes false) */
void ra_run(RABlock *ra, const HostDesc *host, const IRBlock *ir, bool sink_stores);
void ra_free(RABlock *ra);

/* the env word (offset / 4) a get_reg / set_reg / ld_env / st_env
 * touches; -2 for an unaligned ld_env / st_env (any word); -1 otherwise */
int ra_env_word(const GuestDesc *g, const IRInsn *in);

#endif
