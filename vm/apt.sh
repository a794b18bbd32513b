# shellcheck shell=bash
# vm/apt.sh — sourced by bash scripts: a private apt for downloading Debian packages without
# touching the machine's apt configuration. Everything apt writes (lists, archives, sources)
# lives under $VM_APT (set it before calling; one directory per suite keeps candidates
# unambiguous); the keyring is the stock one.
#
#   vm_apt_setup SOURCES_LINES   write the private sources list ("deb URI SUITE main" lines)
#   vm_apt_update                refresh the private package lists
#   vm_apt ARGS...               apt-get with the private directories
#   vm_apt_cache ARGS...         apt-cache with the private directories

VM_KEYRING=${VM_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
VM_MIRROR=${VM_MIRROR:-http://deb.debian.org/debian}

vm_apt_opts() {
	printf '%s\n' \
		-o "Dir::State=$VM_APT/state" \
		-o "Dir::State::status=$VM_APT/state/status" \
		-o "Dir::Cache=$VM_APT/cache" \
		-o "Dir::Etc::SourceList=$VM_APT/sources.list" \
		-o "Dir::Etc::SourceParts=$VM_APT/sources.list.d" \
		-o "Dir::Etc::Preferences=$VM_APT/preferences" \
		-o "Dir::Etc::PreferencesParts=$VM_APT/preferences.d" \
		-o "APT::Architectures::=amd64" \
		-o "Acquire::Languages=none" \
		-o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false" \
		-o "Debug::NoLocking=1" \
		-o "APT::Sandbox::User=root"
}

vm_apt_setup() {
	mkdir -p "$VM_APT/state/lists/partial" "$VM_APT/cache/archives/partial" \
		"$VM_APT/sources.list.d" "$VM_APT/preferences.d"
	# An empty dpkg status: we only download, nothing is "installed" in this private world.
	[ -e "$VM_APT/state/status" ] || : > "$VM_APT/state/status"
	: > "$VM_APT/preferences"
	printf '%s\n' "$1" | sed "s|^deb |deb [signed-by=$VM_KEYRING] |" > "$VM_APT/sources.list.new"
	if ! cmp -s "$VM_APT/sources.list.new" "$VM_APT/sources.list"; then
		mv "$VM_APT/sources.list.new" "$VM_APT/sources.list"
		rm -f "$VM_APT/updated"
	else
		rm -f "$VM_APT/sources.list.new"
	fi
}

vm_apt() {
	local IFS=$'\n'
	# shellcheck disable=SC2046
	apt-get $(vm_apt_opts) "$@"
}

vm_apt_cache() {
	local IFS=$'\n'
	# shellcheck disable=SC2046
	apt-cache $(vm_apt_opts) "$@"
}

# Refresh the lists at most once every VM_APT_MAX_AGE seconds (default a day), or when forced.
vm_apt_update() {
	local age=${VM_APT_MAX_AGE:-86400} now stamp
	now=$(date +%s)
	stamp=$(cat "$VM_APT/updated" 2>/dev/null || echo 0)
	if [ "${1:-}" != force ] && [ $((now - stamp)) -lt "$age" ]; then
		return 0
	fi
	vm_apt update -q >"$VM_APT/update.log" 2>&1 || {
		cat "$VM_APT/update.log" >&2
		return 1
	}
	# apt-get update exits 0 even when a suite failed; its W:/E: lines say so (and then the
	# next call tries again).
	if grep -q '^[WE]:' "$VM_APT/update.log"; then
		grep '^[WE]:' "$VM_APT/update.log" >&2
		return 0
	fi
	echo "$now" > "$VM_APT/updated"
}
