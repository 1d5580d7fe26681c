// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor, devices: for each DEVICE or GROUP argument, its group (a claim
 * takes the whole group), whether the platform lets that group split (the
 * ACS verdict of ictl_explain_group), and whether it can be claimed now: the
 * plan of a claim (ictl_claim_plan) with its in-use checks, and the members
 * on DMA-API drivers (ictl_group_blockers).  A plan is only read, never
 * applied: nothing is changed, nothing locked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "doctor-internal.h"

#define BLOCKERS_MAX 16

/*
 * The group of a target.  When there is none, the group check fails with the
 * library's message and the others skip (returns 1); -ENOMEM.
 */
static int target_group(struct doctor_run *run, struct ictl_check *c, unsigned int *g)
{
	int r = ictl_own_resolve(run->ctx, c->subject, g);

	if (r == -ENOMEM)
		return r;
	if (r >= 0)
		return 0;
	doc_read(c, "/sys/kernel/iommu_groups");
	if (strcmp(c->id, "group")) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "no group to check (see group)");
		return 1;
	}
	c->status = ICTL_CHECK_FAIL;
	doc_found(c, "%s", ictl_strerror(run->ctx));
	if (r == -ENODEV && !run->nhw_units)
		doc_fix(c, "make an IOMMU active first (see iommu)");
	else if (r == -ENOENT)
		doc_fix(c, "'iommuctl devices' and 'iommuctl groups' list what there is");
	return 1;
}

static int scan_devices(struct doctor_run *run)
{
	if (!run->devs_read) {
		run->devs_read = true;
		run->devs_err = ictl_devices_scan(run->ctx, &run->devs);
	}
	return run->devs_err;
}

static bool is_bridge_dev(const struct ictl_device *d)
{
	return ictl_device_is_bridge(d) || !strcmp(d->driver, "pcieport");
}

/* Endpoints of the group other than the target device: "0000:01:00.1 (e1000e), ...". */
static size_t other_endpoints(struct doctor_run *run, const struct ictl_group *g,
			      const char *target, char *buf, size_t len)
{
	size_t n = 0, off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->ndevices; i++) {
		const struct ictl_device *d = ictl_device_find(&run->devs, g->devices[i]);

		if (!strcmp(g->devices[i], target) || (d && is_bridge_dev(d)))
			continue;
		n++;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)", off ? ", " : "",
						g->devices[i], d && d->driver[0] ? d->driver : "no driver");
	}
	return n;
}

static int with_group(struct doctor_run *run, struct ictl_check *c, struct ictl_group *g)
{
	unsigned int id;
	int r = target_group(run, c, &id);

	if (r)
		return r;
	r = ictl_group_read(run->ctx, id, g);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		c->status = ICTL_CHECK_FAIL;
		doc_found(c, "%s", ictl_strerror(run->ctx));
		return 1;
	}
	r = scan_devices(run);
	if (r == -ENOMEM) {
		ictl_group_clear(g);
		return r;
	}
	return 0;
}

int doc_check_dev_group(struct doctor_run *run, struct ictl_check *c)
{
	struct ictl_group g;
	char others[320], members[320] = "";
	bool is_group = strspn(c->subject, "0123456789") == strlen(c->subject);
	size_t n;
	int r = with_group(run, c, &g);

	if (r)
		return r < 0 ? r : 0;
	doc_read(c, "/sys/kernel/iommu_groups");
	n = other_endpoints(run, &g, is_group ? "" : c->subject, others, sizeof(others));
	for (size_t i = 0, off = 0; i < g.ndevices && off < sizeof(members); i++)
		off += (size_t)snprintf(members + off, sizeof(members) - off, "%s%s", i ? ", " : "",
					g.devices[i]);
	doc_found(c, "group %u (%s): %s", g.id, g.type, members);
	if (is_group || !n) {
		c->status = ICTL_CHECK_OK;
		if (!is_group)
			doc_found_add(c, "no other endpoint shares it");
	} else {
		c->status = ICTL_CHECK_WARN;
		doc_found_add(c, "a claim takes the whole group: %s go%s to vfio-pci too", others,
			      n == 1 ? "es" : "");
		doc_fix(c, "pass every endpoint of group %u to the VM, or separate them (see isolation)",
			g.id);
	}
	ictl_group_clear(&g);
	return 0;
}

/* The finding about the target (a device), or the first that is not "alone" (a group). */
static const struct ictl_finding *pick_finding(const struct ictl_explain *e, const char *subject)
{
	const struct ictl_finding *any = NULL;

	for (size_t i = 0; i < e->nfindings; i++) {
		if (!strcmp(e->findings[i].device, subject))
			return &e->findings[i];
		if (!any && e->findings[i].kind != ICTL_FIND_ALONE)
			any = &e->findings[i];
	}
	return any ? any : e->nfindings ? &e->findings[0] : NULL;
}

static void isolation_verdict(struct doctor_run *run, struct ictl_check *c,
			      const struct ictl_group *g, const struct ictl_finding *f)
{
	switch (f->kind) {
	case ICTL_FIND_ALONE:
		c->status = ICTL_CHECK_OK;
		doc_found(c, "%s", f->message);
		return;
	case ICTL_FIND_CONFIG_UNREADABLE:
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "%s", f->message);
		return;
	case ICTL_FIND_NOT_PCI:
		c->status = ICTL_CHECK_WARN;
		doc_found(c, "%s", f->message);
		doc_fix(c, "pass the whole group %u", g->id);
		return;
	case ICTL_FIND_UNEXPLAINED:
		c->status = ICTL_CHECK_WARN;
		doc_found(c, "%s", f->message);
		doc_fix(c, "pass the whole group %u; 'iommuctl explain %u' shows the PCI path", g->id, g->id);
		return;
	default:
		break;
	}
	c->status = ICTL_CHECK_WARN;
	doc_found(c, "the platform does not let group %u split: %s", g->id, f->message);
	if (f->kind == ICTL_FIND_UPSTREAM_NO_ACS)
		doc_fix(c, "move the card to a slot whose root port or switch port has ACS (%s has none enabled), or pass the whole group %u",
			f->link, g->id);
	else if (f->kind == ICTL_FIND_MULTIFUNCTION)
		doc_fix(c, "pass all functions of the device (group %u) to the same VM", g->id);
	else
		doc_fix(c, "devices behind a PCIe-to-PCI or PCI bridge cannot be separated: pass the whole group %u",
			g->id);
	(void)run;
}

int doc_check_dev_isolation(struct doctor_run *run, struct ictl_check *c)
{
	struct ictl_explain e;
	struct ictl_group g;
	const struct ictl_finding *f;
	int r = with_group(run, c, &g);

	if (r)
		return r < 0 ? r : 0;
	doc_read(c, "/sys/bus/pci/devices/*/config (ACS, PCI Express capability)");
	if (run->devs_err < 0) {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "the devices could not be read: %s", ictl_strerror(run->ctx));
		ictl_group_clear(&g);
		return 0;
	}
	r = ictl_explain_group(run->ctx, &g, &run->devs, &e);
	if (r == -ENOMEM) {
		ictl_group_clear(&g);
		return r;
	}
	f = r < 0 ? NULL : pick_finding(&e, c->subject);
	if (f) {
		isolation_verdict(run, c, &g, f);
	} else {
		c->status = ICTL_CHECK_SKIP;
		doc_found(c, "%s", r < 0 ? ictl_strerror(run->ctx) : "nothing to explain");
	}
	if (r >= 0)
		ictl_explain_clear(&e);
	ictl_group_clear(&g);
	return 0;
}

/* The members on DMA-API drivers now (ictl_group_blockers): the group is not viable for VFIO. */
static void blockers_found(struct doctor_run *run, struct ictl_check *c, unsigned int id)
{
	struct ictl_blocker b[BLOCKERS_MAX];
	struct ictl_group g;
	char list[320] = "";
	size_t off = 0;
	int n;

	if (ictl_group_read(run->ctx, id, &g) < 0 || run->devs_err < 0)
		return;
	n = ictl_group_blockers(&g, &run->devs, b, BLOCKERS_MAX);
	ictl_group_clear(&g);
	for (int i = 0; i < n && i < BLOCKERS_MAX && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s (%s)", i ? ", " : "",
					b[i].device, b[i].driver);
	if (n > 0)
		doc_found_add(c, "not viable for VFIO now: %s use%s the kernel's DMA API", list,
			      n == 1 ? "s" : "");
}

/* "'iommuctl claim 9' would bind 0000:01:00.0, 0000:01:00.1 to vfio-pci (8 steps)" */
static void plan_found(struct ictl_check *c, const struct ictl_own_plan *p)
{
	char list[320] = "";
	size_t off = 0;

	if (!p->nsteps) {
		doc_found(c, "already claimed: every endpoint of group %u is on a VFIO driver", p->group);
		return;
	}
	for (size_t i = 0; i < p->nmembers && off < sizeof(list); i++) {
		const struct ictl_own_member *m = &p->members[i];

		if (!m->bridge && strcmp(m->driver, p->target))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", off ? ", " : "",
						m->device);
	}
	doc_found(c, "'iommuctl claim %u' would bind %s to %s (%zu step%s%s)", p->group, list,
		  p->target, p->nsteps, p->nsteps == 1 ? "" : "s",
		  p->steps[0].kind == ICTL_STEP_MODPROBE ? ", loading the module first" : "");
}

static void claim_busy(struct ictl_check *c, const struct ictl_own_plan *p)
{
	bool forceable = true;

	c->status = ICTL_CHECK_FAIL;
	for (size_t i = 0; i < p->nbusy; i++) {
		doc_found_add(c, "in use: %s: %s", p->busy[i].device, p->busy[i].reason);
		forceable &= p->busy[i].forceable;
	}
	doc_fix(c, "free %s first (the reasons above say how)%s", p->nbusy == 1 ? "it" : "them",
		forceable ? ", or claim with --force, which takes the devices from their users" :
			    "; a process holding a VFIO device must close it: --force does not override that");
}

int doc_check_dev_claim(struct doctor_run *run, struct ictl_check *c)
{
	struct ictl_own_plan p;
	unsigned int id;
	int r = target_group(run, c, &id);

	if (r)
		return r < 0 ? r : 0;
	doc_read(c, "/sys/kernel/iommu_groups");
	doc_read(c, "/sys/bus/pci/devices/*/driver");
	doc_read(c, "/sys/class/net");
	doc_read(c, "/proc/self/mountinfo");
	doc_read(c, "/proc/*/fd");
	scan_devices(run);
	r = ictl_claim_plan(run->ctx, id, "vfio-pci", &p);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		c->status = ICTL_CHECK_FAIL;
		doc_found(c, "%s", ictl_strerror(run->ctx));
		return 0;
	}
	c->status = ICTL_CHECK_OK;
	plan_found(c, &p);
	blockers_found(run, c, id);
	if (p.nbusy)
		claim_busy(c, &p);
	ictl_own_plan_clear(&p);
	return 0;
}
