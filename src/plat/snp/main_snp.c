/* SPDX-License-Identifier: MIT */
/*
 * csvsm-snp.elf's main: after the early SNP checks (plat_snp.c). The
 * launch facts (secrets page, boot vCPU's CA and VMSA, guest VMPL) come
 * from the command line until an IGVM loader provides them; guest RAM is
 * the PVH memory map minus the SVSM's memory.
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "../x86_64/x86_plat.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/cpu.h"
#include "csvsm/svsm.h"
#include "snp_plat.h"

#define SNP_HEAP_MAX ((size_t)16 << 20)

static struct x86_boot *snp_boot;

static bool parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len < 3 || len > 18 || s[0] != '0' || s[1] != 'x')
		return false;
	for (size_t i = 2; i < len; i++) {
		char c = s[i];
		unsigned int d = c >= '0' && c <= '9'   ? (unsigned int)(c - '0')
		                 : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
		                                        : 16u;

		if (d == 16)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static bool fact(const struct x86_boot *b, const char *key, uint64_t *out)
{
	size_t len;
	const char *v = x86_cmdline_value(b, key, &len);

	return v && parse_hex(v, len, out);
}

int snp_launch_facts(const struct x86_boot *b, struct plat_boot_info *out)
{
	uint64_t vmpl = 2;

	mem_set(out, 0, sizeof(*out));
	if (!fact(b, "snp.secrets", &out->secrets_gpa) || !fact(b, "snp.caa", &out->boot_caa_gpa) ||
	    !fact(b, "snp.vmsa", &out->boot_vmsa_gpa) ||
	    !fact(b, "snp.guest_secrets", &out->guest_secrets_gpa))
		return -CSVSM_EINVAL;
	if (x86_cmdline_value(b, "snp.guest_vmpl", &(size_t){0}) &&
	    !fact(b, "snp.guest_vmpl", &vmpl))
		return -CSVSM_EINVAL;
	out->guest_vmpl = (uint8_t)vmpl;
	for (uint32_t i = 0; i < b->memmap_count && out->ram_count < PLAT_MAX_MEM_RANGES; i++) {
		const struct hvm_memmap_entry *e = &b->memmap[i];

		if (e->type == HVM_MEMMAP_TYPE_RAM && e->size >= PAGE_SIZE)
			out->ram[out->ram_count++] =
			    (struct plat_mem_range){ALIGN_UP(e->addr, (uint64_t)PAGE_SIZE),
			                            ALIGN_DOWN(e->size, (uint64_t)PAGE_SIZE)};
	}
	out->svsm_base = b->image_start_pa;
	out->svsm_size = b->image_end_pa - b->image_start_pa;
	out->vcpu_count = 1;
	return 0;
}

int plat_boot_info(struct plat_boot_info *out)
{
	return snp_boot ? snp_launch_facts(snp_boot, out) : -CSVSM_EINVAL;
}

/*
 * An AP (x86_ap_entry64): nothing starts SNP APs yet (that takes an
 * AP-creation VMGEXIT with a VMSA of the SVSM's own), so one that arrives
 * says so and stops the SVSM cleanly.
 */
void x86_plat_ap_main(unsigned int n)
{
	log_printf("csvsm-snp: vCPU %u started, but APs are not supported on SNP yet\n", n);
	plat_halt();
}

void x86_plat_main(struct x86_boot *boot)
{
	int rc;

	snp_boot = boot;
	if (!snp_is_active())
		x86_stop(); /* x86_plat_early has said why */
	if (x86_cmdline_has(boot, "selftest")) {
		(void)x86_selftest_run(NULL, 0);
		plat_halt();
	}
	if (x86_heap_from_memmap(SNP_HEAP_MAX) < 0)
		plat_halt();
	rc = svsm_boot();
	log_printf("csvsm-snp: SVSM boot: %s\n", csvsm_strerror(rc));
	plat_halt();
}
