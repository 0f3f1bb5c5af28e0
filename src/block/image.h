/*
 * image.h - the block layer: disk image files of several formats behind
 * one byte-addressed interface (image.c), used by the devices' drive front
 * end (devices/block.c) and by the format drivers themselves (a qcow2
 * image's backing file is an Image of any format).
 *
 * Layering: block sits on util only; devices use it (scripts/check-layers.sh).
 * An Image is a host file (locked as QEMU does, see image.c) plus a format
 * driver (ImageDriver) chosen by name (-drive format=) or probed from the
 * file's first bytes:
 *
 *   raw    raw.c     the file is the disk                 read-write
 *   qcow2  qcow2.c   QEMU copy-on-write v2 and v3         read-write
 *   vmdk   vmdk.c    VMware monolithic sparse and flat    read-only
 *   vdi    vdi.c     VirtualBox static and dynamic        read-only
 *   vpc    vpc.c     Virtual PC / VHD fixed and dynamic   read-only
 *
 * Offsets and lengths are bytes, multiples of 512 (the devices' sectors);
 * the virtual size is a multiple of 512 too (drivers refuse other sizes).
 * A driver gets only in-range requests (image.c checks them).  Reads and
 * writes return false on a host I/O error or on metadata that points
 * outside the file: the guest then sees an I/O error.  Opening checks the
 * header and bounds every table allocation by the file's size, so a
 * malformed image gives a one-line error naming the file, never a crash.
 *
 * Example:
 *     Image *img = image_open("disk.qcow2", IMAGE_FORMAT_PROBE, true,
 *                             BLOCK_LOCKING_AUTO, &err);
 *     image_read(img, 0, buf, 512);
 *     image_close(img);             // flushes; qcow2: clears the dirty bit
 */
#ifndef TX86_BLOCK_IMAGE_H
#define TX86_BLOCK_IMAGE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/* -drive locking=: QEMU's values */
typedef enum BlockLocking {
    BLOCK_LOCKING_AUTO,     /* lock; a file system without OFD locks: no lock */
    BLOCK_LOCKING_ON,       /* lock; failing to lock is an error */
    BLOCK_LOCKING_OFF,      /* no lock, no check */
} BlockLocking;

/* -drive format=; PROBE (0) looks at the file's first bytes */
typedef enum ImageFormat {
    IMAGE_FORMAT_PROBE,
    IMAGE_FORMAT_RAW,
    IMAGE_FORMAT_QCOW2,
    IMAGE_FORMAT_VMDK,
    IMAGE_FORMAT_VDI,
    IMAGE_FORMAT_VPC,
    IMAGE_FORMAT_COUNT,
} ImageFormat;

typedef struct Image Image;

/* one internal snapshot (image_snapshot_list) */
typedef struct ImageSnapshotInfo {
    char id[16];                /* "1", "2", ... (QEMU's id_str) */
    char *name;
    uint64_t vm_state_size;     /* bytes of machine state, 0: disk only */
    uint64_t date_sec;          /* wall clock when taken */
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;     /* guest clock when taken */
    uint64_t icount;            /* UINT64_MAX: not recorded */
} ImageSnapshotInfo;

/* a format: probe scores the first bytes of a file (0: not mine; raw
 * answers 1, a magic number 100); open reads and checks the metadata and
 * sets img->size; read/write/flush/close as for the image_ calls */
typedef struct ImageDriver {
    const char *name;
    ImageFormat format;
    bool writable;                              /* false: read-only format */
    int  (*probe)(const uint8_t *head, size_t len);
    bool (*open)(Image *img, GError **errp);
    bool (*read)(Image *img, uint64_t off, void *buf, size_t len);
    bool (*write)(Image *img, uint64_t off, const void *buf, size_t len);
    bool (*flush)(Image *img);
    void (*close)(Image *img);
    /* internal snapshots (NULL: the format has none); image.c checks
     * that the image is writable before create, goto and delete */
    bool (*snapshot_create)(Image *img, const char *name, const void *vmstate,
                            size_t vmstate_len, uint64_t vm_clock_nsec, GError **errp);
    bool (*snapshot_goto)(Image *img, const char *name_or_id, GError **errp);
    bool (*snapshot_read_vmstate)(Image *img, const char *name_or_id, GByteArray *out,
                                  GError **errp);
    bool (*snapshot_delete)(Image *img, const char *name_or_id, GError **errp);
    int  (*snapshot_list)(Image *img, ImageSnapshotInfo **out);
} ImageDriver;

/* what a driver sees of its image */
struct Image {
    const ImageDriver *drv;
    char *path;
    int fd;
    uint64_t file_size;         /* host file bytes at open */
    uint64_t size;              /* virtual disk bytes (the driver sets it) */
    bool writable;              /* opened for writing */
    bool locked;                /* holds QEMU-style lock bytes */
    BlockLocking locking;       /* for the files it opens (backing, extents) */
    int depth;                  /* backing chain depth (0: the drive's image) */
    unsigned syncs;             /* fdatasync() calls (tests) */
    uint64_t writes;            /* image_pwrite() calls (tests) */
    uint64_t fail_writes;       /* tests: from this many writes on, each fails with
                                 * EIO, as if the host had crashed; 0: never */
    void *opaque;               /* the driver's state */
};

/* deepest backing chain image_open_backing() follows */
#define IMAGE_MAX_DEPTH 16

Image *image_open(const char *path, ImageFormat format, bool writable, BlockLocking locking,
                  GError **errp);
/* a file an image refers to (role: "backing file", "extent"): read-only,
 * reader locks, one level deeper than parent; errors name both files */
Image *image_open_backing(const Image *parent, const char *role, const char *path,
                          ImageFormat format, GError **errp);
void   image_close(Image *img);
bool   image_read(Image *img, uint64_t off, void *buf, size_t len);
bool   image_write(Image *img, uint64_t off, const void *buf, size_t len);
bool   image_flush(Image *img);
const char *image_format_name(const Image *img);

/* Internal snapshots (qcow2 only; other formats answer "format X has no
 * internal snapshots").  A snapshot is the disk's contents at one moment
 * plus an optional blob of machine state (the savevm stream), stored in
 * the image as QEMU does it, so `qemu-img snapshot -l` lists tx86's
 * snapshots and tx86 opens QEMU's.  name_or_id: the id ("1") is tried
 * first, then the name.  All return false with *errp set on failure; an
 * I/O error half way may leave leaked clusters (`qemu-img check -r
 * leaks`), never a snapshot that points at freed data.
 *   create        flushes, then stores the disk and vmstate under name,
 *                 replacing a snapshot of that name (as QEMU's savevm does)
 *   goto          the disk's contents become the snapshot's (loadvm)
 *   read_vmstate  the snapshot's machine state, appended to out
 *   delete        forgets the snapshot and frees what only it used
 *   list          count (0 for formats without snapshots), *out an array
 *                 to free with image_snapshot_list_free; -1 on error */
bool image_snapshot_create(Image *img, const char *name, const void *vmstate,
                           size_t vmstate_len, uint64_t vm_clock_nsec, GError **errp);
bool image_snapshot_goto(Image *img, const char *name_or_id, GError **errp);
bool image_snapshot_read_vmstate(Image *img, const char *name_or_id, GByteArray *out,
                                 GError **errp);
bool image_snapshot_delete(Image *img, const char *name_or_id, GError **errp);
int  image_snapshot_list(Image *img, ImageSnapshotInfo **out);
void image_snapshot_list_free(ImageSnapshotInfo *l, int n);
bool image_supports_snapshots(const Image *img);

/* format by name ("raw", "qcow2", "vmdk", "vdi", "vpc"); PROBE if unknown */
ImageFormat image_format_by_name(const char *name);
const char *image_format_names(void);          /* "raw, qcow2, ..." */
/* the format a file's first bytes look like (raw when none matches) */
ImageFormat image_probe(const uint8_t *head, size_t len);

/* ---- for drivers ---- */
/* len bytes at off of the host file; false (errno set) on an I/O error or
 * a short read: metadata pointing past the end is an error */
bool image_pread(Image *img, void *buf, size_t len, uint64_t off);
bool image_pwrite(Image *img, const void *buf, size_t len, uint64_t off);
/* fdatasync the host file (counted in img->syncs) */
bool image_sync(Image *img);
/* a driver's open error: "disk image 'PATH': MESSAGE" */
bool image_error(Image *img, GError **errp, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* a path named inside img (backing file, extent): absolute as is, else
 * relative to img's directory */
char *image_relative_path(const Image *img, const char *name);

/* big- and little-endian fields of headers */
static inline uint16_t image_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t image_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t image_be64(const uint8_t *p)
{
    return (uint64_t)image_be32(p) << 32 | image_be32(p + 4);
}
static inline uint16_t image_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t image_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t image_le64(const uint8_t *p)
{
    return image_le32(p) | (uint64_t)image_le32(p + 4) << 32;
}
static inline void image_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void image_put_be64(uint8_t *p, uint64_t v)
{
    image_put_be32(p, (uint32_t)(v >> 32));
    image_put_be32(p + 4, (uint32_t)v);
}

extern const ImageDriver image_raw_driver, image_qcow2_driver, image_vmdk_driver,
    image_vdi_driver, image_vpc_driver;

#endif
