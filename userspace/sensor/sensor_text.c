/*
 * sensor_text.c — the text the ECS mapping (sensor_ecs.c) writes: numbers, times, user and
 * group names, descriptor kinds, addresses, paths, the environment allowlist. Per event, so
 * without snprintf or the C library's name service.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_int.h"
#include "util/util.h"

/* Decimal text of v without snprintf (per-event hot path); returns its length. */
size_t ecs_u32_text(uint32_t v, char b[16])
{
    char t[16];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        b[i] = t[n - 1 - i];
    b[n] = 0;
    return n;
}

/* strlcpy: the C library's snprintf("%s") costs a formatter per call on the exec path */
void ecs_copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

void ecs_put_digits(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * The same text as time_format_iso8601 (YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ) without gmtime_r and
 * snprintf, which were a third of the sensor's cost per event (int64 ns end in 2262, so four
 * year digits always suffice); times before 1970 go through time_format_iso8601.
 */
void ecs_format_time(int64_t ns, char out[40])
{
    if (ns < 0) {
        time_format_iso8601(ns, out);
        return;
    }
    uint64_t secs = (uint64_t)ns / 1000000000u, frac = (uint64_t)ns % 1000000000u;
    uint64_t days = secs / 86400, sod = secs % 86400;
    /* civil_from_days (H. Hinnant), days since 1970-01-01 >= 0 */
    uint64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    uint64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    ecs_put_digits(out, y, 4);
    out[4] = '-';
    ecs_put_digits(out + 5, m, 2);
    out[7] = '-';
    ecs_put_digits(out + 8, d, 2);
    out[10] = 'T';
    ecs_put_digits(out + 11, sod / 3600, 2);
    out[13] = ':';
    ecs_put_digits(out + 14, sod / 60 % 60, 2);
    out[16] = ':';
    ecs_put_digits(out + 17, sod % 60, 2);
    out[19] = '.';
    ecs_put_digits(out + 20, frac, 9);
    out[29] = 'Z';
    out[30] = 0;
}

/*
 * The name of id in an /etc/passwd-style file (name:x:id:...), into out. Read directly rather
 * than through NSS: works in a static binary, and the cache below makes it once per id.
 */
static void ecs_name_from_file(const char *path, uint32_t id, char *out, size_t cap)
{
    size_t n;
    char *text = file_read_all(path, &n);
    if (!text)
        return;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2) {
            char *end;
            unsigned long v = strtoul(c2 + 1, &end, 10);
            if (end != c2 + 1 && *end == ':' && v == id) {
                snprintf(out, cap, "%.*s", (int)(c1 - line), line);
                break;
            }
        }
        line = next;
    }
    free(text);
}

const char *ecs_cached_name(struct name_cache *c, uint32_t *next, uint32_t id, bool group)
{
    for (int i = 0; i < NAME_CACHE_SIZE; i++)
        if (c[i].used && c[i].id == id)
            return c[i].name;
    struct name_cache *e = &c[*next];
    *next = (*next + 1) % NAME_CACHE_SIZE;
    e->used = true;
    e->id = id;
    e->name[0] = 0;
    ecs_name_from_file(group ? "/etc/group" : "/etc/passwd", id, e->name, sizeof e->name);
    return e->name;
}

const char *ecs_fd_type_name(uint8_t t)
{
    static const char *const names[] = {
        [VIGIL_FD_NONE] = "none", [VIGIL_FD_FILE] = "file",     [VIGIL_FD_DIR] = "dir",
        [VIGIL_FD_PIPE] = "pipe", [VIGIL_FD_SOCKET] = "socket", [VIGIL_FD_TTY] = "tty",
        [VIGIL_FD_CHAR] = "char", [VIGIL_FD_OTHER] = "other",
    };
    return t < sizeof names / sizeof *names ? names[t] : "other";
}

const char *ecs_family_name(uint8_t f)
{
    switch (f) {
    case 1:
        return "unix";
    case 2:
        return "ipv4";
    case 10:
        return "ipv6";
    case 16:
        return "netlink";
    default:
        return "other";
    }
}

/* A NUL-terminated copy of a fixed kernel char array. */
void ecs_comm_str(const __u8 *c, char out[VIGIL_COMM_LEN + 1])
{
    memcpy(out, c, VIGIL_COMM_LEN);
    out[VIGIL_COMM_LEN] = 0;
}

/*
 * A path from its components, leaf first (the wire form), into out. "/" for zero
 * components; a path cut at the top (truncated) starts with "/...".
 */
void ecs_join_path(const char *comp, size_t n, bool trunc, struct buf *out)
{
    const char *parts[VIGIL_PATH_DEPTH + 1];
    size_t lens[VIGIL_PATH_DEPTH + 1], k = 0, i = 0;
    while (i < n && k < VIGIL_PATH_DEPTH + 1) {
        size_t l = strnlen(comp + i, n - i);
        parts[k] = comp + i;
        lens[k++] = l;
        i += l + 1;
    }
    buf_reset(out);
    if (trunc)
        buf_puts(out, "/...");
    while (k--) {
        buf_putc(out, '/');
        buf_append(out, parts[k], lens[k]);
    }
    if (!out->len)
        buf_putc(out, '/');
}

const char *ecs_base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* Dotted-quad text of a (what inet_ntop(AF_INET) writes, without its sprintf per event). */
static void ecs_ipv4_text(const uint8_t *a, char out[INET6_ADDRSTRLEN])
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p += ecs_u32_text(a[i], p);
    }
    *p = 0;
}

/* Text of an address; *v4 tells whether it is IPv4 (a v4-mapped IPv6 address counts). */
void ecs_addr_text(uint16_t family, const uint8_t *a, char out[INET6_ADDRSTRLEN], bool *v4)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == 2) {
        ecs_ipv4_text(a, out);
        *v4 = true;
    } else if (!memcmp(a, mapped, 12)) {
        ecs_ipv4_text(a + 12, out);
        *v4 = true;
    } else {
        inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
        *v4 = false;
    }
}

const char *ecs_transport_name(uint16_t type, uint16_t proto)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
        return "icmp";
    case 58:
        return "ipv6-icmp";
    case 132:
        return "sctp";
    case 136:
        return "udplite";
    case 262:
        return "tcp"; /* MPTCP */
    default:
        break;
    }
    if (proto == 0 && type == 1)
        return "tcp";
    if (proto == 0 && type == 2)
        return "udp";
    return NULL;
}

/* The environment variables kept from a Wine/Mono loader's exec (process.env_vars): what the
 * Windows view reads (userspace/view/view.h), nothing else — environments hold secrets. */
static const char *const env_keep[] = {"WINEPREFIX",       "HOME",     "WINELOADERNOEXEC",
                                       "WINESERVERSOCKET", "WINEARCH", "WINELOADER",
                                       "WINESERVER"};

static bool ecs_env_wanted(const char *kv, size_t n)
{
    for (size_t i = 0; i < sizeof env_keep / sizeof *env_keep; i++) {
        size_t kl = strlen(env_keep[i]);
        if (n > kl && kv[kl] == '=' && !memcmp(kv, env_keep[i], kl))
            return true;
    }
    return false;
}

/*
 * Keep the allowed "KEY=VALUE" strings of env[0, n) into out (NUL-separated). skip_first /
 * skip_last: the region was cut there, the string at that end is partial.
 */
void ecs_env_filter(const char *env, size_t n, bool skip_first, bool skip_last, struct buf *out)
{
    size_t i = 0;
    if (skip_first) {
        while (i < n && env[i])
            i++;
        i++;
    }
    while (i < n) {
        size_t l = strnlen(env + i, n - i);
        if (i + l == n && skip_last)
            break; /* no NUL before the cut */
        if (ecs_env_wanted(env + i, l)) {
            buf_append(out, env + i, l);
            buf_putc(out, 0);
        }
        i += l + 1;
    }
}
