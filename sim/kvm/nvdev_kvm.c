/* SPDX-License-Identifier: MIT */
/*
 * The runner's NV device (`csvsm-sim kvm --nv pflash|virtio:FILE`): one of
 * the simulator's device models (sim/machine/), backed by FILE, behind the
 * VM's MMIO exits, and its place handed to the image on the command line
 * (`nvdev=SPEC`, csvsm/storage_dev.h).
 *
 * A flash in read-array mode is also mapped into the guest read-only (a
 * KVM_MEM_READONLY memory slot over the same pages), so reads of it do
 * not exit, as QEMU maps a ROM device; writes to it always exit. When a
 * command takes the flash out of read-array mode the slot is removed (its
 * status reads must reach the model) and it returns with read-array mode.
 * The virtio model reaches guest RAM only, through the runner's mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsm/virtio_mmio.h"
#include "kvm_runner.h"
#include "machine/pflash.h"
#include "machine/virtio_blk.h"

#define NV_PFLASH_BASE 0xf0000000ull /* below microvm's virtio-mmio range, above any RAM we map */
#define NV_VIRTIO_BASE 0xfeb00000ull /* where QEMU's microvm puts its first transport */
#define NV_CREATE_SIZE ((uint64_t)1 << 20)
#define NV_ROM_SLOT    1u

struct kvm_nvdev {
	bool pflash;
	int fd;
	uint8_t *mem;
	uint64_t size, base, window;
	struct sim_pflash pf;
	struct sim_vblk vb;
	bool rom_mapped;
	struct kvm_machine *m;
};

static void *nv_dma(void *ctx, uint64_t pa, uint64_t len)
{
	struct kvm_machine *m = ctx;

	if (pa >= m->mem_size || len > m->mem_size - pa)
		return NULL;
	return m->mem + pa;
}

static void nv_virtio_change(void *ctx, uint64_t off, const uint8_t *data, size_t len)
{
	struct kvm_nvdev *d = ctx;

	(void)off;
	(void)len;
	if (!data) /* a flush: make the file durable */
		msync(d->mem, d->size, MS_SYNC);
}

/* Maps or unmaps the flash as guest ROM to follow the model's read-array mode. */
static int nv_rom_sync(struct kvm_nvdev *d)
{
	struct kvm_userspace_memory_region r = {
	    .slot = NV_ROM_SLOT, .flags = KVM_MEM_READONLY, .guest_phys_addr = d->base};
	bool want = d->pf.array_mode;

	if (want == d->rom_mapped)
		return 0;
	r.memory_size = want ? d->size : 0;
	r.userspace_addr = (uintptr_t)d->mem;
	if (ioctl(d->m->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		fprintf(stderr, "kvm: cannot %s the flash's ROM slot: %s\n", want ? "map" : "unmap",
		        strerror(errno));
		return -1;
	}
	d->rom_mapped = want;
	d->m->exits.rom_toggles++;
	return 0;
}

int kvm_nvdev_attach(struct kvm_machine *m, const char *arg, char *spec, size_t speclen)
{
	struct kvm_nvdev *d;
	const char *path;
	struct stat st;
	bool created = false;
	int rc;

	if (!strncmp(arg, "pflash:", 7))
		path = arg + 7;
	else if (!strncmp(arg, "virtio:", 7))
		path = arg + 7;
	else {
		fprintf(stderr, "csvsm-sim kvm: --nv wants pflash:FILE or virtio:FILE\n");
		return -1;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->m = m;
	d->pflash = arg[0] == 'p';
	d->base = d->pflash ? NV_PFLASH_BASE : NV_VIRTIO_BASE;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0 && errno == ENOENT) {
		d->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		created = d->fd >= 0;
	}
	if (d->fd < 0 || flock(d->fd, LOCK_EX | LOCK_NB) != 0 ||
	    (created && ftruncate(d->fd, (off_t)NV_CREATE_SIZE) != 0) || fstat(d->fd, &st) != 0 ||
	    st.st_size <= 0) {
		fprintf(stderr, "csvsm-sim kvm: %s: %s\n", path,
		        errno ? strerror(errno) : "not a usable device file");
		goto fail;
	}
	d->size = (uint64_t)st.st_size;
	d->mem = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	if (d->mem == MAP_FAILED) {
		d->mem = NULL;
		fprintf(stderr, "csvsm-sim kvm: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (created && d->pflash)
		memset(d->mem, 0xff, d->size); /* a new flash is erased */
	d->window = d->pflash ? d->size : VIRTIO_MMIO_WINDOW;
	if (m->mem_size > d->base || d->base + d->window > (1ull << 32)) {
		fprintf(stderr, "csvsm-sim kvm: the NV device does not fit above guest RAM\n");
		goto fail;
	}
	if (d->pflash) {
		struct sim_pflash_config c = {
		    .storage = d->mem, .size = d->size, .sector_len = 4096, .bank_width = 1};

		rc = sim_pflash_init(&d->pf, &c);
	} else {
		struct sim_vblk_config c = {.storage = d->mem,
		                            .size = d->size,
		                            .flush = true,
		                            .dma = nv_dma,
		                            .dma_ctx = m,
		                            .on_change = nv_virtio_change,
		                            .change_ctx = d};

		rc = sim_vblk_init(&d->vb, &c);
	}
	if (rc != 0) {
		fprintf(stderr, "csvsm-sim kvm: %s: %llu bytes do not suit a %s device\n", path,
		        (unsigned long long)d->size, d->pflash ? "pflash" : "virtio-blk");
		goto fail;
	}
	m->nvdev = d;
	if (d->pflash && nv_rom_sync(d) < 0) {
		m->nvdev = NULL;
		goto fail;
	}
	if (d->pflash)
		snprintf(spec, speclen, "nvdev=pflash@%#llx:%llu", (unsigned long long)d->base,
		         (unsigned long long)d->size);
	else
		snprintf(spec, speclen, "nvdev=virtio@%#llx", (unsigned long long)d->base);
	return 0;
fail:
	if (d->mem)
		munmap(d->mem, d->size);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	return -1;
}

bool kvm_nvdev_mmio(struct kvm_machine *m, uint64_t gpa, bool write, uint8_t *data,
                    unsigned int len)
{
	struct kvm_nvdev *d = m->nvdev;
	uint64_t val = 0;

	if (!d || gpa < d->base || gpa - d->base >= d->window || len > 8 ||
	    len > d->window - (gpa - d->base))
		return false;
	m->exits.mmio++;
	if (write) {
		memcpy(&val, data, len);
		if (d->pflash) {
			sim_pflash_write(&d->pf, gpa - d->base, len, val);
			if (nv_rom_sync(d) < 0)
				return false;
		} else {
			sim_vblk_write(&d->vb, gpa - d->base, len, val);
		}
		return true;
	}
	val = d->pflash ? sim_pflash_read(&d->pf, gpa - d->base, len)
	                : sim_vblk_read(&d->vb, gpa - d->base, len);
	memcpy(data, &val, len);
	return true;
}

void kvm_nvdev_detach(struct kvm_machine *m)
{
	struct kvm_nvdev *d = m->nvdev;

	if (!d)
		return;
	msync(d->mem, d->size, MS_SYNC);
	munmap(d->mem, d->size);
	close(d->fd);
	free(d);
	m->nvdev = NULL;
}
