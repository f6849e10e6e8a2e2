/* SPDX-License-Identifier: MIT */
/*
 * The bring-up's self-tests (run by `selftest` in either image): faults
 * caught and reported (#PF on the unmapped NULL page and on a stack guard
 * page, #UD, #GP on a non-canonical address), entropy and its failure
 * path, the clock, the command line, heap exhaustion on the real heap.
 * Also the image-side runner of every suite.
 */
#include "../../selftest/ktest.h"
#include "csvsm/boot.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/entropy.h"
#include "csvsm/plat/time.h"
#include "x86.h"
#include "x86_boot.h"
#include "x86_plat.h"

/*
 * The self-test heap: small, since debug builds poison it whole. Weak: an
 * image whose tests need more defines its own (csvsm-kvm-vtpm.elf: libtpms
 * and OpenSSL need about 2 MiB at start, src/plat/x86_64/selftest_heap_vtpm.c).
 * A function, not a weak constant: GCC 12 folded the constant into the caller.
 */
__attribute__((weak)) size_t x86_selftest_heap_max(void)
{
	return (size_t)1 << 20;
}
#define SELFTEST_SCRATCH ((size_t)2 << 20)

static uint64_t scratch_pa;

void *ktest_scratch(size_t *size)
{
	*size = scratch_pa ? SELFTEST_SCRATCH : 0;
	return (void *)(uintptr_t)scratch_pa;
}

/* Reads through an address the compiler cannot see (no -Warray-bounds on purpose). */
static uint64_t read_at(uint64_t addr)
{
	volatile uint64_t a = addr;

	return *(volatile uint64_t *)(uintptr_t)a;
}

static void x86_pf_null_caught(struct ktest_ctx *t)
{
	struct x86_catch c = {.quiet = false};

	if (x86_try(&c, 1u << X86_VEC_PF) == 0) {
		(void)read_at(8);
		x86_try_end(&c);
		KT_ASSERT(!"a read of the NULL page did not fault");
	}
	KT_EXPECT(c.vector == X86_VEC_PF);
	KT_EXPECT(c.cr2 == 8);
	KT_EXPECT((c.error_code & 1) == 0); /* not present (APM vol. 2, 8.4.2) */
}

static void x86_pf_guard_page_caught(struct ktest_ctx *t)
{
	volatile uint8_t *guard = (volatile uint8_t *)(uintptr_t)(x86_stacks[1].lo - PAGE_SIZE);
	struct x86_catch c = {.quiet = true};

	if (x86_try(&c, 1u << X86_VEC_PF) == 0) {
		*guard = 1;
		x86_try_end(&c);
		KT_ASSERT(!"a write to a stack guard page did not fault");
	}
	KT_EXPECT(c.vector == X86_VEC_PF && c.cr2 == (uint64_t)(uintptr_t)guard);
	KT_EXPECT((c.error_code & 2) != 0); /* a write */
	KT_EXPECT(!x86_va_mapped((uint64_t)(uintptr_t)guard));
	KT_EXPECT(x86_va_mapped((uint64_t)(uintptr_t)&c));
}

static void x86_ud_caught(struct ktest_ctx *t)
{
	struct x86_catch c = {.quiet = false};

	if (x86_try(&c, 1u << X86_VEC_UD) == 0) {
		__asm__ volatile("ud2");
		x86_try_end(&c);
		KT_ASSERT(!"ud2 did not raise #UD");
	}
	KT_EXPECT(c.vector == X86_VEC_UD);
	KT_EXPECT(*(const uint16_t *)(uintptr_t)c.fault_rip == 0x0b0f); /* ud2 = 0f 0b */
}

static void x86_gp_caught(struct ktest_ctx *t)
{
	struct x86_catch c = {.quiet = false};

	if (x86_try(&c, 1u << X86_VEC_GP) == 0) {
		(void)read_at(0x8000000000000000ull); /* non-canonical */
		x86_try_end(&c);
		KT_ASSERT(!"a non-canonical access did not raise #GP");
	}
	KT_EXPECT(c.vector == X86_VEC_GP && c.error_code == 0);
}

static void x86_text_not_writable(struct ktest_ctx *t)
{
	struct x86_catch c = {.quiet = true};
	volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)&x86_cmdline_has;

	if (x86_try(&c, 1u << X86_VEC_PF) == 0) {
		*text = *text;
		x86_try_end(&c);
		KT_ASSERT(!"the image's text is writable");
	}
	KT_EXPECT(c.vector == X86_VEC_PF && (c.error_code & 3) == 3); /* present, write */
}

static void x86_entropy(struct ktest_ctx *t)
{
	uint64_t a[4] = {0}, b[4] = {0};
	uint8_t odd[13];

	KT_ASSERT(plat_entropy_get(a, sizeof(a)) == 0);
	KT_ASSERT(plat_entropy_get(b, sizeof(b)) == 0);
	KT_EXPECT(mem_cmp(a, b, sizeof(a)) != 0);
	KT_EXPECT(!mem_is_zero(a, sizeof(a)));
	KT_EXPECT(plat_entropy_get(odd, sizeof(odd)) == 0);
	/* The failure path: an error, and the caller's buffer holds no half result. */
	fault_arm(FAULT_SITE_PLAT, 1, false);
	KT_EXPECT(plat_entropy_get(a, sizeof(a)) == -CSVSM_EIO);
	fault_reset();
}

static void x86_time_monotonic(struct ktest_ctx *t)
{
	uint64_t t0 = plat_time_ns(), t1;

	for (volatile unsigned int i = 0; i < 1000; i++)
		;
	t1 = plat_time_ns();
	KT_EXPECT(t1 > t0);
}

static void x86_cmdline(struct ktest_ctx *t)
{
	struct x86_boot b;
	const char *v;
	size_t len = 0;

	str_lcpy(b.cmdline, " selftest  bench-io=100 selftests x", sizeof(b.cmdline));
	KT_EXPECT(x86_cmdline_has(&b, "selftest"));
	KT_EXPECT(x86_cmdline_has(&b, "x"));
	KT_EXPECT(!x86_cmdline_has(&b, "self"));
	KT_EXPECT(!x86_cmdline_has(&b, "bench-io"));
	v = x86_cmdline_value(&b, "bench-io", &len);
	KT_EXPECT(v && len == 3 && mem_cmp(v, "100", 3) == 0);
	KT_EXPECT(x86_cmdline_value(&b, "bench", &len) == NULL);
}

/* The real heap runs out cleanly: NULL, no corruption, everything back. */
static void x86_heap_exhaustion(struct ktest_ctx *t)
{
	struct mm_stats before, after;
	void *chain = NULL;
	size_t blocks = 0;

	(void)mm_trim(); /* empty cached slabs would be reclaimed mid-test */
	mm_get_stats(&before);
	for (unsigned int order = MM_MAX_ORDER + 1; order-- > 0;) {
		void **p;

		while ((p = page_alloc(order)) != NULL) {
			p[0] = chain;
			p[1] = (void *)(uintptr_t)order;
			chain = p;
			blocks++;
		}
	}
	KT_EXPECT(blocks > 0);
	KT_EXPECT(kmalloc(4096) == NULL); /* a large object needs pages */
	KT_EXPECT(page_alloc(0) == NULL);
	while (chain) {
		void **p = chain;

		chain = p[0];
		page_free(p, (unsigned int)(uintptr_t)p[1]);
	}
	mm_get_stats(&after);
	KT_EXPECT(after.free_pages == before.free_pages);
}

/* True when a write to `va` faults with #PF (quietly). */
static bool write_faults(uint64_t va)
{
	struct x86_catch c = {.quiet = true};

	if (x86_try(&c, 1u << X86_VEC_PF) == 0) {
		*(volatile uint8_t *)(uintptr_t)va = 1;
		x86_try_end(&c);
		return false;
	}
	return c.vector == X86_VEC_PF && c.cr2 == va;
}

/*
 * An AP's bring-up with each of its allocations failed in turn (rule 3;
 * the bring-up's allocations are those of x86_ap_prepare, smp.c): a clean
 * -CSVSM_ENOMEM, no RAM taken, heap unchanged, no area, no AP started;
 * then the retry (the sweep's last run, nothing failed) succeeds, with
 * the guard pages unmapped and the stacks mapped, and a second call
 * reuses the area without allocating. Uses the last vCPU index, which no
 * self-test run starts; its area stays taken (108 KiB of the RAM
 * outside the heap).
 */
static void x86_ap_prepare_fault_sweep(struct ktest_ctx *t)
{
	const unsigned int n = PLAT_MAX_VCPUS - 1;
	const unsigned int started = x86_ap_started();
	uint64_t left = x86_ram_left();
	unsigned int failed_runs = 0;
	struct mm_stats before, after;
	const struct x86_cpu *c;
	int rc = -1;

	KT_ASSERT(x86_ap_cpu(n) == NULL);
	KT_EXPECT(x86_ap_prepare(0) == -CSVSM_EINVAL);
	KT_EXPECT(x86_ap_prepare(PLAT_MAX_VCPUS) == -CSVSM_EINVAL);
	mm_get_stats(&before);
	/* Failing every allocation from the first on: a clean failure. */
	fault_arm(FAULT_SITE_ALLOC, 1, true);
	KT_EXPECT(x86_ap_prepare(n) == -CSVSM_ENOMEM);
	fault_reset();
	KT_EXPECT(x86_ram_left() == left && x86_ap_cpu(n) == NULL);
	for (uint64_t nth = 1; nth <= 16; nth++) {
		uint64_t fired;

		fault_arm(FAULT_SITE_ALLOC, nth, false);
		rc = x86_ap_prepare(n);
		fired = fault_fired_count(FAULT_SITE_ALLOC);
		fault_reset();
		if (fired == 0)
			break;
		failed_runs++;
		KT_EXPECT(rc == -CSVSM_ENOMEM);
		KT_EXPECT(x86_ram_left() == left);
		KT_EXPECT(x86_ap_cpu(n) == NULL);
		KT_EXPECT(x86_ap_started() == started);
		mm_get_stats(&after);
		KT_EXPECT(after.free_pages == before.free_pages);
	}
	/* Every allocation failed once, and the bring-up has exactly one (smp.c). */
	KT_EXPECT(failed_runs == 1);
	/* The run after the failures, in which nothing failed: the retry succeeded. */
	KT_ASSERT(rc == 0);
	c = x86_ap_cpu(n);
	KT_ASSERT(c != NULL);
	KT_EXPECT(c->index == n);
	KT_EXPECT(x86_ram_left() < left);
	KT_EXPECT(x86_ap_started() == started);
	for (unsigned int i = 0; i < ARRAY_SIZE(c->stacks); i++) {
		KT_EXPECT(c->stacks[i].hi > c->stacks[i].lo);
		KT_EXPECT(!x86_va_mapped(c->stacks[i].lo - PAGE_SIZE));
		KT_EXPECT(x86_va_mapped(c->stacks[i].lo));
		KT_EXPECT(x86_va_mapped(c->stacks[i].hi - PAGE_SIZE));
	}
	/* CPL 3's exception stack (x86_enter_user) comes with the area, above its own guard page.
	 */
	KT_EXPECT(c->user_rsp0 != 0);
	KT_EXPECT(x86_va_mapped(c->user_rsp0 - PAGE_SIZE));
	KT_EXPECT(x86_va_mapped(c->user_rsp0 - X86_USER_RSP0));
	KT_EXPECT(!x86_va_mapped(c->user_rsp0 - X86_USER_RSP0 - PAGE_SIZE));
	KT_EXPECT(write_faults(c->stacks[0].lo - PAGE_SIZE));
	/* Prepared already: no allocation, the same area. */
	left = x86_ram_left();
	fault_arm(FAULT_SITE_ALLOC, 1, true);
	KT_EXPECT(x86_ap_prepare(n) == 0);
	KT_EXPECT(fault_op_count(FAULT_SITE_ALLOC) == 0);
	fault_reset();
	KT_EXPECT(x86_ap_cpu(n) == c && x86_ram_left() == left);
	mm_get_stats(&after);
	KT_EXPECT(after.free_pages == before.free_pages);
}

static const struct ktest x86_tests[] = {
    KTEST(x86_pf_null_caught),    KTEST(x86_pf_guard_page_caught),
    KTEST(x86_ud_caught),         KTEST(x86_gp_caught),
    KTEST(x86_text_not_writable), KTEST(x86_entropy),
    KTEST(x86_time_monotonic),    KTEST(x86_cmdline),
    KTEST(x86_heap_exhaustion),   KTEST(x86_ap_prepare_fault_sweep),
};

const struct ktest_suite ktest_suite_x86 = KTEST_SUITE("x86", x86_tests);

int x86_heap_from_memmap(size_t max)
{
	for (size_t size = max; size >= ((size_t)1 << 20); size /= 2) {
		uint64_t pa = x86_ram_take(size, PAGE_SIZE_2M);

		if (!pa)
			pa = x86_ram_take(size, PAGE_SIZE);
		if (pa) {
			x86_heap_set(pa, size);
			return 0;
		}
	}
	log_printf("x86: the memory map has no RAM for a heap\n");
	return -CSVSM_ENOMEM;
}

bool x86_selftest_run(const struct ktest_suite *const *extra, size_t n_extra)
{
	struct ktest_result r = {0, 0};
	uint64_t t0 = plat_time_ns();

	scratch_pa = x86_ram_take(SELFTEST_SCRATCH, PAGE_SIZE_2M);
	if (x86_heap_from_memmap(x86_selftest_heap_max()) < 0 || svsm_boot_memory(NULL) < 0) {
		log_printf("selftest: no heap\n");
		r.failed++;
	} else {
		const struct ktest_suite *const x86[] = {&ktest_suite_x86};

		ktest_run_suites(ktest_core_suites, ktest_core_suite_count, &r);
		ktest_run_suites(x86, 1, &r);
		ktest_run_suites(extra, n_extra, &r);
	}
	log_printf("selftest: finished in %llu us\n",
	           (unsigned long long)((plat_time_ns() - t0) / 1000));
	log_printf("selftest: %u passed, %u failed\n", r.passed, r.failed);
	return r.failed == 0;
}
