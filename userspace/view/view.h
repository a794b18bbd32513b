/*
 * view.h — platform views of an event: the whole interface of userspace/view/.
 *
 * Every event has its Linux view (the event itself). view_windows() makes the Windows view: the
 * event as a Windows sensor (Elastic Defend, Sysmon through Winlogbeat) would have reported it,
 * for Windows programs hosted on Linux (Wine, Mono/.NET, binfmt_misc launches) and for Linux
 * tools that play a Windows tool's role (aliases: bash -> cmd.exe, xbuild -> MSBuild.exe).
 * What is recognised and how is data, in the TOML files of mappings/ (documented there):
 *   windows-hosts.toml  host adapters (wine, mono, binfmt) and which events get a view
 *   aliases.toml        Linux tools standing for Windows tools
 *   ecs-synonyms.toml   ECS values added so both Elastic Defend's and Sysmon's values are present
 *
 * The view is computed from the event's fields alone (no /proc, no process table), so a recorded
 * trace replays to the same views as live. Fields READ from the Linux event (absent ones are
 * simply not used; the sensor fills what it knows):
 *   event.action            "fork" has no view; "exec" of a transient launcher has none (below);
 *                           "end" of a forked copy that never exec'd has none; synonyms
 *   event.category, network.direction, event.*   conditions of the ECS synonyms
 *   process.name, process.executable     which program (Wine loader, mono/dotnet, alias, binfmt)
 *   process.args            argv as exec'd: the kernel's, so a #! script shows as
 *                           [interpreter, options, script, args] (`wine` is /bin/sh -e
 *                           /usr/bin/wine ...); the PE is the first non-option after the loader.
 *                           A Wine process seen after Wine rewrote its argv (argv[0] dropped, as
 *                           /proc/PID/cmdline shows) is recognised by process.executable.
 *   process.title           the main thread's prctl(PR_SET_NAME) argument, whole (Wine sets it
 *                           to the module name; comm would cut VBCSCompiler.exe at 15)
 *   process.env_vars        "KEY=VALUE" strings (ECS). Used: WINEPREFIX and HOME (drive mapping),
 *                           WINELOADERNOEXEC (absent: wine64's first pass, which re-execs itself:
 *                           that exec gets no view, so one program has one Windows start),
 *                           WINESERVERSOCKET (present: a CreateProcess child, whose command line
 *                           is its parent's string, not Wine's rebuilt "DOS path" args). Without
 *                           env_vars the view still works; the two execs of wine64 then both get
 *                           a view and top-level command lines are assumed.
 *   process.working_directory   to resolve a relative or bare PE path (./MSBuild.exe)
 *   user.id                 "0" with no HOME known: the default prefix is /root/.wine
 *   process.parent.{name, executable, args, title, env_vars, working_directory}  the same, for
 *                           the parent (environment and directory default to the child's)
 *
 * Fields WRITTEN in the Windows view (all other fields are copied unchanged):
 *   process.name, process.executable (DOS path), process.args, process.args_count,
 *   process.command_line (Windows quoting, as CommandLineToArgvW reads it back), and the same
 *   under process.parent.* when the parent is a Windows program or an alias; the [view.set]
 *   fields of windows-hosts.toml (host.os.type/family/platform "windows", host.os.name
 *   "Windows", vigil.view "windows"); the ECS synonyms (added beside the Linux values: a field
 *   becomes multi-valued); vigil.host_adapter ("wine", "mono", "binfmt", "alias"), vigil.alias
 *   (the alias id, when one applied), vigil.linux.process.{name,executable} (Linux values).
 *
 * Cost: view_windows allocates nothing on the heap beyond growing `out` (its field array and
 * arena, reused across calls); field ids are resolved once per fieldtab and cached in the maps;
 * out is filled in field-id order so event_seal does not sort. An event whose process names
 * nothing the maps watch leaves after one hash lookup per name (about 90 ns on this machine
 * kind, idle); a full Wine view of a ~35-field event takes a few microseconds.
 * Not thread-safe: a struct view_maps is used by one thread at a time.
 */
#ifndef VIGIL_VIEW_H
#define VIGIL_VIEW_H

#include <stddef.h>

#include "event/event.h"

struct view_maps;

/*
 * Load the mapping files windows-hosts.toml, aliases.toml and ecs-synonyms.toml from directory
 * `dir` (normally mappings/). Returns the maps (free with view_maps_free), or NULL with
 * "file:line:col: reason" (or "path: strerror") in err.
 */
struct view_maps *view_maps_load(const char *dir, char *err, size_t errlen);
void view_maps_free(struct view_maps *m);

/*
 * The Windows view of linux_ev (sealed). Returns 1 and fills `out` (reset first, then sealed;
 * caller-owned and reused, initialised with the same fieldtab as linux_ev) when the event has
 * a Windows view; returns 0 when it has none (out is then reset and empty).
 */
int view_windows(const struct view_maps *m, const struct event *linux_ev, struct event *out);

#endif
