/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP platform: csvsm-snp.elf at VMPL0 of an SNP guest. The SNP
 * instructions are the real ones (PVALIDATE F2 0F 01 FF, RMPADJUST
 * F3 0F 01 FE, VMGEXIT F3 0F 01 D9; abi §4.1, §4.2, §3.1); their operands
 * and results go through snp_encode.c, which is unit-tested on the host.
 *
 * What this image does today (none of it can run on these machines):
 *  - not an SNP guest (SEV_STATUS unreadable or SNP clear): says so on
 *    COM1 and halts; it never guesses;
 *  - an SNP guest: negotiates GHCB protocol 2 over the MSR protocol,
 *    checks the hypervisor's features and that it runs at VMPL0 (RMPADJUST
 *    of its own page for VMPL1 succeeds only there, abi §4.2), then
 *    requests termination: the bring-up does not yet map memory with the
 *    C-bit nor handle #VC, which SNP needs before anything else can run
 *    (reason set 0, code 0; not at VMPL0: set 1, code 3, as Linux).
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/console.h"
#include "csvsm/plat/cpu.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/guest_msg.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/storage.h"
#include "csvsm/plat/vmpl.h"
#include "snp_abi.h"
#include "snp_guest_req.h"
#include "snp_plat.h"

static bool snp_active;
static struct ghcb_page ghcb __attribute__((aligned(4096)));
static bool ghcb_registered;
/* A page of the image used only to probe the VMPL with RMPADJUST. */
static uint8_t vmpl_probe_page[PAGE_SIZE] __attribute__((aligned(4096)));

/* ---- the instructions ---------------------------------------------------- */

static inline void vmgexit(void)
{
	__asm__ volatile(".byte 0xf3, 0x0f, 0x01, 0xd9" ::: "memory");
}

static uint32_t insn_pvalidate(const struct snp_rmp_operands *o, bool *cf)
{
	uint32_t eax;
	uint8_t c;

	__asm__ volatile(".byte 0xf2, 0x0f, 0x01, 0xff\n\tsetc %1"
	                 : "=a"(eax), "=qm"(c)
	                 : "a"(o->rax), "c"(o->rcx), "d"(o->rdx)
	                 : "memory", "cc");
	*cf = c;
	return eax;
}

static uint32_t insn_rmpadjust(const struct snp_rmp_operands *o)
{
	uint32_t eax;

	__asm__ volatile(".byte 0xf3, 0x0f, 0x01, 0xfe"
	                 : "=a"(eax)
	                 : "a"(o->rax), "c"(o->rcx), "d"(o->rdx)
	                 : "memory", "cc");
	return eax;
}

bool snp_is_active(void)
{
	return snp_active;
}

uint64_t plat_ghcb_msr_request(uint64_t request)
{
	uint64_t old, resp;

	if (!snp_active)
		return 0; /* no hypervisor protocol off SNP: response code 0 */
	old = x86_rdmsr(SNP_MSR_GHCB);
	x86_wrmsr(SNP_MSR_GHCB, request);
	vmgexit();
	resp = x86_rdmsr(SNP_MSR_GHCB);
	x86_wrmsr(SNP_MSR_GHCB, old);
	return resp;
}

static CSVSM_NORETURN void snp_terminate(unsigned int set, unsigned int reason)
{
	if (snp_active) {
		x86_wrmsr(SNP_MSR_GHCB, GHCB_MSR_TERM(set, reason));
		vmgexit();
	}
	x86_stop();
}

/* One NAE event through the registered GHCB page (abi §3.2). */
static int ghcb_call(void)
{
	if (!ghcb_registered)
		return -CSVSM_EIO;
	x86_wrmsr(SNP_MSR_GHCB, x86_image_pa(&ghcb));
	vmgexit();
	return ghcb_result(&ghcb);
}

/* ---- early checks ------------------------------------------------------- */

static bool read_sev_status(uint64_t *status)
{
	struct x86_catch c = {.quiet = true};

	if (x86_try(&c, 1u << X86_VEC_GP) == 0) {
		*status = x86_rdmsr(SNP_MSR_SEV_STATUS);
		x86_try_end(&c);
		return true;
	}
	return false; /* #GP: the MSR does not exist (not an SEV guest) */
}

void x86_plat_early(void)
{
	struct snp_sev_info info;
	struct snp_rmp_operands ops;
	uint64_t status = 0, features = 0;
	bool readable = read_sev_status(&status);

	if (!readable || !(status & SNP_SEV_STATUS_SNP)) {
		serial_init(X86_COM1);
		if (readable)
			log_printf(
			    "csvsm-snp: not an SEV-SNP guest (SEV_STATUS %#llx: SNP bit 2 clear)\n",
			    (unsigned long long)status);
		else
			log_printf("csvsm-snp: not an SEV-SNP guest (SEV_STATUS MSR 0xc0010131 "
			           "unreadable: #GP)\n");
		log_printf("csvsm-snp: this image runs only at VMPL0 of an SNP guest; halted\n");
		x86_stop();
	}
	snp_active = true;
	if (snp_msr_sev_info(plat_ghcb_msr_request(GHCB_MSR_SEV_INFO_REQ), &info) < 0 ||
	    snp_msr_negotiate(&info) < 0)
		snp_terminate(0, 1); /* set 0 reason 1: protocol range unsupported */
	if (snp_msr_hv_features(plat_ghcb_msr_request(GHCB_MSR_HV_FT_REQ), &features) < 0 ||
	    (features & GHCB_HV_FT_SVSM_REQUIRED) != GHCB_HV_FT_SVSM_REQUIRED)
		snp_terminate(0, 2); /* set 0 reason 2: SNP features unsupported */
	if (snp_rmpadjust_operands((uint64_t)(uintptr_t)vmpl_probe_page, RMP_PAGE_4K,
	                           RMPADJUST_TARGET_VMPL(1), &ops) < 0 ||
	    insn_rmpadjust(&ops) != RMP_SUCCESS)
		snp_terminate(1, 3); /* set 1 reason 3: not at VMPL0 (abi §3.1) */
	/* The bring-up has no C-bit mappings and no #VC handler yet: stop cleanly. */
	snp_terminate(0, 0);
}

/* ---- the platform interface --------------------------------------------- */

void plat_console_write(const char *buf, size_t len)
{
	if (!snp_active) {
		serial_write(X86_COM1, buf, len);
		return;
	}
	/* IOIO through the GHCB (abi §3.3): one exit per byte. */
	for (size_t i = 0; i < len; i++)
		if (ghcb_prepare_ioio(&ghcb, X86_COM1, 1, false, (uint8_t)buf[i]) < 0 ||
		    ghcb_call() < 0)
			return;
}

void plat_halt(void)
{
	static const char msg[] = "csvsm-snp: halted\n";

	plat_console_write(msg, sizeof(msg) - 1);
	snp_terminate(0, 0);
}

int plat_pvalidate(gpa_t gpa, enum rmp_page_size size, bool validate, bool *unchanged)
{
	struct snp_rmp_operands ops;
	bool cf = false;
	int rc;

	*unchanged = false;
	if (gpa >= (1ull << 32)) /* only the identity-mapped range has an SVSM address */
		return -CSVSM_EFAULT;
	if (snp_pvalidate_operands(gpa, size, validate, &ops) < 0)
		return RMP_FAIL_INPUT;
	rc = snp_rmp_result(insn_pvalidate(&ops, &cf), cf, unchanged);
	return rc < 0 ? -CSVSM_EFAULT : rc;
}

int plat_rmpadjust(gpa_t gpa, enum rmp_page_size size, uint64_t attrs)
{
	struct snp_rmp_operands ops;
	int rc;

	if (gpa >= (1ull << 32))
		return -CSVSM_EFAULT;
	if (snp_rmpadjust_operands(gpa, size, attrs, &ops) < 0)
		return RMP_FAIL_INPUT;
	rc = snp_rmp_result(insn_rmpadjust(&ops), false, NULL);
	return rc < 0 ? -CSVSM_EFAULT : rc;
}

/* abi §3.1 0x016/0x017: run the VMPL's VMSA on this vCPU until VMPL0 is resumed. */
int plat_run_guest(unsigned int vmpl)
{
	return snp_msr_run_vmpl_ok(plat_ghcb_msr_request(GHCB_MSR_RUN_VMPL(vmpl))) ? 0 : -CSVSM_EIO;
}

/* 0 for the boot vCPU; an AP's index from its per-CPU data (src/plat/x86_64/smp.c). */
unsigned int plat_vcpu_index(void)
{
	return x86_this_cpu()->index;
}

/* Guest memory below 4 GiB through the identity map (private pages). */
static bool guest_range_ok(gpa_t gpa, size_t len)
{
	uint64_t end;

	return !add_overflows(gpa, (uint64_t)len, &end) && end <= (1ull << 32) && gpa != 0;
}

int plat_guest_read(gpa_t gpa, void *dst, size_t len)
{
	if (!guest_range_ok(gpa, len))
		return -CSVSM_EFAULT;
	mem_copy(dst, (const void *)(uintptr_t)gpa, len);
	return 0;
}

int plat_guest_write(gpa_t gpa, const void *src, size_t len)
{
	if (!guest_range_ok(gpa, len))
		return -CSVSM_EFAULT;
	mem_copy((void *)(uintptr_t)gpa, src, len);
	return 0;
}

int plat_guest_zero(gpa_t gpa, size_t len)
{
	if (!guest_range_ok(gpa, len))
		return -CSVSM_EFAULT;
	mem_set((void *)(uintptr_t)gpa, 0, len);
	return 0;
}

int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old)
{
	if (!guest_range_ok(gpa, 1))
		return -CSVSM_EFAULT;
	*old = __atomic_exchange_n((volatile uint8_t *)(uintptr_t)gpa, val, __ATOMIC_SEQ_CST);
	return 0;
}

void *plat_vmsa_map(gpa_t gpa)
{
	return guest_range_ok(gpa, PAGE_SIZE) ? (void *)(uintptr_t)gpa : NULL;
}

void plat_vmsa_unmap(void *vmsa)
{
	(void)vmsa;
}

/*
 * SNP guest requests (csvsm/plat/guest_msg.h) through the GHCB: the
 * messages travel in shared pages of the image's own (the core's buffers
 * are private), SNP_GUEST_REQUEST or, with certificates, the extended
 * request (snp_guest_req.c encodes it). The pages must be shared with the
 * hypervisor (C-bit clear, page state shared): until the bring-up maps
 * them so and registers the GHCB, ghcb_call fails and so does this, with
 * -CSVSM_EIO.
 */
static uint8_t gr_req[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t gr_rsp[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t gr_certs[4 * PAGE_SIZE] __attribute__((aligned(4096)));

int plat_guest_request(const void *req, void *rsp, void *certs, size_t *certs_len,
                       uint64_t *exit_info2)
{
	uint64_t pages = 0, want;
	bool ext = certs != NULL;
	size_t have = ext && certs_len ? *certs_len : 0;
	int rc;

	*exit_info2 = 0;
	if (ext && (!certs_len || have < PAGE_SIZE))
		return -CSVSM_EIO;
	if (have > sizeof(gr_certs))
		have = sizeof(gr_certs);
	mem_copy(gr_req, req, PAGE_SIZE);
	rc = ghcb_prepare_guest_request(&ghcb, x86_image_pa(gr_req), x86_image_pa(gr_rsp),
	                                ext ? x86_image_pa(gr_certs) : 0,
	                                ext ? have / PAGE_SIZE : 0);
	if (rc == 0)
		rc = ghcb_call();
	if (rc == 0)
		rc = ghcb_guest_request_answer(&ghcb, ext, exit_info2, &pages);
	if (rc < 0)
		return -CSVSM_EIO;
	/* One copy of each shared page: the caller checks the private copy. */
	mem_copy(rsp, gr_rsp, PAGE_SIZE);
	if (ext) {
		if (SNP_GUEST_VMM_ERR(*exit_info2) == SNP_GUEST_VMM_INVALID_LEN) {
			want = pages > SIZE_MAX / PAGE_SIZE ? SIZE_MAX : pages * PAGE_SIZE;
			*certs_len = (size_t)want;
		} else if (*exit_info2 == 0) {
			/* Untrusted: only a well-formed table within the buffer is passed on. */
			size_t len = snp_cert_table_len(gr_certs, have);

			mem_copy(certs, gr_certs, len);
			*certs_len = len;
		}
	}
	return 0;
}

struct blkdev *plat_nv_device(void)
{
	return NULL; /* CFI pflash / virtio-mmio block: later */
}
