#!/bin/bash
# The ioctl ABI of include/uapi/gpucore.h as TAP: every case of
# selftests/progs/abi_test that runs on one node (abi_test all), a test
# each, named by its description. Each negative case makes an otherwise
# valid call with exactly one thing broken and checks the exact errno and
# that nothing changed; a case that leaves the GPU's job timeout changed
# fails. The cases across vGPUs run from vgpu.bats. Runs in the guest, as
# root (selftests/run runs it before the bats files).
#
# The cases are written once, in selftests/progs/abi/ (TEST()); abi_test
# forks a process per case, where a bats test per case cost the TCG guest
# a second each before it started.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../scripts/gpucore-lib.sh"
abi_test=$here/progs/abi_test

# tap OK NAME: one more test of the plan printed at the end.
n=0 rc=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi
}

if [ ! -x "$abi_test" ]; then
	tap 1 "abi_test is built (make tools)"
elif ! { gpucore_unload && gpucore_load; }; then
	tap 1 "the driver loads for the ABI cases"
else
	# abi_test's own plan is replaced by this file's, at the end
	planned=-1
	while IFS= read -r line; do
		case $line in
		1..*) planned=${line#1..}; continue ;;
		"ok "*) n=$((n + 1)) ;;
		"not ok "*) n=$((n + 1)); rc=1 ;;
		esac
		printf '%s\n' "$line"
	done < <("$abi_test" all 2>&1)
	[ "$n" = "$planned" ] || tap 1 "abi_test ran the $planned cases it planned (it ran $n)"
	gpucore_unload
	tap $? "the driver unloads after the ABI cases"
fi
echo "1..$n"
exit $rc
