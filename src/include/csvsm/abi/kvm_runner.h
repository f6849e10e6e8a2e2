/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual interface between csvsm-kvm.elf (src/plat/kvm) and the
 * csvsm KVM runner (sim/kvm): CPUID leaves, I/O ports. One place for both
 * sides; docs/kvm-runner.md explains each item and the exit statuses.
 * Under QEMU the image sees none of the runner's leaves and falls back to
 * the 16550 and the PIT; the exit port is QEMU's isa-debug-exit.
 */
#ifndef CSVSM_ABI_KVM_RUNNER_H
#define CSVSM_ABI_KVM_RUNNER_H

/* CPUID 0x40000000: EAX = highest runner leaf, EBX:ECX:EDX = signature. */
#define KVMRUN_CPUID_SIGNATURE 0x40000000u
#define KVMRUN_SIGNATURE       "csvsmKVMrun" /* 11 characters + NUL = 12 bytes */
/* CPUID 0x40000010: EAX = TSC frequency in kHz (the VMware timing leaf). */
#define KVMRUN_CPUID_TIMING 0x40000010u

/*
 * Port 0xf4, OUT of 1, 2 or 4 bytes: the VM ends with this code (QEMU's
 * isa-debug-exit at iobase 0xf4). The image uses the codes below.
 */
#define KVMRUN_PORT_EXIT   0xf4
#define KVMRUN_EXIT_PASS   0x10 /* self-tests all passed / finished well */
#define KVMRUN_EXIT_FAIL   0x11 /* self-tests failed / the boot failed */
#define KVMRUN_EXIT_HALTED 0x12 /* plat_halt: a fatal error (see the console) */

/* COM1, a 16550 subset: THR output, LSR always "transmitter empty". */
#define KVMRUN_PORT_COM1 0x3f8

/*
 * The mailbox: one 4 KiB page of guest RAM the image names once (OUT of 4
 * bytes to KVMRUN_PORT_MAILBOX: its physical address, page aligned, below
 * 4 GiB; 0 forgets it). Requests then pass data through the page, one exit
 * each.
 */
#define KVMRUN_PORT_MAILBOX 0x510
/* OUT of 4 bytes: write the first N (<= 4096) bytes of the mailbox to the console. */
#define KVMRUN_PORT_CONSOLE 0x511
#define KVMRUN_MAILBOX_SIZE 4096

#endif
