#!/bin/bash
# The gpucore demo, run inside the guest by 'make demo': load the driver,
# create three vGPUs with weights 100/200/400, run a saturating workload
# on each (all on compute engine 0) under the built-in policy and then
# under bpf/fairshare.bpf.o, and show who got the engine, as the driver
# counts it and as gpustat sees it.
set -euo pipefail
cd "$(dirname "$0")/.."
GPULOAD=userspace/gpuload/gpuload
GPUSCHED=userspace/gpusched/gpusched
GPUSTAT=userspace/gpustat/gpustat
source scripts/gpucore-lib.sh
SYS=$(gpu_sys 0)
DUR=${DEMO_SECONDS:-6}

step() { printf '\n== %s\n' "$*"; }

step "insmod kmod/gpucore.ko (one emulated GPU: 2 compute engines + 1 copy engine)"
gpucore_load
# the driver's state, one key=value record per object (debugfs)
debugfs_state 0

step "gpusched vgpu create: three vGPUs, each with its own render node"
$GPUSCHED vgpu create vm1 --weight 100 --mem 256M
$GPUSCHED vgpu create vm2 --weight 200 --mem 256M
$GPUSCHED vgpu create vm3 --weight 400 --mem 256M
$GPUSCHED vgpu list

step "byte-exact data check: FILL/COPY jobs on 4 channels of vm1, verified"
$GPULOAD -V vm1 -c 4 -k mix --bo-size 256K -n 200 --verify -Q

# saturate NAME...: run flat-out jobs of 100us-20ms from each vGPU on
# compute engine 0 for DUR seconds; print each vGPU's engine time, measured
# by the driver, over the middle of the run when all of them are busy.
saturate() {
	local v i b0=() b1=() total=0
	for v in vm1 vm2 vm3; do
		$GPULOAD -V $v -c 2 -i 0 -s 100us-20ms -q 4 -t $((DUR + 2)) -Q > /dev/null &
	done
	sleep 1
	# vm1..vm3's engine time, from one snapshot of the driver's state
	read -ra b0 <<< "$(state_get vgpu name busy_ns | awk '$1 ~ /^vm[123]$/ { printf "%s ", $2 }')"
	sleep "$DUR"
	read -ra b1 <<< "$(state_get vgpu name busy_ns | awk '$1 ~ /^vm[123]$/ { printf "%s ", $2 }')"
	wait
	for i in 0 1 2; do total=$((total + b1[i] - b0[i])); done
	printf '  %-4s %6s %10s %8s %8s\n' vGPU weight busy_ms share target
	i=0
	for v in vm1 vm2 vm3; do
		awk -v v=$v -v w="$(cat $SYS/vgpus/$v/weight)" -v b=$((b1[i] - b0[i])) -v t=$total \
			'BEGIN { printf "  %-4s %6d %10.1f %7.1f%% %7.1f%%\n", v, w, b / 1e6, 100 * b / t, 100 * w / 700 }'
		i=$((i + 1))
	done
}

step "built-in policy (round robin over channels): ${DUR}s on compute engine 0, 2 channels per vGPU, jobs 100us-20ms"
saturate
echo "  (round robin ignores weights: each vGPU gets about a third)"

step "gpusched load bpf/fairshare.bpf.o: weighted fair sharing in BPF"
$GPUSCHED load bpf/fairshare.bpf.o
$GPUSCHED status

step "fairshare: the same workload for ${DUR}s"
saturate
echo "  (targets are weight / 700: fairshare splits the engine 1:2:4)"
$GPUSCHED status

step "per-client usage through fdinfo (drm-usage-stats)"
$GPULOAD -V vm2 -c 1 -s 2ms -t 1.5 -Q &
pid=$!
sleep 0.8
fd=$(ls -l /proc/$pid/fd | awk '/dri\/render/ {print $9; exit}')
grep -E '^drm-(driver|client-id|engine-|total-|resident-)' /proc/$pid/fdinfo/$fd | sed 's/^/  /'
wait $pid

step "gpustat: who gets the engine against what they were promised (fairshare, live)"
for v in vm1 vm2 vm3; do
	$GPULOAD -V $v -c 2 -i 0 -s 100us-20ms -q 4 -t 8 -Q > /dev/null &
done
sleep 1
# One batch report covering 4 s of the run: TARGET is weight over the sum
# of the busy vGPUs' weights, SHARE what the telemetry BPF programs saw.
$GPUSTAT -b -d 4 -n 1
wait
echo "  (vm1:vm2:vm3 = 1:2:4 by weight: targets 14.3%, 28.6%, 57.1%)"

step "gpusched unload: the built-in policy takes over again"
$GPUSCHED unload

step "destroy the vGPUs and unload the driver"
$GPUSCHED vgpu list
for v in vm1 vm2 vm3; do $GPUSCHED vgpu destroy $v; done
gpucore_unload
echo "demo: done: the driver ran real work for three tenants and unloaded cleanly"
