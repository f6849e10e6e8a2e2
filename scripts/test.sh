#!/bin/sh
# The README's second command (and what CI runs): install what is missing,
# build, and run every test. Ends with a "N passed, N failed" line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/build.sh"
cd "$top/build"
jobs=$(nproc 2>/dev/null || echo 2)
status=0
# The bare-metal libraries (from ../shared/vendor when it is beside the
# clone; about a minute the first time), so that make check links and tests
# the image with the vTPM. Without the vendor directory their tests SKIP.
bm_failed=0
sh "$top/scripts/bare-metal-for-tests.sh" -j "$jobs" --log "$top/build/bare-metal.log" || bm_failed=1
make -s -j"$jobs" check >check.out 2>&1 || status=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' check.out || true
if [ "$status" != 0 ]; then
	cat check.out
	for log in $(find . -path './csvsm-*' -prune -o -name '*.log' ! -name 'config.log' ! -name 'test-suite.log' -print); do
		if grep -qE '^(FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null; then
			echo "---- $log"
			tail -n 60 "$log"
		fi
	done
fi
# The release tarball must build and pass its tests out of tree
# (make distcheck). Skipped when the sources are exactly those of the last
# successful distcheck, so that a second run with nothing changed is quick.
dist_total=0
dist_failed=0
if [ "$status" = 0 ]; then
	stamp=distcheck.stamp
	key=$(cd "$top" && { git rev-parse HEAD 2>/dev/null; git status --porcelain 2>/dev/null; git diff 2>/dev/null; } | cksum)
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
		echo "distcheck: sources unchanged since the last successful run, skipped"
	else
		dist_total=1
		if make -s -j"$jobs" distcheck >distcheck.out 2>&1; then
			echo "$key" >"$stamp"
			echo "PASS: make distcheck"
		else
			dist_failed=1
			status=1
			tail -n 60 distcheck.out
			echo "FAIL: make distcheck (build/distcheck.out)"
		fi
	fi
fi

# Totals: Check programs report "Checks: N, Failures: F, Errors: E" in
# their logs; script tests count as one check each.
checks=0
failed=0
for trs in $(find . -path './csvsm-*' -prune -o -name '*.trs' -print); do
	log=${trs%.trs}.log
	line=$(grep -E '^[0-9]+%: Checks: ' "$log" 2>/dev/null | tail -n 1 || true)
	if [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2/')
		checks=$((checks + n))
		failed=$((failed + $(echo "$f" | awk '{print $1 + $2}')))
	else
		checks=$((checks + 1))
		grep -qE '^:test-result: (PASS|SKIP|XFAIL)' "$trs" || failed=$((failed + 1))
	fi
done
checks=$((checks + dist_total + bm_failed))
failed=$((failed + dist_failed + bm_failed))
if [ "$bm_failed" = 1 ]; then
	echo "FAIL: bare-metal libraries (build/bare-metal.log)"
	status=1
fi
echo "tests: $((checks - failed)) passed, $failed failed"
exit "$status"
