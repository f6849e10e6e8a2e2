/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_replay.h"

unsigned int corpus_replay(const char *dir, corpus_one_fn one)
{
	DIR *d = opendir(dir);
	unsigned int files = 0;
	struct dirent *e;

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char path[512];
		uint8_t *buf;
		const char *why;
		long len;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		ck_assert_msg(f != NULL, "%s", path);
		ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
		len = ftell(f);
		rewind(f);
		buf = malloc(len > 0 ? (size_t)len : 1);
		ck_assert(buf != NULL && fread(buf, 1, (size_t)len, f) == (size_t)len);
		fclose(f);
		why = one(buf, (size_t)len);
		ck_assert_msg(why == NULL, "%s: %s", e->d_name, why);
		free(buf);
		files++;
	}
	closedir(d);
	return files;
}
