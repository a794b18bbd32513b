// SPDX-License-Identifier: GPL-2.0
/*
 * vigil.bpf.c — the kernel side of the live sensor: process exec/fork/exit, connect() with its
 * result, and prctl(PR_SET_NAME), as records (vigil_event.h) on one ring buffer.
 *
 * Tracepoints only (classic and raw): kprobes, fentry and BPF LSM do not exist on the kernels
 * this runs on. CO-RE throughout; helpers newer than 5.8 only behind load-time checks
 * (vigil_task.h), so the object loads on 5.10+.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "vigil_event.h"
#include "vigil_task.h"

char LICENSE[] SEC("license") = "GPL";

#define PR_SET_NAME 15

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* ---- tunables, set by the loader between open and load ---- */
const volatile __u32 self_tgid = 0;                 /* the sensor: never reported */
const volatile __u32 argv_max = VIGIL_ARGV_DEFAULT; /* <= VIGIL_ARGV_CAP */
const volatile __u32 follow_tree = 0; /* 1: only processes in `tracked` and their children */
/*
 * Wake the reader only once this many bytes wait in the ring buffer (0: on every record, the
 * ring buffer's default). The reader polls on a timer instead (sensor_poll): batching saves a
 * wakeup and a context switch per record, which at exec/connect storm rates cost more than
 * the record itself.
 */
const volatile __u32 wakeup_bytes = 0;
/* 1: connects to loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) are not reported at all */
const volatile __u32 skip_loopback = 0;

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
#define SCRATCH_ENV_MASK 0xffff /* the environment starts below 64 KiB (after argv) */
#define SCRATCH_SIZE (SCRATCH_ENV_MASK + 1 + VIGIL_ENV_CAP)
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

/* a Wine client thread (Wine attribution, below) */
struct pipe_writer {
    __u32 tgid, pid;
    __u64 start;
};

/* with follow_tree: the process trees being recorded (tgid -> 1) */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} tracked SEC(".maps");

/*
 * Wine attribution (notes/wine.md): wineserver, not the Windows program, calls connect(). It
 * reads each request from the calling client thread's own request pipe, so the client is the
 * last writer of the pipe wineserver read last. The read/write hooks fire on every read and
 * write of the machine: they return at once while no wineserver runs (the counter below, in
 * .bss, before any map lookup), and otherwise after one hash lookup for non-Wine processes.
 */
__u32 wineservers_n = 0;  /* entries of `wineservers` (set by exec/exit, seeded by the loader) */
__u32 wine_clients_n = 0; /* entries of `wine_clients` */
/*
 * Entries of each map per bucket tgid & WINE_BUCKET_MASK: while a wineserver runs, a read or
 * write of any other process costs one load from .bss here instead of a hash lookup (a
 * non-zero bucket is then confirmed in the map). Kept by role_add/role_del and the loader.
 */
#define WINE_BUCKET_MASK 16383
__u32 wineserver_buckets[WINE_BUCKET_MASK + 1] = {};
__u32 wine_client_buckets[WINE_BUCKET_MASK + 1] = {};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32); /* wineserver tgid */
    __type(value, __u8);
} wineservers SEC(".maps");

/* Wine processes (comm "wine*" or "*.exe" at exec, and their forks): the writers worth
 * remembering */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} wine_clients SEC(".maps");

/* pipe inode (struct inode *) -> the Wine client thread that last wrote to it */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, struct pipe_writer);
} pipe_writers SEC(".maps");

/* wineserver tgid -> the writer of the client pipe it read last */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, struct pipe_writer);
} ws_last_read SEC(".maps");

/* ---- helpers ---- */

/* Add tgid to a Wine role (map, its bucket counts, its total); false when it was there. */
static __always_inline bool role_add(void *map, __u32 *buckets, __u32 *n, __u32 tgid)
{
    __u8 one = 1;
    if (bpf_map_update_elem(map, &tgid, &one, BPF_NOEXIST))
        return false;
    __sync_fetch_and_add(&buckets[tgid & WINE_BUCKET_MASK], 1);
    __sync_fetch_and_add(n, 1);
    return true;
}

static __always_inline bool role_has(void *map, __u32 *buckets, __u32 *n, __u32 tgid)
{
    return *n && buckets[tgid & WINE_BUCKET_MASK] && bpf_map_lookup_elem(map, &tgid);
}

static __always_inline bool role_del(void *map, __u32 *buckets, __u32 *n, __u32 tgid)
{
    if (!*n || !buckets[tgid & WINE_BUCKET_MASK] || bpf_map_delete_elem(map, &tgid))
        return false;
    __sync_fetch_and_add(&buckets[tgid & WINE_BUCKET_MASK], -1);
    __sync_fetch_and_add(n, -1);
    return true;
}
#define SERVER &wineservers, wineserver_buckets, &wineservers_n
#define CLIENT &wine_clients, wine_client_buckets, &wine_clients_n

static __always_inline void count_drop(__u32 kind)
{
    __u64 *n = bpf_map_lookup_elem(&drops, &kind);
    if (n)
        *n += 1;
}

/* a loopback destination: 127.0.0.0/8, ::1 or a v4-mapped 127.x address */
static __always_inline bool is_loopback(__u16 family, const __u8 *a)
{
    if (family == AF_INET)
        return a[0] == 127;
    for (int i = 0; i < 10; i++)
        if (a[i])
            return false;
    if (a[10] == 0xff && a[11] == 0xff)
        return a[12] == 127;
    if (a[10] || a[11] || a[12] || a[13] || a[14])
        return false;
    return a[15] == 1;
}

/*
 * Set by the reader when a whole batch came and went without a record: it then sleeps long,
 * and the next record wakes it at once (and clears this). Idle machines cost no timer
 * wakeups every batch, and the first event after a quiet spell is read without waiting.
 */
__u32 reader_idle = 0;

/* flags for bpf_ringbuf_submit/output: see wakeup_bytes and reader_idle */
static __always_inline __u64 rb_flags(void)
{
    if (reader_idle) {
        reader_idle = 0;
        return BPF_RB_FORCE_WAKEUP;
    }
    if (!wakeup_bytes)
        return 0;
    return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
                                                                         : BPF_RB_NO_WAKEUP;
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
    __u8 comm[VIGIL_COMM_LEN] = {};

    /* Wine bookkeeping comes first: it must not depend on which processes are reported */
    bpf_get_current_comm(comm, sizeof(comm));
    bool is_wine = comm[0] == 'w' && comm[1] == 'i' && comm[2] == 'n' && comm[3] == 'e';
    bool is_server = is_wine && comm[4] == 's' && comm[5] == 'e' && comm[6] == 'r' &&
                     comm[7] == 'v' && comm[8] == 'e' && comm[9] == 'r';
    /* a binfmt_misc launch of ./X.exe: comm "X.exe" (cut at 15), the interpreter Wine or Mono */
    bool is_exe = false;
    for (int i = 4; i < VIGIL_COMM_LEN; i++)
        if (!comm[i]) {
            is_exe = comm[i - 4] == '.' && (comm[i - 3] | 0x20) == 'e' &&
                     (comm[i - 2] | 0x20) == 'x' && (comm[i - 1] | 0x20) == 'e';
            break;
        }
    bool want_env =
        is_wine || is_exe || (comm[0] == 'm' && comm[1] == 'o' && comm[2] == 'n' && comm[3] == 'o');
    if (is_server)
        role_add(SERVER, tgid);
    else
        role_del(SERVER, tgid);
    if ((is_wine || is_exe) && !is_server)
        role_add(CLIENT, tgid);
    else
        role_del(CLIENT, tgid);

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
    __builtin_memcpy(e->comm, comm, sizeof(e->comm));
    for (int i = 0; i < 3; i++)
        e->std_type[i] = fd_type(task, i, &e->std_family[i]);

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

    /* environment: only for Wine and Mono loaders (the view reads WINEPREFIX and friends) */
    e->env_len = e->env_head = 0;
    if (want_env) {
        __u64 es = BPF_CORE_READ(task, mm, env_start);
        __u64 ee = BPF_CORE_READ(task, mm, env_end);
        __u64 head = ee > es ? ee - es : 0, tail = 0;
        if (head > VIGIL_ENV_CAP) {
            head = tail = VIGIL_ENV_CAP / 2;
            e->h.flags |= VIGIL_F_ENV_TRUNC;
        }
        barrier_var(head);
        if (head > VIGIL_ENV_CAP)
            head = VIGIL_ENV_CAP;
        barrier_var(head);
        off &= SCRATCH_ENV_MASK;
        if (head && !bpf_probe_read_user(s->buf + off, head, (void *)es)) {
            e->h.flags |= VIGIL_F_ENV_PRESENT;
            e->env_head = head;
            e->env_len = head;
            if (tail && !bpf_probe_read_user(s->buf + off + VIGIL_ENV_CAP / 2, VIGIL_ENV_CAP / 2,
                                             (void *)(ee - VIGIL_ENV_CAP / 2)))
                e->env_len = VIGIL_ENV_CAP;
            off += e->env_len;
        }
    }

    /* records are 8-byte aligned; the bound is for the verifier, tested on the very
     * register passed to the helper (older verifiers lose it across copies and shifts) */
    __u64 size = ((__u64)off + 7) & ~7ull;
    barrier_var(size);
    if (size > SCRATCH_SIZE)
        return 0;
    e->h.size = size;
    if (bpf_ringbuf_output(&events, s->buf, size, rb_flags()))
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
    /* Wine roles pass to forks: wineserver daemonizes by forking, CreateProcess forks */
    if (role_has(SERVER, ptgid))
        role_add(SERVER, ctgid);
    else if (role_has(CLIENT, ptgid))
        role_add(CLIENT, ctgid);
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
    bpf_ringbuf_submit(f, rb_flags());
    return 0;
}

/* ---- exit: reported when the last thread of a process goes (signal->live reached 0) ---- */

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(void *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    struct vigil_rec_exit *x;

    if (BPF_CORE_READ(task, signal, live.counter) != 0)
        return 0; /* other threads live on */
    bpf_map_delete_elem(&lineage, &tgid);
    if (role_del(SERVER, tgid))
        bpf_map_delete_elem(&ws_last_read, &tgid);
    role_del(CLIENT, tgid);
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
    bpf_ringbuf_submit(x, rb_flags());
    return 0;
}

/*
 * ---- connect: one program, at sys_exit ----
 * The arguments are still in the user registers the kernel saved at syscall entry (the
 * syscall changes only ax, to its result): reading them there saves a second program, a
 * per-thread map entry and its update, lookup and delete on every connect. The destination
 * comes from the socket when the kernel set one (what it really connected to, whatever the
 * caller's buffer says by now), else from the caller's sockaddr.
 */
#define NR_CONNECT 42 /* x86_64 */

SEC("tracepoint/syscalls/sys_exit_connect")
int handle_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    struct pipe_writer *client = NULL;
    long ret = ctx->ret;

    /* wineserver connecting: for the client whose request it read last */
    if (role_has(SERVER, tgid))
        client = bpf_map_lookup_elem(&ws_last_read, &tgid);
    if (!wanted(client ? client->tgid : tgid))
        return 0;
    struct sys_regs regs;
    if (!syscall_regs(task, NR_CONNECT, ret, &regs))
        return 0;
    __u32 fd = (__u32)regs.di, alen = (__u32)regs.dx;
    const void *uaddr = (const void *)regs.si;

    /* the socket behind the fd: task->files->fdt->fd[fd]->private_data */
    struct sock *sk = NULL;
    __u16 sock_type = 0, protocol = 0;
    struct file *f = fd_file(task, fd);
    if (f && (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) == S_IFSOCK) {
        struct socket *sock = BPF_CORE_READ(f, private_data);
        sk = BPF_CORE_READ(sock, sk);
        sock_type = BPF_CORE_READ(sock, type);
        if (sk)
            protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
    }
    struct skc_head skc = {};
    __u32 v6d[4] = {}, v6s[4] = {};
    if (sk) {
        bpf_core_read(&skc, sizeof(skc), &sk->__sk_common.skc_daddr);
        if (skc.family == AF_INET6) {
            BPF_CORE_READ_INTO(&v6d, sk, __sk_common.skc_v6_daddr);
            BPF_CORE_READ_INTO(&v6s, sk, __sk_common.skc_v6_rcv_saddr);
        }
    }

    __u16 family = 0, dport = 0;
    __u8 daddr[16] = {};
    if (skc.family == AF_INET && skc.daddr && skc.dport) {
        family = AF_INET;
        dport = bpf_ntohs(skc.dport);
        __builtin_memcpy(daddr, &skc.daddr, 4);
    } else if (skc.family == AF_INET6 && skc.dport && (v6d[0] | v6d[1] | v6d[2] | v6d[3])) {
        family = AF_INET6;
        dport = bpf_ntohs(skc.dport);
        __builtin_memcpy(daddr, v6d, 16);
    } else if (uaddr) { /* not connected (refused, unreachable, not a socket): the buffer */
        union {
            __u16 family;
            struct sockaddr_in sin;
            struct sockaddr_in6 sin6;
        } sa = {};
        __u32 n = alen < sizeof(sa) ? alen : sizeof(sa);
        if (n < sizeof(family) || bpf_probe_read_user(&sa, n, uaddr))
            return 0;
        family = sa.family;
        if (family == AF_INET && n >= sizeof(struct sockaddr_in)) {
            dport = bpf_ntohs(sa.sin.sin_port);
            __builtin_memcpy(daddr, &sa.sin.sin_addr.s_addr, 4);
        } else if (family == AF_INET6 && n >= sizeof(struct sockaddr_in6)) {
            dport = bpf_ntohs(sa.sin6.sin6_port);
            __builtin_memcpy(daddr, &sa.sin6.sin6_addr, 16);
        } else {
            return 0; /* AF_UNIX, AF_UNSPEC (UDP disconnect), … */
        }
    } else {
        return 0;
    }
    if (skip_loopback && is_loopback(family, daddr))
        return 0; /* filtered here: nothing sent */

    struct vigil_rec_connect *c = bpf_ringbuf_reserve(&events, sizeof(*c), 0);
    if (!c) {
        count_drop(VIGIL_REC_CONNECT);
        return 0;
    }
    fill_hdr(&c->h, VIGIL_REC_CONNECT, sizeof(*c), task);
    c->err = ret < 0 ? (__u32)-ret : 0;
    c->fd = fd;
    c->family = family;
    c->sock_type = sock_type;
    c->protocol = protocol;
    c->dport = dport;
    c->sport = 0;
    c->pad0 = 0;
    c->proxy_tgid = 0;
    c->proxy_start = 0;
    if (client) {
        /* the client is the actor; the wineserver is kept for forensics */
        c->proxy_tgid = c->h.tgid;
        c->proxy_start = c->h.start;
        c->h.tgid = client->tgid;
        c->h.pid = client->pid;
        c->h.start = client->start;
        c->h.flags |= VIGIL_F_PROXY;
    }
    __builtin_memcpy(c->daddr, daddr, 16);
    __builtin_memset(c->saddr, 0, 16);
    c->sfamily = 0;
    c->pad2[0] = c->pad2[1] = c->pad2[2] = 0;
    bpf_get_current_comm(c->comm, sizeof(c->comm));

    /* the local end, as connect() left it (bound by autobind even on failure, sometimes 0) */
    if (sk) {
        c->sfamily = skc.family;
        c->sport = skc.num;
        if (skc.family == AF_INET) {
            __builtin_memcpy(c->saddr, &skc.rcv_saddr, 4);
            c->h.flags |= VIGIL_F_SADDR;
        } else if (skc.family == AF_INET6) {
            __builtin_memcpy(c->saddr, v6s, 16);
            c->h.flags |= VIGIL_F_SADDR;
        }
    }
    bpf_ringbuf_submit(c, rb_flags());
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
    bpf_ringbuf_submit(r, rb_flags());
    return 0;
}

/* ---- Wine attribution: wineserver's reads of client pipes, Wine clients' writes to pipes ---- */

SEC("tracepoint/syscalls/sys_enter_read")
int handle_read(struct trace_event_raw_sys_enter *ctx)
{
    if (!wineservers_n) /* no wineserver on the machine: the common case, no map lookup */
        return 0;
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (!role_has(SERVER, tgid))
        return 0;
    __u64 ino = fd_pipe_inode((__u32)ctx->args[0]);
    if (!ino)
        return 0;
    /* only pipes a Wine client wrote to: wineserver's own pipes do not overwrite the last */
    struct pipe_writer *w = bpf_map_lookup_elem(&pipe_writers, &ino);
    if (w)
        bpf_map_update_elem(&ws_last_read, &tgid, w, BPF_ANY);
    return 0;
}

static __always_inline int note_write(__u32 fd)
{
    if (!wineservers_n)
        return 0;
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    if (!role_has(CLIENT, tgid))
        return 0;
    __u64 ino = fd_pipe_inode(fd);
    if (!ino)
        return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct pipe_writer w = {.tgid = tgid, .pid = (__u32)id, .start = leader_start(task)};
    bpf_map_update_elem(&pipe_writers, &ino, &w, BPF_ANY);
    return 0;
}

/* Wine's requests: write() without variable data, writev() with */
SEC("tracepoint/syscalls/sys_enter_write")
int handle_write(struct trace_event_raw_sys_enter *ctx)
{
    return note_write((__u32)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int handle_writev(struct trace_event_raw_sys_enter *ctx)
{
    return note_write((__u32)ctx->args[0]);
}
