#!/bin/bash
# make demo: boot the test kernel in QEMU and run the main job end to end
# (scripts/demo-guest.sh) inside it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$here/.cache/demo"
exec "$here/selftests/vm/vmrun" -c 2 -m 2048 -t 900 -l "$here/.cache/demo/klog" \
	-- scripts/demo-guest.sh
