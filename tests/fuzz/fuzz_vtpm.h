/* SPDX-License-Identifier: MIT */
/*
 * The SVSM_VTPM_CMD fuzz target (fuzz_vtpm_cmd.c), shared by the libFuzzer
 * build (`make fuzz-vtpm-cmd`) and the replay in tests/check_vtpm.
 */
#ifndef CSVSM_TESTS_FUZZ_VTPM_H
#define CSVSM_TESTS_FUZZ_VTPM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Input: byte 0 selects where the buffer goes (bits 0-6: an offset of
 * 32 * n bytes into two validated guest pages; bit 7: one of a few GPAs
 * that must be refused instead, chosen by byte 1); the rest is the guest's
 * request/response buffer (zero-padded to 4096 bytes). One SVSM_VTPM_CMD
 * is made from vCPU 0 against one machine with a vTPM, kept across inputs.
 * Returns NULL when every property held, else a static description of the
 * first violation:
 * - the call is serviced and answers the result the specification and
 *   src/protocols/vtpm.c demand for the request's header (UNSUPPORTED_CALL,
 *   INVALID_PARAMETER, INVALID_ADDRESS), else SUCCESS (or BUSY/INVALID_REQUEST
 *   when the engine fails, which a healthy machine never does);
 * - a refused request leaves the buffer as it was and never reaches the TPM;
 * - a delivered one leaves a response of 10..4092 bytes whose TPM header
 *   agrees with its size;
 * - the SVSM's live allocations are the same before and after.
 */
const char *fuzz_vtpm_cmd_one(const uint8_t *data, size_t size);

/* Frees the machine fuzz_vtpm_cmd_one keeps (tests call it at the end). */
void fuzz_vtpm_cmd_reset(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CSVSM_TESTS_FUZZ_VTPM_H */
