#!/bin/bash
# Crash safety of the vTPM's persistent state: `csvsm-sim tpm-server` on a
# state file is killed with SIGKILL at random points of a stream of
# NV_Write commands (tests/vtpm-stream writes value k to index k mod N and
# prints k once acknowledged). After every kill the server restarts on the
# same file and each index must hold exactly what the stream could have
# left there: the last acknowledged value written to it, or the value that
# was in flight when the server died (the old or the new one), never an
# older value, never garbage, and the TPM must start at all.
# VTPM_NV=pflash|virtio keeps the state on that device model instead, driven
# by the SVSM's own driver (tests/vtpm_crash_pflash.sh, _virtio.sh).
set -u
top_builddir=$(cd "${top_builddir:-.}" && pwd) || exit 99
srcdir=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd) || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-vtpmcrash.XXXXXX") || exit 99
srv_pid=
. "$srcdir/tests/vtpm_lib.sh"
trap vt_cleanup EXIT
trap 'exit 1' INT TERM

stream="$top_builddir/tests/vtpm-stream"
[ -x "$stream" ] || { echo "vtpm_crash: $stream not built" >&2; exit 99; }
rounds=${VTPM_CRASH_ROUNDS:-24}
indices=3
state="$tmp/tpm.state"
fail=0
next=1   # the first value of the next stream
declare -a want

vt_start --state "$state" ${VTPM_NV:+--nv "$VTPM_NV"} || exit 1
"$stream" "$port" define "$indices" || { echo "FAIL: define"; exit 1; }
for ((i = 0; i < indices; i++)); do want[i]=0; done
vt_stop || true

kills=0
writes=0
landed=0 # in-flight writes that turned out committed
for ((r = 1; r <= rounds; r++)); do
	vt_start --state "$state" ${VTPM_NV:+--nv "$VTPM_NV"} || { echo "FAIL: round $r: the server did not start"; exit 1; }
	# Check what the last crash left: per index, the last acknowledged value
	# or the one in flight (recorded below as want/inflight).
	if ! "$stream" "$port" read "$indices" >"$tmp/read" 2>&1; then
		echo "FAIL: round $r: the NV indices are unreadable after a crash"
		cat "$tmp/read"
		fail=$((fail + 1))
		break
	fi
	while read -r i v; do
		if [ "$v" != "${want[i]}" ] && [ "$v" != "${inflight[i]:-none}" ]; then
			echo "FAIL: round $r: index $i holds $v, expected ${want[i]} or ${inflight[i]:-nothing}"
			fail=$((fail + 1))
		fi
		[ "$v" = "${inflight[i]:-none}" ] && landed=$((landed + 1))
		want[i]=$v
	done <"$tmp/read"
	inflight=()
	[ "$fail" -eq 0 ] || break
	# A stream of writes, killed after a random delay (5..155 ms).
	"$stream" "$port" write "$indices" "$next" >"$tmp/acks" 2>/dev/null &
	client=$!
	sleep "0.$(printf '%03d' $((5 + RANDOM % 150)))"
	vt_kill9
	kills=$((kills + 1))
	wait "$client" 2>/dev/null
	last=$(tail -n 1 "$tmp/acks")
	if [ -n "$last" ]; then
		writes=$((writes + last - next + 1))
		# The last acknowledged value of each index.
		for ((k = last; k > last - indices && k >= next; k--)); do
			want[k % indices]=$k
		done
		next=$((last + 1))
	fi
	# The write that may have been in flight when the server died.
	inflight[next % indices]=$next
	next=$((next + 1))
done

echo "vtpm_crash: $kills kills, $writes acknowledged NV writes, $landed in-flight writes found" \
	"committed, $fail inconsistencies"
[ "$fail" -eq 0 ]
