/* SPDX-License-Identifier: MIT */
/*
 * csvsm-sim: runs the csvsm core inside this process on the simulated
 * SEV-SNP machine. With no arguments it boots the core on embedded
 * defaults, runs a built-in guest workload that makes every core call
 * (some of them refused on purpose) and prints what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/mm.h"
#include "csvsm/names.h"
#include "csvsm/sim.h"

struct options {
	struct csvsm_sim_config cfg;
	bool quiet;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: csvsm-sim [--vcpus N] [--ram-mib N] [--seed N] [-q]\n"
	             "\n"
	             "Boots the csvsm core on the simulated SEV-SNP machine with embedded\n"
	             "defaults, runs a built-in guest workload that makes every core\n"
	             "protocol call (a few refused on purpose) and prints a summary.\n"
	             "Exit status 0 when every call gave the result the SVSM spec demands.\n"
	             "\n"
	             "  --vcpus N    vCPUs (2..64, default 4)\n"
	             "  --ram-mib N  guest RAM in MiB (multiple of 2, 8..65536, default 256)\n"
	             "  --seed N     seed of the simulated entropy source (default 1)\n"
	             "  -q           print only the summary\n"
	             "  -h, --help   this text\n");
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

static int parse_args(int argc, char **argv, struct options *o)
{
	csvsm_sim_config_default(&o->cfg);
	o->quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "-q")) {
			o->quiet = true;
		} else if (i + 1 < argc && !strcmp(a, "--vcpus")) {
			if (parse_u64(a, argv[++i], 2, 64, &v) < 0)
				return -1;
			o->cfg.vcpu_count = (unsigned int)v;
		} else if (i + 1 < argc && !strcmp(a, "--ram-mib")) {
			if (parse_u64(a, argv[++i], 8, 65536, &v) < 0 || v % 2) {
				fprintf(stderr, "csvsm-sim: --ram-mib wants an even number\n");
				return -1;
			}
			o->cfg.guest_ram_size = v << 20;
		} else if (i + 1 < argc && !strcmp(a, "--seed")) {
			if (parse_u64(a, argv[++i], 0, UINT64_MAX, &v) < 0)
				return -1;
			o->cfg.seed = v;
		} else {
			fprintf(stderr, "csvsm-sim: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

struct workload {
	struct csvsm_sim *sim;
	struct csvsm_sim_layout layout;
	bool quiet;
	unsigned int calls, as_expected, refused;
};

/* Makes one call and checks its result against what the spec demands. */
static struct csvsm_regs call(struct workload *w, unsigned int vcpu, uint32_t proto, uint32_t id,
                              uint64_t rcx, uint64_t rdx, uint64_t r8, uint32_t expect,
                              const char *why)
{
	struct csvsm_regs r = {.rax = SVSM_RAX(proto, id), .rcx = rcx, .rdx = rdx, .r8 = r8};
	const char *name = svsm_call_name(proto, id);
	const char *result;
	int rc = csvsm_sim_call(w->sim, vcpu, &r);

	w->calls++;
	if (rc == 0 && r.serviced && r.rax == expect)
		w->as_expected++;
	if (r.rax != SVSM_SUCCESS)
		w->refused++;
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
	call(w, 0, SVSM_PROTO_CORE, 42, 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL, "an unknown call");
	call(w, 0, 7, 0, 0, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL, "an unknown protocol");
}

int main(int argc, char **argv)
{
	struct options o;
	struct workload w = {0};
	struct csvsm_sim_stats st;
	struct mm_stats heap;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	w.quiet = o.quiet;
	w.sim = csvsm_sim_new(&o.cfg);
	if (!w.sim)
		return 1;
	csvsm_sim_layout(w.sim, &w.layout);
	printf(
	    "csvsm-sim: SVSM booted at VMPL0; guest at VMPL%u with %u vCPUs, %llu MiB RAM; "
	    "SVSM memory %llu MiB at %#llx\n",
	    w.layout.guest_vmpl, w.layout.vcpu_count, (unsigned long long)(w.layout.ram_size >> 20),
	    (unsigned long long)(w.layout.svsm_size >> 20), (unsigned long long)w.layout.svsm_base);
	if (!w.quiet)
		printf("guest workload:\n");
	run_workload(&w);
	csvsm_sim_stats(w.sim, &st);
	mm_get_stats(&heap);
	printf("summary: %u calls, %u as the spec demands (%u refused on purpose); "
	       "%llu guest pages validated\n",
	       w.calls, w.as_expected, w.refused, (unsigned long long)st.pages_validated);
	printf("         %llu VMGEXITs, %llu VMPL switches, %llu #VC, %llu #NPF; "
	       "SVSM heap %zu/%zu pages free, %zu live allocations\n",
	       (unsigned long long)st.vmgexits, (unsigned long long)st.vmpl_switches,
	       (unsigned long long)st.vc_events, (unsigned long long)st.npf_events, heap.free_pages,
	       heap.total_pages, heap.live_allocs);
	csvsm_sim_free(w.sim);
	return w.as_expected == w.calls ? 0 : 1;
}
