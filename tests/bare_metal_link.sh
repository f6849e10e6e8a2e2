#!/bin/sh
# The vTPM adapter, libtpms, libcrypto and the C runtime built bare metal
# link with the freestanding core leaving only plat_* undefined, and use no
# SSE/x87 state (scripts/check-bare-metal-link.sh). A visible SKIP when the
# bare-metal libraries have not been built (they take minutes: see
# docs/bare-metal-libs.md).
set -eu
srcdir=${srcdir:-.}
bm=${BARE_METAL_DIR:-$srcdir/build-bare-metal}
tp=${THIRD_PARTY_DIR:-$srcdir/third_party}
for f in libcrypto.a libtpms.a libcsvsm-libc.a; do
	if [ ! -f "$bm/$f" ]; then
		echo "SKIP: $bm/$f not built: scripts/prepare-sources.sh --from ../shared/vendor && scripts/build-bare-metal-libs.sh"
		exit 77
	fi
done
# The detector itself: an SSE instruction must be found.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int f(double *a) { return *a > 1.0; }\n' >"$work/sse.c"
${CC:-gcc} -O2 -c "$work/sse.c" -o "$work/sse.o"
re=$(sed -n "s/^fp_re='\(.*\)'\$/\1/p" "$srcdir/scripts/check-bare-metal-link.sh")
objdump -d --no-show-raw-insn "$work/sse.o" | grep -qE "$re" || { echo "FAIL: the SSE detector misses an SSE compare"; exit 1; }
exec sh "$srcdir/scripts/check-bare-metal-link.sh" "${top_builddir:-.}" "$bm" "$tp"
