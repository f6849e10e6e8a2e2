/* SPDX-License-Identifier: MIT */
/*
 * Application processors: the per-CPU area of vCPU n >= 1 and its start
 * (ap_entry.S calls x86_ap_setup, then x86_ap_start). An AP's area is
 * taken from RAM (x86_ram_take, under its lock) the first time the vCPU
 * starts and kept for good: a vCPU the runner starts again reuses it.
 *
 *   [guard][kernel stack 32 KiB][guard][#DF 8 KiB][guard][NMI 8 KiB]
 *   [guard][#MC 8 KiB][struct x86_cpu, one page]
 *   [guard][CPL 3's exception stack (TSS.RSP0) 16 KiB][2 spare page tables]
 *
 * The guard pages are unmapped (x86_unmap_page), as the boot vCPU's are.
 * Unmapping one in a 2 MiB mapping splits it into a page table; the area
 * spans at most two 2 MiB pages, so two spare tables always suffice, and
 * taking them in the same x86_ram_take as the area makes that call the only
 * allocation of an AP's bring-up: when it fails nothing has changed, and
 * nothing after it can fail. A spare left unused stays with the area
 * (x86_ram_take has no free; 4 or 8 KiB per AP).
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/panic.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/cpu.h"
#include "x86.h"
#include "x86_boot.h"

#define AP_SPARE_PTS 2

struct x86_ap_area {
	struct x86_stack_area stacks;
	union {
		struct x86_cpu cpu;
		uint8_t page[PAGE_SIZE];
	} u;
	uint8_t guard_rsp0[PAGE_SIZE];
	uint8_t user_rsp0[X86_USER_RSP0];
	uint8_t spare_pt[AP_SPARE_PTS][PAGE_SIZE];
};
_Static_assert(sizeof(struct x86_cpu) <= PAGE_SIZE, "per-CPU data fits its page");
_Static_assert(sizeof(struct x86_ap_area) % PAGE_SIZE == 0, "whole pages");
/* Page aligned and smaller than 2 MiB: it meets at most two 2 MiB pages. */
_Static_assert(sizeof(struct x86_ap_area) <= (2u << 20) && AP_SPARE_PTS == 2,
               "two spare page tables suffice");

/* Each AP's area once prepared (written under ap_entry.S's boot lock). */
static struct x86_ap_area *ap_areas[PLAT_MAX_VCPUS];
static unsigned int ap_started;

static struct x86_stack_range stack_range(const uint8_t *lo, size_t len)
{
	return (struct x86_stack_range){(uintptr_t)lo, (uintptr_t)lo + len};
}

static struct x86_ap_area *ap_area_new(unsigned int n)
{
	struct x86_ap_area *a;
	uint64_t pa = x86_ram_take(sizeof(*a), PAGE_SIZE);
	uint64_t spare[AP_SPARE_PTS];
	struct x86_stack_area *s;

	if (pa == 0)
		return NULL;
	a = (struct x86_ap_area *)(uintptr_t)pa;
	s = &a->stacks;
	mem_set(&a->u, 0, sizeof(a->u));
	a->u.cpu.index = n;
	a->u.cpu.stacks[0] = stack_range(s->boot, sizeof(s->boot));
	a->u.cpu.stacks[1] = stack_range(s->df, sizeof(s->df));
	a->u.cpu.stacks[2] = stack_range(s->nmi, sizeof(s->nmi));
	a->u.cpu.stacks[3] = stack_range(s->mc, sizeof(s->mc));
	a->u.cpu.user_rsp0 = (uint64_t)(uintptr_t)a->user_rsp0 + sizeof(a->user_rsp0);
	for (unsigned int i = 0; i < AP_SPARE_PTS; i++)
		spare[i] = (uint64_t)(uintptr_t)a->spare_pt[i];
	for (unsigned int i = 0, k = 0; i <= ARRAY_SIZE(a->u.cpu.stacks); i++) {
		uint64_t guard = i < ARRAY_SIZE(a->u.cpu.stacks)
		                     ? a->u.cpu.stacks[i].lo - PAGE_SIZE
		                     : (uint64_t)(uintptr_t)a->guard_rsp0;
		uint64_t *pt = k < AP_SPARE_PTS ? &spare[k] : NULL;
		/* Fails only on a bad address or without a spare: neither can happen here. */
		int rc = x86_unmap_page(guard, pt);

		BUG_ON(rc < 0);
		if (pt && *pt == 0)
			k++;
	}
	return a;
}

int x86_ap_prepare(unsigned int n)
{
	struct x86_ap_area *a;

	if (n == 0 || n >= PLAT_MAX_VCPUS)
		return -CSVSM_EINVAL;
	if (__atomic_load_n(&ap_areas[n], __ATOMIC_ACQUIRE))
		return 0;
	a = ap_area_new(n);
	if (a == NULL)
		return -CSVSM_ENOMEM;
	__atomic_store_n(&ap_areas[n], a, __ATOMIC_RELEASE);
	return 0;
}

struct x86_cpu *x86_ap_cpu(unsigned int n)
{
	struct x86_ap_area *a =
	    n < PLAT_MAX_VCPUS ? __atomic_load_n(&ap_areas[n], __ATOMIC_ACQUIRE) : NULL;

	return a ? &a->u.cpu : NULL;
}

/*
 * On failure the vCPU halts still holding ap_entry.S's boot lock, on the
 * boot stack: releasing the lock would let the next vCPU share the stack
 * under plat_halt, and plat_halt ends the machine anyway (the runner's
 * exit port on plat/kvm, a termination request on plat/snp).
 */
uint64_t x86_ap_setup(uint64_t n)
{
	int rc = n < PLAT_MAX_VCPUS ? x86_ap_prepare((unsigned int)n) : -CSVSM_EINVAL;

	if (rc == -CSVSM_EINVAL) {
		log_printf("x86: vCPU %llu cannot start: the index must be 1..%u\n",
		           (unsigned long long)n, PLAT_MAX_VCPUS - 1);
		plat_halt();
	}
	if (rc < 0) {
		log_printf("x86: no memory for vCPU %llu's stacks and per-CPU data (%llu bytes)\n",
		           (unsigned long long)n, (unsigned long long)sizeof(struct x86_ap_area));
		plat_halt();
	}
	x86_cpu_load(&ap_areas[n]->u.cpu);
	return ap_areas[n]->u.cpu.stacks[0].hi;
}

void x86_ap_start(uint64_t n)
{
	__atomic_add_fetch(&ap_started, 1, __ATOMIC_SEQ_CST);
	x86_plat_ap_main((unsigned int)n);
}

unsigned int x86_ap_started(void)
{
	return __atomic_load_n(&ap_started, __ATOMIC_SEQ_CST);
}
