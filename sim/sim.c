/* SPDX-License-Identifier: MIT */
/*
 * The harness API (csvsm/sim.h): building the machine, booting the core on
 * it, and the guest's side of every interaction.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/secrets.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/fault.h"
#include "csvsm/plat/entropy.h"
#include "csvsm/svsm.h"
#include "csvsm/vtpm.h"
#include "machine.h"
#include "sim_plat.h"

#define MIB    ((uint64_t)1 << 20)
#define SIM_2M ((uint64_t)2 << 20)

struct csvsm_sim *sim_machine;

void csvsm_sim_config_default(struct csvsm_sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->guest_ram_size = SIM_DEFAULT_RAM_SIZE;
	cfg->svsm_size = SIM_DEFAULT_SVSM_SIZE;
	cfg->vcpu_count = SIM_DEFAULT_VCPUS;
	cfg->guest_vmpl = 2;
	cfg->seed = 1;
}

/* The machine model's host (sim/machine/snp.h): the trace and snapshots. */
static void shim_event(struct sim_snp *m, enum csvsm_sim_event_type type, uint64_t a0, uint64_t a1,
                       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	sim_trace(sim_of(m), type, a0, a1, a2, a3, a4, a5);
}

static void shim_dirty(struct sim_snp *m, uint64_t gpa, uint64_t len)
{
	sim_note_dirty(sim_of(m), gpa, len);
}

static const struct sim_snp_host_ops shim_host = {.event = shim_event, .dirty = shim_dirty};
static bool sim_mem_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static int config_check(const struct csvsm_sim_config *c)
{
	const char *why = NULL;

	if (c->guest_ram_size < 4 * MIB || c->guest_ram_size % SIM_2M ||
	    c->guest_ram_size > ((uint64_t)64 << 30))
		why = "guest_ram_size must be a multiple of 2 MiB in 4 MiB..64 GiB";
	else if (c->svsm_size < 4 * MIB || c->svsm_size % SIM_2M ||
	         c->svsm_size > ((uint64_t)1 << 30))
		why = "svsm_size must be a multiple of 2 MiB in 4 MiB..1 GiB";
	else if (c->vcpu_count < 1 || c->vcpu_count > PLAT_MAX_VCPUS)
		why = "vcpu_count must be 1..64";
	else if (c->guest_vmpl < 1 || c->guest_vmpl > 3)
		why = "guest_vmpl must be 1..3";
	if (why) {
		fprintf(stderr, "csvsm-sim: invalid configuration: %s\n", why);
		return -1;
	}
	return 0;
}

/* The emulated PSP, with the secrets page's VMPCKs and the configured launch. */
static int machine_psp(struct csvsm_sim *sim, const struct snp_secrets_page *secrets)
{
	static const char image[] = "csvsm-sim SVSM image";
	struct sim_psp_config pc;
	unsigned int len = 0;

	memset(&pc, 0, sizeof(pc));
	pc.seed = sim->cfg.seed;
	memcpy(pc.vmpck, secrets->vmpck, sizeof(pc.vmpck));
	memcpy(pc.measurement, sim->cfg.measurement, sizeof(pc.measurement));
	if (sim_mem_is_zero(pc.measurement, sizeof(pc.measurement)) &&
	    (EVP_Digest(image, sizeof(image) - 1, pc.measurement, &len, EVP_sha384(), NULL) != 1 ||
	     len != sizeof(pc.measurement)))
		return -1;
	pc.policy = sim->cfg.guest_policy ? sim->cfg.guest_policy
	                                  : SNP_POLICY_RESERVED_ONE | SNP_POLICY_SMT;
	pc.fast_sign = sim->cfg.psp_fast_sign;
	sim->psp = sim_psp_new(&pc);
	sim->snp.psp = sim->psp;
	OPENSSL_cleanse(&pc, sizeof(pc));
	return sim->psp ? 0 : -1;
}

/* Launch state: what the PSP and the launch measurement would leave. */
static int machine_launch(struct csvsm_sim *sim)
{
	const struct csvsm_sim_config *c = &sim->cfg;
	uint64_t svsm = sim->layout.svsm_base;
	uint64_t guest_rw = RMPADJUST_TARGET_VMPL(c->guest_vmpl) | RMPADJUST_PERM_RWX;
	struct snp_secrets_page *secrets;
	struct vmsa_page *vmsa;
	bool cf;

	/* Guest RAM: private, not validated. */
	for (uint64_t gpa = 0; gpa < c->guest_ram_size;) {
		bool huge = c->rmp_2m && gpa >= SIM_FREE_RAM_BASE;

		if (sim_rmp_update(sim->rmp, gpa, huge ? RMP_PAGE_2M : RMP_PAGE_4K, true) != 0)
			return -1;
		gpa += huge ? SIM_2M : PAGE_SIZE;
	}
	/* The pages the launch validated for the guest: secrets copy and boot CA. */
	for (uint64_t gpa = SIM_GUEST_SECRETS_GPA; gpa <= SIM_BOOT_CAA_GPA; gpa += PAGE_SIZE)
		if (sim_rmp_pvalidate(sim->rmp, 0, gpa, RMP_PAGE_4K, true, &cf) != 0 ||
		    sim_rmp_rmpadjust(sim->rmp, 0, gpa, RMP_PAGE_4K, guest_rw) != 0)
			return -1;
	/* SVSM memory: private, validated, VMPL0 only. */
	for (uint64_t gpa = svsm; gpa < svsm + c->svsm_size; gpa += PAGE_SIZE)
		if (sim_rmp_update(sim->rmp, gpa, RMP_PAGE_4K, true) != 0 ||
		    sim_rmp_pvalidate(sim->rmp, 0, gpa, RMP_PAGE_4K, true, &cf) != 0)
			return -1;

	/* The PSP's secrets page, with VMPCKs from the seeded entropy source. */
	secrets = sim_gpa_host(sim, svsm + SIM_SVSM_PSP_SECRETS, PAGE_SIZE);
	secrets->version = 3;
	if (plat_entropy_get(secrets->vmpck, sizeof(secrets->vmpck)) != 0)
		return -1;
	if (machine_psp(sim, secrets) < 0)
		return -1;

	/* The boot vCPU's guest VMSA. */
	vmsa = sim_gpa_host(sim, svsm + SIM_SVSM_BOOT_VMSA, PAGE_SIZE);
	vmsa->vmpl = c->guest_vmpl;
	vmsa->efer = EFER_SVME;
	vmsa->sev_features = SEV_FEAT_SNP_ACTIVE | SEV_FEAT_RESTRICTED_INJ | SEV_FEAT_DEBUG_SWAP;
	if (sim_rmp_rmpadjust(sim->rmp, 0, svsm + SIM_SVSM_BOOT_VMSA, RMP_PAGE_4K,
	                      RMPADJUST_TARGET_VMPL(c->guest_vmpl) | RMPADJUST_VMSA) != 0)
		return -1;
	sim->snp.vcpus[0].guest_vmsa_gpa = sim->layout.boot_vmsa_gpa;
	sim->snp.vcpus[0].guest_caa_gpa = sim->layout.boot_caa_gpa;
	return 0;
}

/* Entry of a vCPU's VMPL0 context: the SVSM, from its first instruction. */
static void vmpl0_entry(void *arg)
{
	struct csvsm_sim *sim = arg;

	if (sim->current_vcpu == 0) {
		sim->boot_rc = svsm_boot();
		sim_trace(sim, CSVSM_EV_BOOT, (uint64_t)(int64_t)sim->boot_rc, 0, 0, 0, 0, 0);
		while (sim->boot_rc < 0)
			sim_enter_guest(sim); /* a failed boot never serves calls */
	}
	svsm_vcpu_loop();
}

void sim_enter_guest(struct csvsm_sim *sim)
{
	sim->snp.stats.vmpl_switches++;
	sim_trace(sim, CSVSM_EV_VMPL_SWITCH, 0, sim->cfg.guest_vmpl, 0, 0, 0, 0);
	sim->running_vmpl = sim->cfg.guest_vmpl;
	sim_ctx_switch(&sim->vcpus[sim->current_vcpu].vmpl0, &sim->harness);
}

void sim_enter_vmpl0(struct csvsm_sim *sim, unsigned int vcpu)
{
	sim->current_vcpu = vcpu;
	sim->snp.stats.vmpl_switches++;
	sim_trace(sim, CSVSM_EV_VMPL_SWITCH, sim->cfg.guest_vmpl, 0, 0, 0, 0, 0);
	sim->running_vmpl = 0;
	if (sim->image)
		sim_kvm_image_run(sim, vcpu);
	else
		sim_ctx_switch(&sim->harness, &sim->vcpus[vcpu].vmpl0);
	sim->running_vmpl = sim->cfg.guest_vmpl;
}

/* Starts the VMPL0 context of `vcpu`: it runs until it first enters the guest. */
static int start_vmpl0(struct csvsm_sim *sim, unsigned int vcpu)
{
	struct sim_vcpu *v = &sim->vcpus[vcpu];

	if (v->vmpl0_created)
		return 0;
	if (sim->image ? sim_kvm_image_start(sim, vcpu) != 0
	               : sim_ctx_create(&v->vmpl0, SIM_VMPL0_STACK, vmpl0_entry, sim) != 0)
		return -1;
	v->vmpl0_created = true;
	sim_enter_vmpl0(sim, vcpu);
	return 0;
}

/* Every guest command the vTPM ran becomes an event (vtpm_set_observer). */
static void sim_vtpm_observed(void *ctx, uint32_t cc, size_t cmd_len, uint32_t rc, size_t rsp_len)
{
	sim_trace(ctx, CSVSM_EV_VTPM, cc, cmd_len, rc, rsp_len, 0, 0);
}

struct csvsm_sim *csvsm_sim_new(const struct csvsm_sim_config *cfg)
{
	struct csvsm_sim *sim;
	struct csvsm_sim_config defaults;

	if (sim_machine) {
		fprintf(stderr, "csvsm-sim: a simulator already exists in this process\n");
		return NULL;
	}
	if (!cfg) {
		csvsm_sim_config_default(&defaults);
		cfg = &defaults;
	}
	if (config_check(cfg) < 0)
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->cfg = *cfg;
	sim->phys_limit = cfg->guest_ram_size + cfg->svsm_size;
	sim->map_size = sim->phys_limit + SIM_2M;
	sim->map = mmap(NULL, sim->map_size, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sim->map == MAP_FAILED) {
		fprintf(stderr, "csvsm-sim: cannot map %llu MiB of guest memory\n",
		        (unsigned long long)(sim->phys_limit / MIB));
		free(sim);
		return NULL;
	}
	sim->mem = (uint8_t *)(((uintptr_t)sim->map + SIM_2M - 1) & ~(uintptr_t)(SIM_2M - 1));
	sim->layout.ram_base = 0;
	sim->layout.ram_size = cfg->guest_ram_size;
	sim->layout.svsm_base = cfg->guest_ram_size;
	sim->layout.svsm_size = cfg->svsm_size;
	sim->layout.secrets_gpa = SIM_GUEST_SECRETS_GPA;
	sim->layout.boot_caa_gpa = SIM_BOOT_CAA_GPA;
	sim->layout.boot_vmsa_gpa = cfg->guest_ram_size + SIM_SVSM_BOOT_VMSA;
	sim->layout.free_ram_base = SIM_FREE_RAM_BASE;
	sim->layout.vcpu_count = cfg->vcpu_count;
	sim->layout.guest_vmpl = cfg->guest_vmpl;
	sim->trace_fn = cfg->trace;
	sim->trace_ctx = cfg->trace_ctx;
	sim_machine = sim;
	sim_entropy_seed(cfg->seed);
	if (cfg->vtpm_rand_from_seed && sim_vtpm_rand_seed(cfg->seed) < 0) {
		fprintf(stderr, "csvsm-sim: cannot seed the vTPM's randomness\n");
		csvsm_sim_free(sim);
		return NULL;
	}
	vtpm_set_observer(sim_vtpm_observed, sim);
	sim_time_reset();
	fault_reset();
	sim->rmp = sim_rmp_new(sim->phys_limit);
	sim_snp_init(&sim->snp, &shim_host, sim->rmp, sim->mem, sim->phys_limit,
	             cfg->guest_ram_size, cfg->vcpu_count, cfg->guest_vmpl);
	sim->snp.sev_info = cfg->hv_sev_info;
	sim->snp.features = cfg->hv_features;
	if (!sim->rmp || machine_launch(sim) < 0) {
		fprintf(stderr, "csvsm-sim: cannot build the machine\n");
		csvsm_sim_free(sim);
		return NULL;
	}
	sim_heap_use(sim->mem + sim->layout.svsm_base + SIM_SVSM_HEAP_OFFSET,
	             cfg->svsm_size - SIM_SVSM_HEAP_OFFSET);
	sim_ctx_init_current(&sim->harness);
	if (cfg->kvm_image && sim_kvm_image_attach(sim, cfg->kvm_image) < 0) {
		csvsm_sim_free(sim);
		return NULL;
	}
	if (start_vmpl0(sim, 0) < 0 || sim->boot_rc < 0) {
		fprintf(stderr, "csvsm-sim: the SVSM did not boot (%d)\n", sim->boot_rc);
		csvsm_sim_free(sim);
		return NULL;
	}
	if (cfg->kvm_guest && sim_kvm_guest_attach(sim, cfg->kvm_guest) < 0) {
		csvsm_sim_free(sim);
		return NULL;
	}
	return sim;
}

void csvsm_sim_free(struct csvsm_sim *sim)
{
	if (!sim)
		return;
	sim_kvm_guest_detach(sim);
	vtpm_boot_stop(); /* commits the vTPM's state, if the machine had one */
	vtpm_set_observer(NULL, NULL);
	sim_vtpm_rand_restore();
	sim_nvdev_machine_gone();
	sim_snapshot_release(sim);
	for (unsigned int i = 0; i < PLAT_MAX_VCPUS && !sim->image; i++)
		if (sim->vcpus[i].vmpl0_created)
			sim_ctx_destroy(&sim->vcpus[i].vmpl0);
	sim_kvm_image_detach(sim);
	sim_ctx_destroy(&sim->harness);
	sim_heap_use(NULL, 0);
	sim_rmp_free(sim->rmp);
	sim_psp_free(sim->psp);
	munmap(sim->map, sim->map_size);
	if (sim_machine == sim)
		sim_machine = NULL;
	free(sim);
}

void csvsm_sim_layout(const struct csvsm_sim *sim, struct csvsm_sim_layout *out)
{
	*out = sim->layout;
}

int csvsm_sim_guest_access(struct csvsm_sim *sim, uint64_t gpa, size_t len,
                           enum csvsm_sim_access_kind kind)
{
	if (len && gpa + len < gpa)
		return -1;
	return sim_snp_check_access(&sim->snp, sim->cfg.guest_vmpl, gpa, len, (unsigned int)kind);
}

int csvsm_sim_guest_probe(const struct csvsm_sim *sim, uint64_t gpa, size_t len,
                          enum csvsm_sim_access_kind kind)
{
	if (len && gpa + len < gpa)
		return -1;
	switch (sim_rmp_check(sim->rmp, sim->cfg.guest_vmpl, gpa, len, (unsigned int)kind, NULL)) {
	case SIM_ACCESS_OK:
		return CSVSM_SIM_ACCESS_OK;
	case SIM_ACCESS_VC:
		return CSVSM_SIM_ACCESS_VC;
	default:
		return CSVSM_SIM_ACCESS_NPF;
	}
}

int csvsm_sim_guest_write(struct csvsm_sim *sim, uint64_t gpa, const void *buf, size_t len)
{
	int rc;

	if (!buf)
		return -1;
	rc = csvsm_sim_guest_access(sim, gpa, len, CSVSM_SIM_WRITE);
	if (rc == CSVSM_SIM_ACCESS_OK && len && sim->kvm)
		return sim_kvm_guest_write(sim, gpa, buf, len);
	if (rc == CSVSM_SIM_ACCESS_OK && len) {
		sim_note_dirty(sim, gpa, len);
		memcpy(sim->mem + gpa, buf, len);
	}
	return rc;
}

int csvsm_sim_guest_read(struct csvsm_sim *sim, uint64_t gpa, void *buf, size_t len)
{
	int rc;

	if (!buf)
		return -1;
	rc = csvsm_sim_guest_access(sim, gpa, len, CSVSM_SIM_READ);
	if (rc == CSVSM_SIM_ACCESS_OK && len && sim->kvm)
		return sim_kvm_guest_read(sim, gpa, buf, len);
	if (rc == CSVSM_SIM_ACCESS_OK && len)
		memcpy(buf, sim->mem + gpa, len);
	return rc;
}

/* True while the page of v's guest VMSA is still a VMSA in the RMP (validated, VMSA bit). */
static bool vmsa_page_intact(struct csvsm_sim *sim, unsigned int vcpu)
{
	uint64_t gpa = sim->snp.vcpus[vcpu].guest_vmsa_gpa;

	return gpa && sim_rmp_vmsa_page(sim->rmp, gpa, true);
}

/* What Linux does after some successful calls (arch/x86/coco/sev). */
void sim_after_call(struct csvsm_sim *sim, unsigned int vcpu, const struct csvsm_regs *in,
                    const struct csvsm_regs *out)
{
	uint32_t call = SVSM_CALL_ID(in->rax);

	if (SVSM_PROTOCOL(in->rax) != SVSM_PROTO_CORE || out->rax != SVSM_SUCCESS)
		return;
	if (call == SVSM_CORE_REMAP_CA) {
		sim->snp.vcpus[vcpu].guest_caa_gpa = in->rcx;
	} else if (call == SVSM_CORE_CREATE_VCPU && (uint32_t)in->r8 < sim->cfg.vcpu_count) {
		/* The AP creation NAE (0x8000_0013): the hypervisor records the VMSA. */
		unsigned int apic_id = (uint32_t)in->r8;

		sim_hv_ap_create(&sim->snp, apic_id, in->rcx, in->rdx);
		if (start_vmpl0(sim, apic_id) < 0)
			sim->snp.vcpus[apic_id].guest_vmsa_gpa = 0;
		sim->current_vcpu = vcpu;
	} else if (call == SVSM_CORE_DELETE_VCPU) {
		sim_hv_ap_destroy(&sim->snp, in->rcx);
	}
}

int csvsm_sim_call(struct csvsm_sim *sim, unsigned int vcpu, struct csvsm_regs *io)
{
	static const uint8_t one = 1;
	struct csvsm_regs in = *io;
	struct vmsa_page *vmsa;
	uint64_t caa;
	uint8_t *pending;

	if (sim->kvm)
		return sim_kvm_guest_call(sim, vcpu, io);
	io->serviced = false;
	if (sim->snp.terminated || vcpu >= sim->cfg.vcpu_count ||
	    !(vmsa = sim_hv_runnable_vmsa(&sim->snp, vcpu)))
		return -1;
	sim->current_vcpu = vcpu; /* the guest's events happen on this vCPU */
	caa = sim->snp.vcpus[vcpu].guest_caa_gpa;
	/* The guest: registers, call_pending = 1, MSR 0x016 run VMPL0, VMGEXIT. */
	vmsa->rax = io->rax;
	vmsa->rcx = io->rcx;
	vmsa->rdx = io->rdx;
	vmsa->r8 = io->r8;
	vmsa->r9 = io->r9;
	sim_trace(sim, CSVSM_EV_CALL, io->rax, io->rcx, io->rdx, io->r8, io->r9, 0);
	/* csvsm_sim_guest_write of the byte, without the copy. */
	if (csvsm_sim_guest_access(sim, caa, 1, CSVSM_SIM_WRITE) != CSVSM_SIM_ACCESS_OK)
		return -1;
	pending = sim_gpa_host(sim, caa, 1);
	*pending = one;
	if (sim_hv_run_vmpl(&sim->snp, sim->cfg.guest_vmpl, 0) < 0) {
		pending = sim_gpa_host(sim, caa, 1);
		__atomic_exchange_n(pending, 0, __ATOMIC_SEQ_CST);
		return -1;
	}
	vmsa->guest_exit_code = VMEXIT_VMGEXIT;
	sim->snp.stats.calls++;
	sim_enter_vmpl0(sim, vcpu);
	/*
	 * The hypervisor took the VMSA away during the call: this vCPU's guest
	 * never runs again (whatever the page holds now is not its state).
	 */
	if (!vmsa_page_intact(sim, vcpu))
		return -1;
	/* Back at the guest VMPL: results, then xchg(call_pending, 0). */
	io->rax = vmsa->rax;
	io->rcx = vmsa->rcx;
	io->rdx = vmsa->rdx;
	io->r8 = vmsa->r8;
	io->r9 = vmsa->r9;
	if (csvsm_sim_guest_access(sim, caa, 1, CSVSM_SIM_WRITE) == CSVSM_SIM_ACCESS_OK) {
		pending = sim_gpa_host(sim, caa, 1);
		io->serviced = __atomic_exchange_n(pending, 0, __ATOMIC_SEQ_CST) == 0;
	}
	sim_trace(sim, CSVSM_EV_RESULT, io->rax, io->rcx, io->rdx, io->r8, io->r9, io->serviced);
	if (io->serviced)
		sim_after_call(sim, vcpu, &in, io);
	return 0;
}

uint64_t csvsm_sim_rmp_changes(const struct csvsm_sim *sim)
{
	return sim_rmp_writes(sim->rmp);
}

uint64_t csvsm_sim_rmp_key(const struct csvsm_sim *sim, uint64_t gpa)
{
	return sim_rmp_key(sim->rmp, gpa);
}

int csvsm_sim_rmp_query(const struct csvsm_sim *sim, uint64_t gpa, struct csvsm_sim_rmp_entry *out)
{
	struct sim_rmp_entry e;

	if (sim_rmp_query(sim->rmp, gpa, &e) != 0)
		return -1;
	out->assigned = e.assigned;
	out->validated = e.validated;
	out->vmsa = e.vmsa;
	out->page_size = e.size == RMP_PAGE_2M ? 1 : 0;
	memcpy(out->perms, e.perms, sizeof(out->perms));
	return 0;
}

int csvsm_sim_guest_psc(struct csvsm_sim *sim, uint64_t gpa, unsigned int page_size,
                        bool to_private)
{
	return sim_hv_psc(&sim->snp, gpa, page_size, to_private);
}

void csvsm_sim_set_hv_policy(struct csvsm_sim *sim, const struct csvsm_sim_hv_policy *policy)
{
	sim_hv_set_policy(&sim->snp, policy);
}

void csvsm_sim_get_hv_policy(const struct csvsm_sim *sim, struct csvsm_sim_hv_policy *out)
{
	*out = sim->snp.policy;
}

uint64_t csvsm_sim_guest_msr(struct csvsm_sim *sim, unsigned int vcpu, uint64_t request)
{
	if (vcpu >= sim->cfg.vcpu_count || sim->snp.terminated)
		return 0;
	sim->current_vcpu = vcpu; /* the events happen on this vCPU */
	if (sim->kvm)
		return sim_kvm_guest_msr(sim, vcpu, request);
	return sim_hv_guest_msr(&sim->snp, vcpu, request);
}

bool csvsm_sim_terminated(const struct csvsm_sim *sim, unsigned int *set, unsigned int *reason)
{
	if (set)
		*set = sim->snp.term_set;
	if (reason)
		*reason = sim->snp.term_reason;
	return sim->snp.terminated;
}

int csvsm_sim_hv_remap(struct csvsm_sim *sim, uint64_t gpa, uint8_t fill)
{
	return sim_hv_remap(&sim->snp, gpa, fill);
}

int csvsm_sim_hv_enter_svsm(struct csvsm_sim *sim, unsigned int vcpu, uint64_t exit_code)
{
	struct vmsa_page *vmsa;

	if (sim->kvm || sim->image || sim->snp.terminated || vcpu >= sim->cfg.vcpu_count ||
	    !sim->vcpus[vcpu].vmpl0_created || !(vmsa = sim_hv_runnable_vmsa(&sim->snp, vcpu)))
		return -1;
	sim->current_vcpu = vcpu;
	vmsa->guest_exit_code = exit_code;
	sim_trace(sim, CSVSM_EV_HV_ACTION, CSVSM_HV_ENTER_SVSM, exit_code, 0, 0, 0, 0);
	sim_enter_vmpl0(sim, vcpu);
	return 0;
}

int csvsm_sim_poke_check(struct csvsm_sim *sim, uint64_t gpa, size_t len)
{
	uint64_t svsm = sim->layout.svsm_base, svsm_end = svsm + sim->layout.svsm_size;

	if (!sim_gpa_host(sim, gpa, len))
		return CSVSM_SIM_POKE_OUTSIDE;
	/* SVSM memory is assigned to VMPL0 alone: the hypervisor's writes fault
	 * on the RMP check, DMA to it is blocked, and the guest has no write
	 * permission (SNP ABI, RMP checks; architecture.md). */
	if (gpa < svsm_end && svsm < gpa + len)
		return CSVSM_SIM_POKE_SVSM;
	return 0;
}

int csvsm_sim_poke(struct csvsm_sim *sim, uint64_t gpa, const void *buf, size_t len)
{
	int rc;

	if (!buf)
		return CSVSM_SIM_POKE_OUTSIDE;
	if ((rc = csvsm_sim_poke_check(sim, gpa, len)) != 0)
		return rc;
	memcpy(sim_gpa_host(sim, gpa, len), buf, len);
	sim_trace(sim, CSVSM_EV_HV_ACTION, CSVSM_HV_POKE, gpa, 0, 0, 0, 0);
	return 0;
}

void csvsm_sim_stats(const struct csvsm_sim *sim, struct csvsm_sim_stats *out)
{
	*out = sim->snp.stats;
	out->kvm_image_exits = sim_kvm_image_exits(sim);
	out->kvm_exits = sim_kvm_guest_exits(sim) + out->kvm_image_exits;
	out->pages_validated =
	    sim_rmp_count_validated(sim->rmp) - sim->layout.svsm_size / PAGE_SIZE;
}
