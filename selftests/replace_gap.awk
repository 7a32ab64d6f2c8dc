# replace_gap.awk: from a tracefs trace of gpucore_switch_in/out,
# gpucore_job_submit, gpucore_policy_attach and sched:sched_switch, print
# for each attach event (a policy switch) a line
# "RUNS_BEFORE RUNS_AFTER GAP_NS RAW_GAP_NS": the switch-ins on engine 0 in
# the 50 ms before and after it, and the longest time engine 0 spent
# without a channel while work was queued on it within those 100 ms (GAP);
# then "control CONTROL_NS": the longest such time anywhere else in the
# trace (what the machine's own noise gives with no switch). Work is
# queued from a switch-out that leaves channels queued (queued=N > 0), or
# else from the next submit.
#
# The engine is emulated by a kernel thread that shares the guest's CPUs
# with the load generators: time that thread spent preempted (switched out
# while runnable) is the guest's CPU scheduler, not the driver, and is not
# counted in GAP or CONTROL. Time it spent asleep or spinning is counted.
# RAW_GAP is GAP with the preempted time counted.
function ts(line,   m) {
	if (!match(line, / [0-9]+\.[0-9]+: /))
		return -1
	return substr(line, RSTART + 1, RLENGTH - 3) + 0
}
function pid_of(line) {
	match(line, /-[0-9]+ +\[/)
	return substr(line, RSTART + 1, RLENGTH - 1) + 0
}
/gpucore_policy_attach:/ { at[++na] = ts($0); next }
/ sched_switch: / {
	t = ts($0)
	if (!eng)
		next
	if ($0 ~ ("prev_pid=" eng " .*prev_state=R"))
		off_since = t
	else if ($0 ~ ("next_pid=" eng " ") && off_since) {
		preempted += t - off_since
		off_since = 0
	}
	next
}
/gpucore_switch_out:.* engine=0 / {
	t = ts($0)
	eng = pid_of($0)
	outs[++no] = t
	idle = 1
	waiting = $0 ~ / queued=[1-9]/ ? t : 0
	pre_wait = preempted
	next
}
/gpucore_job_submit:.* engine=0 / {
	if (idle && !waiting) {
		waiting = ts($0)
		pre_wait = preempted
	}
	next
}
/gpucore_switch_in:.* engine=0 / {
	t = ts($0)
	if (idle && waiting) {
		paired[no] = 1
		gap[no] = t - waiting - (preempted - pre_wait)
		raw[no] = t - waiting
	}
	idle = 0
	ins[++ni] = t
}
END {
	if (!na) { print "no attach event" > "/dev/stderr"; exit 1 }
	for (i = 1; i <= no; i++) {
		if (!paired[i])
			continue
		near = 0
		for (k = 1; k <= na; k++) {
			if (outs[i] < at[k] - 0.05 || outs[i] > at[k] + 0.05)
				continue
			near = 1
			if (gap[i] > max[k]) { max[k] = gap[i]; maxraw[k] = raw[i] }
		}
		if (!near && gap[i] > control)
			control = gap[i]
	}
	for (k = 1; k <= na; k++) {
		before = after = 0
		for (i = 1; i <= ni; i++) {
			if (ins[i] >= at[k] - 0.05 && ins[i] < at[k]) before++
			if (ins[i] >= at[k] && ins[i] <= at[k] + 0.05) after++
		}
		printf "%d %d %d %d\n", before, after, max[k] * 1e9, maxraw[k] * 1e9
	}
	printf "control %d\n", control * 1e9
}
