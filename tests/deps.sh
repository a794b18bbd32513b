#!/bin/sh
# Install the Debian packages vigil needs, only those missing. Idempotent and quick when all
# are present (one dpkg-query). "build": what `make` needs; "all": also what the tests use.
set -eu
build="clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libcjson-dev pkg-config make gcc"
tests="valgrind time iproute2 util-linux wine wine64 gcc-mingw-w64-x86-64 mono-mcs mono-xbuild qemu-system-x86 busybox-static zstd lz4 xz-utils dpkg-dev hyperfine python3 autoconf automake netcat-traditional ncat socat"
case "${1:-build}" in
	build) want=$build ;;
	all)   want="$build $tests" ;;
	*)     echo "usage: deps.sh build|all" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update >/dev/null 2>&1
	apt-get install -y --no-install-recommends $missing >/dev/null
}
