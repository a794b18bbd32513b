/* libFuzzer target: one NDJSON line into an event and back out as JSON, which must parse
 * again (the writer's output is always valid) and, once invalid UTF-8 has been replaced by
 * the first write, must be a fixed point: write(read(write(x))) == write(read(x)) after that. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev, back;
    event_init(&ev, ft);
    event_init(&back, ft);
    char err[200];
    if (event_from_json(&ev, (const char *)data, size, err, sizeof err) == 0) {
        struct buf a = {0}, b = {0};
        event_write_json(&ev, &a);
        if (event_from_json(&back, a.p, a.len, err, sizeof err) != 0)
            abort(); /* the writer produced JSON we cannot read */
        event_write_json(&back, &b);
        struct buf c = {0};
        if (event_from_json(&back, b.p, b.len, err, sizeof err) != 0)
            abort();
        event_write_json(&back, &c);
        if (b.len != c.len || memcmp(b.p, c.p, b.len) != 0)
            abort(); /* not a fixed point */
        buf_clear(&c);
        buf_clear(&a);
        buf_clear(&b);
    }
    event_clear(&ev);
    event_clear(&back);
    fieldtab_free(ft);
    return 0;
}
