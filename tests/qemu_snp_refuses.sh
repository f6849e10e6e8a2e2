#!/bin/sh
# csvsm-snp.elf started on something that is not an SEV-SNP guest (QEMU's
# software emulation) must say so on the serial port and halt: no exit
# through isa-debug-exit, no further boot. QEMU is stopped once the message
# is there (or after 60 s).
set -u
img=${top_builddir:-.}/src/csvsm-snp.elf
qemu=${QEMU:-qemu-system-x86_64}
if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIP: $qemu not installed (Debian package qemu-system-x86)"
	exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT
"$qemu" -M microvm -accel tcg -cpu max -m 128M -nodefaults -no-reboot -display none \
	-monitor none -serial stdio -kernel "$img" -append selftest \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 >"$out" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 600); do
	grep -q 'halted' "$out" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
sleep 0.3 # anything printed after the halt would show up now
running=yes
kill -0 "$pid" 2>/dev/null || running=no
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
cat "$out"
grep -q 'csvsm-snp: not an SEV-SNP guest' "$out" || { echo "FAIL: no 'not an SEV-SNP guest' message"; exit 1; }
grep -q 'runs only at VMPL0 of an SNP guest; halted' "$out" || { echo "FAIL: no 'halted'"; exit 1; }
[ "$running" = yes ] || { echo "FAIL: QEMU ended: the image exited instead of halting"; exit 1; }
grep -q '^selftest' "$out" && { echo "FAIL: the image went on past the check"; exit 1; }
echo "PASS"
