/*
 * block.h - raw disk image back end shared by the IDE disks, the ATAPI
 * CD-ROM and the floppy drives (block.c).
 *
 * An image is a host file read and written in 512-byte sectors with
 * pread/pwrite.  Opened read-only (readonly=on, CD-ROMs, read-only files)
 * writes fail; with -snapshot the file is opened read-only and written
 * sectors are kept in memory (a hash table sector -> 512 bytes), so the
 * guest sees its writes and the image file never changes.
 *
 * Locking, as QEMU's file-posix driver does it, so that tx86 and QEMU
 * (qemu-system-*, qemu-img) see each other: open file description locks
 * (fcntl F_OFD_SETLK, all of them shared/read locks) on single bytes of
 * the image.  Byte 100+P says "I use permission P", byte 200+P says "I do
 * not let others use permission P"; P is QEMU's permission bit number
 * (0 consistent read, 1 write, 3 resize).  A writer holds 100, 101, 201,
 * 203; a reader (readonly=on, CD-ROMs, -snapshot) holds 100, 201, 203.
 * Opening tests (F_OFD_GETLK) the opposite bytes held by other open file
 * descriptions: two writers, or a writer and a reader, refuse each other;
 * readers share.  As the locks belong to the open file description, two
 * drives of one tx86 on the same file conflict the same way, and the
 * kernel drops them when the file is closed or tx86 dies.
 *
 * Data safety: a write returns after pwrite() has put the sectors in the
 * host file (no cache in tx86; the guest's command completes after that),
 * so killing tx86 loses nothing the guest saw written; block_flush() (the
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

#define BLOCK_SECTOR_SIZE 512

typedef struct BlockDev BlockDev;

/* -drive locking=: QEMU's values */
typedef enum BlockLocking {
    BLOCK_LOCKING_AUTO,     /* lock; a file system without OFD locks: no lock */
    BLOCK_LOCKING_ON,       /* lock; failing to lock is an error */
    BLOCK_LOCKING_OFF,      /* no lock, no check */
} BlockLocking;

/* Errors are clear one-liners naming the file: missing, unreadable, a
 * directory, empty, not a multiple of 512 bytes, or locked by another
 * user.  block_open() locks with BLOCK_LOCKING_AUTO. */
BlockDev *block_open(const char *path, bool readonly, bool snapshot, GError **errp);
BlockDev *block_open_locking(const char *path, bool readonly, bool snapshot,
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
} DriveSpec;
/* the same file (device and inode) by whatever path; false if either
 * cannot be stat()ed */
bool      block_same_file(const char *a, const char *b);
void      block_close(BlockDev *b);

uint64_t  block_sectors(const BlockDev *b);     /* image size / 512 */
uint64_t  block_size(const BlockDev *b);        /* bytes */
bool      block_readonly(const BlockDev *b);    /* writes refused */
const char *block_path(const BlockDev *b);

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

#endif
