#!/usr/bin/env bats
# The driver's monitor kfuncs (kmod/gpucore_mon.c), which gpustat's
# syscall program copies job counts and histograms with: each refused
# input, and what is copied when. selftests/progs/monkfuncs makes a
# channel with one completed job and runs one check of
# selftests/policies/mon_kfuncs.bpf.o against it.

load helpers

setup_file() {
	gpucore_unload || true
	gpucore_load
	vgpu_create vm1
}

teardown_file() {
	gpucore_unload
}

mon_check() {
	run "$REPO/selftests/progs/monkfuncs" "$REPO/selftests/policies/mon_kfuncs.bpf.o" -V vm1 -c "$1"
	echo "$output"
	assert_success
}

@test "monitor kfuncs: a channel record of the wrong size is refused (EINVAL)" {
	mon_check channel-size
}

@test "monitor kfuncs: a vGPU record of the wrong size is refused (EINVAL)" {
	mon_check vgpu-size
}

@test "monitor kfuncs: an engine record of the wrong size is refused (EINVAL)" {
	mon_check engine-size
}

@test "monitor kfuncs: histograms of the wrong size are refused (EINVAL)" {
	mon_check hists-size
}

@test "monitor kfuncs: an id no channel has is refused (ENOENT)" {
	mon_check no-channel
}

@test "monitor kfuncs: a vGPU index past the last GPU's is refused (ENOENT)" {
	mon_check no-gpu
}

@test "monitor kfuncs: a vGPU that does not exist is refused (ENOENT)" {
	mon_check no-vgpu
}

@test "monitor kfuncs: an engine that does not exist is refused (ENOENT)" {
	mon_check no-engine
}

@test "monitor kfuncs: no channel is found after the last id" {
	mon_check next-past-end
}

@test "monitor kfuncs: a channel is copied with its completed job and its histograms, whose range is the one bucket counting it" {
	mon_check first-copy
}

@test "monitor kfuncs: an unchanged channel is not copied again" {
	mon_check same-gen
}

@test "monitor kfuncs: a vGPU is copied with its completed job and its histograms" {
	mon_check vgpu-copy
}

@test "monkfuncs refuses a check it does not know (2)" {
	run "$REPO/selftests/progs/monkfuncs" "$REPO/selftests/policies/mon_kfuncs.bpf.o" -c nosuch
	[ "$status" -eq 2 ]
}
