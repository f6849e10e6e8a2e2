/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: byte order conversions only (no sockets). */
#include <netinet/in.h>
