#!/bin/sh
# The README's first command: install what is missing, build, and run the
# simulator's main job on embedded defaults.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/build.sh"
exec "$top/build/sim/csvsm-sim" "$@"
