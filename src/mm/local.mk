# The heap: buddy page allocator, slab/kmalloc, fault injection points.
CORE_SOURCES += src/mm/page_alloc.c src/mm/kmalloc.c src/mm/fault.c
noinst_HEADERS += src/mm/mm_internal.h
TESTLIB_SOURCES += tests/fault_sweep.c tests/fault_sweep.h tests/test_rng.h \
	tests/corpus_replay.c tests/corpus_replay.h

check_PROGRAMS += tests/check_mm
TESTS += tests/check_mm
tests_check_mm_SOURCES = tests/check_mm.c
tests_check_mm_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_mm_CFLAGS = $(TEST_CFLAGS)
tests_check_mm_LDADD = $(TEST_LDADD)
