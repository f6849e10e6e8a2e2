# Attestation (issue 13): the SVSM attestation protocol (1), the SVSM's
# SNP guest message client (core, freestanding), the crypto adapter on
# libcrypto (hosted), and the emulated PSP with the simulated hypervisor's
# guest-request exit (sim/machine/psp.c is a machine model, shared with the
# KVM runner).
CORE_SOURCES += src/protocols/attest.c src/core/guest_msg.c
SIM_SOURCES += src/crypto/crypto_openssl.c sim/machine/psp.c sim/machine/psp.h \
	sim/hv_guest_msg.c sim/plat_guest_msg.c sim/sim_attest.c
noinst_HEADERS += \
	src/include/csvsm/abi/attest.h \
	src/include/csvsm/abi/snp_guest.h \
	src/include/csvsm/adapter/crypto.h \
	src/include/csvsm/attest.h \
	src/include/csvsm/guest_msg.h \
	src/include/csvsm/plat/guest_msg.h
csvsminclude_HEADERS += sim/include/csvsm/sim_attest.h

# The guest's view, checked with the openssl CLI alone (chain, signature,
# REPORT_DATA), and determinism.
TESTS += tests/attest_cli.sh
dist_check_SCRIPTS += tests/attest_cli.sh
