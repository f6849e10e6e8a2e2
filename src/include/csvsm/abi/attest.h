/* SPDX-License-Identifier: MIT */
/*
 * The SVSM attestation protocol (1) (58019 chapter "Attestation
 * protocol"; summarised in shared/reference/svsm-abi.md section 1.6).
 * Guest-visible layouts pinned with _Static_assert; little-endian.
 */
#ifndef CSVSM_ABI_ATTEST_H
#define CSVSM_ABI_ATTEST_H

#include "csvsm/types.h"

/* abi 1.6: call IDs. */
#define SVSM_ATTEST_SERVICES       0
#define SVSM_ATTEST_SINGLE_SERVICE 1

/* abi 1.6: one guest buffer of the request (Linux svsm_loc_entry). */
struct svsm_attest_loc {
	uint64_t gpa;
	uint32_t size;
	uint8_t reserved[4];
};
_Static_assert(sizeof(struct svsm_attest_loc) == 16, "location entry is 16 bytes");

/*
 * abi 1.6: the request. The nonce's size field is a u16 at 0x18 followed by
 * 6 reserved bytes: the same 16 bytes as a location whose size is a u32
 * whose upper half must be zero, which is how it is checked here.
 */
struct svsm_attest_req {
	struct svsm_attest_loc report;   /* 0x00 */
	struct svsm_attest_loc nonce;    /* 0x10: size is a u16 (bytes 0x18-0x19) */
	struct svsm_attest_loc manifest; /* 0x20 */
	struct svsm_attest_loc certs;    /* 0x30 */
	/* SVSM_ATTEST_SINGLE_SERVICE only: */
	uint8_t service_guid[16];  /* 0x40: EFI byte order */
	uint32_t manifest_version; /* 0x50 */
	uint8_t reserved_54[4];    /* 0x54 */
};
_Static_assert(sizeof(struct svsm_attest_req) == 0x58, "SINGLE_SERVICE request is 0x58 bytes");
_Static_assert(__builtin_offsetof(struct svsm_attest_req, nonce) == 0x10, "nonce at 0x10");
_Static_assert(__builtin_offsetof(struct svsm_attest_req, manifest) == 0x20, "manifest at 0x20");
_Static_assert(__builtin_offsetof(struct svsm_attest_req, certs) == 0x30, "certs at 0x30");
_Static_assert(__builtin_offsetof(struct svsm_attest_req, service_guid) == 0x40, "guid at 0x40");
_Static_assert(__builtin_offsetof(struct svsm_attest_req, manifest_version) == 0x50,
               "manifest version at 0x50");
#define SVSM_ATTEST_SERVICES_REQ_SIZE 0x40u
#define SVSM_ATTEST_SINGLE_REQ_SIZE   0x58u
/* The nonce size is 16 bits wide (abi 1.6, offset 0x18). */
#define SVSM_ATTEST_NONCE_MAX 0xffffu

/* abi 1.6: the services manifest, a GUID table. */
struct svsm_manifest_hdr {
	uint8_t guid[16];      /* SVSM_GUID_SERVICES_MANIFEST */
	uint32_t total_length; /* the whole table, data included */
	uint32_t entry_count;
};
_Static_assert(sizeof(struct svsm_manifest_hdr) == 24, "manifest header is 24 bytes");
_Static_assert(__builtin_offsetof(struct svsm_manifest_hdr, total_length) == 16, "total_length");
struct svsm_manifest_entry {
	uint8_t guid[16];
	uint32_t offset; /* from the start of the table */
	uint32_t length;
};
_Static_assert(sizeof(struct svsm_manifest_entry) == 24, "manifest entry is 24 bytes");
_Static_assert(__builtin_offsetof(struct svsm_manifest_entry, offset) == 16, "entry offset");

/* 63849ebb-3d92-4670-a1ff-58f9c94b87bb (abi 1.6), EFI byte order. */
#define SVSM_GUID_SERVICES_MANIFEST                                                                \
	{                                                                                          \
		0xbb, 0x9e, 0x84, 0x63, 0x92, 0x3d, 0x70, 0x46, 0xa1, 0xff, 0x58, 0xf9, 0xc9,      \
		    0x4b, 0x87, 0xbb                                                               \
	}
/* c476f1eb-0123-45a5-9641-b4e7dde5bfe3: the vTPM service (abi 1.6). */
#define SVSM_GUID_VTPM                                                                             \
	{                                                                                          \
		0xeb, 0xf1, 0x76, 0xc4, 0x23, 0x01, 0xa5, 0x45, 0x96, 0x41, 0xb4, 0xe7, 0xdd,      \
		    0xe5, 0xbf, 0xe3                                                               \
	}

/*
 * csvsm's own manifest entry (not in 58019; a verifier that does not know
 * it skips it): 8f5c2d3a-6b1e-4e7a-9c0d-3f2b1a4e5d6c, listed beside the
 * vTPM, whose data is the vTPM's NV state generation (u64, little-endian)
 * at the time of the report. A verifier that records it across reports
 * detects a rolled-back NV state (src/vtpm/README.md, "Rollback").
 */
#define CSVSM_GUID_VTPM_NV_STATE                                                                   \
	{                                                                                          \
		0x3a, 0x2d, 0x5c, 0x8f, 0x1e, 0x6b, 0x7a, 0x4e, 0x9c, 0x0d, 0x3f, 0x2b, 0x1a,      \
		    0x4e, 0x5d, 0x6c                                                               \
	}
#define CSVSM_NV_STATE_ENTRY_SIZE 8u

#endif /* CSVSM_ABI_ATTEST_H */
