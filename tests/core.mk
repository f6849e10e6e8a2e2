# The SVSM core protocol (0) through the simulator's harness API: dispatch,
# QUERY_PROTOCOL, CONFIGURE_VTOM, REMAP_CA, PVALIDATE, CREATE/DELETE_VCPU,
# the guest's secrets page, a lying hypervisor and allocation fault sweeps.
check_PROGRAMS += tests/check_core
TESTS += tests/check_core
tests_check_core_SOURCES = tests/check_core.c tests/check_core_pvalidate.c \
	tests/check_core_vcpu.c tests/check_core_smp.c tests/core_test_util.c tests/core_test_util.h
tests_check_core_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_core_CFLAGS = $(TEST_CFLAGS)
tests_check_core_LDADD = $(TEST_LDADD)
