/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libiommuctl: a step of an apply (apply.h): what it does, the object it
 * made, and the struct it passes to the kernel, every field of it, set while
 * the step is recorded with what is known then.  In a dry run an object's id
 * is "<KIND 'NAME'>" (what the run would have made by then) and what only a
 * run makes (a memfd, this process's memory, an out field) is said in words.
 * The af_* helpers are for apply*.c.
 */
#ifndef ICTL_APPLY_STEP_H
#define ICTL_APPLY_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A field of the struct a step passes, and its value as text. */
#define ICTL_APPLY_FIELDS_MAX 14
enum ictl_apply_field_kind {
	ICTL_AF_TEXT,		/* value */
	ICTL_AF_DEC,		/* num, in decimal */
	ICTL_AF_HEX,		/* num, as 0x hex */
	ICTL_AF_OUT,		/* the kernel fills it: "(out)" */
	ICTL_AF_MAP_FLAGS,	/* num, as IOMMU_IOAS_MAP* flags: "0x7 (FIXED_IOVA|WRITEABLE|READABLE)" */
	ICTL_AF_HWPT_FLAGS,	/* num, as IOMMU_HWPT_ALLOC flags */
};

struct ictl_apply_field {
	const char *name;	/* as the kernel's uAPI names it: "iova", "mock_domain_replace.pt_id" */
	/*
	 * What is passed: a number (decimal, or 0x hex for addresses, lengths and
	 * flags, then the flags' names), "(out)" for what the kernel fills, or
	 * <what> for what only a run knows (<ioas 'ram'>: that object's id).
	 * Numbers are kept as numbers and written only when the step is shown
	 * (ictl_apply_field_text): most runs never show them.
	 */
	enum ictl_apply_field_kind kind;
	uint64_t num;
	char value[160];
};

/*
 * What a step is, for its text: which object of the spec (i, k).  The text
 * is written by apply_describe() (apply-what.c) when it is read
 * (ictl_apply_describe(), or the message of the step that failed), made
 * again from the spec and what the apply keeps (its tables), both there for
 * as long as the apply: a run that only makes objects never spends the time
 * to write them.  A nested HWPT's text holds its data as built for where the
 * kernel put a table, so it is written at once (ICTL_AS_TEXT).
 */
enum ictl_apply_step_kind {
	ICTL_AS_TEXT,		/* written by step() */
	ICTL_AS_RLIMIT,
	ICTL_AS_IOAS,		/* i: the IOAS */
	ICTL_AS_ALLOW,
	ICTL_AS_HUGE_PAGES,
	ICTL_AS_MAP,		/* i, k: mapping k of IOAS i */
	ICTL_AS_COPY,
	ICTL_AS_TABLE_MEMORY,	/* i: the page table */
	ICTL_AS_TABLE_BUILD,
	ICTL_AS_DEVICE,		/* i: the device */
	ICTL_AS_FAULT,		/* i: the fault queue, vIOMMU, ... */
	ICTL_AS_VIOMMU,
	ICTL_AS_VDEVICE,
	ICTL_AS_VEVENTQ,
	ICTL_AS_ATTACH,		/* i: the attach */
	ICTL_AS_REPLACE,
};

struct ictl_apply_step {
	/*
	 * "map 2M of memfd at 0x1000000 in ioas 'guest-ram' (IOMMU_IOAS_MAP_FILE)":
	 * written when it is read (ictl_apply_describe()); a dry run's and the
	 * failed step's are written already.
	 */
	char what[240];
	const char *strct;	/* the struct passed ("iommu_ioas_map_file"); NULL: no ioctl */
	size_t nfields;		/* every field of it, in its order */
	struct ictl_apply_field fields[ICTL_APPLY_FIELDS_MAX];
	uint32_t id;		/* the object it made (0: none, or a dry run) */
	int err;		/* 0, or the -errno it failed with (then the context has why) */
	enum ictl_apply_step_kind kind;	/* (what to write in what, and of which objects) */
	size_t i, k;
};

struct ictl_apply;
struct ictl_spec_mapping;
/* st's text, if it is not written yet (apply-what.c). */
void apply_describe(const struct ictl_apply *a, struct ictl_apply_step *st);
/* A spec object's name in a text: 'name', or (unnamed). */
const char *apply_q(const char *name, char *buf, size_t len);
/* The ioctl that makes mapping m: IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FILE or IOMMU_IOAS_COPY. */
const char *apply_map_ioctl(const struct ictl_spec_mapping *m);

/* The field's value as text: "4096", "0x1000000", "(out)", "<ioas 'ram'>" (in buf, or value). */
const char *ictl_apply_field_text(const struct ictl_apply_field *f, char *buf, size_t len);

/* The struct st passes: its name in the kernel's uAPI ("iommu_ioas_map"). */
void af_struct(struct ictl_apply_step *st, const char *strct);
/* A field and its value (set again: the value replaced); past ICTL_APPLY_FIELDS_MAX: dropped. */
void af(struct ictl_apply_step *st, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void af_u(struct ictl_apply_step *st, const char *field, uint64_t v);	/* decimal */
void af_x(struct ictl_apply_step *st, const char *field, uint64_t v);	/* 0x hex */
/* An out field: the kernel fills it. */
void af_out(struct ictl_apply_step *st, const char *field);
/* An object's id: the number once made (not a dry run), else <KIND 'NAME'>. */
void af_id(bool dry_run, struct ictl_apply_step *st, const char *field, uint32_t id,
	   const char *kind, const char *name);
/* IOMMU_IOAS_MAP* flags: "0x7 (FIXED_IOVA|WRITEABLE|READABLE)". */
void af_map_flags(struct ictl_apply_step *st, uint32_t flags);
/* IOMMU_HWPT_ALLOC flags, the same way. */
void af_hwpt_flags(struct ictl_apply_step *st, uint32_t flags);

#endif
