/*
 * diffgen.h - the differential tester's case generator (gen.c).
 *
 * gen_random_case() builds case `index` of seed `seed` (1 to 6 random
 * instructions); gen_enum_case() builds case `index` of the enumerated
 * pass (every form x every edge value x a few variants, one instruction).
 * Both are pure functions of their arguments, which is what makes
 * `difftest --seed S --case K` a replay.  GenInfo tells the comparison
 * which flags are undefined at each instruction boundary.
 */
#ifndef TX86_DIFFGEN_H
#define TX86_DIFFGEN_H

#include <stdbool.h>
#include <stdint.h>
#include "diffcase.h"

#define GEN_MAX_INSNS 24

typedef struct GenInfo {
    int n_insns;
    uint32_t insn_off[GEN_MAX_INSNS];   /* code offset of each instruction */
    uint32_t insn_undef[GEN_MAX_INSNS]; /* flags undefined before it */
    int insn_form[GEN_MAX_INSNS];       /* gen_forms index, -1 for a CMP filler */
    uint32_t final_off;                 /* offset of the final HLT */
    uint32_t final_undef;               /* flags undefined at the end */
    /* x87 cases: data-area ranges whose final bytes are not compared
     * (FIP/FCS/FOP/FDP/FDS of FNSAVE/FNSTENV images: host addresses) */
    int n_masks;
    uint32_t mask_off[6], mask_len[6];
} GenInfo;

/* what the case generators share: the splitmix64 finalizer (their
 * random streams) and adding a poke to a case (ignored past
 * DIFF_MAX_POKES) */
static inline uint64_t diff_mix64(uint64_t x)
{
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27; x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static inline void diff_poke(DiffCase *c, uint32_t off, uint32_t v)
{
    if (c->n_pokes < DIFF_MAX_POKES) {
        c->pokes[c->n_pokes].off = off;
        c->pokes[c->n_pokes].val = v;
        c->n_pokes++;
    }
}

struct Gen;
typedef struct GenForm {
    const char *name;
    void (*fn)(struct Gen *g);
    int weight;                         /* in random cases; 0 = enumerated only */
} GenForm;

extern const GenForm gen_forms[];
/* true on a GenuineIntel host (the modelled vendor): see gen_form_shxd */
extern bool gen_host_intel;
extern const int gen_n_forms;

/* mode: 16, 32, or 0 for either (chosen per case); forms: bit i enables
 * gen_forms[i] (the form choice depends on the mask: replays need the
 * same --only/--exclude) */
void gen_random_case(uint64_t seed, uint64_t index, int mode, int cpl3, uint64_t forms,
                     DiffCase *c, GenInfo *info);
uint64_t gen_enum_count(int mode);
void gen_enum_case(uint64_t index, int mode, int cpl3, DiffCase *c, GenInfo *info);
/* x87 case `index` of seed `seed` (gen_x87.c): FNINIT, FLDCW, loads of
 * edge values, random x87 instructions, FNSAVE to the data area, HLT */
void gen_x87_case(uint64_t seed, uint64_t index, int mode, DiffCase *c, GenInfo *info);
/* SIMD case `index` (gen_simd.c): FXRSTOR of an image, random MMX/SSE
 * instructions, FXSAVE to the data area, HLT */
void gen_simd_case(uint64_t seed, uint64_t index, int mode, DiffCase *c, GenInfo *info);

#endif
