# The csvsm-sim program: the built-in workload, scenarios (`run FILE`) and
# the trace sinks (-v, --trace, --timeline), and their tests.
bin_PROGRAMS = sim/csvsm-sim
sim_csvsm_sim_SOURCES = sim/main.c sim/cli_attest.c sim/cli_attest.h sim/cli_trace.c sim/cli_trace.h \
	sim/cli_vtpm.c sim/cli_vtpm.h sim/scenario.c sim/scenario_stmt.c sim/scenario_expect.c \
	sim/scenario_attest.c sim/scenario_tpm.c sim/scenario.h sim/scenario_int.h
sim_csvsm_sim_CPPFLAGS = $(sim_libcsvsm_sim_a_CPPFLAGS)
sim_csvsm_sim_LDADD = $(SIM_LIBS)

# The scenario parser and runner, from strings (Check).
check_PROGRAMS += tests/check_scenario
TESTS += tests/check_scenario
# Its allocations go through the failing wrappers of tests/scenario_alloc.h.
tests_check_scenario_SOURCES = tests/check_scenario.c tests/scenario_alloc.c \
	tests/scenario_alloc.h sim/scenario.c sim/scenario_stmt.c sim/scenario_expect.c \
	sim/scenario_attest.c sim/scenario_tpm.c \
	sim/cli_trace.c sim/scenario.h sim/scenario_int.h sim/cli_trace.h
tests_check_scenario_CPPFLAGS = $(TEST_CPPFLAGS) -include $(top_srcdir)/tests/scenario_alloc.h
tests_check_scenario_CFLAGS = $(TEST_CFLAGS)
tests_check_scenario_LDADD = $(TEST_LDADD)

# Golden traces: every scenario of fixtures/scenarios/ replayed and its trace
# diffed against fixtures/traces/; determinism; exit statuses; the timeline.
TESTS += tests/scenarios.sh
dist_check_SCRIPTS += tests/scenarios.sh
