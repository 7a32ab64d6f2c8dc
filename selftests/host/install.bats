#!/usr/bin/env bats
# make install, and what it installs beside the tools: the systemd units
# pass systemd-analyze verify, the man pages render without a warning and
# each names every option its tool's --help lists (so they cannot drift).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# One install for the file, under a prefix of its own: the units then name
# tools and a configuration that exist, as on an installed system. make test
# has built everything; -o kmod spares kbuild's seconds of checking so.
setup_file() {
	I=$BATS_FILE_TMPDIR/i
	export I
	make -C "$REPO" -s -o kmod install PREFIX="$I/usr" SYSTEMD_UNIT_DIR="$I/units" \
		CONF_DIR="$I/etc" UDEV_RULES_DIR="$I/udev" >/dev/null
}

# options HELP-TEXT: each option (-x, --long) the text lists, once.
options() {
	grep -oE '(^|[][ ,(|])(--[a-z][a-z-]*|-[a-zA-Z])([]=[:space:],|)]|$)' <<<"$1" |
		grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u
}

# man_text PAGE: the page's source with roff's \- as -, fonts dropped.
man_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$REPO/man/$1"
}

# assert_options PAGE HELP-TEXT: every option of the text is in the page.
assert_options() {
	local page text opt missing=()
	page=$(man_text "$1")
	text=$2
	[ -n "$(options "$text")" ]
	for opt in $(options "$text"); do
		grep -qE -- "(^|[^-a-zA-Z0-9])$opt([^-a-zA-Z0-9]|\$)" <<<"$page" || missing+=("$opt")
	done
	[ ${#missing[@]} -eq 0 ] || fail "$1 lacks ${missing[*]}"
}

@test "make install puts the tools, policies, units, man pages and a commented configuration in place, and keeps an edited one" {
	for f in usr/bin/gpusched usr/bin/gpustat usr/bin/gpuload usr/lib/gpucore/bpf/fairshare.bpf.o \
		units/gpucore.service units/gpustat-exporter.service udev/73-gpucore.rules \
		usr/share/man/man8/gpusched.8 usr/share/man/man8/gpustat.8 usr/share/man/man1/gpuload.1; do
		[ -e "$I/$f" ] || fail "$f not installed"
	done
	cmp "$REPO/docs/gpucore.conf" "$I/etc/gpucore.conf"
	run grep -v '^#' "$I/etc/gpucore.conf"
	refute_output --regexp '[^[:space:]]'
	grep -qx "ExecStart=$I/usr/bin/gpusched apply $I/etc/gpucore.conf" "$I/units/gpucore.service"
	grep -q "^ExecStart=$I/usr/bin/gpustat --prometheus " "$I/units/gpustat-exporter.service"
	echo '[vgpu mine]' >> "$I/etc/gpucore.conf"
	make -C "$REPO" -s -o kmod install PREFIX="$I/usr" SYSTEMD_UNIT_DIR="$I/units" \
		CONF_DIR="$I/etc" UDEV_RULES_DIR="$I/udev" >/dev/null
	grep -qx '\[vgpu mine\]' "$I/etc/gpucore.conf"
}

@test "systemd-analyze verify accepts the installed units" {
	run systemd-analyze verify --man=no "$I"/units/*.service
	assert_success
	assert_output ""
}

@test "the man pages render without a warning" {
	local page
	for page in "$REPO"/man/*.[18]; do
		run groff -man -Tutf8 -ww -z "$page"
		assert_success
		assert_output ""
	done
}

@test "gpusched(8) names every option of gpusched's and its commands' --help" {
	local g=$REPO/userspace/gpusched/gpusched text cmd
	text=$("$g" --help)
	for cmd in load unload status list vgpu apply dump; do
		text+=$'\n'$("$g" $cmd --help)
	done
	assert_options gpusched.8 "$text"
}

@test "gpustat(8) names every option of gpustat --help" {
	assert_options gpustat.8 "$("$REPO/userspace/gpustat/gpustat" --help)"
}

@test "gpuload(1) names every option of gpuload --help" {
	assert_options gpuload.1 "$("$REPO/userspace/gpuload/gpuload" --help)"
}
