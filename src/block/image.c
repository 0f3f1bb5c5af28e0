/*
 * image.c - the block layer's common part (see image.h): opening and
 * locking the host file, choosing the format driver (by name or by
 * probing the first bytes), range checks, and the helpers drivers share.
 *
 * Probing: each driver scores the file's first 4 KiB; the best wins, raw
 * (score 1) when none knows the bytes.  QEMU warns when it probes raw and
 * refuses guest writes to sector 0 of such an image (a guest could write a
 * qcow2 header there and name a host file as backing file on the next
 * start); tx86 probes silently and does not restrict sector 0: say
 * format=raw for images a guest you do not trust can write.  A fixed VHD
 * has no header at the start (its footer is at the end) and probes as raw,
 * as in QEMU: say format=vpc.
 *
 * Locks, as QEMU's file-posix driver does it, so that tx86 and QEMU
 * (qemu-system-*, qemu-img) see each other: open file description locks
 * (fcntl F_OFD_SETLK, all of them shared/read locks) on single bytes of
 * the image file.  Byte 100+P says "I use permission P", byte 200+P says
 * "I do not let others use permission P"; P is QEMU's permission bit
 * number (0 consistent read, 1 write, 3 resize).  A writer holds 100, 101,
 * 201, 203; a reader (readonly=on, CD-ROMs, -snapshot, backing files and
 * VMDK extents) holds 100, 201, 203.  Opening tests (F_OFD_GETLK) the
 * opposite bytes held by other open file descriptions: two writers, or a
 * writer and a reader, refuse each other; readers share.  The locks belong
 * to the open file description: the kernel drops them at close or exit.
 * image_lock() takes ours first, then looks for the others' (QEMU's order:
 * two users starting at once may both fail but never both succeed).
 */
#define _GNU_SOURCE                     /* F_OFD_SETLK, F_OFD_GETLK */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "block/image.h"

#define PROBE_BYTES 4096

static const ImageDriver *const drivers[] = {
    &image_raw_driver, &image_qcow2_driver, &image_vmdk_driver, &image_vdi_driver,
    &image_vpc_driver,
};

/* QEMU's lock bytes (RAW_LOCK_PERM_BASE, RAW_LOCK_SHARED_BASE) and
 * permission bit numbers (BLK_PERM_*) */
#define LOCK_PERM_BASE   100
#define LOCK_SHARED_BASE 200
enum { PERM_READ = 0, PERM_WRITE = 1, PERM_RESIZE = 3, PERM_COUNT = 4 };

#define LOCK_HINT "(is another tx86 or QEMU using it? use -snapshot or readonly=on, " \
                  "or locking=off)"

static bool file_error(GError **errp, int err, const char *path, const char *what)
{
    g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(err),
                "disk image '%s': %s", path, what);
    return false;
}

bool image_error(Image *img, GError **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    file_error(errp, EINVAL, img->path, msg);
    g_free(msg);
    return false;
}

/* an OFD lock command on len bytes from off (len 0: to the end and beyond) */
static int lock_range(int fd, int cmd, short type, off_t off, off_t len, struct flock *fl)
{
    memset(fl, 0, sizeof(*fl));
    fl->l_type = type;
    fl->l_whence = SEEK_SET;
    fl->l_start = off;
    fl->l_len = len;
    return fcntl(fd, cmd, fl);
}

/* another open file description holds a lock on byte off: 1 yes, 0 no,
 * -1 the test failed (errno) */
static int lock_held(int fd, off_t off)
{
    struct flock fl;
    if (lock_range(fd, F_OFD_GETLK, F_WRLCK, off, 1, &fl) < 0)
        return -1;
    return fl.l_type != F_UNLCK;
}

/* file systems and kernels without OFD locks answer with these */
static bool lock_unsupported(int err)
{
    return err == EINVAL || err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS;
}

/* Take the lock bytes of a writer or a reader, then refuse if another
 * user's bytes conflict.  On failure the caller closes fd, which drops
 * what was taken.  *locked: the bytes are held. */
static bool image_lock(int fd, const char *path, bool write, BlockLocking locking,
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
        if ((perm >> i & 1) && lock_range(fd, F_OFD_SETLK, F_RDLCK, LOCK_PERM_BASE + i, 1, &fl) < 0)
            err = errno;
        else if ((unshared >> i & 1) &&
                 lock_range(fd, F_OFD_SETLK, F_RDLCK, LOCK_SHARED_BASE + i, 1, &fl) < 0)
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
        file_error(errp, EBUSY, path, msg);
        g_free(msg);
        return false;
    }
    if (err && (locking == BLOCK_LOCKING_ON || !lock_unsupported(err))) {
        gchar *msg = g_strdup_printf("cannot lock the file: %s (use locking=off)",
                                     g_strerror(err));
        file_error(errp, err, path, msg);
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

ImageFormat image_format_by_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(drivers); i++)
        if (name && !strcmp(name, drivers[i]->name))
            return drivers[i]->format;
    return IMAGE_FORMAT_PROBE;
}

const char *image_format_names(void)
{
    return "raw, qcow2, vmdk, vdi, vpc";
}

static const ImageDriver *driver_of(ImageFormat f)
{
    for (size_t i = 0; i < G_N_ELEMENTS(drivers); i++)
        if (drivers[i]->format == f)
            return drivers[i];
    return NULL;
}

ImageFormat image_probe(const uint8_t *head, size_t len)
{
    const ImageDriver *best = &image_raw_driver;
    int score = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(drivers); i++) {
        int s = drivers[i]->probe ? drivers[i]->probe(head, len) : 0;
        if (s > score) {
            score = s;
            best = drivers[i];
        }
    }
    return best->format;
}

const char *image_format_name(const Image *img)
{
    return img->drv->name;
}

static bool image_io(int fd, bool write, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    if (off > (uint64_t)INT64_MAX - len) {
        errno = EINVAL;
        return false;
    }
    while (len) {
        ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;                    /* past the end of the file */
            return false;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

bool image_pread(Image *img, void *buf, size_t len, uint64_t off)
{
    return image_io(img->fd, false, buf, len, off);
}

bool image_pwrite(Image *img, const void *buf, size_t len, uint64_t off)
{
    if (!img->writable) {
        errno = EROFS;
        return false;
    }
    if (img->fail_writes && img->writes >= img->fail_writes) {
        errno = EIO;
        return false;
    }
    img->writes++;
    return image_io(img->fd, true, (void *)buf, len, off);
}

bool image_sync(Image *img)
{
    if (!img->writable)
        return true;
    img->syncs++;
    return fdatasync(img->fd) == 0 || errno == EINVAL || errno == EROFS;
}

char *image_relative_path(const Image *img, const char *name)
{
    if (g_path_is_absolute(name))
        return g_strdup(name);
    gchar *dir = g_path_get_dirname(img->path);
    gchar *p = g_build_filename(dir, name, NULL);
    g_free(dir);
    return p;
}

static Image *image_open_depth(const char *path, ImageFormat format, bool writable,
                               BlockLocking locking, int depth, GError **errp)
{
    if (!path || !*path) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "disk image: empty file name");
        return NULL;
    }
    int fd = open(path, writable ? O_RDWR : O_RDONLY);
    if (fd < 0 && writable && (errno == EACCES || errno == EROFS)) {
        int e = errno;
        gchar *msg = g_strdup_printf("cannot open for writing: %s (use readonly=on or "
                                     "-snapshot)", g_strerror(e));
        file_error(errp, e, path, msg);
        g_free(msg);
        return NULL;
    }
    if (fd < 0) {
        int e = errno;
        gchar *msg = e == EISDIR ? g_strdup("is a directory")
                                 : g_strdup_printf("cannot open: %s", g_strerror(e));
        file_error(errp, e, path, msg);
        g_free(msg);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        file_error(errp, e, path, g_strerror(e));
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
    if (!bad && size == 0)
        bad = "is empty";
    if (bad) {
        close(fd);
        file_error(errp, EINVAL, path, bad);
        return NULL;
    }
    bool locked;
    if (!image_lock(fd, path, writable, locking, &locked, errp)) {
        close(fd);
        return NULL;
    }
    /* the first bytes: probing, and an unreadable file (EIO) is told now */
    uint8_t head[PROBE_BYTES];
    size_t hlen = (size_t)MIN(size, (uint64_t)sizeof(head));
    if (!image_io(fd, false, head, hlen, 0)) {
        int e = errno ? errno : EIO;
        close(fd);
        file_error(errp, e, path, "cannot read the first sector");
        return NULL;
    }
    Image *img = g_new0(Image, 1);
    img->path = g_strdup(path);
    img->fd = fd;
    img->file_size = size;
    img->writable = writable;
    img->locked = locked;
    img->locking = locking;
    img->depth = depth;
    img->drv = driver_of(format == IMAGE_FORMAT_PROBE ? image_probe(head, hlen) : format);
    if (!img->drv) {
        image_error(img, errp, "unknown image format");
        goto fail;
    }
    if (writable && !img->drv->writable) {
        image_error(img, errp, "tx86 reads %s images but does not write them: use -snapshot "
                    "or readonly=on, or a qcow2 overlay (qemu-img create -f qcow2 -b %s "
                    "-F %s overlay.qcow2)", img->drv->name, path, img->drv->name);
        goto fail;
    }
    if (!img->drv->open(img, errp)) {
        img->drv = NULL;                        /* the driver freed its state */
        goto fail;
    }
    if (img->size == 0 || img->size % 512) {
        image_error(img, errp, "%s virtual size %llu bytes is %s", img->drv->name,
                    (unsigned long long)img->size,
                    img->size ? "not a multiple of 512" : "zero");
        goto fail;
    }
    return img;
fail:
    image_close(img);
    return NULL;
}

Image *image_open(const char *path, ImageFormat format, bool writable, BlockLocking locking,
                  GError **errp)
{
    return image_open_depth(path, format, writable, locking, 0, errp);
}

Image *image_open_backing(const Image *parent, const char *role, const char *path,
                          ImageFormat format, GError **errp)
{
    if (parent->depth + 1 >= IMAGE_MAX_DEPTH) {
        file_error(errp, ELOOP, parent->path,
                   "chain of backing files or extents longer than 16 images (a loop?)");
        return NULL;
    }
    GError *err = NULL;
    Image *img = image_open_depth(path, format, false, parent->locking, parent->depth + 1, &err);
    if (!img && parent->depth > 0) {
        g_propagate_error(errp, err);           /* named once, by the drive's image */
    } else if (!img) {
        g_set_error(errp, G_FILE_ERROR, err->code, "disk image '%s': %s: %s",
                    parent->path, role, err->message);
        g_error_free(err);
    }
    return img;
}

void image_close(Image *img)
{
    if (!img)
        return;
    if (img->drv) {
        img->drv->close(img);
        image_sync(img);
    }
    close(img->fd);
    g_free(img->path);
    g_free(img);
}

static bool image_range_ok(const Image *img, uint64_t off, size_t len)
{
    return off % 512 == 0 && len % 512 == 0 && off <= img->size && len <= img->size - off;
}

bool image_read(Image *img, uint64_t off, void *buf, size_t len)
{
    return image_range_ok(img, off, len) && (len == 0 || img->drv->read(img, off, buf, len));
}

bool image_write(Image *img, uint64_t off, const void *buf, size_t len)
{
    if (!img->writable || !image_range_ok(img, off, len))
        return false;
    return len == 0 || img->drv->write(img, off, buf, len);
}

bool image_flush(Image *img)
{
    if (!img->writable)
        return true;
    if (img->drv->flush && !img->drv->flush(img))
        return false;
    return image_sync(img);
}

/* ---- internal snapshots: the driver's, after the common checks ---- */

bool image_supports_snapshots(const Image *img)
{
    return img->drv->snapshot_list != NULL;
}

static bool snapshot_check(Image *img, bool write, GError **errp)
{
    if (!image_supports_snapshots(img))
        return image_error(img, errp, "format %s has no internal snapshots", img->drv->name);
    if (write && !img->writable)
        return image_error(img, errp, "opened read-only: cannot change its snapshots");
    return true;
}

bool image_snapshot_create(Image *img, const char *name, const void *vmstate,
                           size_t vmstate_len, uint64_t vm_clock_nsec, GError **errp)
{
    if (!snapshot_check(img, true, errp))
        return false;
    if (!name || !*name || strlen(name) > 0xffff)
        return image_error(img, errp, "a snapshot needs a name of 1 to 65535 bytes");
    if (!image_flush(img))
        return image_error(img, errp, "cannot flush before the snapshot: %s", g_strerror(errno));
    return img->drv->snapshot_create(img, name, vmstate, vmstate_len, vm_clock_nsec, errp);
}

bool image_snapshot_goto(Image *img, const char *name_or_id, GError **errp)
{
    return snapshot_check(img, true, errp) && img->drv->snapshot_goto(img, name_or_id, errp);
}

bool image_snapshot_read_vmstate(Image *img, const char *name_or_id, GByteArray *out,
                                 GError **errp)
{
    return snapshot_check(img, false, errp) &&
           img->drv->snapshot_read_vmstate(img, name_or_id, out, errp);
}

bool image_snapshot_delete(Image *img, const char *name_or_id, GError **errp)
{
    return snapshot_check(img, true, errp) && img->drv->snapshot_delete(img, name_or_id, errp);
}

int image_snapshot_list(Image *img, ImageSnapshotInfo **out)
{
    *out = NULL;
    return image_supports_snapshots(img) ? img->drv->snapshot_list(img, out) : 0;
}

void image_snapshot_list_free(ImageSnapshotInfo *l, int n)
{
    for (int i = 0; l && i < n; i++)
        g_free(l[i].name);
    g_free(l);
}
