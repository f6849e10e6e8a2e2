/* SPDX-License-Identifier: MIT */
/* The vCPU table (see csvsm/vcpu.h for the locking rules). */
#include "csvsm/vcpu.h"

#include "csvsm/error.h"
#include "csvsm/gpa.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/mm.h"
#include "csvsm/panic.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/vmpl.h"

/* Written at boot only (one vCPU running), read-only afterwards. */
static uint32_t vcpu_apic_ids[PLAT_MAX_VCPUS];
static unsigned int vcpu_total;
static uint8_t guest_vmpl;

/* Guarded by vcpu_table_lock: the table and the fields of every record in it. */
static struct spinlock vcpu_table_lock = SPINLOCK_INIT;
static struct vcpu *vcpu_table[PLAT_MAX_VCPUS];

#define ASSERT_LOCKED() BUG_ON(!spin_is_locked(&vcpu_table_lock))

void vcpu_table_init(const struct plat_boot_info *info)
{
	spin_init(&vcpu_table_lock);
	vcpu_total = info->vcpu_count <= PLAT_MAX_VCPUS ? info->vcpu_count : PLAT_MAX_VCPUS;
	for (unsigned int i = 0; i < PLAT_MAX_VCPUS; i++) {
		vcpu_table[i] = NULL;
		vcpu_apic_ids[i] = i < vcpu_total ? info->apic_ids[i] : 0;
	}
	guest_vmpl = info->guest_vmpl;
}

void vcpu_lock(void)
{
	spin_lock(&vcpu_table_lock);
}

void vcpu_unlock(void)
{
	spin_unlock(&vcpu_table_lock);
}

bool vcpu_lock_is_held(void)
{
	return spin_is_locked(&vcpu_table_lock);
}

unsigned int vcpu_count(void)
{
	return vcpu_total;
}

uint8_t vcpu_guest_vmpl(void)
{
	return guest_vmpl;
}

int vcpu_index_of_apic(uint32_t apic_id)
{
	for (unsigned int i = 0; i < vcpu_total; i++)
		if (vcpu_apic_ids[i] == apic_id)
			return (int)i;
	return -1;
}

struct vcpu *vcpu_get(unsigned int index)
{
	struct vcpu *v;

	vcpu_lock();
	v = vcpu_at(index);
	if (v)
		v->refs++;
	vcpu_unlock();
	return v;
}

void vcpu_put(struct vcpu *v)
{
	uint32_t left;

	vcpu_lock();
	BUG_ON(v->refs == 0);
	left = --v->refs;
	vcpu_unlock();
	if (left == 0)
		kfree(v); /* out of the table already: nobody else can see it */
}

struct vcpu *vcpu_at(unsigned int index)
{
	ASSERT_LOCKED();
	return index < vcpu_total ? vcpu_table[index] : NULL;
}

struct vcpu *vcpu_by_vmsa(gpa_t gpa)
{
	ASSERT_LOCKED();
	for (unsigned int i = 0; i < vcpu_total; i++)
		if (vcpu_table[i] && vcpu_table[i]->vmsa_gpa == gpa)
			return vcpu_table[i];
	return NULL;
}

bool vcpu_overlaps_vmsa(gpa_t gpa, uint64_t len)
{
	ASSERT_LOCKED();
	for (unsigned int i = 0; i < vcpu_total; i++) {
		const struct vcpu *v = vcpu_table[i];

		if (v && v->vmsa_gpa < gpa + len && gpa < v->vmsa_gpa + PAGE_SIZE)
			return true;
	}
	return false;
}

struct vcpu *vcpu_by_caa(gpa_t gpa, const struct vcpu *except)
{
	ASSERT_LOCKED();
	for (unsigned int i = 0; i < vcpu_total; i++) {
		struct vcpu *v = vcpu_table[i];

		if (v && v != except && v->caa_gpa == gpa)
			return v;
	}
	return NULL;
}

void vcpu_install(unsigned int index, struct vcpu *v)
{
	ASSERT_LOCKED();
	BUG_ON(index >= PLAT_MAX_VCPUS || vcpu_table[index] != NULL);
	v->refs = 1;
	vcpu_table[index] = v;
}

struct vcpu *vcpu_remove(unsigned int index)
{
	struct vcpu *v = vcpu_at(index);

	if (v)
		vcpu_table[index] = NULL;
	return v;
}

bool vcpu_guest_buf_ok(gpa_t gpa, uint64_t len)
{
	bool ok;

	vcpu_lock();
	ok = gpa_is_guest_ram(gpa, len) && !vcpu_overlaps_vmsa(gpa, len);
	vcpu_unlock();
	return ok;
}

int vcpu_guest_buf_read(gpa_t gpa, void *dst, size_t len)
{
	int rc = -CSVSM_EFAULT;

	vcpu_lock();
	if (gpa_is_guest_ram(gpa, len) && !vcpu_overlaps_vmsa(gpa, len))
		rc = plat_guest_read(gpa, dst, len) < 0 ? -CSVSM_EFAULT : 0;
	vcpu_unlock();
	return rc;
}

int vcpu_guest_buf_write(gpa_t gpa, const void *src, size_t len)
{
	int rc = -CSVSM_EFAULT;

	vcpu_lock();
	if (gpa_is_guest_ram(gpa, len) && !vcpu_overlaps_vmsa(gpa, len))
		rc = plat_guest_write(gpa, src, len) < 0 ? -CSVSM_EFAULT : 0;
	vcpu_unlock();
	return rc;
}

bool vcpu_set_runnable(struct vcpu *v, bool on)
{
	uint64_t efer;

	if (VMSA_GET(v->vmsa, efer, &efer) < 0)
		return false;
	efer = on ? efer | EFER_SVME : efer & ~EFER_SVME;
	return VMSA_PUT(v->vmsa, efer, &efer) == 0;
}
