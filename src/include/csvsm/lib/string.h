/* SPDX-License-Identifier: MIT */
/*
 * Memory and string helpers of the core.
 *
 * The names differ from the libc ones on purpose: the simulator links the
 * same core objects with glibc, so the core must not define memcpy & co.
 * (the freestanding build gets those from src/lib/cc_runtime.c, which only
 * forwards here). Unless a comment says otherwise, each function behaves
 * exactly like its libc counterpart, including the return value.
 *
 * None of these functions reads or writes outside the ranges it is given:
 * word-at-a-time paths stay inside [p, p + n).
 */
#ifndef CSVSM_LIB_STRING_H
#define CSVSM_LIB_STRING_H

#include "csvsm/types.h"

/*
 * Copies `n` bytes from `src` to `dst` and returns `dst`. The ranges must
 * not overlap (use mem_move for that). Fast path: 8-byte words once `dst` is
 * aligned, for any alignment of `src`.
 */
void *mem_copy(void *dst, const void *src, size_t n);

/*
 * Copies `n` bytes from `src` to `dst` and returns `dst`. The ranges may
 * overlap: the result is as if `src` were first copied to a temporary.
 */
void *mem_move(void *dst, const void *src, size_t n);

/*
 * Fills `n` bytes at `dst` with the byte `(unsigned char)c` and returns
 * `dst`. Fast path for aligned bulk (for example zeroing 4 KiB pages).
 */
void *mem_set(void *dst, int c, size_t n);

/*
 * Compares `n` bytes of `a` and `b` as unsigned char. Returns 0 when equal,
 * otherwise a value with the sign of (first differing byte of `a`) minus
 * (the same byte of `b`), like memcmp. Not constant-time: never use it on
 * secrets.
 */
int mem_cmp(const void *a, const void *b, size_t n);

/* True when all `n` bytes at `p` are zero (also for `n` == 0). */
bool mem_is_zero(const void *p, size_t n);

/* Length of the NUL-terminated string `s`, like strlen. */
size_t str_len(const char *s);

/*
 * Length of `s`, but at most `max`: reads no byte at or beyond `s + max`,
 * so `s` need not be terminated within `max` bytes (like strnlen).
 */
size_t str_nlen(const char *s, size_t max);

/* Compares two strings as unsigned char; the sign matches strcmp. */
int str_cmp(const char *a, const char *b);

/*
 * Compares at most `n` characters of two strings as unsigned char; stops
 * at the first NUL. The sign matches strncmp; 0 when `n` == 0.
 */
int str_ncmp(const char *a, const char *b, size_t n);

/*
 * Returns a pointer to the first occurrence of `(char)c` in `s`, or NULL.
 * With `c` == 0 it returns a pointer to the terminating NUL (like strchr).
 */
char *str_chr(const char *s, int c);

/*
 * BSD strlcpy: copies `src` into `dst` of `size` bytes, truncating so that
 * `dst` is always NUL-terminated when `size` > 0 (with `size` == 0, `dst` is
 * not touched and may be NULL). Returns str_len(src): truncation happened
 * when the result is >= `size`. The ranges must not overlap.
 */
size_t str_lcpy(char *dst, const char *src, size_t size);

#endif /* CSVSM_LIB_STRING_H */
