/* SPDX-License-Identifier: MIT */
/*
 * The two symbols libtss2-tcti-csvsm exports (sim/tcti/tcti.map): the TCTI
 * loader's entry point and the init function, for programs that link the
 * module directly instead of loading it. Configuration and behaviour:
 * sim/tcti/tcti_csvsm.c and docs/tcti.md.
 */
#ifndef CSVSM_SIM_TCTI_CSVSM_H
#define CSVSM_SIM_TCTI_CSVSM_H

#include <stddef.h>
#include <tss2/tss2_tcti.h>

#define TCTI_CSVSM_EXPORT __attribute__((visibility("default")))

/*
 * The TCTI init function (TCG TCTI spec "TCTI initialisation"): with ctx
 * NULL, writes the context size into *size; else initialises the context
 * of *size bytes from conf (NULL or "" = state in memory). Returns
 * TSS2_RC_SUCCESS; BAD_VALUE (NULL size, bad conf); INSUFFICIENT_BUFFER
 * (*size too small); NOT_PERMITTED (a context already lives in this
 * process); MEMORY; TRY_AGAIN (the state file stayed in use by another
 * process); IO_ERROR (the state could not be opened or the machine did not
 * boot, with the reason on stderr).
 */
TCTI_CSVSM_EXPORT TSS2_RC Tss2_Tcti_Csvsm_Init(TSS2_TCTI_CONTEXT *ctx, size_t *size,
                                               const char *conf);

/* The module's TSS2_TCTI_INFO (name "tcti-csvsm", version 2). */
TCTI_CSVSM_EXPORT const TSS2_TCTI_INFO *Tss2_Tcti_Info(void);

#endif /* CSVSM_SIM_TCTI_CSVSM_H */
