#!/bin/sh
# Prepares the pinned third-party sources of the bare-metal image (OpenSSL,
# libtpms) for a build that needs no network.
#
# Usage: scripts/prepare-sources.sh [--from DIR|BUNDLE] [--dest DIR]
#          [--manifest FILE] [--offline] [--pack BUNDLE] [--no-apt-setup]
#
#   --from DIR      take the files from DIR first (a local mirror, e.g.
#                   ../shared/vendor); files not there are fetched (below)
#   --from BUNDLE   a tarball made by --pack: everything comes from it
#   --dest DIR      where the sources go (default: third_party/ at the top of
#                   the tree, ignored by git); configure looks there
#   --manifest F    the list of pinned files (default scripts/sources.manifest)
#   --offline       never fetch: a file missing from --from is an error
#   --pack BUNDLE   after preparing, write every pinned file into BUNDLE (one
#                   .tar) for a machine without network
#   --no-apt-setup  never add a deb-src entry to apt's sources (see below)
#
# Each file of the manifest is verified (size, then SHA-256) before it is
# used; a file in DEST/downloads that fails is never trusted again. Trees are
# unpacked into a temporary directory and renamed into place only when
# complete, and a stamp DEST/.DIR.ok records what they were made from; a
# second run with everything in place does nothing. Every failure stops with
# a message naming the file and what to do, and leaves DEST as it was.
#
# OpenSSL comes from Debian's source package through `apt-get source
# --download-only`, which needs a deb-src entry. As root, when none exists,
# the script adds /etc/apt/sources.list.d/csvsm-deb-src.sources, a copy of
# the deb entries of /etc/apt/sources.list.d/debian.sources with
# `Types: deb-src`, and runs apt-get update (--no-apt-setup: never).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
manifest=$top/scripts/sources.manifest
dest=$top/third_party
from=""
offline=no
pack=""
apt_setup=yes

die() {
	echo "prepare-sources: error: $*" >&2
	exit 1
}
say() { echo "prepare-sources: $*"; }

while [ $# -gt 0 ]; do
	case $1 in
	--from) [ $# -ge 2 ] || die "--from needs a directory or bundle"; from=$2; shift 2 ;;
	--dest) [ $# -ge 2 ] || die "--dest needs a directory"; dest=$2; shift 2 ;;
	--manifest) [ $# -ge 2 ] || die "--manifest needs a file"; manifest=$2; shift 2 ;;
	--offline) offline=yes; shift ;;
	--pack) [ $# -ge 2 ] || die "--pack needs a file name"; pack=$2; shift 2 ;;
	--no-apt-setup) apt_setup=no; shift ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

[ -f "$manifest" ] || die "manifest $manifest does not exist"
mkdir -p "$dest/downloads" || die "cannot create $dest/downloads"
dest=$(cd "$dest" && pwd)
dl=$dest/downloads

tmp=$(mktemp -d "$dest/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

# The manifest without comments and blank lines.
entries=$tmp/entries
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$manifest" >"$entries"
while read -r f bytes sum unpack fetch extra; do
	[ -n "$fetch" ] && [ -z "$extra" ] ||
		die "$manifest: malformed line for '$f' (want FILE BYTES SHA-256 UNPACK FETCH)"
	case $bytes in *[!0-9]*) die "$manifest: '$bytes' is not a size in bytes ($f)" ;; esac
	echo "$sum" | grep -qE '^[0-9a-f]{64}$' || die "$manifest: '$sum' is not a SHA-256 ($f)"
done <"$entries"

# A bundle given as --from: unpack it once into the temporary directory.
if [ -n "$from" ] && [ -f "$from" ]; then
	mkdir "$tmp/bundle"
	tar -xf "$from" -C "$tmp/bundle" ||
		die "cannot read bundle $from (truncated or not a tar file): make it again with --pack"
	from=$tmp/bundle
	offline=yes
elif [ -n "$from" ] && [ ! -d "$from" ]; then
	die "--from $from is neither a directory nor a bundle"
fi

# check FILE BYTES SHA256: verifies a file; prints why it is wrong.
check() {
	[ -f "$1" ] || { echo "missing"; return 1; }
	n=$(wc -c <"$1" | tr -d ' ')
	if [ "$n" -lt "$2" ]; then
		echo "truncated ($n of $2 bytes)"
		return 1
	elif [ "$n" -ne "$2" ]; then
		echo "the wrong size ($n bytes, manifest says $2)"
		return 1
	fi
	s=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$s" = "$3" ] || { echo "a checksum mismatch (SHA-256 $s, manifest says $3)"; return 1; }
	return 0
}

apt_ready=""
# apt_source PKG=VER: downloads a Debian source package into $tmp/apt.
apt_source() {
	mkdir -p "$tmp/apt"
	if [ -z "$apt_ready" ]; then
		if ! apt-get source --print-uris "$1" >/dev/null 2>&1; then
			if [ "$apt_setup" = yes ] && [ "$(id -u)" = 0 ] &&
				[ -f /etc/apt/sources.list.d/debian.sources ] &&
				[ ! -f /etc/apt/sources.list.d/csvsm-deb-src.sources ]; then
				say "adding a deb-src entry (/etc/apt/sources.list.d/csvsm-deb-src.sources) for apt-get source"
				sed 's/^Types:[[:space:]]*deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
					>/etc/apt/sources.list.d/csvsm-deb-src.sources
				apt-get update -q >/dev/null 2>&1 || true
			fi
		fi
		apt_ready=yes
	fi
	(cd "$tmp/apt" && apt-get source --download-only "$1") >"$tmp/apt.log" 2>&1 || {
		sed 's/^/  /' "$tmp/apt.log" >&2
		return 1
	}
}

# Phase 1: every file into $dl, verified.
status=0
while read -r f bytes sum unpack fetch; do
	if why=$(check "$dl/$f" "$bytes" "$sum"); then
		continue
	fi
	if [ -f "$dl/$f" ]; then
		say "$dl/$f is $why; fetching it again"
		rm -f "$dl/$f"
	fi
	got=""
	if [ -n "$from" ] && [ -e "$from/$f" ]; then
		if why=$(check "$from/$f" "$bytes" "$sum"); then
			got=$from/$f
		else
			echo "prepare-sources: error: $from/$f is $why." >&2
			echo "  Replace it with the pinned file (see $manifest) or remove it and run without --from." >&2
			status=1
			continue
		fi
	elif [ "$offline" = yes ]; then
		echo "prepare-sources: error: $f is missing${from:+ from $from} and --offline forbids fetching it." >&2
		echo "  Put $f ($bytes bytes, SHA-256 $sum) there, or run without --offline on a machine with network." >&2
		status=1
		continue
	else
		case $fetch in
		apt:*)
			pkg=${fetch#apt:}
			if [ ! -f "$tmp/apt/$f" ]; then
				say "apt-get source --download-only $pkg"
				apt_source "$pkg" || true
			fi
			[ -f "$tmp/apt/$f" ] && got=$tmp/apt/$f ;;
		url:*)
			url=${fetch#url:}
			say "fetching $url"
			if command -v curl >/dev/null 2>&1 &&
				curl -fsSL --retry 2 -o "$tmp/$f" "$url" 2>"$tmp/curl.log"; then
				got=$tmp/$f
			fi ;;
		*) die "$manifest: unknown fetch method '$fetch' ($f)" ;;
		esac
		if [ -z "$got" ]; then
			echo "prepare-sources: error: $f is missing and could not be fetched ($fetch)." >&2
			case $fetch in
			apt:*) echo "  apt-get source needs a deb-src entry (as root this script adds one); or copy $f into a directory and pass --from DIR." >&2 ;;
			*) echo "  Copy $f into a directory and pass --from DIR (the project's machines use --from ../shared/vendor)." >&2 ;;
			esac
			status=1
			continue
		fi
		if ! why=$(check "$got" "$bytes" "$sum"); then
			echo "prepare-sources: error: the downloaded $f is $why." >&2
			echo "  The source changed upstream or the download was cut: nothing was kept; run again, or use --from with a verified copy." >&2
			status=1
			continue
		fi
	fi
	cp "$got" "$dl/.$f.part" && mv "$dl/.$f.part" "$dl/$f" || die "cannot write $dl/$f"
	say "verified $f"
done <"$entries"
[ "$status" = 0 ] || { echo "prepare-sources: nothing was unpacked." >&2; exit 1; }

# Phase 2: unpack. A tree's key is the SHA-256 of everything it is made of.
dirs=$(awk '$4 != "-" { d = $4; sub(/^patch:/, "", d); print d }' "$entries" | sort -u)
for d in $dirs; do
	case $d in */* | .* | "") die "$manifest: '$d' is not a plain directory name" ;; esac
	key=$(awk -v d="$d" '$4 == d || $4 == "patch:" d { print $1, $3 }' "$entries")
	stamp=$dest/.$d.ok
	if [ -d "$dest/$d" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
		continue
	fi
	if [ -e "$dest/$d" ]; then
		if [ -f "$stamp" ]; then
			why="was made from other files than the manifest names (an older pin)"
		else
			why="is half unpacked or not made by this script (no $stamp)"
		fi
		echo "prepare-sources: error: $dest/$d $why." >&2
		echo "  Remove it (rm -rf '$dest/$d' '$stamp') and run again; nothing was changed." >&2
		exit 1
	fi
	rm -f "$stamp"
	work=$tmp/unpack-$d
	mkdir "$work"
	tarball=$(awk -v d="$d" '$4 == d { print $1 }' "$entries")
	[ "$(echo "$tarball" | wc -w)" = 1 ] || die "$manifest: '$d' needs exactly one tarball to unpack"
	tar -xf "$dl/$tarball" -C "$work" || die "cannot unpack $tarball (remove $dl/$tarball and run again)"
	if [ "$(ls -A "$work")" != "$d" ]; then
		die "$tarball does not unpack into $d/ alone (fix the manifest)"
	fi
	for p in $(awk -v d="$d" '$4 == "patch:" d { print $1 }' "$entries"); do
		mkdir "$work/.deb"
		tar -xf "$dl/$p" -C "$work/.deb" || die "cannot unpack $p"
		series=$work/.deb/debian/patches/series
		[ -f "$series" ] || die "$p has no debian/patches/series"
		n=0
		for patch in $(sed -e 's/#.*//' "$series"); do
			patch -d "$work/$d" -p1 --batch --forward --quiet <"$work/.deb/debian/patches/$patch" >"$tmp/patch.log" 2>&1 || {
				cat "$tmp/patch.log" >&2
				die "patch $patch of $p does not apply to $d"
			}
			n=$((n + 1))
		done
		say "applied $n patches of $p to $d"
		rm -rf "$work/.deb"
	done
	mv "$work/$d" "$dest/$d"
	echo "$key" >"$stamp"
	say "unpacked $d"
	changed=yes
done
if [ -z "${changed:-}" ]; then
	say "everything in $dest is in place and verified; nothing to do"
fi

if [ -n "$pack" ]; then
	files=$(awk '{ print $1 }' "$entries")
	# shellcheck disable=SC2086
	tar -cf "$pack.part" -C "$dl" $files && mv "$pack.part" "$pack" || die "cannot write $pack"
	say "packed $(echo "$files" | wc -w) files into $pack; on the offline machine: scripts/prepare-sources.sh --from $(basename "$pack")"
fi
