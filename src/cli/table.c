// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A table of commands as data: finding a command, a group's subcommand, and the
 * words users type for one.  Below the top level (top.c) and the option parsing
 * (options.c), which both use it.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct command *cli_find_command(const struct cli_table *table, const char *name)
{
	for (size_t i = 0; i < table->n; i++) {
		if (!strcmp(table->v[i].name, name))
			return &table->v[i];
	}
	return NULL;
}

const struct command *cli_find_subcommand(const struct cli_table *table,
					  const struct command *group, const char *word)
{
	char name[64];
	const struct command *c;

	if (!table || snprintf(name, sizeof(name), "%s-%s", group->name, word) >= (int)sizeof(name))
		return NULL;
	c = cli_find_command(table, name);
	return c && (c->flags & CMD_SUB) ? c : NULL;
}

const char *cli_command_words(const struct command *cmd, char *buf, size_t len)
{
	char *dash;

	snprintf(buf, len, "%s", cmd->name);
	dash = strchr(buf, '-');
	if ((cmd->flags & CMD_SUB) && dash)
		*dash = ' ';
	return buf;
}
