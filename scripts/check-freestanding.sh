#!/bin/sh
# Usage: check-freestanding.sh CORE_OBJECT PLAT_HEADER_DIR
#
# CORE_OBJECT is a partial link (ld -r) of every core object compiled
# freestanding. It may leave undefined only the functions that the platform
# interface (the plat_* declarations in PLAT_HEADER_DIR/*.h) declares.
# Anything else (printf, malloc, memcpy from libc, ...) means the core grew a
# dependency that bare metal cannot satisfy.
set -eu
obj=$1
plat_dir=$2
nm=${NM:-nm}

allowed=$(mktemp)
undefined=$(mktemp)
trap 'rm -f "$allowed" "$undefined"' EXIT

{
	grep -ohE '\bplat_[a-z0-9_]+[[:space:]]*\(' "$plat_dir"/*.h
	# Adapters around the vendored libraries (libtpms, OpenSSL): the core
	# calls them, each image links an implementation (vtpm_absent.c, or
	# src/vtpm on the bare-metal libraries: scripts/check-bare-metal-link.sh
	# checks that link). Declarations start at column 0.
	adapter_dir="$plat_dir/../adapter"
	if ls "$adapter_dir"/*.h >/dev/null 2>&1; then
		grep -hE '^[a-z].*\b[a-z_][a-z0-9_]*\(' "$adapter_dir"/*.h |
			grep -oE '\b[a-z_][a-z0-9_]*\(' | head -n 1000
	fi
} | sed 's/[[:space:](]//g' | sort -u >"$allowed"
"$nm" -u "$obj" | awk '{print $NF}' | sort -u >"$undefined"

bad=$(comm -23 "$undefined" "$allowed")
if [ -n "$bad" ]; then
	echo "check-freestanding: $obj needs symbols that neither the core defines nor the platform interface declares:" >&2
	echo "$bad" | sed 's/^/  /' >&2
	echo "Move that code behind src/include/csvsm/plat/, or implement it in src/lib/." >&2
	exit 1
fi
echo "check-freestanding: ok ($(wc -l <"$undefined") platform symbols used, $(wc -l <"$allowed") declared)"
