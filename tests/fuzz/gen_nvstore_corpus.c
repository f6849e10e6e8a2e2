/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus of the NV store load fuzzer (fuzz_nvstore_load.c)
 * into a directory: device images (write unit 1) made with the store
 * itself, then some damaged on purpose.
 *
 *   tests/fuzz/gen-nvstore-corpus fixtures/corpus/nvstore
 *
 * Deterministic: the same images on every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "sim_plat.h"

static const char *out_dir;

static void die(const char *what)
{
	fprintf(stderr, "gen-nvstore-corpus: %s\n", what);
	exit(1);
}

static void save(const char *name, const void *img, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(img, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

/* Commits `commits` successive states of `blobs` blobs onto a blank device of `size` bytes. */
static void make(struct blkdev *dev, uint64_t size, unsigned int commits, unsigned int blobs,
                 size_t blob_len)
{
	struct nvstore *nv;
	uint8_t *data = malloc(blob_len + 1);

	if (data == NULL || blkdev_ram_init(dev, size) != 0 || nvstore_open(dev, &nv) != 0)
		die("setup");
	for (unsigned int c = 0; c < commits; c++) {
		for (unsigned int b = 0; b < blobs; b++) {
			char name[16];

			snprintf(name, sizeof(name), b == 0 ? "permall" : "blob%u", b);
			for (size_t i = 0; i < blob_len; i++)
				data[i] = (uint8_t)(i * 31 + b * 7 + c);
			if (nvstore_put(nv, name, data, blob_len > b % 3 ? blob_len - b % 3 : 0) !=
			    0)
				die("put");
		}
		if (c == 2 && blobs > 1 && nvstore_delete(nv, "blob1") != 0)
			die("delete");
		if (nvstore_commit(nv) != 0)
			die("commit");
	}
	nvstore_close(nv);
	free(data);
}

static void console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int main(int argc, char **argv)
{
	const size_t heap_size = (size_t)16 << 20;
	struct blkdev dev;
	uint8_t *img;
	void *heap;

	if (argc != 2)
		die("usage: gen-nvstore-corpus DIR");
	out_dir = argv[1];
	if (posix_memalign(&heap, (size_t)2 << 20, heap_size) != 0 || mm_init(heap, heap_size) != 0)
		die("heap");
	sim_console_set_sink(console_drop, NULL);

	img = calloc(1, 4096);
	if (img == NULL)
		die("memory");
	save("blank-4k", img, 4096);
	memset(img, 0xff, 4096);
	save("erased-4k", img, 4096);
	save("too-small", img, 200);

	make(&dev, 1024, 1, 1, 40);
	save("one-commit-1k", dev.priv, 1024);
	blkdev_ram_free(&dev);

	make(&dev, 2048, 2, 3, 50);
	save("two-commits-2k", dev.priv, 2048);
	blkdev_ram_free(&dev);

	make(&dev, 4096, 3, 4, 100);
	save("three-commits-4k", dev.priv, 4096);
	/* Slot 0 (generation 3): torn header; then a torn payload. */
	((uint8_t *)dev.priv)[40] ^= 0x10;
	save("torn-header-4k", dev.priv, 4096);
	((uint8_t *)dev.priv)[40] ^= 0x10;
	((uint8_t *)dev.priv)[64 + 10] ^= 0x01;
	save("torn-payload-4k", dev.priv, 4096);
	/* Both slots damaged. */
	((uint8_t *)dev.priv)[2048 + 9] ^= 0x01;
	save("both-bad-4k", dev.priv, 4096);
	blkdev_ram_free(&dev);

	make(&dev, 3000, 5, 12, 8);
	save("many-blobs-3000", dev.priv, 3000);
	blkdev_ram_free(&dev);

	make(&dev, 600, 4, 1, 100);
	save("near-full-600", dev.priv, 600);
	blkdev_ram_free(&dev);

	make(&dev, 8192, 1, 2, 0);
	save("empty-blobs-8k", dev.priv, 8192);
	blkdev_ram_free(&dev);

	free(img);
	free(heap);
	return 0;
}
