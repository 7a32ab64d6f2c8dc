#!/usr/bin/env bats
# The configuration that survives a reboot: gpusched apply and dump
# (docs/config.md), each bad entry refused by its line with nothing
# changed, and what the systemd units run: the example configuration, and
# gpustat --prometheus within the exporter unit's capabilities. The driver
# is loaded once; each test leaves no vGPU and no policy behind.

load helpers

POL=/sys/module/gpucore/policy
CONF=/run/gpucore-test.conf

# A valid file; each refusal test replaces one of its lines.
BASE='# the base file
[policy fairshare]
min_slice_ns = 200us

[vgpu vm1]
weight = 200
owner = nobody
mode = 0600

[vgpu vm2]
cap = 50'

setup_file() {
	gpucore_unload || true
	gpucore_load
}

teardown_file() {
	gpucore_unload
}

setup() {
	printf '%s\n' "$BASE" > "$CONF"
}

teardown() {
	local p v
	for p in ${BG_PIDS:-}; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$GPUSCHED" unload >/dev/null 2>&1 || true
	for v in $(ls "$(gpu_sys)/vgpus"); do
		[ "$v" = host ] || vgpu_destroy "$v"
	done
	rm -f "$CONF" "$CONF.dump"
}

# bg CMD...: run in the background, killed by teardown.
bg() {
	"$@" &
	BG_PIDS="${BG_PIDS:-} $!"
}

# unchanged: no vGPU but the host tenant, no policy.
unchanged() {
	[ "$(ls "$(gpu_sys)/vgpus")" = host ]
	[ "$(cat $POL/state)" = builtin ]
}

# refused N TEXT MESSAGE [ERROR-LINE]: with line N of the base file made
# TEXT, apply fails (2) naming ERROR-LINE (default N) and changes nothing.
refused() {
	awk -v n="$1" -v t="$2" 'NR == n { print t; next } { print }' <<<"$BASE" > "$CONF"
	run "$GPUSCHED" apply "$CONF"
	assert_failure 2
	assert_output --partial "$CONF:${4:-$1}: $3"
	assert_output --partial "; nothing changed"
	unchanged
}

# channel_on VGPU: a channel held open on VGPU by 5 s jobs, until teardown.
channel_on() {
	bg "$GPULOAD" -V "$1" -c 1 -s 5s -q 1 -t 600 -Q
	local i
	for i in $(seq 300); do
		[ "$(vgpu_attr "$1" channels)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

@test "apply creates the vGPUs and loads the policy with its tunables; a second apply changes nothing" {
	run "$GPUSCHED" apply "$CONF"
	assert_success
	assert_output --partial "created vGPU vm1 on GPU 0"
	assert_output --partial "created vGPU vm2 on GPU 0"
	assert_output --partial "loaded policy fairshare"
	[ "$(vgpu_attr vm1 weight)" = 200 ]
	[ "$(vgpu_attr vm2 cap)" = 50 ]
	[ "$(cat "$(gpu_sys).vgpu$(vgpu_attr vm1 id)/owner")" = 65534 ]
	[ "$(cat "$(gpu_sys).vgpu$(vgpu_attr vm1 id)/mode")" = 0600 ]
	[ "$(cat $POL/name)" = fairshare ]
	"$GPUSCHED" dump | grep -qx 'min_slice_ns = 200us'
	local since ids
	since=$(cat $POL/attached_ns)
	ids=$(vgpu_attr vm1 id)$(vgpu_attr vm2 id)
	run "$GPUSCHED" apply "$CONF"
	assert_success
	assert_output "$CONF: nothing to change"
	[ "$(cat $POL/attached_ns)" = "$since" ]
	[ "$(vgpu_attr vm1 id)$(vgpu_attr vm2 id)" = "$ids" ]
}

@test "dump round-trips: apply of a dump changes nothing, and dump after it is the same" {
	"$GPUSCHED" apply "$CONF"
	"$GPUSCHED" dump > "$CONF.dump"
	grep -qx '\[policy fairshare\]' "$CONF.dump"
	grep -qx 'min_slice_ns = 200us' "$CONF.dump"
	grep -qx 'owner = nobody' "$CONF.dump"
	grep -qx 'cap = 50' "$CONF.dump"
	run "$GPUSCHED" apply "$CONF.dump"
	assert_success
	assert_output "$CONF.dump: nothing to change"
	run bash -c "'$GPUSCHED' dump | '$GPUSCHED' apply -"
	assert_success
	assert_output "<stdin>: nothing to change"
	run "$GPUSCHED" dump
	assert_success
	assert_output "$(cat "$CONF.dump")"
}

@test "apply sets a weight live (the vGPU and its channel stay), replaces the policy for a tunable, leaves unnamed vGPUs alone" {
	"$GPUSCHED" apply "$CONF"
	"$GPUSCHED" vgpu create extra
	channel_on vm1
	local id
	id=$(vgpu_attr vm1 id)
	sed -i -e 's/^weight = 200$/weight = 300/' "$CONF"
	run "$GPUSCHED" apply "$CONF"
	assert_success
	assert_output --partial "vGPU vm1 of GPU 0: weight 200 -> 300"
	assert_output --partial "vGPU extra of GPU 0 is not in $CONF: left alone"
	refute_output --partial policy
	[ "$(vgpu_attr vm1 weight)" = 300 ]
	[ "$(vgpu_attr vm1 id)" = "$id" ]
	[ "$(vgpu_attr vm1 channels)" = 1 ]
	[ -d "$(gpu_sys)/vgpus/extra" ]
	sed -i -e 's/^min_slice_ns = 200us$/min_slice_ns = 300us/' "$CONF"
	run "$GPUSCHED" apply "$CONF"
	assert_success
	assert_output --partial "replaced the loaded policy with policy fairshare"
	"$GPUSCHED" dump | grep -qx 'min_slice_ns = 300us'
	# a setting the file leaves out goes back to the driver's default
	sed -i -e '/^cap = 50$/d' "$CONF"
	run "$GPUSCHED" apply "$CONF"
	assert_success
	assert_line "vGPU vm2 of GPU 0: cap 50 -> 0"
}

@test "apply --prune destroys idle vGPUs the file does not name; a busy one fails it (1) with nothing changed" {
	"$GPUSCHED" vgpu create idle
	"$GPUSCHED" vgpu create busy
	channel_on busy
	run "$GPUSCHED" apply --prune "$CONF"
	assert_failure 1
	assert_output --partial "vGPU busy of GPU 0 is not in $CONF and has 1 channel open: --prune destroys idle vGPUs only"
	[ -d "$(gpu_sys)/vgpus/idle" ]
	[ ! -d "$(gpu_sys)/vgpus/vm1" ]
	[ "$(cat $POL/state)" = builtin ]
	printf '[vgpu busy]\n' >> "$CONF"
	run "$GPUSCHED" apply --prune "$CONF"
	assert_success
	assert_output --partial "destroyed vGPU idle on GPU 0"
	[ ! -d "$(gpu_sys)/vgpus/idle" ]
	[ "$(vgpu_attr busy channels)" = 1 ]
	[ -d "$(gpu_sys)/vgpus/host" ]
}

@test "apply refuses (1) a vGPU whose nodes' owner or mode differ from the file's, naming its section, and changes nothing" {
	"$GPUSCHED" vgpu create vm1 --owner nobody
	run "$GPUSCHED" apply "$CONF"
	assert_failure 1
	assert_output --partial "$CONF:5: vGPU vm1 of GPU 0 has owner 65534, group -, mode -; the file says owner 65534, group -, mode 0600"
	[ "$(vgpu_attr vm1 weight)" = 100 ]
	[ ! -d "$(gpu_sys)/vgpus/vm2" ]
	[ "$(cat $POL/state)" = builtin ]
}

@test "apply reports every error of a file at once, by line (2)" {
	printf '%s\n' "$BASE" | sed -e 3s/200us/1/ -e 6s/200/0/ -e '11s/cap/kap/' > "$CONF"
	run "$GPUSCHED" apply "$CONF"
	assert_failure 2
	assert_line --partial "$CONF:3: min_slice_ns = 1: outside"
	assert_line --partial "$CONF:6: weight = 0: a weight is 1..10000"
	assert_line --partial "$CONF:11: unknown key 'kap'"
	assert_line "$CONF: 3 errors; nothing changed"
	unchanged
}

@test "apply refuses a key a vGPU does not have, by its line" {
	refused 6 "wieght = 200" "unknown key 'wieght' in a [vgpu] section (keys: gpu, weight,"
}

@test "apply refuses a value out of range, by its line" {
	refused 6 "weight = 0" "weight = 0: a weight is 1..10000"
}

@test "apply refuses a key without a value, by its line" {
	refused 6 "weight =" "weight: no value after '='"
}

@test "apply refuses a key given twice in a section, by its line" {
	refused 9 "weight = 300" "weight is given twice in this section (first on line 6)"
}

@test "apply refuses a key before any section, by its line" {
	refused 1 "weight = 5" "weight = 5 comes before any section"
}

@test "apply refuses a line that is neither a header, a key nor a comment, by its line" {
	refused 9 "cap 50" "expected KEY = VALUE"
}

@test "apply refuses an unknown section, by its line" {
	refused 10 "[gpu 0]" "unknown section [gpu]"
}

@test "apply refuses a bad vGPU name, by its line" {
	refused 10 "[vgpu bad/name]" "bad vGPU name 'bad/name'"
}

@test "apply refuses a vGPU described twice, by the second section's line" {
	refused 10 "[vgpu vm1]" "vGPU vm1 of GPU 0 is described on line 5 already"
}

@test "apply refuses a user that does not exist, by its line" {
	refused 7 "owner = no-such-user" "owner = no-such-user: no such user"
}

@test "apply refuses an owner for the host tenant, by its line" {
	refused 5 "[vgpu host]" "owner: the host tenant's nodes are the GPU's own" 7
}

@test "apply refuses a second policy section, by its line" {
	refused 9 "[policy besteffort]" "a second [policy] section (the first is on line 2)"
}

@test "apply refuses a policy that is not in the policy directories, by its line" {
	refused 2 "[policy nosuch]" "no policy 'nosuch'"
}

@test "apply refuses a tunable the policy does not have, by its line" {
	refused 3 "min_slise_ns = 200us" "min_slise_ns: fairshare ($REPO/bpf/fairshare.bpf.o) has no tunable 'min_slise_ns'"
}

@test "apply refuses a tunable outside its range, by its line" {
	refused 3 "min_slice_ns = 1" "min_slice_ns = 1: outside 10us..10ms"
}

@test "the example configuration applies as installed (nothing to change) and with its examples uncommented" {
	run "$GPUSCHED" apply "$REPO/docs/gpucore.conf"
	assert_success
	assert_output "$REPO/docs/gpucore.conf: nothing to change"
	sed -n -e 's/^#\(\[.*\]\)$/\1/p' -e 's/^#\([a-z_]* = .*\)$/\1/p' "$REPO/docs/gpucore.conf" > "$CONF"
	run "$GPUSCHED" apply "$CONF"
	assert_success
	assert_output --partial "created vGPU ci on GPU 0"
	assert_output --partial "created vGPU desktop on GPU 0"
	assert_output --partial "loaded policy fairshare"
}

@test "gpustat --prometheus serves metrics with only the exporter unit's capabilities, and loads no BPF without them (4)" {
	local caps port=$((20000 + RANDOM % 20000)) i
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$REPO/systemd/gpustat-exporter.service.in")
	[ -n "$caps" ]
	caps=$(tr 'A-Z ' 'a-z\n' <<<"$caps" | sed 's/^cap_/+/' | paste -sd,)
	ip link set lo up
	run setpriv --bounding-set=-all --inh-caps=-all "$GPUSTAT" -b -n 1
	assert_failure 4
	bg setpriv --bounding-set="-all,$caps" --inh-caps=-all "$GPUSTAT" --prometheus "127.0.0.1:$port" -d 0.5
	# loading the BPF programs takes seconds, tens on the debug kernel
	for i in $(seq 600); do
		curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^gpucore_engine_busy_seconds_total{gpu="0"' && break
		sleep 0.2
	done
	curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^gpucore_engine_busy_seconds_total{gpu="0"'
}
