/* SPDX-License-Identifier: MIT */
/*
 * Model of a CFI parallel flash with the Intel/Sharp command set (the
 * device QEMU emulates as pflash_cfi01), one implementation for every host
 * (the shim's MMIO bus, the KVM runner's MMIO exits).
 *
 * Commands (written at any address of the device, at bank width):
 *   0xFF read array, 0x70 read status, 0x50 clear status, 0x98 CFI query,
 *   0x90 read identifier, 0x10/0x40 word program (then the word),
 *   0x20 block erase (then 0xD0 at the block), 0xE8 buffered write (then
 *   the word count - 1, the words, 0xD0), 0x60 lock commands (accepted,
 *   ignored). Status register: 0x80 ready, 0x20 erase error, 0x10 program
 *   error, 0x30 together: bad command sequence, 0x02 locked block.
 * In read-array mode reads are served like ROM (direct_reads true): on a
 * real machine they do not leave the guest. Programming only clears bits
 * (new = old & data), as on a real flash: a driver that forgets to erase
 * gets wrong data, which a read-back shows.
 *
 * The medium is a caller-owned buffer (host memory or a mapped file).
 * Every change to it is reported to an optional hook first, so a crash
 * test can replay any prefix of the changes.
 *
 * Hostile modes make the device lie, for tests and fuzzing. Pure C over
 * host memory: no process or KVM code.
 */
#ifndef CSVSM_SIM_MACHINE_PFLASH_H
#define CSVSM_SIM_MACHINE_PFLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_pflash_hostile {
	SIM_PFLASH_HONEST = 0,
	SIM_PFLASH_LIE_DROP,     /* reports success, changes nothing */
	SIM_PFLASH_ERROR_STATUS, /* every erase/program fails (error bits set) */
	SIM_PFLASH_BUSY_FOREVER, /* the status never shows ready */
	SIM_PFLASH_CFI_LIES,     /* CFI geometry inconsistent with the device */
	SIM_PFLASH_SCRIPTED,     /* status and CFI bytes come from `script` (fuzzing) */
	SIM_PFLASH_HOSTILE_COUNT
};

/*
 * One change to the medium, reported before it is made: bytes [off, off +
 * len) become data[0..len), or all 0xFF for an erase (data NULL).
 */
typedef void (*sim_pflash_change_fn)(void *ctx, uint64_t off, const uint8_t *data, size_t len,
                                     bool erase);

struct sim_pflash_config {
	uint8_t *storage;        /* the medium, `size` bytes */
	uint64_t size;           /* multiple of sector_len */
	uint32_t sector_len;     /* erase block: power of two, 256..1 MiB */
	unsigned int bank_width; /* 1, 2 or 4 bytes */
	uint32_t writeblock; /* write buffer bytes (power of two); 0: 256 at width 1, else 2048 */
	bool read_only;
	enum sim_pflash_hostile hostile;
	/* SIM_PFLASH_SCRIPTED: bytes consumed by status and CFI reads (then 0x80 / true CFI). */
	const uint8_t *script;
	size_t script_len;
	sim_pflash_change_fn on_change;
	void *change_ctx;
};

struct sim_pflash {
	struct sim_pflash_config cfg;
	uint8_t cfi[0x40];
	unsigned int wcycle;
	uint8_t cmd;
	uint8_t status;
	bool array_mode;  /* read-array mode: reads return the medium */
	uint32_t counter; /* buffered write: words still to come */
	uint64_t wb_base; /* buffered write: first byte of the buffer's window */
	uint8_t wb_data[2048];
	uint8_t wb_set[2048]; /* 1: byte loaded into the buffer */
	size_t script_pos;
	uint64_t erases, programs, bytes_programmed, commands;
};

/*
 * Starts the model (read-array mode, status 0x80). Returns 0, or -1 for a
 * configuration that breaks the rules above.
 */
int sim_pflash_init(struct sim_pflash *p, const struct sim_pflash_config *cfg);

/* Register access at byte `off` (width 1, 2, 4 or 8), for a bus. */
uint64_t sim_pflash_read(void *p, uint64_t off, unsigned int width);
void sim_pflash_write(void *p, uint64_t off, unsigned int width, uint64_t val);
bool sim_pflash_direct_reads(void *p);

#endif /* CSVSM_SIM_MACHINE_PFLASH_H */
