/*
 * vnc.c - "-vnc [HOST]:N": a VNC (RFB) server on port 5900 + N built on
 * libvncserver, a front end of display.c: the guest's screen to the
 * clients, their keys and pointer to the PS/2 keyboard and mouse.
 *
 * Picture: libvncserver serves a 32-bit framebuffer (its default pixel
 * format, read back from serverFormat); display.c's changed rectangles
 * are converted into it and marked modified, so clients get only the
 * tiles that changed.  A mode change is a new framebuffer
 * (rfbNewFramebuffer: clients with the NewFBSize encoding are told).
 *
 * Main loop: the listening sockets and every client's socket are host
 * fds the main loop watches (machine_watch_fd); any input on them, and
 * each display refresh, runs rfbProcessEvents(screen, 0), which accepts,
 * reads the clients' messages (libvncserver parses the protocol) and
 * sends the pending updates.  No threads.
 *
 * Input: key events carry X keysyms, mapped to PC keys (set 1 codes,
 * ps2.h) for a US layout by vnc_keysym_to_key(); unknown keysyms are
 * dropped.  Pointer events carry absolute positions: the PS/2 mouse is
 * relative, so each client's motion is the difference from its last
 * position (clamped to the screen), buttons as RFB's mask (1 left,
 * 2 middle, 4 right, 8/16 wheel up/down).  Keys a client holds are
 * released when it leaves.
 */
#include <string.h>
#include <arpa/inet.h>
#include <rfb/rfb.h>
#include "machine/machine.h"
#include "devices/ps2.h"
#include "ui/display.h"

typedef struct VncUI {
    DisplayState *d;
    Machine *m;
    rfbScreenInfoPtr screen;
    uint32_t *fb;                   /* the framebuffer libvncserver serves */
    int width, height;
    uint8_t held[0x100];            /* PC keys down: code, 0x80 | code for E0 keys */
    bool watching_listen, watching_listen6;
    bool closing;                   /* vnc_free: clients leave, no more input */
} VncUI;

typedef struct VncClient {
    VncUI *ui;
    int fd;                         /* watched; libvncserver sets cl->sock to -1 first */
    bool have_pos;
    int x, y;                       /* last absolute position */
    unsigned mask;                  /* last RFB button mask */
} VncClient;

/* X keysyms (X11/keysymdef.h) of keys that are not ASCII characters */
static const struct { uint32_t sym; uint16_t key; } vnc_keysyms[] = {
    { 0xff08, 0x0e },   /* BackSpace */     { 0xff09, 0x0f },   /* Tab */
    { 0xfe20, 0x0f },   /* ISO_Left_Tab */  { 0xff0d, 0x1c },   /* Return */
    { 0xff1b, 0x01 },   /* Escape */        { 0xffff, 0xe053 }, /* Delete */
    { 0xff50, 0xe047 }, /* Home */          { 0xff51, 0xe04b }, /* Left */
    { 0xff52, 0xe048 }, /* Up */            { 0xff53, 0xe04d }, /* Right */
    { 0xff54, 0xe050 }, /* Down */          { 0xff55, 0xe049 }, /* Prior */
    { 0xff56, 0xe051 }, /* Next */          { 0xff57, 0xe04f }, /* End */
    { 0xff63, 0xe052 }, /* Insert */        { 0xff61, 0xe037 }, /* Print */
    { 0xff67, 0xe05d }, /* Menu */          { 0xff14, 0x46 },   /* Scroll_Lock */
    { 0xff7f, 0x45 },   /* Num_Lock */      { 0xffe5, 0x3a },   /* Caps_Lock */
    { 0xffe1, 0x2a },   /* Shift_L */       { 0xffe2, 0x36 },   /* Shift_R */
    { 0xffe3, 0x1d },   /* Control_L */     { 0xffe4, 0xe01d }, /* Control_R */
    { 0xffe9, 0x38 },   /* Alt_L */         { 0xffea, 0xe038 }, /* Alt_R */
    { 0xffe7, 0x38 },   /* Meta_L */        { 0xffe8, 0xe038 }, /* Meta_R */
    { 0xfe03, 0xe038 }, /* ISO_Level3_Shift (AltGr) */
    { 0xffeb, 0xe05b }, /* Super_L */       { 0xffec, 0xe05c }, /* Super_R */
    { 0xff8d, 0xe01c }, /* KP_Enter */      { 0xffaa, 0x37 },   /* KP_Multiply */
    { 0xffab, 0x4e },   /* KP_Add */        { 0xffad, 0x4a },   /* KP_Subtract */
    { 0xffae, 0x53 },   /* KP_Decimal */    { 0xffaf, 0xe035 }, /* KP_Divide */
    { 0xff9f, 0x53 },   /* KP_Delete */     { 0xff9e, 0x52 },   /* KP_Insert */
    { 0xff95, 0x47 },   /* KP_Home */       { 0xff96, 0x4b },   /* KP_Left */
    { 0xff97, 0x48 },   /* KP_Up */         { 0xff98, 0x4d },   /* KP_Right */
    { 0xff99, 0x50 },   /* KP_Down */       { 0xff9a, 0x49 },   /* KP_Prior */
    { 0xff9b, 0x51 },   /* KP_Next */       { 0xff9c, 0x4f },   /* KP_End */
    { 0xff9d, 0x4c },   /* KP_Begin */
    { 0xffb0, 0x52 }, { 0xffb1, 0x4f }, { 0xffb2, 0x50 }, { 0xffb3, 0x51 }, /* KP_0..3 */
    { 0xffb4, 0x4b }, { 0xffb5, 0x4c }, { 0xffb6, 0x4d }, { 0xffb7, 0x47 }, /* KP_4..7 */
    { 0xffb8, 0x48 }, { 0xffb9, 0x49 },                                     /* KP_8, 9 */
    { 0xffbe, 0x3b }, { 0xffbf, 0x3c }, { 0xffc0, 0x3d }, { 0xffc1, 0x3e }, /* F1..F4 */
    { 0xffc2, 0x3f }, { 0xffc3, 0x40 }, { 0xffc4, 0x41 }, { 0xffc5, 0x42 }, /* F5..F8 */
    { 0xffc6, 0x43 }, { 0xffc7, 0x44 }, { 0xffc8, 0x57 }, { 0xffc9, 0x58 }, /* F9..F12 */
};

/* an X keysym -> PC key (US layout), -1 if none */
int vnc_keysym_to_key(uint32_t sym)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vnc_keysyms); i++)
        if (vnc_keysyms[i].sym == sym)
            return vnc_keysyms[i].key;
    if (sym >= 0x20 && sym <= 0x7e) {       /* Latin-1 keysyms = ASCII: the key of the
                                             * character; the client sends Shift itself */
        bool shift;
        return ps2_ascii_to_key((int)sym, &shift);
    }
    return -1;
}

static int vnc_held_index(int key)
{
    return (key & 0x7f) | ((key & 0xe000) ? 0x80 : 0);
}

static void vnc_key(rfbBool down, rfbKeySym sym, rfbClientPtr cl)
{
    VncClient *c = cl->clientData;
    if (!c)
        return;
    VncUI *ui = c->ui;
    int key = vnc_keysym_to_key((uint32_t)sym);
    if (key <= 0)
        return;
    ui->held[vnc_held_index(key)] = down ? 1 : 0;
    display_key_event(ui->m, key, down, NULL);
}

static void vnc_release_keys(VncUI *ui)
{
    for (int i = 1; i < 0x100; i++)
        if (ui->held[i]) {
            ui->held[i] = 0;
            display_key_event(ui->m, (i & 0x80) ? 0xe000 | (i & 0x7f) : i, false, NULL);
        }
}

static void vnc_pointer(int mask, int x, int y, rfbClientPtr cl)
{
    VncClient *c = cl->clientData;
    if (!c)
        return;
    VncUI *ui = c->ui;
    /* positions come from the client: keep them on the screen */
    x = CLAMP(x, 0, MAX(ui->width - 1, 0));
    y = CLAMP(y, 0, MAX(ui->height - 1, 0));
    int dx = c->have_pos ? x - c->x : 0;
    int dy = c->have_pos ? c->y - y : 0;    /* PS/2: up is positive */
    unsigned m = (unsigned)mask & 0x1f;
    int dz = 0;
    if ((m & 8) && !(c->mask & 8))
        dz = -1;                            /* wheel up: away from the user */
    if ((m & 16) && !(c->mask & 16))
        dz = 1;
    unsigned buttons = (m & 1) | ((m & 4) ? 2 : 0) | ((m & 2) ? 4 : 0);
    unsigned old = (c->mask & 1) | ((c->mask & 4) ? 2 : 0) | ((c->mask & 2) ? 4 : 0);
    bool changed = dx || dy || dz || buttons != old || !c->have_pos;
    c->have_pos = true;
    c->x = x;
    c->y = y;
    c->mask = m;
    /* the vmmouse when the guest reads absolute positions, else PS/2 */
    if (changed && !display_mouse_abs(ui->m, x, y, ui->width, ui->height, dz, buttons) &&
        (dx || dy || dz || buttons != old))
        display_mouse_event(ui->m, dx, dy, dz, buttons, NULL);
}

static void vnc_events(void *opaque)
{
    VncUI *ui = opaque;
    rfbProcessEvents(ui->screen, 0);
}

static void vnc_client_gone(rfbClientPtr cl)
{
    VncClient *c = cl->clientData;
    if (!c)
        return;
    machine_unwatch_fd(c->ui->m, c->fd, c->ui);
    if (!c->ui->closing) {
        if (c->mask & 7)                    /* let go of its buttons */
            display_mouse_event(c->ui->m, 0, 0, 0, 0, NULL);
        vnc_release_keys(c->ui);
    }
    cl->clientData = NULL;
    g_free(c);
}

static enum rfbNewClientAction vnc_new_client(rfbClientPtr cl)
{
    VncUI *ui = cl->screen->screenData;
    VncClient *c = g_new0(VncClient, 1);
    c->ui = ui;
    cl->clientData = c;
    cl->clientGoneHook = vnc_client_gone;
    c->fd = cl->sock;
    /* the watch names the server, never the client: one turn may end
     * another client whose fd the same poll found readable */
    HostFdWatch w = { .fd = cl->sock, .on_input = vnc_events, .opaque = ui };
    machine_watch_fd(ui->m, &w);
    return RFB_CLIENT_ACCEPT;
}

static void vnc_resize(void *opaque, int w, int h)
{
    VncUI *ui = opaque;
    uint32_t *fb = g_malloc0((size_t)w * (size_t)h * 4);
    rfbNewFramebuffer(ui->screen, (char *)fb, w, h, 8, 3, 4);
    g_free(ui->fb);
    ui->fb = fb;
    ui->width = w;
    ui->height = h;
}

static void vnc_update(void *opaque, const VGAImage *img, int x, int y, int w, int h)
{
    VncUI *ui = opaque;
    if (img->width != ui->width || img->height != ui->height)
        return;
    const rfbPixelFormat *f = &ui->screen->serverFormat;
    for (int r = y; r < y + h; r++) {
        const uint8_t *s = img->rgb + ((size_t)r * (size_t)img->width + (size_t)x) * 3;
        uint32_t *dst = ui->fb + (size_t)r * (size_t)ui->width + (size_t)x;
        for (int i = 0; i < w; i++, s += 3)
            dst[i] = (uint32_t)s[0] << f->redShift | (uint32_t)s[1] << f->greenShift |
                     (uint32_t)s[2] << f->blueShift;
    }
    rfbMarkRectAsModified(ui->screen, x, y, x + w, y + h);
}

/* after a refresh: send the updates the clients asked for */
static void vnc_flush(void *opaque)
{
    vnc_events(opaque);
}

static void vnc_free(void *opaque)
{
    VncUI *ui = opaque;
    ui->closing = true;
    if (ui->watching_listen)
        machine_unwatch_fd(ui->m, ui->screen->listenSock, ui);
    if (ui->watching_listen6)
        machine_unwatch_fd(ui->m, ui->screen->listen6Sock, ui);
    rfbShutdownServer(ui->screen, TRUE);    /* clients leave: vnc_client_gone */
    g_free((char *)ui->screen->desktopName);
    ui->screen->desktopName = NULL;
    rfbScreenCleanup(ui->screen);
    g_free(ui->fb);
    g_free(ui);
}

static const DisplayFrontendOps vnc_ops = {
    .name = "vnc",
    .resize = vnc_resize,
    .update = vnc_update,
    .flush = vnc_flush,
    .free = vnc_free,
};

bool vnc_start(DisplayState *d, const char *host, int display, GError **errp)
{
    int port = 5900 + display;
    in_addr_t iface = htonl(INADDR_ANY);
    bool any = !host[0] || !strcmp(host, "0.0.0.0");
    if (!any && !strcmp(host, "localhost"))
        host = "127.0.0.1";
    if (!any && inet_pton(AF_INET, host, &iface) != 1) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-vnc %s:%d: HOST must be an IPv4 address, localhost or empty", host,
                    display);
        return false;
    }
    rfbLogEnable(0);                        /* libvncserver's chatter */
    rfbMaxClientWait = 2000;                /* a client stuck mid-message holds the
                                             * machine at most 2 s, then is dropped */
    VncUI *ui = g_new0(VncUI, 1);
    ui->d = d;
    ui->m = display_machine(d);
    ui->width = 640;
    ui->height = 480;
    ui->fb = g_malloc0((size_t)ui->width * (size_t)ui->height * 4);
    rfbScreenInfoPtr s = rfbGetScreen(NULL, NULL, ui->width, ui->height, 8, 3, 4);
    if (!s) {
        g_free(ui->fb);
        g_free(ui);
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "-vnc: cannot set up");
        return false;
    }
    ui->screen = s;
    s->screenData = ui;
    s->frameBuffer = (char *)ui->fb;
    const char *name = ui->m->cfg.name;
    s->desktopName = name ? g_strdup_printf("tx86 (%s)", name) : g_strdup("tx86");
    s->port = port;
    s->ipv6port = any ? port : 0;
    s->listenInterface = iface;
    s->autoPort = FALSE;
    s->httpPort = 0;
    s->alwaysShared = TRUE;                 /* several viewers at once, as QEMU */
    s->cursor = NULL;                       /* no cursor drawn into the picture */
    s->kbdAddEvent = vnc_key;
    s->ptrAddEvent = vnc_pointer;
    s->newClientHook = vnc_new_client;
    s->handleEventsEagerly = TRUE;
    s->deferUpdateTime = 0;
    rfbInitServer(s);
    if (s->listenSock == RFB_INVALID_SOCKET) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-vnc %s:%d: cannot listen on TCP port %d (in use?)", host, display, port);
        g_free((char *)s->desktopName);
        s->desktopName = NULL;
        rfbScreenCleanup(s);
        g_free(ui->fb);
        g_free(ui);
        return false;
    }
    HostFdWatch w = { .fd = s->listenSock, .on_input = vnc_events, .opaque = ui };
    machine_watch_fd(ui->m, &w);
    ui->watching_listen = true;
    if (s->listen6Sock != RFB_INVALID_SOCKET) {
        w.fd = s->listen6Sock;
        machine_watch_fd(ui->m, &w);
        ui->watching_listen6 = true;
    }
    display_add_frontend(d, &vnc_ops, ui);
    return true;
}
