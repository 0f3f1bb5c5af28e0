/*
 * daemon.h - -pidfile and -daemonize for the tx86 program (main.c).
 *
 * As QEMU: the pid file is created or truncated (no O_EXCL), locked while
 * tx86 runs so a second tx86 on the same file is refused, and removed at
 * exit (also when SIGTERM, SIGINT or SIGHUP ends tx86).  -daemonize forks before the machine is built; the parent waits
 * until the child reports that everything is set up (errors still reach
 * the terminal) and exits with 0, or with the child's status on failure.
 *
 *     DaemonState d = DAEMON_STATE_INIT;
 *     if (cfg.daemonize && !daemon_fork(&d, &err)) ...   (parent never returns)
 *     if (cfg.pidfile && !daemon_pidfile_write(&d, cfg.pidfile, &err)) ...
 *     ... build the machine ...
 *     daemon_ready(&d);          (detach: stdio to /dev/null, parent exits 0)
 *     ... run ...
 *     daemon_finish(&d);         (removes the pid file)
 */
#ifndef TX86_DAEMON_H
#define TX86_DAEMON_H

#include <stdbool.h>
#include <glib.h>

typedef struct DaemonState {
    int ready_fd;                 /* -daemonize: the pipe to the waiting parent, -1 = none */
    int pid_fd;                   /* the locked pid file, -1 = none */
    char *pid_path;               /* its absolute path (removed at exit) */
} DaemonState;
#define DAEMON_STATE_INIT { -1, -1, NULL }

/* fork: returns true in the child (the daemon, in a new session); the
 * parent waits and exits with 0 once daemon_ready() is called, or with the
 * child's exit status when it ends before that */
bool daemon_fork(DaemonState *d, GError **errp);
/* write getpid() to path ("1234\n"), keeping it locked */
bool daemon_pidfile_write(DaemonState *d, const char *path, GError **errp);
/* set-up done: under -daemonize, stdin/stdout/stderr become /dev/null and
 * the parent exits 0; else nothing */
void daemon_ready(DaemonState *d);
/* at exit: remove the pid file */
void daemon_finish(DaemonState *d);

#endif
