/*
 * block.c - the drives' disk image front end (see block.h) over the block
 * layer (src/block/: image.c opens, locks and picks the format driver).
 *
 * This file adds what the drives need and the formats do not: sector
 * numbers (callers, ide.c and fdc.c, check guest-supplied ones against
 * block_sectors() and this file checks them again), and -snapshot: the
 * image is opened read-only and every written sector lives in a
 * GHashTable (sector number -> 512-byte copy) consulted on reads, for
 * every format alike.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "devices/block.h"

struct BlockDev {
    Image *img;
    uint64_t sectors;
    bool readonly;              /* guest writes refused */
    bool snapshot;              /* writes go to cow */
    GHashTable *cow;            /* -snapshot: guint64 sector -> 512 bytes */
};

bool block_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

BlockDev *block_open(const char *path, bool readonly, bool snapshot, GError **errp)
{
    return block_open_locking(path, readonly, snapshot, BLOCK_LOCKING_AUTO, errp);
}

BlockDev *block_open_locking(const char *path, bool readonly, bool snapshot,
                             BlockLocking locking, GError **errp)
{
    return block_open_format(path, IMAGE_FORMAT_PROBE, readonly, snapshot, locking, errp);
}

BlockDev *block_open_format(const char *path, ImageFormat format, bool readonly, bool snapshot,
                            BlockLocking locking, GError **errp)
{
    Image *img = image_open(path, format, !readonly && !snapshot, locking, errp);
    if (!img)
        return NULL;
    BlockDev *b = g_new0(BlockDev, 1);
    b->img = img;
    b->sectors = img->size / BLOCK_SECTOR_SIZE;
    b->readonly = readonly;
    b->snapshot = snapshot && !readonly;
    if (b->snapshot)
        b->cow = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return b;
}

BlockDev *block_open_drive(const DriveSpec *d, GError **errp)
{
    return block_open_format(d->file, d->format, d->readonly || d->cdrom, d->snapshot,
                             d->locking, errp);
}

/* flushes; closing the file drops its locks */
void block_close(BlockDev *b)
{
    if (!b)
        return;
    image_close(b->img);
    if (b->cow)
        g_hash_table_destroy(b->cow);
    g_free(b);
}

uint64_t block_sectors(const BlockDev *b) { return b->sectors; }
uint64_t block_size(const BlockDev *b) { return b->sectors * BLOCK_SECTOR_SIZE; }
bool block_readonly(const BlockDev *b) { return b->readonly; }
const char *block_path(const BlockDev *b) { return b->img->path; }
const char *block_format(const BlockDev *b) { return image_format_name(b->img); }

unsigned block_sync_count(const BlockDev *b) { return b->img->syncs; }
bool block_locked(const BlockDev *b) { return b->img->locked; }

unsigned block_snapshot_sectors(const BlockDev *b)
{
    return b->cow ? g_hash_table_size(b->cow) : 0;
}

static bool block_range_ok(const BlockDev *b, uint64_t sector, uint32_t count)
{
    return sector <= b->sectors && count <= b->sectors - sector;
}

bool block_read(BlockDev *b, uint64_t sector, void *buf, uint32_t count)
{
    if (!block_range_ok(b, sector, count))
        return false;
    if (!b->cow || g_hash_table_size(b->cow) == 0)
        return image_read(b->img, sector * BLOCK_SECTOR_SIZE, buf,
                          (size_t)count * BLOCK_SECTOR_SIZE);
    uint8_t *p = buf;
    for (uint32_t i = 0; i < count; i++, p += BLOCK_SECTOR_SIZE) {
        gint64 key = (gint64)(sector + i);
        const uint8_t *copy = g_hash_table_lookup(b->cow, &key);
        if (copy)
            memcpy(p, copy, BLOCK_SECTOR_SIZE);
        else if (!image_read(b->img, (sector + i) * BLOCK_SECTOR_SIZE, p, BLOCK_SECTOR_SIZE))
            return false;
    }
    return true;
}

bool block_write(BlockDev *b, uint64_t sector, const void *buf, uint32_t count)
{
    if (b->readonly || !block_range_ok(b, sector, count))
        return false;
    if (!b->cow)
        return image_write(b->img, sector * BLOCK_SECTOR_SIZE, buf,
                           (size_t)count * BLOCK_SECTOR_SIZE);
    const uint8_t *p = buf;
    for (uint32_t i = 0; i < count; i++, p += BLOCK_SECTOR_SIZE) {
        gint64 key = (gint64)(sector + i);
        uint8_t *copy = g_hash_table_lookup(b->cow, &key);
        if (!copy) {
            copy = g_malloc(BLOCK_SECTOR_SIZE);
            g_hash_table_insert(b->cow, g_memdup2(&key, sizeof(key)), copy);
        }
        memcpy(copy, p, BLOCK_SECTOR_SIZE);
    }
    return true;
}

bool block_flush(BlockDev *b)
{
    if (b->readonly || b->cow)
        return true;                            /* nothing of ours in the file */
    return image_flush(b->img);
}
