# Fuzzing (docs/fuzzing.md): the core-protocol fuzz target, its replay
# driver and test, machine snapshots for cheap resets, and `make fuzz`.
# Included from the top Makefile.am; paths are relative to the top.

# Snapshots of the simulated machine (csvsm/sim_snapshot.h).
SIM_SOURCES += sim/snapshot.c
csvsminclude_HEADERS += sim/include/csvsm/sim_snapshot.h

FUZZ_TARGET_SRCS = tests/fuzz/fuzz_core.c tests/fuzz/fuzz_seeds.c tests/fuzz/fuzz_core.h

# The harness under the normal compiler: the test replays the seed corpus
# and a bounded generated run; fuzz-core-replay replays any input.
check_PROGRAMS += tests/fuzz/check_fuzz_core tests/fuzz/fuzz-core-replay
TESTS += tests/fuzz/check_fuzz_core
tests_fuzz_check_fuzz_core_SOURCES = tests/fuzz/check_fuzz_core.c $(FUZZ_TARGET_SRCS)
tests_fuzz_check_fuzz_core_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DFUZZ_CORE_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/core"'
tests_fuzz_check_fuzz_core_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_check_fuzz_core_LDADD = $(TEST_LDADD)
tests_fuzz_fuzz_core_replay_SOURCES = tests/fuzz/fuzz_replay.c $(FUZZ_TARGET_SRCS)
tests_fuzz_fuzz_core_replay_CPPFLAGS = $(TEST_CPPFLAGS)
tests_fuzz_fuzz_core_replay_LDADD = $(SIM_LIBS)

# `make fuzz`: the whole simulator library and the target compiled again,
# with coverage instrumentation, into tests/fuzz/lf/ (libFuzzer, by clang:
# the configured compiler if it is clang, else the clang configure found)
# and tests/fuzz/afl/ (AFL++, by afl-clang-fast), whatever CC the tree was
# configured with. Each is skipped, with a message, when its compiler is
# missing. Always ASan + UBSan; CSVSM_DEBUG follows the configuration.
FUZZ_CC_IS_CLANG = $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1))
FUZZ_CLANG = $(if $(FUZZ_CC_IS_CLANG),$(CC),$(CLANG))
FUZZ_AFL_CC = afl-clang-fast
FUZZ_INSTRUMENTED_SRCS = $(filter %.c %.S,$(CORE_SOURCES) $(SIM_SOURCES))
FUZZ_CPPFLAGS = -include $(top_builddir)/config.h -I$(top_srcdir)/src/include \
	-I$(top_srcdir)/sim/include -I$(top_srcdir)/sim -I$(top_srcdir)/tests/fuzz
# The host libraries the simulator library needs (libtpms, OpenSSL, ...).
FUZZ_LIBS = $(filter-out sim/libcsvsm-sim.a,$(SIM_LIBS))
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O2 $(CSVSM_WARN_CFLAGS) $(FUZZ_SAN)
# How a target is linked: `$(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o T OBJS
# $(FUZZ_ENGINE) $(FUZZ_LIBS)`. oss-fuzz/build.sh overrides FUZZ_CLANG,
# FUZZ_CFLAGS, FUZZ_LINKFLAGS, FUZZ_ENGINE and the coverage flags below
# with what OSS-Fuzz gives ($CC, $CFLAGS, $LIB_FUZZING_ENGINE).
FUZZ_LINKFLAGS = $(FUZZ_SAN)
FUZZ_ENGINE = -fsanitize=fuzzer
FUZZ_LINK = $(FUZZ_CLANG) $(FUZZ_LINKFLAGS) -o $@
FUZZ_LF_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_core.c tests/fuzz/fuzz_seeds.c)
FUZZ_AFL_OBJS = $(patsubst %,tests/fuzz/afl/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	tests/fuzz/fuzz_core.c tests/fuzz/fuzz_seeds.c tests/fuzz/fuzz_replay.c)

# Coverage feedback: full (edges and comparisons) for the core; edge
# counters only for the simulator's RMP model (which RMP outcome a call
# met); none for the core's string library, the rest of the simulator and
# the harness, whose loops and checks would cost a third of the time and
# guide nothing.
FUZZ_COV_FULL = -fsanitize=fuzzer-no-link
FUZZ_COV_EDGES = -fsanitize-coverage=inline-8bit-counters,pc-table
# The mssim and scenario parsers (sim/tpm_server.c, sim/scenario*.c) are
# what their targets fuzz: full feedback there too.
FUZZ_COV = $(if $(filter sim/machine/rmp.c,$*),$(FUZZ_COV_EDGES),$(if $(filter src/lib/%,$*),,$(if $(filter src/% sim/tpm_server.c sim/scenario%,$*),$(FUZZ_COV_FULL))))
tests/fuzz/lf/%.o: $(top_srcdir)/%
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(FUZZ_CLANG) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_COV) -MMD -MP -c -o $@ $<
tests/fuzz/fuzz-core: $(FUZZ_LF_OBJS)
	$(AM_V_CCLD)$(FUZZ_LINK) $(FUZZ_LF_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)

# fuzz-core-loop (tests/fuzz/fuzz_loop_main.c): the same objects and
# libFuzzer's coverage runtime without its main, looping over fixed inputs
# to measure the cost per input without libFuzzer's own work. Built on
# request only (make tests/fuzz/fuzz-core-loop).
FUZZ_NO_MAIN = $(shell $(FUZZ_CLANG) -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a
EXTRA_DIST += tests/fuzz/fuzz_loop_main.c
tests/fuzz/fuzz-core-loop: $(FUZZ_LF_OBJS) tests/fuzz/lf/tests/fuzz/fuzz_loop_main.c.o
	$(AM_V_CCLD)$(FUZZ_LINK) $(FUZZ_LF_OBJS) tests/fuzz/lf/tests/fuzz/fuzz_loop_main.c.o \
		$(FUZZ_NO_MAIN) -lstdc++ $(FUZZ_LIBS)

tests/fuzz/afl/%.o: $(top_srcdir)/%
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)AFL_QUIET=1 $(FUZZ_AFL_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
tests/fuzz/fuzz-core-afl: $(FUZZ_AFL_OBJS)
	$(AM_V_CCLD)AFL_QUIET=1 $(FUZZ_AFL_CC) $(FUZZ_SAN) -o $@ $(FUZZ_AFL_OBJS) $(FUZZ_LIBS)

-include $(FUZZ_LF_OBJS:.o=.d) $(FUZZ_AFL_OBJS:.o=.d)

# The targets of the hypervisor's answers, the mssim stream of tpm-server
# and the scenario language (tests/fuzz/fuzz_targets.h): libFuzzer builds
# from the instrumented objects, and a replay of each seed corpus
# (fixtures/corpus/hv, mssim, and the scenarios of fixtures/scenarios plus
# fixtures/corpus/scenario) in the test suite with the normal compiler.
FUZZ_SCENARIO_SRCS = sim/scenario.c sim/scenario_stmt.c sim/scenario_expect.c sim/cli_trace.c
FUZZ_HV_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) tests/fuzz/fuzz_hv.c)
FUZZ_MSSIM_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) tests/fuzz/fuzz_mssim.c)
FUZZ_SCENARIO_OBJS = $(patsubst %,tests/fuzz/lf/%.o,$(FUZZ_INSTRUMENTED_SRCS) \
	$(FUZZ_SCENARIO_SRCS) tests/fuzz/fuzz_scenario.c)
tests/fuzz/fuzz-hv: $(FUZZ_HV_OBJS)
	$(AM_V_CCLD)$(FUZZ_LINK) $(FUZZ_HV_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
tests/fuzz/fuzz-mssim: $(FUZZ_MSSIM_OBJS)
	$(AM_V_CCLD)$(FUZZ_LINK) $(FUZZ_MSSIM_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
tests/fuzz/fuzz-scenario: $(FUZZ_SCENARIO_OBJS)
	$(AM_V_CCLD)$(FUZZ_LINK) $(FUZZ_SCENARIO_OBJS) $(FUZZ_ENGINE) $(FUZZ_LIBS)
-include $(FUZZ_HV_OBJS:.o=.d) $(FUZZ_MSSIM_OBJS:.o=.d) $(FUZZ_SCENARIO_OBJS:.o=.d)
# The other fragments' targets (nvstore-load, vtpm-cmd, vtpm-state): their
# objects' header dependencies too, or a changed header leaves them stale.
-include $(wildcard tests/fuzz/lf/tests/fuzz/*.d)

check_PROGRAMS += tests/fuzz/replay-hv tests/fuzz/replay-mssim tests/fuzz/replay-scenario
TESTS += tests/fuzz/replay-hv tests/fuzz/replay-mssim tests/fuzz/replay-scenario
noinst_HEADERS += tests/fuzz/fuzz_targets.h
tests_fuzz_replay_hv_SOURCES = tests/fuzz/replay_main.c tests/fuzz/fuzz_hv.c
tests_fuzz_replay_hv_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DREPLAY_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/hv"'
tests_fuzz_replay_hv_LDADD = $(SIM_LIBS)
tests_fuzz_replay_mssim_SOURCES = tests/fuzz/replay_main.c tests/fuzz/fuzz_mssim.c
tests_fuzz_replay_mssim_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DREPLAY_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/mssim"'
tests_fuzz_replay_mssim_LDADD = $(SIM_LIBS)
tests_fuzz_replay_scenario_SOURCES = tests/fuzz/replay_main.c tests/fuzz/fuzz_scenario.c \
	$(FUZZ_SCENARIO_SRCS)
tests_fuzz_replay_scenario_CPPFLAGS = $(TEST_CPPFLAGS) \
	-DREPLAY_CORPUS_DIR='"$(abs_top_srcdir)/fixtures/corpus/scenario"'
tests_fuzz_replay_scenario_LDADD = $(SIM_LIBS)

# Every libFuzzer target (oss-fuzz/build.sh builds these): tests/fuzz/T.
# (One line: tests/fuzz/oss-fuzz-check.sh reads it from the Makefile.)
FUZZ_TARGETS = fuzz-core fuzz-nvstore-load fuzz-vtpm-cmd fuzz-vtpm-state fuzz-hv fuzz-mssim fuzz-scenario fuzz-storage-dev fuzz-attest fuzz-nvseal
fuzz-targets:
	@if test -n "$(FUZZ_CLANG)"; then \
		$(MAKE) $(AM_MAKEFLAGS) tests/fuzz/fuzz-core && \
		echo "fuzz: built tests/fuzz/fuzz-core (libFuzzer, $(FUZZ_CLANG))"; \
	else echo "fuzz: no clang, libFuzzer target skipped (apt-get install clang)"; fi
	@$(MAKE) $(AM_MAKEFLAGS) $(filter-out fuzz-core fuzz-hv fuzz-mssim fuzz-scenario,$(FUZZ_TARGETS))
	@if test -n "$(FUZZ_CLANG)"; then \
		$(MAKE) $(AM_MAKEFLAGS) tests/fuzz/fuzz-hv tests/fuzz/fuzz-mssim tests/fuzz/fuzz-scenario; fi
fuzz: fuzz-targets
	@if command -v $(FUZZ_AFL_CC) >/dev/null 2>&1; then \
		$(MAKE) $(AM_MAKEFLAGS) tests/fuzz/fuzz-core-afl && \
		echo "fuzz: built tests/fuzz/fuzz-core-afl (AFL++)"; \
	else echo "fuzz: no $(FUZZ_AFL_CC), AFL++ target skipped (apt-get install afl++)"; fi
fuzz-clean:
	rm -rf tests/fuzz/lf tests/fuzz/afl tests/fuzz/fuzz-core tests/fuzz/fuzz-core-afl tests/fuzz/fuzz-core-loop \
		tests/fuzz/fuzz-nvstore-load tests/fuzz/fuzz-vtpm-cmd tests/fuzz/fuzz-vtpm-state \
		tests/fuzz/fuzz-hv tests/fuzz/fuzz-mssim tests/fuzz/fuzz-scenario tests/fuzz/fuzz-storage-dev \
		tests/fuzz/fuzz-attest tests/fuzz/fuzz-nvseal
.PHONY: fuzz fuzz-targets fuzz-clean

# The OSS-Fuzz / ClusterFuzzLite build (oss-fuzz/, .clusterfuzzlite/) run
# with the environment those services give, and every target started on
# its seed corpus: tests/fuzz/oss-fuzz-check.sh. Not in make distcheck.
TESTS += tests/fuzz/oss-fuzz-check.sh
dist_check_SCRIPTS += tests/fuzz/oss-fuzz-check.sh
# scripts/fuzz.sh fails loudly on a harness that dies or runs nothing.
TESTS += tests/fuzz/fuzz-sh-check.sh
dist_check_SCRIPTS += tests/fuzz/fuzz-sh-check.sh
EXTRA_DIST += oss-fuzz .clusterfuzzlite scripts/fuzz.sh scripts/fuzz-coverage.sh scripts/fuzz-campaigns.sh
AM_DISTCHECK_CONFIGURE_FLAGS = --disable-fuzz-build-test
clean-local: fuzz-oss-clean
fuzz-oss-clean:
	rm -rf tests/fuzz/oss-fuzz
.PHONY: fuzz-oss-clean

# Header dependencies of every harness object, including the targets whose
# object lists live in other fragments (fuzz-nvstore-load, fuzz-vtpm-*): a
# harness must be rebuilt when a structure it shares with the core changes.
-include $(wildcard tests/fuzz/lf/tests/fuzz/*.d)
