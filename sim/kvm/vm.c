/* SPDX-License-Identifier: MIT */
/*
 * The VM: /dev/kvm, guest memory, vCPUs, CPUID, the run loop and its exit
 * table. Only the ioctls of <linux/kvm.h>. Each vCPU runs on its own host
 * thread (kvm_machine_run); exits are handled under the machine's lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "csvsm/abi/kvm_runner.h"
#include "kvm_runner.h"

#define RUN_CONTINUE (-1)
#define HUGE_2M      (2ull << 20)

#define KICK_SIGNAL SIGUSR1 /* takes a vCPU thread out of KVM_RUN */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int nokvm(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s: %s", what, strerror(errno));
	return KVM_STATUS_NOKVM;
}

/* KVM's supported CPUID, KVM's own hypervisor leaves replaced by the runner's. */
static int setup_cpuid(struct kvm_machine *m, struct krun_vcpu *v)
{
	const unsigned int max = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + max * sizeof(struct kvm_cpuid_entry2));
	unsigned int n = 0;
	char sig[12];
	int rc = -1;

	if (!c)
		return -1;
	c->nent = max;
	if (ioctl(m->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		goto out;
	for (unsigned int i = 0; i < c->nent; i++)
		if ((c->entries[i].function & 0xf0000000u) != 0x40000000u)
			c->entries[n++] = c->entries[i];
	if (n + 2 > max)
		goto out;
	memcpy(sig, KVMRUN_SIGNATURE, sizeof(sig));
	c->entries[n] = (struct kvm_cpuid_entry2){.function = KVMRUN_CPUID_SIGNATURE,
	                                          .eax = KVMRUN_CPUID_TIMING};
	memcpy(&c->entries[n].ebx, sig, 4);
	memcpy(&c->entries[n].ecx, sig + 4, 4);
	memcpy(&c->entries[n].edx, sig + 8, 4);
	n++;
	c->entries[n++] = (struct kvm_cpuid_entry2){
	    .function = KVMRUN_CPUID_TIMING, .eax = (uint32_t)m->tsc_khz, .ebx = m->vcpus_asked};
	c->nent = n;
	rc = ioctl(v->fd, KVM_SET_CPUID2, c);
out:
	free(c);
	return rc;
}

int kvm_machine_create(struct kvm_machine *m, const struct kvm_options *o, char *why, size_t whylen)
{
	struct kvm_userspace_memory_region region;
	const char *dev;
	int api, mmap_size;
	uint8_t *raw;

	memset(m, 0, sizeof(*m));
	m->kvm_fd = m->vm_fd = -1;
	m->out = stdout;
	m->vcpus_asked = o->vcpus;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	/* CSVSM_KVM_DEVICE: another device node (tests use it to see the no-KVM path). */
	dev = getenv("CSVSM_KVM_DEVICE");
	if (!dev || !*dev)
		dev = "/dev/kvm";
	m->kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (m->kvm_fd < 0) {
		char what[160];

		snprintf(what, sizeof(what), "cannot open %s", dev);
		return nokvm(why, whylen, what);
	}
	api = ioctl(m->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		snprintf(why, whylen, "/dev/kvm speaks API version %d, not %d", api,
		         KVM_API_VERSION);
		return KVM_STATUS_NOKVM;
	}
	m->vm_fd = ioctl(m->kvm_fd, KVM_CREATE_VM, 0);
	if (m->vm_fd < 0)
		return nokvm(why, whylen, "KVM_CREATE_VM failed");
	/* Intel VMX needs a TSS area for real mode; harmless elsewhere. */
	(void)ioctl(m->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	/* Guest RAM: 2 MiB aligned, transparent huge pages (fewer EPT faults). */
	m->mem_size = o->mem_mib << 20;
	raw = mmap(NULL, m->mem_size + HUGE_2M, PROT_READ | PROT_WRITE,
	           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		snprintf(why, whylen, "cannot map %" PRIu64 " MiB of guest memory: %s", o->mem_mib,
		         strerror(errno));
		return KVM_STATUS_VMERROR;
	}
	m->mem = (uint8_t *)(((uintptr_t)raw + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	(void)madvise(m->mem, m->mem_size, MADV_HUGEPAGE);
	region = (struct kvm_userspace_memory_region){.slot = 0,
	                                              .guest_phys_addr = 0,
	                                              .memory_size = m->mem_size,
	                                              .userspace_addr = (uintptr_t)m->mem};
	if (ioctl(m->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(why, whylen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return KVM_STATUS_VMERROR;
	}
	mmap_size = ioctl(m->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		return nokvm(why, whylen, "KVM_GET_VCPU_MMAP_SIZE failed");
	m->run_size = (size_t)mmap_size;
	for (unsigned int i = 0; i < o->vcpus; i++) {
		struct krun_vcpu *v = &m->vcpu[i];
		int khz;

		v->index = i;
		v->fd = ioctl(m->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (v->fd < 0)
			return nokvm(why, whylen, "KVM_CREATE_VCPU failed");
		m->nvcpu = i + 1;
		v->run = mmap(NULL, m->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			return nokvm(why, whylen, "cannot map the vCPU's kvm_run");
		}
		if (i == 0) {
			khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
			m->tsc_khz = khz > 0 ? (uint64_t)khz : 0;
		}
		if (setup_cpuid(m, v) < 0)
			return nokvm(why, whylen, "KVM_SET_CPUID2 failed");
	}
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){.base = 0,
	                          .limit = 0xffffffff,
	                          .selector = sel,
	                          .type = type,
	                          .present = 1,
	                          .dpl = 0,
	                          .db = 1,
	                          .s = 1,
	                          .l = 0,
	                          .g = 1};
}

int kvm_vcpu_set_msr(struct krun_vcpu *v, uint32_t index, uint64_t value)
{
	/* struct kvm_msrs ends in a flexible array: room for one entry after it. */
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
	} msrs;

	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.hdr.entries[0].index = index;
	msrs.hdr.entries[0].data = value;
	return ioctl(v->fd, KVM_SET_MSRS, &msrs) == 1 ? 0 : -1;
}

/* PVH: 32-bit protected mode, paging off, flat 4 GiB segments, %ebx = start_info. */
int kvm_machine_boot_vcpu(struct kvm_machine *m, uint64_t entry, uint64_t start_info)
{
	struct krun_vcpu *v = &m->vcpu[0];
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	flat_segment(&sregs.cs, 0x08, 0xb); /* execute/read, accessed */
	flat_segment(&sregs.ds, 0x10, 0x3); /* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x11; /* PE, ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	if (kvm_vcpu_set_msr(v, 0x2ff, 0xc06) < 0) /* MTRRdefType: enabled, write-back */
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rbx = start_info;
	regs.rflags = 0x2;
	return ioctl(v->fd, KVM_SET_REGS, &regs);
}

void kvm_dump_vcpu(struct kvm_machine *m, struct krun_vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	(void)m;
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(stderr, "kvm: vCPU %u: cannot read its registers: %s\n", v->index,
		        strerror(errno));
		return;
	}
	fprintf(stderr,
	        "kvm: vCPU %u registers:\n"
	        "  rip %016llx  rsp %016llx  rflags %08llx\n"
	        "  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
	        "  rsi %016llx  rdi %016llx  rbp %016llx\n"
	        "  r8  %016llx  r9  %016llx  r10 %016llx  r11 %016llx\n"
	        "  r12 %016llx  r13 %016llx  r14 %016llx  r15 %016llx\n"
	        "  cs %04x (base %llx, %s)  ss %04x\n"
	        "  cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx  efer %llx\n",
	        v->index, r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp,
	        r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, s.cs.selector, s.cs.base,
	        s.cs.l    ? "64-bit"
	        : s.cs.db ? "32-bit"
	                  : "16-bit",
	        s.ss.selector, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}

/* ---- exits: one function per KVM exit reason the runner knows ------- */

static int vm_error(struct kvm_machine *m, struct krun_vcpu *v)
{
	kvm_dump_vcpu(m, v);
	return KVM_STATUS_VMERROR;
}

static int exit_io(struct kvm_machine *m, struct krun_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	m->exits.io++;
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		if (!kvm_port_io(m, run->io.port, out, run->io.size, data)) {
			uint32_t val = 0;

			memcpy(&val, data, run->io.size > 4 ? 4 : run->io.size);
			fprintf(stderr, "kvm: unhandled I/O: %s of %u byte(s) %s port %#x%s",
			        out ? "OUT" : "IN", run->io.size, out ? "to" : "from", run->io.port,
			        out ? "" : "\n");
			if (out)
				fprintf(stderr, " (value %#x)\n", val);
			return vm_error(m, v);
		}
	}
	return m->done ? (int)m->status : RUN_CONTINUE;
}

static int exit_mmio(struct kvm_machine *m, struct krun_vcpu *v)
{
	if (kvm_nvdev_mmio(m, v->run->mmio.phys_addr, v->run->mmio.is_write, v->run->mmio.data,
	                   v->run->mmio.len))
		return RUN_CONTINUE;
	fprintf(stderr,
	        "kvm: unhandled MMIO %s of %u bytes at guest physical %#llx (no device there)\n",
	        v->run->mmio.is_write ? "write" : "read", v->run->mmio.len,
	        (unsigned long long)v->run->mmio.phys_addr);
	return vm_error(m, v);
}

static int exit_hlt(struct kvm_machine *m, struct krun_vcpu *v)
{
	fprintf(stderr, "kvm: the guest halted (HLT) without writing to the exit port\n");
	return vm_error(m, v);
}

static int exit_shutdown(struct kvm_machine *m, struct krun_vcpu *v)
{
	fprintf(stderr, "kvm: the guest shut down (triple fault?)\n");
	return vm_error(m, v);
}

static int exit_fail_entry(struct kvm_machine *m, struct krun_vcpu *v)
{
	fprintf(stderr, "kvm: VM entry failed (hardware reason %#llx)\n",
	        (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
	return vm_error(m, v);
}

static int exit_internal(struct kvm_machine *m, struct krun_vcpu *v)
{
	fprintf(stderr, "kvm: KVM internal error (suberror %u)\n", v->run->internal.suberror);
	return vm_error(m, v);
}

static const struct exit_handler {
	uint32_t reason;
	int (*fn)(struct kvm_machine *m, struct krun_vcpu *v);
} exit_table[] = {
    {KVM_EXIT_IO, exit_io},
    {KVM_EXIT_MMIO, exit_mmio},
    {KVM_EXIT_HLT, exit_hlt},
    {KVM_EXIT_SHUTDOWN, exit_shutdown},
    {KVM_EXIT_FAIL_ENTRY, exit_fail_entry},
    {KVM_EXIT_INTERNAL_ERROR, exit_internal},
};

/* One exit of vCPU v, under m->lock: the handler's verdict (RUN_CONTINUE or a status). */
static int dispatch_exit(struct kvm_machine *m, struct krun_vcpu *v)
{
	size_t i;
	int rc;

	m->exits.total++;
	for (i = 0; i < sizeof(exit_table) / sizeof(exit_table[0]); i++)
		if (exit_table[i].reason == v->run->exit_reason)
			break;
	if (i == sizeof(exit_table) / sizeof(exit_table[0])) {
		m->exits.other++;
		fprintf(stderr, "kvm: vCPU %u: unhandled exit reason %u\n", v->index,
		        v->run->exit_reason);
		return vm_error(m, v);
	}
	m->cur = v;
	rc = exit_table[i].fn(m, v);
	m->cur = NULL;
	return rc;
}

/* Ends the run with `status` unless it has ended already (m->lock held). */
static void finish(struct kvm_machine *m, int status)
{
	if (!m->done) {
		m->done = true;
		m->status = (enum kvm_status)status;
	}
	pthread_cond_broadcast(&m->cond);
}

/* The host thread of one vCPU: wait to be started, then KVM_RUN and its exits until the end. */
static void *vcpu_thread(void *arg)
{
	struct krun_vcpu *v = arg;
	struct kvm_machine *m =
	    (struct kvm_machine *)((uint8_t *)(v - v->index) - offsetof(struct kvm_machine, vcpu));

	pthread_mutex_lock(&m->lock);
	while (!v->started && !m->done)
		pthread_cond_wait(&m->cond, &m->lock);
	while (!m->done) {
		int rc, err;

		pthread_mutex_unlock(&m->lock);
		rc = ioctl(v->fd, KVM_RUN, 0);
		err = errno;
		pthread_mutex_lock(&m->lock);
		if (m->done)
			break; /* another vCPU ended the run meanwhile: drop this exit */
		if (rc < 0) {
			if (err != EINTR && err != EAGAIN) {
				fprintf(stderr, "kvm: vCPU %u: KVM_RUN failed: %s\n", v->index,
				        strerror(err));
				finish(m, vm_error(m, v));
			}
			continue;
		}
		rc = dispatch_exit(m, v);
		if (rc != RUN_CONTINUE)
			finish(m, rc);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig; /* only interrupts KVM_RUN (no SA_RESTART) */
}

uint32_t kvm_machine_start_ap(struct kvm_machine *m, struct krun_vcpu *from, uint32_t n)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct krun_vcpu *ap;

	if (!m->parallel || !m->ap_entry) {
		fprintf(stderr, "kvm: vCPU %u cannot start: %s\n", n,
		        m->ap_entry ? "the vCPUs do not run on threads here"
		                    : "the image has no " KVMRUN_AP_ENTRY_SYMBOL);
		return 1;
	}
	if (!from || from->index != 0) {
		fprintf(stderr, "kvm: vCPU %u cannot start: only the boot vCPU starts APs\n", n);
		return 1;
	}
	if (n == 0 || n >= m->nvcpu) {
		fprintf(stderr,
		        "kvm: vCPU %u cannot start: the machine has vCPUs 0..%u (--vcpus)\n", n,
		        m->nvcpu - 1);
		return 1;
	}
	ap = &m->vcpu[n];
	if (ap->started) {
		fprintf(stderr, "kvm: vCPU %u cannot start: it runs already\n", n);
		return 1;
	}
	/* The contract (csvsm/abi/kvm_runner.h): the boot vCPU's special registers now. */
	if (ioctl(from->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	sregs.apic_base &= ~(1ull << 8); /* not the bootstrap processor */
	if (kvm_vcpu_set_msr(ap, 0x2ff, 0xc06) < 0 || ioctl(ap->fd, KVM_SET_SREGS, &sregs) < 0)
		goto fail;
	memset(&regs, 0, sizeof(regs));
	regs.rip = m->ap_entry;
	regs.rdi = n;
	regs.rflags = 0x2;
	if (ioctl(ap->fd, KVM_SET_REGS, &regs) < 0)
		goto fail;
	ap->started = true;
	m->aps_started++;
	pthread_cond_broadcast(&m->cond);
	return 0;
fail:
	fprintf(stderr, "kvm: vCPU %u cannot start: %s\n", n, strerror(errno));
	return 1;
}

enum kvm_status kvm_machine_run(struct kvm_machine *m, unsigned int timeout_s)
{
	struct sigaction sa = {0}, old;
	struct timespec deadline;
	bool timed_out = false;
	unsigned int made = 0;

	sa.sa_handler = on_kick; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, &old);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += (time_t)timeout_s;
	m->start_ns = now_ns();

	pthread_mutex_lock(&m->lock);
	m->parallel = true;
	m->vcpu[0].started = true;
	for (unsigned int i = 0; i < m->nvcpu; i++) {
		if (pthread_create(&m->vcpu[i].thread, NULL, vcpu_thread, &m->vcpu[i]) != 0) {
			fprintf(stderr, "kvm: cannot create the thread of vCPU %u\n", i);
			finish(m, KVM_STATUS_VMERROR);
			break;
		}
		m->vcpu[i].has_thread = true;
		made++;
	}
	while (!m->done) {
		if (pthread_cond_timedwait(&m->cond, &m->lock, &deadline) == ETIMEDOUT &&
		    !m->done) {
			fprintf(stderr, "kvm: timeout: the guest ran %u s without exiting\n",
			        timeout_s);
			timed_out = true;
			finish(m, KVM_STATUS_VMERROR);
		}
	}
	pthread_mutex_unlock(&m->lock);

	/* The end for all: out of KVM_RUN (now, or at once on the next entry), then join. */
	for (unsigned int i = 0; i < made; i++) {
		__atomic_store_n(&m->vcpu[i].run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(m->vcpu[i].thread, KICK_SIGNAL);
	}
	for (unsigned int i = 0; i < made; i++) {
		pthread_join(m->vcpu[i].thread, NULL);
		m->vcpu[i].has_thread = false;
		m->vcpu[i].run->immediate_exit = 0;
	}
	m->parallel = false;
	m->end_ns = now_ns();
	if (timed_out)
		for (unsigned int i = 0; i < m->nvcpu; i++)
			if (m->vcpu[i].started)
				kvm_dump_vcpu(m, &m->vcpu[i]);
	sigaction(KICK_SIGNAL, &old, NULL);
	fflush(m->out);
	return m->status;
}

void kvm_machine_destroy(struct kvm_machine *m)
{
	kvm_nvdev_detach(m);
	for (unsigned int i = 0; i < m->nvcpu; i++) {
		if (m->vcpu[i].run)
			munmap(m->vcpu[i].run, m->run_size);
		if (m->vcpu[i].fd >= 0)
			close(m->vcpu[i].fd);
	}
	if (m->mem)
		munmap(m->mem, m->mem_size); /* the alignment slack stays mapped until exit */
	if (m->vm_fd >= 0)
		close(m->vm_fd);
	if (m->kvm_fd >= 0)
		close(m->kvm_fd);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	memset(m, 0, sizeof(*m));
	m->kvm_fd = m->vm_fd = -1;
}
