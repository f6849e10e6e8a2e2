#!/bin/sh
# Both targets, one language: every fixtures/scenarios/*.scn runs with the
# guest's side in the guest program on KVM (--target kvm-guest) and must
# pass there, with a trace whose event sequence (types and arguments; times
# dropped) equals the in-process run's. The built-in workload too. Then the
# same with the SVSM image at VMPL0 (--target kvm), below.
# SKIP (77) without /dev/kvm. docs/kvm-snp.md.
set -u
srcdir=${srcdir:-$(dirname "$0")/..}
top_builddir=${top_builddir:-.}
sim="$top_builddir/sim/csvsm-sim"
guest="$top_builddir/guest/csvsm-guest.elf"
scenarios="$srcdir/fixtures/scenarios"

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	echo "SKIP: /dev/kvm is not available: the KVM target is not tested"
	exit 77
fi
[ -x "$sim" ] && [ -f "$guest" ] || { echo "kvm_scenarios: $sim or $guest not built" >&2; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csvsm-kvmscn.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0

events() {
	sed -e 's/"t_ns":[0-9]*,//' "$1"
}

# The shim's events without its teardown: when the harness frees a machine
# with an MMIO NV device, the shim closes the core's driver (sim/nvdev.c,
# sim_nvdev_machine_gone: a device reset, `mmio` events after the last
# statement); the SVSM image's VM just stops, as a machine does
# (docs/kvm-snp.md, "Comparison rule"). So a trailing run of `mmio` events
# is dropped from the shim's side of a --target kvm comparison only.
events_no_teardown() {
	events "$1" | awk '{ line[NR] = $0 } END {
		n = NR
		while (n > 0 && line[n] ~ /"type":"mmio"/) n--
		for (i = 1; i <= n; i++) print line[i]
	}'
}

for scn in "$scenarios"/*.scn; do
	[ -e "$scn" ] || { echo "FAIL: no scenarios in $scenarios"; fail=1; break; }
	name=$(basename "$scn" .scn)
	count=$((count + 1))
	"$sim" -q run "$scn" --trace "$tmp/$name.shim" >"$tmp/$name.shim.out" 2>&1
	if ! "$sim" --target kvm-guest --guest "$guest" -q run "$scn" --trace "$tmp/$name.kvm" \
		>"$tmp/$name.kvm.out" 2>&1; then
		echo "FAIL: $name: expectations failed on the KVM target"
		sed -n '1,40p' "$tmp/$name.kvm.out"
		fail=$((fail + 1))
		continue
	fi
	events "$tmp/$name.shim" >"$tmp/$name.shim.ev"
	events "$tmp/$name.kvm" >"$tmp/$name.kvm.ev"
	if ! cmp -s "$tmp/$name.shim.ev" "$tmp/$name.kvm.ev"; then
		echo "FAIL: $name: the KVM target's events differ from the shim's"
		diff "$tmp/$name.shim.ev" "$tmp/$name.kvm.ev" | sed -n '1,20p'
		fail=$((fail + 1))
	fi
done
echo "kvm scenarios: $count run on both targets"

# The built-in workload: same output, same events.
"$sim" --trace "$tmp/w.shim" >"$tmp/w.shim.out" 2>&1
if ! "$sim" --target kvm-guest --guest "$guest" --trace "$tmp/w.kvm" >"$tmp/w.kvm.out" 2>&1; then
	echo "FAIL: the built-in workload on the KVM target"
	sed -n '1,40p' "$tmp/w.kvm.out"
	fail=$((fail + 1))
elif ! cmp -s "$tmp/w.shim.out" "$tmp/w.kvm.out"; then
	echo "FAIL: the built-in workload prints differently on the KVM target"
	diff "$tmp/w.shim.out" "$tmp/w.kvm.out" | sed -n '1,20p'
	fail=$((fail + 1))
else
	events "$tmp/w.shim" >"$tmp/w.shim.ev"
	events "$tmp/w.kvm" >"$tmp/w.kvm.ev"
	cmp -s "$tmp/w.shim.ev" "$tmp/w.kvm.ev" || {
		echo "FAIL: the built-in workload's events differ on the KVM target"
		fail=$((fail + 1))
	}
fi

# --target kvm: the SVSM image at VMPL0 too. A scenario the shim passes
# without the vTPM runs without it on both sides (--no-vtpm: the image's
# vTPM boot is not needed there). One that needs the vTPM runs with it on
# both sides: the image's vTPM on the scenario's NV device and seed
# (docs/kvm-snp.md, "The vTPM on --target kvm"); without the vTPM image
# (the bare-metal libraries were not built) it is a visible SKIP. Either
# way the events must be the shim's, one for one. Per-scenario times are
# printed (the vTPM image's boot dominates: docs/kvm-snp.md).
image="$top_builddir/src/csvsm-kvm-vtpm.elf"
[ -f "$image" ] || image="$top_builddir/src/csvsm-kvm.elf"
if ! [ -f "$image" ]; then
	echo "FAIL: $image not built"
	fail=$((fail + 1))
else
	kcount=0
	kskip=0
	kvtpm=0
	has_vtpm=no
	grep -q TPMLIB_Process "$image" && has_vtpm=yes
	for scn in "$scenarios"/*.scn; do
		[ -e "$scn" ] || break
		name=$(basename "$scn" .scn)
		why=""
		vt=--no-vtpm
		if ! "$sim" --no-vtpm -q run "$scn" --trace "$tmp/$name.nv.shim" \
			>"$tmp/$name.nv.shim.out" 2>&1; then
			vt=""
			if [ "$has_vtpm" = no ]; then
				why="its expectations need the vTPM and $image has none (build the bare-metal libraries: docs/bare-metal-libs.md)"
			elif ! "$sim" -q run "$scn" --trace "$tmp/$name.nv.shim" \
				>"$tmp/$name.nv.shim.out" 2>&1; then
				echo "FAIL: $name: fails on the shim"
				sed -n '1,20p' "$tmp/$name.nv.shim.out"
				fail=$((fail + 1))
				continue
			fi
		fi
		if [ -z "$why" ] && grep -q csvsm_crypto_absent "$image" && grep -q '^ *attest' "$scn"; then
			why="the image's crypto adapter is crypto_absent.c: it cannot encrypt a guest message"
		elif [ -z "$why" ] && ! grep -q x86_ap_entry64 "$image" && grep -qi 'create_vcpu' "$scn"; then
			why="the image has no AP entry (x86_ap_entry64): vCPUs >= 1 cannot start"
		fi
		if [ -n "$why" ]; then
			echo "SKIP: $name on --target kvm: $why"
			kskip=$((kskip + 1))
			continue
		fi
		kcount=$((kcount + 1))
		[ -z "$vt" ] && kvtpm=$((kvtpm + 1))
		t0=$(date +%s)
		# shellcheck disable=SC2086 # $vt is one option or none
		if ! "$sim" --target kvm --guest "$guest" --image "$image" $vt -q run "$scn" \
			--trace "$tmp/$name.img" >"$tmp/$name.img.out" 2>&1; then
			echo "FAIL: $name: expectations failed on --target kvm"
			sed -n '1,40p' "$tmp/$name.img.out"
			fail=$((fail + 1))
			continue
		fi
		echo "kvm: $name ${vt:-with the vTPM}: $(($(date +%s) - t0)) s"
		events_no_teardown "$tmp/$name.nv.shim" >"$tmp/$name.nv.shim.ev"
		events "$tmp/$name.img" >"$tmp/$name.img.ev"
		if [ -z "$vt" ] && grep -q '^ *config.*nv=pflash' "$scn"; then
			# A flash's data passes through MMIO: those events carry the sealed
			# state's bytes, whose length and contents depend on the libtpms
			# build (the shim's Debian libtpms, the image's pinned one), so
			# only the other events are compared, without their numbers
			# (docs/kvm-snp.md).
			grep -v '"type":"mmio"' "$tmp/$name.nv.shim.ev" | sed 's/"seq":[0-9]*,//' >"$tmp/$name.a"
			grep -v '"type":"mmio"' "$tmp/$name.img.ev" | sed 's/"seq":[0-9]*,//' >"$tmp/$name.b"
			mv "$tmp/$name.a" "$tmp/$name.nv.shim.ev"
			mv "$tmp/$name.b" "$tmp/$name.img.ev"
		fi
		if ! cmp -s "$tmp/$name.nv.shim.ev" "$tmp/$name.img.ev"; then
			echo "FAIL: $name: --target kvm's events differ from the shim's"
			diff "$tmp/$name.nv.shim.ev" "$tmp/$name.img.ev" | sed -n '1,20p'
			fail=$((fail + 1))
		fi
	done
	echo "kvm scenarios: $kcount run with the SVSM image ($kvtpm with its vTPM), $kskip skipped (reasons above)"

	# Rule 4 with the image's vTPM: the same seed gives the same trace,
	# byte for byte (its randomness is the machine's seeded streams).
	if [ "$has_vtpm" = yes ] && [ -f "$tmp/vtpm.img" ]; then
		if "$sim" --target kvm --guest "$guest" --image "$image" -q run "$scenarios/vtpm.scn" \
			--trace "$tmp/vtpm.img2" >"$tmp/vtpm.img2.out" 2>&1 &&
			cmp -s "$tmp/vtpm.img" "$tmp/vtpm.img2"; then
			echo "kvm: vtpm twice with the image's vTPM: byte-identical traces"
		else
			echo "FAIL: vtpm.scn twice on --target kvm: the traces differ"
			fail=$((fail + 1))
		fi
	fi

	# The built-in workload: same events, same output but the heap line;
	# with the image's vTPM when it has one (the workload's vTPM steps on the
	# machine's host-memory NV device), else without on both sides.
	wvt=--no-vtpm
	[ "$has_vtpm" = yes ] && wvt=""
	# shellcheck disable=SC2086 # $wvt is one option or none
	"$sim" $wvt --trace "$tmp/wn.shim" >"$tmp/wn.shim.out" 2>&1
	# shellcheck disable=SC2086
	if ! grep -q x86_ap_entry64 "$image"; then
		echo "SKIP: the built-in workload on --target kvm: the image has no AP entry (x86_ap_entry64)"
	elif ! "$sim" --target kvm --guest "$guest" --image "$image" $wvt --trace "$tmp/wn.img" \
		>"$tmp/wn.img.out" 2>&1; then
		echo "FAIL: the built-in workload on --target kvm"
		sed -n '1,40p' "$tmp/wn.img.out"
		fail=$((fail + 1))
	elif ! diff "$tmp/wn.shim.out" "$tmp/wn.img.out" | grep -v '^[<>] heap:' | grep -q '^[<>]'; then
		events "$tmp/wn.shim" >"$tmp/wn.shim.ev"
		events "$tmp/wn.img" >"$tmp/wn.img.ev"
		if cmp -s "$tmp/wn.shim.ev" "$tmp/wn.img.ev"; then
			echo "kvm: the built-in workload ${wvt:-with the vTPM} agrees"
		else
			echo "FAIL: the built-in workload's events differ on --target kvm"
			diff "$tmp/wn.shim.ev" "$tmp/wn.img.ev" | sed -n '1,20p'
			fail=$((fail + 1))
		fi
	else
		echo "FAIL: the built-in workload prints differently on --target kvm"
		diff "$tmp/wn.shim.out" "$tmp/wn.img.out" | sed -n '1,20p'
		fail=$((fail + 1))
	fi
fi

# A wrong target is a usage error.
"$sim" --target nowhere >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --target nowhere is not a usage error"; fail=$((fail + 1)); }

[ "$fail" -eq 0 ] && echo "PASS: every scenario and the workload agree on both targets"
[ "$fail" -eq 0 ]
