/*
 * translator.c - the translation-block cache between the CPU loop, the
 * front end and a backend.
 *
 *   tb_find(env)  key (phys_pc, pc, cs_base, cs_limit, hflags) -> hash lookup
 *       (pc, cs_base, cs_limit and hflags are env words the GuestDesc names;
 *       phys_pc comes from its code_phys callback)
 *       (the CS limit is in the key because the front end checks fetches
 *       and branch targets against it while translating; it is not hashed:
 *       code with the same base but other limits is rare)
 *       miss: TB from the pool -> front end fills t->ir -> ir_optimize ->
 *             backend->compile (buffer full: tb_flush and retry) ->
 *             insert in the hash and in the list of every physical page
 *             the block covers; the pages get physmem_mark_code so guest
 *             stores to them call our code-write hook.
 *   tb_next(env, tb, exit)  chaining at dispatcher level: tb->jmp_tb[slot]
 *       caches the successor; it is reused while it is valid and matches
 *       env's pc/cs_base/cs_limit/hflags.  Only targets on the same guest
 *       linear page as the source block (or any target with paging off:
 *       GuestDesc.flags_paging clear) are cached, so a page-table change
 *       cannot redirect a chain silently.
 *       With a chaining backend (patch_jump) the same successor is also
 *       patched into the block's GOTO_TB jump (tb_jmp_link) when it is the
 *       slot's static target with the same cs_base/hflags, the source is
 *       not single-stepping (GuestDesc.flags_nochain), and no -d exec /
 *       -d cpu / -d nochain.
 *   tb_invalidate_phys_range()  SMC: every TB overlapping the bytes is
 *       marked invalid and unlinked from the hash and page lists (not
 *       freed: a chained pointer or the running block may still refer to
 *       it; TBs are recycled only by tb_flush), every jump patched into it
 *       or out of it goes back to its exit stub, and the guest's code_dirty
 *       word is set.
 *   A page that becomes "has code" is reported to the guest
 *   (GuestDesc.code_page_added; x86 drops its TLB write tags) so guest
 *   stores to it reach the code-write hook.
 *
 *   The jump cache (t->jc): linear pc -> the block tb_find last returned
 *       for it, with its key words; tb_find asks it first, native
 *       LOOKUP_TB exits and cross-page GOTO_TBs look in it inline;
 *       cleared by the guest's TLB flushes (tb_jc_flush,
 *       tb_jc_flush_page) and tb_flush, an entry by tb_invalidate.
 *
 * TBs come from a pool sized from t->tb_size (one per TB_CODE_PER_BLOCK
 * bytes); when it or the backend's code buffer is full the whole cache is
 * flushed (simple and, with a big enough cache, rare).
 * Debug output: -d op (IR before and after optimisation) and -d out_asm
 * (the backend's dump) are printed here; -d in_asm by the front end.
 */
#include <string.h>
#include <inttypes.h>
#include <errno.h>
#include <unistd.h>
#include "config.h"
#include "translator/translator.h"
/* physical pages (code marks, the code-write hook): a bus-level header */
#include "bus/memory.h"
#include "util/log.h"

/* the block pool: one TranslationBlock per TB_CODE_PER_BLOCK bytes of
 * the translation cache (t->tb_size; native code averages about 420
 * bytes a block on the Linux boot, so the code buffer, not the pool,
 * fills first); the hash has half as many buckets as the pool (a power
 * of two) */
#define TB_CODE_PER_BLOCK 256u

/* the blocks of one physical page (value of Translator.page_tbs) */
typedef struct TBPage {
    TranslationBlock *head;     /* list through page_next[] */
    uint32_t writes;            /* code-write hook calls, until bits exists */
    bool stale;                 /* bits may hold bytes of removed blocks */
    uint64_t *bits;             /* PAGE_SIZE bits: bytes some block covers, or NULL */
} TBPage;

static void tb_page_free(gpointer p);

/* the Translator plus what only this file needs */
typedef struct TranslatorPriv {
    Translator pub;
    TranslationBlock *pool;     /* pool_size blocks */
    uint32_t pool_size, pool_used;
    /* copied from the GuestDesc: the block key's env offsets and flag bits */
    uint32_t key_pc, key_cs_base, key_cs_limit, key_flags;
    uint32_t flags_paging, flags_nochain;
} TranslatorPriv;

static inline TranslatorPriv *tr_priv(Translator *t)
{
    return (TranslatorPriv *)t;
}

/* the uint32 env word at byte offset off */
static inline uint32_t env_word(const void *env, uint32_t off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)env + off, 4);
    return v;
}

/* the hash of a block's key less pc: a position-independent block
 * (tb->pcrel) is found from any pc its code is mapped at */
static inline uint32_t tb_hash(const Translator *t, GuestPhys phys_pc, GuestVirt cs_base,
                               uint32_t hflags)
{
    uint32_t h = (uint32_t)phys_pc * 0x9e3779b1u;
    h ^= (uint32_t)((uint64_t)phys_pc >> 32) * 0x27d4eb2fu;
    h ^= cs_base * 0x85ebca6bu;
    h ^= hflags * 0xc2b2ae35u;
    h ^= h >> 15;
    return h & (t->hash_size - 1);
}

/* an entry's block, and whether the entry is stale: a TLB flush happened
 * since it was filled (tb_jc_flush: its code is NULL, so native lookups
 * miss, and its block pointer is tagged with bit 0) */
static inline TranslationBlock *jc_tb(const TbJcEntry *je)
{
    return (TranslationBlock *)((uintptr_t)je->tb & ~(uintptr_t)1);
}

static inline bool jc_stale(const TbJcEntry *je)
{
    return (uintptr_t)je->tb & 1;
}

static void tr_code_write_hook(void *opaque, GuestPhys paddr, int size)
{
    tb_invalidate_phys_range(opaque, paddr, (uint32_t)size);
}

Translator *translator_new(const Backend *be, const GuestDesc *guest, struct PhysMem *mem,
                           TranslateFn translate, void *frontend,
                           void *cpu, size_t tb_size, GError **errp)
{
    TranslatorPriv *p = g_new0(TranslatorPriv, 1);
    Translator *t = &p->pub;
    t->backend = be;
    t->guest = guest;
    p->key_pc = guest->key_pc;
    p->key_cs_base = guest->key_cs_base;
    p->key_cs_limit = guest->key_cs_limit;
    p->key_flags = guest->key_flags;
    p->flags_paging = guest->flags_paging;
    p->flags_nochain = guest->flags_nochain;
    t->translate = translate;
    t->frontend = frontend;
    t->cpu = cpu;
    t->mem = mem;
    if (tb_size == 0)
        tb_size = TB_SIZE_DEFAULT;
    tb_size = CLAMP(tb_size, TB_SIZE_MIN, TB_SIZE_MAX);
    t->tb_size = tb_size;
    p->pool_size = (uint32_t)(tb_size / TB_CODE_PER_BLOCK);
    t->hash_size = 1;
    while (t->hash_size < p->pool_size / 2)
        t->hash_size <<= 1;
    t->hash = g_new0(TranslationBlock *, t->hash_size);
    t->jc = g_new0(TbJcEntry, TB_JC_SIZE);
    t->page_tbs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tb_page_free);
    t->chaining = !log_enabled(LOG_NOCHAIN);
    t->patching = t->chaining && be->patch_jump != NULL &&
                  !log_enabled(LOG_EXEC | LOG_CPU);
    ir_block_init(&t->ir, guest);
    p->pool = g_new0(TranslationBlock, p->pool_size);   /* pages committed as used */
    if (!be->init(t, errp)) {
        g_free(p->pool);
        g_hash_table_destroy(t->page_tbs);
        g_free(t->hash);
        g_free(t->jc);
        g_free(p);
        return NULL;
    }
    if (mem)
        physmem_set_code_hook(mem, tr_code_write_hook, t);
    return t;
}

static void tr_log_stats(Translator *t, const char *what)
{
    const TranslatorStats *st = &t->stats;
    log_printf("tb: %s: translated=%" PRIu64 " invalidated=%" PRIu64 " flushes=%" PRIu64
               " pool=%u lookups=%" PRIu64 " jc_hits=%" PRIu64 " chain_hits=%" PRIu64
               " jc_revalidated=%" PRIu64 " jc_flushes=%" PRIu64
               " jc_page_flushes=%" PRIu64 " patched=%" PRIu64 " code_bytes=%" PRIu64 "\n",
               what, st->blocks_translated, st->blocks_invalidated, st->flushes,
               tr_priv(t)->pool_used, st->lookups, st->jc_hits, st->chain_hits,
               st->jc_revalidated, st->jc_flushes, st->jc_page_flushes,
               st->jumps_patched, st->code_bytes);
}

bool translator_perfmap(Translator *t, GError **errp)
{
    g_autofree char *path = g_strdup_printf("/tmp/perf-%d.map", (int)getpid());
    t->perfmap = fopen(path, "w");
    if (!t->perfmap) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "-perfmap: cannot create %s: %s", path, g_strerror(errno));
        return false;
    }
    setvbuf(t->perfmap, NULL, _IOLBF, 0);   /* complete lines even if we die */
    return true;
}

void translator_free(Translator *t)
{
    if (!t)
        return;
    if (t->perfmap)
        fclose(t->perfmap);
    TranslatorPriv *p = tr_priv(t);
    if (log_enabled(LOG_TB))
        tr_log_stats(t, "exit");
    tb_flush(t);
    if (t->mem)
        physmem_set_code_hook(t->mem, NULL, NULL);
    t->backend->cleanup(t);
    ir_block_free(&t->ir);
    g_hash_table_destroy(t->page_tbs);
    g_free(t->hash);
    g_free(t->jc);
    g_free(p->pool);
    g_free(p);
}

/* ------------------------------------------------------------ page lists */

static inline GuestPhys tb_page(const TranslationBlock *tb, int n)
{
    return n == 0 ? tb->phys_pc >> PAGE_BITS : tb->phys_page2 >> PAGE_BITS;
}

/* index (0/1) of the link that chains tb in the list of `page` */
static inline int tb_page_index(const TranslationBlock *tb, GuestPhys page)
{
    return tb_page(tb, 0) == page ? 0 : 1;
}

/* the bytes [*off, *off + *len) of page n (0/1) that tb covers */
static void tb_page_range(const TranslationBlock *tb, int n, uint32_t *off, uint32_t *len)
{
    uint32_t o = tb->phys_pc & ~PAGE_MASK;
    uint32_t room = PAGE_SIZE - o;
    uint32_t size = tb->size ? tb->size : 1;
    if (n == 0) {
        *off = o;
        *len = MIN(size, room);
    } else {
        *off = 0;
        *len = size > room ? size - room : 0;
    }
}

/* ---- the code bitmap of a page: one bit per byte some block covers */

static void tb_bits_set(uint64_t *bits, uint32_t off, uint32_t len)
{
    for (uint32_t i = off; i < off + len; ) {
        uint32_t n = MIN(64 - (i & 63), off + len - i);
        uint64_t m = n == 64 ? ~0ull : ((1ull << n) - 1) << (i & 63);
        bits[i >> 6] |= m;
        i += n;
    }
}

static bool tb_bits_any(const uint64_t *bits, uint32_t off, uint32_t len)
{
    for (uint32_t i = off; i < off + len; ) {
        uint32_t n = MIN(64 - (i & 63), off + len - i);
        uint64_t m = n == 64 ? ~0ull : ((1ull << n) - 1) << (i & 63);
        if (bits[i >> 6] & m)
            return true;
        i += n;
    }
    return false;
}

/* (re)build pg's bitmap from its list: exact again */
static void tb_page_build_bits(TBPage *pg, GuestPhys page)
{
    if (!pg->bits)
        pg->bits = g_new(uint64_t, PAGE_SIZE / 64);
    memset(pg->bits, 0, PAGE_SIZE / 8);
    for (TranslationBlock *tb = pg->head; tb; ) {
        int n = tb_page_index(tb, page);
        uint32_t off, len;
        tb_page_range(tb, n, &off, &len);
        tb_bits_set(pg->bits, off, len);
        tb = tb->page_next[n];
    }
    pg->stale = false;
}

static void tb_page_free(gpointer p)
{
    TBPage *pg = p;
    g_free(pg->bits);
    g_free(pg);
}

static void tb_page_add(Translator *t, TranslationBlock *tb, int n)
{
    GuestPhys page = tb_page(tb, n);
    gpointer key = GUINT_TO_POINTER(page);
    TBPage *pg = g_hash_table_lookup(t->page_tbs, key);
    if (!pg) {
        pg = g_new0(TBPage, 1);
        g_hash_table_insert(t->page_tbs, key, pg);
    }
    tb->page_next[n] = pg->head;
    pg->head = tb;
    if (pg->bits) {
        uint32_t off, len;
        tb_page_range(tb, n, &off, &len);
        tb_bits_set(pg->bits, off, len);
    }
    if (t->mem) {
        PhysPage *pp = physmem_page(t->mem, page << PAGE_BITS);
        if (!(pp->watch & PAGE_WATCH_CODE) && t->cpu && t->guest->code_page_added)
            t->guest->code_page_added(t->cpu, pp->host);   /* stores must reach the hook */
        physmem_mark_code(t->mem, page << PAGE_BITS, true);
    }
}

static void tb_page_remove(Translator *t, TranslationBlock *tb, int n)
{
    GuestPhys page = tb_page(tb, n);
    gpointer key = GUINT_TO_POINTER(page);
    TBPage *pg = g_hash_table_lookup(t->page_tbs, key);
    if (!pg)
        return;
    TranslationBlock **pp = &pg->head;
    while (*pp && *pp != tb)
        pp = &(*pp)->page_next[tb_page_index(*pp, page)];
    if (!*pp)
        return;
    *pp = tb->page_next[n];
    tb->page_next[n] = NULL;
    if (pg->head) {
        pg->stale = pg->bits != NULL;   /* its bytes may still be marked */
    } else {
        g_hash_table_remove(t->page_tbs, key);
        if (t->mem)
            physmem_mark_code(t->mem, page << PAGE_BITS, false);
    }
}

static void tb_hash_remove(Translator *t, TranslationBlock *tb)
{
    uint32_t h = tb_hash(t, tb->phys_pc, tb->cs_base, tb->hflags);
    TranslationBlock **pp = &t->hash[h];
    while (*pp && *pp != tb)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = tb->hash_next;
    tb->hash_next = NULL;
}

/* ------------------------------------------------- direct jump patching */

static inline TranslationBlock *tb_jmp_src(uintptr_t link)
{
    return (TranslationBlock *)(link & ~(uintptr_t)3);
}

/* patch src's GOTO_TB slot to dst and record the jump in dst's list */
static void tb_jmp_link(Translator *t, TranslationBlock *src, int slot,
                        TranslationBlock *dst)
{
    src->jmp_dest[slot] = dst;
    src->jmp_list_next[slot] = dst->jmp_list_head;
    dst->jmp_list_head = (uintptr_t)src | (uintptr_t)slot;
    t->backend->patch_jump(t, src, slot, dst);
    t->stats.jumps_patched++;
}

/* send src's slot back to its exit stub (the list link is already gone) */
static void tb_jmp_reset(Translator *t, TranslationBlock *src, int slot)
{
    src->jmp_dest[slot] = NULL;
    src->jmp_list_next[slot] = 0;
    t->backend->patch_jump(t, src, slot, NULL);
    t->stats.jumps_unpatched++;
}

/* undo src's outgoing patched jump of `slot`, if any */
static void tb_jmp_unlink_out(Translator *t, TranslationBlock *src, int slot)
{
    TranslationBlock *dst = src->jmp_dest[slot];
    uintptr_t me = (uintptr_t)src | (uintptr_t)slot;
    uintptr_t *pp;

    if (!dst)
        return;
    pp = &dst->jmp_list_head;
    while (*pp && *pp != me)
        pp = &tb_jmp_src(*pp)->jmp_list_next[*pp & 3];
    g_assert(*pp == me);
    *pp = src->jmp_list_next[slot];
    tb_jmp_reset(t, src, slot);
}

/* undo every jump patched into dst */
static void tb_jmp_unlink_in(Translator *t, TranslationBlock *dst)
{
    while (dst->jmp_list_head) {
        uintptr_t link = dst->jmp_list_head;
        TranslationBlock *src = tb_jmp_src(link);
        int slot = (int)(link & 3);
        dst->jmp_list_head = src->jmp_list_next[slot];
        tb_jmp_reset(t, src, slot);
    }
}

/* empty the jump cache entries that hold tb (native lookups read no
 * `valid`).  A pcrel block may be in the entry of any linear pc with its
 * page offset: tb_jc_hash's low TB_JC_PAGE_BITS bits depend on the page
 * offset only, so one entry per run is a candidate. */
static void tb_jc_forget(Translator *t, const TranslationBlock *tb)
{
    uint32_t h = tb_jc_hash(tb->cs_base + tb->pc);
    if (!tb->pcrel) {
        if (jc_tb(&t->jc[h]) == tb)
            memset(&t->jc[h], 0, sizeof(t->jc[h]));
        return;
    }
    for (uint32_t run = 0; run < TB_JC_SIZE; run += TB_JC_PAGE_SIZE) {
        TbJcEntry *je = &t->jc[run | (h & (TB_JC_PAGE_SIZE - 1))];
        if (jc_tb(je) == tb)
            memset(je, 0, sizeof(*je));
    }
}

static void tb_invalidate(Translator *t, TranslationBlock *tb)
{
    if (t->backend->patch_jump) {
        tb_jmp_unlink_out(t, tb, 0);
        tb_jmp_unlink_out(t, tb, 1);
        tb_jmp_unlink_in(t, tb);
    }
    tb->valid = false;
    tb_jc_forget(t, tb);
    tb_hash_remove(t, tb);
    tb_page_remove(t, tb, 0);
    if (tb->phys_page2 != GUEST_PHYS_NONE)
        tb_page_remove(t, tb, 1);
    tb->jmp_tb[0] = tb->jmp_tb[1] = NULL;
    t->stats.blocks_invalidated++;
}

/*
 * SMC: the blocks of each written page that cover the written bytes are
 * invalidated.  A page written often (TB_BITS_THRESHOLD hook calls) gets a
 * code bitmap, so a store to bytes no block covers (data next to code)
 * costs one bitmap test instead of a walk of the page's list.  The bitmap
 * is exact after a build; a new block adds its bits, a removed one makes
 * it "stale" (bits may stay set) and the next walk rebuilds it.  So every
 * walk of the list either invalidates a block (whose translation cost far
 * more than the walk) or is the one false hit after a removal.
 */
void tb_invalidate_phys_range(Translator *t, GuestPhys start, uint32_t len)
{
    if (len == 0)
        return;
    uint64_t end64 = (uint64_t)start + len;
    bool any = false;
    for (uint64_t page = start >> PAGE_BITS; page <= (end64 - 1) >> PAGE_BITS; page++) {
        gpointer key = GUINT_TO_POINTER((uint32_t)page);
        TBPage *pg = g_hash_table_lookup(t->page_tbs, key);
        if (!pg)
            continue;
        uint64_t pstart = page << PAGE_BITS;
        uint32_t s = start > pstart ? (uint32_t)(start - pstart) : 0;
        uint32_t e = (uint32_t)MIN(end64 - pstart, (uint64_t)PAGE_SIZE);
        if (pg->bits) {
            if (!tb_bits_any(pg->bits, s, e - s)) {
                t->stats.smc_skipped++;
                continue;
            }
        } else if (++pg->writes >= TB_BITS_THRESHOLD) {
            tb_page_build_bits(pg, (uint32_t)page);
            if (!tb_bits_any(pg->bits, s, e - s)) {
                t->stats.smc_skipped++;
                continue;
            }
        }
        t->stats.smc_walks++;
        for (TranslationBlock *tb = pg->head; tb; ) {
            int n = tb_page_index(tb, (uint32_t)page);
            TranslationBlock *next = tb->page_next[n];
            uint32_t off, l;
            tb_page_range(tb, n, &off, &l);
            t->stats.smc_checked++;
            if (off < e && s < off + l) {
                tb_invalidate(t, tb);     /* may free pg when its list empties */
                any = true;
            }
            tb = next;
        }
        pg = g_hash_table_lookup(t->page_tbs, key);
        if (pg && pg->stale)
            tb_page_build_bits(pg, (uint32_t)page);
    }
    if (any && t->cpu) {
        uint32_t one = 1;
        memcpy((uint8_t *)t->cpu + t->guest->code_dirty, &one, 4);
    }
}

void tb_flush(Translator *t)
{
    TranslatorPriv *p = tr_priv(t);
    GHashTableIter it;
    gpointer key, val;
    if (log_enabled(LOG_TB) && p->pool_used)
        tr_log_stats(t, "flush");
    if (t->mem) {
        g_hash_table_iter_init(&it, t->page_tbs);
        while (g_hash_table_iter_next(&it, &key, &val))
            physmem_mark_code(t->mem, GPOINTER_TO_UINT(key) << PAGE_BITS, false);
    }
    g_hash_table_remove_all(t->page_tbs);
    memset(t->hash, 0, sizeof(*t->hash) * t->hash_size);
    memset(t->jc, 0, sizeof(*t->jc) * TB_JC_SIZE);     /* the slots are recycled */
    memset(t->jc_runs, 0, sizeof(t->jc_runs));
    memset(p->pool, 0, sizeof(*p->pool) * p->pool_used);
    p->pool_used = 0;
    t->backend->flush(t);
    t->stats.flushes++;
}

/* ---------------------------------------------------------- debug output */

static void tr_log_ir(const char *title, const IRBlock *ir)
{
    log_printf("%s\n", title);
    ir_print_block(log_file ? log_file : stderr, ir);
    log_printf("\n");
}

/* -------------------------------------------------------------- lookup */

/* a block spanning two pages: its second page must still map where it
 * did (with paging on) */
static bool tb_page2_ok(Translator *t, const TranslationBlock *tb, void *env, GuestVirt lin,
                        uint32_t hflags)
{
    if (tb->phys_page2 == GUEST_PHYS_NONE || !(hflags & tr_priv(t)->flags_paging))
        return true;
    GuestPhys pa2;
    return t->guest->probe_code(env, (lin & PAGE_MASK) + PAGE_SIZE, &pa2) &&
           (pa2 & PAGE_MASK) == (tb->phys_page2 & PAGE_MASK);
}

static TranslationBlock *tb_lookup(Translator *t, GuestPhys phys_pc, GuestVirt pc,
                                   GuestVirt cs_base, uint32_t cs_limit, uint32_t hflags,
                                   void *env)
{
    uint32_t h = tb_hash(t, phys_pc, cs_base, hflags);
    for (TranslationBlock *tb = t->hash[h]; tb; tb = tb->hash_next) {
        if (tb->phys_pc != phys_pc || (!tb->pcrel && tb->pc != pc) || tb->cs_base != cs_base ||
            tb->hflags != hflags || tb->cs_limit != cs_limit)
            continue;
        if (!tb_page2_ok(t, tb, env, cs_base + pc, hflags))
            continue;
        return tb;
    }
    return NULL;
}

static TranslationBlock *tb_gen_code(Translator *t, void *env, GuestPhys phys_pc,
                                     GuestVirt pc, GuestVirt cs_base, uint32_t cs_limit,
                                     uint32_t hflags)
{
    TranslatorPriv *p = tr_priv(t);
    if (p->pool_used == p->pool_size)
        tb_flush(t);
    /* the slot is taken only once translation succeeded: a fetch fault
     * longjmps out of translate() and the slot is simply reused */
    TranslationBlock *tb = &p->pool[p->pool_used];
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->cs_limit = cs_limit;
    tb->hflags = hflags;
    tb->phys_pc = phys_pc;
    tb->phys_page2 = GUEST_PHYS_NONE;
    tb->jmp_pc[0] = tb->jmp_pc[1] = UINT32_MAX;

    ir_block_reset(&t->ir);
    t->translate(t->frontend, env, tb, &t->ir);

    bool log_this = log_filter_pass(cs_base + pc);    /* -dfilter */
    if (log_enabled(LOG_OP) && log_this)
        tr_log_ir("OP:", &t->ir);
#if TX86_DEBUG
    {
        GError *err = NULL;
        if (!ir_verify(&t->ir, &err)) {
            ir_print_block(stderr, &t->ir);
            g_error("IR of block at %08x:%08x is invalid: %s", cs_base, pc, err->message);
        }
    }
#endif
    ir_optimize(&t->ir);
    if (log_enabled(LOG_OP) && log_this)
        tr_log_ir("OP after optimization:", &t->ir);

    if (!t->backend->compile(t, tb, &t->ir)) {
        /* code buffer full: start over with an empty cache (the IR is
         * still in t->ir, and tb's slot is re-taken from an empty pool) */
        TranslationBlock saved = *tb;
        tb_flush(t);
        tb = &p->pool[0];
        *tb = saved;
        if (!t->backend->compile(t, tb, &t->ir))
            g_error("translator: a single block does not fit in the code buffer");
    }
    p->pool_used++;
    if (t->perfmap && tb->code_size)
        fprintf(t->perfmap, "%" PRIxPTR " %zx tb-%08x+%08x-%08x\n", (uintptr_t)tb->code,
                tb->code_size, (uint32_t)cs_base, (uint32_t)pc, (uint32_t)phys_pc);
    if (log_enabled(LOG_OUT_ASM) && log_this) {
        log_printf("OUT: [size=%zu]\n", tb->code_size);
        t->backend->dump(t, tb, log_file ? log_file : stderr);
        log_printf("\n");
    }

    tb->valid = true;
    uint32_t h = tb_hash(t, phys_pc, cs_base, hflags);
    tb->hash_next = t->hash[h];
    t->hash[h] = tb;
    tb_page_add(t, tb, 0);
    if (tb->phys_page2 != GUEST_PHYS_NONE) {
        if ((tb->phys_page2 >> PAGE_BITS) == (phys_pc >> PAGE_BITS))
            tb->phys_page2 = GUEST_PHYS_NONE;        /* same page: one list */
        else
            tb_page_add(t, tb, 1);
    }
    t->stats.blocks_translated++;
    t->stats.code_bytes += tb->code_size;
    return tb;
}

/* the jump cache entry for this key, when it holds a block for it (a
 * block in the cache is valid: tb_invalidate empties its entry) */
static inline bool tb_jc_match(const TbJcEntry *je, GuestVirt pc, GuestVirt cs_base,
                               uint32_t cs_limit, uint32_t hflags)
{
    return je->tb && je->pc == pc && je->cs_base == cs_base && je->hflags == hflags &&
           je->cs_limit == cs_limit;
}

TranslationBlock *tb_find(Translator *t, void *env)
{
    TranslatorPriv *p = tr_priv(t);
    GuestVirt pc = env_word(env, p->key_pc);
    GuestVirt cs_base = env_word(env, p->key_cs_base);
    uint32_t cs_limit = env_word(env, p->key_cs_limit);
    uint32_t hflags = env_word(env, p->key_flags);
    TbJcEntry *je = &t->jc[tb_jc_hash(cs_base + pc)];
    t->stats.lookups++;
    TranslationBlock *tb = NULL;
    if (tb_jc_match(je, pc, cs_base, cs_limit, hflags)) {
        tb = jc_tb(je);
        if (!jc_stale(je)) {
            t->stats.jc_hits++;
            return tb;
        }
    }
    GuestPhys phys_pc = t->guest->code_phys(env, cs_base + pc);
    if (tb && tb->phys_pc == phys_pc && tb_page2_ok(t, tb, env, cs_base + pc, hflags)) {
        t->stats.jc_revalidated++;      /* a stale entry whose mapping holds */
    } else {
        tb = tb_lookup(t, phys_pc, pc, cs_base, cs_limit, hflags, env);
        if (!tb)
            tb = tb_gen_code(t, env, phys_pc, pc, cs_base, cs_limit, hflags);
    }
    *je = (TbJcEntry){
        .pc = pc, .cs_base = cs_base, .cs_limit = cs_limit, .hflags = hflags,
        .code = (hflags & p->flags_nochain) ? NULL : tb->code,
        .tb = tb,
    };
    uint32_t run = (uint32_t)(je - t->jc) / TB_JC_PAGE_SIZE;
    t->jc_runs[run / 64] |= 1ull << (run % 64);
    return tb;
}

/* ------------------------------------------------------- the jump cache
 *
 * t->jc[tb_jc_hash(cs_base + pc)] remembers the last block tb_find
 * returned for that linear pc, with that block's key words.  An entry
 * holds a valid block (SMC invalidation empties the block's entry;
 * tb_flush clears the cache, so a recycled slot is never reached) and is
 * used when its key words equal env's: pc, cs_base, cs_limit and flags.
 * The native backend does that comparison inline (codegen.c,
 * cg_exit_lookup) and jumps to the entry's code.  The physical half of the key is not
 * compared: the entry was filled right after code_phys (or a hash hit
 * that followed it) and is made stale whenever the guest's TLB drops the
 * mapping (tb_jc_flush, tb_jc_flush_page, called from its flushes: code
 * NULL, so native lookups miss, and tb_find checks the mapping again), so it
 * is exactly as current as the TLB.  A block's second page is covered by
 * the page flush, which also clears the page before the flushed one.
 */

/* make the run of entries `run` stale if anything was filled in it since
 * it last was: native lookups miss (code NULL), tb_find checks the
 * mapping again (code_phys, the second page) before it uses the block */
static inline void tb_jc_clear_run(Translator *t, uint32_t run)
{
    uint64_t bit = 1ull << (run % 64);
    if (t->jc_runs[run / 64] & bit) {
        TbJcEntry *je = &t->jc[run * TB_JC_PAGE_SIZE];
        for (uint32_t i = 0; i < TB_JC_PAGE_SIZE; i++, je++) {
            if (je->tb) {
                je->code = NULL;
                je->tb = (TranslationBlock *)((uintptr_t)je->tb | 1);
            }
        }
        t->jc_runs[run / 64] &= ~bit;
    }
}

/* a flush clears only the runs filled since they were last cleared: a
 * process switch (CR3) costs what the last process used, not the whole
 * cache */
void tb_jc_flush(Translator *t)
{
    if (!t)
        return;
    bool any = false;
    for (uint32_t w = 0; w < G_N_ELEMENTS(t->jc_runs); w++) {
        while (t->jc_runs[w]) {
            tb_jc_clear_run(t, w * 64 + (uint32_t)__builtin_ctzll(t->jc_runs[w]));
            any = true;
        }
    }
    if (any)
        t->stats.jc_flushes++;
}

void tb_jc_flush_page(Translator *t, GuestVirt linear)
{
    if (!t)
        return;
    for (int k = 0; k < 2; k++) {
        GuestVirt page = (linear & PAGE_MASK) - (GuestVirt)k * PAGE_SIZE;
        tb_jc_clear_run(t, tb_jc_hash(page) / TB_JC_PAGE_SIZE);
    }
    t->stats.jc_page_flushes++;
}

bool tb_exit_lookup(const Translator *t, const TranslationBlock *tb)
{
    return t->patching && !(tb->hflags & tr_priv((Translator *)t)->flags_nochain);
}

bool tb_slot_lookup(const Translator *t, const TranslationBlock *tb, int slot)
{
    TranslatorPriv *p = tr_priv((Translator *)t);
    if (!tb_exit_lookup(t, tb) || tb->jmp_pc[slot] == UINT32_MAX ||
        !(tb->hflags & p->flags_paging))
        return false;
    GuestVirt src_page = (tb->cs_base + tb->pc) & PAGE_MASK;
    GuestVirt src_last = (tb->cs_base + tb->pc + (tb->size ? tb->size - 1 : 0)) & PAGE_MASK;
    GuestVirt dst_page = (tb->cs_base + tb->jmp_pc[slot]) & PAGE_MASK;
    return dst_page != src_page && dst_page != src_last;      /* tb_next's rule */
}

/* patch tb's slot to n when that is safe (n is the dispatcher's choice
 * for this exit and already passed the same-page rule of tb_next) */
static void tb_try_patch(Translator *t, TranslationBlock *tb, int slot, TranslationBlock *n)
{
    if (!t->patching || tb->jmp_dest[slot] || !tb->jmp_insn_offset[slot] ||
        G_UNLIKELY(log_mask & (LOG_EXEC | LOG_CPU)))
        return;
    /* n is the block at env's pc, which is slot's target; a jump patched
     * into a pcrel block runs wherever that block runs, so it needs a
     * pcrel successor (on the same page: the same physical code) */
    if (!tb->valid || !n->valid || (tb->pcrel ? !n->pcrel : !n->pcrel && n->pc != tb->jmp_pc[slot]) ||
        n->cs_base != tb->cs_base || n->cs_limit != tb->cs_limit || n->hflags != tb->hflags ||
        (tb->hflags & tr_priv(t)->flags_nochain))
        return;
    tb_jmp_link(t, tb, slot, n);
}

TranslationBlock *tb_next(Translator *t, void *env, TranslationBlock *tb, int exit)
{
    TranslatorPriv *p = tr_priv(t);
    if (exit > TB_EXIT_SLOT1 || !t->chaining)
        return tb_find(t, env);
    GuestVirt pc = env_word(env, p->key_pc);
    TranslationBlock *n = tb->jmp_tb[exit];
    /* a cached successor is on one of tb's pages (below), so a pcrel one
     * is the code at pc wherever tb runs */
    if (n && n->valid && (n->pcrel || n->pc == pc) &&
        n->cs_base == env_word(env, p->key_cs_base) &&
        n->cs_limit == env_word(env, p->key_cs_limit) &&
        n->hflags == env_word(env, p->key_flags)) {
        t->stats.chain_hits++;
        tb_try_patch(t, tb, exit, n);
        return n;
    }
    uint64_t flushes = t->stats.flushes;
    /* where tb runs now: pc is its slot's target, jmp_pc[exit] in the
     * pc tb was translated for (the same for a block that is not pcrel) */
    GuestVirt start = tb->cs_base + tb->pc + (pc - tb->jmp_pc[exit]);
    GuestVirt src_page = start & PAGE_MASK;
    GuestVirt src_last = (start + (tb->size ? tb->size - 1 : 0)) & PAGE_MASK;
    bool src_valid = tb->valid;
    n = tb_find(t, env);
    /* tb may have been recycled by a flush inside tb_find */
    if (src_valid && t->stats.flushes == flushes && tb->valid) {
        GuestVirt dst_page = (env_word(env, p->key_cs_base) + pc) & PAGE_MASK;
        if (!(env_word(env, p->key_flags) & p->flags_paging) || dst_page == src_page ||
            dst_page == src_last) {
            tb->jmp_tb[exit] = n;
            tb_try_patch(t, tb, exit, n);
        }
    }
    return n;
}
