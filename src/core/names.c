/* SPDX-License-Identifier: MIT */
#include "csvsm/names.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/compiler.h"

static const struct {
	uint32_t code;
	const char *name;
} result_names[] = {
    {SVSM_SUCCESS, "SVSM_SUCCESS"},
    {SVSM_ERR_INCOMPLETE, "SVSM_ERR_INCOMPLETE"},
    {SVSM_ERR_UNSUPPORTED_PROTOCOL, "SVSM_ERR_UNSUPPORTED_PROTOCOL"},
    {SVSM_ERR_UNSUPPORTED_CALL, "SVSM_ERR_UNSUPPORTED_CALL"},
    {SVSM_ERR_INVALID_ADDRESS, "SVSM_ERR_INVALID_ADDRESS"},
    {SVSM_ERR_INVALID_FORMAT, "SVSM_ERR_INVALID_FORMAT"},
    {SVSM_ERR_INVALID_PARAMETER, "SVSM_ERR_INVALID_PARAMETER"},
    {SVSM_ERR_INVALID_REQUEST, "SVSM_ERR_INVALID_REQUEST"},
    {SVSM_ERR_BUSY, "SVSM_ERR_BUSY"},
    {SVSM_PVALIDATE_FAIL_INPUT, "SVSM_PVALIDATE_FAIL_INPUT"},
    {SVSM_PVALIDATE_FAIL_PERMISSION, "SVSM_PVALIDATE_FAIL_PERMISSION"},
    {SVSM_PVALIDATE_FAIL_SIZEMISMATCH, "SVSM_PVALIDATE_FAIL_SIZEMISMATCH"},
    {SVSM_PVALIDATE_FAIL_UNCHANGED, "SVSM_PVALIDATE_FAIL_UNCHANGED"},
};

static const char *const core_call_names[] = {
    [SVSM_CORE_REMAP_CA] = "core.remap_ca",
    [SVSM_CORE_PVALIDATE] = "core.pvalidate",
    [SVSM_CORE_CREATE_VCPU] = "core.create_vcpu",
    [SVSM_CORE_DELETE_VCPU] = "core.delete_vcpu",
    [SVSM_CORE_DEPOSIT_MEM] = "core.deposit_mem",
    [SVSM_CORE_WITHDRAW_MEM] = "core.withdraw_mem",
    [SVSM_CORE_QUERY_PROTOCOL] = "core.query_protocol",
    [SVSM_CORE_CONFIGURE_VTOM] = "core.configure_vtom",
};

const char *svsm_result_name(uint64_t rax)
{
	if (rax >> 32)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(result_names); i++)
		if (result_names[i].code == rax)
			return result_names[i].name;
	return NULL;
}

static const char *const vtpm_call_names[] = {
    [SVSM_VTPM_QUERY] = "vtpm.query",
    [SVSM_VTPM_CMD] = "vtpm.cmd",
};

const char *svsm_call_name(uint32_t protocol, uint32_t call)
{
	if (protocol == SVSM_PROTO_CORE && call < ARRAY_SIZE(core_call_names))
		return core_call_names[call];
	if (protocol == SVSM_PROTO_VTPM && call < ARRAY_SIZE(vtpm_call_names))
		return vtpm_call_names[call];
	return NULL;
}
