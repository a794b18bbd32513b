/*
 * vigil_event.h — the records that cross the ring buffer from bpf/vigil.bpf.c to userspace
 * (userspace/sensor/). Read by both compilers: the BPF side gets its types from vmlinux.h,
 * userspace from <linux/types.h>.
 *
 * Rules for every record: only __u8/__u16/__u32/__u64, explicit padding, 8-byte aligned sizes,
 * the header first. Long strings (exec filename, exe path, cwd, argv) follow the fixed part as
 * a variable-length tail whose lengths the fixed part gives; struct sizes are checked with
 * _Static_assert on the user side (sensor.c), so a layout cannot drift between the builds.
 *
 * Times: hdr.ktime is CLOCK_MONOTONIC (bpf_ktime_get_ns); hdr.start and *_start are the thread
 * group leader's task->start_boottime (CLOCK_BOOTTIME at fork, the clock /proc/PID/stat uses).
 */
#ifndef VIGIL_WIRE_H
#define VIGIL_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum vigil_rec_kind {
    VIGIL_REC_INVALID = 0,
    VIGIL_REC_EXEC,    /* struct vigil_rec_exec + tail */
    VIGIL_REC_FORK,    /* struct vigil_rec_fork: a new process (threads are ignored) */
    VIGIL_REC_EXIT,    /* struct vigil_rec_exit: the last thread of a process exited */
    VIGIL_REC_CONNECT, /* struct vigil_rec_connect: an AF_INET/AF_INET6 connect() and its result */
    VIGIL_REC_SETNAME, /* struct vigil_rec_setname: prctl(PR_SET_NAME) by a main thread */
    VIGIL_REC_COUNT    /* must be last */
};

/* hdr.flags */
#define VIGIL_F_ARGV_TRUNC 0x0001   /* argv longer than argv_max: the tail holds a prefix */
#define VIGIL_F_ARGV_FAULT 0x0002   /* reading argv from user memory failed */
#define VIGIL_F_EXE_PRESENT 0x0004  /* the exe path was walked (0 components = "/") */
#define VIGIL_F_EXE_TRUNC 0x0008    /* exe path too deep or too long: leaf components only */
#define VIGIL_F_CWD_PRESENT 0x0010  /* the cwd was walked */
#define VIGIL_F_CWD_TRUNC 0x0020    /* cwd too deep or too long */
#define VIGIL_F_PPID_LINEAGE 0x0040 /* ppid comes from the fork lineage map, not real_parent */
#define VIGIL_F_SADDR 0x0080        /* connect: source address/port read from the socket */
#define VIGIL_F_PROXY 0x0100        /* connect: made by wineserver for the client in hdr (below) */
#define VIGIL_F_ENV_PRESENT 0x0200  /* exec: env_len bytes of the environment are in the tail */
#define VIGIL_F_ENV_TRUNC 0x0400    /* exec: environment longer than VIGIL_ENV_CAP: head + end */

/* Limits shared by both sides. */
#define VIGIL_ARGV_CAP 32768     /* hard cap for the argv_max tunable (bytes) */
#define VIGIL_ARGV_DEFAULT 16384 /* default argv_max */
#define VIGIL_PATH_CAP 4096      /* bytes per path in the tail (filename, exe, cwd) */
#define VIGIL_NAME_CAP 256       /* one path component, NUL included */
#define VIGIL_PATH_DEPTH 48      /* components walked per path */
#define VIGIL_SETNAME_CAP 64     /* prctl(PR_SET_NAME) bytes read from user memory */
#define VIGIL_COMM_LEN 16
#define VIGIL_ENV_CAP 8192 /* environment bytes per exec (Wine/Mono loaders only) */

/* Type of a standard descriptor at exec (vigil_rec_exec.std_type). */
enum vigil_fd_type {
    VIGIL_FD_NONE = 0, /* not open */
    VIGIL_FD_FILE,     /* regular file */
    VIGIL_FD_DIR,
    VIGIL_FD_PIPE,   /* pipe or FIFO */
    VIGIL_FD_SOCKET, /* std_family gives the address family */
    VIGIL_FD_TTY,    /* a terminal: tty, console, pty (char device majors 4, 5, 136-143) */
    VIGIL_FD_CHAR,   /* another character device (/dev/null, ...) */
    VIGIL_FD_OTHER,
};

struct vigil_rec_hdr {
    __u16 kind;  /* enum vigil_rec_kind */
    __u16 flags; /* VIGIL_F_* */
    __u32 size;  /* whole record in bytes, tail included */
    __u64 ktime; /* when it happened, CLOCK_MONOTONIC ns */
    __u32 pid;   /* thread id of the actor (the new child for FORK) */
    __u32 tgid;  /* process id of the actor (the new child for FORK) */
    __u64 start; /* tgid's start_boottime, ns: with tgid, the process identity */
};

/*
 * Tail, in this order, each region exactly *_len bytes:
 *   filename: the path given to execve (NUL-terminated);
 *   exe:      components of mm->exe_file's path, leaf first, each NUL-terminated;
 *   cwd:      components of the working directory, leaf first, each NUL-terminated;
 *   argv:     argv_len bytes of mm->arg_start.., NUL-separated (last one may be cut);
 *   env:      env_len bytes of mm->env_start.. (with VIGIL_F_ENV_PRESENT: only for processes
 *             whose comm starts with "wine" or "mono" or ends with ".exe"); with
 *             VIGIL_F_ENV_TRUNC the first env_head bytes are the start of the environment and
 *             the rest its end (strings cut at either seam are partial).
 */
struct vigil_rec_exec {
    struct vigil_rec_hdr h;
    __u32 ppid;         /* parent tgid: fork lineage, else real_parent */
    __u32 real_ppid;    /* real_parent's tgid at exec */
    __u64 parent_start; /* parent's start_boottime (0 when unknown) */
    __u32 uid, gid, euid, egid;
    __u64 cgroup_id;
    __u8 comm[VIGIL_COMM_LEN];
    __u32 argv_len;  /* bytes of argv in the tail */
    __u32 argv_full; /* arg_end - arg_start: the untruncated size */
    __u16 filename_len, exe_len, cwd_len;
    __u16 env_len, env_head;
    __u8 std_type[3];   /* enum vigil_fd_type of fds 0, 1, 2 */
    __u8 std_family[3]; /* socket address family (AF_*) of fds 0, 1, 2 when VIGIL_FD_SOCKET */
};

struct vigil_rec_fork {
    struct vigil_rec_hdr h; /* pid/tgid/start: the child */
    __u32 ppid;             /* the forking process */
    __u32 pad0;
    __u64 parent_start;
};

struct vigil_rec_exit {
    struct vigil_rec_hdr h;
    __u32 exit_code; /* wait status: (code << 8) or the terminating signal */
    __u32 pad0;
};

/*
 * With VIGIL_F_PROXY the connect was made by wineserver on behalf of a Wine client: hdr names
 * the client (tgid, start, and in pid the client thread whose request pipe wineserver read
 * last), proxy_tgid/proxy_start the wineserver, comm is the wineserver's.
 */
struct vigil_rec_connect {
    struct vigil_rec_hdr h;
    __u32 err; /* 0 when connect() returned 0, else its errno (EINPROGRESS, ECONNREFUSED…) */
    __u32 fd;
    __u16 family;    /* AF_INET or AF_INET6 (of the address asked for) */
    __u16 sock_type; /* SOCK_STREAM, SOCK_DGRAM, … ; 0 when the fd is not a socket */
    __u16 protocol;  /* sk->sk_protocol: IPPROTO_TCP, IPPROTO_UDP, … */
    __u16 dport;     /* host byte order */
    __u16 sport;     /* host byte order, 0 when unknown */
    __u16 pad0;
    __u32 proxy_tgid; /* with VIGIL_F_PROXY: the wineserver, else 0 */
    __u8 daddr[16];   /* AF_INET: first 4 bytes */
    __u8 saddr[16];   /* in the socket's own family (sk_family), valid with VIGIL_F_SADDR */
    __u16 sfamily;    /* the socket's family (AF_INET6 for a v4-mapped connect on a v6 socket) */
    __u16 pad2[3];
    __u8 comm[VIGIL_COMM_LEN];
    __u64 proxy_start; /* with VIGIL_F_PROXY: the wineserver's start_boottime */
};

struct vigil_rec_setname {
    struct vigil_rec_hdr h;
    __u8 name[VIGIL_SETNAME_CAP]; /* NUL-terminated within the array */
};

#endif
