#!/bin/bash -eu
# Builds every csvsm fuzz target the way OSS-Fuzz and ClusterFuzzLite do
# (docs/fuzzing.md): the environment gives $SRC (the sources are in
# $SRC/csvsm), $OUT, $WORK, $CC, $CFLAGS and $LIB_FUZZING_ENGINE. Each
# target tests/fuzz/fuzz-T becomes $OUT/fuzz-T, with its seed corpus as
# $OUT/fuzz-T_seed_corpus.zip, and a dictionary and options where they help.
# The build tree is $WORK/csvsm-build: a second run only rebuilds what
# changed. tests/fuzz/oss-fuzz-check.sh runs this script in the test suite.
src=${SRC:?}/csvsm
out=${OUT:?}
build=${WORK:?}/csvsm-build

# Each target and its seed folder under fixtures/corpus/ (- for none).
targets="fuzz-core:core fuzz-nvstore-load:nvstore fuzz-vtpm-cmd:vtpm-cmd
fuzz-vtpm-state:vtpm-state fuzz-hv:hv fuzz-mssim:mssim fuzz-scenario:scenario
fuzz-storage-dev:storage-dev fuzz-attest:attest fuzz-nvseal:nvseal"

if [ ! -x "$src/configure" ]; then
	(cd "$src" && autoreconf -fi)
fi
mkdir -p "$build" "$out"
cd "$build"
if [ ! -f Makefile ] || ! grep -q -x "abs_top_srcdir = $src" Makefile; then
	# Only the fuzz targets are built here, from the sources, with the
	# flags below; configure's own compiler checks need no fuzzer flags.
	CFLAGS= "$src/configure" -q CC="$CC"
fi
# The host libraries a target needs (libtpms, OpenSSL) go into $OUT/lib,
# where the runner image finds them through the rpath.
make -j"$(nproc)" fuzz-targets \
	FUZZ_CLANG="$CC" \
	FUZZ_CFLAGS="\$(CSVSM_WARN_CFLAGS) $CFLAGS" \
	FUZZ_LINKFLAGS="$CFLAGS -Wl,-rpath,\\\$\$ORIGIN/lib" \
	FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
	FUZZ_COV_FULL= FUZZ_COV_EDGES=

mkdir -p "$out/lib"
for entry in $targets; do
	t=${entry%%:*}
	corpus=$src/fixtures/corpus/${entry#*:}
	[ -x "tests/fuzz/$t" ] || continue
	cp "tests/fuzz/$t" "$out/$t"
	rm -f "$out/${t}_seed_corpus.zip"
	if [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ]; then
		# Inputs only: a folder's README.md describes its seeds.
		(cd "$corpus" && zip -q -r "$out/${t}_seed_corpus.zip" . -x README.md)
	fi
	[ ! -f "$src/oss-fuzz/$t.dict" ] || cp "$src/oss-fuzz/$t.dict" "$out/"
	[ ! -f "$src/oss-fuzz/$t.options" ] || cp "$src/oss-fuzz/$t.options" "$out/"
	ldd "$out/$t" | awk '$3 ~ /^\// { print $3 }' | while read -r lib; do
		case $(basename "$lib") in
		libc.so* | libm.so* | libdl.so* | librt.so* | libpthread.so* | ld-linux* | libgcc_s.so* | libstdc++.so*) ;;
		*) cp -L "$lib" "$out/lib/" ;;
		esac
	done
done
