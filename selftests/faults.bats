#!/usr/bin/env bats
# Fault injection: the driver's fail_nth (kmod/gpucore_fault.c, the
# in-driver equivalent of the kernel's fail-nth, which Debian's kernel is
# built without) fails the Nth fallible step from now. Each sweep raises
# N from 1 until the operation goes through without reaching a fault
# point, so every failure point on the path is hit once: each failure
# must come back to the caller as an error, leak nothing (debugfs counts
# back to zero) and leave the driver usable; the module unloads after.

load helpers

faults() { cat "$DBG/faults_injected"; }

# clean: no channel, buffer or stray vGPU left on GPU 0.
clean() {
	wait_gpu_empty || return 1
	[ ! -d "$(gpu_sys 0)/vgpus/vmf" ] || { echo "vGPU vmf left behind"; return 1; }
}

# sweep OP...: run OP with fail_nth = 1, 2, ... until it runs past every
# fault point; prints how many points there were.
sweep() {
	local n before rc
	for n in $(seq 1 80); do
		before=$(faults)
		echo "$n" > "$DBG/fail_nth"
		"$@" > "$BATS_TEST_TMPDIR/out" 2>&1
		rc=$?
		echo 0 > "$DBG/fail_nth"
		if [ "$(faults)" = "$before" ]; then
			[ $rc -eq 0 ] || { echo "failed without an injected fault:"; cat "$BATS_TEST_TMPDIR/out"; return 1; }
			echo "$((n - 1)) fault points"
			echo "# $* : $((n - 1)) fault points" >&3
			return 0
		fi
		# failed (or absorbed the fault): either way nothing may be left
		clean || return 1
	done
	echo "more than 80 fault points?"
	return 1
}

setup() {
	gpucore_reload vram_mb=256
}

teardown() {
	echo 0 > "$DBG/fail_nth" 2>/dev/null || true
	gpucore_unload || true
}

vgpu_op() {
	echo "vmf mem=16M" > "$(gpu_sys 0)/vgpu_create" || return 1
	[ -c "$(vgpu_node vmf)" ] || return 1
	echo vmf > "$(gpu_sys 0)/vgpu_destroy"
}

client_op() {
	"$GPULOAD" -c 2 -k mix --bo-size 64K -n 3 --verify -Q
}

@test "fail_nth and faults_injected are in debugfs, disarmed by default" {
	[ "$(cat "$DBG/fail_nth")" = 0 ]
	[ "$(faults)" = 0 ]
}

# arm_delay KNOB: a delay knob reads 0 (disarmed), refuses more than 60 s,
# and is armed with 300 ms.
arm_delay() {
	[ "$(cat "$1")" = 0 ]
	run bash -c "echo 60001 > $1"
	assert_failure
	assert_output --partial "Invalid argument"
	[ "$(cat "$1")" = 0 ]
	echo 300 > "$1"
	[ "$(cat "$1")" = 300 ]
}

@test "destroy_delay_ms is disarmed by default, bounded, and taken by one channel destruction" {
	local knob=$DBG/destroy_delay_ms
	arm_delay $knob
	# a client's channel destruction at exit takes it
	run "$GPULOAD" -c 2 -n 1 -s 100us -Q
	assert_success
	[ "$(cat $knob)" = 0 ]
	wait_gpu_empty
}

@test "retire_delay_ms is disarmed by default, bounded, and taken by the retire worker" {
	local knob=$DBG/retire_delay_ms
	arm_delay $knob
	# a job completed in the engine's timer goes to the worker
	run "$REPO/selftests/progs/retirebo"
	assert_success
	for i in $(seq 100); do [ "$(cat $knob)" = 0 ] && break; sleep 0.1; done
	[ "$(cat $knob)" = 0 ]
	wait_gpu_empty
}

@test "every fault point of vGPU creation fails it cleanly" {
	run sweep vgpu_op
	echo "$output"
	assert_success
	assert_output --regexp '^[1-9][0-9]* fault points'
	vgpu_op
}

@test "every fault point of a client (open, channel, buffer, submit, wait) fails it cleanly" {
	run sweep client_op
	echo "$output"
	assert_success
	assert_output --regexp '^[1-9][0-9]* fault points'
	run client_op
	assert_success
}

# many_cmds_op: a SUBMIT of jobs of 1 to 8 commands (the jobs of more
# than the driver keeps in a job have their commands allocated).
many_cmds_op() {
	"$ABI_TEST" run submit_cmd_counts
}

@test "every fault point of a submit of jobs of up to 8 commands fails it cleanly" {
	run sweep many_cmds_op
	echo "$output"
	assert_success
	assert_output --regexp '^[1-9][0-9]* fault points'
	run many_cmds_op
	assert_success
}

# modload_op: load with the armed fault; fine if it fails cleanly.
modload_op() {
	gpucore_unload || return 2
	if insmod "$GPUCORE_KO" vram_mb=256 fail_nth="$1"; then
		# ran past every fault point: disarm what is left of the countdown
		[ "$(faults)" = 0 ] && echo 0 > "$DBG/fail_nth" && return 0
		return 3			# a fault was absorbed
	fi
	[ ! -d /sys/module/gpucore ] || return 4
	return 1
}

@test "every fault point of module load fails it cleanly, and the module loads after" {
	local n rc
	for n in $(seq 1 80); do
		rc=0
		modload_op "$n" || rc=$?
		case $rc in
		0) break ;;
		1|3) ;;
		*) echo "load with fail_nth=$n: status $rc"; false ;;
		esac
	done
	echo "$((n - 1)) fault points in module load"
	echo "# module load: $((n - 1)) fault points" >&3
	[ "$n" -gt 1 ]
	[ "$rc" -eq 0 ]
	run "$GPULOAD" -c 1 -n 3 -Q
	assert_success
}
