# shellcheck shell=bash
# The variables set here are used by the scripts that source this file:
# shellcheck disable=SC2034
# SPDX-License-Identifier: GPL-2.0-or-later
# Common helpers for the real-kernel VM harness (sourced by the scripts in tests/vm/).
#
# Everything large (apt lists, .debs, kernel build trees, built kernels) lives in the
# cache directory OUTSIDE the clone: ${IOMMUCTL_VM_CACHE:-/var/cache/iommuctl-vm}.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE=${IOMMUCTL_VM_CACHE:-/var/cache/iommuctl-vm}

# Version of the build recipe (this file + build-kernel + build-stock). Bump it when a change
# to the recipe must invalidate cached kernels even though source and fragment are unchanged.
VM_RECIPE=3

# The kernel series we test against; when it disappears from the archive, fall back to the
# newest linux-source-X.Y offered, and say so.
VM_PIN_SERIES=${IOMMUCTL_VM_SERIES:-7.3}
# The distribution kernel used by the "stock" shape (Debian 12's 6.12, no iommufd).
VM_STOCK_META=${IOMMUCTL_VM_STOCK_META:-linux-image-6.12-amd64}

# The QEMU binary (VM_QEMU overrides it, e.g. with a locally built one).
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}

_vm_t0=${_vm_t0:-$(date +%s)}
export _vm_t0

# Diagnostics go to stderr so that stdout can carry TAP.
vm_log() { printf '[vm +%ss] %s\n' "$(($(date +%s) - _vm_t0))" "$*" >&2; }
vm_die() { vm_log "ERROR: $*"; exit 1; }

# --- private apt configuration -----------------------------------------------------------
# The machine's apt sources stay untouched: we write our own sources.list into the cache,
# reusing the archive URIs this machine's apt already uses (so no host is named here), and
# point every apt command at it with -o options.
VM_APT_DIR=$VM_CACHE/apt
VM_APT=(-o "Dir::Etc::SourceList=$VM_APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$VM_APT_DIR/lists" -o "Dir::Cache=$VM_APT_DIR/cache"
    -o "Dir::State::status=$VM_APT_DIR/status" -o Debug::NoLocking=1
    -o APT::Sandbox::User=root)

# vm_archive_uris: "MAIN SECURITY" archive URIs of this machine's apt (no SECURITY if none),
# each ending in "/"; nothing when there is none (so no host is named in this tree)
vm_archive_uris() {
    local main sec
    # shellcheck disable=SC2016 # $(REPO_URI) is apt's format syntax, not the shell's
    main=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
        awk '$2=="bookworm" || $2=="trixie" {print $1; exit}')
    # shellcheck disable=SC2016
    sec=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
        awk '$2 ~ /-security$/ {print $1; exit}')
    if [ -z "$main" ]; then
        # apt has no lists yet on a fresh machine: read the URIs from its configuration
        main=$(grep -rhoE '(URIs:|deb) +[a-z]+://[^ ]+/debian/?( |$)' /etc/apt/sources.list \
            /etc/apt/sources.list.d/ 2>/dev/null | awk '{print $2}' | head -1)
        sec=$(grep -rhoE '(URIs:|deb) +[a-z]+://[^ ]+/debian-security/?( |$)' /etc/apt/sources.list \
            /etc/apt/sources.list.d/ 2>/dev/null | awk '{print $2}' | head -1)
    fi
    [ -n "$main" ] || return 1
    printf '%s %s\n' "${main%/}/" "${sec:+${sec%/}/}"
}

vm_apt_setup() {
    mkdir -p "$VM_APT_DIR/lists/partial" "$VM_APT_DIR/cache/archives/partial"
    : >>"$VM_APT_DIR/status"
    local main="" sec=""
    read -r main sec < <(vm_archive_uris) || true
    [ -n "$main" ] || vm_die "cannot find the Debian archive URI in this machine's apt configuration"
    {
        printf 'deb %s bookworm main\n' "$main"
        printf 'deb %s bookworm-updates main\n' "$main"
        [ -n "$sec" ] && printf 'deb %s bookworm-security main\n' "${sec%/}/"
        printf 'deb %s bookworm-backports main\n' "$main"
        printf 'deb %s trixie-backports main\n' "$main"
        printf 'deb %s sid main\n' "$main"
    } >"$VM_APT_DIR/sources.list.new"
    mv "$VM_APT_DIR/sources.list.new" "$VM_APT_DIR/sources.list"
}

# Refresh the private lists at most once a day (IOMMUCTL_VM_REFRESH=1 forces it).
# Returns non-zero if the lists are unusable (offline and never fetched).
vm_apt_update() {
    vm_apt_setup
    local stamp=$VM_APT_DIR/updated
    if [ "${IOMMUCTL_VM_REFRESH:-0}" != 1 ] && [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
        return 0
    fi
    vm_log "refreshing the private apt lists ($VM_APT_DIR)"
    if apt-get "${VM_APT[@]}" update -qq >"$VM_APT_DIR/update.log" 2>&1; then
        touch "$stamp"
        return 0
    fi
    vm_log "apt update failed (see $VM_APT_DIR/update.log)"
    compgen -G "$VM_APT_DIR/lists/*_Packages*" >/dev/null
}

vm_apt_cache() { apt-cache "${VM_APT[@]}" "$@"; }

# Newest version of a package in the private lists (empty if none).
vm_apt_newest() {
    local best="" v
    while read -r v; do
        [ -z "$v" ] && continue
        if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
    done < <(vm_apt_cache madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}')
    printf '%s\n' "$best"
}

# Download PKG=VERSION into DIR (prints the .deb path).
vm_apt_download() {
    local pkg=$1 ver=$2 dir=$3
    mkdir -p "$dir"
    local f
    f=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" 2>/dev/null | while read -r d; do
        [ "$(dpkg-deb -f "$d" Version)" = "$ver" ] && echo "$d"
    done | head -1)
    if [ -z "$f" ]; then
        (cd "$dir" && apt-get "${VM_APT[@]}" download "$pkg=$ver" >"$dir/download-$pkg.log" 2>&1) ||
            vm_die "download of $pkg=$ver failed (see $dir/download-$pkg.log)"
        f=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | while read -r d; do
            [ "$(dpkg-deb -f "$d" Version)" = "$ver" ] && echo "$d"
        done | head -1)
    fi
    [ -n "$f" ] || vm_die "no .deb for $pkg=$ver in $dir"
    printf '%s\n' "$f"
}

vm_sha() { sha256sum | awk '{print $1}'; } # of stdin

# vm_prune DIR KEEP: remove all but the KEEP most recently completed entries of DIR
vm_prune() {
    local d
    find "$1" -mindepth 2 -maxdepth 2 -name .complete -printf '%T@ %h\n' 2>/dev/null | sort -rn |
        tail -n +"$(($2 + 1))" | cut -d' ' -f2- | while read -r d; do
        vm_log "cache: removing the old build $d"
        rm -rf "$d"
    done
}

# --- cache locking -----------------------------------------------------------------------
vm_lock() { # NAME
    mkdir -p "$VM_CACHE"
    exec 9>"$VM_CACHE/.lock-${1:-kernel}"
    if ! flock -n 9; then
        vm_log "waiting for another build holding $VM_CACHE/.lock-${1:-kernel}"
        flock 9
    fi
}

# --- architectures -------------------------------------------------------------------------
# vm_arch ARCH (x86_64, the default, or arm64): the names that depend on the guest's
# architecture, for build-kernel, run-vm and run-suites:
#   VM_ARCH      x86_64 | arm64
#   VM_KARCH     the kernel's ARCH=          VM_CROSS   its CROSS_COMPILE= ("" on x86_64)
#   VM_KTARGET   the image make builds       VM_KIMAGE  where it lands in the tree
#   VM_KERNELS   built kernels in the cache  VM_WORK    build trees
#   VM_KLOCK     the cache lock's name
# x86_64 keeps the names it had before arm64 came (kernels/, work/, lock "kernel").
vm_arch() {
    case ${1:-x86_64} in
    x86_64 | amd64 | x86)
        VM_ARCH=x86_64 VM_KARCH=x86 VM_CROSS="" VM_KTARGET=bzImage
        VM_KIMAGE=arch/x86/boot/bzImage VM_KERNELS=$VM_CACHE/kernels VM_WORK=$VM_CACHE/work
        VM_KLOCK=kernel
        ;;
    arm64 | aarch64)
        VM_ARCH=arm64 VM_KARCH=arm64 VM_CROSS=aarch64-linux-gnu- VM_KTARGET=Image
        VM_KIMAGE=arch/arm64/boot/Image VM_KERNELS=$VM_CACHE/kernels-arm64
        VM_WORK=$VM_CACHE/work-arm64 VM_KLOCK=kernel-arm64
        ;;
    *) vm_die "unknown architecture '$1' (x86_64 or arm64)" ;;
    esac
}

# vm_fragment ARCH FILE: the config fragment FILE for ARCH, on stdout. A '#@arch A' line starts
# lines that apply to architecture A only, '#@arch all' ends them; the marker lines go.
# (So the x86_64 fragment is the file as it was before it had arm64 blocks, byte for byte.)
vm_fragment() {
    awk -v a="$1" '/^#@arch /{cur=$2; next} cur=="" || cur=="all" || cur==a' "$2"
}

# The smmuv3-nested shape's QEMU, on stdout: VM_QEMU_AARCH64 if set, else QEMU 10 from
# tests/vm/qemu10 (fetched into the cache on first use). Fails, with the reason on stdout, when
# there is none. (QEMU 10.0's virt machine makes its SMMUv3 with stage=nested whatever -global
# says; Debian 12's QEMU 7.2, the smmuv3 shape's, has a stage-1-only SMMUv3.)
vm_qemu_aarch64() {
    local q err
    if [ -n "${VM_QEMU_AARCH64:-}" ]; then
        echo "$VM_QEMU_AARCH64"
        return 0
    fi
    if [ ! -x "$VM_DIR/qemu10" ]; then
        echo "no QEMU 10 for aarch64: tests/vm/qemu10 is not in this tree (or set VM_QEMU_AARCH64)"
        return 1
    fi
    err=$(mktemp)
    if q=$("$VM_DIR/qemu10" aarch64 2>"$err") && [ -x "$q" ]; then
        rm -f "$err"
        echo "$q"
        return 0
    fi
    echo "no QEMU 10 for aarch64: tests/vm/qemu10 aarch64 failed: $(grep -v '^$' "$err" | tail -1)"
    rm -f "$err"
    return 1
}

# vm_qemu_major QEMU: its major version (0 when it does not run)
vm_qemu_major() {
    local v
    v=$("$1" --version 2>/dev/null | sed -n '1s/^QEMU emulator version \([0-9]*\)\..*/\1/p')
    echo "${v:-0}"
}
