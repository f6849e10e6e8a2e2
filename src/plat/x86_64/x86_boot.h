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
 * (a power of two >= 4 KiB). Each call returns memory no other call returned;
 * there is no free. Safe on any vCPU (a lock). An allocation: it counts at
 * FAULT_SITE_ALLOC (csvsm/fault.h), so tests can fail it. Returns the
 * physical (= identity-mapped virtual) address, or 0.
 */
uint64_t x86_ram_take(uint64_t size, uint64_t align);

/* Bytes x86_ram_take has left (the largest request that can succeed with 4 KiB alignment). */
uint64_t x86_ram_left(void);

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
/*
 * [pa, pa + len) lies below 4 GiB or inside one range x86_map_phys mapped
 * (the first 8): devices may be there. No privileged instruction (CPL 3).
 */
bool x86_phys_mapped(uint64_t pa, uint64_t len);

/*
 * plat_entropy_get takes its bytes from `fn` instead of RDSEED/RDRAND
 * (NULL: back to the CPU). Only for a simulation that asks for a
 * reproducible machine (the KVM runner's seeded SNP machine), never for
 * real secrets. Boot vCPU, before the core draws any.
 */
void x86_entropy_set_source(int (*fn)(void *buf, size_t len));

/*
 * Unmaps the 4 KiB page at `va` (< 4 GiB, page aligned) in the final page
 * tables; for guard pages. When `va` is still in a 2 MiB mapping, that
 * mapping is split into 4 KiB pages of the same rights, in the page table
 * at *spare_pt (a page the caller took, e.g. in the same x86_ram_take as
 * the memory it guards; *spare_pt is then set to 0: the page belongs to
 * the page tables for good). So it never allocates, and a caller that took
 * its memory and spare tables in one allocation has one failure point.
 * Safe on any vCPU (a paging lock; other vCPUs may keep a stale
 * translation of that page until they flush it, which is harmless for a
 * guard page nobody uses). Returns 0, -CSVSM_EINVAL (bad `va`) or
 * -CSVSM_ENOMEM (a split is needed and *spare_pt is 0 or spare_pt NULL;
 * nothing changed then).
 */
int x86_unmap_page(uint64_t va, uint64_t *spare_pt) CSVSM_MUST_CHECK;

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
 * stay fatal. One catch at a time per vCPU (the armed catch is per-CPU).
 */
struct x86_catch {
	/*
	 * Saved by the C runtime's setjmp for x86_try (catch.S): a jmp_buf's
	 * layout (src/plat/libc/setjmp.S): rbx, rbp, r12-r15, rsp, rip.
	 */
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
	uint32_t vectors;
	bool quiet; /* no console report when caught */
	/* Filled when caught. */
	uint64_t vector, error_code, cr2, fault_rip;
};
_Static_assert(__builtin_offsetof(struct x86_catch, rbx) == 0 &&
                   __builtin_offsetof(struct x86_catch, r15) == 40 &&
                   __builtin_offsetof(struct x86_catch, rsp) == 48 &&
                   __builtin_offsetof(struct x86_catch, rip) == 56,
               "struct x86_catch starts with setjmp.S's jmp_buf layout");

int x86_try(struct x86_catch *c, uint32_t vectors) __attribute__((returns_twice));
void x86_try_end(struct x86_catch *c);

/* ---- stacks (boot.c) --------------------------------------------------- */

struct x86_stack_range {
	uint64_t lo, hi;
};
/* The boot vCPU's stack and IST stacks, for the backtrace and guard pages. */
extern const struct x86_stack_range x86_stacks[4];

/*
 * A vCPU's stacks: the kernel stack, then the IST stacks (#DF, NMI, #MC),
 * each above an unmapped guard page, so an overflow faults at once. The
 * boot vCPU's is in the image's bss (boot.c), the APs' come from
 * x86_ram_take (smp.c).
 */
#define X86_KSTACK    (32u << 10)
#define X86_IST_STACK (8u << 10)
/* The ring-0 stack of exceptions taken at CPL 3 (TSS.RSP0, x86_enter_user). */
#define X86_USER_RSP0 (16u << 10)

struct x86_stack_area {
	uint8_t guard0[PAGE_SIZE];
	uint8_t boot[X86_KSTACK];
	uint8_t guard1[PAGE_SIZE];
	uint8_t df[X86_IST_STACK];
	uint8_t guard2[PAGE_SIZE];
	uint8_t nmi[X86_IST_STACK];
	uint8_t guard3[PAGE_SIZE];
	uint8_t mc[X86_IST_STACK];
};

/* ---- per-CPU data (cpu.c, smp.c) -------------------------------------- */

struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} CSVSM_PACKED;
_Static_assert(sizeof(struct x86_tss) == 104, "64-bit TSS layout (APM vol. 2, 12.2.5)");

#define X86_IOMAP_PORTS 0x800 /* the runner's ports and COM1 lie below (csvsm/abi/kvm_runner.h) */
#define X86_GDT_ENTRIES 7     /* null, code, data, TSS (16 bytes), user data, user code */

/*
 * One per vCPU, reached through the GS base (IA32_GS_BASE): `self` is at
 * %gs:0. Written by its own vCPU only, except `index` and `stacks`, set
 * before the vCPU runs. The IDT is shared (read-only after the boot vCPU
 * built it); the GDT and TSS are each vCPU's own (a TSS descriptor is
 * marked busy by LTR, and each vCPU needs its own IST stacks).
 */
struct x86_cpu {
	struct x86_cpu *self;
	unsigned int index; /* the runner's vCPU index: plat_vcpu_index() */
	struct x86_stack_range stacks[4];
	struct x86_catch *catch_armed; /* exception.c */
	unsigned int exception_depth;  /* exception.c */
	/*
	 * Top of the X86_USER_RSP0 stack for TSS.RSP0 (x86_enter_user): an
	 * AP's is in its area (smp.c), the boot vCPU's is taken on first use;
	 * kept, so entering CPL 3 again takes no memory.
	 */
	uint64_t user_rsp0;
	uint64_t gdt[X86_GDT_ENTRIES] __attribute__((aligned(16)));
	struct x86_tss tss __attribute__((aligned(16)));
	/*
	 * The TSS's I/O permission bitmap (APM vol. 2, 12.2.4), right after
	 * it: ports [0, X86_IOMAP_PORTS) allowed at CPL 3 (x86_enter_user),
	 * every other port denied; the last byte is the required all-ones end.
	 */
	uint8_t iomap[X86_IOMAP_PORTS / 8 + 1];
};

/* The boot vCPU's (cpu.c). */
extern struct x86_cpu x86_cpu_bsp;

/* The executing vCPU's per-CPU data (valid after x86_cpu_init / the AP entry). */
static inline struct x86_cpu *x86_this_cpu(void)
{
	struct x86_cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* Fills `c`'s GDT and TSS (IST stacks from c->stacks) and loads them, the IDT and the GS base. */
void x86_cpu_load(struct x86_cpu *c);

/*
 * Continues the executing vCPU at CPL 3 with IOPL 3 in fn(arg), on the
 * current stack, for good (fn must not return; if it does, the vCPU
 * stops). Exceptions still reach the ring-0 handlers, on a stack of their
 * own (TSS.RSP0: c->user_rsp0; an AP's comes with its area, the boot
 * vCPU's is taken from the memory map on first use). At CPL 3 the code may use
 * ports below X86_IOMAP_PORTS (the TSS's I/O bitmap), CPUID, RDTSC and
 * RDRAND, nothing else privileged (no control registers, MSRs, paging
 * changes, CLI/STI, HLT): the kvm platform's request loop needs none.
 * IOPL stays 0: PVM drops it on IRET. Why: a KVM that emulates a plain
 * guest's ring 0 instruction by instruction (PVM) runs CPL 3 natively
 * (docs/kvm-snp.md, "The vTPM's cost"). Returns only on failure (the
 * boot vCPU had no memory for the exception stack; nothing changed):
 * -CSVSM_ENOMEM.
 */
int x86_enter_user(void (*fn)(void *), void *arg);

/*
 * Application processors (smp.c, ap_entry.S). The contract with the
 * runner (csvsm/abi/kvm_runner.h, docs/kvm-runner.md): vCPU n >= 1 starts
 * at x86_ap_entry64 with the boot vCPU's special registers, RDI = n,
 * RSP = 0, RFLAGS = 0x2. x86_ap_entry64 serialises the start on a small
 * boot stack, calls x86_ap_setup(n), switches to the stack it returns and
 * calls x86_ap_start(n), which calls the platform's x86_plat_ap_main(n).
 */
void x86_ap_entry64(void);
/*
 * Gives vCPU n its per-CPU area (allocated once, on its first start; a
 * restarted vCPU reuses it), loads its tables and GS base; returns the top
 * of its kernel stack. n out of range or no memory: a console report and
 * plat_halt (never returns then; it ends the machine on both platforms).
 */
uint64_t x86_ap_setup(uint64_t n);
/*
 * Makes sure vCPU n (1 <= n < PLAT_MAX_VCPUS) has its per-CPU area: its
 * stacks with their guard pages unmapped, `index` and `stacks` filled (the
 * GDT and TSS are filled by x86_cpu_load on that vCPU). The area with the
 * page tables its guard pages may need is one x86_ram_take, the only
 * allocation of an AP's bring-up; after it nothing can fail. Returns 0
 * (also when the area exists: no allocation then), -CSVSM_EINVAL (n out
 * of range) or -CSVSM_ENOMEM (nothing taken, nothing changed: a later call
 * may succeed). Callers serialise (ap_entry.S's boot lock, or no AP
 * starting: the self-tests).
 */
int x86_ap_prepare(unsigned int n) CSVSM_MUST_CHECK;
/* vCPU n's per-CPU data once x86_ap_prepare(n) succeeded, else NULL. */
struct x86_cpu *x86_ap_cpu(unsigned int n);
CSVSM_NORETURN void x86_ap_start(uint64_t n);
/* APs that reached x86_plat_ap_main since boot (each start counts). */
unsigned int x86_ap_started(void);

/* ---- platform hooks: each bare-metal platform defines these ---------- */

/*
 * Right after the CPU tables: sets up the console. May refuse to run
 * (print why and stop) when the machine is not the platform's.
 */
void x86_plat_early(void);

/* The platform's main, after paging; never returns. */
CSVSM_NORETURN void x86_plat_main(struct x86_boot *boot);

/*
 * Application processor n (>= 1) after its per-CPU set-up, on its own
 * stack with its own TSS and GS base; never returns.
 */
CSVSM_NORETURN void x86_plat_ap_main(unsigned int n);

#endif
