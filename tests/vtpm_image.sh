#!/bin/sh
# src/csvsm-kvm-vtpm.elf (the kvm image with the vTPM on the bare-metal
# libraries, vendor.mk) exists, passed check-image, carries libtpms and not
# the vtpm_absent.c stub, and its self-test passes under QEMU with the
# real TPM (libtpms + OpenSSL bare metal: manufacture, EK, GetRandom,
# PCR_Extend, PCR_Read); prints both images' sizes. A visible SKIP when the
# bare-metal libraries were not built (docs/bare-metal-libs.md).
set -u
b=${top_builddir:-.}
bm=${BARE_METAL_DIR:-}
if [ -z "$bm" ] || [ ! -f "$bm/libtpms.a" ]; then
	echo "SKIP: bare-metal libraries not built: scripts/build-bare-metal-libs.sh (then make)"
	exit 77
fi
for f in src/csvsm-kvm.elf src/csvsm-kvm-vtpm.elf src/csvsm-snp.elf src/csvsm-snp-vtpm.elf src/vtpm-image.stamp; do
	[ -f "$b/$f" ] || { echo "FAIL: $b/$f missing (make builds it when $bm/libtpms.a exists)"; exit 1; }
done
nm=${NM:-nm}
"$nm" "$b/src/csvsm-kvm-vtpm.elf" | grep -q ' TPMLIB_MainInit$' || { echo "FAIL: no libtpms in the vTPM image"; exit 1; }
"$nm" "$b/src/csvsm-kvm.elf" | grep -q ' TPMLIB_MainInit$' && { echo "FAIL: libtpms in the image without vTPM"; exit 1; }
for i in csvsm-kvm.elf csvsm-kvm-vtpm.elf csvsm-snp.elf csvsm-snp-vtpm.elf; do
	size "$b/src/$i" | awk -v i="$i" 'NR == 2 { printf "%s: text %d, data %d, bss %d bytes\n", i, $1, $2, $3 }'
	echo "$i: file $(wc -c <"$b/src/$i") bytes"
done
qemu=${QEMU:-qemu-system-x86_64}
if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIP: $qemu not installed (qemu-system-x86)"
	exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s%N)
timeout 300 "$qemu" -M microvm -accel tcg -cpu max -m 128M -nodefaults -no-reboot \
	-display none -monitor none -serial stdio -kernel "$b/src/csvsm-kvm-vtpm.elf" -append selftest \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 >"$out" 2>&1 </dev/null
status=$?
echo "qemu: status $status after $((($(date +%s%N) - start) / 1000000)) ms"
grep -E '^selftest: (vtpm|libc)|passed' "$out"
[ "$status" = 33 ] || { cat "$out"; echo "FAIL: QEMU status $status, not 33"; exit 1; }
grep -q '^selftest: vtpm/test_vtpm_commands: ok' "$out" || { echo "FAIL: the vTPM self-test did not pass"; exit 1; }
if grep -q 'this image has no TPM' "$out"; then echo "FAIL: the vTPM image has no TPM"; exit 1; fi
echo PASS
