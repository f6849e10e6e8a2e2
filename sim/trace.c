/* SPDX-License-Identifier: MIT */
/*
 * The simulator's event trace: emission with a deterministic virtual clock,
 * and the text and JSON renderings (docs/trace-format.md).
 */
#include <inttypes.h>
#include <stdio.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/names.h"
#include "csvsm/plat/time.h"
#include "machine.h"
#include "sim_plat.h"

/* Virtual cost of each event, in ns: only for timelines, never measured. */
const uint32_t sim_event_cost_ns[CSVSM_EV_VTPM + 1] = {
    [CSVSM_EV_BOOT] = 0,        [CSVSM_EV_VMGEXIT] = 1000, [CSVSM_EV_VMPL_SWITCH] = 500,
    [CSVSM_EV_CALL] = 50,       [CSVSM_EV_RESULT] = 50,    [CSVSM_EV_PVALIDATE] = 200,
    [CSVSM_EV_RMPADJUST] = 150, [CSVSM_EV_GHCB_MSR] = 100, [CSVSM_EV_VC] = 300,
    [CSVSM_EV_NPF] = 1000,      [CSVSM_EV_PSC] = 2000,     [CSVSM_EV_HV_ACTION] = 0,
    [CSVSM_EV_MMIO] = 10000,    [CSVSM_EV_VTPM] = 20000,
};

static const char *const event_names[] = {
    [CSVSM_EV_BOOT] = "boot",
    [CSVSM_EV_VMGEXIT] = "vmgexit",
    [CSVSM_EV_VMPL_SWITCH] = "vmpl_switch",
    [CSVSM_EV_CALL] = "call",
    [CSVSM_EV_RESULT] = "result",
    [CSVSM_EV_PVALIDATE] = "pvalidate",
    [CSVSM_EV_RMPADJUST] = "rmpadjust",
    [CSVSM_EV_GHCB_MSR] = "ghcb_msr",
    [CSVSM_EV_VC] = "vc",
    [CSVSM_EV_NPF] = "npf",
    [CSVSM_EV_PSC] = "psc",
    [CSVSM_EV_HV_ACTION] = "hv_action",
    [CSVSM_EV_MMIO] = "mmio",
    [CSVSM_EV_VTPM] = "vtpm",
};

/* Names of common TPM 2.0 command codes (Part 2 section 6.5.2), for reading traces. */
static const struct {
	uint32_t cc;
	const char *name;
} tpm_cc_names[] = {
    {0x11f, "TPM2_NV_UndefineSpaceSpecial"},
    {0x121, "TPM2_HierarchyControl"},
    {0x122, "TPM2_NV_UndefineSpace"},
    {0x126, "TPM2_Clear"},
    {0x129, "TPM2_HierarchyChangeAuth"},
    {0x12a, "TPM2_NV_DefineSpace"},
    {0x131, "TPM2_CreatePrimary"},
    {0x137, "TPM2_NV_Write"},
    {0x13c, "TPM2_PCR_Event"},
    {0x13d, "TPM2_PCR_Reset"},
    {0x143, "TPM2_SelfTest"},
    {0x144, "TPM2_Startup"},
    {0x145, "TPM2_Shutdown"},
    {0x146, "TPM2_StirRandom"},
    {0x14e, "TPM2_NV_Read"},
    {0x153, "TPM2_Create"},
    {0x157, "TPM2_Load"},
    {0x158, "TPM2_Quote"},
    {0x15d, "TPM2_Sign"},
    {0x161, "TPM2_ContextLoad"},
    {0x162, "TPM2_ContextSave"},
    {0x165, "TPM2_FlushContext"},
    {0x169, "TPM2_NV_ReadPublic"},
    {0x173, "TPM2_ReadPublic"},
    {0x176, "TPM2_StartAuthSession"},
    {0x177, "TPM2_VerifySignature"},
    {0x17a, "TPM2_GetCapability"},
    {0x17b, "TPM2_GetRandom"},
    {0x17d, "TPM2_Hash"},
    {0x17e, "TPM2_PCR_Read"},
    {0x181, "TPM2_ReadClock"},
    {0x182, "TPM2_PCR_Extend"},
};

/* "TPM2_GetRandom", or "TPM_CC_0x..." in `buf` for a code without a name here. */
static const char *tpm_cc_name(uint64_t cc, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(tpm_cc_names) / sizeof(tpm_cc_names[0]); i++)
		if (tpm_cc_names[i].cc == cc)
			return tpm_cc_names[i].name;
	snprintf(buf, len, "TPM_CC_0x%" PRIx64, cc);
	return buf;
}

void sim_trace_emit(struct csvsm_sim *sim, enum csvsm_sim_event_type type, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct csvsm_sim_event ev;

	ev.seq = sim->event_seq;
	ev.time_ns = plat_time_ns();
	ev.vcpu = sim->current_vcpu;
	ev.vmpl = sim->running_vmpl;
	ev.type = type;
	ev.a[0] = a0;
	ev.a[1] = a1;
	ev.a[2] = a2;
	ev.a[3] = a3;
	ev.a[4] = a4;
	ev.a[5] = a5;
	sim->trace_fn(sim->trace_ctx, &ev);
}

void csvsm_sim_set_trace(struct csvsm_sim *sim, csvsm_sim_trace_fn fn, void *ctx)
{
	sim->trace_fn = fn;
	sim->trace_ctx = ctx;
}

const char *csvsm_sim_event_name(enum csvsm_sim_event_type type)
{
	if ((unsigned int)type < sizeof(event_names) / sizeof(event_names[0]) && event_names[type])
		return event_names[type];
	return "?";
}

static const char *access_name(uint64_t kind)
{
	switch (kind) {
	case CSVSM_SIM_READ:
		return "read";
	case CSVSM_SIM_WRITE:
		return "write";
	case CSVSM_SIM_READ | CSVSM_SIM_WRITE:
		return "read-write";
	case CSVSM_SIM_EXEC:
		return "exec";
	default:
		return "access";
	}
}

static const char *rmp_rc_name(uint64_t rc)
{
	switch ((int64_t)rc) {
	case 0:
		return "SUCCESS";
	case 1:
		return "FAIL_INPUT";
	case 2:
		return "FAIL_PERMISSION";
	case 6:
		return "FAIL_SIZEMISMATCH";
	default:
		return (int64_t)rc < 0 ? "FAULT" : "FAIL";
	}
}

static const char *hv_action_name(uint64_t kind)
{
	switch (kind) {
	case CSVSM_HV_REFUSE_RUN:
		return "refuse_run_vmpl";
	case CSVSM_HV_REFUSE_PSC:
		return "refuse_psc";
	case CSVSM_HV_REMAP:
		return "remap";
	case CSVSM_HV_POKE:
		return "poke";
	case CSVSM_HV_ENTER_SVSM:
		return "enter_svsm";
	default:
		return "?";
	}
}

/* "core.pvalidate", or "proto:call" when unknown, into `buf`. */
static const char *call_name(uint64_t rax, char *buf, size_t len)
{
	const char *name = svsm_call_name(SVSM_PROTOCOL(rax), SVSM_CALL_ID(rax));

	if (name)
		return name;
	snprintf(buf, len, "%" PRIu32 ":%" PRIu32, SVSM_PROTOCOL(rax), SVSM_CALL_ID(rax));
	return buf;
}

static const char *result_name(uint64_t rax, char *buf, size_t len)
{
	const char *name = svsm_result_name(rax);

	if (name)
		return name;
	snprintf(buf, len, "0x%" PRIx64, rax);
	return buf;
}

static int format_text(const struct csvsm_sim_event *ev, char *buf, size_t len)
{
	const uint64_t *a = ev->a;
	char nb[32];
	int n = snprintf(buf, len, "#%" PRIu64 " %8.3fus vcpu%u vmpl%u %-11s ", ev->seq,
	                 (double)ev->time_ns / 1000.0, ev->vcpu, ev->vmpl,
	                 csvsm_sim_event_name(ev->type));
	size_t off = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len;
	char *p = buf + off;
	size_t rest = len - off;
	int m;

	switch (ev->type) {
	case CSVSM_EV_BOOT:
		m = snprintf(p, rest, "%s", a[0] ? "FAILED" : "ok");
		break;
	case CSVSM_EV_VMGEXIT:
		m = snprintf(p, rest, "ghcb_msr=0x%" PRIx64, a[0]);
		break;
	case CSVSM_EV_VMPL_SWITCH:
		m = snprintf(p, rest, "VMPL%" PRIu64 " -> VMPL%" PRIu64, a[0], a[1]);
		break;
	case CSVSM_EV_CALL:
		m = snprintf(p, rest,
		             "%s rcx=0x%" PRIx64 " rdx=0x%" PRIx64 " r8=0x%" PRIx64
		             " r9=0x%" PRIx64,
		             call_name(a[0], nb, sizeof(nb)), a[1], a[2], a[3], a[4]);
		break;
	case CSVSM_EV_RESULT:
		m = snprintf(p, rest, "%s rcx=0x%" PRIx64 " rdx=0x%" PRIx64 " r8=0x%" PRIx64 "%s",
		             result_name(a[0], nb, sizeof(nb)), a[1], a[2], a[3],
		             a[5] ? "" : " (not serviced)");
		break;
	case CSVSM_EV_PVALIDATE:
		m = snprintf(p, rest, "gpa=0x%" PRIx64 " %s %s -> %s%s", a[0], a[1] ? "2M" : "4K",
		             a[2] ? "validate" : "rescind", rmp_rc_name(a[3]),
		             a[4] ? " (unchanged)" : "");
		break;
	case CSVSM_EV_RMPADJUST:
		m = snprintf(p, rest,
		             "gpa=0x%" PRIx64 " %s vmpl%" PRIu64 " perms=0x%" PRIx64 "%s -> %s",
		             a[0], a[1] ? "2M" : "4K", a[2] & 0xff, (a[2] >> 8) & 0xf,
		             (a[2] & (1u << 16)) ? " vmsa" : "", rmp_rc_name(a[3]));
		break;
	case CSVSM_EV_GHCB_MSR:
		m = snprintf(p, rest, "request=0x%" PRIx64 " response=0x%" PRIx64, a[0], a[1]);
		break;
	case CSVSM_EV_VC:
	case CSVSM_EV_NPF:
		m = snprintf(p, rest, "gpa=0x%" PRIx64 " %s", a[0], access_name(a[1]));
		break;
	case CSVSM_EV_PSC:
		m = snprintf(p, rest, "gpa=0x%" PRIx64 " %s -> %s result=%" PRIu64, a[0],
		             a[1] ? "2M" : "4K", a[2] ? "private" : "shared", a[3]);
		break;
	case CSVSM_EV_HV_ACTION:
		m = snprintf(p, rest, "%s %s=0x%" PRIx64, hv_action_name(a[0]),
		             a[0] == CSVSM_HV_ENTER_SVSM ? "exit_code" : "gpa", a[1]);
		break;
	case CSVSM_EV_MMIO:
		m = snprintf(p, rest, "%s%" PRIu64 " pa=0x%" PRIx64 " value=0x%" PRIx64,
		             a[3] ? "write" : "read", 8 * a[2], a[0], a[1]);
		break;
	case CSVSM_EV_VTPM:
		m = snprintf(p, rest,
		             "%s (%" PRIu64 " bytes) -> rc=0x%" PRIx64 " (%" PRIu64 " bytes)",
		             tpm_cc_name(a[0], nb, sizeof(nb)), a[1], a[2], a[3]);
		break;
	default:
		m = 0;
		break;
	}
	return (n < 0 ? 0 : n) + (m < 0 ? 0 : m);
}

/* JSON field names of a[0..5] per event type (docs/trace-format.md). */
static const char *const event_fields[][6] = {
    [CSVSM_EV_BOOT] = {"result"},
    [CSVSM_EV_VMGEXIT] = {"ghcb_msr"},
    [CSVSM_EV_VMPL_SWITCH] = {"from", "to"},
    [CSVSM_EV_PVALIDATE] = {"gpa", "size", "validate", "rc", "unchanged"},
    [CSVSM_EV_RMPADJUST] = {"gpa", "size", "attrs", "rc"},
    [CSVSM_EV_GHCB_MSR] = {"request", "response"},
    [CSVSM_EV_VC] = {"gpa", "access"},
    [CSVSM_EV_NPF] = {"gpa", "access"},
    [CSVSM_EV_PSC] = {"gpa", "size", "private", "result"},
    [CSVSM_EV_HV_ACTION] = {"kind", "gpa"},
    [CSVSM_EV_MMIO] = {"pa", "value", "width", "write"},
};

static int format_json(const struct csvsm_sim_event *ev, char *buf, size_t len)
{
	const uint64_t *a = ev->a;
	char nb[32];
	int n, m;

	switch (ev->type) {
	case CSVSM_EV_CALL:
		return snprintf(buf, len,
		                "{\"seq\":%" PRIu64 ",\"t_ns\":%" PRIu64
		                ",\"vcpu\":%u,\"vmpl\":%u,\"type\":\"call\",\"call\":\"%s\","
		                "\"rax\":\"0x%" PRIx64 "\",\"rcx\":\"0x%" PRIx64
		                "\",\"rdx\":\"0x%" PRIx64 "\",\"r8\":\"0x%" PRIx64
		                "\",\"r9\":\"0x%" PRIx64 "\"}",
		                ev->seq, ev->time_ns, ev->vcpu, ev->vmpl,
		                call_name(a[0], nb, sizeof(nb)), a[0], a[1], a[2], a[3], a[4]);
	case CSVSM_EV_VTPM:
		return snprintf(buf, len,
		                "{\"seq\":%" PRIu64 ",\"t_ns\":%" PRIu64
		                ",\"vcpu\":%u,\"vmpl\":%u,\"type\":\"vtpm\",\"command\":\"%s\","
		                "\"cc\":\"0x%" PRIx64 "\",\"cmd_size\":\"0x%" PRIx64
		                "\",\"rc\":\"0x%" PRIx64 "\",\"rsp_size\":\"0x%" PRIx64 "\"}",
		                ev->seq, ev->time_ns, ev->vcpu, ev->vmpl,
		                tpm_cc_name(a[0], nb, sizeof(nb)), a[0], a[1], a[2], a[3]);
	case CSVSM_EV_RESULT:
		return snprintf(
		    buf, len,
		    "{\"seq\":%" PRIu64 ",\"t_ns\":%" PRIu64
		    ",\"vcpu\":%u,\"vmpl\":%u,\"type\":\"result\",\"result\":\"%s\","
		    "\"rax\":\"0x%" PRIx64 "\",\"rcx\":\"0x%" PRIx64 "\",\"rdx\":\"0x%" PRIx64
		    "\",\"r8\":\"0x%" PRIx64 "\",\"r9\":\"0x%" PRIx64 "\",\"serviced\":%s}",
		    ev->seq, ev->time_ns, ev->vcpu, ev->vmpl, result_name(a[0], nb, sizeof(nb)),
		    a[0], a[1], a[2], a[3], a[4], a[5] ? "true" : "false");
	default:
		break;
	}
	n = snprintf(buf, len,
	             "{\"seq\":%" PRIu64 ",\"t_ns\":%" PRIu64
	             ",\"vcpu\":%u,\"vmpl\":%u,\"type\":\"%s\"",
	             ev->seq, ev->time_ns, ev->vcpu, ev->vmpl, csvsm_sim_event_name(ev->type));
	for (unsigned int i = 0; i < 6; i++) {
		const char *field =
		    (unsigned int)ev->type < sizeof(event_fields) / sizeof(event_fields[0])
		        ? event_fields[ev->type][i]
		        : NULL;
		size_t off = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len;

		if (!field)
			break;
		m = snprintf(buf + off, len - off, ",\"%s\":\"0x%" PRIx64 "\"", field, a[i]);
		n += m < 0 ? 0 : m;
	}
	m = snprintf(buf + (n < 0             ? 0
	                    : (size_t)n < len ? (size_t)n
	                                      : len),
	             len - ((size_t)n < len ? (size_t)n : len), "}");
	return n + (m < 0 ? 0 : m);
}

int csvsm_sim_event_format(const struct csvsm_sim_event *ev, enum csvsm_sim_format fmt, char *buf,
                           size_t len)
{
	return fmt == CSVSM_SIM_FORMAT_JSON ? format_json(ev, buf, len) : format_text(ev, buf, len);
}
