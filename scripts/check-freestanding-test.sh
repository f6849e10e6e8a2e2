#!/bin/sh
# Test-suite wrapper of check-freestanding.sh over the object `make` built.
set -eu
srcdir=${srcdir:-.}
builddir=${top_builddir:-.}
exec "$srcdir/scripts/check-freestanding.sh" "$builddir/src/core-freestanding.o" "$srcdir/src/include/csvsm/plat"
