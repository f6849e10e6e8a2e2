# Benchmarks: programs, not tests. bench/bench-alloc compares kmalloc/kfree
# with glibc malloc/free on one random workload (build with --disable-debug).
noinst_PROGRAMS += bench/bench-alloc
bench_bench_alloc_SOURCES = bench/bench_alloc.c
bench_bench_alloc_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_alloc_LDADD = $(SIM_LIBS)

# The bare-metal image under QEMU TCG and the KVM runner (scripts/bench.sh).
EXTRA_DIST += bench/images.sh
