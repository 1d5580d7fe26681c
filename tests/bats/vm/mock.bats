#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# KV and FIRST/THEN are read by the tests:
# shellcheck disable=SC2034,SC2153
# In-guest: iommuctl's iommufd library and apply on the kernel's IOMMUFD_TEST selftest mock
# (CONFIG_IOMMUFD_TEST: a mock IOMMU and mock devices, its own page tables that the kernel reads
# back). The mock is the same code on every shape of the test kernel, whatever IOMMU QEMU
# emulates, so these tests run on one shape per architecture (tests/vm/run-vm, SUITE_SHAPES):
# what the real IOMMUs answer is checked by iommufd.bats and apply.bats.
#
# tests/uapi/ioas-smoke (with no device: the mock) opens an iommufd session, makes an IOAS,
# binds the mock device, reads hw_info and the IOVA ranges, maps and unmaps, attaches a paging
# HWPT, probes features and lets the session destroy it all. tests/uapi/session-tree builds a
# tree of objects on the mock (nested HWPTs, a vIOMMU and what hangs off it) and has the session
# destroy it, asking the kernel behind its back what it refuses and what it no longer knows.
# Both print key=value lines that are checked here against the ABI's documented behaviour.
# Each program runs once, in setup_file (under TCG every exec counts); each test checks its
# part of that run's output. The ground truth never comes from the library.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    IOFD=$(dirname "$IOMMUCTL")/tests/iofd
    export IOFD
    [ -n "$VM_SHAPE" ] && [ "$VM_KERNEL_KIND" != stock ] || return 0
    local t=$BATS_FILE_TMPDIR prog rc
    for prog in ioas-smoke session-tree; do
        [ -x "$(dirname "$IOMMUCTL")/tests/$prog" ] || continue
        rc=0
        "$(dirname "$IOMMUCTL")/tests/$prog" >"$t/$prog.out" 2>&1 || rc=$?
        echo "$rc" >"$t/$prog.rc"
    done
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    EX=$(cd "$BATS_TEST_DIRNAME/../../../examples" && pwd)
}

# The test kernel has iommufd and CONFIG_IOMMUFD_TEST; Debian's stock 6.12 has neither.
need_test_kernel() {
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 kernel has no iommufd"
}

# ran PROGRAM: status, output and lines of PROGRAM's run in setup_file, as bats' run sets them
ran() {
    local f=$BATS_FILE_TMPDIR/$1
    [ -x "$(dirname "$IOMMUCTL")/tests/$1" ] || fail "no $1 next to $IOMMUCTL: run make (tests/uapi/uapi.mk builds it)"
    [ -r "$f.rc" ] || fail "$1 did not run in setup_file"
    read -r status <"$f.rc"
    IFS= read -r -d '' output <"$f.out" || true
    output=${output%$'\n'}
    mapfile -t lines <<<"$output"
    echo "$output" >&2
}

# smoke: ioas-smoke's run on the mock; KV[key]=value of its output, RANGES the range= lines.
smoke() {
    ran ioas-smoke
    declare -gA KV=()
    declare -ga RANGES=()
    local l
    for l in "${lines[@]}"; do
        case $l in
        range=*) RANGES+=("${l#range=}") ;;
        *=*) KV[${l%%=*}]=${l#*=} ;;
        esac
    done
}

# tree: session-tree's run; KV as smoke(), and the objects the session destroyed, in order:
# FIRST when it destroyed the vIOMMU, THEN in destroy_all.
tree() {
    local l phase=
    ran session-tree
    declare -gA KV=()
    declare -ga FIRST=() THEN=()
    for l in "${lines[@]}"; do
        case $l in
        phase=*) phase=${l#phase=} ;;
        destroyed=*) if [ "$phase" = viommu ]; then FIRST+=("${l#destroyed=}"); else THEN+=("${l#destroyed=}"); fi ;;
        *=*) KV[${l%%=*}]=${l#*=} ;;
        esac
    done
}

# kv KEY...: "value value ..." of the keys, for one assert_equal over several facts
kv() {
    local k out=()
    for k in "$@"; do out+=("${KV[$k]-<none>}"); done
    echo "${out[*]}"
}

# line_of VAR TEXT: VAR = the number of the first line of $output containing TEXT (0: none)
line_of() {
    local -n _n=$1
    local i
    _n=0
    for ((i = 0; i < ${#lines[@]}; i++)); do
        [[ ${lines[i]} == *"$2"* ]] && { _n=$((i + 1)); return 0; }
    done
}

# after PREFIX: the rest of the first line of $output that starts with PREFIX
after() {
    local l
    for l in "${lines[@]}"; do
        [[ $l == "$1"* ]] && { printf '%s' "${l#"$1"}"; return 0; }
    done
}

@test "mock device: IOAS, bind, hw_info of the selftest type" {
    need_test_kernel
    smoke
    assert_equal "$(kv iommufd device failed)" "/dev/iommu mock 0"
    assert_success
    # IOMMU_HW_INFO_TYPE_SELFTEST and its fixed register value
    assert_equal "$(kv hw_info.type hw_info.selftest.test_reg)" "$((0xfeedbeef)) 0xdeadbeef"
}

@test "mock device: iommuctl decodes the driver data the kernel gave" {
    need_test_kernel
    smoke
    local raw=${KV[hw_info.raw]} bytes= i
    [ -n "$raw" ] || fail "the program printed no hw_info.raw"
    for ((i = 0; i < ${#raw}; i += 2)); do bytes+="\\x${raw:i:2}"; done
    printf "$bytes" >"$BATS_TEST_TMPDIR/mock.bin"
    run "$IOMMUCTL" --json hw-info --raw "$BATS_TEST_TMPDIR/mock.bin" --type selftest
    assert_success
    json=$output
    assert_equal "$(jqt '"\(.hw_info.kind) \(.hw_info.raw)"')" "selftest $raw"
    assert_equal "$(jqt '.hw_info.registers[] | select(.name == "test_reg") | "\(.value) \(.fields[0].meaning)"')" \
        "0xdeadbeef the mock's fixed value"
}

@test "mock device: the IOVA ranges are the mock aperture minus the reserved range" {
    need_test_kernel
    smoke
    # aperture [16 MiB, 2 GiB - 1] (iommufd_test.h); the program reserves 1 MiB at 1 GiB
    assert_equal "${RANGES[*]}" "0x1000000-0x3fffffff 0x40100000-0x7fffffff"
}

@test "mock device: a fixed-IOVA mapping is in the mock domain; unmap returns its length" {
    need_test_kernel
    smoke
    assert_equal "$(kv map.iova map.again map.in_domain map.unmapped)" \
        "${KV[fixed_iova]} EEXIST yes 0x10000"
    assert_equal "$(kv auto_map.iova copy.unmapped map_file.unmapped)" \
        "${KV[auto_map.iova]} 0x10000 0x10000"
    # only file mappings can be charged to another process (IOMMU_IOAS_CHANGE_PROCESS)
    assert_equal "$(kv change_process.file change_process.anon)" "ok EINVAL"
}

@test "mock device: with a 1 MiB window allowed the kernel maps inside it; a window over a reserved range is refused" {
    need_test_kernel
    smoke
    local lo=${KV[fixed_iova]} at=${KV[allow.auto_iova]:-none}
    [ "$at" != none ] || fail "no mapping was made with the window allowed"
    # the IOVA the kernel chose, against the window asked for [fixed_iova, fixed_iova + 1 MiB)
    ((at >= lo && at + 0x10000 <= lo + 0x100000)) || fail "IOVA $at is outside the window at $lo"
    assert_equal "$(kv allow.over_reserved allow.reset)" "EADDRINUSE ok"
}

@test "mock device: the session destroys all it made, the kernel refusing none of it" {
    need_test_kernel
    smoke
    assert_equal "$(kv destroy_all objects_left failed)" "ok 0 0"
}

@test "mock device: a paging HWPT is attached and maps" {
    need_test_kernel
    smoke
    [ -n "${KV[hwpt]:-}" ] || fail "no HWPT allocated"
    assert_equal "$(kv hwpt.attached hwpt_map.again hwpt_map.in_domain hwpt_map.unmapped)" \
        "${KV[hwpt]} EEXIST yes 0x10000"
}

@test "mock device: every 7.3 ioctl is known; NEST_PARENT and DIRTY_TRACKING are supported" {
    need_test_kernel
    smoke
    run grep -c '^probe\.ioctl\..*=known$' <<<"$output"
    assert_output 22
    assert_equal "$(kv probe.hwpt.NEST_PARENT probe.hwpt.DIRTY_TRACKING option.huge_pages)" \
        "supported supported 1"
}

@test "session on the mock: a tree of twelve objects, each recorded with its kind and parent" {
    need_test_kernel
    tree
    assert_success
    assert_equal "$(kv objects failed refused)" "12 0 0"
    assert_equal "$(kv object.mock object.dirty object.nested object.iopf object.vdev object.hwq1)" \
        "mock_device ioas hwpt_paging ioas hwpt_nested parent hwpt_nested viommu vdevice viommu hw_queue viommu"
    # the mock vIOMMU's data comes back as it went in: the driver data reached the kernel
    assert_equal "${KV[viommu.out_data]}" 0xbeef
}

@test "session on the mock: the kernel refuses to destroy a parent while its children live" {
    need_test_kernel
    tree
    # asked behind the session's back: EBUSY for each (an IOMMU_DESTROY that worked would say so)
    assert_equal "$(kv busy.ioas busy.parent busy.viommu busy.hwq0 busy.faultq busy.iopf)" \
        "EBUSY EBUSY EBUSY EBUSY EBUSY EBUSY"
    # the HW queue pins its page of the parent's IOAS
    assert_equal "${KV[hw_queue.unmap]}" EBUSY
}

@test "session on the mock: destroying the vIOMMU takes what hangs off it first; the kernel then knows none of it" {
    need_test_kernel
    tree
    assert_equal "${FIRST[*]}" "hwq1 hwq0 veventq iopf vdev viommu"
    assert_equal "$(kv gone.viommu gone.vdev gone.iopf gone.veventq gone.hwq0 gone.hwq1)" \
        "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT"
    # the mock was moved to the dirty-tracking HWPT before: it and the rest stay
    assert_equal "$(kv objects_after_viommu busy.dirty unmap.after)" "6 EBUSY 0x10000"
}

@test "session on the mock: destroy_all goes by dependency, the mock before the HWPT made after it" {
    need_test_kernel
    tree
    # the reverse of allocation would destroy dirty before the mock attached to it: EBUSY
    assert_equal "${THEN[*]}" "faultq nested parent mock dirty ioas"
    assert_equal "$(kv gone.ioas gone.mock gone.mock_dev gone.dirty gone.parent gone.nested gone.faultq)" \
        "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT"
    assert_equal "$(kv objects_left refused failed)" "0 0 0"
    assert_success
}

@test "session on the mock: dirty bits the mock sets are read back; IOTLB entries invalidated one, then all" {
    need_test_kernel
    tree
    # pages 1 and 3 of 16 marked: bitmap 0b1010, kept by NO_CLEAR, cleared by the next read
    assert_equal "$(kv option.huge_pages dirty.marked dirty.no_clear dirty.read dirty.after)" "0 2 0xa 0xa 0x0"
    assert_equal "${KV[iotlb.before]}" "default default default default"
    assert_equal "$(kv invalidate.one iotlb.one)" "1 default 0 default default"
    assert_equal "$(kv invalidate.all iotlb.all)" "1 0 0 0 0"
}


# --- apply on the mock ---------------------------------------------------------------------

need_mock() {
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd selftest (CONFIG_IOMMUFD_TEST)"
    [ -n "$(compgen -G '/sys/class/iommu/iommufd_selftest_iommu*')" ] ||
        fail "the test kernel has no selftest IOMMU unit: harness broken"
    [ -x "$IOFD" ] || fail "no $IOFD: run make (tests/uapi/uapi.mk builds it)"
}

# What the command under apply finds: each line "what: answer", from the kernel (iofd).
probe_mock() {
    cat <<-'EOF'
	echo "ranges: $("$IOFD" ranges guest-ram | tr '\n' ' ')"
	echo "huge: $("$IOFD" huge guest-ram)"
	echo "ioas busy: $("$IOFD" destroy guest-ram)"
	echo "s2 busy: $("$IOFD" destroy s2)"
	echo "buf: $("$IOFD" unmap guest-ram "$("$IOFD" iova buf)" 0x200000)"
	echo "scratch: $("$IOFD" unmap guest-ram "$("$IOFD" iova scratch)" 0x10000)"
	echo "scratch again: $("$IOFD" unmap guest-ram "$("$IOFD" iova scratch)" 0x10000)"
	jq -r '"json v0: \(.objects.v0.id) \(.objects.v0.kind)", "json scratch: \(.mappings.scratch.iova)",
	    "json iommufd: \(.iommufd)"' "$IOMMUCTL_OBJECTS_JSON"
	echo "env v0: $("$IOFD" id v0) viommu"
	echo "env scratch: $("$IOFD" iova scratch)"
	echo "json file: $IOMMUCTL_OBJECTS_JSON"
	EOF
}

@test "apply: the selftest mock example is made; the command finds every object and mapping where apply says" {
    need_mock
    run --separate-stderr "$IOMMUCTL" apply "$EX/selftest-mock.yaml" -- sh -c "$(probe_mock)"
    printf '# %s\n' "${lines[@]}" >&3
    assert_success
    # the kernel read the mock's page tables back: both mappings in each of the two paging HWPTs
    assert_line "Verified: 4 mappings read back from the mock's page tables (IOMMU_TEST_OP_MD_CHECK_MAP)"
    # what may be mapped: the mock domain's aperture (the selftest's MOCK_APERTURE_START and
    # _LAST), now that the mock is attached; the allow list only steers the kernel's choice
    assert_line "ranges: 0x1000000-0x7fffffff "
    assert_line "huge: huge_pages=1"
    # the kernel refuses to destroy what others hang off: HWPTs on the IOAS, a vIOMMU on s2
    assert_line "ioas busy: error=EBUSY"
    assert_line "s2 busy: error=EBUSY"
    # the mappings are where IOMMUCTL_MAPPINGS says, whole: the fixed one and the kernel's choice
    assert_line "buf: unmapped=0x200000"
    assert_line "scratch: unmapped=0x10000"
    assert_line "scratch again: error=ENOENT"
    # the JSON document says what the environment says, and it is gone once the command is
    assert_equal "$(after "json v0: ")" "$(after "env v0: ")"
    assert_equal "$(after "json scratch: ")" "$(after "env scratch: ")"
    assert_line "json iommufd: 3"
    local doc
    doc=$(after "json file: ")
    [ -n "$doc" ] && [ ! -e "$doc" ] && [ ! -e "${doc%/*}" ] || fail "$doc is left behind"
    assert_line --regexp '^Apply ended: the command exited with status 0; 1[0-9] objects destroyed$'
}

@test "apply --json: every step has its object id, the kernel-chosen IOVA is reported, and the end says what was undone" {
    need_mock
    local got=$BATS_TEST_TMPDIR/iova
    run --separate-stderr "$IOMMUCTL" --json apply "$EX/selftest-mock.yaml" -- \
        sh -c '"$0" iova scratch >"$1"' "$IOFD" "$got"
    assert_success
    # two documents: the apply, then its end
    local iova got_doc objects destroyed
    read -r iova <"$got"
    # and the kernel-chosen IOVA is inside the allow range (0x1000000, 256M)
    (( iova >= 0x1000000 && iova + 0x10000 <= 0x11000000 )) || fail "scratch at $iova: outside allow"
    # one jq over both documents (jq fails on anything not JSON): what each says, a line a fact
    got_doc=$(jq -rs '(.[] | select(.apply)) as $d | (.[] | select(.action == "apply-end")) as $e |
        $d.apply.result,
        "errors: \([$d.apply.steps[] | select(.error != null)] | length)",
        "allocations without an id: \([$d.apply.steps[] | select(.what | startswith("allocate")) | select(.id == null)] | length)",
        "scratch: \($d.apply.mappings[] | select(.name == "scratch") | .iova)",
        "buf: \($d.apply.mappings[] | select(.name == "buf") | .iova)",
        "v0: \($d.apply.objects[] | select(.name == "v0") | .kind)",
        "status: \($e.status)",
        "\($d.apply.objects | length) \($e.destroyed)"' <<<"$output")
    read -r objects destroyed <<<"${got_doc##*$'\n'}"
    assert_equal "${got_doc%$'\n'*}" "applied; running the command
errors: 0
allocations without an id: 0
scratch: $iova
buf: 0x1000000
v0: viommu
status: 0"
    assert_equal "$objects" "$destroyed"
}

@test "apply --dry-run lists the steps in dependency order and makes nothing" {
    need_mock
    run "$IOMMUCTL" apply --dry-run "$EX/selftest-mock.yaml"
    assert_success
    assert_line --partial "1. allocate ioas 'guest-ram' (IOMMU_IOAS_ALLOC)"
    assert_line "Result: nothing was made (--dry-run)"
    # parents before what hangs off them: s2 before v0 before s1v before vd0
    local s2 v0 s1v vd0 att pasid
    line_of s2 "allocate paging hwpt 's2'"
    line_of v0 "allocate viommu 'v0'"
    line_of s1v "allocate nested hwpt 's1v'"
    line_of vd0 "allocate vdevice 'vd0'"
    [ "$s2" -gt 0 ] && [ "$s2" -lt "$v0" ] && [ "$v0" -lt "$s1v" ] && [ "$s1v" -lt "$vd0" ] ||
        fail "not in dependency order: s2 $s2, v0 $v0, s1v $s1v, vd0 $vd0"
    # the device's own attach before its PASID's
    line_of att "attach device 'm0' to"
    line_of pasid "attach device 'm0' at PASID 0x100"
    [ "$att" -gt 0 ] && [ "$att" -lt "$pasid" ] || fail "PASID attach first"
}

@test "held dirty: pages the mock marks dirty read back as the same ranges, then clean" {
    need_mock
    local js=$BATS_TEST_TMPDIR/dirty.json
    run --separate-stderr "$IOMMUCTL" apply "$EX/selftest-mock.yaml" -- sh -c '
        "$0" held dirty dirty buf 2M --enable
        "$1" mock-dirty dirty buf 0 1 2 10
        "$0" --json held dirty dirty buf 2M --keep >"$2"
        "$0" held dirty dirty buf 2M
        "$0" held dirty dirty buf 2M
        "$0" held unmap guest-ram scratch 64K' "$IOMMUCTL" "$IOFD" "$js"
    printf '# %s\n' "${lines[@]}" >&3
    echo "# $stderr" >&3
    assert_success
    # nothing dirty when tracking starts; the four pages the mock marked, as two runs; then
    # clean again, since the read before cleared them
    local l clean=0
    for l in "${lines[@]}"; do [[ $l == *"0 of 512 dirty" ]] && clean=$((clean + 1)); done
    assert_equal "$clean" 2
    assert_line "marked=4"
    assert_line --regexp '^hwpt dirty #[0-9]+: 0x1000000-0x11fffff in 4 KiB pages: 4 of 512 dirty$'
    assert_line "  0x1000000-0x1002fff  3 pages"
    assert_line "  0x100a000-0x100afff  1 page"
    assert_equal "$(jq -c '[.dirty.dirty_pages, [.dirty.ranges[] | [.start, .last, .pages]]]' "$js")" \
        '[4,[["0x1000000","0x1002fff",3],["0x100a000","0x100afff",1]]]'
    assert_line --regexp '^unmapped 0x10000 bytes at 0x[0-9a-f]+ from ioas guest-ram #[0-9]+$'
}
