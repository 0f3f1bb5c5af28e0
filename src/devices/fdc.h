/*
 * fdc.h - the Intel 82077AA floppy disk controller at 0x3F0-0x3F5 and
 * 0x3F7, IRQ 6, ISA DMA channel 2, with up to two drives (fdc.c).
 *
 * Drives come as DriveSpec arguments (devices/block.h; the board makes
 * them from -fda/-fdb); the image size gives the geometry: 1.44 MB
 * (80/2/18), 720 KB (80/2/9), and the 1.2 MB, 360 KB and 2.88 MB formats.
 *
 * Example (pc.c):
 *     I8237State *dma = i8237_init(&m->bus);
 *     FDCState *fdc = fdc_init(&m->bus, 0x3f0, &pc->isa_irq[6], dma, 2, fd_drives, errp);
 */
#ifndef TX86_FDC_H
#define TX86_FDC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "bus/irq.h"

struct Buses;
struct BlockDev;
struct I8237State;
typedef struct FDCState FDCState;

/* drives[0..1]: the images (NULL: none) */
struct DriveSpec;
FDCState *fdc_init(const struct Buses *b, uint16_t base, IrqLine *irq,
                   struct I8237State *dma, int dma_chan, const struct DriveSpec *drives,
                   GError **errp);
void fdc_reset(FDCState *s);
void fdc_free(FDCState *s);
/* attach an opened image to drive 0/1 (tests; fdc_init uses it); false
 * with an error if its size is not a floppy format.  The controller owns
 * blk afterwards (on failure too). */
bool fdc_attach(FDCState *s, int drive, struct BlockDev *blk, GError **errp);

/* the medium of drive 0/1 (NULL: none), for the monitor */
struct BlockDev *fdc_medium(FDCState *s, int drive);
/* a new medium (blk, NULL: ejected) in drive 0/1, as the monitor's
 * change and eject do: the disk change line (DIR bit 7) goes on.  False
 * with an error if blk's size is not a floppy format (blk is closed). */
bool fdc_change_medium(FDCState *s, int drive, struct BlockDev *blk, GError **errp);

/* CMOS drive type for an image of that many bytes: 1 = 360 KB, 2 = 1.2 MB,
 * 3 = 720 KB, 4 = 1.44 MB, 5 = 2.88 MB, 0 = not a floppy size */
uint8_t fdc_cmos_type_for_size(uint64_t bytes);
/* the CMOS byte 0x10 for the -fda/-fdb images (NULL: none; drive A in
 * the high nibble, B in the low one; a missing or odd image counts as
 * none).  Works on the file names alone (stat), so the RTC can call it
 * before or after fdc_init. */
uint8_t fdc_cmos_drive_types(const char *const fd_file[2]);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc fdc_vmsd;
extern const size_t fdc_state_size;

#endif
