/* SPDX-License-Identifier: MIT */
/*
 * Starting and stopping the vTPM service: the platform's NV device, the NV
 * store on it, the TPM engine on the store (csvsm/vtpm.h).
 */
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/guest_msg.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/nvstore.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/storage.h"
#include "csvsm/vtpm.h"

static struct nvstore *vtpm_nv;
static bool vtpm_ready;
/* The newest NV generation seen since the SVSM booted: its trusted record. */
static uint64_t vtpm_nv_seen;

void vtpm_boot_forget(void)
{
	vtpm_nv_seen = 0;
}

uint64_t vtpm_nv_generation(void)
{
	struct nvstore_stats st;

	if (!vtpm_ready)
		return 0;
	nvstore_get_stats(vtpm_nv, &st);
	return st.generation;
}

/*
 * Opens the sealed NV store: the key comes from MSG_KEY_REQ, bound to
 * VMPL0, the SVSM's launch measurement and the guest policy, so another
 * machine (another chip secret) or another SVSM image derives another key
 * and the state does not authenticate.
 */
static int vtpm_open_sealed(struct blkdev *dev)
{
	struct nvstore_seal seal;
	int rc;

	rc = guest_msg_derive_key(SNP_KEY_FIELD_MEASUREMENT | SNP_KEY_FIELD_POLICY, 0, seal.key);
	if (rc < 0) {
		log_printf("vtpm: no sealing key from the PSP (%s): the vTPM stays unavailable\n",
		           csvsm_strerror(rc));
		return rc;
	}
	seal.min_generation = vtpm_nv_seen;
	rc = nvstore_open_sealed(dev, &seal, &vtpm_nv);
	mem_set(&seal, 0, sizeof(seal));
	return rc;
}

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
	rc = vtpm_open_sealed(dev);
	if (rc < 0) {
		log_printf(
		    "vtpm: no usable sealed NV state on %s (%s): the vTPM stays unavailable; "
		    "the device was not written\n",
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
	struct nvstore_stats st;

	if (!vtpm_ready)
		return;
	vtpm_shutdown();
	nvstore_get_stats(vtpm_nv, &st);
	if (st.generation > vtpm_nv_seen)
		vtpm_nv_seen = st.generation;
	vtpm_ready = false;
	nvstore_close(vtpm_nv);
	vtpm_nv = NULL;
}

bool vtpm_service_ready(void)
{
	return vtpm_ready;
}
