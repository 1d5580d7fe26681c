// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The iommufd session: one iommufd, the table of the objects made through it,
 * their lookups, and destroying them in reverse dependency order (the design
 * is at the top of iommufd.h).  The wrappers that make objects are above, in
 * iommufd-dev.c, iommufd-ioas.c and iommufd-hwpt.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "iommufd-internal.h"

static const char *const kind_names[ICTL_OBJ_KIND_COUNT] = {
	[ICTL_OBJ_DEVICE] = "device",
	[ICTL_OBJ_MOCK_DEV] = "mock_device",
	[ICTL_OBJ_IOAS] = "ioas",
	[ICTL_OBJ_HWPT_PAGING] = "hwpt_paging",
	[ICTL_OBJ_HWPT_NESTED] = "hwpt_nested",
	[ICTL_OBJ_FAULT] = "fault_queue",
	[ICTL_OBJ_VIOMMU] = "viommu",
	[ICTL_OBJ_VDEVICE] = "vdevice",
	[ICTL_OBJ_VEVENTQ] = "veventq",
	[ICTL_OBJ_HW_QUEUE] = "hw_queue",
};

const char *ictl_obj_kind_name(enum ictl_obj_kind kind)
{
	return (unsigned int)kind < ICTL_OBJ_KIND_COUNT ? kind_names[kind] : "object";
}

/* --- the seam ------------------------------------------------------------------ */

static int sys_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	(void)priv;
	return iofd_sys_ioctl(fd, req, arg);
}

static void sys_close(void *priv, int fd)
{
	(void)priv;
	close(fd);
}

static const struct ictl_iommufd_ops sys_ops = { .ioctl = sys_ioctl, .close = sys_close };

void ictl_iommufd_set_ops(struct ictl_iommufd *s, const struct ictl_iommufd_ops *ops, void *priv)
{
	s->ops = ops ? ops : &sys_ops;
	s->priv = priv;
}

int iofd_ioctl(struct ictl_iommufd *s, int fd, unsigned long req, void *arg)
{
	return s->ops->ioctl(s->priv, fd, req, arg);
}

void iofd_close(struct ictl_iommufd *s, int fd)
{
	if (fd >= 0)
		s->ops->close(s->priv, fd);
}

/* --- the session ---------------------------------------------------------------- */

int ictl_iommufd_adopt(struct ictl_ctx *ctx, int fd, struct ictl_iommufd **out)
{
	struct ictl_iommufd *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s) {
		close(fd);
		return ictl_err(ctx, ENOMEM, "iommufd session: out of memory");
	}
	s->ctx = ctx;
	s->fd = fd;
	s->ops = &sys_ops;
	s->seq = 1;
	*out = s;
	return 0;
}

int ictl_iommufd_open(struct ictl_ctx *ctx, struct ictl_iommufd **out)
{
	int fd = iofd_open_dev(ctx);

	*out = NULL;
	return fd < 0 ? fd : ictl_iommufd_adopt(ctx, fd, out);
}

static void obj_free(struct ictl_iommufd_obj *o)
{
	if (o && o->deps != o->deps_here)
		free(o->deps);
	free(o);
}

void ictl_iommufd_free(struct ictl_iommufd *s)
{
	if (!s)
		return;
	/* The objects' fds (device cdevs: that unbinds them) before the iommufd. */
	for (size_t i = s->n; i-- > 0;) {
		iofd_close(s, s->objs[i]->fd);
		obj_free(s->objs[i]);
	}
	iofd_close(s, s->fd);
	free(s->objs);
	free(s);
}

int ictl_iommufd_fd(const struct ictl_iommufd *s)
{
	return s->fd;
}

/* --- the table ------------------------------------------------------------------- */

struct ictl_iommufd_obj *iofd_find(const struct ictl_iommufd *s, uint32_t id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		if (s->objs[i]->id == id)
			return s->objs[i];
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->objs[i]->dev_id == id)
			return s->objs[i];
	}
	return NULL;
}

const struct ictl_iommufd_obj *ictl_iommufd_find(const struct ictl_iommufd *s, uint32_t id)
{
	return iofd_find(s, id);
}

const struct ictl_iommufd_obj *ictl_iommufd_find_name(const struct ictl_iommufd *s,
						       const char *name)
{
	for (size_t i = 0; name && *name && i < s->n; i++) {
		if (!strcmp(s->objs[i]->name, name))
			return s->objs[i];
	}
	return NULL;
}

size_t ictl_iommufd_count(const struct ictl_iommufd *s)
{
	return s->n;
}

const struct ictl_iommufd_obj *ictl_iommufd_obj(const struct ictl_iommufd *s, size_t i)
{
	return i < s->n ? s->objs[i] : NULL;
}

int iofd_find_dev(struct ictl_iommufd *s, uint32_t dev_id, const char *ioctl,
		  struct ictl_iommufd_obj **out)
{
	struct ictl_iommufd_obj *o = iofd_find(s, dev_id);

	*out = NULL;
	if (!o || (o->kind != ICTL_OBJ_DEVICE && o->kind != ICTL_OBJ_MOCK_DEV))
		return ictl_err(s->ctx, ENOENT, "%s on device %u: not a device of this session",
				ioctl, dev_id);
	*out = o;
	return 0;
}

const char *iofd_label(const struct ictl_iommufd *s, uint32_t id, const char *what, char *buf,
		       size_t len)
{
	const struct ictl_iommufd_obj *o = iofd_find(s, id);

	if (!o)
		snprintf(buf, len, "%s%s%u", what ? what : "", what ? " " : "", id);
	else if (o->name[0])
		snprintf(buf, len, "%s '%s' #%u", ictl_obj_kind_name(o->kind), o->name, id);
	else if (o->kind == ICTL_OBJ_DEVICE && o->device[0])
		snprintf(buf, len, "device %s #%u", o->device, id);
	else
		snprintf(buf, len, "%s %u", ictl_obj_kind_name(o->kind), id);
	return buf;
}

/* Every object records at most this many dependencies at allocation (in the object). */
#define ALLOC_DEPS ARRAY_SIZE(((struct ictl_iommufd_obj *)0)->deps_here)

int iofd_obj_new(struct ictl_iommufd *s, enum ictl_obj_kind kind, const char *name,
		 struct ictl_iommufd_obj **out)
{
	const struct ictl_iommufd_obj *other = ictl_iommufd_find_name(s, name);
	const char *k = ictl_obj_kind_name(kind);
	struct ictl_iommufd_obj *o;
	char l[IOFD_LABEL_MAX];

	*out = NULL;
	if (name && strlen(name) >= ICTL_OBJ_NAME_MAX)
		return ictl_err(s->ctx, ENAMETOOLONG, "%s name '%.16s...': longer than %d characters",
				k, name, ICTL_OBJ_NAME_MAX - 1);
	if (other)
		return ictl_err(s->ctx, EEXIST, "%s '%s': the name is taken by %s", k, name,
				iofd_label(s, other->id, NULL, l, sizeof(l)));
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct ictl_iommufd_obj **v = reallocarray(s->objs, cap, sizeof(*v));

		if (!v)
			return ictl_err(s->ctx, ENOMEM, "%s: out of memory", k);
		s->objs = v;
		s->cap = cap;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return ictl_err(s->ctx, ENOMEM, "%s: out of memory", k);
	o->deps = o->deps_here;
	o->capdeps = ALLOC_DEPS;
	o->kind = kind;
	o->fd = -1;
	if (name)
		str_copy(o->name, name, sizeof(o->name));
	*out = o;
	return 0;
}

static bool depends_on(const struct ictl_iommufd_obj *o, uint32_t id)
{
	for (size_t i = 0; i < o->ndeps; i++) {
		if (o->deps[i].on == id)
			return true;
	}
	return false;
}

void iofd_obj_dep(struct ictl_iommufd *s, struct ictl_iommufd_obj *o, uint32_t on)
{
	const struct ictl_iommufd_obj *t = iofd_find(s, on);

	if (t && t != o && !depends_on(o, t->id) && o->ndeps < o->capdeps)
		o->deps[o->ndeps++] = (struct ictl_iommufd_dep){ .on = t->id };
}

void iofd_obj_add(struct ictl_iommufd *s, struct ictl_iommufd_obj *o, uint32_t id)
{
	o->id = id;
	o->seq = s->seq++;
	s->objs[s->n++] = o;	/* iofd_obj_new() made room */
}

void iofd_obj_drop(struct ictl_iommufd_obj *o)
{
	obj_free(o);
}

/* --- attachments ------------------------------------------------------------------ */

int iofd_attach_reserve(struct ictl_iommufd *s, struct ictl_iommufd_obj *dev)
{
	struct ictl_iommufd_dep *v;

	if (dev->ndeps < dev->capdeps)
		return 0;
	v = reallocarray(dev->deps == dev->deps_here ? NULL : dev->deps, 2 * dev->capdeps,
			 sizeof(*v));
	if (!v)
		return ictl_err(s->ctx, ENOMEM, "attaching device %u: out of memory", dev->dev_id);
	if (dev->deps == dev->deps_here)
		memcpy(v, dev->deps_here, sizeof(dev->deps_here));
	dev->deps = v;
	dev->capdeps *= 2;
	return 0;
}

void iofd_attach_clear(struct ictl_iommufd_obj *dev, uint32_t pasid)
{
	size_t n = 0;

	for (size_t i = 0; i < dev->ndeps; i++) {
		if (!dev->deps[i].attach || dev->deps[i].pasid != pasid)
			dev->deps[n++] = dev->deps[i];
	}
	dev->ndeps = n;
}

void iofd_attach_set(struct ictl_iommufd *s, struct ictl_iommufd_obj *dev, uint32_t pasid,
		     uint32_t pt_id)
{
	const struct ictl_iommufd_obj *t = iofd_find(s, pt_id);

	iofd_attach_clear(dev, pasid);
	/* A page table made elsewhere is not ours to order; an IOAS is, with its auto domain. */
	if (t && dev->ndeps < dev->capdeps)
		dev->deps[dev->ndeps++] =
			(struct ictl_iommufd_dep){ .on = t->id, .attach = true, .pasid = pasid };
}

/* --- destroying -------------------------------------------------------------------- */

static bool has_dependents(const struct ictl_iommufd *s, const struct ictl_iommufd_obj *o)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->objs[i] != o && depends_on(s->objs[i], o->id))
			return true;
	}
	return false;
}

/* The kernel has let o go: out of the table. */
static void obj_remove(struct ictl_iommufd *s, struct ictl_iommufd_obj *o)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->objs[i] == o) {
			memmove(&s->objs[i], &s->objs[i + 1], (s->n - i - 1) * sizeof(*s->objs));
			s->n--;
			break;
		}
	}
	obj_free(o);
}

static int obj_destroy(struct ictl_iommufd *s, struct ictl_iommufd_obj *o)
{
	struct ictl_iommu_destroy d = { .size = sizeof(d), .id = o->id };
	char l[IOFD_LABEL_MAX];
	int r;

	/* An event queue's fd holds a reference to it; a device goes with its cdev. */
	iofd_close(s, o->fd);
	o->fd = -1;
	if (o->kind == ICTL_OBJ_DEVICE)
		return 0;
	/*
	 * A mock device keeps its PASID attaches when it is destroyed (its
	 * destroy detaches only the device itself): detach them first, or
	 * their page tables stay busy.
	 */
	for (size_t i = 0; o->kind == ICTL_OBJ_MOCK_DEV && i < o->ndeps; i++) {
		struct ictl_iommu_test_cmd c = { .size = sizeof(c),
						 .op = ICTL_IOMMU_TEST_OP_PASID_DETACH,
						 .id = o->id,
						 .pasid_detach = { o->deps[i].pasid } };

		if (!o->deps[i].attach || o->deps[i].pasid == ICTL_NO_PASID)
			continue;
		r = iofd_ioctl(s, s->fd, ICTL_IOMMU_TEST_CMD, &c);
		if (r < 0)
			return ioctl_fail(s->ctx, -r, "IOMMU_TEST_CMD(PASID_DETACH)", NULL,
					  "%s, pasid %u", iofd_label(s, o->id, NULL, l, sizeof(l)),
					  o->deps[i].pasid);
	}
	r = iofd_ioctl(s, s->fd, ICTL_IOMMU_DESTROY, &d);
	if (r < 0)
		return ioctl_fail(s->ctx, -r, "IOMMU_DESTROY",
				  r == -EBUSY ? "the kernel knows of a user of it that this session does not (made outside it?)" : NULL,
				  "%s", iofd_label(s, o->id, NULL, l, sizeof(l)));
	return 0;
}

static bool marked(struct ictl_iommufd_obj *const *v, size_t n, const struct ictl_iommufd_obj *o)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == o)
			return true;
	}
	return false;
}

/* Add to v[0..*n) every object that depends, directly or not, on one in it. */
static void mark_dependents(const struct ictl_iommufd *s, struct ictl_iommufd_obj **v, size_t *n)
{
	bool more = true;

	while (more) {
		more = false;
		for (size_t i = 0; i < s->n; i++) {
			struct ictl_iommufd_obj *o = s->objs[i];

			if (marked(v, *n, o))
				continue;
			for (size_t j = 0; j < *n; j++) {
				if (depends_on(o, v[j]->id)) {
					v[(*n)++] = o;
					more = true;
					break;
				}
			}
		}
	}
}

/* Destroy v[0..n): each once nothing depends on it any more, the most recent first. */
static int destroy_marked(struct ictl_iommufd *s, struct ictl_iommufd_obj **v, size_t n)
{
	while (n) {
		size_t best = n;
		int r;

		for (size_t i = 0; i < n; i++) {
			if (!has_dependents(s, v[i]) && (best == n || v[i]->seq > v[best]->seq))
				best = i;
		}
		if (best == n)
			return ictl_err(s->ctx, ELOOP,
					"IOMMU_DESTROY: %zu objects depend on each other in a circle", n);
		r = obj_destroy(s, v[best]);
		if (r < 0)
			return r;
		obj_remove(s, v[best]);
		v[best] = v[--n];
	}
	return 0;
}

int ictl_iommufd_destroy(struct ictl_iommufd *s, uint32_t id)
{
	struct ictl_iommufd_obj *o = iofd_find(s, id), **v;
	size_t n = 0;
	int r;

	if (!o)
		return ictl_err(s->ctx, ENOENT, "IOMMU_DESTROY on object %u: not an object of this session",
				id);
	v = calloc(s->n, sizeof(*v));
	if (!v)
		return ictl_err(s->ctx, ENOMEM, "IOMMU_DESTROY: out of memory");
	v[n++] = o;
	mark_dependents(s, v, &n);
	r = destroy_marked(s, v, n);
	free(v);
	return r;
}

int ictl_iommufd_destroy_all(struct ictl_iommufd *s)
{
	struct ictl_iommufd_obj *here[32], **v = here;
	int r;

	if (!s->n)
		return 0;
	if (s->n > ARRAY_SIZE(here) && !(v = calloc(s->n, sizeof(*v))))
		return ictl_err(s->ctx, ENOMEM, "IOMMU_DESTROY: out of memory");
	memcpy(v, s->objs, s->n * sizeof(*v));
	r = destroy_marked(s, v, s->n);
	if (v != here)
		free(v);
	return r;
}
