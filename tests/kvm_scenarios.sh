#!/bin/sh
# Both targets, one language: every fixtures/scenarios/*.scn runs with the
# guest's side in the guest program on KVM (--target kvm-guest) and must
# pass there, with a trace whose event sequence (types and arguments; times
# dropped) equals the in-process run's. The built-in workload too.
# SKIP (77) without /dev/kvm. docs/kvm-snp.md.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
top_builddir=${top_builddir:-.}
sim="$top_builddir/sim/csvsm-sim"
guest="$top_builddir/guest/csvsm-guest.elf"
scenarios="$srcdir/fixtures/scenarios"

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is not available: the KVM target is not tested"
	exit 77
fi
[ -x "$sim" ] && [ -f "$guest" ] || { echo "kvm_scenarios: $sim or $guest not built" >&2; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-kvmscn.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0

events() {
	sed -e 's/"t_ns":[0-9]*,//' "$1"
}

for scn in "$scenarios"/*.scn; do
	[ -e "$scn" ] || { echo "FAIL: no scenarios in $scenarios"; fail=1; break; }
	name=$(basename "$scn" .scn)
	count=$((count + 1))
	"$sim" -q run "$scn" --trace "$tmp/$name.shim" >"$tmp/$name.shim.out" 2>&1
	if ! "$sim" --target kvm-guest --guest "$guest" -q run "$scn" --trace "$tmp/$name.kvm" \
		>"$tmp/$name.kvm.out" 2>&1; then
		echo "FAIL: $name: expectations failed on the KVM target"
		sed -n '1,40p' "$tmp/$name.kvm.out"
		fail=$((fail + 1))
		continue
	fi
	events "$tmp/$name.shim" >"$tmp/$name.shim.ev"
	events "$tmp/$name.kvm" >"$tmp/$name.kvm.ev"
	if ! cmp -s "$tmp/$name.shim.ev" "$tmp/$name.kvm.ev"; then
		echo "FAIL: $name: the KVM target's events differ from the shim's"
		diff "$tmp/$name.shim.ev" "$tmp/$name.kvm.ev" | sed -n '1,20p'
		fail=$((fail + 1))
	fi
done
echo "kvm scenarios: $count run on both targets"

# The built-in workload: same output, same events.
"$sim" --trace "$tmp/w.shim" >"$tmp/w.shim.out" 2>&1
if ! "$sim" --target kvm-guest --guest "$guest" --trace "$tmp/w.kvm" >"$tmp/w.kvm.out" 2>&1; then
	echo "FAIL: the built-in workload on the KVM target"
	sed -n '1,40p' "$tmp/w.kvm.out"
	fail=$((fail + 1))
elif ! cmp -s "$tmp/w.shim.out" "$tmp/w.kvm.out"; then
	echo "FAIL: the built-in workload prints differently on the KVM target"
	diff "$tmp/w.shim.out" "$tmp/w.kvm.out" | sed -n '1,20p'
	fail=$((fail + 1))
else
	events "$tmp/w.shim" >"$tmp/w.shim.ev"
	events "$tmp/w.kvm" >"$tmp/w.kvm.ev"
	cmp -s "$tmp/w.shim.ev" "$tmp/w.kvm.ev" || {
		echo "FAIL: the built-in workload's events differ on the KVM target"
		fail=$((fail + 1))
	}
fi

# A wrong target is a usage error.
"$sim" --target nowhere >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --target nowhere is not a usage error"; fail=$((fail + 1)); }

[ "$fail" -eq 0 ] && echo "PASS: every scenario and the workload agree on both targets"
[ "$fail" -eq 0 ]
