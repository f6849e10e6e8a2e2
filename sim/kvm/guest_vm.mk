# The guest context on KVM (sim/kvm/guest_vm.c) and its test with the guest
# program (guest/): SKIP (77) without /dev/kvm.
check_PROGRAMS += tests/kvm_guest_test
TESTS += tests/kvm_guest_test
tests_kvm_guest_test_SOURCES = tests/kvm_guest_test.c
tests_kvm_guest_test_CPPFLAGS = $(TEST_CPPFLAGS)
tests_kvm_guest_test_CFLAGS = $(TEST_CFLAGS)
tests_kvm_guest_test_LDADD = $(TEST_LDADD)
EXTRA_tests_kvm_guest_test_DEPENDENCIES = guest/csvsm-guest.elf

# The guest's side of the simulator on KVM (cfg.kvm_guest, --target kvm-guest).
SIM_SOURCES += sim/kvm/guest_vm.c sim/kvm/guest_vm.h sim/kvm/guest_ops.c

# Every scenario and the built-in workload on both targets (SKIP without /dev/kvm).
TESTS += tests/kvm_scenarios.sh
dist_check_SCRIPTS += tests/kvm_scenarios.sh

# The runner's side of the SVSM image's SNP services (KVMSNP_PORT_SNP), tested without KVM.
SIM_SOURCES += sim/kvm/snp_pv.c sim/kvm/snp_pv.h
check_PROGRAMS += tests/check_snp_pv
TESTS += tests/check_snp_pv
tests_check_snp_pv_SOURCES = tests/check_snp_pv.c
tests_check_snp_pv_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_snp_pv_CFLAGS = $(TEST_CFLAGS)
tests_check_snp_pv_LDADD = $(TEST_LDADD)
