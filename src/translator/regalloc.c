/*
 * regalloc.c - host-neutral register allocation (regalloc.h): temp
 * facts, store sinking into TLB slow paths, live ranges and a linear-scan
 * allocator over the registers a HostDesc offers.  Used by the native
 * backends (x86_64/codegen.c); the interpreter needs none of it.
 *
 *   ra_run(ra, host, ir, sink_stores)
 *     1. ra_temp_info: definitions and uses per temp; a temp defined once,
 *        by movi, is a constant (an immediate for the backend);
 *     2. label positions;
 *     3. ra_plan_sinking (optional): which set_reg / st_env go only into
 *        the slow path of the next guest memory access; ra_plan_remat:
 *        which of their values that path computes itself;
 *     4. ra_allocate: live ranges, loop widening, linear scan, stack slots.
 * Everything is linear in the block (no CFG), like the optimiser.
 */
#include <string.h>
#include "translator/regalloc.h"

typedef struct RAInterval {
    uint32_t first, last;
} RAInterval;

static RATemp *ra_temp_info(const IRBlock *ir)
{
    RATemp *ti = g_new0(RATemp, ir->n_temps + 1);
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        for (int k = 0; k < in->nin; k++)
            ti[in->in[k]].uses++;
        if (in->out != IR_NO_TEMP) {
            RATemp *t = &ti[in->out];
            t->defs++;
            t->is_const = in->op == IR_MOVI && in->type == IR_I32;
            t->value = in->imm;
        }
    }
    for (uint32_t t = 0; t < ir->n_temps; t++)
        if (ti[t].defs != 1)
            ti[t].is_const = false;
    return ti;
}

int ra_env_word(const GuestDesc *g, const IRInsn *in)
{
    bool env = in->op == IR_GET_REG || in->op == IR_SET_REG || in->op == IR_LD_ENV ||
               in->op == IR_ST_ENV;
    if (env && in->type != IR_I32)
        return -2;          /* two words: treated as any */
    if (in->op == IR_GET_REG || in->op == IR_SET_REG)
        return (int)(ir_reg_offset(g, in->imm) / 4);
    if (in->op == IR_LD_ENV || in->op == IR_ST_ENV)
        return (in->imm & 3) ? -2 : (int)(in->imm / 4);   /* -2: unaligned, any */
    return -1;
}

/*
 * Is env word w dead at position p: on every path from p, written
 * again (set_reg / st_env) before anything may read it (a load of it, a
 * helper call, an op that may fault, a block exit)?  Follows forward
 * branches up to `depth` levels; a backward branch counts as a read.
 */
static bool ra_word_dead(const IRBlock *ir, const uint32_t *label_pos, uint32_t p, int w,
                         int depth)
{
    for (uint32_t i = p; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        int iw = ra_env_word(ir->guest, in);
        if (iw == -2)
            return false;
        if (iw == w)
            return in->op == IR_SET_REG || in->op == IR_ST_ENV;
        if (in->op == IR_BR || in->op == IR_BRZ || in->op == IR_BRNZ) {
            uint32_t target = label_pos[in->imm];
            if (target <= i || depth == 0 || !ra_word_dead(ir, label_pos, target, w, depth - 1))
                return false;
            if (in->op == IR_BR)
                return true;
            continue;
        }
        if (in->op == IR_CALL ||
            (ir_op_desc[in->op].flags & (IR_SE_MAY_FAULT | IR_SE_EXIT)))
            return false;
    }
    return false;
}

/*
 * Stores sunk into a TLB slow path: a set_reg / st_env whose word is dead
 * after the next guest memory access (nothing but pure ops and other
 * env accesses in between, its value temp not redefined) is done
 * only on that access's miss path, before the call that may fault; a hit
 * skips it.  That is where the front end's EIP stores for precise faults
 * and flag stores overwritten by the next instruction usually are.
 * sink_to[n] = index of that access or UINT32_MAX; the sunk stores of
 * access m form the list sink_head[m] -> sink_next[] (UINT32_MAX ends).
 */
static void ra_plan_sinking(const IRBlock *ir, const uint32_t *label_pos, uint32_t *sink_to,
                            uint32_t *sink_head, uint32_t *sink_next)
{
    for (uint32_t n = 0; n < ir->n_insns; n++)
        sink_to[n] = sink_head[n] = sink_next[n] = UINT32_MAX;
    for (uint32_t n = 0; n < ir->n_insns; n++) {
        const IRInsn *in = &ir->insns[n];
        int w = ra_env_word(ir->guest, in);
        if ((in->op != IR_SET_REG && in->op != IR_ST_ENV) || w < 0 ||
            (in->op == IR_ST_ENV && ir_env_volatile(ir->guest, in->imm)))
            continue;
        uint32_t m;
        for (m = n + 1; m < ir->n_insns; m++) {
            const IRInsn *x = &ir->insns[m];
            if (x->op == IR_LD || x->op == IR_ST)
                break;
            if (x->out == in->in[0] || ra_env_word(ir->guest, x) == w ||
                ra_env_word(ir->guest, x) == -2 ||
                x->op == IR_CALL ||
                (ir_op_desc[x->op].flags & (IR_SE_MAY_FAULT | IR_SE_BRANCH | IR_SE_LABEL |
                                            IR_SE_EXIT))) {
                m = ir->n_insns;
                break;
            }
        }
        if (m >= ir->n_insns || !ra_word_dead(ir, label_pos, m + 1, w, 4))
            continue;
        sink_to[n] = m;
        /* append, keeping program order */
        uint32_t *link = &sink_head[m];
        while (*link != UINT32_MAX)
            link = &sink_next[*link];
        *link = n;
    }
}

/*
 * Values of sunk stores computed in the miss path: a sunk store whose
 * value is `v = add a, c` (I32, c a constant), v defined once and read
 * only by that store, a not redefined before the access: the miss path
 * computes a + c itself.  Mostly the front end's EIP values (entry eip +
 * offset), which a TLB hit then never computes.
 */
static void ra_plan_remat(const IRBlock *ir, const RATemp *ti, RABlock *ra)
{
    uint32_t *def_of = g_new(uint32_t, ir->n_temps + 1);   /* last definition */
    for (uint32_t t = 0; t < ir->n_temps; t++)
        def_of[t] = UINT32_MAX;
    for (uint32_t n = 0; n < ir->n_insns; n++) {
        const IRInsn *in = &ir->insns[n];
        ra->sink_remat[n] = UINT32_MAX;
        ra->remat_def[n] = false;
        uint32_t m = ra->sink_to[n];
        if (m != UINT32_MAX) {
            IRTemp v = in->in[0];
            uint32_t d = def_of[v];
            const IRInsn *x = d != UINT32_MAX ? &ir->insns[d] : NULL;
            bool ok = x && x->op == IR_ADD && x->type == IR_I32 && ti[v].defs == 1 &&
                      ti[v].uses == 1 && ti[x->in[1]].is_const && !ti[x->in[0]].is_const;
            for (uint32_t k = d + 1; ok && k <= m; k++)
                if (ir->insns[k].out == x->in[0])
                    ok = false;
            if (ok) {
                ra->sink_remat[n] = d;
                ra->remat_def[d] = true;
            }
        }
        if (in->out != IR_NO_TEMP)
            def_of[in->out] = n;
    }
    g_free(def_of);
}

/* live ranges in linear order: from the first mention to the last use
 * (a sunk store's input: to the access it is sunk into; a value computed
 * in the miss path: none, its add's input to that access), widened to
 * whole loops; first == UINT32_MAX for a temp never mentioned */
static RAInterval *ra_live_ranges(const IRBlock *ir, const uint32_t *label_pos,
                                  const RABlock *ra)
{
    const uint32_t *sink_to = ra->sink_to;
    uint32_t nt = ir->n_temps;
    RAInterval *iv = g_new(RAInterval, nt + 1);
    for (uint32_t t = 0; t < nt; t++)
        iv[t] = (RAInterval){ UINT32_MAX, 0 };
    uint32_t *remat_at = g_new(uint32_t, ir->n_insns + 1);  /* add d -> its access */
    for (uint32_t i = 0; i < ir->n_insns; i++)
        if (ra->sink_remat[i] != UINT32_MAX)
            remat_at[ra->sink_remat[i]] = sink_to[i];
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        if (ra->sink_remat[i] != UINT32_MAX)
            continue;                       /* its value has no location */
        if (ra->remat_def[i]) {
            RAInterval *v = &iv[in->in[0]];
            if (v->first > i) v->first = i;
            if (v->last < remat_at[i]) v->last = remat_at[i];
            continue;
        }
        for (int k = 0; k < in->nin; k++) {
            RAInterval *v = &iv[in->in[k]];
            uint32_t use = sink_to[i] != UINT32_MAX ? sink_to[i] : i;
            if (v->first > i) v->first = i;
            if (v->last < use) v->last = use;
        }
        if (in->out != IR_NO_TEMP) {
            RAInterval *v = &iv[in->out];
            if (v->first > i) v->first = i;
            if (v->last < i) v->last = i;
        }
    }
    /* backward branches: (label position, branch position) */
    typedef struct { uint32_t label, branch; } BackEdge;
    BackEdge *back = g_new(BackEdge, ir->n_insns + 1);
    uint32_t n_back = 0;
    for (uint32_t i = 0; i < ir->n_insns; i++) {
        const IRInsn *in = &ir->insns[i];
        if ((in->op == IR_BR || in->op == IR_BRZ || in->op == IR_BRNZ) &&
            label_pos[in->imm] <= i) {
            back[n_back].label = label_pos[in->imm];
            back[n_back].branch = i;
            n_back++;
        }
    }
    /* a range that touches a loop covers all of it (its value may be
     * needed in the next iteration) */
    for (bool changed = n_back > 0; changed;) {
        changed = false;
        for (uint32_t b = 0; b < n_back; b++) {
            uint32_t q = back[b].label, p = back[b].branch;
            for (uint32_t t = 0; t < nt; t++) {
                RAInterval *v = &iv[t];
                if (v->first == UINT32_MAX || v->last < q || v->first > p)
                    continue;
                if (v->first > q) { v->first = q; changed = true; }
                if (v->last < p)  { v->last = p;  changed = true; }
            }
        }
    }
    g_free(back);
    g_free(remat_at);
    return iv;
}

/* fills ra->loc for every temp: constants, registers of host->alloc_regs,
 * stack slots; ra->used_regs and ra->n_slots */
static void ra_allocate(RABlock *ra, const HostDesc *host, const IRBlock *ir)
{
    const RATemp *ti = ra->temps;
    uint32_t nt = ir->n_temps;
    int n_regs = (int)host->n_alloc_regs;
    RAInterval *iv = ra_live_ranges(ir, ra->label_pos, ra);

    g_assert(n_regs <= RA_MAX_REGS);
    /* linear scan over temps sorted by start */
    uint32_t *order = g_new(uint32_t, nt + 1);
    uint32_t n = 0;
    for (uint32_t t = 0; t < nt; t++)
        if (iv[t].first != UINT32_MAX && !ti[t].is_const)
            order[n++] = t;
    /* counting sort by start position (stable: by temp number within) */
    {
        uint32_t *cnt = g_new0(uint32_t, ir->n_insns + 2);
        uint32_t *tmp = g_new(uint32_t, n + 1);
        for (uint32_t k = 0; k < n; k++) cnt[iv[order[k]].first + 1]++;
        for (uint32_t k = 1; k <= ir->n_insns + 1; k++) cnt[k] += cnt[k - 1];
        for (uint32_t k = 0; k < n; k++) tmp[cnt[iv[order[k]].first]++] = order[k];
        memcpy(order, tmp, n * sizeof(*order));
        g_free(cnt);
        g_free(tmp);
    }
    int32_t active[RA_MAX_REGS];        /* temp in each alloc reg, -1 free */
    bool survives_call[RA_MAX_REGS];    /* alloc reg r is callee-saved */
    for (int r = 0; r < n_regs; r++) {
        active[r] = -1;
        survives_call[r] = (host->callee_saved >> host->alloc_regs[r]) & 1;
    }
    int8_t *reg_of = g_new(int8_t, nt + 1);   /* index in alloc_regs, -1 none */
    for (uint32_t t = 0; t < nt; t++)
        reg_of[t] = -1;
    /* calls_before[i]: helper calls at indices < i; a range spans a call
     * if one lies strictly inside it (inputs are read before the call,
     * the output written after it) */
    uint32_t *calls_before = g_new(uint32_t, ir->n_insns + 2);
    calls_before[0] = 0;
    for (uint32_t i = 0; i <= ir->n_insns; i++)
        calls_before[i + 1] = calls_before[i] +
                              (i < ir->n_insns && ir->insns[i].op == IR_CALL);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t t = order[k];
        int free_r = -1, worst_r = -1;
        bool spans_call = calls_before[iv[t].last] > calls_before[iv[t].first + 1];
        for (int r = 0; r < n_regs; r++)
            if (active[r] >= 0 && iv[active[r]].last <= iv[t].first)
                active[r] = -1;
        /* a free register, the last listed first (caller-saved ones for
         * short ranges); else the allowed one whose range ends last */
        for (int r = n_regs; r-- > 0;) {
            if (spans_call && !survives_call[r])
                continue;
            if (active[r] < 0) {
                if (free_r < 0)
                    free_r = r;
            } else if (worst_r < 0 || iv[active[r]].last > iv[active[worst_r]].last) {
                worst_r = r;
            }
        }
        if (free_r >= 0) {
            active[free_r] = (int32_t)t;
            reg_of[t] = (int8_t)free_r;
        } else if (worst_r >= 0 && iv[active[worst_r]].last > iv[t].last) {
            reg_of[active[worst_r]] = -1;         /* spill the longest */
            active[worst_r] = (int32_t)t;
            reg_of[t] = (int8_t)worst_r;
        }
    }
    g_free(calls_before);
    uint32_t slots = 0;
    uint32_t used = 0;
    uint32_t *slot_end = g_new(uint32_t, 2 * n + 2);   /* last use of each slot's temp */
    for (uint32_t t = 0; t < nt; t++) {
        if (ti[t].is_const) {
            ra->loc[t] = (RALoc){ .kind = RA_CONST, .value = ti[t].value };
        } else if (reg_of[t] >= 0) {
            int8_t reg = host->alloc_regs[reg_of[t]];
            ra->loc[t] = (RALoc){ .kind = RA_REG, .reg = reg };
            used |= 1u << reg;
        } else if (iv[t].first == UINT32_MAX) {
            ra->loc[t] = (RALoc){ .kind = RA_NONE, .reg = host->scratch_reg };
        }
    }
    /* stack slots, in order of start: reuse a slot whose range has ended */
    for (uint32_t k = 0; k < n; k++) {
        uint32_t t = order[k], sl;
        if (reg_of[t] >= 0 || ti[t].is_const)
            continue;
        if (ir->temp_type[t] == IR_I64) {
            /* two words, the first even (8-byte aligned) */
            for (sl = 0; sl < slots; sl += 2)
                if (slot_end[sl] < iv[t].first &&
                    (sl + 1 == slots || slot_end[sl + 1] < iv[t].first))
                    break;
            if (sl + 2 > slots)
                slots = sl + 2;
            slot_end[sl] = slot_end[sl + 1] = iv[t].last;
            ra->loc[t] = (RALoc){ .kind = RA_SLOT, .value = sl };
            continue;
        }
        for (sl = 0; sl < slots && slot_end[sl] >= iv[t].first; sl++)
            ;
        if (sl == slots)
            slots++;
        slot_end[sl] = iv[t].last;
        ra->loc[t] = (RALoc){ .kind = RA_SLOT, .value = sl };
    }
    g_free(slot_end);
    ra->used_regs = used;
    ra->n_slots = slots;
    g_free(reg_of);
    g_free(order);
    g_free(iv);
}

void ra_run(RABlock *ra, const HostDesc *host, const IRBlock *ir, bool sink_stores)
{
    uint32_t ni = ir->n_insns + 1;
    memset(ra, 0, sizeof(*ra));
    ra->temps = ra_temp_info(ir);
    ra->loc = g_new0(RALoc, ir->n_temps + 1);
    ra->label_pos = g_new0(uint32_t, ir->n_labels + 1);
    for (uint32_t n = 0; n < ir->n_insns; n++)
        if (ir->insns[n].op == IR_LABEL)
            ra->label_pos[ir->insns[n].imm] = n;
    ra->sink_to = g_new(uint32_t, 3 * ni);
    ra->sink_head = ra->sink_to + ni;
    ra->sink_next = ra->sink_head + ni;
    ra->sink_remat = g_new(uint32_t, ni);
    ra->remat_def = g_new0(bool, ni);
    if (sink_stores) {
        ra_plan_sinking(ir, ra->label_pos, ra->sink_to, ra->sink_head, ra->sink_next);
        ra_plan_remat(ir, ra->temps, ra);
    } else {
        for (uint32_t n = 0; n < ni; n++)
            ra->sink_to[n] = ra->sink_head[n] = ra->sink_next[n] = ra->sink_remat[n] =
                UINT32_MAX;
    }
    ra_allocate(ra, host, ir);
}

void ra_free(RABlock *ra)
{
    g_free(ra->temps);
    g_free(ra->loc);
    g_free(ra->label_pos);
    g_free(ra->sink_to);
    g_free(ra->sink_remat);
    g_free(ra->remat_def);
    memset(ra, 0, sizeof(*ra));
}
