/* SPDX-License-Identifier: MIT */
/*
 * The simulator's NV device as real hardware would present it: a device
 * model (CFI pflash or virtio-mmio block, sim/machine/) on the machine's
 * MMIO bus (csvsm/sim_mmio.h), over a host file or host memory. Machines
 * booted while one is attached find it the way the bare-metal SVSM does:
 * the core's own driver (csvsm/storage_dev.h) opens it at boot, through
 * plat_nv_device, and every access it makes is an MMIO access of the bus
 * (counted, traced as `mmio` events).
 *
 * One device per process; it outlives machines, so a test or the
 * tpm-server can reboot on the same state. It takes precedence over
 * sim_nv_use (csvsm/sim_nv.h) while attached.
 */
#ifndef CSVSM_SIM_NVDEV_H
#define CSVSM_SIM_NVDEV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sim_nvdev_kind {
	SIM_NVDEV_PFLASH,
	SIM_NVDEV_VIRTIO,
};

/* Pflash geometry of an attached device: QEMU's x86 system flash. */
#define SIM_NVDEV_PFLASH_WIDTH  1u
#define SIM_NVDEV_PFLASH_SECTOR 4096u

/*
 * Attaches a device of `kind` over the file `path` (created with `size`
 * bytes, erased, when missing; an existing file keeps its size, which
 * must suit the device: for pflash a power of two of at least 8 KiB),
 * or over `size` bytes of host memory when `path` is NULL. The file is
 * locked while attached. Writes reach the file at once (virtio flushes
 * also sync it). Returns 0, or -1 with a message on stderr.
 */
int sim_nvdev_attach(enum sim_nvdev_kind kind, const char *path, uint64_t size);

/* Detaches the device (no machine may be running on it). */
void sim_nvdev_detach(void);

/* Parses "pflash" or "virtio". Returns 0, or -1. */
int sim_nvdev_kind_parse(const char *s, enum sim_nvdev_kind *out);

#ifdef __cplusplus
}
#endif

#endif /* CSVSM_SIM_NVDEV_H */
