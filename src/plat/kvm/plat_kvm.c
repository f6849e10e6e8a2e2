/* SPDX-License-Identifier: MIT */
/*
 * The kvm platform: csvsm-kvm.elf on the csvsm KVM runner (sim/kvm) or, for
 * booting and self-tests, under QEMU. The runner is recognised by its CPUID
 * signature (csvsm/abi/kvm_runner.h); then the console goes through the
 * runner's mailbox (one exit per line instead of two per 16 bytes) and the
 * TSC rate comes from its timing leaf. Elsewhere: COM1 and the PIT.
 *
 * The SNP services (guest memory, RMP, VMSA, VMPL switches, GHCB) come with
 * the runner's SNP machine (next issue); until then they fail cleanly.
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "csvsm/abi/kvm_runner.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/console.h"
#include "csvsm/plat/cpu.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/guest_msg.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/storage.h"
#include "csvsm/plat/vmpl.h"
#include "kvm_plat.h"

static bool on_runner;
/* The runner's mailbox page (console lines), in the image's bss. */
static uint8_t mailbox[KVMRUN_MAILBOX_SIZE] __attribute__((aligned(4096)));

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
	if (!on_runner) {
		serial_write(X86_COM1, buf, len);
		return;
	}
	while (len) {
		size_t n = MIN(len, (size_t)KVMRUN_MAILBOX_SIZE);

		mem_copy(mailbox, buf, n);
		x86_outl(KVMRUN_PORT_CONSOLE, (uint32_t)n);
		buf += n;
		len -= n;
	}
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

/* ---- SNP services: with the runner's SNP machine (next issue) ---------- */

int plat_boot_info(struct plat_boot_info *out)
{
	mem_set(out, 0, sizeof(*out));
	return -CSVSM_ENOTSUP;
}

int plat_guest_read(gpa_t gpa, void *dst, size_t len)
{
	(void)gpa;
	(void)dst;
	(void)len;
	return -CSVSM_EFAULT;
}

int plat_guest_write(gpa_t gpa, const void *src, size_t len)
{
	(void)gpa;
	(void)src;
	(void)len;
	return -CSVSM_EFAULT;
}

int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old)
{
	(void)gpa;
	(void)val;
	(void)old;
	return -CSVSM_EFAULT;
}

void *plat_vmsa_map(gpa_t gpa)
{
	(void)gpa;
	return NULL;
}

void plat_vmsa_unmap(void *vmsa)
{
	(void)vmsa;
}

/* No VMSA is ever mapped here (plat_vmsa_map fails): every access faults. */
int plat_vmsa_read(const void *vmsa, size_t off, void *dst, size_t len)
{
	(void)vmsa;
	(void)off;
	(void)dst;
	(void)len;
	return -CSVSM_EFAULT;
}

int plat_vmsa_write(void *vmsa, size_t off, const void *src, size_t len)
{
	(void)vmsa;
	(void)off;
	(void)src;
	(void)len;
	return -CSVSM_EFAULT;
}

int plat_pvalidate(gpa_t gpa, enum rmp_page_size size, bool validate, bool *unchanged)
{
	(void)gpa;
	(void)size;
	(void)validate;
	*unchanged = false;
	return -CSVSM_ENOTSUP;
}

int plat_rmpadjust(gpa_t gpa, enum rmp_page_size size, uint64_t attrs)
{
	(void)gpa;
	(void)size;
	(void)attrs;
	return -CSVSM_ENOTSUP;
}

unsigned int plat_vcpu_index(void)
{
	return 0;
}

int plat_run_guest(unsigned int vmpl)
{
	(void)vmpl;
	return -CSVSM_EIO;
}

uint64_t plat_ghcb_msr_request(uint64_t request)
{
	(void)request;
	return 0; /* response code 0: no such response, every caller refuses it */
}

/*
 * SNP guest requests: the runner has no PSP yet (its SNP machine, with
 * the shared model sim/machine/psp.c, is the next issue), so the exchange
 * cannot be made: -CSVSM_EIO, as the contract says for a broken exit.
 */
int plat_guest_request(const void *req, void *rsp, void *certs, size_t *certs_len,
                       uint64_t *exit_info2)
{
	(void)req;
	(void)rsp;
	(void)certs;
	(void)certs_len;
	*exit_info2 = 0;
	return -CSVSM_EIO;
}

struct blkdev *plat_nv_device(void)
{
	return NULL;
}
