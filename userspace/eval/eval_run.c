/*
 * eval_run.c — one query over an event stream: event queries, sequences (per-join-key state
 * machines), the head/tail pipes; samples are in eval_sample.c.
 *
 * Sequences, as Elasticsearch runs them:
 *   - stages are expanded (`with runs=N` repeats a stage) and split into positive stages and
 *     missing (`![...]`) stages, which sit in the gaps between positive ones;
 *   - per join key, slot j holds at most one partial sequence that completed positive stage j;
 *     a newer partial replaces the older one in the same slot;
 *   - an event is tried against the stages from the last to the first, so one event advances
 *     a partial by at most one stage (it may still start a new one);
 *   - maxspan is measured from the first event (last.ts - first.ts <= maxspan);
 *   - `until` with the same key drops every partial of that key (after the event was tried
 *     against the stages: the until event itself may still complete a match);
 *   - missing stages (see complete()): one between positive stages drops the match; a
 *     trailing one holds a completed match back until maxspan has passed without it; a
 *     leading one rejects a match when it occurred within maxspan before the match's end;
 *     leading and trailing together reject only when all occur within maxspan (this is
 *     what the Elasticsearch missing-events suite expects);
 *   - a multi-valued join key joins on each of its values (one key per combination);
 *   - partials are bounded by max_pending: the oldest is evicted (and counted).
 * Events are cloned only when kept, once per event, shared by reference count.
 */
#include "eval/eval_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- held events ---- */

struct held *run_hold_cur(struct eval_run *r)
{
    struct held *h = *r->cur;
    if (!h) {
        void *mem; /* the holder lives in the clone's allocation */
        struct event *ev = event_clone_extra(r->cur_src, sizeof *h, &mem);
        h = mem;
        h->ev = ev;
        h->refs = 1; /* the eval_shared's own reference, dropped by eval_shared_release */
        *r->cur = h;
    }
    h->refs++;
    return h;
}

void eval_shared_init(struct eval_shared *sh, const struct event *ev)
{
    sh->src = ev;
    sh->dir = NULL;
    sh->held = NULL;
}

void eval_shared_release(struct eval_shared *sh)
{
    run_held_put(sh->held); /* frees the clone if no run kept it */
    sh->held = NULL;
}

void run_held_put(struct held *h)
{
    if (h && --h->refs == 0)
        event_free(h->ev); /* h itself is part of the clone's allocation */
}

void run_kept_clear(struct kept *k)
{
    for (uint32_t i = 0; i < k->n; i++)
        run_held_put(k->ev[i]);
    free(k->ev);
    free(k->key);
    memset(k, 0, sizeof *k);
}

/* ---- output through the pipes ---- */

static void emit_events(struct held *const *ev, uint32_t n, eval_match_fn fn, void *ud,
                        struct eval_run *r)
{
    const struct event *list[64];
    const struct event **l = n <= 64 ? list : xmalloc(sizeof *l * n);
    for (uint32_t i = 0; i < n; i++)
        l[i] = ev[i]->ev;
    struct eval_match m = {.events = l, .n = n};
    r->st.matches++;
    fn(ud, &m);
    if (l != list)
        free(l);
}

static bool pipes_open(const struct eval_run *r)
{
    return r->passed < r->limit;
}

/*
 * A result: events[0..n) (borrowed; `held` non-NULL when they are already held). Counts
 * against head; goes out now, or into the tail ring.
 */
void run_result(struct eval_run *r, const struct event *single, struct held **held, uint32_t n,
                   eval_match_fn fn, void *ud)
{
    if (!pipes_open(r))
        return;
    r->passed++;
    if (!r->has_tail) {
        if (held) {
            emit_events(held, n, fn, ud, r);
        } else {
            struct eval_match m = {.events = &single, .n = 1};
            r->st.matches++;
            fn(ud, &m);
        }
        return;
    }
    if (r->tail == 0)
        return;
    struct kept k = {0};
    k.n = n;
    k.ev = xmalloc(sizeof *k.ev * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        if (held) {
            k.ev[i] = held[i];
            held[i]->refs++;
        } else {
            k.ev[i] = run_hold_cur(r);
        }
    }
    uint64_t slot = (r->ring_head + r->ring_n) % r->tail;
    if (r->ring_n == r->tail) {
        run_kept_clear(&r->ring[r->ring_head]);
        r->ring_head = (r->ring_head + 1) % r->tail;
        slot = (r->ring_head + r->ring_n - 1) % r->tail;
    } else {
        r->ring_n++;
    }
    r->ring[slot] = k;
}

static void flush_tail(struct eval_run *r, eval_match_fn fn, void *ud)
{
    if (!r->has_tail)
        return;
    uint64_t start = 0, end = r->ring_n;
    for (uint32_t i = r->post_pipe; i < r->q->npipes; i++) {
        const struct ir_pipe *p = &r->q->pipes[i];
        uint64_t n = p->n > 0 ? (uint64_t)p->n : 0;
        if (p->kind == IR_PIPE_HEAD)
            end = start + n < end ? start + n : end;
        else
            start = end > n && end - n > start ? end - n : start;
    }
    for (uint64_t i = 0; i < r->ring_n; i++) {
        struct kept *k = &r->ring[(r->ring_head + i) % r->tail];
        if (i >= start && i < end)
            emit_events(k->ev, k->n, fn, ud, r);
        run_kept_clear(k);
    }
    r->ring_n = 0;
}

/* ---- key table ---- */

/* Hash of a serialized key (keys are long: host ids, entity ids) */
static uint64_t key_hash(const char *k, uint32_t n)
{
    return hash_words(k, n, 0);
}

struct keyent *run_key_find(struct eval_run *r, const char *k, uint32_t n, bool create)
{
    uint64_t h = key_hash(k, n);
    if (r->tabcap) {
        for (struct keyent *e = r->tab[h & (r->tabcap - 1)]; e; e = e->next)
            if (e->hash == h && e->klen == n && !memcmp(e->key, k, n))
                return e;
    }
    if (!create)
        return NULL;
    if (r->nkeys + 1 > r->tabcap) {
        size_t ncap = r->tabcap ? r->tabcap * 2 : 64;
        struct keyent **nt = xcalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < r->tabcap; i++) {
            for (struct keyent *e = r->tab[i], *nx; e; e = nx) {
                nx = e->next;
                e->next = nt[e->hash & (ncap - 1)];
                nt[e->hash & (ncap - 1)] = e;
            }
        }
        free(r->tab);
        r->tab = nt;
        r->tabcap = ncap;
    }
    /* one allocation: the entry, its slots, its sample lists, then the key bytes */
    size_t nslots = r->npos ? r->npos : 1;
    size_t nsev = r->q->kind == IRQ_SAMPLE ? (size_t)r->q->nstages * r->sample_cands : 0;
    size_t nscnt = r->q->kind == IRQ_SAMPLE ? r->q->nstages : 0;
    size_t at_slots = (sizeof(struct keyent) + 7) & ~(size_t)7;
    size_t at_sev = at_slots + nslots * sizeof(struct partial *);
    size_t at_scnt = at_sev + nsev * sizeof(struct held *);
    size_t at_key = at_scnt + nscnt * sizeof(uint32_t);
    char *mem = xmalloc(at_key + (n ? n : 1));
    memset(mem, 0, at_key);
    struct keyent *e = (struct keyent *)mem;
    e->hash = h;
    e->klen = n;
    e->key = mem + at_key;
    memcpy(e->key, k, n);
    e->slots = (struct partial **)(mem + at_slots);
    if (r->q->kind == IRQ_SAMPLE) {
        e->sev = (struct held **)(mem + at_sev);
        e->scnt = (uint32_t *)(mem + at_scnt);
    }
    e->next = r->tab[h & (r->tabcap - 1)];
    r->tab[h & (r->tabcap - 1)] = e;
    r->nkeys++;
    return e;
}

static void key_drop_if_unused(struct eval_run *r, struct keyent *e)
{
    if (e->users || e->has_lead || r->q->kind == IRQ_SAMPLE)
        return;
    struct keyent **pp = &r->tab[e->hash & (r->tabcap - 1)];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    free(e->lead_ts);
    free(e); /* slots and key live in the same allocation */
    r->nkeys--;
}

/* ---- partials ---- */

static struct partial *partial_new(struct eval_run *r, struct keyent *key)
{
    struct partial *p = xcalloc(1, sizeof *p + sizeof p->ev[0] * r->npos);
    p->key = key;
    p->older = r->newest;
    if (r->newest)
        r->newest->newer = p;
    else
        r->oldest = p;
    r->newest = p;
    key->users++;
    r->st.pending++;
    return p;
}

/* Unlink and free p (its key entry too when nothing else uses it). */
static void partial_free(struct eval_run *r, struct partial *p)
{
    if (p->older)
        p->older->newer = p->newer;
    else
        r->oldest = p->newer;
    if (p->newer)
        p->newer->older = p->older;
    else
        r->newest = p->older;
    for (uint32_t i = 0; i <= p->slot && i < r->npos; i++)
        run_held_put(p->ev[i]);
    struct keyent *k = p->key;
    k->users--;
    r->st.pending--;
    free(p);
    key_drop_if_unused(r, k);
}

/* Drop the partial in slot j of k, if any. */
static void slot_clear(struct eval_run *r, struct keyent *k, uint32_t j)
{
    struct partial *p = k->slots[j];
    if (p) {
        k->slots[j] = NULL;
        partial_free(r, p);
    }
}

static void evict(struct eval_run *r)
{
    while (r->st.pending > r->max_pending && r->oldest) {
        struct partial *p = r->oldest;
        struct keyent *k = p->key;
        bool found = false;
        for (uint32_t j = 0; j < r->npos; j++) {
            if (k->slots[j] == p) {
                k->slots[j] = NULL;
                found = true;
            }
        }
        if (!found) { /* awaiting: remove from that list */
            for (size_t i = 0; i < r->nawait; i++) {
                if (r->awaiting[i] == p) {
                    memmove(r->awaiting + i, r->awaiting + i + 1,
                            (r->nawait - i - 1) * sizeof *r->awaiting);
                    r->nawait--;
                    break;
                }
            }
        }
        partial_free(r, p);
        r->st.evicted++;
    }
}

/* ---- building a run ---- */

struct eval_run *eval_run_new(const struct ir_query *q, const struct eval_limits *lim)
{
    struct eval_run *r = xcalloc(1, sizeof *r);
    r->q = q;
    r->max_pending = lim && lim->max_pending ? lim->max_pending : 10000;
    r->max_samples = lim && lim->max_samples_per_key ? lim->max_samples_per_key : 1;
    if (r->max_samples > 64)
        r->max_samples = 64;
    /* one event may fit several stages: keep enough candidates to find distinct ones */
    r->sample_cands = r->max_samples + (q->nstages ? q->nstages - 1 : 0);
    r->limit = UINT64_MAX;
    for (uint32_t i = 0; i < q->npipes; i++) {
        const struct ir_pipe *p = &q->pipes[i];
        uint64_t n = p->n > 0 ? (uint64_t)p->n : 0;
        if (p->kind == IR_PIPE_TAIL) {
            r->has_tail = true;
            r->tail = n;
            r->post_pipe = i + 1;
            break;
        }
        if (n < r->limit)
            r->limit = n;
    }
    if (r->has_tail && r->tail)
        r->ring = xcalloc(r->tail > 100000 ? 100000 : r->tail, sizeof *r->ring);
    if (r->has_tail && r->tail > 100000)
        r->tail = 100000; /* bounded memory; larger tails keep the last 100000 */
    if (q->kind == IRQ_SEQUENCE) {
        uint32_t total = 0;
        for (uint32_t i = 0; i < q->nstages; i++)
            total += q->stages[i].runs > 1 ? q->stages[i].runs : 1;
        r->pos = xcalloc(total ? total : 1, sizeof *r->pos);
        r->miss = xcalloc(total ? total : 1, sizeof *r->miss);
        r->miss_gap = xcalloc(total ? total : 1, sizeof *r->miss_gap);
        for (uint32_t i = 0; i < q->nstages; i++) {
            const struct ir_stage *s = &q->stages[i];
            uint32_t runs = s->runs > 1 ? s->runs : 1;
            for (uint32_t k = 0; k < runs; k++) {
                struct xstage x = {s->cond, s->by, s->nby, i};
                if (s->missing) {
                    r->miss_gap[r->nmiss] = r->npos;
                    r->miss[r->nmiss++] = x;
                } else {
                    r->pos[r->npos++] = x;
                }
            }
        }
        if (r->nmiss > 64)
            r->nmiss = 64; /* stages are bounded far below this by the compiler */
        for (uint32_t i = 0; i < r->nmiss; i++) {
            uint64_t bit = 1ull << i;
            if (r->miss_gap[i] == 0)
                r->lead_bits |= bit;
            else if (r->miss_gap[i] == r->npos)
                r->trail_bits |= bit;
            else
                r->mid_bits |= bit;
        }
        r->has_leading = r->lead_bits != 0;
        r->has_trailing = r->trail_bits != 0;
        r->kn = xmalloc(q->nstages + 1);
    }
    return r;
}

void eval_run_free(struct eval_run *r)
{
    if (!r)
        return;
    while (r->oldest) {
        struct partial *p = r->oldest;
        for (uint32_t j = 0; j < r->npos; j++)
            if (p->key->slots[j] == p)
                p->key->slots[j] = NULL;
        partial_free(r, p);
    }
    for (size_t i = 0; i < r->tabcap; i++) {
        for (struct keyent *e = r->tab[i], *nx; e; e = nx) {
            nx = e->next;
            if (e->sev)
                for (size_t j = 0; j < (size_t)r->q->nstages * r->sample_cands; j++)
                    run_held_put(e->sev[j]);
            free(e->lead_ts);
            free(e); /* sev, scnt, slots and key live in the same allocation */
        }
    }
    free(r->tab);
    for (uint64_t i = 0; i < r->ring_n; i++)
        run_kept_clear(&r->ring[(r->ring_head + i) % r->tail]);
    free(r->ring);
    for (size_t i = 0; i < r->nsamples; i++)
        run_kept_clear(&r->samples[i]);
    free(r->samples);
    free(r->awaiting);
    free(r->pos);
    free(r->miss);
    free(r->miss_gap);
    free(r->kn);
    buf_clear(&r->kbuf);
    free(r);
}

void eval_run_stats(const struct eval_run *r, struct eval_stats *st)
{
    *st = r->st;
}

/* ---- sequences ---- */

/*
 * Missing stages, as the Elasticsearch conformance suite has them: an event of a missing
 * stage between two positive ones drops the match; a leading one drops it when it occurred
 * within maxspan before the match's last event; a trailing one when it occurs before
 * maxspan from the first event has passed (so the match waits until then). With both
 * leading and trailing stages, the match is dropped only when they all occur and the whole
 * sequence with them fits in maxspan.
 */
static void complete(struct eval_run *r, struct partial *p, int64_t last_ts, eval_match_fn fn,
                     void *ud)
{
    int64_t span = r->q->maxspan_ns ? r->q->maxspan_ns : INT64_MAX / 4;
    if (p->seen & r->mid_bits) {
        partial_free(r, p);
        return;
    }
    bool joint = r->has_leading && r->has_trailing;
    if (r->has_leading && !joint && p->lead_any && p->lead_max >= last_ts - span) {
        partial_free(r, p);
        return;
    }
    if (r->has_trailing && (!joint || p->leads_all)) {
        p->deadline = (joint ? p->start_ts : p->first_ts) + span;
        r->awaiting = xgrow(r->awaiting, &r->awaitcap, r->nawait + 1, sizeof *r->awaiting);
        r->awaiting[r->nawait++] = p;
        p->awaiting = true;
        return;
    }
    run_result(r, NULL, p->ev, r->npos, fn, ud);
    partial_free(r, p);
}

/* Emit the awaiting matches whose trailing window closed before `now`. */
static void release_awaiting(struct eval_run *r, int64_t now, bool all, eval_match_fn fn,
                             void *ud)
{
    size_t k = 0;
    for (size_t i = 0; i < r->nawait; i++) {
        struct partial *p = r->awaiting[i];
        if (all || now > p->deadline) {
            run_result(r, NULL, p->ev, r->npos, fn, ud);
            partial_free(r, p);
        } else {
            r->awaiting[k++] = p;
        }
    }
    r->nawait = k;
}

uint32_t run_stage_keys(struct eval_run *r, uint32_t by, uint32_t nby, const struct event *ev)
{
    r->nkeysev = eval_keys(r->q, by, nby, ev, &r->kbuf, r->koffs, EVAL_MAX_KEYS);
    return r->nkeysev;
}


static void missing_event(struct eval_run *r, uint32_t m, const char *key, uint32_t klen,
                          int64_t ts);
static void positive_event(struct eval_run *r, uint32_t j, const char *key, uint32_t klen,
                           int64_t ts, eval_match_fn fn, void *ud);

/*
 * Drop the partials that can no longer complete: more than maxspan after their first event
 * (positive_event would drop them at their next stage; events come in time order). They
 * would otherwise stay until evicted, holding their events' clones: a sequence whose first
 * stage is common keeps max_pending dead partials and each new clone lands in cold memory.
 * Eviction is unchanged: it takes the oldest first, and these are the oldest.
 */
static void expire(struct eval_run *r, int64_t ts)
{
    int64_t span = r->q->maxspan_ns;
    if (r->disorder || ts <= 0)
        return;
    for (struct partial *p = r->oldest, *nx; p && ts - p->first_ts > span; p = nx) {
        nx = p->newer;
        if (p->awaiting)
            continue;
        struct keyent *k = p->key;
        if (p->slot < r->npos && k->slots[p->slot] == p) {
            k->slots[p->slot] = NULL;
        } else {
            bool found = false;
            for (uint32_t j = 0; j < r->npos; j++) {
                if (k->slots[j] == p) {
                    k->slots[j] = NULL;
                    found = true;
                }
            }
            if (!found)
                continue; /* not ours to drop */
        }
        partial_free(r, p);
    }
}

/* The predicate of query stage k (nstages: until) on the current event, evaluated once. */
static enum tri stage_tri(struct eval_run *r, uint32_t k, uint32_t cond, const struct event *ev)
{
    if (r->kn[k] == EVAL_UNKNOWN)
        r->kn[k] = (uint8_t)eval_pred_dir(r->q, cond, ev, r->cur_dir);
    return (enum tri)r->kn[k];
}

static void seq_feed(struct eval_run *r, const struct event *ev, const uint8_t *known,
                     eval_match_fn fn, void *ud)
{
    const struct ir_query *q = r->q;
    int64_t ts = ev->ts;
    if (known)
        memcpy(r->kn, known, q->nstages + 1);
    else
        memset(r->kn, EVAL_UNKNOWN, q->nstages + 1);
    if (r->nawait)
        release_awaiting(r, ts, false, fn, ud);
    if (ts < r->last_ts)
        r->disorder = true;
    r->last_ts = ts;
    if (q->maxspan_ns && r->oldest)
        expire(r, ts);

    /* until: checked after the stages, so an until event may still complete a match */
    bool until = q->has_until && stage_tri(r, q->nstages, q->until.cond, ev) == TRI_TRUE;

    for (uint32_t m = 0; m < r->nmiss; m++) {
        const struct xstage *s = &r->miss[m];
        if (stage_tri(r, s->stage, s->cond, ev) != TRI_TRUE ||
            !run_stage_keys(r, s->by, s->nby, ev))
            continue;
        for (uint32_t ki = 0; ki < r->nkeysev; ki++)
            missing_event(r, m, KEY_P(r, ki), KEY_N(r, ki), ts);
    }

    for (uint32_t j = r->npos; j-- > 0;) {
        const struct xstage *s = &r->pos[j];
        if (stage_tri(r, s->stage, s->cond, ev) != TRI_TRUE ||
            !run_stage_keys(r, s->by, s->nby, ev))
            continue;
        for (uint32_t ki = 0; ki < r->nkeysev; ki++)
            positive_event(r, j, KEY_P(r, ki), KEY_N(r, ki), ts, fn, ud);
    }

    uint32_t nk = until ? run_stage_keys(r, q->until.by, q->until.nby, ev) : 0;
    for (uint32_t ki = 0; ki < nk; ki++) {
        struct keyent *k = run_key_find(r, KEY_P(r, ki), KEY_N(r, ki), false);
        if (k) {
            k->users++; /* keep k alive while its slots empty */
            for (uint32_t j = 0; j < r->npos; j++)
                slot_clear(r, k, j);
            k->users--;
            key_drop_if_unused(r, k);
        }
    }
    evict(r);
}

static void missing_event(struct eval_run *r, uint32_t m, const char *key, uint32_t klen,
                          int64_t ts)
{
    {
        uint32_t gap = r->miss_gap[m];
        uint64_t bit = 1ull << m;
        if (gap == 0) {
            struct keyent *k = run_key_find(r, key, klen, true);
            if (!k->lead_ts)
                k->lead_ts = xcalloc(r->nmiss, sizeof *k->lead_ts);
            k->has_lead = true;
            k->lead_mask |= bit;
            k->lead_ts[m] = ts;
        } else if (gap < r->npos) {
            struct keyent *k = run_key_find(r, key, klen, false);
            if (k && k->slots[gap - 1])
                k->slots[gap - 1]->seen |= bit;
        } else {
            size_t keep = 0;
            for (size_t i = 0; i < r->nawait; i++) {
                struct partial *p = r->awaiting[i];
                if (p->key->klen == klen && !memcmp(p->key->key, key, klen) &&
                    ts <= p->deadline && !(p->seen & bit)) {
                    p->seen |= bit;
                    if (ts > p->trail_end)
                        p->trail_end = ts;
                }
                bool joint = r->has_leading;
                if ((p->seen & r->trail_bits) == r->trail_bits || (!joint && (p->seen & bit)))
                    partial_free(r, p); /* the missing event occurred */
                else
                    r->awaiting[keep++] = p;
            }
            r->nawait = keep;
        }
    }
}

static void positive_event(struct eval_run *r, uint32_t j, const char *key, uint32_t klen,
                           int64_t ts, eval_match_fn fn, void *ud)
{
    const struct ir_query *q = r->q;
    {
        struct keyent *k = run_key_find(r, key, klen, j == 0);
        if (!k)
            return;
        struct partial *p;
        if (j == 0) {
            p = partial_new(r, k);
            p->first_ts = ts;
            p->slot = 0;
            p->ev[0] = run_hold_cur(r);
            p->start_ts = ts;
            if (r->has_leading) {
                p->leads_all = (k->lead_mask & r->lead_bits) == r->lead_bits;
                p->lead_any = (k->lead_mask & r->lead_bits) != 0;
                p->lead_max = INT64_MIN;
                for (uint32_t m = 0; m < r->nmiss; m++)
                    if ((k->lead_mask >> m & 1) && k->lead_ts[m] > p->lead_max)
                        p->lead_max = k->lead_ts[m];
                for (uint32_t m = 0; p->leads_all && m < r->nmiss; m++)
                    if ((r->lead_bits >> m & 1) && k->lead_ts[m] < p->start_ts)
                        p->start_ts = k->lead_ts[m];
            }
            if (r->npos == 1) {
                complete(r, p, ts, fn, ud);
                return;
            }
            slot_clear(r, k, 0);
            k->slots[0] = p;
            return;
        }
        p = k->slots[j - 1];
        if (!p)
            return;
        k->slots[j - 1] = NULL;
        if (q->maxspan_ns && ts - p->first_ts > q->maxspan_ns) {
            partial_free(r, p);
            return;
        }
        p->ev[j] = run_hold_cur(r);
        p->slot = j;
        if (j == r->npos - 1) {
            complete(r, p, ts, fn, ud);
            return;
        }
        k->users++;
        slot_clear(r, k, j);
        k->users--;
        k->slots[j] = p;
    }
}

/* ---- feeding ---- */

void eval_run_feed(struct eval_run *r, const struct event *ev, eval_match_fn fn, void *ud)
{
    struct eval_shared sh;
    eval_shared_init(&sh, ev);
    eval_run_feed_shared(r, &sh, fn, ud);
    eval_shared_release(&sh);
}

void eval_run_feed_shared(struct eval_run *r, struct eval_shared *sh, eval_match_fn fn,
                          void *ud)
{
    eval_run_feed_known(r, sh, NULL, fn, ud);
}

void eval_run_feed_known(struct eval_run *r, struct eval_shared *sh, const uint8_t *known,
                         eval_match_fn fn, void *ud)
{
    if (!pipes_open(r))
        return;
    const struct event *ev = sh->src;
    r->cur = &sh->held;
    r->cur_src = ev;
    r->cur_dir = sh->dir;
    switch (r->q->kind) {
    case IRQ_EVENT:
        if (r->q->nstages &&
            eval_pred_dir(r->q, r->q->stages[0].cond, ev, r->cur_dir) == TRI_TRUE)
            run_result(r, ev, NULL, 1, fn, ud);
        break;
    case IRQ_SEQUENCE:
        seq_feed(r, ev, known, fn, ud);
        break;
    case IRQ_SAMPLE:
        run_sample_feed(r, ev);
        break;
    }
    r->cur = NULL;
    r->cur_src = NULL;
    r->cur_dir = NULL;
    if (!pipes_open(r) && !r->has_tail) {
        /* head reached: nothing more can come out; drop the state early */
        while (r->oldest) {
            struct partial *p = r->oldest;
            for (uint32_t j = 0; j < r->npos; j++)
                if (p->key->slots[j] == p)
                    p->key->slots[j] = NULL;
            partial_free(r, p);
        }
        r->nawait = 0;
    }
}

void eval_run_finish(struct eval_run *r, eval_match_fn fn, void *ud)
{
    if (r->q->kind == IRQ_SEQUENCE && r->nawait)
        release_awaiting(r, 0, true, fn, ud);
    if (r->q->kind == IRQ_SAMPLE)
        run_sample_collect(r);
    if (r->q->kind == IRQ_SAMPLE && r->nsamples) {
        qsort(r->samples, r->nsamples, sizeof *r->samples, run_kept_cmp);
        for (size_t i = 0; i < r->nsamples; i++) {
            run_result(r, NULL, r->samples[i].ev, r->samples[i].n, fn, ud);
            run_kept_clear(&r->samples[i]);
        }
        r->nsamples = 0;
    }
    flush_tail(r, fn, ud);
}
