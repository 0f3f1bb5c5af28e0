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
    /* saved state of the -snapshot overlay (pre_save builds it, post_load
     * reads it back into cow): BLOCK_COW_ENTRY bytes per sector, u64
     * sector number (little-endian) then the 512 bytes, sectors ascending */
    uint8_t *cow_blob;
    uint32_t cow_blob_len;
    uint64_t saved_sectors;     /* the image size the overlay was written on */
};

#define BLOCK_COW_ENTRY (8 + BLOCK_SECTOR_SIZE)
#define BLOCK_OVERLAY_TOO_LARGE UINT64_MAX      /* saved_sectors: not saved */

/* ---- saved state: the -snapshot overlay is machine state (the guest
 * wrote it), the image under it is not (opened read-only, the same file
 * on both sides: the machine's configuration) */

static void block_pre_save(void *opaque);
static bool block_post_load(void *opaque, int version, GError **errp);

static const VMStateField block_snapshot_fields[] = {
    VMS_U64(BlockDev, saved_sectors, 1),
    VMS_BLOB(BlockDev, cow_blob, cow_blob_len, 1),
    VMS_END
};

const VMStateDesc block_snapshot_vmsd = {
    .name = "block-snapshot", .version = 1, .min_version = 1,
    .fields = block_snapshot_fields, .pre_save = block_pre_save,
    .post_load = block_post_load,
};
const size_t block_snapshot_state_size = sizeof(BlockDev);  /* vmstate_check_desc (tests) */

static gint block_cmp_sector(gconstpointer a, gconstpointer b)
{
    gint64 x = **(const gint64 *const *)a, y = **(const gint64 *const *)b;
    return x < y ? -1 : x > y;
}

static void block_pre_save(void *opaque)
{
    BlockDev *b = opaque;
    g_free(b->cow_blob);
    b->cow_blob = NULL;
    b->cow_blob_len = 0;
    b->saved_sectors = b->sectors;
    guint n = b->cow ? g_hash_table_size(b->cow) : 0;
    /* the stream's field sizes are 32 bits: 8 Mi sectors (4 GiB) at most */
    if (!n)
        return;
    if ((uint64_t)n * BLOCK_COW_ENTRY > UINT32_MAX) {
        /* a stream no load accepts rather than one without the overlay */
        g_warning("block %s: the -snapshot overlay (%u sectors) is too large to save",
                  b->img->path, n);
        b->saved_sectors = BLOCK_OVERLAY_TOO_LARGE;
        return;
    }
    GPtrArray *keys = g_ptr_array_sized_new(n);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, b->cow);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, block_cmp_sector);   /* the same overlay, the same bytes */
    b->cow_blob_len = n * BLOCK_COW_ENTRY;
    b->cow_blob = g_malloc(b->cow_blob_len);
    uint8_t *p = b->cow_blob;
    for (guint i = 0; i < n; i++, p += BLOCK_COW_ENTRY) {
        const gint64 *key = g_ptr_array_index(keys, i);
        uint64_t sec = (uint64_t)*key;
        for (int j = 0; j < 8; j++)
            p[j] = (uint8_t)(sec >> (8 * j));
        memcpy(p + 8, g_hash_table_lookup(b->cow, key), BLOCK_SECTOR_SIZE);
    }
    g_ptr_array_free(keys, TRUE);
}

static bool block_post_load(void *opaque, int version, GError **errp)
{
    BlockDev *b = opaque;
    if (!b->cow) {
        g_set_error(errp, VMSTATE_ERROR, 0, "block %s: the stream has a -snapshot overlay, "
                    "this drive is not opened with -snapshot", b->img->path);
        return false;
    }
    if (b->saved_sectors == BLOCK_OVERLAY_TOO_LARGE) {
        g_set_error(errp, VMSTATE_ERROR, 0, "block %s: the -snapshot overlay was too large "
                    "to save (4 GiB at most)", b->img->path);
        return false;
    }
    if (b->saved_sectors != b->sectors) {
        g_set_error(errp, VMSTATE_ERROR, 0, "block %s: the overlay was saved on an image of "
                    "%" G_GUINT64_FORMAT " sectors, this one has %" G_GUINT64_FORMAT,
                    b->img->path, b->saved_sectors, b->sectors);
        return false;
    }
    if (b->cow_blob_len % BLOCK_COW_ENTRY) {
        g_set_error(errp, VMSTATE_ERROR, 0, "block %s: the overlay is %u bytes, not whole "
                    "sectors", b->img->path, b->cow_blob_len);
        return false;
    }
    uint32_t n = b->cow_blob_len / BLOCK_COW_ENTRY;
    /* check everything before the overlay is replaced: ascending sector
     * numbers inside the image (so no sector twice) */
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = b->cow_blob + (size_t)i * BLOCK_COW_ENTRY;
        uint64_t sec = 0, prev = 0;
        for (int j = 7; j >= 0; j--)
            sec = sec << 8 | p[j];
        if (i) {
            for (int j = 7; j >= 0; j--)
                prev = prev << 8 | p[j - (int)BLOCK_COW_ENTRY];
        }
        if (sec >= b->sectors || (i && sec <= prev)) {
            g_set_error(errp, VMSTATE_ERROR, 0, "block %s: overlay entry %u: sector %"
                        G_GUINT64_FORMAT " is %s", b->img->path, i, sec,
                        sec >= b->sectors ? "past the end of the image" : "out of order");
            return false;
        }
    }
    g_hash_table_remove_all(b->cow);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = b->cow_blob + (size_t)i * BLOCK_COW_ENTRY;
        gint64 key = 0;
        for (int j = 7; j >= 0; j--)
            key = (gint64)((uint64_t)key << 8 | p[j]);
        g_hash_table_insert(b->cow, g_memdup2(&key, sizeof(key)),
                            g_memdup2(p + 8, BLOCK_SECTOR_SIZE));
    }
    /* the copy is not needed until the next save */
    g_free(b->cow_blob);
    b->cow_blob = NULL;
    b->cow_blob_len = 0;
    return true;
}

void block_register_state(BlockDev *b, BusHost *host)
{
    if (b && b->snapshot && host)
        host_register_state(host, &block_snapshot_vmsd, b);
}

bool block_overlay(const BlockDev *b)
{
    return b->snapshot;
}

Image *block_image(BlockDev *b)
{
    return b->img;
}

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
    g_free(b->cow_blob);
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
