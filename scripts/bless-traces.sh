#!/bin/sh
# Re-blesses golden traces: runs fixtures/scenarios/NAME.scn with --trace and,
# when every expectation held, makes the trace fixtures/traces/NAME.jsonl.
# Use it after an intended change of the simulator's or the core's behaviour,
# then review the change with `git diff fixtures/traces` before committing.
#
#   scripts/bless-traces.sh              every scenario
#   scripts/bless-traces.sh NAME...      some (NAME, NAME.scn or a path)
#
# The simulator: $CSVSM_SIM, else build/sim/csvsm-sim (scripts/test.sh's
# build), else $BUILDDIR/sim/csvsm-sim. A scenario whose expectations fail is
# not blessed (its report is shown) and the exit status is 1.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
sim=${CSVSM_SIM:-${BUILDDIR:-$root/build}/sim/csvsm-sim}
scenarios="$root/fixtures/scenarios"
traces="$root/fixtures/traces"

if [ ! -x "$sim" ]; then
	echo "bless-traces: no simulator at $sim (build first, or set CSVSM_SIM)" >&2
	exit 2
fi
mkdir -p "$traces"
if [ $# -eq 0 ]; then
	set -- "$scenarios"/*.scn
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/bless.XXXXXX") || exit 2
out=$(mktemp "${TMPDIR:-/tmp}/bless-out.XXXXXX") || exit 2
trap 'rm -f "$tmp" "$out"' EXIT INT TERM
status=0
for arg in "$@"; do
	name=$(basename "$arg" .scn)
	scn="$scenarios/$name.scn"
	if [ ! -f "$scn" ]; then
		echo "bless-traces: no scenario $scn" >&2
		status=1
		continue
	fi
	if ! "$sim" -q run "$scn" --trace "$tmp" >"$out" 2>&1; then
		echo "bless-traces: $name NOT blessed: its expectations do not hold:"
		sed -n '1,40p' "$out"
		status=1
		continue
	fi
	golden="$traces/$name.jsonl"
	if [ -f "$golden" ] && cmp -s "$tmp" "$golden"; then
		echo "bless-traces: $name unchanged ($(wc -l <"$tmp") events)"
	else
		cp "$tmp" "$golden"
		echo "bless-traces: $name blessed ($(wc -l <"$golden") events)"
	fi
done
for golden in "$traces"/*.jsonl; do
	[ -e "$golden" ] || continue
	name=$(basename "$golden" .jsonl)
	[ -f "$scenarios/$name.scn" ] ||
		echo "bless-traces: $golden has no scenario any more (remove it?)"
done
exit $status
