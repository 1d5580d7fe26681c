// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plan of a claim or release (src/lib/owner-plan.c), built from member
 * states alone: which steps, in which order, described how; and what a
 * release restores, with and without the claim's journal.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "owner-journal.h"
#include "owner-plan.h"
#include "tap.h"

static struct ictl_own_member *member(struct ictl_own_plan *p, const char *dev, const char *driver,
				      const char *override)
{
	struct ictl_own_member *m = array_push(&p->members, &p->nmembers, sizeof(*m));

	if (!m)
		abort();
	str_copy(m->device, dev, sizeof(m->device));
	str_copy(m->driver, driver, sizeof(m->driver));
	str_copy(m->driver_override, override, sizeof(m->driver_override));
	return m;
}

/* A claim's wanted state: the target, for every member. */
static void want_target(struct ictl_own_plan *p, const char *target)
{
	str_copy(p->target, target, sizeof(p->target));
	for (size_t i = 0; i < p->nmembers; i++) {
		str_copy(p->members[i].want_driver, target, ICTL_NAME_MAX);
		str_copy(p->members[i].want_override, target, ICTL_NAME_MAX);
	}
}

/* The plan's steps as "kind|description" lines, joined by newlines, in buf. */
static const char *steps(const struct ictl_own_plan *p, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->nsteps && off < len; i++) {
		char desc[256];

		ictl_step_describe(p, &p->steps[i], desc, sizeof(desc));
		off += (size_t)snprintf(buf + off, len - off, "%s%s|%s", i ? "\n" : "",
					ictl_step_kind_name(p->steps[i].kind), desc);
	}
	return buf;
}

static void claims(void)
{
	struct ictl_own_plan p = { 0 };
	char buf[2048];

	member(&p, "0000:00:02.0", "e1000e", "");
	member(&p, "0000:03:00.0", "", "");
	member(&p, "0000:02:00.0", "vfio-pci", "")->has_cdev = true;
	member(&p, "0000:00:1c.0", "pcieport", "")->bridge = true;
	want_target(&p, "vfio-pci");
	is_int(own_plan_build(&p, false), 0, "a claim plans");
	is_str(steps(&p, buf, sizeof(buf)),
	       "driver_override|0000:00:02.0: set driver_override to vfio-pci\n"
	       "unbind|0000:00:02.0: unbind from e1000e\n"
	       "probe|0000:00:02.0: probe drivers (drivers_probe)\n"
	       "verify|0000:00:02.0: verify it is on vfio-pci\n"
	       "driver_override|0000:03:00.0: set driver_override to vfio-pci\n"
	       "probe|0000:03:00.0: probe drivers (drivers_probe)\n"
	       "verify|0000:03:00.0: verify it is on vfio-pci",
	       "  override, unbind, probe, verify; nothing to unbind without a driver; "
	       "nothing for a member on the target or a bridge");
	ok(p.nsteps == 7 && p.steps[4].member == 1, "  each step names its member");

	is_int(own_plan_build(&p, true), 0, "a claim whose driver is not registered yet");
	if (ok(p.nsteps == 8 && p.steps[0].kind == ICTL_STEP_MODPROBE,
	       "  loads it first, then the same steps (built again, not added)")) {
		ictl_step_describe(&p, &p.steps[0], buf, sizeof(buf));
		is_str(buf, "load the vfio-pci module (modprobe vfio-pci)", "  described so");
	}

	/* a variant driver: a member on vfio-pci is moved to it, override kept otherwise */
	want_target(&p, "mlx5-vfio-pci");
	own_plan_build(&p, false);
	ok(p.nsteps > 0 && !strcmp(p.steps[p.nsteps - 1].value, "mlx5-vfio-pci") &&
		   p.steps[p.nsteps - 1].member == 2,
	   "claim for a variant driver moves a member off plain vfio-pci too");
	ictl_own_plan_clear(&p);
	ok(!p.members && !p.steps && !p.nsteps, "ictl_own_plan_clear frees and zeroes");

	member(&p, "0000:02:00.0", "vfio-pci", "vfio-pci");
	want_target(&p, "vfio-pci");
	own_plan_build(&p, false);
	is_int(p.nsteps, 0, "a group already claimed has nothing to do");
	ictl_own_plan_clear(&p);
}

static void releases(void)
{
	struct own_jrec recs[] = { { "0000:00:02.0", "e1000e", "" }, { "0000:03:00.0", "*", "" } };
	struct own_journal j = { .n = 2, .v = recs }, none = { 0 };
	struct ictl_own_plan p = { .release = true };
	char buf[2048];

	member(&p, "0000:00:02.0", "vfio-pci", "vfio-pci");
	member(&p, "0000:03:00.0", "vfio-pci", "vfio-pci");
	member(&p, "0000:00:1f.3", "i801_smbus", "");
	own_plan_release_wants(&p, &j);
	ok(p.recorded, "a release with the claim's journal says so");
	ok(!strcmp(p.members[0].want_driver, "e1000e") && !p.members[0].want_any,
	   "  a recorded driver is where the member goes back");
	ok(p.members[1].want_any, "  a recorded '*' is any non-VFIO driver");
	ok(!strcmp(p.members[2].want_driver, "i801_smbus") && !p.members[2].want_any,
	   "  a member off VFIO and not recorded stays where it is");
	is_int(own_plan_build(&p, true), 0, "the release plans (never a modprobe)");
	is_str(steps(&p, buf, sizeof(buf)),
	       "unbind|0000:00:02.0: unbind from vfio-pci\n"
	       "driver_override|0000:00:02.0: clear driver_override\n"
	       "probe|0000:00:02.0: bind to e1000e\n"
	       "verify|0000:00:02.0: verify it is on e1000e\n"
	       "unbind|0000:03:00.0: unbind from vfio-pci\n"
	       "driver_override|0000:03:00.0: clear driver_override\n"
	       "probe|0000:03:00.0: probe drivers (drivers_probe)\n"
	       "verify|0000:03:00.0: verify it is on a non-VFIO driver or none",
	       "  unbind, clear the override, bind or probe, verify");
	ictl_own_plan_clear(&p);

	p = (struct ictl_own_plan){ .release = true };
	member(&p, "0000:02:00.0", "vfio-pci", "");
	own_plan_release_wants(&p, &none);
	ok(!p.recorded && p.members[0].want_any, "without a journal: back to the kernel's probe");
	own_plan_build(&p, false);
	is_str(steps(&p, buf, sizeof(buf)),
	       "unbind|0000:02:00.0: unbind from vfio-pci\n"
	       "probe|0000:02:00.0: probe drivers (drivers_probe)\n"
	       "verify|0000:02:00.0: verify it is on a non-VFIO driver or none",
	       "  no override to clear: unbind, probe, verify");
	ictl_own_plan_clear(&p);

	p = (struct ictl_own_plan){ .release = true };
	member(&p, "0000:03:00.0", "", "");
	own_plan_release_wants(&p, &none);
	own_plan_build(&p, false);
	is_int(p.nsteps, 0, "a group that is not claimed has nothing to release");
	ictl_own_plan_clear(&p);
}

static void names(void)
{
	is_str(ictl_step_kind_name(ICTL_STEP_OVERRIDE), "driver_override", "step kind names");
	is_str(ictl_step_kind_name((enum ictl_step_kind)42), "unknown", "  out of range");
	is_str(ictl_step_status_name(ICTL_STEP_NOT_RUN), "not run", "step status names");
	is_str(ictl_step_status_name(ICTL_STEP_UNDONE), "undone", "  undone");
}

int main(void)
{
	claims();
	releases();
	names();
	return done_testing();
}
