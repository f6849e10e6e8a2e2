/* SPDX-License-Identifier: MIT */
/*
 * Simulator execution contexts: cooperative coroutines on one host thread.
 *
 * Each VMPL of each simulated vCPU runs in its own context with its own
 * stack, so the SVSM core's request loop runs exactly as on bare metal. A
 * switch saves the SysV callee-saved state (rbx, rbp, r12-r15, rsp, the x87
 * control word and MXCSR) of the running context and resumes another one.
 * It is a plain function call: no signals, no system calls, no ucontext.
 *
 * Rules common to every function below:
 *  - Contexts belong to the host thread that created them (or that described
 *    itself with sim_ctx_init_current); never switch across threads.
 *  - A struct sim_ctx must not move in memory while it is in use (the running
 *    context is referenced by address while it is switched away).
 *  - Exactly one context of a thread runs at a time; "suspended" means it
 *    switched away (or was created and never entered) and waits to be resumed.
 *
 * Under AddressSanitizer every switch is announced to ASan (fiber API), so
 * instrumented code may run on any context. Under Valgrind the stacks are
 * registered with the client-request API when <valgrind/valgrind.h> exists.
 */
#ifndef CSVSM_SIM_CTX_H
#define CSVSM_SIM_CTX_H

#include <stddef.h>

/* Smallest usable stack sim_ctx_create hands out (smaller requests grow). */
#define SIM_CTX_MIN_STACK ((size_t)16384)

struct sim_ctx {
	/* Saved stack pointer while suspended; the switch code relies on it
	 * being the first member. Meaningless while the context runs. */
	void *sp;
	/* The usable stack, lowest address first; NULL for a context described
	 * by sim_ctx_init_current (its stack is not ours). */
	void *stack;
	size_t stack_size;

	/* Private below: present in every build so that the layout does not
	 * depend on the sanitizer flags of the including file. */
	void *map_base; /* the mapping: guard page + stack */
	size_t map_size;
	void *asan_fake_stack;   /* ASan fake stack saved while suspended */
	const void *asan_bottom; /* stack bounds as told to ASan */
	size_t asan_size;
	int asan_dying;       /* destroy: final entry, leave for good */
	unsigned valgrind_id; /* VALGRIND_STACK_REGISTER id, 0 if none */
};

/*
 * Describes the calling thread's running context (e.g. main or a test) in
 * `ctx`, so that other contexts can switch back to it. It allocates nothing;
 * the stack stays the thread's own. Call it once, before the thread's first
 * switch away. The stack bounds ASan needs are learned on the first switch.
 */
void sim_ctx_init_current(struct sim_ctx *ctx);

/*
 * Creates a suspended context in `ctx` with its own mmap'd stack of at least
 * `stack_size` bytes (rounded up to whole pages and to SIM_CTX_MIN_STACK),
 * with an inaccessible guard page below it so an overflow faults at once.
 * The first switch to it calls entry(arg) on the new stack, with the x87
 * control word and MXCSR at their ABI initial values (0x037f, 0x1f80).
 * `entry` must never return: it switches away for good instead and its owner
 * destroys it; if it does return, the process aborts with a message.
 * Returns 0, or -1 with errno set (EINVAL: entry NULL or size overflow;
 * ENOMEM and the like from mmap/mprotect). On failure `ctx` holds no stack.
 */
int sim_ctx_create(struct sim_ctx *ctx, size_t stack_size, void (*entry)(void *arg), void *arg);

/*
 * Suspends the running context `from` and resumes the suspended context `to`
 * (where it last switched away, or at its entry on the first switch). Saves
 * rbx, rbp, r12-r15, rsp, the x87 control word and MXCSR into `from`; all
 * other registers are caller-saved per the SysV ABI and are not preserved.
 * Returns when some context switches back to `from`. `from` must be the
 * running context and `to` a different, suspended context of the same
 * thread; neither is checked (this is the hot path: about 20 instructions).
 */
void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to);

/*
 * Frees the stack of a context that is not running: never entered, or
 * suspended anywhere, even deep inside a function. Nothing on its stack is
 * unwound or run; its owner guarantees that it holds no resources (heap
 * blocks, locks) that only that stack refers to. Destroying the running
 * context aborts. For a context of sim_ctx_init_current it only forgets the
 * description. `ctx` may then be reused by sim_ctx_create or _init_current.
 * Under ASan with fake stacks (detect_stack_use_after_return), a suspended
 * context is resumed once, invisibly, to release its fake stack.
 */
void sim_ctx_destroy(struct sim_ctx *ctx);

#endif
