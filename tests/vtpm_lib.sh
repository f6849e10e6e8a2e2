# Shell helpers of the vTPM integration tests (sourced by tests/vtpm_*.sh,
# tests/tcti_tools.sh, bash). They start `csvsm-sim tpm-server` on a free
# high port of 127.0.0.1 and stop it by its process id, and count the
# steps of a client session (ok, bad, run).
#
# Needs: top_builddir, tmp (a scratch directory). Sets: port, srv_pid,
# steps, fail.

steps=0
fail=0
# A step passed.
ok() { steps=$((steps + 1)); }
# A step failed: says why on stdout (the test's log).
bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}
# run NAME CMD...: runs a client command, its output in $tmp/NAME.out; a
# failure prints the command and the first lines of its output.
run() {
	local name=$1
	shift
	if "$@" >"$tmp/$name.out" 2>&1; then
		ok
		return 0
	fi
	bad "$name: $*"
	sed -n '1,20p' "$tmp/$name.out"
	return 1
}
# hex <FILE: the bytes as one line of lowercase hex.
hex() { od -An -tx1 -v | tr -d ' \n'; }
# Without a resource manager every loaded object stays: flush after each step.
flush() { tpm2_flushcontext -t >/dev/null 2>&1; tpm2_flushcontext -s >/dev/null 2>&1; }

# The server: csvsm-sim's subcommand when it has one, else the test program
# with the same code (tests/vtpm-server).
vt_server_cmd() {
	if "$top_builddir/sim/csvsm-sim" tpm-server --help 2>/dev/null | grep -q 'TPM simulator protocol'; then
		echo "$top_builddir/sim/csvsm-sim tpm-server"
	elif [ -x "$top_builddir/tests/vtpm-server" ]; then
		echo "$top_builddir/tests/vtpm-server"
	else
		return 1
	fi
}

# vt_start [--state FILE] [other server options]: starts the server on a
# random free port; returns 0 once it listens, 77 when the server says it
# cannot run here (its status 77), 124 when it is still not listening after
# VT_START_WAIT seconds (default 10; it is then stopped). The server's
# output is in $tmp/server.why after 77 and 124.
vt_start() {
	local cmd try log st polls=$((${VT_START_WAIT:-10} * 20))
	cmd=$(vt_server_cmd) || { echo "vtpm: no tpm-server program built" >&2; return 1; }
	for try in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM % 20000) * 2))
		log="$tmp/server.$port.log"
		# shellcheck disable=SC2086
		$cmd --port "$port" -q "$@" >"$log" 2>&1 &
		srv_pid=$!
		for _ in $(seq 1 "$polls"); do
			if grep -q 'listening on' "$log" 2>/dev/null; then
				return 0
			fi
			if ! kill -0 "$srv_pid" 2>/dev/null; then
				break
			fi
			sleep 0.05
		done
		if kill -0 "$srv_pid" 2>/dev/null; then
			kill -KILL "$srv_pid" 2>/dev/null
			wait "$srv_pid" 2>/dev/null
			srv_pid=
			cp "$log" "$tmp/server.why"
			return 124
		fi
		st=0
		wait "$srv_pid" || st=$?
		srv_pid=
		if [ "$st" -eq 77 ]; then
			cp "$log" "$tmp/server.why"
			return 77
		fi
		if [ "$st" -ne 3 ]; then
			echo "vtpm: the server did not start (status $st):" >&2
			cat "$log" >&2
			return 1
		fi
	done
	echo "vtpm: no free port found" >&2
	return 1
}

# Stops the server politely (SIGTERM) and waits for it; returns its status.
vt_stop() {
	local st=0
	kill -TERM "$srv_pid" 2>/dev/null
	wait "$srv_pid" || st=$?
	srv_pid=
	return "$st"
}

# Kills the server at once (SIGKILL), as a power cut would.
vt_kill9() {
	kill -KILL "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
	srv_pid=
}

vt_cleanup() {
	if [ -n "${srv_pid:-}" ]; then
		kill -KILL "$srv_pid" 2>/dev/null
		wait "$srv_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
