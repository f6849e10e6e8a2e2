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

#endif /* CSVSM_SIM_TPM_SERVER_H */
