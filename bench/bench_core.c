/* SPDX-License-Identifier: MIT */
/*
 * bench-core: SVSM call costs through the whole shim path (guest registers,
 * call_pending, VMGEXIT, VMPL switch, core request loop, handler, switch
 * back) beside the cost of calling the same handlers directly.
 *
 *   bench-core                  rates for QUERY_PROTOCOL and PVALIDATE(510)
 *   bench-core --roundtrips N   only N QUERY_PROTOCOL round trips inside
 *                               bench_roundtrip_loop (for callgrind)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/sim.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"

#define PVAL_ENTRIES 510

/* The boot vCPU's record, the caller of the direct dispatches (a reference held). */
static struct vcpu *caller0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-core: %s\n", what);
	exit(1);
}

/* The measured loop of full round trips (callgrind toggles on this name). */
__attribute__((noinline)) void bench_roundtrip_loop(struct csvsm_sim *sim, unsigned long n);
__attribute__((noinline)) void bench_roundtrip_loop(struct csvsm_sim *sim, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		struct csvsm_regs r = {
		    .rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL),
		    .rcx = 1,
		};

		if (csvsm_sim_call(sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS)
			die("QUERY_PROTOCOL failed");
	}
}

static double direct_query_rate(unsigned long n)
{
	struct svsm_call c;
	double t = now_s();

	for (unsigned long i = 0; i < n; i++) {
		c.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL);
		c.rcx = 1;
		c.caller = caller0;
		svsm_dispatch(&c);
		if (c.rax != SVSM_SUCCESS)
			die("direct QUERY_PROTOCOL failed");
		__asm__ volatile("" ::: "memory");
	}
	return (double)n / (now_s() - t);
}

/* Writes a 510-entry list at CA + 8 for the free RAM pages, validate or rescind. */
static uint64_t write_list(struct csvsm_sim *sim, const struct csvsm_sim_layout *l, bool validate)
{
	static uint64_t buf[1 + PVAL_ENTRIES];
	uint64_t list = l->boot_caa_gpa + 8;

	buf[0] = PVAL_ENTRIES; /* entries = 510, next = 0 */
	for (int i = 0; i < PVAL_ENTRIES; i++)
		buf[1 + i] =
		    (l->free_ram_base + (uint64_t)i * 4096) | (validate ? SVSM_PVAL_VALIDATE : 0);
	if (csvsm_sim_guest_write(sim, list, buf, sizeof(buf)) != 0)
		die("cannot write the PVALIDATE list");
	return list;
}

static double pvalidate_rate(struct csvsm_sim *sim, const struct csvsm_sim_layout *l, int rounds,
                             bool direct)
{
	double t = 0;

	for (int i = 0; i < rounds; i++) {
		for (int validate = 1; validate >= 0; validate--) {
			uint64_t list = write_list(sim, l, validate);
			double t0 = now_s();
			uint64_t rax;

			if (direct) {
				struct svsm_call c = {
				    .rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE),
				    .rcx = list,
				    .caller = caller0,
				};

				svsm_dispatch(&c);
				rax = c.rax;
			} else {
				struct csvsm_regs r = {
				    .rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE),
				    .rcx = list,
				};

				if (csvsm_sim_call(sim, 0, &r) != 0)
					die("PVALIDATE call failed");
				rax = r.rax;
			}
			t += now_s() - t0;
			if (rax != SVSM_SUCCESS)
				die("PVALIDATE failed");
		}
	}
	return (double)rounds * 2 * PVAL_ENTRIES / t;
}

int main(int argc, char **argv)
{
	struct csvsm_sim *sim = csvsm_sim_new(NULL);
	struct csvsm_sim_layout l;
	unsigned long n = 2000000;
	double t, full, direct, pfull, pdirect;

	if (!sim)
		die("cannot create the simulator");
	caller0 = vcpu_get(0);
	csvsm_sim_layout(sim, &l);
	if (argc == 3 && !strcmp(argv[1], "--roundtrips")) {
		bench_roundtrip_loop(sim, strtoul(argv[2], NULL, 0));
		csvsm_sim_free(sim);
		return 0;
	}
	if (argc != 1)
		die("usage: bench-core [--roundtrips N]");

	bench_roundtrip_loop(sim, 10000); /* warm-up */
	t = now_s();
	bench_roundtrip_loop(sim, n);
	full = (double)n / (now_s() - t);
	direct = direct_query_rate(n);
	printf("QUERY_PROTOCOL round trips: %.0f/s through the shim, %.0f/s calling the handler "
	       "directly (shim/direct = %.3f)\n",
	       full, direct, full / direct);

	pfull = pvalidate_rate(sim, &l, 200, false);
	pdirect = pvalidate_rate(sim, &l, 200, true);
	printf("PVALIDATE 510-entry lists (validate+rescind): %.0f pages/s through the shim, %.0f "
	       "pages/s directly (shim/direct = %.3f)\n",
	       pfull, pdirect, pfull / pdirect);
	csvsm_sim_free(sim);
	return 0;
}
