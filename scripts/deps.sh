#!/bin/sh
# Installs the Debian packages csvsm needs that are not there yet (as root,
# through apt-get). Quiet and quick when nothing is missing.
#   build:      gcc make binutils pkg-config autoconf automake autoconf-archive
#   libraries:  check libtpms-dev libssl-dev libtss2-dev (TCTI module, TPM client loop)
#   style:      clang-format
#   TPM peers:  tpm2-tools tss2 (IBM TSS) swtpm swtpm-tools libtss2-tcti-mssim0
#               openssl (the vTPM client and crash tests, the attestation
#               verifier test, the swtpm benchmark)
#   fuzzing:    clang libclang-rt-14-dev (libFuzzer; make fuzz), llvm-14 (llvm-cov,
#               llvm-profdata: fuzz.sh --coverage), zip unzip (oss-fuzz/build.sh)
#   TPM suites: tpm2-abrmd libtss2-tcti-tabrmd0 dbus-daemon python3-yaml
#               iproute2 (scripts/tpm-suites.sh, tests/tpm_suites.sh)
#   benchmarks: valgrind (callgrind instruction counts)
#   images:     qemu-system-x86 (boots src/csvsm-kvm.elf in make check)
#   sources:    patch xz-utils perl (prepare-sources.sh, the OpenSSL build)
set -eu

# One group per line, so that a new need appends a line.
PACKAGES="gcc make binutils pkg-config autoconf automake autoconf-archive
check libtpms-dev libssl-dev libtss2-dev clang-format
tpm2-tools tss2 swtpm swtpm-tools libtss2-tcti-mssim0 openssl
clang libclang-rt-14-dev valgrind qemu-system-x86
llvm-14 zip unzip
patch xz-utils perl
tpm2-abrmd libtss2-tcti-tabrmd0 dbus-daemon python3-yaml iproute2"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; install these first: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
