/* SPDX-License-Identifier: MIT */
/*
 * The vTPM engine (csvsm/adapter/vtpm.h) of the bare-metal images, until
 * libtpms and OpenSSL are built freestanding: there is no TPM, every entry
 * point says so, and the core's vTPM service reports itself unavailable
 * (vtpm_boot fails, protocol 2 is not offered). Linked into the images
 * only; the simulator links the real adapter (src/vtpm/).
 */
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"

int vtpm_init(struct nvstore *nv, enum vtpm_ek_type ek)
{
	(void)nv;
	(void)ek;
	return -CSVSM_ENOTSUP;
}

int vtpm_init_with(struct nvstore *nv, const struct vtpm_options *opt)
{
	(void)nv;
	(void)opt;
	return -CSVSM_ENOTSUP;
}

void vtpm_set_observer(vtpm_observer_fn fn, void *ctx)
{
	(void)fn;
	(void)ctx;
}

int vtpm_execute(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max, size_t *rsp_len)
{
	(void)cmd;
	(void)cmd_len;
	(void)rsp;
	(void)rsp_max;
	*rsp_len = 0;
	return -CSVSM_ENOTSUP;
}

const uint8_t *vtpm_ek_public(size_t *len)
{
	*len = 0;
	return NULL;
}

void vtpm_shutdown(void)
{
}

void vtpm_get_stats(struct vtpm_stats *out)
{
	mem_set(out, 0, sizeof(*out));
}

int vtpm_power_cycle(void)
{
	return -CSVSM_ENOTSUP;
}
