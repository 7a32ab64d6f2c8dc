// SPDX-License-Identifier: MIT
/* abi_test: sysfs attributes a case changes, and puts back however it ends. */
#include <fcntl.h>

#include "abi.h"

/*
 * A sysfs value a case changed, written back however the case ends (pass,
 * fail() or the case timeout): see sysfs_set_saved().
 */
static struct {
	char path[SYSFS_PATH_LEN];
	char value[32];
	size_t len;
	bool armed;
} saved_attr;

/*
 * Write the saved sysfs value back, saying so on stdout if that fails.
 * Async-signal-safe: the harness's case_cleanup, called on a timeout too.
 */
void sysfs_restore(void)
{
	static const char msg[] = "abi_test: could not restore ";
	bool ok = false;
	ssize_t n;
	int fd;

	if (!saved_attr.armed)
		return;
	saved_attr.armed = false;
	fd = open(saved_attr.path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = write(fd, saved_attr.value, saved_attr.len) == (ssize_t)saved_attr.len;
		close(fd);
	}
	if (ok)
		return;
	n = write(1, msg, sizeof(msg) - 1);
	n = write(1, saved_attr.path, strlen(saved_attr.path));
	n = write(1, "\n", 1);
	(void)n;
}

/* @attr of the GPU whose node @fd is: its path in @buf. */
void gpu_attr_path(int fd, const char *attr, char *buf, size_t len)
{
	struct drm_gpucore_info i;

	get_info(fd, &i);
	snprintf(buf, len, "/sys/bus/platform/devices/gpucore.%u/%s", i.gpu_id, attr);
}

/* A sysfs file's contents, without the trailing newline. */
static void sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail("cannot open %s: %s", path, ename(errno));
	n = read(fd, buf, len - 1);
	if (n < 0)
		fail("cannot read %s: %s", path, ename(errno));
	close(fd);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static void sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail("cannot open %s: %s", path, ename(errno));
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value))
		fail("writing '%s' to %s: %s", value, path, n < 0 ? ename(errno) : "short write");
	close(fd);
}

/*
 * Set sysfs @path to @value and read it back; the value it had is written
 * back when the case ends, however it ends (one attribute at a time).
 */
void sysfs_set_saved(const char *path, const char *value)
{
	char now[sizeof(saved_attr.value)];

	if (saved_attr.armed)
		fail("test bug: %s changed while %s is still to be restored", path, saved_attr.path);
	snprintf(saved_attr.path, sizeof(saved_attr.path), "%s", path);
	sysfs_read(path, saved_attr.value, sizeof(saved_attr.value));
	saved_attr.len = strlen(saved_attr.value);
	saved_attr.armed = true;
	case_cleanup = sysfs_restore;
	sysfs_write(path, value);
	sysfs_read(path, now, sizeof(now));
	if (strcmp(now, value))
		fail("%s reads '%s' after writing '%s'", path, now, value);
}

/* Restore what sysfs_set_saved() changed, and check it took. */
void sysfs_put_back(void)
{
	char want[sizeof(saved_attr.value)], now[sizeof(saved_attr.value)];

	snprintf(want, sizeof(want), "%s", saved_attr.value);
	sysfs_restore();
	sysfs_read(saved_attr.path, now, sizeof(now));
	if (strcmp(now, want))
		fail("%s reads '%s' after restoring '%s'", saved_attr.path, now, want);
}
