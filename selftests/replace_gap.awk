# replace_gap.awk: from a tracefs trace of gpucore_switch_in/out and
# gpucore_policy_attach, print "RUNS_BEFORE RUNS_AFTER GAP_NS CONTROL_NS":
# the switch-ins on engine 0 in the 50 ms before and after the (replace)
# attach event; the longest time engine 0 spent without a channel within
# those 100 ms (GAP); and the longest such time anywhere else in the trace
# (CONTROL: what the machine's own scheduling noise gives with no switch).
function ts(line,   a, f, n) {
	split(line, a, ": gpucore")
	n = split(a[1], f, " ")
	return f[n] + 0
}
/gpucore_policy_attach:/ { at = ts($0) }
/gpucore_switch_out:.* engine=0 / { outs[++no] = ts($0) }
/gpucore_switch_in:.* engine=0 / { ins[++ni] = ts($0) }
END {
	if (!at) { print "no attach event" > "/dev/stderr"; exit 1 }
	lo = at - 0.05; hi = at + 0.05
	for (i = 1; i <= ni; i++) {
		if (ins[i] >= lo && ins[i] < at) before++
		if (ins[i] >= at && ins[i] <= hi) after++
	}
	# pair each switch-out with the next switch-in
	j = 1
	for (i = 1; i <= no; i++) {
		while (j <= ni && ins[j] < outs[i]) j++
		if (j > ni) break
		g = ins[j] - outs[i]
		if (outs[i] >= lo && outs[i] <= hi) {
			if (g > max) max = g
		} else if (g > control) {
			control = g
		}
	}
	printf "%d %d %d %d\n", before, after, max * 1e9, control * 1e9
}
