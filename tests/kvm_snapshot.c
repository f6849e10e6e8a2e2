/* SPDX-License-Identifier: MIT */
/*
 * Snapshots (csvsm/sim_snapshot.h) are refused on KVM targets, clearly and
 * without harm: with the guest program on KVM (cfg.kvm_guest) and with the
 * SVSM image too (cfg.kvm_image, as `--target kvm`), csvsm_sim_snapshot_take
 * returns -1 and says why on stderr (naming docs/kvm-snp.md), no snapshot
 * exists afterwards (stats all zero, a restore fails), and the machine
 * still serves a call. The same take succeeds on the shim (the control).
 * Exit 77 (SKIP) without /dev/kvm; needs top_builddir (the image and the
 * guest program).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/sim.h"
#include "csvsm/sim_snapshot.h"
#include "kvm_test_util.h"

static int failures;

static void expect(bool ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "kvm_snapshot.c:%d: not true: %s\n", line, what);
		failures++;
	}
}
#define EXPECT(cond) expect((cond), #cond, __LINE__)

/* csvsm_sim_snapshot_take with stderr captured into msg; returns its result. */
static int take_capturing(struct csvsm_sim *sim, char *msg, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), rc;
	size_t n = 0;

	if (!tmp || saved < 0) {
		fprintf(stderr, "kvm_snapshot: cannot capture stderr\n");
		exit(99);
	}
	fflush(stderr);
	dup2(fileno(tmp), 2);
	rc = csvsm_sim_snapshot_take(sim);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(msg, 1, len - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	return rc;
}

static bool query_protocol_served(struct csvsm_sim *sim)
{
	struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL),
	                       .rcx = 1};

	return csvsm_sim_call(sim, 0, &r) == 0 && r.serviced && r.rax == SVSM_SUCCESS;
}

/* One machine: take is refused (KVM) or succeeds (shim). */
static void case_run(const char *what, const char *guest, const char *image)
{
	struct csvsm_sim_snapshot_stats st;
	struct csvsm_sim_config cfg;
	struct csvsm_sim *sim;
	char msg[512];
	int rc;

	csvsm_sim_config_default(&cfg);
	cfg.kvm_guest = guest;
	cfg.kvm_image = image;
	sim = csvsm_sim_new(&cfg);
	if (!sim) {
		fprintf(stderr, "kvm_snapshot: %s: cannot build the machine\n", what);
		exit(99);
	}
	rc = take_capturing(sim, msg, sizeof(msg));
	csvsm_sim_snapshot_stats(sim, &st);
	if (guest || image) {
		EXPECT(rc == -1);
		EXPECT(strstr(msg, "snapshots are not supported") != NULL);
		EXPECT(strstr(msg, image ? "the SVSM image on KVM" : "the guest program on KVM") !=
		       NULL);
		EXPECT(strstr(msg, "docs/kvm-snp.md") != NULL);
		EXPECT(st.restores == 0 && st.reboots == 0 && st.pages_copied == 0 &&
		       st.dirty_pages == 0);
		EXPECT(csvsm_sim_snapshot_restore(sim, 0) == -1);
	} else {
		EXPECT(rc == 0 && msg[0] == '\0');
	}
	EXPECT(query_protocol_served(sim));
	printf("kvm_snapshot: %s: take %s%s%s", what, rc == 0 ? "succeeded" : "refused",
	       msg[0] ? ": " : "\n", msg);
	csvsm_sim_free(sim);
}

int main(void)
{
	char image[512], guest[512];

	kvm_test_require("snapshots on KVM are not tested");
	kvm_test_built(image, sizeof(image), "src/csvsm-kvm.elf");
	kvm_test_built(guest, sizeof(guest), "guest/csvsm-guest.elf");
	case_run("shim", NULL, NULL);
	case_run("guest program on KVM", guest, NULL);
	case_run("--target kvm", guest, image);
	printf("kvm_snapshot: %d checks failed\n", failures);
	return failures ? 1 : 0;
}
