#!/bin/sh
# `csvsm-sim attest` verified with the openssl CLI alone, as a remote
# verifier would (issue 13):
# - the chain ark.pem -> ask.pem -> vcek.pem passes `openssl verify`;
# - the report's signature (ECDSA P-384, r and s little-endian at 0x2a0 and
#   0x2e8, abi 5.5) verifies with `openssl dgst -sha384 -verify` over bytes
#   [0, 0x2a0) of report.bin, r and s turned into a DER ECDSA-Sig-Value by
#   `openssl asn1parse -genconf` (the byte reversal done here with od);
# - REPORT_DATA (0x50, 64 bytes) = SHA-512(nonce || manifest.bin), from
#   `openssl dgst -sha512`;
# - the report says VMPL 0 and signature algorithm 1;
# - a flipped report byte, a flipped manifest byte or another nonce fail
#   these checks (the verifier's checks are not vacuous);
# - the same seed gives byte-identical files, another seed another VCEK
#   under the same ARK;
# - SINGLE_SERVICE (--single) works the same way.
set -u
top_builddir=${top_builddir:-.}
sim="$top_builddir/sim/csvsm-sim"
command -v openssl >/dev/null 2>&1 || { echo "attest_cli: no openssl CLI: SKIP"; exit 77; }
[ -x "$sim" ] || { echo "attest_cli: $sim not built" >&2; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-att.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
pass=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

# hex of `count` bytes of FILE at offset `off`, in file order
hexat() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
# the same bytes reversed (little-endian integer -> big-endian hex)
hexrev() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -s ' \n' '\n\n' | grep . | sed -n '1!G;h;$p' | tr -d '\n'; }
u32at() { od -An -v -tu4 -j "$2" -N 4 "$1" | tr -d ' \n'; }

# verify DIR NONCE_HEX: 0 when every verifier check passes
verify() {
	d=$1
	openssl verify -CAfile "$d/ark.pem" -untrusted "$d/ask.pem" "$d/vcek.pem" >/dev/null 2>&1 ||
		{ echo "  chain does not verify"; return 1; }
	openssl x509 -in "$d/vcek.pem" -pubkey -noout >"$d/vcek.pub" || return 1
	r=$(hexrev "$d/report.bin" 672 48)
	s=$(hexrev "$d/report.bin" 744 48)
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$r" "$s" >"$d/sig.cnf"
	openssl asn1parse -genconf "$d/sig.cnf" -out "$d/sig.der" >/dev/null || return 1
	head -c 672 "$d/report.bin" >"$d/signed.bin"
	openssl dgst -sha384 -verify "$d/vcek.pub" -signature "$d/sig.der" "$d/signed.bin" \
		>/dev/null 2>&1 || { echo "  signature does not verify"; return 1; }
	printf '%s' "$2" | sed 's/../\\x&/g' | xargs -0 printf >"$d/nonce.bin"
	want=$(cat "$d/nonce.bin" "$d/manifest.bin" | openssl dgst -sha512 -r | cut -d' ' -f1)
	got=$(hexat "$d/report.bin" 80 64)
	[ "$want" = "$got" ] || { echo "  REPORT_DATA $got != SHA-512(nonce||manifest) $want"; return 1; }
	[ "$(u32at "$d/report.bin" 48)" = 0 ] || { echo "  report VMPL not 0"; return 1; }
	[ "$(u32at "$d/report.bin" 52)" = 1 ] || { echo "  signature algo not 1"; return 1; }
	return 0
}

nonce=$(printf '%064x%064x' 1234567 7654321)
if "$sim" attest --nonce "$nonce" --out "$tmp/a" >"$tmp/a.log" 2>&1; then ok; else
	bad "csvsm-sim attest failed"; cat "$tmp/a.log"; fi
for f in report.bin manifest.bin certs.bin ark.pem ask.pem vcek.pem; do
	[ -s "$tmp/a/$f" ] && ok || bad "$f missing"
done
[ "$(wc -c <"$tmp/a/report.bin")" -eq 1184 ] && ok || bad "report.bin is not 0x4a0 bytes"
if verify "$tmp/a" "$nonce"; then ok; else bad "verifier rejected a genuine report"; fi
# The manifest lists the vTPM (GUID c476f1eb-0123-45a5-9641-b4e7dde5bfe3, EFI order at 24).
[ "$(hexat "$tmp/a/manifest.bin" 24 16)" = "ebf176c42301a5459641b4e7dde5bfe3" ] && ok ||
	bad "the manifest does not list the vTPM first"

# The checks are not vacuous.
cp -r "$tmp/a" "$tmp/t1"
printf '\001' | dd of="$tmp/t1/report.bin" bs=1 seek=160 conv=notrunc 2>/dev/null
verify "$tmp/t1" "$nonce" >/dev/null && bad "a tampered report verified" || ok
cp -r "$tmp/a" "$tmp/t2"
printf 'X' | dd of="$tmp/t2/manifest.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
verify "$tmp/t2" "$nonce" >/dev/null && bad "a tampered manifest verified" || ok
verify "$tmp/a" "$(printf '%0128x' 5)" >/dev/null && bad "another nonce verified" || ok

# Deterministic from the seed (without the vTPM, whose EK libtpms draws from
# OpenSSL); another seed, another VCEK under the same ARK.
"$sim" attest --no-vtpm --nonce "$nonce" --out "$tmp/n1" >/dev/null 2>&1 || bad "--no-vtpm failed"
"$sim" attest --no-vtpm --nonce "$nonce" --out "$tmp/n2" >/dev/null 2>&1 || bad "--no-vtpm failed"
verify "$tmp/n1" "$nonce" && ok || bad "--no-vtpm report does not verify"
[ "$(wc -c <"$tmp/n1/manifest.bin")" -eq 24 ] && ok || bad "--no-vtpm manifest is not an empty table"
for f in report.bin manifest.bin certs.bin ark.pem ask.pem vcek.pem; do
	cmp -s "$tmp/n1/$f" "$tmp/n2/$f" && ok || bad "$f differs between two runs of one seed"
done
"$sim" attest --seed 7 --nonce "$nonce" --out "$tmp/c" >/dev/null 2>&1 || bad "seed 7 run failed"
verify "$tmp/c" "$nonce" && ok || bad "seed 7 report does not verify"
cmp -s "$tmp/a/ark.pem" "$tmp/c/ark.pem" && ok || bad "the ARK depends on the seed"
cmp -s "$tmp/a/vcek.pem" "$tmp/c/vcek.pem" && bad "two seeds share a VCEK" || ok

# SINGLE_SERVICE: the vTPM's manifest is its EK public area (TPMT_PUBLIC, ECC = 0x0023).
"$sim" attest --single --nonce "$nonce" --out "$tmp/s" >/dev/null 2>&1 || bad "--single failed"
verify "$tmp/s" "$nonce" && ok || bad "SINGLE_SERVICE report does not verify"
[ "$(hexat "$tmp/s/manifest.bin" 0 2)" = "0023" ] && ok || bad "single manifest is no ECC TPMT_PUBLIC"

# Bad arguments: exit status 2.
"$sim" attest --nonce zz --out "$tmp/x" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "a bad nonce did not give exit status 2"

echo "attest_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
