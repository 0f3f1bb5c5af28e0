/*
 * memory.h - guest physical address space: RAM, ROM and MMIO regions.
 *
 * The 4 GiB physical space is described by a flat page map (one entry per
 * 4 KiB page) built from the regions the machine registers.  RAM and ROM
 * pages point straight at host memory; MMIO pages name a region whose ops
 * are called; unassigned pages read as all ones and ignore writes.
 *
 * Addresses are GuestPhys (bus/addr.h); region bases and sizes, MMIO
 * offsets and listener ranges stay 32-bit (the map covers 4 GiB).
 *
 * Pages that hold translated guest code are flagged; a write to such a page
 * calls the code-write hook (the translator invalidates its blocks).
 * Dirty logging (migration) flags main-RAM pages "clean" in the same way:
 * the first store after a harvest marks the page dirty.  A flagged page
 * (PhysPage.watch != 0) never gets a TLB write tag, so every store to it
 * takes the slow path that sees the flags.
 *
 * Example:
 *     PhysMem *pm = physmem_new();
 *     physmem_add_ram(pm, 0, 32 << 20, NULL);
 *     physmem_add_rom(pm, 0xfffe0000, bios, 128 << 10);
 *     physmem_write(pm, 0x1000, 0x12345678, 4);
 */
#ifndef TX86_MEMORY_H
#define TX86_MEMORY_H

#include <stdint.h>
#include <string.h>
#include <stdbool.h>
#include <stddef.h>
#include "bus/addr.h"

#define PAGE_BITS 12
#define PAGE_SIZE (1u << PAGE_BITS)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PHYS_PAGES (1u << (32 - PAGE_BITS))

typedef struct MemOps {
    /* size is 1, 2 or 4; offset is relative to the region start */
    uint32_t (*read)(void *opaque, uint32_t offset, int size);
    void (*write)(void *opaque, uint32_t offset, uint32_t value, int size);
} MemOps;

typedef enum MemKind { MEM_UNASSIGNED = 0, MEM_RAM, MEM_ROM, MEM_MMIO } MemKind;

typedef struct MemRegion {
    const char *name;
    MemKind kind;
    uint32_t base, size;
    uint8_t *host;          /* RAM/ROM backing store */
    const MemOps *ops;      /* MMIO */
    void *opaque;
    bool owns_host;         /* host was allocated by PhysMem (freed with it) */
    bool disabled;          /* not mapped now (physmem_region_set) */
} MemRegion;

/* one entry per 4 KiB guest physical page */
#define PAGE_WATCH_CODE  0x01u  /* translated code lives here: the code-write hook */
#define PAGE_WATCH_CLEAN 0x02u  /* dirty logging: not written since the last harvest */

typedef struct PhysPage {
    uint8_t *host;          /* host address of the page (RAM/ROM), else NULL */
    uint16_t region;        /* index into PhysMem.regions (0 = unassigned) */
    uint8_t kind;           /* MemKind */
    uint8_t watch;          /* PAGE_WATCH_*: stores must take the slow path */
} PhysPage;

typedef void (*CodeWriteHook)(void *opaque, GuestPhys paddr, int size);

/* Memory-map listeners: whoever caches what the map says (the CPU's TLB,
 * the translator's blocks) subscribes and is told which physical range
 * changed: a region added, moved, turned on or off (PCI BARs, i440FX PAM
 * shadow RAM and its write protection).  The board registers them
 * (machine.c); devices only change the map.  QEMU's MemoryListener, in
 * one callback. */
typedef void (*MemMapListener)(void *opaque, uint32_t base, uint32_t size);
#define PHYSMEM_MAX_LISTENERS 4

typedef struct PhysMem {
    PhysPage *pages;        /* PHYS_PAGES entries */
    MemRegion *regions;     /* regions[0] is the "unassigned" pseudo region */
    unsigned n_regions, cap_regions;
    uint8_t *ram;           /* main RAM (first RAM region) */
    uint32_t ram_size;
    uint8_t *dirty;         /* dirty logging on: a byte per main RAM page, a bit per
                             * client (DIRTY_*) set when written since that client's
                             * last harvest; NULL = logging off */
    uint8_t dirty_clients;  /* the clients logging (DIRTY_*) */
    CodeWriteHook code_write_hook;
    void *code_write_opaque;
    bool log_unassigned;    /* -d unimp */
    struct {
        MemMapListener fn;
        void *opaque;
    } listeners[PHYSMEM_MAX_LISTENERS];    /* called in registration order */
    unsigned n_listeners;
} PhysMem;

PhysMem *physmem_new(void);
void     physmem_free(PhysMem *pm);
/* host may be NULL: allocated zeroed and owned by PhysMem */
MemRegion *physmem_add_ram(PhysMem *pm, uint32_t base, uint32_t size, uint8_t *host);
/* data is copied; size must be a multiple of 4 KiB... or is padded */
MemRegion *physmem_add_rom(PhysMem *pm, uint32_t base, const uint8_t *data, uint32_t size);
MemRegion *physmem_add_mmio(PhysMem *pm, const char *name, uint32_t base, uint32_t size,
                            const MemOps *ops, void *opaque);
/* later registrations win over earlier ones for overlapping pages */

/* Remappable regions (PCI BARs, i440FX PAM shadow RAM): a region of any
 * kind over host memory the caller owns (RAM/ROM: host != NULL; kind
 * MEM_UNASSIGNED with host NULL hides what lies below), created enabled
 * unless `enabled` is false.  physmem_region_set moves a region and
 * turns it on or off; the pages it left and the pages it covers are
 * recomputed from every enabled region (the latest registered wins),
 * and the listeners are told about both ranges. */
MemRegion *physmem_add_host(PhysMem *pm, const char *name, MemKind kind, uint32_t base,
                            uint32_t size, uint8_t *host, bool enabled);
MemRegion *physmem_add_mmio_off(PhysMem *pm, const char *name, uint32_t base, uint32_t size,
                                const MemOps *ops, void *opaque);   /* created disabled */
void       physmem_region_set(PhysMem *pm, MemRegion *r, uint32_t base, bool enabled);

/* access by physical address; any size 1/2/4 and any alignment (accesses
 * that cross a page boundary are split) */
uint32_t physmem_read(PhysMem *pm, GuestPhys paddr, int size);
void     physmem_write(PhysMem *pm, GuestPhys paddr, uint32_t value, int size);
/* bulk copies (loaders, DMA, debugger); return false if any byte was
 * not RAM/ROM (those bytes read 0xff / are dropped) */
bool physmem_read_buf(PhysMem *pm, GuestPhys paddr, void *buf, size_t len);
bool physmem_write_buf(PhysMem *pm, GuestPhys paddr, const void *buf, size_t len);

static inline PhysPage *physmem_page(PhysMem *pm, GuestPhys paddr)
{
    return &pm->pages[paddr >> PAGE_BITS];
}

void physmem_add_listener(PhysMem *pm, MemMapListener fn, void *opaque);
void physmem_remove_listener(PhysMem *pm, MemMapListener fn, void *opaque);
/* tell every listener that [base, base + size) changed */
void physmem_notify(PhysMem *pm, uint32_t base, uint32_t size);

void physmem_set_code_hook(PhysMem *pm, CodeWriteHook hook, void *opaque);
/* the translator marks/unmarks pages that hold code */
static inline void physmem_mark_code(PhysMem *pm, GuestPhys paddr, bool on)
{
    PhysPage *p = &pm->pages[paddr >> PAGE_BITS];
    p->watch = on ? (p->watch | PAGE_WATCH_CODE) : (p->watch & ~PAGE_WATCH_CODE);
}

/* Dirty logging of main RAM, for two clients at once: live migration
 * (savevm.c) and a replay's checkpoints (replay.c).  start: every page
 * counts as dirty for that client.  harvest: if main-RAM page `i` is
 * dirty for the client, make it clean for it (its next store marks it
 * again, for every client) and return true.  After harvesting, the caller
 * drops the TLB's write tags (tlb_flush_all) before the CPU runs again: a
 * page with a write tag is never seen dirtied.  Stores through
 * physmem_write*, the slow paths of the CPU and device DMA all mark
 * pages.  stop: the client's logging off; the last one clears every
 * flag. */
enum { DIRTY_MIGRATION = 1, DIRTY_REPLAY = 2 };
void physmem_dirty_log_start(PhysMem *pm, unsigned client);
bool physmem_dirty_harvest(PhysMem *pm, uint32_t i, unsigned client);
void physmem_dirty_log_stop(PhysMem *pm, unsigned client);
/* are the n bytes at p (n a multiple of 8) all zero?  (RAM pages and
 * chunks: the state stream, migration, a replay's checkpoints) */
static inline bool mem_is_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        if (v)
            return false;
    }
    return true;
}

/* is page i dirty for the client (without harvesting it)? */
static inline bool physmem_dirty_test(const PhysMem *pm, uint32_t i, unsigned client)
{
    return pm->dirty && i < pm->ram_size >> PAGE_BITS && (pm->dirty[i] & client);
}
/* the slow path of a store into a watched page (after the data is stored) */
void physmem_watched_store(PhysMem *pm, PhysPage *p, GuestPhys paddr, int size);

#endif
