// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lists of devices and groups as data: clearing, the order the scans sort
 * them in, lookups by name or number.  No I/O here, so the scans (device.c,
 * group.c) and the snapshot that keeps what they read (snapshot.c) can all
 * use it without depending on each other.
 */
#include <string.h>

#include "internal.h"

bool ictl_device_is_bridge(const struct ictl_device *d)
{
	return d->is_pci && (d->class_code >> 16) == 0x06 &&
	       ((d->class_code >> 8) == 0x0604 || (d->class_code >> 8) == 0x0609 ||
		(d->class_code >> 8) == 0x0600);
}

void ictl_device_clear(struct ictl_device *d)
{
	free(d->path);
	free(d->error);
	d->path = NULL;
	d->error = NULL;
}

void ictl_device_list_clear(struct ictl_device_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		ictl_device_clear(&l->v[i]);
	free(l->v);
	*l = (struct ictl_device_list){ 0 };
}

/*
 * The order of a device list: PCI devices first, by address, then the others by
 * name in natural order; ties (names that are not canonical addresses, names
 * equal but for leading zeros) by strcmp, so the order is total and a name has
 * one place.  A PCI device's address is parsed from its name (device_read_at),
 * so the place of a name follows from the name alone.
 */
static uint64_t pci_key(const struct ictl_pci_addr *a)
{
	return (uint64_t)a->domain << 16 | (uint64_t)a->bus << 8 | (uint64_t)a->dev << 3 | a->fn;
}

static int cmp_name_at(const struct ictl_device *d, bool is_pci, uint64_t key, const char *name)
{
	int c;

	if (d->is_pci != is_pci)
		return d->is_pci ? -1 : 1;
	if (is_pci) {
		uint64_t k = pci_key(&d->addr);

		if (k != key)
			return k < key ? -1 : 1;
	} else {
		c = name_cmp(d->name, name);
		if (c)
			return c;
	}
	return strcmp(d->name, name);
}

/* Binary search in v[0..n) for name among the PCI devices (is_pci) or the others. */
static const struct ictl_device *search(const struct ictl_device *v, size_t n, bool is_pci,
					uint64_t key, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_name_at(&v[mid], is_pci, key, name);

		if (!c)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct ictl_device *find_in(const struct ictl_device *v, size_t n, const char *name)
{
	struct ictl_pci_addr a = { 0 };
	const struct ictl_device *d;

	/* As device_read_at: a PCI device whose name is not an address has address 0. */
	if (pci_name_addr(name, &a) < 0)
		a = (struct ictl_pci_addr){ 0 };
	d = search(v, n, true, pci_key(&a), name);
	return d ? d : search(v, n, false, 0, name);
}

const struct ictl_device *ictl_device_find(const struct ictl_device_list *l, const char *name)
{
	return find_in(l->v, l->n, name);
}

int device_order(const void *a, const void *b)
{
	const struct ictl_device *y = b;

	return cmp_name_at(a, y->is_pci, pci_key(&y->addr), y->name);
}

void ictl_group_clear(struct ictl_group *g)
{
	free(g->devices);
	free(g->resv);
	free(g->error);
	memset(g, 0, sizeof(*g));
}

void ictl_group_list_clear(struct ictl_group_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		ictl_group_clear(&l->v[i]);
	free(l->v);
	*l = (struct ictl_group_list){ 0 };
}

/* Binary search: ictl_groups_scan lists groups by number, as sysfs_list sorts their names. */
const struct ictl_group *ictl_group_find(const struct ictl_group_list *l, unsigned int id)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].id == id)
			return &l->v[mid];
		if (l->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
