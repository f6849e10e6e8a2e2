/* SPDX-License-Identifier: MIT */
/*
 * csvsm-sim: runs the csvsm core inside this process on the simulated
 * SEV-SNP machine. With no arguments it boots the core on embedded
 * defaults, runs a built-in guest workload that makes every core call
 * (some of them refused on purpose) and prints what happened. `run FILE`
 * executes a scenario (sim/scenario.h, docs/scenarios.md). -v, --trace
 * and --timeline show the machine's events (sim/cli_trace.h,
 * docs/trace-format.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_attest.h"
#include "cli_trace.h"
#include "cli_vtpm.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/mm.h"
#include "csvsm/names.h"
#include "csvsm/sim.h"
#include "csvsm/sim_nv.h"
#include "kvm/kvm_runner.h"
#include "scenario.h"
#include "tpm_server.h"

struct options {
	struct csvsm_sim_config cfg;
	bool quiet, verbose;
	bool vcpus_set, ram_set, seed_set; /* given on the command line */
	const char *scenario;              /* run FILE */
	struct cli_trace_opts trace;
	char guest_path[PATH_MAX]; /* --target kvm-guest: the guest program */
	char image_path[PATH_MAX]; /* --target kvm: the SVSM image */
	bool no_vtpm;              /* --no-vtpm: the machine has no vTPM */
};

static void usage(FILE *out)
{
	fprintf(out, "usage: csvsm-sim [OPTIONS]            run the built-in guest workload\n"
	             "       csvsm-sim [OPTIONS] run FILE   run a scenario (FILE - = stdin)\n"
	             "       csvsm-sim tpm-server [--port P] [--state FILE]\n"
	             "                                      serve the vTPM over the TPM simulator\n"
	             "                                      (mssim) protocol on 127.0.0.1:P, P+1\n"
	             "                                      (see csvsm-sim tpm-server --help)\n"
	             "       csvsm-sim attest --nonce HEX --out DIR\n"
	             "                                      attest as a guest; write the report,\n"
	             "                                      manifest and certificate chain\n"
	             "                                      (see csvsm-sim attest --help)\n"
	             "       csvsm-sim kvm [--selftest] [--mem MiB] [--vcpus N] IMAGE\n"
	             "                                      run a bare-metal image under KVM\n"
	             "                                      (see csvsm-sim kvm --help)\n"
	             "\n"
	             "Boots the csvsm core at VMPL0 of a simulated SEV-SNP machine (embedded\n"
	             "defaults: 256 MiB guest RAM, 16 MiB SVSM memory, 4 vCPUs, guest at VMPL2).\n"
	             "\n"
	             "Without a command it plays a guest that makes every core protocol call (a\n"
	             "few refused on purpose), printing each call with its symbolic result and a\n"
	             "summary: calls and results, pages validated, exits, VMPL switches, virtual\n"
	             "time, SVSM heap. Exit status 0 when every result is the one the SVSM\n"
	             "specification demands, 1 otherwise.\n"
	             "\n"
	             "`run FILE` executes a scenario: configuration, guest memory accesses, SVSM\n"
	             "calls, hypervisor (mis)behaviour and expectations (docs/scenarios.md).\n"
	             "Exit status 0 when every expectation held, 1 when one failed (each failure\n"
	             "is printed with FILE:LINE, expected and actual values and the last trace\n"
	             "events), 2 for an unreadable or malformed scenario or bad options.\n"
	             "\n"
	             "Options:\n"
	             "  -v              print every event of the machine on stderr, one line each\n"
	             "                  (and, with run, each scenario line as it runs)\n"
	             "  --trace FILE    write every event as JSON lines (docs/trace-format.md)\n"
	             "  --timeline FILE write a Chrome trace event file of VMPL time, SVSM calls\n"
	             "                  and events, for Perfetto (ui.perfetto.dev) or\n"
	             "                  chrome://tracing\n"
	             "  --vcpus N       vCPUs (1..64; the built-in workload needs 2; default 4)\n"
	             "  --ram-mib N     guest RAM in MiB (even, 8..65536, default 256)\n"
	             "  --seed N        seed of the simulated entropy source (default 1)\n"
	             "                  (with run, these three override the scenario's config)\n"
	             "  --target T      shim (default): the guest's side in this process;\n"
	             "                  kvm-guest: the guest's side is the guest program\n"
	             "                  (guest/) in a KVM VM, the SVSM still in this process\n"
	             "                  (docs/kvm-snp.md); needs /dev/kvm\n"
	             "                  kvm: the SVSM image (src/csvsm-kvm.elf) at VMPL0 in\n"
	             "                  a KVM VM, the guest's side in the guest program\n"
	             "                  (the machine's vTPM is the image's: an image without\n"
	             "                  one, as src/csvsm-kvm.elf, implies --no-vtpm)\n"
	             "  --guest FILE    the guest program for kvm-guest and kvm (default: the\n"
	             "                  build's guest/csvsm-guest.elf next to this program's\n"
	             "                  directory)\n"
	             "  --image FILE    the SVSM image for kvm (default: the build's\n"
	             "                  src/csvsm-kvm.elf next to this program's directory)\n"
	             "  --no-vtpm       the machine has no vTPM (scenarios: as config vtpm=no;\n"
	             "                  the built-in workload skips its vTPM steps)\n"
	             "  -q              print only the summary (run: nothing when all held)\n"
	             "  -h, --help      this text\n"
	             "\n"
	             "The same scenario with the same seed gives byte-identical traces.\n");
}

static int parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
		fprintf(stderr, "csvsm-sim: %s wants a number in %llu..%llu, not '%s'\n", opt,
		        (unsigned long long)min, (unsigned long long)max, text);
		return -1;
	}
	*out = v;
	return 0;
}

/* The build's `rel` (e.g. guest/csvsm-guest.elf) from this program's directory's parent. */
static int default_build_path(char *out, size_t len, const char *rel, const char *opt)
{
	char exe[PATH_MAX - 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0) {
		fprintf(stderr, "csvsm-sim: cannot find this program's directory: use %s FILE\n",
		        opt);
		return -1;
	}
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(out, len, "%s/../%s", exe, rel);
	return 0;
}

static int default_guest_path(struct options *o)
{
	return default_build_path(o->guest_path, sizeof(o->guest_path), "guest/csvsm-guest.elf",
	                          "--guest");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	csvsm_sim_config_default(&o->cfg);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "-q")) {
			o->quiet = true;
		} else if (!strcmp(a, "-v")) {
			o->verbose = true;
		} else if (i + 1 < argc && !strcmp(a, "--trace")) {
			o->trace.jsonl_path = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--timeline")) {
			o->trace.timeline_path = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "run") && !o->scenario) {
			o->scenario = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--vcpus")) {
			if (parse_u64(a, argv[++i], 1, 64, &v) < 0)
				return -1;
			o->cfg.vcpu_count = (unsigned int)v;
			o->vcpus_set = true;
		} else if (i + 1 < argc && !strcmp(a, "--ram-mib")) {
			if (parse_u64(a, argv[++i], 8, 65536, &v) < 0 || v % 2) {
				fprintf(stderr, "csvsm-sim: --ram-mib wants an even number\n");
				return -1;
			}
			o->cfg.guest_ram_size = v << 20;
			o->ram_set = true;
		} else if (i + 1 < argc && !strcmp(a, "--target")) {
			const char *t = argv[++i];

			o->cfg.kvm_guest = NULL;
			o->cfg.kvm_image = NULL;
			if (!strcmp(t, "kvm-guest") || !strcmp(t, "kvm")) {
				if (!o->guest_path[0] && default_guest_path(o) < 0)
					return -1;
				o->cfg.kvm_guest = o->guest_path;
			}
			if (!strcmp(t, "kvm")) {
				if (!o->image_path[0] &&
				    default_build_path(o->image_path, sizeof(o->image_path),
				                       "src/csvsm-kvm.elf", "--image") < 0)
					return -1;
				o->cfg.kvm_image = o->image_path;
			} else if (strcmp(t, "shim") && strcmp(t, "kvm-guest")) {
				fprintf(
				    stderr,
				    "csvsm-sim: --target wants shim, kvm-guest or kvm, not '%s'\n",
				    t);
				return -1;
			}
		} else if (i + 1 < argc && !strcmp(a, "--guest")) {
			snprintf(o->guest_path, sizeof(o->guest_path), "%s", argv[++i]);
		} else if (i + 1 < argc && !strcmp(a, "--image")) {
			snprintf(o->image_path, sizeof(o->image_path), "%s", argv[++i]);
		} else if (!strcmp(a, "--no-vtpm")) {
			o->no_vtpm = true;
		} else if (i + 1 < argc && !strcmp(a, "--seed")) {
			if (parse_u64(a, argv[++i], 0, UINT64_MAX, &v) < 0)
				return -1;
			o->cfg.seed = v;
			o->seed_set = true;
		} else {
			static const char *const valued[] = {"--trace",   "--timeline", "--vcpus",
			                                     "--ram-mib", "--seed",     "--target",
			                                     "--guest",   "--image",    "run"};
			bool known = false;

			for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
				known = known || !strcmp(a, valued[k]);
			if (known && !strcmp(a, "run") && o->scenario)
				fprintf(stderr, "csvsm-sim: only one run FILE\n");
			else if (known)
				fprintf(stderr, "csvsm-sim: %s wants %s\n", a,
				        strcmp(a, "run") ? "a value" : "a FILE");
			else
				fprintf(stderr, "csvsm-sim: unknown option or argument '%s'\n", a);
			fprintf(stderr, "csvsm-sim: see csvsm-sim --help\n");
			return -1;
		}
	}
	/* --target kvm: the machine's vTPM is the image's, so an image without one means none. */
	if (o->cfg.kvm_image && !o->no_vtpm) {
		int has = kvm_image_has_vtpm(o->cfg.kvm_image);

		if (has < 0)
			return -1;
		o->no_vtpm = has == 0;
	}
	return 0;
}

struct workload {
	struct csvsm_sim *sim;
	struct csvsm_sim_layout layout;
	struct cli_trace *trace;
	bool quiet;
	bool image; /* VMPL0 is the SVSM image on KVM: its heap is not this process's */
	unsigned int calls, as_expected, refused;
	/* Results seen, by code, for the summary. */
	struct {
		uint64_t rax;
		unsigned int count;
	} results[16];
	unsigned int nresults;
};

static void count_result(struct workload *w, uint64_t rax)
{
	unsigned int i;

	for (i = 0; i < w->nresults && w->results[i].rax != rax; i++)
		;
	if (i == w->nresults) {
		if (w->nresults == sizeof(w->results) / sizeof(w->results[0]))
			return;
		w->results[w->nresults++].rax = rax;
	}
	w->results[i].count++;
}

static void count_vtpm_result(void *ctx, uint64_t rax)
{
	count_result(ctx, rax);
}

/* Makes one call and checks its result against what the spec demands. */
static struct csvsm_regs call(struct workload *w, unsigned int vcpu, uint32_t proto, uint32_t id,
                              uint64_t rcx, uint64_t rdx, uint64_t r8, uint32_t expect,
                              const char *why)
{
	struct csvsm_regs r = {.rax = SVSM_RAX(proto, id), .rcx = rcx, .rdx = rdx, .r8 = r8};
	const char *name = svsm_call_name(proto, id);
	const char *result;
	int rc = csvsm_sim_call(w->sim, vcpu, &r);

	cli_trace_call_returned(w->trace, vcpu);
	w->calls++;
	if (rc == 0 && r.serviced && r.rax == expect)
		w->as_expected++;
	if (rc == 0 && r.rax != SVSM_SUCCESS)
		w->refused++;
	if (rc == 0)
		count_result(w, r.rax);
	result = rc ? "(not delivered)" : svsm_result_name(r.rax);
	if (!w->quiet || rc || r.rax != expect) {
		char fallback[32];

		if (!name) {
			snprintf(fallback, sizeof(fallback), "%u:%u", proto, id);
			name = fallback;
		}
		printf("  vcpu%u %-20s %-34s %s%s\n", vcpu, name, result ? result : "(unknown)",
		       why, (rc == 0 && r.rax == expect) ? "" : "   <-- UNEXPECTED");
	}
	return r;
}

static uint64_t pval_entry(uint64_t gpa, bool validate)
{
	return gpa | (validate ? SVSM_PVAL_VALIDATE : 0);
}

/* Writes a PVALIDATE list for `count` pages from `gpa` at CA + 8. */
static uint64_t pval_list(struct workload *w, uint64_t gpa, unsigned int count, bool validate)
{
	uint64_t buf[1 + SVSM_PVAL_MAX_AT_CA];
	uint64_t list = w->layout.boot_caa_gpa + 8;

	buf[0] = count;
	for (unsigned int i = 0; i < count; i++)
		buf[1 + i] = pval_entry(gpa + (uint64_t)i * 4096, validate);
	if (csvsm_sim_guest_write(w->sim, list, buf, 8 * (1 + count)) != 0) {
		fprintf(stderr, "csvsm-sim: the guest cannot write its CA\n");
		exit(1);
	}
	return list;
}

static void run_workload(struct workload *w)
{
	const uint64_t free_ram = w->layout.free_ram_base;
	const uint64_t new_ca = free_ram + 64 * 4096, ap_vmsa = new_ca + 4096,
	               ap_ca = ap_vmsa + 4096;
	struct vmsa_page vmsa = {0};

	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, SVSM_RAX(SVSM_PROTO_CORE, 1), 0, 0,
	     SVSM_SUCCESS, "core protocol v1: supported");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, SVSM_RAX(0x1234, 1), 0, 0,
	     SVSM_SUCCESS, "an unknown protocol: RCX = 0");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_CONFIGURE_VTOM, SVSM_VTOM_QUERY, 0, 0, SVSM_SUCCESS,
	     "vTOM query: not supported");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_CONFIGURE_VTOM, 0, 0, 0, SVSM_ERR_INVALID_REQUEST,
	     "vTOM request: refused");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE, pval_list(w, free_ram, 67, true), 0, 0,
	     SVSM_SUCCESS, "validate 67 pages of free guest RAM");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE, pval_list(w, free_ram, 1, true), 0, 0,
	     SVSM_PVALIDATE_FAIL_UNCHANGED, "validate an already validated page");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE, pval_list(w, w->layout.svsm_base, 1, true),
	     0, 0, SVSM_ERR_INVALID_ADDRESS, "validate SVSM memory: refused");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE, pval_list(w, free_ram, 32, false), 0, 0,
	     SVSM_SUCCESS, "rescind 32 pages");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_REMAP_CA, w->layout.svsm_base, 0, 0,
	     SVSM_ERR_INVALID_ADDRESS, "move the CA into SVSM memory: refused");
	/* The AP's VMSA, as Linux builds it: guest VMPL, SVME, the same features. */
	vmsa.vmpl = w->layout.guest_vmpl;
	vmsa.efer = EFER_SVME;
	vmsa.sev_features = SEV_FEAT_SNP_ACTIVE | SEV_FEAT_RESTRICTED_INJ | SEV_FEAT_DEBUG_SWAP;
	if (csvsm_sim_guest_write(w->sim, ap_vmsa, &vmsa, sizeof(vmsa)) != 0)
		fprintf(stderr, "csvsm-sim: the guest cannot write the AP's VMSA\n");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_CREATE_VCPU, ap_vmsa, ap_ca, 99,
	     SVSM_ERR_INVALID_PARAMETER, "create a vCPU with an unknown APIC ID");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_CREATE_VCPU, ap_vmsa, ap_ca, 1, SVSM_SUCCESS,
	     "create vCPU 1");
	call(w, 1, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, SVSM_RAX(SVSM_PROTO_CORE, 1), 0, 0,
	     SVSM_SUCCESS, "vCPU 1 calls the SVSM");
	call(w, 1, SVSM_PROTO_CORE, SVSM_CORE_DELETE_VCPU, ap_vmsa, 0, 0, SVSM_ERR_INVALID_REQUEST,
	     "vCPU 1 deletes itself: refused");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_DELETE_VCPU, ap_vmsa, 0, 0, SVSM_SUCCESS,
	     "delete vCPU 1");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_REMAP_CA, new_ca, 0, 0, SVSM_SUCCESS,
	     "move the boot vCPU's CA");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, SVSM_RAX(SVSM_PROTO_CORE, 1), 0, 0,
	     SVSM_SUCCESS, "a call through the new CA");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_DEPOSIT_MEM, 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL,
	     "deposit memory: not supported");
	call(w, 0, SVSM_PROTO_CORE, SVSM_CORE_WITHDRAW_MEM, 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL,
	     "withdraw memory: not supported");
	call(w, 0, SVSM_PROTO_CORE, 42, 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL, "an unknown call");
	call(w, 0, 7, 0, 0, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL, "an unknown protocol");
}

static void print_summary(const struct workload *w)
{
	struct csvsm_sim_stats st;
	struct mm_stats heap;
	uint64_t ns = cli_trace_time_ns(w->trace);

	csvsm_sim_stats(w->sim, &st);
	mm_get_stats(&heap);
	printf("summary: %u calls, %u as the spec demands (%u refused on purpose); "
	       "%llu guest pages validated\n",
	       w->calls, w->as_expected, w->refused, (unsigned long long)st.pages_validated);
	printf("results:");
	for (unsigned int i = 0; i < w->nresults; i++) {
		const char *name = svsm_result_name(w->results[i].rax);

		if (name)
			printf("%s %u %s", i ? "," : "", w->results[i].count, name);
		else
			printf("%s %u %#" PRIx64, i ? "," : "", w->results[i].count,
			       w->results[i].rax);
	}
	printf("\n");
	printf("exits:   %llu VMGEXITs, %llu VMPL switches, %llu GHCB MSR requests, %llu #VC, "
	       "%llu #NPF; %llu PVALIDATE, %llu RMPADJUST\n",
	       (unsigned long long)st.vmgexits, (unsigned long long)st.vmpl_switches,
	       (unsigned long long)cli_trace_count(w->trace, CSVSM_EV_GHCB_MSR),
	       (unsigned long long)st.vc_events, (unsigned long long)st.npf_events,
	       (unsigned long long)cli_trace_count(w->trace, CSVSM_EV_PVALIDATE),
	       (unsigned long long)cli_trace_count(w->trace, CSVSM_EV_RMPADJUST));
	printf("time:    %" PRIu64 ".%03u us of virtual time (boot included)\n", ns / 1000,
	       (unsigned int)(ns % 1000));
	if (w->image) {
		printf("heap:    the SVSM image's own (not visible from the harness)\n");
		return;
	}
	printf("heap:    SVSM heap %zu/%zu pages free, %zu live allocations\n", heap.free_pages,
	       heap.total_pages, heap.live_allocs);
}

static int default_run(const struct options *o, struct cli_trace *t)
{
	struct csvsm_sim_config cfg = o->cfg;
	struct workload w = {0};
	struct cli_vtpm_counts tpm = {.on_result = count_vtpm_result, .result_ctx = &w};
	struct blkdev nv;
	int rc;

	if (cfg.vcpu_count < 2) {
		fprintf(stderr, "csvsm-sim: the built-in workload needs --vcpus 2 or more\n");
		return 2;
	}
	w.quiet = o->quiet;
	w.image = cfg.kvm_image != NULL;
	w.trace = t;
	cfg.trace = cli_trace_event;
	cfg.trace_ctx = t;
	/* The machine has a vTPM (state in host RAM), reproducible from the seed. */
	if (!o->no_vtpm && sim_nv_ram_open(&nv, 1u << 20) < 0) {
		fprintf(stderr, "csvsm-sim: out of memory\n");
		return 1;
	}
	if (!o->no_vtpm)
		sim_nv_use(&nv);
	cfg.vtpm_rand_from_seed = !o->no_vtpm;
	w.sim = csvsm_sim_new(&cfg);
	if (!w.sim) {
		if (!o->no_vtpm)
			sim_nv_ram_close(&nv);
		return 1;
	}
	csvsm_sim_layout(w.sim, &w.layout);
	cli_trace_vcpu_vmsa(t, 0, w.layout.boot_vmsa_gpa);
	printf(
	    "csvsm-sim: SVSM booted at VMPL0; guest at VMPL%u with %u vCPUs, %llu MiB RAM; "
	    "SVSM memory %llu MiB at %#llx\n",
	    w.layout.guest_vmpl, w.layout.vcpu_count, (unsigned long long)(w.layout.ram_size >> 20),
	    (unsigned long long)(w.layout.svsm_size >> 20), (unsigned long long)w.layout.svsm_base);
	if (!w.quiet)
		printf("guest workload:\n");
	run_workload(&w);
	/* A page the workload left validated (free RAM page 40) as the TPM buffer. */
	if (!o->no_vtpm)
		cli_vtpm_workload(w.sim, t, w.layout.free_ram_base + 40 * 4096, w.quiet, &tpm);
	w.calls += tpm.calls;
	w.as_expected += tpm.as_expected;
	print_summary(&w);
	rc = w.as_expected == w.calls ? 0 : 1;
	csvsm_sim_free(w.sim);
	if (!o->no_vtpm)
		sim_nv_ram_close(&nv);
	return rc;
}

/* Hooks of a scenario run: command-line overrides and the trace sinks. */
struct run_ctx {
	const struct options *o;
	struct cli_trace *t;
};

static void run_trace(void *ctx, const struct csvsm_sim_event *ev)
{
	cli_trace_event(((struct run_ctx *)ctx)->t, ev);
}

static void run_configure(void *ctx, struct csvsm_sim_config *cfg)
{
	const struct options *o = ((struct run_ctx *)ctx)->o;

	if (o->vcpus_set)
		cfg->vcpu_count = o->cfg.vcpu_count;
	if (o->ram_set)
		cfg->guest_ram_size = o->cfg.guest_ram_size;
	if (o->seed_set)
		cfg->seed = o->cfg.seed;
	cfg->kvm_guest = o->cfg.kvm_guest;
	cfg->kvm_image = o->cfg.kvm_image;
}

static void run_ready(void *ctx, struct csvsm_sim *sim)
{
	struct csvsm_sim_layout lay;

	if (!sim)
		return;
	csvsm_sim_layout(sim, &lay);
	cli_trace_vcpu_vmsa(((struct run_ctx *)ctx)->t, 0, lay.boot_vmsa_gpa);
}

static void run_call_returned(void *ctx, unsigned int vcpu)
{
	cli_trace_call_returned(((struct run_ctx *)ctx)->t, vcpu);
}

static int scenario_run(const struct options *o, const struct scn_script *s, struct cli_trace *t)
{
	struct run_ctx ctx = {.o = o, .t = t};
	struct scn_run_opts ro = {
	    .out = stdout,
	    .err = stderr,
	    .echo = o->verbose ? stderr : NULL,
	    .quiet = o->quiet,
	    .trace = run_trace,
	    .hook_ctx = &ctx,
	    .configure = run_configure,
	    .ready = run_ready,
	    .call_returned = run_call_returned,
	    .no_vtpm = o->no_vtpm,
	};

	/* stdout (line-buffered) and stderr interleave in order when both go to one place. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return scn_run(s, &ro, NULL);
}

int main(int argc, char **argv)
{
	struct options o;
	struct scn_script *s = NULL;
	struct scn_diag diag;
	struct cli_trace *t;
	char err[160];
	int rc;

	/* `--target T tpm-server ...` is `tpm-server --target T ...`. */
	if (argc > 3 && !strcmp(argv[1], "--target") && !strcmp(argv[3], "tpm-server")) {
		char *cmd = argv[3];

		argv[3] = argv[2];
		argv[2] = argv[1];
		argv[1] = cmd;
	}
	if (argc > 1 && !strcmp(argv[1], "tpm-server"))
		return sim_tpm_server_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "attest"))
		return sim_attest_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "kvm"))
		return kvm_runner_main(argc - 1, argv + 1);
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	/* A scenario is read and checked whole before anything runs or is written. */
	if (o.scenario && scn_load(o.scenario, &s, &diag) != SCN_OK) {
		fprintf(stderr, "%s\n", diag.msg);
		return SCN_ERROR;
	}
	if (o.verbose)
		o.trace.text = stderr;
	t = cli_trace_open(&o.trace, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "csvsm-sim: %s\n", err);
		scn_free(s);
		return 2;
	}
	rc = s ? scenario_run(&o, s, t) : default_run(&o, t);
	scn_free(s);
	if (cli_trace_close(t) < 0 && rc == 0)
		rc = 2; /* a trace that was asked for is incomplete */
	return rc;
}
