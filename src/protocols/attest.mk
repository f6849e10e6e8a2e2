# Attestation (issue 13): the SVSM attestation protocol (1), the SVSM's
# SNP guest message client (core, freestanding), the crypto adapter on
# libcrypto (hosted), and the emulated PSP with the simulated hypervisor's
# guest-request exit (sim/machine/psp.c is a machine model, shared with the
# KVM runner).
CORE_SOURCES += src/protocols/attest.c src/core/guest_msg.c
SIM_SOURCES += src/crypto/crypto_openssl.c sim/machine/psp.c sim/machine/psp.h \
	sim/machine/hv_guest_msg.c sim/plat_guest_msg.c sim/sim_attest.c
noinst_HEADERS += \
	src/include/csvsm/abi/attest.h \
	src/include/csvsm/abi/snp_guest.h \
	src/include/csvsm/adapter/crypto.h \
	src/include/csvsm/attest.h \
	src/include/csvsm/guest_msg.h \
	src/include/csvsm/plat/guest_msg.h
csvsminclude_HEADERS += sim/include/csvsm/sim_attest.h

# The guest's view, checked with the openssl CLI alone (chain, signature,
# REPORT_DATA), and determinism.
TESTS += tests/attest_cli.sh
dist_check_SCRIPTS += tests/attest_cli.sh

# The protocol end to end, a hostile hypervisor, the PSP model driven with
# messages built by the test, fault sweeps, and the fuzz corpus (Check).
check_PROGRAMS += tests/check_attest
TESTS += tests/check_attest
tests_check_attest_SOURCES = tests/check_attest.c tests/vtpm_test_util.c tests/vtpm_test_util.h \
	tests/core_test_util.c tests/core_test_util.h tests/fuzz/fuzz_attest.c tests/fuzz/fuzz_attest.h
tests_check_attest_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DATTEST_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/attest"'
tests_check_attest_CFLAGS = $(TEST_CFLAGS)
tests_check_attest_LDADD = $(TEST_LDADD)

# libFuzzer target over attestation requests: `make fuzz-attest`, then
#   tests/fuzz/fuzz-attest -max_total_time=300 NEW_DIR fixtures/corpus/attest
# It reuses the instrumented objects of `make fuzz` (tests/fuzz/fuzz.mk).
FUZZ_ATTEST_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_attest.c)
fuzz-attest:
	@if test -z "$(FUZZ_CLANG)"; then \
		echo "fuzz-attest: no clang, skipped (apt-get install clang)"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_ATTEST_OBJS) && \
	echo "  CCLD     tests/fuzz/fuzz-attest" && \
	$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o tests/fuzz/fuzz-attest \
		$(FUZZ_ATTEST_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
.PHONY: fuzz-attest
CLEANFILES += tests/fuzz/fuzz-attest

# The sealed vTPM state: the sealed NV format, the issue's three attacks,
# the libtpms crash reproducers, fault sweeps over the sealed commit, and
# the sealed-image fuzz corpus (Check).
FUZZ_NVSEAL_SRCS = tests/fuzz/fuzz_nvseal.c tests/fuzz/fuzz_nvseal.h
check_PROGRAMS += tests/check_nvseal
TESTS += tests/check_nvseal
tests_check_nvseal_SOURCES = tests/check_nvseal.c tests/vtpm_test_util.c tests/vtpm_test_util.h \
	tests/core_test_util.c tests/core_test_util.h $(FUZZ_NVSEAL_SRCS)
tests_check_nvseal_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DNVSEAL_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/nvseal"' \
	-DVTPM_CRASHES_DIR='"$(abs_top_srcdir)/fixtures/corpus/vtpm-state-crashes"'
tests_check_nvseal_CFLAGS = $(TEST_CFLAGS)
tests_check_nvseal_LDADD = $(TEST_LDADD)
# The seed generator (built by `make check`, run by hand).
check_PROGRAMS += tests/fuzz/gen-nvseal-corpus
tests_fuzz_gen_nvseal_corpus_SOURCES = tests/fuzz/gen_nvseal_corpus.c $(FUZZ_NVSEAL_SRCS)
tests_fuzz_gen_nvseal_corpus_CPPFLAGS = $(TEST_CPPFLAGS)
tests_fuzz_gen_nvseal_corpus_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_gen_nvseal_corpus_LDADD = $(TEST_LDADD)

# libFuzzer target over sealed images: `make fuzz-nvseal`, then
#   tests/fuzz/fuzz-nvseal -max_total_time=300 NEW_DIR fixtures/corpus/nvseal
FUZZ_NVSEAL_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_nvseal.c)
fuzz-nvseal:
	@if test -z "$(FUZZ_CLANG)"; then \
		echo "fuzz-nvseal: no clang, skipped (apt-get install clang)"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_NVSEAL_OBJS) && \
	echo "  CCLD     tests/fuzz/fuzz-nvseal" && \
	$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o tests/fuzz/fuzz-nvseal \
		$(FUZZ_NVSEAL_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
.PHONY: fuzz-nvseal
CLEANFILES += tests/fuzz/fuzz-nvseal

# The bare-metal images: no libcrypto yet (crypto_absent.c fails cleanly).
src_plat_libcsvsm_x86_a_SOURCES += src/plat/x86_64/crypto_absent.c

# bench-attest: a sealed NV commit beside an unsealed one, attestation
# requests per second (scripts/bench.sh).
noinst_PROGRAMS += bench/bench-attest
bench_bench_attest_SOURCES = bench/bench_attest.c
bench_bench_attest_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_attest_LDADD = $(SIM_LIBS)

# SNP: the guest-request exit through the GHCB (src/plat/snp), its encoding
# tested on the host.
src_plat_libcsvsm_snp_a_SOURCES += src/plat/snp/snp_guest_req.c src/plat/snp/snp_guest_req.h
check_PROGRAMS += tests/check_snp_guest_req
TESTS += tests/check_snp_guest_req
tests_check_snp_guest_req_SOURCES = tests/check_snp_guest_req.c src/plat/snp/snp_guest_req.c \
	src/plat/snp/snp_encode.c
tests_check_snp_guest_req_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/src/plat/snp
tests_check_snp_guest_req_CFLAGS = $(TEST_CFLAGS)
tests_check_snp_guest_req_LDADD = $(TEST_LDADD)

# The scenario language's attestation statements, for the scenario fuzz
# target's copy of the scenario sources (tests/fuzz/fuzz.mk).
FUZZ_SCENARIO_SRCS += sim/scenario_attest.c
