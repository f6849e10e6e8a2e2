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
 *
 * One thread, poll(): every connection has its own input and output
 * buffers, a request is handled once it is complete and its reply sent
 * whole, so a client sending half a message holds nobody else (see struct
 * conn). Replies leave with TCP_NODELAY; reads re-arm TCP_QUICKACK (see
 * conn_readable for the stall this avoids).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/sim_nvdev.h"
#include "tpm_server.h"
#include "vtpm_guest.h"

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

#define SERVER_VERSION      1
#define MS_PLATFORM_AVAIL   1         /* REMOTE_HANDSHAKE flag: platform port present */
#define MAX_WIRE_BYTES      (1 << 20) /* larger payloads close the connection */
#define IN_CAP              (9 + SVSM_VTPM_CMD_MAX) /* the largest message kept whole */
#define OUT_CAP             (4 + SVSM_VTPM_RSP_MAX + 4)
#define TPM_RC_COMMAND_SIZE 0x142

enum conn_kind { CONN_TPM, CONN_PLATFORM };
enum conn_result { CONN_KEEP, CONN_CLOSE, CONN_STOP };

/*
 * One client connection. Requests are read without blocking into `in` and
 * handled once complete; the reply goes out from `out`, and no further
 * request of this connection is handled before it has (so a client that
 * does not read its replies only stalls itself). A payload too large to
 * run (above SVSM_VTPM_CMD_MAX) is read and dropped (`discard`), then
 * answered.
 */
struct conn {
	int fd;
	enum conn_kind kind;
	uint64_t last_active; /* ms, monotonic: the least recently active goes first */
	uint32_t discard;     /* payload bytes still to drop */
	uint32_t discard_cmd; /* the command whose payload is dropped */
	size_t have;          /* bytes in `in` */
	size_t out_len, out_off;
	uint8_t in[IN_CAP];
	uint8_t out[OUT_CAP];
};

struct server {
	struct vtpm_guest guest;
	bool powered;
	bool quiet;
	/*
	 * No per-connection diagnostics (unknown commands and signals): the
	 * fuzz target's server, whose every input is a bad client.
	 */
	bool silent;
	bool image; /* the SVSM is the image under KVM: its TPM is not this process's */
	uint32_t largest_cmd, largest_rsp;
	struct conn *conns[2 * TPM_SERVER_MAX_CONNS];
	unsigned int nconns;
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Appends a big-endian u32 to the connection's reply. */
static void out_u32(struct conn *c, uint32_t v)
{
	uint8_t *p = c->out + c->out_len;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	c->out_len += 4;
}

/* ---- the TPM port ---- */

/* The TPM response to one command, and the trailing zero word. */
static void reply_command(struct server *s, struct conn *c, uint8_t locality, const uint8_t *cmd,
                          uint32_t len)
{
	size_t rsp_len;

	if (len > s->largest_cmd)
		s->largest_cmd = len;
	/* A powered-off TPM answers nothing (the simulator's empty response). */
	rsp_len = s->powered ? vtpm_guest_command(&s->guest, locality, cmd, len, s->rsp) : 0;
	if (rsp_len > s->largest_rsp)
		s->largest_rsp = (uint32_t)rsp_len;
	out_u32(c, (uint32_t)rsp_len);
	memcpy(c->out + c->out_len, s->rsp, rsp_len);
	c->out_len += rsp_len;
	out_u32(c, 0);
}

/* A command too large for the SVSM buffer, once its payload is dropped. */
static void reply_too_large(struct conn *c)
{
	static const uint8_t rsp[10] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x42};

	_Static_assert(TPM_RC_COMMAND_SIZE == 0x142, "response bytes above");
	out_u32(c, sizeof(rsp));
	memcpy(c->out + c->out_len, rsp, sizeof(rsp));
	c->out_len += sizeof(rsp);
	out_u32(c, 0);
}

/*
 * Handles the TPM-port message at the start of c->in when it is complete.
 * Returns the bytes it consumed (0: incomplete, wait for more), or -1 /
 * -2 to close the connection / stop the server.
 */
static long take_tpm(struct server *s, struct conn *c)
{
	const uint8_t *p = c->in;
	uint32_t cmd, len;

	if (c->have < 4)
		return 0;
	cmd = get_be32(p);
	switch (cmd) {
	case MS_SEND_COMMAND:
	case MS_SIGNAL_HASH_DATA: {
		size_t hdr = cmd == MS_SEND_COMMAND ? 9 : 8;

		if (c->have < hdr)
			return 0;
		len = get_be32(p + hdr - 4);
		if (len > MAX_WIRE_BYTES)
			return -1;
		if (hdr + len > IN_CAP) {
			/* Too large to keep: dropped as it arrives, then answered. */
			c->discard = len;
			c->discard_cmd = cmd;
			return (long)hdr;
		}
		if (c->have < hdr + len)
			return 0;
		if (cmd == MS_SEND_COMMAND)
			reply_command(s, c, p[4], p + 9, len);
		else
			out_u32(c, 0);
		return (long)(hdr + len);
	}
	case MS_SIGNAL_HASH_START:
	case MS_SIGNAL_HASH_END:
		out_u32(c, 0);
		return 4;
	case MS_REMOTE_HANDSHAKE:
		if (c->have < 8)
			return 0;
		if (get_be32(p + 4) == 0)
			return -1;
		out_u32(c, SERVER_VERSION);
		out_u32(c, MS_PLATFORM_AVAIL);
		out_u32(c, 0);
		return 8;
	case MS_SET_ALTERNATIVE_RESULT:
		if (c->have < 8)
			return 0;
		out_u32(c, 0);
		return 8;
	case MS_SESSION_END:
		return -1;
	case MS_STOP:
		return -2;
	default:
		if (!s->silent)
			fprintf(stderr, "csvsm-sim tpm-server: unknown TPM-port command %u\n", cmd);
		return -1;
	}
}

/* ---- the platform port ---- */

/* _TPM_Init: the TPM restarts from NV and waits for TPM2_Startup. */
static void tpm_init_signal(struct server *s)
{
	int rc;

	if (s->image) {
		/* No SVSM call restarts the TPM: the image's keeps running (as after a warm boot).
		 */
		if (!s->quiet)
			fprintf(stderr, "csvsm-sim tpm-server: _TPM_Init is not available through "
			                "the SVSM image; the TPM keeps running\n");
		return;
	}
	rc = vtpm_power_cycle();

	if (rc < 0)
		fprintf(stderr, "csvsm-sim tpm-server: TPM reset failed (%s)\n",
		        csvsm_strerror(rc));
	else if (!s->quiet)
		fprintf(stderr, "csvsm-sim tpm-server: TPM reset (_TPM_Init)\n");
}

/* As take_tpm, for a platform-port message. */
static long take_platform(struct server *s, struct conn *c)
{
	uint32_t cmd;

	if (c->have < 4)
		return 0;
	cmd = get_be32(c->in);
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
		if (c->have < 8)
			return 0;
		out_u32(c, 0);
		out_u32(c, 0);
		return 8;
	case MS_GET_COMMAND_RESPONSE_SIZES:
		/* Four u32: largest command size and code, largest response size and code. */
		out_u32(c, 16);
		out_u32(c, s->largest_cmd);
		out_u32(c, 0);
		out_u32(c, s->largest_rsp);
		out_u32(c, 0);
		break;
	case MS_SESSION_END:
		return -1;
	case MS_STOP:
		return -2;
	default:
		if (!s->silent)
			fprintf(stderr, "csvsm-sim tpm-server: unknown platform signal %u\n", cmd);
		return -1;
	}
	out_u32(c, 0);
	return 4;
}

/* ---- connections ---- */

/* Sends what is left of the reply. CONN_KEEP (done or would block) or CONN_CLOSE. */
static enum conn_result flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return CONN_KEEP;
		if (n <= 0)
			return CONN_CLOSE;
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	return CONN_KEEP;
}

/* Handles every complete request in c->in while no reply is pending. */
static enum conn_result take_requests(struct server *s, struct conn *c)
{
	size_t used = 0;
	enum conn_result res = CONN_KEEP;

	while (c->out_len == 0 && c->discard == 0) {
		long n;

		memmove(c->in, c->in + used, c->have - used);
		c->have -= used;
		used = 0;
		n = c->kind == CONN_TPM ? take_tpm(s, c) : take_platform(s, c);
		if (n < 0) {
			res = n == -2 ? CONN_STOP : CONN_CLOSE;
			break;
		}
		if (n == 0)
			break;
		used = (size_t)n;
		if (c->out_len && flush_out(c) != CONN_KEEP) {
			res = CONN_CLOSE;
			break;
		}
	}
	memmove(c->in, c->in + used, c->have - used);
	c->have -= used;
	return res;
}

/*
 * Reads what the client sent (without blocking) and handles what became
 * complete. Returns CONN_KEEP, CONN_CLOSE (EOF, error, protocol error) or
 * CONN_STOP.
 */
static enum conn_result conn_readable(struct server *s, struct conn *c)
{
	uint8_t scratch[4096];
	int one = 1;
	ssize_t n;

	if (c->discard) {
		size_t want = c->discard < sizeof(scratch) ? c->discard : sizeof(scratch);

		n = recv(c->fd, scratch, want, MSG_DONTWAIT);
	} else {
		/* Full means a complete message waits for its reply to leave: not here. */
		if (c->have == sizeof(c->in))
			return CONN_CLOSE;
		n = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, MSG_DONTWAIT);
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return CONN_KEEP;
	if (n <= 0)
		return CONN_CLOSE;
	/*
	 * tpm2-tss's mssim TCTI writes the 9-byte SEND_COMMAND header and the
	 * command separately, without TCP_NODELAY: Nagle's algorithm holds the
	 * command until the header is acknowledged, and a delayed ACK here
	 * (Linux: up to 40 ms once the connection looks interactive) would
	 * hold that acknowledgement. Quick-ACK mode is not sticky, so it is
	 * re-armed after every read.
	 */
	setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	c->last_active = now_ms();
	if (c->discard) {
		c->discard -= (uint32_t)n;
		if (c->discard)
			return CONN_KEEP;
		if (c->discard_cmd == MS_SEND_COMMAND)
			reply_too_large(c);
		else
			out_u32(c, 0);
		if (flush_out(c) != CONN_KEEP)
			return CONN_CLOSE;
	} else {
		c->have += (size_t)n;
	}
	return take_requests(s, c);
}

static void conn_close(struct server *s, unsigned int i)
{
	close(s->conns[i]->fd);
	free(s->conns[i]);
	s->conns[i] = s->conns[--s->nconns];
}

/*
 * A new connection on `kind`'s port. When that port already has
 * TPM_SERVER_MAX_CONNS connections, the one that was active least recently
 * is closed first, so a new client is always served.
 */
static void conn_accept(struct server *s, int lfd, enum conn_kind kind)
{
	unsigned int same = 0, oldest = 0;
	bool found = false;
	struct conn *c;
	int one = 1, fd;

	fd = accept(lfd, NULL, NULL); /* MSG_DONTWAIT on every recv and send */
	if (fd < 0)
		return;
	for (unsigned int i = 0; i < s->nconns; i++) {
		if (s->conns[i]->kind != kind)
			continue;
		same++;
		if (!found || s->conns[i]->last_active < s->conns[oldest]->last_active)
			oldest = i;
		found = true;
	}
	if (same >= TPM_SERVER_MAX_CONNS) {
		if (!s->quiet)
			fprintf(stderr,
			        "csvsm-sim tpm-server: %u connections on the %s port: closing "
			        "the least recently active\n",
			        same, kind == CONN_TPM ? "TPM" : "platform");
		conn_close(s, oldest);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	/* Replies go out whole and at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	c->fd = fd;
	c->kind = kind;
	c->last_active = now_ms();
	s->conns[s->nconns++] = c;
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
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: csvsm-sim tpm-server [--port P] [--state FILE] [--nv KIND]\n"
	        "                            [--platform-auth svsm|empty] [-q]\n"
	        "                            [--target shim|kvm] [--image FILE]\n"
	        "\n"
	        "Serves the csvsm vTPM with the TCG TPM simulator protocol on 127.0.0.1:\n"
	        "TPM commands on port P (default 2321), platform signals on P+1. Every\n"
	        "command goes through the SVSM vTPM protocol of a simulated machine.\n"
	        "Clients are served in turn as their messages complete; each port takes\n"
	        "%u connections, and a new one beyond that closes the connection that\n"
	        "was active least recently.\n"
	        "\n"
	        "  --port P      command port (1024..65534)\n"
	        "  --state FILE  keep the TPM state in FILE (created, 1 MiB, when missing);\n"
	        "                without it the state lives in memory\n"
	        "  --nv KIND     the device holding it: file (default: a block device of\n"
	        "                the simulator), pflash (a CFI flash) or virtio (a\n"
	        "                virtio-mmio block device), each driven by the SVSM's\n"
	        "                own driver; a state file suits one kind only\n"
	        "  --platform-auth svsm|empty\n"
	        "                svsm (default): the SVSM keeps the platform hierarchy, as\n"
	        "                firmware does; empty: developer option, platformAuth stays\n"
	        "                empty for the client (test suites written for simulators)\n"
	        "  --target T    shim (default): the SVSM runs in this process;\n"
	        "                kvm: the SVSM image runs as VMPL0 under KVM and its vTPM\n"
	        "                answers; --nv virtio (default) or pflash is its NV\n"
	        "                device on the state file. Exit status 77 without\n"
	        "                /dev/kvm. Platform signals cannot restart its TPM.\n"
	        "  --image FILE  the SVSM image for --target kvm (default: the build's\n"
	        "                src/csvsm-kvm-vtpm.elf)\n"
	        "  -q            no per-event messages\n",
	        TPM_SERVER_MAX_CONNS);
}

/* What `csvsm-sim tpm-server` was asked for (parse_args). */
struct server_opts {
	uint16_t port;
	const char *state;
	const char *nv;
	const char *image; /* --image FILE: the SVSM image for --target kvm */
	bool quiet;
	bool pa_empty;
	bool target_kvm; /* --target kvm: the vTPM of the SVSM image under the KVM runner */
};

static int parse_args(int argc, char **argv, struct server_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "-q")) {
			o->quiet = true;
		} else if (i + 1 < argc && !strcmp(a, "--port")) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(argv[++i], &end, 10);
			if (errno || *end || v < 1024 || v > 65534) {
				fprintf(stderr, "csvsm-sim tpm-server: --port wants 1024..65534\n");
				return -1;
			}
			o->port = (uint16_t)v;
		} else if (i + 1 < argc && !strcmp(a, "--state")) {
			o->state = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--nv")) {
			o->nv = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--platform-auth")) {
			const char *v = argv[++i];

			if (strcmp(v, "svsm") && strcmp(v, "empty")) {
				fprintf(stderr,
				        "csvsm-sim tpm-server: --platform-auth wants svsm or "
				        "empty\n");
				return -1;
			}
			o->pa_empty = !strcmp(v, "empty");
		} else if (i + 1 < argc && !strcmp(a, "--target")) {
			const char *v = argv[++i];

			if (strcmp(v, "shim") && strcmp(v, "kvm")) {
				fprintf(stderr,
				        "csvsm-sim tpm-server: --target wants shim or kvm\n");
				return -1;
			}
			o->target_kvm = !strcmp(v, "kvm");
		} else if (i + 1 < argc && !strcmp(a, "--image")) {
			o->image = argv[++i];
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

static void serve(struct server *s, int tpm_fd, int plat_fd)
{
	struct pollfd pfd[2 + 2 * TPM_SERVER_MAX_CONNS];
	struct conn *polled[2 * TPM_SERVER_MAX_CONNS];
	bool stop = false;

	while (!stop && !stop_requested) {
		unsigned int n = s->nconns;
		int rc;

		pfd[0] = (struct pollfd){.fd = tpm_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = plat_fd, .events = POLLIN};
		for (unsigned int i = 0; i < n; i++) {
			struct conn *c = s->conns[i];

			polled[i] = c;
			pfd[2 + i] =
			    (struct pollfd){.fd = c->fd, .events = c->out_len ? POLLOUT : POLLIN};
		}
		rc = poll(pfd, 2 + n, -1);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			perror("csvsm-sim tpm-server: poll");
			break;
		}
		for (unsigned int i = 0; i < n && !stop; i++) {
			struct conn *c = polled[i];
			enum conn_result res = CONN_KEEP;
			short ev = pfd[2 + i].revents;

			if (!ev)
				continue;
			if (c->out_len && (ev & (POLLOUT | POLLERR | POLLHUP))) {
				res = flush_out(c);
				if (res == CONN_KEEP && !c->out_len)
					res = take_requests(s, c);
			} else if (!c->out_len && (ev & (POLLIN | POLLERR | POLLHUP))) {
				res = conn_readable(s, c);
			}
			if (res == CONN_STOP)
				stop = true;
			if (res != CONN_KEEP) {
				for (unsigned int j = 0; j < s->nconns; j++)
					if (s->conns[j] == c) {
						conn_close(s, j);
						break;
					}
			}
		}
		if (stop)
			break;
		if (pfd[0].revents & POLLIN)
			conn_accept(s, tpm_fd, CONN_TPM);
		if (pfd[1].revents & POLLIN)
			conn_accept(s, plat_fd, CONN_PLATFORM);
	}
	while (s->nconns)
		conn_close(s, 0);
}

/*
 * --target kvm: the SVSM image (default: the build's
 * src/csvsm-kvm-vtpm.elf beside this program's directory) runs as VMPL0
 * under KVM (cfg.kvm_image, sim/kvm/image_ops.c) with its NV device, a
 * virtio-blk (default) or CFI flash model backed by the state file
 * (cfg.kvm_image_nv); without --state, by an unlinked temporary file.
 * Fills `cfg`; returns 0, 77 when KVM is missing here, 1 on other errors
 * (said on stderr). `spec` and `image` receive the strings cfg points to.
 */
static int kvm_target_config(const struct server_opts *o, struct csvsm_sim_config *cfg, char *spec,
                             size_t speclen, char *image, size_t imagelen)
{
	const char *kind = strcmp(o->nv, "file") ? o->nv : "virtio";
	char path[PATH_MAX];

	if (strcmp(kind, "virtio") && strcmp(kind, "pflash")) {
		fprintf(stderr,
		        "csvsm-sim tpm-server: --target kvm: --nv wants virtio or pflash\n");
		return 1;
	}
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		fprintf(stderr, "csvsm-sim tpm-server: --target kvm needs /dev/kvm (%s)\n",
		        strerror(errno));
		return 77;
	}
	if (o->image) {
		snprintf(image, imagelen, "%s", o->image);
	} else {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		char *slash;

		path[n > 0 ? n : 0] = 0;
		slash = strrchr(path, '/');
		if (n <= 0 || !slash) {
			fprintf(stderr, "csvsm-sim tpm-server: use --image FILE\n");
			return 1;
		}
		*slash = 0;
		if ((size_t)snprintf(image, imagelen, "%s/../src/csvsm-kvm-vtpm.elf", path) >=
		    imagelen) {
			fprintf(stderr, "csvsm-sim tpm-server: use --image FILE\n");
			return 1;
		}
	}
	if (access(image, R_OK) != 0) {
		fprintf(stderr, "csvsm-sim tpm-server: SVSM image %s: %s%s\n", image,
		        strerror(errno),
		        o->image ? "" : " (scripts/build-bare-metal-libs.sh, then make)");
		return 1;
	}
	if (o->state) {
		snprintf(path, sizeof(path), "%s", o->state);
	} else {
		const char *dir = getenv("TMPDIR");
		int fd;

		snprintf(path, sizeof(path), "%s/csvsm-tpm-state.XXXXXX", dir ? dir : "/tmp");
		fd = mkstemp(path);
		if (fd < 0 || ftruncate(fd, VTPM_GUEST_STATE_SIZE) < 0) {
			fprintf(stderr, "csvsm-sim tpm-server: a temporary state file: %s\n",
			        strerror(errno));
			return 1;
		}
		close(fd);
	}
	if ((size_t)snprintf(spec, speclen, "%s:%s", kind, path) >= speclen) {
		fprintf(stderr, "csvsm-sim tpm-server: the state file's name is too long\n");
		return 1;
	}
	cfg->kvm_image = image;
	cfg->kvm_image_nv = spec;
	/* The boot manufactures the TPM: about 4 min was measured on a loaded nested-KVM machine.
	 */
	cfg->kvm_image_turn_s = 900;
	return 0;
}

int sim_tpm_server_main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct server_opts o = {.port = 2321, .nv = "file"};
	enum sim_nvdev_kind nv_kind;
	bool nvdev = false;
	struct server *s;
	int rc, status = 1, tpm_fd = -1, plat_fd = -1;
	struct csvsm_sim_config cfg;
	const char *state, *nv;
	uint16_t port;
	bool quiet, pa_empty;
	char kvm_spec[PATH_MAX + 16], kvm_image[PATH_MAX];
	const char *kvm_tmp_state = NULL;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 1;
	state = o.state;
	nv = o.nv;
	port = o.port;
	quiet = o.quiet;
	pa_empty = o.pa_empty;
	csvsm_sim_config_default(&cfg);
	if (o.target_kvm) {
		rc = kvm_target_config(&o, &cfg, kvm_spec, sizeof(kvm_spec), kvm_image,
		                       sizeof(kvm_image));
		if (!o.state && cfg.kvm_image_nv)
			kvm_tmp_state = strchr(kvm_spec, ':') + 1;
		if (rc)
			return rc;
		state = NULL; /* the image's NV device holds it, not the shim's */
	} else if (strcmp(nv, "file") != 0) {
		/* The state lives on an MMIO device model; the guest's own NV device goes unused.
		 */
		if (sim_nvdev_kind_parse(nv, &nv_kind) < 0) {
			fprintf(stderr,
			        "csvsm-sim tpm-server: --nv wants file, pflash or virtio\n");
			return 1;
		}
		if (sim_nvdev_attach(nv_kind, state, VTPM_GUEST_STATE_SIZE) < 0)
			return 1;
		nvdev = true;
		state = NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "csvsm-sim tpm-server: out of memory\n");
		return 1;
	}
	s->quiet = quiet;
	s->image = o.target_kvm;
	cfg.vtpm_platform_auth_empty = pa_empty;
	if (vtpm_guest_open(&s->guest, "csvsm-sim tpm-server", state, &cfg, 0, quiet) < 0) {
		free(s);
		if (nvdev)
			sim_nvdev_detach();
		if (kvm_tmp_state)
			unlink(kvm_tmp_state);
		return 1;
	}
	if (kvm_tmp_state)
		unlink(kvm_tmp_state); /* open in the image's NV device until the end */
	s->powered = true;             /* the SVSM started the TPM (TPM2_Startup) at boot */
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
	if (!quiet && !s->image) {
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
	vtpm_guest_close(&s->guest);
	if (nvdev)
		sim_nvdev_detach();
	free(s);
	return status;
}

/* ---- the function-level entry (sim_tpm_server_feed) ---- */

struct sim_tpm_server {
	struct server s;
};

struct sim_tpm_server *sim_tpm_server_new(bool quiet)
{
	struct sim_tpm_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->s.quiet = quiet;
	srv->s.silent = quiet;
	if (vtpm_guest_open(&srv->s.guest, "csvsm-sim tpm-server", NULL, NULL, 0, quiet) < 0) {
		free(srv);
		return NULL;
	}
	srv->s.powered = true;
	return srv;
}

void sim_tpm_server_free(struct sim_tpm_server *srv)
{
	if (!srv)
		return;
	vtpm_guest_close(&srv->s.guest);
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
	struct conn *c;
	size_t sent = 0;
	bool shut = false;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	c->fd = sv[0];
	c->kind = platform ? CONN_PLATFORM : CONN_TPM;
	c->last_active = now_ms();
	while (res == CONN_KEEP) {
		/* The client: what of its bytes fits, then the end of its stream. */
		if (sent < len) {
			ssize_t n = send(sv[1], in + sent, len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n > 0)
				sent += (size_t)n;
		}
		if (sent == len && !shut)
			shut = shutdown(sv[1], SHUT_WR) == 0;
		/* The server, as its poll loop does when the socket is ready. */
		if (c->out_len) {
			res = flush_out(c);
			if (res == CONN_KEEP && !c->out_len)
				res = take_requests(&srv->s, c);
		} else {
			res = conn_readable(&srv->s, c);
		}
		feed_drain(sv[1], out, ctx);
	}
	close(sv[0]);
	close(sv[1]);
	free(c);
	return res == CONN_STOP;
}
