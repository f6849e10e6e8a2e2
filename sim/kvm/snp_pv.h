/* SPDX-License-Identifier: MIT */
/*
 * The runner's side of the SVSM image's SNP services (KVMSNP_PORT_SNP,
 * csvsm/abi/kvm_snp.h): each request served by the shared machine model
 * (sim/machine/snp.h), exactly as the shim's platform layer serves the
 * same operation in-process (sim/plat_machine.c). Independent of KVM:
 * registers in, registers out; the runner calls it from its port exit
 * with the machine model locked.
 */
#ifndef CSVSM_SIM_KVM_SNP_PV_H
#define CSVSM_SIM_KVM_SNP_PV_H

#include <linux/kvm.h>

#include "csvsm/plat/boot.h"
#include "machine/snp.h"

/*
 * Serves request `req` (enum kvmsnp_req) from vCPU `vcpu` with registers
 * `r`, on model `m`; `launch` is what KVMSNP_REQ_BOOT_INFO returns.
 * Returns 0, or -1 for an unknown request (the runner stops the VM: the
 * image is trusted, so that is a bug to report, not a guest to survive).
 */
int snp_pv_request(struct sim_snp *m, const struct plat_boot_info *launch, unsigned int vcpu,
                   uint32_t req, struct kvm_regs *r);

#endif
