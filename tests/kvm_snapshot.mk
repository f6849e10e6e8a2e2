# Snapshots refused on KVM targets, clearly (tests/kvm_snapshot.c,
# docs/kvm-snp.md "Snapshots"); SKIP (77) without /dev/kvm.
check_PROGRAMS += tests/kvm_snapshot
TESTS += tests/kvm_snapshot
tests_kvm_snapshot_SOURCES = tests/kvm_snapshot.c tests/kvm_test_util.h
tests_kvm_snapshot_CPPFLAGS = $(TEST_CPPFLAGS)
tests_kvm_snapshot_CFLAGS = $(TEST_CFLAGS)
tests_kvm_snapshot_LDADD = $(TEST_LDADD) -lpthread
EXTRA_tests_kvm_snapshot_DEPENDENCIES = guest/csvsm-guest.elf src/csvsm-kvm.elf
