/*
 * translator.h - translation blocks, the block cache and the backend port.
 *
 * A TranslationBlock (TB) is the translation of a run of guest code that
 * starts at one (physical PC, pc, CS base, CS limit, flags) key and ends at a branch, a
 * mode change, a page boundary or a size limit.  The Translator owns the
 * hash table of TBs, the per-page lists used to invalidate blocks when
 * their code is written, and the backend that turns IR into something
 * executable.  It knows the guest only through its GuestDesc (guest.h):
 * env is an opaque pointer here.
 *
 * Flow: tb_lookup() -> miss -> the front end (x86: translate.c in src/cpu-x86) fills
 * an IRBlock -> ir_optimize() -> backend->compile() -> TB cached.
 * The CPU loop then calls backend->exec() and follows the returned exit.
 *
 * Chaining: a block that ends in GOTO_TB slot n records the guest target
 * in jmp_pc[n]; the dispatcher caches the successor TB in jmp_tb[n] so the
 * next lookup is a pointer compare.  A backend with patch_jump (native)
 * also gets its GOTO_TB jump patched to go straight to the successor's
 * code (jmp_dest[n]); every TB keeps the list of jumps patched into it
 * (jmp_list_head) so invalidation can send them back to their exit stubs.
 * Chained native code keeps the guest budget word; see docs/translator.md.
 */
#ifndef TX86_TRANSLATOR_H
#define TX86_TRANSLATOR_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "translator/ir.h"
#include "translator/guest.h"

struct PhysMem;
struct Translator;

#define TB_MAX_INSNS 64         /* guest instructions per block at most */
/* the translation cache (translator_new's tb_size, -tb-size): the native
 * backend's code buffer, the interpreter's arena, and one block of the
 * pool per 256 bytes of it; filled, it is flushed whole */
#define TB_SIZE_DEFAULT (64u << 20)
#define TB_SIZE_MIN     (1u << 20)
#define TB_SIZE_MAX     (1024u << 20)
#define TB_BITS_THRESHOLD 8     /* SMC: code-write hook calls on a page before
                                   it gets a code bitmap (translator.c) */

/* the key fields are read from env at GuestDesc.key_* */
typedef struct TranslationBlock {
    GuestVirt pc;               /* guest pc at block start (x86: eip) */
    GuestVirt cs_base;          /* added to pc for the linear address */
    uint32_t cs_limit;          /* code is checked against it at translation time */
    uint32_t hflags;            /* guest mode flags (GuestDesc.key_flags) */
    GuestPhys phys_pc;          /* physical address of the first byte */
    GuestPhys phys_page2;       /* second physical page, or GUEST_PHYS_NONE */
    uint32_t size;              /* guest bytes covered */
    uint32_t n_insns;           /* guest instructions */
    uint8_t  insn_len[TB_MAX_INSNS];    /* bytes of each instruction (front end): how
                                           many completed before a fault (exact icount) */
    bool     valid;             /* false once invalidated */
    bool     pcrel;             /* set by the front end: the code computes every
                                   pc it writes from the pc it was entered at, so
                                   it serves any pc whose linear address maps to
                                   phys_pc (pc is then only the pc it was first
                                   translated for): looked up without pc */
    void    *code;              /* backend's executable form */
    size_t   code_size;         /* host bytes (native) */
    struct TranslationBlock *hash_next;
    struct TranslationBlock *page_next[2];  /* per-page lists, [n] for page n */
    GuestVirt jmp_pc[2];        /* GOTO_TB targets (pc), UINT32_MAX none */
    struct TranslationBlock *jmp_tb[2];     /* chained successors (cached) */
    /* direct chaining (backends with patch_jump) */
    uint32_t jmp_insn_offset[2];  /* code offset of slot n's jmp rel32 field, 0 none */
    uint32_t jmp_reset_offset[2]; /* code offset of slot n's exit stub */
    struct TranslationBlock *jmp_dest[2];   /* slot n patched to this TB, or NULL */
    uintptr_t jmp_list_head;    /* incoming patched jumps: (src TB | slot), 0 ends */
    uintptr_t jmp_list_next[2]; /* next link after (this TB | n) in jmp_dest[n]'s list */
} TranslationBlock;

/* what backend->exec returns: which exit the block took */
#define TB_EXIT_SLOT0   0       /* GOTO_TB 0 */
#define TB_EXIT_SLOT1   1       /* GOTO_TB 1 */
#define TB_EXIT_NOCHAIN 2       /* EXIT */

typedef struct Backend {
    const char *name;
    /* set up per-translator state (code buffer, ffi cifs) */
    bool (*init)(struct Translator *t, GError **errp);
    void (*cleanup)(struct Translator *t);
    /* turn the optimised IR into tb->code (and tb->code_size); false when
     * the code buffer is full (the caller flushes and retries) */
    bool (*compile)(struct Translator *t, TranslationBlock *tb, const IRBlock *ir);
    /* run one block; returns TB_EXIT_*.  A backend with patch_jump may run
     * chained successors too: it then stores the block whose exit was
     * taken in t->last_tb and each block subtracts its n_insns from the
     * guest's budget word (GuestDesc.icount_left) when it exits; a chained
     * jump is followed only while the budget stays > 0.  The first block
     * always runs. */
    int  (*exec)(struct Translator *t, void *env, TranslationBlock *tb);
    /* forget all code (the TBs themselves are freed by the caller) */
    void (*flush)(struct Translator *t);
    /* print tb's host code for -d out_asm */
    void (*dump)(struct Translator *t, TranslationBlock *tb, FILE *f);
    /* direct chaining (NULL: the backend does not chain): make tb's GOTO_TB
     * `slot` jump to dst's code, or back to its exit stub when dst is NULL */
    void (*patch_jump)(struct Translator *t, TranslationBlock *tb, int slot,
                       TranslationBlock *dst);
    /* front ends may make position-independent blocks (tb->pcrel) for
     * it: their extra ops (an add where a pc constant was) cost native code
     * next to nothing, but an interpreter one dispatch each, more than the
     * translations they save (docs/PERFORMANCE.md) */
    bool pcrel;
} Backend;

extern const Backend backend_interp;
extern const Backend backend_x86_64;   /* only on x86-64 hosts */

typedef struct TranslatorStats {
    uint64_t blocks_translated;
    uint64_t blocks_invalidated;
    uint64_t flushes;
    uint64_t lookups, chain_hits;
    uint64_t jumps_patched, jumps_unpatched;
    uint64_t smc_walks;         /* code-page stores that walked the page's blocks */
    uint64_t smc_skipped;       /* code-page stores the code bitmap answered */
    uint64_t smc_checked;       /* blocks compared with written bytes in those walks */
    uint64_t code_bytes;        /* backend code of all translated blocks */
    uint64_t jc_hits;           /* tb_find answered by the jump cache (the
                                   native code's own lookups are not counted) */
    uint64_t jc_flushes, jc_page_flushes;
    uint64_t jc_revalidated;    /* tb_find: a stale entry (TLB flushed since) whose
                                   mapping still held: no hash lookup */
} TranslatorStats;

/* the jump cache: virtual (linear) pc -> TB, 2^TB_JC_BITS entries; the
 * index keeps a page's entries in one run of TB_JC_PAGE_SIZE so that a
 * page flush clears one run (QEMU's tb_jmp_cache_hash_func) */
#define TB_JC_BITS      14
#define TB_JC_SIZE      (1u << TB_JC_BITS)
#define TB_JC_PAGE_BITS (TB_JC_BITS / 2)
#define TB_JC_PAGE_SIZE (1u << TB_JC_PAGE_BITS)
#define TB_JC_SHIFT     (12 - TB_JC_PAGE_BITS)   /* PAGE_BITS - TB_JC_PAGE_BITS */
#define TB_JC_RUNS      (TB_JC_SIZE / TB_JC_PAGE_SIZE)

/* jump cache index of linear pc: the bits above the page offset pick a
 * run of TB_JC_PAGE_SIZE entries, so one page's entries share a run.  The
 * native backend computes the same index inline (codegen.c). */
static inline uint32_t tb_jc_hash(uint32_t lin)
{
    uint32_t tmp = lin ^ (lin >> TB_JC_SHIFT);
    return ((tmp >> TB_JC_SHIFT) & (TB_JC_SIZE - TB_JC_PAGE_SIZE)) |
           (tmp & (TB_JC_PAGE_SIZE - 1));
}

/* one jump cache entry: the key a block must have to be run for env's
 * state, as plain words the generated code compares against env's key
 * words, and the block.  code is the block's host code when a native
 * lookup may jump to it (not when its flags stop chaining: single-step,
 * breakpoints), else NULL.  A stale entry (a TLB flush since: tb_jc_flush)
 * has code NULL and bit 0 of tb set; tb_find checks its mapping again
 * before it uses it.  An all-zero entry is empty (tb NULL, code
 * NULL).  The layout is read by the native backend (static_asserts). */
typedef struct TbJcEntry {
    uint32_t pc, cs_base, cs_limit, hflags;
    const void *code;
    TranslationBlock *tb;
} TbJcEntry;

/* the guest front end: fills ir for tb (x86: translate.c in src/cpu-x86) */
typedef void (*TranslateFn)(void *fe, void *env,
                            TranslationBlock *tb, IRBlock *ir);

typedef struct Translator {
    const Backend *backend;
    const GuestDesc *guest;     /* what the translator knows of the guest */
    TranslateFn translate;      /* front end entry point */
    void *frontend;             /* its context (x86: X86FrontEnd) */
    void *cpu;                  /* the env whose code_dirty a write sets */
    void *backend_state;        /* owned by the backend */
    TranslationBlock **hash;    /* hash table of valid TBs */
    uint32_t hash_size;
    GHashTable *page_tbs;       /* phys page number -> its blocks (TBPage) */
    struct PhysMem *mem;
    size_t tb_size;             /* bytes of the translation cache (backends size
                                   their code buffer or arena from it) */
    IRBlock ir;                 /* scratch IR for the block being built */
    bool chaining;              /* false under -d nochain */
    bool patching;              /* direct chaining: chaining, backend has
                                   patch_jump, no -d exec / -d cpu */
    TranslationBlock *last_tb;  /* set by a chaining backend's exec */
    bool exact_count;           /* -icount: instructions are counted exactly whatever
                                   the block layout (translator.md, "Exact count"):
                                   a block enters only if the budget holds all of it,
                                   and names itself in the guest's cur_tb word */
    TbJcEntry *jc;              /* jump cache, TB_JC_SIZE entries (tb_jc_hash of
                                   cs_base + pc); valid while the TLB is */
    uint64_t jc_runs[(TB_JC_RUNS + 63) / 64];  /* runs with an entry filled since
                                   they were last cleared: what a flush clears */
    FILE *perfmap;              /* translator_perfmap: one line per compiled block */
    TranslatorStats stats;
} Translator;

/* registers itself as mem's code-write hook; tb_size: bytes of the
 * translation cache, 0 for TB_SIZE_DEFAULT (clamped to TB_SIZE_MIN..MAX) */
Translator *translator_new(const Backend *be, const GuestDesc *guest, struct PhysMem *mem,
                           TranslateFn translate, void *frontend,
                           void *cpu, size_t tb_size, GError **errp);
void        translator_free(Translator *t);
/* name every block compiled from now on in /tmp/perf-PID.map, perf's
 * format for JIT code ("START SIZE tb-CSBASE+PC-PHYS" in hex), so perf
 * report shows which guest code the host time went to; false (errp) if
 * the file cannot be created.  Backends without host code (the
 * interpreter) write nothing. */
bool        translator_perfmap(Translator *t, GError **errp);
/* find or translate the block for the CPU's current state.  May raise a
 * guest exception (#PF on fetch) via the CPU's jmp_env. */
TranslationBlock *tb_find(Translator *t, void *env);
/* the jump cache: what virtual->physical mappings the TLB drops, the
 * jump cache must drop too (the guest calls these from its TLB flushes):
 * everything, or the entries of the linear page of `linear` and of the
 * page before it (a block starting there may reach into it) */
void tb_jc_flush(Translator *t);
void tb_jc_flush_page(Translator *t, GuestVirt linear);
/* for a backend compiling tb: true when its GOTO_TB `slot` should look
 * its successor up in the jump cache (inline, as at a LOOKUP_TB) instead of
 * returning to the CPU loop: chaining is on and allowed out of tb, but the
 * slot's static target lies on another linear page than the block, with
 * paging on, so tb_next will never cache nor patch it */
bool tb_slot_lookup(const Translator *t, const TranslationBlock *tb, int slot);
/* the same question for a LOOKUP_TB exit of tb.  A native lookup at such
 * an exit, once the budget is checked, goes back to the CPU loop when
 * the guest's code_dirty or any of its exit words is set, else jumps to
 * the code of the entry at tb_jc_hash(env cs_base + pc) when the entry's
 * four key words equal env's and its code is not NULL. */
bool tb_exit_lookup(const Translator *t, const TranslationBlock *tb);
/* invalidate every block touching the physical range (SMC) */
void tb_invalidate_phys_range(Translator *t, GuestPhys start, uint32_t len);
void tb_flush(Translator *t);
/* the block to run after tb left through exit (TB_EXIT_*): the cached
 * chained successor when it still matches env, else tb_find().  Under
 * -d nochain (t->chaining false) always tb_find(). */
TranslationBlock *tb_next(Translator *t, void *env,
                          TranslationBlock *tb, int exit);

#endif
