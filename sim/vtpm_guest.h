/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the vTPM, shared by `csvsm-sim tpm-server` and the
 * in-process TCTI module (libtss2-tcti-csvsm): a simulated machine booted on
 * an NV device (a state file or host RAM), a guest page accepted with
 * PVALIDATE for the TPM buffer, and TPM commands sent the way Linux's
 * tpm_svsm driver sends them (SVSM_VTPM_CMD, 58019 chapter "vTPM
 * protocol"; abi 1.7).
 *
 * One machine per process (csvsm/sim.h): at most one vtpm_guest may be
 * open at a time.
 */
#ifndef CSVSM_SIM_VTPM_GUEST_H
#define CSVSM_SIM_VTPM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/abi/vtpm.h"
#include "csvsm/blkdev.h"
#include "csvsm/sim.h"

#define VTPM_GUEST_STATE_SIZE (1u << 20) /* a created state file */

struct vtpm_guest {
	struct csvsm_sim *sim;
	struct blkdev dev;
	bool file; /* dev is a state file (else host RAM) */
	bool quiet;
	const char *who; /* prefix of the messages on stderr */
	uint64_t buf_gpa;
	uint8_t page[SVSM_VTPM_BUFFER_SIZE];
};

/*
 * Opens the NV device (the state file `state`, created with
 * VTPM_GUEST_STATE_SIZE bytes when missing, or host RAM when NULL), boots
 * the machine configured by `cfg` (NULL: the defaults), checks that the SVSM
 * offers the vTPM (QUERY_PROTOCOL 2, SVSM_VTPM_QUERY) and accepts the
 * buffer page. A state file another process holds is waited for up to
 * `lock_wait_ms` milliseconds. Returns 0; -1 with one line on stderr
 * (prefixed by `who`) and nothing left open; -2 when the state file stayed
 * busy. `g` must stay at one address while open.
 */
int vtpm_guest_open(struct vtpm_guest *g, const char *who, const char *state,
                    const struct csvsm_sim_config *cfg, unsigned int lock_wait_ms, bool quiet);

/*
 * vtpm_guest_open with the machine's configuration `cfg` (seed, vTPM
 * options such as vtpm_platform_auth_empty; its trace sink is ignored).
 */
int vtpm_guest_open_cfg(struct vtpm_guest *g, const char *who, const char *state,
                        const struct csvsm_sim_config *cfg, unsigned int lock_wait_ms, bool quiet);

/*
 * Runs TPM command cmd[0..len) at `locality` through the SVSM and writes
 * the response into `out` (SVSM_VTPM_RSP_MAX bytes). Returns its length.
 * An SVSM refusal becomes a TPM error response (TPM 2.0 Part 2 6.6): BUSY
 * TPM_RC_RETRY, INVALID_PARAMETER TPM_RC_LOCALITY (locality != 0) or
 * TPM_RC_COMMAND_SIZE, anything else TPM_RC_FAILURE; a command longer than
 * SVSM_VTPM_CMD_MAX gets TPM_RC_COMMAND_SIZE without reaching the SVSM.
 */
size_t vtpm_guest_command(struct vtpm_guest *g, uint8_t locality, const uint8_t *cmd, uint32_t len,
                          uint8_t *out);

/* Stops the vTPM (NV committed), frees the machine, closes the device. */
void vtpm_guest_close(struct vtpm_guest *g);

#endif /* CSVSM_SIM_VTPM_GUEST_H */
