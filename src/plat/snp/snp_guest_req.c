/* SPDX-License-Identifier: MIT */
/* Guest request exits through the GHCB (snp_guest_req.h). */
#include "snp_guest_req.h"

#include "csvsm/error.h"
#include "csvsm/lib/string.h"

int ghcb_prepare_guest_request(struct ghcb_page *g, uint64_t req_gpa, uint64_t rsp_gpa,
                               uint64_t certs_gpa, uint64_t certs_pages)
{
	if (!IS_ALIGNED(req_gpa | rsp_gpa | certs_gpa, PAGE_SIZE) || certs_pages > UINT32_MAX)
		return -CSVSM_EINVAL;
	ghcb_invalidate(g);
	ghcb_set(g, GHCB_OFF_SW_EXIT_CODE,
	         certs_pages ? SVM_VMGEXIT_EXT_GUEST_REQUEST : SVM_VMGEXIT_GUEST_REQUEST);
	ghcb_set(g, GHCB_OFF_SW_EXIT_INFO1, req_gpa);
	ghcb_set(g, GHCB_OFF_SW_EXIT_INFO2, rsp_gpa);
	if (certs_pages) {
		ghcb_set(g, GHCB_OFF_RAX, certs_gpa);
		ghcb_set(g, GHCB_OFF_RBX, certs_pages);
	}
	return 0;
}

int ghcb_guest_request_answer(const struct ghcb_page *g, bool extended, uint64_t *exit_info2,
                              uint64_t *pages)
{
	int rc = ghcb_result(g);

	*exit_info2 = 0;
	*pages = 0;
	if (rc < 0)
		return rc;
	/* Outputs are not marked valid by the hypervisor (Linux reads them as they are). */
	*exit_info2 = ghcb_get(g, GHCB_OFF_SW_EXIT_INFO2);
	if (extended)
		*pages = ghcb_get(g, GHCB_OFF_RBX);
	return 0;
}

size_t snp_cert_table_len(const uint8_t *t, size_t have)
{
	size_t end = 0, off;

	for (off = 0; off + 24 <= have; off += 24) {
		uint32_t o, l;

		mem_copy(&o, t + off + 16, 4);
		mem_copy(&l, t + off + 20, 4);
		if (mem_is_zero(t + off, 24))
			return end > off + 24 ? end : off + 24;
		if (o > have || l > have - o)
			return 0;
		if (o + l > end)
			end = o + l;
	}
	return 0; /* no terminating entry within the buffer */
}
