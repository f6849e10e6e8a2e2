/* SPDX-License-Identifier: MIT */
/*
 * libcsvsm-sim: the C harness API of the csvsm simulator.
 *
 * A simulated SEV-SNP machine in this process: guest memory, the RMP, the
 * vCPUs' VMSAs and VMPL contexts, a hypervisor (GHCB exits) and the csvsm
 * core running at VMPL0 on it. The harness plays the guest OS at the guest
 * VMPL (2 by default): it writes guest memory through the RMP checks of that
 * VMPL and makes SVSM calls the way Linux does (registers, call_pending = 1
 * in its Calling Area, GHCB MSR 0x016 "run VMPL0", VMGEXIT, then an atomic
 * exchange of call_pending).
 *
 * Contexts: each vCPU's VMPL0 (the SVSM) is a coroutine with its own stack,
 * entered and left only through the run-VMPL exits; the guest side of every
 * vCPU runs on the stack of whoever calls this API (the harness is the guest
 * program). The hypervisor speaks the GHCB MSR protocol (csvsm_sim_guest_msr
 * and the SVSM's own requests); the GHCB page protocol is not modelled yet,
 * since neither side uses it so far.
 *
 * One simulator exists per process at a time (the platform interface the
 * core links against is a set of global functions, as on bare metal).
 * Nothing here is thread-safe. All functions are deterministic: the same
 * configuration and the same sequence of calls give the same results.
 *
 * Default layout (all GPAs; see csvsm_sim_layout for the live values):
 *   guest RAM         [0, 256 MiB)  assigned (private), 4 KiB RMP entries,
 *                                   NOT validated except the pages below
 *   guest secrets     0x0010_0000   validated, guest VMPL R/W
 *   boot CA           0x0010_1000   validated, guest VMPL R/W
 *   free guest RAM    from 0x0020_0000: unvalidated, for the guest to accept
 *   SVSM memory       [256 MiB, 256 MiB + 16 MiB): VMPL0 only; holds the
 *                     PSP secrets page, the boot guest VMSA and the heap
 */
#ifndef CSVSM_SIM_H
#define CSVSM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct csvsm_sim;
struct csvsm_sim_event;

/* Receives every event of the machine, in order (see csvsm_sim_set_trace). */
typedef void (*csvsm_sim_trace_fn)(void *ctx, const struct csvsm_sim_event *ev);

struct csvsm_sim_config {
	uint64_t guest_ram_size; /* bytes, multiple of 2 MiB, >= 4 MiB; default 256 MiB */
	uint64_t svsm_size;      /* bytes, multiple of 2 MiB, >= 4 MiB; default 16 MiB */
	unsigned int vcpu_count; /* 1..64, default 4; APIC ID of vCPU i is i */
	uint8_t guest_vmpl;      /* 1..3, default 2 */
	uint64_t seed;           /* entropy seed, default 1 */
	bool rmp_2m;             /* free guest RAM in 2 MiB RMP entries; default false */
	/* A lying hypervisor at boot: non-zero values replace its GHCB MSR answers. */
	uint64_t hv_sev_info; /* answer to SEV_INFO_REQ (0x002) */
	uint64_t hv_features; /* answer to HV_FEATURES_REQ (0x080) */
	/*
	 * The vTPM (started when an NV device is chosen, csvsm/sim_nv.h).
	 * Developer option: true leaves the platform hierarchy to the guest
	 * (empty platformAuth) instead of the SVSM keeping it; default false.
	 */
	bool vtpm_platform_auth_empty;
	/*
	 * The vTPM's randomness (all of libtpms', through OpenSSL's RAND_bytes,
	 * process-wide while the machine exists) drawn from `seed`, so the same
	 * seed gives the same TPM and the same trace. Default false: the host's
	 * randomness. For simulation only, never for secrets.
	 */
	bool vtpm_rand_from_seed;
	/* Trace sink from the first event on (boot included); NULL = none. */
	csvsm_sim_trace_fn trace;
	void *trace_ctx;
	/*
	 * What the emulated PSP reports and derives keys from (sim/machine/psp.h):
	 * the launch measurement (all zero = the default, SHA-384 of
	 * "csvsm-sim SVSM image") and the guest policy (0 = the default 0x30000:
	 * SMT allowed, bit 17 set as required).
	 */
	uint8_t measurement[48];
	uint64_t guest_policy;
	/*
	 * Fuzz targets only: the emulated PSP signs every report with one
	 * nonce (valid ECDSA P-384 signatures without a scalar multiplication
	 * each, but any two of them reveal the simulated VCEK). Default false.
	 */
	bool psp_fast_sign;
	/*
	 * The guest's side on KVM: path of the guest program (guest/,
	 * docs/kvm-snp.md). Calls, guest memory reads and writes and GHCB MSR
	 * requests are then made by that program in a KVM VM that maps guest
	 * RAM only; the SVSM still runs in this process. NULL = in-process.
	 */
	const char *kvm_guest;
	/*
	 * VMPL0 on KVM: path of the SVSM image (src/csvsm-kvm.elf), run in a
	 * KVM VM of its own that sees the machine's memory; the guest's side is
	 * wherever kvm_guest says (docs/kvm-snp.md). NULL = the SVSM in this
	 * process. Snapshots (csvsm/sim_snapshot.h) are refused with it, and
	 * with kvm_guest.
	 */
	const char *kvm_image;
	/*
	 * With kvm_image: the image's NV device, "pflash:FILE" or "virtio:FILE"
	 * (sim/kvm/nvdev_kvm.c; FILE created, 1 MiB, when missing), where its
	 * vTPM keeps its state (csvsm-sim tpm-server --target kvm). NULL = none:
	 * the image serves no vTPM.
	 */
	const char *kvm_image_nv;
	/*
	 * With kvm_image: seconds one VMPL0 turn may last before the image
	 * counts as hung and is stopped; 0 = the default, 120. A boot that
	 * manufactures the vTPM on slow nested KVM needs more (tpm-server).
	 */
	unsigned int kvm_image_turn_s;
};

/* Fills `cfg` with the defaults documented above. */
void csvsm_sim_config_default(struct csvsm_sim_config *cfg);

/*
 * Builds the machine, boots the csvsm core on vCPU 0 and returns when the
 * core first runs the guest. `cfg` NULL means the defaults. Returns NULL
 * (with a message on stderr) for an invalid configuration, when the host
 * is out of memory, when the core's boot failed, or when a simulator
 * already exists in this process.
 */
struct csvsm_sim *csvsm_sim_new(const struct csvsm_sim_config *cfg);

/* Destroys the simulator and everything it owns. NULL is ignored. */
void csvsm_sim_free(struct csvsm_sim *sim);

struct csvsm_sim_layout {
	uint64_t ram_base, ram_size;   /* guest RAM */
	uint64_t svsm_base, svsm_size; /* SVSM memory */
	uint64_t secrets_gpa;          /* the guest's copy of the secrets page */
	uint64_t boot_caa_gpa;         /* the boot vCPU's Calling Area */
	uint64_t boot_vmsa_gpa;        /* the boot vCPU's guest VMSA (in SVSM memory) */
	uint64_t free_ram_base;        /* first guest RAM byte the layout leaves free */
	unsigned int vcpu_count;
	uint8_t guest_vmpl;
};

/* Fills `out` with the machine's layout. */
void csvsm_sim_layout(const struct csvsm_sim *sim, struct csvsm_sim_layout *out);

/* Outcomes of a guest access (also the return values of guest read/write). */
enum csvsm_sim_access_result {
	CSVSM_SIM_ACCESS_OK = 0,
	CSVSM_SIM_ACCESS_VC = 1,  /* #VC 0x404: page not validated */
	CSVSM_SIM_ACCESS_NPF = 2, /* #NPF: not guest memory, not assigned, or no permission */
};

enum csvsm_sim_access_kind {
	CSVSM_SIM_READ = 1,
	CSVSM_SIM_WRITE = 2,
	CSVSM_SIM_EXEC = 8,
};

/*
 * Guest (guest VMPL) memory access, checked page by page against the RMP.
 * The first faulting page stops the access: nothing is copied for a read,
 * and a write copies nothing either (the check precedes the copy). Faults
 * are recorded as #VC or #NPF events (csvsm_sim_stats). Returns an
 * enum csvsm_sim_access_result, or -1 for a NULL buffer or a range that
 * wraps around the address space.
 */
int csvsm_sim_guest_write(struct csvsm_sim *sim, uint64_t gpa, const void *buf, size_t len);
int csvsm_sim_guest_read(struct csvsm_sim *sim, uint64_t gpa, void *buf, size_t len);
int csvsm_sim_guest_access(struct csvsm_sim *sim, uint64_t gpa, size_t len,
                           enum csvsm_sim_access_kind kind);

/*
 * What csvsm_sim_guest_access would return for the same access, without
 * recording anything (no #VC or #NPF event, no counter): for harnesses that
 * check what the guest may do without doing it.
 */
int csvsm_sim_guest_probe(const struct csvsm_sim *sim, uint64_t gpa, size_t len,
                          enum csvsm_sim_access_kind kind);

/* Registers of one SVSM call, in and out. */
struct csvsm_regs {
	uint64_t rax, rcx, rdx, r8, r9;
	bool serviced; /* out: the SVSM cleared call_pending (Linux checks this) */
};

/*
 * Makes one SVSM call from vCPU `vcpu` (0 = boot vCPU), with the Calling
 * Area that vCPU's guest currently uses (the boot CA, or the one it moved to
 * with a successful REMAP_CA, or the one given to CREATE_VCPU). On return
 * `io` holds RAX, RCX, RDX, R8 and R9 as the guest sees them and whether the
 * call was serviced. A successful CREATE_VCPU is followed, as Linux does, by
 * the AP creation request to the hypervisor, so the new vCPU can make calls.
 * Returns 0 when the guest got control back; -1 when the vCPU has no guest
 * VMSA, its CA cannot be written (the #VC/#NPF is recorded), the
 * hypervisor refused to switch (see the policy), or the hypervisor took the
 * vCPU's VMSA page away during the call (that guest vCPU is lost).
 */
int csvsm_sim_call(struct csvsm_sim *sim, unsigned int vcpu, struct csvsm_regs *io);

struct csvsm_sim_rmp_entry {
	bool assigned, validated, vmsa;
	unsigned int page_size; /* 0 = 4 KiB, 1 = 2 MiB */
	uint8_t perms[4];       /* per VMPL: 1 read, 2 write, 4 user exec, 8 supervisor exec */
};

/* Reads the RMP entry of the page holding `gpa`. Returns 0, or -1 beyond the RMP. */
int csvsm_sim_rmp_query(const struct csvsm_sim *sim, uint64_t gpa, struct csvsm_sim_rmp_entry *out);

/*
 * The guest asks the hypervisor for a page state change (GHCB MSR protocol
 * 0x014 for 4 KiB; the PSC NAE for 2 MiB): the page becomes private
 * (assigned, not validated) or shared (unassigned). Returns 0 on success or
 * the hypervisor's non-zero error. Pages of SVSM memory are refused by the
 * honest hypervisor (it would never be asked; a lying one may do it).
 */
int csvsm_sim_guest_psc(struct csvsm_sim *sim, uint64_t gpa, unsigned int page_size,
                        bool to_private);

/*
 * The guest's side of one GHCB MSR protocol exchange on vCPU `vcpu` (GHCB
 * spec 56421, MSR protocol): writes `request` to the GHCB MSR, VMGEXIT,
 * returns the MSR value the hypervisor left. Handled: SEV_INFO (0x002),
 * GHCB GPA registration (0x012; answered 0x013 with the same GFN), page
 * state change (0x014, as csvsm_sim_guest_psc for 4 KiB; 0x015 with the
 * error in bits 63:32), hypervisor features (0x080), termination (0x100:
 * the machine stops; every later call fails). Anything else, including
 * run-VMPL (use csvsm_sim_call), is answered with 0.
 */
uint64_t csvsm_sim_guest_msr(struct csvsm_sim *sim, unsigned int vcpu, uint64_t request);

/* True once the guest asked for termination; *set and *reason tell why (may be NULL). */
bool csvsm_sim_terminated(const struct csvsm_sim *sim, unsigned int *set, unsigned int *reason);

/* What the hypervisor does wrong (all zero = honest). */
struct csvsm_sim_hv_policy {
	unsigned int refuse_run_vmpl; /* refuse the next N run-VMPL requests */
	unsigned int refuse_psc;      /* refuse the next N page state changes */
	/*
	 * Called after each read of guest memory by the SVSM (the nth since the
	 * policy was set, from 1). It may change guest memory (through
	 * csvsm_sim_poke) to model a guest or device racing the SVSM.
	 */
	void (*on_svsm_read)(void *ctx, struct csvsm_sim *sim, uint64_t gpa, size_t len,
	                     unsigned int nth);
	void *ctx;
	/*
	 * Called (with `ctx`) after each PVALIDATE or RMPADJUST the SVSM
	 * executes on the shim (the nth since the policy was set, from 1; `gpa`
	 * its page, `rc` its result): the hypervisor acting on another CPU
	 * between two of the SVSM's instructions (RMPUPDATE, a page state
	 * change), which SNP does not prevent. Not called for the KVM image.
	 */
	void (*on_svsm_rmp)(void *ctx, struct csvsm_sim *sim, uint64_t gpa, int rc,
	                    unsigned int nth);
	/*
	 * SNP guest requests the SVSM sends through the hypervisor (NAE
	 * 0x8000_0011/12), each counter for the next N requests: answer BUSY;
	 * flip a bit of the request before the PSP sees it; flip a bit of the
	 * PSP's response; hand the PSP the previous request again instead;
	 * return the previous response instead of the new one; fail the exit.
	 */
	unsigned int guest_req_busy;
	unsigned int guest_req_tamper;
	unsigned int guest_req_tamper_rsp;
	unsigned int guest_req_replay;
	unsigned int guest_req_replay_rsp;
	unsigned int guest_req_fail;
	/*
	 * Likewise: XOR the response page's byte at guest_req_edit_off (mod
	 * the page) with guest_req_edit_xor (the header fields too, which the
	 * hypervisor can reach); on an extended request, claim more
	 * certificate bytes than the SVSM's buffer holds after a successful
	 * exchange, or answer that the table does not fit (INVALID_LEN) though
	 * it does.
	 */
	unsigned int guest_req_edit_rsp;
	unsigned int guest_req_edit_off;
	uint8_t guest_req_edit_xor;
	unsigned int guest_req_certs_overrun;
	unsigned int guest_req_certs_too_small;
};

/* Installs `policy` (copied); NULL restores the honest hypervisor. */
void csvsm_sim_set_hv_policy(struct csvsm_sim *sim, const struct csvsm_sim_hv_policy *policy);

/*
 * The policy in force: what csvsm_sim_set_hv_policy installed, with the
 * counters the hypervisor has used up since then taken off.
 */
void csvsm_sim_get_hv_policy(const struct csvsm_sim *sim, struct csvsm_sim_hv_policy *out);

/*
 * The hypervisor remaps the page at `gpa` behind everyone's back: new
 * backing (filled with `fill`), RMP entry reassigned (private, not
 * validated, guest permissions gone). Returns 0 or -1 outside guest RAM.
 */
int csvsm_sim_hv_remap(struct csvsm_sim *sim, uint64_t gpa, uint8_t fill);

/*
 * The hypervisor runs `vcpu`'s VMPL0 although the guest asked for nothing
 * (SNP lets it schedule any VMSA: an interrupt, a repeated entry): the
 * guest VMSA's exit code becomes `exit_code` (VMEXIT_VMGEXIT pretends the
 * guest's last exit was a VMGEXIT), then the SVSM runs until it returns to
 * the guest; call_pending is whatever the guest left in its CA. Returns 0,
 * or -1 when the vCPU's VMPL0 never started or its guest VMSA cannot run
 * (and in the KVM modes).
 */
int csvsm_sim_hv_enter_svsm(struct csvsm_sim *sim, unsigned int vcpu, uint64_t exit_code);

/*
 * A number that changes whenever any RMP entry is written (PVALIDATE,
 * RMPADJUST, RMPUPDATE, ...; a snapshot restore need not change it): equal
 * before and after something proves the RMP did not change meanwhile.
 */
uint64_t csvsm_sim_rmp_changes(const struct csvsm_sim *sim);

/*
 * A value standing for the whole RMP entry of the page holding `gpa`, for
 * harnesses that re-check a page only when its entry changed: equal keys,
 * equal csvsm_sim_rmp_query results and equal csvsm_sim_guest_access
 * results for every access inside the page. UINT64_MAX beyond the RMP.
 */
uint64_t csvsm_sim_rmp_key(const struct csvsm_sim *sim, uint64_t gpa);

/* csvsm_sim_poke's refusals. */
enum {
	CSVSM_SIM_POKE_OUTSIDE = -1, /* not all of it in the machine's memory (or no bytes) */
	CSVSM_SIM_POKE_SVSM =
	    -2, /* it touches SVSM memory, which nothing outside VMPL0 can write */
};

/*
 * Whether csvsm_sim_poke(sim, gpa, ., len) would write: 0, or one of the
 * refusals above. Nothing is written.
 */
int csvsm_sim_poke_check(struct csvsm_sim *sim, uint64_t gpa, size_t len);

/*
 * Writes guest memory without the RMP checks (a racing agent such as another
 * vCPU, a DMA device, the hypervisor on a shared page). SVSM memory is
 * refused: on SNP no agent outside VMPL0 can write it. 0, or a refusal
 * above with nothing written.
 */
int csvsm_sim_poke(struct csvsm_sim *sim, uint64_t gpa, const void *buf, size_t len);

struct csvsm_sim_stats {
	uint64_t calls;         /* csvsm_sim_call invocations that reached the SVSM */
	uint64_t vmgexits;      /* VMGEXITs by the guest and by the SVSM */
	uint64_t vmpl_switches; /* context switches between VMPLs */
	uint64_t vc_events;     /* guest #VC (page not validated) */
	uint64_t npf_events;    /* #NPF (guest or SVSM) */
	uint64_t psc_requests;
	uint64_t pages_validated; /* RMP pages currently validated in guest RAM */
	uint64_t kvm_exits;       /* exits to user space of the guest program and the image */
	uint64_t kvm_image_exits; /* of which the SVSM image's (cfg.kvm_image) */
};

/* Fills `out` with counters since csvsm_sim_new. */
void csvsm_sim_stats(const struct csvsm_sim *sim, struct csvsm_sim_stats *out);

/* Events (the trace). Every arrow of an SVSM call is one event. */
enum csvsm_sim_event_type {
	CSVSM_EV_BOOT = 1,    /* the SVSM finished booting: a[0] = result (0 or -csvsm error) */
	CSVSM_EV_VMGEXIT,     /* a VMGEXIT: a[0] = GHCB MSR value written */
	CSVSM_EV_VMPL_SWITCH, /* the vCPU now runs another VMPL: a[0] = from, a[1] = to */
	CSVSM_EV_CALL,        /* the guest makes an SVSM call: a[0..4] = RAX, RCX, RDX, R8, R9 */
	CSVSM_EV_RESULT,      /* the guest sees the result: a[0..4] = RAX..R9, a[5] = serviced */
	CSVSM_EV_PVALIDATE,   /* a[0] = GPA, a[1] = size (0 4K, 1 2M), a[2] = validate, a[3] = rc,
	                         a[4] = CF */
	CSVSM_EV_RMPADJUST,   /* a[0] = GPA, a[1] = size, a[2] = attributes, a[3] = rc */
	CSVSM_EV_GHCB_MSR,    /* MSR protocol answer: a[0] = request, a[1] = response */
	CSVSM_EV_VC,          /* #VC 0x404 (not validated): a[0] = GPA, a[1] = access kind */
	CSVSM_EV_NPF,         /* #NPF: a[0] = GPA, a[1] = access kind */
	CSVSM_EV_PSC,       /* page state change: a[0] = GPA, a[1] = size, a[2] = to private, a[3] =
	                       result */
	CSVSM_EV_HV_ACTION, /* hypervisor misbehaviour: a[0] = kind (CSVSM_HV_*), a[1] = GPA */
	CSVSM_EV_MMIO, /* an MMIO access that left the guest: a[0] = PA, a[1] = value, a[2] = width,
	                  a[3] = 1 write / 0 read */
	CSVSM_EV_VTPM, /* the vTPM ran a guest command: a[0] = command code, a[1] = its size,
	                  a[2] = TPM response code, a[3] = response size */
};

enum {
	CSVSM_HV_REFUSE_RUN = 1, /* refused a run-VMPL request */
	CSVSM_HV_REFUSE_PSC = 2, /* refused a page state change */
	CSVSM_HV_REMAP = 3,      /* remapped a guest page */
	CSVSM_HV_POKE = 4,       /* changed guest memory behind the SVSM's back */
	CSVSM_HV_ENTER_SVSM = 5, /* ran VMPL0 unasked: a[1] = the guest VMSA's exit code */
};

struct csvsm_sim_event {
	uint64_t seq;     /* 1, 2, ... per simulator */
	uint64_t time_ns; /* virtual time: fixed costs per event, never the host clock */
	unsigned int vcpu;
	unsigned int vmpl; /* the VMPL running when it happened */
	enum csvsm_sim_event_type type;
	uint64_t a[6];
};

/* Installs (or with NULL removes) the trace sink. */
void csvsm_sim_set_trace(struct csvsm_sim *sim, csvsm_sim_trace_fn fn, void *ctx);

/* "vmgexit", "call", ... for an event type; "?" for an unknown one. */
const char *csvsm_sim_event_name(enum csvsm_sim_event_type type);

enum csvsm_sim_format {
	CSVSM_SIM_FORMAT_TEXT, /* one human-readable line, symbolic names */
	CSVSM_SIM_FORMAT_JSON, /* one JSON object (docs/trace-format.md) */
};

/*
 * Formats `ev` into `buf` (NUL-terminated, no newline), truncating to
 * `len`. Returns the length the full text would have, as snprintf.
 */
int csvsm_sim_event_format(const struct csvsm_sim_event *ev, enum csvsm_sim_format fmt, char *buf,
                           size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CSVSM_SIM_H */
