# The RMP model (sim/machine/rmp.h), shared by the shim and the KVM runner,
# and its tests. Included from sim/local.mk; paths are relative to the top.
SIM_SOURCES += sim/machine/rmp.c sim/machine/rmp.h
check_PROGRAMS += tests/check_rmp
TESTS += tests/check_rmp
tests_check_rmp_SOURCES = tests/check_rmp.c
tests_check_rmp_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_rmp_CFLAGS = $(TEST_CFLAGS)
tests_check_rmp_LDADD = $(TEST_LDADD)
