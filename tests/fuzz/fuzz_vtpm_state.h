/* SPDX-License-Identifier: MIT */
/*
 * The stored vTPM state fuzz target (fuzz_vtpm_state.c), shared by the
 * libFuzzer build (`make fuzz-vtpm-state`), the seed generator
 * (gen_vtpm_state_corpus.c) and the corpus replay in tests/check_vtpm_state.
 */
#ifndef CSVSM_TESTS_FUZZ_VTPM_STATE_H
#define CSVSM_TESTS_FUZZ_VTPM_STATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Input format (all integers little-endian):
 *
 *   byte 0      flags: bit i (i = 0, 1, 2) = blob i is in the store
 *               (0 "permall", 1 "volatilestate", 2 "savestate");
 *               bit 3 = after a successful run, start the vTPM a second
 *               time on the store the first run left
 *   bytes 1-4   length of blob 0 (used when another blob follows it)
 *   bytes 5-8   length of blob 1 (likewise)
 *   bytes 9-    the blobs' bytes, in order; each present blob takes its
 *               length (clamped to what is left), the last present blob
 *               takes everything left
 *
 * A shorter input counts as zero-padded to 9 bytes.
 */
#define FVS_HDR_SIZE     9
#define FVS_BLOBS        3
#define FVS_FLAG_RESTART 0x08u
#define FVS_ALL_BLOBS    0x07u

/* The NV store names of the blobs, in input order. */
extern const char *const fvs_blob_names[FVS_BLOBS];

/*
 * Writes blobs (NULL = absent; data/len per blob) and `flags` (bits above
 * the presence bits) as one input into out[0..max). Returns the input's
 * length, or 0 when it does not fit.
 */
size_t fuzz_vtpm_state_encode(uint8_t *out, size_t max, unsigned int flags,
                              const uint8_t *const data[FVS_BLOBS], const size_t len[FVS_BLOBS]);

/*
 * Writes the input's blobs into a fresh NV store on a RAM device (with
 * nvstore_put and nvstore_commit, so the checksums are right and every
 * byte reaches libtpms), reopens it, and starts the vTPM on it
 * (vtpm_init, ECC EK). Needs an initialised heap (mm_init) and no vTPM
 * running. Returns NULL when every property held, else a static
 * description of the first violation:
 * - no crash or sanitizer report (the fuzz build checks);
 * - vtpm_init answers 0 or a negative csvsm error code;
 * - after a failed vtpm_init the vTPM is unavailable (vtpm_execute answers
 *   -CSVSM_ENOTSUP, no EK public area) and the device holds exactly the
 *   bytes it held before: a refused state is never overwritten;
 * - after a successful one, GetRandom, PCR_Read, GetCapability(handles
 *   of NV indices) and, when an index is defined, NV_ReadPublic and
 *   NV_Read are delivered (vtpm_execute 0) with a response whose header
 *   agrees with its length; after vtpm_shutdown the store opens again and,
 *   with FVS_FLAG_RESTART, the vTPM starts again on it;
 * - every SVSM allocation is freed (mm_live_allocs back to its value
 *   before the run; libtpms' own allocations are libtpms').
 * Inputs whose blobs do not fit the device are skipped (NULL).
 */
const char *fuzz_vtpm_state_one(const uint8_t *data, size_t size);

/* What the runs so far did (for the replay test: a corpus that tests something). */
struct fvs_stats {
	unsigned long inputs;   /* fuzz_vtpm_state_one calls */
	unsigned long skipped;  /* inputs whose blobs did not fit the device */
	unsigned long started;  /* successful vtpm_init calls */
	unsigned long refused;  /* failed vtpm_init calls */
	unsigned long nv_reads; /* NV_Read commands sent (an index was defined) */
};
void fuzz_vtpm_state_stats(struct fvs_stats *out);

/* The libFuzzer entry point: sets up a heap once, aborts on a violation. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CSVSM_TESTS_FUZZ_VTPM_STATE_H */
