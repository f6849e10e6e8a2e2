/* SPDX-License-Identifier: MIT */
/* Tests of the simulator's execution contexts (sim/ctx.h). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define KIB ((size_t)1024)

/* The test's own context (the forked test process's main stack). */
static struct sim_ctx main_ctx;

/* ---- ping-pong: values through a shared struct ---- */

struct pingpong {
	struct sim_ctx ctx;
	long in;
	long out;
	long rounds;
};

static void pingpong_entry(void *arg)
{
	struct pingpong *pp = arg;

	for (;;) {
		pp->out = pp->in * 3 + 1;
		pp->rounds++;
		sim_ctx_switch(&pp->ctx, &main_ctx);
	}
}

START_TEST(test_ping_pong)
{
	struct pingpong pp = {0};
	long i;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&pp.ctx, 64 * KIB, pingpong_entry, &pp), 0);
	ck_assert_ptr_nonnull(pp.ctx.stack);
	ck_assert_uint_ge(pp.ctx.stack_size, 64 * KIB);
	for (i = 0; i < 20000; i++) {
		pp.in = i;
		sim_ctx_switch(&main_ctx, &pp.ctx);
		ck_assert_int_eq(pp.out, i * 3 + 1);
		ck_assert_int_eq(pp.rounds, i + 1);
	}
	sim_ctx_destroy(&pp.ctx);
	sim_ctx_destroy(&main_ctx);
}
END_TEST

/* ---- round robin: main -> c0 -> c1 -> ... -> cN-1 -> main ---- */

#define RR_N      7
#define RR_ROUNDS 300

struct rr {
	struct sim_ctx ctx[RR_N];
	int log[RR_N * RR_ROUNDS];
	int nlog;
};

static struct rr rr;

static void rr_entry(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (;;) {
		rr.log[rr.nlog++] = id;
		sim_ctx_switch(&rr.ctx[id], id + 1 < RR_N ? &rr.ctx[id + 1] : &main_ctx);
	}
}

START_TEST(test_round_robin)
{
	int i, round;

	sim_ctx_init_current(&main_ctx);
	for (i = 0; i < RR_N; i++)
		ck_assert_int_eq(sim_ctx_create(&rr.ctx[i], 0, rr_entry, (void *)(intptr_t)i), 0);
	for (round = 0; round < RR_ROUNDS; round++) {
		sim_ctx_switch(&main_ctx, &rr.ctx[0]);
		ck_assert_int_eq(rr.nlog, (round + 1) * RR_N);
	}
	for (i = 0; i < RR_N * RR_ROUNDS; i++)
		ck_assert_int_eq(rr.log[i], i % RR_N);
	for (i = 0; i < RR_N; i++)
		sim_ctx_destroy(&rr.ctx[i]);
}
END_TEST

/* ---- many live locals across switches ---- */

struct mix {
	struct sim_ctx ctx;
	uint64_t result;
	int switches;
	int do_switch;
};

static void mix_yield(struct mix *m)
{
	if (m->do_switch) {
		m->switches++;
		sim_ctx_switch(&m->ctx, &main_ctx);
	}
}

/* Sixteen integers and four doubles live across every yield. */
static uint64_t mix_compute(struct mix *m)
{
	uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
	uint64_t i = 9, j = 10, k = 11, l = 12, n = 13, o = 14, p = 15, q = 16;
	double x = 1.5, y = 2.25, z = 3.125, w = 0.5;
	int r;

	for (r = 0; r < 64; r++) {
		a = a * 6364136223846793005ull + b;
		b ^= a >> 7;
		c += b * 3;
		mix_yield(m);
		d = (d << 3) ^ c;
		e += d + (uint64_t)r;
		f ^= e * 0x9e3779b97f4a7c15ull;
		g += f >> 11;
		x = x * 1.0001 + (double)(g & 0xff);
		mix_yield(m);
		h ^= g + a;
		i += h * 5;
		j ^= i >> 3;
		k += j + c;
		y = y * 0.999 + x / 7.0;
		mix_yield(m);
		l ^= k * 31;
		n += l >> 5;
		o ^= n + e;
		p += o * 7;
		q ^= p + i;
		z = z + y * 0.5 - w;
		w = w * 1.01 + (double)(q & 0xf);
		mix_yield(m);
	}
	return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i ^ j ^ k ^ l ^ n ^ o ^ p ^ q ^ (uint64_t)x ^
	       (uint64_t)(y * 16) ^ (uint64_t)(z * 64) ^ (uint64_t)(w * 8);
}

static void mix_entry(void *arg)
{
	struct mix *m = arg;

	m->result = mix_compute(m);
	for (;;)
		sim_ctx_switch(&m->ctx, &main_ctx);
}

START_TEST(test_many_live_locals)
{
	struct mix ref = {0}, m = {0};
	uint64_t mine = 0x1234;
	int yields = 0;

	ref.result = mix_compute(&ref); /* without switching */
	m.do_switch = 1;
	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&m.ctx, 64 * KIB, mix_entry, &m), 0);
	while (m.result == 0) {
		/* Churn main's own registers between resumes. */
		mine = mine * 2862933555777941757ull + (uint64_t)yields;
		sim_ctx_switch(&main_ctx, &m.ctx);
		yields++;
	}
	ck_assert_int_eq(m.switches, 64 * 4);
	ck_assert_int_eq(yields, 64 * 4 + 1);
	ck_assert_uint_eq(m.result, ref.result);
	ck_assert_uint_ne(mine, 0);
	sim_ctx_destroy(&m.ctx);
}
END_TEST

/* ---- callee-saved registers, set and checked in assembly ---- */

/*
 * regs_switch(from, to, regs): loads rbx, rbp, r12, r13, r14, r15 from
 * regs[0..5], calls sim_ctx_switch(from, to), then stores the six registers
 * as found after the switch returns back into regs[0..5].
 */
void regs_switch(struct sim_ctx *from, struct sim_ctx *to, uint64_t *regs);
__asm__(".text\n"
        ".globl regs_switch\n"
        ".hidden regs_switch\n"
        ".type regs_switch, @function\n"
        "regs_switch:\n"
        "	pushq %rbp\n"
        "	pushq %rbx\n"
        "	pushq %r12\n"
        "	pushq %r13\n"
        "	pushq %r14\n"
        "	pushq %r15\n"
        "	pushq %rdx\n" /* 7 pushes: rsp is 16-aligned for the call */
        "	movq 0(%rdx), %rbx\n"
        "	movq 8(%rdx), %rbp\n"
        "	movq 16(%rdx), %r12\n"
        "	movq 24(%rdx), %r13\n"
        "	movq 32(%rdx), %r14\n"
        "	movq 40(%rdx), %r15\n"
        "	call sim_ctx_switch@PLT\n"
        "	movq (%rsp), %rax\n"
        "	movq %rbx, 0(%rax)\n"
        "	movq %rbp, 8(%rax)\n"
        "	movq %r12, 16(%rax)\n"
        "	movq %r13, 24(%rax)\n"
        "	movq %r14, 32(%rax)\n"
        "	movq %r15, 40(%rax)\n"
        "	addq $8, %rsp\n"
        "	popq %r15\n"
        "	popq %r14\n"
        "	popq %r13\n"
        "	popq %r12\n"
        "	popq %rbx\n"
        "	popq %rbp\n"
        "	ret\n"
        ".size regs_switch, .-regs_switch\n");

#define REGS_ROUNDS 50

struct regs_test {
	struct sim_ctx ctx;
	int bad;
	int rounds;
};

static void regs_fill(uint64_t *regs, uint64_t seed)
{
	int i;

	for (i = 0; i < 6; i++)
		regs[i] = 0xa5a5000000000000ull ^ (seed << 8) ^ (uint64_t)(i + 1);
}

static int regs_check(const uint64_t *regs, uint64_t seed)
{
	uint64_t want[6];

	regs_fill(want, seed);
	return memcmp(regs, want, sizeof(want)) != 0;
}

static void regs_entry(void *arg)
{
	struct regs_test *t = arg;
	uint64_t regs[6];
	uint64_t seed;

	for (seed = 1000;; seed++) {
		regs_fill(regs, seed);
		regs_switch(&t->ctx, &main_ctx, regs);
		t->bad += regs_check(regs, seed);
		t->rounds++;
	}
}

START_TEST(test_callee_saved_asm)
{
	struct regs_test t = {0};
	uint64_t regs[6];
	uint64_t seed;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&t.ctx, 64 * KIB, regs_entry, &t), 0);
	for (seed = 1; seed <= REGS_ROUNDS; seed++) {
		regs_fill(regs, seed);
		regs_switch(&main_ctx, &t.ctx, regs);
		ck_assert_msg(!regs_check(regs, seed), "main's rbx/rbp/r12-r15 changed (round %d)",
		              (int)seed);
	}
	ck_assert_int_eq(t.rounds, REGS_ROUNDS - 1);
	ck_assert_int_eq(t.bad, 0);
	sim_ctx_destroy(&t.ctx);
}
END_TEST

/* ---- x87 control word and MXCSR ---- */

static uint32_t get_mxcsr(void)
{
	uint32_t v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void set_mxcsr(uint32_t v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static uint16_t get_fpucw(void)
{
	uint16_t v;

	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

static void set_fpucw(uint16_t v)
{
	__asm__ volatile("fldcw %0" : : "m"(v));
}

struct fpctl {
	struct sim_ctx ctx;
	uint32_t first_mxcsr, later_mxcsr;
	uint16_t first_fpucw, later_fpucw;
	int bad;
};

static void fpctl_entry(void *arg)
{
	struct fpctl *t = arg;

	t->first_mxcsr = get_mxcsr();
	t->first_fpucw = get_fpucw();
	set_mxcsr(0x5f80); /* round up (no FTZ/DAZ: Valgrind ignores those) */
	set_fpucw(0x0b7f); /* round up */
	for (;;) {
		sim_ctx_switch(&t->ctx, &main_ctx);
		t->later_mxcsr = get_mxcsr();
		t->later_fpucw = get_fpucw();
		t->bad += t->later_mxcsr != 0x5f80 || t->later_fpucw != 0x0b7f;
	}
}

START_TEST(test_fp_control)
{
	struct fpctl t = {0};
	uint32_t mxcsr0 = get_mxcsr();
	uint16_t fpucw0 = get_fpucw();
	int i;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&t.ctx, 0, fpctl_entry, &t), 0);
	set_mxcsr(0x7f80); /* round toward zero */
	set_fpucw(0x0f7f); /* truncate */
	for (i = 0; i < 10; i++) {
		sim_ctx_switch(&main_ctx, &t.ctx);
		ck_assert_uint_eq(get_mxcsr(), 0x7f80);
		ck_assert_uint_eq(get_fpucw(), 0x0f7f);
	}
	set_mxcsr(mxcsr0);
	set_fpucw(fpucw0);
	/* A new context starts from the ABI's initial values. */
	ck_assert_uint_eq(t.first_mxcsr, 0x1f80);
	ck_assert_uint_eq(t.first_fpucw, 0x037f);
	ck_assert_uint_eq(t.later_mxcsr, 0x5f80);
	ck_assert_uint_eq(t.later_fpucw, 0x0b7f);
	ck_assert_int_eq(t.bad, 0);
	sim_ctx_destroy(&t.ctx);
}
END_TEST

/* ---- deep recursion on a 256 KiB stack ---- */

struct deep {
	struct sim_ctx ctx;
	uintptr_t top;
	size_t want;   /* bytes of stack to use */
	size_t used;   /* deepest point reached */
	int depth;     /* frames at that point */
	uint64_t sum;  /* checksum of every frame's buffer, on the way back */
	int suspended; /* switched to main at the deepest point */
	int finished;
};

static uint64_t deep_recurse(struct deep *t, int level)
{
	volatile unsigned char buf[512];
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uint64_t sum = 0;
	size_t k;

	for (k = 0; k < sizeof(buf); k++)
		buf[k] = (unsigned char)(level * 31 + (int)k);
	if (t->top - here < t->want) {
		sum = deep_recurse(t, level + 1);
	} else {
		t->used = t->top - here;
		t->depth = level;
		t->suspended = 1;
		sim_ctx_switch(&t->ctx, &main_ctx);
	}
	for (k = 0; k < sizeof(buf); k++)
		sum += buf[k] ^ (unsigned char)(level * 31 + (int)k);
	return sum * 3 + (uint64_t)level;
}

static void deep_entry(void *arg)
{
	struct deep *t = arg;

	t->top = (uintptr_t)__builtin_frame_address(0);
	t->sum = deep_recurse(t, 0);
	t->finished = 1;
	for (;;)
		sim_ctx_switch(&t->ctx, &main_ctx);
}

/* Uses main's stack a little while the context is parked deep. */
static int main_busy(int n)
{
	volatile char buf[2048];

	memset((char *)buf, n, sizeof(buf));
	return n > 0 ? buf[n] + main_busy(n - 1) : 0;
}

START_TEST(test_deep_recursion)
{
	struct deep t = {0};
	uint64_t expect = 0;
	int level;

	t.want = 200 * KIB;
	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&t.ctx, 256 * KIB, deep_entry, &t), 0);
	sim_ctx_switch(&main_ctx, &t.ctx);
	ck_assert(t.suspended);
	ck_assert(!t.finished);
	ck_assert_uint_ge(t.used, 200 * KIB);
	ck_assert_uint_lt(t.used, 256 * KIB);
	ck_assert_int_gt(t.depth, 50);
	ck_assert_int_eq(main_busy(20), 20 * 21 / 2);
	sim_ctx_switch(&main_ctx, &t.ctx);
	ck_assert(t.finished);
	/* Every frame's buffer came back intact: each xor is 0. */
	for (level = t.depth; level >= 0; level--)
		expect = expect * 3 + (uint64_t)level;
	ck_assert_uint_eq(t.sum, expect);
	sim_ctx_destroy(&t.ctx);
}
END_TEST

/* ---- destroyed while suspended, recreated, many times ---- */

struct victim {
	struct sim_ctx ctx;
	int depth;
	int reached;
};

static int victim_dig(struct victim *v, int level)
{
	char buf[96 + 32 * (sizeof(void *))];
	volatile char *p = buf;
	int r;

	memset(buf, level, sizeof(buf));
	if (level < v->depth) {
		r = victim_dig(v, level + 1);
	} else {
		/* Heap use that is finished before suspending: nothing leaks. */
		char *heap = malloc(64);

		ck_assert_ptr_nonnull(heap);
		memset(heap, 1, 64);
		free(heap);
#ifdef TEST_ASAN
		/* Leave poisoned shadow behind, as live redzones do (with fake
		 * stacks the locals are elsewhere): a new stack mapped at the same
		 * address must not inherit it. */
		__asan_poison_memory_region(v->ctx.stack, 4096);
#endif
		v->reached = 1;
		sim_ctx_switch(&v->ctx, &main_ctx);
		r = 0; /* never resumed */
	}
	return r + p[level % (int)sizeof(buf)];
}

static void victim_entry(void *arg)
{
	struct victim *v = arg;

	victim_dig(v, 0);
	abort();
}

/* The process's virtual size in KiB (adjacent mappings merge in
 * /proc/self/maps, so counting its lines would miss leaks). */
static long vm_size_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &pages) != 1)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * (sysconf(_SC_PAGESIZE) / 1024);
}

START_TEST(test_destroy_suspended)
{
	struct victim v;
	long before, after;
	int i, fake_stacks = 0;

	sim_ctx_init_current(&main_ctx);
	/* Warm up whatever the runtime maps lazily. */
	for (i = 0; i < 20; i++) {
		memset(&v, 0, sizeof(v));
		v.depth = i % 7;
		ck_assert_int_eq(sim_ctx_create(&v.ctx, 32 * KIB, victim_entry, &v), 0);
		sim_ctx_switch(&main_ctx, &v.ctx);
		sim_ctx_destroy(&v.ctx);
	}
	before = vm_size_kib();
	for (i = 0; i < 3000; i++) {
		memset(&v, 0, sizeof(v));
		v.depth = (i * 7) % 23; /* different frame layouts on reused addresses */
		ck_assert_int_eq(sim_ctx_create(&v.ctx, 32 * KIB, victim_entry, &v), 0);
#ifdef TEST_ASAN
		ck_assert_ptr_null(__asan_region_is_poisoned(v.ctx.stack, v.ctx.stack_size));
#endif
		sim_ctx_switch(&main_ctx, &v.ctx);
		ck_assert(v.reached);
		fake_stacks += v.ctx.asan_fake_stack != NULL;
		sim_ctx_destroy(&v.ctx);
		ck_assert_ptr_null(v.ctx.stack);
	}
	after = vm_size_kib();
	ck_assert_int_gt(before, 0);
	/* A leaked stack (or ASan fake stack) would add over 100 MiB. */
	ck_assert_int_lt(after - before, 16 * 1024);
	/* The second run under ASan (see main) really had fake stacks to free. */
	if (getenv("CHECK_CTX_UAR") != NULL)
		ck_assert_int_gt(fake_stacks, 0);
}
END_TEST

START_TEST(test_destroy_never_entered)
{
	struct sim_ctx c;
	int i;

	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(sim_ctx_create(&c, 128 * KIB, victim_entry, NULL), 0);
		sim_ctx_destroy(&c);
	}
	sim_ctx_init_current(&main_ctx);
	sim_ctx_destroy(&main_ctx);
	ck_assert_ptr_null(main_ctx.stack);
}
END_TEST

/* ---- a context that creates, runs and destroys another ---- */

struct nest {
	struct sim_ctx outer, inner;
	int inner_runs;
	int outer_done;
};

static void nest_inner(void *arg)
{
	struct nest *t = arg;

	for (;;) {
		t->inner_runs++;
		sim_ctx_switch(&t->inner, &t->outer);
	}
}

static void nest_outer(void *arg)
{
	struct nest *t = arg;
	int round, k;

	for (round = 0; round < 20; round++) {
		if (sim_ctx_create(&t->inner, 32 * KIB, nest_inner, t) != 0)
			abort();
		for (k = 0; k < 3; k++)
			sim_ctx_switch(&t->outer, &t->inner);
		/* Park in main once with the inner one suspended. */
		sim_ctx_switch(&t->outer, &main_ctx);
		sim_ctx_destroy(&t->inner); /* destroyed by a non-main context */
	}
	t->outer_done = 1;
	for (;;)
		sim_ctx_switch(&t->outer, &main_ctx);
}

START_TEST(test_nested_contexts)
{
	struct nest t = {0};
	int parks = 0;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&t.outer, 64 * KIB, nest_outer, &t), 0);
	while (!t.outer_done) {
		sim_ctx_switch(&main_ctx, &t.outer);
		parks++;
	}
	ck_assert_int_eq(parks, 21);
	ck_assert_int_eq(t.inner_runs, 60);
	sim_ctx_destroy(&t.outer);
}
END_TEST

/* ---- create's argument checks ---- */

START_TEST(test_create_errors)
{
	struct sim_ctx c;

	errno = 0;
	ck_assert_int_eq(sim_ctx_create(&c, 64 * KIB, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(c.stack);
	errno = 0;
	ck_assert_int_eq(sim_ctx_create(&c, SIZE_MAX, victim_entry, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Tiny requests grow to the minimum, whole pages. */
	ck_assert_int_eq(sim_ctx_create(&c, 1, victim_entry, NULL), 0);
	ck_assert_uint_ge(c.stack_size, SIM_CTX_MIN_STACK);
	ck_assert_uint_eq(c.stack_size % 4096, 0);
	ck_assert_uint_eq((uintptr_t)c.stack % 4096, 0);
	sim_ctx_destroy(&c);
}
END_TEST

/* ---- fatal misuse ---- */

static void returning_entry(void *arg)
{
	(void)arg;
}

START_TEST(test_entry_returns_aborts)
{
	struct sim_ctx c;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&c, 0, returning_entry, NULL), 0);
	sim_ctx_switch(&main_ctx, &c);
	ck_abort_msg("came back from a returned entry");
}
END_TEST

static void self_destroy_entry(void *arg)
{
	sim_ctx_destroy(arg);
}

START_TEST(test_destroy_running_aborts)
{
	struct sim_ctx c;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&c, 0, self_destroy_entry, &c), 0);
	sim_ctx_switch(&main_ctx, &c);
	ck_abort_msg("came back from a self-destroying context");
}
END_TEST

#ifndef TEST_ASAN
/* Without ASan (whose SIGSEGV handler reports and exits) an overflow must
 * fault on the guard page instead of corrupting memory below the stack. */
static volatile int overflow_limit = 1 << 30; /* far beyond any stack */

static int overflow(int n)
{
	volatile char buf[1024];

	buf[0] = (char)n;
	if (n >= overflow_limit)
		return buf[0];
	return overflow(n + 1) + buf[0];
}

static void overflow_entry(void *arg)
{
	(void)arg;
	overflow(0);
}

START_TEST(test_overflow_hits_guard)
{
	struct sim_ctx c;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&c, 32 * KIB, overflow_entry, NULL), 0);
	sim_ctx_switch(&main_ctx, &c);
}
END_TEST
#endif

/* ---- micro-measurement, printed only ---- */

struct bench {
	struct sim_ctx ctx;
	long n;
};

static void bench_entry(void *arg)
{
	struct bench *b = arg;

	for (;;) {
		b->n++;
		sim_ctx_switch(&b->ctx, &main_ctx);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

START_TEST(test_switch_rate)
{
	struct bench b = {0};
	const long rounds = 1000000;
	double t0, t1;
	long i;

	sim_ctx_init_current(&main_ctx);
	ck_assert_int_eq(sim_ctx_create(&b.ctx, 0, bench_entry, &b), 0);
	sim_ctx_switch(&main_ctx, &b.ctx);
	t0 = now_s();
	for (i = 0; i < rounds; i++)
		sim_ctx_switch(&main_ctx, &b.ctx);
	t1 = now_s();
	ck_assert_int_eq(b.n, rounds + 1);
	if (t1 > t0)
		printf("check_ctx: %.1f M switches/s (%.1f ns per switch, %ld round trips)\n",
		       2.0 * (double)rounds / (t1 - t0) / 1e6,
		       (t1 - t0) * 1e9 / (2.0 * (double)rounds), rounds);
	fflush(stdout);
	sim_ctx_destroy(&b.ctx);
}
END_TEST

static Suite *ctx_suite(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("switch");
	TCase *fatal = tcase_create("fatal");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ping_pong);
	tcase_add_test(tc, test_round_robin);
	tcase_add_test(tc, test_many_live_locals);
	tcase_add_test(tc, test_callee_saved_asm);
	tcase_add_test(tc, test_fp_control);
	tcase_add_test(tc, test_deep_recursion);
	tcase_add_test(tc, test_destroy_suspended);
	tcase_add_test(tc, test_destroy_never_entered);
	tcase_add_test(tc, test_nested_contexts);
	tcase_add_test(tc, test_create_errors);
	tcase_add_test(tc, test_switch_rate);
	suite_add_tcase(s, tc);

	tcase_set_timeout(fatal, 60);
	tcase_add_test_raise_signal(fatal, test_entry_returns_aborts, SIGABRT);
	tcase_add_test_raise_signal(fatal, test_destroy_running_aborts, SIGABRT);
#ifndef TEST_ASAN
	tcase_add_test_raise_signal(fatal, test_overflow_hits_guard, SIGSEGV);
#endif
	suite_add_tcase(s, fatal);
	return s;
}

#ifdef TEST_ASAN
/*
 * Runs this program once more with ASan's fake stacks on, so that both ways
 * sim_ctx handles ASan (real-stack redzones; fake stacks freed on destroy)
 * are tested by one `make check`.
 */
static int rerun_with_fake_stacks(char **argv)
{
	const char *old = getenv("ASAN_OPTIONS");
	static char opts[4096];

	if (getenv("CHECK_CTX_UAR") != NULL)
		return 0;
	snprintf(opts, sizeof(opts), "%s%sdetect_stack_use_after_return=1", old ? old : "",
	         old && *old ? ":" : "");
	if (setenv("ASAN_OPTIONS", opts, 1) != 0 || setenv("CHECK_CTX_UAR", "1", 1) != 0)
		return -1;
	printf("check_ctx: again with ASAN_OPTIONS=%s\n", opts);
	fflush(stdout);
	execv("/proc/self/exe", argv);
	perror("check_ctx: execv /proc/self/exe");
	return -1;
}
#endif

int main(int argc, char **argv)
{
	SRunner *sr = srunner_create(ctx_suite());
	int failed;

	(void)argc;
	(void)argv;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed != 0)
		return EXIT_FAILURE;
#ifdef TEST_ASAN
	if (rerun_with_fake_stacks(argv) != 0)
		return EXIT_FAILURE;
#endif
	return EXIT_SUCCESS;
}
