/* SPDX-License-Identifier: MIT */
/* Names of the internal error codes (see csvsm/error.h). */
#include "csvsm/error.h"

#include "csvsm/types.h"

static const char *const error_names[CSVSM_ERROR_COUNT] = {
    [CSVSM_OK] = "OK",         [CSVSM_ENOMEM] = "ENOMEM",     [CSVSM_EINVAL] = "EINVAL",
    [CSVSM_EFAULT] = "EFAULT", [CSVSM_ERANGE] = "ERANGE",     [CSVSM_EBUSY] = "EBUSY",
    [CSVSM_EIO] = "EIO",       [CSVSM_ENOSPC] = "ENOSPC",     [CSVSM_ENOTSUP] = "ENOTSUP",
    [CSVSM_EEXIST] = "EEXIST", [CSVSM_ENOENT] = "ENOENT",     [CSVSM_EPERM] = "EPERM",
    [CSVSM_EAGAIN] = "EAGAIN", [CSVSM_ECORRUPT] = "ECORRUPT", [CSVSM_EFAULTINJ] = "EFAULTINJ",
};

const char *csvsm_strerror(int err)
{
	/* Negated in unsigned arithmetic: INT_MIN must not overflow. */
	unsigned int code = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	if (code < ARRAY_SIZE(error_names) && error_names[code] != NULL)
		return error_names[code];
	return "EUNKNOWN";
}
