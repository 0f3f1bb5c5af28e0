/*
 * ide.h - the PIIX3 IDE controller (PCI 00:01.1, 8086:7010) with two
 * legacy channels, ATA disks and ATAPI CD-ROMs, and bus-master DMA (ide.c).
 *
 *   primary    0x1F0-0x1F7, 0x3F6 (device control / alt status)   IRQ 14
 *   secondary  0x170-0x177, 0x376                                   IRQ 15
 *   bus master BAR4: 16 I/O ports (command, status, PRD pointer per channel)
 *
 * Drives come as DriveSpec arguments (devices/block.h; the board makes
 * them from -hda..-hdd, -cdrom, -drive): index 0..3 = primary
 * master/slave, secondary master/slave; DriveSpec.cdrom marks ATAPI
 * CD-ROMs.
 *
 * Example (pc.c):
 *     IDEState *ide = ide_init(&m->bus, pc->pci_bus, &pc->isa_irq[14], &pc->isa_irq[15],
 *                              ide_drives, errp);
 */
#ifndef TX86_IDE_H
#define TX86_IDE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "bus/irq.h"

struct Buses;
struct BlockDev;
typedef struct IDEState IDEState;

/* builds the controller with drives[0..3] (NULL: none; images are opened
 * here: a missing or bad image is an error), registers the legacy ports
 * and, when pci is not NULL, the PCI function 00:01.1 on it; registers
 * itself with the machine (freed and reset with it) */
struct DriveSpec;
struct PCIBus;
IDEState *ide_init(const struct Buses *b, struct PCIBus *pci, IrqLine *irq_primary,
                   IrqLine *irq_secondary, const struct DriveSpec *drives, GError **errp);
void ide_reset(IDEState *s);
void ide_free(IDEState *s);

/* attach an already opened image to drive 0..3 (tests; ide_init uses it);
 * the controller owns the BlockDev afterwards */
void ide_attach(IDEState *s, int index, struct BlockDev *blk, bool cdrom);

/* the monitor's view of drive index 0..3 (query-block, info block) */
typedef struct IDEDriveInfo {
    bool present;               /* a disk, or a CD-ROM drive (with or without medium) */
    bool cdrom;
    bool locked;                /* PREVENT ALLOW MEDIUM REMOVAL */
    struct BlockDev *blk;       /* the medium, NULL: none */
} IDEDriveInfo;
void ide_drive_info(IDEState *s, int index, IDEDriveInfo *info);
/* a CD-ROM drive gets a new medium (blk; NULL: ejected), as the monitor's
 * change and eject do: the guest's next command sees UNIT ATTENTION
 * (medium may have changed).  False with an error if the drive is not a
 * CD-ROM, or is locked by the guest and force is false; blk is then not
 * taken (the caller closes it); otherwise the controller owns it. */
bool ide_change_medium(IDEState *s, int index, struct BlockDev *blk, bool force,
                       GError **errp);

/* the bus-master registers at base .. base+15 (what BAR4 maps); 0 unmaps.
 * ide_init maps them through PCI; tests call it directly. */
void ide_bm_map(IDEState *s, uint16_t base);

/* SeaBIOS's device path of the first configured hard disk (cdrom false)
 * or CD-ROM (true), for fw_cfg's "bootorder", e.g.
 * "/pci@i0cf8/ide@1,1/drive@1/disk@0" (drive@ = channel, disk@ = unit);
 * NULL if there is none.  g_free the result. */
char *ide_boot_path(const char *const file[4], const bool is_cdrom[4], bool cdrom);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc ide_vmsd;
extern const size_t ide_state_size;

#endif
