#!/bin/bash
# tpm2-tools through the in-process TCTI module (libtss2-tcti-csvsm), each
# tool its own process booting the simulated machine on one state file:
# - `-T csvsm:state=FILE` (found through the loader's libtss2-tcti-<name>
#   search), TPM2TOOLS_TCTI, and the module's full path;
# - getrandom; pcrextend and pcrread (in one process through tpm-loop,
#   checked against OpenSSL's SHA-256; across processes PCRs start again
#   from zero, as after a hibernation, which is checked too); createprimary,
#   then create, load and readpublic on its saved context in later
#   processes (saved contexts survive the TPM Restart between processes);
#   nvdefine and nvwrite, then nvread in another process;
# - SIGKILL of a process writing NV: the next one reads the last value
#   acknowledged or the one in flight (the NV store's crash safety);
# - two processes on one state file at once: the second waits for the first;
#   with wait=0 it fails at once with a message; bad configurations fail.
# The tools and the module are built without sanitizers.
# Exit 77 (skipped) when tpm2-tools is not installed.
set -u
top_builddir=$(cd "${top_builddir:-.}" && pwd) || exit 99
srcdir=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-tcti.XXXXXX") || exit 99
srv_pid=
. "$srcdir/tests/vtpm_lib.sh"
trap vt_cleanup EXIT
trap 'exit 1' INT TERM

for tool in tpm2_getrandom tpm2_pcrextend tpm2_pcrread tpm2_createprimary tpm2_nvread openssl flock; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool missing (install tpm2-tools, openssl, util-linux)"
		exit 77
	fi
done
module="$top_builddir/sim/tcti/libtss2-tcti-csvsm.so.0"
loop="$top_builddir/bench/tpm-loop"
[ -f "$module" ] && [ -x "$loop" ] || { echo "FAIL: module or tpm-loop not built"; exit 1; }
# The loader finds libtss2-tcti-csvsm.so.0 by name here, as after make install.
export LD_LIBRARY_PATH="$top_builddir/sim/tcti${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
unset TPM2TOOLS_TCTI TCTI

cd "$tmp" || exit 99
st="$tmp/tpm.state"
T="csvsm:state=$st"

# ---- the three ways to name the module ----
run getrandom tpm2_getrandom -T "$T" -o rand.bin 32 &&
	{ [ "$(stat -c %s rand.bin)" = 32 ] && ok || bad "getrandom: not 32 bytes"; }
[ "$(stat -c %s "$st")" = 1048576 ] && ok || bad "the state file was not created (1 MiB)"
run getrandom-env env TPM2TOOLS_TCTI="$T" tpm2_getrandom --hex 16 &&
	{ [ "$(wc -c <"$tmp/getrandom-env.out")" = 32 ] && ok || bad "getrandom --hex 16: $(cat "$tmp/getrandom-env.out")"; }
run getrandom-path tpm2_getrandom -T "$module:state=$st" -o rand2.bin 8

# ---- PCRs ----
digest=$(printf 'ab%.0s' $(seq 32))
# Within one process: PCR 16 after three extends = H(H(H(0 || d) || d) || d)
# (TPM 2.0 Part 1 17.2), computed with OpenSSL.
printf "$(printf '%s' "$digest" | sed 's/../\\x&/g')" >d.bin
head -c 32 /dev/zero >pcr.bin
for _ in 1 2 3; do
	cat pcr.bin d.bin | openssl dgst -sha256 -binary >pcr.new && mv pcr.new pcr.bin
done
want=$(hex <pcr.bin)
run pcrvalue "$loop" --tcti "$T" --op pcrvalue -n 3 &&
	{ [ "$(cat "$tmp/pcrvalue.out")" = "$want" ] && ok || bad "PCR 16 is $(cat "$tmp/pcrvalue.out"), OpenSSL says $want"; }
# Through the tools: extend in one process, read in the next (a TPM Restart: zero).
run pcrextend tpm2_pcrextend -T "$T" "16:sha256=$digest"
run pcrread tpm2_pcrread -T "$T" -o pcr16.bin sha256:16 &&
	{ [ "$(hex <pcr16.bin)" = "$(printf '0%.0s' $(seq 64))" ] && ok || bad "PCR 16 after a reboot: $(hex <pcr16.bin)"; }

# ---- keys ----
run createprimary tpm2_createprimary -T "$T" -C o -g sha256 -G ecc256 -c primary.ctx
run create tpm2_create -T "$T" -C primary.ctx -G ecc256:ecdsa-sha256 -u key.pub -r key.priv
run load tpm2_load -T "$T" -C primary.ctx -u key.pub -r key.priv -c key.ctx
run readpublic tpm2_readpublic -T "$T" -c primary.ctx

# A client's own TPM2_Shutdown(CLEAR) stands: the next boot is a TPM Reset,
# and the saved context of the primary key is refused (TPM_RC_INTEGRITY).
if command -v tpm2_shutdown >/dev/null 2>&1; then
	run shutdown-clear tpm2_shutdown -T "$T" -c
	if tpm2_readpublic -T "$T" -c primary.ctx >"$tmp/after-reset.out" 2>&1; then
		bad "a saved context survived the client's TPM2_Shutdown(CLEAR)"
	else
		grep -q 'integrity' "$tmp/after-reset.out" && ok ||
			bad "after Shutdown(CLEAR): $(cat "$tmp/after-reset.out")"
	fi
fi

# ---- NV: define and write, read in another process ----
nvdata="written through the csvsm TCTI module"
printf '%s' "$nvdata" >nv.in
run nvdefine tpm2_nvdefine -T "$T" 0x1500018 -C o -s ${#nvdata} -a 'ownerread|ownerwrite'
run nvwrite tpm2_nvwrite -T "$T" 0x1500018 -C o -i nv.in
run nvread tpm2_nvread -T "$T" 0x1500018 -C o -s ${#nvdata} -o nv.out &&
	{ cmp -s nv.in nv.out && ok || bad "nvread: contents differ"; }

# ---- SIGKILL while writing NV ----
# tpm2_nvwrite processes write 1, 2, 3, ... into an index, one after the
# other; the whole group is killed at an arbitrary point. The index must
# then hold the last value acknowledged or the one in flight.
run nvdefine-crash tpm2_nvdefine -T "$T" 0x1500019 -C o -s 8 -a 'ownerread|ownerwrite'
echo 0 >acked
setsid bash -c '
	for i in $(seq 1 100000); do
		printf "%08d" "$i" >v
		tpm2_nvwrite -T "$1" 0x1500019 -C o -i v >/dev/null 2>&1 || exit 1
		echo "$i" >acked.new && mv acked.new acked
	done' writer "$T" &
writer=$!
sleep 1.5
kill -KILL -- "-$writer" 2>/dev/null
wait "$writer" 2>/dev/null
acked=$(cat acked)
if run nvread-crash tpm2_nvread -T "$T,wait=5000" 0x1500019 -C o -s 8 -o crash.out; then
	got=$((10#$(cat crash.out)))
	echo "killed after $acked acknowledged writes; the index holds $got"
	{ [ "$acked" -gt 0 ] && { [ "$got" = "$acked" ] || [ "$got" = $((acked + 1)) ]; }; } && ok ||
		bad "after SIGKILL: $got, last acknowledged $acked"
fi

# ---- one state file, two processes ----
flock "$st" sleep 1 &
holder=$!
sleep 0.2
if tpm2_getrandom -T "$T,wait=0" 8 >"$tmp/busy.out" 2>&1; then
	bad "a state file in use was opened with wait=0"
else
	grep -q 'EBUSY\|in use\|busy' "$tmp/busy.out" && ok || bad "no reason given: $(cat "$tmp/busy.out")"
fi
run waits tpm2_getrandom -T "$T,wait=20000" -o rand3.bin 8
wait "$holder"

# ---- bad configurations ----
if tpm2_getrandom -T "csvsm:colour=blue" 8 >"$tmp/badconf.out" 2>&1; then
	bad "an unknown configuration key was accepted"
else
	grep -q "bad configuration item 'colour=blue'" "$tmp/badconf.out" && ok ||
		bad "bad configuration: $(cat "$tmp/badconf.out")"
fi

echo "tcti_tools: $steps steps passed, $fail failed"
[ "$fail" -eq 0 ]
