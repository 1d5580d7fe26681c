# SPDX-License-Identifier: GPL-2.0-or-later
# Real-kernel VM harness (tests/vm/README.md). Included by the top-level Makefile, which
# defines BUILD (build directory) and IOMMUCTL (the binary) before including this file.
#
#   make vm-kernel              build (or find in the cache) the test kernel and the stock kernel
#   make check-vm               boot every shape once, run tests/bats/vm/*.bats, one TAP stream
#   make vm-shell SHAPE=intel   interactive shell in one shape (intel intel-sm amd virtio none stock
#                               intel-intremap-off intel-pt smmuv3 smmuv3-nested)
#
# Variables passed through to tests/vm/run-suites: VM_SHAPES, VM_SUITES, VM_JOBS, VM_TIMEOUT,
# VM_ACCEL, IOMMUCTL_VM_CACHE (default /var/cache/iommuctl-vm, outside the clone).

BUILD ?= build
IOMMUCTL ?= $(BUILD)/iommuctl
VM_TESTS_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
SHAPE ?= intel

.PHONY: vm-kernel vm-shell check-vm

vm-kernel:
	@$(VM_TESTS_DIR)build-kernel
	@$(VM_TESTS_DIR)build-stock

vm-shell: $(IOMMUCTL)
	IOMMUCTL=$(abspath $(IOMMUCTL)) $(VM_TESTS_DIR)run-vm --shell $(SHAPE) $(abspath $(BUILD))/vm/shell-$(SHAPE)

check-vm: $(IOMMUCTL)
	IOMMUCTL=$(abspath $(IOMMUCTL)) VM_OUT=$(abspath $(BUILD))/vm $(VM_TESTS_DIR)run-suites
