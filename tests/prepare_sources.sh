#!/bin/sh
# scripts/prepare-sources.sh on small fake sources: a good run, a second run
# that does nothing, a bundle for an offline machine, and every error path
# (checksum mismatch, truncated file, missing file, half-unpacked tree, an
# old pin, a truncated bundle), each with its message and an unchanged DEST.
set -eu
srcdir=${srcdir:-.}
script=$srcdir/scripts/prepare-sources.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# expect_fail NAME PATTERN ARGS...: the script must fail and say PATTERN.
expect_fail() {
	name=$1 pattern=$2
	shift 2
	if sh "$script" "$@" >"$work/out" 2>&1; then
		bad "$name: succeeded"
		cat "$work/out"
	elif grep -q -- "$pattern" "$work/out"; then
		ok "$name"
	else
		bad "$name: no '$pattern' in:"
		cat "$work/out"
	fi
}
# snapshot DIR: every file with its checksum (what "unchanged" compares).
snapshot() { (cd "$1" && find . -type f -exec sha256sum {} + | sort) }

# Fake sources: one tarball, one Debian-style patch series for it.
mkdir -p "$work/src/foo-1.0" "$work/deb/debian/patches" "$work/mirror"
printf 'hello\n' >"$work/src/foo-1.0/a.txt"
tar -czf "$work/mirror/foo-1.0.tar.gz" -C "$work/src" foo-1.0
cat >"$work/deb/debian/patches/fix.patch" <<'EOF'
--- a/a.txt
+++ b/a.txt
@@ -1 +1 @@
-hello
+hello, patched
EOF
echo fix.patch >"$work/deb/debian/patches/series"
tar -cJf "$work/mirror/foo_1.0-1.debian.tar.xz" -C "$work/deb" debian
line() { echo "$1 $(wc -c <"$work/mirror/$1" | tr -d ' ') $(sha256sum "$work/mirror/$1" | cut -d' ' -f1) $2 url:file:///nonexistent/$1"; }
{
	echo "# test manifest"
	line foo-1.0.tar.gz foo-1.0
	line foo_1.0-1.debian.tar.xz patch:foo-1.0
} >"$work/manifest"

run() { sh "$script" --manifest "$work/manifest" --no-apt-setup "$@"; }

# A good run unpacks and patches; a second run changes nothing.
if run --from "$work/mirror" --dest "$work/d1" >"$work/out" 2>&1 &&
	[ "$(cat "$work/d1/foo-1.0/a.txt")" = "hello, patched" ] && [ -f "$work/d1/.foo-1.0.ok" ]; then
	ok "good run unpacks and applies the patch series"
else
	bad "good run"
	cat "$work/out"
fi
before=$(snapshot "$work/d1")
if run --from "$work/mirror" --dest "$work/d1" --offline >"$work/out" 2>&1 &&
	grep -q "nothing to do" "$work/out" && [ "$before" = "$(snapshot "$work/d1")" ]; then
	ok "second run does nothing"
else
	bad "second run"
	cat "$work/out"
fi
# Without --from, everything is already in DEST: nothing is fetched.
if run --dest "$work/d1" --offline >"$work/out" 2>&1 && grep -q "nothing to do" "$work/out"; then
	ok "second run needs no --from"
else
	bad "second run without --from"
	cat "$work/out"
fi

# Pack for an offline machine, then prepare from the bundle alone.
if run --dest "$work/d1" --offline --pack "$work/bundle.tar" >"$work/out" 2>&1 &&
	run --from "$work/bundle.tar" --dest "$work/d2" >"$work/out" 2>&1 &&
	[ "$(cat "$work/d2/foo-1.0/a.txt")" = "hello, patched" ]; then
	ok "bundle made by --pack prepares another DEST offline"
else
	bad "bundle"
	cat "$work/out"
fi
head -c 1000 "$work/bundle.tar" >"$work/short.tar"
expect_fail "truncated bundle" "make it again with --pack" --manifest "$work/manifest" --from "$work/short.tar" --dest "$work/d3"
[ ! -e "$work/d3/foo-1.0" ] && ok "truncated bundle leaves no tree" || bad "truncated bundle left a tree"

# Checksum mismatch in the mirror: named, nothing unpacked.
mkdir "$work/badsum"
cp "$work/mirror/"* "$work/badsum/"
printf 'X' | dd of="$work/badsum/foo-1.0.tar.gz" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_fail "checksum mismatch" "foo-1.0.tar.gz is a checksum mismatch" --manifest "$work/manifest" --from "$work/badsum" --dest "$work/d4"
[ ! -e "$work/d4/foo-1.0" ] && [ ! -e "$work/d4/downloads/foo-1.0.tar.gz" ] &&
	ok "checksum mismatch keeps nothing" || bad "checksum mismatch kept something"

# Truncated file.
mkdir "$work/short"
cp "$work/mirror/"* "$work/short/"
head -c 100 "$work/mirror/foo-1.0.tar.gz" >"$work/short/foo-1.0.tar.gz"
expect_fail "truncated file" "foo-1.0.tar.gz is truncated (100 of" --manifest "$work/manifest" --from "$work/short" --dest "$work/d5"
[ ! -e "$work/d5/foo-1.0" ] && ok "truncated file keeps nothing" || bad "truncated file left a tree"

# Missing file, offline; and missing with a failing fetch.
mkdir "$work/partial"
cp "$work/mirror/foo-1.0.tar.gz" "$work/partial/"
expect_fail "missing file offline" "foo_1.0-1.debian.tar.xz is missing" --manifest "$work/manifest" --from "$work/partial" --dest "$work/d6" --offline
expect_fail "missing file, fetch fails" "foo_1.0-1.debian.tar.xz is missing and could not be fetched" --manifest "$work/manifest" --from "$work/partial" --dest "$work/d6"
[ ! -e "$work/d6/foo-1.0" ] && ok "missing file: nothing unpacked" || bad "missing file: a tree was unpacked"

# A download in DEST that went bad is fetched again from --from.
printf 'X' | dd of="$work/d1/downloads/foo-1.0.tar.gz" bs=1 seek=10 conv=notrunc 2>/dev/null
if run --from "$work/mirror" --dest "$work/d1" --offline >"$work/out" 2>&1 &&
	grep -q "fetching it again" "$work/out" &&
	cmp -s "$work/d1/downloads/foo-1.0.tar.gz" "$work/mirror/foo-1.0.tar.gz"; then
	ok "a corrupted cached download is replaced"
else
	bad "corrupted cached download"
	cat "$work/out"
fi

# Half-unpacked tree (no stamp): stops, names it, changes nothing.
mkdir -p "$work/d7/foo-1.0"
echo partial >"$work/d7/foo-1.0/a.txt"
before=$(snapshot "$work/d7")
expect_fail "half-unpacked tree" "is half unpacked" --manifest "$work/manifest" --from "$work/mirror" --dest "$work/d7"
grep -q "rm -rf" "$work/out" && ok "half-unpacked: says what to do" || bad "half-unpacked: no advice"
rm -rf "$work/d7/downloads"
[ "$before" = "$(snapshot "$work/d7")" ] && ok "half-unpacked tree left untouched" || bad "half-unpacked tree changed"

# A tree made from an older pin.
cp -r "$work/d1" "$work/d8"
echo "old-1.0.tar.gz 0000" >"$work/d8/.foo-1.0.ok"
expect_fail "tree of an older pin" "other files than the manifest names" --manifest "$work/manifest" --from "$work/mirror" --dest "$work/d8"

# A malformed manifest.
echo "foo-1.0.tar.gz 12 nothex foo-1.0 url:x" >"$work/badmanifest"
expect_fail "malformed manifest" "is not a SHA-256" --manifest "$work/badmanifest" --dest "$work/d9"

# No temporary directories left anywhere.
if ls -d "$work"/d*/.tmp.* >/dev/null 2>&1; then bad "temporary directories left"; else ok "no temporary directories left"; fi

echo "1..$n"
[ "$fails" = 0 ]
