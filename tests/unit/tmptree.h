/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A throwaway system tree for unit tests that need a --sysroot: a directory
 * under $TMPDIR (or /tmp) with a sys/ (what ictl_ctx_new() asks of a root),
 * files and symlinks made by relative path, removed at the end.
 *
 *   char root[PATH_MAX];
 *   tree_new(root, sizeof(root));           mkdtemp + sys/
 *   tree_file(root, "proc/42/comm", "qemu\n");
 *   tree_link(root, "proc/42/fd/3", "/dev/vfio/12");
 *   tree_remove_link(root, "proc/42/fd/3");
 *   tree_remove(root);
 *
 * Parent directories are made as needed.  Each returns 0 or -1 (errno set).
 * nftw() needs _GNU_SOURCE defined before the first #include of the test.
 */
#ifndef ICTL_TMPTREE_H
#define ICTL_TMPTREE_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before the first #include"
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p of the directory part of root/rel */
__attribute__((unused)) static int tree_parents(const char *root, const char *rel)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

__attribute__((unused)) static int tree_new(char *root, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (snprintf(root, len, "%s/ictl-unit-XXXXXX", tmp && tmp[0] ? tmp : "/tmp") >= (int)len ||
	    !mkdtemp(root))
		return -1;
	return tree_parents(root, "sys/x");
}

__attribute__((unused)) static int tree_file(const char *root, const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	if (tree_parents(root, rel) < 0 || !(f = fopen(path, "w")))
		return -1;
	fputs(content, f);
	return fclose(f) ? -1 : 0;
}

__attribute__((unused)) static int tree_link(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	if (tree_parents(root, rel) < 0)
		return -1;
	unlink(path);
	return symlink(target, path);
}

__attribute__((unused)) static int tree_remove_link(const char *root, const char *rel)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	return unlink(path);
}

__attribute__((unused)) static int tree_remove_one(const char *path, const struct stat *st,
						   int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

__attribute__((unused)) static int tree_remove(const char *root)
{
	return nftw(root, tree_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* ICTL_TMPTREE_H */
