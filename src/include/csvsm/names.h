/* SPDX-License-Identifier: MIT */
/* Symbolic names of SVSM protocol numbers, calls and result codes (for logs and traces). */
#ifndef CSVSM_NAMES_H
#define CSVSM_NAMES_H

#include "csvsm/types.h"

/* "SVSM_SUCCESS", "SVSM_ERR_INVALID_ADDRESS", ...; NULL for an unknown code. */
const char *svsm_result_name(uint64_t rax);

/* "core.pvalidate", ...; NULL for an unknown protocol or call. */
const char *svsm_call_name(uint32_t protocol, uint32_t call);

#endif
