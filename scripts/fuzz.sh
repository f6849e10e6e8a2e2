#!/bin/sh
# A fuzzing campaign on one target (docs/fuzzing.md): builds `make fuzz` in
# a clang tree outside the source tree, copies the target's seed corpus into
# a work directory, fuzzes for a while, and reports executions per second,
# coverage over time, the corpus and any crash. Everything the campaign
# writes stays in the work directory (never in the repository).
#
# The script never reports a campaign that did not run as a success: it
# fails, with the fuzzer's own last words, when the fuzzer stopped for any
# reason other than the time limit or a crash it saved, or executed nothing.
set -eu
# Byte-wise text tools: fuzzer logs hold raw dictionary bytes.
export LC_ALL=C

usage() {
	cat <<EOF
usage: scripts/fuzz.sh [OPTIONS]
  --target T     core (default), hv, mssim, scenario, nvstore-load, vtpm-cmd,
                 vtpm-state, storage-dev, attest, nvseal (tests/fuzz/fuzz-T)
  --engine E     libfuzzer (default) or afl (core only)
  --time S       seconds of fuzzing (default 300)
  --cpu-time S   stop once the fuzzer has used S CPU-seconds (its own and
                 its children's), however long that takes on a busy
                 machine; no wall-clock limit then unless --time is given
  --build DIR    clang build tree (default /tmp/csvsm-fuzz-build; configured
                 with CC=clang --enable-sanitizers if it has no Makefile)
  --work DIR     work directory (default /tmp/csvsm-fuzz-T-DATE)
  --corpus DIR   seed corpus (default fixtures/corpus/<target's folder>)
  --binary FILE  fuzz with this libFuzzer binary instead of building the
                 target (the target's defaults still apply)
  --build-only   build the target, print the binary's path, fuzz nothing
  --resume       go on with the campaign in --work DIR that was cut short
                 (its corpus, its crashes, what is left of its --time or
                 --cpu-time); one that finished is reported, not rerun
  --minimize     afterwards, merge the corpus into a minimal one (libFuzzer)
                 and list the entries that add coverage to the seed corpus
  --coverage     no fuzzing: build the target with clang's source-based
                 coverage and turn the corpus (--corpus, default the seeds)
                 into an HTML report of the core in WORK/coverage/
  -h, --help     this text
Extra arguments after -- go to the fuzzer (e.g. -- -max_len=512).
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
target_name=core
engine=libfuzzer
seconds=300
time_given=no
cpu_seconds=
build=/tmp/csvsm-fuzz-build
work=
seeds=
minimize=no
resume=no
build_only=no
coverage=no
binary=
while [ $# -gt 0 ]; do
	case $1 in
	--target) target_name=$2; shift 2 ;;
	--engine) engine=$2; shift 2 ;;
	--time) seconds=$2; time_given=yes; shift 2 ;;
	--cpu-time) cpu_seconds=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--corpus) seeds=$2; shift 2 ;;
	--binary) binary=$2; shift 2 ;;
	--minimize) minimize=yes; shift ;;
	--build-only) build_only=yes; shift ;;
	--resume) resume=yes; shift ;;
	--coverage) coverage=yes; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $engine in
libfuzzer | afl) ;;
*) echo "fuzz.sh: unknown engine $engine" >&2; exit 2 ;;
esac
for n in "$seconds" "${cpu_seconds:-1}"; do
	case $n in
	'' | *[!0-9]*) echo "fuzz.sh: --time and --cpu-time take whole seconds, not '$n'" >&2; exit 2 ;;
	esac
done
if [ -n "$cpu_seconds" ]; then
	[ "$engine" = libfuzzer ] || { echo "fuzz.sh: --cpu-time is for libFuzzer campaigns" >&2; exit 2; }
	[ "$cpu_seconds" -gt 0 ] || { echo "fuzz.sh: --cpu-time must be at least 1" >&2; exit 2; }
	[ "$time_given" = yes ] || seconds=0 # libFuzzer: no wall-clock limit
fi
# Each target: its seed folder under fixtures/corpus/ and default options.
defaults=
case $target_name in
core) corpus_dir=core; defaults=-max_len=512 ;;
hv) corpus_dir=hv ;;
mssim) corpus_dir=mssim ;;
scenario) corpus_dir=scenario; defaults="-max_len=4096 -timeout=10" ;;
nvstore-load) corpus_dir=nvstore ;;
vtpm-cmd) corpus_dir=vtpm-cmd ;;
vtpm-state) corpus_dir=vtpm-state ;;
storage-dev) corpus_dir=storage-dev ;;
attest) corpus_dir=attest ;;
nvseal) corpus_dir=nvseal ;;
*) echo "fuzz.sh: unknown target $target_name" >&2; exit 2 ;;
esac
if [ "$engine" = afl ] && [ "$target_name" != core ]; then
	echo "fuzz.sh: the AFL++ build exists for the core target only" >&2
	exit 2
fi
if [ "$engine" = afl ] && { ! command -v afl-fuzz >/dev/null 2>&1 || ! command -v afl-clang-fast >/dev/null 2>&1; }; then
	echo "fuzz.sh: AFL++ is missing (apt-get install afl++; scripts/deps.sh leaves it out, the tests do not use it)" >&2
	exit 1
fi
[ -n "$seeds" ] || seeds=$top/fixtures/corpus/$corpus_dir
if [ "$resume" = yes ] && { [ "$engine" != libfuzzer ] || [ -z "$work" ] || [ ! -d "$work/corpus" ]; }; then
	echo "fuzz.sh: --resume needs the --work DIR of an earlier libFuzzer campaign" >&2
	exit 2
fi
[ -n "$work" ] || work=/tmp/csvsm-fuzz-$target_name-$(date +%Y%m%d-%H%M%S)
# Absolute: the fuzzer runs inside it and writes its status there (a
# relative --work made a finished campaign look like a failed one).
if [ "$build_only" = no ]; then
	mkdir -p "$work"
	work=$(cd "$work" && pwd)
fi

if [ -n "$binary" ] && { [ "$engine" != libfuzzer ] || [ "$coverage" = yes ]; }; then
	echo "fuzz.sh: --binary is for libFuzzer campaigns" >&2
	exit 2
fi

if [ -n "$binary" ]; then
	[ -f "$binary" ] && [ -x "$binary" ] || { echo "fuzz.sh: $binary is not an executable" >&2; exit 1; }
	target=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary") # the fuzzer runs in WORK
else
	# The build: a clang tree of its own (the sources are only read).
	command -v clang >/dev/null 2>&1 || { echo "fuzz.sh: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
	if [ ! -x "$top/configure" ]; then
		(cd "$top" && autoreconf -fi >/dev/null 2>&1)
	fi
	mkdir -p "$build"
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && CC=clang "$top/configure" -q --enable-sanitizers)
	fi

	if [ "$coverage" = yes ]; then
		exec sh "$top/scripts/fuzz-coverage.sh" --target "$target_name" --build "$build" \
			--work "$work" --corpus "$seeds"
	fi

	case $engine in
	libfuzzer)
		case $target_name in
		nvstore-load | vtpm-cmd | vtpm-state | storage-dev | attest | nvseal)
			what=fuzz-$target_name ;; # phony rules
		*) what=tests/fuzz/fuzz-$target_name ;;
		esac ;;
	afl) what=tests/fuzz/fuzz-core-afl ;;
	esac
	if ! make -s -C "$build" "$what" >"$build/fuzz-build.log" 2>&1; then
		tail -n 30 "$build/fuzz-build.log" >&2
		echo "fuzz.sh: make $what failed (log $build/fuzz-build.log)" >&2
		exit 1
	fi
	case $engine in
	libfuzzer) target=$build/tests/fuzz/fuzz-$target_name ;;
	afl) target=$build/tests/fuzz/fuzz-core-afl ;;
	esac
	[ -x "$target" ] || { echo "fuzz.sh: $target was not built (see make fuzz)" >&2; exit 1; }
fi
if [ "$build_only" = yes ]; then
	echo "$target"
	exit 0
fi

mkdir -p "$work/corpus" "$work/crashes"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
log=$work/fuzz.log

# --resume: an earlier run in WORK that was cut short (a session's end, a
# reboot, a crash) counts towards this campaign. Its log moves to
# fuzz.log.N and its figures go to WORK/segments ("CPU-s executions wall-s
# log" a line): the CPU-seconds the watcher last saw (within 2 s), the
# executions of its final statistics or else of its last status line (a
# lower bound: libFuzzer prints one at new coverage and at powers of two),
# its last log stamp. What is left of the budget is this run's.
prev_cpu=0
prev_runs=0
prev_wall=0
if [ "$resume" = yes ]; then
	if [ -e "$work/done" ]; then
		echo "fuzz.sh: the campaign in $work finished already: $(cat "$work/done")"
		exit 0
	fi
	if [ -f "$log" ]; then
		n=1
		while [ -e "$work/fuzz.log.$n" ]; do n=$((n + 1)); done
		seg_runs=$(sed -n -E 's/^[0-9]+ stat::number_of_executed_units: ([0-9]+)$/\1/p' "$log" | tail -n 1)
		[ "${seg_runs:-0}" != 0 ] ||
			seg_runs=$(sed -n -E 's/^[0-9]+ #([0-9]+):?[[:space:]].*cov: .*/\1/p' "$log" | tail -n 1)
		seg_wall=$(tail -n 1 "$log" | cut -d' ' -f1)
		case $seg_wall in '' | *[!0-9]*) seg_wall=0 ;; esac
		mv "$log" "$work/fuzz.log.$n"
		echo "$(cat "$work/fuzzer.cpu" 2>/dev/null || echo 0) ${seg_runs:-0} $seg_wall fuzz.log.$n" >>"$work/segments"
	fi
	if [ -f "$work/segments" ]; then
		set -- $(awk '{ c += $1; r += $2; w += $3 } END { print c + 0, r + 0, w + 0, NR }' "$work/segments") "$@"
		prev_cpu=$1 prev_runs=$2 prev_wall=$3
		echo "fuzz.sh: resuming after $4 earlier run(s): $prev_cpu CPU-s, $prev_wall s, at least $prev_runs executions"
		shift 4
	fi
	if [ -n "$cpu_seconds" ]; then
		cpu_seconds=$((cpu_seconds - prev_cpu))
		left=$cpu_seconds
	else
		seconds=$((seconds - prev_wall))
		left=$seconds
	fi
	if [ "$left" -le 0 ]; then
		echo "cpu=$prev_cpu runs=$prev_runs wall=$prev_wall (earlier runs)" >"$work/done"
		echo "fuzz.sh: $prev_runs executions in the earlier runs, $prev_cpu CPU-s: nothing left of the budget ($work)"
		exit 0
	fi
fi
if [ -n "$cpu_seconds" ]; then
	echo "fuzz.sh: $engine on $target for ${cpu_seconds} CPU-s$([ "$seconds" = 0 ] || echo " (at most ${seconds}s)") in $work"
else
	echo "fuzz.sh: $engine on $target for ${seconds}s in $work"
fi

# Prefixes each line with the seconds since the start. One awk process
# where awk has systime() (gawk, mawk 1.3.4): a shell loop forks `date`
# per line, and a target that prints a line per input (fuzz-mssim's server
# diagnostics) then waits on the full pipe: at nice 19 under load that
# throttled its campaign to 30 CPU-seconds in two hours.
stamp() {
	if awk 'BEGIN { exit !(systime() > 0) }' 2>/dev/null; then
		awk 'BEGIN { start = systime() } { print systime() - start, $0; fflush() }'
		return
	fi
	start=$(date +%s)
	while IFS= read -r line; do
		printf '%s %s\n' "$(($(date +%s) - start))" "$line"
	done
}

# CPU clock ticks used by process $1 (and its reaped children) and by its
# live children (libFuzzer's -fork=N workers), from /proc/PID/stat fields
# 14-17 (utime, stime, cutime, cstime). Prints nothing once $1 is gone.
cpu_ticks() {
	root=$1
	for p in "$root" $(pgrep -P "$root" 2>/dev/null || true); do
		st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		set -- ${st##*) } # past the command name, which may hold spaces
		echo "$p ${12} ${13} ${14} ${15}"
	done | awk -v root="$root" '$1 == root { r = 1; t += $4 + $5 } { t += $2 + $3 } END { if (r) print t }'
}

# Runs beside fuzzer $1 until it exits: keeps its CPU-seconds so far in
# WORK/fuzzer.cpu and, with --cpu-time, asks it to stop (SIGUSR1, libFuzzer's
# graceful exit) once they reach the budget, noting so in WORK/cpu.reached.
cpu_watch() {
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	while t=$(cpu_ticks "$1") && [ -n "$t" ]; do
		echo $((t / hz)) >"$work/fuzzer.cpu"
		if [ -n "$cpu_seconds" ] && [ ! -e "$work/cpu.reached" ] && [ "$t" -ge $((cpu_seconds * hz)) ]; then
			: >"$work/cpu.reached"
			kill -USR1 "$1" 2>/dev/null || true
		fi
		sleep 2
	done
}

# Says why the campaign is not one, with the fuzzer's own last lines.
broken() {
	echo "fuzz.sh: FAILED: $1" >&2
	echo "fuzz.sh: the fuzzer's last words ($log):" >&2
	grep -v -E '^[0-9]+ #[0-9]+	(NEW|REDUCE|pulse|INITED)' "$log" | tail -n 15 | cut -d' ' -f2- | sed 's/^/  | /' >&2
	exit 1
}

rc=0
if [ "$engine" = libfuzzer ]; then
	# The target's defaults (e.g. -max_len=512 for the core: 48 steps rarely
	# need more, and longer inputs only cost time) unless given.
	extra=
	# The target's dictionary (oss-fuzz/fuzz-T.dict), unless one is given.
	[ ! -f "$top/oss-fuzz/fuzz-$target_name.dict" ] ||
		defaults="$defaults -dict=$top/oss-fuzz/fuzz-$target_name.dict"
	for d in $defaults; do
		case " $* " in *" ${d%%=*}="*) ;; *) extra="$extra $d" ;; esac
	done
	# The fuzzer's exit status survives the pipe through a file.
	rm -f "$work/cpu.reached" "$work/fuzzer.cpu"
	(cd "$work" && {
		st=0
		"$target" corpus -max_total_time="$seconds" -artifact_prefix=crashes/ \
			-print_final_stats=1 $extra "$@" 2>&1 &
		pid=$!
		cpu_watch "$pid" </dev/null >/dev/null 2>&1 &
		wait "$pid" || st=$?
		echo "$st" >"$work/fuzzer.rc"
	}) 2>&1 | stamp >"$log"
	rc=$(cat "$work/fuzzer.rc" 2>/dev/null || echo 255)
	[ "$seconds" != 0 ] || seconds=$(tail -n 1 "$log" | cut -d' ' -f1)
	# Coverage (edges, features) and speed over time from the NEW/pulse lines.
	echo "  time   execs        exec/s  cov   ft     corpus"
	ran=$(tail -n 1 "$log" | cut -d' ' -f1)
	for t in 10 30 60 120 180 240 300 600 900 1200 1500 1800 2400 3000 3600 5400 7200 10800; do
		[ "$t" -le "$seconds" ] && [ "$t" -le $((ran + 5)) ] || continue
		# (-fork=N prints "#N: cov: ... exec/s E ..." lines.)
		awk -v t="$t" '$1 <= t && $2 ~ /^#[0-9]+:?$/ && / cov: / {
			for (i = 3; i <= NF; i++) { if ($i == "cov:") c = $(i + 1); if ($i == "ft:") f = $(i + 1);
				if ($i == "corp:") k = $(i + 1); if ($i == "exec/s:" || $i == "exec/s") e = $(i + 1) }
			n = substr($2, 2); sub(/:$/, "", n) } END { if (n) printf "  %4ss  %-10s %8s  %-5s %-6s %s\n", t, n, e, c, f, k }' "$log"
	done
	grep -E '^[0-9]+ (stat::|Done|SUMMARY)' "$log" | cut -d' ' -f2- || true
	runs=$(sed -n -E 's/^[0-9]+ Done ([0-9]+) runs in .*/\1/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n -E 's/^[0-9]+ stat::number_of_executed_units: ([0-9]+)$/\1/p' "$log" | tail -n 1)
	# -fork=N: the last status line of the parent (its own final stats
	# count none of its workers' executions).
	[ "${runs:-0}" != 0 ] || runs=$(sed -n -E 's/^[0-9]+ #([0-9]+): cov: .*/\1/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=0
else
	# AFL++ binds itself to a free core and refuses to start without one
	# (campaigns on every core): pin with taskset instead, as for libFuzzer.
	AFL_NO_AFFINITY=${AFL_NO_AFFINITY:-1} AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		afl-fuzz -i "$work/corpus" -o "$work/afl" -m none -V "$seconds" "$@" -- "$target" \
		>"$log" 2>&1 || rc=$?
	grep -E 'execs_done|execs_per_sec|corpus_count|bitmap_cvg|stability|saved_crashes|saved_hangs' \
		"$work/afl/default/fuzzer_stats" 2>/dev/null || true
	runs=$(sed -n -E 's/^execs_done +: ([0-9]+)$/\1/p' "$work/afl/default/fuzzer_stats" 2>/dev/null || true)
	[ -n "$runs" ] || runs=0
	cp "$work/afl/default/crashes/"id* "$work/crashes/" 2>/dev/null || true
fi

# libFuzzer also saves inputs that took longer than -report_slow_units
# (10 s by default) as slow-unit-*: a finding to look at, not a failure (on
# a loaded machine at nice 19 a 0.1 s input can take 20 s). A real hang is
# a timeout-* file (-timeout) and counts as a crash.
slow=$(find "$work/crashes" -type f -name 'slow-unit-*' | wc -l)
crashes=$(find "$work/crashes" -type f ! -name 'slow-unit-*' | wc -l)
cpu_used=$(cat "$work/fuzzer.cpu" 2>/dev/null || true)
if [ "$prev_runs$prev_cpu" != 00 ]; then
	echo "fuzz.sh: this run $runs executions, ${cpu_used:-?} CPU-s; with the earlier runs:"
	runs=$((runs + prev_runs))
	[ -z "$cpu_used" ] || cpu_used=$((cpu_used + prev_cpu))
fi
echo "fuzz.sh: $runs executions, $crashes crash(es) in $work/crashes; log $log"
[ -z "$cpu_used" ] || echo "fuzz.sh: the fuzzer used about $cpu_used CPU-s" \
	"($([ -e "$work/cpu.reached" ] && echo "the --cpu-time budget" || echo "not counting its last 2 s"))"
if [ "$slow" -gt 0 ]; then
	echo "fuzz.sh: $slow slow unit(s) (slow-unit-* in $work/crashes; not failures: replay each" \
		"with $target FILE to tell a slow input from a loaded machine)"
fi
if [ "$crashes" -gt 0 ]; then
	echo "fuzz.sh: reproduce with $target FILE" \
		"$([ "$target_name" = core ] && echo "(every step: tests/fuzz/fuzz-core-replay -v FILE)")"
	exit 1
fi
[ "$rc" = 0 ] || broken "the fuzzer exited with status $rc before its time limit, and saved no crash"
[ "$runs" -gt 0 ] || broken "the fuzzer executed nothing"
if [ "$engine" = libfuzzer ] &&
	! grep -q -E '^[0-9]+ (Done [0-9]+ runs|INFO: fuzzed for [0-9]+ seconds, wrapping up soon)' "$log" &&
	! { [ -e "$work/cpu.reached" ] && grep -q -E '^[0-9]+ .*libFuzzer: exiting as requested' "$log"; }; then
	broken "the fuzzer did not reach its time limit"
fi
[ "$engine" != libfuzzer ] || echo "cpu=${cpu_used:-?} runs=$runs" >"$work/done"
if [ "$minimize" = yes ] && [ "$engine" = libfuzzer ]; then
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
exit 0
