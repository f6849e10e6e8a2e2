/* SPDX-License-Identifier: MIT */
/*
 * bench-vtpm: TPM2_GetRandom(32) and TPM2_PCR_Extend(PCR 16, SHA-256)
 * commands per second
 *   - through the full SVSM path: the request written into a guest page,
 *     SVSM_VTPM_CMD (VMGEXIT, VMPL switch, core, protocol handler, adapter,
 *     libtpms, back), the response read from the guest page;
 *   - through the adapter alone (vtpm_execute), for the breakdown;
 *   - calling libtpms directly (TPMLIB_Process) in the same process, on the
 *     same TPM (goal: SVSM path / direct >= 0.9);
 *   - to swtpm over a kept-open TCP socket (goal: SVSM path >= 5 x swtpm),
 *     when swtpm is installed (started as in the toolchain notes, stopped by
 *     its process id).
 * Each rate is the best of three runs.
 *
 *   bench-vtpm [-n N]   N commands per run (default 50000; swtpm N / 10)
 */
#include <arpa/inet.h>
#include <libtpms/tpm_library.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/sim.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"

extern char **environ;

/* TPM2_GetRandom(32) and TPM2_PCR_Extend(16, SHA-256 of zeros, empty password). */
static const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 32};
static uint8_t pcr_extend[65] = {0x80, 0x02, 0, 0, 0, 65, 0, 0, 0x01, 0x82, 0, 0, 0, 16, 0, 0,   0,
                                 9,    0x40, 0, 0, 9, 0,  0, 0, 0,    0,    0, 0, 0, 1,  0, 0x0b};

struct bench {
	struct csvsm_sim *sim;
	uint64_t gpa;
	uint8_t page[SVSM_VTPM_BUFFER_SIZE];
	uint8_t rsp[SVSM_VTPM_BUFFER_SIZE];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-vtpm: %s\n", what);
	exit(1);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Full path: what the Linux tpm_svsm driver does for one command. */
static double svsm_rate(struct bench *b, const uint8_t *cmd, uint32_t len, unsigned long n)
{
	uint32_t v = SVSM_VTPM_PLATFORM_SEND_COMMAND, rlen;
	double t;

	memcpy(b->page, &v, 4);
	b->page[4] = 0;
	memcpy(b->page + 5, &len, 4);
	memcpy(b->page + 9, cmd, len);
	t = now_s();
	for (unsigned long i = 0; i < n; i++) {
		struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_CMD),
		                       .rcx = b->gpa};

		if (csvsm_sim_guest_write(b->sim, b->gpa, b->page, 9 + len) != 0 ||
		    csvsm_sim_call(b->sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS ||
		    csvsm_sim_guest_read(b->sim, b->gpa, &rlen, 4) != 0 ||
		    rlen > SVSM_VTPM_RSP_MAX ||
		    csvsm_sim_guest_read(b->sim, b->gpa + 4, b->rsp, rlen) != 0)
			die("SVSM_VTPM_CMD failed");
	}
	t = now_s() - t;
	if (be32(b->rsp + 6) != 0)
		die("the TPM refused the benchmark command");
	return (double)n / t;
}

static double adapter_rate(struct bench *b, const uint8_t *cmd, uint32_t len, unsigned long n)
{
	size_t rlen;
	double t = now_s();

	for (unsigned long i = 0; i < n; i++)
		if (vtpm_execute(cmd, len, b->rsp, sizeof(b->rsp), &rlen) != 0)
			die("vtpm_execute failed");
	t = now_s() - t;
	if (be32(b->rsp + 6) != 0)
		die("the TPM refused the benchmark command");
	return (double)n / t;
}

/* libtpms alone, on the TPM the adapter runs (its own response buffer). */
static double direct_rate(const uint8_t *cmd, uint32_t len, unsigned long n)
{
	static unsigned char *rsp;
	static uint32_t rsp_size;
	unsigned char buf[128];
	uint32_t rlen = 0;
	double t;

	memcpy(buf, cmd, len);
	t = now_s();
	for (unsigned long i = 0; i < n; i++)
		if (TPMLIB_Process(&rsp, &rlen, &rsp_size, buf, len) != 0)
			die("TPMLIB_Process failed");
	t = now_s() - t;
	if (be32(rsp + 6) != 0)
		die("the TPM refused the benchmark command");
	return (double)n / t;
}

/* ---- swtpm ---- */

static int tcp_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int io_full(int fd, void *buf, size_t len, bool rd)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t k = rd ? read(fd, p, len) : write(fd, p, len);

		if (k <= 0)
			return -1;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

static double swtpm_rate(int fd, const uint8_t *cmd, uint32_t len, unsigned long n)
{
	uint8_t rsp[4096];
	double t = now_s();

	for (unsigned long i = 0; i < n; i++) {
		uint32_t rlen;

		if (io_full(fd, (void *)cmd, len, false) || io_full(fd, rsp, 10, true))
			die("swtpm I/O failed");
		rlen = be32(rsp + 2);
		if (rlen < 10 || rlen > sizeof(rsp) || io_full(fd, rsp + 10, rlen - 10, true))
			die("swtpm response malformed");
	}
	t = now_s() - t;
	if (be32(rsp + 6) != 0)
		die("swtpm refused the benchmark command");
	return (double)n / t;
}

/* Starts swtpm on a free port pair; returns its pid (0 when unavailable) and the socket. */
static pid_t swtpm_start(char *dir, int *fd)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		int port = 30000 + (int)(now_s() * 1000) % 15000 * 2;
		char server[96], ctrl[96], state[160], log[160];
		char *argv[] = {"swtpm",
		                "socket",
		                "--tpm2",
		                "--server",
		                server,
		                "--ctrl",
		                ctrl,
		                "--tpmstate",
		                state,
		                "--flags",
		                "not-need-init,startup-clear",
		                "--log",
		                log,
		                NULL};
		pid_t pid;

		snprintf(server, sizeof(server), "type=tcp,port=%d,bindaddr=127.0.0.1", port);
		snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1", port + 1);
		snprintf(state, sizeof(state), "dir=%s", dir);
		snprintf(log, sizeof(log), "file=%s/log", dir);
		if (posix_spawnp(&pid, "swtpm", NULL, NULL, argv, environ) != 0)
			return 0;
		for (int i = 0; i < 100; i++) {
			struct timespec ts = {0, 20000000};
			int st;

			*fd = tcp_connect(port);
			if (*fd >= 0)
				return pid;
			if (waitpid(pid, &st, WNOHANG) == pid)
				break;
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return 0;
}

static double best3(double (*fn)(void *, int), void *ctx, int which)
{
	double best = 0;

	for (int i = 0; i < 3; i++) {
		double r = fn(ctx, which);

		if (r > best)
			best = r;
	}
	return best;
}

struct run {
	struct bench *b;
	unsigned long n;
	int swtpm_fd;
};

static const uint8_t *cmd_of(int which, uint32_t *len)
{
	*len = which ? sizeof(pcr_extend) : sizeof(get_random);
	return which ? pcr_extend : get_random;
}

static double run_svsm(void *ctx, int which)
{
	struct run *r = ctx;
	uint32_t len;
	const uint8_t *cmd = cmd_of(which, &len);

	return svsm_rate(r->b, cmd, len, r->n);
}

static double run_adapter(void *ctx, int which)
{
	struct run *r = ctx;
	uint32_t len;
	const uint8_t *cmd = cmd_of(which, &len);

	return adapter_rate(r->b, cmd, len, r->n);
}

static double run_direct(void *ctx, int which)
{
	struct run *r = ctx;
	uint32_t len;
	const uint8_t *cmd = cmd_of(which, &len);

	return direct_rate(cmd, len, r->n);
}

static double run_swtpm(void *ctx, int which)
{
	struct run *r = ctx;
	uint32_t len;
	const uint8_t *cmd = cmd_of(which, &len);

	return swtpm_rate(r->swtpm_fd, cmd, len, r->n / 10);
}

int main(int argc, char **argv)
{
	static const char *names[2] = {"TPM2_GetRandom(32)", "TPM2_PCR_Extend(16, SHA-256)"};
	struct run run = {.n = 50000, .swtpm_fd = -1};
	struct bench *b = calloc(1, sizeof(*b));
	char dir[] = "/tmp/bench-vtpm.XXXXXX";
	struct csvsm_sim_layout l;
	struct blkdev dev;
	pid_t swtpm = 0;
	uint64_t list[2];

	if (argc == 3 && !strcmp(argv[1], "-n"))
		run.n = strtoul(argv[2], NULL, 0);
	else if (argc != 1)
		die("usage: bench-vtpm [-n N]");
	if (!b || run.n < 10)
		die("bad arguments or no memory");
	run.b = b;
	if (sim_nv_ram_open(&dev, 1u << 20) != 0)
		die("no NV device");
	sim_nv_use(&dev);
	b->sim = csvsm_sim_new(NULL);
	if (!b->sim || !vtpm_service_ready())
		die("no simulator or no vTPM");
	csvsm_sim_layout(b->sim, &l);
	b->gpa = l.free_ram_base;
	list[0] = 1;
	list[1] = b->gpa | SVSM_PVAL_VALIDATE;
	{
		struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE),
		                       .rcx = l.boot_caa_gpa + 8};

		if (csvsm_sim_guest_write(b->sim, l.boot_caa_gpa + 8, list, sizeof(list)) != 0 ||
		    csvsm_sim_call(b->sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS)
			die("cannot validate the buffer page");
	}
	if (mkdtemp(dir))
		swtpm = swtpm_start(dir, &run.swtpm_fd);

	for (int which = 0; which < 2; which++) {
		double full, adapter, direct, sw = 0;

		full = best3(run_svsm, &run, which);
		adapter = best3(run_adapter, &run, which);
		direct = best3(run_direct, &run, which);
		if (swtpm)
			sw = best3(run_swtpm, &run, which);
		printf("%s: %.0f/s through the SVSM path, %.0f/s through the adapter, %.0f/s "
		       "libtpms direct (SVSM/direct = %.3f)",
		       names[which], full, adapter, direct, full / direct);
		if (swtpm)
			printf(", %.0f/s swtpm socket (SVSM/swtpm = %.1f)\n", sw, full / sw);
		else
			printf(", swtpm not installed (comparison skipped)\n");
	}
	if (swtpm) {
		close(run.swtpm_fd);
		kill(swtpm, SIGTERM);
		waitpid(swtpm, NULL, 0);
	}
	if (dir[0]) {
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench-vtpm: could not remove %s\n", dir);
	}
	vtpm_boot_stop();
	csvsm_sim_free(b->sim);
	sim_nv_use(NULL);
	sim_nv_ram_close(&dev);
	free(b);
	return 0;
}
