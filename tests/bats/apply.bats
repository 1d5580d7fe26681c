#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# apply --check: the examples against the fixtures and saved hw_info blobs (clean, or the
# refusal that names the register field), a table of bad specs (each with its exact
# file:line:column, exit 2, and nothing changed), bad files, the JSON schema, the options.
# shellcheck disable=SC2016
load helpers

EX=$ROOT/examples

setup_file() {
	B=$BATS_FILE_TMPDIR
	# VT-d with nesting: QEMU's cap 0xd2008c22260286 plus FL1GP (bit 56) and FL5LP (60);
	# its scalable-mode ecap 0x480080f00f4a (QI, IR, PT, SRS 31, SMTS 43, SLTS 46) plus
	# NEST 26, EAFS 34, PSS 19 (bits 39:35), PASID 40, SLADS 45, FLTS 47, SMPWCS 48.
	blob "$B/vtd-nest.bin" 0 4 0 4 $((0xd2008c22260286 | 1 << 56 | 1 << 60)) 8 \
		$((0x480080f00f4a | 1 << 26 | 1 << 34 | 19 << 35 | 1 << 40 | 1 << 45 | 1 << 47 | 1 << 48)) 8
	# SMMUv3 IDR0: S2P 0, S1P 1, TTF AArch64 (2 << 2), COHACC 4, HTTU 2 (2 << 6), ATS 10,
	# ASID16 12, MSI 13, VMID16 18, CD2L 19, TTENDIAN little (2 << 21), ST_LEVEL 2-level
	# (1 << 27); IDR1: SIDSIZE 16, SSIDSIZE 20 (20 << 6); IDR3: FWB 8, RIL 10; IDR5: OAS
	# 48-bit (5), GRAN4K 4, GRAN64K 6.
	local idr0=$((1 | 1 << 1 | 2 << 2 | 1 << 4 | 2 << 6 | 1 << 10 | 1 << 12 | 1 << 13 | 1 << 18 |
		1 << 19 | 2 << 21 | 1 << 27))
	blob "$B/smmu-nest.bin" 0 4 0 4 $idr0 4 $((16 | 20 << 6)) 4 0 4 $((1 << 8 | 1 << 10)) 4 0 4 \
		$((5 | 1 << 4 | 1 << 6)) 4 0 4 0 4
	# the same SMMU without S2FWB (IDR3.FWB 0): a vIOMMU only over a CANWBS root complex
	blob "$B/smmu-nofwb.bin" 0 4 0 4 $idr0 4 $((16 | 20 << 6)) 4 0 4 $((1 << 10)) 4 0 4 \
		$((5 | 1 << 4 | 1 << 6)) 4 0 4 0 4
	# the same SMMU with stage 1 only (S2P 0): no nesting
	blob "$B/smmu-s1.bin" 0 4 0 4 $((idr0 & ~1)) 4 $((16 | 20 << 6)) 4 0 4 $((1 << 8 | 1 << 10)) 4 \
		0 4 $((5 | 1 << 4 | 1 << 6)) 4 0 4 0 4
	export B
}

# check [IOMMUCTL ARGS...]: apply --check, stdout and stderr apart
check() { run --separate-stderr "$IOMMUCTL" "$@"; }
# stderr_has TEXT: $stderr holds TEXT
stderr_has() { [[ "$stderr" == *"$1"* ]] || fail "stderr lacks '$1': $stderr"; }

# --- the examples ---------------------------------------------------------------------

@test "examples: guest RAM with a paging HWPT is clean on the Intel server" {
	check --sysroot "$FIX/intel-server" apply --check "$EX/vmm-guest-ram.yaml"
	assert_success
	assert_output "$EX/vmm-guest-ram.yaml: ok: 0 errors, 0 warnings (against sysroot $FIX/intel-server)"
	assert_equal "$stderr" ""
}

@test "examples: Intel nesting is refused on QEMU's VT-d, naming ecap_reg.NEST and FLTS" {
	check --sysroot "$FIX/intel-server" apply --check "$EX/intel-nested.yaml"
	assert_failure 3
	assert_line "$EX/intel-nested.yaml:22:56: error: hwpts[0].flags[0]: nest-parent: the IOMMU of nvme0 (dmar0, intel-vtd) cannot be a nesting parent: ecap_reg.NEST (bit 26) = 0"
	assert_line --partial "hwpts[1].data.type: nested-stage1: the IOMMU of nvme0 (dmar0, intel-vtd) walks no nested stage-1 table: ecap_reg.FLTS (bit 47) = 0"
	assert_line --partial "not supported on this system: 2 errors, 0 warnings"
}

@test "examples: Intel nesting is clean on a VT-d with NEST, FLTS and SRS (a saved blob)" {
	check --sysroot "$FIX/intel-server" apply --check --hw-info "$B/vtd-nest.bin" --type intel-vtd \
		"$EX/intel-nested.yaml"
	assert_success
	assert_output --partial "ok: 0 errors, 0 warnings (against sysroot $FIX/intel-server, hw_info $B/vtd-nest.bin for every IOMMU)"
}

@test "examples: SMMUv3 nesting is clean with an SMMU that has both stages" {
	check --sysroot "$FIX/arm64-smmuv3" apply --check --hw-info "$B/smmu-nest.bin" --type arm-smmu-v3 \
		"$EX/smmuv3-nested.yaml"
	assert_success
	assert_output --partial "ok: 0 errors, 0 warnings"
}

@test "examples: SMMUv3 nesting is refused without stage 2, naming idr0.S2P" {
	check --sysroot "$FIX/arm64-smmuv3" apply --check --hw-info "$B/smmu-s1.bin" --type arm-smmu-v3 \
		"$EX/smmuv3-nested.yaml"
	assert_failure 3
	assert_line --partial "hwpts[0].flags[0]: nest-parent: the IOMMU of nic0 (smmu3.0x0000000009050000, arm-smmu-v3) cannot be a nesting parent: idr0.S2P (bit 0) = 0"
	assert_line --partial "viommus[0].type: viommu: the IOMMU of nic0 (smmu3.0x0000000009050000, arm-smmu-v3) has no vIOMMU (needs both stages: a nesting parent): idr0.S2P (bit 0) = 0"
}

@test "examples: SMMUv3 nesting without S2FWB: the vIOMMU hangs on IORT's CANWBS, which a blob does not tell" {
	check --sysroot "$FIX/arm64-smmuv3" apply --check --hw-info "$B/smmu-nofwb.bin" --type arm-smmu-v3 \
		"$EX/smmuv3-nested.yaml"
	assert_success
	assert_line --partial "warning: viommus[0].type: viommu: whether the kernel gives nic0 a vIOMMU is not known here: needs S2FWB or a CANWBS root complex"
	assert_line --partial "(idr3.FWB (bit 8) = 0, CANWBS unknown)"
	assert_output --partial "ok: 0 errors, 1 warning"
}

@test "examples: SMMUv3 without iommufd or a blob: the hardware checks are skipped, and it says why" {
	check --sysroot "$FIX/arm64-smmuv3" apply --check "$EX/smmuv3-nested.yaml"
	assert_success
	assert_line --partial "warning: devices[0].device: the checks of 0000:02:00.0's IOMMU are skipped: 0000:02:00.0: iommufd is missing"
	assert_line --partial "(give --hw-info FILE --type TYPE)"
	assert_line --partial "ok: 0 errors, 1 warning"
}

@test "examples: the AMD guest DTE is refused on the desktop: efr.GIOSup, and no vIOMMU type" {
	check --sysroot "$FIX/amd-desktop" apply --check "$EX/amd-guest.yaml"
	assert_failure 3
	assert_line --partial "hwpts[0].flags: nest-parent needs efr.GIOSup (Guest I/O protection support), which is 0 on this IOMMU"
	assert_line --partial "[efr.GIOSup (bit 48) = 0]"
	assert_line --partial "viommus[0]: amd-vi IOMMUs have no vIOMMU type in the kernel's uAPI"
}

@test "examples: a stage-1 table for VT-d nesting is refused on QEMU's VT-d, naming NEST and FLTS" {
	check --sysroot "$FIX/intel-server" apply --check "$EX/nested-page-tables.yaml"
	assert_failure 3
	assert_line --partial "hwpts[0].flags[0]: nest-parent: the IOMMU of nvme0 (dmar0, intel-vtd) cannot be a nesting parent: ecap_reg.NEST (bit 26) = 0"
	assert_line --partial "walks no nested stage-1 table: ecap_reg.FLTS (bit 47) = 0"
	assert_line --partial "not supported on this system: 2 errors, 0 warnings"
}

@test "examples: with NEST, --dry-run builds the table before the nested HWPT and passes its root" {
	check --sysroot "$FIX/intel-server" apply --dry-run --hw-info "$B/vtd-nest.bin" --type intel-vtd \
		"$EX/nested-page-tables.yaml"
	assert_success
	# its memory is mapped before the IOAS's own mappings (no IOVA the kernel picks lands
	# there), the table built once the guest RAM it points into is mapped, before any HWPT
	assert_line "    4. map the memory of table 'gt', 36K of memfd at 0x7ff00000 in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)"
	assert_line "    5. map 'ram', 1G of memfd at 0 in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)"
	assert_line "    6. build table 'gt' (x86-64,levels=4,oas=52,sign-extend=1, 3 mappings, root 0x7ff00000) into its memory"
	# struct iommu_hwpt_vtd_s1: flags (sre), pgtbl_addr (the table's root), addr_width 48
	assert_line "    9. allocate nested hwpt 's1' over hwpt 's2' for device 'nvme0', data from table 'gt': 0x1 0x7ff00000 0x30 (IOMMU_HWPT_ALLOC)"
	check --sysroot "$FIX/intel-server" --json apply --dry-run --hw-info "$B/vtd-nest.bin" \
		--type intel-vtd "$EX/nested-page-tables.yaml"
	jq_true '[.apply.steps[].what | select(startswith("build table") or startswith("map the memory of table"))] | length == 2'
}

@test "examples: an SMMUv3 table: its CD table in the table memory, the STE pointing at it" {
	check --sysroot "$FIX/arm64-smmuv3" apply --dry-run --hw-info "$B/smmu-nest.bin" --type arm-smmu-v3 \
		"$EX/smmuv3-nested-table.yaml"
	assert_success
	assert_line "    4. map the memory of table 'gt', 24K of memfd at 0x100000000 in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)"
	assert_line "    6. build table 'gt' (arm-lpae-s1,granule=4K,ias=48,oas=48, 2 mappings, root 0x100000000, CD table at 0x100005000) into its memory"
	# STE word 0: V, Config 0b101, S1ContextPtr 0x100005000; word 1: S1DSS, S1CIR, S1COR, S1CSH
	assert_line "   10. allocate nested hwpt 'ste' over viommu 'v0' for device 'nic0', data from table 'gt': 0x10000500b 0xd4 (IOMMU_HWPT_ALLOC)"
	check --sysroot "$FIX/arm64-smmuv3" apply --check --hw-info "$B/smmu-s1.bin" --type arm-smmu-v3 \
		"$EX/smmuv3-nested-table.yaml"
	assert_failure 3
	assert_line --partial "cannot be a nesting parent: idr0.S2P (bit 0) = 0"
}

@test "examples: an AMD guest table with its GCR3 table is refused on the desktop: efr.GIOSup" {
	check --sysroot "$FIX/amd-desktop" apply --check "$EX/amd-guest-table.yaml"
	assert_failure 3
	assert_line --partial "hwpts[0].flags: nest-parent needs efr.GIOSup"
	refute_line --partial "page_tables"
}

@test "page tables: what a nested HWPT's data may name, and how" {
	local f=$BATS_TEST_TMPDIR/t.yaml head
	head='devices: [{name: d, device: 00:02.0}]\nioas: [{name: r, mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: FORMAT, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 16K, to: m}]}]\nviommus: [{name: v, device: d, parent: p}]\nhwpts:\n  - {name: p, ioas: r, device: d, flags: [nest-parent]}\n'
	printf "${head//FORMAT/arm-lpae-s1}"'  - {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: t}}\n' >"$f"
	check --sysroot "$FIX/intel-server" apply --check "$f"
	assert_failure 2
	assert_line --partial "$f:7:68: error: hwpts[1].data.pgtbl: table t is arm-lpae-s1: VT-d's stage 1 walks x86-64 tables"
	printf "${head//FORMAT/x86-64}"'  - {name: n, viommu: v, device: d, data: {type: arm-smmuv3, table: t}}\n' >"$f"
	check --sysroot "$FIX/intel-server" apply --check "$f"
	assert_failure 2
	assert_line --partial "hwpts[1].data.table: table t is x86-64: an SMMUv3 CD points at arm-lpae-s1 tables"
	printf "${head//FORMAT/arm-lpae-s1}"'  - {name: n, viommu: v, device: d, data: {type: amd-guest, table: t}}\n' >"$f"
	check --sysroot "$FIX/intel-server" apply --check "$f"
	assert_failure 2
	assert_line --partial "hwpts[1].data.table: table t is arm-lpae-s1: AMD guest tables are x86-64"
	printf "${head//FORMAT/x86-64}"'  - {name: n, viommu: v, device: d, data: {type: amd-guest, table: t, glx: 1}}\n' >"$f"
	check --sysroot "$FIX/intel-server" apply --check "$f"
	assert_failure 2
	assert_line --partial "hwpts[1].data.glx: give table: (iommuctl writes the DTE) or the DTE's words or fields, not both"
	printf "${head//FORMAT/x86-64}"'  - {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: t}}\n  - {name: o, viommu: v, device: d, data: {type: amd-guest, table: t}}\n' >"$f"
	check --sysroot "$FIX/intel-server" apply --check "$f"
	assert_failure 2
	assert_line --partial "hwpts[2].data.table: table t is pointed at through its root by hwpts[1] already"
}

@test "examples: the selftest mock needs CONFIG_IOMMUFD_TEST, which no fixture has" {
	check --sysroot "$FIX/intel-server" apply --check "$EX/selftest-mock.yaml"
	assert_failure 3
	assert_line "$EX/selftest-mock.yaml:15:5: error: devices[0].mock: mock device m0 needs a kernel built with CONFIG_IOMMUFD_TEST (the iommufd selftest): $FIX/intel-server has no iommufd_selftest_iommu unit in /sys/class/iommu"
}

@test "examples: the DPDK-style IOAS is clean on the Intel server" {
	check --sysroot "$FIX/intel-server" apply --check "$EX/dpdk.yaml"
	assert_success
	assert_output --partial "ok: 0 errors, 0 warnings"
}

@test "examples: a device that is not there exits 4; with --hw-info it is only a warning" {
	check --sysroot "$FIX/virtio-guest" apply --check "$EX/dpdk.yaml"
	assert_failure 4
	assert_line "$EX/dpdk.yaml:12:13: error: devices[0].device: 0000:02:00.0 is not on this system (see 'iommuctl devices')"
	assert_line --partial "device missing: 1 error"
	check --sysroot "$FIX/virtio-guest" apply --check --hw-info "$B/vtd-nest.bin" --type intel-vtd \
		"$EX/dpdk.yaml"
	assert_success
	assert_line --partial "warning: devices[0].device: 0000:02:00.0 is not on this system: its group's reserved regions are not checked"
}

@test "reserved regions: a mapping on the MSI window is refused, naming the region and group" {
	cat >"$BATS_TEST_TMPDIR/msi.yaml" <<-'EOF'
	devices: [{name: nic, device: 0000:02:00.0}]
	ioas:
	  - name: r
	    mappings:
	      - {iova: 0xfee00000, size: 1M}
	attach: [{device: nic, ioas: r}]
	EOF
	check --sysroot "$FIX/intel-server" apply --check "$BATS_TEST_TMPDIR/msi.yaml"
	assert_failure 3
	assert_line --partial "msi.yaml:5:16: error: ioas[0].mappings[0].iova: 0xfee00000-0xfeefffff overlaps the msi region 0xfee00000-0xfeefffff of nic's group 10"
	assert_line --partial "[reserved region msi 0xfee00000-0xfeefffff of group 10]"
}

@test "json: findings with severity, class, line, column, path, message, source" {
	run --separate-stderr "$IOMMUCTL" --json --sysroot "$FIX/intel-server" apply --check "$EX/intel-nested.yaml"
	assert_failure 3
	assert_equal "$stderr" ""
	jq_true '.check.spec == "'"$EX"'/intel-nested.yaml" and .check.result == "not supported on this system"'
	jq_true '.check.errors == 2 and .check.warnings == 0 and .check.objects.hwpts == 2 and .check.objects.mappings == 1'
	jq_true '.check.findings[0] == {"severity": "error", "class": "host", "line": 22, "column": 56,
		"path": "hwpts[0].flags[0]", "message": "nest-parent: the IOMMU of nvme0 (dmar0, intel-vtd) cannot be a nesting parent: ecap_reg.NEST (bit 26) = 0",
		"source": "ecap_reg.NEST (bit 26) = 0"}'
	jq_true '.error.code == 3 and .error.errno == "EOPNOTSUPP"'
	run --separate-stderr "$IOMMUCTL" --json --sysroot "$FIX/intel-server" apply --check "$EX/dpdk.yaml"
	assert_success
	jq_true '.check.result == "ok" and .check.findings == [] and .error == null'
}

@test "json: a spec that does not parse is one finding, class spec, exit 2" {
	printf 'ioas: [{name: r, mappings: [{size: 1.5G}]}]\n' >"$BATS_TEST_TMPDIR/x.yaml"
	run --separate-stderr "$IOMMUCTL" --json apply --check "$BATS_TEST_TMPDIR/x.yaml"
	assert_failure 2
	jq_true '.check.result == "invalid" and .check.objects == null and .error.code == 2'
	jq_true '.check.findings == [{"severity": "error", "class": "spec", "line": 1, "column": 36,
		"path": "ioas[0].mappings[0].size", "message": "'"'"'1.5G'"'"' is not a size: write bytes, 0x..., or a number with K, M, G or T",
		"source": null}]'
}

# --- bad specs ------------------------------------------------------------------------
#
# Each case: "LINE:COLUMN|what the message says|the spec" (\n in the spec is a newline).
# Checked against a copy of the Intel server with its own state directory; afterwards
# neither has changed.
BAD=(
	'2:1|YAML syntax: did not find expected|ioas: [{name: r'
	'2:1|YAML syntax: found character that cannot start any token|ioas:\n\t- name: r'
	'1:1|unknown key '"'"'iosa'"'"'; the keys here are: version, options, devices|iosa: []'
	'1:18|ioas[0]: unknown key '"'"'mapings'"'"'|ioas: [{name: r, mapings: []}]'
	'1:40|ioas[0].mappings[0]: unknown key '"'"'perms'"'"'|ioas: [{name: r, mappings: [{size: 4K, perms: rw}]}]'
	'1:7|ioas: ioas must be a list|ioas: {name: r}'
	'1:28|ioas[0].mappings: mappings must be a list|ioas: [{name: r, mappings: 5}]'
	'1:36|ioas[0].mappings[0].size: needs a single value here, not a list|ioas: [{name: r, mappings: [{size: [1]}]}]'
	'1:30|ioas[0].huge_pages: '"'"'yes'"'"' is not true or false|ioas: [{name: r, huge_pages: yes}]'
	'1:36|ioas[0].mappings[0].iova: '"'"'-4096'"'"' is negative|ioas: [{name: r, mappings: [{iova: -4096, size: 4K}]}]'
	'1:36|ioas[0].mappings[0].size: '"'"'1.5G'"'"' is not a size|ioas: [{name: r, mappings: [{size: 1.5G}]}]'
	'1:36|ioas[0].mappings[0].size: '"'"'99999999999999999999'"'"' does not fit in 64 bits|ioas: [{name: r, mappings: [{size: 99999999999999999999}]}]'
	'1:36|ioas[0].mappings[0].size: '"'"'16777216T'"'"' does not fit in 64 bits|ioas: [{name: r, mappings: [{size: 16777216T}]}]'
	'1:36|ioas[0].mappings[0].size: '"'"'0x10M'"'"' is not a size|ioas: [{name: r, mappings: [{size: 0x10M}]}]'
	'1:15|ioas[0].name: '"'"'9lives'"'"' is not a name|ioas: [{name: 9lives}]'
	'1:15|ioas[0].name: '"'"'a23456789012345678901234567890123'"'"' is not a name|ioas: [{name: a23456789012345678901234567890123}]'
	'2:9|hwpts[0].name: the name '"'"'r'"'"' is taken: the IOAS at line 1 has it|ioas: [{name: r}]\nhwpts: [{name: r, ioas: r, device: r}]'
	'1:18|'"'"'name'"'"' is given twice in this mapping (first at line 1)|ioas: [{name: r, name: s}]'
	'2:25|hwpts[0].ioas: no IOAS is named '"'"'nope'"'"'|devices: [{name: d, device: 00:02.0}]\nhwpts: [{name: h, ioas: nope, device: d}]'
	'3:27|hwpts[0].parent: '"'"'r'"'"' is an IOAS, not a HWPT|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: h, parent: r, device: d, data: {type: intel-vtd, pgtbl: 0}}]'
	'4:5|hwpts[0]: circular: a -> b -> a|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts:\n  - {name: a, parent: b, device: d, data: {type: intel-vtd, pgtbl: 0}}\n  - {name: b, parent: a, device: d, data: {type: intel-vtd, pgtbl: 0}}'
	'1:57|ioas[0].mappings[1].iova: 0x1000-0x1fff overlaps mappings[0]|ioas: [{name: r, mappings: [{iova: 0, size: 8K}, {iova: 0x1000, size: 4K}]}]'
	'1:36|ioas[0].mappings[0].iova: 0x1800 is not 4 KiB aligned|ioas: [{name: r, mappings: [{iova: 0x1800, size: 4K}]}]'
	'1:45|ioas[0].mappings[0].size: 0x1770 is not a multiple of 4 KiB|ioas: [{name: r, mappings: [{iova: 0, size: 6000}]}]'
	'1:45|ioas[0].mappings[0].size: 0x300000 is not a multiple of 2 MiB|ioas: [{name: r, mappings: [{iova: 0, size: 3M, memory: hugetlb-2M}]}]'
	'1:36|ioas[0].mappings[0].iova: 0xfffffffffffff000 + size 0x2000 goes past 2^64|ioas: [{name: r, mappings: [{iova: 0xfffffffffffff000, size: 8K}]}]'
	'1:57|ioas[0].mappings[0].iova: 0x10000-0x10fff is not inside this IOAS'"'"'s allow ranges|ioas: [{name: r, allow: [0x0-0xffff], mappings: [{iova: 0x10000, size: 4K}]}]'
	'1:38|ioas[0].allow[1]: range 0x8000-0x1ffff overlaps allow[0]|ioas: [{name: r, allow: [0x0-0xffff, 0x8000-0x1ffff]}]'
	'1:26|ioas[0].allow[0]: range 0x1000-0x1000 is empty or backwards|ioas: [{name: r, allow: [0x1000-0x1000]}]'
	'1:86|ioas[0].mappings[1].size: no room for this mapping of 0x4000 bytes|ioas: [{name: r, allow: [0x1000-0x4fff], mappings: [{iova: 0x1000, size: 8K}, {size: 16K}]}]'
	'1:60|ioas[0].mappings[0].copy: IOVA 0x9000 of IOAS r is not mapped at a fixed IOVA|ioas: [{name: r, mappings: [{iova: 0x1000, size: 4K, copy: {ioas: r, iova: 0x9000}}]}]'
	'3:47|hwpts[0].flags[0]: '"'"'nested'"'"' is not one of: nest-parent, dirty-tracking, pasid|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: h, ioas: r, device: d, flags: [nested]}]'
	'1:36|devices[0].mock.flags[0]: '"'"'dirty'"'"' is not one of: no-dirty, pasid|devices: [{name: m, mock: {flags: [dirty]}}]\nioas: [{name: r}]'
	'1:48|ioas[0].mappings[0].memory: '"'"'ram'"'"' is not one of: anon, memfd, hugetlb-2M, hugetlb-1G|ioas: [{name: r, mappings: [{size: 4K, memory: ram}]}]'
	'1:48|ioas[0].mappings[0].access: '"'"'x'"'"' is not one of: rw, r, w|ioas: [{name: r, mappings: [{size: 4K, access: x}]}]'
	'4:48|hwpts[1].data: type '"'"'vtd'"'"' is not a nested data type iommuctl builds|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n  {name: n, parent: p, device: d, data: {type: vtd}}]'
	'4:86|hwpts[1].data.addr_width: 50 is not a stage-1 width: 48 (4-level) or 57 (5-level)|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n  {name: n, parent: p, device: d, data: {type: intel-vtd, pgtbl: 0x1000, addr_width: 50}}]'
	'5:69|hwpts[1].data.ste: word 1 sets bits 0x80000 outside the fields a guest STE may set|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nviommus: [{name: v, device: d, parent: p}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n  {name: n, viommu: v, device: d, data: {type: arm-smmuv3, ste: [1, 0x80000]}}]'
	'5:65|hwpts[1].data.dte: DTE.GLX (word 0 bits 57:56) = 3 is reserved|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nviommus: [{name: v, device: d, parent: p}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]},\n  {name: n, viommu: v, device: d, data: {type: amd-guest, dte: [0x300000000000000, 0, 0, 0]}}]'
	'1:1|the spec must be a mapping of sections (devices:, ioas:, hwpts:, ...), not a list|- ioas\n- hwpts'
	'1:1|the spec is empty|'
	'1:1|the spec is empty|# nothing but a comment'
	'1:7|anchors (&a) are not supported in specs|ioas: &a [{name: r}]'
	'2:8|aliases (*a) are not supported in specs|ioas: [{name: r}]\nhwpts: *a'
	'1:7|tags (tag:yaml.org,2002:seq) are not supported in specs|ioas: !!seq [{name: r}]'
	'2:1|more than one YAML document in the spec|ioas: [{name: r}]\n---\nioas: [{name: s}]'
	'1:15|a value holds a NUL character|ioas: [{name: "r\\0"}]'
	'1:10|version: version 2 is not one this iommuctl reads|version: 2\nioas: [{name: r}]'
	'1:38|attach[0].pasid: PASID 0 is the device'"'"'s own address space|attach: [{device: d, ioas: r, pasid: 0}]'
	'4:38|attach[0].pasid: HWPT p was not allocated for PASIDs|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d}]\nattach: [{device: d, hwpt: p, pasid: 1}]'
	'4:40|viommus[0].parent: parent p is not a nesting parent|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d}]\nviommus: [{name: v, device: d, parent: p}]'
	'7:37|vdevices[1].virt_id: virt_id 0x10 is vdevices[0]'"'"'s already|devices: [{name: d, device: 00:02.0}, {name: e, device: 00:03.0}]\nioas: [{name: r}]\nhwpts: [{name: p, ioas: r, device: d, flags: [nest-parent]}]\nviommus: [{name: v, device: d, parent: p}]\nvdevices:\n  - {viommu: v, device: d, virt_id: 0x10}\n  - {viommu: v, device: e, virt_id: 0x10}'
	'1:24|options.rlimit_mode: '"'"'always'"'"' is not one of: user, process|options: {rlimit_mode: always}\nioas: [{name: r}]'
	'1:55|ioas[0].mappings[0].memory.file: '"'"'fw.img'"'"' is not an absolute path|ioas: [{name: r, mappings: [{size: 4K, memory: {file: fw.img}}]}]'
	'1:39|values nested more than 32 deep|ioas: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'
	'1:29|devices[0].device: invalid device name '"'"'00:1f'"'"'|devices: [{name: d, device: "00:1f"}]'
	'2:31|veventqs[0].depth: 0 is out of range: 1 to 524288|ioas: [{name: r}]\nveventqs: [{viommu: v, depth: 0}]'
	'1:11|devices[0].mock: a mock device is plugged into an IOAS as it is created: give mock: {ioas: NAME}|devices: [{name: m, mock: {}}]\nioas: [{name: r}, {name: s}]'
	'1:11|devices[0]: give either device: (a PCI address or platform device) or mock:|devices: [{name: m, device: 00:02.0, mock: {}}]'
	'3:45|hwpts[0].data: data: describes a nested HWPT'"'"'s stage 1|devices: [{name: d, device: 00:02.0}]\nioas: [{name: r}]\nhwpts: [{name: h, ioas: r, device: d, data: {type: intel-vtd}}]'
	'2:64|page_tables[0]: unknown key '"'"'maping'"'"'|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, maping: []}]'
	'2:33|page_tables[0].format: unknown page-table format '"'"'x86-32'"'"'|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-32, ioas: r, at: 0x100000}]'
	'2:54|page_tables[0].at: '"'"'soon'"'"' is not a size|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: soon}]'
	'2:99|page_tables[0].mappings[0].to: '"'"'m+zz'"'"' is not MAPPING+OFFSET|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 4K, to: m+zz}]}]'
	'2:99|page_tables[0].mappings[0].to: '"'"'r'"'"' is an IOAS, not a mapping|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 4K, to: r}]}]'
	'2:99|page_tables[0].mappings[0].to: m+0x100000 with 0x1000 bytes goes past the end of mapping m|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 4K, to: m+1M}]}]'
	'2:99|page_tables[0].mappings[0].to: 0x200000-0x200fff is not inside a mapping of IOAS r|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 4K, to: 0x200000}]}]'
	'2:101|page_tables[0].mappings[0].iova: 0x1000 is not aligned to arm-lpae-s1,granule=16K|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: "arm-lpae-s1,granule=16K", ioas: r, at: 0x100000, mappings: [{iova: 0x1000, size: 16K, to: m}]}]'
	'2:110|page_tables[0].mappings[1].iova: 0x1000-0x1fff overlaps mappings[0]|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 8K, to: m}, {iova: 0x1000, size: 4K, to: m}]}]'
	'2:54|page_tables[0].at: the table memory 0x80000-0x84fff overlaps ioas[0].mappings[0]|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x80000, mappings: [{iova: 0, size: 4K, to: m}]}]'
	'2:54|page_tables[0].at: the table memory 0x10000000-0x10004fff is not inside IOAS r'"'"'s allow ranges|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x10000000, mappings: [{iova: 0, size: 4K, to: m}]}]'
	'2:110|page_tables[0].mappings[0].access: '"'"'q'"'"' is not an access|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 4K, to: m, access: q}]}]'
	'2:81|page_tables[0].page_sizes[1]: x86-64,levels=4,oas=52,sign-extend=1 has no pages of 3K|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, page_sizes: [4K, 3K]}]'
	'2:82|page_tables[0].mappings[0].iova: 0x800000000000-0x800000000fff is outside the 48-bit input space|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0x800000000000, size: 4K, to: m}]}]'
	'2:70|page_tables[0].size: 0x1000 bytes are too few for table t|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, size: 4K, mappings: [{iova: 0, size: 4K, to: m}]}]'
	'1:75|ioas[0].mappings[0].size: no room for this mapping of 0xc000 bytes at an IOVA the kernel picks: the allow ranges, less the fixed mappings and the page tables'"'"' memory|ioas: [{name: r, allow: [0x1000000-0x100ffff], mappings: [{name: m, size: 48K}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x1000000, mappings: [{iova: 0, size: 4K, to: m}]}]'
	'2:54|page_tables[0].at: 0x100800 is not aligned|ioas: [{name: r, allow: [0x0-0xfffffff], mappings: [{name: m, iova: 0, size: 1M}]}]\npage_tables: [{name: t, format: x86-64, ioas: r, at: 0x100800}]'
)

@test "bad specs: a table of ${#BAD[@]} cases, each with its file:line:column and exit 2, and nothing changed" {
	local C=$BATS_TEST_TMPDIR/intel-server before after i pos msg spec f=$BATS_TEST_TMPDIR/bad.yaml
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
	cp -a "$FIX/intel-server" "$C"
	mkdir -p "$IOMMUCTL_STATE_DIR"
	snapshot() { (cd "$BATS_TEST_TMPDIR" && find intel-server state -printf '%p %y %m %s %l\n' | sort &&
		find intel-server state -type f -print0 | sort -z | xargs -0 md5sum); }
	before=$(snapshot)
	[ "${#BAD[@]}" -ge 40 ] || fail "only ${#BAD[@]} cases"
	for i in "${!BAD[@]}"; do
		pos=${BAD[i]%%|*}
		msg=${BAD[i]#*|}
		spec=${msg#*|}
		msg=${msg%%|*}
		printf '%b' "$spec" >"$f"
		[ -z "$spec" ] || printf '\n' >>"$f"
		run --separate-stderr "$IOMMUCTL" --sysroot "$C" apply --check "$f"
		[ "$status" = 2 ] || fail "case $i ($msg): exit $status, not 2: $output"
		[[ "${lines[0]}" == "$f:$pos: error: "*"$msg"* ]] ||
			fail "case $i: wanted '$f:$pos: error: ...$msg...', got '${lines[0]}'"
	done
	after=$(snapshot)
	assert_equal "$after" "$before"
}

@test "bad files: a directory, a FIFO (without hanging), 2 MiB, a missing file: exit 2 naming the file" {
	local T=$BATS_TEST_TMPDIR
	mkdir "$T/dir"
	check apply --check "$T/dir"
	assert_failure 2
	assert_equal "$stderr" "iommuctl: $T/dir is a directory: give the path of a spec file"
	mkfifo "$T/fifo"
	run --separate-stderr timeout 10 "$IOMMUCTL" apply --check "$T/fifo"
	assert_failure 2
	assert_equal "$stderr" "iommuctl: $T/fifo is not a regular file (a FIFO, socket or device): give a spec file"
	head -c 2097152 /dev/zero | tr '\0' '#' >"$T/big.yaml"
	check apply --check "$T/big.yaml"
	assert_failure 2
	assert_equal "$stderr" "iommuctl: $T/big.yaml is 2097152 bytes, more than a spec may have (1048576): split it"
	check apply --check "$T/none.yaml"
	assert_failure 2
	assert_equal "$stderr" "iommuctl: $T/none.yaml: No such file or directory: give the path of a spec file"
	printf 'ioas: [{name: r}]\x01\n' >"$T/ctl.yaml"
	check apply --check "$T/ctl.yaml"
	assert_failure 2
	assert_line "$T/ctl.yaml:1:18: error: not YAML text: control characters are not allowed (byte 0x01); a spec is UTF-8 text without control characters"
	printf 'ioas: [{name: "\xff"}]\n' >"$T/utf.yaml"
	check apply --check "$T/utf.yaml"
	assert_failure 2
	assert_line --partial "$T/utf.yaml:1:16: error: not YAML text: invalid leading UTF-8 octet (byte 0xff)"
}

# --- options ----------------------------------------------------------------------------

@test "apply --dry-run: the claims and ioctls a run would take, in dependency order, nothing made" {
	check --sysroot "$FIX/intel-server" apply --dry-run "$EX/vmm-guest-ram.yaml"
	assert_success
	assert_equal "$stderr" ""
	assert_line "Would apply $EX/vmm-guest-ram.yaml:"
	assert_line "Result: nothing was made (--dry-run)"
	# every device's group is claimed first; each IOAS before what maps into it
	assert_line --regexp '^ +1\. claim group [0-9]+ for vfio-pci'
	local ioas hwpt attach
	ioas=$(grep -n "allocate ioas" <<<"$output" | head -1 | cut -d: -f1)
	hwpt=$(grep -n "allocate paging hwpt" <<<"$output" | head -1 | cut -d: -f1)
	attach=$(grep -n "^ *[0-9]*\. attach device" <<<"$output" | head -1 | cut -d: -f1)
	[ -n "$ioas" ] && [ -n "$hwpt" ] && [ -n "$attach" ] && [ "$ioas" -lt "$hwpt" ] &&
		[ "$hwpt" -lt "$attach" ] || fail "not in dependency order: ioas $ioas, hwpt $hwpt, attach $attach"
	# the sysroot's devices are untouched: a dry run only plans
	check --sysroot "$FIX/intel-server" --json apply --dry-run "$EX/vmm-guest-ram.yaml"
	assert_success
	assert_equal "$(jq -r '.apply.dry_run' <<<"$output")" true
	assert_equal "$(jq '[.apply.steps[] | select(.id != null or .error != null)] | length' <<<"$output")" 0
	assert_equal "$(jq '.apply.objects | length' <<<"$output")" 0
}

@test "apply: a spec with errors is not applied: the check's report and its exit status" {
	check --sysroot "$FIX/intel-server" apply --dry-run "$EX/intel-nested.yaml"
	assert_failure 3
	assert_line --partial "not supported on this system: 2 errors"
	refute_line --partial "Would apply"
}

@test "apply for real: never under --sysroot; --check, --dry-run, --hold and -- COMMAND do not mix" {
	check --sysroot "$FIX/intel-server" apply "$EX/vmm-guest-ram.yaml"
	assert_failure 3
	assert_equal "$stderr" "iommuctl: apply makes objects in the live kernel: drop --sysroot (or use --dry-run or --check)"
	check apply --check --hold "$EX/dpdk.yaml"
	assert_failure 2
	stderr_has "--check, --dry-run and --hold go alone: pick one"
	check apply --dry-run "$EX/dpdk.yaml" -- true
	assert_failure 2
	stderr_has "-- COMMAND runs with what was made: it cannot go with --check, --dry-run or --hold"
	check apply "$EX/dpdk.yaml" --
	assert_failure 2
	stderr_has "nothing after --"
}

@test "options: --hw-info needs --type and --check or --dry-run; a bad type or blob is refused" {
	check apply --check --hw-info "$B/vtd-nest.bin" "$EX/dpdk.yaml"
	assert_failure 2
	stderr_has "--hw-info needs --type"
	check apply --check --type intel-vtd "$EX/dpdk.yaml"
	assert_failure 2
	stderr_has "--type goes with --hw-info"
	check apply --hw-info "$B/vtd-nest.bin" --type intel-vtd "$EX/dpdk.yaml"
	assert_failure 2
	stderr_has "--hw-info goes with --check or --dry-run"
	check apply --check --hw-info "$B/vtd-nest.bin" --type sparc "$EX/dpdk.yaml"
	assert_failure 2
	stderr_has "unknown hw_info type 'sparc'"
	head -c 8 "$B/vtd-nest.bin" >"$BATS_TEST_TMPDIR/short.bin"
	check apply --check --hw-info "$BATS_TEST_TMPDIR/short.bin" --type intel-vtd "$EX/dpdk.yaml"
	assert_failure 2
	stderr_has "intel-vtd hw_info data is 8 bytes, shorter than its 24-byte structure"
	check apply --check
	assert_failure 2
	stderr_has "missing SPEC"
}

@test "files, live: each memory file is there and long enough; a device writes only to tmpfs or hugetlbfs ones" {
	local d=$BATS_TEST_TMPDIR shm=/dev/shm S=$BATS_TEST_TMPDIR/files.yaml
	[ "$(stat -f -c %T "$d")" != tmpfs ] || d=$ROOT/build
	[ "$(stat -f -c %T "$d")" != tmpfs ] || skip "no directory off tmpfs here ($BATS_TEST_TMPDIR, $ROOT/build)"
	[ "$(stat -f -c %T "$shm")" = tmpfs ] || skip "/dev/shm is not a tmpfs here"
	head -c 8192 /dev/zero >"$d/disk.img"
	head -c 8192 /dev/zero >"$shm/ictl-bats-$$.img"
	cat >"$S" <<-EOF
	ioas:
	  - name: ram
	    mappings:
	      - {iova: 0x100000, size: 8K, memory: {file: $shm/ictl-bats-$$.img}}
	      - {iova: 0x200000, size: 8K, memory: {file: $d/disk.img}, access: r}
	EOF
	check apply --check "$S"
	assert_success
	assert_output --partial "ok: 0 errors, 0 warnings (against the live system)"
	cat >>"$S" <<-EOF
	      - {iova: 0x300000, size: 4K, memory: {file: $d/disk.img}}
	      - {iova: 0x400000, size: 4K, memory: {file: $d/disk.img, offset: 8K}, access: r}
	      - {iova: 0x500000, size: 4K, memory: {file: $d/nothing.img}, access: r}
	      - {iova: 0x600000, size: 4K, memory: {file: $d}, access: r}
	EOF
	check apply --check "$S"
	rm -f "$shm/ictl-bats-$$.img"
	assert_failure 3
	assert_line --regexp "^$S:6:44: error: ioas\[0\]\.mappings\[2\]\.memory: memory file $d/disk\.img is on [^:]+: the kernel lets a device write only to tmpfs, memfd and hugetlbfs files"
	assert_line --partial "ioas[0].mappings[3].memory: memory file $d/disk.img is 8192 bytes: offset 0x2000 + size 0x1000 goes past its end"
	assert_line --partial "ioas[0].mappings[4].memory: memory file $d/nothing.img: No such file or directory"
	assert_line --partial "ioas[0].mappings[5].memory: memory file $d is not a regular file"
	assert_output --partial "4 errors, 0 warnings (against the live system)"
	# a capture names another machine's files: not looked for here
	check --sysroot "$FIX/intel-server" apply --check "$S"
	refute_output --partial "memory file"
}

# --- replace, and the mock examples offline ----------------------------------------------

# mock_sysroot: a copy of the Intel server's tree with the selftest's IOMMU unit (what a
# CONFIG_IOMMUFD_TEST kernel shows), so that mock specs can be checked and dry-run offline
mock_sysroot() {
	MS=$BATS_TEST_TMPDIR/mock-root
	[ -d "$MS" ] && return 0
	cp -a "$FIX/intel-server" "$MS"
	mkdir -p "$MS/sys/class/iommu/iommufd_selftest_iommu0"
}

@test "replace: --dry-run lists each replace after every attach, with the ioctl that replaces" {
	mock_sysroot
	check --sysroot "$MS" apply --check "$EX/selftest-replace.yaml"
	assert_success
	check --sysroot "$MS" apply --dry-run "$EX/selftest-replace.yaml"
	assert_success
	assert_line "    9. attach device 'm0' to hwpt 'a' (IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE)"
	assert_line "   10. attach device 'm0' at PASID 0x200 to hwpt 'pa' (IOMMU_TEST_OP_PASID_ATTACH)"
	assert_line "   11. replace the attach of device 'm0' with hwpt 'b' (IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE)"
	assert_line "   12. replace the attach of device 'm0' at PASID 0x200 with hwpt 'pb' (IOMMU_TEST_OP_PASID_REPLACE)"
	# a real device replaces with a second VFIO_DEVICE_ATTACH_IOMMUFD_PT
	sed 's/^  - {device: nvme0, hwpt: ram}$/  - {device: nvme0, hwpt: ram, replace: ram2}/; s/^hwpts:$/hwpts:\n  - {name: ram2, ioas: guest-ram, device: nvme0}/' \
		"$EX/vmm-guest-ram.yaml" >"$BATS_TEST_TMPDIR/r.yaml"
	grep -q 'replace: ram2' "$BATS_TEST_TMPDIR/r.yaml" || fail "the sed did not apply to vmm-guest-ram.yaml"
	check --sysroot "$FIX/intel-server" --json apply --dry-run "$BATS_TEST_TMPDIR/r.yaml"
	assert_success
	jq_true '.apply.steps[-1].what | test("^replace the attach of device .nvme0. with hwpt .ram2. \\(VFIO_DEVICE_ATTACH_IOMMUFD_PT\\)$")'
}

@test "replace: bad replaces are refused with file:line:column, exit 2" {
	mock_sysroot
	local head='devices: [{name: m, mock: {ioas: r, flags: [pasid]}}]
ioas: [{name: r}]
hwpts: [{name: a, ioas: r, device: m, flags: [pasid]}, {name: n, ioas: r, device: m}]
' t line body want
	for t in \
		'4:40|attach[0].replace: no HWPT is named '"'"'zz'"'"' (the names are: a, n)|attach: [{device: m, hwpt: a, replace: zz}]' \
		'4:40|attach[0].replace: '"'"'r'"'"' is an IOAS, not a HWPT; replace names the HWPT the attach moves to|attach: [{device: m, hwpt: a, replace: r}]' \
		'4:50|attach[0].replace: HWPT n was not allocated for PASIDs (the kernel answers EINVAL)|attach: [{device: m, hwpt: a, pasid: 5, replace: n}, {device: m, hwpt: a}]' \
		'4:72|attach[1].replace: device m has PASIDs attached too, so what its own attach moves to needs flags: [pasid]|attach: [{device: m, hwpt: a, pasid: 5}, {device: m, hwpt: a, replace: n}]' \
		'4:40|attach[0].replace: needs a single value here, not a list|attach: [{device: m, hwpt: a, replace: [a]}]'; do
		line=${t%%|*}
		body=${t##*|}
		want=${t#*|}
		want=${want%|*}
		printf '%s%s\n' "$head" "$(printf '%b' "$body")" >"$BATS_TEST_TMPDIR/bad.yaml"
		check --sysroot "$MS" apply --check "$BATS_TEST_TMPDIR/bad.yaml"
		[ "$status" = 2 ] || fail "$body: exit $status: $output $stderr"
		[[ "$output$stderr" == *"bad.yaml:$line: error: $want"* ]] || fail "$body: wants '$line: $want': $output $stderr"
	done
	# the same HWPT again: a warning, nothing refused
	printf '%sattach: [{device: m, hwpt: a, replace: a}]\n' "$head" >"$BATS_TEST_TMPDIR/same.yaml"
	check --sysroot "$MS" apply --check "$BATS_TEST_TMPDIR/same.yaml"
	assert_success
	assert_line "$BATS_TEST_TMPDIR/same.yaml:4:40: warning: attach[0].replace: the attach is to HWPT a already: the replace changes nothing"
}

# --- --dry-run: every field of every struct ---------------------------------------------------

# fields_of STRUCT: the top-level fields of struct ictl_STRUCT in src/lib/uapi/*.h, in order
# (our definitions of the kernel's uAPI, checked against the kernel's headers by check-uapi)
fields_of() {
	awk -v s="struct ictl_$1 {" '
		index($0, s) == 1 { f = 1; d = 1; next }
		!f { next }
		/^#/ { next }
		{ line = $0; sub(/\/\*.*/, "", line) }
		line ~ /\{/ { d++; next }
		line ~ /\}/ { d--; if (d == 0) exit; next }
		d == 1 && line ~ /;/ {
			gsub(/__attribute__\(\([^;]*\)\)/, "", line); sub(/;.*/, "", line)
			gsub(/\[[^]]*\]/, "", line); sub(/[ \t]+$/, "", line)
			n = split(line, w, /[ \t*]+/); print w[n]
		}' "$ROOT"/src/lib/uapi/*.h
}

# every_field JSON: each step that passes a struct names all of that struct's fields, in its
# order (a union's member as MEMBER.FIELD, between the fields around the union)
every_field() {
	local strct want got n=0
	while read -r strct; do
		want=$(fields_of "$strct" | tr '\n' ' ')
		[ -n "$want" ] || fail "no struct ictl_$strct in src/lib/uapi"
		while IFS= read -r got; do
			n=$((n + 1))
			[ "$got" = "$want" ] || fail "struct $strct: the step passes '$got'; src/lib/uapi has '$want'"
		done < <(jq -r --arg s "$strct" '.apply.steps[] | select(.struct == $s) |
			[.fields | keys_unsorted[] | select(contains(".") | not)] | join(" ") + " "' <<<"$1")
	done < <(jq -r '[.apply.steps[] | .struct // empty] | unique[]' <<<"$1")
	[ "$n" -gt 0 ] || fail "no step passes a struct"
	# what is said in words is said, never left empty
	jq -e '[.apply.steps[] | .fields // {} | to_entries[] | select(.value == "")] == []' <<<"$1" >/dev/null ||
		fail "an empty field value"
}

@test "apply --dry-run: every field of every struct each ioctl would get, text and JSON" {
	mock_sysroot
	local spec root args
	for spec in "vmm-guest-ram.yaml|$FIX/intel-server|" "dpdk.yaml|$FIX/intel-server|" \
		"nested-page-tables.yaml|$FIX/intel-server|--hw-info $B/vtd-nest.bin --type intel-vtd" \
		"smmuv3-nested-table.yaml|$FIX/arm64-smmuv3|--hw-info $B/smmu-nest.bin --type arm-smmu-v3" \
		"selftest-mock.yaml|$MS|" "selftest-replace.yaml|$MS|"; do
		IFS='|' read -r spec root args <<<"$spec"
		# shellcheck disable=SC2086
		check --sysroot "$root" --json apply --dry-run $args "$EX/$spec"
		assert_success
		every_field "$output"
	done
	# the structs of the mock example: what each passes, by its fields
	check --sysroot "$MS" --json apply --dry-run "$EX/selftest-mock.yaml"
	jq_true '[.apply.steps[].struct] == [ "iommu_ioas_alloc", "iommu_ioas_allow_iovas", "iommu_ioas_map_file",
		"iommu_ioas_map", "iommu_test_cmd", "iommu_fault_alloc", "iommu_hwpt_alloc", "iommu_hwpt_alloc",
		"iommu_viommu_alloc", "iommu_hwpt_alloc", "iommu_hwpt_alloc", "iommu_vdevice_alloc",
		"iommu_veventq_alloc", "iommu_test_cmd", "iommu_test_cmd"]'
	jq_true '.apply.steps[2].fields == {"size": 40, "flags": "0x7 (FIXED_IOVA|WRITEABLE|READABLE)",
		"ioas_id": "<ioas '"'guest-ram'"'>", "fd": "<a new memfd>", "start": 0, "length": "0x200000",
		"iova": "0x1000000"}'
	jq_true '.apply.steps[9].fields | .flags == "0xc (FAULT_ID_VALID|PASID)" and .data_type == "0xdead" and
		.data_len == 8 and .data_uptr == "-> [0x1234]" and .fault_id == "<fault queue '"'f0'"'>"'
	jq_true '.apply.steps[14].fields | .op == "18 (PASID_ATTACH)" and ."pasid_attach.pasid" == "0x100"'
	# text: one line per struct under its step
	check --sysroot "$MS" apply --dry-run "$EX/selftest-replace.yaml"
	assert_line "       iommu_test_cmd { size 72, op 19 (PASID_REPLACE), id <mock device 'm0'>, __reserved 0, pasid_attach.pasid 0x200, pasid_attach.pt_id <hwpt 'pb'>, last 0 }"
	check --sysroot "$FIX/intel-server" apply --dry-run "$EX/vmm-guest-ram.yaml"
	assert_line "       iommu_option { size 24, option_id 1 (HUGE_PAGES), op 0 (SET), __reserved 0, object_id <ioas 'guest-ram'>, val64 1 }"
	assert_line --regexp "^       vfio_device_bind_iommufd \{ argsz [0-9]+, flags 0, iommufd <the iommufd>, out_devid \(out\), token_uuid_ptr 0 \}$"
	assert_line "       vfio_device_attach_iommufd_pt { argsz 16, flags 0, pt_id <hwpt 'ram'>, pasid 0 }"
}

@test "replace: the IOAS a replace moves the device to is checked against its group's reserved regions" {
	cat >"$BATS_TEST_TMPDIR/r.yaml" <<-'YAML'
	devices:
	  - {name: nvme0, device: 0000:02:00.0}
	ioas:
	  - name: low
	    allow: [0x0-0x7fffffff]
	    mappings:
	      - {iova: 0x0, size: 2M, memory: memfd}
	  - name: high
	    mappings:
	      - {iova: 0xfee00000, size: 1M, memory: memfd}
	hwpts:
	  - {name: a, ioas: low, device: nvme0}
	  - {name: b, ioas: high, device: nvme0}
	attach:
	  - {device: nvme0, hwpt: a, replace: b}
	YAML
	check --sysroot "$FIX/intel-server" apply --check "$BATS_TEST_TMPDIR/r.yaml"
	assert_failure 3
	assert_line --partial "r.yaml:10:16: error: ioas[1].mappings[0].iova: 0xfee00000-0xfeefffff overlaps the msi region 0xfee00000-0xfeefffff of nvme0's group"
	# without the replace, high is no IOAS nvme0 is in: nothing to say
	sed -i 's/, replace: b//' "$BATS_TEST_TMPDIR/r.yaml"
	check --sysroot "$FIX/intel-server" apply --check "$BATS_TEST_TMPDIR/r.yaml"
	assert_success
}


# --- page_tables: at: auto ------------------------------------------------------------------

# auto_spec [FORMAT] [DATA]: guest RAM and a table whose memory's IOVA the kernel picks, on
# the Intel server's NVMe; a paging HWPT, or a nested one of DATA over a nest parent
auto_spec() {
	S=$BATS_TEST_TMPDIR/auto.yaml
	cat >"$S" <<-EOF
	devices: [{name: nvme0, device: 0000:02:00.0}]
	ioas:
	  - name: guest-ram
	    allow: [0x0-0x7fffffff]
	    mappings:
	      - {name: ram, iova: 0x0, size: 1G, memory: memfd}
	page_tables:
	  - name: gt
	    format: ${1:-x86-64}
	    ioas: guest-ram
	    at: auto
	    mappings:
	      - {iova: 0x100000000, size: 2M, to: ram+0x10000000}
	      - {iova: 0x100200000, size: 64K, to: ram+0x20000, access: r}
	EOF
	if [ -n "${2:-}" ]; then
		printf 'hwpts:\n  - {name: s2, ioas: guest-ram, device: nvme0, flags: [nest-parent]}\n  - {name: s1, parent: s2, device: nvme0, data: %s}\n' "$2" >>"$S"
	else
		printf 'hwpts: [{name: s2, ioas: guest-ram, device: nvme0}]\n' >>"$S"
	fi
}

@test "page tables: at: auto: --check and --dry-run say the kernel picks the memory's IOVA, after the IOAS's mappings" {
	auto_spec
	check --sysroot "$FIX/intel-server" apply --check "$S"
	assert_success
	assert_output "$S:11:9: warning: page_tables[0].at: auto: the kernel picks the IOVA of table gt's 0x6000 bytes of memory in IOAS guest-ram when apply maps them (after the IOAS's mappings); apply prints it, and hands it over as page_tables.gt.iova
$S: ok: 0 errors, 1 warning (against sysroot $FIX/intel-server)"
	check --sysroot "$FIX/intel-server" apply --dry-run "$S"
	assert_success
	assert_line "    4. map 'ram', 1G of memfd at 0 in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)"
	assert_line "    5. map the memory of table 'gt', 24K of memfd at an IOVA the kernel picks in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)"
	assert_line "    6. build table 'gt' (x86-64,levels=4,oas=52,sign-extend=1, 2 mappings, root the start of its memory) into its memory"
	# no at: at all is the same
	sed -i '/^    at: auto$/d' "$S"
	check --sysroot "$FIX/intel-server" apply --dry-run "$S"
	assert_success
	assert_line "    5. map the memory of table 'gt', 24K of memfd at an IOVA the kernel picks in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)"
	# offline, the tables' addresses are offsets into the memory
	check pt build --spec "$S" -o "$BATS_TEST_TMPDIR/gt.pt"
	assert_success
	assert_output --regexp "root 0x0, "
}

@test "page tables: at: auto: refused for tables aligned to more than 4 KiB; nested data naming it is built for the kernel's IOVA" {
	auto_spec "'arm-lpae-s1,granule=64K'"
	check --sysroot "$FIX/intel-server" apply --check "$S"
	assert_failure 2
	assert_line "$S:11:9: error: page_tables[0].at: the kernel picks a 4 KiB-aligned IOVA for the table memory, and arm-lpae-s1,granule=64K,ias=48,oas=48's tables need 64 KiB: give at: an IOVA aligned to it"
	auto_spec x86-64 "{type: intel-vtd, pgtbl: gt, flags: [sre]}"
	check --sysroot "$FIX/intel-server" apply --dry-run --hw-info "$B/vtd-nest.bin" --type intel-vtd "$S"
	assert_success
	# the data as the parse built it, for the memory at 0; a run builds it again for its IOVA
	assert_line "    9. allocate nested hwpt 's1' over hwpt 's2' for device 'nvme0', data from table 'gt': (for its memory at 0: the kernel picks where) 0x1 0 0x30 (IOMMU_HWPT_ALLOC)"
}

@test "page tables: a table too large to size is an error at its line, not a crash, as fuzz-spec found" {
	# an 80 TiB LPAE table: the spans of the IOAS skip it, and the check names why
	run --separate-stderr "$IOMMUCTL" apply --check "$BATS_TEST_DIRNAME/../fuzz/corpus/spec/pt-size-null-ctx.yaml"
	[ "$status" -ne 139 ] && [ "$status" -lt 128 ] || fail "apply --check died: exit $status: $stderr"
	assert_failure 2
	assert_output --partial "page_tables[1]"
}
