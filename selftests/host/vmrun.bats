#!/usr/bin/env bats
# The VM runner itself: exit status, kernel log capture, splat gate, timeout.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup_file() {
	export VMRUN="$BATS_TEST_DIRNAME/../vm/vmrun"
}

@test "vmrun returns the command's exit status" {
	run "$VMRUN" -t 300 -- sh -c 'exit 7'
	assert_equal "$status" 7
}

@test "vmrun runs the command as root in the repository, on the 6.12 kernel" {
	run "$VMRUN" -t 300 -- sh -c 'id -u; pwd; uname -r; test -d /lib/modules/$(uname -r)/kernel/drivers/gpu/drm && echo modules-ok'
	assert_success
	assert_line --index 0 0
	assert_line --index 1 "$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	assert_line --partial '6.12'
	assert_line modules-ok
}

# gate_fails_on LINE: a guest run that writes LINE to its kernel log fails
# the gate (126), names the splat, and the kept log holds LINE.
gate_fails_on() {
	local klog=$BATS_TEST_TMPDIR/klog
	run "$VMRUN" -t 300 -l "$klog" -- sh -c "echo '$1' > /dev/kmsg; true"
	assert_equal "$status" 126
	assert_output --partial 'splat'
	assert_output --partial "$1"
	run grep -cF "$1" "$klog"
	assert_output 1
}

@test "the splat gate fails a run whose kernel log shows a WARNING" {
	gate_fails_on 'WARNING: CPU: 0 PID: 1 at planted by the gate self-test'
}

@test "the splat gate fails a run whose kernel log shows a UBSAN report" {
	gate_fails_on 'UBSAN: shift-out-of-bounds in planted/by/the/gate.c:1:2'
}

@test "the splat gate passes a clean run and saves its kernel log" {
	klog=$BATS_TEST_TMPDIR/klog
	run "$VMRUN" -t 300 -l "$klog" -- sh -c 'echo gpucore-gate-clean-marker > /dev/kmsg'
	assert_success
	run grep -c gpucore-gate-clean-marker "$klog"
	assert_output 1
}

@test "a guest that hangs is stopped by the timeout with a message" {
	run "$VMRUN" -t 20 -- sleep 600
	assert_equal "$status" 124
	assert_output --partial 'timed out'
}

@test "vmrun rejects an unknown option with a usage hint" {
	run "$VMRUN" --bogus -- true
	assert_equal "$status" 125
	assert_output --partial 'vmrun --help'
}

@test "vmrun -k names a kernel cache; a missing one fails (125) and says what to do" {
	run "$VMRUN" -k "$BATS_TEST_TMPDIR/no-such-cache" -- true
	assert_equal "$status" 125
	assert_output --partial "no kernel cache at"
	assert_output --partial "make deps"
}

@test "selftests/run --debug without a built debug kernel fails (2) and says to run make test-debug" {
	GPUCORE_CACHE=$BATS_TEST_TMPDIR/none run "$BATS_TEST_DIRNAME/../run" --debug
	assert_equal "$status" 2
	assert_output --partial "make test-debug"
}
