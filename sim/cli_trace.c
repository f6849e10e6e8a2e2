/* SPDX-License-Identifier: MIT */
/*
 * The command line's trace sinks (sim/cli_trace.h): text lines, JSON lines
 * and a Chrome trace event timeline (docs/trace-format.md).
 *
 * The timeline has two tracks (threads) per vCPU: "vCPU n" holds one slice
 * per stretch of time spent at one VMPL (VMPL0 = the SVSM, the guest VMPL)
 * and an instant event for everything else that happens there (VMGEXIT,
 * GHCB MSR answers, PVALIDATE, RMPADJUST, #VC, #NPF, page state changes,
 * hypervisor misbehaviour); "vCPU n calls" holds one slice per SVSM call,
 * from the guest's call to the result it sees. Two tracks because a call
 * and the VMPL stretches it causes overlap without nesting, and the format
 * wants the slices of one thread nested. Times are the events' virtual
 * time_ns, written in microseconds with three decimals (Chrome's "ts").
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli_trace.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/names.h"

#define CLI_MAX_VCPUS 64
#define CLI_EV_TYPES  16
#define CLI_LINE      768

struct tl_vcpu {
	bool named;     /* the tracks' metadata is written */
	bool vmpl_open; /* a VMPL slice is open on the vCPU track */
	unsigned int vmpl;
	bool call_open; /* a call slice is open on the calls track */
	uint64_t call_rax, call_rcx, call_r8;
	uint64_t vmsa; /* the vCPU's guest VMSA, when known; 0 = unknown */
};

/*
 * A call slice waiting for its vCPU: the call event may carry the vCPU that
 * ran last rather than the calling one, so the slice begins once the
 * calling vCPU is certain (its switch to VMPL0, its result, or
 * cli_trace_call_returned).
 */
struct tl_pending {
	bool open;
	uint64_t ns, rax, rcx, r8;
	char *args; /* the call event's JSON */
};

struct cli_trace {
	FILE *text, *jsonl, *timeline;
	char *jsonl_path, *timeline_path;
	bool tl_first; /* no timeline entry written yet */
	struct tl_pending pending;
	uint64_t last_ns;
	uint64_t counts[CLI_EV_TYPES];
	struct tl_vcpu v[CLI_MAX_VCPUS];
};

static FILE *open_out(const char *path, char **copy, char *err, size_t err_len)
{
	FILE *f;

	*copy = strdup(path);
	if (!*copy) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	f = fopen(path, "w");
	if (!f)
		snprintf(err, err_len, "cannot create '%s'", path);
	return f;
}

/* Writes one timeline entry (a JSON object), with the separator before it. */
static void tl_emit(struct cli_trace *t, const char *fmt, ...)
{
	va_list ap;

	fputs(t->tl_first ? "\n" : ",\n", t->timeline);
	t->tl_first = false;
	va_start(ap, fmt);
	vfprintf(t->timeline, fmt, ap);
	va_end(ap);
}

struct cli_trace *cli_trace_open(const struct cli_trace_opts *o, char *err, size_t err_len)
{
	struct cli_trace *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	t->text = o->text;
	t->tl_first = true;
	if (o->jsonl_path && !(t->jsonl = open_out(o->jsonl_path, &t->jsonl_path, err, err_len)))
		goto fail;
	if (o->timeline_path &&
	    !(t->timeline = open_out(o->timeline_path, &t->timeline_path, err, err_len)))
		goto fail;
	if (t->timeline) {
		fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", t->timeline);
		tl_emit(t, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
		           "\"args\":{\"name\":\"csvsm-sim\"}}");
	}
	return t;
fail:
	if (t->jsonl)
		fclose(t->jsonl);
	free(t->jsonl_path);
	free(t->timeline_path);
	free(t);
	return NULL;
}

/* Chrome's "ts": microseconds, exactly (no floating point: deterministic). */
static void ts_text(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%03u", ns / 1000, (unsigned int)(ns % 1000));
}

static unsigned int vmpl_tid(unsigned int vcpu)
{
	return 2 * vcpu + 1;
}

static unsigned int calls_tid(unsigned int vcpu)
{
	return 2 * vcpu + 2;
}

static void tl_name_tracks(struct cli_trace *t, unsigned int vcpu)
{
	if (t->v[vcpu].named)
		return;
	t->v[vcpu].named = true;
	tl_emit(t,
	        "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
	        "\"args\":{\"name\":\"vCPU %u\"}}",
	        vmpl_tid(vcpu), vcpu);
	tl_emit(t,
	        "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
	        "\"args\":{\"sort_index\":%u}}",
	        vmpl_tid(vcpu), vmpl_tid(vcpu));
	tl_emit(t,
	        "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
	        "\"args\":{\"name\":\"vCPU %u calls\"}}",
	        calls_tid(vcpu), vcpu);
	tl_emit(t,
	        "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
	        "\"args\":{\"sort_index\":%u}}",
	        calls_tid(vcpu), calls_tid(vcpu));
}

static void vmpl_slice_name(unsigned int vmpl, char *buf, size_t len)
{
	snprintf(buf, len, vmpl ? "VMPL%u (guest)" : "VMPL%u (SVSM)", vmpl);
}

static void tl_vmpl_begin(struct cli_trace *t, unsigned int vcpu, unsigned int vmpl, uint64_t ns)
{
	char ts[32], name[32];

	ts_text(ns, ts, sizeof(ts));
	vmpl_slice_name(vmpl, name, sizeof(name));
	tl_emit(t, "{\"name\":\"%s\",\"cat\":\"vmpl\",\"ph\":\"B\",\"ts\":%s,\"pid\":1,\"tid\":%u}",
	        name, ts, vmpl_tid(vcpu));
	t->v[vcpu].vmpl_open = true;
	t->v[vcpu].vmpl = vmpl;
}

static void tl_vmpl_end(struct cli_trace *t, unsigned int vcpu, uint64_t ns)
{
	char ts[32], name[32];

	if (!t->v[vcpu].vmpl_open)
		return;
	ts_text(ns, ts, sizeof(ts));
	vmpl_slice_name(t->v[vcpu].vmpl, name, sizeof(name));
	tl_emit(t, "{\"name\":\"%s\",\"cat\":\"vmpl\",\"ph\":\"E\",\"ts\":%s,\"pid\":1,\"tid\":%u}",
	        name, ts, vmpl_tid(vcpu));
	t->v[vcpu].vmpl_open = false;
}

static void call_name(uint64_t rax, char *buf, size_t len)
{
	const char *name = svsm_call_name(SVSM_PROTOCOL(rax), SVSM_CALL_ID(rax));

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%" PRIu32 ":%" PRIu32, SVSM_PROTOCOL(rax), SVSM_CALL_ID(rax));
}

/* Ends the open call slice of `vcpu`; `args` is a JSON object or NULL (undelivered). */
static void tl_call_end(struct cli_trace *t, unsigned int vcpu, uint64_t ns, const char *args)
{
	char ts[32], name[48];

	if (!t->v[vcpu].call_open)
		return;
	ts_text(ns, ts, sizeof(ts));
	call_name(t->v[vcpu].call_rax, name, sizeof(name));
	tl_emit(t,
	        "{\"name\":\"%s\",\"cat\":\"call\",\"ph\":\"E\",\"ts\":%s,\"pid\":1,\"tid\":%u,"
	        "\"args\":%s}",
	        name, ts, calls_tid(vcpu), args ? args : "{\"delivered\":false}");
	t->v[vcpu].call_open = false;
}

/* After a serviced, successful result: learn or forget vCPUs' VMSAs. */
static void tl_track_vcpus(struct cli_trace *t, unsigned int vcpu, uint64_t ns)
{
	const struct tl_vcpu *c = &t->v[vcpu];

	if (SVSM_PROTOCOL(c->call_rax) != SVSM_PROTO_CORE)
		return;
	if (SVSM_CALL_ID(c->call_rax) == SVSM_CORE_CREATE_VCPU &&
	    (uint32_t)c->call_r8 < CLI_MAX_VCPUS)
		t->v[(uint32_t)c->call_r8].vmsa = c->call_rcx;
	if (SVSM_CALL_ID(c->call_rax) != SVSM_CORE_DELETE_VCPU || !c->call_rcx)
		return;
	for (unsigned int i = 0; i < CLI_MAX_VCPUS; i++)
		if (t->v[i].vmsa == c->call_rcx) {
			tl_vmpl_end(t, i, ns);
			t->v[i].vmsa = 0;
		}
}

/* Begins the waiting call slice, if any, on the calls track of `vcpu`. */
static void tl_call_begin(struct cli_trace *t, unsigned int vcpu)
{
	struct tl_vcpu *v = &t->v[vcpu];
	char ts[32], name[48];

	if (!t->pending.open)
		return;
	tl_name_tracks(t, vcpu);
	tl_call_end(t, vcpu, t->pending.ns, NULL);
	ts_text(t->pending.ns, ts, sizeof(ts));
	call_name(t->pending.rax, name, sizeof(name));
	tl_emit(t,
	        "{\"name\":\"%s\",\"cat\":\"call\",\"ph\":\"B\",\"ts\":%s,\"pid\":1,"
	        "\"tid\":%u,\"args\":%s}",
	        name, ts, calls_tid(vcpu), t->pending.args ? t->pending.args : "{}");
	v->call_open = true;
	v->call_rax = t->pending.rax;
	v->call_rcx = t->pending.rcx;
	v->call_r8 = t->pending.r8;
	free(t->pending.args);
	t->pending = (struct tl_pending){0};
}

static void tl_event(struct cli_trace *t, const struct csvsm_sim_event *ev, const char *json)
{
	char ts[32];

	tl_name_tracks(t, ev->vcpu);
	ts_text(ev->time_ns, ts, sizeof(ts));
	if (ev->type == CSVSM_EV_VMPL_SWITCH) {
		if (ev->a[1] == 0)
			tl_call_begin(t, ev->vcpu);
		tl_vmpl_end(t, ev->vcpu, ev->time_ns);
		tl_vmpl_begin(t, ev->vcpu, (unsigned int)ev->a[1], ev->time_ns);
		return;
	}
	if (!t->v[ev->vcpu].vmpl_open)
		tl_vmpl_begin(t, ev->vcpu, ev->vmpl, ev->time_ns);
	switch (ev->type) {
	case CSVSM_EV_CALL:
		tl_call_begin(t, ev->vcpu); /* an earlier one still waiting */
		free(t->pending.args);
		t->pending = (struct tl_pending){.open = true,
		                                 .ns = ev->time_ns,
		                                 .rax = ev->a[0],
		                                 .rcx = ev->a[1],
		                                 .r8 = ev->a[3],
		                                 .args = strdup(json)};
		break;
	case CSVSM_EV_RESULT:
		tl_call_begin(t, ev->vcpu);
		tl_call_end(t, ev->vcpu, ev->time_ns, json);
		if (ev->a[0] == SVSM_SUCCESS && ev->a[5])
			tl_track_vcpus(t, ev->vcpu, ev->time_ns);
		break;
	default:
		tl_emit(t,
		        "{\"name\":\"%s\",\"cat\":\"event\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%s,"
		        "\"pid\":1,\"tid\":%u,\"args\":%s}",
		        csvsm_sim_event_name(ev->type), ts, vmpl_tid(ev->vcpu), json);
		break;
	}
}

/* Formats `ev` into `buf`, or into a heap copy when it does not fit (free it). */
static char *format_event(const struct csvsm_sim_event *ev, enum csvsm_sim_format fmt, char *buf,
                          size_t len)
{
	int n = csvsm_sim_event_format(ev, fmt, buf, len);
	char *big;

	if (n < 0 || (size_t)n < len)
		return buf;
	big = malloc((size_t)n + 1);
	if (!big)
		return buf; /* truncated rather than lost */
	csvsm_sim_event_format(ev, fmt, big, (size_t)n + 1);
	return big;
}

void cli_trace_event(void *ctx, const struct csvsm_sim_event *ev)
{
	struct cli_trace *t = ctx;
	char text[CLI_LINE], json[CLI_LINE];
	char *p;

	t->last_ns = ev->time_ns;
	if ((unsigned int)ev->type < CLI_EV_TYPES)
		t->counts[ev->type]++;
	if (t->text) {
		p = format_event(ev, CSVSM_SIM_FORMAT_TEXT, text, sizeof(text));
		fprintf(t->text, "%s\n", p);
		if (p != text)
			free(p);
	}
	if (!t->jsonl && !t->timeline)
		return;
	p = format_event(ev, CSVSM_SIM_FORMAT_JSON, json, sizeof(json));
	if (t->jsonl)
		fprintf(t->jsonl, "%s\n", p);
	if (t->timeline && ev->vcpu < CLI_MAX_VCPUS)
		tl_event(t, ev, p);
	if (p != json)
		free(p);
}

void cli_trace_call_returned(void *ctx, unsigned int vcpu)
{
	struct cli_trace *t = ctx;

	if (t->timeline && vcpu < CLI_MAX_VCPUS) {
		tl_call_begin(t, vcpu);
		tl_call_end(t, vcpu, t->last_ns, NULL);
	}
}

void cli_trace_vcpu_vmsa(struct cli_trace *t, unsigned int vcpu, uint64_t vmsa_gpa)
{
	if (vcpu < CLI_MAX_VCPUS)
		t->v[vcpu].vmsa = vmsa_gpa;
}

uint64_t cli_trace_time_ns(const struct cli_trace *t)
{
	return t->last_ns;
}

uint64_t cli_trace_count(const struct cli_trace *t, enum csvsm_sim_event_type type)
{
	return (unsigned int)type < CLI_EV_TYPES ? t->counts[type] : 0;
}

/* Closes `f`; -1 (with a message) when any write to it failed. */
static int close_out(FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "csvsm-sim: error writing '%s'\n", path);
		return -1;
	}
	return 0;
}

int cli_trace_close(struct cli_trace *t)
{
	int rc = 0;

	if (!t)
		return 0;
	if (t->timeline) {
		tl_call_begin(t, 0);
		for (unsigned int i = 0; i < CLI_MAX_VCPUS; i++) {
			tl_call_end(t, i, t->last_ns, NULL);
			tl_vmpl_end(t, i, t->last_ns);
		}
		fputs("\n]}\n", t->timeline);
		rc |= close_out(t->timeline, t->timeline_path);
	}
	if (t->jsonl)
		rc |= close_out(t->jsonl, t->jsonl_path);
	if (t->text && ferror(t->text))
		rc = -1;
	free(t->pending.args);
	free(t->jsonl_path);
	free(t->timeline_path);
	free(t);
	return rc ? -1 : 0;
}
