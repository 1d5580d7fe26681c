#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2016,SC2154 # $1.. are the inner shell's; output and status come from bats
# In-guest: stage-1 tables of a spec (page_tables:) built and mapped by `apply`.  The test
# kernels' mock device takes nested HWPTs of the selftest type only, so: a nest-parent mock
# HWPT over an IOAS, a table whose memory apply maps into that IOAS, and a nested selftest
# HWPT over the parent.  The kernel says the table memory is mapped where the spec says and
# to the very pages iommuctl built it in (IOMMU_TEST_OP_MD_CHECK_MAP through tests/uapi/iofd,
# from inside `apply -- COMMAND`, on the memfd the hand-off names); `pt dump` of that memory
# gives exactly the spec's stage-1 mappings, the kernel-chosen IOVA of a mapping included.
# The mock needs no IOMMU: these run on every shape with the test kernel, and skip on the
# stock one (no CONFIG_IOMMUFD_TEST).

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    IOFD=$(dirname "$IOMMUCTL")/tests/iofd
    [ "$VM_KERNEL_KIND" != stock ] || skip "the stock kernel has no iommufd selftest mock"
    [ -x "$IOFD" ] || fail "no $IOFD: run make (tests/uapi/uapi.mk builds it)"
    S=$BATS_TEST_TMPDIR/spec.yaml
    cat >"$S" <<'EOF'
devices:
  - {name: m0, mock: {ioas: ram}}
ioas:
  - name: ram
    allow: [{start: 0x1000000, size: 256M}]
    mappings:
      - {name: gram, iova: 0x1000000, size: 16M, memory: memfd}
      - {name: anyw, size: 64K, memory: anon}
page_tables:
  - name: gt
    format: x86-64
    ioas: ram
    at: 0x4000000
    mappings:
      - {iova: 0x0, size: 2M, to: gram}
      - {iova: 0x200000, size: 8K, to: gram+0x10000, access: r}
      - {iova: 0x40000000, size: 4K, to: 0x1800000}
      - {iova: 0x7fff0000, size: 64K, to: anyw}
hwpts:
  - {name: s2, ioas: ram, device: m0, flags: [nest-parent]}
  - {name: s1, parent: s2, device: m0, data: {type: selftest, iotlb: 0}}
attach:
  - {device: m0, hwpt: s1}
EOF
}

# What the command sees: the table as the hand-off names it, the kernel's answer on its
# memory, and pt dump of the memfd itself and of the copy next to the JSON document.
probe() {
    cat <<'EOF'
J=$IOMMUCTL_OBJECTS_JSON
mem=$(jq -r .page_tables.gt.memfd "$J")
at=$(jq -r .page_tables.gt.iova "$J")
size=$(jq -r .page_tables.gt.size "$J")
echo "table: $at $size root $(jq -r .page_tables.gt.root "$J") $(jq -r .page_tables.gt.format "$J")"
echo "kernel, table memory: $("$1" mock-check-map s2 "$at" "$mem" 4096 "$size")"
echo "kernel, the header page instead: $("$1" mock-check-map s2 "$at" "$mem" 0 4096)"
echo "kernel, one page past it: $("$1" mock-check-map s2 $((at + size)) "$mem" 4096 4096)"
echo "anyw: $("$1" iova anyw)"
"$2" --json pt dump "$mem" | jq -r '.translations[] | "map \(.iova) \(.phys) \(.size) \(.page_size) \(.perms)"'
cmp "$mem" "$(dirname "$J")/$(jq -r .page_tables.gt.file "$J")" && echo "copy: same bytes"
EOF
}

@test "apply: a spec's stage-1 table is built, mapped where the spec says, and dumps as its mappings" {
    run --separate-stderr "$IOMMUCTL" apply "$S" -- sh -c "$(probe)" probe "$IOFD" "$IOMMUCTL"
    echo "$output"
    echo "stderr: $stderr"
    assert_success
    assert_line --regexp '^ +3\. map the memory of table .gt., 36K of memfd at 0x4000000 in ioas .ram. \(IOMMU_IOAS_MAP_FILE\)$'
    assert_line --regexp '^ +[0-9]+\. build table .gt. \(x86-64,levels=4.*, 4 mappings, root 0x4000000\) into its memory$'
    # 36K: the root, a PDPT, PDs for the first two GiB, PTs for the 2M blocks 0, 1, 512 and
    # 1023 (the bound of iommuctl-spec(5): 8 tables), and a page for a CD or GCR3 table
    assert_line "table: 0x4000000 $((0x9000)) root 0x4000000 x86-64,levels=4,oas=52,sign-extend=1"
    # the kernel: the table memory is mapped at at: to the memfd's pages after the header
    assert_line "kernel, table memory: mapped"
    assert_line "kernel, the header page instead: error=EINVAL"
    assert_line --regexp "^kernel, one page past it: error=E"
    local anyw
    anyw=$(sed -n 's/^anyw: //p' <<<"$output")
    [ -n "$anyw" ] || fail "no IOVA for anyw"
    # exactly the spec's translations, in IOVA order, with the largest pages that fit
    run grep '^map ' <<<"$output"
    assert_output "map 0x0 0x1000000 0x200000 0x200000 rw-
map 0x200000 0x1010000 0x2000 0x1000 r--
map 0x40000000 0x1800000 0x1000 0x1000 rw-
map 0x7fff0000 $anyw 0x10000 0x1000 rw-"
}

@test "apply: the hand-off's copy of the table is the memory the kernel maps, byte for byte" {
    run --separate-stderr "$IOMMUCTL" apply "$S" -- sh -c "$(probe)" probe "$IOFD" "$IOMMUCTL"
    assert_success
    assert_line "copy: same bytes"
}

@test "apply: a trial run has the kernel verify the table memory with the mappings" {
    run --separate-stderr "$IOMMUCTL" --json apply "$S"
    assert_success
    # the two mappings of ram and the table memory, against the mock paging HWPT s2
    assert_equal "$(jq -r '.apply.verified // empty' <<<"$output")" 3
}

@test "apply: at: auto: the kernel picks the table memory's IOVA, and the tables are built for it" {
    local A=$BATS_TEST_TMPDIR/auto.yaml at
    sed 's/^    at: 0x4000000$/    at: auto/' "$S" >"$A"
    grep -q '^    at: auto$' "$A" || fail "the spec has no at: to replace"
    run --separate-stderr "$IOMMUCTL" apply "$A" -- sh -c "$(probe)" probe "$IOFD" "$IOMMUCTL"
    echo "$output"
    echo "stderr: $stderr"
    assert_success
    # where the kernel put it, as apply says, the hand-off names, and the build used
    at=$(sed -n 's/^ *[0-9]*\. map the memory of table .gt., 36K of memfd at an IOVA the kernel picks in ioas .ram. (IOMMU_IOAS_MAP_FILE): \(0x[0-9a-f]*\)$/\1/p' <<<"$output")
    [ -n "$at" ] || fail "apply did not say where the kernel put the table memory"
    assert_line --regexp "^ +[0-9]+\. build table .gt. \(x86-64,levels=4.*, 4 mappings, root $at\) into its memory$"
    assert_line "table: $at $((0x9000)) root $at x86-64,levels=4,oas=52,sign-extend=1"
    # mapped after the IOAS's own mappings (none of their fixed IOVAs could be taken)
    [ "$(grep -n "^ *[0-9]*\. map 'anyw'" <<<"$output" | cut -d: -f1)" -lt \
        "$(grep -n 'map the memory of table' <<<"$output" | cut -d: -f1)" ] ||
        fail "the table memory was mapped before the IOAS's mappings"
    # a 4 KiB-aligned IOVA inside the allow range, clear of gram (0x1000000-0x1ffffff) and anyw
    local anyw
    anyw=$(sed -n 's/^anyw: //p' <<<"$output")
    ((at % 4096 == 0 && at >= 0x2000000 && at + 0x9000 <= 0x11000000)) ||
        fail "the kernel's IOVA $at is not where it may be"
    ((at + 0x9000 <= anyw || anyw + 0x10000 <= at)) || fail "$at overlaps anyw at $anyw"
    # the kernel: the table memory is mapped there, to the memfd's pages after the header
    assert_line "kernel, table memory: mapped"
    assert_line "kernel, the header page instead: error=EINVAL"
    # the tables are written for that IOVA: the same translations as at a fixed at:
    run grep '^map ' <<<"$output"
    assert_output "map 0x0 0x1000000 0x200000 0x200000 rw-
map 0x200000 0x1010000 0x2000 0x1000 r--
map 0x40000000 0x1800000 0x1000 0x1000 rw-
map 0x7fff0000 $anyw 0x10000 0x1000 rw-"
}

@test "apply: at: auto: --check and --dry-run say that the kernel picks the IOVA" {
    local A=$BATS_TEST_TMPDIR/auto.yaml
    sed 's/^    at: 0x4000000$/    at: auto/' "$S" >"$A"
    run --separate-stderr "$IOMMUCTL" apply --check "$A"
    assert_success
    assert_line "$A:13:9: warning: page_tables[0].at: auto: the kernel picks the IOVA of table gt's 0x9000 bytes of memory in IOAS ram when apply maps them (after the IOAS's mappings); apply prints it, and hands it over as page_tables.gt.iova"
    run --separate-stderr "$IOMMUCTL" apply --dry-run "$A"
    assert_success
    assert_line --regexp "^ +[0-9]+\. map the memory of table 'gt', 36K of memfd at an IOVA the kernel picks in ioas 'ram' \(IOMMU_IOAS_MAP_FILE\)$"
    assert_line --regexp "^ +[0-9]+\. build table 'gt' \(x86-64,levels=4.*, 4 mappings, root the start of its memory\) into its memory$"
}
