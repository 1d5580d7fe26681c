/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommuctl pt COMMAND: IO page tables.  The command table has a row "pt"
 * (CMD_GROUP) and a row per command, "pt-build" ... (CMD_SUB), which users
 * type as "iommuctl pt build".  What the pt-*.c files share.
 */
#ifndef ICTL_CMDS_PT_H
#define ICTL_CMDS_PT_H

#include "../lib/pt.h"

int cmd_pt(struct cli *cli);

/*
 * Where a table is read from: an image, or --raw/--elf with --format and
 * --root; or the table a structure points at: an SMMUv3 context descriptor
 * (--cd), an AMD GCR3 table (--gcr3, --pasid, --glx); or the kernel's own
 * table of a device, from Intel's debugfs (--debugfs, --pasid).
 */
struct pt_src_opts {
	const char *raw, *elf, *format, *base, *root, *cd, *gcr3, *pasid, *glx, *debugfs;
};

#define PT_OPT_RAW 0x400
#define PT_OPT_ELF (PT_OPT_RAW + 1)
#define PT_OPT_FORMAT (PT_OPT_RAW + 2)
#define PT_OPT_BASE (PT_OPT_RAW + 3)
#define PT_OPT_ROOT (PT_OPT_RAW + 4)
#define PT_OPT_CD (PT_OPT_RAW + 5)
#define PT_OPT_GCR3 (PT_OPT_RAW + 6)
#define PT_OPT_PASID (PT_OPT_RAW + 7)
#define PT_OPT_GLX (PT_OPT_RAW + 8)
#define PT_OPT_DEBUGFS (PT_OPT_RAW + 9)
/* clang-format off */
#define PT_SRC_OPTIONS \
	{ "raw", PT_OPT_RAW, "FILE", 0, "Read a raw memory dump (QEMU pmemsave) instead of an " \
	  "image; needs --base, --root, --format", 0 }, \
	{ "elf", PT_OPT_ELF, "CORE", 0, "Read an ELF core (QEMU dump-guest-memory) instead of " \
	  "an image; needs --root, --format", 0 }, \
	{ "base", PT_OPT_BASE, "ADDR", 0, "Physical address of the first byte of --raw FILE", 0 }, \
	{ "root", PT_OPT_ROOT, "ADDR", 0, "Address of the root table (an image's by default)", 0 }, \
	{ "format", PT_OPT_FORMAT, "FORMAT", 0, "Format of --raw/--elf tables: x86-64, vtd-ss, " \
	  "amd-v1, arm-lpae-s1, with ,KEY=VALUE parameters", 0 }, \
	{ "cd", PT_OPT_CD, "ADDR", 0, "The table of the SMMUv3 context descriptor at ADDR (its " \
	  "format and root come from it)", 0 }, \
	{ "gcr3", PT_OPT_GCR3, "ADDR", 0, "The guest (x86-64) table of --pasid in the AMD GCR3 " \
	  "table at ADDR", 0 }, \
	{ "debugfs", PT_OPT_DEBUGFS, "DEVICE", 0, "Read the kernel's live table of DEVICE from " \
	  "Intel's IOMMU debugfs (root; --format to override the format it infers)", 0 }, \
	{ "pasid", PT_OPT_PASID, "PASID", 0, "With --gcr3: the PASID (default 0); with " \
	  "--debugfs: the table attached to that PASID of DEVICE", 0 }, \
	{ "glx", PT_OPT_GLX, "N", 0, "With --gcr3: its levels minus one, the DTE's GLX " \
	  "(default 0)", 0 }
/* clang-format on */

/* Handle a source option; ARGP_ERR_UNKNOWN when key is not one. */
error_t pt_src_parse(int key, char *arg, struct pt_src_opts *o);
/* Check the combination at ARGP_KEY_END (image is the positional argument, or NULL). */
void pt_src_check(struct argp_state *state, const struct pt_src_opts *o, const char *image);

struct pt_source {
	struct ictl_pt_cfg cfg;
	struct ictl_pt_image img;
	struct ictl_pt_elf elf;
	struct ictl_pt_dbgfs *dbg; /* --debugfs */
	struct ictl_pt_span span;
	struct ictl_pt_src src;
	uint64_t root;
	char what[320]; /* "image t.img" */
};

/* Open a source; 0, or the exit code after reporting the error. */
int pt_source_open(struct cli *cli, const struct pt_src_opts *o, const char *image,
		   struct pt_source *s);
void pt_source_close(struct pt_source *s);
/* A number typed by the user (0x hex, decimal, K/M/G/T); argp error otherwise. */
uint64_t pt_arg_num(struct argp_state *state, const char *opt, const char *arg);

int cmd_pt_build(struct cli *cli);
extern const struct argp_option pt_build_options[];
error_t pt_build_parse(int key, char *arg, struct argp_state *state);
struct pt_build_opts {
	const char *format, *output, *page_sizes, *base;
	bool with_cd, with_gcr3;
	const char *spec, *table;
};

/*
 * --spec SPEC [--table NAME] (pt build, pt validate): the two options (the
 * command says what --spec does), and their handling: pt_spec_parse() takes
 * them (ARGP_ERR_UNKNOWN for any other key); pt_spec_check(), at
 * ARGP_KEY_END, refuses --table without --spec.
 */
#define PT_OPT_SPEC (PT_OPT_RAW + 10)
#define PT_OPT_TABLE (PT_OPT_RAW + 11)
/* clang-format off */
#define PT_SPEC_OPTIONS(spec_help) \
	{ "spec", PT_OPT_SPEC, "SPEC", 0, spec_help, 0 }, \
	{ "table", PT_OPT_TABLE, "NAME", 0, "With --spec: which table (default: the only one)", 0 }
/* clang-format on */
error_t pt_spec_parse(int key, char *arg, const char **spec, const char **table);
void pt_spec_check(struct argp_state *state, const char *spec, const char *table);

#include "../lib/spec.h"
/*
 * --spec SPEC [--table NAME] (pt build, pt validate): load SPEC, check it
 * (its first error is the command's, exit 2), and find the table (NAME, or
 * the only one); *idx.  0, or the exit code after reporting.
 */
int pt_spec_table(struct cli *cli, const char *spec, const char *table, struct ictl_spec *s,
		  size_t *idx);

int cmd_pt_dump(struct cli *cli);
extern const struct argp_option pt_dump_options[];
error_t pt_dump_parse(int key, char *arg, struct argp_state *state);
struct pt_dump_opts {
	struct pt_src_opts src;
	bool tree, svg;
	const char *reserved;
};

int cmd_pt_validate(struct cli *cli);
extern const struct argp_option pt_validate_options[];
error_t pt_validate_parse(int key, char *arg, struct argp_state *state);
struct pt_validate_opts {
	struct pt_src_opts src;
	const char *mappings, *page_sizes, *hw_info, *type, *reserved, *group;
	const char *spec, *table;
	bool held; /* --held [--pid PID] [--ioas NAME]: a held IOAS's mappings */
	const char *pid, *ioas;
	struct {
		long pid;
		uint32_t ioas_id;
		char ioas[64];
		uint64_t maps, pages, unknown;
	} held_got; /* for the report */
	char what[300]; /* what the mappings are, for the report: FILE, or "SPEC table NAME" */
};

int cmd_pt_diff(struct cli *cli);

/* Reserved regions from a file in the kernel's reserved_regions format (pt-validate.c). */
int pt_load_reserved(struct cli *cli, const char *path, struct ictl_pt_resv **out, size_t *n);

/* The SVG map of a table's translations (pt-svg.c); 0 or the exit code. */
int pt_svg(struct cli *cli, struct pt_source *s, const struct ictl_pt_resv *resv, size_t nresv);

#endif /* ICTL_CMDS_PT_H */
