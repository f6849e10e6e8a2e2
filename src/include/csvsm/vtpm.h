/* SPDX-License-Identifier: MIT */
/*
 * The vTPM service of the core: started at boot when the platform has an
 * NV device, and the SVSM vTPM protocol (2) handler that serves it
 * (58019 chapter "vTPM protocol"; abi 1.7). The TPM engine itself sits
 * behind csvsm/adapter/vtpm.h.
 */
#ifndef CSVSM_VTPM_H
#define CSVSM_VTPM_H

#include "csvsm/types.h"

struct svsm_call;
struct plat_boot_info;

/*
 * Starts the vTPM when plat_nv_device() names a device: derives the
 * sealing key (MSG_KEY_REQ: VCEK root, VMPL0, measurement and policy),
 * opens the sealed NV store on it (nvstore_open_sealed, refusing any
 * generation older than the newest this SVSM has seen since boot) and
 * starts the TPM (vtpm_init_with, ECC P-256 EK, the platform hierarchy as
 * the launch facts `bi` say; NULL = the defaults: the SVSM keeps it).
 * Called once at the end of
 * svsm_boot. A failure is logged and leaves the service
 * unavailable (QUERY_PROTOCOL answers 0 for protocol 2); it never fails
 * the boot. Returns 0 when the service runs, -CSVSM_ENOENT when there is no
 * device, or the negative csvsm error that stopped it.
 */
int vtpm_boot(const struct plat_boot_info *bi);

/*
 * Stops the service started by vtpm_boot (TPM stopped, NV store closed).
 * Must run before the heap the service lives in goes away (the simulator
 * calls it before destroying a machine). No-op when not running.
 */
void vtpm_boot_stop(void);

/* Forgets the trusted record of NV generations (svsm_boot: a new boot knows nothing). */
void vtpm_boot_forget(void);

/* The generation of the vTPM's NV state now (0 when the service does not run). */
uint64_t vtpm_nv_generation(void);

/* True while the service runs (QUERY_PROTOCOL answers 1..1 for protocol 2). */
bool vtpm_service_ready(void);

/*
 * The protocol 2 handler (src/protocols/vtpm.c): SVSM_VTPM_QUERY and
 * SVSM_VTPM_CMD, result in call->rax (abi 1.7). UNSUPPORTED_PROTOCOL while
 * the service is not running.
 */
void svsm_vtpm_protocol(struct svsm_call *call);

#endif /* CSVSM_VTPM_H */
