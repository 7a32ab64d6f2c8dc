#!/bin/bash
# Build the gpucore debug test kernel once per machine (make test-debug).
#
# Source: Debian's linux-source-6.12 (apt-get download, unpacked into the
# cache; nothing is installed on the host). Config: x86_64_defconfig with
# selftests/vm/debug.config merged on top (KASAN, lockdep, kmemleak, UBSAN,
# debug objects, fault injection, and what the guest and driver need).
# The cache is per machine, outside any clone, so a fresh clone (CI) finds
# it: $GPUCORE_CACHE/kernel-debug, by default /var/cache/gpucore/kernel-debug,
# laid out like the stock test kernel's cache:
#
#   release                 the kernel release
#   root/boot/vmlinuz-REL   what vmrun boots
#   root/lib/modules/REL    its modules (and modules.dep)
#   build                   the kbuild tree (KDIR for the module)
#
# The build is skipped when the cache was made from the same fragment and
# source version. It took 23 minutes on this project's 2-core machines.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cache=${GPUCORE_CACHE:-/var/cache/gpucore}/kernel-debug
frag=$here/selftests/vm/debug.config
patches=$here/selftests/vm/patches
jobs=${JOBS:-$(nproc)}

die() { echo "debug-kernel: $*" >&2; exit 1; }

# The cache key: the fragment and the source package version.
src_version() { apt-cache policy linux-source-6.12 2>/dev/null | awk '/Candidate:/ {print $2}'; }

fetch_source() {
	local ver=$1 tmp
	[ -d "$cache/src/linux-$ver" ] && return 0
	echo "debug-kernel: fetching linux-source-6.12 $ver"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "linux-source-6.12=$ver" >/dev/null 2>&1) ||
		die "apt-get download linux-source-6.12=$ver failed: run 'make deps' (bookworm-security must be in the apt sources)"
	dpkg-deb -x "$tmp"/linux-source-6.12_*.deb "$tmp/x"
	rm -rf "$cache/src" "$cache/applied"
	mkdir -p "$cache/src/linux-$ver"
	echo "debug-kernel: unpacking the source"
	tar -xJf "$tmp/x/usr/src/linux-source-6.12.tar.xz" -C "$cache/src/linux-$ver" --strip-components=1
	rm -rf "$tmp"
}

# Kernel fixes found by this lane (selftests/vm/patches/*.patch), applied
# to the source. A changed set is swapped in place (the old set reversed
# first), so only the files they touch are rebuilt.
apply_patches() {
	local src=$1 applied=$cache/applied p
	mkdir -p "$applied"
	if diff -rq "$applied" "$patches" >/dev/null 2>&1; then
		return 0
	fi
	for p in $(ls -r "$applied"/*.patch 2>/dev/null); do
		patch -s -R -p1 -d "$src" < "$p" || die "cannot reverse $p"
		rm "$p"
	done
	for p in "$patches"/*.patch; do
		[ -e "$p" ] || continue
		echo "debug-kernel: applying ${p#$here/}"
		patch -s -N -p1 -d "$src" < "$p" || die "cannot apply $p to the kernel source"
		cp "$p" "$applied/"
	done
}

# Every =y line of the fragment must hold in the final .config.
check_config() {
	local cfg=$1 opt bad=
	for opt in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$frag"); do
		grep -qx "$opt=y" "$cfg" || bad="$bad $opt"
	done
	[ -z "$bad" ] || die "these options of $frag did not take effect (a missing dependency?):$bad"
}

main() {
	local ver key src build kver
	[ -r "$frag" ] || die "missing $frag"
	ver=$(src_version)
	[ -n "$ver" ] || die "apt does not know linux-source-6.12: run 'make deps' first"
	key="$ver $(cat "$frag" "$patches"/*.patch 2>/dev/null | sha256sum | cut -c1-16)"
	if [ "$(cat "$cache/key" 2>/dev/null)" = "$key" ] && [ -s "$cache/release" ] &&
	   [ -e "$cache/root/boot/vmlinuz-$(cat "$cache/release")" ]; then
		echo "debug-kernel: cached ($(cat "$cache/release"))"
		return 0
	fi
	mkdir -p "$cache"
	fetch_source "$ver"
	src=$cache/src/linux-$ver
	apply_patches "$src"
	build=$cache/build
	mkdir -p "$build"
	echo "debug-kernel: configuring (x86_64_defconfig + ${frag#$here/})"
	make -s -C "$src" O="$build" x86_64_defconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$frag" >/dev/null
	make -s -C "$src" O="$build" olddefconfig >/dev/null
	check_config "$build/.config"
	echo "debug-kernel: building with $jobs jobs (log: $cache/build.log)"
	local t0=$SECONDS
	make -C "$src" O="$build" -j"$jobs" bzImage modules > "$cache/build.log" 2>&1 ||
		{ tail -n 30 "$cache/build.log" >&2; die "kernel build failed (see $cache/build.log)"; }
	kver=$(make -s -C "$src" O="$build" kernelrelease)
	rm -rf "$cache/root"
	mkdir -p "$cache/root/boot"
	make -C "$src" O="$build" INSTALL_MOD_PATH="$cache/root" modules_install >> "$cache/build.log" 2>&1 ||
		die "modules_install failed (see $cache/build.log)"
	cp "$build/arch/x86/boot/bzImage" "$cache/root/boot/vmlinuz-$kver"
	cp "$build/.config" "$cache/root/boot/config-$kver"
	echo "$kver" > "$cache/release"
	echo "$key" > "$cache/key"
	echo "debug-kernel: built $kver in $(( (SECONDS - t0) / 60 )) min"
}

main "$@"
