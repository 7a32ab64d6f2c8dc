#!/usr/bin/env bats
# The emulated hardware: context switch cost, non-preemptible work, hang
# detection and recovery, and the checks on their parameters. Tests assert
# what is charged, in what order things happen and what is refused; their
# time bounds are seconds wide (the precise figures are in make bench).

load helpers

setup_file() {
	gpucore_unload || true
	gpucore_load
}

teardown_file() {
	gpucore_unload
}

setup() {
	echo 0 > "$(gpu_sys)/switch_cost_us"
	echo 10000 > "$(gpu_sys)/job_timeout_ms"
}

# sysfs_word FILE N: the Nth (0-based) word of a per-engine sysfs file.
sysfs_word() {
	awk -v n="$2" '{ print $(n + 1) }' "$(gpu_sys)/$1"
}

# channel_busy_per_job: engine time per completed job of each channel on engine 0.
channel_busy_per_job() {
	state_get channel engine=0 busy_ns completed | awk '$2 { printf "%d\n", $1 / $2 }'
}

@test "switch cost: each context switch costs engine time charged to no tenant, counted per engine" {
	echo 5000 > "$(gpu_sys)/switch_cost_us"
	sw0=$(engine_field 0 switch_ns) cx0=$(engine_field 0 ctx_switches)
	# two channels alternate on engine 0: every switch between them loads a context
	"$GPULOAD" -c 2 -i 0 -s 1ms -q 4 -t 3 -Q > /dev/null &
	pid=$!
	sleep 2
	run channel_busy_per_job
	wait $pid
	sw1=$(engine_field 0 switch_ns) cx1=$(engine_field 0 ctx_switches)
	echo "switch_ns $sw0 -> $sw1, ctx_switches $cx0 -> $cx1, busy per job: ${lines[*]}"
	[ $((cx1 - cx0)) -ge 2 ]
	# every context switch cost exactly the configured 5 ms
	[ $((sw1 - sw0)) = $(((cx1 - cx0) * 5000000)) ]
	# a 1 ms job is charged its 1 ms, not the 5 ms switch before it
	[ "${#lines[@]}" -ge 2 ]
	for b in "${lines[@]}"; do [ "$b" = 1000000 ]; done
	# sysfs shows the same counter
	[ "$(sysfs_word engine_switch_ns 0)" -ge $((sw1 - sw0)) ]
}

@test "switch cost 0: no switch overhead is counted" {
	sw0=$(engine_field 1 switch_ns)
	run "$GPULOAD" -c 2 -i 1 -s 1ms -q 4 -n 50 -Q
	assert_success
	[ "$(engine_field 1 switch_ns)" = "$sw0" ]
}

@test "switch cost: one channel alone pays for its context once" {
	echo 2000 > "$(gpu_sys)/switch_cost_us"
	cx0=$(engine_field 1 ctx_switches)
	run "$GPULOAD" -c 1 -i 1 -s 1ms -q 2 -n 40 -Q
	assert_success
	cx1=$(engine_field 1 ctx_switches)
	echo "ctx_switches $cx0 -> $cx1"
	[ $((cx1 - cx0)) -le 1 ]
}

@test "a non-preemptible SPIN delays the switch to a waiting channel until it ends, and no longer" {
	# A: six 400 ms non-preemptible jobs (2.4 s); B arrives while they run,
	# however long its gpuload takes to start, with one short job.
	run long_then_short -s 400ms --nopreempt 1 -q 6 -n 6
	assert_success
	read -r a b <<< "$output"
	cat "$BATS_TEST_TMPDIR/order"
	[ -n "$a" ]
	[ -n "$b" ]
	# B was submitted while A had jobs left; it switched in only when one
	# of A's jobs had ended (the event before is A's completion, not its
	# switch-in), and completed before A's next job: the switch waited for
	# the end of the non-preemptible work and no longer.
	run awk -v a="$a" -v b="$b" '
		$1 == "done" && $2 == a { na++ }
		$1 == "submit" && $2 == b { b_sub = na }
		$1 == "in" && $2 == b && !b_in { b_in = 1; before = prev; na_in = na }
		$1 == "done" && $2 == b { na_done = na }
		{ prev = $1 " " $2 }
		END { print (b_sub < 6 && before == "done " a && na_done == na_in) ? "ok" : "bad" }' "$BATS_TEST_TMPDIR/order"
	assert_output ok
}

@test "a preemptible SPIN is preempted for a waiting channel at its timeslice" {
	short_job_first
}

@test "a hung job is stopped at the job timeout: -ETIMEDOUT, queued jobs cancelled, the channel refuses work with -EIO" {
	echo 500 > "$(gpu_sys)/job_timeout_ms"
	r0=$(vgpu_attr host resets)
	run "$HANGJOB" -i 0 --queued 3
	assert_success
	hang_recovered
	# the job had used its 500 ms of engine time; detected within a second more
	echo "$output" | jq -e '.detect_ms >= 500 and .detect_ms < 1500'
	[ "$(vgpu_attr host resets)" = $((r0 + 1)) ]
	[ "$(sysfs_word engine_resets 0)" -ge 1 ]
	dmesg | grep -q "gpucore: gpu0/compute0: job .* hung after"
}

@test "a hang costs other tenants nothing: a second tenant's verified load runs throughout and loses nothing" {
	echo 300 > "$(gpu_sys)/job_timeout_ms"
	vgpu_create other weight=100
	"$GPULOAD" -V other -c 2 -i 0 -k mix --verify -s 1ms -q 4 -t 4 --json > "$BATS_TEST_TMPDIR/load" &
	load=$!
	sleep 0.5
	for i in 1 2 3; do
		run "$HANGJOB" -i 0
		assert_success
		[ "$(echo "$output" | jq '.hang_status')" = -110 ]
	done
	wait $load
	echo "load: $(jq -c .total "$BATS_TEST_TMPDIR/load")"
	[ "$(jq '.total.failed' "$BATS_TEST_TMPDIR/load")" = 0 ]
	[ "$(jq '.total.verify_errors // 0' "$BATS_TEST_TMPDIR/load")" = 0 ]
	[ "$(jq '.total.jobs' "$BATS_TEST_TMPDIR/load")" -gt 0 ]
	[ "$(vgpu_attr other resets)" = 0 ]
	vgpu_destroy other
}

@test "the gpucore_reset tracepoint fires with the hung job's ids" {
	echo 200 > "$(gpu_sys)/job_timeout_ms"
	trace_start gpucore_reset
	run "$HANGJOB" -i 1 --queued 2
	assert_success
	trace_stop
	grep gpucore_reset: "$TRACEFS/trace"
	run grep -c "gpucore_reset: gpu=0 engine=1 .* seqno=1 .*cancelled=2" "$TRACEFS/trace"
	assert_output 1
}

@test "job timeout 0 disables hang detection: a long non-preemptible job completes" {
	echo 0 > "$(gpu_sys)/job_timeout_ms"
	run "$GPULOAD" -c 1 -i 1 -s 1500ms --nopreempt 1 -n 1 -q 1 --json
	assert_success
	[ "$(echo "$output" | jq '.total.failed')" = 0 ]
}

@test "the same job fails as hung once the timeout is shorter than it" {
	echo 1000 > "$(gpu_sys)/job_timeout_ms"
	run sh -c "'$GPULOAD' -c 1 -i 1 -s 1500ms --nopreempt 1 -n 1 -q 1 --json > '$BATS_TEST_TMPDIR/r'"
	assert_failure 1
	[ "$(jq '.total.failed' "$BATS_TEST_TMPDIR/r")" = 1 ]
}

@test "the module unloads after hangs, and loads again" {
	echo 200 > "$(gpu_sys)/job_timeout_ms"
	run "$HANGJOB" -i 0 --queued 1
	assert_success
	gpucore_unload
	gpucore_load
}

# bad_param PARAM=VALUE MESSAGE: insmod refuses it and says why in the kernel log.
bad_param() {
	gpucore_unload
	dmesg -C
	run gpucore_load "$1"
	assert_failure
	run dmesg
	assert_output --partial "$2"
	gpucore_load
}

@test "insmod refuses switch_cost_us above 10000 with a log line" {
	bad_param switch_cost_us=10001 "switch_cost_us=10001 is out of range 0-10000"
}

@test "insmod refuses job_timeout_ms below 100 with a log line" {
	bad_param job_timeout_ms=99 "job_timeout_ms=99 is out of range 100-600000 (or 0: never)"
}

@test "insmod refuses job_timeout_ms above 600000 with a log line" {
	bad_param job_timeout_ms=600001 "job_timeout_ms=600001 is out of range 100-600000 (or 0: never)"
}

@test "insmod takes both parameters and sysfs shows them" {
	gpucore_unload
	gpucore_load switch_cost_us=50 job_timeout_ms=2000
	[ "$(cat "$(gpu_sys)/switch_cost_us")" = 50 ]
	[ "$(cat "$(gpu_sys)/job_timeout_ms")" = 2000 ]
	gpucore_unload
	gpucore_load
}

# bad_sysfs FILE VALUE: the write fails with EINVAL, the value stays, the log says why.
bad_sysfs() {
	local before
	before=$(cat "$(gpu_sys)/$1")
	dmesg -C
	run sh -c "echo '$2' > $(gpu_sys)/$1"
	assert_failure
	[ "$(cat "$(gpu_sys)/$1")" = "$before" ]
	run dmesg
	assert_output --partial "$1: '$2' is not"
}

@test "sysfs switch_cost_us refuses 10001" { bad_sysfs switch_cost_us 10001; }
@test "sysfs switch_cost_us refuses a non-number" { bad_sysfs switch_cost_us fast; }
@test "sysfs job_timeout_ms refuses 99" { bad_sysfs job_timeout_ms 99; }
@test "sysfs job_timeout_ms refuses 600001" { bad_sysfs job_timeout_ms 600001; }
@test "sysfs job_timeout_ms refuses a negative value" { bad_sysfs job_timeout_ms -1; }
