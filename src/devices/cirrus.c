/*
 * cirrus.c - the Cirrus Logic CL-GD5446 PCI VGA (1013:00B8) on top of the
 * IBM VGA of vga.c, which it extends through a VGAExtension (vga.h).
 *
 * References: Cirrus Logic "CL-GD5446 Technical Reference Manual" (the
 * extended sequencer SR6-SR1F, graphics GR9-GR3F and CRTC CR19-CR27
 * registers, the BitBLT engine of chapter 9 and its memory-mapped
 * registers), and the register use of the Linux cirrusfb and cirrus DRM
 * drivers and of SeaVGABIOS's clext.c (vgabios-cirrus.bin).
 *
 * What is here:
 * - SR6 unlock (write 0x12: reads 0x12, anything else: 0x0F); SR7
 *   extended packed-pixel modes (bit 0) with the depth in bits 3:1
 *   (0 = 8 bpp, 1 = 16 bpp at double clock, 2 = 24, 3 = 15/16 by the
 *   hidden DAC bit 0, 4 = 32); SR0F/SR15/SR1F memory straps (4 MiB,
 *   bank swap, the read-back SeaVGABIOS sizes memory from); SR17 (PCI bus
 *   type; bit 2 = BitBLT registers at 0xB8000); CR27 = 0xB8 (GD5446 ID).
 * - The hidden DAC: four reads of 0x3C6, then the next 0x3C6 access
 *   reaches it; any other port access starts the count again.
 * - Scan-out of extended modes: width (CR1 + 1) * 8, height from CR12/CR7
 *   (CR1A bit 0 interlace doubles it), pitch (CR13 | CR1B bit 4 << 8) * 8,
 *   start address in dwords from CR0D, CR0C, CR1B bits 0,2,3 and CR1D bit 7;
 *   vga.c's vga_render() draws it (VGAScanout).
 * - The 0xA0000 window in extended modes: 64 KiB, one bank (GR9) or two
 *   32 KiB ones (GRB bit 0: GR9 for 0xA0000, GRA for 0xA8000) with 4 KiB or
 *   (GRB bit 5) 16 KiB granularity.
 * - BAR0: the framebuffer (32 MiB, the 4 MiB aliased); BAR1: 4 KiB of
 *   MMIO, offsets 0x00-0x3F = ports 0x3C0-0x3FF, 0x100-0x1FF = BitBLT
 *   registers (below).  BAR0 is MMIO, not RAM, so that the source data of
 *   a system-to-screen blit can be caught.
 * - BitBLT (GR20-GR3F, or the MMIO block): width-1 in bytes (GR20/21),
 *   height-1 (GR22/23), destination and source pitch (GR24/25, GR26/27),
 *   addresses (GR28-2A, GR2C-2E), mode GR30 (bit 0 backwards, 2 source
 *   from system memory, 3 transparency, 5:4 pixel width 1-4 bytes, 6 8x8
 *   pattern source, 7 colour expansion), GR31 start (bit 1) / reset (bit 2)
 *   / busy (bit 0), ROP GR32 (the 16 Cirrus raster operations), GR33
 *   (bit 0 dword-aligned expansion rows, 1 inverted transparency, 2 solid
 *   fill with the foreground colour), transparent colour GR34/35.
 *   Colours: background GR0, GR10, GR12, GR14; foreground GR1, GR11, GR13,
 *   GR15 (bytes 0-3).  A blit from video memory runs at once when started;
 *   one from system memory takes its source from CPU writes to the
 *   framebuffer (BAR0 or the 0xA0000 window), a row at a time.
 * - Every blit is checked against the video memory before it runs: one
 *   whose source or destination reaches outside the 4 MiB is refused
 *   (-d guest_errors) and nothing is written; each byte access is also
 *   bounded on its own.
 *
 * - The hardware cursor (SR12, SR13, SR10/SR11 and the extended DAC
 *   colours 0 and 15 that SR12 bit 1 opens), drawn over vga_render()'s
 *   frame (VGAExtension.overlay).
 *
 * Not emulated: extended write modes 4/5 of the window, screen-to-system
 * blits, the video window, DDC, interlace timing.
 */
#include <stdio.h>
#include <string.h>
#include "bus/buses.h"
#include "devices/cirrus.h"
#include "devices/pci.h"
#include "util/log.h"

#define CIRRUS_BLT_MAX_ROW 8192         /* GR20/21: 13 bits of width */

struct CirrusState {
    Buses buses;
    VGAState *vga;
    uint8_t *vram;                      /* vga_vram(): the first 4 MiB are ours */
    uint8_t sr_index, gr_index, cr_index;   /* the full 8-bit indices */
    uint8_t sr[0x20];
    uint8_t gr[0x40];                   /* GR0/GR1 copies, GR9-GR3F */
    uint8_t cr[0x40];
    uint8_t hidden_dac;
    uint8_t dac_reads;                  /* consecutive reads of 0x3C6 */
    /* hardware cursor */
    uint16_t cursor_x, cursor_y;        /* SR10/SR11 with the index's bits 7:5 */
    uint8_t cursor_pal[16 * 3];         /* extended DAC entries (SR12 bit 1): 0 bg, 15 fg */
    uint8_t cursor_dac_w, cursor_dac_r, cursor_dac_sub;
    bool blt_busy;                      /* a system-source blit waits for data */
    /* a system-to-screen blit in progress */
    uint8_t row[CIRRUS_BLT_MAX_ROW];
    uint32_t row_bytes, row_fill, row_y;
    unsigned rejected;
    PCIDevice *pci;
};

/* saved state (bus/vmstate.h): "cirrus", after the "vga" section of its
 * VGA core (registered first, by vga_init_core): the extended SR/GR/CR
 * registers with their full indices, the hidden DAC, the hardware cursor
 * and its palette, a system-to-screen blit in progress (its row buffer
 * and position).  The VRAM is the VGA's; the BARs are "pci-dev"'s;
 * `rejected` is a statistic for the tests, not guest state. */
static bool cirrus_post_load(void *opaque, int version, GError **errp)
{
    CirrusState *s = opaque;
    if (s->row_bytes > CIRRUS_BLT_MAX_ROW || s->row_fill >= CIRRUS_BLT_MAX_ROW ||
        (s->blt_busy && s->row_fill >= s->row_bytes) || s->cursor_dac_sub > 2 ||
        s->dac_reads > 4) {
        g_set_error(errp, VMSTATE_ERROR, 0, "cirrus: blit row %u/%u, cursor DAC %u or "
                    "hidden DAC count %u out of range", s->row_fill, s->row_bytes,
                    s->cursor_dac_sub, s->dac_reads);
        return false;
    }
    return true;
}

static const VMStateField cirrus_fields[] = {
    VMS_U8(CirrusState, sr_index, 1),
    VMS_U8(CirrusState, gr_index, 1),
    VMS_U8(CirrusState, cr_index, 1),
    VMS_BYTES(CirrusState, sr, 1),
    VMS_BYTES(CirrusState, gr, 1),
    VMS_BYTES(CirrusState, cr, 1),
    VMS_U8(CirrusState, hidden_dac, 1),
    VMS_U8(CirrusState, dac_reads, 1),
    VMS_U16(CirrusState, cursor_x, 1),
    VMS_U16(CirrusState, cursor_y, 1),
    VMS_BYTES(CirrusState, cursor_pal, 1),
    VMS_U8(CirrusState, cursor_dac_w, 1),
    VMS_U8(CirrusState, cursor_dac_r, 1),
    VMS_U8(CirrusState, cursor_dac_sub, 1),
    VMS_BOOL(CirrusState, blt_busy, 1),
    VMS_BYTES(CirrusState, row, 1),
    VMS_U32(CirrusState, row_bytes, 1),
    VMS_U32(CirrusState, row_fill, 1),
    VMS_U32(CirrusState, row_y, 1),
    VMS_END
};
const VMStateDesc cirrus_vmsd = { .name = "cirrus", .version = 1, .min_version = 1,
                                  .fields = cirrus_fields, .post_load = cirrus_post_load };
const size_t cirrus_state_size = sizeof(CirrusState);

/* the current blit, decoded from the registers */
typedef struct CirrusBlit {
    uint32_t width, height;             /* bytes, rows */
    uint32_t dpitch, spitch;
    uint32_t dst, src;
    uint8_t mode, rop, modeext;
    unsigned bpp;                       /* bytes per pixel, 1-4 */
    uint8_t fg[4], bg[4];
} CirrusBlit;

/* ------------------------------------------------------------------ */
/* video memory, bounded                                                */

static inline uint8_t cirrus_vram_rd(CirrusState *s, uint64_t a)
{
    return a < CIRRUS_VRAM_SIZE ? s->vram[a] : 0xff;
}

static inline void cirrus_vram_wr(CirrusState *s, uint64_t a, uint8_t v)
{
    if (a < CIRRUS_VRAM_SIZE)
        s->vram[a] = v;
}

/* ------------------------------------------------------------------ */
/* the BitBLT engine                                                    */

/* the 16 raster operations, by their Cirrus codes (GR32) */
static uint8_t cirrus_rop(uint8_t rop, uint8_t src, uint8_t dst)
{
    switch (rop) {
    case 0x00: return 0;                        /* 0 */
    case 0x05: return src & dst;                /* S and D */
    case 0x06: return dst;                      /* D */
    case 0x09: return src & ~dst;               /* S and not D */
    case 0x0B: return ~dst;                     /* not D */
    case 0x0D: return src;                      /* S */
    case 0x0E: return 0xff;                     /* 1 */
    case 0x50: return ~src & dst;               /* not S and D */
    case 0x59: return src ^ dst;                /* S xor D */
    case 0x6D: return src | dst;                /* S or D */
    case 0x90: return ~(src | dst);             /* not (S or D) */
    case 0x95: return ~(src ^ dst);             /* not (S xor D) */
    case 0xAD: return src | ~dst;               /* S or not D */
    case 0xD0: return ~src;                     /* not S */
    case 0xD6: return ~src | dst;               /* not S or D */
    case 0xDA: return ~(src & dst);             /* not (S and D) */
    default:   return src;
    }
}

static void cirrus_blit_decode(CirrusState *s, CirrusBlit *b)
{
    const uint8_t *g = s->gr;
    b->width = (g[0x20] | (g[0x21] & 0x1f) << 8) + 1;
    b->height = (g[0x22] | (g[0x23] & 0x07) << 8) + 1;
    b->dpitch = g[0x24] | (g[0x25] & 0x1f) << 8;
    b->spitch = g[0x26] | (g[0x27] & 0x1f) << 8;
    b->dst = g[0x28] | g[0x29] << 8 | (uint32_t)(g[0x2a] & 0x3f) << 16;
    b->src = g[0x2c] | g[0x2d] << 8 | (uint32_t)(g[0x2e] & 0x3f) << 16;
    b->mode = g[0x30];
    b->rop = g[0x32];
    b->modeext = g[0x33];
    b->bpp = ((b->mode >> 4) & 3) + 1;
    b->bg[0] = g[0x00]; b->bg[1] = g[0x10]; b->bg[2] = g[0x12]; b->bg[3] = g[0x14];
    b->fg[0] = g[0x01]; b->fg[1] = g[0x11]; b->fg[2] = g[0x13]; b->fg[3] = g[0x15];
}

/* is [lo, lo + len) inside the video memory? */
static bool cirrus_range_ok(int64_t lo, int64_t len)
{
    return lo >= 0 && len >= 0 && lo + len <= (int64_t)CIRRUS_VRAM_SIZE;
}

/* bytes of one row of colour-expansion bits for `pixels` pixels */
static uint32_t cirrus_expand_row_bytes(const CirrusBlit *b, uint32_t pixels)
{
    if (b->modeext & 0x01)
        return ((pixels + 31) / 32) * 4;
    return (pixels + 7) / 8;
}

/* byte x of row y of the destination */
static int64_t cirrus_dst_addr(const CirrusBlit *b, uint32_t x, uint32_t y)
{
    if (b->mode & 0x01)
        return (int64_t)b->dst - (int64_t)y * b->dpitch - x;
    return (int64_t)b->dst + (int64_t)y * b->dpitch + x;
}

/* check the destination, and the source in video memory, against vram */
static bool cirrus_blit_bounded(const CirrusBlit *b)
{
    int64_t span = (int64_t)(b->height - 1) * b->dpitch + b->width;
    int64_t dlo = (b->mode & 0x01) ? (int64_t)b->dst - span + 1 : (int64_t)b->dst;
    if (!cirrus_range_ok(dlo, span))
        return false;
    if (b->mode & 0x04)                 /* system memory: nothing to read in vram */
        return true;
    if (b->mode & 0x40) {               /* 8x8 pattern */
        uint32_t size = (b->mode & 0x80) ? 8 : 64 * b->bpp;
        return cirrus_range_ok(b->src & ~7u, size);
    }
    int64_t row = (b->mode & 0x80) ? cirrus_expand_row_bytes(b, b->width / b->bpp) : b->width;
    int64_t sspan = (int64_t)(b->height - 1) * b->spitch + row;
    int64_t slo = (b->mode & 0x01) ? (int64_t)b->src - sspan + 1 : (int64_t)b->src;
    return cirrus_range_ok(slo, sspan);
}

/* one destination row from colour-expansion bits (MSB first) */
static void cirrus_expand_row(CirrusState *s, const CirrusBlit *b, uint32_t y,
                              const uint8_t *bits, unsigned bitoff)
{
    uint32_t pixels = b->width / b->bpp;
    bool transp = b->mode & 0x08, inv = b->modeext & 0x02;
    for (uint32_t px = 0; px < pixels; px++) {
        unsigned n = bitoff + px;
        bool on = (b->modeext & 0x04) || (bits[(n / 8) % CIRRUS_BLT_MAX_ROW] >> (7 - n % 8) & 1);
        if (transp && on == (bool)inv)
            continue;
        const uint8_t *col = on ? b->fg : b->bg;
        for (unsigned k = 0; k < b->bpp; k++) {
            int64_t a = cirrus_dst_addr(b, px * b->bpp + k, y);
            cirrus_vram_wr(s, a, cirrus_rop(b->rop, col[k], cirrus_vram_rd(s, a)));
        }
    }
}

/* one destination row from source bytes (straight copy with the ROP) */
static void cirrus_copy_row(CirrusState *s, const CirrusBlit *b, uint32_t y,
                            const uint8_t *src, int64_t vsrc, int dir)
{
    bool transp = (b->mode & 0x08) && b->bpp <= 2;
    uint16_t key = s->gr[0x34] | s->gr[0x35] << 8;
    for (uint32_t x = 0; x < b->width; x += b->bpp) {
        uint8_t px[4];
        for (unsigned k = 0; k < b->bpp && x + k < b->width; k++)
            px[k] = src ? src[x + k] : cirrus_vram_rd(s, vsrc + dir * (int64_t)(x + k));
        if (transp) {
            uint16_t v = b->bpp == 1 ? px[0] : (uint16_t)(px[0] | px[1] << 8);
            if (v == (b->bpp == 1 ? (key & 0xff) : key))
                continue;
        }
        for (unsigned k = 0; k < b->bpp && x + k < b->width; k++) {
            int64_t a = cirrus_dst_addr(b, x + k, y);
            cirrus_vram_wr(s, a, cirrus_rop(b->rop, px[k], cirrus_vram_rd(s, a)));
        }
    }
}

/* a blit whose source is video memory or a pattern: all of it now */
static void cirrus_blit_vram(CirrusState *s, const CirrusBlit *b)
{
    int dir = (b->mode & 0x01) ? -1 : 1;
    for (uint32_t y = 0; y < b->height; y++) {
        if (b->mode & 0x40) {           /* 8x8 pattern, rows from the source's low bits */
            unsigned prow = (y + (b->src & 7)) & 7;
            if (b->mode & 0x80) {
                uint8_t bits[CIRRUS_BLT_MAX_ROW / 8 + 1];
                uint8_t pat = cirrus_vram_rd(s, (b->src & ~7u) + prow);
                memset(bits, pat, sizeof(bits));    /* the 8 pixels repeat along the row */
                cirrus_expand_row(s, b, y, bits, 0);
            } else {
                uint8_t line[CIRRUS_BLT_MAX_ROW];
                uint32_t base = (b->src & ~7u) + prow * 8 * b->bpp;
                for (uint32_t x = 0; x < b->width; x++)
                    line[x] = cirrus_vram_rd(s, base + (x % (8 * b->bpp)));
                cirrus_copy_row(s, b, y, line, 0, 1);
            }
        } else if (b->mode & 0x80) {    /* colour expansion from video memory */
            uint8_t bits[CIRRUS_BLT_MAX_ROW / 8 + 1];
            uint32_t n = cirrus_expand_row_bytes(b, b->width / b->bpp);
            for (uint32_t i = 0; i < n && i < sizeof(bits); i++)
                bits[i] = cirrus_vram_rd(s, (int64_t)b->src + (int64_t)y * b->spitch + i);
            cirrus_expand_row(s, b, y, bits, 0);
        } else {                        /* screen to screen */
            int64_t row = (int64_t)b->src + dir * (int64_t)y * b->spitch;
            cirrus_copy_row(s, b, y, NULL, row, dir);
        }
    }
}

static void cirrus_blit_end(CirrusState *s)
{
    s->blt_busy = false;
    s->gr[0x31] &= ~0x03;
}

static void cirrus_blit_start(CirrusState *s)
{
    CirrusBlit b;
    cirrus_blit_decode(s, &b);
    if (!cirrus_blit_bounded(&b)) {
        s->rejected++;
        if (log_enabled(LOG_GUEST_ERRORS))
            log_printf("cirrus: blit outside video memory refused (dst %06x src %06x "
                       "%ux%u pitch %u/%u mode %02x)\n", b.dst, b.src, b.width, b.height,
                       b.dpitch, b.spitch, b.mode);
        cirrus_blit_end(s);
        return;
    }
    if (b.mode & 0x02) {                /* screen to system memory: not emulated */
        if (log_enabled(LOG_UNIMP))
            log_printf("cirrus: screen-to-system blit ignored\n");
        cirrus_blit_end(s);
        return;
    }
    if (b.mode & 0x04) {                /* the CPU supplies the source row by row */
        s->row_bytes = (b.mode & 0x80) ? cirrus_expand_row_bytes(&b, b.width / b.bpp)
                                       : (b.width + 3) & ~3u;
        if (s->row_bytes > CIRRUS_BLT_MAX_ROW)
            s->row_bytes = CIRRUS_BLT_MAX_ROW;
        s->row_fill = s->row_y = 0;
        s->blt_busy = true;
        s->gr[0x31] |= 0x01;
        return;
    }
    cirrus_blit_vram(s, &b);
    cirrus_blit_end(s);
}

/* a byte of system-memory source data (a CPU write to the framebuffer) */
static void cirrus_blit_feed(CirrusState *s, uint8_t v)
{
    if (!s->blt_busy)
        return;
    s->row[s->row_fill++] = v;
    if (s->row_fill < s->row_bytes)
        return;
    CirrusBlit b;
    cirrus_blit_decode(s, &b);
    if (b.mode & 0x80)
        cirrus_expand_row(s, &b, s->row_y, s->row, 0);
    else
        cirrus_copy_row(s, &b, s->row_y, s->row, 0, 1);
    s->row_fill = 0;
    if (++s->row_y >= b.height)
        cirrus_blit_end(s);
}

static void cirrus_gr31_write(CirrusState *s, uint8_t v)
{
    if (v & 0x04) {                     /* reset: abandon the blit */
        cirrus_blit_end(s);
        s->gr[0x31] = v & ~0x07;
        return;
    }
    s->gr[0x31] = (s->gr[0x31] & 0x01) | (v & ~0x01);
    if ((v & 0x02) && !s->blt_busy)
        cirrus_blit_start(s);
}

/* ------------------------------------------------------------------ */
/* extended registers                                                   */

static void cirrus_gr_write(CirrusState *s, uint8_t idx, uint8_t v)
{
    if (idx >= sizeof(s->gr))
        return;
    if (idx == 0x31) {
        cirrus_gr31_write(s, v);
        return;
    }
    s->gr[idx] = v;
}

static uint8_t cirrus_gr_read(CirrusState *s, uint8_t idx)
{
    if (idx >= sizeof(s->gr))
        return 0xff;
    if (idx == 0x31)
        return (s->gr[0x31] & ~0x01) | (s->blt_busy ? 0x01 : 0);
    return s->gr[idx];
}

static void cirrus_sr_write(CirrusState *s, uint8_t idx, uint8_t v)
{
    switch (idx & 0x1f) {
    case 0x06:
        s->sr[6] = (v & 0x17) == 0x12 ? 0x12 : 0x0f;
        break;
    case 0x0f:                          /* memory straps are read only */
        s->sr[0x0f] = (v & ~0x98) | 0x98;
        break;
    case 0x17:                          /* bus type (bits 5:3) is read only */
        s->sr[0x17] = (v & ~0x38) | 0x20;
        break;
    case 0x10: case 0x11:               /* cursor position: index bits 7:5 are its low bits */
        s->sr[idx & 0x1f] = v;
        if ((idx & 0x1f) == 0x10)
            s->cursor_x = (uint16_t)(v << 3 | idx >> 5);
        else
            s->cursor_y = (uint16_t)(v << 3 | idx >> 5);
        break;
    default:
        if (idx < sizeof(s->sr))
            s->sr[idx] = v;
        break;
    }
}

static uint8_t cirrus_sr_read(CirrusState *s, uint8_t idx)
{
    if ((idx & 0x1f) == 0x10 || (idx & 0x1f) == 0x11)
        return s->sr[idx & 0x1f];
    return idx < sizeof(s->sr) ? s->sr[idx] : 0xff;
}

static bool cirrus_io_read(void *opaque, uint16_t port, uint8_t *val)
{
    CirrusState *s = opaque;
    if (port == 0x3C6) {                /* four reads open the hidden DAC */
        if (s->dac_reads == 4) {
            s->dac_reads = 0;
            *val = s->hidden_dac;
            return true;
        }
        s->dac_reads++;
        return false;
    }
    s->dac_reads = 0;
    if (port == 0x3C9 && (s->sr[0x12] & 0x02)) {    /* the cursor's colours */
        *val = s->cursor_pal[(s->cursor_dac_r & 0x0f) * 3 + s->cursor_dac_sub];
        if (++s->cursor_dac_sub == 3) {
            s->cursor_dac_sub = 0;
            s->cursor_dac_r++;
        }
        return true;
    }
    switch (port) {
    case 0x3C4:
        *val = s->sr_index;
        return true;
    case 0x3C5:
        if (s->sr_index < 6)
            return false;
        *val = cirrus_sr_read(s, s->sr_index);
        return true;
    case 0x3CE:
        *val = s->gr_index;
        return true;
    case 0x3CF:
        if (s->gr_index < 9)
            return false;
        *val = cirrus_gr_read(s, s->gr_index);
        return true;
    case 0x3B4: case 0x3D4:
        *val = s->cr_index;
        return true;
    case 0x3B5: case 0x3D5:
        if (s->cr_index < 0x19)
            return false;
        if (s->cr_index == 0x27)
            *val = CIRRUS_PCI_DEVICE;   /* ID 0x2E << 2 | revision: GD5446 */
        else
            *val = s->cr_index < sizeof(s->cr) ? s->cr[s->cr_index] : 0xff;
        return true;
    default:
        return false;
    }
}

static bool cirrus_io_write(void *opaque, uint16_t port, uint8_t v)
{
    CirrusState *s = opaque;
    if (port == 0x3C6 && s->dac_reads == 4) {
        s->dac_reads = 0;
        s->hidden_dac = v;
        return true;
    }
    s->dac_reads = 0;
    if (s->sr[0x12] & 0x02) {           /* DAC accesses reach the cursor's colours */
        switch (port) {
        case 0x3C7: s->cursor_dac_r = v; s->cursor_dac_sub = 0; return false;
        case 0x3C8: s->cursor_dac_w = v; s->cursor_dac_sub = 0; return false;
        case 0x3C9:
            s->cursor_pal[(s->cursor_dac_w & 0x0f) * 3 + s->cursor_dac_sub] = v & 0x3f;
            if (++s->cursor_dac_sub == 3) {
                s->cursor_dac_sub = 0;
                s->cursor_dac_w++;
            }
            return true;
        default: break;
        }
    }
    switch (port) {
    case 0x3C4:
        s->sr_index = v;
        return false;                   /* the VGA keeps its (masked) copy */
    case 0x3C5:
        if (s->sr_index < 6)
            return false;
        cirrus_sr_write(s, s->sr_index, v);
        return true;
    case 0x3CE:
        s->gr_index = v;
        return false;
    case 0x3CF:
        if (s->gr_index < 2)
            s->gr[s->gr_index] = v;     /* the blitter's colour byte 0; the VGA's too */
        if (s->gr_index < 9)
            return false;
        cirrus_gr_write(s, s->gr_index, v);
        return true;
    case 0x3B4: case 0x3D4:
        s->cr_index = v;
        return false;
    case 0x3B5: case 0x3D5:
        if (s->cr_index < 0x19)
            return false;
        if (s->cr_index < sizeof(s->cr) && s->cr_index != 0x27)
            s->cr[s->cr_index] = v;
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* memory: the 0xA0000 window, BAR0, BAR1                               */

static bool cirrus_extended(CirrusState *s)
{
    return s->sr[7] & 0x01;
}

/* BitBLT registers in MMIO order (offset 0x00-0x40 of the block) -> GR index */
static int cirrus_blt_reg(uint32_t off)
{
    static const uint8_t map[0x22] = {
        [0x00] = 0x00 | 0x80, [0x01] = 0x10 | 0x80, [0x02] = 0x12 | 0x80, [0x03] = 0x14 | 0x80,
        [0x04] = 0x01 | 0x80, [0x05] = 0x11 | 0x80, [0x06] = 0x13 | 0x80, [0x07] = 0x15 | 0x80,
        [0x08] = 0x20 | 0x80, [0x09] = 0x21 | 0x80, [0x0a] = 0x22 | 0x80, [0x0b] = 0x23 | 0x80,
        [0x0c] = 0x24 | 0x80, [0x0d] = 0x25 | 0x80, [0x0e] = 0x26 | 0x80, [0x0f] = 0x27 | 0x80,
        [0x10] = 0x28 | 0x80, [0x11] = 0x29 | 0x80, [0x12] = 0x2a | 0x80,
        [0x14] = 0x2c | 0x80, [0x15] = 0x2d | 0x80, [0x16] = 0x2e | 0x80,
        [0x17] = 0x2f | 0x80, [0x18] = 0x30 | 0x80, [0x1a] = 0x32 | 0x80,
        [0x1b] = 0x33 | 0x80, [0x1c] = 0x34 | 0x80, [0x1d] = 0x35 | 0x80,
        [0x20] = 0x38 | 0x80, [0x21] = 0x39 | 0x80,
    };
    if (off == 0x40)
        return 0x31;
    if (off < sizeof(map) && map[off])
        return map[off] & 0x7f;
    return -1;
}

static uint8_t cirrus_blt_readb(CirrusState *s, uint32_t off)
{
    int r = cirrus_blt_reg(off);
    return r < 0 ? 0xff : cirrus_gr_read(s, (uint8_t)r);
}

static void cirrus_blt_writeb(CirrusState *s, uint32_t off, uint8_t v)
{
    int r = cirrus_blt_reg(off);
    if (r >= 0)
        cirrus_gr_write(s, (uint8_t)r, v);
}

/* window offset -> video memory address in an extended mode, or -1 */
static int64_t cirrus_bank_addr(CirrusState *s, uint32_t off)
{
    if (off >= 0x10000)
        return -1;
    unsigned bank = s->gr[0x09];
    if ((s->gr[0x0b] & 0x01) && off >= 0x8000) {
        bank = s->gr[0x0a];
        off -= 0x8000;
    }
    uint32_t gran = (s->gr[0x0b] & 0x20) ? 0x4000 : 0x1000;
    return ((int64_t)bank * gran + off) & (CIRRUS_VRAM_SIZE - 1);
}

static bool cirrus_mem_read(void *opaque, uint32_t off, uint8_t *val)
{
    CirrusState *s = opaque;
    if ((s->sr[0x17] & 0x04) && off >= 0x18000 && off < 0x18100) {
        *val = cirrus_blt_readb(s, off - 0x18000);
        return true;
    }
    if (!cirrus_extended(s))
        return false;
    int64_t a = cirrus_bank_addr(s, off);
    *val = a < 0 ? 0xff : cirrus_vram_rd(s, a);
    return true;
}

static bool cirrus_mem_write(void *opaque, uint32_t off, uint8_t v)
{
    CirrusState *s = opaque;
    if ((s->sr[0x17] & 0x04) && off >= 0x18000 && off < 0x18100) {
        cirrus_blt_writeb(s, off - 0x18000, v);
        return true;
    }
    if (s->blt_busy && off < 0x10000) {
        cirrus_blit_feed(s, v);
        return true;
    }
    if (!cirrus_extended(s))
        return false;
    int64_t a = cirrus_bank_addr(s, off);
    if (a >= 0)
        cirrus_vram_wr(s, a, v);
    return true;
}

uint32_t cirrus_lfb_read(CirrusState *s, uint32_t off, int size)
{
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)cirrus_vram_rd(s, (off + i) & (CIRRUS_VRAM_SIZE - 1)) << (8 * i);
    return v;
}

void cirrus_lfb_write(CirrusState *s, uint32_t off, uint32_t v, int size)
{
    if (s->blt_busy) {                  /* the whole access is blit source data */
        for (int i = 0; i < size; i++)
            cirrus_blit_feed(s, (v >> (8 * i)) & 0xff);
        return;
    }
    for (int i = 0; i < size; i++)
        cirrus_vram_wr(s, (off + i) & (CIRRUS_VRAM_SIZE - 1), (v >> (8 * i)) & 0xff);
}

uint32_t cirrus_mmio_read(CirrusState *s, uint32_t off, int size)
{
    uint32_t v = 0;
    for (int i = 0; i < size; i++) {
        uint32_t o = off + i;
        uint8_t b = 0xff;
        if (o < 0x40)
            b = vga_port_read(s->vga, (uint16_t)(0x3C0 + o));
        else if (o >= 0x100 && o < 0x200)
            b = cirrus_blt_readb(s, o - 0x100);
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

void cirrus_mmio_write(CirrusState *s, uint32_t off, uint32_t v, int size)
{
    for (int i = 0; i < size; i++) {
        uint32_t o = off + i;
        uint8_t b = (v >> (8 * i)) & 0xff;
        if (o < 0x40)
            vga_port_write(s->vga, (uint16_t)(0x3C0 + o), b);
        else if (o >= 0x100 && o < 0x200)
            cirrus_blt_writeb(s, o - 0x100, b);
    }
}

static uint32_t cirrus_lfb_mem_read(void *opaque, uint32_t off, int size)
{
    return cirrus_lfb_read(opaque, off, size);
}

static void cirrus_lfb_mem_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    cirrus_lfb_write(opaque, off, v, size);
}

static uint32_t cirrus_mmio_mem_read(void *opaque, uint32_t off, int size)
{
    return cirrus_mmio_read(opaque, off, size);
}

static void cirrus_mmio_mem_write(void *opaque, uint32_t off, uint32_t v, int size)
{
    cirrus_mmio_write(opaque, off, v, size);
}

static const MemOps cirrus_lfb_ops = {
    .read = cirrus_lfb_mem_read,
    .write = cirrus_lfb_mem_write,
};

static const MemOps cirrus_mmio_ops = {
    .read = cirrus_mmio_mem_read,
    .write = cirrus_mmio_mem_write,
};

/* ------------------------------------------------------------------ */
/* scan-out                                                             */

static unsigned cirrus_bpp(CirrusState *s)
{
    switch (s->sr[7] & 0x0e) {
    case 0x00: return 8;
    case 0x02: return 16;               /* 16 bpp at double clock */
    case 0x04: return 24;
    case 0x06: return (s->hidden_dac & 0x01) ? 16 : 15;
    case 0x08: return 32;
    default:   return 0;
    }
}

static bool cirrus_scanout(void *opaque, VGAScanout *so)
{
    CirrusState *s = opaque;
    if (!cirrus_extended(s))
        return false;
    unsigned bpp = cirrus_bpp(s);
    if (!bpp)
        return false;
    VGAState *v = s->vga;
    unsigned cr7 = vga_reg(v, VGA_REG_CRTC, 7);
    unsigned h = (vga_reg(v, VGA_REG_CRTC, 0x12) | (cr7 & 0x02) << 7 | (cr7 & 0x40) << 3) + 1;
    if (s->cr[0x1a] & 0x01)
        h *= 2;
    so->bpp = bpp;
    so->width = (vga_reg(v, VGA_REG_CRTC, 1) + 1) * 8;
    so->height = h;
    so->pitch = (vga_reg(v, VGA_REG_CRTC, 0x13) | (s->cr[0x1b] & 0x10) << 4) * 8;
    uint32_t start = vga_reg(v, VGA_REG_CRTC, 0x0d) | vga_reg(v, VGA_REG_CRTC, 0x0c) << 8 |
                     (uint32_t)(s->cr[0x1b] & 0x01) << 16 | (uint32_t)(s->cr[0x1b] & 0x0c) << 15 |
                     (uint32_t)(s->cr[0x1d] & 0x80) << 12;
    so->start = (start * 4) & (CIRRUS_VRAM_SIZE - 1);
    so->limit = CIRRUS_VRAM_SIZE;
    return true;
}

/* the hardware cursor (SR12 bit 0; bit 2 = 64x64, else 32x32) over the
 * frame: its two bit planes sit in the last 16 KiB of video memory, the
 * pattern SR13 chooses (32x32: 256 bytes, plane 0 in the first 128, 4 bytes
 * a row; 64x64: 1 KiB, 16 bytes a row, plane 0 in the first 8).  Plane
 * bits (1, 0): 00 transparent, 01 inverted, 10 colour 0, 11 colour 1
 * (extended DAC entries 0 and 15). */
static void cirrus_overlay(void *opaque, VGAImage *img)
{
    CirrusState *s = opaque;
    if (!(s->sr[0x12] & 0x01) || !cirrus_extended(s))
        return;
    bool large = s->sr[0x12] & 0x04;
    unsigned size = large ? 64 : 32, row = large ? 16 : 4, poff = large ? 8 : 128;
    uint32_t base = CIRRUS_VRAM_SIZE - 16384 + (s->sr[0x13] & (large ? 0x3c : 0x3f)) * 256u;
    uint8_t col[2][3];
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 3; k++)
            col[c][k] = (uint8_t)(s->cursor_pal[(c ? 15 : 0) * 3 + k] * 255 / 63);
    for (unsigned y = 0; y < size; y++) {
        unsigned sy = s->cursor_y + y;
        if (sy >= (unsigned)img->height)
            break;
        const uint8_t *p = s->vram + base + y * row;
        for (unsigned x = 0; x < size; x++) {
            unsigned sx = s->cursor_x + x;
            if (sx >= (unsigned)img->width)
                break;
            unsigned b0 = p[x / 8] >> (7 - x % 8) & 1, b1 = p[poff + x / 8] >> (7 - x % 8) & 1;
            uint8_t *px = img->rgb + ((size_t)sy * img->width + sx) * 3;
            if (b1) {
                memcpy(px, col[b0], 3);
            } else if (b0) {
                for (int k = 0; k < 3; k++)
                    px[k] ^= 0xff;
            }
        }
    }
}

static const VGAExtension cirrus_ext = {
    .io_read = cirrus_io_read,
    .io_write = cirrus_io_write,
    .mem_read = cirrus_mem_read,
    .mem_write = cirrus_mem_write,
    .scanout = cirrus_scanout,
    .overlay = cirrus_overlay,
};

/* ------------------------------------------------------------------ */
/* life cycle                                                          */

static void cirrus_reset(void *opaque)
{
    CirrusState *s = opaque;
    s->sr_index = s->gr_index = s->cr_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->cr, 0, sizeof(s->cr));
    s->sr[0x06] = 0x0f;                 /* locked */
    s->sr[0x0f] = 0x98;                 /* 32-bit bus, 4 MiB (with bank swap) */
    s->sr[0x15] = 0x04;
    s->sr[0x17] = 0x20;                 /* PCI */
    s->sr[0x1f] = 0x22;                 /* memory clock */
    s->gr[0x06] = 0;
    s->hidden_dac = 0;
    s->dac_reads = 0;
    s->cursor_x = s->cursor_y = 0;
    memset(s->cursor_pal, 0, sizeof(s->cursor_pal));
    s->cursor_dac_w = s->cursor_dac_r = s->cursor_dac_sub = 0;
    s->blt_busy = false;
    s->row_fill = s->row_y = s->row_bytes = 0;
}

static void cirrus_free(void *opaque)
{
    g_free(opaque);
}

VGAState *cirrus_vga(CirrusState *s)
{
    return s->vga;
}

unsigned cirrus_blits_rejected(CirrusState *s)
{
    return s->rejected;
}

CirrusState *cirrus_init(const Buses *b, void *pci, GError **errp)
{
    VGAState *vga = vga_init_core(b, errp);
    if (!vga)
        return NULL;
    CirrusState *s = g_new0(CirrusState, 1);
    s->buses = *b;
    s->vga = vga;
    s->vram = vga_vram(vga);
    cirrus_reset(s);
    vga_set_extension(vga, &cirrus_ext, s);
    host_register_device(b->host, s, cirrus_free, cirrus_reset);
    host_register_state(b->host, &cirrus_vmsd, s);

    if (pci) {
        PCIDevice *d = pci_register_function(pci, PCI_DEVFN(2, 0), "cirrus-vga",
                                             CIRRUS_PCI_VENDOR, CIRRUS_PCI_DEVICE, 0x00,
                                             0x030000, NULL, s, errp);
        if (!d)
            return NULL;
        s->pci = d;
        pci_register_mem_bar(d, 0, CIRRUS_LFB_SIZE, PCI_BAR_PREFETCH, &cirrus_lfb_ops, s,
                             "cirrus-lfb");
        pci_register_mem_bar(d, 1, CIRRUS_MMIO_SIZE, 0, &cirrus_mmio_ops, s, "cirrus-mmio");
        gchar *rom;
        gsize len;
        GError *err = NULL;
        if (g_file_get_contents(CIRRUS_BIOS_DEFAULT, &rom, &len, &err)) {
            if (len >= 512 && (uint8_t)rom[0] == 0x55 && (uint8_t)rom[1] == 0xaa)
                pci_set_rom(d, (uint8_t *)rom, (uint32_t)len);
            else
                fprintf(stderr, "tx86: warning: %s is not an option ROM; no VGA BIOS\n",
                        CIRRUS_BIOS_DEFAULT);
            g_free(rom);
        } else {
            fprintf(stderr, "tx86: warning: no Cirrus VGA BIOS (%s; install the Debian "
                    "package seabios)\n", err->message);
            g_error_free(err);
        }
    }
    return s;
}
