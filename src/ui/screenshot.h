/*
 * screenshot.h - saving what the VGA shows: a PNG picture of any mode, or
 * the characters of a text mode as UTF-8 text (one line per row, trailing
 * blanks removed).  tx86's --screenshot FILE and --screendump-text FILE
 * write them when tx86 exits (tests use them instead of QEMU's monitor
 * command screendump); a --screendump-text file also follows the screen
 * while tx86 runs.
 *
 * Example:
 *     VGAImage img = { 0 };
 *     vga_render(vga, &img);
 *     screenshot_write_png(&img, "screen.png", &err);
 */
#ifndef TX86_SCREENSHOT_H
#define TX86_SCREENSHOT_H

#include <stdint.h>
#include <stdbool.h>
#include <glib.h>
#include "devices/vga.h"

struct Machine;

/* an RGB image as an 8-bit truecolour PNG (zlib-compressed IDAT) */
bool screenshot_write_png(const VGAImage *img, const char *path, GError **errp);
/* render the screen and save it as PNG */
bool screenshot_png(VGAState *vga, const char *path, GError **errp);
/* the text screen as UTF-8; path "-" is stdout; an error when the screen
 * is not in a text mode */
bool screendump_text(VGAState *vga, const char *path, GError **errp);
/* the text screen as a newly allocated UTF-8 string */
char *screendump_text_string(const VGATextScreen *t);
/* code page 437 (the VGA ROM font's character set) -> Unicode */
uint32_t ui_cp437_to_unicode(uint8_t c);
/* --screendump-text FILE (not "-"): rewrite FILE whenever the text screen
 * changed, checked every 250 ms of virtual time, so a test can watch it
 * while the guest runs (a virtual-clock timer: a halted guest with IF=1
 * then waits instead of ending tx86) */
void screenshot_start(struct Machine *m);
/* --screenshot / --screendump-text: called once when tx86 exits */
bool screenshot_at_exit(struct Machine *m, GError **errp);

#endif
