/*
 * monitor.h - the human monitor and QMP of one machine (docs/monitor.md):
 * -monitor stdio|unix:..|tcp:.., -serial mon:stdio (Ctrl-A c), -qmp
 * unix:..|tcp:.. .  Everything runs on the machine's main loop (host fd
 * watches), so the monitor answers while the guest runs, halts or is
 * stopped; machine events (stop, resume, reset, power button, shutdown)
 * become QMP events.
 *
 * Example (main.c):
 *     Monitor *mon = monitor_new(m, &err);     // NULL + err on a bad socket
 *     status = machine_run(m);
 *     monitor_free(mon);                       // before machine_free
 */
#ifndef TX86_MONITOR_H
#define TX86_MONITOR_H

#include <stdbool.h>
#include <glib.h>

struct Machine;
typedef struct Monitor Monitor;

/* from m->cfg (monitor_dev, qmp_dev, serial "mon:stdio"); with nothing
 * configured a Monitor that does nothing.  -S without -gdb starts the
 * machine stopped (QEMU's meaning: "cont" starts it). */
Monitor *monitor_new(struct Machine *m, GError **errp);
void     monitor_free(Monitor *mon);

/* -incoming defer (main.c): the machine waits in QEMU's "inmigrate" state
 * (query-status) until migrate_incoming names a source, which main.c then
 * takes, loads and frees; end returns whether the machine is to run once
 * loaded (not under -S, unless cont came meanwhile) */
void     monitor_inmigrate_begin(Monitor *mon);
struct MigIncoming *monitor_take_incoming(Monitor *mon);
bool     monitor_inmigrate_end(Monitor *mon);

#endif
