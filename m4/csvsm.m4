# csvsm's own autoconf macros.

# CSVSM_REQUIRE_PKG(VAR, MODULE-SPEC, DEBIAN-PACKAGE)
# Finds MODULE-SPEC with pkg-config into VAR_CFLAGS/VAR_LIBS, or stops with a
# message that names the Debian package to install.
AC_DEFUN([CSVSM_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found through pkg-config. On Debian: apt-get install $3 (or run scripts/test.sh, which installs everything)])])
])

# CSVSM_CHECK_FLAG_OR_FAIL(FLAGS)
# Stops configure when the C compiler cannot compile and link with FLAGS.
AC_DEFUN([CSVSM_CHECK_FLAG_OR_FAIL], [
  csvsm_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS $1"
  AC_MSG_CHECKING([whether $CC accepts $1])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])], [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no]); AC_MSG_ERROR([$CC cannot build with $1])])
  CFLAGS=$csvsm_save_CFLAGS
])

# CSVSM_FREESTANDING_CFLAGS
# The flags of the freestanding (bare-metal) compile of the core. -nostdinc
# plus the compiler's own include directory leaves only its freestanding
# headers (stddef.h, stdint.h, stdbool.h, stdarg.h): a libc header in the
# core then fails to compile.
AC_DEFUN([CSVSM_FREESTANDING_CFLAGS], [
  AC_MSG_CHECKING([for the compiler's freestanding include directory])
  csvsm_cc_include=`$CC -print-file-name=include`
  AS_IF([test -f "$csvsm_cc_include/stddef.h"], [AC_MSG_RESULT([$csvsm_cc_include])],
        [AC_MSG_RESULT([no]); AC_MSG_ERROR([$CC -print-file-name=include does not name a directory with stddef.h])])
  FREESTANDING_CFLAGS="-ffreestanding -fno-builtin -nostdlib -nostdinc -isystem $csvsm_cc_include -mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -O2"
  CSVSM_CHECK_COMPILE_OR_FAIL([$FREESTANDING_CFLAGS])
  AC_SUBST([FREESTANDING_CFLAGS])
  CSVSM_CC_INCLUDE=$csvsm_cc_include
  AC_SUBST([CSVSM_CC_INCLUDE])
])

# CSVSM_CHECK_COMPILE_OR_FAIL(FLAGS)
AC_DEFUN([CSVSM_CHECK_COMPILE_OR_FAIL], [
  csvsm_save_CFLAGS=$CFLAGS
  CFLAGS="$1"
  AC_MSG_CHECKING([whether $CC compiles freestanding code])
  AC_COMPILE_IFELSE([AC_LANG_SOURCE([[#include <stdint.h>
uint64_t f(uint64_t x) { return x + 1; }]])], [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no]); AC_MSG_ERROR([$CC cannot compile with $1])])
  CFLAGS=$csvsm_save_CFLAGS
])
