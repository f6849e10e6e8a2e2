#!/bin/sh
# Benchmarks of the bare-metal image (issue 8), run by scripts/bench.sh or
# by hand: sh bench/images.sh BUILD_DIR [RUNS]
#  1. QEMU TCG: wall time from starting qemu-system-x86_64 until it exits
#     after `selftest` (the whole boot), and the image's own count of the
#     self-tests' time. Goal: under 1 s.
#  2. The KVM runner: the same with `csvsm-sim kvm --selftest` (its
#     --stats line gives the time from the first KVM_RUN to the exit).
#     Goal: under 50 ms.
#  3. One serial-port I/O exit on KVM: the image's `bench-io=N` makes N OUT
#     instructions to COM1's scratch register and times them with the TSC;
#     the runner's run time with N and with 1 gives a second measurement.
set -eu
b=${1:?usage: images.sh BUILD_DIR [RUNS]}
runs=${2:-3}
img=$b/src/csvsm-kvm.elf
sim=$b/sim/csvsm-sim
ms() { echo $(($(date +%s%N) / 1000000)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== QEMU TCG boot to selftest done ($runs runs)"
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
	for i in $(seq 1 "$runs"); do
		t0=$(ms)
		st=0
		qemu-system-x86_64 -M microvm -accel tcg -cpu max -m 128M -nodefaults -no-reboot \
			-display none -monitor none -serial stdio -kernel "$img" -append selftest \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 >"$tmp/q" 2>&1 </dev/null || st=$?
		t1=$(ms)
		echo "qemu-tcg run $i: $((t1 - t0)) ms wall (status $st), $(grep -E '^selftest: (finished|[0-9])' "$tmp/q" | tr '\n' ' ')"
	done
else
	echo "qemu-tcg: qemu-system-x86_64 not installed"
fi

echo "== KVM runner boot to selftest done"
st=0
"$sim" kvm --selftest --stats "$img" >"$tmp/k" 2>"$tmp/ke" || st=$?
if [ "$st" = 77 ]; then
	echo "kvm: skipped: $(cat "$tmp/ke")"
	exit 0
fi
echo "kvm (status $st): $(grep -E '^selftest: (finished|[0-9])' "$tmp/k" | tr '\n' ' ')"
grep '^kvm:' "$tmp/ke" || true

echo "== KVM: one serial-port I/O exit"
n=20000
"$sim" kvm --stats --cmdline "bench-io=$n" "$img" >"$tmp/io" 2>"$tmp/ioe" || true
"$sim" kvm --stats --cmdline "bench-io=1" "$img" >/dev/null 2>"$tmp/io1e" || true
grep '^bench-io' "$tmp/io" || cat "$tmp/io" "$tmp/ioe"
tn=$(sed -n 's/.* \([0-9.]*\) ms from the first KVM_RUN.*/\1/p' "$tmp/ioe")
t1=$(sed -n 's/.* \([0-9.]*\) ms from the first KVM_RUN.*/\1/p' "$tmp/io1e")
if [ -n "$tn" ] && [ -n "$t1" ]; then
	awk -v a="$tn" -v b="$t1" -v n="$n" \
		'BEGIN { printf "kvm runner: (%.1f ms - %.1f ms) / %d = %.2f us per I/O exit round trip\n", a, b, n - 1, (a - b) * 1000 / (n - 1) }'
fi
