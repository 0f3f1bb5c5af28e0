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

/* Errors are clear one-liners naming the file: missing, unreadable, a
 * directory, empty, or not a multiple of 512 bytes. */
BlockDev *block_open(const char *path, bool readonly, bool snapshot, GError **errp);
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

#endif
