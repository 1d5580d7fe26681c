#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: `iommuctl doctor` on every VM shape, each with its own verdict, and each check
# against the guest kernel's own view: the kernel log's interrupt-remapping and default
# domain lines, /proc/cmdline, /sys, /dev, lsmod, and the limits of the shell that runs it.
#
#   intel, intel-sm, intel-pt   ready (0); intel-pt with identity default domains
#   virtio                      warnings (8): no interrupt remapping, allowed unsafely
#   stock                       warnings (8): no iommufd, legacy VFIO only
#   none                        not ready (1): no IOMMU; the fix names firmware and cmdline
#   intel-intremap-off          not ready (1): interrupt remapping off, VFIO refuses devices
#   amd                         not ready (1): the kernel turns AMD-Vi interrupt remapping off,
#                               as QEMU's IVRS names no southbridge IOAPIC (dmesg: "No
#                               southbridge IOAPIC found"; hold.bats and iommufd.bats rely on it)

setup_file() {
    # one doctor run per file: under TCG every exec counts
    local out=$BATS_FILE_TMPDIR rc=0
    [ -n "${VM_SHAPE:-}" ] || return 0
    "${IOMMUCTL:-iommuctl}" --json doctor >"$out/doctor.json" 2>"$out/doctor.err" || rc=$?
    echo "$rc" >"$out/doctor.rc"
    dmesg >"$out/dmesg.txt" 2>/dev/null || true
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    json=$(cat "$BATS_FILE_TMPDIR/doctor.json")
    DMESG=$BATS_FILE_TMPDIR/dmesg.txt
    read -r CMDLINE </proc/cmdline
}

# check ID: "STATUS<tab>FOUND<tab>FIX" of one check of the run in setup_file
check() { jqt --arg id "$1" '.doctor.checks[] | select(.id == $id) | "\(.status)\t\(.found)\t\(.fix // "")"'; }
check_status() { jqt --arg id "$1" '.doctor.checks[] | select(.id == $id) | .status'; }

# what the kernel said about interrupt remapping while booting
kernel_ir_on() { grep -qE 'DMAR-IR: Enabled IRQ remapping|AMD-Vi: Interrupt remapping enabled' "$DMESG"; }
has_param() { [[ " $CMDLINE " == *" $1 "* ]]; }
unsafe_set() {
    local f v
    for f in /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts \
        /sys/module/iommufd/parameters/allow_unsafe_interrupts; do
        [ -r "$f" ] && read -r v <"$f" && [ "$v" = Y ] && return 0
    done
    return 1
}

@test "doctor: the verdict of this shape, and its exit status" {
    local want verdict rc
    case $VM_SHAPE in
    intel | intel-sm | intel-pt) want=ready ;;
    virtio | stock) want=warnings ;;
    none | intel-intremap-off | amd) want=not-ready ;;
    *) skip "no verdict defined for shape '$VM_SHAPE'" ;;
    esac
    verdict=$(jqt .doctor.verdict)
    rc=$(cat "$BATS_FILE_TMPDIR/doctor.rc")
    if [ "$verdict" != "$want" ]; then
        jqt '.doctor.checks[] | select(.status == "fail" or .status == "warn") | "\(.id): \(.status): \(.found)"' >&2
    fi
    assert_equal "$verdict" "$want"
    case $want in
    ready) assert_equal "$rc" 0 ;;
    warnings) assert_equal "$rc" 8 ;;
    not-ready) assert_equal "$rc" 1 ;;
    esac
    assert_equal "$(cat "$BATS_FILE_TMPDIR/doctor.err")" ""
}

@test "doctor: the firmware table is the one QEMU gave this shape" {
    local want
    require_x86 "DMAR/IVRS/VIOT are ACPI tables; the arm64 shapes boot with a device tree"
    case $VM_SHAPE in
    intel | intel-sm | stock | intel-intremap-off | intel-pt) want=DMAR ;;
    amd) want=IVRS ;;
    virtio) want=VIOT ;;
    none) want="" ;;
    esac
    [ -e "/sys/firmware/acpi/tables/${want:-DMAR}" ] || [ -z "$want" ] ||
        fail "the guest has no $want table: a harness problem"
    IFS=$'\t' read -r st found fix <<<"$(check acpi-tables)"
    if [ -z "$want" ]; then
        assert_equal "$st" fail
        [[ $fix == *"virtual IOMMU"* ]] || fail "fix: $fix"
    else
        assert_equal "$st" ok
        [[ $found == *"$want"* ]] || fail "found: $found"
    fi
}

@test "doctor: the IOMMU driver is active exactly when the kernel has units with groups" {
    local i st found fix
    IFS=$'\t' read -r st found fix <<<"$(check iommu)"
    if [ -n "$(sys_hw_iommus)" ] && [ ${#K_GROUPS[@]} -gt 0 ]; then
        assert_equal "$st" ok
        for i in $(sys_hw_iommus); do
            [[ $found == *"$i"* ]] || fail "$i is not named: $found"
        done
        [[ $found == *"${#K_GROUPS[@]} IOMMU group"* ]] || fail "group count: $found"
    else
        assert_equal "$st" fail
        # no IOMMU: the fix names the firmware side (a VM: a virtual IOMMU) and the command line
        [[ $fix == *"intel_iommu=on"* ]] || fail "fix lacks the command line: $fix"
        [[ $fix == *"virtual IOMMU"* || $fix == *"firmware"* ]] || fail "fix lacks the firmware side: $fix"
    fi
}

@test "doctor: interrupt remapping as the kernel log says, allowed unsafely or refused" {
    local st found fix
    skip_without_iommu
    require_x86 "on arm64 the GIC's ITS isolates MSIs, not interrupt remapping"
    IFS=$'\t' read -r st found fix <<<"$(check interrupt-remapping)"
    if kernel_ir_on; then
        assert_equal "$st" ok
        [[ $found == "on: "* ]] || fail "found: $found"
        grep -q ' IR-' /proc/interrupts || fail "the kernel log says on, /proc/interrupts has no IR- chip"
    else
        grep -q ' IR-' /proc/interrupts && fail "no remapping in the kernel log, yet IR- chips"
        [[ $found == "off: "* ]] || fail "found: $found"
        if unsafe_set; then assert_equal "$st" warn; else assert_equal "$st" fail; fi
        if has_param intremap=off; then
            [[ $fix == *"remove intremap=off"* ]] || fail "fix: $fix"
        fi
        if [ "$VM_SHAPE" = virtio ]; then
            [[ $fix == *"virtio-iommu does not remap"* ]] || fail "fix: $fix"
        fi
        if grep -q 'AMD-Vi: \[Firmware Bug\]: : No southbridge IOAPIC found' "$DMESG"; then
            [[ $fix == *"No southbridge IOAPIC found"* ]] || fail "fix: $fix"
        fi
    fi
}

# the value of MODULE's allow_unsafe_interrupts in sysfs, or a pattern for "no value there"
unsafe_want() {
    local f=/sys/module/$1/parameters/allow_unsafe_interrupts v
    if [ -r "$f" ]; then read -r v <"$f" && echo "$v"; else echo "(not loaded|no such module|[YN] \(on the command line; not loaded\))"; fi
}

@test "doctor: allow_unsafe_interrupts as /sys/module shows it" {
    local st found fix re
    IFS=$'\t' read -r st found fix <<<"$(check unsafe-interrupts)"
    re="^vfio_iommu_type1: $(unsafe_want vfio_iommu_type1), iommufd: $(unsafe_want iommufd);"
    [[ $found =~ $re ]] || fail "found: $found (want $re)"
    # a module the kernel does not have: no value from the command line is taken for it
    if [ ! -d /sys/module/vfio_iommu_type1 ] && ! lsmod 2>/dev/null | grep -q .; then
        [[ $found == "vfio_iommu_type1: no such module,"* ]] || fail "found: $found"
    fi
    if unsafe_set; then assert_equal "$st" warn; else assert_equal "$st" ok; fi
}

@test "doctor: the command line check lists what /proc/cmdline has" {
    local p st found fix
    IFS=$'\t' read -r st found fix <<<"$(check cmdline)"
    for p in $CMDLINE; do
        case ${p%%=*} in
        intel_iommu | iommu | intremap | iommufd.allow_unsafe_interrupts | vfio_iommu_type1.allow_unsafe_interrupts)
            [[ " ${found%%;*} " == *" $p "* ]] || fail "$p not listed: $found" ;;
        esac
    done
    if has_param intremap=off; then assert_equal "$st" fail; else assert_equal "$st" ok; fi
}

@test "doctor: the default domain types are the groups' type files" {
    local g t want="" st found fix
    skip_without_iommu
    declare -A n=()
    for g in "${K_GROUPS[@]}"; do
        read -r t <"/sys/kernel/iommu_groups/$g/type"
        n[$t]=$((${n[$t]:-0} + 1))
    done
    for t in DMA-FQ DMA identity; do
        [ -n "${n[$t]:-}" ] && want+="${want:+, }$t ${n[$t]}"
    done
    IFS=$'\t' read -r st found fix <<<"$(check default-domain)"
    assert_equal "$st" ok
    assert_equal "${found%%;*}" "$want"
    if has_param iommu=pt; then
        grep -q 'iommu: Default domain type: Passthrough (set via kernel command line)' "$DMESG" ||
            fail "iommu=pt, but the kernel log does not say passthrough"
        [[ $found == *"identity: DMA of host drivers in those groups is not translated (iommu=pt)"* ]] ||
            fail "found: $found"
    fi
}

@test "doctor: vfio-pci, iommufd, the cdevs and the container as /dev, /sys/module and lsmod show them" {
    local st found fix
    IFS=$'\t' read -r st found fix <<<"$(check vfio-pci)"
    if lsmod 2>/dev/null | grep -q '^vfio_pci '; then
        assert_equal "$st" ok
        [[ $found == "loaded: "* ]] || fail "found: $found"
    elif [ -d /sys/module/vfio_pci ]; then
        assert_equal "$st" ok
        [[ $found == "built in: "* ]] || fail "found: $found"
    else
        [ "$st" = warn ] || [ "$st" = fail ] || fail "no vfio_pci in lsmod or /sys/module, yet $st: $found"
    fi
    IFS=$'\t' read -r st found fix <<<"$(check iommufd)"
    if [ -c /dev/iommu ]; then
        assert_equal "$st" ok
    else
        assert_equal "$st" warn
        lsmod 2>/dev/null | grep -q '^iommufd ' && fail "iommufd is loaded but there is no /dev/iommu"
        [[ $fix == *"CONFIG_IOMMUFD"* ]] || fail "fix: $fix"
    fi
    st=$(check_status vfio-cdev)
    if grep -q ' vfio-dev$' /proc/devices; then
        assert_equal "$st" ok
    elif [ ! -c /dev/iommu ]; then
        assert_equal "$st" skip # the cdevs need iommufd
    else
        assert_equal "$st" warn
    fi
    # the container: vfio_iommu_type1 behind it, or iommufd's compatibility container
    st=$(check_status vfio-container)
    if [ -c /dev/vfio/vfio ] && { [ -d /sys/module/vfio_iommu_type1 ] || [ -c /dev/iommu ]; }; then
        assert_equal "$st" ok
    else
        assert_equal "$st" warn
    fi
}

@test "doctor DEVICE: edu is alone in its group and claimable, and nothing changes" {
    local edu before st
    edu=$(edu_bdf) || fail "no edu device"
    before=$(snapshot "$edu")
    run "$IOMMUCTL" --json doctor "$edu"
    json=$output
    assert_equal "$(snapshot "$edu")" "$before"
    if ! shape_has_iommu; then
        assert_equal "$(jqt --arg d "$edu" '[.doctor.checks[] | select(.subject == $d) | .status] | join(" ")')" "fail skip skip"
        return 0
    fi
    assert_equal "$(jqt --arg d "$edu" '[.doctor.checks[] | select(.subject == $d) | .status] | join(" ")')" "ok ok ok"
    st=$(jqt --arg d "$edu" '.doctor.checks[] | select(.subject == $d and .id == "group") | .found')
    [[ $st == "group ${K_GROUP[$edu]} "* ]] || fail "group: $st (sysfs: ${K_GROUP[$edu]})"
}

@test "doctor: the locked-memory limit of the shell that runs it, without CAP_IPC_LOCK" {
    local soft hard
    command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
    run setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock -- bash -c \
        'ulimit -l 65536 && echo "$(ulimit -S -l) $(ulimit -H -l)" && "$0" --json doctor --memory 1G' "$IOMMUCTL"
    read -r soft hard <<<"${lines[0]}"
    assert_equal "$soft $hard" "65536 65536"
    json=$(printf '%s\n' "${lines[@]:1}")
    assert_equal "$(check_status memlock)" fail
    [[ $(check memlock) == *"soft 64 MiB, hard 64 MiB"* ]] || fail "memlock: $(check memlock)"
    [[ $(check memlock) == *"1048576 KiB"* ]] || fail "memlock fix: $(check memlock)"
    # as root it has CAP_IPC_LOCK: VFIO does not count its pinned pages
    json=$(cat "$BATS_FILE_TMPDIR/doctor.json")
    assert_equal "$(check_status memlock)" ok
    [[ $(check memlock) == *"CAP_IPC_LOCK"* ]] || fail "memlock as root: $(check memlock)"
}

@test "doctor --memory: the free hugepages as the kernel counts them" {
    local pool=/sys/kernel/mm/hugepages/hugepages-2048kB nr free
    [ -w "$pool/nr_hugepages" ] || skip "no 2 MiB hugepage pool"
    read -r nr <"$pool/nr_hugepages"
    echo 16 >"$pool/nr_hugepages"
    read -r free <"$pool/free_hugepages"
    run "$IOMMUCTL" --json doctor --memory 16M
    json=$output
    run "$IOMMUCTL" --json doctor --memory 1G
    echo "$nr" >"$pool/nr_hugepages"
    [ "$free" -ge 8 ] || skip "the kernel could reserve only $free pages"
    [[ $(check hugepages) == "ok"*"2 MiB: $free free of "* ]] || fail "16M: $(check hugepages)"
    json=$output
    [[ $(check hugepages) == "warn"* ]] || fail "1G: $(check hugepages)"
}
