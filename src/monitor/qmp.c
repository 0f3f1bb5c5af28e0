/*
 * qmp.c - the QEMU Machine Protocol: JSON objects over a socket (see
 * monitor_int.h; commands and events in docs/monitor.md; the protocol as
 * QEMU's QMP specification documents it).
 *
 *   S: {"QMP": {"version": {...}, "capabilities": []}}
 *   C: {"execute": "qmp_capabilities"}            S: {"return": {}}
 *   C: {"execute": "stop", "id": 7}               S: {"return": {}, "id": 7}
 *   S: {"timestamp": {"seconds": .., "microseconds": ..}, "event": "STOP"}
 *
 * Input framing: a scanner counts braces and brackets outside strings;
 * when a top-level object closes, its bytes go to json-glib's parser.
 * The scanner bounds the work a client can cause: an object is at most
 * QMP_OBJECT_MAX bytes and QMP_DEPTH_MAX deep (then an error reply, and
 * the rest of that line is dropped), so the parser never sees deep or
 * huge input; bytes outside any object get one GenericError per run of
 * them; invalid UTF-8 or NUL bytes are refused before parsing.  Every
 * error keeps the client connected.  Replies and events end with CR LF.
 *
 * Jobs (snapshot-save, snapshot-load, snapshot-delete; QEMU 6.0's): the
 * command creates the job and replies, then the work runs at once, still
 * inside the request, and the job walks QEMU's states with a
 * JOB_STATUS_CHANGE event to every session at each: created (before the
 * reply), running, then waiting, pending, concluded, or aborting,
 * concluded with the error kept for query-jobs.  A concluded job stays
 * listed until job-dismiss (event "null").
 */
#include <string.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include "config.h"
#include "machine/machine.h"
#include "machine/pc.h"
#include "devices/chardev.h"
#include "devices/ns16550.h"
#include "monitor/control.h"
#include "machine/savevm.h"
#include "machine/snapshot.h"
#include "machine/replay.h"
#include "monitor/monitor_int.h"

struct QmpSession {
    MonCtx *ctx;
    MonWriteFn write;
    void *opaque;
    bool negotiated;            /* qmp_capabilities done */
    GString *obj;               /* the object being collected */
    int depth;                  /* 0: between objects */
    bool in_str, esc;
    bool junk;                  /* inside a run of bytes outside objects */
    bool skip_line;             /* dropping the rest of a refused line */
};

typedef enum QmpClass { QMP_GENERIC, QMP_NOT_FOUND, QMP_DEVICE_NOT_FOUND } QmpClass;
static const char *const qmp_class_names[] = { "GenericError", "CommandNotFound",
                                               "DeviceNotFound" };

/* ------------------------------------------------------------ output */

static void qmp_send_node(QmpSession *s, JsonNode *root)
{
    JsonGenerator *g = json_generator_new();
    json_generator_set_root(g, root);
    gsize len;
    gchar *text = json_generator_to_data(g, &len);
    s->write(s->opaque, text, len);
    s->write(s->opaque, "\r\n", 2);
    g_free(text);
    g_object_unref(g);
}

/* {"return": ret, "id": id} (ret consumed; NULL = {}) */
static void qmp_reply(QmpSession *s, JsonNode *ret, JsonNode *id)
{
    JsonObject *o = json_object_new();
    if (!ret) {
        ret = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(ret, json_object_new());
    }
    json_object_set_member(o, "return", ret);
    if (id)
        json_object_set_member(o, "id", json_node_copy(id));
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(root, o);
    qmp_send_node(s, root);
    json_node_unref(root);
}

static void qmp_error(QmpSession *s, QmpClass cls, JsonNode *id, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void qmp_error(QmpSession *s, QmpClass cls, JsonNode *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gchar *desc = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    JsonObject *e = json_object_new();
    json_object_set_string_member(e, "class", qmp_class_names[cls]);
    json_object_set_string_member(e, "desc", desc);
    JsonObject *o = json_object_new();
    json_object_set_object_member(o, "error", e);
    if (id)
        json_object_set_member(o, "id", json_node_copy(id));
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(root, o);
    qmp_send_node(s, root);
    json_node_unref(root);
    g_free(desc);
}

static JsonNode *node_object(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, o);
    return n;
}

static JsonNode *node_array(JsonArray *a)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, a);
    return n;
}

static void qmp_event(QmpSession *s, const char *name, JsonObject *data)
{
    if (!s->negotiated) {
        if (data)
            json_object_unref(data);
        return;
    }
    gint64 us = g_get_real_time();
    JsonObject *ts = json_object_new();
    json_object_set_int_member(ts, "seconds", us / 1000000);
    json_object_set_int_member(ts, "microseconds", us % 1000000);
    JsonObject *o = json_object_new();
    json_object_set_object_member(o, "timestamp", ts);
    json_object_set_string_member(o, "event", name);
    if (data)
        json_object_set_object_member(o, "data", data);
    JsonNode *root = node_object(o);
    qmp_send_node(s, root);
    json_node_unref(root);
}

void qmp_session_machine_event(QmpSession *s, int ev, const char *reason)
{
    static const char *const names[] = {
        [MACHINE_EVENT_STOP] = "STOP", [MACHINE_EVENT_RESUME] = "RESUME",
        [MACHINE_EVENT_RESET] = "RESET", [MACHINE_EVENT_POWERDOWN] = "POWERDOWN",
        [MACHINE_EVENT_SHUTDOWN] = "SHUTDOWN",
    };
    if (ev < 0 || ev >= (int)G_N_ELEMENTS(names))
        return;
    JsonObject *data = NULL;
    if (reason) {
        data = json_object_new();
        json_object_set_boolean_member(data, "guest", g_str_has_prefix(reason, "guest"));
        json_object_set_string_member(data, "reason", reason);
    }
    qmp_event(s, names[ev], data);
}

/* ------------------------------------------------------------ arguments */

/* a command's parameters: "name:T" with T s (string), i (integer),
 * b (bool), a (array), o (object), * (any); a trailing ? = optional */
static bool qmp_check_args(QmpSession *s, JsonObject *args, const char *const *params,
                           JsonNode *id)
{
    for (const char *const *p = params; p && *p; p++) {
        const char *colon = strchr(*p, ':');
        gchar *name = g_strndup(*p, (gsize)(colon - *p));
        char type = colon[1];
        bool optional = colon[2] == '?';
        JsonNode *n = json_object_get_member(args, name);
        bool ok = true;
        if (!n) {
            if (!optional) {
                qmp_error(s, QMP_GENERIC, id, "Parameter '%s' is missing", name);
                ok = false;
            }
        } else {
            bool match;
            GType vt = JSON_NODE_HOLDS_VALUE(n) ? json_node_get_value_type(n) : G_TYPE_INVALID;
            switch (type) {
            case 's': match = vt == G_TYPE_STRING; break;
            case 'i': match = vt == G_TYPE_INT64; break;
            case 'b': match = vt == G_TYPE_BOOLEAN; break;
            case 'a': match = JSON_NODE_HOLDS_ARRAY(n); break;
            case 'o': match = JSON_NODE_HOLDS_OBJECT(n); break;
            default: match = true; break;
            }
            if (!match) {
                static const char *const tn[] = { "string", "integer", "boolean", "array",
                                                  "object" };
                const char *types = "sibao";
                qmp_error(s, QMP_GENERIC, id, "Invalid parameter type for '%s', expected: %s",
                          name, tn[strchr(types, type) - types]);
                ok = false;
            }
        }
        g_free(name);
        if (!ok)
            return false;
    }
    /* members the command does not know */
    GList *members = json_object_get_members(args);
    bool ok = true;
    for (GList *l = members; l && ok; l = l->next) {
        const char *m = l->data;
        size_t ml = strlen(m);
        bool known = false;
        for (const char *const *p = params; p && *p && !known; p++)
            known = !strncmp(*p, m, ml) && (*p)[ml] == ':';
        if (!known) {
            qmp_error(s, QMP_GENERIC, id, "Parameter '%s' is unexpected", m);
            ok = false;
        }
    }
    g_list_free(members);
    return ok;
}

static const char *arg_str(JsonObject *a, const char *name, const char *dflt)
{
    return json_object_has_member(a, name) ? json_object_get_string_member(a, name) : dflt;
}

static bool arg_bool(JsonObject *a, const char *name, bool dflt)
{
    return json_object_has_member(a, name) ? json_object_get_boolean_member(a, name) : dflt;
}

/* ------------------------------------------------------------ commands */

typedef struct QmpCall {
    QmpSession *s;
    MonCtx *ctx;
    Machine *m;
    JsonObject *args;
    JsonNode *id;
    JsonNode *ret;              /* the "return" value; NULL = {} */
    bool failed;                /* an error reply was sent */
    void (*after)(struct QmpCall *c);   /* runs after a success reply (a job's work) */
    struct QmpJob *job;
} QmpCall;

static void call_fail(QmpCall *c, GError *err)
{
    QmpClass cls = g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NODEV)
                   ? QMP_DEVICE_NOT_FOUND : QMP_GENERIC;
    qmp_error(c->s, cls, c->id, "%s", err->message);
    g_error_free(err);
    c->failed = true;
}

static void q_stop(QmpCall *c) { mon_stop(c->ctx); }
static void q_cont(QmpCall *c) { mon_cont(c->ctx); }
static void q_system_reset(QmpCall *c)
{
    machine_request_reset_reason(c->m, "host-qmp-system-reset");
}
static void q_quit(QmpCall *c) { machine_request_shutdown_reason(c->m, 0, "host-qmp-quit"); }

static void q_system_powerdown(QmpCall *c)
{
    if (!machine_powerdown(c->m)) {
        qmp_error(c->s, QMP_GENERIC, c->id, "this machine has no ACPI power button");
        c->failed = true;
    }
}

static void q_migrate(QmpCall *c)
{
    GError *err = NULL;
    if (!mon_migrate(c->m, json_object_get_string_member(c->args, "uri"), &err)) {
        qmp_error(c->s, QMP_GENERIC, c->id, "%s", err->message);
        g_error_free(err);
        c->failed = true;
    }
}

static void q_migrate_incoming(QmpCall *c)
{
    GError *err = NULL;
    if (!mon_migrate_incoming(c->ctx, json_object_get_string_member(c->args, "uri"), &err))
        call_fail(c, err);
}

/* ------------------------------------------------------------ jobs */

typedef struct QmpJob {
    char *id;
    const char *type;           /* "snapshot-save", "snapshot-load", "snapshot-delete" */
    const char *status;         /* QEMU's JobStatus name */
    char *error;                /* of a job that failed, NULL: it succeeded */
} QmpJob;

static void qmp_job_free(void *p)
{
    QmpJob *j = p;
    g_free(j->id);
    g_free(j->error);
    g_free(j);
}

static QmpJob *qmp_job_find(MonCtx *ctx, const char *id)
{
    for (guint i = 0; ctx->jobs && i < ctx->jobs->len; i++) {
        QmpJob *j = g_ptr_array_index(ctx->jobs, i);
        if (!strcmp(j->id, id))
            return j;
    }
    return NULL;
}

/* the job enters a state: JOB_STATUS_CHANGE to every session */
static void qmp_job_status(MonCtx *ctx, QmpJob *j, const char *status)
{
    j->status = status;
    for (guint i = 0; ctx->qmp_sessions && i < ctx->qmp_sessions->len; i++) {
        JsonObject *d = json_object_new();
        json_object_set_string_member(d, "status", status);
        json_object_set_string_member(d, "id", j->id);
        qmp_event(g_ptr_array_index(ctx->qmp_sessions, i), "JOB_STATUS_CHANGE", d);
    }
}

/* QEMU's rule for IDs: a letter, then letters, digits, '-', '.', '_' */
static bool qmp_id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0]))
        return false;
    for (const char *p = id + 1; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_')
            return false;
    return true;
}

/* the command's part: a new job in state "created", or an error reply */
static void qmp_job_create(QmpCall *c, const char *type, void (*work)(QmpCall *c))
{
    const char *id = json_object_get_string_member(c->args, "job-id");
    JsonArray *devs = json_object_get_array_member(c->args, "devices");
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonNode *n = json_array_get_element(devs, i);
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
            qmp_error(c->s, QMP_GENERIC, c->id, "Invalid parameter type for 'devices[%u]', "
                      "expected: string", i);
            c->failed = true;
            return;
        }
    }
    if (!qmp_id_wellformed(id)) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Invalid job ID '%s'", id);
        c->failed = true;
        return;
    }
    if (qmp_job_find(c->ctx, id)) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Job ID '%s' already in use", id);
        c->failed = true;
        return;
    }
    if (!c->ctx->jobs)
        c->ctx->jobs = g_ptr_array_new_with_free_func(qmp_job_free);
    QmpJob *j = g_new0(QmpJob, 1);
    j->id = g_strdup(id);
    j->type = type;
    g_ptr_array_insert(c->ctx->jobs, 0, j);        /* query-jobs: newest first */
    qmp_job_status(c->ctx, j, "created");
    c->job = j;
    c->after = work;
}

/* the end of a job's work: err NULL = success (consumed) */
static void qmp_job_finish(QmpCall *c, GError *err)
{
    if (err) {
        c->job->error = g_strdup(err->message);
        g_error_free(err);
        qmp_job_status(c->ctx, c->job, "aborting");
    } else {
        qmp_job_status(c->ctx, c->job, "waiting");
        qmp_job_status(c->ctx, c->job, "pending");
    }
    qmp_job_status(c->ctx, c->job, "concluded");
}

/* "devices" and "vmstate" against the drives snapshot.c uses: tx86 takes
 * every writable drive together and keeps the state in the first one, so
 * devices must list exactly those and vmstate name the first; a machine
 * with none (state files in --snapshot-dir) takes an empty list */
static bool qmp_snapshot_devices(QmpCall *c, bool need_vmstate, GError **errp)
{
    char names[MON_MAX_DRIVES][16];
    int n = machine_snapshot_devices(c->m, names, MON_MAX_DRIVES, errp);
    if (n < 0)
        return false;
    JsonArray *devs = json_object_get_array_member(c->args, "devices");
    guint k = json_array_get_length(devs);
    if (n > 0 && k == 0) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "At least one device is required for snapshot");
        return false;
    }
    for (guint i = 0; i < k; i++) {
        const char *d = json_array_get_string_element(devs, i);
        bool found = false;
        for (int j = 0; j < n && !found; j++)
            found = !strcmp(names[j], d);
        if (!found) {
            MonDrive all[MON_MAX_DRIVES];
            int na = mon_block_list(c->m, all);
            bool exists = false;
            for (int j = 0; j < na && !exists; j++)
                exists = !strcmp(all[j].device, d);
            if (exists)
                g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "Device '%s' takes no "
                            "snapshots (read-only, empty or a -snapshot overlay)", d);
            else
                g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "No block device node '%s'", d);
            return false;
        }
    }
    for (int j = 0; j < n; j++) {
        bool listed = false;
        for (guint i = 0; i < k && !listed; i++)
            listed = !strcmp(json_array_get_string_element(devs, i), names[j]);
        if (!listed) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'devices' lacks '%s': tx86 "
                        "snapshots every writable drive together", names[j]);
            return false;
        }
    }
    if (!need_vmstate || n == 0)
        return true;
    const char *vm = json_object_get_string_member(c->args, "vmstate");
    bool listed = false;
    for (guint i = 0; i < k && !listed; i++)
        listed = !strcmp(json_array_get_string_element(devs, i), vm);
    if (!listed) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "vmstate block device '%s' does not exist", vm);
        return false;
    }
    if (strcmp(vm, names[0])) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL, "tx86 keeps the machine state in "
                    "'%s' (the first writable drive): vmstate must name it", names[0]);
        return false;
    }
    return true;
}

static void qmp_snapshot_work(QmpCall *c)
{
    const char *tag = json_object_get_string_member(c->args, "tag");
    const char *type = c->job->type;
    GError *err = NULL;
    qmp_job_status(c->ctx, c->job, "running");
    bool del = !strcmp(type, "snapshot-delete");
    if (qmp_snapshot_devices(c, !del, &err)) {
        if (!strcmp(type, "snapshot-save"))
            machine_savevm(c->m, tag, &err);
        else if (!strcmp(type, "snapshot-load"))
            machine_loadvm(c->m, tag, &err);
        else
            machine_delvm(c->m, tag, &err);
    }
    qmp_job_finish(c, err);
}

static void q_snapshot_save(QmpCall *c)
{
    qmp_job_create(c, "snapshot-save", qmp_snapshot_work);
}

static void q_snapshot_load(QmpCall *c)
{
    qmp_job_create(c, "snapshot-load", qmp_snapshot_work);
}

static void q_snapshot_delete(QmpCall *c)
{
    qmp_job_create(c, "snapshot-delete", qmp_snapshot_work);
}

static void q_query_jobs(QmpCall *c)
{
    JsonArray *a = json_array_new();
    for (guint i = 0; c->ctx->jobs && i < c->ctx->jobs->len; i++) {
        QmpJob *j = g_ptr_array_index(c->ctx->jobs, i);
        JsonObject *o = json_object_new();
        bool done = !strcmp(j->status, "concluded");
        json_object_set_string_member(o, "id", j->id);
        json_object_set_string_member(o, "type", j->type);
        json_object_set_string_member(o, "status", j->status);
        json_object_set_int_member(o, "current-progress", done);
        json_object_set_int_member(o, "total-progress", 1);
        if (j->error)
            json_object_set_string_member(o, "error", j->error);
        json_array_add_object_element(a, o);
    }
    c->ret = node_array(a);
}

static void q_job_dismiss(QmpCall *c)
{
    const char *id = json_object_get_string_member(c->args, "id");
    QmpJob *j = qmp_job_find(c->ctx, id);
    if (!j) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Job not found");
        c->failed = true;
        return;
    }
    if (strcmp(j->status, "concluded")) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Job '%s' in state '%s' cannot accept command "
                  "verb 'dismiss'", id, j->status);
        c->failed = true;
        return;
    }
    qmp_job_status(c->ctx, j, "null");
    g_ptr_array_remove(c->ctx->jobs, j);
}

static void q_query_migrate(QmpCall *c)
{
    JsonObject *o = json_object_new();
    Machine *m = c->m;
    if (m->migration.status) {
        json_object_set_string_member(o, "status", m->migration.status);
        json_object_set_int_member(o, "total-time", m->migration.total_ms);
        json_object_set_int_member(o, "downtime", m->migration.downtime_ms);
        json_object_set_int_member(o, "setup-time", m->migration.setup_ms);
        JsonObject *ram = json_object_new();
        json_object_set_int_member(ram, "total", (gint64)m->migration.ram_bytes);
        json_object_set_int_member(ram, "transferred", (gint64)m->migration.bytes);
        json_object_set_int_member(ram, "remaining", (gint64)m->migration.remaining);
        json_object_set_int_member(ram, "normal", (gint64)m->migration.pages);
        json_object_set_int_member(ram, "normal-bytes", (gint64)m->migration.pages * 4096);
        json_object_set_int_member(ram, "dirty-sync-count", (gint64)m->migration.rounds);
        json_object_set_object_member(o, "ram", ram);
        if (m->migration.error)
            json_object_set_string_member(o, "error-desc", m->migration.error);
    }
    c->ret = node_object(o);
}

static void q_migrate_cancel(QmpCall *c)
{
    machine_migration_cancel(c->m);
}

static void q_migrate_set_parameters(QmpCall *c)
{
    if (json_object_has_member(c->args, "downtime-limit")) {
        gint64 v = json_object_get_int_member(c->args, "downtime-limit");
        if (v < 1 || v > 2000000) {
            qmp_error(c->s, QMP_GENERIC, c->id, "downtime-limit: 1 to 2000000 ms");
            c->failed = true;
            return;
        }
        c->m->migration.downtime_limit_ms = v;
    }
}

static void q_query_status(QmpCall *c)
{
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "status", mon_status(c->ctx));
    json_object_set_boolean_member(o, "singlestep", false);
    json_object_set_boolean_member(o, "running", !c->m->stopped && !c->ctx->inmigrate);
    c->ret = node_object(o);
}

static JsonObject *qmp_version_object(void)
{
    int major = 0, minor = 0, micro = 0;
    sscanf(TX86_VERSION, "%d.%d.%d", &major, &minor, &micro);
    JsonObject *q = json_object_new();
    json_object_set_int_member(q, "major", major);
    json_object_set_int_member(q, "minor", minor);
    json_object_set_int_member(q, "micro", micro);
    JsonObject *v = json_object_new();
    json_object_set_object_member(v, "qemu", q);
    json_object_set_string_member(v, "package", "tx86 " TX86_VERSION);
    return v;
}

static void q_query_version(QmpCall *c) { c->ret = node_object(qmp_version_object()); }

/* query-replay: QEMU's ReplayInfo */
static void q_query_replay(QmpCall *c)
{
    JsonObject *o = json_object_new();
    ReplayMode mode = replay_mode(c->m);
    json_object_set_string_member(o, "mode", mode == REPLAY_RECORD ? "record"
                                             : mode == REPLAY_PLAY ? "play" : "none");
    if (mode != REPLAY_OFF)
        json_object_set_string_member(o, "filename", c->m->cfg.rr_file);
    json_object_set_int_member(o, "icount", (gint64)c->m->cpu.icount);
    c->ret = node_object(o);
}

static void q_query_name(QmpCall *c)
{
    JsonObject *o = json_object_new();
    if (c->m->cfg.name)
        json_object_set_string_member(o, "name", c->m->cfg.name);
    c->ret = node_object(o);
}

static void q_query_cpus_fast(QmpCall *c)
{
    JsonObject *props = json_object_new();
    json_object_set_int_member(props, "core-id", 0);
    json_object_set_int_member(props, "thread-id", 0);
    json_object_set_int_member(props, "socket-id", 0);
    JsonObject *o = json_object_new();
    json_object_set_int_member(o, "cpu-index", 0);
    json_object_set_string_member(o, "qom-path", "/machine/unattached/device[0]");
    json_object_set_int_member(o, "thread-id", getpid());
    json_object_set_object_member(o, "props", props);
    json_object_set_string_member(o, "target", "i386");
    JsonArray *a = json_array_new();
    json_array_add_object_element(a, o);
    c->ret = node_array(a);
}

static void q_query_block(QmpCall *c)
{
    MonDrive d[MON_MAX_DRIVES];
    int n = mon_block_list(c->m, d);
    JsonArray *a = json_array_new();
    for (int i = 0; i < n; i++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "device", d[i].device);
        json_object_set_string_member(o, "qdev", d[i].device);
        json_object_set_boolean_member(o, "locked", d[i].locked);
        json_object_set_boolean_member(o, "removable", d[i].removable);
        if (d[i].removable)
            json_object_set_boolean_member(o, "tray_open", !d[i].file);
        json_object_set_string_member(o, "type", "unknown");
        if (d[i].file) {
            JsonObject *img = json_object_new();
            json_object_set_string_member(img, "filename", d[i].file);
            json_object_set_string_member(img, "format", "raw");
            json_object_set_int_member(img, "virtual-size", (gint64)d[i].size);
            JsonObject *ins = json_object_new();
            json_object_set_string_member(ins, "file", d[i].file);
            json_object_set_boolean_member(ins, "ro", d[i].readonly);
            json_object_set_string_member(ins, "drv", "raw");
            json_object_set_boolean_member(ins, "encrypted", false);
            json_object_set_int_member(ins, "backing_file_depth", 0);
            json_object_set_object_member(ins, "image", img);
            json_object_set_object_member(o, "inserted", ins);
        }
        json_array_add_object_element(a, o);
    }
    c->ret = node_array(a);
}

static void q_query_chardev(QmpCall *c)
{
    JsonArray *a = json_array_new();
    for (int i = 0; c->m->pc && i < 4; i++) {
        CharDev *ch = c->m->pc->serial[i] ? ns16550_chardev(c->m->pc->serial[i]) : NULL;
        if (!ch)
            continue;
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "label", chardev_label(ch));
        json_object_set_string_member(o, "filename", chardev_spec(ch));
        json_object_set_boolean_member(o, "frontend-open", true);
        json_array_add_object_element(a, o);
    }
    for (guint i = 0; c->ctx->chardevs && i < c->ctx->chardevs->len; i++) {
        MonChardev *ch = &g_array_index(c->ctx->chardevs, MonChardev, i);
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "label", ch->label);
        json_object_set_string_member(o, "filename", ch->spec);
        json_object_set_boolean_member(o, "frontend-open", true);
        json_array_add_object_element(a, o);
    }
    c->ret = node_array(a);
}

static void q_screendump(QmpCall *c)
{
    const char *format = arg_str(c->args, "format", "ppm");
    if (strcmp(format, "ppm") && strcmp(format, "png")) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Parameter 'format' does not accept value '%s'",
                  format);
        c->failed = true;
        return;
    }
    GError *err = NULL;
    if (!mon_screendump(c->m, json_object_get_string_member(c->args, "filename"),
                        !strcmp(format, "png"), &err))
        call_fail(c, err);
}

/* a KeyValue: {"type": "qcode", "data": "a"} or {"type": "number", "data": 30} */
static int qmp_key_value(QmpCall *c, JsonNode *n)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
    JsonNode *type = o ? json_object_get_member(o, "type") : NULL;
    JsonNode *data = o ? json_object_get_member(o, "data") : NULL;
    const char *t = type && JSON_NODE_HOLDS_VALUE(type) &&
                    json_node_get_value_type(type) == G_TYPE_STRING ? json_node_get_string(type)
                                                                    : NULL;
    GType dt = data && JSON_NODE_HOLDS_VALUE(data) ? json_node_get_value_type(data)
                                                   : G_TYPE_INVALID;
    int key = -1;
    if (t && !strcmp(t, "qcode") && dt == G_TYPE_STRING)
        key = mon_key_from_name(json_node_get_string(data));
    else if (t && !strcmp(t, "number") && dt == G_TYPE_INT64)
        key = mon_key_from_number(json_node_get_int(data));
    else {
        qmp_error(c->s, QMP_GENERIC, c->id, "Invalid key value: expected {\"type\": \"qcode\","
                  " \"data\": NAME} or {\"type\": \"number\", \"data\": N}");
        c->failed = true;
        return -1;
    }
    if (key < 0) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Parameter 'data' does not accept this key");
        c->failed = true;
    }
    return key;
}

static void q_send_key(QmpCall *c)
{
    JsonArray *a = json_object_get_array_member(c->args, "keys");
    guint n = json_array_get_length(a);
    int keys[MON_MAX_KEYS];
    if (n == 0 || n > MON_MAX_KEYS) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Parameter 'keys': 1 to %d keys", MON_MAX_KEYS);
        c->failed = true;
        return;
    }
    for (guint i = 0; i < n; i++)
        if ((keys[i] = qmp_key_value(c, json_array_get_element(a, i))) < 0)
            return;
    GError *err = NULL;
    if (!mon_send_keys(c->m, keys, (int)n, &err))
        call_fail(c, err);
}

/* events: [{"type": "key", "data": {"down": B, "key": KeyValue}},
 *          {"type": "btn", "data": {"down": B, "button": "left"}},
 *          {"type": "rel", "data": {"axis": "x", "value": N}},
 *          {"type": "abs", "data": {"axis": "x", "value": 0..32767}}]
 * abs events and, when a usb-tablet is there, button-only events go to
 * the absolute pointer (as in QEMU, where the tablet takes them) */
/* the "axis" (x or y: 0 or 1) and "value" of an abs/rel event's data;
 * false (the QMP error sent) for another axis */
static bool qmp_axis_value(QmpCall *c, JsonObject *d, int *axis, gint64 *v)
{
    JsonNode *ax = json_object_get_member(d, "axis");
    JsonNode *vn = json_object_get_member(d, "value");
    const char *name = ax && JSON_NODE_HOLDS_VALUE(ax) &&
                       json_node_get_value_type(ax) == G_TYPE_STRING ? json_node_get_string(ax) : "";

    *v = vn && JSON_NODE_HOLDS_VALUE(vn) &&
         json_node_get_value_type(vn) == G_TYPE_INT64 ? json_node_get_int(vn) : 0;
    *axis = !strcmp(name, "x") ? 0 : !strcmp(name, "y") ? 1 : -1;
    if (*axis < 0) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Invalid axis '%s' (x or y)", name);
        c->failed = true;
        return false;
    }
    return true;
}

static void q_input_send_event(QmpCall *c)
{
    JsonArray *a = json_object_get_array_member(c->args, "events");
    guint n = json_array_get_length(a);
    int dx = 0, dy = 0, dz = 0;
    bool mouse = false, rel = false, abs = false;
    GError *err = NULL;
    if (n > 64) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Parameter 'events': at most 64 events");
        c->failed = true;
        return;
    }
    for (guint i = 0; i < n; i++) {
        JsonNode *e = json_array_get_element(a, i);
        JsonObject *eo = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
        JsonNode *tn = eo ? json_object_get_member(eo, "type") : NULL;
        JsonNode *dn = eo ? json_object_get_member(eo, "data") : NULL;
        const char *type = tn && JSON_NODE_HOLDS_VALUE(tn) &&
                           json_node_get_value_type(tn) == G_TYPE_STRING
                           ? json_node_get_string(tn) : "";
        JsonObject *d = dn && JSON_NODE_HOLDS_OBJECT(dn) ? json_node_get_object(dn) : NULL;
        JsonNode *down = d ? json_object_get_member(d, "down") : NULL;
        bool is_down = down && JSON_NODE_HOLDS_VALUE(down) &&
                       json_node_get_value_type(down) == G_TYPE_BOOLEAN &&
                       json_node_get_boolean(down);
        if (!strcmp(type, "key") && d && json_object_get_member(d, "key")) {
            int key = qmp_key_value(c, json_object_get_member(d, "key"));
            if (key < 0)
                return;
            if (!mon_key_event(c->m, key, is_down, &err)) {
                call_fail(c, err);
                return;
            }
        } else if (!strcmp(type, "btn") && d) {
            JsonNode *bn = json_object_get_member(d, "button");
            const char *b = bn && JSON_NODE_HOLDS_VALUE(bn) &&
                            json_node_get_value_type(bn) == G_TYPE_STRING
                            ? json_node_get_string(bn) : "";
            unsigned bit = !strcmp(b, "left") ? 1 : !strcmp(b, "right") ? 2
                         : !strcmp(b, "middle") ? 4 : 0;
            if (!strcmp(b, "wheel-up") || !strcmp(b, "wheel-down"))
                dz += is_down ? (b[6] == 'u' ? -1 : 1) : 0;
            else if (!bit) {
                qmp_error(c->s, QMP_GENERIC, c->id, "Invalid button '%s'", b);
                c->failed = true;
                return;
            }
            c->ctx->mouse_buttons = is_down ? c->ctx->mouse_buttons | bit
                                            : c->ctx->mouse_buttons & ~bit;
            mouse = true;
        } else if (!strcmp(type, "abs") && d) {
            int axis;
            gint64 v;
            if (!qmp_axis_value(c, d, &axis, &v))
                return;
            v = CLAMP(v, 0, 0x7fff);
            if (axis == 0)
                c->ctx->abs_x = (unsigned)v;
            else
                c->ctx->abs_y = (unsigned)v;
            abs = true;
        } else if (!strcmp(type, "rel") && d) {
            int axis;
            gint64 v;
            if (!qmp_axis_value(c, d, &axis, &v))
                return;
            v = CLAMP(v, -1000000, 1000000);
            rel = true;
            if (axis == 0)
                dx += (int)v;
            else
                dy -= (int)v;                   /* QEMU: y grows down; PS/2: up */
            mouse = true;
        } else {
            qmp_error(c->s, QMP_GENERIC, c->id, "Invalid event %u: expected type key, btn, "
                      "rel or abs with its data", i);
            c->failed = true;
            return;
        }
    }
    if (abs || (mouse && !rel && mon_has_tablet(c->m))) {
        if (!mon_pointer_abs(c->m, c->ctx->abs_x, c->ctx->abs_y, dz, c->ctx->mouse_buttons,
                             &err))
            call_fail(c, err);
        if (!rel)
            return;
        dz = 0;
    }
    if (mouse && !mon_mouse_event(c->m, dx, dy, dz, c->ctx->mouse_buttons, &err))
        call_fail(c, err);
}

static const char *qmp_device_arg(QmpCall *c)
{
    const char *dev = arg_str(c->args, "device", arg_str(c->args, "id", NULL));
    if (!dev) {
        qmp_error(c->s, QMP_GENERIC, c->id, "Parameter 'device' is missing");
        c->failed = true;
    }
    return dev;
}

static void q_eject(QmpCall *c)
{
    const char *dev = qmp_device_arg(c);
    GError *err = NULL;
    if (dev && !mon_block_eject(c->m, dev, arg_bool(c->args, "force", false), &err))
        call_fail(c, err);
}

static void q_blockdev_change_medium(QmpCall *c)
{
    const char *dev = qmp_device_arg(c);
    const char *format = arg_str(c->args, "format", "raw");
    GError *err = NULL;
    if (!dev)
        return;
    if (strcmp(format, "raw")) {
        qmp_error(c->s, QMP_GENERIC, c->id, "only raw images are supported (format '%s')",
                  format);
        c->failed = true;
        return;
    }
    if (!mon_block_change(c->m, dev, json_object_get_string_member(c->args, "filename"), &err))
        call_fail(c, err);
}

static void q_human_monitor_command(QmpCall *c)
{
    GString *out = g_string_new(NULL);
    hmp_execute(c->ctx, json_object_get_string_member(c->args, "command-line"), out);
    GString *crlf = g_string_sized_new(out->len + 16);
    for (gsize i = 0; i < out->len; i++) {
        if (out->str[i] == '\n')
            g_string_append_c(crlf, '\r');
        g_string_append_c(crlf, out->str[i]);
    }
    c->ret = json_node_new(JSON_NODE_VALUE);
    /* json-glib wants valid UTF-8 strings: HMP output is ASCII */
    json_node_set_string(c->ret, crlf->str);
    g_string_free(crlf, TRUE);
    g_string_free(out, TRUE);
}

static void q_query_commands(QmpCall *c);

typedef struct QmpCmd {
    const char *name;
    void (*fn)(QmpCall *c);
    const char *const params[8];
} QmpCmd;

static const QmpCmd qmp_cmds[] = {
    { "qmp_capabilities", NULL, { "enable:a?" } },
    { "query-commands", q_query_commands, { NULL } },
    { "query-status", q_query_status, { NULL } },
    { "migrate", q_migrate, { "uri:s" } },
    { "migrate-incoming", q_migrate_incoming, { "uri:s" } },
    { "snapshot-save", q_snapshot_save, { "job-id:s", "tag:s", "vmstate:s", "devices:a" } },
    { "snapshot-load", q_snapshot_load, { "job-id:s", "tag:s", "vmstate:s", "devices:a" } },
    { "snapshot-delete", q_snapshot_delete, { "job-id:s", "tag:s", "devices:a" } },
    { "query-jobs", q_query_jobs, { NULL } },
    { "job-dismiss", q_job_dismiss, { "id:s" } },
    { "query-migrate", q_query_migrate, { NULL } },
    { "migrate_cancel", q_migrate_cancel, { NULL } },
    { "migrate-set-parameters", q_migrate_set_parameters, { "downtime-limit:i?" } },
    { "query-version", q_query_version, { NULL } },
    { "query-name", q_query_name, { NULL } },
    { "query-replay", q_query_replay, { NULL } },
    { "query-cpus-fast", q_query_cpus_fast, { NULL } },
    { "query-block", q_query_block, { "flat:b?" } },
    { "query-chardev", q_query_chardev, { NULL } },
    { "stop", q_stop, { NULL } },
    { "cont", q_cont, { NULL } },
    { "system_reset", q_system_reset, { NULL } },
    { "system_powerdown", q_system_powerdown, { NULL } },
    { "quit", q_quit, { NULL } },
    { "screendump", q_screendump, { "filename:s", "device:s?", "head:i?", "format:s?" } },
    { "send-key", q_send_key, { "keys:a", "hold-time:i?" } },
    { "input-send-event", q_input_send_event, { "events:a", "device:s?", "head:i?" } },
    { "eject", q_eject, { "device:s?", "id:s?", "force:b?" } },
    { "blockdev-change-medium", q_blockdev_change_medium,
      { "device:s?", "id:s?", "filename:s", "format:s?", "read-only-mode:s?", "force:b?" } },
    { "human-monitor-command", q_human_monitor_command, { "command-line:s", "cpu-index:i?" } },
};

static void q_query_commands(QmpCall *c)
{
    JsonArray *a = json_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_cmds); i++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "name", qmp_cmds[i].name);
        json_array_add_object_element(a, o);
    }
    c->ret = node_array(a);
}

/* one complete request */
static void qmp_dispatch(QmpSession *s, JsonNode *root)
{
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_error(s, QMP_GENERIC, NULL, "QMP input must be a JSON object");
        return;
    }
    JsonObject *req = json_node_get_object(root);
    JsonNode *id = json_object_get_member(req, "id");
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *args_n = json_object_get_member(req, "arguments");
    GList *members = json_object_get_members(req);
    for (GList *l = members; l; l = l->next) {
        const char *mname = l->data;
        if (strcmp(mname, "execute") && strcmp(mname, "arguments") && strcmp(mname, "id")) {
            qmp_error(s, QMP_GENERIC, id, "QMP input member '%s' is unexpected", mname);
            g_list_free(members);
            return;
        }
    }
    g_list_free(members);
    if (!exec) {
        qmp_error(s, QMP_GENERIC, id, "QMP input lacks member 'execute'");
        return;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) || json_node_get_value_type(exec) != G_TYPE_STRING) {
        qmp_error(s, QMP_GENERIC, id, "QMP input member 'execute' must be a string");
        return;
    }
    if (args_n && !JSON_NODE_HOLDS_OBJECT(args_n)) {
        qmp_error(s, QMP_GENERIC, id, "QMP input member 'arguments' must be an object");
        return;
    }
    const char *name = json_node_get_string(exec);
    const QmpCmd *cmd = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(qmp_cmds) && !cmd; i++)
        if (!strcmp(qmp_cmds[i].name, name))
            cmd = &qmp_cmds[i];
    bool caps = cmd && !cmd->fn;
    if (!s->negotiated && !caps) {
        qmp_error(s, QMP_NOT_FOUND, id,
                  "Expecting capabilities negotiation with 'qmp_capabilities'");
        return;
    }
    if (s->negotiated && caps) {
        qmp_error(s, QMP_NOT_FOUND, id,
                  "Capabilities negotiation is already complete, command ignored");
        return;
    }
    if (!cmd) {
        qmp_error(s, QMP_NOT_FOUND, id, "The command %s has not been found", name);
        return;
    }
    JsonObject *empty = json_object_new();
    JsonObject *args = args_n ? json_node_get_object(args_n) : empty;
    if (qmp_check_args(s, args, cmd->params, id)) {
        if (caps) {
            if (json_object_has_member(args, "enable") &&
                json_array_get_length(json_object_get_array_member(args, "enable"))) {
                qmp_error(s, QMP_GENERIC, id, "Capability is not supported");
            } else {
                s->negotiated = true;
                qmp_reply(s, NULL, id);
            }
        } else {
            QmpCall c = { s, s->ctx, s->ctx->m, args, id, NULL, false, NULL, NULL };
            cmd->fn(&c);
            if (!c.failed)
                qmp_reply(s, c.ret, id);
            else if (c.ret)
                json_node_unref(c.ret);
            if (!c.failed && c.after)
                c.after(&c);
        }
    }
    json_object_unref(empty);
}

static void qmp_parse(QmpSession *s, const char *text, size_t len)
{
    if (memchr(text, 0, len) || !g_utf8_validate(text, (gssize)len, NULL)) {
        qmp_error(s, QMP_GENERIC, NULL, "JSON parse error, invalid UTF-8 or NUL byte");
        return;
    }
    JsonParser *p = json_parser_new_immutable();
    GError *err = NULL;
    if (!json_parser_load_from_data(p, text, (gssize)len, &err)) {
        qmp_error(s, QMP_GENERIC, NULL, "JSON parse error, %s", err->message);
        g_error_free(err);
    } else {
        JsonNode *root = json_parser_get_root(p);
        if (root)
            qmp_dispatch(s, root);
        else
            qmp_error(s, QMP_GENERIC, NULL, "JSON parse error, empty input");
    }
    g_object_unref(p);
}

/* ------------------------------------------------------------ sessions */

QmpSession *qmp_session_new(MonCtx *ctx, MonWriteFn write, void *opaque)
{
    QmpSession *s = g_new0(QmpSession, 1);
    s->ctx = ctx;
    s->write = write;
    s->opaque = opaque;
    s->obj = g_string_new(NULL);
    if (!ctx->qmp_sessions)
        ctx->qmp_sessions = g_ptr_array_new();
    g_ptr_array_add(ctx->qmp_sessions, s);
    JsonObject *q = json_object_new();
    json_object_set_object_member(q, "version", qmp_version_object());
    json_object_set_array_member(q, "capabilities", json_array_new());
    JsonObject *o = json_object_new();
    json_object_set_object_member(o, "QMP", q);
    JsonNode *root = node_object(o);
    qmp_send_node(s, root);
    json_node_unref(root);
    return s;
}

void qmp_ctx_free(MonCtx *ctx)
{
    if (ctx->jobs)
        g_ptr_array_free(ctx->jobs, TRUE);
    if (ctx->qmp_sessions)
        g_ptr_array_free(ctx->qmp_sessions, TRUE);
    ctx->jobs = ctx->qmp_sessions = NULL;
}

void qmp_session_free(QmpSession *s)
{
    if (!s)
        return;
    MonCtx *ctx = s->ctx;
    g_ptr_array_remove(ctx->qmp_sessions, s);
    if (!ctx->qmp_sessions->len && !ctx->keep_jobs)
        qmp_ctx_free(ctx);                  /* a session of its own (tests, fuzzing) */
    g_string_free(s->obj, TRUE);
    g_free(s);
}

static void qmp_refuse(QmpSession *s, uint8_t b, const char *why)
{
    qmp_error(s, QMP_GENERIC, NULL, "%s", why);
    g_string_truncate(s->obj, 0);
    s->depth = 0;
    s->in_str = s->esc = false;
    s->skip_line = b != '\n';
}

void qmp_session_input(QmpSession *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = buf[i];
        if (s->skip_line) {
            s->skip_line = b != '\n';
            continue;
        }
        if (s->depth == 0) {
            bool space = b == ' ' || b == '\t' || b == '\r' || b == '\n';
            bool open = b == '{' || b == '[';
            if (space || open)
                s->junk = false;
            if (open) {
                g_string_append_c(s->obj, (char)b);
                s->depth = 1;
            } else if (!space && !s->junk) {
                s->junk = true;
                qmp_error(s, QMP_GENERIC, NULL, "JSON parse error, invalid token outside "
                          "an object");
            }
            continue;
        }
        if (s->obj->len >= QMP_OBJECT_MAX) {
            qmp_refuse(s, b, "JSON parse error, object too large (more than 65536 bytes)");
            continue;
        }
        g_string_append_c(s->obj, (char)b);
        if (s->in_str) {
            if (s->esc)
                s->esc = false;
            else if (b == '\\')
                s->esc = true;
            else if (b == '"')
                s->in_str = false;
        } else if (b == '"') {
            s->in_str = true;
        } else if (b == '{' || b == '[') {
            if (++s->depth > QMP_DEPTH_MAX)
                qmp_refuse(s, b, "JSON parse error, nesting too deep (more than 32 levels)");
        } else if (b == '}' || b == ']') {
            if (--s->depth == 0) {
                qmp_parse(s, s->obj->str, s->obj->len);
                g_string_truncate(s->obj, 0);
            }
        }
    }
}
