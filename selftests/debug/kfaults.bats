#!/usr/bin/env bats
# Debug kernel lane only (make test-debug): the kernel's own fail-nth
# (CONFIG_FAULT_INJECTION with failslab and fail_page_alloc) swept over
# each driver call by selftests/progs/failnth. Unlike the driver's
# fail_nth (selftests/faults.bats), this fails allocations anywhere on the
# path: in the DRM core, shmem, xarray, dma-buf, sysfs. Each failure must
# reach the caller as an error or be absorbed, the channel must go on, and
# nothing may be left behind; kmemleak after the suite catches leaks.

load ../helpers

FAILNTH=$REPO/selftests/progs/failnth

setup_file() {
	[ -e /proc/self/fail-nth ] || {
		echo "this suite needs the debug kernel (make test-debug)" >&2
		return 1
	}
	gpucore_reload vram_mb=256
}

teardown_file() {
	gpucore_unload || true
}

sweep() {
	run "$FAILNTH" -D "$(vgpu_node host)" "$1"
	echo "$output"
	assert_success
	assert_output --regexp "^$1: [1-9][0-9]* fault points"
	echo "# $output" >&3
}

@test "kernel fail-nth: every fault in opening the node fails or is absorbed cleanly" { sweep open; }
@test "kernel fail-nth: every fault in CHANNEL_CREATE fails or is absorbed cleanly" { sweep channel; }
@test "kernel fail-nth: every fault in BO_CREATE fails or is absorbed cleanly" { sweep bo; }
@test "kernel fail-nth: every fault in SUBMIT fails or is absorbed, and the channel goes on" { sweep submit; }
@test "kernel fail-nth: every fault in a SUBMIT with an out-fence leaves a fence that signals" { sweep syncobj; }
@test "kernel fail-nth: every fault in PRIME export fails or is absorbed cleanly" { sweep prime; }
@test "kernel fail-nth: every fault in vgpu_create fails or is absorbed cleanly" { sweep vgpu; }

@test "kernel fail-nth: after the sweeps the driver runs verified work and unloads" {
	run "$GPULOAD" -c 2 -k mix --bo-size 256K -n 50 --verify -Q
	assert_success
	run gpucore_unload
	assert_success
}
