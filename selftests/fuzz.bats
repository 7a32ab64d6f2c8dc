#!/usr/bin/env bats
# Hostile input: selftests/progs/gpufuzz runs random and mutated ioctls
# (gpucore's, syncobj, GEM close, PRIME export/import, unknown command
# numbers and sizes, mmap writes, close/reopen under other threads) from
# several processes and threads on three tenants' nodes for a bounded
# time. Afterwards: no process stuck in the kernel, nothing left behind,
# the driver still runs verified work and unloads. The guest kernel log
# gate catches any splat.

load helpers

FUZZ=$REPO/selftests/progs/gpufuzz

setup_file() {
	# BOs are pinned guest memory: keep what the fuzzer can pin small.
	gpucore_reload vram_mb=256
	vgpu_create vm1 mem=64M
	vgpu_create vm2 cap=50 mem=64M
	# Seed: fixed per run in the log, so a failure can be replayed.
	export FUZZ_SEED=${FUZZ_SEED:-$(date +%s)}
}

teardown_file() {
	pkill -9 gpufuzz 2>/dev/null || true
	pkill -9 gpuload 2>/dev/null || true
	gpucore_unload || true
}

@test "gpufuzz: 4 processes x 4 threads over host, vm1 and vm2 for ${FUZZ_SECS:-40} s: none hangs or crashes" {
	run "$FUZZ" -t "${FUZZ_SECS:-40}" -p 4 -T 4 -s "$FUZZ_SEED" -V host,vm1,vm2
	echo "$output"
	assert_success
	calls=$(echo "$output" | awk '/ calls in / { print $2 }')
	pairs=$(echo "$output" | awk '/distinct/ { print $2 }')
	# the figures, in the TAP stream of every run
	echo "# gpufuzz: $calls calls, $pairs distinct (ioctl, errno) pairs, seed $FUZZ_SEED" >&3
	# every ioctl was reached, both accepted and refused
	[ "$calls" -gt 20000 ]
	[ "$pairs" -gt 40 ]
	assert_output --regexp 'SUBMIT +ok .*EINVAL'
	assert_output --regexp 'CHANNEL_CREATE +ok .*EINVAL'
}

@test "after fuzzing, every channel and buffer is gone (debugfs counts back to zero)" {
	run wait_gpu_empty
	assert_success
	[ "$(vgpu_attr vm1 mem_used)" = 0 ]
	[ "$(vgpu_attr vm2 mem_used)" = 0 ]
}

@test "after fuzzing, the driver still runs verified FILL/COPY work on every tenant" {
	local v
	for v in host vm1 vm2; do
		run "$GPULOAD" -V "$v" -c 2 -k mix --bo-size 256K -n 50 --verify -Q
		assert_success
	done
}

@test "after fuzzing, the module unloads" {
	run gpucore_unload
	assert_success
	[ ! -d /sys/module/gpucore ]
}
