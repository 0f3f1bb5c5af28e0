/*
 * daemon.c - -pidfile and -daemonize (see daemon.h).
 *
 * The daemon keeps tx86's working directory (relative -serial file:,
 * --screenshot and -pidfile paths keep meaning what they meant); the pid
 * file is removed by its absolute path all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "util/daemon.h"
#include "util/error.h"

#define daemon_fail(errp, ...) error_fail(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED, __VA_ARGS__)

bool daemon_fork(DaemonState *d, GError **errp)
{
    int fds[2];
    if (pipe(fds) < 0)
        return daemon_fail(errp, "-daemonize: pipe: %s", g_strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return daemon_fail(errp, "-daemonize: fork: %s", g_strerror(errno));
    }
    if (pid == 0) {                                 /* the daemon */
        close(fds[0]);
        d->ready_fd = fds[1];
        fcntl(d->ready_fd, F_SETFD, FD_CLOEXEC);
        setsid();
        signal(SIGTSTP, SIG_IGN);
        signal(SIGTTOU, SIG_IGN);
        signal(SIGTTIN, SIG_IGN);
        return true;
    }
    /* the parent: one byte = ready; end of file = the child ended first */
    close(fds[1]);
    char c;
    ssize_t n;
    do
        n = read(fds[0], &c, 1);
    while (n < 0 && errno == EINTR);
    if (n == 1)
        _exit(0);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
}

/* the pid file to remove when a signal ends tx86 (SIGTERM, SIGINT,
 * SIGHUP): the one piece of process-wide state, as signal handlers have
 * nowhere else to look */
static char *daemon_signal_path;

static void daemon_on_signal(int sig)
{
    if (daemon_signal_path)
        unlink(daemon_signal_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

bool daemon_pidfile_write(DaemonState *d, const char *path, GError **errp)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return daemon_fail(errp, "-pidfile %s: %s", path, g_strerror(errno));
    if (lockf(fd, F_TLOCK, 0) < 0) {
        int e = errno;
        close(fd);
        return daemon_fail(errp, "-pidfile %s: cannot lock it (%s): is another tx86 "
                           "using it?", path, g_strerror(e));
    }
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)len) != len) {
        int e = errno;
        close(fd);
        return daemon_fail(errp, "-pidfile %s: cannot write it: %s", path, g_strerror(e));
    }
    d->pid_fd = fd;
    char *abs = realpath(path, NULL);
    d->pid_path = abs ? g_strdup(abs) : g_strdup(path);
    free(abs);
    daemon_signal_path = d->pid_path;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = daemon_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return true;
}

void daemon_ready(DaemonState *d)
{
    if (d->ready_fd < 0)
        return;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        fflush(stdout);
        fflush(stderr);
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    ssize_t n;
    do
        n = write(d->ready_fd, "", 1);
    while (n < 0 && errno == EINTR);
    close(d->ready_fd);
    d->ready_fd = -1;
}

void daemon_finish(DaemonState *d)
{
    if (d->pid_path) {
        daemon_signal_path = NULL;
        unlink(d->pid_path);
        g_free(d->pid_path);
        d->pid_path = NULL;
    }
    if (d->pid_fd >= 0) {
        close(d->pid_fd);
        d->pid_fd = -1;
    }
    if (d->ready_fd >= 0) {                  /* failed before daemon_ready */
        close(d->ready_fd);
        d->ready_fd = -1;
    }
}
