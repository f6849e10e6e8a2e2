/* SPDX-License-Identifier: MIT */
/*
 * Application processors: the per-CPU area of vCPU n >= 1 and its start
 * (ap_entry.S calls x86_ap_setup, then x86_ap_start). An AP's area is
 * taken from RAM (x86_ram_take, under its lock) the first time the vCPU
 * starts and kept for good: a vCPU the runner starts again reuses it.
 *
 *   [guard][kernel stack 32 KiB][guard][#DF 8 KiB][guard][NMI 8 KiB]
 *   [guard][#MC 8 KiB][struct x86_cpu, one page]
 *
 * The guard pages are unmapped (x86_unmap_page), as the boot vCPU's are.
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/cpu.h"
#include "x86.h"
#include "x86_boot.h"

struct x86_ap_area {
	struct x86_stack_area stacks;
	union {
		struct x86_cpu cpu;
		uint8_t page[PAGE_SIZE];
	} u;
};
_Static_assert(sizeof(struct x86_cpu) <= PAGE_SIZE, "per-CPU data fits its page");
_Static_assert(sizeof(struct x86_ap_area) % PAGE_SIZE == 0, "whole pages");

/* Each AP's area once started (written under ap_entry.S's boot lock). */
static struct x86_ap_area *ap_areas[PLAT_MAX_VCPUS];
static unsigned int ap_started;

static struct x86_ap_area *ap_area_new(unsigned int n)
{
	struct x86_ap_area *a;
	uint64_t pa = x86_ram_take(sizeof(*a), PAGE_SIZE);
	struct x86_stack_area *s;
	int rc = 0;

	if (pa == 0) {
		log_printf("x86: no memory for vCPU %u's stacks and per-CPU data (%llu bytes)\n", n,
		           (unsigned long long)sizeof(*a));
		return NULL;
	}
	a = (struct x86_ap_area *)(uintptr_t)pa;
	s = &a->stacks;
	mem_set(&a->u, 0, sizeof(a->u));
	a->u.cpu.index = n;
	a->u.cpu.stacks[0] =
	    (struct x86_stack_range){(uintptr_t)s->boot, (uintptr_t)s->boot + sizeof(s->boot)};
	a->u.cpu.stacks[1] =
	    (struct x86_stack_range){(uintptr_t)s->df, (uintptr_t)s->df + sizeof(s->df)};
	a->u.cpu.stacks[2] =
	    (struct x86_stack_range){(uintptr_t)s->nmi, (uintptr_t)s->nmi + sizeof(s->nmi)};
	a->u.cpu.stacks[3] =
	    (struct x86_stack_range){(uintptr_t)s->mc, (uintptr_t)s->mc + sizeof(s->mc)};
	for (unsigned int i = 0; i < ARRAY_SIZE(a->u.cpu.stacks) && rc == 0; i++)
		rc = x86_unmap_page(a->u.cpu.stacks[i].lo - PAGE_SIZE);
	if (rc < 0) {
		/* The area stays taken (x86_ram_take has no free); the vCPU does not start. */
		log_printf("x86: cannot unmap vCPU %u's stack guard pages (%s)\n", n,
		           csvsm_strerror(rc));
		return NULL;
	}
	return a;
}

uint64_t x86_ap_setup(uint64_t n)
{
	struct x86_ap_area *a;

	if (n == 0 || n >= PLAT_MAX_VCPUS) {
		log_printf("x86: vCPU %llu cannot start: the index must be 1..%u\n",
		           (unsigned long long)n, PLAT_MAX_VCPUS - 1);
		plat_halt();
	}
	a = ap_areas[n];
	if (a == NULL) {
		a = ap_area_new((unsigned int)n);
		if (a == NULL)
			plat_halt();
		ap_areas[n] = a;
	}
	x86_cpu_load(&a->u.cpu);
	return a->u.cpu.stacks[0].hi;
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
