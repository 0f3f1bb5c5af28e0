/*
 * sock.h - listening unix-domain sockets for tx86's servers (the gdb stub,
 * the monitor and QMP), made and removed the careful way.
 *
 * A path given on the command line may hold a socket left behind by an
 * earlier run: it is replaced only if it is a socket nobody listens on;
 * any other file, or a live socket, is an error.  At the end the server
 * removes the socket only if the path still names the one it made (same
 * device and inode), never what someone else put there meanwhile.
 *
 *   UnixSocket us;
 *   int fd = unix_socket_listen(&us, "/tmp/qmp.sock", 8, "-qmp unix:/tmp/qmp.sock", errp);
 *   ...
 *   unix_socket_remove(&us);              // at exit; frees us.path
 */
#ifndef TX86_UTIL_SOCK_H
#define TX86_UTIL_SOCK_H

#include <sys/types.h>
#include <glib.h>

typedef struct UnixSocket {
    char *path;                 /* our socket, NULL = none made */
    dev_t dev;                  /* ... removed only if still this inode */
    ino_t ino;
} UnixSocket;

/* bind and listen (backlog) on path; returns the listening fd (close on
 * exec) or -1 with errp set, every message prefixed by `what` (the option
 * as the user wrote it).  *us is filled for unix_socket_remove. */
int  unix_socket_listen(UnixSocket *us, const char *path, int backlog, const char *what,
                        GError **errp);
/* unlink our socket if the path still names it; frees us->path */
void unix_socket_remove(UnixSocket *us);

#endif
