#!/bin/sh
# tests/vtpm_crash.sh with the vTPM state on the pflash device model, driven by
# the SVSM's own pflash driver: SIGKILL at random points of an NV_Write stream.
srcdir=${srcdir:-$(dirname "$0")/..}
VTPM_NV=pflash VTPM_CRASH_ROUNDS=${VTPM_CRASH_ROUNDS:-4} exec bash "$srcdir/tests/vtpm_crash.sh"
