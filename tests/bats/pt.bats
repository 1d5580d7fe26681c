#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# iommuctl pt build | dump | validate | diff, on images built from tests/fixtures/pt/: golden
# text, JSON through jq, exit statuses, and damaged or hostile input (truncated images,
# loops, tables outside the image, a million leaves).
load helpers

PTFIX=$ROOT/tests/fixtures/pt
PTGOLD=$GOLDEN/pt

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# build FORMAT MAPS IMAGE [ARGS...]
build() {
	local fmt=$1 maps=$2 img=$3
	shift 3
	run --separate-stderr "$IOMMUCTL" pt build --format "$fmt" -o "$img" "$@" "$maps"
	assert_success
}

# ptgolden NAME ARGS...: stdout of iommuctl ARGS (run here) equals tests/golden/pt/NAME.
ptgolden() {
	local name=$1
	shift
	run --separate-stderr "$IOMMUCTL" "$@"
	assert_success
	assert_equal "$stderr" ""
	diff -u "$PTGOLD/$name" <(printf '%s\n' "$output")
}

# poke IMAGE ADDRESS VALUE: write a 64-bit little-endian entry at a table address
# (images are built at base 0x100000 behind a 4096-byte header).
poke() {
	python3 -c 'import struct,sys; f=open(sys.argv[1],"r+b"); f.seek(4096+int(sys.argv[2],0)-0x100000); f.write(struct.pack("<Q",int(sys.argv[3],0)))' "$@"
}

@test "pt build: an image with a header, its tables, and a summary" {
	build x86-64 "$PTFIX/maps.txt" t.img
	assert_output "t.img: x86-64,levels=4,oas=52,sign-extend=1, root 0x100000, 6 tables (24K at 0x100000), 7 leaves for 4 mappings, pages 4K,2M,1G"
	[ "$(head -c 14 t.img)" = "iommuctl-pt 1" ] || [ "$(head -1 t.img)" = "iommuctl-pt 1" ]
	assert_equal "$(stat -c %s t.img)" $((4096 + 6 * 4096))
	run "$IOMMUCTL" --json pt build --format vtd-ss,levels=3 -o s.img "$PTFIX/maps.txt"
	assert_success
	jq_true '.image.format == "vtd-ss,levels=3,oas=52" and .image.root == "0x100000" and
		.image.leaves == 7 and .image.tables == 5 and .image.page_sizes == "4K,2M,1G"'
}

@test "pt build: standard input, page sizes, base, and what cannot be built" {
	printf '0x0 4M 0x40000000 rw\n' | "$IOMMUCTL" pt build --format x86-64 --page-sizes 4K \
		--base 0x2000000 - > s.img
	run "$IOMMUCTL" --json pt dump s.img
	assert_success
	jq_true '.root == "0x2000000" and (.translations | length == 1) and
		.translations[0].page_size == "0x1000" and .translations[0].pages == 1024'
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64 --page-sizes 16K -o x.img "$PTFIX/maps.txt"
	assert_failure 2
	assert_equal "$stderr" "iommuctl: x86-64,levels=4,oas=52,sign-extend=1 has no pages of 16K: it has 4K,2M,1G"
	printf '0x0 4K 0x0 w\n' > w.txt
	run --separate-stderr "$IOMMUCTL" pt build --format arm-lpae-s1 -o x.img w.txt
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "iommuctl: line 1: arm-lpae-s1 cannot map without read permission"
	printf '0x0 4K 0x0 rw\n0x1000 4q 0x0 r\n' > bad.txt
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64 -o x.img bad.txt
	assert_failure 2
	assert_equal "$stderr" "iommuctl: bad.txt:2: SIZE '4q' is not a number: write 0x..., decimal, or a number with K, M, G or T"
	assert_file_not_exists x.img
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64,levels=6 -o x.img "$PTFIX/maps.txt"
	assert_failure 2
	assert_equal "$stderr" "iommuctl: format x86-64: levels=6 is not allowed: give 4 (48-bit) or 5 (57-bit)"
	run "$IOMMUCTL" pt build -o x.img "$PTFIX/maps.txt"
	assert_failure 2
	assert_output --partial "missing --format"
}

@test "pt dump: ranges and trees of every format match the golden files" {
	build x86-64 "$PTFIX/maps.txt" x86.img
	build vtd-ss,levels=3 "$PTFIX/maps.txt" vtd.img
	build amd-v1,levels=3 "$PTFIX/maps.txt" amd.img
	build arm-lpae-s1,ias=39 "$PTFIX/maps.txt" lpae.img
	build arm-lpae-s1,granule=64K,ias=42 "$PTFIX/maps-64k.txt" lpae64.img
	for f in x86 vtd amd lpae lpae64; do
		ptgolden "dump-$f.txt" pt dump "$f.img"
		ptgolden "tree-$f.txt" pt dump --tree "$f.img"
	done
}

@test "pt dump --json: ranges and entries with their fields" {
	build x86-64 "$PTFIX/maps.txt" t.img
	run "$IOMMUCTL" --json pt dump t.img
	assert_success
	jq_true '.source == "image t.img" and (.translations | length == 4) and
		.translations[1] == {"iova": "0x200000", "last": "0x3fffff", "phys": "0x40000000",
			"size": "0x200000", "page_size": "0x200000", "pages": 1, "perms": "r--",
			"read": true, "write": false, "exec": false, "privileged": false}'
	run "$IOMMUCTL" --json pt dump --tree t.img
	assert_success
	jq_true '[.entries[] | select(.type == "leaf")] | length == 7'
	jq_true '.entries[] | select(.address == "0x101008") | .level == 3 and .level_name == "PDPE"
		and .value == "0x00000000800000e7" and .phys == "0x80000000" and .perms == "rwx"
		and .fields.PS == 1 and .fields.XD == 0 and .fields.D == 1 and (.fields | has("PAT"))'
}

@test "pt dump --raw and --elf read the same tables as the image" {
	build x86-64 "$PTFIX/maps.txt" t.img
	run "$IOMMUCTL" pt dump t.img
	local want=$output
	dd if=t.img of=mem.raw bs=4096 skip=1 status=none
	run "$IOMMUCTL" pt dump --raw mem.raw --base 0x100000 --root 0x100000 --format x86-64
	assert_success
	assert_equal "$output" "$want"
	# an ELF core whose one PT_LOAD segment holds the tables at physical 0x100000
	python3 - mem.raw core.elf <<-'EOF'
		import struct, sys
		mem = open(sys.argv[1], "rb").read()
		eh = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 4, 62, 1, 0, 64,
				 0, 0, 64, 56, 1, 0, 0, 0)
		ph = struct.pack("<IIQQQQQQ", 1, 6, 4096, 0, 0x100000, len(mem), len(mem), 4096)
		out = eh + ph
		out += b"\0" * (4096 - len(out)) + mem
		open(sys.argv[2], "wb").write(out)
	EOF
	run "$IOMMUCTL" pt dump --elf core.elf --root 0x100000 --format x86-64
	assert_success
	assert_equal "$output" "$want"
	run "$IOMMUCTL" pt dump --elf mem.raw --root 0x100000 --format x86-64
	assert_failure 1
	assert_output "iommuctl: mem.raw: not an ELF file"
}

@test "pt validate: clean, then every kind of difference, in text and JSON" {
	build x86-64 "$PTFIX/maps.txt" t.img
	run "$IOMMUCTL" pt validate t.img --mappings "$PTFIX/maps.txt"
	assert_success
	assert_output "clean: 12 entries in 6 tables, as $PTFIX/maps.txt"
	sed -e 's/0x40000000   1G    0x80000000    rwx/0x40000000   1G    0xc0000000    rw/' \
		-e '$a0x90000000 4K 0x5000 r' "$PTFIX/maps.txt" > other.txt
	run --separate-stderr "$IOMMUCTL" pt validate t.img --mappings other.txt
	assert_failure 1
	assert_equal "$stderr" "iommuctl: 3 findings: 1 missing, 1 phys, 1 perms"
	diff -u "$PTGOLD/validate-findings.txt" <(printf '%s\n' "$output")
	run "$IOMMUCTL" --json pt validate t.img --mappings other.txt
	assert_failure 1
	jq_true '.error.code == 1 and .error.errno == "EUCLEAN" and (.findings | length == 3)'
	jq_true '.findings[0] | .rule == "phys" and .iova == "0x40000000" and .level_name == "PDPE"
		and .entry == "0x101008" and .line == 6 and .count == 1'
	jq_true '.findings[2] | .rule == "missing" and .iova == "0x90000000" and .entry == null'
}

@test "pt validate: page sizes, reserved regions, and a unit's hardware" {
	printf '0x0 4M 0x40000000 rw\n0xfee00000 4K 0xfee00000 rw\n' > m.txt
	build x86-64 m.txt small.img --page-sizes 4K
	run "$IOMMUCTL" pt validate small.img --mappings m.txt --page-sizes 4K,2M
	assert_failure 1
	assert_line --partial "is mapped with 4K pages where 2M pages fit"
	run "$IOMMUCTL" pt validate small.img --mappings m.txt --page-sizes any
	assert_success
	printf '0x00000000fee00000 0x00000000feefffff msi\n' > resv
	run --separate-stderr "$IOMMUCTL" pt validate small.img --mappings m.txt --reserved resv
	assert_failure 1
	assert_output --partial "reserved-region"
	assert_equal "$stderr" "iommuctl: 1 finding: 1 reserved-region"
	# a NUL byte cuts no reserved_regions text short: the file is refused, naming where
	printf '0x0000000000000000 0x0000000000000fff direct\n\0000x00000000fee00000 0x00000000feefffff msi\n' > resv0
	run --separate-stderr "$IOMMUCTL" pt validate small.img --mappings m.txt --reserved resv0
	assert_failure 2
	assert_equal "$stderr" "iommuctl: --reserved resv0: a NUL byte at offset 45: not a reserved_regions text"
	# VT-d cap_reg: SAGAW 4-level, MGAW 47, SLLPS 2M only; ecap_reg: scalable mode with a
	# first stage, FL1GP clear: the 1G page of maps.txt is not supported.
	python3 -c 'import struct; open("vtd.bin","wb").write(struct.pack("<IIQQ", 0, 0, (4 << 8) | (47 << 16) | (1 << 34), (1 << 43) | (1 << 47)))'
	build x86-64 "$PTFIX/maps.txt" t.img
	run "$IOMMUCTL" --json pt validate t.img --hw-info vtd.bin --type intel-vtd
	assert_failure 1
	jq_true '(.hardware | test("FL1GP = 0")) and (.findings | map(.rule) == ["hw-page-size"])
		and .findings[0].iova == "0x40000000"'
	build x86-64,levels=5 "$PTFIX/maps.txt" t5.img
	run "$IOMMUCTL" --json pt validate t5.img --hw-info vtd.bin --type intel-vtd
	assert_failure 1
	jq_true '.findings[0].rule == "hw-format" and (.findings[0].message | test("does not walk x86-64,levels=5"))'
	run "$IOMMUCTL" pt validate t.img --hw-info vtd.bin
	assert_failure 2
	assert_output --partial "--hw-info and --type go together"
}

@test "pt diff: added, removed, remapped; exit 1 when they differ, 0 when not" {
	build x86-64 "$PTFIX/maps.txt" a.img
	sed -e 's/0x40000000   1G    0x80000000    rwx/0x40000000   1G    0xc0000000    rw/' \
		-e '/^0x0 /d' -e '$a0x90000000 4K 0x5000 r' "$PTFIX/maps.txt" > b.txt
	build vtd-ss b.txt b.img
	run --separate-stderr "$IOMMUCTL" pt diff a.img b.img
	assert_failure 1
	assert_equal "$stderr" "iommuctl: 3 differences"
	diff -u "$PTGOLD/diff.txt" <(printf '%s\n' "$output")
	run "$IOMMUCTL" --json pt diff a.img b.img
	assert_failure 1
	jq_true '[.changes[].change] == ["removed", "remapped", "added"] and
		.changes[1].a == {"phys": "0x80000000", "perms": "rwx", "page_size": "0x40000000"}'
	run "$IOMMUCTL" pt diff a.img a.img
	assert_success
	assert_output "no differences: the translations are the same"
}

@test "pt: damaged images: truncated, a loop, a table outside the image" {
	build x86-64 "$PTFIX/maps.txt" t.img
	head -c 10000 t.img > trunc.img
	run --separate-stderr "$IOMMUCTL" pt dump trunc.img
	assert_failure 1
	assert_equal "$stderr" "iommuctl: trunc.img: truncated: the header says 0x6000 bytes of tables, the file has 0x1710"
	head -c 100 t.img > short.img
	run "$IOMMUCTL" --json pt dump short.img
	assert_failure 1
	jq_true '.error.code == 1 and (.error.message | test("not an iommuctl page-table image"))'
	# PDPE[2] (0x101010) points back at the root: the walk stops there and says so.
	cp t.img loop.img
	poke loop.img 0x101010 0x100027
	run --separate-stderr timeout 10 "$IOMMUCTL" pt dump loop.img
	assert_failure 1
	assert_line --index 1 --regexp '^0x0 +0x1fff '
	[[ $stderr == *"warning: loop: PDE table at 0x100000 is reached a second time"* ]]
	run timeout 10 "$IOMMUCTL" --json pt validate loop.img --mappings "$PTFIX/maps.txt"
	assert_failure 1
	jq_true '[.findings[].rule] | contains(["loop", "missing"])'
	cp t.img out.img
	poke out.img 0x101018 0x7000000027
	run timeout 10 "$IOMMUCTL" --json pt dump --tree out.img
	assert_failure 1
	jq_true '.entries[] | select(.kind == "problem") | .rule == "unreadable" and
		(.message | test("outside image out.img"))'
	printf 'iommuctl-pt 1\nformat=x86-64\nbase=0x0\nsize=0x1000\nroot=0x0\nextra=1\n' > hdr.img
	truncate -s 8192 hdr.img
	run "$IOMMUCTL" pt validate hdr.img
	assert_failure 1
	assert_output "iommuctl: hdr.img: image header: unknown key 'extra'"
}

@test "pt: a million leaves are validated and dumped in bounded memory" {
	printf '0x0 4G 0x100000000 rw page=4K\n' > big.txt
	build amd-v1 big.txt big.img
	assert_output --partial "1048576 leaves"
	run "$IOMMUCTL" pt validate big.img --mappings big.txt
	assert_success
	run "$IOMMUCTL" pt dump big.img
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp '^0x0 +0xffffffff +0x100000000 +4G +1048576x4K rw-$'
	# the tree streams: its 1050625 lines in less memory than the image holds in tables
	/usr/bin/time -f '%M' -o rss "$IOMMUCTL" pt dump --tree big.img > /dev/null || [ $? -eq 0 ]
	[ "$(cat rss)" -lt 40000 ] || fail "peak RSS $(cat rss) KiB"
}

@test "pt: usage errors name the option" {
	run "$IOMMUCTL" pt dump
	assert_failure 2
	assert_output --partial "missing IMAGE (or --raw FILE, or --elf CORE)"
	run "$IOMMUCTL" pt dump --raw x --root 0 --format x86-64
	assert_failure 2
	assert_output --partial "--raw needs --base"
	run "$IOMMUCTL" pt dump --raw x --base 0 --root 0 --format x86-64 img
	assert_failure 2
	assert_output --partial "give one of IMAGE, --raw FILE and --elf CORE"
	run "$IOMMUCTL" --json pt dump --svg img
	assert_failure 2
	jq_true '.error.message | test("--svg draws a picture")'
	run "$IOMMUCTL" pt dump --format x86-64 img
	assert_failure 2
	assert_output --partial "an image says its format"
	run "$IOMMUCTL" pt dump /nonexistent.img
	assert_failure 2
	assert_output "iommuctl: image /nonexistent.img: No such file or directory"
	run "$IOMMUCTL" pt dump --raw x --base 0x1q --root 0 --format x86-64
	assert_failure 2
	assert_output --partial "--base: '0x1q' is not a number"
	run "$IOMMUCTL" pt frobnicate
	assert_failure 2
	assert_output --partial "unknown pt command 'frobnicate'"
	run "$IOMMUCTL" pt-dump --help
	assert_success
	assert_output --partial "Usage: iommuctl pt dump"
}

@test "pt build --with-cd, pt dump --cd: a context descriptor leads to the same translations" {
	printf '0x40000000 2M 0x80000000 rw\n0x0 64K 0x10000 r\n' > m.txt
	run --separate-stderr "$IOMMUCTL" pt build --format arm-lpae-s1,granule=16K --with-cd -o l.img m.txt
	assert_success
	# 16K tables: L0 at 0x100000, then L1, L2, L3 for 0x0, L3 for 0x40000000 (5 x 16K); the
	# CD table of one CD right after them.
	assert_line --index 1 "CD table at 0x114000 (CD 0: the tables); STE words 0x000000000011400b 0x00000000000000d4"
	run "$IOMMUCTL" pt dump l.img
	local want=$output
	run "$IOMMUCTL" pt dump --cd 0x114000 l.img
	assert_success
	assert_equal "$output" "$want"
	dd if=l.img of=mem.raw bs=4096 skip=1 status=none
	run "$IOMMUCTL" pt dump --raw mem.raw --base 0x100000 --cd 0x114000
	assert_success
	assert_equal "$output" "$want"
	run "$IOMMUCTL" --json pt validate --raw mem.raw --base 0x100000 --cd 0x114000 --mappings m.txt
	assert_success
	jq_true '.format == "arm-lpae-s1,granule=16K,ias=48,oas=48" and .root == "0x100000"'
	run --separate-stderr "$IOMMUCTL" pt dump --raw mem.raw --base 0x100000 --cd 0x100000
	assert_failure 2
	assert_equal "$stderr" "iommuctl: CD: V (dword 0 bit 31) is 0: the CD is not valid"
	run "$IOMMUCTL" --json pt build --format arm-lpae-s1 --with-cd -o l2.img m.txt
	# 4K tables: L0, L1, L2 and L3 for 0x0, an L2 for the 2M block: the CD table at 0x105000
	jq_true '.image.cd == "0x105000" and .image.ste[0] == "0x000000000010500b" and
		.image.ste[1] == "0x00000000000000d4" and .image.dte == null and .image.tables == 5'
	run "$IOMMUCTL" pt build --format x86-64 --with-cd -o x.img m.txt
	assert_failure 2
	assert_output "iommuctl: --with-cd: a context descriptor points at arm-lpae-s1 tables, not x86-64"
}

@test "pt build --with-gcr3, pt dump --gcr3: PASID 0 of a GCR3 table is the guest table" {
	printf '0x40000000 2M 0x80000000 rw\n' > m.txt
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64 --with-gcr3 -o x.img m.txt
	assert_success
	# The GCR3 table after the 3 tables at 0x100000-0x102fff: 0x103000.  The DTE: V (0),
	# GIOV (54), GV (55), GCR3[14:12] = 3 in bits 60:58: 0x0cc0000000000001; word 1:
	# GCR3[30:15] = 0x20 in bits 31:16.
	assert_line --index 1 "GCR3 table at 0x103000 (PASID 0: the tables); guest DTE 0x0cc0000000000001 0x0000000000200000 0x0000000000000000 0x0000000000000000"
	run "$IOMMUCTL" pt dump --gcr3 0x103000 x.img
	assert_success
	assert_line --index 1 --regexp '^0x40000000 +0x401fffff +0x80000000 +2M +1x2M rw-$'
	run "$IOMMUCTL" pt dump --gcr3 0x103000 --pasid 1 x.img
	assert_failure 1
	assert_output "iommuctl: GCR3 table: PASID 1 has no valid entry at level 1"
	run "$IOMMUCTL" pt dump --pasid 1 x.img
	assert_failure 2
	assert_output --partial "--pasid and --glx go with --gcr3"
}

@test "completion: pt offers its commands, then each command's options and files" {
	iommuctl() { "$IOMMUCTL" "$@"; }
	source "$ROOT/completions/iommuctl.bash"
	COMP_WORDS=(iommuctl pt ""); COMP_CWORD=2; _iommuctl
	assert_equal "${COMPREPLY[*]}" "build dump validate diff"
	COMP_WORDS=(iommuctl pt dump --tr); COMP_CWORD=3; _iommuctl
	assert_equal "${COMPREPLY[*]}" "--tree"
	COMP_WORDS=(iommuctl pt build --format ""); COMP_CWORD=4; _iommuctl
	assert_equal "${COMPREPLY[*]}" "x86-64 vtd-ss amd-v1 arm-lpae-s1"
	touch maps-here.txt
	COMP_WORDS=(iommuctl pt validate x.img --mappings maps-h); COMP_CWORD=5; _iommuctl
	assert_equal "${COMPREPLY[*]}" "maps-here.txt"
}

# --- tables of a spec (page_tables:) ------------------------------------------------------

@test "pt build --spec: the table apply would build, at its IOVA in the parent, dumps as the spec says" {
	local ex=$ROOT/examples/nested-page-tables.yaml
	run --separate-stderr "$IOMMUCTL" pt build --spec "$ex" -o gt.pt
	assert_success
	# the root and 6 tables below it (one PML4, a PDPT for each of the two 512G regions, PDs,
	# PTs), padded to the 36K of table memory apply maps: the bound of iommuctl-spec(5)
	assert_output "gt.pt: x86-64,levels=4,oas=52,sign-extend=1, root 0x7ff00000, 7 tables (36K at 0x7ff00000), 21 leaves for 3 mappings, pages 4K,2M,1G"
	assert_equal "$(stat -c %s gt.pt)" $((4096 + 36 * 1024))
	# every to: as a parent IOVA: ram is at 0, so ram+0x10000000 is 0x10000000
	run "$IOMMUCTL" pt dump gt.pt
	assert_success
	assert_line --regexp '^0x100000000 +0x1001fffff +0x10000000 +2M +1x2M rw-$'
	assert_line --regexp '^0x100200000 +0x10020ffff +0x20000 +64K +16x4K r--$'
	assert_line --regexp '^0x7fffffff0000 +0x7fffffff3fff +0x3ff00000 +16K +4x4K rw-$'
	assert_equal "${#lines[@]}" 4
	run "$IOMMUCTL" pt validate --spec "$ex" gt.pt
	assert_success
	assert_output "clean: 27 entries in 7 tables, as $ex table gt"
}

@test "pt validate --spec: a table that is not the spec's: missing, extra, wrong page, wrong permissions" {
	local ex=$ROOT/examples/nested-page-tables.yaml
	# the same IOVAs, built by hand: the buffer at another page, the firmware window
	# writable, the ring missing, and a page the spec does not have
	printf '%s\n' '0x100000000 2M 0x10200000 rw' '0x100200000 64K 0x20000 rw' \
		'0x200000000 4K 0x1000 r' >hand.txt
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64 --base 0x7ff00000 -o hand.pt hand.txt
	assert_success
	run --separate-stderr "$IOMMUCTL" pt validate --spec "$ex" --table gt hand.pt
	assert_failure 1
	assert_equal "$stderr" "iommuctl: 4 findings: 1 missing, 1 extra, 1 phys, 1 perms"
	run "$IOMMUCTL" --json pt validate --spec "$ex" hand.pt
	assert_failure 1
	jq_true '.mappings == "'"$ex"' table gt" and (.findings | length == 4)'
	jq_true '[.findings[] | "\(.rule) \(.iova)"] == ["phys 0x100000000", "perms 0x100200000",
		"extra 0x200000000", "missing 0x7fffffff0000"]'
	jq_true '.findings[0] | .level_name == "PDE" and .entry != null'
	# another format is not the spec's table
	run --separate-stderr "$IOMMUCTL" pt build --format arm-lpae-s1 -o lp.pt hand.txt
	run --separate-stderr "$IOMMUCTL" pt validate --spec "$ex" lp.pt
	assert_failure 2
	assert_equal "$stderr" "iommuctl: image lp.pt is arm-lpae-s1,granule=4K,ias=48,oas=48, but table gt of $ex is x86-64,levels=4,oas=52,sign-extend=1"
}

@test "pt build --spec: an SMMUv3 table with its CD table, an AMD table with its GCR3 table" {
	run --separate-stderr "$IOMMUCTL" --json pt build --spec "$ROOT/examples/smmuv3-nested-table.yaml" -o s.pt
	assert_success
	# the CD table in the last 4K page of the 24K the table memory has; its STE is the data
	# apply --dry-run shows (V, Config 0b101, S1ContextPtr; S1DSS 0b10, S1CIR/COR WBRA, ISH)
	jq_true '.image.root == "0x100000000" and .image.cd == "0x100005000" and
		.image.ste == ["0x000000010000500b", "0x00000000000000d4"] and .image.size == "0x6000"'
	run "$IOMMUCTL" pt dump --cd 0x100005000 s.pt
	assert_success
	assert_line --regexp '^0x0 +0x1fffff +0x40000000 +2M +1x2M rw-$'
	assert_line --regexp '^0x10000000 +0x100fffff +0x41000000 +1M +256x4K r--$'
	run --separate-stderr "$IOMMUCTL" --json pt build --spec "$ROOT/examples/amd-guest-table.yaml" -o a.pt
	assert_success
	jq_true '.image.root == "0xbff00000" and .image.gcr3 == "0xbff0f000" and .image.size == "0x10000"'
	run "$IOMMUCTL" pt dump --gcr3 0xbff0f000 a.pt
	assert_success
	assert_line --regexp '^0x0 +0x3fffffff +0x0 +1G +1x1G rw-$'
	assert_line --regexp '^0x40000000 +0x40000fff +0x7ffff000 +4K +1x4K r--$'
}

@test "pt build --spec, pt validate --spec: what they refuse" {
	local ex=$ROOT/examples/nested-page-tables.yaml
	run --separate-stderr "$IOMMUCTL" pt build --spec "$ex" --format x86-64 -o x.pt
	assert_failure 2
	[[ "$stderr" == *"--spec gives the format, page sizes, base and the CD or GCR3 table"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr "$IOMMUCTL" pt build --table gt -o x.pt m.txt
	assert_failure 2
	run --separate-stderr "$IOMMUCTL" pt build --spec "$ex" --table nope -o x.pt
	assert_failure 2
	assert_equal "$stderr" "iommuctl: --table nope: $ex has no such table (it has gt)"
	# a to: the kernel places: apply builds it, pt build cannot
	printf '%s\n' 'ioas: [{name: r, mappings: [{name: m, size: 1M}]}]' \
		'page_tables: [{name: t, format: x86-64, ioas: r, at: 0x100000, mappings: [{iova: 0, size: 4K, to: m}]}]' >k.yaml
	run --separate-stderr "$IOMMUCTL" pt build --spec k.yaml -o x.pt
	assert_failure 2
	assert_equal "$stderr" "iommuctl: k.yaml:2:99: page_tables[0].mappings[0].to: mapping m has no iova: (the kernel picks it when the spec is applied); give it one to build the table offline"
	# a spec with an error: its first, with file:line:column
	[ ! -e x.pt ] || fail "a refused build wrote x.pt"
	sed 's/size: 4K, to: m/size: 4K, to: m+2M/' k.yaml >bad.yaml
	printf '0x0 4K 0x1000 rw\n' >one.txt
	run --separate-stderr "$IOMMUCTL" pt build --format x86-64 -o y.pt one.txt
	run --separate-stderr "$IOMMUCTL" pt validate --spec bad.yaml y.pt
	assert_failure 2
	assert_equal "$stderr" "iommuctl: bad.yaml:2:99: page_tables[0].mappings[0].to: m+0x200000 with 0x1000 bytes goes past the end of mapping m (0x100000 bytes)"
}
