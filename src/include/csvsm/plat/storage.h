/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: persistent storage for the SVSM's own state (the
 * vTPM's NV store). On SNP this will be a CFI pflash or virtio-mmio block
 * device; in the simulator a RAM or host-file device chosen by the harness.
 */
#ifndef CSVSM_PLAT_STORAGE_H
#define CSVSM_PLAT_STORAGE_H

#include "csvsm/blkdev.h"

/*
 * The block device that holds the SVSM's persistent state, or NULL when the
 * platform has none (the vTPM then stays unavailable). The device belongs
 * to the platform and stays valid until the SVSM stops. Everything read
 * from it is untrusted (the hypervisor emulates the device).
 */
struct blkdev *plat_nv_device(void);

#endif /* CSVSM_PLAT_STORAGE_H */
