/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: no threads. Present only because libtpms includes it;
 * it declares nothing, so any use fails to compile. */
#ifndef CSVSM_LIBC_PTHREAD_H
#define CSVSM_LIBC_PTHREAD_H
#endif
