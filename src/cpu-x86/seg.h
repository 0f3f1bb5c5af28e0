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

/* selector error code for #GP/#NP/#SS/#TS: index, TI (and EXT when set) */
static inline uint32_t sel_errcode(uint16_t sel) { return sel & 0xfffc; }

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

#endif
