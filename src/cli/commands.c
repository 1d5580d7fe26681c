// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one command table.  It drives dispatch, --help, 'iommuctl help CMD',
 * --list-cmds, the generated completions and the man-page checks in tests/.
 */
#include <stdio.h>
#include <string.h>

#include "../cmds/cmds.h"

static const struct command commands[] = {
	{
		.name = "doctor",
		.summary = "Is this host ready for device passthrough, and what exactly to fix",
		.args_doc = "[DEVICE|GROUP...]",
		.doc = "Checks the firmware's IOMMU tables, the kernel (IOMMU driver, command line, default "
		       "domains, interrupt remapping, allow_unsafe_interrupts, vfio-pci, iommufd, VFIO cdevs "
		       "and container), the locked-memory limit and hugepages against --memory, and for each "
		       "DEVICE or GROUP whether it can be claimed now and whether its group can split. Each "
		       "check says ok, warn, FAIL or skip, what it read, and the fix. Changes nothing. "
		       "Exit 0: ready; 1: a check fails; 8: only warnings remain.",
		.fn = cmd_doctor,
		.options = doctor_options,
		.parser = doctor_parse,
		.opts_size = sizeof(struct doctor_opts),
		.max_args = 64,
		.arg_kind = ARG_DEVICE_OR_GROUP,
	},
	{
		.name = "groups",
		.summary = "List IOMMU groups: devices, default domain type, VFIO viability",
		.doc = "A group is viable when no member is bound to a driver that uses the kernel's DMA API "
		       "(vfio-pci and its variants, pci-stub and pcieport do not).",
		.fn = cmd_groups,
		.options = groups_options,
		.parser = groups_parse,
		.opts_size = sizeof(struct groups_opts),
		.flags = CMD_TABLE | CMD_FILTER | CMD_SNAPSHOT,
		.columns = groups_columns,
	},
	{
		.name = "devices",
		.summary = "List devices with their driver, IOMMU unit and group",
		.fn = cmd_devices,
		.flags = CMD_TABLE | CMD_FILTER | CMD_SNAPSHOT,
		.columns = devices_columns,
	},
	{
		.name = "show",
		.summary = "Show all that is known about one group or device",
		.args_doc = "GROUP|DEVICE",
		.doc = "GROUP is a number; DEVICE a PCI address (0000:00:03.0 or 00:03.0).",
		.fn = cmd_show,
		.min_args = 1,
		.max_args = 1,
		.flags = CMD_SNAPSHOT,
		.arg_kind = ARG_DEVICE_OR_GROUP,
	},
	{
		.name = "iommus",
		.summary = "List IOMMU units and the groups each one serves",
		.fn = cmd_iommus,
		.flags = CMD_TABLE | CMD_SNAPSHOT,
		.columns = iommus_columns,
	},
	{
		.name = "explain",
		.summary = "Explain from PCI config space why devices share a group",
		.args_doc = "GROUP",
		.doc = "Reads the ACS capability of each member and of every port and bridge above it "
		       "(run as root: ACS lives in extended config space), and names the link that breaks isolation.",
		.fn = cmd_explain,
		.min_args = 1,
		.max_args = 1,
		.flags = CMD_SNAPSHOT,
		.arg_kind = ARG_GROUP,
	},
	{
		.name = "hw-info",
		.summary = "Decode the IOMMU hardware information behind a device (IOMMU_GET_HW_INFO)",
		.args_doc = "DEVICE",
		.doc = "With iommufd the device must be on vfio-pci (it is bound to a fresh iommufd and "
		       "released); without iommufd, or with --sysfs, the registers sysfs shows are decoded "
		       "(Intel cap/ecap, AMD EFR). --raw decodes a saved driver-data blob.",
		.fn = cmd_hw_info,
		.options = hw_info_options,
		.parser = hw_info_parse,
		.opts_size = sizeof(struct hw_info_opts),
		.max_args = 1,
		.arg_kind = ARG_DEVICE,
	},
	{
		.name = "caps",
		.summary = "What a device's IOMMU lets you do: a checklist, each answer with its source",
		.args_doc = "DEVICE",
		.doc = "Paging domains, nest parent, nested stage-1 formats and widths, dirty tracking, "
		       "PASID and its width, ATS, page sizes: from the registers (as hw-info reads them) "
		       "and, with iommufd, from the kernel itself.",
		.fn = cmd_caps,
		.options = caps_options,
		.parser = caps_parse,
		.opts_size = sizeof(struct caps_opts),
		.min_args = 1,
		.max_args = 1,
		.arg_kind = ARG_DEVICE,
		.flags = CMD_TABLE,
		.columns = caps_columns,
	},
	{
		.name = "claim",
		.summary = "Hand every device of a group to vfio-pci, as one transaction",
		.args_doc = "DEVICE|GROUP [-- COMMAND [ARG...]]",
		.doc = "Resolves the whole group, refuses when a member is in use (unless --force), records "
		       "each endpoint's driver and driver_override in a journal, binds it to the VFIO driver "
		       "and verifies; any failure rolls back every step. Bridges and ports are left alone. "
		       "--hold then takes DMA ownership (binds the VFIO cdevs to an iommufd, or the legacy "
		       "group to a container) until SIGINT or SIGTERM; -- COMMAND runs a command with the "
		       "iommufd on fd 3 and the devices on fds 4 and on, and releases when it exits.",
		.fn = cmd_claim,
		.options = claim_options,
		.parser = claim_parse,
		.opts_size = sizeof(struct claim_opts),
		.min_args = 1,
		.max_args = 1,
		.arg_kind = ARG_DEVICE_OR_GROUP,
		.flags = CMD_EXEC,
	},
	{
		.name = "release",
		.summary = "Give a claimed group back to the drivers it had",
		.args_doc = "DEVICE|GROUP",
		.doc = "Restores the drivers and driver_override recorded by claim (the kernel's default probe "
		       "when there is no record), and verifies.",
		.fn = cmd_release,
		.options = release_options,
		.parser = release_parse,
		.opts_size = sizeof(struct release_opts),
		.min_args = 1,
		.max_args = 1,
		.arg_kind = ARG_DEVICE_OR_GROUP,
	},
	{
		.name = "status",
		.summary = "Who owns each group's DMA: the kernel, userspace, or a process holding it",
		.args_doc = "[DEVICE|GROUP]",
		.fn = cmd_status,
		.max_args = 1,
		.arg_kind = ARG_DEVICE_OR_GROUP,
		.flags = CMD_TABLE | CMD_SNAPSHOT,
		.columns = status_columns,
	},
	{
		.name = "persist",
		.summary = "Make a group's claim survive a reboot (a udev rule per device), or undo it",
		.args_doc = "DEVICE|GROUP\n--list",
		.doc = "The group must be claimed. For each endpoint, keyed by its PCI address, a rule in "
		       "/etc/udev/rules.d sets driver_override before the native driver's module is loaded "
		       "at boot, loads the VFIO driver, and runs 'iommuctl claim' when the device is "
		       "bound already. --remove deletes the rules and leaves the group claimed.",
		.fn = cmd_persist,
		.options = persist_options,
		.parser = persist_parse,
		.opts_size = sizeof(struct persist_opts),
		.max_args = 1,
		.arg_kind = ARG_DEVICE_OR_GROUP,
		.flags = CMD_TABLE,
		.columns = persist_columns,
	},
	{
		.name = "recover",
		.summary = "Finish or undo claims and releases that were interrupted",
		.doc = "Every claim and release does this for its group as it starts.",
		.fn = cmd_recover,
	},
	{
		.name = "monitor",
		.summary = "Stream group, device and driver events as they happen, until Ctrl-C",
		.args_doc = "[GROUP|DEVICE...]",
		.doc = "One line per event (--json: one JSON object per line): devices added and "
		       "removed, bound and unbound, groups added and removed, VFIO nodes added and "
		       "removed, groups claimed (every endpoint on a VFIO driver) and released. "
		       "GROUP and DEVICE arguments keep only their events. The live system only.",
		.fn = cmd_monitor,
		.options = monitor_options,
		.parser = monitor_parse,
		.opts_size = sizeof(struct monitor_opts),
		.max_args = 64,
		.arg_kind = ARG_DEVICE_OR_GROUP,
	},
	{
		.name = "pt",
		.summary = "IO page tables: build, dump, validate and diff them",
		.args_doc = "COMMAND [ARG...]",
		.doc = "Commands: 'pt build' makes tables in a format from a mapping file; 'pt dump' "
		       "shows what a table translates, as ranges, entry by entry or as a picture; "
		       "'pt validate' checks a table against mappings, reserved regions and the "
		       "hardware; 'pt diff' compares two. 'iommuctl pt COMMAND --help' tells more.",
		.fn = cmd_pt,
		.max_args = 16,
		.arg_kind = ARG_FILE,
		.flags = CMD_GROUP | CMD_NO_CTX,
	},
	{
		.name = "pt-build",
		.summary = "Build IO page tables in a format from a mapping file, as an image",
		.args_doc = "MAPPINGS\n--spec SPEC [--table NAME]",
		.doc = "MAPPINGS has one mapping per line: IOVA SIZE PHYS PERMS [page=SIZE] ('-' reads "
		       "standard input). Each mapping gets the largest pages of --page-sizes that fit. "
		       "--spec builds a table of a spec's page_tables: as apply would.",
		.fn = cmd_pt_build,
		.options = pt_build_options,
		.parser = pt_build_parse,
		.opts_size = sizeof(struct pt_build_opts),
		.max_args = 1,
		.arg_kind = ARG_FILE,
		.flags = CMD_SUB,
	},
	{
		.name = "pt-dump",
		.summary = "Show what an IO page table translates: ranges, entries, or a map",
		.args_doc = "IMAGE\n--raw FILE --base ADDR --root ADDR --format FORMAT\n"
			    "--elf CORE --root ADDR --format FORMAT",
		.doc = "By default the translations merged into ranges (IOVA range, physical address, "
		       "size, pages, permissions); --tree every entry level by level with its bits "
		       "named; --svg a picture of the IOVA space.",
		.fn = cmd_pt_dump,
		.options = pt_dump_options,
		.parser = pt_dump_parse,
		.opts_size = sizeof(struct pt_dump_opts),
		.max_args = 1,
		.arg_kind = ARG_FILE,
		.flags = CMD_SUB,
	},
	{
		.name = "pt-validate",
		.summary = "Check an IO page table against mappings, reserved regions and the hardware",
		.args_doc = "IMAGE [--mappings FILE | --spec SPEC [--table NAME]]\n"
			    "--raw FILE --base ADDR --root ADDR --format FORMAT",
		.doc = "Each finding names the IOVA range, the entry, its level and the rule; the exit "
		       "status is 0 only when there is none.",
		.fn = cmd_pt_validate,
		.options = pt_validate_options,
		.parser = pt_validate_parse,
		.opts_size = sizeof(struct pt_validate_opts),
		.max_args = 1,
		.arg_kind = ARG_FILE,
		.flags = CMD_SUB,
	},
	{
		.name = "pt-diff",
		.summary = "What changed between two IO page tables",
		.args_doc = "A B",
		.doc = "Ranges added, removed, remapped, with other permissions or other pages; the "
		       "exit status is 1 when the translations differ.",
		.fn = cmd_pt_diff,
		.min_args = 2,
		.max_args = 2,
		.arg_kind = ARG_FILE,
		.flags = CMD_SUB,
	},
	{
		.name = "apply",
		.summary = "Make the iommufd objects a spec (a YAML file) describes, or check it",
		.args_doc = "SPEC [-- COMMAND [ARG...]]",
		.doc = "Checks SPEC (iommuctl-spec(5)) against itself and this host, claims the groups of "
		       "its devices for vfio-pci, then makes every object in one iommufd, in dependency "
		       "order; any failure undoes everything. --hold keeps the objects until SIGINT or "
		       "SIGTERM; -- COMMAND runs a command with the iommufd on fd 3, the device cdevs on "
		       "fds 4 and on, and the objects' ids by name in IOMMUCTL_OBJECTS; without either, "
		       "the objects are undone at once. --check only checks; --dry-run lists the steps. "
		       "Exit 2: the spec is wrong; 3: this host cannot do it; 4: a device is not there.",
		.fn = cmd_apply,
		.options = apply_options,
		.parser = apply_parse,
		.opts_size = sizeof(struct apply_opts),
		.min_args = 1,
		.max_args = 1,
		.arg_kind = ARG_FILE,
		.flags = CMD_EXEC,
	},
	{
		.name = "held",
		.summary = "Act on a held set of iommufd objects: what apply hands to a command, or holds",
		.args_doc = "COMMAND [ARG...]",
		.doc = "Inside the command of 'iommuctl apply SPEC -- COMMAND' it acts on the iommufd handed "
		       "over; elsewhere on the set a holding apply publishes, taking a copy of the "
		       "holder's iommufd (the commands' pid option; needed when several hold; root). 'held list' "
		       "shows the holders; 'held objects' lists the objects and mappings by name; 'held "
		       "dirty HWPT IOVA LENGTH' reads a paging HWPT's dirty pages as ranges; 'held map IOAS "
		       "LENGTH' maps new memory and 'held copy' what another IOAS maps; 'held unmap "
		       "IOAS IOVA LENGTH' unmaps; 'held events QUEUE' reads vEVENTQ and fault records; "
		       "'held respond FAULT_QUEUE' answers a fault; 'held invalidate HWPT|VIOMMU ENTRY...' "
		       "flushes caches. Objects go by name or id, IOVAs by "
		       "number or mapping name.",
		.fn = cmd_held,
		.options = held_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.max_args = 260,
		.flags = CMD_GROUP | CMD_NO_CTX,
	},
	{
		.name = "held-list",
		.summary = "The holders of published sets: pid, whether still holding, how much",
		.fn = cmd_held_list,
		.flags = CMD_SUB,
	},
	{
		.name = "held-objects",
		.summary = "The objects and mappings of a held set, by name",
		.fn = cmd_held_objects,
		.options = held_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.flags = CMD_SUB,
	},
	{
		.name = "held-dirty",
		.summary = "The dirty pages of a paging HWPT, as ranges (and clear them)",
		.args_doc = "HWPT IOVA LENGTH",
		.doc = "IOMMU_HWPT_GET_DIRTY_BITMAP over [IOVA, IOVA + LENGTH): the runs of dirty pages, "
		       "and how many. The bits are cleared unless --keep; --enable turns dirty tracking "
		       "on first.",
		.fn = cmd_held_dirty,
		.options = held_dirty_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 3,
		.max_args = 3,
		.flags = CMD_SUB,
	},
	{
		.name = "held-map",
		.summary = "Map new memory into a held IOAS; print its IOVA",
		.args_doc = "IOAS LENGTH",
		.doc = "LENGTH bytes of new memory (--memory anon, memfd, hugetlb-2M, hugetlb-1G; or "
		       "--file PATH) mapped through the held iommufd at --iova, or where the kernel "
		       "puts it. The memory outlives this command: the IOAS keeps a memfd or file, and "
		       "pins anonymous and hugetlb pages into the domains it has now.",
		.fn = cmd_held_map,
		.options = held_map_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 2,
		.max_args = 2,
		.flags = CMD_SUB,
	},
	{
		.name = "held-copy",
		.summary = "Map in one held IOAS what another maps (IOMMU_IOAS_COPY)",
		.args_doc = "IOAS FROM_IOAS FROM_IOVA LENGTH",
		.fn = cmd_held_copy,
		.options = held_copy_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 4,
		.max_args = 4,
		.flags = CMD_SUB,
	},
	{
		.name = "held-unmap",
		.summary = "Unmap the mappings of an IOAS within a range",
		.args_doc = "IOAS IOVA LENGTH",
		.fn = cmd_held_unmap,
		.options = held_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 3,
		.max_args = 3,
		.flags = CMD_SUB,
	},
	{
		.name = "held-events",
		.summary = "Read the records of a vEVENTQ or a fault queue, decoded",
		.args_doc = "QUEUE",
		.doc = "Waits (poll, bounded by --timeout) for --count records, then prints every "
		       "record there is: a vEVENT's sequence, lost-events flag and the vendor's data "
		       "(the selftest's virt_id); a fault's cookie, device, address, PASID, group and "
		       "permissions. Exit 1 when fewer arrived in time.",
		.fn = cmd_held_events,
		.options = held_events_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 1,
		.max_args = 1,
		.flags = CMD_SUB,
	},
	{
		.name = "held-respond",
		.summary = "Answer a fault group read from a fault queue",
		.args_doc = "FAULT_QUEUE",
		.doc = "Writes a page response (the cookie 'held events' printed, and success or "
		       "invalid) to the fault queue.",
		.fn = cmd_held_respond,
		.options = held_respond_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 1,
		.max_args = 1,
		.flags = CMD_SUB,
	},
	{
		.name = "held-invalidate",
		.summary = "Flush the caches of a nested HWPT or a vIOMMU (IOMMU_HWPT_INVALIDATE)",
		.args_doc = "HWPT|VIOMMU ENTRY...",
		.doc = "Each ENTRY is one request of the target's type, checked before anything is "
		       "sent: selftest 'all' or 'iotlb=N'; selftest-viommu 'vdev=VIRT_ID,cache=N' or "
		       "'vdev=VIRT_ID,all'; intel-vtd 'addr=A,npages=N[,leaf]' or 'all'; arm-smmuv3 "
		       "'CMD0:CMD1'. Says how many the kernel handled.",
		.fn = cmd_held_invalidate,
		.options = held_invalidate_options,
		.parser = held_parse,
		.opts_size = sizeof(struct held_opts),
		.min_args = 2,
		.max_args = 257,	/* the target and ICTL_INVAL_MAX entries */
		.flags = CMD_SUB,
	},
	{
		.name = "help",
		.summary = "Show the help of iommuctl or of one command",
		.args_doc = "[COMMAND]",
		.fn = cmd_help,
		.max_args = 2,
		.arg_kind = ARG_COMMAND,
		.flags = CMD_NO_CTX,
	},
	{
		.name = "completion",
		.summary = "Print a shell completion script (bash, zsh)",
		.args_doc = "SHELL",
		.fn = cmd_completion,
		.min_args = 1,
		.max_args = 1,
		.arg_kind = ARG_SHELL,
		.flags = CMD_NO_CTX,
	},
};

const struct cli_table cli_commands = { commands, sizeof(commands) / sizeof(commands[0]) };
