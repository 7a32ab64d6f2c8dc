// SPDX-License-Identifier: MIT
/*
 * drmenum: what libdrm's device enumeration sees, as a client would.
 *
 *   drmenum            every device drmGetDevices2() lists
 *   drmenum NODE...    the device drmGetDevice2() finds for an open NODE
 *
 * One line per device: "BUS NAME CARD RENDER", BUS "platform", "pci", ...
 * (or the number), NAME the platform device's name (its bus info), CARD
 * and RENDER its primary and render node ("-" for none). Exit 0, or 1
 * with the failing call and its errno on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#define MAX_DEVICES	256

static const char *bus_name(int bustype, char *buf, size_t len)
{
	switch (bustype) {
	case DRM_BUS_PCI:
		return "pci";
	case DRM_BUS_USB:
		return "usb";
	case DRM_BUS_PLATFORM:
		return "platform";
	case DRM_BUS_HOST1X:
		return "host1x";
	}
	snprintf(buf, len, "%d", bustype);
	return buf;
}

static const char *node(drmDevicePtr d, int type)
{
	return d->available_nodes & (1 << type) ? d->nodes[type] : "-";
}

static void print_device(drmDevicePtr d)
{
	char bus[16];
	const char *name = "-";

	if (d->bustype == DRM_BUS_PLATFORM)
		name = d->businfo.platform->fullname;
	printf("%s %s %s %s\n", bus_name(d->bustype, bus, sizeof(bus)), name,
	       node(d, DRM_NODE_PRIMARY), node(d, DRM_NODE_RENDER));
}

static int list_all(void)
{
	drmDevicePtr devs[MAX_DEVICES];
	int n, i;

	n = drmGetDevices2(0, devs, MAX_DEVICES);
	if (n < 0) {
		fprintf(stderr, "drmenum: drmGetDevices2: %s\n", strerror(-n));
		return 1;
	}
	for (i = 0; i < n && i < MAX_DEVICES; i++)
		print_device(devs[i]);
	drmFreeDevices(devs, n < MAX_DEVICES ? n : MAX_DEVICES);
	return 0;
}

static int by_node(const char *path)
{
	drmDevicePtr d;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "drmenum: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	ret = drmGetDevice2(fd, 0, &d);
	close(fd);
	if (ret) {
		fprintf(stderr, "drmenum: drmGetDevice2(%s): %s\n", path, strerror(-ret));
		return 1;
	}
	print_device(d);
	drmFreeDevice(&d);
	return 0;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 2)
		return list_all();
	for (i = 1; i < argc; i++)
		ret |= by_node(argv[i]);
	return ret;
}
