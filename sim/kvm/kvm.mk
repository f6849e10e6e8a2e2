# sim/kvm: the csvsm KVM runner (`csvsm-sim kvm`), raw <linux/kvm.h> ioctls.
# The VM, its ports and the ELF loader are in the simulator library: the
# harness's --target kvm (sim/kvm/image_ops.c) builds its VMPL0 with them.
sim_csvsm_sim_SOURCES += sim/kvm/cli.c
SIM_SOURCES += sim/kvm/vm.c sim/kvm/ports.c sim/kvm/elf_load.c sim/kvm/nvdev_kvm.c \
	sim/kvm/kvm_runner.h sim/kvm/image_ops.c

# The image checks (bad images of every kind), without KVM (Check).
check_PROGRAMS += tests/check_kvm_elf
TESTS += tests/check_kvm_elf
tests_check_kvm_elf_SOURCES = tests/check_kvm_elf.c sim/kvm/elf_load.c sim/kvm/kvm_runner.h
tests_check_kvm_elf_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/sim/kvm \
	-DCSVSM_KVM_IMAGE='"$(abs_top_builddir)/src/csvsm-kvm.elf"'
tests_check_kvm_elf_CFLAGS = $(TEST_CFLAGS)
tests_check_kvm_elf_LDADD = $(TEST_LDADD)

# The image's self-tests on KVM, bad images through the command, no-KVM skip.
TESTS += tests/kvm_selftest.sh tests/kvm_smp.sh
dist_check_SCRIPTS += tests/kvm_selftest.sh tests/kvm_smp.sh
EXTRA_DIST += docs/kvm-runner.md scripts/kvm-image-profile.sh
