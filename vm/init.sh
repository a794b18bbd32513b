#!/bin/sh
# vm/init.sh — /init of the vigil test initramfs (run by busybox sh as PID 1 in the guest).
# Mounts the pseudo file systems, starts the sensor (when there is one), waits until it is ready,
# runs /scenario/run.sh, stops the sensor with SIGTERM, and sends /out as `tar | gzip | base64`
# between marker lines over the second serial port (/dev/ttyS1), then powers off.
# Settings come from /etc/vigil-vm.conf (written by vm/initramfs.sh).
# If PID 1 dies the kernel panics and (panic=-1, -no-reboot) QEMU exits: boot.sh reports it.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=dumb
# The host's boot.sh looks for this line to tell "died before /init" (retried) from later failures.
echo "VIGIL-VM: init started"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec < /dev/console > /dev/console 2>&1
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
hostname vigil-vm

SENSOR=""
READY_TIMEOUT=60
SCENARIO_TIMEOUT=60
STOP_TIMEOUT=20
. /etc/vigil-vm.conf

OUT=/out
mkdir -p $OUT
export OUT
# Builtins only where the sensor watches (an applet by bare name would show up in the trace
# as /proc/self/exe); external programs by absolute path.
log() { read -r up _ < /proc/uptime; echo "$up $*" >> $OUT/init.log; }
rc_of() { read -r v < "$1"; echo "$v"; }
log "init started"
uname -a > $OUT/uname
cat /proc/cmdline > $OUT/cmdline

# The loopback carries documentation addresses that stand for remote hosts (the guest has no
# other network): connects to them stay inside the VM.
ip link set lo up
for a in $LO_ADDRS; do ip addr add "$a" dev lo; done

# A tenth of a second.
nap() { /bin/usleep 100000; }

is_zombie() { # a child that exited but was not waited for still answers kill -0
	while read -r k v _; do
		[ "$k" = State: ] && { [ "$v" = Z ]; return; }
	done 2>/dev/null < /proc/$1/status
	return 1
}

spid=""
if [ -n "$SENSOR" ]; then
	log "sensor start: $SENSOR"
	# shellcheck disable=SC2086
	$SENSOR > $OUT/sensor.stdout 2> $OUT/sensor.stderr &
	spid=$!
	echo $spid > /run/sensor.pid
	n=0
	while [ ! -e /run/vigil.ready ]; do
		if ! kill -0 $spid 2>/dev/null; then
			wait $spid
			echo $? > $OUT/sensor.rc
			log "sensor died before ready (status $(rc_of $OUT/sensor.rc))"
			spid=""
			break
		fi
		n=$((n + 1))
		if [ $n -gt $((READY_TIMEOUT * 10)) ]; then
			log "sensor not ready after ${READY_TIMEOUT}s"
			echo "not ready after ${READY_TIMEOUT}s" > $OUT/sensor.notready
			break
		fi
		nap
	done
	[ -e /run/vigil.ready ] && log "sensor ready"
fi

if [ -n "$spid" ] || [ -z "$SENSOR" ]; then
	log "scenario start"
	(cd /scenario && exec /bin/timeout -s KILL "$SCENARIO_TIMEOUT" /bin/sh /scenario/run.sh) \
		> $OUT/scenario.log 2>&1 < /dev/null
	echo $? > $OUT/scenario.rc
	log "scenario end (status $(rc_of $OUT/scenario.rc))"
else
	echo "scenario not run: the sensor did not start" > $OUT/scenario.log
fi

if [ -n "$spid" ]; then
	kill -TERM $spid 2>/dev/null
	n=0
	while kill -0 $spid 2>/dev/null && [ $n -lt $((STOP_TIMEOUT * 10)) ]; do
		# a zombie child still answers kill -0: check its state
		is_zombie $spid && break
		n=$((n + 1))
		nap
	done
	if is_zombie $spid || ! kill -0 $spid 2>/dev/null; then
		wait $spid
		echo $? > $OUT/sensor.rc
		log "sensor stopped (status $(rc_of $OUT/sensor.rc))"
	else
		log "sensor did not stop within ${STOP_TIMEOUT}s of SIGTERM: killed"
		kill -KILL $spid 2>/dev/null
		wait $spid
		echo "killed" > $OUT/sensor.rc
	fi
fi

dmesg > $OUT/dmesg 2>/dev/null
log "sending results"
stty -F /dev/ttyS1 raw -echo 2>/dev/null
{
	echo "VIGIL-VM-RESULTS-BEGIN"
	tar -C $OUT -cf - . | gzip -c | base64
	echo "VIGIL-VM-RESULTS-END"
} > /dev/ttyS1
echo "VIGIL-VM: results sent"
sync
poweroff -f
reboot -f
