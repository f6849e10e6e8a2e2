#!/bin/sh
# Usage: check-image.sh IMAGE
# Checks a bare-metal image from the outside: an ELF64 x86-64 executable,
# the PVH entry note (Xen note type 18, XEN_ELFNOTE_PHYS32_ENTRY), no
# undefined symbol at all, and the core's protocol handlers present.
set -eu
img=$1
nm=${NM:-nm}
readelf=${READELF:-readelf}
fail() {
	echo "check-image: $img: $*" >&2
	exit 1
}
[ -f "$img" ] || fail "no such file"
hdr=$("$readelf" -h "$img" 2>/dev/null) || fail "not an ELF file"
echo "$hdr" | grep -q 'Class: *ELF64' || fail "not ELF64"
echo "$hdr" | grep -q 'Machine: *Advanced Micro Devices X86-64' || fail "not x86-64"
undef=$("$nm" -u "$img")
[ -z "$undef" ] || fail "undefined symbols: $(echo "$undef" | awk '{print $NF}' | tr '\n' ' ')"
echo "$hdr" | grep -q 'Type: *EXEC' || fail "not an executable"
"$readelf" -n "$img" | grep -E '^[[:space:]]*Xen[[:space:]]+0x00000008[[:space:]]+(Unknown note type: \(0x00000012\)|.*PHYS32)' >/dev/null ||
	fail "no PVH entry note (Xen note 18 with an 8-byte address)"
for sym in svsm_dispatch svsm_core_protocol svsm_vtpm_protocol svsm_boot; do
	"$nm" "$img" | grep -qE " T $sym\$" || fail "the core's $sym is missing"
done
echo "check-image: $img ok (ELF64 x86-64, PVH note, no undefined symbols, core handlers present)"
