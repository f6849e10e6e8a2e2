# Test programs register themselves in the fragment of the part they test.
# Shared test support (tests/libtestsupport.a) is listed in TESTLIB_SOURCES.

check_PROGRAMS += tests/check_sim
TESTS += tests/check_sim
tests_check_sim_SOURCES = tests/check_sim.c
tests_check_sim_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_sim_CFLAGS = $(TEST_CFLAGS)
tests_check_sim_LDADD = $(TEST_LDADD)
TESTLIB_SOURCES += tests/log_capture.c tests/log_capture.h
