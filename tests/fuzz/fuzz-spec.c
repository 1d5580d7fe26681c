// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the spec parser and checks: the bytes as a spec file
 * (ictl_spec_parse), then, when they parse, ictl_spec_check() without a host
 * and against a made-up host whose every device is behind one VT-d IOMMU of
 * QEMU's (reserved regions, capabilities, the vendor's nested-data checks).
 * Nothing is opened: the context's root is never read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "spec.h"
#include "uapi/iommufd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ictl_ctx *ctx;
static struct ictl_hw_info hi;
static struct ictl_caps caps;
static struct ictl_resv_region resv[] = { { 0xfee00000, 0xfeefffff, "msi" },
					  { 0x3e2e8000, 0x3e2f7fff, "direct" },
					  { 0x0, 0xffffff, "direct-relaxable" } };
static struct ictl_group group = { .id = 2, .nresv = 3, .resv = resv };
static struct ictl_device dev = { .name = "0000:00:02.0", .iommu = "dmar0", .group = 2 };

static void setup(void)
{
	/* QEMU's intel-iommu in scalable mode with nesting (cap, ecap as tests/bats/apply.bats). */
	const uint64_t cap = 0xd2008c22260286ULL | 1ULL << 56;
	const uint64_t ecap = 0x480080f00f4aULL | 1ULL << 26 | 1ULL << 47 | 1ULL << 40;
	uint8_t blob[24] = { 0 };

	for (int i = 0; i < 8; i++) {
		blob[8 + i] = (uint8_t)(cap >> (8 * i));
		blob[16 + i] = (uint8_t)(ecap >> (8 * i));
	}
	if (ictl_ctx_new(&ctx, "/") < 0 ||
	    ictl_hw_info_decode(ctx, ICTL_IOMMU_HW_INFO_TYPE_INTEL_VTD, blob, sizeof(blob), &hi) < 0 ||
	    ictl_caps_from_hw_info(ctx, &hi, &caps) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ictl_spec_findings f;
	struct ictl_spec_env env = { .mock = ICTL_NO, .have_ioctls = true, .ioctls = 0x7fff };
	struct ictl_spec s;

	if (!ctx)
		setup();
	if (size > ICTL_SPEC_MAX_BYTES)
		return 0;
	if (ictl_spec_parse(ctx, "fuzz.yaml", (const char *)data, size, &s) == 0) {
		if (ictl_spec_check(ctx, &s, NULL, &f) == 0)
			ictl_spec_findings_clear(&f);
		env.ndevs = s.ndevices;
		env.devs = calloc(s.ndevices + 1, sizeof(*env.devs));
		for (size_t i = 0; env.devs && i < s.ndevices; i++) {
			env.devs[i].missing = i % 5 == 4;
			env.devs[i].dev = &dev;
			env.devs[i].group = &group;
			env.devs[i].hi = &hi;
			env.devs[i].caps = &caps;
		}
		if (env.devs && ictl_spec_check(ctx, &s, &env, &f) == 0)
			ictl_spec_findings_clear(&f);
		free(env.devs);
	}
	ictl_spec_clear(&s);
	return 0;
}
