/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vigil_task.h — what the programs of vigil.bpf.c read of the current task: its open files,
 * its start time, the registers of the syscall it is in, its sockets. Included once, by
 * vigil.bpf.c (after vmlinux.h and libbpf's headers).
 */
#ifndef VIGIL_TASK_H
#define VIGIL_TASK_H

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

/*
 * Kernels >= 5.11 give the current task as a BTF pointer: its fields then load directly
 * instead of through one bpf_probe_read_kernel call each (~35 ns apiece here). Resolved when
 * the program loads; older kernels never see the other branch.
 */
#define HAVE_TASK_BTF bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)

/* The file behind fd in task (the current task), or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, __u32 fd)
{
    struct fdtable *fdt;
    struct file **fds;
    __u32 max_fds;
    if (HAVE_TASK_BTF) {
        fdt = bpf_get_current_task_btf()->files->fdt;
        fds = fdt->fd;
        max_fds = fdt->max_fds;
    } else {
        fdt = BPF_CORE_READ(task, files, fdt);
        fds = BPF_CORE_READ(fdt, fd);
        max_fds = BPF_CORE_READ(fdt, max_fds);
    }
    struct file *f = NULL;
    if (!fds || fd >= max_fds)
        return NULL;
    if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
        return NULL;
    return f;
}

/* The pipe inode behind fd of the current task, 0 when fd is not a pipe. */
static __always_inline __u64 fd_pipe_inode(__u32 fd)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct file *f = fd_file(task, fd);
    if (!f)
        return 0;
    struct inode *ino = BPF_CORE_READ(f, f_inode);
    if (!ino || (BPF_CORE_READ(ino, i_mode) & S_IFMT) != S_IFIFO)
        return 0;
    return (__u64)ino;
}

/* enum vigil_fd_type of fd in task; *family gets a socket's address family. */
static __always_inline __u8 fd_type(struct task_struct *task, __u32 fd, __u8 *family)
{
    struct file *f = fd_file(task, fd);
    *family = 0;
    if (!f)
        return VIGIL_FD_NONE;
    struct inode *ino = BPF_CORE_READ(f, f_inode);
    __u16 mode = BPF_CORE_READ(ino, i_mode) & S_IFMT;
    switch (mode) {
    case S_IFREG:
        return VIGIL_FD_FILE;
    case S_IFDIR:
        return VIGIL_FD_DIR;
    case S_IFIFO:
        return VIGIL_FD_PIPE;
    case S_IFSOCK: {
        struct socket *sock = BPF_CORE_READ(f, private_data);
        *family = (__u8)BPF_CORE_READ(sock, sk, __sk_common.skc_family);
        return VIGIL_FD_SOCKET;
    }
    case S_IFCHR: {
        __u32 major = BPF_CORE_READ(ino, i_rdev) >> 20;
        if (major == 4 || major == 5 || (major >= 136 && major <= 143))
            return VIGIL_FD_TTY;
        return VIGIL_FD_CHAR;
    }
    default:
        return VIGIL_FD_OTHER;
    }
}

/* t: the current task */
static __always_inline __u64 leader_start(struct task_struct *t)
{
    if (HAVE_TASK_BTF)
        return bpf_get_current_task_btf()->group_leader->start_boottime;
    return BPF_CORE_READ(t, group_leader, start_boottime);
}

/*
 * ---- the syscall's arguments at sys_exit ----
 * They are still in the user registers the kernel saved at syscall entry (the syscall
 * changes only ax, to its result).
 */
#define THREAD_SIZE_MIN 16384

/* The registers syscall_regs needs: ax..orig_ax of struct pt_regs (x86_64, fixed layout). */
struct sys_regs {
    __u64 ax, cx, dx, si, di, orig_ax;
};

/*
 * The saved user registers of the current syscall, number nr, whose result is ret. x86_64:
 * the syscall tracepoints do not fire for ia32 syscalls.
 */
static __always_inline bool syscall_regs(struct task_struct *task, __u64 nr, long ret,
                                         struct sys_regs *r)
{
    if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) { /* >= 5.15 */
        struct pt_regs *p = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
        r->orig_ax = p->orig_ax; /* direct loads: p is a BTF pointer */
        r->ax = p->ax;
        r->dx = p->dx;
        r->si = p->si;
        r->di = p->di;
        return r->orig_ax == nr;
    }
    /* task_pt_regs by hand: the top of the stack, less FRED's padding on kernels with it,
     * for 16 and 32 KiB stacks (KASAN); right when it agrees with what sys_exit knows */
    __u64 off = __builtin_offsetof(struct pt_regs, ax);
    void *top = BPF_CORE_READ(task, stack);
    for (int i = 0; i < 4; i++) {
        __u64 at = (__u64)top + (THREAD_SIZE_MIN << (i >> 1)) - (i & 1) * 16 -
                   sizeof(struct pt_regs) + off;
        if (bpf_probe_read_kernel(r, sizeof(*r), (void *)at))
            return false;
        if (r->orig_ax == nr && (long)r->ax == ret)
            return true;
    }
    return false;
}

/* The head of struct sock_common (addresses, hash, ports, family: a layout as old as it). */
struct skc_head {
    __u32 daddr, rcv_saddr, hash;
    __u16 dport, num; /* dport in network order */
    __u16 family;
};

#endif /* VIGIL_TASK_H */
