#!/usr/bin/env bats
# gpucore.ko as a virtual machine's driver: QEMU, inside the test guest,
# boots the test kernel with a vGPU of this machine attached as a vfio-pci
# device, and the VM's gpucore.ko drives it (selftests/nested/in-vm.sh).
# The VM is TCG inside TCG: slow. Run by 'make test-vm', not 'make test'.

load ../helpers

setup() {
	[ -e "$GPUCORE_VFIO_KO" ] || skip "gpucore_vfio.ko not built: the kernel has no CONFIG_VFIO_MDEV"
	gpucore_reload
	gpucore_vfio_load
}

teardown() {
	mdev_remove_all
	gpucore_vfio_unload || true
	gpucore_unload || true
}

@test "a VM runs gpucore.ko on a vGPU of this machine: its clients' FILL, COPY and SPIN jobs run on the host under the vGPU, nothing lost" {
	u=$(mdev_create vgpu4)
	v=$(vfio_vgpu "$u")
	b0=$(vgpu_attr "$v" busy_ns)
	t0=$SECONDS
	# The VM's one CPU is a TCG thread inside a TCG guest: it is often off
	# its host CPU for longer than the soft lockup and RCU stall detectors
	# allow, which would be reported as splats that are the emulation's.
	# Its work directory is in the repository, to follow its boot there.
	mkdir -p "$REPO/.cache/nested"
	run env TMPDIR="$REPO/.cache/nested" "$REPO/selftests/vm/vmrun" --no-kvm -c 1 -m 512 \
		-t 3000 -a "nosoftlockup rcupdate.rcu_cpu_stall_suppress=1" \
		-q -device -q "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u" -- selftests/nested/in-vm.sh
	echo "$output"
	echo "nested VM: $((SECONDS - t0)) s"
	assert_success
	assert_output --partial "in-vm: ok"
	# the VM's work ran on the host, charged to the VM's vGPU
	b1=$(vgpu_attr "$v" busy_ns)
	echo "vGPU $v busy: $b0 -> $b1 ns"
	[ "$b1" -gt "$b0" ]
}
