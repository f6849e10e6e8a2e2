/* SPDX-License-Identifier: MIT */
/*
 * CFI parallel flash model, Intel/Sharp command set (sim/machine/pflash.h).
 * Command set and CFI table layout: Intel "Common Flash Interface (CFI)
 * and Command Sets" (AP-646) and JEDEC JESD68.01; QEMU's pflash_cfi01 was
 * the behavioural reference (status reads after each command, erase at
 * the confirm, the buffered-write count in words minus one).
 */
#include "pflash.h"

#include <string.h>

#define SR_READY    0x80u
#define SR_ERASE_ER 0x20u
#define SR_PROG_ER  0x10u
#define SR_SEQ_ER   (SR_ERASE_ER | SR_PROG_ER)

static bool pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static unsigned int log2u(uint64_t v)
{
	unsigned int n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static void cfi_build(struct sim_pflash *p)
{
	uint64_t blocks = p->cfg.size / p->cfg.sector_len;
	uint32_t unit = p->cfg.sector_len >> 8;
	uint8_t *c = p->cfi;

	memset(c, 0, sizeof(p->cfi));
	c[0x10] = 'Q';
	c[0x11] = 'R';
	c[0x12] = 'Y';
	c[0x13] = 0x01; /* primary command set: Intel/Sharp extended */
	c[0x15] = 0x31; /* primary extended table */
	c[0x1B] = 0x45; /* Vcc 4.5 .. 5.5 V */
	c[0x1C] = 0x55;
	c[0x1F] = 0x07; /* typical timeouts: 128 us word, 128 us buffer, 1 s erase */
	c[0x20] = 0x07;
	c[0x21] = 0x0a;
	c[0x23] = 0x04; /* maximum = 16 x typical */
	c[0x24] = 0x04;
	c[0x25] = 0x04;
	c[0x27] = (uint8_t)log2u(p->cfg.size);
	c[0x28] = p->cfg.bank_width == 1 ? 0x00 : 0x02; /* x8, or x8/x16 */
	c[0x2A] = (uint8_t)log2u(p->cfg.writeblock);
	c[0x2C] = 1; /* one erase region */
	c[0x2D] = (uint8_t)(blocks - 1);
	c[0x2E] = (uint8_t)((blocks - 1) >> 8);
	c[0x2F] = (uint8_t)unit;
	c[0x30] = (uint8_t)(unit >> 8);
	c[0x31] = 'P';
	c[0x32] = 'R';
	c[0x33] = 'I';
	c[0x34] = '1';
	c[0x35] = '0';
	if (p->cfg.hostile == SIM_PFLASH_CFI_LIES) {
		/* Twice the real size, with a block count that does not add up. */
		c[0x27] = (uint8_t)(c[0x27] + 1);
		c[0x2D] = (uint8_t)(c[0x2D] + 3);
	}
}

int sim_pflash_init(struct sim_pflash *p, const struct sim_pflash_config *cfg)
{
	struct sim_pflash_config c = *cfg;

	if (c.writeblock == 0)
		c.writeblock = c.bank_width == 1 ? 256 : 2048;
	if (!c.storage || (c.bank_width != 1 && c.bank_width != 2 && c.bank_width != 4) ||
	    !pow2(c.sector_len) || c.sector_len < 256 || c.sector_len > (1u << 20) || c.size == 0 ||
	    c.size % c.sector_len || c.size / c.sector_len > 65536 || !pow2(c.size) ||
	    !pow2(c.writeblock) || c.writeblock > sizeof(p->wb_data) ||
	    c.writeblock < c.bank_width || (unsigned int)c.hostile >= SIM_PFLASH_HOSTILE_COUNT)
		return -1;
	memset(p, 0, sizeof(*p));
	p->cfg = c;
	p->status = SR_READY;
	p->array_mode = true;
	cfi_build(p);
	return 0;
}

bool sim_pflash_direct_reads(void *ctx)
{
	return ((struct sim_pflash *)ctx)->array_mode;
}

static uint8_t script_byte(struct sim_pflash *p, uint8_t honest)
{
	if (p->cfg.hostile != SIM_PFLASH_SCRIPTED || p->script_pos >= p->cfg.script_len)
		return honest;
	return p->cfg.script[p->script_pos++];
}

static uint8_t status_value(struct sim_pflash *p)
{
	uint8_t s = p->status;

	if (p->cfg.hostile == SIM_PFLASH_BUSY_FOREVER)
		s &= (uint8_t)~SR_READY;
	return script_byte(p, s);
}

uint64_t sim_pflash_read(void *ctx, uint64_t off, unsigned int width)
{
	struct sim_pflash *p = ctx;
	uint64_t v = 0;

	if (p->array_mode) {
		for (unsigned int i = 0; i < width && off + i < p->cfg.size; i++)
			v |= (uint64_t)p->cfg.storage[off + i] << (8 * i);
		return v;
	}
	switch (p->cmd) {
	case 0x98: {
		uint64_t idx = off / p->cfg.bank_width;

		if (idx < sizeof(p->cfi))
			v = idx >= 0x13 ? script_byte(p, p->cfi[idx]) : p->cfi[idx];
		return v;
	}
	case 0x90:
		switch (off / p->cfg.bank_width) {
		case 0:
			return 0x89; /* manufacturer: Intel */
		case 1:
			return 0x18;
		default:
			return 0;
		}
	default:
		/* Every other command mode reads the status register. */
		return status_value(p);
	}
}

/* Writes `len` bytes at `off` (already AND-ed with the old contents). */
static void medium_change(struct sim_pflash *p, uint64_t off, const uint8_t *data, size_t len,
                          bool erase)
{
	if (p->cfg.on_change)
		p->cfg.on_change(p->cfg.change_ctx, off, data, len, erase);
	if (erase)
		memset(p->cfg.storage + off, 0xff, len);
	else
		memcpy(p->cfg.storage + off, data, len);
}

/* False when the hostile mode or read-only medium refuses the change (status set). */
static bool modify_allowed(struct sim_pflash *p, uint8_t err_bit)
{
	if (p->cfg.read_only || p->cfg.hostile == SIM_PFLASH_ERROR_STATUS) {
		p->status |= err_bit;
		return false;
	}
	return p->cfg.hostile != SIM_PFLASH_LIE_DROP;
}

static void program_bytes(struct sim_pflash *p, uint64_t off, const uint8_t *data,
                          const uint8_t *set, size_t len)
{
	uint8_t tmp[2048];
	size_t i = 0;

	while (i < len) {
		size_t j;

		if (set && !set[i]) {
			i++;
			continue;
		}
		for (j = i; j < len && (!set || set[j]) && j - i < sizeof(tmp); j++)
			tmp[j - i] = p->cfg.storage[off + j] & data[j];
		medium_change(p, off + i, tmp, j - i, false);
		p->bytes_programmed += j - i;
		i = j;
	}
	p->programs++;
}

static void erase_block(struct sim_pflash *p, uint64_t off)
{
	uint64_t base = off & ~((uint64_t)p->cfg.sector_len - 1);

	if (modify_allowed(p, SR_ERASE_ER))
		medium_change(p, base, NULL, p->cfg.sector_len, true);
	p->erases++;
}

static void word_program(struct sim_pflash *p, uint64_t off, unsigned int width, uint64_t val)
{
	uint8_t data[8];

	for (unsigned int i = 0; i < width; i++)
		data[i] = (uint8_t)(val >> (8 * i));
	if (off + width > p->cfg.size)
		return;
	if (modify_allowed(p, SR_PROG_ER))
		program_bytes(p, off, data, NULL, width);
	else
		p->programs++;
}

/* A command at the start of a sequence (wcycle 0). */
static void command(struct sim_pflash *p, uint64_t off, uint8_t cmd)
{
	p->commands++;
	p->array_mode = false;
	p->cmd = cmd;
	switch (cmd) {
	case 0x00:
	case 0xf0:
	case 0xff:
		p->array_mode = true;
		p->cmd = 0;
		return;
	case 0x10:
	case 0x40:
	case 0x20:
	case 0x28:
	case 0x60:
		p->wcycle = 1;
		return;
	case 0x50:
		p->status = SR_READY;
		p->array_mode = true;
		p->cmd = 0;
		return;
	case 0x70:
	case 0x90:
	case 0x98:
		return;
	case 0xe8:
		p->wb_base = off & ~((uint64_t)p->cfg.writeblock - 1);
		memset(p->wb_set, 0, sizeof(p->wb_set));
		p->status |= SR_READY; /* buffer available */
		p->wcycle = 1;
		return;
	default:
		p->status |= SR_SEQ_ER;
		p->cmd = 0x70;
		return;
	}
}

void sim_pflash_write(void *ctx, uint64_t off, unsigned int width, uint64_t val)
{
	struct sim_pflash *p = ctx;
	uint64_t wmask = p->cfg.bank_width == 4 ? 0xffffffffu : (1u << (8 * p->cfg.bank_width)) - 1;
	uint8_t cmd = (uint8_t)val;

	switch (p->wcycle) {
	case 0:
		command(p, off, cmd);
		return;
	case 1:
		p->wcycle = 0;
		switch (p->cmd) {
		case 0x10:
		case 0x40:
			word_program(p, off, width, val);
			p->status |= SR_READY;
			return;
		case 0x20:
		case 0x28:
			if (cmd == 0xd0)
				erase_block(p, off);
			else
				p->status |= SR_SEQ_ER;
			p->status |= SR_READY;
			return;
		case 0x60:
			return;
		case 0xe8:
			p->counter = (uint32_t)(val & wmask);
			if (((uint64_t)p->counter + 1) * p->cfg.bank_width > p->cfg.writeblock) {
				p->status |= SR_SEQ_ER;
				return;
			}
			p->wcycle = 2;
			return;
		default:
			return;
		}
	case 2:
		if (off < p->wb_base || off - p->wb_base + width > p->cfg.writeblock) {
			/* A word outside the buffer's window: the sequence aborts. */
			p->status |= SR_SEQ_ER;
			p->wcycle = 0;
			return;
		}
		for (unsigned int i = 0; i < width; i++) {
			p->wb_data[off - p->wb_base + i] = (uint8_t)(val >> (8 * i));
			p->wb_set[off - p->wb_base + i] = 1;
		}
		if (p->counter == 0)
			p->wcycle = 3;
		else
			p->counter--;
		return;
	case 3:
		p->wcycle = 0;
		if (cmd != 0xd0) {
			p->status |= SR_SEQ_ER;
			return;
		}
		if (modify_allowed(p, SR_PROG_ER) && p->wb_base < p->cfg.size)
			program_bytes(p, p->wb_base, p->wb_data, p->wb_set, p->cfg.writeblock);
		else
			p->programs++;
		p->status |= SR_READY;
		return;
	default:
		p->wcycle = 0;
		return;
	}
}
