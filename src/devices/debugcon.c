/*
 * debugcon.c - the debug console: every byte written to port 0xE9 goes to
 * the host (stdout or a file).  Reading the port returns 0xE9, which is how
 * guests (Bochs BIOS, SeaBIOS) detect that the console exists.
 * Reference: Bochs "port E9 hack", QEMU hw/char/debugcon.c behaviour.
 *
 * Output to stdout is flushed at each newline so it interleaves sensibly
 * with tx86's own messages on stderr; a file is flushed when closed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bus/buses.h"
#include "devices/debugcon.h"

struct DebugconState {
    BusHost *host;          /* host_output_muted: a replay's second pass */
    FILE *out;
    bool owns_out;          /* file: opened by us */
    uint16_t port;
};

static uint32_t debugcon_read(void *opaque, uint16_t port, int size)
{
    return 0xe9;
}

static void debugcon_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    DebugconState *s = opaque;
    int c = (int)(value & 0xff);
    if (host_output_muted(s->host))
        return;
    fputc(c, s->out);
    if (c == '\n' && !s->owns_out)
        fflush(s->out);
}

static const IOPortOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .sizes = IO_SIZE_8,
};

DebugconState *debugcon_init(const Buses *b, uint16_t port, const char *spec, const char *opt,
                             GError **errp)
{
    DebugconState *s = g_new0(DebugconState, 1);
    s->port = port;
    s->host = b->host;
    if (!strcmp(spec, "stdio")) {
        s->out = stdout;
    } else if (g_str_has_prefix(spec, "file:")) {
        s->out = fopen(spec + 5, "w");
        if (!s->out) {
            g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "%s: cannot open '%s': %s", opt, spec + 5, g_strerror(errno));
            g_free(s);
            return NULL;
        }
        s->owns_out = true;
    } else {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s: unsupported backend '%s'", opt, spec);
        g_free(s);
        return NULL;
    }
    if (!ioport_register(b->io, port, 1, &debugcon_ops, s, "debugcon")) {
        const char *owner = ioport_owner(b->io, port);
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "%s: port 0x%x is already in use by %s", opt, port,
                    owner ? owner : "another device");
        debugcon_free(s);
        return NULL;
    }
    return s;
}

void debugcon_reset(DebugconState *s)
{
    fflush(s->out);
}

void debugcon_free(DebugconState *s)
{
    if (!s)
        return;
    if (s->owns_out)
        fclose(s->out);
    else
        fflush(s->out);
    g_free(s);
}
