# The guest context on KVM (sim/kvm/guest_vm.c) and its test with the guest
# program (guest/): SKIP (77) without /dev/kvm.
check_PROGRAMS += tests/kvm_guest_test
TESTS += tests/kvm_guest_test
tests_kvm_guest_test_SOURCES = tests/kvm_guest_test.c sim/kvm/guest_vm.c sim/kvm/guest_vm.h
tests_kvm_guest_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_kvm_guest_test_CFLAGS = $(TEST_CFLAGS)
tests_kvm_guest_test_LDADD = $(TEST_LDADD)
EXTRA_tests_kvm_guest_test_DEPENDENCIES = guest/csvsm-guest.elf
