/*
 * cirrus.h - the Cirrus Logic CL-GD5446 PCI VGA (1013:00B8), QEMU's
 * "cirrus-vga": the IBM VGA of vga.c plus the Cirrus extended registers,
 * 4 MiB of video memory, packed-pixel modes of 8/15/16/24/32 bpp and the
 * BitBLT engine.  cirrus.c has the register-level description.
 *
 * Example:
 *     CirrusState *c = cirrus_init(&m->bus, pci_bus, &err);  // PCI 00:02.0
 *     vga_render(cirrus_vga(c), &img);                       // what it shows
 */
#ifndef TX86_CIRRUS_H
#define TX86_CIRRUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "devices/vga.h"

struct Buses;
typedef struct CirrusState CirrusState;

#define CIRRUS_PCI_VENDOR   0x1013
#define CIRRUS_PCI_DEVICE   0x00B8          /* CL-GD5446 */
#define CIRRUS_VRAM_SIZE    (4u << 20)      /* 4 MiB */
#define CIRRUS_LFB_SIZE     (32u << 20)     /* BAR0: the framebuffer (aliased) */
#define CIRRUS_MMIO_SIZE    4096u           /* BAR1: VGA ports and BitBLT registers */
#define CIRRUS_BIOS_DEFAULT "/usr/share/seabios/vgabios-cirrus.bin"

/* pci: the PCI bus (a struct PCIBus *) or NULL (unit tests: no BARs; the
 * framebuffer and BitBLT registers are then reached with the cirrus_lfb_*
 * and cirrus_mmio_* calls below, which are what the BARs decode). */
CirrusState *cirrus_init(const struct Buses *b, void *pci, GError **errp);
VGAState    *cirrus_vga(CirrusState *s);

/* BAR0 (offset within the framebuffer) and BAR1 accesses, size 1, 2 or 4 */
uint32_t cirrus_lfb_read(CirrusState *s, uint32_t off, int size);
void     cirrus_lfb_write(CirrusState *s, uint32_t off, uint32_t v, int size);
uint32_t cirrus_mmio_read(CirrusState *s, uint32_t off, int size);
void     cirrus_mmio_write(CirrusState *s, uint32_t off, uint32_t v, int size);
/* blits refused because they reached outside the video memory */
unsigned cirrus_blits_rejected(CirrusState *s);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc cirrus_vmsd;
extern const size_t cirrus_state_size;

#endif
