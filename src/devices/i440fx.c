/*
 * i440fx.c - the 82441FX PMC, host bridge 00:00.0 of the i440FX chipset
 * (as on QEMU's "pc", which SeaBIOS and Linux expect).
 * Reference: Intel 440FX PCIset datasheet (82441FX PMC / 82442FX DBX),
 * order no. 290549: 3.2.13 PAM[6:0] (0x59-0x5F), 3.2.16 SMRAM (0x72).
 *
 * PAM: each nibble controls one segment of 0xC0000-0xFFFFF (PAM0 bits
 * 7:4 the 64 KiB BIOS segment 0xF0000, PAM1-6 two 16 KiB segments each
 * from 0xC0000) with RE (bit 0: reads from DRAM) and WE (bit 1: writes to
 * DRAM); otherwise the access goes to PCI, which here means the BIOS ROM
 * image at 0xE0000-0xFFFFF (machine.c maps it) and nothing (all ones)
 * at 0xC0000-0xDFFFF (option ROMs are copied there by SeaBIOS).  Every
 * segment has three remappable regions over the DRAM below it (memory.h):
 * read-only RAM (RE), RAM (RE+WE) and a write-only window (WE: reads from
 * the ROM side, writes to DRAM); the PAM value enables one of them or
 * none, then the TLB and translated code of the segment are flushed.
 * SeaBIOS (src/fw/shadow.c) sets 0x30/0x33 to copy itself into RAM and
 * 0x10/0x11/0x31 to write-protect it again.
 *
 * SMRAM (0x72): stored with D_LCK making it read-only; SMM itself is not
 * emulated (PIIX4 PM reports SMM as set up so SeaBIOS does not try).
 * Not emulated: DRB/DRT DRAM configuration (reads as stored), error
 * reporting, the host bridge's own bus arbitration registers.
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/pci.h"
#include "devices/i440fx.h"
#include "util/log.h"

#define PAM_SEGMENTS 13
#define PAM_BASE     0xc0000u

typedef struct PamSegment {
    uint32_t base, size;
    MemRegion *ro, *rw, *wo;     /* one enabled per mode 1, 3, 2; none for 0 */
    uint8_t *ram;                /* DRAM below (host), NULL when RAM is smaller */
    uint8_t *rom;                /* what "PCI" reads return (BIOS ROM), or NULL */
    int mode;
    struct I440FXState *s;
} PamSegment;

struct I440FXState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    PCIDevice *dev;
    PamSegment seg[PAM_SEGMENTS];
};

static uint32_t pam_wo_read(void *opaque, uint32_t off, int size)
{
    PamSegment *g = opaque;
    if (!g->rom)
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    uint32_t v = 0;
    for (int i = 0; i < size && off + i < g->size; i++)
        v |= (uint32_t)g->rom[off + i] << (8 * i);
    return v;
}

static void pam_wo_write(void *opaque, uint32_t off, uint32_t value, int size)
{
    PamSegment *g = opaque;
    for (int i = 0; i < size && off + i < g->size; i++)
        g->ram[off + i] = (uint8_t)(value >> (8 * i));
}

static const MemOps pam_wo_ops = { .read = pam_wo_read, .write = pam_wo_write };

static void i440fx_set_pam(I440FXState *s, int n, int mode)
{
    PamSegment *g = &s->seg[n];
    if (!g->ram || g->mode == mode)
        return;
    g->mode = mode;
    PhysMem *pm = s->buses.mem;
    physmem_region_set(pm, g->ro, g->base, mode == 1);
    physmem_region_set(pm, g->rw, g->base, mode == 3);
    physmem_region_set(pm, g->wo, g->base, mode == 2);   /* listeners: TLB, code */
}

/* segment n's nibble: PAM0[7:4] for 0xF0000 (segment 12), then
 * PAM1[3:0] = 0xC0000, PAM1[7:4] = 0xC4000, ... PAM6[7:4] = 0xEC000 */
static void i440fx_update_pam(I440FXState *s)
{
    const uint8_t *c = s->dev->config;
    for (int n = 0; n < 12; n++) {
        uint8_t reg = c[I440FX_PAM0 + 1 + n / 2];
        i440fx_set_pam(s, n, (n & 1 ? reg >> 4 : reg) & 3);
    }
    i440fx_set_pam(s, 12, (c[I440FX_PAM0] >> 4) & 3);
}

int i440fx_pam_mode(I440FXState *s, uint32_t addr)
{
    for (int n = 0; n < PAM_SEGMENTS; n++)
        if (addr >= s->seg[n].base && addr < s->seg[n].base + s->seg[n].size)
            return s->seg[n].mode;
    return 3;
}

static void i440fx_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int size)
{
    I440FXState *s = d->opaque;
    if (addr <= I440FX_PAM0 + 6 && addr + (uint32_t)size > I440FX_PAM0)
        i440fx_update_pam(s);
    if (addr <= I440FX_SMRAM && addr + (uint32_t)size > I440FX_SMRAM) {
        /* D_LCK (bit 4) locks D_OPEN and itself until reset */
        if (d->config[I440FX_SMRAM] & 0x10)
            pci_set_wmask(d, I440FX_SMRAM, 1, 0);
    }
}

static const PCIDeviceOps i440fx_pci_ops = { .config_write = i440fx_config_write };

/* saved state (bus/vmstate.h): the PAM and SMRAM registers are bytes of
 * this function's configuration space, saved with it ("pci-dev"); this
 * section has no fields of its own, its post_load re-applies what they
 * control: the PAM mappings of 0xC0000-0xFFFFF and the SMRAM lock */
static bool i440fx_post_load(void *opaque, int version, GError **errp)
{
    I440FXState *s = opaque;
    PCIDevice *d = s->dev;
    pci_set_wmask(d, I440FX_SMRAM, 1, (d->config[I440FX_SMRAM] & 0x10) ? 0 : 0x78);
    i440fx_update_pam(s);
    return true;
}

static const VMStateField i440fx_fields[] = {
    VMS_END
};
const VMStateDesc i440fx_vmsd = { .name = "i440fx", .version = 1, .min_version = 1,
                                  .fields = i440fx_fields, .post_load = i440fx_post_load };
const size_t i440fx_state_size = sizeof(I440FXState);

static void i440fx_reset(void *opaque)
{
    I440FXState *s = opaque;
    uint8_t *c = s->dev->config;
    memset(&c[I440FX_PAM0], 0, 7);
    c[I440FX_SMRAM] = 0x02;
    pci_set_wmask(s->dev, I440FX_SMRAM, 1, 0x78);
    i440fx_update_pam(s);
}

static void i440fx_free(void *opaque)
{
    g_free(opaque);
}

I440FXState *i440fx_init(const Buses *b, PCIBus *bus, GError **errp)
{
    I440FXState *s = g_new0(I440FXState, 1);
    s->buses = *b;
    s->dev = pci_register_function(bus, PCI_DEVFN(0, 0), "i440fx", 0x8086, 0x1237, 0x02,
                                   0x060000, &i440fx_pci_ops, s, errp);
    if (!s->dev) {
        g_free(s);
        return NULL;
    }
    uint8_t *c = s->dev->config;
    c[PCI_STATUS] = 0x00;
    c[PCI_STATUS + 1] = 0x02;                     /* DEVSEL medium */
    c[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    /* only PAM and SMRAM are writable besides the header */
    pci_set_wmask(s->dev, 0x40, 0xc0, 0);
    pci_set_wmask(s->dev, I440FX_PAM0, 1, 0x30);
    pci_set_wmask(s->dev, I440FX_PAM0 + 1, 6, 0x33);
    pci_set_wmask(s->dev, 0x50, 2, 0xff);         /* PMCCFG */
    pci_set_wmask(s->dev, 0x60, 8, 0xff);         /* DRB0-7 */
    c[I440FX_SMRAM] = 0x02;

    /* the PAM segments: "PCI" side = what is mapped now (BIOS ROM at
     * 0xE0000-0xFFFFF); below 0xE0000 PCI reads all ones */
    PhysMem *pm = b->mem;
    physmem_add_host(pm, "pci-c0000", MEM_UNASSIGNED, PAM_BASE, 0x20000, NULL, true);
    for (int n = 0; n < PAM_SEGMENTS; n++) {
        PamSegment *g = &s->seg[n];
        g->s = s;
        g->base = n < 12 ? PAM_BASE + (uint32_t)n * 0x4000 : 0xf0000;
        g->size = n < 12 ? 0x4000 : 0x10000;
        PhysPage *p = physmem_page(pm, g->base);
        g->rom = p->kind == MEM_ROM ? p->host : NULL;
        if (pm->ram && pm->ram_size >= g->base + g->size) {
            g->ram = pm->ram + g->base;
            g->ro = physmem_add_host(pm, "pam-ro", MEM_ROM, g->base, g->size, g->ram, false);
            g->rw = physmem_add_host(pm, "pam-rw", MEM_RAM, g->base, g->size, g->ram, false);
            g->wo = physmem_add_mmio_off(pm, "pam-wo", g->base, g->size, &pam_wo_ops, g);
            if (!g->ro || !g->rw || !g->wo) {
                g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                            "i440fx: cannot create the PAM regions");
                g_free(s);
                return NULL;
            }
        }
    }
    host_register_device(b->host, s, i440fx_free, i440fx_reset);
    host_register_state(b->host, &i440fx_vmsd, s);
    return s;
}
