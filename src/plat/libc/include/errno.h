/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: one errno (the SVSM runs one C-runtime user at a time). */
#ifndef CSVSM_LIBC_ERRNO_H
#define CSVSM_LIBC_ERRNO_H
#include <csvsm_libc_names.h>
extern int errno;
#define EPERM     1
#define ENOENT    2
#define EINTR     4
#define EIO       5
#define EBADF     9
#define EAGAIN    11
#define ENOMEM    12
#define EACCES    13
#define EFAULT    14
#define EBUSY     16
#define EEXIST    17
#define EINVAL    22
#define ENOSPC    28
#define ESPIPE    29
#define ERANGE    34
#define ENOSYS    38
#define EOVERFLOW 75
#endif
