#!/usr/bin/env bats
# gpustat: JSON against a known gpuload mix and the driver's accounting,
# the Prometheus endpoint, the interactive view under tmux, record and
# replay, and each error case with its exit status.

load helpers

TMUX="tmux -L gpustat-test"

setup() {
	gpucore_reload
	# the guest's loopback starts down; the Prometheus tests need it
	ip link set lo up
	OUT=$(mktemp -d)
	PORT=$((20000 + RANDOM % 20000))
}

teardown() {
	$TMUX kill-server 2>/dev/null || true
	local p
	for p in ${BG_PIDS:-}; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$GPUSCHED" unload >/dev/null 2>&1 || true
	gpucore_unload || true
	rm -rf "$OUT"
	# the cgroups cgroup_bg made, children first (their processes are gone)
	[ -z "${CGROUP:-}" ] || find "$CGROUP" -depth -type d -exec rmdir {} + || true
}

# bg CMD...: run in the background, killed by teardown. Loads started this
# way run until then (-t 600): gpustat takes seconds to load its BPF
# programs (tens on the debug kernel), and a load of fixed length can be
# over before gpustat first looks.
bg() {
	"$@" &
	BG_PIDS="${BG_PIDS:-} $!"
}

# cgroup_bg PATH CMD...: run CMD in the background, killed by teardown, in
# the cgroup v2 /sys/fs/cgroup/gpucore-test/PATH (cgroup2 mounted there if
# the guest has not; teardown removes gpucore-test and what is under it).
cgroup_bg() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || mount -t cgroup2 cgroup2 /sys/fs/cgroup
	CGROUP=/sys/fs/cgroup/gpucore-test
	mkdir -p "$CGROUP/$1"
	local cg=$CGROUP/$1
	shift
	(echo "$BASHPID" > "$cg/cgroup.procs" && exec "$@") &
	BG_PIDS="${BG_PIDS:-} $!"
}

# three_vgpus: vm1, vm2, vm3 weighing 100, 200, 400 under fairshare.
three_vgpus() {
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=200
	vgpu_create vm3 weight=400
	"$GPUSCHED" load "$REPO/bpf/fairshare.bpf.o" > /dev/null
}

# load_mix SECONDS: gpuload flat out on each vGPU, JSON reports in $OUT.
load_mix() {
	local v
	for v in vm1 vm2 vm3; do
		"$GPULOAD" -V "$v" -i 0 -c 2 -s 500us-2ms -q 4 -t "$1" --json > "$OUT/gl-$v.json" &
	done
	wait_gpuload
}

wait_gpuload() {
	local i
	for i in $(seq 600); do
		pgrep -x gpuload > /dev/null || return 0
		sleep 0.1
	done
	return 1
}

# pane: the tmux window's text; wait_pane REGEX: until it shows REGEX.
pane() { $TMUX capture-pane -pJ; }

wait_pane() {
	local i
	for i in $(seq 150); do
		pane | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	pane
	return 1
}

# row_of REGEX: line number of the first pane line matching REGEX.
row_of() { pane | grep -nE -- "$1" | head -n 1 | cut -d: -f1; }

tui_start() {
	$TMUX new-session -d -x "${2:-100}" -y "${3:-32}" \
		"$1; echo \"exit=\$?\" > $OUT/tui.rc; sleep 30"
}

@test "gpustat --json: job counts and busy time of three vGPUs agree with sysfs and gpuload" {
	three_vgpus
	"$GPUSTAT" --json -d 1 > "$OUT/gs.json" 2> "$OUT/gs.err" &
	local gs=$!
	BG_PIDS="$gs"
	wait_file "$OUT/gs.json" 1
	load_mix 4
	local n
	n=$(wc -l < "$OUT/gs.json")
	wait_file "$OUT/gs.json" $((n + 2))
	kill "$gs"
	cat "$OUT/gs.err"
	for v in vm1 vm2 vm3; do
		local gs_jobs gs_busy sys_jobs sys_busy gl_jobs
		gs_jobs=$(last_vgpu "$OUT/gs.json" $v .jobs)
		gs_busy=$(last_vgpu "$OUT/gs.json" $v .busy_ns)
		sys_jobs=$(vgpu_attr $v jobs)
		sys_busy=$(vgpu_attr $v busy_ns)
		gl_jobs=$(jq .total.jobs "$OUT/gl-$v.json")
		echo "$v: gpustat jobs $gs_jobs busy $gs_busy; sysfs jobs $sys_jobs busy $sys_busy; gpuload jobs $gl_jobs"
		[ "$gs_jobs" -gt 0 ]
		[ "$gs_jobs" = "$sys_jobs" ]
		[ "$gs_jobs" = "$gl_jobs" ]
		within 1 "$gs_busy" "$sys_busy"
	done
}

@test "gpustat --json: each vGPU's latency percentiles match gpuload's report of the same jobs (within 10%)" {
	three_vgpus
	bg "$GPUSTAT" --json -d 1 > "$OUT/gs.json"
	wait_file "$OUT/gs.json" 1
	load_mix 3
	local n
	n=$(wc -l < "$OUT/gs.json")
	wait_file "$OUT/gs.json" $((n + 1))
	for v in vm1 vm2 vm3; do
		for p in p50 p99; do
			local gs gl
			gs=$(last_vgpu "$OUT/gs.json" $v ".total.latency_ns.$p")
			gl=$(jq ".total.latency_ns.$p" "$OUT/gl-$v.json")
			echo "$v latency $p: gpustat $gs gpuload $gl"
			within 10 "$gs" "$gl"
		done
	done
}

@test "gpustat --json: under fairshare each busy vGPU's share follows its target share" {
	skip_timing_bound
	three_vgpus
	for v in vm1 vm2 vm3; do
		bg "$GPULOAD" -V $v -i 0 -c 2 -s 500us-2ms -q 4 -t 600 -Q
	done
	sleep 1
	run "$GPUSTAT" --json -d 3 -n 2
	assert_success
	local last
	last=$(echo "$output" | tail -n 1)
	for v in vm1 vm2 vm3; do
		local w share target
		w=$(vgpu_attr $v weight)
		share=$(echo "$last" | jq ".vgpus[] | select(.name == \"$v\") | .share")
		target=$(echo "$last" | jq ".vgpus[] | select(.name == \"$v\") | .target_share")
		echo "$v weight $w share $share target $target"
		# the host tenant is idle: the target is the weight over 700
		within 1 "$target" "$(awk -v w="$w" 'BEGIN { print w / 700 }')"
		within 15 "$share" "$target"
	done
	[ "$(echo "$last" | jq -r .policy.name)" = fairshare ]
	[ "$(echo "$last" | jq -r .policy.state)" = attached ]
}

@test "gpustat --json: a channel row carries gpuload's pid, command, vGPU, queue depth and rate" {
	vgpu_create vm1
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 8 -t 600 -Q
	local pid=$!
	sleep 1
	run "$GPUSTAT" --json -d 1 -n 2
	assert_success
	local ch
	ch=$(echo "$output" | tail -n 1 | jq -c ".channels[] | select(.pid == $pid)")
	echo "$ch"
	[ "$(echo "$ch" | jq -r .comm)" = gpuload ]
	[ "$(echo "$ch" | jq -r .vgpu_name)" = vm1 ]
	[ "$(echo "$ch" | jq -r .engine_name)" = compute0 ]
	[ "$(echo "$ch" | jq .queued)" -gt 0 ]
	awk -v r="$(echo "$ch" | jq .jobs_per_s)" 'BEGIN { exit !(r > 0) }'
	awk -v u="$(echo "$ch" | jq .util)" 'BEGIN { exit !(u > 0.5) }'
}

@test "gpustat --json: a channel that comes and goes between refreshes is shown once, gone, with every job it ran; one that stays is in every report" {
	vgpu_create vm1
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 2 -t 600 -Q
	local stay=$! gs n reports i
	for i in $(seq 100); do [ "$(vgpu_attr vm1 channels)" = 1 ] && break; sleep 0.1; done
	"$GPUSTAT" --json -d 1 > "$OUT/gs.json" 2> "$OUT/gs.err" &
	gs=$!
	BG_PIDS="$BG_PIDS $gs"
	wait_file "$OUT/gs.json" 1
	"$GPULOAD" -V vm1 -i 1 -c 1 -s 100us -n 50 -Q &
	local went=$!
	wait "$went"
	n=$(wc -l < "$OUT/gs.json")
	wait_file "$OUT/gs.json" $((n + 2))
	kill "$gs"
	cat "$OUT/gs.err"
	jq -c "[.channels[] | select(.pid == $went) | {dead, jobs}]" "$OUT/gs.json"
	# gone: in one report, with the driver's last count, and in none after it
	[ "$(jq -c "select(any(.channels[]; .pid == $went and .dead))" "$OUT/gs.json" | wc -l)" = 1 ]
	[ "$(jq -r ".channels[] | select(.pid == $went and .dead) | .jobs" "$OUT/gs.json")" = 50 ]
	jq -s -e "(map(any(.channels[]; .pid == $went and .dead)) | index(true)) as \$i
		  | .[\$i + 1:] | all(all(.channels[]; .pid != $went))" "$OUT/gs.json"
	# staying: in every report, never gone
	reports=$(wc -l < "$OUT/gs.json")
	[ "$(jq -c "select(any(.channels[]; .pid == $stay and (.dead | not)))" "$OUT/gs.json" | wc -l)" = "$reports" ]
}

# mem_shown NAME: wait for a report after sysfs shows NAME's memory in use;
# prints gpustat's figure and sysfs's.
mem_shown() {
	local i n used
	for i in $(seq 100); do
		used=$(vgpu_attr "$1" mem_used)
		[ "$used" -gt 0 ] && break
		sleep 0.1
	done
	n=$(wc -l < "$OUT/gs.json")
	wait_file "$OUT/gs.json" $((n + 2))
	echo "$(last_vgpu "$OUT/gs.json" "$1" .mem_used) $used"
}

@test "gpustat --json: a vGPU destroyed and made again under the same name shows the new one's memory use" {
	vgpu_create t
	"$GPUSTAT" --json -d 0.5 > "$OUT/gs.json" 2> "$OUT/gs.err" &
	BG_PIDS="$BG_PIDS $!"
	wait_file "$OUT/gs.json" 1
	"$GPULOAD" -V t -k fill --bo-size 1M -t 600 -Q &
	local gl=$! a b
	read -r a b < <(mem_shown t)
	echo "first: gpustat $a sysfs $b"
	[ "$a" = "$b" ]
	kill "$gl"
	wait "$gl" || true
	vgpu_destroy t
	vgpu_create t
	"$GPULOAD" -V t -k fill --bo-size 4M -t 600 -Q &
	gl=$!
	BG_PIDS="$BG_PIDS $gl"
	read -r a b < <(mem_shown t)
	echo "again: gpustat $a sysfs $b"
	cat "$OUT/gs.err"
	[ "$a" = "$b" ]
	[ "$b" -ge $((4 << 20)) ]
}

# linked_progs: the names of the BPF programs attached through a link.
linked_progs() {
	local id
	for id in $(bpftool link show -j | jq '.[].prog_id'); do
		bpftool prog show id "$id" -j | jq -r .name
	done | sort
}

@test "gpustat live runs no BPF program per job: the job tracepoints have none attached, --record attaches them" {
	vgpu_create vm1
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 200us -q 4 -t 600 -Q
	bg "$GPUSTAT" --json -d 1 > "$OUT/live.json"
	local gs=$!
	wait_file "$OUT/live.json" 2
	linked_progs > "$OUT/live"
	cat "$OUT/live"
	grep -qx gs_switch_in "$OUT/live"
	! grep -qx gs_job_submit "$OUT/live"
	! grep -qx gs_job_complete "$OUT/live"
	# the jobs are counted all the same
	[ "$(last_vgpu "$OUT/live.json" vm1 .jobs)" -gt 0 ]
	kill "$gs"
	wait "$gs" || true
	bg "$GPUSTAT" --record "$OUT/rec" --json -d 1 > "$OUT/rec.json"
	wait_file "$OUT/rec.json" 1
	linked_progs > "$OUT/rec"
	grep -qx gs_job_submit "$OUT/rec"
	grep -qx gs_job_complete "$OUT/rec"
}

@test "gpustat -b: text when stdout is not a terminal, one report per refresh" {
	vgpu_create vm1 weight=300
	run "$GPUSTAT" -d 0.5 -n 2
	assert_success
	[ "$(echo "$output" | grep -c '^gpustat ')" = 2 ]
	assert_output --regexp 'compute0 +\['
	assert_output --regexp 'vm1 +0 +300 '
}

@test "gpustat --prometheus: /metrics, read at each scrape, passes promtool and carries engine, vGPU, process and histogram families" {
	three_vgpus
	bg "$GPULOAD" -V vm1 -i 0 -c 2 -s 1ms -q 4 -t 600 -Q
	local pid=$!
	# one refresh an hour: what a scrape shows, it reads then
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 3600
	local i busy1 busy2 series='gpucore_vgpu_busy_seconds_total{gpu="0",vgpu="vm1"}'
	for i in $(seq 100); do
		curl -sf "http://127.0.0.1:$PORT/metrics" -o "$OUT/m.txt" &&
			grep -q 'gpucore_vgpu_jobs_total{gpu="0",vgpu="vm1"} [1-9]' "$OUT/m.txt" && break
		sleep 0.2
	done
	busy1=$(prom_value "$OUT/m.txt" "$series")
	sleep 0.5
	curl -sf "http://127.0.0.1:$PORT/metrics" -o "$OUT/m2.txt"
	busy2=$(prom_value "$OUT/m2.txt" "$series")
	echo "vm1 busy: $busy1 s, then $busy2 s"
	awk -v a="$busy1" -v b="$busy2" 'BEGIN { exit !(a > 0 && b > a) }'
	run promtool check metrics < "$OUT/m.txt"
	echo "$output"
	assert_success
	grep -q '^# TYPE gpucore_engine_busy_seconds_total counter' "$OUT/m.txt"
	grep -q '^gpucore_engine_busy_seconds_total{gpu="0",engine="compute0"} ' "$OUT/m.txt"
	grep -q '^# TYPE gpucore_vgpu_share_ratio gauge' "$OUT/m.txt"
	grep -q '^gpucore_vgpu_share_ratio{gpu="0",vgpu="vm1"} ' "$OUT/m.txt"
	grep -q '^# TYPE gpucore_vgpu_job_latency_seconds histogram' "$OUT/m.txt"
	local inf count
	inf=$(grep '^gpucore_vgpu_job_latency_seconds_bucket{gpu="0",vgpu="vm1",le="+Inf"}' "$OUT/m.txt" | awk '{ print $2 }')
	count=$(grep '^gpucore_vgpu_job_latency_seconds_count{gpu="0",vgpu="vm1"}' "$OUT/m.txt" | awk '{ print $2 }')
	[ "$inf" -gt 0 ]
	[ "$inf" = "$count" ]
	grep -q '^gpucore_policy_info{policy="fairshare",state="attached"} 1' "$OUT/m.txt"
	# the latency buckets: each at most 1/8 of its lower bound wide, from
	# 10 us or less to 10 s or more (docs/gpustat.md)
	grep '^gpucore_vgpu_job_latency_seconds_bucket{gpu="0",vgpu="vm1",' "$OUT/m.txt" |
		sed -n 's/.*le="\([0-9.e+-]*\)"}.*/\1/p' | awk '
			NR > 1 && ($1 - last) / last > 0.1251 { print "bucket to " $1 " too wide"; bad = 1 }
			NR == 1 { first = $1 } { last = $1; n++ }
			END { print n " bounds, " first " s to " last " s"; exit bad || first > 1e-5 || last < 10 }'
	# by default a series per process, none per channel
	grep -q "^gpucore_process_busy_seconds_total{gpu=\"0\",vgpu=\"vm1\",pid=\"$pid\",comm=\"gpuload\",cgroup=\"[^\"]*\"} [0-9.]*$" "$OUT/m.txt"
	grep -q "^gpucore_process_channels{gpu=\"0\",vgpu=\"vm1\",pid=\"$pid\",.*} 2$" "$OUT/m.txt"
	assert_equal "$(grep -c 'channel="' "$OUT/m.txt")" 0
	assert_equal "$(grep -c '^gpucore_channel_' "$OUT/m.txt")" 0
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/other"
	assert_output 404
}

# prom_query EXPR [TIME]: the data of the instant query EXPR (at unix TIME,
# default now) of the Prometheus server on $PPORT.
prom_query() {
	curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" \
		${2:+--data-urlencode "time=$2"}
}

# by_vgpu: {vGPU: value} of an instant query's answer on stdin (jq).
BY_VGPU='[.data.result[] | {key: .metric.vgpu, value: (.value[1] | tonumber)}] | from_entries'

@test "a Prometheus server scraping gpustat: shares from rate() within 2% and p99 from histogram_quantile() within 10% of gpustat's" {
	local v i
	# the shipped configuration, and the rules it loads
	run promtool check config "$REPO/docs/prometheus/prometheus.yml"
	echo "$output"
	assert_success
	three_vgpus
	bg "$GPUSTAT" --json -d 0.5 --prometheus "127.0.0.1:$PORT" > "$OUT/gs.json"
	local loads=
	for v in vm1 vm2 vm3; do
		bg "$GPULOAD" -V $v -i 0 -c 2 -s 1ms -q 4 -t 600 -Q
		loads="$loads $!"
	done
	# a server scraping every second, with the shipped rules
	PPORT=$((PORT + 1))
	cat > "$OUT/prometheus.yml" <<-EOF
	global: { scrape_interval: 1s, evaluation_interval: 1s }
	rule_files: [ "$REPO/docs/prometheus/rules.yml" ]
	scrape_configs:
	  - job_name: gpustat
	    static_configs: [ { targets: [ "127.0.0.1:$PORT" ] } ]
	EOF
	bg prometheus --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/tsdb" \
		--web.listen-address="127.0.0.1:$PPORT" --log.level=warn
	# ten samples of the loads, the rules evaluated (a loaded guest may
	# miss a scrape or an evaluation)
	for i in $(seq 100); do
		[ "$(prom_query 'count_over_time(gpu_vgpu:gpucore_vgpu_share_vs_target:ratio_rate1m[30s])
				and on () count_over_time(gpucore_vgpu_busy_seconds_total{vgpu="vm1"}[30s]) >= 10' |
			jq '.data.result | length')" = 3 ] && break
		sleep 2
	done
	# the window of rate(): from its first sample to its last
	local now=$EPOCHREALTIME up off t
	t=$(prom_query 'gpucore_vgpu_busy_seconds_total{vgpu="vm1"}[10s]' "$now" |
		jq -c '.data.result[0].values | [first[0], last[0]]')
	prom_query 'rate(gpucore_vgpu_busy_seconds_total{gpu="0"}[10s])' "$now" > "$OUT/rate.json"
	prom_query '{__name__=~"gpu_vgpu:.*"}' "$now" > "$OUT/rules.json"
	# gpustat's timestamps are CLOCK_MONOTONIC, the guest's boot time (it
	# never sleeps)
	read -r up _ < /proc/uptime
	off=$(awk -v w="$EPOCHREALTIME" -v u="$up" 'BEGIN { printf "%.3f", w - u }')
	wait_json "$OUT/gs.json" ".timestamp_ns / 1e9 + $off > $(echo "$t" | jq '.[1] + 1')"
	# each vGPU's share of GPU 0's busy time over the window, from rate(),
	# and gpustat's from its refreshes nearest the window's ends (half a
	# second apart at most); and the recording rules' at the same time
	head -n "$(wc -l < "$OUT/gs.json")" "$OUT/gs.json" | jq -s -c \
		--argjson t "$t" --argjson off "$off" --slurpfile rate "$OUT/rate.json" \
		--slurpfile rules "$OUT/rules.json" '
		def share: ([.[]] | add) as $s | map_values(. / $s);
		def at($s): min_by(.timestamp_ns / 1e9 + $off - $s | fabs)
			| [.vgpus[] | select(.gpu == 0) | {key: .name, value: .busy_ns}] | from_entries;
		(at($t[0])) as $a | (at($t[1]) | with_entries(.value -= $a[.key]) | share) as $gs
		| ($rate[0] | '"$BY_VGPU"' | share) as $prom
		| ($rules[0].data.result | map(select(.metric.vgpu != "host")
			| {key: "\(.metric.__name__ | sub("gpu_vgpu:gpucore_vgpu_"; ""))/\(.metric.vgpu)",
			   value: (.value[1] | tonumber)}) | from_entries) as $rule
		| {gpustat: $gs, prometheus: $prom, rules: $rule} | debug
		| ["vm1", "vm2", "vm3"] | all($gs[.] > 0.05 and ($prom[.] - $gs[.] | fabs) <= 0.02
			and $rule["share:ratio_rate1m/" + .] > 0
			and $rule["share_vs_target:ratio_rate1m/" + .] > 0
			and $rule["job_latency_seconds:p99_rate5m/" + .] > 0)' | grep -qx true
	# p99: the loads stopped, the histograms stay; once a scrape has the
	# jobs gpustat last showed, the two read the same histograms
	kill $loads
	wait_gpuload
	local last count
	for i in $(seq 60); do
		sleep 1
		last=$(tail -n 2 "$OUT/gs.json" | head -n 1)
		count=$(echo "$last" | jq -c '[.vgpus[] | {key: .name, value: .total.latency_ns.count}] | from_entries')
		[ "$(prom_query 'gpucore_vgpu_job_latency_seconds_count' | jq -c "$BY_VGPU")" = "$count" ] && break
	done
	prom_query 'histogram_quantile(0.99, label_replace(
		{__name__=~"gpucore_vgpu_job_(latency|wait)_seconds_bucket", vgpu=~"vm."},
		"what", "$1", "__name__", "gpucore_vgpu_job_(.*)_seconds_bucket"))' > "$OUT/p99.json"
	echo "$last" | jq -c --slurpfile p "$OUT/p99.json" '
		($p[0].data.result | map({key: "\(.metric.vgpu) \(.metric.what)", value: (.value[1] | tonumber)})
			| from_entries) as $prom
		| [.vgpus[] | select(.name != "host") | .name as $v | .total
			| {key: "\($v) latency", value: (.latency_ns.p99 / 1e9)},
			  {key: "\($v) wait", value: (.wait_ns.p99 / 1e9)}] | from_entries
		| {jobs: '"$count"', prometheus: $prom, gpustat: .} | debug | .gpustat
		| keys == ($prom | keys) and (to_entries | all(.value > 0 and ($prom[.key] / .value - 1 | fabs) <= 0.1))' |
		grep -qx true
}

# wait_vgpu FILE NAME JQ VALUE: until JQ on vGPU NAME of FILE's last object
# gives VALUE (30 s at most; a line being written is retried).
wait_vgpu() {
	local i
	for i in $(seq 150); do
		[ "$(last_vgpu "$1" "$2" "$3" 2>/dev/null)" = "$4" ] && return 0
		sleep 0.2
	done
	echo "vGPU $2: $3 is '$(last_vgpu "$1" "$2" "$3")', not '$4'"
	return 1
}

@test "gpustat: each vGPU's channels against its limit, followed live (JSON, text, Prometheus)" {
	vgpu_create vm1 channels=8 jobs=500
	bg "$GPULOAD" -V vm1 -c 2 -s 1ms -q 2 -t 600 -Q
	bg "$GPUSTAT" --json -d 0.5 > "$OUT/gs.json" 2> "$OUT/gs.err"
	wait_vgpu "$OUT/gs.json" vm1 '[.channels, .max_channels, .max_jobs] | tostring' '[2,8,500]'
	wait_vgpu "$OUT/gs.json" host '[.max_channels, .max_jobs] | tostring' '[256,16384]'
	echo 6 > "$(gpu_sys 0)/vgpus/vm1/max_channels"
	wait_vgpu "$OUT/gs.json" vm1 .max_channels 6
	run "$GPUSTAT" -b -n 2 -d 0.5
	assert_success
	assert_output --partial "CHAN/MAX"
	assert_output --regexp 'vm1 +0 +100 .* 2/6 '
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5
	local i
	for i in $(seq 100); do
		curl -sf "http://127.0.0.1:$PORT/metrics" -o "$OUT/m.txt" &&
			grep -q '^gpucore_vgpu_channels{gpu="0",vgpu="vm1"} 2$' "$OUT/m.txt" && break
		sleep 0.2
	done
	grep -q '^gpucore_vgpu_channels{gpu="0",vgpu="vm1"} 2$' "$OUT/m.txt"
	grep -q '^gpucore_vgpu_channels_limit{gpu="0",vgpu="vm1"} 6$' "$OUT/m.txt"
	grep -q '^gpucore_vgpu_queued_jobs_limit{gpu="0",vgpu="vm1"} 500$' "$OUT/m.txt"
	run promtool check metrics < "$OUT/m.txt"
	assert_success
}

# engine_attr N FILE: engine N's field of GPU 0's per-engine sysfs FILE.
engine_attr() {
	local v
	read -r -a v < "$(gpu_sys 0)/$2"
	echo "${v[$1]}"
}

# engines_jq LINE JQ: JQ over GPU 0's engines of the JSON object LINE,
# space separated in engine order (as the sysfs per-engine files).
engines_jq() {
	echo "$1" | jq -r "[.gpus[0].engines[] | $2 | tostring] | join(\" \")"
}

# wait_json FILE JQ: until JQ is true of FILE's last object (60 s at most;
# a line being written is retried); the object is left in $LINE.
wait_json() {
	local i
	for i in $(seq 300); do
		LINE=$(tail -n 1 "$1")
		[ "$(echo "$LINE" | jq "$2" 2>/dev/null)" = true ] && return 0
		sleep 0.2
	done
	echo "never true: $2; last: $LINE"
	return 1
}

# prom_value FILE SERIES: the value of the series (name and labels) in FILE.
prom_value() {
	grep -F "$2 " "$1" | awk '{ print $2 }'
}

# scrape_until REGEX: fetch $PORT's /metrics into $OUT/m.txt until a line
# matches (30 s at most; the caller's assertions then say what is wrong).
scrape_until() {
	local i
	for i in $(seq 150); do
		curl -sf "http://127.0.0.1:$PORT/metrics" -o "$OUT/m.txt" &&
			grep -q -- "$1" "$OUT/m.txt" && return 0
		sleep 0.2
	done
	return 0
}

@test "gpustat on two GPUs: each GPU's busy vGPUs share its time by weight (JSON, Prometheus, text)" {
	gpucore_reload num_gpus=2
	vgpu_create vm1 weight=100
	vgpu_create vm2 weight=300
	GPU=1 vgpu_create vm3 weight=200
	bg "$GPULOAD" -V vm1 -c 1 -s 1ms -q 4 -t 600 -Q
	bg "$GPULOAD" -V vm2 -c 1 -s 1ms -q 4 -t 600 -Q
	bg "$GPULOAD" -g 1 -V vm3 -c 1 -s 1ms -q 4 -t 600 -Q
	bg "$GPUSTAT" --json -d 0.5 > "$OUT/gs.json"
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5
	# vm1 and vm2 split GPU 0 1:3, vm3 has GPU 1 alone, the hosts are idle
	wait_json "$OUT/gs.json" '[.vgpus[] | "\(.gpu) \(.name) \(.target_share)"] | sort ==
		["0 host 0", "0 vm1 0.25", "0 vm2 0.75", "1 host 0", "1 vm3 1"]'
	scrape_until '^gpucore_vgpu_target_share_ratio{gpu="0",vgpu="vm1"} 0.25$'
	grep '^gpucore_vgpu_target_share_ratio' "$OUT/m.txt"
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_target_share_ratio{gpu="0",vgpu="vm1"}')" = 0.25 ]
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_target_share_ratio{gpu="0",vgpu="vm2"}')" = 0.75 ]
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_target_share_ratio{gpu="1",vgpu="vm3"}')" = 1 ]
	[ "$(grep -c '^gpucore_vgpu_target_share_ratio{gpu="[01]",vgpu="host"} 0$' "$OUT/m.txt")" = 2 ]
	run "$GPUSTAT" -b -d 0.5 -n 1 -o vgpu=gpu,name,target_share
	assert_success
	echo "$output" | grep -qE '^ *0 +vm1 +25\.0% *$'
	echo "$output" | grep -qE '^ *0 +vm2 +75\.0% *$'
	echo "$output" | grep -qE '^ *1 +vm3 +100\.0% *$'
	refute_output --partial '-100.0%'
}

@test "gpustat: context switch overhead of two channels on one engine, none on the idle ones (JSON, text, Prometheus)" {
	echo 200 > "$(gpu_sys 0)/switch_cost_us"
	bg "$GPULOAD" -i 0 -c 2 -s 1ms -q 4 -t 600 -Q
	local gl=$!
	bg "$GPUSTAT" --json -d 0.5 > "$OUT/gs.json" 2> "$OUT/gs.err"
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5
	# a refresh in which compute0 spent time switching between the two
	wait_json "$OUT/gs.json" '.gpus[0].engines[0] | .name == "compute0" and .switch_util > 0 and .util > 0'
	echo "$LINE" | jq -c '.gpus[0].engines[] | {name, util, switch_util, switch_ns, resets}'
	echo "$LINE" | jq -e '.gpus[0].engines[0] | .switch_ns > 0 and .switch_util <= 1 and .resets == 0'
	# compute1 and copy0 ran nothing: no switch, no overhead
	[ "$(engines_jq "$LINE" '.name')" = "$(cat "$(gpu_sys 0)/engines")" ]
	echo "$LINE" | jq -e '[.gpus[0].engines[1:][] | .switch_ns == 0 and .switch_util == 0 and .resets == 0] | all'
	# ... not even in the text report, where compute0 switches in every
	# interval (the load keeps both channels busy)
	run "$GPUSTAT" -b -d 0.5 -n 3
	assert_success
	echo "$output" | grep -E '^  compute'
	[ "$(echo "$output" | grep -cE '^  compute0 +\[\|* *\] +[0-9.]+%  queued [0-9]+  sw [0-9]+\.[0-9]%  resets 0  preemptions [0-9]+$')" = 3 ]
	echo "$output" | grep -qE '^  compute0 .* sw ([1-9][0-9]*\.[0-9]|0\.[1-9])%  resets 0 '
	[ "$(echo "$output" | grep -cE '^  compute1 +\[ +\] +0\.0%  queued 0  sw 0\.0%  resets 0 ')" = 3 ]
	[ "$(echo "$output" | grep -cE '^  copy0 +\[ +\] +0\.0%  queued 0  sw 0\.0%  resets 0 ')" = 3 ]
	# Prometheus: the same counters, with HELP and TYPE
	local i c0='{gpu="0",engine="compute0"}' c1='{gpu="0",engine="compute1"}'
	for i in $(seq 150); do
		curl -sf "http://127.0.0.1:$PORT/metrics" -o "$OUT/m.txt" &&
			awk -v v="$(prom_value "$OUT/m.txt" "gpucore_engine_switch_seconds_total$c0")" \
				'BEGIN { exit !(v > 0) }' && break
		sleep 0.2
	done
	grep -E 'switch|resets' "$OUT/m.txt"
	grep -q '^# HELP gpucore_engine_switch_seconds_total ' "$OUT/m.txt"
	grep -q '^# TYPE gpucore_engine_switch_seconds_total counter$' "$OUT/m.txt"
	grep -q '^# TYPE gpucore_engine_switch_ratio gauge$' "$OUT/m.txt"
	grep -q '^# TYPE gpucore_engine_resets_total counter$' "$OUT/m.txt"
	awk -v v="$(prom_value "$OUT/m.txt" "gpucore_engine_switch_seconds_total$c0")" 'BEGIN { exit !(v > 0) }'
	[ "$(prom_value "$OUT/m.txt" "gpucore_engine_switch_seconds_total$c1")" = 0.000000000 ]
	[ "$(prom_value "$OUT/m.txt" "gpucore_engine_switch_ratio$c1")" = 0 ]
	[ "$(prom_value "$OUT/m.txt" "gpucore_engine_resets_total$c0")" = 0 ]
	run promtool check metrics < "$OUT/m.txt"
	assert_success
	# The load stopped, the driver's total stays: gpustat shows it as is,
	# and no overhead in the interval.
	kill "$gl"
	wait "$gl" 2>/dev/null || true
	local sys prev=
	for i in $(seq 50); do
		sys=$(cat "$(gpu_sys 0)/engine_switch_ns")
		[ "$sys" = "$prev" ] && break
		prev=$sys
		sleep 0.2
	done
	run "$GPUSTAT" --json -d 0.5 -n 2
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	echo "sysfs $sys; gpustat $(engines_jq "$LINE" .switch_ns)"
	[ "$(engines_jq "$LINE" .switch_ns)" = "$sys" ]
	echo "$LINE" | jq -e '[.gpus[0].engines[].switch_util == 0] | all'
}

@test "gpustat: resets of each engine and vGPU are the driver's (JSON, text, Prometheus)" {
	vgpu_create vm1
	echo 200 > "$(gpu_sys 0)/job_timeout_ms"
	run "$GPUSTAT" --json -d 0.5 -n 1
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	echo "$LINE" | jq -c '.gpus[0].engines[] | {name, switch_ns, switch_util, resets}'
	echo "$LINE" | jq -c '.vgpus[] | {name, resets}'
	# every engine and vGPU carries them, as whole numbers
	echo "$LINE" | jq -e '[.gpus[].engines[] | (.resets, .switch_ns) | type == "number" and . == floor and . >= 0] | all'
	echo "$LINE" | jq -e '[.gpus[].engines[] | .switch_util | type == "number" and . >= 0 and . <= 1] | all'
	echo "$LINE" | jq -e '[.vgpus[] | .resets | type == "number" and . == floor] | all'
	# as sysfs has them: nothing hung yet
	[ "$(engines_jq "$LINE" .resets)" = "$(cat "$(gpu_sys 0)/engine_resets")" ]
	[ "$(engines_jq "$LINE" .resets)" = "0 0 0" ]
	[ "$(last_vgpu <(echo "$LINE") vm1 .resets)" = "$(vgpu_attr vm1 resets)" ]
	[ "$(last_vgpu <(echo "$LINE") vm1 .resets)" = 0 ]
	[ "$(last_vgpu <(echo "$LINE") host .resets)" = 0 ]
	run "$GPUSTAT" -b -d 0.5 -n 1
	assert_success
	echo "$output" | grep -qE '^  compute0 .*  sw 0\.0%  resets 0  '
	echo "$output" | grep -qE '^VGPU +GPU .* CHAN/MAX RST JOBS/S +P99$'
	echo "$output" | grep -qE '^vm1 +0 +100 .* 0/[0-9]+ +0 +0\.0 +- *$'
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5
	scrape_until '^gpucore_vgpu_resets_total{gpu="0",vgpu="vm1"} '
	grep -q '^# HELP gpucore_vgpu_resets_total ' "$OUT/m.txt"
	grep -q '^# TYPE gpucore_vgpu_resets_total counter$' "$OUT/m.txt"
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_resets_total{gpu="0",vgpu="vm1"}')" = 0 ]
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_resets_total{gpu="0",vgpu="host"}')" = 0 ]
	[ "$(grep -c '^gpucore_engine_resets_total{gpu="0",engine="[a-z0-9]*"} 0$' "$OUT/m.txt")" = 3 ]
	run promtool check metrics < "$OUT/m.txt"
	assert_success
}

# selftests/progs/hangjob: a channel whose job hangs (a SPIN with
# GPUCORE_CMD_NOPREEMPT|GPUCORE_CMD_HANG) until the job timeout stops it.
@test "gpustat: a job stopped as hung shows live as a reset of its engine and vGPU (hangjob)" {
	vgpu_create vm1
	vgpu_create vm2
	echo 200 > "$(gpu_sys 0)/job_timeout_ms"
	bg "$GPUSTAT" --json -d 0.5 > "$OUT/gs.json" 2> "$OUT/gs.err"
	wait_file "$OUT/gs.json" 1
	run "$HANGJOB" -V vm1 -t 120
	echo "$output"
	assert_success
	[ "$(vgpu_attr vm1 resets)" = 1 ]
	wait_vgpu "$OUT/gs.json" vm1 .resets 1
	wait_json "$OUT/gs.json" '[.gpus[0].engines[].resets] | add == 1'
	[ "$(engines_jq "$LINE" .resets)" = "$(cat "$(gpu_sys 0)/engine_resets")" ]
	[ "$(last_vgpu <(echo "$LINE") vm2 .resets)" = 0 ]
	[ "$(last_vgpu <(echo "$LINE") host .resets)" = 0 ]
	run "$GPUSTAT" -b -d 0.5 -n 1
	assert_success
	echo "$output" | grep -qE '^  compute[0-9] .*  resets 1  '
	echo "$output" | grep -qE '^vm1 +0 +100 .* 0/[0-9]+ +1 +[0-9.]+ '
	echo "$output" | grep -qE '^vm2 +0 +100 .* 0/[0-9]+ +0 +[0-9.]+ '
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5
	scrape_until '^gpucore_vgpu_resets_total{gpu="0",vgpu="vm1"} '
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_resets_total{gpu="0",vgpu="vm1"}')" = 1 ]
	[ "$(prom_value "$OUT/m.txt" 'gpucore_vgpu_resets_total{gpu="0",vgpu="vm2"}')" = 0 ]
	[ "$(grep '^gpucore_engine_resets_total{gpu="0",' "$OUT/m.txt" | awk '{ s += $2 } END { print s }')" = 1 ]
}

# fields OBJECT: OBJECT's rows of the field reference (gpustat
# --list-fields), tab separated: field, 1 if in JSON, metric (empty: none),
# its type (counter, gauge, histogram, summary; info: a label of that
# metric) and its text headers or labels, "|" separated.
fields() {
	"$GPUSTAT" --list-fields | awk -v obj="$1" '
		/^### / { cur = substr($0, 5); next }
		cur != obj || !/^\| `/ { next }
		{
			split($0, c, / \| /)
			name = c[1]; sub(/^\| `/, "", name)
			json = name !~ /not in JSON/; sub(/`.*/, "", name)
			metric = ""; type = ""
			if (c[3] ~ /^`[a-z_]+` [a-z]+$/) {
				metric = c[3]; type = c[3]
				sub(/^`/, "", metric); sub(/`.*/, "", metric); sub(/.* /, "", type)
			} else if (c[3] ~ / of `[a-z_]+`$/) {
				metric = c[3]; sub(/.* of `/, "", metric); sub(/`$/, "", metric)
				type = "info"
			}
			heads = c[4]; gsub(/^`|`$/, "", heads); gsub(/`, `/, "|", heads)
			printf "%s\t%d\t%s\t%s\t%s\n", name, json, metric, type, heads
		}'
}

# json_fields OBJECT: the JSON keys of OBJECT's fields, sorted.
json_fields() { fields "$1" | awk -F'\t' '$2 == 1 { print $1 }' | sort; }

# json_keys: the keys of the JSON object on stdin, sorted; "a.b" for b in
# a nested object, a percentile set (PCT) one key.
json_keys() {
	jq -r 'def k: to_entries[] | if (.value | type) == "object" and (.value | has("p99") | not)
		then .key as $p | (.value | k | "\($p).\(.)") else .key end; k' | sort
}

# prom_missing OBJECT LABELS: the metrics of OBJECT's fields without a
# series labelled exactly LABELS (a regex, "" for none) in $OUT/m.txt.
prom_missing() {
	local name json metric type heads
	while IFS=$'\t' read -r name json metric type heads; do
		case $type in
		"") continue ;;
		histogram | summary) metric=${metric}_count ;;
		info) grep -qE "^$metric\{[^}]+\} 1$" "$OUT/m.txt" || echo "$metric"; continue ;;
		esac
		grep -qE "^$metric$2 " "$OUT/m.txt" || echo "$metric"
	done < <(fields "$1")
}

@test "gpustat --list-fields: the tables are consistent and docs/gpustat.md's field reference is their output" {
	run "$GPUSTAT" --list-fields
	assert_success
	assert_output --partial '### channel'
	run "$REPO/scripts/gpustat-fields.sh" --check
	assert_success
}

@test "gpustat: every field of the tables is in JSON and in Prometheus, for a live engine, vGPU and channel" {
	vgpu_create vm1
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 4 -t 600 -Q
	local pid=$! o
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" --prometheus-channels -d 0.5
	sleep 1
	run "$GPUSTAT" --json -d 0.5 -n 2
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	# exactly the fields the tables put in JSON, no other key
	assert_equal "$(echo "$LINE" | jq 'del(.version, .gpus, .vgpus, .channels, .processes, .cgroups)' | json_keys)" \
		"$(json_fields gpustat)"
	assert_equal "$(echo "$LINE" | jq '.gpus[0].engines[0]' | json_keys)" "$(json_fields engine)"
	assert_equal "$(echo "$LINE" | jq '.vgpus[] | select(.name == "vm1")' | json_keys)" \
		"$(json_fields vgpu)"
	assert_equal "$(echo "$LINE" | jq ".channels[] | select(.pid == $pid)" | json_keys)" \
		"$(json_fields channel)"
	assert_equal "$(echo "$LINE" | jq '.cgroups[0]' | json_keys)" "$(json_fields cgroup)"
	assert_equal "$(echo "$LINE" | jq ".processes[] | select(.pid == $pid)" | json_keys)" \
		"$(json_fields process)"
	# a series of each metric for the refresh, compute0, vm1, the process
	# and (--prometheus-channels) the channel
	scrape_until "^gpucore_channel_jobs_total{.*pid=\"$pid\""
	assert_equal "$(prom_missing gpustat '')" ""
	assert_equal "$(prom_missing engine '\{gpu="0",engine="compute0"\}')" ""
	assert_equal "$(prom_missing vgpu '\{gpu="0",vgpu="vm1"\}')" ""
	assert_equal "$(prom_missing channel "\{gpu=\"0\",vgpu=\"vm1\",channel=\"[0-9]+\",engine=\"compute0\",pid=\"$pid\",comm=\"gpuload\",cgroup=\"[^\"]*\"\}")" ""
	assert_equal "$(prom_missing process "\{gpu=\"0\",vgpu=\"vm1\",pid=\"$pid\",comm=\"gpuload\",cgroup=\"[^\"]*\"\}")" ""
	# and no family the tables do not have, each of its type
	assert_equal "$(awk '/^# TYPE / { print $3, $4 }' "$OUT/m.txt" | sort)" \
		"$(for o in gpustat engine vgpu channel process cgroup; do fields $o; done |
			awk -F'\t' '$3 != "" { print $3, ($4 == "info" ? "gauge" : $4) }' | sort -u)"
	run promtool check metrics < "$OUT/m.txt"
	assert_success
}

@test "gpustat: a channel's cgroup, a row per cgroup with its channels' time, --filter cgroup= (JSON, text, Prometheus)" {
	vgpu_create vm1
	cgroup_bg ci "$GPULOAD" -V vm1 -i 0 -c 2 -s 1ms -q 2 -t 600 -Q
	local pin=$! pout in=/gpucore-test/ci out
	bg "$GPULOAD" -V vm1 -i 1 -c 1 -s 1ms -q 2 -t 600 -Q
	pout=$!
	out=$(sed -n 's/^0:://p' "/proc/$pout/cgroup")
	[ "$out" != "$in" ]
	sleep 1
	# the text and filtered views from a replay of this (no BPF to load)
	run "$GPUSTAT" --json -d 0.5 -n 2 --record "$OUT/rec"
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	assert_equal "$(echo "$LINE" | jq -c "[.channels[] | select(.pid == $pin) | .cgroup] | unique")" "[\"$in\"]"
	assert_equal "$(echo "$LINE" | jq -c "[.channels[] | select(.pid == $pout) | .cgroup] | unique")" "[\"$out\"]"
	# a row per cgroup: its open channels, and their busy time summed
	local cg
	for cg in "$in" "$out"; do
		local row busy
		row=$(echo "$LINE" | jq -c ".cgroups[] | select(.cgroup == \"$cg\")")
		echo "$cg: $row"
		busy=$(echo "$row" | jq .busy_ns)
		[ "$busy" -gt 0 ]
		assert_equal "$busy" "$(echo "$LINE" | jq "[.channels[] | select(.cgroup == \"$cg\") | .busy_ns] | add")"
		awk -v u="$(echo "$row" | jq .util)" 'BEGIN { exit !(u > 0) }'
	done
	assert_equal "$(echo "$LINE" | jq ".cgroups[] | select(.cgroup == \"$in\") | .channels")" 2
	# --filter cgroup=: a cgroup and those under it; its vGPU, not the other process
	run "$GPUSTAT" --replay "$OUT/rec" --json -f cgroup=/gpucore-test
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	assert_equal "$(echo "$LINE" | jq -c '[.channels[].pid] | unique')" "[$pin]"
	assert_equal "$(echo "$LINE" | jq -c '[.cgroups[].cgroup]')" "[\"$in\"]"
	assert_equal "$(echo "$LINE" | jq -c '[.vgpus[].name]')" '["vm1"]'
	# text: --group-by cgroup has a row per cgroup; a glob filters channels
	run "$GPUSTAT" --replay "$OUT/rec" -b -g cgroup
	assert_success
	assert_output --regexp $'\n''CHAN +QUEUE +UTIL +BUSY +JOBS/S +JOBS +CGROUP'$'\n'
	# (run drops the output's last newline)
	assert_output --regexp $'\n'" +2 +[0-9]+ +[0-9.]+% .* $in($|"$'\n'")"
	assert_output --regexp $'\n'" +1 +[0-9]+ +[0-9.]+% .* $out($|"$'\n'")"
	# --group-by process: a row per process and vGPU, its channels summed
	run "$GPUSTAT" --replay "$OUT/rec" -b -g process -o process=pid,channels,cgroup
	assert_success
	assert_output --regexp $'\n'' *PID +CHAN +CGROUP'$'\n'
	assert_output --regexp $'\n'" *$pin +2 $in($|"$'\n'")"
	assert_output --regexp $'\n'" *$pout +1 $out($|"$'\n'")"
	run "$GPUSTAT" --replay "$OUT/rec" -b -f 'cgroup=/gpucore-*' -o channel=pid,cgroup
	assert_success
	assert_output --regexp $'\n'" *$pin $in($|"$'\n'")"
	refute_output --partial " $pout "
	# Prometheus: the process series carry the cgroup label; the filter holds
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5 -f "cgroup=$in"
	scrape_until "^gpucore_process_jobs_total{.*pid=\"$pin\""
	grep -q "^gpucore_process_busy_seconds_total{.*pid=\"$pin\",comm=\"gpuload\",cgroup=\"$in\"} " "$OUT/m.txt"
	grep -q "^gpucore_process_channels{.*pid=\"$pin\",comm=\"gpuload\",cgroup=\"$in\"} 2$" "$OUT/m.txt"
	assert_equal "$(grep -c "pid=\"$pout\"" "$OUT/m.txt")" 0
}

# all_cells OBJECT: a regex of a line with every OBJECT field's cell.
all_cells() { fields "$1" | awk -F'\t' '{ printf "  %s [^ ]+", $5 }'; }
# all_headers OBJECT: a regex of a table header of every OBJECT field.
all_headers() { fields "$1" | awk -F'\t' '{ gsub(/\|/, " +", $5); printf "%s%s", (NR > 1 ? " +" : ""), $5 }'; }

@test "gpustat -o all: the text report shows every field of each table, in order; -o is refused with no text view" {
	vgpu_create vm1
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 4 -t 600 -Q
	sleep 1
	run "$GPUSTAT" -b -d 0.5 -n 1 -o gpustat=all -o engine=all -o vgpu=all -o channel=all
	assert_success
	assert_output --regexp "^gpustat$(all_cells gpustat)"$'\n'
	assert_output --regexp $'\n'"  compute0 +\[[| ]*\] +[0-9.]+%$(all_cells engine)"$'\n'
	assert_output --regexp $'\n'"$(all_headers vgpu)"$'\n'
	assert_output --regexp $'\n'" *0 +[0-9]+ vm1 "
	assert_output --regexp $'\n'" *$(all_headers channel)"$'\n'
	assert_output --regexp $'\n'" *0 +[0-9]+ vm1 +[0-9]+ +[0-9]+ compute0 +[0-9]+ gpuload "
	# "+" adds to the default columns
	run "$GPUSTAT" -b -d 0.5 -n 1 -o vgpu=+failed,total.latency_ns.p99
	assert_success
	assert_output --regexp $'\n''VGPU +GPU +WEIGHT .* JOBS/S +P99 +FAILED +TOTAL P99'$'\n'
	# the text report works out the percentiles its columns show, no more
	run "$GPUSTAT" -b -d 0.5 -n 1 -o channel=comm,total.wait_ns.p99,latency_ns.p50
	assert_success
	assert_output --regexp $'\n''gpuload +[0-9.]+[mun]?s +[0-9.]+[mun]?s *($|'$'\n'')'
	run "$GPUSTAT" -b -n 1 -o vgpu=nosuch
	assert_failure 2
	assert_output --partial "no vgpu field 'nosuch'"
	run "$GPUSTAT" --json -n 1 -o vgpu=name
	assert_failure 2
	assert_output --partial "--json and --prometheus carry every field"
}

@test "gpustat --filter: JSON, Prometheus and text keep the vGPU (or pid) and its channels, engines whole" {
	vgpu_create vm1
	vgpu_create vm2
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 2 -t 600 -Q
	local p1=$!
	bg "$GPULOAD" -V vm2 -i 1 -c 1 -s 1ms -q 2 -t 600 -Q
	local p2=$!
	sleep 1
	# the filtered JSON and text from replays of this (the same filter code)
	run "$GPUSTAT" --json -d 0.5 -n 2 --record "$OUT/rec"
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	assert_equal "$(echo "$LINE" | jq -c '[.vgpus[].name] | sort')" '["host","vm1","vm2"]'
	assert_equal "$(echo "$LINE" | jq -c '[.channels[].pid] | unique')" "$(echo "[$p1,$p2]" | jq -c sort)"
	# by vGPU name
	run "$GPUSTAT" --replay "$OUT/rec" --json -f vm1
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	assert_equal "$(echo "$LINE" | jq -c '[.vgpus[].name]')" '["vm1"]'
	assert_equal "$(echo "$LINE" | jq -c '[.channels[] | [.vgpu_name, .pid]] | unique')" "[[\"vm1\",$p1]]"
	assert_equal "$(engines_jq "$LINE" .name)" "$(cat "$(gpu_sys 0)/engines")"
	assert_equal "$(echo "$LINE" | jq -r .policy.name)" builtin
	# by pid: that process's channels and their vGPU
	run "$GPUSTAT" --replay "$OUT/rec" --json -f "$p2"
	assert_success
	LINE=$(echo "$output" | tail -n 1)
	assert_equal "$(echo "$LINE" | jq -c '[.vgpus[].name]')" '["vm2"]'
	assert_equal "$(echo "$LINE" | jq -c '[.channels[].pid] | unique')" "[$p2]"
	# Prometheus: vm1's series, none of another vGPU or process
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" --prometheus-channels -d 0.5 -f vm1
	scrape_until "^gpucore_channel_jobs_total{.*pid=\"$p1\""
	grep -q '^gpucore_vgpu_jobs_total{gpu="0",vgpu="vm1"} ' "$OUT/m.txt"
	grep -q "^gpucore_channel_jobs_total{gpu=\"0\",vgpu=\"vm1\",.*pid=\"$p1\"" "$OUT/m.txt"
	grep -q "^gpucore_process_jobs_total{gpu=\"0\",vgpu=\"vm1\",pid=\"$p1\"" "$OUT/m.txt"
	grep -q '^gpucore_vgpu_job_latency_seconds_count{gpu="0",vgpu="vm1"} ' "$OUT/m.txt"
	assert_equal "$(grep -cE 'vgpu="(vm2|host)"' "$OUT/m.txt")" 0
	assert_equal "$(grep -c "pid=\"$p2\"" "$OUT/m.txt")" 0
	assert_equal "$(grep -c '^gpucore_engine_busy_seconds_total{gpu="0",engine=' "$OUT/m.txt")" 3
	run promtool check metrics < "$OUT/m.txt"
	assert_success
	# text
	run "$GPUSTAT" --replay "$OUT/rec" -b -f vm1
	assert_success
	assert_output --regexp $'\n''vm1 +0 '
	assert_output --regexp $'\n'" *$p1 gpuload +vm1 "
	refute_output --regexp $'\n''(vm2|host) '
	refute_output --partial " $p2 gpuload"
}

@test "interactive view (tmux): engine bars, the vGPU and channel tables and a vGPU row" {
	vgpu_create vm1 weight=250
	bg "$GPULOAD" -V vm1 -i 0 -c 1 -s 1ms -q 4 -t 600 -Q
	tui_start "$GPUSTAT -d 0.5"
	wait_pane 'vm1 +0 +250 '
	run pane
	echo "$output"
	assert_output --regexp 'compute0 +\[\|+'
	# queue, switching's part of the interval, resets
	assert_output --regexp 'compute0 +\[\|+ *\] +[0-9.]+% q[0-9]+ +sw +[0-9]+\.[0-9]% rst 0 '
	assert_output --regexp 'CHAN/MAX RST JOBS/S'
	assert_output --partial 'WEIGHT'
	assert_output --partial 'TARGET'
	assert_output --regexp 'PID +COMM +VGPU'
	assert_output --regexp '[0-9]+ gpuload +vm1 '
	assert_output --partial 'policy builtin'
}

@test "interactive view: '<' and '>' change the sort column and 'r' reverses it" {
	vgpu_create vm1 weight=100
	vgpu_create vm3 weight=300
	tui_start "$GPUSTAT -d 0.5"
	wait_pane 'sort SHARE v'
	# two columns left of SHARE: WEIGHT, largest first
	$TMUX send-keys '<' '<'
	wait_pane 'sort WEIGHT v'
	sleep 0.5
	[ "$(row_of '^vm3 ')" -lt "$(row_of '^vm1 ')" ]
	$TMUX send-keys r
	wait_pane 'sort WEIGHT \^'
	sleep 0.5
	[ "$(row_of '^vm1 ')" -lt "$(row_of '^vm3 ')" ]
	$TMUX send-keys '>'
	wait_pane 'sort TARGET \^'
}

@test "interactive view: -o picks the tables' columns and the sort keys walk them" {
	vgpu_create vm1 weight=100
	vgpu_create vm3 weight=300
	tui_start "$GPUSTAT -d 0.5 -o vgpu=name,weight,failed -o channel=id,comm"
	wait_pane 'VGPU +WEIGHT +FAILED'
	pane | grep -qE 'CHAN +COMM'
	# SHARE, the first sort, is not shown: the first column, ascending
	wait_pane 'sort VGPU \^'
	$TMUX send-keys '>'
	wait_pane 'sort WEIGHT \^'
	sleep 0.5
	[ "$(row_of '^vm1 ')" -lt "$(row_of '^vm3 ')" ]
	$TMUX send-keys r
	wait_pane 'sort WEIGHT v'
	sleep 0.5
	[ "$(row_of '^vm3 ')" -lt "$(row_of '^vm1 ')" ]
}

@test "interactive view: 'f' filters the tables to one vGPU" {
	vgpu_create vm1
	vgpu_create vm2
	tui_start "$GPUSTAT -d 0.5"
	wait_pane '^vm2 '
	pane | grep -q '^vm1 '
	$TMUX send-keys f
	wait_pane 'filter \('
	$TMUX send-keys vm2 Enter
	wait_pane 'filter: vm2'
	sleep 0.5
	run pane
	assert_output --regexp $'\nvm2 '
	refute_output --regexp $'\nvm1 '
}

@test "interactive view: 'q' quits with status 0" {
	tui_start "$GPUSTAT -d 0.5"
	wait_pane 'VGPU'
	$TMUX send-keys q
	local i
	for i in $(seq 50); do [ -e "$OUT/tui.rc" ] && break; sleep 0.1; done
	[ "$(cat "$OUT/tui.rc")" = exit=0 ]
}

@test "--record then --replay: the replay shows the same refreshes, with the same totals" {
	three_vgpus
	# context switches cost engine time: the recording carries it (sysfs)
	echo 200 > "$(gpu_sys 0)/switch_cost_us"
	"$GPUSTAT" --record "$OUT/rec" --json -d 1 > "$OUT/live.json" &
	local gs=$! l1 l3 n
	wait_file "$OUT/live.json" 1
	"$GPULOAD" -V vm1 -i 0 -c 2 -s 1ms -q 4 -t 2 -Q &
	l1=$!
	"$GPULOAD" -V vm3 -i 0 -c 1 -s 300us-3ms -q 2 -t 2 -Q &
	l3=$!
	wait "$l1" "$l3"
	# Two more refreshes: the last one starts after every job completed,
	# however long the loads took to start (seconds on a debug kernel).
	n=$(wc -l < "$OUT/live.json")
	wait_file "$OUT/live.json" $((n + 2))
	kill -INT "$gs"
	wait "$gs"
	run "$GPUSTAT" --replay "$OUT/rec" --json
	assert_success
	echo "$output" > "$OUT/replay.json"
	n=$(wc -l < "$OUT/replay.json")
	[ "$n" = "$(wc -l < "$OUT/live.json")" ]
	[ "$n" -ge 3 ]
	[ "$(jq -c 'del(.replay)' "$OUT/live.json")" = "$(jq -c 'del(.replay)' "$OUT/replay.json")" ]
	[ "$(tail -n 1 "$OUT/replay.json" | jq .replay)" = true ]
	local jobs
	jobs=$(last_vgpu "$OUT/replay.json" vm1 .jobs)
	[ "$jobs" -gt 0 ]
	[ "$jobs" = "$(vgpu_attr vm1 jobs)" ]
	[ "$(last_vgpu "$OUT/replay.json" vm3 .jobs)" = "$(vgpu_attr vm3 jobs)" ]
	local sw
	sw=$(tail -n 1 "$OUT/replay.json" | jq '.gpus[0].engines[0].switch_ns')
	[ "$sw" -gt 0 ]
	[ "$sw" = "$(engine_attr 0 engine_switch_ns)" ]
}

@test "--replay of a file that is not a recording fails (7)" {
	echo "not a recording" > "$OUT/bad"
	run "$GPUSTAT" --replay "$OUT/bad" -b
	assert_failure 7
	assert_output --partial "not a gpustat recording"
}

@test "driver not loaded: gpustat fails (3) and says how to load it, after usage errors (2)" {
	gpucore_unload
	run "$GPUSTAT" -b -n 1
	assert_failure 3
	assert_output --partial "gpucore driver not loaded"
	run "$GPUSTAT" --bogus
	assert_failure 2
	# the --prometheus address is checked before the driver and BPF
	run "$GPUSTAT" --prometheus 127.0.0.1:http -n 1
	assert_failure 2
	assert_output --partial "bad --prometheus address '127.0.0.1:http'"
}

@test "an unprivileged user cannot load the BPF programs: gpustat fails (4)" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$GPUSTAT" -b -n 1
	assert_failure 4
	assert_output --partial "not allowed to load BPF programs"
}

@test "a terminal smaller than 80x24: the interactive view fails (5)" {
	tui_start "$GPUSTAT" 60 20
	local i
	for i in $(seq 100); do [ -e "$OUT/tui.rc" ] && break; sleep 0.1; done
	[ "$(cat "$OUT/tui.rc")" = exit=5 ]
	run pane
	assert_output --partial "needs at least 80x24"
}

@test "--prometheus on a port in use fails (6)" {
	bg "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -d 0.5
	local i
	for i in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/metrics" > /dev/null && break; sleep 0.1; done
	curl -sf "http://127.0.0.1:$PORT/metrics" > /dev/null
	run "$GPUSTAT" --prometheus "127.0.0.1:$PORT" -n 1
	assert_failure 6
	assert_output --partial "in use"
}
