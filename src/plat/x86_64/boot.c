/* SPDX-License-Identifier: MIT */
/* x86_64 bring-up: x86_main, the PVH start_info, RAM from the memory map. */
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "x86.h"
#include "x86_boot.h"

/* entry.S sets %rsp to x86_stack_area + 4096 + 32768 (the boot stack's top). */
_Static_assert(__builtin_offsetof(struct x86_stack_area, boot) == 4096 && X86_KSTACK == 32768,
               "entry.S boot stack");

struct x86_stack_area x86_stack_area __attribute__((aligned(4096), section(".bss.stacks")));

#define STACK_RANGE(f)                                                                             \
	{                                                                                          \
		(uint64_t)(uintptr_t) x86_stack_area.f,                                            \
		    (uint64_t)(uintptr_t)x86_stack_area.f + sizeof(x86_stack_area.f)               \
	}
const struct x86_stack_range x86_stacks[4] = {STACK_RANGE(boot), STACK_RANGE(df), STACK_RANGE(nmi),
                                              STACK_RANGE(mc)};

struct x86_boot x86_boot_facts;

/* Linker script symbols (csvsm.ld). */
extern char _image_start_pa[], _end[];

/* Memory handed out by x86_ram_take: grows down from the top of one range. */
static uint64_t ram_lo, ram_hi;
static struct spinlock ram_lock = SPINLOCK_INIT; /* ram_lo, ram_hi after boot (APs) */

static void ram_pick(struct x86_boot *b)
{
	const uint64_t limit = 1ull << 32; /* identity-mapped by the page tables */

	for (uint32_t i = 0; i < b->memmap_count; i++) {
		const struct hvm_memmap_entry *e = &b->memmap[i];
		uint64_t lo = e->addr, hi;

		if (e->type != HVM_MEMMAP_TYPE_RAM || add_overflows(e->addr, e->size, &hi))
			continue;
		if (lo < b->image_end_pa)
			lo = b->image_end_pa;
		if (hi > limit)
			hi = limit;
		lo = ALIGN_UP(lo, (uint64_t)PAGE_SIZE);
		hi = ALIGN_DOWN(hi, (uint64_t)PAGE_SIZE);
		if (hi > lo && hi - lo > ram_hi - ram_lo) {
			ram_lo = lo;
			ram_hi = hi;
		}
	}
}

uint64_t x86_ram_take(uint64_t size, uint64_t align)
{
	uint64_t base = 0;

	if (size == 0 || !IS_ALIGNED(size, (uint64_t)PAGE_SIZE) || align < PAGE_SIZE ||
	    (align & (align - 1)) || fault_should_fail(FAULT_SITE_ALLOC))
		return 0;
	spin_lock(&ram_lock);
	if (size <= ram_hi - ram_lo) {
		base = ALIGN_DOWN(ram_hi - size, align);
		if (base < ram_lo)
			base = 0;
		else
			ram_hi = base;
	}
	spin_unlock(&ram_lock);
	return base;
}

uint64_t x86_ram_left(void)
{
	uint64_t left;

	spin_lock(&ram_lock);
	left = ram_hi - ram_lo;
	spin_unlock(&ram_lock);
	return left;
}

int x86_bootinfo_parse(uint64_t pa, struct x86_boot *out)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)pa;

	out->start_info_pa = pa;
	out->image_start_pa = (uint64_t)(uintptr_t)_image_start_pa;
	out->image_end_pa = x86_image_pa(_end);
	if (pa == 0 || pa >= (1ull << 32) || si->magic != HVM_START_MAGIC) {
		log_printf("x86: no PVH start_info at %#llx (boot through a PVH loader)\n",
		           (unsigned long long)pa);
		return -CSVSM_EINVAL;
	}
	out->cmdline[0] = '\0';
	if (si->cmdline_paddr && si->cmdline_paddr < (1ull << 32)) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;

		str_lcpy(out->cmdline, c, sizeof(out->cmdline));
	}
	out->memmap_count = 0;
	if (si->version >= 1 && si->memmap_paddr && si->memmap_paddr < (1ull << 32)) {
		const struct hvm_memmap_entry *m =
		    (const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
		uint32_t n = MIN(si->memmap_entries, (uint32_t)X86_MEMMAP_MAX);

		for (uint32_t i = 0; i < n; i++)
			out->memmap[i] = m[i];
		out->memmap_count = n;
	}
	if (out->memmap_count == 0) {
		log_printf("x86: the PVH start_info has no memory map (version %u)\n", si->version);
		return -CSVSM_EINVAL;
	}
	ram_pick(out);
	return 0;
}

/* The next space-separated word at or after *p: its start, length in *len. */
static const char *cmdline_word(const char **p, size_t *len)
{
	const char *w = *p, *end;

	while (*w == ' ')
		w++;
	end = w;
	while (*end && *end != ' ')
		end++;
	*p = end;
	*len = (size_t)(end - w);
	return *len ? w : NULL;
}

bool x86_cmdline_has(const struct x86_boot *b, const char *word)
{
	size_t n = str_len(word), len;
	const char *p = b->cmdline, *w;

	while ((w = cmdline_word(&p, &len)) != NULL) {
		if (len == n && mem_cmp(w, word, n) == 0)
			return true;
	}
	return false;
}

const char *x86_cmdline_value(const struct x86_boot *b, const char *key, size_t *len)
{
	size_t n = str_len(key), wlen;
	const char *p = b->cmdline, *w;

	while ((w = cmdline_word(&p, &wlen)) != NULL) {
		if (wlen > n && mem_cmp(w, key, n) == 0 && w[n] == '=') {
			*len = wlen - n - 1;
			return w + n + 1;
		}
	}
	return NULL;
}

void x86_main(uint64_t start_info_pa)
{
	x86_cpu_init();
	x86_plat_early();
	if (x86_bootinfo_parse(start_info_pa, &x86_boot_facts) < 0)
		x86_stop();
	x86_paging_init();
	x86_plat_main(&x86_boot_facts);
}
