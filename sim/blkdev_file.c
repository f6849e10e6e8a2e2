/* SPDX-License-Identifier: MIT */
/*
 * A block device on a host file (see csvsm/sim_blkdev.h), with an optional
 * volatile write cache and deterministic power losses for crash tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/sim_blkdev.h"

/* One write held in the volatile cache (crash mode). */
struct file_pending {
	uint64_t offset;
	size_t len;
	uint8_t *data;
};

struct file_dev {
	int fd;
	char *path;
	bool crash_mode;
	bool crashed;
	uint64_t rng;         /* xorshift64 state of the power-loss choices */
	uint64_t crash_after; /* power loss at this write/flush (0: never) */
	uint64_t ops;         /* writes and flushes since crash_after was set */
	struct file_pending *pending;
	size_t npending, cap;
	struct sim_blkdev_file_stats stats;
};

static const struct blkdev_ops file_ops;

static struct file_dev *file_of(const struct blkdev *dev)
{
	if (dev == NULL || dev->ops != &file_ops)
		return NULL;
	return dev->priv;
}

static uint64_t file_rng(struct file_dev *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

static bool file_range_ok(const struct blkdev *dev, uint64_t offset, size_t len)
{
	return offset <= dev->size && (uint64_t)len <= dev->size - offset;
}

/* pread (or pwrite) the whole range; false on any error or end of file. */
static bool file_io_all(int fd, void *buf, size_t len, uint64_t offset, bool write)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n =
		    write ? pwrite(fd, p, len, (off_t)offset) : pread(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return true;
}

static bool file_pread_all(int fd, void *buf, size_t len, uint64_t offset)
{
	return file_io_all(fd, buf, len, offset, false);
}

static bool file_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset)
{
	return file_io_all(fd, (void *)(uintptr_t)buf, len, offset, true);
}

static void file_drop_pending(struct file_dev *f)
{
	for (size_t i = 0; i < f->npending; i++)
		free(f->pending[i].data);
	f->npending = 0;
}

/*
 * The power loss: each cached write, in order, is dropped, kept whole, or
 * kept as a prefix of whole write units (a quarter, a quarter and a half of
 * the cases); the rest of the cache is lost.
 */
static int file_power_loss(struct blkdev *dev, struct file_dev *f)
{
	bool ok = true;

	for (size_t i = 0; i < f->npending; i++) {
		const struct file_pending *w = &f->pending[i];
		uint64_t r = file_rng(f);
		size_t keep;

		if (r % 4 == 0) {
			keep = 0;
		} else if (r % 4 == 1) {
			keep = w->len;
		} else {
			size_t units = (w->len + dev->write_unit - 1) / dev->write_unit;

			keep = (size_t)((r >> 2) % (units + 1)) * dev->write_unit;
			if (keep > w->len)
				keep = w->len;
		}
		if (keep != 0 && !file_pwrite_all(f->fd, w->data, keep, w->offset))
			ok = false;
	}
	file_drop_pending(f);
	f->crashed = true;
	if (!ok) {
		log_printf("blkdev-file: %s: writing the surviving cache at power loss failed\n",
		           f->path);
		return -CSVSM_EIO;
	}
	return 0;
}

/* Counts a write or flush; true when the power fails at this one. */
static bool file_power_fails_now(struct blkdev *dev, struct file_dev *f)
{
	if (!f->crash_mode || f->crash_after == 0)
		return false;
	if (++f->ops < f->crash_after)
		return false;
	f->crash_after = 0;
	(void)file_power_loss(dev, f);
	return true;
}

static int file_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	struct file_dev *f = file_of(dev);

	if (f == NULL || f->crashed)
		return -CSVSM_EIO;
	if (!file_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	if (!file_pread_all(f->fd, buf, len, offset)) {
		log_printf("blkdev-file: %s: read of %zu bytes at %llu failed (file truncated?)\n",
		           f->path, len, (unsigned long long)offset);
		return -CSVSM_EIO;
	}
	/* Crash mode: the cache, newest last, overlays the file. */
	for (size_t i = 0; i < f->npending; i++) {
		const struct file_pending *w = &f->pending[i];
		uint64_t lo = w->offset > offset ? w->offset : offset;
		uint64_t hi_w = w->offset + w->len, hi_r = offset + len;
		uint64_t hi = hi_w < hi_r ? hi_w : hi_r;

		if (lo < hi)
			memcpy((uint8_t *)buf + (lo - offset), w->data + (lo - w->offset),
			       (size_t)(hi - lo));
	}
	f->stats.reads++;
	return 0;
}

static int file_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	struct file_dev *f = file_of(dev);

	if (f == NULL || f->crashed)
		return -CSVSM_EIO;
	if (!file_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	if (file_power_fails_now(dev, f))
		return -CSVSM_EIO;
	if (f->crash_mode) {
		struct file_pending *w;

		if (f->npending == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 8;
			void *p = realloc(f->pending, cap * sizeof(*f->pending));

			if (p == NULL)
				return -CSVSM_EIO;
			f->pending = p;
			f->cap = cap;
		}
		w = &f->pending[f->npending];
		w->data = malloc(len);
		if (w->data == NULL)
			return -CSVSM_EIO;
		memcpy(w->data, buf, len);
		w->offset = offset;
		w->len = len;
		f->npending++;
	} else if (!file_pwrite_all(f->fd, buf, len, offset)) {
		log_printf("blkdev-file: %s: write of %zu bytes at %llu failed: %s\n", f->path, len,
		           (unsigned long long)offset, strerror(errno));
		return -CSVSM_EIO;
	}
	f->stats.writes++;
	f->stats.bytes_written += len;
	return 0;
}

static int file_flush(struct blkdev *dev)
{
	struct file_dev *f = file_of(dev);

	if (f == NULL || f->crashed)
		return -CSVSM_EIO;
	if (file_power_fails_now(dev, f))
		return -CSVSM_EIO;
	for (size_t i = 0; i < f->npending; i++) {
		const struct file_pending *w = &f->pending[i];

		if (!file_pwrite_all(f->fd, w->data, w->len, w->offset)) {
			log_printf("blkdev-file: %s: flush failed: %s\n", f->path, strerror(errno));
			return -CSVSM_EIO;
		}
	}
	file_drop_pending(f);
	if (fsync(f->fd) != 0) {
		log_printf("blkdev-file: %s: fsync failed: %s\n", f->path, strerror(errno));
		return -CSVSM_EIO;
	}
	f->stats.flushes++;
	return 0;
}

static const struct blkdev_ops file_ops = {
    .read = file_read,
    .write = file_write,
    .flush = file_flush,
};

/* Makes a new directory entry durable (best effort: not every file system can). */
static void file_sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Opens the existing file, or creates it; sets *created. Returns fd or a negative csvsm error. */
static int file_open_fd(const struct sim_blkdev_file_config *cfg, bool *created)
{
	int fd;

	*created = false;
	for (;;) {
		fd = open(cfg->path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		if (!cfg->create)
			return -CSVSM_ENOENT; /* not logged: the caller may create it next */
		if (cfg->size == 0) {
			log_printf("blkdev-file: %s: cannot create a file of size 0\n", cfg->path);
			return -CSVSM_EINVAL;
		}
		fd = open(cfg->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*created = true;
			break;
		}
		if (errno != EEXIST)
			break;
		/* Created by someone else meanwhile: open theirs. */
	}
	if (fd < 0) {
		log_printf("blkdev-file: %s: cannot open: %s\n", cfg->path, strerror(errno));
		return -CSVSM_EIO;
	}
	return fd;
}

/*
 * Locks the file and checks (or, for a new file, sets) its size into
 * *size. Returns 0 or a negative csvsm error.
 */
static int file_prepare(int fd, const struct sim_blkdev_file_config *cfg, bool created,
                        uint64_t *size)
{
	struct stat st;

	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			log_printf("blkdev-file: %s: in use by another device or process\n",
			           cfg->path);
			return -CSVSM_EBUSY;
		}
		log_printf("blkdev-file: %s: cannot lock: %s\n", cfg->path, strerror(errno));
		return -CSVSM_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		log_printf("blkdev-file: %s: not a regular file\n", cfg->path);
		return -CSVSM_EIO;
	}
	if (created) {
		if (ftruncate(fd, (off_t)cfg->size) != 0 || fsync(fd) != 0) {
			log_printf("blkdev-file: %s: cannot size to %llu bytes: %s\n", cfg->path,
			           (unsigned long long)cfg->size, strerror(errno));
			return -CSVSM_EIO;
		}
		file_sync_parent(cfg->path);
		*size = cfg->size;
		return 0;
	}
	if (cfg->size == 0 && st.st_size == 0) {
		log_printf("blkdev-file: %s: empty file (and no size given)\n", cfg->path);
		return -CSVSM_ERANGE;
	}
	if (cfg->size != 0 && (uint64_t)st.st_size != cfg->size) {
		log_printf("blkdev-file: %s: %s file: %llu bytes, expected %llu\n", cfg->path,
		           (uint64_t)st.st_size < cfg->size ? "short (truncated?)" : "oversized",
		           (unsigned long long)st.st_size, (unsigned long long)cfg->size);
		return -CSVSM_ERANGE;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int sim_blkdev_file_open(struct blkdev *dev, const struct sim_blkdev_file_config *cfg)
{
	uint32_t wu;
	struct file_dev *f;
	bool created;
	uint64_t size = 0;
	int fd, rc;

	if (dev == NULL || cfg == NULL || cfg->path == NULL)
		return -CSVSM_EINVAL;
	wu = cfg->write_unit ? cfg->write_unit : 1;
	if ((wu & (wu - 1)) != 0) {
		log_printf("blkdev-file: %s: write unit %u is not a power of two\n", cfg->path, wu);
		return -CSVSM_EINVAL;
	}
	fd = file_open_fd(cfg, &created);
	if (fd < 0)
		return fd;
	rc = file_prepare(fd, cfg, created, &size);
	f = rc == 0 ? calloc(1, sizeof(*f)) : NULL;
	if (f != NULL)
		f->path = strdup(cfg->path);
	if (rc == 0 && (f == NULL || f->path == NULL))
		rc = -CSVSM_ENOMEM;
	if (rc < 0) {
		if (f != NULL)
			free(f->path);
		free(f);
		if (created)
			unlink(cfg->path);
		close(fd);
		return rc;
	}
	f->fd = fd;
	f->crash_mode = cfg->crash_mode;
	f->rng = cfg->crash_seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	if (f->rng == 0)
		f->rng = 1;
	dev->ops = &file_ops;
	dev->size = size;
	dev->write_unit = wu;
	dev->name = f->path;
	dev->priv = f;
	return 0;
}

void sim_blkdev_file_close(struct blkdev *dev)
{
	struct file_dev *f = file_of(dev);

	if (f == NULL)
		return;
	file_drop_pending(f);
	free(f->pending);
	close(f->fd);
	free(f->path);
	free(f);
	memset(dev, 0, sizeof(*dev));
}

int sim_blkdev_file_crash(struct blkdev *dev)
{
	struct file_dev *f = file_of(dev);

	if (f == NULL || !f->crash_mode)
		return -CSVSM_EINVAL;
	if (f->crashed)
		return 0;
	return file_power_loss(dev, f);
}

void sim_blkdev_file_crash_after(struct blkdev *dev, uint64_t nth)
{
	struct file_dev *f = file_of(dev);

	if (f == NULL || !f->crash_mode)
		return;
	f->crash_after = nth;
	f->ops = 0;
}

bool sim_blkdev_file_crashed(const struct blkdev *dev)
{
	const struct file_dev *f = file_of(dev);

	return f != NULL && f->crashed;
}

void sim_blkdev_file_get_stats(const struct blkdev *dev, struct sim_blkdev_file_stats *out)
{
	const struct file_dev *f = file_of(dev);

	if (f == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = f->stats;
}
