/*
 * guest.h - what the translator knows about a guest: one constant
 * GuestDesc, declared as data by the front end (x86: guest.c in src/cpu-x86)
 * and handed to translator_new().  The translator (IR, optimiser, block
 * cache, backends) reads the guest's state only through it, so it
 * includes no guest header; the env pointer it passes around is opaque.
 *
 * What the description holds:
 *   - env: its size (IR env offsets must lie inside), the guest registers
 *     get_reg/set_reg $n name (offset and type each), named env words for
 *     the IR printer, the end of the region the optimiser may forward and
 *     the volatile words it must never forward (changed behind the block's
 *     back), the budget word chaining backends count down;
 *   - the block key: env offsets of pc, cs_base, cs_limit and flags (read
 *     by tb_find/tb_next on every dispatch: data, not a callback), and the
 *     flag bits that say "linear != physical" (paging) and "never patch
 *     a chain from this block" (single-stepping);
 *   - the helper table (name, function, typed signature, HF_* flags);
 *   - memory: where the software TLB (mmu/tlb.h layout) starts in env, the
 *     TLB view of a block's flags, the slow paths the backends call
 *     after an inline lookup misses (8 to 64 bits) and the hook for
 *     misaligned MO_ALIGN accesses;
 *   - callbacks for the block cache: code address to physical, the same
 *     without faulting (second page of a block), and "this physical page
 *     now holds code" (so guest stores to it reach the code-write hook).
 *
 * Example (abridged, the x86 guest.c):
 *     const GuestDesc x86_guest = {
 *         .name = "x86", .env_size = sizeof(CPUState),
 *         .regs = x86_regs, .n_regs = 8, ...
 *         .helpers = helper_table, .n_helpers = HELPER_COUNT, ...
 *     };
 *     t = translator_new(be, &x86_guest, mem, x86_translate, fe, env, errp);
 */
#ifndef TX86_GUEST_H
#define TX86_GUEST_H

#include <stdint.h>
#include <stdbool.h>

/* guest addresses (bus/addr.h, shared with the memory map and the mmu):
 * GuestVirt is what a block's pc, code base and guest loads/stores use
 * (x86: linear addresses), GuestPhys what the block cache keys and tracks
 * code pages by; the callbacks below take exactly these types */
#include "bus/addr.h"

/* the type of an IR temp, a guest register or a helper's argument:
 * the IR is typed (ir.h); IR_V128 is reserved (the verifier rejects it),
 * IR_VOID only names a helper without result */
typedef enum IRType { IR_I32 = 0, IR_I64 = 1, IR_V128 = 2, IR_VOID = 3 } IRType;

/* what a helper may do (helpers.def FLAGS column); the IR derives its
 * side-effect flags from them (ir_insn_flags) */
enum {
    HF_PURE_STATE  = 0,       /* reads env only, no side effects */
    HF_READS_STATE = 1 << 0,
    HF_WRITES_STATE = 1 << 1, /* writes env (registers, flags, ...) */
    HF_READS_MEM   = 1 << 2,  /* guest memory or I/O ports */
    HF_WRITES_MEM  = 1 << 3,
    HF_MAY_FAULT   = 1 << 4,  /* may raise a guest exception */
    HF_NORETURN    = 1 << 5,  /* never returns (always raises/exits) */
    HF_IO          = 1 << 6,  /* touches devices: must be the last thing in its insn */
};

/* one helper: called as ret fn(env, args...) with nargs arguments of
 * the given IR types (I32: uint32_t, I64: uint64_t; the interpreter
 * through libffi cifs built from them, native code directly) */
#define HELPER_MAX_ARGS 4
typedef struct HelperDesc {
    const char *name;
    void (*fn)(void);   /* cast to the real prototype before calling */
    uint8_t nargs;      /* arguments after env (at most HELPER_MAX_ARGS) */
    uint8_t ret;        /* IRType of the result, IR_VOID if none */
    uint8_t args[HELPER_MAX_ARGS];  /* IRType of each argument */
    uint16_t flags;     /* HF_* */
} HelperDesc;

/* a named word of env */
typedef struct GuestGlobal {
    const char *name;   /* "eax", "eip", "es.base": IR printer comments */
    uint32_t offset;    /* byte offset in env, aligned to its size */
    uint8_t type;       /* IRType: I32 (4 bytes) or I64 (8) */
} GuestGlobal;

/* TLB slow paths: translate, fill the entry, access (any alignment,
 * page-crossing included); may raise (longjmp).  1/2/4 bytes in a
 * uint32_t (zero-extended by a load), 8 bytes in a uint64_t. */
typedef uint32_t (*GuestLoadFn)(void *env, GuestVirt addr);
typedef void     (*GuestStoreFn)(void *env, GuestVirt addr, uint32_t v);
typedef uint64_t (*GuestLoad64Fn)(void *env, GuestVirt addr);
typedef void     (*GuestStore64Fn)(void *env, GuestVirt addr, uint64_t v);
/* an access with MO_ALIGN (translator/ir.h) whose address is not aligned
 * to its size, before its slow path: memop is the access's MemOp, write
 * true for a store.  It raises the guest's fault (longjmp) or returns,
 * and then the access is done as an unaligned one. */
typedef void     (*GuestMisalignedFn)(void *env, GuestVirt addr, uint32_t memop, bool write);

typedef struct GuestDesc {
    const char *name;
    uint32_t env_size;              /* IR env offsets: 4-aligned, + 4 <= env_size */

    /* globals */
    const GuestGlobal *regs;        /* get_reg/set_reg $n, n < n_regs */
    uint32_t n_regs;
    const GuestGlobal *fields;      /* other named env words (printer only) */
    uint32_t n_fields;
    uint32_t forward_end;           /* env words below this offset may be
                                       forwarded and dead-store eliminated */
    const uint32_t *volatile_words; /* env offsets never forwarded nor sunk: set
                                       asynchronously or by a store's code hook */
    uint32_t n_volatile;
    uint32_t code_dirty;            /* env offset of the uint32 the block cache sets
                                       to 1 when a store invalidated blocks */
    uint32_t icount_left;           /* env offset of the int32 instruction budget a
                                       chaining backend decrements (translator.md) */
    uint32_t cur_tb;                /* env offset of a pointer word: with exact_count
                                       each block stores itself there on entry */
    const uint32_t *exit_words;     /* env offsets of uint32 words that, when non-zero,
                                       make an indirect exit (LOOKUP_TB) return to the
                                       CPU loop instead of taking the jump cache */
    uint32_t n_exit_words;

    /* the block key, read from env by tb_find / tb_next */
    uint32_t key_pc, key_cs_base, key_cs_limit, key_flags;  /* env offsets */
    uint32_t flags_paging;          /* key flag bits: code addresses go through
                                       page tables (chains must stay on one page) */
    uint32_t flags_nochain;         /* key flag bits: never patch a jump out of
                                       such a block (single-stepping) */

    /* helpers: IR `call @name` is helpers[id] */
    const HelperDesc *helpers;
    uint32_t n_helpers;

    /* memory: the software TLB (mmu/tlb.h) at env + tlb_offset, one table
     * of TLB_SIZE entries per view; a block's loads and stores use view
     * tlb_mode(block flags) on their inline fast path, and the slow paths
     * on a miss (a misaligned MO_ALIGN access always misses and calls
     * `misaligned` first) */
    uint32_t tlb_offset;
    uint32_t tlb_views;             /* number of views (MemOp views < it) */
    int (*tlb_mode)(uint32_t flags);
    GuestLoadFn ld_slow[3];         /* 8, 16, 32 bits */
    GuestStoreFn st_slow[3];
    GuestLoad64Fn ld_slow64;        /* 64 bits; NULL: the verifier rejects */
    GuestStore64Fn st_slow64;       /*   64-bit loads / stores */
    GuestMisalignedFn misaligned;   /* NULL: the verifier rejects MO_ALIGN */

    /* block cache callbacks */
    GuestPhys (*code_phys)(void *env, GuestVirt linear);            /* may raise */
    bool (*probe_code)(void *env, GuestVirt linear, GuestPhys *paddr); /* no fault */
    void (*code_page_added)(void *env, const uint8_t *host_page);
} GuestDesc;

#endif
