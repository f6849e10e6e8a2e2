# SMP stress of the core on host threads (tests/smp_stress.c, docs/smp.md;
# the workload and shared checks: tests/smp_stress_work.c):
# 3 seconds in the test suite; `tests/smp_stress 60` by hand.
check_PROGRAMS += tests/smp_stress
TESTS += tests/smp_stress
tests_smp_stress_SOURCES = tests/smp_stress.c tests/smp_stress_work.c tests/smp_stress_work.h
tests_smp_stress_CPPFLAGS = $(TEST_CPPFLAGS)
tests_smp_stress_CFLAGS = $(TEST_CFLAGS)
tests_smp_stress_LDADD = $(TEST_LDADD) -lpthread

# The same workload on KVM (tests/kvm_smp_stress.c): the SVSM image and the
# guest program, one host thread per vCPU pair; 3 s in the suite, SKIP (77)
# without /dev/kvm; `top_builddir=build build/tests/kvm_smp_stress 60` by hand.
check_PROGRAMS += tests/kvm_smp_stress
TESTS += tests/kvm_smp_stress
tests_kvm_smp_stress_SOURCES = tests/kvm_smp_stress.c tests/smp_stress_work.c tests/smp_stress_work.h \
	tests/kvm_test_util.h
tests_kvm_smp_stress_CPPFLAGS = $(TEST_CPPFLAGS)
tests_kvm_smp_stress_CFLAGS = $(TEST_CFLAGS)
tests_kvm_smp_stress_LDADD = $(TEST_LDADD) -lpthread
EXTRA_tests_kvm_smp_stress_DEPENDENCIES = guest/csvsm-guest.elf src/csvsm-kvm.elf
