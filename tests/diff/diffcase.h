/*
 * diffcase.h - the wire format shared by the differential tester's two
 * programs: difftest (64-bit: generator, tx86 runner, comparison) and
 * native32 (32-bit host process that runs the same case on the real CPU).
 *
 * A case is a short code sequence ending in HLT, initial GPRs and flags,
 * and a few 32-bit "pokes" into the data area.  Both sides start the data
 * area from the same fixed template (diff_fill_template) plus the pokes,
 * so no bulk data crosses the pipe.  A result lists the final GPRs, EFLAGS,
 * where execution stopped (EIP and exception vector: the final HLT is a
 * #GP at CPL 3 natively) and every data byte that differs from the
 * template.
 *
 * Pipe protocol (native32 stdin/stdout, host byte order, no padding since
 * every field is 32 bits): difftest writes a uint32_t count and then count
 * DiffCase structs; native32 reads the whole batch, runs it, and writes
 * count results, each as DiffResult without its diffs[] tail followed by
 * n_diffs words.  A count of 0 ends the server.
 *
 * Guest layout (the same natively and in tx86):
 *   data area  DIFF_DATA_ADDR, 64 KiB (also the stack); in 16-bit mode
 *              DS = ES = SS = an LDT data segment based there, limit 0xffff
 *   code area  DIFF_CODE_ADDR; in 16-bit mode CS is an LDT 16-bit code
 *              segment based there, so 16-bit code starts at IP 0
 */
#ifndef TX86_DIFFCASE_H
#define TX86_DIFFCASE_H

#include <stdint.h>
#include <string.h>

#define DIFF_DATA_ADDR  0x00100000u
#define DIFF_DATA_SIZE  0x10000u
#define DIFF_CODE_ADDR  0x00200000u
#define DIFF_CODE_SIZE  0x1000u       /* mapped natively */
#define DIFF_CODE_MAX   192           /* bytes of code per case */
#define DIFF_FARPTR_OFF 0xff0u        /* native32 keeps its far jump target here */
#define DIFF_MAX_POKES  8
#define DIFF_MAX_DIFFS  1024

/* user-settable flags the cases load: CF PF AF ZF SF OF and DF */
#define DIFF_FLAGS_IN   0x0cd5u

enum { DIFF_STAT_OK = 0, DIFF_STAT_OVERFLOW = 1 };
#define DIFF_VEC_TIMEOUT (-2)         /* DiffResult.vector: the case never ended */

typedef struct DiffPoke {
    uint32_t off;                 /* data-area offset, <= DIFF_DATA_SIZE - 4 */
    uint32_t val;                 /* stored little-endian, 4 bytes */
} DiffPoke;

typedef struct DiffCase {
    uint32_t mode;                /* 16 or 32: CS/SS default size */
    uint32_t regs[8];             /* EAX ECX EDX EBX ESP EBP ESI EDI */
    uint32_t eflags;              /* DIFF_FLAGS_IN bits only */
    uint32_t code_len;            /* bytes in code[], the last one is HLT */
    uint32_t n_pokes;
    DiffPoke pokes[DIFF_MAX_POKES];
    uint8_t  code[DIFF_CODE_MAX];
} DiffCase;

typedef struct DiffResult {
    uint32_t regs[8];
    uint32_t eflags;
    uint32_t eip;                 /* CS-relative EIP where execution stopped */
    int32_t  vector;              /* exception vector (13 for the final HLT), -1 none */
    uint32_t error_code;
    uint32_t status;              /* DIFF_STAT_* */
    uint32_t n_diffs;             /* entries used in diffs[] */
    uint32_t diffs[DIFF_MAX_DIFFS]; /* (offset << 8) | new byte, ascending offsets */
} DiffResult;

#define DIFF_RESULT_HEAD (sizeof(DiffResult) - sizeof(((DiffResult *)0)->diffs))

/* the values every operand generator and the template draw from */
static const uint32_t diff_edge_values[] = {
    0, 1, 2, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xffff,
    0x10000, 0x7fffffff, 0x80000000u, 0x80000001u, 0xfffffffeu, 0xffffffffu,
    0x0f, 0x10, 0x1f, 0x20, 0x21, 0x99, 0x09, 0x0a,
};
#define DIFF_N_EDGE (sizeof(diff_edge_values) / sizeof(diff_edge_values[0]))

/* splitmix-style mixer: a pure function of its input */
static inline uint32_t diff_mix32(uint32_t x)
{
    x ^= x >> 16; x *= 0x7feb352du;
    x ^= x >> 15; x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* the data area before pokes: half random words, half edge values */
static inline void diff_fill_template(uint8_t *buf)
{
    for (uint32_t i = 0; i < DIFF_DATA_SIZE / 4; i++) {
        uint32_t h = diff_mix32(i * 0x9e3779b9u + 12345u);
        uint32_t v = (h & 1) ? diff_mix32(h) : diff_edge_values[(h >> 1) % DIFF_N_EDGE];
        memcpy(buf + 4 * i, &v, 4);
    }
}

/* template + the case's pokes */
static inline void diff_apply_pokes(uint8_t *buf, const DiffCase *c)
{
    for (uint32_t i = 0; i < c->n_pokes && i < DIFF_MAX_POKES; i++)
        if (c->pokes[i].off <= DIFF_DATA_SIZE - 4)
            memcpy(buf + c->pokes[i].off, &c->pokes[i].val, 4);
}

/* fill r->diffs from the final data area; returns false on overflow */
static inline int diff_collect(DiffResult *r, const uint8_t *now, const uint8_t *tmpl)
{
    r->n_diffs = 0;
    r->status = DIFF_STAT_OK;
    for (uint32_t off = 0; off < DIFF_DATA_SIZE; off += 64) {
        if (memcmp(now + off, tmpl + off, 64) == 0)
            continue;
        for (uint32_t j = off; j < off + 64; j++) {
            if (now[j] == tmpl[j])
                continue;
            if (r->n_diffs == DIFF_MAX_DIFFS) {
                r->status = DIFF_STAT_OVERFLOW;
                return 0;
            }
            r->diffs[r->n_diffs++] = (j << 8) | now[j];
        }
    }
    return 1;
}

#endif
