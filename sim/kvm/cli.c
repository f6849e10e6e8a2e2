/* SPDX-License-Identifier: MIT */
/* `csvsm-sim kvm [--selftest] [--mem MiB] [--vcpus N] [...] IMAGE` */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/kvm_runner.h"
#include "kvm_runner.h"

#define IMAGE_MAX ((size_t)64 << 20)

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: csvsm-sim kvm [options] IMAGE\n"
	        "Runs a bare-metal csvsm image (src/csvsm-kvm.elf) in a KVM virtual machine,\n"
	        "booted as PVH does, with only the ioctls of /dev/kvm.\n"
	        "  --selftest       append \"selftest\" to the image's command line\n"
	        "  --cmdline STR    the image's command line (default empty)\n"
	        "  --mem MiB        guest memory, 16..65536 (default 128)\n"
	        "  --vcpus N        vCPUs to create, 1..%d (default 1); each runs on its own\n"
	        "                   host thread, the APs when the image starts them\n"
	        "  --timeout SEC    stop a guest that runs longer (default 60)\n"
	        "  --stats          print exit counts and the run time on stderr\n"
	        "  --nv KIND:FILE   an NV device backed by FILE (created, 1 MiB, when\n"
	        "                   missing): pflash (CFI flash) or virtio (virtio-mmio\n"
	        "                   block); \"nvdev=SPEC\" on the command line says where\n"
	        "Exit status: 0 the image passed (wrote 0x10 to port 0xf4), 1 it reported a\n"
	        "failure, 2 bad image or arguments, 3 the VM stopped abnormally (unhandled exit,\n"
	        "timeout), 77 no usable /dev/kvm. Details: docs/kvm-runner.md.\n",
	        KVM_MAX_VCPUS);
}

static int parse_num(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr,
		        "csvsm-sim kvm: %s wants a number in %" PRIu64 "..%" PRIu64
		        ", not \"%s\"\n",
		        opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static uint8_t *read_image(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "csvsm-sim kvm: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(IMAGE_MAX + 1);
	n = buf ? fread(buf, 1, IMAGE_MAX + 1, f) : 0;
	if (!buf || ferror(f) || n > IMAGE_MAX) {
		fprintf(stderr, "csvsm-sim kvm: %s: %s\n", path,
		        !buf            ? "out of memory"
		        : n > IMAGE_MAX ? "larger than 64 MiB"
		                        : strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static const char *exit_meaning(uint32_t code)
{
	switch (code) {
	case KVMRUN_EXIT_FAIL:
		return "failure reported (self-tests failed or the boot failed)";
	case KVMRUN_EXIT_HALTED:
		return "halted after a fatal error";
	default:
		return "an exit code csvsm does not use";
	}
}

int kvm_runner_main(int argc, char **argv)
{
	struct kvm_options o = {.mem_mib = 128, .vcpus = 1, .cmdline = "", .timeout_s = 60};
	const char *image = NULL, *nv = NULL;
	char nvspec[128];
	char cmdline[KVM_CMDLINE_MAX], err[256], why[256];
	struct kvm_machine m;
	struct kvm_image img;
	bool selftest = false;
	uint8_t *buf;
	size_t len;
	uint64_t v;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--selftest")) {
			selftest = true;
		} else if (!strcmp(a, "--stats")) {
			o.stats = true;
		} else if (has_value && !strcmp(a, "--mem")) {
			if (parse_num(a, argv[++i], 16, 65536, &o.mem_mib) < 0)
				return KVM_STATUS_BADIMAGE;
		} else if (has_value && !strcmp(a, "--vcpus")) {
			if (parse_num(a, argv[++i], 1, KVM_MAX_VCPUS, &v) < 0)
				return KVM_STATUS_BADIMAGE;
			o.vcpus = (unsigned int)v;
		} else if (has_value && !strcmp(a, "--timeout")) {
			if (parse_num(a, argv[++i], 1, 3600, &v) < 0)
				return KVM_STATUS_BADIMAGE;
			o.timeout_s = (unsigned int)v;
		} else if (has_value && !strcmp(a, "--cmdline")) {
			o.cmdline = argv[++i];
		} else if (has_value && !strcmp(a, "--nv")) {
			nv = argv[++i];
		} else if (a[0] == '-' || image) {
			fprintf(stderr, "csvsm-sim kvm: unexpected argument \"%s\"\n", a);
			usage(stderr);
			return KVM_STATUS_BADIMAGE;
		} else {
			image = a;
		}
	}
	if (!image) {
		usage(stderr);
		return KVM_STATUS_BADIMAGE;
	}
	if ((size_t)snprintf(cmdline, sizeof(cmdline), "%s%s%s", o.cmdline,
	                     selftest && *o.cmdline ? " " : "",
	                     selftest ? "selftest" : "") >= sizeof(cmdline)) {
		fprintf(stderr, "csvsm-sim kvm: the command line is longer than %d bytes\n",
		        KVM_CMDLINE_MAX - 1);
		return KVM_STATUS_BADIMAGE;
	}

	/* The image first: a bad one is refused whether or not KVM is there. */
	buf = read_image(image, &len);
	if (!buf)
		return KVM_STATUS_BADIMAGE;
	if (kvm_image_parse(buf, len, o.mem_mib << 20, &img, err, sizeof(err)) < 0) {
		fprintf(stderr, "csvsm-sim kvm: %s: bad image: %s\n", image, err);
		free(buf);
		return KVM_STATUS_BADIMAGE;
	}

	rc = kvm_machine_create(&m, &o, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "csvsm-sim kvm: %s: %s; nothing ran\n",
		        rc == KVM_STATUS_NOKVM ? "no usable KVM" : "cannot build the VM", why);
		kvm_machine_destroy(&m);
		free(buf);
		return rc;
	}
	if (nv) {
		size_t n = strlen(cmdline);

		if (kvm_nvdev_attach(&m, nv, nvspec, sizeof(nvspec)) < 0 ||
		    n + 1 + strlen(nvspec) >= sizeof(cmdline)) {
			kvm_machine_destroy(&m);
			free(buf);
			return KVM_STATUS_BADIMAGE;
		}
		snprintf(cmdline + n, sizeof(cmdline) - n, "%s%s", n ? " " : "", nvspec);
	}
	kvm_image_load(&img, buf, m.mem);
	m.ap_entry = kvm_image_symbol(buf, len, KVMRUN_AP_ENTRY_SYMBOL);
	free(buf);
	if (kvm_machine_boot_vcpu(&m, img.entry, kvm_pvh_setup(m.mem, m.mem_size, cmdline)) < 0) {
		fprintf(stderr, "csvsm-sim kvm: cannot set up the boot vCPU: %s\n",
		        strerror(errno));
		kvm_machine_destroy(&m);
		return KVM_STATUS_VMERROR;
	}
	rc = kvm_machine_run(&m, o.timeout_s);
	if (rc == KVM_STATUS_FAIL)
		fprintf(stderr, "csvsm-sim kvm: the image exited with code %#x: %s\n", m.exit_code,
		        exit_meaning(m.exit_code));
	if (o.stats)
		fprintf(stderr,
		        "kvm: %" PRIu64 " exits (%" PRIu64 " I/O: %" PRIu64
		        " console lines, %" PRIu64
		        " COM1 bytes), %.3f ms from the first KVM_RUN to the exit, TSC %" PRIu64
		        " kHz\n",
		        m.exits.total, m.exits.io, m.exits.console_lines, m.exits.com1_bytes,
		        (double)(m.end_ns - m.start_ns) / 1e6, m.tsc_khz);
	if (o.stats && nv)
		fprintf(stderr,
		        "kvm: NV device: %" PRIu64 " MMIO exits, %" PRIu64 " ROM slot changes\n",
		        m.exits.mmio, m.exits.rom_toggles);
	kvm_machine_destroy(&m);
	return rc;
}
