/*
 * vmstate.c - the one serializer of saved state (vmstate.h).
 *
 * A section's payload is self-describing, so a stream written by another
 * tx86 version is either loaded or refused with a precise message:
 *
 *   payload := u32 nfields, field*
 *   field   := str name, u8 type, u32 elem_size, u32 count, u32 len, data[len]
 *   data    := INT:    count * elem_size bytes, little-endian
 *              BOOL:   count bytes, 0 or 1
 *              BYTES:  elem_size * count bytes
 *              BUFFER: elem_size bytes (the buffer's size is elem_size)
 *              BLOB:   len bytes (elem_size is 0: any length)
 *              TIMER:  count * (u8 pending, u64 deadline ns)
 *              STRUCT: count * (u32 len, payload[len])
 *   str     := u8 length, bytes (no NUL)
 *
 * Loading matches fields by name; a load is first run with apply=false,
 * which checks everything, so a refused stream leaves the machine as it
 * was (docs/savevm.md).
 */
#include <string.h>
#include "bus/vmstate.h"
#include "bus/clock.h"

G_DEFINE_QUARK(tx86-vmstate-error-quark, vmstate_error)

/* ---- primitives ---- */

void vms_put_u8(GByteArray *o, uint8_t v)
{
    g_byte_array_append(o, &v, 1);
}

void vms_put_u32(GByteArray *o, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    g_byte_array_append(o, b, 4);
}

void vms_put_u64(GByteArray *o, uint64_t v)
{
    vms_put_u32(o, (uint32_t)v);
    vms_put_u32(o, (uint32_t)(v >> 32));
}

void vms_put_str(GByteArray *o, const char *s)
{
    size_t n = strlen(s);
    g_assert(n < 256);
    vms_put_u8(o, (uint8_t)n);
    g_byte_array_append(o, (const guint8 *)s, (guint)n);
}

const uint8_t *vms_get_bytes(VMSReader *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

uint8_t vms_get_u8(VMSReader *r)
{
    const uint8_t *p = vms_get_bytes(r, 1);
    return p ? p[0] : 0;
}

uint32_t vms_get_u32(VMSReader *r)
{
    const uint8_t *p = vms_get_bytes(r, 4);
    return p ? p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

uint64_t vms_get_u64(VMSReader *r)
{
    uint64_t lo = vms_get_u32(r);
    return lo | (uint64_t)vms_get_u32(r) << 32;
}

bool vms_get_str(VMSReader *r, char buf[256])
{
    uint8_t n = vms_get_u8(r);
    const uint8_t *p = vms_get_bytes(r, n);
    if (!p) {
        buf[0] = 0;
        return false;
    }
    memcpy(buf, p, n);
    buf[n] = 0;
    /* names are printable: anything else is a damaged stream */
    for (unsigned i = 0; i < n; i++)
        if (buf[i] < 0x20 || buf[i] > 0x7e) {
            r->bad = true;
            buf[i] = '?';
        }
    return !r->bad;
}

/* ---- integers in host order <-> little-endian ---- */

static uint64_t int_read(const uint8_t *p, uint32_t size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void int_write(uint8_t *p, uint32_t size, uint64_t v)
{
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

static uint32_t buffer_size(const VMStateField *f, const void *opaque)
{
    if (f->elem_size)
        return f->elem_size;
    uint32_t n;
    memcpy(&n, (const uint8_t *)opaque + f->size_off, 4);
    return n;
}

/* ---- saving ---- */

static void save_payload(const VMStateDesc *d, void *opaque, GByteArray *o);

static void save_field(const VMStateField *f, void *opaque, GByteArray *o)
{
    uint8_t *base = (uint8_t *)opaque + f->offset;
    uint32_t esize = f->type == VMS_T_BUFFER || f->type == VMS_T_BLOB ? buffer_size(f, opaque)
                                                                       : f->elem_size;

    vms_put_str(o, f->name);
    vms_put_u8(o, f->type);
    vms_put_u32(o, f->type == VMS_T_TIMER ? 0 : esize);
    vms_put_u32(o, f->count);
    guint len_at = o->len;
    vms_put_u32(o, 0);                      /* patched below */
    guint start = o->len;

    for (uint32_t i = 0; i < f->count; i++) {
        uint8_t *e = base + (size_t)i * f->elem_size;
        switch (f->type) {
        case VMS_T_INT: {
            uint64_t v = int_read(e, esize);
            for (uint32_t k = 0; k < esize; k++)
                vms_put_u8(o, (uint8_t)(v >> (8 * k)));
            break;
        }
        case VMS_T_BOOL:
            vms_put_u8(o, *(bool *)e ? 1 : 0);
            break;
        case VMS_T_BYTES:
            g_byte_array_append(o, e, esize);
            break;
        case VMS_T_BUFFER: {
            uint8_t *buf;
            memcpy(&buf, e, sizeof(buf));
            if (esize)
                g_byte_array_append(o, buf, esize);
            break;
        }
        case VMS_T_BLOB: {
            uint8_t *buf;
            uint32_t n;
            memcpy(&buf, e, sizeof(buf));
            memcpy(&n, (uint8_t *)opaque + f->size_off, 4);
            if (n)
                g_byte_array_append(o, buf, n);
            break;
        }
        case VMS_T_TIMER: {
            Timer *t;
            memcpy(&t, e, sizeof(t));
            vms_put_u8(o, t && t->pending);
            vms_put_u64(o, t && t->pending ? (uint64_t)t->deadline : 0);
            break;
        }
        case VMS_T_STRUCT: {
            guint at = o->len;
            vms_put_u32(o, 0);
            save_payload(f->sub, e, o);
            uint32_t n = o->len - at - 4;
            for (int k = 0; k < 4; k++)
                o->data[at + k] = (uint8_t)(n >> (8 * k));
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
    uint32_t n = o->len - start;
    for (int k = 0; k < 4; k++)
        o->data[len_at + k] = (uint8_t)(n >> (8 * k));
}

static void save_payload(const VMStateDesc *d, void *opaque, GByteArray *o)
{
    uint32_t n = 0;
    for (const VMStateField *f = d->fields; f->name; f++)
        n++;
    vms_put_u32(o, n);
    for (const VMStateField *f = d->fields; f->name; f++)
        save_field(f, opaque, o);
}

void vmstate_save(const VMStateDesc *d, void *opaque, GByteArray *out)
{
    if (d->pre_save)
        d->pre_save(opaque);
    save_payload(d, opaque, out);
}

/* ---- loading ---- */

static const char *type_name(unsigned t)
{
    static const char *const names[] = { "integer", "bool", "bytes", "buffer", "timer",
                                         "struct", "blob" };
    return t < G_N_ELEMENTS(names) ? names[t] : "unknown";
}

static bool load_payload(const VMStateDesc *d, void *opaque, int version, VMSReader *r,
                         bool apply, const char *what, GError **errp);

static bool load_field(const VMStateField *f, void *opaque, int version, VMSReader *r,
                       uint32_t esize, uint32_t count, bool apply, const char *what,
                       GError **errp)
{
    if (f->type == VMS_T_BLOB) {            /* the whole field is the blob */
        size_t n = (size_t)(r->end - r->p);
        const uint8_t *p = vms_get_bytes(r, n);
        if (apply) {
            uint8_t *old;
            memcpy(&old, (uint8_t *)opaque + f->offset, sizeof(old));
            g_free(old);
            uint8_t *buf = n ? g_memdup2(p, n) : NULL;
            uint32_t len = (uint32_t)n;
            memcpy((uint8_t *)opaque + f->offset, &buf, sizeof(buf));
            memcpy((uint8_t *)opaque + f->size_off, &len, 4);
        }
        return true;
    }
    uint8_t *base = (uint8_t *)opaque + f->offset;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = base + (size_t)i * f->elem_size;
        switch (f->type) {
        case VMS_T_INT: {
            const uint8_t *p = vms_get_bytes(r, esize);
            if (p && apply) {
                uint64_t v = 0;
                for (uint32_t k = 0; k < esize; k++)
                    v |= (uint64_t)p[k] << (8 * k);
                int_write(e, esize, v);
            }
            break;
        }
        case VMS_T_BOOL: {
            uint8_t v = vms_get_u8(r);
            if (v > 1) {
                g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' holds %u, not a bool",
                            what, f->name, v);
                return false;
            }
            if (apply)
                *(bool *)e = v;
            break;
        }
        case VMS_T_BYTES: {
            const uint8_t *p = vms_get_bytes(r, esize);
            if (p && apply)
                memcpy(e, p, esize);
            break;
        }
        case VMS_T_BUFFER: {
            uint8_t *buf;
            memcpy(&buf, e, sizeof(buf));
            const uint8_t *p = vms_get_bytes(r, esize);
            if (esize && !buf) {
                g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' has %u bytes in the "
                            "stream but no buffer in this machine", what, f->name, esize);
                return false;
            }
            if (p && apply && esize)
                memcpy(buf, p, esize);
            break;
        }
        case VMS_T_TIMER: {
            Timer *t;
            memcpy(&t, e, sizeof(t));
            uint8_t pending = vms_get_u8(r);
            int64_t deadline = (int64_t)vms_get_u64(r);
            if (pending > 1 || (pending && (!t || deadline < 0))) {
                g_set_error(errp, VMSTATE_ERROR, 0, "%s: timer '%s' cannot be armed "
                            "(pending %u, deadline %" G_GINT64_FORMAT ")", what, f->name,
                            pending, deadline);
                return false;
            }
            if (apply && t) {
                if (pending)
                    timer_mod(t, deadline);
                else
                    timer_del(t);
            }
            break;
        }
        case VMS_T_STRUCT: {
            uint32_t n = vms_get_u32(r);
            const uint8_t *p = vms_get_bytes(r, n);
            if (!p)
                break;
            VMSReader sub = { p, p + n, false };
            char *w = g_strdup_printf("%s.%s[%u]", what, f->name, i);
            bool ok = load_payload(f->sub, e, version, &sub, apply, w, errp);
            g_free(w);
            if (!ok)
                return false;
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
    if (r->bad) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' is cut short", what, f->name);
        return false;
    }
    return true;
}

static bool load_payload(const VMStateDesc *d, void *opaque, int version, VMSReader *r,
                         bool apply, const char *what, GError **errp)
{
    uint32_t nf = vms_get_u32(r);
    uint32_t ndesc = 0;
    for (const VMStateField *f = d->fields; f->name; f++)
        ndesc++;
    g_autofree bool *seen = g_new0(bool, ndesc + 1);

    for (uint32_t i = 0; i < nf && !r->bad; i++) {
        char name[256];
        vms_get_str(r, name);
        uint8_t type = vms_get_u8(r);
        uint32_t esize = vms_get_u32(r), count = vms_get_u32(r), len = vms_get_u32(r);
        const uint8_t *data = vms_get_bytes(r, len);
        if (r->bad)
            break;
        const VMStateField *f = d->fields;
        uint32_t k = 0;
        while (f->name && strcmp(f->name, name)) {
            f++;
            k++;
        }
        if (!f->name) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: the stream has a field '%s' this "
                        "tx86 does not know (saved by a newer version?)", what, name);
            return false;
        }
        if (seen[k]) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' appears twice", what, name);
            return false;
        }
        seen[k] = true;
        uint32_t want = f->type == VMS_T_BUFFER ? buffer_size(f, opaque)
                      : f->type == VMS_T_TIMER ? 0 : f->elem_size;
        if (f->type == VMS_T_BLOB)
            want = esize == len ? esize : ~esize;  /* any length, the one it has */
        if (type != f->type || esize != want || count != f->count) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' is %s %u x %u bytes in the "
                        "stream, this tx86 has %s %u x %u", what, name, type_name(type),
                        count, esize, type_name(f->type), f->count, want);
            return false;
        }
        VMSReader fr = { data, data + len, false };
        if (!load_field(f, opaque, version, &fr, esize, count, apply, what, errp))
            return false;
        if (fr.p != fr.end) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' has %zu bytes too many",
                        what, name, (size_t)(fr.end - fr.p));
            return false;
        }
    }
    if (r->bad) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: the section is cut short", what);
        return false;
    }
    if (r->p != r->end) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: %zu bytes after the last field", what,
                    (size_t)(r->end - r->p));
        return false;
    }
    uint32_t k = 0;
    for (const VMStateField *f = d->fields; f->name; f++, k++)
        if (!seen[k] && f->version <= version) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: the stream (version %d) lacks field "
                        "'%s'", what, version, f->name);
            return false;
        }
    return true;
}

bool vmstate_load(const VMStateDesc *d, void *opaque, int version, const uint8_t *data,
                  size_t len, bool apply, const char *what, GError **errp)
{
    if (version > d->version || version < d->min_version) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: the stream has version %d, this tx86 "
                    "loads versions %d to %d", what, version, d->min_version, d->version);
        return false;
    }
    VMSReader r = { data, data + len, false };
    return load_payload(d, opaque, version, &r, apply, what, errp);
}

/* ---- table checks ---- */

bool vmstate_check_desc(const VMStateDesc *d, size_t owner_size, GError **errp)
{
    if (!d->name || d->min_version < 1 || d->version < d->min_version) {
        g_set_error(errp, VMSTATE_ERROR, 0, "%s: bad versions", d->name ? d->name : "?");
        return false;
    }
    for (const VMStateField *f = d->fields; f->name; f++) {
        size_t end = f->offset + (size_t)f->elem_size * f->count;
        bool ok = end <= owner_size && f->count >= 1 && f->version >= 1 &&
                  f->version <= d->version && strlen(f->name) < 256;
        switch (f->type) {
        case VMS_T_INT:
            ok = ok && (f->elem_size == 1 || f->elem_size == 2 || f->elem_size == 4 ||
                        f->elem_size == 8);
            break;
        case VMS_T_BOOL:
            ok = ok && f->elem_size == sizeof(bool);
            break;
        case VMS_T_BUFFER:          /* elem_size is the pointee's: only the pointer is here */
        case VMS_T_BLOB:
            ok = f->offset + sizeof(void *) <= owner_size && f->count == 1 &&
                 f->version >= 1 && f->version <= d->version && strlen(f->name) < 256 &&
                 (f->type == VMS_T_BLOB ? f->elem_size == 0 && f->size_off + 4 <= owner_size
                                        : f->elem_size || f->size_off + 4 <= owner_size);
            break;
        case VMS_T_TIMER:
            ok = ok && f->elem_size == sizeof(void *);
            break;
        case VMS_T_STRUCT:
            ok = ok && f->sub && vmstate_check_desc(f->sub, f->elem_size, errp);
            if (!ok && errp && *errp)
                return false;
            break;
        case VMS_T_BYTES:
            break;
        default:
            ok = false;
        }
        for (const VMStateField *g = d->fields; g != f; g++)
            if (!strcmp(g->name, f->name))
                ok = false;
        if (!ok) {
            g_set_error(errp, VMSTATE_ERROR, 0, "%s: field '%s' is malformed", d->name,
                        f->name);
            return false;
        }
    }
    return true;
}
