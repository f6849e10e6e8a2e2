/* SPDX-License-Identifier: MIT */
/*
 * tests/vtpm-stream: a minimal mssim client (TCG TPM simulator protocol)
 * for tests/vtpm_crash.sh. Talks to `csvsm-sim tpm-server` on 127.0.0.1.
 *
 *   vtpm-stream PORT define N   defines NV indices BASE..BASE+N-1 (8 bytes,
 *                               owner read/write) holding 0
 *   vtpm-stream PORT write N K  writes value k = K, K+1, ... to index
 *                               k mod N, printing "k" (flushed) after each
 *                               acknowledged write, until the server dies
 *   vtpm-stream PORT read N     prints "i value" for each index; exit 1 if
 *                               a read fails
 *
 * Commands are marshalled per TPM 2.0 Part 3 (NV_DefineSpace 31.3,
 * NV_Write 31.7, NV_Read 31.13) with a password session, empty owner auth.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NV_BASE      0x01500100u
#define TPM_RH_OWNER 0x40000001u
#define TPM_RS_PW    0x40000009u

struct cmd {
	uint8_t b[256];
	size_t n;
};

static void put(struct cmd *c, uint32_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		c->b[c->n++] = (uint8_t)(v >> (8 * i));
}

static void begin(struct cmd *c, uint32_t cc)
{
	c->n = 0;
	put(c, 0x8002, 2);
	put(c, 0, 4);
	put(c, cc, 4);
}

static void pw_session(struct cmd *c)
{
	put(c, 9, 4);
	put(c, TPM_RS_PW, 4);
	put(c, 0, 2);
	put(c, 0, 1);
	put(c, 0, 2);
}

static size_t finish(struct cmd *c)
{
	c->b[2] = (uint8_t)(c->n >> 24);
	c->b[3] = (uint8_t)(c->n >> 16);
	c->b[4] = (uint8_t)(c->n >> 8);
	c->b[5] = (uint8_t)c->n;
	return c->n;
}

static int full_io(int fd, void *buf, size_t len, int rd)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = rd ? recv(fd, p, len, 0) : send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int connect_port(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Sends one command (TPM_SEND_COMMAND, locality 0); returns the TPM rc or -1. */
static long transact(int fd, const struct cmd *c, uint8_t *rsp, size_t max, size_t *len)
{
	uint32_t hdr[2] = {htonl(8), 0}, n, trailer;
	uint8_t loc = 0;

	hdr[1] = htonl((uint32_t)c->n);
	if (full_io(fd, hdr, 4, 0) || full_io(fd, &loc, 1, 0) || full_io(fd, &hdr[1], 4, 0) ||
	    full_io(fd, (void *)c->b, c->n, 0) || full_io(fd, &n, 4, 1))
		return -1;
	n = ntohl(n);
	if (n < 10 || n > max || full_io(fd, rsp, n, 1) || full_io(fd, &trailer, 4, 1))
		return -1;
	*len = n;
	return (long)((uint32_t)rsp[6] << 24 | (uint32_t)rsp[7] << 16 | (uint32_t)rsp[8] << 8 |
	              rsp[9]);
}

static long nv_write(int fd, uint32_t index, uint64_t value)
{
	uint8_t rsp[4096];
	struct cmd c;
	size_t len;

	begin(&c, 0x137);
	put(&c, TPM_RH_OWNER, 4);
	put(&c, index, 4);
	pw_session(&c);
	put(&c, 8, 2);
	put(&c, (uint32_t)(value >> 32), 4);
	put(&c, (uint32_t)value, 4);
	put(&c, 0, 2);
	finish(&c);
	return transact(fd, &c, rsp, sizeof(rsp), &len);
}

int main(int argc, char **argv)
{
	uint8_t rsp[4096];
	struct cmd c;
	size_t len;
	int port, count, fd;

	if (argc < 4) {
		fprintf(stderr, "usage: vtpm-stream PORT define|write|read N [K]\n");
		return 2;
	}
	port = atoi(argv[1]);
	count = atoi(argv[3]);
	fd = connect_port(port);
	if (fd < 0 || count < 1 || count > 64) {
		fprintf(stderr, "vtpm-stream: cannot connect to port %d\n", port);
		return 1;
	}
	if (!strcmp(argv[2], "define")) {
		for (int i = 0; i < count; i++) {
			begin(&c, 0x12a);
			put(&c, TPM_RH_OWNER, 4);
			pw_session(&c);
			put(&c, 0, 2);  /* auth */
			put(&c, 14, 2); /* TPMS_NV_PUBLIC */
			put(&c, NV_BASE + (uint32_t)i, 4);
			put(&c, 0x000b, 2);
			put(&c, (1u << 1) | (1u << 17), 4); /* OWNERWRITE | OWNERREAD */
			put(&c, 0, 2);
			put(&c, 8, 2);
			finish(&c);
			if (transact(fd, &c, rsp, sizeof(rsp), &len) != 0 ||
			    nv_write(fd, NV_BASE + (uint32_t)i, 0) != 0) {
				fprintf(stderr, "vtpm-stream: define %d failed\n", i);
				return 1;
			}
		}
		return 0;
	}
	if (!strcmp(argv[2], "write") && argc > 4) {
		for (uint64_t k = strtoull(argv[4], NULL, 10);; k++) {
			long rc = nv_write(fd, NV_BASE + (uint32_t)(k % (uint64_t)count), k);

			if (rc != 0) {
				fprintf(stderr, "vtpm-stream: write %llu: %ld\n",
				        (unsigned long long)k, rc);
				return rc < 0 ? 0 : 1; /* the server died: expected */
			}
			printf("%llu\n", (unsigned long long)k);
			fflush(stdout);
		}
	}
	if (!strcmp(argv[2], "read")) {
		for (int i = 0; i < count; i++) {
			begin(&c, 0x14e);
			put(&c, TPM_RH_OWNER, 4);
			put(&c, NV_BASE + (uint32_t)i, 4);
			pw_session(&c);
			put(&c, 8, 2);
			put(&c, 0, 2);
			finish(&c);
			if (transact(fd, &c, rsp, sizeof(rsp), &len) != 0 || len < 24 ||
			    rsp[14] != 0 || rsp[15] != 8) {
				fprintf(stderr, "vtpm-stream: read %d failed\n", i);
				return 1;
			}
			{
				uint64_t v = 0;

				for (int b = 0; b < 8; b++)
					v = v << 8 | rsp[16 + b];
				printf("%d %llu\n", i, (unsigned long long)v);
			}
		}
		return 0;
	}
	fprintf(stderr, "vtpm-stream: unknown mode %s\n", argv[2]);
	return 2;
}
