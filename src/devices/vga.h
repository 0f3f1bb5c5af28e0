/*
 * vga.h - the VGA adapter with the Bochs VBE ("DISPI") interface: QEMU's
 * "VGA" (stdvga) PCI device 1234:1111, which SeaVGABIOS
 * (vgabios-stdvga.bin) drives.  vga.c has the register-level description.
 *
 * The display side (src/ui/) asks the adapter for what is on the screen:
 * vga_render() draws the current mode (text, planar 16 colours, 256
 * colours, VBE linear modes) into an RGB buffer, vga_text_screen() gives
 * the character cells of a text mode.
 *
 * Example:
 *     VGAState *vga = vga_init(&m->bus, NULL, &err);      // legacy ports + memory
 *     VGAImage img = { 0 };
 *     if (vga_render(vga, &img)) ... img.rgb (img.width * img.height * 3)
 *     vga_image_clear(&img);
 */
#ifndef TX86_VGA_H
#define TX86_VGA_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>

struct Buses;
typedef struct VGAState VGAState;

#define VGA_VRAM_SIZE        (16u << 20)     /* 16 MiB, like QEMU's default */
#define VGA_LFB_DEFAULT_ADDR 0xE0000000u     /* VBE_DISPI_LFB_PHYSICAL_ADDRESS */
#define VGA_PCI_VENDOR       0x1234
#define VGA_PCI_DEVICE       0x1111
#define VGA_BIOS_DEFAULT     "/usr/share/seabios/vgabios-stdvga.bin"

/* Bochs VBE DISPI registers (index port 0x1CE, data port 0x1CF) */
enum {
    VBE_DISPI_INDEX_ID, VBE_DISPI_INDEX_XRES, VBE_DISPI_INDEX_YRES,
    VBE_DISPI_INDEX_BPP, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_INDEX_BANK,
    VBE_DISPI_INDEX_VIRT_WIDTH, VBE_DISPI_INDEX_VIRT_HEIGHT,
    VBE_DISPI_INDEX_X_OFFSET, VBE_DISPI_INDEX_Y_OFFSET,
    VBE_DISPI_INDEX_VIDEO_MEMORY_64K, VBE_DISPI_INDEX_NB
};
#define VBE_DISPI_ID0         0xB0C0
#define VBE_DISPI_ID5         0xB0C5
#define VBE_DISPI_ENABLED     0x01
#define VBE_DISPI_GETCAPS     0x02
#define VBE_DISPI_8BIT_DAC    0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM  0x80
#define VBE_DISPI_MAX_XRES    2560
#define VBE_DISPI_MAX_YRES    1600
#define VBE_DISPI_MAX_BPP     32

/* an RGB picture of the screen: 3 bytes per pixel, rows top to bottom */
typedef struct VGAImage {
    int width, height;
    uint8_t *rgb;
    size_t cap;                 /* bytes allocated in rgb */
} VGAImage;

/* one text-mode screen: cells[row * cols + col] = char | attr << 8 */
typedef struct VGATextScreen {
    int cols, rows;
    uint16_t cells[256 * 128];
    int cursor_col, cursor_row; /* -1 when the cursor is off or off screen */
} VGATextScreen;

/* pci: the PCI bus to put the adapter on (a struct PCIBus *), or NULL for
 * an ISA-style adapter whose linear framebuffer sits at
 * VGA_LFB_DEFAULT_ADDR (unit tests, and SeaVGABIOS's fallback). */
VGAState *vga_init(const struct Buses *b, void *pci, GError **errp);
void      vga_reset(VGAState *s);
void      vga_free(VGAState *s);

/* The IBM VGA alone (ports 0x3B0-0x3DF, window 0xA0000), without Bochs
 * VBE, PCI function or framebuffer: the core another adapter (cirrus.c)
 * builds on through an extension. */
VGAState *vga_init_core(const struct Buses *b, GError **errp);

/* A packed-pixel mode an extension shows instead of the VGA's own:
 * bpp 8 (DAC), 15, 16 (5:6:5), 24 or 32; pitch bytes per row from byte
 * start of the video memory, of which the first limit bytes exist. */
typedef struct VGAScanout {
    unsigned bpp, width, height;
    uint32_t start, pitch, limit;
} VGAScanout;

/* An extension of the register set (cirrus.c).  Every hook is optional;
 * returning true means the extension handled the access and the VGA does
 * nothing more.  io_read/io_write see every port access of 0x3B0-0x3DF
 * the misc register selects (they may watch one, like an index, and
 * return false to let the VGA do its part); mem_read/mem_write every byte
 * of the 0xA0000 window (offset from 0xA0000); scanout, when it returns
 * true, says what vga_render() draws; overlay draws over every frame
 * vga_render() made (a hardware cursor). */
typedef struct VGAExtension {
    bool (*io_read)(void *opaque, uint16_t port, uint8_t *val);
    bool (*io_write)(void *opaque, uint16_t port, uint8_t val);
    bool (*mem_read)(void *opaque, uint32_t off, uint8_t *val);
    bool (*mem_write)(void *opaque, uint32_t off, uint8_t val);
    bool (*scanout)(void *opaque, VGAScanout *so);
    void (*overlay)(void *opaque, VGAImage *img);   /* after a frame: a cursor */
} VGAExtension;
void vga_set_extension(VGAState *s, const VGAExtension *ext, void *opaque);

/* the standard registers an extension reads (index within its file) */
typedef enum VGARegFile { VGA_REG_SEQ, VGA_REG_GR, VGA_REG_CRTC, VGA_REG_AR,
                          VGA_REG_MISC } VGARegFile;
uint8_t vga_reg(VGAState *s, VGARegFile f, unsigned index);
/* a byte access to a VGA port as the CPU makes it (extension included) */
uint8_t vga_port_read(VGAState *s, uint16_t port);
void    vga_port_write(VGAState *s, uint16_t port, uint8_t v);

/* draw the current screen; false (and a 0x0 image) while the display is
 * off or the mode is not one we render */
bool vga_render(VGAState *s, VGAImage *img);
void vga_image_clear(VGAImage *img);
/* the character cells when a text mode is showing; false otherwise */
bool vga_text_screen(VGAState *s, VGATextScreen *t);

/* the video memory (VGA_VRAM_SIZE bytes; planar data interleaved: byte
 * offset*4 + plane) for tests and the display */
uint8_t *vga_vram(VGAState *s);

/* the saved-state table (bus/vmstate.h), for the tests */
extern const struct VMStateDesc vga_vmsd;
extern const size_t vga_state_size;

#endif
