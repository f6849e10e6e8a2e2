/* SPDX-License-Identifier: MIT */
/*
 * The runner's I/O ports (csvsm/abi/kvm_runner.h, docs/kvm-runner.md): one
 * row per device in port_table, one function each.
 */
#include <string.h>

#include "csvsm/abi/kvm_runner.h"
#include "kvm_runner.h"

struct port_device {
	uint16_t lo, hi;
	const char *name;
	bool (*io)(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data);
};

static uint32_t get_value(const uint8_t *data, uint8_t size)
{
	uint32_t v = 0;

	memcpy(&v, data, size > 4 ? 4 : size);
	return v;
}

/* COM1: THR output, LSR "transmitter empty", the scratch register; the rest reads 0. */
static bool com1_io(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data)
{
	unsigned int reg = port - KVMRUN_PORT_COM1;

	if (out) {
		if (reg == 0) {
			fputc(data[0], m->out);
			m->exits.com1_bytes++;
			if (data[0] == '\n')
				fflush(m->out);
		} else if (reg == 7) {
			m->com1_scratch = data[0];
		}
		return true;
	}
	memset(data, 0, size);
	if (reg == 5)
		data[0] = 0x60; /* LSR: THRE | TEMT */
	else if (reg == 7)
		data[0] = m->com1_scratch;
	return true;
}

static bool exit_io(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data)
{
	(void)port;
	if (!out) {
		memset(data, 0, size);
		return true;
	}
	m->exit_code = get_value(data, size);
	m->done = true;
	m->status = m->exit_code == KVMRUN_EXIT_PASS ? KVM_STATUS_PASS : KVM_STATUS_FAIL;
	return true;
}

static bool mailbox_io(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data)
{
	uint32_t v = get_value(data, size);

	if (!out) {
		memset(data, 0, size);
		return true;
	}
	if (port == KVMRUN_PORT_MAILBOX) {
		if (size != 4 || (v & (KVMRUN_MAILBOX_SIZE - 1)) ||
		    (uint64_t)v + KVMRUN_MAILBOX_SIZE > m->mem_size) {
			fprintf(stderr,
			        "kvm: mailbox address %#x refused (not a page of guest RAM)\n", v);
			m->mailbox_gpa = 0;
		} else {
			m->mailbox_gpa = v;
		}
		return true;
	}
	/* KVMRUN_PORT_CONSOLE: the first v bytes of the mailbox. */
	if (size != 4 || !m->mailbox_gpa || v > KVMRUN_MAILBOX_SIZE) {
		fprintf(stderr, "kvm: console write of %u bytes refused (%s)\n", v,
		        m->mailbox_gpa ? "longer than the mailbox" : "no mailbox set");
		return true;
	}
	fwrite(m->mem + m->mailbox_gpa, 1, v, m->out);
	fflush(m->out);
	m->exits.console_lines++;
	return true;
}

/*
 * KVMRUN_PORT_START_AP: OUT of n starts AP n (kvm_machine_start_ap), IN
 * reads the answer to the caller's last request (0 started, 1 refused).
 */
static bool start_ap_io(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data)
{
	(void)port;
	if (size != 4) {
		fprintf(stderr, "kvm: AP start port: %u-byte access refused (4 bytes)\n", size);
		if (!out)
			memset(data, 0xff, size);
		return true;
	}
	if (out) {
		uint32_t st = kvm_machine_start_ap(m, m->cur, get_value(data, size));

		if (m->cur)
			m->cur->start_status = st;
		return true;
	}
	memcpy(data, m->cur ? &m->cur->start_status : &(uint32_t){1}, 4);
	return true;
}

static const struct port_device port_table[] = {
    {KVMRUN_PORT_COM1, KVMRUN_PORT_COM1 + 7, "COM1", com1_io},
    {KVMRUN_PORT_EXIT, KVMRUN_PORT_EXIT + 3, "exit", exit_io},
    {KVMRUN_PORT_MAILBOX, KVMRUN_PORT_CONSOLE, "mailbox", mailbox_io},
    {KVMRUN_PORT_START_AP, KVMRUN_PORT_START_AP, "AP start", start_ap_io},
};

bool kvm_port_io(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data)
{
	for (size_t i = 0; i < sizeof(port_table) / sizeof(port_table[0]); i++)
		if (port >= port_table[i].lo && port <= port_table[i].hi)
			return port_table[i].io(m, port, out, size, data);
	return false;
}
