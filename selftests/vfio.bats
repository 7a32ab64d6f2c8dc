#!/usr/bin/env bats
# vGPUs for virtual machines: gpucore_vfio.ko's mediated devices.

load helpers

VFIOCLIENT=$REPO/selftests/progs/vfioclient

setup() {
	# Built where the kernel has mediated devices (the test kernel does;
	# the debug kernel's defconfig does not).
	[ -e "$GPUCORE_VFIO_KO" ] || skip "gpucore_vfio.ko not built: the kernel has no CONFIG_VFIO_MDEV"
	gpucore_reload
	gpucore_vfio_load
}

teardown() {
	pkill -9 -x 'gpuload|vfioclient' 2>/dev/null || true
	"$GPUSCHED" unload >/dev/null 2>&1 || true
	mdev_remove_all
	gpucore_vfio_unload || true
	gpucore_unload || true
}

@test "each GPU is an mdev parent with three vGPU profiles, all as PCI devices" {
	run ls "$(mdev_types)"
	assert_output "$(printf 'gpucore-vgpu2\ngpucore-vgpu4\ngpucore-vgpu8')"
	local t
	for t in 2 4 8; do
		[ "$(cat "$(mdev_types)/gpucore-vgpu$t/device_api")" = vfio-pci ]
		[ "$(cat "$(mdev_types)/gpucore-vgpu$t/available_instances")" = "$t" ]
		[ "$(cat "$(mdev_types)/gpucore-vgpu$t/name")" = "vGPU 1/$t" ]
	done
	run cat "$(mdev_types)/gpucore-vgpu4/description"
	assert_output "memory $(($(cat "$(gpu_sys 0)/vram_size") / 4 >> 20)) MiB (1/4 of the GPU), weight 200, 8 channels"
}

@test "creating a mediated device creates a vGPU with the profile's weight and memory, linked to the device" {
	u=$(mdev_create vgpu4)
	v=$(vfio_vgpu "$u")
	[ "$(vgpu_attr "$v" weight)" = 200 ]
	[ "$(vgpu_attr "$v" mem_quota)" = $(($(cat "$(gpu_sys 0)/vram_size") / 4)) ]
	[ "$(basename "$(readlink "$(gpu_sys 0)/vgpus/$v/device")")" = "$u" ]
	[ -d "/sys/bus/mdev/devices/$u" ]
}

@test "available_instances counts the memory not yet given to mediated devices" {
	mdev_create vgpu2
	[ "$(cat "$(mdev_types)/gpucore-vgpu2/available_instances")" = 1 ]
	[ "$(cat "$(mdev_types)/gpucore-vgpu4/available_instances")" = 2 ]
	[ "$(cat "$(mdev_types)/gpucore-vgpu8/available_instances")" = 4 ]
	mdev_create vgpu4
	[ "$(cat "$(mdev_types)/gpucore-vgpu2/available_instances")" = 0 ]
	[ "$(cat "$(mdev_types)/gpucore-vgpu8/available_instances")" = 2 ]
}

@test "a mediated device beyond the GPU's memory is refused (ENOSPC)" {
	mdev_create vgpu2
	mdev_create vgpu2
	run mdev_create vgpu8
	assert_failure
	assert_output --partial "No space left on device"
	[ "$(ls /sys/bus/mdev/devices | wc -l)" = 2 ]
}

@test "a mediated device's vGPU is not destroyed through sysfs (EBUSY)" {
	u=$(mdev_create vgpu8)
	run vgpu_destroy "$(vfio_vgpu "$u")"
	assert_failure
	assert_output --partial "busy"
	[ -d "$(gpu_sys 0)/vgpus/$(vfio_vgpu "$u")" ]
}

@test "a mediated device's vGPU takes weight, cap and class changes like any vGPU" {
	u=$(mdev_create vgpu8)
	v=$(vfio_vgpu "$u")
	"$GPUSCHED" vgpu set "$v" --weight 700 --cap 40 --class interactive
	[ "$(vgpu_attr "$v" weight)" = 700 ]
	[ "$(vgpu_attr "$v" cap)" = 40 ]
	[ "$(vgpu_attr "$v" class)" = interactive ]
}

@test "gpusched vgpu list shows which vGPUs are VFIO devices, with their UUID" {
	u=$(mdev_create vgpu8)
	run "$GPUSCHED" vgpu list --json
	assert_success
	[ "$(jq -r --arg v "$(vfio_vgpu "$u")" '.[] | select(.name == $v) | .vfio' <<< "$output")" = "$u" ]
	[ "$(jq -r '.[] | select(.name == "host") | .vfio' <<< "$output")" = null ]
	run "$GPUSCHED" vgpu list
	assert_line --regexp "^[0-9]+ +$(vfio_vgpu "$u") .* $u\$"
	assert_line --regexp "^0 +host .* -\$"
}

@test "removing a mediated device destroys its vGPU; the modules unload" {
	u=$(mdev_create vgpu8)
	echo 1 > "/sys/bus/mdev/devices/$u/remove"
	[ ! -e "$(gpu_sys 0)/vgpus/$(vfio_vgpu "$u")" ]
	[ "$(cat "$(mdev_types)/gpucore-vgpu8/available_instances")" = 8 ]
	run gpucore_vfio_unload
	assert_success
	run gpucore_unload
	assert_success
}

@test "a mediated device's vGPU is the VM's alone: its render node refuses host processes (EPERM)" {
	u=$(mdev_create vgpu8)
	run "$GPULOAD" -V "$(vfio_vgpu "$u")" -c 1 -n 1
	assert_failure
	assert_output --partial "Operation not permitted"
}

@test "gpucore refuses to unload while gpucore_vfio is loaded" {
	run rmmod gpucore
	assert_failure
	[ -d /sys/module/gpucore ]
}

@test "the device as a VM sees it: PCI ids and class, MSI, BAR0's identification registers" {
	u=$(mdev_create vgpu4)
	run "$VFIOCLIENT" "$u" info
	assert_success
	j=$output
	[ "$(jq .vendor <<< "$j")" = $((0x1234)) ]
	[ "$(jq .device <<< "$j")" = $((0x67c0)) ]
	[ "$(jq .class <<< "$j")" = $((0x030200)) ]
	[ "$(jq .msi_cap <<< "$j")" = 1 ]
	[ "$(jq .bar0_size <<< "$j")" = $((0x4000)) ]
	[ "$(jq .bar0_region_size <<< "$j")" = $((0x4000)) ]
	[ "$(jq .id <<< "$j")" = $((0x44564347)) ]
	[ "$(jq .version <<< "$j")" = 1 ]
	[ "$(jq .channels <<< "$j")" = 8 ]
	# two compute engines (the module's default) and one copy engine
	[ "$(jq .engines <<< "$j")" = $((2 | 1 << 8)) ]
	[ "$(jq .mem <<< "$j")" = "$(vgpu_attr "$(vfio_vgpu "$u")" mem_quota)" ]
}

# beside_host_load CMD...: run CMD while a host tenant's gpuload --verify
# runs; CMD's output is left in $output, the load's JSON in verify.json.
beside_host_load() {
	local pid
	"$GPULOAD" -c 2 -k fill --verify -q 4 -t 600 --json > "$BATS_TEST_TMPDIR/verify.json" &
	pid=$!
	run "$@"
	kill -INT $pid
	wait $pid
}

@test "register and config-space garbage from the VM: the device still answers and resets, a host tenant loses nothing" {
	u=$(mdev_create vgpu4)
	beside_host_load "$VFIOCLIENT" "$u" hostile 5
	assert_success
	[ "$(jq .ops <<< "$output")" -gt 100 ]
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
	run "$VFIOCLIENT" "$u" info
	assert_success
}

@test "mdevctl sees the parent, its types and a device" {
	u=$(mdev_create vgpu8)
	run mdevctl types
	assert_success
	assert_output --partial "gpucore.0"
	assert_output --partial "gpucore-vgpu8"
	run mdevctl list
	assert_success
	assert_output --partial "$u gpucore.0 gpucore-vgpu8"
}

@test "mdevctl start creates the vGPU of a device, mdevctl stop destroys it" {
	u=$(cat /proc/sys/kernel/random/uuid)
	run mdevctl start -u "$u" -p gpucore.0 -t gpucore-vgpu8
	assert_success
	[ -d "/sys/bus/mdev/devices/$u" ]
	[ "$(vgpu_attr "$(vfio_vgpu "$u")" weight)" = 100 ]
	run mdevctl stop -u "$u"
	assert_success
	[ ! -e "/sys/bus/mdev/devices/$u" ]
	[ ! -e "$(gpu_sys 0)/vgpus/$(vfio_vgpu "$u")" ]
}

@test "a VFIO client's FILL and COPY through a ring land byte-exact in its scattered pages, completions through the MSI eventfd" {
	u=$(mdev_create vgpu4)
	run "$VFIOCLIENT" "$u" verify 40
	assert_success
	echo "$output"
	[ "$(jq .mismatches <<< "$output")" = 0 ]
	[ "$(jq .jobs <<< "$output")" = 80 ]
	[ "$(jq .done <<< "$output")" = 80 ]
	[ "$(jq .error <<< "$output")" = 0 ]
	# the work ran on the GPU, charged to the mediated device's vGPU
	[ "$(vgpu_attr "$(vfio_vgpu "$u")" jobs)" = 80 ]
}

@test "two VFIO clients and a host tenant under fairshare, weights 100/200/400, get 1:2:4 of the GPU (within 5%)" {
	skip_timing_bound
	u1=$(mdev_create vgpu8)
	u2=$(mdev_create vgpu8)
	v1=$(vfio_vgpu "$u1")
	v2=$(vfio_vgpu "$u2")
	"$GPUSCHED" vgpu set "$v1" --weight 100
	"$GPUSCHED" vgpu set "$v2" --weight 200
	"$GPUSCHED" vgpu set host --weight 400
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" > /dev/null
	"$VFIOCLIENT" "$u1" load 600 1000000 > /dev/null &
	"$VFIOCLIENT" "$u2" load 600 1000000 > /dev/null &
	"$GPULOAD" -c 2 -s 1ms -q 8 -t 600 -Q > /dev/null &
	sleep 3
	busy_snapshot "$BATS_TEST_TMPDIR/s0"
	sleep 6
	busy_snapshot "$BATS_TEST_TMPDIR/s1"
	pkill -KILL -x vfioclient
	stop_loads
	run snap_shares "$BATS_TEST_TMPDIR/s0" "$BATS_TEST_TMPDIR/s1" "$v1" "$v2" host
	echo "$output"
	within 5 "$(share_of "$v1")" 142.9
	within 5 "$(share_of "$v2")" 285.7
	within 5 "$(share_of host)" 571.4
}

@test "gpustat shows a VFIO vGPU like any tenant: its channels with the VMM's pid, its jobs and busy time as sysfs counts them" {
	u=$(mdev_create vgpu4)
	v=$(vfio_vgpu "$u")
	"$GPUSTAT" --json -d 1 > "$BATS_TEST_TMPDIR/gs.json" &
	local gs=$! client n
	wait_file "$BATS_TEST_TMPDIR/gs.json" 1
	"$VFIOCLIENT" "$u" load 3 1000000 > /dev/null &
	client=$!
	# a refresh while the client's channel runs
	local i
	for i in $(seq 300); do
		run jq -c ".channels[] | select(.vgpu_name == \"$v\") | [.pid, .comm]" \
			<(tail -n 1 "$BATS_TEST_TMPDIR/gs.json")
		[ -n "$output" ] && break
		sleep 0.1
	done
	echo "channels of $v: $output (client $client)"
	[ "$output" = "[$client,\"vfio-ch0\"]" ]
	wait "$client"
	# two refreshes after the client's last job
	n=$(wc -l < "$BATS_TEST_TMPDIR/gs.json")
	wait_file "$BATS_TEST_TMPDIR/gs.json" $((n + 2))
	kill "$gs"
	wait "$gs" || true
	local jobs busy
	jobs=$(last_vgpu "$BATS_TEST_TMPDIR/gs.json" "$v" .jobs)
	busy=$(last_vgpu "$BATS_TEST_TMPDIR/gs.json" "$v" .busy_ns)
	echo "gpustat: jobs $jobs busy $busy; sysfs: jobs $(vgpu_attr "$v" jobs) busy $(vgpu_attr "$v" busy_ns)"
	[ "$jobs" -gt 0 ]
	[ "$jobs" = "$(vgpu_attr "$v" jobs)" ]
	within 1 "$busy" "$(vgpu_attr "$v" busy_ns)"
}

@test "a VM flooding doorbells and ignoring its interrupts costs only its share: weight 100 against a host tenant's 300 takes at most 1/4 (within 5%)" {
	skip_timing_bound
	u=$(mdev_create vgpu8)
	v=$(vfio_vgpu "$u")
	"$GPUSCHED" vgpu set "$v" --weight 100
	"$GPUSCHED" vgpu set host --weight 300
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" > /dev/null
	"$VFIOCLIENT" "$u" flood 10 1000000 > "$BATS_TEST_TMPDIR/flood.json" &
	local flood=$!
	"$GPULOAD" -c 3 -s 1ms -q 8 -t 600 -Q > /dev/null &
	sleep 3
	busy_snapshot "$BATS_TEST_TMPDIR/s0"
	sleep 6
	busy_snapshot "$BATS_TEST_TMPDIR/s1"
	wait "$flood"
	stop_loads
	cat "$BATS_TEST_TMPDIR/flood.json"
	[ "$(jq .doorbells "$BATS_TEST_TMPDIR/flood.json")" -gt "$(jq .jobs "$BATS_TEST_TMPDIR/flood.json")" ]
	run snap_shares "$BATS_TEST_TMPDIR/s0" "$BATS_TEST_TMPDIR/s1" "$v" host
	echo "$output"
	# The flood may win less than its share (its client spends its CPU on
	# doorbells), never more, and the host tenant keeps its own.
	at_most 5 "$(share_of "$v")" 250
	at_least 5 "$(share_of host)" 750
}

@test "a device reset fails the jobs in flight at once, returns the registers to their initial values, and the device works after it" {
	u=$(mdev_create vgpu4)
	v=$(vfio_vgpu "$u")
	run "$VFIOCLIENT" "$u" reset
	echo "$output"
	assert_success
	# eight jobs of 1 s were queued: the reset did not run them out
	[ "$(jq .reset_ns <<< "$output")" -lt 7000000000 ]
	[ "$(vgpu_attr "$v" failed)" -gt 0 ]
	[ "$(vgpu_attr "$v" pending)" = 0 ]
}

@test "ring garbage from the VM (bad descriptors, page lists, addresses, doorbells): a host tenant loses nothing, the device resets and works" {
	u=$(mdev_create vgpu4)
	beside_host_load "$VFIOCLIENT" "$u" ringjunk 5
	assert_success
	[ "$(jq .pushed <<< "$output")" -gt 100 ]
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
	run "$VFIOCLIENT" "$u" verify 5
	assert_success
}

# mdev_cycles N: N times, create a mediated device, run a VFIO client's
# load on it for a second, kill the client with its jobs in flight, remove
# the device.
mdev_cycles() {
	local i u
	for i in $(seq "$1"); do
		u=$(mdev_create vgpu8) || return 1
		"$VFIOCLIENT" "$u" load 600 2000000 > /dev/null &
		sleep 1
		kill -KILL $!
		wait $! 2>/dev/null
		echo 1 > "/sys/bus/mdev/devices/$u/remove" || return 1
	done
}

@test "mediated devices created and removed under load, their clients killed with jobs in flight: a host tenant loses nothing, nothing is left behind" {
	beside_host_load mdev_cycles 10
	assert_success
	nothing_lost "$BATS_TEST_TMPDIR/verify.json"
	# every vGPU but the host's gone, every instance available again
	run ls "$(gpu_sys 0)/vgpus"
	assert_output host
	[ "$(cat "$(mdev_types)/gpucore-vgpu8/available_instances")" = 8 ]
	[ "$(vgpu_attr host channels)" = 0 ]
	# nothing holds a reference: both modules unload
	run gpucore_vfio_unload
	assert_success
	run gpucore_unload
	assert_success
}

@test "closing the device stops its work in flight; the mediated device is removed and the modules unload" {
	u=$(mdev_create vgpu4)
	"$VFIOCLIENT" "$u" load 600 5000000 > /dev/null &
	pid=$!
	sleep 2
	[ "$(vgpu_attr "$(vfio_vgpu "$u")" busy_ns)" -gt 0 ]
	kill -KILL $pid
	wait $pid || true
	[ "$(vgpu_attr "$(vfio_vgpu "$u")" pending)" = 0 ]
	echo 1 > "/sys/bus/mdev/devices/$u/remove"
	run gpucore_vfio_unload
	assert_success
	run gpucore_unload
	assert_success
}

@test "QEMU attaches the mediated device as a vfio-pci device: the VM's PCI bus shows it with its ids and BAR, and no error" {
	u=$(mdev_create vgpu4)
	# Paused (-S): QEMU opens the device, reads its config space, regions
	# and interrupts and places it on the VM's bus; no guest runs.
	run timeout 120 qemu-system-x86_64 -machine q35 -accel tcg -m 128 -nodefaults \
		-display none -S -monitor stdio \
		-device vfio-pci,sysfsdev="/sys/bus/mdev/devices/$u" <<< $'info pci\nquit'
	echo "$output"
	assert_success
	assert_output --regexp "(3D controller|Class 0302): PCI device 1234:67c0"
	assert_output --partial "BAR0: 32 bit memory"
	# (a warning that the device has no error-reporting interrupt is QEMU's
	# for every mdev without one, as the kernel's samples)
	refute_output --regexp "[Ee]rror:|[Ff]ailed"
}
