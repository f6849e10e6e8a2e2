/* SPDX-License-Identifier: MIT */
/*
 * The vTPM engine end to end: manufacture on an empty RAM NV store (EK
 * included), then TPM2_GetRandom, TPM2_PCR_Extend and TPM2_PCR_Read. In
 * csvsm-kvm-vtpm.elf this runs libtpms and OpenSSL built bare metal (issue
 * 12); in tests/check_selftest it runs the simulator's libtpms. Images
 * built with vtpm_absent.c have no TPM: the test says so on the console
 * and checks only that vtpm_init refuses with ENOTSUP.
 *
 * OpenSSL keeps global state (providers, DRBGs) for the life of the SVSM,
 * allocated on the csvsm heap: the test is KTEST_OWN_HEAP and runs last.
 * Expected values come from the TPM 2.0 spec (Part 3: 16.3 GetRandom,
 * 22.2 PCR_Extend, 22.4 PCR_Read) and an independent SHA-256:
 * PCR16 after one extend of 32 zero bytes = SHA-256(64 zero bytes).
 */
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/nvstore.h"
#include "ktest.h"

#define VTPM_NV_SIZE (256u << 10)

/* `printf '%064d' 0 | xxd -r -p | sha256sum` */
static const uint8_t pcr16_after_zero_extend[32] = {
    0xf5, 0xa5, 0xfd, 0x42, 0xd1, 0x6a, 0x20, 0x30, 0x27, 0x98, 0xef, 0x6e, 0xd3, 0x09, 0x97, 0x9b,
    0x43, 0x00, 0x3d, 0x23, 0x20, 0xd9, 0xf0, 0xe8, 0xea, 0x98, 0x31, 0xa9, 0x27, 0x59, 0xfb, 0x4b,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_vtpm_commands(struct ktest_ctx *t)
{
	static const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16};
	/* PCR_Extend(16, TPM_RS_PW empty auth, one SHA-256 digest of zeros): 65 bytes */
	uint8_t extend[65] = {0x80, 0x02, 0,  0, 0, 65, 0, 0,    0x01, 0x82, 0,
	                      0,    0,    16, 0, 0, 0,  9, 0x40, 0,    0,    0x09,
	                      0,    0,    0,  0, 0, 0,  0, 0,    1,    0x00, 0x0b};
	static const uint8_t pcr_read[] = {0x80, 0x01, 0, 0, 0,    20,   0, 0, 0x01, 0x7e,
	                                   0,    0,    0, 1, 0x00, 0x0b, 3, 0, 0,    1};
	static uint8_t rsp[256];
	struct blkdev dev;
	struct nvstore *nv = NULL;
	size_t len = 0;
	int rc;

	KT_ASSERT(blkdev_ram_init(&dev, VTPM_NV_SIZE) == 0);
	KT_ASSERT(nvstore_open(&dev, &nv) == 0);
	rc = vtpm_init(nv, VTPM_EK_ECC_P256);
	if (rc == -CSVSM_ENOTSUP) {
		log_printf("selftest: vtpm: this image has no TPM (vtpm_absent.c)\n");
		nvstore_close(nv);
		blkdev_ram_free(&dev);
		return;
	}
	KT_ASSERT(rc == 0);

	KT_EXPECT(vtpm_execute(get_random, sizeof(get_random), rsp, sizeof(rsp), &len) == 0);
	KT_EXPECT(len == 28 && be32(rsp + 6) == 0 && rsp[10] == 0 && rsp[11] == 16);

	KT_EXPECT(vtpm_execute(extend, sizeof(extend), rsp, sizeof(rsp), &len) == 0);
	KT_EXPECT(len >= 10 && be32(rsp + 6) == 0);

	KT_EXPECT(vtpm_execute(pcr_read, sizeof(pcr_read), rsp, sizeof(rsp), &len) == 0);
	KT_EXPECT(len == 62 && be32(rsp + 6) == 0 && be32(rsp + 24) == 1 && rsp[28] == 0 &&
	          rsp[29] == 32);
	KT_EXPECT(len == 62 && mem_cmp(rsp + 30, pcr16_after_zero_extend, 32) == 0);

	vtpm_shutdown();
	nvstore_close(nv);
	blkdev_ram_free(&dev);
}

static const struct ktest vtpm_tests[] = {
    KTEST_OWN_HEAP(test_vtpm_commands),
};

const struct ktest_suite ktest_suite_vtpm = KTEST_SUITE("vtpm", vtpm_tests);
