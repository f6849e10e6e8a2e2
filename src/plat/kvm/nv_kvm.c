/* SPDX-License-Identifier: MIT */
/*
 * The kvm platform's NV device (csvsm/plat/storage.h): the device the boot
 * information names (`nvdev=SPEC` on the command line, which `csvsm-sim kvm
 * --nv` appends; SPEC as for storage_open_spec), opened by the core's own
 * driver the first time the core asks for it. No `nvdev=`: no device.
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

struct blkdev *plat_nv_device(void)
{
	int rc;

	if (nv_opened)
		return &nv_dev;
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
