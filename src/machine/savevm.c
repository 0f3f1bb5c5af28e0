/*
 * savevm.c - the machine's state stream (savevm.h, docs/savevm.md).
 *
 *   stream  := magic "TX86VMS\n", u32 format (1), u64 RAM bytes,
 *              section*, ram, u8 'E', u32 CRC-32 of everything before it
 *   section := u8 'S', str name, u32 instance, u32 version, u32 len,
 *              payload[len]                      (bus/vmstate.c's payload)
 *   ram     := u8 'R', per 64 KiB chunk: u8 kind (0 zero, 1 raw, 2 zlib),
 *              and for kinds 1 and 2: u32 len, data[len]
 *   page    := u8 'P', u32 page number, u8 kind, [u32 len, data[len]]: one
 *              4 KiB page of RAM (live migration sends RAM as pages, in
 *              rounds, before the sections; a later page record wins)
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
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include "machine/machine.h"
#include "machine/savevm.h"
#include "bus/vmstate.h"
#include "translator/translator.h"
#include "mmu/mmu.h"

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
        if (mem_is_zero(p, n)) {
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

static void save_header(Machine *m, GByteArray *o)
{
    g_byte_array_append(o, (const guint8 *)SAVEVM_MAGIC, 8);
    vms_put_u32(o, SAVEVM_FORMAT);
    vms_put_u64(o, m->mem->ram_size);
}

static void save_sections(Machine *m, GByteArray *o)
{
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
}

void machine_save_state(Machine *m, GByteArray *o)
{
    save_header(m, o);
    save_sections(m, o);
    save_ram(m, o);
    vms_put_u8(o, 'E');
    vms_put_u32(o, (uint32_t)crc32(0, o->data, o->len));
}

void machine_save_devices(Machine *m, GByteArray *o)
{
    save_header(m, o);
    save_sections(m, o);
    vms_put_u8(o, 'E');
    vms_put_u32(o, 0);              /* machine_seal_state fills it when needed */
}

void machine_seal_state(uint8_t *data, size_t len)
{
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)(len - 4));
    for (int k = 0; k < 4; k++)
        data[len - 4 + k] = (uint8_t)(crc >> (8 * k));
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

/* a zero page or chunk into RAM: written only where RAM is not zero
 * already, so that RAM the new machine never touched stays unmapped (a
 * write would make the host clear and map every page: most of the time
 * of a large, mostly empty guest's load) */
static void ram_zero(uint8_t *dst, size_t n)
{
    for (size_t at = 0; at < n; at += PAGE_SIZE)
        if (!mem_is_zero(dst + at, MIN((size_t)PAGE_SIZE, n - at)))
            memset(dst + at, 0, MIN((size_t)PAGE_SIZE, n - at));
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
                ram_zero(dst, n);
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

/* one RAM page record ('P' already read): check (ram NULL) or load */
static bool load_page(VMSReader *r, uint8_t *ram, uint32_t ram_size, GError **errp)
{
    uint32_t page = vms_get_u32(r);
    uint8_t kind = vms_get_u8(r);
    uint8_t scratch[PAGE_SIZE];
    if (r->bad)
        goto short_;
    if ((uint64_t)page * PAGE_SIZE + PAGE_SIZE > ram_size || kind > RAM_ZLIB) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ram: page record %#x %s", page,
                    kind > RAM_ZLIB ? "of an unknown kind" : "past the end of RAM");
        return false;
    }
    uint8_t *dst = ram ? ram + (size_t)page * PAGE_SIZE : scratch;
    if (kind == RAM_ZERO) {
        if (ram)
            ram_zero(dst, PAGE_SIZE);
        return true;
    }
    uint32_t len = vms_get_u32(r);
    const uint8_t *p = vms_get_bytes(r, len);
    if (!p)
        goto short_;
    if (kind == RAM_RAW) {
        if (len != PAGE_SIZE) {
            g_set_error(errp, VMSTATE_ERROR, 0, "ram: page %#x has %u bytes", page, len);
            return false;
        }
        if (ram)
            memcpy(dst, p, PAGE_SIZE);
        return true;
    }
    uLongf out = PAGE_SIZE;
    if (uncompress(dst, &out, p, len) != Z_OK || out != PAGE_SIZE) {
        g_set_error(errp, VMSTATE_ERROR, 0, "ram: page %#x does not inflate to 4 KiB", page);
        return false;
    }
    return true;
short_:
    g_set_error(errp, VMSTATE_ERROR, 0, "ram: a page record is cut short");
    return false;
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

    while (r.p != r.end) {
        uint8_t tag = vms_get_u8(&r);
        if (tag == 'R') {
            if (!load_ram(&r, apply ? m->mem->ram : NULL, m->mem->ram_size, errp))
                return false;
            continue;
        }
        if (tag == 'P') {
            if (!load_page(&r, apply ? m->mem->ram : NULL, m->mem->ram_size, errp))
                return false;
            continue;
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
        if (!p) {
            g_set_error(errp, VMSTATE_ERROR, 0, "the state is cut short");
            return false;
        }
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

/* ---- state files: gzip (zlib) around the stream ---- */

/* the stream gzip-compressed (fast level: most of a state is zero pages and
 * VRAM), as state files are written */
static GByteArray *state_gzip(const GByteArray *in)
{
    GByteArray *out = g_byte_array_new();
    z_stream z = { 0 };
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        g_error("savevm: deflateInit2 failed");
    g_byte_array_set_size(out, (guint)deflateBound(&z, in->len) + 64);
    z.next_in = in->data;
    z.avail_in = in->len;
    z.next_out = out->data;
    z.avail_out = out->len;
    int r = deflate(&z, Z_FINISH);
    g_assert(r == Z_STREAM_END);
    g_byte_array_set_size(out, (guint)z.total_out);
    deflateEnd(&z);
    return out;
}

/* a gzip state (the magic 1f 8b) inflated, at most `limit` bytes; NULL with
 * an error if damaged or larger */
static GByteArray *state_gunzip(const uint8_t *data, size_t len, size_t limit, GError **errp)
{
    GByteArray *out = g_byte_array_new();
    z_stream z = { 0 };
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        g_error("savevm: inflateInit2 failed");
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)MIN(len, (size_t)UINT32_MAX);
    int r = Z_OK;
    while (r == Z_OK) {
        if (out->len >= limit) {
            r = Z_BUF_ERROR;
            break;
        }
        guint at = out->len;
        guint chunk = (guint)MIN((size_t)(16u << 20), limit - at);
        g_byte_array_set_size(out, at + chunk);
        z.next_out = out->data + at;
        z.avail_out = chunk;
        r = inflate(&z, Z_NO_FLUSH);
        g_byte_array_set_size(out, at + chunk - z.avail_out);
        if (r == Z_BUF_ERROR && z.avail_out)
            break;                              /* input ended early */
    }
    inflateEnd(&z);
    if (r != Z_STREAM_END) {
        g_set_error(errp, VMSTATE_ERROR, 0, "the compressed state is %s",
                    out->len >= limit ? "larger than any state of this machine" : "damaged");
        g_byte_array_unref(out);
        return NULL;
    }
    return out;
}

bool machine_save_state_file(Machine *m, const char *path, GError **errp)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    machine_save_state(m, s);
    g_autoptr(GByteArray) z = state_gzip(s);
    return g_file_set_contents(path, (const gchar *)z->data, z->len, errp);
}

bool machine_load_state_bytes(Machine *m, const uint8_t *data, size_t len, bool check_only,
                              GError **errp)
{
    g_autoptr(GByteArray) plain = NULL;
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        /* RAM, VRAM and buffers: no state of this machine is bigger */
        size_t limit = (size_t)m->mem->ram_size * 2 + (size_t)(256u << 20);
        plain = state_gunzip(data, len, limit, errp);
        if (!plain)
            return false;
        data = plain->data;
        len = plain->len;
    }
    return check_only ? machine_check_state(m, data, len, errp)
                      : machine_load_state(m, data, len, errp);
}

/* ---- URIs ---- */

static bool migrate_sock(Machine *m, const char *uri, GError **errp);
static int sock_open(const char *uri, bool listen_, GError **errp);
static bool incoming_stream(Machine *m, int fd, const char *uri, GError **errp);

static bool is_sock_uri(const char *uri)
{
    return g_str_has_prefix(uri, "tcp:") || g_str_has_prefix(uri, "unix:");
}

static bool uri_split(const char *uri, const char **arg, bool *is_exec, GError **errp)
{
    if (g_str_has_prefix(uri, "file:")) {
        *arg = uri + 5;
        *is_exec = false;
    } else if (g_str_has_prefix(uri, "exec:")) {
        *arg = uri + 5;
        *is_exec = true;
    } else {
        g_set_error(errp, VMSTATE_ERROR, 0, "'%s': tx86 moves state through file:PATH, "
                    "exec:COMMAND, tcp:HOST:PORT and unix:PATH", uri);
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
    if (is_sock_uri(uri))
        return migrate_sock(m, uri, errp);
    const char *arg;
    bool is_exec;
    if (!uri_split(uri, &arg, &is_exec, errp))
        return false;
    int64_t t0 = g_get_monotonic_time();
    g_autoptr(GByteArray) s = g_byte_array_new();
    machine_save_state(m, s);
    bool ok = false;
    if (!is_exec) {
        g_autoptr(GByteArray) z = state_gzip(s);      /* files are compressed */
        ok = g_file_set_contents(arg, (const gchar *)z->data, z->len, errp);
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

/* an incoming migration between migrate_incoming and the source's stream */
struct MigIncoming {
    char *uri;
    int lfd;                /* tcp:, unix: the listening socket, else -1 */
    char *unix_path;        /* unix: the socket file, removed when done */
};

MigIncoming *machine_incoming_start(Machine *m, const char *uri, GError **errp)
{
    MigIncoming *in = g_new0(MigIncoming, 1);
    in->uri = g_strdup(uri);
    in->lfd = -1;
    if (is_sock_uri(uri)) {
        in->lfd = sock_open(uri, true, errp);
        if (in->lfd < 0) {
            machine_incoming_free(in);
            return NULL;
        }
        if (g_str_has_prefix(uri, "unix:"))
            in->unix_path = g_strdup(uri + 5);
        return in;
    }
    const char *arg;
    bool is_exec;
    bool ok = uri_split(uri, &arg, &is_exec, errp);
    if (ok && !is_exec && !g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: no such file", uri);
        ok = false;
    }
    if (!ok) {
        machine_incoming_free(in);
        return NULL;
    }
    return in;
}

const char *machine_incoming_uri(const MigIncoming *in)
{
    return in->uri;
}

bool machine_incoming_ready(const MigIncoming *in)
{
    if (in->lfd < 0)
        return true;
    struct pollfd p = { .fd = in->lfd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

void machine_incoming_free(MigIncoming *in)
{
    if (!in)
        return;
    if (in->lfd >= 0)
        close(in->lfd);
    if (in->unix_path)
        unlink(in->unix_path);
    g_free(in->unix_path);
    g_free(in->uri);
    g_free(in);
}

static bool incoming_file(Machine *m, const char *uri, GError **errp)
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
    if (!machine_load_state_bytes(m, (const uint8_t *)data, len, false, errp)) {
        g_prefix_error(errp, "%s: ", uri);
        return false;
    }
    return true;
}

bool machine_incoming_finish(Machine *m, MigIncoming *in, GError **errp)
{
    bool ok;
    if (in->lfd < 0) {
        ok = incoming_file(m, in->uri, errp);
    } else {
        int fd;
        do
            fd = accept(in->lfd, NULL, NULL);
        while (fd < 0 && errno == EINTR);
        close(in->lfd);
        in->lfd = -1;
        if (fd < 0) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: accept: %s", in->uri, g_strerror(errno));
            ok = false;
        } else {
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            ok = incoming_stream(m, fd, in->uri, errp);
        }
    }
    machine_incoming_free(in);
    return ok;
}

bool machine_incoming(Machine *m, const char *uri, GError **errp)
{
    MigIncoming *in = machine_incoming_start(m, uri, errp);
    return in && machine_incoming_finish(m, in, errp);
}

/* ---- live migration over TCP or a unix socket ----
 *
 * The source sends the header, then RAM as 'P' page records in rounds
 * while the guest runs: dirty logging (bus/memory.h) marks every page the
 * guest or a device writes after it was sent, and the next round sends
 * those again.  When a round ends with so little left that it would go
 * out within the downtime limit (MigOut says how that is reckoned; or
 * after MIG_MAX_ROUNDS), the machine stops, the last dirty pages and
 * every section follow, then 'E' and the CRC.  The source stays stopped
 * (QEMU's "postmigrate").  The destination (-incoming tcp:/unix:) takes pages
 * into RAM as they come and loads the sections at the end. */

#define MIG_STEP_BYTES   (8u << 20)     /* RAM sent per main-loop turn */
#define MIG_MAX_ROUNDS   30
#define MIG_FLUSH_AT     (256u << 10)

typedef struct MigOut {
    int fd;
    GByteArray *buf;        /* not yet written */
    uint32_t crc;
    uint32_t next_page;     /* the scan's position in this round */
    int64_t start_us;
    /* what the final copy will cost, in host time (not bytes: pages go
     * compressed, the sections raw, and the rounds share the host with
     * the guest): the time the steps spent per page that carried data,
     * and twice the time saving the sections took at the start (save and
     * send) */
    int64_t busy_us;        /* inside machine_migration_poll's steps */
    uint64_t data_pages;    /* pages sent with data (not zero pages) */
    int64_t sections_us;
    z_stream zs;            /* one deflate state for every page (compress2 would
                               set one up and free it per page) */
} MigOut;

static bool tcp_split(const char *spec, char **host, char **port, GError **errp)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || !colon[1]) {
        g_set_error(errp, VMSTATE_ERROR, 0, "tcp:%s: give HOST:PORT", spec);
        return false;
    }
    *host = g_strndup(spec, (gsize)(colon - spec));
    *port = g_strdup(colon + 1);
    if ((*host)[0] == '[') {                 /* [::1]:4444 */
        size_t n = strlen(*host);
        if (n >= 2 && (*host)[n - 1] == ']') {
            memmove(*host, *host + 1, n - 2);
            (*host)[n - 2] = 0;
        }
    }
    return true;
}

static int tcp_open(const char *spec, bool listen_, GError **errp)
{
    g_autofree char *host = NULL, *port = NULL;
    if (!tcp_split(spec, &host, &port, errp))
        return -1;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = listen_ ? AI_PASSIVE : 0 };
    struct addrinfo *res = NULL;
    int r = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (r) {
        g_set_error(errp, VMSTATE_ERROR, 0, "tcp:%s: %s", spec, gai_strerror(r));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        if (listen_)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (listen_ ? bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1)
                    : connect(fd, ai->ai_addr, ai->ai_addrlen)) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        g_set_error(errp, VMSTATE_ERROR, 0, "tcp:%s: %s", spec, g_strerror(err));
    return fd;
}

/* unix:PATH; listening replaces a socket file left at PATH (as QEMU does) */
static int unix_open(const char *path, bool listen_, GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "unix:%s: %s", path,
                    *path ? "the path is too long for a socket" : "give the socket's PATH");
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(errp, VMSTATE_ERROR, 0, "unix:%s: %s", path, g_strerror(errno));
        return -1;
    }
    struct stat st;
    if (listen_ && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    if (listen_ ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)
                : connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        g_set_error(errp, VMSTATE_ERROR, 0, "unix:%s: %s", path, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int sock_open(const char *uri, bool listen_, GError **errp)
{
    if (g_str_has_prefix(uri, "unix:"))
        return unix_open(uri + 5, listen_, errp);
    return tcp_open(uri + 4, listen_, errp);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool mig_flush(Machine *m, MigOut *o)
{
    if (!o->buf->len)
        return true;
    o->crc = (uint32_t)crc32(o->crc, o->buf->data, o->buf->len);
    bool ok = write_all(o->fd, o->buf->data, o->buf->len);
    m->migration.bytes += o->buf->len;
    g_byte_array_set_size(o->buf, 0);
    return ok;
}

static void mig_put_page(Machine *m, MigOut *o, uint32_t i)
{
    const uint8_t *p = m->mem->ram + (size_t)i * PAGE_SIZE;
    bool zero = mem_is_zero(p, PAGE_SIZE);
    vms_put_u8(o->buf, 'P');
    vms_put_u32(o->buf, i);
    m->migration.pages++;
    if (zero) {
        vms_put_u8(o->buf, RAM_ZERO);
        return;
    }
    o->data_pages++;
    uint8_t z[PAGE_SIZE + 128];
    uLongf zl = 0;
    deflateReset(&o->zs);
    o->zs.next_in = (Bytef *)p;
    o->zs.avail_in = PAGE_SIZE;
    o->zs.next_out = z;
    o->zs.avail_out = sizeof(z);
    if (deflate(&o->zs, Z_FINISH) == Z_STREAM_END)
        zl = o->zs.total_out;
    if (zl && zl < PAGE_SIZE) {
        vms_put_u8(o->buf, RAM_ZLIB);
        vms_put_u32(o->buf, (uint32_t)zl);
        g_byte_array_append(o->buf, z, (guint)zl);
    } else {
        vms_put_u8(o->buf, RAM_RAW);
        vms_put_u32(o->buf, PAGE_SIZE);
        g_byte_array_append(o->buf, p, PAGE_SIZE);
    }
}

static uint64_t mig_dirty_bytes(Machine *m)
{
    uint64_t n = 0;
    uint32_t pages = m->mem->ram_size >> PAGE_BITS;
    for (uint32_t i = 0; i < pages; i++)
        n += physmem_dirty_test(m->mem, i, DIRTY_MIGRATION);
    return n * PAGE_SIZE;
}

static void mig_end(Machine *m, MigOut *o, const char *status, const char *error)
{
    physmem_dirty_log_stop(m->mem, DIRTY_MIGRATION);
    deflateEnd(&o->zs);
    close(o->fd);
    g_byte_array_unref(o->buf);
    m->migration.status = status;
    m->migration.total_ms = (g_get_monotonic_time() - o->start_us) / 1000;
    g_free(m->migration.error);
    m->migration.error = g_strdup(error);
    g_free(o);
    m->mig_out = NULL;
}

/* the final copy: the machine is stopped (by us) */
static void mig_complete(Machine *m, MigOut *o)
{
    int64_t t0 = g_get_monotonic_time();
    uint32_t pages = m->mem->ram_size >> PAGE_BITS;
    bool ok = true;
    for (uint32_t i = 0; i < pages && ok; i++) {
        if (physmem_dirty_harvest(m->mem, i, DIRTY_MIGRATION))
            mig_put_page(m, o, i);
        if (o->buf->len >= MIG_FLUSH_AT)
            ok = mig_flush(m, o);
    }
    save_sections(m, o->buf);
    vms_put_u8(o->buf, 'E');
    ok = ok && mig_flush(m, o);
    uint8_t crc[4] = { (uint8_t)o->crc, (uint8_t)(o->crc >> 8), (uint8_t)(o->crc >> 16),
                       (uint8_t)(o->crc >> 24) };
    ok = ok && write_all(o->fd, crc, 4);
    m->migration.bytes += 4;
    m->migration.downtime_ms = (g_get_monotonic_time() - t0) / 1000;
    m->migration.remaining = 0;
    if (!ok) {
        mig_end(m, o, "failed", "the destination went away");
        machine_cont(m);
        return;
    }
    shutdown(o->fd, SHUT_WR);
    char c;
    while (recv(o->fd, &c, 1, 0) > 0)          /* the destination closes when it has it all */
        ;
    mig_end(m, o, "completed", NULL);
}

void machine_migration_poll(Machine *m)
{
    MigOut *o = m->mig_out;
    if (!o)
        return;
    uint32_t pages = m->mem->ram_size >> PAGE_BITS;
    uint64_t sent0 = m->migration.bytes;
    int64_t t0 = g_get_monotonic_time();
    bool harvested = false, ok = true;
    while (o->next_page < pages && ok && m->migration.bytes - sent0 < MIG_STEP_BYTES) {
        if (physmem_dirty_harvest(m->mem, o->next_page, DIRTY_MIGRATION)) {
            mig_put_page(m, o, o->next_page);
            harvested = true;
        }
        o->next_page++;
        if (o->buf->len >= MIG_FLUSH_AT)
            ok = mig_flush(m, o);
    }
    ok = ok && mig_flush(m, o);
    if (harvested)
        tlb_flush_all(&m->cpu.tlb);            /* pages made clean lose their write tags */
    o->busy_us += g_get_monotonic_time() - t0;
    if (!ok) {
        mig_end(m, o, "failed", "the destination went away");
        return;
    }
    if (o->next_page < pages)
        return;
    /* a round ended: stop for the last copy if it fits in the limit */
    m->migration.rounds++;
    uint64_t left = mig_dirty_bytes(m);
    m->migration.remaining = left;
    double us_per_page = (double)o->busy_us / (double)MAX(o->data_pages, 1);
    double est_us = (double)(left / PAGE_SIZE) * us_per_page + (double)o->sections_us;
    if (est_us <= (double)m->migration.downtime_limit_ms * 1000.0 ||
        m->migration.rounds >= MIG_MAX_ROUNDS) {
        machine_stop(m);
        mig_complete(m, o);
        return;
    }
    o->next_page = 0;
}

void machine_migration_cancel(Machine *m)
{
    if (m->mig_out)
        mig_end(m, m->mig_out, "cancelled", NULL);
}

static bool migrate_sock(Machine *m, const char *uri, GError **errp)
{
    if (m->mig_out) {
        g_set_error(errp, VMSTATE_ERROR, 0, "a migration is already running");
        return false;
    }
    int64_t t0 = g_get_monotonic_time();
    int fd = sock_open(uri, false, errp);
    if (fd < 0)
        return false;
    MigOut *o = g_new0(MigOut, 1);
    o->fd = fd;
    o->buf = g_byte_array_new();
    o->start_us = t0;
    if (deflateInit(&o->zs, 1) != Z_OK)
        g_error("savevm: deflateInit failed");
    m->mig_out = o;
    m->migration.bytes = m->migration.pages = m->migration.rounds = 0;
    m->migration.downtime_ms = 0;
    m->migration.ram_bytes = m->mem->ram_size;
    m->migration.remaining = m->mem->ram_size;
    m->migration.status = "active";
    if (m->migration.downtime_limit_ms <= 0)
        m->migration.downtime_limit_ms = 300;
    save_header(m, o->buf);
    physmem_dirty_log_start(m->mem, DIRTY_MIGRATION);
    tlb_flush_all(&m->cpu.tlb);
    if (!m->stopped) {
        /* the sections' part of the final copy: saved once now, timed */
        int64_t s0 = g_get_monotonic_time();
        g_autoptr(GByteArray) scratch = g_byte_array_new();
        save_sections(m, scratch);
        o->sections_us = 2 * (g_get_monotonic_time() - s0);
    }
    m->migration.setup_ms = (g_get_monotonic_time() - t0) / 1000;
    if (m->stopped) {                           /* a stopped machine: everything at once */
        o->next_page = 0;
        mig_complete(m, o);
        if (g_strcmp0(m->migration.status, "completed")) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: %s", uri,
                        m->migration.error ? m->migration.error : "failed");
            return false;
        }
    }
    return true;
}

/* -incoming tcp:HOST:PORT or unix:PATH: the stream of the one source,
 * read through a buffer (MigIn): a page record is five small fields, and
 * a recv for each made the destination fall behind a fast source (whose
 * final copy then waited for it) */
#define MIG_IN_BUF  (256u << 10)

typedef struct MigIn {
    int fd;
    uint32_t crc;
    bool bad;
    uint8_t *buf;           /* MIG_IN_BUF bytes; [pos, len) not consumed yet */
    size_t pos, len;
} MigIn;

static bool read_all(MigIn *in, void *dst, size_t n)
{
    uint8_t *p = dst;
    size_t want = n;
    while (n) {
        if (in->pos < in->len) {
            size_t k = MIN(n, in->len - in->pos);
            memcpy(p, in->buf + in->pos, k);
            in->pos += k;
            p += k;
            n -= k;
            continue;
        }
        /* a large read goes straight to its destination */
        bool direct = n >= MIG_IN_BUF / 2;
        ssize_t r = recv(in->fd, direct ? p : in->buf, direct ? n : MIG_IN_BUF, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            in->bad = true;
            return false;
        }
        if (direct) {
            p += r;
            n -= (size_t)r;
        } else {
            in->pos = 0;
            in->len = (size_t)r;
        }
    }
    in->crc = (uint32_t)crc32(in->crc, dst, (uInt)want);
    return true;
}

static uint32_t rd_u32(MigIn *in)
{
    uint8_t b[4] = { 0 };
    read_all(in, b, 4);
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool incoming_stream(Machine *m, int fd, const char *spec, GError **errp)
{
    g_autofree uint8_t *inbuf = g_malloc(MIG_IN_BUF);
    MigIn in = { fd, 0, false, inbuf, 0, 0 };
    g_autoptr(GByteArray) st = g_byte_array_new();     /* header + sections */
    uint8_t hdr[20];
    bool ok = read_all(&in, hdr, sizeof(hdr));
    if (ok && memcmp(hdr, SAVEVM_MAGIC, 8)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: the peer does not send a tx86 state",
                    spec);
        close(fd);
        return false;
    }
    g_byte_array_append(st, hdr, sizeof(hdr));
    uint64_t ram_size = 0;
    for (int k = 0; k < 8; k++)
        ram_size |= (uint64_t)hdr[12 + k] << (8 * k);
    if (ok && ram_size != m->mem->ram_size) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: the source has %" G_GUINT64_FORMAT
                    " MiB of RAM, this machine %u MiB (-m)", spec, ram_size >> 20,
                    m->mem->ram_size >> 20);
        close(fd);
        return false;
    }
    g_autofree uint8_t *data = g_malloc(PAGE_SIZE + 64);
    GError *err = NULL;
    while (ok) {
        uint8_t tag;
        if (!read_all(&in, &tag, 1))
            break;
        if (tag == 'E') {
            uint32_t want = in.crc;
            uint32_t crc = rd_u32(&in);
            if (in.bad || crc != want) {
                g_set_error(&err, VMSTATE_ERROR, 0, "the stream is damaged (checksum)");
                ok = false;
            }
            break;
        }
        if (tag == 'P') {
            /* a page: re-encoded into a small buffer and loaded at once */
            uint8_t rec[9 + PAGE_SIZE + 64];
            uint32_t page = rd_u32(&in);
            uint8_t kind = 0;
            read_all(&in, &kind, 1);
            size_t n = 0;
            rec[n++] = 'P';
            for (int k = 0; k < 4; k++)
                rec[n++] = (uint8_t)(page >> (8 * k));
            rec[n++] = kind;
            if (kind != RAM_ZERO) {
                uint32_t len = rd_u32(&in);
                if (len > PAGE_SIZE + 64) {
                    g_set_error(&err, VMSTATE_ERROR, 0, "ram: page %#x record of %u bytes",
                                page, len);
                    ok = false;
                    break;
                }
                for (int k = 0; k < 4; k++)
                    rec[n++] = (uint8_t)(len >> (8 * k));
                read_all(&in, rec + n, len);
                n += len;
            }
            if (in.bad)
                break;
            VMSReader r = { rec + 1, rec + n, false };
            ok = load_page(&r, m->mem->ram, m->mem->ram_size, &err);
            continue;
        }
        if (tag != 'S') {
            g_set_error(&err, VMSTATE_ERROR, 0, "unknown record %#x", tag);
            ok = false;
            break;
        }
        uint8_t nlen;
        read_all(&in, &nlen, 1);
        uint8_t name[256];
        read_all(&in, name, nlen);
        uint8_t fixed[12];
        read_all(&in, fixed, 12);
        uint32_t len = fixed[8] | fixed[9] << 8 | fixed[10] << 16 | (uint32_t)fixed[11] << 24;
        if (in.bad)
            break;
        if (len > (64u << 20) + 2 * m->mem->ram_size) {
            g_set_error(&err, VMSTATE_ERROR, 0, "a section of %u bytes", len);
            ok = false;
            break;
        }
        vms_put_u8(st, 'S');
        vms_put_u8(st, nlen);
        g_byte_array_append(st, name, nlen);
        g_byte_array_append(st, fixed, 12);
        guint at = st->len;
        g_byte_array_set_size(st, at + len);
        read_all(&in, st->data + at, len);
    }
    close(fd);
    if (ok && in.bad)
        g_set_error(&err, VMSTATE_ERROR, 0, "the source went away before the end");
    if (!ok || in.bad) {
        g_propagate_prefixed_error(errp, err, "%s: ", spec);
        return false;
    }
    vms_put_u8(st, 'E');
    vms_put_u32(st, (uint32_t)crc32(0, st->data, st->len));
    return machine_load_state(m, st->data, st->len, errp);
}
