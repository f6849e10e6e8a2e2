/* SPDX-License-Identifier: MIT */
/*
 * SNP guest messages, the SVSM's side (csvsm/guest_msg.h; 56860 "Guest
 * messages", abi 5.2): header, AES-256-GCM with VMPCK0 (IV = sequence
 * number, AAD = header bytes 0x30..0x5f), sequence numbers, and the checks
 * of every response the hypervisor hands back.
 */
#include "csvsm/guest_msg.h"

#include "csvsm/adapter/crypto.h"
#include "csvsm/error.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/guest_msg.h"

/* How often a BUSY hypervisor is asked again with the same message. */
#define GUEST_MSG_BUSY_RETRIES 16

static struct spinlock gm_lock = SPINLOCK_INIT;
static uint8_t gm_vmpck0[32];
static bool gm_ready;
static uint64_t gm_seqno; /* the last sequence number used (request or response) */
static struct guest_msg_stats gm_stats;

void guest_msg_init(const uint8_t vmpck0[32])
{
	mem_copy(gm_vmpck0, vmpck0, sizeof(gm_vmpck0));
	gm_ready = !mem_is_zero(gm_vmpck0, sizeof(gm_vmpck0));
	gm_seqno = 0;
	mem_set(&gm_stats, 0, sizeof(gm_stats));
}

bool guest_msg_available(void)
{
	return gm_ready;
}

void guest_msg_get_stats(struct guest_msg_stats *out)
{
	*out = gm_stats;
	out->seqno = gm_seqno;
}

static void gm_disable(const char *why)
{
	log_printf("guest_msg: %s: VMPCK0 erased, no more guest messages until reboot\n", why);
	mem_set(gm_vmpck0, 0, sizeof(gm_vmpck0));
	gm_ready = false;
	gm_stats.failures++;
}

static void gm_iv(uint8_t iv[CRYPTO_GCM_IV_SIZE], uint64_t seqno)
{
	mem_set(iv, 0, CRYPTO_GCM_IV_SIZE);
	for (unsigned int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(seqno >> (8 * i));
}

/* Builds the encrypted request for sequence number `seqno` into `page`. */
static int gm_build(uint8_t *page, uint8_t type, uint64_t seqno, const void *payload, size_t len)
{
	struct snp_msg_hdr h;
	uint8_t iv[CRYPTO_GCM_IV_SIZE];

	mem_set(page, 0, SNP_MSG_PAGE_SIZE);
	mem_set(&h, 0, sizeof(h));
	h.msg_seqno = seqno;
	h.algo = SNP_MSG_ALGO_AES_256_GCM;
	h.hdr_version = SNP_MSG_HDR_VERSION;
	h.hdr_sz = sizeof(h);
	h.msg_type = type;
	h.msg_version = SNP_MSG_VERSION;
	h.msg_sz = (uint16_t)len;
	h.msg_vmpck = 0;
	mem_copy(page, &h, sizeof(h));
	gm_iv(iv, seqno);
	return crypto_aes256gcm_seal(gm_vmpck0, iv, page + SNP_MSG_AAD_OFFSET, SNP_MSG_AAD_SIZE,
	                             payload, page + sizeof(h), len, page);
}

/*
 * Checks the response in `page` (a copy in SVSM memory) and decrypts its
 * payload, which must be exactly `len` bytes, into `out`.
 */
static int gm_check_response(uint8_t *page, uint8_t type, uint64_t seqno, void *out, size_t len,
                             const char **why)
{
	struct snp_msg_hdr h;
	uint8_t iv[CRYPTO_GCM_IV_SIZE];
	int rc;

	mem_copy(&h, page, sizeof(h));
	if (h.algo != SNP_MSG_ALGO_AES_256_GCM || h.hdr_version != SNP_MSG_HDR_VERSION ||
	    h.hdr_sz != sizeof(h) || h.msg_version != SNP_MSG_VERSION || h.msg_vmpck != 0) {
		*why = "response header malformed";
		return -CSVSM_ECORRUPT;
	}
	if (h.msg_type != type + 1 || h.msg_sz != len) {
		*why = "response of the wrong type or size";
		return -CSVSM_ECORRUPT;
	}
	if (h.msg_seqno != seqno) {
		*why = "response sequence number wrong (replayed or reordered)";
		return -CSVSM_ECORRUPT;
	}
	gm_iv(iv, seqno);
	rc = crypto_aes256gcm_open(gm_vmpck0, iv, page + SNP_MSG_AAD_OFFSET, SNP_MSG_AAD_SIZE,
	                           page + sizeof(h), out, len, page);
	if (rc == -CSVSM_ECORRUPT)
		*why = "response does not authenticate (tampered)";
	else if (rc < 0)
		*why = "response decryption failed";
	return rc;
}

/* One exchange with the lock held: the message pages are allocated by the caller. */
static int gm_exchange_locked(uint8_t *req, uint8_t *rsp, uint8_t type, const void *payload,
                              size_t len, void *out, size_t out_len, void *certs, size_t *certs_len)
{
	uint64_t seq = gm_seqno + 1, ei2 = 0;
	size_t have = certs_len ? *certs_len : 0;
	const char *why = NULL;
	bool too_small = false;
	int rc;

	if (!gm_ready)
		return -CSVSM_EPERM;
	if (seq >= UINT64_MAX - 2)
		return -CSVSM_EPERM; /* the sequence is exhausted */
	rc = gm_build(req, type, seq, payload, len);
	if (rc < 0)
		return rc; /* nothing left the SVSM */
	gm_stats.requests++;
	for (unsigned int tries = 0;; tries++) {
		size_t cl = have;

		rc = plat_guest_request(req, rsp, too_small ? NULL : certs, too_small ? NULL : &cl,
		                        &ei2);
		if (rc < 0) {
			gm_disable("the hypervisor broke the guest request exchange");
			return -CSVSM_EIO;
		}
		if (SNP_GUEST_VMM_ERR(ei2) == SNP_GUEST_VMM_BUSY &&
		    tries < GUEST_MSG_BUSY_RETRIES) {
			gm_stats.busy_retries++;
			continue;
		}
		if (ei2 == ((uint64_t)SNP_GUEST_VMM_INVALID_LEN << 32) && certs && !too_small) {
			/*
			 * The host's certificates do not fit: send the same
			 * message (same IV, same bytes) without them, so that
			 * the sequence number is consumed as the PSP expects.
			 */
			too_small = true;
			if (certs_len)
				*certs_len = cl;
			continue;
		}
		if (ei2 != 0) {
			log_printf(
			    "guest_msg: request refused (vmm error %u, firmware error %#x)\n",
			    SNP_GUEST_VMM_ERR(ei2), SNP_GUEST_FW_ERR(ei2));
			gm_disable("the request failed");
			return -CSVSM_EIO;
		}
		if (certs_len && !too_small) {
			if (cl > have) {
				gm_disable("the hypervisor claims more certificate bytes than fit");
				return -CSVSM_EIO;
			}
			*certs_len = cl;
		}
		break;
	}
	rc = gm_check_response(rsp, type, seq + 1, out, out_len, &why);
	if (rc == -CSVSM_ENOMEM) {
		/*
		 * No memory to decrypt: the PSP did consume the request, so the
		 * sequence moves on (no IV is ever reused) and the key stays.
		 */
		gm_seqno = seq + 1;
		return rc;
	}
	if (rc < 0) {
		gm_disable(why);
		return rc;
	}
	gm_seqno = seq + 1;
	return too_small ? -CSVSM_ENOSPC : 0;
}

static int gm_exchange(uint8_t type, const void *payload, size_t len, void *out, size_t out_len,
                       void *certs, size_t *certs_len)
{
	uint8_t *req = kmalloc(SNP_MSG_PAGE_SIZE);
	uint8_t *rsp = kmalloc(SNP_MSG_PAGE_SIZE);
	int rc = -CSVSM_ENOMEM;

	if (req && rsp) {
		spin_lock(&gm_lock);
		rc = gm_exchange_locked(req, rsp, type, payload, len, out, out_len, certs,
		                        certs_len);
		spin_unlock(&gm_lock);
		mem_set(rsp, 0, SNP_MSG_PAGE_SIZE);
	}
	kfree(req);
	kfree(rsp);
	return rc;
}

int guest_msg_report(const uint8_t report_data[64], uint32_t vmpl, struct snp_report *out,
                     void *certs, size_t *certs_len)
{
	struct snp_report_req req;
	struct snp_report_rsp *rsp = kmalloc(sizeof(*rsp));
	int rc;

	if (!rsp)
		return -CSVSM_ENOMEM;
	mem_set(&req, 0, sizeof(req));
	mem_copy(req.report_data, report_data, sizeof(req.report_data));
	req.vmpl = vmpl;
	req.flags = SNP_REPORT_KEY_SEL_ANY;
	rc =
	    gm_exchange(SNP_MSG_REPORT_REQ, &req, sizeof(req), rsp, sizeof(*rsp), certs, certs_len);
	if (rc == 0 || rc == -CSVSM_ENOSPC) {
		/* Authentic, but still checked: it must be the report asked for. */
		if (rsp->status != SNP_FW_STATUS_SUCCESS) {
			log_printf("guest_msg: the PSP refused the report (status %#x)\n",
			           rsp->status);
			rc = -CSVSM_EIO;
		} else if (rsp->report_size != SNP_REPORT_SIZE || rsp->report.vmpl != vmpl ||
		           mem_cmp(rsp->report.report_data, report_data, 64) != 0) {
			log_printf("guest_msg: the PSP's report is not the one asked for\n");
			rc = -CSVSM_ECORRUPT;
		} else {
			mem_copy(out, &rsp->report, sizeof(*out));
		}
	}
	kfree(rsp);
	return rc;
}

int guest_msg_derive_key(uint64_t field_select, uint32_t vmpl, uint8_t key[SNP_DERIVED_KEY_SIZE])
{
	struct snp_key_req req;
	struct snp_key_rsp rsp;
	int rc;

	mem_set(&req, 0, sizeof(req));
	req.root_key_select = SNP_KEY_ROOT_VCEK;
	req.guest_field_select = field_select;
	req.vmpl = vmpl;
	rc = gm_exchange(SNP_MSG_KEY_REQ, &req, sizeof(req), &rsp, sizeof(rsp), NULL, NULL);
	if (rc == 0 && rsp.status != SNP_FW_STATUS_SUCCESS) {
		log_printf("guest_msg: the PSP refused the key request (status %#x)\n", rsp.status);
		rc = -CSVSM_EIO;
	}
	if (rc == 0)
		mem_copy(key, rsp.key, SNP_DERIVED_KEY_SIZE);
	mem_set(&rsp, 0, sizeof(rsp));
	return rc;
}
