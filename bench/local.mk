# Benchmarks: programs, not tests. bench/bench-alloc compares kmalloc/kfree
# with glibc malloc/free on one random workload (build with --disable-debug).
noinst_PROGRAMS += bench/bench-alloc
bench_bench_alloc_SOURCES = bench/bench_alloc.c
bench_bench_alloc_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_alloc_LDADD = $(SIM_LIBS)
# tpm-loop: one tpm2-tss client (Tss2_Sys over the TCTI loader) for the
# server, swtpm and the in-process TCTI module alike (scripts/bench.sh;
# tests/tpm_server_fair.sh uses it too, so it is built by `make`).
noinst_PROGRAMS += bench/tpm-loop
bench_tpm_loop_SOURCES = bench/tpm_loop.c
bench_tpm_loop_CFLAGS = $(AM_CFLAGS) $(TSS2_CFLAGS)
bench_tpm_loop_LDADD = $(TSS2_LIBS)

# The bare-metal image under QEMU TCG and the KVM runner (scripts/bench.sh).
EXTRA_DIST += bench/images.sh bench/image_sizes.sh
