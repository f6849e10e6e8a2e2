/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine's device bus: the shim's implementation of
 * csvsm/plat/mmio.h and csvsm/plat/dma.h.
 *
 * MMIO: device models (sim/machine/) are mapped as regions of physical
 * address space. Every plat_mmio_* access of the core is routed to the
 * region's model, counted and (when a hook is set) reported. An access
 * counts as an exit (a world switch on real hardware: an MMIO #VC and GHCB
 * exit on SNP, an MMIO exit on KVM) unless the region serves reads
 * directly, as a flash in read-array mode does (it is mapped like ROM).
 * An access to no region reads all ones and drops writes (and counts as an
 * exit: the hypervisor sees it).
 *
 * DMA: plat_dma_alloc hands out pages of one host arena that stands for
 * the guest's shared memory, at physical addresses from SIM_DMA_BASE.
 * Models reach guest memory only through sim_dma_host, which refuses any
 * range outside pages currently allocated: a device can touch nothing but
 * what a driver allocated for it. Each plat_dma_alloc is one
 * FAULT_SITE_PLAT operation (csvsm/fault.h), so fault sweeps fail it too.
 *
 * Hosted code; one bus per process; not thread-safe (like the shim).
 */
#ifndef CSVSM_SIM_MMIO_H
#define CSVSM_SIM_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Physical base of the DMA arena, and its size. */
#define SIM_DMA_BASE  0x4000000000ull
#define SIM_DMA_BYTES ((uint64_t)1 << 20)

/* Where the simulator maps its NV devices (any free range would do). */
#define SIM_PFLASH_BASE 0x3000000000ull
#define SIM_VIRTIO_BASE 0x3100000000ull

struct sim_mmio_ops {
	/* Reads a register of `width` bytes (1, 2, 4 or 8) at `off` into the region. */
	uint64_t (*read)(void *ctx, uint64_t off, unsigned int width);
	/* Writes one. */
	void (*write)(void *ctx, uint64_t off, unsigned int width, uint64_t val);
	/* Optional: true while reads are served like memory (no exit). */
	bool (*direct_reads)(void *ctx);
};

/*
 * Maps a region [base, base + size). Returns 0, or -1 when it overlaps a
 * mapped region, wraps, has size 0 or the table is full (8 regions).
 */
int sim_mmio_map(uint64_t base, uint64_t size, const struct sim_mmio_ops *ops, void *ctx);

/* Unmaps the region starting at `base` (ignored when there is none). */
void sim_mmio_unmap(uint64_t base);

struct sim_mmio_stats {
	uint64_t exits;        /* accesses that left the guest */
	uint64_t reads;        /* all reads, direct ones included */
	uint64_t writes;       /* all writes */
	uint64_t direct_reads; /* reads served like memory */
	uint64_t unmapped;     /* accesses that hit no region */
};

/* Counts since the last reset (the bus starts at zero). */
void sim_mmio_get_stats(struct sim_mmio_stats *out);
void sim_mmio_reset_stats(void);

/* One access, for traces: `exit` false for a direct read. */
struct sim_mmio_access {
	uint64_t pa;
	uint64_t val;
	unsigned int width;
	bool write;
	bool exit;
};
typedef void (*sim_mmio_hook_fn)(void *ctx, const struct sim_mmio_access *a);

/* Calls `fn` after every access (NULL = none). */
void sim_mmio_set_hook(sim_mmio_hook_fn fn, void *ctx);

/*
 * Host address of DMA memory [pa, pa + len): NULL unless every byte lies in
 * pages that plat_dma_alloc handed out and that are not freed. For models.
 */
void *sim_dma_host(uint64_t pa, uint64_t len);

/*
 * The DMA arena's host memory, [SIM_DMA_BASE, + SIM_DMA_BYTES) (allocated
 * on first use; NULL when out of memory): what the KVM runner maps into
 * the SVSM image's VM at the same addresses (sim/kvm/image_ops.c).
 */
void *sim_dma_arena(void);

/* Pages of the DMA arena in use (for leak checks in tests). */
unsigned int sim_dma_pages_used(void);

#ifdef __cplusplus
}
#endif

#endif /* CSVSM_SIM_MMIO_H */
