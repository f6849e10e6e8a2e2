# src/lib: freestanding helpers (strings, formatting, bitmaps, lists, locks).
CORE_SOURCES += \
	src/lib/string.c \
	src/lib/format.c \
	src/lib/bitmap.c \
	src/lib/log.c \
	src/lib/panic.c \
	src/lib/error.c

# memcpy & co. for code the compiler emits in the freestanding build; the
# hosted build gets them from libc.
CORE_FREESTANDING_ONLY_SOURCES += src/lib/cc_runtime.c

noinst_HEADERS += \
	src/include/csvsm/lib/string.h \
	src/include/csvsm/lib/format.h \
	src/include/csvsm/lib/bitmap.h \
	src/include/csvsm/lib/list.h \
	src/include/csvsm/lib/spinlock.h

check_PROGRAMS += tests/check_lib
TESTS += tests/check_lib
tests_check_lib_SOURCES = tests/check_lib.c
tests_check_lib_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_lib_CFLAGS = $(TEST_CFLAGS)
tests_check_lib_LDADD = $(TEST_LDADD)
