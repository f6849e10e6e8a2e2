/* SPDX-License-Identifier: MIT */
/* The guest context on KVM (guest_vm.h). */
#include "guest_vm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsm/sim.h"

#define PTE_P  0x1ull
#define PTE_W  0x2ull
#define PTE_US 0x4ull /* the program drops to CPL 3 (guest/guest.c) */
#define PTE_PS 0x80ull

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

int guest_vm_kvm_available(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Loads the PT_LOAD segments of the ELF at `path` into [KVMG_LOAD_GPA, +KVMG_IMAGE_MAX). */
static int load_elf(struct guest_vm *g, const char *path, uint64_t *entry, char *err, size_t len)
{
	FILE *f = fopen(path, "rb");
	Elf64_Ehdr eh;
	int rc = -1;

	if (!f)
		return fail(err, len, "%s: %s", path, strerror(errno));
	if (fread(&eh, sizeof(eh), 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 16) {
		fail(err, len, "%s: not an x86_64 ELF executable", path);
		goto out;
	}
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (fseek(f, (long)(eh.e_phoff + i * sizeof(ph)), SEEK_SET) ||
		    fread(&ph, sizeof(ph), 1, f) != 1) {
			fail(err, len, "%s: truncated program headers", path);
			goto out;
		}
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_paddr < KVMG_LOAD_GPA || ph.p_memsz > KVMG_IMAGE_MAX ||
		    ph.p_filesz > ph.p_memsz ||
		    ph.p_paddr - KVMG_LOAD_GPA > KVMG_IMAGE_MAX - ph.p_memsz) {
			fail(err, len, "%s: segment at 0x%llx outside the program's pages", path,
			     (unsigned long long)ph.p_paddr);
			goto out;
		}
		if (ph.p_filesz && (fseek(f, (long)ph.p_offset, SEEK_SET) ||
		                    fread(g->mem + ph.p_paddr, ph.p_filesz, 1, f) != 1)) {
			fail(err, len, "%s: truncated segment", path);
			goto out;
		}
	}
	*entry = eh.e_entry;
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* Identity map of the first 4 GiB with 2 MiB user pages at KVMG_PML4_GPA. */
static void build_page_tables(struct guest_vm *g)
{
	uint64_t *pml4 = (uint64_t *)(g->mem + KVMG_PML4_GPA);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;

	memset(pml4, 0, KVMG_PT_PAGES * 4096);
	pml4[0] = (KVMG_PML4_GPA + 0x1000) | PTE_P | PTE_W | PTE_US;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (KVMG_PML4_GPA + 0x2000 + i * 0x1000ull) | PTE_P | PTE_W | PTE_US;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_US | PTE_PS;
}

static int set_long_mode(struct guest_vm *g, unsigned int v, char *err, size_t len)
{
	int fd = g->cpu[v].fd;
	struct kvm_sregs s;
	struct kvm_regs r;
	struct kvm_segment code = {
	    .base = 0,
	    .limit = 0xffffffff,
	    .selector = 0x8,
	    .type = 11,
	    .present = 1,
	    .dpl = 0,
	    .db = 0,
	    .s = 1,
	    .l = 1,
	    .g = 1,
	};
	struct kvm_segment data = code;

	if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return fail(err, len, "KVM_GET_SREGS: %s", strerror(errno));
	data.selector = 0x10;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.cr3 = KVMG_PML4_GPA;
	s.cr4 = 0x20;                 /* PAE */
	s.cr0 = 0x80000001 | 0x10000; /* PG, PE, WP */
	s.efer = 0x500;               /* LME, LMA */
	if (ioctl(fd, KVM_SET_SREGS, &s) < 0)
		return fail(err, len, "KVM_SET_SREGS: %s", strerror(errno));
	memset(&r, 0, sizeof(r));
	r.rip = g->entry;
	r.rsp = KVMG_STACK_TOP(v);
	r.rdi = KVMG_MAILBOX(v);
	r.rflags = 0x2;
	if (ioctl(fd, KVM_SET_REGS, &r) < 0)
		return fail(err, len, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

static int add_vcpu(struct guest_vm *g, unsigned int v, char *err, size_t len)
{
	struct guest_vm_cpu *c = &g->cpu[v];

	c->fd = ioctl(g->vm_fd, KVM_CREATE_VCPU, v);
	if (c->fd < 0)
		return fail(err, len, "KVM_CREATE_VCPU: %s", strerror(errno));
	c->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		return fail(err, len, "mmap of kvm_run: %s", strerror(errno));
	}
	c->mb = (struct kvmg_mailbox *)(g->mem + KVMG_MAILBOX(v));
	/* Registers travel in kvm_run with each exit: no GET/SET_REGS per VMGEXIT. */
	if (g->sync_regs)
		c->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	if (set_long_mode(g, v, err, len) < 0)
		return -1;
	/* The program starts with an empty batch: it says "done" once it runs. */
	if (guest_vm_run(g, v, NULL, NULL) < 0 || c->mb->magic != KVMG_MAGIC)
		return fail(err, len, "the guest program did not start on vCPU %u", v);
	return 0;
}

int guest_vm_open(struct guest_vm *g, uint8_t *mem, uint64_t mem_size, unsigned int nvcpus,
                  const char *elf_path, char *err, size_t err_len)
{
	struct kvm_userspace_memory_region slot;
	int n;

	memset(g, 0, sizeof(*g));
	g->kvm_fd = g->vm_fd = -1;
	for (unsigned int i = 0; i < KVMG_MAX_VCPUS; i++)
		g->cpu[i].fd = -1;
	g->mem = mem;
	g->mem_size = mem_size;
	if (mem_size < (2u << 20) || mem_size % (2u << 20))
		return fail(err, err_len, "guest memory must be a non-zero 2 MiB multiple");
	if (nvcpus < 1 || nvcpus > KVMG_MAX_VCPUS)
		return fail(err, err_len, "the guest program runs 1..%u vCPUs", KVMG_MAX_VCPUS);
	g->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm_fd < 0)
		return fail(err, err_len, "/dev/kvm: %s", strerror(errno));
	g->vm_fd = ioctl(g->kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0)
		goto sys;
	slot = (struct kvm_userspace_memory_region){
	    .slot = 0,
	    .guest_phys_addr = 0,
	    .memory_size = mem_size,
	    .userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		goto sys;
	g->sync_regs = ioctl(g->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) > 0;
	n = ioctl(g->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		goto sys;
	g->run_size = (size_t)n;
	memset(mem + KVMG_PML4_GPA, 0, KVMG_LOW_END - KVMG_PML4_GPA);
	if (load_elf(g, elf_path, &g->entry, err, err_len) < 0)
		goto out;
	build_page_tables(g);
	for (unsigned int v = 0; v < nvcpus; v++) {
		if (add_vcpu(g, v, err, err_len) < 0)
			goto out;
		g->nvcpus = v + 1;
	}
	return 0;
sys:
	fail(err, err_len, "KVM setup: %s", strerror(errno));
out:
	guest_vm_close(g);
	return -1;
}

/* After an access outside the slot: complete the exit, record it, resume at resume_rip. */
static int stop_access(struct guest_vm_cpu *c, unsigned int v)
{
	struct kvmg_mailbox *mb = c->mb;
	uint64_t gpa = c->run->mmio.phys_addr;
	struct kvm_regs r;

	/* Finish the pending MMIO emulation without running the guest. */
	c->run->immediate_exit = 1;
	(void)ioctl(c->fd, KVM_RUN, 0);
	c->run->immediate_exit = 0;
	if (!mb || mb->current >= KVMG_MAX_ACTIONS || !mb->resume_rip)
		return -1;
	mb->act[mb->current].status = KVMG_ST_FAULT;
	mb->act[mb->current].fault_gpa = gpa;
	mb->act[mb->current].fault_kind = CSVSM_SIM_ACCESS_NPF;
	if (ioctl(c->fd, KVM_GET_REGS, &r) < 0)
		return -1;
	r.rip = mb->resume_rip;
	r.rdi = KVMG_MAILBOX(v);
	return ioctl(c->fd, KVM_SET_REGS, &r) < 0 ? -1 : 0;
}

static int vmgexit(struct guest_vm *g, unsigned int v, guest_vm_vmgexit_fn fn, void *ctx)
{
	struct guest_vm_cpu *c = &g->cpu[v];
	struct kvm_regs r;
	int rc;

	c->vmgexits++;
	if (!fn)
		return -1;
	if (g->sync_regs) {
		rc = fn(ctx, g, v, &c->run->s.regs.regs);
		if (rc < 0)
			return rc;
		c->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		return 0;
	}
	if (ioctl(c->fd, KVM_GET_REGS, &r) < 0)
		return -1;
	rc = fn(ctx, g, v, &r);
	if (rc < 0)
		return rc;
	return ioctl(c->fd, KVM_SET_REGS, &r) < 0 ? -1 : 0;
}

int guest_vm_run(struct guest_vm *g, unsigned int v, guest_vm_vmgexit_fn fn, void *ctx)
{
	struct guest_vm_cpu *c;

	if (v >= KVMG_MAX_VCPUS || g->cpu[v].fd < 0)
		return -1;
	c = &g->cpu[v];
	for (;;) {
		struct kvm_run *run = c->run;
		int rc;

		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		c->exits++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction != KVM_EXIT_IO_OUT)
				return -1;
			if (run->io.port == KVMSNP_PORT_GUEST_DONE)
				return 0;
			if (run->io.port != KVMSNP_PORT_VMGEXIT)
				return -1;
			rc = vmgexit(g, v, fn, ctx);
			if (rc < 0)
				return rc;
			break;
		case KVM_EXIT_MMIO:
			if (stop_access(c, v) < 0)
				return -1;
			break;
		default:
			return -1; /* shutdown (a triple fault), hlt, internal error */
		}
	}
}

void guest_vm_close(struct guest_vm *g)
{
	for (unsigned int i = 0; i < KVMG_MAX_VCPUS; i++) {
		struct guest_vm_cpu *c = &g->cpu[i];

		if (c->run)
			munmap(c->run, g->run_size);
		if (c->fd >= 0)
			close(c->fd);
		c->run = NULL;
		c->fd = -1;
	}
	if (g->vm_fd >= 0)
		close(g->vm_fd);
	if (g->kvm_fd >= 0)
		close(g->kvm_fd);
	g->vm_fd = g->kvm_fd = -1;
}
