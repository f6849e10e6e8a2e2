/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual interface between csvsm-kvm.elf (src/plat/kvm) and the
 * csvsm KVM runner (sim/kvm): CPUID leaves, I/O ports, the AP entry. One place for both
 * sides; docs/kvm-runner.md explains each item and the exit statuses.
 * Under QEMU the image sees none of the runner's leaves and falls back to
 * the 16550 and the PIT; the exit port is QEMU's isa-debug-exit.
 */
#ifndef CSVSM_ABI_KVM_RUNNER_H
#define CSVSM_ABI_KVM_RUNNER_H

/* CPUID 0x40000000: EAX = highest runner leaf, EBX:ECX:EDX = signature. */
#define KVMRUN_CPUID_SIGNATURE 0x40000000u
#define KVMRUN_SIGNATURE       "csvsmKVMrun" /* 11 characters + NUL = 12 bytes */
/*
 * CPUID 0x40000010: EAX = TSC frequency in kHz (the VMware timing leaf),
 * EBX = the number of vCPUs the runner created.
 */
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

/*
 * Application processors (vCPU n >= 1). The image exports the global ELF
 * symbol `x86_ap_entry64` (src/plat/x86_64/ap_entry.S). To start image
 * vCPU n the runner gives it the boot vCPU's special registers as they are
 * after boot (KVM_GET_SREGS of vCPU 0: CR0, CR3, CR4, EFER, GDT, IDT,
 * segments; APIC base without the BSP bit), and RIP = x86_ap_entry64,
 * RDI = n, RSP = 0, RFLAGS = 0x2, then runs it. The image gives the vCPU
 * its own stacks (guard pages), GDT, TSS with IST stacks and per-CPU data
 * (GS base: plat_vcpu_index() = n) and enters its platform's
 * x86_plat_ap_main(n). A vCPU started again later (the same n) reuses its
 * area. n = 0 or n >= 64 (PLAT_MAX_VCPUS), or no memory for the area: a
 * console report and the exit port with KVMRUN_EXIT_HALTED.
 *
 * Who starts an AP: `csvsm-sim kvm` (the plain runner) when the image asks
 * (OUT of 4 bytes to KVMRUN_PORT_START_AP with the value n: the boot
 * vCPU's registers are taken at that OUT); `csvsm-sim --target kvm` at its
 * own initiative, when the SNP machine's vCPU n is to run (after a
 * CREATE_VCPU), with the boot vCPU's registers taken at BOOT_DONE.
 */
#define KVMRUN_AP_ENTRY_SYMBOL "x86_ap_entry64"
/*
 * OUT of 4 bytes: start vCPU n (1 <= n < the runner's vCPU count, not
 * started yet) at x86_ap_entry64 on its own host thread. The image then
 * reads KVMRUN_PORT_START_AP (IN of 4 bytes): the status of the last
 * start request of this vCPU, 0 = started, 1 = refused (n out of range or
 * already started; the runner says why on stderr).
 */
#define KVMRUN_PORT_START_AP 0x512

#endif
