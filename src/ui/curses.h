/*
 * curses.h - "-display curses": the VGA text screen drawn in the terminal
 * with ncurses, and keys typed there sent to the PS/2 keyboard.
 *
 * The screen is redrawn from the VGA's text cells about 30 times a second
 * (a virtual-clock timer); stdin is watched by the main loop, so a key
 * wakes a halted guest.  Graphics modes show a one-line note instead.
 * The terminal is in raw mode (Ctrl-C goes to the guest); Ctrl-A x quits
 * tx86 and Ctrl-A Ctrl-A types Ctrl-A, like the -nographic console.
 *
 * Example:
 *     if (m->cfg.display_curses && !curses_start(m, &err)) ...
 */
#ifndef TX86_CURSES_H
#define TX86_CURSES_H

#include <stdbool.h>
#include <glib.h>

struct Machine;
typedef struct CursesUI CursesUI;

/* take over the terminal (needs a terminal on stdin and stdout and a VGA);
 * the terminal is restored when the machine is freed */
bool curses_start(struct Machine *m, GError **errp);
/* the curses key code (getch) -> PS/2 key number (ps2.h) and whether
 * Shift / Ctrl / Alt must be held; -1 when the key has no PC key */
int  curses_key_to_ps2(int ch, bool *shift, bool *ctrl);

#endif
