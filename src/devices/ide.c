/*
 * ide.c - PIIX3 IDE: two ATA channels with ATA disks and ATAPI CD-ROMs,
 * PIO and bus-master DMA (see ide.h for ports and IRQs).
 *
 * References: ATA/ATAPI-6 (T13 1410D) for the task file, protocols and
 * IDENTIFY words; SFF-8038i for bus-master DMA (command/status/PRD
 * registers, PRD tables); MMC-2/SPC-2 for the ATAPI packet commands;
 * Intel 82371SB (PIIX3) datasheet for the PCI function and IDETIM.
 *
 * Model: each channel has two drives sharing the task file (writes go to
 * both, as on real cables); the selected drive answers reads, and an absent
 * slave reads as 0.  Commands complete at once (no seek/rotation time):
 * PIO data sits in the drive's buffer one DRQ block at a time, DMA runs
 * when both the command and the bus master's start bit are there.  The
 * channel's IRQ line is the selected drive's INTRQ gated by nIEN.
 *
 * Departures: no power management timers, no SMART, no HPA/security;
 * ATAPI has no audio, no eject of the image by the guest (START STOP UNIT
 * answers good status), one session/track.  The monitor changes and
 * ejects CDs (ide_change_medium): UNIT ATTENTION, then NOT READY while
 * the drive is empty.
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/ide.h"
#include "devices/block.h"
#include "devices/pci.h"
#include "util/log.h"

/* status register */
#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DF   0x20
#define ST_DSC  0x10
#define ST_DRQ  0x08
#define ST_ERR  0x01
/* error register */
#define ER_ABRT 0x04
#define ER_IDNF 0x10
#define ER_UNC  0x40
/* device control */
#define DC_NIEN 0x02
#define DC_SRST 0x04
#define DC_HOB  0x80
/* bus master */
#define BM_CMD_START 0x01
#define BM_CMD_READ  0x08           /* 1: device -> memory */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERR    0x02
#define BM_ST_INTR   0x04
#define BM_ST_CAP    0x60           /* drive 0/1 DMA capable (software bits) */
/* ATAPI interrupt reason (sector count register) */
#define IR_COD 0x01
#define IR_IO  0x02

#define IDE_BUF_SIZE   (128 * 1024)
#define IDE_MAX_MULT   16
#define CD_SECTOR      2048
#define PRD_MAX        8192         /* a PRD table is at most 64 KiB */
/* a bus-master transfer moves at most this much per step: a longer one
 * (up to 32 MiB for ATA, more for ATAPI) goes on from a timer, so one
 * port write never holds the CPU loop, the clock or the gdb stub long */
#define IDE_DMA_STEP_BYTES (1u << 20)
#define IDE_DMA_STEP_NS    10000       /* virtual time between steps */

/* sense keys / additional sense codes */
#define SK_NONE        0x0
#define SK_NOT_READY   0x2
#define SK_ILLEGAL     0x5
#define SK_UNIT_ATTN   0x6
#define ASC_INV_OPCODE 0x20
#define ASC_LBA_RANGE  0x21
#define ASC_INV_FIELD  0x24
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_NO_MEDIUM  0x3a

typedef enum IDEEnd {           /* what happens when a PIO block is done */
    END_NONE,
    END_DONE,                   /* last block: command complete */
    END_READ,                   /* ATA PIO read: next block */
    END_WRITE,                  /* ATA PIO write: store block, next */
    END_PACKET,                 /* the 12-byte CDB arrived */
    END_ATAPI,                  /* ATAPI data block read by the host */
} IDEEnd;

typedef enum DMAKind { DMA_NONE, DMA_ATA_READ, DMA_ATA_WRITE, DMA_ATAPI } DMAKind;

typedef struct IDEBus IDEBus;

typedef struct IDEDrive {
    IDEBus *bus;
    int unit;
    BlockDev *blk;              /* NULL: no drive */
    bool atapi;
    uint64_t sectors;           /* ATA: 512-byte sectors; ATAPI: 2048-byte */
    uint16_t cyls, heads, spt;  /* default CHS geometry */
    uint16_t log_heads, log_spt;/* INITIALIZE DEVICE PARAMETERS */
    /* task file (HOB copies for LBA48) */
    uint8_t feature, nsector, sector, lcyl, hcyl, select;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t status, error;
    uint8_t cmd;
    bool irq_pending;           /* INTRQ (cleared by reading status) */
    int mult;                   /* SET MULTIPLE MODE block size, 0 = off */
    uint8_t pio_mode, mwdma_mode, udma_mode;  /* SET FEATURES 03h; 0xff = none */
    /* PIO */
    uint8_t *buf;
    uint32_t pos, end;          /* host data transfer window in buf */
    IDEEnd end_action;
    /* current ATA transfer */
    uint64_t lba;
    uint32_t left;              /* sectors (ATA) or CD sectors (ATAPI READ) */
    uint32_t block;             /* sectors per DRQ block */
    bool lba48;
    /* DMA */
    DMAKind dma;
    /* ATAPI */
    uint8_t cdb[12];
    uint32_t byte_limit;        /* byte count limit of this PACKET */
    uint32_t reply_end;         /* ATAPI: end of the reply data in buf */
    uint8_t sense_key, asc, ascq;
    bool unit_attention;        /* media changed since last reported */
    bool locked;                /* PREVENT ALLOW MEDIUM REMOVAL */
} IDEDrive;

typedef struct PrdCursor {
    uint32_t table;             /* next PRD entry */
    uint32_t addr, left;        /* current region */
    bool eot;                   /* current entry was the last */
    unsigned n;                 /* entries read */
} PrdCursor;

struct IDEBus {
    IDEState *ide;
    int channel;
    IDEDrive drive[2];
    int cur;                    /* selected unit */
    uint8_t devctl;
    IrqLine *irq;
    uint16_t iobase, ctlport;
    /* bus master */
    uint8_t bm_cmd, bm_status;
    uint32_t prd_table;
    PrdCursor prd;              /* where the transfer in progress is */
    bool prd_valid;             /* false: the next step starts at the table */
    int dma_unit;               /* the drive of the transfer in progress */
    Timer *dma_timer;           /* the next step of a long transfer */
};

struct IDEState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IDEBus bus[2];
    uint16_t bm_base;           /* 0: bus-master registers unmapped */
    void *pci;                  /* the PCI function, if registered */
};

/* ---------------------------------------------------------- saved state */

/* "ide" (bus/vmstate.h): per channel the selected unit, device control,
 * the bus-master registers, the PRD cursor of a transfer in progress and
 * its timer; per drive the task file, the command in progress (PIO
 * buffer contents and window, ATA transfer position, DMA kind, ATAPI
 * CDB and sense data), SET FEATURES / SET MULTIPLE settings.  The medium
 * (blk, sectors, geometry, atapi) is the command line's; the disk image
 * contents are not device state.  The PCI config space (BAR4) is
 * "pci-dev"'s; bm_base is the legacy mapping a board without PCI set. */
static const VMStateField ide_drive_fields[] = {
    VMS_U16(IDEDrive, log_heads, 1),
    VMS_U16(IDEDrive, log_spt, 1),
    VMS_U8(IDEDrive, feature, 1),
    VMS_U8(IDEDrive, nsector, 1),
    VMS_U8(IDEDrive, sector, 1),
    VMS_U8(IDEDrive, lcyl, 1),
    VMS_U8(IDEDrive, hcyl, 1),
    VMS_U8(IDEDrive, select, 1),
    VMS_U8(IDEDrive, hob_feature, 1),
    VMS_U8(IDEDrive, hob_nsector, 1),
    VMS_U8(IDEDrive, hob_sector, 1),
    VMS_U8(IDEDrive, hob_lcyl, 1),
    VMS_U8(IDEDrive, hob_hcyl, 1),
    VMS_U8(IDEDrive, status, 1),
    VMS_U8(IDEDrive, error, 1),
    VMS_U8(IDEDrive, cmd, 1),
    VMS_BOOL(IDEDrive, irq_pending, 1),
    VMS_I32(IDEDrive, mult, 1),
    VMS_U8(IDEDrive, pio_mode, 1),
    VMS_U8(IDEDrive, mwdma_mode, 1),
    VMS_U8(IDEDrive, udma_mode, 1),
    VMS_BUFFER(IDEDrive, buf, IDE_BUF_SIZE, 1),
    VMS_U32(IDEDrive, pos, 1),
    VMS_U32(IDEDrive, end, 1),
    VMS_INT(IDEDrive, end_action, 1),
    VMS_U64(IDEDrive, lba, 1),
    VMS_U32(IDEDrive, left, 1),
    VMS_U32(IDEDrive, block, 1),
    VMS_BOOL(IDEDrive, lba48, 1),
    VMS_INT(IDEDrive, dma, 1),
    VMS_BYTES(IDEDrive, cdb, 1),
    VMS_U32(IDEDrive, byte_limit, 1),
    VMS_U32(IDEDrive, reply_end, 1),
    VMS_U8(IDEDrive, sense_key, 1),
    VMS_U8(IDEDrive, asc, 1),
    VMS_U8(IDEDrive, ascq, 1),
    VMS_BOOL(IDEDrive, unit_attention, 1),
    VMS_BOOL(IDEDrive, locked, 1),
    VMS_END
};
static const VMStateDesc ide_drive_vmsd = { "ide-drive", 1, 1, ide_drive_fields };

static const VMStateField ide_prd_fields[] = {
    VMS_U32(PrdCursor, table, 1),
    VMS_U32(PrdCursor, addr, 1),
    VMS_U32(PrdCursor, left, 1),
    VMS_BOOL(PrdCursor, eot, 1),
    VMS_U32(PrdCursor, n, 1),
    VMS_END
};
static const VMStateDesc ide_prd_vmsd = { "ide-prd", 1, 1, ide_prd_fields };

static const VMStateField ide_bus_fields[] = {
    VMS_STRUCT_ARRAY(IDEBus, drive, ide_drive_vmsd, 1),
    VMS_I32(IDEBus, cur, 1),
    VMS_U8(IDEBus, devctl, 1),
    VMS_U8(IDEBus, bm_cmd, 1),
    VMS_U8(IDEBus, bm_status, 1),
    VMS_U32(IDEBus, prd_table, 1),
    VMS_STRUCT(IDEBus, prd, ide_prd_vmsd, 1),
    VMS_BOOL(IDEBus, prd_valid, 1),
    VMS_I32(IDEBus, dma_unit, 1),
    VMS_TIMER(IDEBus, dma_timer, 1),
    VMS_END
};
static const VMStateDesc ide_bus_vmsd = { "ide-bus", 1, 1, ide_bus_fields };

static bool ide_drive_valid(const IDEDrive *d, const char *what, GError **errp)
{
    if ((unsigned)d->end_action > END_ATAPI || (unsigned)d->dma > DMA_ATAPI ||
        d->mult < 0 || d->mult > IDE_MAX_MULT || d->block > IDE_MAX_MULT ||
        d->end > IDE_BUF_SIZE || d->reply_end > IDE_BUF_SIZE) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ide: %s: PIO window %u-%u (reply %u), end "
                    "action %d, DMA %d or block %u/%d out of range", what, d->pos, d->end,
                    d->reply_end, (int)d->end_action, (int)d->dma, d->block, d->mult);
        return false;
    }
    if (!d->atapi && d->left && (d->lba > d->sectors || d->left > d->sectors - d->lba)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ide: %s: transfer of %u sectors at %" G_GUINT64_FORMAT
                    " runs past the disk (%" G_GUINT64_FORMAT " sectors)", what, d->left, d->lba,
                    d->sectors);
        return false;
    }
    return true;
}

static bool ide_post_load(void *opaque, int version, GError **errp)
{
    IDEState *s = opaque;
    for (int c = 0; c < 2; c++) {
        IDEBus *b = &s->bus[c];
        if (b->cur < 0 || b->cur > 1 || b->dma_unit < 0 || b->dma_unit > 1 ||
            b->prd.n > PRD_MAX) {
            g_set_error(errp, VMSTATE_ERROR, 0, "ide: channel %d: unit %d, DMA unit %d or "
                        "PRD entry %u out of range", c, b->cur, b->dma_unit, b->prd.n);
            return false;
        }
        for (int i = 0; i < 2; i++) {
            char what[32];
            g_snprintf(what, sizeof(what), "drive %d", c * 2 + i);
            if (!ide_drive_valid(&b->drive[i], what, errp))
                return false;
        }
    }
    return true;
}

static const VMStateField ide_fields[] = {
    VMS_STRUCT_ARRAY(IDEState, bus, ide_bus_vmsd, 1),
    VMS_END
};
const VMStateDesc ide_vmsd = { .name = "ide", .version = 1, .min_version = 1,
                               .fields = ide_fields, .post_load = ide_post_load };
const size_t ide_state_size = sizeof(IDEState);

/* ---------------------------------------------------------------- helpers */

static void ide_update_irq(IDEBus *b)
{
    IDEDrive *d = &b->drive[b->cur];
    int level = d->irq_pending && !(b->devctl & DC_NIEN);
    if (b->irq && b->irq->level != level)
        irq_set(b->irq, level);
}

static void ide_raise(IDEDrive *d)
{
    d->irq_pending = true;
    d->bus->bm_status |= BM_ST_INTR;        /* the pin, as seen by the bus master */
    ide_update_irq(d->bus);
}

static void ide_put_string(uint16_t *w, const char *s, int words)
{
    /* ATA strings: two characters per word, first in the high byte */
    for (int i = 0; i < words; i++) {
        char a = *s ? *s++ : ' ';
        char b = *s ? *s++ : ' ';
        w[i] = (uint16_t)((uint8_t)a << 8 | (uint8_t)b);
    }
}

static void ide_set_signature(IDEDrive *d)
{
    d->nsector = 1;
    d->sector = 1;
    d->lcyl = d->atapi ? 0x14 : 0;
    d->hcyl = d->atapi ? 0xeb : 0;
    d->select &= 0xf0;
    d->select |= 0xa0;
}

/* the command ended: no data left */
static void ide_cmd_done(IDEDrive *d)
{
    d->status = ST_DRDY | ST_DSC;
    d->error = 0;
    d->end_action = END_NONE;
    d->pos = d->end = 0;
    d->dma = DMA_NONE;
    ide_raise(d);
}

static void ide_abort(IDEDrive *d)
{
    d->status = ST_DRDY | ST_ERR;
    d->error = ER_ABRT;
    d->end_action = END_NONE;
    d->pos = d->end = 0;
    d->dma = DMA_NONE;
    ide_raise(d);
}

static void ide_error(IDEDrive *d, uint8_t err)
{
    ide_abort(d);
    d->error = err;
}

/* start a PIO data block of len bytes in d->buf */
static void ide_pio_block(IDEDrive *d, uint32_t len, IDEEnd end, bool irq)
{
    d->pos = 0;
    d->end = len;
    d->end_action = end;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    d->error = 0;
    if (irq)
        ide_raise(d);
}

/* ------------------------------------------------------------- IDENTIFY */

static void ide_identify_ata(IDEDrive *d, uint16_t *w)
{
    memset(w, 0, 512);
    char serial[21];
    g_snprintf(serial, sizeof(serial), "TX86%04d%08X", d->bus->channel * 2 + d->unit,
               (unsigned)(d->sectors & 0xffffffffu));
    uint64_t lba28 = MIN(d->sectors, 0x0fffffffull);
    uint32_t chs = (uint32_t)d->cyls * d->heads * d->spt;
    w[0] = 0x0040;                              /* fixed device */
    w[1] = d->cyls;
    w[3] = d->heads;
    w[6] = d->spt;
    ide_put_string(&w[10], serial, 10);
    w[20] = 3;                                  /* buffer type (obsolete) */
    w[21] = IDE_BUF_SIZE / 512;
    ide_put_string(&w[23], "1.0", 4);
    ide_put_string(&w[27], "TX86 HARDDISK", 20);
    w[47] = 0x8000 | IDE_MAX_MULT;
    w[48] = 1;                                  /* 32-bit PIO */
    w[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    w[50] = 0x4000;
    w[51] = 0x200;                              /* PIO timing mode 2 */
    w[52] = 0x200;
    w[53] = 1 | 2 | 4;                          /* words 54-58, 64-70, 88 valid */
    w[54] = d->cyls;
    w[55] = d->log_heads;
    w[56] = d->log_spt;
    w[57] = (uint16_t)chs;
    w[58] = (uint16_t)(chs >> 16);
    if (d->mult)
        w[59] = 0x100 | (uint16_t)d->mult;
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    w[62] = 0x07;                               /* single-word DMA 0-2 (obsolete) */
    w[63] = 0x07 | (d->mwdma_mode < 3 ? (0x100 << d->mwdma_mode) : 0);
    w[64] = 0x03;                               /* PIO 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0xf0;                               /* ATA/ATAPI-4 to -7 */
    w[81] = 0x16;
    w[82] = (1 << 14) | (1 << 5);               /* NOP, write cache */
    w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);  /* FLUSH EXT, FLUSH, LBA48 */
    w[84] = 1 << 14;
    w[85] = (1 << 14) | (1 << 5);
    w[86] = (1 << 13) | (1 << 12) | (1 << 10);
    w[87] = 1 << 14;
    w[88] = 0x3f | (d->udma_mode < 6 ? (0x100 << d->udma_mode) : 0);
    w[93] = 1 | (1 << 14) | 0x2000;             /* hardware reset result */
    w[100] = (uint16_t)d->sectors;
    w[101] = (uint16_t)(d->sectors >> 16);
    w[102] = (uint16_t)(d->sectors >> 32);
    w[103] = (uint16_t)(d->sectors >> 48);
}

static void ide_identify_atapi(IDEDrive *d, uint16_t *w)
{
    memset(w, 0, 512);
    char serial[21];
    g_snprintf(serial, sizeof(serial), "TX86CD%04d", d->bus->channel * 2 + d->unit);
    /* ATAPI, CD-ROM, removable, 50 us DRQ, 12-byte packets */
    w[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
    ide_put_string(&w[10], serial, 10);
    w[20] = 3;
    w[21] = 512;
    ide_put_string(&w[23], "1.0", 4);
    ide_put_string(&w[27], "TX86 DVD-ROM", 20);
    w[48] = 1;
    w[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    w[53] = 2 | 4;
    w[62] = 0x07;
    w[63] = 0x07 | (d->mwdma_mode < 3 ? (0x100 << d->mwdma_mode) : 0);
    w[64] = 0x03;
    w[65] = w[66] = w[67] = w[68] = 120;
    w[71] = 30;                                 /* bus release, service times */
    w[72] = 30;
    w[80] = 0x1e;                               /* ATAPI-1 to -4 */
    w[82] = (1 << 14) | (1 << 4);               /* NOP, PACKET */
    w[83] = 1 << 14;
    w[84] = 1 << 14;
    w[85] = (1 << 14) | (1 << 4);
    w[87] = 1 << 14;
    w[88] = 0x3f | (d->udma_mode < 6 ? (0x100 << d->udma_mode) : 0);
    w[93] = 1 | (1 << 14) | 0x2000;
}

static void ide_identify_to_buf(IDEDrive *d, uint16_t *w)
{
    uint8_t *p = d->buf;
    for (int i = 0; i < 256; i++) {             /* little-endian words */
        p[2 * i] = (uint8_t)w[i];
        p[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
}

/* ------------------------------------------------------------ ATA I/O */

static uint64_t ide_get_lba(IDEDrive *d)
{
    if (d->lba48)
        return (uint64_t)d->sector | (uint64_t)d->lcyl << 8 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->hob_sector << 24 | (uint64_t)d->hob_lcyl << 32 |
               (uint64_t)d->hob_hcyl << 40;
    if (d->select & 0x40)
        return (uint64_t)d->sector | (uint64_t)d->lcyl << 8 | (uint64_t)d->hcyl << 16 |
               (uint64_t)(d->select & 0x0f) << 24;
    /* CHS with the current logical geometry */
    uint32_t cyl = d->lcyl | (uint32_t)d->hcyl << 8;
    uint32_t head = d->select & 0x0f;
    uint32_t sect = d->sector;
    if (sect == 0 || !d->log_spt || !d->log_heads)
        return UINT64_MAX;
    return ((uint64_t)cyl * d->log_heads + head) * d->log_spt + (sect - 1);
}

static void ide_set_lba(IDEDrive *d, uint64_t lba)
{
    if (d->lba48) {
        d->sector = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->hob_sector = (uint8_t)(lba >> 24);
        d->hob_lcyl = (uint8_t)(lba >> 32);
        d->hob_hcyl = (uint8_t)(lba >> 40);
    } else if (d->select & 0x40) {
        d->sector = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->select = (d->select & 0xf0) | ((lba >> 24) & 0x0f);
    } else if (d->log_spt && d->log_heads) {
        uint32_t cyl = (uint32_t)(lba / ((uint32_t)d->log_heads * d->log_spt));
        uint32_t r = (uint32_t)(lba % ((uint32_t)d->log_heads * d->log_spt));
        d->lcyl = (uint8_t)cyl;
        d->hcyl = (uint8_t)(cyl >> 8);
        d->select = (d->select & 0xf0) | ((r / d->log_spt) & 0x0f);
        d->sector = (uint8_t)(r % d->log_spt + 1);
    }
}

static uint32_t ide_get_count(IDEDrive *d)
{
    if (d->lba48) {
        uint32_t n = d->nsector | (uint32_t)d->hob_nsector << 8;
        return n ? n : 65536;
    }
    return d->nsector ? d->nsector : 256;
}

/* set up lba/left for a read/write; false (and aborted) if out of range */
static bool ide_start_rw(IDEDrive *d, bool lba48)
{
    d->lba48 = lba48;
    d->lba = ide_get_lba(d);
    d->left = ide_get_count(d);
    if (d->lba == UINT64_MAX || d->lba > d->sectors || d->left > d->sectors - d->lba) {
        ide_error(d, ER_IDNF | ER_ABRT);
        return false;
    }
    return true;
}

/* fill the buffer with the next block of a PIO read */
static void ide_read_next(IDEDrive *d)
{
    uint32_t n = MIN(d->left, d->block);
    if (!block_read(d->blk, d->lba, d->buf, n)) {
        ide_set_lba(d, d->lba);
        ide_error(d, ER_UNC | ER_ABRT);
        return;
    }
    d->lba += n;
    d->left -= n;
    ide_set_lba(d, d->lba);
    ide_pio_block(d, n * 512, d->left ? END_READ : END_DONE, true);
}

/* PIO write: the host filled one block */
static void ide_write_block(IDEDrive *d)
{
    uint32_t n = MIN(d->left, d->block);
    if (!block_write(d->blk, d->lba, d->buf, n)) {
        ide_set_lba(d, d->lba);
        ide_error(d, ER_ABRT);
        return;
    }
    d->lba += n;
    d->left -= n;
    ide_set_lba(d, d->lba);
    if (!d->left) {
        ide_cmd_done(d);
        return;
    }
    n = MIN(d->left, d->block);
    ide_pio_block(d, n * 512, END_WRITE, true);
}

/* ------------------------------------------------------- bus-master DMA */

/* move len bytes between buf and the guest memory the PRD table
 * describes; returns the bytes moved (less when the table ran out) */
static uint32_t ide_prd_xfer(IDEBus *b, PrdCursor *c, uint8_t *buf, uint32_t len, bool to_mem)
{
    PhysMem *pm = b->ide->buses.mem;
    uint32_t done = 0;
    while (done < len) {
        if (c->left == 0) {
            if (c->eot || c->n >= PRD_MAX)
                break;
            uint32_t addr = physmem_read(pm, c->table, 4);
            uint32_t cnt = physmem_read(pm, c->table + 4, 4);
            c->table += 8;
            c->n++;
            c->addr = addr & ~1u;
            c->left = (cnt & 0xfffe) ? (cnt & 0xfffe) : 0x10000;
            c->eot = (cnt & 0x80000000u) != 0;
        }
        uint32_t n = MIN(c->left, len - done);
        uint64_t room = 0x100000000ull - c->addr;      /* bytes past 4 GiB are dropped */
        uint32_t mapped = (uint32_t)MIN((uint64_t)n, room);
        if (to_mem) {
            physmem_write_buf(pm, c->addr, buf + done, mapped);
        } else {
            physmem_read_buf(pm, c->addr, buf + done, mapped);
            memset(buf + done + mapped, 0xff, n - mapped);
        }
        c->addr = (uint32_t)MIN((uint64_t)c->addr + n, 0xffffffffull);
        c->left -= n;
        done += n;
    }
    return done;
}

static void atapi_cmd_ok(IDEDrive *d);
static void atapi_read_chunk(IDEDrive *d, uint32_t *bytes, uint32_t max);

/* run the pending DMA command of the selected drive if the bus master is
 * started: IDE_DMA_STEP_BYTES now, the rest from the timer (the bus master
 * stays ACTIVE and the drive busy until the last step completes it) */
static void ide_dma_run(IDEBus *b)
{
    IDEDrive *d = &b->drive[b->prd_valid ? b->dma_unit : b->cur];
    if (!(b->bm_cmd & BM_CMD_START) || d->dma == DMA_NONE)
        return;
    if (!b->prd_valid) {
        b->prd = (PrdCursor){ .table = b->prd_table & ~3u };
        b->prd_valid = true;
        b->dma_unit = b->cur;
    }
    PrdCursor *cur = &b->prd, c = *cur;
    uint32_t budget = IDE_DMA_STEP_BYTES;
    bool ok = true, short_prd = false;
    switch (d->dma) {
    case DMA_ATA_READ:
    case DMA_ATA_WRITE:
        while (d->left) {
            if (!budget) {
                *cur = c;
                ide_set_lba(d, d->lba);
                timer_mod(b->dma_timer, clock_now(b->ide->buses.clock) + IDE_DMA_STEP_NS);
                return;
            }
            uint32_t n = MIN(d->left, IDE_BUF_SIZE / 512);
            if (d->dma == DMA_ATA_READ) {
                if (!block_read(d->blk, d->lba, d->buf, n)) {
                    ok = false;
                    break;
                }
                if (ide_prd_xfer(b, &c, d->buf, n * 512, true) != n * 512)
                    short_prd = true;
            } else {
                if (ide_prd_xfer(b, &c, d->buf, n * 512, false) != n * 512)
                    short_prd = true;
                else if (!block_write(d->blk, d->lba, d->buf, n))
                    ok = false;
            }
            if (short_prd || !ok)
                break;
            d->lba += n;
            d->left -= n;
            budget -= MIN(budget, n * 512);
        }
        ide_set_lba(d, d->lba);
        break;
    case DMA_ATAPI:
        /* a reply already in buf, or READ sectors still to fetch */
        for (;;) {
            if (!budget && (d->left || d->reply_end > d->pos)) {
                *cur = c;
                timer_mod(b->dma_timer, clock_now(b->ide->buses.clock) + IDE_DMA_STEP_NS);
                return;
            }
            if (d->reply_end > d->pos) {
                uint32_t n = d->reply_end - d->pos;
                if (ide_prd_xfer(b, &c, d->buf + d->pos, n, true) != n) {
                    short_prd = true;
                    break;
                }
                d->pos = d->reply_end;
                budget -= MIN(budget, n);
            }
            if (!d->left)
                break;
            uint32_t bytes;
            atapi_read_chunk(d, &bytes, IDE_BUF_SIZE);
            if (!bytes)
                break;                              /* error already reported */
        }
        if (d->dma == DMA_NONE)                     /* read error ended it */
            goto out;
        break;
    default:
        g_assert_not_reached();
    }
    b->prd_valid = false;
    b->bm_status &= ~BM_ST_ACTIVE;
    if (short_prd)
        b->bm_status |= BM_ST_ERR;
    if (d->atapi) {
        d->dma = DMA_NONE;
        if (short_prd) {
            d->sense_key = SK_ILLEGAL;
            d->asc = ASC_INV_FIELD;
            d->status = ST_DRDY | ST_ERR;
            d->error = SK_ILLEGAL << 4 | ER_ABRT;
            d->nsector = IR_IO | IR_COD;
            ide_raise(d);
        } else {
            atapi_cmd_ok(d);
        }
    } else if (ok && !short_prd) {
        ide_cmd_done(d);
    } else {
        ide_error(d, ok ? ER_ABRT : (uint8_t)(ER_UNC | ER_ABRT));
    }
out:
    d->dma = DMA_NONE;
}

/* the timer: the next step of a long transfer, if it is still wanted */
static void ide_dma_timer_cb(void *opaque)
{
    IDEBus *b = opaque;
    if (b->prd_valid)
        ide_dma_run(b);
}

/* the transfer in progress ends without completing (bus master stopped,
 * reset, a new command) */
static void ide_dma_cancel(IDEBus *b)
{
    b->prd_valid = false;
    if (b->dma_timer)
        timer_del(b->dma_timer);
}

static void ide_start_dma(IDEDrive *d, DMAKind kind)
{
    d->dma = kind;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    d->error = 0;
    d->bus->bm_status |= BM_ST_ACTIVE;
    ide_dma_cancel(d->bus);
    ide_dma_run(d->bus);
}

/* --------------------------------------------------------------- ATAPI */

static void atapi_sense(IDEDrive *d, uint8_t key, uint8_t asc)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = 0;
}

static void atapi_cmd_ok(IDEDrive *d)
{
    d->status = ST_DRDY | ST_DSC;
    d->error = 0;
    d->nsector = IR_IO | IR_COD;
    d->end_action = END_NONE;
    d->pos = d->end = d->reply_end = 0;
    d->left = 0;
    atapi_sense(d, SK_NONE, 0);
    ide_raise(d);
}

static void atapi_cmd_error(IDEDrive *d, uint8_t key, uint8_t asc)
{
    atapi_sense(d, key, asc);
    d->status = ST_DRDY | ST_ERR;
    d->error = (uint8_t)(key << 4) | ER_ABRT;
    d->nsector = IR_IO | IR_COD;
    d->end_action = END_NONE;
    d->pos = d->end = d->reply_end = 0;
    d->left = 0;
    d->dma = DMA_NONE;
    ide_raise(d);
}

/* offer the next PIO chunk of [pos, reply_end) to the host, byte count
 * limited: one DRQ block [pos, end) */
static void atapi_pio_chunk(IDEDrive *d)
{
    uint32_t n = d->reply_end - d->pos;
    if (n > d->byte_limit)
        n = d->byte_limit;
    d->end = d->pos + n;
    d->lcyl = (uint8_t)n;
    d->hcyl = (uint8_t)(n >> 8);
    d->nsector = IR_IO;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    d->end_action = END_ATAPI;
    ide_raise(d);
}

/* read the next CD sectors of a READ command into buf[0..bytes) */
static void atapi_read_chunk(IDEDrive *d, uint32_t *bytes, uint32_t max)
{
    uint32_t n = MIN(d->left, max / CD_SECTOR);
    if (n == 0)
        n = 1;
    if (d->lba + n > d->sectors || !block_read(d->blk, d->lba * 4, d->buf, n * 4)) {
        atapi_cmd_error(d, SK_ILLEGAL, ASC_LBA_RANGE);
        *bytes = 0;
        return;
    }
    d->lba += n;
    d->left -= n;
    d->pos = 0;
    d->reply_end = n * CD_SECTOR;
    *bytes = d->reply_end;
}

/* the reply (already in buf[0..len), cut to the allocation length) goes
 * to the host by PIO or DMA */
static void atapi_reply(IDEDrive *d, uint32_t len, uint32_t alloc)
{
    if (len > alloc)
        len = alloc;
    d->left = 0;
    d->pos = 0;
    d->reply_end = len;
    if (len == 0) {
        atapi_cmd_ok(d);
        return;
    }
    if (d->feature & 1) {
        ide_start_dma(d, DMA_ATAPI);
        return;
    }
    atapi_pio_chunk(d);
}

static void atapi_start_read(IDEDrive *d, uint64_t lba, uint32_t count)
{
    if (!d->blk) {
        atapi_cmd_error(d, SK_NOT_READY, ASC_NO_MEDIUM);
        return;
    }
    if (lba > d->sectors || count > d->sectors - lba) {
        atapi_cmd_error(d, SK_ILLEGAL, ASC_LBA_RANGE);
        return;
    }
    if (count == 0) {
        atapi_cmd_ok(d);
        return;
    }
    d->lba = lba;
    d->left = count;
    d->pos = d->end = d->reply_end = 0;
    if (d->feature & 1) {
        ide_start_dma(d, DMA_ATAPI);
        return;
    }
    /* PIO: whole sectors per DRQ block, within the byte count limit */
    uint32_t per = MAX(d->byte_limit / CD_SECTOR, 1u);
    uint32_t bytes;
    atapi_read_chunk(d, &bytes, MIN(per * CD_SECTOR, IDE_BUF_SIZE));
    if (bytes)
        atapi_pio_chunk(d);
}

static void put_be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static uint32_t get_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = (uint8_t)(lba / (75 * 60));
    p[1] = (uint8_t)(lba / 75 % 60);
    p[2] = (uint8_t)(lba % 75);
}

/* READ TOC/PMA/ATIP formats 0 (TOC), 1 (session info); returns length */
static uint32_t atapi_toc(IDEDrive *d, uint8_t *p, bool msf, int format, int start)
{
    if (format == 1) {                              /* session info */
        memset(p, 0, 12);
        put_be16(p, 10);
        p[2] = p[3] = 1;
        p[5] = 0x14;
        p[6] = 1;
        if (msf) { p[8] = 0; lba_to_msf(p + 9, 0); } else put_be32(p + 8, 0);
        return 12;
    }
    if (start > 1 && start != 0xaa)
        return 0;
    uint8_t *q = p + 4;
    if (start <= 1) {                               /* track 1 */
        q[0] = 0; q[1] = 0x14; q[2] = 1; q[3] = 0;
        if (msf) { q[4] = 0; lba_to_msf(q + 5, 0); } else put_be32(q + 4, 0);
        q += 8;
    }
    q[0] = 0; q[1] = 0x16; q[2] = 0xaa; q[3] = 0;   /* lead-out */
    if (msf) { q[4] = 0; lba_to_msf(q + 5, (uint32_t)d->sectors); }
    else put_be32(q + 4, (uint32_t)d->sectors);
    q += 8;
    uint32_t len = (uint32_t)(q - p);
    put_be16(p, len - 2);
    p[2] = 1;
    p[3] = 1;
    return len;
}

static bool atapi_is_dvd(IDEDrive *d)
{
    return d->sectors * CD_SECTOR > 800ull * 1024 * 1024;     /* bigger than a CD */
}

static void atapi_packet(IDEDrive *d)
{
    const uint8_t *c = d->cdb;
    uint8_t *p = d->buf;
    uint8_t op = c[0];

    /* commands that report a pending unit attention first */
    bool ua_exempt = op == 0x03 || op == 0x12 || op == 0x46 || op == 0x4a;
    if (d->unit_attention && !ua_exempt) {
        d->unit_attention = false;
        atapi_cmd_error(d, SK_UNIT_ATTN, ASC_MEDIUM_CHANGED);
        return;
    }
    bool needs_medium = op == 0x00 || op == 0x25 || op == 0x28 || op == 0xa8 || op == 0x43 ||
                        op == 0xbe || op == 0x51;
    if (needs_medium && !d->blk) {
        atapi_cmd_error(d, SK_NOT_READY, ASC_NO_MEDIUM);
        return;
    }
    switch (op) {
    case 0x00:                                      /* TEST UNIT READY */
        atapi_cmd_ok(d);
        return;
    case 0x03: {                                    /* REQUEST SENSE */
        memset(p, 0, 18);
        p[0] = 0x70;
        p[2] = d->sense_key;
        p[7] = 10;
        p[12] = d->asc;
        p[13] = d->ascq;
        uint8_t key = d->sense_key;
        atapi_reply(d, 18, c[4]);
        if (key == SK_UNIT_ATTN)
            atapi_sense(d, SK_NONE, 0);
        return;
    }
    case 0x12:                                      /* INQUIRY */
        memset(p, 0, 36);
        p[0] = 0x05;                                /* CD/DVD */
        p[1] = 0x80;                                /* removable */
        p[2] = 0x00;
        p[3] = 0x21;                                /* ATAPI, response format 1 */
        p[4] = 31;
        memcpy(p + 8, "TX86    ", 8);
        memcpy(p + 16, "TX86 DVD-ROM    ", 16);
        memcpy(p + 32, "1.0 ", 4);
        atapi_reply(d, 36, c[4]);
        return;
    case 0x1b:                                      /* START STOP UNIT */
        if ((c[4] & 3) == 2 && d->locked) {         /* eject while locked */
            atapi_cmd_error(d, SK_ILLEGAL, 0x53);
            return;
        }
        atapi_cmd_ok(d);
        return;
    case 0x1e:                                      /* PREVENT ALLOW MEDIUM REMOVAL */
        d->locked = c[4] & 1;
        atapi_cmd_ok(d);
        return;
    case 0x25:                                      /* READ CAPACITY */
        put_be32(p, (uint32_t)(d->sectors ? d->sectors - 1 : 0));
        put_be32(p + 4, CD_SECTOR);
        atapi_reply(d, 8, 8);
        return;
    case 0x28:                                      /* READ(10) */
        atapi_start_read(d, get_be32(c + 2), get_be16(c + 7));
        return;
    case 0xa8:                                      /* READ(12) */
        atapi_start_read(d, get_be32(c + 2), get_be32(c + 6));
        return;
    case 0x2b:                                      /* SEEK */
        atapi_cmd_ok(d);
        return;
    case 0x43: {                                    /* READ TOC */
        int format = c[2] & 0x0f;
        if (!format)
            format = c[9] >> 6;
        if (format > 1) {
            atapi_cmd_error(d, SK_ILLEGAL, ASC_INV_FIELD);
            return;
        }
        uint32_t len = atapi_toc(d, p, c[1] & 2, format, c[6]);
        if (!len) {
            atapi_cmd_error(d, SK_ILLEGAL, ASC_INV_FIELD);
            return;
        }
        atapi_reply(d, len, get_be16(c + 7));
        return;
    }
    case 0x46: {                                    /* GET CONFIGURATION */
        uint16_t profile = !d->blk ? 0 : atapi_is_dvd(d) ? 0x0010 : 0x0008;
        memset(p, 0, 32);
        uint8_t *f = p + 8;
        /* feature 0: profile list (DVD-ROM, CD-ROM) */
        put_be16(f, 0x0000); f[2] = 0x03; f[3] = 8;
        put_be16(f + 4, 0x0010); f[6] = profile == 0x0010;
        put_be16(f + 8, 0x0008); f[10] = profile == 0x0008;
        f += 12;
        /* feature 1: core, ATAPI */
        put_be16(f, 0x0001); f[2] = 0x0b; f[3] = 8;
        put_be32(f + 4, 2);
        f[8] = 1;
        f += 12;
        /* feature 3: removable medium, tray, lock */
        put_be16(f, 0x0003); f[2] = 0x03 | (d->blk ? 1 : 0); f[3] = 4;
        f[4] = 0x29 | (d->locked ? 4 : 0);
        f += 8;
        uint32_t len = (uint32_t)(f - p);
        put_be32(p, len - 4);
        put_be16(p + 6, profile);
        atapi_reply(d, len, get_be16(c + 7));
        return;
    }
    case 0x4a: {                                    /* GET EVENT STATUS NOTIFICATION */
        if (!(c[1] & 1)) {                          /* only polled */
            atapi_cmd_error(d, SK_ILLEGAL, ASC_INV_FIELD);
            return;
        }
        memset(p, 0, 8);
        if (c[4] & 0x10) {                          /* media class */
            put_be16(p, 6);
            p[2] = 4;                               /* media */
            p[3] = 0x10;                            /* supported: media */
            p[4] = 0;                               /* no event */
            p[5] = d->blk ? 2 : 0;                  /* media present */
            atapi_reply(d, 8, get_be16(c + 7));
        } else {
            put_be16(p, 2);
            p[2] = 0x80;                            /* no event available */
            p[3] = 0x10;
            atapi_reply(d, 4, get_be16(c + 7));
        }
        return;
    }
    case 0x51:                                      /* READ DISC INFORMATION */
        memset(p, 0, 34);
        put_be16(p, 32);
        p[2] = 0x0e;                                /* complete, last session complete */
        p[3] = 1; p[4] = 1; p[5] = 1; p[6] = 1;
        atapi_reply(d, 34, get_be16(c + 7));
        return;
    case 0x5a: {                                    /* MODE SENSE(10) */
        int page = c[2] & 0x3f;
        if ((c[2] >> 6) == 3) {                     /* saved values */
            atapi_cmd_error(d, SK_ILLEGAL, 0x39);
            return;
        }
        uint8_t *q = p + 8;
        memset(p, 0, 64);
        if (page == 0x01 || page == 0x3f) {         /* error recovery */
            q[0] = 0x01; q[1] = 6; q[3] = 5;
            q += 8;
        }
        if (page == 0x2a || page == 0x3f) {         /* capabilities */
            q[0] = 0x2a; q[1] = 0x14;
            q[2] = 0x3b;                            /* reads CD-R/RW, DVD-ROM... */
            q[4] = 0x71;                            /* audio play, multisession, mode 2 */
            q[5] = 0x60;
            q[6] = 0x29 | (d->locked ? 2 : 0);     /* lock, tray, eject */
            put_be16(q + 8, 706);                   /* max speed KB/s */
            put_be16(q + 10, 2);                    /* volume levels */
            put_be16(q + 12, 512);                  /* buffer KB */
            put_be16(q + 14, 706);
            q += 22;
        }
        if (q == p + 8) {
            atapi_cmd_error(d, SK_ILLEGAL, ASC_INV_FIELD);
            return;
        }
        uint32_t len = (uint32_t)(q - p);
        put_be16(p, len - 2);
        p[2] = d->blk ? 0x70 : 0x70;                /* medium type: door closed */
        atapi_reply(d, len, get_be16(c + 7));
        return;
    }
    case 0xbd:                                      /* MECHANISM STATUS */
        memset(p, 0, 8);
        put_be16(p + 6, 0);
        atapi_reply(d, 8, get_be16(c + 8));
        return;
    default:
        if (log_enabled(LOG_UNIMP))
            log_printf("ide: unsupported ATAPI command %02x\n", op);
        atapi_cmd_error(d, SK_ILLEGAL, ASC_INV_OPCODE);
        return;
    }
}

static void atapi_start_packet(IDEDrive *d)
{
    uint32_t limit = d->lcyl | (uint32_t)d->hcyl << 8;
    if (limit == 0 || limit == 0xffff)
        limit = 0xfffe;
    d->byte_limit = limit & ~1u;
    if (!d->byte_limit)
        d->byte_limit = 2;
    d->nsector = IR_COD;
    ide_pio_block(d, 12, END_PACKET, false);        /* 50 us DRQ: no IRQ */
}

/* ------------------------------------------------------- ATA commands */

static bool ide_set_features(IDEDrive *d)
{
    switch (d->feature) {
    case 0x03: {                                    /* set transfer mode */
        uint8_t v = d->nsector;
        switch (v >> 3) {
        case 0: d->pio_mode = 0; break;
        case 1: d->pio_mode = v & 7; break;
        case 4: if ((v & 7) > 2) return false;
                d->mwdma_mode = v & 7; d->udma_mode = 0xff; break;
        case 8: if ((v & 7) > 5) return false;
                d->udma_mode = v & 7; d->mwdma_mode = 0xff; break;
        default: return false;
        }
        return true;
    }
    case 0x02: case 0x82:                           /* write cache on/off */
    case 0xaa: case 0x55:                           /* read look-ahead */
    case 0x66: case 0xcc:                           /* reverting to defaults */
    case 0x05: case 0x85:                           /* APM */
    case 0x31: case 0x42: case 0xc2:
        return true;
    default:
        return false;
    }
}

static void ide_exec_cmd(IDEDrive *d, uint8_t cmd)
{
    IDEBus *b = d->bus;
    d->cmd = cmd;
    d->end_action = END_NONE;
    d->dma = DMA_NONE;
    b->bm_status &= ~BM_ST_ERR;
    if (log_enabled(LOG_IOPORT))
        log_printf("ide%d.%d: command %02x\n", b->channel, d->unit, cmd);

    if (d->atapi) {
        switch (cmd) {
        case 0xa0:                                  /* PACKET */
            atapi_start_packet(d);
            return;
        case 0xa1: {                                /* IDENTIFY PACKET DEVICE */
            uint16_t w[256];
            ide_identify_atapi(d, w);
            ide_identify_to_buf(d, w);
            ide_pio_block(d, 512, END_DONE, true);
            return;
        }
        case 0x08:                                  /* DEVICE RESET */
            ide_set_signature(d);
            d->status = 0;
            d->error = 1;
            return;
        case 0x90:                                  /* EXECUTE DEVICE DIAGNOSTIC */
            ide_set_signature(d);
            d->status = 0;
            d->error = 1;
            ide_raise(d);
            return;
        case 0xef:
            if (ide_set_features(d))
                ide_cmd_done(d);
            else
                ide_abort(d);
            return;
        case 0xe0: case 0xe1: case 0xe7: case 0x00:
            ide_cmd_done(d);
            return;
        default:                                    /* e.g. IDENTIFY DEVICE */
            ide_set_signature(d);
            ide_abort(d);
            return;
        }
    }

    switch (cmd) {
    case 0xec: {                                    /* IDENTIFY DEVICE */
        uint16_t w[256];
        ide_identify_ata(d, w);
        ide_identify_to_buf(d, w);
        ide_pio_block(d, 512, END_DONE, true);
        return;
    }
    case 0x20: case 0x21: case 0x24:                /* READ SECTORS (EXT) */
    case 0xc4: case 0x29: {                         /* READ MULTIPLE (EXT) */
        bool mult = cmd == 0xc4 || cmd == 0x29;
        if (mult && !d->mult) {
            ide_abort(d);
            return;
        }
        if (!ide_start_rw(d, cmd == 0x24 || cmd == 0x29))
            return;
        d->block = mult ? (uint32_t)d->mult : 1;
        ide_read_next(d);
        return;
    }
    case 0x30: case 0x31: case 0x34:                /* WRITE SECTORS (EXT) */
    case 0xc5: case 0x39: {                         /* WRITE MULTIPLE (EXT) */
        bool mult = cmd == 0xc5 || cmd == 0x39;
        if ((mult && !d->mult) || block_readonly(d->blk)) {
            ide_abort(d);
            return;
        }
        if (!ide_start_rw(d, cmd == 0x34 || cmd == 0x39))
            return;
        d->block = mult ? (uint32_t)d->mult : 1;
        ide_pio_block(d, MIN(d->left, d->block) * 512, END_WRITE, false);
        return;
    }
    case 0xc8: case 0xc9: case 0x25:                /* READ DMA (EXT) */
        if (ide_start_rw(d, cmd == 0x25))
            ide_start_dma(d, DMA_ATA_READ);
        return;
    case 0xca: case 0xcb: case 0x35:                /* WRITE DMA (EXT) */
        if (block_readonly(d->blk)) {
            ide_abort(d);
            return;
        }
        if (ide_start_rw(d, cmd == 0x35))
            ide_start_dma(d, DMA_ATA_WRITE);
        return;
    case 0x40: case 0x41: case 0x42:                /* READ VERIFY (EXT) */
        if (ide_start_rw(d, cmd == 0x42)) {
            ide_set_lba(d, d->lba + d->left - 1);
            ide_cmd_done(d);
        }
        return;
    case 0xc6:                                      /* SET MULTIPLE MODE */
        if (d->nsector > IDE_MAX_MULT || (d->nsector & (d->nsector - 1))) {
            ide_abort(d);
            return;
        }
        d->mult = d->nsector;
        ide_cmd_done(d);
        return;
    case 0xe7: case 0xea:                           /* FLUSH CACHE (EXT) */
        if (block_flush(d->blk))
            ide_cmd_done(d);
        else
            ide_abort(d);
        return;
    case 0xef:                                      /* SET FEATURES */
        if (ide_set_features(d))
            ide_cmd_done(d);
        else
            ide_abort(d);
        return;
    case 0x91:                                      /* INITIALIZE DEVICE PARAMETERS */
        if (!d->nsector) {
            ide_abort(d);
            return;
        }
        d->log_spt = d->nsector;
        d->log_heads = (d->select & 0x0f) + 1;
        ide_cmd_done(d);
        return;
    case 0x10 ... 0x1f:                             /* RECALIBRATE */
    case 0x70:                                      /* SEEK */
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:     /* STANDBY/IDLE (IMMEDIATE) */
    case 0x94: case 0x95: case 0x96: case 0x97:
        ide_cmd_done(d);
        return;
    case 0xe5: case 0x98:                           /* CHECK POWER MODE */
        ide_cmd_done(d);
        d->nsector = 0xff;                          /* active or idle */
        return;
    case 0x90:                                      /* EXECUTE DEVICE DIAGNOSTIC */
        for (int i = 0; i < 2; i++) {
            IDEDrive *x = &b->drive[i];
            if (!x->blk && !x->atapi)
                continue;
            ide_set_signature(x);
            x->status = x->atapi ? 0 : ST_DRDY | ST_DSC;
            x->error = 1;
        }
        ide_raise(d);
        return;
    case 0xf8: case 0x27: {                         /* READ NATIVE MAX ADDRESS (EXT) */
        d->lba48 = cmd == 0x27;
        uint64_t max = d->sectors - 1;
        if (!d->lba48)
            max = MIN(max, 0x0fffffffull);
        ide_set_lba(d, max);
        ide_cmd_done(d);
        return;
    }
    default:                                        /* 0x08 DEVICE RESET, SMART... */
        if (log_enabled(LOG_UNIMP))
            log_printf("ide: unsupported ATA command %02x\n", cmd);
        ide_abort(d);
        return;
    }
}

/* the host has read or written the whole PIO block */
static void ide_block_done(IDEDrive *d)
{
    IDEEnd e = d->end_action;
    d->end_action = END_NONE;
    if (e != END_ATAPI)
        d->pos = d->end = 0;
    switch (e) {
    case END_DONE:
        d->status = ST_DRDY | ST_DSC;
        break;
    case END_READ:
        ide_read_next(d);
        break;
    case END_WRITE:
        ide_write_block(d);
        break;
    case END_PACKET:
        d->status = ST_DRDY | ST_DSC | ST_BSY;
        atapi_packet(d);
        break;
    case END_ATAPI:
        d->pos = d->end;
        if (d->pos < d->reply_end) {                /* more of this reply */
            atapi_pio_chunk(d);
        } else if (d->left) {                       /* READ: next sectors */
            uint32_t per = MAX(d->byte_limit / CD_SECTOR, 1u);
            uint32_t bytes;
            atapi_read_chunk(d, &bytes, MIN(per * CD_SECTOR, IDE_BUF_SIZE));
            if (bytes)
                atapi_pio_chunk(d);
        } else {
            atapi_cmd_ok(d);
        }
        break;
    case END_NONE:
        break;
    }
}

/* -------------------------------------------------------------- ports */

static bool ide_present(const IDEDrive *d)
{
    return d->blk || d->atapi;
}

static uint32_t ide_data_read(IDEDrive *d, int size)
{
    if (!(d->status & ST_DRQ) || d->pos >= d->end || d->end_action == END_PACKET)
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < size; i++)                  /* buf has 4 bytes of slack */
        v |= (uint32_t)d->buf[d->pos + i] << (8 * i);
    d->pos += (uint32_t)size;
    if (d->pos >= d->end)
        ide_block_done(d);
    return v;
}

static void ide_data_write(IDEDrive *d, uint32_t v, int size)
{
    if (!(d->status & ST_DRQ) || d->pos >= d->end ||
        (d->end_action != END_WRITE && d->end_action != END_PACKET))
        return;
    for (int i = 0; i < size; i++) {
        uint32_t at = d->pos + (uint32_t)i;
        if (d->end_action == END_PACKET) {
            if (at < sizeof(d->cdb))
                d->cdb[at] = (uint8_t)(v >> (8 * i));
        } else {
            d->buf[at] = (uint8_t)(v >> (8 * i));
        }
    }
    d->pos += (uint32_t)size;
    if (d->pos >= d->end)
        ide_block_done(d);
}

static uint32_t ide_ioport_read(void *opaque, uint16_t port, int size)
{
    IDEBus *b = opaque;
    IDEDrive *d = &b->drive[b->cur];
    int reg = port - b->iobase;
    if (reg == 0)
        return ide_present(d) ? ide_data_read(d, size) : 0xffffffffu;
    if (!ide_present(&b->drive[0]) && !ide_present(&b->drive[1]))
        return 0xff;                                /* empty channel: floating bus */
    if (!ide_present(d))
        return 0;                                   /* absent slave */
    bool hob = b->devctl & DC_HOB;
    switch (reg) {
    case 1: return hob ? d->hob_feature : d->error;
    case 2: return hob ? d->hob_nsector : d->nsector;
    case 3: return hob ? d->hob_sector : d->sector;
    case 4: return hob ? d->hob_lcyl : d->lcyl;
    case 5: return hob ? d->hob_hcyl : d->hcyl;
    case 6: return d->select;
    case 7:
        d->irq_pending = false;                     /* reading status acknowledges */
        ide_update_irq(b);
        return d->status;
    }
    return 0xff;
}

static void ide_ioport_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    IDEBus *b = opaque;
    int reg = port - b->iobase;
    if (reg == 0) {
        IDEDrive *d = &b->drive[b->cur];
        if (ide_present(d))
            ide_data_write(d, value, size);
        return;
    }
    uint8_t v = (uint8_t)value;
    if (reg != 7)
        b->devctl &= ~DC_HOB;                       /* a task file write clears HOB */
    for (int i = 0; i < 2; i++) {
        IDEDrive *d = &b->drive[i];
        switch (reg) {
        case 1: d->hob_feature = d->feature; d->feature = v; break;
        case 2: d->hob_nsector = d->nsector; d->nsector = v; break;
        case 3: d->hob_sector = d->sector; d->sector = v; break;
        case 4: d->hob_lcyl = d->lcyl; d->lcyl = v; break;
        case 5: d->hob_hcyl = d->hcyl; d->hcyl = v; break;
        case 6: d->select = v | 0xa0; break;
        }
    }
    if (reg == 6) {
        b->cur = (v >> 4) & 1;
        ide_update_irq(b);
    } else if (reg == 7) {
        IDEDrive *d = &b->drive[b->cur];
        if (!ide_present(d) || (b->devctl & DC_SRST))
            return;
        d->irq_pending = false;
        ide_update_irq(b);
        ide_exec_cmd(d, v);
    }
}

static void ide_drive_reset_regs(IDEDrive *d)
{
    d->feature = d->hob_feature = d->hob_nsector = d->hob_sector = 0;
    d->hob_lcyl = d->hob_hcyl = 0;
    d->select = 0xa0 | (uint8_t)(d->unit << 4);
    ide_set_signature(d);
    d->status = d->atapi ? 0 : (ide_present(d) ? ST_DRDY | ST_DSC : 0);
    d->error = 1;                                   /* diagnostics passed */
    d->end_action = END_NONE;
    d->pos = d->end = d->reply_end = 0;
    d->left = 0;
    d->dma = DMA_NONE;
    d->irq_pending = false;
}

static uint32_t ide_ctl_read(void *opaque, uint16_t port, int size)
{
    IDEBus *b = opaque;
    IDEDrive *d = &b->drive[b->cur];
    if (!ide_present(&b->drive[0]) && !ide_present(&b->drive[1]))
        return 0xff;
    return ide_present(d) ? d->status : 0;          /* alternate status */
}

static void ide_ctl_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    IDEBus *b = opaque;
    uint8_t v = (uint8_t)value;
    bool was = b->devctl & DC_SRST, now = v & DC_SRST;
    b->devctl = v;
    if (!was && now) {                              /* reset asserted */
        for (int i = 0; i < 2; i++) {
            IDEDrive *d = &b->drive[i];
            if (ide_present(d)) {
                d->status = ST_BSY | ST_DSC;
                d->irq_pending = false;
            }
        }
    } else if (was && !now) {                       /* reset released */
        for (int i = 0; i < 2; i++) {
            IDEDrive *d = &b->drive[i];
            ide_drive_reset_regs(d);
            d->mult = 0;
        }
        b->cur = 0;
    }
    ide_update_irq(b);
}

static const IOPortOps ide_io_ops = {
    .read = ide_ioport_read, .write = ide_ioport_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

static const IOPortOps ide_ctl_ops = {
    .read = ide_ctl_read, .write = ide_ctl_write, .sizes = IO_SIZE_8,
};

/* bus-master registers: channel = offset / 8; 0 command, 2 status,
 * 4-7 PRD table address */
static uint8_t ide_bm_read_byte(IDEState *s, unsigned off)
{
    IDEBus *b = &s->bus[(off >> 3) & 1];
    switch (off & 7) {
    case 0: return b->bm_cmd;
    case 2: return b->bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(b->prd_table >> (8 * (off & 3)));
    default: return 0;
    }
}

static uint32_t ide_bm_read(void *opaque, uint16_t port, int size)
{
    IDEState *s = opaque;
    unsigned off = port & 15u;                      /* BAR offset (base is 16-aligned) */
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)ide_bm_read_byte(s, off + (unsigned)i) << (8 * i);
    return v;
}

static void ide_bm_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    IDEState *s = opaque;
    unsigned off = port & 15u;                      /* BAR offset (base is 16-aligned) */
    IDEBus *b = &s->bus[off >> 3];
    switch (off & 7) {
    case 0: {
        uint8_t v = (uint8_t)value & (BM_CMD_START | BM_CMD_READ);
        bool start = (v & BM_CMD_START) && !(b->bm_cmd & BM_CMD_START);
        b->bm_cmd = v;
        if (!(v & BM_CMD_START)) {
            b->bm_status &= ~BM_ST_ACTIVE;          /* stop: abort a transfer */
            ide_dma_cancel(b);
        } else if (start) {
            b->bm_status |= BM_ST_ACTIVE;
            ide_dma_cancel(b);                      /* from the table's start */
            ide_dma_run(b);
        }
        if (size > 1)
            ide_bm_write(opaque, port + 1, value >> 8, size - 1 > 1 ? 2 : 1);
        break;
    }
    case 1: case 3:
        if (size > 1)
            ide_bm_write(opaque, port + 1, value >> 8, 1);
        break;
    case 2: {
        uint8_t v = (uint8_t)value;
        b->bm_status = (b->bm_status & ~(BM_ST_CAP | (v & (BM_ST_ERR | BM_ST_INTR)))) |
                       (v & BM_ST_CAP);
        if (size > 1)
            ide_bm_write(opaque, port + 1, value >> 8, 1);
        break;
    }
    default: {
        unsigned sh = 8 * (off & 3);
        uint32_t mask = (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1) << sh;
        b->prd_table = (b->prd_table & ~mask) | ((value << sh) & mask);
        b->prd_table &= ~3u;
        break;
    }
    }
}

static const IOPortOps ide_bm_ops = {
    .read = ide_bm_read, .write = ide_bm_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

void ide_bm_map(IDEState *s, uint16_t base)
{
    if (s->bm_base == base)
        return;
    if (s->bm_base)
        ioport_unregister(s->buses.io, s->bm_base, 16, s);
    s->bm_base = base;
    if (base)
        ioport_register(s->buses.io, base, 16, &ide_bm_ops, s, "ide-bm");
}

/* ------------------------------------------------------------- set-up */

static const PCIDeviceOps ide_pci_ops = { 0 };

/* PIIX3 function 1: class 01 01 80 (IDE, legacy mode both channels,
 * bus master); BAR4 = the bus-master registers; IDETIM (0x40-0x43),
 * SIDETIM (0x44) and the UDMA registers are plain storage */
static bool ide_pci_register(IDEState *s, PCIBus *bus, GError **errp)
{
    if (!bus)
        return true;                                /* no PCI bus: legacy ports only */
    PCIDevice *d = pci_register_function(bus, PCI_DEVFN(1, 1), "piix3-ide", 0x8086, 0x7010,
                                         0x00, 0x010180, &ide_pci_ops, s, errp);
    if (!d)
        return false;
    pci_register_io_bar(d, 4, 16, &ide_bm_ops, s, "piix3-bmdma");
    s->pci = d;
    return true;
}

static void ide_geometry(IDEDrive *d)
{
    uint64_t cyls = d->sectors / (16 * 63);
    d->heads = 16;
    d->spt = 63;
    d->cyls = (uint16_t)CLAMP(cyls, 1, 16383);
    d->log_heads = d->heads;
    d->log_spt = d->spt;
}

void ide_attach(IDEState *s, int index, BlockDev *blk, bool cdrom)
{
    IDEDrive *d = &s->bus[index >> 1].drive[index & 1];
    if (d->blk)
        block_close(d->blk);
    d->blk = blk;
    d->atapi = cdrom;
    if (blk)
        d->sectors = cdrom ? block_sectors(blk) / 4 : block_sectors(blk);
    d->unit_attention = cdrom && blk;
    ide_geometry(d);
    ide_drive_reset_regs(d);
}

void ide_reset(IDEState *s)
{
    for (int c = 0; c < 2; c++) {
        IDEBus *b = &s->bus[c];
        b->cur = 0;
        b->devctl = 0;
        b->bm_cmd = 0;
        b->bm_status = 0;
        b->prd_table = 0;
        ide_dma_cancel(b);
        for (int i = 0; i < 2; i++) {
            IDEDrive *d = &b->drive[i];
            d->mult = 0;
            d->pio_mode = 0;
            d->mwdma_mode = 2;
            d->udma_mode = 0xff;
            d->locked = false;
            if (ide_present(d))
                b->bm_status |= (uint8_t)(0x20 << i);   /* DMA capable */
            ide_drive_reset_regs(d);
        }
        ide_update_irq(b);
    }
}

void ide_free(IDEState *s)
{
    if (!s)
        return;
    for (int c = 0; c < 2; c++) {
        if (s->bus[c].dma_timer)
            timer_free(s->bus[c].dma_timer);
        for (int i = 0; i < 2; i++) {
            block_close(s->bus[c].drive[i].blk);
            g_free(s->bus[c].drive[i].buf);
        }
    }
    g_free(s);
}

static IDEState *ide_new(const Buses *buses, IrqLine *irq0, IrqLine *irq1)
{
    IDEState *s = g_new0(IDEState, 1);
    s->buses = *buses;
    static const uint16_t iobase[2] = { 0x1f0, 0x170 }, ctl[2] = { 0x3f6, 0x376 };
    for (int c = 0; c < 2; c++) {
        IDEBus *b = &s->bus[c];
        b->ide = s;
        b->channel = c;
        b->irq = c ? irq1 : irq0;
        b->iobase = iobase[c];
        b->ctlport = ctl[c];
        b->dma_timer = timer_new(buses->clock, ide_dma_timer_cb, b);
        for (int i = 0; i < 2; i++) {
            b->drive[i].bus = b;
            b->drive[i].unit = i;
            b->drive[i].buf = g_malloc0(IDE_BUF_SIZE + 8);
        }
    }
    return s;
}

IDEState *ide_init(const Buses *buses, PCIBus *pci, IrqLine *irq_primary,
                   IrqLine *irq_secondary, const DriveSpec *drives, GError **errp)
{
    IDEState *s = ide_new(buses, irq_primary, irq_secondary);
    for (int i = 0; drives && i < 4; i++) {
        const DriveSpec *d = &drives[i];
        if (d->cdrom && !d->file) {
            ide_attach(s, i, NULL, true);           /* empty CD-ROM drive */
            continue;
        }
        if (!d->file)
            continue;
        BlockDev *blk = block_open_drive(d, errp);
        if (!blk) {
            ide_free(s);
            return NULL;
        }
        if (d->cdrom && block_sectors(blk) < 4) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "CD-ROM image '%s' is smaller than one 2048-byte sector", d->file);
            block_close(blk);
            ide_free(s);
            return NULL;
        }
        ide_attach(s, i, blk, d->cdrom);
        /* a hard disk's -snapshot overlay is machine state; its medium never
         * changes (a CD-ROM's does, and is read-only: no overlay) */
        if (!d->cdrom)
            block_register_state(blk, buses->host);
    }
    for (int ch = 0; ch < 2; ch++) {
        IDEBus *b = &s->bus[ch];
        if (!ioport_register(buses->io, b->iobase, 8, &ide_io_ops, b, ch ? "ide1" : "ide0") ||
            !ioport_register(buses->io, b->ctlport, 1, &ide_ctl_ops, b,
                             ch ? "ide1-ctl" : "ide0-ctl")) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        "ide: ports 0x%x/0x%x are already in use", b->iobase, b->ctlport);
            ide_free(s);
            return NULL;
        }
    }
    ide_reset(s);
    if (!ide_pci_register(s, pci, errp)) {
        ide_free(s);
        return NULL;
    }
    host_register_device(buses->host, s, (void (*)(void *))ide_free, (void (*)(void *))ide_reset);
    host_register_state(buses->host, &ide_vmsd, s);
    return s;
}

char *ide_boot_path(const char *const file[4], const bool is_cdrom[4], bool cdrom)
{
    for (int i = 0; i < 4; i++) {
        if (is_cdrom[i] != cdrom || (!file[i] && !is_cdrom[i]))
            continue;
        return g_strdup_printf("/pci@i0cf8/ide@1,1/drive@%d/disk@%d", i >> 1, i & 1);
    }
    return NULL;
}

void ide_drive_info(IDEState *s, int index, IDEDriveInfo *info)
{
    IDEDrive *d = &s->bus[(index >> 1) & 1].drive[index & 1];
    info->present = d->blk || d->atapi;
    info->cdrom = d->atapi;
    info->locked = d->locked;
    info->blk = d->blk;
}

bool ide_change_medium(IDEState *s, int index, BlockDev *blk, bool force, GError **errp)
{
    IDEDrive *d = &s->bus[(index >> 1) & 1].drive[index & 1];
    if (!d->atapi) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "Device has no removable media (not a CD-ROM)");
        return false;
    }
    if (d->locked && !force) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "Device is locked (the guest prevents medium removal)");
        return false;
    }
    if (d->blk)
        block_close(d->blk);
    d->blk = blk;
    d->sectors = blk ? block_sectors(blk) / 4 : 0;
    d->unit_attention = true;           /* medium may have changed */
    if (force)
        d->locked = false;
    return true;
}
