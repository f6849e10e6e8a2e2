/* SPDX-License-Identifier: MIT */
/*
 * A block device backed by a host file, for the simulator (csvsm/blkdev.h):
 * the persistent state of `csvsm-sim tpm-server --state FILE`, and of tests.
 *
 * Normal mode: every write goes to the file at once (pwrite), so it
 * survives the death of the process (SIGKILL); flush is fsync, so it
 * survives a host crash too.
 *
 * Crash mode: writes stay in a volatile cache (this process's memory) until
 * flush, the way a disk's write cache behaves. A simulated power loss
 * (sim_blkdev_file_crash, or the Nth operation after
 * sim_blkdev_file_crash_after) keeps a pseudo-random subset of the cached
 * writes, each torn to a prefix of whole write units, and drops the rest;
 * the choice depends only on the seed and the sequence of operations, so a
 * crash replays identically. After the power loss every operation fails
 * with -CSVSM_EIO until the device is closed and opened again.
 *
 * Hosted code (libc). Errors are negative csvsm codes (csvsm/error.h) and
 * are also explained in one line on the console (log_printf).
 */
#ifndef CSVSM_SIM_BLKDEV_H
#define CSVSM_SIM_BLKDEV_H

#include "csvsm/blkdev.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_blkdev_file_config {
	const char *path;
	/*
	 * Device size in bytes. An existing file must have exactly this size;
	 * 0 takes the size of the existing file (then it must exist and be
	 * non-empty). A created file gets this size (zero-filled).
	 */
	uint64_t size;
	/* Bytes written atomically: a power of two, 0 means 1. */
	uint32_t write_unit;
	/* Create the file when it does not exist (never truncates one that does). */
	bool create;
	/* Volatile write cache and simulated power loss (see above). */
	bool crash_mode;
	/* Seed of the power-loss choices (crash mode only). */
	uint64_t crash_seed;
};

/*
 * Opens (or creates) the file and fills `dev`. The file is locked
 * (exclusive, non-blocking) for as long as it is open. Returns 0;
 * -CSVSM_EINVAL (NULL path, size 0 with create on a missing file, bad
 * write_unit); -CSVSM_ENOENT (missing and !create: the one error not
 * logged, as callers often create the file next); -CSVSM_ERANGE (the
 * file's size differs from `size`: a short or truncated file, or the wrong
 * file); -CSVSM_EBUSY (another process or device holds the file);
 * -CSVSM_ENOMEM; -CSVSM_EIO (any other host error, such as a directory or
 * an unreadable file). On error `dev` is untouched and nothing was
 * created. A created file's directory entry is synced (best effort).
 */
int sim_blkdev_file_open(struct blkdev *dev,
                         const struct sim_blkdev_file_config *cfg) CSVSM_MUST_CHECK;

/*
 * Closes the device. Cached (unflushed) writes of crash mode are dropped,
 * as a power loss would; in normal mode the file already holds every
 * write. `dev` is zeroed. A zeroed or already closed `dev` is ignored.
 */
void sim_blkdev_file_close(struct blkdev *dev);

/*
 * Crash mode: a power loss now (see above). Returns 0, -CSVSM_EIO when the
 * surviving writes could not be written to the file, or -CSVSM_EINVAL when
 * the device is not in crash mode.
 */
int sim_blkdev_file_crash(struct blkdev *dev) CSVSM_MUST_CHECK;

/*
 * Crash mode: the power fails at the `nth` (1-based) write or flush from
 * now on, before that operation takes effect (it returns -CSVSM_EIO).
 * 0 disarms. Ignored outside crash mode.
 */
void sim_blkdev_file_crash_after(struct blkdev *dev, uint64_t nth);

/* True once the simulated power loss has happened (crash mode). */
bool sim_blkdev_file_crashed(const struct blkdev *dev);

/* Writes and flushes the device has accepted since it was opened. */
struct sim_blkdev_file_stats {
	uint64_t writes;
	uint64_t bytes_written;
	uint64_t flushes;
	uint64_t reads;
};
void sim_blkdev_file_get_stats(const struct blkdev *dev, struct sim_blkdev_file_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* CSVSM_SIM_BLKDEV_H */
