#!/bin/sh
# QEMU's own devices as the judge of the storage drivers: boots
# src/csvsm-kvm.elf with `nvtest=SPEC` (storage_nvtest: verify the state
# the previous boot stored, store the next) under QEMU's software
# emulation, three times on the same backing file, for
# - a CFI flash: QEMU's pflash_cfi01 as the pc machine's second system
#   flash (unit 0 is the firmware, qboot; unit 1, 64 KiB, sits just below
#   it, ending at 4 GiB - 64 KiB, so the image is told
#   pflash@0xfffe0000:64K). microvm has no pflash, hence pc;
# - a virtio block device: QEMU's virtio-blk-device on microvm's
#   virtio-mmio bus, modern transport (force-legacy=false; QEMU's default is
#   the legacy version 1 the driver refuses), found by scanning microvm's 24
#   transports from 0xfeb00000.
# Each boot must exit through isa-debug-exit with 0x10 (QEMU status 33)
# and say "verified boot k, stored boot k+1"; afterwards the backing file
# must hold the NV store's magic ("CSNV"). Skipped visibly without QEMU or
# without the image.
set -u
top_builddir=${top_builddir:-.}
img=$top_builddir/src/csvsm-kvm.elf
qemu=${QEMU:-qemu-system-x86_64}
if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIP: $qemu not installed (Debian package qemu-system-x86; scripts/deps.sh installs it)"
	exit 77
fi
if [ ! -f "$img" ]; then
	echo "SKIP: $img not built (the bare-metal image, issue 8)"
	exit 77
fi
fw=
for f in /usr/share/qemu/qboot.rom /usr/share/qemu/bios-microvm.bin; do
	[ -f "$f" ] && { fw=$f; break; }
done
if [ -z "$fw" ]; then
	echo "SKIP: no qboot firmware for the pc machine's first flash"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-qemunv.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# run NAME SPEC EXPECT QEMU-ARGS...: one boot; its output must contain EXPECT.
run() {
	name=$1 spec=$2 expect=$3
	shift 3
	start=$(date +%s%N)
	timeout 120 "$qemu" -accel tcg -cpu max -m 128M -nodefaults -no-reboot -display none \
		-monitor none -serial stdio -kernel "$img" -append "nvtest=$spec" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" >"$tmp/out" 2>&1 </dev/null
	status=$?
	end=$(date +%s%N)
	sed "s/^/  $name: /" "$tmp/out"
	echo "  $name: QEMU status $status after $(((end - start) / 1000000)) ms"
	if [ "$status" != 33 ]; then
		echo "FAIL: $name: QEMU's status is $status, not 33"
		fail=$((fail + 1))
	elif ! grep -q "$expect" "$tmp/out"; then
		echo "FAIL: $name: no '$expect'"
		fail=$((fail + 1))
	fi
}

# pflash: 64 KiB, erased (all ones, as a new flash is).
cp "$fw" "$tmp/fw.bin"
head -c 65536 /dev/zero | tr '\0' '\377' >"$tmp/pflash.img"
pflash_args="-M pc -drive if=pflash,unit=0,format=raw,readonly=on,file=$tmp/fw.bin
	-drive if=pflash,unit=1,format=raw,file=$tmp/pflash.img"
# shellcheck disable=SC2086
run pflash-1 pflash@0xfffe0000:64K "pflash: blank device, stored boot 1" $pflash_args
# shellcheck disable=SC2086
run pflash-2 pflash@0xfffe0000:64K "pflash: verified boot 1, stored boot 2" $pflash_args
# shellcheck disable=SC2086
run pflash-3 pflash@0xfffe0000:64K "pflash: verified boot 2, stored boot 3" $pflash_args

# virtio-blk: 1 MiB of zeros.
head -c 1048576 /dev/zero >"$tmp/virtio.img"
virtio_args="-M microvm -global virtio-mmio.force-legacy=false
	-drive if=none,id=nv,format=raw,file=$tmp/virtio.img -device virtio-blk-device,drive=nv"
# shellcheck disable=SC2086
run virtio-1 virtio-scan@0xfeb00000:24 "virtio-blk: blank device, stored boot 1" $virtio_args
# shellcheck disable=SC2086
run virtio-2 virtio-scan@0xfeb00000:24 "virtio-blk: verified boot 1, stored boot 2" $virtio_args
# shellcheck disable=SC2086
run virtio-3 virtio-scan@0xfeb00000:24 "virtio-blk: verified boot 2, stored boot 3" $virtio_args

for f in pflash virtio; do
	if ! head -c 4 "$tmp/$f.img" | grep -q CSNV; then
		echo "FAIL: $f.img does not start with the NV store's magic"
		fail=$((fail + 1))
	fi
done
[ "$fail" -eq 0 ] && echo "PASS: 6 boots, state kept across QEMU restarts on pflash and virtio-blk"
[ "$fail" -eq 0 ]
