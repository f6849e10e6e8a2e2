#!/bin/bash -eu
# ClusterFuzzLite: the same build as OSS-Fuzz's (oss-fuzz/build.sh).
exec "$SRC/csvsm/oss-fuzz/build.sh"
