/* SPDX-License-Identifier: MIT */
/*
 * Scenarios: the small line-oriented language of `csvsm-sim run FILE`
 * (docs/scenarios.md). A scenario declares the machine, then plays the
 * guest and a (mis)behaving hypervisor against the csvsm core on the
 * simulator, and states what must be seen: call results, guest memory,
 * RMP entries, the outcome of guest accesses.
 *
 * Parsing checks the whole file (keywords, numbers, names, operands,
 * ranges of constants) before anything runs; running creates the
 * simulator at the first action and evaluates expressions that use the
 * layout then. Hosted code (sim/): libc allowed.
 */
#ifndef CSVSM_SIM_SCENARIO_H
#define CSVSM_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csvsm/sim.h"

/* Exit statuses of `csvsm-sim run` and results of scn_parse/scn_run. */
enum scn_status {
	SCN_OK = 0,     /* every expectation held */
	SCN_FAILED = 1, /* at least one expectation failed */
	SCN_ERROR = 2,  /* the scenario is malformed (parse or run-time error) */
};

/* Where and why parsing or running stopped. */
struct scn_diag {
	unsigned int line; /* 1-based; 0 = not tied to a line (e.g. out of memory) */
	char msg[320];     /* "FILE:LINE: message", NUL-terminated */
};

struct scn_script;

/*
 * Parses scenario `text` (`len` bytes, need not be NUL-terminated; NUL
 * bytes are an error) named `name` in messages. On success stores a new
 * script in `*out` and returns SCN_OK; otherwise returns SCN_ERROR with
 * `*out` NULL and `diag` saying where and why (the first error only).
 */
int scn_parse(const char *name, const char *text, size_t len, struct scn_script **out,
              struct scn_diag *diag);

/* scn_parse of the file at `path` ("-" = standard input). */
int scn_load(const char *path, struct scn_script **out, struct scn_diag *diag);

/* Frees a script. NULL is ignored. */
void scn_free(struct scn_script *s);

/*
 * Hex digits (pairs, no 0x) of `s` into out[0..max) (the scenario
 * language's byte strings; also `csvsm-sim attest --nonce`): the byte
 * count, or -1 when `s` has an odd length, a non-hex character or more
 * than `max` bytes.
 */
int scn_hex_decode(const char *s, uint8_t *out, size_t max);

/* How to run a script; zero-initialise, then set what is needed. */
struct scn_run_opts {
	FILE *out;  /* echo/print lines and the summary line; NULL = none */
	FILE *err;  /* failed expectations and run-time errors; NULL = stderr */
	FILE *echo; /* -v: each line as it runs and the values read; NULL = none */
	bool quiet; /* no summary line on success */
	/* Trace sink that receives every event too (boot included); may be NULL. */
	csvsm_sim_trace_fn trace;
	void *hook_ctx; /* passed to trace and to the hooks below */
	/* Optional: adjusts the configuration just before the machine is made. */
	void (*configure)(void *ctx, struct csvsm_sim_config *cfg);
	/* Optional: the machine exists (booted or not: `sim` NULL when boot failed). */
	void (*ready)(void *ctx, struct csvsm_sim *sim);
	/* Optional: csvsm_sim_call on `vcpu` returned (see cli_trace_call_returned). */
	void (*call_returned)(void *ctx, unsigned int vcpu);
	unsigned int tail; /* events shown with a failed expectation; 0 = 20 */
	/* The machine has no vTPM whatever the script's config says (as vtpm=no). */
	bool no_vtpm;
};

struct scn_result {
	unsigned int expectations; /* checked */
	unsigned int failed;
	struct scn_diag error; /* the run-time error when scn_run returned SCN_ERROR */
};

/*
 * Runs `s` on a new simulator (none may exist in the process) and frees
 * the simulator before returning. Prints each failed expectation
 * ("FILE:LINE: expectation failed: ...", expected and actual values, the
 * last events) on o->err and goes on; stops at a run-time error (a vCPU
 * that does not exist, a value that does not fit, ...). Returns SCN_OK,
 * SCN_FAILED or SCN_ERROR; `res` (may be NULL) receives the counts.
 */
int scn_run(const struct scn_script *s, const struct scn_run_opts *o, struct scn_result *res);

#endif /* CSVSM_SIM_SCENARIO_H */
