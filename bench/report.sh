#!/bin/bash
# bench/report.sh [SECONDS]: turn bench/out/rows.jsonl (written in the
# guest by bench/guest.sh) into bench/results.json and bench/RESULTS.md,
# and print the table. SECONDS: how long the whole run took.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$here/out
[ -s "$out/rows.jsonl" ] || { echo "bench: no results in $out/rows.jsonl" >&2; exit 1; }
secs=${1:-null}
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# the commit and local changes when bench/run started, else now
commit=${BENCH_COMMIT:-$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)}
dirty=${BENCH_DIRTY:-$(git -C "$repo" status --porcelain -- kmod bpf userspace bench include ':!bench/RESULTS.md' ':!bench/results.json' 2>/dev/null | grep -q . && echo true || echo false)}

jq -s --arg cpu "$cpu" --arg host_kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" \
	--arg commit "$commit" --argjson dirty "$dirty" --argjson secs "$secs" \
	--arg names "${BENCH_NAMES:-}" \
	--argjson guest "$(cat "$out/guest.json" 2>/dev/null || echo '{}')" \
	'{version: 1, date: $date, commit: $commit, dirty: $dirty, duration_s: $secs,
	  benchmarks: (if $names == "" then "all" else ($names | split(" ")) end),
	  machine: ({host_cpu: $cpu, host_kernel: $host_kernel, host_cpus: '"$(nproc)"',
		     qemu: "TCG (no KVM)"} + $guest),
	  results: .}' "$out/rows.jsonl" > "$here/results.json.new"

# Some benchmarks only (bench/run NAME...): their rows replace the same rows
# of the previous results.json, in place; the previous run's other rows are
# kept, each with "from": the date and commit of the run that measured it.
prev=$here/results.json
if [ -n "${BENCH_NAMES:-}" ] && [ -s "$prev" ]; then
	jq --slurpfile prev "$prev" '
		$prev[0] as $p | (.results | map({(.id): .}) | add // {}) as $new |
		.results as $rows |
		.results = ([$p.results[] | if $new[.id] then $new[.id]
			else . + {from: (.from // {date: $p.date, commit: $p.commit, dirty: $p.dirty})} end]
			+ [$rows[] | . as $r | select([$p.results[].id] | index($r.id) | not)])' \
		"$here/results.json.new" > "$here/results.json.tmp"
	mv "$here/results.json.tmp" "$here/results.json.new"
fi
# The incumbents' figures (bench_incumbents): this run's if it measured
# them, else the previous results.json's, kept whole.
inc=$out/incumbents.jsonl
if [[ -s $inc && ( -z ${BENCH_NAMES:-} || " ${BENCH_NAMES} " == *" incumbents "* ) ]]; then
	jq --slurpfile rows "$inc" --arg date "$(date -u +%FT%TZ)" --arg commit "$commit" \
		'.incumbents = {date: $date, commit: $commit, figures: $rows}' \
		"$here/results.json.new" > "$here/results.json.tmp"
	mv "$here/results.json.tmp" "$here/results.json.new"
elif [ -s "$prev" ] && jq -e .incumbents "$prev" > /dev/null; then
	jq --slurpfile prev "$prev" '.incumbents = $prev[0].incumbents' \
		"$here/results.json.new" > "$here/results.json.tmp"
	mv "$here/results.json.tmp" "$here/results.json.new"
fi
mv "$here/results.json.new" "$here/results.json"

# incumbents_table: per metric, the policies best first ("-": not
# reached), and why fairshare or latency.bpf is not first
# (bench/incumbents.notes: "METRIC<TAB>reason" lines).
incumbents_table() {
	local notes=$here/incumbents.notes
	jq -r --rawfile notes "$notes" '
		($notes | split("\n") | map(select(test("^[a-z]")) | split("\t") | {(.[0]): .[1]}) | add // {}) as $why |
		.incumbents | "Measured \(.date), commit \(.commit).", "",
		"| metric | 1st | 2nd | 3rd | 4th | 5th | 6th | 7th | 8th | fairshare, latency.bpf |",
		"|---|---|---|---|---|---|---|---|---|---|",
		(.figures as $f |
		($f | reduce .[].metric as $x ([]; if any(.[]; . == $x) then . else . + [$x] end)) as $order |
		$order[] as $metric |
		[$f[] | select(.metric == $metric)] as $rows | $rows[0] as $m |
		([$rows[] | select(.value != null)] | sort_by(if $m.better == "lower" then .value else -.value end)) as $ok |
		($ok + [$rows[] | select(.value == null)]) as $ranked |
		([$ranked[].policy] | index("fairshare")) as $fs |
		([$ranked[].policy] | index("latency")) as $lt |
		"| \($m.label) (\($m.unit), \($m.better) is better) | " +
		([$ranked[] | "\(.policy) \(if .value == null then "-" else .value end)"] | join(" | ")) +
		" | \(if $fs == 0 or $lt == 0 then "first" else ($why[$metric] // "fairshare #\($fs + 1), latency.bpf #\($lt + 1)") end) |")
	' "$here/results.json"
}

fmt() { jq -r "$1" "$here/results.json"; }
# Rows of earlier runs: marked †1, †2, ... after the metric, one per run.
runs=$(jq -c '[.results[] | .from | select(. != null)] | unique_by(.date) | sort_by(.date)' "$here/results.json")
{
	echo "# gpucore benchmark results"
	echo
	if [ "$(fmt '.benchmarks | type')" = array ]; then
		echo "Written by \`bench/run $(fmt '.benchmarks | join(" ")')\` ($(fmt .date), commit $(fmt .commit)$([ "$dirty" = true ] && echo ' with local changes'), $(fmt .duration_s) s)."
	else
		echo "Written by \`make bench\` ($(fmt .date), commit $(fmt .commit)$([ "$dirty" = true ] && echo ' with local changes'), $(fmt .duration_s) s)."
	fi
	echo "Host: $(fmt .machine.host_cpu), $(fmt .machine.host_cpus) CPUs, Linux $(fmt .machine.host_kernel)."
	echo "Guest: QEMU TCG (no KVM), $(fmt .machine.guest_cpus) vCPUs, Linux $(fmt .machine.guest_kernel)."
	echo "Every ratio compares two figures measured side by side in this one guest boot;"
	echo "absolute times in a TCG guest are slow and noisy and mean little on their own."
	echo "Rows named \"instructions: ...\" come from a second boot: one vCPU under QEMU's"
	echo "-icount shift=0, whose clock advances 1 ns per instruction, so their times are"
	echo "instruction counts, the same on every host (docs/benchmarks.md)."
	jq -r --argjson runs "$runs" '$runs | to_entries[] |
		"Rows marked †\(.key + 1) were not rerun: they are from the run of \(.value.date) (commit \(.value.commit)\(if .value.dirty then " with local changes" else "" end))."' \
		"$here/results.json"
	echo
	echo "| metric | ours | baseline | ratio | target | met |"
	echo "|---|---|---|---|---|---|"
	jq -r --argjson runs "$runs" '.results[] |
		(if .from then .from.date as $d | " †\([$runs[].date] | index($d) + 1)" else "" end) as $mark |
		"| \(.metric)\($mark) | \(.ours) \(.unit) | \(if .baseline == null then "-" else "\(.baseline) \(.unit)" end) | \(.ratio // "-") | \(.target) | \(if (.target | startswith("(")) then "-" elif .met then "yes" else "**no**" end) |"' "$here/results.json"
	echo
	echo "Notes:"
	echo
	jq -r '.results[] | select(.note != "") | "- \(.metric): \(.note)"' "$here/results.json"
	if jq -e .incumbents "$here/results.json" > /dev/null; then
		echo
		echo "## The incumbents, ranked"
		echo
		echo "\`bench/run incumbents\`: every policy on the same workloads in one boot (docs/benchmarks.md says what each row measures)."
		echo
		incumbents_table
	fi
} > "$here/RESULTS.md"
cat "$here/RESULTS.md"
met=$(jq '[.results[] | select((.target | startswith("(") | not) and .met)] | length' "$here/results.json")
all=$(jq '[.results[] | select(.target | startswith("(") | not)] | length' "$here/results.json")
echo
echo "bench: $met of $all targets met (bench/RESULTS.md, bench/results.json)"
