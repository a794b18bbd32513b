/*
 * Unit tests of the Windows view (userspace/view/) with the real mappings/ files: Wine, Mono,
 * binfmt_misc, aliases, parent mapping, ECS synonyms, and errors in mapping files. Events are
 * written as the sensor emits them (argv as exec'd, as observed with Wine 8.0 and Mono 6.8).
 */
#include "t.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/event.h"
#include "eval/eval.h"
#include "lang/lang.h"
#include "view/view.h"

struct fx {
    struct fieldtab *ft;
    struct view_maps *m;
    struct event in, out;
};

static void fx_init(struct fx *f)
{
    char dir[4096], err[512];
    snprintf(dir, sizeof dir, "%s/mappings", t_srcdir());
    f->ft = fieldtab_new();
    f->m = view_maps_load(dir, err, sizeof err);
    if (!f->m)
        t_fail_at(__FILE__, __LINE__, "view_maps_load: %s", err);
    event_init(&f->in, f->ft);
    event_init(&f->out, f->ft);
}

static void fx_clear(struct fx *f)
{
    event_clear(&f->in);
    event_clear(&f->out);
    view_maps_free(f->m);
    fieldtab_free(f->ft);
}

/* The Windows view of the event given as JSON: 1 or 0 as view_windows, -1 on a JSON error. */
static int view(struct fx *f, const char *json)
{
    char err[200];
    if (!f->m)
        return -1;
    if (event_from_json(&f->in, json, strlen(json), err, sizeof err) < 0) {
        t_fail_at(__FILE__, __LINE__, "parse %s: %s", json, err);
        return -1;
    }
    return view_windows(f->m, &f->in, &f->out);
}

static const char *get(const struct event *ev, const char *field)
{
    return event_get_str(ev, field);
}

/* Element i of an array field (or the field itself for i = 0), or NULL. */
static const char *at(const struct event *ev, const char *field, uint32_t i)
{
    const struct val *v = event_get_name(ev, field);
    if (v && v->type == VAL_ARRAY)
        v = i < v->n ? &v->items[i] : NULL;
    else if (i)
        v = NULL;
    return v && v->type == VAL_STR ? v->s : NULL;
}

static int64_t count(const struct event *ev, const char *field)
{
    const struct val *v = event_get_name(ev, field);
    return !v ? -1 : v->type == VAL_ARRAY ? (int64_t)v->n : 1;
}

static bool has(const struct event *ev, const char *field, const char *s)
{
    for (uint32_t i = 0; i < 16; i++) {
        const char *x = at(ev, field, i);
        if (x && strcmp(x, s) == 0)
            return true;
    }
    return false;
}

#define WINE_ENV "\"WINEPREFIX=/tmp/w/pfx\",\"HOME=/root\",\"WINELOADERNOEXEC=1\""

TEST(view_wine_unix_path)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f, "{\"event\":{\"category\":[\"process\"],\"type\":[\"start\"],"
                       "\"action\":\"exec\"},\"host\":{\"os\":{\"type\":\"linux\"}},"
                       "\"process\":{\"name\":\"wine64\",\"pid\":42,\"entity_id\":\"E1\","
                       "\"executable\":\"/usr/lib/wine/wine64\",\"working_directory\":\"/srv\","
                       "\"args\":[\"/usr/lib/wine/wine64\",\"/tmp/w/MSBuild.exe\","
                       "\"203.0.113.7\",\"80\"],\"env_vars\":[" WINE_ENV "]},"
                       "\"user\":{\"id\":\"0\"}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\tmp\\w\\MSBuild.exe");
    CHECK_INT(count(&f.out, "process.args"), 3);
    CHECK_STR(at(&f.out, "process.args", 0), "Z:\\tmp\\w\\MSBuild.exe");
    CHECK_STR(at(&f.out, "process.args", 1), "203.0.113.7");
    CHECK_INT(event_get_name(&f.out, "process.args_count")->i, 3);
    /* what GetCommandLineA returned under Wine 8.0: the DOS path, always quoted */
    CHECK_STR(get(&f.out, "process.command_line"), "\"Z:\\tmp\\w\\MSBuild.exe\" 203.0.113.7 80");
    CHECK_STR(get(&f.out, "host.os.type"), "windows");
    CHECK_INT(count(&f.out, "host.os.type"), 1); /* replaced, not added to */
    CHECK_STR(get(&f.out, "host.os.family"), "windows");
    CHECK_STR(get(&f.out, "host.os.platform"), "windows");
    CHECK_STR(get(&f.out, "vigil.view"), "windows");
    CHECK_STR(get(&f.out, "vigil.host_adapter"), "wine");
    CHECK_STR(get(&f.out, "vigil.linux.process.name"), "wine64");
    CHECK_STR(get(&f.out, "vigil.linux.process.executable"), "/usr/lib/wine/wine64");
    /* Linux fields the view does not replace are copied */
    CHECK_STR(get(&f.out, "process.entity_id"), "E1");
    CHECK_INT(event_get_name(&f.out, "process.pid")->i, 42);
    CHECK_STR(get(&f.out, "process.working_directory"), "/srv");
    /* process-start synonyms: Elastic Defend's and Sysmon's, beside the Linux value */
    CHECK(has(&f.out, "event.action", "exec"));
    CHECK(has(&f.out, "event.action", "start"));
    CHECK(has(&f.out, "event.action", "Process Create (rule: ProcessCreate)"));
    CHECK(has(&f.out, "event.type", "start"));
    CHECK(has(&f.out, "event.type", "process_start"));
    /* the Linux event is untouched */
    CHECK_STR(get(&f.in, "process.name"), "wine64");
    CHECK_STR(get(&f.in, "host.os.type"), "linux");
    fx_clear(&f);
}

TEST(view_wine_prefix_drive_c_and_dos_paths)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{"
                       "\"executable\":\"/usr/lib/wine/wine64\",\"args\":[\"/usr/lib/wine/wine64\","
                       "\"/tmp/w/pfx/drive_c/Program Files/MSBuild/MSBuild.exe\",\"x\"],"
                       "\"env_vars\":[" WINE_ENV "]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "C:\\Program Files\\MSBuild\\MSBuild.exe");
    CHECK_STR(get(&f.out, "process.command_line"), "\"C:\\Program Files\\MSBuild\\MSBuild.exe\" x");

    /* a DOS path as the PE is kept as written */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{"
                       "\"args\":[\"/usr/lib/wine/wine64\","
                       "\"C:\\\\Program Files\\\\MSBuild\\\\MSBuild.exe\",\"x\"],"
                       "\"env_vars\":[" WINE_ENV "]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "C:\\Program Files\\MSBuild\\MSBuild.exe");
    CHECK_STR(get(&f.out, "process.name"), "MSBuild.exe");

    /* dosdevices and .. in a Unix path; a name without extension gets .exe, as Wine does */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{"
                       "\"args\":[\"/usr/lib/wine/wine64\","
                       "\"/tmp/w/pfx/x/../dosdevices/d:/tools/build\"],"
                       "\"env_vars\":[" WINE_ENV "]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "D:\\tools\\build.exe");
    CHECK_STR(get(&f.out, "process.name"), "build.exe");

    /* no WINEPREFIX: $HOME/.wine; uid 0 with no HOME: /root/.wine */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{"
                       "\"args\":[\"/usr/lib/wine/wine64\","
                       "\"/home/u/.wine/drive_c/a.exe\"],\"env_vars\":[\"HOME=/home/u\","
                       "\"WINELOADERNOEXEC=1\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "C:\\a.exe");
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"connection_attempted\"},\"user\":{\"id\":\"0\"},"
                       "\"process\":{\"args\":[\"/usr/lib/wine/wine64\","
                       "\"/root/.wine/drive_c/windows/b.exe\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "C:\\windows\\b.exe");
    /* unknown prefix: the Unix drive */
    CHECK_INT(view(&f,
                   "{\"event\":{\"action\":\"connection_attempted\"},\"user\":{\"id\":\"1000\"},"
                   "\"process\":{\"args\":[\"/usr/lib/wine/wine64\","
                   "\"/root/.wine/drive_c/windows/b.exe\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\root\\.wine\\drive_c\\windows\\b.exe");
    fx_clear(&f);
}

TEST(view_wine_builtin_and_createprocess_child)
{
    struct fx f;
    fx_init(&f);
    /* CreateProcess child: argv as Wine execs it, WINESERVERSOCKET inherited; the program sees
     * the command line its parent passed */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine64\","
                       "\"executable\":\"/usr/lib/wine/wine64\",\"working_directory\":\"/tmp/w\","
                       "\"args\":[\"/usr/lib/wine/wine64\",\"cmd.exe\",\"/c\",\"echo\",\"hi\"],"
                       "\"env_vars\":[" WINE_ENV ",\"WINESERVERSOCKET=13\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_STR(get(&f.out, "process.executable"), "C:\\windows\\system32\\cmd.exe");
    CHECK_STR(at(&f.out, "process.args", 0), "cmd.exe");
    CHECK_STR(at(&f.out, "process.args", 1), "/c");
    CHECK_STR(get(&f.out, "process.command_line"), "cmd.exe /c echo hi");
    /* bare built-in without extension, any case */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{"
                       "\"args\":[\"wine\",\"Notepad\"],\"env_vars\":[" WINE_ENV "]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "C:\\windows\\system32\\Notepad.exe");
    CHECK_STR(get(&f.out, "process.name"), "Notepad.exe");
    /* a bare name that is not a built-in is found in the current directory */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"working_directory\":"
                       "\"/tmp/w\",\"args\":[\"/usr/bin/wine64\",\"MSBuild.exe\"],"
                       "\"env_vars\":[" WINE_ENV "]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\tmp\\w\\MSBuild.exe");
    /* Wine's own options before the PE */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"args\":["
                       "\"/usr/lib/wine/wine64-preloader\",\"/usr/lib/wine/wine64\","
                       "\"C:\\\\windows\\\\system32\\\\services.exe\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "services.exe");
    fx_clear(&f);
}

TEST(view_wine_relative_path_and_title)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f,
                   "{\"event\":{\"action\":\"exec\"},\"process\":{\"working_directory\":"
                   "\"/tmp/w/sub\",\"args\":[\"/usr/lib/wine/wine64\",\"../../w/./MSBuild.exe\","
                   "\"a b\"],\"env_vars\":[" WINE_ENV "]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\tmp\\w\\MSBuild.exe");
    CHECK_STR(get(&f.out, "process.command_line"), "\"Z:\\tmp\\w\\MSBuild.exe\" \"a b\"");
    /* no working directory known: the relative path, with backslashes */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{"
                       "\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.executable"), ".\\MSBuild.exe");
    CHECK_STR(get(&f.out, "process.name"), "MSBuild.exe");

    /* later events: comm is cut at 15 (VBCSCompiler.ex), argv[0] was removed by Wine (what
     * /proc/PID/cmdline shows), the title carries the whole prctl name */
    const char *net = "{\"event\":{\"category\":[\"network\"],\"type\":[\"start\"],"
                      "\"action\":\"connection_attempted\"},\"process\":{\"name\":"
                      "\"VBCSCompiler.ex\",\"executable\":\"/usr/lib/wine/wine64\","
                      "\"working_directory\":\"/tmp/w\",\"title\":\"VBCSCompiler.exe\","
                      "\"args\":[\"./VBCSCompiler.exe\",\"127.0.0.1\",\"9\"]},"
                      "\"destination\":{\"ip\":\"203.0.113.7\",\"port\":80}}";
    CHECK_INT(view(&f, net), 1);
    CHECK_STR(get(&f.out, "process.name"), "VBCSCompiler.exe");
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\tmp\\w\\VBCSCompiler.exe");
    CHECK_STR(get(&f.out, "process.command_line"), "\"Z:\\tmp\\w\\VBCSCompiler.exe\" 127.0.0.1 9");
    CHECK_STR(get(&f.out, "destination.ip"), "203.0.113.7");
    /* the title wins over the file name (a renamed copy reports its module name) */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"connection_attempted\"},\"process\":{\"title\":"
                       "\"VBCSCompiler.exe\",\"args\":[\"/usr/lib/wine/wine64\",\"./x.exe\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "VBCSCompiler.exe");
    /* title absent: the basename */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"connection_attempted\"},\"process\":{"
                       "\"name\":\"wine64\",\"args\":[\"/usr/lib/wine/wine64\",\"./x.exe\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "x.exe");
    fx_clear(&f);
}

TEST(view_wine_transient_execs_have_no_view)
{
    struct fx f;
    fx_init(&f);
    /* /usr/bin/wine is a #!/bin/sh -e script: the kernel's argv; it always execs wine64 */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine\","
                       "\"executable\":\"/usr/bin/dash\",\"args\":[\"/bin/sh\",\"-e\","
                       "\"/usr/bin/wine\",\"./MSBuild.exe\"],\"env_vars\":[\"HOME=/root\"]}}"),
              0);
    /* wine64's first pass (no WINELOADERNOEXEC): it re-execs itself */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine64\","
                       "\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\"],"
                       "\"env_vars\":[\"HOME=/root\",\"WINELOADER=/usr/lib/wine/wine64\"]}}"),
              0);
    /* the second pass is the Windows start */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine64\","
                       "\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\"],"
                       "\"env_vars\":[\"HOME=/root\",\"WINELOADERNOEXEC=1\"]}}"),
              1);
    /* environment unknown: every exec gets a view */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine64\","
                       "\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\"]}}"),
              1);
    /* forks never have a Windows view */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"fork\"},\"process\":{\"name\":\"wine64\","
                       "\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\"]}}"),
              0);
    /* "wine" elsewhere than Wine's directories is not Wine */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine\","
                       "\"args\":[\"/home/u/bin/wine\",\"./x.exe\"]}}"),
              0);
    fx_clear(&f);
}

/* Shapes taken from a trace `vigil record` made of `wine ./MSBuild.exe ...` (Wine 8.0). */
TEST(view_wine_wrappers_and_forked_copies)
{
    struct fx f;
    fx_init(&f);
    /* wineserver is a #!/bin/sh -e script: neither a Windows program nor cmd.exe */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\",\"category\":[\"process\"]},\"process\":{"
                       "\"args\":[\"/bin/sh\",\"-e\",\"/usr/lib/wine/wineserver\"],"
                       "\"executable\":\"/usr/bin/dash\",\"name\":\"wineserver\"}}"),
              0);
    /* nor is winecfg (a link to wineapploader, which execs `wine winecfg.exe`) */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"args\":[\"/bin/sh\","
                       "\"-e\",\"/usr/bin/winecfg\"],\"name\":\"winecfg\"}}"),
              0);
    /* a shell forked by wineapploader ($(basename ...)): its parent, the wrapper, stays Linux */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"sh\","
                       "\"args\":[\"/bin/sh\",\"-c\",\"x\"],\"parent\":{\"name\":\"winecfg\","
                       "\"args\":[\"/bin/sh\",\"-e\",\"/usr/bin/winecfg\"]}}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_STR(get(&f.out, "process.parent.name"), "winecfg");
    /* the intermediate of Wine's double fork exits without exec: its end is not a Windows
     * process's end (executable and args are its parent's) */
    const char *fork_end =
        "{\"event\":{\"action\":\"end\",\"category\":[\"process\"],\"type\":[\"end\"]},"
        "\"process\":{\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"9\"],"
        "\"executable\":\"/usr/lib/wine/wine64\",\"name\":\"wine64\",\"title\":\"MSBuild.exe\","
        "\"pid\":3965,\"parent\":{\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"9\"],"
        "\"executable\":\"/usr/lib/wine/wine64\",\"name\":\"wine64\",\"pid\":3962}}}";
    CHECK_INT(view(&f, fork_end), 0);
    /* the program's own end has a view */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"end\"},\"process\":{\"args\":["
                       "\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"9\"],\"executable\":"
                       "\"/usr/lib/wine/wine64\",\"title\":\"MSBuild.exe\",\"parent\":{\"args\":"
                       "[\"bash\"],\"executable\":\"/usr/bin/bash\",\"name\":\"bash\"}}}"),
              1);
    CHECK(has(&f.out, "event.action", "Process terminated (rule: ProcessTerminate)"));
    /* the parent (bash) maps through the shell alias */
    CHECK_STR(get(&f.out, "process.parent.name"), "cmd.exe");
    /* a CreateProcess child whose parent is the intermediate fork (args of MSBuild.exe, no
     * title): the parent is still MSBuild.exe, from its PE */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"args\":["
                       "\"/usr/lib/wine/wine64\",\"VBCSCompiler.exe\",\"127.0.0.1\",\"9\"],"
                       "\"executable\":\"/usr/lib/wine/wine64\",\"name\":\"wine64\","
                       "\"working_directory\":\"/tmp/w\",\"parent\":{\"args\":["
                       "\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"127.0.0.1\",\"9\",\"child\","
                       "\"VBCSCompiler.exe 127.0.0.1 9\"],\"executable\":\"/usr/lib/wine/wine64\","
                       "\"name\":\"wine64\",\"working_directory\":\"/tmp/w\"}}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "VBCSCompiler.exe");
    CHECK_STR(get(&f.out, "process.parent.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "process.parent.command_line"),
              "\"Z:\\tmp\\w\\MSBuild.exe\" 127.0.0.1 9 child \"VBCSCompiler.exe 127.0.0.1 9\"");
    fx_clear(&f);
}

TEST(view_mono_and_dotnet_assemblies)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"mono\","
                       "\"executable\":\"/usr/bin/mono-sgen\",\"working_directory\":\"/tmp/w\","
                       "\"args\":[\"mono\",\"--debug\",\"./MSBuild.exe\",\"203.0.113.7\"]}}"),
              1);
    CHECK_STR(get(&f.out, "vigil.host_adapter"), "mono");
    CHECK_STR(get(&f.out, "process.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\tmp\\w\\MSBuild.exe");
    CHECK_INT(count(&f.out, "process.args"), 2);
    CHECK_STR(at(&f.out, "process.args", 1), "203.0.113.7");
    CHECK_STR(get(&f.out, "process.command_line"), "Z:\\tmp\\w\\MSBuild.exe 203.0.113.7");
    CHECK_STR(get(&f.out, "vigil.linux.process.executable"), "/usr/bin/mono-sgen");

    /* dotnet exec with an option taking a value; X.dll is X.exe on Windows */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"dotnet\","
                       "\"args\":[\"/usr/bin/dotnet\",\"exec\",\"--runtimeconfig\",\"r.json\","
                       "\"/opt/app/Tool.dll\",\"-x\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "Tool.exe");
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\opt\\app\\Tool.dll");
    CHECK_STR(at(&f.out, "process.args", 1), "-x");

    /* mono without an assembly is not a Windows program */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"mono\","
                       "\"args\":[\"mono\",\"--version\"]}}"),
              0);
    fx_clear(&f);
}

TEST(view_xbuild_via_mono)
{
    struct fx f;
    fx_init(&f);
    /* the xbuild script's own exec: transient (it execs mono at once) */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"xbuild\","
                       "\"executable\":\"/usr/bin/dash\",\"args\":[\"/bin/sh\",\"/usr/bin/xbuild\","
                       "\"p.proj\"]}}"),
              0);
    /* exec /usr/bin/mono /usr/lib/mono/xbuild/14.0/bin/xbuild.exe p.proj */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"mono\","
                       "\"executable\":\"/usr/bin/mono-sgen\",\"working_directory\":\"/src\","
                       "\"args\":[\"/usr/bin/mono\",\"/usr/lib/mono/xbuild/14.0/bin/xbuild.exe\","
                       "\"p.proj\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "process.executable"),
              "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\MSBuild.exe");
    CHECK_STR(at(&f.out, "process.args", 0),
              "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\MSBuild.exe");
    CHECK_STR(at(&f.out, "process.args", 1), "p.proj");
    CHECK_STR(get(&f.out, "vigil.host_adapter"), "mono");
    CHECK_STR(get(&f.out, "vigil.alias"), "msbuild-assembly");
    /* `dotnet build x.csproj` */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"dotnet\","
                       "\"args\":[\"dotnet\",\"build\",\"x.csproj\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "vigil.host_adapter"), "alias");
    CHECK_INT(count(&f.out, "process.args"), 2);
    CHECK_STR(at(&f.out, "process.args", 1), "x.csproj");
    /* other dotnet commands are not MSBuild */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"dotnet\","
                       "\"args\":[\"dotnet\",\"--info\"]}}"),
              0);
    fx_clear(&f);
}

TEST(view_shell_alias_is_cmd)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f,
                   "{\"event\":{\"category\":[\"network\"],\"type\":[\"start\"],"
                   "\"action\":\"connection_attempted\"},\"network\":{\"direction\":\"egress\"},"
                   "\"process\":{\"name\":\"bash\",\"executable\":\"/usr/bin/bash\","
                   "\"args\":[\"bash\",\"-c\",\"exec 3<>/dev/tcp/203.0.113.7/80\"]},"
                   "\"destination\":{\"ip\":\"203.0.113.7\",\"port\":80}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_STR(get(&f.out, "process.executable"), "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(at(&f.out, "process.args", 1), "/c");
    CHECK_STR(get(&f.out, "process.command_line"),
              "C:\\Windows\\System32\\cmd.exe /c \"exec 3<>/dev/tcp/203.0.113.7/80\"");
    CHECK_STR(get(&f.out, "vigil.host_adapter"), "alias");
    CHECK_STR(get(&f.out, "vigil.alias"), "shell");
    CHECK_STR(get(&f.out, "vigil.linux.process.name"), "bash");
    /* network synonyms */
    CHECK(has(&f.out, "event.action", "connection_attempted"));
    CHECK(has(&f.out, "event.action", "Network connection detected (rule: NetworkConnect)"));
    CHECK(has(&f.out, "event.type", "start"));
    CHECK(has(&f.out, "event.type", "connection"));
    CHECK(!has(&f.out, "event.action", "start"));
    CHECK(has(&f.out, "network.direction", "egress"));
    CHECK(has(&f.out, "network.direction", "outgoing"));

    /* sh running a script (xbuild's <Exec>: /usr/bin/sh /tmp/tmpXXXX.tmp); dash by executable */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"sh\","
                       "\"executable\":\"/usr/bin/dash\",\"args\":[\"/usr/bin/sh\","
                       "\"/tmp/tmp1.tmp\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_STR(at(&f.out, "process.args", 1), "/tmp/tmp1.tmp");
    /* -c only maps among the leading options */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"dash\","
                       "\"args\":[\"dash\",\"s.sh\",\"-c\"]}}"),
              1);
    CHECK_STR(at(&f.out, "process.args", 2), "-c");
    /* busybox sh */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"busybox\","
                       "\"args\":[\"busybox\",\"sh\",\"-c\",\"true\"]}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"busybox\","
                       "\"args\":[\"busybox\",\"ls\"]}}"),
              0);
    fx_clear(&f);
}

TEST(view_parent_mapping)
{
    struct fx f;
    fx_init(&f);
    /* a Wine child (cmd.exe) of a Wine program; the parent's fields as the process table has
     * them: argv at its exec, its title, cwd inherited */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"wine64\","
                       "\"working_directory\":\"/tmp/w\",\"args\":[\"/usr/lib/wine/wine64\","
                       "\"cmd.exe\",\"/c\",\"build.bat\"],\"env_vars\":[" WINE_ENV
                       ",\"WINESERVERSOCKET=13\"],"
                       "\"parent\":{\"name\":\"wine64\",\"executable\":\"/usr/lib/wine/wine64\","
                       "\"title\":\"MSBuild.exe\",\"pid\":7,"
                       "\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"a\"]}}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_STR(get(&f.out, "process.parent.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "process.parent.executable"), "Z:\\tmp\\w\\MSBuild.exe");
    CHECK_STR(get(&f.out, "process.parent.command_line"), "\"Z:\\tmp\\w\\MSBuild.exe\" a");
    CHECK_INT(event_get_name(&f.out, "process.parent.pid")->i, 7);

    /* xbuild's Exec task: sh (cmd.exe) whose parent is mono xbuild.exe (MSBuild.exe) */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"sh\","
                       "\"args\":[\"/usr/bin/sh\",\"/tmp/tmp2.tmp\"],\"parent\":{\"name\":\"mono\","
                       "\"executable\":\"/usr/bin/mono-sgen\",\"args\":[\"/usr/bin/mono\","
                       "\"/usr/lib/mono/xbuild/14.0/bin/xbuild.exe\",\"p.proj\"]}}}"),
              1);
    CHECK_STR(get(&f.out, "process.name"), "cmd.exe");
    CHECK_STR(get(&f.out, "process.parent.name"), "MSBuild.exe");
    CHECK_STR(get(&f.out, "process.parent.command_line"),
              "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\MSBuild.exe p.proj");

    /* a Windows program started by make: the parent stays Linux */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"mono\","
                       "\"args\":[\"mono\",\"/a/T.exe\"],\"parent\":{\"name\":\"make\","
                       "\"executable\":\"/usr/bin/make\",\"args\":[\"make\",\"all\"]}}}"),
              1);
    CHECK_STR(get(&f.out, "process.parent.name"), "make");
    CHECK_STR(get(&f.out, "process.parent.executable"), "/usr/bin/make");
    CHECK(get(&f.out, "process.parent.command_line") == NULL);
    fx_clear(&f);
}

TEST(view_binfmt_launch)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"Tool.exe\","
                       "\"executable\":\"/usr/lib/binfmt-support/run-detectors\","
                       "\"working_directory\":\"/srv\",\"args\":["
                       "\"/usr/lib/binfmt-support/run-detectors\",\"./Tool.exe\",\"a\"]}}"),
              1);
    CHECK_STR(get(&f.out, "vigil.host_adapter"), "binfmt");
    CHECK_STR(get(&f.out, "process.name"), "Tool.exe");
    CHECK_STR(get(&f.out, "process.executable"), "Z:\\srv\\Tool.exe");
    CHECK_INT(count(&f.out, "process.args"), 2);
    CHECK_STR(at(&f.out, "process.args", 1), "a");
    /* an ELF that happens to be called x.exe is not a binfmt launch */
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"x.exe\","
                       "\"executable\":\"/opt/x.exe\",\"args\":[\"./x.exe\"]}}"),
              0);
    fx_clear(&f);
}

TEST(view_ordinary_linux_events_have_none)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f, "{\"event\":{\"category\":[\"process\"],\"type\":[\"start\"],"
                       "\"action\":\"exec\"},\"process\":{\"name\":\"gcc\","
                       "\"executable\":\"/usr/bin/x86_64-linux-gnu-gcc-12\","
                       "\"args\":[\"gcc\",\"-c\",\"a.c\"],\"parent\":{\"name\":\"bash\","
                       "\"args\":[\"bash\"]}}}"),
              0);
    CHECK_INT(f.out.n, 0);
    CHECK_INT(view(&f, "{\"event\":{\"category\":[\"network\"],"
                       "\"action\":\"connection_attempted\"},\"process\":{\"name\":\"curl\","
                       "\"args\":[\"curl\",\"http://x\"]}}"),
              0);
    CHECK_INT(view(&f, "{\"message\":\"no process at all\"}"), 0);
    fx_clear(&f);
}

TEST(view_windows_quoting)
{
    struct fx f;
    fx_init(&f);
    CHECK_INT(view(&f, "{\"event\":{\"action\":\"exec\"},\"process\":{\"name\":\"sh\","
                       "\"args\":[\"sh\",\"-c\",\"a \\\"b\\\" c\\\\\",\"\",\"x\\\\y\"]}}"),
              1);
    /* CommandLineToArgvW's rules: \" inside quotes, trailing backslashes doubled, "" for empty */
    CHECK_STR(get(&f.out, "process.command_line"),
              "C:\\Windows\\System32\\cmd.exe /c \"a \\\"b\\\" c\\\\\" \"\" x\\y");
    fx_clear(&f);
}

/* ---- mapping file errors ---- */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        t_fail_at(__FILE__, __LINE__, "cannot write %s", path);
        return;
    }
    fputs(text, fp);
    fclose(fp);
}

/* A copy of mappings/ in a temporary directory with `file` replaced by `text`. */
static void bad_maps(char *dir, const char *file, const char *text)
{
    strcpy(dir, "/tmp/vigil-view-XXXXXX");
    if (!mkdtemp(dir)) {
        t_fail_at(__FILE__, __LINE__, "mkdtemp");
        return;
    }
    static const char *const files[] = {"windows-hosts.toml", "aliases.toml", "ecs-synonyms.toml"};
    for (int i = 0; i < 3; i++) {
        char src[4096], dst[4200];
        snprintf(src, sizeof src, "%s/mappings/%s", t_srcdir(), files[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i]);
        size_t n;
        char *text0 = file_read_all(src, &n);
        write_file(dst, strcmp(files[i], file) == 0 ? text : text0 ? text0 : "");
        free(text0);
    }
}

static void rm_maps(const char *dir)
{
    static const char *const files[] = {"windows-hosts.toml", "aliases.toml", "ecs-synonyms.toml"};
    char p[4200];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void expect_error(const char *file, const char *text, const char *want_suffix)
{
    char dir[64], err[512] = "", want[600];
    bad_maps(dir, file, text);
    struct view_maps *m = view_maps_load(dir, err, sizeof err);
    CHECK(m == NULL);
    view_maps_free(m);
    snprintf(want, sizeof want, "%s/%s:%s", dir, file, want_suffix);
    if (strncmp(err, want, strlen(want)) != 0)
        t_fail_at(__FILE__, __LINE__, "error \"%s\", want it to start with \"%s\"", err, want);
    rm_maps(dir);
}

#define ALIAS_OK                                                                                   \
    "id = \"a\"\nwindows_name = \"X.exe\"\nwindows_executable = 'C:\\X.exe'\n"                     \
    "linux_names = [\"x\"]\nhosted_names = []\nsubcommands = []\ntransient = false\n"

TEST(view_maps_errors_have_positions)
{
    /* unknown key: points at the key */
    expect_error("aliases.toml", "[[alias]]\n" ALIAS_OK "arg_map = {}\n  colour = 1\n",
                 "10:3: unknown key \"colour\"");
    /* wrong type: points at the value */
    expect_error("aliases.toml",
                 "[[alias]]\nid = \"a\"\nwindows_name = \"X.exe\"\nwindows_executable = 'C:\\X'\n"
                 "linux_names = \"x\"\nhosted_names = []\nsubcommands = []\ntransient = false\n"
                 "arg_map = {}\n",
                 "5:15: \"linux_names\" must be of type array, not string");
    /* missing key: points at the table */
    expect_error("aliases.toml", "\n[[alias]]\n" ALIAS_OK, "2:1: missing key \"arg_map\"");
    /* a TOML syntax error comes from the parser with its own position */
    expect_error("ecs-synonyms.toml", "[[synonym]]\nwhen = { \"event.action\" = }\n", "2:27: ");
    /* an array element of the wrong type */
    expect_error("ecs-synonyms.toml",
                 "[[synonym]]\nwhen = { \"event.action\" = \"exec\" }\n"
                 "add = { \"event.action\" = [\"start\", 3] }\n",
                 "3:36: \"event.action\" must hold non-empty strings");

    char err[256] = "";
    CHECK(view_maps_load("/nonexistent-dir", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent-dir/windows-hosts.toml: ") == err);
}

TEST(view_maps_bundled_load)
{
    struct fx f;
    fx_init(&f);
    CHECK(f.m != NULL);
    fx_clear(&f);
}

/* ---- the product's rules over Windows views ---- */

#include "rules/rules.h"

static void count_match(void *ud, const struct eval_match *m)
{
    (void)m;
    (*(int *)ud)++;
}

/*
 * Matches of query over the events (JSON), each fed as its Windows view (windows) or as is;
 * events with no Windows view are not fed in the Windows case. -1 if the query does not compile.
 */
static int matches(struct fx *f, enum lang_kind lang, const char *query, const char *const *events,
                   size_t n, bool windows)
{
    struct lang_error err;
    struct ir_query *q = lang_compile(lang, query, strlen(query), f->ft, &err);
    if (q && eval_prepare(q, &err)) {
        ir_query_free(q);
        q = NULL;
    }
    if (!q) {
        t_fail_at(__FILE__, __LINE__, "%s: %d:%d: %s", query, err.line, err.col, err.msg);
        return -1;
    }
    struct eval_run *r = eval_run_new(q, NULL);
    int got = 0;
    for (size_t i = 0; i < n; i++) {
        int v = view(f, events[i]);
        f->in.seq = i + 1;
        if (!windows)
            eval_run_feed(r, &f->in, count_match, &got);
        else if (v == 1)
            eval_run_feed(r, &f->out, count_match, &got);
    }
    eval_run_finish(r, count_match, &got);
    eval_run_free(r);
    ir_query_free(q);
    return got;
}

/* The exec of `wine ./MSBuild.exe DST 80` (second pass) and its connect, as the sensor records
 * them (the connect attributed to the program, its title known by then). */
#define MSB_EXEC                                                                                   \
    "{\"@timestamp\":\"2026-01-01T00:00:01Z\",\"event\":{\"kind\":\"event\",\"category\":"         \
    "[\"process\"],\"type\":[\"start\"],\"action\":\"exec\"},\"host\":{\"os\":{\"type\":"          \
    "\"linux\"}},\"user\":{\"id\":\"0\"},\"process\":{\"entity_id\":\"E9\",\"pid\":9,"             \
    "\"name\":\"wine64\",\"executable\":\"/usr/lib/wine/wine64\",\"working_directory\":"           \
    "\"/tmp/w\",\"args\":[\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"" DST "\",\"80\"],"         \
    "\"env_vars\":[" WINE_ENV "]}}"
#define MSB_NET                                                                                    \
    "{\"@timestamp\":\"2026-01-01T00:00:02Z\",\"event\":{\"kind\":\"event\",\"category\":"         \
    "[\"network\"],\"type\":[\"start\"],\"action\":\"connection_attempted\"},\"host\":{\"os\":"    \
    "{\"type\":\"linux\"}},\"user\":{\"id\":\"0\"},\"process\":{\"entity_id\":\"E9\","             \
    "\"pid\":9,\"name\":\"wine64\",\"title\":\"MSBuild.exe\",\"executable\":"                      \
    "\"/usr/lib/wine/wine64\",\"working_directory\":\"/tmp/w\",\"args\":["                         \
    "\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"" DST "\",\"80\"],\"env_vars\":[" WINE_ENV       \
    "]},\"destination\":{\"ip\":\"" DST "\",\"port\":80},\"network\":{\"transport\":\"tcp\","      \
    "\"type\":\"ipv4\",\"direction\":\"egress\"}}"

static const char *const msb_kql[] = {
    "event.category:network and event.type:connection and process.name:MSBuild.exe and not "
    "destination.ip:(127.0.0.1 or \"::1\")",
    "event.action:\"Network connection detected (rule: NetworkConnect)\" and "
    "process.name:MSBuild.exe and not destination.ip:(127.0.0.1 or \"::1\")",
    "event.action:\"Network connection detected (rule: NetworkConnect)\" and "
    "process.name:MSBuild.exe and not destination.ip:(\"127.0.0.1\" or \"::1\")",
};
static const char msb_eql[] =
    "sequence by process.entity_id [process where process.name : \"MSBuild.exe\" and "
    "event.type == \"start\"] [network where process.name : \"MSBuild.exe\" and not "
    "cidrmatch(destination.ip, \"127.0.0.1\", \"::1\")]";

TEST(view_rules_msbuild_wine_network)
{
    struct fx f;
    fx_init(&f);
#define DST "203.0.113.7"
    const char *const ev[] = {MSB_EXEC, MSB_NET};
#undef DST
#define DST "127.0.0.1"
    const char *const lo[] = {MSB_EXEC, MSB_NET};
#undef DST
    CHECK_INT(matches(&f, LANG_EQL, msb_eql, ev, 2, true), 1);
    CHECK_INT(matches(&f, LANG_EQL, msb_eql, lo, 2, true), 0);
    CHECK_INT(matches(&f, LANG_EQL, msb_eql, ev, 2, false), 0); /* the Linux view: wine64 */
    for (size_t i = 0; i < ARRAY_LEN(msb_kql); i++) {
        CHECK_INT(matches(&f, LANG_KUERY, msb_kql[i], ev, 2, true), 1);
        CHECK_INT(matches(&f, LANG_KUERY, msb_kql[i], lo, 2, true), 0);
        CHECK_INT(matches(&f, LANG_KUERY, msb_kql[i], ev, 2, false), 0);
    }

    /* the corpus's current version (host.os.type, event.action, user.id, dns exclusions) */
    char path[4096], err[512];
    snprintf(path, sizeof path,
             "%s/../shared/corpus/detection-rules/rules/windows/"
             "defense_evasion_msbuild_making_network_connections.toml",
             t_srcdir());
    if (access(path, R_OK) == 0) {
        struct rule *r = rule_load_file(path, err, sizeof err);
        CHECK(r != NULL);
        if (r) {
            CHECK_INT(matches(&f, LANG_EQL, r->query, ev, 2, true), 1);
            CHECK_INT(matches(&f, LANG_EQL, r->query, lo, 2, true), 0);
            CHECK_INT(matches(&f, LANG_EQL, r->query, ev, 2, false), 0);
        }
        rule_free(r);
    }
    fx_clear(&f);
}

/* bash's own connection through /dev/tcp, as cmd.exe through the shell alias */
#define BASH_NET                                                                                   \
    "{\"@timestamp\":\"2026-01-01T00:00:02Z\",\"event\":{\"category\":[\"network\"],"              \
    "\"type\":[\"start\"],\"action\":\"connection_attempted\"},\"process\":{\"entity_id\":"        \
    "\"B1\",\"name\":\"bash\",\"executable\":\"/usr/bin/bash\",\"args\":[\"bash\",\"-c\","         \
    "\"exec 3<>/dev/tcp/" DST "/80\"]},\"destination\":{\"ip\":\"" DST "\",\"port\":80}}"

TEST(view_rules_cmd_network)
{
    struct fx f;
    fx_init(&f);
    static const char cmd_kql[] =
        "process.name:cmd.exe and event.action:\"Network connection detected (rule: "
        "NetworkConnect)\" and not destination.ip:(10.0.0.0/8 or 172.16.0.0/12 or "
        "192.168.0.0/16)";
#define DST "203.0.113.7"
    const char *const ev[] = {BASH_NET};
#undef DST
#define DST "192.168.1.2"
    const char *const priv[] = {BASH_NET};
#undef DST
    CHECK_INT(matches(&f, LANG_KUERY, cmd_kql, ev, 1, true), 1);
    CHECK_INT(matches(&f, LANG_KUERY, cmd_kql, priv, 1, true), 0);
    CHECK_INT(matches(&f, LANG_KUERY, cmd_kql, ev, 1, false), 0);
    /* a Wine cmd.exe (CreateProcess child running build.bat) */
    const char *const wine_cmd[] = {
        "{\"event\":{\"category\":[\"network\"],\"action\":\"connection_attempted\"},"
        "\"process\":{\"name\":\"wine64\",\"title\":\"cmd.exe\",\"args\":[\"/usr/lib/wine/wine64\","
        "\"cmd.exe\",\"/c\",\"build.bat\"],\"env_vars\":[" WINE_ENV ",\"WINESERVERSOCKET=9\"]},"
        "\"destination\":{\"ip\":\"203.0.113.7\",\"port\":80}}"};
    CHECK_INT(matches(&f, LANG_KUERY, cmd_kql, wine_cmd, 1, true), 1);
    fx_clear(&f);
}
