// SPDX-License-Identifier: GPL-2.0-or-later
/* The library context: the root every path is resolved in, and the last error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <pci/pci.h>

#include "internal.h"

/*
 * Every message is formatted into a buffer of its own and then copied, so an
 * argument may be the current message itself (ctx->err, or a string inside it).
 */
static int err_set(struct ictl_ctx *ctx, enum ictl_err_kind kind, int err, const char *fmt,
		   va_list ap)
{
	char msg[sizeof(ctx->err)];

	if (!ctx)
		return -err;	/* the caller wants the errno alone */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(ctx->err, msg, sizeof(ctx->err));
	ctx->err_errno = err;
	ctx->err_kind = kind;
	return -err;
}

int ictl_err(struct ictl_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(ctx, ICTL_ERR_LIB, err, fmt, ap);
	va_end(ap);
	return r;
}

int ictl_err_kernel(struct ictl_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(ctx, ICTL_ERR_KERNEL, err, fmt, ap);
	va_end(ap);
	return r;
}

int ictl_err_data(struct ictl_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(ctx, ICTL_ERR_DATA, err, fmt, ap);
	va_end(ap);
	return r;
}

enum ictl_err_kind ictl_err_kind(const struct ictl_ctx *ctx, int err)
{
	return ctx && ctx->err_errno == (err < 0 ? -err : err) ? ctx->err_kind : ICTL_ERR_LIB;
}

int ictl_err_wrap(struct ictl_ctx *ctx, int err, const char *fmt, ...)
{
	char prefix[sizeof(ctx->err)], cause[sizeof(ctx->err)];
	va_list ap;

	if (!ctx)
		return -err;
	memcpy(cause, ctx->err, sizeof(cause));
	cause[sizeof(cause) - 1] = '\0';
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	enum ictl_err_kind kind = ictl_err_kind(ctx, err);

	/* Cut where the buffer ends: the cause's start matters more than its tail. */
	ictl_err(ctx, err, "%.*s: %s", (int)sizeof(prefix) / 2, prefix,
		 cause[0] ? cause : strerror(err));
	ctx->err_kind = kind;	/* the cause's kind: wrapping adds words, not meaning */
	return -err;
}

int row_error_keep(struct ictl_ctx *ctx, int err, struct ictl_row_error **out)
{
	struct ictl_row_error *e;

	*out = NULL;
	if (err == -ENOMEM)
		return err;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->err = err;
	e->kind = ictl_err_kind(ctx, err);
	snprintf(e->msg, sizeof(e->msg), "%s", ictl_strerror(ctx));
	*out = e;
	return 0;
}

int row_error_raise(struct ictl_ctx *ctx, const struct ictl_row_error *e)
{
	int err = e->err < 0 ? -e->err : e->err;

	ictl_err(ctx, err, "%s", e->msg);
	ctx->err_kind = e->kind;
	return -err;
}

int row_error_dup(struct ictl_row_error **dst, const struct ictl_row_error *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = malloc(sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	**dst = *src;
	return 0;
}

int ictl_err_no_iommu(struct ictl_ctx *ctx, const char *where)
{
	if (ctx->live)
		return ictl_err(ctx, ENODEV,
				"no IOMMU is active on this system: enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on or amd_iommu=on, or try the VM demo (make vm-shell)");
	return ictl_err(ctx, ENODEV, "no IOMMU is active in %s (%s is empty)", ctx->root, where);
}

const char *ictl_strerror(const struct ictl_ctx *ctx)
{
	return ctx->err[0] ? ctx->err : "unknown error";
}

const char *ictl_root(const struct ictl_ctx *ctx)
{
	return ctx->root;
}

bool ictl_is_live(const struct ictl_ctx *ctx)
{
	return ctx->live;
}

/*
 * A sysroot must be a directory holding sys/: either the live "/" or a tree
 * captured by tests/capture-sysfs.  Errors are reported through *out's message
 * even on failure, so the caller gets a context to read the message from.
 */
int ictl_ctx_new(struct ictl_ctx **out, const char *sysroot)
{
	struct ictl_ctx *ctx = calloc(1, sizeof(*ctx));
	struct stat st;

	*out = ctx;
	if (!ctx)
		return -ENOMEM;
	ctx->rootfd = -1;
	ctx->live = !sysroot;
	ctx->root = strdup(sysroot ? sysroot : "/");
	if (!ctx->root)
		return -ENOMEM;
	if (sysroot && !sysroot[0])
		return ictl_err(ctx, EINVAL, "--sysroot: empty path; give a directory captured by capture-sysfs");
	ctx->rootfd = open(ctx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->rootfd < 0)
		return ictl_err(ctx, errno, "sysroot %s: %s; give a directory captured by capture-sysfs",
				ctx->root, strerror(errno));
	if (fstatat(ctx->rootfd, "sys", &st, 0) < 0 || !S_ISDIR(st.st_mode)) {
		if (ctx->live)
			return ictl_err(ctx, ENODEV, "/sys is not mounted; mount sysfs on /sys");
		return ictl_err(ctx, ENOTDIR,
				"sysroot %s has no sys/ directory: it is not a sysfs capture (make one with capture-sysfs)",
				ctx->root);
	}
	return 0;
}

void ictl_ctx_free(struct ictl_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->snap.drop)
		ctx->snap.drop(ctx);
	free(ctx->rootabs);
	if (ctx->pacc)
		pci_cleanup(ctx->pacc);
	free(ctx->vfio_users);
	if (ctx->rootfd >= 0)
		close(ctx->rootfd);
	free(ctx->root);
	free(ctx);
}
