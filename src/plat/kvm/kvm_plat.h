/* SPDX-License-Identifier: MIT */
/* Inside src/plat/kvm. */
#ifndef CSVSM_PLAT_KVM_PLAT_H
#define CSVSM_PLAT_KVM_PLAT_H

#include "csvsm/types.h"

/* True when the csvsm KVM runner (not QEMU) runs the image. */
bool kvm_on_runner(void);

/* Ends the VM with `code` through the exit port (csvsm/abi/kvm_runner.h). */
CSVSM_NORETURN void kvm_exit(uint32_t code);

/*
 * The NV device's boot information: `nvdev=` on the command line (spec as
 * for storage_open_spec; it must stay valid). plat_nv_device opens it.
 */
void kvm_nv_set_spec(const char *spec, size_t len);

#endif
