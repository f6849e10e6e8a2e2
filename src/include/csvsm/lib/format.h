/* SPDX-License-Identifier: MIT */
/*
 * Bounded string formatting: a subset of C99 snprintf with the same output
 * and return value for everything it supports, and no floating point.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%.
 * Length modifiers: hh h l ll z (also j and t) for the integer conversions.
 * Flags: '-' '0' '+' ' ' '#'. Field width and precision: a decimal number
 * or '*' (taken from an int argument; a negative width means '-' plus its
 * absolute value, a negative precision means "no precision").
 *
 * Differences from C99 / glibc, all deliberate:
 * - %s with a NULL pointer prints "(null)", cut by the precision and padded
 *   to the width like any other string (glibc prints nothing instead when
 *   the precision is below 6); %p prints "0x" and lowercase hex digits, or
 *   "(nil)" for NULL, exactly as glibc does.
 * - An unknown conversion (say %f or %n) is printed literally, from the
 *   '%' through the unknown character, and consumes no argument (except
 *   those of a '*' width or precision inside it); an incomplete conversion
 *   at the very end of the format is printed as is. Nothing is ever
 *   written through a pointer argument (%n is unknown).
 * - %% prints '%' and ignores any flags or width inside it (like glibc).
 * - %c and %s ignore the length modifier (no wide characters); the '0'
 *   flag pads only numbers (like glibc).
 * - Widths and precisions saturate at INT_MAX instead of failing.
 */
#ifndef CSVSM_LIB_FORMAT_H
#define CSVSM_LIB_FORMAT_H

#include <stdarg.h>

#include "csvsm/types.h"

/*
 * Formats `fmt` with the arguments in `ap` into `buf` of `size` bytes.
 * Writes at most `size` bytes, and when `size` > 0 the result is always
 * NUL-terminated (truncated if needed); with `size` == 0, `buf` is not
 * touched and may be NULL. Returns the length the full output would have
 * had, not counting the NUL (so truncation happened when the result is
 * >= `size`), or -CSVSM_ERANGE when that length would exceed INT_MAX.
 * Consumes `ap` (the caller must va_end it, and may not reuse it).
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* fmt_vsnprintf with a variable argument list. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) CSVSM_PRINTF(3, 4);

#endif /* CSVSM_LIB_FORMAT_H */
