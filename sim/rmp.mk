# The simulator's RMP model (sim/rmp.h) and its tests. Included from
# sim/local.mk and the top Makefile.am; paths are relative to the top.
SIM_SOURCES += sim/rmp.c sim/rmp.h
check_PROGRAMS += tests/check_rmp
TESTS += tests/check_rmp
tests_check_rmp_SOURCES = tests/check_rmp.c
tests_check_rmp_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_rmp_CFLAGS = $(TEST_CFLAGS)
tests_check_rmp_LDADD = $(TEST_LDADD)
