/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART (National Semiconductor PC16550D data sheet): 115200 8N1,
 * FIFOs on, no interrupts. Output waits for THRE (transmit holding register
 * empty) with a bounded spin, then writes up to 16 bytes (the FIFO's depth):
 * THRE set with FIFOs on means the whole transmit FIFO is empty. A UART
 * that never becomes ready costs a bounded delay per chunk, never a hang.
 */
#include "x86.h"
#include "x86_boot.h"

#define UART_THR 0 /* transmit holding (DLAB 0) */
#define UART_IER 1 /* interrupt enable (DLAB 0) */
#define UART_DLL 0 /* divisor latch low (DLAB 1) */
#define UART_DLM 1 /* divisor latch high (DLAB 1) */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define UART_LSR_THRE 0x20
#define UART_FIFO     16
#define UART_SPIN_MAX 100000

void serial_init(uint16_t base)
{
	x86_outb(base + UART_IER, 0x00);
	x86_outb(base + UART_LCR, 0x80); /* DLAB: divisor 1 = 115200 baud */
	x86_outb(base + UART_DLL, 0x01);
	x86_outb(base + UART_DLM, 0x00);
	x86_outb(base + UART_LCR, 0x03); /* 8N1 */
	x86_outb(base + UART_FCR, 0x07); /* FIFOs on, both cleared */
	x86_outb(base + UART_MCR, 0x03); /* DTR, RTS */
}

static void wait_thre(uint16_t base)
{
	for (unsigned int i = 0; i < UART_SPIN_MAX; i++) {
		if (x86_inb(base + UART_LSR) & UART_LSR_THRE)
			return;
		x86_pause();
	}
}

void serial_write(uint16_t base, const char *buf, size_t len)
{
	unsigned int room = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned int need = buf[i] == '\n' ? 2 : 1;

		if (room < need) {
			wait_thre(base);
			room = UART_FIFO;
		}
		if (buf[i] == '\n')
			x86_outb(base + UART_THR, '\r');
		x86_outb(base + UART_THR, (uint8_t)buf[i]);
		room -= need;
	}
}
