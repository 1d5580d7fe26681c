// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Specs: the findings of the checks, one list per check run.  Apart from the
 * checks (spec-check.c, spec-objs-check.c, spec-host.c), which all add to it,
 * so that none of them calls another's file back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

void spec_finding(struct spec_chk *c, enum ictl_spec_severity sev, enum ictl_spec_class cls,
		  struct ictl_spec_pos pos, const char *path, const char *source, const char *fmt,
		  ...)
{
	struct ictl_spec_finding *f;
	va_list ap;

	f = spec_grow(&c->out->v, &c->out->n, sizeof(*f));
	if (!f) {
		c->err = -ENOMEM;
		return;
	}
	f->severity = sev;
	f->cls = cls;
	f->pos = pos;
	str_copy(f->path, path ? path : "", sizeof(f->path));
	str_copy(f->source, source ? source : "", sizeof(f->source));
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	if (sev == ICTL_SPEC_ERROR)
		c->out->nerrors++;
	else
		c->out->nwarnings++;
}

void ictl_spec_findings_clear(struct ictl_spec_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const char *ictl_spec_severity_name(enum ictl_spec_severity s)
{
	return s == ICTL_SPEC_ERROR ? "error" : "warning";
}

int ictl_spec_worst_class(const struct ictl_spec_findings *f)
{
	int worst = -1;

	for (size_t i = 0; i < f->n; i++) {
		int cls = (int)f->v[i].cls;

		if (f->v[i].severity == ICTL_SPEC_ERROR && (worst < 0 || cls < worst))
			worst = cls;
	}
	return worst;
}
