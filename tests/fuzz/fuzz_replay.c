/* SPDX-License-Identifier: MIT */
/*
 * The core-protocol fuzz target without libFuzzer: replays inputs (files,
 * or every file of a directory) through the same harness, runs a bounded
 * random campaign, writes the built-in seeds, and is the AFL++ target
 * (persistent mode when built by afl-clang-fast, else one input on stdin).
 * docs/fuzzing.md shows how to use it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_core.h"

#define REPLAY_MAX_INPUT (1u << 20)

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

static struct fuzz_core_config config;
static unsigned long replayed, failed;

static void usage(FILE *out)
{
	fprintf(out, "usage: fuzz-core-replay [OPTIONS] [FILE|DIR]...\n"
	             "Runs each input file (each file of each DIR) through the core-protocol\n"
	             "fuzz harness and reports broken invariants; with no input, reads one from\n"
	             "stdin (the AFL++ target; persistent mode in an afl-clang-fast build).\n"
	             "  --exact            rebuild the core's state at every reset\n"
	             "  --thorough         check every page's RMP entry after each input\n"
	             "  -v, --verbose      print each step and the machine's events on stderr\n"
	             "  --random N         run N generated inputs (seed corpus mutations and\n"
	             "                     random bytes) after the files\n"
	             "  --seed S           seed of --random (default 1)\n"
	             "  --stats            print counters and executions per second\n"
	             "  --write-seeds DIR  write the built-in seed inputs into DIR and exit\n"
	             "Exit status: 0 when every input kept every invariant, 1 otherwise, 2 on\n"
	             "a usage or I/O error.\n");
}

static void run_one(const char *name, const uint8_t *data, size_t size)
{
	char why[512];

	replayed++;
	if (fuzz_core_run(data, size, why, sizeof(why)) != 0) {
		if (++failed <= 20)
			fprintf(stderr, "%s: invariant broken: %s\n", name, why);
	}
}

static int run_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "fuzz-core-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run_one(path, buf, n);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent **names;
	int count, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz-core-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	count = scandir(path, &names, NULL, alphasort);
	if (count < 0) {
		fprintf(stderr, "fuzz-core-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < count; i++) {
		char child[4096];
		struct stat cst;

		snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(child, &cst) == 0 && S_ISREG(cst.st_mode) &&
		    run_file(child) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int run_stdin(void)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	size_t n = fread(buf, 1, sizeof(buf), stdin);

	run_one("stdin", buf, n);
	return 0;
}

static void run_random(unsigned long count, uint64_t seed)
{
	static uint8_t buf[FUZZ_CORE_GEN_MAX];
	uint64_t state = seed;

	for (unsigned long i = 0; i < count; i++) {
		size_t n = fuzz_core_generate(&state, buf, sizeof(buf));
		char name[64];

		snprintf(name, sizeof(name), "random input %lu (seed %llu)", i,
		         (unsigned long long)seed);
		run_one(name, buf, n);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	unsigned long random_count = 0;
	uint64_t seed = 1;
	bool stats = false;
	static char **files; /* static: still reachable on an early return */
	int nfiles = 0, rc = 0;
	double t0;

	files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--exact") == 0) {
			config.exact_reset = true;
		} else if (strcmp(argv[i], "--thorough") == 0) {
			config.thorough = true;
		} else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			config.verbose = true;
		} else if (strcmp(argv[i], "--stats") == 0) {
			stats = true;
		} else if (strcmp(argv[i], "--random") == 0 && i + 1 < argc) {
			random_count = strtoul(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--write-seeds") == 0 && i + 1 < argc) {
			int n = fuzz_core_write_seeds(argv[i + 1]);

			if (n < 0)
				return 2;
			printf("wrote %d seeds into %s\n", n, argv[i + 1]);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			usage(stderr);
			return 2;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (fuzz_core_init(&config) != 0)
		return 2;
#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (nfiles == 0 && random_count == 0) {
		const uint8_t *buf;

		__AFL_INIT();
		buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(100000))
			LLVMFuzzerTestOneInput(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
		return 0;
	}
#endif
	t0 = now_s();
	if (nfiles == 0 && random_count == 0)
		rc = run_stdin();
	for (int i = 0; i < nfiles; i++)
		if (run_path(files[i]) != 0)
			rc = -1;
	run_random(random_count, seed);
	if (stats) {
		struct fuzz_core_stats s;
		double dt = now_s() - t0;

		fuzz_core_get_stats(&s);
		printf(
		    "inputs %llu in %.3f s (%.0f exec/s); steps %llu, calls %llu, serviced %llu, "
		    "success %llu, PVALIDATE checked %llu, vCPUs created %llu deleted %llu, "
		    "hypervisor actions %llu, resets with a new boot %llu\n",
		    (unsigned long long)s.inputs, dt, dt > 0 ? (double)s.inputs / dt : 0.0,
		    (unsigned long long)s.steps, (unsigned long long)s.calls,
		    (unsigned long long)s.serviced, (unsigned long long)s.success,
		    (unsigned long long)s.pvalidate_ok, (unsigned long long)s.vcpus_created,
		    (unsigned long long)s.vcpus_deleted, (unsigned long long)s.hv_actions,
		    (unsigned long long)s.reboots);
	}
	printf("%lu inputs, %lu broke an invariant\n", replayed, failed);
	fuzz_core_fini();
	free(files);
	if (rc != 0)
		return 2;
	return failed ? 1 : 0;
}
