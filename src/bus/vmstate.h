/*
 * vmstate.h - saved state declared as data.
 *
 * Every piece of the machine that has state a snapshot, a migration or a
 * replay must carry (a device, the CPU, the clock, the board's wiring)
 * describes it with one constant table of fields next to its state
 * struct: name, offset, type, element size, count and the section version
 * that added the field.  One generic serializer (vmstate.c) writes and
 * reads every such table; the owner registers its table and its state
 * pointer with the machine (host_register_state, bus/host.h) and writes
 * no save or load code of its own.  docs/savevm.md describes the stream.
 *
 *   static const VMStateField pit_channel_fields[] = {
 *       VMS_U16(PitChannel, count, 1),
 *       VMS_BOOL(PitChannel, gate, 1),
 *       VMS_END
 *   };
 *   static const VMStateDesc pit_channel_vmsd = { "pit-channel", 1, 1, pit_channel_fields };
 *   static const VMStateField pit_fields[] = {
 *       VMS_STRUCT_ARRAY(I8254State, ch, 3, pit_channel_vmsd, 1),
 *       VMS_TIMER(I8254State, timer, 1),
 *       VMS_END
 *   };
 *   const VMStateDesc i8254_vmsd = { .name = "i8254", .version = 1, .min_version = 1,
 *                                    .fields = pit_fields, .post_load = pit_post_load };
 *   ...in i8254_init: host_register_state(s->bus.host, &i8254_vmsd, s);
 *
 * What belongs in a table: everything the guest can observe later that
 * is not rebuilt from other saved fields (registers, latches, FIFOs, line
 * levels as the receiver saw them, timer deadlines).  What does not:
 * pointers to wiring (IrqLine *, Buses, callbacks), host resources (fds,
 * windows), caches that post_load rebuilds (TLB, translated code, derived
 * memory mappings).  post_load runs after every section is loaded; it
 * recomputes derived state of its own object only (it must not drive
 * IRQ lines into other devices: their side was saved too).
 *
 * Versions: a section's version goes up when fields are added; each field
 * carries the version that added it.  A stream of an older version loads
 * when it is >= min_version: fields newer than the stream keep their reset
 * values and post_load gets the stream's version to convert.  Anything
 * else (an unknown section or field, a size that differs, a newer
 * version) is refused with a message naming the section and the field.
 * The fields of a nested struct (VMS_STRUCT) count their versions in the
 * versions of the section they sit in; the nested desc's own version
 * numbers and its pre_save/post_load hooks are not used (the section's
 * own hooks look after nested state).
 */
#ifndef TX86_BUS_VMSTATE_H
#define TX86_BUS_VMSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>

typedef enum VMSType {
    VMS_T_INT,          /* little-endian integer of elem_size 1, 2, 4 or 8 bytes */
    VMS_T_BOOL,         /* C bool: 0 or 1 in the stream */
    VMS_T_BYTES,        /* elem_size bytes as they are in memory (uint8_t arrays) */
    VMS_T_BUFFER,       /* a pointer field to a buffer of elem_size bytes (VRAM, FIFOs
                         * held by pointer); elem_size 0: the size is read from the
                         * uint32_t at offset size_off */
    VMS_T_TIMER,        /* a Timer * field (bus/clock.h): pending and deadline */
    VMS_T_STRUCT,       /* a nested struct described by sub */
    VMS_T_BLOB,         /* a uint8_t * field and its uint32_t length at size_off:
                         * variable length, the loader allocates (g_malloc) */
} VMSType;

typedef struct VMStateDesc VMStateDesc;

typedef struct VMStateField {
    const char *name;
    uint32_t offset;    /* of the first element in the owner's struct */
    uint32_t elem_size; /* bytes of one element (struct size for VMS_T_STRUCT) */
    uint32_t count;     /* elements (1 for a scalar) */
    uint32_t size_off;  /* VMS_T_BUFFER with elem_size 0: offset of its uint32_t size */
    uint8_t type;       /* VMSType */
    uint8_t version;    /* section version that added the field */
    const VMStateDesc *sub;     /* VMS_T_STRUCT */
} VMStateField;

struct VMStateDesc {
    const char *name;           /* section name: the same for every instance */
    int version;                /* what this tx86 writes */
    int min_version;            /* the oldest stream version it loads */
    const VMStateField *fields; /* ends with VMS_END */
    /* before saving: bring the saved fields up to date (may be NULL) */
    void (*pre_save)(void *opaque);
    /* after loading every section: rebuild derived state; false with *errp
     * set refuses the stream (may be NULL) */
    bool (*post_load)(void *opaque, int version, GError **errp);
};

#define VMS_SIZEOF(T, f)  sizeof(((T *)0)->f)
#define VMS_ELEM(T, f)    sizeof(((T *)0)->f[0])
#define VMS_NELEM(T, f)   (VMS_SIZEOF(T, f) / VMS_ELEM(T, f))

/* a scalar integer field of any width (signedness is the owner's business) */
#define VMS_INT(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = VMS_SIZEOF(T, f), .count = 1, \
      .type = VMS_T_INT, .version = (v) }
#define VMS_U8(T, f, v)   VMS_INT(T, f, v)
#define VMS_U16(T, f, v)  VMS_INT(T, f, v)
#define VMS_U32(T, f, v)  VMS_INT(T, f, v)
#define VMS_U64(T, f, v)  VMS_INT(T, f, v)
#define VMS_I32(T, f, v)  VMS_INT(T, f, v)
#define VMS_I64(T, f, v)  VMS_INT(T, f, v)
/* a whole array of integers: T.f[N] */
#define VMS_INT_ARRAY(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = VMS_ELEM(T, f), \
      .count = VMS_NELEM(T, f), .type = VMS_T_INT, .version = (v) }
#define VMS_BOOL(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = sizeof(bool), .count = 1, \
      .type = VMS_T_BOOL, .version = (v) }
#define VMS_BOOL_ARRAY(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = sizeof(bool), \
      .count = VMS_NELEM(T, f), .type = VMS_T_BOOL, .version = (v) }
/* a byte array kept as it is in memory: uint8_t f[N] */
#define VMS_BYTES(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = VMS_SIZEOF(T, f), .count = 1, \
      .type = VMS_T_BYTES, .version = (v) }
/* uint8_t *f pointing at n bytes the owner allocated (fixed size) */
#define VMS_BUFFER(T, f, n, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = (n), .count = 1, \
      .type = VMS_T_BUFFER, .version = (v) }
/* uint8_t *f pointing at T.sz bytes (uint32_t sz, set before the load) */
#define VMS_VBUFFER(T, f, sz, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = 0, .count = 1, \
      .size_off = offsetof(T, sz), .type = VMS_T_BUFFER, .version = (v) }
/* uint8_t *f of T.len bytes (uint32_t len), any length: a load frees the
 * old buffer and allocates the stream's (variable data, e.g. an overlay
 * pre_save packs and post_load unpacks) */
#define VMS_BLOB(T, f, len, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = 0, .count = 1, \
      .size_off = offsetof(T, len), .type = VMS_T_BLOB, .version = (v) }
/* Timer *f (bus/clock.h) */
#define VMS_TIMER(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = sizeof(void *), .count = 1, \
      .type = VMS_T_TIMER, .version = (v) }
#define VMS_TIMER_ARRAY(T, f, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = sizeof(void *), \
      .count = VMS_NELEM(T, f), .type = VMS_T_TIMER, .version = (v) }
/* a nested struct (T.f of a type described by desc) and an array of them */
#define VMS_STRUCT(T, f, desc, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = VMS_SIZEOF(T, f), .count = 1, \
      .type = VMS_T_STRUCT, .version = (v), .sub = &(desc) }
#define VMS_STRUCT_ARRAY(T, f, desc, v) \
    { .name = #f, .offset = offsetof(T, f), .elem_size = VMS_ELEM(T, f), \
      .count = VMS_NELEM(T, f), .type = VMS_T_STRUCT, .version = (v), .sub = &(desc) }
#define VMS_END { .name = NULL }

/* ---- the serializer (vmstate.c) ---- */

/* Append one section's fields of `opaque` to out (no section header: the
 * machine's stream writer adds it).  Runs pre_save first. */
void vmstate_save(const VMStateDesc *d, void *opaque, GByteArray *out);

/* Load one section's fields from data[0..len) written by vmstate_save of
 * stream version `version`.  With apply false only checks it (names,
 * types, sizes, versions, bounds) and writes nothing; a stream that
 * passed the check loads without error.  Errors name `what` (the
 * section, e.g. "i8254" or "serial[1]"). */
bool vmstate_load(const VMStateDesc *d, void *opaque, int version, const uint8_t *data,
                  size_t len, bool apply, const char *what, GError **errp);

/* checks a table once (tests, registration): offsets inside owner_size,
 * sizes legal for the type, unique names, versions <= the section's */
bool vmstate_check_desc(const VMStateDesc *d, size_t owner_size, GError **errp);

/* little-endian stream primitives shared with the machine's writer */
void vms_put_u8(GByteArray *o, uint8_t v);
void vms_put_u32(GByteArray *o, uint32_t v);
void vms_put_u64(GByteArray *o, uint64_t v);
void vms_put_str(GByteArray *o, const char *s);

typedef struct VMSReader {
    const uint8_t *p, *end;
    bool bad;           /* read past the end or a malformed string */
} VMSReader;
uint8_t  vms_get_u8(VMSReader *r);
uint32_t vms_get_u32(VMSReader *r);
uint64_t vms_get_u64(VMSReader *r);
/* a string of at most 255 bytes, copied into buf[256] (NUL-terminated) */
bool     vms_get_str(VMSReader *r, char buf[256]);
const uint8_t *vms_get_bytes(VMSReader *r, size_t n);

#define VMSTATE_ERROR vmstate_error_quark()
GQuark vmstate_error_quark(void);

#endif
