#!/usr/bin/env bats
# Generated reference documents match the sources they are generated from.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

@test "docs/kernel.md is the DOC blocks of the driver's sources (scripts/kernel-docs.sh)" {
	run "$BATS_TEST_DIRNAME/../../scripts/kernel-docs.sh" --check
	assert_success
}
