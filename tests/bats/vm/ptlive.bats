#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # output and status are set by bats' run
# In-guest oracles of `iommuctl pt dump --debugfs` (Intel's domain_translation_struct): the
# kernel's own IO page table of the edu device, read while tests/uapi/ptlive-hold holds
# mappings of known user memory in an iommufd IOAS the device is attached to, is checked
# against the truth of the holding process:
#   - every IOVA -> physical address equals /proc/self/pagemap's physical page of the user
#     memory behind it (ptlive-hold's "pages" file), and nothing else is mapped;
#   - edu's DMA engine, told to write through an IOVA, writes where the dump says (the data
#     is found through the CPU in the page pagemap names), and a write through a read-only
#     mapping changes nothing;
#   - on intel-flts, the kernel's first-stage table equals, entry by entry, the one
#     iommuctl's own x86-64 builder makes for the same mappings (A/D bits and table
#     addresses aside);
#   - after an unmap (SIGUSR1 to the holder) the IOVAs are gone from the kernel's table.
# Then the same oracle with iommuctl itself as the holder: `apply --hold` of a spec on edu
# (anonymous, memfd, read-only, kernel-chosen, a copy and, when there is one, a hugetlb page),
# `pt validate --debugfs --held` against the held IOAS, and, read here without iommuctl, every
# IOVA of the kernel's table -> the physical page /proc/HOLDER/pagemap gives for the holder's
# memory behind it (whose address /proc/HOLDER/maps confirms); after `held unmap` those IOVAs
# are gone and validate names exactly those mappings as missing.
# Shapes: intel (legacy mode, second stage), intel-sm (scalable mode, second stage) and
# intel-flts (scalable mode, first stage: QEMU 10's x-flts); elsewhere every test skips.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    case ${VM_SHAPE:-} in intel | intel-sm | intel-flts) ;; *) return 0 ;; esac
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    sys_bind_vfio "$EDU"
    # one 2 MiB page for the holder's hugetlb mapping (a 2 MiB leaf in the kernel's table)
    echo 1 >/proc/sys/vm/nr_hugepages || true
    HOLD_DIR=$BATS_FILE_TMPDIR/hold
    mkdir -p "$HOLD_DIR"
    export HOLD_DIR
    "$(dirname "$IOMMUCTL")/tests/ptlive-hold" "$EDU" "$HOLD_DIR" >"$HOLD_DIR/log" 2>&1 3>&- &
    echo $! >"$HOLD_DIR/pid"
    local _
    for _ in $(seq 600); do
        [ -e "$HOLD_DIR/ready" ] && break
        kill -0 "$(cat "$HOLD_DIR/pid")" 2>/dev/null || break
        sleep 0.1
    done
    # for the record, on the host in build/vm/SHAPE/ptlive/: the kernel's dump as read now
    # and the holder's truth
    local keep=/run/iommuctl-out/ptlive
    if [ -d "${keep%/*}" ] && mkdir -p "$keep"; then
        cp "$HOLD_DIR"/* "$keep/" 2>/dev/null || true
        cp "/sys/kernel/debug/iommu/intel/$EDU/domain_translation_struct" "$keep/" 2>/dev/null || true
    fi
}

teardown_file() {
    [ -n "${HOLD_DIR:-}" ] && [ -e "$HOLD_DIR/pid" ] || return 0
    local pid _
    for pid in "$(cat "$HOLD_DIR/pid")" $(cat "$BATS_FILE_TMPDIR/apply/pid" 2>/dev/null); do
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    sys_unbind_vfio "$EDU"
    echo 0 >/proc/sys/vm/nr_hugepages || true
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    case $VM_SHAPE in
    intel | intel-sm | intel-flts) ;;
    *) skip "shape '$VM_SHAPE' has no Intel VT-d: domain_translation_struct is Intel's debugfs" ;;
    esac
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    [ -e "$HOLD_DIR/ready" ] || fail "ptlive-hold did not get ready: $(cat "$HOLD_DIR/log" 2>/dev/null)"
}

# Pages are expanded and compared in awk, one process: a bash loop of a printf per 4 KiB page
# cost some 20 s of guest CPU per 2 MiB leaf under TCG.  mawk's numbers are doubles and its %x
# is 32-bit, so HEX_AWK reads and writes hex by hand (exact below 2^53: a guest's IOVAs and
# physical addresses).
# shellcheck disable=SC2016 # awk's own $fields
HEX_AWK='
function hexval(s,   v, i, c) {
    s = tolower(s); sub(/^0x/, "", s); v = 0
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1))
        if (!c) { print "not a hex number: " s > "/dev/stderr"; exit 1 }
        v = v * 16 + c - 1
    }
    return v
}
function hex(v,   s, d) {
    if (v == 0) return "0x0"
    for (s = ""; v > 0; v = (v - d) / 16) { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s }
    return "0x" s
}'

# dump_pages: the translations of pt dump --debugfs EDU, one "IOVA PHYS RW" line per
# 4 KiB page (hex without leading zeros, RW the first two characters of the permissions), sorted.
dump_pages() {
    local json
    json=$("$IOMMUCTL" --json pt dump --debugfs "$EDU") || {
        echo "$json" >&2
        return 1
    }
    jq -r '.translations[] | "\(.iova) \(.size) \(.phys) \(.perms)"' <<<"$json" |
        awk "$HEX_AWK"'
            { iova = hexval($1); phys = hexval($3); rw = substr($4, 1, 2)
              for (o = 0; o < $2; o += 4096) print hex(iova + o), hex(phys + o), rw }' | sort
}

# truth_pages [NAME...]: the holder's pages (all, or those of the named buffers), as dump_pages.
truth_pages() {
    awk -v names=" $* " "$HEX_AWK"'
        names != "  " && index(names, " " $4 " ") == 0 { next }
        { print hex(hexval($1)), hex(hexval($2)), ($3 == "r" ? "r-" : $3) }' "$HOLD_DIR/pages" | sort
}

@test "pt dump --debugfs: every IOVA of edu's table goes to the physical page pagemap gives, and nothing else is mapped" {
    local got want
    got=$(dump_pages) || fail "pt dump --debugfs $EDU failed"
    want=$(truth_pages)
    [ -n "$want" ] || fail "the holder wrote no pages"
    assert_equal "$got" "$want"
}

@test "pt dump --debugfs: the table's format is the one the shape's IOMMU walks" {
    local ecap fsts ssts want
    # ground truth: the unit's ecap (sysfs), the mode (shape) and what the kernel prefers: the
    # first stage when the unit has it (FSTS, ecap bit 47), else the second (SSTS, bit 46)
    ecap=$(cat /sys/class/iommu/dmar0/intel-iommu/ecap)
    fsts=$(((16#$ecap >> 47) & 1))
    ssts=$(((16#$ecap >> 46) & 1))
    case $VM_SHAPE in
    intel) want=vtd-ss ;;
    *) if [ $fsts = 1 ]; then want=x86-64; else want=vtd-ss; fi ;;
    esac
    [ "$VM_SHAPE" != intel-flts ] || [ $fsts = 1 ] ||
        fail "intel-flts: QEMU's unit has no first-stage translation (ecap $ecap)"
    run "$IOMMUCTL" --json pt dump --debugfs "$EDU"
    assert_success
    run jq -r '.format | split(",")[0]' <<<"$output"
    assert_output "$want"
    echo "ecap $ecap FSTS $fsts SSTS $ssts" >&2
}

@test "pt dump --debugfs --tree: the hugetlb page is one 2 MiB leaf" {
    grep -q '^huge=1' "$HOLD_DIR/info" || skip "the kernel gave no hugetlb page (nr_hugepages)"
    run "$IOMMUCTL" --json pt dump --tree --debugfs "$EDU"
    assert_success
    run jq -r '.entries[] | select(.type == "leaf" and .iova == "0x400000") | .page_size' <<<"$output"
    assert_output 0x200000
}

@test "edu DMA: what the device writes through an IOVA lands in the page the dump translates it to" {
    local dump
    dump=$(dump_pages) || fail "pt dump --debugfs $EDU failed"
    # each line of dma: PHYS "dma to iova IOVA", read by the CPU at the start of the page at
    # PHYS; the dump must translate IOVA to PHYS
    run awk 'NR == FNR { dump[$1] = $2; next }
        $2 " " $3 " " $4 != "dma to iova" || $5 !~ /^0x/ { print "page " $1 " holds \"" $0 "\", not edu data"; bad = 1; next }
        { n++; got = ($5 in dump) ? dump[$5] : "unmapped"
          if (got != $1) { print "iova " $5 ": the device wrote to " $1 ", the dump says " got; bad = 1 } }
        END { print n " pages"; exit bad }' <(printf '%s\n' "$dump") "$HOLD_DIR/dma"
    assert_success
    assert_output "8 pages"
}

@test "edu DMA: a write through a read-only mapping changes nothing, and the kernel logs the fault" {
    run cat "$HOLD_DIR/ro"
    assert_output "ro page 0"
    # QEMU's unit records the faults and the kernel prints them (DMAR: [DMA Write ...] Request
    # device [00:04.0] fault addr 0x...): the read-only page, or the IOVA nothing maps
    run bash -c "dmesg | grep -E 'DMA Write.*Request device \[(0000:)?00:04\.0\] fault addr 0x0*(380000|ff00000)'"
    echo "$output" >&2
    assert_success
}

@test "pt build of the same mappings gives the kernel's first-stage table, entry by entry (intel-flts)" {
    [ "$VM_SHAPE" = intel-flts ] || skip "the kernel builds x86-64 (first-stage) tables on intel-flts only"
    local fmt levels mine kern
    run "$IOMMUCTL" --json pt dump --tree --debugfs "$EDU"
    assert_success
    kern=$output
    fmt=$(jq -r .format <<<"$kern")
    levels=$(sed -n 's/.*levels=\([0-9]\).*/\1/p' <<<"$fmt")
    # Linux never sets XD in its first-stage IO tables (no execute permission is asked for):
    # the holder's rw and r mappings are rwx and r-x there.
    sed -E '/^#/d; s/ rw$/ rwx/; s/ r$/ rx/' "$HOLD_DIR/mappings" >"$BATS_TEST_TMPDIR/maps"
    run "$IOMMUCTL" pt build --format "x86-64,levels=$levels" -o "$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/maps"
    assert_success
    run "$IOMMUCTL" --json pt dump --tree "$BATS_TEST_TMPDIR/img"
    assert_success
    mine=$output
    # each entry: level, IOVA, kind, the page a leaf maps and its size, its architectural
    # fields but A and D (the ignored bits are none: Linux marks its tables with bit 9)
    local q='.entries[] | select(.kind == "entry") |
        "\(.level) \(.iova) \(.type) \(.phys) \(.page_size) \(.fields | del(.A, .D) | tojson)"'
    kern=$(jq -r "$q" <<<"$kern" | sort)
    # at least one leaf per line of the mapping file (the table is not empty)
    [ "$(grep -c ' leaf ' <<<"$kern")" -ge "$(grep -vc '^#' "$HOLD_DIR/mappings")" ] ||
        fail "the kernel's table has fewer leaves than mappings: $kern"
    assert_equal "$(jq -r "$q" <<<"$mine" | sort)" "$kern"
}

@test "after an unmap the IOVAs are gone from the kernel's table" {
    kill -USR1 "$(cat "$HOLD_DIR/pid")"
    wait_for "$HOLD_DIR/unmapped" || fail "the holder did not unmap: $(cat "$HOLD_DIR/log")"
    local got
    got=$(dump_pages) || fail "pt dump --debugfs $EDU failed after the unmap"
    assert_equal "$got" "$(truth_pages scatter ro huge)"
    # nothing of anon (0x100000-0x11ffff) or memfd (0x300000-0x30ffff) is left
    run grep -E '^0x(1[01]|30)[0-9a-f]{4} ' <<<"$got"
    assert_failure
}

# --- iommuctl as the holder: apply --hold, pt validate --held, held unmap ---------------------

# apply_hold: (once per file) end ptlive-hold, then 'apply --hold' a spec on edu in the
# background; APPLY (the directory: spec, output, state), HOLDER, HELD (its state file)
apply_hold() {
    APPLY=$BATS_FILE_TMPDIR/apply
    IOMMUCTL_STATE_DIR=$APPLY/state
    export IOMMUCTL_STATE_DIR
    if [ -e "$APPLY/pid" ]; then
        HOLDER=$(cat "$APPLY/pid")
        HELD=$IOMMUCTL_STATE_DIR/held-$HOLDER.state
        [ -e "$HELD" ] || fail "the apply --hold of an earlier test is gone: $(cat "$APPLY/out")"
        return 0
    fi
    mkdir -p "$APPLY"
    local pid _ huge=""
    pid=$(cat "$HOLD_DIR/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || fail "ptlive-hold ($pid) does not end"
    [ "$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)" -ge 1 ] &&
        huge="      - {name: huge, iova: 0x400000, size: 2M, memory: hugetlb-2M}"
    cat >"$APPLY/spec.yaml" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    allow: [0x100000-0xfffffff]
	    mappings:
	      - {name: anon, iova: 0x100000, size: 64K, memory: anon}
	      - {name: mfd, iova: 0x200000, size: 64K, memory: memfd}
	      - {name: ro, iova: 0x300000, size: 8K, memory: anon, access: r}
	      - {name: any, size: 16K, memory: anon}
	      - {name: twin, iova: 0x900000, size: 32K, copy: {mapping: anon, offset: 0x8000}}
	$huge
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
    # the group goes back to no driver: apply claims it as it would on a host
    sys_unbind_vfio "$EDU"
    "$IOMMUCTL" apply "$APPLY/spec.yaml" --hold >"$APPLY/out" 2>&1 3>&- &
    HOLDER=$!
    echo "$HOLDER" >"$APPLY/pid"
    HELD=$IOMMUCTL_STATE_DIR/held-$HOLDER.state
    for _ in $(seq 1200); do
        [ -e "$HELD" ] && return 0
        kill -0 "$HOLDER" 2>/dev/null || break
        sleep 0.1
    done
    fail "apply --hold published no state file: $(cat "$APPLY/out")"
}

# held_truth [NAME...]: for each mapping of the state file (all, or the named ones), its pages
# as dump_pages prints them, the physical page read here from /proc/HOLDER/pagemap (as root:
# page frame numbers) at the holder's address of the memory; the address itself is checked
# against /proc/HOLDER/maps first (inside a mapping of the holder; the memfd's, named by it,
# starts there)
# inside_vma ADDR LEN: [ADDR, ADDR + LEN) lies inside one mapping of /proc/HOLDER/maps
inside_vma() {
    local range _
    while read -r range _; do
        ((16#${range%-*} <= $1 && $1 + $2 <= 16#${range#*-})) && return 0
    done <"/proc/$HOLDER/maps"
    return 1
}

held_truth() {
    local pages
    pages=$(held_truth_unsorted "$@") || return 1
    sort <<<"$pages"
}

held_truth_unsorted() {
    local _ name ioas iova len acc uaddr keep perms
    while read -r _ name ioas iova len acc uaddr; do
        keep=1
        if [ $# -gt 0 ]; then keep=0; [[ " $* " == *" $name "* ]] && keep=1; fi
        [ $keep = 1 ] || continue
        [[ $uaddr == 0x* ]] || { echo "mapping $name has no address: $uaddr" >&2; return 1; }
        # inside one mapping of the holder (anonymous ones next to each other are one)
        inside_vma "$uaddr" "$len" || {
            echo "no mapping of the holder holds $uaddr+$len ($name)" >&2
            return 1
        }
        [ "$name" != mfd ] || grep -q "^0*${uaddr#0x}-.*/memfd:iommuctl:mfd" "/proc/$HOLDER/maps" || {
            echo "the memfd of mfd is not at $uaddr: $(grep memfd "/proc/$HOLDER/maps")" >&2
            return 1
        }
        perms=$acc
        [ "$acc" != r ] || perms=r-
        # pagemap: 8 bytes a page, bit 63 present, bit 55 soft-dirty, bits 0-54 the page
        # frame number
        dd if="/proc/$HOLDER/pagemap" bs=8 skip=$((uaddr / 4096)) count=$((len / 4096)) status=none |
            od -An -v -w8 -tx8 | awk -v iova="$iova" -v pages=$((len / 4096)) -v name="$name" \
                -v perms="$perms" "$HEX_AWK"'
                { e = $1
                  if (length(e) != 16 || index("89abcdef", substr(e, 1, 1)) == 0) {
                      print "page " NR - 1 " of " name " is not present: " e > "/dev/stderr"; exit 1 }
                  # bits 52-54 of the frame number: none in a guest of a few GiB
                  if (index("08", substr(e, 3, 1)) == 0) {
                      print "page " NR - 1 " of " name ": frame number past 2^52: " e > "/dev/stderr"; exit 1 }
                  print hex(hexval(iova) + (NR - 1) * 4096), hex(hexval(substr(e, 4)) * 4096), perms }
                END { if (NR != pages) { print "pagemap gave " NR " pages of " name > "/dev/stderr"; exit 1 } }' ||
            return 1
    done < <(grep '^mapping ' "$HELD")
}

@test "apply --hold on edu: pt validate --held is clean, and every IOVA goes to the holder's pagemap page" {
    apply_hold
    run --separate-stderr "$IOMMUCTL" --json pt validate --debugfs "$EDU" --held --pid "$HOLDER" --ioas ram
    echo "$output $stderr" >&2
    assert_success
    local n
    n=$(grep -c '^mapping ' "$HELD")
    jq -e "(.findings | length) == 0 and .held.mappings == $n and .held.pages_unknown == 0 and
        .held.pages > 0" <<<"$output"
    # the same, without iommuctl's own reading of pagemap: the kernel's table against the
    # holder's pages, all of them and nothing else
    local got want
    got=$(dump_pages) || fail "pt dump --debugfs $EDU failed"
    want=$(held_truth) || fail "the holder's pages could not be read"
    [ "$(wc -l <<<"$want")" -ge 48 ] || fail "too few pages: $want"
    assert_equal "$got" "$want"
    # the copy is the same memory as the part of anon it copies
    assert_equal "$(grep -c "^0x90[0-7]000 " <<<"$got")" 8
    assert_equal "$(awk '$1 ~ /^0x90/ {print $2}' <<<"$got")" "$(awk '$1 ~ /^0x10[89a-f]000$/ {print $2}' <<<"$got")"
}

@test "apply --hold on edu: after held unmap the IOVAs are gone, and validate --held follows the held set without them" {
    apply_hold
    run "$IOMMUCTL" held unmap --pid "$HOLDER" ram anon 64K
    assert_success
    run "$IOMMUCTL" held unmap --pid "$HOLDER" ram mfd 64K
    assert_success
    local got
    got=$(dump_pages) || fail "pt dump --debugfs $EDU failed after the unmap"
    # nothing of anon (0x100000-0x10ffff) or mfd (0x200000-0x20ffff) is left; the rest is
    assert_equal "$got" "$(held_truth ro any twin huge)"
    run grep -E '^0x(10|20)[0-9a-f]{4} ' <<<"$got"
    assert_failure
    # held unmap notes what it unmapped (held-PID.maps): the held set has two mappings fewer
    # than the holder's state file lists, and the kernel's table is exactly the rest
    run --separate-stderr "$IOMMUCTL" --json pt validate --debugfs "$EDU" --held --pid "$HOLDER"
    echo "$output $stderr" >&2
    assert_success
    local n
    n=$(grep -c '^mapping ' "$HELD")
    jq -e "(.findings | length) == 0 and .held.mappings == $((n - 2))" <<<"$output"
}
