/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus of the sealed NV image fuzz target into DIR
 * (fixtures/corpus/nvseal): sealed stores after 1, 2, 3 and 5 commits, with
 * 1 or 3 blobs, each with a record of 0 and of 2. Run by hand:
 *   tests/fuzz/gen-nvseal-corpus fixtures/corpus/nvseal
 */
#include <stdio.h>
#include <stdlib.h>

#include "csvsm/mm.h"
#include "fuzz_nvseal.h"

int main(int argc, char **argv)
{
	static const unsigned int commits[] = {1, 2, 3, 5};
	static uint8_t buf[1 + FUZZ_NVSEAL_DEV_SIZE];
	void *heap;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-nvseal-corpus DIR\n");
		return 2;
	}
	if (posix_memalign(&heap, (size_t)2 << 20, (size_t)8 << 20) != 0 ||
	    mm_init(heap, (size_t)8 << 20) != 0)
		return 1;
	for (unsigned int i = 0; i < 4; i++) {
		for (unsigned int blobs = 1; blobs <= 3; blobs += 2) {
			for (unsigned int rec = 0; rec <= 2; rec += 2) {
				size_t n = fuzz_nvseal_seed(buf, sizeof(buf), commits[i], blobs);
				char path[512];
				FILE *f;

				if (n == 0)
					return 1;
				buf[0] = (uint8_t)(1 | rec << 1);
				snprintf(path, sizeof(path), "%s/sealed-c%u-b%u-r%u", argv[1],
				         commits[i], blobs, rec);
				f = fopen(path, "wb");
				if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
					return 1;
			}
		}
	}
	return 0;
}
