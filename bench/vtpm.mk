# bench-vtpm: TPM2_GetRandom and TPM2_PCR_Extend per second through the full
# SVSM path, beside libtpms called directly and swtpm over a socket.
noinst_PROGRAMS += bench/bench-vtpm
bench_bench_vtpm_SOURCES = bench/bench_vtpm.c
bench_bench_vtpm_CPPFLAGS = $(TEST_CPPFLAGS)
bench_bench_vtpm_LDADD = $(SIM_LIBS)
