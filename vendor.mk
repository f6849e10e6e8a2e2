# Pinned third-party sources for the bare-metal image (issue 12):
# scripts/prepare-sources.sh fetches and verifies them into third_party/
# (ignored by git); its error paths are tested on small fake sources.
EXTRA_DIST += scripts/prepare-sources.sh scripts/sources.manifest
TESTS += tests/prepare_sources.sh
dist_check_SCRIPTS += tests/prepare_sources.sh

# The bare-metal libraries (scripts/build-bare-metal-libs.sh, by hand: a
# full build takes minutes) and the offline build. Both tests SKIP visibly
# when nothing was built; they need the freestanding core archive.
TESTS += tests/bare_metal_link.sh tests/hermetic_build.sh
dist_check_SCRIPTS += tests/bare_metal_link.sh tests/hermetic_build.sh
EXTRA_DIST += scripts/build-bare-metal-libs.sh scripts/check-bare-metal-link.sh \
	scripts/hermetic-build.sh
AM_TESTS_ENVIRONMENT += BARE_METAL_DIR="$(BARE_METAL_DIR)" THIRD_PARTY_DIR="$(THIRD_PARTY_DIR)" \
	CC="$(CC)"; export BARE_METAL_DIR THIRD_PARTY_DIR CC;
