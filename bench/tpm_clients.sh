#!/bin/bash
# The same tpm2-tss client (bench/tpm-loop: Tss2_Sys over the TCTI loader)
# against `csvsm-sim tpm-server` (mssim TCTI), swtpm 0.7 (its socket mode,
# swtpm TCTI) and the in-process TCTI module (csvsm:state=FILE), in one
# run: TPM2_GetRandom(32) and TPM2_PCR_Extend per second; then the wall
# time of 20 `tpm2_getrandom` processes each way. Also the same server with
# the SVSM image's vTPM under KVM (`tpm-server --target kvm`) when the
# vTPM image is built and /dev/kvm is there. Goals (issue 9): the
# server at least swtpm's rate, the module at least 20 times swtpm's.
#   bench/tpm_clients.sh BUILD_DIR      (scripts/bench.sh passes build-bench)
set -u
build=$(cd "${1:-.}" && pwd) || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-bench.XXXXXX") || exit 1
srv=
sw=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	[ -n "$sw" ] && kill "$sw" 2>/dev/null && wait "$sw" 2>/dev/null
	[ -n "${img:-}" ] && kill "$img" 2>/dev/null && wait "$img" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
loop="$build/bench/tpm-loop"
module="$build/sim/tcti/libtss2-tcti-csvsm.so.0"
N_SOCKET=${N_SOCKET:-20000}
N_MODULE=${N_MODULE:-200000}

# start_server LOGNAME WAIT-S [OPTIONS...]: csvsm-sim tpm-server on a free
# even port pair (it exits 3 when taken); sets p and the pid in `started`.
start_server() {
	local log=$tmp/$1.log polls=$(($2 * 20))
	shift 2
	started=
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + (RANDOM % 20000) * 2))
		"$build/sim/csvsm-sim" tpm-server --port "$p" -q "$@" >"$log" 2>&1 &
		started=$!
		for _ in $(seq "$polls"); do
			grep -q listening "$log" 2>/dev/null && return 0
			kill -0 "$started" 2>/dev/null || break
			sleep 0.05
		done
		kill "$started" 2>/dev/null
		wait "$started" 2>/dev/null
		started=
		grep -q 'cannot listen' "$log" || return 1
	done
	return 1
}

# A free even port pair, tried by binding (the server exits 3 when taken).
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + (RANDOM % 20000) * 2))
	"$build/sim/csvsm-sim" tpm-server --port "$p" --state "$tmp/server.state" -q \
		>"$tmp/server.log" 2>&1 &
	srv=$!
	for _ in $(seq 100); do
		grep -q listening "$tmp/server.log" 2>/dev/null && break
		kill -0 "$srv" 2>/dev/null || break
		sleep 0.05
	done
	grep -q listening "$tmp/server.log" && break
	wait "$srv" 2>/dev/null
	srv=
done
[ -n "$srv" ] || { echo "tpm-server did not start"; cat "$tmp/server.log"; exit 1; }
server_tcti="mssim:host=127.0.0.1,port=$p"

swtpm_tcti=
if command -v swtpm >/dev/null 2>&1; then
	mkdir -p "$tmp/swtpm"
	for _ in 1 2 3 4 5; do
		q=$((20000 + (RANDOM % 20000) * 2))
		swtpm socket --tpm2 --server "type=tcp,port=$q,bindaddr=127.0.0.1" \
			--ctrl "type=tcp,port=$((q + 1)),bindaddr=127.0.0.1" \
			--tpmstate "dir=$tmp/swtpm" --flags not-need-init,startup-clear \
			--log "file=$tmp/swtpm.log" &
		sw=$!
		sleep 0.5
		if kill -0 "$sw" 2>/dev/null; then
			swtpm_tcti="swtpm:host=127.0.0.1,port=$q"
			break
		fi
		wait "$sw" 2>/dev/null
		sw=
	done
fi
module_tcti="$module:state=$tmp/module.state"

# The SVSM image's vTPM under KVM (tpm-server --target kvm, issue 12): its
# boot (libtpms manufacture on the sealed NV store) takes minutes on a
# loaded nested-KVM machine, so it gets IMAGE_BOOT_WAIT seconds (default 600).
image_tcti= image_why= img=
N_IMAGE=${N_IMAGE:-200}
image="$build/src/csvsm-kvm-vtpm.elf"
if [ ! -f "$image" ]; then
	image_why="(no vTPM image)"
elif [ ! -w /dev/kvm ]; then
	image_why="(no /dev/kvm)"
else
	s0=$(date +%s)
	if start_server image "${IMAGE_BOOT_WAIT:-600}" --target kvm --image "$image" \
		--state "$tmp/image.state"; then
		img=$started
		image_tcti="mssim:host=127.0.0.1,port=$p"
		echo "csvsm-kvm-vtpm.elf under KVM: answering $(($(date +%s) - s0)) s after start (boot, manufacture)"
	else
		image_why="(not answering after $(($(date +%s) - s0)) s: $(tail -n 1 "$tmp/image.log"))"
	fi
fi

rate() { # TCTI OP N -> commands per second
	"$loop" --tcti "$1" --op "$2" -n "$3" 2>"$tmp/err" | sed -E 's/.*: ([0-9]+)\/s/\1/' ||
		{ cat "$tmp/err" >&2; echo 0; }
}
printf '%-34s %14s %14s\n' "tpm2-tss client (Tss2_Sys)" "GetRandom/s" "PCR_Extend/s"
declare -A gr pe
for who in server image swtpm module; do
	case $who in
	server) t=$server_tcti n=$N_SOCKET label="csvsm-sim tpm-server (mssim)" ;;
	image) t=$image_tcti n=$N_IMAGE label="tpm-server --target kvm (image)" ;;
	swtpm) t=$swtpm_tcti n=$N_SOCKET label="swtpm 0.7 socket (swtpm TCTI)" ;;
	module) t=$module_tcti n=$N_MODULE label="libtss2-tcti-csvsm (in process)" ;;
	esac
	if [ -z "$t" ]; then
		[ "$who" = image ] && printf '%-34s %s\n' "$label" "$image_why" ||
			printf '%-34s %14s %14s\n' "$label" "(no swtpm)" ""
		continue
	fi
	gr[$who]=$(rate "$t" getrandom "$n")
	pe[$who]=$(rate "$t" pcrextend "$n")
	printf '%-34s %14s %14s\n' "$label" "${gr[$who]}" "${pe[$who]}"
done
if [ -n "$swtpm_tcti" ] && [ "${gr[swtpm]:-0}" -gt 0 ] && [ "${pe[swtpm]:-0}" -gt 0 ]; then
	awk -v sg="${gr[server]}" -v sp="${pe[server]}" -v wg="${gr[swtpm]}" -v wp="${pe[swtpm]}" \
		-v mg="${gr[module]}" -v mp="${pe[module]}" 'BEGIN {
		printf "server / swtpm: %.2fx GetRandom, %.2fx PCR_Extend (goal >= 1)\n", sg / wg, sp / wp
		printf "module / swtpm: %.1fx GetRandom, %.1fx PCR_Extend (goal >= 20)\n", mg / wg, mp / wp
	}'
fi

if command -v tpm2_getrandom >/dev/null 2>&1; then
	echo "20 tpm2_getrandom processes (wall time):"
	for who in server image swtpm module; do
		case $who in
		server) t=$server_tcti ;;
		image) t=$image_tcti ;;
		swtpm) t=$swtpm_tcti ;;
		module) t=$module_tcti ;;
		esac
		[ -n "$t" ] || continue
		s=$(date +%s%N)
		for _ in $(seq 20); do
			tpm2_getrandom -T "$t" 32 >/dev/null 2>>"$tmp/tools.err" || echo "tpm2_getrandom failed ($who)"
		done
		e=$(date +%s%N)
		printf '  %-8s %6d ms\n' "$who" $(((e - s) / 1000000))
	done
fi
