#!/bin/bash
# Runs third-party TPM test suites against the csvsm vTPM and swtpm, side by
# side: the IBM TSS v1045 regression suite (reg.sh groups, socket simulator
# interface) and the tpm2-tools 5.4 integration tests (through tpm2-abrmd on
# a private D-Bus bus). Prints pass/fail per test and target, a summary, and
# checks the goals of docs/tpm-suites.md. Full runs are by hand; `make check`
# runs the --quick subset (tests/tpm_suites.sh).
#
#   scripts/tpm-suites.sh [--suite ibm|tools|both] [--targets T,T,...]
#                         [--quick] [--build DIR] [--work DIR]
#                         [--timeout S] [TEST...]
#
# Targets (columns): swtpm (Debian's swtpm, socket mode), csvsm (`csvsm-sim
# tpm-server`, the SVSM keeps platformAuth: the default), csvsm-empty (the
# same with --platform-auth empty), tcti and tcti-empty (tpm2-tools tests
# only: the in-process TCTI module libtss2-tcti-csvsm.so loaded by
# tpm2-abrmd, platform_auth=svsm or empty; tcti-empty is a default column
# when the build has the module). TEST names a test as printed (ibm/testnv,
# tools/nv) or its last part (testnv, nv).
#
# The suites come from the pinned tarballs of the shared vendor folder
# ($CSVSM_VENDOR, else ../shared/vendor or ../../shared/vendor from the
# source tree), unpacked into the work folder, never into the tree.
#
# Exit status: 0 when the goals hold (every test passing on swtpm passes on
# csvsm-empty; every csvsm failure passes on csvsm-empty, i.e. is a platform
# hierarchy failure), 1 when not, 2 for bad usage, 77 when a tool or a
# tarball is missing.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${top_builddir:-$top/build}
suite=both
targets=
quick=false
work=
timeout_s=600
only=()

usage() {
	sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=${2:-}; shift 2 ;;
	--targets) targets=${2:-}; shift 2 ;;
	--quick) quick=true; shift ;;
	--build) build=${2:-}; shift 2 ;;
	--work) work=${2:-}; shift 2 ;;
	--timeout) timeout_s=${2:-}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "tpm-suites: unknown option $1" >&2; exit 2 ;;
	*) only+=("$1"); shift ;;
	esac
done
case $suite in ibm | tools | both) ;; *) echo "tpm-suites: --suite ibm|tools|both" >&2; exit 2 ;; esac
build=$(cd "$build" 2>/dev/null && pwd) || { echo "tpm-suites: no build folder" >&2; exit 2; }

# The CI subset (--quick: < ~60 s; targets csvsm, csvsm-empty and, when
# built, tcti-empty unless --targets says otherwise): keys, HMAC sessions, NV PIN indexes with a
# power cycle, sealing with policies, PCRs, and the platform hierarchy.
QUICK_IBM="testrng testhmacsession testnvpin testunseal"
QUICK_TOOLS="getrandom pcrextend changepps hierarchycontrol"

skip() {
	echo "SKIP: $*"
	exit 77
}

# ---- what is needed ----
sim="$build/sim/csvsm-sim"
[ -x "$sim" ] || skip "no $sim (build first)"
"$sim" tpm-server --help 2>/dev/null | grep -q -- '--platform-auth' ||
	skip "this csvsm-sim has no tpm-server --platform-auth"
vendor=${CSVSM_VENDOR:-}
if [ -z "$vendor" ]; then
	for d in "$top/../shared/vendor" "$top/../../shared/vendor"; do
		[ -f "$d/ibmtss-1045-utils-tests.tar.gz" ] && { vendor=$(cd "$d" && pwd); break; }
	done
fi
ibm_tar="$vendor/ibmtss-1045-utils-tests.tar.gz"
tools_tar="$vendor/tpm2-tools-5.4-integration.tar.gz"
# SHA-256 of the pinned tarballs (vendor README).
ibm_sum=7c3a1ec276960998dc015c9fea4b57f4abbecc31a0577be8702e0558c3627c69
tools_sum=0b5066e26401933e2397018f0f8e20c930c708035be985f026999b3936daa417
want_ibm=false
want_tools=false
[ "$suite" != tools ] && want_ibm=true
[ "$suite" != ibm ] && want_tools=true
if $want_ibm; then
	[ -f "$ibm_tar" ] || skip "IBM TSS tests tarball not found (set CSVSM_VENDOR)"
	command -v tsspowerup >/dev/null || skip "tsspowerup missing (apt-get install tss2)"
fi
if $want_tools; then
	[ -f "$tools_tar" ] || skip "tpm2-tools tests tarball not found (set CSVSM_VENDOR)"
	for t in tpm2 tpm2-abrmd dbus-daemon python3; do
		command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
			skip "$t missing (apt-get install tpm2-tools tpm2-abrmd libtss2-tcti-tabrmd0 dbus-daemon python3-yaml)"
	done
	ldconfig -p 2>/dev/null | grep -q 'libtss2-tcti-tabrmd\.so' ||
		skip "the tabrmd TCTI is missing (apt-get install libtss2-tcti-tabrmd0)"
fi
command -v swtpm >/dev/null || skip "swtpm missing (apt-get install swtpm)"
abrmd=$(command -v tpm2-abrmd || echo /usr/sbin/tpm2-abrmd)
tcti_module=$(find "$build" -name 'libtss2-tcti-csvsm.so*' -type f 2>/dev/null | sort | head -n 1)

if [ -z "$targets" ] && $quick; then
	targets="csvsm,csvsm-empty"
	[ -n "$tcti_module" ] && $want_tools && targets="$targets,tcti-empty"
elif [ -z "$targets" ]; then
	targets="swtpm,csvsm,csvsm-empty"
	[ -n "$tcti_module" ] && $want_tools && targets="$targets,tcti-empty"
fi
IFS=, read -r -a cols <<<"$targets"
for c in "${cols[@]}"; do
	case $c in
	swtpm | csvsm | csvsm-empty) ;;
	tcti | tcti-empty) [ -n "$tcti_module" ] || skip "no libtss2-tcti-csvsm.so in $build" ;;
	*) echo "tpm-suites: unknown target $c" >&2; exit 2 ;;
	esac
done

# ---- the work folder ----
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-suites.XXXXXX") || exit 99
	cleanup_work=true
else
	mkdir -p "$work" && work=$(cd "$work" && pwd) || exit 2
	cleanup_work=false
fi
case $work/ in "$top"/*) echo "tpm-suites: the work folder must be outside the tree" >&2; exit 2 ;; esac
pids=()
dbus_pid=
cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	[ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null
	if $cleanup_work && [ "${KEEP:-0}" = 0 ]; then
		rm -rf "$work"
	else
		echo "tpm-suites: logs in $work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

unpack() { # TAR SUM DEST
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [ "$got" != "$2" ]; then
		echo "tpm-suites: $1 is not the pinned tarball (SHA-256 $got)" >&2
		exit 2
	fi
	mkdir -p "$3" && tar -xzf "$1" -C "$3" || exit 2
}
if $want_ibm; then
	unpack "$ibm_tar" "$ibm_sum" "$work/src-ibm"
	ibm_utils=$(echo "$work"/src-ibm/*/utils)
	# Debian's tss2 names the tools tss*: reg.sh's documented PREFIX switch.
	sed -i 's|^PREFIX=\./$|PREFIX=tss|' "$ibm_utils/reg.sh"
fi
if $want_tools; then
	unpack "$tools_tar" "$tools_sum" "$work/src-tools"
	tools_top=$(echo "$work"/src-tools/*)
	integ="$tools_top/test/integration"
	# A private session bus for tpm2-abrmd.
	dbus_info=$(dbus-daemon --session --fork --nopidfile --print-address=1 --print-pid=1) ||
		skip "dbus-daemon did not start"
	export DBUS_SESSION_BUS_ADDRESS=${dbus_info%%$'\n'*}
	dbus_pid=${dbus_info##*$'\n'}
fi

# ---- starting and stopping a TPM ----
port_free() {
	! ss -ltnH "( sport = :$1 or sport = :$(($1 + 1)) )" 2>/dev/null | grep -q .
}
pick_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + (RANDOM % 20000) * 2))
		port_free "$p" && { echo "$p"; return 0; }
	done
	return 1
}
wait_listen() { # PORT PID
	for _ in $(seq 1 200); do
		ss -ltnH "( sport = :$1 )" 2>/dev/null | grep -q . && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# tpm_start TARGET DIR: starts a fresh TPM (new state in DIR); sets port, tpm_pid.
tpm_start() {
	local t=$1 dir=$2
	mkdir -p "$dir"
	for _ in 1 2 3 4 5; do
		port=$(pick_port) || return 1
		case $t in
		swtpm)
			swtpm socket --tpm2 --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
				--ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
				--tpmstate "dir=$dir" --flags not-need-init,startup-clear \
				>"$dir/tpm.log" 2>&1 &
			;;
		csvsm) "$sim" tpm-server --port "$port" -q >"$dir/tpm.log" 2>&1 & ;;
		csvsm-empty)
			"$sim" tpm-server --port "$port" -q --platform-auth empty \
				>"$dir/tpm.log" 2>&1 &
			;;
		tcti | tcti-empty) tpm_pid=; return 0 ;; # in tpm2-abrmd's process
		esac
		tpm_pid=$!
		pids+=("$tpm_pid")
		wait_listen "$port" "$tpm_pid" && wait_listen $((port + 1)) "$tpm_pid" && return 0
		kill -KILL "$tpm_pid" 2>/dev/null
		wait "$tpm_pid" 2>/dev/null
	done
	return 1
}
stop_pid() {
	[ -n "${1:-}" ] || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
# abrmd_start TARGET DIR: tpm2-abrmd in front of the TPM; sets tools_tcti, abrmd_pid.
abrmd_start() {
	local t=$1 dir=$2 name tcti
	name="com.intel.tss2.Tabrmd${RANDOM}x$$"
	case $t in
	swtpm) tcti="swtpm:host=127.0.0.1,port=$port" ;;
	csvsm | csvsm-empty) tcti="mssim:host=127.0.0.1,port=$port" ;;
	tcti) tcti="$tcti_module:state=$dir/tpm.state" ;;
	tcti-empty) tcti="$tcti_module:state=$dir/tpm.state,platform_auth=empty" ;;
	esac
	local root=
	[ "$(id -u)" = 0 ] && root=--allow-root
	"$abrmd" $root --session --dbus-name="$name" --tcti="$tcti" >"$dir/abrmd.log" 2>&1 &
	abrmd_pid=$!
	pids+=("$abrmd_pid")
	tools_tcti="tabrmd:bus_type=session,bus_name=$name"
	for _ in $(seq 1 100); do
		tpm2_getrandom -T "$tools_tcti" 1 >/dev/null 2>&1 && return 0
		kill -0 "$abrmd_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- the tests ----
# IBM groups in reg.sh order (its option number, its script).
ibm_groups="1:testrng 2:testpcr 3:testprimary 4:testcreateloaded 5:testhmacsession 6:testbind
7:testsalt 8:testhierarchy 9:teststorage 10:testchangeauth 11:testencsession 12:testsign
13:testnv 14:testnvpin 15:testevict 16:testrsa 17:testaes 18:testaes138 19:testhmac
20:testattest 21:testpolicy 22:testpolicy138 23:testcontext 24:testclocks 25:testda
26:testunseal 27:testdup 28:testecc 29:testcredential 35:testshutdown 50:testchangeseed"

selected() { # NAME SHORT QUICKLIST
	local x
	if [ ${#only[@]} -gt 0 ]; then
		for x in "${only[@]}"; do
			[ "$x" = "$1" ] || [ "$x" = "$2" ] && return 0
		done
		return 1
	fi
	if $quick; then
		for x in $3; do
			[ "$x" = "$2" ] && return 0
		done
		return 1
	fi
	return 0
}

tests=()
if $want_ibm; then
	for g in $ibm_groups; do
		selected "ibm/${g#*:}" "${g#*:}" "$QUICK_IBM" && tests+=("ibm/${g#*:}")
	done
fi
if $want_tools; then
	for f in "$integ"/tests/*.sh; do
		n=$(basename "$f" .sh)
		selected "tools/$n" "$n" "$QUICK_TOOLS" && tests+=("tools/$n")
	done
fi
[ ${#tests[@]} -gt 0 ] || { echo "tpm-suites: no test selected" >&2; exit 2; }

# run_one TARGET TEST: sets r to PASS, FAIL, SKIP, N/A or TIMEOUT.
run_one() {
	local t=$1 name=$2 dir rc
	dir="$work/run/$t/${name//\//-}"
	rm -rf "$dir"
	mkdir -p "$dir"
	case $name in
	ibm/*)
		case $t in tcti*) r=N/A; return ;; esac
		local grp
		for g in $ibm_groups; do
			[ "ibm/${g#*:}" = "$name" ] && grp=${g%%:*}
		done
		tpm_start "$t" "$dir/tpm" || { r=FAIL; echo "no TPM" >"$dir/test.log"; return; }
		cp -r "$ibm_utils" "$dir/utils"
		local type=mssim
		[ "$t" = swtpm ] && type=raw
		(cd "$dir/utils" && TPM_INTERFACE_TYPE=socsim TPM_SERVER_TYPE=$type \
			TPM_SERVER_NAME=127.0.0.1 TPM_COMMAND_PORT=$port \
			TPM_PLATFORM_PORT=$((port + 1)) TPM_DATA_DIR="$dir/utils" \
			timeout -k 5 "$timeout_s" ./reg.sh "-$grp") >"$dir/test.log" 2>&1
		rc=$?
		stop_pid "$tpm_pid"
		;;
	tools/*)
		tpm_start "$t" "$dir/tpm" || { r=FAIL; echo "no TPM" >"$dir/test.log"; return; }
		if ! abrmd_start "$t" "$dir/tpm"; then
			stop_pid "$abrmd_pid"
			stop_pid "$tpm_pid"
			r=FAIL
			echo "tpm2-abrmd did not start" >"$dir/test.log"
			return
		fi
		(cd "$integ" && env -u TPM2_SIM -u TPM2_ABRMD PATH="$integ:$PATH" \
			srcdir="$tools_top" abs_srcdir="$tools_top" TMPDIR="$dir" PYTHON=python3 \
			TPM2TOOLS_TEST_TCTI="$tools_tcti" \
			timeout -k 5 "$timeout_s" bash "tests/${name#tools/}.sh") >"$dir/test.log" 2>&1
		rc=$?
		stop_pid "$abrmd_pid"
		stop_pid "$tpm_pid"
		;;
	esac
	case $rc in
	0) r=PASS ;;
	77) r=SKIP ;;
	124 | 137) r=TIMEOUT ;;
	*) r=FAIL ;;
	esac
}

declare -A res dur
start_all=$(date +%s)
width=8
for c in "${cols[@]}"; do [ ${#c} -gt $width ] && width=${#c}; done
printf '%-34s' "test"
for c in "${cols[@]}"; do printf " %-${width}s" "$c"; done
echo
for name in "${tests[@]}"; do
	printf '%-34s' "$name"
	for c in "${cols[@]}"; do
		t0=$(date +%s.%N)
		run_one "$c" "$name"
		t1=$(date +%s.%N)
		res[$c,$name]=$r
		dur[$c,$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
		printf " %-${width}s" "$r"
	done
	echo
done

# ---- summary ----
echo
echo "summary ($(($(date +%s) - start_all)) s; logs: $work/run/TARGET/TEST/test.log):"
for c in "${cols[@]}"; do
	p=0 f=0 s=0 n=0 secs=0
	for name in "${tests[@]}"; do
		case ${res[$c,$name]} in
		PASS) p=$((p + 1)) ;;
		SKIP) s=$((s + 1)) ;;
		N/A) n=$((n + 1)) ;;
		*) f=$((f + 1)) ;;
		esac
		secs=$(awk -v a="$secs" -v b="${dur[$c,$name]}" 'BEGIN { printf "%.2f", a + b }')
	done
	printf '  %-12s %3d pass %3d fail %3d skip %3d n/a   %7.1f s\n' "$c" $p $f $s $n "$secs"
done

has() { for c in "${cols[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }
status=0
if has swtpm && has csvsm-empty; then
	bad=()
	for name in "${tests[@]}"; do
		[ "${res[swtpm,$name]}" = PASS ] && [ "${res[csvsm-empty,$name]}" != PASS ] && bad+=("$name")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		echo "  goal 1 holds: every test that passes on swtpm passes on csvsm-empty"
	else
		echo "  goal 1 FAILS: pass on swtpm, not on csvsm-empty: ${bad[*]}"
		status=1
	fi
fi
if has csvsm && has csvsm-empty; then
	plat=()
	other=()
	for name in "${tests[@]}"; do
		[ "${res[csvsm,$name]}" = PASS ] && continue
		[ "${res[csvsm,$name]}" = SKIP ] && continue
		if [ "${res[csvsm-empty,$name]}" = PASS ]; then
			plat+=("$name")
		elif has swtpm && [ "${res[swtpm,$name]}" != PASS ]; then
			: # fails everywhere: the suite's, not the vTPM's
		else
			other+=("$name")
		fi
	done
	echo "  csvsm failures that pass with --platform-auth empty (platform hierarchy): ${#plat[@]}"
	[ ${#plat[@]} -gt 0 ] && echo "    ${plat[*]}"
	if [ ${#other[@]} -eq 0 ]; then
		echo "  goal 2 holds: the default csvsm fails only on the platform hierarchy"
	else
		echo "  goal 2 FAILS: csvsm failures not explained by the platform hierarchy: ${other[*]}"
		status=1
	fi
fi
# Through the TCTI module: what passes over the socket passes in-process.
for pair in tcti:csvsm tcti-empty:csvsm-empty; do
	tc=${pair%%:*}
	sc=${pair#*:}
	has "$tc" && has "$sc" || continue
	bad=()
	for name in "${tests[@]}"; do
		[ "${res[$tc,$name]}" = N/A ] && continue
		[ "${res[$sc,$name]}" = PASS ] && [ "${res[$tc,$name]}" != PASS ] && bad+=("$name")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		echo "  $tc: every test that passes on $sc passes through the TCTI module"
	else
		echo "  $tc FAILS where $sc passes: ${bad[*]}"
		status=1
	fi
done
exit $status
