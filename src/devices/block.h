/*
 * block.h - the drives' disk image front end shared by the IDE disks, the
 * ATAPI CD-ROM and the floppy drives (block.c), over the block layer
 * (block/image.h: the image formats raw, qcow2, vmdk, vdi, vpc, and the
 * QEMU-style image locks).
 *
 * A drive's image is read and written in 512-byte sectors.  Opened
 * read-only (readonly=on, CD-ROMs, read-only files) writes fail; with
 * -snapshot the image is opened read-only and written sectors are kept in
 * memory (a hash table sector -> 512 bytes), so the guest sees its writes
 * and the image file never changes, whatever its format.  The format is
 * -drive format= or probed from the file's first bytes (docs/block.md).
 *
 * Data safety: a write returns after the format driver has put the
 * sectors (and any metadata they needed) in the host file (no cache of
 * dirty data in tx86; the guest's command completes after that), so
 * killing tx86 loses nothing the guest saw written; block_flush() (the
 * guest's FLUSH CACHE) is fdatasync(), which makes them survive a host
 * crash too.
 *
 * Example:
 *     BlockDev *b = block_open("disk.img", false, false, &err);
 *     uint8_t buf[512];
 *     block_read(b, 0, buf, 1);          // sector 0
 *     block_write(b, 1, buf, 1);
 *     block_close(b);                    // flushes
 */
#ifndef TX86_BLOCK_H
#define TX86_BLOCK_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "block/image.h"
#include "bus/host.h"
#include "bus/vmstate.h"

#define BLOCK_SECTOR_SIZE 512

typedef struct BlockDev BlockDev;

/* Errors are clear one-liners naming the file: missing, unreadable, a
 * directory, empty, not a multiple of 512 bytes (raw), a malformed or
 * unsupported image, or locked by another user.  block_open() probes the
 * format and locks with BLOCK_LOCKING_AUTO. */
BlockDev *block_open(const char *path, bool readonly, bool snapshot, GError **errp);
BlockDev *block_open_locking(const char *path, bool readonly, bool snapshot,
                             BlockLocking locking, GError **errp);
BlockDev *block_open_format(const char *path, ImageFormat format, bool readonly, bool snapshot,
                            BlockLocking locking, GError **errp);

/* a drive as the board configures it for a disk controller (ide_init,
 * fdc_init): the image and how to open it; file NULL = no image (an
 * empty CD-ROM drive when cdrom) */
typedef struct DriveSpec {
    const char *file;
    bool readonly;
    bool cdrom;                 /* IDE: an ATAPI CD-ROM (opened read-only) */
    bool snapshot;              /* -snapshot: writes kept in memory */
    BlockLocking locking;
    ImageFormat format;         /* -drive format=; 0: probed */
} DriveSpec;
/* a drive's image as DriveSpec says (file must not be NULL); a CD-ROM is
 * opened read-only */
BlockDev *block_open_drive(const DriveSpec *d, GError **errp);
/* the same file (device and inode) by whatever path; false if either
 * cannot be stat()ed */
bool      block_same_file(const char *a, const char *b);
void      block_close(BlockDev *b);

uint64_t  block_sectors(const BlockDev *b);     /* image size / 512 */
uint64_t  block_size(const BlockDev *b);        /* bytes */
bool      block_readonly(const BlockDev *b);    /* writes refused */
const char *block_path(const BlockDev *b);
const char *block_format(const BlockDev *b);    /* "raw", "qcow2", ... */
bool      block_overlay(const BlockDev *b);     /* -snapshot: writes kept in memory */
Image    *block_image(BlockDev *b);             /* the image (internal snapshots) */

/* whole sectors; false on a host I/O error, a range past the end, or a
 * write to a read-only image (nothing is written then) */
bool block_read(BlockDev *b, uint64_t sector, void *buf, uint32_t count);
bool block_write(BlockDev *b, uint64_t sector, const void *buf, uint32_t count);
bool block_flush(BlockDev *b);
/* sectors kept in memory by -snapshot (tests) */
unsigned block_snapshot_sectors(const BlockDev *b);
/* fdatasync() calls block_flush() made (tests) */
unsigned block_sync_count(const BlockDev *b);
/* whether the image holds QEMU-style locks (tests) */
bool block_locked(const BlockDev *b);

/* saved state: with -snapshot the overlay (the sectors the guest wrote)
 * is machine state, section "block-snapshot" (bus/vmstate.h): the image
 * size it was written on and every written sector, ascending.  The owner
 * that opens the drive and has the machine's services registers it
 * (nothing is registered without -snapshot: the image file is the state
 * then).  post_load refuses an overlay of another image size, sectors
 * past the end or out of order, and a drive without -snapshot. */
extern const VMStateDesc block_snapshot_vmsd;
extern const size_t block_snapshot_state_size;
void block_register_state(BlockDev *b, BusHost *host);

#endif
