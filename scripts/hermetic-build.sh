#!/bin/sh
# The whole offline build from scratch, inside a network namespace with no
# interface but loopback (unshare -n, as root or with user namespaces):
#   prepare-sources.sh --offline (from a bundle, or from the prepared
#   third_party/), the bare-metal libraries, the host libtpms, configure
#   --with-libtpms=vendored, make, and the bare-metal link check.
# Usage: scripts/hermetic-build.sh [--bundle FILE] [--work DIR] [-j N]
# WORK (default: a new temporary directory, kept) gets third_party/,
# bare-metal/ and build/. Takes several minutes on 2 cores (OpenSSL).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bundle=""
work=""
jobs=2
while [ $# -gt 0 ]; do
	case $1 in
	--bundle) bundle=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	--work) work=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	*) echo "hermetic-build: unknown argument '$1'" >&2; exit 1 ;;
	esac
done
[ -n "$work" ] || work=$(mktemp -d /tmp/csvsm-hermetic.XXXXXX)
mkdir -p "$work"
work=$(cd "$work" && pwd)
if ! unshare -n true 2>/dev/null; then
	echo "hermetic-build: unshare -n is not permitted (run as root, or enable user namespaces)" >&2
	exit 1
fi
if [ -z "$bundle" ]; then
	[ -f "$top/third_party/.openssl-3.0.20.ok" ] ||
		{ echo "hermetic-build: run scripts/prepare-sources.sh first, or pass --bundle" >&2; exit 1; }
	bundle=$work/sources.tar
	sh "$top/scripts/prepare-sources.sh" --offline --no-apt-setup --pack "$bundle" >/dev/null
fi
start=$(date +%s)
unshare -n sh -eu -c '
	top=$1 work=$2 bundle=$3 jobs=$4
	# /proc/net/dev lists the interfaces of this network namespace.
	for i in $(tail -n +3 /proc/net/dev | cut -d: -f1); do
		[ "$i" = lo ] || { echo "hermetic-build: interface $i in the namespace" >&2; exit 1; }
	done
	echo "hermetic-build: network namespace with loopback only"
	sh "$top/scripts/prepare-sources.sh" --from "$bundle" --no-apt-setup --dest "$work/third_party"
	sh "$top/scripts/build-bare-metal-libs.sh" -j "$jobs" --third-party "$work/third_party" --out "$work/bare-metal"
	sh "$top/scripts/build-bare-metal-libs.sh" -j "$jobs" --third-party "$work/third_party" --out "$work/bare-metal" --host-libtpms
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	mkdir -p "$work/build"
	cd "$work/build"
	"$top/configure" -q --with-libtpms=vendored THIRD_PARTY_DIR="$work/third_party" BARE_METAL_DIR="$work/bare-metal"
	nice make -s -j"$jobs"
	sh "$top/scripts/check-bare-metal-link.sh" "$work/build" "$work/bare-metal" "$work/third_party"
' hermetic "$top" "$work" "$bundle" "$jobs"
echo "hermetic-build: done in $(($(date +%s) - start)) s, everything in $work"
