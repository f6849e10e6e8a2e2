/* SPDX-License-Identifier: MIT */
/*
 * The simulator's NV device: which block device plat_nv_device() hands the
 * core at boot (src/include/csvsm/plat/storage.h), and a RAM device in host
 * memory that, unlike blkdev_ram_init, outlives the simulated machine (so a
 * test can reboot the machine on the same state).
 *
 * Choose the device before csvsm_sim_new: the core starts its vTPM on it
 * at boot. With no device (the default), the core runs without a vTPM.
 * Call vtpm_boot_stop() (csvsm/vtpm.h) before csvsm_sim_free when a vTPM
 * was started.
 */
#ifndef CSVSM_SIM_NV_H
#define CSVSM_SIM_NV_H

#include "csvsm/blkdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Makes `dev` (NULL = none) the NV device of machines booted from now on. */
void sim_nv_use(struct blkdev *dev);

/* The device sim_nv_use chose (NULL = none). */
struct blkdev *sim_nv_current(void);

/*
 * A zero-filled RAM block device of `size` bytes in host memory, written
 * through (flush does nothing), 1-byte write unit. Returns 0, -CSVSM_EINVAL
 * (NULL dev, size 0) or -CSVSM_ENOMEM. sim_nv_ram_close frees it.
 */
int sim_nv_ram_open(struct blkdev *dev, uint64_t size);
void sim_nv_ram_close(struct blkdev *dev);

#ifdef __cplusplus
}
#endif

#endif /* CSVSM_SIM_NV_H */
