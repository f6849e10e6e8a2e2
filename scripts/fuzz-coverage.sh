#!/bin/sh
# Coverage of a fuzz target's corpus (docs/fuzzing.md "Coverage"): builds
# the target with clang's source-based coverage (no sanitizers) in a tree
# of its own, runs every corpus file through it once, and writes an
# llvm-cov HTML report of the core (src/) and the parsers the targets
# exercise in the simulator (sim/tpm_server.c, sim/scenario*.c), plus a
# per-file summary on stdout. Usually run as `scripts/fuzz.sh --coverage`.
set -eu

usage() {
	cat <<EOF2
usage: scripts/fuzz-coverage.sh [--target T] [--build DIR] [--work DIR] [--corpus DIR]
  --target T   core (default), hv, mssim, scenario, nvstore-load, vtpm-cmd, vtpm-state
  --build DIR  the campaign's clang tree; the coverage tree is DIR-coverage
  --work DIR   the report goes to DIR/coverage/index.html (default /tmp/csvsm-cov-T)
  --corpus DIR the inputs (default the target's seeds in fixtures/corpus/)
EOF2
}

top=$(cd "$(dirname "$0")/.." && pwd)
target_name=core
build=/tmp/csvsm-fuzz-build
work=
corpus=
while [ $# -gt 0 ]; do
	case $1 in
	--target) target_name=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--corpus) corpus=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $target_name in
core) dir=core ;;
nvstore-load) dir=nvstore ;;
hv | mssim | scenario | vtpm-cmd | vtpm-state) dir=$target_name ;;
*) echo "fuzz-coverage.sh: unknown target $target_name" >&2; exit 2 ;;
esac
[ -n "$corpus" ] || corpus=$top/fixtures/corpus/$dir
[ -n "$work" ] || work=/tmp/csvsm-cov-$target_name
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14 || true)
cov=$(command -v llvm-cov || command -v llvm-cov-14 || true)
if [ -z "$profdata" ] || [ -z "$cov" ]; then
	echo "fuzz-coverage.sh: llvm-profdata/llvm-cov missing (apt-get install llvm-14)" >&2
	exit 1
fi
[ -d "$corpus" ] || { echo "fuzz-coverage.sh: no corpus $corpus" >&2; exit 1; }

# A tree of its own: coverage instrumentation instead of sanitizers, and
# the generic replay driver instead of libFuzzer's (a corpus is only read).
cbuild=$build-coverage
if [ ! -x "$top/configure" ]; then
	(cd "$top" && autoreconf -fi >/dev/null 2>&1)
fi
mkdir -p "$cbuild" "$work"
if [ ! -f "$cbuild/Makefile" ]; then
	(cd "$cbuild" && CC=clang "$top/configure" -q)
fi
case $target_name in
nvstore-load | vtpm-cmd | vtpm-state) what=fuzz-$target_name ;;
*) what=tests/fuzz/fuzz-$target_name ;;
esac
flags="-O1 -g -fprofile-instr-generate -fcoverage-mapping"
if ! make -s -C "$cbuild" tests/fuzz/lf/tests/fuzz/replay_main.c.o "$what" \
	FUZZ_CFLAGS="\$(CSVSM_WARN_CFLAGS) $flags" FUZZ_LINKFLAGS="-fprofile-instr-generate" \
	FUZZ_COV_FULL= FUZZ_COV_EDGES= FUZZ_ENGINE="tests/fuzz/lf/tests/fuzz/replay_main.c.o" \
	>"$work/coverage-build.log" 2>&1; then
	tail -n 20 "$work/coverage-build.log" >&2
	echo "fuzz-coverage.sh: the coverage build failed ($work/coverage-build.log)" >&2
	exit 1
fi
bin=$cbuild/tests/fuzz/fuzz-$target_name

# Every file once; a file that crashes the target is run alone again so
# that the others still count (each process writes its own profile).
rm -rf "$work/profiles"
mkdir -p "$work/profiles"
if ! LLVM_PROFILE_FILE="$work/profiles/all-%p.profraw" "$bin" "$corpus" >/dev/null 2>"$work/replay.log"; then
	rm -f "$work/profiles/"*.profraw
	n=0
	for f in "$corpus"/*; do
		n=$((n + 1))
		LLVM_PROFILE_FILE="$work/profiles/f$n-%p.profraw" "$bin" "$f" >/dev/null 2>&1 ||
			echo "fuzz-coverage.sh: $f broke a property or crashed (kept in the report)" >&2
	done
fi
"$profdata" merge -sparse "$work/profiles/"*.profraw -o "$work/corpus.profdata"
# The report: the core (src/, but its string library) and the simulator's
# parsers that the mssim and scenario targets exist for.
ignore='/src/lib/'
sources="$top/src $top/sim/tpm_server.c $top/sim/scenario.c $top/sim/scenario_stmt.c $top/sim/scenario_expect.c"
rm -rf "$work/coverage"
"$cov" show "$bin" -instr-profile="$work/corpus.profdata" -format=html \
	-output-dir="$work/coverage" -ignore-filename-regex="$ignore" $sources
"$cov" report "$bin" -instr-profile="$work/corpus.profdata" -ignore-filename-regex="$ignore" \
	$sources | sed "s|$top/||"
echo "fuzz-coverage.sh: $(ls "$corpus" | wc -l) inputs of $corpus; report $work/coverage/index.html"
