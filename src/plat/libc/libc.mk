# src/plat/libc: the csvsm C runtime for the bare-metal libraries (issue 12;
# docs/bare-metal-libs.md). Compiled freestanding into
# src/libcsvsm-libc-fs.a with the image's flags (the image links it with
# OpenSSL and libtpms), and hosted with renamed symbols for its Check test.
LIBC_SOURCES = src/plat/libc/ctype.c src/plat/libc/entropy.c src/plat/libc/malloc.c src/plat/libc/misc.c \
	src/plat/libc/regex.c src/plat/libc/selftest.c src/plat/libc/setjmp.S src/plat/libc/stdio.c \
	src/plat/libc/stdlib.c src/plat/libc/string.c src/plat/libc/time.c src/plat/libc/libc_selftest.h
LIBC_INCLUDES = -I$(top_srcdir)/src/plat/libc/include -I$(top_srcdir)/src/include

noinst_LIBRARIES += src/libcsvsm-libc-fs.a
src_libcsvsm_libc_fs_a_SOURCES = $(LIBC_SOURCES)
src_libcsvsm_libc_fs_a_CPPFLAGS = -include $(top_builddir)/config.h $(LIBC_INCLUDES)
src_libcsvsm_libc_fs_a_CFLAGS = $(CSVSM_WARN_CFLAGS) $(FREESTANDING_CFLAGS)
src_libcsvsm_libc_fs_a_CCASFLAGS = $(FREESTANDING_CFLAGS)

check_LIBRARIES += tests/libcsvsm-libc-hosted.a
tests_libcsvsm_libc_hosted_a_SOURCES = $(LIBC_SOURCES)
tests_libcsvsm_libc_hosted_a_CPPFLAGS = -include $(top_builddir)/config.h -nostdinc \
	-isystem $(CSVSM_CC_INCLUDE) $(LIBC_INCLUDES) -DCSVSM_LIBC_PREFIXED
tests_libcsvsm_libc_hosted_a_CFLAGS = $(CSVSM_SIM_CFLAGS) -ffreestanding -fno-builtin
tests_libcsvsm_libc_hosted_a_CCASFLAGS = -g

check_PROGRAMS += tests/check_libc
TESTS += tests/check_libc
tests_check_libc_SOURCES = tests/check_libc.c
tests_check_libc_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_libc_CFLAGS = $(TEST_CFLAGS)
tests_check_libc_LDADD = tests/libcsvsm-libc-hosted.a $(TEST_LDADD)

EXTRA_DIST += src/plat/libc/include src/plat/libc/openssl
