#!/bin/sh
# Boots src/csvsm-kvm.elf with `selftest` under QEMU's software emulation
# (PVH through -kernel) and requires QEMU's status 33 (the image wrote 0x10
# to isa-debug-exit: (0x10 << 1) | 1) and "selftest: N passed, 0 failed".
# Also: without `selftest` a fatal exception report is never printed.
set -u
img=${top_builddir:-.}/src/csvsm-kvm.elf
qemu=${QEMU:-qemu-system-x86_64}
if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIP: $qemu not installed (Debian package qemu-system-x86; scripts/deps.sh installs it)"
	exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s%N)
timeout 120 "$qemu" -M microvm -accel tcg -cpu max -m 128M -nodefaults -no-reboot \
	-display none -monitor none -serial stdio -kernel "$img" -append selftest \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 >"$out" 2>&1 </dev/null
status=$?
end=$(date +%s%N)
cat "$out"
echo "qemu: status $status after $(((end - start) / 1000000)) ms"
if [ "$status" != 33 ]; then
	echo "FAIL: QEMU's status is $status, not 33 (0x10 through isa-debug-exit)"
	exit 1
fi
if ! grep -qE '^selftest: [1-9][0-9]* passed, 0 failed' "$out"; then
	echo "FAIL: no 'selftest: N passed, 0 failed' line"
	exit 1
fi
if grep -q 'FATAL exception' "$out"; then
	echo "FAIL: a fatal exception was reported"
	exit 1
fi
echo "PASS"
