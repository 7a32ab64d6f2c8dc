#!/usr/bin/env bats
# Execution semantics and the built-in policy: preemption, fairness,
# ordering, byte-exact data, idle channels, accounting consistency.

load helpers

setup_file() {
	gpucore_unload || true
	gpucore_load
}

teardown_file() {
	gpucore_unload
}

# rel_diff A B: |A-B| / max(A,B) in percent (integer).
rel_diff() {
	awk -v a="$1" -v b="$2" 'BEGIN { m = a > b ? a : b; d = a - b; if (d < 0) d = -d; printf "%d\n", m ? 100 * d / m : 0 }'
}

@test "two flat-out channels on one engine get engine time within 10% (jobs longer than the timeslice)" {
	# measured between two debugfs snapshots while both run, so that the
	# two threads' start and end times do not count
	"$GPULOAD" -c 2 -i 0 -s 7ms -q 16 -t 6 -Q > /dev/null &
	sleep 1.5
	debugfs_state > "$BATS_TEST_TMPDIR/s0"
	sleep 3
	debugfs_state > "$BATS_TEST_TMPDIR/s1"
	wait
	run awk '$1 == "channel" { for (i = 3; i <= NF; i++) if ($i ~ /^busy_ns=/) { split($i, kv, "="); b[$2] += (FILENAME ~ /s1$/ ? 1 : -1) * kv[2] } }
		END { for (c in b) printf "%.0f\n", b[c] }' "$BATS_TEST_TMPDIR/s0" "$BATS_TEST_TMPDIR/s1"
	assert_success
	[ "${#lines[@]}" = 2 ]
	a=${lines[0]} b=${lines[1]}
	[ "$a" -gt 0 ]
	[ "$b" -gt 0 ]
	d=$(rel_diff "$a" "$b")
	echo "busy: $a $b diff ${d}%"
	[ "$d" -le 10 ]
}

@test "a channel longer than its timeslice is preempted and resumes (preemptions counted, jobs complete)" {
	before=$(debugfs_state | awk '/engine 1 /{for(i=1;i<=NF;i++) if ($i ~ /^preemptions=/) {split($i,a,"="); print a[2]}}')
	run "$GPULOAD" -c 2 -i 1 -s 10ms -q 2 -n 10 --json
	assert_success
	[ "$(echo "$output" | jq '.total.jobs')" = 20 ]
	[ "$(echo "$output" | jq '.total.failed')" = 0 ]
	after=$(debugfs_state | awk '/engine 1 /{for(i=1;i<=NF;i++) if ($i ~ /^preemptions=/) {split($i,a,"="); print a[2]}}')
	echo "preemptions $before -> $after"
	[ $((after - before)) -ge 20 ]
}

@test "a SPIN job is charged its duration, however often it was preempted" {
	run "$GPULOAD" -c 3 -i 0 -s 12ms -q 2 -n 6 --json
	assert_success
	busy=$(echo "$output" | jq '.total.busy_ns')
	# 18 jobs x 12 ms; the engine may overshoot a timer, never undershoot
	[ "$busy" -ge $((18 * 12000000)) ]
	[ "$busy" -le $((18 * 12000000 * 13 / 10)) ]
}

@test "jobs of a channel complete in submission order, each exactly once" {
	run "$GPULOAD" -c 4 -s 50us-3ms -q 32 -n 300 --verify --json
	assert_success
	echo "$output" | jq -e '.total.lost == 0 and .total.duplicated == 0 and .total.jobs == 1200'
}

@test "byte-exact data after thousands of FILL/COPY jobs over many channels" {
	run "$GPULOAD" -c 8 -k mix -s 100us --bo-size 256K -q 8 -n 400 --verify --json
	assert_success
	echo "$output" | jq -e '.total.mismatches == 0 and .total.lost == 0 and .total.failed == 0 and .total.jobs == 3200'
}

@test "copy-engine channels run FILL/COPY byte-exact" {
	run "$GPULOAD" -E copy -c 2 -k copy --bo-size 1M -q 4 -n 200 --verify --json
	assert_success
	echo "$output" | jq -e '.total.mismatches == 0 and .total.jobs == 400'
	echo "$output" | jq -e '.channels[0].engine == 2'
}

@test "completion through DRM_IOCTL_GPUCORE_WAIT works like syncobj waits" {
	run "$GPULOAD" -c 2 -s 200us -q 8 -n 200 --sync wait --verify --json
	assert_success
	echo "$output" | jq -e '.total.jobs == 400 and .total.lost == 0'
}

@test "an idle channel does not hold its engine" {
	skip_timing_bound
	# one channel submits rarely; a flat-out one on the same engine gets nearly all of it
	"$GPULOAD" -c 1 -i 0 -s 1ms -r 5 -t 3 -Q &
	slow=$!
	run "$GPULOAD" -c 1 -i 0 -s 2ms -q 4 -t 3 --json
	wait $slow
	assert_success
	busy=$(echo "$output" | jq '.total.busy_ns')
	dur=$(echo "$output" | jq '.duration_s * 1e9 | floor')
	echo "busy $busy of $dur"
	[ "$busy" -ge $((dur * 70 / 100)) ]
}

@test "engine, vGPU and channel accounting agree" {
	gpucore_reload
	run "$GPULOAD" -c 3 -s 1ms-4ms -q 4 -n 100 --json
	assert_success
	chan=$(echo "$output" | jq '.total.busy_ns')
	vgpu=$(vgpu_attr host busy_ns)
	eng=$(debugfs_state | awk '/^engine/{for(i=1;i<=NF;i++) if ($i ~ /^busy_ns=/) {split($i,a,"="); s+=a[2]}} END {print s}')
	echo "channels $chan vgpu $vgpu engines $eng"
	[ "$chan" = "$vgpu" ]
	[ "$vgpu" = "$eng" ]
	[ "$(vgpu_attr host jobs)" = 300 ]
}

@test "4096 channels on one GPU: every one runs its job exactly once" {
	# past the host tenant's default channel limit
	echo 4096 > "$(gpu_sys 0)/vgpus/host/max_channels"
	run "$CHAN_SCALE" -c 4096 -s 20000
	assert_success
	assert_output --partial "4096 channels: 4096 jobs completed exactly once"
	run gpu_channels
	assert_output 0
}
