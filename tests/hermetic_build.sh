#!/bin/sh
# The offline build, proven: inside a network namespace with no interface
# but loopback (unshare -n), the prepared sources verify with --offline,
# the bare-metal libraries build (incrementally: the first full build is
# by hand, see docs/bare-metal-libs.md) and link with the core. A visible
# SKIP when the sources are not prepared, the libraries not built, or
# network namespaces are not permitted here. scripts/hermetic-build.sh does
# the whole thing (configure and build of csvsm too) from scratch.
set -eu
srcdir=${srcdir:-.}
bm=${BARE_METAL_DIR:-$srcdir/build-bare-metal}
tp=${THIRD_PARTY_DIR:-$srcdir/third_party}
b=$(cd "${top_builddir:-.}" && pwd)
if [ ! -f "$tp/.openssl-3.0.20.ok" ] || [ ! -f "$tp/.libtpms-0.10.2.ok" ] || [ ! -f "$bm/libcrypto.a" ]; then
	echo "SKIP: sources not prepared or libraries not built: scripts/prepare-sources.sh --from ../shared/vendor && scripts/build-bare-metal-libs.sh"
	exit 77
fi
if ! unshare -n true 2>/dev/null; then
	echo "SKIP: unshare -n is not permitted here (needs root or user namespaces)"
	exit 77
fi
rc=0
unshare -n sh -eu -c '
	srcdir=$1 tp=$2 bm=$3 b=$4
	# /proc/net/dev lists the interfaces of this network namespace.
	for i in $(tail -n +3 /proc/net/dev | cut -d: -f1); do
		[ "$i" = lo ] || { echo "FAIL: network interface $i inside the namespace"; exit 1; }
	done
	echo "hermetic: only loopback"
	sh "$srcdir/scripts/prepare-sources.sh" --offline --no-apt-setup --dest "$tp"
	sh "$srcdir/scripts/build-bare-metal-libs.sh" --third-party "$tp" --out "$bm" --incremental-only
	sh "$srcdir/scripts/check-bare-metal-link.sh" "$b" "$bm" "$tp"
' hermetic "$srcdir" "$tp" "$bm" "$b" || rc=$?
if [ "$rc" = 3 ]; then
	echo "SKIP: the bare-metal build is stale (OpenSSL must be configured afresh): run scripts/build-bare-metal-libs.sh"
	exit 77
fi
exit "$rc"
