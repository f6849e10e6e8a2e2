/* SPDX-License-Identifier: MIT */
/*
 * Basic types of the core. The only system headers the core may include are
 * the freestanding ones: stddef.h, stdint.h, stdbool.h and stdarg.h.
 */
#ifndef CSVSM_TYPES_H
#define CSVSM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/compiler.h"

/* A guest physical address. Always untrusted when it comes from a guest. */
typedef uint64_t gpa_t;

#define PAGE_SHIFT   12
#define PAGE_SIZE    ((size_t)1 << PAGE_SHIFT)
#define PAGE_SIZE_2M ((size_t)1 << 21)
#define PAGES_PER_2M (PAGE_SIZE_2M / PAGE_SIZE)

#endif /* CSVSM_TYPES_H */
