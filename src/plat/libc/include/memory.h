/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: the old name of <string.h>. */
#include <string.h>
