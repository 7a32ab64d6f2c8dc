#!/bin/bash
# gpucore stress and soak: everything at once for a bounded time, then
# prove nothing was lost or leaked. Runs as root inside the test guest
# (selftests/stress.bats runs it briefly; make soak for long).
#
#   stress.sh [-t SECONDS] [-w WORKERS] [-o OUTDIR]
#
# Running together for SECONDS:
#   workers   WORKERS loops of gpuload --verify (mixed spin/fill/copy, 1-3
#             channels, random depth) on four stable vGPUs and the host;
#             half of the runs are killed with SIGKILL at a random moment.
#   vgpus     a loop creating a vGPU, running gpuload on it, and destroying
#             it under that load.
#   policies  a loop cycling through loading, replacing, ejecting by hand
#             and unloading policies (fairshare, fixedshare, besteffort,
#             latency, gvtg, drmfair, equalshare) and loading broken ones that the kernel must eject.
#
# Afterwards it checks: every run that was not killed exited 0 with zero
# lost, duplicated, mismatched or failed jobs (gpuload --verify checks each
# completed job's data byte for byte and that each job completed once, in
# order); no process outlived its destroyed vGPU; debugfs shows no channel
# and no video memory left; the module unloads. Prints the figures and
# "stress: PASS" or "stress: FAIL: why"; exit 0 or 1.
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/gpucore-lib.sh
source "$repo/scripts/gpucore-lib.sh"
GPULOAD=$repo/userspace/gpuload/gpuload
GPUSCHED=$repo/userspace/gpusched/gpusched
BAD=$repo/selftests/policies
SYS=$(gpu_sys 0)
POL=/sys/module/gpucore/policy

secs=60 workers=6 out=
while getopts "t:w:o:" o; do
	case $o in
	t) secs=$OPTARG ;;
	w) workers=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: stress.sh [-t SECONDS] [-w WORKERS] [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || out=$(mktemp -d /tmp/stress.XXXXXX)
mkdir -p "$out"
[ "$(id -u)" = 0 ] || { echo "stress: must run as root (in the test guest)" >&2; exit 2; }

fails=$out/failures
: > "$fails"
fail() { echo "$*" >> "$fails"; echo "stress: failure: $*" >&2; }
rnd() { echo $(( $1 + RANDOM % ($2 - $1 + 1) )); }	# rnd MIN MAX
msleep() { sleep "$(printf '0.%03d' "$1")"; }		# msleep 0..999
count() { echo 1 >> "$out/count.$1"; }
total() { [ -e "$out/count.$1" ] && wc -l < "$out/count.$1" || echo 0; }

# ---- workers: verified load on the stable tenants, killed at random -------

# run_one SLOT N: one gpuload run; killed or checked.
run_one() {
	local slot=$1 n=$2 v len chans json pid rc
	local tenants=(host t1 t2 t3 t4)
	v=${tenants[$(( (slot + n) % 5 ))]}
	len=$(rnd 1 4)
	chans=$(rnd 1 3)
	json=$out/w$slot.$n.json
	"$GPULOAD" -V "$v" -c "$chans" -k mix -s 100us-2ms --bo-size 256K -q "$(rnd 1 4)" \
		--verify -t "$len" --json > "$json" 2> "$json.err" &
	pid=$!
	echo "$chans" >> "$out/count.channels"
	count runs
	if [ $((RANDOM % 2)) = 0 ]; then
		sleep "$(rnd 0 $((len - 1))).$(rnd 0 9)"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		count killed
		rm -f "$json" "$json.err"
		return
	fi
	wait $pid
	rc=$?
	if [ $rc != 0 ] || ! jq -e '.total.lost == 0 and .total.duplicated == 0 and
			.total.mismatches == 0 and .total.failed == 0 and .total.jobs > 0' "$json" >/dev/null 2>&1; then
		fail "gpuload on $v (run $slot.$n) exit $rc: $(jq -c .total "$json" 2>/dev/null) $(head -c 300 "$json.err")"
		return
	fi
	jq .total.jobs "$json" >> "$out/jobs"
	count verified
	rm -f "$json" "$json.err"
}

worker() {
	local slot=$1 n=0
	while [ $SECONDS -lt $end ]; do
		run_one "$slot" $n
		n=$((n + 1))
	done
}

# ---- vGPU churn: create, load, destroy under load --------------------------

vgpu_churn() {
	local n=0 name pid i
	while [ $SECONDS -lt $end ]; do
		name=churn$n
		if ! vgpu_create "$name weight=$(rnd 1 1000) cap=$(rnd 0 100) mem=$(rnd 8 64)M"; then
			fail "vgpu_create $name failed"
			return
		fi
		count vgpu_created
		"$GPULOAD" -V "$name" -c 2 -k mix -s 200us-1ms --bo-size 128K -t 10 -Q >/dev/null 2>&1 &
		pid=$!
		msleep "$(rnd 200 999)"
		if ! vgpu_destroy "$name"; then
			fail "vgpu_destroy $name failed"
			return
		fi
		count vgpu_destroyed
		# its process must notice (ENODEV) and exit, not hang
		for i in $(seq 300); do
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 $pid 2>/dev/null; then
			fail "gpuload still running 30 s after its vGPU $name was destroyed"
			kill -KILL $pid
		fi
		wait $pid 2>/dev/null
		n=$((n + 1))
	done
}

# ---- policy churn -----------------------------------------------------------

policy_churn() {
	local good=(besteffort fairshare fixedshare latency gvtg drmfair equalshare)
	local bad=(bad_nonexistent bad_not_runnable bad_error)
	local n=0 p
	# A fixed cycle of actions, so that even a slow run does each kind:
	# load, operator eject, load, replace, a broken policy the kernel
	# must eject, unload. The eject comes second, after loading the
	# smallest policy: on the debug kernel a load of a larger one can
	# take a minute and more, and a run may make only three actions.
	while [ $SECONDS -lt $end ]; do
		echo "$SECONDS $(cat $POL/state) $(cat $POL/name)" >> "$out/policy.log"
		p=${good[$((n % ${#good[@]}))]}
		case $((n % 6)) in
		0|2)
			"$GPUSCHED" unload >/dev/null 2>&1
			"$GPUSCHED" load "$repo/bpf/$p.bpf.o" >/dev/null 2>>"$out/policy.err" &&
				count policy_loaded ;;
		1)
			[ "$(cat $POL/state)" = attached ] && echo 1 > $POL/eject && count policy_operator_ejected ;;
		3)
			"$GPUSCHED" load "$repo/bpf/$p.bpf.o" --replace >/dev/null 2>>"$out/policy.err" &&
				count policy_replaced ;;
		4)
			"$GPUSCHED" unload >/dev/null 2>&1
			"$GPUSCHED" load "$BAD/${bad[$((n / 6 % 3))]}.bpf.o" >/dev/null 2>>"$out/policy.err" &&
				count policy_broken_loaded ;;
		5)
			"$GPUSCHED" unload >/dev/null 2>>"$out/policy.err" && count policy_unloaded ;;
		esac
		n=$((n + 1))
		msleep "$(rnd 300 999)"
	done
	"$GPUSCHED" unload >/dev/null 2>&1
}

# ---- the run ----------------------------------------------------------------

main() {
	local t0 v pids=() j e0 e1
	gpucore_unload || { echo "stress: a loaded gpucore module cannot be unloaded" >&2; exit 1; }
	gpucore_load vram_mb=512 || { echo "stress: insmod $GPUCORE_KO failed" >&2; exit 1; }
	for v in t1 t2 t3 t4; do
		vgpu_create "$v weight=$(rnd 50 400) mem=96M"
	done
	echo 20 > "$SYS/vgpus/t4/cap"
	e0=$(cat $POL/ejections)
	echo "stress: $secs s, $workers workers on host,t1..t4, vGPU churn, policy churn"
	t0=$SECONDS
	end=$((SECONDS + secs))
	for j in $(seq "$workers"); do
		worker "$j" &
		pids+=($!)
	done
	vgpu_churn &
	pids+=($!)
	policy_churn &
	pids+=($!)
	wait "${pids[@]}"
	local dur=$((SECONDS - t0))
	"$GPUSCHED" unload >/dev/null 2>&1
	e1=$(cat $POL/ejections)

	wait_gpu_empty > "$out/left" || fail "channels or video memory left after the run: $(cat "$out/left")"
	for v in host t1 t2 t3 t4; do
		[ "$(cat "$SYS/vgpus/$v/mem_used")" = 0 ] || fail "vGPU $v still has $(cat "$SYS/vgpus/$v/mem_used") bytes in use"
	done
	ls "$SYS/vgpus" | grep -q '^churn' && fail "a churn vGPU was left behind: $(ls "$SYS/vgpus" | xargs)"
	gpucore_unload || fail "rmmod gpucore failed after the run"

	local jobs chans
	jobs=$(awk '{ s += $1 } END { print s + 0 }' "$out/jobs" 2>/dev/null || echo 0)
	chans=$(awk '{ s += $1 } END { print s + 0 }' "$out/count.channels" 2>/dev/null || echo 0)
	echo "stress: duration ${dur} s, processes $(total runs) (killed $(total killed), verified $(total verified)), channels $chans"
	echo "stress: jobs verified $jobs ($(( jobs / (dur > 0 ? dur : 1) )) jobs/s), lost 0 duplicated 0 mismatched 0 in every verified run"
	echo "stress: vGPUs created $(total vgpu_created) destroyed $(total vgpu_destroyed) under load"
	echo "stress: policies loaded $(total policy_loaded) replaced $(total policy_replaced) unloaded $(total policy_unloaded)" \
		"operator-ejected $(total policy_operator_ejected) broken loaded $(total policy_broken_loaded) ejections $((e1 - e0))"
	[ "$(total verified)" -gt 0 ] || fail "no run completed and verified"
	[ "$(total killed)" -gt 0 ] || fail "no run was killed"
	[ "$(total vgpu_destroyed)" -gt 0 ] || fail "no vGPU was destroyed under load"
	[ $(( $(total policy_loaded) + $(total policy_replaced) )) -gt 0 ] ||
		fail "no policy load succeeded: $(tail -n 3 "$out/policy.err" 2>/dev/null)"
	[ $((e1 - e0)) -gt 0 ] || fail "no policy was ejected"
	if [ -s "$fails" ]; then
		echo "stress: FAIL: $(wc -l < "$fails") failure(s):"
		sed 's/^/  /' "$fails"
		exit 1
	fi
	echo "stress: PASS"
}

main
