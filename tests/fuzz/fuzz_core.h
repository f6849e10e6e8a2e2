/* SPDX-License-Identifier: MIT */
/*
 * The core-protocol fuzz target (docs/fuzzing.md): one simulator per
 * process, reset from a snapshot before every input; the input is a
 * program of guest memory writes, SVSM calls and hypervisor misbehaviour,
 * and after every step the invariants that must always hold are checked.
 *
 * The same harness runs under libFuzzer (LLVMFuzzerTestOneInput), AFL++ and
 * the replay driver (fuzz_replay.c), and in the test suite
 * (check_fuzz_core.c), which replays the seed corpus and a bounded random
 * run so that the harness cannot rot.
 *
 * Input format: a sequence of steps, each an opcode byte followed by its
 * operands; a step cut short by the end of the input reads zeros. Numbers
 * are little-endian. An operand written "v" is a value:
 *   selector byte s, category s & 15, variant s >> 4:
 *    0 zero + off          1 the variant itself (0..15)  2 u64   3 u32
 *    4 boot CA + off       5 CA of vCPU (u8 % vCPUs) + off
 *    6 guest secrets + off 7 free RAM page u8 + off      8 free 2 MiB block u8 + off
 *    9 SVSM page u16 + off 10 boot VMSA + off
 *   11 VMSA created by the input (u8 index; boot VMSA if none) + off
 *   12 layout edge (variant: RAM end - 4K, RAM end, SVSM end - 4K, ...)
 *   13 boundary constant (variant: 0, ~0, 0xfff, ~0xfff, 2^52, ...)
 *   14 the GPA the previous step used + off   15 guest RAM page u16 + off
 *   where "off" is fuzz_core_offsets[variant] (0 for variants 0..5).
 * Steps (fuzz_core_ops[opcode byte % 16]; the first byte of each below is
 * 0, 7, 4, 9, 10, 11, 12, 14, 13):
 *   CALL      u8 vcpu, u8 sel, u8 regmask, v per register in regmask
 *             (bit 0 RCX, 1 RDX, 2 R8, 3 R9); sel >> 4 == 15: u32 protocol,
 *             u32 call; == 14: protocol 1 + (sel & 7), u8 call; else core
 *             call sel & 15
 *   WRITE     v gpa, u8 len (% 65), len bytes: a guest write
 *   PVALIDATE u8 vcpu, u8 where (bit 7: v list GPA, else CA + 8), u8 n (% 17),
 *             u8 hdr (bits 0-1: entries = n, n, u16, n + 1; bits 2-3:
 *             next = 0, u8 % (n + 1), u16, 0), n x (v gpa, u8 flags):
 *             writes the list through the guest and calls PVALIDATE
 *   VMSA      v gpa, u8 variant: writes the fields CREATE_VCPU checks
 *             (vmpl, EFER.SVME, sev_features), each right or from the input
 *   PSC       v gpa, u8 flags (bit 0 2 MiB, bit 1 to private)
 *   REMAP     v gpa, u8 fill: the hypervisor remaps the page
 *   POLICY    u8 refuse (run-VMPL bits 0-1, PSC bits 2-3), u8 nth (% 9, 0 =
 *             none), u8 mode (% 6), v gpa, u8 len (% 17), len bytes: what
 *             the hypervisor does after the SVSM's nth read of guest memory
 *   NEWVCPU   u8 vcpu, v page, v ca, u8 apic, u8 variant: PVALIDATE the
 *             page, write a VMSA there, CREATE_VCPU (variant bits skip steps)
 *   HOSTILE   u8 kind (% 4), then
 *             0: u8 which (% 9: BUSY, tampered request, tampered response,
 *                replayed request, replayed response, failed exit, edited
 *                response, certificate length overrun, certificates "too
 *                small"), u8 count (% 20), for an edited response u16
 *                offset and u8 xor: the hypervisor's next `count` answers
 *                to the SVSM's guest requests (this restarts POLICY's
 *                count of reads)
 *             1: u8 flags (bit 0: SVSM accesses of guest memory, else
 *                allocations; bit 1: every one from the nth on), u8 nth
 *                (0 = none): the nth from now fails (csvsm/fault.h)
 *             2: u8 nth (% 9, 0 = none), u8 mode (% 5: remap the page the
 *                instruction changed, remap v, share the page, make v
 *                private, refuse the next run-VMPL), v gpa, u8 fill: the
 *                hypervisor acts once, after the SVSM's nth PVALIDATE or
 *                RMPADJUST from now
 *             3: u8 vcpu, u8 exit (bit 0: VMGEXIT, else exit code exit >> 1):
 *                the hypervisor runs the vCPU's VMPL0 unasked
 */
#ifndef CSVSM_TESTS_FUZZ_CORE_H
#define CSVSM_TESTS_FUZZ_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/sim.h"

/*
 * The first free guest RAM page of the target's machine (FUZZ_V_FREE_PAGE
 * 0): the built-in seeds write GPAs into guest structures (attestation
 * requests) from it; fuzz_core_init fails when the layout moved.
 */
#define FUZZ_CORE_FREE_RAM 0x200000ull

/* Steps run per input at most: a bound on the work of one execution. */
#define FUZZ_CORE_MAX_STEPS 48

enum fuzz_core_op {
	FUZZ_OP_CALL,
	FUZZ_OP_WRITE,
	FUZZ_OP_PVALIDATE,
	FUZZ_OP_VMSA,
	FUZZ_OP_PSC,
	FUZZ_OP_REMAP,
	FUZZ_OP_POLICY,
	FUZZ_OP_NEWVCPU,
	FUZZ_OP_HOSTILE,
	FUZZ_OP_COUNT,
};

/* Opcode byte (mod 16) to step. */
extern const uint8_t fuzz_core_ops[16];

/* Value categories (the low 4 bits of a value selector). */
enum fuzz_core_val {
	FUZZ_V_ZERO,
	FUZZ_V_SMALL,
	FUZZ_V_U64,
	FUZZ_V_U32,
	FUZZ_V_BOOT_CA,
	FUZZ_V_CA,
	FUZZ_V_SECRETS,
	FUZZ_V_FREE_PAGE,
	FUZZ_V_FREE_2M,
	FUZZ_V_SVSM,
	FUZZ_V_BOOT_VMSA,
	FUZZ_V_VMSA,
	FUZZ_V_EDGE,
	FUZZ_V_BOUNDARY,
	FUZZ_V_RECENT,
	FUZZ_V_RAM_PAGE,
};

/* The offsets a value's variant adds to a GPA category. */
extern const int64_t fuzz_core_offsets[16];

struct fuzz_core_config {
	/* Rebuild the core's state at every reset (exact, slow in debug builds). */
	bool exact_reset;
	/* After each input also scan every page's RMP entry (slower). */
	bool thorough;
	/* Print the steps and the machine's events on stderr (debugging). */
	bool verbose;
	/* Else, when set: every event of the machine goes to trace(trace_ctx, ev). */
	csvsm_sim_trace_fn trace;
	void *trace_ctx;
};

struct fuzz_core_stats {
	uint64_t inputs, steps, calls, serviced, success;
	uint64_t pvalidate_ok, vcpus_created, vcpus_deleted, hv_actions;
	uint64_t reboots; /* resets that had to run the SVSM boot again */
};

/*
 * Builds the simulator (8 MiB guest RAM, 4 MiB SVSM memory, 2 vCPUs) and
 * takes its snapshot; idempotent. `cfg` NULL means all false. Returns 0 or
 * -1 (with a message on stderr).
 */
int fuzz_core_init(const struct fuzz_core_config *cfg);

/* Frees the simulator. */
void fuzz_core_fini(void);

/*
 * Resets the machine and runs one input (initialising on first use).
 * Returns 0, or -1 when an invariant broke, with the step and the reason in
 * `why` (NUL-terminated, truncated to `why_len`). Crashes and hangs are
 * left to the sanitizers and the fuzzer's timeout.
 */
int fuzz_core_run(const uint8_t *data, size_t size, char *why, size_t why_len);

/* Counters since fuzz_core_init. */
void fuzz_core_get_stats(struct fuzz_core_stats *out);

/* The built-in seed inputs (fuzz_seeds.c): how many there are. */
unsigned int fuzz_core_seed_count(void);

/*
 * Copies seed `i` (truncated to `cap` bytes) into `buf` and its file name
 * into *name (when not NULL). Returns its length, 0 when `i` is too large.
 */
size_t fuzz_core_seed(unsigned int i, const char **name, uint8_t *buf, size_t cap);

/*
 * Writes the built-in seeds into the directory `dir`, one file per seed
 * named after it (existing files are replaced). Returns the number written,
 * or -1 with a message on stderr.
 */
int fuzz_core_write_seeds(const char *dir);

/* Largest input fuzz_core_generate makes. */
#define FUZZ_CORE_GEN_MAX 2048

/*
 * Makes the next generated input from the splitmix64 `state` into `buf`
 * (`cap` >= FUZZ_CORE_GEN_MAX): random bytes, or a seed with bytes
 * replaced, cut out, or spliced with another seed. Returns its length.
 * The same state always gives the same inputs.
 */
size_t fuzz_core_generate(uint64_t *state, uint8_t *buf, size_t cap);

/* The libFuzzer entry points (defined in fuzz_core.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CSVSM_TESTS_FUZZ_CORE_H */
