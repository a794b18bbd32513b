/* cli_detect.c — events -> views -> engine -> alerts, for `run` and `replay` (cli_int.h). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "out/alert.h"
#include "view/view.h"

struct cli_detect {
    struct engine *engine;
    struct view_maps *maps;
    struct event win; /* the Windows view, reused */
    FILE *out;
    bool flush_each;
    struct buf line;
    uint64_t alerts;
};

static void on_alert(void *ud, const struct engine_alert *a)
{
    struct cli_detect *d = ud;
    struct alert al = {
        .rule = a->rule, .view = engine_view_name(a->view), .sequence = a->kind != IRQ_EVENT,
        .events = a->events, .n = a->n,
    };
    buf_reset(&d->line);
    alert_write_json(&d->line, &al);
    fwrite(d->line.p, 1, d->line.len, d->out);
    if (d->flush_each)
        fflush(d->out);
    d->alerts++;
}

static void on_rule(void *ud, const char *path, const struct rule *r,
                    const struct engine_rule_status *st)
{
    (void)ud;
    (void)path;
    (void)r;
    if (st->status == ENGINE_RULE_ERROR)
        fprintf(stderr, "%s\n", st->reason);
}

struct cli_detect *cli_detect_new(struct fieldtab *ft, const struct cli_detect_opts *o)
{
    struct cli_detect *d = xcalloc(1, sizeof *d);
    d->out = o->out;
    d->flush_each = o->flush_each;
    event_init(&d->win, ft);
    struct engine_config cfg = {.on_alert = on_alert, .ud = d};
    d->engine = engine_new(ft, &cfg);

    char rdir[4096], mdir[4096], err[512];
    const char *bundled = NULL;
    const char *const *rules = o->rules;
    size_t nrules = o->nrules;
    if (nrules == 0) {
        bundled = cli_bundled_rules(rdir, sizeof rdir);
        if (!bundled) {
            fprintf(stderr, "%s: no rules given and no bundled rules found\n", o->who);
            cli_detect_free(d);
            return NULL;
        }
        rules = &bundled;
        nrules = 1;
    }
    struct engine_load_counts lc = {0};
    for (size_t i = 0; i < nrules; i++)
        if (engine_load_path(d->engine, rules[i], on_rule, d, &lc, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", o->who, err);
            cli_detect_free(d);
            return NULL;
        }
    fprintf(stderr, "%s: %u rules loaded, %u unsupported, %u with errors%s\n", o->who, lc.ok,
            lc.unsupported, lc.errors,
            lc.unsupported || lc.errors ? " (details: vigil rules check)" : "");

    const char *mappings = o->mappings ? o->mappings : cli_bundled_mappings(mdir, sizeof mdir);
    if (mappings && !(d->maps = view_maps_load(mappings, err, sizeof err)))
        fprintf(stderr, "%s: %s (Windows views off)\n", o->who, err);
    else if (!mappings)
        fprintf(stderr, "%s: no mappings found (Windows views off)\n", o->who);
    return d;
}

void cli_detect_event(struct cli_detect *d, struct event *ev)
{
    const struct event *views[ENGINE_VIEW_COUNT] = {0};
    event_seal(ev);
    views[ENGINE_VIEW_LINUX] = ev;
    if (d->maps && view_windows(d->maps, ev, &d->win) == 1) {
        d->win.ts = ev->ts;
        d->win.seq = ev->seq;
        views[ENGINE_VIEW_WINDOWS] = &d->win;
    }
    engine_process(d->engine, views);
}

void cli_detect_finish(struct cli_detect *d)
{
    engine_finish(d->engine);
    fflush(d->out);
}

struct engine *cli_detect_engine(struct cli_detect *d)
{
    return d->engine;
}

uint64_t cli_detect_alerts(const struct cli_detect *d)
{
    return d->alerts;
}

void cli_detect_free(struct cli_detect *d)
{
    if (!d)
        return;
    engine_free(d->engine);
    view_maps_free(d->maps);
    event_clear(&d->win);
    buf_clear(&d->line);
    free(d);
}
