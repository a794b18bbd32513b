#!/usr/bin/env bash
# vm/cjson-static.sh OUT.a — build a static libcjson.a for the static vigil (vm/ boots it in an
# initramfs with no shared libraries). Debian's libcjson-dev ships only the shared library, so
# this fetches the Debian source package of the installed cjson version (with Debian's patches,
# through a private apt: the machine's apt configuration is untouched) into the vm cache and
# compiles cJSON.c. Idempotent: the unpacked source is kept in the cache.
set -euo pipefail
out=${1:?usage: cjson-static.sh OUT.a}
VM_CACHE=${VIGIL_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-vm}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vm/apt.sh
. "$here/apt.sh"

ver=$(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null || true)
[ -n "$ver" ] || { echo "cjson-static.sh: libcjson-dev is not installed" >&2; exit 1; }
src=$VM_CACHE/src/cjson-$ver
if [ ! -f "$src/cJSON.c" ]; then
	# The installed version normally comes from the host's suite or its security updates.
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	VM_APT=$VM_CACHE/apt/src-$codename
	vm_apt_setup "deb-src $VM_MIRROR $codename main
deb-src $VM_MIRROR $codename-updates main
deb-src ${VM_MIRROR%/debian}/debian-security $codename-security main"
	vm_apt_update
	w=$(mktemp -d "$VM_CACHE/cjson.XXXXXX")
	trap 'rm -rf "$w"' EXIT
	(cd "$w" && vm_apt source -q --download-only "cjson=$ver" >/dev/null 2>&1) ||
		(cd "$w" && vm_apt source -q --download-only cjson >/dev/null) || {
		echo "cjson-static.sh: cannot download the cjson source package" >&2
		exit 1
	}
	(cd "$w" && dpkg-source -x --no-check ./*.dsc tree >/dev/null)
	mkdir -p "$VM_CACHE/src"
	rm -rf "$src"
	mv "$w/tree" "$src"
fi
mkdir -p "$(dirname "$out")"
o=$(mktemp "$out.XXXXXX.o")
"${CC:-cc}" -O2 -fPIC -std=c89 -c "$src/cJSON.c" -o "$o"
rm -f "$out"
ar rcs "$out" "$o"
rm -f "$o"
