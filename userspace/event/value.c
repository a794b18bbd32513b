/* value.c — addresses and timestamps: the typed values that are not plain JSON. */
#include "event/event.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool ip_parse(const char *s, size_t n, uint8_t out[16])
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    /* a zone index (fe80::1%eth0) does not change the address */
    char *pct = strchr(tmp, '%');
    if (pct)
        *pct = 0;
    struct in_addr a4;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        return true;
    }
    return inet_pton(AF_INET6, tmp, out) == 1;
}

bool cidr_parse(const char *s, size_t n, uint8_t addr[16], int *bits)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (!ip_parse(s, alen, addr))
        return false;
    bool v4 = memchr(s, ':', alen) == NULL;
    int max = v4 ? 32 : 128;
    int b = max;
    if (slash) {
        const char *p = slash + 1, *end = s + n;
        if (p == end || end - p > 3)
            return false;
        b = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return false;
            b = b * 10 + (*p - '0');
        }
        if (b > max)
            return false;
    }
    *bits = v4 ? b + 96 : b;
    return true;
}

bool ip_in_cidr(const uint8_t ip[16], const uint8_t net[16], int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(ip, net, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (ip[full] & mask) == (net[full] & mask);
}

bool field_is_ip(const char *name)
{
    size_t n = strlen(name);
    return (n >= 2 && !strcmp(name + n - 2, "ip") && (n == 2 || name[n - 3] == '.')) ||
           (n >= 3 && !strcmp(name + n - 3, "ips") && (n == 3 || name[n - 4] == '.'));
}

/* ---- time ---- */

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool time_parse_iso8601(const char *s, size_t n, int64_t *ns)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    size_t i = 10;
    int64_t frac = 0;
    int64_t off_s = 0;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        if (n < i + 9 || !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &mi) || s[i + 6] != ':' || !digits(s + i + 7, 2, &sec))
            return false;
        i += 9;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            i++;
            int nd = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (nd < 9) {
                    frac = frac * 10 + (s[i] - '0');
                    nd++;
                }
                i++;
            }
            if (nd == 0)
                return false;
            while (nd++ < 9)
                frac *= 10;
        }
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int oh, om;
            if (n < i + 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
                !digits(s + i + 4, 2, &om))
                return false;
            off_s = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
            i += 6;
        }
    }
    if (i != n || h > 23 || mi > 59 || sec > 60)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off_s;
    if (secs < -9223372035LL || secs > 9223372035LL)
        return false; /* ns since the epoch must fit 64 bits: years 1678..2262 */
    *ns = secs * 1000000000LL + frac;
    return true;
}

void time_format_iso8601(int64_t ns, char out[40])
{
    int64_t secs = ns / 1000000000LL, frac = ns % 1000000000LL;
    if (frac < 0) {
        frac += 1000000000LL;
        secs--;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[96]; /* wide enough for any int the compiler imagines; real output is 30 */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
    size_t n = strnlen(tmp, 39);
    memcpy(out, tmp, n);
    out[n] = 0;
}
