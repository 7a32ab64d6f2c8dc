#!/usr/bin/env bats
# vGPUs: sysfs administration, device nodes, quotas, destroy under load.

load helpers

setup() {
	gpucore_reload
}

teardown() {
	udevd_stop
	pkill -9 gpuload 2>/dev/null || true
	gpucore_unload || true
}

@test "vgpu_create makes a vGPU with its attributes and its own render node" {
	vgpu_create vm1 weight=200 cap=50 mem=64M
	[ "$(vgpu_attr vm1 weight)" = 200 ]
	[ "$(vgpu_attr vm1 cap)" = 50 ]
	[ "$(vgpu_attr vm1 mem_quota)" = $((64 << 20)) ]
	[ "$(vgpu_attr vm1 id)" = 1 ]
	[ -c "$(vgpu_node vm1)" ]
	[ "$(vgpu_node vm1)" != "$(vgpu_node host)" ]
}

# vgpu_device NAME: the sysfs device that vGPU NAME's DRM nodes hang off.
vgpu_device() { readlink -f "/sys/class/drm/$(vgpu_attr "$1" render_node)/device"; }

@test "each vGPU is a device of its own under the GPU, holding exactly its card and render node" {
	vgpu_create vm1
	vgpu_create vm2
	local v dev seen=()
	for v in host vm1 vm2; do
		dev=$(vgpu_device "$v")
		[ "$(dirname "$dev")" = "$(readlink -f "$(gpu_sys 0)")" ]
		[ "$(basename "$dev")" = "gpucore.0.vgpu$(vgpu_attr "$v" id)" ]
		# what libdrm reads to pair a render node with its primary node
		run ls "$dev/drm"
		assert_output "$(printf '%s\n' "$(vgpu_attr "$v" card_node)" "$(vgpu_attr "$v" render_node)" | sort)"
		seen+=("$dev")
	done
	[ "$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)" = 3 ]
	# DRM's per-device debugfs directories no longer collide
	run dmesg
	refute_output --partial "with parent 'dri' already present"
	vgpu_destroy vm1
	[ ! -e "$(dirname "${seen[0]}")/gpucore.0.vgpu1" ]
}

# tenant_line GPU NAME: drmenum's line for vGPU NAME of GPU GPU.
tenant_line() {
	echo "platform gpucore.$1.vgpu$(GPU=$1 vgpu_attr "$2" id) /dev/dri/$(GPU=$1 vgpu_attr "$2" card_node) /dev/dri/$(GPU=$1 vgpu_attr "$2" render_node)"
}

@test "libdrm lists every tenant of every GPU as a platform device of its own, card and render node paired" {
	gpucore_reload num_gpus=2
	vgpu_create vm1
	vgpu_create vm2
	run "$REPO/selftests/progs/drmenum"
	assert_success
	[ "$(grep -c ' gpucore\.' <<< "$output")" = 4 ]
	for t in "0 host" "0 vm1" "0 vm2" "1 host"; do
		assert_line "$(tenant_line $t)"
	done
	# from an open node, as a client finds its own device
	run "$REPO/selftests/progs/drmenum" "$(vgpu_node vm1)" "/dev/dri/$(vgpu_attr vm1 card_node)"
	assert_success
	assert_output "$(tenant_line 0 vm1; tenant_line 0 vm1)"
	# Debian's libdrm-tests enumerates them too
	run drmdevice
	assert_success
	for t in 0.vgpu0 0.vgpu1 0.vgpu2 1.vgpu0; do
		assert_line "|       +-> fullname	gpucore.$t"
	done
}

@test "a vGPU's device names its GPU, id and name (sysfs, uevent) and gets its own by-path" {
	vgpu_create vm1
	vgpu_create vm2
	local dev=/sys/bus/platform/devices/gpucore.0.vgpu1
	[ "$(cat $dev/gpu) $(cat $dev/vgpu_id) $(cat $dev/vgpu_name)" = "0 1 vm1" ]
	run cat $dev/uevent
	assert_line GPUCORE_GPU=0
	assert_line GPUCORE_VGPU_ID=1
	assert_line GPUCORE_VGPU_NAME=vm1
	assert_line MODALIAS=platform:gpucore.0.vgpu1
	# udev's path_id: /dev/dri/by-path/platform-gpucore.0.vgpuN-render, one per tenant
	for v in vm1 vm2; do
		run udevadm test-builtin path_id "/sys/class/drm/$(vgpu_attr $v render_node)"
		assert_line "ID_PATH=platform-gpucore.0.vgpu$(vgpu_attr $v id)"
	done
}

# udevd_start: a real systemd-udevd with the distribution's rules and
# udev/73-gpucore.rules (from /run, as make install would put it in /etc),
# the DRM nodes' add events replayed; stopped by teardown. (The guest runs
# the tests in a chroot, where udevadm would ignore requests.)
udevd_start() {
	mkdir -p /run/udev/rules.d
	cp "$REPO/udev/73-gpucore.rules" /run/udev/rules.d/
	/lib/systemd/systemd-udevd --daemon
	udevd_trigger
}
udevd_trigger() {
	SYSTEMD_IGNORE_CHROOT=1 udevadm trigger --action=add --subsystem-match=drm
	SYSTEMD_IGNORE_CHROOT=1 udevadm settle -t 60
}
udevd_stop() {
	SYSTEMD_IGNORE_CHROOT=1 udevadm control --exit 2>/dev/null || true
	rm -f /run/udev/rules.d/73-gpucore.rules
}

# as UID GID CMD...: run CMD as that user, with no other groups.
as() { local u=$1 g=$2; shift 2; setpriv --reuid="$u" --regid="$g" --clear-groups -- "$@"; }

@test "udev gives a tenant's nodes the owner, group and mode it was created with, and no seat or uaccess; another user is refused" {
	"$GPUSCHED" vgpu create vm1 --owner 4242 --group 4343 --mode 0600 > /dev/null
	vgpu_create vm2
	[ "$(cat /sys/bus/platform/devices/gpucore.0.vgpu1/owner)" = 4242 ]
	[ "$(cat /sys/bus/platform/devices/gpucore.0.vgpu1/mode)" = 0600 ]
	run cat /sys/bus/platform/devices/gpucore.0.vgpu1/uevent
	assert_line GPUCORE_OWNER=4242
	assert_line GPUCORE_GROUP=4343
	assert_line GPUCORE_MODE=0600
	# vm2 was given none: empty attributes, no variables
	[ -z "$(cat /sys/bus/platform/devices/gpucore.0.vgpu2/owner)" ]
	run cat /sys/bus/platform/devices/gpucore.0.vgpu2/uevent
	refute_output --partial GPUCORE_OWNER
	udevd_start
	local node card
	node=$(vgpu_node vm1) card=/dev/dri/$(vgpu_attr vm1 card_node)
	[ "$(stat -c '%u %g %a' "$node")" = "4242 4343 600" ]
	[ "$(stat -c '%u %g %a' "$card")" = "4242 4343 600" ]
	run as 4242 4343 "$GPULOAD" -D "$node" -n 1 -Q
	assert_success
	run as 4244 4343 "$GPULOAD" -D "$node" -n 1 -Q
	assert_failure
	assert_output --partial "ermission denied"
	# tenants' nodes lose the seat and uaccess tags, the host tenant's keep
	# them (CURRENT_TAGS: what uaccess and logind read; TAGS is sticky)
	for n in "$node" "$card" "$(vgpu_node vm2)"; do
		run udevadm info --query=property "$n"
		refute_line --regexp '^CURRENT_TAGS=.*:(uaccess|seat):'
	done
	run udevadm info --query=property "$(vgpu_node host)"
	assert_line --regexp '^CURRENT_TAGS=.*:uaccess:'
	# a hand chown is undone by the next add event
	chown 0:0 "$node"
	udevd_trigger
	[ "$(stat -c '%u %g %a' "$node")" = "4242 4343 600" ]
	# each tenant its own by-path link
	[ "$(readlink -f /dev/dri/by-path/platform-gpucore.0.vgpu1-render)" = "$node" ]
	[ "$(readlink -f /dev/dri/by-path/platform-gpucore.0.vgpu2-render)" = "$(vgpu_node vm2)" ]
}

@test "vgpu_create refuses a bad owner, group or mode (EINVAL), and gpusched refuses them outside create" {
	run bash -c "echo 'vm1 owner=4294967295' > $(gpu_sys)/vgpu_create"
	assert_failure
	run bash -c "echo 'vm1 group=x' > $(gpu_sys)/vgpu_create"
	assert_failure
	run bash -c "echo 'vm1 mode=01777' > $(gpu_sys)/vgpu_create"
	assert_failure
	[ ! -e "$(gpu_sys)/vgpus/vm1" ]
	run "$GPUSCHED" vgpu create vm1 --owner no-such-user-here
	assert_equal "$status" 2
	vgpu_create vm1
	run "$GPUSCHED" vgpu set vm1 --mode 0600
	assert_equal "$status" 2
	assert_output --partial "are for create"
}

@test "defaults: weight 100, no cap, the GPU's whole memory" {
	vgpu_create vm1
	[ "$(vgpu_attr vm1 weight)" = 100 ]
	[ "$(vgpu_attr vm1 cap)" = 0 ]
	[ "$(vgpu_attr vm1 mem_quota)" = "$(cat "$(gpu_sys 0)/vram_size")" ]
}

@test "default limits: 256 channels (16384 per GPU over 64 vGPUs) and 16384 pending jobs, the host tenant too" {
	vgpu_create vm1
	for v in host vm1; do
		[ "$(vgpu_attr $v max_channels)" = 256 ]
		[ "$(vgpu_attr $v max_jobs)" = 16384 ]
		[ "$(vgpu_attr $v channels)" = 0 ]
		[ "$(vgpu_attr $v pending)" = 0 ]
	done
}

@test "a vGPU at its channel limit gets EDQUOT; another vGPU still creates all of its channels" {
	isolation limit_channels
}

@test "a vGPU at its pending-job limit gets EDQUOT for the whole submit; another vGPU still submits" {
	isolation limit_jobs
}

@test "channels=N at creation sets the channel limit; max_channels changes it live" {
	vgpu_create vm1 channels=3 jobs=100
	[ "$(vgpu_attr vm1 max_channels)" = 3 ]
	[ "$(vgpu_attr vm1 max_jobs)" = 100 ]
	run "$CHAN_SCALE" -V vm1 -c 4 -s 1000
	assert_failure
	assert_output --partial "CHANNEL_CREATE: Disk quota exceeded"
	run "$CHAN_SCALE" -V vm1 -c 3 -s 1000
	assert_success
	echo 4 > "$(gpu_sys 0)/vgpus/vm1/max_channels"
	[ "$(vgpu_attr vm1 max_channels)" = 4 ]
	run "$CHAN_SCALE" -V vm1 -c 4 -s 1000
	assert_success
	assert_output --partial "4 channels: 4 jobs completed exactly once"
	[ "$(vgpu_attr vm1 channels)" = 0 ]
}

@test "max_channels lowered below the vGPU's count keeps its channels and their work, refuses new ones" {
	vgpu_create vm1
	# four channels, each running one 3 s job
	"$GPULOAD" -V vm1 -c 4 -s 3s -q 1 -n 1 --json > "$BATS_TEST_TMPDIR/out.json" &
	pid=$!
	for i in $(seq 100); do [ "$(vgpu_attr vm1 channels)" = 4 ] && break; sleep 0.1; done
	[ "$(vgpu_attr vm1 channels)" = 4 ]
	echo 2 > "$(gpu_sys 0)/vgpus/vm1/max_channels"
	run "$CHAN_SCALE" -V vm1 -c 1 -s 1000
	assert_failure
	assert_output --partial "Disk quota exceeded"
	[ "$(vgpu_attr vm1 channels)" = 4 ]
	wait $pid
	[ "$(json_get "$BATS_TEST_TMPDIR/out.json" .total.jobs)" = 4 ]
	[ "$(json_get "$BATS_TEST_TMPDIR/out.json" .total.failed)" = 0 ]
	# down to 0 of 2: room again
	run "$CHAN_SCALE" -V vm1 -c 2 -s 1000
	assert_success
}

@test "max_jobs changes live: a submit past it fails with EDQUOT, within it runs" {
	vgpu_create vm1
	echo 4 > "$(gpu_sys 0)/vgpus/vm1/max_jobs"
	run "$GPULOAD" -V vm1 -c 1 -q 5 -s 1s -n 5
	assert_failure
	assert_output --partial "Disk quota exceeded"
	run "$GPULOAD" -V vm1 -c 2 -q 2 -s 1ms -n 10 -Q
	assert_success
	[ "$(vgpu_attr vm1 pending)" = 0 ]
}

@test "bad limits are refused with EINVAL: 0, above the maximum, garbage" {
	local dir
	vgpu_create vm1
	dir=$(gpu_sys 0)/vgpus/vm1
	for v in 0 16385 -1 banana 3x ""; do
		run bash -c "echo '$v' > $dir/max_channels"
		assert_failure
		assert_output --partial "Invalid argument"
	done
	for v in 0 67108865 banana; do
		run bash -c "echo '$v' > $dir/max_jobs"
		assert_failure
		assert_output --partial "Invalid argument"
	done
	echo 16384 > "$dir/max_channels"
	echo 67108864 > "$dir/max_jobs"
	for opt in channels=0 channels=16385 channels=x channels= jobs=0 jobs=67108865 jobs=y; do
		run vgpu_create vm2 "$opt"
		assert_failure
		assert_output --partial "Invalid argument"
	done
	[ ! -d "$(gpu_sys 0)/vgpus/vm2" ]
	[ "$(vgpu_attr vm1 max_channels)" = 16384 ]
	[ "$(vgpu_attr vm1 max_jobs)" = 67108864 ]
}

@test "a client of a vGPU's node is that vGPU (INFO reports it)" {
	vgpu_create vm1 weight=300
	run "$GPULOAD" -V vm1 -c 1 -n 3 -s 100us --json
	assert_success
	[ "$(echo "$output" | jq -r .vgpu.name)" = vm1 ]
	[ "$(echo "$output" | jq -r .vgpu.id)" = 1 ]
	[ "$(vgpu_attr vm1 jobs)" = 3 ]
	[ "$(vgpu_attr host jobs)" = 0 ]
}

@test "attributes change live" {
	vgpu_create vm1
	echo 700 > "$(gpu_sys 0)/vgpus/vm1/weight"
	echo 25 > "$(gpu_sys 0)/vgpus/vm1/cap"
	echo 32M > "$(gpu_sys 0)/vgpus/vm1/mem_quota"
	[ "$(vgpu_attr vm1 weight)" = 700 ]
	[ "$(vgpu_attr vm1 cap)" = 25 ]
	[ "$(vgpu_attr vm1 mem_quota)" = $((32 << 20)) ]
}

@test "bad attribute values are rejected" {
	vgpu_create vm1
	run sh -c "echo 0 > $(gpu_sys 0)/vgpus/vm1/weight"
	assert_failure
	run sh -c "echo 10001 > $(gpu_sys 0)/vgpus/vm1/weight"
	assert_failure
	run sh -c "echo 101 > $(gpu_sys 0)/vgpus/vm1/cap"
	assert_failure
	run sh -c "echo banana > $(gpu_sys 0)/vgpus/vm1/mem_quota"
	assert_failure
	[ "$(vgpu_attr vm1 weight)" = 100 ]
}

@test "bad create requests are rejected: duplicate, bad name, bad weight, unknown key" {
	vgpu_create vm1
	run vgpu_create vm1
	assert_failure
	run vgpu_create host
	assert_failure
	run vgpu_create "bad/name"
	assert_failure
	run vgpu_create vm2 weight=0
	assert_failure
	run vgpu_create vm2 cap=150
	assert_failure
	run vgpu_create vm2 colour=blue
	assert_failure
	run vgpu_create vm2 mem=99999G
	assert_failure
	[ ! -d "$(gpu_sys 0)/vgpus/vm2" ]
}

@test "vgpu_destroy removes the vGPU and its node; the host cannot be destroyed" {
	vgpu_create vm1
	node=$(vgpu_node vm1)
	vgpu_destroy vm1
	[ ! -d "$(gpu_sys 0)/vgpus/vm1" ]
	[ ! -e "$node" ]
	run vgpu_destroy host
	assert_failure
	run vgpu_destroy nosuch
	assert_failure
}

@test "32 vGPUs on one GPU, all usable, all destroyable" {
	for i in $(seq 32); do vgpu_create "t$i"; done
	for i in 1 16 32; do
		run "$GPULOAD" -V "t$i" -n 2 -s 50us -Q
		assert_success
	done
	for i in $(seq 32); do vgpu_destroy "t$i"; done
	run ls "$(gpu_sys 0)/vgpus"
	assert_output host
}

@test "buffer creation beyond the vGPU's quota fails with ENOSPC" {
	vgpu_create small mem=4M
	run "$GPULOAD" -V small -k fill --bo-size 8M -n 1
	assert_failure
	assert_output --partial "No space left on device"
	run "$GPULOAD" -V small -k fill --bo-size 2M -n 4 --verify -Q
	assert_success
	[ "$(vgpu_attr small mem_used)" = 0 ]
}

@test "destroying a vGPU with clients and work in flight fails the work, no hang, no leak" {
	vgpu_create vm1
	"$GPULOAD" -V vm1 -c 4 -s 20ms -q 8 -t 30 --json > "$BATS_TEST_TMPDIR/out.json" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	sleep 2
	[ "$(vgpu_attr vm1 channels)" = 4 ]
	vgpu_destroy vm1
	# the client sees errors (ENODEV / failed jobs) and exits by itself
	for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	run kill -0 $pid
	assert_failure
	wait $pid || true
	run state_get vgpu id=1 name
	assert_output ""
	run gpu_channels
	assert_output 0
	run gpucore_unload
	assert_success
}

@test "a client exiting while its vGPU is destroyed returns only once its channels are gone" {
	local knob=$DBG/destroy_delay_ms
	vgpu_create vm1
	# each channel's thread sleeps on a long job's fence: the client does
	# not notice the vGPU's unplugging until it is killed
	"$GPULOAD" -V vm1 -c 2 -s 10s -q 1 -n 1 -Q 2>/dev/null &
	pid=$!
	for i in $(seq 100); do [ "$(vgpu_attr vm1 channels)" = 2 ] && break; sleep 0.1; done
	[ "$(vgpu_attr vm1 channels)" = 2 ]
	trace_start gpucore_channel_destroy
	# The vGPU's destruction pauses 5 s in its first channel's teardown,
	# after marking the channel dead; the client is killed in that window,
	# so its file's release meets a channel another thread is destroying.
	echo 5000 > $knob
	vgpu_destroy vm1 &
	dpid=$!
	for i in $(seq 200); do [ "$(cat $knob)" = 0 ] && break; sleep 0.05; done
	[ "$(cat $knob)" = 0 ]
	kill -0 $dpid
	kill -9 $pid
	wait $pid || true
	echo "client reaped" > "$TRACEFS/trace_marker"
	wait $dpid
	trace_stop
	# Both of its channels were destroyed before the client was gone: the
	# engine charges a running channel's time to its file, whose memory
	# the file's release frees.
	run awk '/client reaped/ { exit } /gpucore_channel_destroy:/ { n++ } END { print n + 0 }' "$TRACEFS/trace"
	assert_output 2
	run grep -c 'gpucore_channel_destroy:' "$TRACEFS/trace"
	assert_output 2
	run gpu_channels
	assert_output 0
	run gpucore_unload
	assert_success
}

@test "jobs retired after their vGPU is destroyed and its files closed free their buffers cleanly" {
	local knob=$DBG/retire_delay_ms warns
	warns=$(dmesg | grep -c "Memory manager not clean" || true)
	vgpu_create vm1
	# The worker that drops retired jobs' references pauses 8 s from its
	# first run: the client's job completes in the engine's timer, the
	# client closes its buffer and its file and exits, and vm1 is
	# destroyed, while the job still holds the buffer, and the buffer the
	# DRM device it was made on.
	echo 8000 > $knob
	run "$REPO/selftests/progs/retirebo" -V vm1
	assert_success
	[ "$(cat $knob)" = 0 ]
	run vgpu_attr vm1 mem_used
	refute_output 0
	vgpu_destroy vm1
	run state_get vgpu id=1 name
	assert_output ""
	# the worker wakes, drops the buffers; the device goes with the last
	for i in $(seq 150); do [ "$(state_get gpu vram_used)" = 0 ] && break; sleep 0.1; done
	run state_get gpu vram_used
	assert_output 0
	run bash -c "dmesg | grep -c 'Memory manager not clean'"
	assert_output "$warns"
	run gpucore_unload
	assert_success
}

@test "kill -9 of a client with work in flight leaves nothing behind" {
	"$GPULOAD" -c 4 -s 5ms -q 16 -t 30 -Q &
	pid=$!
	sleep 2
	kill -9 $pid
	wait $pid || true
	run gpu_channels
	assert_output 0
	[ "$(cat "$(gpu_sys 0)/vram_used")" = 0 ]
	run gpucore_unload
	assert_success
}

@test "abi_test's cases across vGPUs all run here, and every case run here exists" {
	local all across named
	all=$("$ABI_TEST" list | sort)
	across=$(comm -23 <(echo "$all") <("$ABI_TEST" describe | cut -f1 | sort))
	named=$(grep -ohE '^\s*isolation [a-z0-9_]+' "$BATS_TEST_FILENAME" | awk '{ print $2 }' | sort -u)
	[ -n "$across" ]
	assert_equal "$(comm -23 <(echo "$across") <(echo "$named"))" ""
	assert_equal "$(comm -13 <(echo "$all") <(echo "$named"))" ""
}

# isolation CASE: abi_test's CASE with its process on vGPU a and the
# "other process" on vGPU b.
isolation() {
	vgpu_create a
	vgpu_create b
	run "$ABI_TEST" -D "$(vgpu_node a)" -O "$(vgpu_node b)" run "$1"
	assert_success
}

@test "a process on one vGPU cannot use another vGPU's channel handles" {
	isolation isolation_channels
}

@test "a process on one vGPU cannot use another vGPU's buffer handles or change its data" {
	isolation isolation_bos
}

@test "a process on one vGPU cannot use another vGPU's syncobj (fence) handles" {
	isolation isolation_syncobjs
}

@test "a dma-buf exported on one vGPU cannot be imported into another, even with the fd in hand" {
	isolation isolation_dmabuf
	[ "$(vgpu_attr b mem_used)" = 0 ]
}

@test "a job fence of one vGPU is refused as an in-fence on another, even in an imported syncobj or a merged sync_file" {
	isolation isolation_job_fence
}

@test "a flink name made on one vGPU opens nothing on another" {
	isolation isolation_flink
}

@test "the kernel itself refuses vGPU administration and policy loading to an unprivileged user" {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	local sys
	sys=$(gpu_sys 0)
	vgpu_create a weight=100
	run "${nobody[@]}" sh -c "echo x > $sys/vgpu_create"
	assert_failure
	assert_output --partial "Permission denied"
	run "${nobody[@]}" sh -c "echo a > $sys/vgpu_destroy"
	assert_failure
	run "${nobody[@]}" sh -c "echo 5000 > $sys/vgpus/a/weight"
	assert_failure
	run "${nobody[@]}" sh -c "echo 1 > /sys/module/gpucore/policy/eject"
	assert_failure
	# straight to the bpf() syscall, without gpusched's own check
	run "${nobody[@]}" bpftool struct_ops register "$REPO/bpf/besteffort.bpf.o"
	assert_failure
	[ ! -e "$sys/vgpus/x" ]
	[ -e "$sys/vgpus/a" ]
	[ "$(vgpu_attr a weight)" = 100 ]
	[ "$(cat /sys/module/gpucore/policy/state)" = builtin ]
}

@test "node permissions decide the tenant: another user cannot open a vGPU's node" {
	vgpu_create a
	vgpu_create b
	chown 65534 "$(vgpu_node b)"
	chmod 600 "$(vgpu_node a)" "$(vgpu_node b)"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$GPULOAD" -V a -n 1 -s 50us -Q
	assert_failure
	assert_output --partial "Permission denied"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$GPULOAD" -V b -n 1 -s 50us -Q
	assert_success
	[ "$(vgpu_attr b jobs)" = 1 ]
	[ "$(vgpu_attr a jobs)" = 0 ]
}
