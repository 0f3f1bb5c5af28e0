/*
 * sock.c - listening unix-domain sockets that replace only stale sockets
 * and remove only themselves (sock.h).
 */
#include "util/sock.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

int unix_socket_listen(UnixSocket *us, const char *path, int backlog, const char *what,
                       GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct stat st;
    *us = (UnixSocket){ 0 };
    if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: bad socket path", what);
        return -1;
    }
    strcpy(sa.sun_path, path);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                        "%s: %s exists and is not a socket; not replacing it", what, path);
            return -1;
        }
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (probe >= 0)
            close(probe);
        if (live) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                        "%s: another program listens on %s", what, path);
            return -1;
        }
        unlink(path);                   /* a stale socket */
    } else if (errno != ENOENT) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "%s: %s: %s", what, path, g_strerror(errno));
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* bind never replaces: whatever appeared at path meanwhile makes it fail */
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(e),
                    "%s: cannot listen: %s", what, g_strerror(e));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (lstat(path, &st) == 0) {
        us->path = g_strdup(path);
        us->dev = st.st_dev;
        us->ino = st.st_ino;
    }
    return fd;
}

void unix_socket_remove(UnixSocket *us)
{
    struct stat st;
    if (us->path && lstat(us->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_dev == us->dev && st.st_ino == us->ino)
        unlink(us->path);
    g_free(us->path);
    us->path = NULL;
}
