#!/bin/sh
# Both bare-metal images checked from the outside (scripts/check-image.sh:
# ELF64 x86-64 executable, PVH note, no undefined symbol, the core's
# protocol handlers present), and the check itself refuses an image whose
# PVH note is gone and an object with an undefined symbol.
set -u
b=${top_builddir:-.}
s=${srcdir:-.}/scripts/check-image.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for img in "$b/src/csvsm-kvm.elf" "$b/src/csvsm-snp.elf"; do
	sh "$s" "$img" || exit 1
done
cp "$b/src/csvsm-kvm.elf" "$tmp/nonote.elf"
off=$(readelf -lW "$tmp/nonote.elf" | awk '$1 == "NOTE" { print $2 }')
printf '\021' | dd of="$tmp/nonote.elf" bs=1 seek=$((off + 8)) conv=notrunc 2>/dev/null
if sh "$s" "$tmp/nonote.elf" 2>"$tmp/err"; then
	echo "FAIL: an image without PVH note passed"
	exit 1
fi
grep -q 'no PVH entry note' "$tmp/err" || { cat "$tmp/err"; exit 1; }
printf 'extern int missing(void);\nint f(void) { return missing(); }\n' >"$tmp/u.c"
if ${CC:-cc} -c -o "$tmp/u.o" "$tmp/u.c" 2>/dev/null; then
	if sh "$s" "$tmp/u.o" 2>"$tmp/err"; then
		echo "FAIL: an object with an undefined symbol passed"
		exit 1
	fi
	cat "$tmp/err"
fi
echo "PASS"
