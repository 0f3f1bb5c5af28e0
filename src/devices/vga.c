/*
 * vga.c - the VGA adapter (IBM VGA register set) with the Bochs VBE
 * "DISPI" extension, as QEMU's stdvga PCI device 1234:1111 presents it.
 *
 * References: IBM "VGA Technical Reference" (register descriptions of the
 * sequencer, CRT controller, graphics controller, attribute controller and
 * DAC), FreeVGA's register pages, and the Bochs VBE interface as
 * documented in vbe_display_api.txt and QEMU's docs/specs/standard-vga.
 *
 * Ports: 0x3B4/0x3B5, 0x3BA (mono CRTC and status) or 0x3D4/0x3D5, 0x3DA
 * (colour; misc output bit 0 selects), 0x3C0-0x3CF (attribute, misc,
 * sequencer, DAC, graphics controller), 0x1CE/0x1CF (VBE index/data).
 * Memory: the legacy window 0xA0000-0xBFFFF (an MMIO region) and the
 * linear framebuffer (all of the video memory) at the PCI BAR0, or at
 * VGA_LFB_DEFAULT_ADDR without PCI.  The LFB is mapped as plain RAM over
 * the video memory, so guest pixel writes cost nothing.
 *
 * Video memory layout: the 256 KiB of the four planes are interleaved, one
 * 32-bit word per plane offset (vram[offset * 4 + plane]), as the display
 * fetches them; VBE modes use the whole vram linearly.  CPU accesses to the
 * window go through the VGA's address modes (chain-4: plane = A[1:0];
 * odd/even: plane = A[0]; planar: all planes with the latches) and, for
 * writes, the write modes 0-3 with set/reset, rotate, logical function and
 * bit mask; reads load the latches and use read mode 0 or 1 (colour
 * compare).  When VBE is enabled in a packed-pixel mode the window is a
 * 64 KiB bank into the linear memory (BANK register).
 *
 * Not emulated: pixel panning, line compare (split screen), the
 * horizontal timing registers (only the display-end values are used),
 * VBE modes of 4 bpp (planar VBE) on the LFB, light pen, blinking.
 */
#include <stdio.h>
#include <string.h>
#include "bus/buses.h"
#include "devices/vga.h"
#include "devices/pci.h"
#include "util/log.h"

#define VGA_PLANE_SIZE   0x10000u       /* 64 KiB per plane */
#define VGA_RETRACE_NS   16683333       /* 60 Hz frame */
#define VGA_VRETRACE_NS  1000000        /* vertical retrace lasts ~1 ms */

struct VGAState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    uint8_t *vram;
    /* general registers */
    uint8_t misc;                       /* misc output (0x3C2 / 0x3CC) */
    uint8_t feature;                    /* feature control */
    uint8_t st01_toggle;                /* horizontal retrace bit */
    /* sequencer, graphics controller, CRTC, attribute controller */
    uint8_t seq_index, seq[8];
    uint8_t gr_index, gr[16];
    uint8_t crtc_index, crtc[32];
    uint8_t ar_index, ar[32];
    bool ar_flip;                       /* 0x3C0: false = next write is the index */
    uint8_t latch[4];
    /* DAC */
    uint8_t pel_mask, dac_read, dac_write, dac_sub, dac_state;
    uint8_t dac_cache[3];
    uint8_t dac[256 * 3];
    /* Bochs VBE */
    uint16_t vbe_index;
    uint16_t vbe[VBE_DISPI_INDEX_NB];
    uint32_t vbe_bank_offset;
    uint32_t lfb_addr;
    bool lfb_mapped;
    /* an extension of the register set (cirrus.c), or NULL */
    const VGAExtension *ext;
    void *ext_opaque;
};

/* mode 3 (80x25 colour text), the state after the VGA BIOS's set mode:
 * the reset state, so text written at 0xB8000 without a VGA BIOS (guest
 * test ROMs, a kernel's early console) is on the screen */
static const uint8_t vga_mode3_seq[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t vga_mode3_crtc[25] = {
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E,
    0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
};
static const uint8_t vga_mode3_gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF };
static const uint8_t vga_mode3_ar[21] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B,
    0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00,
};

/* ------------------------------------------------------------------ */
/* registers                                                            */

static bool vga_vbe_enabled(VGAState *s)
{
    return s->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

static unsigned vga_vbe_bytes_pp(VGAState *s)
{
    return (s->vbe[VBE_DISPI_INDEX_BPP] + 7) / 8;
}

/* is the CPU port on the CRTC currently selected by misc bit 0? */
static bool vga_port_ok(VGAState *s, uint16_t port)
{
    if (port >= 0x3B0 && port <= 0x3BF)
        return !(s->misc & 1);
    if (port >= 0x3D0 && port <= 0x3DF)
        return s->misc & 1;
    return true;
}

static uint8_t vga_status1(VGAState *s)
{
    int64_t t = clock_now(s->buses.clock) % VGA_RETRACE_NS;
    uint8_t v;
    s->ar_flip = false;
    s->st01_toggle ^= 1;
    if (t < VGA_VRETRACE_NS)
        v = 0x09;                       /* vertical retrace, display off */
    else
        v = s->st01_toggle;             /* horizontal retrace toggles */
    return v;
}

static uint32_t vga_ioport_read(void *opaque, uint16_t port, int size)
{
    VGAState *s = opaque;
    uint8_t v = 0xff;

    if (!vga_port_ok(s, port))
        return 0xff;
    if (s->ext && s->ext->io_read && s->ext->io_read(s->ext_opaque, port, &v))
        return v;
    switch (port) {
    case 0x3C0:
        v = s->ar_index;
        break;
    case 0x3C1:
        v = s->ar[s->ar_index & 0x1f];
        break;
    case 0x3C2:
        v = 0x10;                       /* input status 0: switch sense */
        break;
    case 0x3C3:
        v = 1;                          /* video subsystem enable */
        break;
    case 0x3C4:
        v = s->seq_index;
        break;
    case 0x3C5:
        v = s->seq_index < 8 ? s->seq[s->seq_index] : 0xff;
        break;
    case 0x3C6:
        v = s->pel_mask;
        break;
    case 0x3C7:
        v = s->dac_state;
        break;
    case 0x3C8:
        v = s->dac_write;
        break;
    case 0x3C9:
        v = s->dac[s->dac_read * 3 + s->dac_sub];
        if (++s->dac_sub == 3) {
            s->dac_sub = 0;
            s->dac_read++;
        }
        break;
    case 0x3CA:
        v = s->feature;
        break;
    case 0x3CC:
        v = s->misc;
        break;
    case 0x3CE:
        v = s->gr_index;
        break;
    case 0x3CF:
        v = s->gr_index < 16 ? s->gr[s->gr_index] : 0xff;
        break;
    case 0x3B4: case 0x3D4:
        v = s->crtc_index;
        break;
    case 0x3B5: case 0x3D5:
        v = s->crtc_index < 0x19 ? s->crtc[s->crtc_index] : 0xff;
        break;
    case 0x3BA: case 0x3DA:
        v = vga_status1(s);
        break;
    default:
        break;
    }
    return v;
}

static void vga_ioport_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    VGAState *s = opaque;
    uint8_t v = value & 0xff;

    if (!vga_port_ok(s, port))
        return;
    if (s->ext && s->ext->io_write && s->ext->io_write(s->ext_opaque, port, v))
        return;
    switch (port) {
    case 0x3C0:
        if (!s->ar_flip) {
            s->ar_index = v & 0x3f;     /* bit 5: palette address source */
        } else {
            unsigned i = s->ar_index & 0x1f;
            static const uint8_t ar_mask[21] = {
                0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
                0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0xef, 0xff, 0x3f, 0x0f, 0x0f,
            };
            if (i < 21)
                s->ar[i] = v & ar_mask[i];
        }
        s->ar_flip = !s->ar_flip;
        break;
    case 0x3C2:
        s->misc = v;
        break;
    case 0x3C4:
        s->seq_index = v & 7;
        break;
    case 0x3C5:
        s->seq[s->seq_index] = v;
        break;
    case 0x3C6:
        s->pel_mask = v;
        break;
    case 0x3C7:
        s->dac_read = v;
        s->dac_sub = 0;
        s->dac_state = 3;
        break;
    case 0x3C8:
        s->dac_write = v;
        s->dac_sub = 0;
        s->dac_state = 0;
        break;
    case 0x3C9:
        s->dac_cache[s->dac_sub++] =
            (s->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) ? v : (v & 0x3f);
        if (s->dac_sub == 3) {
            memcpy(&s->dac[s->dac_write * 3], s->dac_cache, 3);
            s->dac_sub = 0;
            s->dac_write++;
        }
        break;
    case 0x3CE:
        s->gr_index = v & 0x0f;
        break;
    case 0x3CF:
        s->gr[s->gr_index] = v;
        break;
    case 0x3B4: case 0x3D4:
        s->crtc_index = v & 0x1f;
        break;
    case 0x3B5: case 0x3D5:
        if (s->crtc_index <= 7 && (s->crtc[0x11] & 0x80)) {
            /* write-protected; only the line-compare bit 8 of CR07 gets through */
            if (s->crtc_index == 7)
                s->crtc[7] = (s->crtc[7] & ~0x10) | (v & 0x10);
            break;
        }
        s->crtc[s->crtc_index] = v;
        break;
    case 0x3BA: case 0x3DA:
        s->feature = v;
        break;
    default:
        break;
    }
}

static const IOPortOps vga_ioport_ops = {
    .read = vga_ioport_read,
    .write = vga_ioport_write,
    .sizes = IO_SIZE_8,
};

/* ------------------------------------------------------------------ */
/* Bochs VBE DISPI                                                     */

/* derive virtual height and keep the registers within the video memory */
static void vga_vbe_fixup(VGAState *s)
{
    uint16_t *r = s->vbe;
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    if (bpp != 4 && bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32)
        bpp = r[VBE_DISPI_INDEX_BPP] = 8;
    r[VBE_DISPI_INDEX_XRES] = CLAMP(r[VBE_DISPI_INDEX_XRES], 8, VBE_DISPI_MAX_XRES) & ~7u;
    r[VBE_DISPI_INDEX_YRES] = CLAMP(r[VBE_DISPI_INDEX_YRES], 1, VBE_DISPI_MAX_YRES);
    if (r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES])
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
    uint32_t line = bpp == 4 ? r[VBE_DISPI_INDEX_VIRT_WIDTH] / 2
                             : r[VBE_DISPI_INDEX_VIRT_WIDTH] * vga_vbe_bytes_pp(s);
    if (line == 0 || line * r[VBE_DISPI_INDEX_YRES] > VGA_VRAM_SIZE) {
        /* does not fit: fall back to the visible width */
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
        line = bpp == 4 ? r[VBE_DISPI_INDEX_XRES] / 2 : r[VBE_DISPI_INDEX_XRES] * vga_vbe_bytes_pp(s);
    }
    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = MIN(VGA_VRAM_SIZE / line, 0xffffu);
    if (r[VBE_DISPI_INDEX_X_OFFSET] >= r[VBE_DISPI_INDEX_VIRT_WIDTH])
        r[VBE_DISPI_INDEX_X_OFFSET] = 0;
    if (r[VBE_DISPI_INDEX_Y_OFFSET] >= r[VBE_DISPI_INDEX_VIRT_HEIGHT])
        r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
}

static uint16_t vga_vbe_read(VGAState *s, uint16_t index)
{
    if (index >= VBE_DISPI_INDEX_NB)
        return 0;
    if (s->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        switch (index) {
        case VBE_DISPI_INDEX_XRES: return VBE_DISPI_MAX_XRES;
        case VBE_DISPI_INDEX_YRES: return VBE_DISPI_MAX_YRES;
        case VBE_DISPI_INDEX_BPP:  return VBE_DISPI_MAX_BPP;
        default: break;
        }
    }
    if (index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K)
        return VGA_VRAM_SIZE >> 16;
    return s->vbe[index];
}

static void vga_vbe_write(VGAState *s, uint16_t index, uint16_t v)
{
    uint16_t *r = s->vbe;
    switch (index) {
    case VBE_DISPI_INDEX_ID:
        if (v >= VBE_DISPI_ID0 && v <= VBE_DISPI_ID5)
            r[index] = v;
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
        if (!vga_vbe_enabled(s))        /* the mode changes only while disabled */
            r[index] = v;
        break;
    case VBE_DISPI_INDEX_BANK:
        r[index] = v & ((VGA_VRAM_SIZE >> 16) - 1);
        s->vbe_bank_offset = (uint32_t)r[index] << 16;
        break;
    case VBE_DISPI_INDEX_ENABLE:
        if ((v & VBE_DISPI_ENABLED) && !vga_vbe_enabled(s)) {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
            r[VBE_DISPI_INDEX_X_OFFSET] = r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
            vga_vbe_fixup(s);
            if (!(v & VBE_DISPI_NOCLEARMEM))
                memset(s->vram, 0, VGA_VRAM_SIZE);
            /* graphics mode, 64 KiB window at 0xA0000 for the banks */
            s->gr[6] = (s->gr[6] & ~0x0c) | 0x05;
        } else if (!(v & VBE_DISPI_ENABLED)) {
            s->vbe_bank_offset = 0;
            r[VBE_DISPI_INDEX_BANK] = 0;
        }
        r[index] = v;
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        r[index] = v;
        vga_vbe_fixup(s);
        break;
    default:                            /* VIRT_HEIGHT, VIDEO_MEMORY_64K: read only */
        break;
    }
}

static uint32_t vga_vbe_ioport_read(void *opaque, uint16_t port, int size)
{
    VGAState *s = opaque;
    if (port == 0x1CE)
        return s->vbe_index;
    return vga_vbe_read(s, s->vbe_index);
}

static void vga_vbe_ioport_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    VGAState *s = opaque;
    if (port == 0x1CE)
        s->vbe_index = value & 0xffff;
    else
        vga_vbe_write(s, s->vbe_index, value & 0xffff);
}

static const IOPortOps vga_vbe_ioport_ops = {
    .read = vga_vbe_ioport_read,
    .write = vga_vbe_ioport_write,
    .sizes = IO_SIZE_16,
};

/* ------------------------------------------------------------------ */
/* the legacy memory window 0xA0000-0xBFFFF                            */

/* offset within the window -> address the selected memory map decodes,
 * or -1 when the map does not cover it */
static int32_t vga_window_addr(VGAState *s, uint32_t off)
{
    switch ((s->gr[6] >> 2) & 3) {
    case 0: return off;                                   /* A0000, 128 KiB */
    case 1: return off < 0x10000 ? (int32_t)off : -1;      /* A0000, 64 KiB */
    case 2: return off >= 0x10000 && off < 0x18000 ? (int32_t)(off - 0x10000) : -1;
    default: return off >= 0x18000 ? (int32_t)(off - 0x18000) : -1;
    }
}

static bool vga_vbe_window(VGAState *s)
{
    return vga_vbe_enabled(s) && s->vbe[VBE_DISPI_INDEX_BPP] != 4;
}

static uint8_t vga_mem_readb(VGAState *s, uint32_t off)
{
    if (vga_vbe_window(s)) {
        if (off >= 0x10000)
            return 0xff;
        return s->vram[(s->vbe_bank_offset + off) & (VGA_VRAM_SIZE - 1)];
    }
    int32_t a = vga_window_addr(s, off);
    if (a < 0)
        return 0xff;
    if (vga_vbe_enabled(s))
        a += s->vbe_bank_offset >> 2;   /* planar VBE modes: 256 KiB per bank of planes */
    if (s->seq[4] & 0x08) {             /* chain-4 */
        uint32_t o = (a & ~3u) & (VGA_PLANE_SIZE - 1);
        return s->vram[o * 4 + (a & 3)];
    }
    if (s->gr[5] & 0x10) {              /* host odd/even */
        uint32_t o = (a & ~1u) & (VGA_PLANE_SIZE - 1);
        unsigned plane = (s->gr[4] & 2) | (a & 1);
        for (int p = 0; p < 4; p++)
            s->latch[p] = s->vram[o * 4 + p];
        return s->vram[o * 4 + plane];
    }
    uint32_t o = (uint32_t)a & (VGA_PLANE_SIZE - 1);
    for (int p = 0; p < 4; p++)
        s->latch[p] = s->vram[o * 4 + p];
    if (!(s->gr[5] & 0x08))             /* read mode 0 */
        return s->latch[s->gr[4] & 3];
    /* read mode 1: colour compare, planes with "colour don't care" = 0 ignored */
    uint8_t r = 0xff;
    for (int p = 0; p < 4; p++) {
        if (!(s->gr[7] & (1 << p)))
            continue;
        uint8_t want = (s->gr[2] & (1 << p)) ? 0xff : 0x00;
        r &= ~(s->latch[p] ^ want);
    }
    return r;
}

static inline uint8_t vga_ror(uint8_t v, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)((v >> n) | (v << (8 - n))) : v;
}

static void vga_mem_writeb(VGAState *s, uint32_t off, uint8_t v)
{
    if (vga_vbe_window(s)) {
        if (off < 0x10000)
            s->vram[(s->vbe_bank_offset + off) & (VGA_VRAM_SIZE - 1)] = v;
        return;
    }
    int32_t a = vga_window_addr(s, off);
    if (a < 0)
        return;
    if (vga_vbe_enabled(s))
        a += s->vbe_bank_offset >> 2;
    unsigned planes = s->seq[2] & 0x0f;  /* map mask */
    uint32_t o;
    if (s->seq[4] & 0x08) {             /* chain-4: A[1:0] picks the plane */
        planes &= 1u << (a & 3);
        o = (a & ~3u) & (VGA_PLANE_SIZE - 1);
    } else if (!(s->seq[4] & 0x04)) {   /* odd/even: A[0] picks planes 0/2 or 1/3 */
        planes &= (a & 1) ? 0x0a : 0x05;
        o = (a & ~1u) & (VGA_PLANE_SIZE - 1);
    } else {
        o = (uint32_t)a & (VGA_PLANE_SIZE - 1);
    }
    if (!planes)
        return;

    unsigned mode = s->gr[5] & 3, func = (s->gr[3] >> 3) & 3;
    uint8_t mask = s->gr[8];
    uint8_t rot = vga_ror(v, s->gr[3]);
    if (mode == 3) {
        mask &= rot;
    }
    for (int p = 0; p < 4; p++) {
        if (!(planes & (1u << p)))
            continue;
        uint8_t d, l = s->latch[p];
        switch (mode) {
        case 0:
            d = (s->gr[1] & (1 << p)) ? ((s->gr[0] & (1 << p)) ? 0xff : 0) : rot;
            break;
        case 1:
            s->vram[o * 4 + p] = l;
            continue;
        case 2:
            d = (v & (1 << p)) ? 0xff : 0;
            break;
        default:
            d = (s->gr[0] & (1 << p)) ? 0xff : 0;
            break;
        }
        switch (func) {
        case 1: d &= l; break;
        case 2: d |= l; break;
        case 3: d ^= l; break;
        default: break;
        }
        s->vram[o * 4 + p] = (d & mask) | (l & ~mask);
    }
}

static uint32_t vga_mem_read(void *opaque, uint32_t offset, int size)
{
    VGAState *s = opaque;
    uint32_t v = 0;
    for (int i = 0; i < size; i++) {
        uint8_t b;
        if (!(s->ext && s->ext->mem_read && s->ext->mem_read(s->ext_opaque, offset + i, &b)))
            b = vga_mem_readb(s, offset + i);
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void vga_mem_write(void *opaque, uint32_t offset, uint32_t value, int size)
{
    VGAState *s = opaque;
    for (int i = 0; i < size; i++) {
        uint8_t b = (value >> (8 * i)) & 0xff;
        if (!(s->ext && s->ext->mem_write && s->ext->mem_write(s->ext_opaque, offset + i, b)))
            vga_mem_writeb(s, offset + i, b);
    }
}

/* the legacy ports and window as the CPU sees them, for an extension
 * that also decodes them elsewhere (cirrus.c's MMIO BAR) */
uint8_t vga_port_read(VGAState *s, uint16_t port)
{
    return (uint8_t)vga_ioport_read(s, port, 1);
}

void vga_port_write(VGAState *s, uint16_t port, uint8_t v)
{
    vga_ioport_write(s, port, v, 1);
}

uint8_t vga_reg(VGAState *s, VGARegFile f, unsigned index)
{
    switch (f) {
    case VGA_REG_SEQ:  return index < sizeof(s->seq) ? s->seq[index] : 0;
    case VGA_REG_GR:   return index < sizeof(s->gr) ? s->gr[index] : 0;
    case VGA_REG_CRTC: return index < sizeof(s->crtc) ? s->crtc[index] : 0;
    case VGA_REG_AR:   return index < sizeof(s->ar) ? s->ar[index] : 0;
    case VGA_REG_MISC: return s->misc;
    }
    return 0;
}

void vga_set_extension(VGAState *s, const VGAExtension *ext, void *opaque)
{
    s->ext = ext;
    s->ext_opaque = opaque;
}

static const MemOps vga_mem_ops = {
    .read = vga_mem_read,
    .write = vga_mem_write,
};

/* ------------------------------------------------------------------ */
/* rendering                                                           */

static void vga_dac_rgb(VGAState *s, unsigned index, uint8_t *out)
{
    const uint8_t *c = &s->dac[(index & 0xff) * 3];
    if (s->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) {
        out[0] = c[0]; out[1] = c[1]; out[2] = c[2];
    } else {
        for (int i = 0; i < 3; i++)
            out[i] = (uint8_t)((c[i] & 0x3f) * 255 / 63);
    }
}

/* 4-bit attribute colour -> DAC index (palette, colour select) */
static unsigned vga_ar_colour(VGAState *s, unsigned c)
{
    unsigned v = s->ar[c & 0x0f];
    if (s->ar[0x10] & 0x80)
        v = (v & 0x0f) | ((s->ar[0x14] & 0x03) << 4);
    else
        v &= 0x3f;
    v |= (s->ar[0x14] & 0x0c) << 4;
    return v & s->pel_mask;
}

static bool vga_image_alloc(VGAImage *img, int w, int h)
{
    if (w <= 0 || h <= 0 || w > 4096 || h > 4096)
        return false;
    size_t need = (size_t)w * h * 3;
    if (img->cap < need) {
        img->rgb = g_realloc(img->rgb, need);
        img->cap = need;
    }
    img->width = w;
    img->height = h;
    memset(img->rgb, 0, need);
    return true;
}

void vga_image_clear(VGAImage *img)
{
    g_free(img->rgb);
    memset(img, 0, sizeof(*img));
}

static unsigned vga_vde(VGAState *s)   /* vertical display end, in scan lines */
{
    unsigned v = s->crtc[0x12] | ((s->crtc[7] & 0x02) << 7) | ((s->crtc[7] & 0x40) << 3);
    return v + 1;
}

/* how CRTC addresses become plane offsets: byte, word or doubleword mode */
static unsigned vga_addr_shift(VGAState *s)
{
    if (s->crtc[0x14] & 0x40)
        return 2;
    return (s->crtc[0x17] & 0x40) ? 0 : 1;
}

static uint32_t vga_start_addr(VGAState *s)
{
    return ((uint32_t)s->crtc[0x0c] << 8) | s->crtc[0x0d];
}

static bool vga_text_geometry(VGAState *s, int *cols, int *rows, int *cheight)
{
    if (s->gr[6] & 1 || vga_vbe_enabled(s))
        return false;
    *cols = s->crtc[1] + 1;
    *cheight = (s->crtc[9] & 0x1f) + 1;
    *rows = (int)(vga_vde(s) / (unsigned)*cheight);
    return *cols > 0 && *cols <= 256 && *rows > 0 && *rows <= 128;
}

bool vga_text_screen(VGAState *s, VGATextScreen *t)
{
    int cols, rows, ch;
    if (!vga_text_geometry(s, &cols, &rows, &ch))
        return false;
    t->cols = cols;
    t->rows = rows;
    uint32_t start = vga_start_addr(s), stride = s->crtc[0x13] * 2u;
    unsigned shift = vga_addr_shift(s);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            uint32_t o = ((start + r * stride + c) << shift) & (VGA_PLANE_SIZE - 1);
            t->cells[r * cols + c] = s->vram[o * 4] | (s->vram[o * 4 + 1] << 8);
        }
    }
    t->cursor_col = t->cursor_row = -1;
    uint32_t cur = ((uint32_t)s->crtc[0x0e] << 8) | s->crtc[0x0f];
    if (!(s->crtc[0x0a] & 0x20) && cur >= start && stride) {
        uint32_t d = cur - start;
        int r = (int)(d / stride), c = (int)(d % stride);
        if (r < rows && c < cols) {
            t->cursor_row = r;
            t->cursor_col = c;
        }
    }
    return true;
}

static bool vga_render_text(VGAState *s, VGAImage *img)
{
    int cols, rows, cheight;
    if (!vga_text_geometry(s, &cols, &rows, &cheight))
        return false;
    VGATextScreen *t = g_new(VGATextScreen, 1);
    vga_text_screen(s, t);
    int cw = (s->seq[1] & 1) ? 8 : 9;
    if (!vga_image_alloc(img, cols * cw, rows * cheight)) {
        g_free(t);
        return false;
    }
    if (!(s->ar_index & 0x20) || (s->seq[1] & 0x20)) {  /* palette access / screen off */
        g_free(t);
        return true;
    }
    static const uint16_t map_base[8] = {
        0x0000, 0x4000, 0x8000, 0xC000, 0x2000, 0x6000, 0xA000, 0xE000,
    };
    unsigned sr3 = s->seq[3];
    uint32_t font_a = map_base[((sr3 >> 3) & 4) | ((sr3 >> 2) & 3)];
    uint32_t font_b = map_base[((sr3 >> 2) & 4) | (sr3 & 3)];
    int cstart = s->crtc[0x0a] & 0x1f, cend = s->crtc[0x0b] & 0x1f;

    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            uint16_t cell = t->cells[r * cols + c];
            unsigned chr = cell & 0xff, attr = cell >> 8;
            unsigned fgi = attr & 0x0f, bgi = attr >> 4;
            if (s->ar[0x10] & 0x08)
                bgi &= 7;                           /* bit 7 = blink, not shown */
            uint8_t fg[3], bg[3];
            vga_dac_rgb(s, vga_ar_colour(s, fgi), fg);
            vga_dac_rgb(s, vga_ar_colour(s, bgi), bg);
            uint32_t font = (attr & 0x08) ? font_a : font_b;
            bool cursor = r == t->cursor_row && c == t->cursor_col;
            for (int y = 0; y < cheight; y++) {
                uint32_t go = (font + chr * 32 + y) & (VGA_PLANE_SIZE - 1);
                unsigned bits = s->vram[go * 4 + 2] << 1;
                if (cw == 9 && (s->ar[0x10] & 0x04) && chr >= 0xc0 && chr <= 0xdf)
                    bits |= bits >> 1 & 1;          /* line graphics: repeat column 8 */
                if (cursor && y >= cstart && y <= cend)
                    bits = 0x1ff;
                uint8_t *px = img->rgb + ((size_t)(r * cheight + y) * img->width + c * cw) * 3;
                for (int x = 0; x < cw; x++, px += 3) {
                    const uint8_t *col = (bits & (0x100 >> x)) ? fg : bg;
                    px[0] = col[0]; px[1] = col[1]; px[2] = col[2];
                }
            }
        }
    }
    g_free(t);
    return true;
}

static bool vga_render_graphics(VGAState *s, VGAImage *img)
{
    bool c256 = s->gr[5] & 0x40, cga = s->gr[5] & 0x20;
    unsigned cols = s->crtc[1] + 1;
    unsigned msl = s->crtc[9] & 0x1f;
    bool dbl = s->crtc[9] & 0x80;
    unsigned lines = vga_vde(s) / (dbl ? 2 : 1);
    unsigned rep = 1;                   /* scan lines showing the same address */
    if ((s->crtc[0x17] & 3) == 3 && msl) {
        rep = msl + 1;
        lines /= rep;
    }
    int w = c256 ? cols * 4 : cols * 8;
    if (!vga_image_alloc(img, w, lines))
        return false;
    if (!(s->ar_index & 0x20) || (s->seq[1] & 0x20))
        return true;

    uint32_t start = vga_start_addr(s), stride = s->crtc[0x13] * 2u;
    unsigned shift = vga_addr_shift(s);
    uint8_t pal[256][3];
    for (int i = 0; i < 256; i++)
        vga_dac_rgb(s, i, pal[i]);

    for (unsigned y = 0; y < lines; y++) {
        unsigned scan = y * rep;        /* scan line within the frame */
        unsigned row = scan / (msl + 1), rsc = scan % (msl + 1);
        uint8_t *px = img->rgb + (size_t)y * w * 3;
        for (unsigned c = 0; c < cols; c++) {
            uint32_t o = (start + row * stride + c) << shift;
            if (!(s->crtc[0x17] & 1))
                o = (o & ~0x2000u) | ((rsc & 1) << 13);
            if (!(s->crtc[0x17] & 2))
                o = (o & ~0x4000u) | (((rsc >> 1) & 1) << 14);
            o &= VGA_PLANE_SIZE - 1;
            const uint8_t *b = &s->vram[o * 4];
            if (c256) {
                for (int k = 0; k < 4; k++, px += 3)
                    memcpy(px, pal[b[k] & s->pel_mask], 3);
            } else if (cga) {
                for (int k = 0; k < 8; k++, px += 3) {
                    uint8_t byte = k < 4 ? b[0] : b[1];
                    unsigned cidx = (byte >> (6 - 2 * (k & 3))) & 3;
                    memcpy(px, pal[vga_ar_colour(s, cidx)], 3);
                }
            } else {
                for (int k = 0; k < 8; k++, px += 3) {
                    unsigned cidx = 0;
                    for (int p = 0; p < 4; p++)
                        cidx |= ((b[p] >> (7 - k)) & 1) << p;
                    memcpy(px, pal[vga_ar_colour(s, cidx & s->ar[0x12])], 3);
                }
            }
        }
    }
    return true;
}

/* a packed-pixel mode: bpp 8 (through the DAC), 15, 16, 24 or 32, rows
 * of `line` bytes from byte `start` of the video memory (limit bytes of
 * it decoded) */
static bool vga_render_linear(VGAState *s, VGAImage *img, unsigned bpp, unsigned w,
                              unsigned h, size_t start, size_t line, size_t limit)
{
    unsigned bytes = (bpp + 7) / 8;
    if (limit > VGA_VRAM_SIZE)
        limit = VGA_VRAM_SIZE;
    if (!vga_image_alloc(img, w, h))
        return false;
    for (unsigned y = 0; y < h; y++) {
        size_t o = start + y * line;
        if (o + (size_t)w * bytes > limit)
            break;                      /* below the end of video memory: black */
        const uint8_t *src = s->vram + o;
        uint8_t *px = img->rgb + (size_t)y * w * 3;
        for (unsigned x = 0; x < w; x++, px += 3) {
            uint32_t v;
            switch (bpp) {
            case 8:
                vga_dac_rgb(s, src[x] & s->pel_mask, px);
                break;
            case 15:
                v = src[2 * x] | (src[2 * x + 1] << 8);
                px[0] = ((v >> 10) & 0x1f) * 255 / 31;
                px[1] = ((v >> 5) & 0x1f) * 255 / 31;
                px[2] = (v & 0x1f) * 255 / 31;
                break;
            case 16:
                v = src[2 * x] | (src[2 * x + 1] << 8);
                px[0] = ((v >> 11) & 0x1f) * 255 / 31;
                px[1] = ((v >> 5) & 0x3f) * 255 / 63;
                px[2] = (v & 0x1f) * 255 / 31;
                break;
            case 24:
                px[0] = src[3 * x + 2]; px[1] = src[3 * x + 1]; px[2] = src[3 * x];
                break;
            default:
                px[0] = src[4 * x + 2]; px[1] = src[4 * x + 1]; px[2] = src[4 * x];
                break;
            }
        }
    }
    return true;
}

static bool vga_render_vbe(VGAState *s, VGAImage *img)
{
    const uint16_t *r = s->vbe;
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    if (bpp == 4)
        return false;
    unsigned bytes = vga_vbe_bytes_pp(s);
    size_t line = (size_t)r[VBE_DISPI_INDEX_VIRT_WIDTH] * bytes;
    size_t start = ((size_t)r[VBE_DISPI_INDEX_Y_OFFSET] * r[VBE_DISPI_INDEX_VIRT_WIDTH]
                    + r[VBE_DISPI_INDEX_X_OFFSET]) * bytes;
    return vga_render_linear(s, img, bpp, r[VBE_DISPI_INDEX_XRES], r[VBE_DISPI_INDEX_YRES],
                             start, line, VGA_VRAM_SIZE);
}

bool vga_render(VGAState *s, VGAImage *img)
{
    bool ok;
    VGAScanout so;
    if (s->ext && s->ext->scanout && s->ext->scanout(s->ext_opaque, &so))
        ok = vga_render_linear(s, img, so.bpp, so.width, so.height, so.start, so.pitch,
                               so.limit);
    else if (vga_vbe_enabled(s))
        ok = vga_render_vbe(s, img);
    else if (s->gr[6] & 1)
        ok = vga_render_graphics(s, img);
    else
        ok = vga_render_text(s, img);
    if (!ok)
        img->width = img->height = 0;
    else if (s->ext && s->ext->overlay)
        s->ext->overlay(s->ext_opaque, img);
    return ok;
}

uint8_t *vga_vram(VGAState *s)
{
    return s->vram;
}

/* ------------------------------------------------------------------ */
/* saved state (bus/vmstate.h)                                          */

/* "vga": every register (general, sequencer, graphics, CRTC, attribute
 * with its flip-flop, the latches), the DAC with its palette and access
 * state, the Bochs VBE registers and the whole video memory.  Nothing is
 * cached between frames (the display reads registers and VRAM at every
 * refresh), so post_load only checks the indices and re-derives the VBE
 * bank offset and geometry.  lfb_addr/lfb_mapped are the board's
 * (without PCI) or the PCI BAR's ("pci-dev"); ext is the Cirrus wiring. */
static bool vga_post_load(void *opaque, int version, GError **errp)
{
    VGAState *s = opaque;
    if (s->seq_index > 7 || s->gr_index > 15 || s->crtc_index > 31 || s->dac_sub > 2) {
        g_set_error(errp, VMSTATE_ERROR, 0, "vga: register index (SR %u, GR %u, CR %u, "
                    "DAC %u) out of range", s->seq_index, s->gr_index, s->crtc_index,
                    s->dac_sub);
        return false;
    }
    s->vbe[VBE_DISPI_INDEX_BANK] &= (VGA_VRAM_SIZE >> 16) - 1;
    s->vbe_bank_offset = (uint32_t)s->vbe[VBE_DISPI_INDEX_BANK] << 16;
    if (vga_vbe_enabled(s))
        vga_vbe_fixup(s);               /* a no-op on what this tx86 saved */
    return true;
}

static const VMStateField vga_fields[] = {
    VMS_U8(VGAState, misc, 1),
    VMS_U8(VGAState, feature, 1),
    VMS_U8(VGAState, st01_toggle, 1),
    VMS_U8(VGAState, seq_index, 1),
    VMS_BYTES(VGAState, seq, 1),
    VMS_U8(VGAState, gr_index, 1),
    VMS_BYTES(VGAState, gr, 1),
    VMS_U8(VGAState, crtc_index, 1),
    VMS_BYTES(VGAState, crtc, 1),
    VMS_U8(VGAState, ar_index, 1),
    VMS_BYTES(VGAState, ar, 1),
    VMS_BOOL(VGAState, ar_flip, 1),
    VMS_BYTES(VGAState, latch, 1),
    VMS_U8(VGAState, pel_mask, 1),
    VMS_U8(VGAState, dac_read, 1),
    VMS_U8(VGAState, dac_write, 1),
    VMS_U8(VGAState, dac_sub, 1),
    VMS_U8(VGAState, dac_state, 1),
    VMS_BYTES(VGAState, dac_cache, 1),
    VMS_BYTES(VGAState, dac, 1),
    VMS_U16(VGAState, vbe_index, 1),
    VMS_INT_ARRAY(VGAState, vbe, 1),
    VMS_BUFFER(VGAState, vram, VGA_VRAM_SIZE, 1),
    VMS_END
};
const VMStateDesc vga_vmsd = { .name = "vga", .version = 1, .min_version = 1,
                               .fields = vga_fields, .post_load = vga_post_load };
const size_t vga_state_size = sizeof(VGAState);

/* ------------------------------------------------------------------ */
/* life cycle                                                          */

void vga_reset(VGAState *s)
{
    memset(s->seq, 0, sizeof(s->seq));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->crtc, 0, sizeof(s->crtc));
    memset(s->ar, 0, sizeof(s->ar));
    memcpy(s->seq, vga_mode3_seq, sizeof(vga_mode3_seq));
    memcpy(s->crtc, vga_mode3_crtc, sizeof(vga_mode3_crtc));
    memcpy(s->gr, vga_mode3_gr, sizeof(vga_mode3_gr));
    memcpy(s->ar, vga_mode3_ar, sizeof(vga_mode3_ar));
    s->misc = 0x67;
    s->feature = 0;
    s->seq_index = s->gr_index = s->crtc_index = 0;
    s->ar_index = 0x20;                 /* display on */
    s->ar_flip = false;
    memset(s->latch, 0, sizeof(s->latch));
    s->pel_mask = 0xff;
    s->dac_read = s->dac_write = s->dac_sub = s->dac_state = 0;
    /* the EGA 64-colour palette in the first 64 DAC entries */
    memset(s->dac, 0, sizeof(s->dac));
    for (int i = 0; i < 64; i++) {
        s->dac[i * 3 + 0] = ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15;
        s->dac[i * 3 + 1] = ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15;
        s->dac[i * 3 + 2] = (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15;
    }
    memset(s->vbe, 0, sizeof(s->vbe));
    s->vbe[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID0;
    s->vbe[VBE_DISPI_INDEX_XRES] = 640;
    s->vbe[VBE_DISPI_INDEX_YRES] = 480;
    s->vbe[VBE_DISPI_INDEX_BPP] = 8;
    s->vbe_index = 0;
    s->vbe_bank_offset = 0;
}

void vga_free(VGAState *s)
{
    if (!s)
        return;
    g_free(s->vram);
    g_free(s);
}

static void vga_free_cb(void *opaque)
{
    vga_free(opaque);
}

static void vga_reset_cb(void *opaque)
{
    vga_reset(opaque);
}

/* the IBM VGA part: video memory, ports 0x3B0-0x3DF, the 0xA0000 window */
static VGAState *vga_new_legacy(const Buses *b, GError **errp)
{
    VGAState *s = g_new0(VGAState, 1);
    s->buses = *b;
    s->vram = g_malloc0(VGA_VRAM_SIZE);
    vga_reset(s);

    if (!ioport_register(b->io, 0x3B0, 0x30, &vga_ioport_ops, s, "vga")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "vga: ports 0x3B0-0x3DF already in use");
        vga_free(s);
        return NULL;
    }
    if (!physmem_add_mmio(b->mem, "vga-window", 0xA0000, 0x20000, &vga_mem_ops, s)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "vga: cannot map 0xA0000");
        vga_free(s);
        return NULL;
    }
    return s;
}

VGAState *vga_init_core(const Buses *b, GError **errp)
{
    VGAState *s = vga_new_legacy(b, errp);
    if (s) {
        host_register_device(b->host, s, vga_free_cb, vga_reset_cb);
        host_register_state(b->host, &vga_vmsd, s);
    }
    return s;
}

VGAState *vga_init(const Buses *b, void *pci, GError **errp)
{
    VGAState *s = vga_new_legacy(b, errp);
    if (!s)
        return NULL;
    if (!ioport_register(b->io, 0x1CE, 2, &vga_vbe_ioport_ops, s, "vga-vbe")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "vga: ports 0x1CE-0x1CF already in use");
        vga_free(s);
        return NULL;
    }
    if (pci) {
        /* 00:02.0 like QEMU's "VGA": BAR0 = the framebuffer, the VGA BIOS
         * as expansion ROM (SeaBIOS copies it to 0xC0000 and runs it) */
        PCIDevice *d = pci_register_function(pci, PCI_DEVFN(2, 0), "vga", VGA_PCI_VENDOR,
                                             VGA_PCI_DEVICE, 0x02, 0x030000, NULL, s, errp);
        if (!d) {
            vga_free(s);
            return NULL;
        }
        pci_register_ram_bar(d, 0, VGA_VRAM_SIZE, PCI_BAR_PREFETCH, s->vram, "vga-lfb");
        gchar *rom;
        gsize len;
        GError *err = NULL;
        if (g_file_get_contents(VGA_BIOS_DEFAULT, &rom, &len, &err)) {
            if (len >= 512 && (uint8_t)rom[0] == 0x55 && (uint8_t)rom[1] == 0xaa)
                pci_set_rom(d, (uint8_t *)rom, (uint32_t)len);
            else
                fprintf(stderr, "tx86: warning: %s is not an option ROM; no VGA BIOS\n",
                        VGA_BIOS_DEFAULT);
            g_free(rom);
        } else {
            /* the display still works for guests that program it themselves */
            fprintf(stderr, "tx86: warning: no VGA BIOS (%s; install the Debian "
                    "package seabios)\n", err->message);
            g_error_free(err);
        }
    } else {
        /* no PCI: the framebuffer where SeaVGABIOS looks without a BAR */
        s->lfb_addr = VGA_LFB_DEFAULT_ADDR;
        if (!physmem_add_ram(b->mem, s->lfb_addr, VGA_VRAM_SIZE, s->vram)) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "vga: cannot map the LFB");
            vga_free(s);
            return NULL;
        }
        s->lfb_mapped = true;
    }
    host_register_device(b->host, s, vga_free_cb, vga_reset_cb);
    host_register_state(b->host, &vga_vmsd, s);
    return s;
}
