#!/usr/bin/env bats
# Execution semantics and the built-in policy: preemption, fairness,
# ordering, byte-exact data, idle channels, accounting consistency.

load helpers

setup_file() {
	gpucore_unload || true
	gpucore_load
}

teardown_file() {
	trace_stop || true
	gpucore_unload
}

@test "two flat-out channels on one engine get engine time within 10% (jobs longer than the timeslice)" {
	d=$(two_flat_out_diff 3)
	echo "diff $d%"
	[ "$d" -le 10 ]
}

@test "a channel longer than its timeslice is preempted and resumes (preemptions counted, jobs complete)" {
	before=$(engine_field 1 preemptions)
	run "$GPULOAD" -c 2 -i 1 -s 10ms -q 2 -n 10 --json
	assert_success
	[ "$(echo "$output" | jq '.total.jobs')" = 20 ]
	[ "$(echo "$output" | jq '.total.failed')" = 0 ]
	after=$(engine_field 1 preemptions)
	echo "preemptions $before -> $after"
	[ $((after - before)) -ge 20 ]
}

@test "a SPIN job is charged its duration, however often it was preempted" {
	run "$GPULOAD" -c 3 -i 0 -s 12ms -q 2 -n 6 --json
	assert_success
	busy=$(echo "$output" | jq '.total.busy_ns')
	# 18 jobs x 12 ms; the engine may overshoot a timer, never undershoot
	[ "$busy" -ge $((18 * 12000000)) ]
	[ "$busy" -le $((18 * 12000000 * 13 / 10)) ]
}

@test "jobs of a channel complete in submission order, each exactly once" {
	jobs_in_order_once
}

@test "byte-exact data after thousands of FILL/COPY jobs over many channels, on compute and copy engines" {
	data_exact 400
	echo "$output" | jq -e '.channels[0].engine == 2'
}

@test "completion through DRM_IOCTL_GPUCORE_WAIT works like syncobj waits" {
	run "$GPULOAD" -c 2 -s 200us -q 8 -n 200 --sync wait --verify --json
	assert_success
	echo "$output" | jq -e '.total.jobs == 400 and .total.lost == 0'
}

@test "an idle channel does not hold its engine" {
	# A channel that submits rarely leaves the engine as soon as its job is
	# done (drained), one visit per job, never sitting out its slice; the
	# flat-out channel beside it gets what the engine ran.
	trace_start gpucore_switch_in gpucore_switch_out gpucore_job_complete
	"$GPULOAD" -c 1 -i 0 -s 1ms -r 5 -t 3 --json > "$BATS_TEST_TMPDIR/slow" &
	slow=$!
	run "$GPULOAD" -c 1 -i 0 -s 2ms -q 4 -t 3 --json
	wait $slow
	trace_stop
	assert_success
	t=$BATS_TEST_TMPDIR/trace
	cat "$TRACEFS/trace" > "$t"
	id=$(jq '.channels[0].id' "$BATS_TEST_TMPDIR/slow")
	ch="gpu=0 engine=0 vgpu=0 channel=$id "
	ins=$(grep -c "gpucore_switch_in: $ch" "$t")
	outs=$(grep -c "gpucore_switch_out: $ch" "$t")
	drained=$(grep -c "gpucore_switch_out: $ch.*reason=drained" "$t")
	jobs=$(grep -c "gpucore_job_complete: $ch" "$t")
	echo "slow channel $id: $ins switch-ins, $outs switch-outs ($drained drained), $jobs jobs"
	[ "$jobs" -ge 5 ]
	[ "$ins" = "$jobs" ]
	[ "$outs" = "$drained" ]
	[ "$outs" = "$ins" ]
	flat=$(echo "$output" | jq '.total.busy_ns')
	idle=$(jq '.total.busy_ns' "$BATS_TEST_TMPDIR/slow")
	echo "busy: flat-out $flat, slow $idle"
	[ "$flat" -ge $(( (flat + idle) * 9 / 10 )) ]
}

@test "engine, vGPU and channel accounting agree" {
	gpucore_reload
	run "$GPULOAD" -c 3 -s 1ms-4ms -q 4 -n 100 --json
	assert_success
	chan=$(echo "$output" | jq '.total.busy_ns')
	vgpu=$(vgpu_attr host busy_ns)
	eng=$(state_sum engine busy_ns)
	echo "channels $chan vgpu $vgpu engines $eng"
	[ "$chan" = "$vgpu" ]
	[ "$vgpu" = "$eng" ]
	[ "$(vgpu_attr host jobs)" = 300 ]
}

@test "4096 channels on one GPU: every one runs its job exactly once" {
	# past the host tenant's default channel limit
	echo 4096 > "$(gpu_sys 0)/vgpus/host/max_channels"
	run "$CHAN_SCALE" -c 4096 -s 20000
	assert_success
	assert_output --partial "4096 channels: 4096 jobs completed exactly once"
	run gpu_channels
	assert_output 0
}
