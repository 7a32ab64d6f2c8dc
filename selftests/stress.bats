#!/usr/bin/env bats
# Stress: selftests/stress/stress.sh for ${STRESS_SECS:-60} s (make soak
# runs the same for half an hour): verified load from processes killed at
# random, vGPUs created and destroyed under load, policies loaded,
# replaced, unloaded, ejected by hand and broken ones ejected by the
# kernel. The script itself checks that nothing was lost or leaked and the
# module unloads; here each promise is asserted from its report.

load helpers

setup_file() {
	gpucore_unload
	export STRESS_OUT=$BATS_FILE_TMPDIR/stress
	# its verdict is asserted by the tests below, not here
	local rc=0
	"$REPO/selftests/stress/stress.sh" -t "${STRESS_SECS:-60}" -o "$STRESS_OUT" \
		> "$BATS_FILE_TMPDIR/report" 2>&1 || rc=$?
	echo $rc > "$BATS_FILE_TMPDIR/rc"
}

report() { cat "$BATS_FILE_TMPDIR/report"; }
# figure WORD: the number after WORD in the report
figure() { report | grep -o "$1 [0-9]*" | head -n1 | awk '{ print $NF }'; }

@test "stress: the run passes its own checks" {
	run report
	echo "$output"
	grep '^stress: ' "$BATS_FILE_TMPDIR/report" | sed 's/^/# /' >&3
	assert_output --partial "stress: PASS"
	[ "$(cat "$BATS_FILE_TMPDIR/rc")" = 0 ]
}

@test "stress: verified runs completed with zero lost, duplicated or mismatched jobs" {
	[ "$(figure verified)" -gt 0 ]
	[ "$(figure 'jobs verified')" -gt 100 ]
	run cat "$STRESS_OUT/failures"
	refute_output --partial gpuload
}

@test "stress: processes were killed with SIGKILL mid-run" {
	[ "$(figure killed)" -gt 0 ]
}

@test "stress: vGPUs were destroyed under load and their processes exited" {
	[ "$(figure destroyed)" -gt 0 ]
	run cat "$STRESS_OUT/failures"
	refute_output --partial "destroyed"
}

@test "stress: policies were loaded, replaced and ejected during the run" {
	[ $(( $(figure loaded) + $(figure replaced) )) -gt 0 ]
	[ "$(figure ejections)" -gt 0 ]
}

@test "stress: nothing left behind and the module unloaded" {
	run cat "$STRESS_OUT/failures"
	refute_output --partial "left"
	refute_output --partial "rmmod"
	[ ! -d /sys/module/gpucore ]
}
