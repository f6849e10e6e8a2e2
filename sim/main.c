/* SPDX-License-Identifier: MIT */
/*
 * csvsm-sim: runs the csvsm core inside this process on the simulator's
 * platform. With no arguments it boots the core on embedded defaults, runs
 * a built-in workload and prints what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/boot.h"
#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/entropy.h"
#include "sim_plat.h"

#define DEFAULT_HEAP_MIB 16
#define DEFAULT_SEED 1

struct options {
	size_t heap_mib;
	uint64_t seed;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: csvsm-sim [--heap-mib N] [--seed N]\n"
		     "\n"
		     "Boots the csvsm core on the simulated platform with embedded defaults,\n"
		     "runs a built-in workload against it and prints a summary.\n"
		     "\n"
		     "  --heap-mib N  SVSM heap size in MiB (default %d, 1..4096)\n"
		     "  --seed N      seed of the simulated entropy source (default %d)\n"
		     "  -h, --help    this text\n",
		     DEFAULT_HEAP_MIB, DEFAULT_SEED);
}

static int parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
		fprintf(stderr, "csvsm-sim: %s wants a number in %llu..%llu, not '%s'\n", opt,
			(unsigned long long)min, (unsigned long long)max, text);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	uint64_t v;

	o->heap_mib = DEFAULT_HEAP_MIB;
	o->seed = DEFAULT_SEED;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (i + 1 >= argc || (strcmp(a, "--heap-mib") && strcmp(a, "--seed"))) {
			fprintf(stderr, "csvsm-sim: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return -1;
		}
		if (!strcmp(a, "--heap-mib")) {
			if (parse_u64(a, argv[++i], 1, 4096, &v) < 0)
				return -1;
			o->heap_mib = v;
		} else {
			if (parse_u64(a, argv[++i], 0, UINT64_MAX, &v) < 0)
				return -1;
			o->seed = v;
		}
	}
	return 0;
}

/* Allocates and frees a mix of objects and page blocks, as a smoke test. */
static int smoke_workload(size_t *objects, size_t *blocks)
{
	enum { OBJS = 1000 };
	void *obj[OBJS];
	void *block_4k, *block_2m;
	uint64_t sizes;

	if (plat_entropy_get(&sizes, sizeof(sizes)) < 0)
		return -CSVSM_EIO;
	for (size_t i = 0; i < OBJS; i++) {
		obj[i] = kmalloc(8 + (size_t)((sizes >> (i % 48)) + i * 37) % 2041);
		if (!obj[i]) {
			while (i--)
				kfree(obj[i]);
			return -CSVSM_ENOMEM;
		}
	}
	*objects = OBJS;
	block_4k = page_alloc(0);
	block_2m = page_alloc(MM_ORDER_2M);
	*blocks = (block_4k != NULL) + (block_2m != NULL);
	page_free(block_4k, 0);
	page_free(block_2m, MM_ORDER_2M);
	for (size_t i = 0; i < OBJS; i++)
		kfree(obj[i]);
	return (*blocks == 2) ? 0 : -CSVSM_ENOMEM;
}

int main(int argc, char **argv)
{
	struct options o;
	struct svsm_boot_report boot;
	struct mm_stats before, after;
	size_t objects = 0, blocks = 0;
	int rc;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	sim_entropy_seed(o.seed);
	if (sim_heap_prepare(o.heap_mib << 20) < 0) {
		fprintf(stderr, "csvsm-sim: cannot allocate a %zu MiB heap on the host\n",
			o.heap_mib);
		return 1;
	}
	printf("csvsm-sim: booting the core on the simulated platform (seed %llu)\n",
	       (unsigned long long)o.seed);
	rc = svsm_boot_memory(&boot);
	if (rc < 0) {
		fprintf(stderr, "csvsm-sim: boot failed: %s\n", csvsm_strerror(rc));
		return 1;
	}
	log_printf("core: heap %zu KiB at %p, %zu usable pages\n", boot.heap_bytes >> 10,
		   boot.heap_base, boot.heap_pages);
	mm_get_stats(&before);
	rc = smoke_workload(&objects, &blocks);
	mm_get_stats(&after);
	printf("workload: %zu objects (8..2048 B) and %zu page blocks (4 KiB, 2 MiB) "
	       "allocated and freed: %s\n",
	       objects, blocks, rc < 0 ? csvsm_strerror(rc) : "ok");
	printf("heap: %zu/%zu pages free before, %zu after; live allocations %zu\n",
	       before.free_pages, before.total_pages, after.free_pages, after.live_allocs);
	for (int c = 0; c < KMALLOC_CLASS_COUNT; c++)
		if (after.classes[c].slabs)
			printf("  slab %4zu B: %zu slab(s) cached, %zu objects free\n",
			       after.classes[c].object_size, after.classes[c].slabs,
			       after.classes[c].objects_free);
	sim_heap_release();
	if (rc < 0 || after.live_allocs != 0) {
		fprintf(stderr, "csvsm-sim: smoke run FAILED\n");
		return 1;
	}
	printf("csvsm-sim: smoke run ok\n");
	return 0;
}
