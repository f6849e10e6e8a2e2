/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the core-protocol Check tests (check_core*.c): one
 * simulator per test process (Check forks each test), SVSM calls made the
 * way a guest makes them, PVALIDATE lists, VMSA pages and RMP queries.
 *
 * Expected values in the tests come from the SVSM specification (abi
 * sections 1.1-1.5, 2.1 and 4 of shared/reference/svsm-abi.md) and from the
 * csvsm decisions written down in the test files, never from the code.
 */
#ifndef CSVSM_TESTS_CORE_TEST_UTIL_H
#define CSVSM_TESTS_CORE_TEST_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/sim.h"

/* Per-tcase timeout in seconds. */
#define CT_TIMEOUT 30

#define CT_PAGE      4096ull
#define CT_2M        (2ull << 20)
#define CT_MAX_VCPUS 64

/* The simulator of the running test and its layout. */
extern struct csvsm_sim *ct_sim;
extern struct csvsm_sim_layout ct_lay;

/* Builds the simulator from `cfg` (NULL = defaults); fails the test on NULL. */
void ct_start(const struct csvsm_sim_config *cfg);
/* Frees the simulator (no-op when there is none). */
void ct_stop(void);
/* Check fixtures: the default simulator. */
void ct_setup(void);
void ct_teardown(void);

/* GPA of free guest RAM page `idx` (idx < 1024: the first 4 MiB of free RAM). */
uint64_t ct_page(unsigned int idx);
/* GPA of the 2 MiB-aligned free block `idx`, above the pages of ct_page. */
uint64_t ct_block(unsigned int idx);

/* The Calling Area vCPU `vcpu` currently uses, as tracked by ct_core. */
uint64_t ct_ca(unsigned int vcpu);

/*
 * Makes one call (RAX = (proto << 32) | call) from `vcpu` and returns
 * csvsm_sim_call's result; `out` receives the registers.
 */
int ct_call_raw(unsigned int vcpu, uint32_t proto, uint32_t call, uint64_t rcx, uint64_t rdx,
                uint64_t r8, struct csvsm_regs *out);

/*
 * Makes one call that must reach the guest again serviced, with
 * call_pending 0 in the CA afterwards and, except for a successful
 * CREATE_VCPU or DELETE_VCPU, the SVSM's live allocations unchanged
 * (failing the test otherwise), and returns RAX. Tracks the CA moves of REMAP_CA and the vCPUs that
 * CREATE_VCPU/DELETE_VCPU add and remove. `out` may be NULL.
 */
uint64_t ct_call(unsigned int vcpu, uint32_t proto, uint32_t call, uint64_t rcx, uint64_t rdx,
                 uint64_t r8, struct csvsm_regs *out);
/* ct_call for the core protocol. */
uint64_t ct_core(unsigned int vcpu, uint32_t call, uint64_t rcx, uint64_t rdx, uint64_t r8);

/* A PVALIDATE list entry. */
uint64_t ct_pv(uint64_t gpa, unsigned int size, bool validate, bool ignore_cf);

/*
 * Writes the list (header + entries) at `list_gpa` through the guest (it
 * must be guest-writable), calls PVALIDATE from vCPU 0 and returns RAX;
 * `next_out` (may be NULL) receives the `next` field read back. Writes
 * `hdr_entries` as the header's entry count and `n` entries.
 */
uint64_t ct_pvalidate_at(uint64_t list_gpa, const uint64_t *ents, unsigned int n,
                         uint16_t hdr_entries, uint16_t next, uint16_t *next_out);
/* ct_pvalidate_at with the list at CA(vCPU 0) + 8, n entries. */
uint64_t ct_pvalidate(const uint64_t *ents, unsigned int n, uint16_t next, uint16_t *next_out);
/* Validates / rescinds one 4 KiB page; fails the test unless SUCCESS. */
void ct_validate(uint64_t gpa);
void ct_rescind(uint64_t gpa);

/* The RMP entry of `gpa` (fails the test beyond the RMP). */
struct csvsm_sim_rmp_entry ct_rmp(uint64_t gpa);
/* Whether two RMP entries are identical. */
bool ct_rmp_equal(const struct csvsm_sim_rmp_entry *a, const struct csvsm_sim_rmp_entry *b);
/* A validated private page the guest VMPL has RWX (0xF) on, not a VMSA. */
bool ct_guest_owned(uint64_t gpa);

/* Guest accesses (return enum csvsm_sim_access_result). */
int ct_read(uint64_t gpa, void *buf, size_t len);
int ct_write(uint64_t gpa, const void *buf, size_t len);
/* Guest reads one byte / writes and reads back one page; returns the access result. */
int ct_read_byte(uint64_t gpa, uint8_t *out);
int ct_rw_page(uint64_t gpa);
/* Writes `byte` over the page without checks (csvsm_sim_poke). */
void ct_fill(uint64_t gpa, uint8_t byte, size_t len);
/* Whether the guest reads `len` bytes at gpa all equal to `byte`. */
bool ct_guest_all(uint64_t gpa, uint8_t byte, size_t len);

/*
 * sev_features the simulator gives the boot VMSA (sim decision: SNP
 * active, restricted injection, debug swap; abi/vmsa.h).
 */
uint64_t ct_boot_sev_features(void);

/* Writes a guest VMSA image at `gpa` through the guest (page validated by the caller). */
void ct_write_vmsa(uint64_t gpa, uint8_t vmpl, uint64_t efer, uint64_t sev_features);
/* Validates `gpa` and writes a well-formed VMSA image for the guest VMPL there. */
void ct_prepare_vmsa(uint64_t gpa);
/* CREATE_VCPU from `caller`; returns RAX. */
uint64_t ct_create(unsigned int caller, uint64_t vmsa, uint64_t ca, uint64_t apic);
/*
 * Validates `vmsa` and `ca`, prepares the VMSA and creates vCPU `apic`
 * from vCPU 0; fails the test unless SUCCESS.
 */
void ct_make_ap(unsigned int apic, uint64_t vmsa, uint64_t ca);
/* QUERY_PROTOCOL(core, 1) from `vcpu`: true when it came back SUCCESS with 1..1. */
bool ct_vcpu_works(unsigned int vcpu);
/* Whether a call from `vcpu` is refused by the harness (returns -1). */
bool ct_vcpu_dead(unsigned int vcpu);

/* Whether `rax` is one of the result codes the specification defines (abi 1.4). */
bool ct_defined_result(uint64_t rax);

/* The suites of tests/check_core (main is in check_core.c). */
Suite *core_pvalidate_suite(void);
Suite *core_vcpu_suite(void);
Suite *core_fault_suite(void);
Suite *core_smp_suite(void);

#endif /* CSVSM_TESTS_CORE_TEST_UTIL_H */
