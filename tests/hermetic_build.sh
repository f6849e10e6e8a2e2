#!/bin/sh
# The offline build, proven: inside a network namespace with no interface
# but loopback (unshare -n), the prepared sources verify with --offline,
# the bare-metal libraries build (incrementally: the test command builds
# them from scratch in such a namespace too, scripts/bare-metal-for-tests.sh)
# and link with the core, and csvsm is configured in a new build directory
# and its images with the vTPM are built and checked there. A visible
# SKIP when the sources are not prepared, the libraries not built, or
# network namespaces are not permitted here. scripts/hermetic-build.sh does
# the whole thing (configure and build of csvsm too) from scratch.
set -eu
srcdir=$(cd "${srcdir:-.}" && pwd)
bm=$(cd "${BARE_METAL_DIR:-$srcdir/build-bare-metal}" 2>/dev/null && pwd) || bm=${BARE_METAL_DIR:-$srcdir/build-bare-metal}
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
work=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-hermetic.XXXXXX")
trap 'rm -rf "$work"' EXIT
rc=0
unshare -n sh -eu -c '
	srcdir=$1 tp=$2 bm=$3 b=$4 work=$5
	# /proc/net/dev lists the interfaces of this network namespace.
	for i in $(tail -n +3 /proc/net/dev | cut -d: -f1); do
		[ "$i" = lo ] || { echo "FAIL: network interface $i inside the namespace"; exit 1; }
	done
	echo "hermetic: only loopback"
	sh "$srcdir/scripts/prepare-sources.sh" --offline --no-apt-setup --dest "$tp"
	sh "$srcdir/scripts/build-bare-metal-libs.sh" --third-party "$tp" --out "$bm" --incremental-only
	sh "$srcdir/scripts/check-bare-metal-link.sh" "$b" "$bm" "$tp"
	# configure and the images (with and without the vTPM), from nothing.
	cd "$work"
	"$srcdir/configure" -q THIRD_PARTY_DIR="$tp" BARE_METAL_DIR="$bm" >configure.out 2>&1 ||
		{ tail -20 configure.out; echo "FAIL: configure with no network"; exit 1; }
	nice make -s -j2 src/csvsm-kvm.elf src/vtpm-image.stamp >make.out 2>&1 ||
		{ tail -30 make.out; echo "FAIL: building the images with no network"; exit 1; }
	for i in csvsm-kvm.elf csvsm-kvm-vtpm.elf csvsm-snp-vtpm.elf; do
		[ -s "src/$i" ] || { echo "FAIL: src/$i not built"; exit 1; }
	done
	echo "hermetic: configure and make built csvsm-kvm.elf, csvsm-kvm-vtpm.elf, csvsm-snp-vtpm.elf with no network"
' hermetic "$srcdir" "$tp" "$bm" "$b" "$work" || rc=$?
if [ "$rc" = 3 ]; then
	echo "SKIP: the bare-metal build is stale (OpenSSL must be configured afresh): run scripts/build-bare-metal-libs.sh"
	exit 77
fi
exit "$rc"
