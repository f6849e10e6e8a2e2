/* SPDX-License-Identifier: MIT */
/*
 * Time from the TSC. The platform tells its frequency (the KVM runner in a
 * CPUID leaf; under QEMU a PIT measurement here); plat_time_ns scales
 * cycles since boot to nanoseconds, or counts cycles when the rate is
 * unknown.
 */
#include "csvsm/plat/time.h"
#include "x86.h"
#include "x86_boot.h"

#define PIT_CH0     0x40
#define PIT_CMD     0x43
#define PIT_HZ      1193182u
#define PIT_TICKS   11932u /* ~10 ms */
#define PIT_SPINMAX 1000000u

static uint64_t tsc_khz;
static uint64_t tsc_base;

void x86_tsc_set_khz(uint64_t khz)
{
	tsc_khz = khz;
	tsc_base = x86_rdtsc();
}

uint64_t x86_tsc_khz(void)
{
	return tsc_khz;
}

/* Channel 0's current count (latched, so both bytes belong together). */
static uint16_t pit_read0(void)
{
	uint8_t lo, hi;

	x86_outb(PIT_CMD, 0x00); /* latch channel 0 */
	lo = x86_inb(PIT_CH0);
	hi = x86_inb(PIT_CH0);
	return (uint16_t)(lo | (hi << 8));
}

/*
 * Channel 0 as a free-running rate generator (mode 2, count 65536) with
 * interrupts off: the TSC advance over PIT_TICKS counts. Channel 0 exists
 * on every PC-like machine QEMU offers (pc, q35, microvm), unlike the
 * speaker gate of channel 2.
 */
uint64_t x86_tsc_calibrate_pit(void)
{
	uint64_t t0, t1;
	uint32_t elapsed = 0, spins = 0;
	uint16_t prev, cur;

	x86_outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
	x86_outb(PIT_CH0, 0x00);
	x86_outb(PIT_CH0, 0x00);
	prev = pit_read0();
	t0 = x86_rdtsc();
	while (elapsed < PIT_TICKS) {
		cur = pit_read0();
		elapsed += (uint16_t)(prev - cur); /* counts down, wraps at 0 */
		prev = cur;
		if (++spins > PIT_SPINMAX)
			return 0; /* a PIT that does not count */
	}
	t1 = x86_rdtsc();
	return (t1 - t0) * PIT_HZ / elapsed / 1000;
}

uint64_t plat_time_ns(void)
{
	uint64_t cycles = x86_rdtsc() - tsc_base;

	if (tsc_khz == 0)
		return cycles;
	/* cycles * 1e6 / khz, split so that nothing overflows 64 bits. */
	return cycles / tsc_khz * 1000000u + cycles % tsc_khz * 1000000u / tsc_khz;
}
