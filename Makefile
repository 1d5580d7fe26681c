# SPDX-License-Identifier: GPL-2.0-or-later
# iommuctl -- see README.md.  Targets: all check deps install uninstall clean asan unit-tests bench fuzz
VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/sbin
MANDIR := $(PREFIX)/share/man
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR := $(PREFIX)/share/zsh/vendor-completions

# Every core unless told otherwise (make -jN): make check compiles three variants (the binary,
# the ASan+UBSan one, the fuzz harnesses' objects), serially some 170 s on two cores.  The
# rules are -j safe (`make -j2 deps all` is tested: tests/bats/install.bats).
# (Only at the top: a sub-make shares its parent's job server.)
ifeq ($(MAKELEVEL)$(filter -j% --jobserver%,$(MAKEFLAGS)),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

BUILD ?= build
IOMMUCTL := $(abspath $(BUILD))/iommuctl
ASAN_BUILD := $(BUILD)/asan

PKGS := libpci libudev yaml-0.1 json-c smartcols
CC ?= cc
# pkg-config runs at first use (in a recipe), never when the Makefile is parsed: in
# `make deps all` the libraries are installed by the first goal and found by the second.
# Each result is computed once; a library that is still missing stops the build with a
# message that says what to do.
pkg_query = $(or $(shell pkg-config $(1) $(PKGS) 2>/dev/null && echo ' '),$(error \
	pkg-config cannot find $(PKGS) (missing: $(shell for p in $(PKGS); do \
	pkg-config --exists $$p 2>/dev/null || printf '%s ' $$p; done | sed 's/ $$//')): \
	run 'make deps' first))
# `make deps all` (the README's first line) installs before it compiles, also with -j:
# every compile waits for `deps` when it is among the goals.
DEPS_FIRST := $(filter deps,$(MAKECMDGOALS))
PKG_CFLAGS = $(eval PKG_CFLAGS := $(call pkg_query,--cflags))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(call pkg_query,--libs))$(PKG_LIBS)
WARN := -Wall -Wextra -Wmissing-prototypes -Wformat=2 -Wshadow -Wvla -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -DICTL_VERSION='"$(VERSION)"' \
	-D_FORTIFY_SOURCE=2 -fstack-protector-strong -MMD -MP
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS ?=
LIBS = $(PKG_LIBS)

SRCS := $(wildcard src/lib/*.c src/vendors/*.c src/cli/*.c src/cmds/*.c)
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)
ASAN_OBJS := $(SRCS:%.c=$(ASAN_BUILD)/obj/%.o)
MANS := $(wildcard man/*.8)
MANS7 := $(wildcard man/*.7)
MANS5 := $(wildcard man/*.5)

.PHONY: all asan check check-host deps install uninstall clean completions

all: $(BUILD)/iommuctl

$(BUILD)/iommuctl: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

asan: $(ASAN_BUILD)/iommuctl

$(ASAN_BUILD)/iommuctl: $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(ASAN_BUILD)/obj/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d)

# The completions in completions/ are generated from the binary's command table;
# tests/bats/completion.bats fails when they are stale.
completions: $(BUILD)/iommuctl
	$(BUILD)/iommuctl completion bash > completions/iommuctl.bash
	$(BUILD)/iommuctl completion zsh > completions/_iommuctl

# Debian 12 packages for the build and for every test: host suites, then the VM
# harness (kernel build from linux-source, QEMU guests, the kernel's selftests; udev: the
# guests run the host's systemd-udevd to prove what 'persist' writes; the cross compiler
# builds the arm64 shapes' kernel and iommuctl, qemu-system-arm boots smmuv3).  python3 makes
# hostile page-table images in tests/bats/pt.bats; chromium renders pt dump --svg in
# tests/bats/pt-svg.bats; clang builds the libFuzzer harnesses (tests/fuzz/) whose corpora
# make check replays.
DEB_PKGS := build-essential pkg-config libpci-dev libudev-dev libyaml-dev libjson-c-dev \
	libsmartcols-dev pci.ids pciutils bats bats-assert bats-support bats-file jq zsh man-db \
	qemu-system-x86 busybox-static bc bison flex libelf-dev libssl-dev cpio xz-utils \
	libcap-dev kmod e2fsprogs iproute2 udev python3 chromium \
	clang libclang-rt-14-dev gcc-aarch64-linux-gnu qemu-system-arm

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done; \
		tests/vm/qemu10 --deps 2>/dev/null || true); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PKGS)) packages are installed"; \
	else echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) \
		apt-get install -y -qq --no-install-recommends $$missing; fi

# One test command: host suites on the normal and the ASan+UBSan build, then the VM suites.
check: all asan unit-tests fuzz-build
	@MAKEFLAGS= IOMMUCTL=$(IOMMUCTL) IOMMUCTL_ASAN=$(abspath $(ASAN_BUILD))/iommuctl tests/run-tests

check-host: all asan unit-tests fuzz-build
	@MAKEFLAGS= IOMMUCTL=$(IOMMUCTL) IOMMUCTL_ASAN=$(abspath $(ASAN_BUILD))/iommuctl IOMMUCTL_NO_VM=1 tests/run-tests

install: all
	install -D -m 0755 $(BUILD)/iommuctl $(DESTDIR)$(BINDIR)/iommuctl
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MANS7) $(DESTDIR)$(MANDIR)/man7/
	install -m 0644 $(MANS5) $(DESTDIR)$(MANDIR)/man5/
	install -D -m 0644 completions/iommuctl.bash $(DESTDIR)$(BASHCOMPDIR)/iommuctl
	install -D -m 0644 completions/_iommuctl $(DESTDIR)$(ZSHCOMPDIR)/_iommuctl

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/iommuctl $(DESTDIR)$(BASHCOMPDIR)/iommuctl \
		$(DESTDIR)$(ZSHCOMPDIR)/_iommuctl
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MANS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MANS7)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MANS5)))

clean:
	rm -rf $(BUILD)

-include tests/vm/vm.mk
-include tests/uapi/uapi.mk
-include tests/unit/unit.mk
-include bench/bench.mk
-include tests/fuzz/fuzz.mk
-include bench/pt-bench.mk
