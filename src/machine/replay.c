/*
 * replay.c - record and replay of a machine's host input (replay.h,
 * docs/replay.md).
 *
 * The log (rrfile=), little-endian:
 *
 *   header  := magic "TX86RPL\n", u32 format (1), u32 icount shift,
 *              u64 RAM bytes, u64 start time (host us since 1970),
 *              u8 disks, per disk: u8 slot, u64 size, u64 mtime (s)
 *   record  := 'N' u8 source, str name          a source's first input
 *            | 'D' u64 icount, u64 vtime, u8 source, u32 len, data[len]
 *            | 'I' u64 icount, u8 vector, u8 kind    an interrupt taken
 *            | 'X' u64 icount, u64 vtime, u32 status  the run ended
 *
 * (str = u8 length and that many bytes, as in the state stream.)  vtime
 * is the virtual clock in ns: while the CPU halts, time moves at one
 * count, so the count alone does not place an input.  A log without 'X'
 * (the recorder was killed) replays up to its last record, then runs on
 * with no input.
 *
 * Checkpoints (replay with a debugger): RAM as 4 KiB pages shared with
 * the previous checkpoint while unchanged (dirty logging, bus/memory.h,
 * as its second client beside migration: pages not written are shared
 * at once, written ones when equal byte for byte), and the state stream
 * without RAM (savevm.c: machine_save_devices) cut into 4 KiB pieces
 * shared the same way (VRAM changes little).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "machine/machine.h"
#include "machine/replay.h"
#include "machine/savevm.h"
#include "bus/vmstate.h"
#include "cpu-x86/cpu.h"
#include "mmu/mmu.h"

#define REPLAY_MAGIC     "TX86RPL\n"
#define REPLAY_FORMAT    1
#define REPLAY_MAX_SRC   64
#define REPLAY_CK_DEFAULT (20u * 1000 * 1000)   /* instructions between checkpoints */
#define REPLAY_MAX_INPUT (1u << 20)             /* bytes of one input (a frame, a paste) */

typedef struct ReplaySource {
    char *name;
    ReplayDeliverFn fn;
    void *opaque;
    bool named;             /* record: its 'N' is in the log */
} ReplaySource;

typedef struct ReplayPending {   /* record: input waiting for a turn */
    int id;
    GBytes *data;
} ReplayPending;

typedef struct CkPage {
    unsigned ref;
    uint8_t data[PAGE_SIZE];
} CkPage;

typedef struct Checkpoint {
    uint64_t icount;
    CkPage **pages;         /* RAM; NULL: a zero page */
    CkPage **chunks;        /* machine_save_devices' stream in 4 KiB pieces */
    uint32_t nchunks;
    size_t state_len;
    guint ev_pos, irq_pos;
} Checkpoint;

struct ReplayState {
    Machine *m;
    ReplayMode mode;
    ReplaySource src[REPLAY_MAX_SRC];
    int nsrc;
    int64_t start_us;
    bool noted_drop;
    /* record */
    FILE *out;
    GByteArray *buf;        /* records not written yet */
    GArray *pending;        /* ReplayPending */
    /* replay */
    uint8_t *data;          /* the log file */
    ReplayLog log;
    int map[REPLAY_MAX_SRC];    /* the log's source -> ours (-1: not found yet) */
    guint ev_pos, irq_pos;
    bool over;              /* ended or went another way */
    bool seeking;           /* machine_run_until: the guest's output is muted */
    bool checkpoints;       /* replay with -gdb or rrcheckpoint=: take them */
    /* checkpoints */
    GPtrArray *cks;         /* Checkpoint, by count */
    uint64_t interval;
    uint64_t ck_bytes;
    bool all_dirty;         /* RAM was restored: the next checkpoint compares it all */
    GByteArray *scratch;    /* the devices' stream of the checkpoint being taken */
};

static const CPUHooks replay_cpu_hooks;

ReplayMode replay_mode(const Machine *m)
{
    return m->rr ? m->rr->mode : REPLAY_OFF;
}

/* ------------------------------------------------------------ the log */

void replay_log_clear(ReplayLog *l)
{
    if (l->events)
        g_array_free(l->events, TRUE);
    if (l->irqs)
        g_array_free(l->irqs, TRUE);
    for (int i = 0; i < REPLAY_MAX_SRC; i++)
        g_clear_pointer(&l->names[i], g_free);
    memset(l, 0, sizeof(*l));
}

bool replay_log_parse(ReplayLog *l, const uint8_t *data, size_t len, GError **errp)
{
    memset(l, 0, sizeof(*l));
    l->events = g_array_new(FALSE, FALSE, sizeof(ReplayEvent));
    l->irqs = g_array_new(FALSE, FALSE, sizeof(ReplayIrq));
    if (len < 8 + 4 + 4 + 8 + 8 + 1 || memcmp(data, REPLAY_MAGIC, 8)) {
        g_set_error(errp, VMSTATE_ERROR, 0, "not a tx86 replay log");
        return false;
    }
    VMSReader r = { data + 8, data + len, false };
    uint32_t format = vms_get_u32(&r);
    if (format != REPLAY_FORMAT) {
        g_set_error(errp, VMSTATE_ERROR, 0, "replay log format %u, this tx86 reads format %u",
                    format, REPLAY_FORMAT);
        return false;
    }
    l->shift = vms_get_u32(&r);
    l->ram_size = vms_get_u64(&r);
    l->start_us = (int64_t)vms_get_u64(&r);
    l->ndisks = vms_get_u8(&r);
    if (l->ndisks > REPLAY_MAX_DISKS) {
        g_set_error(errp, VMSTATE_ERROR, 0, "replay log: %u disks", l->ndisks);
        return false;
    }
    for (unsigned i = 0; i < l->ndisks; i++) {
        l->disks[i].slot = vms_get_u8(&r);
        l->disks[i].size = vms_get_u64(&r);
        l->disks[i].mtime = (int64_t)vms_get_u64(&r);
    }
    uint64_t last = 0;          /* counts never go back */
    while (!r.bad && r.p < r.end) {
        uint8_t tag = vms_get_u8(&r);
        const char *bad = NULL;
        size_t at = (size_t)(r.p - 1 - data);
        if (tag == 'N') {
            uint8_t idx = vms_get_u8(&r);
            char name[256];
            if (!vms_get_str(&r, name) || idx >= REPLAY_MAX_SRC || l->names[idx])
                bad = "a bad source name";
            else
                l->names[idx] = g_strdup(name);
        } else if (tag == 'D') {
            ReplayEvent e;
            e.icount = vms_get_u64(&r);
            e.vtime = (int64_t)vms_get_u64(&r);
            e.src = vms_get_u8(&r);
            e.len = vms_get_u32(&r);
            const uint8_t *p = e.len <= REPLAY_MAX_INPUT ? vms_get_bytes(&r, e.len) : NULL;
            if (!p)
                bad = "an input cut short or too long";
            else if (e.src >= REPLAY_MAX_SRC || !l->names[e.src])
                bad = "input of an unnamed source";
            else if (e.icount < last)
                bad = "a count going back";
            else {
                e.off = (size_t)(p - data);
                last = e.icount;
                g_array_append_val(l->events, e);
            }
        } else if (tag == 'I') {
            ReplayIrq q;
            q.icount = vms_get_u64(&r);
            q.vector = vms_get_u8(&r);
            q.kind = vms_get_u8(&r);
            if (q.icount < last)
                bad = "a count going back";
            else {
                last = q.icount;
                g_array_append_val(l->irqs, q);
            }
        } else if (tag == 'X') {
            l->end_icount = vms_get_u64(&r);
            l->end_vtime = (int64_t)vms_get_u64(&r);
            l->end_status = (int)vms_get_u32(&r);
            if (l->end_icount < last)
                bad = "a count going back";
            else if (!r.bad && r.p != r.end)
                bad = "records after the end";
            l->has_end = true;
        } else {
            bad = "an unknown record";
        }
        if (!bad && r.bad)
            bad = "a record cut short";
        if (bad) {
            if (r.bad && !l->has_end && (tag == 'D' || tag == 'I' || tag == 'N')) {
                /* the recorder was killed mid-record: keep what came before */
                l->truncated = true;
                break;
            }
            g_set_error(errp, VMSTATE_ERROR, 0, "replay log: %s at offset %zu", bad, at);
            return false;
        }
    }
    if (!l->has_end)
        l->truncated = true;
    return true;
}

/* record: write what is buffered */
static void replay_write(ReplayState *r)
{
    if (r->buf->len) {
        if (fwrite(r->buf->data, 1, r->buf->len, r->out) != r->buf->len)
            g_printerr("tx86: replay: cannot write the log: %s\n", g_strerror(errno));
        g_byte_array_set_size(r->buf, 0);
    }
}

/* ------------------------------------------------------------ set-up */

/* the disks whose images must not change between record and replay:
 * (slot, size, mtime); slots 0-3 IDE, 4-5 floppy */
static unsigned replay_disks(Machine *m, ReplayDisk *d)
{
    unsigned n = 0;
    for (int i = 0; i < 6; i++) {
        const char *f = i < 4 ? m->cfg.ide_file[i] : m->cfg.fd_file[i - 4];
        struct stat st;
        if (!f || stat(f, &st) != 0)
            continue;
        d[n].slot = (uint8_t)i;
        d[n].size = (uint64_t)st.st_size;
        d[n].mtime = (int64_t)st.st_mtime;
        n++;
    }
    return n;
}

static bool replay_open_record(ReplayState *r, GError **errp)
{
    Machine *m = r->m;
    r->out = fopen(m->cfg.rr_file, "wb");
    if (!r->out) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "rrfile '%s': %s", m->cfg.rr_file, g_strerror(errno));
        return false;
    }
    setvbuf(r->out, NULL, _IOFBF, 1 << 16);
    r->buf = g_byte_array_new();
    r->pending = g_array_new(FALSE, FALSE, sizeof(ReplayPending));
    r->start_us = g_get_real_time();
    ReplayDisk disks[REPLAY_MAX_DISKS];
    unsigned nd = replay_disks(m, disks);
    g_byte_array_append(r->buf, (const guint8 *)REPLAY_MAGIC, 8);
    vms_put_u32(r->buf, REPLAY_FORMAT);
    vms_put_u32(r->buf, (uint32_t)m->cfg.icount_shift);
    vms_put_u64(r->buf, m->cfg.ram_size);
    vms_put_u64(r->buf, (uint64_t)r->start_us);
    vms_put_u8(r->buf, (uint8_t)nd);
    for (unsigned i = 0; i < nd; i++) {
        vms_put_u8(r->buf, disks[i].slot);
        vms_put_u64(r->buf, disks[i].size);
        vms_put_u64(r->buf, (uint64_t)disks[i].mtime);
    }
    replay_write(r);
    fflush(r->out);
    return true;
}

static bool replay_open_play(ReplayState *r, GError **errp)
{
    Machine *m = r->m;
    gchar *data;
    gsize len;
    if (!g_file_get_contents(m->cfg.rr_file, &data, &len, errp)) {
        g_prefix_error(errp, "rrfile: ");
        return false;
    }
    r->data = (uint8_t *)data;
    GError *err = NULL;
    ReplayLog *l = &r->log;
    if (!replay_log_parse(l, r->data, len, &err)) {
        g_propagate_prefixed_error(errp, err, "rrfile '%s': ", m->cfg.rr_file);
        return false;
    }
    if (l->shift != (uint32_t)m->cfg.icount_shift || l->ram_size != m->cfg.ram_size) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "rrfile '%s' was recorded with -icount shift=%u and -m %" PRIu64
                    "M, not shift=%d and -m %" PRIu64 "M: replay with the recording's "
                    "command line", m->cfg.rr_file, l->shift, l->ram_size >> 20,
                    m->cfg.icount_shift, m->cfg.ram_size >> 20);
        return false;
    }
    ReplayDisk disks[REPLAY_MAX_DISKS];
    unsigned nd = replay_disks(m, disks);
    bool same = nd == l->ndisks;
    for (unsigned i = 0; same && i < nd; i++)
        same = disks[i].slot == l->disks[i].slot && disks[i].size == l->disks[i].size &&
               disks[i].mtime == l->disks[i].mtime;
    if (!same) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "rrfile '%s': the disk images are not the ones recorded with (their "
                    "number, size or modification time differ)", m->cfg.rr_file);
        return false;
    }
    r->start_us = l->start_us;
    for (int i = 0; i < REPLAY_MAX_SRC; i++)
        r->map[i] = -1;
    if (l->truncated)
        g_printerr("tx86: replay: '%s' has no end record (the recording was cut short): "
                   "the replay runs on without input after its last record\n",
                   m->cfg.rr_file);
    return true;
}

bool replay_init(Machine *m, GError **errp)
{
    if (!m->cfg.rr_mode)
        return true;
    if (!m->cfg.icount) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "record and replay need -icount shift=N");
        return false;
    }
    if (m->cfg.incoming || m->cfg.loadvm) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "record and replay start at power-on: not with %s",
                    m->cfg.incoming ? "-incoming" : "-loadvm");
        return false;
    }
    ReplayState *r = g_new0(ReplayState, 1);
    r->m = m;
    r->mode = (ReplayMode)m->cfg.rr_mode;
    r->cks = g_ptr_array_new();
    r->scratch = g_byte_array_new();
    r->interval = m->cfg.rr_checkpoint ? m->cfg.rr_checkpoint : REPLAY_CK_DEFAULT;
    r->checkpoints = r->mode == REPLAY_PLAY && (m->cfg.gdb_dev || m->cfg.rr_checkpoint);
    m->rr = r;
    bool ok = r->mode == REPLAY_RECORD ? replay_open_record(r, errp)
                                       : replay_open_play(r, errp);
    if (!ok) {
        replay_free(m);
        return false;
    }
    cpu_add_hooks(&m->cpu, &replay_cpu_hooks, r);
    return true;
}


static void replay_free_checkpoints(ReplayState *r, uint32_t npages)
{
    for (guint k = 0; k < r->cks->len; k++) {
        Checkpoint *c = g_ptr_array_index(r->cks, k);
        for (uint32_t i = 0; i < npages; i++)
            if (c->pages[i] && --c->pages[i]->ref == 0)
                g_free(c->pages[i]);
        for (uint32_t j = 0; j < c->nchunks; j++)
            if (c->chunks[j] && --c->chunks[j]->ref == 0)
                g_free(c->chunks[j]);
        g_free(c->pages);
        g_free(c->chunks);
        g_free(c);
    }
    g_ptr_array_set_size(r->cks, 0);
}

void replay_free(Machine *m)
{
    ReplayState *r = m->rr;
    if (!r)
        return;
    cpu_remove_hooks(&m->cpu, &replay_cpu_hooks, r);
    if (r->mode == REPLAY_RECORD && r->out) {
        replay_flush_input(m);
        vms_put_u8(r->buf, 'X');
        vms_put_u64(r->buf, m->cpu.icount);
        vms_put_u64(r->buf, (uint64_t)clock_now(&m->clock));
        vms_put_u32(r->buf, (uint32_t)m->exit_status);
        replay_write(r);
        if (fclose(r->out) != 0)
            g_printerr("tx86: replay: cannot write '%s': %s\n", m->cfg.rr_file,
                       g_strerror(errno));
    }
    if (r->buf)
        g_byte_array_free(r->buf, TRUE);
    if (r->pending) {
        for (guint i = 0; i < r->pending->len; i++)
            g_bytes_unref(g_array_index(r->pending, ReplayPending, i).data);
        g_array_free(r->pending, TRUE);
    }
    replay_free_checkpoints(r, m->mem->ram_size >> PAGE_BITS);
    if (m->mem->dirty_clients & DIRTY_REPLAY)
        physmem_dirty_log_stop(m->mem, DIRTY_REPLAY);
    g_ptr_array_free(r->cks, TRUE);
    g_byte_array_free(r->scratch, TRUE);
    g_free(r->data);
    replay_log_clear(&r->log);
    for (int i = 0; i < r->nsrc; i++)
        g_free(r->src[i].name);
    g_free(r);
    m->rr = NULL;
}

/* ------------------------------------------------------------ input */

int replay_source(Machine *m, const char *name, ReplayDeliverFn fn, void *opaque)
{
    ReplayState *r = m->rr;
    if (!r)
        return -1;
    for (int i = 0; i < r->nsrc; i++)
        if (r->src[i].fn == fn && r->src[i].opaque == opaque)
            return i;                   /* registered already */
    if (r->nsrc == REPLAY_MAX_SRC) {
        g_printerr("tx86: replay: more than %d input sources; '%s' is not recorded\n",
                   REPLAY_MAX_SRC, name);
        return -1;
    }
    int dup = 1;
    for (int i = 0; i < r->nsrc; i++)
        if (g_str_has_prefix(r->src[i].name, name) &&
            (r->src[i].name[strlen(name)] == 0 || r->src[i].name[strlen(name)] == '#'))
            dup++;
    ReplaySource *s = &r->src[r->nsrc];
    s->name = dup > 1 ? g_strdup_printf("%.240s#%d", name, dup) : g_strndup(name, 250);
    s->fn = fn;
    s->opaque = opaque;
    return r->nsrc++;
}

static void replay_log_input(ReplayState *r, int id, const uint8_t *buf, size_t len)
{
    Machine *m = r->m;
    ReplaySource *s = &r->src[id];
    if (!s->named) {
        vms_put_u8(r->buf, 'N');
        vms_put_u8(r->buf, (uint8_t)id);
        vms_put_str(r->buf, s->name);
        s->named = true;
    }
    vms_put_u8(r->buf, 'D');
    vms_put_u64(r->buf, m->cpu.icount);
    vms_put_u64(r->buf, (uint64_t)clock_now(&m->clock));
    vms_put_u8(r->buf, (uint8_t)id);
    vms_put_u32(r->buf, (uint32_t)len);
    g_byte_array_append(r->buf, buf, (guint)len);
}

void replay_input(Machine *m, int id, const uint8_t *buf, size_t len)
{
    ReplayState *r = m->rr;
    if (!r || id < 0 || id >= r->nsrc)
        return;
    if (r->mode == REPLAY_PLAY) {
        if (!r->noted_drop) {
            g_printerr("tx86: replay: host input to %s is ignored (the recording's "
                       "input is replayed)\n", r->src[id].name);
            r->noted_drop = true;
        }
        return;
    }
    while (len > REPLAY_MAX_INPUT) {    /* a huge paste: in pieces */
        replay_input(m, id, buf, REPLAY_MAX_INPUT);
        buf += REPLAY_MAX_INPUT;
        len -= REPLAY_MAX_INPUT;
    }
    ReplayPending p = { id, g_bytes_new(buf, len) };
    g_array_append_val(r->pending, p);
    m->cpu.exit_request = 1;            /* delivered between instructions, soon */
}

void replay_flush_input(Machine *m)
{
    ReplayState *r = m->rr;
    if (!r || r->mode != REPLAY_RECORD)
        return;
    /* a delivery may add input (a reset answered at once): take turns */
    for (guint i = 0; i < r->pending->len; i++) {
        ReplayPending p = g_array_index(r->pending, ReplayPending, i);
        gsize n;
        const uint8_t *d = g_bytes_get_data(p.data, &n);
        replay_log_input(r, p.id, d, n);
        r->src[p.id].fn(r->src[p.id].opaque, d, n);
        g_bytes_unref(p.data);
    }
    g_array_set_size(r->pending, 0);
    replay_write(r);
}

int64_t replay_realtime_us(Machine *m)
{
    if (!m->rr)
        return g_get_real_time();
    return m->rr->start_us + clock_now(&m->clock) / 1000;
}

/* ------------------------------------------------------------ replay */

static void replay_diverged(ReplayState *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void replay_diverged(ReplayState *r, const char *fmt, ...)
{
    Machine *m = r->m;
    if (r->over)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    g_printerr("tx86: replay: the run went another way than the recording at instruction "
               "%" PRIu64 ": %s\n", m->cpu.icount, msg);
    r->over = true;
    machine_request_shutdown_reason(m, 1, "replay-diverged");
}

/* the local source of the log's source idx */
static int replay_map(ReplayState *r, unsigned idx)
{
    if (r->map[idx] >= 0)
        return r->map[idx];
    for (int i = 0; i < r->nsrc; i++)
        if (!strcmp(r->src[i].name, r->log.names[idx]))
            return r->map[idx] = i;
    return -1;
}

static void ck_take(ReplayState *r);

bool replay_turn(Machine *m)
{
    ReplayState *r = m->rr;
    if (r->mode == REPLAY_RECORD) {
        replay_flush_input(m);
        return true;
    }
    if (r->over)
        return false;
    uint64_t now = m->cpu.icount;
    int64_t vnow = clock_now(&m->clock);
    if (r->checkpoints && !r->seeking) {          /* for reverse execution */
        Checkpoint *last = r->cks->len ? g_ptr_array_index(r->cks, r->cks->len - 1) : NULL;
        if (!last || now >= last->icount + r->interval)
            ck_take(r);
    }
    GArray *ev = r->log.events;
    while (r->ev_pos < ev->len) {
        const ReplayEvent *e = &g_array_index(ev, ReplayEvent, r->ev_pos);
        if (e->icount > now || (e->icount == now && e->vtime > vnow))
            break;
        if (e->icount < now || e->vtime < vnow) {
            replay_diverged(r, "the recording has input at instruction %" PRIu64
                            " (virtual time %" PRId64 " ns), which this run passed",
                            e->icount, e->vtime);
            return false;
        }
        int id = replay_map(r, e->src);
        if (id < 0) {
            replay_diverged(r, "the recording has input for '%s', which this machine "
                            "has not (replay with the recording's command line)",
                            r->log.names[e->src]);
            return false;
        }
        r->ev_pos++;
        r->src[id].fn(r->src[id].opaque, r->data + e->off, e->len);
    }
    if (r->log.has_end && now >= r->log.end_icount && r->ev_pos == ev->len &&
        vnow >= r->log.end_vtime) {
        if (!m->gdb) {
            m->exit_status = r->log.end_status;
            r->over = true;
        }
        return false;
    }
    return true;
}

uint64_t replay_budget(Machine *m)
{
    ReplayState *r = m->rr;
    if (!r || r->mode != REPLAY_PLAY || r->over)
        return UINT64_MAX;
    uint64_t now = m->cpu.icount, to = UINT64_MAX;
    if (r->ev_pos < r->log.events->len)
        to = g_array_index(r->log.events, ReplayEvent, r->ev_pos).icount;
    else if (r->log.has_end)
        to = r->log.end_icount;
    if (r->cks->len && r->checkpoints) {
        Checkpoint *last = g_ptr_array_index(r->cks, r->cks->len - 1);
        to = MIN(to, last->icount + r->interval);
    }
    return to > now ? to - now : 0;
}

int64_t replay_next_vtime(Machine *m)
{
    ReplayState *r = m->rr;
    if (!r || r->mode != REPLAY_PLAY || r->over || r->ev_pos >= r->log.events->len)
        return INT64_MAX;
    const ReplayEvent *e = &g_array_index(r->log.events, ReplayEvent, r->ev_pos);
    return e->icount == m->cpu.icount ? e->vtime : INT64_MAX;
}

bool replay_idle(Machine *m)
{
    ReplayState *r = m->rr;
    uint64_t now = m->cpu.icount;
    if (r->ev_pos < r->log.events->len) {
        const ReplayEvent *e = &g_array_index(r->log.events, ReplayEvent, r->ev_pos);
        replay_diverged(r, "the guest halted with nothing to wake it, but the recording "
                        "has input at instruction %" PRIu64, e->icount);
        return false;
    }
    if (r->log.has_end && now < r->log.end_icount) {
        replay_diverged(r, "the guest halted with nothing to wake it, but the recording "
                        "ran to instruction %" PRIu64, r->log.end_icount);
        return false;
    }
    fflush(stdout);
    g_printerr("tx86: replay: the guest halted with nothing to wake it at instruction %"
               PRIu64 "; the recording ends here\n", now);
    r->over = true;
    m->exit_status = r->log.has_end ? r->log.end_status : 0;
    return false;
}

bool replay_output_muted(Machine *m)
{
    return m->rr && m->rr->seeking;
}

void replay_set_seeking(Machine *m, bool on)
{
    if (m->rr)
        m->rr->seeking = on;
}

/* the CPU took an interrupt: record it, or check it against the log */
static void replay_on_int(void *opaque, CPUState *env, int vector, int kind,
                          uint32_t error_code)
{
    ReplayState *r = opaque;
    if (kind != CPU_INT_IRQ && kind != CPU_INT_NMI)
        return;                         /* exceptions follow from the code */
    uint64_t now = cpu_icount_now(env);
    if (r->mode == REPLAY_RECORD) {
        vms_put_u8(r->buf, 'I');
        vms_put_u64(r->buf, now);
        vms_put_u8(r->buf, (uint8_t)vector);
        vms_put_u8(r->buf, (uint8_t)kind);
        if (r->buf->len >= (1u << 16))
            replay_write(r);
        return;
    }
    if (r->over)
        return;
    if (r->irq_pos >= r->log.irqs->len) {
        if (!r->log.truncated)
            replay_diverged(r, "it took interrupt %#x, the recording none", vector);
        return;
    }
    const ReplayIrq *q = &g_array_index(r->log.irqs, ReplayIrq, r->irq_pos);
    if (q->icount != now || q->vector != (uint8_t)vector || q->kind != (uint8_t)kind) {
        replay_diverged(r, "it took %s %#x, the recording took %s %#x at instruction %"
                        PRIu64, kind == CPU_INT_NMI ? "NMI" : "interrupt", vector,
                        q->kind == CPU_INT_NMI ? "NMI" : "interrupt", q->vector, q->icount);
        return;
    }
    r->irq_pos++;
}

static const CPUHooks replay_cpu_hooks = {
    .on_int = replay_on_int,
};

/* ------------------------------------------------------------ checkpoints */

/* a shared 4 KiB piece of a checkpoint: the same as prev's (shared), a
 * zero one (NULL) or a new copy; len < PAGE_SIZE pads with zeros */
static CkPage *ck_piece(ReplayState *r, CkPage *prev, bool maybe_same, const uint8_t *p,
                        size_t len)
{
    uint8_t buf[PAGE_SIZE];
    if (len < PAGE_SIZE) {
        memcpy(buf, p, len);
        memset(buf + len, 0, PAGE_SIZE - len);
        p = buf;
    }
    if (maybe_same && (prev ? !memcmp(prev->data, p, PAGE_SIZE) : mem_is_zero(p, PAGE_SIZE))) {
        if (prev)
            prev->ref++;
        return prev;
    }
    if (mem_is_zero(p, PAGE_SIZE))
        return NULL;
    CkPage *n = g_new(CkPage, 1);
    n->ref = 1;
    memcpy(n->data, p, PAGE_SIZE);
    r->ck_bytes += sizeof(CkPage);
    return n;
}

static void ck_take(ReplayState *r)
{
    Machine *m = r->m;
    uint32_t npages = m->mem->ram_size >> PAGE_BITS;
    const uint8_t *ram = m->mem->ram;
    Checkpoint *prev = r->cks->len ? g_ptr_array_index(r->cks, r->cks->len - 1) : NULL;
    Checkpoint *c = g_new0(Checkpoint, 1);
    c->icount = m->cpu.icount;
    c->ev_pos = r->ev_pos;
    c->irq_pos = r->irq_pos;
    /* RAM: pages not written since the last checkpoint (dirty logging,
     * bus/memory.h) are that checkpoint's; written ones are compared */
    if (!(m->mem->dirty_clients & DIRTY_REPLAY)) {
        physmem_dirty_log_start(m->mem, DIRTY_REPLAY);
        r->all_dirty = true;
    }
    c->pages = g_new(CkPage *, npages);
    for (uint32_t i = 0; i < npages; i++) {
        bool dirty = physmem_dirty_harvest(m->mem, i, DIRTY_REPLAY) || r->all_dirty || !prev;
        CkPage *old = prev ? prev->pages[i] : NULL;
        if (!dirty) {
            c->pages[i] = old;
            if (old)
                old->ref++;
        } else {
            c->pages[i] = ck_piece(r, old, prev != NULL, ram + (size_t)i * PAGE_SIZE,
                                   PAGE_SIZE);
        }
    }
    r->all_dirty = false;
    tlb_flush_all(&m->cpu.tlb);         /* harvested pages lose their write tags */
    /* the devices' state: 4 KiB pieces shared with the last checkpoint's
     * while equal (VRAM mostly) */
    GByteArray *st = r->scratch;        /* kept: no fresh pages to fault in each time */
    g_byte_array_set_size(st, 0);
    machine_save_devices(m, st);
    c->state_len = st->len;
    c->nchunks = (uint32_t)((st->len + PAGE_SIZE - 1) / PAGE_SIZE);
    c->chunks = g_new(CkPage *, c->nchunks);
    for (uint32_t j = 0; j < c->nchunks; j++) {
        size_t off = (size_t)j * PAGE_SIZE;
        CkPage *old = prev && j < prev->nchunks ? prev->chunks[j] : NULL;
        c->chunks[j] = ck_piece(r, old, prev && j < prev->nchunks, st->data + off,
                                MIN((size_t)PAGE_SIZE, st->len - off));
    }
    r->ck_bytes += (npages + c->nchunks) * sizeof(CkPage *);
    g_ptr_array_add(r->cks, c);
}

uint64_t replay_first_icount(Machine *m)
{
    ReplayState *r = m->rr;
    return r && r->cks->len ? ((Checkpoint *)g_ptr_array_index(r->cks, 0))->icount : 0;
}

uint64_t replay_restore(Machine *m, uint64_t icount)
{
    ReplayState *r = m->rr;
    if (!r || r->mode != REPLAY_PLAY || !r->cks->len)
        return m->cpu.icount;
    Checkpoint *c = g_ptr_array_index(r->cks, 0);
    for (guint k = 1; k < r->cks->len; k++) {
        Checkpoint *n = g_ptr_array_index(r->cks, k);
        if (n->icount > icount)
            break;
        c = n;
    }
    uint32_t npages = m->mem->ram_size >> PAGE_BITS;
    uint8_t *ram = m->mem->ram;
    for (uint32_t i = 0; i < npages; i++) {
        uint8_t *p = ram + (size_t)i * PAGE_SIZE;
        if (c->pages[i])
            memcpy(p, c->pages[i]->data, PAGE_SIZE);
        else
            memset(p, 0, PAGE_SIZE);
    }
    g_autofree uint8_t *st = g_malloc((size_t)c->nchunks * PAGE_SIZE);
    for (uint32_t j = 0; j < c->nchunks; j++) {
        uint8_t *p = st + (size_t)j * PAGE_SIZE;
        if (c->chunks[j])
            memcpy(p, c->chunks[j]->data, PAGE_SIZE);
        else
            memset(p, 0, PAGE_SIZE);
    }
    GError *err = NULL;
    machine_seal_state(st, c->state_len);
    if (!machine_load_state(m, st, c->state_len, &err))
        g_error("replay: a checkpoint does not load: %s", err->message);
    r->all_dirty = true;                /* RAM changed behind the dirty log */
    r->ev_pos = c->ev_pos;
    r->irq_pos = c->irq_pos;
    r->over = false;
    m->shutdown_requested = false;
    m->reset_requested = false;
    return c->icount;
}

void replay_stats(Machine *m, unsigned *n, uint64_t *bytes)
{
    ReplayState *r = m->rr;
    *n = r ? r->cks->len : 0;
    *bytes = r ? r->ck_bytes : 0;
}
