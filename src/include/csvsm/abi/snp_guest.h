/* SPDX-License-Identifier: MIT */
/*
 * SNP guest messages (SEV-SNP Firmware ABI 56860, chapter "Guest
 * messages"; summarised in shared/reference/svsm-abi.md section 5) and the
 * attestation report they carry. Every layout is pinned with
 * _Static_assert; all integers are little-endian.
 *
 * MSG_KEY_REQ/RSP are not laid out in svsm-abi.md (it names only their
 * message types, 3/4): their layout comes from 56860 "MSG_KEY_REQ" as
 * Linux mirrors it in include/uapi/linux/sev-guest.h (struct
 * snp_derived_key_req; the response is status, 28 reserved bytes, then the
 * 32-byte key, as Linux's and COCONUT-SVSM's guest-request drivers read it).
 */
#ifndef CSVSM_ABI_SNP_GUEST_H
#define CSVSM_ABI_SNP_GUEST_H

#include "csvsm/types.h"

/* abi 5.1: one message per 4 KiB page, the payload after the header. */
#define SNP_MSG_PAGE_SIZE   4096u
#define SNP_MSG_PAYLOAD_MAX (SNP_MSG_PAGE_SIZE - sizeof(struct snp_msg_hdr))

/* abi 5.2: header fields. */
#define SNP_MSG_ALGO_AES_256_GCM 1
#define SNP_MSG_HDR_VERSION      1
#define SNP_MSG_VERSION          1
#define SNP_MSG_AAD_OFFSET       0x30u /* AAD = header bytes 0x30..0x5f */
#define SNP_MSG_AAD_SIZE         0x30u
#define SNP_MSG_IV_SIZE          12u /* msg_seqno (LE, 8 bytes) then 4 zero bytes */
#define SNP_MSG_TAG_SIZE         16u /* in authtag[0..16) */
#define SNP_MSG_VMPCK_MAX        3

/* abi 5.2: message types. */
#define SNP_MSG_KEY_REQ    3
#define SNP_MSG_KEY_RSP    4
#define SNP_MSG_REPORT_REQ 5
#define SNP_MSG_REPORT_RSP 6

/* abi 5.1: SW_EXITINFO2 = (vmm_error << 32) | fw_error. */
#define SNP_GUEST_VMM_ERR(x)        ((uint32_t)((x) >> 32))
#define SNP_GUEST_FW_ERR(x)         ((uint32_t)(x))
#define SNP_GUEST_VMM_INVALID_LEN   1u
#define SNP_GUEST_VMM_BUSY          2u
#define SNP_FW_STATUS_SUCCESS       0x00u
#define SNP_FW_STATUS_INVALID_PARAM 0x16u
#define SNP_FW_STATUS_INVALID_KEY   0x27u

/* abi 5.2: the message header (0x60 bytes), payload at 0x60. */
struct snp_msg_hdr {
	uint8_t authtag[32];     /* 0x00: the GCM tag in the first 16 bytes */
	uint64_t msg_seqno;      /* 0x20 */
	uint8_t reserved_28[8];  /* 0x28 */
	uint8_t algo;            /* 0x30: SNP_MSG_ALGO_AES_256_GCM */
	uint8_t hdr_version;     /* 0x31: 1 */
	uint16_t hdr_sz;         /* 0x32: 0x60 */
	uint8_t msg_type;        /* 0x34 */
	uint8_t msg_version;     /* 0x35: 1 */
	uint16_t msg_sz;         /* 0x36: payload bytes */
	uint32_t reserved_38;    /* 0x38 */
	uint8_t msg_vmpck;       /* 0x3c: 0..3 */
	uint8_t reserved_3d[35]; /* 0x3d */
};
_Static_assert(sizeof(struct snp_msg_hdr) == 0x60, "guest message header is 0x60 bytes");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, msg_seqno) == 0x20, "msg_seqno");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, algo) == 0x30, "algo");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, hdr_version) == 0x31, "hdr_version");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, hdr_sz) == 0x32, "hdr_sz");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, msg_type) == 0x34, "msg_type");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, msg_version) == 0x35, "msg_version");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, msg_sz) == 0x36, "msg_sz");
_Static_assert(__builtin_offsetof(struct snp_msg_hdr, msg_vmpck) == 0x3c, "msg_vmpck");
_Static_assert(SNP_MSG_AAD_OFFSET + SNP_MSG_AAD_SIZE == sizeof(struct snp_msg_hdr), "AAD span");

/* abi 5.3: MSG_REPORT_REQ (0x60 bytes). */
#define SNP_REPORT_KEY_SEL_MASK 0x3u
#define SNP_REPORT_KEY_SEL_ANY  0u /* VLEK if installed, else VCEK */
#define SNP_REPORT_KEY_SEL_VCEK 1u
#define SNP_REPORT_KEY_SEL_VLEK 2u
struct snp_report_req {
	uint8_t report_data[64]; /* 0x00 */
	uint32_t vmpl;           /* 0x40 */
	uint32_t flags;          /* 0x44: bits 1:0 KEY_SEL, the rest reserved */
	uint8_t reserved[24];    /* 0x48: MBZ */
};
_Static_assert(sizeof(struct snp_report_req) == 0x60, "MSG_REPORT_REQ is 0x60 bytes");
_Static_assert(__builtin_offsetof(struct snp_report_req, vmpl) == 0x40, "report req vmpl");
_Static_assert(__builtin_offsetof(struct snp_report_req, flags) == 0x44, "report req key_sel");
_Static_assert(__builtin_offsetof(struct snp_report_req, reserved) == 0x48, "report req rsvd");

/* abi 5.5: ATTESTATION_REPORT (0x4a0 bytes), signature over [0, 0x2a0). */
#define SNP_REPORT_SIZE                0x4a0u
#define SNP_REPORT_SIGNED_SIZE         0x2a0u
#define SNP_REPORT_VERSION             2u
#define SNP_SIG_ALGO_ECDSA_P384_SHA384 1u
#define SNP_ECDSA_COMPONENT_SIZE       72u /* r, s: little-endian, zero-extended */
#define SNP_POLICY_RESERVED_ONE        (1ull << 17)
#define SNP_POLICY_SMT                 (1ull << 16)
struct snp_report {
	uint32_t version;              /* 0x000 */
	uint32_t guest_svn;            /* 0x004 */
	uint64_t policy;               /* 0x008 */
	uint8_t family_id[16];         /* 0x010 */
	uint8_t image_id[16];          /* 0x020 */
	uint32_t vmpl;                 /* 0x030 */
	uint32_t signature_algo;       /* 0x034 */
	uint64_t current_tcb;          /* 0x038 */
	uint64_t platform_info;        /* 0x040 */
	uint32_t signer_info;          /* 0x048: bits 4:2 SIGNING_KEY (0 = VCEK) */
	uint32_t reserved_04c;         /* 0x04c */
	uint8_t report_data[64];       /* 0x050 */
	uint8_t measurement[48];       /* 0x090 */
	uint8_t host_data[32];         /* 0x0c0 */
	uint8_t id_key_digest[48];     /* 0x0e0 */
	uint8_t author_key_digest[48]; /* 0x110 */
	uint8_t report_id[32];         /* 0x140 */
	uint8_t report_id_ma[32];      /* 0x160 */
	uint64_t reported_tcb;         /* 0x180 */
	uint8_t reserved_188[24];      /* 0x188 */
	uint8_t chip_id[64];           /* 0x1a0 */
	uint64_t committed_tcb;        /* 0x1e0 */
	uint8_t current_build;         /* 0x1e8 */
	uint8_t current_minor;         /* 0x1e9 */
	uint8_t current_major;         /* 0x1ea */
	uint8_t reserved_1eb;          /* 0x1eb */
	uint8_t committed_build;       /* 0x1ec */
	uint8_t committed_minor;       /* 0x1ed */
	uint8_t committed_major;       /* 0x1ee */
	uint8_t reserved_1ef;          /* 0x1ef */
	uint64_t launch_tcb;           /* 0x1f0 */
	uint8_t reserved_1f8[168];     /* 0x1f8 */
	uint8_t sig_r[72];             /* 0x2a0 */
	uint8_t sig_s[72];             /* 0x2e8 */
	uint8_t sig_reserved[368];     /* 0x330 */
};
_Static_assert(sizeof(struct snp_report) == SNP_REPORT_SIZE, "report is 0x4a0 bytes");
_Static_assert(__builtin_offsetof(struct snp_report, policy) == 0x008, "policy");
_Static_assert(__builtin_offsetof(struct snp_report, vmpl) == 0x030, "vmpl");
_Static_assert(__builtin_offsetof(struct snp_report, signature_algo) == 0x034, "sig algo");
_Static_assert(__builtin_offsetof(struct snp_report, current_tcb) == 0x038, "current_tcb");
_Static_assert(__builtin_offsetof(struct snp_report, signer_info) == 0x048, "signer_info");
_Static_assert(__builtin_offsetof(struct snp_report, report_data) == 0x050, "report_data");
_Static_assert(__builtin_offsetof(struct snp_report, measurement) == 0x090, "measurement");
_Static_assert(__builtin_offsetof(struct snp_report, host_data) == 0x0c0, "host_data");
_Static_assert(__builtin_offsetof(struct snp_report, id_key_digest) == 0x0e0, "id_key_digest");
_Static_assert(__builtin_offsetof(struct snp_report, author_key_digest) == 0x110, "author key");
_Static_assert(__builtin_offsetof(struct snp_report, report_id) == 0x140, "report_id");
_Static_assert(__builtin_offsetof(struct snp_report, report_id_ma) == 0x160, "report_id_ma");
_Static_assert(__builtin_offsetof(struct snp_report, reported_tcb) == 0x180, "reported_tcb");
_Static_assert(__builtin_offsetof(struct snp_report, chip_id) == 0x1a0, "chip_id");
_Static_assert(__builtin_offsetof(struct snp_report, committed_tcb) == 0x1e0, "committed_tcb");
_Static_assert(__builtin_offsetof(struct snp_report, current_build) == 0x1e8, "current build");
_Static_assert(__builtin_offsetof(struct snp_report, committed_build) == 0x1ec, "committed");
_Static_assert(__builtin_offsetof(struct snp_report, launch_tcb) == 0x1f0, "launch_tcb");
_Static_assert(__builtin_offsetof(struct snp_report, sig_r) == SNP_REPORT_SIGNED_SIZE, "sig r");
_Static_assert(__builtin_offsetof(struct snp_report, sig_s) == 0x2e8, "sig s");
_Static_assert(__builtin_offsetof(struct snp_report, sig_reserved) == 0x330, "sig reserved");

/* abi 5.4: MSG_REPORT_RSP (0x20 + the report). */
struct snp_report_rsp {
	uint32_t status;          /* 0x00: SNP_FW_STATUS_* */
	uint32_t report_size;     /* 0x04: SNP_REPORT_SIZE */
	uint8_t reserved[24];     /* 0x08 */
	struct snp_report report; /* 0x20 */
};
_Static_assert(sizeof(struct snp_report_rsp) == 0x4c0, "MSG_REPORT_RSP payload is 0x4c0 bytes");
_Static_assert(__builtin_offsetof(struct snp_report_rsp, report_size) == 0x04, "report_size");
_Static_assert(__builtin_offsetof(struct snp_report_rsp, report) == 0x20, "report at 0x20");

/* 56860 MSG_KEY_REQ (Linux struct snp_derived_key_req): 0x20 bytes. */
#define SNP_KEY_ROOT_VCEK         0u /* root_key_select bit 0: 0 = VCEK, 1 = VMRK */
#define SNP_KEY_ROOT_VMRK         1u
#define SNP_KEY_FIELD_POLICY      (1ull << 0)
#define SNP_KEY_FIELD_IMAGE_ID    (1ull << 1)
#define SNP_KEY_FIELD_FAMILY_ID   (1ull << 2)
#define SNP_KEY_FIELD_MEASUREMENT (1ull << 3)
#define SNP_KEY_FIELD_GUEST_SVN   (1ull << 4)
#define SNP_KEY_FIELD_TCB_VERSION (1ull << 5)
#define SNP_KEY_FIELD_MASK        0x3full
#define SNP_DERIVED_KEY_SIZE      32u
struct snp_key_req {
	uint32_t root_key_select;    /* 0x00 */
	uint32_t reserved_04;        /* 0x04 */
	uint64_t guest_field_select; /* 0x08 */
	uint32_t vmpl;               /* 0x10 */
	uint32_t guest_svn;          /* 0x14 */
	uint64_t tcb_version;        /* 0x18 */
};
_Static_assert(sizeof(struct snp_key_req) == 0x20, "MSG_KEY_REQ is 0x20 bytes");
_Static_assert(__builtin_offsetof(struct snp_key_req, guest_field_select) == 0x08, "fields");
_Static_assert(__builtin_offsetof(struct snp_key_req, vmpl) == 0x10, "key req vmpl");
_Static_assert(__builtin_offsetof(struct snp_key_req, guest_svn) == 0x14, "key req svn");
_Static_assert(__builtin_offsetof(struct snp_key_req, tcb_version) == 0x18, "key req tcb");

struct snp_key_rsp {
	uint32_t status;                   /* 0x00 */
	uint8_t reserved[28];              /* 0x04 */
	uint8_t key[SNP_DERIVED_KEY_SIZE]; /* 0x20 */
};
_Static_assert(sizeof(struct snp_key_rsp) == 0x40, "MSG_KEY_RSP is 0x40 bytes");
_Static_assert(__builtin_offsetof(struct snp_key_rsp, key) == 0x20, "derived key at 0x20");

/* abi 5.6: the certificate table: 24-byte entries, an all-zero one ends it. */
struct snp_cert_entry {
	uint8_t guid[16]; /* EFI byte order */
	uint32_t offset;  /* from the start of the table */
	uint32_t length;
};
_Static_assert(sizeof(struct snp_cert_entry) == 24, "certificate table entry is 24 bytes");
_Static_assert(__builtin_offsetof(struct snp_cert_entry, offset) == 16, "cert entry offset");
_Static_assert(__builtin_offsetof(struct snp_cert_entry, length) == 20, "cert entry length");
/* Linux SEV_FW_BLOB_MAX_SIZE: the most certificate data the SVSM passes on. */
#define SNP_CERTS_MAX 0x4000u

/* abi 5.6 GUIDs, in EFI (mixed-endian) byte order. */
#define SNP_GUID_VCEK                                                                              \
	{                                                                                          \
		0x8d, 0x75, 0xda, 0x63, 0x64, 0xe6, 0x64, 0x45, 0xad, 0xc5, 0xf4, 0xb9, 0x3b,      \
		    0xe8, 0xac, 0xcd                                                               \
	}
#define SNP_GUID_ASK                                                                               \
	{                                                                                          \
		0x79, 0xb3, 0xb7, 0x4a, 0xac, 0xbb, 0xe4, 0x4f, 0xa0, 0x2f, 0x05, 0xae, 0xf3,      \
		    0x27, 0xc7, 0x82                                                               \
	}
#define SNP_GUID_ARK                                                                               \
	{                                                                                          \
		0xa4, 0x06, 0xb4, 0xc0, 0x03, 0xa8, 0x52, 0x49, 0x97, 0x43, 0x3f, 0xb6, 0x01,      \
		    0x4c, 0xd0, 0xae                                                               \
	}

#endif /* CSVSM_ABI_SNP_GUEST_H */
