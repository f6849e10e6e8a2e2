/* SPDX-License-Identifier: MIT */
/*
 * The kvm platform: csvsm-kvm.elf on the csvsm KVM runner (sim/kvm) or, for
 * booting and self-tests, under QEMU. The runner is recognised by its CPUID
 * signature (csvsm/abi/kvm_runner.h); then the console goes through the
 * runner's mailbox (one exit per line instead of two per 16 bytes) and the
 * TSC rate comes from its timing leaf. Elsewhere: COM1 and the PIT.
 *
 * The SNP services (guest memory, RMP, VMSA, VMPL switches, GHCB, guest
 * requests) are requests to the runner's SNP machine when it has one
 * (kvm_snp_start); elsewhere they fail cleanly.
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/kvm_runner.h"
#include "csvsm/abi/kvm_snp.h"
#include "csvsm/adapter/rand_replay.h"
#include "csvsm/error.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/console.h"
#include "csvsm/plat/cpu.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/guest_msg.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/storage.h"
#include "csvsm/plat/vmpl.h"
#include "csvsm/virtio_mmio.h"
#include "kvm_plat.h"

static bool on_runner;
/*
 * The runner's mailbox page (console lines), in the image's bss: one for
 * all vCPUs, so a line is copied and written out under console_lock (the
 * COM1 path takes it too, so lines of different vCPUs never mix).
 */
static uint8_t mailbox[KVMRUN_MAILBOX_SIZE] __attribute__((aligned(4096)));
static struct spinlock console_lock = SPINLOCK_INIT;

bool kvm_on_runner(void)
{
	return on_runner;
}

static bool runner_present(void)
{
	struct x86_cpuid r = x86_cpuid(KVMRUN_CPUID_SIGNATURE, 0);
	char sig[12];

	mem_copy(sig, &r.ebx, 4);
	mem_copy(sig + 4, &r.ecx, 4);
	mem_copy(sig + 8, &r.edx, 4);
	return r.eax >= KVMRUN_CPUID_TIMING && mem_cmp(sig, KVMRUN_SIGNATURE, 12) == 0;
}

void x86_plat_early(void)
{
	struct x86_cpuid f1, f7;

	on_runner = runner_present();
	if (on_runner)
		x86_outl(KVMRUN_PORT_MAILBOX, (uint32_t)x86_image_pa(mailbox));
	else
		serial_init(X86_COM1);
	f1 = x86_cpuid(1, 0);
	f7 = x86_cpuid(7, 0);
	x86_entropy_init(f1.ecx & (1u << 30), f7.ebx & (1u << 18));
	if (on_runner)
		x86_tsc_set_khz(x86_cpuid(KVMRUN_CPUID_TIMING, 0).eax);
	else
		x86_tsc_set_khz(x86_tsc_calibrate_pit());
}

void plat_console_write(const char *buf, size_t len)
{
	spin_lock(&console_lock);
	if (!on_runner) {
		serial_write(X86_COM1, buf, len);
		len = 0;
	}
	while (len) {
		size_t n = MIN(len, (size_t)KVMRUN_MAILBOX_SIZE);

		mem_copy(mailbox, buf, n);
		x86_outl(KVMRUN_PORT_CONSOLE, (uint32_t)n);
		buf += n;
		len -= n;
	}
	spin_unlock(&console_lock);
}

unsigned int kvm_runner_vcpus(void)
{
	unsigned int n = on_runner ? x86_cpuid(KVMRUN_CPUID_TIMING, 0).ebx : 0;

	return n ? n : 1;
}

/* Boot vCPU only (the runner refuses others), so the OUT and the IN belong together. */
uint32_t kvm_start_ap(unsigned int n)
{
	if (!on_runner)
		return 1;
	x86_outl(KVMRUN_PORT_START_AP, n);
	return x86_inl(KVMRUN_PORT_START_AP);
}

void kvm_exit(uint32_t code)
{
	x86_outl(KVMRUN_PORT_EXIT, code);
	/* No exit device: stop here. */
	x86_stop();
}

void plat_halt(void)
{
	static const char msg[] = "csvsm: halted\n";

	plat_console_write(msg, sizeof(msg) - 1);
	kvm_exit(KVMRUN_EXIT_HALTED);
}

/* ---- SNP services: requests to the runner's SNP machine ------------------ */

/*
 * On the csvsm KVM runner with its SNP machine (`csvsm-sim --target kvm`,
 * docs/kvm-snp.md) every SNP service is a request on port KVMSNP_PORT_SNP
 * or a VMGEXIT on port KVMSNP_PORT_VMGEXIT (csvsm/abi/kvm_snp.h). The
 * machine's guest physical space is mapped at shared.alias_base; an access
 * the runner's bitmap allows needs no exit, any other is the runner's to
 * check (and record) or to make. Elsewhere (QEMU, plain `csvsm-sim kvm`)
 * there is no SNP machine and every service fails cleanly.
 */
static struct kvmsnp_shared shared __attribute__((aligned(4096)));
static bool snp_on;
static uint8_t *alias;
static const volatile uint8_t *bitmap;

/* One request: EAX = req, arguments in RDI, RSI, RDX, R8; RAX back, RSI/RDX updated. */
static int64_t snp_req(uint32_t req, uint64_t rdi, uint64_t *rsi, uint64_t *rdx, uint64_t r8)
{
	uint64_t rax = req;
	register uint64_t r8_reg __asm__("r8") = r8;

	__asm__ volatile("outl %%eax, %[port]"
	                 : "+a"(rax), "+S"(*rsi), "+d"(*rdx), "+r"(r8_reg)
	                 : "D"(rdi), [port] "i"(KVMSNP_PORT_SNP)
	                 : "memory");
	return (int64_t)rax;
}

static int64_t snp_req3(uint32_t req, uint64_t rdi, uint64_t rsi, uint64_t rdx)
{
	return snp_req(req, rdi, &rsi, &rdx, 0);
}

/* VMGEXIT on the runner: the GHCB MSR value travels in RBX both ways. */
static uint64_t snp_vmgexit(uint64_t msr)
{
	__asm__ volatile("outl %%eax, %[port]"
	                 : "+b"(msr)
	                 : "a"(0), [port] "i"(KVMSNP_PORT_VMGEXIT)
	                 : "memory");
	return msr;
}

/* Maps [base, base + size) (above 4 GiB) in whole 2 MiB pages. */
static int map_window(uint64_t base, uint64_t size)
{
	uint64_t lo = ALIGN_DOWN(base, 2ull << 20), end;

	if (size == 0 || add_overflows(base, size, &end))
		return -CSVSM_EINVAL;
	return x86_map_phys(lo, ALIGN_UP(end, 2ull << 20) - lo);
}

int kvm_snp_start(void)
{
	uint64_t pages, len, pa;

	if (!on_runner || snp_req3(KVMSNP_REQ_HELLO, x86_image_pa(&shared), 0, 0) != 0)
		return -CSVSM_ENOTSUP;
	if (shared.alias_size == 0 || shared.alias_size % (2ull << 20) ||
	    x86_map_phys(shared.alias_base, shared.alias_size) < 0)
		return -CSVSM_ENOMEM;
	alias = (uint8_t *)(uintptr_t)shared.alias_base;
	/* The NV device's MMIO window and DMA memory, where the runner put them (identity). */
	if ((shared.nv_kind == KVMSNP_NV_PFLASH || shared.nv_kind == KVMSNP_NV_VIRTIO) &&
	    (map_window(shared.nv_base,
	                shared.nv_kind == KVMSNP_NV_PFLASH ? shared.nv_size : VIRTIO_MMIO_WINDOW) <
	         0 ||
	     (shared.dma_size && map_window(shared.dma_base, shared.dma_size) < 0)))
		return -CSVSM_ENOMEM;
	snp_on = true;
	/* The fast path's bitmap: optional (without it every access asks). */
	pages = shared.alias_size / PAGE_SIZE;
	len = ALIGN_UP((pages + 7) / 8, (uint64_t)PAGE_SIZE);
	pa = x86_ram_take(len, PAGE_SIZE);
	if (pa) {
		bitmap = (const volatile uint8_t *)(uintptr_t)pa;
		shared.bitmap_len = len;
		__atomic_store_n(&shared.bitmap_pa, pa, __ATOMIC_RELEASE);
	}
	return 0;
}

bool kvm_snp_active(void)
{
	return snp_on;
}

const struct kvmsnp_shared *kvm_snp_shared(void)
{
	return snp_on ? &shared : NULL;
}

int kvm_snp_nv_io(enum kvmsnp_nv_op op, uint64_t off, const void *buf, size_t len)
{
	uint64_t rsi = off, rdx = buf ? x86_image_pa(buf) : 0;

	if (!snp_on || shared.nv_kind != KVMSNP_NV_HOST)
		return -CSVSM_EIO;
	return (int)snp_req(KVMSNP_REQ_NV, op, &rsi, &rdx, len);
}

uint64_t kvm_snp_dma_alloc(size_t size)
{
	if (!snp_on || shared.dma_size == 0)
		return 0;
	return (uint64_t)snp_req3(KVMSNP_REQ_DMA_ALLOC, size, 0, 0);
}

void kvm_snp_dma_free(uint64_t pa, size_t size)
{
	if (snp_on && shared.dma_size)
		(void)snp_req3(KVMSNP_REQ_DMA_FREE, pa, size, 0);
}

int kvm_snp_rand(void *buf, size_t len)
{
	if (!snp_on || !shared.rand_replay)
		return -CSVSM_ENOTSUP;
	return (int)snp_req3(KVMSNP_REQ_RAND, x86_image_pa(buf), len, KVMSNP_RAND_LIBRARIES);
}

/* plat_entropy_get's bytes from the machine's seeded source (the shim's plat_entropy). */
static int kvm_snp_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		size_t n = MIN(len, (size_t)4096);

		if (snp_req3(KVMSNP_REQ_RAND, x86_image_pa(p), n, KVMSNP_RAND_PLATFORM) != 0) {
			mem_set(buf, 0, (size_t)(p - (uint8_t *)buf));
			return -CSVSM_EIO;
		}
		p += n;
		len -= n;
	}
	return 0;
}

void kvm_snp_boot_done(int rc)
{
	if (snp_on)
		(void)snp_req3(KVMSNP_REQ_BOOT_DONE, (uint64_t)(int64_t)rc, 0, 0);
}

void kvm_snp_vtpm_event(uint32_t cc, size_t cmd_len, uint32_t rc, size_t rsp_len)
{
	uint64_t rsi = cmd_len, rdx = rc;

	if (snp_on)
		(void)snp_req(KVMSNP_REQ_VTPM_EVENT, cc, &rsi, &rdx, rsp_len);
}

/* [gpa, gpa + len) lies in the machine's guest physical space. */
static bool in_alias(gpa_t gpa, size_t len)
{
	uint64_t end;

	return snp_on && !add_overflows(gpa, (uint64_t)len, &end) && end <= shared.alias_size;
}

/* True when the runner's bitmap lets VMPL0 read and write every page of the range now. */
static bool fast_ok(gpa_t gpa, size_t len)
{
	if (!bitmap || !__atomic_load_n(&shared.fast, __ATOMIC_ACQUIRE) || len == 0 ||
	    !in_alias(gpa, len))
		return false;
	for (uint64_t p = gpa / PAGE_SIZE; p <= (gpa + len - 1) / PAGE_SIZE; p++)
		if (!(bitmap[p / 8] & (1u << (p % 8))))
			return false;
	return true;
}

/* Without the libraries (csvsm-kvm.elf) nothing draws from OpenSSL: seed.c's replaces this. */
__attribute__((weak)) int rand_replay_install(rand_replay_fn fill)
{
	(void)fill;
	return -CSVSM_ENOTSUP;
}

/*
 * The runner asked for the seed's randomness (a scenario: reproducible
 * traces): installed here, the first platform call of svsm_boot after the
 * heap is up (OpenSSL allocates), before anything draws random bytes.
 */
static int take_rand_replay(void)
{
	static bool done;
	int rc;

	if (done || !shared.rand_replay)
		return 0;
	/* The core's own randomness (platformAuth, the NV store's IVs) too, as in the shim. */
	x86_entropy_set_source(kvm_snp_entropy);
	rc = rand_replay_install(kvm_snp_rand);
	if (rc < 0 && rc != -CSVSM_ENOTSUP) {
		log_printf("csvsm-kvm: cannot take the machine's seeded randomness (%s)\n",
		           csvsm_strerror(rc));
		return rc;
	}
	done = true;
	return 0;
}

int plat_boot_info(struct plat_boot_info *out)
{
	_Static_assert(sizeof(*out) <= PAGE_SIZE, "boot info fits a page");
	mem_set(out, 0, sizeof(*out));
	if (!snp_on)
		return -CSVSM_ENOTSUP;
	if (take_rand_replay() < 0)
		return -CSVSM_EIO;
	return snp_req3(KVMSNP_REQ_BOOT_INFO, x86_image_pa(out), sizeof(*out), 0) == 0 ? 0
	                                                                               : -CSVSM_EIO;
}

static int copy_req(uint32_t req, gpa_t gpa, const void *buf, size_t len)
{
	if (!snp_on)
		return -CSVSM_EFAULT;
	return snp_req3(req, gpa, x86_image_pa(buf), len) == 0 ? 0 : -CSVSM_EFAULT;
}

int plat_guest_read(gpa_t gpa, void *dst, size_t len)
{
	if (fast_ok(gpa, len)) {
		mem_copy(dst, alias + gpa, len);
		return 0;
	}
	return copy_req(KVMSNP_REQ_GUEST_READ, gpa, dst, len);
}

int plat_guest_write(gpa_t gpa, const void *src, size_t len)
{
	if (fast_ok(gpa, len)) {
		mem_copy(alias + gpa, src, len);
		return 0;
	}
	return copy_req(KVMSNP_REQ_GUEST_WRITE, gpa, src, len);
}

int plat_guest_zero(gpa_t gpa, size_t len)
{
	static const uint8_t zeros[PAGE_SIZE];

	if (fast_ok(gpa, len)) {
		mem_set(alias + gpa, 0, len);
		return 0;
	}
	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(zeros) ? len - done : sizeof(zeros);

		if (copy_req(KVMSNP_REQ_GUEST_WRITE, gpa + done, zeros, n) != 0)
			return -CSVSM_EFAULT;
		done += n;
	}
	return 0;
}

int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old)
{
	uint64_t rsi = val, rdx = 0;

	if (fast_ok(gpa, 1)) {
		*old = __atomic_exchange_n(alias + gpa, val, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (!snp_on || snp_req(KVMSNP_REQ_XCHG8, gpa, &rsi, &rdx, 0) != 0)
		return -CSVSM_EFAULT;
	*old = (uint8_t)rsi;
	return 0;
}

/* VMPL0 may make `access` (1 read, 2 write) to [gpa, gpa + len) now; the runner records a fault. */
static bool access_ok(gpa_t gpa, size_t len, unsigned int access)
{
	return fast_ok(gpa, len) ||
	       (in_alias(gpa, len) && snp_req3(KVMSNP_REQ_ACCESS, gpa, len, access) == 0);
}

void *plat_vmsa_map(gpa_t gpa)
{
	if ((gpa & (PAGE_SIZE - 1)) || !access_ok(gpa, PAGE_SIZE, 3))
		return NULL;
	return alias + gpa;
}

void plat_vmsa_unmap(void *vmsa)
{
	(void)vmsa; /* the alias maps every page all the time */
}

/* The GPA of [off, off + len) of a VMSA mapped by plat_vmsa_map, or -1. */
static int64_t vmsa_gpa(const void *vmsa, size_t off, size_t len)
{
	const uint8_t *p = vmsa;

	if (!snp_on || p < alias || (uint64_t)(p - alias) >= shared.alias_size || off > PAGE_SIZE ||
	    len > PAGE_SIZE - off)
		return -1;
	return (int64_t)((uint64_t)(p - alias) + off);
}

int plat_vmsa_read(const void *vmsa, size_t off, void *dst, size_t len)
{
	int64_t gpa = vmsa_gpa(vmsa, off, len);

	if (gpa < 0 || !access_ok((gpa_t)gpa, len, 1))
		return -CSVSM_EFAULT;
	mem_copy(dst, alias + gpa, len);
	return 0;
}

int plat_vmsa_write(void *vmsa, size_t off, const void *src, size_t len)
{
	int64_t gpa = vmsa_gpa(vmsa, off, len);

	if (gpa < 0 || !access_ok((gpa_t)gpa, len, 2))
		return -CSVSM_EFAULT;
	mem_copy(alias + gpa, src, len);
	return 0;
}

int plat_pvalidate(gpa_t gpa, enum rmp_page_size size, bool validate, bool *unchanged)
{
	uint64_t rsi = size, rdx = validate;
	int64_t rc;

	*unchanged = false;
	if (!snp_on)
		return -CSVSM_ENOTSUP;
	rc = snp_req(KVMSNP_REQ_PVALIDATE, gpa, &rsi, &rdx, 0);
	*unchanged = rsi != 0;
	return (int)rc;
}

int plat_rmpadjust(gpa_t gpa, enum rmp_page_size size, uint64_t attrs)
{
	if (!snp_on)
		return -CSVSM_ENOTSUP;
	return (int)snp_req3(KVMSNP_REQ_RMPADJUST, gpa, size, attrs);
}

/* The runner's index of this vCPU: RDI at x86_ap_entry64, 0 for the boot vCPU (smp.c). */
unsigned int plat_vcpu_index(void)
{
	return x86_this_cpu()->index;
}

/* GHCB 56421 MSR protocol 0x016/0x017: run the VMPL's VMSA until VMPL0 is resumed. */
int plat_run_guest(unsigned int vmpl)
{
	uint64_t resp;

	if (!snp_on)
		return -CSVSM_EIO;
	__atomic_store_n(&shared.mm_live_allocs, (uint64_t)mm_live_allocs(), __ATOMIC_RELAXED);
	resp = snp_vmgexit(GHCB_MSR_RUN_VMPL(vmpl));
	return GHCB_MSR_INFO(resp) == GHCB_MSR_RUN_VMPL_RESP && (resp >> 32) == 0 ? 0 : -CSVSM_EIO;
}

uint64_t plat_ghcb_msr_request(uint64_t request)
{
	if (!snp_on)
		return 0; /* response code 0: no such response, every caller refuses it */
	return snp_vmgexit(request);
}

/*
 * SNP guest requests: the runner hands the pages to the shared hypervisor
 * model and its PSP (sim/machine/hv_guest_msg.c, sim/machine/psp.c), as the
 * shim does in-process. No runner: -CSVSM_EIO, as the contract says for a
 * broken exit.
 */
int plat_guest_request(const void *req, void *rsp, void *certs, size_t *certs_len,
                       uint64_t *exit_info2)
{
	uint64_t rsi = x86_image_pa(rsp), rdx = certs ? x86_image_pa(certs) : 0;
	int64_t rc;

	*exit_info2 = 0;
	if (!snp_on || (certs && !certs_len))
		return -CSVSM_EIO;
	rc = snp_req(KVMSNP_REQ_GUEST_REQUEST, x86_image_pa(req), &rsi, &rdx,
	             certs ? *certs_len : 0);
	if (rc != 0)
		return -CSVSM_EIO;
	*exit_info2 = rsi;
	if (certs)
		*certs_len = (size_t)rdx;
	return 0;
}

/* plat_nv_device: nv_kvm.c (the device `nvdev=` names). */
