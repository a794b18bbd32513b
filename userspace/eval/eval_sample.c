/*
 * eval_sample.c — samples (`sample by k [q1] [q2] ...`): unordered; per join key, the first
 * candidates of each stage are kept, combined into samples at the end of the stream (one
 * per key unless eval_limits.max_samples_per_key says more, never one event twice in a
 * sample), and emitted ordered by key, as Elasticsearch does.
 */
#include "eval/eval_int.h"

#include <stdlib.h>
#include <string.h>

static void sample_add(struct eval_run *r, uint32_t j, const char *key, uint32_t klen);

void run_sample_feed(struct eval_run *r, const struct event *ev)
{
    const struct ir_query *q = r->q;
    for (uint32_t j = 0; j < q->nstages; j++) {
        const struct ir_stage *s = &q->stages[j];
        if (eval_pred_dir(q, s->cond, ev, r->cur_dir) != TRI_TRUE ||
            !run_stage_keys(r, s->by, s->nby, ev))
            continue;
        for (uint32_t ki = 0; ki < r->nkeysev; ki++)
            sample_add(r, j, KEY_P(r, ki), KEY_N(r, ki));
    }
}

static void sample_add(struct eval_run *r, uint32_t j, const char *key, uint32_t klen)
{
    struct keyent *k = run_key_find(r, key, klen, true);
    struct held **list = k->sev + (size_t)j * r->sample_cands;
    if (k->scnt[j] >= r->sample_cands)
        return;
    if (k->scnt[j] && *r->cur && list[k->scnt[j] - 1] == *r->cur)
        return; /* the same event twice under one key (a duplicated key value) */
    list[k->scnt[j]++] = run_hold_cur(r);
}

/*
 * At the end: per key, samples are combinations of one candidate per stage (the first
 * candidates of each, in arrival order), without an event twice in one sample,
 * at most max_samples per key; all ordered by key.
 */
void run_sample_collect(struct eval_run *r)
{
    uint32_t ns = r->q->nstages, idx[64];
    uint64_t order = 0;
    if (ns == 0 || ns > 64)
        return;
    for (size_t b = 0; b < r->tabcap; b++) {
        for (struct keyent *k = r->tab[b]; k; k = k->next) {
            bool empty = false;
            for (uint32_t j = 0; j < ns; j++)
                empty |= k->scnt[j] == 0;
            if (empty)
                continue;
            memset(idx, 0, sizeof idx);
            uint32_t made = 0;
            for (;;) {
                bool dup = false;
                for (uint32_t x = 0; x < ns && !dup; x++)
                    for (uint32_t y = x + 1; y < ns && !dup; y++)
                        dup = k->sev[x * r->sample_cands + idx[x]] ==
                              k->sev[y * r->sample_cands + idx[y]];
                if (!dup) {
                    struct kept kp = {0};
                    kp.n = ns;
                    kp.ev = xmalloc(sizeof *kp.ev * ns);
                    for (uint32_t j = 0; j < ns; j++) {
                        kp.ev[j] = k->sev[j * r->sample_cands + idx[j]];
                        kp.ev[j]->refs++;
                    }
                    kp.key = xmalloc(k->klen ? k->klen : 1);
                    memcpy(kp.key, k->key, k->klen);
                    kp.klen = k->klen;
                    kp.order = order++;
                    r->samples =
                        xgrow(r->samples, &r->samplecap, r->nsamples + 1, sizeof *r->samples);
                    r->samples[r->nsamples++] = kp;
                    if (++made == r->max_samples)
                        break;
                }
                uint32_t j = ns; /* next combination, the last stage fastest */
                while (j-- > 0) {
                    if (++idx[j] < k->scnt[j])
                        break;
                    idx[j] = 0;
                }
                if (j == UINT32_MAX)
                    break;
            }
        }
    }
}

/* Order serialized keys by their values (see key_put in eval_pred.c). */
static int key_cmp_at(const char *a, size_t an, size_t *i, const char *b, size_t bn, size_t *j)
{
    char ta = a[*i], tb = b[*j];
    (*i)++;
    (*j)++;
    if (ta != tb)
        return ta == 'N' ? -1 : tb == 'N' ? 1 : (ta < tb ? -1 : 1);
    switch (ta) {
    case 'L': {
        int64_t x, y;
        memcpy(&x, a + *i, 8);
        memcpy(&y, b + *j, 8);
        *i += 8;
        *j += 8;
        return x < y ? -1 : x > y;
    }
    case 'D': {
        double x, y;
        memcpy(&x, a + *i, 8);
        memcpy(&y, b + *j, 8);
        *i += 8;
        *j += 8;
        return x < y ? -1 : x > y;
    }
    case 'S': {
        uint32_t x, y;
        memcpy(&x, a + *i, 4);
        memcpy(&y, b + *j, 4);
        *i += 4;
        *j += 4;
        int c = memcmp(a + *i, b + *j, x < y ? x : y);
        *i += x;
        *j += y;
        return c ? (c < 0 ? -1 : 1) : (x < y ? -1 : x > y);
    }
    case 'A': {
        uint32_t x, y;
        memcpy(&x, a + *i, 4);
        memcpy(&y, b + *j, 4);
        *i += 4;
        *j += 4;
        for (uint32_t k = 0; k < x && k < y; k++) {
            int c = key_cmp_at(a, an, i, b, bn, j);
            if (c)
                return c;
        }
        return x < y ? -1 : x > y;
    }
    case 'F':
    case 'T':
    case 'N':
    case 'K':
    default:
        return 0;
    }
}

int run_kept_cmp(const void *pa, const void *pb)
{
    const struct kept *a = pa, *b = pb;
    size_t i = 0, j = 0;
    while (i < a->klen && j < b->klen) {
        int c = key_cmp_at(a->key, a->klen, &i, b->key, b->klen, &j);
        if (c)
            return c;
    }
    int c = (i < a->klen) - (j < b->klen);
    return c ? c : (a->order < b->order ? -1 : a->order > b->order);
}

