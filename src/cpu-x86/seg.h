/*
 * seg.h - protected-mode segmentation: descriptor tables, selector checks
 * and segment-register loads (seg.c), shared by far control transfers
 * (farctl.c), interrupt delivery (intr_pm.c) and task switching (task.c).
 *
 * Every function that can fail raises the guest exception the SDM names
 * (#GP, #NP, #SS, #TS with the selector error code) through
 * raise_exception() and does not return.
 */
#ifndef TX86_SEG_H
#define TX86_SEG_H

#include <stdint.h>
#include <stdbool.h>
#include "cpu-x86/cpu.h"

/* a descriptor as its two dwords */
typedef struct Desc {
    uint32_t lo, hi;
} Desc;

/* descriptor fields */
uint32_t desc_base(Desc d);
uint32_t desc_limit(Desc d);            /* byte granular (G applied) */
static inline int desc_dpl(Desc d)      { return (d.hi >> 13) & 3; }
static inline int desc_type(Desc d)     { return (d.hi >> 8) & 15; }
static inline bool desc_is_system(Desc d) { return !(d.hi & (1u << 12)); }
static inline bool desc_present(Desc d) { return (d.hi & (1u << 15)) != 0; }

/* read the descriptor of sel from the GDT or LDT (supervisor access);
 * false when the selector is beyond the table limit (or a null LDT) */
bool seg_read_desc(CPUState *env, uint16_t sel, Desc *d);
/* write back the second dword (accessed / busy bits) */
void seg_write_desc_hi(CPUState *env, uint16_t sel, uint32_t hi);
/* fill a segment cache from a descriptor */
void seg_cache_load(SegmentCache *sc, uint16_t sel, Desc d);

/* MOV/POP/LxS into ES, SS, DS, FS or GS with every protected-mode check
 * (also handles real and v8086 mode); updates hflags as needed */
void seg_load(CPUState *env, int seg, uint16_t sel);

/* ---- additions for far transfers and interrupt delivery (G1a) ---- */

/* set the accessed bit of a code/data descriptor (written back once) */
void seg_set_accessed(CPUState *env, uint16_t sel, Desc *d);
/* load CS from a checked code descriptor, RPL := cpl, CPL := cpl */
void seg_load_cs(CPUState *env, uint16_t sel, Desc d, int cpl);
/* the same without cpu_update_hflags(), for a caller that calls it (or
 * seg_null_invalid) next: only the CPL bits of hflags are current */
void seg_set_cs(CPUState *env, uint16_t sel, Desc d, int cpl);
/* SS for privilege level dpl: every check of the SDM, faults as #TS (new
 * stack from the TSS, vector EXCP_TS) or #GP (RETF/IRET, vector EXCP_GP);
 * ext is the EXT bit for the error codes; fills *d */
void seg_check_ss(CPUState *env, uint16_t ss, int dpl, int vector, uint32_t ext, Desc *d);
/* SS:ESP for privilege level dpl from the current TSS (16/32-bit) */
void seg_tss_stack(CPUState *env, int dpl, uint32_t ext, uint16_t *ss, uint32_t *esp);
/* after a return to an outer level: null ES/DS/FS/GS the new CPL may not use */
void seg_null_invalid(CPUState *env);

/* A stack worked on privately (committed by the caller): every push and
 * pop is checked against the segment limit and raises #SS(err). */
typedef struct SegStack {
    uint32_t base, limit, flags;  /* from the SS descriptor / cache */
    uint32_t sp, mask;            /* working ESP, 0xffff or 0xffffffff */
    uint32_t err;                 /* #SS error code (0 or new SS selector) */
    int mode;                     /* TLB view (TLB_MMU_KERNEL / USER) */
} SegStack;
void     seg_stack_init(SegStack *st, uint32_t base, uint32_t limit, uint32_t flags,
                        uint32_t esp, int cpl, uint32_t err);
/* the current SS:ESP (real and v8086 mode: limit checks only), #SS(0) */
void     seg_stack_cur(CPUState *env, SegStack *st);
/* write the working SP back to ESP (SP only with a 16-bit stack) */
void     seg_stack_commit(CPUState *env, const SegStack *st);
void     seg_stack_push(CPUState *env, SegStack *st, int size, uint32_t v);
uint32_t seg_stack_pop(CPUState *env, SegStack *st, int size);
/* #SS(err) unless size bytes at the working SP are inside the stack */
void     seg_stack_probe(CPUState *env, SegStack *st, int size);

/* segment access classes in hflags (HF_SEG_SHIFT, cpu.h), chosen so that
 * a zero (stale) value means "always take the full check" */
enum {
    SEG_CLS_SLOW = 0,   /* full check in a helper: null, execute-only, expand-down */
    SEG_CLS_UP = 1,     /* expand-up: inline offset+size-1 <= limit; writable */
    SEG_CLS_UP_RO = 2,  /* as UP for reads; every write is #GP(0) */
    SEG_CLS_FLAT = 3,   /* base 0, limit 4 GiB, expand-up, writable: no check */
};
static inline int seg_hf_class(uint32_t hflags, int seg)
{
    return (hflags >> (HF_SEG_SHIFT + 2 * seg)) & 3;
}
/* the HF_SEG_* bits for the current segment caches (cpu_update_hflags) */
uint32_t seg_hflags(const CPUState *env);
/* full limit/type check of one data access (raises #GP(0) / #SS(0)) */
void seg_check_access(CPUState *env, int seg, uint32_t off, int size, bool write);
/* the limit rule shared by every check (seg.c): may size bytes at off be
 * accessed in a segment with this limit, direction and top (0xFFFF or
 * 0xFFFFFFFF by the B flag, used by expand-down segments)? */
bool seg_offset_ok(uint32_t limit, bool expand_down, uint32_t top, uint32_t off,
                   uint32_t size);
/* helper_seg_check's first argument */
#define SEG_CHECK_ARG(seg, size, write) \
    ((uint32_t)(seg) | ((write) ? 1u << 3 : 0) | (uint32_t)(size) << 4)

#endif
