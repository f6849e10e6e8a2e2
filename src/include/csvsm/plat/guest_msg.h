/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: SNP guest messages to the AMD secure processor,
 * carried by the hypervisor (GHCB spec 56421 NAE events SNP_GUEST_REQUEST
 * 0x8000_0011 and SNP_EXT_GUEST_REQUEST 0x8000_0012; svsm-abi.md 3.3, 5.1).
 *
 * The core builds and encrypts the request and authenticates the response
 * itself (src/core/guest_msg.c): the platform only moves the two message
 * pages through hypervisor-shared memory and reports what the hypervisor
 * said. Everything that comes back is untrusted. On SNP the pages are two
 * shared pages of the platform's; in the simulator the shim hands them to
 * the emulated PSP (sim/machine/psp.c); on the KVM platform they go to the
 * csvsm KVM runner.
 */
#ifndef CSVSM_PLAT_GUEST_MSG_H
#define CSVSM_PLAT_GUEST_MSG_H

#include "csvsm/types.h"

#define PLAT_GUEST_MSG_PAGE 4096u

/*
 * One guest request exchange. `req` holds the encrypted request message
 * (PLAT_GUEST_MSG_PAGE bytes, SVSM memory); `rsp` (the same size, SVSM
 * memory) receives whatever the response page holds afterwards.
 *
 * Without certificates (`certs` NULL) this is SNP_GUEST_REQUEST. With
 * `certs` (SVSM memory of *certs_len bytes, a multiple of 4096) it is the
 * extended request: the host's certificate table is copied into `certs`
 * and *certs_len set to its length (0 when the host has none); when the
 * buffer is too small, *exit_info2 says VMM error INVALID_LEN and
 * *certs_len is the size needed (in whole pages).
 *
 * Returns 0 when the hypervisor completed the exit, with *exit_info2 =
 * SW_EXITINFO2 ((vmm_error << 32) | fw_error, 0 = success): `rsp` is then
 * to be authenticated by the caller. On VMM error BUSY the caller resends
 * the identical message. Returns -CSVSM_EIO when the exchange could not be
 * made at all (the hypervisor broke the GHCB protocol): `rsp` is then
 * unspecified and the caller must assume the PSP may have seen the request.
 */
int plat_guest_request(const void *req, void *rsp, void *certs, size_t *certs_len,
                       uint64_t *exit_info2) CSVSM_MUST_CHECK;

#endif /* CSVSM_PLAT_GUEST_MSG_H */
