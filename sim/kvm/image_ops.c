/* SPDX-License-Identifier: MIT */
/*
 * The SVSM image as VMPL0 of the harness (cfg.kvm_image, `csvsm-sim
 * --target kvm`; machine.h): src/csvsm-kvm.elf runs in a KVM VM of its own
 * beside the guest program's, on the same machine model (sim->snp over
 * sim->mem) as the shim, with the same events. docs/kvm-snp.md.
 *
 * The image's VM has two memory slots: its private memory at GPA 0 (the
 * image, its stacks and heap; nothing else sees it) and the whole SNP
 * machine's guest physical space (sim->mem: guest RAM, then SVSM memory) at
 * IMAGE_ALIAS_BASE, which the image maps at the same virtual address. So
 * every GPA in a trace is the machine's, as in the shim.
 *
 * One host thread runs whichever KVM vCPU is current: the guest program's
 * until its VMGEXIT, then the image's vCPU of the same index until its
 * run-VMPL VMGEXIT (sim_enter_vmpl0), then the guest program's again.
 * Deterministic: nothing runs concurrently, and the image sees no clock but
 * its TSC, which no event depends on. Threaded (sim_set_threaded, only
 * tests/kvm_smp_stress.c): several host threads each run their own vCPU's
 * pair at once; each request of the image is handled under the machine
 * mutex, KVM_RUN runs without it, the fast path is off, and there is no
 * per-turn timer (the test bounds the run).
 *
 * Requests (port KVMSNP_PORT_SNP): VCPU_INDEX, PVALIDATE, RMPADJUST and
 * ACCESS through snp_pv.c; guest-memory copies, the exchange and guest
 * requests through the shim's own platform functions (sim/plat_machine.c,
 * sim/plat_guest_msg.c) on the image's buffers, so the two targets share
 * one implementation of every rule, hooks and events included.
 */
#define _GNU_SOURCE 1 /* fopencookie */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/kvm_runner.h"
#include "csvsm/abi/kvm_snp.h"
#include "csvsm/blkdev.h"
#include "csvsm/error.h"
#include "csvsm/plat/console.h"
#include "csvsm/plat/dma.h"
#include "csvsm/plat/entropy.h"
#include "csvsm/plat/guest_msg.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/mmio.h"
#include "csvsm/plat/vmpl.h"
#include "csvsm/sim_mmio.h"
#include "csvsm/sim_nv.h"
#include "kvm_runner.h"
#include "machine.h"
#include "sim_plat.h"
#include "snp_pv.h"

#define IMAGE_ALIAS_BASE    ((uint64_t)4 << 30) /* the machine's GPA 0 in the image's VM */
#define IMAGE_MEM_MIB       64u                 /* the image's private memory */
#define IMAGE_FILE_MAX      ((size_t)64 << 20)
#define IMAGE_CMDLINE       "snp-machine"
#define IMAGE_VTPM_HEAP_MIB "16" /* of the image's IMAGE_MEM_MIB */
#define IMAGE_ALIAS_SLOT    2u   /* slot 1 is the NV flash's read-only window (nvdev_kvm.c) */
#define IMAGE_DMA_SLOT      3u   /* the shim's DMA arena, at its bus addresses */
#define IMAGE_FLASH_SLOT    4u   /* the machine's flash in read-array mode, read-only */
#define IMAGE_TURN_S        120u /* one VMPL0 turn longer than this: the image hangs */
#define IMAGE_VTPM_TURN_S   900u /* the same with the vTPM's work in it (as tpm-server) */
#define PROF_DEPTH          6u

struct sim_kvm_image {
	struct kvm_machine m; /* private memory at 0 (slot 0), the vCPUs, console ports */
	bool sync_regs;
	uint64_t ap_entry;          /* x86_ap_entry64, 0 = none */
	struct kvm_sregs bsp_sregs; /* the boot vCPU's, at BOOT_DONE (APs start with them) */
	bool have_bsp_sregs;
	struct kvmsnp_shared *shared; /* in the image's memory, after HELLO */
	uint64_t bitmap_gen;          /* sim_rmp_writes when the bitmap was last right */
	bool bitmap_valid;
	bool dead; /* the image stopped: no VMPL0 any more */
	/* The vTPM's NV device, as the shim's machine has it (docs/kvm-snp.md). */
	uint32_t nv_kind;            /* enum kvmsnp_nv */
	struct sim_nvdev_view nvdev; /* nv_kind PFLASH/VIRTIO: sim/nvdev.c's device */
	struct blkdev *nv_host;      /* nv_kind HOST: the shim's current device */
	bool flash_mapped;           /* IMAGE_FLASH_SLOT is mapped */
	bool rand_replay;            /* the image's randomness: the seed's stream */
	struct sigaction old_alarm;  /* restored at detach */
	uint64_t exits;
	uint64_t requests, vmgexits;
	/* CSVSM_IMAGE_PROFILE=FILE: exits by kind and sampled RIPs, written at detach. */
	FILE *prof;
	uint64_t prof_t0_ns;
	uint64_t req_count[32], mmio_exits, console_exits, other_exits;
	uint64_t nsamples;
	struct prof_sample {
		uint64_t rip, n;
		uint64_t caller[PROF_DEPTH]; /* return addresses along the RBP chain */
	} * samples;
	size_t nsample_slots;
};

/* ---- a turn that never ends ------------------------------------------- */

static volatile sig_atomic_t turn_timed_out;

static void on_turn_alarm(int sig)
{
	(void)sig;
	turn_timed_out = 1;
}

/* Arms (on) or disarms the timer of one VMPL0 turn; KVM_RUN returns EINTR when it fires. */
static unsigned int image_turn_s = IMAGE_TURN_S; /* cfg.kvm_image_turn_s when set */

static void turn_timer(bool on)
{
	struct itimerval it = {{0, 0}, {on ? (time_t)image_turn_s : 0, 0}};

	turn_timed_out = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- profiling (CSVSM_IMAGE_PROFILE=FILE; docs/kvm-snp.md) ------------- */

/*
 * Where the image's time goes: every PROF_PERIOD_US of this process's CPU
 * time SIGPROF interrupts KVM_RUN (no SA_RESTART), and the runner records
 * the image vCPU's RIP; at detach the RIP histogram, the exits by kind and
 * the wall time go to FILE (scripts/kvm-image-profile.sh names the
 * functions). Off unless the variable is set: one getenv per attach.
 */
#define PROF_PERIOD_US 5000
#define PROF_SLOTS     8192

static volatile sig_atomic_t prof_tick;

static void on_prof(int sig)
{
	(void)sig;
	prof_tick = 1;
}

static void prof_start(struct sim_kvm_image *k)
{
	const char *path = getenv("CSVSM_IMAGE_PROFILE");
	struct sigaction sa = {0};
	struct itimerval it = {{0, PROF_PERIOD_US}, {0, PROF_PERIOD_US}};
	struct timespec ts;

	if (!path || !*path)
		return;
	k->prof = fopen(path, "w");
	k->samples = calloc(PROF_SLOTS, sizeof(*k->samples));
	if (!k->prof || !k->samples) {
		fprintf(stderr, "csvsm-sim: CSVSM_IMAGE_PROFILE=%s: cannot profile\n", path);
		if (k->prof)
			fclose(k->prof);
		free(k->samples);
		k->prof = NULL;
		k->samples = NULL;
		return;
	}
	k->nsample_slots = PROF_SLOTS;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	k->prof_t0_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	sa.sa_handler = on_prof; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
}

/* The return addresses along the image's RBP chain (frame pointers; best effort). */
static void prof_stack(struct sim_kvm_image *k, uint64_t rbp, uint64_t *out)
{
	for (unsigned int i = 0; i < PROF_DEPTH; i++) {
		uint64_t frame[2];

		out[i] = 0;
		if (rbp == 0 || rbp % 8 || rbp + 16 > k->m.mem_size)
			continue;
		memcpy(frame, k->m.mem + rbp, sizeof(frame));
		out[i] = frame[1];
		rbp = frame[0];
	}
}

static void prof_sample(struct sim_kvm_image *k, struct krun_vcpu *c)
{
	uint64_t stack[PROF_DEPTH], key;
	struct kvm_regs r;
	size_t h, start;

	prof_tick = 0;
	if (!k->samples || ioctl(c->fd, KVM_GET_REGS, &r) < 0)
		return;
	k->nsamples++;
	prof_stack(k, r.rbp, stack);
	key = r.rip;
	for (unsigned int i = 0; i < PROF_DEPTH; i++)
		key = key * 31 + stack[i];
	start = (key >> 2) % k->nsample_slots;
	for (h = start;; h = (h + 1) % k->nsample_slots) {
		struct prof_sample *p = &k->samples[h];

		if (p->n == 0 || (p->rip == r.rip && !memcmp(p->caller, stack, sizeof(stack)))) {
			p->rip = r.rip;
			memcpy(p->caller, stack, sizeof(stack));
			p->n++;
			return;
		}
		if ((h + 1) % k->nsample_slots == start)
			return; /* full: drop the sample */
	}
}

static void prof_event(struct sim_kvm_image *k, const char *what)
{
	struct timespec ts;

	if (!k->prof)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(k->prof, "# %.3f s %s (exits %llu, samples %llu)\n",
	        ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec - k->prof_t0_ns) / 1e9,
	        what, (unsigned long long)k->exits, (unsigned long long)k->nsamples);
}

static void prof_finish(struct sim_kvm_image *k)
{
	struct itimerval off = {{0, 0}, {0, 0}};

	if (!k->prof)
		return;
	setitimer(ITIMER_PROF, &off, NULL);
	signal(SIGPROF, SIG_DFL);
	prof_event(k, "detach");
	fprintf(k->prof,
	        "# exits: %llu (requests %llu, vmgexits %llu, mmio %llu, console/other "
	        "%llu/%llu)\n",
	        (unsigned long long)k->exits, (unsigned long long)k->requests,
	        (unsigned long long)k->vmgexits, (unsigned long long)k->mmio_exits,
	        (unsigned long long)k->console_exits, (unsigned long long)k->other_exits);
	for (unsigned int i = 0; i < 32; i++)
		if (k->req_count[i])
			fprintf(k->prof, "# request %u: %llu\n", i,
			        (unsigned long long)k->req_count[i]);
	fprintf(k->prof, "# samples every %u us of CPU time: rip count caller...\n",
	        PROF_PERIOD_US);
	for (size_t i = 0; i < k->nsample_slots; i++) {
		if (!k->samples[i].n)
			continue;
		fprintf(k->prof, "%#llx %llu", (unsigned long long)k->samples[i].rip,
		        (unsigned long long)k->samples[i].n);
		for (unsigned int d = 0; d < PROF_DEPTH; d++)
			fprintf(k->prof, " %#llx", (unsigned long long)k->samples[i].caller[d]);
		fputc('\n', k->prof);
	}
	fclose(k->prof);
	free(k->samples);
	k->prof = NULL;
	k->samples = NULL;
}

/* ---- loading ------------------------------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "csvsm-sim: SVSM image %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(IMAGE_FILE_MAX + 1);
	n = buf ? fread(buf, 1, IMAGE_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n == 0 || n > IMAGE_FILE_MAX) {
		fprintf(stderr, "csvsm-sim: SVSM image %s: unreadable or larger than 64 MiB\n",
		        path);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int kvm_image_has_vtpm(const char *path)
{
	size_t len;
	uint8_t *buf = read_file(path, &len);
	int has;

	if (!buf)
		return -1;
	has = kvm_image_symbol(buf, len, "TPMLIB_Process") != 0;
	free(buf);
	return has;
}

/* The image's console lines go where the shim's core writes (plat_console_write). */
static ssize_t console_cookie_write(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	plat_console_write(buf, len);
	return (ssize_t)len;
}

/* ---- the vTPM's NV device (docs/kvm-snp.md, "The vTPM's NV device") -- */

static int set_slot(struct sim_kvm_image *k, uint32_t slot, uint32_t flags, uint64_t gpa,
                    uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {.slot = slot,
	                                        .flags = flags,
	                                        .guest_phys_addr = gpa,
	                                        .memory_size = size,
	                                        .userspace_addr = (uint64_t)(uintptr_t)host};

	if (ioctl(k->m.vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		fprintf(stderr, "csvsm-sim: the SVSM image's memory slot %u: %s\n", slot,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* The flash is mapped read-only exactly while the shim serves its reads like memory. */
static int flash_sync(struct sim_kvm_image *k)
{
	bool want = sim_nvdev_direct_reads();

	if (k->nv_kind != KVMSNP_NV_PFLASH || want == k->flash_mapped)
		return 0;
	if (set_slot(k, IMAGE_FLASH_SLOT, KVM_MEM_READONLY, k->nvdev.base,
	             want ? k->nvdev.medium_size : 0, k->nvdev.medium) < 0)
		return -1;
	k->flash_mapped = want;
	return 0;
}

/*
 * The device the shim's machine would give the core, given to the image:
 * an attached MMIO device (sim/nvdev.c, config nv=) at the shim's
 * addresses with the shim's DMA arena, else the shim's current block
 * device (host memory, sim_nv_current) behind KVMSNP_REQ_NV. Not with
 * cfg.kvm_image_nv (tpm-server's own device, nvdev=) nor for an image
 * without the vTPM (nothing would use it).
 */
static int nv_attach(struct csvsm_sim *sim, struct sim_kvm_image *k, bool has_vtpm)
{
	void *arena;

	if (sim->cfg.kvm_image_nv || !has_vtpm)
		return 0;
	if (sim_nvdev_view(&k->nvdev) == 0) {
		k->nv_kind = k->nvdev.pflash ? KVMSNP_NV_PFLASH : KVMSNP_NV_VIRTIO;
		arena = sim_dma_arena();
		if (!arena ||
		    set_slot(k, IMAGE_DMA_SLOT, 0, SIM_DMA_BASE, SIM_DMA_BYTES, arena) < 0)
			return -1;
		return flash_sync(k);
	}
	k->nv_host = sim_nv_current();
	if (k->nv_host)
		k->nv_kind = KVMSNP_NV_HOST;
	return 0;
}

/* An MMIO exit in the device's window: the shim's bus (its events, its model). */
static bool nv_mmio(struct sim_kvm_image *k, struct kvm_run *run)
{
	uint64_t gpa = run->mmio.phys_addr, val = 0;
	unsigned int len = run->mmio.len;

	if ((k->nv_kind != KVMSNP_NV_PFLASH && k->nv_kind != KVMSNP_NV_VIRTIO) ||
	    gpa < k->nvdev.base || gpa - k->nvdev.base >= k->nvdev.window ||
	    len > k->nvdev.window - (gpa - k->nvdev.base) ||
	    (len != 1 && len != 2 && len != 4 && len != 8))
		return false;
	if (run->mmio.is_write) {
		memcpy(&val, run->mmio.data, len);
		switch (len) {
		case 1:
			plat_mmio_write8(gpa, (uint8_t)val);
			break;
		case 2:
			plat_mmio_write16(gpa, (uint16_t)val);
			break;
		case 4:
			plat_mmio_write32(gpa, (uint32_t)val);
			break;
		default:
			plat_mmio_write64(gpa, val);
			break;
		}
		return flash_sync(k) == 0;
	}
	switch (len) {
	case 1:
		val = plat_mmio_read8(gpa);
		break;
	case 2:
		val = plat_mmio_read16(gpa);
		break;
	case 4:
		val = plat_mmio_read32(gpa);
		break;
	default:
		val = plat_mmio_read64(gpa);
		break;
	}
	memcpy(run->mmio.data, &val, len);
	return true;
}

int sim_kvm_image_attach(struct csvsm_sim *sim, const char *path)
{
	static const cookie_io_functions_t console_io = {.write = console_cookie_write};
	struct kvm_options o = {.mem_mib = IMAGE_MEM_MIB, .vcpus = sim->cfg.vcpu_count};
	struct kvm_userspace_memory_region alias;
	struct sim_kvm_image *k;
	struct kvm_image img;
	char err[256], cmdline[sizeof(IMAGE_CMDLINE) + 160];
	uint8_t *buf;
	size_t len;
	int rc;

	buf = read_file(path, &len);
	if (!buf)
		return -1;
	if (kvm_image_parse(buf, len, (uint64_t)IMAGE_MEM_MIB << 20, &img, err, sizeof(err)) < 0) {
		fprintf(stderr, "csvsm-sim: SVSM image %s: %s\n", path, err);
		free(buf);
		return -1;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		free(buf);
		return -1;
	}
	k->ap_entry = kvm_image_symbol(buf, len, KVMRUN_AP_ENTRY_SYMBOL);
	rc = kvm_machine_create(&k->m, &o, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "csvsm-sim: the SVSM image's VM: %s\n", err);
		goto fail;
	}
	k->m.out = fopencookie(NULL, "w", console_io);
	if (!k->m.out) {
		k->m.out = stdout;
		goto fail;
	}
	setvbuf(k->m.out, NULL, _IOLBF, 0);
	alias = (struct kvm_userspace_memory_region){
	    .slot = IMAGE_ALIAS_SLOT,
	    .guest_phys_addr = IMAGE_ALIAS_BASE,
	    .memory_size = sim->phys_limit,
	    .userspace_addr = (uint64_t)(uintptr_t)sim->mem,
	};
	if (ioctl(k->m.vm_fd, KVM_SET_USER_MEMORY_REGION, &alias) < 0) {
		fprintf(stderr, "csvsm-sim: the SVSM image's view of guest memory: %s\n",
		        strerror(errno));
		goto fail;
	}
	k->sync_regs = ioctl(k->m.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) > 0;
	for (unsigned int i = 0; i < k->m.nvcpu && k->sync_regs; i++)
		k->m.vcpu[i].run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	kvm_image_load(&img, buf, k->m.mem);
	if (nv_attach(sim, k, kvm_image_symbol(buf, len, "TPMLIB_Process") != 0) < 0)
		goto fail;
	k->rand_replay = sim->cfg.vtpm_rand_from_seed;
	/*
	 * A turn of an image with the vTPM includes libtpms' work (its boot:
	 * manufacture, self-tests, the EK), minutes where KVM emulates ring 0
	 * (docs/kvm-snp.md, "The vTPM's cost"), so it gets IMAGE_VTPM_TURN_S.
	 */
	image_turn_s = sim->cfg.kvm_image_turn_s      ? sim->cfg.kvm_image_turn_s
	               : k->nv_kind != KVMSNP_NV_NONE ? IMAGE_VTPM_TURN_S
	                                              : IMAGE_TURN_S;
	/*
	 * The heap: the core alone lives in the image's default 1 MiB; libtpms
	 * and OpenSSL need more (keys, the sealed NV commit's buffers), so an
	 * image with the vTPM gets IMAGE_VTPM_HEAP_MIB ("heap-mib=N").
	 */
	snprintf(cmdline, sizeof(cmdline), "%s%s", IMAGE_CMDLINE,
	         kvm_image_symbol(buf, len, "TPMLIB_Process") ? " heap-mib=" IMAGE_VTPM_HEAP_MIB
	                                                      : "");
	/* The vTPM's NV device: a device model behind the image's MMIO exits ("nvdev=SPEC"). */
	if (sim->cfg.kvm_image_nv) {
		char spec[128];
		size_t used = strlen(cmdline);

		if (kvm_nvdev_attach(&k->m, sim->cfg.kvm_image_nv, spec, sizeof(spec)) < 0)
			goto fail;
		if ((size_t)snprintf(cmdline + used, sizeof(cmdline) - used, " %s", spec) >=
		    sizeof(cmdline) - used) {
			fprintf(stderr, "csvsm-sim: the SVSM image's command line is too long\n");
			goto fail;
		}
	}
	if (kvm_machine_boot_vcpu(&k->m, img.entry,
	                          kvm_pvh_setup(k->m.mem, k->m.mem_size, cmdline)) < 0) {
		fprintf(stderr, "csvsm-sim: cannot set up the SVSM image's boot vCPU: %s\n",
		        strerror(errno));
		goto fail;
	}
	free(buf);
	{
		struct sigaction sa = {0};

		sa.sa_handler = on_turn_alarm; /* no SA_RESTART: KVM_RUN returns EINTR */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, &k->old_alarm);
	}
	prof_start(k);
	sim->image = k;
	return 0;
fail:
	free(buf);
	if (k->m.out && k->m.out != stdout)
		fclose(k->m.out);
	k->m.out = stdout;
	kvm_machine_destroy(&k->m);
	free(k);
	return -1;
}

void sim_kvm_image_detach(struct csvsm_sim *sim)
{
	struct sim_kvm_image *k = sim->image;

	if (!k)
		return;
	turn_timer(false);
	prof_finish(k);
	sigaction(SIGALRM, &k->old_alarm, NULL);
	if (k->m.out && k->m.out != stdout)
		fclose(k->m.out);
	k->m.out = stdout;
	kvm_machine_destroy(&k->m);
	free(k);
	sim->image = NULL;
}

uint64_t sim_kvm_image_mm_live(const struct csvsm_sim *sim)
{
	const struct sim_kvm_image *k = sim->image;

	return k && k->shared ? __atomic_load_n(&k->shared->mm_live_allocs, __ATOMIC_RELAXED)
	                      : ~0ull;
}

uint64_t sim_kvm_image_exits(const struct csvsm_sim *sim)
{
	return sim->image ? sim->image->exits : 0;
}

/* ---- the fast path's bitmap ------------------------------------------- */

/* Host address of the image's [pa, pa + len), or NULL outside its memory. */
static void *image_host(struct sim_kvm_image *k, uint64_t pa, uint64_t len)
{
	if (pa > k->m.mem_size || len > k->m.mem_size - pa)
		return NULL;
	return k->m.mem + pa;
}

static uint8_t *bitmap_of(struct csvsm_sim *sim, struct sim_kvm_image *k)
{
	uint64_t pages = sim->phys_limit / PAGE_SIZE;

	if (!k->shared || k->shared->bitmap_len < (pages + 7) / 8)
		return NULL;
	return image_host(k, k->shared->bitmap_pa, (pages + 7) / 8);
}

/* Bits [first, first + n) of the bitmap: VMPL0 may read and write the page (the RMP now). */
static void bitmap_update(struct csvsm_sim *sim, uint8_t *bm, uint64_t first, uint64_t n)
{
	uint64_t pages = sim->phys_limit / PAGE_SIZE, fault;

	for (uint64_t p = first; p < first + n && p < pages; p++) {
		bool ok =
		    sim_rmp_check(sim->rmp, 0, p * PAGE_SIZE, PAGE_SIZE,
		                  SIM_ACCESS_READ | SIM_ACCESS_WRITE, &fault) == SIM_ACCESS_OK;

		if (ok)
			bm[p / 8] |= (uint8_t)(1u << (p % 8));
		else
			bm[p / 8] &= (uint8_t) ~(1u << (p % 8));
	}
}

/*
 * Before the image runs: the bitmap matches the RMP (rebuilt when anything
 * but the image's own requests changed it), and the fast path is off while
 * a policy watches the SVSM's reads (each read must reach the hook).
 */
static void bitmap_sync(struct csvsm_sim *sim, struct sim_kvm_image *k)
{
	uint8_t *bm = bitmap_of(sim, k);

	if (!bm)
		return;
	if (!k->bitmap_valid || k->bitmap_gen != sim_rmp_writes(sim->rmp)) {
		bitmap_update(sim, bm, 0, sim->phys_limit / PAGE_SIZE);
		k->bitmap_gen = sim_rmp_writes(sim->rmp);
		k->bitmap_valid = true;
	}
	/*
	 * Threaded (tests/kvm_smp_stress.c): another vCPU's request may change
	 * the RMP while this one runs, so every access asks (under the lock).
	 */
	__atomic_store_n(&k->shared->fast, sim->snp.policy.on_svsm_read == NULL && !sim_threaded(),
	                 __ATOMIC_RELEASE);
}

/* After the image's PVALIDATE or RMPADJUST of `gpa` (`size` 0 4K, 1 2M). */
static void bitmap_after_rmp(struct csvsm_sim *sim, struct sim_kvm_image *k, uint64_t gen_before,
                             uint64_t gpa, uint64_t size)
{
	uint8_t *bm = bitmap_of(sim, k);
	uint64_t n = size == RMP_PAGE_2M ? 512 : 1;

	if (!bm || !k->bitmap_valid || gen_before != k->bitmap_gen)
		return; /* rebuilt whole before the next run */
	bitmap_update(sim, bm, (gpa & ~(n * PAGE_SIZE - 1)) / PAGE_SIZE, n);
	k->bitmap_gen = sim_rmp_writes(sim->rmp);
}

/* ---- requests ---------------------------------------------------------- */

static int64_t req_copy(struct sim_kvm_image *k, uint32_t req, struct kvm_regs *r)
{
	void *buf = image_host(k, r->rsi, r->rdx);

	if (!buf)
		return -CSVSM_EFAULT;
	if (req == KVMSNP_REQ_GUEST_READ)
		return plat_guest_read(r->rdi, buf, r->rdx);
	return plat_guest_write(r->rdi, buf, r->rdx);
}

/* KVMSNP_REQ_NV: one operation on the shim's host-memory device, with the image's buffer. */
static int64_t req_nv(struct sim_kvm_image *k, struct kvm_regs *r)
{
	struct blkdev *d = k->nv_host;
	void *buf = r->r8 ? image_host(k, r->rdx, r->r8) : NULL;

	if (k->nv_kind != KVMSNP_NV_HOST || !d || (r->r8 && !buf))
		return -CSVSM_EINVAL;
	switch (r->rdi) {
	case KVMSNP_NV_READ:
		return blkdev_read(d, r->rsi, buf, r->r8);
	case KVMSNP_NV_WRITE:
		return blkdev_write(d, r->rsi, buf, r->r8);
	case KVMSNP_NV_FLUSH:
		return blkdev_flush(d);
	default:
		return -CSVSM_EINVAL;
	}
}

static int64_t req_guest_request(struct sim_kvm_image *k, struct kvm_regs *r)
{
	void *req = image_host(k, r->rdi, PLAT_GUEST_MSG_PAGE);
	void *rsp = image_host(k, r->rsi, PLAT_GUEST_MSG_PAGE);
	void *certs = r->rdx ? image_host(k, r->rdx, r->r8) : NULL;
	size_t certs_len = r->r8;
	uint64_t info2 = 0;
	int rc;

	if (!req || !rsp || (r->rdx && !certs))
		return -CSVSM_EIO;
	rc = plat_guest_request(req, rsp, certs, r->rdx ? &certs_len : NULL, &info2);
	r->rsi = info2;
	r->rdx = certs_len;
	return rc;
}

static int64_t req_hello(struct csvsm_sim *sim, struct sim_kvm_image *k, uint64_t pa)
{
	struct kvmsnp_shared *s = pa % PAGE_SIZE ? NULL : image_host(k, pa, sizeof(*s));

	if (!s || k->shared)
		return -CSVSM_EINVAL;
	memset(s, 0, sizeof(*s));
	s->alias_base = IMAGE_ALIAS_BASE;
	s->alias_size = sim->phys_limit;
	s->vcpu_count = sim->cfg.vcpu_count;
	s->nv_kind = k->nv_kind;
	if (k->nv_kind == KVMSNP_NV_HOST) {
		s->nv_size = k->nv_host->size;
		s->nv_write_unit = k->nv_host->write_unit;
	} else if (k->nv_kind != KVMSNP_NV_NONE) {
		s->nv_base = k->nvdev.base;
		s->nv_size = k->nvdev.medium_size;
		s->dma_base = SIM_DMA_BASE;
		s->dma_size = SIM_DMA_BYTES;
	}
	s->rand_replay = k->rand_replay;
	k->shared = s;
	return 0;
}

/* sim_enter_guest's events: VMPL0's turn on this vCPU is over, the guest VMPL runs. */
static void leave_vmpl0(struct csvsm_sim *sim)
{
	sim->snp.stats.vmpl_switches++;
	sim_trace(sim, CSVSM_EV_VMPL_SWITCH, 0, sim->cfg.guest_vmpl, 0, 0, 0, 0);
	sim->running_vmpl = sim->cfg.guest_vmpl;
}

/*
 * One request of image vCPU `v` (port KVMSNP_PORT_SNP). Returns 0 (go on),
 * 1 (VMPL0's turn is over: a failed boot) or -1 (stop the image).
 */
static int image_request(struct csvsm_sim *sim, struct sim_kvm_image *k, unsigned int v,
                         struct kvm_regs *r)
{
	uint32_t req = (uint32_t)r->rax;
	uint64_t gen = sim_rmp_writes(sim->rmp);
	struct plat_boot_info *bi;
	uint8_t old = 0;
	int64_t rc;

	k->requests++;
	k->req_count[req < 32 ? req : 0]++;
	if (k->prof && req != KVMSNP_REQ_VTPM_EVENT) {
		char what[96];

		snprintf(what, sizeof(what), "request %u (%#llx %#llx %#llx %#llx)", req,
		         (unsigned long long)r->rdi, (unsigned long long)r->rsi,
		         (unsigned long long)r->rdx, (unsigned long long)r->r8);
		prof_event(k, what);
	}
	switch (req) {
	case KVMSNP_REQ_HELLO:
		rc = req_hello(sim, k, r->rdi);
		break;
	case KVMSNP_REQ_BOOT_INFO:
		bi = r->rsi == sizeof(*bi) ? image_host(k, r->rdi, sizeof(*bi)) : NULL;
		rc = bi ? 0 : -CSVSM_EINVAL;
		if (bi)
			sim_launch_facts(sim, bi);
		break;
	case KVMSNP_REQ_BOOT_DONE:
		sim->boot_rc = (int)(int64_t)r->rdi;
		prof_event(k, "boot done");
		sim_trace(sim, CSVSM_EV_BOOT, (uint64_t)(int64_t)sim->boot_rc, 0, 0, 0, 0, 0);
		k->have_bsp_sregs = ioctl(k->m.vcpu[v].fd, KVM_GET_SREGS, &k->bsp_sregs) == 0;
		r->rax = 0;
		if (sim->boot_rc < 0) {
			/* As in-process: a failed boot never serves calls, the guest runs. */
			leave_vmpl0(sim);
			k->dead = true;
			return 1;
		}
		return 0;
	case KVMSNP_REQ_GUEST_READ:
	case KVMSNP_REQ_GUEST_WRITE:
		rc = req_copy(k, req, r);
		break;
	case KVMSNP_REQ_XCHG8:
		rc = plat_guest_xchg8(r->rdi, (uint8_t)r->rsi, &old);
		r->rsi = old;
		break;
	case KVMSNP_REQ_GUEST_REQUEST:
		rc = req_guest_request(k, r);
		break;
	case KVMSNP_REQ_VTPM_EVENT:
		sim_trace(sim, CSVSM_EV_VTPM, r->rdi, r->rsi, r->rdx, r->r8, 0, 0);
		rc = 0;
		break;
	case KVMSNP_REQ_NV:
		rc = req_nv(k, r);
		break;
	case KVMSNP_REQ_RAND: {
		void *buf = r->rsi && r->rsi <= 4096 ? image_host(k, r->rdi, r->rsi) : NULL;

		if (!k->rand_replay)
			rc = -CSVSM_ENOTSUP;
		else if (!buf || r->rdx > KVMSNP_RAND_PLATFORM)
			rc = -CSVSM_EINVAL;
		else if (r->rdx == KVMSNP_RAND_PLATFORM) /* the shim's own plat_entropy_get */
			rc = plat_entropy_get(buf, r->rsi) == 0 ? 0 : -CSVSM_EIO;
		else
			rc = sim_vtpm_rand_fill(buf, r->rsi) == 0 ? 0 : -CSVSM_EIO;
		break;
	}
	case KVMSNP_REQ_DMA_ALLOC: {
		uint64_t bus = 0;

		if ((k->nv_kind == KVMSNP_NV_PFLASH || k->nv_kind == KVMSNP_NV_VIRTIO) &&
		    !plat_dma_alloc(r->rdi, &bus))
			bus = 0;
		rc = (int64_t)bus;
		break;
	}
	case KVMSNP_REQ_DMA_FREE: {
		uint8_t *arena = sim_dma_arena();
		uint64_t off = r->rdi - SIM_DMA_BASE;

		rc = -CSVSM_EINVAL;
		if (arena && r->rdi >= SIM_DMA_BASE && r->rsi && off < SIM_DMA_BYTES &&
		    r->rsi <= SIM_DMA_BYTES - off && sim_dma_host(r->rdi, r->rsi)) {
			plat_dma_free(arena + off, r->rsi);
			rc = 0;
		}
		break;
	}
	default: {
		struct plat_boot_info launch;
		uint64_t size = r->rsi;

		sim_launch_facts(sim, &launch);
		if (snp_pv_request(&sim->snp, &launch, v, req, r) < 0) {
			fprintf(stderr, "csvsm-sim: the SVSM image made an unknown request %u\n",
			        req);
			return -1;
		}
		if (req == KVMSNP_REQ_PVALIDATE || req == KVMSNP_REQ_RMPADJUST)
			bitmap_after_rmp(sim, k, gen, r->rdi, size);
		return 0;
	}
	}
	r->rax = (uint64_t)rc;
	return 0;
}

/*
 * The image's VMGEXIT (port KVMSNP_PORT_VMGEXIT, RBX = the GHCB MSR): a
 * run-VMPL request the hypervisor grants ends VMPL0's turn (returns 1);
 * anything else is answered in RBX (returns 0).
 */
static int image_vmgexit(struct csvsm_sim *sim, struct sim_kvm_image *k, struct kvm_regs *r)
{
	k->vmgexits++;
	if (GHCB_MSR_INFO(r->rbx) == GHCB_MSR_RUN_VMPL_REQ) {
		unsigned int to = (unsigned int)((r->rbx >> 32) & 0xff);

		if (sim_hv_run_vmpl(&sim->snp, 0, to) < 0) {
			r->rbx = GHCB_MSR_RUN_VMPL_RESP | (1ull << 32);
			return 0;
		}
		leave_vmpl0(sim);
		r->rbx = GHCB_MSR_RUN_VMPL_RESP;
		return 1;
	}
	r->rbx = sim_hv_svsm_msr(&sim->snp, r->rbx);
	return 0;
}

/* One I/O exit of image vCPU `v`: 0 go on, 1 VMPL0's turn is over, -1 stop. */
static int image_io(struct csvsm_sim *sim, struct sim_kvm_image *k, struct krun_vcpu *c)
{
	struct kvm_run *run = c->run;
	uint16_t port = run->io.port;
	struct kvm_regs regs, *r = &regs;
	int rc;

	if ((port == KVMSNP_PORT_SNP || port == KVMSNP_PORT_VMGEXIT) &&
	    run->io.direction == KVM_EXIT_IO_OUT) {
		if (k->sync_regs)
			r = &run->s.regs.regs;
		else if (ioctl(c->fd, KVM_GET_REGS, r) < 0)
			return -1;
		rc = port == KVMSNP_PORT_SNP ? image_request(sim, k, c->index, r)
		                             : image_vmgexit(sim, k, r);
		if (rc < 0)
			return -1;
		if (k->sync_regs)
			run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		else if (ioctl(c->fd, KVM_SET_REGS, r) < 0)
			return -1;
		return rc;
	}
	{
		uint8_t *data = (uint8_t *)run + run->io.data_offset;

		for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
			if (!kvm_port_io(&k->m, port, run->io.direction == KVM_EXIT_IO_OUT,
			                 run->io.size, data)) {
				fprintf(stderr, "csvsm-sim: the SVSM image used I/O port %#x\n",
				        port);
				return -1;
			}
	}
	if (k->m.done) {
		fprintf(stderr, "csvsm-sim: the SVSM image stopped (exit code %#x)\n",
		        k->m.exit_code);
		return -1;
	}
	return 0;
}

/* Runs image vCPU `v` until its VMPL0 turn ends. Returns 0, or -1 when the image died. */
static int image_run(struct csvsm_sim *sim, struct sim_kvm_image *k, unsigned int v)
{
	struct krun_vcpu *c = &k->m.vcpu[v];

	const bool threaded = sim_threaded();

	if (k->dead || v >= k->m.nvcpu)
		return -1;
	if (!threaded)
		turn_timer(true);
	for (;;) {
		int rc;

		sim_machine_lock();
		bitmap_sync(sim, k);
		sim_machine_unlock();
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && turn_timed_out) {
				fprintf(
				    stderr,
				    "csvsm-sim: the SVSM image ran %u s on vCPU %u without giving "
				    "the guest its turn\n",
				    image_turn_s, v);
				kvm_dump_vcpu(&k->m, c);
				break;
			}
			if (errno == EINTR && prof_tick)
				prof_sample(k, c);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "csvsm-sim: KVM_RUN of the SVSM image: %s\n",
			        strerror(errno));
			break;
		}
		sim_machine_lock();
		k->exits++;
		if (c->run->exit_reason == KVM_EXIT_MMIO)
			k->mmio_exits++;
		else if (c->run->exit_reason == KVM_EXIT_IO && c->run->io.port != KVMSNP_PORT_SNP &&
		         c->run->io.port != KVMSNP_PORT_VMGEXIT)
			k->console_exits++;
		else if (c->run->exit_reason != KVM_EXIT_IO)
			k->other_exits++;
		if (c->run->exit_reason == KVM_EXIT_MMIO && nv_mmio(k, c->run)) {
			sim_machine_unlock();
			continue; /* the machine's NV device (sim/nvdev.c) */
		}
		if (c->run->exit_reason == KVM_EXIT_MMIO &&
		    kvm_nvdev_mmio(&k->m, c->run->mmio.phys_addr, c->run->mmio.is_write,
		                   c->run->mmio.data, c->run->mmio.len)) {
			sim_machine_unlock();
			continue; /* the NV device (cfg.kvm_image_nv) */
		}
		if (c->run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr,
			        "csvsm-sim: the SVSM image stopped on vCPU %u (KVM exit %u)\n", v,
			        c->run->exit_reason);
			kvm_dump_vcpu(&k->m, c);
			sim_machine_unlock();
			break;
		}
		if (threaded) {
			/* Host threads as vCPUs: this request's events are this vCPU's. */
			sim->current_vcpu = v;
			sim->running_vmpl = 0;
		}
		rc = image_io(sim, k, c);
		sim_machine_unlock();
		if (rc > 0) {
			if (!threaded)
				turn_timer(false);
			return 0;
		}
		if (rc < 0) {
			kvm_dump_vcpu(&k->m, c);
			break;
		}
	}
	turn_timer(false);
	k->dead = true;
	return -1;
}

/* Image vCPU n >= 1 starts at x86_ap_entry64 with the boot vCPU's CPU state (docs/kvm-snp.md). */
static int image_ap_setup(struct sim_kvm_image *k, unsigned int n)
{
	struct krun_vcpu *c = &k->m.vcpu[n];
	struct kvm_sregs sregs;
	struct kvm_regs r;

	if (!k->ap_entry || !k->have_bsp_sregs) {
		fprintf(stderr, "csvsm-sim: the SVSM image cannot start vCPU %u (%s)\n", n,
		        k->ap_entry ? "the boot vCPU's state is unknown"
		                    : "it has no x86_ap_entry64");
		return -1;
	}
	sregs = k->bsp_sregs;
	sregs.apic_base &= ~(1ull << 8); /* not the bootstrap processor */
	/*
	 * At ring 0 with the image's kernel selectors (its GDT: code 0x08, data
	 * 0x10): the boot vCPU itself runs at CPL 3 by now (x86_enter_user).
	 */
	sregs.cs.selector = 0x08;
	sregs.cs.dpl = 0;
	sregs.cs.type = 11;
	sregs.cs.l = 1;
	sregs.cs.db = 0;
	sregs.ss.selector = 0x10;
	sregs.ss.dpl = 0;
	sregs.ss.type = 3;
	sregs.ds = sregs.es = sregs.ss;
	/* MTRRdefType: enabled, write-back (as the boot vCPU's). */
	if (kvm_vcpu_set_msr(c, 0x2ff, 0xc06) < 0 || ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.rip = k->ap_entry;
	r.rdi = n;
	r.rflags = 0x2;
	return ioctl(c->fd, KVM_SET_REGS, &r) < 0 ? -1 : 0;
}

int sim_kvm_image_start(struct csvsm_sim *sim, unsigned int vcpu)
{
	struct sim_kvm_image *k = sim->image;

	if (k->dead || vcpu >= k->m.nvcpu)
		return -1;
	if (vcpu == 0) {
		sim->boot_rc = -CSVSM_EIO; /* until the image says otherwise */
		return 0;
	}
	return image_ap_setup(k, vcpu);
}

void sim_kvm_image_run(struct csvsm_sim *sim, unsigned int vcpu)
{
	if (image_run(sim, sim->image, vcpu) < 0 && vcpu == 0 && sim->boot_rc == 0)
		fprintf(stderr, "csvsm-sim: VMPL0 is gone: no call is served any more\n");
}
