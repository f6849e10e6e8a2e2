/* SPDX-License-Identifier: MIT */
/*
 * Reproducible randomness for the bare-metal images' libraries (simulation
 * only): the KVM runner's SNP machine can ask that OpenSSL's RAND_bytes,
 * from which libtpms draws all its randomness, return the machine's seeded
 * stream instead (csvsm/abi/kvm_snp.h, KVMSNP_REQ_RAND), so that a
 * scenario's vTPM is the same on every run, as in the shim
 * (sim/vtpm_rand.c). Never on a real machine: real secrets need the DRBG.
 */
#ifndef CSVSM_ADAPTER_RAND_REPLAY_H
#define CSVSM_ADAPTER_RAND_REPLAY_H

#include "csvsm/types.h"

/* Fills `buf` with the next `len` bytes of the stream (0 < len <= 4096). Returns 0 or -errno. */
typedef int (*rand_replay_fn)(void *buf, size_t len);

/*
 * From now on every RAND_bytes/RAND_priv_bytes of the process returns
 * `fill`'s bytes (one call per RAND_bytes call, longer requests in 4096-byte
 * pieces); a failing `fill` makes RAND_bytes fail. Returns 0, or
 * -CSVSM_ENOTSUP in an image without the libraries (a weak default in the
 * platform), -CSVSM_EIO when OpenSSL refuses the method.
 */
int rand_replay_install(rand_replay_fn fill);

#endif
