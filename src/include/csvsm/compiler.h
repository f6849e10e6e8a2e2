/* SPDX-License-Identifier: MIT */
/*
 * Compiler helpers shared by the whole core. Freestanding: only compiler
 * builtins, no libc.
 */
#ifndef CSVSM_COMPILER_H
#define CSVSM_COMPILER_H

#define CSVSM_MUST_CHECK __attribute__((warn_unused_result))
#define CSVSM_NORETURN   __attribute__((noreturn))
/* __printf__: the C runtime's hosted test renames printf (src/plat/libc). */
#define CSVSM_PRINTF(fmt_idx, arg_idx) __attribute__((format(__printf__, fmt_idx, arg_idx)))
#define CSVSM_PACKED                   __attribute__((packed))
#define CSVSM_ALIGNED(n)               __attribute__((aligned(n)))
#define CSVSM_UNUSED                   __attribute__((unused))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Round helpers; `a` must be a power of two. */
#define ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Pointer to the structure that embeds `ptr` as member `member`. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

/* Limits without <limits.h> (not usable under -nostdinc with GCC). */
#define CSVSM_SIZE_MAX   __SIZE_MAX__
#define CSVSM_INT_MAX    __INT_MAX__
#define CSVSM_UINT64_MAX __UINT64_MAX__

/* Overflow-checked arithmetic: true when the result overflowed. */
#define add_overflows(a, b, res) __builtin_add_overflow((a), (b), (res))
#define mul_overflows(a, b, res) __builtin_mul_overflow((a), (b), (res))

#endif /* CSVSM_COMPILER_H */
