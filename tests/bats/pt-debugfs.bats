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

# --- pt validate --held: the table against an IOAS a holder holds -------------------------

# pagemap VA PFN [COUNT]: COUNT (1) present pages from PFN at VA in the holder's pagemap
pagemap() {
	local i n=${3:-1} e
	for ((i = 0; i < n; i++)); do
		e=$(((1 << 63) | ($2 + i)))
		printf "$(printf '\\x%02x' $((e & 255)) $((e >> 8 & 255)) $((e >> 16 & 255)) \
			$((e >> 24 & 255)) $((e >> 32 & 255)) $((e >> 40 & 255)) $((e >> 48 & 255)) \
			$((e >> 56 & 255)))"
	done | dd of="$S/proc/4242/pagemap" bs=8 seek=$(($1 / 4096)) conv=notrunc status=none
}

# held_setup [MAPPING LINE...]: holder 4242 (its stat and pagemap in the capture) holding
# ioas ram with the capture's three translations, each from the holder's memory
held_setup() {
	mkdir -p "$S/proc/4242" "$BATS_TEST_TMPDIR/state"
	chmod 700 "$BATS_TEST_TMPDIR/state"
	export IOMMUCTL_STATE_DIR=$BATS_TEST_TMPDIR/state
	echo '4242 (iommuctl) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 1000 100' \
		>"$S/proc/4242/stat"
	: >"$S/proc/4242/pagemap"
	pagemap 0x10000000 0x5000
	pagemap 0x20000000 0x6000
	pagemap 0x40000000 0x7000 512
	{
		printf 'iommuctl-held 1\npid 4242\nstart 123456\niommufd 3\nobject ioas ram 1 - 0x0 -\n'
		printf '%s\n' "mapping buf 1 0x100000 0x1000 rw 0x10000000" \
			"mapping ro 1 0x380000 0x1000 r 0x20000000" \
			"mapping huge 1 0x400000 0x200000 rw 0x40000000" "$@" end
	} >"$BATS_TEST_TMPDIR/state/held-4242.state"
}

@test "pt validate --held: the table of the device is what the holder's IOAS maps, page by page" {
	held_setup
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held
	assert_success
	assert_output "clean: 7 entries in 5 tables, as the held set of pid 4242, ioas ram"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" --json pt validate --debugfs 00:04.0 \
		--held --pid 4242 --ioas 1
	assert_success
	run jq -c '[.held, (.findings | length)]' <<<"$output"
	assert_output '[{"pid":4242,"ioas":"ram","ioas_id":1,"mappings":3,"pages":514,"pages_unknown":0},0]'
}

@test "pt validate --held: another physical page, other permissions, a mapping the table lacks" {
	held_setup "mapping gone 1 0x600000 0x2000 rw -"
	pagemap 0x40001000 0x9000
	sed -i 's/^mapping ro 1 0x380000 0x1000 r /mapping ro 1 0x380000 0x1000 rw /' \
		"$BATS_TEST_TMPDIR/state/held-4242.state"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held
	assert_failure 1
	assert_equal "$output" "$(printf '%s\n' \
		'RULE         IOVA               LAST               LEVEL    ENTRY        MESSAGE' \
		"perms        0x380000           0x380fff           PTE      0x3001c00    IOVA 0x380000-0x380fff (4K) of mapping 'ro' is mapped r--, not rw-" \
		"phys         0x401000           0x401fff           PDE      0x2fea010    IOVA 0x401000-0x401fff (4K) of mapping 'huge' goes to 0x7001000, not 0x9000000" \
		"missing      0x600000           0x601fff           -        -            IOVA 0x600000-0x601fff (8K) of mapping 'gone' is not mapped")"
	assert_equal "$stderr" "iommuctl: 3 findings: 1 missing, 1 phys, 1 perms"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" --json pt validate --debugfs 00:04.0 --held
	assert_failure 1
	run jq -c '[.findings[] | [.rule, .mapping, .line]], .held.pages_unknown' <<<"$output"
	assert_output $'[["perms","ro",null],["phys","huge",null],["missing","gone",null]]\n2'
}

@test "pt validate --held: no holder, a holder that is gone, no page frame numbers, usage" {
	held_setup
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held --pid 77
	assert_failure 4
	assert_equal "$stderr" "iommuctl: no holder with pid 77 (no held-77.state): 'iommuctl held list' shows the holders"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held --ioas nope
	assert_failure 4
	assert_equal "$stderr" "iommuctl: --ioas nope: no such IOAS in the set of holder 4242 ('iommuctl held objects --pid 4242')"
	: >"$S/proc/4242/pagemap"
	pagemap 0x10000000 0
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held
	assert_failure 5
	assert_equal "$stderr" "iommuctl: the holder's pagemap gives no page frame numbers: reading them needs root (CAP_SYS_ADMIN)"
	sed -i 's/ 123456 / 654321 /' "$S/proc/4242/stat"
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held --pid 4242
	assert_failure 4
	assert_equal "$stderr" "iommuctl: holder 4242 is gone (held-4242.state is stale): 'iommuctl recover' removes it"
	# without --pid: the one live holder there is; a stale one is none
	run --separate-stderr "$IOMMUCTL" --sysroot "$S" pt validate --debugfs 00:04.0 --held
	assert_failure 4
	assert_equal "$stderr" "iommuctl: --held: no held set: hold one with 'iommuctl apply SPEC --hold' ('iommuctl held list' shows the holders)"
	run --separate-stderr "$IOMMUCTL" pt validate --held --pid 4242 t.img
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "iommuctl pt validate: --held checks the kernel's live table: give --debugfs DEVICE"
	run --separate-stderr "$IOMMUCTL" pt validate --debugfs 00:04.0 --ioas ram
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "iommuctl pt validate: --pid and --ioas go with --held"
	run --separate-stderr "$IOMMUCTL" pt validate --debugfs 00:04.0 --held --mappings m.txt
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "iommuctl pt validate: give one of --mappings, --spec and --held"
}
