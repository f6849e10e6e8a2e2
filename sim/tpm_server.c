/* SPDX-License-Identifier: MIT */
/*
 * `csvsm-sim tpm-server [--port P] [--state FILE] [-q]`: tpm2-tools (mssim
 * TCTI) and the IBM TSS (socsim interface) talk to the csvsm vTPM through
 * the whole SVSM path. See tpm_server.h.
 *
 * Wire protocol (TCG TPM simulator, TpmTcpProtocol.h; toolchain notes
 * section 4): all integers big-endian u32. Command port P: SEND_COMMAND
 * (8) = u8 locality, u32 size, bytes; the reply is u32 size, bytes, then
 * u32 0. Platform port P+1: a signal code, reply u32 0. SESSION_END (20)
 * closes the connection without a reply, STOP (21) stops the server.
 * Signals handled as the simulator does: POWER_ON when off and RESET run
 * _TPM_Init (the TPM then waits for TPM2_Startup), POWER_OFF makes every
 * command get an empty response until POWER_ON. NV_ON/OFF, physical
 * presence, cancel, key cache, the locality-4 hash signals and
 * SET_ALTERNATIVE_RESULT are acknowledged and have no effect (the SVSM
 * vTPM has no such inputs).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/sim.h"
#include "csvsm/sim_blkdev.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "tpm_server.h"

/* TCG TPM simulator command codes (TpmTcpProtocol.h). */
enum {
	MS_SIGNAL_POWER_ON = 1,
	MS_SIGNAL_POWER_OFF = 2,
	MS_SIGNAL_PHYS_PRES_ON = 3,
	MS_SIGNAL_PHYS_PRES_OFF = 4,
	MS_SIGNAL_HASH_START = 5,
	MS_SIGNAL_HASH_DATA = 6,
	MS_SIGNAL_HASH_END = 7,
	MS_SEND_COMMAND = 8,
	MS_SIGNAL_CANCEL_ON = 9,
	MS_SIGNAL_CANCEL_OFF = 10,
	MS_SIGNAL_NV_ON = 11,
	MS_SIGNAL_NV_OFF = 12,
	MS_SIGNAL_KEY_CACHE_ON = 13,
	MS_SIGNAL_KEY_CACHE_OFF = 14,
	MS_REMOTE_HANDSHAKE = 15,
	MS_SET_ALTERNATIVE_RESULT = 16,
	MS_SIGNAL_RESET = 17,
	MS_SIGNAL_RESTART = 18,
	MS_SESSION_END = 20,
	MS_STOP = 21,
	MS_GET_COMMAND_RESPONSE_SIZES = 25,
	MS_ACT_GET_SIGNALED = 26,
	MS_TEST_FAILURE_MODE = 30,
};

#define SERVER_VERSION    1
#define MS_PLATFORM_AVAIL 1         /* REMOTE_HANDSHAKE flag: platform port present */
#define MAX_WIRE_BYTES    (1 << 20) /* larger payloads close the connection */
#define MAX_CLIENTS       16
#define STATE_FILE_SIZE   (1u << 20) /* a created state file */
#define STATE_WRITE_UNIT  512u
#define RECV_TIMEOUT_S    30

/* TPM response codes the server makes up when the SVSM refuses (Part 2 6.6). */
#define TPM_RC_FAILURE      0x101
#define TPM_RC_COMMAND_SIZE 0x142
#define TPM_RC_LOCALITY     0x907
#define TPM_RC_RETRY        0x922

enum conn_kind { CONN_TPM, CONN_PLATFORM };
enum conn_result { CONN_KEEP, CONN_CLOSE, CONN_STOP };

struct server {
	struct csvsm_sim *sim;
	struct csvsm_sim_layout layout;
	uint64_t buf_gpa; /* the guest page of the request/response buffer */
	bool powered;
	bool quiet;
	uint32_t largest_cmd, largest_rsp;
	uint8_t wire[MAX_WIRE_BYTES];
	uint8_t page[SVSM_VTPM_BUFFER_SIZE];
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* ---- socket I/O ---- */

static bool read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR && !stop_requested)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool read_u32(int fd, uint32_t *v)
{
	uint32_t be;

	if (!read_full(fd, &be, sizeof(be)))
		return false;
	*v = ntohl(be);
	return true;
}

static bool write_u32(int fd, uint32_t v)
{
	uint32_t be = htonl(v);

	return write_full(fd, &be, sizeof(be));
}

/* Reads a u32-size-prefixed payload into s->wire; false when too large or cut. */
static bool read_var(struct server *s, int fd, uint32_t *len)
{
	if (!read_u32(fd, len) || *len > sizeof(s->wire))
		return false;
	return read_full(fd, s->wire, *len);
}

/* ---- the guest side: one command through the SVSM ---- */

static size_t error_response(uint8_t *out, uint32_t rc)
{
	static const uint8_t hdr[6] = {0x80, 0x01, 0, 0, 0, 10};

	memcpy(out, hdr, sizeof(hdr));
	out[6] = (uint8_t)(rc >> 24);
	out[7] = (uint8_t)(rc >> 16);
	out[8] = (uint8_t)(rc >> 8);
	out[9] = (uint8_t)rc;
	return 10;
}

/*
 * Runs TPM command s->wire[0..len) at `locality` the way the Linux
 * tpm_svsm driver does: request into the guest page, SVSM_VTPM_CMD, the
 * response from the same page, into `out` (SVSM_VTPM_RSP_MAX bytes).
 * Returns the response length; an SVSM refusal becomes a TPM error code.
 */
static size_t svsm_tpm_command(struct server *s, uint8_t locality, uint32_t len, uint8_t *out)
{
	struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_CMD), .rcx = s->buf_gpa};
	uint32_t v, rsp_len;

	if (len > SVSM_VTPM_CMD_MAX)
		return error_response(out, TPM_RC_COMMAND_SIZE);
	v = SVSM_VTPM_PLATFORM_SEND_COMMAND; /* little-endian fields: x86 guest memory */
	memcpy(s->page, &v, 4);
	s->page[4] = locality;
	memcpy(s->page + 5, &len, 4);
	memcpy(s->page + 9, s->wire, len);
	if (csvsm_sim_guest_write(s->sim, s->buf_gpa, s->page, 9 + len) != 0 ||
	    csvsm_sim_call(s->sim, 0, &r) != 0 || !r.serviced) {
		fprintf(stderr, "csvsm-sim tpm-server: the SVSM call was not delivered\n");
		return error_response(out, TPM_RC_FAILURE);
	}
	if (r.rax != SVSM_SUCCESS) {
		if (!s->quiet)
			fprintf(stderr, "csvsm-sim tpm-server: SVSM_VTPM_CMD refused: %#llx\n",
			        (unsigned long long)r.rax);
		if (r.rax == SVSM_ERR_BUSY)
			return error_response(out, TPM_RC_RETRY);
		if (r.rax == SVSM_ERR_INVALID_PARAMETER)
			return error_response(out,
			                      locality ? TPM_RC_LOCALITY : TPM_RC_COMMAND_SIZE);
		return error_response(out, TPM_RC_FAILURE);
	}
	if (csvsm_sim_guest_read(s->sim, s->buf_gpa, &rsp_len, 4) != 0 ||
	    rsp_len > SVSM_VTPM_RSP_MAX ||
	    csvsm_sim_guest_read(s->sim, s->buf_gpa + 4, out, rsp_len) != 0)
		return error_response(out, TPM_RC_FAILURE);
	return rsp_len;
}

/* ---- the two ports ---- */

static enum conn_result handle_tpm(struct server *s, int fd)
{
	static uint8_t rsp[SVSM_VTPM_RSP_MAX];
	uint32_t cmd, len, v;
	uint8_t locality;
	size_t rsp_len;

	if (!read_u32(fd, &cmd))
		return CONN_CLOSE;
	switch (cmd) {
	case MS_SEND_COMMAND:
		if (!read_full(fd, &locality, 1) || !read_var(s, fd, &len))
			return CONN_CLOSE;
		if (len > s->largest_cmd)
			s->largest_cmd = len;
		/* A powered-off TPM answers nothing (the simulator's empty response). */
		rsp_len = s->powered ? svsm_tpm_command(s, locality, len, rsp) : 0;
		if (rsp_len > s->largest_rsp)
			s->largest_rsp = (uint32_t)rsp_len;
		if (!write_u32(fd, (uint32_t)rsp_len) || !write_full(fd, rsp, rsp_len))
			return CONN_CLOSE;
		break;
	case MS_SIGNAL_HASH_START:
	case MS_SIGNAL_HASH_END:
		break;
	case MS_SIGNAL_HASH_DATA:
		if (!read_var(s, fd, &len))
			return CONN_CLOSE;
		break;
	case MS_REMOTE_HANDSHAKE:
		if (!read_u32(fd, &v) || v == 0)
			return CONN_CLOSE;
		if (!write_u32(fd, SERVER_VERSION) || !write_u32(fd, MS_PLATFORM_AVAIL))
			return CONN_CLOSE;
		break;
	case MS_SET_ALTERNATIVE_RESULT:
		if (!read_u32(fd, &v))
			return CONN_CLOSE;
		break;
	case MS_SESSION_END:
		return CONN_CLOSE;
	case MS_STOP:
		return CONN_STOP;
	default:
		fprintf(stderr, "csvsm-sim tpm-server: unknown TPM-port command %u\n", cmd);
		return CONN_CLOSE;
	}
	return write_u32(fd, 0) ? CONN_KEEP : CONN_CLOSE;
}

/* _TPM_Init: the TPM restarts from NV and waits for TPM2_Startup. */
static void tpm_init_signal(struct server *s)
{
	int rc = vtpm_power_cycle();

	if (rc < 0)
		fprintf(stderr, "csvsm-sim tpm-server: TPM reset failed (%s)\n",
		        csvsm_strerror(rc));
	else if (!s->quiet)
		fprintf(stderr, "csvsm-sim tpm-server: TPM reset (_TPM_Init)\n");
}

static enum conn_result handle_platform(struct server *s, int fd)
{
	uint32_t cmd, v;

	if (!read_u32(fd, &cmd))
		return CONN_CLOSE;
	switch (cmd) {
	case MS_SIGNAL_POWER_ON:
		if (!s->powered)
			tpm_init_signal(s);
		s->powered = true;
		break;
	case MS_SIGNAL_POWER_OFF:
		s->powered = false;
		break;
	case MS_SIGNAL_RESET:
	case MS_SIGNAL_RESTART:
		if (s->powered)
			tpm_init_signal(s);
		break;
	case MS_SIGNAL_PHYS_PRES_ON:
	case MS_SIGNAL_PHYS_PRES_OFF:
	case MS_SIGNAL_CANCEL_ON:
	case MS_SIGNAL_CANCEL_OFF:
	case MS_SIGNAL_NV_ON:
	case MS_SIGNAL_NV_OFF:
	case MS_SIGNAL_KEY_CACHE_ON:
	case MS_SIGNAL_KEY_CACHE_OFF:
	case MS_TEST_FAILURE_MODE:
		break;
	case MS_ACT_GET_SIGNALED:
		if (!read_u32(fd, &v) || !write_u32(fd, 0))
			return CONN_CLOSE;
		break;
	case MS_GET_COMMAND_RESPONSE_SIZES:
		/* Four u32: largest command size and code, largest response size and code. */
		if (!write_u32(fd, 16) || !write_u32(fd, s->largest_cmd) || !write_u32(fd, 0) ||
		    !write_u32(fd, s->largest_rsp) || !write_u32(fd, 0))
			return CONN_CLOSE;
		break;
	case MS_SESSION_END:
		return CONN_CLOSE;
	case MS_STOP:
		return CONN_STOP;
	default:
		fprintf(stderr, "csvsm-sim tpm-server: unknown platform signal %u\n", cmd);
		return CONN_CLOSE;
	}
	return write_u32(fd, 0) ? CONN_KEEP : CONN_CLOSE;
}

/* ---- set-up ---- */

static int listen_on(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The guest accepts one free RAM page for its TPM buffer (PVALIDATE, as Linux does). */
static int guest_buffer(struct server *s)
{
	uint64_t list[2], gpa = s->layout.free_ram_base;
	uint64_t ca = s->layout.boot_caa_gpa + 8;
	struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE), .rcx = ca};

	list[0] = 1; /* entries = 1, next = 0 */
	list[1] = gpa | SVSM_PVAL_VALIDATE;
	if (csvsm_sim_guest_write(s->sim, ca, list, sizeof(list)) != 0 ||
	    csvsm_sim_call(s->sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS)
		return -1;
	s->buf_gpa = gpa;
	return 0;
}

/* QUERY_PROTOCOL(2, 1) and SVSM_VTPM_QUERY, as the Linux driver probes. */
static bool vtpm_present(struct server *s)
{
	struct csvsm_regs q = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL),
	                       .rcx = ((uint64_t)SVSM_PROTO_VTPM << 32) | 1};
	struct csvsm_regs v = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_QUERY)};

	if (csvsm_sim_call(s->sim, 0, &q) != 0 || q.rax != SVSM_SUCCESS || q.rcx == 0)
		return false;
	return csvsm_sim_call(s->sim, 0, &v) == 0 && v.rax == SVSM_SUCCESS &&
	       (v.rcx & SVSM_VTPM_QUERY_COMMANDS);
}

static int open_state(struct blkdev *dev, const char *path)
{
	struct sim_blkdev_file_config cfg = {.path = path, .write_unit = STATE_WRITE_UNIT};
	int rc;

	if (!path)
		return sim_nv_ram_open(dev, STATE_FILE_SIZE);
	rc = sim_blkdev_file_open(dev, &cfg);
	if (rc == -CSVSM_ENOENT) {
		cfg.size = STATE_FILE_SIZE;
		cfg.create = true;
		rc = sim_blkdev_file_open(dev, &cfg);
	}
	return rc;
}

static void close_state(struct blkdev *dev, const char *path)
{
	if (path)
		sim_blkdev_file_close(dev);
	else
		sim_nv_ram_close(dev);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: csvsm-sim tpm-server [--port P] [--state FILE] [-q]\n"
	             "\n"
	             "Serves the csvsm vTPM with the TCG TPM simulator protocol on 127.0.0.1:\n"
	             "TPM commands on port P (default 2321), platform signals on P+1. Every\n"
	             "command goes through the SVSM vTPM protocol of a simulated machine.\n"
	             "\n"
	             "  --port P      command port (1024..65534)\n"
	             "  --state FILE  keep the TPM state in FILE (created, 1 MiB, when missing);\n"
	             "                without it the state lives in memory\n"
	             "  -q            no per-event messages\n");
}

static int parse_args(int argc, char **argv, uint16_t *port, const char **state, bool *quiet)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "-q")) {
			*quiet = true;
		} else if (i + 1 < argc && !strcmp(a, "--port")) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(argv[++i], &end, 10);
			if (errno || *end || v < 1024 || v > 65534) {
				fprintf(stderr, "csvsm-sim tpm-server: --port wants 1024..65534\n");
				return -1;
			}
			*port = (uint16_t)v;
		} else if (i + 1 < argc && !strcmp(a, "--state")) {
			*state = argv[++i];
		} else {
			fprintf(stderr, "csvsm-sim tpm-server: unknown or incomplete option '%s'\n",
			        a);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

/* ---- the loop ---- */

struct client {
	int fd;
	enum conn_kind kind;
};

static void serve(struct server *s, int tpm_fd, int plat_fd)
{
	struct client clients[MAX_CLIENTS];
	unsigned int n = 0;
	bool stop = false;

	while (!stop && !stop_requested) {
		struct pollfd pfd[2 + MAX_CLIENTS];
		unsigned int j;
		int rc;

		pfd[0] = (struct pollfd){.fd = tpm_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = plat_fd, .events = POLLIN};
		for (unsigned int i = 0; i < n; i++)
			pfd[2 + i] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
		rc = poll(pfd, 2 + n, -1);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			perror("csvsm-sim tpm-server: poll");
			break;
		}
		for (unsigned int i = 0; i < n && !stop; i++) {
			enum conn_result res;

			if (!(pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			res = clients[i].kind == CONN_TPM ? handle_tpm(s, clients[i].fd)
			                                  : handle_platform(s, clients[i].fd);
			if (res == CONN_STOP)
				stop = true;
			if (res != CONN_KEEP) {
				close(clients[i].fd);
				clients[i].fd = -1;
			}
		}
		/* Compact, then accept new connections. */
		j = 0;
		for (unsigned int i = 0; i < n; i++)
			if (clients[i].fd >= 0)
				clients[j++] = clients[i];
		n = j;
		for (unsigned int k = 0; k < 2 && !stop; k++) {
			struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
			int one = 1, fd;

			if (!(pfd[k].revents & POLLIN))
				continue;
			fd = accept(pfd[k].fd, NULL, NULL);
			if (fd < 0)
				continue;
			if (n == MAX_CLIENTS) {
				close(fd);
				continue;
			}
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			clients[n].fd = fd;
			clients[n].kind = k == 0 ? CONN_TPM : CONN_PLATFORM;
			n++;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		close(clients[i].fd);
}

int sim_tpm_server_main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	const char *state = NULL;
	uint16_t port = 2321;
	struct server *s;
	struct blkdev dev;
	int rc, status = 1, tpm_fd = -1, plat_fd = -1;
	bool quiet = false;

	rc = parse_args(argc, argv, &port, &state, &quiet);
	if (rc)
		return rc > 0 ? 0 : 1;
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "csvsm-sim tpm-server: out of memory\n");
		return 1;
	}
	s->quiet = quiet;
	rc = open_state(&dev, state);
	if (rc < 0) {
		fprintf(stderr, "csvsm-sim tpm-server: cannot open the state %s (%s)\n",
		        state ? state : "in memory", csvsm_strerror(rc));
		free(s);
		return 1;
	}
	sim_nv_use(&dev);
	s->sim = csvsm_sim_new(NULL);
	if (!s->sim)
		goto out;
	csvsm_sim_layout(s->sim, &s->layout);
	if (!vtpm_present(s)) {
		fprintf(stderr,
		        "csvsm-sim tpm-server: the SVSM offers no vTPM (state %s unusable?)\n",
		        state ? state : "in memory");
		goto out;
	}
	if (guest_buffer(s) < 0) {
		fprintf(stderr,
		        "csvsm-sim tpm-server: the guest could not accept its buffer page\n");
		goto out;
	}
	s->powered = true; /* the SVSM started the TPM (TPM2_Startup) at boot */
	tpm_fd = listen_on(port);
	plat_fd = tpm_fd < 0 ? -1 : listen_on((uint16_t)(port + 1));
	if (tpm_fd < 0 || plat_fd < 0) {
		status = errno == EADDRINUSE ? 3 : 1;
		fprintf(stderr, "csvsm-sim tpm-server: cannot listen on 127.0.0.1:%u/%u (%s)\n",
		        port, port + 1, strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("csvsm-sim tpm-server: listening on 127.0.0.1 port %u (TPM) and %u (platform)\n",
	       port, port + 1);
	fflush(stdout);
	serve(s, tpm_fd, plat_fd);
	status = 0;
	if (!quiet) {
		struct vtpm_stats st;

		vtpm_get_stats(&st);
		fprintf(stderr,
		        "csvsm-sim tpm-server: %llu commands, %llu NV commits, %llu NV failures, "
		        "%llu rollbacks\n",
		        (unsigned long long)st.commands, (unsigned long long)st.nv_commits,
		        (unsigned long long)st.nv_failures, (unsigned long long)st.rollbacks);
	}
out:
	if (tpm_fd >= 0)
		close(tpm_fd);
	if (plat_fd >= 0)
		close(plat_fd);
	vtpm_boot_stop();
	csvsm_sim_free(s->sim);
	sim_nv_use(NULL);
	close_state(&dev, state);
	free(s);
	return status;
}

/* ---- the function-level entry (sim_tpm_server_feed) ---- */

struct sim_tpm_server {
	struct server s;
};

struct sim_tpm_server *sim_tpm_server_new(struct csvsm_sim *sim, bool quiet)
{
	struct sim_tpm_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->s.sim = sim;
	srv->s.quiet = quiet;
	csvsm_sim_layout(sim, &srv->s.layout);
	if (!vtpm_present(&srv->s) || guest_buffer(&srv->s) < 0) {
		free(srv);
		return NULL;
	}
	srv->s.powered = true;
	return srv;
}

void sim_tpm_server_free(struct sim_tpm_server *srv)
{
	free(srv);
}

/* Passes what the server wrote so far to `out`. */
static void feed_drain(int fd, void (*out)(void *ctx, const uint8_t *buf, size_t len), void *ctx)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (out)
			out(ctx, buf, (size_t)n);
}

int sim_tpm_server_feed(struct sim_tpm_server *srv, bool platform, const uint8_t *in, size_t len,
                        void (*out)(void *ctx, const uint8_t *buf, size_t len), void *ctx)
{
	enum conn_result res = CONN_KEEP;
	int sv[2], size = (int)SIM_TPM_FEED_MAX * 2;

	/* The whole input is queued first: it must fit the socket's buffer. */
	if (len > SIM_TPM_FEED_MAX || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return -1;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if ((len && !write_full(sv[1], in, len)) || shutdown(sv[1], SHUT_WR) != 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	while (res == CONN_KEEP) {
		res = platform ? handle_platform(&srv->s, sv[0]) : handle_tpm(&srv->s, sv[0]);
		feed_drain(sv[1], out, ctx);
	}
	close(sv[0]);
	close(sv[1]);
	return res == CONN_STOP;
}
