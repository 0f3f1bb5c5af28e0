/*
 * replay.h - record and replay (docs/replay.md):
 *
 *   -icount shift=N,rr=record,rrfile=F    run, and log every host input that
 *                                         reaches the guest to F
 *   -icount shift=N,rr=replay,rrfile=F    run again from power-on, taking the
 *                                         input from F at the instruction
 *                                         it came at: the same run, exactly
 *
 * Under -icount the machine is a function of its input; the input is what
 * the host gives it: serial bytes, keys and mouse motion, network frames,
 * the monitor's resets and power button, and the time of day the RTC
 * starts from.  Each source registers once (replay_source; devices through
 * the BusHost ops of bus/host.h) and hands its input to replay_input:
 *
 *   off      delivered at once
 *   record   delivered at the next point between instructions where the
 *            main loop looks (the end of a host poll, the top of a turn),
 *            and logged with the instruction count and virtual time there
 *   replay   dropped; the main loop delivers the log's copy when the
 *            machine is at the logged count and time (replay_turn), and
 *            ends its CPU slices there (replay_budget)
 *
 * Every interrupt the CPU takes is logged with its count when recording
 * and compared when replaying: a replay that goes another way stops with a
 * message naming the first difference.
 *
 * For reverse execution (the gdb stub's bs and bc packets) a replay takes
 * checkpoints in memory every rrcheckpoint=N instructions (RAM pages
 * shared between checkpoints while unchanged); replay_restore goes back
 * to the last one at or before a count, and the caller runs forward from
 * it (machine_run_until).
 */
#ifndef TX86_MACHINE_REPLAY_H
#define TX86_MACHINE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct Machine;

typedef enum ReplayMode { REPLAY_OFF = 0, REPLAY_RECORD = 1, REPLAY_PLAY = 2 } ReplayMode;

typedef void (*ReplayDeliverFn)(void *opaque, const uint8_t *buf, size_t len);
typedef struct ReplayState ReplayState;

/* a log read (replay_log_parse; the format is in replay.c's header) */
#define REPLAY_MAX_DISKS 6
typedef struct ReplayEvent {
    uint64_t icount;
    int64_t vtime;          /* virtual ns */
    unsigned src;           /* the log's source number (ReplayLog.names) */
    uint32_t len;
    size_t off;             /* of the data in the log */
} ReplayEvent;
typedef struct ReplayIrq {
    uint64_t icount;
    uint8_t vector, kind;   /* kind: CPU_INT_IRQ, CPU_INT_NMI */
} ReplayIrq;
typedef struct ReplayDisk {
    uint8_t slot;           /* 0-3 IDE, 4-5 floppy */
    uint64_t size;
    int64_t mtime;
} ReplayDisk;
typedef struct ReplayLog {
    uint32_t shift;
    uint64_t ram_size;
    int64_t start_us;
    unsigned ndisks;
    ReplayDisk disks[REPLAY_MAX_DISKS];
    char *names[64];        /* sources by number */
    GArray *events;         /* ReplayEvent */
    GArray *irqs;           /* ReplayIrq */
    bool has_end, truncated;
    uint64_t end_icount;
    int64_t end_vtime;
    int end_status;
} ReplayLog;
/* parse a whole log (untrusted bytes: fuzz_replay); false with a message
 * when it is damaged; replay_log_clear frees it either way */
bool replay_log_parse(ReplayLog *l, const uint8_t *data, size_t len, GError **errp);
void replay_log_clear(ReplayLog *l);

/* machine_new, once every device is built: opens the log (record: writes
 * its header; replay: reads and checks it whole) */
bool replay_init(struct Machine *m, GError **errp);
/* machine_free: record: the end record (the count the run ended at) */
void replay_free(struct Machine *m);
ReplayMode replay_mode(const struct Machine *m);

/* a source of host input (name unique per machine: a repeated one gets
 * "#2", "#3"); returns its id, -1 when not recording or replaying (then
 * input goes straight to fn) */
int  replay_source(struct Machine *m, const char *name, ReplayDeliverFn fn, void *opaque);
/* input of source id (see the header comment) */
void replay_input(struct Machine *m, int id, const uint8_t *buf, size_t len);
/* the time of day (host microseconds since 1970) the machine sees: the
 * host's, or when recording and replaying the recording's start plus the
 * virtual time */
int64_t replay_realtime_us(struct Machine *m);

/* the main loop, after the timers of a turn: record: deliver what waits
 * and log it; replay: deliver what the log has for this count and time,
 * take a checkpoint when one is due.  false: the replay ended (the
 * recording's end, or it went another way: m->exit_status is set) */
bool replay_turn(struct Machine *m);
/* record: deliver and log the input host handlers gave (the end of every
 * host poll; replay_turn does it too) */
void replay_flush_input(struct Machine *m);
/* replay: instructions the CPU may run before the next logged input or
 * the recording's end (UINT64_MAX when not replaying) */
uint64_t replay_budget(struct Machine *m);
/* replay: the guest halted with no timer to wake it: only the log can;
 * false when it has nothing more (the run is over or went another way) */
bool replay_idle(struct Machine *m);
/* replay: the virtual time of the next input when it is due at this
 * count (the recording got it while the CPU idled), else INT64_MAX */
int64_t replay_next_vtime(struct Machine *m);
/* a replay going over its past for the debugger (machine_run_until):
 * the guest's output was shown before, devices drop it */
bool replay_output_muted(struct Machine *m);
void replay_set_seeking(struct Machine *m, bool on);

/* reverse execution (replay only; gdbstub.h's GdbReplayOps) */
uint64_t replay_first_icount(struct Machine *m);
/* load the last checkpoint taken at or before icount; returns its count */
uint64_t replay_restore(struct Machine *m, uint64_t icount);
/* checkpoints kept and their memory (info replay, tests) */
void replay_stats(struct Machine *m, unsigned *n, uint64_t *bytes);

#endif
