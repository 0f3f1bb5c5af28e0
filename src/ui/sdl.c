/*
 * sdl.c - "-display sdl": the screen in an SDL2 window, the host keyboard
 * and mouse to the PS/2 keyboard and mouse (a front end of display.c).
 *
 * Picture: one streaming RGB24 texture of the guest's size; the display
 * core's changed rectangles are uploaded, then the texture is drawn
 * scaled to the window (a renderer SDL picks, software as a fallback).
 * The window follows the guest's mode changes in size.
 *
 * Keys: SDL scancodes (the USB HID positions of the keys, whatever the
 * host layout) -> PC keys (set 1 make codes, ps2.h) through sdl_keys[];
 * the PS/2 keyboard then sends them in the scancode set the guest chose.
 * Keys held when the window loses the focus are released.
 *
 * Mouse: a click in the window grabs the pointer (relative mode: the
 * host cursor disappears and motion goes to the guest as PS/2 motion);
 * Ctrl+Alt+G releases it, as in QEMU, and the title says which state it
 * is in ("- Press Ctrl+Alt+G to exit grab").  Ctrl+Alt+F toggles full
 * screen.  Closing the window ends tx86 (QEMU's shutdown cause host-ui).
 */
#define SDL_MAIN_HANDLED
#include <SDL.h>
#include "machine/machine.h"
#include "devices/ps2.h"
#include "ui/display.h"

typedef struct SdlUI {
    DisplayState *d;
    Machine *m;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int width, height;              /* the guest screen's (texture) size */
    bool dirty;                     /* something to present */
    bool grab;                      /* the pointer is the guest's */
    bool stopped_shown;             /* the title says [Stopped] */
    bool full_screen;
    unsigned buttons;               /* PS/2 buttons held: bit 0 left, 1 right, 2 middle */
    uint8_t held[SDL_NUM_SCANCODES]; /* keys down in the guest */
} SdlUI;

/* SDL scancode -> PC key (set 1 make code; 0xE0xx extended) */
static const uint16_t sdl_keys[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_ESCAPE] = 0x01,
    [SDL_SCANCODE_1] = 0x02, [SDL_SCANCODE_2] = 0x03, [SDL_SCANCODE_3] = 0x04,
    [SDL_SCANCODE_4] = 0x05, [SDL_SCANCODE_5] = 0x06, [SDL_SCANCODE_6] = 0x07,
    [SDL_SCANCODE_7] = 0x08, [SDL_SCANCODE_8] = 0x09, [SDL_SCANCODE_9] = 0x0a,
    [SDL_SCANCODE_0] = 0x0b, [SDL_SCANCODE_MINUS] = 0x0c, [SDL_SCANCODE_EQUALS] = 0x0d,
    [SDL_SCANCODE_BACKSPACE] = 0x0e, [SDL_SCANCODE_TAB] = 0x0f,
    [SDL_SCANCODE_Q] = 0x10, [SDL_SCANCODE_W] = 0x11, [SDL_SCANCODE_E] = 0x12,
    [SDL_SCANCODE_R] = 0x13, [SDL_SCANCODE_T] = 0x14, [SDL_SCANCODE_Y] = 0x15,
    [SDL_SCANCODE_U] = 0x16, [SDL_SCANCODE_I] = 0x17, [SDL_SCANCODE_O] = 0x18,
    [SDL_SCANCODE_P] = 0x19, [SDL_SCANCODE_LEFTBRACKET] = 0x1a,
    [SDL_SCANCODE_RIGHTBRACKET] = 0x1b, [SDL_SCANCODE_RETURN] = 0x1c,
    [SDL_SCANCODE_LCTRL] = 0x1d,
    [SDL_SCANCODE_A] = 0x1e, [SDL_SCANCODE_S] = 0x1f, [SDL_SCANCODE_D] = 0x20,
    [SDL_SCANCODE_F] = 0x21, [SDL_SCANCODE_G] = 0x22, [SDL_SCANCODE_H] = 0x23,
    [SDL_SCANCODE_J] = 0x24, [SDL_SCANCODE_K] = 0x25, [SDL_SCANCODE_L] = 0x26,
    [SDL_SCANCODE_SEMICOLON] = 0x27, [SDL_SCANCODE_APOSTROPHE] = 0x28,
    [SDL_SCANCODE_GRAVE] = 0x29, [SDL_SCANCODE_LSHIFT] = 0x2a,
    [SDL_SCANCODE_BACKSLASH] = 0x2b,
    [SDL_SCANCODE_Z] = 0x2c, [SDL_SCANCODE_X] = 0x2d, [SDL_SCANCODE_C] = 0x2e,
    [SDL_SCANCODE_V] = 0x2f, [SDL_SCANCODE_B] = 0x30, [SDL_SCANCODE_N] = 0x31,
    [SDL_SCANCODE_M] = 0x32, [SDL_SCANCODE_COMMA] = 0x33, [SDL_SCANCODE_PERIOD] = 0x34,
    [SDL_SCANCODE_SLASH] = 0x35, [SDL_SCANCODE_RSHIFT] = 0x36,
    [SDL_SCANCODE_KP_MULTIPLY] = 0x37, [SDL_SCANCODE_LALT] = 0x38,
    [SDL_SCANCODE_SPACE] = 0x39, [SDL_SCANCODE_CAPSLOCK] = 0x3a,
    [SDL_SCANCODE_F1] = 0x3b, [SDL_SCANCODE_F2] = 0x3c, [SDL_SCANCODE_F3] = 0x3d,
    [SDL_SCANCODE_F4] = 0x3e, [SDL_SCANCODE_F5] = 0x3f, [SDL_SCANCODE_F6] = 0x40,
    [SDL_SCANCODE_F7] = 0x41, [SDL_SCANCODE_F8] = 0x42, [SDL_SCANCODE_F9] = 0x43,
    [SDL_SCANCODE_F10] = 0x44, [SDL_SCANCODE_NUMLOCKCLEAR] = 0x45,
    [SDL_SCANCODE_SCROLLLOCK] = 0x46,
    [SDL_SCANCODE_KP_7] = 0x47, [SDL_SCANCODE_KP_8] = 0x48, [SDL_SCANCODE_KP_9] = 0x49,
    [SDL_SCANCODE_KP_MINUS] = 0x4a, [SDL_SCANCODE_KP_4] = 0x4b, [SDL_SCANCODE_KP_5] = 0x4c,
    [SDL_SCANCODE_KP_6] = 0x4d, [SDL_SCANCODE_KP_PLUS] = 0x4e, [SDL_SCANCODE_KP_1] = 0x4f,
    [SDL_SCANCODE_KP_2] = 0x50, [SDL_SCANCODE_KP_3] = 0x51, [SDL_SCANCODE_KP_0] = 0x52,
    [SDL_SCANCODE_KP_PERIOD] = 0x53, [SDL_SCANCODE_NONUSBACKSLASH] = 0x56,
    [SDL_SCANCODE_F11] = 0x57, [SDL_SCANCODE_F12] = 0x58,
    [SDL_SCANCODE_KP_ENTER] = 0xe01c, [SDL_SCANCODE_RCTRL] = 0xe01d,
    [SDL_SCANCODE_KP_DIVIDE] = 0xe035, [SDL_SCANCODE_PRINTSCREEN] = 0xe037,
    [SDL_SCANCODE_RALT] = 0xe038, [SDL_SCANCODE_HOME] = 0xe047, [SDL_SCANCODE_UP] = 0xe048,
    [SDL_SCANCODE_PAGEUP] = 0xe049, [SDL_SCANCODE_LEFT] = 0xe04b,
    [SDL_SCANCODE_RIGHT] = 0xe04d, [SDL_SCANCODE_END] = 0xe04f, [SDL_SCANCODE_DOWN] = 0xe050,
    [SDL_SCANCODE_PAGEDOWN] = 0xe051, [SDL_SCANCODE_INSERT] = 0xe052,
    [SDL_SCANCODE_DELETE] = 0xe053, [SDL_SCANCODE_LGUI] = 0xe05b,
    [SDL_SCANCODE_RGUI] = 0xe05c, [SDL_SCANCODE_APPLICATION] = 0xe05d,
};

int sdl_scancode_to_key(int scancode)
{
    if (scancode < 0 || scancode >= SDL_NUM_SCANCODES || !sdl_keys[scancode])
        return -1;
    return sdl_keys[scancode];
}

static void sdl_set_title(SdlUI *ui)
{
    const char *name = ui->m->cfg.name;
    char *t = g_strdup_printf("tx86%s%s%s%s%s", name ? " (" : "", name ? name : "",
                              name ? ")" : "", ui->m->stopped ? " [Stopped]" : "",
                              ui->grab ? " - Press Ctrl+Alt+G to exit grab" : "");
    SDL_SetWindowTitle(ui->win, t);
    g_free(t);
    ui->stopped_shown = ui->m->stopped;
}

/* not grabbed: the pointer's place in the window as an absolute position
 * for the vmmouse, when the guest reads those (display_mouse_abs) */
static bool sdl_abs(SdlUI *ui, int dz, unsigned buttons)
{
    int x, y, ww, wh;
    SDL_GetMouseState(&x, &y);
    SDL_GetWindowSize(ui->win, &ww, &wh);
    if (ww <= 0 || wh <= 0 || ui->width <= 0 || ui->height <= 0)
        return false;
    return display_mouse_abs(ui->m, (int)((int64_t)x * ui->width / ww),
                             (int)((int64_t)y * ui->height / wh), ui->width, ui->height, dz,
                             buttons);
}

static void sdl_set_grab(SdlUI *ui, bool on)
{
    if (ui->grab == on)
        return;
    ui->grab = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(ui->win, on ? SDL_TRUE : SDL_FALSE);
    if (!on && ui->buttons) {               /* let go of the buttons held */
        ui->buttons = 0;
        display_mouse_event(ui->m, 0, 0, 0, 0, NULL);
    }
    sdl_set_title(ui);
}

static void sdl_release_keys(SdlUI *ui)
{
    for (int i = 0; i < SDL_NUM_SCANCODES; i++)
        if (ui->held[i]) {
            ui->held[i] = 0;
            display_key_event(ui->m, sdl_keys[i], false, NULL);
        }
}

static void sdl_key(SdlUI *ui, const SDL_KeyboardEvent *ev)
{
    SDL_Scancode sc = ev->keysym.scancode;
    bool down = ev->type == SDL_KEYDOWN;
    if ((unsigned)sc >= SDL_NUM_SCANCODES)
        return;
    /* the modifiers held at this event (SDL_GetModState is the state after
     * every event already read) */
    bool ctrl = ui->held[SDL_SCANCODE_LCTRL] || ui->held[SDL_SCANCODE_RCTRL];
    bool alt = ui->held[SDL_SCANCODE_LALT] || ui->held[SDL_SCANCODE_RALT];
    if (down && ctrl && alt) {
        /* QEMU's hot keys: the key itself does not reach the guest */
        if (sc == SDL_SCANCODE_G) {
            if (!ev->repeat)
                sdl_set_grab(ui, !ui->grab);
            return;
        }
        if (sc == SDL_SCANCODE_F) {
            if (!ev->repeat) {
                ui->full_screen = !ui->full_screen;
                SDL_SetWindowFullscreen(ui->win, ui->full_screen ?
                                        SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
            }
            return;
        }
    }
    int key = sdl_scancode_to_key(sc);
    if (key < 0)
        return;
    if (!down && !ui->held[sc])
        return;                             /* the up of a hot key */
    ui->held[sc] = down;
    display_key_event(ui->m, key, down, NULL);  /* repeats are the keyboard's typematic */
}

static unsigned sdl_button_bit(Uint8 b)
{
    switch (b) {
    case SDL_BUTTON_LEFT: return 1;
    case SDL_BUTTON_RIGHT: return 2;
    case SDL_BUTTON_MIDDLE: return 4;
    default: return 0;
    }
}

/* every SDL event waiting */
static void sdl_poll(void *opaque)
{
    SdlUI *ui = opaque;
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        switch (ev.type) {
        case SDL_QUIT:
            machine_request_shutdown_reason(ui->m, 0, "host-ui");
            break;
        case SDL_KEYDOWN:
        case SDL_KEYUP:
            sdl_key(ui, &ev.key);
            break;
        case SDL_MOUSEMOTION:
            if (!ui->grab)
                sdl_abs(ui, 0, ui->buttons);
            else if (ev.motion.xrel || ev.motion.yrel)
                display_mouse_event(ui->m, ev.motion.xrel, -ev.motion.yrel, 0, ui->buttons,
                                    NULL);
            break;
        case SDL_MOUSEBUTTONDOWN:
            if (!ui->grab) {
                /* a guest reading absolute positions gets the click */
                unsigned b = ui->buttons | sdl_button_bit(ev.button.button);
                if (sdl_abs(ui, 0, b))
                    ui->buttons = b;
                else if (ev.button.button == SDL_BUTTON_LEFT)
                    sdl_set_grab(ui, true);     /* this click only grabs */
                break;
            }
            if (!sdl_button_bit(ev.button.button))
                break;
            ui->buttons |= sdl_button_bit(ev.button.button);
            display_mouse_event(ui->m, 0, 0, 0, ui->buttons, NULL);
            break;
        case SDL_MOUSEBUTTONUP:
            if (!(ui->buttons & sdl_button_bit(ev.button.button)))
                break;                      /* e.g. the click that grabbed */
            ui->buttons &= ~sdl_button_bit(ev.button.button);
            if (!ui->grab)
                sdl_abs(ui, 0, ui->buttons);
            else
                display_mouse_event(ui->m, 0, 0, 0, ui->buttons, NULL);
            break;
        case SDL_MOUSEWHEEL:
            if (!ui->grab && ev.wheel.y)
                sdl_abs(ui, ev.wheel.y > 0 ? -1 : 1, ui->buttons);
            else if (ev.wheel.y)
                display_mouse_event(ui->m, 0, 0, ev.wheel.y > 0 ? -1 : 1, ui->buttons, NULL);
            break;
        case SDL_WINDOWEVENT:
            switch (ev.window.event) {
            case SDL_WINDOWEVENT_FOCUS_LOST:
                sdl_release_keys(ui);
                break;
            case SDL_WINDOWEVENT_EXPOSED:
            case SDL_WINDOWEVENT_SIZE_CHANGED:
                ui->dirty = true;
                break;
            }
            break;
        default:
            break;
        }
    }
    if (ui->stopped_shown != ui->m->stopped)
        sdl_set_title(ui);
}

static void sdl_resize(void *opaque, int w, int h)
{
    SdlUI *ui = opaque;
    if (ui->tex)
        SDL_DestroyTexture(ui->tex);
    ui->tex = SDL_CreateTexture(ui->ren, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING,
                                w, h);
    ui->width = w;
    ui->height = h;
    if (!ui->full_screen)
        SDL_SetWindowSize(ui->win, w, h);
    SDL_RenderSetLogicalSize(ui->ren, w, h);
    ui->dirty = true;
}

static void sdl_update(void *opaque, const VGAImage *img, int x, int y, int w, int h)
{
    SdlUI *ui = opaque;
    if (!ui->tex || img->width != ui->width || img->height != ui->height)
        return;
    SDL_Rect r = { x, y, w, h };
    size_t pitch = (size_t)img->width * 3;
    SDL_UpdateTexture(ui->tex, &r, img->rgb + (size_t)y * pitch + (size_t)x * 3, (int)pitch);
    ui->dirty = true;
}

static void sdl_flush(void *opaque)
{
    SdlUI *ui = opaque;
    if (!ui->dirty || !ui->tex)
        return;
    SDL_RenderClear(ui->ren);
    SDL_RenderCopy(ui->ren, ui->tex, NULL, NULL);
    SDL_RenderPresent(ui->ren);
    ui->dirty = false;
}

static void sdl_free(void *opaque)
{
    SdlUI *ui = opaque;
    if (ui->tex)
        SDL_DestroyTexture(ui->tex);
    SDL_DestroyRenderer(ui->ren);
    SDL_DestroyWindow(ui->win);
    SDL_Quit();                             /* also SDL's D-Bus connection */
    g_free(ui);
}

static const DisplayFrontendOps sdl_ops = {
    .name = "sdl",
    .resize = sdl_resize,
    .update = sdl_update,
    .flush = sdl_flush,
    .poll = sdl_poll,
    .free = sdl_free,
};

bool sdl_start(DisplayState *d, bool full_screen, GError **errp)
{
    SDL_SetMainReady();
    /* tx86 keeps its own SIGINT/SIGTERM handling (pid file, QMP events) */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");   /* Alt+Tab etc. to the guest while grabbed */
    /* only a desktop's video drivers: SDL would go on to others (KMSDRM
     * takes over the console) when X11 and Wayland fail */
    const char *drivers[2];
    int n = 0;
    const char *env = g_getenv("SDL_VIDEODRIVER");
    const char *x = g_getenv("DISPLAY"), *wl = g_getenv("WAYLAND_DISPLAY");
    if (env && *env)
        drivers[n++] = env;
    else {
        if (x && *x)
            drivers[n++] = "x11";
        if (wl && *wl)
            drivers[n++] = "wayland";
    }
    if (!n) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-display sdl: cannot open a window: neither $DISPLAY nor "
                    "$WAYLAND_DISPLAY is set");
        return false;
    }
    int i;
    for (i = 0; i < n; i++) {
        SDL_SetHint(SDL_HINT_VIDEODRIVER, drivers[i]);
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0)
            break;
    }
    if (i == n) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-display sdl: cannot open a window: %s", SDL_GetError());
        SDL_Quit();
        return false;
    }
    SdlUI *ui = g_new0(SdlUI, 1);
    ui->d = d;
    ui->m = display_machine(d);
    ui->full_screen = full_screen;
    ui->win = SDL_CreateWindow("tx86", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                               640, 480, full_screen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    if (ui->win) {
        ui->ren = SDL_CreateRenderer(ui->win, -1, 0);
        if (!ui->ren)
            ui->ren = SDL_CreateRenderer(ui->win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!ui->win || !ui->ren) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-display sdl: cannot open a window: %s", SDL_GetError());
        if (ui->win)
            SDL_DestroyWindow(ui->win);
        SDL_Quit();                             /* also SDL's D-Bus connection */
        g_free(ui);
        return false;
    }
    SDL_SetRenderDrawColor(ui->ren, 0, 0, 0, 255);
    sdl_set_title(ui);
    display_add_frontend(d, &sdl_ops, ui);
    return true;
}
