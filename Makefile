# gpucore top-level Makefile.
#
#   make deps      install what the build and tests need (idempotent)
#   make           build the module, the BPF objects and the tools
#   make test      run every test inside a QEMU guest (T=selftests/x.bats: one file)
#   make demo      the main job end to end, in a guest
#   make bench     benchmarks, in a guest; writes bench/RESULTS.md
#   make test-debug  every test on a debug kernel (KASAN, lockdep, kmemleak,
#                  UBSAN, fault injection) built once per machine into
#                  /var/cache/gpucore/kernel-debug (GPUCORE_CACHE=DIR to move it)
#   make soak      the stress run for SOAK_SECS (default 1800) in a guest
#   make install   install the tools, BPF objects, man pages, udev rules,
#                  systemd units and a commented /etc/gpucore/gpucore.conf
#                  (DESTDIR, PREFIX, UDEV_RULES_DIR, SYSTEMD_UNIT_DIR, CONF_DIR)
#
# KDIR= selects the kernel tree to build the module against: by default the
# cached 6.12 test kernel's headers (make deps fetches them); for the running
# kernel use KDIR=/lib/modules/$(uname -r)/build. V=1 shows full commands.

TOP := $(CURDIR)
KCACHE := $(TOP)/.cache/kernel
KREL := $(shell cat $(KCACHE)/release 2>/dev/null)
KDIR ?= $(KCACHE)/root/usr/src/linux-headers-$(KREL)
VMLINUX_BTF ?= $(firstword $(wildcard $(KDIR)/vmlinux /sys/kernel/btf/vmlinux))

PREFIX ?= /usr/local
DESTDIR ?=

CC ?= gcc
CLANG ?= clang-19
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg = @printf '  %-8s %s\n'
MAKEFLAGS += --no-print-directory
endif

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	  -D_GNU_SOURCE -Iinclude/uapi -Iuserspace/common -Ibuild
DRM_CFLAGS := $(shell $(PKG_CONFIG) --cflags libdrm 2>/dev/null)
DRM_LIBS := $(shell $(PKG_CONFIG) --libs libdrm 2>/dev/null)
JSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)
JSON_LIBS := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null)
BPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null)
NPROC := $(shell nproc)

# The tools: each is userspace/NAME/*.c (and *.h) linked with the common
# library into userspace/NAME/NAME. Adding one is adding its NAME here;
# NAME_CFLAGS, NAME_LIBS and NAME_DEPS (files it needs built first) give
# it more.
APPS := gpuload gpusched gpustat
TOOLS := $(foreach a,$(APPS),userspace/$(a)/$(a))
COMMON_SRCS := $(wildcard userspace/common/*.c)
COMMON_HDRS := $(wildcard userspace/common/*.h) include/uapi/gpucore.h include/uapi/gpucore_limits.h \
	       include/uapi/gpucore_hist.h

.PHONY: all deps kmod bpf tools test test-vm demo bench clean install check-kdir \
	debug-kernel kmod-debug test-debug test-debug-ci soak
.DEFAULT_GOAL := all

all: kmod bpf tools

deps:
	$(Q)scripts/deps.sh

check-kdir:
	@test -e "$(KDIR)/Makefile" || { echo "make: no kernel tree at KDIR=$(KDIR): run 'make deps' or pass KDIR=/lib/modules/\$$(uname -r)/build" >&2; exit 1; }

# The module: kbuild does its own dependency tracking and quiet output.
kmod: check-kdir
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP)/kmod $(if $(filter 1,$(V)),V=1) modules

TEST_PROGS := $(patsubst %.c,%,$(wildcard selftests/progs/*.c))
# A test program of several files: the *.c of selftests/progs/NAME/ make
# selftests/progs/NAME_test.
MULTI_TEST_PROGS := $(patsubst %/,%_test,$(sort $(dir $(wildcard selftests/progs/*/*.c))))
UNIT_TESTS := $(patsubst %.c,%,$(wildcard selftests/unit/*.c))
BENCH_PROGS := $(patsubst %.c,%,$(wildcard bench/progs/*.c))

tools: $(TOOLS) $(TEST_PROGS) $(MULTI_TEST_PROGS) $(UNIT_TESTS) $(BENCH_PROGS)

# C unit tests of pure userspace logic: TAP on stdout, run on the host.
selftests/unit/%: selftests/unit/%.c $(COMMON_SRCS) $(COMMON_HDRS)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DRM_CFLAGS) -o $@ $< $(COMMON_SRCS) $(DRM_LIBS) -lm

# Test and benchmark programs: one C file each, run inside the guest by the
# bats suites and bench/run.
$(TEST_PROGS) $(BENCH_PROGS): %: %.c $(COMMON_SRCS) $(COMMON_HDRS)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DRM_CFLAGS) -o $@ $< $(COMMON_SRCS) $(DRM_LIBS) $(BPF_LIBS) -lpthread -lm

# Test programs of several files: every C file of the directory, linked
# into one (secondary expansion: $$* is the directory).
.SECONDEXPANSION:
$(MULTI_TEST_PROGS): %_test: $$(wildcard $$*/*.c $$*/*.h) $(COMMON_SRCS) $(COMMON_HDRS)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DRM_CFLAGS) -o $@ $(filter %.c,$^) $(DRM_LIBS) $(BPF_LIBS) -lpthread -lm

gpuload_LIBS := $(JSON_LIBS) -lm -lpthread
gpusched_CFLAGS := -DGPUSCHED_BPF_DIR='"$(PREFIX)/lib/gpucore/bpf"'
gpusched_LIBS := $(JSON_LIBS) $(BPF_LIBS) -lm
gpusched_DEPS := include/uapi/gpucore_sched.h

# (A tool's X.bpf.c is its BPF program, built into a skeleton: not linked.)
$(TOOLS): userspace/%: $$(wildcard $$(dir $$@)*.c $$(dir $$@)*.h) \
		$$($$(notdir $$@)_DEPS) $(COMMON_SRCS) $(COMMON_HDRS)
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) $(DRM_CFLAGS) $(JSON_CFLAGS) $($(notdir $@)_CFLAGS) -o $@ \
		$(filter-out %.bpf.c,$(filter %.c,$^)) $(DRM_LIBS) $($(notdir $@)_LIBS)

# BPF: vmlinux.h is dumped from the module's BTF (split on the kernel's),
# so policies see struct gpucore_sched_ops and the driver's objects; each
# X.bpf.c becomes X.bpf.o (policies in bpf/; deliberately broken ones, and
# programs the tests run, in selftests/policies/).
BPF_OUT := build/bpf
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wno-unused-function \
	      -I$(BPF_OUT) -Ibpf -Iinclude/uapi
POLICIES := $(patsubst %.c,%.o,$(wildcard bpf/*.bpf.c))
BROKEN_POLICIES := $(patsubst %.c,%.o,$(wildcard selftests/policies/*.bpf.c))
BPF_HDRS := $(wildcard bpf/*.h) include/uapi/gpucore_sched.h include/uapi/gpucore_limits.h $(BPF_OUT)/vmlinux.h

bpf: $(POLICIES) $(BROKEN_POLICIES)

$(BPF_OUT)/vmlinux.h: kmod/gpucore.ko
	$(Q)mkdir -p $(BPF_OUT)
	$(Q)$(BPFTOOL) btf dump file kmod/gpucore.ko -B $(VMLINUX_BTF) format c > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else echo "  BTF      $@"; mv $@.tmp $@; fi

kmod/gpucore.ko: kmod

%.bpf.o: %.bpf.c $(BPF_HDRS)
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# ---- gpustat: the monitor and its telemetry BPF program ----------------
# userspace/gpustat/gpustat.bpf.c (kept out of bpf/, which holds policies)
# becomes a skeleton header, build/gpustat.skel.h, that the binary embeds.
GPUSTAT_DIR := userspace/gpustat
GPUSTAT_SKEL := build/gpustat.skel.h
gpustat_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw libmicrohttpd 2>/dev/null)
gpustat_LIBS := $(BPF_LIBS) $(JSON_LIBS) \
	$(shell $(PKG_CONFIG) --libs ncursesw libmicrohttpd 2>/dev/null) -lpthread -lm
gpustat_DEPS := $(GPUSTAT_SKEL)

build/gpustat.bpf.o: $(GPUSTAT_DIR)/gpustat.bpf.c $(GPUSTAT_DIR)/gpustat.h include/uapi/gpucore_limits.h \
		    include/uapi/gpucore_hist.h $(BPF_OUT)/vmlinux.h
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(GPUSTAT_DIR) -c $< -o $@

$(GPUSTAT_SKEL): build/gpustat.bpf.o
	$(msg) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name gpustat_bpf > $@.tmp && mv $@.tmp $@
# ---- end of gpustat --------------------------------------------------------

test: deps
	$(Q)$(MAKE) -j$(NPROC) all
	$(Q)selftests/run $(T)

# gpucore.ko as a virtual machine's driver: QEMU inside the test guest, a
# vGPU attached through VFIO (TCG inside TCG; docs/testing.md gives its time).
test-vm: deps
	$(Q)$(MAKE) -j$(NPROC) all
	$(Q)VMRUN_TIMEOUT=$${VMRUN_TIMEOUT:-5400} selftests/run selftests/nested/vm.bats

demo: deps
	$(Q)$(MAKE) -j$(NPROC) all
	$(Q)scripts/demo.sh

bench: deps
	$(Q)$(MAKE) -j$(NPROC) all
	$(Q)bench/run

# ---- the debug kernel lane ---------------------------------------------
# scripts/debug-kernel.sh builds the kernel once per machine
# (selftests/vm/debug.config) into $(GPUCORE_CACHE)/kernel-debug; the module
# is built for it from a copy of kmod/ in .cache/kmod-debug, so the stock
# build in kmod/ is left alone.
GPUCORE_CACHE ?= /var/cache/gpucore
export GPUCORE_CACHE
DEBUG_KCACHE := $(GPUCORE_CACHE)/kernel-debug
DEBUG_KMOD := $(TOP)/.cache/kmod-debug/kmod
KMOD_SRCS := $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) kmod/Kbuild

debug-kernel: deps
	$(Q)scripts/debug-kernel.sh

kmod-debug:
	$(Q)test -e $(DEBUG_KCACHE)/build/Makefile || { echo "make: no debug kernel: run 'make debug-kernel'" >&2; exit 1; }
	$(Q)mkdir -p $(DEBUG_KMOD)
	$(Q)ln -sfn $(TOP)/include $(TOP)/.cache/kmod-debug/include
	$(Q)cp -p $(KMOD_SRCS) $(DEBUG_KMOD)/
	$(Q)$(MAKE) -C $(DEBUG_KCACHE)/build M=$(DEBUG_KMOD) $(if $(filter 1,$(V)),V=1) modules

test-debug: debug-kernel
	$(Q)$(MAKE) all kmod-debug
	$(Q)selftests/run --debug $(T)

# What CI runs on the debug kernel: the whole suite takes well over an hour
# there (KASAN, lockdep and kmemleak make each process start ~20x slower
# under TCG; the measured figure is in docs/reliability.md), so CI takes
# the suites aimed at the driver's failure paths.
DEBUG_CI_SUITES := selftests/faults.bats selftests/debug/kfaults.bats \
	selftests/fuzz.bats selftests/stress.bats
test-debug-ci: debug-kernel
	$(Q)$(MAKE) all kmod-debug
	$(Q)selftests/run --debug $(DEBUG_CI_SUITES)

SOAK_SECS ?= 1800
soak: deps
	$(Q)$(MAKE) all
	$(Q)selftests/vm/vmrun -c 2 -m 2048 -t $$(($(SOAK_SECS) + 900)) -- selftests/stress/stress.sh -t $(SOAK_SECS) -w $${SOAK_WORKERS:-6}

# udev and systemd read rules and units from /etc (or /lib), whatever PREFIX
# is; the units (systemd/*.in) name the tools under PREFIX and the
# configuration under CONF_DIR. An installed configuration is kept: the one
# installed first is docs/gpucore.conf, every line a comment.
UDEV_RULES_DIR ?= /etc/udev/rules.d
SYSTEMD_UNIT_DIR ?= /etc/systemd/system
CONF_DIR ?= /etc/gpucore
MAN_DIR ?= $(PREFIX)/share/man
UNITS := $(patsubst systemd/%.in,build/systemd/%,$(wildcard systemd/*.in))

# Generated at install time, so PREFIX and CONF_DIR are the install's.
.PHONY: $(UNITS)
$(UNITS): build/systemd/%: systemd/%.in
	$(Q)mkdir -p build/systemd
	$(Q)sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@CONF_DIR@|$(CONF_DIR)|g' $< > $@

install: all $(UNITS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/gpucore/bpf $(DESTDIR)$(UDEV_RULES_DIR) \
		$(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(CONF_DIR) $(DESTDIR)$(MAN_DIR)/man1 $(DESTDIR)$(MAN_DIR)/man8
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(POLICIES) $(DESTDIR)$(PREFIX)/lib/gpucore/bpf/
	install -m 644 udev/73-gpucore.rules $(DESTDIR)$(UDEV_RULES_DIR)/
	install -m 644 $(UNITS) $(DESTDIR)$(SYSTEMD_UNIT_DIR)/
	test -e $(DESTDIR)$(CONF_DIR)/gpucore.conf || install -m 644 docs/gpucore.conf $(DESTDIR)$(CONF_DIR)/
	install -m 644 man/*.1 $(DESTDIR)$(MAN_DIR)/man1/
	install -m 644 man/*.8 $(DESTDIR)$(MAN_DIR)/man8/

clean:
	$(Q)if [ -e "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(TOP)/kmod clean; fi
	$(Q)rm -rf build $(TOOLS) $(TEST_PROGS) $(MULTI_TEST_PROGS) $(BENCH_PROGS) $(UNIT_TESTS) \
		bpf/*.bpf.o selftests/policies/*.bpf.o
