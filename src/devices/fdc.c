/*
 * fdc.c - Intel 82077AA floppy disk controller (see fdc.h).
 * Reference: Intel 82077AA CHMOS Single-Chip Floppy Disk Controller
 * datasheet (registers DOR/MSR/DSR/DIR/CCR, the command set and result
 * phases, status registers ST0-ST3).
 *
 * Model: commands execute as soon as their last byte arrives and data
 * moves through the 8237 (i8237.c) at once, so MSR never shows a busy
 * execution phase.  IRQ 6 is raised when an interrupt condition exists and
 * DOR bit 3 (DMA/IRQ enable) is set; SENSE INTERRUPT STATUS clears it
 * after seeks and resets, reading the first result byte after data
 * commands.  The data rate (DSR/CCR) is stored but any rate reads any
 * medium.
 *
 * Not emulated: non-DMA (PIO) data transfers (SPECIFY's ND bit), READ
 * TRACK, SCAN, VERIFY, deleted-data marks, the tape drive register beyond
 * storage, drive seek timing (seeks complete at once), formats other than
 * 512-byte sectors.
 */
#include <string.h>
#include <sys/stat.h>
#include "bus/buses.h"
#include "devices/fdc.h"
#include "devices/i8237.h"
#include "devices/block.h"
#include "util/log.h"

#define MSR_RQM  0x80
#define MSR_DIO  0x40
#define MSR_CB   0x10
#define DOR_NRESET 0x04
#define DOR_DMAEN  0x08
#define ST0_ABNORMAL 0x40
#define ST0_INVALID  0x80
#define ST0_SEEK_END 0x20
#define ST1_EN   0x80                   /* end of cylinder */
#define ST1_OR   0x10                   /* overrun (DMA not ready) */
#define ST1_ND   0x04                   /* no data (sector not found) */
#define ST1_NW   0x02                   /* not writable */
#define ST1_MA   0x01                   /* missing address mark */

#define FDC_SECTOR 512

typedef struct FloppyDrive {
    BlockDev *blk;                      /* NULL: no medium */
    uint8_t cyls, heads, spt;
    uint8_t track, head;                /* head position */
    bool changed;                       /* DIR bit 7: disk changed */
} FloppyDrive;

typedef enum FDCPhase { PH_CMD, PH_RESULT } FDCPhase;

struct FDCState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    IrqLine *irq;
    I8237State *dma;
    int dma_chan;
    uint16_t base;
    FloppyDrive drive[2];
    uint8_t dor, tdr, dsr, ccr;
    FDCPhase phase;
    uint8_t cmd[16];
    int cmd_len, cmd_pos;
    uint8_t res[16];
    int res_len, res_pos;
    bool irq_pending;
    bool irq_on_result;                 /* data command: first result read clears IRQ */
    int reset_senses;                   /* SENSE INTERRUPTs owed after a reset */
    uint8_t sense_st0, sense_pcn;       /* after SEEK/RECALIBRATE */
    bool sense_valid;
    /* SPECIFY, CONFIGURE, PERPENDICULAR, LOCK */
    uint8_t srt_hut, hlt_nd, config, pretrk, perp;
    bool lock;
    uint8_t sector_buf[FDC_SECTOR];
};

/* saved state (bus/vmstate.h): the registers, the command and result
 * phases with their bytes and positions, the pending interrupt and
 * SENSE INTERRUPT state, the SPECIFY/CONFIGURE settings and each drive's
 * head position and disk-change bit.  Commands complete at once (no
 * timer); the medium's geometry comes from the image (the command line). */
static const VMStateField fdc_drive_fields[] = {
    VMS_U8(FloppyDrive, track, 1),
    VMS_U8(FloppyDrive, head, 1),
    VMS_BOOL(FloppyDrive, changed, 1),
    VMS_END
};
static const VMStateDesc fdc_drive_vmsd = { "fdc-drive", 1, 1, fdc_drive_fields };

static bool fdc_post_load(void *opaque, int version, GError **errp)
{
    FDCState *s = opaque;
    if ((unsigned)s->phase > PH_RESULT || s->cmd_len < 0 || s->cmd_len > 16 ||
        s->cmd_pos < 0 || s->cmd_pos > s->cmd_len || s->res_len < 0 || s->res_len > 16 ||
        s->res_pos < 0 || s->res_pos > s->res_len || s->reset_senses < 0 ||
        s->reset_senses > 4) {
        g_set_error(errp, VMSTATE_ERROR, 0, "fdc: phase %d, command %d/%d, result %d/%d "
                    "or reset senses %d out of range", (int)s->phase, s->cmd_pos,
                    s->cmd_len, s->res_pos, s->res_len, s->reset_senses);
        return false;
    }
    return true;
}

static const VMStateField fdc_fields[] = {
    VMS_STRUCT_ARRAY(FDCState, drive, fdc_drive_vmsd, 1),
    VMS_U8(FDCState, dor, 1),
    VMS_U8(FDCState, tdr, 1),
    VMS_U8(FDCState, dsr, 1),
    VMS_U8(FDCState, ccr, 1),
    VMS_INT(FDCState, phase, 1),
    VMS_BYTES(FDCState, cmd, 1),
    VMS_I32(FDCState, cmd_len, 1),
    VMS_I32(FDCState, cmd_pos, 1),
    VMS_BYTES(FDCState, res, 1),
    VMS_I32(FDCState, res_len, 1),
    VMS_I32(FDCState, res_pos, 1),
    VMS_BOOL(FDCState, irq_pending, 1),
    VMS_BOOL(FDCState, irq_on_result, 1),
    VMS_I32(FDCState, reset_senses, 1),
    VMS_U8(FDCState, sense_st0, 1),
    VMS_U8(FDCState, sense_pcn, 1),
    VMS_BOOL(FDCState, sense_valid, 1),
    VMS_U8(FDCState, srt_hut, 1),
    VMS_U8(FDCState, hlt_nd, 1),
    VMS_U8(FDCState, config, 1),
    VMS_U8(FDCState, pretrk, 1),
    VMS_U8(FDCState, perp, 1),
    VMS_BOOL(FDCState, lock, 1),
    VMS_BYTES(FDCState, sector_buf, 1),
    VMS_END
};
const VMStateDesc fdc_vmsd = { .name = "fdc", .version = 1, .min_version = 1,
                               .fields = fdc_fields, .post_load = fdc_post_load };
const size_t fdc_state_size = sizeof(FDCState);

/* command byte counts indexed by the low 5 bits (0 = invalid) */
static const uint8_t fdc_cmd_len[32] = {
    [0x02] = 9, [0x03] = 3, [0x04] = 2, [0x05] = 9, [0x06] = 9, [0x07] = 2,
    [0x08] = 1, [0x0a] = 2, [0x0d] = 6, [0x0e] = 1, [0x0f] = 3, [0x10] = 1,
    [0x12] = 2, [0x13] = 4, [0x14] = 1,
};

static const struct { uint32_t bytes; uint8_t cyls, heads, spt, cmos; } fdc_formats[] = {
    { 1474560, 80, 2, 18, 4 },
    {  737280, 80, 2,  9, 3 },
    { 1228800, 80, 2, 15, 2 },
    {  368640, 40, 2,  9, 1 },
    { 2949120, 80, 2, 36, 5 },
};

uint8_t fdc_cmos_type_for_size(uint64_t bytes)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fdc_formats); i++)
        if (fdc_formats[i].bytes == bytes)
            return fdc_formats[i].cmos;
    return 0;
}

uint8_t fdc_cmos_drive_types(const char *const fd_file[2])
{
    uint8_t v = 0;
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (!fd_file[i] || stat(fd_file[i], &st) < 0)
            continue;
        v |= (uint8_t)(fdc_cmos_type_for_size((uint64_t)st.st_size) << (i ? 0 : 4));
    }
    return v;
}

static void fdc_update_irq(FDCState *s)
{
    irq_set(s->irq, s->irq_pending && (s->dor & DOR_DMAEN));
}

static void fdc_raise(FDCState *s)
{
    s->irq_pending = true;
    fdc_update_irq(s);
}

static void fdc_lower(FDCState *s)
{
    s->irq_pending = false;
    fdc_update_irq(s);
}

static void fdc_result(FDCState *s, const uint8_t *r, int n)
{
    g_assert(n >= 0 && (size_t)n <= sizeof(s->res));
    if (n)
        memcpy(s->res, r, (size_t)n);
    s->res_len = n;
    s->res_pos = 0;
    s->phase = n ? PH_RESULT : PH_CMD;
}

/* controller reset (DOR bit 2 low, DSR bit 7) */
static void fdc_soft_reset(FDCState *s)
{
    s->phase = PH_CMD;
    s->cmd_pos = s->cmd_len = 0;
    s->res_len = s->res_pos = 0;
    s->sense_valid = false;
    s->irq_on_result = false;
    if (!s->lock) {
        s->config = 0x20;                       /* FIFO disabled, polling on */
        s->pretrk = 0;
    }
    s->perp = 0;
    fdc_lower(s);
}

/* reset ended: four SENSE INTERRUPT STATUS answers (polling) and an IRQ */
static void fdc_reset_done(FDCState *s)
{
    s->reset_senses = 4;
    fdc_raise(s);
}

/* ------------------------------------------------------------ commands */

static uint8_t fdc_st0(int drive, int head)
{
    return (uint8_t)((head & 1) << 2 | (drive & 3));
}

static void fdc_rw_result(FDCState *s, uint8_t st0, uint8_t st1, uint8_t st2,
                          uint8_t c, uint8_t h, uint8_t r, uint8_t n)
{
    uint8_t res[7] = { st0, st1, st2, c, h, r, n };
    fdc_result(s, res, 7);
    s->irq_on_result = true;
    fdc_raise(s);
}

/* READ DATA / WRITE DATA / FORMAT TRACK from cmd[] */
static void fdc_read_write(FDCState *s, bool write)
{
    uint8_t *c = s->cmd;
    int drv = c[1] & 1, head = (c[1] >> 2) & 1;
    FloppyDrive *d = &s->drive[drv];
    bool mt = c[0] & 0x80;
    uint8_t cyl = c[2], hd = c[3], sec = c[4], n = c[5], eot = c[6];
    uint8_t st0 = fdc_st0(drv, head);
    I8237Dir dir = write ? I8237_FROM_MEMORY : I8237_TO_MEMORY;

    if (!d->blk || n != 2) {
        fdc_rw_result(s, st0 | ST0_ABNORMAL, ST1_MA, 0, cyl, hd, sec, n);
        return;
    }
    if (write && block_readonly(d->blk)) {
        fdc_rw_result(s, st0 | ST0_ABNORMAL, ST1_NW, 0, cyl, hd, sec, n);
        return;
    }
    if (!i8237_ready(s->dma, s->dma_chan, dir)) {
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("fdc: DMA channel %d not ready for %s\n", s->dma_chan,
                       write ? "WRITE DATA" : "READ DATA");
        fdc_rw_result(s, st0 | ST0_ABNORMAL, ST1_OR, 0, cyl, hd, sec, n);
        return;
    }
    d->track = cyl;
    head = hd & 1;
    st0 = fdc_st0(drv, head);
    for (;;) {
        if (cyl >= d->cyls || head >= d->heads || sec < 1 || sec > d->spt) {
            fdc_rw_result(s, st0 | ST0_ABNORMAL, ST1_ND, 0, cyl, (uint8_t)head, sec, n);
            return;
        }
        uint64_t lba = ((uint64_t)cyl * d->heads + (uint64_t)head) * d->spt + (sec - 1u);
        bool ok;
        if (write) {
            int got = i8237_transfer(s->dma, s->dma_chan, s->sector_buf, FDC_SECTOR, dir);
            memset(s->sector_buf + got, 0, (size_t)(FDC_SECTOR - got));
            ok = block_write(d->blk, lba, s->sector_buf, 1);
        } else {
            ok = block_read(d->blk, lba, s->sector_buf, 1);
            if (ok)
                i8237_transfer(s->dma, s->dma_chan, s->sector_buf, FDC_SECTOR, dir);
        }
        if (!ok) {
            fdc_rw_result(s, st0 | ST0_ABNORMAL, 0x20 /* CRC */, 0, cyl, (uint8_t)head, sec, n);
            return;
        }
        bool tc = i8237_terminal_count(s->dma, s->dma_chan);
        /* the result names the sector after the last one moved; with MT a
         * track continues on head 1 */
        bool ended = false;
        if (sec < eot) {
            sec++;
        } else {
            sec = 1;
            if (mt && head == 0) {
                head = 1;
            } else {
                head = mt ? 0 : head;
                cyl++;
                ended = true;
            }
        }
        if (tc) {
            fdc_rw_result(s, fdc_st0(drv, head), 0, 0, cyl, (uint8_t)head, sec, n);
            return;
        }
        if (ended) {                            /* past EOT without terminal count */
            fdc_rw_result(s, st0 | ST0_ABNORMAL, ST1_EN, 0, cyl, (uint8_t)head, sec, n);
            return;
        }
        st0 = fdc_st0(drv, head);
    }
}

static void fdc_format(FDCState *s)
{
    uint8_t *c = s->cmd;
    int drv = c[1] & 1, head = (c[1] >> 2) & 1;
    FloppyDrive *d = &s->drive[drv];
    uint8_t st0 = fdc_st0(drv, head);
    if (!d->blk || block_readonly(d->blk) ||
        !i8237_ready(s->dma, s->dma_chan, I8237_FROM_MEMORY)) {
        fdc_rw_result(s, st0 | ST0_ABNORMAL, d->blk ? ST1_NW : ST1_MA, 0, d->track,
                      (uint8_t)head, 1, c[2]);
        return;
    }
    uint8_t fill = c[5];
    int count = MIN(c[3], d->spt);
    for (int i = 0; i < count; i++) {
        uint8_t id[4];                          /* C H R N from the host */
        if (i8237_transfer(s->dma, s->dma_chan, id, 4, I8237_FROM_MEMORY) < 4)
            break;
        if (id[0] >= d->cyls || id[1] >= d->heads || id[2] < 1 || id[2] > d->spt)
            continue;
        memset(s->sector_buf, fill, FDC_SECTOR);
        uint64_t lba = ((uint64_t)id[0] * d->heads + id[1]) * d->spt + (id[2] - 1u);
        block_write(d->blk, lba, s->sector_buf, 1);
    }
    fdc_rw_result(s, st0, 0, 0, d->track, (uint8_t)head, 1, c[2]);
}

static void fdc_execute(FDCState *s)
{
    uint8_t *c = s->cmd;
    uint8_t op = c[0] & 0x1f;
    if (log_enabled(LOG_IOPORT))
        log_printf("fdc: command %02x\n", c[0]);
    switch (op) {
    case 0x03:                                  /* SPECIFY */
        s->srt_hut = c[1];
        s->hlt_nd = c[2];
        fdc_result(s, NULL, 0);
        return;
    case 0x04: {                                /* SENSE DRIVE STATUS */
        int drv = c[1] & 1, head = (c[1] >> 2) & 1;
        FloppyDrive *d = &s->drive[drv];
        uint8_t st3 = (uint8_t)(0x20 | 0x08 | fdc_st0(drv, head));
        if (d->track == 0)
            st3 |= 0x10;
        if (d->blk && block_readonly(d->blk))
            st3 |= 0x40;
        fdc_result(s, &st3, 1);
        return;
    }
    case 0x05:                                  /* WRITE DATA */
    case 0x06:                                  /* READ DATA */
        fdc_read_write(s, op == 0x05);
        return;
    case 0x07:                                  /* RECALIBRATE */
    case 0x0f: {                                /* SEEK */
        int drv = c[1] & 1, head = (c[1] >> 2) & 1;
        FloppyDrive *d = &s->drive[drv];
        d->track = op == 0x07 ? 0 : c[2];
        d->head = (uint8_t)head;
        if (d->blk)
            d->changed = false;                 /* a step clears disk change */
        s->sense_st0 = ST0_SEEK_END | fdc_st0(drv, head);
        s->sense_pcn = d->track;
        s->sense_valid = true;
        s->reset_senses = 0;
        fdc_result(s, NULL, 0);
        fdc_raise(s);
        return;
    }
    case 0x08: {                                /* SENSE INTERRUPT STATUS */
        uint8_t r[2];
        if (s->reset_senses) {
            int drv = 4 - s->reset_senses;
            r[0] = (uint8_t)(0xc0 | drv);
            r[1] = drv < 2 ? s->drive[drv].track : 0;
            s->reset_senses--;
        } else if (s->sense_valid) {
            r[0] = s->sense_st0;
            r[1] = s->sense_pcn;
            s->sense_valid = false;
        } else {
            r[0] = ST0_INVALID;
            fdc_result(s, r, 1);
            return;
        }
        fdc_lower(s);
        fdc_result(s, r, 2);
        return;
    }
    case 0x0a: {                                /* READ ID */
        int drv = c[1] & 1, head = (c[1] >> 2) & 1;
        FloppyDrive *d = &s->drive[drv];
        if (!d->blk)
            fdc_rw_result(s, fdc_st0(drv, head) | ST0_ABNORMAL, ST1_MA, 0, d->track,
                          (uint8_t)head, 1, 2);
        else
            fdc_rw_result(s, fdc_st0(drv, head), 0, 0, d->track, (uint8_t)head, 1, 2);
        return;
    }
    case 0x0d:                                  /* FORMAT TRACK */
        fdc_format(s);
        return;
    case 0x0e: {                                /* DUMPREG */
        uint8_t r[10] = { s->drive[0].track, s->drive[1].track, 0, 0, s->srt_hut, s->hlt_nd,
                          0, (uint8_t)((s->lock ? 0x80 : 0) | (s->perp & 0x7f)), s->config,
                          s->pretrk };
        fdc_result(s, r, 10);
        return;
    }
    case 0x10: {                                /* VERSION */
        uint8_t r = 0x90;                       /* 82077AA */
        fdc_result(s, &r, 1);
        return;
    }
    case 0x12:                                  /* PERPENDICULAR MODE */
        s->perp = c[1];
        fdc_result(s, NULL, 0);
        return;
    case 0x13:                                  /* CONFIGURE */
        s->config = c[2];
        s->pretrk = c[3];
        fdc_result(s, NULL, 0);
        return;
    case 0x14: {                                /* LOCK (bit 7 of the opcode) */
        s->lock = c[0] & 0x80;
        uint8_t r = s->lock ? 0x10 : 0;
        fdc_result(s, &r, 1);
        return;
    }
    default: {
        uint8_t r = ST0_INVALID;
        fdc_result(s, &r, 1);
        return;
    }
    }
}

/* -------------------------------------------------------------- ports */

static uint8_t fdc_msr(FDCState *s)
{
    if (!(s->dor & DOR_NRESET))
        return 0;
    if (s->phase == PH_RESULT)
        return MSR_RQM | MSR_DIO | MSR_CB;
    return MSR_RQM | (s->cmd_pos ? MSR_CB : 0);
}

static uint32_t fdc_read(void *opaque, uint16_t port, int size)
{
    FDCState *s = opaque;
    switch (port - s->base) {
    case 0: return 0xff;                        /* SRA: AT mode */
    case 1: return 0xff;                        /* SRB */
    case 2: return s->dor;
    case 3: return s->tdr;
    case 4: return fdc_msr(s);
    case 5:
        if (s->phase != PH_RESULT)
            return 0;
        if (s->res_pos == 0 && s->irq_on_result) {
            s->irq_on_result = false;
            fdc_lower(s);
        }
        {
            uint8_t v = s->res[s->res_pos++];
            if (s->res_pos >= s->res_len) {
                s->phase = PH_CMD;
                s->res_len = s->res_pos = 0;
            }
            return v;
        }
    case 7: {                                   /* DIR */
        FloppyDrive *d = &s->drive[s->dor & 1];
        return d->changed ? 0x80 : 0x00;
    }
    }
    return 0xff;
}

static void fdc_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    FDCState *s = opaque;
    uint8_t v = (uint8_t)value;
    switch (port - s->base) {
    case 2: {                                   /* DOR */
        bool was_reset = !(s->dor & DOR_NRESET);
        s->dor = v;
        if (!(v & DOR_NRESET)) {
            fdc_soft_reset(s);
        } else if (was_reset) {
            fdc_reset_done(s);
        }
        fdc_update_irq(s);
        return;
    }
    case 3:
        s->tdr = v & 3;
        return;
    case 4:                                     /* DSR */
        s->dsr = v & 0x7f;
        s->ccr = v & 3;
        if (v & 0x80) {                         /* self-clearing software reset */
            fdc_soft_reset(s);
            fdc_reset_done(s);
        }
        return;
    case 5:                                     /* FIFO */
        if (!(s->dor & DOR_NRESET))
            return;
        if (s->phase == PH_RESULT) {            /* a new command aborts the result */
            s->phase = PH_CMD;
            s->res_len = s->res_pos = 0;
        }
        if (s->cmd_pos == 0) {
            uint8_t len = fdc_cmd_len[v & 0x1f];
            s->cmd_len = len ? len : 1;
            if (s->irq_on_result) {
                s->irq_on_result = false;
                fdc_lower(s);
            }
        }
        s->cmd[s->cmd_pos++] = v;
        if (s->cmd_pos >= s->cmd_len) {
            s->cmd_pos = 0;
            fdc_execute(s);
        }
        return;
    case 7:                                     /* CCR */
        s->ccr = v & 3;
        return;
    }
}

static const IOPortOps fdc_ops = { .read = fdc_read, .write = fdc_write, .sizes = IO_SIZE_8 };

/* ------------------------------------------------------------- set-up */

bool fdc_attach(FDCState *s, int drive, BlockDev *blk, GError **errp)
{
    FloppyDrive *d = &s->drive[drive & 1];
    if (d->blk)
        block_close(d->blk);
    d->blk = NULL;
    if (!blk)
        return true;
    for (size_t i = 0; i < G_N_ELEMENTS(fdc_formats); i++) {
        if (fdc_formats[i].bytes == block_size(blk)) {
            d->blk = blk;
            d->cyls = fdc_formats[i].cyls;
            d->heads = fdc_formats[i].heads;
            d->spt = fdc_formats[i].spt;
            d->changed = true;
            return true;
        }
    }
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "floppy image '%s' is %llu bytes: not a floppy format (1.44 MB = 1474560, "
                "720 KB = 737280, 1.2 MB, 360 KB or 2.88 MB)", block_path(blk),
                (unsigned long long)block_size(blk));
    block_close(blk);
    return false;
}

void fdc_reset(FDCState *s)
{
    s->dor = DOR_NRESET | DOR_DMAEN;
    s->tdr = 0;
    s->dsr = s->ccr = 0;
    s->lock = false;
    s->srt_hut = s->hlt_nd = 0;
    fdc_soft_reset(s);
    s->reset_senses = 0;
    for (int i = 0; i < 2; i++) {
        s->drive[i].track = 0;
        s->drive[i].head = 0;
    }
}

void fdc_free(FDCState *s)
{
    if (!s)
        return;
    block_close(s->drive[0].blk);
    block_close(s->drive[1].blk);
    g_free(s);
}

FDCState *fdc_init(const Buses *b, uint16_t base, IrqLine *irq, I8237State *dma, int dma_chan,
                   const DriveSpec *drives, GError **errp)
{
    FDCState *s = g_new0(FDCState, 1);
    s->buses = *b;
    s->irq = irq;
    s->dma = dma;
    s->dma_chan = dma_chan;
    s->base = base;
    for (int i = 0; drives && i < 2; i++) {
        if (!drives[i].file)
            continue;
        BlockDev *blk = block_open_drive(&drives[i], errp);
        if (!blk || !fdc_attach(s, i, blk, errp)) {
            fdc_free(s);
            return NULL;
        }
    }
    if (!ioport_register(b->io, base, 6, &fdc_ops, s, "fdc") ||
        !ioport_register(b->io, base + 7, 1, &fdc_ops, s, "fdc")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "fdc: ports 0x%x-0x%x are already in use", base, base + 7);
        fdc_free(s);
        return NULL;
    }
    fdc_reset(s);
    host_register_device(b->host, s, (void (*)(void *))fdc_free, (void (*)(void *))fdc_reset);
    host_register_state(b->host, &fdc_vmsd, s);
    return s;
}

BlockDev *fdc_medium(FDCState *s, int drive)
{
    return s->drive[drive & 1].blk;
}

bool fdc_change_medium(FDCState *s, int drive, BlockDev *blk, GError **errp)
{
    bool ok = fdc_attach(s, drive, blk, errp);
    s->drive[drive & 1].changed = true;         /* DIR bit 7 until a seek */
    return ok;
}
