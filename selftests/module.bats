#!/usr/bin/env bats
# Module load/unload, parameter validation, several GPUs, safe unload.

load helpers

setup() {
	gpucore_unload
}

teardown() {
	gpucore_unload || true
}

@test "the module loads: /sys/module/gpucore, a platform device and its nodes appear" {
	run gpucore_load
	assert_success
	[ -d /sys/module/gpucore ]
	[ -d "$(gpu_sys 0)" ]
	node=$(vgpu_attr host render_node)
	[ -c "/dev/dri/$node" ]
	run cat "$(gpu_sys 0)/engines"
	assert_output "compute0 compute1 copy0"
}

@test "the module unloads: /sys/module/gpucore and every device go" {
	# DRM devices of other drivers (the debug kernel has vgem built in)
	# stay: the nodes after unload are exactly those before load.
	local before
	before=$(ls /sys/class/drm)
	gpucore_load
	[ "$(ls /sys/class/drm)" != "$before" ]
	run gpucore_unload
	assert_success
	[ ! -d /sys/module/gpucore ]
	[ ! -e "$(gpu_sys 0)" ]
	run ls /sys/class/drm
	assert_output "$before"
}

@test "load and unload 20 times in a row" {
	for i in $(seq 20); do
		gpucore_load
		gpucore_unload
	done
	[ ! -d /sys/module/gpucore ]
}

@test "num_gpus=3 brings up three GPUs, each with its own nodes" {
	gpucore_load num_gpus=3
	for g in 0 1 2; do
		[ -d "$(gpu_sys $g)" ]
		node=$(GPU=$g vgpu_attr host render_node)
		[ -c "/dev/dri/$node" ]
	done
	[ ! -e "$(gpu_sys 3)" ]
}

@test "num_compute=4 gives four compute engines and a copy engine" {
	gpucore_load num_compute=4
	run cat "$(gpu_sys 0)/engines"
	assert_output "compute0 compute1 compute2 compute3 copy0"
}

@test "vram_mb and timeslice_us are honoured" {
	gpucore_load vram_mb=256 timeslice_us=500
	run cat "$(gpu_sys 0)/vram_size"
	assert_output $((256 << 20))
	run cat "$(gpu_sys 0)/timeslice_ns"
	assert_output 500000
}

# reject PARAM=VALUE LOGTEXT: insmod fails with EINVAL and a kernel log line.
reject_param() {
	dmesg -C
	run gpucore_load "$1"
	assert_failure
	[ ! -d /sys/module/gpucore ]
	run dmesg
	assert_output --partial "$2"
}

@test "num_gpus=0 is rejected with a log line" { reject_param num_gpus=0 "num_gpus=0 is out of range"; }
@test "num_gpus=9 is rejected with a log line" { reject_param num_gpus=9 "num_gpus=9 is out of range"; }
@test "num_compute=0 is rejected with a log line" { reject_param num_compute=0 "num_compute=0 is out of range"; }
@test "num_compute=8 is rejected with a log line" { reject_param num_compute=8 "num_compute=8 is out of range"; }
@test "vram_mb=1 is rejected with a log line" { reject_param vram_mb=1 "vram_mb=1 is out of range"; }
@test "timeslice_us=10 is rejected with a log line" { reject_param timeslice_us=10 "timeslice_us=10 is out of range"; }

@test "rmmod is refused while a client is open, and works after it closes" {
	gpucore_load
	exec 9<>"$(vgpu_node host)"
	run rmmod gpucore
	assert_failure
	[ -d /sys/module/gpucore ]
	exec 9>&-
	run gpucore_unload
	assert_success
}

@test "debugfs shows GPUs, engines and the host vGPU as key=value records" {
	gpucore_load
	run debugfs_state
	assert_success
	# every field after the type is key=value, values without spaces
	echo "$output" | awk '{ for (i = 2; i <= NF; i++) if ($i !~ /^[a-z0-9_]+=[^=]*$/) { print "bad field:", $0; exit 1 } }'
	[ "$(state_get gpu id backend policy engines channels)" = "0 emulated builtin 3 0" ]
	[ "$(state_get engine gpu=0 id name | xargs)" = "0 compute0 1 compute1 2 copy0" ]
	[ "$(state_get vgpu id name weight)" = "0 host 100" ]
}
