#!/bin/bash
# Run inside the nested VM (selftests/nested/vm.bats): gpucore.ko as the
# VM's driver of the gpucore virtual device QEMU gives it, then the same
# client programs as on the host. Prints what it checks; non-zero on the
# first failure.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
GPULOAD=$REPO/userspace/gpuload/gpuload

step() { echo "in-vm: $*"; }

step "PCI: $(grep -l 0x67c0 /sys/bus/pci/devices/*/device | head -1)"
modprobe drm_shmem_helper
insmod "$REPO/kmod/gpucore.ko"
# Without num_gpus, a virtual device means no emulated GPU: gpu0 is it.
step "gpu0: $(readlink -f /sys/bus/platform/devices/gpucore.0)"
readlink -f /sys/bus/platform/devices/gpucore.0 | grep -q /pci
[ ! -e /sys/bus/platform/devices/gpucore.1 ]
dmesg | grep -E "gpucore" | tail -3
# Data moved by the host into this VM's buffer objects, every byte checked:
# SPIN, FILL and COPY on the compute engines, then COPY on the copy engine.
check() {
	jq -c '.total | {jobs, failed, lost, duplicated, mismatches}' "$1"
	[ "$(jq -r '[.total.lost, .total.duplicated, .total.mismatches, .total.failed] | @tsv' "$1")" = \
		"$(printf '0\t0\t0\t0')" ]
	[ "$(jq .total.jobs "$1")" -gt 0 ]
}
T=/sys/kernel/tracing
echo 1 > $T/events/gpucore/gpucore_job_complete/enable
step "gpuload --verify, compute, syncobj out-fences"
"$GPULOAD" -c 3 -k mix -s 100us --bo-size 256K -q 4 -n 60 --sync syncobj --verify --json > /tmp/mix.json
check /tmp/mix.json
echo 0 > $T/events/gpucore/gpucore_job_complete/enable
step "tracepoints: $(grep -c gpucore_job_complete: $T/trace) job completions traced"
[ "$(grep -c gpucore_job_complete: $T/trace)" -ge "$(jq .total.jobs /tmp/mix.json)" ]
step "fdinfo"
"$GPULOAD" -c 1 -s 20ms -q 2 -t 600 -Q &
pid=$!
sleep 3
fd=$(ls -l /proc/$pid/fd | awk '/renderD/ { print $9; exit }')
grep drm- /proc/$pid/fdinfo/"$fd"
busy=$(awk '/^drm-engine-compute:/ { print $2 }' /proc/$pid/fdinfo/"$fd")
kill -INT $pid
wait $pid
[ "${busy:-0}" -gt 0 ]
step "gpuload --verify, copy engine, WAIT ioctl"
"$GPULOAD" -E copy -c 2 -k copy --bo-size 1M -q 4 -n 30 --sync wait --verify --json > /tmp/copy.json
check /tmp/copy.json
step "unload"
rmmod gpucore
step "ok"
