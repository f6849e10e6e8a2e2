# Pinned third-party sources for the bare-metal image (issue 12):
# scripts/prepare-sources.sh fetches and verifies them into third_party/
# (ignored by git); its error paths are tested on small fake sources.
EXTRA_DIST += scripts/prepare-sources.sh scripts/sources.manifest
TESTS += tests/prepare_sources.sh
dist_check_SCRIPTS += tests/prepare_sources.sh

# The bare-metal libraries (scripts/build-bare-metal-libs.sh; the test
# command runs it through scripts/bare-metal-for-tests.sh when
# ../shared/vendor is beside the clone, about a minute) and the offline
# build. Both tests SKIP visibly when nothing was built (so in distcheck,
# which never rebuilds the libraries); they need the freestanding core archive.
TESTS += tests/bare_metal_link.sh tests/hermetic_build.sh
dist_check_SCRIPTS += tests/bare_metal_link.sh tests/hermetic_build.sh
EXTRA_DIST += scripts/build-bare-metal-libs.sh scripts/check-bare-metal-link.sh src/plat/x86_64/selftest_heap_vtpm.c \
	scripts/hermetic-build.sh scripts/bare-metal-for-tests.sh
# (BARE_METAL_DIR and THIRD_PARTY_DIR reach the tests through AM_TESTS_ENVIRONMENT in Makefile.am.)

# src/csvsm-kvm-vtpm.elf and src/csvsm-snp-vtpm.elf: the images with the
# real vTPM (src/vtpm on the bare-metal libtpms, libcrypto and C runtime)
# instead of vtpm_absent.c.
# Built by every `make` once scripts/build-bare-metal-libs.sh has built the
# libraries into $(BARE_METAL_DIR); checked like the other images, and
# tests/vtpm_image.sh compares its size with csvsm-kvm.elf's (SKIP when the
# libraries are absent). `csvsm-sim --target kvm tpm-server` serves its vTPM.
BM_LIBS = $(BARE_METAL_DIR)/libtpms.a $(BARE_METAL_DIR)/libcrypto.a
BM_VTPM_CFLAGS = $(CSVSM_WARN_CFLAGS) $(FREESTANDING_CFLAGS) -include $(top_builddir)/config.h \
	-I$(top_srcdir)/src/plat/libc/include -I$(top_srcdir)/src/include \
	-I$(BARE_METAL_DIR)/libtpms/gen -I$(THIRD_PARTY_DIR)/libtpms-0.10.2/include \
	-I$(THIRD_PARTY_DIR)/libtpms-0.10.2/include/libtpms
BM_VTPM_OBJS = src/vtpm/vtpm_engine.bm.o src/vtpm/vtpm_setup.bm.o src/plat/libc/openssl_seed.bm.o \
	src/plat/x86_64/selftest_heap_vtpm.bm.o src/crypto/crypto_openssl.bm.o
src/vtpm/%.bm.o: $(top_srcdir)/src/vtpm/%.c $(BM_LIBS)
	@$(MKDIR_P) src/vtpm
	$(AM_V_CC)$(CC) $(BM_VTPM_CFLAGS) -c -o $@ $<
src/plat/libc/openssl_seed.bm.o: $(top_srcdir)/src/plat/libc/openssl/seed.c $(BM_LIBS)
	@$(MKDIR_P) src/plat/libc
	$(AM_V_CC)$(CC) $(BM_VTPM_CFLAGS) -I$(BARE_METAL_DIR)/openssl/include \
		-I$(BARE_METAL_DIR)/openssl-src/include \
		-include $(top_srcdir)/src/plat/libc/openssl/csvsm_openssl.h -c -o $@ $<
# The crypto adapter on the bare-metal libcrypto (guest messages, attestation,
# the sealed NV store): it replaces crypto_absent.c in the vTPM images.
src/crypto/crypto_openssl.bm.o: $(top_srcdir)/src/crypto/crypto_openssl.c $(BM_LIBS)
	@$(MKDIR_P) src/crypto
	$(AM_V_CC)$(CC) $(BM_VTPM_CFLAGS) -I$(BARE_METAL_DIR)/openssl/include \
		-I$(BARE_METAL_DIR)/openssl-src/include \
		-include $(top_srcdir)/src/plat/libc/openssl/csvsm_openssl.h -c -o $@ $<
src/plat/x86_64/selftest_heap_vtpm.bm.o: $(top_srcdir)/src/plat/x86_64/selftest_heap_vtpm.c
	@$(MKDIR_P) src/plat/x86_64
	$(AM_V_CC)$(CC) $(BM_VTPM_CFLAGS) -c -o $@ $<
src/csvsm-snp-vtpm.elf: $(BM_VTPM_OBJS) $(BM_LIBS) src/plat/libcsvsm-snp.a src/plat/libcsvsm-x86.a \
		src/libcsvsm-core-fs.a src/libcsvsm-libc-fs.a $(IMAGE_LDSCRIPT)
	$(AM_V_GEN)$(call IMAGE_LINK,src/plat/libcsvsm-snp.a $(BM_VTPM_OBJS) $(BM_LIBS))
src/csvsm-kvm-vtpm.elf: $(BM_VTPM_OBJS) $(BM_LIBS) src/plat/libcsvsm-kvm.a src/plat/libcsvsm-x86.a \
		src/libcsvsm-core-fs.a src/libcsvsm-libc-fs.a $(IMAGE_LDSCRIPT)
	$(AM_V_GEN)$(call IMAGE_LINK,src/plat/libcsvsm-kvm.a $(BM_VTPM_OBJS) $(BM_LIBS))
VTPM_IMAGES = src/csvsm-kvm-vtpm.elf src/csvsm-snp-vtpm.elf
src/vtpm-image.stamp: $(VTPM_IMAGES) $(top_srcdir)/scripts/check-image.sh
	$(AM_V_GEN)for i in $(VTPM_IMAGES); do \
		NM="$(NM)" $(SHELL) $(top_srcdir)/scripts/check-image.sh $$i || exit 1; \
		$(NM) $$i | grep -q ' TPMLIB_Process$$' || \
		{ echo "$$i: no TPMLIB_Process: vtpm_absent.c was linked" >&2; exit 1; }; done && touch $@
all-local: $(if $(wildcard $(BARE_METAL_DIR)/libtpms.a),src/vtpm-image.stamp)
CLEANFILES += $(VTPM_IMAGES) src/vtpm-image.stamp $(BM_VTPM_OBJS)
TESTS += tests/vtpm_image.sh
dist_check_SCRIPTS += tests/vtpm_image.sh

# The same tpm2-tools session through the shim and through the image's vTPM
# under the KVM runner (`csvsm-sim --target kvm tpm-server`), results
# compared; a visible SKIP until the runner serves the image's vTPM.
TESTS += tests/vtpm_image_clients.sh
dist_check_SCRIPTS += tests/vtpm_image_clients.sh
