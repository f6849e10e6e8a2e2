/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: no sockets. Present only because libtpms includes it;
 * it declares nothing, so any use fails to compile. */
#ifndef CSVSM_LIBC_SYS_SOCKET_H
#define CSVSM_LIBC_SYS_SOCKET_H
#endif
