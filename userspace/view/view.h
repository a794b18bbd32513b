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
 *   event.action, event.category, event.type, network.direction     which event, synonyms
 *   process.name, process.executable                     which program (loader, mono, alias)
 *   process.args            argv as exec'd (the PE is the first non-option after the loader); a
 *                           process seen only after Wine rewrote its argv (argv[0] dropped) is
 *                           also recognised, by process.executable
 *   process.title           main thread's prctl(PR_SET_NAME) name, full string: the Wine name
 *   process.env_vars        "KEY=VALUE" strings (ECS); WINEPREFIX and HOME are used
 *   process.working_directory   to resolve a relative PE path (./MSBuild.exe)
 *   user.id                 default prefix of uid 0 is /root/.wine when HOME is not known
 *   process.parent.{name, executable, args, title, env_vars, working_directory}  the same, for
 *                           the parent (its env defaults to the child's: Wine children inherit)
 *
 * Fields WRITTEN in the Windows view (all other fields are copied unchanged):
 *   process.name, process.executable (DOS path), process.args, process.args_count,
 *   process.command_line (Windows quoting, as CommandLineToArgvW reads it), and the same under
 *   process.parent.* when the parent is a Windows program or an alias; host.os.type,
 *   host.os.family, host.os.platform "windows"; the ECS synonyms; vigil.view "windows",
 *   vigil.host_adapter ("wine", "mono", "binfmt", "alias"), vigil.alias (the alias id, when one
 *   applied), vigil.linux.process.{name,executable} (the Linux values replaced).
 *
 * Cost: view_windows allocates nothing on the heap beyond growing `out` (its field array and
 * arena, reused across calls); field ids are resolved once per fieldtab and cached in the maps.
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
