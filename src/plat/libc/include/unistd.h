/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: a process of one (getpid() is 1) with no files. */
#ifndef CSVSM_LIBC_UNISTD_H
#define CSVSM_LIBC_UNISTD_H
#include <csvsm_libc_names.h>
#include <sys/types.h>
#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
pid_t getpid(void);
#endif
