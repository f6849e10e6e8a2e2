#!/bin/sh
# scripts/fuzz.sh cannot report a campaign that did not run as a success
# (docs/fuzzing.md, "A campaign cannot lie"): tiny libFuzzer harnesses,
# built here with clang and handed to the script with --binary, each for a
# few seconds:
#  - one that aborts in LLVMFuzzerInitialize: exit 1, FAILED, and the
#    harness's own message among the fuzzer's last words;
#  - one that exits 0 in LLVMFuzzerInitialize: exit 1, it executed nothing;
#  - one that aborts on an input starting with 'X', with such a seed:
#    exit 1 and the crash file in WORK/crashes;
#  - a healthy one: exit 0 and a positive number of executions;
#  - one that takes 2 s on an input starting with 'S', with such a seed and
#    -report_slow_units=1: exit 0, 0 crashes, the slow unit reported;
#  - the healthy one with --cpu-time 2 and a 60 s wall-clock limit: exit 0,
#    stopped by the CPU budget long before the wall clock, executions;
#  - --cpu-time with a value that is not a count of seconds: exit 2;
#  - --resume of a campaign cut short (its log and CPU-seconds made up
#    here): the earlier figures counted, the rest of the budget run, and a
#    second --resume says it finished instead of fuzzing again.
# Skipped (exit 77) without clang's libFuzzer.
set -u
srcdir=${srcdir:-$(dirname "$0")/../..}
abs_src=$(cd "$srcdir" && pwd)
cc=${FUZZ_CHECK_CC:-clang}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-fuzzsh.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

cat >"$tmp/h.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
#if MODE == 1
	fprintf(stderr, "deliberately broken harness\n");
	abort();
#elif MODE == 2
	exit(0);
#endif
	return 0;
}
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)
{
#if MODE == 3
	if (n > 0 && d[0] == 'X')
		abort();
#elif MODE == 4
	if (n == 1 && d[0] == 'S')
		sleep(2);
#endif
	(void)d;
	(void)n;
	return 0;
}
EOF
for mode in 0 1 2 3 4; do
	if ! "$cc" -DMODE=$mode -fsanitize=fuzzer,address -o "$tmp/h$mode" "$tmp/h.c" \
		>"$tmp/cc.log" 2>&1; then
		echo "SKIP: $cc cannot link libFuzzer (apt-get install clang libclang-rt-14-dev)"
		exit 77
	fi
done
mkdir -p "$tmp/seeds" "$tmp/xseeds" "$tmp/sseeds"
printf 'hello' >"$tmp/seeds/a"
printf 'X' >"$tmp/xseeds/x"
printf 'S' >"$tmp/sseeds/s"

# run MODE SEEDS [FUZZER-ARGS]: the script's status in $rc, its output in
# $tmp/out.MODE
run() {
	rc=0
	m=$1 seeds=$2
	shift 2
	sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h$m" --corpus "$seeds" --time 3 \
		--work "$tmp/w$m" -- "$@" >"$tmp/out.$m" 2>&1 || rc=$?
}
fail() {
	echo "FAIL: $1"
	sed 's/^/  | /' "$2"
	fails=$((fails + 1))
}

run 0 "$tmp/seeds"
if [ "$rc" != 0 ] || ! grep -q -E '^fuzz\.sh: [1-9][0-9]* executions, 0 crash' "$tmp/out.0"; then
	fail "a healthy harness: status $rc, expected 0 with executions" "$tmp/out.0"
else
	echo "PASS: a healthy harness: $(grep -E '^fuzz\.sh: [0-9]+ executions' "$tmp/out.0")"
fi

run 1 "$tmp/seeds"
if [ "$rc" != 1 ] || ! grep -q 'FAILED: the fuzzer exited with status' "$tmp/out.1" ||
	! grep -q 'deliberately broken harness' "$tmp/out.1"; then
	fail "abort() in LLVMFuzzerInitialize: status $rc, expected 1 with the reason" "$tmp/out.1"
else
	echo "PASS: abort() in LLVMFuzzerInitialize fails with the harness's message"
fi

run 2 "$tmp/seeds"
if [ "$rc" != 1 ] || ! grep -q 'FAILED:' "$tmp/out.2"; then
	fail "exit(0) in LLVMFuzzerInitialize: status $rc, expected 1" "$tmp/out.2"
else
	echo "PASS: exit(0) in LLVMFuzzerInitialize fails ($(grep 'FAILED:' "$tmp/out.2" | head -n 1))"
fi

run 3 "$tmp/xseeds"
if [ "$rc" != 1 ] || ! grep -q '1 crash(es)' "$tmp/out.3" ||
	[ "$(find "$tmp/w3/crashes" -type f | wc -l)" != 1 ]; then
	fail "a crashing input: status $rc, expected 1 with one crash file" "$tmp/out.3"
else
	echo "PASS: a crashing input fails with its crash file"
fi

run 4 "$tmp/sseeds" -report_slow_units=1
if [ "$rc" != 0 ] || ! grep -q ' 0 crash(es)' "$tmp/out.4" ||
	! grep -q -E '^fuzz\.sh: [1-9][0-9]* slow unit' "$tmp/out.4"; then
	fail "a slow input: status $rc, expected 0 with 0 crashes and the slow unit reported" "$tmp/out.4"
else
	echo "PASS: a slow input is reported as a slow unit, not a crash"
fi

# A relative --work (the fuzzer runs inside it): still 0 with executions.
rc=0
(cd "$tmp" && sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h0" --corpus "$tmp/seeds" --time 3 \
	--work w5) >"$tmp/out.5" 2>&1 || rc=$?
if [ "$rc" != 0 ] || ! grep -q -E '^fuzz\.sh: [1-9][0-9]* executions, 0 crash' "$tmp/out.5"; then
	fail "a relative --work: status $rc, expected 0 with executions" "$tmp/out.5"
else
	echo "PASS: a relative --work directory"
fi

# --cpu-time: the CPU budget ends the campaign (a busy harness uses about a
# CPU-second per second), and the script says so.
rc=0
sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h0" --corpus "$tmp/seeds" --cpu-time 2 --time 60 \
	--work "$tmp/w6" >"$tmp/out.6" 2>&1 || rc=$?
wall=$(tail -n 1 "$tmp/w6/fuzz.log" 2>/dev/null | cut -d' ' -f1)
if [ "$rc" != 0 ] || ! grep -q -E '^fuzz\.sh: [1-9][0-9]* executions, 0 crash' "$tmp/out.6" ||
	! grep -q 'CPU-s (the --cpu-time budget)' "$tmp/out.6" || [ "${wall:-60}" -ge 30 ]; then
	fail "--cpu-time 2: status $rc after ${wall:-?} s, expected 0, the budget reached well before 60 s" "$tmp/out.6"
else
	echo "PASS: --cpu-time 2 stopped the fuzzer after $wall s: $(grep 'CPU-s' "$tmp/out.6")"
fi
rc=0
sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h0" --cpu-time 1h --work "$tmp/w7" >"$tmp/out.7" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -q 'whole seconds' "$tmp/out.7"; then
	fail "--cpu-time 1h: status $rc, expected 2 with the reason" "$tmp/out.7"
else
	echo "PASS: --cpu-time 1h is refused ($(cat "$tmp/out.7"))"
fi

# --resume: a campaign cut short after 1 CPU-second, 5 s and 1000 runs.
mkdir -p "$tmp/w8/corpus"
cp "$tmp/seeds/a" "$tmp/w8/corpus/"
printf '5 #1000\tpulse  cov: 1 ft: 1 corp: 1/5b lim: 4 exec/s: 200 rss: 30Mb\n' >"$tmp/w8/fuzz.log"
echo 1 >"$tmp/w8/fuzzer.cpu"
rc=0
sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h0" --cpu-time 3 --work "$tmp/w8" --resume \
	>"$tmp/out.8" 2>&1 || rc=$?
runs=$(sed -n -E 's/^fuzz\.sh: ([0-9]+) executions.*/\1/p' "$tmp/out.8")
if [ "$rc" != 0 ] || [ "${runs:-0}" -le 1000 ] ||
	! grep -q 'resuming after 1 earlier run(s): 1 CPU-s, 5 s, at least 1000 executions' "$tmp/out.8" ||
	! grep -q 'for 2 CPU-s' "$tmp/out.8" || [ ! -f "$tmp/w8/fuzz.log.1" ]; then
	fail "--resume: status $rc, expected 0, 2 CPU-s left and more than 1000 executions in all" "$tmp/out.8"
else
	echo "PASS: --resume counts the earlier run and fuzzes the rest ($runs executions in all)"
fi
rc=0
sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h0" --cpu-time 3 --work "$tmp/w8" --resume \
	>"$tmp/out.9" 2>&1 || rc=$?
if [ "$rc" != 0 ] || ! grep -q 'finished already' "$tmp/out.9" || [ -e "$tmp/w8/fuzz.log.2" ]; then
	fail "--resume of a finished campaign: status $rc, expected 0 and no new run" "$tmp/out.9"
else
	echo "PASS: --resume of a finished campaign fuzzes nothing ($(cat "$tmp/out.9"))"
fi
rc=0
sh "$abs_src/scripts/fuzz.sh" --binary "$tmp/h0" --work "$tmp/nothing-here" --resume >"$tmp/out.10" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -q 'needs the --work DIR' "$tmp/out.10"; then
	fail "--resume without an earlier campaign: status $rc, expected 2" "$tmp/out.10"
else
	echo "PASS: --resume without an earlier campaign is refused"
fi

[ "$fails" = 0 ] || exit 1
exit 0
