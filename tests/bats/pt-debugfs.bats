#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# iommuctl pt dump|validate --debugfs DEVICE [--pasid PASID] --sysroot DIR: the kernel's
# tables as Intel's debugfs prints them (domain_translation_struct), read from a capture
# made here, with the kernel's own line formats. The real kernel's dumps are checked in
# tests/bats/vm/ptlive.bats.
load helpers

HDR=$'IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE'
DBG=sys/kernel/debug/iommu/intel

# line PFN ENTRIES...: one entry line as the kernel prints it
line() {
	local pfn=$1 e
	shift
	printf '0x%013x |' "$pfn"
	for e in "$@"; do printf '\t0x%016x' "$e"; done
	printf '\n'
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	S=$BATS_TEST_TMPDIR/root
	mkdir -p "$S/$DBG/0000:00:04.0/1f" "$S/sys/bus/pci/devices/0000:00:04.0" \
		"$S/sys/bus/pci/devices/0000:00:05.0"
	# a first-stage table as Linux makes it: 4K at 0x100000 (rw), 4K at 0x380000 (read-only),
	# 2M at 0x400000
	{
		echo "Device 0000:00:04.0 with pasid 0 @0x2f6c000"
		echo "$HDR"
		line 0x100 0 0x2c00027 0x2fea027 0x3000027 0x5000067
		line 0x380 0 0x2c00027 0x2fea027 0x3001027 0x6000025
		line 0x400 0 0x2c00027 0x2fea027 0x70000e7
	} >"$S/$DBG/0000:00:04.0/domain_translation_struct"
	# PASID 0x1f: a second-stage table of 3 levels with one 4K page
	{
		echo "Device 0000:00:04.0 with pasid 1f @0x1000"
		echo "$HDR"
		line 0x200 0 0 0x2003 0x3003 0x9000003
	} >"$S/$DBG/0000:00:04.0/1f/domain_translation_struct"
}

@test "pt dump --debugfs: the translations of the device's table in a capture" {
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 00:04.0
	assert_success
	assert_equal "$output" "$(printf '%s\n' \
		'IOVA               LAST               PHYS                 SIZE        PAGES PERMS' \
		'0x100000           0x100fff           0x5000000              4K         1x4K rwx' \
		'0x380000           0x380fff           0x6000000              4K         1x4K r-x' \
		'0x400000           0x5fffff           0x7000000              2M         1x2M rwx')"
}

@test "pt dump --debugfs --json: the format it inferred, the root and the source" {
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" --json pt dump --debugfs 0000:00:04.0
	assert_success
	run jq -r '"\(.source)|\(.format)|\(.root)|\(.translations | length)"' <<<"$output"
	assert_output "debugfs of 0000:00:04.0|x86-64,levels=4,oas=52,sign-extend=1|0x2f6c000|3"
}

@test "pt dump --debugfs --pasid: the table of a PASID (its directory is in hex)" {
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" --json pt dump --debugfs 0000:00:04.0 --pasid 31
	assert_success
	run jq -r '"\(.format | split(",")[0:2] | join(","))|\(.translations[0].iova)|\(.translations[0].phys)"' <<<"$output"
	assert_output "vtd-ss,levels=3|0x200000|0x9000000"
}

@test "pt validate --debugfs: the kernel's table against a mapping file" {
	printf '0x100000 4K 0x5000000 rwx\n0x380000 4K 0x6000000 rx\n0x400000 2M 0x7000000 rwx\n' >m.txt
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 0000:00:04.0 --mappings m.txt
	assert_success
	printf '0x100000 4K 0x5001000 rwx\n0x380000 4K 0x6000000 rx\n0x400000 2M 0x7000000 rwx\n' >m.txt
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 0000:00:04.0 --mappings m.txt
	assert_failure 1
	assert_output --partial "0x100000"
}

@test "pt dump --debugfs: what is missing has its own exit status and says what it is" {
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 0000:00:05.0
	assert_failure 3
	assert_equal "$stderr" "iommuctl: no Intel VT-d unit translates for 0000:00:05.0 (no /$DBG/0000:00:05.0)"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 0000:00:09.0
	assert_failure 4
	assert_equal "$stderr" "iommuctl: no such device 0000:00:09.0"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 0000:00:04.0 --pasid 2
	assert_failure 4
	assert_equal "$stderr" "iommuctl: 0000:00:04.0 has no domain attached at PASID 2 (no /$DBG/0000:00:04.0/2/domain_translation_struct)"
	: >"$S/$DBG/0000:00:04.0/domain_translation_struct"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 0000:00:04.0
	assert_failure 4
	assert_equal "$stderr" "iommuctl: /$DBG/0000:00:04.0/domain_translation_struct shows no page table: the domain is identity (passthrough) or blocking, or one the kernel does not walk (a nested first stage)"
}

@test "pt dump --debugfs: a dump the kernel changed while printing it is refused, with its line" {
	line 0x101 0 0x2c00027 0x2fea027 0x3000067 0x5001067 >>"$S/$DBG/0000:00:04.0/domain_translation_struct"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 0000:00:04.0
	assert_failure
	assert_output ""
	assert_equal "$stderr" "iommuctl: /$DBG/0000:00:04.0/domain_translation_struct line 6: PDE[0] at 0x2fea000 is 0x0000000003000067 here and 0x0000000003000027 on an earlier line: the table changed while the kernel printed it (read it again)"
}

@test "pt dump --debugfs: usage errors" {
	run --separate-stderr "$IOMMUCTL" pt dump --debugfs 0000:00:04.0 --root 0x1000
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "iommuctl pt dump: --debugfs reads the root from the kernel: --root goes without it"
	run --separate-stderr "$IOMMUCTL" pt dump --debugfs 0000:00:04.0 t.img
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "iommuctl pt dump: --debugfs reads the kernel's table: give no IMAGE, --raw or --elf with it"
	run --separate-stderr "$IOMMUCTL" pt dump --debugfs 0000:00:04.0 --glx 1
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "iommuctl pt dump: --glx goes with --gcr3"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt dump --debugfs 0000:00:04.0 --format amd-v1
	assert_failure 2
	assert_output ""
}
