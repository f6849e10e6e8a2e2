/* SPDX-License-Identifier: MIT */
/*
 * The csvsm KVM runner: runs a bare-metal csvsm image in a KVM virtual
 * machine with nothing but the ioctls of <linux/kvm.h> on /dev/kvm.
 *
 *   elf_load.c   checks the image and loads it as a PVH loader does
 *   vm.c         the VM, its memory, the vCPUs, the run loop (one host
 *                thread per vCPU) and the table of exit handlers
 *   ports.c      the table of I/O ports the image may use (COM1, the exit
 *                port, the mailbox; csvsm/abi/kvm_runner.h)
 *   cli.c        `csvsm-sim kvm [options] IMAGE`
 *
 * The whole machine state is one struct kvm_machine. To add a device or an
 * exit: one row in ports.c's table or vm.c's exit table, one function.
 * The interface the image sees: docs/kvm-runner.md.
 */
#ifndef CSVSM_SIM_KVM_RUNNER_H
#define CSVSM_SIM_KVM_RUNNER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses of `csvsm-sim kvm` (docs/kvm-runner.md). */
enum kvm_status {
	KVM_STATUS_PASS = 0,     /* the image wrote 0x10 to the exit port */
	KVM_STATUS_FAIL = 1,     /* the image wrote another code (0x11, 0x12, ...) */
	KVM_STATUS_BADIMAGE = 2, /* bad image or bad arguments: nothing ran */
	KVM_STATUS_VMERROR = 3,  /* the VM stopped abnormally (unhandled exit, timeout, ...) */
	KVM_STATUS_NOKVM = 77,   /* no usable /dev/kvm (the automake SKIP status) */
};

#define KVM_MAX_VCPUS   64
#define KVM_LOW_BASE    0x1000u   /* start_info, memory map, command line */
#define KVM_IMAGE_MIN   0x100000u /* segments load at or above 1 MiB */
#define KVM_CMDLINE_MAX 1024

/* ---- the image (elf_load.c): pure functions on a buffer, no KVM ----- */

struct krun_segment {
	uint64_t paddr, filesz, memsz, offset;
};

#define KVM_MAX_SEGMENTS 16

struct kvm_image {
	uint64_t entry; /* the PVH note's 32-bit physical entry */
	struct krun_segment seg[KVM_MAX_SEGMENTS];
	unsigned int nseg;
	uint64_t end; /* first byte above every segment */
};

/*
 * Checks `buf` (`len` bytes) as a bootable image for a machine of
 * `mem_size` bytes: ELF64, little-endian, x86-64, an executable, program
 * headers inside the file, PT_LOAD segments inside the file and inside
 * [1 MiB, mem_size) without overlap, and a Xen PVH note
 * (XEN_ELFNOTE_PHYS32_ENTRY) whose entry lies in a loaded segment.
 * Returns 0 and fills *img, or -1 with a one-line reason in err.
 */
int kvm_image_parse(const uint8_t *buf, size_t len, uint64_t mem_size, struct kvm_image *img,
                    char *err, size_t errlen);

/*
 * The value of the global symbol `name` in the ELF's symbol table (the
 * buffer kvm_image_parse accepted), or 0 when there is none.
 */
uint64_t kvm_image_symbol(const uint8_t *buf, size_t len, const char *name);

/*
 * The SVSM image at `path` carries the vTPM (libtpms: TPMLIB_Process), so
 * `--target kvm` serves the scenario's vTPM with it (docs/kvm-snp.md).
 * Returns 1, 0, or -1 when the file cannot be read (a message on stderr).
 */
int kvm_image_has_vtpm(const char *path);

/* Copies the segments into guest memory `mem` (zero-filling bss). */
void kvm_image_load(const struct kvm_image *img, const uint8_t *buf, uint8_t *mem);

/*
 * Writes the PVH start_info (version 1), the memory map and the command
 * line at KVM_LOW_BASE in `mem` and returns the start_info's address.
 */
uint64_t kvm_pvh_setup(uint8_t *mem, uint64_t mem_size, const char *cmdline);

/* ---- the machine (vm.c) -------------------------------------------- */

struct kvm_options {
	uint64_t mem_mib;
	unsigned int vcpus;
	const char *cmdline;
	unsigned int timeout_s;
	bool stats;
};

struct krun_vcpu {
	int fd;
	struct kvm_run *run;
	unsigned int index;
	/* kvm_machine_run: the vCPU's host thread; the rest under kvm_machine.lock. */
	pthread_t thread;
	bool has_thread;
	bool started;          /* runs: the boot vCPU at once, an AP once started */
	uint32_t start_status; /* the answer to its last KVMRUN_PORT_START_AP request */
};

struct kvm_exit_counts {
	uint64_t total, io, console_lines, com1_bytes, other;
	uint64_t mmio;        /* MMIO exits the NV device served */
	uint64_t rom_toggles; /* flash ROM slot mapped or unmapped */
};

struct kvm_nvdev;

struct kvm_machine {
	int kvm_fd, vm_fd;
	uint8_t *mem;
	uint64_t mem_size;
	size_t run_size;
	struct krun_vcpu vcpu[KVM_MAX_VCPUS];
	unsigned int nvcpu;
	uint64_t tsc_khz;
	/* devices (ports.c) */
	uint8_t com1_scratch;
	uint64_t mailbox_gpa;    /* 0: none */
	FILE *out;               /* the guest's console */
	struct kvm_nvdev *nvdev; /* nvdev_kvm.c: NULL = none */
	/*
	 * kvm_machine_run runs every started vCPU on its own host thread:
	 * exits are handled under `lock` (devices, counters, the end of the
	 * run, AP starts); `cond` signals a start or the end.
	 */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool parallel;            /* kvm_machine_run is running the vCPUs */
	struct krun_vcpu *cur;    /* the vCPU whose exit is being handled (under lock) */
	uint64_t ap_entry;        /* the image's x86_ap_entry64; 0: APs cannot start */
	unsigned int vcpus_asked; /* --vcpus (CPUID 0x40000010 EBX) */
	unsigned int aps_started;
	/* the end of the run */
	bool done;
	uint32_t exit_code;
	enum kvm_status status;
	struct kvm_exit_counts exits;
	uint64_t start_ns, end_ns;
};

/*
 * Opens /dev/kvm and creates the VM, its memory and vCPUs. Returns 0, or
 * KVM_STATUS_NOKVM (no usable KVM: `why` says what failed) or
 * KVM_STATUS_VMERROR, with a message on stderr.
 */
int kvm_machine_create(struct kvm_machine *m, const struct kvm_options *o, char *why,
                       size_t whylen);

/* Points the boot vCPU at the PVH entry: 32-bit flat protected mode, %ebx. */
int kvm_machine_boot_vcpu(struct kvm_machine *m, uint64_t entry, uint64_t start_info);

/* Writes one MSR of vCPU `v` (KVM_SET_MSRS). Returns 0 or -1. */
int kvm_vcpu_set_msr(struct krun_vcpu *v, uint32_t index, uint64_t value);

/*
 * Runs the machine until the image exits or something goes wrong, or for
 * at most timeout_s seconds: each vCPU on its own host thread, truly in
 * parallel; the boot vCPU at once, an AP when the boot vCPU asks
 * (KVMRUN_PORT_START_AP, m->ap_entry). The first vCPU that ends the run
 * (exit port, an unhandled exit) ends it for all: the others are kicked
 * out of KVM_RUN (immediate_exit and a signal) and joined.
 */
enum kvm_status kvm_machine_run(struct kvm_machine *m, unsigned int timeout_s);

/*
 * Starts AP n at m->ap_entry (the contract in csvsm/abi/kvm_runner.h) on
 * behalf of vCPU `from`, which must be the boot vCPU and the caller's
 * vCPU (its special registers are taken now). Called with m->lock held,
 * while kvm_machine_run runs. Returns 0, or 1 with a message on stderr.
 */
uint32_t kvm_machine_start_ap(struct kvm_machine *m, struct krun_vcpu *from, uint32_t n);

void kvm_machine_destroy(struct kvm_machine *m);

/* Prints the vCPU's registers (and segment/control registers) on stderr. */
void kvm_dump_vcpu(struct kvm_machine *m, struct krun_vcpu *v);

/* ---- ports (ports.c) ------------------------------------------------- */

/*
 * Handles one I/O access of `size` bytes at `port` (`data` in/out). Returns
 * true when a device claims the port; false for an unknown port.
 */
bool kvm_port_io(struct kvm_machine *m, uint16_t port, bool out, uint8_t size, uint8_t *data);

/* ---- the NV device (nvdev_kvm.c) ------------------------------------ */

/*
 * Attaches the NV device `arg` ("pflash:FILE" or "virtio:FILE"; a missing
 * FILE is created with 1 MiB, erased) to the created machine, and writes
 * the command-line word that tells the image where it is ("nvdev=SPEC")
 * into spec. Returns 0, or -1 with a message on stderr.
 */
int kvm_nvdev_attach(struct kvm_machine *m, const char *arg, char *spec, size_t speclen);

/* Serves an MMIO exit at `gpa` if it hits the NV device; false otherwise. */
bool kvm_nvdev_mmio(struct kvm_machine *m, uint64_t gpa, bool write, uint8_t *data,
                    unsigned int len);

/* Syncs and closes the NV device (none: nothing). */
void kvm_nvdev_detach(struct kvm_machine *m);

/* ---- the command (cli.c) --------------------------------------------- */

int kvm_runner_main(int argc, char **argv);

#endif
