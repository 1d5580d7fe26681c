// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plan of a claim or release: every endpoint of the group moves between
 * its kernel driver and a VFIO driver; bridges and ports stay.  A plan holds
 * the members with their wanted state, the steps (driver_override, unbind,
 * probe, verify; modprobe first when the target driver is missing) and the
 * in-use findings.  Running it is owner-txn.c's job.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "owner-inuse.h"
#include "owner-members.h"
#include "owner-plan.h"

/* --- steps ----------------------------------------------------------------- */

static int push_step(struct ictl_own_plan *p, enum ictl_step_kind k, size_t member,
		     const char *value)
{
	struct ictl_step *s = array_push(&p->steps, &p->nsteps, sizeof(*p->steps));

	if (!s)
		return -ENOMEM;
	s->kind = k;
	s->member = member;
	str_copy(s->value, value ? value : "", sizeof(s->value));
	return 0;
}

static bool member_done(const struct ictl_own_member *m)
{
	if (m->want_any)
		return !ictl_driver_is_vfio(m->driver) && !strcmp(m->driver_override, m->want_override);
	return !strcmp(m->driver, m->want_driver) && !strcmp(m->driver_override, m->want_override);
}

static int member_steps(struct ictl_own_plan *p, size_t i)
{
	struct ictl_own_member *m = &p->members[i];
	bool rebind = m->want_any ? ictl_driver_is_vfio(m->driver) :
				    strcmp(m->driver, m->want_driver) != 0;
	int r = 0;

	/* A claimed member that is already on a VFIO driver keeps its override. */
	if (!p->release && !strcmp(m->driver, p->target))
		return 0;
	if (m->bridge || member_done(m))
		return 0;
	if (!p->release && strcmp(m->driver_override, m->want_override))
		r = push_step(p, ICTL_STEP_OVERRIDE, i, m->want_override);
	if (!r && rebind && m->driver[0])
		r = push_step(p, ICTL_STEP_UNBIND, i, m->driver);
	if (!r && p->release && strcmp(m->driver_override, m->want_override))
		r = push_step(p, ICTL_STEP_OVERRIDE, i, m->want_override);
	if (!r && rebind && (m->want_driver[0] || m->want_any))
		r = push_step(p, ICTL_STEP_PROBE, i, m->want_any ? "" : m->want_driver);
	if (!r)
		r = push_step(p, ICTL_STEP_VERIFY, i, m->want_any ? "" : m->want_driver);
	return r;
}

int own_plan_build(struct ictl_own_plan *p, bool modprobe)
{
	int r = 0;

	free(p->steps);
	p->steps = NULL;
	p->nsteps = 0;
	if (!p->release && modprobe)
		r = push_step(p, ICTL_STEP_MODPROBE, 0, p->target);
	for (size_t i = 0; i < p->nmembers && !r; i++)
		r = member_steps(p, i);
	return r;
}

const char *ictl_step_kind_name(enum ictl_step_kind k)
{
	static const char *const names[] = { "modprobe", "driver_override", "unbind", "probe",
					     "verify" };

	return (unsigned int)k < ARRAY_SIZE(names) ? names[k] : "unknown";
}

const char *ictl_step_status_name(enum ictl_step_status s)
{
	static const char *const names[] = { "planned", "done", "failed", "not run", "undone" };

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

void ictl_step_describe(const struct ictl_own_plan *p, const struct ictl_step *s, char *buf,
			size_t len)
{
	const char *dev = s->kind == ICTL_STEP_MODPROBE ? "" : p->members[s->member].device;

	switch (s->kind) {
	case ICTL_STEP_MODPROBE:
		snprintf(buf, len, "load the %s module (modprobe %s)", s->value, s->value);
		break;
	case ICTL_STEP_OVERRIDE:
		if (s->value[0])
			snprintf(buf, len, "%s: set driver_override to %s", dev, s->value);
		else
			snprintf(buf, len, "%s: clear driver_override", dev);
		break;
	case ICTL_STEP_UNBIND:
		snprintf(buf, len, "%s: unbind from %s", dev, s->value);
		break;
	case ICTL_STEP_PROBE:
		if (s->value[0] && p->release)
			snprintf(buf, len, "%s: bind to %s", dev, s->value);
		else
			snprintf(buf, len, "%s: probe drivers (drivers_probe)", dev);
		break;
	case ICTL_STEP_VERIFY:
		snprintf(buf, len, "%s: verify it is on %s", dev,
			 s->value[0] ? s->value : p->members[s->member].want_any ?
					       "a non-VFIO driver or none" : "no driver");
		break;
	}
}

/* --- plans ------------------------------------------------------------------ */

static int target_check(struct ictl_ctx *ctx, const char *target)
{
	if (!target[0] || strlen(target) >= ICTL_NAME_MAX ||
	    strspn(target, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(target) ||
	    !ictl_driver_is_vfio(target))
		return ictl_err(ctx, EINVAL,
				"--driver %s: give vfio-pci or a VFIO variant driver (a name with 'vfio' in it)",
				target);
	return 0;
}

static bool has_endpoint(const struct ictl_own_plan *p)
{
	for (size_t i = 0; i < p->nmembers; i++) {
		if (!p->members[i].bridge)
			return true;
	}
	return false;
}

/* The steps of a plan and its in-use check; the plan is cleared on failure (r: so far). */
static int plan_finish(struct ictl_ctx *ctx, struct ictl_own_plan *p, int r)
{
	char path[PATH_MAX];
	bool modprobe = false;

	if (!r && !p->release) {
		r = path_fmt(path, sizeof(path), "sys/bus/pci/drivers/%s", p->target);
		modprobe = !r && !sysfs_exists(ctx, path);
	}
	if (!r)
		r = own_plan_build(p, modprobe);
	if (!r)
		r = own_check_in_use(ctx, p);
	if (r < 0)
		ictl_own_plan_clear(p);
	return r;
}

int ictl_claim_plan(struct ictl_ctx *ctx, unsigned int group, const char *target,
		    struct ictl_own_plan *p)
{
	int r;

	*p = (struct ictl_own_plan){ .group = group };
	r = target_check(ctx, target);
	if (r < 0)
		return r;
	str_copy(p->target, target, sizeof(p->target));
	r = own_group_members(ctx, group, &p->members, &p->nmembers);
	if (!r && !has_endpoint(p))
		r = ictl_err(ctx, EOPNOTSUPP,
			     "group %u has only bridges and ports, which stay with the kernel", group);
	for (size_t i = 0; i < p->nmembers && !r; i++) {
		str_copy(p->members[i].want_driver, target, ICTL_NAME_MAX);
		str_copy(p->members[i].want_override, target, ICTL_NAME_MAX);
	}
	return plan_finish(ctx, p, r);
}

void own_plan_release_wants(struct ictl_own_plan *p, const struct own_journal *j)
{
	p->recorded = j->n > 0;
	for (size_t i = 0; i < p->nmembers; i++) {
		struct ictl_own_member *m = &p->members[i];
		const struct own_jrec *rec = journal_find(j, m->device);

		if (rec && strcmp(rec->driver, "*")) {
			str_copy(m->want_driver, rec->driver, sizeof(m->want_driver));
			str_copy(m->want_override, rec->override, sizeof(m->want_override));
		} else if (ictl_driver_is_vfio(m->driver) || rec) {
			m->want_any = true;
		} else {
			str_copy(m->want_driver, m->driver, sizeof(m->want_driver));
			str_copy(m->want_override, m->driver_override, sizeof(m->want_override));
		}
	}
}

int ictl_release_plan(struct ictl_ctx *ctx, unsigned int group, struct ictl_own_plan *p)
{
	struct own_journal j;
	int r;

	*p = (struct ictl_own_plan){ .group = group, .release = true };
	r = own_group_members(ctx, group, &p->members, &p->nmembers);
	if (r < 0)
		return r;
	journal_peek(ctx, group, &j);
	own_plan_release_wants(p, &j);
	journal_clear(&j);
	return plan_finish(ctx, p, 0);
}

void ictl_own_plan_clear(struct ictl_own_plan *p)
{
	free(p->members);
	free(p->steps);
	free(p->busy);
	*p = (struct ictl_own_plan){ 0 };
}
