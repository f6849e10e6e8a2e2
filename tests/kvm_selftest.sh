#!/bin/sh
# The KVM runner from the outside:
#  - bad images are refused with a message and status 2, KVM or not;
#  - with a usable /dev/kvm: `csvsm-sim kvm --selftest src/csvsm-kvm.elf`
#    exits 0 with "selftest: N passed, 0 failed", and a guest that runs too
#    long is stopped (status 3, "timeout", registers) instead of hanging.
#  - without one: a visible SKIP (77) with the runner's reason.
set -u
b=${top_builddir:-.}
sim=$b/sim/csvsm-sim
img=$b/src/csvsm-kvm.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# 1. Bad images: status 2 and a reason, before KVM is touched.
printf 'not an image\n' >"$tmp/text"
"$sim" kvm "$tmp/text" 2>"$tmp/err"
st=$?
cat "$tmp/err"
[ "$st" = 2 ] || fail "a text file gave status $st, not 2"
grep -q 'bad image: not an ELF' "$tmp/err" || fail "no 'not an ELF' message"

cp "$img" "$tmp/nonote.elf"
off=$(readelf -lW "$img" | awk '$1 == "NOTE" { print $2 }')
[ -n "$off" ] || fail "no NOTE segment in $img"
# n_type of the first note (offset + 8): 18 -> 17.
printf '\021' | dd of="$tmp/nonote.elf" bs=1 seek=$((off + 8)) conv=notrunc 2>/dev/null
"$sim" kvm --selftest "$tmp/nonote.elf" 2>"$tmp/err"
st=$?
cat "$tmp/err"
[ "$st" = 2 ] || fail "an image without PVH note gave status $st, not 2"
grep -q 'no PVH entry note' "$tmp/err" || fail "no 'no PVH entry note' message"

"$sim" kvm --mem 1 "$img" 2>"$tmp/err"
st=$?
[ "$st" = 2 ] || fail "--mem 1 gave status $st, not 2"

# 2. No KVM: a clear reason and status 77.
CSVSM_KVM_DEVICE=$tmp/no-such-device "$sim" kvm --selftest "$img" 2>"$tmp/err"
st=$?
cat "$tmp/err"
[ "$st" = 77 ] || fail "without KVM the status is $st, not 77"
grep -q 'no usable KVM: cannot open' "$tmp/err" || fail "no 'no usable KVM' reason"

# 3. KVM itself.
# PVM emulates the image's kernel code: minutes on a loaded machine, not ms.
"$sim" kvm --selftest --stats --timeout 600 "$img" >"$tmp/out" 2>"$tmp/err"
st=$?
cat "$tmp/out" "$tmp/err"
if [ "$st" = 77 ]; then
	echo "SKIP: no usable /dev/kvm ($(grep 'no usable KVM' "$tmp/err"))"
	exit 77
fi
[ "$st" = 0 ] || fail "csvsm-sim kvm --selftest exited $st, not 0"
grep -qE '^selftest: [1-9][0-9]* passed, 0 failed' "$tmp/out" || fail "no 'selftest: N passed, 0 failed'"

"$sim" kvm --selftest --timeout 1 "$img" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ "$st" = 0 ]; then
	echo "note: the self-tests finished within 1 s; the timeout path was not reached"
else
	cat "$tmp/err"
	[ "$st" = 3 ] || fail "a timed-out guest gave status $st, not 3"
	grep -q 'timeout' "$tmp/err" || fail "no timeout message"
	grep -q 'rip' "$tmp/err" || fail "no register dump on timeout"
fi
echo "PASS"
