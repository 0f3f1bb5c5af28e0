/*
 * fw_cfg.c - QEMU's firmware configuration device on the PC's I/O ports
 * (see fw_cfg.h for the API).
 * Reference: QEMU docs/specs/fw_cfg.rst (selector 0x510, data 0x511, DMA
 * address 0x514/0x518, "QEMU" signature, ID feature bits, file
 * directory, FWCfgDmaAccess); SeaBIOS src/fw/paravirt.c (the items it
 * reads).
 *
 *   selector (16 bit write)  chooses an item, resets the offset to 0
 *   data (byte read)         next byte of the item, 0 past its end;
 *                            writes are ignored (no writable items)
 *   DMA (0x514 high, 0x518 low, big-endian; writing the low half starts
 *   the transfer; reading gives "QEMU CFG"):  the guest's FWCfgDmaAccess
 *   { be32 control; be32 length; be64 address; } is read from guest
 *   memory, SELECT switches the item, READ copies (zeros past the end),
 *   SKIP advances, WRITE fails (ERROR); control is written back as 0 or
 *   ERROR.  Every guest address and length is checked against 4 GiB;
 *   copies go through physmem_write_buf (non-RAM bytes dropped).
 *   Bounded work: a READ or SKIP does at most FW_CFG_DMA_STEP bytes when
 *   the port write starts it; a longer one goes on from a timer, one step
 *   every FW_CFG_DMA_STEP_NS of virtual time, and the control word keeps
 *   its READ/SKIP bit until the last step ("transfer still in progress"
 *   in the spec; SeaBIOS and Linux poll it).  A 4 GiB request thus costs
 *   4096 short steps instead of stalling the CPU loop, the monitor and
 *   the gdb stub inside one OUT.  A new request aborts one in progress
 *   (ERROR), reset drops it.
 *
 * The PC's items (pc_fw_cfg_setup in machine/pc.c): RAM size, CPU counts, NUMA (none),
 * boot menu, IRQ0 override, "etc/e820", "bootorder", "etc/boot-fail-wait",
 * "etc/sercon-port" (-nographic: SeaBIOS's text on COM1), the ACPI tables
 * ("etc/acpi/rsdp", "etc/acpi/tables", "etc/table-loader": acpi_tables.c).
 */
#include <string.h>
#include "bus/buses.h"
#include "devices/fw_cfg.h"
#include "util/log.h"

typedef struct FWCfgItem {
    uint8_t *data;
    size_t len;
} FWCfgItem;

typedef struct FWCfgFile {
    char name[FW_CFG_MAX_FILE_PATH];
    uint16_t key;
} FWCfgFile;

struct FWCfgState {
    Buses buses;                  /* mem, io, clock, host (bus/buses.h) */
    GHashTable *items;            /* key -> FWCfgItem * */
    FWCfgFile files[FW_CFG_FILE_SLOTS];
    unsigned n_files;
    uint16_t cur_key;
    uint64_t cur_off;         /* uint64_t, not size_t: the same saved width on every host */
    uint8_t dma_addr[8];          /* big-endian, as written to 0x514-0x51B */
    /* the DMA request in progress (READ or SKIP longer than one step) */
    Timer *dma_timer;             /* continues it FW_CFG_DMA_STEP_NS later */
    bool dma_busy;
    uint32_t dma_acc;             /* guest address of its FWCfgDmaAccess */
    uint32_t dma_control;         /* its control word (READ or SKIP) */
    uint32_t dma_left;            /* bytes still to do */
    uint32_t dma_target;          /* next guest address (READ) */
    uint64_t dma_bytes;           /* bytes of READ/SKIP done, all requests */
};

/* saved state (bus/vmstate.h): the selector and offset, the DMA address
 * latch and a DMA request in progress with its timer.  The items and the
 * file directory are rebuilt from the command line, not saved. */
static const VMStateField fw_cfg_fields[] = {
    VMS_U16(FWCfgState, cur_key, 1),
    VMS_INT(FWCfgState, cur_off, 1),
    VMS_BYTES(FWCfgState, dma_addr, 1),
    VMS_TIMER(FWCfgState, dma_timer, 1),
    VMS_BOOL(FWCfgState, dma_busy, 1),
    VMS_U32(FWCfgState, dma_acc, 1),
    VMS_U32(FWCfgState, dma_control, 1),
    VMS_U32(FWCfgState, dma_left, 1),
    VMS_U32(FWCfgState, dma_target, 1),
    VMS_U64(FWCfgState, dma_bytes, 1),
    VMS_END
};
const VMStateDesc fw_cfg_vmsd = { .name = "fw_cfg", .version = 1, .min_version = 1,
                                  .fields = fw_cfg_fields };
const size_t fw_cfg_state_size = sizeof(FWCfgState);

static const uint8_t fw_cfg_dma_sig[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };

static void fw_cfg_item_free(gpointer p)
{
    FWCfgItem *it = p;
    g_free(it->data);
    g_free(it);
}

void fw_cfg_add_bytes_owned(FWCfgState *s, uint16_t key, void *data, size_t len)
{
    FWCfgItem *it = g_new0(FWCfgItem, 1);
    it->data = data;
    it->len = len;
    g_hash_table_replace(s->items, GUINT_TO_POINTER((guint)key), it);
}

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, size_t len)
{
    fw_cfg_add_bytes_owned(s, key, g_memdup2(data, len), len);
}

void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    fw_cfg_add_bytes(s, key, b, 2);
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t v)
{
    uint32_t le = GUINT32_TO_LE(v);
    fw_cfg_add_bytes(s, key, &le, 4);
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t v)
{
    uint64_t le = GUINT64_TO_LE(v);
    fw_cfg_add_bytes(s, key, &le, 8);
}

void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str)
{
    fw_cfg_add_bytes(s, key, str, strlen(str) + 1);
}

const uint8_t *fw_cfg_get(FWCfgState *s, uint16_t key, size_t *len)
{
    FWCfgItem *it = g_hash_table_lookup(s->items, GUINT_TO_POINTER((guint)key));
    if (!it)
        return NULL;
    if (len)
        *len = it->len;
    return it->data;
}

const uint8_t *fw_cfg_get_file(FWCfgState *s, const char *name, size_t *len)
{
    for (unsigned i = 0; i < s->n_files; i++)
        if (!strcmp(s->files[i].name, name))
            return fw_cfg_get(s, s->files[i].key, len);
    return NULL;
}

/* the directory: be32 count, then { be32 size; be16 select; be16 reserved;
 * char name[56]; } per file */
static void fw_cfg_update_dir(FWCfgState *s)
{
    size_t len = 4 + (size_t)s->n_files * 64;
    uint8_t *d = g_malloc0(len);
    uint32_t be = GUINT32_TO_BE(s->n_files);
    memcpy(d, &be, 4);
    for (unsigned i = 0; i < s->n_files; i++) {
        uint8_t *e = d + 4 + i * 64;
        size_t flen = 0;
        fw_cfg_get(s, s->files[i].key, &flen);
        uint32_t sz = GUINT32_TO_BE((uint32_t)flen);
        uint16_t key = GUINT16_TO_BE(s->files[i].key);
        memcpy(e, &sz, 4);
        memcpy(e + 4, &key, 2);
        memcpy(e + 8, s->files[i].name, FW_CFG_MAX_FILE_PATH);
    }
    fw_cfg_add_bytes_owned(s, FW_CFG_FILE_DIR, d, len);
}

uint16_t fw_cfg_add_file_owned(FWCfgState *s, const char *name, void *data, size_t len)
{
    if (strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        g_warning("fw_cfg: file name '%s' too long", name);
        g_free(data);
        return 0;
    }
    uint16_t key = 0;
    for (unsigned i = 0; i < s->n_files; i++)
        if (!strcmp(s->files[i].name, name))
            key = s->files[i].key;
    if (!key) {
        if (s->n_files >= FW_CFG_FILE_SLOTS) {
            g_warning("fw_cfg: too many files, '%s' dropped", name);
            g_free(data);
            return 0;
        }
        /* keep the directory sorted by name, as QEMU does */
        unsigned pos = 0;
        while (pos < s->n_files && strcmp(s->files[pos].name, name) < 0)
            pos++;
        memmove(&s->files[pos + 1], &s->files[pos], (s->n_files - pos) * sizeof(FWCfgFile));
        key = (uint16_t)(FW_CFG_FILE_FIRST + s->n_files);
        memset(&s->files[pos], 0, sizeof(FWCfgFile));
        g_strlcpy(s->files[pos].name, name, FW_CFG_MAX_FILE_PATH);
        s->files[pos].key = key;
        s->n_files++;
    }
    fw_cfg_add_bytes_owned(s, key, data, len);
    fw_cfg_update_dir(s);
    return key;
}

uint16_t fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, size_t len)
{
    return fw_cfg_add_file_owned(s, name, g_memdup2(data, len), len);
}

/* ---- ports ---------------------------------------------------------------- */

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_off = 0;
}

static uint32_t fw_cfg_sel_read(void *opaque, uint16_t port, int size)
{
    return 0;
}

static void fw_cfg_sel_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    fw_cfg_select(opaque, (uint16_t)value);
}

static uint32_t fw_cfg_data_read(void *opaque, uint16_t port, int size)
{
    FWCfgState *s = opaque;
    size_t len = 0;
    const uint8_t *d = fw_cfg_get(s, s->cur_key, &len);
    if (!d || s->cur_off >= len)
        return 0;
    return d[s->cur_off++];
}

/* write the final control word (0 or ERROR) of the access at s->dma_acc */
static void fw_cfg_dma_finish(FWCfgState *s, bool error)
{
    uint32_t result = GUINT32_TO_BE(error ? FW_CFG_DMA_CTL_ERROR : 0);
    s->dma_busy = false;
    s->dma_left = 0;
    timer_del(s->dma_timer);
    physmem_write_buf(s->buses.mem, s->dma_acc, &result, 4);
}

/*
 * One step of a READ or SKIP: at most FW_CFG_DMA_STEP bytes of the
 * request (item bytes copied, zeros past the item's end, or bytes skipped).
 * The rest continues from the timer, FW_CFG_DMA_STEP_NS later.
 */
static void fw_cfg_dma_step(FWCfgState *s)
{
    static const uint8_t zeros[PAGE_SIZE];
    PhysMem *pm = s->buses.mem;
    bool read = s->dma_control & FW_CFG_DMA_CTL_READ;
    size_t len = 0;
    const uint8_t *d = fw_cfg_get(s, s->cur_key, &len);
    uint32_t budget = MIN(s->dma_left, (uint32_t)FW_CFG_DMA_STEP);

    s->dma_left -= budget;
    s->dma_bytes += budget;
    while (budget > 0) {
        uint32_t chunk;
        const uint8_t *src;
        if (d && s->cur_off < len) {
            chunk = (uint32_t)MIN((size_t)budget, len - s->cur_off);
            src = d + s->cur_off;
        } else if (!read) {                       /* skipping past the end */
            s->cur_off += budget;
            break;
        } else {
            chunk = MIN(budget, PAGE_SIZE - (s->dma_target & ~PAGE_MASK));
            src = zeros;
        }
        if (read)
            physmem_write_buf(pm, s->dma_target, src, chunk);
        s->cur_off += chunk;
        s->dma_target += chunk;
        budget -= chunk;
    }
    if (s->dma_left == 0)
        fw_cfg_dma_finish(s, false);
    else
        timer_mod(s->dma_timer, clock_now(s->buses.clock) + FW_CFG_DMA_STEP_NS);
}

static void fw_cfg_dma_timer_cb(void *opaque)
{
    FWCfgState *s = opaque;
    if (s->dma_busy)
        fw_cfg_dma_step(s);
}

static void fw_cfg_dma(FWCfgState *s, uint64_t addr)
{
    PhysMem *pm = s->buses.mem;
    uint8_t acc[16];
    if (s->dma_busy)
        fw_cfg_dma_finish(s, true);               /* a new request aborts the old */
    if (addr > 0xffffffffu - sizeof(acc) || !physmem_read_buf(pm, (uint32_t)addr, acc, 16))
        return;                                   /* nowhere to report: drop */
    uint32_t control, length;
    uint64_t target;
    memcpy(&control, acc, 4);
    memcpy(&length, acc + 4, 4);
    memcpy(&target, acc + 8, 8);
    control = GUINT32_FROM_BE(control);
    length = GUINT32_FROM_BE(length);
    target = GUINT64_FROM_BE(target);

    s->dma_acc = (uint32_t)addr;
    if (control & FW_CFG_DMA_CTL_SELECT)
        fw_cfg_select(s, (uint16_t)(control >> 16));
    if (control & FW_CFG_DMA_CTL_WRITE) {
        fw_cfg_dma_finish(s, true);               /* no writable items */
    } else if (control & (FW_CFG_DMA_CTL_READ | FW_CFG_DMA_CTL_SKIP)) {
        bool read = control & FW_CFG_DMA_CTL_READ;
        if (read && (target > 0xffffffffu || length > 0xffffffffu - target + 1)) {
            fw_cfg_dma_finish(s, true);
            return;
        }
        s->dma_busy = true;
        s->dma_control = control;
        s->dma_left = length;
        s->dma_target = (uint32_t)target;
        fw_cfg_dma_step(s);
    } else {
        fw_cfg_dma_finish(s, false);
    }
}

static uint32_t fw_cfg_dma_read(void *opaque, uint16_t port, int size)
{
    unsigned off = port - FW_CFG_PORT_DMA;
    uint32_t v = 0;
    for (int i = 0; i < size && off + i < 8; i++)
        v |= (uint32_t)fw_cfg_dma_sig[off + i] << (8 * i);
    return v;
}

static void fw_cfg_dma_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    FWCfgState *s = opaque;
    unsigned off = port - FW_CFG_PORT_DMA;
    /* the port bytes are the address's big-endian bytes */
    for (int i = 0; i < size && off + i < 8; i++)
        s->dma_addr[off + i] = (uint8_t)(value >> (8 * i));
    if (off + (unsigned)size == 8) {              /* low half complete: go */
        uint64_t a;
        memcpy(&a, s->dma_addr, 8);
        memset(s->dma_addr, 0, 8);
        fw_cfg_dma(s, GUINT64_FROM_BE(a));
    }
}

static const IOPortOps fw_cfg_sel_ops = {
    .read = fw_cfg_sel_read, .write = fw_cfg_sel_write, .sizes = IO_SIZE_16,
};
static const IOPortOps fw_cfg_data_ops = {
    .read = fw_cfg_data_read, .sizes = IO_SIZE_8,
};
static const IOPortOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read, .write = fw_cfg_dma_write,
    .sizes = IO_SIZE_8 | IO_SIZE_16 | IO_SIZE_32,
};

/* ---- life cycle ------------------------------------------------------------ */

void fw_cfg_reset(FWCfgState *s)
{
    fw_cfg_select(s, 0);
    memset(s->dma_addr, 0, sizeof(s->dma_addr));
    s->dma_busy = false;                          /* a request in flight is dropped */
    s->dma_left = 0;
    timer_del(s->dma_timer);
}

bool fw_cfg_dma_busy(const FWCfgState *s)
{
    return s->dma_busy;
}

uint64_t fw_cfg_dma_bytes(const FWCfgState *s)
{
    return s->dma_bytes;
}

void fw_cfg_free(FWCfgState *s)
{
    if (!s)
        return;
    timer_free(s->dma_timer);
    g_hash_table_destroy(s->items);
    g_free(s);
}

FWCfgState *fw_cfg_init(const Buses *b, GError **errp)
{
    FWCfgState *s = g_new0(FWCfgState, 1);
    s->buses = *b;
    s->items = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, fw_cfg_item_free);
    s->dma_timer = timer_new(b->clock, fw_cfg_dma_timer_cb, s);
    if (!ioport_register(b->io, FW_CFG_PORT_SEL, 1, &fw_cfg_sel_ops, s, "fw_cfg-sel") ||
        !ioport_register(b->io, FW_CFG_PORT_DATA, 1, &fw_cfg_data_ops, s, "fw_cfg-data") ||
        !ioport_register(b->io, FW_CFG_PORT_DMA, 8, &fw_cfg_dma_ops, s, "fw_cfg-dma")) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "fw_cfg: ports 0x510-0x51b are taken");
        fw_cfg_free(s);
        return NULL;
    }
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, 0x3);            /* traditional + DMA */
    fw_cfg_update_dir(s);
    host_register_state(b->host, &fw_cfg_vmsd, s);
    return s;
}

/* ---- boot order ---------------------------------------------------------------- */

bool fw_cfg_set_boot_order(FWCfgState *s, const char *letters, const char *hd_path,
                           const char *cd_path, const char *net_paths, GError **errp)
{
    GString *bo = g_string_new(NULL);
    for (const char *p = letters; *p; p++) {
        switch (*p) {
        case 'a':
            g_string_append(bo, "/isa/fdc@03f0/floppy@0\n");
            break;
        case 'b':
            g_string_append(bo, "/isa/fdc@03f0/floppy@1\n");
            break;
        case 'c':
            g_string_append_printf(bo, "%s\n",
                                   hd_path ? hd_path : "/pci@i0cf8/ide@1,1/drive@0/disk@0");
            break;
        case 'd':
            g_string_append_printf(bo, "%s\n",
                                   cd_path ? cd_path : "/pci@i0cf8/ide@1,1/drive@1/disk@0");
            break;
        case 'n': case 'o': case 'p':
            if (net_paths && p == strpbrk(letters, "nop"))
                g_string_append(bo, net_paths);     /* every NIC, at the first one */
            break;
        default:
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "-boot order=%s: '%c' is not a boot device (a, b, c, d, n, o, p)",
                        letters, *p);
            g_string_free(bo, TRUE);
            return false;
        }
    }
    if (bo->len == 0) {
        g_string_free(bo, TRUE);
        return true;
    }
    /* SeaBIOS splits on newlines; the file ends with a NUL like QEMU's */
    size_t len = bo->len + 1;
    fw_cfg_add_file_owned(s, "bootorder", g_string_free(bo, FALSE), len);
    return true;
}

