/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the SVSM attestation protocol's request (abi 1.6), as a
 * hostile guest writes it. Shared by the libFuzzer build (`make
 * fuzz-attest`) and the corpus replay in tests/check_attest.
 */
#ifndef CSVSM_TESTS_FUZZ_ATTEST_H
#define CSVSM_TESTS_FUZZ_ATTEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Input format:
 *
 *   byte 0          call ID (0 SERVICES, 1 SINGLE_SERVICE, anything else)
 *   byte 1          bit i (i = 0..3): location i (report, nonce, manifest,
 *                   certificates) keeps its raw GPA; otherwise its GPA is
 *                   taken modulo 64 KiB inside the target's 16 validated
 *                   guest pages (so most requests reach the deep checks);
 *                   bit 4: the request itself at a raw GPA (bytes 2-9)
 *   bytes 2-9       the raw request GPA (bit 4)
 *   bytes 10-97     the 0x58-byte request (abi 1.6), little-endian
 *   bytes 98-       the nonce page's contents (at most 4096 bytes)
 *
 * Shorter inputs count as zero-padded.
 */
#define FUZZ_ATTEST_HDR 98

/*
 * Makes the call from vCPU 0 of the running simulator (one is created,
 * without a vTPM, when none exists) and checks: RAX is a defined SVSM
 * result; on success the report (read back from the guest buffer) has
 * REPORT_DATA = SHA-512(nonce || manifest) over what the guest's buffers
 * hold and VMPL 0, and RCX/R8 are the manifest and report lengths; no
 * guest input ever erases VMPCK0; every SVSM allocation is freed. Returns
 * NULL when all held, else a description of the first violation.
 */
const char *fuzz_attest_one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
