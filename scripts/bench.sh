#!/bin/sh
# Builds an optimised tree without sanitizers or debug poisoning in
# build-bench/ and runs every benchmark, then counts the instructions of one
# SVSM round trip with callgrind (repeatable, unlike wall time).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
[ -x configure ] && [ ! configure.ac -nt configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build-bench
cd build-bench
[ -f Makefile ] || ../configure -q --disable-debug CFLAGS="-O2 -g"
# One line per benchmark's targets, so that new benchmarks append a line.
make -s -j"$(nproc)" \
	bench/bench-alloc bench/bench-core bench/bench-vtpm \
	bench/tpm-loop sim/csvsm-sim sim/tcti/libtss2-tcti-csvsm.so.0 \
	src/csvsm-kvm.elf bench/bench-kvm guest/csvsm-guest.elf \
	bench/bench-storage \
	bench/bench-attest
echo "== bench-alloc"
./bench/bench-alloc
echo "== bench-core"
./bench/bench-core
echo "== bench-vtpm"
./bench/bench-vtpm
echo "== bench-kvm"
./bench/bench-kvm guest/csvsm-guest.elf || [ $? -eq 77 ]
echo "== bench-storage"
./bench/bench-storage
echo "== kvm-storage (NV commit inside a KVM VM: csvsm-sim kvm --nv)"
make -s src/csvsm-kvm.elf
sh ../bench/kvm_storage.sh . 3
echo "== bench-attest"
./bench/bench-attest
echo "== tpm clients: tpm-server, swtpm and the TCTI module through tpm2-tss"
bash ../bench/tpm_clients.sh .
if command -v valgrind >/dev/null 2>&1; then
	n=20000
	out=$(mktemp)
	valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
		--toggle-collect=bench_roundtrip_loop ./bench/bench-core --roundtrips $n 2>/dev/null
	ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
	rm -f "$out"
	echo "callgrind: $ir instructions for $n QUERY_PROTOCOL round trips = $((ir / n)) per round trip"
else
	echo "callgrind: valgrind not installed (apt-get install valgrind), instruction count skipped"
fi
echo "== the bare-metal image (bench/images.sh)"
sh "$top/bench/images.sh" .
echo "== image sizes with and without the vTPM (bench/image_sizes.sh)"
# The vTPM images need the bare-metal libraries (scripts/build-bare-metal-libs.sh).
make -s src/csvsm-snp.elf $([ -f "$top/build-bare-metal/libtpms.a" ] && echo src/vtpm-image.stamp)
sh "$top/bench/image_sizes.sh" .
