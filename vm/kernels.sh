#!/usr/bin/env bash
# vm/kernels.sh — download Debian cloud kernels (all built with CONFIG_DEBUG_INFO_BTF=y) into a
# cache, through apt with a private state directory (the machine's apt configuration is never
# changed). Idempotent: a kernel already in the cache is not downloaded again.
#
# usage: vm/kernels.sh [--update] [--list] [--path] [NAME...]
#   NAME      short kernel names: 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), 7.x (sid);
#             default: all of them. Also 6.12-bpo (bookworm-backports), not in the default
#             set: under TCG it crashed in early boot far more often than trixie's 6.12
#   --list    print what the cache holds, download nothing
#   --path    print only the kernel image path of each NAME (downloading it if needed): the
#             uncompressed vmlinux when there is one (faster to boot), else vmlinuz
#   --update  refresh the package lists and fetch newer kernels when there are any
#
# Cache: $VIGIL_VM_CACHE, default ~/.cache/vigil-vm. Per kernel: kernels/NAME/{vmlinuz,vmlinux,
# config,info}.
# Exit status: 0 all requested kernels present; 77 some could not be had (no network, suite
# gone); 2 usage.
set -uo pipefail

VM_CACHE=${VIGIL_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vigil-vm}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vm/apt.sh
. "$here/apt.sh"

ALL="5.10 6.1 6.12 7.x"
suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	7.x) echo sid ;;
	6.12-bpo) echo bookworm-backports ;;
	*) return 1 ;;
	esac
}

mode=get update=0 names=()
for a in "$@"; do
	case $a in
	--list) mode=list ;;
	--path) mode=path ;;
	--update) update=1 ;;
	-h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	-*) echo "kernels.sh: unknown option $a" >&2; exit 2 ;;
	*) suite_of "$a" >/dev/null || { echo "kernels.sh: unknown kernel '$a' (known: $ALL)" >&2; exit 2; }
	   names+=("$a") ;;
	esac
done
[ ${#names[@]} -gt 0 ] || read -r -a names <<<"$ALL"

log() { [ "$mode" = path ] || echo "kernels.sh: $*" >&2; }

describe() { # NAME: one line about a cached kernel
	local d=$VM_CACHE/kernels/$1
	printf '%-5s %-8s %-28s %s\n' "$1" "$(suite_of "$1")" "$(sed -n 's/^version=//p' "$d/info")" \
		"$d/vmlinuz"
}

# The binary package that holds boot/vmlinuz-*: follow linux-image-cloud-amd64's dependencies on
# linux-image-*/linux-binary-* packages (sid's image package is a shell around linux-binary-*).
fetch() { # NAME
	local name=$1 suite d pkg next deb x img ver
	suite=$(suite_of "$name")
	d=$VM_CACHE/kernels/$name
	VM_APT=$VM_CACHE/apt/$suite
	vm_apt_setup "deb $VM_MIRROR $suite main"
	if [ $update = 1 ]; then
		vm_apt_update force || return 1
	else
		vm_apt_update || return 1
	fi
	pkg=linux-image-cloud-amd64
	mkdir -p "$VM_CACHE/debs"
	for _ in 1 2 3 4; do # the image is at most a few dependencies down
		next=$(vm_apt_cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
			--no-replaces --no-enhances "$pkg" 2>/dev/null |
			awk '$1 ~ /Depends:/ { print $2 }' | grep -E '^linux-(image|binary)-[0-9]' | head -n1)
		if [ -z "$next" ]; then
			log "$name: no kernel package found under $pkg in $suite"
			return 1
		fi
		pkg=$next
		deb=$(cd "$VM_CACHE/debs" && ls -1 "${pkg}"_*.deb 2>/dev/null | head -n1)
		if [ -z "$deb" ] || [ $update = 1 ]; then
			log "$name: downloading $pkg ($suite)"
			(cd "$VM_CACHE/debs" && vm_apt download -q "$pkg" >/dev/null) || {
				log "$name: download of $pkg failed"
				return 1
			}
			deb=$(cd "$VM_CACHE/debs" && ls -1t "${pkg}"_*.deb | head -n1)
		fi
		x=$(mktemp -d "$VM_CACHE/x.XXXXXX")
		dpkg-deb -x "$VM_CACHE/debs/$deb" "$x" || { rm -rf "$x"; return 1; }
		# boot/vmlinuz-VERSION up to trixie; usr/lib/modules/VERSION/vmlinuz in sid.
		img=$(find "$x/boot" "$x/usr/lib/modules" -maxdepth 2 \( -name 'vmlinuz-*' -o -name vmlinuz \) \
			2>/dev/null | head -n1)
		if [ -n "$img" ]; then
			case $img in
			*/boot/vmlinuz-*) ver=${img##*/vmlinuz-} ;;
			*) ver=$(basename "$(dirname "$img")") ;;
			esac
			mkdir -p "$d.new"
			cp "$img" "$d.new/vmlinuz"
			cp "$x"/boot/config-* "$d.new/config" 2>/dev/null ||
				cp "$x/usr/lib/modules/$ver/config" "$d.new/config" 2>/dev/null || :
			{
				echo "version=$ver"
				echo "package=$deb"
				echo "suite=$suite"
				if grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$d.new/config" 2>/dev/null; then
					echo "btf=yes"
				else
					echo "btf=unknown (no config in the package)"
				fi
			} > "$d.new/info"
			rm -rf "$x" "$d"
			mv "$d.new" "$d"
			rm -f "$VM_CACHE/debs/$deb" # 60+ MB of modules we do not need
			return 0
		fi
		rm -rf "$x"
	done
	log "$name: no vmlinuz found in $suite's kernel packages"
	return 1
}

# The uncompressed ELF beside each vmlinuz (boot.sh boots it through PVH when it is there).
unpack() { # NAME
	local d=$VM_CACHE/kernels/$1
	[ -s "$d/vmlinuz" ] || return 0
	if [ ! -s "$d/vmlinux" ] || [ "$d/vmlinuz" -nt "$d/vmlinux" ]; then
		python3 "$here/extract-vmlinux.py" "$d/vmlinuz" "$d/vmlinux" ||
			log "$1: no uncompressed kernel (boots the compressed one, slower)"
	fi
}

# Fetch the missing kernels in parallel (each suite has its own private apt directory).
status=0 pids=()
for n in "${names[@]}"; do
	if [ "$mode" != list ] && { [ ! -s "$VM_CACHE/kernels/$n/vmlinuz" ] || [ $update = 1 ]; }; then
		fetch "$n" &
		pids+=($!)
	fi
done
for p in "${pids[@]}"; do wait "$p" || status=77; done
if [ "$mode" != list ]; then
	for n in "${names[@]}"; do unpack "$n" & done
	wait
fi
for n in "${names[@]}"; do
	if [ -s "$VM_CACHE/kernels/$n/vmlinuz" ]; then
		if [ "$mode" = path ]; then
			if [ -s "$VM_CACHE/kernels/$n/vmlinux" ] && [ "${VM_PVH:-1}" = 1 ]; then
				echo "$VM_CACHE/kernels/$n/vmlinux"
			else
				echo "$VM_CACHE/kernels/$n/vmlinuz"
			fi
		else
			describe "$n"
		fi
	else
		[ "$mode" = path ] || printf '%-5s %-8s %s\n' "$n" "$(suite_of "$n")" "(not downloaded)"
		status=77
	fi
done
exit $status
