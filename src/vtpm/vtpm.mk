# src/vtpm: the vTPM (issue 5). The SVSM vTPM protocol (2) and the service's
# start at boot are core (freestanding); the libtpms adapter behind
# csvsm/adapter/vtpm.h is hosted and goes into libcsvsm-sim only, with the
# simulator's NV device choice and the mssim socket server.
CORE_SOURCES += src/protocols/vtpm.c src/core/vtpm_boot.c
SIM_SOURCES += src/vtpm/vtpm_engine.c src/vtpm/vtpm_setup.c src/vtpm/vtpm_internal.h \
	sim/plat_storage.c sim/tpm_server.c sim/tpm_server.h sim/vtpm_guest.c sim/vtpm_guest.h
# libtpms and OpenSSL for everything linking libcsvsm-sim. The lead wires
# $(VTPM_LIBTPMS_CPPFLAGS) into sim_libcsvsm_sim_a_CPPFLAGS (empty on Debian:
# the headers are <libtpms/...> in the default include path).
SIM_LIBS += $(LIBTPMS_LIBS) $(LIBCRYPTO_LIBS)
VTPM_LIBTPMS_CPPFLAGS = $(LIBTPMS_CFLAGS)
noinst_HEADERS += \
	src/include/csvsm/abi/vtpm.h \
	src/include/csvsm/adapter/vtpm.h \
	src/include/csvsm/plat/storage.h \
	src/include/csvsm/vtpm.h \
	sim/include/csvsm/sim_nv.h
EXTRA_DIST += src/vtpm/README.md

include bench/vtpm.mk

# Protocol parsing, every error path, the adapter's NV handling, rollback,
# the EK and the platform hierarchy, fault sweeps (Check).
check_PROGRAMS += tests/check_vtpm
TESTS += tests/check_vtpm
tests_check_vtpm_SOURCES = tests/check_vtpm.c tests/check_vtpm_nv.c tests/vtpm_test_util.c \
	tests/core_test_util.c tests/core_test_util.h \
	tests/vtpm_test_util.h tests/fuzz/fuzz_vtpm_cmd.c tests/fuzz/fuzz_vtpm.h
tests_check_vtpm_CPPFLAGS = $(TEST_CPPFLAGS)
tests_check_vtpm_CFLAGS = $(TEST_CFLAGS)
tests_check_vtpm_LDADD = $(TEST_LDADD)

# The mssim server as a program of its own (until csvsm-sim routes
# `tpm-server`), and the integration scripts: tpm2-tools and the IBM TSS
# through the SVSM path, and SIGKILL at many points of NV-writing streams.
check_PROGRAMS += tests/vtpm-server
tests_vtpm_server_SOURCES = tests/vtpm_server_main.c
tests_vtpm_server_CPPFLAGS = $(TEST_CPPFLAGS)
tests_vtpm_server_LDADD = $(SIM_LIBS)
TESTS += tests/vtpm_clients.sh tests/vtpm_crash.sh tests/tpm_server_fair.sh tests/tpm_suites.sh
dist_check_SCRIPTS += tests/vtpm_clients.sh tests/vtpm_crash.sh tests/tpm_server_fair.sh \
	tests/tpm_suites.sh
# Third-party TPM suites beside swtpm (by hand; tests/tpm_suites.sh runs --quick).
EXTRA_DIST += scripts/tpm-suites.sh
check_PROGRAMS += tests/vtpm-stream
tests_vtpm_stream_SOURCES = tests/vtpm_stream.c
EXTRA_DIST += tests/vtpm_lib.sh

# libFuzzer target over SVSM_VTPM_CMD buffers: `make fuzz-vtpm-cmd`, then
#   tests/fuzz/fuzz-vtpm-cmd -max_total_time=60 NEW_DIR
# It reuses the instrumented objects of `make fuzz` (tests/fuzz/fuzz.mk).
FUZZ_VTPM_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_vtpm_cmd.c)
fuzz-vtpm-cmd:
	@if test -z "$(FUZZ_CLANG)"; then \
		echo "fuzz-vtpm-cmd: no clang, skipped (apt-get install clang)"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_VTPM_OBJS) && \
	echo "  CCLD     tests/fuzz/fuzz-vtpm-cmd" && \
	$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o tests/fuzz/fuzz-vtpm-cmd \
		$(FUZZ_VTPM_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
.PHONY: fuzz-vtpm-cmd
CLEANFILES += tests/fuzz/fuzz-vtpm-cmd

# The stored vTPM state (permall, volatilestate, savestate), attacker
# controlled on the hypervisor's NV device: the fuzz target's one-input
# function replays fixtures/corpus/vtpm-state/ in tests/check_vtpm_state;
# the seeds come from tests/fuzz/gen-vtpm-state-corpus (built by
# `make check`, run by hand). `make fuzz-vtpm-state`, then for example
#   tests/fuzz/fuzz-vtpm-state -max_total_time=300 NEW_DIR fixtures/corpus/vtpm-state
FUZZ_VTPM_STATE_SRCS = tests/fuzz/fuzz_vtpm_state.c tests/fuzz/fuzz_vtpm_state.h
check_PROGRAMS += tests/check_vtpm_state
TESTS += tests/check_vtpm_state
tests_check_vtpm_state_SOURCES = tests/check_vtpm_state.c $(FUZZ_VTPM_STATE_SRCS)
tests_check_vtpm_state_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DVTPM_STATE_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/vtpm-state"'
tests_check_vtpm_state_CFLAGS = $(TEST_CFLAGS)
tests_check_vtpm_state_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/fuzz/gen-vtpm-state-corpus
tests_fuzz_gen_vtpm_state_corpus_SOURCES = tests/fuzz/gen_vtpm_state_corpus.c \
	$(FUZZ_VTPM_STATE_SRCS)
tests_fuzz_gen_vtpm_state_corpus_CPPFLAGS = $(TEST_CPPFLAGS) $(VTPM_LIBTPMS_CPPFLAGS)
tests_fuzz_gen_vtpm_state_corpus_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_gen_vtpm_state_corpus_LDADD = $(TEST_LDADD)

FUZZ_VTPM_STATE_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_vtpm_state.c)
fuzz-vtpm-state:
	@if test -z "$(FUZZ_CLANG)"; then \
		echo "fuzz-vtpm-state: no clang, skipped (apt-get install clang)"; exit 0; fi; \
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_VTPM_STATE_OBJS) && \
	echo "  CCLD     tests/fuzz/fuzz-vtpm-state" && \
	$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o tests/fuzz/fuzz-vtpm-state \
		$(FUZZ_VTPM_STATE_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
.PHONY: fuzz-vtpm-state
CLEANFILES += tests/fuzz/fuzz-vtpm-state
# The scenario fuzz target and its replay (tests/fuzz/fuzz.mk) parse `tpm` lines too.
FUZZ_SCENARIO_SRCS += sim/scenario_tpm.c
