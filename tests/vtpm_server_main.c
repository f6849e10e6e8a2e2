/* SPDX-License-Identifier: MIT */
/*
 * tests/vtpm-server: `csvsm-sim tpm-server` as a program of its own, for the
 * integration scripts while the csvsm-sim command line does not route the
 * subcommand yet (same code: sim_tpm_server_main in libcsvsm-sim).
 */
#include "tpm_server.h"

int main(int argc, char **argv)
{
	return sim_tpm_server_main(argc, argv);
}
