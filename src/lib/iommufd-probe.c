// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the kernel behind a session knows, asked of the kernel: which iommufd
 * ioctls it has, and which HWPT_ALLOC flags a device's IOMMU takes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "iommufd-internal.h"

static const struct {
	const char *name;
	unsigned long req;
	size_t size;
} cmds[ICTL_IOMMUFD_NCMDS] = {
#define CMD(X, S) [ICTL_IOMMUFD_CMD_##X - ICTL_IOMMUFD_CMD_BASE] = \
	{ #X, ICTL_IOMMU_##X, sizeof(struct ictl_iommu_##S) }
	CMD(DESTROY, destroy),
	CMD(IOAS_ALLOC, ioas_alloc),
	CMD(IOAS_ALLOW_IOVAS, ioas_allow_iovas),
	CMD(IOAS_COPY, ioas_copy),
	CMD(IOAS_IOVA_RANGES, ioas_iova_ranges),
	CMD(IOAS_MAP, ioas_map),
	CMD(IOAS_UNMAP, ioas_unmap),
	CMD(OPTION, option),
	CMD(VFIO_IOAS, vfio_ioas),
	CMD(HWPT_ALLOC, hwpt_alloc),
	[ICTL_IOMMUFD_CMD_GET_HW_INFO - ICTL_IOMMUFD_CMD_BASE] =
		{ "GET_HW_INFO", ICTL_IOMMU_GET_HW_INFO, sizeof(struct ictl_iommu_hw_info) },
	CMD(HWPT_SET_DIRTY_TRACKING, hwpt_set_dirty_tracking),
	CMD(HWPT_GET_DIRTY_BITMAP, hwpt_get_dirty_bitmap),
	CMD(HWPT_INVALIDATE, hwpt_invalidate),
	[ICTL_IOMMUFD_CMD_FAULT_QUEUE_ALLOC - ICTL_IOMMUFD_CMD_BASE] =
		{ "FAULT_QUEUE_ALLOC", ICTL_IOMMU_FAULT_QUEUE_ALLOC, sizeof(struct ictl_iommu_fault_alloc) },
	CMD(IOAS_MAP_FILE, ioas_map_file),
	CMD(VIOMMU_ALLOC, viommu_alloc),
	CMD(VDEVICE_ALLOC, vdevice_alloc),
	CMD(IOAS_CHANGE_PROCESS, ioas_change_process),
	CMD(VEVENTQ_ALLOC, veventq_alloc),
	CMD(HW_QUEUE_ALLOC, hw_queue_alloc),
	CMD(IOAS_NOIOMMU_GET_PA, ioas_noiommu_get_pa),
#undef CMD
};

const char *ictl_iommufd_cmd_name(unsigned int nr)
{
	if (nr < ICTL_IOMMUFD_CMD_BASE || nr - ICTL_IOMMUFD_CMD_BASE >= ARRAY_SIZE(cmds))
		return NULL;
	return cmds[nr - ICTL_IOMMUFD_CMD_BASE].name;
}

const char *ictl_hwpt_flag_name(unsigned int bit)
{
	static const char *const names[] = { "NEST_PARENT", "DIRTY_TRACKING", "FAULT_ID_VALID",
					     "PASID" };

	return bit < ARRAY_SIZE(names) ? names[bit] : NULL;
}

/*
 * Every byte after size set to 0xff: flags and __reserved non-zero, ids that
 * cannot exist, op codes out of range.  No command can succeed like that, so
 * nothing is created; a known ioctl fails with EOPNOTSUPP, ENOENT, EINVAL,
 * E2BIG (an older kernel) and the like, an unknown one with ENOTTY.
 */
static bool ioctl_known(struct ictl_iommufd *s, unsigned int i)
{
	union {
		uint32_t size;
		uint8_t bytes[128];
	} buf;

	memset(&buf, 0xff, sizeof(buf));
	buf.size = (uint32_t)cmds[i].size;
	return iofd_ioctl(s, s->fd, cmds[i].req, &buf) != -ENOTTY;
}

/* Try each HWPT_ALLOC flag on the device over the IOAS; destroy what was made. */
static int probe_hwpt_flags(struct ictl_iommufd *s, uint32_t dev_id, uint32_t ioas_id,
			    struct ictl_iommufd_features *out)
{
	static const uint32_t flags[] = { ICTL_IOMMU_HWPT_ALLOC_NEST_PARENT,
					  ICTL_IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					  ICTL_IOMMU_HWPT_ALLOC_PASID };

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct ictl_hwpt_spec spec = { .dev_id = dev_id, .pt_id = ioas_id, .flags = flags[i] };
		unsigned int bit = (unsigned int)__builtin_ctz(flags[i]);
		uint32_t hwpt;
		int r = ictl_hwpt_alloc(s, NULL, &spec, &hwpt);

		if (r == 0) {
			out->hwpt_flags_ok |= flags[i];
			r = ictl_iommufd_destroy(s, hwpt);
			if (r < 0)
				return r;
			continue;
		}
		if (r == -ENOENT)	/* no such device or IOAS: not an answer about the flag */
			return r;
		out->hwpt_flags_refused |= flags[i];
		out->hwpt_flag_err[bit] = -r;
	}
	s->ctx->err[0] = '\0';
	return 0;
}

int ictl_iommufd_probe(struct ictl_iommufd *s, uint32_t dev_id, uint32_t ioas_id,
		       struct ictl_iommufd_features *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		if (ioctl_known(s, i))
			out->ioctls |= 1u << i;
	if (!(out->ioctls & 1))
		return ictl_err(s->ctx, ENOTTY,
				"iommufd %d does not answer IOMMU_DESTROY: not an iommufd", s->fd);
	if (!dev_id)
		return 0;
	return probe_hwpt_flags(s, dev_id, ioas_id, out);
}
