#!/bin/sh
# Builds the bare-metal (freestanding) static archives of the vTPM's
# libraries from the sources scripts/prepare-sources.sh prepared:
#   OUT/libcrypto.a   OpenSSL 3.0.20 libcrypto, smallest configuration libtpms needs
#   OUT/libtpms.a     libtpms 0.10.2, TPM 2.0 only
#   OUT/libcsvsm-libc.a  the csvsm C runtime (src/plat/libc)
# all with the image's flags (m4/csvsm.m4 CSVSM_FREESTANDING_CFLAGS), then
# links them against the csvsm core and checks that nothing is left
# undefined but the platform interface (scripts/check-freestanding.sh).
#
# Usage: scripts/build-bare-metal-libs.sh [--third-party DIR] [--out DIR] [-j N] [--host-libtpms]
#          [--incremental-only]
# Incremental: a second run rebuilds only what changed. Runs under `nice`.
#
# --incremental-only stops (exit 3) instead of configuring OpenSSL afresh
# (minutes): the test suite uses it to refresh an existing build only.
# --host-libtpms builds only OUT/host/libtpms.a: the same libtpms 0.10.2
# sources and options, compiled for Linux against the system's libcrypto,
# for the simulator's `configure --with-libtpms=vendored` (one libtpms in
# the shim and the image).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tp=$top/third_party
out=$top/build-bare-metal
jobs=2
host_only=no
incremental_only=no
while [ $# -gt 0 ]; do
	case $1 in
	--third-party) tp=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	--host-libtpms) host_only=yes; shift ;;
	--incremental-only) incremental_only=yes; shift ;;
	*) echo "build-bare-metal-libs: unknown argument '$1'" >&2; exit 1 ;;
	esac
done
die() { echo "build-bare-metal-libs: error: $*" >&2; exit 1; }
# install_lib SRC DST: replaces DST atomically, and only when it changed (an
# unchanged archive keeps its time, so nothing downstream relinks).
install_lib() {
	cmp -s "$1" "$2" && return 0
	cp "$1" "$2.new" && mv "$2.new" "$2"
}
dirs="openssl-3.0.20 libtpms-0.10.2"
[ "$host_only" = yes ] && dirs=libtpms-0.10.2
for d in $dirs; do
	[ -d "$tp/$d" ] && [ -f "$tp/.$d.ok" ] ||
		die "$tp/$d is not prepared: run scripts/prepare-sources.sh first (see its --help)"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
CC=${CC:-gcc}
inc=$($CC -print-file-name=include)
FS_CFLAGS="-ffreestanding -nostdinc -isystem $inc -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -O2"
# The image is not Linux: no Linux-specific paths in OpenSSL (libtpms keeps
# __linux__, which it only asks about to learn the byte order).
FS_CPPFLAGS="-U__linux -U__linux__ -Ulinux -U__gnu_linux__ -I$top/src/plat/libc/include"

# libtpms' generated headers and source list (both flavours).
lt=$tp/libtpms-0.10.2
gen_libtpms() { # DIR: writes DIR/gen/{config.h,libtpms/tpm_library.h}
	mkdir -p "$1/gen/libtpms"
	sed -e 's/@LIBTPMS_VER_MAJOR@/0/' -e 's/@LIBTPMS_VER_MINOR@/10/' -e 's/@LIBTPMS_VER_MICRO@/2/' \
		"$lt/include/libtpms/tpm_library.h.in" >"$1/gen/libtpms/tpm_library.h.new"
	cmp -s "$1/gen/libtpms/tpm_library.h.new" "$1/gen/libtpms/tpm_library.h" ||
		mv "$1/gen/libtpms/tpm_library.h.new" "$1/gen/libtpms/tpm_library.h"
	rm -f "$1/gen/libtpms/tpm_library.h.new"
	cat >"$1/gen/config.h.new" <<'CFG'
/* libtpms' config.h for csvsm (scripts/build-bare-metal-libs.sh): TPM 2.0 only. */
#define WITH_TPM2 1
#define USE_OPENSSL_CRYPTO_LIBRARY 1
#define HAVE_LIBCRYPTO 1
#define HAVE_OPENSSL_AES_H 1
#define PACKAGE_VERSION "0.10.2"
#define VERSION "0.10.2"
CFG
	cmp -s "$1/gen/config.h.new" "$1/gen/config.h" || mv "$1/gen/config.h.new" "$1/gen/config.h"
	rm -f "$1/gen/config.h.new"
}
lt_srcs=$(awk '/^if WITH_TPM2/,/^endif # WITH_TPM2/' "$lt/src/Makefile.am" |
	grep -oE '^[[:space:]]*(tpm2/|tpm_)[A-Za-z_0-9/]*\.c' | tr -d '\t ' | sort -u)
lt_srcs="$lt_srcs disabled_interface.c tpm_debug.c tpm_library.c tpm_memory.c tpm_nvfile.c"
# libtpms' own compile options (its src/Makefile.am and configure for TPM 2 with OpenSSL).
LT_DEFS="-include tpm_library_conf.h -DTPM_LIBTPMS_CALLBACKS -DTPM_NV_DISK -D_POSIX_ -DTPM_POSIX -DOPENSSL_SUPPRESS_DEPRECATED -DUSE_OPENSSL_FUNCTIONS_SYMMETRIC=1 -DUSE_OPENSSL_FUNCTIONS_EC=1 -DUSE_OPENSSL_FUNCTIONS_ECDSA=1 -DUSE_OPENSSL_FUNCTIONS_RSA=1 -DUSE_OPENSSL_FUNCTIONS_SSKDF=1 -DUSE_EC_POINT_GET_AFFINE_COORDINATES_API=1 -DHAVE_CONFIG_H -Werror=implicit-function-declaration"
lt_rules() { # OBJDIR CFLAGSVAR: make rules for every libtpms source
	for f in $lt_srcs; do
		printf '%s/%s.o: %s\n\t@mkdir -p $(@D)\n\t@echo "  CC $<"; $(CC) $(%s) -MMD -MP -c -o $@ $<\n' \
			"$1" "${f%.c}" "$lt/src/$f" "$2"
	done
}
lt_objs() { for f in $lt_srcs; do printf ' %s/%s.o' "$1" "${f%.c}"; done; }

if [ "$host_only" = yes ]; then
	hb=$out/host
	gen_libtpms "$hb"
	{
		echo "CC = $CC"
		echo "HOST_CFLAGS = -O2 -g -fPIC -I$hb/gen -I$hb/gen/libtpms -I$lt/include/libtpms -I$lt/include -I$lt/src -I$lt/src/tpm2 -I$lt/src/tpm2/crypto -I$lt/src/tpm2/crypto/openssl $LT_DEFS"
		echo "libtpms.a:$(lt_objs tpms)"
		printf '\trm -f $@ && ar rcs $@ $^\n'
		lt_rules tpms HOST_CFLAGS
		echo '-include $(shell find . -name "*.d" 2>/dev/null)'
	} >"$hb/Makefile"
	echo "build-bare-metal-libs: building host/libtpms.a"
	(cd "$hb" && nice make -j"$jobs" >make.log 2>&1) ||
		{ grep -E 'error' "$hb/make.log" | head -30; die "host libtpms build failed ($hb/make.log)"; }
	ls -l "$hb/libtpms.a"
	exit 0
fi

# OpenSSL: configured once (the options below are the whole configuration),
# then make builds libcrypto.a incrementally.
OSSL_OPTS="no-shared no-module no-legacy no-tests no-asm no-threads no-dso no-sock no-stdio
 no-ui-console no-engine no-async no-autoload-config no-filenames no-posix-io no-secure-memory
 no-ssl no-tls no-dtls no-ssl3 no-tls1 no-tls1_1 no-tls1_2 no-tls1_3 no-dtls1 no-dtls1_2
 no-srtp no-nextprotoneg no-psk no-srp no-ct no-ocsp no-cms no-ts no-comp no-zlib
 no-dh no-dsa no-rc2 no-rc4 no-rc5 no-idea no-seed no-bf no-cast no-md4 no-mdc2 no-rmd160
 no-whirlpool no-siphash no-blake2 no-scrypt no-poly1305 no-chacha no-ocb no-siv no-aria
 no-gost no-sm2 no-sm3 no-sm4 no-ec2m no-ktls no-afalgeng no-padlockeng no-devcryptoeng
 no-capieng no-rdrand no-egd no-multiblock no-cmp no-ui-console no-err
 --with-rand-seed=none"
ob=$out/openssl
osrc=$out/openssl-src
key="$OSSL_OPTS $FS_CFLAGS $FS_CPPFLAGS $(cat "$tp/.openssl-3.0.20.ok") $(cat "$top/src/plat/libc/openssl/csvsm.conf" "$top/src/plat/libc/openssl/csvsm_openssl.h" "$top"/src/plat/libc/openssl/patches/*.patch | sha256sum | cut -c1-64)"
if [ ! -f "$ob/configured" ] || [ "$(cat "$ob/configured")" != "$key" ]; then
	if [ "$incremental_only" = yes ]; then
		echo "build-bare-metal-libs: OpenSSL needs configuring afresh; run scripts/build-bare-metal-libs.sh by hand" >&2
		exit 3
	fi
	rm -rf "$ob" "$osrc"
	# A copy of the prepared tree (hard links: patch replaces the files it
	# changes, so third_party/ stays as prepare-sources.sh left it) with
	# csvsm's own patches (src/plat/libc/openssl/patches) on top.
	cp -al "$tp/openssl-3.0.20" "$osrc" 2>/dev/null || cp -a "$tp/openssl-3.0.20" "$osrc"
	for p in "$top"/src/plat/libc/openssl/patches/*.patch; do
		patch -d "$osrc" -p1 --batch --forward --quiet <"$p" || die "$p does not apply"
	done
	mkdir -p "$ob"
	echo "build-bare-metal-libs: configuring OpenSSL"
	# shellcheck disable=SC2086
	(cd "$ob" && CC=$CC CFLAGS="$FS_CFLAGS -Werror=implicit-function-declaration" CPPFLAGS="$FS_CPPFLAGS -include $top/src/plat/libc/openssl/csvsm_openssl.h" \
		nice perl "$osrc/Configure" csvsm-x86_64 --config="$top/src/plat/libc/openssl/csvsm.conf" \
		$OSSL_OPTS >configure.log 2>&1) || { tail -20 "$ob/configure.log"; die "OpenSSL Configure failed ($ob/configure.log)"; }
	echo "$key" >"$ob/configured"
fi
echo "build-bare-metal-libs: building libcrypto.a"
(cd "$ob" && nice make -j"$jobs" build_generated >make.log 2>&1 && nice make -j"$jobs" libcrypto.a >>make.log 2>&1) ||
	{ grep -E 'error|Error' "$ob/make.log" | head -30; die "OpenSSL build failed ($ob/make.log)"; }
install_lib "$ob/libcrypto.a" "$out/libcrypto.a"

# The csvsm C runtime and libtpms: plain make rules (generated once), built
# with the same flags. libtpms: TPM 2.0 only, the source list of its
# src/Makefile.am (WITH_TPM2, LIBTPMS_USE_OPENSSL), its config.h replaced.
lb=$out/libtpms
gen_libtpms "$lb"
LT_CFLAGS="$FS_CFLAGS -I$top/src/plat/libc/include -I$lb/gen -I$lb/gen/libtpms -I$lt/include/libtpms -I$lt/include -I$lt/src -I$lt/src/tpm2 -I$lt/src/tpm2/crypto -I$lt/src/tpm2/crypto/openssl -I$ob/include -I$osrc/include -include $top/src/plat/libc/openssl/csvsm_openssl.h -include stdio.h $LT_DEFS"
LIBC_CFLAGS="$FS_CFLAGS $FS_CPPFLAGS -I$top/src/include -Wall -Wextra -Werror"
libc_srcs=$(cd "$top/src/plat/libc" && ls *.c *.S)
{
	echo "CC = $CC"
	echo "LT_CFLAGS = $LT_CFLAGS"
	echo "LIBC_CFLAGS = $LIBC_CFLAGS"
	echo "all: libtpms.a libcsvsm-libc.a"
	lt_rules tpms LT_CFLAGS
	echo "libtpms.a:$(lt_objs tpms)"
	printf '\trm -f $@ && ar rcs $@ $^\n'
	objs=""
	for f in $libc_srcs; do
		o=libc/${f%.*}.o
		objs="$objs $o"
		printf '%s: %s\n\t@mkdir -p $(@D)\n\t@echo "  CC $<"; $(CC) $(LIBC_CFLAGS) -MMD -MP -c -o $@ $<\n' "$o" "$top/src/plat/libc/$f"
	done
	# OpenSSL's seed callbacks need its internal headers.
	o=libc/openssl_seed.o
	objs="$objs $o"
	printf '%s: %s\n\t@mkdir -p $(@D)\n\t@echo "  CC $<"; $(CC) $(LIBC_CFLAGS) -I%s -I%s -include %s -MMD -MP -c -o $@ $<\n' \
		"$o" "$top/src/plat/libc/openssl/seed.c" "$ob/include" "$osrc/include" "$top/src/plat/libc/openssl/csvsm_openssl.h"
	echo "libcsvsm-libc.a:$objs"
	printf '\trm -f $@ && ar rcs $@ $^\n'
	echo '-include $(shell find . -name "*.d" 2>/dev/null)'
} >"$lb/Makefile.new"
# Other rules (flags, or sources that moved): the old objects and their
# dependency files no longer apply (a stale .d names files that may be gone).
if ! cmp -s "$lb/Makefile.new" "$lb/Makefile"; then
	find "$lb" \( -name '*.o' -o -name '*.d' \) ! -path "$lb/gen/*" -delete
fi
mv "$lb/Makefile.new" "$lb/Makefile"
echo "build-bare-metal-libs: building libtpms.a and libcsvsm-libc.a"
(cd "$lb" && nice make -k -j"$jobs" >make.log 2>&1) ||
	{ grep -E 'error' "$lb/make.log" | head -30; die "libtpms / C runtime build failed ($lb/make.log)"; }
install_lib "$lb/libtpms.a" "$out/libtpms.a"
install_lib "$lb/libcsvsm-libc.a" "$out/libcsvsm-libc.a"
ls -l "$out"/*.a
