#!/bin/sh
# False-positive test for the bundled rule pack (issue 6): an ordinary build, recorded live with
# `vigil record`, must raise no alert. The build is a real autotools C project (configure.ac and
# Makefile.am, bootstrapped with the real autoreconf, configured with the generated ./configure,
# ~50 C files compiled and archived with make -j2, its tests run with `make check`, installed into
# a DESTDIR), Python build steps (code generation, byte-compiling, a pip wheel of a C extension),
# a shell build step, and git
# operations (init, add, commit, branch, log, diff, tag) in a temporary directory.
# Nothing here touches the network. Root (BPF) is needed to record.
. tests/lib.sh
if ! need_root; then
	skip fp_ordinary_build "needs root to load the BPF programs for vigil record"
	exit 0
fi
for tool in autoreconf automake gcc make git python3 ar; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip fp_ordinary_build "$tool is not installed (tests/deps.sh all installs it)"
		exit 0
	fi
done
d=$(tmpdir fp)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/src/mathx/lib" "$d/src/mathx/tests" "$d/src/mathx/tools"
P=$d/src/mathx

# ---- the project: lib/ of 48 modules, a program, 2 test programs ----
cat >"$P/configure.ac" <<'AC'
AC_INIT([mathx], [1.4.2], [dev@example.test])
AC_CONFIG_SRCDIR([lib/m01.c])
AC_CONFIG_HEADERS([config.h])
AM_INIT_AUTOMAKE([foreign subdir-objects -Wall])
AC_PROG_CC
AM_PROG_AR
AC_PROG_RANLIB
AC_CHECK_HEADERS([stdint.h string.h unistd.h])
AC_CHECK_FUNCS([strdup memset])
AC_SEARCH_LIBS([sqrt], [m])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
AC
libsrc=""
i=1
while [ $i -le 48 ]; do
	n=$(printf '%02d' $i)
	cat >"$P/lib/m$n.c" <<C
#include "config.h"
#include <string.h>
#include "mathx.h"
/* module $n: a small arithmetic kernel */
long mx_f$n(long x)
{
	long acc = x;
	int k;
	for (k = 0; k < $i; k++)
		acc = (acc * 31 + $i) % 1000003;
	return acc;
}
C
	echo "long mx_f$n(long x);" >>"$P/lib/decls.tmp"
	libsrc="$libsrc lib/m$n.c"
	i=$((i + 1))
done
{ echo '#ifndef MATHX_H'; echo '#define MATHX_H'; cat "$P/lib/decls.tmp"; echo 'long mx_sum(long x);'
  echo '#endif'; } >"$P/lib/mathx.h"
rm -f "$P/lib/decls.tmp"
{ echo '#include "mathx.h"'; echo 'long mx_sum(long x) { long s = 0;'
  i=1; while [ $i -le 48 ]; do printf '  s += mx_f%02d(x);\n' $i; i=$((i + 1)); done
  echo '  return s; }'; } >"$P/lib/sum.c"
cat >"$P/tools/mathx.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "mathx.h"
#include "version.h"
int main(int argc, char **argv)
{
	long x = argc > 1 ? atol(argv[1]) : 7;
	printf("mathx %s: %ld\n", MATHX_VERSION, mx_sum(x));
	return 0;
}
C
cat >"$P/tests/t_sum.c" <<'C'
#include "mathx.h"
int main(void) { return mx_sum(7) == mx_sum(7) && mx_f01(1) == 32 ? 0 : 1; }
C
cat >"$P/tests/t_table.c" <<'C'
#include "table.h"
int main(void) { return TABLE_LEN == 16 && table[3] == 9 ? 0 : 1; }
C
cat >"$P/tests/t_cli.sh" <<'SH'
#!/bin/sh
./mathx 3 | grep -q '^mathx 1.4.2: '
SH
chmod +x "$P/tests/t_cli.sh"
cat >"$P/Makefile.am" <<AM
noinst_LIBRARIES = libmathx.a
libmathx_a_SOURCES = $libsrc lib/sum.c lib/mathx.h
AM_CPPFLAGS = -I\$(srcdir)/lib -I\$(builddir)
bin_PROGRAMS = mathx
mathx_SOURCES = tools/mathx.c
mathx_LDADD = libmathx.a
BUILT_SOURCES = version.h table.h
CLEANFILES = version.h table.h
version.h: Makefile
	\$(SHELL) \$(srcdir)/tools/genversion.sh \$(VERSION) > \$@
table.h: \$(srcdir)/tools/gentable.py
	\$(PYTHON) \$(srcdir)/tools/gentable.py > \$@
PYTHON = python3
check_PROGRAMS = tests/t_sum tests/t_table
tests_t_sum_LDADD = libmathx.a
TESTS = tests/t_sum tests/t_table tests/t_cli.sh
EXTRA_DIST = tools/genversion.sh tools/gentable.py tests/t_cli.sh
AM
# the shell build step and the Python build step
cat >"$P/tools/genversion.sh" <<'SH'
#!/bin/sh
# generate version.h: version, build date, compiler
cc_version=$(${CC:-cc} -dumpversion 2>/dev/null || echo unknown)
printf '#define MATHX_VERSION "%s"\n#define MATHX_CC "%s"\n' "$1" "$cc_version"
SH
cat >"$P/tools/gentable.py" <<'PY'
# generate table.h: a table of squares
print("#define TABLE_LEN 16")
print("static const int table[TABLE_LEN] = {%s};" % ", ".join(str(i * i) for i in range(16)))
PY

# a Python package with a C extension, built into a wheel by pip (setuptools runs gcc)
mkdir -p "$d/src/pyext"
cat >"$d/src/pyext/setup.py" <<'PY'
from setuptools import setup, Extension
setup(name="fastsum", version="0.3", ext_modules=[Extension("fastsum", ["fastsum.c"])])
PY
cat >"$d/src/pyext/fastsum.c" <<'C'
#include <Python.h>
static PyObject *fs_sum(PyObject *self, PyObject *args)
{
	long a, b;
	if (!PyArg_ParseTuple(args, "ll", &a, &b))
		return NULL;
	return PyLong_FromLong(a + b);
}
static PyMethodDef methods[] = {{"sum", fs_sum, METH_VARARGS, "a + b"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "fastsum", NULL, -1, methods};
PyMODINIT_FUNC PyInit_fastsum(void) { return PyModule_Create(&mod); }
C

cat >"$d/build.sh" <<'SH'
set -e
export HOME="$1/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p "$HOME"
cd "$1/src/mathx"
git init -q -b main .
git config user.email ci@example.test
git config user.name "CI"
git add -A
git commit -q -m "mathx 1.4.2"
autoreconf -fi 2>/dev/null
./configure --prefix=/usr >/dev/null
make -j2 >/dev/null
make check >/dev/null
./mathx 5
make install DESTDIR="$1/stage" >/dev/null
python3 -m compileall -q tools
sh tools/genversion.sh 1.4.2 >/dev/null
git checkout -q -b release
git status --short >/dev/null
git diff --stat HEAD >/dev/null
git tag v1.4.2
git log --oneline | head -n 1
tar czf "$1/mathx-1.4.2.tar.gz" -C "$1/stage" .
cd "$1/src/pyext"
python3 -m pip wheel -q --no-deps --no-build-isolation --no-index -w dist . 2>/dev/null
python3 -c "import sys; sys.path.insert(0, 'build/lib.linux-x86_64-cpython-311'); import glob; print(sorted(glob.glob('dist/*.whl')))"
SH

start=$(date +%s)
"$VIGIL" record -o "$d/build.ndjson" -- sh "$d/build.sh" "$d" >"$d/build.log" 2>"$d/record.err"
st=$?
secs=$(($(date +%s) - start))
if [ $st != 0 ]; then
	fail fp_ordinary_build "the build failed (status $st): $(tail -n 5 "$d/build.log" "$d/record.err")"
	exit 0
fi
nev=$(wc -l <"$d/build.ndjson")
nexec=$(grep -c '"action":"exec"' "$d/build.ndjson")
echo "fp build: $nev events ($nexec execs) recorded in ${secs}s"
[ "$nexec" -ge 300 ] && pass fp_build_is_substantial || fail fp_build_is_substantial "only $nexec execs"

# the pack over the trace (Linux view): no alert
"$VIGIL" replay --rules "$VIGIL_SRCDIR/rules" -o "$d/alerts.ndjson" "$d/build.ndjson" 2>"$d/replay.err"
st=$?
nal=$(wc -l <"$d/alerts.ndjson")
echo "fp build: $nal alerts from $(ls "$VIGIL_SRCDIR"/rules/*/*.toml | wc -l) rules"
if [ $st = 0 ] && [ "$nal" = 0 ]; then
	pass fp_build_no_alerts
else
	fail fp_build_no_alerts "status $st, $nal alerts: $(head -c 600 "$d/alerts.ndjson")"
fi

# and with the Windows views (vigil test applies mappings/): still none
cat >"$d/fp.toml" <<T
[test]
name = "ordinary autotools build, tests, git, python and shell steps"
trace = "build.ndjson"
rules = ["$VIGIL_SRCDIR/rules"]
[[no_alert]]
rule_id = "*"
T
if "$VIGIL" test --mappings "$VIGIL_SRCDIR/mappings" "$d/fp.toml" >"$d/test.out" 2>&1; then
	pass fp_build_no_alerts_any_view
else
	fail fp_build_no_alerts_any_view "$(head -n 8 "$d/test.out")"
fi
