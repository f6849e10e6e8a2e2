/* SPDX-License-Identifier: MIT */
/*
 * The on-disk format of the NV store (csvsm/nvstore.h), version 1.
 * Everything is little-endian; checksums are CRC-32C (csvsm/lib/crc32.h).
 *
 * Device layout: two slots of `slot_size` bytes, slot 0 at offset 0 and
 * slot 1 at offset slot_size (any space after them is unused):
 *
 *   slot_size  = min(ALIGN_DOWN(device size / 2, wu),
 *                    hdr_block + ALIGN_UP(NVSTORE_PAYLOAD_MAX, wu))
 *   hdr_block  = max(sizeof(struct nvstore_slot_header), wu)
 *   wu         = the device's write unit (a power of two)
 *
 * Each slot: the header in its own block [0, hdr_block) (the header, then
 * zeros), the payload at [hdr_block, hdr_block + payload_len), zero
 * padding up to a write unit. The payload is a sequence of `blob_count`
 * records, sorted by name (strictly ascending as unsigned bytes, so names
 * are unique), each:
 *
 *   u8   name_len         1..NVSTORE_NAME_MAX
 *   u8   name[name_len]   no NUL byte
 *   u32  data_len
 *   u8   data[data_len]
 *
 * and nothing after the last record.
 *
 * A slot is BLANK when its 64 header bytes are all 0x00 (never written) or
 * all 0xFF (erased flash): it counts as the empty state of generation 0.
 * It is VALID when every header field checks out (magic, version, sizes,
 * reserved zero, header CRC, 1 <= generation <= NVSTORE_GENERATION_MAX,
 * slot_size equal to the device's, payload_len within the slot) and the
 * payload matches payload_crc and parses as above. Anything else is
 * INVALID; an invalid slot with a bad magic or header CRC looks TORN. The
 * current state is the valid or blank slot with the highest generation
 * (slot 0 on a tie, except that of two blank slots slot 1 is current so
 * that the first commit goes to slot 0), where a blank slot only counts
 * when the other slot is blank, valid or torn. Anything else means the
 * device is corrupt.
 *
 * SEALED slots (flags bit 0, nvstore_open_sealed): the stored payload is
 * the AES-256-GCM tag (16 bytes) followed by the encryption of the records
 * above, under the store's key and the header's random 96-bit IV, with the
 * header bytes [0, 60) as additional authenticated data (payload_crc
 * counted as zero there, since it covers the stored tag and ciphertext):
 * magic, version, sizes, generation, blob count, flags and IV cannot be
 * changed without the key. payload_len counts the tag; payload_crc (over
 * the stored bytes) still tells a torn write from a forged one cheaply.
 * Unsealed slots have flags 0 and an all-zero IV field. A sealed store
 * accepts only sealed slots that authenticate; an unsealed store accepts
 * only unsealed ones. The IV is fresh for every commit, never derived from
 * the generation: after a crash a generation number can be written twice
 * with different contents, and GCM must never see one IV twice.
 *
 * Commit (crash-safe): write the new payload into the OTHER slot (the one
 * not holding the current state), flush, write that slot's header with
 * generation + 1, flush. A crash before the header is durable leaves that
 * slot invalid (its old header no longer matches the payload, or it is
 * torn) or holding an older generation, so the current state wins; after
 * the last flush the new slot wins. The current slot is never written
 * while it is current, whatever the other slot holds (a corrupt slot with
 * a huge generation in a forged header included).
 *
 * First commit: when the current slot is blank, the commit then writes the
 * same image (same generation) into that slot too, the same way. From then
 * on no slot is blank, so "one slot blank, the other invalid" can only be a
 * crash during the first commit (the empty state is the right answer), not
 * the corruption of a device's only state (which falls back to the copy).
 */
#ifndef CSVSM_STORAGE_NVSTORE_FORMAT_H
#define CSVSM_STORAGE_NVSTORE_FORMAT_H

#include "csvsm/nvstore.h"
#include "csvsm/types.h"

/* "CSNV" in the first four bytes of a header. */
#define NVSTORE_MAGIC          0x564e5343u
#define NVSTORE_FORMAT_VERSION 1u
#define NVSTORE_HEADER_SIZE    64u

/* Largest payload the format accepts (libtpms' whole state is ~150 KiB at most). */
#define NVSTORE_PAYLOAD_MAX ((uint32_t)1 << 20)

/*
 * Largest generation a valid header may hold: far beyond any real count of
 * commits, and low enough that generation + 1 never overflows.
 */
#define NVSTORE_GENERATION_MAX ((uint64_t)1 << 62)

/* Largest device write unit the store accepts. */
#define NVSTORE_WRITE_UNIT_MAX ((uint32_t)1 << 16)

/* Header flags. */
#define NVSTORE_FLAG_SEALED 0x1u
/* Bytes a sealed payload adds to the records: the GCM tag, stored first. */
#define NVSTORE_SEAL_OVERHEAD 16u

/* Fixed bytes of one payload record besides its name and data. */
#define NVSTORE_RECORD_OVERHEAD 5u

/* The slot header, as stored (offsets in comments; all little-endian). */
struct nvstore_slot_header {
	uint32_t magic;       /* 0: NVSTORE_MAGIC */
	uint16_t version;     /* 4: NVSTORE_FORMAT_VERSION */
	uint16_t header_size; /* 6: NVSTORE_HEADER_SIZE */
	uint64_t generation;  /* 8: 1..NVSTORE_GENERATION_MAX, +1 per commit */
	uint64_t slot_size;   /* 16: the slot size the writer computed */
	uint32_t payload_len; /* 24: bytes of records */
	uint32_t payload_crc; /* 28: CRC-32C of the payload bytes */
	uint32_t blob_count;  /* 32: records in the payload */
	uint32_t flags;       /* 36: NVSTORE_FLAG_SEALED or 0 */
	uint8_t iv[12];       /* 40: sealed: the GCM IV; unsealed: zero */
	uint8_t reserved[8];  /* 52: zero */
	uint32_t header_crc;  /* 60: CRC-32C of bytes [0, 60) */
};

_Static_assert(sizeof(struct nvstore_slot_header) == NVSTORE_HEADER_SIZE, "header size");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, version) == 4, "version");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, header_size) == 6, "header_size");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, generation) == 8, "generation");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, slot_size) == 16, "slot_size");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, payload_len) == 24, "payload_len");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, payload_crc) == 28, "payload_crc");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, blob_count) == 32, "blob_count");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, flags) == 36, "flags");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, iv) == 40, "iv");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, reserved) == 52, "reserved");
_Static_assert(__builtin_offsetof(struct nvstore_slot_header, header_crc) == 60, "header_crc");
_Static_assert(NVSTORE_NAME_MAX <= 255, "a name length fits the record's u8");
_Static_assert(NVSTORE_HEADER_SIZE <= NVSTORE_WRITE_UNIT_MAX, "header fits the largest write unit");

/* Bytes of the CRC-covered part of a header. */
#define NVSTORE_HEADER_CRC_SPAN __builtin_offsetof(struct nvstore_slot_header, header_crc)

#endif /* CSVSM_STORAGE_NVSTORE_FORMAT_H */
