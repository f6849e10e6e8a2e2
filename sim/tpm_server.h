/* SPDX-License-Identifier: MIT */
/*
 * `csvsm-sim tpm-server`: the TCG TPM simulator ("mssim") socket protocol
 * on 127.0.0.1, in front of the vTPM of a simulated machine. Every TPM
 * command takes the full SVSM path: written by the harness (playing the
 * guest) into a validated guest page, SVSM_VTPM_CMD with csvsm_sim_call,
 * the response read back from the same page.
 */
#ifndef CSVSM_SIM_TPM_SERVER_H
#define CSVSM_SIM_TPM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Connections each port (TPM, platform) keeps open at once. A new one
 * beyond that closes the connection of that port that was active least
 * recently (an idle client), so a new client is always served. A tpm2-tss
 * mssim client holds one connection on each port.
 */
#define TPM_SERVER_MAX_CONNS 16u

/*
 * Runs the server; argv[0] is the subcommand's name ("tpm-server"), then
 * [--port P] [--state FILE] [-q]. Returns the process exit status: 0 after
 * a STOP signal or SIGINT/SIGTERM, 1 on a usage or start-up error, 3 when a
 * port is in use (a script may retry with another port).
 */
int sim_tpm_server_main(int argc, char **argv);

/*
 * A function-level entry to the two ports' protocol, without sockets to
 * listen on (tests/fuzz/fuzz_mssim.c): a server with its own machine (NV
 * in host RAM, vtpm_guest_open), powered on. NULL (with a message) when
 * the machine or its vTPM does not start; one per process. `quiet` also
 * drops the line per unknown command or signal that the listening server
 * prints: for a fuzzer every input is a bad client, and a line per input
 * (19 million lines, 1 GB in an hour's campaign) only kept the fuzzer and
 * its log reader waking each other.
 */
struct sim_tpm_server *sim_tpm_server_new(bool quiet);

/* Frees a server from sim_tpm_server_new and its machine. NULL is ignored. */
void sim_tpm_server_free(struct sim_tpm_server *srv);

/*
 * One connection: the `len` bytes a client sends to the TPM port (platform
 * false) or the platform port, then the end of its stream, handled as the
 * poll loop handles a connection (the same per-connection parser). What
 * the server answers goes to `out` (may be NULL). Returns 1 when the client
 * asked the server to stop, 0 when the connection ended otherwise, -1 when
 * the host has no socket pair or memory for it.
 */
int sim_tpm_server_feed(struct sim_tpm_server *srv, bool platform, const uint8_t *in, size_t len,
                        void (*out)(void *ctx, const uint8_t *buf, size_t len), void *ctx);

#endif /* CSVSM_SIM_TPM_SERVER_H */
