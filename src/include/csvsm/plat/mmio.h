/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: memory-mapped device registers. Device registers are
 * untrusted input: the hypervisor emulates them. Each access may cost a
 * world switch (an MMIO #VC or a GHCB exit) on SNP.
 */
#ifndef CSVSM_PLAT_MMIO_H
#define CSVSM_PLAT_MMIO_H

#include "csvsm/types.h"

/*
 * Read or write one naturally aligned register of the given width at
 * physical address `pa`. A read of a register that does not exist returns
 * all ones; a write to one is dropped. Never fails from the caller's view.
 */
uint8_t plat_mmio_read8(uint64_t pa);
uint16_t plat_mmio_read16(uint64_t pa);
uint32_t plat_mmio_read32(uint64_t pa);
uint64_t plat_mmio_read64(uint64_t pa);
void plat_mmio_write8(uint64_t pa, uint8_t val);
void plat_mmio_write16(uint64_t pa, uint16_t val);
void plat_mmio_write32(uint64_t pa, uint32_t val);
void plat_mmio_write64(uint64_t pa, uint64_t val);

#endif
