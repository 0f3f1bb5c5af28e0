/*
 * display.c - the display core (see display.h): VGA frames to the front
 * ends (sdl.c, vnc.c) at a fixed rate, their input to the PS/2 devices.
 *
 * A refresh: vga_render() into the current image; if the size changed,
 * every front end gets resize() and the whole screen; otherwise the
 * image is compared with the previous one tile by tile (DISPLAY_TILE
 * pixels square) and each run of changed tiles in a tile row becomes one
 * update() rectangle; then flush().  While the VGA shows nothing (display
 * off, a mode tx86 does not draw) the screen is black at the last size.
 *
 * The refresh runs from a timerfd (CLOCK_MONOTONIC, DISPLAY_REFRESH_MS)
 * that the main loop watches like any host input (machine_watch_fd), so
 * the window and the VNC clients are served while the guest runs, halts
 * or is stopped.
 *
 * Keys and pointer events go to the devices through the machine's record
 * and replay (display_input), so a recording holds them.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "machine/replay.h"
#include "devices/i8042.h"
#include "devices/ps2.h"
#include "devices/vga.h"
#include "devices/vmport.h"
#include "devices/usb_hid.h"
#include "ui/display.h"

#define DISPLAY_MAX_FRONTENDS 4

typedef struct DisplayFrontend {
    const DisplayFrontendOps *ops;
    void *opaque;
} DisplayFrontend;

struct DisplayState {
    Machine *m;
    VGAState *vga;
    int timer_fd;
    VGAImage cur, prev;             /* this frame and the last one */
    bool full;                      /* next refresh: everything changed */
    DisplayFrontend fe[DISPLAY_MAX_FRONTENDS];
    int nfe;
};

/* ------------------------------------------------------------------ input */

/* Input reaches the devices through the machine's record and replay
 * (machine/replay.h): an event is encoded (a kind byte, then 32-bit
 * little-endian fields) and display_input_deliver decodes it, at once,
 * or when recording at the next point between instructions, or when
 * replaying from the log. */
enum { INPUT_KEY = 'K', INPUT_REL = 'M', INPUT_ABS = 'A', INPUT_VMMOUSE = 'V' };
#define INPUT_FIELDS 4

static void display_input_deliver(void *opaque, const uint8_t *buf, size_t len)
{
    Machine *m = opaque;
    int32_t f[INPUT_FIELDS];
    if (len != 1 + 4 * INPUT_FIELDS || !m->pc)
        return;
    for (int i = 0; i < INPUT_FIELDS; i++)
        f[i] = (int32_t)(buf[1 + 4 * i] | buf[2 + 4 * i] << 8 | buf[3 + 4 * i] << 16 |
                         (uint32_t)buf[4 + 4 * i] << 24);
    switch (buf[0]) {
    case INPUT_KEY:
        if (m->pc->usb_kbd)
            usb_hid_key(m->pc->usb_kbd, f[0], f[1] != 0);   /* seen at the next poll */
        else if (m->pc->kbd)
            ps2_kbd_put_key(m->pc->kbd, f[0], f[1] != 0);
        break;
    case INPUT_REL:
        if (m->pc->usb_mouse)
            usb_hid_pointer_rel(m->pc->usb_mouse, f[0], f[1], f[2], (unsigned)f[3] & 7);
        else if (m->pc->i8042)
            ps2_mouse_event(i8042_mouse(m->pc->i8042), f[0], f[1], f[2], (unsigned)f[3] & 7);
        break;
    case INPUT_ABS:
        if (m->pc->usb_tablet)
            usb_hid_pointer_abs(m->pc->usb_tablet, (unsigned)f[0], (unsigned)f[1], f[2],
                                (unsigned)f[3] & 7);
        else if (m->pc->vmport && vmmouse_is_absolute(m->pc->vmport))
            vmmouse_absolute(m->pc->vmport, (unsigned)f[0] * 0xffffu / USB_HID_ABS_MAX,
                             (unsigned)f[1] * 0xffffu / USB_HID_ABS_MAX, f[2],
                             (unsigned)f[3] & 7);
        break;
    case INPUT_VMMOUSE:
        if (m->pc->vmport && vmmouse_is_absolute(m->pc->vmport))
            vmmouse_absolute(m->pc->vmport, (unsigned)f[0], (unsigned)f[1], f[2],
                             (unsigned)f[3] & 7);
        break;
    }
    m->cpu.exit_request = 1;            /* the IRQ is seen at once */
}

static void display_input(Machine *m, int kind, int32_t a, int32_t b, int32_t c, int32_t d)
{
    int32_t f[INPUT_FIELDS] = { a, b, c, d };
    uint8_t buf[1 + 4 * INPUT_FIELDS];
    buf[0] = (uint8_t)kind;
    for (int i = 0; i < INPUT_FIELDS; i++)
        for (int k = 0; k < 4; k++)
            buf[1 + 4 * i + k] = (uint8_t)((uint32_t)f[i] >> (8 * k));
    int id = replay_source(m, "input", display_input_deliver, m);
    if (id < 0)
        display_input_deliver(m, buf, sizeof(buf));
    else
        replay_input(m, id, buf, sizeof(buf));
}

bool display_key_event(Machine *m, int key, bool down, GError **errp)
{
    if (!m->pc || !m->pc->kbd) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED, "this machine has no keyboard");
        return false;
    }
    display_input(m, INPUT_KEY, key, down, 0, 0);
    return true;
}

bool display_mouse_event(Machine *m, int dx, int dy, int dz, unsigned buttons, GError **errp)
{
    if (!m->pc || !m->pc->i8042) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED, "this machine has no mouse");
        return false;
    }
    display_input(m, INPUT_REL, dx, dy, dz, (int32_t)(buttons & 7));
    return true;
}

static unsigned display_abs_scale(int v, int size)
{
    if (size <= 1)
        return 0;
    return (unsigned)CLAMP(v, 0, size - 1) * 0xffffu / (unsigned)(size - 1);
}

bool display_has_abs_pointer(Machine *m)
{
    return m->pc && (m->pc->usb_tablet ||
                     (m->pc->vmport && vmmouse_is_absolute(m->pc->vmport)));
}

bool display_pointer_abs(Machine *m, unsigned x, unsigned y, int dz, unsigned buttons,
                         GError **errp)
{
    x = MIN(x, USB_HID_ABS_MAX);
    y = MIN(y, USB_HID_ABS_MAX);
    if (!display_has_abs_pointer(m)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "no absolute pointer (add -usb -device usb-tablet)");
        return false;
    }
    display_input(m, INPUT_ABS, (int32_t)x, (int32_t)y, dz, (int32_t)(buttons & 7));
    return true;
}

bool display_mouse_abs(Machine *m, int x, int y, int w, int h, int dz, unsigned buttons)
{
    if (m->pc && m->pc->usb_tablet) {
        unsigned ux = display_abs_scale(x, w) * USB_HID_ABS_MAX / 0xffffu;
        unsigned uy = display_abs_scale(y, h) * USB_HID_ABS_MAX / 0xffffu;
        return display_pointer_abs(m, ux, uy, dz, buttons, NULL);
    }
    if (!m->pc || !m->pc->vmport || !vmmouse_is_absolute(m->pc->vmport))
        return false;
    display_input(m, INPUT_VMMOUSE, (int32_t)display_abs_scale(x, w),
                  (int32_t)display_abs_scale(y, h), dz, (int32_t)(buttons & 7));
    return true;
}

/* ------------------------------------------------------------------ frames */

static void display_image_alloc(VGAImage *img, int w, int h)
{
    size_t need = (size_t)w * (size_t)h * 3;
    if (img->cap < need) {
        g_free(img->rgb);
        img->rgb = g_malloc(need);
        img->cap = need;
    }
    img->width = w;
    img->height = h;
}

/* does tile (tx, ty) differ between cur and prev? (same size) */
static bool display_tile_changed(const VGAImage *a, const VGAImage *b, int x, int y, int w,
                                 int h)
{
    size_t stride = (size_t)a->width * 3;
    for (int r = y; r < y + h; r++) {
        size_t off = (size_t)r * stride + (size_t)x * 3;
        if (memcmp(a->rgb + off, b->rgb + off, (size_t)w * 3))
            return true;
    }
    return false;
}

static void display_update_all(DisplayState *d, int x, int y, int w, int h)
{
    for (int i = 0; i < d->nfe; i++)
        if (d->fe[i].ops->update)
            d->fe[i].ops->update(d->fe[i].opaque, &d->cur, x, y, w, h);
}

void display_refresh(DisplayState *d)
{
    VGAImage *img = &d->cur;
    int ow = d->prev.width, oh = d->prev.height;
    if (!vga_render(d->vga, img) || img->width <= 0 || img->height <= 0) {
        /* nothing to show: black, at the last size */
        int w = ow > 0 ? ow : 640, h = oh > 0 ? oh : 480;
        display_image_alloc(img, w, h);
        memset(img->rgb, 0, (size_t)w * (size_t)h * 3);
    }
    int w = img->width, h = img->height;
    if (w != ow || h != oh) {
        for (int i = 0; i < d->nfe; i++)
            if (d->fe[i].ops->resize)
                d->fe[i].ops->resize(d->fe[i].opaque, w, h);
        d->full = true;
    }
    if (d->full) {
        display_update_all(d, 0, 0, w, h);
    } else {
        for (int ty = 0; ty < h; ty += DISPLAY_TILE) {
            int th = MIN(DISPLAY_TILE, h - ty);
            int run = -1;                   /* first changed tile's x of this run */
            for (int tx = 0; tx <= w; tx += DISPLAY_TILE) {
                bool changed = tx < w &&
                    display_tile_changed(img, &d->prev, tx, ty, MIN(DISPLAY_TILE, w - tx), th);
                if (changed && run < 0)
                    run = tx;
                if (!changed && run >= 0) {
                    display_update_all(d, run, ty, MIN(tx, w) - run, th);
                    run = -1;
                }
            }
        }
    }
    d->full = false;
    for (int i = 0; i < d->nfe; i++)
        if (d->fe[i].ops->flush)
            d->fe[i].ops->flush(d->fe[i].opaque);
    /* keep this frame as the next one's reference */
    VGAImage t = d->prev;
    d->prev = d->cur;
    d->cur = t;
}

void display_invalidate(DisplayState *d)
{
    d->full = true;
}

const VGAImage *display_image(DisplayState *d)
{
    return &d->prev;
}

Machine *display_machine(DisplayState *d)
{
    return d->m;
}

/* the timerfd expired: a refresh, then the front ends' input */
static void display_tick(void *opaque)
{
    DisplayState *d = opaque;
    uint64_t n;
    if (read(d->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        return;
    for (int i = 0; i < d->nfe; i++)
        if (d->fe[i].ops->poll)
            d->fe[i].ops->poll(d->fe[i].opaque);
    display_refresh(d);
}

static void display_free(void *opaque)
{
    DisplayState *d = opaque;
    if (d->nfe)
        machine_unwatch_fd(d->m, d->timer_fd, d);
    for (int i = d->nfe - 1; i >= 0; i--)
        if (d->fe[i].ops->free)
            d->fe[i].ops->free(d->fe[i].opaque);
    close(d->timer_fd);
    vga_image_clear(&d->cur);
    vga_image_clear(&d->prev);
    g_free(d);
}

/* one per machine (Machine.display); the refresh starts with the first
 * front end, so a display no front end joined costs nothing */
DisplayState *display_get(Machine *m, GError **errp)
{
    if (m->display)
        return m->display;
    VGAState *vga = m->pc ? m->pc->vga : NULL;
    if (!vga) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "a display window or VNC server needs the VGA (not -vga none)");
        return NULL;
    }
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "display: timerfd_create: %s", g_strerror(errno));
        return NULL;
    }
    struct itimerspec its = {
        .it_interval = { 0, DISPLAY_REFRESH_MS * 1000000L },
        .it_value = { 0, DISPLAY_REFRESH_MS * 1000000L },
    };
    timerfd_settime(fd, 0, &its, NULL);
    DisplayState *d = g_new0(DisplayState, 1);
    d->m = m;
    d->vga = vga;
    d->timer_fd = fd;
    d->full = true;
    display_image_alloc(&d->prev, 640, 480);
    memset(d->prev.rgb, 0, d->prev.cap);
    d->prev.width = d->prev.height = 0;         /* the first refresh resizes */
    machine_register_device(m, d, display_free, NULL);
    m->display = d;
    return d;
}

void display_add_frontend(DisplayState *d, const DisplayFrontendOps *ops, void *opaque)
{
    g_assert(d->nfe < DISPLAY_MAX_FRONTENDS);
    d->fe[d->nfe].ops = ops;
    d->fe[d->nfe].opaque = opaque;
    d->nfe++;
    d->full = true;
    if (d->nfe == 1) {
        HostFdWatch w = { .fd = d->timer_fd, .on_input = display_tick, .opaque = d };
        machine_watch_fd(d->m, &w);
    }
    if (d->prev.width > 0 && ops->resize)     /* joins a running display */
        ops->resize(opaque, d->prev.width, d->prev.height);
}

/* ------------------------------------------------------------------ set-up */

bool display_start(Machine *m, GError **errp)
{
    const MachineConfig *c = &m->cfg;
    bool sdl = c->display_sdl;
    bool by_default = false;
    if (!sdl && !c->display_none && !c->display_curses && !c->nographic && !c->vnc_host &&
        !c->daemonize && m->pc && m->pc->vga) {
        const char *x = g_getenv("DISPLAY"), *wl = g_getenv("WAYLAND_DISPLAY");
        by_default = sdl = (x && *x) || (wl && *wl);
    }
    if (c->vnc_host) {
        DisplayState *d = display_get(m, errp);
        if (!d || !vnc_start(d, c->vnc_host, c->vnc_display, errp))
            return false;
    }
    if (sdl) {
        GError *err = NULL;
        DisplayState *d = display_get(m, &err);
        if (d && sdl_start(d, c->full_screen, &err))
            return true;
        if (!by_default) {
            g_propagate_error(errp, err);
            return false;
        }
        /* the default window: carry on without it, as a headless machine */
        fprintf(stderr, "tx86: no window (%s); running without a display "
                "(-display none silences this)\n", err->message);
        g_error_free(err);
    }
    return true;
}
