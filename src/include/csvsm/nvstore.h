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
	/* Added fields (the original four above keep their meaning): */
	uint64_t device_writes;  /* blkdev_write calls made by commits (failed ones too) */
	uint64_t device_flushes; /* blkdev_flush calls made by commits */
	uint64_t capacity;       /* largest staged state (payload bytes) a slot holds */
	uint64_t payload_bytes;  /* bytes the staged state takes in the format */
	uint64_t blobs;          /* staged blobs */
	uint32_t current_slot;   /* slot (0 or 1) holding the last good state */
	uint32_t invalid_slots;  /* bit i: open found data in slot i that is no valid state */
	bool dirty;              /* staged changes not yet committed */
	/* Sealed stores (nvstore_open_sealed): */
	bool sealed;
	uint32_t auth_failures; /* bit i: slot i held a sealed state that did not authenticate */
	uint32_t old_slots;     /* bit i: slot i held a state older than the trusted record */
	bool rollback_suspect;  /* the slots' generations are 2 or more apart (one was replaced) */
};

/*
 * What a sealed store is bound to: the AES-256-GCM key (on SNP from
 * MSG_KEY_REQ, bound to VMPL0 and the SVSM's measurement), and the oldest
 * generation the caller will accept (its trusted record of the newest
 * state it has seen, 0 = none).
 */
struct nvstore_seal {
	uint8_t key[32];
	uint64_t min_generation;
};

/*
 * Opens the store on `dev` (which must outlive it): finds the newest
 * complete state. A blank device gives an empty store (generation 0).
 * Returns 0 and *out, -CSVSM_ENOMEM, -CSVSM_EIO, -CSVSM_ENOSPC (device too
 * small for the format), or -CSVSM_ECORRUPT when the device holds data
 * but no valid state (nothing is written by open, ever).
 *
 * Details (the format: src/storage/nvstore_format.h): the device holds two
 * slots; a slot whose header was never written (all 0x00 or all 0xFF)
 * counts as the empty state of generation 0, so a crash during the very
 * first commit opens as the empty store. When one slot is invalid (torn by
 * a crash, or corrupt) and the other valid, open succeeds with the valid
 * one, logs what was wrong (log_printf) and sets the slot's bit in
 * stats.invalid_slots; the next commit overwrites the invalid slot, never
 * the good one. A blank slot beside an invalid one stands for the empty
 * state only when the invalid slot's header looks torn (bad magic or
 * header checksum); beside a well-formed header whose slot is unusable
 * (device resized, unknown version, corrupt payload) open fails with
 * -CSVSM_ECORRUPT rather than silently starting empty. Each reason is
 * logged. Also -CSVSM_EINVAL: NULL `out`, a device failing blkdev_valid,
 * or a write unit above 64 KiB. *out is NULL on every error.
 */
int nvstore_open(struct blkdev *dev, struct nvstore **out) CSVSM_MUST_CHECK;

/*
 * nvstore_open for a sealed store: every slot must be sealed (format:
 * nvstore_format.h) and authenticate under seal->key, and hold a
 * generation >= seal->min_generation; anything else counts as an invalid
 * slot (logged, and counted in stats.auth_failures / stats.old_slots), and
 * no byte of it is parsed. A device whose slots all fail gives
 * -CSVSM_ECORRUPT with nothing written, so the last good state is never
 * overwritten by a refused one. A blank device gives an empty sealed store
 * only when min_generation is 0 (otherwise -CSVSM_ECORRUPT: the state the
 * record speaks of is gone). Commits encrypt with a fresh IV from
 * plat_entropy_get (-CSVSM_EIO when none can be had). Two valid slots
 * whose generations are 2 or more apart cannot come from crashes (a commit
 * always writes generation + 1 over generation - 1): stats.rollback_suspect
 * is set and logged, and the newer one is used. The key is copied; the
 * store wipes it on close.
 */
int nvstore_open_sealed(struct blkdev *dev, const struct nvstore_seal *seal,
                        struct nvstore **out) CSVSM_MUST_CHECK;

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
 * A valid name is a NUL-terminated string of 1..NVSTORE_NAME_MAX bytes;
 * `data` may be NULL only when `len` is 0. The whole staged state (each
 * blob costs 5 + name length + data length bytes) must fit one slot:
 * nvstore_stats.capacity, about half the device, at most 1 MiB.
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
 *
 * "Differs" compares the whole staged state with the last good one, so
 * changes that cancel out (a put undone by another put) write nothing
 * either; a skipped commit counts in stats.commits_skipped.
 *
 * A commit costs two blkdev_write calls (the payload, padded to the write
 * unit, then the slot header block) and two blkdev_flush calls, one write
 * and one flush fewer for an empty state; the first commit on a blank
 * device writes the state into both slots (twice that). After -CSVSM_EIO
 * the device holds the old or the new state (which one depends on how far
 * the writes got); the slot of the last good state was not written.
 * -CSVSM_EINVAL for a NULL store; -CSVSM_ENOSPC when the generation
 * counter is exhausted (2^62 commits: only a forged image can start that
 * close to the limit).
 */
int nvstore_commit(struct nvstore *nv) CSVSM_MUST_CHECK;

/* Statistics since open (all zero for a NULL store). */
void nvstore_get_stats(const struct nvstore *nv, struct nvstore_stats *out);

/* The number of staged blobs (0 for NULL). */
size_t nvstore_count(const struct nvstore *nv);

/*
 * The staged blob number `index` (0-based, in ascending name order): sets
 * *name (NUL-terminated), *data and *len (each may be NULL), all valid
 * until the next put/delete/close. Returns 0 or -CSVSM_ENOENT when `index`
 * >= nvstore_count.
 */
int nvstore_get_at(const struct nvstore *nv, size_t index, const char **name, const void **data,
                   size_t *len) CSVSM_MUST_CHECK;

/*
 * A RAM block device of `size` bytes (allocated from the heap, zeroed).
 * Returns 0 and fills `dev`, or -CSVSM_ENOMEM (-CSVSM_EINVAL for a NULL
 * `dev` or a zero size). blkdev_ram_free releases it. Writes go straight
 * to the buffer (flush does nothing); write_unit is 1 (a test may raise
 * it, to a power of two, to model a device with larger atomic writes);
 * dev->priv is the buffer, which tests may inspect or corrupt.
 * blkdev_ram_free ignores NULL and devices it did not create, and zeroes
 * `dev`.
 */
int blkdev_ram_init(struct blkdev *dev, uint64_t size) CSVSM_MUST_CHECK;
void blkdev_ram_free(struct blkdev *dev);

#endif
