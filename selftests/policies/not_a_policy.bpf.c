// SPDX-License-Identifier: GPL-2.0
/*
 * not_a_policy: a valid BPF object that is not a scheduling policy (a
 * tracing program counting job submissions), for the selftests:
 * gpusched load must refuse it as "not a gpucore policy" (exit 5).
 */
#include "gpucore.bpf.h"

char _license[] SEC("license") = "GPL";

u64 nr_submits;

SEC("tp_btf/gpucore_job_submit")
int BPF_PROG(count_submit, struct gpucore_channel *ch, struct gpucore_job *job)
{
	__sync_fetch_and_add(&nr_submits, 1);
	return 0;
}
