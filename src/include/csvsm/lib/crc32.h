/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli): polynomial 0x1EDC6F41 (reflected 0x82F63B78),
 * initial value and final XOR 0xFFFFFFFF, bits reflected, as defined for
 * iSCSI in RFC 3720 section 12.1 (and used by ext4, btrfs, SCTP). The
 * checksum of the NV store format (src/storage/nvstore_format.h).
 *
 * Not a cryptographic hash: it detects torn writes and accidental
 * corruption, not a deliberate forgery.
 */
#ifndef CSVSM_LIB_CRC32_H
#define CSVSM_LIB_CRC32_H

#include "csvsm/types.h"

/*
 * Continues a CRC-32C over `len` bytes at `buf` (which may be NULL when
 * `len` is 0) and returns the new value. Start with `crc` = 0; chaining is
 * exact: crc32c(crc32c(0, a, m), b, n) equals the CRC of a then b. The
 * check value of the nine bytes "123456789" is 0xE3069283.
 */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* CSVSM_LIB_CRC32_H */
