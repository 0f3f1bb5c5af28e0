/*
 * monitor.c - sets up the monitor and QMP of one machine (see monitor.h):
 * the sockets (server.c) with an HMP or QMP session per client, the stdio
 * monitor (a chardev of its own), the mon:stdio mux (the monitor shares
 * COM1's stdio back end, Ctrl-A c), and the machine listener that turns
 * machine events into QMP events for every QMP client.
 */
#include <string.h>
#include <unistd.h>
#include "machine/machine.h"
#include "machine/pc.h"
#include "devices/chardev.h"
#include "devices/ns16550.h"
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"
#include "monitor/server.h"
#include "machine/savevm.h"

typedef struct MonQmpClient {
    Monitor *mon;
    QmpSession *q;
} MonQmpClient;

struct Monitor {
    Machine *m;
    MonCtx ctx;
    MonServer *hmp_srv;         /* -monitor unix:/tcp: */
    MonServer *qmp_srv;         /* -qmp */
    CharDev *stdio_chr;         /* -monitor stdio */
    HmpSession *stdio_hmp;
    CharDev *mux_chr;           /* -serial mon:stdio (owned by the UART) */
    HmpSession *mux_hmp;
    bool mux_greeted;
    GPtrArray *qmp_clients;     /* MonQmpClient */
};

/* ---- sockets */

static void *hmp_conn_open(void *opaque, MonConn *c)
{
    HmpSession *h = hmp_session_new(opaque, mon_conn_write, c, false);
    hmp_session_banner(h);
    return h;
}

static void hmp_conn_input(void *session, const uint8_t *buf, size_t len)
{
    hmp_session_input(session, buf, len);
}

static void hmp_conn_close(void *session)
{
    hmp_session_free(session);
}

static const MonConnOps hmp_conn_ops = {
    .open = hmp_conn_open, .input = hmp_conn_input, .close = hmp_conn_close,
    .too_many = "tx86: too many monitor clients\n",
};

static void *qmp_conn_open(void *opaque, MonConn *c)
{
    Monitor *mon = opaque;
    MonQmpClient *qc = g_new0(MonQmpClient, 1);
    qc->mon = mon;
    qc->q = qmp_session_new(&mon->ctx, mon_conn_write, c);
    g_ptr_array_add(mon->qmp_clients, qc);
    return qc;
}

static void qmp_conn_input(void *session, const uint8_t *buf, size_t len)
{
    qmp_session_input(((MonQmpClient *)session)->q, buf, len);
}

static void qmp_conn_close(void *session)
{
    MonQmpClient *qc = session;
    g_ptr_array_remove(qc->mon->qmp_clients, qc);
    qmp_session_free(qc->q);
    g_free(qc);
}

static const MonConnOps qmp_conn_ops = {
    .open = qmp_conn_open, .input = qmp_conn_input, .close = qmp_conn_close,
    .too_many = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"too many QMP "
                "clients\"}}\r\n",
};

/* ---- stdio and mux */

static void mon_chr_write(void *opaque, const char *buf, size_t len)
{
    chardev_write(opaque, (const uint8_t *)buf, (int)len);
}

static int mon_stdio_can_receive(void *opaque)
{
    return 4096;
}

static void mon_stdio_receive(void *opaque, const uint8_t *buf, int len)
{
    hmp_session_input(opaque, buf, (size_t)len);
}

static void mon_mux_input(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;
    hmp_session_input(mon->mux_hmp, buf, (size_t)len);
}

static void mon_mux_focus(void *opaque, bool monitor)
{
    Monitor *mon = opaque;
    if (!monitor)
        return;
    if (!mon->mux_greeted) {
        mon->mux_greeted = true;
        mon_chr_write(mon->mux_chr, "\n", 1);
        hmp_session_banner(mon->mux_hmp);
    } else {
        mon_chr_write(mon->mux_chr, "\n", 1);
        hmp_session_prompt(mon->mux_hmp);
    }
}

/* ---- events */

static void mon_machine_event(void *opaque, MachineEvent ev, const char *reason)
{
    Monitor *mon = opaque;
    if (ev == MACHINE_EVENT_RESUME)
        mon->ctx.prelaunch = false;
    for (guint i = 0; i < mon->qmp_clients->len; i++) {
        MonQmpClient *qc = g_ptr_array_index(mon->qmp_clients, i);
        qmp_session_machine_event(qc->q, ev, reason);
    }
}

static void mon_add_chardev(Monitor *mon, const char *label, const char *spec)
{
    MonChardev c = { g_strdup(label), g_strdup(spec) };
    g_array_append_val(mon->ctx.chardevs, c);
}

static bool mon_serial_on_stdio(Machine *m)
{
    const char *com1 = m->cfg.serial ? m->cfg.serial
                     : m->cfg.nographic && !m->cfg.nodefaults ? "stdio" : NULL;
    if (com1 && (!strcmp(com1, "stdio") || !strcmp(com1, "mon:stdio")))
        return true;
    for (int i = 0; i < 3; i++)
        if (m->cfg.serial_more[i] && (!strcmp(m->cfg.serial_more[i], "stdio") ||
                                      !strcmp(m->cfg.serial_more[i], "mon:stdio")))
            return true;
    return false;
}

Monitor *monitor_new(Machine *m, GError **errp)
{
    Monitor *mon = g_new0(Monitor, 1);
    mon->m = m;
    mon->ctx.m = m;
    mon->ctx.chardevs = g_array_new(FALSE, TRUE, sizeof(MonChardev));
    mon->qmp_clients = g_ptr_array_new();
    mon->ctx.keep_jobs = true;              /* until monitor_free, as QEMU's jobs */
    machine_add_listener(m, mon_machine_event, mon);
    const MachineConfig *c = &m->cfg;
    int n = 0;

    if (c->monitor_dev && !strcmp(c->monitor_dev, "stdio")) {
        if (mon_serial_on_stdio(m)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "-monitor stdio: a serial "
                        "port already uses stdio (use -serial mon:stdio to share it)");
            goto fail;
        }
        mon->stdio_chr = chardev_new(&m->bus, "stdio", "compat_monitor0", errp);
        if (!mon->stdio_chr)
            goto fail;
        mon->stdio_hmp = hmp_session_new(&mon->ctx, mon_chr_write, mon->stdio_chr,
                                         isatty(STDIN_FILENO));
        chardev_set_handlers(mon->stdio_chr, mon_stdio_can_receive, mon_stdio_receive,
                             mon->stdio_hmp);
        mon_add_chardev(mon, "compat_monitor0", "stdio");
        n++;
        hmp_session_banner(mon->stdio_hmp);
    } else if (c->monitor_dev) {
        mon->hmp_srv = mon_server_new(m, "-monitor", c->monitor_dev, &hmp_conn_ops,
                                      &mon->ctx, errp);
        if (!mon->hmp_srv)
            goto fail;
        mon_add_chardev(mon, "compat_monitor0", c->monitor_dev);
        n++;
    }
    if (c->qmp_dev) {
        mon->qmp_srv = mon_server_new(m, "-qmp", c->qmp_dev, &qmp_conn_ops, mon, errp);
        if (!mon->qmp_srv)
            goto fail;
        gchar *label = g_strdup_printf("compat_monitor%d", n++);
        mon_add_chardev(mon, label, c->qmp_dev);
        g_free(label);
    }
    /* -serial mon:stdio: COM1 (or another port) shares stdio with us */
    for (int i = 0; m->pc && i < 4; i++) {
        CharDev *chr = m->pc->serial[i] ? ns16550_chardev(m->pc->serial[i]) : NULL;
        if (chr && chardev_is_mux(chr)) {
            mon->mux_chr = chr;
            mon->mux_hmp = hmp_session_new(&mon->ctx, mon_chr_write, chr,
                                           isatty(STDIN_FILENO));
            chardev_set_mux(chr, mon_mux_input, mon_mux_focus, mon);
            break;
        }
    }
    /* -S without -gdb: QEMU's "start stopped"; cont starts the CPU */
    if (c->gdb_wait && !c->gdb_dev) {
        machine_stop(m);
        mon->ctx.prelaunch = true;
    }
    return mon;

fail:
    monitor_free(mon);
    return NULL;
}

void monitor_free(Monitor *mon)
{
    if (!mon)
        return;
    machine_remove_listener(mon->m, mon_machine_event, mon);
    mon_server_free(mon->qmp_srv);
    mon_server_free(mon->hmp_srv);
    if (mon->mux_chr)
        chardev_set_mux(mon->mux_chr, NULL, NULL, NULL);
    hmp_session_free(mon->mux_hmp);
    chardev_free(mon->stdio_chr);
    hmp_session_free(mon->stdio_hmp);
    for (guint i = 0; i < mon->ctx.chardevs->len; i++) {
        MonChardev *c = &g_array_index(mon->ctx.chardevs, MonChardev, i);
        g_free(c->label);
        g_free(c->spec);
    }
    g_array_free(mon->ctx.chardevs, TRUE);
    g_ptr_array_free(mon->qmp_clients, TRUE);
    qmp_ctx_free(&mon->ctx);
    machine_incoming_free(mon->ctx.incoming);
    g_free(mon);
}

void monitor_inmigrate_begin(Monitor *mon)
{
    mon->ctx.inmigrate = true;
    mon->ctx.autostart = !mon->ctx.prelaunch;
}

MigIncoming *monitor_take_incoming(Monitor *mon)
{
    MigIncoming *in = mon->ctx.incoming;
    mon->ctx.incoming = NULL;
    return in;
}

bool monitor_inmigrate_end(Monitor *mon)
{
    mon->ctx.inmigrate = false;
    mon->ctx.prelaunch = false;             /* loaded and stopped: "paused", as QEMU */
    return mon->ctx.autostart;
}
