/* SPDX-License-Identifier: MIT */
/*
 * libtss2-tcti-csvsm: a TCTI module (TCG TSS 2.0 TPM Command Transmission
 * Interface specification) that runs the whole simulated machine inside the
 * client process: tpm2-tss's TCTI loader opens it for `-T csvsm:CONF`,
 * TPM2TOOLS_TCTI="csvsm:CONF" or the module's full path, and every command
 * takes the full SVSM path (sim/vtpm_guest.h: guest page, SVSM_VTPM_CMD,
 * the SVSM's vTPM on libtpms), the same machine `csvsm-sim tpm-server`
 * serves over sockets.
 *
 * CONF: comma-separated key=value pairs (no value may contain a comma):
 *   state=FILE  the NV store of the vTPM (created, 1 MiB, when missing;
 *               crash-safe: the csvsm NV store). Without it the state
 *               lives in memory and ends with the context.
 *   seed=N      entropy seed of the simulated machine (default 1).
 *   wait=MS     how long to wait for a state file another process holds
 *               (default 10000; then the init fails).
 *   log=stderr  the SVSM's console on stderr (default: kept in memory and
 *               printed only when the init fails).
 *   platform_auth=svsm|empty  who holds the platform hierarchy: the SVSM
 *               (default, as firmware) or, as a developer option, the
 *               client (empty platformAuth; tpm-server --platform-auth).
 * A CONF without '=' is taken as the state FILE.
 *
 * Each context boots the machine (one per process: csvsm/sim.h) and, when
 * finalized, sends TPM2_Shutdown(TPM_SU_STATE) through the SVSM as a guest
 * OS does before it hibernates. The SVSM's TPM2_Startup(TPM_SU_CLEAR) at
 * the next boot is then a TPM Restart (TPM 2.0 Part 1 section 36.6): NV
 * (indices, persistent objects, seeds) persists and so do saved object
 * contexts (tpm2-tools' `-c file.ctx` in one process, `-C file.ctx` in the
 * next); PCRs start again from their reset values and loaded objects and
 * sessions are gone. A process that dies without finalizing is a power
 * loss: the next boot is a TPM Reset, and saved contexts are invalid. A
 * client whose last command was its own successful TPM2_Shutdown keeps
 * its choice (`tpm2_shutdown -c`: the next boot is a TPM Reset).
 *
 * The TCTI state machine (TCTI spec, "TCTI context state"): transmit in
 * TRANSMIT state runs the command to completion and moves to RECEIVE;
 * receive hands the response out (a NULL buffer asks its size; a buffer too
 * small gets TSS2_TCTI_RC_INSUFFICIENT_BUFFER with the size needed and the
 * response stays) and moves back to TRANSMIT. Calls out of order get
 * TSS2_TCTI_RC_BAD_SEQUENCE. The response is ready when transmit returns,
 * so no timeout ever expires. Cancel in RECEIVE state comes too late (the
 * command completed): it succeeds and the response stands. The poll handle
 * is an eventfd readable while a response waits (made on first request).
 * Locality: any value is passed to the SVSM, which serves locality 0 only
 * (another gets TPM_RC_LOCALITY).
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <tss2/tss2_tcti.h>
#include <unistd.h>

#include "sim_plat.h"
#include "tcti_csvsm.h"
#include "vtpm_guest.h"

#define TCTI_CSVSM_MAGIC   0x637376736d544349ull /* "csvsmTCI" */
#define TCTI_CSVSM_VERSION 2
#define LOG_KEEP           4096 /* console bytes kept for a failed init */
#define DEFAULT_WAIT_MS    10000u
#define TPM_HEADER_SIZE    10u
#define TPM_CC_SHUTDOWN    0x145u

enum tcti_state { TCTI_STATE_TRANSMIT, TCTI_STATE_RECEIVE };

struct tcti_csvsm {
	TSS2_TCTI_CONTEXT_COMMON_V2 common; /* first: the TCTI loader's view */
	enum tcti_state state;
	uint8_t locality;
	bool client_shutdown; /* the last command was a successful TPM2_Shutdown */
	int event_fd;         /* -1 until getPollHandles asks */
	size_t rsp_len;
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct vtpm_guest guest;
};

/* One machine per process: the context that has it. */
static struct tcti_csvsm *tcti_owner;

/* The SVSM's console while a context lives: on stderr, or the tail kept. */
static struct {
	bool to_stderr;
	size_t len;
	char buf[LOG_KEEP];
} tcti_log;

static void tcti_console(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (tcti_log.to_stderr) {
		fwrite(buf, 1, len, stderr);
		return;
	}
	if (len >= LOG_KEEP) {
		buf += len - LOG_KEEP;
		len = LOG_KEEP;
	}
	if (tcti_log.len + len > LOG_KEEP) {
		size_t drop = tcti_log.len + len - LOG_KEEP;

		memmove(tcti_log.buf, tcti_log.buf + drop, tcti_log.len - drop);
		tcti_log.len -= drop;
	}
	memcpy(tcti_log.buf + tcti_log.len, buf, len);
	tcti_log.len += len;
}

/* ---- configuration ---- */

struct tcti_conf {
	char *state; /* NULL: in memory */
	uint64_t seed;
	unsigned int wait_ms;
	bool log_stderr;
	bool platform_auth_empty;
};

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* Parses CONF (see the top of this file) into `c` (c->state malloc'd). */
static TSS2_RC parse_conf(const char *conf, struct tcti_conf *c)
{
	char *copy, *item, *save = NULL;
	TSS2_RC rc = TSS2_RC_SUCCESS;

	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->wait_ms = DEFAULT_WAIT_MS;
	if (!conf || !*conf)
		return TSS2_RC_SUCCESS;
	if (!strchr(conf, '=')) {
		c->state = strdup(conf);
		return c->state ? TSS2_RC_SUCCESS : TSS2_TCTI_RC_MEMORY;
	}
	copy = strdup(conf);
	if (!copy)
		return TSS2_TCTI_RC_MEMORY;
	for (item = strtok_r(copy, ",", &save); item && rc == TSS2_RC_SUCCESS;
	     item = strtok_r(NULL, ",", &save)) {
		char *val = strchr(item, '=');
		uint64_t v;

		if (!val) {
			fprintf(stderr, "tcti-csvsm: bad configuration item '%s' (key=value)\n",
			        item);
			rc = TSS2_TCTI_RC_BAD_VALUE;
			break;
		}
		*val++ = '\0';
		if (!strcmp(item, "state") && *val && !c->state) {
			c->state = strdup(val);
			if (!c->state)
				rc = TSS2_TCTI_RC_MEMORY;
		} else if (!strcmp(item, "seed") && parse_u64(val, UINT64_MAX, &v)) {
			c->seed = v;
		} else if (!strcmp(item, "wait") && parse_u64(val, 3600000, &v)) {
			c->wait_ms = (unsigned int)v;
		} else if (!strcmp(item, "log") && !strcmp(val, "stderr")) {
			c->log_stderr = true;
		} else if (!strcmp(item, "platform_auth") &&
		           (!strcmp(val, "svsm") || !strcmp(val, "empty"))) {
			c->platform_auth_empty = !strcmp(val, "empty");
		} else {
			rc = TSS2_TCTI_RC_BAD_VALUE;
		}
		if (rc == TSS2_TCTI_RC_BAD_VALUE)
			fprintf(stderr, "tcti-csvsm: bad configuration item '%s=%s'\n", item, val);
	}
	free(copy);
	if (rc != TSS2_RC_SUCCESS) {
		free(c->state);
		c->state = NULL;
	}
	return rc;
}

/* ---- the TCTI functions ---- */

/* The context behind `ctx`, or NULL (with *rc set) when it is not ours. */
static struct tcti_csvsm *tcti_get(TSS2_TCTI_CONTEXT *ctx, TSS2_RC *rc)
{
	struct tcti_csvsm *t = (struct tcti_csvsm *)ctx;

	if (!t) {
		*rc = TSS2_TCTI_RC_BAD_REFERENCE;
		return NULL;
	}
	if (t->common.v1.magic != TCTI_CSVSM_MAGIC || t != tcti_owner) {
		*rc = TSS2_TCTI_RC_BAD_CONTEXT;
		return NULL;
	}
	*rc = TSS2_RC_SUCCESS;
	return t;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void event_set(struct tcti_csvsm *t, bool ready)
{
	uint64_t v = 1;

	if (t->event_fd < 0)
		return;
	if (ready) {
		if (write(t->event_fd, &v, sizeof(v)) < 0)
			perror("tcti-csvsm: eventfd");
	} else if (read(t->event_fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
		perror("tcti-csvsm: eventfd");
	}
}

static TSS2_RC tcti_csvsm_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *command)
{
	TSS2_RC rc;
	struct tcti_csvsm *t = tcti_get(ctx, &rc);

	if (!t)
		return rc;
	if (!command)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (t->state != TCTI_STATE_TRANSMIT)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	/* The command header's commandSize must be the buffer's (TPM 2.0 Part 1 18.2). */
	if (size < TPM_HEADER_SIZE || size > UINT32_MAX || be32(command + 2) != size)
		return TSS2_TCTI_RC_BAD_VALUE;
	t->rsp_len = vtpm_guest_command(&t->guest, t->locality, command, (uint32_t)size, t->rsp);
	/* The client's own TPM2_Shutdown, if it was its last word, is respected. */
	t->client_shutdown = be32(command + 6) == TPM_CC_SHUTDOWN &&
	                     t->rsp_len >= TPM_HEADER_SIZE && be32(t->rsp + 6) == 0;
	t->state = TCTI_STATE_RECEIVE;
	event_set(t, true);
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_csvsm_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *response,
                                  int32_t timeout)
{
	TSS2_RC rc;
	struct tcti_csvsm *t = tcti_get(ctx, &rc);

	if (!t)
		return rc;
	if (!size)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (timeout < TSS2_TCTI_TIMEOUT_BLOCK)
		return TSS2_TCTI_RC_BAD_VALUE;
	if (t->state != TCTI_STATE_RECEIVE)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	/* The response is complete when transmit returns: no timeout can expire. */
	if (!response) {
		*size = t->rsp_len;
		return TSS2_RC_SUCCESS;
	}
	if (*size < t->rsp_len) {
		*size = t->rsp_len;
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	}
	memcpy(response, t->rsp, t->rsp_len);
	*size = t->rsp_len;
	t->state = TCTI_STATE_TRANSMIT;
	event_set(t, false);
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_csvsm_cancel(TSS2_TCTI_CONTEXT *ctx)
{
	TSS2_RC rc;
	struct tcti_csvsm *t = tcti_get(ctx, &rc);

	if (!t)
		return rc;
	if (t->state != TCTI_STATE_RECEIVE)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	/* The command has completed: its response stands. */
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_csvsm_get_poll_handles(TSS2_TCTI_CONTEXT *ctx, TSS2_TCTI_POLL_HANDLE *handles,
                                           size_t *num_handles)
{
	TSS2_RC rc;
	struct tcti_csvsm *t = tcti_get(ctx, &rc);

	if (!t)
		return rc;
	if (!num_handles)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (!handles) {
		*num_handles = 1;
		return TSS2_RC_SUCCESS;
	}
	if (*num_handles < 1) {
		*num_handles = 1;
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	}
	if (t->event_fd < 0) {
		t->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (t->event_fd < 0)
			return TSS2_TCTI_RC_IO_ERROR;
		event_set(t, t->state == TCTI_STATE_RECEIVE);
	}
	handles[0] = (TSS2_TCTI_POLL_HANDLE){.fd = t->event_fd, .events = POLLIN};
	*num_handles = 1;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_csvsm_set_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	TSS2_RC rc;
	struct tcti_csvsm *t = tcti_get(ctx, &rc);

	if (!t)
		return rc;
	if (t->state != TCTI_STATE_TRANSMIT)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	t->locality = locality;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC tcti_csvsm_make_sticky(TSS2_TCTI_CONTEXT *ctx, TPM2_HANDLE *handle, uint8_t sticky)
{
	TSS2_RC rc;

	(void)sticky;
	if (!tcti_get(ctx, &rc))
		return rc;
	if (!handle)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	/* A resource manager's business: nothing here flushes objects. */
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

/*
 * TPM2_Shutdown(TPM_SU_STATE) (Part 3 section 9.4), as before a
 * hibernation; not when the client's last command was a successful
 * TPM2_Shutdown of its own (its choice of STATE or CLEAR stands).
 */
static void tcti_hibernate(struct tcti_csvsm *t)
{
	static const uint8_t cmd[12] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x45, 0, 0x01};
	size_t n;
	uint32_t rc;

	if (t->client_shutdown)
		return;
	n = vtpm_guest_command(&t->guest, 0, cmd, sizeof(cmd), t->rsp);
	rc = n >= TPM_HEADER_SIZE ? be32(t->rsp + 6) : 0xffffffffu;

	if (rc != 0 && tcti_log.to_stderr)
		fprintf(stderr, "tcti-csvsm: TPM2_Shutdown(STATE) answered %#x\n", rc);
}

static void tcti_csvsm_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	TSS2_RC rc;
	struct tcti_csvsm *t = tcti_get(ctx, &rc);

	if (!t)
		return;
	tcti_hibernate(t);
	vtpm_guest_close(&t->guest);
	if (t->event_fd >= 0)
		close(t->event_fd);
	t->event_fd = -1;
	t->common.v1.magic = 0;
	sim_console_set_sink(NULL, NULL);
	tcti_owner = NULL;
}

TSS2_RC Tss2_Tcti_Csvsm_Init(TSS2_TCTI_CONTEXT *ctx, size_t *size, const char *conf)
{
	struct tcti_csvsm *t = (struct tcti_csvsm *)ctx;
	struct csvsm_sim_config mcfg;
	struct tcti_conf c;
	TSS2_RC rc;
	int r;

	if (!size)
		return TSS2_TCTI_RC_BAD_VALUE;
	if (!ctx) {
		*size = sizeof(struct tcti_csvsm);
		return TSS2_RC_SUCCESS;
	}
	if (*size < sizeof(struct tcti_csvsm))
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	if (tcti_owner) {
		fprintf(stderr, "tcti-csvsm: one context per process (the simulated machine "
		                "is one per process)\n");
		return TSS2_TCTI_RC_NOT_PERMITTED;
	}
	rc = parse_conf(conf, &c);
	if (rc != TSS2_RC_SUCCESS)
		return rc;
	/*
	 * The sealed NV commit at finalize needs libcrypto (AES-GCM). When
	 * this module is the first to use it, libcrypto would register its
	 * exit-time cleanup after the client's own teardown handler and so run
	 * before it: ask it not to clean up at exit (no effect when the client
	 * initialised it earlier, whose cleanup then runs after its teardown).
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	memset(t, 0, sizeof(*t));
	t->event_fd = -1;
	tcti_log.to_stderr = c.log_stderr;
	tcti_log.len = 0;
	sim_console_set_sink(tcti_console, NULL);
	csvsm_sim_config_default(&mcfg);
	mcfg.seed = c.seed;
	mcfg.vtpm_platform_auth_empty = c.platform_auth_empty;
	/* The machine of `csvsm-sim tpm-server`: the defaults but for the seed and the platform
	 * hierarchy. */
	r = vtpm_guest_open(&t->guest, "tcti-csvsm", c.state, &mcfg, c.wait_ms, true);
	free(c.state);
	if (r < 0) {
		if (tcti_log.len)
			fprintf(stderr, "tcti-csvsm: the SVSM said:\n%.*s", (int)tcti_log.len,
			        tcti_log.buf);
		sim_console_set_sink(NULL, NULL);
		return r == -2 ? TSS2_TCTI_RC_TRY_AGAIN : TSS2_TCTI_RC_IO_ERROR;
	}
	t->common.v1.magic = TCTI_CSVSM_MAGIC;
	t->common.v1.version = TCTI_CSVSM_VERSION;
	t->common.v1.transmit = tcti_csvsm_transmit;
	t->common.v1.receive = tcti_csvsm_receive;
	t->common.v1.finalize = tcti_csvsm_finalize;
	t->common.v1.cancel = tcti_csvsm_cancel;
	t->common.v1.getPollHandles = tcti_csvsm_get_poll_handles;
	t->common.v1.setLocality = tcti_csvsm_set_locality;
	t->common.makeSticky = tcti_csvsm_make_sticky;
	t->state = TCTI_STATE_TRANSMIT;
	tcti_owner = t;
	return TSS2_RC_SUCCESS;
}

static const TSS2_TCTI_INFO tcti_csvsm_info = {
    .version = TCTI_CSVSM_VERSION,
    .name = "tcti-csvsm",
    .description = "The csvsm vTPM in a simulated SEV-SNP machine inside this process: "
                   "every command through the SVSM vTPM protocol.",
    .config_help = "Comma-separated: state=FILE (the TPM's NV; default in memory), "
                   "seed=N (machine entropy seed, default 1), wait=MS (wait for a "
                   "state file in use, default 10000), log=stderr (the SVSM's "
                   "console), platform_auth=svsm|empty (empty: the platform "
                   "hierarchy is the client's). A string without '=' is the state FILE.",
    .init = Tss2_Tcti_Csvsm_Init,
};

const TSS2_TCTI_INFO *Tss2_Tcti_Info(void)
{
	return &tcti_csvsm_info;
}
