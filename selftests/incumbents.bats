#!/usr/bin/env bats
# The incumbent schedulers as policies (gvtg, drmfair, equalshare): each
# schedules real work and loses nothing, stays attached under weights
# 1..10000 on both compute engines, and shows its algorithm's behaviour.

load helpers

setup() {
	gpucore_reload
}

teardown() {
	pkill -9 gpuload 2>/dev/null || true
	"$GPUSCHED" unload >/dev/null 2>&1 || true
	gpucore_unload || true
}

@test "gvtg, drmfair and equalshare load, run gpuload --verify on compute and copy engines losing nothing, unload" {
	local p
	vgpu_create vm1
	for p in gvtg drmfair equalshare; do
		run "$GPUSCHED" load "$REPO/bpf/$p.bpf.o"
		assert_success
		[ "$(cat $POL/name) $(cat $POL/state)" = "$p attached" ]
		"$GPULOAD" -V vm1 -c 4 -k mix -s 100us-2ms --bo-size 256K -q 8 -n 50 --verify --json \
			> "$BATS_TEST_TMPDIR/compute.json" &
		"$GPULOAD" -V vm1 -E copy -c 2 -k copy --bo-size 256K -q 4 -n 50 --verify --json \
			> "$BATS_TEST_TMPDIR/copy.json"
		wait $!
		nothing_lost "$BATS_TEST_TMPDIR/compute.json"
		nothing_lost "$BATS_TEST_TMPDIR/copy.json"
		[ "$(jq .total.jobs "$BATS_TEST_TMPDIR/compute.json") $(jq .total.jobs "$BATS_TEST_TMPDIR/copy.json")" = "200 100" ]
		[ "$(cat $POL/decisions)" -gt 0 ]
		run "$GPUSCHED" unload
		assert_success
		run cat $POL/state $POL/exit_kind $POL/exit_msg
		echo "$p: $(echo $output)"
		assert_line --index 0 builtin
		assert_line --index 1 unregistered
	done
}

@test "gvtg, drmfair, equalshare, each replacing the last under weights 1..10000 with caps on both compute engines: every vGPU served, none ejected" {
	extreme_mix gvtg drmfair equalshare
}

@test "gvtg: a busy vGPU beside an idle running one gets its own slice of the engine, not the idle one's (not work conserving)" {
	skip_timing_bound
	local all used
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=100
	# vm2 runs (it has a channel) but submits a 100 us job twice a second
	"$GPULOAD" -V vm2 -i 0 -c 1 -r 2 -s 100us -t 600 -Q > /dev/null &
	"$GPULOAD" -V vm1 -i 0 -c 2 -s 1ms -q 16 -t 600 -Q > /dev/null &
	sleep 1
	# What the engine delivers to vm1's load when nothing holds it back
	# (a TCG guest fires each job's end late, and that is nobody's time)
	all=$(vgpu_use vm1 2)
	# Both run when the policy attaches, so the first round allocates
	# their slices at once: vm1 and vm2 weigh 100 each (the host tenant
	# has no channel, so it does not run), vm1's slice is 50 ms of engine
	# 0 in every 100 ms.
	"$GPUSCHED" load "$REPO/bpf/gvtg.bpf.o"
	sleep 0.5
	used=$(vgpu_use vm1 3)
	stop_loads
	echo "vm1 used ${used}% of compute0 with a slice of 50%; ${all}% under the built-in round robin"
	[ "$used" -le 60 ]
	[ "$used" -ge $((all * 50 * 6 / 1000)) ]
	[ "$(cat $POL/state)" = attached ]
}

@test "drmfair: a low-priority tenant progresses beside a normal one, which gets more (8:1 by the vruntime shifts)" {
	skip_timing_bound
	# weight 10 is below the default 100: low priority (shift 7); 100 is normal (shift 4)
	vgpu_create low weight=10
	vgpu_create normal weight=100
	"$GPUSCHED" load "$REPO/bpf/drmfair.bpf.o"
	run measure_shares 1 3 -i 0 -c 1 -s 1ms -q 16 -- low normal
	assert_success
	echo "$output (ideal: low 111, normal 889)"
	[ "$(share_of low)" -ge 30 ]
	[ "$(share_of normal)" -ge $(( 3 * $(share_of low) )) ]
	[ "$(cat $POL/state)" = attached ]
}

@test "equalshare: three running tenants get a third of the engine each, whatever their weights and channels" {
	skip_timing_bound
	vgpu_create a weight=10000
	vgpu_create b weight=100
	vgpu_create c weight=1
	"$GPUSCHED" load "$REPO/bpf/equalshare.bpf.o"
	# 4, 2 and 1 channels on engine 0: round robin over channels would give 4:2:1
	"$GPULOAD" -V a -i 0 -c 4 -s 1ms -q 16 -t 600 -Q > /dev/null &
	"$GPULOAD" -V b -i 0 -c 2 -s 1ms -q 16 -t 600 -Q > /dev/null &
	"$GPULOAD" -V c -i 0 -c 1 -s 1ms -q 16 -t 600 -Q > /dev/null &
	sleep 1
	busy_snapshot "$BATS_TEST_TMPDIR/e0"
	sleep 3
	busy_snapshot "$BATS_TEST_TMPDIR/e1"
	stop_loads
	run snap_shares "$BATS_TEST_TMPDIR/e0" "$BATS_TEST_TMPDIR/e1" a b c
	echo "$output"
	within 15 "$(share_of a)" 333.3
	within 15 "$(share_of b)" 333.3
	within 15 "$(share_of c)" 333.3
	[ "$(cat $POL/state)" = attached ]
}
