# shellcheck shell=bash
# status and output are set by bats' run:
# shellcheck disable=SC2154
# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the in-guest suites (tests/bats/vm/*.bats). They run INSIDE a VM shape booted by
# tests/vm/run-vm; the ground truth they compare iommuctl against is read directly from the
# guest kernel: /sys, lspci, dmesg. Never via iommuctl itself.
#
# Environment (set by tests/vm/guest-init from the host's guest.env):
#   VM_SHAPE   intel | intel-sm | amd | virtio | none | stock | intel-intremap-off | intel-pt
#              | smmuv3 | smmuv3-nested (arm64: QEMU's virt machine with its SMMUv3)
#   VM_ARCH    x86_64 | arm64
#   IOMMUCTL   the iommuctl binary under test
#   VM_SELFTESTS  directory with the kernel's iommufd selftests (built kernel only)

# bats' per-command DEBUG trap costs 10 ms and more a command here (first, so that it
# does not run for the files below either): see fast-trace.bash
# shellcheck source=tests/bats/fast-trace.bash
source "${BASH_SOURCE[0]%/*}/../bats/fast-trace.bash"
# bats-support and bats-assert: their load.bash files run dirname a dozen times, which costs
# half a second per test under TCG; sourcing their src/ files directly costs nothing.
for _f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
    # shellcheck source=/dev/null
    source "$_f"
done
unset _f

: "${VM_SHAPE:=}"
: "${IOMMUCTL:=iommuctl}"

# Skip when not inside a harness VM; otherwise read the kernel's view (sys_scan).
# The scan is done once per file and cached in BATS_FILE_TMPDIR (globbing sysfs costs 0.3 s
# under TCG); a file that changes the kernel's state must do so in setup_file.
vm_require_guest() {
    [ -n "$VM_SHAPE" ] || skip "not inside an iommuctl test VM (run tests/vm/run-suites)"
    local cache=${BATS_FILE_TMPDIR:-/nonexistent}/kernel-view.bash
    if [ -r "$cache" ]; then
        # shellcheck source=/dev/null
        source "$cache"
    else
        sys_scan
        [ -d "${BATS_FILE_TMPDIR:-}" ] &&
            declare -p K_GROUP K_IOMMU K_DRIVER K_GROUPS K_IOMMUS K_PCI | sed 's/^declare -\([aA]\)/declare -g\1/' >"$cache"
    fi
    return 0
}

# iommuctl ARGS...: run the binary under test (use with bats' run).
iommuctl() { "$IOMMUCTL" "$@"; }

# The shape's IOMMU, as the harness configured it (not as iommuctl reports it).
shape_has_iommu() { [ "$VM_SHAPE" != none ]; }
shape_kind() {
    case $VM_SHAPE in
    intel | intel-sm | stock | intel-intremap-off | intel-pt | intel-flts) echo intel-vtd ;;
    amd) echo amd-vi ;;
    virtio) echo virtio-iommu ;;
    smmuv3 | smmuv3-nested) echo arm-smmu-v3 ;;
    *) echo none ;;
    esac
}
# require_x86 WHY: skip on the arm64 shapes, saying why the test is x86's only
require_x86() {
    [ "${VM_ARCH:-x86_64}" = x86_64 ] || skip "x86 only on shape '$VM_SHAPE' (arm64): $*"
}
skip_without_iommu() {
    shape_has_iommu || skip "shape '$VM_SHAPE' has no IOMMU"
}

# --- ground truth from the kernel --------------------------------------------------------
# Under TCG every exec costs tens of milliseconds (jq ~0.25 s), so the kernel's view is read
# with globs and the read builtin, and each test compares whole tables with one assertion.
SYS=/sys

# sys_scan: fill, from sysfs links only,
#   K_GROUPS  group numbers (ascending)       K_IOMMUS  /sys/class/iommu entries
#   K_PCI     PCI device names                K_GROUP[dev] K_IOMMU[dev] K_DRIVER[dev]
sys_scan() {
    declare -gA K_GROUP=() K_IOMMU=() K_DRIVER=()
    declare -ga K_GROUPS=() K_IOMMUS=() K_PCI=()
    local p g
    local -a byno=()
    for p in "$SYS"/kernel/iommu_groups/*; do
        [ -d "$p" ] && byno[${p##*/}]=${p##*/} # a sparse array iterates in numeric order
    done
    K_GROUPS=("${byno[@]}")
    for p in "$SYS"/kernel/iommu_groups/*/devices/*; do
        [ -e "$p" ] || continue
        g=${p%/devices/*}
        K_GROUP[${p##*/}]=${g##*/}
    done
    for p in "$SYS"/class/iommu/*; do
        [ -e "$p" ] && K_IOMMUS+=("${p##*/}")
    done
    for p in "$SYS"/class/iommu/*/devices/*; do
        [ -e "$p" ] || continue
        g=${p%/devices/*}
        K_IOMMU[${p##*/}]=${g##*/}
    done
    for p in "$SYS"/bus/pci/devices/*; do
        [ -e "$p" ] && K_PCI+=("${p##*/}")
    done
    for p in "$SYS"/bus/pci/drivers/*/[0-9a-f]*:*; do
        [ -e "$p" ] || continue
        g=${p%/*}
        K_DRIVER[${p##*/}]=${g##*/}
    done
}

# sysattr DEV ATTR: a PCI device's sysfs attribute ("null" when the file does not exist)
sysattr() {
    local v=null
    [ -r "$SYS/bus/pci/devices/$1/$2" ] && read -r v <"$SYS/bus/pci/devices/$1/$2"
    printf '%s' "$v"
}
# sysattr_to VAR DEV ATTR: the same into VAR, without the subshell of $(sysattr ...) (a fork
# costs tens of milliseconds under TCG, and the device loops make dozens)
sysattr_to() {
    local -n _sysattr=$1
    _sysattr=null
    [ -r "$SYS/bus/pci/devices/$2/$3" ] && read -r _sysattr <"$SYS/bus/pci/devices/$2/$3"
    return 0
}
sys_groups() { [ ${#K_GROUPS[@]} -gt 0 ] && printf '%s\n' "${K_GROUPS[@]}"; return 0; }
sys_iommus() { [ ${#K_IOMMUS[@]} -gt 0 ] && printf '%s\n' "${K_IOMMUS[@]}"; return 0; }
sys_pci_devices() { printf '%s\n' "${K_PCI[@]}"; }
sys_group_devices() { # GROUP: its devices, one per line
    local p
    for p in "$SYS/kernel/iommu_groups/$1/devices"/*; do [ -e "$p" ] && echo "${p##*/}"; done
    return 0
}
# sys_group_devices_to VAR GROUP SEP: the same joined by SEP, into VAR, without a fork
sys_group_devices_to() {
    local -n _gdevs=$1
    local p
    _gdevs=""
    for p in "$SYS/kernel/iommu_groups/$2/devices"/*; do [ -e "$p" ] && _gdevs+="${_gdevs:+$3}${p##*/}"; done
    return 0
}
sys_dev_group() { printf '%s' "${K_GROUP[$1]:-}"; }
sys_dev_iommu() { printf '%s' "${K_IOMMU[$1]:-}"; }
sys_dev_driver() { printf '%s' "${K_DRIVER[$1]:-}"; }

# The IOMMUFD_TEST mock IOMMU of the test kernel (registered at boot, never has devices).
is_mock_iommu() { [[ $1 == iommufd_selftest_iommu* ]]; }
# "hardware" IOMMUs: /sys/class/iommu without the mock
sys_hw_iommus() {
    local i
    for i in "${K_IOMMUS[@]}"; do is_mock_iommu "$i" || echo "$i"; done
    return 0
}

# PCI address of the first device with this vendor and device ID (e.g. 0x1234 0x11e8)
sys_find_pci() {
    local d v i
    for d in "${K_PCI[@]}"; do
        read -r v <"$SYS/bus/pci/devices/$d/vendor"
        read -r i <"$SYS/bus/pci/devices/$d/device"
        if [ "$v" = "$1" ] && [ "$i" = "$2" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}
edu_bdf() { sys_find_pci 0x1234 0x11e8; }

# sys_bind_vfio DEV / sys_unbind_vfio DEV: bind to vfio-pci the way a user does
# (driver_override + drivers_probe), and undo it; written to sysfs, not through iommuctl.
sys_bind_vfio() {
    echo vfio-pci >"$SYS/bus/pci/devices/$1/driver_override"
    echo "$1" >"$SYS/bus/pci/drivers_probe" || true
}
sys_unbind_vfio() {
    [ -e "$SYS/bus/pci/devices/$1/driver" ] && echo "$1" >"$SYS/bus/pci/devices/$1/driver/unbind"
    echo >"$SYS/bus/pci/devices/$1/driver_override"
}

# group_endpoints GROUP: its endpoints (not bridges or ports), from sysfs
group_endpoints() {
    local p c
    [ -n "$1" ] || return 0
    for p in "$SYS/kernel/iommu_groups/$1/devices"/*; do
        [ -e "$p" ] || continue
        read -r c <"$p/class"
        case $c in 0x0604* | 0x0600*) continue ;; esac
        echo "${p##*/}"
    done
}

# snapshot DEV...: "DEV DRIVER OVERRIDE" per device, from sysfs, read now (not the cached
# scan): the state compared before and after a claim or release
snapshot() {
    local d drv ovr
    for d in "$@"; do
        drv=-
        [ -e "$SYS/bus/pci/devices/$d/driver" ] && drv=$(basename "$(readlink "$SYS/bus/pci/devices/$d/driver")")
        read -r ovr <"$SYS/bus/pci/devices/$d/driver_override"
        echo "$d $drv $ovr"
    done
}

# lspci_groups: "DEVICE GROUP" for every device for which lspci -vvv prints an IOMMU group line
lspci_groups() {
    lspci -vvv -D 2>/dev/null | awk '/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ {d=$1} /^[ \t]+IOMMU group:/ {print d, $3}'
}

# --- JSON helpers ------------------------------------------------------------------------
# json_ok CMD...: run iommuctl --json CMD..., require exit 0, leave stdout in $json
# (validity is checked by the jq queries that follow: jq fails on anything not JSON)
json_ok() {
    run "$IOMMUCTL" --json "$@"
    if [ "$status" -ne 0 ]; then
        echo "iommuctl --json $* exited $status: $output" >&2
        return 1
    fi
    json=$output
}

# jqt [JQ OPTIONS] FILTER: jq -r on $json; fails (with jq's message) if it is not JSON
jqt() { jq -r "$@" <<<"$json"; }

# sorted, newline-separated lists, for comparing sets with assert_equal
lines_sorted() { sort "$@" | sed '/^$/d'; }

# --- ownership suites (claim, hold, inuse) ---

# the first group with two or more endpoints (the multifunction pci-testdev slot)
multi_group() {
    local g n
    for g in "${K_GROUPS[@]}"; do
        n=$(group_endpoints "$g" | wc -l)
        [ "$n" -ge 2 ] && { echo "$g"; return 0; }
    done
    return 1
}

# wait_for FILE: up to 20 s
wait_for() {
    local i
    for i in $(seq 200); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

require_multi() {
    [ -n "$MULTI" ] || fail "no group with two endpoints: the multifunction pci-testdev slot is missing"
}

# own_reset: after an ownership test, undo whatever it left: the runs it started in the
# background ($BG_PIDS) killed, edu and the multifunction group's endpoints unbound with
# driver_override cleared, the state directory ($IOMMUCTL_STATE_DIR) removed
own_reset() {
    local p d
    for p in ${BG_PIDS:-}; do
        { kill -9 "$p" && wait "$p"; } 2>/dev/null
    done
    for d in "$EDU" $(group_endpoints "${MULTI:-}"); do
        sys_unbind_vfio "$d"
    done
    rm -rf "$IOMMUCTL_STATE_DIR"
}

# unsafe_irqs_allow (in setup_file): QEMU's amd-iommu (no southbridge IOAPIC) and
# virtio-iommu remap no interrupts, so iommufd refuses to bind a device unless
# iommufd.allow_unsafe_interrupts is set: set it on those shapes, remembering the value;
# unsafe_irqs_restore (in teardown_file) puts it back.  A suite sets it itself rather than
# inheriting what the suite before it left.
UNSAFE_IRQS=/sys/module/iommufd/parameters/allow_unsafe_interrupts
unsafe_irqs_allow() {
    case ${VM_SHAPE:-} in virtio | amd)
        if [ -w "$UNSAFE_IRQS" ]; then
            read -r UNSAFE_IRQS_WAS <"$UNSAFE_IRQS"
            export UNSAFE_IRQS_WAS
            echo 1 >"$UNSAFE_IRQS"
        fi ;;
    esac
}
unsafe_irqs_restore() {
    [ -z "${UNSAFE_IRQS_WAS:-}" ] || echo "$UNSAFE_IRQS_WAS" >"$UNSAFE_IRQS"
}

# For the suites that drive edu through iommufd and the selftest mock (apply, held):
# IOFD (tests/uapi/iofd), EDU bound to vfio-pci where the kernel has iommufd, and unsafe
# interrupts allowed for shapes without interrupt remapping; the teardown undoes it. The mock
# needs no IOMMU, so on shape none only IOFD is set.
edu_iommufd_setup_file() {
    IOFD=$(dirname "$IOMMUCTL")/tests/iofd
    export IOFD
    [ -n "$VM_SHAPE" ] || return 0
    [ "$VM_SHAPE" != none ] || return 0
    sys_scan
    EDU=$(edu_bdf) || return 0
    export EDU
    [ "$VM_KERNEL_KIND" = stock ] || sys_bind_vfio "$EDU"
    unsafe_irqs_allow
}

edu_iommufd_teardown_file() {
    unsafe_irqs_restore
    [ -n "${EDU:-}" ] && [ "$VM_KERNEL_KIND" != stock ] || return 0
    sys_unbind_vfio "$EDU"
}

# --- doctor suites (doctor, doctor-units, doctor-vfio) ---
# doctor_setup_file: one `iommuctl --json doctor` run per file (under TCG every exec counts):
# its JSON, stderr and exit status, the kernel log, and its checks as a table (one jq) in
# BATS_FILE_TMPDIR; doctor_setup (in setup) loads them: json, DOCTOR_RC, DOCTOR_ERR, VERDICT,
# CHECK[id], DMESG (the log's file), CMDLINE.
doctor_setup_file() {
    local out=$BATS_FILE_TMPDIR rc=0
    [ -n "${VM_SHAPE:-}" ] || return 0
    "${IOMMUCTL:-iommuctl}" --json doctor >"$out/doctor.json" 2>"$out/doctor.err" || rc=$?
    echo "$rc" >"$out/doctor.rc"
    dmesg >"$out/dmesg.txt" 2>/dev/null || true
    jq -r '"verdict\t\(.doctor.verdict)", (.doctor.checks[] | "\(.id)\t\(.status)\t\(.found)\t\(.fix // "")")' \
        "$out/doctor.json" >"$out/doctor.tsv" || true
}
# (DOCTOR_RC and VERDICT are the suites' to read)
# shellcheck disable=SC2034
doctor_setup() {
    local d=$BATS_FILE_TMPDIR
    IFS= read -r -d '' json <"$d/doctor.json" || true
    IFS= read -r -d '' DOCTOR_ERR <"$d/doctor.err" || true
    DOCTOR_ERR=${DOCTOR_ERR%$'\n'}
    read -r DOCTOR_RC <"$d/doctor.rc"
    DMESG=$d/dmesg.txt
    read -r CMDLINE </proc/cmdline
    load_checks <"$d/doctor.tsv"
    VERDICT=${CHECK[verdict]-}
}
# load_checks: CHECK[id]="STATUS<tab>FOUND<tab>FIX" from lines "ID<tab>STATUS<tab>FOUND<tab>FIX"
# on stdin (a check given twice: both, a line each, as a jq query of that id prints them)
load_checks() {
    local l id
    declare -gA CHECK=()
    while IFS= read -r l; do
        id=${l%%$'\t'*}
        CHECK[$id]=${CHECK[$id]+${CHECK[$id]}$'\n'}${l#*$'\t'}
    done
}
# checks_of_json: CHECK from the doctor JSON in $json (one jq), for a test's own doctor run
checks_of_json() {
    load_checks < <(jqt '"verdict\t\(.doctor.verdict)", (.doctor.checks[] | "\(.id)\t\(.status)\t\(.found)\t\(.fix // "")")')
}
# check ID: "STATUS<tab>FOUND<tab>FIX" of one check; check_status ID: its status
check() { printf '%s' "${CHECK[$1]-}"; }
check_status() { printf '%s' "${CHECK[$1]%%$'\t'*}"; }

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

# exited PID SECONDS: until the process has exited (a zombie counts), or the time is up (1)
exited() {
    local i st
    for i in $(seq $(($2 * 10))); do
        st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
        [ -n "$st" ] && [ "$st" != Z ] || return 0
        sleep 0.1
    done
    return 1
}

# what a process that does not exit is doing
proc_diag() {
    echo "pid $1: $(tr '\0' ' ' <"/proc/$1/cmdline") $(grep -E '^(State|SigBlk|SigIgn|SigPnd|ShdPnd)' "/proc/$1/status" | tr '\n\t' '  ')"
    echo "wchan $(cat "/proc/$1/wchan")"
    cat "/proc/$1/stack" 2>/dev/null
}

# start_udevd, stop_udevd: systemd-udevd ($UDEVD, found by the suite's setup_file) in the
# foreground, its pid ours to stop and its debug log in $UDEVD_LOG; every wait bounded (a
# udevd that does not exit is reported with what it waits on, then killed)
start_udevd() {
    local i
    [ -n "$UDEVD" ] || skip "systemd-udevd is not installed on the host whose root the guest runs (make deps installs udev)"
    # A udevd that ran earlier in this guest may have left database entries of nodes removed
    # while none ran; they would read as "initialized". udevd at boot starts from an empty /run.
    rm -rf /run/udev/data
    UDEVD_LOG=$BATS_TEST_TMPDIR/udevd.log
    SYSTEMD_LOG_TARGET=console "$UDEVD" --resolve-names=never --debug >"$UDEVD_LOG" 2>&1 3>&- &
    UDEVD_PID=$!
    for i in $(seq 150); do
        udevadm control --timeout=5 --ping >/dev/null 2>&1 && return 0
        kill -0 "$UDEVD_PID" 2>/dev/null || break
        sleep 0.2
    done
    fail "systemd-udevd did not start: $(tail -5 "$UDEVD_LOG")"
}

stop_udevd() {
    [ -n "${UDEVD_PID:-}" ] || return 0
    udevadm settle --timeout=60 >/dev/null 2>&1
    udevadm control --timeout=30 --exit >/dev/null 2>&1 || kill "$UDEVD_PID" 2>/dev/null
    if ! exited "$UDEVD_PID" 30; then
        proc_diag "$UDEVD_PID" >&2
        kill -9 "$UDEVD_PID"
    fi
    wait "$UDEVD_PID" 2>/dev/null
    UDEVD_PID=
}
