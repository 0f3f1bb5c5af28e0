/*
 * memory.c - guest physical address space (see memory.h).
 *
 * One PhysPage per 4 KiB page of the 4 GiB space (1 Mi entries, allocated
 * zeroed, so untouched parts cost no host memory).  Registering a region
 * rewrites the entries of the pages it covers: later registrations win,
 * which is how the BIOS shadow at 0xE0000 covers RAM.  Regions are kept in
 * a fixed array so the MemRegion pointers handed out stay valid.
 *
 * Access rules:
 *   RAM    host memory, little-endian
 *   ROM    reads from host memory; writes are ignored (-d guest_errors)
 *   MMIO   the region's ops, offset relative to the region base; a NULL
 *          read hook reads all ones, a NULL write hook drops the write
 *   none   reads all ones, writes ignored (-d unimp)
 * An access that crosses a page boundary is split into byte accesses.  A
 * store (of any kind, including physmem_write_buf) into a page with watch
 * flags marks it dirty (PAGE_WATCH_CLEAN) and calls the code-write hook
 * (PAGE_WATCH_CODE) after the data is stored.
 */
#include <inttypes.h>
#include <string.h>
#include <glib.h>
#include "bus/memory.h"
#include "util/log.h"

#define MEM_MAX_REGIONS 256

static uint32_t mem_ones(int size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static inline uint32_t mem_load_le(const uint8_t *p, int size)
{
    switch (size) {
    case 1: return p[0];
    case 2: return (uint32_t)p[0] | (uint32_t)p[1] << 8;
    case 4: { uint32_t v; memcpy(&v, p, 4); return GUINT32_FROM_LE(v); }
    default: g_assert_not_reached();
    }
}

static inline void mem_store_le(uint8_t *p, uint32_t v, int size)
{
    switch (size) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); break;
    case 4: v = GUINT32_TO_LE(v); memcpy(p, &v, 4); break;
    default: g_assert_not_reached();
    }
}

PhysMem *physmem_new(void)
{
    PhysMem *pm = g_new0(PhysMem, 1);
    pm->pages = g_new0(PhysPage, PHYS_PAGES);
    pm->cap_regions = MEM_MAX_REGIONS;
    pm->regions = g_new0(MemRegion, pm->cap_regions);
    pm->regions[0].name = "unassigned";
    pm->regions[0].kind = MEM_UNASSIGNED;
    pm->n_regions = 1;
    return pm;
}

void physmem_free(PhysMem *pm)
{
    if (!pm)
        return;
    for (unsigned i = 1; i < pm->n_regions; i++)
        if (pm->regions[i].owns_host)
            g_free(pm->regions[i].host);
    g_free(pm->regions);
    g_free(pm->pages);
    g_free(pm);
}

/* claim a region slot and point the pages it covers at it */
static MemRegion *physmem_add_region(PhysMem *pm, const char *name, MemKind kind,
                                     uint32_t base, uint32_t size, uint8_t *host)
{
    g_assert((base & ~PAGE_MASK) == 0);
    g_assert(size > 0 && (uint64_t)base + size <= ((uint64_t)1 << 32));
    if (pm->n_regions >= pm->cap_regions) {
        g_warning("physmem: too many regions (max %d), '%s' not mapped",
                  MEM_MAX_REGIONS, name);
        return NULL;
    }
    unsigned idx = pm->n_regions++;
    MemRegion *r = &pm->regions[idx];
    r->name = name;
    r->kind = kind;
    r->base = base;
    r->size = size;
    r->host = host;

    uint32_t first = base >> PAGE_BITS;
    uint32_t npages = (uint32_t)(((uint64_t)size + PAGE_SIZE - 1) >> PAGE_BITS);
    for (uint32_t i = 0; i < npages; i++) {
        PhysPage *p = &pm->pages[first + i];
        p->kind = kind;
        p->region = (uint16_t)idx;
        p->host = host ? host + ((size_t)i << PAGE_BITS) : NULL;
    }
    physmem_notify(pm, base, size);
    return r;
}

MemRegion *physmem_add_ram(PhysMem *pm, uint32_t base, uint32_t size, uint8_t *host)
{
    uint32_t alloc = (size + PAGE_SIZE - 1) & PAGE_MASK;
    bool own = host == NULL;
    if (own)
        host = g_malloc0(alloc);
    MemRegion *r = physmem_add_region(pm, "ram", MEM_RAM, base, alloc, host);
    if (!r) {
        if (own)
            g_free(host);
        return NULL;
    }
    r->owns_host = own;
    if (!pm->ram) {
        pm->ram = host;
        pm->ram_size = size;
    }
    return r;
}

MemRegion *physmem_add_rom(PhysMem *pm, uint32_t base, const uint8_t *data, uint32_t size)
{
    uint32_t alloc = (size + PAGE_SIZE - 1) & PAGE_MASK;
    uint8_t *host = g_malloc(alloc);
    memcpy(host, data, size);
    memset(host + size, 0xff, alloc - size);      /* unprogrammed flash */
    MemRegion *r = physmem_add_region(pm, "rom", MEM_ROM, base, alloc, host);
    if (!r) {
        g_free(host);
        return NULL;
    }
    r->owns_host = true;
    return r;
}

MemRegion *physmem_add_mmio(PhysMem *pm, const char *name, uint32_t base, uint32_t size,
                            const MemOps *ops, void *opaque)
{
    uint32_t span = (size + PAGE_SIZE - 1) & PAGE_MASK;
    MemRegion *r = physmem_add_region(pm, name, MEM_MMIO, base, span, NULL);
    if (r) {
        r->ops = ops;
        r->opaque = opaque;
    }
    return r;
}

void physmem_set_code_hook(PhysMem *pm, CodeWriteHook hook, void *opaque)
{
    pm->code_write_hook = hook;
    pm->code_write_opaque = opaque;
}

/* one access that stays inside one page */
static uint32_t physmem_read_page(PhysMem *pm, GuestPhys paddr, int size)
{
    PhysPage *p = physmem_page(pm, paddr);
    if (p->host)
        return mem_load_le(p->host + (paddr & ~PAGE_MASK), size);
    if (p->kind == MEM_MMIO) {
        const MemRegion *r = &pm->regions[p->region];
        if (r->ops->read)
            return r->ops->read(r->opaque, paddr - r->base, size) & mem_ones(size);
        return mem_ones(size);
    }
    if (pm->log_unassigned)
        log_printf("unassigned memory read  %08" PRIx64 " size %d\n", (uint64_t)paddr, size);
    return mem_ones(size);
}

static void physmem_write_page(PhysMem *pm, GuestPhys paddr, uint32_t value, int size)
{
    PhysPage *p = physmem_page(pm, paddr);
    switch (p->kind) {
    case MEM_RAM:
        mem_store_le(p->host + (paddr & ~PAGE_MASK), value, size);
        if (p->watch)
            physmem_watched_store(pm, p, paddr, size);
        return;
    case MEM_MMIO: {
        const MemRegion *r = &pm->regions[p->region];
        if (r->ops->write)
            r->ops->write(r->opaque, paddr - r->base, value & mem_ones(size), size);
        return;
    }
    case MEM_ROM:
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("write to ROM ignored: %08" PRIx64 " size %d value %x\n", (uint64_t)paddr,
                       size, value);
        return;
    default:
        if (pm->log_unassigned)
            log_printf("unassigned memory write %08" PRIx64 " size %d value %x\n",
                       (uint64_t)paddr, size, value);
        return;
    }
}

uint32_t physmem_read(PhysMem *pm, GuestPhys paddr, int size)
{
    if (G_LIKELY((paddr & ~PAGE_MASK) + (uint32_t)size <= PAGE_SIZE))
        return physmem_read_page(pm, paddr, size);
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= physmem_read_page(pm, paddr + (GuestPhys)i, 1) << (8 * i);
    return v;
}

void physmem_write(PhysMem *pm, GuestPhys paddr, uint32_t value, int size)
{
    if (G_LIKELY((paddr & ~PAGE_MASK) + (uint32_t)size <= PAGE_SIZE)) {
        physmem_write_page(pm, paddr, value, size);
        return;
    }
    for (int i = 0; i < size; i++)
        physmem_write_page(pm, paddr + (GuestPhys)i, (value >> (8 * i)) & 0xff, 1);
}

/*
 * Bulk copies work a page at a time.  Only RAM and ROM take part: reads
 * of other pages give 0xff bytes, writes to them are dropped, and the
 * function returns false.  Writes to ROM are dropped too (as a DMA would
 * see it) but count as mapped.  The address wraps at 4 GiB.
 */
bool physmem_read_buf(PhysMem *pm, GuestPhys paddr, void *buf, size_t len)
{
    uint8_t *out = buf;
    bool ok = true;
    while (len > 0) {
        uint32_t off = paddr & ~PAGE_MASK;
        size_t chunk = MIN(len, (size_t)(PAGE_SIZE - off));
        PhysPage *p = physmem_page(pm, paddr);
        if (p->host) {
            memcpy(out, p->host + off, chunk);
        } else {
            memset(out, 0xff, chunk);
            ok = false;
        }
        out += chunk;
        len -= chunk;
        paddr += (GuestPhys)chunk;
    }
    return ok;
}

bool physmem_write_buf(PhysMem *pm, GuestPhys paddr, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    bool ok = true;
    while (len > 0) {
        uint32_t off = paddr & ~PAGE_MASK;
        size_t chunk = MIN(len, (size_t)(PAGE_SIZE - off));
        PhysPage *p = physmem_page(pm, paddr);
        if (p->kind == MEM_RAM) {
            memcpy(p->host + off, in, chunk);
            if (p->watch)
                physmem_watched_store(pm, p, paddr, (int)chunk);
        } else if (p->kind != MEM_ROM) {
            ok = false;
        }
        in += chunk;
        len -= chunk;
        paddr += (GuestPhys)chunk;
    }
    return ok;
}

/*
 * Remappable regions (memory.h).  A region that is moved or switched off
 * leaves its pages to whatever enabled region covers them, the latest
 * registered first: each page of the affected ranges is recomputed from
 * the region list (at most MEM_MAX_REGIONS regions; remaps are rare:
 * BAR programming, PAM changes).
 */
static void physmem_recompute(PhysMem *pm, uint32_t base, uint32_t size)
{
    uint32_t first = base >> PAGE_BITS;
    uint64_t end = ((uint64_t)base + size + PAGE_SIZE - 1) >> PAGE_BITS;
    if (end > PHYS_PAGES)
        end = PHYS_PAGES;
    for (uint32_t pn = first; pn < end; pn++) {
        uint64_t addr = (uint64_t)pn << PAGE_BITS;
        PhysPage *p = &pm->pages[pn];
        unsigned idx = 0;
        for (unsigned i = pm->n_regions - 1; i >= 1; i--) {
            const MemRegion *r = &pm->regions[i];
            if (!r->disabled && addr >= r->base && addr < (uint64_t)r->base + r->size) {
                idx = i;
                break;
            }
        }
        const MemRegion *r = &pm->regions[idx];
        p->region = (uint16_t)idx;
        p->kind = (uint8_t)r->kind;
        p->host = r->host ? r->host + (addr - r->base) : NULL;
    }
}

MemRegion *physmem_add_host(PhysMem *pm, const char *name, MemKind kind, uint32_t base,
                            uint32_t size, uint8_t *host, bool enabled)
{
    uint32_t span = (size + PAGE_SIZE - 1) & PAGE_MASK;
    MemRegion *r = physmem_add_region(pm, name, kind, base, span, host);
    if (r && !enabled) {
        r->disabled = true;
        physmem_recompute(pm, base, span);
    }
    return r;
}

MemRegion *physmem_add_mmio_off(PhysMem *pm, const char *name, uint32_t base, uint32_t size,
                                const MemOps *ops, void *opaque)
{
    MemRegion *r = physmem_add_mmio(pm, name, base, size, ops, opaque);
    if (r) {
        r->disabled = true;
        physmem_recompute(pm, r->base, r->size);
    }
    return r;
}

void physmem_region_set(PhysMem *pm, MemRegion *r, uint32_t base, bool enabled)
{
    g_assert((base & ~PAGE_MASK) == 0);
    uint32_t old_base = r->base;
    bool was_on = !r->disabled;
    if (was_on == enabled && old_base == base)
        return;
    if ((uint64_t)base + r->size > ((uint64_t)1 << 32))
        enabled = false;                  /* would wrap: leave it off */
    else
        r->base = base;
    r->disabled = !enabled;
    if (was_on) {
        physmem_recompute(pm, old_base, r->size);
        physmem_notify(pm, old_base, r->size);
    }
    if (enabled) {
        physmem_recompute(pm, r->base, r->size);
        physmem_notify(pm, r->base, r->size);
    }
}

void physmem_add_listener(PhysMem *pm, MemMapListener fn, void *opaque)
{
    g_assert(pm->n_listeners < PHYSMEM_MAX_LISTENERS);
    pm->listeners[pm->n_listeners].fn = fn;
    pm->listeners[pm->n_listeners].opaque = opaque;
    pm->n_listeners++;
}

void physmem_remove_listener(PhysMem *pm, MemMapListener fn, void *opaque)
{
    for (unsigned i = 0; i < pm->n_listeners; i++)
        if (pm->listeners[i].fn == fn && pm->listeners[i].opaque == opaque) {
            memmove(&pm->listeners[i], &pm->listeners[i + 1],
                    (pm->n_listeners - i - 1) * sizeof(pm->listeners[0]));
            pm->n_listeners--;
            return;
        }
}

void physmem_notify(PhysMem *pm, uint32_t base, uint32_t size)
{
    for (unsigned i = 0; i < pm->n_listeners; i++)
        pm->listeners[i].fn(pm->listeners[i].opaque, base, size);
}

/* ---- dirty logging (memory.h) ---- */

void physmem_watched_store(PhysMem *pm, PhysPage *p, GuestPhys paddr, int size)
{
    if (p->watch & PAGE_WATCH_CLEAN) {
        p->watch &= ~PAGE_WATCH_CLEAN;
        if (pm->dirty && p->host >= pm->ram && p->host < pm->ram + pm->ram_size)
            pm->dirty[(size_t)(p->host - pm->ram) >> PAGE_BITS] = pm->dirty_clients;
    }
    if ((p->watch & PAGE_WATCH_CODE) && pm->code_write_hook)
        pm->code_write_hook(pm->code_write_opaque, paddr, size);
}

void physmem_dirty_log_start(PhysMem *pm, unsigned client)
{
    uint32_t n = pm->ram_size >> PAGE_BITS;
    if (!pm->dirty)
        pm->dirty = g_malloc0(n ? n : 1);
    pm->dirty_clients |= (uint8_t)client;
    for (uint32_t i = 0; i < n; i++)
        pm->dirty[i] |= (uint8_t)client;
}

bool physmem_dirty_harvest(PhysMem *pm, uint32_t i, unsigned client)
{
    if (!physmem_dirty_test(pm, i, client))
        return false;
    pm->dirty[i] &= (uint8_t)~client;
    /* main RAM is mapped 1:1 from 0; where something else is mapped over
     * it (VGA, PAM ROM) the page cannot be written through that address.
     * Armed again for every client: the next store marks them all. */
    PhysPage *p = &pm->pages[i];
    if (p->host == pm->ram + ((size_t)i << PAGE_BITS))
        p->watch |= PAGE_WATCH_CLEAN;
    else
        pm->dirty[i] |= (uint8_t)client;    /* not watchable: always dirty */
    return true;
}

void physmem_dirty_log_stop(PhysMem *pm, unsigned client)
{
    uint32_t n = pm->ram_size >> PAGE_BITS;
    pm->dirty_clients &= (uint8_t)~client;
    if (pm->dirty && pm->dirty_clients) {
        for (uint32_t i = 0; i < n; i++)
            pm->dirty[i] &= (uint8_t)~client;
        return;
    }
    for (uint32_t i = 0; i < PHYS_PAGES; i++)
        pm->pages[i].watch &= ~PAGE_WATCH_CLEAN;
    g_clear_pointer(&pm->dirty, g_free);
}
