#!/bin/sh
# Fails when clang-format would change any C file of the project.
set -eu
srcdir=${srcdir:-$(dirname "$0")/..}
cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
	echo "check-format: $cf not found (apt-get install clang-format)" >&2
	exit 1
fi
cd "$srcdir"
files=$(find src sim tests bench guest -name '*.[ch]' -not -path '*/.*' 2>/dev/null | sort)
[ -n "$files" ] || { echo "check-format: no files"; exit 0; }
# shellcheck disable=SC2086
if ! "$cf" --dry-run --Werror $files; then
	echo "check-format: run '$cf -i' on the files above" >&2
	exit 1
fi
echo "check-format: $(echo "$files" | wc -l) files clean"
