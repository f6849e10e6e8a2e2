# Pinned third-party sources for the bare-metal image (issue 12):
# scripts/prepare-sources.sh fetches and verifies them into third_party/
# (ignored by git); its error paths are tested on small fake sources.
EXTRA_DIST += scripts/prepare-sources.sh scripts/sources.manifest
TESTS += tests/prepare_sources.sh
dist_check_SCRIPTS += tests/prepare_sources.sh
