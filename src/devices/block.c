/*
 * block.c - raw disk image back end (see block.h).
 *
 * The image is a plain host file (format=raw, the only format).  Sectors
 * are 512 bytes; callers (ide.c, fdc.c) check guest-supplied sector
 * numbers against block_sectors() and this file checks them again.
 * -snapshot: the file is opened read-only and every written sector lives
 * in a GHashTable (sector number -> 512-byte copy) consulted on reads.
 * Locks: block.h says which bytes; block_lock() takes ours first, then
 * looks for the others' (the order QEMU uses, so two users starting at
 * once may both fail but never both succeed).
 */
#define _GNU_SOURCE                     /* F_OFD_SETLK, F_OFD_GETLK */
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
    bool locked;                /* holds the lock bytes */
    unsigned syncs;             /* fdatasync() calls (tests) */
    GHashTable *cow;            /* -snapshot: guint64 sector -> 512 bytes */
};

/* QEMU's lock bytes (block/file-posix.c: RAW_LOCK_PERM_BASE and
 * RAW_LOCK_SHARED_BASE) and permission bit numbers (BLK_PERM_*) */
#define LOCK_PERM_BASE   100
#define LOCK_SHARED_BASE 200
enum { PERM_READ = 0, PERM_WRITE = 1, PERM_RESIZE = 3, PERM_COUNT = 4 };

#define LOCK_HINT "(is another tx86 or QEMU using it? use -snapshot or readonly=on, " \
                  "or locking=off)"

static gboolean block_error(GError **errp, int err, const char *path, const char *what)
{
    g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(err),
                "disk image '%s': %s", path, what);
    return FALSE;
}

/* an OFD lock command on len bytes from off (len 0: to the end and
 * beyond) */
static int lock_range(int fd, int cmd, short type, off_t off, off_t len, struct flock *fl)
{
    memset(fl, 0, sizeof(*fl));
    fl->l_type = type;
    fl->l_whence = SEEK_SET;
    fl->l_start = off;
    fl->l_len = len;
    return fcntl(fd, cmd, fl);
}

static int lock_byte(int fd, int cmd, short type, off_t off, struct flock *fl)
{
    return lock_range(fd, cmd, type, off, 1, fl);
}

/* another open file description holds a lock on byte off: 1 yes, 0 no,
 * -1 the test failed (errno) */
static int lock_held(int fd, off_t off)
{
    struct flock fl;
    if (lock_byte(fd, F_OFD_GETLK, F_WRLCK, off, &fl) < 0)
        return -1;
    return fl.l_type != F_UNLCK;
}

/* file systems and kernels without OFD locks answer with these */
static bool lock_unsupported(int err)
{
    return err == EINVAL || err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS;
}

/* Take the lock bytes of a writer or a reader (block.h), then refuse if
 * another user's bytes conflict.  On failure the caller closes fd, which
 * drops what was taken.  *locked: the bytes are held. */
static bool block_lock(int fd, const char *path, bool write, BlockLocking locking,
                       bool *locked, GError **errp)
{
    unsigned perm = 1u << PERM_READ | (write ? 1u << PERM_WRITE : 0);
    unsigned unshared = 1u << PERM_WRITE | 1u << PERM_RESIZE;
    *locked = false;
    if (locking == BLOCK_LOCKING_OFF)
        return true;
    struct flock fl;
    int err = 0;
    for (int i = 0; i < PERM_COUNT && !err; i++) {
        if ((perm >> i & 1) && lock_byte(fd, F_OFD_SETLK, F_RDLCK, LOCK_PERM_BASE + i, &fl) < 0)
            err = errno;
        else if ((unshared >> i & 1) &&
                 lock_byte(fd, F_OFD_SETLK, F_RDLCK, LOCK_SHARED_BASE + i, &fl) < 0)
            err = errno;
    }
    const char *why = NULL;
    if (!err) {
        /* our permissions against others' "not shared" bytes, and our
         * "not shared" bytes against others' permissions */
        static const struct { bool if_write; off_t byte; const char *why; } checks[] = {
            { false, LOCK_PERM_BASE + PERM_WRITE, "locked for writing by another process" },
            { true, LOCK_SHARED_BASE + PERM_WRITE,
              "open by another process that does not allow writers" },
            { false, LOCK_SHARED_BASE + PERM_READ,
              "open by another process that does not allow readers" },
            { false, LOCK_PERM_BASE + PERM_RESIZE, "being resized by another process" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(checks) && !why && !err; i++) {
            if (checks[i].if_write && !write)
                continue;
            int held = lock_held(fd, checks[i].byte);
            if (held < 0)
                err = errno;
            else if (held)
                why = checks[i].why;
        }
    }
    if (err == EAGAIN || err == EACCES)         /* someone write-locked our byte */
        why = "locked by another process";
    if (why) {
        gchar *msg = g_strdup_printf("%s " LOCK_HINT, why);
        block_error(errp, EBUSY, path, msg);
        g_free(msg);
        return false;
    }
    if (err && (locking == BLOCK_LOCKING_ON || !lock_unsupported(err))) {
        gchar *msg = g_strdup_printf("cannot lock the file: %s (use locking=off)",
                                     g_strerror(err));
        block_error(errp, err, path, msg);
        g_free(msg);
        return false;
    }
    if (err) {                                  /* auto: go on without locks */
        lock_range(fd, F_OFD_SETLK, F_UNLCK, 0, 0, &fl);
        return true;
    }
    *locked = true;
    return true;
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
    bool locked;
    if (!block_lock(fd, path, !readonly && !snapshot, locking, &locked, errp)) {
        close(fd);
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
    b->locked = locked;
    if (b->snapshot)
        b->cow = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return b;
}

/* flushes, then closing the file drops its locks */
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

unsigned block_sync_count(const BlockDev *b) { return b->syncs; }
bool block_locked(const BlockDev *b) { return b->locked; }

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
        return true;                            /* nothing of ours in the file */
    b->syncs++;
    return fdatasync(b->fd) == 0 || errno == EINVAL || errno == EROFS;
}
