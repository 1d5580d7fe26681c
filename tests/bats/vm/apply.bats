#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# K_* are read by the helpers:
# shellcheck disable=SC2034,SC2153
# In-guest: apply --check against the live kernel.  The host's view comes from the running
# system: the edu device and its group's reserved regions from sysfs, its IOMMU through
# iommufd (edu on vfio-pci) or sysfs, the selftest mock's unit, the probed ioctls.  The
# expectations come from the shape QEMU was given (intel-iommu has no NEST; the MSI window
# is 0xfee00000-0xfeefffff on x86), never from iommuctl itself.

# edu is put on vfio-pci where the kernel has iommufd, so its IOMMU is asked through it; on
# Debian's stock kernel (no iommufd) the registers come from sysfs.
setup_file() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    edu_iommufd_setup_file
}

teardown_file() {
    edu_iommufd_teardown_file
}

setup() {
    load "$BATS_TEST_DIRNAME/../../vm/bats-helpers"
    vm_require_guest
    EX=$(cd "$BATS_TEST_DIRNAME/../../../examples" && pwd)
    S=$BATS_TEST_TMPDIR/spec.yaml
}

need_edu() {
    shape_has_iommu || skip "shape '$VM_SHAPE' has no IOMMU"
    [ -n "${EDU:-}" ] || fail "no edu device in this VM: harness broken"
}

@test "apply --check: the selftest mock example is clean on the test kernel, refused on the stock one" {
    run "$IOMMUCTL" apply --check "$EX/selftest-mock.yaml"
    if [ "$VM_KERNEL_KIND" = stock ]; then
        assert_equal "$status" 3
        assert_output --partial "needs a kernel built with CONFIG_IOMMUFD_TEST"
        return
    fi
    [ -n "$(compgen -G '/sys/class/iommu/iommufd_selftest_iommu*')" ] ||
        fail "the test kernel has no selftest IOMMU unit: harness broken"
    assert_success
    assert_output --partial "ok: 0 errors, 0 warnings (against the live system)"
}

@test "apply --check: a nest parent for edu is refused, naming the register field" {
    [ "$VM_SHAPE" != virtio ] || skip "virtio-iommu shows no registers to check"
    need_edu
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas: [{name: ram, mappings: [{iova: 0x0, size: 1M}]}]
	hwpts: [{name: s2, ioas: ram, device: edu, flags: [nest-parent]}]
	EOF
    run "$IOMMUCTL" apply --check "$S"
    echo "# ${lines[0]}" >&3
    assert_equal "$status" 3
    case $VM_SHAPE in
    intel | intel-sm | stock) assert_output --partial "ecap_reg.NEST (bit 26) = 0" ;;
    # edu is bound to iommufd here (unsafe interrupts allowed), so the kernel is asked; where
    # the registers do not already say no, its EOPNOTSUPP is the finding
    amd) assert_output --regexp "efr\.(GTSup|GIOSup)|the kernel refused it for edu: IOMMU_HWPT_ALLOC NEST_PARENT: EOPNOTSUPP" ;;
    esac
}

@test "apply --check: a mapping on edu's MSI window is refused, naming the reserved region" {
    need_edu
    local g=${K_GROUP[$EDU]}
    grep -q '^0x00000000fee00000 0x00000000feefffff msi$' "/sys/kernel/iommu_groups/$g/reserved_regions" ||
        fail "group $g has no MSI window at 0xfee00000: $(cat "/sys/kernel/iommu_groups/$g/reserved_regions")"
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas: [{name: ram, mappings: [{iova: 0xfee00000, size: 4K}]}]
	attach: [{device: edu, ioas: ram}]
	EOF
    run "$IOMMUCTL" apply --check "$S"
    assert_equal "$status" 3
    assert_output --partial "overlaps the msi region 0xfee00000-0xfeefffff of edu's group $g"
}

@test "apply --check: guest RAM for edu around the MSI window is clean, live" {
    need_edu
    cat >"$S" <<-EOF
	options: {rlimit_mode: process}
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    allow: [0x0-0xfedfffff]
	    huge_pages: true
	    mappings:
	      - {name: low, iova: 0x0, size: 16M, memory: memfd}
	      - {size: 64K}
	  - name: copy
	    mappings: [{iova: 0x100000, size: 4K, copy: {mapping: low}}]
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
    run "$IOMMUCTL" apply --check "$S"
    assert_success
    assert_output --partial "ok: 0 errors"
}

# --- apply: making the objects ------------------------------------------------------------

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
	echo "json v0: $(jq -r .objects.v0.id "$IOMMUCTL_OBJECTS_JSON") $(jq -r .objects.v0.kind "$IOMMUCTL_OBJECTS_JSON")"
	echo "env v0: $("$IOFD" id v0) viommu"
	echo "json scratch: $(jq -r .mappings.scratch.iova "$IOMMUCTL_OBJECTS_JSON")"
	echo "env scratch: $("$IOFD" iova scratch)"
	echo "json iommufd: $(jq -r .iommufd "$IOMMUCTL_OBJECTS_JSON")"
	echo "json file: $IOMMUCTL_OBJECTS_JSON"
	EOF
}

@test "apply: the selftest mock example is made; the command finds every object and mapping where apply says" {
    need_mock
    run --separate-stderr "$IOMMUCTL" apply "$EX/selftest-mock.yaml" -- sh -c "$(probe_mock)"
    echo "$output" | sed 's/^/# /' >&3
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
    assert_equal "$(sed -n 's/^json v0: //p' <<<"$output")" "$(sed -n 's/^env v0: //p' <<<"$output")"
    assert_equal "$(sed -n 's/^json scratch: //p' <<<"$output")" "$(sed -n 's/^env scratch: //p' <<<"$output")"
    assert_line "json iommufd: 3"
    local doc
    doc=$(sed -n 's/^json file: //p' <<<"$output")
    [ -n "$doc" ] && [ ! -e "$doc" ] && [ ! -e "$(dirname "$doc")" ] || fail "$doc is left behind"
    assert_line --regexp '^Apply ended: the command exited with status 0; 1[0-9] objects destroyed$'
}

@test "apply --json: every step has its object id, the kernel-chosen IOVA is reported, and the end says what was undone" {
    need_mock
    local got=$BATS_TEST_TMPDIR/iova
    run --separate-stderr "$IOMMUCTL" --json apply "$EX/selftest-mock.yaml" -- \
        sh -c '"$0" iova scratch >"$1"' "$IOFD" "$got"
    assert_success
    # two documents: the apply, then its end
    local doc end iova
    doc=$(echo "$output" | jq -c 'select(.apply)')
    end=$(echo "$output" | jq -c 'select(.action == "apply-end")')
    iova=$(cat "$got")
    # and the kernel-chosen IOVA is inside the allow range (0x1000000, 256M)
    (( iova >= 0x1000000 && iova + 0x10000 <= 0x11000000 )) || fail "scratch at $iova: outside allow"
    assert_equal "$(jq -r '.apply.result' <<<"$doc")" "applied; running the command"
    assert_equal "$(jq '[.apply.steps[] | select(.error != null)] | length' <<<"$doc")" 0
    assert_equal "$(jq '[.apply.steps[] | select(.what | startswith("allocate")) | select(.id == null)] | length' <<<"$doc")" 0
    assert_equal "$(jq -r '.apply.mappings[] | select(.name == "scratch") | .iova' <<<"$doc")" "$iova"
    assert_equal "$(jq -r '.apply.mappings[] | select(.name == "buf") | .iova' <<<"$doc")" 0x1000000
    assert_equal "$(jq '.apply.objects | length' <<<"$doc")" "$(jq '.destroyed' <<<"$end")"
    assert_equal "$(jq -r '.apply.objects[] | select(.name == "v0") | .kind' <<<"$doc")" viommu
    assert_equal "$(jq -r '.status' <<<"$end")" 0
}

@test "apply --dry-run lists the steps in dependency order and makes nothing" {
    need_mock
    run "$IOMMUCTL" apply --dry-run "$EX/selftest-mock.yaml"
    assert_success
    assert_line --partial "1. allocate ioas 'guest-ram' (IOMMU_IOAS_ALLOC)"
    assert_line "Result: nothing was made (--dry-run)"
    # parents before what hangs off them: s2 before v0 before s1v before vd0
    local s2 v0 s1v vd0
    s2=$(grep -n "allocate paging hwpt 's2'" <<<"$output" | cut -d: -f1)
    v0=$(grep -n "allocate viommu 'v0'" <<<"$output" | cut -d: -f1)
    s1v=$(grep -n "allocate nested hwpt 's1v'" <<<"$output" | cut -d: -f1)
    vd0=$(grep -n "allocate vdevice 'vd0'" <<<"$output" | cut -d: -f1)
    [ "$s2" -lt "$v0" ] && [ "$v0" -lt "$s1v" ] && [ "$s1v" -lt "$vd0" ] ||
        fail "not in dependency order: s2 $s2, v0 $v0, s1v $s1v, vd0 $vd0"
    # the device's own attach before its PASID's
    [ "$(grep -n "attach device 'm0' to" <<<"$output" | cut -d: -f1)" -lt \
      "$(grep -n "attach device 'm0' at PASID 0x100" <<<"$output" | cut -d: -f1)" ] || fail "PASID attach first"
}

# A spec for edu on its IOMMU: a fixed and a kernel-chosen mapping, a paging HWPT, attached.
edu_spec() {
    cat >"$S" <<-EOF
	devices: [{name: edu, device: $EDU}]
	ioas:
	  - name: ram
	    mappings:
	      - {name: low, iova: 0x100000, size: 64K}
	      - {name: any, size: 8K, memory: memfd, access: r}
	      - {name: big, iova: 0x40000000, size: ${1:-2M}, memory: ${2:-anon}}
	hwpts: [{name: pt, ioas: ram, device: edu}]
	attach: [{device: edu, hwpt: pt}]
	EOF
}

need_edu_iommufd() {
    need_edu
    [ "$VM_KERNEL_KIND" != stock ] || skip "Debian's 6.12 has no iommufd (CONFIG_IOMMUFD is off)"
    [ -x "$IOFD" ] || fail "no $IOFD: run make (tests/uapi/uapi.mk builds it)"
}

@test "apply: edu on its IOMMU, a paging HWPT attached; the command finds the mappings; edu stays as it was" {
    need_edu_iommufd
    edu_spec
    local before
    before=$(snapshot "$EDU")
    run --separate-stderr "$IOMMUCTL" apply "$S" -- sh -c '
        echo "low: $("$0" unmap ram 0x100000 0x10000)"
        echo "any: $("$0" unmap ram "$("$0" iova any)" 0x2000)"
        echo "ram busy: $("$0" destroy ram)"
        echo "devices: $IOMMUCTL_DEVICES ids $IOMMUCTL_DEV_IDS"' "$IOFD"
    echo "$output" | sed 's/^/# /' >&3
    assert_success
    assert_line "low: unmapped=0x10000"
    assert_line "any: unmapped=0x2000"
    assert_line "ram busy: error=EBUSY"
    assert_line --regexp "^devices: $EDU ids [0-9]+$"
    assert_line --regexp "attach device 'edu' to hwpt 'pt' \(VFIO_DEVICE_ATTACH_IOMMUFD_PT\): #[0-9]+$"
    # edu was on vfio-pci before (setup_file): apply claimed nothing, so it stays there
    assert_equal "$(snapshot "$EDU")" "$before"
}

@test "apply: a failure midway undoes everything, and a group apply claimed goes back" {
    need_edu_iommufd
    sys_unbind_vfio "$EDU"
    local before
    before=$(snapshot "$EDU")
    # 1G of hugetlb pages this guest does not have: the check cannot know, mmap fails
    echo 0 >/proc/sys/vm/nr_hugepages
    edu_spec 1G hugetlb-1G
    run --separate-stderr "$IOMMUCTL" apply "$S" --hold
    local after
    after=$(snapshot "$EDU")
    echo "$output" | sed 's/^/# /' >&3
    echo "# $stderr" >&3
    sys_bind_vfio "$EDU"
    assert_equal "$status" 1
    assert_line "    1. claim group ${K_GROUP[$EDU]} for vfio-pci"
    assert_line --regexp "map 'big', 1G of hugetlb-1G at 0x40000000 in ioas 'ram' \(IOMMU_IOAS_MAP\): FAILED"
    assert_line "Result: failed; everything made was undone"
    [[ $stderr == *"reserve free huge pages first"* ]] || fail "no advice in: $stderr"
    # no step after the failure was taken, and edu is back where it was
    refute_line --partial "hwpt 'pt'"
    assert_line --regexp "^Apply ended: the apply failed; 0 objects destroyed; released group ${K_GROUP[$EDU]}$"
    assert_equal "$before" "$EDU - (null)"
    assert_equal "$after" "$before"
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
    echo "$output" | sed 's/^/# /' >&3
    echo "# $stderr" >&3
    assert_success
    # nothing dirty when tracking starts; the four pages the mock marked, as two runs; then
    # clean again, since the read before cleared them
    assert_equal "$(grep -c '0 of 512 dirty$' <<<"$output")" 2
    assert_line "marked=4"
    assert_line --regexp '^hwpt dirty #[0-9]+: 0x1000000-0x11fffff in 4 KiB pages: 4 of 512 dirty$'
    assert_line "  0x1000000-0x1002fff  3 pages"
    assert_line "  0x100a000-0x100afff  1 page"
    assert_equal "$(jq -c '[.dirty.dirty_pages, [.dirty.ranges[] | [.start, .last, .pages]]]' "$js")" \
        '[4,[["0x1000000","0x1002fff",3],["0x100a000","0x100afff",1]]]'
    assert_line --regexp '^unmapped 0x10000 bytes at 0x[0-9a-f]+ from ioas guest-ram #[0-9]+$'
}
