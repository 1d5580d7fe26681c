// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal of an ownership transaction (src/lib/owner-journal.c): its text,
 * compatible with what earlier versions wrote; the records a transaction
 * starts from (a claim, a re-claim, a persisted claim, a release); the file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "internal.h"
#include "owner-journal.h"
#include "tap.h"
#include "tmptree.h"

/* A claim of group 11 as iommuctl 0.1 wrote it (owner-txn.c, before the split). */
static const char claiming[] = "iommuctl-journal 1\n"
			       "group 11\n"
			       "phase claiming\n"
			       "target vfio-pci\n"
			       "pid 4242\n"
			       "member 0000:00:1f.0 driver lpc_ich override -\n"
			       "member 0000:00:1f.2 driver ahci override vfio-pci\n"
			       "member 0000:00:1f.3 driver - override -\n";

/* Parse a copy of text as group's journal file "F"; the message is left in ctx. */
static int parse_as(struct ictl_ctx *ctx, unsigned int group, const char *text, size_t len,
		    struct own_journal *j)
{
	char *copy = malloc(len + 1);
	int r;

	*j = (struct own_journal){ .group = group };
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	r = journal_parse(ctx, "F", copy, len, j);
	free(copy);
	return r;
}

static void parse(struct ictl_ctx *ctx)
{
	struct own_journal j;

	is_int(parse_as(ctx, 11, claiming, strlen(claiming), &j), 0,
	       "a journal of today's format parses");
	is_str(j.phase, "claiming", "  its phase");
	is_str(j.target, "vfio-pci", "  its target");
	if (is_int(j.n, 3, "  its three members")) {
		is_str(j.v[0].device, "0000:00:1f.0", "  member 1: the device");
		is_str(j.v[0].driver, "lpc_ich", "  member 1: the driver");
		is_str(j.v[0].override, "", "  member 1: '-' is no override");
		is_str(j.v[1].override, "vfio-pci", "  member 2: an override");
		is_str(j.v[2].driver, "", "  member 3: '-' is no driver");
	}
	ok(journal_find(&j, "0000:00:1f.2") == &j.v[1], "journal_find finds a member");
	ok(journal_find(&j, "0000:00:1f.4") == NULL, "  ...and not one that is absent");
	journal_clear(&j);
	ok(j.v == NULL && j.n == 0, "journal_clear empties it");

	static const char release[] = "iommuctl-journal 1\ngroup 7\nphase releasing\ntarget -\npid 9\n"
				      "member 0000:01:00.0 driver * override -\n";
	is_int(parse_as(ctx, 7, release, strlen(release), &j), 0, "a release parses");
	is_str(j.target, "", "  target '-' is none");
	ok(j.n == 1 && !strcmp(j.v[0].driver, "*"), "  driver '*' (the kernel's probe) is kept");
	journal_clear(&j);
}

/* Every way a journal can differ from what iommuctl writes is refused, naming file and line. */
static void refuse(struct ictl_ctx *ctx)
{
	static const struct {
		const char *text, *msg, *what;
	} bad[] = {
		{ "", "F line 1: missing: the journal is empty", "an empty file" },
		{ "iommuctl-journal 1\ngroup 11\n", "F line 3: missing: the journal ends in its header",
		  "a header cut short" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed", "F line 3: cut short",
		  "a last line without its newline" },
		{ "iommuctl-journal 2\n", "F line 1: a journal version this iommuctl does not read",
		  "another version" },
		{ "hello\n", "F line 1: not 'iommuctl-journal ...'", "not a journal" },
		{ "iommuctl-journal 1\ngroup 4294967307\n", "F line 2: the group is not a number",
		  "2^32+11 does not wrap to 11" },
		{ "iommuctl-journal 1\ngroup 011\n", "F line 2: the group is not a number",
		  "a leading zero" },
		{ "iommuctl-journal 1\ngroup 12\n", "F line 2: says group 12, its name group 11",
		  "another group than its name's" },
		{ "iommuctl-journal 1\ngroup 11\nphase undoing\n", "F line 3: an unknown phase",
		  "an unknown phase" },
		{ "iommuctl-journal 1\ngroup 11\ntarget x\n", "F line 3: not 'phase ...'",
		  "the header out of order" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget a;b\n",
		  "F line 4: a target driver iommuctl does not write", "a target with ';'" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget -\npid 0\n",
		  "F line 5: the pid is not a number", "pid 0" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget -\npid 1\nnext x\n",
		  "F line 6: not 'member", "a line iommuctl does not write" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget -\npid 1\n"
		  "member 0:1f.0 driver - override -\n",
		  "F line 6: the member is not a PCI address", "a member in short form" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget -\npid 1\n"
		  "member 0000:00:1f.0 driver  - override -\n",
		  "F line 6: not 'member", "two spaces" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget -\npid 1\n"
		  "member 0000:00:1f.0 driver $(x) override -\n",
		  "F line 6: a driver name iommuctl does not write", "a driver with shell characters" },
		{ "iommuctl-journal 1\ngroup 11\nphase claimed\ntarget -\npid 1\n"
		  "member 0000:00:1f.0 driver - override -\nmember 0000:00:1f.0 driver - override -\n",
		  "F line 7: member 0000:00:1f.0 is named twice", "a member named twice" },
	};
	struct own_journal j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse_as(ctx, 11, bad[i].text, strlen(bad[i].text), &j), -EINVAL,
		       "refused: %s", bad[i].what);
		ok(!strncmp(ictl_strerror(ctx), bad[i].msg, strlen(bad[i].msg)), "  '%s...'",
		   bad[i].msg);
		journal_clear(&j);
	}
	is_int(parse_as(ctx, 11, "iommuctl-journal 1\n\0group 11\n", 28, &j), -EINVAL,
	       "refused: a NUL byte");
	ok(strstr(ictl_strerror(ctx), "F line 2: a NUL byte") != NULL, "  naming its line");
	journal_clear(&j);
}

static void format(struct ictl_ctx *ctx)
{
	struct own_jrec recs[] = {
		{ "0000:00:1f.0", "lpc_ich", "" },
		{ "0000:00:1f.2", "ahci", "vfio-pci" },
		{ "0000:00:1f.3", "", "" },
	};
	struct own_journal j = { .group = 11, .phase = "claiming", .target = "vfio-pci",
				 .n = 3, .v = recs };
	struct own_journal back = { .group = 11 };
	char *text = journal_format(&j, 4242);

	is_str(text, claiming, "journal_format writes today's format, byte for byte");
	if (text && is_int(journal_parse(ctx, "F", text, strlen(text), &back), 0,
			   "  ...which parses back")) {
		ok(back.n == 3 && !memcmp(back.v, recs, sizeof(recs)), "  to the same records");
		is_str(back.phase, "claiming", "  and the same phase");
	}
	journal_clear(&back);
	free(text);
	j = (struct own_journal){ .group = 3, .phase = "releasing" };
	text = journal_format(&j, 1);
	is_str(text, "iommuctl-journal 1\ngroup 3\nphase releasing\ntarget -\npid 1\n",
	       "a release without members: target '-'");
	free(text);
}

/* A plan of three members: one on e1000e, one on vfio-pci already, one without a driver. */
static void plan_members(struct ictl_own_member m[3])
{
	memset(m, 0, 3 * sizeof(*m));
	strcpy(m[0].device, "0000:00:02.0");
	strcpy(m[0].driver, "e1000e");
	strcpy(m[1].device, "0000:02:00.0");
	strcpy(m[1].driver, "vfio-pci");
	strcpy(m[1].driver_override, "vfio-pci");
	strcpy(m[2].device, "0000:03:00.0");
	for (int i = 0; i < 3; i++) {
		strcpy(m[i].want_driver, "vfio-pci");
		strcpy(m[i].want_override, "vfio-pci");
	}
}

static void records(void)
{
	struct ictl_own_member m[3];
	struct ictl_own_plan p = { .group = 5, .nmembers = 3, .members = m };
	struct own_jrec first[] = { { "0000:02:00.0", "igb", "" } };
	struct own_journal j = { 0 }, prev = { .n = 1, .v = first };

	plan_members(m);
	is_int(journal_fill(&j, &p, NULL, false), 0, "a claim records each member as it is now");
	ok(j.n == 3 && !strcmp(j.v[0].driver, "e1000e") && !strcmp(j.v[0].override, "") &&
		   !strcmp(j.v[1].driver, "vfio-pci") && !strcmp(j.v[2].driver, ""),
	   "  driver and override of every member");
	journal_clear(&j);

	is_int(journal_fill(&j, &p, &prev, false), 0,
	       "a re-claim records from the first claim's journal");
	ok(!strcmp(j.v[1].driver, "igb") && !strcmp(j.v[1].override, ""),
	   "  a member still on VFIO keeps its original driver (igb), not vfio-pci");
	ok(!strcmp(j.v[0].driver, "e1000e"), "  a member back on its driver is recorded as it is");
	journal_clear(&j);

	m[1].want_any = true;
	strcpy(m[0].want_driver, "e1000e");
	m[0].want_override[0] = '\0';
	is_int(journal_fill(&j, &p, NULL, true), 0, "a release records where each member goes");
	ok(!strcmp(j.v[0].driver, "e1000e") && !strcmp(j.v[0].override, ""),
	   "  the recorded driver");
	is_str(j.v[1].driver, "*", "  any non-VFIO driver is '*'");
	journal_clear(&j);

	/* claim --persisted: the rule had set the override to the target before anything ran */
	plan_members(m);
	strcpy(m[0].driver_override, "vfio-pci");
	strcpy(m[2].driver_override, "vfio-pci");
	journal_fill(&j, &p, NULL, false);
	journal_from_rule(&j, "vfio-pci");
	ok(!strcmp(j.v[0].override, "") && !strcmp(j.v[0].driver, "e1000e"),
	   "persisted: the rule's override is not the original; the driver stays");
	ok(!strcmp(j.v[1].override, "") && !strcmp(j.v[1].driver, "*"),
	   "persisted: a member the rule found on VFIO goes back to the kernel's probe");
	is_str(j.v[2].driver, "*", "persisted: so does one the rule found without a driver");
	journal_clear(&j);
}

static void file(struct ictl_ctx *ctx, const char *root)
{
	char dir[PATH_MAX];
	struct own_jrec recs[] = { { "0000:03:00.0", "", "" } };
	struct own_journal j = { .group = 11, .phase = "claimed", .target = "vfio-pci", .n = 1,
				 .v = recs };
	struct own_journal back;
	int dfd;

	snprintf(dir, sizeof(dir), "%s/state", root);
	setenv("IOMMUCTL_STATE_DIR", dir, 1);
	is_int(own_state_dir(ctx, false), -ENOENT, "no state directory: -ENOENT, nothing created");
	journal_peek(ctx, 11, &back);
	ok(back.n == 0 && !back.phase[0], "  journal_peek gives an empty journal");
	dfd = own_state_dir(ctx, true);
	ok(dfd >= 0, "own_state_dir creates it");
	if (dfd < 0)
		return;
	is_int(journal_read(ctx, dfd, 11, &back), -ENOENT, "no journal yet: -ENOENT");
	is_int(journal_write(ctx, dfd, &j), 0, "journal_write");
	if (is_int(journal_read(ctx, dfd, 11, &back), 0, "  journal_read reads it back"))
		ok(back.n == 1 && !strcmp(back.phase, "claimed") && !strcmp(back.target, "vfio-pci"),
		   "  as it was written");
	journal_clear(&back);
	journal_remove(dfd, 11);
	is_int(journal_read(ctx, dfd, 11, &back), -ENOENT, "journal_remove removes it");
	close(dfd);
}

int main(void)
{
	char root[PATH_MAX];
	struct ictl_ctx *ctx = NULL;

	if (tree_new(root, sizeof(root)) < 0) {
		printf("1..0 # skip cannot make a directory under $TMPDIR: %s\n", strerror(errno));
		return 0;
	}
	if (ictl_ctx_new(&ctx, root) < 0) {
		printf("not ok 1 - a context for %s: %s\n", root,
		       ctx ? ictl_strerror(ctx) : "no memory");
		ictl_ctx_free(ctx);
		tree_remove(root);
		return 1;
	}
	parse(ctx);
	refuse(ctx);
	format(ctx);
	records();
	file(ctx, root);
	ictl_ctx_free(ctx);
	tree_remove(root);
	return done_testing();
}
