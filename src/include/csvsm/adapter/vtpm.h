/* SPDX-License-Identifier: MIT */
/*
 * The vTPM engine behind the SVSM vTPM protocol: an adapter around libtpms
 * (src/vtpm/). Functions declared in src/include/csvsm/adapter/ may stay
 * undefined in the freestanding core until the bare-metal build of the
 * vendored libraries exists (scripts/check-freestanding.sh).
 */
#ifndef CSVSM_ADAPTER_VTPM_H
#define CSVSM_ADAPTER_VTPM_H

#include "csvsm/nvstore.h"
#include "csvsm/types.h"

#define VTPM_BUFFER_MAX 4096

enum vtpm_ek_type {
	VTPM_EK_ECC_P256 = 0, /* default: fast to create on a boot path */
	VTPM_EK_RSA_2048 = 1,
};

/* Who holds the platform hierarchy (src/vtpm/README.md, "Platform hierarchy"). */
enum vtpm_platform_auth {
	/* Default, as firmware does: a random platformAuth after every TPM2_Startup. */
	VTPM_PLATFORM_AUTH_SVSM = 0,
	/*
	 * Developer option: the SVSM leaves platformAuth as TPM2_Startup sets it
	 * (empty), so the guest owns the platform hierarchy, as with a bare TPM
	 * simulator (test suites that start with platform-hierarchy commands).
	 */
	VTPM_PLATFORM_AUTH_EMPTY = 1,
};

struct vtpm_options {
	enum vtpm_ek_type ek;
	enum vtpm_platform_auth platform_auth;
};

/*
 * Starts the TPM on NV store `nv` (which must outlive it): manufactures it
 * on first start (empty store), TPM2_Startup, creates the endorsement key
 * from the TCG default EK template and keeps its public area, and keeps
 * the platform hierarchy unless `opt` says otherwise. `opt` NULL means
 * {VTPM_EK_ECC_P256, VTPM_PLATFORM_AUTH_SVSM}. Returns 0 or a negative
 * csvsm error (-CSVSM_EINVAL for a bad option; the vTPM protocol then stays
 * unavailable).
 */
int vtpm_init_with(struct nvstore *nv, const struct vtpm_options *opt) CSVSM_MUST_CHECK;

/* vtpm_init_with(nv, {ek, VTPM_PLATFORM_AUTH_SVSM}). */
int vtpm_init(struct nvstore *nv, enum vtpm_ek_type ek) CSVSM_MUST_CHECK;

/*
 * Executes one TPM command (cmd[0..cmd_len)) at locality 0 and writes the
 * response into rsp (at most rsp_max bytes), its length into *rsp_len.
 * TPM errors come back inside the response. Returns 0, or a negative csvsm
 * error when the command could not be delivered.
 */
int vtpm_execute(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max,
                 size_t *rsp_len) CSVSM_MUST_CHECK;

/* The EK's public area (marshalled TPMT_PUBLIC); NULL before vtpm_init. */
const uint8_t *vtpm_ek_public(size_t *len);

/* Stops the TPM (state committed). Safe to call when not started. */
void vtpm_shutdown(void);

/* Counters since vtpm_init (for tests, benchmarks and the tpm-server log). */
struct vtpm_stats {
	uint64_t commands;    /* guest commands executed (vtpm_execute) */
	uint64_t snapshots;   /* volatile-state snapshots before NV-writing commands */
	uint64_t nv_stores;   /* blobs libtpms handed to the NV callbacks */
	uint64_t nv_commits;  /* NV store commits that wrote the device */
	uint64_t nv_failures; /* NV stagings or commits that failed */
	uint64_t rollbacks;   /* restarts to the state before a failed command */
};

/* Fills `out` (all zero before vtpm_init). */
void vtpm_get_stats(struct vtpm_stats *out);

/*
 * Called after every guest command vtpm_execute delivered (not the SVSM's
 * own commands): the command code, the command's size, the TPM response
 * code and the response's size. For the simulator's trace; the observer
 * must not call back into the vTPM.
 */
typedef void (*vtpm_observer_fn)(void *ctx, uint32_t cc, size_t cmd_len, uint32_t rc,
                                 size_t rsp_len);

/* Installs `fn` (NULL removes it); it outlives vtpm_init and vtpm_shutdown. */
void vtpm_set_observer(vtpm_observer_fn fn, void *ctx);

/*
 * _TPM_Init, as a platform reset signal does it (the tpm-server's power
 * cycle; never reachable by the guest): pending NV changes are committed,
 * then the TPM restarts from its NV state and waits for TPM2_Startup (the
 * next successful one locks the platform hierarchy again). Returns 0,
 * -CSVSM_ENOTSUP before vtpm_init, or a negative csvsm error (the TPM then
 * answers every command with an error until the next power cycle).
 */
int vtpm_power_cycle(void) CSVSM_MUST_CHECK;

#endif
