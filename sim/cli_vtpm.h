/* SPDX-License-Identifier: MIT */
/*
 * The vTPM part of csvsm-sim's built-in guest workload (sim/main.c): the
 * guest probes protocol 2 and sends TPM commands through SVSM_VTPM_CMD.
 */
#ifndef CSVSM_SIM_CLI_VTPM_H
#define CSVSM_SIM_CLI_VTPM_H

#include <stdbool.h>
#include <stdint.h>

#include "cli_trace.h"
#include "csvsm/sim.h"

struct cli_vtpm_counts {
	unsigned int calls;       /* SVSM calls made */
	unsigned int as_expected; /* calls and TPM results as the specs demand */
	/* Called with RAX of every delivered call, when set (the summary's results line). */
	void (*on_result)(void *ctx, uint64_t rax);
	void *result_ctx;
};

/*
 * On vCPU 0 of `sim`: QUERY_PROTOCOL(vtpm, 1), SVSM_VTPM_QUERY, then
 * TPM2_GetRandom(16), TPM2_PCR_Extend(16, ab..ab) and TPM2_PCR_Read(16)
 * with the buffer at `buf_gpa` (a page the guest validated), the PCR
 * checked against SHA-256(0^32 || ab..ab) computed beforehand with the
 * OpenSSL CLI. Prints one line per step (only the unexpected ones when
 * `quiet`). Adds to `out`.
 */
void cli_vtpm_workload(struct csvsm_sim *sim, struct cli_trace *t, uint64_t buf_gpa, bool quiet,
                       struct cli_vtpm_counts *out);

#endif
