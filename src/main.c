/*
 * main.c - the tx86 program: parse the command line, build the machine,
 * run it, clean up, and exit with the status the guest asked for.
 *
 *   tx86 -bios build/firmware/demo.bin -nographic -debugcon stdio \
 *        -device isa-debug-exit,iobase=0xf4,iosize=0x04
 *
 * Exit status: what machine_run() returns (debug-exit: (V<<1)|1; a guest
 * that halts for good or reaches --max-insns: 0), 1 for command-line and
 * setup errors (one line on stderr, also when the firmware is missing), 0 for
 * --help / --version.
 *
 * -incoming defer: the machine is built, the monitor starts, and tx86
 * waits (QEMU's "inmigrate") for migrate_incoming URI, then loads the
 * source's state and runs (stays stopped under -S); see incoming_defer.
 */
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "machine/machine.h"
#include "machine/savevm.h"
#include "machine/snapshot.h"
#include "machine/options.h"
#include "util/log.h"
#include "ui/curses.h"
#include "ui/display.h"
#include "ui/screenshot.h"
#include "monitor/monitor.h"
#include "util/daemon.h"

/* -incoming defer: serve the monitor until migrate_incoming names a
 * source and that source is there (a client connected to tcp:/unix:),
 * then load it; a quit meanwhile ends the wait without loading */
static bool incoming_defer(Machine *m, Monitor *mon, GError **errp)
{
    MigIncoming *in = NULL;
    monitor_inmigrate_begin(mon);
    while (!m->shutdown_requested) {
        if (!in)
            in = monitor_take_incoming(mon);
        if (in && machine_incoming_ready(in))
            break;
        machine_poll_host(m, 20 * 1000 * 1000);
    }
    bool ok = true;
    if (m->shutdown_requested) {
        machine_incoming_free(in);
    } else if (!machine_incoming_finish(m, in, errp)) {
        ok = false;
    }
    if (monitor_inmigrate_end(mon) && ok && !m->shutdown_requested)
        machine_cont(m);                    /* RESUME, as QEMU's autostart */
    return ok;
}

int main(int argc, char **argv)
{
    MachineConfig cfg;
    GError *err = NULL;
    int status;

    machine_config_init(&cfg);
    if (!options_parse(argc, argv, &cfg, &err)) {
        status = g_error_matches(err, OPTIONS_ERROR, OPTIONS_ERROR_EXIT_OK) ? 0 : 1;
        if (status)
            fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        machine_config_clear(&cfg);
        return status;
    }
    log_mask = cfg.log_items;
    if (cfg.log_path && !log_set_file(cfg.log_path, &err)) {
        fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        machine_config_clear(&cfg);
        return 1;
    }
    if (!cfg.bios_path) {
        /* the default firmware is SeaBIOS, as QEMU's (configure
         * --with-seabios); a RAM-only machine is for test harnesses */
        if (!g_file_test(TX86_SEABIOS, G_FILE_TEST_IS_REGULAR)) {
            fprintf(stderr, "tx86: no firmware: the default BIOS %s is missing (install the "
                    "Debian package 'seabios', or use -bios FILE)\n", TX86_SEABIOS);
            machine_config_clear(&cfg);
            return 1;
        }
        cfg.bios_path = g_strdup(TX86_SEABIOS);
    }

    /* -daemonize forks here: the parent waits for daemon_ready() below and
     * the child's set-up errors still reach the terminal (util/daemon.c) */
    DaemonState dmn = DAEMON_STATE_INIT;
    if ((cfg.daemonize && !daemon_fork(&dmn, &err)) ||
        (cfg.pidfile && !daemon_pidfile_write(&dmn, cfg.pidfile, &err))) {
        fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        machine_config_clear(&cfg);
        daemon_finish(&dmn);
        return 1;
    }
    Machine *m = machine_new(&cfg, &err);
    machine_config_clear(&cfg);
    if (!m) {
        fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        daemon_finish(&dmn);
        return 1;
    }
    if (m->cfg.loadvm && !machine_loadvm(m, m->cfg.loadvm, &err)) {       /* snapshot.c */
        fprintf(stderr, "tx86: -loadvm %s: %s\n", m->cfg.loadvm, err->message);
        g_error_free(err);
        machine_free(m);
        daemon_finish(&dmn);
        return 1;
    }
    bool defer = m->cfg.incoming && !strcmp(m->cfg.incoming, "defer");
    if (defer)
        machine_stop(m);                    /* until incoming_defer has loaded a state */
    else if (m->cfg.incoming && !machine_incoming(m, m->cfg.incoming, &err)) {  /* savevm.c */
        fprintf(stderr, "tx86: -incoming %s\n", err->message);
        g_error_free(err);
        machine_free(m);
        daemon_finish(&dmn);
        return 1;
    }
    if (m->cfg.display_curses && !curses_start(m, &err)) {      /* ui/curses.c */
        fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        machine_free(m);
        daemon_finish(&dmn);
        return 1;
    }
    if (!display_start(m, &err)) {         /* -display sdl, -vnc (ui/display.c) */
        fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        machine_free(m);
        daemon_finish(&dmn);
        return 1;
    }
    Monitor *mon = monitor_new(m, &err);    /* -monitor, -qmp, mon:stdio (src/monitor/) */
    if (!mon) {
        fprintf(stderr, "tx86: %s\n", err->message);
        g_error_free(err);
        machine_free(m);
        daemon_finish(&dmn);
        return 1;
    }
    screenshot_start(m);                    /* --screendump-text FILE follows the screen */
    daemon_ready(&dmn);                     /* -daemonize: detach, the parent exits 0 */
    if (defer && !incoming_defer(m, mon, &err)) {
        fprintf(stderr, "tx86: -incoming defer: %s\n", err->message);
        g_error_free(err);
        monitor_free(mon);
        machine_free(m);
        daemon_finish(&dmn);
        return 1;
    }
    status = machine_run(m);
    monitor_free(mon);
    if (!screenshot_at_exit(m, &err)) {     /* --screenshot, --screendump-text */
        fprintf(stderr, "tx86: %s\n", err->message);
        g_clear_error(&err);
        if (status == 0)
            status = 1;
    }
    machine_free(m);
    daemon_finish(&dmn);                    /* -pidfile: removed */
    log_flush();
    fflush(stdout);
    return status;
}
