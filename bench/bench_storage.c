/* SPDX-License-Identifier: MIT */
/*
 * bench-storage: what one NV commit and one 4 KiB write cost on each
 * storage device, in exits (MMIO accesses that leave the guest) and time.
 *
 * The core's drivers (src/storage/pflash.c, virtio_blk.c) run against the
 * device models (sim/machine/) on the shim's MMIO bus, which counts every
 * access; reads of a flash in read-array mode are served like ROM (no
 * exit), as QEMU and KVM map it. Devices:
 *   pflash-x8   CFI flash, 8-bit bank, 4 KiB blocks, 256-byte write buffer
 *               (QEMU's x86 system flash, pc_sysfw: what an SNP guest gets)
 *   pflash-x32  32-bit bank, 2 KiB write buffer (the best a CFI flash does)
 *   virtio-blk  virtio-mmio block, modern transport, one polled queue
 * Workloads:
 *   commit  one nvstore_commit of a libtpms-shaped state, both blobs
 *           changed: permall 1299 B + volatilestate 8970 B (~11 KB with
 *           the format's header), on a 1 MiB device after a first commit
 *   4k      one aligned 4 KiB blkdev_write over written data, then a flush
 * Time on the shim is host time for the whole path (driver + model); the
 * cost of exits on a real machine is measured on KVM (csvsm-sim kvm,
 * when available), not here. Best of ROUNDS runs.
 *
 * Usage: bench-storage
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim_mmio.h"
#include "csvsm/storage_dev.h"
#include "csvsm/virtio_mmio.h"
#include "machine/pflash.h"
#include "machine/virtio_blk.h"

#define DEV_SIZE   ((uint64_t)1 << 20)
#define HEAP_BYTES ((size_t)32 << 20)
#define ROUNDS     9

struct result {
	uint64_t exits, writes, reads;
	double us;
};

static const struct sim_mmio_ops pf_ops = {
    .read = sim_pflash_read,
    .write = sim_pflash_write,
    .direct_reads = sim_pflash_direct_reads,
};

static const struct sim_mmio_ops vb_ops = {
    .read = sim_vblk_read,
    .write = sim_vblk_write,
};

static uint64_t rng = 0x5eed;

static uint8_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint8_t)((rng * 0x2545f4914f6cdd1dULL) >> 56);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static void *dma(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return sim_dma_host(pa, len);
}

struct device {
	const char *name;
	uint8_t *medium;
	struct sim_pflash pf;
	struct sim_vblk vb;
	struct blkdev dev;
	int kind; /* 0 pflash, 1 virtio */
};

static int device_open(struct device *d, const char *name, int kind, unsigned int width)
{
	d->name = name;
	d->kind = kind;
	d->medium = malloc(DEV_SIZE);
	if (!d->medium)
		return -1;
	if (kind == 0) {
		struct sim_pflash_config c = {.storage = d->medium,
		                              .size = DEV_SIZE,
		                              .sector_len = 4096,
		                              .bank_width = width};

		memset(d->medium, 0xff, DEV_SIZE);
		if (sim_pflash_init(&d->pf, &c) ||
		    sim_mmio_map(SIM_PFLASH_BASE, DEV_SIZE, &pf_ops, &d->pf))
			return -1;
		return pflash_open(&d->dev, SIM_PFLASH_BASE, DEV_SIZE);
	}
	struct sim_vblk_config c = {
	    .storage = d->medium, .size = DEV_SIZE, .flush = true, .dma = dma};

	memset(d->medium, 0, DEV_SIZE);
	if (sim_vblk_init(&d->vb, &c) ||
	    sim_mmio_map(SIM_VIRTIO_BASE, VIRTIO_MMIO_WINDOW, &vb_ops, &d->vb))
		return -1;
	return vblk_open(&d->dev, SIM_VIRTIO_BASE);
}

static void device_close(struct device *d)
{
	if (d->kind == 0) {
		pflash_close(&d->dev);
		sim_mmio_unmap(SIM_PFLASH_BASE);
	} else {
		vblk_close(&d->dev);
		sim_mmio_unmap(SIM_VIRTIO_BASE);
	}
	free(d->medium);
}

static void keep_best(struct result *best, const struct result *r)
{
	if (best->us == 0 || r->us < best->us)
		*best = *r;
}

static void measure_start(double *t0)
{
	sim_mmio_reset_stats();
	*t0 = now_us();
}

static void measure_end(double t0, struct result *r)
{
	struct sim_mmio_stats st;

	r->us = now_us() - t0;
	sim_mmio_get_stats(&st);
	r->exits = st.exits;
	r->writes = st.writes;
	r->reads = st.reads - st.direct_reads;
}

static int bench_device(struct device *d, struct result *commit, struct result *w4k)
{
	static uint8_t perm[1299], vol[8970], blk[4096];
	struct nvstore *nv;

	if (nvstore_open(&d->dev, &nv) != 0)
		return -1;
	for (int round = 0; round <= ROUNDS; round++) {
		struct result r;
		double t0;

		for (size_t i = 0; i < sizeof(perm); i++)
			perm[i] = rnd();
		for (size_t i = 0; i < sizeof(vol); i++)
			vol[i] = rnd();
		if (nvstore_put(nv, "permall", perm, sizeof(perm)) ||
		    nvstore_put(nv, "volatilestate", vol, sizeof(vol)))
			return -1;
		measure_start(&t0);
		if (nvstore_commit(nv) != 0)
			return -1;
		measure_end(t0, &r);
		if (round > 0) /* round 0 is the first commit (both slots) */
			keep_best(commit, &r);
	}
	nvstore_close(nv);
	for (int round = 0; round < ROUNDS; round++) {
		struct result r;
		double t0;

		for (size_t i = 0; i < sizeof(blk); i++)
			blk[i] = rnd();
		measure_start(&t0);
		if (blkdev_write(&d->dev, 512 * 1024, blk, sizeof(blk)) || blkdev_flush(&d->dev))
			return -1;
		measure_end(t0, &r);
		keep_best(w4k, &r);
	}
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int kind;
		unsigned int width;
	} devs[] = {{"pflash-x8", 0, 1}, {"pflash-x32", 0, 4}, {"virtio-blk", 1, 0}};
	struct result commit[3] = {{0}}, w4k[3] = {{0}};
	void *heap = aligned_alloc((size_t)2 << 20, HEAP_BYTES);

	if (!heap || mm_init(heap, HEAP_BYTES) != 0)
		return 1;
	for (int i = 0; i < 3; i++) {
		struct device d = {0};

		if (device_open(&d, devs[i].name, devs[i].kind, devs[i].width) != 0 ||
		    bench_device(&d, &commit[i], &w4k[i]) != 0) {
			fprintf(stderr, "bench-storage: %s failed\n", devs[i].name);
			return 1;
		}
		device_close(&d);
	}
	printf("bench-storage (shim): exits = MMIO accesses leaving the guest; best of %d\n",
	       ROUNDS);
	printf("%-11s %-7s %9s %9s %9s %11s\n", "device", "op", "exits", "mmio-wr", "mmio-rd",
	       "host-us");
	for (int i = 0; i < 3; i++) {
		printf("%-11s %-7s %9llu %9llu %9llu %11.1f\n", devs[i].name, "commit",
		       (unsigned long long)commit[i].exits, (unsigned long long)commit[i].writes,
		       (unsigned long long)commit[i].reads, commit[i].us);
		printf("%-11s %-7s %9llu %9llu %9llu %11.1f\n", devs[i].name, "4k",
		       (unsigned long long)w4k[i].exits, (unsigned long long)w4k[i].writes,
		       (unsigned long long)w4k[i].reads, w4k[i].us);
	}
	printf("commit exits, virtio-blk / pflash-x8 = 1/%.0f (goal <= 1/100: %s)\n",
	       (double)commit[0].exits / (double)commit[2].exits,
	       commit[2].exits * 100 <= commit[0].exits ? "met" : "NOT met");
	printf("commit exits, virtio-blk / pflash-x32 = 1/%.0f\n",
	       (double)commit[1].exits / (double)commit[2].exits);
	printf("4k exits, virtio-blk / pflash-x8 = 1/%.0f\n",
	       (double)w4k[0].exits / (double)w4k[2].exits);
	return 0;
}
