# SMP stress of the core on host threads (tests/smp_stress.c, docs/smp.md):
# 3 seconds in the test suite; `tests/smp_stress 60` by hand.
check_PROGRAMS += tests/smp_stress
TESTS += tests/smp_stress
tests_smp_stress_SOURCES = tests/smp_stress.c
tests_smp_stress_CPPFLAGS = $(TEST_CPPFLAGS)
tests_smp_stress_CFLAGS = $(TEST_CFLAGS)
tests_smp_stress_LDADD = $(TEST_LDADD) -lpthread
