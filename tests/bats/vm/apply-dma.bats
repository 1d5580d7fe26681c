#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# stderr is set by bats' run --separate-stderr; the scripts under apply are single-quoted:
# shellcheck disable=SC2154,SC2016,SC2001
# In-guest, on the shapes with an IOMMU and iommufd: QEMU's edu device DMAs through the IOVAs
# an `iommuctl apply` made, with every memory kind a spec has, and the data lands where the
# spec says. The proof goes through memory the test can read: files on a tmpfs, which apply
# maps with IOMMU_IOAS_MAP_FILE (the kernel pins shmem pages). Text written into the file
# `src` is copied by the device from src's IOVA into a mapping of each kind (anonymous, memfd,
# a 2 MiB hugetlb page, a kernel-chosen IOVA), then from that mapping (or its IOAS_COPY
# twin) out to the file `dst`: when dst reads back the text, the mapping of that kind is
# real memory at that IOVA, readable and writable by the device. A write through a read-only
# mapping must leave its file alone, and a write to an IOVA nothing maps must fault, which
# the kernel logs.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    [ -n "$VM_SHAPE" ] || return 0
    shape_has_iommu || return 0
    [ "$VM_KERNEL_KIND" != stock ] || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    unsafe_irqs_allow
    # a 2 MiB page for the hugetlb mapping
    HUGE_SAVED=$(cat /proc/sys/vm/nr_hugepages)
    echo $((HUGE_SAVED + 1)) >/proc/sys/vm/nr_hugepages
    export HUGE_SAVED
    SHM=$BATS_FILE_TMPDIR/shm
    mkdir -p "$SHM"
    mount -t tmpfs -o size=1M tmpfs "$SHM"
    export SHM
    DMA=$(dirname "$IOMMUCTL")/tests/edu-dma
    [ -x "$DMA" ] || return 0
    run_dma
}

teardown_file() {
    [ -z "${SHM:-}" ] || umount "$SHM" 2>/dev/null || true
    [ -z "${HUGE_SAVED:-}" ] || echo "$HUGE_SAVED" >/proc/sys/vm/nr_hugepages
    unsafe_irqs_restore
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    DMA=$(dirname "$IOMMUCTL")/tests/edu-dma
}

teardown() {
    if mountpoint -q "$BATS_TEST_TMPDIR/mnt" 2>/dev/null; then umount "$BATS_TEST_TMPDIR/mnt"; fi
}

need_edu_iommufd() {
    shape_has_iommu || skip "shape '$VM_SHAPE' has no IOMMU"
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd (CONFIG_IOMMUFD is off)"
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
    [ -x "$DMA" ] || fail "no $DMA: run make (tests/uapi/uapi.mk builds it)"
}

# The fault the IOMMU raised for a write by edu at IOVA $1 (hex, no 0x), as the shape's driver
# logs it, in the kernel log lines on stdin.
fault_logged() {
    local bdf=${EDU#0000:}
    case "$(shape_kind)" in
    intel-vtd) grep -qE "DMA Write.*Request device \[(0000:)?$bdf\] fault addr 0x0*$1" ;;
    amd-vi) grep -qE "IO_PAGE_FAULT device=(0000:)?$bdf .*address=0x0*$1" ;;
    virtio-iommu) grep -qE "page fault from EP [0-9]+ at 0x0*$1 \[" ;; # "[W]" read-only, "[]" unmapped
    arm-smmu-v3) grep -q "event 0x10 received" ;;
    *) fail "no fault pattern for IOMMU kind $(shape_kind)" ;;
    esac
}

# One apply, one command: for each kind, new text into src, src -> KIND -> dst, then what dst
# holds; the twin is read back from the copy's IOVA after writing through the original's.
# Then a write to an IOVA nothing maps and one through the read-only mapping, 6 s apart (the
# virtio-iommu driver's fault lines are rate-limited). The tests read what this wrote.
run_dma() {
    local S=$BATS_FILE_TMPDIR/dma.yaml f
    for f in src dst ro; do head -c 4096 /dev/zero >"$SHM/$f"; done
    echo "read-only page" | dd of="$SHM/ro" conv=notrunc status=none
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    allow: [0x100000-0xfffffff]   # edu reaches 28 bits
	    mappings:
	      - {name: src, iova: 0x100000, size: 4K, memory: {file: $SHM/src}}
	      - {name: dst, iova: 0x200000, size: 4K, memory: {file: $SHM/dst}}
	      - {name: ro, iova: 0x300000, size: 4K, memory: {file: $SHM/ro}, access: r}
	      - {name: anon, iova: 0x400000, size: 64K, memory: anon}
	      - {name: mfd, iova: 0x500000, size: 64K, memory: memfd}
	      - {name: huge, iova: 0x600000, size: 2M, memory: hugetlb-2M}
	      - {name: any, size: 16K, memory: anon}
	      - {name: twin, iova: 0x900000, size: 64K, copy: {mapping: anon}}
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
    snapshot "$EDU" >"$BATS_FILE_TMPDIR/before"
    dmesg | wc -l >"$BATS_FILE_TMPDIR/dmesg.lines"
    local rc=0
    "$IOMMUCTL" apply "$S" -- bash -c '
        dma=$1 shm=$2
        declare -A at
        for m in $IOMMUCTL_MAPPINGS; do at[${m%%=*}]=${m#*=}; done
        round() { # NAME IN OUT
            printf "%-40s" "through $1 at $2" | dd of="$shm/src" conv=notrunc status=none
            head -c 64 /dev/zero | dd of="$shm/dst" conv=notrunc status=none
            "$dma" "${at[src]#0x}" "${2#0x}" "${3#0x}" "${at[dst]#0x}" >/dev/null || exit 1
            echo "$1: $(head -c 40 "$shm/dst" | tr -d "\0" | sed "s/ *\$//")"
        }
        round anon "${at[anon]}" "${at[anon]}"
        round memfd "${at[mfd]}" "${at[mfd]}"
        round hugetlb-2M "$(printf 0x%x $((at[huge] + 0x1ff000)))" "$(printf 0x%x $((at[huge] + 0x1ff000)))"
        round any "${at[any]}" "${at[any]}"
        round twin "${at[anon]}" "${at[twin]}"
        "$dma" "${at[src]#0x}" ff00000 >/dev/null || exit 1
        sleep 6
        "$dma" "${at[src]#0x}" "${at[ro]#0x}" >/dev/null || exit 1
        echo "ro: $(head -c 14 "$shm/ro")"
        echo "any at: ${at[any]}"' bash "$DMA" "$SHM" >"$BATS_FILE_TMPDIR/dma.out" 2>&1 || rc=$?
    echo "$rc" >"$BATS_FILE_TMPDIR/dma.rc"
    snapshot "$EDU" >"$BATS_FILE_TMPDIR/after"
}

# apply_dma SPEC: apply SPEC with edu copying 4K from IOVA 0x100000 to 0x200000; the plan and
# messages in the test's log; it must succeed
apply_dma() {
    run --separate-stderr "$IOMMUCTL" apply "$1" -- "$DMA" 100000 200000
    echo "$output" | sed 's/^/# /' >&3
    echo "# $stderr" >&3
    assert_success
    # edu is not claimed before the apply, and virtio-iommu has no registers in sysfs: the
    # IOMMU's checks wait for iommufd, which is asked through the cdev of a claimed device
    [ "$VM_SHAPE" != virtio ] ||
        [[ $stderr == *"the checks of $EDU's IOMMU are skipped: $EDU is without a driver, not on vfio-pci, and sysfs does not show its IOMMU's registers: iommufd is asked through the device's VFIO cdev, so claim it first ('iommuctl claim $EDU') for iommufd to be asked"* ]] ||
        fail "no advice to claim edu first: $stderr"
}

dma_result() {
    [ -f "$BATS_FILE_TMPDIR/dma.rc" ] || fail "the DMA run did not happen (setup_file)"
    DMA_RC=$(cat "$BATS_FILE_TMPDIR/dma.rc")
    output=$(cat "$BATS_FILE_TMPDIR/dma.out")
    mapfile -t lines <<<"$output"
}

@test "apply + edu DMA: every memory kind is real memory at the spec's IOVA; read-only holds" {
    need_edu_iommufd
    dma_result
    echo "$output" | sed 's/^/# /' >&3
    assert_equal "$DMA_RC" 0
    assert_line "anon: through anon at 0x400000"
    assert_line "memfd: through memfd at 0x500000"
    assert_line "hugetlb-2M: through hugetlb-2M at 0x7ff000"
    assert_line --regexp "^any: through any at 0x[0-9a-f]+$"
    assert_line "twin: through twin at 0x400000"
    # the device's write through the read-only mapping changed nothing
    assert_line "ro: read-only page"
    # the kernel's pick obeyed allow:
    local any
    any=$(sed -n 's/^any at: //p' <<<"$output")
    ((any >= 0x100000 && any + 0x4000 <= 0x10000000)) || fail "any at $any: outside allow"
    # edu is back where it was (apply claimed its group, and gave it back)
    assert_equal "$(cat "$BATS_FILE_TMPDIR/after")" "$(cat "$BATS_FILE_TMPDIR/before")"
}

@test "apply + edu DMA: the IOMMU refused the writes to an unmapped IOVA and through the read-only mapping, and the kernel logged both" {
    need_edu_iommufd
    dma_result
    [ "$(shape_kind)" != amd-vi ] ||
        skip "QEMU 7.2's amd-iommu raises no event the guest sees (no AMD-Vi event line in any run): the refusal shows only in the data"
    local new
    new=$(dmesg | tail -n +"$(($(cat "$BATS_FILE_TMPDIR/dmesg.lines") + 1))")
    echo "$new" | grep -iE 'fault|event' | head -5 | sed 's/^/# /' >&3
    fault_logged ff00000 <<<"$new" || fail "no fault logged for the write to the unmapped 0xff00000"
    fault_logged 300000 <<<"$new" || fail "no fault logged for the write to the read-only mapping at 0x300000"
}

@test "apply + edu DMA: a file on ext4 is read by the device (read-only, pinned through a shared mapping); writable is refused" {
    need_edu_iommufd
    local disk=0000:00:08.0 vdx='' p mnt=$BATS_TEST_TMPDIR/mnt S=$BATS_TEST_TMPDIR/fw.yaml
    for p in "$SYS/bus/pci/devices/$disk"/virtio*/block/*; do [ -e "$p" ] && vdx=${p##*/}; done
    [ -n "$vdx" ] || fail "no block device of $disk: run-vm puts a virtio-blk with ext4 there"
    mkdir -p "$mnt"
    mount -t ext4 "/dev/$vdx" "$mnt"
    printf '%-40s' "firmware image on ext4" >"$mnt/fw.img"
    head -c 4056 /dev/zero >>"$mnt/fw.img"
    head -c 4096 /dev/zero >"$SHM/dst"
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    mappings:
	      - {name: fw, iova: 0x100000, size: 4K, memory: {file: $mnt/fw.img}, access: r}
	      - {name: dst, iova: 0x200000, size: 4K, memory: {file: $SHM/dst}}
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
    apply_dma "$S"
    # the plan says how each file is pinned
    assert_line --partial "map 'fw', 4K of $mnt/fw.img at 0x100000 in ioas 'ram' (IOMMU_IOAS_MAP)"
    assert_line --partial "map 'dst', 4K of $SHM/dst at 0x200000 in ioas 'ram' (IOMMU_IOAS_MAP_FILE)"
    assert_equal "$(head -c 40 "$SHM/dst" | sed 's/ *$//')" "firmware image on ext4"
    # a device may not write to it: the check refuses it before anything is claimed or made,
    # naming the way out
    sed -i 's/, access: r}/}/' "$S"
    run --separate-stderr "$IOMMUCTL" apply "$S"
    umount "$mnt"
    assert_equal "$status" 3
    assert_line --partial "ioas[0].mappings[0].memory: memory file $mnt/fw.img is on ext2/3/4: the kernel lets a device write only to tmpfs, memfd and hugetlbfs files"
    refute_line --partial "claim group"
    refute_line --partial "(IOMMU_IOAS_ALLOC)"
}

@test "apply + edu DMA: replace moves edu to another IOAS's HWPT on the real cdev, and its DMA follows (VFIO_DEVICE_ATTACH_IOMMUFD_PT)" {
    need_edu_iommufd
    local S=$BATS_TEST_TMPDIR/replace.yaml f
    # the same IOVAs in two IOASes, each to its own destination file: where edu's write lands
    # says which of the two it is attached to
    for f in src dsta dstb; do head -c 4096 /dev/zero >"$SHM/$f"; done
    printf '%-40s' "through the replacing hwpt" | dd of="$SHM/src" conv=notrunc status=none
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: a
	    allow: [0x100000-0xfffffff]
	    mappings:
	      - {name: srca, iova: 0x100000, size: 4K, memory: {file: $SHM/src}}
	      - {name: dsta, iova: 0x200000, size: 4K, memory: {file: $SHM/dsta}}
	  - name: b
	    allow: [0x100000-0xfffffff]
	    mappings:
	      - {name: srcb, iova: 0x100000, size: 4K, memory: {file: $SHM/src}}
	      - {name: dstb, iova: 0x200000, size: 4K, memory: {file: $SHM/dstb}}
	hwpts:
	  - {name: pa, ioas: a, device: edu}
	  - {name: pb, ioas: b, device: edu}
	attach: [{device: edu, hwpt: pa, replace: pb}]
	EOF
    apply_dma "$S"
    assert_line --regexp "attach device 'edu' to hwpt 'pa' \(VFIO_DEVICE_ATTACH_IOMMUFD_PT\): #[0-9]+"
    assert_line --regexp "replace the attach of device 'edu' with hwpt 'pb' \(VFIO_DEVICE_ATTACH_IOMMUFD_PT\): #[0-9]+"
    assert_equal "$(head -c 40 "$SHM/dstb" | sed 's/ *$//')" "through the replacing hwpt"
    assert_equal "$(od -An -v -tx1 "$SHM/dsta" | tr -d ' \n' | tr -d 0)" ""
}
