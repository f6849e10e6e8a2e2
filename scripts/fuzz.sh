#!/bin/sh
# A fuzzing campaign on the core-protocol target (docs/fuzzing.md): builds
# `make fuzz` in a clang tree outside the source tree, copies the seed
# corpus into a work directory, fuzzes for a while, and reports executions
# per second, coverage over time, the corpus and any crash. Everything the
# campaign writes stays in the work directory (never in the repository).
set -eu

usage() {
	cat <<EOF
usage: scripts/fuzz.sh [OPTIONS]
  --engine E     libfuzzer (default) or afl
  --time S       seconds of fuzzing (default 300)
  --build DIR    clang build tree (default /tmp/csvsm-fuzz-build; configured
                 with CC=clang --enable-sanitizers if it has no Makefile)
  --work DIR     work directory (default /tmp/csvsm-fuzz-core-DATE)
  --corpus DIR   seed corpus (default fixtures/corpus/core)
  --minimize     afterwards, merge the corpus into a minimal one (libFuzzer)
                 and list the entries that add coverage to the seed corpus
  -h, --help     this text
Extra arguments after -- go to the fuzzer (e.g. -- -max_len=512).
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
engine=libfuzzer
seconds=300
build=/tmp/csvsm-fuzz-build
work=/tmp/csvsm-fuzz-core-$(date +%Y%m%d-%H%M%S)
seeds=$top/fixtures/corpus/core
minimize=no
while [ $# -gt 0 ]; do
	case $1 in
	--engine) engine=$2; shift 2 ;;
	--time) seconds=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--corpus) seeds=$2; shift 2 ;;
	--minimize) minimize=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $engine in
libfuzzer | afl) ;;
*) echo "fuzz.sh: unknown engine $engine" >&2; exit 2 ;;
esac

# The build: a clang tree of its own (the sources are only read).
command -v clang >/dev/null 2>&1 || { echo "fuzz.sh: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
if [ ! -x "$top/configure" ]; then
	(cd "$top" && autoreconf -fi >/dev/null 2>&1)
fi
mkdir -p "$build"
if [ ! -f "$build/Makefile" ]; then
	(cd "$build" && CC=clang "$top/configure" -q --enable-sanitizers)
fi
make -s -C "$build" fuzz >/dev/null
case $engine in
libfuzzer) target=$build/tests/fuzz/fuzz-core ;;
afl) target=$build/tests/fuzz/fuzz-core-afl ;;
esac
[ -x "$target" ] || { echo "fuzz.sh: $target was not built (see make fuzz)" >&2; exit 1; }

mkdir -p "$work/corpus" "$work/crashes"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
log=$work/fuzz.log
echo "fuzz.sh: $engine on $target for ${seconds}s in $work"

# Prefixes each line with the seconds since the start.
stamp() {
	start=$(date +%s)
	while IFS= read -r line; do
		printf '%s %s\n' "$(($(date +%s) - start))" "$line"
	done
}

status=0
if [ "$engine" = libfuzzer ]; then
	# -max_len=512 unless given: 48 steps rarely need more, and longer
	# inputs only cost time.
	case " $* " in *" -max_len="*) maxlen= ;; *) maxlen=-max_len=512 ;; esac
	(cd "$work" && "$target" corpus -max_total_time="$seconds" -artifact_prefix=crashes/ \
		-print_final_stats=1 $maxlen "$@" 2>&1) | stamp >"$log" || status=$?
	# Coverage (edges, features) and speed over time from the NEW/pulse lines.
	echo "  time   execs        exec/s  cov   ft     corpus"
	ran=$(tail -n 1 "$log" | cut -d' ' -f1)
	for t in 10 30 60 120 180 240 300 600 1200 3600; do
		[ "$t" -le "$seconds" ] && [ "$t" -le $((ran + 5)) ] || continue
		awk -v t="$t" '$1 <= t && $2 ~ /^#[0-9]+$/ && / cov: / {
			for (i = 3; i <= NF; i++) { if ($i == "cov:") c = $(i + 1); if ($i == "ft:") f = $(i + 1);
				if ($i == "corp:") k = $(i + 1); if ($i == "exec/s:") e = $(i + 1) }
			n = substr($2, 2) } END { if (n) printf "  %4ss  %-10s %8s  %-5s %-6s %s\n", t, n, e, c, f, k }' "$log"
	done
	grep -E '^[0-9]+ (stat::|Done|SUMMARY)' "$log" | cut -d' ' -f2- || true
	if [ "$minimize" = yes ]; then
		mkdir -p "$work/min" "$work/new"
		(cd "$work" && "$target" -merge=1 min corpus >/dev/null 2>&1) || true
		# The entries that add coverage to the seed corpus: merged into a
		# copy of it, then everything but the seeds moves to new/.
		mkdir -p "$work/seeds+"
		cp "$seeds"/* "$work/seeds+/" 2>/dev/null || true
		(cd "$work" && "$target" -merge=1 seeds+ min 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files') || true
		for f in "$work/seeds+"/*; do
			[ -e "$seeds/$(basename "$f")" ] || mv "$f" "$work/new/"
		done
		rm -rf "$work/seeds+"
		echo "fuzz.sh: minimized corpus in $work/min ($(ls "$work/min" | wc -l) files);" \
			"$(ls "$work/new" | wc -l) entries adding coverage to the seeds in $work/new"
	fi
else
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		afl-fuzz -i "$work/corpus" -o "$work/afl" -m none -V "$seconds" "$@" -- "$target" \
		>"$log" 2>&1 || status=$?
	grep -E 'execs_done|execs_per_sec|corpus_count|bitmap_cvg|stability|saved_crashes|saved_hangs' \
		"$work/afl/default/fuzzer_stats" || true
	cp "$work/afl/default/crashes/"id* "$work/crashes/" 2>/dev/null || true
fi

crashes=$(find "$work/crashes" -type f | wc -l)
echo "fuzz.sh: $crashes crash(es) in $work/crashes; log $log"
if [ "$crashes" -gt 0 ]; then
	echo "fuzz.sh: reproduce with $target FILE, or see each step with" \
		"tests/fuzz/fuzz-core-replay -v FILE (make check builds it in any tree)"
	exit 1
fi
exit "$status"
