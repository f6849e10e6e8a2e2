#!/bin/sh
# One NV commit of a libtpms-shaped state (~11 KB) on pflash and on
# virtio-blk inside a KVM virtual machine: the bare-metal image's nvtest
# (storage_nvtest) under `csvsm-sim kvm --nv`, with the device model behind
# real MMIO exits. Prints, per device, the commit time the image measured
# (its TSC) for each of ROUNDS boots after the first, the NV device's MMIO
# exits per boot (open + commit), and the ratio of the best times.
# Backing files live in /dev/shm so that the host's disk does not count.
# Usage: bench/kvm_storage.sh BUILDDIR [ROUNDS]   (needs /dev/kvm)
set -u
b=${1:-.}
rounds=${2:-3}
sim=$b/sim/csvsm-sim
img=$b/src/csvsm-kvm.elf
dir=$(mktemp -d /dev/shm/csvsm-kvmbench.XXXXXX 2>/dev/null || mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
best_pflash=
best_virtio=
for dev in pflash virtio; do
	best=
	for r in $(seq 0 "$rounds"); do
		out=$("$sim" kvm --nv "$dev:$dir/$dev.img" --cmdline nvtest --stats --timeout 600 "$img" 2>&1)
		st=$?
		if [ "$st" = 77 ]; then
			echo "kvm-storage: no usable KVM, skipped"
			exit 0
		fi
		[ "$st" = 0 ] || { echo "kvm-storage: $dev run failed:"; echo "$out"; exit 1; }
		[ "$r" = 0 ] && continue # the first boot also writes the copy slot
		us=$(echo "$out" | sed -n 's/.*stored boot [0-9]* (commit \([0-9]*\) us).*/\1/p')
		exits=$(echo "$out" | sed -n 's/.*NV device: \([0-9]*\) MMIO exits.*/\1/p')
		echo "kvm-storage: $dev boot $r: commit $us us, $exits MMIO exits (open + commit)"
		if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
	done
	eval "best_$dev=\$best"
done
echo "kvm-storage: best commit: pflash $best_pflash us, virtio-blk $best_virtio us," \
	"virtio-blk / pflash = 1/$((best_pflash / (best_virtio > 0 ? best_virtio : 1)))" \
	"(goal <= 1/20; load average now: $(cut -d' ' -f1 /proc/loadavg))"
