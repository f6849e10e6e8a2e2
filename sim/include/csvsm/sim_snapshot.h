/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of a simulated machine, for cheap resets between the inputs of
 * a fuzzing campaign (tests/fuzz/, docs/fuzzing.md).
 *
 * A snapshot holds the machine as it is when taken: guest and SVSM memory,
 * the RMP, the hypervisor's records of the vCPUs (VMSA and CA GPAs), the
 * hypervisor policy, the counters, the virtual clock. From then on the
 * simulator tracks which 4 KiB pages the shim, the harness and the SVSM
 * write (csvsm_sim_guest_write, csvsm_sim_poke, csvsm_sim_hv_remap, the
 * SVSM's guest-memory and VMSA accesses), keeps each page's contents as
 * it was at the snapshot before its first change, and a restore copies back
 * only the pages written since. Taking a snapshot copies no memory (only
 * the RMP and the VMSA pages), whatever the size of the machine.
 *
 * The core's own state (its heap, the vCPU table) lives in static variables
 * and in the heap region, out of the shim's reach; a restore rebuilds it by
 * running the SVSM boot (svsm_boot) again on the restored machine, which
 * leaves it exactly as after the first boot. That is why a snapshot may only
 * be taken before the first SVSM call: the core's state is then the state its
 * boot creates. Memory writes, page state changes and hypervisor actions
 * made before the snapshot are part of it.
 *
 * One snapshot per simulator; csvsm_sim_free releases it. Not thread-safe,
 * like the rest of the harness API.
 */
#ifndef CSVSM_SIM_SNAPSHOT_H
#define CSVSM_SIM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "csvsm/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Takes the simulator's snapshot (replacing an earlier one) and starts
 * tracking dirty pages. Afterwards the entropy source is reseeded from the
 * configured seed (the same reseed happens at every restore), so everything
 * after a snapshot or a restore is deterministic. Returns 0; -1 when the
 * SVSM has already served a call or a vCPU other than the boot vCPU has
 * been started (the core's state is no longer its boot state), when the
 * machine runs the guest program or the SVSM image on KVM (cfg.kvm_guest,
 * cfg.kvm_image: refused with a message on stderr; docs/kvm-snp.md says
 * what snapshots there would need), or when the host is out of memory
 * (the simulator is then unchanged, with no snapshot).
 */
int csvsm_sim_snapshot_take(struct csvsm_sim *sim);

/* Flags of csvsm_sim_snapshot_restore. */
enum {
	/*
	 * Rebuild the core's state without a new boot where that is exact: the
	 * vCPU table is put back by hand (records of vCPUs created since are
	 * freed, deleted ones re-created, every record written back, which
	 * undoes REMAP_CA), then the heap's statistics (mm_get_stats, with
	 * every slab class's cached empty slab in place as at the snapshot, or
	 * else after mm_trim) must equal the snapshot's; otherwise the boot
	 * runs again.
	 * The guest-message channel (attestation) is started again from the
	 * secrets page when it moved. Valid while the calls made keep no other
	 * state outside the heap and the vCPU table, as the core and
	 * attestation protocols do (the vTPM does: machines with one need
	 * exact restores). Freed heap memory then holds
	 * the same poison, but an allocation may get another address than after
	 * a boot. In debug builds (whose boot poisons the whole heap) a restore
	 * is about 50 times faster.
	 */
	CSVSM_SIM_RESTORE_FAST = 1,
};

/*
 * Puts the machine back in the state of the snapshot: stops and forgets
 * the VMPL0 contexts of vCPUs started since (their stacks are freed),
 * copies back the dirty pages, restores the RMP, the hypervisor's records,
 * the policy, the counters, the event sequence number and the virtual
 * clock, disarms every fault-injection site (fault_reset), reseeds the
 * entropy source, and rebuilds the core's state (see the flags). No trace
 * event is emitted; the installed trace sink is kept. Returns 0; -1 when
 * there is no snapshot or the repeated boot failed (it cannot, unless the
 * shim itself is broken; the simulator is then unusable: free it).
 */
int csvsm_sim_snapshot_restore(struct csvsm_sim *sim, unsigned int flags);

/* Releases the snapshot and stops tracking (no-op without one). */
void csvsm_sim_snapshot_drop(struct csvsm_sim *sim);

struct csvsm_sim_snapshot_stats {
	uint64_t restores;     /* successful restores since the snapshot */
	uint64_t reboots;      /* restores that ran the SVSM boot again */
	uint64_t pages_copied; /* 4 KiB pages copied back, over all restores */
	size_t dirty_pages;    /* pages written since the last restore */
};

/* Fills `out` (all zero without a snapshot). */
void csvsm_sim_snapshot_stats(const struct csvsm_sim *sim, struct csvsm_sim_snapshot_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* CSVSM_SIM_SNAPSHOT_H */
