/* SPDX-License-Identifier: MIT */
/*
 * The kvm platform's NV device (csvsm/plat/storage.h): the device the boot
 * information names (`nvdev=SPEC` on the command line, which `csvsm-sim kvm
 * --nv` appends; SPEC as for storage_open_spec), opened by the core's own
 * driver the first time the core asks for it. No `nvdev=`: no device.
 *
 * On the runner's SNP machine (`csvsm-sim --target kvm run`) the device is
 * the one the scenario gave the machine, named in the shared page
 * (csvsm/abi/kvm_snp.h, struct kvmsnp_shared.nv_kind): a pflash or
 * virtio-blk at the shim's addresses, opened by the same drivers, or the
 * shim's host-memory device through KVMSNP_REQ_NV (docs/kvm-snp.md).
 */
#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/plat/storage.h"
#include "csvsm/storage_dev.h"
#include "kvm_plat.h"

static const char *nv_spec;
static size_t nv_spec_len;
static struct blkdev nv_dev;
static bool nv_opened;

void kvm_nv_set_spec(const char *spec, size_t len)
{
	nv_spec = spec;
	nv_spec_len = len;
}

static int host_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	(void)dev;
	return kvm_snp_nv_io(KVMSNP_NV_READ, offset, buf, len);
}

static int host_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	(void)dev;
	return kvm_snp_nv_io(KVMSNP_NV_WRITE, offset, buf, len);
}

static int host_flush(struct blkdev *dev)
{
	(void)dev;
	return kvm_snp_nv_io(KVMSNP_NV_FLUSH, 0, NULL, 0);
}

static const struct blkdev_ops host_ops = {
    .read = host_read,
    .write = host_write,
    .flush = host_flush,
};

/* The SNP machine's device (struct kvmsnp_shared), or 1 when it names none. */
static int open_machine_device(const struct kvmsnp_shared *s)
{
	switch (s->nv_kind) {
	case KVMSNP_NV_HOST:
		if (s->nv_size == 0 || s->nv_write_unit == 0 ||
		    (s->nv_write_unit & (s->nv_write_unit - 1)))
			return -CSVSM_EINVAL;
		nv_dev = (struct blkdev){.ops = &host_ops,
		                         .size = s->nv_size,
		                         .write_unit = s->nv_write_unit,
		                         .name = "the runner's host-memory NV device"};
		return 0;
	case KVMSNP_NV_PFLASH:
		return pflash_open(&nv_dev, s->nv_base, s->nv_size);
	case KVMSNP_NV_VIRTIO:
		return vblk_open(&nv_dev, s->nv_base);
	default:
		return 1;
	}
}

struct blkdev *plat_nv_device(void)
{
	const struct kvmsnp_shared *s = kvm_snp_shared();
	int rc;

	if (nv_opened)
		return &nv_dev;
	if (s && s->nv_kind != KVMSNP_NV_NONE && nv_spec == NULL) {
		rc = open_machine_device(s);
		if (rc < 0) {
			log_printf("kvm: the machine's NV device (kind %u) does not open (%s)\n",
			           s->nv_kind, csvsm_strerror(rc));
			return NULL;
		}
		nv_opened = rc == 0;
		return nv_opened ? &nv_dev : NULL;
	}
	if (nv_spec == NULL)
		return NULL;
	rc = storage_open_spec(&nv_dev, nv_spec, nv_spec_len);
	if (rc < 0) {
		log_printf("kvm: no NV device at \"%.*s\" (%s)\n",
		           (int)MIN(nv_spec_len, (size_t)80), nv_spec, csvsm_strerror(rc));
		nv_spec = NULL; /* asked once */
		return NULL;
	}
	nv_opened = true;
	return &nv_dev;
}
