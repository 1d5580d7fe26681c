#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# iommuctl held, on the host: what it says when it is not run under apply -- COMMAND, when a
# name was not handed over, when an argument is wrong, and when the fd is no iommufd.  The
# real work (dirty pages, unmap on the kernel's mock) is in tests/bats/vm/apply.bats.
load helpers

@test "held outside apply -- COMMAND: exit 2, saying where to run it" {
	run --separate-stderr ictl held dirty dirty 0x1000000 2M
	assert_failure 2
	assert_equal "$stderr" "iommuctl: no IOMMUCTL_OBJECTS names hwpt 'dirty'; run under 'iommuctl apply SPEC -- COMMAND'"
	IOMMUCTL_OBJECTS="dirty=7" run --separate-stderr ictl held dirty dirty 0x1000000 2M
	assert_failure 2
	[[ $stderr == *"no IOMMUCTL_IOMMUFD: 'held' acts on the iommufd that 'iommuctl apply SPEC -- COMMAND' hands to COMMAND"* ]] ||
		fail "$stderr"
	run --separate-stderr ictl held objects
	assert_failure 2
}

@test "held: a name not handed over exits 4; bad sizes and alignment exit 2" {
	export IOMMUCTL_OBJECTS="ram=1 dirty=7" IOMMUCTL_MAPPINGS="buf=0x1000000"
	run --separate-stderr ictl held dirty nosuch buf 2M
	assert_failure 4
	[[ $stderr == *"no hwpt 'nosuch' in IOMMUCTL_OBJECTS"* ]] || fail "$stderr"
	run --separate-stderr ictl held unmap ram nosuch 4K
	assert_failure 2
	[[ $stderr == *"'nosuch' is neither a number nor a mapping of IOMMUCTL_MAPPINGS"* ]] || fail "$stderr"
	exec 9</dev/null
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl held dirty dirty buf 2M --page-size 3K
	assert_failure 2
	[[ $stderr == *"page size 0xc00: give a power of two of at least 4K"* ]] || fail "$stderr"
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl held dirty dirty 0x1000800 2M
	assert_failure 2
	[[ $stderr == *"give a range aligned to the page size"* ]] || fail "$stderr"
}

@test "held: an fd that is no iommufd: the kernel's answer, naming the ioctl, no crash" {
	export IOMMUCTL_OBJECTS="ram=1 dirty=7" IOMMUCTL_MAPPINGS="buf=0x1000000"
	exec 9</dev/null
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl held dirty dirty buf 2M
	assert_failure
	[ "$status" -lt 128 ] || fail "killed by a signal: $status"
	[[ $stderr == *"IOMMU_HWPT_GET_DIRTY_BITMAP"* ]] || fail "$stderr"
	IOMMUCTL_IOMMUFD=9 run --separate-stderr ictl --json held unmap ram buf 4K
	assert_failure
	[ "$status" -lt 128 ] || fail "killed by a signal: $status"
	jq -e '.error.message | test("IOMMU_IOAS_UNMAP")' <<<"$output"
}

@test "held objects: the names handed over, in text and JSON" {
	export IOMMUCTL_OBJECTS="m0=3 guest-ram=1 s2=6" IOMMUCTL_MAPPINGS="buf=0x1000000 scratch=0x1200000"
	run ictl held objects
	assert_success
	assert_line --regexp '^object +guest-ram +1$'
	assert_line --regexp '^mapping +scratch +0x1200000$'
	run ictl --json held objects
	assert_success
	assert_equal "$(jq -c '[.objects.s2, .mappings.buf]' <<<"$output")" '[6,"0x1000000"]'
}
