/* SPDX-License-Identifier: MIT */
/*
 * `csvsm-sim attest --nonce HEX --out DIR [--seed N] [--single]`: boots the
 * simulated machine (with an in-memory vTPM), makes one attestation call as
 * a guest would, and writes what the guest received as files a verifier
 * takes to the openssl CLI: report.bin (the 0x4a0-byte report), manifest.bin,
 * certs.bin (the certificate table) and ark.pem, ask.pem, vcek.pem (the
 * certificates from that table, PEM).
 */
#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_attest.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/blkdev.h"
#include "csvsm/sim_attest.h"
#include "csvsm/sim_nv.h"
#include "scenario.h"

#define NV_SIZE (1u << 20)

static void attest_usage(FILE *out)
{
	fprintf(out,
	        "usage: csvsm-sim attest --nonce HEX --out DIR [--seed N] [--single] [--no-vtpm]\n"
	        "\n"
	        "Boots the simulated machine (vTPM on an in-memory NV store) and makes an\n"
	        "SVSM_ATTEST_SERVICES call (--single: SVSM_ATTEST_SINGLE_SERVICE for the\n"
	        "vTPM) as a guest would, with the nonce HEX (1..4096 bytes). Writes into DIR\n"
	        "(created if missing): report.bin (the attestation report as the guest\n"
	        "received it), manifest.bin, certs.bin (the certificate table) and the\n"
	        "chain ark.pem, ask.pem, vcek.pem. REPORT_DATA is SHA-512(nonce ||\n"
	        "manifest); the report is signed by vcek.pem (ECDSA P-384, r and s\n"
	        "little-endian at 0x2a0 and 0x2e8). Exit status 0 on success.\n"
	        "\n"
	        "libtpms draws its seeds from OpenSSL, so the vTPM's EK (and with it the\n"
	        "manifest and REPORT_DATA) differs from run to run; with --no-vtpm the\n"
	        "machine has no vTPM, the manifest lists no service and every file is the\n"
	        "same for the same seed and nonce.\n");
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "csvsm-sim attest: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "csvsm-sim attest: writing %s failed\n", path);
	return ok ? 0 : -1;
}

/* Writes the certificate with `guid` from the table as DIR/name, PEM. */
static int write_cert(const char *dir, const char *name, const uint8_t *table, size_t len,
                      const uint8_t guid[16])
{
	char path[4096];
	for (size_t off = 0; off + sizeof(struct snp_cert_entry) <= len;
	     off += sizeof(struct snp_cert_entry)) {
		struct snp_cert_entry e;
		const unsigned char *p;
		X509 *x;
		FILE *f;
		int ok;

		memcpy(&e, table + off, sizeof(e));
		if (e.offset == 0 && e.length == 0)
			break;
		if (memcmp(e.guid, guid, 16) != 0)
			continue;
		if (e.offset > len || e.length > len - e.offset)
			break;
		p = table + e.offset;
		x = d2i_X509(NULL, &p, e.length);
		if (!x)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		f = fopen(path, "w");
		ok = f && PEM_write_X509(f, x) == 1;
		ok = (f && fclose(f) == 0) && ok;
		X509_free(x);
		if (!ok)
			fprintf(stderr, "csvsm-sim attest: writing %s failed\n", path);
		return ok ? 0 : -1;
	}
	fprintf(stderr, "csvsm-sim attest: no usable %s in the certificate table\n", name);
	return -1;
}

int sim_attest_main(int argc, char **argv)
{
	static const uint8_t g_ark[16] = SNP_GUID_ARK, g_ask[16] = SNP_GUID_ASK,
	                     g_vcek[16] = SNP_GUID_VCEK;
	static const uint8_t g_vtpm[16] = {0xeb, 0xf1, 0x76, 0xc4, 0x23, 0x01, 0xa5, 0x45,
	                                   0x96, 0x41, 0xb4, 0xe7, 0xdd, 0xe5, 0xbf, 0xe3};
	static uint8_t nonce[CSVSM_SIM_ATTEST_NONCE_MAX];
	static struct csvsm_sim_attest_result res;
	struct csvsm_sim_attest_req req;
	struct csvsm_sim_config cfg;
	const char *out = NULL, *hex = NULL;
	struct csvsm_sim *sim;
	struct blkdev dev;
	int status = 1, n;
	bool vtpm = true;

	memset(&req, 0, sizeof(req));
	csvsm_sim_config_default(&cfg);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			attest_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--nonce") && i + 1 < argc) {
			hex = argv[++i];
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			char *end;

			errno = 0;
			cfg.seed = strtoull(argv[++i], &end, 0);
			if (errno || *end || !*argv[i]) {
				fprintf(stderr, "csvsm-sim attest: bad --seed %s\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--no-vtpm")) {
			vtpm = false;
		} else if (!strcmp(argv[i], "--single")) {
			req.single = true;
			memcpy(req.service_guid, g_vtpm, 16);
		} else {
			fprintf(stderr, "csvsm-sim attest: unknown or incomplete option %s\n",
			        argv[i]);
			attest_usage(stderr);
			return 2;
		}
	}
	if (!hex || !out) {
		attest_usage(stderr);
		return 2;
	}
	n = scn_hex_decode(hex, nonce, sizeof(nonce));
	if (n <= 0) {
		fprintf(stderr, "csvsm-sim attest: --nonce needs 1..4096 bytes of hex digits\n");
		return 2;
	}
	req.nonce_len = (size_t)n;
	req.nonce = nonce;
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "csvsm-sim attest: %s: %s\n", out, strerror(errno));
		return 1;
	}
	memset(&dev, 0, sizeof(dev));
	if (vtpm && sim_nv_ram_open(&dev, NV_SIZE) < 0) {
		fprintf(stderr, "csvsm-sim attest: no memory for the NV store\n");
		return 1;
	}
	sim_nv_use(vtpm ? &dev : NULL);
	sim = csvsm_sim_new(&cfg);
	if (!sim)
		goto done;
	if (csvsm_sim_attest(sim, 0, &req, &res) < 0) {
		fprintf(stderr, "csvsm-sim attest: the guest could not make the call\n");
		goto done;
	}
	if (res.regs.rax != SVSM_SUCCESS) {
		fprintf(stderr, "csvsm-sim attest: the SVSM answered %#llx\n",
		        (unsigned long long)res.regs.rax);
		goto done;
	}
	if (write_file(out, "report.bin", res.report, res.report_len) < 0 ||
	    write_file(out, "manifest.bin", res.manifest, res.manifest_len) < 0 ||
	    write_file(out, "certs.bin", res.certs, res.certs_len) < 0 ||
	    write_cert(out, "ark.pem", res.certs, res.certs_len, g_ark) < 0 ||
	    write_cert(out, "ask.pem", res.certs, res.certs_len, g_ask) < 0 ||
	    write_cert(out, "vcek.pem", res.certs, res.certs_len, g_vcek) < 0)
		goto done;
	printf("attest: report %zu bytes, manifest %zu bytes, certificates %zu bytes -> %s\n",
	       res.report_len, res.manifest_len, res.certs_len, out);
	status = 0;
done:
	csvsm_sim_free(sim);
	sim_nv_use(NULL);
	if (vtpm)
		sim_nv_ram_close(&dev);
	return status;
}
