# bench-core: SVSM call round trips and PVALIDATE throughput (scripts/bench.sh).
noinst_PROGRAMS += bench/bench-core
bench_bench_core_SOURCES = bench/bench_core.c
bench_bench_core_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_core_LDADD = $(SIM_LIBS)
