#!/bin/sh
# Usage: check-bare-metal-link.sh BUILDDIR [BARE_METAL_DIR] [THIRD_PARTY_DIR]
#
# Compiles the vTPM adapter (src/vtpm/vtpm_engine.c, vtpm_setup.c) with the
# image's flags against the bare-metal libcrypto, libtpms and C runtime
# (scripts/build-bare-metal-libs.sh), links it with the freestanding core of
# BUILDDIR (src/libcsvsm-core-fs.a) into one relocatable object, and checks:
#  - nothing is left undefined but the platform interface (plat_*), with
#    scripts/check-freestanding.sh;
#  - no instruction touches SSE/AVX or x87 state (the image does not save
#    it): no xmm/ymm/zmm/st registers in the disassembly.
# Prints the object's size (what the vTPM adds to an image).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=$(cd "$1" && pwd)
bm=${2:-$top/build-bare-metal}
tp=${3:-$top/third_party}
CC=${CC:-gcc}
NM=${NM:-nm}
for f in libcrypto.a libtpms.a libcsvsm-libc.a; do
	[ -f "$bm/$f" ] || { echo "check-bare-metal-link: $bm/$f missing: run scripts/build-bare-metal-libs.sh" >&2; exit 2; }
done
[ -f "$b/src/libcsvsm-core-fs.a" ] || { echo "check-bare-metal-link: $b/src/libcsvsm-core-fs.a missing: run make in $b" >&2; exit 2; }
fs=$(sed -n 's/^FREESTANDING_CFLAGS = //p' "$b/Makefile")
[ -n "$fs" ] || { echo "check-bare-metal-link: no FREESTANDING_CFLAGS in $b/Makefile" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in vtpm_engine vtpm_setup; do
	# shellcheck disable=SC2086
	$CC $fs -Wall -Wextra -Werror -include "$b/config.h" -I"$top/src/plat/libc/include" -I"$top/src/include" \
		-I"$bm/libtpms/gen" -I"$tp/libtpms-0.10.2/include" -I"$tp/libtpms-0.10.2/include/libtpms" \
		-c "$top/src/vtpm/$f.c" -o "$work/$f.o"
done
${LD:-ld} -r -o "$work/vtpm-image.o" "$work/vtpm_engine.o" "$work/vtpm_setup.o" --start-group \
	"$bm/libtpms.a" "$bm/libcrypto.a" "$bm/libcsvsm-libc.a" "$b/src/libcsvsm-core-fs.a" --end-group
NM=$NM sh "$top/scripts/check-freestanding.sh" "$work/vtpm-image.o" "$top/src/include/csvsm/plat"
# Register operands, or an x87/SSE-state mnemonic right after the address.
fp_re='%(xmm|ymm|zmm|st)[0-9(]|^[[:space:]]*[0-9a-f]+:[[:space:]]+(f[a-z0-9]+|[a-z]*xsave[a-z0-9]*|[a-z]*xrstor[a-z0-9]*|ldmxcsr|stmxcsr|emms)[[:space:]]'
fp=$(objdump -d --no-show-raw-insn "$work/vtpm-image.o" | grep -cE "$fp_re" || true)
if [ "$fp" != 0 ]; then
	echo "check-bare-metal-link: $fp instructions use SSE/AVX/x87 state:" >&2
	objdump -d --no-show-raw-insn "$work/vtpm-image.o" | grep -E "$fp_re" | head -5 >&2
	exit 1
fi
echo "check-bare-metal-link: no SSE/AVX/x87 instruction"
size "$work/vtpm-image.o" | awk 'NR == 2 { printf "check-bare-metal-link: vTPM + libraries + core: text %d, data %d, bss %d bytes\n", $1, $2, $3 }'
