#!/usr/bin/env bats
# BPF scheduling policies: each policy schedules real work; fairshare,
# fixedshare and latency keep their promises; broken policies are ejected
# with the right reason while gpuload --verify loses nothing; the verifier
# refuses unsafe programs; attach/detach/replace under load; rmmod.

load helpers

GPUSCHED=$REPO/userspace/gpusched/gpusched
ATTACH_LOOP=$REPO/selftests/progs/attach_loop
BAD=$REPO/selftests/policies

setup() {
	gpucore_reload
}

teardown() {
	pkill -9 gpuload 2>/dev/null || true
	"$GPUSCHED" unload >/dev/null 2>&1 || true
	gpucore_unload || true
}

# bss_var MAP VAR: a policy's global VAR, from its .bss map MAP (a BPF map
# name keeps 15 characters: fairshare's is fairshar.bss).
bss_var() {
	bpftool map dump name "$1" -j |
		jq --arg v "$2" '[.[0].formatted.value[".bss"][] | .[$v] // empty][0]'
}

# wait_exit_kind KIND [SECONDS]: poll until the last exit kind is KIND.
wait_exit_kind() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		[ "$(cat $POL/exit_kind)" = "$1" ] && [ "$(cat $POL/state)" = builtin ] && return 0
		sleep 0.1
	done
	echo "exit_kind=$(cat $POL/exit_kind) state=$(cat $POL/state) msg=$(cat $POL/exit_msg)" >&2
	return 1
}

check_policy_runs_work() {
	run "$GPUSCHED" load "$REPO/bpf/$1.bpf.o"
	assert_success
	assert_output --partial "$1"
	run "$GPUSCHED" status --json
	assert_success
	[ "$(echo "$output" | jq -r .policy)" = "$1" ]
	[ "$(echo "$output" | jq -r .state)" = attached ]
	vgpu_create vm1
	run "$GPULOAD" -V vm1 -c 3 -s 500us -t 2 --json
	assert_success
	[ "$(echo "$output" | jq .total.failed)" = 0 ]
	[ "$(cat $POL/decisions)" -gt 0 ]
	run "$GPUSCHED" unload
	assert_success
	[ "$(cat $POL/state)" = builtin ]
	[ "$(cat $POL/exit_kind)" = unregistered ]
}

@test "besteffort loads, schedules gpuload's work, shows in status, unloads" {
	check_policy_runs_work besteffort
}

@test "fairshare loads, schedules gpuload's work, shows in status, unloads" {
	check_policy_runs_work fairshare
}

@test "fixedshare loads, schedules gpuload's work, shows in status, unloads" {
	check_policy_runs_work fixedshare
}

@test "latency loads, schedules gpuload's work, shows in status, unloads" {
	check_policy_runs_work latency
}

@test "fairshare: weights 100/200/400 with mixed job sizes get 1:2:4 of the engine (within 5%)" {
	skip_timing_bound
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=200
	vgpu_create vm3 weight=400
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	run measure_shares 1 5 -i 0 -c 2 -s 100us-20ms -q 16 -- vm1 vm2 vm3
	assert_success
	echo "$output"
	within 5 "$(share_of vm1)" 142.9
	within 5 "$(share_of vm2)" 285.7
	within 5 "$(share_of vm3)" 571.4
	[ "$(cat $POL/state)" = attached ]
}

# Share tests keep deep queues (-q 16: 16 to 300 ms of work per channel),
# so that a load generator the guest's CPU scheduler keeps waiting does not
# let its vGPU's channels run dry: shares are then the policy's, not the
# CPU scheduler's.

# placement_shares PIN: one-channel loads on vm1 vm3 vm2 vm3 vm1 vm2
# (weights 100/300/200), started in that order under fairshare, each bound
# to the engine PIN gives it ("-": the driver picks); prints the engines
# each vGPU's channels are bound to once all run, then "NAME permille" of
# the GPU's compute time over the next 4 s.
placement_shares() {
	local pins=($1) order=(vm1 vm3 vm2 vm3 vm1 vm2) i args
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=200
	vgpu_create vm3 weight=300
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" > /dev/null
	for i in 0 1 2 3 4 5; do
		args=()
		[ "${pins[$i]}" = - ] || args=(-i "${pins[$i]}")
		"$GPULOAD" -V "${order[$i]}" -c 1 "${args[@]}" -s 100us-4ms -q 16 -t 600 -Q > /dev/null &
		sleep 0.2
	done
	sleep 2
	state_get channel vgpu engine | sed 's/^/engines /' | sort -u
	busy_snapshot "$BATS_TEST_TMPDIR/p0"
	sleep 4
	busy_snapshot "$BATS_TEST_TMPDIR/p1"
	stop_loads
	snap_shares "$BATS_TEST_TMPDIR/p0" "$BATS_TEST_TMPDIR/p1" vm1 vm2 vm3
}

@test "placement: a vGPU's channels are spread over the engines of their class, whatever order tenants start in" {
	run placement_shares "- - - - - -"
	assert_success
	echo "$output"
	assert_line "engines vm1 0"
	assert_line "engines vm1 1"
	assert_line "engines vm2 0"
	assert_line "engines vm2 1"
	assert_line "engines vm3 0"
	assert_line "engines vm3 1"
}

@test "fairshare: weights are shares of the GPU, not of each engine, however channels are bound (100/300/200, within 5%)" {
	skip_timing_bound
	# The uneven placement the per-engine policy got wrong: vm1 and vm2 on
	# compute0, vm3 and vm2 on compute1 (vm3 alone would get 29.8%, vm2 53.3%).
	run placement_shares "0 1 0 1 0 1"
	assert_success
	echo "$output"
	within 5 "$(share_of vm1)" 166.7
	within 5 "$(share_of vm2)" 333.3
	within 5 "$(share_of vm3)" 500.0
	[ "$(cat $POL/state)" = attached ]
}

@test "fairshare: weights 1..10000 with caps 1..100 keep every vGPU served, the policy attached" {
	extreme_mix fairshare
}

@test "fixedshare: weights 1..10000 with caps 1..100 keep every vGPU served, the policy attached" {
	extreme_mix fixedshare
}

@test "latency: weights 1..10000 with caps 1..100 keep every vGPU served, the policy attached" {
	extreme_mix latency
}

@test "fairshare: a weight-1 vGPU that ran alone is not starved when a weight-10000 one arrives" {
	vgpu_create light weight=1
	vgpu_create heavy weight=10000
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" > /dev/null
	"$GPULOAD" -V light -c 1 -s 2ms -q 4 -t 600 -Q > /dev/null &
	sleep 0.5
	"$GPULOAD" -V heavy -c 2 -s 2ms -q 4 -t 600 -Q > /dev/null &
	sleep 5.5
	busy_snapshot "$BATS_TEST_TMPDIR/l0"
	sleep 2
	busy_snapshot "$BATS_TEST_TMPDIR/l1"
	run cat $POL/state $POL/exit_msg
	echo "$output"
	assert_line --index 0 attached
	stop_loads
	run snap_delta "$BATS_TEST_TMPDIR/l0" "$BATS_TEST_TMPDIR/l1"
	echo "$output" | grep '^vgpu'
	[ "$(awk '$1 == "vgpu" && $2 == "light" { print $3 }' <<< "$output")" -gt 0 ]
}

@test "fairshare: a channel queued past starve_ns runs before vtime is consulted (its starvation guard)" {
	# the guard acts only while heavy keeps the engine full
	skip_timing_bound
	local n
	vgpu_create light weight=1
	vgpu_create heavy weight=10000
	# weights 1:10000 on one engine: light waits about a second (its lead
	# over the class's clock) between runs, far past starve_ns
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" -o starve_ns=100ms > /dev/null
	"$GPULOAD" -V heavy -i 0 -c 2 -s 2ms -q 4 -t 600 -Q > /dev/null &
	"$GPULOAD" -V light -i 0 -c 1 -s 2ms -q 4 -t 600 -Q > /dev/null &
	sleep 5
	n=$(bss_var fairshar.bss nr_starved)
	stop_loads
	echo "nr_starved $n"
	[ "$n" -gt 0 ]
	[ "$(cat $POL/state)" = attached ]
}

@test "fairshare: when a vGPU goes idle the others split its share by weight; back, it gets its share and no burst" {
	skip_timing_bound
	local t=$BATS_TEST_TMPDIR
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=200
	vgpu_create vm3 weight=400
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	"$GPULOAD" -V vm1 -i 0 -c 2 -s 1ms-4ms -q 16 -t 600 -Q > /dev/null &
	"$GPULOAD" -V vm3 -i 0 -c 2 -s 1ms-4ms -q 16 -t 600 -Q > /dev/null &
	# vm2 is busy for the first 2 s, then goes idle
	"$GPULOAD" -V vm2 -i 0 -c 2 -s 1ms-4ms -q 16 -t 2 -Q > /dev/null
	sleep 0.3
	busy_snapshot "$t/s0"
	sleep 3
	busy_snapshot "$t/s1"
	run snap_shares "$t/s0" "$t/s1" vm1 vm2 vm3
	echo "vm2 idle: $(echo $output)"
	[ "$(share_of vm2)" = 0 ]
	within 5 "$(share_of vm1)" 200
	within 5 "$(share_of vm3)" 800
	# vm2 comes back: after its idle time it gets 2/7, not a catch-up burst
	"$GPULOAD" -V vm2 -i 0 -c 2 -s 1ms-4ms -q 16 -t 600 -Q > /dev/null &
	sleep 0.5
	busy_snapshot "$t/s2"
	sleep 0.5
	busy_snapshot "$t/s3"
	sleep 2.5
	busy_snapshot "$t/s4"
	run snap_shares "$t/s2" "$t/s3" vm1 vm2 vm3
	echo "vm2's first 0.5 s back: $(echo $output)"
	[ "$(share_of vm2)" -lt 357 ]
	run snap_shares "$t/s3" "$t/s4" vm1 vm2 vm3
	echo "then: $(echo $output)"
	echo "policy: $(cat $POL/name) $(cat $POL/state) $(cat $POL/exit_kind) $(cat $POL/exit_msg)"
	within 5 "$(share_of vm1)" 142.9
	within 5 "$(share_of vm2)" 285.7
	within 5 "$(share_of vm3)" 571.4
	stop_loads
}

@test "fairshare: the channels of a vGPU share its time evenly, and more channels do not buy a vGPU more" {
	skip_timing_bound
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=100
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	# vm2: one channel; vm1: three, one of 1 ms jobs and two of 10-20 ms
	"$GPULOAD" -V vm2 -i 0 -c 1 -s 5ms -q 16 -t 600 -Q > /dev/null &
	"$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 32 -t 600 -Q > /dev/null &
	"$GPULOAD" -V vm1 -i 0 -c 2 -s 10ms-20ms -q 16 -t 600 -Q > /dev/null &
	sleep 1.5
	busy_snapshot "$BATS_TEST_TMPDIR/b0"
	sleep 4
	busy_snapshot "$BATS_TEST_TMPDIR/b1"
	stop_loads
	# per vGPU and per channel of vm1: engine time between the snapshots
	snap_delta "$BATS_TEST_TMPDIR/b0" "$BATS_TEST_TMPDIR/b1" > "$BATS_TEST_TMPDIR/delta"
	run awk '
		$1 == "vgpu" { vg[$2] = $3 }
		$1 == "channel" && $3 == "vm1" { ch[++n] = $4; sum += $4 }
		END {
			printf "vm1 %.0f ns, vm2 %.0f ns; vm1 channels", vg["vm1"], vg["vm2"]
			for (i = 1; i <= n; i++) printf " %.0f", ch[i]
			printf "\n"
			if (n != 3) exit 1
			# each channel within 10% of the mean of the three
			for (i = 1; i <= n; i++) {
				e = ch[i] - sum / n; if (e < 0) e = -e
				if (e * 10 > sum / n) exit 1
			}
			# equal weights: vm1 (three channels) within 5% of vm2 (one)
			e = vg["vm1"] - vg["vm2"]; if (e < 0) e = -e
			exit !(e * 20 <= vg["vm2"])
		}' "$BATS_TEST_TMPDIR/delta"
	echo "$output"
	assert_success
}

@test "fairshare: a capped vGPU alone on the engine stays at its cap" {
	skip_timing_bound
	vgpu_create vm1 weight=400 cap=25
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	run engine_use vm1 4 -i 0 -c 2 -s 1ms -q 16
	assert_success
	echo "used ${output}% with cap 25%"
	[ "$output" -le 27 ]
	[ "$output" -ge 20 ]
}

@test "fixedshare: an idle tenant's share stays unused (not work conserving)" {
	skip_timing_bound
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=100
	# What the engine delivers to this load when nothing holds it back:
	# each job's end is reached by a timer that the TCG guest fires late,
	# and that lateness is nobody's engine time.
	local all
	all=$(engine_use vm1 4 -i 0 -c 2 -s 1ms -q 16)
	"$GPUSCHED" load "$REPO/bpf/fixedshare.bpf.o"
	# host, vm1 and vm2 weigh 100 each: vm1 is held to a third of the
	# GPU's two compute engines, 67% of one engine's time, which it may
	# use on one engine (a share is of the GPU, not of each engine)
	run engine_use vm1 4 -i 0 -c 2 -s 1ms -q 16
	assert_success
	echo "used ${output}% of compute0 with a fixed share of 33% of two engines; ${all}% under the built-in round robin"
	# held to its share, though the engine could give it more ...
	[ "$output" -le 73 ]
	# ... and given its share of what the engine delivers
	[ "$output" -ge $((all * 67 * 9 / 1000)) ]
}

@test "fixedshare: a cap is hard even when the engine is otherwise idle" {
	skip_timing_bound
	vgpu_create vm1 weight=1000 cap=10
	"$GPUSCHED" load "$REPO/bpf/fixedshare.bpf.o"
	run engine_use vm1 4 -i 0 -c 2 -s 1ms -q 16
	assert_success
	echo "used ${output}% with cap 10%"
	[ "$output" -le 12 ]
	[ "$output" -ge 7 ]
}

@test "latency: interactive work starts ahead of six flat-out batch channels and preempts them" {
	local ui slice p50 p99
	vgpu_create batch
	vgpu_create ui class=interactive
	"$GPUSCHED" load "$REPO/bpf/latency.bpf.o"
	"$GPULOAD" -V batch -i 0 -c 6 -s 2ms-20ms -q 4 -t 600 -Q &
	sleep 1
	trace_start gpucore_job_submit gpucore_switch_in gpucore_switch_out
	run "$GPULOAD" -V ui -i 0 -c 1 -s 200us -r 50 -t 5 --json
	trace_stop
	assert_success
	p50=$(echo "$output" | jq .total.wait_ns.p50)
	p99=$(echo "$output" | jq .total.wait_ns.p99)
	slice=$(cat "$(gpu_sys 0)/timeslice_ns")
	echo "interactive wait p50 ${p50} ns, p99 ${p99} ns, timeslice ${slice} ns"
	# The policy's promise, checked on the driver's own event order rather
	# than on a clock (TCG makes engine threads react milliseconds late
	# now and then; make bench measures the p99 side by side with round
	# robin): after an interactive job is submitted, at most one batch
	# channel is switched in before it (one a dispatch had chosen just
	# before the job arrived), and batch channels are kicked off for it.
	ui=$(vgpu_attr ui id)
	# Only jobs that find the interactive channel idle (not on the engine,
	# nothing else queued) count: a job queued behind others runs in the
	# channel's current slice, or after batch work that starvation
	# protection lets in when interactive work never stops.
	run awk -v ui="$ui" '
		/gpucore_job_submit/ && $0 ~ (" vgpu=" ui " ") && !running && / queued=1 / {
			waiting = 1; batch = 0; jobs++; next
		}
		/gpucore_switch_in/ && $0 ~ (" vgpu=" ui " ") {
			running = 1
			if (waiting && batch > worst) worst = batch
			waiting = 0
			next
		}
		/gpucore_switch_in/ && waiting { batch++ }
		/gpucore_switch_out/ && $0 ~ (" vgpu=" ui " ") { running = 0 }
		/gpucore_switch_out/ && / reason=kicked / { kicked++ }
		END {
			printf "%d interactive jobs, at most %d batch switch-ins before one started, %d batch channels kicked\n",
			       jobs, worst, kicked
			exit !(jobs >= 100 && worst <= 1 && kicked > 0)
		}' "$TRACEFS/trace"
	echo "$output"
	assert_success
	# most interactive jobs start well within a timeslice (a timing
	# bound: not on the debug kernel, see skip_timing_bound)
	on_debug_kernel || [ "$p50" -lt "$slice" ]
	stop_loads
	[ "$(cat $POL/state)" = attached ]
}

# batch_share_beside_interactive [-o NAME=VALUE...]: load latency.bpf with
# those tunables; while a flat-out interactive channel and a flat-out batch
# channel share engine 0 for 3 s, print the batch vGPU's share (permille).
batch_share_beside_interactive() {
	"$GPUSCHED" load "$REPO/bpf/latency.bpf.o" "$@" > /dev/null || return 1
	"$GPULOAD" -V ui -i 0 -c 1 -s 1ms -q 16 -t 600 -Q > /dev/null &
	"$GPULOAD" -V batch -i 0 -c 1 -s 2ms -q 4 -t 600 -Q > /dev/null &
	sleep 1
	busy_snapshot "$BATS_TEST_TMPDIR/s0"
	sleep 3
	busy_snapshot "$BATS_TEST_TMPDIR/s1"
	stop_loads
	# the policy's own count of batch channels it ran because they starved
	bss_var latency.bss nr_starved > "$BATS_TEST_TMPDIR/starved"
	"$GPUSCHED" unload > /dev/null || return 1
	snap_shares "$BATS_TEST_TMPDIR/s0" "$BATS_TEST_TMPDIR/s1" batch ui |
		awk '$1 == "batch" { print $2 }'
}

@test "latency: flat-out interactive work does not starve batch work (a timeslice every starve_ns)" {
	skip_timing_bound
	local on starved
	vgpu_create batch
	vgpu_create ui class=interactive
	# starve_ns 50 ms (the default): batch gets a 2 ms slice per 52 ms
	# (25 permille) or more, and the starvation rule is what gives them to
	# it (about one starved batch dispatch every 52 ms while the
	# interactive channel keeps the engine busy)
	on=$(batch_share_beside_interactive)
	starved=$(cat "$BATS_TEST_TMPDIR/starved")
	echo "batch share: ${on} permille, ${starved} starved batch dispatches"
	[ "$on" -ge 25 ]
	[ "$starved" -gt 0 ]
}

# interactive_wait_p99: the p99 submit-to-start latency (ns) of an
# interactive channel's 200 us jobs, 50 a second for 5 s, while six batch
# channels run 5-50 ms jobs flat out on the same engine.
interactive_wait_p99() {
	"$GPULOAD" -V batch -i 0 -c 6 -s 5ms-50ms -q 4 -t 600 -Q > /dev/null &
	sleep 1
	local rc=0 jobs
	"$GPULOAD" -V ui -i 0 -c 1 -s 200us -r 50 -t 5 --json > "$BATS_TEST_TMPDIR/ui.json" || rc=$?
	stop_loads
	jobs=$(jq .total.jobs "$BATS_TEST_TMPDIR/ui.json")
	[ $rc = 0 ] && [ "$jobs" -ge 200 ] ||
		{ echo "gpuload exit $rc, $jobs interactive jobs" >&2; return 1; }
	jq .total.wait_ns.p99 "$BATS_TEST_TMPDIR/ui.json"
}

@test "latency: an interactive channel's p99 submit-to-start stays under two timeslices beside six flat-out batch channels" {
	skip_timing_bound
	local rr p99 slice
	# A 20 ms timeslice: the bound is then about the policy (round robin
	# makes the interactive job wait for up to six batch slices), not
	# about the wake-up delays of a TCG guest's engine thread, which reach
	# 15 ms at the p99 on a busy host whatever the timeslice.
	gpucore_reload timeslice_us=20000
	slice=$(cat "$(gpu_sys 0)/timeslice_ns")
	[ "$slice" = 20000000 ]
	vgpu_create batch
	vgpu_create ui class=interactive
	# the same load under the built-in round robin, side by side
	rr=$(interactive_wait_p99)
	"$GPUSCHED" load "$REPO/bpf/latency.bpf.o"
	p99=$(interactive_wait_p99)
	echo "interactive wait p99: ${p99} ns under latency.bpf, ${rr} ns under round robin; timeslice ${slice} ns"
	[ "$(cat $POL/state)" = attached ]
	[ "$p99" -lt $((2 * slice)) ]
	# and round robin, which does not know classes, does not meet it
	[ "$rr" -ge $((2 * slice)) ]
}

# eject_case OBJ KIND MSG [GPULOAD ARGS...]: gpuload --verify runs while
# the broken policy OBJ is loaded; it must be ejected with KIND and a
# message containing MSG, and no job may be lost or run twice. The load
# runs until the ejection, however long the policy takes to load (tens of
# seconds on the debug kernel), then drains and reports (SIGINT).
eject_case() {
	local obj=$1 kind=$2 msg=$3 extra=
	shift 3
	vgpu_create vm1
	"$GPULOAD" -V vm1 -c 4 -k fill --verify -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/verify.json" &
	local pid=$!
	if [ $# -gt 0 ]; then
		"$GPULOAD" "$@" -t 600 -Q &
		extra=$!
	fi
	wait_vgpu_jobs vm1
	run "$GPUSCHED" load "$BAD/$obj.bpf.o" ${EJECT_OPTS:-}
	assert_success
	wait_exit_kind "$kind" 15
	run cat $POL/exit_msg
	assert_output --partial "$msg"
	[ "$(cat $POL/name)" = builtin ]
	kill -INT $pid $extra
	wait $pid
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
	[ "$(jq .total.jobs "$BATS_TEST_TMPDIR/verify.json")" -gt 0 ]
	wait
}

@test "a policy dispatching a channel that does not exist is ejected (invalid), no job lost" {
	eject_case bad_nonexistent invalid "does not exist"
}

@test "a policy dispatching a channel that is not runnable is ejected (invalid), no job lost" {
	eject_case bad_not_runnable invalid "not runnable"
}

@test "a policy dispatching a channel of another GPU is ejected (invalid), no job lost" {
	gpucore_reload num_gpus=2
	eject_case bad_other_gpu invalid "belongs to gpu" -g 1 -c 2 -s 1ms
}

@test "a policy inserting a channel that is not runnable (from stopping) is ejected (invalid), no job lost" {
	eject_case bad_insert_stopping invalid "gpucore_dsq_insert() from stopping(): channel"
	run cat $POL/exit_msg
	assert_output --partial "the channel is not runnable"
}

@test "a policy inserting a channel twice is ejected (invalid), no job lost" {
	eject_case bad_insert_twice invalid "the channel is already queued"
}

@test "a policy inserting a channel into a queue of another engine class is ejected (invalid), no job lost" {
	eject_case bad_dsq_class invalid "a queue of another engine class" -E copy -c 1 -k copy
}

@test "a policy inserting by vtime into a queue of FIFO channels is ejected (invalid), no job lost" {
	EJECT_OPTS="-o vtime_odd=true" eject_case bad_dsq_order invalid "the queue holds" -i 0 -c 2 -s 1ms
}

@test "a policy inserting FIFO into a queue of vtime-ordered channels is ejected (invalid), no job lost" {
	EJECT_OPTS="-o vtime_odd=false" eject_case bad_dsq_order invalid "the queue holds" -i 0 -c 2 -s 1ms
}

@test "a policy inserting by vtime into a local queue is ejected (invalid), no job lost" {
	eject_case bad_vtime_local invalid "local queues are FIFO"
}

@test "a policy inserting into a queue that does not exist is ejected (invalid), no job lost" {
	eject_case bad_no_dsq invalid "into queue 0x2a: no such queue"
}

@test "a policy leaving channels in a queue it never consumes is ejected by the watchdog (stall), no job lost" {
	eject_case bad_unconsumed stall "runnable on gpu0"
}

@test "a policy that never dispatches is ejected by the watchdog (stall), no job lost" {
	eject_case bad_never_dispatch stall "runnable on gpu0"
}

@test "init() creates 1024 queues of ids over the whole range, then is refused ENOSPC, EEXIST, EINVAL, ENODEV; tick() finds each by id" {
	local i n=0
	run "$GPUSCHED" load "$BAD/dsq_set.bpf.o"
	assert_success
	for i in $(seq 100); do
		# tick()s that found every queue by its id
		n=$(bss_var dsq_set.bss nr_ticks_checked)
		[ "$n" -ge 3 ] && break
		sleep 0.1
	done
	[ "$n" -ge 3 ]
	[ "$(cat $POL/name) $(cat $POL/state)" = "dsq_set attached" ]
}

@test "a policy with a slow dispatch() is ejected (slow), naming the callback, no job lost" {
	EJECT_OPTS="-o slow_cb=0" eject_case bad_slow slow "dispatch() ran"
}

@test "a policy with a slow runnable() is ejected (slow), naming the callback, no job lost" {
	EJECT_OPTS="-o slow_cb=1" eject_case bad_slow slow "runnable() ran"
}

@test "a policy whose runnable() is slow on one call in four is ejected (slow), no job lost" {
	EJECT_OPTS="-o slow_cb=1 -o slow_every=4" eject_case bad_slow slow "runnable() ran"
}

@test "a policy with a slow tick() is ejected (slow), naming the callback, no job lost" {
	EJECT_OPTS="-o slow_cb=2" eject_case bad_slow slow "tick() ran"
}

@test "a policy's budget_us is its callbacks' budget, shown in sysfs" {
	run "$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	assert_success
	[ "$(cat $POL/budget_us)" = "$(awk '$2 == "GPUCORE_CB_BUDGET_DEFAULT_US" { print $3 }' "$REPO/include/uapi/gpucore_sched.h")" ]
	[ "$(cat $POL/overruns)" = 0 ]
}

# engine_counters FILE: "ENGINE kicks kicks_held busy_ns switches" per
# engine of GPU 0, from one debugfs snapshot.
engine_counters() {
	GPU=0 state_get engine name kicks kicks_held busy_ns switches > "$1"
}

# kick_storm HELD OPTS...: bad_kick_storm with -o OPTS runs beside two
# flat-out loads (1 ms SPIN jobs; FILL jobs checked byte for byte). The
# policy stays attached, the engines keep executing: over two seconds
# the compute engines' engine time per switch-in is at least the minimum
# quantum, kicks are counted (HELD=1: and preempting kicks were held for
# the quantum), and nothing is lost.
kick_storm() {
	local held=$1
	shift
	vgpu_create vm1
	local opts=() o
	for o in "$@"; do opts+=(-o "$o"); done
	run "$GPUSCHED" load "$BAD/bad_kick_storm.bpf.o" "${opts[@]}"
	assert_success
	"$GPULOAD" -V vm1 -c 2 -k fill --verify -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/verify.json" &
	local pid=$!
	"$GPULOAD" -V vm1 -c 2 -s 1ms -t 600 -Q &
	local spin=$!
	sleep 1
	engine_counters "$BATS_TEST_TMPDIR/e0"
	sleep 2
	engine_counters "$BATS_TEST_TMPDIR/e1"
	run cat $POL/state $POL/exit_kind $POL/exit_msg
	echo "$output"
	assert_line --index 0 attached
	kill -INT $pid $spin
	wait $pid
	run awk -v held="$held" -v quantum="$(awk '$2 == "GPUCORE_MIN_QUANTUM_NS" { sub(/ULL/, "", $3); print $3 }' "$REPO/include/uapi/gpucore_sched.h")" '
		FNR == NR { k[$1] = $2; h[$1] = $3; b[$1] = $4; s[$1] = $5; next }
		$1 ~ /^compute/ {
			dk = $2 - k[$1]; dh = $3 - h[$1]; db = $4 - b[$1]; ds = $5 - s[$1]
			printf "%s kicks=%d held=%d busy_ns=%.0f switches=%d\n", $1, dk, dh, db, ds
			if (ds > 0 && db / ds < quantum) { print "engine time per switch-in below the quantum"; bad = 1 }
			if (db < 1e8) { print "engine nearly idle"; bad = 1 }
			kicks += dk; nheld += dh
		}
		END {
			if (!kicks) { print "no kicks counted"; bad = 1 }
			if (held && !nheld) { print "no kick held"; bad = 1 }
			exit bad
		}' "$BATS_TEST_TMPDIR/e0" "$BATS_TEST_TMPDIR/e1"
	echo "$output"
	assert_success
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
	[ "$(jq .total.jobs "$BATS_TEST_TMPDIR/verify.json")" -gt 0 ]
	wait
}

@test "kick storm: a preempting kick of its own engine in running() cannot livelock it (minimum quantum)" {
	kick_storm 1 kick_in=0
}

@test "kick storm: preempting kicks of every engine in running() hold to the minimum quantum" {
	kick_storm 1 kick_in=0 all_engines=1
}

@test "kick storm: preempting kicks of every engine in runnable() hold to the minimum quantum" {
	kick_storm 1 kick_in=1 all_engines=1
}

@test "kick storm: kicks without preemption of every engine in dispatch() are harmless" {
	kick_storm 0 kick_in=2 all_engines=1 with_preempt=0
}

@test "kick storm: kicks without preemption of its own engine in running() are harmless" {
	kick_storm 0 kick_in=0 with_preempt=0
}

@test "a policy reporting an error is ejected (error) with its message, no job lost" {
	eject_case bad_error error "bad_error"
}

@test "an operator can eject a policy through sysfs; the built-in policy takes over" {
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	vgpu_create vm1
	"$GPULOAD" -V vm1 -c 2 -k fill --verify -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/verify.json" &
	local pid=$!
	sleep 1
	echo 1 > $POL/eject
	wait_exit_kind sysfs 5
	kill -INT $pid
	wait $pid
	[ "$(jq .total.lost "$BATS_TEST_TMPDIR/verify.json")" = 0 ]
	[ "$(cat $POL/ejections)" = 1 ]
}

@test "the verifier refuses a policy that dereferences the nullable prev argument unchecked" {
	run "$GPUSCHED" load "$BAD/bad_nullable.bpf.o"
	assert_failure 7
	assert_output --partial "invalid mem access"
	[ "$(cat $POL/state)" = builtin ]
}

@test "the verifier refuses gpucore kfuncs in a program that is not a gpucore policy" {
	run bpftool prog loadall "$BAD/bad_kfunc_tracing.bpf.o" /sys/fs/bpf/bad_kfunc
	assert_failure
	assert_output --partial "gpucore_kick_engine"
	rm -rf /sys/fs/bpf/bad_kfunc
}

@test "the verifier refuses gpucore_dispatch() outside the dispatch callback" {
	run "$GPUSCHED" load "$BAD/bad_dispatch_outside.bpf.o"
	assert_failure 7
	assert_output --partial "gpucore_dispatch"
}

@test "the verifier refuses gpucore_dsq_move_to_local() outside dispatch" {
	run "$GPUSCHED" load "$BAD/bad_move_outside.bpf.o"
	assert_failure 7
	assert_output --partial "gpucore_dsq_move_to_local"
	[ "$(cat $POL/state)" = builtin ]
}

@test "the verifier refuses inserting from running(), the only callback that sees a running channel" {
	run "$GPUSCHED" load "$BAD/bad_insert_running.bpf.o"
	assert_failure 7
	assert_output --partial "gpucore_dsq_insert"
	[ "$(cat $POL/state)" = builtin ]
}

@test "the verifier refuses a policy that writes a channel field it may not write" {
	run "$GPUSCHED" load "$BAD/bad_write_field.bpf.o"
	assert_failure 7
	assert_output --partial "a policy may write only"
	[ "$(cat $POL/state)" = builtin ]
}

@test "attach and detach 200 times while gpuload --verify runs: nothing lost" {
	vgpu_create vm1
	"$GPULOAD" -V vm1 -c 4 -k fill --verify -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/verify.json" &
	pid=$!
	sleep 0.5
	run "$ATTACH_LOOP" "$REPO/bpf/fairshare.bpf.o" 200
	assert_success
	assert_output "200 attach/detach rounds"
	kill -INT $pid
	wait $pid
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
}

@test "rmmod is refused while a policy is attached and works after unload" {
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	run rmmod gpucore
	assert_failure
	[ -d /sys/module/gpucore ]
	"$GPUSCHED" unload
	run gpucore_unload
	assert_success
	[ ! -d /sys/module/gpucore ]
}

@test "replace under load: no job lost, engines keep running through the switch, old policy exits 'replaced'" {
	vgpu_create vm1
	vgpu_create vm2 weight=300
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	# loading a policy takes seconds under TCG: run until stopped
	"$GPULOAD" -V vm1 -i 0 -c 3 -k fill --verify -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/verify.json" &
	v1=$!
	"$GPULOAD" -V vm2 -i 0 -c 3 -s 1ms-3ms -q 4 -t 600 -Q &
	v2=$!
	sleep 1.5
	trace_start gpucore_switch_in gpucore_switch_out gpucore_job_submit gpucore_policy_attach
	echo 1 > "$TRACEFS/events/sched/sched_switch/enable"
	sleep 0.5
	# three switches: fairshare, besteffort, fairshare again
	for p in fairshare besteffort fairshare; do
		run "$GPUSCHED" load --replace "$REPO/bpf/$p.bpf.o"
		assert_success
		sleep 0.5
	done
	trace_stop
	echo 0 > "$TRACEFS/events/sched/sched_switch/enable"
	[ "$(cat $POL/name)" = fairshare ]
	[ "$(cat $POL/state)" = attached ]
	[ "$(cat $POL/exit_kind)" = replaced ]
	[ "$(grep -c 'gpucore_policy_attach: policy=.* replace=1' "$TRACEFS/trace")" = 3 ]
	# Engine 0 ran channels before and after each switch (within 50 ms
	# either side), and around each switch it never sat idle with work
	# queued for anything like the watchdog's timeout: a switch that lost
	# the runnable state would leave it idle until the next tick at best.
	# The bound is twenty timeslices, which a loaded TCG guest's noise
	# stays far within (measured: under two; the time the guest's CPU
	# scheduler kept the engine's thread off the CPU is not counted, see
	# replace_gap.awk).
	run awk -f "$BATS_TEST_DIRNAME/replace_gap.awk" "$TRACEFS/trace"
	assert_success
	echo "$output"
	control=$(sed -n 's/^control //p' <<< "$output")
	slice=$(cat "$(gpu_sys 0)/timeslice_ns")
	gaps=0
	while read -r before after gap raw; do
		echo "runs before/after the switch: $before/$after, idle with work queued ${gap} ns (${raw} ns with the thread preempted), ${control} ns elsewhere, timeslice ${slice} ns"
		[ "$before" -ge 1 ]
		[ "$after" -ge 1 ]
		[ "$gap" -lt $((20 * slice)) ]
		gaps=$((gaps + 1))
	done < <(grep -v '^control' <<< "$output")
	[ "$gaps" = 3 ]
	kill -INT $v1 $v2
	wait $v1
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
}

@test "policy attach, detach and eject show up on the tracepoints" {
	trace_start gpucore_policy_attach gpucore_policy_detach gpucore_policy_eject
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	echo 1 > $POL/eject
	wait_exit_kind sysfs 5
	trace_stop
	run cat "$TRACEFS/trace"
	assert_output --partial "gpucore_policy_attach: policy=besteffort replace=0"
	assert_output --partial "gpucore_policy_eject: policy=besteffort kind=3 reason=ejected by operator"
	assert_output --partial "gpucore_policy_detach: policy=besteffort kind=3"
}
