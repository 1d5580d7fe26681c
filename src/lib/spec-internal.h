/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the spec code: the YAML tree (spec-yaml.c), the error helper every
 * spec file uses, and the passes of the parse.
 *
 *   spec-yaml.c    libyaml events -> a tree of scalars, lists and maps with
 *                  positions; anchors, aliases, tags and duplicate keys are
 *                  refused there
 *   spec-parse.c   the tree -> struct ictl_spec: the file, top level, devices, IOAS
 *   spec-fields.c  the readers of one field each (numbers, names, words, flags)
 *   spec-objs.c    HWPTs, faults, vIOMMUs, vDevices, vEVENTQs, attach; names
 *                  resolved to indexes; nested data built by the vendors
 *   spec-check.c   the spec's own consistency (no host)
 *   spec-host.c    the checks against what the env knows of the host
 *   spec-nested.c  the helpers the vendors read `data:` with
 *   spec-pt.c      page_tables: (stage-1 tables); spec-pt-check.c their checks,
 *                  spec-pt-build.c their mappings, size and build
 */
#ifndef ICTL_SPEC_INTERNAL_H
#define ICTL_SPEC_INTERNAL_H

#include "internal.h"
#include "spec.h"

enum ynode_kind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ynode_kind kind;
	struct ictl_spec_pos pos;
	bool plain;		/* scalar: written without quotes */
	char *text;		/* scalar: NUL-terminated */
	size_t n;		/* seq: items; map: pairs */
	struct ynode **items;	/* seq: n items; map: key, value, key, value, ... */
};

/* The limits the tree keeps, whatever the file holds. */
#define Y_DEPTH_MAX 32
#define Y_NODES_MAX 200000
#define Y_SCALAR_MAX 4096

/* Parse YAML into a tree (*root NULL for a file with no document); errors as spec_err(). */
int spec_yaml_load(struct ictl_ctx *ctx, struct ictl_spec *s, const char *buf, size_t len,
		   struct ynode **root);
void spec_yaml_free(struct ynode *n);

/* A plain null: "", "~" or "null" written without quotes. */
bool ynode_is_null(const struct ynode *n);
/* The value of key in a map, or NULL. */
struct ynode *ynode_get(const struct ynode *map, const char *key);
const char *ynode_kind_name(const struct ynode *n);

/*
 * Record an error at pos (path may be "" for none): the context gets
 * "FILE:LINE:COLUMN: PATH: message", s->err_* the parts.  Returns -EINVAL.
 */
int spec_err(struct ictl_ctx *ctx, struct ictl_spec *s, struct ictl_spec_pos pos, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The parse passes after the top level (spec-objs.c). */
struct spec_pc;
int spec_parse_hwpts(struct spec_pc *pc, const struct ynode *list);
int spec_parse_faults(struct spec_pc *pc, const struct ynode *list);
int spec_parse_viommus(struct spec_pc *pc, const struct ynode *list);
int spec_parse_vdevices(struct spec_pc *pc, const struct ynode *list);
int spec_parse_veventqs(struct spec_pc *pc, const struct ynode *list);
int spec_parse_attach(struct spec_pc *pc, const struct ynode *list);
int spec_resolve(struct spec_pc *pc);
/* One entry of page_tables: (spec-pt.c). */
int spec_parse_ptable(struct spec_pc *pc, const struct ynode *e);

/* What spec-parse.c shares with spec-objs.c: the state of one parse. */
struct spec_pc {
	struct ictl_ctx *ctx;
	struct ictl_spec *s;
	char path[96];		/* where we are: "hwpts[1].flags" */
};

/* Append ".key" or "[i]" to the path; restore with path_pop(pc, saved). */
size_t spec_path_key(struct spec_pc *pc, const char *key);
size_t spec_path_idx(struct spec_pc *pc, size_t i);
void spec_path_pop(struct spec_pc *pc, size_t saved);

/* Field readers: each names the key and its position on error. */
int spec_err_at(struct spec_pc *pc, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int spec_check_keys(struct spec_pc *pc, const struct ynode *map, const char *const *allowed);
int spec_need_map(struct spec_pc *pc, const struct ynode *n, const char *what);
int spec_need_seq(struct spec_pc *pc, const struct ynode *n, const char *what);
int spec_need_scalar(struct spec_pc *pc, const struct ynode *n);
/* A scalar as a name, or as a number (size: with K/M/G/T) within [min, max]. */
int spec_read_name(struct spec_pc *pc, const struct ynode *v, char name[ICTL_SPEC_NAME_MAX]);
int spec_read_num(struct spec_pc *pc, const struct ynode *v, bool size, uint64_t min,
		  uint64_t max, uint64_t *out);
int spec_get_name(struct spec_pc *pc, const struct ynode *map, bool required,
		  char name[ICTL_SPEC_NAME_MAX], struct ictl_spec_pos *pos);
int spec_get_ref(struct spec_pc *pc, const struct ynode *map, const char *key,
		 struct ictl_spec_ref *ref);
int spec_get_num(struct spec_pc *pc, const struct ynode *map, const char *key, bool size,
		 uint64_t min, uint64_t max, struct ictl_spec_num *out);
int spec_get_bool(struct spec_pc *pc, const struct ynode *map, const char *key,
		  enum ictl_tristate *out, struct ictl_spec_pos *pos);

/* One word of a closed set. */
struct spec_word {
	const char *name;
	uint64_t value;
};
/* n (a scalar) as one of words[] (NULL-terminated); the error lists them. */
int spec_get_word(struct spec_pc *pc, const struct ynode *n, const struct spec_word *words,
		  uint64_t *value);
/*
 * A list of words, OR'd; bitpos and bitidx (optional, nbit entries by bit
 * number) get each word's position and index in the list.
 */
int spec_get_flags(struct spec_pc *pc, const struct ynode *n, const struct spec_word *words,
		   uint32_t *flags, struct ictl_spec_pos *bitpos, uint8_t *bitidx, size_t nbit);

/*
 * Grow an array by a zeroed element, doubling its room when it is full (the
 * room is the next power of two of *n); NULL on ENOMEM.  spec_push() also
 * sets the message.
 */
void *spec_grow(void *arrayp, size_t *n, size_t size);
void *spec_push(struct spec_pc *pc, void *arrayp, size_t *n, size_t size);

/* Build a nested HWPT's driver data through its vendor (spec-nested.c). */
int spec_nested_build(struct spec_pc *pc, struct ictl_spec_hwpt *h, size_t idx);
/* The data types, vIOMMU types and vEVENTQ types by name (uAPI numbers). */
extern const struct spec_word spec_data_types[], spec_viommu_types[], spec_veventq_types[];

/* --- checks (spec-check.c, spec-objs-check.c, spec-host.c) ----------------------------- */

struct spec_span;

struct spec_chk {
	struct ictl_ctx *ctx;
	const struct ictl_spec *s;
	const struct ictl_spec_env *env;
	struct ictl_spec_findings *out;
	int err;		/* -ENOMEM once a finding could not be stored */
	struct spec_span **fixed;	/* per IOAS: its fixed mappings, sorted by IOVA */
	size_t *nfixed;
	int *attach_ioas;		/* per attach: spec_attach_ioas() */
};

/* Add a finding; path and source may be "" (source: where a host fact came from). */
void spec_finding(struct spec_chk *c, enum ictl_spec_severity sev, enum ictl_spec_class cls,
		  struct ictl_spec_pos pos, const char *path, const char *source, const char *fmt,
		  ...) __attribute__((format(printf, 7, 8)));
/* The objects' checks (spec-objs-check.c), and the host's (spec-host.c; only with an env). */
void spec_check_objs(struct spec_chk *c);
void spec_check_host(struct spec_chk *c);
/* The mock device that puts IOAS i behind the mock domain's aperture, or -1. */
int spec_mock_in_ioas(const struct spec_chk *c, size_t i);
/*
 * The memory of the page tables in IOAS i (spec-pt-build.c): apply maps it
 * before the IOAS's mappings, so the kernel places those around it.  *n
 * spans; NULL on ENOMEM (or none: *n 0).
 */
struct spec_span *spec_pt_spans(const struct ictl_spec *s, size_t i, size_t *n);
/* The page tables' checks (spec-pt-check.c). */
void spec_check_ptables(struct spec_chk *c);

/* An inclusive interval, for the IOVA arithmetic both check files do. */
struct spec_span {
	uint64_t start, last;
	size_t who;		/* the caller's index (a mapping, a region) */
};
/*
 * Where the kernel would put the IOAS's mappings without iova: (first fit,
 * as iopt_alloc_iova() does, in the IOAS's allow ranges or anywhere, around
 * the fixed mappings and extra (reserved regions), inside window when not
 * NULL).  0 when every one fits; 1 with *failed the first that does not;
 * -ENOMEM.
 */
int spec_span_cmp(const void *a, const void *b);
/* The span of a mapping with a fixed IOVA (false without one, or past 2^64). */
bool spec_map_span(const struct ictl_spec_mapping *m, struct spec_span *sp, size_t who);
/* The fixed mappings of an IOAS, sorted by IOVA; *n of them; NULL on ENOMEM. */
struct spec_span *spec_fixed_spans(const struct ictl_spec_ioas *io, size_t *n);
/* Sort and merge spans that overlap or touch, in place; the new count. */
size_t spec_merge(struct spec_span *v, size_t n);
int spec_place_auto(const struct ictl_spec_ioas *io, const struct spec_span *extra, size_t nextra,
		    const struct spec_span *window, size_t *failed);
/* The IOAS a device attached with attach[i] (no PASID) ends up in; -1 when none. */
int spec_attach_ioas(const struct ictl_spec *s, const struct ictl_spec_attach *a);

#endif /* ICTL_SPEC_INTERNAL_H */
