#!/bin/bash
# gpucore dependencies: the only place anything is installed.
#
#  - Debian packages from scripts/packages.txt ("@bpo" = bookworm-backports);
#  - bookworm-backports added by reusing the URI of the machine's own
#    Debian apt source (no mirror host is written in this repository);
#  - the 6.12 test kernel (image, headers arch+common, kbuild) fetched with
#    apt-get download and unpacked into .cache/kernel/root; nothing goes
#    into the host's /boot or /lib/modules.
#
# Idempotent; when everything is in place it only checks and exits.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
pkglist=$here/scripts/packages.txt
cache=$here/.cache/kernel
kflavour=amd64
kmeta=linux-image-6.12-$kflavour

die() { echo "deps: $*" >&2; exit 1; }

check_host() {
	[ "$(id -u)" = 0 ] ||
		die "must run as root (it installs Debian packages): try 'sudo make deps'"
	[ -r /etc/os-release ] || die "cannot read /etc/os-release: Debian 12 (bookworm) is required"
	. /etc/os-release
	[ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ] ||
		die "Debian 12 (bookworm) is required (found ${PRETTY_NAME:-unknown}); on another system install the packages listed in scripts/packages.txt, libbpf >= 1.4, bpftool >= 7.4, qemu, and a 6.12 kernel's image and headers, then set KDIR and VMRUN_KERNEL"
	[ "$(dpkg --print-architecture)" = amd64 ] || die "only amd64 is supported"
}

# Package names without the @bpo marker, split by origin.
pkgs_main() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkglist" | grep -v '@bpo' | xargs; }
pkgs_bpo() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkglist" | grep '@bpo' | sed 's/@bpo//' | xargs; }

missing_pkgs() {
	local p
	for p in $(pkgs_main) $(pkgs_bpo); do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

# The URI of the machine's own Debian archive (deb822 or one-line format).
debian_uri() {
	local uri
	uri=$(grep -hs -A3 -E '^Types:.*deb' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ {print $2}' | grep -v -e security -e backports | head -n1 || true)
	if [ -z "$uri" ]; then
		uri=$(grep -hs -E '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			grep -E '[[:space:]]bookworm[[:space:]]' | awk '{print $2}' | head -n1 || true)
	fi
	[ -n "$uri" ] || die "no Debian bookworm apt source found to derive bookworm-backports from; add one to /etc/apt/sources.list"
	echo "$uri"
}

have_backports() {
	grep -hqs -E 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}

add_backports() {
	have_backports && return 0
	local uri
	uri=$(debian_uri)
	echo "deps: adding bookworm-backports from $uri"
	cat > /etc/apt/sources.list.d/gpucore-backports.sources <<EOS
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
	apt_updated=
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	echo "deps: apt-get update"
	apt-get update -qq
	apt_updated=1
}

install_pkgs() {
	[ -z "$(missing_pkgs)" ] && return 0
	apt_update
	export DEBIAN_FRONTEND=noninteractive
	echo "deps: installing $(missing_pkgs | xargs)"
	apt-get install -y -qq --no-install-recommends $(pkgs_main) >/dev/null
	apt-get install -y -qq --no-install-recommends -t bookworm-backports $(pkgs_bpo) >/dev/null
	[ -z "$(missing_pkgs)" ] || die "packages still missing after install: $(missing_pkgs | xargs)"
}

# The kernel release currently cached, or nothing.
cached_kver() { cat "$cache/release" 2>/dev/null || true; }

fetch_kernel() {
	local kver root tmp img
	kver=$(cached_kver)
	if [ -n "$kver" ] && [ -e "$cache/root/boot/vmlinuz-$kver" ] &&
	   [ -e "$cache/root/lib/modules/$kver/modules.dep" ] &&
	   [ -e "$cache/root/usr/src/linux-headers-$kver/vmlinux" ]; then
		return 0
	fi
	apt_update
	img=$(apt-cache depends "$kmeta" 2>/dev/null | awk '/Depends: linux-image-6\.12/ {print $2; exit}')
	[ -n "$img" ] || die "cannot resolve $kmeta: is bookworm-security (or backports) in the apt sources?"
	kver=${img#linux-image-}
	kver=${kver%-unsigned}
	local base=${kver%-$kflavour}
	echo "deps: fetching test kernel $kver"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q \
		"linux-image-$kver-unsigned" "linux-headers-$kver" \
		"linux-headers-$base-common" "linux-kbuild-$base" >/dev/null 2>&1) ||
		die "apt-get download of the $kver kernel packages failed"
	rm -rf "$cache/root"
	mkdir -p "$cache/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$cache/root"
	done
	rm -rf "$tmp"
	depmod -b "$cache/root" "$kver"
	# The arch headers include the common ones by absolute path: point
	# them at the cache instead, relative to where the Makefile is.
	sed -i "s|^include /usr/src/\(linux-headers-.*\)/Makefile|include \$(dir \$(realpath \$(lastword \$(MAKEFILE_LIST))))../\1/Makefile|" \
		"$cache/root/usr/src/linux-headers-$kver/Makefile"
	echo "$kver" > "$cache/release"
}

check_host
add_backports
install_pkgs
fetch_kernel
echo "deps: ok (test kernel $(cached_kver))"
