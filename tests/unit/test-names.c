// SPDX-License-Identifier: GPL-2.0-or-later
/* Names typed by users (src/lib/names.c), and the error helpers of the context. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static void pci_names(struct ictl_ctx *ctx)
{
	static const struct {
		const char *in, *canon;
	} good[] = {
		{ "0000:00:03.0", "0000:00:03.0" },
		{ "00:03.0", "0000:00:03.0" },
		{ "0001:ff:1f.7", "0001:ff:1f.7" },
		{ "ABCD:0A:1F.7", "abcd:0a:1f.7" },
		{ "00010000:00:00.0", "10000:00:00.0" },	/* as sysfs names it: %04x */
	};
	static const char *const bad[] = {
		"", "0", "00:03", "00:03.8", "00:20.0", "0:00:03.0", "000:00:03.0", "0000:00:03.0x",
		" 00:03.0", "00:03.0 ", "0000:0:03.0", "0000:00:3.0", "g0:00.0", "0000:00:03.-1",
		"../../etc", "0000:00:03.0/..", "1000000:00:00.0",
	};
	char canon[ICTL_NAME_MAX];
	struct ictl_pci_addr a;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int r = ictl_parse_pci_name(ctx, good[i].in, &a, canon);

		if (is_int(r, 0, "PCI address '%s' is accepted", good[i].in))
			is_str(canon, good[i].canon, "'%s' canonicalises", good[i].in);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = ictl_parse_pci_name(ctx, bad[i], &a, canon);

		is_int(r, -EINVAL, "'%s' is refused as a PCI address", bad[i]);
		ok(strlen(ictl_strerror(ctx)) > 10, "  ...with a message (%s)", ictl_strerror(ctx));
	}
	ictl_parse_pci_name(ctx, "00:1f.3", &a, canon);
	ok(a.domain == 0 && a.bus == 0 && a.dev == 0x1f && a.fn == 3, "00:1f.3 parses into its fields");
}

static void group_ids(struct ictl_ctx *ctx)
{
	static const char *const bad[] = { "", "-1", "+1", "01", "1a", "2147483648", "99999999999",
					   " 1", "1 " };
	unsigned int id;

	is_int(ictl_parse_group_id(ctx, "0", &id), 0, "group 0 is accepted");
	is_int(ictl_parse_group_id(ctx, "2147483647", &id), 0, "group 2^31-1 is accepted");
	is_int(id, 2147483647, "  ...and parses");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ok(ictl_parse_group_id(ctx, bad[i], &id) < 0, "group '%s' is refused", bad[i]);
}

static void device_names(struct ictl_ctx *ctx)
{
	char canon[ICTL_NAME_MAX];

	is_int(ictl_parse_device_name(ctx, "9050000.smmuv3", canon), 0, "a platform name is accepted");
	is_str(canon, "9050000.smmuv3", "  ...as it is");
	ok(ictl_parse_device_name(ctx, "a/b", canon) < 0, "a name with a slash is refused");
	ok(ictl_parse_device_name(ctx, "..", canon) < 0, "'..' is refused");
	ok(ictl_parse_device_name(ctx, "a:b", canon) < 0, "a name with a colon must be a PCI address");
}

static void errors(struct ictl_ctx *ctx)
{
	int r;

	ictl_err(ctx, EIO, "writing %s failed", "driver_override");
	/* The current message as an argument of the next one must not be garbled. */
	r = ictl_err(ctx, EIO, "claim failed; ROLLBACK FAILED: %s; run recover", ctx->err);
	is_int(r, -EIO, "ictl_err returns -err");
	is_str(ictl_strerror(ctx), "claim failed; ROLLBACK FAILED: writing driver_override failed; run recover",
	       "ictl_err may quote the current message");
	ictl_err(ctx, ENOENT, "no such file");
	r = ictl_err_wrap(ctx, ENOENT, "restoring %s", "0000:00:04.0");
	is_int(r, -ENOENT, "ictl_err_wrap returns -err");
	is_str(ictl_strerror(ctx), "restoring 0000:00:04.0: no such file", "ictl_err_wrap chains");
	ctx->err[0] = '\0';
	ictl_err_wrap(ctx, EBUSY, "binding");
	is_str(ictl_strerror(ctx), "binding: Device or resource busy",
	       "ictl_err_wrap without a message names the errno");
	/* a caller that wants the errno alone passes no context (spec_pt_spans) */
	is_int(ictl_err(NULL, EFBIG, "table %s", "gt"), -EFBIG, "ictl_err without a context: -err");
	is_int(ictl_err_data(NULL, EINVAL, "x"), -EINVAL, "ictl_err_data too");
	is_int(ictl_err_wrap(NULL, EIO, "x"), -EIO, "ictl_err_wrap too");
}

int main(void)
{
	struct ictl_ctx *ctx;

	if (ictl_ctx_new(&ctx, NULL) < 0) {
		/* The library needs /sys; the names do not, but the context does. */
		printf("1..0 # skip no /sys: %s\n", ctx ? ictl_strerror(ctx) : "out of memory");
		ictl_ctx_free(ctx);
		return 0;
	}
	pci_names(ctx);
	group_ids(ctx);
	device_names(ctx);
	errors(ctx);
	ictl_ctx_free(ctx);
	return done_testing();
}
