/*
 * block.c - raw disk image back end (see block.h).
 *
 * The image is a plain host file (format=raw, the only format).  Sectors
 * are 512 bytes; callers (ide.c, fdc.c) check guest-supplied sector
 * numbers against block_sectors() and this file checks them again.
 * -snapshot: the file is opened read-only and every written sector lives
 * in a GHashTable (sector number -> 512-byte copy) consulted on reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "devices/block.h"

struct BlockDev {
    char *path;
    int fd;
    uint64_t sectors;
    bool readonly;              /* guest writes refused */
    bool snapshot;              /* writes go to cow */
    GHashTable *cow;            /* -snapshot: guint64 sector -> 512 bytes */
};

static gboolean block_error(GError **errp, int err, const char *path, const char *what)
{
    g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(err),
                "disk image '%s': %s", path, what);
    return FALSE;
}

BlockDev *block_open(const char *path, bool readonly, bool snapshot, GError **errp)
{
    if (!path || !*path) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "disk image: empty file name");
        return NULL;
    }
    int fd = open(path, (readonly || snapshot) ? O_RDONLY : O_RDWR);
    if (fd < 0 && !readonly && !snapshot && (errno == EACCES || errno == EROFS)) {
        gchar *msg = g_strdup_printf("cannot open for writing: %s (use readonly=on or "
                                     "-snapshot)", g_strerror(errno));
        block_error(errp, errno, path, msg);
        g_free(msg);
        return NULL;
    }
    if (fd < 0 && errno == EISDIR) {
        block_error(errp, EISDIR, path, "is a directory");
        return NULL;
    }
    if (fd < 0) {
        int e = errno;
        gchar *msg = g_strdup_printf("cannot open: %s", g_strerror(e));
        block_error(errp, e, path, msg);
        g_free(msg);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        block_error(errp, e, path, g_strerror(e));
        return NULL;
    }
    const char *bad = NULL;
    if (S_ISDIR(st.st_mode))
        bad = "is a directory";
    else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        bad = "is not a regular file";
    uint64_t size = (uint64_t)st.st_size;
    if (!bad && S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        size = end > 0 ? (uint64_t)end : 0;
    }
    gchar *msg = NULL;
    if (!bad && size == 0)
        bad = "is empty";
    else if (!bad && size % BLOCK_SECTOR_SIZE)
        bad = msg = g_strdup_printf("size %llu bytes is not a multiple of 512 "
                                    "(not a raw disk image?)", (unsigned long long)size);
    if (bad) {
        close(fd);
        block_error(errp, EINVAL, path, bad);
        g_free(msg);
        return NULL;
    }
    /* a first read tells an unreadable file (EIO, EISDIR) at start-up */
    uint8_t probe[BLOCK_SECTOR_SIZE];
    if (pread(fd, probe, sizeof(probe), 0) != (ssize_t)sizeof(probe)) {
        int e = errno ? errno : EIO;
        close(fd);
        block_error(errp, e, path, "cannot read the first sector");
        return NULL;
    }
    BlockDev *b = g_new0(BlockDev, 1);
    b->path = g_strdup(path);
    b->fd = fd;
    b->sectors = size / BLOCK_SECTOR_SIZE;
    b->readonly = readonly;
    b->snapshot = snapshot && !readonly;
    if (b->snapshot)
        b->cow = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return b;
}

void block_close(BlockDev *b)
{
    if (!b)
        return;
    block_flush(b);
    close(b->fd);
    if (b->cow)
        g_hash_table_destroy(b->cow);
    g_free(b->path);
    g_free(b);
}

uint64_t block_sectors(const BlockDev *b) { return b->sectors; }
uint64_t block_size(const BlockDev *b) { return b->sectors * BLOCK_SECTOR_SIZE; }
bool block_readonly(const BlockDev *b) { return b->readonly; }
const char *block_path(const BlockDev *b) { return b->path; }

unsigned block_snapshot_sectors(const BlockDev *b)
{
    return b->cow ? g_hash_table_size(b->cow) : 0;
}

static bool block_range_ok(const BlockDev *b, uint64_t sector, uint32_t count)
{
    return sector <= b->sectors && count <= b->sectors - sector;
}

static bool block_pio(int fd, bool write, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

bool block_read(BlockDev *b, uint64_t sector, void *buf, uint32_t count)
{
    if (!block_range_ok(b, sector, count))
        return false;
    if (!b->cow || g_hash_table_size(b->cow) == 0)
        return block_pio(b->fd, false, buf, (size_t)count * BLOCK_SECTOR_SIZE,
                         sector * BLOCK_SECTOR_SIZE);
    uint8_t *p = buf;
    for (uint32_t i = 0; i < count; i++, p += BLOCK_SECTOR_SIZE) {
        gint64 key = (gint64)(sector + i);
        const uint8_t *copy = g_hash_table_lookup(b->cow, &key);
        if (copy)
            memcpy(p, copy, BLOCK_SECTOR_SIZE);
        else if (!block_pio(b->fd, false, p, BLOCK_SECTOR_SIZE, (sector + i) * BLOCK_SECTOR_SIZE))
            return false;
    }
    return true;
}

bool block_write(BlockDev *b, uint64_t sector, const void *buf, uint32_t count)
{
    if (b->readonly || !block_range_ok(b, sector, count))
        return false;
    if (!b->cow)
        return block_pio(b->fd, true, (void *)buf, (size_t)count * BLOCK_SECTOR_SIZE,
                         sector * BLOCK_SECTOR_SIZE);
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
        return true;
    return fdatasync(b->fd) == 0 || errno == EINVAL || errno == EROFS;
}
