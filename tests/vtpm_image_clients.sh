#!/bin/bash
# The same tpm2-tools session through the shim (`csvsm-sim tpm-server`) and
# through the SVSM image's vTPM under the KVM runner (`csvsm-sim --target
# kvm tpm-server --image src/csvsm-kvm-vtpm.elf`), each on its own state
# file: getrandom; pcrextend and pcrread; createprimary, create, load,
# sign and verifysignature (and the signature checked by OpenSSL against
# the key's public PEM); nvdefine and nvwrite; then the server restarts on
# the same state file and nvread reads the index back. Asserted: each
# session's PCR 16 equals SHA-256(zeros || digest) computed with OpenSSL,
# its NV contents equal what was written, before and after the restart,
# and the two sessions' PCR values and NV contents agree.
#
# The image's session runs twice, on its two NV devices: virtio (the
# default) and pflash (`--nv pflash`: CFI flash, one MMIO exit per byte
# written); the shim's once.
#
# A visible SKIP (exit 77) without tpm2-tools, without /dev/kvm, without
# the vTPM image (the bare-metal libraries were not built), when
# `tpm-server --target kvm` says it cannot run here (status 77, reason
# printed), or when KVM runs the image too slowly here: its vTPM is not
# answering CSVSM_IMAGE_BOOT_WAIT seconds after the server started
# (default 60). The rule protects the session's time: the image serves its
# vTPM at CPL 3 (docs/kvm-snp.md), and its boot took 0.5-1 s on this
# project's 2-core nested-KVM (PVM) machine, idle or loaded, so 60 s is a
# margin of 60x for load; a KVM that needs longer (one that emulates
# CPL 3 code too: minutes per boot, as PVM does for ring 0) would take
# most of an hour for the ~30 steps. Setting CSVSM_IMAGE_BOOT_WAIT=900
# runs the session there anyway.
# A server that stops or says it has no vTPM is a failure, not a skip.
# VTPM_IMAGE_TARGET=shim runs the image's session on the shim instead (to
# check this script where KVM is missing; never used by make check).
set -u
top_builddir=$(cd "${top_builddir:-.}" && pwd) || exit 99
srcdir=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-vtpm-image.XXXXXX") || exit 99
srv_pid=
. "$srcdir/tests/vtpm_lib.sh"
trap vt_cleanup EXIT
trap 'exit 1' INT TERM

for tool in tpm2_getrandom tpm2_pcrextend tpm2_pcrread tpm2_createprimary tpm2_sign \
	tpm2_verifysignature tpm2_nvdefine tpm2_nvread openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool missing (install tpm2-tools, openssl)"
		exit 77
	fi
done
image="$top_builddir/src/csvsm-kvm-vtpm.elf"
second=${VTPM_IMAGE_TARGET:-kvm}
if [ "$second" = kvm ]; then
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "SKIP: /dev/kvm is not available here"
		exit 77
	fi
	if [ ! -f "$image" ]; then
		echo "SKIP: $image not built (scripts/build-bare-metal-libs.sh, then make)"
		exit 77
	fi
	second_opts=(--target kvm --image "$image")
else
	second_opts=(--target shim)
fi

digest=$(printf 'cd%.0s' $(seq 32))
# PCR 16 starts at zero: new = SHA-256(zeros || digest) (TPM 2.0 Part 1 17.2).
{ head -c 32 /dev/zero; printf "$(printf '%s' "$digest" | sed 's/../\\x&/g')"; } >"$tmp/ext.bin"
want_pcr=$(openssl dgst -sha256 -binary "$tmp/ext.bin" | hex)
nvdata="the same NV contents through the shim and the image"

# start_server NAME SERVER-OPTIONS...: vt_start; exits 77 (SKIP) when the
# server cannot run here or is too slow to answer, fails the step otherwise.
start_server() {
	local name=$1 st=0 wait=10
	shift
	case $name in image*) wait=${CSVSM_IMAGE_BOOT_WAIT:-60} ;; esac
	VT_START_WAIT=$wait vt_start "$@" || st=$?
	case $st in
	0) return 0 ;;
	77) echo "SKIP: $name: $(cat "$tmp/server.why")" ;;
	124) echo "SKIP: $name: the vTPM image under KVM was not answering after $wait s on this" \
		"machine; CSVSM_IMAGE_BOOT_WAIT=SECONDS waits longer. Its output so far:"
		sed 's/^/  /' "$tmp/server.why" ;;
	*) bad "$name: the server did not start"; return 1 ;;
	esac
	[ "$fail" -eq 0 ] || { echo "(after $fail failed steps)"; exit 1; }
	exit 77
}

# session NAME SERVER-OPTIONS...: the client steps against one server;
# leaves NAME.pcr16 (hex) and NAME.nv, NAME.nv-restart (contents) in $tmp.
session() {
	local name=$1 st
	shift
	local d="$tmp/$name"
	mkdir -p "$d"
	start_server "$name" --state "$d/tpm.state" "$@" || return 1
	export TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=$port"
	cd "$d" || exit 99
	run "$name-getrandom" tpm2_getrandom -o rand.bin 32 &&
		{ [ "$(stat -c %s rand.bin)" = 32 ] && ok || bad "$name: getrandom: not 32 bytes"; }
	run "$name-pcrextend" tpm2_pcrextend "16:sha256=$digest"
	run "$name-pcrread" tpm2_pcrread -o pcr16.bin sha256:16 && hex <pcr16.bin >"$tmp/$name.pcr16"
	[ "$(cat "$tmp/$name.pcr16" 2>/dev/null)" = "$want_pcr" ] && ok ||
		bad "$name: PCR 16 is $(cat "$tmp/$name.pcr16" 2>/dev/null), OpenSSL says $want_pcr"
	run "$name-createprimary" tpm2_createprimary -C o -g sha256 -G ecc256 -c primary.ctx
	flush
	run "$name-create" tpm2_create -C primary.ctx -G ecc256:ecdsa-sha256 -u key.pub -r key.priv \
		-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
	flush
	run "$name-load" tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx
	flush
	printf 'signed by the csvsm vTPM (%s)\n' "$name" >msg.txt
	run "$name-sign" tpm2_sign -c key.ctx -g sha256 -o msg.sig msg.txt
	flush
	run "$name-verify" tpm2_verifysignature -c key.ctx -g sha256 -m msg.txt -s msg.sig
	flush
	# A second signature as plain DER, checked by OpenSSL with the public key.
	run "$name-sign-der" tpm2_sign -c key.ctx -g sha256 -f plain -o msg.der msg.txt
	flush
	run "$name-readpublic" tpm2_readpublic -c key.ctx -f pem -o key.pem
	flush
	run "$name-openssl-verify" openssl dgst -sha256 -verify key.pem -signature msg.der msg.txt
	printf '%s' "$nvdata" >nv.in
	run "$name-nvdefine" tpm2_nvdefine 0x1500020 -C o -s ${#nvdata} -a 'ownerread|ownerwrite'
	run "$name-nvwrite" tpm2_nvwrite 0x1500020 -C o -i nv.in
	run "$name-nvread" tpm2_nvread 0x1500020 -C o -s ${#nvdata} -o "$tmp/$name.nv"
	vt_stop || bad "$name: the server did not stop cleanly"
	start_server "$name" --state "$d/tpm.state" "$@" || return 1
	export TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=$port"
	run "$name-nvread-restart" tpm2_nvread 0x1500020 -C o -s ${#nvdata} -o "$tmp/$name.nv-restart"
	for f in nv nv-restart; do
		cmp -s nv.in "$tmp/$name.$f" && ok || bad "$name: $f: the NV index differs from what was written"
	done
	vt_stop || bad "$name: the server did not stop cleanly after the restart"
	cd "$tmp" || exit 99
}

# The image first: when it cannot be served, the SKIP comes before any work.
session image "${second_opts[@]}"
t0=$(date +%s)
session image-pflash "${second_opts[@]}" --nv pflash
echo "vtpm_image_clients: the pflash session took $(($(date +%s) - t0)) s"
session shim --target shim
for f in pcr16 nv nv-restart; do
	for img in image image-pflash; do
		cmp -s "$tmp/shim.$f" "$tmp/$img.$f" && ok ||
			bad "$f differs: shim $(hex <"$tmp/shim.$f"), $img $(hex <"$tmp/$img.$f")"
	done
done

echo "vtpm_image_clients: $steps steps passed, $fail failed (second session: $second)"
[ "$fail" -eq 0 ]
