/* SPDX-License-Identifier: MIT */
/*
 * bench-kvm: SVSM round trips with the guest's side on KVM (--target
 * kvm-guest) beside the shim, the exits to user space per round trip, and
 * the cost of one bare I/O exit measured in the same run (an empty batch of
 * the guest program: KVM_RUN, one OUT, back; at CPL 3 like every exit of a
 * round trip, since the program and the image both serve at CPL 3).
 * docs/kvm-snp.md discusses the figures. Exit 77 without /dev/kvm.
 *
 * With the SVSM image too (--target kvm, the image at VMPL0 in its own VM):
 * QUERY_PROTOCOL round trips guest program -> image -> guest program, and
 * the exits of each side per round trip.
 *
 *   bench-kvm [GUEST_ELF] [N] [IMAGE]   default guest/csvsm-guest.elf,
 *                                       N = 20000, src/csvsm-kvm.elf
 *                                       (N / 10 round trips with the image)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/sim.h"
#include "kvm/guest_vm.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-kvm: %s\n", what);
	exit(1);
}

/* Seconds per empty batch of the guest program (one I/O exit each). */
static double bare_exit(const char *elf, unsigned long n)
{
	const size_t size = 4u << 20;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_vm g;
	char err[256];
	double t;

	if (mem == MAP_FAILED || guest_vm_open(&g, mem, size, 1, elf, err, sizeof(err)) < 0)
		die(err);
	g.cpu[0].mb->count = 0;
	t = now_s();
	for (unsigned long i = 0; i < n; i++)
		if (guest_vm_run(&g, 0, NULL, NULL) != 0)
			die("empty batch failed");
	t = now_s() - t;
	guest_vm_close(&g);
	munmap(mem, size);
	return t / (double)n;
}

static int stand_in(void *ctx, struct guest_vm *g, unsigned int vcpu, struct kvm_regs *r)
{
	(void)ctx;
	(void)g;
	(void)vcpu;
	r->rax = SVSM_SUCCESS;
	r->rbx = 0x017;
	return 0;
}

/* Seconds per SVSM call of the guest program answered at once at its VMGEXIT. */
static double call_stand_in(const char *elf, unsigned long n)
{
	const size_t size = 4u << 20;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_vm g;
	char err[256];
	double t;

	if (mem == MAP_FAILED || guest_vm_open(&g, mem, size, 1, elf, err, sizeof(err)) < 0)
		die(err);
	t = now_s();
	for (unsigned long i = 0; i < n; i++) {
		g.cpu[0].mb->count = 1;
		g.cpu[0].mb->act[0] = (struct kvmg_action){.op = KVMG_OP_CALL, .gpa = 0x200000};
		if (guest_vm_run(&g, 0, stand_in, NULL) != 0)
			die("stand-in call failed");
	}
	t = now_s() - t;
	guest_vm_close(&g);
	munmap(mem, size);
	return t / (double)n;
}

/*
 * Seconds per guest instruction: a batch spinning `iters` x 2 instructions
 * minus an empty one. 1,000 iterations first; when the spin is lost in the
 * exit's noise (the program runs natively, at CPL 3 under PVM), a million.
 */
static double guest_insn(const char *elf, unsigned long n, double bare)
{
	const size_t size = 4u << 20;
	uint32_t iters = 1000;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_vm g;
	char err[256];
	double t;

	if (mem == MAP_FAILED || guest_vm_open(&g, mem, size, 1, elf, err, sizeof(err)) < 0)
		die(err);
	n = n / 100 ? n / 100 : 1;
	for (;;) {
		t = now_s();
		for (unsigned long i = 0; i < n; i++) {
			g.cpu[0].mb->count = 1;
			g.cpu[0].mb->act[0] =
			    (struct kvmg_action){.op = KVMG_OP_SPIN, .len = iters};
			if (guest_vm_run(&g, 0, NULL, NULL) != 0)
				die("spin failed");
		}
		t = now_s() - t;
		if (iters > 1000 || t / (double)n - bare > 10 * bare)
			break;
		iters = 1000000;
		n = 20;
	}
	guest_vm_close(&g);
	munmap(mem, size);
	return (t / (double)n - bare) / (2.0 * iters);
}

/*
 * Seconds per QUERY_PROTOCOL round trip; *exits = KVM exits per round trip
 * of the guest program, *img_exits those of the SVSM image (`image` NULL:
 * the SVSM in-process).
 */
static double round_trips(const char *elf, const char *image, unsigned long n, double *exits,
                          double *img_exits)
{
	struct csvsm_sim_config cfg;
	struct csvsm_sim_stats before, after;
	struct csvsm_sim *sim;
	double t;

	csvsm_sim_config_default(&cfg);
	cfg.kvm_guest = elf;
	cfg.kvm_image = image;
	sim = csvsm_sim_new(&cfg);
	if (!sim)
		die("cannot create the simulator");
	csvsm_sim_stats(sim, &before);
	t = now_s();
	for (unsigned long i = 0; i < n; i++) {
		struct csvsm_regs r = {
		    .rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL),
		    .rcx = 1,
		};

		if (csvsm_sim_call(sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS || !r.serviced)
			die("QUERY_PROTOCOL failed");
	}
	t = now_s() - t;
	csvsm_sim_stats(sim, &after);
	*img_exits = (double)(after.kvm_image_exits - before.kvm_image_exits) / (double)n;
	*exits = (double)(after.kvm_exits - before.kvm_exits) / (double)n - *img_exits;
	csvsm_sim_free(sim);
	return t / (double)n;
}

int main(int argc, char **argv)
{
	const char *elf = argc > 1 ? argv[1] : "guest/csvsm-guest.elf";
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000;
	const char *image = argc > 3 ? argv[3] : "src/csvsm-kvm.elf";
	double bare, stand, kvm, shim, exits, dummy, insn, img, img_gexits, img_iexits, bare2;

	if (!guest_vm_kvm_available()) {
		printf("bench-kvm: SKIP: /dev/kvm is not available\n");
		return 77;
	}
	if (n == 0)
		die("N must be positive");
	bare = bare_exit(elf, n);
	stand = call_stand_in(elf, n);
	insn = guest_insn(elf, n, bare);
	kvm = round_trips(elf, NULL, n, &exits, &dummy);
	shim = round_trips(NULL, NULL, n, &dummy, &dummy);
	img = round_trips(elf, image, n / 10 ? n / 10 : 1, &img_gexits, &img_iexits);
	bare2 = bare_exit(elf, n); /* again: the load may have changed meanwhile */
	printf("bare I/O exit (KVM_RUN + OUT + back):   %8.2f us  (%9.0f /s)\n", bare * 1e6,
	       1 / bare);
	printf("one guest instruction (a dec/jnz loop): %8.4f us\n", insn * 1e6);
	printf("a call answered at the VMGEXIT:         %8.2f us  (%9.0f /s), 2 exits each\n",
	       stand * 1e6, 1 / stand);
	printf("QUERY_PROTOCOL, guest on KVM:           %8.2f us  (%9.0f /s), %.2f exits each\n",
	       kvm * 1e6, 1 / kvm, exits);
	printf("QUERY_PROTOCOL, shim (all in-process):  %8.3f us  (%9.0f /s)\n", shim * 1e6,
	       1 / shim);
	printf("a round trip on KVM costs %.2f bare I/O exits (goal: <= 3)\n", kvm / bare);
	printf("QUERY_PROTOCOL, guest and SVSM image on KVM: %8.2f us  (%9.0f /s), %.2f exits "
	       "each (guest program %.2f, image %.2f)\n",
	       img * 1e6, 1 / img, img_gexits + img_iexits, img_gexits, img_iexits);
	printf("bare I/O exit, measured again after:    %8.2f us\n", bare2 * 1e6);
	printf("a round trip with the image costs %.2f bare I/O exits in time (goal: <= 3; "
	       "exits: %.2f, of which 1 is the guest program's \"done\", which a real guest "
	       "does not make)\n",
	       img / ((bare + bare2) / 2), img_gexits + img_iexits);
	return 0;
}
