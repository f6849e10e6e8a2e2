# src/plat: the bare-metal images (issue 8). Every `make` builds
#   src/csvsm-kvm.elf  x86_64 bring-up + kvm platform (QEMU or the KVM runner)
#   src/csvsm-snp.elf  x86_64 bring-up + SEV-SNP platform
# from the SAME freestanding core archive the freestanding check builds
# (src/libcsvsm-core-fs.a, linked whole), and checks each image from the
# outside (scripts/check-image.sh): ELF64 x86-64, PVH note, no undefined
# symbol, the core's protocol handlers present.
#
# The self-tests (src/selftest/) are compiled freestanding into the images
# and hosted into tests/check_selftest: one test body, two places.

PLAT_FS_CFLAGS = $(CSVSM_WARN_CFLAGS) $(FREESTANDING_CFLAGS)
PLAT_FS_CCASFLAGS = -D__ASSEMBLY__

SELFTEST_SOURCES = src/selftest/ktest.c src/selftest/ktest.h src/selftest/selftest_lib.c \
	src/selftest/selftest_mm.c src/selftest/selftest_nvstore.c src/selftest/selftest_suites.c \
	src/selftest/selftest_libc.c src/selftest/selftest_vtpm.c

noinst_LIBRARIES += src/plat/libcsvsm-x86.a src/plat/libcsvsm-kvm.a
src_plat_libcsvsm_x86_a_SOURCES = \
	src/plat/x86_64/entry.S src/plat/x86_64/vectors.S src/plat/x86_64/catch.S \
	src/plat/x86_64/ap_entry.S src/plat/x86_64/smp.c \
	src/plat/x86_64/boot.c src/plat/x86_64/cpu.c src/plat/x86_64/exception.c \
	src/plat/x86_64/paging.c src/plat/x86_64/serial.c src/plat/x86_64/tsc.c \
	src/plat/x86_64/entropy.c src/plat/x86_64/plat_common.c src/plat/x86_64/vtpm_absent.c \
	src/plat/x86_64/selftest_x86.c \
	src/plat/x86_64/x86.h src/plat/x86_64/x86_boot.h src/plat/x86_64/x86_plat.h \
	$(SELFTEST_SOURCES)
src_plat_libcsvsm_x86_a_CFLAGS = $(PLAT_FS_CFLAGS)
src_plat_libcsvsm_x86_a_CCASFLAGS = $(PLAT_FS_CCASFLAGS)

src_plat_libcsvsm_kvm_a_SOURCES = src/plat/kvm/plat_kvm.c src/plat/kvm/main_kvm.c src/plat/kvm/dma_kvm.c src/plat/kvm/nv_kvm.c \
	src/plat/kvm/smptest_kvm.c \
	src/plat/kvm/kvm_plat.h
src_plat_libcsvsm_kvm_a_CFLAGS = $(PLAT_FS_CFLAGS)

noinst_HEADERS += src/include/csvsm/abi/kvm_runner.h src/include/csvsm/adapter/rand_replay.h
EXTRA_DIST += src/plat/x86_64/csvsm.ld scripts/check-image.sh

IMAGE_LDSCRIPT = $(top_srcdir)/src/plat/x86_64/csvsm.ld
IMAGE_LINK_OPTS = -nostdlib -static -T $(IMAGE_LDSCRIPT) --build-id=none -z max-page-size=0x1000 \
	-z noexecstack
# Platform archives first; the core whole (every protocol handler is in the
# image, referenced or not); the group resolves the platform <-> core cycle.
IMAGE_LINK = $(LD) $(IMAGE_LINK_OPTS) -o $@ --start-group $(1) src/plat/libcsvsm-x86.a \
	--whole-archive src/libcsvsm-core-fs.a --no-whole-archive src/libcsvsm-libc-fs.a --end-group

src/csvsm-kvm.elf: src/plat/libcsvsm-kvm.a src/plat/libcsvsm-x86.a src/libcsvsm-core-fs.a src/libcsvsm-libc-fs.a \
		$(IMAGE_LDSCRIPT)
	$(AM_V_GEN)$(call IMAGE_LINK,src/plat/libcsvsm-kvm.a)


# The same self-test bodies on the host (Check, sanitizers).
check_PROGRAMS += tests/check_selftest
TESTS += tests/check_selftest
tests_check_selftest_SOURCES = tests/check_selftest.c $(SELFTEST_SOURCES) tests/libc_selftest_alias.c
tests_check_selftest_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_selftest_CFLAGS = $(TEST_CFLAGS)
tests_check_selftest_LDADD = tests/libcsvsm-libc-hosted.a $(TEST_LDADD)

# The kvm image's self-tests under QEMU (software emulation).
TESTS += tests/qemu_selftest.sh
dist_check_SCRIPTS += tests/qemu_selftest.sh

# src/plat/snp: the SEV-SNP platform.
noinst_LIBRARIES += src/plat/libcsvsm-snp.a
src_plat_libcsvsm_snp_a_SOURCES = src/plat/snp/plat_snp.c src/plat/snp/main_snp.c \
	src/plat/snp/snp_encode.c src/plat/snp/snp_vmsa.c src/plat/snp/dma_snp.c src/plat/snp/snp_abi.h \
	src/plat/snp/snp_plat.h
src_plat_libcsvsm_snp_a_CFLAGS = $(PLAT_FS_CFLAGS)

src/csvsm-snp.elf: src/plat/libcsvsm-snp.a src/plat/libcsvsm-x86.a src/libcsvsm-core-fs.a src/libcsvsm-libc-fs.a \
		$(IMAGE_LDSCRIPT)
	$(AM_V_GEN)$(call IMAGE_LINK,src/plat/libcsvsm-snp.a)

# The encodings of src/plat/snp against the ABI, on the host (Check).
check_PROGRAMS += tests/check_snp_encode
TESTS += tests/check_snp_encode
tests_check_snp_encode_SOURCES = tests/check_snp_encode.c src/plat/snp/snp_encode.c \
	src/plat/snp/snp_vmsa.c
tests_check_snp_encode_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/src/plat/snp
tests_check_snp_encode_CFLAGS = $(TEST_CFLAGS)
tests_check_snp_encode_LDADD = $(TEST_LDADD)

# csvsm-snp.elf on a machine that is not SNP (QEMU): says so and halts.
TESTS += tests/qemu_snp_refuses.sh
dist_check_SCRIPTS += tests/qemu_snp_refuses.sh

# Both images, checked from the outside after every link.
IMAGES = src/csvsm-kvm.elf src/csvsm-snp.elf
src/images.stamp: $(IMAGES) $(top_srcdir)/scripts/check-image.sh
	$(AM_V_GEN)for i in $(IMAGES); do \
		NM="$(NM)" $(SHELL) $(top_srcdir)/scripts/check-image.sh $$i || exit 1; done && touch $@
all-local: src/images.stamp
CLEANFILES += $(IMAGES) src/images.stamp

# The images from the outside, as a test too (also refusing broken ones).
TESTS += tests/check_images.sh
dist_check_SCRIPTS += tests/check_images.sh
