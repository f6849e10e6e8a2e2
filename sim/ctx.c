/* SPDX-License-Identifier: MIT */
/*
 * Simulator execution contexts (see ctx.h). The register switch itself is
 * sim_ctx_switch_asm in ctx_switch_x86_64.S; this file builds stacks and
 * tells AddressSanitizer (and Valgrind) about them.
 */
#include "ctx.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_CTX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_CTX_ASAN 1
#endif
#endif

#ifdef SIM_CTX_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SIM_CTX_VALGRIND 1
#endif
#endif

/* The assembly side (ctx_switch_x86_64.S) and the C function it calls. */
__attribute__((visibility("hidden"))) void sim_ctx_switch_asm(struct sim_ctx *from,
                                                              struct sim_ctx *to);
__attribute__((visibility("hidden"))) void sim_ctx_trampoline(void);
__attribute__((visibility("hidden"), noreturn)) void
sim_ctx_start(struct sim_ctx *self, void (*entry)(void *arg), void *arg);

/* The initial frame that sim_ctx_switch_asm pops on the first switch. */
struct sim_ctx_frame {
	uint32_t mxcsr;
	uint16_t fpucw;
	uint16_t pad;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
	/* Above the return address: where the trampoline runs (16-aligned),
	 * zeroed so that nothing reads garbage as an outer frame. */
	uint64_t top[2];
};

#define SIM_CTX_MXCSR_INIT 0x1f80u /* all exceptions masked, round to nearest */
#define SIM_CTX_FPUCW_INIT 0x037fu /* same for x87, extended precision */

#ifdef SIM_CTX_ASAN
/*
 * ASan bookkeeping of this thread: the running context and the one that last
 * switched away, so that the context resuming learns the bounds of the
 * stack it came from (needed for the thread's own stack).
 */
static _Thread_local struct sim_ctx *asan_cur;
static _Thread_local struct sim_ctx *asan_prev;

/* Runs right after `self` resumes (or first starts) on its own stack. */
static void asan_resumed(struct sim_ctx *self)
{
	const void *bottom = NULL;
	size_t size = 0;
	struct sim_ctx *prev = asan_prev;

	__sanitizer_finish_switch_fiber(self->asan_fake_stack, &bottom, &size);
	self->asan_fake_stack = NULL;
	if (prev != NULL && prev->stack == NULL) {
		prev->asan_bottom = bottom;
		prev->asan_size = size;
	}
	asan_cur = self;
	if (self->asan_dying) {
		/* sim_ctx_destroy resumed us only to free our fake stack: leave
		 * for good (NULL save slot) back to the destroyer. */
		asan_prev = self;
		__sanitizer_start_switch_fiber(NULL, prev->asan_bottom, prev->asan_size);
		sim_ctx_switch_asm(self, prev);
		abort(); /* never resumed again */
	}
}
#endif

void sim_ctx_init_current(struct sim_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
#ifdef SIM_CTX_ASAN
	asan_cur = ctx;
#endif
}

/*
 * Stacks of destroyed contexts, kept mapped for the next sim_ctx_create of
 * the same size: a fuzzer's reset destroys the contexts of vCPUs an input
 * started, and the next input starts them again (an mmap, an mprotect, a
 * munmap and the page faults of a fresh stack each time otherwise). The
 * simulator runs its contexts on one host thread.
 */
#define SIM_CTX_CACHE 4
static struct {
	char *map;
	size_t size;
} ctx_cache[SIM_CTX_CACHE];

static char *cache_take(size_t map_size)
{
	for (unsigned int i = 0; i < SIM_CTX_CACHE; i++) {
		if (ctx_cache[i].map && ctx_cache[i].size == map_size) {
			char *map = ctx_cache[i].map;

			ctx_cache[i].map = NULL;
			return map;
		}
	}
	return NULL;
}

/* Keeps the mapping for later; false when the cache is full. */
static bool cache_put(char *map, size_t map_size)
{
	for (unsigned int i = 0; i < SIM_CTX_CACHE; i++) {
		if (!ctx_cache[i].map) {
			ctx_cache[i].map = map;
			ctx_cache[i].size = map_size;
			return true;
		}
	}
	return false;
}

int sim_ctx_create(struct sim_ctx *ctx, size_t stack_size, void (*entry)(void *arg), void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size, map_size;
	char *map;
	bool fresh;
	struct sim_ctx_frame *frame;

	memset(ctx, 0, sizeof(*ctx));
	if (entry == NULL || stack_size > SIZE_MAX / 2) {
		errno = EINVAL;
		return -1;
	}
	if (stack_size < SIM_CTX_MIN_STACK)
		stack_size = SIM_CTX_MIN_STACK;
	size = (stack_size + page - 1) & ~(page - 1);
	map_size = size + page;
	map = cache_take(map_size);
	fresh = map == NULL;
	if (fresh)
		map = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
		           MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	if (fresh && mprotect(map, page, PROT_NONE) != 0) {
		int err = errno;

		munmap(map, map_size);
		errno = err;
		return -1;
	}

	ctx->map_base = map;
	ctx->map_size = map_size;
	ctx->stack = map + page;
	ctx->stack_size = size;
	ctx->asan_bottom = ctx->stack;
	ctx->asan_size = size;
#ifdef SIM_CTX_VALGRIND
	ctx->valgrind_id = VALGRIND_STACK_REGISTER(map + page, map + map_size);
#endif

	/* The stack top is page aligned, so the frame's `top` is 16-aligned. */
	frame = (struct sim_ctx_frame *)(map + map_size) - 1;
	memset(frame, 0, sizeof(*frame));
	frame->mxcsr = SIM_CTX_MXCSR_INIT;
	frame->fpucw = SIM_CTX_FPUCW_INIT;
	frame->r12 = (uint64_t)(uintptr_t)entry;
	frame->r13 = (uint64_t)(uintptr_t)arg;
	frame->r14 = (uint64_t)(uintptr_t)ctx;
	frame->ret = (uint64_t)(uintptr_t)sim_ctx_trampoline;
	ctx->sp = frame;
	return 0;
}

void sim_ctx_start(struct sim_ctx *self, void (*entry)(void *arg), void *arg)
{
#ifdef SIM_CTX_ASAN
	asan_resumed(self);
#else
	(void)self;
#endif
	entry(arg);
	fflush(stdout);
	fputs("sim_ctx: a context's entry function returned\n", stderr);
	abort();
}

void sim_ctx_switch(struct sim_ctx *from, struct sim_ctx *to)
{
#ifdef SIM_CTX_ASAN
	asan_prev = from;
	__sanitizer_start_switch_fiber(&from->asan_fake_stack, to->asan_bottom, to->asan_size);
	sim_ctx_switch_asm(from, to);
	asan_resumed(from);
#else
	sim_ctx_switch_asm(from, to);
#endif
}

void sim_ctx_destroy(struct sim_ctx *ctx)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t lo = (uintptr_t)ctx->stack;

	if (ctx->stack == NULL) {
		memset(ctx, 0, sizeof(*ctx));
		return;
	}
	if (here >= lo && here - lo < ctx->stack_size) {
		fflush(stdout);
		fputs("sim_ctx: destroying the running context\n", stderr);
		abort();
	}
#ifdef SIM_CTX_ASAN
	if (ctx->asan_fake_stack != NULL && asan_cur != NULL) {
		/* Let it leave for good so that ASan frees its fake stack. */
		ctx->asan_dying = 1;
		sim_ctx_switch(asan_cur, ctx);
	}
	/* Its frames left poisoned redzones in the shadow; a later mapping at
	 * the same address must not inherit them. */
	__asan_unpoison_memory_region(ctx->stack, ctx->stack_size);
#endif
#ifdef SIM_CTX_VALGRIND
	VALGRIND_STACK_DEREGISTER(ctx->valgrind_id);
#endif
	if (!cache_put((char *)ctx->map_base, ctx->map_size))
		munmap(ctx->map_base, ctx->map_size);
	memset(ctx, 0, sizeof(*ctx));
}
