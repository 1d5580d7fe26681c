// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smmu-nest DEVICE: how far nesting goes on a real (emulated) ARM SMMUv3, for
 * tests/bats/vm/smmuv3.bats.  DEVICE is a PCI device on vfio-pci behind the
 * SMMU (the harness' edu).
 *
 * Through one iommufd session (src/lib/iommufd.h) it asks the kernel, step by
 * step, for what a VMM needs to give a guest a nested SMMUv3:
 *
 *   paging       a paging HWPT over an IOAS (the kernel's own stage 1 or 2)
 *   nest_parent  a NEST_PARENT paging HWPT: a stage 2 (the driver wants both
 *                stages: IDR0.S1P and IDR0.S2P)
 *   viommu       an ARM SMMUv3 vIOMMU over that parent (the driver also wants
 *                IDR3.FWB, or a CANWBS root complex, which only IORT can say)
 *   vdevice      the device in the vIOMMU with a virtual StreamID
 *   nested       a nested HWPT over the vIOMMU whose vSTE is valid, Config
 *                "bypass" (stage 1 bypassed, stage 2 is the parent)
 *   attach       the device attached to it
 *
 * Each step runs only if the one before it worked, and prints "STEP=ok" or
 * "STEP.error=ERRNONAME message" (the library's message, naming the ioctl);
 * a step not tried prints "STEP=not-tried".  It also prints the registers the
 * kernel's IOMMU_GET_HW_INFO returned, as "hw.idrN=0x..." lines.  Then the
 * session destroys everything ("destroy=ok").
 *
 * Exit status: 0 it ran (the kernel's refusals are results, not failures),
 * 1 a step that is not the kernel's choice failed (open, bind, IOAS, hw_info,
 * destroy), 2 usage, 3 no /dev/iommu.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "iommufd.h"

#define VSID 0x42	/* the device's StreamID in the guest's eyes */
#define STE0_V 1ull	/* STE word 0: valid (bit 0), Config in bits 3:1 */
#define STE0_CFG_BYPASS (4ull << 1)

struct nest {
	struct ictl_ctx *ctx;
	struct ictl_iommufd *s;
	uint32_t dev, ioas, paging, parent, viommu, vdev, nested;
};

/* Print the step's result; returns r (0 or -errno). */
static int report(struct nest *n, const char *step, int r)
{
	if (r < 0)
		printf("%s.error=%s %s\n", step, strerrorname_np(-r), ictl_strerror(n->ctx));
	else
		printf("%s=ok\n", step);
	return r;
}

static void not_tried(const char *const *steps)
{
	for (; *steps; steps++)
		printf("%s=not-tried\n", *steps);
}

static int hw_info(struct nest *n)
{
	struct ictl_iommufd_hw_info hi;
	struct ictl_iommu_hw_info_arm_smmuv3 h;
	int r = ictl_iommufd_get_hw_info(n->s, n->dev, 0, &hi);

	if (r < 0)
		return report(n, "hw_info", r);
	printf("hw.type=%u\n", hi.type);
	if (hi.type != ICTL_IOMMU_HW_INFO_TYPE_ARM_SMMUV3 || hi.data_len < sizeof(h))
		return 0;
	memcpy(&h, hi.data, sizeof(h));
	for (int i = 0; i < 6; i++)
		printf("hw.idr%d=0x%08x\n", i, h.idr[i]);
	printf("hw.iidr=0x%08x\nhw.aidr=0x%08x\n", h.iidr, h.aidr);
	return 0;
}

/* The kernel's choices, one after the other; the steps after a refusal are not tried. */
static void nesting(struct nest *n)
{
	static const char *const later[] = { "viommu", "vdevice", "nested", "attach", NULL };
	struct ictl_iommu_hwpt_arm_smmuv3 vste = { .ste = { STE0_V | STE0_CFG_BYPASS, 0 } };
	struct ictl_hwpt_spec spec = { .dev_id = n->dev, .pt_id = n->ioas };
	const struct ictl_hwpt_spec nested = { .dev_id = n->dev, .data = &vste,
					       .data_type = ICTL_IOMMU_HWPT_DATA_ARM_SMMUV3,
					       .data_len = sizeof(vste) };
	int step = 0, r;
	uint32_t pt;

	report(n, "paging", ictl_hwpt_alloc(n->s, "paging", &spec, &n->paging));
	spec.flags = ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT;
	r = report(n, "nest_parent", ictl_hwpt_alloc(n->s, "parent", &spec, &n->parent));
	if (!r && ++step)
		r = report(n, "viommu", ictl_viommu_alloc(n->s, "viommu",
							  ICTL_IOMMU_VIOMMU_TYPE_ARM_SMMUV3, n->dev,
							  n->parent, NULL, 0, &n->viommu));
	if (!r && ++step)
		r = report(n, "vdevice", ictl_vdevice_alloc(n->s, "vdev", n->viommu, n->dev, VSID,
							    &n->vdev));
	if (!r && ++step) {
		spec = nested;
		spec.pt_id = n->viommu;
		r = report(n, "nested", ictl_hwpt_alloc(n->s, "nested", &spec, &n->nested));
	}
	if (!r && ++step) {
		pt = n->nested;
		r = report(n, "attach", ictl_dev_attach(n->s, n->dev, ICTL_NO_PASID, &pt));
	}
	if (r < 0)
		not_tried(later + step);
}

int main(int argc, char **argv)
{
	struct nest n = { 0 };
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: smmu-nest DEVICE\n");
		return 2;
	}
	if (ictl_ctx_new(&n.ctx, NULL) < 0) {
		fprintf(stderr, "smmu-nest: %s\n", ictl_strerror(n.ctx));
		return 1;
	}
	if (ictl_iommufd_open(n.ctx, &n.s) < 0) {
		printf("iommufd=missing\n");
		ictl_ctx_free(n.ctx);
		return 3;
	}
	r = report(&n, "bind", ictl_dev_bind(n.s, "edu", argv[1], &n.dev));
	if (!r)
		r = report(&n, "ioas", ictl_ioas_alloc(n.s, "ioas", &n.ioas));
	if (!r)
		r = hw_info(&n);
	if (!r)
		nesting(&n);
	if (!r)
		r = report(&n, "destroy", ictl_iommufd_destroy_all(n.s));
	ictl_iommufd_free(n.s);
	ictl_ctx_free(n.ctx);
	return r < 0 ? 1 : 0;
}
