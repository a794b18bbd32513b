/*
 * libFuzzer target: the Windows view (userspace/view/) of an event built from the input, split
 * at newlines into: event.action, process.name, process.executable, process.working_directory,
 * process.title, user.id, process.env_vars (';'-separated), then process.args; the parent gets
 * the same fields in another order. Checks: no crash, deterministic output, and a view always
 * says host.os.type "windows" and names its process. The maps are mappings/ (run from the
 * repository root, as tests/fuzz/run.sh does).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view/view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXF 40

static void set(struct event *ev, const char *name, const char *s, size_t n)
{
    event_set_str(ev, fieldtab_intern(ev->ft, name, strlen(name)), s, n);
}

static void build(struct event *ev, const char *const *f, const size_t *fl, uint32_t nf,
                  bool swap)
{
    static const char *const names[2][6] = {
        {"event.action", "process.name", "process.executable", "process.working_directory",
         "process.title", "user.id"},
        {"event.action", "process.parent.name", "process.parent.executable",
         "process.parent.working_directory", "process.parent.title", "user.id"},
    };
    for (int k = 0; k < 2; k++)
        for (uint32_t i = (k ? 1 : 0); i < 6 && i < nf; i++) {
            uint32_t j = swap && k ? (i + 1) % nf : i;
            set(ev, names[k][i], f[j], fl[j]);
        }
    if (nf > 6) { /* env_vars */
        const char *items[MAXF];
        size_t lens[MAXF];
        uint32_t n = 0;
        const char *s = f[6], *end = f[6] + fl[6];
        while (s <= end && n < MAXF) {
            const char *e = memchr(s, ';', (size_t)(end - s));
            if (!e)
                e = end;
            items[n] = s;
            lens[n++] = (size_t)(e - s);
            s = e + 1;
        }
        event_set_strv(ev, fieldtab_intern(ev->ft, "process.env_vars", 16), items, lens, n);
    }
    if (nf > 7) {
        event_set_strv(ev, fieldtab_intern(ev->ft, "process.args", 12), f + 7, fl + 7, nf - 7);
        event_set_strv(ev, fieldtab_intern(ev->ft, "process.parent.args", 19), f + 7, fl + 7,
                       swap || nf - 7 < 3 ? nf - 7 : 3);
    }
    event_seal(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct view_maps *m;
    if (!m) {
        char err[512];
        m = view_maps_load("mappings", err, sizeof err);
        if (!m)
            abort();
    }
    const char *f[MAXF];
    size_t fl[MAXF];
    uint32_t nf = 0;
    const char *s = (const char *)data, *end = s + size;
    while (s <= end && nf < MAXF) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        f[nf] = s;
        fl[nf++] = (size_t)(e - s);
        s = e + 1;
    }
    struct fieldtab *ft = fieldtab_new();
    struct event ev, out;
    event_init(&ev, ft);
    event_init(&out, ft);
    for (int swap = 0; swap < 2; swap++) {
        event_reset(&ev);
        build(&ev, f, fl, nf, swap);
        struct buf a = {0}, b = {0};
        int v1 = view_windows(m, &ev, &out);
        if (v1 != 0 && v1 != 1)
            abort();
        if (v1) {
            const char *os = event_get_str(&out, "host.os.type");
            const struct val *t = event_get_name(&out, "host.os.type");
            if (!os || strcmp(os, "windows") != 0 || t->type != VAL_STR ||
                !event_get_str(&out, "process.name"))
                abort();
            event_write_json(&out, &a);
        }
        int v2 = view_windows(m, &ev, &out); /* the out event reused */
        if (v2 != v1)
            abort();
        if (v2) {
            event_write_json(&out, &b);
            if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
                abort();
        }
        buf_clear(&a);
        buf_clear(&b);
    }
    event_clear(&ev);
    event_clear(&out);
    fieldtab_free(ft);
    return 0;
}
