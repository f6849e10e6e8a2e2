# bench-core: SVSM call round trips and PVALIDATE throughput (scripts/bench.sh).
noinst_PROGRAMS += bench/bench-core
bench_bench_core_SOURCES = bench/bench_core.c
bench_bench_core_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_core_LDADD = $(SIM_LIBS)
# bench-kvm: round trips with the guest program on KVM beside the shim, and
# the cost of a bare I/O exit (scripts/bench.sh; SKIP without /dev/kvm).
noinst_PROGRAMS += bench/bench-kvm
bench_bench_kvm_SOURCES = bench/bench_kvm.c
bench_bench_kvm_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_kvm_LDADD = $(SIM_LIBS)
