#!/bin/sh
# Golden-trace regression of the scenario fixtures (docs/scenarios.md):
# - every fixtures/scenarios/NAME.scn runs with --trace, must exit 0 (all
#   expectations held) and its trace must equal fixtures/traces/NAME.jsonl
#   byte for byte (re-bless after an intended change: scripts/bless-traces.sh);
# - determinism: one scenario run twice gives identical traces and timelines;
# - exit statuses: 1 for a failed expectation (reported with FILE:LINE), 2
#   for a malformed scenario;
# - the timeline is JSON (checked with python3 when there is one; the Check
#   test tests/check_scenario validates it without python).
# Works from a separate, read-only source tree (make distcheck).
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
top_builddir=${top_builddir:-.}
sim="$top_builddir/sim/csvsm-sim"
scenarios="$srcdir/fixtures/scenarios"
traces="$srcdir/fixtures/traces"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-scn.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0

bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

[ -x "$sim" ] || { echo "scenarios: $sim not built" >&2; exit 99; }

for scn in "$scenarios"/*.scn; do
	[ -e "$scn" ] || { bad "no scenarios in $scenarios"; break; }
	name=$(basename "$scn" .scn)
	count=$((count + 1))
	if ! "$sim" -q run "$scn" --trace "$tmp/$name.jsonl" >"$tmp/$name.out" 2>&1; then
		bad "$name: expectations failed"
		sed -n '1,60p' "$tmp/$name.out"
		continue
	fi
	if [ ! -f "$traces/$name.jsonl" ]; then
		bad "$name: no golden trace $traces/$name.jsonl (scripts/bless-traces.sh $name)"
		continue
	fi
	if ! cmp -s "$tmp/$name.jsonl" "$traces/$name.jsonl"; then
		bad "$name: trace differs from the golden trace (first differences below;" \
			"if intended, re-bless with scripts/bless-traces.sh $name)"
		diff "$traces/$name.jsonl" "$tmp/$name.jsonl" | sed -n '1,20p'
	fi
done
echo "scenarios: $count replayed"

# Every golden trace has its scenario.
for golden in "$traces"/*.jsonl; do
	[ -e "$golden" ] || continue
	name=$(basename "$golden" .jsonl)
	[ -f "$scenarios/$name.scn" ] || bad "$name: golden trace without a scenario"
done

# Determinism: two runs, byte-identical trace and timeline.
one="$scenarios/create-delete-vcpu.scn"
for i in 1 2; do
	"$sim" -q run "$one" --trace "$tmp/det$i.jsonl" --timeline "$tmp/det$i.json" \
		>/dev/null 2>&1 || bad "determinism run $i failed"
done
cmp -s "$tmp/det1.jsonl" "$tmp/det2.jsonl" || bad "two runs gave different traces"
cmp -s "$tmp/det1.json" "$tmp/det2.json" || bad "two runs gave different timelines"
[ -s "$tmp/det1.jsonl" ] || bad "empty trace"
# The vTPM is seeded from the seed: the same seed gives the same TPM bytes
# (the responses -v prints), another seed other ones.
vt="$scenarios/vtpm.scn"
for i in 1 2; do
	"$sim" -v run "$vt" 2>&1 >/dev/null | grep "tpm response" >"$tmp/vt$i.txt" ||
		bad "vtpm -v run $i printed no TPM response"
done
"$sim" --seed 2 -v run "$vt" 2>&1 >/dev/null | grep "tpm response" >"$tmp/vt3.txt"
cmp -s "$tmp/vt1.txt" "$tmp/vt2.txt" || bad "vtpm: the same seed gave other TPM responses"
cmp -s "$tmp/vt1.txt" "$tmp/vt3.txt" && bad "vtpm: seeds 1 and 2 gave the same TPM responses"
# Its commands are events in the trace and instants on the timeline.
"$sim" -q run "$vt" --trace "$tmp/vt.jsonl" --timeline "$tmp/vt.json" >/dev/null 2>&1 ||
	bad "vtpm: traced run failed"
grep -q '"type":"vtpm","command":"TPM2_PCR_Extend","cc":"0x182"' "$tmp/vt.jsonl" ||
	bad "vtpm: no PCR_Extend event in the trace"
grep -q '"name":"vtpm","cat":"event","ph":"i"' "$tmp/vt.json" ||
	bad "vtpm: no vtpm instant on the timeline"
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$tmp/vt.json" >/dev/null 2>&1 || bad "vtpm: timeline is not valid JSON"
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/vt.jsonl" ||
		bad "vtpm: a trace line is not valid JSON"
fi
# The default run is deterministic too, and -v shows the same events.
"$sim" -q --trace "$tmp/def1.jsonl" >/dev/null 2>&1 || bad "default run failed"
"$sim" -q -v --trace "$tmp/def2.jsonl" >/dev/null 2>"$tmp/def2.txt" || bad "default run -v failed"
cmp -s "$tmp/def1.jsonl" "$tmp/def2.jsonl" || bad "default run: traces differ"
[ "$(wc -l <"$tmp/def1.jsonl")" -eq "$(wc -l <"$tmp/def2.txt")" ] ||
	bad "default run: -v printed $(wc -l <"$tmp/def2.txt") lines for $(wc -l <"$tmp/def1.jsonl") events"
# Its summary: the results line accounts for every call, the vTPM's included.
"$sim" -q >"$tmp/def.out" 2>&1 || bad "default run -q failed"
calls=$(sed -n 's/^summary: \([0-9]*\) calls.*/\1/p' "$tmp/def.out")
counted=$(sed -n 's/^results://p' "$tmp/def.out" | tr ',' '\n' | awk '{n += $1} END {print n + 0}')
[ -n "$calls" ] && [ "$calls" -gt 0 ] && [ "$calls" = "$counted" ] ||
	bad "default run: results line counts $counted calls, summary says '$calls'"

# The timeline is JSON (when python3 is around).
if command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool "$tmp/det1.json" >/dev/null 2>&1 || bad "timeline is not valid JSON"
	python3 - "$tmp/det1.json" <<'EOF' || bad "timeline lacks call or VMPL slices"
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
calls = [e for e in ev if e.get("cat") == "call" and e["ph"] == "B"]
vmpl = [e for e in ev if e.get("cat") == "vmpl" and e["ph"] == "B"]
assert calls and vmpl
assert len(calls) == len([e for e in ev if e.get("cat") == "call" and e["ph"] == "E"])
EOF
else
	echo "scenarios: no python3, timeline JSON check left to check_scenario"
fi

# Exit statuses and reports.
cat >"$tmp/fails.scn" <<'EOF'
# a failing expectation
call core.query_protocol rcx=core:1
expect rax SVSM_ERR_INVALID_ADDRESS
EOF
"$sim" run "$tmp/fails.scn" >"$tmp/fails.out" 2>&1
rc=$?
[ $rc -eq 1 ] || bad "a failed expectation exits $rc, not 1"
grep -q "fails.scn:3: expectation failed" "$tmp/fails.out" || bad "no FILE:LINE in the report"
grep -q "expected: SVSM_ERR_INVALID_ADDRESS" "$tmp/fails.out" || bad "no expected value"
grep -q "actual:   SVSM_SUCCESS" "$tmp/fails.out" || bad "no actual value"
grep -q "vmpl_switch" "$tmp/fails.out" || bad "no trace events in the report"

printf 'config vcpus=2\ncall core.query_protocol\nfrobnicate 1\n' >"$tmp/parse.scn"
"$sim" run "$tmp/parse.scn" >"$tmp/parse.out" 2>&1
rc=$?
[ $rc -eq 2 ] || bad "a parse error exits $rc, not 2"
grep -q "parse.scn:3: unknown keyword 'frobnicate'" "$tmp/parse.out" || bad "parse error report"
"$sim" run "$tmp/does-not-exist.scn" >/dev/null 2>&1
[ $? -eq 2 ] || bad "a missing scenario file does not exit 2"
printf 'call core.query_protocol rcx=core:1\nexpect rax SVSM_SUCCESS\nexpect rcx 1:1\n' |
	"$sim" -q run - >/dev/null 2>&1 || bad "a scenario from stdin"

[ $fail -eq 0 ] || { echo "scenarios: $fail failure(s)"; exit 1; }
echo "scenarios: all good"
