/* SPDX-License-Identifier: MIT */
/*
 * Internal error codes. Internal functions return 0 on success or one of
 * these, negated (for example `return -CSVSM_ENOMEM;`). SVSM result codes
 * (SVSM_ERR_*) are produced only at the protocol boundary.
 */
#ifndef CSVSM_ERROR_H
#define CSVSM_ERROR_H

enum csvsm_error {
	CSVSM_OK = 0,
	CSVSM_ENOMEM = 1,     /* an allocation failed */
	CSVSM_EINVAL = 2,     /* a malformed argument */
	CSVSM_EFAULT = 3,     /* an address that may not be accessed */
	CSVSM_ERANGE = 4,     /* a value outside its allowed range */
	CSVSM_EBUSY = 5,      /* the resource is in use */
	CSVSM_EIO = 6,        /* a device or firmware operation failed */
	CSVSM_ENOSPC = 7,     /* no room left */
	CSVSM_ENOTSUP = 8,    /* not supported */
	CSVSM_EEXIST = 9,     /* already exists */
	CSVSM_ENOENT = 10,    /* not found */
	CSVSM_EPERM = 11,     /* not permitted */
	CSVSM_EAGAIN = 12,    /* try again */
	CSVSM_ECORRUPT = 13,  /* stored or received data failed validation */
	CSVSM_EFAULTINJ = 14, /* a fault injected by a test */
	CSVSM_ERROR_COUNT
};

/* Returns a constant name such as "ENOMEM" for `err` (either sign). */
const char *csvsm_strerror(int err);

#endif /* CSVSM_ERROR_H */
