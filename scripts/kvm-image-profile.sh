#!/bin/sh
# Where the SVSM image's time goes under the KVM runner: resolves a profile
# written by `CSVSM_IMAGE_PROFILE=FILE csvsm-sim --target kvm ...`
# (sim/kvm/image_ops.c: the image vCPU's RIP sampled every 5 ms of CPU
# time, with the RBP chain) against the image's symbols, and prints the
# profile's header (times of the requests, exits by kind) and the
# functions with the most samples (self time). docs/kvm-snp.md.
#
# Usage: scripts/kvm-image-profile.sh IMAGE.elf PROFILE [TOP]
set -eu
[ $# -ge 2 ] || { echo "usage: $0 IMAGE.elf PROFILE [TOP]" >&2; exit 2; }
img=$1
prof=$2
top=${3:-30}
nm=${NM:-nm}
[ -r "$img" ] && [ -r "$prof" ] || { echo "$0: cannot read $img or $prof" >&2; exit 1; }
grep '^#' "$prof" | grep -v '^# samples' || true
# Fixed-width hex sorts as numbers: symbols (kind 0) and samples (kind 1)
# merged by address; each sample belongs to the symbol before it.
{
	"$nm" -n "$img" | awk 'NF == 3 && $2 ~ /^[tTwW]$/ { print $1, 0, $3 }'
	grep -v '^#' "$prof" | awk '{
		h = $1; sub(/^0x/, "", h); h = sprintf("%16s", h); gsub(/ /, "0", h)
		print h, 1, $2 }'
} | LC_ALL=C sort -k1,1 -k2,2n | awk '
	$2 == 0 { cur = $3; next }
	{ n[cur == "" ? "?" : cur] += $3; total += $3 }
	END {
		for (f in n) printf "%6.1f%% %7d %s\n", 100 * n[f] / total, n[f], f
		printf "%6.1f%% %7d (all samples)\n", 100, total
	}' | sort -k2,2nr | head -n "$((top + 1))"
