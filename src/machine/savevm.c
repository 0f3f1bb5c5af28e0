/*
 * savevm.c - the machine's state stream (savevm.h, docs/savevm.md).
 *
 *   stream  := magic "TX86VMS\n", u32 format (1), u64 RAM bytes,
 *              section*, ram, u8 'E', u32 CRC-32 of everything before it
 *   section := u8 'S', str name, u32 instance, u32 version, u32 len,
 *              payload[len]                      (bus/vmstate.c's payload)
 *   ram     := u8 'R', per 64 KiB chunk: u8 kind (0 zero, 1 raw, 2 zlib),
 *              and for kinds 1 and 2: u32 len, data[len]
 *
 * Loading runs twice over the stream: a check (CRC, every section known
 * and every field well formed, every registered section present, every
 * RAM chunk inflating to its size) that touches nothing, then the load
 * itself, then every post_load in registration order, then the
 * translated code is dropped (it may no longer match RAM).
 */
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <zlib.h>
#include "machine/machine.h"
#include "machine/savevm.h"
#include "bus/vmstate.h"
#include "translator/translator.h"

#define SAVEVM_MAGIC   "TX86VMS\n"
#define SAVEVM_FORMAT  1
#define RAM_CHUNK      (64u << 10)

enum { RAM_ZERO = 0, RAM_RAW = 1, RAM_ZLIB = 2 };

typedef struct StateEntry {
    const VMStateDesc *desc;
    void *opaque;
    uint32_t instance;
    int loaded_version;     /* during a load: the stream's, 0 = not in it */
} StateEntry;

static GPtrArray *states(Machine *m)
{
    if (!m->states)
        m->states = g_ptr_array_new_with_free_func(g_free);
    return m->states;
}

void machine_register_state(Machine *m, const VMStateDesc *desc, void *opaque)
{
    GPtrArray *a = states(m);
    StateEntry *e = g_new0(StateEntry, 1);
    e->desc = desc;
    e->opaque = opaque;
    for (guint i = 0; i < a->len; i++) {
        StateEntry *o = g_ptr_array_index(a, i);
        if (!strcmp(o->desc->name, desc->name))
            e->instance++;
    }
    g_ptr_array_add(a, e);
}

void machine_states_free(Machine *m)
{
    if (m->states)
        g_ptr_array_free(m->states, TRUE);
    m->states = NULL;
}

/* ---- saving ---- */

static void save_ram(Machine *m, GByteArray *o)
{
    const uint8_t *ram = m->mem->ram;
    uint32_t size = m->mem->ram_size;
    uLongf bound = compressBound(RAM_CHUNK);
    g_autofree uint8_t *z = g_malloc(bound);

    vms_put_u8(o, 'R');
    for (uint32_t off = 0; off < size; off += RAM_CHUNK) {
        uint32_t n = MIN(RAM_CHUNK, size - off);
        const uint8_t *p = ram + off;
        bool zero = true;
        for (uint32_t i = 0; i < n && zero; i += 8) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            zero = v == 0;
        }
        if (zero) {
            vms_put_u8(o, RAM_ZERO);
            continue;
        }
        uLongf zl = bound;
        if (compress2(z, &zl, p, n, 1) == Z_OK && zl < n) {
            vms_put_u8(o, RAM_ZLIB);
            vms_put_u32(o, (uint32_t)zl);
            g_byte_array_append(o, z, (guint)zl);
        } else {
            vms_put_u8(o, RAM_RAW);
            vms_put_u32(o, n);
            g_byte_array_append(o, p, n);
        }
    }
}

void machine_save_state(Machine *m, GByteArray *o)
{
    g_byte_array_append(o, (const guint8 *)SAVEVM_MAGIC, 8);
    vms_put_u32(o, SAVEVM_FORMAT);
    vms_put_u64(o, m->mem->ram_size);
    GPtrArray *a = states(m);
    for (guint i = 0; i < a->len; i++) {
        StateEntry *e = g_ptr_array_index(a, i);
        vms_put_u8(o, 'S');
        vms_put_str(o, e->desc->name);
        vms_put_u32(o, e->instance);
        vms_put_u32(o, (uint32_t)e->desc->version);
        guint at = o->len;
        vms_put_u32(o, 0);
        vmstate_save(e->desc, e->opaque, o);
        uint32_t n = o->len - at - 4;
        for (int k = 0; k < 4; k++)
            o->data[at + k] = (uint8_t)(n >> (8 * k));
    }
    save_ram(m, o);
    vms_put_u8(o, 'E');
    vms_put_u32(o, (uint32_t)crc32(0, o->data, o->len));
}

/* ---- loading ---- */

static StateEntry *find_entry(Machine *m, const char *name, uint32_t instance)
{
    GPtrArray *a = states(m);
    for (guint i = 0; i < a->len; i++) {
        StateEntry *e = g_ptr_array_index(a, i);
        if (e->instance == instance && !strcmp(e->desc->name, name))
            return e;
    }
    return NULL;
}

/* RAM: check (ram NULL) or load */
static bool load_ram(VMSReader *r, uint8_t *ram, uint32_t size, GError **errp)
{
    g_autofree uint8_t *scratch = ram ? NULL : g_malloc(RAM_CHUNK);
    for (uint32_t off = 0; off < size; off += RAM_CHUNK) {
        uint32_t n = MIN(RAM_CHUNK, size - off);
        uint8_t kind = vms_get_u8(r);
        uint8_t *dst = ram ? ram + off : scratch;
        if (kind == RAM_ZERO) {
            if (ram)
                memset(dst, 0, n);
            continue;
        }
        uint32_t len = vms_get_u32(r);
        const uint8_t *p = vms_get_bytes(r, len);
        if (!p || kind > RAM_ZLIB) {
            g_set_error(errp, VMSTATE_ERROR, 0, "ram: chunk at %#x is %s", off,
                        p ? "of an unknown kind" : "cut short");
            return false;
        }
        if (kind == RAM_RAW) {
            if (len != n) {
                g_set_error(errp, VMSTATE_ERROR, 0, "ram: chunk at %#x has %u bytes, not %u",
                            off, len, n);
                return false;
            }
            if (ram)
                memcpy(dst, p, n);
            continue;
        }
        uLongf out = n;
        if (uncompress(dst, &out, p, len) != Z_OK || out != n) {
            g_set_error(errp, VMSTATE_ERROR, 0, "ram: chunk at %#x does not inflate to %u "
                        "bytes", off, n);
            return false;
        }
    }
    return true;
}

/* one pass over the stream: apply false checks, true loads */
static bool load_pass(Machine *m, const uint8_t *data, size_t len, bool apply, GError **errp)
{
    VMSReader r = { data + 12, data + len - 5, false };
    uint64_t ram_size = vms_get_u64(&r);
    if (ram_size != m->mem->ram_size) {
        g_set_error(errp, VMSTATE_ERROR, 0, "the state is of a machine with %" G_GUINT64_FORMAT
                    " MiB of RAM, this one has %u MiB (-m)", ram_size >> 20,
                    m->mem->ram_size >> 20);
        return false;
    }
    GPtrArray *a = states(m);
    for (guint i = 0; i < a->len; i++)
        ((StateEntry *)g_ptr_array_index(a, i))->loaded_version = 0;

    for (;;) {
        uint8_t tag = vms_get_u8(&r);
        if (r.bad)
            break;
        if (tag == 'R') {
            if (!load_ram(&r, apply ? m->mem->ram : NULL, m->mem->ram_size, errp))
                return false;
            if (r.p != r.end) {
                g_set_error(errp, VMSTATE_ERROR, 0, "%zu bytes after RAM",
                            (size_t)(r.end - r.p));
                return false;
            }
            for (guint i = 0; i < a->len; i++) {
                StateEntry *e = g_ptr_array_index(a, i);
                if (!e->loaded_version) {
                    g_set_error(errp, VMSTATE_ERROR, 0, "the state has no section '%s' "
                                "(instance %u): it was saved by a machine without it",
                                e->desc->name, e->instance);
                    return false;
                }
            }
            return true;
        }
        if (tag != 'S') {
            g_set_error(errp, VMSTATE_ERROR, 0, "unknown record %#x at offset %zu", tag,
                        (size_t)(r.p - 1 - data));
            return false;
        }
        char name[256];
        vms_get_str(&r, name);
        uint32_t instance = vms_get_u32(&r), version = vms_get_u32(&r), n = vms_get_u32(&r);
        const uint8_t *p = vms_get_bytes(&r, n);
        if (!p)
            break;
        StateEntry *e = find_entry(m, name, instance);
        if (!e) {
            g_set_error(errp, VMSTATE_ERROR, 0, "the state has a section '%s' (instance %u) "
                        "this machine has not: build it with the same options", name, instance);
            return false;
        }
        if (e->loaded_version) {
            g_set_error(errp, VMSTATE_ERROR, 0, "section '%s' (instance %u) appears twice",
                        name, instance);
            return false;
        }
        g_autofree char *what = e->instance || find_entry(m, name, 1)
                                ? g_strdup_printf("%s[%u]", name, instance) : g_strdup(name);
        if (version < 1 || version > INT32_MAX ||
            !vmstate_load(e->desc, e->opaque, (int)version, p, n, apply, what, errp))
            return false;
        e->loaded_version = (int)version;
    }
    g_set_error(errp, VMSTATE_ERROR, 0, "the state is cut short");
    return false;
}

bool machine_check_state(Machine *m, const uint8_t *data, size_t len, GError **errp)
{
    if (len < 8 + 4 + 8 + 5 || memcmp(data, SAVEVM_MAGIC, 8)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "not a tx86 machine state");
        return false;
    }
    uint32_t format = data[8] | data[9] << 8 | data[10] << 16 | (uint32_t)data[11] << 24;
    if (format != SAVEVM_FORMAT) {
        g_set_error(errp, VMSTATE_ERROR, 0, "state format %u, this tx86 reads format %u",
                    format, SAVEVM_FORMAT);
        return false;
    }
    const uint8_t *t = data + len - 5;
    uint32_t crc = t[1] | t[2] << 8 | t[3] << 16 | (uint32_t)t[4] << 24;
    if (t[0] != 'E' || crc != (uint32_t)crc32(0, data, (uInt)(len - 4))) {
        g_set_error(errp, VMSTATE_ERROR, 0, "the state is damaged (checksum)");
        return false;
    }
    return load_pass(m, data, len, false, errp);
}

bool machine_load_state(Machine *m, const uint8_t *data, size_t len, GError **errp)
{
    if (!machine_check_state(m, data, len, errp))
        return false;
    if (!load_pass(m, data, len, true, errp))
        return false;               /* cannot happen: the check passed */
    GPtrArray *a = states(m);
    for (guint i = 0; i < a->len; i++) {
        StateEntry *e = g_ptr_array_index(a, i);
        if (e->desc->post_load && !e->desc->post_load(e->opaque, e->loaded_version, errp)) {
            g_prefix_error(errp, "the state was loaded but is inconsistent: ");
            return false;
        }
    }
    if (m->tr)
        tb_flush(m->tr);
    return true;
}

/* ---- URIs ---- */

static bool uri_split(const char *uri, const char **arg, bool *is_exec, GError **errp)
{
    if (g_str_has_prefix(uri, "file:")) {
        *arg = uri + 5;
        *is_exec = false;
    } else if (g_str_has_prefix(uri, "exec:")) {
        *arg = uri + 5;
        *is_exec = true;
    } else {
        g_set_error(errp, VMSTATE_ERROR, 0, "'%s': tx86 moves state through file:PATH and "
                    "exec:COMMAND", uri);
        return false;
    }
    if (!**arg) {
        g_set_error(errp, VMSTATE_ERROR, 0, "'%s': nothing after the colon", uri);
        return false;
    }
    return true;
}

bool machine_migrate_to(Machine *m, const char *uri, GError **errp)
{
    const char *arg;
    bool is_exec;
    if (!uri_split(uri, &arg, &is_exec, errp))
        return false;
    int64_t t0 = g_get_monotonic_time();
    g_autoptr(GByteArray) s = g_byte_array_new();
    machine_save_state(m, s);
    bool ok = false;
    if (!is_exec) {
        ok = g_file_set_contents(arg, (const gchar *)s->data, s->len, errp);
    } else {
        FILE *f = popen(arg, "w");
        if (!f) {
            g_set_error(errp, VMSTATE_ERROR, 0, "exec:%s: %s", arg, g_strerror(errno));
        } else {
            size_t w = fwrite(s->data, 1, s->len, f);
            int st = pclose(f);
            ok = w == s->len && st == 0;
            if (!ok)
                g_set_error(errp, VMSTATE_ERROR, 0, "exec:%s: the command failed (status %d)",
                            arg, st);
        }
    }
    m->migration.status = ok ? "completed" : "failed";
    m->migration.total_ms = (g_get_monotonic_time() - t0) / 1000;
    m->migration.bytes = s->len;
    m->migration.ram_bytes = m->mem->ram_size;
    return ok;
}

bool machine_incoming(Machine *m, const char *uri, GError **errp)
{
    const char *arg;
    bool is_exec;
    if (!uri_split(uri, &arg, &is_exec, errp))
        return false;
    g_autofree gchar *data = NULL;
    gsize len = 0;
    if (!is_exec) {
        if (!g_file_get_contents(arg, &data, &len, errp))
            return false;
    } else {
        FILE *f = popen(arg, "r");
        if (!f) {
            g_set_error(errp, VMSTATE_ERROR, 0, "exec:%s: %s", arg, g_strerror(errno));
            return false;
        }
        GByteArray *b = g_byte_array_new();
        uint8_t buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            g_byte_array_append(b, buf, (guint)n);
        int st = pclose(f);
        len = b->len;
        data = (gchar *)g_byte_array_free(b, FALSE);
        if (st != 0) {
            g_set_error(errp, VMSTATE_ERROR, 0, "exec:%s: the command failed (status %d)",
                        arg, st);
            return false;
        }
    }
    if (!machine_load_state(m, (const uint8_t *)data, len, errp)) {
        g_prefix_error(errp, "%s: ", uri);
        return false;
    }
    return true;
}
