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
