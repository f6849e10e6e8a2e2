/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the scenario parser and runner (sim/scenario.c) and
 * the statements (sim/scenario_stmt.c). Not an interface: see scenario.h.
 *
 * One code path serves both parsing and running: after the text is split
 * into lines of tokens, every line is executed "dry" (no simulator: names
 * of the layout evaluate to placeholders, nothing is touched), which checks
 * its syntax, names and constant operands; scn_run then executes the same
 * lines for real.
 */
#ifndef CSVSM_SIM_SCENARIO_INT_H
#define CSVSM_SIM_SCENARIO_INT_H

#include "csvsm/blkdev.h"
#include "scenario.h"

#define SCN_MAX_VCPUS   64
#define SCN_RING        64          /* events kept for failure reports */
#define SCN_EV_TYPES    16          /* > the largest enum csvsm_sim_event_type */
#define SCN_MAX_RACES   32          /* pending `hv race` lines */
#define SCN_MAX_ACCESS  (16u << 20) /* bytes one guest access line may move */
#define SCN_MAX_ENTRIES 65535u      /* entries of one pvalidate_list */

/* One non-empty line: its number, its text without the comment, its tokens. */
struct scn_line {
	unsigned int no;
	char *text;
	unsigned int ntok;
	char **tok;
};

struct scn_script {
	char *name;
	struct scn_line *lines;
	size_t count;
};

struct scn_var {
	char *name;
	uint64_t value;
};

/* `hv race`: poke `bytes` at `gpa` right after the nth SVSM read of the watched range. */
struct scn_race {
	uint64_t gpa;
	uint8_t *bytes;
	size_t len;
	bool any; /* watch every read */
	uint64_t watch, watch_len;
	uint64_t nth, seen;
	bool fired;
};

/* Return values of statements: go on, stop with SCN_ERROR, stop with SCN_FAILED. */
enum { SCN_GO = 0, SCN_STOP_ERROR = -1, SCN_STOP_FAILED = -2 };

struct scn_run {
	const struct scn_script *s;
	const struct scn_run_opts *o;
	FILE *err;
	bool dry;                   /* parsing: check only, no simulator */
	const struct scn_line *cur; /* the line being executed */
	struct scn_diag diag;       /* the error that stopped parsing or running */

	/* The machine. */
	struct csvsm_sim_config cfg;
	int nv; /* config nv=: 0 none, 1 + enum sim_nvdev_kind (an MMIO device in host memory) */
	bool started;     /* the first action was seen (configuration closed) */
	bool boot_failed; /* csvsm_sim_new failed */
	struct csvsm_sim *sim;
	struct csvsm_sim_layout lay;
	unsigned int vcpu;          /* selected by `vcpu` */
	uint64_t ca[SCN_MAX_VCPUS]; /* each vCPU's CA, as the guest knows it */

	/* What the last actions left, for expectations. */
	bool called, delivered;
	struct csvsm_regs regs;
	bool accessed;
	int access; /* enum csvsm_sim_access_result of the last guest access */
	bool psc_done;
	int psc_result;

	struct scn_var *vars;
	size_t nvars, vars_cap;

	/* The hypervisor policy, mirrored (the simulator's copy counts down). */
	unsigned int refuse_run, refuse_psc;
	struct scn_race races[SCN_MAX_RACES];
	size_t nraces;

	/* The trace as the runner sees it. */
	struct csvsm_sim_event ring[SCN_RING];
	uint64_t ring_count;
	uint64_t since_call[SCN_EV_TYPES]; /* events per type since the last call line */

	/* The last `attest` statement (sim/scenario_attest.c). */
	bool attested;
	const char *attest_why; /* NULL: the verifier's checks held */
	/* Guest-request attacks, mirrored like refuse_run (csvsm_sim_hv_policy). */
	unsigned int gr[6];
	/* The vTPM (docs/scenarios.md "The vTPM"). */
	bool vtpm;        /* config vtpm=yes (the default): the machine gets an NV device */
	bool ram_nv_open; /* ram_nv is open and in use */
	struct blkdev
	    ram_nv; /* the vTPM's NV device (host RAM) when neither nv= nor the harness chose one */
	bool tpm_done;     /* a `tpm` statement ran (or was parsed) */
	bool tpm_have_rsp; /* ... and the guest read a response */
	size_t tpm_rsp_len;
	uint8_t tpm_rsp[4096]; /* the response bytes (SVSM_VTPM_RSP_MAX) */

	unsigned int expectations, failed;
	unsigned int tail_line; /* the line whose failure last printed the trace tail */
};

/* --- scenario.c: errors, expressions, values, the machine ---------------- */

/* Records "FILE:LINE: message" as the error; returns SCN_STOP_ERROR. */
int scn_error(struct scn_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Evaluates expression `text` (docs/scenarios.md "Numbers and
 * expressions"). `constant` (may be NULL) tells whether the value is known
 * without the machine (dry runs give names of the layout the value 0).
 * Returns SCN_GO or a recorded error.
 */
int scn_eval(struct scn_run *r, const char *text, uint64_t *out, bool *constant);

/*
 * scn_eval, then checks `v <= max` (when the value is known). `what`
 * names the operand in the message. Returns SCN_GO or a recorded error.
 */
int scn_eval_max(struct scn_run *r, const char *text, uint64_t max, const char *what,
                 uint64_t *out);

/* Parses a yes/no word (yes no true false on off 1 0); SCN_GO or an error. */
int scn_bool(struct scn_run *r, const char *text, const char *what, bool *out);

/*
 * Parses hex byte tokens tok[from..to) ("de ad be ef", "deadbeef") into a
 * new buffer (free it). Returns SCN_GO or an error (also for no bytes).
 */
int scn_bytes(struct scn_run *r, char **tok, unsigned int from, unsigned int to, uint8_t **buf,
              size_t *len);

/* Whether `name` is a built-in name (layout, call, result, protocol). */
bool scn_builtin(const char *name);

/* Sets (or creates) variable `name`. SCN_GO or an error (out of memory). */
int scn_set_var(struct scn_run *r, const char *name, uint64_t value);

/*
 * Creates the machine at the first action (dry: closes the configuration).
 * `boot_check`: the caller is `expect boot` and judges a failed boot
 * itself. Returns SCN_GO, or stops (a failed boot is a failed
 * expectation; an action after a failed boot is an error).
 */
int scn_start(struct scn_run *r, bool boot_check);

/* Installs the mirrored hypervisor policy in the simulator. */
void scn_apply_policy(struct scn_run *r);

/* Counts one expectation that held. */
void scn_held(struct scn_run *r);

/*
 * Reports a failed expectation on the current line: what, expected,
 * actual (printf-style pairs pre-formatted by the caller), then the last
 * events of the trace.
 */
struct scn_keyword;
/* sim/scenario_attest.c: `attest ...`, `hv guest_req KIND N`, `expect attest ...`. */
int scn_stmt_attest(struct scn_run *r, const struct scn_keyword *k);
int scn_hv_guest_req(struct scn_run *r, const struct scn_keyword *k);
int scn_expect_attest(struct scn_run *r, const struct scn_keyword *k, unsigned int at);

void scn_failed(struct scn_run *r, const char *what, const char *expected, const char *actual);

/* "SVSM_SUCCESS (0x0)" or "0x1234" for a value in RAX. */
void scn_fmt_result(uint64_t rax, char *buf, size_t len);

/* --- scenario_stmt.c: the statements and their operands ------------------ */

/* A keyword: its statement function, its usage (for messages), a width. */
struct scn_keyword {
	const char *name;
	int (*fn)(struct scn_run *r, const struct scn_keyword *k);
	const char *usage;
	unsigned int width; /* bits, for the sized memory statements */
};

/* Executes the current line r->cur (dry or for real). */
int scn_exec_line(struct scn_run *r);

/* Token `i` of the current line, or NULL past its end. */
const char *scn_arg(const struct scn_run *r, unsigned int i);

/* An error "missing operand: WHAT (usage: ...)" unless token `i` exists. */
int scn_need(struct scn_run *r, const struct scn_keyword *k, unsigned int i, const char *what);

/* An error "unexpected 'TOKEN'" when the line has a token `i`. */
int scn_no_more(struct scn_run *r, const struct scn_keyword *k, unsigned int i);

/*
 * Splits "key=value": copies the key (shorter than `key_len`) into `key`
 * and points `*val` past '='. False for a token without '='.
 */
bool scn_split_kv(const char *t, char *key, size_t key_len, const char **val);

/*
 * Parses tokens from `from` on as key=value options with keys from `keys`;
 * vals[i] receives the value text of keys[i] or NULL. Errors: not
 * key=value, an unknown key, a key given twice, an empty value.
 */
int scn_options(struct scn_run *r, const struct scn_keyword *k, unsigned int from,
                const char *const *keys, size_t nkeys, const char **vals);

/*
 * scn_eval, then the value must fit in `bits` bits, unsigned or as a
 * negative number (then truncated to `bits`).
 */
int scn_eval_fit(struct scn_run *r, const char *text, unsigned int bits, uint64_t *v);

/* "ok", "vc", "npf" for an enum csvsm_sim_access_result ("invalid" else). */
const char *scn_access_text(int rc);

/* The little-endian value of `bytes` (1..8) bytes. */
uint64_t scn_get_le(const uint8_t *b, unsigned int bytes);

/* Up to 32 bytes as "de ad ..." (with " ..." after), NUL-terminated in `out`. */
void scn_hex_text(const uint8_t *b, size_t len, char *out, size_t out_len);

/* --- scenario_tpm.c: the vTPM --------------------------------------------- */

/* The `tpm` statement: one TPM command through SVSM_VTPM_CMD. */
int scn_stmt_tpm(struct scn_run *r, const struct scn_keyword *k);

/* `expect tpm rc|len|rsp|tail ...` from token `at` on. */
int scn_expect_tpm(struct scn_run *r, const struct scn_keyword *k, unsigned int at);

/* A TPM response code name (TPM_RC_SUCCESS, ...) as its value; false when unknown. */
bool scn_tpm_name(const char *name, uint64_t *value);

/* --- scenario_expect.c: expectations --------------------------------------- */

/* The `expect` statement (docs/scenarios.md "Expectations"). */
int scn_stmt_expect(struct scn_run *r, const struct scn_keyword *k);

#endif /* CSVSM_SIM_SCENARIO_INT_H */
