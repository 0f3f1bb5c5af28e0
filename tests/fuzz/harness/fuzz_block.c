/*
 * fuzz_block.c - libFuzzer harness for disk images: opening one
 * (src/devices/block.c over the block layer src/block/: every format's
 * header and table parsing) and reading and writing it directly, through the
 * IDE controller's ports (ide.c, ATA and ATAPI, bus-master DMA) or through
 * the floppy controller (fdc.c with ISA DMA, i8237.c).
 *
 * Input: a header, the operations, FUZZ_SEP, the image's first bytes.
 *   byte 0  bits 0-1 the path: 0 block_* calls, 1 the block layer's
 *           Image calls with internal snapshots (create, goto, read the
 *           vmstate, delete, list; qcow2), 2 IDE, 3 floppy
 *           bit 2 readonly, bit 3 -snapshot, bit 4 CD-ROM (IDE),
 *           bit 5 the image size is exactly the data (else see byte 2)
 *   byte 1  the image format (formats[] below)
 *   byte 2  image size in 4 KiB units (IDE, block), or the floppy format
 * The image lives in an anonymous memory file, grown sparsely to its size.
 *
 * Each image format is an entry in formats[] (probe, raw, qcow2, vmdk,
 * vdi, vpc): the image bytes come straight from the input, so the format's
 * parser is what gets fuzzed.  Seeds: tests/fuzz/corpus/block/, the format
 * ones written by tests/fuzz/make-block-seeds.py, the qcow2-snapshots-*
 * ones by qemu-img snapshot -c (v2 and v3 with 512-byte clusters, written
 * clusters shared with one or two snapshots).  A qcow2 image may name a
 * backing file and a VMDK descriptor extent files: paths relative to the
 * memory file's /proc/self/fd/ directory, opened read-only.
 */
#include <stdlib.h>
#include <glib.h>
#include "fuzz_common.h"
#include "machine/machine.h"
#include "devices/block.h"
#include "block/image.h"
#include "devices/ide.h"
#include "devices/fdc.h"
#include "devices/i8237.h"

#define BM_BASE 0xc000
#define RAM_SIZE (1u << 20)
#define MAX_OPS 4096

typedef struct FuzzFormat {
    const char *name;
    ImageFormat format;
} FuzzFormat;

static const FuzzFormat formats[] = {
    { "probe", IMAGE_FORMAT_PROBE },    /* index 0: the raw seeds probe */
    { "raw", IMAGE_FORMAT_RAW },
    { "qcow2", IMAGE_FORMAT_QCOW2 },
    { "vmdk", IMAGE_FORMAT_VMDK },
    { "vdi", IMAGE_FORMAT_VDI },
    { "vpc", IMAGE_FORMAT_VPC },
};

static const uint64_t floppy_sizes[] = { 368640, 737280, 1228800, 1474560, 2949120, 4096 };

/* the ports an operation can reach (its byte indexes this table) */
static const uint16_t ports[] = {
    0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,
    0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376,
    BM_BASE + 0, BM_BASE + 2, BM_BASE + 4, BM_BASE + 8, BM_BASE + 10, BM_BASE + 12,
    0x3f0, 0x3f1, 0x3f2, 0x3f4, 0x3f5, 0x3f7,
    0x04, 0x05, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x0f, 0x81,
};

typedef struct Rig {
    Machine *m;
    IDEState *ide;
    FDCState *fdc;
    IrqLine irq[3];
} Rig;

static void irq_ignore(void *opaque, int n, int level)
{
}

static bool rig_new(Rig *r, bool floppy, GError **errp)
{
    MachineConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.machine_type = "pc";
    cfg.ram_size = RAM_SIZE;
    cfg.backend = BACKEND_INTERP;
    memset(r, 0, sizeof(*r));
    r->m = machine_new(&cfg, errp);
    if (!r->m)
        return false;
    clock_init(&r->m->clock, true);
    for (int i = 0; i < 3; i++)
        irq_line_init(&r->irq[i], irq_ignore, r, i);
    if (floppy) {
        I8237State *dma = i8237_init(&r->m->bus);
        r->fdc = fdc_init(&r->m->bus, 0x3f0, &r->irq[2], dma, 2, NULL, errp);
        return r->fdc != NULL;
    }
    r->ide = ide_init(&r->m->bus, NULL, &r->irq[0], &r->irq[1], NULL, errp);
    if (!r->ide)
        return false;
    ide_bm_map(r->ide, BM_BASE);
    return true;
}

/* guest-visible operations through the ports, until the input ends */
static void run_port_ops(Rig *r, FuzzInput *ops)
{
    IOBus *io = r->m->io;
    for (int n = 0; fuzz_left(ops) && n < MAX_OPS; n++) {
        uint8_t op = fuzz_u8(ops);
        uint16_t port = ports[fuzz_u8(ops) % G_N_ELEMENTS(ports)];
        int size = 1 << (op & 3) % 3;
        switch (op >> 2 & 7) {
        case 0:
        case 1:
            ioport_write(io, port, fuzz_u32(ops), size);
            break;
        case 2:
            ioport_read(io, port, size);
            break;
        case 3: {                                   /* a PIO burst on a data port */
            unsigned count = fuzz_u16(ops) & 0x3fff;
            bool wr = op & 0x80;
            uint16_t v = fuzz_u16(ops);
            for (unsigned i = 0; i < count; i++) {
                if (wr)
                    ioport_write(io, port, v, size);
                else
                    ioport_read(io, port, size);
            }
            break;
        }
        case 4: {                                   /* RAM: PRD tables, DMA buffers */
            uint32_t addr = fuzz_u32(ops) % (RAM_SIZE - 4);
            physmem_write(r->m->mem, addr, fuzz_u32(ops), 4);
            break;
        }
        case 5:                                     /* time passes */
            clock_advance(&r->m->clock, (int64_t)fuzz_u16(ops) * 1000);
            clock_run_timers(&r->m->clock);
            break;
        case 6: {                                   /* an ATA command, task file first */
            uint16_t base = (op & 0x80) ? 0x170 : 0x1f0;
            for (int i = 2; i <= 6; i++)
                ioport_write(io, (uint16_t)(base + i), fuzz_u8(ops), 1);
            ioport_write(io, (uint16_t)(base + 7), fuzz_u8(ops), 1);
            break;
        }
        default:                                    /* an FDC command: bytes to the FIFO */
            for (int i = fuzz_u8(ops) % 10; i > 0; i--)
                ioport_write(io, 0x3f5, fuzz_u8(ops), 1);
            break;
        }
    }
}

/* the block layer alone: reads and writes at input-chosen places */
static void run_block_ops(BlockDev *b, FuzzInput *ops)
{
    static uint8_t buf[64 * BLOCK_SECTOR_SIZE];
    for (int n = 0; fuzz_left(ops) && n < MAX_OPS; n++) {
        uint8_t op = fuzz_u8(ops);
        uint64_t sector = fuzz_u32(ops);
        if (op & 0x40)
            sector = UINT64_MAX - (sector & 0xff);       /* the range check's edge */
        uint32_t count = op & 0x80 ? fuzz_u32(ops) : fuzz_u8(ops) % 65;
        uint32_t safe = MIN(count, 64);
        switch (op & 3) {
        case 0:
            if (block_read(b, sector, buf, safe) && sector + safe > block_sectors(b))
                abort();                            /* read past the end */
            break;
        case 1:
            memset(buf, op, sizeof(buf));
            if (block_write(b, sector, buf, safe) &&
                (block_readonly(b) || sector + safe > block_sectors(b)))
                abort();
            break;
        case 2:
            block_flush(b);
            break;
        default:                                    /* more than any image has */
            count |= 0x10000000u;
            if (block_read(b, sector, buf, count) || block_write(b, sector, buf, count))
                abort();                            /* must fail before touching buf */
            break;
        }
    }
}

/* the Image calls, internal snapshots included: names "a".."d" or ids
 * "1".."4" (bit 3), vmstates of input-chosen length */
static void run_image_ops(Image *img, FuzzInput *ops)
{
    static uint8_t buf[64 * 512];
    for (int n = 0; fuzz_left(ops) && n < MAX_OPS; n++) {
        uint8_t op = fuzz_u8(ops);
        char name[2] = { (char)((op & 8 ? '1' : 'a') + (op >> 4 & 3)), 0 };
        uint64_t off = (uint64_t)fuzz_u32(ops) * 512;
        size_t len = (size_t)(fuzz_u8(ops) % 65) * 512;
        GError *err = NULL;
        switch (op & 7) {
        case 0:
            if (image_read(img, off, buf, len) && off + len > img->size)
                abort();
            break;
        case 1:
            memset(buf, op, sizeof(buf));
            if (image_write(img, off, buf, len) && (!img->writable || off + len > img->size))
                abort();
            break;
        case 2: {
            size_t vm_len = fuzz_u16(ops) % (sizeof(buf) + 1);
            memset(buf, op ^ 0x5a, vm_len);
            if (image_snapshot_create(img, name, buf, vm_len, off, &err) && !img->writable)
                abort();
            break;
        }
        case 3:
            if (image_snapshot_goto(img, name, &err) && !img->writable)
                abort();
            break;
        case 4:
            if (image_snapshot_delete(img, name, &err) && !img->writable)
                abort();
            break;
        case 5: {
            GByteArray *vm = g_byte_array_new();
            image_snapshot_read_vmstate(img, name, vm, &err);
            g_byte_array_free(vm, TRUE);
            break;
        }
        case 6: {
            ImageSnapshotInfo *l;
            int k = image_snapshot_list(img, &l);
            if (k < 0 || (k > 0 && !l))
                abort();
            image_snapshot_list_free(l, k);
            break;
        }
        default:
            image_flush(img);
            break;
        }
        if (err && !strstr(err->message, img->path))
            abort();                                /* errors name the file */
        g_clear_error(&err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = { data, size, 0 };
    uint8_t flags = fuzz_u8(&in);
    const FuzzFormat *fmt = &formats[fuzz_u8(&in) % G_N_ELEMENTS(formats)];
    uint8_t size_sel = fuzz_u8(&in);
    size_t ops_len, img_len;
    const uint8_t *ops_data = fuzz_part(&in, FUZZ_SEP, &ops_len);
    const uint8_t *img = fuzz_bytes(&in, fuzz_left(&in), &img_len);
    int path_kind = flags & 3;
    bool readonly = flags & 4, snapshot = flags & 8, cdrom = flags & 16;

    uint64_t img_size = img_len;
    if (path_kind == 3)
        img_size = floppy_sizes[size_sel % G_N_ELEMENTS(floppy_sizes)];
    else if (!(flags & 32))
        img_size = ((uint64_t)size_sel + 1) * 4096;
    char path[64];
    int fd = fuzz_memfd_path(img, MIN(img_len, img_size), path, sizeof(path));
    if (fd < 0 || ftruncate(fd, (off_t)img_size) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }

    FuzzInput ops = { ops_data, ops_len, 0 };
    GError *err = NULL;
    if (path_kind == 1) {                           /* the Image calls */
        Image *im = image_open(path, fmt->format, !readonly, BLOCK_LOCKING_AUTO, &err);
        if (!im && (!err || !strstr(err->message, path)))
            abort();
        g_clear_error(&err);
        if (im)
            run_image_ops(im, &ops);
        image_close(im);
        close(fd);
        return 0;
    }
    BlockDev *b = block_open_format(path, fmt->format, readonly || (cdrom && path_kind == 2),
                                    snapshot, BLOCK_LOCKING_AUTO, &err);
    if (!b) {
        if (!err || !strstr(err->message, path))
            abort();                                /* errors name the file */
        g_error_free(err);
    } else if (path_kind == 0) {
        run_block_ops(b, &ops);
        block_close(b);
    } else {
        Rig r;
        if (!rig_new(&r, path_kind == 3, &err))
            abort();
        bool attached = true;
        if (path_kind == 2) {
            ide_attach(r.ide, (flags >> 6) & 3, b, cdrom);
            ide_reset(r.ide);
        } else {
            attached = fdc_attach(r.fdc, (flags >> 6) & 1, b, &err);  /* owns b */
            if (!attached)
                g_clear_error(&err);
            else
                fdc_reset(r.fdc);
        }
        if (attached)
            run_port_ops(&r, &ops);
        machine_free(r.m);
    }
    close(fd);
    return 0;
}
