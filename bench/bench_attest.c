/* SPDX-License-Identifier: MIT */
/*
 * bench-attest (issue 13):
 *   - one NV commit of a vTPM-sized state (permall 4437 bytes, plus a
 *     9 KiB volatile blob in the second case) on a RAM device, sealed
 *     (AES-256-GCM, fresh IV) beside unsealed, microseconds per commit;
 *   - attestation requests per second through the full SVSM path
 *     (SVSM_ATTEST_SERVICES from the guest: the call, the manifest, SHA-512,
 *     the guest message to the emulated PSP with its ECDSA P-384 signature,
 *     the certificates, the guest buffers), with and without certificates;
 *     and the emulated PSP's share (one MSG_KEY_REQ, no signature).
 * Each figure is the best of three runs.
 *
 *   bench-attest [-n N]   N commits per run (default 2000; attestations N / 10)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/guest_msg.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim.h"
#include "csvsm/sim_attest.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Microseconds per commit of a state whose blobs change by one byte each time. */
static double commit_us(bool sealed, bool with_volatile, unsigned int n)
{
	static uint8_t permall[4437], vol[9216];
	struct nvstore_seal seal;
	struct nvstore *nv = NULL;
	struct blkdev dev;
	double best = 1e30;

	memset(&seal, 0x5a, sizeof(seal));
	seal.min_generation = 0;
	for (int run = 0; run < 3; run++) {
		double t0;

		if (blkdev_ram_init(&dev, (uint64_t)1 << 20) != 0 ||
		    (sealed ? nvstore_open_sealed(&dev, &seal, &nv) : nvstore_open(&dev, &nv)) !=
		        0) {
			fprintf(stderr, "bench-attest: no store\n");
			exit(1);
		}
		t0 = now_s();
		for (unsigned int i = 0; i < n; i++) {
			permall[i % sizeof(permall)]++;
			if (nvstore_put(nv, "permall", permall, sizeof(permall)) != 0 ||
			    (with_volatile &&
			     nvstore_put(nv, "volatilestate", vol, sizeof(vol)) != 0) ||
			    nvstore_commit(nv) != 0) {
				fprintf(stderr, "bench-attest: commit failed\n");
				exit(1);
			}
		}
		t0 = (now_s() - t0) * 1e6 / n;
		if (t0 < best)
			best = t0;
		nvstore_close(nv);
		blkdev_ram_free(&dev);
	}
	return best;
}

static double attest_rate(struct csvsm_sim *sim, bool certs, unsigned int n)
{
	static struct csvsm_sim_attest_result res;
	static const uint8_t nonce[64] = {1, 2, 3};
	struct csvsm_sim_attest_req req = {.nonce = nonce, .nonce_len = 64, .no_certs = !certs};
	double best = 0;

	for (int run = 0; run < 3; run++) {
		double t0 = now_s(), rate;

		for (unsigned int i = 0; i < n; i++)
			if (csvsm_sim_attest(sim, 0, &req, &res) != 0 ||
			    res.regs.rax != SVSM_SUCCESS) {
				fprintf(stderr, "bench-attest: attestation failed (%#llx)\n",
				        (unsigned long long)res.regs.rax);
				exit(1);
			}
		rate = n / (now_s() - t0);
		if (rate > best)
			best = rate;
	}
	return best;
}

static double key_rate(unsigned int n)
{
	uint8_t key[32];
	double best = 0;

	for (int run = 0; run < 3; run++) {
		double t0 = now_s(), rate;

		for (unsigned int i = 0; i < n; i++)
			if (guest_msg_derive_key(SNP_KEY_FIELD_MEASUREMENT, 0, key) != 0) {
				fprintf(stderr, "bench-attest: MSG_KEY_REQ failed\n");
				exit(1);
			}
		rate = n / (now_s() - t0);
		if (rate > best)
			best = rate;
	}
	return best;
}

int main(int argc, char **argv)
{
	unsigned int n = 2000;
	struct csvsm_sim *sim;
	double plain, sealed, plain2, sealed2;
	void *heap;

	if (argc == 3 && !strcmp(argv[1], "-n"))
		n = (unsigned int)strtoul(argv[2], NULL, 0);
	if (n < 10 || posix_memalign(&heap, (size_t)2 << 20, (size_t)16 << 20) != 0 ||
	    mm_init(heap, (size_t)16 << 20) != 0) {
		fprintf(stderr, "usage: bench-attest [-n N>=10]\n");
		return 2;
	}
	plain = commit_us(false, false, n);
	sealed = commit_us(true, false, n);
	plain2 = commit_us(false, true, n);
	sealed2 = commit_us(true, true, n);
	printf("NV commit, permall 4437 B:          unsealed %7.2f us, sealed %7.2f us (x%.2f)\n",
	       plain, sealed, sealed / plain);
	printf("NV commit, permall + 9 KiB volatile: unsealed %7.2f us, sealed %7.2f us (x%.2f)\n",
	       plain2, sealed2, sealed2 / plain2);
	sim = csvsm_sim_new(NULL);
	if (!sim)
		return 1;
	printf("attestation (SERVICES, no vTPM), with certificates:    %8.0f requests/s\n",
	       attest_rate(sim, true, n / 10));
	printf("attestation (SERVICES, no vTPM), without certificates: %8.0f requests/s\n",
	       attest_rate(sim, false, n / 10));
	printf("MSG_KEY_REQ from the SVSM (no signature):             %8.0f requests/s\n",
	       key_rate(n / 10));
	csvsm_sim_free(sim);
	free(heap);
	return 0;
}
