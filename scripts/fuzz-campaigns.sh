#!/bin/sh
# One campaign per fuzz target (docs/fuzzing.md, "Campaigns"): scripts/fuzz.sh
# for each, then a table of executions, wall and CPU seconds, exec/s, edges
# and features at 10 s and at the end, and crashes. The full run of issue 14
# is an hour of a core per target:
#
#   scripts/fuzz-campaigns.sh --cpu-time 3600 --jobs 2 --background --out /tmp/csvsm-campaigns
#
# (about 5 hours on two cores; every work directory, log and crash stays
# under --out). --cpu-time counts the fuzzer's own CPU-seconds, so a
# campaign that shares the machine still gets its hour, only later; --time
# counts the wall clock. A target whose campaign fails (a crash, or a fuzzer
# that stopped early) is reported and the others still run; the exit status
# is 1 then.
set -eu
# Byte-wise text tools: fuzzer logs hold raw dictionary bytes.
export LC_ALL=C

usage() {
	cat <<EOF
usage: scripts/fuzz-campaigns.sh [--time S | --cpu-time S] [--jobs N] [--background]
                                 [--resume] [--out DIR] [--build DIR] [--targets "T ..."]
       scripts/fuzz-campaigns.sh --report --out DIR [--targets "T ..."]
  --time S       wall-clock seconds per target (default 3600)
  --cpu-time S   CPU-seconds per target instead: each campaign runs until its
                 fuzzer has used S CPU-seconds (scripts/fuzz.sh --cpu-time)
  --jobs N       N campaigns at a time: the targets are dealt round-robin to
                 N lanes, lane i pinned to CPU (i mod CPUs) (default 1)
  --background   give way to everything else on the machine: a session of
                 its own (setsid) whose scheduling group gets nice 19
                 (/proc/self/autogroup); plain `nice` does not do that when
                 the kernel groups tasks by session
  --resume       with the --out DIR of an earlier run: targets that finished
                 are kept, those cut short go on (scripts/fuzz.sh --resume),
                 the others start
  --out DIR      where the work directories go (default /tmp/csvsm-campaigns-DATE)
  --build DIR    clang build tree for scripts/fuzz.sh (default /tmp/csvsm-fuzz-build)
  --targets LIST the targets (default: every target scripts/fuzz.sh knows)
  --report       run nothing: the table of the campaigns under --out so far,
                 those still running marked so, with their latest figures
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
# --background. With autogroup scheduling (sched(7), on by default in
# Debian's kernels) the CPU is shared between sessions first, and a task's
# nice only ranks it within its own session: a campaign under `nice 19`
# still takes half the machine from a build started elsewhere, and on a
# CPU its lane is pinned to, a pinned task of another session was seen to
# wait minutes. So: a new session (a new autogroup) and that group's nice
# set to 19. The campaigns still get every cycle nobody else wants, and
# --cpu-time budgets are not shortened by it, only spread out.
background=no
report=no
for a in "$@"; do
	case $a in --background) background=yes ;; --report) report=yes ;; esac
done
if [ "$background" = yes ] && [ "$report" = no ] && [ -z "${CSVSM_CAMPAIGN_SESSION:-}" ]; then
	export CSVSM_CAMPAIGN_SESSION=1
	if command -v setsid >/dev/null 2>&1; then
		exec setsid -w sh "$0" "$@"
	fi
	echo "fuzz-campaigns: no setsid: running at nice 19 in the caller's session" >&2
fi
if [ "$background" = yes ] && [ "$report" = no ]; then
	renice -n 19 -p $$ >/dev/null 2>&1 || true
	if [ -w /proc/self/autogroup ]; then
		echo 19 >/proc/self/autogroup 2>/dev/null || true
	fi
fi
seconds=3600
cpu_seconds=
jobs=1
resume=no
out_given=no
out=/tmp/csvsm-campaigns-$(date +%Y%m%d-%H%M%S)
build=/tmp/csvsm-fuzz-build
targets="core hv mssim scenario nvstore-load vtpm-cmd vtpm-state storage-dev attest nvseal"
while [ $# -gt 0 ]; do
	case $1 in
	--time) seconds=$2; shift 2 ;;
	--cpu-time) cpu_seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--out) out=$2; out_given=yes; shift 2 ;;
	--report) report=yes; shift ;;
	--background) background=yes; shift ;;
	--resume) resume=yes; shift ;;
	--build) build=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $jobs in
'' | *[!0-9]* | 0) echo "fuzz-campaigns: --jobs takes a count of at least 1, not '$jobs'" >&2; exit 2 ;;
esac
# The summary line of target $1, from its campaign's files: scripts/fuzz.sh's
# output (OUT/T.out), its status (OUT/T.rc), its log and work directory. A
# campaign still running has no result line in T.out yet: its status is
# "run", its executions those of its latest status line.
summarize() {
	t=$1
	log=$out/$t/fuzz.log
	runs=$(sed -n -E 's/^fuzz\.sh: ([0-9]+) executions.*/\1/p' "$out/$t.out" 2>/dev/null | tail -n 1)
	if [ -n "$runs" ]; then
		st=rc=$(cat "$out/$t.rc" 2>/dev/null || echo '?')
	else
		st=run
		runs=$(sed -n -E 's/^[0-9]+ #([0-9]+):?[[:space:]].*cov: .*/\1/p' "$log" 2>/dev/null | tail -n 1)
	fi
	wall=$(tail -n 1 "$log" 2>/dev/null | cut -d' ' -f1)
	case $wall in '' | *[!0-9]*) wall=0 ;; esac
	cpu=$(cat "$out/$t/fuzzer.cpu" 2>/dev/null || echo 0)
	# A resumed campaign: its earlier runs (scripts/fuzz.sh --resume) count.
	if [ -f "$out/$t/segments" ]; then
		set -- $(awk '{ c += $1; r += $2; w += $3 } END { print c + 0, r + 0, w + 0 }' "$out/$t/segments")
		cpu=$((cpu + $1))
		wall=$((wall + $3))
		[ "$st" != run ] || runs=$((${runs:-0} + $2))
	fi
	[ "$wall" != 0 ] || wall=1
	crashes=$(find "$out/$t/crashes" -type f ! -name 'slow-unit-*' 2>/dev/null | wc -l)
	slow=$(find "$out/$t/crashes" -type f -name 'slow-unit-*' 2>/dev/null | wc -l)
	# cov and ft of the first status line at or after 10 s, and of the last.
	first_log=$log
	[ ! -f "$out/$t/fuzz.log.1" ] || first_log=$out/$t/fuzz.log.1 # resumed
	first=$(awk '$1 >= 10 && / cov: / { print; exit }' "$first_log" 2>/dev/null || true)
	last=$(grep ' cov: ' "$log" 2>/dev/null | tail -n 1 || true)
	field() { echo "$1" | sed -n -E "s/.* $2: ([0-9]+).*/\1/p"; }
	printf '%-13s %-6s %-11s %-7s %-6s %-8s %-12s %-14s %s\n' "$t" "$st" "${runs:-0}" \
		"$wall" "$cpu" "$((${runs:-0} / wall))" \
		"$(field "$first" cov)->$(field "$last" cov)" "$(field "$first" ft)->$(field "$last" ft)" \
		"$crashes ($slow)"
}

# The table, one line a target: the lines the campaigns left (OUT/T.line),
# or with --report the figures of each campaign's files now (nothing under
# --out is written then). Exit status 1 unless every campaign ended rc=0.
table() {
	status=0
	printf '%-13s %-6s %-11s %-7s %-6s %-8s %-12s %-14s %s\n' target status executions wall-s CPU-s \
		exec/s "cov 10s->end" "ft 10s->end" "crashes (slow units)"
	for t in $targets; do
		if [ "$report" = yes ] && [ -f "$out/$t/fuzz.log" ]; then
			line=$(summarize "$t")
		elif [ "$report" = no ] && [ -f "$out/$t.line" ]; then
			line=$(cat "$out/$t.line")
		else
			line=$(printf '%-13s (not started)' "$t")
		fi
		echo "$line"
		case $line in "$t "*" rc=0 "*) ;; *) status=1 ;; esac
	done
	return "$status"
}

if [ "$report" = yes ]; then
	[ "$out_given" = yes ] || { echo "fuzz-campaigns: --report needs --out DIR" >&2; exit 2; }
	st=0
	table || st=$?
	exit "$st"
fi

if [ "$resume" = yes ] && [ "$out_given" = no ]; then
	echo "fuzz-campaigns: --resume needs the --out DIR of the earlier run" >&2
	exit 2
fi
mkdir -p "$out"
if [ -n "$cpu_seconds" ]; then
	budget="--cpu-time $cpu_seconds"
else
	budget="--time $seconds"
fi

# Every target is built first, one after another: lanes that each ran
# make in the same build tree would race.
for t in $targets; do
	sh "$top/scripts/fuzz.sh" --target "$t" --build "$build" --build-only >/dev/null ||
		{ echo "fuzz-campaigns: could not build fuzz-$t" >&2; exit 1; }
done

# One campaign, pinned with the command in $2 (may be empty):
# scripts/fuzz.sh's output goes to OUT/T.out, its status to OUT/T.rc.
campaign() {
	t=$1
	pin=$2
	extra=
	# libtpms crashes on some stored states (src/vtpm/README.md): keep going.
	[ "$t" = vtpm-state ] && extra="-- -fork=1 -ignore_crashes=1"
	again=
	if [ "$resume" = yes ] && [ -d "$out/$t/corpus" ]; then
		if [ -e "$out/$t/done" ]; then # finished: its line stays
			[ -s "$out/$t.line" ] || summarize "$t" >"$out/$t.line"
			return 0
		fi
		again=--resume
	fi
	rc=0
	# shellcheck disable=SC2086
	$pin sh "$top/scripts/fuzz.sh" --target "$t" --binary "$build/tests/fuzz/fuzz-$t" $budget \
		$again --work "$out/$t" $extra >"$out/$t.out" 2>&1 || rc=$?
	echo "$rc" >"$out/$t.rc"
	# (Through a new file: a run cut short here leaves the old line or none.)
	summarize "$t" >"$out/$t.line.new" && mv "$out/$t.line.new" "$out/$t.line"
}

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
lane=0
while [ "$lane" -lt "$jobs" ]; do
	mine=
	i=0
	for t in $targets; do
		[ $((i % jobs)) != "$lane" ] || mine="$mine $t"
		i=$((i + 1))
	done
	pin=
	if [ "$jobs" -gt 1 ] && command -v taskset >/dev/null 2>&1; then
		pin="taskset -c $((lane % ncpu))"
	fi
	(for t in $mine; do campaign "$t" "$pin"; done) &
	lane=$((lane + 1))
done
wait

st=0
table >"$out/summary.txt" || st=$?
cat "$out/summary.txt"
echo "fuzz-campaigns: logs and crashes under $out"
exit "$st"
