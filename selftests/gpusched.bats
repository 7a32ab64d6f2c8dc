#!/usr/bin/env bats
# gpusched, the command line: load/replace/unload/status/list, tunables,
# each refusal with its message and exit code, and vGPU administration.

load helpers

BAD=$REPO/selftests/policies
PIN=/sys/fs/bpf/gpucore/policy
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

setup() {
	gpucore_reload
}

# range_of POLICY TUNABLE: "MIN MAX", the range the policy declares (list --json).
range_of() {
	"$GPUSCHED" list --json "$REPO/bpf/$1.bpf.o" |
		jq -r --arg t "$2" '.[0].tunables[] | select(.name == $t) | .range | "\(.min) \(.max)"'
}

# range_text POLICY TUNABLE: the range as gpusched list prints it.
range_text() {
	"$GPUSCHED" list "$REPO/bpf/$1.bpf.o" | sed -n "s/^ *$2 .* range //p"
}

teardown() {
	pkill -9 gpuload 2>/dev/null || true
	"$GPUSCHED" unload >/dev/null 2>&1 || true
	gpucore_unload || true
}

@test "gpusched load pins the policy, which outlives the command" {
	run "$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	assert_success
	assert_output --partial "loaded policy besteffort from $REPO/bpf/besteffort.bpf.o"
	assert_output --partial "pinned at $PIN"
	[ -e "$PIN" ]
	[ "$(cat $POL/state)" = attached ]
	[ "$(cat $POL/name)" = besteffort ]
}

@test "gpusched load NAME finds NAME.bpf.o in the repository's bpf/" {
	run "$GPUSCHED" load fairshare
	assert_success
	assert_output --partial "loaded policy fairshare from $REPO/bpf/fairshare.bpf.o"
}

@test "gpusched unload detaches, removes the pin and the built-in policy is back" {
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	run "$GPUSCHED" unload
	assert_success
	assert_output --partial "unloaded policy besteffort"
	[ ! -e "$PIN" ]
	[ "$(cat $POL/state)" = builtin ]
	[ "$(cat $POL/exit_kind)" = unregistered ]
}

@test "gpusched status --json reports the policy, its counters and the last exit" {
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	vgpu_create vm1
	"$GPULOAD" -V vm1 -c 2 -s 200us -t 1 -Q
	run "$GPUSCHED" status --json
	assert_success
	[ "$(echo "$output" | jq -r .policy)" = besteffort ]
	[ "$(echo "$output" | jq -r .state)" = attached ]
	[ "$(echo "$output" | jq -r .abi_version)" = "$(cat $POL/abi_version)" ]
	[ "$(echo "$output" | jq -r .decisions)" -gt 0 ]
	[ "$(echo "$output" | jq -r .errors)" = 0 ]
	[ "$(echo "$output" | jq -r .pinned)" = true ]
	[ "$(echo "$output" | jq -r '.attached_for_s > 0')" = true ]
	[ "$(echo "$output" | jq -r '.attached_at > 1700000000')" = true ]
}

@test "gpusched status after an ejection shows the kind, reason and message" {
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	echo 1 > $POL/eject
	for i in $(seq 50); do [ "$(cat $POL/state)" = builtin ] && break; sleep 0.1; done
	run "$GPUSCHED" status
	assert_success
	assert_output --partial "policy:      builtin"
	assert_output --partial "ejections:   1"
	assert_output --partial "last exit:   sysfs"
	assert_output --partial "reason:    ejected by operator"
	assert_output --partial "the pin of an ejected policy remains"
	run "$GPUSCHED" unload
	assert_success
	assert_output --partial "had already stopped (sysfs"
	[ ! -e "$PIN" ]
}

@test "-o sets a tunable before load and the policy uses it" {
	vgpu_create vm1
	run "$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o" -o timeslice_ns=3ms
	assert_success
	assert_output --partial "timeslice_ns=3000000"
	trace_start gpucore_switch_in
	# both on engine 0: they take turns, one 3 ms slice at a time
	"$GPULOAD" -V vm1 -c 2 -i 0 -s 5ms -t 1 -Q
	trace_stop
	run grep -c "slice_ns=3000000 " "$TRACEFS/trace"
	[ "$output" -gt 5 ]
	run grep -c "gpucore_switch_in:" "$TRACEFS/trace"
	[ "$output" -gt 5 ]
}

@test "-o with an unknown tunable fails (2) and lists the valid ones" {
	run "$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" -o slice=1ms
	assert_failure 2
	assert_output --partial "has no tunable 'slice'"
	assert_output --partial "timeslice_ns"
	assert_output --partial "cap_window_ns"
	[ "$(cat $POL/state)" = builtin ]
}

@test "-o with a value of the wrong type fails (2) and says what is expected" {
	run "$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" -o timeslice_ns=fast
	assert_failure 2
	assert_output --partial "timeslice_ns is a u64"
	assert_output --partial "duration"
	[ "$(cat $POL/state)" = builtin ]
}

@test "-o with a negative value for an unsigned tunable fails (2)" {
	run "$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" -o timeslice_ns=-1
	assert_failure 2
	[ "$(cat $POL/state)" = builtin ]
}

@test "-o without '=' fails (2)" {
	run "$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" -o timeslice_ns
	assert_failure 2
	assert_output --partial "expected NAME=VALUE"
}

@test "-o timeslice_ns=1 and =5s fail (2), naming the range in units; nothing is attached" {
	local range v
	range=$(range_text fairshare timeslice_ns)
	for v in 1 5s; do
		run "$GPUSCHED" load fairshare -o timeslice_ns=$v
		assert_failure 2
		assert_output --partial "timeslice_ns=$v: outside $range"
		assert_output --regexp "outside [0-9]+us\.\.[0-9]+s \(or 0: the GPU default\)"
		[ "$(cat $POL/state)" = builtin ]
	done
	[ ! -e "$PIN" ]
}

@test "-o just outside either bound of a declared range fails (2); nothing is attached" {
	local min max v
	read -r min max < <(range_of fixedshare period_ns)
	for v in $((min - 1)) $((max + 1)); do
		run "$GPUSCHED" load fixedshare -o period_ns=$v
		assert_failure 2
		assert_output --partial "period_ns=$v: outside $(range_text fixedshare period_ns)"
		[ "$(cat $POL/state)" = builtin ]
	done
}

@test "-o at either bound of a declared range loads, and the driver keeps the policy under load" {
	local min max v
	read -r min max < <(range_of fairshare timeslice_ns)
	# On one engine, fairshare gives vm1 slices of 1/8 of the base (its weight is 1/8).
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=800
	for v in $min $max; do
		run "$GPUSCHED" load fairshare -o timeslice_ns=$v
		assert_success
		assert_output --partial "timeslice_ns=$v"
		"$GPULOAD" -V vm1 -i 0 -c 1 -s 200us -t 1 -Q &
		"$GPULOAD" -V vm2 -i 0 -c 1 -s 200us -t 1 -Q
		wait
		[ "$(cat $POL/state)" = attached ]
		[ "$(cat $POL/decisions)" -gt 0 ]
		run "$GPUSCHED" unload
		assert_success
	done
}

@test "-o with a u64 value of 2^63 or more is unsigned: refused (2) with the range, not ERANGE" {
	local v
	for v in $(printf '%u %u' $((1 << 63)) -1); do
		run "$GPUSCHED" load fairshare -o timeslice_ns=$v
		assert_failure 2
		assert_output --partial "timeslice_ns=$v: outside $(range_text fairshare timeslice_ns)"
		refute_output --partial "out of range"
		[ "$(cat $POL/state)" = builtin ]
	done
}

@test "a struct_ops timeslice_ns of 2^63 is refused (7) with the range by gpusched and by the kernel" {
	run "$GPUSCHED" load "$BAD/bad_slice_u64.bpf.o"
	assert_failure 7
	assert_output --partial ".timeslice_ns = $(printf '%u' $((1 << 63))), outside"
	assert_output --partial "(or 0: the GPU default)"
	refute_output --partial "out of range"
	run bpftool struct_ops register "$BAD/bad_slice_u64.bpf.o" /sys/fs/bpf/bad_slice_u64
	assert_failure
	rm -rf /sys/fs/bpf/bad_slice_u64
	[ "$(cat $POL/state)" = builtin ]
}

@test "a tunable without a declared range takes any value of its type" {
	local v
	v=$(((1 << 32) - 1))
	run "$GPUSCHED" list --json "$BAD/unranged.bpf.o"
	assert_success
	[ "$(echo "$output" | jq -r '.[0].tunables[] | select(.name == "tag") | .range')" = null ]
	run "$GPUSCHED" load "$BAD/unranged.bpf.o" -o tag=$v
	assert_success
	assert_output --partial "tag=$v"
	[ "$(cat $POL/state)" = attached ]
	run "$GPUSCHED" unload
	assert_success
}

@test "a second load fails (8) while a policy is attached" {
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	run "$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o"
	assert_failure 8
	assert_output --partial "policy besteffort is already loaded"
	[ "$(cat $POL/name)" = besteffort ]
}

@test "load --replace swaps the policy and keeps the pin" {
	"$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	run "$GPUSCHED" load --replace "$REPO/bpf/fairshare.bpf.o"
	assert_success
	assert_output --partial "replaced the loaded policy with policy fairshare"
	[ "$(cat $POL/name)" = fairshare ]
	[ "$(cat $POL/exit_kind)" = replaced ]
	[ -e "$PIN" ]
	run "$GPUSCHED" unload
	assert_success
	[ "$(cat $POL/state)" = builtin ]
}

@test "load --replace with nothing loaded fails (9)" {
	run "$GPUSCHED" load --replace "$REPO/bpf/fairshare.bpf.o"
	assert_failure 9
	assert_output --partial "no policy to replace"
}

@test "unload with nothing loaded fails (9)" {
	run "$GPUSCHED" unload
	assert_failure 9
	assert_output --partial "no policy loaded"
}

@test "a BPF object that is not a policy is refused (5)" {
	run "$GPUSCHED" load "$BAD/not_a_policy.bpf.o"
	assert_failure 5
	assert_output --partial "is not a gpucore policy"
	[ "$(cat $POL/state)" = builtin ]
}

@test "a file that is not a BPF object is refused (5)" {
	run "$GPUSCHED" load /etc/hostname
	assert_failure 5
	assert_output --partial "is not a BPF object"
}

@test "a policy without a link section is refused (5) and the kernel refuses it too" {
	run "$GPUSCHED" load "$BAD/bad_no_link.bpf.o"
	assert_failure 5
	assert_output --partial "struct_ops.link"
	run bpftool struct_ops register "$BAD/bad_no_link.bpf.o"
	assert_failure
	[ "$(cat $POL/state)" = builtin ]
}

@test "a policy built for another ABI version is refused (6)" {
	run "$GPUSCHED" load "$BAD/wrong_abi.bpf.o"
	assert_failure 6
	assert_output --partial "built for policy ABI $(( $(cat $POL/abi_version) + 1 ))"
	assert_output --partial "rebuild"
	[ "$(cat $POL/state)" = builtin ]
}

@test "a missing file fails (1) with the reason" {
	run "$GPUSCHED" load /nonexistent/x.bpf.o
	assert_failure 1
	assert_output --partial "cannot read /nonexistent/x.bpf.o"
}

@test "a verifier failure fails (7) and prints the verifier log's tail" {
	run "$GPUSCHED" load "$BAD/bad_nullable.bpf.o"
	assert_failure 7
	assert_output --partial "verifier log"
	assert_output --partial "the kernel refused bad_nullable"
}

@test "load as an unprivileged user fails (4) and says to use root" {
	run "${NOBODY[@]}" "$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	assert_failure 4
	assert_output --partial "run it as root"
	[ "$(cat $POL/state)" = builtin ]
}

@test "without the driver gpusched and gpuload fail (3), but a usage error first fails (2)" {
	gpucore_unload
	run "$GPUSCHED" status
	assert_failure 3
	assert_output --partial "gpucore driver not loaded"
	run "$GPUSCHED" load "$REPO/bpf/besteffort.bpf.o"
	assert_failure 3
	run "$GPUSCHED" vgpu create vm1
	assert_failure 3
	run "$GPULOAD" -n 1
	assert_failure 3
	# the command line is checked before the driver
	run "$GPUSCHED" status --bogus
	assert_failure 2
	run "$GPUSCHED" vgpu set vm1
	assert_failure 2
	assert_output --partial "nothing to set"
	run "$GPUSCHED" load fairshare -o timeslice_ns
	assert_failure 2
	assert_output --partial "expected NAME=VALUE"
	run "$GPUSCHED" load fairshare -o timeslice_ns=1
	assert_failure 2
	run "$GPULOAD" --bogus
	assert_failure 2
}

@test "usage errors fail (2): unknown command, unknown option, missing argument" {
	run "$GPUSCHED" frobnicate
	assert_failure 2
	assert_output --partial "unknown command 'frobnicate'"
	run "$GPUSCHED" status --bogus
	assert_failure 2
	assert_output --partial "unknown option '--bogus'"
	run "$GPUSCHED" load
	assert_failure 2
	run "$GPUSCHED"
	assert_failure 2
}

@test "gpusched list shows the shipped policies and their tunables" {
	run "$GPUSCHED" list
	assert_success
	for p in besteffort drmfair equalshare fairshare fixedshare gvtg latency; do
		assert_output --partial "$REPO/bpf/$p.bpf.o"
	done
	assert_output --partial "cap_window_ns"
	assert_output --partial "interactive_slice_ns"
	run "$GPUSCHED" list --json
	assert_success
	[ "$(echo "$output" | jq -r '[.[].name] | sort | join(",")')" = besteffort,drmfair,equalshare,fairshare,fixedshare,gvtg,latency ]
	[ "$(echo "$output" | jq -r '.[] | select(.name == "fairshare") | .tunables[] | select(.name == "cap_window_ns") | .default')" = 100000000 ]
}

@test "gpusched list shows a range for every integer tunable of the shipped policies" {
	run "$GPUSCHED" list --json
	assert_success
	[ "$(echo "$output" | jq '[.[].tunables[] | select(.type != "bool" and .range == null)] | length')" = 0 ]
	[ "$(echo "$output" | jq -r '.[] | select(.name == "besteffort") | .tunables[] | select(.name == "timeslice_ns") | .range.zero')" = "the GPU default" ]
	run "$GPUSCHED" list "$REPO/bpf/latency.bpf.o"
	assert_success
	assert_output --regexp "starve_ns +u64 += [0-9]+ +range [0-9]+m?s\.\.[0-9]+m?s$"
}

@test "gpusched vgpu create, set, list and destroy drive sysfs" {
	run "$GPUSCHED" vgpu create vm1 --weight 300 --cap 50 --mem 256M --class interactive
	assert_success
	assert_output --partial "created vGPU vm1 on GPU 0: /dev/dri/renderD"
	[ "$(vgpu_attr vm1 weight)" = 300 ]
	[ "$(vgpu_attr vm1 cap)" = 50 ]
	[ "$(vgpu_attr vm1 mem_quota)" = $((256 << 20)) ]
	[ "$(vgpu_attr vm1 class)" = interactive ]
	run "$GPUSCHED" vgpu set vm1 --weight 700 --cap 0
	assert_success
	[ "$(vgpu_attr vm1 weight)" = 700 ]
	[ "$(vgpu_attr vm1 cap)" = 0 ]
	run "$GPUSCHED" vgpu list --json
	assert_success
	[ "$(echo "$output" | jq -r '.[] | select(.name == "vm1") | .weight')" = 700 ]
	[ "$(echo "$output" | jq -r '.[] | select(.name == "host") | .id')" = 0 ]
	run "$GPUSCHED" vgpu list
	assert_success
	assert_output --regexp "vm1 +700 +- +interactive"
	run "$GPUSCHED" vgpu destroy vm1
	assert_success
	[ ! -e "$(gpu_sys 0)/vgpus/vm1" ]
}

@test "gpusched vgpu --channels and --jobs set the limits at create and live; list shows use against them" {
	run "$GPUSCHED" vgpu create vm1 --channels 8 --jobs 1000
	assert_success
	[ "$(vgpu_attr vm1 max_channels)" = 8 ]
	[ "$(vgpu_attr vm1 max_jobs)" = 1000 ]
	run "$GPUSCHED" vgpu set vm1 --channels 2 --jobs 500
	assert_success
	[ "$(vgpu_attr vm1 max_channels)" = 2 ]
	[ "$(vgpu_attr vm1 max_jobs)" = 500 ]
	# one channel held open by a 10 s job
	"$GPULOAD" -V vm1 -c 1 -s 10s -q 1 -n 1 -Q 2>/dev/null &
	pid=$!
	for i in $(seq 100); do [ "$(vgpu_attr vm1 channels)" = 1 ] && break; sleep 0.1; done
	run "$GPUSCHED" vgpu list --json
	assert_success
	[ "$(echo "$output" | jq -c '.[] | select(.name == "vm1") | [.channels, .max_channels, .pending, .max_jobs]')" = "[1,2,1,500]" ]
	[ "$(echo "$output" | jq -r '.[] | select(.name == "host") | .max_channels')" = 256 ]
	run "$GPUSCHED" vgpu list
	assert_success
	assert_output --regexp "vm1 .* 1/2 +1/500 +/dev/dri/renderD"
	assert_output --regexp "host .* 0/256 +0/16384 +/dev/dri/renderD"
	kill -9 $pid
	wait $pid || true
}

@test "gpusched vgpu refuses bad values (2) with what is allowed" {
	run "$GPUSCHED" vgpu create vm1 --weight 0
	assert_failure 2
	assert_output --partial "a weight is 1..10000"
	run "$GPUSCHED" vgpu create vm1 --cap 101
	assert_failure 2
	assert_output --partial "0..100"
	run "$GPUSCHED" vgpu create vm1 --class realtime
	assert_failure 2
	run "$GPUSCHED" vgpu create "bad/name"
	assert_failure 2
	assert_output --partial "bad vGPU name"
	run "$GPUSCHED" vgpu create vm1 --channels 0
	assert_failure 2
	assert_output --partial "a channel limit is 1..16384 (default 256)"
	run "$GPUSCHED" vgpu create vm1 --channels 16385
	assert_failure 2
	run "$GPUSCHED" vgpu create vm1 --jobs many
	assert_failure 2
	assert_output --partial "a limit of pending jobs is 1..67108864 (default 16384)"
	run "$GPUSCHED" vgpu list --channels 4
	assert_failure 2
	[ ! -e "$(gpu_sys 0)/vgpus/vm1" ]
}

@test "gpusched vgpu: a duplicate, an unknown vGPU and the host tenant fail (1)" {
	"$GPUSCHED" vgpu create vm1
	run "$GPUSCHED" vgpu create vm1
	assert_failure 1
	assert_output --partial "exists"
	run "$GPUSCHED" vgpu set nosuch --weight 5
	assert_failure 1
	assert_output --partial "has no vGPU 'nosuch'"
	run "$GPUSCHED" vgpu destroy host
	assert_failure 1
	assert_output --partial "host tenant cannot be destroyed"
	run "$GPUSCHED" vgpu list -g 5
	assert_failure 1
	assert_output --partial "no GPU 5"
}

@test "gpusched vgpu list works unprivileged; create does not (4)" {
	run "${NOBODY[@]}" "$GPUSCHED" vgpu list
	assert_success
	assert_output --partial "host"
	run "${NOBODY[@]}" "$GPUSCHED" vgpu create vm1
	assert_failure 4
}

@test "a policy with an unknown flag is refused (7) by gpusched and by the kernel" {
	run "$GPUSCHED" load "$BAD/bad_flags.bpf.o"
	assert_failure 7
	assert_output --partial "bits this driver does not know"
	run bpftool struct_ops register "$BAD/bad_flags.bpf.o" /sys/fs/bpf/bad_flags
	assert_failure
	rm -rf /sys/fs/bpf/bad_flags
	[ "$(cat $POL/state)" = builtin ]
}

@test "a policy with a bad name is refused (7) by gpusched and by the kernel" {
	run "$GPUSCHED" load "$BAD/bad_name.bpf.o"
	assert_failure 7
	assert_output --partial "policy name 'bad name/x' must be"
	run bpftool struct_ops register "$BAD/bad_name.bpf.o" /sys/fs/bpf/bad_name
	assert_failure
	rm -rf /sys/fs/bpf/bad_name
	[ "$(cat $POL/state)" = builtin ]
}
