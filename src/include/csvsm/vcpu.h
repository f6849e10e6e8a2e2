/* SPDX-License-Identifier: MIT */
/*
 * The vCPU table: for each vCPU of the machine (by APIC ID), the guest VMSA
 * the SVSM accepted and the Calling Area it serves.
 *
 * SMP (docs/smp.md): several vCPUs run the SVSM at once. The table, every
 * record's fields and the set of pages that are VMSAs or CAs are guarded by
 * one lock, vcpu_lock. Lock order: vtpm_lock, then vcpu_lock, then mm_lock
 * (the heap); never the other way round, and never a context switch to the
 * guest (plat_run_guest) while any of them is held.
 *
 * A record holds references (`refs`): one for the table, one for each call
 * being served on it. It is freed when the last reference goes; DELETE_VCPU
 * refuses (BUSY) a record that a call still uses.
 */
#ifndef CSVSM_VCPU_H
#define CSVSM_VCPU_H

#include "csvsm/abi/vmsa.h"
#include "csvsm/plat/boot.h"
#include "csvsm/types.h"

struct vcpu {
	uint32_t apic_id;
	uint32_t refs; /* the table's + one per call in progress (vcpu_lock) */
	gpa_t vmsa_gpa;
	struct vmsa_page *vmsa; /* mapped; the guest cannot write it */
	gpa_t caa_gpa;
};

/* Empties the table and records the machine's vCPUs (boot, one vCPU running). */
void vcpu_table_init(const struct plat_boot_info *info);

/* Takes and releases the table's lock (see the order above). Not recursive. */
void vcpu_lock(void);
void vcpu_unlock(void);

/* True when someone holds vcpu_lock: for assertions and tests only. */
bool vcpu_lock_is_held(void);

/* The number of vCPUs of the machine. */
unsigned int vcpu_count(void);

/* Index (0..count-1) of `apic_id`, or -1 when no vCPU has it. */
int vcpu_index_of_apic(uint32_t apic_id);

/*
 * The registered vCPU at `index` with a new reference, or NULL when it has
 * none. Takes vcpu_lock itself; the caller must not hold it.
 */
struct vcpu *vcpu_get(unsigned int index);

/*
 * Drops a reference from vcpu_get; the last one frees the record (the
 * caller must not hold vcpu_lock).
 */
void vcpu_put(struct vcpu *v);

/* The functions below need vcpu_lock held by the caller. */

/* The registered guest vCPU at `index`, or NULL when it has none. */
struct vcpu *vcpu_at(unsigned int index);

/* The registered vCPU whose guest VMSA is at `gpa`, or NULL. */
struct vcpu *vcpu_by_vmsa(gpa_t gpa);

/* True when [gpa, gpa + len) overlaps any registered VMSA page. */
bool vcpu_overlaps_vmsa(gpa_t gpa, uint64_t len);

/* The registered vCPU (other than `except`) whose CA is the page at `gpa`, or NULL. */
struct vcpu *vcpu_by_caa(gpa_t gpa, const struct vcpu *except);

/*
 * Enters `v` (allocated by the caller with kzalloc, fields set) at table
 * index `index`, which must be empty, with the table's reference. Cannot
 * fail: the caller checked.
 */
void vcpu_install(unsigned int index, struct vcpu *v);

/*
 * Removes the vCPU at `index` from the table and returns it (NULL if none),
 * still holding the table's reference: the caller drops it (vcpu_put after
 * vcpu_unlock, or kfree when it knows it is the only one).
 */
struct vcpu *vcpu_remove(unsigned int index);

/*
 * Sets (on) or clears EFER.SVME in v's VMSA: whether the hypervisor may run
 * it (VMRUN checks the bit). Returns false, changing nothing, when the VMSA
 * access faulted (plat_vmsa_read: the hypervisor took the page away, so
 * the vCPU is lost and must not be served).
 */
bool vcpu_set_runnable(struct vcpu *v, bool on);

/* Guest VMPL of this machine (from the launch facts). */
uint8_t vcpu_guest_vmpl(void);

/*
 * Guest buffers of a call (rule 2 and SMP): [gpa, gpa + len) must be guest
 * RAM and no registered VMSA, checked and accessed under vcpu_lock so that
 * the range cannot become a VMSA between the check and the access. Return
 * 0, or -CSVSM_EFAULT when the range is refused or the access faults. The
 * caller must not hold vcpu_lock.
 */
int vcpu_guest_buf_read(gpa_t gpa, void *dst, size_t len);
int vcpu_guest_buf_write(gpa_t gpa, const void *src, size_t len);

/* The check alone, under vcpu_lock: true when the range is acceptable now. */
bool vcpu_guest_buf_ok(gpa_t gpa, uint64_t len);

#endif
