/* SPDX-License-Identifier: MIT */
/*
 * The SVSM core protocol (58019 chapter "Core protocol"; abi 1.5). Each
 * handler works on copies of guest data: a guest structure is read once
 * into SVSM memory, then validated and used (no double fetch).
 *
 * SMP (csvsm/vcpu.h, docs/smp.md): every check of a page against the
 * vCPU table (VMSA, CA) and the RMP changes and accesses that depend on it
 * happen under vcpu_lock, so no other vCPU's call can make the page a VMSA
 * or a CA in between. Allocations come before the lock; frees after it.
 */
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/error.h"
#include "csvsm/gpa.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/vmpl.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"

static const uint8_t zero_page[PAGE_SIZE];

/* RMPADJUST attributes granting or revoking the guest VMPL's access. */
static uint64_t guest_rwx(void)
{
	return RMPADJUST_TARGET_VMPL(vcpu_guest_vmpl()) | RMPADJUST_PERM_RWX;
}

/*
 * Revokes every VMPL below the SVSM (1..3: the guest may have granted its
 * own lower VMPLs access) from the page. Returns RMP_SUCCESS, the first
 * failing RMPADJUST rc, or -CSVSM_EFAULT when the page is not validated.
 */
static int revoke_lower_vmpls(gpa_t gpa, enum rmp_page_size size, uint64_t extra_attrs)
{
	for (unsigned int vmpl = 1; vmpl <= 3; vmpl++) {
		/* The VMSA bit is per page: every RMPADJUST sets it to `extra_attrs`'. */
		int rc = plat_rmpadjust(gpa, size, RMPADJUST_TARGET_VMPL(vmpl) | extra_attrs);

		if (rc != RMP_SUCCESS)
			return rc;
	}
	return RMP_SUCCESS;
}

/* A PVALIDATE/RMPADJUST hardware rc as an SVSM result (abi 1.4). */
static uint32_t rmp_result(int rc)
{
	if (rc < 0)
		return SVSM_ERR_INVALID_ADDRESS; /* the instruction faulted */
	return SVSM_ERR_PROTOCOL_BASE + (uint32_t)rc;
}

/* REMAP_CA with vcpu_lock held. */
static uint32_t core_remap_ca_locked(struct svsm_call *call)
{
	gpa_t gpa = call->rcx;
	struct vcpu *v = call->caller;

	if (!IS_ALIGNED(gpa, PAGE_SIZE))
		return SVSM_ERR_INVALID_PARAMETER;
	if (!gpa_is_guest_ram(gpa, PAGE_SIZE) || vcpu_overlaps_vmsa(gpa, PAGE_SIZE) ||
	    vcpu_by_caa(gpa, v))
		return SVSM_ERR_INVALID_ADDRESS;
	if (gpa == v->caa_gpa)
		return SVSM_SUCCESS;
	/* Only the 8-byte header is the SVSM's; the rest is the guest's buffer. */
	if (plat_guest_write(gpa, zero_page, sizeof(struct svsm_pvalidate_hdr)) < 0)
		return SVSM_ERR_INVALID_ADDRESS;
	v->caa_gpa = gpa;
	return SVSM_SUCCESS;
}

/* REMAP_CA (call 0): RCX = GPA of the calling vCPU's new CA. */
static uint32_t core_remap_ca(struct svsm_call *call)
{
	uint32_t result;

	vcpu_lock();
	result = core_remap_ca_locked(call);
	vcpu_unlock();
	return result;
}

/* Zeroes a page (4 KiB or 2 MiB) the SVSM has just validated. */
static int zero_guest_pages(gpa_t gpa, enum rmp_page_size size)
{
	return plat_guest_zero(gpa, size == RMP_PAGE_2M ? PAGE_SIZE_2M : PAGE_SIZE);
}

/*
 * One PVALIDATE entry (abi 1.5, "per entry"). Validate: PVALIDATE, zero,
 * grant the guest VMPL RWX (zeroing first: the hypervisor may have mapped
 * anything there). Rescind: revoke the guest's access first, then
 * PVALIDATE. Returns SVSM_SUCCESS or the SVSM error for this entry.
 * Called with vcpu_lock held: the page cannot become a VMSA meanwhile.
 */
static uint32_t pvalidate_entry_locked(uint64_t entry)
{
	uint64_t size_bits = entry & SVSM_PVAL_SIZE_MASK;
	bool validate = entry & SVSM_PVAL_VALIDATE;
	bool ignore_cf = entry & SVSM_PVAL_IGNORE_CF;
	gpa_t gpa = (entry >> SVSM_PVAL_GFN_SHIFT) << PAGE_SHIFT;
	enum rmp_page_size size;
	uint64_t bytes;
	bool unchanged = false;
	int rc;

	if (size_bits > SVSM_PVAL_SIZE_2M || (entry & SVSM_PVAL_RESERVED))
		return SVSM_ERR_INVALID_PARAMETER;
	size = size_bits == SVSM_PVAL_SIZE_2M ? RMP_PAGE_2M : RMP_PAGE_4K;
	bytes = size == RMP_PAGE_2M ? PAGE_SIZE_2M : PAGE_SIZE;
	if (!IS_ALIGNED(gpa, bytes))
		return SVSM_ERR_INVALID_PARAMETER;
	if (!gpa_is_guest_ram(gpa, bytes) || vcpu_overlaps_vmsa(gpa, bytes))
		return SVSM_ERR_INVALID_ADDRESS;

	if (validate) {
		rc = plat_pvalidate(gpa, size, true, &unchanged);
		if (rc != RMP_SUCCESS)
			return rmp_result(rc);
		if (unchanged && !ignore_cf)
			return SVSM_PVALIDATE_FAIL_UNCHANGED;
		/* A page that already was validated keeps its contents. */
		if (!unchanged && zero_guest_pages(gpa, size) < 0)
			rc = -CSVSM_EFAULT;
		else
			rc = plat_rmpadjust(gpa, size, guest_rwx());
		if (rc != RMP_SUCCESS) {
			/* Leave the page as it was: not validated. */
			if (!unchanged && plat_pvalidate(gpa, size, false, &unchanged) != 0)
				return SVSM_ERR_INVALID_ADDRESS;
			return rmp_result(rc);
		}
		return SVSM_SUCCESS;
	}

	rc = revoke_lower_vmpls(gpa, size, 0);
	/* Not validated (a #VC on RMPADJUST): PVALIDATE below reports it. */
	if (rc != RMP_SUCCESS && rc != -CSVSM_EFAULT)
		return rmp_result(rc);
	rc = plat_pvalidate(gpa, size, false, &unchanged);
	if (rc != RMP_SUCCESS)
		return rmp_result(rc);
	if (unchanged && !ignore_cf)
		return SVSM_PVALIDATE_FAIL_UNCHANGED;
	return SVSM_SUCCESS;
}

/* PVALIDATE (call 1): RCX = GPA of the list (abi 1.5, "1: PVALIDATE"). */
static uint32_t core_pvalidate(struct svsm_call *call)
{
	gpa_t list = call->rcx;
	struct svsm_pvalidate_hdr hdr;
	uint64_t max_entries, count;
	uint64_t *entries;
	uint32_t result = SVSM_SUCCESS;
	uint16_t next;

	if (!IS_ALIGNED(list, 8))
		return SVSM_ERR_INVALID_PARAMETER;
	if (vcpu_guest_buf_read(list, &hdr, sizeof(hdr)) < 0)
		return SVSM_ERR_INVALID_ADDRESS;
	/* The whole list must sit in the page that holds its header. */
	max_entries = (PAGE_SIZE - (list & (PAGE_SIZE - 1)) - sizeof(hdr)) / sizeof(uint64_t);
	if (hdr.entries == 0 || hdr.entries > max_entries || hdr.next >= hdr.entries)
		return SVSM_ERR_INVALID_PARAMETER;

	count = hdr.entries - hdr.next;
	entries = kmalloc(count * sizeof(uint64_t));
	if (!entries)
		return SVSM_ERR_BUSY;
	if (vcpu_guest_buf_read(list + sizeof(hdr) + hdr.next * sizeof(uint64_t), entries,
	                        count * sizeof(uint64_t)) < 0) {
		kfree(entries);
		return SVSM_ERR_INVALID_ADDRESS;
	}
	next = hdr.next;
	for (uint64_t i = 0; i < count; i++) {
		vcpu_lock();
		result = pvalidate_entry_locked(entries[i]);
		vcpu_unlock();
		if (result != SVSM_SUCCESS)
			break;
		next++;
	}
	kfree(entries);
	if (vcpu_guest_buf_write(list + __builtin_offsetof(struct svsm_pvalidate_hdr, next), &next,
	                         sizeof(next)) < 0 &&
	    result == SVSM_SUCCESS)
		result = SVSM_ERR_INVALID_ADDRESS;
	return result;
}

/*
 * The checks of a VMSA offered by CREATE_VCPU (abi 1.5, "2: CREATE_VCPU"):
 * SVSM_SUCCESS, INVALID_PARAMETER, or INVALID_ADDRESS when a VMSA access
 * faulted (the hypervisor took the page, or the caller's, away).
 */
static uint32_t vmsa_acceptable(const struct vmsa_page *vmsa, const struct vcpu *caller)
{
	uint64_t efer, features, caller_features;
	uint8_t vmpl;

	if (VMSA_GET(vmsa, vmpl, &vmpl) < 0 || VMSA_GET(vmsa, efer, &efer) < 0 ||
	    VMSA_GET(vmsa, sev_features, &features) < 0 ||
	    VMSA_GET(caller->vmsa, sev_features, &caller_features) < 0)
		return SVSM_ERR_INVALID_ADDRESS;
	return vmpl == vcpu_guest_vmpl() && (efer & EFER_SVME) && features == caller_features
	           ? SVSM_SUCCESS
	           : SVSM_ERR_INVALID_PARAMETER;
}

/*
 * CREATE_VCPU with vcpu_lock held and the record `v` allocated: from the
 * checks to the install, so two calls for one APIC ID, VMSA or CA cannot
 * both succeed. Frees `v` unless it installs it.
 */
static uint32_t create_vcpu_locked(struct svsm_call *call, struct vcpu *v)
{
	gpa_t vmsa_gpa = call->rcx, caa_gpa = call->rdx;
	int index = vcpu_index_of_apic((uint32_t)call->r8);
	struct vmsa_page *vmsa;
	uint32_t result;
	int rc;

	if (!IS_ALIGNED(vmsa_gpa | caa_gpa, PAGE_SIZE) || vmsa_gpa == caa_gpa ||
	    !gpa_is_guest_ram(vmsa_gpa, PAGE_SIZE) || !gpa_is_guest_ram(caa_gpa, PAGE_SIZE) ||
	    vcpu_overlaps_vmsa(vmsa_gpa, PAGE_SIZE) || vcpu_overlaps_vmsa(caa_gpa, PAGE_SIZE) ||
	    vcpu_by_caa(vmsa_gpa, NULL) || vcpu_by_caa(caa_gpa, NULL)) {
		kfree(v);
		return SVSM_ERR_INVALID_ADDRESS;
	}
	if (index < 0 || vcpu_at((unsigned int)index)) {
		kfree(v);
		return SVSM_ERR_INVALID_PARAMETER;
	}
	/* Take the page from the guest, then look at it: it can no longer change. */
	rc = revoke_lower_vmpls(vmsa_gpa, RMP_PAGE_4K, 0);
	if (rc != RMP_SUCCESS) {
		/*
		 * The page's state (not validated, not assigned, a 2 MiB entry) made
		 * the first RMPADJUST fail, so none of them changed anything.
		 */
		kfree(v);
		return rc < 0 ? SVSM_ERR_INVALID_ADDRESS : rmp_result(rc);
	}
	vmsa = plat_vmsa_map(vmsa_gpa);
	result = vmsa ? vmsa_acceptable(vmsa, call->caller) : SVSM_ERR_INVALID_ADDRESS;
	if (result == SVSM_SUCCESS &&
	    revoke_lower_vmpls(vmsa_gpa, RMP_PAGE_4K, RMPADJUST_VMSA) != RMP_SUCCESS)
		result = SVSM_ERR_INVALID_PARAMETER;
	if (result != SVSM_SUCCESS) {
		if (vmsa)
			plat_vmsa_unmap(vmsa);
		kfree(v);
		/* Give the page back as it was; it was the guest's, RWX, before. */
		if (plat_rmpadjust(vmsa_gpa, RMP_PAGE_4K, guest_rwx()) != RMP_SUCCESS)
			return SVSM_ERR_INVALID_ADDRESS;
		return result;
	}
	v->apic_id = (uint32_t)call->r8;
	v->vmsa_gpa = vmsa_gpa;
	v->vmsa = vmsa;
	v->caa_gpa = caa_gpa;
	vcpu_install((unsigned int)index, v);
	return SVSM_SUCCESS;
}

/* CREATE_VCPU (call 2): RCX = VMSA GPA, RDX = CA GPA, R8[31:0] = APIC ID. */
static uint32_t core_create_vcpu(struct svsm_call *call)
{
	/* Everything that can fail for lack of memory comes first. */
	struct vcpu *v = kzalloc(sizeof(*v));
	uint32_t result;

	if (!v)
		return SVSM_ERR_BUSY;
	vcpu_lock();
	result = create_vcpu_locked(call, v);
	vcpu_unlock();
	return result;
}

/*
 * DELETE_VCPU with vcpu_lock held. On success *gone is the record taken
 * out of the table, for the caller to release after the unlock.
 */
static uint32_t delete_vcpu_locked(struct svsm_call *call, struct vcpu **gone)
{
	gpa_t vmsa_gpa = call->rcx;
	struct vcpu *v;
	int index, rc;

	v = vcpu_by_vmsa(vmsa_gpa);
	if (!v)
		return SVSM_ERR_INVALID_PARAMETER;
	if (v == call->caller)
		return SVSM_ERR_INVALID_REQUEST;
	/* Its vCPU is in the SVSM serving a call on it: Linux retries on BUSY. */
	if (v->refs > 1)
		return SVSM_ERR_BUSY;
	index = vcpu_index_of_apic(v->apic_id);
	/* The hypervisor may not run it again (VMRUN checks EFER.SVME). */
	vcpu_set_runnable(v, false);
	/*
	 * Clear the VMSA bit. A guest page goes back to the guest (RWX); a VMSA
	 * in SVSM memory (the launch's) stays the SVSM's, with no guest access.
	 * A page the hypervisor remapped meanwhile (the RMPADJUST faults) is no
	 * VMSA any more either: the vCPU is deleted all the same.
	 */
	rc = plat_rmpadjust(vmsa_gpa, RMP_PAGE_4K,
	                    gpa_is_guest_ram(vmsa_gpa, PAGE_SIZE)
	                        ? guest_rwx()
	                        : RMPADJUST_TARGET_VMPL(vcpu_guest_vmpl()));
	if (rc != RMP_SUCCESS && rc != -CSVSM_EFAULT) {
		vcpu_set_runnable(v, true); /* nothing changed */
		return rmp_result(rc);
	}
	plat_vmsa_unmap(v->vmsa);
	*gone = vcpu_remove((unsigned int)index);
	return SVSM_SUCCESS;
}

/* DELETE_VCPU (call 3): RCX = GPA of a VMSA registered with CREATE_VCPU. */
static uint32_t core_delete_vcpu(struct svsm_call *call)
{
	struct vcpu *gone = NULL;
	uint32_t result;

	if (!IS_ALIGNED(call->rcx, PAGE_SIZE))
		return SVSM_ERR_INVALID_PARAMETER;
	vcpu_lock();
	result = delete_vcpu_locked(call, &gone);
	vcpu_unlock();
	if (gone)
		vcpu_put(gone); /* the table's reference: the last one */
	return result;
}

void svsm_core_protocol(struct svsm_call *call)
{
	uint32_t result;

	switch (SVSM_CALL_ID(call->rax)) {
	case SVSM_CORE_REMAP_CA:
		result = core_remap_ca(call);
		break;
	case SVSM_CORE_PVALIDATE:
		result = core_pvalidate(call);
		break;
	case SVSM_CORE_CREATE_VCPU:
		result = core_create_vcpu(call);
		break;
	case SVSM_CORE_DELETE_VCPU:
		result = core_delete_vcpu(call);
		break;
	case SVSM_CORE_QUERY_PROTOCOL:
		call->rcx =
		    svsm_query_protocol(SVSM_QUERY_PROTO(call->rcx), SVSM_QUERY_VERSION(call->rcx));
		result = SVSM_SUCCESS;
		break;
	case SVSM_CORE_CONFIGURE_VTOM:
		/* vTOM is not supported: a query answers 0, a request is refused. */
		if (call->rcx & SVSM_VTOM_QUERY) {
			call->rcx = 0;
			result = SVSM_SUCCESS;
		} else {
			result = SVSM_ERR_INVALID_REQUEST;
		}
		break;
	case SVSM_CORE_DEPOSIT_MEM:
	case SVSM_CORE_WITHDRAW_MEM:
	default:
		result = SVSM_ERR_UNSUPPORTED_CALL;
		break;
	}
	call->rax = result;
}
