#!/bin/bash
# gpucore benchmarks, run inside the guest by bench/run (make bench).
#
# Every figure is a ratio or an accuracy measured side by side in this one
# run: ours against a baseline on the same guest, minutes apart at most.
# Each benchmark appends rows to $OUT/rows.jsonl:
#   {"id", "metric", "unit", "ours", "baseline", "ratio", "target", "met", "note"}
# and bench/report.sh turns them into bench/results.json and RESULTS.md.
#
#   bench/guest.sh [NAME]...    NAME: fairness latency overhead submit
#                               telemetry scale extreme placement cbtiming hw
#                               vfio incumbents
#                               (default: all, in that order), or
#                               instructions (bench/run boots a guest of its
#                               own for it: BENCH_ICOUNT=1)
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
OUT=$REPO/bench/out
# bench/run copies the module, the policies and the programs to
# $BENCH_BIN before the guest boots, so that a rebuild in the tree during
# the run does not change what the later benchmarks load.
if [ -n "${BENCH_BIN:-}" ]; then
	B=$BENCH_BIN
	GPULOAD=$B/gpuload GPUSCHED=$B/gpusched GPUSTAT=$B/gpustat
	SUBBENCH=$B/subbench CHANFILL=$B/chanfill GPUCORE_KO=$B/gpucore.ko POLICIES=$B
	HANGJOB=$B/hangjob VFIOCLIENT=$B/vfioclient
else
	GPULOAD=$REPO/userspace/gpuload/gpuload
	GPUSCHED=$REPO/userspace/gpusched/gpusched
	GPUSTAT=$REPO/userspace/gpustat/gpustat
	SUBBENCH=$REPO/bench/progs/subbench
	CHANFILL=$REPO/bench/progs/chanfill
	POLICIES=$REPO/bpf
	HANGJOB=$REPO/selftests/progs/hangjob
	VFIOCLIENT=$REPO/selftests/progs/vfioclient
fi
# gpucore_load, vgpu_create, state_get, ...: shared with the selftests
source "$REPO/scripts/gpucore-lib.sh"
SYS=$(gpu_sys 0)
FAIR_SECS=${BENCH_FAIR_SECS:-10}
VFIO_ROUNDS=${BENCH_VFIO_ROUNDS:-7}
OVH_ROUNDS=${BENCH_OVH_ROUNDS:-5}
SCALE_ROUNDS=${BENCH_SCALE_ROUNDS:-3}
mkdir -p "$OUT"

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

# row ID METRIC UNIT OURS BASELINE TARGET CHECK [NOTE]: one result. CHECK
# is an awk condition over o (ours), b (baseline) and r (o / b).
row() {
	local id=$1 metric=$2 unit=$3 o=$4 b=$5 target=$6 check=$7 note=${8:-}
	local r met
	r=$(awk -v o="$o" -v b="$b" 'BEGIN { if (b == "" || b + 0 == 0) print "null"; else printf "%.4g", o / b }')
	met=$(awk -v o="$o" -v b="$b" "BEGIN { r = (b + 0 == 0) ? 0 : o / b; print (($check) ? \"true\" : \"false\") }")
	jq -cn --arg id "$id" --arg metric "$metric" --arg unit "$unit" \
		--argjson o "$o" --argjson b "${b:-null}" --argjson r "$r" \
		--arg target "$target" --argjson met "$met" --arg note "$note" \
		'{id: $id, metric: $metric, unit: $unit, ours: $o, baseline: $b,
		  ratio: $r, target: $target, met: $met, note: $note}' >> "$OUT/rows.jsonl"
	log "$metric: ours $o, baseline ${b:-n/a} $unit (ratio $r, target $target: met=$met)"
}

# driver_unload: unload the policy, if any, and the driver.
driver_unload() {
	"$GPUSCHED" unload > /dev/null 2>&1
	gpucore_unload || { log "rmmod gpucore failed"; return 1; }
}

# host_channels N: let the host tenant hold N channels (default limit: 256).
host_channels() { echo "$1" > "$SYS/vgpus/host/max_channels"; }

policy() {
	if [ "$1" = builtin ]; then
		"$GPUSCHED" unload > /dev/null 2>&1 || true
	else
		"$GPUSCHED" load "$POLICIES/$1.bpf.o" > /dev/null
	fi
}

# busy NAME...: busy_ns of each vGPU, one line, from one consistent
# snapshot (debugfs state is printed under the GPU lock; reading the
# sysfs files one by one would let the engines run between the reads).
busy() {
	state_get vgpu name busy_ns | awk -v names="$*" '{ b[$1] = $2 }
		END { n = split(names, N, " "); for (i = 1; i <= n; i++) printf "%s%s", b[N[i]], (i < n ? " " : "\n") }'
}

# decisions: "decisions decision_ns sched_ns" summed over the GPU's engines.
decisions() {
	state_get engine decisions decision_ns sched_ns |
		awk '{ d += $1; ns += $2; sn += $3 } END { printf "%.0f %.0f %.0f\n", d, ns, sn }'
}

# ---- 1. fairness accuracy ----------------------------------------------
FAIR_W=(100 100 200 200 400 400 800 800)

# fair_run POLICY: 8 saturating vGPUs for FAIR_SECS, busy_ns sampled each
# second; prints "RUN_ERR WORST_WINDOW_ERR MEDIAN_WINDOW_ERR" (largest
# relative error of any vGPU, %, over the run, in the worst 1 s window and
# in the median one).
fair_run() {
	local pol=$1 i names=() t
	gpucore_load
	for i in "${!FAIR_W[@]}"; do
		vgpu_create "f$i" weight="${FAIR_W[i]}"
		names+=("f$i")
	done
	policy "$pol"
	for v in "${names[@]}"; do
		"$GPULOAD" -V "$v" -c 2 -i 0 -s 50us-20ms -q 4 -t $((FAIR_SECS + 3)) -Q > /dev/null &
	done
	sleep 1.5
	: > "$OUT/fair-$pol.samples"
	for t in $(seq 0 "$FAIR_SECS"); do
		busy "${names[@]}" >> "$OUT/fair-$pol.samples"
		[ "$t" -lt "$FAIR_SECS" ] && sleep 1
	done
	wait
	driver_unload
	awk -v w="${FAIR_W[*]}" '
		BEGIN { n = split(w, W, " "); for (i = 1; i <= n; i++) sw += W[i] }
		function err(a, b,   i, tot, e, m) {
			tot = 0; m = 0
			for (i = 1; i <= n; i++) tot += b[i] - a[i]
			for (i = 1; i <= n; i++) {
				e = ((b[i] - a[i]) / tot - W[i] / sw) / (W[i] / sw)
				if (e < 0) e = -e
				if (e > m) m = e
			}
			return m
		}
		{ for (i = 1; i <= n; i++) s[NR, i] = $i }
		END {
			for (i = 1; i <= n; i++) { first[i] = s[1, i]; last[i] = s[NR, i] }
			worst = 0
			for (k = 2; k <= NR; k++) {
				for (i = 1; i <= n; i++) { a[i] = s[k - 1, i]; b[i] = s[k, i] }
				e = err(a, b); if (e > worst) worst = e
				we[k - 1] = e
			}
			# the median window too: one late timer in the guest makes the worst
			nw = NR - 1
			for (i = 2; i <= nw; i++)	# insertion sort: mawk has no asort
				for (j = i; j > 1 && we[j - 1] > we[j]; j--) { t = we[j]; we[j] = we[j - 1]; we[j - 1] = t }
			printf "%.3f %.3f %.3f\n", 100 * err(first, last), 100 * worst, 100 * we[int((nw + 1) / 2)]
		}' "$OUT/fair-$pol.samples"
}

bench_fairness() {
	local fs rr fx
	log "fairness: 8 vGPUs, weights ${FAIR_W[*]}, jobs 50us-20ms, ${FAIR_SECS}s each under fairshare, round robin, fixedshare"
	read -r fs_run fs_win fs_med < <(fair_run fairshare)
	read -r rr_run rr_win rr_med < <(fair_run builtin)
	read -r fx_run fx_win fx_med < <(fair_run fixedshare)
	row fair_run "fairness: largest share error over ${FAIR_SECS}s, fairshare vs round robin" "%" \
		"$fs_run" "$rr_run" "< 1%" 'o < 1'
	row fair_window "fairness: largest share error in a 1 s window, fairshare vs round robin" "%" \
		"$fs_win" "$rr_win" "< 3%" 'o < 3'
	row fair_run_fixed "fairness: largest share error over ${FAIR_SECS}s, fairshare vs fixedshare" "%" \
		"$fs_run" "$fx_run" "< 1%" 'o < 1'
	row fair_window_fixed "fairness: largest share error in a 1 s window, fairshare vs fixedshare" "%" \
		"$fs_win" "$fx_win" "< 3%" 'o < 3'
	row fair_window_median "fairness: largest share error in the median 1 s window, fairshare vs round robin" "%" \
		"$fs_med" "$rr_med" "(reported)" '1' \
		"fixedshare: $fx_med%; busy_ns per vGPU from one debugfs snapshot a second: bench/out/fair-*.samples"
}

# ---- 2. latency isolation ------------------------------------------------
# lat_run POLICY: prints "P50_NS P99_NS BATCH_JOBS_PER_S".
lat_run() {
	local pol=$1 ui
	gpucore_load
	vgpu_create batch
	vgpu_create ui class=interactive
	policy "$pol"
	"$GPULOAD" -V batch -i 0 -c 7 -s 5ms -q 4 -t 12 --json > "$OUT/lat-$pol-batch.json" &
	sleep 1
	"$GPULOAD" -V ui -i 0 -c 1 --interactive -s 1ms -q 1 -r 62.5 -t 10 --json > "$OUT/lat-$pol-ui.json"
	wait
	driver_unload
	jq -r '.total.wait_ns | "\(.p50) \(.p99)"' "$OUT/lat-$pol-ui.json" | tr '\n' ' '
	jq -r '.total.jobs_per_s' "$OUT/lat-$pol-batch.json"
}

# med: the median of its arguments.
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

bench_latency() {
	local slice=2000000 i l50=() l99=() lb=() r50=() r99=() rb=() a b c
	log "latency: 1 interactive channel (1 ms jobs every 16 ms) + 7 flat-out batch channels on one engine, 3 rounds each"
	for i in 1 2 3; do
		read -r a b c < <(lat_run latency)
		l50+=("$a") l99+=("$b") lb+=("$c")
		read -r a b c < <(lat_run builtin)
		r50+=("$a") r99+=("$b") rb+=("$c")
	done
	row lat_p99 "latency: interactive p99 submit-to-start, latency.bpf vs round robin" "ns" \
		"$(med "${l99[@]}")" "$(med "${r99[@]}")" "< 1 timeslice (2 ms) and >= 5x better" "o < $slice && r <= 0.2" \
		"median of 3 alternating runs of 10 s; latency.bpf p99s: ${l99[*]}"
	row lat_p50 "latency: interactive p50 submit-to-start, latency.bpf vs round robin" "ns" \
		"$(med "${l50[@]}")" "$(med "${r50[@]}")" "(reported)" '1'
	row lat_batch "latency: batch jobs/s, latency.bpf vs round robin" "jobs/s" \
		"$(med "${lb[@]}")" "$(med "${rb[@]}")" "within 5%" 'r >= 0.95 && r <= 1.05'
}

# ---- 3. policy overhead ----------------------------------------------------
# ovh_run [stats]: the same load under whatever policy is in charge; prints
# "DECISIONS DECISION_NS SCHED_NS BPF_RUN_NS BPF_RUNS" over 4 s of it (the
# last two 0 unless "stats" is given: the BPF programs' run time and run
# count over the same 4 s).
# With "stats", the counters are read before the load starts and after it
# has ended, so that BPF runs and decisions cover exactly the same events
# (bpftool takes a good part of a second in the guest: read while the load
# runs, its window would be wider than the decisions' one).
ovh_run() {
	local d0 n0 s0 d1 n1 s1 rt0=0 c0=0 rt1=0 c1=0
	if [ "${1:-}" = stats ]; then
		read -r rt0 c0 < <(bpf_runtime)
		read -r d0 n0 s0 < <(decisions)
		"$GPULOAD" -c 8 -s 100us-2ms -q 4 -t 4 -Q > /dev/null
		read -r d1 n1 s1 < <(decisions)
		read -r rt1 c1 < <(bpf_runtime)
	else
		"$GPULOAD" -c 8 -s 100us-2ms -q 4 -t 6 -Q > /dev/null &
		sleep 1
		read -r d0 n0 s0 < <(decisions)
		sleep 4
		read -r d1 n1 s1 < <(decisions)
		wait
	fi
	echo $((d1 - d0)) $((n1 - n0)) $((s1 - s0)) $((rt1 - rt0)) $((c1 - c0))
}

# bpf_runtime: total run_time_ns and run_cnt of the loaded struct_ops programs.
bpf_runtime() {
	bpftool prog show -j | jq -r '[.[] | select(.type == "struct_ops")] |
		"\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0)"'
}

# per A B: A / B to one decimal.
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? a / b : 0 }'; }

bench_overhead() {
	local i d n sc bs=() bn=() ss=() sn=() sd=0 bd=0 bpf_ns runs
	log "policy overhead: besteffort.bpf vs the built-in round robin, 8 channels, 100us-2ms jobs, $OVH_ROUNDS alternating rounds each"
	gpucore_load
	# Per round, the cost per decision; the rows take the medians (a TCG
	# guest's speed drifts within minutes and a descheduled vCPU inflates
	# a round's sums).
	for i in $(seq "$OVH_ROUNDS"); do
		read -r d n sc _ < <(ovh_run)
		bd=$((bd + d)) bs+=("$(per "$sc" "$d")") bn+=("$(per "$n" "$d")")
		policy besteffort
		read -r d n sc _ < <(ovh_run)
		sd=$((sd + d)) ss+=("$(per "$sc" "$d")") sn+=("$(per "$n" "$d")")
		"$GPUSCHED" unload > /dev/null
	done
	# BPF run-time statistics cost two clock reads per program run, so
	# they are on only for this last, separate round.
	policy besteffort
	sysctl -qw kernel.bpf_stats_enabled=1
	read -r d n sc bpf_ns runs < <(ovh_run stats)
	sysctl -qw kernel.bpf_stats_enabled=0
	driver_unload
	row overhead "policy overhead: scheduling cost per decision, besteffort.bpf vs built-in" "ns" \
		"$(med "${ss[@]}")" "$(med "${bs[@]}")" "<= 1.25x" 'r <= 1.25' \
		"driver's sched_ns (debugfs): making channels runnable, switching out, choosing, switching in, every policy callback; medians of $OVH_ROUNDS alternating 4 s rounds (besteffort: ${ss[*]}; built-in: ${bs[*]} ns), $sd vs $bd decisions"
	row overhead_pick "policy overhead: choosing alone per decision, besteffort.bpf vs built-in" "ns" \
		"$(med "${sn[@]}")" "$(med "${bn[@]}")" "<= 1.25x" 'r <= 1.25' \
		"driver's decision_ns (debugfs): taking the local queue's head, with no policy call for either; medians as above (besteffort: ${sn[*]}; built-in: ${bn[*]} ns)"
	row overhead_bpf "policy overhead: BPF run time of all besteffort callbacks per decision" "ns" \
		"$(per $bpf_ns "$d")" "" "(reported)" '1' \
		"kernel.bpf_stats_enabled run_time_ns of every besteffort program over $runs runs, $d decisions (one 4 s load, counted from before it starts to after it ends)"
	row overhead_runs "policy overhead: BPF program runs per decision, besteffort.bpf" "runs" \
		"$(per "$runs" "$d")" "" "<= 1" 'o <= 1' \
		"kernel.bpf_stats_enabled run_cnt of every besteffort program: $runs runs, $d decisions (one 4 s load, counted from before it starts to after it ends)"
}

# ---- 4. submission cost ------------------------------------------------------
bench_submit() {
	local j
	log "submission cost: SUBMIT against the NOP ioctl and an eventfd ping-pong"
	gpucore_load
	"$SUBBENCH" -n 2000 -r 7 > "$OUT/submit.json"
	driver_unload
	j=$OUT/submit.json
	row submit1 "submission: one SUBMIT of one job vs the NOP ioctl" "ns" \
		"$(jq .submit1_ns "$j")" "$(jq .null_ioctl_ns "$j")" "<= 3x" 'r <= 3'
	row submit64 "submission: per job, 64 jobs in one SUBMIT vs the NOP ioctl" "ns" \
		"$(jq .submit64_job_ns "$j")" "$(jq .null_ioctl_ns "$j")" "<= 1.5x" 'r <= 1.5'
	row submit64_busy "submission: per job, 64 jobs in one SUBMIT while the engine is busy vs the NOP ioctl" "ns" \
		"$(jq .submit64_busy_job_ns "$j")" "$(jq .null_ioctl_ns "$j")" "(reported)" '1' \
		"the jobs are only queued: the 64-job row on an idle engine minus this is completing the 64 empty jobs inside the SUBMIT, which an idle engine does at once in the submitter's context (the emulated engines have no thread of their own)"
	row submit1_busy "submission: one SUBMIT of one job while the engine is busy (no wake-up) vs the NOP ioctl" "ns" \
		"$(jq .submit1_busy_ns "$j")" "$(jq .null_ioctl_ns "$j")" "(reported)" '1' \
		"a busy engine's channel is only queued: the row above minus this is starting the job on an idle engine (the pick, the policy, arming the engine's timer)"
	row roundtrip "submission: empty job submit-to-completion vs eventfd ping-pong" "ns" \
		"$(jq .roundtrip_ns "$j")" "$(jq .eventfd_rtt_ns "$j")" "<= 2x" 'r <= 2'
}

# ---- 5. telemetry cost ---------------------------------------------------------
# jobs_per_s: a flat-out workload's jobs/s (4 channels, 20 us jobs).
jobs_per_s() {
	"$GPULOAD" -c 4 -s 20us -q 8 -t 4 --json | jq .total.jobs_per_s
}

# gs_rounds N: N alternating runs of jobs_per_s without and with gpustat
# attached; a line "WITHOUT WITH" per round.
gs_rounds() {
	local i w pid j
	for i in $(seq "$1"); do
		w=$(jobs_per_s)
		"$GPUSTAT" -b -d 1 > "$OUT/gs-rounds.txt" &
		pid=$!
		# attached: its programs loaded and its first report out (loading
		# takes seconds of the emulated CPU, and is not what is measured)
		for j in $(seq 300); do
			[ -s "$OUT/gs-rounds.txt" ] && break
			sleep 0.1
		done
		sleep 1
		echo "$w $(jobs_per_s)"
		kill "$pid"
		wait "$pid" 2> /dev/null
	done
}

# oncpu_ns PID: the time PID's threads ran, from the scheduler's clock
# (/proc/PID/schedstat). utime and stime are sampled at each tick: about
# 30 samples in 10 s of a process using 3% of a CPU, +-20% from one window
# to the next.
oncpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }

bench_telemetry() {
	local w g with=() without=() pid t0 t1 secs=10 cf cpu cpus=() i
	log "telemetry: flat-out jobs/s with gpustat attached vs without (5 rounds each), gpustat CPU with 1000 channels"
	gpucore_load
	while read -r w g; do
		without+=("$w") with+=("$g")
	done < <(gs_rounds 5)
	row telemetry_jobs "telemetry: flat-out jobs/s with gpustat vs without" "jobs/s" \
		"$(med "${with[@]}")" "$(med "${without[@]}")" ">= 0.97" 'r >= 0.97' \
		"median of 5 alternating runs each"

	host_channels 1000
	"$CHANFILL" -c 1000 -s 50000 -r 2000 > "$OUT/telemetry-chanfill.json" &
	cf=$!
	sleep 3
	# Its report goes to the guest's tmpfs, as to a local file: written to
	# bench/out, each refresh's 60 KiB would cross the 9p share to the host,
	# a cost of this harness (0.7% of a CPU more when measured, all of it
	# system time).
	"$GPUSTAT" -b -d 1 > /tmp/telemetry-gpustat.txt &
	pid=$!
	sleep 4
	for i in 1 2 3; do
		t0=$(oncpu_ns "$pid")
		sleep "$secs"
		t1=$(oncpu_ns "$pid")
		cpus+=("$(awk -v t=$((t1 - t0)) -v s=$secs 'BEGIN { printf "%.2f", 100 * t / 1e9 / s }')")
	done
	kill "$pid"
	wait "$pid"
	mv /tmp/telemetry-gpustat.txt "$OUT/"
	cpu=$(med "${cpus[@]}")
	# Calibration for bench/run: a recording of the same load, replayed
	# here and again on the host, says how much slower the emulated CPU
	# runs gpustat's own code.
	"$GPUSTAT" -b -d 1 -n 4 --record "$OUT/telemetry.gst" > /dev/null
	kill "$cf"
	wait "$cf"
	driver_unload
	echo "{\"cpu_pct\": $cpu, \"replay_s\": $(bench/replay-secs "$GPUSTAT" "$OUT/telemetry.gst")}" \
		> "$OUT/telemetry-calib.json"
	row telemetry_cpu "telemetry: gpustat CPU at 1 s interval, 1000 channels (2000 jobs/s), in the TCG guest" "% of a CPU" \
		"$cpu" "" "<= 3%" 'o <= 3' \
		"median of three consecutive ${secs} s windows (${cpus[*]} %), on-CPU time from /proc/PID/schedstat; its report written to the guest's tmpfs"
}

# ---- 6. scale -------------------------------------------------------------------
# scale_run CHANNELS VGPUS [POLICY]: prints "SUBMIT_NS DECISION_NS SCHED_NS"
# under POLICY (default fairshare): a submit, choosing alone, and all the
# scheduling work per decision.
scale_run() {
	local n=$1 nv=$2 i list=() pid d0 n0 d1 n1 s0 s1 spin line
	gpucore_load
	for i in $(seq "$nv"); do
		vgpu_create "s$i" channels="$n"
		list+=("s$i")
	done
	policy "${3:-fairshare}"
	# about 8 s of engine work in 2 jobs per channel, whatever the count
	spin=$((8000000000 / 2 / n))
	coproc CF { exec "$CHANFILL" -c "$n" -V "$(IFS=,; echo "${list[*]}")" -j 2 -s "$spin" -m 4096; }
	pid=$CF_PID
	read -r line <&"${CF[0]}"
	sleep 0.5
	read -r d0 n0 s0 < <(decisions)
	sleep 2
	read -r d1 n1 s1 < <(decisions)
	kill "$pid"
	wait "$pid"
	driver_unload
	echo "$(echo "$line" | jq .submit_ns)" \
		"$(awk -v a=$((n1 - n0)) -v b=$((d1 - d0)) 'BEGIN { printf "%.1f", a / b }')" \
		"$(awk -v a=$((s1 - s0)) -v b=$((d1 - d0)) 'BEGIN { printf "%.1f", a / b }')"
}

# kmem: Slab + KernelStack + PageTables + VmallocUsed in kB.
kmem() { awk '/^(Slab|KernelStack|PageTables|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo; }

bench_scale() {
	local s16 d16 f16 b16 s256 d256 s4k d4k f4k b4k sv1 dv1 sv8 dv8 sv32 dv32 m0 m1 pid
	log "scale: submit and decision cost at 16/256/4096 channels and 1/8/32 vGPUs (fairshare)"
	local f16s=() b16s=() f4ks=() b4ks=() i x
	read -r s16 d16 f16 < <(scale_run 16 1)
	read -r s256 d256 _ < <(scale_run 256 1)
	read -r s4k d4k f4k < <(scale_run 4096 1)
	f16s+=("$f16") f4ks+=("$f4k")
	# fairshare against the built-in: alternating runs, medians
	for i in $(seq "$SCALE_ROUNDS"); do
		read -r _ _ x < <(scale_run 16 1 builtin); b16s+=("$x")
		read -r _ _ x < <(scale_run 4096 1 builtin); b4ks+=("$x")
		[ "$i" -lt "$SCALE_ROUNDS" ] || break
		read -r _ _ x < <(scale_run 16 1); f16s+=("$x")
		read -r _ _ x < <(scale_run 4096 1); f4ks+=("$x")
	done
	f16=$(med "${f16s[@]}") b16=$(med "${b16s[@]}") f4k=$(med "${f4ks[@]}") b4k=$(med "${b4ks[@]}")
	read -r sv1 dv1 _ < <(scale_run 256 1)
	read -r sv8 dv8 _ < <(scale_run 256 8)
	read -r sv32 dv32 _ < <(scale_run 256 32)
	row scale_submit_ch "scale: submit cost, 4096 vs 16 channels" "ns" "$s4k" "$s16" "<= 2x" 'r <= 2' \
		"median single submit; 256 channels: $s256 ns"
	row scale_decision_ch "scale: decision cost, 4096 vs 16 channels (fairshare)" "ns" "$d4k" "$d16" "<= 2x" 'r <= 2' \
		"256 channels: $d256 ns"
	row scale_fair16 "scale: scheduling cost per decision, fairshare.bpf vs built-in, 16 channels" "ns" \
		"$f16" "$b16" "<= 1.5x" 'r <= 1.5' "driver's sched_ns (debugfs) per decision; medians of $SCALE_ROUNDS alternating runs each (fairshare: ${f16s[*]}; built-in: ${b16s[*]} ns)"
	row scale_fair4k "scale: scheduling cost per decision, fairshare.bpf vs built-in, 4096 channels" "ns" \
		"$f4k" "$b4k" "<= 1.5x" 'r <= 1.5' "driver's sched_ns (debugfs) per decision; medians of $SCALE_ROUNDS alternating runs each (fairshare: ${f4ks[*]}; built-in: ${b4ks[*]} ns)"
	row scale_submit_vg "scale: submit cost, 32 vs 1 vGPUs (256 channels)" "ns" "$sv32" "$sv1" "<= 2x" 'r <= 2' \
		"8 vGPUs: $sv8 ns"
	row scale_decision_vg "scale: decision cost, 32 vs 1 vGPUs (256 channels, fairshare)" "ns" "$dv32" "$dv1" "<= 2x" 'r <= 2' \
		"8 vGPUs: $dv8 ns"

	gpucore_load
	sync; echo 3 > /proc/sys/vm/drop_caches
	host_channels 4096
	m0=$(kmem)
	coproc CF { exec "$CHANFILL" -c 4096 -j 0 -m 0; }
	pid=$CF_PID
	read -r _ <&"${CF[0]}"
	m1=$(kmem)
	kill "$pid"
	wait "$pid"
	row mem_channel "scale: kernel memory per channel (4096 channels)" "bytes" \
		"$(awk -v d=$((m1 - m0)) 'BEGIN { printf "%.0f", d * 1024 / 4096 }')" "" "(reported)" '1' \
		"Slab+KernelStack+PageTables+VmallocUsed delta"
	m0=$(kmem)
	for i in $(seq 32); do vgpu_create "m$i"; done
	m1=$(kmem)
	row mem_vgpu "scale: kernel memory per vGPU (32 vGPUs)" "bytes" \
		"$(awk -v d=$((m1 - m0)) 'BEGIN { printf "%.0f", d * 1024 / 32 }')" "" "(reported)" '1' \
		"Slab+KernelStack+PageTables+VmallocUsed delta, with each vGPU's DRM minor and sysfs"
	driver_unload
}

# ---- 7. extreme weights ---------------------------------------------------------
# snap FILE: the time and one consistent debugfs snapshot of the GPU.
snap() { { echo "time $(date +%s%N)"; debugfs_state 0; } > "$1"; }

# shares F0 F1 "NAME..." "WEIGHT...": each named vGPU's share of the engine
# time the named vGPUs got between two snap files against its weight's
# share. Prints "REL ABS UTIL SHARE...": the largest relative error (%) of
# the vGPUs whose target is >= 1% (-1 if none), the largest absolute error
# (percentage points) of those whose target is < 1% (-1 if none), how busy
# the compute engines were (% of their time) and each share (%).
shares() {
	awk -v names="$3" -v weights="$4" "$GC_KV_AWK"'
		FNR == 1 { n_f++ }
		$1 == "time" { t[n_f] = $2 }
		$1 == "engine" { kv(); if (f["name"] ~ /^compute/) { ne[n_f]++; eb[n_f] += f["busy_ns"] } }
		$1 == "vgpu" { kv(); b[n_f, f["name"]] = f["busy_ns"] }
		END {
			n = split(names, N, " "); split(weights, W, " ")
			for (i = 1; i <= n; i++) { sw += W[i]; d[i] = b[2, N[i]] - b[1, N[i]]; tot += d[i] }
			rel = -1; abs = -1
			for (i = 1; i <= n; i++) {
				s[i] = tot ? d[i] / tot : 0; w = W[i] / sw
				e = s[i] - w; if (e < 0) e = -e
				if (w >= 0.01) { if (100 * e / w > rel) rel = 100 * e / w }
				else if (100 * e > abs) abs = 100 * e
			}
			printf "%.3f %.4f %.1f", rel, abs, 100 * (eb[2] - eb[1]) / (ne[2] * (t[2] - t[1]))
			for (i = 1; i <= n; i++) printf " %.4f", 100 * s[i]
			printf "\n"
		}' "$1" "$2"
}

EXTREME_W=(1 3 10 30 100 300 1000 10000)
EXTREME_SECS=${BENCH_EXTREME_SECS:-60}

# extreme_run POLICY: the eight vGPUs flat out for EXTREME_SECS; prints
# "STATE REL ABS UTIL SHARE..." (STATE: the policy's state at the end, with
# its exit message appended to $OUT/extreme-POLICY.exit if it left).
extreme_run() {
	local pol=$1 i names=() st pids=() t last
	gpucore_load
	for i in "${!EXTREME_W[@]}"; do
		vgpu_create "x$i" weight="${EXTREME_W[i]}"
		names+=("x$i")
	done
	policy "$pol"
	for v in "${names[@]}"; do
		"$GPULOAD" -V "$v" -c 2 -s 200us-3ms -q 4 -t $((3 * EXTREME_SECS + 60)) -Q > /dev/null &
		pids+=($!)
	done
	sleep 2
	# a snapshot every 5 s too, and the policy's state at each: if the
	# policy leaves, the shares up to its last snapshot attached are the
	# policy's own
	rm -f "$OUT/extreme-$pol".*
	snap "$OUT/extreme-$pol.0"
	last=0
	for t in $(seq 5 5 $((EXTREME_SECS + 4))); do
		sleep $((t > EXTREME_SECS ? EXTREME_SECS - t + 5 : 5))
		snap "$OUT/extreme-$pol.t$t"
		[ "$(cat /sys/module/gpucore/policy/state)" = attached ] && last=$t
	done
	cp "$OUT/extreme-$pol.t$t" "$OUT/extreme-$pol.1"
	st=$(cat /sys/module/gpucore/policy/state)
	[ "$pol" = builtin ] || cat /sys/module/gpucore/policy/overruns > "$OUT/extreme-$pol.overruns"
	[ "$pol" = builtin ] || [ "$st" = attached ] ||
		cat /sys/module/gpucore/policy/exit_msg > "$OUT/extreme-$pol.exit"
	[ "$pol" = builtin ] || [ "$st" = attached ] || [ "$last" -eq 0 ] ||
		echo "$last $(shares "$OUT/extreme-$pol.0" "$OUT/extreme-$pol.t$last" "${names[*]}" "${EXTREME_W[*]}")" \
			> "$OUT/extreme-$pol.attached"
	# gpuload stops submitting on SIGTERM and drains: with -t alone, its
	# end would have to allow for the guest's slow process start-up
	kill -TERM "${pids[@]}"
	wait
	driver_unload
	echo "$st $(shares "$OUT/extreme-$pol.0" "$OUT/extreme-$pol.1" "${names[*]}" "${EXTREME_W[*]}")"
}

# row_state ID METRIC STATE WANT [NOTE]: a row whose figure is a word.
row_state() {
	local met=false
	[ "$3" = "$4" ] && met=true
	jq -cn --arg id "$1" --arg metric "$2" --arg o "$3" --arg target "$4" \
		--argjson met "$met" --arg note "${5:-}" \
		'{id: $id, metric: $metric, unit: "", ours: $o, baseline: null,
		  ratio: null, target: $target, met: $met, note: $note}' >> "$OUT/rows.jsonl"
	log "$2: $3 (target $4: met=$met)"
}

bench_extreme() {
	local fs rr st note
	log "extreme: 8 vGPUs weighted ${EXTREME_W[*]}, 2 channels each, jobs 200us-3ms, ${EXTREME_SECS}s under fairshare and round robin"
	rm -f "$OUT"/extreme-*.exit
	read -r st fs < <(extreme_run fairshare)
	read -r _ rr < <(extreme_run builtin)
	set -- $fs; local fs_rel=$1 fs_abs=$2 fs_util=$3; shift 3; local fs_sh="$*"
	set -- $rr; local rr_rel=$1 rr_abs=$2 rr_util=$3; shift 3; local rr_sh="$*"
	note="shares (%) of weights ${EXTREME_W[*]}: fairshare $fs_sh; round robin $rr_sh"
	note+="; compute engines busy $fs_util% (fairshare), $rr_util% (round robin)"
	if [ -s "$OUT/extreme-fairshare.attached" ]; then
		set -- $(cat "$OUT/extreme-fairshare.attached")
		note+="; fairshare left before the end: over its first $1 s, still attached, errors $2% and $3 pp, shares ${*:5}"
	fi
	row_state extreme_attached "extreme weights: fairshare's state after ${EXTREME_SECS}s of 8 flat-out vGPUs weighted 1..10000" \
		"$st" attached "from /sys/module/gpucore/policy/state; callbacks over the budget in the run (policy/overruns): $(cat "$OUT/extreme-fairshare.overruns" 2> /dev/null)$( [ -s "$OUT/extreme-fairshare.exit" ] && echo "; exit_msg: $(cat "$OUT/extreme-fairshare.exit")")"
	row extreme_big "extreme weights: largest relative share error of the vGPUs whose target is >= 1% (weights 300, 1000, 10000), fairshare vs round robin" "%" \
		"$fs_rel" "$rr_rel" "<= 5%" 'o <= 5' \
		"target share w / sum of the 8 weights (the host tenant is idle); busy_ns per vGPU from two debugfs snapshots ${EXTREME_SECS}s apart; $note"
	row extreme_small "extreme weights: largest share error of the vGPUs whose target is < 1% (weights 1..100), fairshare vs round robin" "pp" \
		"$fs_abs" "$rr_abs" "<= 0.1 pp" 'o <= 0.1' \
		"absolute error in percentage points of the GPU's compute time (weight 1's target is 0.0087%)"
}

# ---- 8. placement ------------------------------------------------------------------
PLACE_W=(100 200 300)	# vm1 vm2 vm3
PLACE_SECS=${BENCH_PLACE_SECS:-10}

# place_run POLICY PINS: one-channel loads on vm1 vm3 vm2 vm3 vm1 vm2, 0.2 s
# apart, each bound to the compute engine PINS gives it ("-": the driver
# picks), on a GPU with 3 compute engines; prints "REL UTIL SHARE..." over
# PLACE_SECS, and the engines each vGPU's channels were on in
# $OUT/place-POLICY-PINS.engines.
place_run() {
	local pol=$1 pins=($2) order=(vm1 vm3 vm2 vm3 vm1 vm2) i args tag pids=()
	tag=$pol-$(IFS=; echo "${pins[*]}")
	gpucore_load num_compute=3
	for i in 1 2 3; do vgpu_create "vm$i" weight="${PLACE_W[i - 1]}"; done
	policy "$pol"
	for i in 0 1 2 3 4 5; do
		args=()
		[ "${pins[i]}" = - ] || args=(-i "${pins[i]}")
		"$GPULOAD" -V "${order[i]}" -c 1 "${args[@]}" -s 100us-4ms -q 4 -t $((3 * PLACE_SECS + 60)) -Q > /dev/null &
		pids+=($!)
		sleep 0.2
	done
	sleep 2
	snap "$OUT/place-$tag.0"
	sleep "$PLACE_SECS"
	snap "$OUT/place-$tag.1"
	kill -TERM "${pids[@]}"
	# the compute engines (0..2) of each vGPU's channels, in creation order
	state_get -f "$OUT/place-$tag.1" channel vgpu engine | awk '{ e[$1] = e[$1] " " $2 }
		END { printf "vm1%s, vm2%s, vm3%s", e["vm1"], e["vm2"], e["vm3"] }' > "$OUT/place-$tag.engines"
	wait
	driver_unload
	shares "$OUT/place-$tag.0" "$OUT/place-$tag.1" "vm1 vm2 vm3" "${PLACE_W[*]}" | cut -d' ' -f1,3-
}

bench_placement() {
	local v pins fs rr
	log "placement: 3 compute engines, vm1/vm2/vm3 weighted ${PLACE_W[*]}, one-channel loads started vm1 vm3 vm2 vm3 vm1 vm2, ${PLACE_SECS}s each"
	for v in driver rr pairs; do
		case $v in
		driver) pins="- - - - - -" ;;
		rr) pins="0 1 2 0 1 2" ;;
		pairs) pins="0 0 1 1 2 2" ;;
		esac
		fs=$(place_run fairshare "$pins")
		rr=$(place_run builtin "$pins")
		set -- $fs; local fs_rel=$1 fs_util=$2; shift 2; local fs_sh="$*"
		set -- $rr; local rr_rel=$1; shift 2; local rr_sh="$*"
		local where=$(cat "$OUT/place-fairshare-$(echo "$pins" | tr -d ' ').engines")
		case $v in
		driver) row place_driver "placement: largest relative share error, channels placed by the driver, fairshare vs round robin" "%" \
			"$fs_rel" "$rr_rel" "<= 5%" 'o <= 5' \
			"shares (%) of vm1 vm2 vm3 (targets 16.67 33.33 50): fairshare $fs_sh, round robin $rr_sh; engines of each vGPU's channels: $where; compute engines busy $fs_util%" ;;
		rr) row place_pinned_rr "placement: largest relative share error, channels pinned round robin in start order (-i 0 1 2 0 1 2), fairshare vs round robin" "%" \
			"$fs_rel" "$rr_rel" "<= 5%" 'o <= 5' \
			"shares (%): fairshare $fs_sh, round robin $rr_sh; engines: $where; compute engines busy $fs_util%; vm2 alone on compute2, a split per engine would be right here too" ;;
		pairs) row place_pinned_pairs "placement: largest relative share error, channels pinned in pairs in start order (-i 0 0 1 1 2 2), fairshare vs round robin" "%" \
			"$fs_rel" "$rr_rel" "<= 5%" 'o <= 5' \
			"shares (%): fairshare $fs_sh, round robin $rr_sh; engines: $where; compute engines busy $fs_util%; every engine holds a different pair of vGPUs: weights applied per engine would give 19.4/35.6/45 (16.7% off)" ;;
		esac
	done
}

# ---- 9. callback timing -------------------------------------------------------------
CBT=$DBG/cb_timing
CBT_ROUNDS=${BENCH_CBT_ROUNDS:-12}

# One load under besteffort.bpf throughout; debugfs cb_timing switched on
# and off every 2 s (Y N N Y Y N ...: a drift falls on both alike), and
# sched_ns and decision_ns per decision read for each 2 s.
bench_cbtiming() {
	local i k y=() n=() yp=() np=() d0 n0 s0 d1 n1 s1 pid cs st my mn
	log "callback timing: besteffort.bpf's scheduling cost per decision with debugfs cb_timing=Y vs N, $CBT_ROUNDS periods of 2 s each, interleaved"
	gpucore_load
	policy besteffort
	"$GPULOAD" -c 8 -s 100us-2ms -q 4 -t $((8 * CBT_ROUNDS + 120)) -Q > /dev/null &
	pid=$!
	sleep 1
	per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? a / b : 0 }'; }
	for i in $(seq "$CBT_ROUNDS"); do
		for k in $( ((i % 2)) && echo Y N || echo N Y); do
			echo "$k" > "$CBT"
			read -r d0 n0 s0 < <(decisions)
			sleep 2
			read -r d1 n1 s1 < <(decisions)
			if [ "$k" = Y ]; then
				y+=("$(per $((s1 - s0)) $((d1 - d0)))") yp+=("$(per $((n1 - n0)) $((d1 - d0)))")
			else
				n+=("$(per $((s1 - s0)) $((d1 - d0)))") np+=("$(per $((n1 - n0)) $((d1 - d0)))")
			fi
		done
	done
	echo Y > "$CBT"
	st=$(cat /sys/module/gpucore/policy/state)
	kill -TERM "$pid"
	wait "$pid"
	driver_unload
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2> /dev/null || echo unknown)
	my=$(med "${y[@]}") mn=$(med "${n[@]}")
	local pd=()	# on minus off within each round (adjacent periods)
	for i in "${!y[@]}"; do pd+=("$(awk -v a="${y[i]}" -v b="${n[i]}" 'BEGIN { printf "%.1f", a - b }')"); done
	row cbtiming "callback timing: scheduling cost per decision, besteffort.bpf with callback timing on vs off" "ns" \
		"$my" "$mn" "(reported)" '1' \
		"driver's sched_ns per decision (debugfs), medians of $CBT_ROUNDS periods of 2 s each, on and off alternating under one load (8 channels, 100us-2ms jobs); on: ${y[*]}; off: ${n[*]}; choosing alone (decision_ns) on: $(med "${yp[@]}"), off: $(med "${np[@]}"); guest clocksource $cs; policy $st at the end"
	row cbtiming_diff "callback timing: what timing the callbacks adds per decision (on minus off)" "ns" \
		"$(awk -v a="$my" -v b="$mn" 'BEGIN { printf "%.1f", a - b }')" "" "(reported)" '1' \
		"two ktime_get_ns() per timed policy callback under the GPU lock (the per-job ones one call in eight, at random); the difference of the two medians above; the median of the $CBT_ROUNDS differences within a round (adjacent periods): $(med "${pd[@]}") ns"
}

# ---- 10. emulated hardware v2 ---------------------------------------------
LATE=$DBG/gpu0/lateness
HW_SECS=${BENCH_HW_SECS:-10}

# hogs N: N busy loops in userspace, one per guest CPU; their pids. (Their
# output goes nowhere, or the caller's $(hogs N) would wait for them.)
hogs() { local i; for i in $(seq "$1"); do (while :; do :; done) > /dev/null 2>&1 & echo $!; done; }

# late_worst: "P50 P99 MAX COUNT" of the engine with the largest p99.
late_worst() {
	state_get -f "$LATE" engine count p50_ns p99_ns max_ns | awk '
		$1 && $3 >= w99 { w50 = $2; w99 = $3 }
		$4 > m { m = $4 }
		{ n += $1 }
		END { printf "%d %d %d %d\n", w50, w99, m, n }'
}

# hw_late HOGS: switch lateness under fairshare with HOGS guest CPUs busy in userspace.
hw_late() {
	local pids= v
	gpucore_load
	for v in 0 1 2 3; do vgpu_create "h$v" weight=$((100 * (v + 1))); done
	policy fairshare
	for v in 0 1 2 3; do
		"$GPULOAD" -V "h$v" -c 2 -s 50us-20ms -q 4 -t $((HW_SECS + 2)) -Q > /dev/null &
	done
	sleep 1
	echo 0 > "$LATE"
	[ "$1" = 0 ] || pids=$(hogs "$1")
	sleep "$HW_SECS"
	cp "$LATE" "$OUT/hw-lateness-$1"
	[ -z "$pids" ] || kill $pids 2> /dev/null
	wait
	driver_unload
	# last: the caller reads one line and goes on
	LATE=$OUT/hw-lateness-$1 late_worst
}

# hw_mix POLICY: fairshare-style load with switch cost 50 us and 1 in 10
# SPINs non-preemptible, plus one interactive channel; prints
# "RUN_ERR UI_P99_NS" (largest relative share error of the 4 batch vGPUs, %).
hw_mix() {
	local pol=$1 v names=() s0 s1
	gpucore_load switch_cost_us=50
	for v in 0 1 2 3; do vgpu_create "m$v" weight=$((100 * (v + 1))); names+=("m$v"); done
	vgpu_create ui class=interactive
	policy "$pol"
	for v in 0 1 2 3; do
		"$GPULOAD" -V "m$v" -c 2 -s 50us-5ms --nopreempt 10 -q 4 -t $((HW_SECS + 3)) -Q > /dev/null &
	done
	sleep 1
	"$GPULOAD" -V ui -i 0 -c 1 --interactive -s 1ms -q 1 -r 62.5 -t "$HW_SECS" --json > "$OUT/hw-$pol-ui.json" &
	sleep 0.5
	s0=$(busy "${names[@]}")
	sleep $((HW_SECS - 1))
	s1=$(busy "${names[@]}")
	wait
	driver_unload
	awk -v a="$s0" -v b="$s1" 'BEGIN { n = split(a, A, " "); split(b, B, " ")
		for (i = 1; i <= n; i++) { d[i] = B[i] - A[i]; t += d[i]; sw += i }
		for (i = 1; i <= n; i++) { e = (d[i] / t - i / sw) / (i / sw); if (e < 0) e = -e; if (e > m) m = e }
		printf "%.3f ", 100 * m }'
	jq -r '.total.wait_ns.p99' "$OUT/hw-$pol-ui.json"
}

# hw_hang: how long past a 500 ms job timeout 5 hangs were stopped, with a
# verified load on the same engine; prints "MAX_MS ALL_MS...".
hw_hang() {
	local i d=() pid
	gpucore_load job_timeout_ms=500
	"$GPULOAD" -c 2 -i 0 -k mix --verify -s 1ms -q 4 -t 8 -Q > "$OUT/hw-hang-load" &
	pid=$!
	sleep 0.5
	for i in 1 2 3 4 5; do
		d+=("$("$HANGJOB" -i 0 | jq '.detect_ms - 500')")
	done
	wait "$pid" || log "hw: the load beside the hangs failed: $(cat "$OUT/hw-hang-load")"
	driver_unload
	printf '%s\n' "${d[@]}" | sort -g | tail -1 | tr '\n' ' '
	echo "${d[*]}"
}

bench_hw() {
	local l50 l99 lmax ln i50 i99 imax icnt fe fp re rp hmax hall
	log "hw: switch lateness under fairshare with every guest CPU busy in userspace (${HW_SECS}s)"
	read -r l50 l99 lmax ln < <(hw_late "$(nproc)")
	read -r i50 i99 imax icnt < <(hw_late 0)
	row hw_late_p99 "hw: switch lateness p99 (worst engine), fairshare, every CPU busy" "ns" \
		"$l99" "" "<= 100 us" 'o <= 100000' \
		"p50 $l50 ns, max $lmax ns over $ln timed switches (debugfs lateness: bench/out/hw-lateness-$(nproc))"
	row hw_late_idle_p99 "hw: switch lateness p99 (worst engine), fairshare, guest CPUs not busy" "ns" \
		"$i99" "" "(reported)" '1' \
		"p50 $i50 ns, max $imax ns over $icnt timed switches: the same load without the busy loops, beside the row above"
	log "hw: fairshare vs round robin with switch cost 50 us and 1 in 10 SPINs non-preemptible, 4 vGPUs 100:200:300:400 + 1 interactive channel (${HW_SECS}s)"
	read -r fe fp < <(hw_mix fairshare)
	read -r re rp < <(hw_mix builtin)
	row hw_mix_share "hw: largest share error, switch cost 50 us + 1 in 10 non-preemptible, fairshare vs round robin" "%" \
		"$fe" "$re" "(reported)" '1'
	row hw_mix_p99 "hw: interactive p99 submit-to-start, switch cost 50 us + 1 in 10 non-preemptible, fairshare vs round robin" "ns" \
		"$fp" "$rp" "(reported)" '1' \
		"the interactive vGPU competes as a vGPU of weight 100 under fairshare; batch SPINs 50us-5ms"
	log "hw: hang detection, 5 hung jobs with job_timeout_ms=500 beside a verified load on the engine"
	read -r hmax hall < <(hw_hang)
	row hw_hang "hw: how long after the job timeout a hung job was stopped (worst of 5)" "ms" \
		"$hmax" "" "<= 1 tick (10 ms)" 'o <= 10' "each: $hall ms past 500 ms"
}

# ---- 11. VFIO ---------------------------------------------------------------
# A mediated device's client (selftests/progs/vfioclient: a VMM and its
# guest driver in one process) against a DRM client, the same job.
bench_vfio() {
	local u rt host
	log "vfio: job round trip (one SPIN of 0 ns, awaited before the next), VFIO client vs DRM client"
	gpucore_load
	gpucore_vfio_load || { log "vfio: cannot load gpucore_vfio"; driver_unload; return 1; }
	u=$(mdev_create vgpu4)
	# Rounds alternate between the two clients, so that both see the same
	# machine (a TCG guest's speed drifts within a minute); medians.
	for i in $(seq "$VFIO_ROUNDS"); do
		"$VFIOCLIENT" "$u" rtt 500 | jq .rtt_ns >> "$OUT/vfio-rtt"
		"$SUBBENCH" -n 2000 -r 1 | jq .roundtrip_spin_ns >> "$OUT/drm-rtt"
	done
	rt=$(med $(cat "$OUT/vfio-rtt"))
	host=$(med $(cat "$OUT/drm-rtt"))
	echo 1 > "/sys/bus/mdev/devices/$u/remove"
	read -r verr herr shares < <(vfio_shares)
	driver_unload
	row vfio_rtt "vfio: job round trip (one SPIN of 0 ns), VFIO client vs DRM client" "ns" \
		"$rt" "$host" "<= 3x" 'r <= 3' \
		"the VFIO client rings a doorbell (a write to BAR0 through the VFIO device fd) and waits for the MSI eventfd; the device fetches the descriptor and writes the seqno back from a workqueue; the DRM client SUBMITs and WAITs; medians of $VFIO_ROUNDS alternating rounds of 500 jobs each (VFIO: $(paste -sd' ' "$OUT/vfio-rtt") ns; DRM: $(paste -sd' ' "$OUT/drm-rtt") ns)"
	row vfio_share "vfio: largest share error over ${FAIR_SECS}s of a VFIO tenant vs the host tenant's, fairshare" "%" \
		"$verr" "$herr" "< 1%" 'o < 1' \
		"two mediated devices' clients (weights 100, 200; one compute channel each) and a host gpuload tenant (400; three compute channels) in one run, 1 ms jobs; shares (%) of vfio1 vfio2 host, targets 14.29 28.57 57.14: $shares; busy_ns per vGPU from two debugfs snapshots"
}

# vfio_shares: two VFIO tenants and the host tenant under fairshare, weights
# 100/200/400, for FAIR_SECS; prints "VFIO_ERR HOST_ERR SHARES": the largest
# relative share error (%) of the VFIO tenants and the host tenant's.
vfio_shares() {
	local u1 u2 v1 v2
	u1=$(mdev_create vgpu8)
	u2=$(mdev_create vgpu8)
	v1=$(vfio_vgpu "$u1") v2=$(vfio_vgpu "$u2")
	"$GPUSCHED" vgpu set "$v1" --weight 100 > /dev/null
	"$GPUSCHED" vgpu set "$v2" --weight 200 > /dev/null
	"$GPUSCHED" vgpu set host --weight 400 > /dev/null
	policy fairshare
	"$VFIOCLIENT" "$u1" load $((FAIR_SECS + 5)) 1000000 > /dev/null &
	"$VFIOCLIENT" "$u2" load $((FAIR_SECS + 5)) 1000000 > /dev/null &
	"$GPULOAD" -c 3 -s 1ms -q 8 -t $((FAIR_SECS + 5)) -Q > /dev/null &
	sleep 3
	busy "$v1" "$v2" host > "$OUT/vfio-shares.0"
	sleep "$FAIR_SECS"
	busy "$v1" "$v2" host > "$OUT/vfio-shares.1"
	wait
	policy builtin
	echo 1 > "/sys/bus/mdev/devices/$u1/remove"
	echo 1 > "/sys/bus/mdev/devices/$u2/remove"
	paste "$OUT/vfio-shares.0" "$OUT/vfio-shares.1" | awk '{
		for (i = 1; i <= 3; i++) { d[i] = $(i + 3) - $i; t += d[i] }
		split("1 2 4", w, " ")
		for (i = 1; i <= 3; i++) {
			s[i] = d[i] / t; e[i] = (s[i] - w[i] / 7) / (w[i] / 7); if (e[i] < 0) e[i] = -e[i]
		}
		printf "%.3f %.3f %.2f/%.2f/%.2f\n", 100 * (e[1] > e[2] ? e[1] : e[2]), 100 * e[3],
			100 * s[1], 100 * s[2], 100 * s[3] }'
}

# ---- 12. the incumbents, ranked ---------------------------------------------
# Every policy on the same workloads, one after another in this boot:
# gpucore's fairshare and latency.bpf against GVT-g's (gvtg), the DRM
# scheduler's fair policy (drmfair), NVIDIA's three vGPU modes (best
# effort: besteffort, equal share: equalshare, fixed share: fixedshare)
# and the built-in round robin. Each figure is one line of
# $OUT/incumbents.jsonl: {"metric", "label", "unit", "better", "policy",
# "value"}; bench/report.sh ranks the policies per metric in RESULTS.md.
INC_POLICIES=(${BENCH_INC_POLICIES:-fairshare latency gvtg drmfair equalshare fixedshare besteffort builtin})
INC_SECS=${BENCH_INC_SECS:-6}
INC_LAT_RUNS=${BENCH_INC_LAT_RUNS:-3}
# The fairness matrix: NAME=WEIGHTS. "placement" binds one-channel loads
# unevenly over the 2 compute engines, the placement a per-engine policy
# got wrong (vm1 and vm2 on compute0, vm2 and vm3 on compute1).
INC_SETS=("1:1=100 100" "1:2:4=100 200 400" "100:1=100 1"
	"100..800=100 200 300 400 500 600 700 800" "1..10000=1 3 10 30 100 300 1000 10000"
	"placement=100 200 300")

# inc_put METRIC LABEL UNIT BETTER POLICY VALUE: one figure.
inc_put() {
	jq -cn --arg metric "$1" --arg what "$2" --arg unit "$3" --arg better "$4" \
		--arg policy "$5" --argjson value "$6" \
		'{metric: $metric, label: $what, unit: $unit, better: $better, policy: $policy, value: $value}' \
		>> "$OUT/incumbents.jsonl"
}

# inc_err "NAME..." "WEIGHT..." F0 F1...: from snap files a second apart,
# "RUN WORST UTIL": the share error over the whole run and in the worst
# window between two files, as the part of the named vGPUs' engine time
# given away from their weights (half the L1 distance between the shares
# and the weights' shares, in % of that time), and how busy the compute
# engines were over the run (%).
inc_err() {
	local names=$1 weights=$2
	shift 2
	awk -v names="$names" -v weights="$weights" "$GC_KV_AWK"'
		FNR == 1 { k++ }
		$1 == "time" { t[k] = $2 }
		$1 == "engine" { kv(); if (f["name"] ~ /^compute/) { ne[k]++; eb[k] += f["busy_ns"] } }
		$1 == "vgpu" { kv(); b[k, f["name"]] = f["busy_ns"] }
		function err(a, z,   i, tot, e, s) {
			tot = 0; e = 0
			for (i = 1; i <= n; i++) tot += b[z, N[i]] - b[a, N[i]]
			if (!tot) return 100
			for (i = 1; i <= n; i++) {
				s = (b[z, N[i]] - b[a, N[i]]) / tot - W[i] / sw
				e += s < 0 ? -s : s
			}
			return 50 * e
		}
		END {
			n = split(names, N, " "); split(weights, W, " ")
			for (i = 1; i <= n; i++) sw += W[i]
			worst = 0
			for (j = 2; j <= k; j++) { e = err(j - 1, j); if (e > worst) worst = e }
			printf "%.3f %.3f %.1f\n", err(1, k), worst, 100 * (eb[k] - eb[1]) / (ne[k] * (t[k] - t[1]))
		}' "$@"
}

# inc_row ID METRIC POLICY TEXT: a row of rows.jsonl, POLICY's figure of
# METRIC against the best incumbent's (the policies that reproduce
# GVT-g's, DRM's and NVIDIA's), named in the note.
INC_INCUMBENTS='["gvtg", "drmfair", "equalshare", "fixedshare", "besteffort"]'
inc_row() {
	local f=$OUT/incumbents.jsonl o best
	o=$(jq -r --arg m "$2" --arg p "$3" 'select(.metric == $m and .policy == $p) | .value' "$f")
	best=$(jq -sr --arg m "$2" --argjson inc "$INC_INCUMBENTS" '
		[.[] | select(.metric == $m and .value != null and (.policy as $p | $inc | index($p)))] |
		if length == 0 then "null null" else
		.[0].better as $b | sort_by(if $b == "lower" then .value else -.value end) | .[0] |
		"\(.value) \(.policy)" end' "$f")
	[ "$o" = null ] && o='"not reached"'
	row "$1" "incumbents: $4, $3 vs the best incumbent" \
		"$(jq -sr --arg m "$2" 'map(select(.metric == $m))[0].unit' "$f")" \
		"$o" "${best%% *}" "(reported)" 1 "best incumbent: ${best#* }; every policy's figure: bench/RESULTS.md, the incumbents ranked"
}

# inc_fair_run POLICY SET: the set's vGPUs flat out (4 channels, jobs
# 50us-20ms; "placement": its pinned one-channel loads) for INC_SECS;
# prints inc_err's "RUN WORST UTIL".
inc_fair_run() {
	local pol=$1 name=${2%%=*} w=(${2#*=}) i names=()
	local order=(vm1 vm2 vm3 vm2 vm1 vm3) pins=(0 0 1 1 0 1)
	local files=() t
	if [ "$name" = placement ]; then
		gpucore_load
		for i in 1 2 3; do vgpu_create "vm$i" weight="${w[i - 1]}"; names+=("vm$i"); done
		policy "$pol"
		for i in "${!order[@]}"; do
			"$GPULOAD" -V "${order[i]}" -c 1 -i "${pins[i]}" -s 100us-4ms -q 4 -t 600 -Q > /dev/null &
		done
	else
		gpucore_load
		for i in "${!w[@]}"; do vgpu_create "v$i" weight="${w[i]}"; names+=("v$i"); done
		policy "$pol"
		for i in "${names[@]}"; do
			"$GPULOAD" -V "$i" -c 4 -s 50us-20ms -q 8 -t 600 -Q > /dev/null &
		done
	fi
	sleep 2
	for t in $(seq 0 "$INC_SECS"); do
		snap "$OUT/inc-fair.$t"
		files+=("$OUT/inc-fair.$t")
		[ "$t" -lt "$INC_SECS" ] && sleep 1
	done
	pkill -KILL -x gpuload
	wait 2> /dev/null
	driver_unload
	inc_err "${names[*]}" "${w[*]}" "${files[@]}"
}

# inc_idle_run POLICY: two vGPUs weighted 1:1, one flat out and one idle
# for INC_SECS; prints how busy the compute engines were (%): a work
# conserving policy gives the busy one the idle one's time.
inc_idle_run() {
	gpucore_load
	vgpu_create busy weight=100
	vgpu_create idle weight=100
	policy "$1"
	"$GPULOAD" -V busy -c 4 -s 50us-20ms -q 4 -t 600 -Q > /dev/null &
	sleep 2
	snap "$OUT/inc-idle.0"
	sleep "$INC_SECS"
	snap "$OUT/inc-idle.1"
	pkill -KILL -x gpuload
	wait 2> /dev/null
	driver_unload
	inc_err busy 100 "$OUT/inc-idle.0" "$OUT/inc-idle.1" | awk '{ print $3 }'
}

# inc_lat_run POLICY: 2 latency-critical vGPUs (interactive class, 200 us
# jobs at 100/s) beside 4 best-effort ones flat out (2 channels of 2 ms
# jobs each), one compute engine; prints "P50 P99 BE_JOBS_PER_S": the
# latency-critical jobs' submit-to-start p50 and p99 (ns), and the
# best-effort tenants' jobs/s summed.
inc_lat_run() {
	local i
	gpucore_load
	for i in 1 2; do vgpu_create "lc$i" class=interactive; done
	for i in 1 2 3 4; do vgpu_create "be$i"; done
	policy "$1"
	for i in 1 2 3 4; do
		"$GPULOAD" -V "be$i" -i 0 -c 2 -s 2ms -q 4 -t $((INC_SECS + 3)) --json > "$OUT/inc-be$i.json" &
	done
	sleep 1
	for i in 1 2; do
		"$GPULOAD" -V "lc$i" -i 0 -c 1 --interactive -s 200us -q 1 -r 100 -t "$INC_SECS" --json > "$OUT/inc-lc$i.json" &
	done
	wait
	driver_unload
	jq -s '[.[].total.wait_ns] | "\(map(.p50) | add / length) \(map(.p99) | max)"' -r "$OUT"/inc-lc[12].json | tr '\n' ' '
	jq -s '[.[].total.jobs_per_s] | add' "$OUT"/inc-be[1-4].json
}

# inc_dyn_run POLICY EVENT: vGPUs d1 d2 d3 weighted 100/200/400 flat out
# (EVENT arrive: d3 starts 3 s after the others; leave: d3 stops at 3 s;
# weight: d1's weight goes to 800 at 3 s), a snapshot every 0.2 s for 4 s
# after the event; prints
# how long after the event the affected vGPU's share (d3, d2, d1) stayed
# within 5% of its new weight share in every later 0.5 s window, in ms
# ("null": not by the end of the 4 s after it).
inc_dyn_run() {
	local pol=$1 ev=$2 i t0 target who files=() p3=
	gpucore_load
	vgpu_create d1 weight=100
	vgpu_create d2 weight=200
	vgpu_create d3 weight=400
	policy "$pol"
	for i in d1 d2 d3; do
		[ "$ev" = arrive ] && [ $i = d3 ] && continue
		"$GPULOAD" -V "$i" -c 4 -s 200us-3ms -q 8 -t 600 -Q > /dev/null &
		[ $i = d3 ] && p3=$!
	done
	sleep 3
	snap "$OUT/inc-dyn.event"
	case $ev in
	arrive) "$GPULOAD" -V d3 -c 4 -s 200us-3ms -q 8 -t 600 -Q > /dev/null & ;;
	leave) kill -KILL "$p3" ;;
	weight) echo 800 > "$SYS/vgpus/d1/weight" ;;
	esac
	t0=$(date +%s%N)
	while [ $(($(date +%s%N) - t0)) -lt 4000000000 ]; do
		files+=("$OUT/inc-dyn.${#files[@]}")
		snap "${files[-1]}"
		sleep 0.2
	done
	pkill -KILL -x gpuload
	wait 2> /dev/null
	driver_unload
	case $ev in
	arrive) who=d3 target=$(awk 'BEGIN { print 400 / 700 }') ;;
	leave) who=d2 target=$(awk 'BEGIN { print 200 / 300 }') ;;
	weight) who=d1 target=$(awk 'BEGIN { print 800 / 1400 }') ;;
	esac
	awk -v who="$who" -v target="$target" "$GC_KV_AWK"'
		FNR == 1 { k++ }
		$1 == "time" { t[k] = $2 }
		$1 == "vgpu" { kv(); if (f["name"] ~ /^d[123]$/) { b[k, f["name"]] = f["busy_ns"]; tot[k] += f["busy_ns"] } }
		END {
			# file 1 is the event; windows of two intervals from it
			settle = "null"
			for (j = k - 2; j >= 1; j--) {
				d = tot[j + 2] - tot[j]
				s = d ? (b[j + 2, who] - b[j, who]) / d : 0
				e = (s - target) / target; if (e < 0) e = -e
				if (e > 0.05) break
				settle = (t[j] - t[1]) / 1e6
			}
			print settle == "null" ? settle : sprintf("%.0f", settle)
		}' "$OUT/inc-dyn.event" "${files[@]}"
}

bench_incumbents() {
	local pol set name r w u i p50 p99 be rr_be a b p99s med99 mean99 ev
	log "incumbents: ${INC_POLICIES[*]} on the same workloads (fairness matrix, idle neighbour, latency-critical beside best-effort, dynamics)"
	rm -f "$OUT/incumbents.jsonl"
	for pol in "${INC_POLICIES[@]}"; do
		for set in "${INC_SETS[@]}"; do
			name=${set%%=*}
			read -r r w u < <(inc_fair_run "$pol" "$set")
			inc_put "fair_run_$name" "share error over ${INC_SECS} s, weights $name" "%" lower "$pol" "$r"
			inc_put "fair_win_$name" "share error in the worst 1 s window, weights $name" "%" lower "$pol" "$w"
			inc_put "fair_util_$name" "compute engines busy, all flat out, weights $name" "%" higher "$pol" "$u"
			log "incumbents: $pol, weights $name: error $r% (worst window $w%), engines busy $u%"
		done
		u=$(inc_idle_run "$pol")
		inc_put idle_util "work conservation: engines busy, 1:1 with one tenant idle" "%" higher "$pol" "$u"
		p99s=()
		for i in $(seq "$INC_LAT_RUNS"); do
			read -r p50 p99 be < <(inc_lat_run "$pol")
			p99s+=("$p99")
		done
		med99=$(med "${p99s[@]}")
		mean99=$(printf '%s\n' "${p99s[@]}" | awk '{ s += $1 } END { printf "%.0f", s / NR }')
		inc_put lc_p50 "latency-critical p50 submit-to-start beside 4 best-effort (last run)" "ns" lower "$pol" "$p50"
		inc_put lc_p99_med "latency-critical p99 submit-to-start, median of $INC_LAT_RUNS runs" "ns" lower "$pol" "$med99"
		inc_put lc_p99_mean "latency-critical p99 submit-to-start, mean of $INC_LAT_RUNS runs" "ns" lower "$pol" "$mean99"
		inc_put be_jobs "best-effort jobs/s beside the latency-critical tenants (last run)" "jobs/s" higher "$pol" "$be"
		log "incumbents: $pol, latency-critical p99s ${p99s[*]} ns, best-effort $be jobs/s"
		for ev in arrive leave weight; do
			a=$(inc_dyn_run "$pol" "$ev")
			case $ev in
			arrive) b="a tenant arrives (its share)" ;;
			leave) b="a tenant leaves (another's share)" ;;
			weight) b="a tenant's weight goes 100 to 800 (its share)" ;;
			esac
			inc_put "settle_$ev" "dynamics: time to within 5% of the new weight share after $b" "ms" lower "$pol" "$a"
			log "incumbents: $pol, $ev: settled in $a ms"
		done
	done
	inc_row inc_fair_124 fair_run_1:2:4 fairshare "share error over the run, weights 1:2:4"
	inc_row inc_fair_100_1 fair_run_100:1 fairshare "share error over the run, weights 100:1"
	inc_row inc_fair_extreme fair_run_1..10000 fairshare "share error over the run, weights 1..10000"
	inc_row inc_fair_window fair_win_100..800 fairshare "share error in the worst 1 s window, weights 100..800"
	inc_row inc_fair_placement fair_run_placement fairshare "share error over the run, uneven placement"
	inc_row inc_idle idle_util fairshare "engines busy with one of two tenants idle"
	inc_row inc_settle settle_weight fairshare "time to settle after a weight change"
	inc_row inc_lc_p99 lc_p99_med latency "latency-critical p99 beside best-effort (median of runs)"
	# the best-effort throughput's cost against round robin, per policy
	rr_be=$(jq -r 'select(.metric == "be_jobs" and .policy == "builtin") | .value' "$OUT/incumbents.jsonl")
	for pol in "${INC_POLICIES[@]}"; do
		be=$(jq -r --arg p "$pol" 'select(.metric == "be_jobs" and .policy == $p) | .value' "$OUT/incumbents.jsonl")
		inc_put be_vs_rr "best-effort throughput against round robin's" "x" higher "$pol" \
			"$(awk -v a="$be" -v b="$rr_be" 'BEGIN { printf "%.3f", b ? a / b : 0 }')"
	done
	inc_row inc_be_cost be_vs_rr latency "best-effort throughput against round robin's"
}

# ---- 13. instructions ---------------------------------------------------------
# The costs of sections 3, 5 and 6 counted in instructions. bench/run runs
# this in a guest of its own: one CPU under QEMU's -icount shift=0, whose
# clock advances one nanosecond per instruction executed. Every figure of
# time there is a count of instructions (ktime, bpf_stats' run time,
# /proc's CPU time): the same from run to run and host to host, where TCG's
# own speed drifts by half within minutes and differs between hosts, and
# weighs each instruction alike, where TCG slows some kinds (memory
# accesses, indirect branches) far more than others. One CPU: with two,
# QEMU runs both in turn on one host thread and a CPU spinning on a lock
# its holder's turn would release burns instructions for nothing.

# ins_sched POLICY [notiming]: "SCHED CHOOSE" instructions per decision
# under section 3's load (ovh_run; notiming: callback timing off).
ins_sched() {
	local d n sc
	policy builtin
	[ "$1" = builtin ] || policy "$1"
	[ "${2:-}" = notiming ] && echo N > /sys/kernel/debug/gpucore/cb_timing
	read -r d n sc _ < <(ovh_run)
	echo Y > /sys/kernel/debug/gpucore/cb_timing
	echo "$(per "$sc" "$d") $(per "$n" "$d")"
}

# ins_progs PREFIX: "NAME RUN_CNT RUN_TIME_NS" of the loaded BPF programs
# whose name starts with PREFIX.
ins_progs() {
	bpftool prog show -j | jq -r --arg p "$1" '.[] | select((.name // "") | startswith($p)) |
		"\(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort
}

bench_instructions() {
	local b bc e ec t tc f16 b16 f4k b4k w g with=() without=() j d bpf_ns runs perjob progs pid t0 t1 cpu cf
	if [ "${BENCH_ICOUNT:-0}" != 1 ]; then
		log "instructions: only in bench/run's icount guest; skipped"
		return 0
	fi
	log "instructions: scheduling and monitoring costs counted in instructions (QEMU -icount shift=0, one CPU)"
	gpucore_load
	read -r b bc < <(ins_sched builtin)
	read -r e ec < <(ins_sched besteffort)
	read -r t tc < <(ins_sched besteffort notiming)
	"$GPUSCHED" unload > /dev/null
	row ins_overhead "instructions: scheduling cost per decision, besteffort.bpf vs built-in" "instructions" \
		"$e" "$b" "<= 1.25x" 'r <= 1.25' \
		"driver's sched_ns (debugfs) per decision under -icount, as in section 3; choosing alone: besteffort $ec, built-in $bc"
	row ins_overhead_timing "instructions: what timing the callbacks adds per decision, besteffort.bpf (on minus off)" "instructions" \
		"$(awk -v a="$e" -v b="$t" 'BEGIN { printf "%.1f", a - b }')" "" "(reported)" '1' \
		"besteffort with debugfs cb_timing off: $t per decision"
	# One load with bpf_stats on: besteffort's program runs and their run
	# time (prog and kfuncs; the trampoline's entry and exit are outside it).
	policy besteffort
	sysctl -qw kernel.bpf_stats_enabled=1
	read -r d _ _ bpf_ns runs < <(ovh_run stats)
	sysctl -qw kernel.bpf_stats_enabled=0
	"$GPUSCHED" unload > /dev/null
	row ins_overhead_bpf "instructions: besteffort's BPF program per decision (its run time under -icount)" "instructions" \
		"$(per "$bpf_ns" "$d")" "" "(reported)" '1' \
		"bpf_stats run_time_ns over $runs runs, $d decisions: the program and the kfuncs it calls, with one clock read of bpf_stats' own; the struct_ops trampoline's entry and exit are outside it"
	driver_unload

	read -r _ _ f16 < <(scale_run 16 1)
	read -r _ _ b16 < <(scale_run 16 1 builtin)
	read -r _ _ f4k < <(scale_run 4096 1)
	read -r _ _ b4k < <(scale_run 4096 1 builtin)
	row ins_fair16 "instructions: scheduling cost per decision, fairshare.bpf vs built-in, 16 channels" "instructions" \
		"$f16" "$b16" "<= 1.5x" 'r <= 1.5' "driver's sched_ns per decision under -icount, as in section 6"
	row ins_fair4k "instructions: scheduling cost per decision, fairshare.bpf vs built-in, 4096 channels" "instructions" \
		"$f4k" "$b4k" "<= 1.5x" 'r <= 1.5' "driver's sched_ns per decision under -icount, as in section 6"

	# Submission: section 4's subbench, its times counted in instructions.
	gpucore_load
	"$SUBBENCH" -n 2000 -r 7 > "$OUT/ins-submit.json"
	driver_unload
	j=$OUT/ins-submit.json
	row ins_submit1 "instructions: submission: one SUBMIT of one job vs the NOP ioctl" "instructions" \
		"$(jq .submit1_ns "$j")" "$(jq .null_ioctl_ns "$j")" "<= 3x" 'r <= 3' \
		"subbench under -icount, as in section 4; the same SUBMIT while the engine is busy (only queued): $(jq .submit1_busy_ns "$j")"
	row ins_submit64 "instructions: submission: per job, 64 jobs in one SUBMIT vs the NOP ioctl" "instructions" \
		"$(jq .submit64_job_ns "$j")" "$(jq .null_ioctl_ns "$j")" "<= 1.5x" 'r <= 1.5' \
		"subbench under -icount, as in section 4; while the engine is busy (only queued): $(jq .submit64_busy_job_ns "$j") a job"

	# Monitoring: jobs/s of the flat-out load of section 5, which keeps
	# the one CPU busy, with and without gpustat; what gpustat adds per
	# job is 1e9 / with - 1e9 / without instructions.
	gpucore_load
	while read -r w g; do
		without+=("$w") with+=("$g")
	done < <(gs_rounds 3)
	w=$(med "${without[@]}") g=$(med "${with[@]}")
	perjob=$(awk -v w="$w" -v g="$g" 'BEGIN { printf "%.0f", 1e9 / g - 1e9 / w }')
	# gpustat's BPF programs per job, by program, with bpf_stats on
	"$GPUSTAT" -b -d 1 > /dev/null &
	pid=$!
	sleep 3
	sysctl -qw kernel.bpf_stats_enabled=1
	ins_progs gs_ > "$OUT/ins-progs0"
	j=$("$GPULOAD" -c 4 -s 20us -q 8 -t 4 --json | jq .total.jobs)
	ins_progs gs_ > "$OUT/ins-progs1"
	sysctl -qw kernel.bpf_stats_enabled=0
	kill "$pid"
	wait "$pid"
	progs=$(awk -v j="$j" 'FILENAME == ARGV[1] { c[$1] = $2; t[$1] = $3; next }
		{ dc = $2 - c[$1]; dt = $3 - t[$1]; tot += dt
		  if (dc) s = s sprintf("%s%s %.0f x %.2f", s ? ", " : "", substr($1, 4), dt / dc, dc / j) }
		END { printf "%.0f (%s)", tot / j, s }' "$OUT/ins-progs0" "$OUT/ins-progs1")
	row ins_telemetry_jobs "instructions: flat-out jobs/s with gpustat vs without" "jobs/s" \
		"$g" "$w" ">= 0.97" 'r >= 0.97' \
		"one CPU at 1e9 instructions per second of its clock; medians of 3 alternating runs each (with: ${with[*]}; without: ${without[*]})"
	row ins_telemetry_perjob "instructions: what gpustat adds per job (1e9 / with - 1e9 / without)" "instructions" \
		"$perjob" "" "(reported)" '1' \
		"of it, gpustat's BPF programs per job (bpf_stats run time, program runs per job): $progs; the rest is their trampolines and the tracepoints, and gpustat's refresh"
	host_channels 1000
	"$CHANFILL" -c 1000 -s 50000 -r 2000 > /dev/null &
	cf=$!
	sleep 3
	"$GPUSTAT" -b -d 1 > /dev/null &
	pid=$!
	sleep 4
	# its CPU time in ns (instructions here), not in clock ticks
	read -r t0 _ < "/proc/$pid/schedstat"
	sleep 10
	read -r t1 _ < "/proc/$pid/schedstat"
	kill "$pid" "$cf"
	wait "$pid" "$cf"
	driver_unload
	cpu=$(awk -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * t / 10e9 }')
	row ins_telemetry_cpu "instructions: gpustat CPU at 1 s interval, 1000 channels (2000 jobs/s)" "% of a CPU" \
		"$cpu" "" "<= 3%" 'o <= 3' \
		"$((t1 - t0)) instructions in 10 s of the -icount guest's clock (/proc/PID/schedstat), of a CPU that runs 1e9 a second"
}

# bench/run's icount guest (BENCH_ICOUNT=1) describes the main guest's
# machine, not its own, and after a run of that guest adds its rows to it
# (BENCH_APPEND=1).
if [ "${BENCH_ICOUNT:-0}" != 1 ]; then
	{
		echo "{\"guest_kernel\": \"$(uname -r)\", \"guest_cpus\": $(nproc),"
		echo " \"guest_mem_kb\": $(awk '/MemTotal/ { print $2 }' /proc/meminfo)}"
	} > "$OUT/guest.json"
fi
[ "${BENCH_APPEND:-0}" = 1 ] ||
	rm -f "$OUT/rows.jsonl" "$OUT/telemetry-calib.json" "$OUT/vfio-rtt" "$OUT/drm-rtt"
all=(fairness latency overhead submit telemetry scale extreme placement cbtiming hw vfio incumbents)
[ $# -gt 0 ] && all=("$@")
for b in "${all[@]}"; do
	t0=$(date +%s)
	"bench_$b" || log "$b: failed"
	log "$b: $(($(date +%s) - t0)) s"
done
[ -d /sys/module/gpucore ] && driver_unload
exit 0
