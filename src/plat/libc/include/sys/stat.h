/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: no file system; stat() always fails with ENOENT. */
#ifndef CSVSM_LIBC_SYS_STAT_H
#define CSVSM_LIBC_SYS_STAT_H
#include <csvsm_libc_names.h>
#include <sys/types.h>
struct stat {
	mode_t st_mode;
	off_t st_size;
};
#define S_IFMT     0170000
#define S_IFDIR    0040000
#define S_IFREG    0100000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
int stat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
#endif
