#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The per-vendor hw_info decoders, through `iommuctl hw-info --raw FILE --type TYPE`:
# blobs laid out as the kernel's struct iommu_hw_info_* (little-endian), built here
# from register values whose decoding each test derives from the specifications.
load helpers

# struct iommu_hw_info_vtd: u32 flags, u32 reserved, u64 cap_reg, u64 ecap_reg.
vtd_blob() { blob "$1" "$2" 4 0 4 "$3" 8 "$4" 8; }
# struct iommu_hw_info_amd: u64 efr, u64 efr2.
amd_blob() { blob "$1" "$2" 8 "$3" 8; }
# struct iommu_hw_info_arm_smmuv3: u32 flags, u32 reserved, u32 idr[6], u32 iidr, u32 aidr.
smmu_blob() {
	local f=$1 flags=$2
	shift 2
	blob "$f" "$flags" 4 0 4 "$1" 4 "$2" 4 "$3" 4 "$4" 4 "$5" 4 "$6" 4 "$7" 4 "$8" 4
}

# decode FILE TYPE: run the JSON decoder; it must succeed and say nothing on stderr.
decode() {
	run --separate-stderr "$IOMMUCTL" --json hw-info --raw "$1" --type "$2"
	assert_success
	assert_equal "$stderr" ""
}

# chk REG FIELD VALUE [MEANING]: a decoded field's value (any shell arithmetic form),
# and its meaning when given ("null" for none).
chk() {
	local got
	got=$(jq -r --arg r "$1" --arg f "$2" '.hw_info.registers[] | select(.name == $r)
		| .fields[] | select(.name == $f) | "\(.value)|\(.meaning)"' <<<"$output")
	if [ $# -ge 4 ]; then
		assert_equal "$1.$2=$got" "$1.$2=$(($3))|$4"
	else
		assert_equal "$1.$2=${got%%|*}" "$1.$2=$(($3))"
	fi
}

# reg NAME VALUE: a register's value, as the JSON prints it ("0x..." lower case).
reg() {
	local got
	got=$(jq -r --arg r "$1" '.hw_info.registers[] | select(.name == $r) | .value' <<<"$output")
	assert_equal "$1=$got" "$1=$(printf '0x%x' $(($2)))"
}

setup() {
	B=$BATS_TEST_TMPDIR/blob
}

# --- Intel VT-d (hw_info type 1) ------------------------------------------------
#
# QEMU's intel-iommu, caching-mode=on: cap 0x00d2008c22260286 (VT-d 11.4.2).
# In binary by field (bit positions of the spec, checked against the kernel's cap_*()):
#   bits  2:0  = 0x286 & 0x7          = 6    ND: 2^(4+2*6) = 65536 domain IDs
#   bit   3    = (0x86 >> 3) & 1      = 0    AFL: no advanced fault logging
#   bit   4    = (0x86 >> 4) & 1      = 0    RWBF: no write-buffer flushing needed
#   bits  6:5  = (0x86 >> 5) & 3      = 0    PLMR/PHMR: no protected memory regions
#   bit   7    = 0x86 >> 7            = 1    CM: caching mode (virtual IOMMU)
#   bits 12:8  = 0x02                 = 2    SAGAW: only bit 1 = 39-bit, 3-level tables
#   bits 21:16 = 0x26                 = 38   MGAW: width - 1, so 39-bit guest addresses
#   bit  22    = (0x26 >> 6) & 1 of byte 2 = 0  ZLR
#   bits 33:24 = 0x22 | (0x0 << 8)    = 34   FRO: fault registers at 34*16 = 0x220
#   bits 37:34 = (0x8c >> 2) & 0xf    = 3    SLLPS: bit 0 = 2M, bit 1 = 1G
#   bit  39    = 0x8c >> 7            = 1    PSI: page-selective invalidation
#   bits 47:40 = 0x00                 = 0    NFR: 0 + 1 = one fault-recording register
#   bits 53:48 = 0xd2 & 0x3f          = 18   MAMV: invalidate up to 2^18 pages at once
#   bit  54    = (0xd2 >> 6) & 1      = 1    DWD: write draining
#   bit  55    = 0xd2 >> 7            = 1    DRD: read draining
#   bits 63:56 = 0x00                        FL1GP, PI, FL5LP, ECMDS, ESIRTPS, ESRTPS all 0
QEMU_CAP=0xd2008c22260286
# Legacy-mode ecap 0xf00f4a (VT-d 11.4.3):
#   bits 7:0   = 0x4a = 0100 1010b: C 0, QI 1 (bit 1), DT 0, IR 1 (bit 3), EIM 0, PT 1 (bit 6), SC 0
#   bits 17:8  = 0x00f                = 15   IRO: IOTLB registers at 15*16 = 0xf0
#   bits 23:20 = 0xf                  = 15   MHMV
#   bits 63:24 = 0                           no PASID, no scalable mode, no nesting
QEMU_ECAP=0xf00f4a
# Scalable-mode ecap 0x480080f00f4a (QEMU x-scalable-mode=on, measured): the legacy
# bits plus 0x80000000 (bit 31 SRS) and 0x4800 << 32, i.e. bit 32+11 = 43 SMTS and
# bit 32+14 = 46 SLTS: scalable-mode tables with second-stage translation only.
QEMU_ECAP_SM=0x480080f00f4a

@test "decode intel-vtd: QEMU's cap 0xd2008c22260286, field by field" {
	vtd_blob "$B" 0 $QEMU_CAP $QEMU_ECAP
	decode "$B" intel-vtd
	jq_true '.hw_info.type == 1 and .hw_info.kind == "intel-vtd" and .hw_info.source == "file"'
	reg cap_reg $QEMU_CAP
	chk cap_reg ND 6 "65536 domains"
	chk cap_reg AFL 0
	chk cap_reg RWBF 0
	chk cap_reg PLMR 0
	chk cap_reg PHMR 0
	chk cap_reg CM 1 "not-present entries may be cached (typical of a virtual IOMMU)"
	chk cap_reg SAGAW 2 "39-bit (3-level)"
	chk cap_reg MGAW 0x26 "39-bit"
	chk cap_reg ZLR 0
	chk cap_reg FRO 0x22 "offset 0x220"
	chk cap_reg SLLPS 3 "2M, 1G"
	chk cap_reg PSI 1
	chk cap_reg NFR 0 "1 fault-recording register"
	chk cap_reg MAMV 18 "up to 2^18 pages per invalidation"
	chk cap_reg DWD 1
	chk cap_reg DRD 1
	chk cap_reg FL1GP 0
	chk cap_reg PI 0
	chk cap_reg FL5LP 0 "first-stage 4-level (48-bit) paging only"
	chk cap_reg ESIRTPS 0
	chk cap_reg ESRTPS 0
	# the bits each field covers, as the JSON spells them
	jq_true '[.hw_info.registers[] | select(.name == "cap_reg") | .fields[]
		| select(.name == "SAGAW" or .name == "MGAW" or .name == "ND") | .bits]
		== ["2:0", "12:8", "21:16"]'
	# and the flags word: no erratum
	chk flags ERRATA_772415_SPR17 0 "not affected"
}

@test "decode intel-vtd: QEMU's legacy ecap 0xf00f4a" {
	vtd_blob "$B" 0 $QEMU_CAP $QEMU_ECAP
	decode "$B" intel-vtd
	reg ecap_reg $QEMU_ECAP
	chk ecap_reg C 0
	chk ecap_reg QI 1
	chk ecap_reg DT 0
	chk ecap_reg IR 1
	chk ecap_reg EIM 0 "8-bit APIC IDs (xAPIC) only"
	chk ecap_reg PT 1
	chk ecap_reg SC 0
	chk ecap_reg IRO 15 "offset 0xf0"
	chk ecap_reg MHMV 15
	for f in NEST PRS SRS PASID SMTS SLTS FLTS SLADS; do
		chk ecap_reg $f 0
	done
}

@test "decode intel-vtd: QEMU's scalable-mode ecap 0x480080f00f4a" {
	vtd_blob "$B" 0 $QEMU_CAP $QEMU_ECAP_SM
	decode "$B" intel-vtd
	reg ecap_reg $QEMU_ECAP_SM
	# the legacy part is unchanged
	chk ecap_reg QI 1
	chk ecap_reg IR 1
	chk ecap_reg PT 1
	chk ecap_reg IRO 15
	chk ecap_reg MHMV 15
	# bit 31, bit 43, bit 46
	chk ecap_reg SRS 1
	chk ecap_reg SMTS 1
	chk ecap_reg SLTS 1
	# and nothing else: no first-stage tables, no PASID, no nesting
	chk ecap_reg FLTS 0
	chk ecap_reg PASID 0
	chk ecap_reg PSS 0
	chk ecap_reg NEST 0
	chk ecap_reg SLADS 0
}

@test "decode intel-vtd: a modern unit's high bits, the errata flag and SAGAW 0x6" {
	# Built field by field (VT-d 11.4.2): ND 2 (2^(4+4) = 256 domains), SAGAW 0x6
	# (bits 1 and 2: 39-bit 3-level and 48-bit 4-level), MGAW 47 (48-bit), SLLPS 1
	# (2M only), NFR 7 (8 registers), FL1GP (56), PI (59), FL5LP (60), ESIRTPS (62),
	# ESRTPS (63).
	local cap=$((2 | 0x6 << 8 | 47 << 16 | 1 << 34 | 7 << 40 |
		1 << 56 | 1 << 59 | 1 << 60 | 1 << 62 | 1 << 63))
	# ecap (11.4.3): C, QI, DT, IR, EIM, PT, SC, NEST (26), PRS (29), PSS 19 (20-bit
	# PASIDs, 39:35), PASID (40), SMTS (43), SLADS (45), SLTS (46), FLTS (47).
	local ecap=$((0xdf | 1 << 26 | 1 << 29 | 19 << 35 | 1 << 40 |
		1 << 43 | 1 << 45 | 1 << 46 | 1 << 47))
	vtd_blob "$B" 1 $cap $ecap
	decode "$B" 1
	reg cap_reg $cap
	chk cap_reg ND 2 "256 domains"
	chk cap_reg SAGAW 6 "39-bit (3-level), 48-bit (4-level)"
	chk cap_reg MGAW 47 "48-bit"
	chk cap_reg SLLPS 1 "2M"
	chk cap_reg NFR 7 "8 fault-recording registers"
	chk cap_reg FL1GP 1
	chk cap_reg PI 1
	chk cap_reg FL5LP 1 "first-stage 5-level (57-bit) paging"
	chk cap_reg ECMDS 0
	chk cap_reg ESIRTPS 1
	chk cap_reg ESRTPS 1
	chk ecap_reg EIM 1 "32-bit APIC IDs (x2APIC)"
	chk ecap_reg SC 1
	chk ecap_reg NEST 1
	chk ecap_reg PRS 1
	chk ecap_reg PSS 19 "20-bit PASIDs (when PASID is 1)"
	chk ecap_reg PASID 1
	chk ecap_reg SMTS 1
	chk ecap_reg SLADS 1
	chk ecap_reg FLTS 1
	chk ecap_reg SMPWCS 0
	chk flags ERRATA_772415_SPR17 1 "affected: no read-only mappings in a nesting parent domain"
}

@test "decode intel-vtd: the intel-server capture's cap/ecap, from a blob and from sysfs" {
	local dir=$FIX/intel-server/sys/class/iommu/dmar0/intel-iommu cap ecap
	cap=0x$(cat "$dir/cap")
	ecap=0x$(cat "$dir/ecap")
	# The capture is QEMU's intel-iommu without caching mode: the cap above minus bit 7.
	assert_equal "$cap" 0xd2008c22260206
	assert_equal "$ecap" 0xf00f4a
	vtd_blob "$B" 0 $cap $ecap
	decode "$B" intel-vtd
	local fromfile=$output
	chk cap_reg CM 0 "only present entries are cached"
	chk cap_reg ND 6 "65536 domains"
	chk cap_reg SAGAW 2 "39-bit (3-level)"
	chk cap_reg MGAW 0x26 "39-bit"
	chk cap_reg SLLPS 3 "2M, 1G"
	chk ecap_reg IR 1
	chk ecap_reg SMTS 0
	# --sysfs rebuilds the same driver data from the unit's sysfs attributes.
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/intel-server" --json hw-info --sysfs 0000:00:02.0
	assert_success
	jq_true '.hw_info.source == "sysfs" and .hw_info.kind == "intel-vtd"'
	assert_equal "$(jq -c '.hw_info.registers' <<<"$output")" \
		"$(jq -c '.hw_info.registers' <<<"$fromfile")"
}

@test "decode intel-vtd: text output names fields and meanings" {
	vtd_blob "$B" 0 $QEMU_CAP $QEMU_ECAP
	run --separate-stderr "$IOMMUCTL" hw-info --raw "$B" --type intel-vtd
	assert_success
	assert_line --regexp '^cap_reg = 0xd2008c22260286 '
	assert_line --regexp '^ +SAGAW +12:8 +0x2 +39-bit \(3-level\)$'
	assert_line --regexp '^ +ND +2:0 +0x6 +65536 domains$'
	assert_line --regexp '^ecap_reg = 0xf00f4a '
}

# --- AMD (hw_info type 4) ---------------------------------------------------------
#
# Extended Feature Register layout (AMD IOMMU spec 48882, MMIO 0030h; checked
# against FEATURE_* of the kernel's amd_iommu_types.h): PreFSup 0, PPRSup 1, XTSup 2,
# NXSup 3, GTSup 4, IASup 6, GASup 7, HESup 8, PCSup 9, HATS 11:10, GATS 13:12,
# GLXSup 15:14, SmiFSup 17:16, SmiFRC 20:18, GAMSup 23:21, PASmax 36:32, ...,
# HASup 49, HDSup 52, SNPSup 63.

@test "decode amd-vi: the amd-desktop capture's EFR 0x29d3, from a blob and from sysfs" {
	local features efr efr2
	features=$(cat "$FIX/amd-desktop/sys/class/iommu/ivhd0/amd-iommu/features")
	assert_equal "$features" "29d3:0"
	efr=0x${features%%:*}
	efr2=0x${features#*:}
	amd_blob "$B" $efr $efr2
	decode "$B" amd-vi
	local fromfile=$output
	jq_true '.hw_info.type == 4 and .hw_info.kind == "amd-vi"'
	reg efr 0x29d3
	reg efr2 0
	# 0x29d3 = 0010 1001 1101 0011b
	chk efr PreFSup 1 # bit 0
	chk efr PPRSup 1  # bit 1
	chk efr XTSup 0   # bit 2
	chk efr NXSup 0   # bit 3
	chk efr GTSup 1   # bit 4
	chk efr IASup 1   # bit 6 (0xd3 = 1101 0011b)
	chk efr GASup 1   # bit 7
	chk efr HESup 1   # bit 8 (0x29 = 0010 1001b: bits 8, 11, 13)
	chk efr PCSup 0   # bit 9
	# bits 11:10 = 10b: HATS 2, 6-level host tables (QEMU's AMDVI_HATS_MODE)
	chk efr HATS 2 "6-level"
	# bits 13:12 = 10b: GATS 2, which today's spec leaves reserved (only 00b 4-level
	# and 01b 5-level are defined; the kernel then keeps 4-level guest tables)
	chk efr GATS 2 "reserved"
	chk efr GLXSup 0 "1-level GCR3 table"
	# bits 36:32 = 0: PASmax 0, one PASID bit
	chk efr PASmax 0 "1 bit"
	chk efr GAMSup 0 "interrupt remapping only"
	chk efr SNPSup 0
	chk efr2 NumIntRemapSup 0 "512 entries per interrupt table"
	# --sysfs parses "EFR:EFR2" into the same driver data
	run --separate-stderr "$IOMMUCTL" --sysroot "$FIX/amd-desktop" --json hw-info --sysfs 0000:03:00.0
	assert_success
	jq_true '.hw_info.source == "sysfs" and .hw_info.kind == "amd-vi"'
	assert_equal "$(jq -c '.hw_info.registers' <<<"$output")" \
		"$(jq -c '.hw_info.registers' <<<"$fromfile")"
}

@test "decode amd-vi: a hand-made EFR with PASmax, GATS, HATS and GLXSup set" {
	# XTSup (2), NXSup (3), GTSup (4), GASup (7), HATS 01b (5-level host tables,
	# bits 11:10), GATS 01b (5-level guest tables, 13:12), GLXSup 01b (2-level GCR3,
	# 15:14), GAMSup 001b (21), PASmax 0xf (16-bit PASIDs, 36:32), DevTblSegSup 11b
	# (8 segments, 39:38), HASup (49), HDSup (52), SNPSup (63).
	local efr=$((1 << 2 | 1 << 3 | 1 << 4 | 1 << 7 | 1 << 10 | 1 << 12 | 1 << 14 | 1 << 21 |
		0xf << 32 | 3 << 38 | 1 << 49 | 1 << 52 | 1 << 63))
	# EFR2 (MMIO 01A0h): NumIntRemapSup 01b, 2048 remapped interrupts per device (9:8).
	local efr2=$((1 << 8))
	# bits 63:48 hold SNPSup (63), HDSup (52) and HASup (49): 0x8000 | 0x10 | 0x2
	assert_equal "$(printf '0x%x' $(((efr >> 48) & 0xffff)))" 0x8012
	amd_blob "$B" $efr $efr2
	decode "$B" 4
	reg efr $efr
	chk efr XTSup 1
	chk efr NXSup 1
	chk efr GTSup 1
	chk efr GASup 1
	chk efr HATS 1 "5-level"
	chk efr GATS 1 "5-level"
	chk efr GLXSup 1 "2-level GCR3 table"
	chk efr GAMSup 1 "guest virtual APIC supported"
	chk efr PASmax 15 "16 bits"
	chk efr DevTblSegSup 3 "8 segments"
	chk efr HASup 1
	chk efr HDSup 1
	chk efr SNPSup 1
	chk efr PPRSup 0
	chk efr EPHSup 0
	chk efr2 NumIntRemapSup 1 "2048 entries per interrupt table"
	# and the other extreme of each level field: HATS 10b = 6-level, 11b reserved
	amd_blob "$B" $((2 << 10 | 3 << 12 | 2 << 14)) 0
	decode "$B" amd-vi
	chk efr HATS 2 "6-level"
	chk efr GATS 3 "reserved"
	chk efr GLXSup 2 "3-level GCR3 table"
}

# --- ARM SMMUv3 (hw_info type 2) and Tegra241 CMDQV (type 3) -----------------------
#
# An MMU-700-class SMMU as a Neoverse server would have it, built from the SMMUv3
# specification (IHI 0070) 6.3.1-6.3.8:
# IDR0: S2P (0) | S1P (1) | TTF 10b AArch64 (3:2) | COHACC (4) | BTM (5) | HTTU 10b
#   access flag and dirty state (7:6) | HYP (9) | ATS (10) | ASID16 (12) | MSI (13) |
#   SEV (14) | PRI (16) | VMW (17) | VMID16 (18) | CD2L (19) | TTENDIAN 10b
#   little-endian (22:21) | STALL_MODEL 01b no stall, as a PCI system requires (25:24) |
#   ST_LEVEL 01b 2-level stream tables (28:27)
IDR0=$((1 | 1 << 1 | 2 << 2 | 1 << 4 | 1 << 5 | 2 << 6 | 1 << 9 | 1 << 10 | 1 << 12 | 1 << 13 |
	1 << 14 | 1 << 16 | 1 << 17 | 1 << 18 | 1 << 19 | 2 << 21 | 1 << 24 | 1 << 27))
# IDR1: SIDSIZE 16 (5:0), SSIDSIZE 20 (10:6), PRIQS 19 (15:11), EVENTQS 19 (20:16),
#   CMDQS 19 (25:21): 2^19 entries, the architectural maximum
IDR1=$((16 | 20 << 6 | 19 << 11 | 19 << 16 | 19 << 21))
# IDR3: HAD (2) | XNX (4) | FWB (8) | RIL (10) | BBML 10b level 2 (12:11)
IDR3=$((1 << 2 | 1 << 4 | 1 << 8 | 1 << 10 | 2 << 11))
# IDR5: OAS 101b 48-bit (2:0) | GRAN4K (4) | GRAN64K (6); VAX 0 (48-bit VA), STALL_MAX 0
IDR5=$((5 | 1 << 4 | 1 << 6))
# IIDR: ProductID 0x487 MMU-700 (31:20) | Variant 1 (19:16) | Revision 2 (15:12) |
#   Implementer 0x43b, Arm's JEP106 code (continuation 4, identity 0x3b)
IIDR=$((0x487 << 20 | 1 << 16 | 2 << 12 | 0x43b))
# AIDR: ArchMajorRev 0 (7:4), ArchMinorRev 2 (3:0): SMMUv3.2
AIDR=0x02

@test "decode arm-smmu-v3: an MMU-700-class IDR0, field by field" {
	# byte 0: S2P 0x01 | S1P 0x02 | TTF 2<<2 = 0x08 | COHACC 0x10 | BTM 0x20 | HTTU 2<<6 = 0x80 = 0xbb
	# byte 1: HYP 0x02 | ATS 0x04 | ASID16 0x10 | MSI 0x20 | SEV 0x40 = 0x76
	# byte 2: PRI 0x01 | VMW 0x02 | VMID16 0x04 | CD2L 0x08 | TTENDIAN 2<<5 = 0x40 = 0x4f
	# byte 3: STALL_MODEL 1<<0 = 0x01 | ST_LEVEL 1<<3 = 0x08 = 0x09
	assert_equal "$(printf '0x%08x' $IDR0)" 0x094f76bb
	smmu_blob "$B" 0 $IDR0 $IDR1 0 $IDR3 0 $IDR5 $IIDR $AIDR
	decode "$B" arm-smmu-v3
	jq_true '.hw_info.type == 2 and .hw_info.kind == "arm-smmu-v3"'
	reg idr0 $IDR0
	chk idr0 S2P 1
	chk idr0 S1P 1
	chk idr0 TTF 2 "AArch64"
	chk idr0 COHACC 1
	chk idr0 BTM 1
	chk idr0 HTTU 2 "access flag and dirty state"
	chk idr0 DORMHINT 0
	chk idr0 HYP 1
	chk idr0 ATS 1
	chk idr0 NS1ATS 0
	chk idr0 ASID16 1
	chk idr0 MSI 1
	chk idr0 SEV 1
	chk idr0 ATOS 0
	chk idr0 PRI 1
	chk idr0 VMW 1
	chk idr0 VMID16 1
	chk idr0 CD2L 1
	chk idr0 VATOS 0
	chk idr0 TTENDIAN 2 "little-endian"
	chk idr0 ATSRECERR 0
	chk idr0 STALL_MODEL 1 "terminate only (no stall)"
	chk idr0 TERM_MODEL 0 "abort or RAZ/WI"
	chk idr0 ST_LEVEL 1 "2-level"
	chk flags ERRATA_REPEAT_TLBI_CFGI 0 "not affected"
}

@test "decode arm-smmu-v3: IDR1, IDR3, IDR5, IIDR and AIDR" {
	smmu_blob "$B" 1 $IDR0 $IDR1 0 $IDR3 0x12345678 $IDR5 $IIDR $AIDR
	decode "$B" 2
	reg idr1 $IDR1
	chk idr1 SIDSIZE 16 "16 bits"
	chk idr1 SSIDSIZE 20 "20 bits"
	chk idr1 PRIQS 19 "up to 524288 entries"
	chk idr1 EVENTQS 19 "up to 524288 entries"
	chk idr1 CMDQS 19 "up to 524288 entries"
	chk idr1 ECMDQ 0
	chk idr3 HAD 1
	chk idr3 PBHA 0
	chk idr3 XNX 1
	chk idr3 FWB 1
	chk idr3 RIL 1
	chk idr3 BBML 2 "level 2"
	chk idr3 MPAM 0
	# IDR4 is IMPLEMENTATION DEFINED: shown whole
	chk idr4 IMPLEMENTATION_DEFINED 0x12345678
	chk idr5 OAS 5 "48-bit"
	chk idr5 GRAN4K 1
	chk idr5 GRAN16K 0
	chk idr5 GRAN64K 1
	chk idr5 VAX 0 "48-bit"
	chk idr5 STALL_MAX 0
	reg iidr $IIDR
	chk iidr Implementer 0x43b "Arm"
	chk iidr ProductID 0x487 "MMU-700"
	chk iidr Variant 1
	chk iidr Revision 2
	chk aidr ArchMajorRev 0 "SMMUv3"
	chk aidr ArchMinorRev 2 "SMMUv3.2"
	chk flags ERRATA_REPEAT_TLBI_CFGI 1 "affected: issue TLBI/CFGI invalidations twice"
}

@test "decode arm-smmu-v3: other encodings (MMU-600, AArch32+64, linear, 52-bit, stall forced)" {
	# IDR0: TTF 11b both formats, ST_LEVEL 00b linear, STALL_MODEL 10b forced,
	#   TTENDIAN 00b mixed, HTTU 01b access flag only, TERM_MODEL 1 (always abort)
	local idr0=$((3 << 2 | 1 << 6 | 2 << 24 | 1 << 26))
	# IDR5: OAS 110b 52-bit, GRAN16K, VAX 01b 52-bit VA, STALL_MAX 32 (31:16)
	local idr5=$((6 | 1 << 5 | 1 << 10 | 32 << 16))
	# IIDR: ProductID 0x483 MMU-600 by Arm; AIDR 0x00: SMMUv3.0
	smmu_blob "$B" 0 $idr0 0 0 0 0 $idr5 $((0x483 << 20 | 0x43b)) 0
	decode "$B" arm-smmu-v3
	chk idr0 TTF 3 "AArch32 and AArch64"
	chk idr0 HTTU 1 "access flag"
	chk idr0 TTENDIAN 0 "mixed-endian"
	chk idr0 STALL_MODEL 2 "stall forced"
	chk idr0 TERM_MODEL 1 "abort only"
	chk idr0 ST_LEVEL 0 "linear"
	chk idr1 SIDSIZE 0 "0 bits"
	chk idr5 OAS 6 "52-bit"
	chk idr5 VAX 1 "52-bit"
	chk idr5 GRAN16K 1
	chk idr5 STALL_MAX 32
	chk iidr ProductID 0x483 "MMU-600"
	chk aidr ArchMinorRev 0 "SMMUv3.0"
	# A product ID means nothing without its implementer: no name for another vendor's
	smmu_blob "$B" 0 0 0 0 0 0 0 $((0x487 << 20 | 0x36b)) 0
	decode "$B" arm-smmu-v3
	chk iidr Implementer 0x36b "null"
	chk iidr ProductID 0x487 "null"
}

@test "decode tegra241-cmdqv: PARAM fields from the per-byte driver data" {
	# struct iommu_hw_info_tegra241_cmdqv: u32 flags, u8 version, u8 log2vcmdqs,
	# u8 log2vsids, u8 reserved.  Version 1, 2^7 = 128 VCMDQs, 2^4 = 16 stream IDs.
	# The decoder shows them at their PARAM bit positions: 3:0, 7:4, 15:12.
	blob "$B" 0 4 1 1 7 1 4 1 0 1
	decode "$B" tegra241-cmdqv
	jq_true '.hw_info.type == 3 and .hw_info.kind == "tegra241-cmdqv"'
	reg param $((1 | 7 << 4 | 4 << 12))
	chk param CMDQV_VER 1
	chk param CMDQV_NUM_VCMDQ_LOG2 7 "128"
	chk param CMDQV_NUM_SID_PER_VM_LOG2 4 "16"
	chk param CMDQV_NUM_VM_LOG2 0 "1"
}

# --- types, sizes and errors ---------------------------------------------------------

@test "decode: each type by name and by number; longer blobs are accepted" {
	local t
	for t in intel-vtd:1:24 arm-smmu-v3:2:40 tegra241-cmdqv:3:8 amd-vi:4:16 selftest:0xfeedbeef:8; do
		IFS=: read -r name num size <<<"$t"
		head -c "$size" /dev/zero >"$B"
		decode "$B" "$name"
		jq_true ".hw_info.type == $((num)) and .hw_info.kind == \"$name\""
		decode "$B" "$num"
		jq_true ".hw_info.kind == \"$name\""
		# a kernel with a longer structure still decodes: extra bytes are ignored
		head -c $((size + 8)) /dev/zero >"$B"
		decode "$B" "$name"
		jq_true ".hw_info.kind == \"$name\""
	done
}

@test "decode: a blob shorter than its structure is an error with exit 2" {
	local t
	for t in intel-vtd:24 arm-smmu-v3:40 tegra241-cmdqv:8 amd-vi:16 selftest:8; do
		head -c $((${t#*:} - 1)) /dev/zero >"$B"
		run --separate-stderr "$IOMMUCTL" hw-info --raw "$B" --type "${t%%:*}"
		assert_failure 2
		assert_equal "$output" ""
		assert_equal "$stderr" "iommuctl: ${t%%:*} hw_info data is $((${t#*:} - 1)) bytes,\
 shorter than its ${t#*:}-byte structure"
	done
	# in JSON mode the error is JSON on stdout
	run --separate-stderr "$IOMMUCTL" --json hw-info --raw "$B" --type selftest
	assert_failure 2
	jq_true '.error.message | test("shorter than its 8-byte structure")'
	# an empty file too
	: >"$B"
	run --separate-stderr "$IOMMUCTL" hw-info --raw "$B" --type intel-vtd
	assert_failure 2
	assert_equal "$stderr" \
		"iommuctl: intel-vtd hw_info data is 0 bytes, shorter than its 24-byte structure"
}

@test "decode: an unknown type is an error with exit 2" {
	head -c 64 /dev/zero >"$B"
	local t
	for t in bogus 99 0 intel-iommu ''; do
		run --separate-stderr "$IOMMUCTL" hw-info --raw "$B" --type "$t"
		assert_failure 2
		assert_equal "$output" ""
		assert_regex "$stderr" "unknown hw_info type '$t'"
	done
	run --separate-stderr "$IOMMUCTL" --json hw-info --raw "$B" --type 99
	assert_failure 2
	jq_true '.error.errno == "EINVAL" and (.error.message | test("unknown hw_info type .99."))'
}
