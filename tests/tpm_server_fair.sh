#!/bin/bash
# `csvsm-sim tpm-server` serves every client at socket speed and fairly:
# - the delayed-ACK stall: 200 TPM2_GetRandom through tpm2-tss's mssim TCTI
#   (which writes the 9-byte header and the command separately, as
#   tpm2-tools does) within 4 s. The stall cost 40 ms each (~8 s); a healthy
#   server takes well under 0.5 s even under the sanitizers;
# - a client that sent half a command holds nobody: another is served at
#   once, and the first gets its answer when it completes the command;
# - a client that sends without reading its answers holds nobody either;
# - two commands in one write get two answers; a command larger than the
#   SVSM buffer gets TPM_RC_COMMAND_SIZE and the connection stays usable;
# - with 16 idle connections on each port (the documented limit), a new
#   client is still served.
# Expected bytes come from the TCG simulator protocol and TPM 2.0 Part 2/3.
# Exit 77 (skipped) without the mssim TCTI.
set -u
top_builddir=$(cd "${top_builddir:-.}" && pwd) || exit 99
srcdir=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-fair.XXXXXX") || exit 99
srv_pid=
. "$srcdir/tests/vtpm_lib.sh"
trap vt_cleanup EXIT
trap 'exit 1' INT TERM

if ! ldconfig -p 2>/dev/null | grep -q 'libtss2-tcti-mssim\.so'; then
	echo "SKIP: the mssim TCTI is missing (install libtss2-tcti-mssim0)"
	exit 77
fi
loop="$top_builddir/bench/tpm-loop"
[ -x "$loop" ] || { echo "FAIL: $loop not built"; exit 1; }

ms() { echo $(($(date +%s%N) / 1000000)); }

vt_start || exit 1
tcti="mssim:host=127.0.0.1,port=$port"

# TPM2_GetRandom(32): tag 8001, size 12, code 0000017b, bytesRequested 32.
GETRANDOM='\x80\x01\x00\x00\x00\x0c\x00\x00\x01\x7b\x00\x20'
# mssim SEND_COMMAND (8), locality 0, size 12.
SEND12='\x00\x00\x00\x08\x00\x00\x00\x00\x0c'
# The answer: u32 44, 8001 0000002c 00000000 (success), TPM2B of 32, u32 0.
ANSWER_HEAD=0000002c80010000002c000000000020

# ---- the stall ----
t0=$(ms)
if timeout 60 "$loop" --tcti "$tcti" -n 200 >"$tmp/stall.out" 2>&1; then
	t=$(($(ms) - t0))
	echo "200 GetRandom through the mssim TCTI: $t ms"
	[ "$t" -lt 4000 ] && ok || bad "200 GetRandom took $t ms (the delayed-ACK stall?)"
else
	bad "tpm-loop failed: $(cat "$tmp/stall.out")"
fi

# ---- half a command ----
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 99
printf "$SEND12"'\x80\x01\x00\x00\x00\x0c' >&3
sleep 0.2
t0=$(ms)
if timeout 20 "$loop" --tcti "$tcti" -n 1 >"$tmp/other.out" 2>&1; then
	t=$(($(ms) - t0))
	echo "another client while one holds half a command: $t ms"
	[ "$t" -lt 3000 ] && ok || bad "the other client waited $t ms"
else
	bad "the other client was not served while one held half a command"
fi
printf '\x00\x00\x01\x7b\x00\x20' >&3
got=$(timeout 10 head -c 52 <&3 | hex)
[ "${got:0:32}" = "$ANSWER_HEAD" ] && [ "${got: -8}" = 00000000 ] && [ ${#got} = 104 ] &&
	ok || bad "the trickling client's answer: $got"

# ---- two commands in one write ----
printf "$SEND12$GETRANDOM$SEND12$GETRANDOM" >&3
got=$(timeout 10 head -c 104 <&3 | hex)
[ "${got:0:32}" = "$ANSWER_HEAD" ] && [ "${got:104:32}" = "$ANSWER_HEAD" ] &&
	[ ${#got} = 208 ] && ok || bad "two pipelined commands: $got"

# ---- a command larger than the SVSM buffer (5000 bytes) ----
{
	printf '\x00\x00\x00\x08\x00\x00\x00\x13\x88'
	head -c 5000 /dev/zero
} >&3
got=$(timeout 10 head -c 18 <&3 | hex)
# u32 10, 8001 0000000a 00000142 (TPM_RC_COMMAND_SIZE), u32 0.
[ "$got" = 0000000a80010000000a0000014200000000 ] && ok || bad "oversized command: $got"
printf "$SEND12$GETRANDOM" >&3
got=$(timeout 10 head -c 52 <&3 | hex)
[ "${got:0:32}" = "$ANSWER_HEAD" ] && ok || bad "after the oversized command: $got"
exec 3>&-

# ---- a client that sends without reading its answers ----
# 50,000 GetRandom (2.6 MB of answers, more than the socket buffers hold):
# the server stops reading that client when its answers back up, and goes
# on serving the others.
printf "$SEND12$GETRANDOM%.0s" $(seq 50000) >"$tmp/flood.bin"
exec 4<>"/dev/tcp/127.0.0.1/$port" || exit 99
cat "$tmp/flood.bin" >&4 &
flood=$!
sleep 1
t0=$(ms)
if timeout 20 "$loop" --tcti "$tcti" -n 10 >"$tmp/flood.out" 2>&1; then
	t=$(($(ms) - t0))
	echo "another client beside one that does not read its answers: $t ms"
	[ "$t" -lt 3000 ] && ok || bad "the other client waited $t ms"
else
	bad "a client that does not read its answers held another"
fi
kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
exec 4>&-

# ---- a full table of idle connections ----
fds=()
for _ in $(seq 1 16); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || exit 99
	fds+=("$fd")
	exec {fd}<>"/dev/tcp/127.0.0.1/$((port + 1))" || exit 99
	fds+=("$fd")
done
sleep 0.2
t0=$(ms)
if timeout 20 "$loop" --tcti "$tcti" -n 10 >"$tmp/idle.out" 2>&1; then
	t=$(($(ms) - t0))
	echo "a new client beside 16 idle connections on each port: $t ms"
	[ "$t" -lt 3000 ] && ok || bad "the new client waited $t ms"
else
	bad "a new client was not served beside 16 idle connections per port: $(cat "$tmp/idle.out")"
fi
for fd in "${fds[@]}"; do exec {fd}>&-; done

vt_stop || bad "the server did not stop cleanly"
echo "tpm_server_fair: $steps steps passed, $fail failed (port $port)"
[ "$fail" -eq 0 ]
