// SPDX-License-Identifier: GPL-2.0
/*
 * gpucore fault injection, for the tests.
 */

/**
 * DOC: Fault injection
 *
 * The kernels gpucore is tested on (Debian's) are built without
 * CONFIG_FAULT_INJECTION, so the driver carries its own equivalent of
 * fail-nth: every fallible step it takes (allocations, id allocation, DRM
 * device registration, thread creation, buffer mapping, sysfs groups) goes
 * through gpucore_should_fail() first. Writing N to
 * ``/sys/kernel/debug/gpucore/fail_nth`` makes the Nth such step from then
 * on fail as if out of memory, once; the ``fail_nth`` module parameter does
 * the same for module load. ``fail_nth`` reads back the steps left before
 * the fault (0: fired or disarmed) and ``faults_injected`` counts the faults
 * made. selftests/faults.bats sweeps N over vGPU creation, the client path
 * (open, channel, buffer, submit) and module load, and checks that each
 * failure is reported, leaks nothing and leaves the driver usable.
 *
 * Races are widened the same way: writing N to
 * ``/sys/kernel/debug/gpucore/destroy_delay_ms`` makes the next channel
 * destruction pause N ms (at most 60000) after it has marked the channel
 * dead and before it waits for the channel's engine, so a test can start a
 * second destroyer (file close, vGPU destroy, CHANNEL_DESTROY) in that
 * window. ``retire_delay_ms`` makes the next run of the worker that drops
 * retired jobs' references (buffers, channels) pause N ms first, so a test
 * can close every file of a vGPU and destroy it while a job's buffers are
 * still held. Each reads back the delay still armed (0 once taken).
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/debugfs.h>
#include <linux/module.h>

#include "gpucore_priv.h"

static unsigned int fail_nth;
module_param(fail_nth, uint, 0444);
MODULE_PARM_DESC(fail_nth, "Testing: fail the Nth fallible step of module load (0: none)");

static atomic_t gpucore_fail_countdown = ATOMIC_INIT(0);
static atomic_t gpucore_faults_injected = ATOMIC_INIT(0);
static atomic_t gpucore_destroy_delay_ms = ATOMIC_INIT(0);
static atomic_t gpucore_retire_delay_ms = ATOMIC_INIT(0);

/**
 * gpucore_should_fail - should this fallible step fail (fault injection)?
 *
 * Return: true once, for the step the armed countdown reaches.
 */
bool gpucore_should_fail(void)
{
	if (likely(atomic_read(&gpucore_fail_countdown) <= 0))
		return false;
	if (atomic_dec_return(&gpucore_fail_countdown))
		return false;
	atomic_inc(&gpucore_faults_injected);
	return true;
}

static int gpucore_fail_nth_get(void *data, u64 *val)
{
	*val = max(atomic_read(&gpucore_fail_countdown), 0);
	return 0;
}

static int gpucore_fail_nth_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&gpucore_fail_countdown, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(gpucore_fail_nth_fops, gpucore_fail_nth_get, gpucore_fail_nth_set,
			 "%llu\n");

static int gpucore_faults_get(void *data, u64 *val)
{
	*val = atomic_read(&gpucore_faults_injected);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(gpucore_faults_fops, gpucore_faults_get, NULL, "%llu\n");

/* Sleep for the delay armed in @armed, if any, and disarm it. */
static void gpucore_fault_delay(atomic_t *armed)
{
	int ms;

	if (likely(!atomic_read(armed)))
		return;
	ms = atomic_xchg(armed, 0);
	if (ms > 0)
		msleep(ms);
}

/**
 * gpucore_fault_destroy_delay - take the armed channel-destroy delay
 *
 * Context: process context; sleeps for the delay when one was armed.
 */
void gpucore_fault_destroy_delay(void)
{
	gpucore_fault_delay(&gpucore_destroy_delay_ms);
}

/**
 * gpucore_fault_retire_delay - take the armed retire-worker delay
 *
 * Context: process context; sleeps for the delay when one was armed.
 */
void gpucore_fault_retire_delay(void)
{
	gpucore_fault_delay(&gpucore_retire_delay_ms);
}

static int gpucore_delay_get(void *data, u64 *val)
{
	*val = atomic_read((atomic_t *)data);
	return 0;
}

static int gpucore_delay_set(void *data, u64 val)
{
	if (val > 60000)
		return -EINVAL;
	atomic_set((atomic_t *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(gpucore_delay_fops, gpucore_delay_get, gpucore_delay_set, "%llu\n");

/**
 * gpucore_fault_init - arm the module-load fault and add the debugfs files
 * @dir: the module's debugfs directory
 */
void gpucore_fault_init(struct dentry *dir)
{
	atomic_set(&gpucore_fail_countdown, fail_nth);
	debugfs_create_file_unsafe("fail_nth", 0600, dir, NULL, &gpucore_fail_nth_fops);
	debugfs_create_file_unsafe("faults_injected", 0400, dir, NULL, &gpucore_faults_fops);
	debugfs_create_file_unsafe("destroy_delay_ms", 0600, dir, &gpucore_destroy_delay_ms,
				   &gpucore_delay_fops);
	debugfs_create_file_unsafe("retire_delay_ms", 0600, dir, &gpucore_retire_delay_ms,
				   &gpucore_delay_fops);
}
