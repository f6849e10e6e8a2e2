/* SPDX-License-Identifier: MIT */
/*
 * csvsm-kvm.elf's main. Command line words:
 *   nvtest=SPEC   the NV round trip on the device SPEC names (storage_nvtest,
 *                 csvsm/storage_dev.h): exit 0x10 when it verified and
 *                 stored, else 0x11; plain `nvtest` does it on the
 *                 platform's NV device (plat_nv_device: the one `nvdev=SPEC`
 *                 names, which `csvsm-sim kvm --nv` appends)
 *   selftest      run the self-tests, print "selftest: N passed, M failed",
 *                 exit 0x10 (all passed) or 0x11 through port 0xf4
 *   smptest[=S]   all vCPUs (`csvsm-sim kvm --vcpus N`) hammer the heap,
 *                 the vCPU table and locks for S seconds (default 2), then
 *                 the invariants are checked (smptest_kvm.c): exit 0x10/0x11
 *   bench-io=N    N OUT instructions to COM1's scratch register (one I/O
 *                 exit each under KVM), timed with the TSC (bench/)
 *   snp-machine   the runner has an SNP machine (`csvsm-sim --target kvm`,
 *                 docs/kvm-snp.md): the SVSM boots on it, reports the
 *                 result, and serves the guest (svsm_vcpu_loop) for good;
 *                 with `nvdev=SPEC` its vTPM keeps its state there
 * Otherwise the SVSM boots and the image exits with the result.
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "../x86_64/x86_plat.h"
#include "csvsm/abi/kvm_runner.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/boot.h"
#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/plat/storage.h"
#include "csvsm/storage_dev.h"
#include "csvsm/svsm.h"
#include "kvm_plat.h"

#define KVM_HEAP_MAX ((size_t)16 << 20)
/*
 * On the runner's SNP machine: enough for the core without the vTPM, and
 * small because the heap's set-up touches every byte (poisoning), which a
 * nested KVM may emulate instruction by instruction (docs/kvm-snp.md).
 */
#define KVM_SNP_HEAP_MAX ((size_t)1 << 20)
#define COM1_SCR         (X86_COM1 + 7)

static uint64_t parse_u64(const char *s, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len && i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

static void bench_io(uint64_t n)
{
	uint64_t t0, cycles, khz = x86_tsc_khz();

	t0 = x86_rdtsc();
	for (uint64_t i = 0; i < n; i++)
		x86_outb(COM1_SCR, (uint8_t)i);
	cycles = x86_rdtsc() - t0;
	log_printf("bench-io: %llu exits, %llu cycles each, %llu ns each (TSC %llu kHz)\n",
	           (unsigned long long)n, (unsigned long long)(cycles / n),
	           (unsigned long long)(khz ? cycles * 1000000 / khz / n : 0),
	           (unsigned long long)khz);
}

/* Every guest command the vTPM ran becomes the runner's event (as sim.c's observer). */
static void vtpm_observed(void *ctx, uint32_t cc, size_t cmd_len, uint32_t rc, size_t rsp_len)
{
	(void)ctx;
	kvm_snp_vtpm_event(cc, cmd_len, rc, rsp_len);
}

/*
 * vCPU n >= 1 after its per-CPU set-up (src/plat/x86_64/smp.c): on the
 * runner's SNP machine its request loop; under `smptest` the test's
 * worker; elsewhere nobody starts APs, so it stops the VM cleanly.
 */
static void serve_ap(void *arg)
{
	(void)arg;
	svsm_vcpu_loop();
}

void x86_plat_ap_main(unsigned int n)
{
	if (kvm_snp_active()) {
		/* At CPL 3, as the boot vCPU (serve_snp_machine); at ring 0 if that fails. */
		(void)x86_enter_user(serve_ap, NULL);
		svsm_vcpu_loop();
	}
	if (kvm_smptest_active())
		kvm_smptest_ap(n);
	log_printf("csvsm-kvm: vCPU %u started, but nothing runs on APs here\n", n);
	kvm_exit(KVMRUN_EXIT_FAIL);
}

/* The SVSM's boot and request loop on the boot vCPU, at CPL 3 (x86_enter_user). */
static void serve_user(void *arg)
{
	int rc;

	(void)arg;
	vtpm_set_observer(vtpm_observed, NULL);
	rc = svsm_boot();
	kvm_snp_boot_done(rc); /* the core has said why when it failed */
	if (rc < 0)
		kvm_exit(KVMRUN_EXIT_FAIL);
	svsm_vcpu_loop();
	kvm_exit(KVMRUN_EXIT_HALTED); /* not reached: the loop never returns */
}

/*
 * The SVSM on the runner's SNP machine: boot, report, serve; never returns.
 * `heap-mib=N` (1..KVM_HEAP_MAX in MiB) on the command line sizes the heap
 * (the runner asks for more when the image carries the vTPM).
 */
static CSVSM_NORETURN void serve_snp_machine(const struct x86_boot *boot)
{
	size_t heap = KVM_SNP_HEAP_MAX, len;
	const char *v = x86_cmdline_value(boot, "heap-mib", &len);
	int rc = kvm_snp_start();

	if (rc < 0) {
		log_printf("csvsm-kvm: no SNP machine on this runner (%s)\n", csvsm_strerror(rc));
		kvm_exit(KVMRUN_EXIT_FAIL);
	}
	if (v) {
		uint64_t mib = parse_u64(v, len);

		if (mib == 0 || mib > (KVM_HEAP_MAX >> 20)) {
			log_printf("csvsm-kvm: heap-mib wants 1..%llu, not \"%.*s\"\n",
			           (unsigned long long)(KVM_HEAP_MAX >> 20), (int)len, v);
			kvm_exit(KVMRUN_EXIT_FAIL);
		}
		heap = (size_t)mib << 20;
	}
	if (x86_heap_from_memmap(heap) < 0)
		kvm_exit(KVMRUN_EXIT_FAIL);
	/*
	 * From here on nothing needs ring 0 (no paging or MSR changes), and a
	 * KVM that emulates ring 0 (PVM) runs CPL 3 natively: the vTPM's boot
	 * takes a second instead of minutes there (docs/kvm-snp.md).
	 */
	rc = x86_enter_user(serve_user, NULL);
	log_printf("csvsm-kvm: cannot continue at CPL 3 (%s)\n", csvsm_strerror(rc));
	kvm_exit(KVMRUN_EXIT_FAIL);
}

void x86_plat_main(struct x86_boot *boot)
{
	const char *v;
	size_t len;
	int rc;

	v = x86_cmdline_value(boot, "nvdev", &len);
	if (v)
		kvm_nv_set_spec(v, len); /* the NV device's boot information (plat_nv_device) */
	/* Quiet there: the harness's output is the same on both targets. */
	if (x86_cmdline_has(boot, "snp-machine"))
		serve_snp_machine(boot);
	log_printf("csvsm-kvm: booted (%s, cmdline \"%s\", TSC %llu kHz)\n",
	           kvm_on_runner() ? "csvsm KVM runner" : "no runner: COM1", boot->cmdline,
	           (unsigned long long)x86_tsc_khz());
	v = x86_cmdline_value(boot, "bench-io", &len);
	if (v) {
		uint64_t n = parse_u64(v, len);

		if (n == 0) {
			log_printf("bench-io: expected a count, got \"%.*s\"\n", (int)len, v);
			kvm_exit(KVMRUN_EXIT_FAIL);
		}
		bench_io(n);
		kvm_exit(KVMRUN_EXIT_PASS);
	}
	v = x86_cmdline_value(boot, "nvtest", &len);
	if (v || x86_cmdline_has(boot, "nvtest")) {
		/* The NV round trip (tests/qemu_nv.sh, tests/kvm_nv.sh). */
		struct blkdev *dev;

		if (x86_heap_from_memmap(KVM_HEAP_MAX) < 0 || svsm_boot_memory(NULL) < 0)
			kvm_exit(KVMRUN_EXIT_FAIL);
		if (v)
			kvm_exit(storage_nvtest(v, len) > 0 ? KVMRUN_EXIT_PASS : KVMRUN_EXIT_FAIL);
		dev = plat_nv_device();
		kvm_exit(dev && storage_nvtest_dev(dev) > 0 ? KVMRUN_EXIT_PASS : KVMRUN_EXIT_FAIL);
	}
	v = x86_cmdline_value(boot, "smptest", &len);
	if (v || x86_cmdline_has(boot, "smptest")) {
		uint64_t secs = v ? parse_u64(v, len) : 2;

		if (secs == 0) {
			log_printf("smptest: expected seconds, got \"%.*s\"\n", (int)len, v);
			kvm_exit(KVMRUN_EXIT_FAIL);
		}
		kvm_exit(kvm_smptest_run(secs) ? KVMRUN_EXIT_PASS : KVMRUN_EXIT_FAIL);
	}
	if (x86_cmdline_has(boot, "selftest"))
		kvm_exit(x86_selftest_run(NULL, 0) ? KVMRUN_EXIT_PASS : KVMRUN_EXIT_FAIL);

	if (x86_heap_from_memmap(KVM_HEAP_MAX) < 0)
		kvm_exit(KVMRUN_EXIT_FAIL);
	rc = svsm_boot();
	log_printf("csvsm-kvm: SVSM boot: %s (no SNP machine: `csvsm-sim --target kvm` has "
	           "one)\n",
	           csvsm_strerror(rc));
	kvm_exit(rc == 0 ? KVMRUN_EXIT_PASS : KVMRUN_EXIT_FAIL);
}
