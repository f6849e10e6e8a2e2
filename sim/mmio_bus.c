/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine's device bus (csvsm/sim_mmio.h): plat_mmio_* routed
 * to device models, counted; plat_dma_* from one host arena of pages.
 */
#include <stdlib.h>
#include <string.h>

#include "csvsm/fault.h"
#include "csvsm/plat/dma.h"
#include "csvsm/plat/mmio.h"
#include "csvsm/sim_mmio.h"
#include "machine.h"

#define MMIO_REGIONS 8
#define DMA_PAGE     4096u
#define DMA_PAGES    ((unsigned int)(SIM_DMA_BYTES / DMA_PAGE))

struct mmio_region {
	uint64_t base, size;
	const struct sim_mmio_ops *ops;
	void *ctx;
};

static struct mmio_region regions[MMIO_REGIONS];
static unsigned int nregions;
static struct sim_mmio_stats stats;
static sim_mmio_hook_fn hook;
static void *hook_ctx;

static uint8_t *dma_arena;
static uint8_t dma_used[DMA_PAGES]; /* 1: allocated */
static unsigned int dma_in_use;

int sim_mmio_map(uint64_t base, uint64_t size, const struct sim_mmio_ops *ops, void *ctx)
{
	if (size == 0 || base + size < base || !ops || !ops->read || !ops->write ||
	    nregions == MMIO_REGIONS)
		return -1;
	for (unsigned int i = 0; i < nregions; i++)
		if (base < regions[i].base + regions[i].size && regions[i].base < base + size)
			return -1;
	regions[nregions++] = (struct mmio_region){base, size, ops, ctx};
	return 0;
}

void sim_mmio_unmap(uint64_t base)
{
	for (unsigned int i = 0; i < nregions; i++) {
		if (regions[i].base == base) {
			regions[i] = regions[--nregions];
			return;
		}
	}
}

void sim_mmio_get_stats(struct sim_mmio_stats *out)
{
	*out = stats;
}

void sim_mmio_reset_stats(void)
{
	memset(&stats, 0, sizeof(stats));
}

void sim_mmio_set_hook(sim_mmio_hook_fn fn, void *ctx)
{
	hook = fn;
	hook_ctx = ctx;
}

static struct mmio_region *mmio_find(uint64_t pa, unsigned int width)
{
	for (unsigned int i = 0; i < nregions; i++)
		if (pa >= regions[i].base && pa - regions[i].base < regions[i].size &&
		    width <= regions[i].size - (pa - regions[i].base))
			return &regions[i];
	return NULL;
}

static void mmio_report(uint64_t pa, uint64_t val, unsigned int width, bool write, bool exit)
{
	struct sim_mmio_access a = {pa, val, width, write, exit};

	if (exit) {
		stats.exits++;
		/* A machine's trace shows every exit (and its clock pays for it). */
		if (sim_machine)
			sim_trace(sim_machine, CSVSM_EV_MMIO, pa, val, width, write, 0, 0);
	}
	if (hook)
		hook(hook_ctx, &a);
}

static uint64_t mmio_read(uint64_t pa, unsigned int width)
{
	struct mmio_region *r = mmio_find(pa, width);
	uint64_t mask = width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
	uint64_t val;
	bool direct;

	stats.reads++;
	if (!r) {
		stats.unmapped++;
		mmio_report(pa, mask, width, false, true);
		return mask;
	}
	direct = r->ops->direct_reads && r->ops->direct_reads(r->ctx);
	val = r->ops->read(r->ctx, pa - r->base, width) & mask;
	if (direct)
		stats.direct_reads++;
	mmio_report(pa, val, width, false, !direct);
	return val;
}

static void mmio_write(uint64_t pa, unsigned int width, uint64_t val)
{
	struct mmio_region *r = mmio_find(pa, width);

	stats.writes++;
	if (!r)
		stats.unmapped++;
	else
		r->ops->write(r->ctx, pa - r->base, width, val);
	mmio_report(pa, val, width, true, true);
}

uint8_t plat_mmio_read8(uint64_t pa)
{
	return (uint8_t)mmio_read(pa, 1);
}

uint16_t plat_mmio_read16(uint64_t pa)
{
	return (uint16_t)mmio_read(pa, 2);
}

uint32_t plat_mmio_read32(uint64_t pa)
{
	return (uint32_t)mmio_read(pa, 4);
}

uint64_t plat_mmio_read64(uint64_t pa)
{
	return mmio_read(pa, 8);
}

void plat_mmio_write8(uint64_t pa, uint8_t val)
{
	mmio_write(pa, 1, val);
}

void plat_mmio_write16(uint64_t pa, uint16_t val)
{
	mmio_write(pa, 2, val);
}

void plat_mmio_write32(uint64_t pa, uint32_t val)
{
	mmio_write(pa, 4, val);
}

void plat_mmio_write64(uint64_t pa, uint64_t val)
{
	mmio_write(pa, 8, val);
}

/* ---- DMA arena ---- */

void *plat_dma_alloc(size_t size, uint64_t *pa)
{
	unsigned int n, run = 0;

	if (size == 0 || !pa || size > SIM_DMA_BYTES || fault_should_fail(FAULT_SITE_PLAT))
		return NULL;
	if (!dma_arena) {
		dma_arena = aligned_alloc(DMA_PAGE, SIM_DMA_BYTES);
		if (!dma_arena)
			return NULL;
	}
	n = (unsigned int)((size + DMA_PAGE - 1) / DMA_PAGE);
	for (unsigned int i = 0; i < DMA_PAGES; i++) {
		run = dma_used[i] ? 0 : run + 1;
		if (run == n) {
			unsigned int first = i + 1 - n;

			memset(dma_used + first, 1, n);
			dma_in_use += n;
			memset(dma_arena + (size_t)first * DMA_PAGE, 0, (size_t)n * DMA_PAGE);
			*pa = SIM_DMA_BASE + (uint64_t)first * DMA_PAGE;
			return dma_arena + (size_t)first * DMA_PAGE;
		}
	}
	return NULL;
}

void plat_dma_free(void *va, size_t size)
{
	size_t first, n;

	if (!va || !dma_arena)
		return;
	first = (size_t)((uint8_t *)va - dma_arena) / DMA_PAGE;
	n = (size + DMA_PAGE - 1) / DMA_PAGE;
	if ((uint8_t *)va < dma_arena || first + n > DMA_PAGES)
		abort(); /* not from plat_dma_alloc: a bug in the caller */
	/* Scribble, so that a device or driver using freed DMA memory shows. */
	memset(va, 0xa5, n * DMA_PAGE);
	for (size_t i = first; i < first + n; i++) {
		if (!dma_used[i])
			abort();
		dma_used[i] = 0;
	}
	dma_in_use -= (unsigned int)n;
}

void *sim_dma_arena(void)
{
	if (!dma_arena)
		dma_arena = aligned_alloc(DMA_PAGE, SIM_DMA_BYTES);
	return dma_arena;
}

void *sim_dma_host(uint64_t pa, uint64_t len)
{
	uint64_t off;

	if (!dma_arena || pa < SIM_DMA_BASE || len == 0)
		return NULL;
	off = pa - SIM_DMA_BASE;
	if (off >= SIM_DMA_BYTES || len > SIM_DMA_BYTES - off)
		return NULL;
	for (uint64_t p = off / DMA_PAGE; p <= (off + len - 1) / DMA_PAGE; p++)
		if (!dma_used[p])
			return NULL;
	return dma_arena + off;
}

unsigned int sim_dma_pages_used(void)
{
	return dma_in_use;
}
