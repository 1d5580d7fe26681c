// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event queues of an iommufd (see held.h): vEVENTQ records (a header, then
 * the vendor's data, whose length the queue's type says), IO page fault
 * records, and the responses to faults.  The fds are non-blocking reads after
 * poll, so a wait is always bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "held.h"
#include "internal.h"

size_t ictl_vevent_data_len(uint32_t type)
{
	switch (type) {
	case ICTL_IOMMU_VEVENTQ_TYPE_SELFTEST:
		return sizeof(uint32_t);
	case ICTL_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3:
		return sizeof(struct ictl_iommu_vevent_arm_smmuv3);
	case ICTL_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV:
		return sizeof(struct ictl_iommu_vevent_tegra241_cmdqv);
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The vEVENTs in buf (n bytes) into out; how many. */
static size_t split_vevents(const uint8_t *buf, size_t n, size_t dlen, struct ictl_held_event *out,
			    size_t max)
{
	size_t k = 0, off = 0;

	while (k < max && off + sizeof(struct ictl_iommufd_vevent_header) <= n) {
		struct ictl_iommufd_vevent_header hdr;
		struct ictl_held_event *e = &out[k++];

		memcpy(&hdr, buf + off, sizeof(hdr));
		off += sizeof(hdr);
		memset(e, 0, sizeof(*e));
		e->flags = hdr.flags;
		e->sequence = hdr.sequence;
		if (hdr.flags & ICTL_IOMMU_VEVENTQ_FLAG_LOST_EVENTS || off + dlen > n)
			continue;	/* the lost-events header has no data */
		e->len = (uint32_t)dlen;
		memcpy(e->data, buf + off, dlen);
		off += dlen;
	}
	return k;
}

/* One read of what is there now: records into out (at most max); 0 when none, or -errno. */
static ssize_t read_once(struct ictl_ctx *ctx, int fd, enum ictl_obj_kind kind, size_t dlen,
			 struct ictl_held_event *out, size_t max)
{
	size_t rec = kind == ICTL_OBJ_FAULT ? sizeof(struct ictl_iommu_hwpt_pgfault) :
					     sizeof(struct ictl_iommufd_vevent_header) + dlen;
	/* a fault group is read whole: room for 64 faults, however few are asked for */
	size_t cap = kind == ICTL_OBJ_FAULT && max < 64 ? 64 : max;
	_cleanup_free_ uint8_t *buf = calloc(cap, rec);
	ssize_t n;
	size_t k = 0;

	if (!buf)
		return ictl_err(ctx, ENOMEM, "events: out of memory");
	n = read(fd, buf, cap * rec);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		return ictl_err_kernel(ctx, errno, "reading the %s: %s", ictl_obj_kind_name(kind),
				       strerror(errno));
	if (kind == ICTL_OBJ_VEVENTQ)
		return (ssize_t)split_vevents(buf, (size_t)n, dlen, out, max);
	for (; k < max && (k + 1) * rec <= (size_t)n; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		out[k].fault = true;
		memcpy(&out[k].pf, buf + k * rec, rec);
	}
	return (ssize_t)k;
}

int ictl_queue_read(struct ictl_ctx *ctx, int fd, enum ictl_obj_kind kind, uint32_t type,
		    size_t min, size_t max, int timeout_ms, struct ictl_held_event *out)
{
	size_t dlen = kind == ICTL_OBJ_VEVENTQ ? ictl_vevent_data_len(type) : 0, got = 0;
	long long end = now_ms() + timeout_ms;

	if (kind != ICTL_OBJ_FAULT && kind != ICTL_OBJ_VEVENTQ)
		return ictl_err(ctx, EINVAL, "a %s has no events: give a fault_queue or a veventq",
				ictl_obj_kind_name(kind));
	if (kind == ICTL_OBJ_VEVENTQ && !dlen)
		return ictl_err(ctx, EOPNOTSUPP, "vEVENTQ type %#x: no decoder for its events", type);
	if (!max || min > max)
		return ictl_err(ctx, EINVAL, "events: read at least %zu, at most %zu", min, max);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - now_ms();
		ssize_t n;
		int r;

		n = read_once(ctx, fd, kind, dlen, out + got, max - got);
		if (n < 0)
			return (int)n;
		got += (size_t)n;
		if (got == max || (got >= min && n == 0))
			return (int)got;
		/* enough, but there may be more: read again at once (an empty queue does not
		 * wake poll, so waiting here would sit out the whole timeout) */
		if (got >= min)
			continue;
		if (left <= 0) {
			ictl_err(ctx, ETIME, "%zu of %zu %s in %d ms: the time ran out", got, min,
				 kind == ICTL_OBJ_FAULT ? "faults" : "events", timeout_ms);
			return (int)got;
		}
		r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r < 0 && errno != EINTR)
			return ictl_err(ctx, errno, "waiting for events: %s", strerror(errno));
		if (r > 0 && p.revents & (POLLERR | POLLHUP | POLLNVAL))
			return ictl_err(ctx, EIO, "the %s's fd reports an error (%#x)",
					ictl_obj_kind_name(kind), (unsigned int)p.revents);
	}
}

int ictl_fault_respond(struct ictl_ctx *ctx, int fd, uint32_t cookie, uint32_t code)
{
	struct ictl_iommu_hwpt_page_response resp = { .cookie = cookie, .code = code };
	ssize_t n;

	if (code != ICTL_IOMMUFD_PAGE_RESP_SUCCESS && code != ICTL_IOMMUFD_PAGE_RESP_INVALID)
		return ictl_err(ctx, EINVAL,
				"response code %u: the iommufd uAPI answers a fault with success (0) or invalid (1) only",
				code);
	n = write(fd, &resp, sizeof(resp));
	if (n < 0)
		return ictl_err_kernel(ctx, errno,
				       "answering fault cookie %u: %s%s", cookie, strerror(errno),
				       errno == EINVAL ? " (no fault group with that cookie is waiting: read it first with 'held events')" : "");
	if (n != (ssize_t)sizeof(resp))
		return ictl_err_kernel(ctx, EIO, "answering fault cookie %u: a short write", cookie);
	return 0;
}
