#!/bin/sh
# The storage drivers in the bare-metal image against the device models as
# MMIO exits of the KVM runner: `csvsm-sim kvm --nv pflash|virtio:FILE
# --cmdline nvtest` twice per device on the same file (the runner hands
# the image its device as `nvdev=SPEC`); the second boot must verify what
# the first stored. A bad --nv is refused (status 2). Without a usable
# /dev/kvm: a visible SKIP (77) with the runner's reason.
set -u
b=${top_builddir:-.}
sim=$b/sim/csvsm-sim
img=$b/src/csvsm-kvm.elf
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-kvmnv.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

"$sim" kvm --nv floppy:"$tmp/x" --cmdline nvtest "$img" 2>"$tmp/err"
st=$?
if [ "$st" = 77 ]; then
	echo "SKIP: $(cat "$tmp/err")"
	exit 77
fi
if [ "$st" != 2 ] || ! grep -q 'pflash:FILE or virtio:FILE' "$tmp/err"; then
	echo "FAIL: --nv floppy:FILE gave status $st"
	cat "$tmp/err"
	fail=1
fi

for dev in pflash virtio; do
	name=$dev
	[ "$dev" = virtio ] && name=virtio-blk
	n=1
	for want in "$name: blank device, stored boot 1" "$name: verified boot 1, stored boot 2"; do
		"$sim" kvm --nv "$dev:$tmp/$dev.img" --cmdline nvtest --stats --timeout 300 "$img" \
			>"$tmp/out" 2>&1
		st=$?
		sed "s/^/  $dev-$n: /" "$tmp/out"
		if [ "$st" = 77 ]; then
			echo "SKIP: no usable KVM"
			exit 77
		fi
		if [ "$st" != 0 ] || ! grep -q "$want" "$tmp/out"; then
			echo "FAIL: $dev boot $n: status $st, expected '$want'"
			fail=1
		fi
		n=$((n + 1))
	done
done
[ "$fail" = 0 ] && echo "PASS: the state survived a reboot of the KVM runner on pflash and virtio-blk"
exit "$fail"
