/* SPDX-License-Identifier: MIT */
/*
 * fuzz-core-loop: the libFuzzer build of fuzz-core (the same instrumented
 * objects, libFuzzer's coverage callbacks) run over fixed inputs in a plain
 * loop, without libFuzzer's own work per input (mutation, feature
 * collection, corpus files). Measures what the harness, the simulator and
 * the SVSM cost per input, in executions per CPU-second, which stays
 * comparable between builds on a busy machine (docs/fuzzing.md,
 * "Throughput, fourth round").
 *
 *   fuzz-core-loop ROUNDS FILE...
 *
 * Every file is read once (at most FUZZ_LOOP_MAX_LEN bytes, as with
 * -max_len=512), run once to warm up, then ROUNDS times in turn.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FUZZ_LOOP_MAX_LEN 512

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t data[4096][FUZZ_LOOP_MAX_LEN];
	static size_t size[4096];
	int n = argc - 2;
	long rounds;
	double t0, t;

	if (argc < 3 || (rounds = strtol(argv[1], NULL, 10)) <= 0 || n > 4096) {
		fprintf(stderr, "usage: fuzz-core-loop ROUNDS FILE... (at most 4096 files)\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(argv[i + 2], "rb");

		if (!f) {
			perror(argv[i + 2]);
			return 1;
		}
		size[i] = fread(data[i], 1, FUZZ_LOOP_MAX_LEN, f);
		fclose(f);
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 0; i < n; i++)
		LLVMFuzzerTestOneInput(data[i], size[i]);
	t0 = cpu_seconds();
	for (long r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			LLVMFuzzerTestOneInput(data[i], size[i]);
	t = cpu_seconds() - t0;
	printf("%ld executions in %.3f CPU-s: %.0f per CPU-second, %.2f us each\n", rounds * n, t,
	       (double)(rounds * n) / t, t * 1e6 / (double)(rounds * n));
	return 0;
}
