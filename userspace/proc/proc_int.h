/* proc_int.h — shared between proc.c and proc_seed.c; not part of the interface. */
#ifndef VIGIL_PROC_INT_H
#define VIGIL_PROC_INT_H

#include "proc/proc.h"

struct proc_table {
    uint8_t host_id[16];
    uint64_t linger_ns, tick_ns;
    uint32_t max_exited;
    struct proc *pool;
    uint32_t npool, cap, free_head;
    uint32_t *buckets, nbuckets; /* pid hash -> first pool index, chained by proc.next */
    size_t live, exited;
    uint64_t versions; /* the last proc.version given */
};

/* Replace p's exec info with a copy of x's. */
void proc_set_exec(struct proc_table *t, struct proc *p, const struct proc_exec_info *x);
/* p's process is gone without an exit record. */
void proc_mark_gone(struct proc_table *t, struct proc *p, uint64_t now);

#endif
