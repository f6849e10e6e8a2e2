/* SPDX-License-Identifier: MIT */
/*
 * The trace sinks of the csvsm-sim command line: `-v` (one human-readable
 * line per event on a stream), `--trace FILE` (JSON lines, the schema of
 * docs/trace-format.md) and `--timeline FILE` (Chrome trace event format,
 * for Perfetto and chrome://tracing). One cli_trace object fans every
 * event of the simulator out to the sinks that are open, and keeps the
 * totals the default run's summary prints (virtual time, events per type).
 *
 * Hosted code (sim/): libc, not part of libcsvsm-sim.
 */
#ifndef CSVSM_SIM_CLI_TRACE_H
#define CSVSM_SIM_CLI_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "csvsm/sim.h"

struct cli_trace;

struct cli_trace_opts {
	FILE *text;                /* -v: text lines here (e.g. stderr); NULL = none */
	const char *jsonl_path;    /* --trace: JSON lines file; NULL = none */
	const char *timeline_path; /* --timeline: Chrome trace file; NULL = none */
};

/*
 * Opens the sinks `o` names (creating or truncating the files). Returns
 * the object, or NULL with a message in `err` (NUL-terminated, `err_len`
 * bytes) when a file cannot be created or memory is short. With every
 * field NULL the object only counts.
 */
struct cli_trace *cli_trace_open(const struct cli_trace_opts *o, char *err, size_t err_len);

/*
 * The csvsm_sim_trace_fn of the sinks: `ctx` is the cli_trace. Writes the
 * event to every open sink and counts it. Write errors are remembered and
 * reported by cli_trace_close.
 */
void cli_trace_event(void *ctx, const struct csvsm_sim_event *ev);

/*
 * Tells the timeline that csvsm_sim_call on `vcpu` has returned: a call
 * slice still open (the call was not delivered, so no result event came)
 * ends at the last event's time, marked undelivered. `ctx` is the
 * cli_trace (the signature fits scenario hooks).
 */
void cli_trace_call_returned(void *ctx, unsigned int vcpu);

/*
 * Tells the timeline the guest VMSA of `vcpu` (the boot vCPU's comes from
 * the layout; APs are learnt from CREATE_VCPU), so that a DELETE_VCPU of
 * it ends that vCPU's VMPL slice.
 */
void cli_trace_vcpu_vmsa(struct cli_trace *t, unsigned int vcpu, uint64_t vmsa_gpa);

/* Virtual time of the last event (ns), 0 before the first. */
uint64_t cli_trace_time_ns(const struct cli_trace *t);

/* Number of events of `type` seen so far. */
uint64_t cli_trace_count(const struct cli_trace *t, enum csvsm_sim_event_type type);

/*
 * Ends the timeline (closing open slices at the last event's time and the
 * JSON array), closes the files and frees `t`. Returns 0, or -1 after a
 * write error on any sink (a message naming the file on stderr). NULL is
 * ignored (returns 0).
 */
int cli_trace_close(struct cli_trace *t);

#endif /* CSVSM_SIM_CLI_TRACE_H */
