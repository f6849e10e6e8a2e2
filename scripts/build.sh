#!/bin/sh
# Builds csvsm in build/ (simulator, tests' dependencies, freestanding core
# check): generates and configures only when needed, so a second run with
# nothing changed takes about a second. Usage: scripts/build.sh [make args]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	echo "build: autoreconf"
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p build
cd build
if [ ! -f Makefile ]; then
	echo "build: configure --enable-sanitizers"
	../configure -q --enable-sanitizers
fi
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" "$@"
