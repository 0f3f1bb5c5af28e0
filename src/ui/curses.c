/*
 * curses.c - "-display curses" (see curses.h): the VGA text screen in the
 * terminal through ncursesw, keys to the PS/2 keyboard.
 *
 * Drawing: every 33 ms of virtual time the VGA's text cells are compared
 * with the last frame and the changed cells are drawn: the character
 * through code page 437 -> Unicode, the attribute's colours as one of 64
 * colour pairs (foreground intensity as bold).  The cursor follows the
 * CRTC cursor.  Graphics modes are not drawn: a note says which mode runs.
 *
 * Keys: the terminal gives characters and curses key codes, never key
 * releases, so each key is sent as press + release, with Shift, Ctrl or
 * Alt (an Esc prefix) held around it as needed.  curses_key_to_ps2() is
 * the one table from curses keys to PC keys.
 */
#include <locale.h>
#include <string.h>
#include <unistd.h>
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "devices/ps2.h"
#include "devices/vga.h"
#include "ui/curses.h"
#include "ui/screenshot.h"

#define CURSES_REFRESH_NS 33000000

struct CursesUI {
    Machine *m;
    VGAState *vga;
    Timer *timer;
    VGATextScreen *last, *now;
    bool full_redraw;               /* size or mode changed */
    bool ctrl_a;                    /* Ctrl-A seen: the next key is a command */
};

/* the PS/2 keyboard (i8042.c); NULL while the machine has none */
static PS2Kbd *curses_kbd(CursesUI *ui)
{
    PCDevices *pc = ui->m->pc;
    return pc ? pc->kbd : NULL;
}

/* special curses keys -> PC keys */
static const struct { int curses; int key; } curses_keys[] = {
    { KEY_UP, PS2_KEY_UP }, { KEY_DOWN, PS2_KEY_DOWN },
    { KEY_LEFT, PS2_KEY_LEFT }, { KEY_RIGHT, PS2_KEY_RIGHT },
    { KEY_HOME, PS2_KEY_HOME }, { KEY_END, PS2_KEY_END },
    { KEY_PPAGE, PS2_KEY_PGUP }, { KEY_NPAGE, PS2_KEY_PGDN },
    { KEY_IC, PS2_KEY_INSERT }, { KEY_DC, PS2_KEY_DELETE },
    { KEY_BACKSPACE, PS2_KEY_BACKSPACE }, { KEY_ENTER, PS2_KEY_ENTER },
    { KEY_F(1), 0x3b }, { KEY_F(2), 0x3c }, { KEY_F(3), 0x3d }, { KEY_F(4), 0x3e },
    { KEY_F(5), 0x3f }, { KEY_F(6), 0x40 }, { KEY_F(7), 0x41 }, { KEY_F(8), 0x42 },
    { KEY_F(9), 0x43 }, { KEY_F(10), 0x44 }, { KEY_F(11), PS2_KEY_F11 },
    { KEY_F(12), PS2_KEY_F12 }, { KEY_BTAB, PS2_KEY_TAB },
};

int curses_key_to_ps2(int ch, bool *shift, bool *ctrl)
{
    *shift = *ctrl = false;
    if (ch == KEY_BTAB)
        *shift = true;
    for (size_t i = 0; i < G_N_ELEMENTS(curses_keys); i++)
        if (curses_keys[i].curses == ch)
            return curses_keys[i].key;
    switch (ch) {
    case '\r': case '\n': return PS2_KEY_ENTER;
    case 0x7f: case 0x08: return PS2_KEY_BACKSPACE;
    case '\t': return PS2_KEY_TAB;
    case 0x1b: return PS2_KEY_ESC;
    default: break;
    }
    if (ch >= 1 && ch <= 26) {           /* Ctrl-letter */
        *ctrl = true;
        return ps2_ascii_to_key('a' + ch - 1, shift);
    }
    if (ch < 0x20 || ch > 0x7e)
        return -1;
    return ps2_ascii_to_key(ch, shift);
}

static void curses_type(CursesUI *ui, int ch, bool alt)
{
    PS2Kbd *kbd = curses_kbd(ui);
    bool shift, ctrl;
    int key = curses_key_to_ps2(ch, &shift, &ctrl);
    if (!kbd || key < 0)
        return;
    if (alt)
        ps2_kbd_put_key(kbd, PS2_KEY_LALT, true);
    if (ctrl)
        ps2_kbd_put_key(kbd, PS2_KEY_LCTRL, true);
    if (shift)
        ps2_kbd_put_key(kbd, PS2_KEY_LSHIFT, true);
    ps2_kbd_put_key(kbd, key, true);
    ps2_kbd_put_key(kbd, key, false);
    if (shift)
        ps2_kbd_put_key(kbd, PS2_KEY_LSHIFT, false);
    if (ctrl)
        ps2_kbd_put_key(kbd, PS2_KEY_LCTRL, false);
    if (alt)
        ps2_kbd_put_key(kbd, PS2_KEY_LALT, false);
}

/* stdin is readable: take every key curses has */
static void curses_input(void *opaque)
{
    CursesUI *ui = opaque;
    int ch;
    while ((ch = getch()) != ERR) {
        if (ui->ctrl_a) {
            ui->ctrl_a = false;
            if (ch == 'x' || ch == 'X') {
                machine_request_shutdown(ui->m, 0);
                return;
            }
            if (ch == 1)
                curses_type(ui, 1, false);
            continue;
        }
        if (ch == 1) {
            ui->ctrl_a = true;
            continue;
        }
        if (ch == 0x1b) {
            /* Esc then another key at once: Alt-key; Esc alone: Esc */
            int next = getch();
            if (next == ERR) {
                curses_type(ui, 0x1b, false);
            } else {
                curses_type(ui, next, true);
            }
            continue;
        }
        if (ch == KEY_RESIZE) {
            ui->full_redraw = true;
            continue;
        }
        curses_type(ui, ch, false);
    }
}

static const short curses_vga_colour[8] = {
    COLOR_BLACK, COLOR_BLUE, COLOR_GREEN, COLOR_CYAN,
    COLOR_RED, COLOR_MAGENTA, COLOR_YELLOW, COLOR_WHITE,
};

static void curses_draw_cell(int r, int c, uint16_t cell)
{
    unsigned attr = cell >> 8;
    wchar_t wc[2] = { (wchar_t)ui_cp437_to_unicode(cell & 0xff), 0 };
    if (wc[0] == 0)
        wc[0] = ' ';
    short pair = (short)(1 + (attr & 7) + ((attr >> 4) & 7) * 8);
    attr_t a = (attr & 0x08) ? A_BOLD : A_NORMAL;
    cchar_t cc;
    setcchar(&cc, wc, a, pair, NULL);
    mvadd_wch(r, c, &cc);
}

static void curses_refresh(void *opaque)
{
    CursesUI *ui = opaque;
    int64_t now = clock_now(&ui->m->clock);
    timer_mod(ui->timer, now + CURSES_REFRESH_NS);
    curses_input(ui);                   /* in case the fd watch missed some */

    if (!vga_text_screen(ui->vga, ui->now)) {
        if (ui->last->cols != -1) {
            erase();
            mvaddstr(0, 0, "tx86: the guest is in a graphics mode (use --screenshot to see it)");
            ui->last->cols = -1;
            refresh();
        }
        return;
    }
    VGATextScreen *t = ui->now, *l = ui->last;
    bool full = ui->full_redraw || t->cols != l->cols || t->rows != l->rows;
    if (full)
        erase();
    int rows = MIN(t->rows, LINES), cols = MIN(t->cols, COLS);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            uint16_t cell = t->cells[r * t->cols + c];
            if (full || cell != l->cells[r * t->cols + c])
                curses_draw_cell(r, c, cell);
        }
    if (t->cursor_row >= 0 && t->cursor_row < rows && t->cursor_col < cols) {
        curs_set(1);
        move(t->cursor_row, t->cursor_col);
    } else {
        curs_set(0);
    }
    refresh();
    ui->full_redraw = false;
    ui->now = l;
    ui->last = t;
}

static void curses_free(void *opaque)
{
    CursesUI *ui = opaque;
    machine_unwatch_fd(ui->m, STDIN_FILENO, ui);
    timer_free(ui->timer);
    endwin();
    g_free(ui->last);
    g_free(ui->now);
    g_free(ui);
}

bool curses_start(Machine *m, GError **errp)
{
    VGAState *vga = m->pc ? m->pc->vga : NULL;
    if (!vga) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-display curses needs the VGA (not -vga none)");
        return false;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "-display curses needs a terminal on stdin and stdout");
        return false;
    }
    CursesUI *ui = g_new0(CursesUI, 1);
    ui->m = m;
    ui->vga = vga;
    ui->last = g_new0(VGATextScreen, 1);
    ui->now = g_new0(VGATextScreen, 1);
    ui->full_redraw = true;

    setlocale(LC_CTYPE, "");
    setenv("ESCDELAY", "25", 0);
    initscr();
    raw();
    noecho();
    nonl();
    nodelay(stdscr, TRUE);
    keypad(stdscr, TRUE);
    if (has_colors()) {
        start_color();
        for (int bg = 0; bg < 8; bg++)
            for (int fg = 0; fg < 8; fg++)
                init_pair((short)(1 + fg + bg * 8), curses_vga_colour[fg], curses_vga_colour[bg]);
    }
    ui->timer = timer_new(&m->clock, curses_refresh, ui);
    timer_mod(ui->timer, clock_now(&m->clock));
    HostFdWatch w = { .fd = STDIN_FILENO, .on_input = curses_input, .opaque = ui };
    machine_watch_fd(m, &w);
    machine_register_device(m, ui, curses_free, NULL);
    return true;
}
