# sim/kvm: the csvsm KVM runner (`csvsm-sim kvm`), raw <linux/kvm.h> ioctls.
SIM_KVM_SOURCES = sim/kvm/cli.c sim/kvm/vm.c sim/kvm/ports.c sim/kvm/elf_load.c \
	sim/kvm/nvdev_kvm.c \
	sim/kvm/kvm_runner.h
sim_csvsm_sim_SOURCES += $(SIM_KVM_SOURCES)

# The image checks (bad images of every kind), without KVM (Check).
check_PROGRAMS += tests/check_kvm_elf
TESTS += tests/check_kvm_elf
tests_check_kvm_elf_SOURCES = tests/check_kvm_elf.c sim/kvm/elf_load.c sim/kvm/kvm_runner.h
tests_check_kvm_elf_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/sim/kvm \
	-DCSVSM_KVM_IMAGE='"$(abs_top_builddir)/src/csvsm-kvm.elf"'
tests_check_kvm_elf_CFLAGS = $(TEST_CFLAGS)
tests_check_kvm_elf_LDADD = $(TEST_LDADD)

# The image's self-tests on KVM, bad images through the command, no-KVM skip.
TESTS += tests/kvm_selftest.sh
dist_check_SCRIPTS += tests/kvm_selftest.sh
EXTRA_DIST += docs/kvm-runner.md
