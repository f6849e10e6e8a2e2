#!/bin/sh
# The OSS-Fuzz / ClusterFuzzLite build, run as those services run it
# (docs/fuzzing.md): oss-fuzz/build.sh with SRC, OUT, WORK, CC, CXX, CFLAGS
# and LIB_FUZZING_ENGINE set, then every target the tree has (FUZZ_TARGETS)
# must be in $OUT with its seed corpus, and must start, run its whole seed
# corpus and a bounded number of mutations, and stop cleanly. A harness
# that dies at start (or on a seed) fails here.
#
# The build tree stays in $top_builddir/tests/fuzz/oss-fuzz/work, so a
# second run rebuilds only what changed. To UBSan's checks the test adds
# the address sanitizer OSS-Fuzz uses by default, so a harness reading an
# uninitialised bool fails too. Skipped (exit 77) without clang's libFuzzer
# and in `make distcheck` (configure --disable-fuzz-build-test), where it
# would build everything again.
set -u
srcdir=${srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
abs_src=$(cd "$srcdir" && pwd)
abs_build=$(cd "$top_builddir" && pwd)
mkvar() { sed -n "s/^$1 = //p" "$abs_build/Makefile"; }

if [ "$(mkvar FUZZ_BUILD_TEST)" = no ]; then
	echo "SKIP: configured with --disable-fuzz-build-test"
	exit 77
fi
cc=${FUZZ_CHECK_CC:-clang}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-ossfuzz.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! "$cc" -fsanitize=fuzzer,address -o "$tmp/probe" "$tmp/probe.c" >/dev/null 2>&1; then
	echo "SKIP: $cc cannot link libFuzzer (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi

# $SRC/csvsm is a link to the sources, at a fixed place so that the build
# tree in $WORK stays valid from one run to the next.
oss=$abs_build/tests/fuzz/oss-fuzz
mkdir -p "$oss/src" "$oss/out" "$oss/work"
rm -f "$oss/src/csvsm"
ln -s "$abs_src" "$oss/src/csvsm"
start=$(date +%s)
if ! env SRC="$oss/src" OUT="$oss/out" \
	WORK="$oss/work" CC="$cc" CXX="${cc}++" \
	CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link -fsanitize=undefined -fno-sanitize-recover=undefined" \
	CXXFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize=fuzzer-no-link" \
	LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer \
	bash "$abs_src/oss-fuzz/build.sh" >"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log"
	echo "FAIL: oss-fuzz/build.sh"
	exit 1
fi
echo "oss-fuzz/build.sh: $(($(date +%s) - start)) s"
out=$oss/out

fail=0
for t in $(mkvar FUZZ_TARGETS); do
	if [ ! -x "$out/$t" ]; then
		echo "FAIL: $t: not in \$OUT"
		fail=$((fail + 1))
		continue
	fi
	if [ ! -f "$out/${t}_seed_corpus.zip" ]; then
		echo "FAIL: $t: no ${t}_seed_corpus.zip"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$tmp/seeds/$t" "$tmp/new/$t"
	(cd "$tmp/seeds/$t" && unzip -q "$out/${t}_seed_corpus.zip")
	seeds=$(find "$tmp/seeds/$t" -type f | wc -l)
	# Mutations after the seeds; none for the stored vTPM state, where
	# libtpms itself crashes within a few dozen (src/vtpm/README.md).
	case $t in
	fuzz-vtpm-state) runs=0 ;;
	fuzz-core) runs=3000 ;;
	*) runs=300 ;;
	esac
	dict=
	[ ! -f "$out/$t.dict" ] || dict=-dict=$out/$t.dict
	if (cd "$tmp" && "$out/$t" -runs=$runs -seed=1 -max_total_time=120 $dict \
		-artifact_prefix="$tmp/" "$tmp/new/$t" "$tmp/seeds/$t") >"$tmp/$t.log" 2>&1 &&
		grep -q -E '^Done [0-9]+ runs' "$tmp/$t.log"; then
		echo "PASS: $t: $seeds seeds and $runs mutations ($(grep -E '^Done' "$tmp/$t.log"))"
	else
		tail -n 30 "$tmp/$t.log"
		echo "FAIL: $t did not run its seed corpus and $runs mutations"
		fail=$((fail + 1))
	fi
done
[ "$fail" = 0 ]
