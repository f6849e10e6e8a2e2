#!/bin/sh
# The part of the third-party TPM test suites that fits in `make check`:
# scripts/tpm-suites.sh --quick (IBM TSS groups and tpm2-tools integration
# tests against `csvsm-sim tpm-server`, with and without
# --platform-auth empty). Passes when every test passes with the option and
# the only failures without it are platform-hierarchy ones. Exit 77
# (skipped) when the suites' tarballs or the client tools are missing.
top_builddir=$(cd "${top_builddir:-.}" && pwd) || exit 99
srcdir=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
exec bash "$srcdir/scripts/tpm-suites.sh" --quick --build "$top_builddir"
