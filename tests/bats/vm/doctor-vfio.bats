#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# jq programs use $variables in single quotes; $json and K_* are read by the helpers:
# shellcheck disable=SC2016,SC2034,SC2153
# In-guest: the checks of `iommuctl doctor` that depend on the kernel, not on the IOMMU type
# or kernel parameters: VFIO's modules and /dev nodes, one device's claimability (none: no
# IOMMU), the locked-memory limit and the hugepage pool. Run on the test kernel with and
# without an IOMMU and on Debian's (tests/vm/run-vm, SUITE_SHAPES). The verdicts are in
# doctor.bats.

setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    doctor_setup_file
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    doctor_setup
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
    # one jq: the statuses of the device's checks, then what its group check found
    local got
    got=$(jqt --arg d "$edu" '([.doctor.checks[] | select(.subject == $d) | .status] | join(" ")),
        (.doctor.checks[] | select(.subject == $d and .id == "group") | .found)')
    if ! shape_has_iommu; then
        assert_equal "${got%%$'\n'*}" "fail skip skip"
        return 0
    fi
    assert_equal "${got%%$'\n'*}" "ok ok ok"
    st=${got#*$'\n'}
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
    checks_of_json
    assert_equal "$(check_status memlock)" fail
    [[ $(check memlock) == *"soft 64 MiB, hard 64 MiB"* ]] || fail "memlock: $(check memlock)"
    [[ $(check memlock) == *"1048576 KiB"* ]] || fail "memlock fix: $(check memlock)"
    # as root it has CAP_IPC_LOCK: VFIO does not count its pinned pages
    load_checks <"$BATS_FILE_TMPDIR/doctor.tsv"
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
    checks_of_json
    run "$IOMMUCTL" --json doctor --memory 1G
    echo "$nr" >"$pool/nr_hugepages"
    [ "$free" -ge 8 ] || skip "the kernel could reserve only $free pages"
    [[ $(check hugepages) == "ok"*"2 MiB: $free free of "* ]] || fail "16M: $(check hugepages)"
    json=$output
    checks_of_json
    [[ $(check hugepages) == "warn"* ]] || fail "1G: $(check hugepages)"
}
