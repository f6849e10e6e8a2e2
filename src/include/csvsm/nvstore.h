/* SPDX-License-Identifier: MIT */
/*
 * The NV store: a small set of named blobs (libtpms' "permall",
 * "volatilestate", "savestate", ...) kept crash-safe on a block device.
 * Changes are staged in SVSM memory and written by nvstore_commit, only
 * when something changed. A reader always finds the last complete commit.
 * Stored data is untrusted: a corrupt, truncated or oversized image is
 * detected and reported, and never overwrites the last good state.
 */
#ifndef CSVSM_NVSTORE_H
#define CSVSM_NVSTORE_H

#include "csvsm/blkdev.h"
#include "csvsm/types.h"

#define NVSTORE_NAME_MAX 31

struct nvstore;

struct nvstore_stats {
	uint64_t commits;         /* commits that wrote */
	uint64_t commits_skipped; /* commits with nothing to write */
	uint64_t bytes_written;
	uint64_t generation; /* sequence number of the last good state */
};

/*
 * Opens the store on `dev` (which must outlive it): finds the newest
 * complete state. A blank device gives an empty store (generation 0).
 * Returns 0 and *out, -CSVSM_ENOMEM, -CSVSM_EIO, -CSVSM_ENOSPC (device too
 * small for the format), or -CSVSM_ECORRUPT when the device holds data
 * but no valid state (nothing is written by open, ever).
 */
int nvstore_open(struct blkdev *dev, struct nvstore **out) CSVSM_MUST_CHECK;

/* Frees the store (uncommitted changes are lost). NULL is ignored. */
void nvstore_close(struct nvstore *nv);

/*
 * Looks up blob `name`. On success *data points into the store (valid
 * until the next put/delete/close) and *len is its length. Returns 0 or
 * -CSVSM_ENOENT.
 */
int nvstore_get(struct nvstore *nv, const char *name, const void **data,
                size_t *len) CSVSM_MUST_CHECK;

/*
 * Stages blob `name` = data[0..len). Identical contents change nothing.
 * Returns 0, -CSVSM_EINVAL (bad name), -CSVSM_ENOSPC (the state would not
 * fit the device) or -CSVSM_ENOMEM; on error the staged state is unchanged.
 */
int nvstore_put(struct nvstore *nv, const char *name, const void *data,
                size_t len) CSVSM_MUST_CHECK;

/* Stages the removal of `name`. Returns 0 or -CSVSM_ENOENT. */
int nvstore_delete(struct nvstore *nv, const char *name) CSVSM_MUST_CHECK;

/*
 * Writes the staged state if it differs from the last commit, crash-safe
 * (the previous state stays readable until the new one is complete and
 * flushed). Returns 0, or -CSVSM_EIO / -CSVSM_ENOMEM with the store still
 * holding the staged changes (a later commit retries).
 */
int nvstore_commit(struct nvstore *nv) CSVSM_MUST_CHECK;

/* Statistics since open. */
void nvstore_get_stats(const struct nvstore *nv, struct nvstore_stats *out);

/*
 * A RAM block device of `size` bytes (allocated from the heap, zeroed).
 * Returns 0 and fills `dev`, or -CSVSM_ENOMEM. blkdev_ram_free releases it.
 */
int blkdev_ram_init(struct blkdev *dev, uint64_t size) CSVSM_MUST_CHECK;
void blkdev_ram_free(struct blkdev *dev);

#endif
