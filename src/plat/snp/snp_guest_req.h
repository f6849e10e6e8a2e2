/* SPDX-License-Identifier: MIT */
/*
 * SNP guest requests through the GHCB (GHCB spec 56421 NAE events
 * SNP_GUEST_REQUEST 0x8000_0011 and SNP_EXT_GUEST_REQUEST 0x8000_0012;
 * abi §3.3, §5.1): the encoding of the exit and the decoding of the
 * hypervisor's answer. Pure computation, unit-tested on the host
 * (tests/check_snp_guest_req.c); plat_snp.c makes the exit.
 */
#ifndef CSVSM_PLAT_SNP_GUEST_REQ_H
#define CSVSM_PLAT_SNP_GUEST_REQ_H

#include "snp_abi.h"

#define SVM_VMGEXIT_GUEST_REQUEST     0x80000011ull
#define SVM_VMGEXIT_EXT_GUEST_REQUEST 0x80000012ull

/*
 * Fills the GHCB for one guest request: SW_EXITINFO1 = the request page's
 * GPA, SW_EXITINFO2 = the response page's GPA (both 4 KiB aligned, shared
 * pages). With `certs_pages` > 0 it is the extended request: RAX = the
 * certificate buffer's GPA (4 KiB aligned, shared), RBX = its page count.
 * Returns 0, or -CSVSM_EINVAL for an unaligned address or a page count
 * above 2^32 - 1.
 */
int ghcb_prepare_guest_request(struct ghcb_page *g, uint64_t req_gpa, uint64_t rsp_gpa,
                               uint64_t certs_gpa, uint64_t certs_pages) CSVSM_MUST_CHECK;

/*
 * Reads the answer of a completed guest request exit (the page is
 * untrusted; each field read once): *exit_info2 = SW_EXITINFO2 ((vmm_error
 * << 32) | fw_error, abi §5.1), and for the `extended` request *pages =
 * RBX (the pages the host needs when vmm_error is INVALID_LEN; else 0).
 * Returns ghcb_result's answer (0, -CSVSM_EFAULT, -CSVSM_EIO), with both
 * outputs 0 on an error.
 */
int ghcb_guest_request_answer(const struct ghcb_page *g, bool extended, uint64_t *exit_info2,
                              uint64_t *pages) CSVSM_MUST_CHECK;

/*
 * The length of the certificate table (abi §5.6) at t[0..have): the end of
 * the furthest certificate or of the terminating all-zero entry, whichever
 * is later; 0 when an entry points outside the buffer or no terminating
 * entry fits (the table is untrusted: the host wrote it).
 */
size_t snp_cert_table_len(const uint8_t *t, size_t have);

#endif
