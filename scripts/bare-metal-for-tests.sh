#!/bin/sh
# The test command's step for the bare-metal libraries (scripts/test.sh):
# prepares the pinned sources from the project's vendor directory beside the
# clone (../shared/vendor, as on the project's machines and in CI; OpenSSL
# through apt-get source) and builds the bare-metal libcrypto, libtpms and C
# runtime, the build inside a network namespace with loopback only
# (unshare -n) when this machine permits one. Afterwards `make check` links
# src/csvsm-kvm-vtpm.elf and runs tests/bare_metal_link.sh,
# tests/hermetic_build.sh and tests/vtpm_image.sh instead of skipping them.
#
# Usage: scripts/bare-metal-for-tests.sh [-j N] [--log FILE]
# Without the vendor directory (CSVSM_VENDOR_DIR overrides its place) it
# says so and does nothing: those tests then SKIP, naming the commands.
# Cost on an idle 2-core machine: about 1 min 5 s the first time (2 min of
# CPU, nearly all OpenSSL), a few seconds when nothing changed
# (docs/bare-metal-libs.md). Exit status 1 when a step failed, with the end
# of the log (default build-bare-metal/for-tests.log); scripts/test.sh then
# counts it as a failure.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=2
log=""
while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	*) echo "bare-metal-for-tests: unknown argument '$1'" >&2; exit 1 ;;
	esac
done
vendor=${CSVSM_VENDOR_DIR:-$top/../shared/vendor}
if [ ! -f "$vendor/libtpms-0.10.2.tar.gz" ]; then
	echo "bare-metal: $vendor/libtpms-0.10.2.tar.gz not found: bare_metal_link, hermetic_build and vtpm_image will SKIP"
	exit 0
fi
vendor=$(cd "$vendor" && pwd)
[ -n "$log" ] || { mkdir -p "$top/build-bare-metal"; log=$top/build-bare-metal/for-tests.log; }
start=$(date +%s)
fail() {
	echo "bare-metal: $1 failed after $(($(date +%s) - start)) s; the end of $log:"
	tail -n 25 "$log"
	exit 1
}
: >"$log"
sh "$top/scripts/prepare-sources.sh" --from "$vendor" >>"$log" 2>&1 || fail "scripts/prepare-sources.sh --from $vendor"
build="sh $top/scripts/build-bare-metal-libs.sh -j $jobs"
if unshare -n true 2>/dev/null; then
	# Nothing in the build may need the network: it runs without one.
	unshare -n sh -eu -c '
		for i in $(tail -n +3 /proc/net/dev | cut -d: -f1); do
			[ "$i" = lo ] || { echo "interface $i in the namespace" >&2; exit 1; }
		done
		echo "bare-metal: building in a network namespace with loopback only"
		'"$build" >>"$log" 2>&1 || fail "scripts/build-bare-metal-libs.sh (in unshare -n)"
	where="with no network"
else
	$build >>"$log" 2>&1 || fail "scripts/build-bare-metal-libs.sh"
	where="(unshare -n not permitted here, built with the network present)"
fi
echo "bare-metal: sources prepared and libraries built $where in $(($(date +%s) - start)) s"
