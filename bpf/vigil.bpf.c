// SPDX-License-Identifier: GPL-2.0
/*
 * vigil.bpf.c — the kernel side of the live sensor: process exec/fork/exit, connect() with its
 * result, and prctl(PR_SET_NAME), as records (vigil_event.h) on one ring buffer.
 *
 * Tracepoints only (classic and raw): kprobes, fentry and BPF LSM do not exist on the kernels
 * this runs on. CO-RE throughout; helpers no newer than 5.8 so the object loads on 5.10+.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "vigil_event.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define PR_SET_NAME 15
#define S_IFMT 00170000
#define S_IFSOCK 0140000

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* ---- tunables, set by the loader between open and load ---- */
const volatile __u32 self_tgid = 0;                 /* the sensor: never reported */
const volatile __u32 argv_max = VIGIL_ARGV_DEFAULT; /* <= VIGIL_ARGV_CAP */
const volatile __u32 follow_tree = 0; /* 1: only processes in `tracked` and their children */

/* ---- maps ---- */
struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 << 20); /* resized by the loader */
} events SEC(".maps");

/* failed ring buffer writes, per CPU, per record kind */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, VIGIL_REC_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} drops SEC(".maps");

/*
 * Room to build an exec record before copying it out. Tail offsets are masked with
 * SCRATCH_OFF_MASK so the verifier can bound every write: the fixed part, filename, exe and
 * cwd stay below 16 KiB (1 + 3 * VIGIL_PATH_CAP + slack), argv (<= VIGIL_ARGV_CAP) goes after.
 * A plain array with one slot per CPU (sized by the loader): per-CPU array values are limited
 * to 32 KiB.
 */
#define SCRATCH_OFF_MASK 0x3fff
#define SCRATCH_SIZE (SCRATCH_OFF_MASK + 1 + VIGIL_ARGV_CAP + VIGIL_NAME_CAP)
struct scratch {
    __u8 buf[SCRATCH_SIZE];
};
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1); /* set to the number of possible CPUs by the loader */
    __type(key, __u32);
    __type(value, struct scratch);
} scratch SEC(".maps");

/* fork lineage: child tgid -> the process that forked it */
struct lineage {
    __u32 ppid;
    __u32 pad;
    __u64 pstart;
};
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, struct lineage);
} lineage SEC(".maps");

/* connect() arguments from sys_enter, per thread, until sys_exit */
struct conn_args {
    __u64 sk; /* struct sock *, 0 when the fd is not a socket */
    __u32 fd;
    __u16 family, sock_type, protocol, dport;
    __u8 daddr[16];
};
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32);
    __type(value, struct conn_args);
} conns SEC(".maps");

/* with follow_tree: the process trees being recorded (tgid -> 1) */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} tracked SEC(".maps");

/* ---- helpers ---- */

static __always_inline void count_drop(__u32 kind)
{
    __u64 *n = bpf_map_lookup_elem(&drops, &kind);
    if (n)
        *n += 1;
}

/* is this process one we report? */
static __always_inline bool wanted(__u32 tgid)
{
    if (tgid == self_tgid)
        return false;
    if (follow_tree && !bpf_map_lookup_elem(&tracked, &tgid))
        return false;
    return true;
}

static __always_inline __u64 leader_start(struct task_struct *t)
{
    return BPF_CORE_READ(t, group_leader, start_boottime);
}

static __always_inline void fill_hdr(struct vigil_rec_hdr *h, __u16 kind, __u32 size,
                                     struct task_struct *t)
{
    __u64 id = bpf_get_current_pid_tgid();
    h->kind = kind;
    h->flags = 0;
    h->size = size;
    h->ktime = bpf_ktime_get_ns();
    h->pid = (__u32)id;
    h->tgid = id >> 32;
    h->start = leader_start(t);
}

/*
 * Write the components of `path`, leaf first, each NUL-terminated, at buf + *off. Crosses
 * mount points through struct mount (container of the vfsmount). Returns VIGIL_F_*_PRESENT or
 * with *_TRUNC when the path was deeper than VIGIL_PATH_DEPTH or longer than VIGIL_PATH_CAP.
 * bpf_d_path is not allowed from tracepoints, hence the walk.
 */
static __always_inline __u16 walk_path(__u8 *buf, __u32 *off, struct path *path, __u16 present,
                                       __u16 trunc)
{
    struct dentry *d = BPF_CORE_READ(path, dentry);
    struct vfsmount *vm = BPF_CORE_READ(path, mnt);
    /* container_of(vm, struct mount, mnt), with the offset relocated for this kernel */
    struct mount *mnt = (void *)vm - bpf_core_field_offset(struct mount, mnt);
    struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
    __u32 start = *off, pos = *off;
    __u16 ret = present | trunc;

    if (!d || !vm)
        return 0;
    for (int i = 0; i < VIGIL_PATH_DEPTH; i++) {
        /*
         * Forget what the verifier knows of pos (it stays far below the mask anyway): the
         * states of the loop's branches then compare equal and are pruned, instead of
         * multiplying across the two walks.
         */
        pos &= SCRATCH_OFF_MASK;
        struct dentry *parent = BPF_CORE_READ(d, d_parent);
        if (d == mnt_root || d == parent) {
            struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
            if (mp == mnt || !mp) {
                ret = present; /* reached the root of the mount tree */
                break;
            }
            d = BPF_CORE_READ(mnt, mnt_mountpoint);
            mnt = mp;
            mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
            continue;
        }
        /* keep one component of room below VIGIL_PATH_CAP */
        if (pos - start > VIGIL_PATH_CAP - VIGIL_NAME_CAP)
            break;
        const unsigned char *name = BPF_CORE_READ(d, d_name.name);
        long n = bpf_probe_read_kernel_str(buf + pos, VIGIL_NAME_CAP, name);
        if (n <= 0)
            break;
        pos += n;
        d = parent;
    }
    *off = pos & SCRATCH_OFF_MASK;
    return ret;
}

/* ---- exec ---- */

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    __u32 cpu = bpf_get_smp_processor_id();
    struct vigil_rec_exec *e;
    struct scratch *s;
    __u32 off;
    __u64 as, ae, len;

    if (!wanted(tgid))
        return 0;
    /* this CPU's slot: tracepoint programs do not migrate while they run */
    s = bpf_map_lookup_elem(&scratch, &cpu);
    if (!s)
        return 0;
    e = (struct vigil_rec_exec *)s->buf;
    fill_hdr(&e->h, VIGIL_REC_EXEC, 0, task);

    /* parent from fork lineage; real_parent when the fork was not seen */
    struct lineage *lin = bpf_map_lookup_elem(&lineage, &tgid);
    e->real_ppid = BPF_CORE_READ(task, real_parent, tgid);
    if (lin) {
        e->ppid = lin->ppid;
        e->parent_start = lin->pstart;
        e->h.flags |= VIGIL_F_PPID_LINEAGE;
    } else {
        e->ppid = e->real_ppid;
        e->parent_start = BPF_CORE_READ(task, real_parent, group_leader, start_boottime);
    }

    e->uid = BPF_CORE_READ(task, cred, uid.val);
    e->gid = BPF_CORE_READ(task, cred, gid.val);
    e->euid = BPF_CORE_READ(task, cred, euid.val);
    e->egid = BPF_CORE_READ(task, cred, egid.val);
    e->cgroup_id = bpf_get_current_cgroup_id();
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    e->pad0 = 0;

    /* filename as given to execve: a __data_loc string in the tracepoint record */
    off = sizeof(*e);
    __u32 loc = BPF_CORE_READ(ctx, __data_loc_filename);
    long n = bpf_probe_read_kernel_str(s->buf + off, VIGIL_PATH_CAP, (void *)ctx + (loc & 0xffff));
    e->filename_len = n > 0 ? n : 0;
    off += e->filename_len;

    /* exe: mm->exe_file is the new image at this point */
    struct path p;
    struct file *exe = BPF_CORE_READ(task, mm, exe_file);
    __u32 mark = off;
    if (exe && !bpf_probe_read_kernel(&p, sizeof(p), __builtin_preserve_access_index(&exe->f_path)))
        e->h.flags |= walk_path(s->buf, &off, &p, VIGIL_F_EXE_PRESENT, VIGIL_F_EXE_TRUNC);
    e->exe_len = off - mark;

    /* cwd */
    struct fs_struct *fs = BPF_CORE_READ(task, fs);
    mark = off;
    if (fs && !bpf_probe_read_kernel(&p, sizeof(p), __builtin_preserve_access_index(&fs->pwd)))
        e->h.flags |= walk_path(s->buf, &off, &p, VIGIL_F_CWD_PRESENT, VIGIL_F_CWD_TRUNC);
    e->cwd_len = off - mark;

    /* argv: user memory the kernel has just written, bounded by argv_max */
    as = BPF_CORE_READ(task, mm, arg_start);
    ae = BPF_CORE_READ(task, mm, arg_end);
    len = ae > as ? ae - as : 0;
    e->argv_full = len > 0xffffffffull ? 0xffffffffu : (__u32)len;
    if (len > argv_max) {
        len = argv_max;
        e->h.flags |= VIGIL_F_ARGV_TRUNC;
    }
    /* the compiler may otherwise test one copy of len and pass another to the helper */
    barrier_var(len);
    if (len > VIGIL_ARGV_CAP)
        len = VIGIL_ARGV_CAP;
    barrier_var(len);
    off &= SCRATCH_OFF_MASK;
    if (len && bpf_probe_read_user(s->buf + off, len, (void *)as)) {
        e->h.flags |= VIGIL_F_ARGV_FAULT;
        len = 0;
    }
    e->argv_len = len;
    off += len;

    /* records are 8-byte aligned; the bound is for the verifier, tested on the very
     * register passed to the helper (older verifiers lose it across copies and shifts) */
    __u64 size = ((__u64)off + 7) & ~7ull;
    barrier_var(size);
    if (size > SCRATCH_OFF_MASK + 1 + VIGIL_ARGV_CAP)
        return 0;
    e->h.size = size;
    if (bpf_ringbuf_output(&events, s->buf, size, 0))
        count_drop(VIGIL_REC_EXEC);
    return 0;
}

/* ---- fork: raw tracepoint, for the child's task_struct (threads are ignored) ---- */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
    __u32 ptgid = BPF_CORE_READ(parent, tgid);
    __u32 ctgid = BPF_CORE_READ(child, tgid);
    __u32 cpid = BPF_CORE_READ(child, pid);
    struct vigil_rec_fork *f;
    struct lineage lin = {};

    if (cpid != ctgid) /* a new thread */
        return 0;
    if (ptgid == self_tgid)
        return 0;
    if (follow_tree) {
        __u8 one = 1;
        if (!bpf_map_lookup_elem(&tracked, &ptgid))
            return 0;
        bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
    }
    lin.ppid = ptgid;
    lin.pstart = BPF_CORE_READ(parent, group_leader, start_boottime);
    bpf_map_update_elem(&lineage, &ctgid, &lin, BPF_ANY);

    f = bpf_ringbuf_reserve(&events, sizeof(*f), 0);
    if (!f) {
        count_drop(VIGIL_REC_FORK);
        return 0;
    }
    f->h.kind = VIGIL_REC_FORK;
    f->h.flags = 0;
    f->h.size = sizeof(*f);
    f->h.ktime = bpf_ktime_get_ns();
    f->h.pid = cpid;
    f->h.tgid = ctgid;
    f->h.start = BPF_CORE_READ(child, start_boottime);
    f->ppid = ptgid;
    f->pad0 = 0;
    f->parent_start = lin.pstart;
    bpf_ringbuf_submit(f, 0);
    return 0;
}

/* ---- exit: reported when the last thread of a process goes (signal->live reached 0) ---- */

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(void *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tid = (__u32)id, tgid = id >> 32;
    struct vigil_rec_exit *x;

    bpf_map_delete_elem(&conns, &tid);
    if (BPF_CORE_READ(task, signal, live.counter) != 0)
        return 0; /* other threads live on */
    bpf_map_delete_elem(&lineage, &tgid);
    if (!wanted(tgid))
        return 0;
    if (follow_tree)
        bpf_map_delete_elem(&tracked, &tgid);

    x = bpf_ringbuf_reserve(&events, sizeof(*x), 0);
    if (!x) {
        count_drop(VIGIL_REC_EXIT);
        return 0;
    }
    fill_hdr(&x->h, VIGIL_REC_EXIT, sizeof(*x), task);
    x->exit_code = BPF_CORE_READ(task, exit_code);
    x->pad0 = 0;
    bpf_ringbuf_submit(x, 0);
    return 0;
}

/* ---- connect: arguments at entry, kept per thread, reported with the result at exit ---- */

SEC("tracepoint/syscalls/sys_enter_connect")
int handle_connect_enter(struct trace_event_raw_sys_enter *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tid = (__u32)id;
    struct conn_args a = {};
    const void *uaddr = (const void *)ctx->args[1];
    __u32 alen = (__u32)ctx->args[2];
    __u16 family = 0;

    if (!wanted(id >> 32) || !uaddr)
        return 0;
    if (bpf_probe_read_user(&family, sizeof(family), uaddr))
        return 0;
    if (family == AF_INET && alen >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in sin;
        if (bpf_probe_read_user(&sin, sizeof(sin), uaddr))
            return 0;
        a.dport = bpf_ntohs(sin.sin_port);
        __builtin_memcpy(a.daddr, &sin.sin_addr.s_addr, 4);
    } else if (family == AF_INET6 && alen >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 sin6;
        if (bpf_probe_read_user(&sin6, sizeof(sin6), uaddr))
            return 0;
        a.dport = bpf_ntohs(sin6.sin6_port);
        __builtin_memcpy(a.daddr, &sin6.sin6_addr, 16);
    } else {
        return 0; /* AF_UNIX, AF_UNSPEC (UDP disconnect), … */
    }
    a.family = family;
    a.fd = (__u32)ctx->args[0];

    /* the socket behind the fd: task->files->fdt->fd[fd]->private_data */
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *f = NULL;
    if (fds && a.fd < BPF_CORE_READ(fdt, max_fds) &&
        !bpf_probe_read_kernel(&f, sizeof(f), &fds[a.fd]) && f) {
        __u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
        if ((mode & S_IFMT) == S_IFSOCK) {
            struct socket *sock = BPF_CORE_READ(f, private_data);
            struct sock *sk = BPF_CORE_READ(sock, sk);
            a.sock_type = BPF_CORE_READ(sock, type);
            if (sk) {
                a.protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
                a.sk = (__u64)sk;
            }
        }
    }
    bpf_map_update_elem(&conns, &tid, &a, BPF_ANY);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int handle_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct vigil_rec_connect *c;
    struct conn_args *a;
    long ret = ctx->ret;

    a = bpf_map_lookup_elem(&conns, &tid);
    if (!a)
        return 0;
    c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
    if (!c) {
        count_drop(VIGIL_REC_CONNECT);
        bpf_map_delete_elem(&conns, &tid);
        return 0;
    }
    fill_hdr(&c->h, VIGIL_REC_CONNECT, sizeof(*c), task);
    c->err = ret < 0 ? (__u32)-ret : 0;
    c->fd = a->fd;
    c->family = a->family;
    c->sock_type = a->sock_type;
    c->protocol = a->protocol;
    c->dport = a->dport;
    c->sport = 0;
    c->pad0 = 0;
    c->pad1 = 0;
    __builtin_memcpy(c->daddr, a->daddr, 16);
    __builtin_memset(c->saddr, 0, 16);
    c->sfamily = 0;
    c->pad2[0] = c->pad2[1] = c->pad2[2] = 0;
    bpf_get_current_comm(c->comm, sizeof(c->comm));

    /* the local end, as connect() left it (bound by autobind even on failure, sometimes 0) */
    struct sock *sk = (struct sock *)a->sk;
    if (sk) {
        __u16 sf = BPF_CORE_READ(sk, __sk_common.skc_family);
        c->sfamily = sf;
        c->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
        if (sf == AF_INET) {
            __u32 s4 = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
            __builtin_memcpy(c->saddr, &s4, 4);
            c->h.flags |= VIGIL_F_SADDR;
        } else if (sf == AF_INET6) {
            BPF_CORE_READ_INTO(&c->saddr, sk, __sk_common.skc_v6_rcv_saddr);
            c->h.flags |= VIGIL_F_SADDR;
        }
    }
    bpf_map_delete_elem(&conns, &tid);
    bpf_ringbuf_submit(c, 0);
    return 0;
}

/* ---- prctl(PR_SET_NAME) of a main thread: the whole string, not the 15-byte comm ---- */

SEC("tracepoint/syscalls/sys_enter_prctl")
int handle_prctl(struct trace_event_raw_sys_enter *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u64 id = bpf_get_current_pid_tgid();
    struct vigil_rec_setname *r;

    if (ctx->args[0] != PR_SET_NAME || (__u32)id != id >> 32 || !wanted(id >> 32))
        return 0;
    r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
    if (!r) {
        count_drop(VIGIL_REC_SETNAME);
        return 0;
    }
    fill_hdr(&r->h, VIGIL_REC_SETNAME, sizeof(*r), task);
    if (bpf_probe_read_user_str(r->name, sizeof(r->name), (void *)ctx->args[1]) <= 0)
        r->name[0] = 0;
    r->name[sizeof(r->name) - 1] = 0;
    bpf_ringbuf_submit(r, 0);
    return 0;
}
