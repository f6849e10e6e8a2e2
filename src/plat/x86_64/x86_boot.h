/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 bring-up shared by the bare-metal platforms (kvm, snp), and the
 * hooks each platform provides. Boot order (x86_main in boot.c):
 *
 *   entry.S     PVH entry (32-bit, flat, paging off), boot page tables,
 *               long mode, boot stack, x86_main(start_info physical address)
 *   x86_cpu_init        GDT, TSS with IST stacks, IDT (no I/O, no CPUID)
 *   x86_plat_early      the platform: console, "is this my machine?"
 *   x86_bootinfo_parse  PVH start_info: command line, memory map (copied)
 *   x86_paging_init     the final page tables (W^X, guard pages, NULL page)
 *   x86_plat_main       the platform's main; never returns
 */
#ifndef CSVSM_PLAT_X86_BOOT_H
#define CSVSM_PLAT_X86_BOOT_H

#include "csvsm/types.h"

/* ---- PVH boot ABI (Xen public/arch-x86/hvm/start_info.h, version 1) ---- */

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;   /* version >= 1 */
	uint32_t memmap_entries; /* version >= 1 */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "PVH start_info layout");

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types: 1 = RAM */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "PVH memmap entry layout");

#define HVM_MEMMAP_TYPE_RAM 1

/* ---- what the bring-up learned, for the platform ---------------------- */

#define X86_CMDLINE_MAX 256
#define X86_MEMMAP_MAX  32

struct x86_boot {
	char cmdline[X86_CMDLINE_MAX]; /* NUL-terminated, truncated copy */
	struct hvm_memmap_entry memmap[X86_MEMMAP_MAX];
	uint32_t memmap_count;
	uint64_t image_start_pa; /* first byte of the loaded image */
	uint64_t image_end_pa;   /* first byte after the image (bss included) */
	uint64_t start_info_pa;
};

extern struct x86_boot x86_boot_facts;

/* Called from entry.S; never returns. */
CSVSM_NORETURN void x86_main(uint64_t start_info_pa);

void x86_cpu_init(void);

/*
 * Copies the command line and memory map out of the PVH start_info at `pa`
 * (which the boot page tables map 1:1). Returns 0, or -CSVSM_EINVAL with a
 * console message when the structure is not a PVH start_info.
 */
int x86_bootinfo_parse(uint64_t pa, struct x86_boot *out) CSVSM_MUST_CHECK;

/* True when the command line holds `word` as a whole, space-separated word. */
bool x86_cmdline_has(const struct x86_boot *b, const char *word);

/*
 * The value of `key=` on the command line, or NULL. The result points into
 * b->cmdline and ends at the next space (its length in *len).
 */
const char *x86_cmdline_value(const struct x86_boot *b, const char *key, size_t *len);

/*
 * Takes `size` bytes (a multiple of 4 KiB) of RAM from the memory map, above
 * the image and below 4 GiB (the identity-mapped range), aligned to `align`
 * (a power of two >= 4 KiB). Each call returns memory no other call returned.
 * Returns the physical (= identity-mapped virtual) address, or 0.
 */
uint64_t x86_ram_take(uint64_t size, uint64_t align);

/* Builds and loads the final page tables (paging.c). */
void x86_paging_init(void);

/*
 * Identity-maps [base, base + size) (2 MiB aligned, inside [4 GiB, 512
 * GiB)) read/write, no execute, with 2 MiB pages; the page directories
 * come from x86_ram_take. Boot vCPU, after x86_paging_init. Returns 0,
 * -CSVSM_EINVAL or -CSVSM_ENOMEM.
 */
int x86_map_phys(uint64_t base, uint64_t size) CSVSM_MUST_CHECK;

/* True when `va` is mapped (present) in the final page tables. */
bool x86_va_mapped(uint64_t va);

/* ---- time (tsc.c) ------------------------------------------------------ */

/* Sets the TSC frequency; 0 means unknown (plat_time_ns then counts cycles). */
void x86_tsc_set_khz(uint64_t khz);
uint64_t x86_tsc_khz(void);
/* Measures the TSC against the PIT (channel 0, ~10 ms). 0 when no PIT counts. */
uint64_t x86_tsc_calibrate_pit(void);

/* ---- entropy (entropy.c) ----------------------------------------------- */

/* Which instructions the CPU has (the platform knows how to ask). */
void x86_entropy_init(bool have_rdrand, bool have_rdseed);

/* ---- 16550 UART (serial.c) --------------------------------------------- */

#define X86_COM1 0x3f8

void serial_init(uint16_t base);
/* Writes `len` bytes; LF becomes CR LF. Bounded waits: never hangs. */
void serial_write(uint16_t base, const char *buf, size_t len);

/* ---- exceptions (exception.c, vectors.S) -------------------------------- */

/* The frame vectors.S builds on the stack for every exception. */
struct x86_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct x86_regs) == 22 * 8, "vectors.S frame layout");

void x86_exception(struct x86_regs *regs);

/* Prints the frame, the control registers and a frame-pointer backtrace. */
void x86_dump_regs(const struct x86_regs *regs);
void x86_backtrace(uint64_t rbp);

/*
 * Catching an exception on purpose (self-tests, probing an MSR):
 *
 *   struct x86_catch c;
 *   if (x86_try(&c, 1u << X86_VEC_GP) == 0) {
 *           ... code that may fault ...
 *           x86_try_end(&c);
 *   } else {
 *           ... c.vector, c.error_code, c.cr2, c.rip describe the fault ...
 *   }
 *
 * x86_try returns 0 when armed; an exception whose vector is in `vectors`
 * while armed is reported on the console and makes x86_try return again,
 * with 1, on the stack of the x86_try call (like longjmp). Other vectors
 * stay fatal. One catch at a time (the boot vCPU only).
 */
struct x86_catch {
	/* Saved by x86_try (catch.S): rbx, rbp, r12-r15, rsp, rip. */
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
	uint32_t vectors;
	bool quiet; /* no console report when caught */
	/* Filled when caught. */
	uint64_t vector, error_code, cr2, fault_rip;
};

int x86_try(struct x86_catch *c, uint32_t vectors) __attribute__((returns_twice));
void x86_try_end(struct x86_catch *c);

/* ---- stacks (boot.c) --------------------------------------------------- */

struct x86_stack_range {
	uint64_t lo, hi;
};
/* The boot stack and the IST stacks, for the backtrace and guard pages. */
extern const struct x86_stack_range x86_stacks[4];

/* ---- platform hooks: each bare-metal platform defines these ---------- */

/*
 * Right after the CPU tables: sets up the console. May refuse to run
 * (print why and stop) when the machine is not the platform's.
 */
void x86_plat_early(void);

/* The platform's main, after paging; never returns. */
CSVSM_NORETURN void x86_plat_main(struct x86_boot *boot);

#endif
