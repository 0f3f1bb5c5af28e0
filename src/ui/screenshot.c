/*
 * screenshot.c - PNG pictures and UTF-8 text dumps of the VGA screen (see
 * screenshot.h).
 *
 * The PNG writer follows the PNG specification (ISO/IEC 15948): the
 * signature, an IHDR chunk (8-bit RGB, no interlace), one IDAT chunk with
 * the zlib stream of the filtered scan lines (filter type 0 on every row)
 * and IEND; each chunk's CRC-32 comes from zlib.  Text dumps map the
 * screen's code page 437 characters to Unicode.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "ui/screenshot.h"

/* CP437 0x00-0x1F and 0x7F-0xFF (0x20-0x7E are ASCII) */
static const uint16_t cp437_low[32] = {
    0x0020, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640, 0x266A, 0x266B, 0x263C,
    0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC,
};
static const uint16_t cp437_high[129] = {
    0x2302,
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

uint32_t ui_cp437_to_unicode(uint8_t c)
{
    if (c < 0x20)
        return cp437_low[c];
    if (c < 0x7f)
        return c;
    return cp437_high[c - 0x7f];
}

/* ------------------------------------------------------------------ */
/* PNG                                                                  */

static void png_put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static bool png_chunk(FILE *f, const char *type, const uint8_t *data, uint32_t len)
{
    uint8_t hdr[8], crcb[4];
    png_put32(hdr, len);
    memcpy(hdr + 4, type, 4);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, hdr + 4, 4);
    if (len)
        crc = crc32(crc, data, len);
    png_put32(crcb, (uint32_t)crc);
    return fwrite(hdr, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
           fwrite(crcb, 1, 4, f) == 4;
}

bool screenshot_write_png(const VGAImage *img, const char *path, GError **errp)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (img->width <= 0 || img->height <= 0) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "screenshot: the display shows nothing (display off or unknown mode)");
        return false;
    }
    size_t row = (size_t)img->width * 3 + 1;
    size_t raw_len = row * img->height;
    uint8_t *raw = g_malloc(raw_len);
    for (int y = 0; y < img->height; y++) {
        raw[y * row] = 0;                               /* filter: none */
        memcpy(raw + y * row + 1, img->rgb + (size_t)y * img->width * 3, row - 1);
    }
    uLongf zlen = compressBound(raw_len);
    uint8_t *z = g_malloc(zlen);
    int zr = compress2(z, &zlen, raw, raw_len, 6);
    g_free(raw);
    if (zr != Z_OK) {
        g_free(z);
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED, "screenshot: zlib error %d", zr);
        return false;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "screenshot: cannot create '%s': %s", path, g_strerror(errno));
        g_free(z);
        return false;
    }
    uint8_t ihdr[13];
    png_put32(ihdr, img->width);
    png_put32(ihdr + 4, img->height);
    ihdr[8] = 8;        /* bit depth */
    ihdr[9] = 2;        /* colour type: RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;   /* deflate, adaptive filters, no interlace */
    bool ok = fwrite(sig, 1, 8, f) == 8 && png_chunk(f, "IHDR", ihdr, 13) &&
              png_chunk(f, "IDAT", z, (uint32_t)zlen) && png_chunk(f, "IEND", NULL, 0);
    g_free(z);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_IO, "screenshot: cannot write '%s'", path);
    return ok;
}

bool screenshot_png(VGAState *vga, const char *path, GError **errp)
{
    VGAImage img = { 0 };
    vga_render(vga, &img);
    bool ok = screenshot_write_png(&img, path, errp);
    vga_image_clear(&img);
    return ok;
}

/* ------------------------------------------------------------------ */
/* text                                                                 */

char *screendump_text_string(const VGATextScreen *t)
{
    GString *out = g_string_new(NULL);
    for (int r = 0; r < t->rows; r++) {
        gsize keep = out->len;
        for (int c = 0; c < t->cols; c++) {
            uint8_t ch = t->cells[r * t->cols + c] & 0xff;
            g_string_append_unichar(out, ui_cp437_to_unicode(ch));
            if (ch != 0 && ch != ' ' && ch != 0xff)
                keep = out->len;                /* trailing blanks are dropped */
        }
        g_string_truncate(out, keep);
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

bool screendump_text(VGAState *vga, const char *path, GError **errp)
{
    VGATextScreen *t = g_new(VGATextScreen, 1);
    if (!vga_text_screen(vga, t)) {
        g_free(t);
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "screendump: the display is not in a text mode");
        return false;
    }
    char *text = screendump_text_string(t);
    g_free(t);
    bool ok;
    if (!strcmp(path, "-")) {
        fflush(stdout);
        ok = fputs(text, stdout) >= 0 && fflush(stdout) == 0;
        if (!ok)
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_IO, "screendump: cannot write stdout");
    } else {
        ok = g_file_set_contents(path, text, -1, errp);
    }
    g_free(text);
    return ok;
}

/* --screendump-text FILE: the file follows the screen while tx86 runs */
typedef struct ScreendumpWatch {
    Machine *m;
    VGAState *vga;
    Timer *timer;
    char *last;                         /* text last written */
} ScreendumpWatch;

#define SCREENDUMP_PERIOD_NS 250000000  /* 4 times a second of virtual time */

static void screendump_tick(void *opaque)
{
    ScreendumpWatch *w = opaque;
    timer_mod(w->timer, clock_now(&w->m->clock) + SCREENDUMP_PERIOD_NS);
    VGATextScreen *t = g_new(VGATextScreen, 1);
    if (vga_text_screen(w->vga, t)) {
        char *text = screendump_text_string(t);
        if (!w->last || strcmp(text, w->last)) {
            g_file_set_contents(w->m->cfg.screendump_text, text, -1, NULL);   /* atomic */
            g_free(w->last);
            w->last = text;
        } else {
            g_free(text);
        }
    }
    g_free(t);
}

static void screendump_watch_free(void *opaque)
{
    ScreendumpWatch *w = opaque;
    timer_free(w->timer);
    g_free(w->last);
    g_free(w);
}

void screenshot_start(Machine *m)
{
    const char *txt = m->cfg.screendump_text;
    VGAState *vga = m->pc ? m->pc->vga : NULL;
    if (!txt || !strcmp(txt, "-") || !vga)
        return;
    ScreendumpWatch *w = g_new0(ScreendumpWatch, 1);
    w->m = m;
    w->vga = vga;
    w->timer = timer_new(&m->clock, screendump_tick, w);
    timer_mod(w->timer, clock_now(&m->clock) + SCREENDUMP_PERIOD_NS);
    machine_register_device(m, w, screendump_watch_free, NULL);
}

bool screenshot_at_exit(Machine *m, GError **errp)
{
    const char *png = m->cfg.screenshot, *txt = m->cfg.screendump_text;
    if (!png && !txt)
        return true;
    VGAState *vga = m->pc ? m->pc->vga : NULL;
    if (!vga) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "--screenshot/--screendump-text: the machine has no VGA (-vga none, or "
                    "-nodefaults without -vga std?)");
        return false;
    }
    if (txt && !screendump_text(vga, txt, errp))
        return false;
    return !png || screenshot_png(vga, png, errp);
}
