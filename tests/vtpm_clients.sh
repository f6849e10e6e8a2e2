#!/bin/bash
# Real TPM clients through the whole SVSM path: `csvsm-sim tpm-server` on a
# free high port of 127.0.0.1, driven by tpm2-tools (mssim TCTI) and by the
# IBM TSS utilities (Debian package tss2, socket simulator interface):
# getrandom, pcrextend/pcrread (value checked against OpenSSL's SHA-256),
# createprimary, create/load, sign/verifysignature, quote/checkquote,
# nvdefine/nvwrite/nvread, and an NV index written in one run read back
# after the server restarts on the same state file.
# Exit 77 (skipped) when the client tools are not installed.
set -u
top_builddir=$(cd "${top_builddir:-.}" && pwd) || exit 99
srcdir=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-vtpm.XXXXXX") || exit 99
srv_pid=
. "$srcdir/tests/vtpm_lib.sh"
trap vt_cleanup EXIT
trap 'exit 1' INT TERM

for tool in tpm2_getrandom tpm2_createprimary tpm2_nvread tsspowerup tssstartup tssgetrandom; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool missing (install tpm2-tools, tss2 and libtss2-tcti-mssim0)"
		exit 77
	fi
done

if ! ldconfig -p 2>/dev/null | grep -q 'libtss2-tcti-mssim\.so'; then
	echo "SKIP: the mssim TCTI is missing (install libtss2-tcti-mssim0)"
	exit 77
fi

state="$tmp/tpm.state"
vt_start --state "$state" || exit 1
export TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=$port"
cd "$tmp" || exit 99

# ---- tpm2-tools ----
run getrandom tpm2_getrandom -o rand.bin 32 &&
	{ [ "$(stat -c %s rand.bin)" = 32 ] && ok || bad "getrandom: not 32 bytes"; }

digest=$(printf '%064x' 0 | sed 's/0/ab/g' | cut -c1-64)
run pcrextend tpm2_pcrextend "16:sha256=$digest"
run pcrread tpm2_pcrread -o pcr16.bin sha256:16
if command -v openssl >/dev/null 2>&1; then
	# PCR 16 starts at zero: new = SHA-256(zeros || digest) (TPM 2.0 Part 1 17.2).
	{ head -c 32 /dev/zero; printf "$(printf '%s' "$digest" | sed 's/../\\x&/g')"; } >ext.bin
	want=$(openssl dgst -sha256 -binary ext.bin | hex)
	got=$(hex <pcr16.bin)
	[ "$want" = "$got" ] && ok || bad "PCR 16 is $got, SHA-256 says $want"
fi

run createprimary tpm2_createprimary -C o -g sha256 -G ecc256 -c primary.ctx
flush
run create tpm2_create -C primary.ctx -G ecc256:ecdsa-sha256 -u key.pub -r key.priv \
	-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
flush
run load tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx
flush
printf 'csvsm vtpm test message\n' >msg.txt
run sign tpm2_sign -c key.ctx -g sha256 -o msg.sig msg.txt
flush
run verifysignature tpm2_verifysignature -c key.ctx -g sha256 -m msg.txt -s msg.sig
flush
run readpublic tpm2_readpublic -c key.ctx -f pem -o key.pem
flush
printf '0123456789abcdef' >nonce.bin
run quote tpm2_quote -c key.ctx -l sha256:16 -q 30313233343536373839616263646566 \
	-m quote.msg -s quote.sig -o quote.pcrs -g sha256
flush
run checkquote tpm2_checkquote -u key.pem -m quote.msg -s quote.sig -f quote.pcrs -g sha256 \
	-q 30313233343536373839616263646566

nvdata="written by tpm2-tools through the SVSM"
printf '%s' "$nvdata" >nv.in
run nvdefine tpm2_nvdefine 0x1500016 -C o -s ${#nvdata} -a 'ownerread|ownerwrite'
run nvwrite tpm2_nvwrite 0x1500016 -C o -i nv.in
run nvread tpm2_nvread 0x1500016 -C o -s ${#nvdata} -o nv.out &&
	{ cmp -s nv.in nv.out && ok || bad "nvread: contents differ"; }

# ---- IBM TSS (socket simulator interface; power-up, Startup, its own files) ----
mkdir -p tss
export TPM_INTERFACE_TYPE=socsim TPM_SERVER_TYPE=mssim TPM_SERVER_NAME=127.0.0.1
export TPM_COMMAND_PORT=$port TPM_PLATFORM_PORT=$((port + 1)) TPM_DATA_DIR="$tmp/tss"
run tsspowerup tsspowerup
run tssstartup tssstartup
run tssgetrandom tssgetrandom -by 16
run tsspcrextend tsspcrextend -ha 23 -halg sha256 -ic tss
run tsspcrread tsspcrread -ha 23 -halg sha256
run tsscreateprimary tsscreateprimary -hi o -ecc nistp256 -st
prim=$(sed -n 's/^Handle //p' "$tmp/tsscreateprimary.out")
run tsscreate tsscreate -hp "$prim" -ecc nistp256 -si -opu tss.pub -opr tss.priv
run tssload tssload -hp "$prim" -ipu tss.pub -ipr tss.priv
key=$(sed -n 's/^Handle //p' "$tmp/tssload.out")
run tsssign tsssign -hk "$key" -ecc -if msg.txt -os tss.sig
run tssverify tssverifysignature -hk "$key" -ecc -if msg.txt -is tss.sig
run tssquote tssquote -hp 23 -hk "$key" -salg ecc -os tssq.sig -oa tssq.att
run tssnvdefine tssnvdefinespace -hi o -ha 01500017 -sz 16
run tssnvwrite tssnvwrite -ha 01500017 -ic tss-nv-contents
run tssnvread tssnvread -ha 01500017 -sz 15 -of tssnv.out &&
	{ [ "$(cat tssnv.out)" = tss-nv-contents ] && ok || bad "tssnvread: contents differ"; }
run tssflush1 tssflushcontext -ha "$key"
run tssflush2 tssflushcontext -ha "$prim"

# ---- restart on the same state file ----
vt_stop || bad "the server did not stop cleanly"
vt_start --state "$state" || exit 1
export TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=$port"
run nvread-restart tpm2_nvread 0x1500016 -C o -s ${#nvdata} -o nv.again &&
	{ cmp -s nv.in nv.again && ok || bad "after restart: tpm2 NV index differs"; }
export TPM_COMMAND_PORT=$port TPM_PLATFORM_PORT=$((port + 1))
run tssnvread-restart tssnvread -ha 01500017 -sz 15 -of tssnv.again &&
	{ [ "$(cat tssnv.again)" = tss-nv-contents ] && ok || bad "after restart: TSS NV index differs"; }
vt_stop || bad "the server did not stop cleanly"

echo "vtpm_clients: $steps steps passed, $fail failed (port $port)"
[ "$fail" -eq 0 ]
