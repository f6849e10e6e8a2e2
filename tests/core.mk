check_PROGRAMS += tests/check_core
TESTS += tests/check_core
tests_check_core_SOURCES = tests/check_core.c tests/core_test_util.c tests/core_test_util.h
tests_check_core_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_core_CFLAGS = $(TEST_CFLAGS)
tests_check_core_LDADD = $(TEST_LDADD)
