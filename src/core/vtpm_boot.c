/* SPDX-License-Identifier: MIT */
/*
 * Starting and stopping the vTPM service: the platform's NV device, the NV
 * store on it, the TPM engine on the store (csvsm/vtpm.h).
 */
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/nvstore.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/storage.h"
#include "csvsm/vtpm.h"

static struct nvstore *vtpm_nv;
static bool vtpm_ready;

int vtpm_boot(const struct plat_boot_info *bi)
{
	struct vtpm_options opt = {.ek = VTPM_EK_ECC_P256,
	                           .platform_auth = VTPM_PLATFORM_AUTH_SVSM};
	struct blkdev *dev = plat_nv_device();
	int rc;

	if (vtpm_ready) {
		log_printf("vtpm: already running\n");
		return -CSVSM_EBUSY;
	}
	if (!dev)
		return -CSVSM_ENOENT;
	rc = nvstore_open(dev, &vtpm_nv);
	if (rc < 0) {
		log_printf("vtpm: no NV store on %s (%s): the vTPM stays unavailable\n",
		           dev->name ? dev->name : "the NV device", csvsm_strerror(rc));
		vtpm_nv = NULL;
		return rc;
	}
	if (bi && bi->vtpm_platform_auth_empty) {
		opt.platform_auth = VTPM_PLATFORM_AUTH_EMPTY;
		log_printf("vtpm: developer option: the platform hierarchy is left to the guest\n");
	}
	rc = vtpm_init_with(vtpm_nv, &opt);
	if (rc < 0) {
		log_printf("vtpm: the TPM did not start (%s): the vTPM stays unavailable\n",
		           csvsm_strerror(rc));
		nvstore_close(vtpm_nv);
		vtpm_nv = NULL;
		return rc;
	}
	vtpm_ready = true;
	return 0;
}

void vtpm_boot_stop(void)
{
	if (!vtpm_ready)
		return;
	vtpm_ready = false;
	vtpm_shutdown();
	nvstore_close(vtpm_nv);
	vtpm_nv = NULL;
}

bool vtpm_service_ready(void)
{
	return vtpm_ready;
}
