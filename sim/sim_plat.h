/* SPDX-License-Identifier: MIT */
/*
 * Private controls of the simulator's platform implementation (the shim side
 * of src/include/csvsm/plat/). One simulated machine per process: the
 * platform interface is a set of global functions, as on bare metal.
 */
#ifndef CSVSM_SIM_PLAT_H
#define CSVSM_SIM_PLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where console output goes. NULL restores the default (stdout). */
typedef void (*sim_console_sink_fn)(void *ctx, const char *buf, size_t len);
void sim_console_set_sink(sim_console_sink_fn fn, void *ctx);

/*
 * Allocates (or replaces) the SVSM heap region that plat_heap_region hands
 * out: `bytes` rounded up to 2 MiB, 2 MiB aligned. Returns 0 or -1 when the
 * host has no memory. sim_heap_release frees it.
 */
int sim_heap_prepare(size_t bytes);
void sim_heap_release(void);

/* Reseeds the deterministic entropy source (splitmix64). */
void sim_entropy_seed(uint64_t seed);

/*
 * Makes OpenSSL's RAND_bytes in this process (libtpms' only source of
 * randomness) a deterministic stream derived from `seed` (sim/vtpm_rand.c),
 * until sim_vtpm_rand_restore. Returns 0 or -1 when OpenSSL refused.
 */
int sim_vtpm_rand_seed(uint64_t seed);
void sim_vtpm_rand_restore(void);
/*
 * What one RAND_bytes(buf, len) call of this process returns while
 * sim_vtpm_rand_seed is in force: the next bytes of the stream (the SVSM
 * image's requests, KVMSNP_REQ_RAND). Returns 0, or -1 when no stream is.
 */
int sim_vtpm_rand_fill(void *buf, size_t len);

/*
 * Copies without AddressSanitizer's checks (sim/plat_memcheck.c): the
 * shim's own copies of simulated memory, which may hold the core's
 * poisoned free heap bytes and are not the core's accesses.
 */
void sim_copy_raw(void *dst, const void *src, size_t len);

/*
 * Copies between the core's memory and guest memory outside the SVSM's:
 * `core` (dst or src) is the core's side, the only one checked (a poisoned
 * byte there is reported as by memcpy); guest RAM is never poisoned.
 */
void sim_copy_core(void *dst, const void *src, size_t len, const void *core);

/*
 * Whether guest memory `host` (outside the SVSM's) already holds the
 * core's `len` bytes at `core`, which is checked as by sim_copy_core: a
 * poisoned byte there gives false, and the caller's copy reports it.
 */
bool sim_same_core(const void *host, const void *core, size_t len);

/* A page of zeros (never written). */
extern const uint8_t sim_zero_page[4096];

/* The virtual clock in ns (plat_time_ns): starts at 0, advanced only by the shim. */
extern uint64_t sim_virtual_ns;
/* The virtual clock: starts at 0, advanced only by the shim. */
void sim_time_reset(void);
/* The machine stops: the core's driver of an attached MMIO NV device is closed (sim/nvdev.c). */
void sim_nvdev_machine_gone(void);

/* The attached MMIO NV device as the KVM runner serves it to the SVSM image (sim/nvdev.c). */
struct sim_nvdev_view {
	bool pflash;          /* else virtio-blk */
	uint64_t base;        /* its MMIO window on the machine's bus */
	uint64_t window;      /* the window's bytes */
	uint8_t *medium;      /* the flash's bytes (ROM mapping in read-array mode) */
	uint64_t medium_size; /* = window for the flash */
};
/* Fills `out` and returns 0 while a device is attached, else -1. */
int sim_nvdev_view(struct sim_nvdev_view *out);
/* True while the device's reads are served like memory (a flash in read-array mode). */
bool sim_nvdev_direct_reads(void);
void sim_time_advance(uint64_t ns);

#endif
