/* SPDX-License-Identifier: MIT */
/*
 * Exceptions: a report on the console (vector, error code, registers,
 * frame-pointer backtrace), then a clean stop through plat_halt; or, when
 * a self-test or a probe armed a catch for the vector, a report and a
 * return to the x86_try call (x86_boot.h). The armed catch and the
 * nesting depth are the executing vCPU's (struct x86_cpu).
 */
#include "csvsm/log.h"
#include "csvsm/plat/console.h"
#include "csvsm/plat/cpu.h"
#include "x86.h"
#include "x86_boot.h"

#define BACKTRACE_MAX 16

static const char *const vector_names[X86_VEC_COUNT] = {
    [0] = "#DE divide error",
    [1] = "#DB debug",
    [2] = "NMI",
    [3] = "#BP breakpoint",
    [4] = "#OF overflow",
    [5] = "#BR bound range",
    [6] = "#UD invalid opcode",
    [7] = "#NM device not available",
    [8] = "#DF double fault",
    [10] = "#TS invalid TSS",
    [11] = "#NP segment not present",
    [12] = "#SS stack fault",
    [13] = "#GP general protection",
    [14] = "#PF page fault",
    [16] = "#MF x87 error",
    [17] = "#AC alignment check",
    [18] = "#MC machine check",
    [19] = "#XF SIMD error",
    [21] = "#CP control protection",
    [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication",
    [30] = "#SX security exception",
};

int x86_catch_arm(struct x86_catch *c, uint32_t vectors);

/* Start of x86_try (catch.S): arms the catch; setjmp then saves the registers in *c. */
int x86_catch_arm(struct x86_catch *c, uint32_t vectors)
{
	c->vectors = vectors;
	c->vector = c->error_code = c->cr2 = c->fault_rip = 0;
	c->rip =
	    0; /* not saved yet: x86_exception does not resume here before setjmp's last store */
	__atomic_store_n(&x86_this_cpu()->catch_armed, c, __ATOMIC_SEQ_CST);
	return 0;
}

void x86_try_end(struct x86_catch *c)
{
	struct x86_cpu *cpu = x86_this_cpu();

	if (cpu->catch_armed == c)
		__atomic_store_n(&cpu->catch_armed, NULL, __ATOMIC_SEQ_CST);
}

static const char *vector_name(uint64_t v)
{
	return v < X86_VEC_COUNT && vector_names[v] ? vector_names[v] : "reserved vector";
}

/* [lo, hi) lies on one of the executing vCPU's stacks. */
static bool on_known_stack(uint64_t lo, uint64_t hi)
{
	const struct x86_cpu *cpu = x86_this_cpu();

	for (unsigned int i = 0; i < ARRAY_SIZE(cpu->stacks); i++)
		if (lo >= cpu->stacks[i].lo && hi <= cpu->stacks[i].hi && lo <= hi)
			return true;
	return false;
}

void x86_backtrace(uint64_t rbp)
{
	log_printf("backtrace (addr2line -e csvsm-*.elf ADDR):\n");
	for (unsigned int i = 0; i < BACKTRACE_MAX; i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (rbp == 0 || (rbp & 7) || !on_known_stack(rbp, rbp + 16))
			return;
		if (frame[1] == 0)
			return;
		log_printf("  #%u %#llx\n", i, (unsigned long long)frame[1]);
		if (frame[0] <= rbp) /* frames grow up the stack; stop on loops */
			return;
		rbp = frame[0];
	}
}

void x86_dump_regs(const struct x86_regs *r)
{
	log_printf("  rip %016llx  cs %04llx  rflags %08llx\n", (unsigned long long)r->rip,
	           (unsigned long long)r->cs, (unsigned long long)r->rflags);
	log_printf("  rsp %016llx  ss %04llx  cr2 %016llx  cr3 %016llx\n",
	           (unsigned long long)r->rsp, (unsigned long long)r->ss,
	           (unsigned long long)x86_read_cr2(), (unsigned long long)x86_read_cr3());
	log_printf("  rax %016llx  rbx %016llx  rcx %016llx\n", (unsigned long long)r->rax,
	           (unsigned long long)r->rbx, (unsigned long long)r->rcx);
	log_printf("  rdx %016llx  rsi %016llx  rdi %016llx\n", (unsigned long long)r->rdx,
	           (unsigned long long)r->rsi, (unsigned long long)r->rdi);
	log_printf("  rbp %016llx  r8  %016llx  r9  %016llx\n", (unsigned long long)r->rbp,
	           (unsigned long long)r->r8, (unsigned long long)r->r9);
	log_printf("  r10 %016llx  r11 %016llx  r12 %016llx\n", (unsigned long long)r->r10,
	           (unsigned long long)r->r11, (unsigned long long)r->r12);
	log_printf("  r13 %016llx  r14 %016llx  r15 %016llx\n", (unsigned long long)r->r13,
	           (unsigned long long)r->r14, (unsigned long long)r->r15);
}

static void report(const struct x86_regs *r, const char *what)
{
	log_printf("%s on vCPU %u: %s (vector %llu) error code %#llx at %#llx\n", what,
	           x86_this_cpu()->index, vector_name(r->vector), (unsigned long long)r->vector,
	           (unsigned long long)r->error_code, (unsigned long long)r->rip);
	x86_dump_regs(r);
	/* The faulting function's caller chain starts at its frame pointer. */
	x86_backtrace(r->rbp);
}

void x86_exception(struct x86_regs *r)
{
	struct x86_cpu *cpu = x86_this_cpu();
	struct x86_catch *c = cpu->catch_armed;

	if (c && c->rip != 0 && r->vector < 32 && (c->vectors & (1u << r->vector)) &&
	    cpu->exception_depth == 0) {
		__atomic_store_n(&cpu->catch_armed, NULL, __ATOMIC_SEQ_CST);
		c->vector = r->vector;
		c->error_code = r->error_code;
		c->cr2 = r->vector == X86_VEC_PF ? x86_read_cr2() : 0;
		c->fault_rip = r->rip;
		if (!c->quiet)
			report(r, "exception caught (expected)");
		/* Resume as if x86_try returned 1 (setjmp saved these, catch.S). */
		r->rbx = c->rbx;
		r->rbp = c->rbp;
		r->r12 = c->r12;
		r->r13 = c->r13;
		r->r14 = c->r14;
		r->r15 = c->r15;
		r->rsp = c->rsp;
		r->rip = c->rip;
		r->rax = 1;
		r->rflags &= ~X86_RFLAGS_IF;
		return;
	}
	if (cpu->exception_depth++ > 0) {
		/* A fault while reporting one: say so without formatting, stop. */
		static const char msg[] = "\nnested exception while reporting; stopped\n";
		plat_console_write(msg, sizeof(msg) - 1);
		x86_stop();
	}
	report(r, "FATAL exception");
	plat_halt();
}
