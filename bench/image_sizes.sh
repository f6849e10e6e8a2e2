#!/bin/sh
# The bare-metal images' sizes with and without the vTPM (issue 12): for
# each of csvsm-kvm.elf, csvsm-kvm-vtpm.elf, csvsm-snp.elf and
# csvsm-snp-vtpm.elf in BUILD_DIR/src, one line with text, data and bss
# (binutils `size`), the ELF file's size and the size of a stripped copy
# (what a loader reads: no symbol table); then what the vTPM adds to each.
# Run by scripts/bench.sh or by hand: sh bench/image_sizes.sh BUILD_DIR
# Images that were not built are named as such (the vTPM images need
# scripts/build-bare-metal-libs.sh first).
set -eu
b=${1:?usage: image_sizes.sh BUILD_DIR}
size=${SIZE:-size}
strip=${STRIP:-strip}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sizes IMAGE: prints "text data bss file stripped" or nothing.
sizes() {
	[ -f "$b/src/$1" ] || return 0
	set -- "$b/src/$1"
	tdb=$("$size" "$1" | awk 'NR == 2 { print $1, $2, $3 }')
	"$strip" --strip-all -o "$tmp/s" "$1"
	echo "$tdb $(wc -c <"$1" | tr -d ' ') $(wc -c <"$tmp/s" | tr -d ' ')"
}
for i in csvsm-kvm csvsm-kvm-vtpm csvsm-snp csvsm-snp-vtpm; do
	v=$(sizes "$i.elf")
	if [ -z "$v" ]; then
		echo "image-size $i.elf: not built"
		continue
	fi
	echo "$v" | awk -v i="$i.elf" \
		'{ printf "image-size %s: text %d, data %d, bss %d bytes; file %d bytes, stripped %d bytes\n", i, $1, $2, $3, $4, $5 }'
	echo "$v" >"$tmp/$i"
done
for p in kvm snp; do
	[ -f "$tmp/csvsm-$p" ] && [ -f "$tmp/csvsm-$p-vtpm" ] || continue
	paste -d' ' "$tmp/csvsm-$p" "$tmp/csvsm-$p-vtpm" | awk -v p="$p" \
		'{ printf "image-size vTPM adds to csvsm-%s.elf: text +%d, data +%d, bss +%d bytes; stripped file +%d bytes (x%.1f)\n", p, $6 - $1, $7 - $2, $8 - $3, $10 - $5, $10 / $5 }'
done
# Where the vTPM image's bytes come from: every sized symbol of
# csvsm-kvm-vtpm.elf (nm -S: code, read-only data, data, bss) counted for
# the bare-metal archive that defines a symbol of that name (libcrypto,
# libtpms, the C runtime), else for csvsm itself. Local symbols of the same
# name in two archives count for the first: a close estimate, not a map.
bm=${BARE_METAL_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build-bare-metal}
img=$b/src/csvsm-kvm-vtpm.elf
if [ -f "$img" ] && [ -f "$bm/libcrypto.a" ]; then
	for a in libcrypto libtpms libcsvsm-libc; do
		nm --defined-only "$bm/$a.a" 2>/dev/null | awk -v a="$a" 'NF == 3 { print $3, a }'
	done | sort -u -k1,1 >"$tmp/owners"
	nm -S --defined-only "$img" | awk 'NF == 4 { print $4, $2 }' | sort -k1,1 |
		join -a 1 -1 1 -2 1 - "$tmp/owners" |
		awk 'function hex(h,  i, n) { n = 0; h = tolower(h)
		         for (i = 1; i <= length(h); i++) n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		         return n }
		     { s[NF >= 3 ? $3 : "csvsm"] += hex($2) }
		     END { printf "image-size csvsm-kvm-vtpm.elf by origin (symbol bytes): libcrypto %d, libtpms %d, C runtime %d, csvsm %d\n",
		           s["libcrypto"], s["libtpms"], s["libcsvsm-libc"], s["csvsm"] }'
fi
