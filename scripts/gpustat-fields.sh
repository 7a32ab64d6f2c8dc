#!/bin/bash
# docs/gpustat.md's field reference is the output of
# `gpustat --list-fields` (userspace/gpustat/fields.c), first line to last.
# This rewrites it there from the built binary; with --check it only
# compares (selftests/gpustat.bats), printing the difference.
set -euo pipefail
cd "$(dirname "$0")/.."
DOC=docs/gpustat.md
new=$(mktemp)
trap 'rm -f "$new"' EXIT
userspace/gpustat/gpustat --list-fields > "$new"
first=$(head -n 1 "$new")
last=$(tail -n 1 "$new")
# block: the document's lines from the first line to the last, inclusive
block() { awk -v a="$first" -v b="$last" '$0 == a { on = 1 } on { print } $0 == b { on = 0 }' "$DOC"; }
if [ "${1:-}" = --check ]; then
	diff -u <(block) "$new" && exit 0
	echo "$DOC's field reference is not gpustat --list-fields: run $0" >&2
	exit 1
fi
if ! grep -qxF -- "$first" "$DOC"; then
	echo "$DOC has no line '$first' to put the field reference at" >&2
	exit 1
fi
awk -v a="$first" -v b="$last" '
	FNR == NR { text = text $0 "\n"; next }
	$0 == a { printf "%s", text; skip = 1; next }
	skip { if ($0 == b) skip = 0; next }
	{ print }' "$new" "$DOC" > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"
