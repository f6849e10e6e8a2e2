/* SPDX-License-Identifier: MIT */
/*
 * Finding the NV device from boot information (csvsm/storage_dev.h):
 * the text forms a platform's command line or boot parameters carry.
 * Everything parsed here is untrusted text: every number is range-checked.
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/storage_dev.h"
#include "csvsm/virtio_mmio.h"

/* Most virtio-mmio windows one scan probes (QEMU's microvm has 24). */
#define SPEC_SCAN_MAX 64u

struct spec_cursor {
	const char *p, *end;
};

static bool spec_eat(struct spec_cursor *c, const char *word)
{
	size_t n = str_len(word);

	if ((size_t)(c->end - c->p) < n || mem_cmp(c->p, word, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* A decimal or 0x-hexadecimal number, optionally scaled by K, M or G. */
static bool spec_number(struct spec_cursor *c, bool scaled, uint64_t *out)
{
	unsigned int base = 10, digits = 0;
	uint64_t v = 0;

	if (c->end - c->p > 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		base = 16;
		c->p += 2;
	}
	for (; c->p < c->end; c->p++, digits++) {
		char ch = *c->p;
		unsigned int d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned int)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned int)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = (unsigned int)(ch - 'A' + 10);
		else
			break;
		if (mul_overflows(v, (uint64_t)base, &v) || add_overflows(v, (uint64_t)d, &v))
			return false;
	}
	if (digits == 0)
		return false;
	if (scaled && c->p < c->end) {
		unsigned int shift = *c->p == 'K' || *c->p == 'k'   ? 10
		                     : *c->p == 'M' || *c->p == 'm' ? 20
		                     : *c->p == 'G' || *c->p == 'g' ? 30
		                                                    : 0;

		if (shift) {
			if (v > (CSVSM_UINT64_MAX >> shift))
				return false;
			v <<= shift;
			c->p++;
		}
	}
	*out = v;
	return true;
}

static bool spec_range_ok(uint64_t base, uint64_t size)
{
	uint64_t end;

	return size != 0 && !add_overflows(base, size, &end);
}

int storage_open_spec(struct blkdev *dev, const char *spec, size_t len)
{
	struct spec_cursor c;
	uint64_t base, size, irq;

	if (dev == NULL || spec == NULL)
		return -CSVSM_EINVAL;
	/* Only now: arithmetic on a null spec would be undefined (C11 6.5.6). */
	c = (struct spec_cursor){spec, spec + len};
	if (spec_eat(&c, "pflash@")) {
		if (!spec_number(&c, false, &base) || !spec_eat(&c, ":") ||
		    !spec_number(&c, true, &size) || c.p != c.end || !spec_range_ok(base, size))
			goto bad;
		return pflash_open(dev, base, size);
	}
	if (spec_eat(&c, "virtio@")) {
		if (!spec_number(&c, false, &base) || c.p != c.end ||
		    !spec_range_ok(base, VIRTIO_MMIO_WINDOW))
			goto bad;
		return vblk_open(dev, base);
	}
	if (spec_eat(&c, "virtio-scan@")) {
		uint64_t count;
		int rc = -CSVSM_ENOENT;

		if (!spec_number(&c, false, &base) || !spec_eat(&c, ":") ||
		    !spec_number(&c, false, &count) || c.p != c.end || count == 0 ||
		    count > SPEC_SCAN_MAX || !spec_range_ok(base, count * VIRTIO_MMIO_WINDOW))
			goto bad;
		for (uint64_t i = 0; i < count && rc != 0; i++)
			rc = vblk_open(dev, base + i * VIRTIO_MMIO_WINDOW);
		return rc == 0 ? 0 : -CSVSM_ENOENT;
	}
	if (spec_eat(&c, "virtio_mmio.device=")) {
		if (!spec_number(&c, true, &size) || !spec_eat(&c, "@") ||
		    !spec_number(&c, false, &base) || !spec_eat(&c, ":") ||
		    !spec_number(&c, false, &irq) || size < VIRTIO_MMIO_WINDOW ||
		    !spec_range_ok(base, size))
			goto bad;
		/* An optional ":ID" (platform device id) may follow; nothing else. */
		if (c.p != c.end &&
		    (!spec_eat(&c, ":") || !spec_number(&c, false, &irq) || c.p != c.end))
			goto bad;
		return vblk_open(dev, base);
	}
bad:
	log_printf("storage: cannot parse the device \"%.*s\"\n", (int)MIN(len, (size_t)80), spec);
	return -CSVSM_EINVAL;
}

int storage_find_virtio(struct blkdev *dev, const char *cmdline)
{
	const char *p = cmdline;

	if (dev == NULL || cmdline == NULL)
		return -CSVSM_EINVAL;
	while (*p) {
		const char *w = p;
		size_t n = 0;

		while (w[n] && w[n] != ' ')
			n++;
		if (n > 19 && mem_cmp(w, "virtio_mmio.device=", 19) == 0 &&
		    storage_open_spec(dev, w, n) == 0)
			return 0;
		p = w + n;
		while (*p == ' ')
			p++;
	}
	return -CSVSM_ENOENT;
}

void storage_close(struct blkdev *dev)
{
	/* Each driver ignores devices it did not open. */
	pflash_close(dev);
	vblk_close(dev);
}
