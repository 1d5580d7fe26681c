/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: making what a spec describes (iommuctl-apply(8)).
 *
 * An apply takes a parsed spec (spec.h) and an iommufd session (iommufd.h)
 * and makes every object of the spec in the order spec.h gives: options;
 * each IOAS with its allow list, its huge_pages option and its mappings (the
 * memory behind each one allocated here: anonymous, a memfd, hugetlb pages
 * or a file), before them the memory of the IOAS's stage-1 tables (a memfd
 * each, mapped at the table's at:); the copies; the stage-1 tables built into
 * that memory; the devices (a VFIO cdev bound, or a mock plugged
 * into its IOAS); fault queues; paging HWPTs; vIOMMUs; nested HWPTs; vDevices;
 * vEVENTQs; the attaches.  Each object gets its spec name in the session, so
 * the session's table is the record of what was made.
 *
 * Every step is recorded (the ioctl, its struct's fields, the object made) in
 * a->steps, also with dry_run, when nothing is issued and the list is what a
 * real run would do; its one-line text when it is read (ictl_apply_describe).  The first failure stops the run: its step carries the
 * error, the context the message (naming the step, the spec object and the
 * kernel's errno), and everything made so far is destroyed again, in
 * dependency order, and its memory freed: nothing is left half-made.
 *
 * The memory stays mapped in this process for as long as the apply lives:
 * the kernel pins it, a hand-off gives the program the session's fds, and
 * ictl_apply_free() destroys the objects (ictl_iommufd_destroy_all) before it
 * unmaps it.  Devices must be on vfio-pci with a cdev before a run (the CLI
 * claims their groups first).
 */
#ifndef ICTL_APPLY_H
#define ICTL_APPLY_H

#include "apply-step.h"
#include "handoff.h"
#include "iommufd.h"
#include "spec.h"

/* A mapping as made: where it is and what is behind it. */
struct ictl_apply_map {
	uint64_t iova;		/* the spec's, or the kernel's choice */
	void *va;		/* this process's view of the memory (NULL for a copy) */
	size_t len;		/* of va's mapping */
	int fd;			/* a memfd or file (IOMMU_IOAS_MAP_FILE), or -1 */
	bool made;
};

/*
 * A stage-1 table of the spec (page_tables:) as made: a memfd of a header
 * page and the table memory, the memory mapped into the parent IOAS at iova
 * (IOMMU_IOAS_MAP_FILE from offset ICTL_PT_HEADER_SIZE) before the IOAS's
 * mappings; once they are made, the page-table engine builds the table into
 * it, and it holds a pt image (iommuctl-pt-build(8)).
 */
struct ictl_apply_table {
	int fd;			/* the memfd, or -1 */
	uint64_t iova, size;	/* where the memory is mapped, and its bytes */
	uint64_t root;		/* the root table's IOVA */
	uint64_t ptr;		/* the CD or GCR3 table's IOVA; 0 */
	bool made;
	bool picked;		/* at: auto, and the kernel has put it at iova */
};

struct ictl_apply {
	struct ictl_ctx *ctx;
	const struct ictl_spec *spec;
	struct ictl_iommufd *s;		/* NULL for a dry run */
	bool dry_run;
	/* Kernel ids by spec index (0 until made). */
	uint32_t *dev, *ioas, *hwpt, *fault, *viommu, *vdev, *veventq;
	uint32_t *attach_pt;		/* per attach: the HWPT the device ended up on */
	uint32_t *viommu_type;		/* per vIOMMU: the type used */
	struct ictl_apply_map **maps;	/* per IOAS, per mapping */
	struct ictl_apply_table *tables;	/* per page table */
	size_t nsteps, steps_cap;
	struct ictl_apply_step *steps;
	struct ictl_apply_step *steps_here;	/* (the first ones, in a's own block) */
};

/*
 * Make what s describes in the session sess (NULL with dry_run).  0 and
 * *out; or -errno with *out still set (its steps say how far it got; nothing
 * of it is left in the kernel).  s must outlive the apply.
 */
int ictl_apply_run(struct ictl_ctx *ctx, const struct ictl_spec *s, struct ictl_iommufd *sess,
		   bool dry_run, struct ictl_apply **out);
/*
 * Write every step's text (what), once: a run that only makes objects never
 * needs them.  Any time in the apply's life, undone or not.
 */
void ictl_apply_describe(struct ictl_apply *a);
/* Destroy what was made (dependency order), then free the memory behind it. */
int ictl_apply_undo(struct ictl_apply *a);
/* ictl_apply_undo(), then free a (the session stays the caller's). */
void ictl_apply_free(struct ictl_apply *a);

/*
 * Ask the kernel whether what was made is what the spec says, where the
 * kernel can tell: every paging HWPT of a mock device must map each mapping
 * of its IOAS to the very pages behind it here (IOMMU_TEST_OP_MD_CHECK_MAP).
 * *checked: how many (HWPT, mapping) pairs were checked.  -EINVAL naming the
 * first that is not.
 */
int ictl_apply_verify(struct ictl_apply *a, size_t *checked);

/*
 * Add the session's fds to a hand-off (the iommufd, each bound device's cdev)
 * and name every object: IOMMUCTL_OBJECTS="name=id ..." (every named object
 * of the spec, in spec order), IOMMUCTL_MAPPINGS="name=iova ..." (every named
 * mapping, the kernel's choice included).
 */
int ictl_apply_handoff(struct ictl_apply *a, struct ictl_handoff *h);

/*
 * Write a copy of table t's memfd (the pt image the kernel was given: header
 * and table memory) to path, a new file (0600).  For a program that wants to
 * read the tables (iommuctl pt dump PATH).
 */
int ictl_apply_table_write(struct ictl_apply *a, size_t t, const char *path);

#endif /* ICTL_APPLY_H */
