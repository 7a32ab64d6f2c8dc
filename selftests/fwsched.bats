#!/usr/bin/env bats
# A backend that schedules its engines itself (fw_sched): the emulated
# engines as a firmware-scheduled GPU. The scheduler core hands every
# runnable channel's head job to the engine, which runs them round robin;
# no policy applies. Tests assert what runs, in what order, what is
# refused and that nothing is lost.

load helpers


setup_file() {
	gpucore_unload || true
	gpucore_load fw_sched=1
}

teardown_file() {
	gpucore_unload
}

@test "fw_sched: sysfs and debugfs say the GPU's engines schedule themselves" {
	[ "$(cat "$(gpu_sys)/scheduler")" = firmware ]
	[ "$(state_get gpu backend policy)" = "emulated-firmware firmware" ]
}

@test "fw_sched: jobs of a channel complete in submission order, each exactly once" {
	jobs_in_order_once
}

@test "fw_sched: byte-exact FILL/COPY over many channels, on compute and copy engines" {
	data_exact 200
}

@test "fw_sched: 1024 channels on one GPU: every one runs its job exactly once" {
	echo 1024 > "$(gpu_sys)/vgpus/host/max_channels"
	run "$CHAN_SCALE" -c 1024 -s 20000
	assert_success
	assert_output --partial "1024 channels: 1024 jobs completed exactly once"
	run gpu_channels
	assert_output 0
}

@test "fw_sched: the firmware interleaves: a short job submitted during a long one completes first" {
	short_job_first
}

@test "fw_sched: two flat-out channels on one engine get engine time within 10% (the firmware's round robin)" {
	d=$(two_flat_out_diff 3)
	echo "diff $d%"
	[ "$d" -le 10 ]
}

@test "fw_sched: a context switch costs engine time charged to no tenant" {
	echo 2000 > "$(gpu_sys)/switch_cost_us"
	sw0=$(engine_field 0 switch_ns)
	run "$GPULOAD" -c 2 -i 0 -s 1ms -q 4 -n 40 --json
	echo 0 > "$(gpu_sys)/switch_cost_us"
	assert_success
	sw1=$(engine_field 0 switch_ns)
	echo "switch_ns $sw0 -> $sw1"
	[ $((sw1 - sw0)) -ge 2000000 ]
	[ $(((sw1 - sw0) % 2000000)) = 0 ]
	# each 1 ms job is charged its 1 ms, not the switch before it
	[ "$(echo "$output" | jq '.total.busy_ns')" = 80000000 ]
}

@test "fw_sched: a hung job is stopped at the job timeout: -ETIMEDOUT, queued jobs cancelled, -EIO after" {
	echo 500 > "$(gpu_sys)/job_timeout_ms"
	"$GPULOAD" -c 1 -i 0 -k mix --verify -s 1ms -q 4 -t 3 --json > "$BATS_TEST_TMPDIR/load" &
	load=$!
	run "$HANGJOB" -i 0 --queued 3
	echo 10000 > "$(gpu_sys)/job_timeout_ms"
	wait $load
	assert_success
	hang_recovered
	echo "$output" | jq -e '.detect_ms >= 500'
	# the other channel on the engine lost nothing
	jq -e '.total.failed == 0 and .total.lost == 0 and .total.mismatches == 0 and .total.jobs > 0' "$BATS_TEST_TMPDIR/load"
}

@test "fw_sched: killing a process with jobs handed to the firmware loses nothing else and leaks nothing" {
	"$GPULOAD" -c 4 -i 0 -s 20ms -q 8 -t 30 -Q > /dev/null &
	victim=$!
	run "$GPULOAD" -c 1 -i 0 -s 1ms -q 2 -t 2 --verify --json
	kill -9 $victim
	wait $victim || true
	assert_success
	echo "$output" | jq -e '.total.failed == 0 and .total.lost == 0 and .total.jobs > 0'
	wait_gpu_empty
}

@test "fw_sched: a policy cannot attach when every GPU schedules itself, and says why" {
	dmesg -C
	run "$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	assert_failure
	assert_output --partial "every GPU's engines schedule themselves"
	run dmesg
	assert_output --partial "policy fairshare refused: every GPU's engines schedule themselves"
	[ "$(state_get gpu policy)" = firmware ]
}

@test "fw_sched: with two GPUs, a policy schedules the driver's GPU and leaves the firmware's alone" {
	gpucore_reload num_gpus=2 fw_sched=2
	[ "$(cat "$(gpu_sys 0)/scheduler")" = driver ]
	[ "$(cat "$(gpu_sys 1)/scheduler")" = firmware ]
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" > /dev/null
	[ "$(GPU=0 state_get gpu policy)" = fairshare ]
	[ "$(GPU=1 state_get gpu policy)" = firmware ]
	run "$GPULOAD" -g 1 -c 2 -s 1ms -q 4 -n 100 --verify --json
	"$GPUSCHED" unload
	assert_success
	echo "$output" | jq -e '.total.jobs == 200 and .total.failed == 0'
	gpucore_reload fw_sched=1
}

@test "fw_sched: the module unloads with work handed to the firmware, and loads again" {
	"$GPULOAD" -c 2 -s 50ms -q 8 -t 30 -Q > /dev/null &
	pid=$!
	sleep 0.5
	kill -9 $pid
	wait $pid || true
	gpucore_unload
	gpucore_load fw_sched=1
}

@test "insmod refuses fw_sched naming a GPU past num_gpus, with a log line" {
	gpucore_unload
	dmesg -C
	run gpucore_load num_gpus=2 fw_sched=4
	assert_failure
	run dmesg
	assert_output --partial "fw_sched=0x4 names a GPU past num_gpus=2"
	gpucore_load fw_sched=1
}
