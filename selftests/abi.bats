#!/usr/bin/env bats
# The ioctl ABI of include/uapi/gpucore.h, one test per case of
# selftests/progs/abi_test (built by 'make tools'). Each negative case makes
# an otherwise valid call with exactly one thing broken and checks the exact
# errno and that nothing changed. Runs in the guest, as root, in the repo.

load helpers

setup_file() {
	cd "$BATS_TEST_DIRNAME/.."
	[ -x "$ABI_TEST" ] || { echo "no $ABI_TEST: run 'make tools'" >&2; return 1; }
	gpucore_load
}

teardown_file() {
	gpucore_unload
}

# abi_test restores the job timeout it sets to 0 itself; this is for when
# it could not (killed by a signal).
teardown() {
	if [ -n "${saved_timeout-}" ]; then
		echo "$saved_timeout" > "$(gpu_sys 0)/job_timeout_ms"
	fi
}

run_case() {
	run "$ABI_TEST" run "$1"
	assert_success
}

@test "abi_test list names exactly the cases of this file" {
	run "$ABI_TEST" list
	assert_success
	listed=$(printf '%s\n' "$output" | sort)
	# the cases across vGPUs run from vgpu.bats (as "isolation CASE")
	named=$(grep -ohE '\b(run_case|isolation) [a-z0-9_]+' "$BATS_TEST_FILENAME" \
		"$BATS_TEST_DIRNAME/vgpu.bats" | cut -d' ' -f2 | sort -u)
	assert_equal "$(printf '%s\n' "$listed" | uniq -d)" ""
	assert_equal "$listed" "$named"
}

# INFO
@test "INFO: valid call reports a sane device" { run_case info_valid; }
@test "INFO rejects each unknown flag bit (EINVAL)" { run_case info_flags; }
@test "INFO rejects nonzero pad (EINVAL)" { run_case info_pad; }
@test "INFO rejects nonzero reserved[] (EINVAL)" { run_case info_reserved; }
@test "INFO reports GPUCORE_FEAT_CMD_FLAGS" { run_case info_cmd_flags_feature; }

# CHANNEL_CREATE / CHANNEL_DESTROY
@test "CHANNEL_CREATE: valid channels on every class and instance" { run_case channel_create_valid; }
@test "CHANNEL_CREATE rejects an unknown engine_class (EINVAL)" { run_case channel_create_bad_class; }
@test "CHANNEL_CREATE rejects each unknown flag bit (EINVAL)" { run_case channel_create_flags; }
@test "CHANNEL_CREATE rejects nonzero reserved (EINVAL)" { run_case channel_create_reserved; }
@test "CHANNEL_CREATE rejects an instance out of range with the flag (EINVAL)" { run_case channel_create_instance_range; }
@test "CHANNEL_CREATE rejects a nonzero instance without the flag (EINVAL)" { run_case channel_create_instance_noflag; }
@test "CHANNEL_DESTROY: valid call, the handle is gone afterwards" { run_case channel_destroy_valid; }
@test "CHANNEL_DESTROY rejects an unknown handle (ENOENT)" { run_case channel_destroy_unknown; }
@test "CHANNEL_DESTROY rejects an already destroyed handle (ENOENT)" { run_case channel_destroy_twice; }
@test "CHANNEL_DESTROY rejects handle 0 (ENOENT)" { run_case channel_destroy_zero; }
@test "CHANNEL_DESTROY rejects each unknown flag bit (EINVAL)" { run_case channel_destroy_flags; }
@test "CHANNEL_DESTROY signals the fences of pending jobs" { run_case channel_destroy_signals_fences; }

# BO_CREATE / BO_MMAP_OFFSET
@test "BO_CREATE: valid BO, page-rounded vram_used, mmap write/read" { run_case bo_create_valid; }
@test "BO_CREATE: a new BO reads as zeroes" { run_case bo_create_zeroed; }
@test "BO_CREATE: closing a BO gives its quota back" { run_case bo_close_releases_quota; }
@test "BO_CREATE rejects size 0 (EINVAL)" { run_case bo_create_size_zero; }
@test "BO_CREATE rejects a size whose page rounding overflows (EINVAL)" { run_case bo_create_size_overflow; }
@test "BO_CREATE rejects a size beyond the vGPU quota (ENOSPC)" { run_case bo_create_over_quota; }
@test "BO_CREATE rejects a size beyond the quota left (ENOSPC)" { run_case bo_create_quota_exhausted; }
@test "BO_CREATE rejects each unknown flag bit (EINVAL)" { run_case bo_create_flags; }
@test "BO_CREATE rejects nonzero reserved (EINVAL)" { run_case bo_create_reserved; }
@test "BO_MMAP_OFFSET rejects an unknown or 0 handle (ENOENT)" { run_case bo_mmap_offset_bad_handle; }
@test "BO_MMAP_OFFSET rejects a closed BO (ENOENT)" { run_case bo_mmap_offset_closed; }
@test "BO_MMAP_OFFSET rejects each unknown flag bit (EINVAL)" { run_case bo_mmap_offset_flags; }

# SUBMIT, WAIT, JOB_QUERY, syncobj: valid use
@test "SUBMIT: a SPIN job completes" { run_case submit_spin; }
@test "SUBMIT: a NOPREEMPT SPIN job completes with status 0" { run_case submit_nopreempt_spin; }
@test "SUBMIT: FILL result is byte-exact" { run_case submit_fill; }
@test "SUBMIT: COPY result is byte-exact" { run_case submit_copy; }
@test "SUBMIT: COPY between non-overlapping ranges of one BO is byte-exact" { run_case submit_copy_same_bo; }
@test "SUBMIT: SPIN, FILL, COPY run in order within a job" { run_case submit_mixed_job; }
@test "SUBMIT: an empty job completes" { run_case submit_empty_job; }
@test "SUBMIT: a multi-job submit gets consecutive seqnos" { run_case submit_seqnos; }
@test "SUBMIT: the maximal submit (256 jobs, 64 commands) works" { run_case submit_max_jobs; }
@test "WAIT: valid wait on a pending and on a completed job" { run_case wait_valid; }
@test "WAIT: a completed job with a past deadline succeeds" { run_case wait_done_past_deadline; }
@test "JOB_QUERY: times are ordered submit <= start <= end" { run_case job_query_times; }
@test "JOB_QUERY: a job behind a pending one is QUEUED, then both DONE in order" { run_case job_query_states; }
@test "syncobj: the out-fence signals when the job is done" { run_case syncobj_out_fence; }
@test "syncobj: a job does not start before its in-fence signals" { run_case syncobj_in_fence; }
@test "syncobj: a job whose in-fence fails fails with its error, unexecuted; the next job runs" { run_case syncobj_in_fence_error; }
@test "syncobj: the same with an in-fence that failed before the SUBMIT" { run_case syncobj_in_fence_error_signalled; }
@test "SUBMIT rejects a channel with GPUCORE_MAX_QUEUED_JOBS pending (EAGAIN)" { run_case submit_queue_full; }

# SUBMIT: rejected
@test "SUBMIT rejects an unknown, 0 or ~0 channel handle (ENOENT)" { run_case submit_bad_channel; }
@test "SUBMIT rejects each unknown flag bit (EINVAL)" { run_case submit_flags; }
@test "SUBMIT rejects nonzero pad (EINVAL)" { run_case submit_pad; }
@test "SUBMIT rejects nonzero reserved (EINVAL)" { run_case submit_reserved; }
@test "SUBMIT rejects num_jobs 0 (EINVAL)" { run_case submit_num_jobs_zero; }
@test "SUBMIT rejects num_jobs > GPUCORE_MAX_JOBS_PER_SUBMIT (EINVAL)" { run_case submit_num_jobs_over_max; }
@test "SUBMIT rejects jobs_ptr NULL (EFAULT)" { run_case submit_jobs_ptr_null; }
@test "SUBMIT rejects jobs_ptr unmapped (EFAULT)" { run_case submit_jobs_ptr_unmapped; }
@test "SUBMIT rejects a jobs array running into unmapped memory (EFAULT)" { run_case submit_jobs_ptr_partial; }
@test "SUBMIT rejects cmds_ptr NULL (EFAULT)" { run_case submit_cmds_ptr_null; }
@test "SUBMIT rejects cmds_ptr unmapped (EFAULT)" { run_case submit_cmds_ptr_unmapped; }
@test "SUBMIT rejects a command array running into unmapped memory (EFAULT)" { run_case submit_cmds_ptr_partial; }
@test "SUBMIT rejects num_cmds > GPUCORE_MAX_CMDS_PER_JOB (EINVAL)" { run_case submit_num_cmds_over_max; }
@test "SUBMIT rejects an unknown command op (EINVAL)" { run_case submit_cmd_op_unknown; }
@test "SUBMIT rejects each unknown command flag bit on SPIN (EINVAL)" { run_case submit_cmd_flags; }
@test "SUBMIT rejects each SPIN flag on FILL (EINVAL)" { run_case submit_fill_cmd_flags; }
@test "SUBMIT rejects each SPIN flag on COPY (EINVAL)" { run_case submit_copy_cmd_flags; }
@test "SUBMIT rejects HANG without NOPREEMPT (EINVAL)" { run_case submit_hang_preemptible; }
@test "SUBMIT rejects HANG with a nonzero size (EINVAL)" { run_case submit_hang_size; }
@test "SUBMIT rejects HANG while job_timeout_ms is 0 (EINVAL), the timeout restored" {
	local f=$(gpu_sys 0)/job_timeout_ms
	saved_timeout=$(cat "$f")
	run_case submit_hang_no_timeout
	assert_equal "$(cat "$f")" "$saved_timeout"
}
@test "SUBMIT rejects SPIN with dst_handle set (EINVAL)" { run_case submit_spin_dst_handle; }
@test "SUBMIT rejects SPIN with src_handle set (EINVAL)" { run_case submit_spin_src_handle; }
@test "SUBMIT rejects SPIN > GPUCORE_MAX_SPIN_NS (EINVAL)" { run_case submit_spin_too_long; }
@test "SUBMIT rejects FILL at a misaligned offset (EINVAL)" { run_case submit_fill_misaligned_offset; }
@test "SUBMIT rejects FILL of a misaligned size (EINVAL)" { run_case submit_fill_misaligned_size; }
@test "SUBMIT rejects FILL value with upper bits set (EINVAL)" { run_case submit_fill_value_upper; }
@test "SUBMIT rejects FILL with src_handle set (EINVAL)" { run_case submit_fill_src_handle; }
@test "SUBMIT rejects FILL into an unknown or 0 BO handle (ENOENT)" { run_case submit_fill_bad_handle; }
@test "SUBMIT rejects FILL into a closed BO (ENOENT)" { run_case submit_fill_closed_bo; }
@test "SUBMIT rejects FILL past the end of its BO (ERANGE)" { run_case submit_fill_past_end; }
@test "SUBMIT rejects FILL whose offset + size overflows (ERANGE)" { run_case submit_fill_overflow; }
@test "SUBMIT rejects COPY from an unknown or 0 BO handle (ENOENT)" { run_case submit_copy_bad_src; }
@test "SUBMIT rejects COPY into an unknown or 0 BO handle (ENOENT)" { run_case submit_copy_bad_dst; }
@test "SUBMIT rejects COPY from past the end of its source (ERANGE)" { run_case submit_copy_src_past_end; }
@test "SUBMIT rejects COPY to past the end of its destination (ERANGE)" { run_case submit_copy_dst_past_end; }
@test "SUBMIT rejects COPY whose offset + size overflows (ERANGE)" { run_case submit_copy_overflow; }
@test "SUBMIT rejects COPY whose ranges overlap in one BO (EINVAL)" { run_case submit_copy_overlap; }
@test "SUBMIT rejects each unknown job flag bit (EINVAL)" { run_case submit_job_flags; }
@test "SUBMIT rejects in_syncobj set without the flag (EINVAL)" { run_case submit_in_syncobj_noflag; }
@test "SUBMIT rejects out_syncobj set without the flag (EINVAL)" { run_case submit_out_syncobj_noflag; }
@test "SUBMIT rejects an unknown in-syncobj with the flag (ENOENT)" { run_case submit_in_syncobj_bad; }
@test "SUBMIT rejects an unknown out-syncobj with the flag (ENOENT)" { run_case submit_out_syncobj_bad; }
@test "SUBMIT is all or nothing: last job with an unknown op (EINVAL)" { run_case submit_last_job_invalid; }
@test "SUBMIT is all or nothing: last job's commands unmapped (EFAULT)" { run_case submit_last_job_efault; }
@test "SUBMIT is all or nothing: last job's FILL out of range (ERANGE)" { run_case submit_last_job_erange; }
@test "SUBMIT is all or nothing: no out-fence installed when a later job fails (ENOENT)" { run_case submit_last_job_bad_syncobj; }

# WAIT: rejected
@test "WAIT rejects an unknown, 0 or ~0 channel handle (ENOENT)" { run_case wait_bad_channel; }
@test "WAIT rejects each unknown flag bit (EINVAL)" { run_case wait_flags; }
@test "WAIT rejects seqno 0 (EINVAL)" { run_case wait_seqno_zero; }
@test "WAIT rejects a seqno never submitted (EINVAL)" { run_case wait_seqno_unsubmitted; }
@test "WAIT rejects a seqno of another channel (EINVAL)" { run_case wait_seqno_other_channel; }
@test "WAIT on a pending job with a past deadline fails (ETIME)" { run_case wait_deadline_past; }

# JOB_QUERY: rejected
@test "JOB_QUERY rejects an unknown, 0 or ~0 channel handle (ENOENT)" { run_case job_query_bad_channel; }
@test "JOB_QUERY rejects each unknown flag bit (EINVAL)" { run_case job_query_flags; }
@test "JOB_QUERY rejects seqno 0 (EINVAL)" { run_case job_query_seqno_zero; }
@test "JOB_QUERY rejects a seqno never submitted (EINVAL)" { run_case job_query_seqno_unsubmitted; }
@test "JOB_QUERY of a job completed too long ago fails (ENODATA)" { run_case job_query_forgotten; }

# CHANNEL_STATS
@test "CHANNEL_STATS: counts after three jobs" { run_case stats_valid; }
@test "CHANNEL_STATS rejects an unknown, 0 or ~0 channel handle (ENOENT)" { run_case stats_bad_channel; }
@test "CHANNEL_STATS rejects each unknown flag bit (EINVAL)" { run_case stats_flags; }
@test "CHANNEL_STATS rejects nonzero reserved[] (EINVAL)" { run_case stats_reserved; }

# NOP
@test "NOP: valid call" { run_case nop_valid; }
@test "NOP rejects each unknown flag bit (EINVAL)" { run_case nop_flags; }
@test "NOP rejects nonzero pad (EINVAL)" { run_case nop_pad; }

# Handles are per file
@test "another process's channel handles are not usable (ENOENT)" { run_case isolation_channels; }
@test "another process's BO handles are not usable (ENOENT)" { run_case isolation_bos; }
@test "another process's syncobj handles are not usable (ENOENT)" { run_case isolation_syncobjs; }
