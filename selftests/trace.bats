#!/usr/bin/env bats
# Tracepoints and fdinfo usage stats.

load helpers

setup_file() {
	gpucore_unload || true
	gpucore_load
}

teardown_file() {
	trace_stop || true
	gpucore_unload
}

# render_fd PID: the descriptor PID holds on a render node, once it has
# opened one (10 s at most).
render_fd() {
	local i fd
	for i in $(seq 100); do
		fd=$(ls -l /proc/$1/fd 2>/dev/null | awk '/dri\/render/ {print $9; exit}')
		[ -n "$fd" ] && { echo "$fd"; return 0; }
		sleep 0.1
	done
	return 1
}

@test "the gpucore events exist in tracefs" {
	for e in gpucore_job_submit gpucore_switch_in gpucore_switch_out gpucore_job_complete \
		 gpucore_channel_create gpucore_channel_destroy gpucore_vgpu_create gpucore_vgpu_destroy; do
		[ -d "$TRACEFS/events/gpucore/$e" ]
	done
}

@test "job events carry matching ids: submit, switch in, complete, per channel and seqno" {
	trace_start
	run "$GPULOAD" -c 2 -i 0 -s 3ms -q 2 -n 5 --json
	trace_stop
	assert_success
	t=$BATS_TEST_TMPDIR/trace
	cat "$TRACEFS/trace" > "$t"
	for id in $(echo "$output" | jq '.channels[].id'); do
		run grep -c "gpucore_job_submit: gpu=0 engine=0 vgpu=0 channel=$id " "$t"
		assert_output 5
		run grep -c "gpucore_job_complete: gpu=0 engine=0 vgpu=0 channel=$id .* status=0 " "$t"
		assert_output 5
		for s in 1 2 3 4 5; do
			grep -q "gpucore_job_complete: .*channel=$id client=[0-9]* seqno=$s " "$t"
		done
		grep -q "gpucore_switch_in: gpu=0 engine=0 vgpu=0 channel=$id " "$t"
		grep -q "gpucore_switch_out: gpu=0 engine=0 vgpu=0 channel=$id .*reason=preempted" "$t"
		grep -q "gpucore_switch_out: gpu=0 engine=0 vgpu=0 channel=$id .*reason=drained" "$t"
		grep -q "gpucore_channel_create: gpu=0 engine=0 vgpu=0 channel=$id .*comm=gpuload" "$t"
		grep -q "gpucore_channel_destroy: gpu=0 engine=0 vgpu=0 channel=$id " "$t"
	done
}

@test "the client id in events is the DRM client id of fdinfo" {
	trace_start gpucore_channel_create
	# the load runs until it has been looked at (on a slow guest a fixed
	# length could end before), then drains and exits on SIGINT
	"$GPULOAD" -c 1 -s 20ms -q 2 -t 600 -Q &
	pid=$!
	fd=$(render_fd $pid)
	cid=$(awk '/^drm-client-id:/ {print $2}' /proc/$pid/fdinfo/$fd)
	kill -INT $pid
	wait $pid
	trace_stop
	[ -n "$cid" ]
	grep -q "gpucore_channel_create: .* client=$cid pid=$pid comm=gpuload" "$TRACEFS/trace"
}

@test "vGPU events fire on create and destroy" {
	trace_start gpucore_vgpu_create gpucore_vgpu_destroy
	vgpu_create tv weight=321
	vgpu_destroy tv
	trace_stop
	grep -q "gpucore_vgpu_create: gpu=0 vgpu=[0-9]* name=tv weight=321" "$TRACEFS/trace"
	grep -q "gpucore_vgpu_destroy: gpu=0 vgpu=[0-9]* name=tv weight=321" "$TRACEFS/trace"
}

@test "fdinfo has the drm-usage-stats keys" {
	"$GPULOAD" -c 1 -k fill --bo-size 2M -s 5ms -t 600 -Q &
	pid=$!
	fd=$(render_fd $pid)
	sleep 0.5
	run cat /proc/$pid/fdinfo/$fd
	kill -INT $pid
	wait $pid
	assert_line --regexp '^drm-driver:[[:space:]]+gpucore$'
	assert_line --regexp '^drm-client-id:[[:space:]]+[0-9]+$'
	assert_line --regexp '^gpucore-vgpu:[[:space:]]+host$'
	assert_line --regexp '^drm-engine-compute:[[:space:]]+[0-9]+ ns$'
	assert_line --regexp '^drm-engine-capacity-compute:[[:space:]]+2$'
	assert_line --regexp '^drm-engine-copy:[[:space:]]+[0-9]+ ns$'
	assert_line --regexp '^drm-total-memory:[[:space:]]+[0-9]+ [KM]iB$'
	assert_line --regexp '^drm-resident-memory:[[:space:]]+[0-9]+ [KM]iB$'
}

@test "fdinfo engine time is consistent with the driver's accounting, and grows with work" {
	gpucore_reload
	"$GPULOAD" -c 2 -s 2ms -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/r.json" &
	pid=$!
	fd=$(render_fd $pid)
	sleep 1
	t1=$(awk '/^drm-engine-compute:/ {print $2}' /proc/$pid/fdinfo/$fd)
	sleep 1
	t2=$(awk '/^drm-engine-compute:/ {print $2}' /proc/$pid/fdinfo/$fd)
	v=$(vgpu_attr host busy_ns)
	kill -INT $pid
	wait $pid
	echo "fdinfo $t1 -> $t2, vgpu $v"
	[ "$t2" -gt "$t1" ]
	# utilization from two fdinfo samples, as a generic reader computes it
	# (a timing bound: not on the debug kernel, see skip_timing_bound)
	util=$(( (t2 - t1) * 100 / 1000000000 ))
	on_debug_kernel || [ "$util" -ge 50 ]
	[ "$t2" -le "$v" ]
	total=$(jq '.total.busy_ns' "$BATS_TEST_TMPDIR/r.json")
	[ "$(vgpu_attr host busy_ns)" = "$total" ]
}

@test "perf records a gpucore tracepoint and perf script names a switch-out's reason" {
	# perf formats from the event's format file: the reason's names need
	# the enum values there (TRACE_DEFINE_ENUM), else it prints reason=0x0
	local data=$BATS_TEST_TMPDIR/perf.data
	run perf record -a -B -q -o "$data" -e gpucore:gpucore_switch_out -- \
		"$GPULOAD" -c 2 -i 0 -s 3ms -q 2 -n 5 -Q
	assert_success
	run perf script -i "$data"
	assert_success
	assert_output --regexp 'gpucore_switch_out: .* reason=preempted '
	assert_output --regexp 'gpucore_switch_out: .* reason=drained '
	refute_output --partial 'reason=0x'
}
