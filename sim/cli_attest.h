/* SPDX-License-Identifier: MIT */
#ifndef CSVSM_SIM_CLI_ATTEST_H
#define CSVSM_SIM_CLI_ATTEST_H

/* `csvsm-sim attest ...` (sim/cli_attest.c): argv[0] is "attest". Exit status. */
int sim_attest_main(int argc, char **argv);

#endif
