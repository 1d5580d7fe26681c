// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: what a host says about the devices a spec names, for
 * ictl_spec_check(): each device, its group's reserved regions, its IOMMU's
 * registers and capabilities; whether mock devices can be made; which
 * iommufd ioctls the kernel has.  Read through the sysroot seam, so a
 * captured tree answers as the machine it came from.  Nothing is changed: a
 * device on vfio-pci is bound to a fresh iommufd only for as long as
 * `iommuctl caps` would.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "iommufd.h"
#include "spec-internal.h"
#include "vendor.h"

/* The device's IOMMU: iommufd first, then what sysfs shows; a note when neither answers. */
static void read_hw(struct ictl_ctx *ctx, struct ictl_spec_env_dev *e, const struct ictl_hw_info *hi)
{
	if (hi) {
		e->hi = hi;
		if (ictl_caps_from_hw_info(ctx, hi, &e->own_caps) < 0)
			snprintf(e->note, sizeof(e->note), "%s", ictl_strerror(ctx));
		else
			e->caps = &e->own_caps;
		return;
	}
	/* Without /dev/iommu the first query reads sysfs already. */
	if (ictl_caps_query(ctx, &e->own_dev, false, &e->own_hi, &e->own_caps) < 0) {
		char first[400];
		bool iommufd = sysfs_exists(ctx, "dev/iommu");

		str_copy(first, ictl_strerror(ctx), sizeof(first));
		if (!iommufd ||
		    ictl_caps_query(ctx, &e->own_dev, true, &e->own_hi, &e->own_caps) < 0) {
			/* (hw-info's own advice, binding by hand, is not what a spec's user needs) */
			if (iommufd && !e->own_dev.vfio_dev[0])
				snprintf(e->note, sizeof(e->note),
					 "%s is %s%s, not on vfio-pci, and sysfs does not show its IOMMU's registers: iommufd is asked through the device's VFIO cdev, so claim it first ('iommuctl claim %s') for iommufd to be asked",
					 e->own_dev.name,
					 e->own_dev.driver[0] ? "bound to " : "without a driver",
					 e->own_dev.driver, e->own_dev.name);
			else
				snprintf(e->note, sizeof(e->note), "%s (give --hw-info FILE --type TYPE)",
					 first);
			return;
		}
	}
	e->hi = &e->own_hi;
	if (e->own_hi.type == ICTL_IOMMU_HW_INFO_TYPE_NONE)
		snprintf(e->note, sizeof(e->note), "its IOMMU (%s) reports no hardware information",
			 e->own_dev.iommu);
	else
		e->caps = &e->own_caps;
}

static int read_device(struct ictl_ctx *ctx, const struct ictl_spec_device *d,
		       struct ictl_spec_env_dev *e, const struct ictl_hw_info *hi)
{
	int r = ictl_device_read(ctx, d->device, &e->own_dev);

	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT) {
		e->missing = true;
		return 0;
	}
	if (r < 0) {
		snprintf(e->note, sizeof(e->note), "%s", ictl_strerror(ctx));
		e->damaged = true;
		return 0;
	}
	e->dev = &e->own_dev;
	if (e->own_dev.group >= 0) {
		r = ictl_group_read(ctx, (unsigned int)e->own_dev.group, &e->own_group);
		if (r == -ENOMEM)
			return r;
		if (!r)
			e->group = &e->own_group;
		else {
			/* (the group's messages name the group) */
			snprintf(e->note, sizeof(e->note), "%s", ictl_strerror(ctx));
			e->damaged = true;
		}
	}
	if (e->own_dev.iommu[0] && e->own_dev.group >= 0 && !e->note[0])
		read_hw(ctx, e, hi);
	return 0;
}

/* CONFIG_IOMMUFD_TEST registers the mock's IOMMU unit (iommufd_selftest_iommu.N). */
static void read_mock(struct ictl_ctx *ctx, struct ictl_spec_env *env)
{
	struct ictl_unit_list units;

	env->mock = ICTL_NO;
	if (ictl_units_scan(ctx, &units) < 0) {
		snprintf(env->mock_note, sizeof(env->mock_note), "%s", ictl_strerror(ctx));
		return;
	}
	for (size_t i = 0; i < units.n; i++) {
		if (units.v[i].vendor && !strcmp(units.v[i].vendor->kind, "selftest"))
			env->mock = ICTL_YES;
	}
	ictl_unit_list_clear(&units);
	if (env->mock == ICTL_NO)
		snprintf(env->mock_note, sizeof(env->mock_note),
			 "%s has no iommufd_selftest_iommu unit in /sys/class/iommu",
			 ictl_is_live(ctx) ? "this system" : ictl_root(ctx));
}

/* Live only: which ioctls /dev/iommu answers (a capture has an empty file there). */
static void read_ioctls(struct ictl_ctx *ctx, struct ictl_spec_env *env)
{
	_cleanup_iommufd_ struct ictl_iommufd *s = NULL;
	struct ictl_iommufd_features f;

	if (!ictl_is_live(ctx))
		return;
	if (ictl_iommufd_open(ctx, &s) < 0)
		return;
	if (!ictl_iommufd_probe(s, 0, 0, &f)) {
		env->have_ioctls = true;
		env->ioctls = f.ioctls;
	}
}

int ictl_spec_env_read(struct ictl_ctx *ctx, const struct ictl_spec *s,
		       const struct ictl_hw_info *hi, struct ictl_spec_env *env)
{
	bool mocks = false;

	memset(env, 0, sizeof(*env));
	env->mock = ICTL_UNKNOWN;
	env->missing_is_warning = hi != NULL;
	env->devs = calloc(s->ndevices + 1, sizeof(*env->devs));
	if (!env->devs)
		return ictl_err(ctx, ENOMEM, "out of memory reading the host");
	env->ndevs = s->ndevices;
	for (size_t i = 0; i < s->ndevices; i++) {
		int r = 0;

		if (s->devices[i].mock)
			mocks = true;
		else
			r = read_device(ctx, &s->devices[i], &env->devs[i], hi);
		if (r < 0)
			return ictl_err(ctx, ENOMEM, "out of memory reading the host");
	}
	if (mocks)
		read_mock(ctx, env);
	read_ioctls(ctx, env);
	return 0;
}

void ictl_spec_env_clear(struct ictl_spec_env *env)
{
	for (size_t i = 0; env->devs && i < env->ndevs; i++) {
		struct ictl_spec_env_dev *e = &env->devs[i];

		ictl_device_clear(&e->own_dev);
		ictl_group_clear(&e->own_group);
		ictl_hw_info_clear(&e->own_hi);
	}
	free(env->devs);
	memset(env, 0, sizeof(*env));
}
