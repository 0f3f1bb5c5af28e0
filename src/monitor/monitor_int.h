/*
 * monitor_int.h - what the monitor's files share inside src/monitor/:
 * the context a command runs in, the output callback of a session, and
 * the two sessions' interfaces (hmp.c: the human monitor, qmp.c: QMP).
 * monitor.c creates sessions for sockets (server.c), stdio and the
 * mon:stdio mux; the fuzz harness drives them with a bare machine.
 *
 *   MonCtx ctx = { .m = m };
 *   HmpSession *h = hmp_session_new(&ctx, write_fn, fd_opaque, false);
 *   hmp_session_input(h, (const uint8_t *)"info status\n", 12);
 */
#ifndef TX86_MONITOR_INT_H
#define TX86_MONITOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct Machine;
struct MigIncoming;

/* where a session's output goes (a socket, stdout, a test's buffer) */
typedef void (*MonWriteFn)(void *opaque, const char *buf, size_t len);

/* one back end of the monitor itself, listed by query-chardev */
typedef struct MonChardev {
    char *label;                /* "compat_monitor0", "qmp" */
    char *spec;                 /* "unix:/tmp/m.sock,server,nowait" */
} MonChardev;

typedef struct MonCtx {
    struct Machine *m;
    GArray *chardevs;           /* MonChardev, NULL: none */
    unsigned mouse_buttons;     /* input-send-event btn state */
    unsigned abs_x, abs_y;      /* input-send-event abs position (0..0x7fff) */
    bool prelaunch;             /* -S without -gdb, until the first cont */
    /* -incoming defer (main.c through monitor.h): QEMU's "inmigrate" */
    bool inmigrate;             /* waiting for migrate_incoming, then for its source */
    bool autostart;             /* run once loaded (cont / stop while waiting change it) */
    bool incoming_started;      /* migrate_incoming succeeded (only once) */
    struct MigIncoming *incoming;   /* its source, until main.c takes it */
    /* QMP state shared by the sessions (qmp.c) */
    GPtrArray *qmp_sessions;    /* QmpSession: job events go to all of them */
    GPtrArray *jobs;            /* QmpJob: concluded jobs wait for job-dismiss */
    bool keep_jobs;             /* monitor.c: jobs outlive the last session (freed by
                                   qmp_ctx_free), else they go with it */
} MonCtx;

/* ---- the human monitor (hmp.c) ---- */
#define HMP_LINE_MAX   4096     /* a longer line is refused, as a whole */
#define HMP_OUT_MAX    (1u << 20)   /* one command's output, then "truncated" */

typedef struct HmpSession HmpSession;
/* echo: repeat typed characters (a terminal in raw mode: stdio, mux) */
HmpSession *hmp_session_new(MonCtx *ctx, MonWriteFn write, void *opaque, bool echo);
void hmp_session_free(HmpSession *s);
void hmp_session_banner(HmpSession *s);     /* greeting and prompt */
void hmp_session_prompt(HmpSession *s);
void hmp_session_input(HmpSession *s, const uint8_t *buf, size_t len);
/* run one command line, its output appended to out (human-monitor-command) */
void hmp_execute(MonCtx *ctx, const char *line, GString *out);

/* ---- QMP (qmp.c) ---- */
#define QMP_OBJECT_MAX (64u << 10)  /* bytes of one JSON object */
#define QMP_DEPTH_MAX  32           /* nesting of one JSON object */

typedef struct QmpSession QmpSession;
/* writes the greeting at once */
QmpSession *qmp_session_new(MonCtx *ctx, MonWriteFn write, void *opaque);
void qmp_session_free(QmpSession *s);
void qmp_session_input(QmpSession *s, const uint8_t *buf, size_t len);
/* a machine event (MachineEvent, machine.h) as a QMP event, to a session
 * that finished capabilities negotiation */
void qmp_session_machine_event(QmpSession *s, int ev, const char *reason);
/* the jobs and session list of a ctx whose keep_jobs is set */
void qmp_ctx_free(MonCtx *ctx);

#endif
